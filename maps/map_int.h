/*
 * maps/map_int.h - shared between the backends of maps/ (not for core/).
 *
 * The ops tables the registry knows, the postmap-driven fallback, and the
 * key set used for duplicate detection.  Lookup results live in a struct
 * strbuf (util/strbuf.h: a value is always followed by a NUL, see struct
 * map_hit); the backends embed them zeroed, which strbuf allows.
 */
#ifndef MAPS_MAP_INT_H
#define MAPS_MAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps/map.h"
#include "util/htable.h"
#include "util/strbuf.h"

extern const struct map_ops map_cdb_ops;
extern const struct map_ops map_hash_ops;
extern const struct map_ops map_regexp_ops;
extern const struct map_ops map_pcre_ops;
extern const struct map_ops map_cidr_ops;

/* map_hash_native - M (a hash: map) answers through the native reader,
 * not Berkeley DB (for tests) */
bool map_hash_native(const struct map *m);
/* map_hash_fb_crash_for_test - tests only: Berkeley DB's sandboxed child
 * crashes (SIGSEGV) before each lookup, as a damaged file can make it */
extern bool map_hash_fb_crash_for_test;

/* map_postmap_find - ops for an indexed type postmap supports that we do
 * not read natively (btree, lmdb, dbm, sdbm); NULL otherwise */
const struct map_ops *map_postmap_find(const char *type);

/* map_strndup - copy N bytes and NUL-terminate */
char *map_strndup(const char *s, size_t n);

/* keyset - the set of keys seen, for duplicate detection: util/htable.h's
 * table, each key's id its offset in the arena */
struct keyset {
	struct htable t;
	struct strbuf arena;        /* [uint32 len][bytes]..., starts with one pad byte */
};

/* keyset_add - add key K (N bytes): 0 added, 1 already there, -1 ENOMEM */
int keyset_add(struct keyset *ks, const char *k, size_t n);
void keyset_fini(struct keyset *ks);
/* keyset_presize - room for N keys; 0 or -1 */
int keyset_presize(struct keyset *ks, size_t n);

#endif
