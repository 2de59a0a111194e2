/*
 * core/keydup.h - duplicate keys of a table source, found after the pass.
 *
 * check used to insert every key into a hash set as it read the table: on
 * a 1,000,000-key table each insert was a random access into a 16 MB slot
 * array (a cache and TLB miss; without a prefetch the set alone cost
 * 150 ns a key), and every key was copied into an arena.  Here a key costs
 * one sequential append of 24 bytes to one of up to 256 partitions (by the
 * top bits of its hash); keydup_finish then finds the duplicates one
 * partition at a time, with a probe table small enough to stay in cache.
 * Keys that are a plain slice of the source are not copied: they are
 * read back from it (folded again on the fly) only for the rare equal
 * hashes.  This is why duplicate keys are not util/htable.h's table (the
 * one pfconsole uses elsewhere): the figures above are that table's access
 * pattern.
 *
 * The order of entries is the order of keydup_add calls; the first of
 * equal keys is the one Postfix uses.
 */
#ifndef CORE_KEYDUP_H
#define CORE_KEYDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

struct keydup_rec;

struct keydup_part {
	struct keydup_rec *v;
	size_t n, cap;
};

struct keydup {
	const char *src;            /* the source keys may point into */
	size_t srclen;
	bool fold;                  /* keys in the source are compared ASCII-folded */
	unsigned shift;             /* partition = hash >> shift */
	size_t nparts;
	size_t first_cap;           /* a partition's first allocation (from the estimate) */
	struct keydup_part *part;
	struct strbuf arena;        /* keys that are not a slice of the source */
	size_t n;
};

/* keydup_init - for keys of SRC (SRCLEN bytes), about EST of them.  FOLD:
 * a key given as a slice of the source is compared in ASCII lower case
 * (its folded form passed to keydup_add must be exactly that). */
void keydup_init(struct keydup *kd, const char *src, size_t srclen, bool fold, size_t est);
void keydup_fini(struct keydup *kd);

/* keydup_add - the next entry: its key as written (RAW, RAWLEN: shown in
 * messages), the folded key that decides equality (FK, FLEN), and the line.
 * Returns 0, or -1 (ENOMEM, or a key longer than 4 GB). */
int keydup_add(struct keydup *kd, const char *raw, size_t rawlen, const char *fk, size_t flen,
	       unsigned line);

/* keydup_fn - one duplicate: the key as written on line LINE, ignored by
 * Postfix in favour of the same key on line FIRST.  Non-zero stops. */
typedef int keydup_fn(void *ctx, const char *raw, size_t rawlen, unsigned line, unsigned first);

/* keydup_finish - call FN for every duplicate, in entry order.  Returns 0,
 * FN's non-zero value, or -1 (ENOMEM). */
int keydup_finish(struct keydup *kd, keydup_fn *fn, void *ctx);

#endif
