/* grow: the one growth rule for every growable array of the analysis (typed
 * arrays, vectors, byte buffers): the capacity starts at `first` and doubles
 * until it holds what is needed; the byte size is checked for overflow; on
 * failure the array and its capacity are left as they were. Two faces:
 * lt_grow (room for one more element; uint32 length and capacity, for arrays
 * indexed by 32-bit ordinals) and lt_reserve (room for `need` elements; size_t
 * capacity, for byte buffers and vectors). The array is the caller's: a
 * pointer it frees with free(). Both return 0 or LT_ENOMEM. */
#ifndef LT_GROW_H
#define LT_GROW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lt_error.h"

/* The rule: *cap elements of elem bytes at *items (a pointer to the array
 * pointer) become at least need, at most max. */
static inline int lt_grow_to(void *items, size_t *cap, size_t need, size_t elem, size_t first, size_t max)
{
    if (need <= *cap)
        return 0;
    if (max > SIZE_MAX / elem)
        max = SIZE_MAX / elem;
    if (need > max)
        return LT_ENOMEM;
    size_t want = *cap ? *cap : first ? first : 1;
    if (want > max)
        want = max;
    while (want < need)
        want = want > max / 2 ? max : want * 2;
    void *old, *grown;
    memcpy(&old, items, sizeof old);
    if (!(grown = realloc(old, want * elem)))
        return LT_ENOMEM;
    memcpy(items, &grown, sizeof grown);
    *cap = want;
    return 0;
}

/* Room for need elements in an array whose capacity is a size_t. */
static inline int lt_reserve(void *items, size_t *cap, size_t need, size_t elem, size_t first)
{
    return lt_grow_to(items, cap, need, elem, first, SIZE_MAX);
}

/* Room for one more element after len in an array whose capacity is a
 * uint32 (at most 2^32-1 elements). */
static inline int lt_grow(void *items, uint32_t *cap, uint32_t len, size_t elem, uint32_t first)
{
    size_t c = *cap;
    int rc = lt_grow_to(items, &c, (size_t)len + 1, elem, first, UINT32_MAX);
    *cap = (uint32_t)c;
    return rc;
}

#endif
