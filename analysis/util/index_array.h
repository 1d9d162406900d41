/* index_array: an array of node numbers (node ordinals, preorder numbers, small counts)
 * stored in 3 bytes an entry when every value fits in 24 bits, else in 4: per-node scratch
 * a quarter smaller on snapshots of fewer than 16.7 million nodes. The width is chosen at
 * run time and both widths run the same code: entry i is the 4-byte little-endian word at
 * bytes + width * i (unaligned), masked to the width; a write reads that word and keeps its
 * bits outside the mask (the next entry's first byte), so two threads must not write
 * neighbouring entries. The caller allocates lt_index_array_bytes(count, width) bytes (one
 * byte of padding after a 3-byte array, for the last entry's word), owns and frees them.
 * Header-only: the accessors are in the hot loops. */
#ifndef LT_INDEX_ARRAY_H
#define LT_INDEX_ARRAY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct lt_index_array {
    uint8_t *bytes;
    uint32_t width; /* 3 or 4 */
    uint32_t mask;  /* the width's bits: 0xFFFFFF or 0xFFFFFFFF */
} lt_index_array;

#define LT_INDEX_NARROW_MAX 0xFFFFFFu /* the largest value a 3-byte entry holds */

/* 3 when every value to store is at most largest and fits in 3 bytes, else 4. */
static inline unsigned lt_index_width(uint64_t largest)
{
    return largest <= LT_INDEX_NARROW_MAX ? 3 : 4;
}

/* Bytes to allocate for count entries of width bytes (3 or 4). */
static inline size_t lt_index_array_bytes(size_t count, unsigned width)
{
    return count * width + (4 - width);
}

/* The array over bytes (NULL is kept as NULL) with entries of width bytes (3 or 4). */
static inline lt_index_array lt_index_array_at(void *bytes, unsigned width)
{
    return (lt_index_array){bytes, width, width == 3 ? LT_INDEX_NARROW_MAX : UINT32_MAX};
}

static inline uint32_t lt_index_word(const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, sizeof x);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap32(x);
#endif
    return x;
}

static inline uint32_t lt_index_get(lt_index_array a, size_t i)
{
    return lt_index_word(a.bytes + i * a.width) & a.mask;
}

/* value must fit the width (at most a.mask). */
static inline void lt_index_set(lt_index_array a, size_t i, uint32_t value)
{
    uint8_t *p = a.bytes + i * a.width;
    uint32_t x = (lt_index_word(p) & ~a.mask) | value;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap32(x);
#endif
    memcpy(p, &x, sizeof x);
}

#endif
