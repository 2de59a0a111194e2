/*
 * core/merge.h - three-way merge of text files by lines (diff3).
 *
 * BASE is the version both sides started from (what the console loaded),
 * THEIRS the version on disk now, MINE the unsaved buffer.  Each side is
 * compared with BASE (Myers' O((N+M)D) difference on line hashes, so a
 * few edits in a 1,000,000-line table stay cheap); where BASE is unchanged
 * on both sides the text is stable, and between stable stretches:
 *  - only one side changed: its change is taken;
 *  - both made the same change: it is taken once;
 *  - both changed differently: a conflict, with the three versions, for
 *    the caller to choose (mine, theirs, or both).
 * Line ends stay as they are; a missing final newline is kept.
 */
#ifndef CORE_MERGE_H
#define CORE_MERGE_H

#include <stddef.h>

#include "util/strbuf.h"

enum merge_kind {
	MERGE_STABLE,               /* the same in all three */
	MERGE_MINE,                 /* only mine changed BASE here: mine taken */
	MERGE_THEIRS,               /* only theirs changed it: theirs taken */
	MERGE_BOTH_SAME,            /* both made the same change */
	MERGE_CONFLICT,             /* both changed it differently */
};

/* one stretch: byte ranges [off, off+len) in each of the three texts */
struct merge_chunk {
	enum merge_kind kind;
	size_t base_off, base_len, base_line;       /* base_line: 1-based first line */
	size_t theirs_off, theirs_len, theirs_line;
	size_t mine_off, mine_len, mine_line;
};

struct merge {
	struct merge_chunk *v;
	size_t n;
	size_t nconflicts;
	size_t nmine, ntheirs;      /* chunks taken from one side without conflict */
};

enum merge_choice { MERGE_TAKE_MINE, MERGE_TAKE_THEIRS, MERGE_TAKE_BOTH };

/* merge3 - divide the three texts into chunks (M is filled; merge_fini it).
 * 0, or -1 with errno ENOMEM, or E2BIG when the sides differ in more than
 * MAXD lines each (nothing sensible to merge by itself). */
int merge3(const char *base, size_t blen, const char *theirs, size_t tlen, const char *mine,
	   size_t mlen, size_t maxd, struct merge *m);
void merge_fini(struct merge *m);

/* merge_text - the merged text into OUT (appended): the stable and one-sided
 * chunks as merged, conflict number k (0-based, in order) as CHOICE[k]
 * (NULL: mine).  0 or -1 (ENOMEM). */
int merge_text(const struct merge *m, const char *base, const char *theirs, const char *mine,
	       const enum merge_choice *choice, struct strbuf *out);

#endif
