/* DESIGN
 * Semi-NCA over the retaining ("essential") edges:
 *   1. iterative DFS preorder from the root, then from each node that has no
 *      retaining edge into it (a bit per node), then each still unvisited node
 *      on its own (the last group: cycles held only weakly; their edges are
 *      ignored). The retaining edges come as bits (lt_dominators_start) or are
 *      classified by the retention rule as the DFS looks at them
 *      (lt_dominators_start_classifying, walk_from_root): the DFS from the root then
 *      walks from the root's seeds first, whose nodes are the page's own, completes
 *      the page's own from what that walk met over other edges (spread_owned), and
 *      goes on from the root's other edges, where an edge from outside the page's own
 *      into it does not retain. One walk of the heap where a search of the page's own
 *      and the DFS made two;
 *   2. predecessor lists by preorder number (CSR; counted by the DFS as it looks
 *      at each edge, filled in one pass), so step 3 reads them in order; only
 *      sources numbered after their target are listed, for the others only the
 *      smallest number counts (kept in label[]);
 *   3. semidominators in reverse preorder with path-compressed eval, where
 *      the start nodes of steps 2b/2c take the root as their semidominator;
 *   4. immediate dominators by walking up the partial tree (the NCA step);
 *   5. retained sizes summed child-to-dominator in reverse preorder;
 *   6. the dominated lists (children by ordinal), then each node's subtree height taken
 *      up the tree in reverse preorder like the sizes (the chain search follows the
 *      tallest child), beside step 5 on a second thread.
 * All per-node scratch is indexed by preorder number (1-based, 0 = none). Every scratch
 * value but the predecessor lists' offsets is a node number or an edge count of one node,
 * so the scratch is index arrays (index_array.h) of 3 bytes an entry when those fit in 24
 * bits (lt_dominators_index_bytes), else 4. pred_start holds 4-byte offsets into pred
 * while step 2 fills the lists, then, in place, each list's length as an index array
 * (step 3 reads the lists from the last one back): the block's last quarter is given
 * back to the kernel for the semidominators, the analysis's memory peak (15.6 MB on the
 * 1 GB file). A length past 24 bits (more than 16.7 million predecessors of one node)
 * is kept whole in a map. */
#include "devtools/dominators.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "devtools/retention.h"
#include "util/grow.h"
#include "util/index_array.h"
#include "util/u32map.h"
#include "util/u32vec.h"

struct lt_dominator_work {
    const lt_graph *g;
    const uint64_t *essential;
    /* Classifying as the DFS walks (lt_dominators_start_classifying), else NULL: then
     * essential points at classified, the bits the walk writes, and owned holds the page's
     * own nodes by ordinal (seeding while the walk from the seeds runs; spread_from the
     * nodes they reach other than over a retaining edge, to search on from). */
    const lt_retention_rule *rule;
    uint64_t *classified;
    uint64_t *owned;
    lt_u32vec spread_from;
    bool seeding;
    lt_pool *pool;
    uint64_t pred_count;
    unsigned width;        /* bytes an entry of the index arrays below (3 or 4) */
    uint32_t n;            /* numbered so far */
    uint32_t reached;      /* numbers <= reached came from a DFS */
    uint32_t root_reached; /* numbers <= root_reached: the root's DFS */
    uint64_t *has_pred;    /* per node ordinal the root's DFS did not reach: a retaining edge points to it */
    uint32_t *pred_start;  /* per number (1..n+1): its list's start, then length, then semi (top) */
    uint32_t pred_total;   /* entries in pred */
    lt_u32map long_lists;  /* number -> length, for lengths too long for the index width */
    uint32_t long_from;    /* lengths from here on go to long_lists (LT_INDEX_NARROW_MAX, at width 3) */
    /* index arrays (index_array.h), of slots (node_count + 1) entries but pred */
    uint8_t *pred;     /* numbers of the retaining edges' sources (only those <= reached) */
    uint8_t *number;   /* per node ordinal: preorder number or 0 */
    uint8_t *vertex;   /* per number: node ordinal */
    uint8_t *parent;   /* per number: DFS parent's number */
    uint8_t *label;    /* per number (DFS: the next edge less the node's first) */
    uint8_t *ancestor; /* per number (later: immediate dominator) */
};
typedef struct lt_dominator_work dom_work;

/* The loops over the index arrays are written once and compiled twice, for a width of 3
 * and of 4 bytes: a function marked SPECIALISED takes the width as an argument and is
 * inlined into each of the two copies the dispatching functions (semi_nca, sum_retained)
 * choose from, where the width is a constant (no test of it at each access). */
#define SPECIALISED static inline __attribute__((always_inline))

unsigned lt_dominators_index_bytes(const lt_graph *g)
{
    uint32_t widest = 0; /* the most edges of one node: the DFS's cursor goes up to it */
    if (g->edge_count > LT_INDEX_NARROW_MAX)
        for (uint32_t v = 0; v < g->node_count; v++) {
            uint32_t edges = g->first_edge[v + 1] - g->first_edge[v];
            widest = edges > widest ? edges : widest;
        }
    uint64_t largest = (uint64_t)g->node_count + 1;
    return lt_index_width(widest > largest ? widest : largest);
}

