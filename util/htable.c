/*
 * util/htable.c - the one hash table (see util/htable.h): growing and
 * removing; lookup and insertion are inline in the header.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/htable.h"

#define HTABLE_MIN 1024
#define HTABLE_MAP_MIN ((size_t)4 << 20)    /* bytes: mapped from here on */

void
htable_init(struct htable *t)
{
	memset(t, 0, sizeof(*t));
}

static void
slots_free(uint64_t *slot, size_t mapped)
{
	if (mapped)
		munmap(slot, mapped);
	else
		free(slot);
}

void
htable_fini(struct htable *t)
{
	slots_free(t->slot, t->mapped);
	htable_init(t);
}

/* slots_alloc - NCAP zeroed slots; *MAPPED gets the bytes mmap'd, or 0 */
static uint64_t *
slots_alloc(size_t ncap, size_t *mapped)
{
	size_t bytes = ncap * sizeof(uint64_t);

	*mapped = 0;
	if (bytes >= HTABLE_MAP_MIN) {
		/* big: one random access per key, huge pages spare the TLB */
		void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p != MAP_FAILED) {
#ifdef MADV_HUGEPAGE
			madvise(p, bytes, MADV_HUGEPAGE);
#endif
			*mapped = bytes;
			return p;
		}
	}
	return calloc(ncap, sizeof(uint64_t));
}

int
htable_reserve(struct htable *t, size_t n)
{
	size_t cap = t->slot ? t->mask + 1 : 0, ncap, mapped, i;
	uint64_t *ns;

	if (n <= cap / 2)
		return 0;
	if (n > SIZE_MAX / 2 / sizeof(uint64_t))
		return -1;
	ncap = cap ? cap * 2 : HTABLE_MIN;
	while (ncap / 2 < n)
		ncap *= 2;
	if ((ns = slots_alloc(ncap, &mapped)) == NULL)
		return -1;
	for (i = 0; i < cap; i++) {
		uint64_t s = t->slot[i];
		size_t j;

		if (s == 0)
			continue;
		j = htable_home((uint32_t)(s >> 32), ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = s;
	}
	slots_free(t->slot, t->mapped);
	t->slot = ns;
	t->mask = ncap - 1;
	t->mapped = mapped;
	return 0;
}

int
htable_remove(struct htable *t, uint64_t h, uint32_t id)
{
	uint32_t tag = (uint32_t)(h >> 32);
	uint64_t want = ((uint64_t)tag << 32) | id, s;
	size_t i, j;

	if (t->slot == NULL || id == 0)
		return -1;
	for (i = htable_home(tag, t->mask); t->slot[i] != want; i = (i + 1) & t->mask)
		if (t->slot[i] == 0)
			return -1;
	/* backward shift: a slot after the hole moves into it unless its home
	 * lies cyclically in (hole, slot] */
	for (j = (i + 1) & t->mask; (s = t->slot[j]) != 0; j = (j + 1) & t->mask) {
		size_t home = htable_home((uint32_t)(s >> 32), t->mask);

		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slot[i] = s;
			i = j;
		}
	}
	t->slot[i] = 0;
	t->n--;
	return 0;
}
