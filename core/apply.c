/*
 * core/apply.c - validate, build, postfix check, reload (see apply.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/apply.h"
#include "util/hash.h"
#include "core/build.h"
#include "core/check.h"
#include "core/indexdiff.h"
#include "core/maincf.h"
#include "core/vcs.h"
#include "util/runcmd.h"

#define APPLY_STAMP_DIR "/run/pfconsole"

static const char *const step_names[APPLY_NSTEPS] = {
	"validate", "build", "postfix check", "reload",
};

void
apply_result_init(struct apply_result *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < APPLY_NSTEPS; i++) {
		r->steps[i].name = step_names[i];
		r->steps[i].state = APPLY_PENDING;
		r->steps[i].status = -1;
		strbuf_init(&r->steps[i].detail);
		strbuf_init(&r->steps[i].command);
		strbuf_init(&r->steps[i].output);
	}
	diag_list_init(&r->diags);
	strbuf_init(&r->applied);
	strbuf_init(&r->failed);
	strbuf_init(&r->audit);
	strbuf_init(&r->vcs);
}

void
apply_result_fini(struct apply_result *r)
{
	int i;

	for (i = 0; i < APPLY_NSTEPS; i++) {
		strbuf_fini(&r->steps[i].detail);
		strbuf_fini(&r->steps[i].command);
		strbuf_fini(&r->steps[i].output);
	}
	diag_list_fini(&r->diags);
	strbuf_fini(&r->applied);
	strbuf_fini(&r->failed);
	strbuf_fini(&r->audit);
	strbuf_fini(&r->vcs);
}

const char *
apply_state_name(enum apply_state st)
{
	switch (st) {
	case APPLY_PENDING: return "pending";
	case APPLY_OK: return "ok";
	case APPLY_FAILED: return "FAILED";
	case APPLY_SKIPPED: return "skipped";
	}
	return "?";
}

/* postfix_cmd - DIR's command_directory/postfix, or the override */
static void
postfix_cmd(struct maincf *cf, const struct apply_opts *opts, char *buf, size_t size)
{
	const char *cmddir;

	if (opts && opts->postfix) {
		snprintf(buf, size, "%s", opts->postfix);
		return;
	}
	cmddir = cf ? maincf_get(cf, "command_directory", NULL) : NULL;
	snprintf(buf, size, "%s/postfix", cmddir && *cmddir ? cmddir : "/usr/sbin");
}

/* mtime_of - modification time in nanoseconds (0: absent); whole seconds
 * would call a change made in the second of a reload "not newer" */
static long long
mtime_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* stamp_path - where we note our last reload of DIR's instance: under
 * /run (gone at reboot, when master.pid is newer anyway), never in
 * Postfix's own directories (postfix check would warn about the owner) */
static void
stamp_path(const char *dir, char *stamp, size_t size)
{
	snprintf(stamp, size, "%s/reloaded-%016llx", APPLY_STAMP_DIR,
		 (unsigned long long)hash_fnv1a(dir, strlen(dir)));
}

/* since_when - when the running master started or was last reloaded by
 * us: the later of master.pid's mtime and our stamp */
static long long
since_when(struct maincf *cf, const char *dir, char *stamp, size_t size)
{
	const char *qdir = maincf_get(cf, "queue_directory", NULL);
	char pidfile[PATH_MAX];
	long long t1, t2;

	snprintf(pidfile, sizeof(pidfile), "%s/pid/master.pid", qdir && *qdir ? qdir : "/var/spool/postfix");
	stamp_path(dir, stamp, size);
	t1 = mtime_of(pidfile);
	if (t1 == 0)
		return 0;
	t2 = mtime_of(stamp);
	return t2 > t1 ? t2 : t1;
}

