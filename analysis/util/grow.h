/* grow: the one doubling rule for the analysis's typed growable arrays (a
 * pointer, a uint32 length and a uint32 capacity kept by their owner). */
#ifndef LT_GROW_H
#define LT_GROW_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for one more element: items points to the array pointer (of
 * elements of elem bytes) holding len of *cap. Doubles from `first`. Returns
 * 0, or -1 when out of memory or past 2^32-1 elements (the array untouched). */
static inline int lt_grow(void *items, uint32_t *cap, uint32_t len, size_t elem, uint32_t first)
{
    if (len < *cap)
        return 0;
    uint64_t want = *cap ? (uint64_t)*cap * 2 : first;
    if (want > UINT32_MAX || want > SIZE_MAX / elem)
        return -1;
    void *old, *grown;
    memcpy(&old, items, sizeof old);
    if (!(grown = realloc(old, (size_t)want * elem)))
        return -1;
    memcpy(items, &grown, sizeof grown);
    *cap = (uint32_t)want;
    return 0;
}

#endif
