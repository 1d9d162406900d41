/* u32map: a hash map from uint32 keys to uint32 values, for the lookup tables
 * of the analysis (string index -> new string index, name -> rank): the pairs
 * in an array in order of insertion, found through an lt_table keyed by the
 * key itself. Caller-allocated struct, init/free. */
#ifndef LT_U32MAP_H
#define LT_U32MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "util/table.h"

typedef struct lt_u32pair {
    uint32_t key, value;
} lt_u32pair;

typedef struct lt_u32map {
    lt_table table; /* entries: indices into pairs */
    lt_u32pair *pairs;
    uint32_t pair_capacity;
} lt_u32map;

/* Initialises an empty map. Returns 0 or LT_ENOMEM. */
int lt_u32map_init(lt_u32map *m);

/* Frees what the map holds; a zeroed or freed map is fine. */
void lt_u32map_free(lt_u32map *m);

/* Inserts or replaces. Returns 0 or LT_ENOMEM (the map unchanged). */
int lt_u32map_put(lt_u32map *m, uint32_t key, uint32_t value);

/* The key being looked up, for lt_table_find. */
typedef struct lt_u32map_key {
    const lt_u32pair *pairs;
    uint32_t key;
} lt_u32map_key;

static inline bool lt_u32map_holds_key(const void *key, uint32_t entry)
{
    const lt_u32map_key *k = key;
    return k->pairs[entry].key == k->key;
}

/* The slot of key in m's table: 0 when absent, else its pair index + 1. */
static inline uint32_t *lt_u32map_slot(const lt_u32map *m, uint32_t key)
{
    lt_u32map_key k = {m->pairs, key};
    return lt_table_find(&m->table, key, lt_u32map_holds_key, &k);
}

/* Returns true and sets *value when key is present. */
static inline bool lt_u32map_get(const lt_u32map *m, uint32_t key, uint32_t *value)
{
    uint32_t at = *lt_u32map_slot(m, key);
    if (at)
        *value = m->pairs[at - 1].value;
    return at != 0;
}

#endif
