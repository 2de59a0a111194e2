/*
 * core/build.c - validate, then drive a maps/ builder and commit
 * atomically (see build.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/build.h"
#include "core/check.h"
#include "core/maincf.h"
#include "core/kvparse.h"

struct put_ctx {
	const struct map_ops *ops;
	struct map_builder *b;
	const char *file;
	unsigned flags;
	struct diag_list *dl;
	struct build_stats *st;
	struct map_error *err;
	int failed;                 /* build_put failed: err is filled */
};

/* valid_utf8 - S is well-formed UTF-8 (no overlongs, surrogates, > U+10FFFF) */
static bool
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k, len;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
		    || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += len;
	}
	return true;
}

/* is_ascii - no byte >= 0x80 (the common case, checked fast) */
static bool
is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

static int
put_entry(void *ctx, const struct kv_entry *e)
{
	struct put_ctx *pc = ctx;
	int r;

	/* postmap with smtputf8_enable=yes (the default) skips such lines */
	if ((!is_ascii(e->key, e->klen) && !valid_utf8((const unsigned char *)e->key, e->klen))
	    || (!is_ascii(e->val, e->vlen) && !valid_utf8((const unsigned char *)e->val, e->vlen))) {
		if (diag_add_sev(pc->dl, DIAG_WARNING, DIAG_SYNTAX, pc->file, e->line, 1,
				 "non-UTF-8 input: postmap ignores this line, and so does this build "
				 "(write it in UTF-8)") < 0) {
			pc->failed = 1;
			map_error_set(pc->err, ENOMEM, "%s", strerror(ENOMEM));
			return 1;
		}
		return 0;
	}

	r = map_build_put(pc->ops, pc->b, e->key, e->klen, e->val, e->vlen,
			  !(pc->flags & BUILD_NOFOLD), pc->err);
	if (r < 0) {
		pc->failed = 1;
		return 1;
	}
	if (r == 1) {
		pc->st->duplicates++;
		if (!(pc->flags & BUILD_NO_DUP_WARN)
		    && diag_add(pc->dl, DIAG_DUPLICATE_KEY, pc->file, e->line, 1,
				"duplicate entry \"%.*s\": Postfix uses the first entry for this key "
				"and ignores this one (remove one of them)",
				(int)(e->klen > 200 ? 200 : e->klen), e->key) < 0) {
			pc->failed = 1;
			map_error_set(pc->err, ENOMEM, "%s", strerror(ENOMEM));
			return 1;
		}
		return 0;
	}
	pc->st->entries++;
	return 0;
}

/* errors_for - number of error diagnostics located in FILE */
static size_t
errors_for(const struct diag_list *dl, const char *file, size_t from)
{
	size_t i, n = 0;

	for (i = from; i < dl->n; i++)
		if (dl->v[i].severity == DIAG_ERROR && dl->v[i].file && strcmp(dl->v[i].file, file) == 0)
			n++;
	return n;
}

/* build_one - build TYPE:PATH */
int
build_one(const char *type, const char *path, unsigned flags, struct diag_list *dl,
	  struct build_stats *st, struct map_error *err)
{
	const struct map_ops *ops = map_find_type(type);
	struct build_stats scratch;
	struct put_ctx pc;
	size_t before = dl->n;
	int r;

	if (st == NULL)
		st = &scratch;
	memset(st, 0, sizeof(*st));
	if (ops == NULL)
		return map_error_set(err, 0, "unsupported dictionary type: %s", type);
	if (!(ops->flags & MAP_INDEXED) || ops->build_begin == NULL)
		return map_error_set(err, 0, "unsupported dictionary type: %s does not support "
				     "bulk-mode creation", type);
	memset(&pc, 0, sizeof(pc));
	pc.ops = ops;
	pc.file = path;
	pc.flags = flags;
	pc.dl = dl;
	pc.st = st;
	pc.err = err;
	if ((pc.b = ops->build_begin(ops, path, err)) == NULL)
		return -1;
	{
		struct stat sst;

		/* about 1 entry per 24 source bytes: a size hint, not a limit */
		map_build_hint(ops, pc.b, stat(path, &sst) == 0 ? (size_t)sst.st_size / 24 + 16 : 1024,
			       (flags & BUILD_UNIQUE) != 0);
	}
	r = kvparse_file(path, put_entry, &pc, dl);
	if (r != 0 || pc.failed) {
		int e = errno;

		ops->build_abort(pc.b);
		if (!pc.failed)
			map_error_set(err, e, "open %s: %s", path, strerror(e));
		return -1;
	}
	if (errors_for(dl, path, before) > 0) {
		ops->build_abort(pc.b);
		return 0;
	}
	if (ops->build_commit(pc.b, err) < 0)
		return -1;
	return 1;
}

void
build_job_init(struct build_job *job, unsigned flags)
{
	memset(job, 0, sizeof(*job));
	diag_list_init(&job->diags);
	job->flags = flags;
}

void
build_job_fini(struct build_job *job)
{
	size_t i;

	for (i = 0; i < job->n; i++) {
		free(job->v[i].type);
		free(job->v[i].path);
		free(job->v[i].index);
		free(job->v[i].error);
	}
	free(job->v);
	diag_list_fini(&job->diags);
	memset(job, 0, sizeof(*job));
}

