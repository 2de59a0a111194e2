/*
 * core/merge.c - three-way merge by lines (see merge.h).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/merge.h"
#include "util/hash.h"

struct lines {
	size_t n;
	size_t *off, *len;
	uint64_t *h;
};

static void
lines_fini(struct lines *l)
{
	free(l->off);
	free(l->len);
	free(l->h);
}

/* split - T into lines (each with its '\n'; a last line without one too) */
static int
split(const char *t, size_t n, struct lines *l)
{
	size_t i = 0, cap = 0;

	memset(l, 0, sizeof(*l));
	while (i < n) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - t) + 1 : n;

		if (l->n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			size_t *o = realloc(l->off, nc * sizeof(*o)), *ln;
			uint64_t *h;

			if (!o)
				return -1;
			l->off = o;
			if (!(ln = realloc(l->len, nc * sizeof(*ln))))
				return -1;
			l->len = ln;
			if (!(h = realloc(l->h, nc * sizeof(*h))))
				return -1;
			l->h = h;
			cap = nc;
		}
		l->off[l->n] = i;
		l->len[l->n] = e - i;
		l->h[l->n] = hash_fnv1a(t + i, e - i);
		l->n++;
		i = e;
	}
	return 0;
}

static int
same_line(const char *a, const struct lines *la, size_t i, const char *b, const struct lines *lb,
	  size_t j)
{
	return la->h[i] == lb->h[j] && la->len[i] == lb->len[j] &&
	       memcmp(a + la->off[i], b + lb->off[j], la->len[i]) == 0;
}

/* diff - MATCH[i] = the line of B that line i of A is kept as, or -1:
 * common prefix and suffix first, then Myers' greedy forward search in
 * between, with the diagonals of every step kept for the way back
 * (O(D^2) memory, O((N+M)D) time).  0, -1 (ENOMEM or E2BIG beyond MAXD) */
static int
diff(const char *a, const struct lines *la, const char *b, const struct lines *lb, size_t maxd,
     long *match)
{
	size_t p = 0, s = 0, i;
	long N, M, max, d, k, *v = NULL, *trace = NULL;
	size_t tcap = 0, tlen = 0, *tstart = NULL;
	long found = -1;

	for (i = 0; i < la->n; i++)
		match[i] = -1;
	while (p < la->n && p < lb->n && same_line(a, la, p, b, lb, p)) {
		match[p] = (long)p;
		p++;
	}
	while (s < la->n - p && s < lb->n - p &&
	       same_line(a, la, la->n - 1 - s, b, lb, lb->n - 1 - s)) {
		match[la->n - 1 - s] = (long)(lb->n - 1 - s);
		s++;
	}
	N = (long)(la->n - p - s);
	M = (long)(lb->n - p - s);
	if (N == 0 || M == 0)
		return 0;
	max = N + M;
	if ((size_t)max > maxd * 2 + 2)
		max = (long)(maxd * 2 + 2);
	v = calloc((size_t)(2 * max + 3), sizeof(*v));
	tstart = calloc((size_t)max + 2, sizeof(*tstart));
	if (!v || !tstart)
		goto nomem;
#define V(kk) v[(kk) + max + 1]
	V(1) = 0;
	for (d = 0; d <= max; d++) {
		if (tlen + (size_t)(2 * d + 1) > tcap) {
			size_t nc = tcap ? tcap * 2 : 1024;
			long *nt;

			while (nc < tlen + (size_t)(2 * d + 1))
				nc *= 2;
			if (!(nt = realloc(trace, nc * sizeof(*nt))))
				goto nomem;
			trace = nt;
			tcap = nc;
		}
		for (k = -d; k <= d; k += 2) {
			long x, y;

			if (k == -d || (k != d && V(k - 1) < V(k + 1)))
				x = V(k + 1);
			else
				x = V(k - 1) + 1;
			y = x - k;
			while (x < N && y < M && same_line(a, la, p + (size_t)x, b, lb, p + (size_t)y)) {
				x++;
				y++;
			}
			V(k) = x;
			if (x >= N && y >= M && found < 0)
				found = d;
		}
		tstart[d] = tlen;
		for (k = -d; k <= d; k++)
			trace[tlen++] = V(k);
		if (found >= 0)
			break;
	}
	if (found < 0) {
		free(v);
		free(trace);
		free(tstart);
		errno = E2BIG;
		return -1;
	}
	/* back from (N, M): the diagonal moves are the kept lines */
	{
		long x = N, y = M;

		for (d = found; d >= 0; d--) {
			long kk = x - y, pk, px, py;
			const long *prev = d > 0 ? trace + tstart[d - 1] : NULL;
#define PV(q) prev[(q) + (d - 1)]

			if (d == 0) {
				px = 0;
				py = 0;
			} else {
				if (kk == -d || (kk != d && PV(kk - 1) < PV(kk + 1)))
					pk = kk + 1;
				else
					pk = kk - 1;
				px = PV(pk);
				py = px - pk;
			}
			while (x > px && y > py) {
				match[p + (size_t)x - 1] = (long)(p + (size_t)y - 1);
				x--;
				y--;
			}
			if (d > 0) {
				x = px;
				y = py;
			}
#undef PV
		}
	}
#undef V
	free(v);
	free(trace);
	free(tstart);
	return 0;
nomem:
	free(v);
	free(trace);
	free(tstart);
	errno = ENOMEM;
	return -1;
}

