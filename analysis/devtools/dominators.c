/* DESIGN
 * Semi-NCA over the retaining ("essential") edges:
 *   1. iterative DFS preorder from the root, then from each node that has no
 *      retaining edge into it (a bit per node), then each still unvisited node
 *      on its own (the last group: cycles held only weakly; their edges are
 *      ignored);
 *   2. predecessor lists by preorder number (CSR, 4 bytes an edge; counted by
 *      the DFS as it looks at each edge, filled in one pass), so step 3 reads
 *      them in order; only sources numbered after their target are listed, for
 *      the others only the smallest number counts (kept in label[]);
 *   3. semidominators in reverse preorder with path-compressed eval, where
 *      the start nodes of steps 2b/2c take the root as their semidominator;
 *   4. immediate dominators by walking up the partial tree (the NCA step);
 *   5. retained sizes summed child-to-dominator in reverse preorder;
 *   6. the dominated lists (children by ordinal), beside step 5 on a second thread.
 * All per-node scratch is indexed by preorder number (1-based, 0 = none). */
#include "devtools/dominators.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "util/u32map.h"

struct lt_dominator_work {
    const lt_graph *g;
    const uint64_t *essential;
    lt_pool *pool;
    uint64_t pred_count;
    uint32_t n;            /* numbered so far */
    uint32_t reached;      /* numbers <= reached came from a DFS */
    uint32_t root_reached; /* numbers <= root_reached: the root's DFS */
    uint64_t *has_pred;    /* per node ordinal: a retaining edge points to it */
    uint32_t *pred_start;  /* per number (1..n+1): its list in pred */
    uint32_t *pred;        /* numbers of the retaining edges' sources (only those <= reached) */
    uint32_t *number;      /* per node ordinal: preorder number or 0 */
    uint32_t *vertex;      /* per number: node ordinal */
    uint32_t *parent;      /* per number: DFS parent's number */
    uint32_t *label;       /* per number (DFS: next edge per ordinal) */
    uint32_t *ancestor;    /* per number (later: immediate dominator) */
};
typedef struct lt_dominator_work dom_work;

/* One bit per node: whether any retaining edge points to it (the DFS starts of step 2b). */
static int mark_targets(dom_work *w)
{
    const lt_graph *g = w->g;
    if (w->has_pred)
        return 0;                                                                  /* given by the caller */
    w->has_pred = calloc(((size_t)g->node_count + 63) / 64 + 1, sizeof(uint64_t)); /* small: not from the pool */
    if (!w->has_pred)
        return LT_ENOMEM;
    for (uint32_t e = 0; e < g->edge_count; e++)
        if (lt_bit_get(w->essential, e))
            lt_bit_set(w->has_pred, g->edges[e].to);
    return 0;
}

/* Pass over the retaining edges whose source a DFS reached. A source numbered before
 * its target is what step 3 would find as itself (nothing before it is linked yet):
 * only the smallest such number matters, kept in label[target] (which starts as the
 * target's own number); the others go into pred, each list backwards from its end. */
static void fill_predecessors(dom_work *w)
{
    const lt_graph *g = w->g;
    for (uint32_t s = 0; s < g->node_count; s++) {
        uint32_t ns = w->number[s];
        if (ns > w->reached)
            continue;
        for (uint32_t e = g->first_edge[s]; e < g->first_edge[s + 1]; e++) {
            if (!lt_bit_get(w->essential, e))
                continue;
            uint32_t nt = w->number[g->edges[e].to];
            if (ns > nt)
                w->pred[--w->pred_start[nt]] = ns;
            else if (ns < w->label[nt])
                w->label[nt] = ns;
        }
    }
}

/* Predecessor lists by preorder number (CSR), built after the numbering (which
 * counted them): the semidominator loop then reads them in order instead of looking
 * each source's number up. Edges from nodes no DFS reached are left out (step 3
 * ignores them). */
static int build_predecessors(dom_work *w)
{
    uint32_t n = w->n;
    w->pred = lt_pool_alloc(w->pool, w->pred_count ? w->pred_count : 1, sizeof(uint32_t));
    if (!w->pred)
        return LT_ENOMEM;
    uint32_t end = 0; /* pred_start[k] = end of k's list, filled backwards */
    for (uint32_t k = 0; k <= n; k++) {
        end += w->pred_start[k];
        w->pred_start[k] = end;
    }
    w->pred_start[n + 1] = end;
    for (uint32_t k = 1; k <= n; k++)
        w->label[k] = k;
    fill_predecessors(w);
    return 0;
}

static uint32_t visit(dom_work *w, uint32_t v, uint32_t parent_number)
{
    uint32_t k = ++w->n;
    w->number[v] = k;
    w->vertex[k] = v;
    w->parent[k] = parent_number;
    return k;
}

