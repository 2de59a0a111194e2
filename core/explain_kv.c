/*
 * core/explain_kv.c - explain's in-memory key store and line index.
 *
 * The key store (struct kvtab, on util/htable.h) holds texthash, inline
 * and --sources tables as Postfix would fold and look them up.  The line index maps a key of an
 * indexed table's source to its first line (FILE:LINE in explain's
 * answers); build_line_index() is the speed-tuned single pass over the
 * mmap'd source (word-at-a-time key scan), with kvparse as the plain
 * fallback.  No Postfix restriction rules live here.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <pwd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/explain_int.h"
#include "util/safeopen.h"

/* kv_find - the entry of KEY, or NULL; P ends on the free slot for it */
static struct kvent *
kv_find(const struct kvtab *t, const char *k, size_t kl, struct htable_probe *p)
{
	uint32_t id;

	htable_probe_start(&t->t, p, hash_words(k, kl));
	while ((id = htable_probe_next(&t->t, p)) != 0)
		if (t->v[id - 1].klen == kl && memcmp(t->v[id - 1].key, k, kl) == 0)
			return &t->v[id - 1];
	return NULL;
}

/* kv_put - first one wins (postmap's default); KEY already folded */
int
kv_put(struct kvtab *t, const char *k, size_t kl, const char *v, size_t vl, unsigned line,
       bool with_val)
{
	struct htable_probe pr;
	struct kvent *e;
	char *p;

	if (t->n >= UINT32_MAX - 1 || htable_reserve(&t->t, t->n + 1) < 0)
		return -1;
	if (kv_find(t, k, kl, &pr) != NULL)
		return 0;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct kvent *nv = realloc(t->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		t->v = nv;
		t->cap = nc;
	}
	if ((p = malloc(kl + 1 + (with_val ? vl + 1 : 0))) == NULL)
		return -1;
	memcpy(p, k, kl);
	p[kl] = 0;
	e = &t->v[t->n];
	e->val = NULL;
	if (with_val) {
		memcpy(p + kl + 1, v, vl);
		p[kl + 1 + vl] = 0;
		e->val = p + kl + 1;
	}
	e->key = p;
	e->klen = kl;
	e->line = line;
	t->n++;
	htable_insert(&t->t, &pr, (uint32_t)t->n);
	return 0;
}

const struct kvent *
kv_get(const struct kvtab *t, const char *k, size_t kl)
{
	struct htable_probe pr;

	return kv_find(t, k, kl, &pr);
}

void
kv_free(struct kvtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
	htable_fini(&t->t);
}

/* li_reserve - room for N more entries */
int
li_reserve(struct lineidx *li, size_t n)
{
	struct li_ent *nv;
	size_t nc = li->cap ? li->cap : 1024;

	if (li->n + n <= li->cap)
		return 0;
	while (nc < li->n + n)
		nc *= 2;
	if ((nv = realloc(li->v, nc * sizeof(*nv))) == NULL)
		return -1;
	li->v = nv;
	li->cap = nc;
	return 0;
}

/* li_add - append (key hash H, LINE), in source order */
static inline int
li_add(struct lineidx *li, uint64_t h, unsigned line)
{
	if (li->n == li->cap && li_reserve(li, 1) < 0)
		return -1;
	li->v[li->n].hi = (uint32_t)(h >> 32);
	li->v[li->n].lo = (uint32_t)h;
	li->v[li->n].line = line;
	li->n++;
	return 0;
}

static inline uint32_t
li_group(const struct lineidx *li, uint32_t hi)
{
	return hi & li->mask;       /* hash_words's upper bits are already mixed */
}

/* li_finish - group the appended entries (stable counting sort) for li_get */
int
li_finish(struct lineidx *li)
{
	struct li_ent *g;
	uint32_t *start, *pos;
	size_t i, ng = 1;

	if (li->n >= UINT32_MAX)
		return -1;
	while (ng < 1u << 26 && ng * 16 < li->n)
		ng *= 2;
	li->mask = (uint32_t)ng - 1;
	start = calloc(ng + 1, sizeof(*start));
	pos = malloc(ng * sizeof(*pos));
	g = malloc((li->n ? li->n : 1) * sizeof(*g));
	if (!start || !pos || !g) {
		free(start);
		free(pos);
		free(g);
		return -1;
	}
	for (i = 0; i < li->n; i++)
		start[li_group(li, li->v[i].hi) + 1]++;
	for (i = 0; i < ng; i++) {
		start[i + 1] += start[i];
		pos[i] = start[i];
	}
	for (i = 0; i < li->n; i++)
		g[pos[li_group(li, li->v[i].hi)]++] = li->v[i];
	free(pos);
	free(li->v);
	li->v = g;
	li->cap = li->n;
	li->start = start;
	return 0;
}

unsigned
li_get(const struct lineidx *li, uint64_t h)
{
	uint32_t hi = (uint32_t)(h >> 32), lo = (uint32_t)h, g, i;

	if (!li->start)
		return 0;
	g = li_group(li, hi);
	for (i = li->start[g]; i < li->start[g + 1]; i++)
		if (li->v[i].hi == hi && li->v[i].lo == lo)
			return li->v[i].line;
	return 0;
}

void
li_free(struct lineidx *li)
{
	free(li->v);
	free(li->start);
	memset(li, 0, sizeof(*li));
}

/* fold_key - fold KEY as fixed tables do; plain ASCII without allocating
 * (into BUF of SIZE bytes), anything else through map_fold (*HEAP, free it) */
