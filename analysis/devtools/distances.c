#include "devtools/distances.h"

#include <stdlib.h>
#include <string.h>

#include "util/big_alloc.h"
#include "devtools/dominators.h"
#include "devtools/retention.h"

typedef struct bfs_work {
    const lt_graph *g;
    const lt_weakmap_names *weakmaps;
    int32_t *distance;
    uint32_t *parent_edge; /* NULL when not wanted */
    uint32_t *queue;
    size_t head, tail;
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

static void bfs(bfs_work *w)
{
    const lt_graph *g = w->g;
    while (w->head < w->tail) {
        uint32_t v = w->queue[w->head++];
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
            w->queue[w->tail++] = edge.to;
        }
    }
}

int32_t *lt_distances_compute(const lt_graph *g, const lt_weakmap_names *weakmaps, lt_pool *pool,
                              uint32_t **parent_edge, lt_error *err)
{
    uint32_t root = g->root, root_edges = g->first_edge[root + 1] - g->first_edge[root];
    bfs_work w = {.g = g, .weakmaps = weakmaps};
    size_t queue_len = (size_t)g->node_count + root_edges + 1;
    w.distance = lt_pool_alloc(pool, g->node_count, sizeof(int32_t));
    w.queue = lt_pool_alloc(pool, queue_len, sizeof(uint32_t));
    w.pending_pairs = calloc((weakmaps->count + 63) / 64 + 1, sizeof(uint64_t));
    if (parent_edge) {
        w.parent_edge = *parent_edge = lt_pool_alloc(pool, g->node_count, sizeof(uint32_t));
        if (w.parent_edge)
            memset(w.parent_edge, 0xff, (size_t)g->node_count * sizeof(uint32_t));
    }
    if (!w.distance || !w.queue || !w.pending_pairs || (parent_edge && !w.parent_edge)) {
        if (parent_edge) {
            free(*parent_edge);
            *parent_edge = NULL;
        }
        free(w.distance);
        lt_pool_release(pool, w.queue, queue_len * sizeof(uint32_t));
        free(w.pending_pairs);
        lt_error_set(err, LT_ENOMEM, "out of memory computing distances");
        return NULL;
    }
    w.native_context_name = lt_graph_find_string(g, "system / NativeContext");
    w.sloppy_map_name = lt_graph_find_string(g, "sloppy_function_map");
    w.map_descriptors_name = lt_graph_find_string(g, "(map descriptors)");
    for (uint32_t v = 0; v < g->node_count; v++)
        w.distance[v] = LT_DISTANCE_UNREACHABLE;
    for (uint32_t e = g->first_edge[root]; e < g->first_edge[root + 1]; e++) {
        uint32_t t = g->edge_to[e];
        if (lt_retention_is_user_root(g, t)) {
            w.distance[t] = 1;
            if (w.parent_edge)
                w.parent_edge[t] = e;
            w.queue[w.tail++] = t;
        }
    }
    int has_user_roots = w.tail > 0;
    bfs(&w);
    w.distance[root] = has_user_roots ? LT_DISTANCE_SYSTEM_BASE : 0;
    w.head = w.tail = 0;
    w.queue[w.tail++] = root;
    bfs(&w);
    lt_pool_release(pool, w.queue, queue_len * sizeof(uint32_t));
    free(w.pending_pairs);
    return w.distance;
}
