/* u32vec: a growable array of uint32 (stacks, queues, lists of node
 * ordinals), grown by the rule of grow.h. Caller-allocated,
 * zero-initialised ({0}); free(v.items). */
#ifndef LT_U32VEC_H
#define LT_U32VEC_H

#include <stddef.h>
#include <stdint.h>

#include "util/grow.h"

typedef struct lt_u32vec {
    uint32_t *items;
    size_t len, cap;
} lt_u32vec;

/* Appends x. Returns 0 or LT_ENOMEM (v unchanged). */
static inline int lt_u32vec_push(lt_u32vec *v, uint32_t x)
{
    int rc = lt_reserve(&v->items, &v->cap, v->len + 1, sizeof *v->items, 256);
    if (!rc)
        v->items[v->len++] = x;
    return rc;
}

#endif
