/*
 * core/migrate.c - hash -> cdb/lmdb: plan, build, rewrite main.cf and
 * master.cf atomically, Apply, keep the old indexes until the reload
 * succeeded (see migrate.h).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/maincf.h"
#include "core/postconf.h"
#include "core/migrate.h"
#include "core/tabledoc.h"
#include "core/vcs.h"
#include "maps/map.h"
#include "util/runcmd.h"

void
migrate_plan_init(struct migrate_plan *p)
{
	memset(p, 0, sizeof(*p));
	strbuf_init(&p->skipped);
}

void
migrate_plan_fini(struct migrate_plan *p)
{
	size_t i;

	for (i = 0; i < p->nlines; i++) {
		free(p->lines[i].file);
		free(p->lines[i].old_text);
		free(p->lines[i].new_text);
	}
	for (i = 0; i < p->ntables; i++) {
		free(p->tables[i].source);
		free(p->tables[i].old_index);
		free(p->tables[i].new_ref);
	}
	free(p->lines);
	free(p->tables);
	free(p->from);
	free(p->to);
	strbuf_fini(&p->skipped);
	memset(p, 0, sizeof(*p));
}

static bool
in_list(const char *s, const char *const *v)
{
	for (; *v; v++)
		if (strcmp(s, *v) == 0)
			return true;
	return false;
}

/* index_suffix - the file postmap makes for TYPE */
static const char *
index_suffix(const char *type)
{
	if (strcmp(type, "cdb") == 0)
		return ".cdb";
	if (strcmp(type, "dbm") == 0 || strcmp(type, "sdbm") == 0)
		return ".pag";
	return ".db";
}

/* replace_refs - TEXT with every "FROM:NAME" at a token start turned into
 * "TO:NAME"; malloc'd, NULL on ENOMEM; *N counts the replacements */
static char *
replace_refs(const char *text, const char *from, const char *to, const char *name, int *n)
{
	struct strbuf out, pat;
	const char *p = text, *hit;

	strbuf_init(&out);
	strbuf_init(&pat);
	*n = 0;
	if (strbuf_addf(&pat, "%s:%s", from, name) < 0)
		goto fail;
	while ((hit = strstr(p, pat.buf)) != NULL) {
		char before = hit == text ? ' ' : hit[-1];
		char after = hit[pat.len];
		bool start = before == ' ' || before == '\t' || before == ',' || before == '=' ||
			     before == '{' || before == ':' || before == '\n';
		bool end = after == '\0' || after == ' ' || after == '\t' || after == ',' ||
			   after == '}' || after == '\n' || after == '\r';

		if (strbuf_add(&out, p, (size_t)(hit - p)) < 0)
			goto fail;
		if (start && end) {
			if (strbuf_addf(&out, "%s:%s", to, name) < 0)
				goto fail;
			(*n)++;
		} else if (strbuf_add(&out, hit, pat.len) < 0) {
			goto fail;
		}
		p = hit + pat.len;
	}
	if (strbuf_addstr(&out, p) < 0)
		goto fail;
	strbuf_fini(&pat);
	return strbuf_export(&out);
fail:
	strbuf_fini(&out);
	strbuf_fini(&pat);
	return NULL;
}

/* item_at - the tabledoc item holding physical LINE; its text (without the
 * last line end) malloc'd into *TEXT and its first line into *FIRST */
static int
item_at(struct tabledoc *doc, unsigned line, char **text, unsigned *first)
{
	size_t i, n = tabledoc_count(doc);

	for (i = 0; i < n; i++) {
		const struct tabledoc_item *it = tabledoc_item(doc, i);

		if (line >= it->line && line < it->line + (it->nlines ? it->nlines : 1)) {
			size_t len;
			const char *t = tabledoc_item_text(doc, i, &len);

			while (len && (t[len - 1] == '\n' || t[len - 1] == '\r'))
				len--;
			*text = strndup(t, len);
			*first = it->line;
			return *text ? 0 : -1;
		}
	}
	*text = NULL;
	return 1;
}

