/*
 * maps/map_hash.c - hash: tables, Berkeley DB DB_HASH (what Debian's
 * Postfix uses), read and built.
 *
 * Conventions as Postfix's dict_db.c on Linux: keys and values are written
 * with a trailing NUL; readers try key+NUL first, then the bare key, and
 * remember which worked.  h_nelem is 4096 (DICT_DB_NELM).  Lookups hold a
 * shared flock, as Postfix daemons do, so a table postmap rewrites in place
 * is never read half-written (reading: see "Readers" below).  Building:
 * Berkeley DB will not open an
 * existing empty file, so it creates its file inside a private temporary
 * directory next to the target (atomic.h), which is then renamed over the
 * target.  Duplicates: DB_NOOVERWRITE, the first wins, build_put returns 1.
 * Exports map_hash_ops, and map_hash_native for tests.
 *
 * Readers.  Two writers exist: pfconsole (and atomic.h) build a new file
 * and rename it over the target - a reader holding the old file keeps a
 * consistent old table; postmap rewrites the .db IN PLACE (same inode)
 * under an exclusive flock.  Postfix's dict_db.c takes a shared flock
 * around every lookup and never notices that Berkeley DB's page cache now
 * holds pages of the old table: smtpd restarts when the table changed
 * (dict_changed_name, on mtime), so the stale cache dies with it.  We serve
 * long-running readers (explain --batch, the console), so:
 *   - Every lock acquisition fstat()s our own descriptor of the file and
 *     compares device, inode, size, mtime and ctime (nanoseconds) and the
 *     link count with what was seen at open.  Any difference (rewritten in
 *     place, or renamed over / removed: nlink 0) closes the database and
 *     opens the path again, so no page of an older table is ever mixed with
 *     the new one, and a rebuilt table is picked up.  Compared under the
 *     shared lock, so no writer is active while we look.
 *   - Timestamps have the granularity of the kernel's coarse clock: a
 *     rewrite within the same tick as the previous one could leave mtime
 *     and ctime unchanged.  The identity is therefore only trusted when the
 *     coarse real-time clock had already moved past both stamps when we
 *     took it (the writer must then stamp a later time); otherwise it is
 *     "racy" and the next acquisition reopens.  This only costs reopens in
 *     the few milliseconds after a rebuild.
 *   - The database is opened under a shared lock on a descriptor we open
 *     ourselves first (as dict_db.c does), and Berkeley DB's descriptor must
 *     be the same inode (a rename in between retries).
 *   - MAP_OPEN_BATCH: the shared lock is kept from one lookup to the next
 *     until map_release(), so a batch of lookups costs one flock pair and one
 *     fstat instead of two flocks per lookup.  The caller bounds the batch
 *     (explain: one probe) and must release before it waits for anything
 *     (input, output, a user): postmap blocks while we hold the lock.
 *     Between two map_release() calls every answer comes from one version
 *     of the table (explain: one probe sees one table).
 *   - Fairness: flock grants a new shared lock even while an exclusive one
 *     waits, so back-to-back lookups (or windows) could starve postmap;
 *     after HASH_WINDOW_MS of lookups without a pause, the next lock is
 *     taken only after HASH_YIELD_US (fair()).
 *   - The reader's cache is sized to the file (at most HASH_READ_CACHE):
 *     with the default 256 KiB nearly every lookup in a large table is a
 *     pread.  Berkeley DB allocates a private cache as pages are read, so
 *     memory grows with the pages touched, never beyond the bound.
 */
#include "config.h"

#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maps/atomic.h"
#include "maps/map_int.h"
#include "util/hash.h"
#include "util/safeopen.h"

/* Linux's cheap clock; elsewhere the plain monotonic one */
#ifndef CLOCK_MONOTONIC_COARSE
#define CLOCK_MONOTONIC_COARSE CLOCK_MONOTONIC
#endif

#define HASH_NELEM 4096
#define HASH_FFACTOR 128         /* ~ (4096 - 32) / (average record + 8) for access tables */
#define HASH_BUILD_CACHE (16u * 1024 * 1024)   /* postmap's; raised by build_hint */
#define HASH_MAX_CACHE (256u * 1024 * 1024)
#define HASH_READ_CACHE (128u * 1024 * 1024)   /* readers: the file's size, at most this */
#define HASH_READ_MIN_CACHE (256u * 1024)      /* Berkeley DB's default */
#define HASH_WINDOW_MS 100       /* longest busy period without a pause (fair) */
#define HASH_IDLE_MS 10          /* a gap this long counts as a pause */
#define HASH_YIELD_US 1000       /* the pause fair() makes */

