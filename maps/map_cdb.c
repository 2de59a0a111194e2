/*
 * maps/map_cdb.c - cdb: tables, read with tinycdb, built with cdb_make.
 *
 * Conventions as Postfix's dict_cdb.c with postmap's defaults: records are
 * written without a trailing NUL; readers try key+NUL first, then the bare
 * key, and remember which form worked.  Keys are folded by the caller
 * (map_build_put / map_lookup).  Duplicates: the first record wins and
 * build_put returns 1.  tinycdb's own CDB_PUT_INSERT scans a bucket list
 * per insert (quadratic on large tables), so duplicates are found here with
 * an in-memory hash set of the keys written so far.
 * Exports map_cdb_ops only.
 */
#include "config.h"

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps/atomic.h"
#include "maps/map_int.h"

struct cdb_map {
	struct map m;               /* first */
	int fd;
	struct cdb cdb;
	int try_nul;                /* 1: key+NUL worked, 0: bare worked, -1: unknown */
	struct mbuf key;
	struct mbuf val;
};

struct map_builder {
	struct atomic_file af;
	struct cdb_make cdbm;
	struct keyset ks;
	bool unique;                /* build_hint: no duplicates, skip ks */
};

static struct map *
cdb_open(const struct map_ops *ops, const char *name, const struct map_rule *rules,
	 size_t nrules, unsigned open_flags, struct map_error *err)
{
	struct cdb_map *cm;
	char *path;
	int e;

	(void)rules;
	(void)nrules;
	(void)open_flags;
	if ((path = map_index_path(ops, name)) == NULL) {
		map_error_set(err, ENOMEM, "%s: %s", name, strerror(ENOMEM));
		return NULL;
	}
	if ((cm = calloc(1, sizeof(*cm))) == NULL) {
		free(path);
		map_error_set(err, ENOMEM, "%s: %s", name, strerror(ENOMEM));
		return NULL;
	}
	cm->try_nul = -1;
	if ((cm->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		e = errno;
		map_error_set(err, e, "open database %s: %s", path, strerror(e));
		goto fail;
	}
	if (cdb_init(&cm->cdb, cm->fd) < 0) {
		e = errno ? errno : EINVAL;
		map_error_set(err, e, "dict_cdbq_open: unable to init %s: %s", path, strerror(e));
		close(cm->fd);
		goto fail;
	}
	cm->m.name = path;
	return &cm->m;
fail:
	free(path);
	free(cm);
	errno = e;
	return NULL;
}

/* try_find - 1 found (value copied), 0 not, -1 error */
static int
try_find(struct cdb_map *cm, const char *k, size_t n, struct map_hit *hit, struct map_error *err)
{
	int r = cdb_find(&cm->cdb, k, (unsigned)n);
	const char *v;
	unsigned vlen;

	if (r < 0)
		return map_error_set(err, errno ? errno : EINVAL, "error reading %s: %s", cm->m.name,
				     strerror(errno ? errno : EINVAL));
	if (r == 0)
		return 0;
	vlen = cdb_datalen(&cm->cdb);
	v = cdb_getdata(&cm->cdb);
	if (v == NULL)
		return map_error_set(err, EINVAL, "error reading %s: bad record", cm->m.name);
	cm->val.len = 0;
	if (mbuf_add(&cm->val, v, vlen) < 0)
		return map_error_set(err, ENOMEM, "%s: %s", cm->m.name, strerror(ENOMEM));
	/* a value written with -N ends in a NUL: the string ends there */
	hit->val = cm->val.p;
	hit->vlen = strnlen(cm->val.p, vlen);
	return 1;
}

static int
cdb_lookup(struct map *m, const char *key, size_t klen, struct map_hit *hit, struct map_error *err)
{
	struct cdb_map *cm = (struct cdb_map *)m;
	int r;

	if (klen >= UINT32_MAX)
		return 0;
	if (cm->try_nul != 0) {
		cm->key.len = 0;
		if (mbuf_add(&cm->key, key, klen) < 0 || mbuf_add(&cm->key, "", 1) < 0)
			return map_error_set(err, ENOMEM, "%s: %s", m->name, strerror(ENOMEM));
		if ((r = try_find(cm, cm->key.p, klen + 1, hit, err)) != 0) {
			if (r > 0)
				cm->try_nul = 1;
			return r;
		}
	}
	if (cm->try_nul != 1) {
		if ((r = try_find(cm, key, klen, hit, err)) != 0) {
			if (r > 0)
				cm->try_nul = 0;
			return r;
		}
	}
	return 0;
}

static void
cdb_close(struct map *m)
{
	struct cdb_map *cm = (struct cdb_map *)m;

	cdb_free(&cm->cdb);
	close(cm->fd);
	mbuf_fini(&cm->key);
	mbuf_fini(&cm->val);
	free(m->name);
	free(cm);
}

static struct map_builder *
cdb_build_begin(const struct map_ops *ops, const char *name, struct map_error *err)
{
	struct map_builder *b;
	char *path;

	if ((path = map_index_path(ops, name)) == NULL || (b = calloc(1, sizeof(*b))) == NULL) {
		free(path);
		map_error_set(err, ENOMEM, "%s: %s", name, strerror(ENOMEM));
		return NULL;
	}
	if (atomic_begin(&b->af, path, name, 0, err) < 0) {
		free(path);
		free(b);
		return NULL;
	}
	free(path);
	if (cdb_make_start(&b->cdbm, b->af.fd) < 0) {
		map_error_set(err, errno, "cdb_make_start %s: %s", b->af.tmp, strerror(errno));
		atomic_abort(&b->af);
		free(b);
		return NULL;
	}
	return b;
}

static int
cdb_build_put(struct map_builder *b, const char *key, size_t klen, const char *val,
	      size_t vlen, struct map_error *err)
{
	int r;

	if (klen >= UINT32_MAX / 2 || vlen >= UINT32_MAX / 2)
		return map_error_set(err, EFBIG, "%s: record too large", b->af.target);
	if (!b->unique && (r = keyset_add(&b->ks, key, klen)) != 0) {
		if (r > 0)
			return 1;
		return map_error_set(err, ENOMEM, "%s: %s", b->af.target, strerror(ENOMEM));
	}
	if (cdb_make_add(&b->cdbm, key, (unsigned)klen, val, (unsigned)vlen) < 0)
		return map_error_set(err, errno, "write %s: %s", b->af.tmp, strerror(errno));
	return 0;
}

static void
cdb_build_hint(struct map_builder *b, size_t nentries, bool unique)
{
	b->unique = unique;
	if (!unique)
		keyset_presize(&b->ks, nentries);
}

static void
builder_free(struct map_builder *b)
{
	keyset_fini(&b->ks);
	free(b);
}

static int
cdb_build_commit(struct map_builder *b, struct map_error *err)
{
	int r;

	keyset_fini(&b->ks);
	memset(&b->ks, 0, sizeof(b->ks));
	if (cdb_make_finish(&b->cdbm) < 0) {
		int e = errno;

		map_error_set(err, e, "write %s: %s", b->af.tmp, strerror(e));
		atomic_abort(&b->af);
		builder_free(b);
		errno = e;
		return -1;
	}
	r = atomic_commit(&b->af, err);
	builder_free(b);
	return r;
}

static void
cdb_build_abort(struct map_builder *b)
{
	if (b == NULL)
		return;
	/* tinycdb has no public way to drop a cdb_make: finishing frees it */
	cdb_make_finish(&b->cdbm);
	atomic_abort(&b->af);
	builder_free(b);
}

const struct map_ops map_cdb_ops = {
	.type = "cdb",
	.suffix = ".cdb",
	.flags = MAP_INDEXED | MAP_FOLD_KEYS,
	.open = cdb_open,
	.lookup = cdb_lookup,
	.close = cdb_close,
	.build_begin = cdb_build_begin,
	.build_put = cdb_build_put,
	.build_commit = cdb_build_commit,
	.build_abort = cdb_build_abort,
	.build_hint = cdb_build_hint,
};