/* build_job_add - add TYPE:PATH (copied); 0 or -1 */
static int
build_job_add(struct build_job *job, const char *type, size_t tlen, const char *path)
{
	struct build_target *t;
	const struct map_ops *ops;
	size_t i;

	for (i = 0; i < job->n; i++)
		if (strlen(job->v[i].type) == tlen && strncmp(job->v[i].type, type, tlen) == 0
		    && strcmp(job->v[i].path, path) == 0)
			return 0;
	if (job->n == job->cap) {
		size_t nc = job->cap ? job->cap * 2 : 8;
		struct build_target *nv = realloc(job->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		job->v = nv;
		job->cap = nc;
	}
	t = &job->v[job->n];
	memset(t, 0, sizeof(*t));
	if ((t->type = strndup(type, tlen)) == NULL || (t->path = strdup(path)) == NULL) {
		free(t->type);
		free(t->path);
		return -1;
	}
	ops = map_find_type(t->type);
	t->index = map_index_path(ops, t->path);
	job->n++;
	return 0;
}

/* build_job_add_ref - add "TYPE:PATH" */
int
build_job_add_ref(struct build_job *job, const char *ref)
{
	const char *colon = strchr(ref, ':');
	const struct map_ops *ops;
	char *type;

	if (colon == NULL || colon == ref || colon[1] == 0)
		return diag_add(&job->diags, DIAG_BAD_REFERENCE, ref, 0, 0,
				"expected TYPE:PATH (for example cdb:/etc/postfix/access)");
	if ((type = strndup(ref, (size_t)(colon - ref))) == NULL)
		return -1;
	ops = map_find_type(type);
	if (ops == NULL || !(ops->flags & MAP_INDEXED)) {
		int r = diag_add(&job->diags, DIAG_BAD_REFERENCE, colon + 1, 0, 0,
				 ops ? "%s: tables are read from their source and have no index to build "
				       "(postmap: %s does not support bulk-mode creation)"
				     : "unsupported table type '%s' (%s)",
				 type, ops ? type : "postmap -m / postconf -m lists the supported types");
		free(type);
		return r;
	}
	free(type);
	return build_job_add(job, ref, (size_t)(colon - ref), colon + 1);
}

/* validate - every unchecked target's source, by role, into job->diags */
static int
validate(struct build_job *job)
{
	struct maincf *cf = NULL;
	size_t i;
	int ret = 0;

	for (i = 0; i < job->n && ret == 0; i++) {
		struct build_target *t = &job->v[i];
		enum maincf_role role;
		size_t k;

		if (t->checked)
			continue;
		if (cf == NULL) {
			/* main.cf's own problems are check's business, not build's */
			struct diag_list ignore;

			diag_list_init(&ignore);
			if (job->dir == NULL || maincf_load(&cf, job->dir, &ignore) < 0)
				cf = maincf_new_empty(job->dir);
			diag_list_fini(&ignore);
			if (cf == NULL)
				return -1;
		}
		/* the same source as an earlier target: checked once */
		for (k = 0; k < i; k++)
			if (strcmp(job->v[k].path, t->path) == 0)
				break;
		t->checked = true;
		if (k < i)
			continue;
		role = check_guess_role(cf, t->path, NULL);
		if (check_table(t->type, t->path, role, cf, &job->diags, NULL) < 0) {
			if (errno == ENOMEM)
				ret = -1;
			else if (diag_add(&job->diags, DIAG_MISSING_MAP, t->path, 0, 0,
					  "cannot read the source of %s:%s: %s; nothing can be built from it",
					  t->type, t->path, strerror(errno)) < 0)
				ret = -1;
		}
	}
	maincf_free(cf);
	return ret;
}

/* build_job_run - validate all, then build all */
int
build_job_run(struct build_job *job)
{
	struct diag_list scratch;
	struct map_error err;
	size_t i;
	int ret = 0;

	if (validate(job) < 0)
		return -1;
	if (diag_count(&job->diags, DIAG_ERROR) > 0) {
		for (i = 0; i < job->n; i++)
			job->v[i].state = BUILD_SKIPPED;
		return 1;
	}
	diag_list_init(&scratch);
	for (i = 0; i < job->n; i++) {
		struct build_target *t = &job->v[i];
		size_t before = scratch.n, k;
		unsigned flags = job->flags | BUILD_NO_DUP_WARN;  /* check reported them */

		/* check found no duplicate key in this source: no second search */
		for (k = 0; k < job->diags.n; k++)
			if (job->diags.v[k].code == DIAG_DUPLICATE_KEY
			    && strcmp(job->diags.v[k].file, t->path) == 0)
				break;
		if (k == job->diags.n)
			flags |= BUILD_UNIQUE;
		int r;

		r = build_one(t->type, t->path, flags, &scratch, &t->stats, &err);
		/* syntax problems were reported by validate(); keep the rest */
		for (k = before; k < scratch.n; k++) {
			struct diag *d = &scratch.v[k];

			if (d->code == DIAG_SYNTAX && strncmp(d->message, "non-UTF-8", 9) != 0)
				continue;
			if (diag_add_sev(&job->diags, d->severity, d->code, d->file, d->line, d->col,
					 "%s", d->message) < 0) {
				diag_list_fini(&scratch);
				return -1;
			}
		}
		if (r == 1) {
			t->state = BUILD_DONE;
		} else if (r == 0) {
			t->state = BUILD_SKIPPED;
			if (ret == 0)
				ret = 1;
		} else {
			t->state = BUILD_FAILED;
			t->error = strdup(err.text);
			ret = 2;
		}
	}
	diag_list_fini(&scratch);
	return ret;
}