static int
reload_needed_cf(struct maincf *cf, const char *dir, const struct check_result *chk,
		 char *why, size_t size)
{
	char path[PATH_MAX], stamp[PATH_MAX];
	long long since = since_when(cf, dir, stamp, sizeof(stamp));
	size_t i;

	if (since == 0) {
		snprintf(why, size, "no master.pid: Postfix is not running");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	if (mtime_of(path) > since) {
		snprintf(why, size, "main.cf changed since Postfix last (re)started");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	if (mtime_of(path) > since) {
		snprintf(why, size, "master.cf changed since Postfix last (re)started");
		return 1;
	}
	for (i = 0; chk && i < chk->ntables; i++) {
		const struct check_table *t = &chk->tables[i];

		if (!t->type || !t->path || t->index_path)
			continue;
		if (!maincf_is_pattern_type(t->type) && strcmp(t->type, "cidr") != 0 &&
		    strcmp(t->type, "texthash") != 0)
			continue;
		if (mtime_of(t->path) > since) {
			snprintf(why, size, "%s changed; Postfix daemons read %s tables only "
				 "when they start, and a reload restarts them", t->ref, t->type);
			return 1;
		}
	}
	snprintf(why, size, "nothing changed that needs a reload (cdb/hash tables are "
		 "picked up by the daemons themselves)");
	return 0;
}

int
apply_reload_needed(const char *dir, char *why, size_t size)
{
	struct maincf *cf = NULL;
	struct check_result chk;
	int rc;

	if (maincf_load(&cf, dir, NULL) < 0) {
		snprintf(why, size, "%s/main.cf: %s", dir, strerror(errno));
		return -1;
	}
	check_result_init(&chk);
	check_config_cf(cf, 0, &chk);
	rc = reload_needed_cf(cf, dir, &chk, why, size);
	check_result_fini(&chk);
	maincf_free(cf);
	return rc;
}

/* table_name - PATH as the audit names it: relative to DIR when under it */
static const char *
table_name(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return path;
}

/* applied_has - NAME is already an item of R->applied */
static bool
applied_has(const struct apply_result *r, const char *name)
{
	size_t n = strlen(name);
	const char *p = r->applied.buf;

	while (p && (p = strstr(p, name)) != NULL) {
		if ((p == r->applied.buf || (p >= r->applied.buf + 2 && p[-2] == ',' && p[-1] == ' '))
		    && (p[n] == '\0' || p[n] == ' ' || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}

/* applied_item - add "NAME +A -R ~C" (the zero counts left out; no count
 * at all: NAME alone, or NAME WHAT) */
static void
applied_item(struct apply_result *r, const char *name, const struct index_delta *d,
	     const char *what)
{
	if (r->applied.len)
		strbuf_addstr(&r->applied, ", ");
	strbuf_addstr(&r->applied, name);
	if (d) {
		if (d->added)
			strbuf_addf(&r->applied, " +%zu", d->added);
		if (d->removed)
			strbuf_addf(&r->applied, " -%zu", d->removed);
		if (d->changed)
			strbuf_addf(&r->applied, " ~%zu", d->changed);
	}
	if (what)
		strbuf_addf(&r->applied, " %s", what);
}

struct net_line {
	uint64_t h;
	int sign;
};

static int
net_cmp(const void *a, const void *b)
{
	const struct net_line *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h;
}

/*
 * session_net - the net effect of CHANGES' lines under the header
 * "PATH:" ("+line" added, "-line" removed, in order): a line added then
 * removed (or the reverse) counts for nothing.  Fills D (changed stays 0).
 * 1 PATH has a section, 0 none, -1 ENOMEM.
 */
static int
session_net(const char *changes, const char *path, struct index_delta *d)
{
	struct net_line *v = NULL;
	size_t n = 0, cap = 0, plen = strlen(path), i;
	const char *p = changes;
	bool in = false, found = false;

	memset(d, 0, sizeof(*d));
	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len && p[len - 1] == ':' && p[0] != '+' && p[0] != '-') {
			in = len - 1 == plen && memcmp(p, path, plen) == 0;
			if (!in && len < PATH_MAX) {
				/* the caller's name for the file may not be the real path */
				char hdr[PATH_MAX], real[PATH_MAX];

				memcpy(hdr, p, len - 1);
				hdr[len - 1] = '\0';
				in = realpath(hdr, real) && strcmp(real, path) == 0;
			}
			found = found || in;
		} else if (in && len && (p[0] == '+' || p[0] == '-')) {
			if (n == cap) {
				struct net_line *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));

				if (!nv) {
					free(v);
					return -1;
				}
				v = nv;
			}
			v[n].h = hash_fnv1a(p + 1, len - 1);
			v[n].sign = p[0] == '+' ? 1 : -1;
			n++;
		}
		p = e ? e + 1 : NULL;
	}
	if (n)
		qsort(v, n, sizeof(*v), net_cmp);
	for (i = 0; i < n;) {
		size_t j = i;
		long net = 0;

		while (j < n && v[j].h == v[i].h)
			net += v[j++].sign;
		if (net > 0)
			d->added += (size_t)net;
		else
			d->removed += (size_t)-net;
		i = j;
	}
	free(v);
	return found ? 1 : 0;
}

/* session_items - every file of OPTS->changes not already listed (not an
 * index built here) whose saved edits have a net effect */
static void
session_items(const char *dir, const struct apply_opts *opts, struct apply_result *r)
{
	const char *p = opts ? opts->changes : NULL;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len > 1 && p[len - 1] == ':' && p[0] != '+' && p[0] != '-' && len < PATH_MAX) {
			char path[PATH_MAX];
			struct index_delta d;
			const char *name;

			char real[PATH_MAX];

			memcpy(path, p, len - 1);
			path[len - 1] = '\0';
			if (realpath(path, real))
				memcpy(path, real, strlen(real) + 1);
			name = table_name(dir, path);
			if (!applied_has(r, name) && session_net(opts->changes, path, &d) > 0
			    && (d.added || d.removed))
				applied_item(r, name, &d, NULL);
		}
		p = e ? e + 1 : NULL;
	}
}