/* what identifies the file's content (see "Readers") */
struct hash_ident {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

/* the native reader's view of the file (see "Native reader") */
struct hash_native {
	const unsigned char *mem;   /* the whole file, mmap'd; NULL: not in use */
	size_t len;
	uint32_t pagesize, npages;  /* pages in the file (len / pagesize) */
	uint32_t max_bucket, high_mask, low_mask;
	uint32_t spares[32];
};

struct hash_map {
	struct map m;               /* first */
	struct hash_native nat;     /* in use: db stays NULL until a lookup needs it */
	bool nat_failed;            /* the file had something the native reader does not
	                             * know: Berkeley DB from now on (until reopened) */
	DB *db;                     /* NULL after a failed reopen: retried at each lookup */
	int lock_fd;                /* our descriptor of the file: flock, fstat */
	bool locked;                /* holding LOCK_SH on lock_fd */
	bool batch;                 /* MAP_OPEN_BATCH */
	bool racy;                  /* ident taken within the stamps' clock tick */
	struct hash_ident id;
	struct timespec busy;       /* CLOCK_MONOTONIC_COARSE: start of the busy period */
	struct timespec last;       /* ... of the last unlock */
	int try_nul;                /* 1 key+NUL worked, 0 bare worked, -1 unknown */
	struct strbuf key;
	struct strbuf val;
};

struct map_builder {
	struct atomic_file af;
	DB *db;
	bool opened;                /* db->open done (lazily: build_hint may size it first) */
	struct strbuf key;
	struct strbuf val;
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

static bool
ts_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

static bool
ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* in_tick - STAMP is not yet behind the coarse clock NOW: a write in this
 * tick could carry the same stamp.  A stamp more than a second ahead (set
 * by hand) is not: a write would stamp the present, which differs. */
static bool
in_tick(const struct timespec *now, const struct timespec *stamp)
{
	return !ts_after(now, stamp) && stamp->tv_sec <= now->tv_sec + 1;
}

/* ident_take - remember ST; racy unless the coarse clock is past its stamps */
static void
ident_take(struct hash_map *hm, const struct stat *st)
{
	struct timespec now;

	hm->id.dev = st->st_dev;
	hm->id.ino = st->st_ino;
	hm->id.size = st->st_size;
	hm->id.mtime = st->st_mtim;
	hm->id.ctime = st->st_ctim;
	hm->racy = clock_gettime(CLOCK_REALTIME_COARSE, &now) != 0
		|| in_tick(&now, &st->st_mtim) || in_tick(&now, &st->st_ctim);
}

/* ident_same - ST is the file we opened, unchanged */
static bool
ident_same(const struct hash_map *hm, const struct stat *st)
{
	return !hm->racy && st->st_nlink > 0 && st->st_dev == hm->id.dev
		&& st->st_ino == hm->id.ino && st->st_size == hm->id.size
		&& ts_eq(&st->st_mtim, &hm->id.mtime) && ts_eq(&st->st_ctim, &hm->id.ctime);
}

static void unlock(struct hash_map *hm);

/* ------------------------------------------------------------------ */
/* native reader (see "Native reader")                                  */

/* Berkeley DB's layout, from its db_page.h and hash.h (unchanged 4.6-6.x) */
#define BDB_HASHMAGIC 0x061561u
#define BDB_HASHVERSION 9u
#define BDB_META_MIN 512          /* the meta page's fields fit in 512 bytes */
#define BDB_PAGE_HDR 26           /* SIZEOF_PAGE: lsn 0, pgno 8, prev 12, next 16,
	                           * entries 20, hf_offset 22, level 24, type 25 */
#define BDB_P_INVALID 0
#define BDB_P_HASH_UNSORTED 2
#define BDB_P_OVERFLOW 7
#define BDB_P_HASHMETA 8
#define BDB_P_HASH 13
#define BDB_H_KEYDATA 1
#define BDB_H_OFFPAGE 3           /* type, 3 unused, pgno, tlen: 12 bytes */
#define BDB_CHARKEY "%$sniglet^&" /* h_charkey: the hash of these 12 bytes (with the NUL) */
#define NAT_UNUSUAL (-2)          /* not the layout we know: ask Berkeley DB */

static inline uint32_t
rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t
rd16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* bdb_log2 - __db_log2: the smallest I with 2^I >= NUM */
static uint32_t
bdb_log2(uint32_t num)
{
	uint64_t limit = 1;
	uint32_t i = 0;

	while (limit < num) {
		limit <<= 1;
		i++;
	}
	return i;
}

static void
nat_close(struct hash_native *n)
{
	if (n->mem)
		munmap((void *)n->mem, n->len);
	n->mem = NULL;
}

/*
 * nat_open - map the file on hm->lock_fd (locked, ST its fstat) if its meta
 * page describes the layout we read; false otherwise (Berkeley DB then).
 */
static bool
nat_open(struct hash_map *hm, const struct stat *st)
{
	struct hash_native *n = &hm->nat;
	const unsigned char *m;
	uint32_t ps, i;
	void *p;

	if (hm->nat_failed || st->st_size < BDB_META_MIN || (uintmax_t)st->st_size > SIZE_MAX)
		return false;
	p = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_SHARED, hm->lock_fd, 0);
	if (p == MAP_FAILED)
		return false;
	n->mem = m = p;
	n->len = (size_t)st->st_size;
	ps = rd32(m + 20);
	if (rd32(m + 12) != BDB_HASHMAGIC       /* also: the other byte order */
	    || rd32(m + 16) != BDB_HASHVERSION
	    || ps < BDB_META_MIN || ps > 65536 || (ps & (ps - 1)) != 0 || ps > n->len
	    || m[24] != 0                       /* encrypt_alg */
	    || m[25] != BDB_P_HASHMETA
	    || m[26] != 0                       /* metaflags: checksums, partitions */
	    || rd32(m + 8) != 0                 /* pgno */
	    || rd32(m + 36) != 0                /* nparts */
	    || rd32(m + 48) != 0                /* DB_HASH_DUP, _SUBDB, _DUPSORT */
	    || rd32(m + 92) != hash_bdb(BDB_CHARKEY, sizeof(BDB_CHARKEY)))
		goto unusual;
	n->pagesize = ps;
	n->npages = (uint32_t)(n->len / ps > UINT32_MAX ? UINT32_MAX : n->len / ps);
	n->max_bucket = rd32(m + 72);
	n->high_mask = rd32(m + 76);
	n->low_mask = rd32(m + 80);
	if (n->max_bucket > n->high_mask || n->low_mask > n->high_mask
	    || n->max_bucket >= 0x80000000u)
		goto unusual;
	for (i = 0; i < 32; i++)
		n->spares[i] = rd32(m + 96 + 4 * i);
	return true;
unusual:
	nat_close(n);
	return false;
}

/* nat_page - page PGNO if it is in the file and of type T1 or T2; NULL if
 * not.  A page never written (all zeros: a bucket page Berkeley DB's
 * page-in turns into an empty hash page) counts as T1 when Z is set. */
static const unsigned char *
nat_page(const struct hash_native *n, uint32_t pgno, int t1, int t2, bool z)
{
	const unsigned char *pg;

	if (pgno == 0 || pgno >= n->npages)
		return NULL;
	pg = n->mem + (size_t)pgno * n->pagesize;
	if (rd32(pg + 8) == pgno && (pg[25] == t1 || pg[25] == t2))
		return pg;
	if (z && rd32(pg + 8) == 0 && pg[25] == BDB_P_INVALID && rd16(pg + 20) == 0)
		return pg;
	return NULL;
}

/*
 * nat_big - walk the overflow chain of a big item (PGNO, TLEN bytes): with
 * CMP compare it with CMP (1 equal, 0 not), else append it to OUT (1).
 * NAT_UNUSUAL on a broken chain, -1 out of memory.
 */
static int
nat_big(const struct hash_native *n, uint32_t pgno, uint32_t tlen, const char *cmp,
	struct strbuf *out)
{
	uint32_t done = 0, hops = 0;

