/* u32vec: a growable array of uint32 (stacks, queues, lists of node
 * ordinals). Caller-allocated, zero-initialised ({0}); free(v.items). */
#ifndef LT_U32VEC_H
#define LT_U32VEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct lt_u32vec {
    uint32_t *items;
    size_t len, cap;
} lt_u32vec;

/* Appends x, doubling the capacity when full. Returns 0 or -1 (out of memory). */
static inline int lt_u32vec_push(lt_u32vec *v, uint32_t x)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 256;
        if (cap > SIZE_MAX / sizeof *v->items)
            return -1;
        uint32_t *items = realloc(v->items, cap * sizeof *items);
        if (!items)
            return -1;
        v->items = items;
        v->cap = cap;
    }
    v->items[v->len++] = x;
    return 0;
}

#endif
