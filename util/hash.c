/*
 * util/hash.c - the hash functions (see hash.h).  FNV's constants appear
 * in this file only.
 */
#include "config.h"

#include <string.h>

#include "util/hash.h"

#define FNV64_OFFSET 0xcbf29ce484222325ULL      /* 14695981039346656037 */
#define FNV64_PRIME 0x100000001b3ULL            /* 1099511628211 */
#define FNV32_PRIME 0x01000193U                 /* 16777619 */

uint64_t
hash_fnv1a(const void *s, size_t n)
{
	const unsigned char *p = s;
	uint64_t h = FNV64_OFFSET;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	return h;
}

uint64_t
hash_words(const void *s, size_t n)
{
	const unsigned char *p = s;
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = (uint64_t)n * k, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	if (n) {
		w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	/* murmur3's finalizer */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

uint32_t
hash_bdb(const void *s, size_t n)
{
	const unsigned char *k = s;
	uint32_t h = 0;

	while (n--) {
		h *= FNV32_PRIME;
		h ^= *k++;
	}
	return h;
}
