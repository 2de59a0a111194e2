/*
 * core/keydup.c - duplicate keys found after the pass (see keydup.h).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "core/keydup.h"

/* One entry.  LOC is the key's offset in the source, or, with KD_ARENA
 * set, the offset in the arena of: the folded length (4 bytes), the key
 * as written (LEN bytes), the folded key. */
struct keydup_rec {
	uint64_t h;
	uint64_t loc;
	uint32_t len;
	uint32_t line;
};

#define KD_ARENA (1ULL << 63)

/* about this many entries a partition: its probe table (4 bytes a slot,
 * twice as many slots) then stays within a core's cache */
#define KD_PART_TARGET 4096
#define KD_MAX_PARTS 256

void
keydup_init(struct keydup *kd, const char *src, size_t srclen, bool fold, size_t est)
{
	unsigned bits = 0;

	memset(kd, 0, sizeof(*kd));
	kd->src = src;
	kd->srclen = srclen;
	kd->fold = fold;
	while (bits < 8 && (est >> bits) > KD_PART_TARGET)
		bits++;
	kd->nparts = (size_t)1 << bits;
	kd->shift = 64 - bits;
	/* an eighth more than the estimate: doubling a partition copies it */
	kd->first_cap = est / kd->nparts + est / kd->nparts / 8 + 16;
	strbuf_init(&kd->arena);
}

void
keydup_fini(struct keydup *kd)
{
	size_t i;

	for (i = 0; kd->part && i < kd->nparts; i++)
		free(kd->part[i].v);
	free(kd->part);
	strbuf_fini(&kd->arena);
	memset(kd, 0, sizeof(*kd));
}

