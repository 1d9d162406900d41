#include "util/table.h"

#include <stdlib.h>

#include "lt_error.h"

#define MIN_CAPACITY 16u
#define MAX_CAPACITY (1u << 31)

static unsigned log2_of(uint32_t power_of_two)
{
    unsigned n = 0;
    while ((1u << n) < power_of_two)
        n++;
    return n;
}

int lt_table_init(lt_table *t, uint32_t capacity)
{
    uint32_t cap = MIN_CAPACITY;
    while (cap < capacity && cap < MAX_CAPACITY)
        cap *= 2;
    t->slots = calloc(cap, sizeof *t->slots);
    t->capacity = t->slots ? cap : 0;
    t->count = 0;
    t->shift = 64 - log2_of(cap);
    return t->slots ? 0 : LT_ENOMEM;
}

void lt_table_free(lt_table *t)
{
    free(t->slots);
    t->slots = NULL;
    t->capacity = t->count = 0;
}

int lt_table_reserve(lt_table *t, lt_table_hash_fn hash_of, const void *owner)
{
    if ((uint64_t)(t->count + 1) * 2 <= t->capacity)
        return 0;
    if (t->capacity >= MAX_CAPACITY)
        return LT_ENOMEM;
    lt_table bigger;
    if (lt_table_init(&bigger, t->capacity * 2))
        return LT_ENOMEM;
    uint32_t mask = bigger.capacity - 1;
    for (uint32_t i = 0; i < t->capacity; i++) {
        if (!t->slots[i])
            continue;
        uint32_t s = lt_table_home(&bigger, hash_of(owner, t->slots[i] - 1));
        while (bigger.slots[s])
            s = (s + 1) & mask;
        bigger.slots[s] = t->slots[i];
    }
    bigger.count = t->count;
    free(t->slots);
    *t = bigger;
    return 0;
}