int
migrate_plan(const char *dir, const char *from, const char *to, struct migrate_plan *p,
	     char *reason, size_t size)
{
	static const char *const froms[] = { "hash", "btree", "dbm", NULL };
	static const char *const tos[] = { "cdb", "lmdb", "hash", "btree", NULL };
	struct maincf *cf = NULL;
	size_t i, k;

	if (!in_list(from, froms) || !in_list(to, tos) || strcmp(from, to) == 0) {
		snprintf(reason, size, "cannot migrate %s to %s (from hash, btree or dbm; to cdb, "
			 "lmdb, hash or btree)", from, to);
		return -1;
	}
	if ((p->from = strdup(from)) == NULL || (p->to = strdup(to)) == NULL)
		goto nomem;
	if (maincf_load(&cf, dir, NULL) < 0) {
		snprintf(reason, size, "%s/main.cf: %s", dir, strerror(errno));
		return -1;
	}
	/* the installed Postfix must read TO (core/postconf: postconf -m) */
	if (postconf_has_type(to) == 0) {
		snprintf(reason, size, "this Postfix has no %s tables (postconf -m does not list %s; "
			 "Debian: install postfix-%s): nothing planned", to, to, to);
		maincf_free(cf);
		return -1;
	}
	for (i = 0; i < maincf_ref_count(cf); i++) {
		const struct maincf_ref *r = maincf_ref_at(cf, i);
		struct tabledoc *doc = NULL;
		struct map_error err;
		char *text = NULL, *repl;
		unsigned first = 0;
		struct stat st;
		int n;

		if (strcmp(r->type, from) != 0 || r->inline_body)
			continue;
		if (r->role == MAINCF_ROLE_ALIAS || strcmp(r->param, "alias_maps") == 0 ||
		    strcmp(r->param, "alias_database") == 0) {
			strbuf_addf(&p->skipped, "%s:%s (%s): alias tables are built by postalias; "
				    "left as they are\n", from, r->name, r->param);
			continue;
		}
		if (r->line == 0) {
			strbuf_addf(&p->skipped, "%s:%s (%s): Postfix's default, not written in "
				    "main.cf; set %s to migrate it\n", from, r->name, r->param, r->param);
			continue;
		}
		if (r->name[0] != '/' || stat(r->name, &st) < 0 || !S_ISREG(st.st_mode)) {
			strbuf_addf(&p->skipped, "%s:%s (%s): no such source file; left as it is\n",
				    from, r->name, r->param);
			continue;
		}
		/* the logical line holding the reference, in its file */
		memset(&err, 0, sizeof(err));
		for (k = 0; k < p->nlines; k++)
			if (strcmp(p->lines[k].file, r->file) == 0 && r->line >= p->lines[k].line &&
			    strstr(p->lines[k].new_text, r->name))
				break;
		if (k == p->nlines) {
			if (tabledoc_load(&doc, r->file, TABLEDOC_KV, NULL, &err) < 0 ||
			    item_at(doc, r->line, &text, &first) != 0) {
				tabledoc_free(doc);
				strbuf_addf(&p->skipped, "%s:%s: cannot read %s line %u\n", from,
					    r->name, r->file, r->line);
				continue;
			}
			tabledoc_free(doc);
			for (k = 0; k < p->nlines; k++)
				if (strcmp(p->lines[k].file, r->file) == 0 && p->lines[k].line == first)
					break;
		}
		repl = replace_refs(k < p->nlines ? p->lines[k].new_text : text, from, to, r->name,
				    &n);
		if (repl == NULL) {
			free(text);
			goto nomem;
		}
		if (n == 0 && (k == p->nlines || !strstr(p->lines[k].new_text, r->name))) {
			strbuf_addf(&p->skipped, "%s:%s (%s): written through $name in %s line %u; "
				    "change that parameter\n", from, r->name, r->param, r->file, r->line);
			free(repl);
			free(text);
			continue;
		}
		if (k == p->nlines) {
			struct migrate_line *nl = realloc(p->lines, (p->nlines + 1) * sizeof(*nl));

			if (nl == NULL) {
				free(repl);
				free(text);
				goto nomem;
			}
			p->lines = nl;
			nl[p->nlines].file = strdup(r->file);
			nl[p->nlines].line = first;
			nl[p->nlines].old_text = text;
			nl[p->nlines].new_text = repl;
			p->nlines++;
		} else {
			free(p->lines[k].new_text);
			p->lines[k].new_text = repl;
			free(text);
		}
		/* the table to build */
		for (k = 0; k < p->ntables; k++)
			if (strcmp(p->tables[k].source, r->name) == 0)
				break;
		if (k == p->ntables) {
			struct migrate_table *nt = realloc(p->tables, (p->ntables + 1) * sizeof(*nt));
			struct strbuf a, b;

			if (nt == NULL)
				goto nomem;
			p->tables = nt;
			strbuf_init(&a);
			strbuf_init(&b);
			strbuf_addf(&a, "%s%s", r->name, index_suffix(from));
			strbuf_addf(&b, "%s:%s", to, r->name);
			nt[p->ntables].source = strdup(r->name);
			nt[p->ntables].old_index = strbuf_export(&a);
			nt[p->ntables].new_ref = strbuf_export(&b);
			p->ntables++;
		}
	}
	maincf_free(cf);
	return 0;
nomem:
	maincf_free(cf);
	snprintf(reason, size, "out of memory");
	return -1;
}