/* reload_items - what a reload is about to put live: main.cf, master.cf
 * and the tables Postfix reads only at start, changed since it last
 * (re)started; a table's counts come from the caller's saved edits */
static void
reload_items(struct maincf *cf, const char *dir, const struct apply_opts *opts,
	     const struct check_result *chk, struct apply_result *r)
{
	char path[PATH_MAX + 16], stamp[PATH_MAX];
	long long since = since_when(cf, dir, stamp, sizeof(stamp));
	size_t i;

	if (since == 0)
		return;
	for (i = 0; i < 2; i++) {
		const char *name = i ? "master.cf" : "main.cf";
		struct index_delta d;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (mtime_of(path) <= since || applied_has(r, name))
			continue;
		if (opts && opts->changes && session_net(opts->changes, path, &d) > 0 &&
		    (d.added || d.removed))
			applied_item(r, name, &d, NULL);
		else
			applied_item(r, name, NULL, NULL);
	}
	for (i = 0; chk && i < chk->ntables; i++) {
		const struct check_table *t = &chk->tables[i];
		struct index_delta d;
		const char *name;

		if (!t->type || !t->path || t->index_path)
			continue;
		if (!maincf_is_pattern_type(t->type) && strcmp(t->type, "cidr") != 0 &&
		    strcmp(t->type, "texthash") != 0)
			continue;
		if (mtime_of(t->path) <= since)
			continue;
		name = table_name(dir, t->path);
		if (applied_has(r, name))
			continue;
		if (opts && opts->changes && session_net(opts->changes, t->path, &d) > 0) {
			if (d.added || d.removed)
				applied_item(r, name, &d, NULL);
		} else
			applied_item(r, name, NULL, "changed");
	}
}

void
apply_audit_text(const char *dir, const struct apply_opts *opts, const struct apply_result *r,
		 struct strbuf *a)
{
	struct passwd *pw = getpwuid(getuid());
	const char *who = getenv("SUDO_USER");
	const struct apply_step *bld = &r->steps[1], *chk = &r->steps[2], *rel = &r->steps[3];

