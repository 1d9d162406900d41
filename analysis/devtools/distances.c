/* distances: one breadth-first search in two phases (the user roots first, then from the
 * root), each from an empty queue. The order in which nodes are queued decides the parent
 * edges and which edge of a WeakMap pair is followed: the queue must keep it exactly.
 *
 * DESIGN: the queue is a ring that grows, not an array of node_count entries. At most the
 * search's frontier is in it at once: 10-25% of the nodes on real programs' snapshots, 43%
 * on the 1 GB generated one (6.65 M of 15.6 M: a ring of 8 Mi entries, 32 MiB, where the
 * array took 62.5 MB). The search runs on the second core while the dominators compute,
 * at the analysis's memory peak, where the rest of a node_count block would only add to
 * that peak. The ring starts at RING_FIRST entries and doubles when full, its entries
 * moving in order to the new block's start; from lt_big_alloc, not the pool (it must hold
 * no per-node block), freed when the search ends. */
#include "devtools/distances.h"

#include <stdlib.h>
#include <string.h>

#include "util/big_alloc.h"
#include "devtools/dominators.h"
#include "devtools/retention.h"

#define RING_FIRST ((size_t)1 << 16) /* entries: 256 KiB */

/* A FIFO of node ordinals: count entries from head, wrapping at cap. Zeroed: empty. */
typedef struct bfs_ring {
    uint32_t *items;
    size_t cap, head, count;
} bfs_ring;

typedef struct bfs_work {
    const lt_graph *g;
    const lt_weakmap_names *weakmaps;
    int32_t *distance;
    uint32_t *parent_edge; /* NULL when not wanted */
    bfs_ring queue;
    uint64_t *pending_pairs; /* WeakMap pairs whose first edge was skipped */
    int64_t native_context_name, sloppy_map_name, map_descriptors_name;
} bfs_work;

/* JavaScript's parseInt(s, 10) for the descriptor-array rule; -1 for NaN. */
static int64_t parse_int_prefix(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v')
        s++;
    int negative = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    int64_t v = 0;
    for (; *s >= '0' && *s <= '9' && v < ((int64_t)1 << 40); s++)
        v = v * 10 + (*s - '0');
    return negative ? -v - 1000000 : v; /* negatives: index < 2 holds, like JS */
}

static int follow(bfs_work *w, uint32_t from, uint32_t ei)
{
    const lt_graph *g = w->g;
    lt_edge e = lt_graph_edge(g, ei);
    int t = (int)lt_edge_type(e), node_type = g->node_type[from];
    if (node_type == g->nt.hidden && (int64_t)g->node_name[from] == w->native_context_name &&
        lt_graph_edge_has_string_name(g, (unsigned)t) && (int64_t)lt_graph_edge_name_at(g, ei) == w->sloppy_map_name)
        return 0;
    if (node_type == g->nt.array && (int64_t)g->node_name[from] == w->map_descriptors_name) {
        char buf[16];
        int64_t index = parse_int_prefix(lt_graph_edge_name(g, ei, buf, sizeof buf));
        if (index == -1)
            return 1;
        return index < 2 || index % 3 != 1;
    }
    if (t == g->et.internal && w->weakmaps->count) {
        int64_t k = lt_weakmap_names_find(w->weakmaps, lt_graph_edge_name_at(g, ei));
        if (k >= 0) {
            uint32_t pair = w->weakmaps->pair[k];
            int pending = lt_bit_get(w->pending_pairs, pair);
            w->pending_pairs[pair >> 6] ^= 1ull << (pair & 63);
            return pending;
        }
    }
    return 1;
}

/* Appends v; a full ring moves to one twice its size first, its entries in order from
 * the start (the block from lt_big_alloc: huge pages from 4 MiB, so the 32 MiB ring of
 * the 1 GB file costs 16 page faults, not 8,000). Returns 0 or LT_ENOMEM (the ring
 * unchanged). */