/* ---- carrying it out ------------------------------------------------- */

struct saved {
	char *file;
	char *text;                 /* the file before (for the way back) */
	size_t len;
};

/* rewrite - FILE's planned lines replaced, saved as the editor saves */
static int
rewrite(const char *file, const struct migrate_plan *plan, struct saved *sv, struct strbuf *note)
{
	struct tabledoc *doc = NULL;
	struct map_error err;
	size_t i, len;
	const char *t;

	memset(&err, 0, sizeof(err));
	if (tabledoc_load(&doc, file, TABLEDOC_KV, NULL, &err) < 0) {
		strbuf_addf(note, "cannot read %s: %s\n", file, err.text);
		return -1;
	}
	t = tabledoc_text(doc, &len);
	sv->file = strdup(file);
	sv->text = malloc(len + 1);
	if (!sv->file || !sv->text) {
		tabledoc_free(doc);
		return -1;
	}
	memcpy(sv->text, t, len);
	sv->text[len] = '\0';
	sv->len = len;
	for (i = 0; i < plan->nlines; i++) {
		const struct migrate_line *l = &plan->lines[i];
		size_t j, n = tabledoc_count(doc);

		if (strcmp(l->file, file) != 0)
			continue;
		for (j = 0; j < n; j++)
			if (tabledoc_item(doc, j)->line == l->line)
				break;
		if (j == n || tabledoc_replace(doc, j, l->new_text, strlen(l->new_text), NULL) < 0) {
			strbuf_addf(note, "%s line %u changed since the plan; nothing written\n", file,
				    l->line);
			tabledoc_free(doc);
			return -1;
		}
	}
	if (tabledoc_save(doc, 0, &err) != 0) {
		strbuf_addf(note, "cannot write %s: %s\n", file, err.text[0] ? err.text : "changed on disk");
		tabledoc_free(doc);
		return -1;
	}
	strbuf_addf(note, "wrote %s (previous version kept as %s~)\n", file, file);
	tabledoc_free(doc);
	return 0;
}

static void
restore(const struct saved *sv, struct strbuf *note)
{
	struct tabledoc *doc = NULL;
	struct map_error err;

	memset(&err, 0, sizeof(err));
	if (tabledoc_parse(&doc, sv->text, sv->len, sv->file, TABLEDOC_KV, NULL) < 0 ||
	    tabledoc_save(doc, TABLEDOC_FORCE | TABLEDOC_NO_BACKUP, &err) != 0)
		strbuf_addf(note, "could NOT restore %s (its previous text is in %s~)\n", sv->file,
			    sv->file);
	else
		strbuf_addf(note, "restored %s\n", sv->file);
	tabledoc_free(doc);
}

/* postmap_path - DIR's main.cf command_directory/postmap */
static const char *
postmap_path(const char *dir, const struct apply_opts *opts)
{
	static char path[4096];
	struct maincf *cf = NULL;

	(void)opts;
	if (maincf_load(&cf, dir, NULL) == 0)
		snprintf(path, sizeof(path), "%s/postmap", maincf_get(cf, "command_directory", NULL));
	else
		snprintf(path, sizeof(path), "/usr/sbin/postmap");
	maincf_free(cf);
	return path;
}

