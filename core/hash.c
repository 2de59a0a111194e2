/*
 * core/hash.c - shared hash functions (see hash.h).
 */
#include "config.h"

#include "core/hash.h"

uint64_t
hash_fnv1a(const void *s, size_t n)
{
	const unsigned char *p = s;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}
