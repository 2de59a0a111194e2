/*
 * util/readlline.h - Postfix logical lines (src/util/readlline.c): the one
 * reader for every table source (postmap input, regexp/pcre, cidr).
 *
 * A physical line is the bytes up to a newline (the last one may lack it;
 * it still counts as a line).  Lines that are empty, all white space
 * (ISSPACE: space, \t \n \v \f \r; a CR is data, so "\r\n" is blank) or
 * whose first non-space byte is '#' are skipped, also between a line and
 * its continuations.  A logical line is a line that starts with non-space
 * plus the following lines that start with white space, joined without
 * their newlines.  A logical line whose first line starts with white space
 * (at the top of the file, or after only comments) is passed with INDENTED
 * set: Postfix warns "logical line must not start with whitespace" and
 * drops it, continuations included.
 */
#ifndef PFC_UTIL_READLLINE_H
#define PFC_UTIL_READLLINE_H

#include <stdbool.h>
#include <stddef.h>

/* one physical line of a logical line */
struct rll_seg {
	size_t joff;                /* its first byte in the logical line */
	size_t soff;                /* its first byte in the source */
	unsigned line;              /* its line number (1-based) */
};

struct rll_line {
	const char *text;           /* the logical line (NUL-terminated only with RLL_COPY) */
	size_t len;
	unsigned first;             /* line number of its first physical line */
	unsigned last;              /* ... of its last physical line */
	unsigned upto;              /* ... of the last line before the next logical line
				     * (or the last line of the file): comments and
				     * blank lines that follow it included */
	size_t start, end;          /* source bytes [start, end): first line's first byte
				     * to the byte after the last line's newline */
	bool indented;              /* starts with white space: Postfix drops it */
	const struct rll_seg *seg;  /* its physical lines, nseg >= 1 */
	size_t nseg;
};

#define RLL_COPY 1              /* always copy TEXT into a NUL-terminated buffer
				 * (otherwise a one-line logical line points into BUF) */

/* FN returns 0 to go on; anything else stops the reading and is returned */
typedef int rll_fn(void *ctx, const struct rll_line *l);

/* readllines - every logical line of BUF (LEN bytes) in order to FN.
 * Returns 0, FN's non-zero value, or -1 (ENOMEM).  TEXT and SEG are valid
 * during the call only. */
int readllines(const char *buf, size_t len, unsigned flags, rll_fn *fn, void *ctx);

/* rll_where - the physical line of offset OFF of L's text: its line
 * number, the source offset of that line's first byte, and OFF's source
 * offset (continuation lines are joined whole, so columns carry over);
 * inline: kvparse calls it for every entry */
static inline size_t
rll_where(const struct rll_line *l, size_t off, unsigned *line, size_t *line_start)
{
	size_t i = l->nseg;

	while (i > 1 && l->seg[i - 1].joff > off)
		i--;
	*line = l->seg[i - 1].line;
	*line_start = l->seg[i - 1].soff;
	return l->seg[i - 1].soff + (off - l->seg[i - 1].joff);
}

#endif
