/*
 * core/build.c - validate, then drive a maps/ builder and commit
 * atomically (see build.h).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/build.h"
#include "core/check.h"
#include "core/maincf.h"
#include "core/kvparse.h"
#include "util/utf8.h"
#include "util/safeopen.h"

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

/* is_ascii - no byte >= 0x80 (the common case, checked 8 bytes at a time) */
static bool
is_ascii(const char *s, size_t n)
{
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= (unsigned char)s[i];
	return (acc & 0x8080808080808080ULL) == 0;
}

static int
put_entry(void *ctx, const struct kv_entry *e)
{
	struct put_ctx *pc = ctx;
	int r;

	/* postmap with smtputf8_enable=yes (the default) skips such lines */
	if ((!is_ascii(e->key, e->klen) && !utf8_valid(e->key, e->klen))
	    || (!is_ascii(e->val, e->vlen) && !utf8_valid(e->val, e->vlen))) {
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

/* build_fill - start building TYPE:PATH and put every entry; the builder
 * is left open in *B for build_one / build_job_run to commit or abort.
 * 1 filled, 0 DL got an error for PATH (aborted), -1 failure (ERR, aborted). */
static int
build_fill(const struct map_ops *ops, const char *type, const char *path, unsigned flags,
	   struct diag_list *dl, struct build_stats *st, struct map_builder **b,
	   struct map_error *err)
{
	struct put_ctx pc;
	struct stat sst;
	size_t before = dl->n;
	int r;

	*b = NULL;
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
	/* about 1 entry per 24 source bytes: a size hint, not a limit */
	map_build_hint(ops, pc.b, stat(path, &sst) == 0 ? (size_t)sst.st_size / 24 + 16 : 1024,
		       (flags & BUILD_UNIQUE) != 0);
	r = kvparse_file(path, put_entry, &pc, dl);
	if (r != 0 || pc.failed) {
		int e = errno;

		ops->build_abort(pc.b);
		if (!pc.failed)
			map_error_set(err, e, "open %s: %s", path, safeopen_strerror(e));
		return -1;
	}
	if (errors_for(dl, path, before) > 0) {
		ops->build_abort(pc.b);
		return 0;
	}
	*b = pc.b;
	return 1;
}

/* build_one - build TYPE:PATH */
int
build_one(const char *type, const char *path, unsigned flags, struct diag_list *dl,
	  struct build_stats *st, struct map_error *err)
{
	const struct map_ops *ops = map_find_type(type);
	struct build_stats scratch;
	struct map_builder *b;
	int r;

	r = build_fill(ops, type, path, flags, dl, st ? st : &scratch, &b, err);
	if (r <= 0)
		return r;
	if (ops->build_commit(b, err) < 0)
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

/* One source validated by core/check in a thread of its own while the
 * main thread writes the temporary index: the wall time is the longer of
 * the two instead of their sum.  Nothing is committed before both are done
 * and no error was found anywhere. */
struct check_job {
	const char *type, *path;
	enum maincf_role role;
	struct maincf *cf;
	struct diag_list dl;
	long r;
	int err;
	char why[160];      /* the reason for ERR, taken in the thread */
	pthread_t th;
	bool started;
};

static void *
check_thread(void *arg)
{
	struct check_job *cj = arg;

	cj->r = check_table(cj->type, cj->path, cj->role, cj->cf, &cj->dl, NULL);
	cj->err = errno;
	snprintf(cj->why, sizeof(cj->why), "%s", safeopen_strerror(cj->err));
	return NULL;
}

/* check_finish - join CJ and move its findings to the job; 0 or -1 */
static int
check_finish(struct build_job *job, struct check_job *cj)
{
	size_t k;
	int ret = 0;

	if (cj->started)
		pthread_join(cj->th, NULL);
	else
		check_thread(cj);
	for (k = 0; k < cj->dl.n && ret == 0; k++) {
		struct diag *d = &cj->dl.v[k];

		ret = diag_add_sev(&job->diags, d->severity, d->code, d->file, d->line, d->col, "%s",
				   d->message);
	}
	if (ret == 0 && cj->r < 0) {
		if (cj->err == ENOMEM)
			ret = -1;
		else
			ret = diag_add(&job->diags, DIAG_MISSING_MAP, cj->path, 0, 0,
				       "cannot read the source of %s:%s: %s; nothing can be built from it",
				       cj->type, cj->path, cj->why);
	}
	diag_list_fini(&cj->dl);
	return ret;
}

/* target_blocked - the findings in PATH keep it from being built: an
 * error, or (BUILD_STRICT) a warning */
static bool
target_blocked(const struct build_job *job, const char *path)
{
	size_t k;

	for (k = 0; k < job->diags.n; k++) {
		const struct diag *d = &job->diags.v[k];

		if (d->file == NULL || strcmp(d->file, path) != 0)
			continue;
		if (d->severity == DIAG_ERROR
		    || ((job->flags & BUILD_STRICT) && d->severity == DIAG_WARNING))
			return true;
	}
	return false;
}

/* has_dups - check reported a duplicate key in PATH */
static bool
has_dups(const struct build_job *job, const char *path)
{
	size_t k;

	for (k = 0; k < job->diags.n; k++)
		if (job->diags.v[k].code == DIAG_DUPLICATE_KEY && strcmp(job->diags.v[k].file, path) == 0)
			return true;
	return false;
}

/* build_job_run - validate (in parallel with writing), then commit all or nothing */
int
build_job_run(struct build_job *job)
{
	struct map_builder **pend;
	const struct map_ops **ops;
	bool *optimistic;
	struct diag_list scratch;
	struct maincf *cf = NULL;
	struct map_error err;
	size_t i, k;
	int ret = 0;

	if (job->n == 0)
		return diag_count(&job->diags, DIAG_ERROR) > 0 ? 1 : 0;
	pend = calloc(job->n, sizeof(*pend));
	ops = calloc(job->n, sizeof(*ops));
	optimistic = calloc(job->n, sizeof(*optimistic));
	if (pend == NULL || ops == NULL || optimistic == NULL) {
		free(pend);
		free(ops);
		free(optimistic);
		return -1;
	}
	{
		/* ICU's case map is set up once, before any thread uses it */
		char *x;
		size_t xl;

		if (map_fold("\xc3\x89", 2, &x, &xl) == 0)
			free(x);
	}
	diag_list_init(&scratch);
	for (i = 0; i < job->n && ret >= 0; i++) {
		struct build_target *t = &job->v[i];
		unsigned flags = job->flags | BUILD_NO_DUP_WARN;  /* check reports them */
		struct check_job cj;
		size_t before = scratch.n;
		int r;

		memset(&cj, 0, sizeof(cj));
		ops[i] = map_find_type(t->type);
		/* the same source as an earlier target: checked once */
		for (k = 0; k < i; k++)
			if (strcmp(job->v[k].path, t->path) == 0)
				t->checked = true;
		if (!t->checked) {
			if (cf == NULL) {
				/* main.cf's own problems are check's business, not build's */
				struct diag_list ignore;

				diag_list_init(&ignore);
				if (job->dir == NULL || maincf_load(&cf, job->dir, &ignore) < 0)
					cf = maincf_new_empty(job->dir);
				diag_list_fini(&ignore);
				if (cf == NULL) {
					ret = -1;
					break;
				}
			}
			cj.type = t->type;
			cj.path = t->path;
			cj.cf = cf;
			cj.role = check_guess_role(cf, t->path, NULL);
			diag_list_init(&cj.dl);
			cj.started = pthread_create(&cj.th, NULL, check_thread, &cj) == 0;
			optimistic[i] = true;
			flags |= BUILD_UNIQUE;
		} else if (!has_dups(job, t->path)) {
			flags |= BUILD_UNIQUE;
		}
		r = build_fill(ops[i], t->type, t->path, flags, &scratch, &t->stats, &pend[i], &err);
		/* finish and sync the index while the check may still be running:
		 * only the rename waits for its verdict */
		if (r == 1 && ops[i]->build_prepare != NULL
		    && ops[i]->build_prepare(pend[i], &err) < 0) {
			ops[i]->build_abort(pend[i]);
			pend[i] = NULL;
			r = -1;
		}
		if (!t->checked) {
			if (check_finish(job, &cj) < 0)
				ret = -1;
			t->checked = true;
			/* an unreadable source is already a missing-map error */
			if (r < 0 && cj.r < 0) {
				t->state = BUILD_SKIPPED;
				continue;
			}
		}
		/* syntax problems (non-UTF-8 lines included) are check's to report */
		for (k = before; k < scratch.n && ret >= 0; k++) {
			struct diag *d = &scratch.v[k];

			if (d->code == DIAG_SYNTAX)
				continue;
			if (diag_add_sev(&job->diags, d->severity, d->code, d->file, d->line, d->col,
					 "%s", d->message) < 0)
				ret = -1;
		}
		if (r < 0) {
			t->state = BUILD_FAILED;
			t->error = strdup(err.text);
			ret = ret < 0 ? ret : 2;
		} else if (r == 0) {
			t->state = BUILD_SKIPPED;
		}
	}
	if (ret == 0 && (diag_count(&job->diags, DIAG_ERROR) > 0
			 || ((job->flags & BUILD_STRICT) && diag_count(&job->diags, DIAG_WARNING) > 0)))
		ret = 1;
	for (i = 0; i < job->n; i++) {
		struct build_target *t = &job->v[i];

		if (pend[i] == NULL)
			continue;
		/* an error in one table never keeps the clean ones from being built */
		if (ret < 0 || target_blocked(job, t->path)) {
			ops[i]->build_abort(pend[i]);
			t->state = BUILD_SKIPPED;
			continue;
		}
		if (optimistic[i] && has_dups(job, t->path)) {
			/* written as if keys were unique, but they are not: write again
			 * with duplicate detection (readers would still get the first) */
			ops[i]->build_abort(pend[i]);
			k = (size_t)build_one(t->type, t->path, job->flags | BUILD_NO_DUP_WARN, &scratch,
					      &t->stats, &err);
			if (k == 1) {
				t->state = BUILD_DONE;
			} else {
				t->state = BUILD_FAILED;
				t->error = strdup(k == 0 ? "errors found on the second pass" : err.text);
				ret = 2;
			}
			continue;
		}
		if (ops[i]->build_commit(pend[i], &err) < 0) {
			t->state = BUILD_FAILED;
			t->error = strdup(err.text);
			ret = 2;
		} else {
			t->state = BUILD_DONE;
		}
	}
	diag_list_fini(&scratch);
	maincf_free(cf);
	free(pend);
	free(ops);
	free(optimistic);
	return ret;
}