	while (done < tlen) {
		const unsigned char *pg = nat_page(n, pgno, BDB_P_OVERFLOW, BDB_P_OVERFLOW, false);
		uint32_t len;

		if (pg == NULL || ++hops > n->npages)
			return NAT_UNUSUAL;
		len = rd16(pg + 22);             /* OV_LEN: the bytes on this page */
		if (len == 0 || len > n->pagesize - BDB_PAGE_HDR || len > tlen - done)
			return NAT_UNUSUAL;
		if (cmp) {
			if (memcmp(cmp + done, pg + BDB_PAGE_HDR, len) != 0)
				return 0;
		} else if (strbuf_add(out, pg + BDB_PAGE_HDR, len) < 0)
			return -1;
		done += len;
		pgno = rd32(pg + 16);
	}
	return 1;
}

/*
 * nat_get - look up K (N bytes) as Berkeley DB's get does: its bucket from
 * the hash, then the bucket's chain of pages, key items at even indexes,
 * data after them.  1 found (value in hm->val), 0 not, -1 out of memory,
 * NAT_UNUSUAL when something is not the layout we know.
 */
static int
nat_get(struct hash_map *hm, const char *k, size_t n)
{
	const struct hash_native *nt = &hm->nat;
	uint32_t h = hash_bdb(k, n), bucket, pgno, hops = 0, ps = nt->pagesize;

	bucket = h & nt->high_mask;
	if (bucket > nt->max_bucket)
		bucket &= nt->low_mask;
	pgno = bucket + nt->spares[bdb_log2(bucket + 1)];
	while (pgno != 0) {
		const unsigned char *pg = nat_page(nt, pgno, BDB_P_HASH, BDB_P_HASH_UNSORTED, hops == 0);
		uint32_t entries, hdr, i, top, koff, klen, doff, dlen;

		if (pg == NULL || ++hops > nt->npages)
			return NAT_UNUSUAL;
		entries = rd16(pg + 20);
		hdr = BDB_PAGE_HDR + 2 * entries;
		if ((entries & 1) != 0 || hdr > ps)
			return NAT_UNUSUAL;
		for (i = 0, top = ps; i < entries; i += 2, top = doff) {
			int r;

			/* items are stored from the page's end down, in index order */
			koff = rd16(pg + BDB_PAGE_HDR + 2 * i);
			doff = rd16(pg + BDB_PAGE_HDR + 2 * i + 2);
			if (koff < hdr || koff >= top || doff < hdr || doff >= koff)
				return NAT_UNUSUAL;
			klen = top - koff;
			dlen = koff - doff;
			/* the lengths alone rule out most keys without touching
			 * them (a 4 KB page is 64 cache lines): an inline key is
			 * its type byte and N bytes, a big one 12 bytes */
			if (klen != n + 1 && klen != 12)
				continue;
			if (pg[koff] == BDB_H_KEYDATA) {
				if (klen - 1 != n || memcmp(pg + koff + 1, k, n) != 0)
					continue;
			} else if (pg[koff] == BDB_H_OFFPAGE && klen >= 12) {
				if (rd32(pg + koff + 8) != n)
					continue;
				if ((r = nat_big(nt, rd32(pg + koff + 4), (uint32_t)n, k, NULL)) == 0)
					continue;
				if (r != 1)
					return r;
			} else
				return NAT_UNUSUAL;
			/* found: the data item */
			hm->val.len = 0;
			if (pg[doff] == BDB_H_KEYDATA)
				return strbuf_add(&hm->val, pg + doff + 1, dlen - 1) < 0 ? -1 : 1;
			if (pg[doff] == BDB_H_OFFPAGE && dlen >= 12) {
				r = nat_big(nt, rd32(pg + doff + 4), rd32(pg + doff + 8), NULL, &hm->val);
				/* an empty value still needs its NUL (strbuf_add keeps one) */
				if (r == 1 && hm->val.buf == NULL && strbuf_add(&hm->val, "", 0) < 0)
					return -1;
				return r;
			}
			return NAT_UNUSUAL;             /* duplicates */
		}
		pgno = rd32(pg + 16);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* opening, locking                                                     */

static void
db_close(struct hash_map *hm)
{
	if (hm->db)
		hm->db->close(hm->db, DB_NOSYNC);
	hm->db = NULL;
	nat_close(&hm->nat);
	hm->nat_failed = false;
	/* unlock explicitly: a close alone keeps the lock while a forked
	 * child still holds the descriptor */
	unlock(hm);
	if (hm->lock_fd >= 0)
		close(hm->lock_fd);
	hm->lock_fd = -1;
}

/*
 * db_attach - open Berkeley DB on the path, which must still be the inode
 * of ST (our locked descriptor).  0, 1 when the path now names another
 * file (nothing opened), -1 (ERR filled).
 */
static int
db_attach(struct hash_map *hm, const struct stat *st, struct map_error *err)
{
	const char *path = hm->m.name;
	struct stat dst;
	int r, dfd;

	if ((r = db_create(&hm->db, NULL, 0)) != 0) {
		hm->db = NULL;
		return map_error_set(err, r > 0 ? r : EINVAL, "db_create: %s", db_strerror(r));
	}
	hm->db->set_errcall(hm->db, quiet);
	if (st->st_size > (off_t)HASH_READ_MIN_CACHE)
		hm->db->set_cachesize(hm->db, 0, st->st_size > (off_t)HASH_READ_CACHE
				      ? HASH_READ_CACHE : (u_int32_t)st->st_size, 1);
	if ((r = hm->db->open(hm->db, NULL, path, NULL, DB_HASH, DB_RDONLY, 0)) != 0) {
		map_error_set(err, r > 0 ? r : EINVAL, "open database %s: %s", path,
			      r > 0 ? strerror(r) : db_strerror(r));
		hm->db->close(hm->db, DB_NOSYNC);
		hm->db = NULL;
		return -1;
	}
	if (hm->db->fd(hm->db, &dfd) == 0 && fstat(dfd, &dst) == 0
	    && dst.st_dev == st->st_dev && dst.st_ino == st->st_ino)
		return 0;
	hm->db->close(hm->db, DB_NOSYNC);
	hm->db = NULL;
	return 1;
}

/*
 * db_open_locked - open the file at its path: our descriptor first, a
 * shared lock on it, then the native reader or Berkeley DB on the same
 * inode (retried when a rename came in between).  On success the lock is
 * held and the identity taken.  0 or -1 (ERR filled; nothing left open).
 */
static int
db_open_locked(struct hash_map *hm, struct map_error *err)
{
	const char *path = hm->m.name;
	struct stat st;
	int tries, r;

	for (tries = 0; tries < 5; tries++) {
		char why[600];

		if ((hm->lock_fd = safeopen_read(path, SAFEOPEN_TABLE_MAX, NULL, why, sizeof(why))) < 0)
			return map_error_set(err, errno, "open database %s",
					     why + (strncmp(why, "open ", 5) ? 0 : 5));
		if (flock(hm->lock_fd, LOCK_SH) < 0 || fstat(hm->lock_fd, &st) < 0) {
			map_error_set(err, errno, "lock %s: %s", path, strerror(errno));
			db_close(hm);
			return -1;
		}
		hm->locked = true;
		if (nat_open(hm, &st)) {
			ident_take(hm, &st);
			return 0;
		}
		if ((r = db_attach(hm, &st, err)) < 0) {
			db_close(hm);
			return -1;
		}
		if (r == 0) {
			ident_take(hm, &st);
			return 0;
		}
		db_close(hm);           /* replaced between our open and Berkeley DB's */
	}
	return map_error_set(err, EAGAIN, "open database %s: %s", path,
			     "the file keeps being replaced");
}

static void
unlock(struct hash_map *hm)
{
	if (hm->locked && hm->lock_fd >= 0) {
		flock(hm->lock_fd, LOCK_UN);
		clock_gettime(CLOCK_MONOTONIC_COARSE, &hm->last);
	}
	hm->locked = false;
}

static long
ms_since(const struct timespec *now, const struct timespec *then)
{
	return (long)(now->tv_sec - then->tv_sec) * 1000 + (now->tv_nsec - then->tv_nsec) / 1000000;
}

/*
 * fair - let a waiting writer in.  flock grants a new shared lock even while
 * an exclusive request waits, so a reader that locks again right after
 * unlocking (a tight loop of lookups, or of batch windows) could starve
 * postmap for ever.  Called before taking the lock: after HASH_WINDOW_MS of
 * lookups with no gap of at least HASH_IDLE_MS we sleep HASH_YIELD_US; a
 * writer blocked in flock was woken by our last unlock and takes its lock
 * meanwhile, and we then wait for it in acquire.  A held batch window is
 * never split (its answers all come from one table); its caller bounds it.
 */
static void
fair(struct hash_map *hm)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &now) != 0)
		return;
	if (ms_since(&now, &hm->last) >= HASH_IDLE_MS)
		hm->busy = now;         /* we paused on our own: a new busy period */
	else if (ms_since(&now, &hm->busy) >= HASH_WINDOW_MS) {
		usleep(HASH_YIELD_US);
		clock_gettime(CLOCK_MONOTONIC_COARSE, &hm->busy);
	}
}