static int ring_push(bfs_ring *r, uint32_t v)
{
    if (r->count == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : RING_FIRST, tail = r->cap - r->head;
        uint32_t *items = lt_big_alloc(cap, sizeof *items);
        if (!items)
            return LT_ENOMEM;
        if (r->count) { /* full: from head to the end, then from 0 to head */
            memcpy(items, r->items + r->head, tail * sizeof *items);
            memcpy(items + tail, r->items, r->head * sizeof *items);
        }
        free(r->items);
        *r = (bfs_ring){items, cap, 0, r->count};
    }
    size_t at = r->head + r->count++;
    r->items[at < r->cap ? at : at - r->cap] = v;
    return 0;
}

/* Takes the oldest entry; the ring must not be empty. */
static uint32_t ring_pop(bfs_ring *r)
{
    uint32_t v = r->items[r->head];
    r->head = r->head + 1 < r->cap ? r->head + 1 : 0;
    r->count--;
    return v;
}

/* Searches on from what is queued. Returns 0 or LT_ENOMEM (the queue could not grow). */
static int bfs(bfs_work *w)
{
    const lt_graph *g = w->g;
    while (w->queue.count) {
        uint32_t v = ring_pop(&w->queue);
        int32_t d = w->distance[v] + 1;
        for (uint32_t e = g->first_edge[v]; e < g->first_edge[v + 1]; e++) {
            lt_edge edge = lt_graph_edge(g, e);
            if ((int)lt_edge_type(edge) == g->et.weak || w->distance[edge.to] != LT_DISTANCE_UNREACHABLE)
                continue;
            if (!follow(w, v, e))
                continue;
            w->distance[edge.to] = d;
            if (w->parent_edge)
                w->parent_edge[edge.to] = e;
            if (ring_push(&w->queue, edge.to))
                return LT_ENOMEM;
        }
    }
    return 0;
}

int32_t *lt_distances_compute(const lt_graph *g, const lt_weakmap_names *weakmaps, lt_pool *pool,
                              uint32_t **parent_edge, lt_error *err)
{
    uint32_t root = g->root;
    bfs_work w = {.g = g, .weakmaps = weakmaps};
    w.distance = lt_pool_alloc(pool, g->node_count, sizeof(int32_t));
    w.pending_pairs = calloc((weakmaps->count + 63) / 64 + 1, sizeof(uint64_t));
    if (parent_edge) {
        w.parent_edge = *parent_edge = lt_pool_alloc(pool, g->node_count, sizeof(uint32_t));
        if (w.parent_edge)
            memset(w.parent_edge, 0xff, (size_t)g->node_count * sizeof(uint32_t));
    }
    if (!w.distance || !w.pending_pairs || (parent_edge && !w.parent_edge))
        goto fail;
    w.native_context_name = lt_graph_find_string(g, "system / NativeContext");
    w.sloppy_map_name = lt_graph_find_string(g, "sloppy_function_map");
    w.map_descriptors_name = lt_graph_find_string(g, "(map descriptors)");
    for (uint32_t v = 0; v < g->node_count; v++)
        w.distance[v] = LT_DISTANCE_UNREACHABLE;
    for (uint32_t e = g->first_edge[root]; e < g->first_edge[root + 1]; e++) {
        uint32_t t = lt_graph_edge_to(g, e);
        if (lt_retention_is_user_root(g, t)) {
            w.distance[t] = 1;
            if (w.parent_edge)
                w.parent_edge[t] = e;
            if (ring_push(&w.queue, t))
                goto fail;
        }
    }
    int has_user_roots = w.queue.count > 0;
    if (bfs(&w))
        goto fail;
    w.distance[root] = has_user_roots ? LT_DISTANCE_SYSTEM_BASE : 0;
    w.queue.head = 0; /* empty by now (count 0): the second phase starts afresh */
    if (ring_push(&w.queue, root) || bfs(&w))
        goto fail;
    free(w.queue.items);
    free(w.pending_pairs);
    return w.distance;
fail:
    if (parent_edge) {
        free(*parent_edge);
        *parent_edge = NULL;
    }
    free(w.distance);
    free(w.queue.items);
    free(w.pending_pairs);
    lt_error_set(err, LT_ENOMEM, "out of memory computing distances");
    return NULL;
}