/* postfix_steps - postfix check, postfix status, postfix reload (steps 3
 * and 4 of RES); 0 when check passed and the reload (if Postfix runs)
 * succeeded */
static int
postfix_steps(const char *dir, const struct apply_opts *opts, struct apply_result *res)
{
	char postfix[4096];
	int tmo = opts ? opts->timeout_ms : 0;

	if (opts && opts->postfix) {
		snprintf(postfix, sizeof(postfix), "%s", opts->postfix);
	} else {
		struct maincf *cf = NULL;

		if (maincf_load(&cf, dir, NULL) == 0)
			snprintf(postfix, sizeof(postfix), "%s/postfix",
				 maincf_get(cf, "command_directory", NULL));
		else
			snprintf(postfix, sizeof(postfix), "/usr/sbin/postfix");
		maincf_free(cf);
	}
	{
		const char *argv[] = { postfix, "-c", dir, "check", NULL };

		if (apply_run_step(&res->steps[2], argv, tmo) < 0)
			return 1;
	}
	{
		const char *argv[] = { postfix, "-c", dir, "status", NULL };
		struct runcmd_result rr;
		char reason[256];

		runcmd_result_init(&rr);
		res->running = runcmd_run(argv, RUNCMD_PTY, tmo, &rr, reason, sizeof(reason)) == 0 &&
			       rr.status == 0;
		runcmd_result_fini(&rr);
	}
	if (!res->running) {
		res->steps[3].state = APPLY_SKIPPED;
		strbuf_addstr(&res->steps[3].detail, "Postfix is not running: nothing to reload\n");
		return 0;
	}
	{
		const char *argv[] = { postfix, "-c", dir, "reload", NULL };

		if (apply_run_step(&res->steps[3], argv, tmo) < 0)
			return 1;
	}
	res->reloaded = true;
	return 0;
}

/* remove_created - a failed migration removes the new indexes it created
 * (CREATED[i]: none was there before); one that existed stays */
static void
remove_created(const struct migrate_plan *plan, const bool *created, struct strbuf *note)
{
	char idx[PATH_MAX];
	size_t i;

	for (i = 0; i < plan->ntables; i++) {
		if (!created[i])
			continue;
		snprintf(idx, sizeof(idx), "%s.%s", plan->tables[i].source, plan->to);
		if (unlink(idx) == 0)
			strbuf_addf(note, "removed the new index %s\n", idx);
		else if (errno != ENOENT)
			strbuf_addf(note, "could not remove the new index %s: %s\n", idx,
				    strerror(errno));
	}
}