/*
 * acquire - hold the shared lock on the current, unchanged file, reopening
 * it if it changed since it was opened.  0 or -1.
 */
static int
acquire(struct hash_map *hm, struct map_error *err)
{
	struct stat st;

	if (hm->locked)
		return 0;
	fair(hm);
	if (hm->db != NULL || hm->nat.mem != NULL) {
		if (flock(hm->lock_fd, LOCK_SH) < 0)
			return map_error_set(err, errno, "lock %s: %s", hm->m.name, strerror(errno));
		hm->locked = true;
		if (fstat(hm->lock_fd, &st) < 0) {
			unlock(hm);
			return map_error_set(err, errno, "stat %s: %s", hm->m.name, strerror(errno));
		}
		if (ident_same(hm, &st))
			return 0;
		db_close(hm);           /* changed: no page of it may be used again */
	}
	return db_open_locked(hm, err);
}

static struct map *
hash_open(const struct map_ops *ops, const char *name, const struct map_rule *rules,
	  size_t nrules, unsigned open_flags, struct map_error *err)
{
	struct hash_map *hm;
	char *path;

	(void)rules;
	(void)nrules;
	if ((path = map_index_path(ops, name)) == NULL || (hm = calloc(1, sizeof(*hm))) == NULL) {
		free(path);
		map_error_set(err, ENOMEM, "%s: %s", name, strerror(ENOMEM));
		return NULL;
	}
	hm->try_nul = -1;
	hm->lock_fd = -1;
	hm->batch = (open_flags & MAP_OPEN_BATCH) != 0;
	hm->m.name = path;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &hm->busy);
	if (db_open_locked(hm, err) < 0) {
		free(path);
		free(hm);
		return NULL;
	}
	unlock(hm);
	return &hm->m;
}