int
keydup_add(struct keydup *kd, const char *raw, size_t rawlen, const char *fk, size_t flen,
	   unsigned line)
{
	struct keydup_part *p;
	struct keydup_rec *r;
	uint64_t h;
	bool slice;

	if (rawlen > UINT32_MAX || flen > UINT32_MAX) {
		errno = ENOMEM;
		return -1;
	}
	if (kd->part == NULL && (kd->part = calloc(kd->nparts, sizeof(*kd->part))) == NULL)
		return -1;
	h = hash_words(fk, flen);
	p = &kd->part[kd->nparts == 1 ? 0 : (size_t)(h >> kd->shift)];
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : kd->first_cap;
		struct keydup_rec *v = realloc(p->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	/* a slice of the source whose folded form is what keydup_finish would
	 * compute from it again: nothing to copy */
	slice = kd->src != NULL && raw >= kd->src && rawlen <= kd->srclen
		&& (size_t)(raw - kd->src) <= kd->srclen - rawlen && flen == rawlen;
	if (slice) {
		size_t k;

		if (kd->fold) {
			for (k = 0; k < rawlen; k++) {
				unsigned char c = (unsigned char)raw[k];

				if ((unsigned char)fk[k] != ((unsigned)c - 'A' < 26u ? c + 32 : c))
					break;
			}
		} else {
			k = memcmp(raw, fk, rawlen) == 0 ? rawlen : 0;
		}
		slice = k == rawlen;
	}
	r = &p->v[p->n];
	r->h = h;
	r->len = (uint32_t)rawlen;
	r->line = line;
	if (slice) {
		r->loc = (uint64_t)(raw - kd->src);
	} else {
		uint32_t fl = (uint32_t)flen;

		r->loc = KD_ARENA | (uint64_t)kd->arena.len;
		if (strbuf_add(&kd->arena, (const char *)&fl, sizeof(fl)) < 0
		    || strbuf_add(&kd->arena, raw, rawlen) < 0 || strbuf_add(&kd->arena, fk, flen) < 0)
			return -1;
	}
	p->n++;
	kd->n++;
	return 0;
}

/* rec_raw - the key of R as written */
static const char *
rec_raw(const struct keydup *kd, const struct keydup_rec *r)
{
	if (r->loc & KD_ARENA)
		return kd->arena.buf + (r->loc & ~KD_ARENA) + sizeof(uint32_t);
	return kd->src + r->loc;
}

/* rec_folded - the folded key of R (in SCRATCH when computed); NULL on ENOMEM */
static const char *
rec_folded(const struct keydup *kd, const struct keydup_rec *r, struct strbuf *scratch,
	   size_t *flen)
{
	const char *raw = rec_raw(kd, r);
	size_t k;

	if (r->loc & KD_ARENA) {
		uint32_t fl;

		memcpy(&fl, kd->arena.buf + (r->loc & ~KD_ARENA), sizeof(fl));
		*flen = fl;
		return raw + r->len;
	}
	*flen = r->len;
	if (!kd->fold)
		return raw;
	strbuf_reset(scratch);
	if (strbuf_reserve(scratch, r->len + 1) < 0)
		return NULL;
	for (k = 0; k < r->len; k++) {
		unsigned char c = (unsigned char)raw[k];

		scratch->buf[k] = (char)((unsigned)c - 'A' < 26u ? c + 32 : c);
	}
	return scratch->buf;
}

/* same_key - the folded keys of A and B are equal; -1 on ENOMEM */
static int
same_key(const struct keydup *kd, const struct keydup_rec *a, const struct keydup_rec *b,
	 struct strbuf *sa, struct strbuf *sb)
{
	const char *ka, *kb;
	size_t la, lb;

	if ((ka = rec_folded(kd, a, sa, &la)) == NULL || (kb = rec_folded(kd, b, sb, &lb)) == NULL)
		return -1;
	return la == lb && memcmp(ka, kb, la) == 0;
}

struct dup {
	const struct keydup_rec *rec;   /* the duplicate */
	uint32_t first;                 /* line of the entry Postfix uses */
};

static int
dup_cmp(const void *x, const void *y)
{
	const struct dup *a = x, *b = y;

	return a->rec->line < b->rec->line ? -1 : a->rec->line > b->rec->line;
}

int
keydup_finish(struct keydup *kd, keydup_fn *fn, void *ctx)
{
	struct strbuf sa, sb;
	struct dup *dups = NULL;
	size_t ndups = 0, capdups = 0, maxn = 0, i, tcap = 0;
	uint32_t *tab = NULL;
	int ret = 0;

	if (kd->part == NULL)
		return 0;
	for (i = 0; i < kd->nparts; i++)
		if (kd->part[i].n > maxn)
			maxn = kd->part[i].n;
	while (tcap < 2 * maxn)
		tcap = tcap ? tcap * 2 : 16;
	if (maxn > UINT32_MAX - 1 || (tab = malloc(tcap * sizeof(*tab))) == NULL)
		return -1;
	strbuf_init(&sa);
	strbuf_init(&sb);
	for (i = 0; i < kd->nparts && ret == 0; i++) {
		const struct keydup_part *p = &kd->part[i];
		size_t cap = 16, j;

		while (cap < 2 * p->n)
			cap *= 2;
		memset(tab, 0, cap * sizeof(*tab));
		/* in entry order: the first of equal keys is the one in the table */
		for (j = 0; j < p->n && ret == 0; j++) {
			const struct keydup_rec *r = &p->v[j];
			size_t s = (size_t)r->h & (cap - 1);
			int same = 0;

			while (tab[s] != 0) {
				const struct keydup_rec *o = &p->v[tab[s] - 1];

				if (o->h == r->h && (same = same_key(kd, o, r, &sa, &sb)) != 0) {
					if (same < 0) {
						ret = -1;
						break;
					}
					if (ndups == capdups) {
						size_t nc = capdups ? capdups * 2 : 64;
						struct dup *nd = realloc(dups, nc * sizeof(*nd));

						if (nd == NULL) {
							ret = -1;
							break;
						}
						dups = nd;
						capdups = nc;
					}
					dups[ndups].rec = r;
					dups[ndups].first = o->line;
					ndups++;
					break;
				}
				s = (s + 1) & (cap - 1);
			}
			if (ret == 0 && same == 0)
				tab[s] = (uint32_t)j + 1;
		}
	}
	free(tab);
	strbuf_fini(&sa);
	strbuf_fini(&sb);
	if (ret == 0 && ndups > 1)
		qsort(dups, ndups, sizeof(*dups), dup_cmp);
	for (i = 0; i < ndups && ret == 0; i++)
		ret = fn(ctx, rec_raw(kd, dups[i].rec), dups[i].rec->len, dups[i].rec->line,
			 dups[i].first);
	free(dups);
	return ret;
}