int
migrate_apply(const char *dir_in, const struct migrate_plan *plan, unsigned flags,
	      const struct apply_opts *opts, struct apply_result *res, struct strbuf *note)
{
	struct saved sv[2];
	const char *files[2] = { NULL, NULL };
	size_t i, nf = 0, nsv = 0;
	int rc = 0;
	char dir[PATH_MAX];
	bool *created;

	/* postfix -c wants an absolute directory ("-c requires absolute
	 * pathname"), as apply_run gives it */
	if (!realpath(dir_in, dir))
		snprintf(dir, sizeof(dir), "%s", dir_in);
	memset(sv, 0, sizeof(sv));
	/* the new indexes this run creates: removed again when it fails (left
	 * behind, they are built tables nothing references) */
	created = calloc(plan->ntables ? plan->ntables : 1, sizeof(*created));
	if (!created)
		return -1;
	/* 1. the new indexes, next to the old ones, by the real postmap: the
	 * same entries the old index holds, whatever check thinks of them
	 * (RES's build step: what the audit line says was built) */
	for (i = 0; i < plan->ntables; i++) {
		struct apply_step st, *bld = &res->steps[1];
		const char *argv[] = { postmap_path(dir, opts), "-c", dir, plan->tables[i].new_ref,
				       NULL };
		char idx[PATH_MAX];

		snprintf(idx, sizeof(idx), "%s.%s", plan->tables[i].source, plan->to);
		created[i] = access(idx, F_OK) < 0;
		memset(&st, 0, sizeof(st));
		strbuf_init(&st.detail);
		strbuf_init(&st.command);
		strbuf_init(&st.output);
		if (apply_run_step(&st, argv, opts ? opts->timeout_ms : 0) == 0) {
			strbuf_addf(&bld->detail, "built %s\n", plan->tables[i].new_ref);
			res->built = true;
			res->nbuilt++;
		} else {
			strbuf_reset(&bld->command);
			strbuf_add(&bld->command, st.command.buf, st.command.len);
			strbuf_add(&bld->detail, st.detail.buf, st.detail.len);
			strbuf_add(&bld->output, st.output.buf, st.output.len);
			bld->status = st.status;
			res->nbuild_failed++;
			strbuf_addf(&res->failed, "%s%s", res->failed.len ? ", " : "",
				    plan->tables[i].new_ref);
			rc = 1;
		}
		strbuf_fini(&st.detail);
		strbuf_fini(&st.command);
		strbuf_fini(&st.output);
		if (rc)
			break;
	}
	res->steps[1].state = rc ? APPLY_FAILED : APPLY_OK;
	if (rc != 0) {
		strbuf_addstr(note, "nothing else done: main.cf and master.cf unchanged\n");
		remove_created(plan, created, note);
		free(created);
		return 1;
	}
	/* 2. main.cf and master.cf */
	for (i = 0; i < plan->nlines; i++) {
		size_t k;

		for (k = 0; k < nf; k++)
			if (strcmp(files[k], plan->lines[i].file) == 0)
				break;
		if (k == nf && nf < 2)
			files[nf++] = plan->lines[i].file;
	}
	for (i = 0; i < nf; i++) {
		if (rewrite(files[i], plan, &sv[nsv], note) < 0) {
			free(sv[nsv].file);
			free(sv[nsv].text);
			sv[nsv].file = NULL;
			sv[nsv].text = NULL;
			goto undo;
		}
		nsv++;
	}
	/* 3. postfix check, then reload when Postfix runs (the tables' own
	 * problems are check's business, not a reason to keep Berkeley DB) */
	rc = postfix_steps(dir, opts, res);
	if (rc != 0)
		goto undo;
	/* 4. the old indexes: only after a successful reload, only when asked */
	for (i = 0; i < plan->ntables; i++) {
		const char *old = plan->tables[i].old_index;

		if (access(old, F_OK) < 0)
			continue;
		if (!res->reloaded)
			strbuf_addf(note, "kept %s: Postfix was not reloaded\n", old);
		else if (!(flags & MIGRATE_REMOVE_OLD))
			strbuf_addf(note, "kept %s (remove it with --remove-old, or by hand)\n", old);
		else if (unlink(old) == 0)
			strbuf_addf(note, "removed %s\n", old);
		else
			strbuf_addf(note, "could not remove %s: %s\n", old, strerror(errno));
	}
	/* 5. the audit line (syslog), and in a git work tree one commit of
	 * main.cf/master.cf (never the indexes) with it as the message */
	{
		struct apply_opts ao;
		char action[64];

		memset(&ao, 0, sizeof(ao));
		if (opts)
			ao = *opts;
		snprintf(action, sizeof(action), "migrate=%s->%s", plan->from, plan->to);
		ao.action = action;
		/* what went live: the files written (the tables hold the entries
		 * the old indexes held) */
		for (i = 0; i < nf; i++) {
			const char *base = strrchr(files[i], '/');

			strbuf_addf(&res->applied, "%s%s", res->applied.len ? ", " : "",
				    base ? base + 1 : files[i]);
		}
		apply_audit(dir, &ao, res);
		vcs_commit(dir, files, nf, res->audit.buf, &res->vcs);
	}
	for (i = 0; i < nsv; i++) {
		free(sv[i].file);
		free(sv[i].text);
	}
	free(created);
	return 0;
undo:
	for (i = 0; i < nsv; i++) {
		restore(&sv[i], note);
		free(sv[i].file);
		free(sv[i].text);
	}
	remove_created(plan, created, note);
	free(created);
	strbuf_addstr(note, "the old indexes are untouched\n");
	return rc < 0 ? -1 : 1;
}
