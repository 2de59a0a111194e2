/*
 * core/indexdiff.h - what rebuilding an index changed: entries added,
 * removed, and keys whose value changed, for the audit line of Apply.
 *
 * A snapshot is the index's set of (key, value) as Postfix reads it,
 * taken through maps/ (map_walk) and kept as sorted pairs of 64-bit
 * hashes (key, value): 16 bytes an entry, one sort, a linear merge to
 * compare two of them - a 1,000,000-entry table costs two walks, two
 * sorts and a pass, never a lookup per entry.  Two different keys with
 * the same 64-bit hash (about 1 in 10^7 for two million-entry tables)
 * could only miscount, never fail.
 *
 * Nothing prints.
 */
#ifndef CORE_INDEXDIFF_H
#define CORE_INDEXDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "maps/map.h"

struct index_snap {
	uint64_t *kv;               /* pairs: kv[2i] key hash, kv[2i+1] value hash */
	size_t n, cap;
	int sorted;
};

struct index_delta {
	size_t added;               /* keys only in the new index */
	size_t removed;             /* keys only in the old one */
	size_t changed;             /* keys in both with another value */
};

void index_snap_init(struct index_snap *s);
void index_snap_fini(struct index_snap *s);

/* index_snap_add - one entry (KEY, VAL as Postfix reads them); 0 or -1 ENOMEM */
int index_snap_add(struct index_snap *s, const char *key, size_t klen, const char *val,
		   size_t vlen);

/*
 * index_snap_take - the snapshot of TYPE:PATH's index (S emptied first).
 * 1 taken, 0 no index (S stays empty: every entry of the next one is
 * new), -1 it cannot be read or listed (ERR filled; S empty).
 */
int index_snap_take(const char *type, const char *path, struct index_snap *s,
		    struct map_error *err);

/* index_snap_diff - OLD against NEW (both sorted here if they are not) */
void index_snap_diff(struct index_snap *old, struct index_snap *new_, struct index_delta *d);

#endif