static int
same_range(const char *a, const struct lines *la, size_t i0, size_t i1, const char *b,
	   const struct lines *lb, size_t j0, size_t j1)
{
	size_t k;

	if (i1 - i0 != j1 - j0)
		return 0;
	for (k = 0; k < i1 - i0; k++)
		if (!same_line(a, la, i0 + k, b, lb, j0 + k))
			return 0;
	return 1;
}

static size_t
byte_at(const struct lines *l, size_t i, size_t total)
{
	return i < l->n ? l->off[i] : total;
}

static int
push(struct merge *m, size_t *cap, enum merge_kind kind, const struct lines *lb, size_t b0,
     size_t b1, size_t blen, const struct lines *lt, size_t t0, size_t t1, size_t tlen,
     const struct lines *lm, size_t m0, size_t m1, size_t mlen)
{
	struct merge_chunk *c;

	if (m->n && kind == MERGE_STABLE && m->v[m->n - 1].kind == MERGE_STABLE) {
		c = &m->v[m->n - 1];
		c->base_len = byte_at(lb, b1, blen) - c->base_off;
		c->theirs_len = byte_at(lt, t1, tlen) - c->theirs_off;
		c->mine_len = byte_at(lm, m1, mlen) - c->mine_off;
		return 0;
	}
	if (m->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct merge_chunk *v = realloc(m->v, nc * sizeof(*v));

		if (!v)
			return -1;
		m->v = v;
		*cap = nc;
	}
	c = &m->v[m->n++];
	c->kind = kind;
	c->base_off = byte_at(lb, b0, blen);
	c->base_len = byte_at(lb, b1, blen) - c->base_off;
	c->base_line = b0 + 1;
	c->theirs_off = byte_at(lt, t0, tlen);
	c->theirs_len = byte_at(lt, t1, tlen) - c->theirs_off;
	c->theirs_line = t0 + 1;
	c->mine_off = byte_at(lm, m0, mlen);
	c->mine_len = byte_at(lm, m1, mlen) - c->mine_off;
	c->mine_line = m0 + 1;
	if (kind == MERGE_CONFLICT)
		m->nconflicts++;
	else if (kind == MERGE_MINE)
		m->nmine++;
	else if (kind == MERGE_THEIRS)
		m->ntheirs++;
	return 0;
}