/* try_get - 1 found, 0 not, -1 error */
static int
try_get(struct hash_map *hm, const char *k, size_t n, struct map_hit *hit, struct map_error *err)
{
	DBT key, val;
	int r;

	if (hm->nat.mem != NULL && !hm->nat_failed) {
		if ((r = nat_get(hm, k, n)) == -1)
			return map_error_set(err, ENOMEM, "%s: %s", hm->m.name, strerror(ENOMEM));
		if (r != NAT_UNUSUAL) {
			if (r == 1) {
				hit->val = hm->val.buf;
				hit->vlen = strnlen(hm->val.buf, hm->val.len);
			}
			return r;
		}
		/* something we do not know: Berkeley DB answers, now and later */
		hm->nat_failed = true;
	}
	if (hm->db == NULL) {
		struct stat st;

		if (fstat(hm->lock_fd, &st) < 0)
			return map_error_set(err, errno, "stat %s: %s", hm->m.name, strerror(errno));
		if ((r = db_attach(hm, &st, err)) < 0)
			return -1;
		if (r == 1)
			return map_error_set(err, EAGAIN, "error reading %s: %s", hm->m.name,
					     "the file was replaced");
	}
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
	if (strbuf_add(&hm->val, val.data, val.size) < 0)
		return map_error_set(err, ENOMEM, "%s: %s", hm->m.name, strerror(ENOMEM));
	hit->val = hm->val.buf;
	hit->vlen = strnlen(hm->val.buf, val.size);
	return 1;
}

