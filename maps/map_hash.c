/*
 * maps/map_hash.c - hash: tables, Berkeley DB DB_HASH (what Debian's
 * Postfix uses), read and built.
 *
 * Conventions as Postfix's dict_db.c on Linux: keys and values are written
 * with a trailing NUL; readers try key+NUL first, then the bare key, and
 * remember which worked.  h_nelem is 4096 (DICT_DB_NELM).  Lookups hold a
 * shared flock, as Postfix daemons do, so a table postmap rewrites in place
 * is never read half-written.  Building: Berkeley DB will not open an
 * existing empty file, so it creates its file inside a private temporary
 * directory next to the target (atomic.h), which is then renamed over the
 * target.  Duplicates: DB_NOOVERWRITE, the first wins, build_put returns 1.
 * Exports map_hash_ops only.
 */
#include "config.h"

#include <db.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "maps/atomic.h"
#include "maps/map_int.h"

#define HASH_NELEM 4096
#define HASH_FFACTOR 128         /* ~ (4096 - 32) / (average record + 8) for access tables */
#define HASH_BUILD_CACHE (16u * 1024 * 1024)   /* postmap's; raised by build_hint */
#define HASH_MAX_CACHE (256u * 1024 * 1024)

struct hash_map {
	struct map m;               /* first */
	DB *db;
	int fd;
	int try_nul;                /* 1 key+NUL worked, 0 bare worked, -1 unknown */
	struct mbuf key;
	struct mbuf val;
};

struct map_builder {
	struct atomic_file af;
	DB *db;
	bool opened;                /* db->open done (lazily: build_hint may size it first) */
	struct mbuf key;
	struct mbuf val;
};

/* quiet - Berkeley DB prints its own messages on stderr unless told not
 * to; our callers get the reason through struct map_error instead */
static void
quiet(const DB_ENV *env, const char *pfx, const char *msg)
{
	(void)env;
	(void)pfx;
	(void)msg;
}

static struct map *
hash_open(const struct map_ops *ops, const char *name, const struct map_rule *rules,
	  size_t nrules, unsigned open_flags, struct map_error *err)
{
	struct hash_map *hm;
	char *path;
	int r;

	(void)rules;
	(void)nrules;
	(void)open_flags;
	if ((path = map_index_path(ops, name)) == NULL || (hm = calloc(1, sizeof(*hm))) == NULL) {
		free(path);
		map_error_set(err, ENOMEM, "%s: %s", name, strerror(ENOMEM));
		return NULL;
	}
	hm->try_nul = -1;
	hm->fd = -1;
	if ((r = db_create(&hm->db, NULL, 0)) != 0) {
		map_error_set(err, r > 0 ? r : EINVAL, "db_create: %s", db_strerror(r));
		goto fail;
	}
	hm->db->set_errcall(hm->db, quiet);
	if ((r = hm->db->open(hm->db, NULL, path, NULL, DB_HASH, DB_RDONLY, 0)) != 0) {
		map_error_set(err, r > 0 ? r : EINVAL, "open database %s: %s", path,
			      r > 0 ? strerror(r) : db_strerror(r));
		hm->db->close(hm->db, 0);
		goto fail;
	}
	if (hm->db->fd(hm->db, &hm->fd) != 0)
		hm->fd = -1;
	hm->m.name = path;
	return &hm->m;
fail:
	free(path);
	free(hm);
	return NULL;
}

/* try_get - 1 found, 0 not, -1 error */
static int
try_get(struct hash_map *hm, const char *k, size_t n, struct map_hit *hit, struct map_error *err)
{
	DBT key, val;
	int r;

	memset(&key, 0, sizeof(key));
	memset(&val, 0, sizeof(val));
	key.data = (void *)k;
	key.size = (u_int32_t)n;
	r = hm->db->get(hm->db, NULL, &key, &val, 0);
	if (r == DB_NOTFOUND || r == DB_KEYEMPTY)
		return 0;
	if (r != 0)
		return map_error_set(err, r > 0 ? r : EIO, "error reading %s: %s", hm->m.name, db_strerror(r));
	hm->val.len = 0;
	if (mbuf_add(&hm->val, val.data, val.size) < 0)
		return map_error_set(err, ENOMEM, "%s: %s", hm->m.name, strerror(ENOMEM));
	hit->val = hm->val.p;
	hit->vlen = strnlen(hm->val.p, val.size);
	return 1;
}

static int
hash_lookup(struct map *m, const char *key, size_t klen, struct map_hit *hit, struct map_error *err)
{
	struct hash_map *hm = (struct hash_map *)m;
	int r = 0;

	if (klen >= UINT32_MAX)
		return 0;
	if (hm->fd >= 0 && flock(hm->fd, LOCK_SH) < 0)
		return map_error_set(err, errno, "lock %s: %s", m->name, strerror(errno));
	if (hm->try_nul != 0) {
		hm->key.len = 0;
		if (mbuf_add(&hm->key, key, klen) < 0 || mbuf_add(&hm->key, "", 1) < 0)
			r = map_error_set(err, ENOMEM, "%s: %s", m->name, strerror(ENOMEM));
		else if ((r = try_get(hm, hm->key.p, klen + 1, hit, err)) > 0)
			hm->try_nul = 1;
	}
	if (r == 0 && hm->try_nul != 1) {
		if ((r = try_get(hm, key, klen, hit, err)) > 0)
			hm->try_nul = 0;
	}
	if (hm->fd >= 0)
		flock(hm->fd, LOCK_UN);
	return r;
}

static void
hash_close(struct map *m)
{
	struct hash_map *hm = (struct hash_map *)m;

	hm->db->close(hm->db, 0);
	mbuf_fini(&hm->key);
	mbuf_fini(&hm->val);
	free(m->name);
	free(hm);
}

