/*
 * util/readlline.c - Postfix logical lines (see readlline.h).  The source
 * is walked once with memchr; a logical line of one physical line (the
 * common case) is handed out as a pointer into the source unless the
 * caller asks for a copy, only continued lines are joined.  No per-line
 * allocation: the join buffer and the segment array grow to the longest
 * logical line and are reused.  This is on the "pfconsole build" hot path
 * (core/kvparse.c): keep it a single pass with no per-byte callbacks.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/readlline.h"
#include "util/strbuf.h"

/* ISSPACE as Postfix (ASCII): space, tab, LF, VT, FF, CR */
static inline bool
ll_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

struct rll {
	struct strbuf join;
	struct rll_seg one;         /* the segment of a one-line logical line */
	struct rll_seg *segs;
	size_t nsegs, capsegs;
};

static int
add_seg(struct rll *r, size_t joff, size_t soff, unsigned line)
{
	if (r->nsegs == r->capsegs) {
		size_t nc = r->capsegs ? r->capsegs * 2 : 8;
		struct rll_seg *ns = realloc(r->segs, nc * sizeof(*ns));

		if (ns == NULL) {
			errno = ENOMEM;
			return -1;
		}
		r->segs = ns;
		r->capsegs = nc;
	}
	r->segs[r->nsegs].joff = joff;
	r->segs[r->nsegs].soff = soff;
	r->segs[r->nsegs].line = line;
	r->nsegs++;
	return 0;
}

/* emit - hand L (first line BUF[L->start, LE)) to FN; inlined (once per line) */
static inline __attribute__((always_inline)) int
emit(struct rll *r, struct rll_line *l, const char *buf, size_t le, bool joined, unsigned flags,
     rll_fn *fn, void *ctx)
{
	if (joined) {
		l->text = r->join.buf;
		l->len = r->join.len;
		l->seg = r->segs;
		l->nseg = r->nsegs;
	} else {
		if (flags & RLL_COPY) {
			strbuf_reset(&r->join);
			if (strbuf_add(&r->join, buf + l->start, le - l->start) < 0)
				return -1;
			l->text = r->join.buf;
		} else {
			l->text = buf + l->start;
		}
		l->len = le - l->start;
		r->one.joff = 0;
		r->one.soff = l->start;
		r->one.line = l->first;
		l->seg = &r->one;
		l->nseg = 1;
	}
	return fn(ctx, l);
}

static int
walk(struct rll *r, const char *buf, size_t len, unsigned flags, rll_fn *fn, void *ctx)
{
	struct rll_line l;
	size_t pos = 0, le = 0;
	unsigned lineno = 0;
	bool have = false, joined = false;
	int rc;

	memset(&l, 0, sizeof(l));
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t s = pos, e = nl ? (size_t)(nl - buf) : len, j;

		pos = nl ? e + 1 : len;
		lineno++;
		for (j = s; j < e && ll_space((unsigned char)buf[j]); j++)
			;
		if (j == e || buf[j] == '#')
			continue;                   /* blank or comment, also inside continuations */
		if (j > s && have) {
			/* continuation: join (the first time, copy the first line) */
			if (!joined) {
				strbuf_reset(&r->join);
				r->nsegs = 0;
				if (strbuf_add(&r->join, buf + l.start, le - l.start) < 0
				    || add_seg(r, 0, l.start, l.first) < 0)
					return -1;
				joined = true;
			}
			if (add_seg(r, r->join.len, s, lineno) < 0 || strbuf_add(&r->join, buf + s, e - s) < 0)
				return -1;
			l.last = lineno;
			l.end = pos;
			continue;
		}
		if (have) {
			l.upto = lineno - 1;
			if ((rc = emit(r, &l, buf, le, joined, flags, fn, ctx)) != 0)
				return rc;
		}
		have = true;
		joined = false;
		l.indented = j > s;
		l.start = s;
		l.end = pos;
		l.first = l.last = lineno;
		le = e;
	}
	if (have) {
		l.upto = lineno;
		return emit(r, &l, buf, le, joined, flags, fn, ctx);
	}
	return 0;
}

int
readllines(const char *buf, size_t len, unsigned flags, rll_fn *fn, void *ctx)
{
	struct rll r;
	int rc;

	memset(&r, 0, sizeof(r));
	strbuf_init(&r.join);
	rc = walk(&r, buf, len, flags, fn, ctx);
	strbuf_fini(&r.join);
	free(r.segs);
	return rc;
}