int
merge3(const char *base, size_t blen, const char *theirs, size_t tlen, const char *mine,
       size_t mlen, size_t maxd, struct merge *m)
{
	struct lines lb, lt, lm;
	long *mt = NULL, *mm = NULL;
	size_t ib = 0, it = 0, im = 0, cap = 0;
	int rc = -1, e = ENOMEM;

	memset(m, 0, sizeof(*m));
	if (split(base, blen, &lb) < 0 || split(theirs, tlen, &lt) < 0 || split(mine, mlen, &lm) < 0)
		goto out;
	mt = malloc((lb.n + 1) * sizeof(*mt));
	mm = malloc((lb.n + 1) * sizeof(*mm));
	if (!mt || !mm)
		goto out;
	if (diff(base, &lb, theirs, &lt, maxd, mt) < 0 || diff(base, &lb, mine, &lm, maxd, mm) < 0) {
		e = errno;
		goto out;
	}
	for (;;) {
		size_t j, et, em;
		int tsame, msame;
		enum merge_kind kind;

		while (ib < lb.n && mt[ib] == (long)it && mm[ib] == (long)im) {
			if (push(m, &cap, MERGE_STABLE, &lb, ib, ib + 1, blen, &lt, it, it + 1, tlen,
				 &lm, im, im + 1, mlen) < 0)
				goto out;
			ib++;
			it++;
			im++;
		}
		if (ib >= lb.n && it >= lt.n && im >= lm.n)
			break;
		for (j = ib; j < lb.n && (mt[j] < 0 || mm[j] < 0); j++)
			;
		et = j < lb.n ? (size_t)mt[j] : lt.n;
		em = j < lb.n ? (size_t)mm[j] : lm.n;
		tsame = same_range(base, &lb, ib, j, theirs, &lt, it, et);
		msame = same_range(base, &lb, ib, j, mine, &lm, im, em);
		if (tsame && msame)
			kind = MERGE_STABLE;
		else if (tsame)
			kind = MERGE_MINE;
		else if (msame)
			kind = MERGE_THEIRS;
		else if (same_range(theirs, &lt, it, et, mine, &lm, im, em))
			kind = MERGE_BOTH_SAME;
		else
			kind = MERGE_CONFLICT;
		if (kind == MERGE_CONFLICT && j > ib) {
			/* one side only added lines before or after the lines the
			 * other changed (a table's new entry after its last line):
			 * not a conflict, both are taken */
			size_t nb = j - ib;
			int r = 0;

			if (em - im > nb && same_range(base, &lb, ib, j, mine, &lm, im, im + nb))
				r = push(m, &cap, MERGE_THEIRS, &lb, ib, j, blen, &lt, it, et, tlen, &lm,
					 im, im + nb, mlen) < 0 ||
				    push(m, &cap, MERGE_MINE, &lb, j, j, blen, &lt, et, et, tlen, &lm,
					 im + nb, em, mlen) < 0 ? -1 : 1;
			else if (em - im > nb && same_range(base, &lb, ib, j, mine, &lm, em - nb, em))
				r = push(m, &cap, MERGE_MINE, &lb, ib, ib, blen, &lt, it, it, tlen, &lm,
					 im, em - nb, mlen) < 0 ||
				    push(m, &cap, MERGE_THEIRS, &lb, ib, j, blen, &lt, it, et, tlen, &lm,
					 em - nb, em, mlen) < 0 ? -1 : 1;
			else if (et - it > nb && same_range(base, &lb, ib, j, theirs, &lt, it, it + nb))
				r = push(m, &cap, MERGE_MINE, &lb, ib, j, blen, &lt, it, it + nb, tlen, &lm,
					 im, em, mlen) < 0 ||
				    push(m, &cap, MERGE_THEIRS, &lb, j, j, blen, &lt, it + nb, et, tlen, &lm,
					 em, em, mlen) < 0 ? -1 : 1;
			else if (et - it > nb && same_range(base, &lb, ib, j, theirs, &lt, et - nb, et))
				r = push(m, &cap, MERGE_THEIRS, &lb, ib, ib, blen, &lt, it, et - nb, tlen,
					 &lm, im, im, mlen) < 0 ||
				    push(m, &cap, MERGE_MINE, &lb, ib, j, blen, &lt, et - nb, et, tlen, &lm,
					 im, em, mlen) < 0 ? -1 : 1;
			if (r < 0)
				goto out;
			if (r > 0) {
				ib = j;
				it = et;
				im = em;
				continue;
			}
		}
		if (push(m, &cap, kind, &lb, ib, j, blen, &lt, it, et, tlen, &lm, im, em, mlen) < 0)
			goto out;
		ib = j;
		it = et;
		im = em;
	}
	rc = 0;
out:
	lines_fini(&lb);
	lines_fini(&lt);
	lines_fini(&lm);
	free(mt);
	free(mm);
	if (rc < 0) {
		merge_fini(m);
		errno = e;
	}
	return rc;
}

void
merge_fini(struct merge *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int
merge_text(const struct merge *m, const char *base, const char *theirs, const char *mine,
	   const enum merge_choice *choice, struct strbuf *out)
{
	size_t i, k = 0;
	int r = 0;

	for (i = 0; i < m->n && r == 0; i++) {
		const struct merge_chunk *c = &m->v[i];
		enum merge_choice ch;

		switch (c->kind) {
		case MERGE_STABLE:
			r = strbuf_add(out, base + c->base_off, c->base_len);
			break;
		case MERGE_THEIRS:
			r = strbuf_add(out, theirs + c->theirs_off, c->theirs_len);
			break;
		case MERGE_MINE:
		case MERGE_BOTH_SAME:
			r = strbuf_add(out, mine + c->mine_off, c->mine_len);
			break;
		case MERGE_CONFLICT:
			ch = choice ? choice[k] : MERGE_TAKE_MINE;
			k++;
			if (ch == MERGE_TAKE_THEIRS || ch == MERGE_TAKE_BOTH)
				r = strbuf_add(out, theirs + c->theirs_off, c->theirs_len);
			if (r == 0 && (ch == MERGE_TAKE_MINE || ch == MERGE_TAKE_BOTH))
				r = strbuf_add(out, mine + c->mine_off, c->mine_len);
			break;
		}
	}
	return r < 0 ? -1 : 0;
}
