#include "snapshot/text_index.h"

#include <stdlib.h>
#include <string.h>

uint32_t lt_text_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

int lt_text_index_init(lt_text_index *t)
{
    t->capacity = 256;
    t->count = 0;
    t->slots = calloc(t->capacity, sizeof(uint32_t));
    return t->slots ? 0 : -1;
}

void lt_text_index_free(lt_text_index *t)
{
    free(t->slots);
    t->slots = NULL;
}

static uint32_t *find_slot(const lt_text_index *t, const lt_graph *g, const char *s, size_t len)
{
    uint32_t i = lt_text_hash(s, len) & (t->capacity - 1);
    for (;; i = (i + 1) & (t->capacity - 1)) {
        uint32_t v = t->slots[i];
        if (!v)
            return &t->slots[i];
        if (lt_graph_string_len(g, v - 1) == len && !memcmp(lt_graph_string(g, v - 1), s, len))
            return &t->slots[i];
    }
}

static int grow(lt_text_index *t, const lt_graph *g)
{
    lt_text_index bigger = {.capacity = t->capacity * 2, .count = t->count};
    bigger.slots = calloc(bigger.capacity, sizeof(uint32_t));
    if (!bigger.slots)
        return -1;
    for (uint32_t i = 0; i < t->capacity; i++)
        if (t->slots[i]) {
            uint32_t s = t->slots[i] - 1;
            *find_slot(&bigger, g, lt_graph_string(g, s), lt_graph_string_len(g, s)) = t->slots[i];
        }
    free(t->slots);
    *t = bigger;
    return 0;
}

static int64_t register_at(lt_text_index *t, uint32_t *slot, uint32_t index)
{
    *slot = index + 1;
    t->count++;
    return index;
}

int64_t lt_text_index_intern(lt_text_index *t, lt_graph *g, const char *s, size_t len)
{
    if ((t->count + 1) * 2 > t->capacity && grow(t, g))
        return -1;
    uint32_t *slot = find_slot(t, g, s, len);
    if (*slot)
        return *slot - 1;
    int64_t index = lt_graph_add_string(g, s, len);
    if (index < 0)
        return -1;
    return register_at(t, find_slot(t, g, s, len), (uint32_t)index);
}

int64_t lt_text_index_canonical(lt_text_index *t, const lt_graph *g, uint32_t i)
{
    if ((t->count + 1) * 2 > t->capacity && grow(t, g))
        return -1;
    uint32_t *slot = find_slot(t, g, lt_graph_string(g, i), lt_graph_string_len(g, i));
    return *slot ? *slot - 1 : register_at(t, slot, i);
}