/* Iterative DFS; w->label doubles as the per-ordinal "next edge" cursor. Every
 * retaining edge of a node it enters is looked at exactly once (the cursor moves past
 * the edge it descends by); an edge into a node numbered earlier is counted into that
 * node's predecessor count (pred_start, by number), the lists step 2 builds. The
 * current node's number is carried along, so going back up reads parent[] and
 * vertex[] but never number[] at a random place (0.26 s -> 0.21 s on the 1 GB file). */
static void dfs(dom_work *w, uint32_t start, uint32_t parent_number)
{
    const lt_graph *g = w->g;
    uint32_t *next_edge = w->label, *pred_count = w->pred_start;
    uint64_t counted = 0;
    uint32_t v = start, kv = visit(w, v, parent_number); /* the node and its number */
    next_edge[v] = g->first_edge[v];
    while (1) {
        uint32_t e = next_edge[v], end = g->first_edge[v + 1], child = UINT32_MAX;
        for (; e < end; e++) { /* the edge's bit first: it is read in order, number[] at random */
            if (!lt_bit_get(w->essential, e))
                continue;
            uint32_t t = g->edges[e].to, nt = w->number[t];
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
            next_edge[v] = e + 1;
            kv = visit(w, child, kv);
            next_edge[child] = g->first_edge[child];
            v = child;
            continue;
        }
        next_edge[v] = e;
        if (v == start)
            break;
        kv = w->parent[kv];
        v = w->vertex[kv];
    }
    w->pred_count += counted;
}

static void number_nodes(dom_work *w)
{
    const lt_graph *g = w->g;
    dfs(w, g->root, 0);
    w->root_reached = w->n;
    for (uint32_t v = 0; v < g->node_count; v++)
        if (!w->number[v] && !lt_bit_get(w->has_pred, v))
            dfs(w, v, 1);
    w->reached = w->n;
    for (uint32_t v = 0; v < g->node_count; v++)
        if (!w->number[v])
            visit(w, v, 1);
}

typedef struct path_stack {
    uint32_t *items;
    size_t cap;
} path_stack;

/* Path-compressing eval: the smallest semidominator on the path from k up to
 * (not including) the root of its tree in the linked forest. label[x] holds
 * that value itself (not the vertex it belongs to: Semi-NCA needs only the
 * value), k for a number not linked yet. Returns 0 when the path stack cannot
 * grow (out of memory). */
static uint32_t eval(dom_work *w, uint32_t k, path_stack *ps)
{
    uint32_t *anc = w->ancestor, *label = w->label;
    if (!anc[k])
        return label[k];
    size_t depth = 0;
    uint32_t top = k;
    while (anc[anc[top]]) {
        if (lt_reserve(&ps->items, &ps->cap, depth + 1, sizeof *ps->items, 4096))
            return 0;
        ps->items[depth++] = top;
        top = anc[top];
    }
    uint32_t *stack = ps->items;
    while (depth) {
        uint32_t x = stack[--depth];
        if (label[anc[x]] < label[x])
            label[x] = label[anc[x]];
        anc[x] = anc[anc[x]];
    }
    return label[k];
}

/* Step 3. semi(k) is kept in pred_start[k + 1], which no list needs once k is done
 * (lists are read in reverse preorder): no array of its own. */
static int semidominators(dom_work *w)
{
    uint32_t n = w->n;
    path_stack stack = {NULL, 0};
    if (lt_reserve(&stack.items, &stack.cap, 4096, sizeof *stack.items, 4096))
        return LT_ENOMEM;
    for (uint32_t k = 1; k <= n; k++)
        w->ancestor[k] = 0;
    for (uint32_t k = n; k >= 2; k--) {
        uint32_t first = w->pred_start[k], last = w->pred_start[k + 1];
        uint32_t s = w->label[k]; /* k, or its smallest predecessor numbered before it */
        if (k > w->reached || (first == last && s == k))
            s = 1; /* no retaining edge into k: the root holds it */
        for (uint32_t p = first; p < last && s > 1; p++) {
            uint32_t u = eval(w, w->pred[p], &stack);
            if (!u) {
                free(stack.items);
                return LT_ENOMEM;
            }
            if (u < s)
                s = u;
        }
        w->label[k] = s;
        w->pred_start[k + 1] = s;
        w->ancestor[k] = w->parent[k];
    }
    free(stack.items);
    return 0;
}

/* NCA step: idom(k) = the nearest ancestor of k in the partial tree whose
 * number is <= semi(k). Reuses ancestor[] as idom[]. */
static void immediate_dominators(dom_work *w)
{
    uint32_t *idom = w->ancestor;
    const uint32_t *semi_of_previous = w->pred_start; /* semi(k) = pred_start[k + 1] */
    idom[1] = 1;
    for (uint32_t k = 2; k <= w->n; k++) {
        uint32_t d = w->parent[k], semi = semi_of_previous[k + 1];
        while (d > semi)
            d = idom[d];
        idom[k] = d;
    }
}

