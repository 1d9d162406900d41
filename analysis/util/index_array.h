/* index_array: an array of node numbers (node ordinals, preorder numbers, edge counts of
 * one node) stored in 3 bytes an entry when every value fits in 24 bits, else in 4:
 * per-node scratch a quarter smaller on snapshots of fewer than 16.7 million nodes. The
 * width is chosen at run time, and the same code serves both: entry i is the 3 or 4
 * bytes from bytes + width * i, least significant first. Each access tests the width (a
 * test that goes the same way every time, and none at all where the caller's width is
 * a constant the compiler sees: dominators.c compiles its loops once per width).
 *
 * lt_index_get and lt_index_set touch the entry's own bytes only (a 4-byte word, or a
 * 2-byte and a 1-byte access), never its neighbour's: a load that overlaps a store still
 * in flight waits until the store is done, and loops along a path write entry i, then
 * read entry i + 1. Neighbouring entries may be written by different threads.
 * lt_index_peek reads the entry with one 4-byte load (masked), which on a 3-byte array
 * reads into the next entry: for arrays the loop does not write, or writes rarely next to
 * what it reads soon after (a stall is slow, never wrong).
 *
 * The caller allocates lt_index_array_bytes(count, width) bytes (a 3-byte array has one
 * byte of padding, for lt_index_peek), owns and frees them. Header-only: the accessors
 * are in the hot loops. */
#ifndef LT_INDEX_ARRAY_H
#define LT_INDEX_ARRAY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct lt_index_array {
    uint8_t *bytes;
    uint32_t width; /* 3 or 4 */
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
    return (lt_index_array){bytes, width};
}

/* Unaligned little-endian load and store of 2 or 4 bytes. */
static inline uint32_t lt_index_load(const uint8_t *p, unsigned bytes)
{
    uint32_t x;
    uint16_t h;
    if (bytes == 4)
        memcpy(&x, p, 4);
    else
        memcpy(&h, p, 2), x = h;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = bytes == 4 ? __builtin_bswap32(x) : __builtin_bswap16((uint16_t)x);
#endif
    return x;
}

static inline void lt_index_store(uint8_t *p, unsigned bytes, uint32_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = bytes == 4 ? __builtin_bswap32(x) : __builtin_bswap16((uint16_t)x);
#endif
    uint16_t h = (uint16_t)x;
    if (bytes == 4)
        memcpy(p, &x, 4);
    else
        memcpy(p, &h, 2);
}

static inline uint32_t lt_index_get(lt_index_array a, size_t i)
{
    const uint8_t *p = a.bytes + i * a.width;
    if (a.width == 4)
        return lt_index_load(p, 4);
    return lt_index_load(p, 2) | (uint32_t)p[2] << 16;
}

static inline uint32_t lt_index_peek(lt_index_array a, size_t i)
{
    return lt_index_load(a.bytes + i * a.width, 4) & (a.width == 4 ? UINT32_MAX : LT_INDEX_NARROW_MAX);
}

/* value must fit the width. */
static inline void lt_index_set(lt_index_array a, size_t i, uint32_t value)
{
    uint8_t *p = a.bytes + i * a.width;
    if (a.width == 4) {
        lt_index_store(p, 4, value);
    } else {
        lt_index_store(p, 2, value);
        p[2] = (uint8_t)(value >> 16);
    }
}

#endif
