#include "devtools/dom_state.h"

#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "util/u32map.h"

enum { UNKNOWN = 0, ATTACHED = 1, DETACHED = 2 };

typedef struct dom_work {
    lt_graph *g;
    uint8_t *visited;
    uint32_t *attached, *detached; /* stacks, each node at most once */
    uint32_t attached_len, detached_len;
    lt_u32map renamed; /* old name index -> "Detached " name index */
    char *buf;
    size_t buf_cap;
} dom_work;

static int rename_detached(dom_work *w, uint32_t v)
{
    lt_graph *g = w->g;
    uint32_t old = g->node_name[v], fresh;
    if (!lt_u32map_get(&w->renamed, old, &fresh)) {
        size_t len = lt_graph_string_len(g, old) + 9;
        if (lt_reserve(&w->buf, &w->buf_cap, len, 1, 256))
            return LT_ENOMEM;
        memcpy(w->buf, "Detached ", 9);
        memcpy(w->buf + 9, lt_graph_string(g, old), len - 9);
        int64_t idx = lt_graph_add_string(g, w->buf, len);
        if (idx < 0)
            return (int)idx;
        if (lt_u32map_put(&w->renamed, old, (uint32_t)idx))
            return LT_ENOMEM;
        fresh = (uint32_t)idx;
    }
    g->node_name[v] = fresh;
    return 0;
}

static int process(dom_work *w, uint32_t v, uint8_t state)
{
    lt_graph *g = w->g;
    if (w->visited[v])
        return 0;
    w->visited[v] = 1;
    if (g->node_type[v] != g->nt.native)
        return 0;
    g->detachedness[v] = state;
    if (state == ATTACHED)
        w->attached[w->attached_len++] = v;
    else if (state == DETACHED) {
        w->detached[w->detached_len++] = v;
        return rename_detached(w, v);
    }
    return 0;
}

static int propagate(dom_work *w, uint32_t v, uint8_t state)
{
    lt_graph *g = w->g;
    int rc = 0;
    for (uint32_t e = g->first_edge[v]; e < g->first_edge[v + 1] && !rc; e++) {
        int t = (int)lt_graph_edge_type(g, e);
        if (t != g->et.hidden && t != g->et.weak)
            rc = process(w, lt_graph_edge_to(g, e), state);
    }
    return rc;
}

static int run(dom_work *w)
{
    lt_graph *g = w->g;
    int rc = 0;
    for (uint32_t v = 0; v < g->node_count && !rc; v++)
        if (g->detachedness[v] != UNKNOWN)
            rc = process(w, v, g->detachedness[v]);
    while (w->attached_len && !rc)
        rc = propagate(w, w->attached[--w->attached_len], ATTACHED);
    while (w->detached_len && !rc) {
        uint32_t v = w->detached[--w->detached_len];
        if (g->detachedness[v] != ATTACHED)
            rc = propagate(w, v, DETACHED);
    }
    return rc;
}

/* Old snapshots: native nodes named "Detached ..." are detached. */
static int seed_from_names(lt_graph *g)
{
    g->detachedness = calloc(g->node_count ? g->node_count : 1, 1);
    if (!g->detachedness)
        return LT_ENOMEM;
    for (uint32_t v = 0; v < g->node_count; v++)
        if (g->node_type[v] == g->nt.native && !strncmp(lt_graph_node_name(g, v), "Detached ", 9))
            g->detachedness[v] = DETACHED;
    return 0;
}

int lt_dom_state_propagate(lt_graph *g, lt_error *err)
{
    if (!g->detachedness)
        return seed_from_names(g) ? lt_error_set(err, LT_ENOMEM, "out of memory") : 0;
    dom_work w = {.g = g};
    size_t n = g->node_count ? g->node_count : 1;
    w.visited = calloc(n, 1);
    w.attached = malloc(n * sizeof(uint32_t));
    w.detached = malloc(n * sizeof(uint32_t));
    int rc = (!w.visited || !w.attached || !w.detached || lt_u32map_init(&w.renamed)) ? LT_ENOMEM : run(&w);
    free(w.visited);
    free(w.attached);
    free(w.detached);
    free(w.buf);
    lt_u32map_free(&w.renamed);
    if (rc == LT_ELIMIT)
        return lt_error_set(err, rc, "more than 2^32-2 strings with the detached names");
    return rc ? lt_error_set(err, rc, "out of memory propagating DOM state") : 0;
}
