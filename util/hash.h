/*
 * util/hash.h - the hash functions core/ shares.
 *
 * hash_fnv1a is 64-bit FNV-1a as pfconsole has always computed it: FNV's
 * prime, but the offset basis 1469598103934665603 (a digit short of FNV's
 * 14695981039346656037; harmless for hashing, kept so that values do not
 * change).  Stable across runs and machines: fit for change detection and
 * for keys of in-memory tables.  maps/map.c keeps its own copy (maps/
 * includes nothing from core/).
 */
#ifndef UTIL_HASH_H
#define UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* hash_fnv1a - the 64-bit hash above of the N bytes at S */
uint64_t hash_fnv1a(const void *s, size_t n);

/* hash_words - a 64-bit hash of the N bytes at S taken 8 bytes at a time
 * (keys are short: FNV's byte loop and its dependency chain cost a good
 * part of check's time on big tables).  For in-memory tables only: the
 * value depends on the byte order of the machine. */
uint64_t hash_words(const void *s, size_t n);

#endif