/* An index array of count entries from the pool, zeroed when zero is set; 0 or LT_ENOMEM. */
static int index_alloc(dom_work *w, uint8_t **a, size_t count, int zero)
{
    size_t bytes = lt_index_array_bytes(count, w->width);
    *a = zero ? lt_pool_calloc(w->pool, bytes, 1) : lt_pool_alloc(w->pool, bytes, 1);
    return *a ? 0 : LT_ENOMEM;
}

static void index_release(dom_work *w, uint8_t **a, size_t count)
{
    lt_pool_release(w->pool, *a, lt_index_array_bytes(count, w->width));
    *a = NULL;
}

/* Where the edges of a node the classifying walk enters come from, for the rule. */
enum edge_source { FROM_ROOT, FROM_OWN, FROM_OTHER };

static inline enum edge_source source_of(const dom_work *w, uint32_t v)
{
    return v == w->g->root ? FROM_ROOT : lt_bit_get(w->owned, v) ? FROM_OWN : FROM_OTHER;
}

/* Whether edge e of v (into t) retains, by the retention rule (retention.h), its bit set
 * when it does. While the walk from the seeds runs (every node it enters is the page's
 * own), a target the page's own reach over a non-weak edge that is not retaining (a
 * shortcut, a WeakMap table's link to a value) or the root is kept in spread_from: the
 * DFS will not number it from there. Returns -1 when that list cannot grow. */
static inline int classify_edge(dom_work *w, enum edge_source from, uint32_t v, uint32_t e, uint32_t t)
{
    const lt_retention_rule *r = w->rule;
    unsigned type = lt_graph_edge_type(w->g, e);
    int keep = lt_retention_keeps(r, from == FROM_ROOT, v, e, type, t);
    if (keep && from == FROM_OTHER && lt_bit_get(w->owned, t))
        keep = 0; /* from outside the page's own into them */
    if (keep)
        lt_bit_set(w->classified, e);
    if (w->seeding && (!keep || t == w->g->root) && t != v && !((r->never >> type) & 1u) &&
        lt_u32vec_push(&w->spread_from, t))
        return -1;
    return keep;
}

/* Gives v the number k (its DFS parent's number is parent_number); returns k. */
SPECIALISED uint32_t visit(const lt_index_array number, const lt_index_array vertex, const lt_index_array parent,
                           uint32_t k, uint32_t v, uint32_t parent_number)
{
    lt_index_set(number, v, k);
    lt_index_set(vertex, k, v);
    lt_index_set(parent, k, parent_number);
    return k;
}

/* Iterative DFS; w->label doubles as the "next edge" cursor of the nodes on the current
 * path, by number (so it is written next to the numbers just given out) and counted
 * from the node's first edge (so it fits the index width: lt_dominators_index_bytes).
 * Every retaining edge of a node it enters is looked at exactly once (the cursor moves
 * past the edge it descends by); an edge into a node numbered earlier is counted into
 * that node's predecessor count (pred_start, by number), the lists step 2 builds. The
 * current node's number is carried along, so going back up reads parent[] and
 * vertex[] but never number[] at a random place (0.26 s -> 0.21 s on the 1 GB file).
 * (Here and in the other loops the arrays are copied into locals: the index arrays'
 * byte stores would otherwise make the compiler load every pointer again.) */
SPECIALISED int dfs(dom_work *w, unsigned width, int classify, uint32_t start, uint32_t parent_number)
{
    const uint32_t *first_edge = w->g->first_edge;
    const lt_index_array edge_to = lt_index_array_at(w->g->edge_to, w->g->edge_to_width);
    const uint64_t *essential = w->essential;
    const lt_index_array next_edge = lt_index_array_at(w->label, width), number = lt_index_array_at(w->number, width);
    const lt_index_array parent = lt_index_array_at(w->parent, width), vertex = lt_index_array_at(w->vertex, width);
    uint32_t *pred_count = w->pred_start, n = w->n;
    uint64_t counted = 0;
    uint32_t v = start, kv = lt_index_get(number, v); /* the root, numbered before the walks from its seeds */
    if (!kv)
        kv = visit(number, vertex, parent, ++n, v, parent_number); /* the node and its number */
    if (classify && w->seeding)
        lt_bit_set(w->owned, v);
    enum edge_source from = classify ? source_of(w, v) : FROM_OTHER;
    uint32_t first = first_edge[v], e = first;
    int rc = 0;
    while (1) {
        uint32_t end = first_edge[v + 1], child = UINT32_MAX;
        for (; e < end; e++) { /* the edge's bit (or rule) first: it is read in order, number[] at random */
            uint32_t t;
            if (classify) {
                t = lt_index_peek(edge_to, e);
                int keep = classify_edge(w, from, v, e, t);
                if (keep <= 0) {
                    rc |= keep;
                    continue;
                }
            } else {
                if (!lt_bit_get(essential, e))
                    continue;
                t = lt_index_peek(edge_to, e);
            }
            uint32_t nt = lt_index_peek(number, t); /* written at random places */
            if (!nt) {
                child = t;
                break;
            }
            if (nt < kv) {
                pred_count[nt]++;
                counted++;
            }
        }
        if (child != UINT32_MAX) {
            lt_index_set(next_edge, kv, e + 1 - first);
            kv = visit(number, vertex, parent, ++n, child, kv);
            v = child;
            if (classify) {
                if (w->seeding)
                    lt_bit_set(w->owned, v);
                from = source_of(w, v);
            }
            e = first = first_edge[v];
            continue;
        }
        if (v == start)
            break;
        kv = lt_index_get(parent, kv);
        v = lt_index_get(vertex, kv);
        if (classify)
            from = source_of(w, v);
        first = first_edge[v];
        e = first + lt_index_get(next_edge, kv);
    }
    w->n = n;
    w->pred_count += counted;
    return rc ? LT_ENOMEM : 0;
}