/* The immediate dominator of each node, by ordinal. */
static int collect_dominators(dom_work *w, lt_dominator_tree *out)
{
    out->dominator = lt_pool_alloc(w->pool, w->g->node_count, sizeof(uint32_t));
    if (!out->dominator)
        return LT_ENOMEM;
    for (uint32_t k = 1; k <= w->n; k++)
        out->dominator[w->vertex[k]] = w->vertex[w->ancestor[k]];
    return 0;
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
static int sum_retained(dom_work *w, const uint32_t *self_size, lt_dominator_tree *out)
{
    uint32_t nodes = w->g->node_count, *low = out->retained;
    memcpy(low, self_size, (size_t)nodes * sizeof *low);
    lt_u32map high = {0};
    bool wide = false;
    for (uint32_t k = w->n; k >= 2; k--) {
        uint32_t v = w->vertex[k], d = out->dominator[v], v_high = 0, d_high = 0;
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

static void release(dom_work *w, uint32_t **array, size_t count)
{
    lt_pool_release(w->pool, *array, count * sizeof(uint32_t));
    *array = NULL;
}

static void work_free(dom_work *w)
{
    size_t n = w->g->node_count, slots = n + 1;
    free(w->has_pred);
    w->has_pred = NULL;
    release(w, &w->pred_start, n + 2);
    release(w, &w->pred, w->pred_count ? w->pred_count : 1);
    release(w, &w->number, n ? n : 1);
    release(w, &w->vertex, slots);
    release(w, &w->parent, slots);
    release(w, &w->label, slots);
    release(w, &w->ancestor, slots);
}

/* Children of each node in the dominator tree (CSR), ordered by ordinal, into
 * t->first_dominated (zeroed) and t->dominated; reads only t->dominator. */
typedef struct dominated_job {
    lt_dominator_tree *t;
    uint32_t n, root;
} dominated_job;

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
    return NULL;
}

/* Steps 5 and 6 side by side: the dominated lists on a thread of their own (here when
 * none can be started) while this one sums the retained sizes; both only read the
 * dominators, and each writes its own arrays (0.09 s -> 0.07 s on the 1 GB file). */
static int retained_and_dominated(dom_work *w, const uint32_t *self_size, lt_dominator_tree *out)
{
    uint32_t n = w->g->node_count;
    out->retained = lt_pool_alloc(w->pool, n ? n : 1, sizeof(uint32_t));
    out->first_dominated = lt_pool_calloc(w->pool, (size_t)n + 1, sizeof(uint32_t));
    out->dominated = lt_pool_alloc(w->pool, n ? n : 1, sizeof(uint32_t));
    if (!out->retained || !out->first_dominated || !out->dominated)
        return LT_ENOMEM;
    dominated_job job = {out, n, w->g->root};
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

/* Steps 1-2: the preorder numbering, then the predecessor lists by number. */
static int number_and_link(dom_work *w)
{
    size_t n = w->g->node_count, slots = n + 1;
    if (mark_targets(w))
        return LT_ENOMEM;
    w->number = lt_pool_calloc(w->pool, n, sizeof(uint32_t));
    w->vertex = lt_pool_alloc(w->pool, slots, sizeof(uint32_t));
    w->parent = lt_pool_alloc(w->pool, slots, sizeof(uint32_t));
    w->label = lt_pool_alloc(w->pool, slots, sizeof(uint32_t));
    w->pred_start = lt_pool_calloc(w->pool, n + 2, sizeof(uint32_t));
    if (!w->number || !w->vertex || !w->parent || !w->label || !w->pred_start)
        return LT_ENOMEM;
    number_nodes(w);
    free(w->has_pred);
    w->has_pred = NULL;
    if (build_predecessors(w))
        return LT_ENOMEM;
    release(w, &w->number, n);
    w->ancestor = lt_pool_alloc(w->pool, slots, sizeof(uint32_t));
    return w->ancestor ? 0 : LT_ENOMEM;
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

int lt_dominators_start(const lt_graph *g, const uint64_t *essential, uint64_t *targets, lt_pool *pool,
                        lt_dominator_work **work, lt_dominator_tree *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    *work = NULL;
    dom_work *w = calloc(1, sizeof *w);
    if (!w) {
        free(targets);
        return dominators_failed(g, NULL, out, err);
    }
    *w = (dom_work){.g = g, .essential = essential, .pool = pool, .has_pred = targets};
    size_t n = g->node_count, slots = n + 1;
    if (n && (number_and_link(w) || semidominators(w)))
        return dominators_failed(g, w, out, err);
    if (n) {
        release(w, &w->pred, w->pred_count ? w->pred_count : 1);
        release(w, &w->label, slots);
        immediate_dominators(w);
        release(w, &w->pred_start, n + 2);
        if (collect_dominators(w, out))
            return dominators_failed(g, w, out, err);
        release(w, &w->parent, slots);
        release(w, &w->ancestor, slots);
    }
    *work = w;
    return 0;
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
    int rc = lt_dominators_start(g, essential, NULL, pool, &w, out, err);
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

void lt_dominator_tree_free(lt_dominator_tree *t)
{
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
