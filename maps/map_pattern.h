/*
 * maps/map_pattern.h - what regexp: and pcre: share (internal to maps/).
 *
 * map_pattern.c implements open/lookup/close over a rule list for any
 * engine: if/endif nesting, negation, the regexp-only second pattern, and
 * $N / ${N} / $(N) / $$ substitution with Postfix's checks (out of range,
 * $0, non-numeric, $N in a negated rule, $N in transport tables).  An
 * engine only compiles one pattern and matches it.
 */
#ifndef MAPS_MAP_PATTERN_H
#define MAPS_MAP_PATTERN_H

#include <stddef.h>

#include "maps/map.h"

struct pat_engine {
	/* compile - PAT (LEN bytes, NUL follows) with FLAGS; *NSUB gets the
	 * number of capture groups.  NULL on error with WHY filled and *ERROFF
	 * the byte offset of the error in PAT (0 when unknown) or, for a bad
	 * flag, *BADFLAG its index in FLAGS (else left as is). */
	void *(*compile)(const char *pat, size_t len, const char *flags, size_t *nsub,
			 size_t *erroff, long *badflag, char *why, size_t whylen);
	/* match - 1 match, 0 no match, -1 error (WHY filled).  OVEC gets
	 * NOVEC/2 (start, end) pairs, -1 for unset groups. */
	int (*match)(void *re, const char *key, size_t klen, long *ovec, size_t novec,
		     char *why, size_t whylen);
	void (*free)(void *re);
};

struct map *map_pattern_open(const struct map_ops *ops, const struct pat_engine *eng,
			     const char *name, const struct map_rule *rules, size_t nrules,
			     unsigned open_flags, struct map_error *err);
int map_pattern_lookup(struct map *m, const char *key, size_t klen, struct map_hit *hit,
		       struct map_error *err);
void map_pattern_close(struct map *m);

#endif