/* One bit per node the root's DFS did not reach: whether any retaining edge points to
 * it (the DFS starts of step 2b are those without). Such an edge comes from a node that
 * DFS did not reach either (it follows every retaining edge of what it reaches), so only
 * their edges are looked at: a few on a node snapshot, where the root reaches almost
 * every node. */
SPECIALISED int mark_unreached_targets(dom_work *w, unsigned width)
{
    const lt_graph *g = w->g;
    const lt_index_array number = lt_index_array_at(w->number, width);
    w->has_pred = calloc(((size_t)g->node_count + 63) / 64 + 1, sizeof(uint64_t)); /* small: not from the pool */
    if (!w->has_pred)
        return LT_ENOMEM;
    for (uint32_t v = 0; v < g->node_count; v++) {
        if (lt_index_get(number, v))
            continue;
        enum edge_source from = w->rule ? source_of(w, v) : FROM_OTHER; /* classified here: no walk entered v */
        for (uint32_t e = g->first_edge[v]; e < g->first_edge[v + 1]; e++) {
            uint32_t t = lt_graph_edge_to(g, e);
            if (w->rule ? classify_edge(w, from, v, e, t) > 0 : lt_bit_get(w->essential, e))
                lt_bit_set(w->has_pred, t);
        }
    }
    return 0;
}

/* The page's own nodes the walk from the seeds did not enter: from those in spread_from,
 * every node reached over non-weak edges (the search lt_retention_edges makes over the
 * whole heap, here over the few the walk leaves). Returns 0 or LT_ENOMEM. */
static int spread_owned(dom_work *w)
{
    const lt_graph *g = w->g;
    lt_u32vec *queue = &w->spread_from;
    size_t kept = 0;
    for (size_t i = 0; i < queue->len; i++) {
        uint32_t v = queue->items[i];
        if (!lt_bit_get(w->owned, v)) {
            lt_bit_set(w->owned, v);
            queue->items[kept++] = v;
        }
    }
    queue->len = kept;
    for (size_t head = 0; head < queue->len; head++) {
        uint32_t v = queue->items[head];
        for (uint32_t e = g->first_edge[v]; e < g->first_edge[v + 1]; e++) {
            uint32_t t = lt_graph_edge_to(g, e);
            if ((int)lt_graph_edge_type(g, e) == g->et.weak || lt_bit_get(w->owned, t))
                continue;
            lt_bit_set(w->owned, t);
            if (lt_u32vec_push(queue, t))
                return LT_ENOMEM;
        }
    }
    return 0;
}

/* The walk from the root when it classifies (lt_dominators_start_classifying): the root
 * first, then a DFS from each of its seeds (their nodes are the page's own), the rest of
 * the page's own (spread_owned), then the DFS from the root over all its edges. Any order
 * of a node's edges makes a DFS, and the dominators do not depend on which. */
SPECIALISED int walk_from_root(dom_work *w, unsigned width)
{
    const lt_graph *g = w->g;
    const lt_index_array number = lt_index_array_at(w->number, width);
    uint32_t root = g->root;
    visit(number, lt_index_array_at(w->vertex, width), lt_index_array_at(w->parent, width), ++w->n, root, 0);
    w->seeding = true;
    for (uint32_t i = 0; i < w->rule->seed_count; i++) {
        uint32_t t = lt_graph_edge_to(g, w->rule->seed_edges[i]);
        if (!lt_index_get(number, t)) {
            if (dfs(w, width, 1, t, 1))
                return LT_ENOMEM;
        } else if (!lt_bit_get(w->owned, t) && lt_u32vec_push(&w->spread_from, t)) {
            return LT_ENOMEM;
        }
    }
    w->seeding = false;
    if (spread_owned(w))
        return LT_ENOMEM;
    free(w->spread_from.items);
    w->spread_from = (lt_u32vec){0};
    return dfs(w, width, 1, root, 0);
}

SPECIALISED int number_nodes(dom_work *w, unsigned width)
{
    const lt_graph *g = w->g;
    const lt_index_array number = lt_index_array_at(w->number, width);
    if (w->rule ? walk_from_root(w, width) : dfs(w, width, 0, g->root, 0))
        return LT_ENOMEM;
    w->root_reached = w->n;
    if (mark_unreached_targets(w, width))
        return LT_ENOMEM;
    free(w->owned); /* every edge is classified by now */
    w->owned = NULL;
    for (uint32_t v = 0; v < g->node_count; v++)
        if (!lt_index_get(number, v) && !lt_bit_get(w->has_pred, v))
            dfs(w, width, 0, v, 1);
    w->reached = w->n;
    const lt_index_array vertex = lt_index_array_at(w->vertex, width), parent = lt_index_array_at(w->parent, width);
    for (uint32_t v = 0; v < g->node_count; v++)
        if (!lt_index_get(number, v))
            visit(number, vertex, parent, ++w->n, v, 1);
    return 0;
}

