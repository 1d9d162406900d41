/* hash: the analysis's one hash function, 64-bit FNV-1a. A hash starts at
 * LT_HASH_SEED and is continued with bytes, a NUL-terminated string or a
 * whole word, so a caller hashes a composite key (a class and an edge label,
 * a sequence of string indices) by chaining calls. The value depends only on
 * the input: the same on every run and machine. Not keyed: keep it for data
 * whose worst case costs time, not correctness (every table compares keys). */
#ifndef LT_HASH_H
#define LT_HASH_H

#include <stddef.h>
#include <stdint.h>

#define LT_HASH_SEED  14695981039346656037ull
#define LT_HASH_PRIME 1099511628211ull

/* Continues h with len bytes at p. */
static inline uint64_t lt_hash_bytes(uint64_t h, const void *p, size_t len)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < len; i++)
        h = (h ^ s[i]) * LT_HASH_PRIME;
    return h;
}

/* Continues h with the bytes of s up to its NUL (not included). */
static inline uint64_t lt_hash_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * LT_HASH_PRIME;
    return h;
}

/* Continues h with a whole word in one step (an index, a separator). */
static inline uint64_t lt_hash_word(uint64_t h, uint64_t word)
{
    return (h ^ word) * LT_HASH_PRIME;
}

#endif