static int
hash_lookup(struct map *m, const char *key, size_t klen, struct map_hit *hit, struct map_error *err)
{
	struct hash_map *hm = (struct hash_map *)m;
	int r = 0;

	if (klen >= UINT32_MAX)
		return 0;
	if (acquire(hm, err) < 0)
		return -1;
	if (hm->try_nul != 0) {
		hm->key.len = 0;
		if (strbuf_add(&hm->key, key, klen) < 0 || strbuf_add(&hm->key, "", 1) < 0)
			r = map_error_set(err, ENOMEM, "%s: %s", m->name, strerror(ENOMEM));
		else if ((r = try_get(hm, hm->key.buf, klen + 1, hit, err)) > 0)
			hm->try_nul = 1;
	}
	if (r == 0 && hm->try_nul != 1) {
		if ((r = try_get(hm, key, klen, hit, err)) > 0)
			hm->try_nul = 0;
	}
	if (!hm->batch)
		unlock(hm);
	return r;
}

/* hash_walk - every record through a Berkeley DB cursor, under the shared lock */
static int
hash_walk(struct map *m, map_walk_fn *fn, void *ctx, struct map_error *err)
{
	struct hash_map *hm = (struct hash_map *)m;
	DBC *cur = NULL;
	DBT key, val;
	int r, rc = 0;

	if (acquire(hm, err) < 0)
		return -1;
	if (hm->db == NULL) {
		struct stat st;

		if (fstat(hm->lock_fd, &st) < 0)
			rc = map_error_set(err, errno, "stat %s: %s", m->name, strerror(errno));
		else if ((r = db_attach(hm, &st, err)) != 0)
			rc = r < 0 ? -1 : map_error_set(err, EAGAIN, "error reading %s: %s", m->name,
							  "the file was replaced");
	}
	if (rc == 0 && (r = hm->db->cursor(hm->db, NULL, &cur, 0)) != 0)
		rc = map_error_set(err, r > 0 ? r : EIO, "error reading %s: %s", m->name, db_strerror(r));
	while (rc == 0) {
		size_t kl;

		memset(&key, 0, sizeof(key));
		memset(&val, 0, sizeof(val));
		r = cur->get(cur, &key, &val, DB_NEXT);
		if (r == DB_NOTFOUND)
			break;
		if (r != 0) {
			rc = map_error_set(err, r > 0 ? r : EIO, "error reading %s: %s", m->name,
					   db_strerror(r));
			break;
		}
		kl = key.size;
		if (kl && ((const char *)key.data)[kl - 1] == '\0')
			kl--;
		if (fn(ctx, key.data, kl, val.data, strnlen(val.data, val.size)))
			break;
	}
	if (cur)
		cur->close(cur);
	if (!hm->batch)
		unlock(hm);
	return rc;
}