/* Pass over the retaining edges whose source a DFS reached. A source numbered before
 * its target is what step 3 would find as itself (nothing before it is linked yet):
 * only the smallest such number matters, kept in label[target] (which starts as the
 * target's own number); the others go into pred, each list backwards from its end. */
SPECIALISED void fill_predecessors(dom_work *w, unsigned width)
{
    const lt_graph *g = w->g;
    const uint32_t *first_edge = g->first_edge, nodes = g->node_count, reached = w->reached;
    const lt_index_array edge_to = lt_index_array_at(g->edge_to, g->edge_to_width);
    const uint64_t *essential = w->essential;
    const lt_index_array number = lt_index_array_at(w->number, width), pred = lt_index_array_at(w->pred, width);
    const lt_index_array label = lt_index_array_at(w->label, width);
    uint32_t *pred_start = w->pred_start;
    for (uint32_t s = 0; s < nodes; s++) {
        uint32_t ns = lt_index_peek(number, s);
        if (ns > reached)
            continue;
        for (uint32_t e = first_edge[s]; e < first_edge[s + 1]; e++) {
            if (!lt_bit_get(essential, e))
                continue;
            uint32_t nt = lt_index_peek(number, lt_index_peek(edge_to, e));
            if (ns > nt)
                lt_index_set(pred, --pred_start[nt], ns);
            else if (ns < lt_index_peek(label, nt)) /* written at random places */
                lt_index_set(label, nt, ns);
        }
    }
}

/* Turns pred_start's offsets into the lists' lengths, an index array over the same
 * block (entry k written after start[k] and start[k + 1] are read, and it ends below
 * start[k + 1]'s bytes), then gives the block's unused end back. 0 or LT_ENOMEM. */
SPECIALISED int lengths_from_starts(dom_work *w, unsigned width)
{
    uint32_t n = w->n, *start = w->pred_start;
    const lt_index_array length = lt_index_array_at(start, width);
    w->pred_total = start[n + 1];
    for (uint32_t k = 0; k <= n; k++) {
        uint32_t len = start[k + 1] - start[k];
        if (len >= w->long_from && width == 3) {
            if ((!w->long_lists.pairs && lt_u32map_init(&w->long_lists)) || lt_u32map_put(&w->long_lists, k, len))
                return LT_ENOMEM;
            len = w->long_from;
        }
        lt_index_set(length, k, len);
    }
    size_t used = lt_index_array_bytes((size_t)n + 2, width), block = ((size_t)w->g->node_count + 2) * sizeof *start;
    if (used < block)
        lt_big_discard((uint8_t *)start + used, block - used);
    return 0;
}

/* Predecessor lists by preorder number (CSR), built after the numbering (which
 * counted them): the semidominator loop then reads them in order instead of looking
 * each source's number up. Edges from nodes no DFS reached are left out (step 3
 * ignores them). */
SPECIALISED int build_predecessors(dom_work *w, unsigned width)
{
    uint32_t n = w->n;
    if (index_alloc(w, &w->pred, w->pred_count ? w->pred_count : 1, 0))
        return LT_ENOMEM;
    /* filled at random: backed first, on 4 KiB pages when huge ones come slow (the 1 GB
     * file's lists, 6 alternating runs: 0.15-0.42 s, 0.17 s of it in the kernel, against
     * 0.17-0.22 s) */
    int small = 0;
    size_t bytes = lt_index_array_bytes(w->pred_count ? w->pred_count : 1, width);
    lt_big_back_block(w->pred, bytes, bytes, &small);
    uint32_t end = 0; /* pred_start[k] = end of k's list, filled backwards */
    for (uint32_t k = 0; k <= n; k++) {
        end += w->pred_start[k];
        w->pred_start[k] = end;
    }
    w->pred_start[n + 1] = end;
    const lt_index_array label = lt_index_array_at(w->label, width);
    for (uint32_t k = 1; k <= n; k++)
        lt_index_set(label, k, k);
    fill_predecessors(w, width);
    return lengths_from_starts(w, width);
}

/* Steps 1-2: the preorder numbering, then the predecessor lists by number. Every
 * per-node index array has slots (n + 1) entries, so ancestor[] takes number[]'s block. */
SPECIALISED int number_and_link(dom_work *w, unsigned width)
{
    size_t slots = (size_t)w->g->node_count + 1;
    w->pred_start = lt_pool_calloc(w->pool, slots + 1, sizeof(uint32_t));
    if (!w->pred_start || index_alloc(w, &w->number, slots, 1) || index_alloc(w, &w->vertex, slots, 0) ||
        index_alloc(w, &w->parent, slots, 0) || index_alloc(w, &w->label, slots, 0))
        return LT_ENOMEM;
    if (number_nodes(w, width))
        return LT_ENOMEM;
    free(w->has_pred);
    w->has_pred = NULL;
    if (build_predecessors(w, width))
        return LT_ENOMEM;
    free(w->classified); /* read last by the predecessors */
    w->classified = NULL;
    w->essential = NULL;
    index_release(w, &w->number, slots);
    return index_alloc(w, &w->ancestor, slots, 0);
}

typedef struct path_stack {
    uint32_t *items;
    size_t cap;
} path_stack;

