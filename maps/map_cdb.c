/*
 * maps/map_cdb.c - cdb: tables, read with tinycdb, written by our own writer
 * (cdbw below; tinycdb's cdb_make is not called).
 *
 * Conventions as Postfix's dict_cdb.c with postmap's defaults: records are
 * written without a trailing NUL; readers try key+NUL first, then the bare
 * key, and remember which form worked.  Keys are folded by the caller
 * (map_build_put / map_lookup).  Duplicates: the first record wins and
 * build_put returns 1.  tinycdb's own CDB_PUT_INSERT scans a bucket list
 * per insert (quadratic on large tables), so duplicates are found here with
 * an in-memory hash set of the keys written so far.
 * Writing: the same file tinycdb's cdb_make writes, byte for byte (records
 * in input order, 256 tables of twice their count, linear probing from
 * (hash >> 8) % len), but through a 1 MiB buffer instead of 4 KiB writes,
 * and with one flat array of (hash, position) instead of lists.
 * Exports map_cdb_ops only.
 */
#include "config.h"

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps/atomic.h"
#include "maps/map_int.h"
#include "util/safeopen.h"

struct cdb_map {
	struct map m;               /* first */
	int fd;
	struct cdb cdb;
	int try_nul;                /* 1: key+NUL worked, 0: bare worked, -1: unknown */
	struct strbuf key;
	struct strbuf val;
};

/* cdbw - a cdb writer (the format of cdb_make) */
struct cdbw_rec {
	uint32_t hash, pos;
};

struct cdbw {
	int fd;
	unsigned char *buf;         /* output buffer */
	size_t blen, bcap;
	uint64_t pos;               /* file offset of buf[blen] */
	struct cdbw_rec *rec;       /* every record, in input order */
	size_t n, cap;
};

