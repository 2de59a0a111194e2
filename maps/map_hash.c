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
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

/* the Berkeley DB fallback: a child process (see "Fallback") */
struct hash_fb {
	pid_t pid;                  /* 0: not running */
	int fd;                     /* our end of the socket pair */
	bool dead;                  /* it died or stopped answering: the file is
	                             * unreadable until reopened */
	char why[120];              /* ... how */
};

struct hash_map {
	struct map m;               /* first */
	struct hash_native nat;     /* in use: db stays NULL until a lookup needs it */
	bool nat_failed;            /* the file had something the native reader does not
	                             * know: Berkeley DB from now on (until reopened) */
	struct hash_fb fb;          /* Berkeley DB in its sandbox; pid 0: not started */
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
	    || n->len % ps != 0                 /* Berkeley DB refuses to open it */
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
 * nat_goff - the big item at PGNO (TLEN bytes) into OUT, as __db_goff
 * copies it (a page's OV_LEN bytes, the last page's only up to TLEN).  1,
 * -1 out of memory, NAT_UNUSUAL when the chain is not in place (a page that
 * is not an overflow page or is outside the file, a length beyond the page,
 * the chain ending early or longer than the file).
 */
static int
nat_goff(const struct hash_native *n, uint32_t pgno, uint32_t tlen, struct strbuf *out)
{
	uint32_t done = 0, hops = 0;

	while (done < tlen) {
		const unsigned char *pg = nat_page(n, pgno, BDB_P_OVERFLOW, BDB_P_OVERFLOW, false);
		uint32_t len;

		if (pg == NULL || ++hops > n->npages)
			return NAT_UNUSUAL;
		len = rd16(pg + 22);             /* OV_LEN: the bytes on this page */
		if (len > n->pagesize - BDB_PAGE_HDR)
			return NAT_UNUSUAL;
		if (len > tlen - done)
			len = tlen - done;
		if (strbuf_add(out, pg + BDB_PAGE_HDR, len) < 0)
			return -1;
		done += len;
		pgno = rd32(pg + 16);
	}
	return 1;
}

/*
 * nat_moff - compare K (N bytes) with the big item at PGNO (TLEN bytes) as
 * __db_moff does: a chunk per page, the first differing byte decides, then
 * the lengths (with TLEN counted down as Berkeley DB does).  Sets *RES
 * (<0, 0, >0: K before, equal to, after the item); 0, or NAT_UNUSUAL when
 * a page it needs is not in place (see nat_goff).
 */
static int
nat_moff(const struct hash_native *n, const char *k, uint32_t nk, uint32_t pgno, uint32_t tlen,
	 int *res)
{
	const unsigned char *p1 = (const unsigned char *)k;
	uint32_t left = nk, hops = 0;

	*res = 0;
	while (left > 0 && pgno != 0) {
		const unsigned char *pg = nat_page(n, pgno, BDB_P_OVERFLOW, BDB_P_OVERFLOW, false);
		uint32_t len, cmp, i;

		if (pg == NULL || ++hops > n->npages)
			return NAT_UNUSUAL;
		len = rd16(pg + 22);
		if (len > n->pagesize - BDB_PAGE_HDR)
			return NAT_UNUSUAL;
		cmp = len < left ? len : left;
		tlen -= cmp;                     /* unsigned, as Berkeley DB's */
		left -= cmp;
		for (i = 0; i < cmp; i++, p1++)
			if (*p1 != pg[BDB_PAGE_HDR + i]) {
				*res = (int)*p1 - (int)pg[BDB_PAGE_HDR + i];
				return 0;
			}
		pgno = rd32(pg + 16);
	}
	*res = left > 0 ? 1 : tlen > 0 ? -1 : 0;
	return 0;
}

/*
 * nat_item - the item at index I of page PG: its offset and length (up to
 * the item before it, or the page's end).  false when either offset is out
 * of place (before the index array, past the page, or not below the
 * previous item's).
 */
static bool
nat_item(const struct hash_native *nt, const unsigned char *pg, uint32_t i, uint32_t hdr,
	 uint32_t *off, uint32_t *len)
{
	uint32_t top = i == 0 ? nt->pagesize : rd16(pg + BDB_PAGE_HDR + 2 * (i - 1));

	*off = rd16(pg + BDB_PAGE_HDR + 2 * i);
	if (top > nt->pagesize || *off < hdr || *off >= top)
		return false;
	*len = top - *off;
	return true;
}

/*
 * nat_get - look up K (N bytes) as Berkeley DB 5.3's get does (__ham_lookup):
 * the bucket from the hash, then the bucket's chain of pages; on each
 * (sorted, P_HASH) page the binary search of __ham_getindex_sorted with its
 * comparison - so a damaged page answers as Berkeley DB answers, never
 * better - and the data item after the key found.  1 found (value in
 * hm->val), 0 not, -1 out of memory, NAT_UNUSUAL when something it touches
 * is not in place or not the layout we know (Berkeley DB then answers, in
 * its sandbox: see "Fallback").  Every read is inside the mapping: page
 * numbers below npages, item offsets inside their page, overflow chains
 * and bucket chains bounded by the number of pages.
 */
static int
nat_get(struct hash_map *hm, const char *k, size_t n)
{
	const struct hash_native *nt = &hm->nat;
	uint32_t h = hash_bdb(k, n), bucket, pgno, hops = 0;

	bucket = h & nt->high_mask;
	if (bucket > nt->max_bucket)
		bucket &= nt->low_mask;
	pgno = bucket + nt->spares[bdb_log2(bucket + 1)];
	while (pgno != 0) {
		const unsigned char *pg = nat_page(nt, pgno, BDB_P_HASH, BDB_P_HASH, hops == 0);
		uint32_t entries, hdr, base, lim, indx = 0, koff, klen, doff, dlen;
		int res = 0, r;

		if (pg == NULL || ++hops > nt->npages)
			return NAT_UNUSUAL;
		entries = rd16(pg + 20);
		hdr = BDB_PAGE_HDR + 2 * entries;
		if ((entries & 1) != 0 || hdr > nt->pagesize)
			return NAT_UNUSUAL;
		/* DB_BINARY_SEARCH_FOR(base, lim, entries, 2) */
		for (base = 0, lim = entries / 2; lim != 0; lim >>= 1) {
			indx = base + (lim >> 1) * 2;
			if (!nat_item(nt, pg, indx, hdr, &koff, &klen))
				return NAT_UNUSUAL;
			if (pg[koff] == BDB_H_OFFPAGE && klen >= 12) {
				if ((r = nat_moff(nt, k, (uint32_t)n, rd32(pg + koff + 4),
						  rd32(pg + koff + 8), &res)) != 0)
					return r;
			} else if (pg[koff] == BDB_H_KEYDATA) {
				uint32_t il = klen - 1, m = il < n ? il : (uint32_t)n;

				if ((res = memcmp(k, pg + koff + 1, m)) == 0)
					res = il > n ? 1 : il < n ? -1 : 0;   /* sic: as Berkeley DB */
			} else
				return NAT_UNUSUAL;
			if (res == 0)
				break;
			if (res > 0) {
				base = indx + 2;
				--lim;
			}
		}
		if (entries != 0 && res == 0) {
			/* found: the data item */
			if (!nat_item(nt, pg, indx + 1, hdr, &doff, &dlen))
				return NAT_UNUSUAL;
			hm->val.len = 0;
			if (pg[doff] == BDB_H_KEYDATA)
				return strbuf_add(&hm->val, pg + doff + 1, dlen - 1) < 0 ? -1 : 1;
			if (pg[doff] == BDB_H_OFFPAGE && dlen >= 12) {
				r = nat_goff(nt, rd32(pg + doff + 4), rd32(pg + doff + 8), &hm->val);
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

/* ------------------------------------------------------------------ */
/* Fallback: Berkeley DB in a child process                              */
/*
 * Berkeley DB trusts the file: a damaged page (an item length beyond the
 * page, a loop in a chain) makes it read out of bounds or loop, and a crash
 * or hang in it would take the console down.  So it never runs in our
 * process: the first lookup that needs it forks a child that opens the
 * file read-only and answers lookups over a socket pair, while we keep
 * holding the shared lock.  The child has no other descriptor of ours
 * (stdio is /dev/null), ignores the terminal's signals, ends when our end
 * of the socket closes (not PR_SET_PDEATHSIG: that fires when the thread
 * that forked it ends, and maps outlive worker threads), and gets
 * HASH_FB_SECS per request (alarm); when it dies, stops answering or answers
 * nonsense, it is killed and the file is "damaged" until it is reopened
 * (rebuilt): every lookup then fails with that reason, as Postfix's would
 * fail or crash.  The child holds no lock of its own: ours, on the same
 * file, covers its reads.
 * Protocol: the child first sends its open status; then per request
 * [u32 key length][key] -> [i32 status][u32 length][value or reason],
 * status 1 found, 0 not found, 2 the path names another file, -1 error.
 */
bool map_hash_fb_crash_for_test;

#define HASH_FB_SECS 10          /* per request (the child's alarm, our poll) */
#define HASH_FB_MAX (64u << 20)  /* longest key or value passed */
#define HASH_FB_WALK 0xffffffffu /* the request "every record" */

/* fb_io - all N bytes of BUF to/from FD (WR), within DEADLINE (monotonic
 * ms); 0, or -1 (EOF, error, deadline) */
static int
fb_io(int fd, void *buf, size_t n, bool wr, long long deadline)
{
	unsigned char *p = buf;

	while (n > 0) {
		struct pollfd pfd = { .fd = fd, .events = wr ? POLLOUT : POLLIN };
		struct timespec now;
		long long left;
		ssize_t r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = deadline - ((long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
		if (left <= 0)
			return -1;
		r = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? (errno = ETIMEDOUT, -1) : -1;
		r = wr ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static long long
fb_deadline(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 + HASH_FB_SECS * 1000LL;
}

/* fb_reply - the child's answer: STATUS and LEN bytes of P */
static int
fb_reply(int fd, int32_t status, const void *p, uint32_t len)
{
	unsigned char h[8];

	memcpy(h, &status, 4);
	memcpy(h + 4, &len, 4);
	if (fb_io(fd, h, 8, true, fb_deadline()) < 0)
		return -1;
	return len ? fb_io(fd, (void *)p, len, true, fb_deadline()) : 0;
}

/* fb_child_walk - the child: every record through a cursor, one message
 * each (status 3: [u32 key length][key][value]), then status 0, or -1 and
 * the reason */
static void
fb_child_walk(int fd, DB *db)
{
	struct strbuf m = { 0 };
	DBC *cur = NULL;
	DBT k, v;
	int r;

	alarm(HASH_FB_SECS);
	if ((r = db->cursor(db, NULL, &cur, 0)) != 0)
		goto fail;
	for (;;) {
		uint32_t kl;

		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		alarm(HASH_FB_SECS);
		if ((r = cur->get(cur, &k, &v, DB_NEXT)) == DB_NOTFOUND)
			break;
		if (r != 0)
			goto fail;
		if (k.size > HASH_FB_MAX || v.size > HASH_FB_MAX) {
			r = EFBIG;
			goto fail;
		}
		kl = k.size;
		m.len = 0;
		if (strbuf_add(&m, &kl, 4) < 0 || strbuf_add(&m, k.data, k.size) < 0
		    || strbuf_add(&m, v.data, v.size) < 0)
			_exit(0);
		if (fb_reply(fd, 3, m.buf, (uint32_t)m.len) < 0)
			_exit(0);
	}
	cur->close(cur);
	alarm(0);
	strbuf_fini(&m);
	if (fb_reply(fd, 0, NULL, 0) < 0)
		_exit(0);
	return;
fail:
	if (cur)
		cur->close(cur);
	alarm(0);
	strbuf_fini(&m);
	{
		const char *t = r > 0 ? strerror(r) : db_strerror(r);

		if (fb_reply(fd, -1, t, (uint32_t)strlen(t)) < 0)
			_exit(0);
	}
}

/* fb_child - the child: open PATH (which must be DEV/INO) and answer */
static void __attribute__((noreturn))
fb_child(int fd, const char *path, dev_t dev, ino_t ino, off_t size)
{
	struct stat dst;
	unsigned char *key = NULL;
	DB *db;
	int r, dfd, nul;

	/* nothing of ours but the socket: a pipe's write end kept open here
	 * would keep its reader from seeing EOF */
	if ((nul = open("/dev/null", O_RDWR)) >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
	}
	if (fd != 3) {
		dup2(fd, 3);
		fd = 3;
	}
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
#endif
	{
		long i, max = sysconf(_SC_OPEN_MAX);

		for (i = 4; i < (max > 0 && max < 65536 ? max : 65536); i++)
			close((int)i);
	}
	/* none of our handlers: a crash must end the child (the console's
	 * would restore the terminal, a test runner's would jump back) */
	{
		int sig;

		for (sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, SIG_DFL);
	alarm(HASH_FB_SECS);
	if ((r = db_create(&db, NULL, 0)) != 0) {
		const char *t = db_strerror(r);

		fb_reply(fd, -1, t, (uint32_t)strlen(t));
		_exit(0);
	}
	db->set_errcall(db, quiet);
	if (size > (off_t)HASH_READ_MIN_CACHE)
		db->set_cachesize(db, 0, size > (off_t)HASH_READ_CACHE
				  ? HASH_READ_CACHE : (u_int32_t)size, 1);
	if ((r = db->open(db, NULL, path, NULL, DB_HASH, DB_RDONLY, 0)) != 0) {
		const char *t = r > 0 ? strerror(r) : db_strerror(r);

		fb_reply(fd, -1, t, (uint32_t)strlen(t));
		_exit(0);
	}
	if (db->fd(db, &dfd) != 0 || fstat(dfd, &dst) != 0 || dst.st_dev != dev
	    || dst.st_ino != ino) {
		fb_reply(fd, 2, NULL, 0);
		_exit(0);
	}
	if (fb_reply(fd, 0, NULL, 0) < 0)
		_exit(0);
	alarm(0);
	for (;;) {
		DBT k, v;
		uint32_t len;

		/* wait as long as the parent keeps its end open (closed when
		 * it closes the map or dies): a long-lived console asks now
		 * and then */
		if (fb_io(fd, &len, 4, false, LLONG_MAX) < 0)
			_exit(0);
		if (len == HASH_FB_WALK) {
			fb_child_walk(fd, db);
			continue;
		}
		if (len > HASH_FB_MAX)
			_exit(0);
		free(key);
		if ((key = malloc(len + 1u)) == NULL
		    || fb_io(fd, key, len, false, fb_deadline()) < 0)
			_exit(0);
		alarm(HASH_FB_SECS);
		if (map_hash_fb_crash_for_test)
			raise(SIGSEGV);
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		k.data = key;
		k.size = len;
		r = db->get(db, NULL, &k, &v, 0);
		alarm(0);
		if (r == DB_NOTFOUND || r == DB_KEYEMPTY)
			r = fb_reply(fd, 0, NULL, 0);
		else if (r != 0) {
			const char *t = r > 0 ? strerror(r) : db_strerror(r);

			r = fb_reply(fd, -1, t, (uint32_t)strlen(t));
		} else if (v.size > HASH_FB_MAX)
			r = fb_reply(fd, -1, "value too large", 15);
		else
			r = fb_reply(fd, 1, v.data, v.size);
		if (r < 0)
			_exit(0);
	}
}

/* fb_stop - end the child (killed: it may be stuck) and reap it */
static void
fb_stop(struct hash_fb *fb)
{
	if (fb->pid > 0) {
		close(fb->fd);
		kill(fb->pid, SIGKILL);
		while (waitpid(fb->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	fb->pid = 0;
	fb->fd = -1;
}

/* fb_fail - the child failed (WHAT): reap it, remember how it ended */
static int
fb_fail(struct hash_map *hm, const char *what, struct map_error *err)
{
	struct hash_fb *fb = &hm->fb;
	int st = 0, timedout = errno == ETIMEDOUT;
	pid_t r;

	close(fb->fd);
	/* give a dying child a moment to be reaped with its status */
	kill(fb->pid, SIGKILL);
	while ((r = waitpid(fb->pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r == fb->pid && WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
		snprintf(fb->why, sizeof(fb->why), "Berkeley DB died %s it (signal %d)", what,
			 WTERMSIG(st));
	else if (r == fb->pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && timedout)
		snprintf(fb->why, sizeof(fb->why), "Berkeley DB did not finish %s it in %d s",
			 what, HASH_FB_SECS);
	else
		snprintf(fb->why, sizeof(fb->why), "Berkeley DB failed %s it", what);
	fb->pid = 0;
	fb->fd = -1;
	fb->dead = true;
	return map_error_set(err, EIO, "%s is damaged: %s", hm->m.name, fb->why);
}

/*
 * fb_start - start the child on the path, which must still be the inode of
 * ST (our locked descriptor).  0, 1 when the path now names another file
 * (nothing started), -1 (ERR filled: Berkeley DB cannot open it, or died
 * trying).
 */
static int
fb_start(struct hash_map *hm, const struct stat *st, struct map_error *err)
{
	struct hash_fb *fb = &hm->fb;
	unsigned char h[8];
	char text[200];
	int sv[2];
	int32_t status;
	uint32_t len;

	if (fb->dead)
		return map_error_set(err, EIO, "%s is damaged: %s", hm->m.name, fb->why);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return map_error_set(err, errno, "socketpair: %s", strerror(errno));
	if ((fb->pid = fork()) < 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		fb->pid = 0;
		return map_error_set(err, e, "fork: %s", strerror(e));
	}
	if (fb->pid == 0) {
		close(sv[0]);
		fb_child(sv[1], hm->m.name, st->st_dev, st->st_ino, st->st_size);
	}
	close(sv[1]);
	fb->fd = sv[0];
	errno = 0;
	if (fb_io(fb->fd, h, 8, false, fb_deadline()) < 0)
		return fb_fail(hm, "opening", err);
	memcpy(&status, h, 4);
	memcpy(&len, h + 4, 4);
	if (status == 0 && len == 0)
		return 0;
	if (status == 2 && len == 0) {
		fb_stop(fb);
		return 1;
	}
	if (status != -1 || len >= sizeof(text) || fb_io(fb->fd, text, len, false, fb_deadline()) < 0)
		return fb_fail(hm, "opening", err);
	text[len] = 0;
	fb_stop(fb);
	return map_error_set(err, EINVAL, "open database %s: %s", hm->m.name, text);
}

/* fb_answer - one reply frame from the child: STATUS, LEN and LEN bytes
 * (at most MAX) into hm->val, NUL-terminated; 0, or -1 (ERR) when the
 * child is gone, late or says more than MAX */
static int
fb_answer(struct hash_map *hm, int32_t *status, uint32_t *len, uint32_t max,
	  struct map_error *err)
{
	unsigned char h[8];

	if (fb_io(hm->fb.fd, h, 8, false, fb_deadline()) < 0)
		return fb_fail(hm, "reading", err);
	memcpy(status, h, 4);
	memcpy(len, h + 4, 4);
	if (*len > max)
		return fb_fail(hm, "reading", err);
	hm->val.len = 0;
	if (strbuf_reserve(&hm->val, *len + 1u) < 0)
		return map_error_set(err, ENOMEM, "%s: %s", hm->m.name, strerror(ENOMEM));
	if (fb_io(hm->fb.fd, hm->val.buf, *len, false, fb_deadline()) < 0)
		return fb_fail(hm, "reading", err);
	hm->val.buf[*len] = 0;
	return 0;
}

/* fb_get - K (N bytes) through the child: 1 found (value in hm->val), 0
 * not, -1 (ERR filled) */
static int
fb_get(struct hash_map *hm, const char *k, size_t n, struct map_error *err)
{
	struct hash_fb *fb = &hm->fb;
	uint32_t len = (uint32_t)n;
	int32_t status;
	int r;

	if (n > HASH_FB_MAX)
		return 0;
	errno = 0;
	if (fb_io(fb->fd, &len, 4, true, fb_deadline()) < 0
	    || fb_io(fb->fd, (void *)k, n, true, fb_deadline()) < 0)
		return fb_fail(hm, "reading", err);
	if ((r = fb_answer(hm, &status, &len, HASH_FB_MAX, err)) != 0)
		return r;
	if (status < -1 || status > 1 || (status == 0 && len != 0))
		return fb_fail(hm, "reading", err);
	hm->val.len = len;
	if (status == -1)
		return map_error_set(err, EIO, "error reading %s: %.*s", hm->m.name,
				     (int)(len > 150 ? 150 : len), hm->val.buf);
	return status;
}

/* fb_walk - every record through the child (see map_walk_fn); 0, -1 (ERR) */
static int
fb_walk(struct hash_map *hm, map_walk_fn *fn, void *ctx, struct map_error *err)
{
	struct hash_fb *fb = &hm->fb;
	uint32_t req = HASH_FB_WALK, len, kl;
	int32_t status;
	bool stop = false;

	errno = 0;
	if (fb_io(fb->fd, &req, 4, true, fb_deadline()) < 0)
		return fb_fail(hm, "reading", err);
	for (;;) {
		int r = fb_answer(hm, &status, &len, 2 * HASH_FB_MAX + 4, err);

		if (r != 0)
			return r;
		if ((status != 3 && status != 0 && status != -1)
		    || (status == 0 && len != 0) || (status == 3 && len < 4))
			return fb_fail(hm, "reading", err);
		if (status == 0)
			return 0;
		if (status == -1)
			return map_error_set(err, EIO, "error reading %s: %.*s", hm->m.name,
					     (int)(len > 150 ? 150 : len), hm->val.buf);
		memcpy(&kl, hm->val.buf, 4);
		if (kl > len - 4)
			return fb_fail(hm, "reading", err);
		if (!stop) {
			const char *k = hm->val.buf + 4, *v = k + kl;
			size_t kn = kl, vn = len - 4 - kl;

			if (kn && k[kn - 1] == '\0')
				kn--;
			/* the rest is still read: the stream must end */
			stop = fn(ctx, k, kn, v, strnlen(v, vn)) != 0;
		}
	}
}

static void
db_close(struct hash_map *hm)
{
	fb_stop(&hm->fb);
	hm->fb.dead = false;
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
		if ((r = fb_start(hm, &st, err)) < 0) {
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
	if (hm->fb.pid > 0 || hm->fb.dead || hm->nat.mem != NULL) {
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
	hm->fb.fd = -1;
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
	if (hm->fb.pid == 0) {
		struct stat st;

		if (fstat(hm->lock_fd, &st) < 0)
			return map_error_set(err, errno, "stat %s: %s", hm->m.name, strerror(errno));
		if ((r = fb_start(hm, &st, err)) < 0)
			return -1;
		if (r == 1)
			return map_error_set(err, EAGAIN, "error reading %s: %s", hm->m.name,
					     "the file was replaced");
	}
	if ((r = fb_get(hm, k, n, err)) == 1) {
		hit->val = hm->val.buf;
		hit->vlen = strnlen(hm->val.buf, hm->val.len);
	}
	return r;
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

/*
 * nat_verify - walk every bucket's chain of pages and every item on them,
 * checking what a lookup relies on: pages of the right type and number,
 * inside the file and in one chain only; item offsets inside their page and
 * in order; key and data items of the types we know, big items' overflow
 * chains of exactly their length; each page's keys in Berkeley DB's sort
 * order (its binary search misses keys otherwise) and each inline key's
 * hash leading to its bucket.  With FN, every record goes to FN as
 * map_walk_fn says (FN nonzero stops the scan).  0, or -1 with ERR saying
 * where.
 */
static int
nat_scan(struct hash_map *hm, map_walk_fn *fn, void *ctx, struct map_error *err)
{
	const struct hash_native *nt = &hm->nat;
	const char *name = hm->m.name;
	struct strbuf kb = { 0 }, vb = { 0 };
	unsigned char *seen;
	uint32_t bucket;
	int ret = 0;

	if ((seen = calloc(nt->npages / 8 + 1, 1)) == NULL)
		return map_error_set(err, ENOMEM, "%s: %s", name, strerror(ENOMEM));
#define DAMAGED(...) do { ret = map_error_set(err, EINVAL, __VA_ARGS__); goto out; } while (0)
	for (bucket = 0; bucket <= nt->max_bucket; bucket++) {
		uint32_t pgno = bucket + nt->spares[bdb_log2(bucket + 1)], hops = 0;

		while (pgno != 0) {
			const unsigned char *pg = nat_page(nt, pgno, BDB_P_HASH, BDB_P_HASH, hops == 0);
			uint32_t entries, hdr, i, off, len, poff = 0, plen = 0;

			if (pg == NULL)
				DAMAGED("%s is damaged: page %u (bucket %u) is not a hash page of "
					"the file", name, pgno, bucket);
			if (seen[pgno / 8] & (1u << (pgno % 8)))
				DAMAGED("%s is damaged: page %u is in two chains (bucket %u)", name,
					pgno, bucket);
			seen[pgno / 8] |= (unsigned char)(1u << (pgno % 8));
			hops++;
			entries = rd16(pg + 20);
			hdr = BDB_PAGE_HDR + 2 * entries;
			if ((entries & 1) != 0 || hdr > nt->pagesize)
				DAMAGED("%s is damaged: page %u has %u items", name, pgno, entries);
			for (i = 0; i < entries; i++) {
				if (!nat_item(nt, pg, i, hdr, &off, &len))
					DAMAGED("%s is damaged: page %u, item %u is out of place", name,
						pgno, i);
				if (pg[off] == BDB_H_OFFPAGE && len >= 12) {
					struct strbuf big = { 0 };
					int r = nat_goff(nt, rd32(pg + off + 4), rd32(pg + off + 8), &big);

					if (r == 1 && big.len != rd32(pg + off + 8))
						r = NAT_UNUSUAL;
					strbuf_fini(&big);
					if (r == -1)
						DAMAGED("%s: %s", name, strerror(ENOMEM));
					if (r != 1)
						DAMAGED("%s is damaged: page %u, item %u: its overflow "
							"chain is broken", name, pgno, i);
				} else if (pg[off] != BDB_H_KEYDATA)
					DAMAGED("%s is damaged: page %u, item %u has type %u", name,
						pgno, i, pg[off]);
				if (fn != NULL && (i & 1) != 0) {
					/* a record: the key (item I-1) and this value */
					uint32_t ko = 0, kl = 1;
					const char *k, *v;
					size_t kn, vn;

					(void)nat_item(nt, pg, i - 1, hdr, &ko, &kl);
					kb.len = vb.len = 0;
					if (pg[ko] == BDB_H_KEYDATA)
						k = (const char *)pg + ko + 1, kn = kl - 1;
					else if (nat_goff(nt, rd32(pg + ko + 4), rd32(pg + ko + 8), &kb) == 1)
						k = kb.buf ? kb.buf : "", kn = kb.len;
					else
						DAMAGED("%s: %s", name, strerror(ENOMEM));
					if (pg[off] == BDB_H_KEYDATA)
						v = (const char *)pg + off + 1, vn = len - 1;
					else if (nat_goff(nt, rd32(pg + off + 4), rd32(pg + off + 8), &vb) == 1)
						v = vb.buf ? vb.buf : "", vn = vb.len;
					else
						DAMAGED("%s: %s", name, strerror(ENOMEM));
					if (kn && k[kn - 1] == '\0')
						kn--;
					if (fn(ctx, k, kn, v, strnlen(v, vn)))
						goto out;
				}
				if ((i & 1) != 0 || pg[off] != BDB_H_KEYDATA)
					continue;
				/* an inline key: its bucket, and its order after the last */
				{
					uint32_t h = hash_bdb(pg + off + 1, len - 1), b = h & nt->high_mask;

					if (b > nt->max_bucket)
						b &= nt->low_mask;
					if (b != bucket)
						DAMAGED("%s is damaged: page %u, the key of item %u "
							"is not in its bucket", name, pgno, i);
				}
				if (plen != 0) {
					uint32_t m = plen - 1 < len - 1 ? plen - 1 : len - 1;
					int c = memcmp(pg + poff + 1, pg + off + 1, m);

					if (c == 0)
						c = len - 1 > plen - 1 ? 1 : len - 1 < plen - 1 ? -1 : 0;
					if (c >= 0)
						DAMAGED("%s is damaged: page %u, the keys of items %u "
							"and %u are out of order", name, pgno, i - 2, i);
				}
				poff = off;
				plen = len;
			}
			/* Berkeley DB keeps a page's items packed against its end
			 * (__ham_dpair and __ham_replpair move the rest on a delete
			 * or a resize): the last item starts at the page's
			 * high-free offset (an empty page's is its size, or 0 on a
			 * bucket page never written: all zero).  An item count damaged downwards leaves
			 * the same page looking sound otherwise (its records lost
			 * to every reader, postmap -q too) */
			if (entries == 0 ? rd16(pg + 22) != 0 && rd16(pg + 22) != nt->pagesize % 65536
			    : rd16(pg + 22) != rd16(pg + BDB_PAGE_HDR + 2 * (entries - 1)))
				DAMAGED("%s is damaged: page %u: its %u items do not reach its "
					"free-space offset %u (an item count changed?)", name, pgno,
					entries, rd16(pg + 22));
			pgno = rd32(pg + 16);
		}
	}
	/* a hash page holding records that no bucket chain reaches: a damaged
	 * page link cut a chain short (Berkeley DB marks the pages it frees
	 * P_INVALID, so a sound file has none; BUCKET counts pages here) */
	for (bucket = 1; bucket < nt->npages; bucket++) {
		const unsigned char *pg = nt->mem + (size_t)bucket * nt->pagesize;

		if (pg[25] == BDB_P_HASH && rd16(pg + 20) != 0
		    && !(seen[bucket / 8] & (1u << (bucket % 8))))
			DAMAGED("%s is damaged: page %u holds %u items that no bucket reaches "
				"(a page link changed?)", name, bucket, rd16(pg + 20));
	}
#undef DAMAGED
out:
	free(seen);
	strbuf_fini(&kb);
	strbuf_fini(&vb);
	return ret;
}

/* hash_verify - nat_verify under the shared lock; a file that Berkeley DB
 * reads (another layout) has opened, which is all we check of it */
static int
hash_verify(struct map *m, struct map_error *err)
{
	struct hash_map *hm = (struct hash_map *)m;
	int r = 0;

	if (acquire(hm, err) < 0)
		return -1;
	if (hm->nat.mem != NULL)
		r = nat_scan(hm, NULL, NULL, err);
	else if (hm->fb.dead)
		r = map_error_set(err, EIO, "%s is damaged: %s", m->name, hm->fb.why);
	if (!hm->batch)
		unlock(hm);
	return r;
}

/* hash_walk - every record: natively (nat_scan, bounded; damage is an
 * error), else through Berkeley DB's child */
static int
hash_walk(struct map *m, map_walk_fn *fn, void *ctx, struct map_error *err)
{
	struct hash_map *hm = (struct hash_map *)m;
	struct stat st;
	int r = 0;

	if (acquire(hm, err) < 0)
		return -1;
	if (hm->nat.mem != NULL)
		r = nat_scan(hm, fn, ctx, err);
	else if (hm->fb.pid == 0 && fstat(hm->lock_fd, &st) < 0)
		r = map_error_set(err, errno, "stat %s: %s", m->name, strerror(errno));
	else if (hm->fb.pid == 0 && (r = fb_start(hm, &st, err)) != 0)
		r = r < 0 ? -1 : map_error_set(err, EAGAIN, "error reading %s: %s", m->name,
					       "the file was replaced");
	else
		r = fb_walk(hm, fn, ctx, err);
	if (!hm->batch)
		unlock(hm);
	return r;
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
	.verify = hash_verify,
	.build_begin = hash_build_begin,
	.build_put = hash_build_put,
	.build_commit = hash_build_commit,
	.build_abort = hash_build_abort,
	.build_hint = hash_build_hint,
	.walk = hash_walk,
};