/* Path-compressing eval: the smallest semidominator on the path from u up to
 * (not including) the root of its tree in the linked forest. label[x] holds
 * that value itself (not the vertex it belongs to: Semi-NCA needs only the
 * value), x for a number not linked yet. The numbers linked are those after k,
 * the number whose semidominator step 3 is looking for: x is linked when x > k
 * (no need to load anc[x] to see it). The walk up peeks (index_array.h): it
 * writes nothing, and what was written last is rarely next to what it reads; the
 * compression reads what it has just written, so exactly. Returns 0 when the path
 * stack cannot grow (out of memory). */
SPECIALISED uint32_t eval(const lt_index_array anc, const lt_index_array label, uint32_t u, uint32_t k, path_stack *ps)
{
    uint32_t up = lt_index_peek(anc, u), label_u = lt_index_peek(label, u); /* loaded side by side */
    if (up <= k) /* the usual case: u hangs right below its tree's root, nothing to compress */
        return label_u;
    size_t depth = 0;
    for (uint32_t top = u; up > k; top = up, up = lt_index_peek(anc, up)) {
        if (lt_reserve(&ps->items, &ps->cap, depth + 1, sizeof *ps->items, 4096))
            return 0;
        ps->items[depth++] = top;
    }
    const uint32_t *stack = ps->items;
    while (depth) {
        uint32_t x = stack[--depth], ax = lt_index_get(anc, x), label_ax = lt_index_get(label, ax);
        if (label_ax < lt_index_get(label, x))
            lt_index_set(label, x, label_ax);
        lt_index_set(anc, x, lt_index_get(anc, ax));
    }
    return lt_index_get(label, u);
}

/* The length of k's predecessor list. */
SPECIALISED uint32_t list_length(const dom_work *w, lt_index_array length, unsigned width, uint32_t k)
{
    uint32_t len = lt_index_get(length, k);
    if (width == 3 && len >= w->long_from)
        lt_u32map_get(&w->long_lists, k, &len);
    return len;
}

/* Step 3, the lists read from the last back. semi(k) is kept as pred_start's entry
 * k + 1, which no list needs once k is done: no array of its own. */
SPECIALISED int semidominators(dom_work *w, unsigned width)
{
    const uint32_t n = w->n, reached = w->reached;
    const lt_index_array anc = lt_index_array_at(w->ancestor, width), label = lt_index_array_at(w->label, width);
    const lt_index_array pred = lt_index_array_at(w->pred, width), parent = lt_index_array_at(w->parent, width);
    const lt_index_array length = lt_index_array_at(w->pred_start, width);
    uint32_t last = w->pred_total; /* the end of k's list */
    path_stack stack = {NULL, 0};
    if (lt_reserve(&stack.items, &stack.cap, 4096, sizeof *stack.items, 4096))
        return LT_ENOMEM;
    memset(anc.bytes, 0, lt_index_array_bytes((size_t)n + 1, width));
    for (uint32_t k = n; k >= 2; k--) {
        uint32_t first = last - list_length(w, length, width, k);
        uint32_t s = lt_index_get(label, k); /* k, or its smallest predecessor numbered before it */
        if (k > reached || (first == last && s == k))
            s = 1; /* no retaining edge into k: the root holds it */
        for (uint32_t p = first; p < last && s > 1; p++) {
            uint32_t u = eval(anc, label, lt_index_peek(pred, p), k, &stack);
            if (!u) {
                free(stack.items);
                return LT_ENOMEM;
            }
            if (u < s)
                s = u;
        }
        lt_index_set(label, k, s);
        lt_index_set(length, k + 1, s);
        last = first;
        lt_index_set(anc, k, lt_index_peek(parent, k));
    }
    free(stack.items);
    return 0;
}

/* NCA step: idom(k) = the nearest ancestor of k in the partial tree whose
 * number is <= semi(k). Reuses ancestor[] as idom[]. */
SPECIALISED void immediate_dominators(dom_work *w, unsigned width)
{
    const lt_index_array idom = lt_index_array_at(w->ancestor, width), parent = lt_index_array_at(w->parent, width);
    const lt_index_array semi_of_previous = lt_index_array_at(w->pred_start, width); /* semi(k): entry k + 1 */
    lt_index_set(idom, 1, 1);
    for (uint32_t k = 2; k <= w->n; k++) {
        uint32_t d = lt_index_peek(parent, k), semi = lt_index_peek(semi_of_previous, k + 1);
        while (d > semi)
            d = lt_index_get(idom, d);
        lt_index_set(idom, k, d);
    }
}

/* The immediate dominator of each node, by ordinal. */
SPECIALISED int collect_dominators(dom_work *w, unsigned width, lt_dominator_tree *out)
{
    uint32_t *dominator = out->dominator = lt_pool_alloc(w->pool, w->g->node_count, sizeof(uint32_t));
    if (!dominator)
        return LT_ENOMEM;
    const lt_index_array vertex = lt_index_array_at(w->vertex, width), idom = lt_index_array_at(w->ancestor, width);
    for (uint32_t k = 1; k <= w->n; k++)
        dominator[lt_index_peek(vertex, k)] = lt_index_peek(vertex, lt_index_peek(idom, k));
    return 0;
}

/* Steps 1-4, into out->dominator; vertex[] stays for step 5. Returns 0 or LT_ENOMEM
 * (the caller frees what is left). */
