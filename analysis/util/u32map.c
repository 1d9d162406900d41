#include "util/u32map.h"

#include <stdlib.h>

static uint32_t slot_of(uint32_t key, uint32_t capacity)
{
    return (key * 2654435761u) & (capacity - 1);
}

static int alloc_table(lt_u32map *m, uint32_t capacity)
{
    m->keys = malloc(capacity * sizeof(uint32_t));
    m->values = malloc(capacity * sizeof(uint32_t));
    m->used = calloc(capacity, 1);
    m->capacity = capacity;
    m->count = 0;
    if (m->keys && m->values && m->used)
        return 0;
    lt_u32map_free(m);
    return -1;
}

int lt_u32map_init(lt_u32map *m) { return alloc_table(m, 64); }

void lt_u32map_free(lt_u32map *m)
{
    free(m->keys);
    free(m->values);
    free(m->used);
    m->keys = m->values = NULL;
    m->used = NULL;
    m->capacity = m->count = 0;
}

bool lt_u32map_get(const lt_u32map *m, uint32_t key, uint32_t *value)
{
    for (uint32_t i = slot_of(key, m->capacity);; i = (i + 1) & (m->capacity - 1)) {
        if (!m->used[i])
            return false;
        if (m->keys[i] == key) {
            *value = m->values[i];
            return true;
        }
    }
}

static int grow(lt_u32map *m)
{
    lt_u32map bigger;
    if (alloc_table(&bigger, m->capacity * 2))
        return -1;
    for (uint32_t i = 0; i < m->capacity; i++)
        if (m->used[i])
            lt_u32map_put(&bigger, m->keys[i], m->values[i]);
    lt_u32map_free(m);
    *m = bigger;
    return 0;
}

int lt_u32map_put(lt_u32map *m, uint32_t key, uint32_t value)
{
    if ((m->count + 1) * 4 > m->capacity * 3 && grow(m))
        return -1;
    uint32_t i = slot_of(key, m->capacity);
    while (m->used[i] && m->keys[i] != key)
        i = (i + 1) & (m->capacity - 1);
    if (!m->used[i]) {
        m->used[i] = 1;
        m->keys[i] = key;
        m->count++;
    }
    m->values[i] = value;
    return 0;
}
