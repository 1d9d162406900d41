/* u32map: an open-addressing hash map from uint32 keys to uint32 values, for
 * the small lookup tables of the analysis (string index -> new string index,
 * class key -> aggregate). Caller-allocated struct, init/free. */
#ifndef LT_U32MAP_H
#define LT_U32MAP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct lt_u32map {
    uint32_t *keys;
    uint32_t *values;
    uint8_t *used;
    uint32_t capacity; /* a power of two */
    uint32_t count;
} lt_u32map;

/* Initialises an empty map. Returns 0 or -1 (out of memory). */
int lt_u32map_init(lt_u32map *m);
void lt_u32map_free(lt_u32map *m);

/* Returns true and sets *value when key is present. */
bool lt_u32map_get(const lt_u32map *m, uint32_t key, uint32_t *value);

/* Inserts or replaces. Returns 0 or -1 (out of memory). */
int lt_u32map_put(lt_u32map *m, uint32_t key, uint32_t value);

#endif