SPECIALISED int semi_nca_as(dom_work *w, unsigned width, lt_dominator_tree *out)
{
    size_t slots = (size_t)w->g->node_count + 1;
    if (number_and_link(w, width) || semidominators(w, width))
        return LT_ENOMEM;
    index_release(w, &w->pred, w->pred_count ? w->pred_count : 1);
    lt_u32map_free(&w->long_lists);
    /* Of the five per-node blocks, pred_start's goes on to the dominators, parent's and
     * ancestor's to the dominated lists, vertex's (after step 5) to the findings' scratch
     * (analysis.c), label's to the subtree heights (step 5; the tree owns them from here). */
    out->height = w->label;
    out->height_width = width;
    out->height_bytes = lt_pool_disown(w->pool, w->label, lt_index_array_bytes(slots, width));
    w->label = NULL;
    immediate_dominators(w, width);
    lt_pool_release(w->pool, w->pred_start, (slots + 1) * sizeof(uint32_t));
    w->pred_start = NULL;
    if (collect_dominators(w, width, out))
        return LT_ENOMEM;
    index_release(w, &w->parent, slots);
    index_release(w, &w->ancestor, slots);
    return 0;
}

static int semi_nca(dom_work *w, lt_dominator_tree *out)
{
    return w->width == 3 ? semi_nca_as(w, 3, out) : semi_nca_as(w, 4, out);
}

static int by_wide_node(const void *x, const void *y)
{
    uint32_t a = ((const lt_wide_retained *)x)->node, b = ((const lt_wide_retained *)y)->node;
    return a < b ? -1 : a > b;
}

/* Step 5: retained sizes, each node's added to its dominator's in reverse preorder (a
 * node's size is whole when it is added: its tree descendants come after it in
 * preorder). The low 32 bits in out->retained; the high ones, which only carries make,
 * in a map while summing, then sorted into out->wide. 0 or LT_ENOMEM. */
SPECIALISED int sum_retained_as(dom_work *w, unsigned width, const uint32_t *self_size, lt_dominator_tree *out)
{
    uint32_t nodes = w->g->node_count, *low = out->retained;
    const uint32_t *dominator = out->dominator;
    const lt_index_array vertex = lt_index_array_at(w->vertex, width);
    memcpy(low, self_size, (size_t)nodes * sizeof *low);
    lt_u32map high = {0};
    bool wide = false;
    for (uint32_t k = w->n; k >= 2; k--) {
        uint32_t v = lt_index_peek(vertex, k), d = dominator[v], v_high = 0, d_high = 0;
        if (wide)
            lt_u32map_get(&high, v, &v_high);
        uint32_t sum = low[d] + low[v], carry = sum < low[v];
        low[d] = sum;
        if (!(v_high | carry))
            continue;
        if (!wide && lt_u32map_init(&high))
            return LT_ENOMEM;
        wide = true;
        lt_u32map_get(&high, d, &d_high);
        if (lt_u32map_put(&high, d, d_high + v_high + carry)) {
            lt_u32map_free(&high);
            return LT_ENOMEM;
        }
    }
    if (!wide)
        return 0;
    uint32_t count = 0;
    for (uint32_t i = 0; i < high.table.count; i++)
        count += high.pairs[i].value != 0;
    if (!(out->wide = malloc((size_t)count * sizeof *out->wide))) {
        lt_u32map_free(&high);
        return LT_ENOMEM;
    }
    for (uint32_t i = 0; i < high.table.count; i++)
        if (high.pairs[i].value)
            out->wide[out->wide_count++] = (lt_wide_retained){high.pairs[i].key, high.pairs[i].value};
    lt_u32map_free(&high);
    qsort(out->wide, out->wide_count, sizeof *out->wide, by_wide_node);
    return 0;
}

uint32_t lt_retained_high(const lt_dominator_tree *t, uint32_t v)
{
    lt_wide_retained key = {v, 0};
    const lt_wide_retained *at = bsearch(&key, t->wide, t->wide_count, sizeof key, by_wide_node);
    return at ? at->high : 0;
}

static int sum_retained(dom_work *w, const uint32_t *self_size, lt_dominator_tree *out)
{
    return w->width == 3 ? sum_retained_as(w, 3, self_size, out) : sum_retained_as(w, 4, self_size, out);
}

static void work_free(dom_work *w)
{
    size_t slots = (size_t)w->g->node_count + 1;
    free(w->has_pred);
    w->has_pred = NULL;
    free(w->classified);
    free(w->owned);
    free(w->spread_from.items);
    w->classified = w->owned = NULL;
    w->spread_from = (lt_u32vec){0};
    lt_pool_release(w->pool, w->pred_start, (slots + 1) * sizeof(uint32_t));
    w->pred_start = NULL;
    lt_u32map_free(&w->long_lists);
    index_release(w, &w->pred, w->pred_count ? w->pred_count : 1);
    index_release(w, &w->number, slots);
    index_release(w, &w->vertex, slots);
    index_release(w, &w->parent, slots);
    index_release(w, &w->label, slots);
    index_release(w, &w->ancestor, slots);
}

/* Children of each node in the dominator tree (CSR), ordered by ordinal, into
 * t->first_dominated (zeroed) and t->dominated; reads only t->dominator. */
typedef struct dominated_job {
    lt_dominator_tree *t;
    uint32_t n, root;
    const uint8_t *vertex; /* the preorder (dom_work's): numbers 1..n, every node has one */
} dominated_job;

