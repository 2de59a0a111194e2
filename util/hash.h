/*
 * util/hash.h - the hash functions of pfconsole, all in this one file.
 *
 * hash_fnv1a is 64-bit FNV-1a with FNV's published offset basis and
 * prime: stable across runs and machines, fit for change detection and
 * names derived from a path.  hash_words is the fast one for in-memory
 * tables (a word at a time).  hash_bdb is not ours to choose: it is the
 * function Berkeley DB's hash files are laid out by, so the native hash:
 * reader must compute exactly it.  Nothing pfconsole writes to disk
 * depends on hash_fnv1a or hash_words.
 */
#ifndef UTIL_HASH_H
#define UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* hash_fnv1a - 64-bit FNV-1a of the N bytes at S */
uint64_t hash_fnv1a(const void *s, size_t n);

/* hash_words - a 64-bit hash of the N bytes at S taken 8 bytes at a time,
 * ending in murmur3's finalizer so that every input bit reaches both
 * halves (the explain line index groups by the upper half and compares
 * all 64 bits).  Keys are short: FNV's byte loop and its dependency chain
 * cost a good part of check's time on big tables.  For in-memory tables
 * only: the value depends on the byte order of the machine. */
uint64_t hash_words(const void *s, size_t n);

/* hash_bdb - Berkeley DB's default hash function, __ham_func5: FNV-1 with
 * the 32-bit prime, starting from 0 (not FNV's offset basis).  A file
 * format, not a choice: it must never change. */
uint32_t hash_bdb(const void *s, size_t n);

#endif