struct map_builder {
	struct atomic_file af;
	struct cdbw cdbm;
	struct keyset ks;
	bool unique;                /* build_hint: no duplicates, skip ks */
	bool prepared;              /* build_prepare: tables written, data synced */
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
	{
		char why[600];

		if ((cm->fd = safeopen_read(path, SAFEOPEN_TABLE_MAX, NULL, why, sizeof(why))) < 0) {
			e = errno;
			map_error_set(err, e, "open database %s", why + (strncmp(why, "open ", 5) ? 0 : 5));
			goto fail;
		}
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
	if (strbuf_add(&cm->val, v, vlen) < 0)
		return map_error_set(err, ENOMEM, "%s: %s", cm->m.name, strerror(ENOMEM));
	/* a value written with -N ends in a NUL: the string ends there */
	hit->val = cm->val.buf;
	hit->vlen = strnlen(cm->val.buf, vlen);
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
		if (strbuf_add(&cm->key, key, klen) < 0 || strbuf_add(&cm->key, "", 1) < 0)
			return map_error_set(err, ENOMEM, "%s: %s", m->name, strerror(ENOMEM));
		if ((r = try_find(cm, cm->key.buf, klen + 1, hit, err)) != 0) {
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

/*
 * cdb_verify - everything tinycdb's cdb_find can touch is in place: the 256
 * tables inside the file after the records, every slot's record inside the
 * records (length words, key and value), and the key hashing to its table
 * and slot hash.  0, or -1 with ERR saying where.
 */
static int
cdb_verify(struct map *m, struct map_error *err)
{
	struct cdb_map *cm = (struct cdb_map *)m;
	const unsigned char *mem = cm->cdb.cdb_mem;
	unsigned fsize = cm->cdb.cdb_fsize, dend = cm->cdb.cdb_dend, t;

	if (mem == NULL || fsize < 2048)
		return map_error_set(err, EINVAL, "%s is damaged: shorter than its table index", m->name);
	for (t = 0; t < 256; t++) {
		uint32_t pos = cdb_unpack(mem + 8 * t), n = cdb_unpack(mem + 8 * t + 4), i;

		if (n == 0)
			continue;
		if (n > (fsize >> 3) || pos < dend || pos > fsize || n * 8 > fsize - pos)
			return map_error_set(err, EINVAL, "%s is damaged: hash table %u (at %u, %u "
					     "slots) is outside the file", m->name, t, pos, n);
		for (i = 0; i < n; i++) {
			const unsigned char *s = mem + pos + 8 * i;
			uint32_t h = cdb_unpack(s), rp = cdb_unpack(s + 4), kl, vl;

			if (rp == 0)
				continue;
			if (rp < 2048 || rp > dend - 8)
				return map_error_set(err, EINVAL, "%s is damaged: slot %u of table %u "
						     "points outside the records (%u)", m->name, i, t, rp);
			kl = cdb_unpack(mem + rp);
			vl = cdb_unpack(mem + rp + 4);
			if (kl > dend - rp - 8 || vl > dend - rp - 8 - kl)
				return map_error_set(err, EINVAL, "%s is damaged: the record at %u is "
						     "longer than the file", m->name, rp);
			if ((h & 255) != t || cdb_hash(mem + rp + 8, kl) != h)
				return map_error_set(err, EINVAL, "%s is damaged: the key of the record "
						     "at %u does not hash to its slot", m->name, rp);
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
	strbuf_fini(&cm->key);
	strbuf_fini(&cm->val);
	free(m->name);
	free(cm);
}

/* cdb_walk - every record in file order (tinycdb's sequential reader) */
static int
cdb_walk(struct map *m, map_walk_fn *fn, void *ctx, struct map_error *err)
{
	struct cdb_map *cm = (struct cdb_map *)m;
	unsigned pos;
	int r;

	cdb_seqinit(&pos, &cm->cdb);
	while ((r = cdb_seqnext(&pos, &cm->cdb)) > 0) {
		const char *k = cdb_getkey(&cm->cdb), *v = cdb_getdata(&cm->cdb);
		size_t kl = cdb_keylen(&cm->cdb), vl = cdb_datalen(&cm->cdb);

		if (k == NULL || v == NULL)
			return map_error_set(err, EINVAL, "error reading %s: bad record", m->name);
		if (kl && k[kl - 1] == '\0')
			kl--;
		if (fn(ctx, k, kl, v, strnlen(v, vl)))
			return 0;
	}
	if (r < 0)
		return map_error_set(err, errno ? errno : EINVAL, "error reading %s: %s", m->name,
				     strerror(errno ? errno : EINVAL));
	return 0;
}

#define CDBW_BUF (1u << 20)

static void
pack32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* full_write - all N bytes of P to FD; 0 or -1 (errno) */
static int
full_write(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
cdbw_flush(struct cdbw *w)
{
	if (full_write(w->fd, w->buf, w->blen) < 0)
		return -1;
	w->blen = 0;
	return 0;
}

/* cdbw_write - N bytes at the end of the file; 0 or -1 (errno) */
static int
cdbw_write(struct cdbw *w, const void *p, size_t n)
{
	if (w->pos + n > UINT32_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (w->blen + n > w->bcap) {
		if (cdbw_flush(w) < 0)
			return -1;
		if (n > w->bcap) {
			if (full_write(w->fd, p, n) < 0)
				return -1;
			w->pos += n;
			return 0;
		}
	}
	memcpy(w->buf + w->blen, p, n);
	w->blen += n;
	w->pos += n;
	return 0;
}

static int
cdbw_start(struct cdbw *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->bcap = CDBW_BUF;
	if ((w->buf = malloc(w->bcap)) == NULL)
		return -1;
	/* the header is written last, in place */
	memset(w->buf, 0, 2048);
	w->blen = 2048;
	w->pos = 2048;
	return 0;
}

static void
cdbw_free(struct cdbw *w)
{
	free(w->buf);
	free(w->rec);
	w->buf = NULL;
	w->rec = NULL;
}

/* cdbw_hint - room for about N records */
static void
cdbw_hint(struct cdbw *w, size_t n)
{
	struct cdbw_rec *r;

	if (n <= w->cap || n > SIZE_MAX / sizeof(*r))
		return;
	if ((r = realloc(w->rec, n * sizeof(*r))) != NULL) {
		w->rec = r;
		w->cap = n;
	}
}

/* cdbw_add - append a record; 0 or -1 (errno) */
static int
cdbw_add(struct cdbw *w, const char *key, size_t klen, const char *val, size_t vlen)
{
	unsigned char hdr[8];
	uint32_t pos = (uint32_t)w->pos;

	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 1024;
		struct cdbw_rec *r = realloc(w->rec, nc * sizeof(*r));

		if (r == NULL)
			return -1;
		w->rec = r;
		w->cap = nc;
	}
	pack32(hdr, (uint32_t)klen);
	pack32(hdr + 4, (uint32_t)vlen);
	if (w->pos + 8 + klen + vlen > UINT32_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (w->blen + 8 + klen + vlen <= w->bcap) {
		/* the common case: straight into the buffer */
		unsigned char *d = w->buf + w->blen;

		memcpy(d, hdr, 8);
		memcpy(d + 8, key, klen);
		memcpy(d + 8 + klen, val, vlen);
		w->blen += 8 + klen + vlen;
		w->pos += 8 + klen + vlen;
	} else if (cdbw_write(w, hdr, 8) < 0 || cdbw_write(w, key, klen) < 0
		   || cdbw_write(w, val, vlen) < 0) {
		return -1;
	}
	w->rec[w->n].hash = cdb_hash(key, (unsigned)klen);
	w->rec[w->n].pos = pos;
	w->n++;
	return 0;
}

/* cdbw_finish - the 256 tables and the header; 0 or -1 (errno).  Frees W. */
static int
cdbw_finish(struct cdbw *w)
{
	uint32_t cnt[256], start[256], hpos[256], hlen[256];
	struct cdbw_rec *sorted = NULL, *tab = NULL;
	size_t i, t, maxlen = 0;
	unsigned char hdr[2048];
	int ret = -1;

	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < w->n; i++)
		cnt[w->rec[i].hash & 255]++;
	for (t = 0, i = 0; t < 256; t++) {
		start[t] = (uint32_t)i;
		i += cnt[t];
		if ((size_t)cnt[t] * 2 > maxlen)
			maxlen = (size_t)cnt[t] * 2;
	}
	if (((UINT32_MAX - w->pos) >> 3) < w->n) {
		errno = ENOMEM;
		goto out;
	}
	if ((sorted = malloc((w->n ? w->n : 1) * sizeof(*sorted))) == NULL
	    || (tab = malloc((maxlen + 2) * sizeof(*tab))) == NULL)
		goto out;
	/* stable: each table gets its records in input order */
	{
		uint32_t fill[256];

		memcpy(fill, start, sizeof(fill));
		for (i = 0; i < w->n; i++)
			sorted[fill[w->rec[i].hash & 255]++] = w->rec[i];
	}
	for (t = 0; t < 256; t++) {
		uint32_t len = cnt[t] * 2, k;

		hpos[t] = (uint32_t)w->pos;
		hlen[t] = len;
		if (len == 0)
			continue;
		memset(tab, 0, len * sizeof(*tab));
		for (k = 0; k < cnt[t]; k++) {
			const struct cdbw_rec *r = &sorted[start[t] + k];
			uint32_t hi = (r->hash >> 8) % len;

			while (tab[hi].pos)
				if (++hi == len)
					hi = 0;
			tab[hi] = *r;
		}
		for (k = 0; k < len; k++) {
			unsigned char s[8];

			pack32(s, tab[k].hash);
			pack32(s + 4, tab[k].pos);
			if (cdbw_write(w, s, 8) < 0)
				goto out;
		}
	}
	if (cdbw_flush(w) < 0)
		goto out;
	for (t = 0; t < 256; t++) {
		pack32(hdr + t * 8, hpos[t]);
		pack32(hdr + t * 8 + 4, hlen[t]);
	}
	if (lseek(w->fd, 0, SEEK_SET) != 0 || full_write(w->fd, hdr, sizeof(hdr)) < 0)
		goto out;
	ret = 0;
out:
	{
		int e = errno;

		free(sorted);
		free(tab);
		cdbw_free(w);
		errno = e;
	}
	return ret;
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
	if (cdbw_start(&b->cdbm, b->af.fd) < 0) {
		map_error_set(err, errno, "write %s: %s", b->af.tmp, strerror(errno));
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
	if (cdbw_add(&b->cdbm, key, klen, val, vlen) < 0)
		return map_error_set(err, errno, "write %s: %s", b->af.tmp, strerror(errno));
	return 0;
}

static void
cdb_build_hint(struct map_builder *b, size_t nentries, bool unique)
{
	b->unique = unique;
	cdbw_hint(&b->cdbm, nentries);
	if (!unique)
		keyset_presize(&b->ks, nentries);
}

static void
builder_free(struct map_builder *b)
{
	keyset_fini(&b->ks);
	free(b);
}

/* cdb_build_prepare - the tables and the header, then fsync the data: the
 * commit is left with the rename (0 or -1; the caller aborts on error) */
static int
cdb_build_prepare(struct map_builder *b, struct map_error *err)
{
	int e;

	if (b->prepared)
		return 0;
	keyset_fini(&b->ks);
	memset(&b->ks, 0, sizeof(b->ks));
	if (cdbw_finish(&b->cdbm) < 0) {
		e = errno;
		return map_error_set(err, e, "write %s: %s", b->af.tmp, strerror(e));
	}
	if (fdatasync(b->af.fd) < 0) {
		e = errno;
		return map_error_set(err, e, "fsync %s: %s", b->af.tmp, strerror(e));
	}
	b->prepared = true;
	return 0;
}

static int
cdb_build_commit(struct map_builder *b, struct map_error *err)
{
	int r;

	keyset_fini(&b->ks);
	memset(&b->ks, 0, sizeof(b->ks));
	if (!b->prepared && cdbw_finish(&b->cdbm) < 0) {
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
	cdbw_free(&b->cdbm);
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
	.verify = cdb_verify,
	.build_begin = cdb_build_begin,
	.build_put = cdb_build_put,
	.build_commit = cdb_build_commit,
	.build_abort = cdb_build_abort,
	.build_hint = cdb_build_hint,
	.build_prepare = cdb_build_prepare,
	.walk = cdb_walk,
};
