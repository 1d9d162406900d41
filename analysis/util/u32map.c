#include "util/u32map.h"

#include <stdlib.h>
#include <string.h>

#include "util/grow.h"

int lt_u32map_init(lt_u32map *m)
{
    memset(m, 0, sizeof *m);
    return lt_table_init(&m->table, 64);
}

void lt_u32map_free(lt_u32map *m)
{
    lt_table_free(&m->table);
    free(m->pairs);
    m->pairs = NULL;
    m->pair_capacity = 0;
}

static uint64_t key_of_pair(const void *owner, uint32_t entry)
{
    const lt_u32map *m = owner;
    return m->pairs[entry].key;
}

int lt_u32map_put(lt_u32map *m, uint32_t key, uint32_t value)
{
    uint32_t *slot = lt_u32map_slot(m, key);
    if (*slot) {
        m->pairs[*slot - 1].value = value;
        return 0;
    }
    uint32_t n = m->table.count, capacity = m->table.capacity;
    int rc = lt_grow(&m->pairs, &m->pair_capacity, n, sizeof *m->pairs, 32);
    if (!rc)
        rc = lt_table_reserve(&m->table, key_of_pair, m);
    if (rc)
        return rc;
    m->pairs[n] = (lt_u32pair){key, value};
    lt_table_put(&m->table, m->table.capacity == capacity ? slot : lt_u32map_slot(m, key), n);
    return 0;
}
