#include "snapshot/text_index.h"

#include <string.h>

#include "lt_error.h"
#include "util/hash.h"

typedef struct text_key {
    const lt_graph *g;
    const char *s;
    size_t len;
} text_key;

static uint64_t hash_of_string(const void *graph, uint32_t i)
{
    const lt_graph *g = graph;
    return lt_hash_bytes(LT_HASH_SEED, lt_graph_string(g, i), lt_graph_string_len(g, i));
}

static bool same_text(const void *key, uint32_t i)
{
    const text_key *k = key;
    return lt_graph_string_len(k->g, i) == k->len && !memcmp(lt_graph_string(k->g, i), k->s, k->len);
}

int lt_text_index_init(lt_text_index *t)
{
    return lt_table_init(&t->table, 256);
}

void lt_text_index_free(lt_text_index *t)
{
    lt_table_free(&t->table);
}

/* The slot of s[0..len): its registered string index + 1, or 0 (then an
 * insertion may follow: the table has room for one more). */
static uint32_t *find_slot(lt_text_index *t, const lt_graph *g, const char *s, size_t len)
{
    text_key key = {g, s, len};
    return lt_table_find(&t->table, lt_hash_bytes(LT_HASH_SEED, s, len), same_text, &key);
}

int64_t lt_text_index_intern(lt_text_index *t, lt_graph *g, const char *s, size_t len)
{
    if (lt_table_reserve(&t->table, hash_of_string, g))
        return LT_ENOMEM;
    uint32_t *slot = find_slot(t, g, s, len);
    if (*slot)
        return *slot - 1;
    int64_t index = lt_graph_add_string(g, s, len);
    if (index < 0)
        return index;
    lt_table_put(&t->table, slot, (uint32_t)index);
    return index;
}

int64_t lt_text_index_canonical(lt_text_index *t, const lt_graph *g, uint32_t i)
{
    if (lt_table_reserve(&t->table, hash_of_string, g))
        return LT_ENOMEM;
    uint32_t *slot = find_slot(t, g, lt_graph_string(g, i), lt_graph_string_len(g, i));
    if (*slot)
        return *slot - 1;
    lt_table_put(&t->table, slot, i);
    return i;
}