const char *
fold_key(const char *key, size_t kl, char *buf, size_t size, char **heap, size_t *outl)
{
	size_t i;

	*heap = NULL;
	if (kl < size) {
		for (i = 0; i < kl; i++) {
			unsigned char c = (unsigned char)key[i];

			if (c >= 0x80)
				break;
			buf[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		if (i == kl) {
			buf[kl] = 0;
			*outl = kl;
			return buf;
		}
	}
	if (map_fold(key, kl, heap, outl) < 0)
		return NULL;
	return *heap;
}

int
kvload_fn(void *ctx, const struct kv_entry *e)
{
	struct kvload *l = ctx;
	char buf[256], *heap = NULL;
	const char *k = e->key;
	size_t fl = e->klen;
	int ret;

	if (l->fold && (k = fold_key(e->key, e->klen, buf, sizeof(buf), &heap, &fl)) == NULL)
		return -1;
	if (l->li)
		ret = li_add(l->li, hash_words(k, fl), e->line);
	else
		ret = kv_put(l->t, k, fl, e->val, e->vlen, e->line, l->with_val);
	free(heap);
	return ret < 0 ? -1 : 0;
}

/* plain_run - how many bytes from P (at least 8 readable) a word-at-a-time
 * scan can take as a key without looking closer: none of them is a blank
 * or control byte (<= ' '), '"', '\\', an upper-case ASCII letter or
 * non-ASCII.  Each test is exact per byte (no borrow crosses a byte, as
 * every byte is first given its high bit), so the first flagged byte is
 * the first such byte. */
static inline size_t
plain_run(const char *p, const char *end)
{
	const char *q = p;

	while (end - q >= 8) {
		uint64_t x, l7, ge21, ge41, ge5b, bad;

		memcpy(&x, q, 8);
		l7 = x | W_HIGH;
		ge21 = (l7 - 0x21 * W_ONES) & W_HIGH;   /* low 7 bits >= '!' */
		ge41 = (l7 - 0x41 * W_ONES) & W_HIGH;   /* >= 'A' */
		ge5b = (l7 - 0x5b * W_ONES) & W_HIGH;   /* >= '[' */
		bad = (x & W_HIGH) | (~ge21 & W_HIGH) | (ge41 & ~ge5b) | w_has(x, '"')
			| w_has(x, '\\');
		if (bad)
			return (size_t)(q - p) + (size_t)(__builtin_ctzll(bad) >> 3);
		q += 8;
	}
	return (size_t)(q - p);
}

static inline bool
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * build_line_index - key -> first line of an indexed table's source, in one
 * pass over the mmap'd file.  Only the keys are needed, and postmap's rules
 * for them are simple: a line whose first byte is whitespace continues the
 * previous logical line (no new key), '#' and blank lines are skipped, the
 * key ends at the first whitespace outside double quotes, a backslash
 * protecting the next byte.  Keys are folded as fixed tables fold them
 * (non-ASCII through map_fold).  A key of plain lower-case ASCII (nearly
 * all) is found a word at a time and hashed in place.  -1 when the file
 * cannot be mapped (the caller then uses kvparse).
 * Why not util/readlline: this pass needs only each logical line's key and
 * first line number, over sources of a million lines at explain's start,
 * and reads them a word at a time without joining lines; it follows the
 * same rules (tests/explain/lines.sh checks its line numbers on a
 * 1,000,000-entry table).
 */
int
build_line_index(struct xtable *t)
{
	struct stat st;
	/* util/safeopen: a FIFO source cannot block open(), a device or a
	 * file over the table bound is refused (-1: the caller's kvparse
	 * fallback then reports it) */
	int fd = safeopen_read(t->src, SAFEOPEN_TABLE_MAX, &st, NULL, 0);
	const char *buf, *p, *end;
	unsigned line = 0;
	int ret = 0;

	if (fd < 0)
		return -1;
	if (st.st_size <= 0) {
		close(fd);
		return 0;
	}
	buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (buf == MAP_FAILED)
		return -1;
	madvise((void *)buf, (size_t)st.st_size, MADV_SEQUENTIAL);
	end = buf + st.st_size;
	for (p = buf; p < end && ret == 0;) {
		const char *nl, *k;
		uint64_t h;

		line++;
		if (*p == '\n') {
			p++;
			continue;
		}
		if (is_blank((unsigned char)*p) || *p == '#') {
			/* continuation, blank or comment: no new key */
			nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
			continue;
		}
		k = p + plain_run(p, end);
		if (k < end && (is_blank((unsigned char)*k) || *k == '\n')) {
			h = hash_words(p, (size_t)(k - p));
		} else {
			/* the byte by byte rules, then fold a copy */
			const char *le;
			bool inq = false;
			char fb[256], *heap = NULL;
			const char *f;
			size_t fl;

			nl = memchr(p, '\n', (size_t)(end - p));
			le = nl ? nl : end;
			for (k = p; k < le; k++) {
				unsigned char c = (unsigned char)*k;

				if (!inq && is_blank(c))
					break;
				if (c == '"')
					inq = !inq;
				else if (c == '\\' && k + 1 < le)
					k++;
			}
			if ((f = fold_key(p, (size_t)(k - p), fb, sizeof(fb), &heap, &fl)) == NULL) {
				/* as before: an unfoldable key hashed as written */
				f = p;
				fl = (size_t)(k - p);
			}
			h = hash_words(f, fl);
			free(heap);
		}
		ret = li_add(&t->lines, h, line);
		nl = memchr(k, '\n', (size_t)(end - k));
		p = nl ? nl + 1 : end;
	}
	munmap((void *)buf, (size_t)st.st_size);
	return ret;
}