/* Step 6's heights (a node's is final when it is taken up: its tree descendants come
 * after it in preorder), into t->height by ordinal. */
SPECIALISED void subtree_heights_as(const dominated_job *job, unsigned width)
{
    const lt_index_array vertex = lt_index_array_at((void *)job->vertex, width);
    const lt_index_array height = lt_index_array_at(job->t->height, width);
    const uint32_t *dominator = job->t->dominator;
    memset(height.bytes, 0, lt_index_array_bytes(job->n, width));
    for (uint32_t k = job->n; k >= 2; k--) {
        uint32_t v = lt_index_peek(vertex, k), d = dominator[v], up = lt_index_get(height, v) + 1;
        if (up > lt_index_get(height, d))
            lt_index_set(height, d, up);
    }
}

static void *dominated_lists(void *arg)
{
    const dominated_job *job = arg;
    lt_dominator_tree *t = job->t;
    uint32_t n = job->n, root = job->root;
    for (uint32_t v = 0; v < n; v++)
        if (v != root)
            t->first_dominated[t->dominator[v]]++;
    uint32_t end = 0;
    for (uint32_t v = 0; v < n; v++) {
        end += t->first_dominated[v];
        t->first_dominated[v] = end;
    }
    t->first_dominated[n] = end;
    for (uint32_t v = n; v-- > 0;)
        if (v != root)
            t->dominated[--t->first_dominated[t->dominator[v]]] = v;
    if (t->height_width == 3)
        subtree_heights_as(job, 3);
    else
        subtree_heights_as(job, 4);
    return NULL;
}

/* Steps 5 and 6 side by side: the dominated lists and the heights on a thread of their
 * own (here when none can be started) while this one sums the retained sizes; both only
 * read the dominators and the preorder, and each writes its own arrays (0.09 s -> 0.07 s
 * on the 1 GB file; the heights in the sum's loop took it to 0.13-0.17 s). */
static int retained_and_dominated(dom_work *w, const uint32_t *self_size, lt_dominator_tree *out)
{
    uint32_t n = w->g->node_count;
    out->retained = lt_pool_alloc(w->pool, n ? n : 1, sizeof(uint32_t));
    out->first_dominated = lt_pool_calloc(w->pool, (size_t)n + 1, sizeof(uint32_t));
    out->dominated = lt_pool_alloc(w->pool, n ? n : 1, sizeof(uint32_t));
    if (!out->retained || !out->first_dominated || !out->dominated)
        return LT_ENOMEM;
    dominated_job job = {out, n, w->g->root, w->vertex};
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, dominated_lists, &job) == 0;
    int rc = sum_retained(w, self_size, out);
    if (threaded)
        pthread_join(thread, NULL);
    else
        dominated_lists(&job);
    return rc;
}

/* ---- the biggest child ------------------------------------------------- */

static uint32_t scan_biggest_child(const lt_dominator_tree *t, uint32_t x)
{
    uint32_t best = UINT32_MAX;
    for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1]; k++)
        if (best == UINT32_MAX || lt_retained(t, t->dominated[k]) > lt_retained(t, best))
            best = t->dominated[k];
    return best;
}

static int by_node(const void *key, const void *item)
{
    uint32_t x = *(const uint32_t *)key, node = ((const lt_big_parent *)item)->node;
    return x < node ? -1 : x > node;
}

uint32_t lt_dominator_tree_biggest_child(const lt_dominator_tree *t, uint32_t x)
{
    if (t->first_dominated[x + 1] - t->first_dominated[x] >= LT_BIG_PARENT_CHILDREN && t->big_parent_count) {
        const lt_big_parent *p = bsearch(&x, t->big_parents, t->big_parent_count, sizeof *p, by_node);
        if (p)
            return p->biggest_child;
    }
    return scan_biggest_child(t, x);
}

/* The big parents' biggest children, once: the findings ask for them again and again
 * (on the 1 GB file, 75 times for three nodes of 228,000 to 475,000 children). */
static int remember_big_parents(lt_dominator_tree *t, uint32_t node_count)
{
    uint32_t count = 0;
    for (uint32_t v = 0; v < node_count; v++)
        count += t->first_dominated[v + 1] - t->first_dominated[v] >= LT_BIG_PARENT_CHILDREN;
    if (!count)
        return 0;
    if (!(t->big_parents = malloc(count * sizeof *t->big_parents)))
        return LT_ENOMEM;
    for (uint32_t v = 0; v < node_count; v++)
        if (t->first_dominated[v + 1] - t->first_dominated[v] >= LT_BIG_PARENT_CHILDREN)
            t->big_parents[t->big_parent_count++] = (lt_big_parent){v, scan_biggest_child(t, v)};
    return 0;
}

void lt_dominators_abandon(lt_dominator_work *w)
{
    if (w) {
        work_free(w);
        free(w);
    }
}

static int dominators_failed(const lt_graph *g, dom_work *w, lt_dominator_tree *out, lt_error *err)
{
    lt_dominators_abandon(w);
    lt_dominator_tree_free(out);
    return lt_error_set(err, LT_ENOMEM, "out of memory computing dominators of %u nodes and %u edges", g->node_count,
                        g->edge_count);
}

