#include "devtools/shallow_sizes.h"

#include <stdlib.h>
#include <string.h>

#include "util/big_alloc.h"
#include "devtools/retention.h"
#include "util/u32vec.h"

#define UNVISITED       0xffffffffu
#define MULTIPLE_OWNERS 0xfffffffeu

static int can_be_owned(const lt_graph *g, uint32_t v)
{
    int t = g->node_type[v];
    return t == g->nt.hidden || t == g->nt.array ||
           (t == g->nt.native && !strcmp(lt_graph_node_name(g, v), "system / ExternalStringData"));
}

/* Bit t: nodes of type t may be owned (can_be_owned looks closer). */
static uint32_t ownable_types(const lt_graph *g)
{
    uint32_t mask = 0;
    int types[] = {g->nt.hidden, g->nt.array, g->nt.native};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i] >= 0 && types[i] < 32)
            mask |= 1u << types[i];
    return mask;
}

/* Spreads the owner of v to what v reaches through owned-kind nodes. A target of a
 * type not in `ownable` (ownable_types) is its own owner: the type, in a small array,
 * tells without a look at the owners (a cache miss each). */
static int spread(const lt_graph *g, uint32_t ownable, uint32_t *owners, lt_u32vec *s, uint32_t start)
{
    if (lt_u32vec_push(s, start))
        return LT_ENOMEM;
    while (s->len) {
        uint32_t v = s->items[--s->len], owner = owners[v];
        for (uint32_t e = g->first_edge[v]; e < g->first_edge[v + 1]; e++) {
            lt_edge edge = lt_graph_edge(g, e);
            uint32_t t = edge.to;
            if (!((ownable >> g->node_type[t]) & 1))
                continue;
            uint32_t current = owners[t];
            if ((int)lt_edge_type(edge) == g->et.weak || current == t || current == owner || current == MULTIPLE_OWNERS)
                continue;
            owners[t] = current == UNVISITED ? owner : MULTIPLE_OWNERS;
            if (lt_u32vec_push(s, t))
                return LT_ENOMEM;
        }
    }
    return 0;
}

static void transfer(lt_graph *g, const uint32_t *owners)
{
    for (uint32_t v = 0; v < g->node_count; v++) {
        uint32_t owner = owners[v];
        if (owner == UNVISITED || owner == MULTIPLE_OWNERS || owner == v)
            continue;
        if (g->node_type[owner] == g->nt.synthetic || owner == g->root)
            continue;
        g->self_size[owner] += g->self_size[v];
        g->self_size[v] = 0;
    }
}

int lt_shallow_sizes_apply(lt_graph *g, lt_pool *pool, lt_error *err)
{
    if (!lt_retention_has_user_roots(g))
        return 0;
    size_t n = g->node_count ? g->node_count : 1;
    uint32_t *owners = lt_pool_alloc(pool, n, sizeof *owners);
    lt_u32vec s = {0};
    const uint32_t ownable = ownable_types(g);
    int rc = owners ? 0 : LT_ENOMEM;
    for (uint32_t v = 0; !rc && v < g->node_count; v++)
        owners[v] = can_be_owned(g, v) ? UNVISITED : v;
    for (uint32_t v = 0; !rc && v < g->node_count; v++)
        if (owners[v] == v)
            rc = spread(g, ownable, owners, &s, v);
    if (!rc)
        transfer(g, owners);
    lt_pool_release(pool, owners, n * sizeof *owners);
    free(s.items);
    if (rc)
        return lt_error_set(err, LT_ENOMEM, "out of memory re-attributing shallow sizes");
    return 0;
}
