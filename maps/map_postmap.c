/*
 * maps/map_postmap.c - indexed types we do not read natively (btree, lmdb,
 * dbm, sdbm), through the real postmap(1).
 *
 * Lookups run "postmap -q KEY TYPE:NAME" (keys already folded by
 * map_lookup, so -f is passed); exit 0 found, 1 with a "fatal:" on stderr
 * is an error, 1 otherwise not found.  Building writes the (folded) entries
 * as postmap source into a private temporary directory next to the target
 * (atomic.h), runs "postmap -f TYPE:TMPDIR/BASE" there and renames the
 * result over the target.  postmap reads its configuration from
 * $MAIL_CONFIG (the caller sets it for -c DIR).  Duplicates are found here
 * (first wins) so that build_put can report them.
 * Exports map_postmap_find() only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps/atomic.h"
#include "maps/map_int.h"
#include "util/runcmd.h"

struct pm_map {
	struct map m;               /* first */
	char *type;
	struct strbuf out;
};

struct map_builder {
	const struct map_ops *ops;
	struct atomic_file af;
	char *src;                  /* the temporary source text */
	FILE *fp;
	struct keyset ks;
};

static char postmap_prog[PATH_MAX] = "/usr/sbin/postmap";

void
map_postmap_set_program(const char *path)
{
	if (path && path[0] == '/' && strlen(path) < sizeof(postmap_prog))
		memcpy(postmap_prog, path, strlen(path) + 1);
}

/* run - run postmap with ARGV[1..] (util/runcmd: the absolute path set by
 * map_postmap_set_program, clean environment but for MAIL_CONFIG), stdout
 * into OUT, stderr into ERRB; exit status, or -1 when it could not run or
 * was killed */
static int
run(char *argv[], struct strbuf *out, struct strbuf *errb, int timeout_ms)
{
	struct runcmd_result r;
	struct runcmd_opts o = { .flags = RUNCMD_SPLIT, .timeout_ms = timeout_ms };
	const char *env[2] = { NULL, NULL }, *mc = getenv("MAIL_CONFIG");
	char prog[PATH_MAX], why[256], *envbuf = NULL;
	int st;

	snprintf(prog, sizeof(prog), "%s", postmap_prog);
	if (mc != NULL) {
		size_t n = strlen(mc) + sizeof("MAIL_CONFIG=");

		if ((envbuf = malloc(n)) == NULL)
			return -1;
		snprintf(envbuf, n, "MAIL_CONFIG=%s", mc);
		env[0] = envbuf;
	}
	o.env = env;
	argv[0] = prog;
	runcmd_result_init(&r);
	if (runcmd_exec((const char *const *)argv, &o, &r, why, sizeof(why)) < 0) {
		strbuf_addstr(errb, why);
		st = -1;
	} else {
		strbuf_add(out, r.output.buf, r.output.len);
		strbuf_add(errb, r.errout.buf, r.errout.len);
		st = r.timed_out || r.status < 0 || r.status >= 128 ? -1 : r.status;
	}
	runcmd_result_fini(&r);
	free(envbuf);
	argv[0] = NULL;
	return st;
}

/* first_line - the first line of B, for error texts */
static const char *
first_line(struct strbuf *b)
{
	char *nl;

	if (b->buf == NULL)
		return "";
	if ((nl = strchr(b->buf, '\n')) != NULL)
		*nl = 0;
	return b->buf;
}