static struct map_builder *
hash_build_begin(const struct map_ops *ops, const char *name, struct map_error *err)
{
	struct map_builder *b;
	char *path;
	int r;

	if ((path = map_index_path(ops, name)) == NULL || (b = calloc(1, sizeof(*b))) == NULL) {
		free(path);
		map_error_set(err, ENOMEM, "%s: %s", name, strerror(ENOMEM));
		return NULL;
	}
	if (atomic_begin(&b->af, path, name, ATOMIC_PRIVATE_DIR, err) < 0) {
		free(path);
		free(b);
		return NULL;
	}
	free(path);
	if ((r = db_create(&b->db, NULL, 0)) != 0) {
		map_error_set(err, r > 0 ? r : EINVAL, "db_create: %s", db_strerror(r));
		b->db = NULL;
		goto fail;
	}
	b->db->set_errcall(b->db, quiet);
	if ((r = b->db->set_cachesize(b->db, 0, HASH_BUILD_CACHE, 0)) != 0
	    || (r = b->db->set_h_nelem(b->db, HASH_NELEM)) != 0) {
		map_error_set(err, r > 0 ? r : EINVAL, "configure %s: %s", b->af.tmp, db_strerror(r));
		goto fail;
	}
	return b;
fail:
	if (b->db)
		b->db->close(b->db, 0);
	atomic_abort(&b->af);
	free(b);
	return NULL;
}

/* open_db - create the database file, once */
static int
open_db(struct map_builder *b, struct map_error *err)
{
	int r;

	if (b->opened)
		return 0;
	if ((r = b->db->open(b->db, NULL, b->af.tmp, NULL, DB_HASH, DB_CREATE | DB_EXCL, 0600)) != 0)
		return map_error_set(err, r > 0 ? r : EINVAL, "create database %s: %s", b->af.tmp,
				     db_strerror(r));
	b->opened = true;
	return 0;
}

/* hash_build_hint - size the table for NENTRIES.  Postfix sets h_nelem
 * alone, which Berkeley DB ignores without a fill factor: the table then
 * starts with 2 buckets and splits all the way up.  With both set it is
 * created at its final size; the file format is the same. */
static void
hash_build_hint(struct map_builder *b, size_t nentries, bool unique)
{
	(void)unique;
	size_t cache;

	if (b->opened || nentries < HASH_NELEM)
		return;
	if (nentries > UINT32_MAX / 2)
		nentries = UINT32_MAX / 2;
	/* random inserts stay fast only while the whole file fits the cache:
	 * about 48 bytes per entry at this fill factor */
	cache = nentries * 48;
	if (cache > HASH_BUILD_CACHE)
		b->db->set_cachesize(b->db, 0, (u_int32_t)(cache > HASH_MAX_CACHE ? HASH_MAX_CACHE : cache), 0);
	b->db->set_h_ffactor(b->db, HASH_FFACTOR);
	b->db->set_h_nelem(b->db, (u_int32_t)nentries);
}

static int
hash_build_put(struct map_builder *b, const char *key, size_t klen, const char *val,
	       size_t vlen, struct map_error *err)
{
	DBT k, v;
	int r;

	if (klen >= UINT32_MAX - 1 || vlen >= UINT32_MAX - 1)
		return map_error_set(err, EFBIG, "%s: record too large", b->af.target);
	if (!b->opened && open_db(b, err) < 0)
		return -1;
	b->key.len = 0;
	b->val.len = 0;
	/* mbuf_add keeps a NUL after the bytes: count it in */
	if (mbuf_add(&b->key, key, klen) < 0 || mbuf_add(&b->val, val, vlen) < 0)
		return map_error_set(err, ENOMEM, "%s: %s", b->af.target, strerror(ENOMEM));
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = b->key.p;
	k.size = (u_int32_t)klen + 1;
	v.data = b->val.p;
	v.size = (u_int32_t)vlen + 1;
	r = b->db->put(b->db, NULL, &k, &v, DB_NOOVERWRITE);
	if (r == DB_KEYEXIST)
		return 1;
	if (r != 0)
		return map_error_set(err, r > 0 ? r : EIO, "write %s: %s", b->af.tmp, db_strerror(r));
	return 0;
}

static void hash_build_abort(struct map_builder *b);

static void
builder_free(struct map_builder *b)
{
	mbuf_fini(&b->key);
	mbuf_fini(&b->val);
	free(b);
}

static int
hash_build_commit(struct map_builder *b, struct map_error *err)
{
	int r;

	if (!b->opened && open_db(b, err) < 0) {
		hash_build_abort(b);
		return -1;
	}
	r = b->db->close(b->db, 0);

	b->db = NULL;
	if (r != 0) {
		map_error_set(err, r > 0 ? r : EIO, "close %s: %s", b->af.tmp, db_strerror(r));
		atomic_abort(&b->af);
		builder_free(b);
		return -1;
	}
	r = atomic_commit(&b->af, err);
	builder_free(b);
	return r;
}

static void
hash_build_abort(struct map_builder *b)
{
	if (b == NULL)
		return;
	if (b->db)
		b->db->close(b->db, DB_NOSYNC);
	atomic_abort(&b->af);
	builder_free(b);
}

const struct map_ops map_hash_ops = {
	.type = "hash",
	.suffix = ".db",
	.flags = MAP_INDEXED | MAP_FOLD_KEYS,
	.open = hash_open,
	.lookup = hash_lookup,
	.close = hash_close,
	.build_begin = hash_build_begin,
	.build_put = hash_build_put,
	.build_commit = hash_build_commit,
	.build_abort = hash_build_abort,
	.build_hint = hash_build_hint,
};
