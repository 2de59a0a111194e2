/*
 * maps/map_int.h - shared between the backends of maps/ (not for core/).
 *
 * The ops tables the registry knows, the postmap-driven fallback, and a
 * small growable byte buffer the backends use for lookup results (a value
 * is always followed by a NUL, see struct map_hit).
 */
#ifndef MAPS_MAP_INT_H
#define MAPS_MAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps/map.h"

extern const struct map_ops map_cdb_ops;
extern const struct map_ops map_hash_ops;
extern const struct map_ops map_regexp_ops;
extern const struct map_ops map_pcre_ops;

/* map_hash_native - M (a hash: map) answers through the native reader,
 * not Berkeley DB (for tests) */
bool map_hash_native(const struct map *m);

/* map_postmap_find - ops for an indexed type postmap supports that we do
 * not read natively (btree, lmdb, dbm, sdbm); NULL otherwise */
const struct map_ops *map_postmap_find(const char *type);

struct mbuf {
	char *p;
	size_t len;
	size_t cap;
};

/* mbuf_reserve - room for N more bytes plus a NUL; 0 or -1 (ENOMEM) */
int mbuf_reserve(struct mbuf *b, size_t n);
/* mbuf_add - append N bytes and keep a NUL after them */
int mbuf_add(struct mbuf *b, const void *p, size_t n);
void mbuf_fini(struct mbuf *b);

/* map_strndup - copy N bytes and NUL-terminate */
char *map_strndup(const char *s, size_t n);

/* keyset - open-addressing set of keys, for duplicate detection */
struct keyset {
	uint64_t *slot;             /* (hash32 << 32) | arena offset; 0 = empty */
	size_t mask;
	size_t n;
	struct mbuf arena;          /* [uint32 len][bytes]..., starts with one pad byte */
};

/* keyset_add - add key K (N bytes): 0 added, 1 already there, -1 ENOMEM */
int keyset_add(struct keyset *ks, const char *k, size_t n);
void keyset_fini(struct keyset *ks);
/* keyset_presize - room for N keys; 0 or -1 */
int keyset_presize(struct keyset *ks, size_t n);

#endif