static struct map *
pm_open(const struct map_ops *ops, const char *name, const struct map_rule *rules,
	size_t nrules, unsigned open_flags, struct map_error *err)
{
	struct pm_map *pm;
	char *path;

	(void)rules;
	(void)nrules;
	(void)open_flags;
	if ((path = map_index_path(ops, name)) == NULL) {
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	if (access(path, R_OK) < 0) {
		map_error_set(err, errno, "open database %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	free(path);
	if ((pm = calloc(1, sizeof(*pm))) == NULL
	    || (pm->m.name = map_strndup(name, strlen(name))) == NULL
	    || (pm->type = map_strndup(ops->type, strlen(ops->type))) == NULL) {
		if (pm) {
			free(pm->m.name);
			free(pm);
		}
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	return &pm->m;
}

static int
pm_lookup(struct map *m, const char *key, size_t klen, struct map_hit *hit, struct map_error *err)
{
	struct pm_map *pm = (struct pm_map *)m;
	struct strbuf errb = { 0 };
	char *k = map_strndup(key, klen);
	size_t tlen = strlen(pm->type) + strlen(m->name) + 2;
	char *tn = malloc(tlen);
	char *argv[6];
	int st, ret;

	if (k == NULL || tn == NULL) {
		free(k);
		free(tn);
		return map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
	}
	snprintf(tn, tlen, "%s:%s", pm->type, m->name);
	argv[1] = (char *)"-f";
	argv[2] = (char *)"-q";
	argv[3] = k;
	argv[4] = tn;
	argv[5] = NULL;
	pm->out.len = 0;
	st = run(argv, &pm->out, &errb, 60000);
	if (st == 0) {
		if (pm->out.len && pm->out.buf[pm->out.len - 1] == '\n')
			pm->out.buf[--pm->out.len] = 0;
		if (pm->out.buf == NULL)
			strbuf_add(&pm->out, "", 0);
		hit->val = pm->out.buf;
		hit->vlen = pm->out.len;
		ret = 1;
	} else if (st == 1 && (errb.buf == NULL || strstr(errb.buf, "fatal:") == NULL)) {
		ret = 0;
	} else {
		ret = map_error_set(err, 0, "postmap -q %s: %s", tn,
				    st < 0 && errb.len == 0 ? "cannot run postmap" : first_line(&errb));
	}
	strbuf_fini(&errb);
	free(k);
	free(tn);
	return ret;
}

static void
pm_close(struct map *m)
{
	struct pm_map *pm = (struct pm_map *)m;

	strbuf_fini(&pm->out);
	free(pm->type);
	free(m->name);
	free(pm);
}

static struct map_builder *
pm_build_begin(const struct map_ops *ops, const char *name, struct map_error *err)
{
	struct map_builder *b;
	char *path;
	size_t n;

	if ((path = map_index_path(ops, name)) == NULL || (b = calloc(1, sizeof(*b))) == NULL) {
		free(path);
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	b->ops = ops;
	if (atomic_begin(&b->af, path, name, ATOMIC_PRIVATE_DIR, err) < 0) {
		free(path);
		free(b);
		return NULL;
	}
	free(path);
	n = strlen(b->af.tmp) - strlen(ops->suffix);
	if ((b->src = map_strndup(b->af.tmp, n)) == NULL) {
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		goto fail;
	}
	if ((b->fp = fopen(b->src, "wx")) == NULL) {
		map_error_set(err, errno, "create %s: %s", b->src, strerror(errno));
		goto fail;
	}
	return b;
fail:
	atomic_abort(&b->af);
	free(b->src);
	free(b);
	return NULL;
}

static int
pm_build_put(struct map_builder *b, const char *key, size_t klen, const char *val,
	     size_t vlen, struct map_error *err)
{
	int r;

	if ((r = keyset_add(&b->ks, key, klen)) != 0)
		return r > 0 ? 1 : map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
	if (fwrite(key, 1, klen, b->fp) != klen || fputc(' ', b->fp) == EOF
	    || fwrite(val, 1, vlen, b->fp) != vlen || fputc('\n', b->fp) == EOF)
		return map_error_set(err, errno, "write %s: %s", b->src, strerror(errno));
	return 0;
}

static void
pm_build_abort(struct map_builder *b)
{
	if (b == NULL)
		return;
	if (b->fp)
		fclose(b->fp);
	unlink(b->src);
	atomic_abort(&b->af);
	keyset_fini(&b->ks);
	free(b->src);
	free(b);
}

static int
pm_build_commit(struct map_builder *b, struct map_error *err)
{
	struct strbuf out = { 0 }, errb = { 0 };
	size_t tlen = strlen(b->ops->type) + strlen(b->src) + 2;
	char *tn = malloc(tlen);
	char *argv[4];
	int st, r;

	if (tn == NULL) {
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		pm_build_abort(b);
		return -1;
	}
	r = fclose(b->fp);
	b->fp = NULL;
	if (r != 0) {
		map_error_set(err, errno, "write %s: %s", b->src, strerror(errno));
		free(tn);
		pm_build_abort(b);
		return -1;
	}
	snprintf(tn, tlen, "%s:%s", b->ops->type, b->src);
	argv[1] = (char *)"-f";
	argv[2] = tn;
	argv[3] = NULL;
	st = run(argv, &out, &errb, 3600 * 1000);
	if (st != 0) {
		map_error_set(err, 0, "postmap %s: %s", tn,
			      st < 0 && errb.len == 0 ? "cannot run postmap" : first_line(&errb));
		strbuf_fini(&out);
		strbuf_fini(&errb);
		free(tn);
		pm_build_abort(b);
		return -1;
	}
	strbuf_fini(&out);
	strbuf_fini(&errb);
	free(tn);
	unlink(b->src);
	r = atomic_commit(&b->af, err);
	keyset_fini(&b->ks);
	free(b->src);
	free(b);
	return r;
}

static void
pm_build_hint(struct map_builder *b, size_t nentries, bool unique)
{
	if (!unique)
		keyset_presize(&b->ks, nentries);
}

#define PM_OPS(t, s) { .type = t, .suffix = s, .flags = MAP_INDEXED | MAP_FOLD_KEYS, \
	.open = pm_open, .lookup = pm_lookup, .close = pm_close, \
	.build_begin = pm_build_begin, .build_put = pm_build_put, \
	.build_commit = pm_build_commit, .build_abort = pm_build_abort, \
	.build_hint = pm_build_hint }

static const struct map_ops pm_ops[] = {
	PM_OPS("btree", ".db"),
	PM_OPS("lmdb", ".lmdb"),
	PM_OPS("sdbm", ".dir"),
	PM_OPS("dbm", ".dir"),
};

/* map_postmap_find - ops for TYPE when postmap handles it */
const struct map_ops *
map_postmap_find(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(pm_ops) / sizeof(pm_ops[0]); i++)
		if (strcmp(pm_ops[i].type, type) == 0)
			return &pm_ops[i];
	return NULL;
}
