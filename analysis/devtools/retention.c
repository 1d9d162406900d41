#include "devtools/retention.h"

#include <stdlib.h>
#include <string.h>

#include "util/big_alloc.h"
#include "util/index_array.h"
#include "devtools/dominators.h"

static int is_dom_trees_root(const lt_graph *g, uint32_t node)
{
    return g->node_type[node] == g->nt.synthetic && !strcmp(lt_graph_node_name(g, node), "(Document DOM trees)");
}

int lt_retention_is_user_root(const lt_graph *g, uint32_t node)
{
    return g->node_type[node] != g->nt.synthetic || is_dom_trees_root(g, node);
}

int lt_retention_has_user_roots(const lt_graph *g)
{
    for (uint32_t e = g->first_edge[g->root]; e < g->first_edge[g->root + 1]; e++)
        if (lt_retention_is_user_root(g, lt_graph_edge_to(g, e)))
            return 1;
    return 0;
}

/* Marks nodes reachable over non-weak edges from the root's shortcut edges
 * and its element edges to `(Document DOM trees)`. */
static uint64_t *page_owned_nodes(const lt_graph *g, lt_pool *pool)
{
    uint64_t *owned = lt_big_calloc(((size_t)g->node_count + 63) / 64 + 1, sizeof(uint64_t));
    /* A queue, not a stack: only the set matters, and a queue lets the nodes a few
     * places ahead be fetched while this one is looked at (twice as fast here). Each
     * node enters it once; in 3 bytes an entry below 2^24 nodes: a node's shortcut edge
     * to the global object puts the whole heap through it, and its block goes on to
     * the dominators' 3-byte scratch, which then finds no more of it touched. */
    size_t queue_len = (size_t)g->node_count + 1;
    const unsigned width = lt_index_width(g->node_count);
    size_t queue_bytes = lt_index_array_bytes(queue_len, width);
    const lt_index_array queue = lt_index_array_at(lt_pool_alloc(pool, queue_bytes, 1), width);
    uint32_t tail = 0;
    if (!owned || !queue.bytes) {
        free(owned);
        lt_pool_release(pool, queue.bytes, queue_bytes);
        return NULL;
    }
    for (uint32_t e = g->first_edge[g->root]; e < g->first_edge[g->root + 1]; e++) {
        lt_edge edge = lt_graph_edge(g, e);
        int t = (int)lt_edge_type(edge);
        if ((t == g->et.element && is_dom_trees_root(g, edge.to)) || t == g->et.shortcut) {
            if (!lt_bit_get(owned, edge.to))
                lt_index_set(queue, tail++, edge.to);
            lt_bit_set(owned, edge.to);
        }
    }
    for (uint32_t head = 0; head < tail; head++) {
        if (head + 16 < tail)
            __builtin_prefetch(&g->first_edge[lt_index_peek(queue, head + 16)]);
        if (head + 8 < tail)
            __builtin_prefetch(g->edge_to + (size_t)g->first_edge[lt_index_peek(queue, head + 8)] * g->edge_to_width);
        uint32_t v = lt_index_get(queue, head);
        for (uint32_t e = g->first_edge[v]; e < g->first_edge[v + 1]; e++) {
            lt_edge edge = lt_graph_edge(g, e);
            if (lt_bit_get(owned, edge.to) || (int)lt_edge_type(edge) == g->et.weak)
                continue;
            lt_bit_set(owned, edge.to);
            lt_index_set(queue, tail++, edge.to);
        }
    }
    lt_pool_release(pool, queue.bytes, queue_bytes);
    return owned;
}

static inline int is_table_to_value(const lt_graph *g, const lt_weakmap_names *w, uint32_t from, uint32_t ei)
{
    if ((int)lt_graph_edge_type(g, ei) != g->et.internal || !w->count)
        return 0;
    int64_t k = lt_weakmap_names_find(w, lt_graph_edge_name_at(g, ei));
    return k >= 0 && w->table_id[k] == lt_graph_node_id(g, from);
}

uint64_t *lt_retention_edges(const lt_graph *g, const lt_weakmap_names *weakmaps, lt_pool *pool, lt_error *err)
{
    uint64_t *owned = page_owned_nodes(g, pool);
    uint64_t *bits = lt_big_calloc(((size_t)g->edge_count + 63) / 64 + 1, sizeof(uint64_t));
    if (!owned || !bits) {
        free(owned);
        free(bits);
        lt_error_set(err, LT_ENOMEM, "out of memory classifying %u edges", g->edge_count);
        return NULL;
    }
    /* An edge retains unless it is weak, a loop, or a weak table's link to a value;
     * from the root every other edge retains; from elsewhere not a shortcut, nor an
     * edge into the page's own nodes from outside them. The edges are walked in order
     * (a node's edges follow the previous node's), each word of bits built in a
     * register; a type that never retains from a non-root node, or needs a closer look,
     * is a bit in a mask. */
    int any_owned = 0;
    for (size_t w = 0; w < ((size_t)g->node_count + 63) / 64 && !any_owned; w++)
        any_owned = owned[w] != 0;
    uint32_t never = 0, never_from_elsewhere = 0, look = 0; /* bit t: edge type t */
    if (g->et.weak >= 0)
        never |= 1u << g->et.weak;
    if (g->et.shortcut >= 0)
        never_from_elsewhere |= 1u << g->et.shortcut;
    if (g->et.internal >= 0 && weakmaps->count)
        look |= 1u << g->et.internal;
    uint64_t word = 0;
    uint32_t e = 0;
    for (uint32_t v = 0; v < g->node_count; v++) {
        uint32_t end = g->first_edge[v + 1];
        uint32_t skip = v == g->root ? never : never | never_from_elsewhere;
        int guard_owned = any_owned && v != g->root && !lt_bit_get(owned, v);
        for (; e < end; e++) {
            lt_edge edge = lt_graph_edge(g, e);
            unsigned t = lt_edge_type(edge);
            uint64_t keep = !((skip >> t) & 1) & (edge.to != v);
            if (keep && (((look >> t) & 1) || guard_owned))
                keep = !is_table_to_value(g, weakmaps, v, e) && !(guard_owned && lt_bit_get(owned, edge.to));
            word |= keep << (e & 63);
            if ((e & 63) == 63) {
                bits[e >> 6] = word;
                word = 0;
            }
        }
    }
    if (e & 63)
        bits[e >> 6] = word;
    free(owned);
    return bits;
}
