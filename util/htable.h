/*
 * util/htable.h - the one hash table of pfconsole (Postfix keeps its htable
 * in src/util too).
 *
 * Open addressing with linear probing over 8-byte slots.  A slot holds the
 * upper half of the key's 64-bit hash (the tag) and the caller's 32-bit id
 * of the entry (never 0: 0 is an empty slot).  The table does not hold
 * keys: the caller keeps its entries where it wants them (a dense array in
 * insertion order, an arena) and compares a candidate's key itself, so a
 * table costs 8 bytes a slot and a probe reads one cache line.  The load
 * factor stays at most 1/2; a table of 4 MiB or more is mapped anonymously
 * (zeroed, huge pages where the system has them).
 *
 * Lookup and insertion:
 *
 *	struct htable_probe p;
 *	uint32_t id;
 *
 *	if (htable_reserve(t, t->n + 1) < 0)	(only to insert; moves slots)
 *		return -1;
 *	htable_probe_start(t, &p, hash_words(key, n));
 *	while ((id = htable_probe_next(t, &p)) != 0)
 *		if (key_of(id) equals key)
 *			return id;
 *	htable_insert(t, &p, new_id);		(P names the free slot)
 *
 * Which hash: util/hash.h's hash_words (in memory only).  Where a table is
 * deliberately not this one, the reason is written at the site:
 * core/keydup.c (partitioned probe tables sized to the cache),
 * core/feed.c's counters (the count inline in the slot, the 64-bit hash
 * taken as the key), core/explain_kv.c's line index (a counting sort).
 */
#ifndef UTIL_HTABLE_H
#define UTIL_HTABLE_H

#include <stddef.h>
#include <stdint.h>

struct htable {
	uint64_t *slot;             /* NULL until the first reserve */
	size_t mask;                /* slots - 1 */
	size_t n;                   /* ids stored */
	size_t mapped;              /* bytes mmap'd, 0 when calloc'd */
};

/* where a lookup is: the next slot to read, the tag it looks for */
struct htable_probe {
	size_t j;
	uint32_t tag;
};

/* htable_init - an empty table (a zeroed struct htable is one too) */
void htable_init(struct htable *t);
void htable_fini(struct htable *t);

/* htable_reserve - room for N ids at load factor 1/2 (at least 1024
 * slots): 0, or -1 (ENOMEM, the table unchanged).  Moves the slots: a
 * probe started before it is no longer valid. */
int htable_reserve(struct htable *t, size_t n);

/* htable_remove - remove ID, stored with hash H (the slots after it move
 * back: no tombstones).  0, or -1 when ID is not there. */
int htable_remove(struct htable *t, uint64_t h, uint32_t id);

/* htable_home - the first slot of a tag */
static inline size_t
htable_home(uint32_t tag, size_t mask)
{
	return (size_t)(uint32_t)(tag * 2654435761U) & mask;
}

/* htable_probe_start - start looking for hash H */
static inline void
htable_probe_start(const struct htable *t, struct htable_probe *p, uint64_t h)
{
	p->tag = (uint32_t)(h >> 32);
	p->j = t->slot ? htable_home(p->tag, t->mask) : 0;
}

/* htable_probe_next - the next id stored with H's tag, or 0 when there is
 * none left; then P names the free slot where H's key goes */
static inline uint32_t
htable_probe_next(const struct htable *t, struct htable_probe *p)
{
	uint64_t s;

	if (t->slot == NULL)
		return 0;
	while ((s = t->slot[p->j]) != 0) {
		p->j = (p->j + 1) & t->mask;
		if ((uint32_t)(s >> 32) == p->tag)
			return (uint32_t)s;
	}
	return 0;
}

/* htable_insert - store ID (not 0) in the free slot P ended on, after
 * htable_probe_next returned 0 (and htable_reserve made room before the
 * probe started) */
static inline void
htable_insert(struct htable *t, const struct htable_probe *p, uint32_t id)
{
	t->slot[p->j] = ((uint64_t)p->tag << 32) | id;
	t->n++;
}

/* htable_prefetch - start loading H's first slot (for a caller that
 * looks up several keys in a row) */
static inline void
htable_prefetch(const struct htable *t, uint64_t h)
{
	if (t->slot)
		__builtin_prefetch(&t->slot[htable_home((uint32_t)(h >> 32), t->mask)]);
}

#endif