/* hash_release - end a MAP_OPEN_BATCH window */
static void
hash_release(struct map *m)
{
	unlock((struct hash_map *)m);
}

static void
hash_close(struct map *m)
{
	struct hash_map *hm = (struct hash_map *)m;

	db_close(hm);
	strbuf_fini(&hm->key);
	strbuf_fini(&hm->val);
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
	/* strbuf_add keeps a NUL after the bytes: count it in */
	if (strbuf_add(&b->key, key, klen) < 0 || strbuf_add(&b->val, val, vlen) < 0)
		return map_error_set(err, ENOMEM, "%s: %s", b->af.target, strerror(ENOMEM));
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = b->key.buf;
	k.size = (u_int32_t)klen + 1;
	v.data = b->val.buf;
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
	strbuf_fini(&b->key);
	strbuf_fini(&b->val);
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

bool
map_hash_native(const struct map *m)
{
	const struct hash_map *hm = (const struct hash_map *)m;

	return m->ops == &map_hash_ops && hm->nat.mem != NULL && !hm->nat_failed;
}

const struct map_ops map_hash_ops = {
	.type = "hash",
	.suffix = ".db",
	.flags = MAP_INDEXED | MAP_FOLD_KEYS,
	.open = hash_open,
	.lookup = hash_lookup,
	.close = hash_close,
	.release = hash_release,
	.build_begin = hash_build_begin,
	.build_put = hash_build_put,
	.build_commit = hash_build_commit,
	.build_abort = hash_build_abort,
	.build_hint = hash_build_hint,
	.walk = hash_walk,
};