	strbuf_reset(a);
	strbuf_addf(a, "user=%s", pw ? pw->pw_name : "?");
	if (!pw)
		strbuf_addf(a, "(uid %u)", (unsigned)getuid());
	if (who && *who)
		strbuf_addf(a, " (sudo: %s)", who);
	strbuf_addf(a, " config=%s", dir);
	if (opts && opts->action && *opts->action)
		strbuf_addf(a, " %s", opts->action);
	strbuf_addf(a, " applied: %s", r->applied.len ? r->applied.buf : "no entry changed");
	if (r->nbuilt)
		strbuf_addf(a, "; built %zu table%s", r->nbuilt, r->nbuilt == 1 ? "" : "s");
	else if (!r->nbuild_failed)
		strbuf_addstr(a, "; nothing built");
	if (r->nbuild_failed)
		strbuf_addf(a, "%s%zu FAILED (%s)", r->nbuilt ? ", " : "; build ", r->nbuild_failed,
			    r->failed.buf);
	if (bld->state == APPLY_FAILED)
		strbuf_addstr(a, "; postfix not reloaded (build failed)");
	else if (chk->state == APPLY_FAILED)
		strbuf_addstr(a, "; postfix check FAILED, not reloaded");
	else if (r->reloaded)
		strbuf_addstr(a, "; postfix reload ok");
	else if (rel->state == APPLY_FAILED)
		strbuf_addstr(a, "; postfix reload FAILED");
	else
		strbuf_addf(a, "; postfix %s", r->running ? "not reloaded (not needed)" : "not running");
}

/* syslog_reachable - the local syslog socket takes datagrams (syslog(3)
 * itself says nothing when it drops the line); 0, or -1 with WHY */
static int
syslog_reachable(char *why, size_t size)
{
	const char *path = getenv("PFCONSOLE_SYSLOG_SOCKET");   /* tests */
	struct sockaddr_un sa;
	int fd, rc;

	if (!path || !*path)
		path = "/dev/log";
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, size, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc < 0)
		snprintf(why, size, "%s: %s", path, strerror(errno));
	close(fd);
	return rc < 0 ? -1 : 0;
}

void
apply_audit(const char *dir, const struct apply_opts *opts, struct apply_result *r)
{
	apply_audit_text(dir, opts, r, &r->audit);
	r->audit_lost[0] = '\0';
	if (opts && opts->no_audit)
		return;
	if (syslog_reachable(r->audit_lost, sizeof(r->audit_lost)) < 0)
		return;
	openlog("pfconsole", LOG_PID, LOG_MAIL);
	syslog(LOG_NOTICE, "%s", r->audit.buf);
	closelog();
}

int
apply_run_step(struct apply_step *st, const char *const argv[], int timeout_ms)
{
	struct runcmd_result rr;
	char reason[256];

	runcmd_format_argv(argv, &st->command);
	runcmd_result_init(&rr);
	if (runcmd_run(argv, RUNCMD_PTY, timeout_ms, &rr, reason, sizeof(reason)) < 0) {
		strbuf_addf(&st->detail, "could not run %s: %s\n", argv[0], reason);
		st->state = APPLY_FAILED;
		runcmd_result_fini(&rr);
		return -1;
	}
	st->status = rr.status;
	strbuf_add(&st->output, rr.output.buf, rr.output.len);
	if (rr.timed_out)
		strbuf_addstr(&st->detail, "timed out\n");
	st->state = rr.status == 0 && !rr.timed_out ? APPLY_OK : APPLY_FAILED;
	runcmd_result_fini(&rr);
	return st->state == APPLY_OK ? 0 : -1;
}