/* lt_dominators_start and lt_dominators_start_classifying: one of essential and rule. */
static int start(const lt_graph *g, const uint64_t *essential, const lt_retention_rule *rule, unsigned index_bytes,
                 lt_pool *pool, lt_dominator_work **work, lt_dominator_tree *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    *work = NULL;
    dom_work *w = calloc(1, sizeof *w);
    if (!w)
        return dominators_failed(g, NULL, out, err);
    uint32_t long_from = index_bytes == LT_DOMINATORS_LONG_LISTS ? 2 : LT_INDEX_NARROW_MAX;
    if ((index_bytes != 3 && index_bytes != LT_DOMINATORS_LONG_LISTS) ||
        (uint64_t)g->node_count + 1 > LT_INDEX_NARROW_MAX)
        index_bytes = 4;
    else
        index_bytes = 3;
    *w = (dom_work){.g = g, .essential = essential, .pool = pool, .width = index_bytes, .long_from = long_from};
    if (rule) { /* small: not from the pool */
        w->rule = rule;
        w->classified = calloc(((size_t)g->edge_count + 63) / 64 + 1, sizeof(uint64_t));
        w->owned = calloc(((size_t)g->node_count + 63) / 64 + 1, sizeof(uint64_t));
        w->essential = w->classified;
        if (!w->classified || !w->owned)
            return dominators_failed(g, w, out, err);
    }
    if (g->node_count && semi_nca(w, out))
        return dominators_failed(g, w, out, err);
    *work = w;
    return 0;
}

int lt_dominators_start(const lt_graph *g, const uint64_t *essential, unsigned index_bytes, lt_pool *pool,
                        lt_dominator_work **work, lt_dominator_tree *out, lt_error *err)
{
    return start(g, essential, NULL, index_bytes, pool, work, out, err);
}

int lt_dominators_start_classifying(const lt_graph *g, const lt_retention_rule *rule, unsigned index_bytes,
                                    lt_pool *pool, lt_dominator_work **work, lt_dominator_tree *out, lt_error *err)
{
    return start(g, NULL, rule, index_bytes, pool, work, out, err);
}

int lt_dominators_finish(lt_dominator_work *w, const uint32_t *self_size, lt_dominator_tree *out, lt_error *err)
{
    const lt_graph *g = w->g;
    if (g->node_count && (retained_and_dominated(w, self_size, out) || remember_big_parents(out, g->node_count)))
        return dominators_failed(g, w, out, err);
    out->unreachable = g->node_count - w->root_reached;
    lt_dominators_abandon(w);
    return 0;
}

int lt_dominators_compute(const lt_graph *g, const uint64_t *essential, const uint32_t *self_size, lt_pool *pool,
                          lt_dominator_tree *out, lt_error *err)
{
    lt_dominator_work *w;
    int rc = lt_dominators_start(g, essential, lt_dominators_index_bytes(g), pool, &w, out, err);
    return rc ? rc : lt_dominators_finish(w, self_size, out, err);
}

/* ---- the biggest retainers: a min-heap of the n largest ---------------- */

static int less_retained(const lt_dominator_tree *t, uint32_t x, uint32_t y)
{
    uint64_t rx = lt_retained(t, x), ry = lt_retained(t, y);
    return rx != ry ? rx < ry : x > y; /* ties: later node is "smaller" */
}

static void sift_down(const lt_dominator_tree *t, uint32_t *h, uint32_t n, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && less_retained(t, h[l], h[m]))
            m = l;
        if (r < n && less_retained(t, h[r], h[m]))
            m = r;
        if (m == i)
            return;
        uint32_t swap = h[i];
        h[i] = h[m];
        h[m] = swap;
        i = m;
    }
}

uint32_t lt_dominator_tree_top(const lt_dominator_tree *t, uint32_t node_count, uint32_t root, uint32_t n,
                               uint32_t *top)
{
    uint32_t len = 0;
    for (uint32_t v = 0; v < node_count && n; v++) {
        if (v == root)
            continue;
        if (len < n) {
            top[len++] = v;
            if (len == n)
                for (uint32_t i = n / 2 + 1; i-- > 0;)
                    sift_down(t, top, len, i);
        } else if (less_retained(t, top[0], v)) {
            top[0] = v;
            sift_down(t, top, len, 0);
        }
    }
    if (len < n)
        for (uint32_t i = len / 2 + 1; i-- > 0;)
            sift_down(t, top, len, i);
    for (uint32_t end = len; end > 1; end--) { /* heap sort: largest first */
        uint32_t swap = top[0];
        top[0] = top[end - 1];
        top[end - 1] = swap;
        sift_down(t, top, end - 1, 0);
    }
    return len;
}

void lt_dominator_tree_drop_heights(lt_dominator_tree *t, lt_keep *keep)
{
    lt_keep_give(keep, t->height, t->height_bytes);
    t->height = NULL;
}

void lt_dominator_tree_free(lt_dominator_tree *t)
{
    free(t->height);
    t->height = NULL;
    free(t->dominator);
    free(t->retained);
    free(t->wide);
    free(t->first_dominated);
    free(t->dominated);
    t->dominator = NULL;
    t->retained = NULL;
    t->wide = NULL;
    t->wide_count = 0;
    t->first_dominated = t->dominated = NULL;
    free(t->big_parents);
    t->big_parents = NULL;
    t->big_parent_count = 0;
}