int
apply_run(const char *dir_in, const struct apply_opts *opts, struct apply_result *r)
{
	struct apply_step *val = &r->steps[0], *bld = &r->steps[1], *chkst = &r->steps[2],
			  *rel = &r->steps[3];
	struct check_result chk;
	struct build_job job;
	struct maincf *cf = NULL;
	char dir[PATH_MAX], postfix[PATH_MAX], why[512], stamp[PATH_MAX];
	size_t i, nerr;
	int rc, need;
	struct strbuf built;        /* sources of the indexes built, one a line */
	struct {
		struct index_snap snap;
		bool ok;            /* taken (or no index): a difference can be counted */
	} *snaps = NULL;

	strbuf_init(&built);
	if (!realpath(dir_in, dir))
		snprintf(dir, sizeof(dir), "%s", dir_in);
	/* 1. validate */
	check_result_init(&chk);
	if (check_config(dir, 0, &chk) < 0) {
		check_result_fini(&chk);
		strbuf_fini(&built);
		return -1;
	}
	/* a stale or absent index is what the build step fixes: counted, not
	 * listed, never a refusal */
	{
		size_t nstale = 0, nwarn = 0;

		for (i = 0; i < chk.diags.n; i++) {
			const struct diag *d = &chk.diags.v[i];

			if (d->code == DIAG_STALE_INDEX || d->code == DIAG_UNREADABLE_MAP) {
				nstale++;
				continue;
			}
			diag_add_sev(&r->diags, d->severity, d->code, d->file, d->line, d->col,
				     "%s", d->message);
		}
		diag_sort(&r->diags);
		nerr = diag_count(&r->diags, DIAG_ERROR);
		nwarn = diag_count(&r->diags, DIAG_WARNING);
		strbuf_addf(&val->detail, "%zu table%s, %zu error%s, %zu warning%s, %zu "
			    "index%s to build\n", chk.ntables, chk.ntables == 1 ? "" : "s", nerr,
			    nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s", nstale,
			    nstale == 1 ? "" : "es");
	}
	if (nerr || (opts->strict && diag_count(&r->diags, DIAG_WARNING))) {
		val->state = APPLY_FAILED;
		r->refused = true;
		check_result_fini(&chk);
		strbuf_fini(&built);
		return 1;
	}
	val->state = APPLY_OK;
	/* 2. build the stale indexes */
	build_job_init(&job, BUILD_NO_DUP_WARN);
	rc = build_job_add_config(&job, dir);
	/* the indexes about to be replaced, for what the build changed */
	if (rc == 0 && job.n && (snaps = calloc(job.n, sizeof(*snaps))) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < job.n; i++) {
		struct map_error merr;

		index_snap_init(&snaps[i].snap);
		snaps[i].ok = index_snap_take(job.v[i].type, job.v[i].path, &snaps[i].snap, &merr) >= 0;
	}
	if (rc == 0)
		rc = build_job_run(&job);
	for (i = 0; i < job.n; i++) {
		const struct build_target *t = &job.v[i];

		if (t->state == BUILD_DONE) {
			struct index_snap now;
			struct index_delta d;
			struct map_error merr;

			strbuf_addf(&bld->detail, "built %s:%s (%zu entr%s)\n", t->type, t->path,
				    t->stats.entries, t->stats.entries == 1 ? "y" : "ies");
			strbuf_addf(&built, "%s\n", t->path);
			r->built = true;
			r->nbuilt++;
			index_snap_init(&now);
			if (snaps && snaps[i].ok && index_snap_take(t->type, t->path, &now, &merr) > 0) {
				index_snap_diff(&snaps[i].snap, &now, &d);
				if (d.added || d.removed || d.changed)
					applied_item(r, table_name(dir, t->path), &d, NULL);
			} else
				applied_item(r, table_name(dir, t->path), NULL, "rebuilt");
			index_snap_fini(&now);
		} else if (t->state == BUILD_FAILED) {
			strbuf_addf(&bld->detail, "failed %s:%s: %s\n", t->type, t->path,
				    t->error ? t->error : "error");
			strbuf_addf(&r->failed, "%s%s", r->nbuild_failed ? ", " : "",
				    table_name(dir, t->path));
			r->nbuild_failed++;
		}
	}
	if (snaps) {
		for (i = 0; i < job.n; i++)
			index_snap_fini(&snaps[i].snap);
		free(snaps);
		snaps = NULL;
	}
	if (rc != 0) {
		for (i = 0; i < job.diags.n; i++)
			if (job.diags.v[i].severity == DIAG_ERROR) {
				const struct diag *d = &job.diags.v[i];

				diag_add_sev(&r->diags, d->severity, d->code, d->file, d->line,
					     d->col, "%s", d->message);
			}
		bld->state = APPLY_FAILED;
		if (rc == 1)
			r->refused = true;
		build_job_fini(&job);
		check_result_fini(&chk);
		session_items(dir, opts, r);
		apply_audit(dir, opts, r);
		strbuf_fini(&built);
		return 1;
	}
	if (!r->built)
		strbuf_addstr(&bld->detail, "every index is up to date\n");
	bld->state = APPLY_OK;
	build_job_fini(&job);
	/* 3. postfix check */
	if (maincf_load(&cf, dir, NULL) < 0)
		cf = NULL;
	postfix_cmd(cf, opts, postfix, sizeof(postfix));
	{
		const char *argv[] = { postfix, "-c", dir, "check", NULL };

		if (apply_run_step(chkst, argv, opts ? opts->timeout_ms : 0) < 0) {
			check_result_fini(&chk);
			maincf_free(cf);
			session_items(dir, opts, r);
			apply_audit(dir, opts, r);
			strbuf_fini(&built);
			return 1;
		}
	}
	/* 4. reload when running and needed */
	{
		const char *argv[] = { postfix, "-c", dir, "status", NULL };
		struct runcmd_result rr;
		char reason[256];

		runcmd_result_init(&rr);
		r->running = runcmd_run(argv, RUNCMD_PTY, opts ? opts->timeout_ms : 0, &rr, reason,
					sizeof(reason)) == 0 && rr.status == 0;
		runcmd_result_fini(&rr);
	}
	need = cf ? reload_needed_cf(cf, dir, &chk, why, sizeof(why)) : 1;
	if (!cf)
		snprintf(why, sizeof(why), "main.cf could not be read again");
	if (opts && opts->reload_hint && need == 0) {
		need = 1;
		snprintf(why, sizeof(why), "a table Postfix daemons read only when they start "
			 "was saved, and a reload restarts them");
	}
	if (opts && opts->reload_always) {
		need = 1;
		snprintf(why, sizeof(why), "reload requested");
	}
	if (!r->running) {
		rel->state = APPLY_SKIPPED;
		strbuf_addstr(&rel->detail, "Postfix is not running: nothing to reload\n");
	} else if (need != 1) {
		rel->state = APPLY_SKIPPED;
		strbuf_addf(&rel->detail, "%s\n", why);
	} else {
		const char *argv[] = { postfix, "-c", dir, "reload", NULL };

		strbuf_addf(&rel->detail, "%s\n", why);
		if (cf)
			reload_items(cf, dir, opts, &chk, r);
		if (apply_run_step(rel, argv, opts ? opts->timeout_ms : 0) == 0) {
			int fd;

			r->reloaded = true;
			stamp_path(dir, stamp, sizeof(stamp));
			mkdir(APPLY_STAMP_DIR, 0755);
			fd = open(stamp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd >= 0) {
				futimens(fd, NULL);     /* now, also when it existed empty */
				close(fd);
			}
		}
	}
	check_result_fini(&chk);
	maincf_free(cf);
	session_items(dir, opts, r);
	if (r->built || r->reloaded || r->applied.len)
		apply_audit(dir, opts, r);
	/* in a git work tree: commit the sources this Apply wrote or built from */
	if (rel->state != APPLY_FAILED && r->audit.len)
		vcs_commit_apply(dir, opts ? opts->changes : NULL, built.buf, r->audit.buf, &r->vcs);
	strbuf_fini(&built);
	return rel->state == APPLY_FAILED ? 1 : 0;
}
