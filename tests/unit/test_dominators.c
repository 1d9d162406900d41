/* test_dominators: lt_dominators_compute against a naive, by-definition
 * reference, on thousands of small random graphs and on hand-written and deep
 * cases with known answers.
 *
 * The reference builds the effective graph G* the way dominators.h describes:
 *   R  = nodes reachable from g->root over essential (retaining) edges;
 *   orphans = nodes outside R with no essential incoming edge at all (an
 *        essential self loop counts as one: it is a retaining edge);
 *   O  = nodes outside R reachable from an orphan over essential edges;
 *   C  = everything else (weak-only cycles and what only they reach).
 *   G* = the essential edges, plus root -> v for every orphan and every C node,
 *        minus the edges leaving C (edges from C into R or O).
 * d dominates v iff v is unreachable from the root in G* once d is removed;
 * idom(v) is the strict dominator dominated by all the others; retained(v)
 * is the sum of self sizes of the nodes v dominates (v included).
 *
 * Every graph also runs with the 4-byte scratch of graphs of 2^24 nodes and more
 * (lt_dominators_start's index_bytes), and with every long predecessor list kept aside
 * (LT_DOMINATORS_LONG_LISTS), which must give the same tree.
 *
 * The seed of the random part is printed; LT_TEST_SEED=<number> overrides it. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devtools/dominators.h"
#include "snapshot/graph.h"
#include "lt_error.h"
#include "same_tree.h"

#define NONE         UINT32_MAX
#define DEFAULT_SEED 0x9e3779b97f4a7c15ull

/* ------------------------------------------------------------------ PRNG */

static uint64_t rng_state = DEFAULT_SEED;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static uint32_t rng_below(uint32_t n)
{
    return n ? (uint32_t)(rng_next() % n) : 0;
}

static uint64_t test_seed(void)
{
    const char *s = getenv("LT_TEST_SEED");
    uint64_t seed = s && *s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
    return seed ? seed : DEFAULT_SEED; /* xorshift must not start at 0 */
}

/* -------------------------------------------------------- graph building */

typedef struct test_edge {
    uint32_t from, to;
    int essential;
} test_edge;

typedef struct test_graph {
    lt_graph *g;
    uint64_t *essential;
} test_graph;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    assert_non_null(p);
    return p;
}

/* Builds the graph; edges may come in any order (stable per source node). */
static test_graph build_graph(uint32_t n, uint32_t root, const test_edge *edges, uint32_t m, const uint32_t *sizes)
{
    lt_error err;
    lt_error_clear(&err);
    lt_graph *g = lt_graph_new(n, m, false, NULL, &err);
    if (!g)
        fail_msg("lt_graph_new(%u, %u): %s", n, m, err.message);
    uint64_t *ess = xcalloc((size_t)m / 64 + 1, sizeof(uint64_t));

    memset(g->first_edge, 0, ((size_t)n + 1) * sizeof(uint32_t));
    for (uint32_t e = 0; e < m; e++) {
        assert_true(edges[e].from < n && edges[e].to < n);
        g->first_edge[edges[e].from + 1]++;
    }
    for (uint32_t i = 0; i < n; i++)
        g->first_edge[i + 1] += g->first_edge[i];
    uint32_t *cursor = xcalloc(n, sizeof(uint32_t));
    memcpy(cursor, g->first_edge, (size_t)n * sizeof(uint32_t));
    for (uint32_t e = 0; e < m; e++) {
        uint32_t pos = cursor[edges[e].from]++;
        assert_int_equal(lt_graph_set_edge(g, pos, edges[e].to, 0, 0), 0);
        if (edges[e].essential)
            lt_bit_set(ess, pos);
    }
    free(cursor);
    assert_int_equal(lt_graph_pack_edges(g, &err), 0);
    for (uint32_t i = 0; i < n; i++) {
        g->node_type[i] = 0;
        g->node_name[i] = 0;
        lt_graph_add_id(g, i, i * 2 + 1);
        g->self_size[i] = sizes ? sizes[i] : 0;
    }
    assert_int_equal(lt_graph_ids_done(g), 0);
    g->root = root;
    return (test_graph){g, ess};
}

static void free_graph(test_graph *tg)
{
    lt_graph_free(tg->g);
    free(tg->essential);
    tg->g = NULL;
    tg->essential = NULL;
}

/* ------------------------------------------------------------- reference */

typedef struct ref_stats {
    uint32_t orphans;       /* orphans (start nodes with only weak retainers) */
    uint32_t others;        /* nodes of O that are not orphans */
    uint32_t cyclic;        /* C nodes */
    uint32_t dropped_edges; /* essential edges leaving C */
} ref_stats;

/* BFS over essential edges from every node already marked, never entering a
 * node with skip[v] set. */
static void mark_reachable(const lt_graph *g, const uint64_t *ess, uint8_t *mark, const uint8_t *skip, uint32_t *queue)
{
    uint32_t head = 0, tail = 0;
    for (uint32_t v = 0; v < g->node_count; v++)
        if (mark[v])
            queue[tail++] = v;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t e = g->first_edge[u]; e < g->first_edge[u + 1]; e++) {
            uint32_t v = lt_graph_edge_to(g, e);
            if (!lt_bit_get(ess, e) || mark[v] || (skip && skip[v]))
                continue;
            mark[v] = 1;
            queue[tail++] = v;
        }
    }
}

/* BFS in the CSR graph (first, to) from root avoiding node `removed`. */
static void star_reach(uint32_t n, uint32_t root, const uint32_t *first, const uint32_t *to, uint32_t removed,
                       uint8_t *seen, uint32_t *queue)
{
    memset(seen, 0, n);
    uint32_t head = 0, tail = 0;
    seen[root] = 1;
    queue[tail++] = root;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t k = first[u]; k < first[u + 1]; k++) {
            uint32_t v = to[k];
            if (v == removed || seen[v])
                continue;
            seen[v] = 1;
            queue[tail++] = v;
        }
    }
}

static void reference(const lt_graph *g, const uint64_t *ess, const uint32_t *self, uint32_t *idom, uint64_t *retained,
                      uint32_t *unreachable, ref_stats *st)
{
    uint32_t n = g->node_count, root = g->root;
    uint8_t *in_r = xcalloc(n, 1), *has_in = xcalloc(n, 1), *orphan = xcalloc(n, 1);
    uint8_t *in_o = xcalloc(n, 1), *in_c = xcalloc(n, 1), *seen = xcalloc(n, 1);
    uint32_t *queue = xcalloc(n, sizeof(uint32_t));
    ref_stats stats = {0, 0, 0, 0};

    in_r[root] = 1;
    mark_reachable(g, ess, in_r, NULL, queue);
    for (uint32_t e = 0; e < g->edge_count; e++)
        if (lt_bit_get(ess, e))
            has_in[lt_graph_edge_to(g, e)] = 1;
    uint32_t unreached = 0;
    for (uint32_t v = 0; v < n; v++) {
        unreached += !in_r[v];
        orphan[v] = in_o[v] = !in_r[v] && !has_in[v];
        stats.orphans += orphan[v];
    }
    mark_reachable(g, ess, in_o, in_r, queue);
    for (uint32_t v = 0; v < n; v++) {
        in_c[v] = !in_r[v] && !in_o[v];
        stats.cyclic += in_c[v];
        stats.others += in_o[v] && !orphan[v];
    }

    /* G* as CSR. */
    uint32_t *first = xcalloc((size_t)n + 1, sizeof(uint32_t));
    uint32_t *to = xcalloc((size_t)g->edge_count + n, sizeof(uint32_t));
    uint32_t pos = 0;
    for (uint32_t u = 0; u < n; u++) {
        first[u] = pos;
        for (uint32_t e = g->first_edge[u]; e < g->first_edge[u + 1]; e++) {
            uint32_t v = lt_graph_edge_to(g, e);
            if (!lt_bit_get(ess, e))
                continue;
            if (in_c[u] && !in_c[v]) {
                stats.dropped_edges++;
                continue;
            }
            to[pos++] = v;
        }
        if (u == root)
            for (uint32_t v = 0; v < n; v++)
                if (orphan[v] || in_c[v])
                    to[pos++] = v;
    }
    first[n] = pos;

    star_reach(n, root, first, to, NONE, seen, queue);
    for (uint32_t v = 0; v < n; v++)
        if (!seen[v])
            fail_msg("reference bug: node %u unreachable in G*", v);

    /* dom[d * n + v]: d dominates v. */
    uint8_t *dom = xcalloc((size_t)n * n, 1);
    for (uint32_t d = 0; d < n; d++) {
        if (d == root) {
            memset(dom + (size_t)d * n, 1, n);
            continue;
        }
        star_reach(n, root, first, to, d, seen, queue);
        for (uint32_t v = 0; v < n; v++)
            dom[(size_t)d * n + v] = !seen[v];
    }
    for (uint32_t v = 0; v < n; v++) {
        uint64_t sum = 0;
        for (uint32_t u = 0; u < n; u++)
            if (dom[(size_t)v * n + u])
                sum += self[u];
        retained[v] = sum;
        if (v == root) {
            idom[v] = root;
            continue;
        }
        uint32_t best = NONE, found = 0;
        for (uint32_t d = 0; d < n; d++) {
            if (d == v || !dom[(size_t)d * n + v])
                continue;
            int closest = 1;
            for (uint32_t d2 = 0; d2 < n && closest; d2++)
                if (d2 != v && dom[(size_t)d2 * n + v] && !dom[(size_t)d2 * n + d])
                    closest = 0;
            if (closest) {
                best = d;
                found++;
            }
        }
        if (found != 1)
            fail_msg("reference bug: node %u has %u closest strict dominators", v, found);
        idom[v] = best;
    }
    *unreachable = unreached;
    if (st)
        *st = stats;

    free(dom);
    free(first);
    free(to);
    free(in_r);
    free(has_in);
    free(orphan);
    free(in_o);
    free(in_c);
    free(seen);
    free(queue);
}

/* ------------------------------------------------------ running, comparing */

/* The children lists agree with the dominator array: each non-root node once,
 * under its dominator, in ordinal order. */
static void assert_dominated_lists(const lt_graph *g, const lt_dominator_tree *t)
{
    uint32_t n = g->node_count;
    assert_int_equal(t->first_dominated[n], n ? n - 1 : 0);
    for (uint32_t v = 0; v < n; v++)
        for (uint32_t k = t->first_dominated[v]; k < t->first_dominated[v + 1]; k++) {
            uint32_t c = t->dominated[k];
            assert_true(c != g->root);
            assert_int_equal(t->dominator[c], v);
            if (k > t->first_dominated[v])
                assert_true(t->dominated[k - 1] < c);
        }
}

/* The tree computed with index_bytes 4 (the 4-byte scratch graphs of 2^24 nodes and
 * more get) or LT_DOMINATORS_LONG_LISTS (3 bytes, every list of two or more predecessors
 * kept as one too long for 3 bytes, as one of 16.7 million would be). */
static void run_as(const test_graph *tg, unsigned index_bytes, lt_dominator_tree *out)
{
    lt_error err;
    lt_error_clear(&err);
    lt_pool pool = {0};
    lt_dominator_work *work = NULL;
    int rc = lt_dominators_start(tg->g, tg->essential, index_bytes, &pool, &work, out, &err);
    if (!rc)
        rc = lt_dominators_finish(work, tg->g->self_size, out, &err);
    lt_pool_drain(&pool);
    if (rc != 0)
        fail_msg("lt_dominators_start/finish (index_bytes %#x) returned %d: %s", index_bytes, rc, err.message);
}

/* lt_dominators_compute, whose scratch is 3 bytes a number on these graphs, checked
 * against the same computation with 4-byte scratch: every case runs both widths. */
static void run_impl(const test_graph *tg, lt_dominator_tree *out)
{
    lt_error err;
    lt_error_clear(&err);
    memset(out, 0, sizeof *out);
    assert_int_equal(lt_dominators_index_bytes(tg->g), 3);
    lt_pool pool = {0}; /* big graphs exercise block reuse */
    int rc = lt_dominators_compute(tg->g, tg->essential, tg->g->self_size, &pool, out, &err);
    lt_pool_drain(&pool);
    if (rc != 0)
        fail_msg("lt_dominators_compute returned %d: %s", rc, err.message);
    assert_non_null(out->dominator);
    assert_non_null(out->retained);
    assert_dominated_lists(tg->g, out);
    static const unsigned other[] = {4, LT_DOMINATORS_LONG_LISTS};
    for (int i = 0; i < 2; i++) {
        lt_dominator_tree wide;
        run_as(tg, other[i], &wide);
        int same = same_tree(out, &wide, tg->g->node_count);
        lt_dominator_tree_free(&wide);
        if (!same) {
            lt_dominator_tree_free(out);
            fail_msg("3-byte scratch and index_bytes %#x give different trees (%u nodes)", other[i], tg->g->node_count);
        }
    }
}

/* Subtree heights by definition: every node's distance to each of its dominators,
 * walking up the reference tree (idom of the root is the root). */
static void reference_heights(const lt_graph *g, const uint32_t *idom, uint32_t *height)
{
    memset(height, 0, g->node_count * sizeof *height);
    for (uint32_t v = 0; v < g->node_count; v++)
        for (uint32_t up = v, steps = 0; up != g->root;) {
            up = idom[up];
            if (++steps > height[up])
                height[up] = steps;
        }
}

static uint32_t count_mismatches(const lt_graph *g, const lt_dominator_tree *got, const uint32_t *idom,
                                 const uint64_t *ret, uint32_t unreachable)
{
    uint32_t bad = got->unreachable != unreachable;
    uint32_t *height = xcalloc(g->node_count ? g->node_count : 1, sizeof *height);
    reference_heights(g, idom, height);
    for (uint32_t v = 0; v < g->node_count; v++)
        bad +=
            got->dominator[v] != idom[v] || lt_retained(got, v) != ret[v] || lt_dominator_height(got, v) != height[v];
    free(height);
    return bad;
}

static void print_graph(const lt_graph *g, const uint64_t *ess)
{
    printf("  graph: %u nodes, %u edges, root %u\n", g->node_count, g->edge_count, g->root);
    for (uint32_t u = 0; u < g->node_count; u++) {
        printf("    node %u (self %u):", u, g->self_size[u]);
        for (uint32_t e = g->first_edge[u]; e < g->first_edge[u + 1]; e++)
            printf(" ->%u%s", lt_graph_edge_to(g, e), lt_bit_get(ess, e) ? "" : "(weak)");
        printf("\n");
    }
}

static void print_comparison(const lt_graph *g, const lt_dominator_tree *got, const uint32_t *idom, const uint64_t *ret,
                             uint32_t unreachable)
{
    printf("  unreachable: got %u, want %u%s\n", got->unreachable, unreachable,
           got->unreachable != unreachable ? "   <-- MISMATCH" : "");
    printf("  node: got idom / want idom | got retained / want retained | got height / want height\n");
    uint32_t *height = xcalloc(g->node_count ? g->node_count : 1, sizeof *height);
    reference_heights(g, idom, height);
    for (uint32_t v = 0; v < g->node_count; v++) {
        uint32_t h = lt_dominator_height(got, v);
        int bad = got->dominator[v] != idom[v] || lt_retained(got, v) != ret[v] || h != height[v];
        printf("    %3u: %3u / %3u | %6" PRIu64 " / %6" PRIu64 " | %3u / %3u%s\n", v, got->dominator[v], idom[v],
               lt_retained(got, v), ret[v], h, height[v], bad ? "   <-- MISMATCH" : "");
    }
    free(height);
}

static void print_edges_as_c(uint32_t n, uint32_t root, const test_edge *edges, uint32_t m, const uint32_t *sizes)
{
    printf("  as C: n=%u root=%u\n  edges {from,to,essential}: ", n, root);
    for (uint32_t e = 0; e < m; e++)
        printf("{%u,%u,%d}%s", edges[e].from, edges[e].to, edges[e].essential, e + 1 < m ? "," : "");
    printf("\n  sizes: ");
    for (uint32_t i = 0; i < n; i++)
        printf("%u%s", sizes[i], i + 1 < n ? "," : "");
    printf("\n");
}

/* Runs implementation and reference on one graph; returns the number of
 * mismatching entries, printing the case when verbose and it mismatches. */
static uint32_t check_against_reference(uint32_t n, uint32_t root, const test_edge *edges, uint32_t m,
                                        const uint32_t *sizes, int verbose, ref_stats *st)
{
    test_graph tg = build_graph(n, root, edges, m, sizes);
    uint32_t *idom = xcalloc(n, sizeof(uint32_t));
    uint64_t *ret = xcalloc(n, sizeof(uint64_t));
    uint32_t unreachable = 0;
    reference(tg.g, tg.essential, tg.g->self_size, idom, ret, &unreachable, st);
    lt_dominator_tree got;
    run_impl(&tg, &got);
    uint32_t bad = count_mismatches(tg.g, &got, idom, ret, unreachable);
    if (bad && verbose) {
        print_graph(tg.g, tg.essential);
        print_comparison(tg.g, &got, idom, ret, unreachable);
        print_edges_as_c(n, root, edges, m, sizes);
    }
    lt_dominator_tree_free(&got);
    free(idom);
    free(ret);
    free_graph(&tg);
    return bad;
}

/* Shrinks a failing case: drops edges and nodes while it still fails. */
static void shrink_case(uint32_t *n_io, uint32_t *root_io, test_edge *edges, uint32_t *m_io, uint32_t *sizes)
{
    uint32_t n = *n_io, root = *root_io, m = *m_io;
    test_edge *trial = xcalloc(m, sizeof *trial);
    uint32_t *trial_sizes = xcalloc(n, sizeof *trial_sizes);
    int changed = 1;
    while (changed) {
        changed = 0;
        for (uint32_t i = m; i-- > 0;) {
            uint32_t k = 0;
            for (uint32_t e = 0; e < m; e++)
                if (e != i)
                    trial[k++] = edges[e];
            if (check_against_reference(n, root, trial, k, sizes, 0, NULL)) {
                memcpy(edges, trial, (size_t)k * sizeof *trial);
                m = k;
                changed = 1;
            }
        }
        for (uint32_t x = n; x-- > 0 && n > 1;) {
            if (x == root)
                continue;
            uint32_t k = 0;
            for (uint32_t e = 0; e < m; e++) {
                if (edges[e].from == x || edges[e].to == x)
                    continue;
                trial[k] = edges[e];
                trial[k].from -= trial[k].from > x;
                trial[k].to -= trial[k].to > x;
                k++;
            }
            for (uint32_t i = 0, j = 0; i < n; i++)
                if (i != x)
                    trial_sizes[j++] = sizes[i];
            uint32_t new_root = root - (root > x);
            if (check_against_reference(n - 1, new_root, trial, k, trial_sizes, 0, NULL)) {
                memcpy(edges, trial, (size_t)k * sizeof *trial);
                memcpy(sizes, trial_sizes, (size_t)(n - 1) * sizeof *sizes);
                m = k;
                n--;
                root = new_root;
                changed = 1;
            }
        }
    }
    free(trial);
    free(trial_sizes);
    *n_io = n;
    *root_io = root;
    *m_io = m;
}

/* Hand-written case: the reference must give the expected answer (checks the
 * reference) and so must the implementation. */
static void check_case(const char *name, uint32_t n, uint32_t root, const test_edge *edges, uint32_t m,
                       const uint32_t *sizes, const uint32_t *want_idom, const uint64_t *want_ret,
                       uint32_t want_unreachable)
{
    test_graph tg = build_graph(n, root, edges, m, sizes);
    uint32_t *idom = xcalloc(n, sizeof(uint32_t));
    uint64_t *ret = xcalloc(n, sizeof(uint64_t));
    uint32_t unreachable = 0;
    reference(tg.g, tg.essential, tg.g->self_size, idom, ret, &unreachable, NULL);
    for (uint32_t v = 0; v < n; v++)
        if (idom[v] != want_idom[v] || ret[v] != want_ret[v])
            fail_msg("%s: reference disagrees with the expected answer at node %u", name, v);
    assert_int_equal(unreachable, want_unreachable);

    lt_dominator_tree got;
    run_impl(&tg, &got);
    uint32_t bad = count_mismatches(tg.g, &got, want_idom, want_ret, want_unreachable);
    if (bad) {
        printf("%s: implementation mismatch\n", name);
        print_graph(tg.g, tg.essential);
        print_comparison(tg.g, &got, want_idom, want_ret, want_unreachable);
    }
    lt_dominator_tree_free(&got);
    free(idom);
    free(ret);
    free_graph(&tg);
    if (bad) {
        fflush(stdout);
        fail_msg("%s: %u mismatching entries", name, bad);
    }
}

#define COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------ hand-written cases */

static void test_single_node(void **state)
{
    (void)state;
    const uint32_t sizes[] = {42};
    const uint32_t idom[] = {0};
    const uint64_t ret[] = {42};
    check_case("single node", 1, 0, NULL, 0, sizes, idom, ret, 0);
    /* A root whose only edge is a self loop. */
    const test_edge e[] = {{0, 0, 1}};
    check_case("single node, self loop", 1, 0, e, 1, sizes, idom, ret, 0);
}

static void test_diamond(void **state)
{
    (void)state;
    /* root 0 -> a 1, root -> b 2, a -> c 3, b -> c: idom(c) = root. */
    const test_edge e[] = {{0, 1, 1}, {0, 2, 1}, {1, 3, 1}, {2, 3, 1}};
    const uint32_t sizes[] = {1, 10, 20, 40};
    const uint32_t idom[] = {0, 0, 0, 0};
    const uint64_t ret[] = {71, 10, 20, 40};
    check_case("diamond", 4, 0, e, COUNT(e), sizes, idom, ret, 0);

    /* The same diamond below a node x: everything hangs under x. */
    const test_edge e2[] = {{0, 4, 1}, {4, 1, 1}, {4, 2, 1}, {1, 3, 1}, {2, 3, 1}};
    const uint32_t sizes2[] = {1, 10, 20, 40, 80};
    const uint32_t idom2[] = {0, 4, 4, 4, 0};
    const uint64_t ret2[] = {151, 10, 20, 40, 150};
    check_case("diamond under x", 5, 0, e2, COUNT(e2), sizes2, idom2, ret2, 0);
}

static void test_weak_retained_node(void **state)
{
    (void)state;
    /* 0 -> 1, 1 -weak-> 2, 2 -> 3: 2 has only a weak retainer, so it hangs
     * under the root with what it reaches (3 stays under 2). */
    const test_edge e[] = {{0, 1, 1}, {1, 2, 0}, {2, 3, 1}};
    const uint32_t sizes[] = {1, 2, 4, 8};
    const uint32_t idom[] = {0, 0, 0, 2};
    const uint64_t ret[] = {15, 2, 12, 8};
    check_case("weakly retained node", 4, 0, e, COUNT(e), sizes, idom, ret, 2);

    /* A node reached both weakly and strongly is an ordinary node. */
    const test_edge e2[] = {{0, 1, 1}, {1, 2, 1}, {0, 2, 0}};
    const uint32_t idom2[] = {0, 0, 1};
    const uint64_t ret2[] = {7, 6, 4};
    check_case("weak edge beside a strong path", 3, 0, e2, COUNT(e2), sizes, idom2, ret2, 0);
}

static void test_weak_only_two_cycle(void **state)
{
    (void)state;
    /* 0 -> 1, 1 -weak-> 2, 2 <-> 3: no orphan, both cycle nodes hang directly
     * under the root. */
    const test_edge e[] = {{0, 1, 1}, {1, 2, 0}, {2, 3, 1}, {3, 2, 1}};
    const uint32_t sizes[] = {1, 2, 4, 8};
    const uint32_t idom[] = {0, 0, 0, 0};
    const uint64_t ret[] = {15, 2, 4, 8};
    check_case("weak-only two-node cycle", 4, 0, e, COUNT(e), sizes, idom, ret, 2);

    /* The cycle also reaches 4, which only the cycle holds: under the root too. */
    const test_edge e2[] = {{0, 1, 1}, {1, 2, 0}, {2, 3, 1}, {3, 2, 1}, {3, 4, 1}};
    const uint32_t sizes2[] = {1, 2, 4, 8, 16};
    const uint32_t idom2[] = {0, 0, 0, 0, 0};
    const uint64_t ret2[] = {31, 2, 4, 8, 16};
    check_case("weak-only cycle with a tail", 5, 0, e2, COUNT(e2), sizes2, idom2, ret2, 3);
}

static void test_weak_cycle_edge_into_reachable(void **state)
{
    (void)state;
    /* 0 -> 1 -> 2, 0 -> 3, 3 -weak-> 4, 4 <-> 5, 5 -> 2. If 5 -> 2 counted,
     * 2 would be reachable around 1 and fall under the root; it must not. */
    const test_edge e[] = {{0, 1, 1}, {1, 2, 1}, {0, 3, 1}, {3, 4, 0}, {4, 5, 1}, {5, 4, 1}, {5, 2, 1}};
    const uint32_t sizes[] = {1, 2, 4, 8, 16, 32};
    const uint32_t idom[] = {0, 0, 1, 0, 0, 0};
    const uint64_t ret[] = {63, 6, 4, 8, 16, 32};
    check_case("weak-only cycle with an edge into R", 6, 0, e, COUNT(e), sizes, idom, ret, 2);

    /* Same with the cycle's edge going into what an orphan (6) holds: 7 stays
     * under 6. */
    const test_edge e2[] = {{0, 1, 1}, {1, 2, 1}, {0, 3, 1}, {3, 4, 0}, {4, 5, 1},
                            {5, 4, 1}, {5, 7, 1}, {6, 7, 1}, {1, 6, 0}};
    const uint32_t sizes2[] = {1, 2, 4, 8, 16, 32, 64, 128};
    const uint32_t idom2[] = {0, 0, 1, 0, 0, 0, 0, 6};
    const uint64_t ret2[] = {255, 6, 4, 8, 16, 32, 192, 128};
    check_case("weak-only cycle with an edge into O", 8, 0, e2, COUNT(e2), sizes2, idom2, ret2, 4);
}

static void test_orphan_edge_into_reachable(void **state)
{
    (void)state;
    /* 0 -> 1 -> 2, orphan 3 -> 2: the orphan's edges do count, so 2 is
     * reachable around 1 and hangs under the root. */
    const test_edge e[] = {{0, 1, 1}, {1, 2, 1}, {3, 2, 1}};
    const uint32_t sizes[] = {1, 2, 4, 8};
    const uint32_t idom[] = {0, 0, 0, 0};
    const uint64_t ret[] = {15, 2, 4, 8};
    check_case("orphan with an edge into R", 4, 0, e, COUNT(e), sizes, idom, ret, 1);
}

static void test_self_loop_is_a_retainer(void **state)
{
    (void)state;
    /* 1 has only itself as (essential) retainer: that is a retaining edge, so
     * 1 is not an orphan; 1 and 2 are weak-only-cycle nodes under the root. */
    const test_edge e[] = {{1, 1, 1}, {1, 2, 1}};
    const uint32_t sizes[] = {1, 2, 4};
    const uint32_t idom[] = {0, 0, 0};
    const uint64_t ret[] = {7, 2, 4};
    check_case("essential self loop on an unreached node", 3, 0, e, COUNT(e), sizes, idom, ret, 2);

    /* A weak self loop is not a retainer: 1 is an orphan and 2 stays under it. */
    const test_edge e2[] = {{1, 1, 0}, {1, 2, 1}};
    const uint32_t idom2[] = {0, 0, 1};
    const uint64_t ret2[] = {7, 6, 4};
    check_case("weak self loop on an unreached node", 3, 0, e2, COUNT(e2), sizes, idom2, ret2, 2);
}

static void test_loop_entered_from_below(void **state)
{
    (void)state;
    /* 0 -> 1 -> 2 -> 3 -> 4 -> 2 and 0 -> 5 -> 4: 2 is reachable around 1
     * (0 -> 5 -> 4 -> 2), so idom(2) = 0. In Lengauer-Tarjan terms sdom(2)
     * comes from the predecessor 4 through a path 4 -> 3 in the linked
     * forest, so eval must return the minimum over the whole compressed path. */
    const test_edge e[] = {{0, 1, 1}, {1, 2, 1}, {2, 3, 1}, {3, 4, 1}, {4, 2, 1}, {0, 5, 1}, {5, 4, 1}};
    const uint32_t sizes[] = {1, 2, 4, 8, 16, 32};
    const uint32_t idom[] = {0, 0, 0, 2, 0, 0};
    const uint64_t ret[] = {63, 2, 12, 8, 16, 32};
    check_case("loop entered from below", 6, 0, e, COUNT(e), sizes, idom, ret, 0);

    /* The same held by two orphans (root has no edges). */
    const test_edge e2[] = {{1, 2, 1}, {2, 3, 1}, {3, 4, 1}, {4, 2, 1}, {5, 4, 1}};
    check_case("loop entered from below, orphans", 6, 0, e2, COUNT(e2), sizes, idom, ret, 5);
}

static void test_nonzero_root(void **state)
{
    (void)state;
    /* root 2 -> 0 -> 1 -> 3, 2 -weak-> 3, 3 -> 2 (back to the root). */
    const test_edge e[] = {{2, 0, 1}, {0, 1, 1}, {1, 3, 1}, {2, 3, 0}, {3, 2, 1}};
    const uint32_t sizes[] = {1, 2, 4, 8};
    const uint32_t idom[] = {2, 0, 2, 1};
    const uint64_t ret[] = {11, 10, 15, 8};
    check_case("root at ordinal 2", 4, 2, e, COUNT(e), sizes, idom, ret, 0);
}

static void test_all_edges_weak(void **state)
{
    (void)state;
    /* Nothing retains anything: every node is an orphan under the root. */
    const test_edge e[] = {{0, 1, 0}, {1, 2, 0}, {2, 3, 0}, {3, 1, 0}, {0, 3, 0}};
    const uint32_t sizes[] = {0, 5, 0, 7};
    const uint32_t idom[] = {0, 0, 0, 0};
    const uint64_t ret[] = {12, 5, 0, 7};
    check_case("all edges weak", 4, 0, e, COUNT(e), sizes, idom, ret, 3);
}

/* ------------------------------------------------------------ deep shapes */

enum deep_kind {
    DEEP_CHAIN,           /* 0 -> 1 -> ... -> n-1 */
    DEEP_REVERSED,        /* root n-1 -> n-2 -> ... -> 0 */
    DEEP_BACK_EDGES,      /* chain plus edges back to earlier nodes, weak skips */
    DEEP_LADDER,          /* chain plus i -> i+3 for i % 3 == 0 */
    DEEP_ORPHAN_CHAIN,    /* root alone; 1 -> 2 -> ... -> n-1 held by nothing */
    DEEP_WEAK_CYCLE,      /* root -weak-> 1 -> 2 -> ... -> n-1 -> 1 */
    DEEP_LOOP_FROM_BELOW, /* chain 0 -> 1 -> ... -> n-1, 0 -> n-1, n-1 -> 2 */
    DEEP_KINDS
};

static const char *const deep_names[DEEP_KINDS] = {
    "chain",        "reversed chain (root n-1)", "chain with back edges",       "ladder",
    "orphan chain", "weak-only long cycle",      "long loop entered from below"};

static uint32_t deep_size(uint32_t i)
{
    return (i % 5 == 0) ? 0 : (uint32_t)((i * 2654435761u) >> 7) % 101;
}

/* Fills edges (capacity 3n) and the expected idom; returns the edge count. */
static uint32_t deep_build(enum deep_kind kind, uint32_t n, test_edge *edges, uint32_t *idom, uint32_t *root,
                           uint32_t *unreachable)
{
    uint32_t m = 0;
    *root = 0;
    *unreachable = 0;
    switch (kind) {
    case DEEP_CHAIN:
        for (uint32_t i = 0; i + 1 < n; i++)
            edges[m++] = (test_edge){i, i + 1, 1};
        for (uint32_t i = 0; i < n; i++)
            idom[i] = i ? i - 1 : 0;
        break;
    case DEEP_REVERSED:
        *root = n - 1;
        for (uint32_t i = n - 1; i > 0; i--)
            edges[m++] = (test_edge){i, i - 1, 1};
        for (uint32_t i = 0; i < n; i++)
            idom[i] = i + 1 < n ? i + 1 : i;
        break;
    case DEEP_BACK_EDGES:
        for (uint32_t i = 0; i < n; i++) {
            if (i + 1 < n)
                edges[m++] = (test_edge){i, i + 1, 1};
            /* back to any j <= i: the root, itself or something in between */
            uint32_t j = (uint32_t)(((uint64_t)i * 2654435761u) % ((uint64_t)i + 1));
            edges[m++] = (test_edge){i, j, 1};
            if (i + 2 < n)
                edges[m++] = (test_edge){i, i + 2, 0};
        }
        for (uint32_t i = 0; i < n; i++)
            idom[i] = i ? i - 1 : 0;
        break;
    case DEEP_LADDER:
        for (uint32_t i = 0; i < n; i++) {
            if (i + 1 < n)
                edges[m++] = (test_edge){i, i + 1, 1};
            if (i % 3 == 0 && i + 3 < n)
                edges[m++] = (test_edge){i, i + 3, 1};
        }
        for (uint32_t i = 0; i < n; i++)
            idom[i] = i == 0 ? 0 : (i % 3 == 0 ? i - 3 : i - 1);
        break;
    case DEEP_ORPHAN_CHAIN:
        for (uint32_t i = 1; i + 1 < n; i++)
            edges[m++] = (test_edge){i, i + 1, 1};
        for (uint32_t i = 0; i < n; i++)
            idom[i] = i <= 1 ? 0 : i - 1;
        *unreachable = n - 1;
        break;
    case DEEP_WEAK_CYCLE:
        if (n > 1)
            edges[m++] = (test_edge){0, 1, 0};
        for (uint32_t i = 1; i < n; i++)
            edges[m++] = (test_edge){i, i + 1 < n ? i + 1 : 1, 1};
        for (uint32_t i = 0; i < n; i++)
            idom[i] = 0;
        *unreachable = n - 1;
        break;
    case DEEP_LOOP_FROM_BELOW:
        /* The DFS goes down the chain first; 2's semidominator comes from
         * n-1 through a compressed path of length ~n. */
        if (n > 1) {
            edges[m++] = (test_edge){0, 1, 1};
            edges[m++] = (test_edge){0, n - 1, 1};
        }
        for (uint32_t i = 1; i + 1 < n; i++)
            edges[m++] = (test_edge){i, i + 1, 1};
        if (n > 2)
            edges[m++] = (test_edge){n - 1, 2, 1};
        for (uint32_t i = 0; i < n; i++)
            idom[i] = (i <= 2 || i == n - 1) ? 0 : i - 1;
        break;
    default: fail();
    }
    return m;
}

/* Expected retained sizes from an expected dominator tree, bottom-up without
 * recursion (Kahn's order over child counts). */
static void retained_from_idom(uint32_t n, uint32_t root, const uint32_t *idom, const uint32_t *sizes, uint64_t *ret)
{
    uint32_t *pending = xcalloc(n, sizeof(uint32_t));
    uint32_t *queue = xcalloc(n, sizeof(uint32_t));
    for (uint32_t v = 0; v < n; v++) {
        ret[v] = sizes[v];
        if (v != root)
            pending[idom[v]]++;
    }
    uint32_t head = 0, tail = 0;
    for (uint32_t v = 0; v < n; v++)
        if (!pending[v])
            queue[tail++] = v;
    while (head < tail) {
        uint32_t v = queue[head++];
        if (v == root)
            continue;
        ret[idom[v]] += ret[v];
        if (--pending[idom[v]] == 0)
            queue[tail++] = idom[v];
    }
    assert_int_equal(tail, n);
    free(pending);
    free(queue);
}

/* huge: self sizes from 0xF0000000 up, so that retained sizes pass 2^32 from the
 * second level up and almost every node's size has high bits (dominators.h). */
static void run_deep(enum deep_kind kind, uint32_t n, bool huge)
{
    test_edge *edges = xcalloc((size_t)n * 3, sizeof *edges);
    uint32_t *idom = xcalloc(n, sizeof(uint32_t));
    uint32_t *sizes = xcalloc(n, sizeof(uint32_t));
    uint64_t *ret = xcalloc(n, sizeof(uint64_t));
    uint32_t root, unreachable;
    uint32_t m = deep_build(kind, n, edges, idom, &root, &unreachable);
    for (uint32_t i = 0; i < n; i++)
        sizes[i] = (huge ? 0xF0000000u : 0) + deep_size(i);
    retained_from_idom(n, root, idom, sizes, ret);

    test_graph tg = build_graph(n, root, edges, m, sizes);
    free(edges);
    lt_dominator_tree got;
    run_impl(&tg, &got);
    /* Report the first wrong dominator before any (consequential) wrong
     * retained size; free everything before failing (the test runs under
     * LeakSanitizer). */
    char msg[256] = "";
    if (got.unreachable != unreachable)
        snprintf(msg, sizeof msg, "unreachable %u, want %u", got.unreachable, unreachable);
    for (uint32_t v = 0; v < n && !msg[0]; v++)
        if (got.dominator[v] != idom[v])
            snprintf(msg, sizeof msg, "node %u: idom %u, want %u", v, got.dominator[v], idom[v]);
    for (uint32_t v = 0; v < n && !msg[0]; v++)
        if (lt_retained(&got, v) != ret[v])
            snprintf(msg, sizeof msg, "node %u: retained %" PRIu64 ", want %" PRIu64, v, lt_retained(&got, v), ret[v]);
    lt_dominator_tree_free(&got);
    free_graph(&tg);
    free(idom);
    free(sizes);
    free(ret);
    if (msg[0])
        fail_msg("%s, %u nodes: %s", deep_names[kind], n, msg);
}

/* The expected answers of the deep shapes, checked against the reference on
 * small instances (so the big runs test the implementation, not the formula). */
static void test_deep_shapes_small(void **state)
{
    (void)state;
    for (int kind = 0; kind < DEEP_KINDS; kind++) {
        for (uint32_t n = 1; n <= 40; n++) {
            test_edge *edges = xcalloc((size_t)n * 3, sizeof *edges);
            uint32_t *idom = xcalloc(n, sizeof(uint32_t)), *sizes = xcalloc(n, sizeof(uint32_t));
            uint32_t *ref_idom = xcalloc(n, sizeof(uint32_t));
            uint64_t *ret = xcalloc(n, sizeof(uint64_t)), *ref_ret = xcalloc(n, sizeof(uint64_t));
            uint32_t root, unreachable, ref_unreachable;
            uint32_t m = deep_build((enum deep_kind)kind, n, edges, idom, &root, &unreachable);
            for (uint32_t i = 0; i < n; i++)
                sizes[i] = deep_size(i);
            retained_from_idom(n, root, idom, sizes, ret);
            test_graph tg = build_graph(n, root, edges, m, sizes);
            reference(tg.g, tg.essential, sizes, ref_idom, ref_ret, &ref_unreachable, NULL);
            uint32_t wrong = ref_unreachable != unreachable ? n : NONE;
            for (uint32_t v = 0; v < n && wrong == NONE; v++)
                if (ref_idom[v] != idom[v] || ref_ret[v] != ret[v])
                    wrong = v;
            free_graph(&tg);
            free(edges);
            free(idom);
            free(sizes);
            free(ref_idom);
            free(ret);
            free(ref_ret);
            if (wrong != NONE)
                fail_msg("deep shape %s n=%u: the test's expected answer is wrong (node %u)", deep_names[kind], n,
                         wrong);
            run_deep((enum deep_kind)kind, n, false);
        }
    }
}

static void test_deep_100k(void **state)
{
    (void)state;
    for (int kind = 0; kind < DEEP_KINDS; kind++)
        run_deep((enum deep_kind)kind, 100000, false);
}

static void test_deep_past_4_gib(void **state)
{
    (void)state;
    for (int kind = 0; kind < DEEP_KINDS; kind++)
        run_deep((enum deep_kind)kind, 100000, true);
}

static void test_deep_2m(void **state)
{
    (void)state;
    for (int kind = 0; kind < DEEP_KINDS; kind++)
        run_deep((enum deep_kind)kind, 2000000, false);
}

/* ---------------------------------------------------------- random graphs */

typedef struct random_case {
    uint32_t n, root, m;
    test_edge *edges;
    uint32_t *sizes;
} random_case;

static random_case random_graph(uint32_t max_n)
{
    static const uint32_t weak_pcts[] = {0, 5, 20, 20, 20, 20, 20, 35, 50, 100};
    random_case c;
    c.n = rng_below(4) == 0 ? 1 + rng_below(max_n < 8 ? max_n : 8) : 1 + rng_below(max_n);
    c.root = rng_below(10) < 7 ? 0 : rng_below(c.n);
    uint32_t weak_pct = weak_pcts[rng_below(COUNT(weak_pcts))];
    int sparse_root = rng_below(4) == 0;
    int dense = rng_below(8) == 0;
    c.edges = xcalloc((size_t)c.n * 13, sizeof(test_edge));
    c.sizes = xcalloc(c.n, sizeof(uint32_t));
    c.m = 0;
    for (uint32_t u = 0; u < c.n; u++) {
        uint32_t deg;
        if (u == c.root && sparse_root)
            deg = rng_below(2);
        else if (dense || rng_below(10) >= 8)
            deg = rng_below(13);
        else
            deg = rng_below(5);
        uint32_t prev = NONE;
        for (uint32_t k = 0; k < deg; k++) {
            uint32_t r = rng_below(100), to;
            if (r < 5)
                to = u; /* self loop */
            else if (r < 10)
                to = c.root; /* back to the root */
            else if (r < 20 && prev != NONE)
                to = prev; /* duplicate edge */
            else if (r < 55)
                to = (u + 1 + rng_below(3)) % c.n; /* local: long paths */
            else
                to = rng_below(c.n);
            c.edges[c.m++] = (test_edge){u, to, rng_below(100) >= weak_pct};
            prev = to;
        }
    }
    uint32_t base = rng_below(8) == 0 ? 0xC0000000u : 0; /* sums past 2^32 */
    for (uint32_t i = 0; i < c.n; i++)
        c.sizes[i] = rng_below(5) == 0 ? 0 : base + rng_below(101);
    return c;
}

static void run_random(uint32_t graphs, uint32_t max_n)
{
    uint64_t seed = test_seed();
    rng_state = seed ^ ((uint64_t)max_n << 32);
    if (!rng_state)
        rng_state = DEFAULT_SEED;
    printf("random graphs: %u graphs of up to %u nodes, seed 0x%016" PRIx64 " (LT_TEST_SEED), max_n %u\n", graphs,
           max_n, seed, max_n);

    uint32_t failures = 0, with_unreachable = 0, with_orphans = 0, with_orphan_reach = 0, with_cycles = 0,
             with_dropped = 0, nonzero_root = 0;
    random_case smallest = {0, 0, 0, NULL, NULL};
    for (uint32_t iter = 0; iter < graphs; iter++) {
        random_case c = random_graph(max_n);
        ref_stats st;
        uint32_t bad = check_against_reference(c.n, c.root, c.edges, c.m, c.sizes, failures == 0 && c.n <= 40, &st);
        with_unreachable += st.orphans + st.others + st.cyclic > 0;
        with_orphans += st.orphans > 0;
        with_orphan_reach += st.others > 0;
        with_cycles += st.cyclic > 0;
        with_dropped += st.dropped_edges > 0;
        nonzero_root += c.root != 0;
        if (bad) {
            if (failures == 0)
                printf("  first mismatch: graph #%u, %u nodes (%u entries differ)%s\n", iter, c.n, bad,
                       c.n <= 40 ? ", printed above" : "");
            failures++;
            if (!smallest.edges || c.n < smallest.n || (c.n == smallest.n && c.m < smallest.m)) {
                free(smallest.edges);
                free(smallest.sizes);
                smallest = c;
                continue;
            }
        }
        free(c.edges);
        free(c.sizes);
    }
    printf("  coverage: %u with unreached nodes, %u with orphans, %u with nodes held via an "
           "orphan, %u with weak-only cycles, %u with dropped cycle edges, %u with root != 0\n",
           with_unreachable, with_orphans, with_orphan_reach, with_cycles, with_dropped, nonzero_root);
    if (failures) {
        shrink_case(&smallest.n, &smallest.root, smallest.edges, &smallest.m, smallest.sizes);
        printf("  smallest failing graph after shrinking:\n");
        check_against_reference(smallest.n, smallest.root, smallest.edges, smallest.m, smallest.sizes, 1, NULL);
        free(smallest.edges);
        free(smallest.sizes);
        fflush(stdout);
        fail_msg("%u of %u random graphs mismatch (seed 0x%016" PRIx64 ")", failures, graphs, seed);
    }
    /* The generator must actually produce the interesting cases. */
    assert_true(with_orphans > 0 && with_orphan_reach > 0 && with_cycles > 0 && with_dropped > 0 && nonzero_root > 0);
}

static void test_random_small(void **state)
{
    (void)state;
    run_random(3000, 40);
}

static void test_random_medium(void **state)
{
    (void)state;
    run_random(150, 300);
}

/* The biggest child of a node with thousands of children comes from the table the
 * tree keeps (the first in order on ties), of a small one from a scan: both as a
 * plain scan over the children says. */
static void test_biggest_child(void **state)
{
    (void)state;
    enum { KIDS = 3000, N = KIDS + 6 };
    static test_edge e[N];
    static uint32_t sizes[N];
    uint32_t m = 0, hub = 1, small = 2;
    e[m++] = (test_edge){0, hub, 1};
    e[m++] = (test_edge){0, small, 1};
    for (uint32_t i = 0; i < KIDS; i++) {
        e[m++] = (test_edge){hub, 3 + i, 1};
        sizes[3 + i] = 1 + (i * 7919u) % 1000u;
    }
    sizes[3 + 1500] = sizes[3 + 2500] = 5000; /* a tie: the first wins */
    e[m++] = (test_edge){small, 3 + KIDS, 1};
    e[m++] = (test_edge){small, 4 + KIDS, 1};
    sizes[3 + KIDS] = 10;
    sizes[4 + KIDS] = 20;
    test_graph tg = build_graph(5 + KIDS, 0, e, m, sizes);
    lt_dominator_tree t;
    run_impl(&tg, &t);
    assert_int_equal(t.big_parent_count, 1);
    assert_int_equal(t.big_parents[0].node, hub);
    assert_int_equal(lt_dominator_tree_biggest_child(&t, hub), 3 + 1500);
    assert_int_equal(lt_dominator_tree_biggest_child(&t, small), 4 + KIDS);
    assert_int_equal(lt_dominator_tree_biggest_child(&t, 3), UINT32_MAX); /* a leaf */
    lt_dominator_tree_free(&t);
    free_graph(&tg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_node),
        cmocka_unit_test(test_diamond),
        cmocka_unit_test(test_weak_retained_node),
        cmocka_unit_test(test_weak_only_two_cycle),
        cmocka_unit_test(test_weak_cycle_edge_into_reachable),
        cmocka_unit_test(test_orphan_edge_into_reachable),
        cmocka_unit_test(test_self_loop_is_a_retainer),
        cmocka_unit_test(test_loop_entered_from_below),
        cmocka_unit_test(test_nonzero_root),
        cmocka_unit_test(test_all_edges_weak),
        cmocka_unit_test(test_deep_shapes_small),
        cmocka_unit_test(test_random_small),
        cmocka_unit_test(test_random_medium),
        cmocka_unit_test(test_deep_100k),
        cmocka_unit_test(test_deep_past_4_gib),
        cmocka_unit_test(test_deep_2m),
        cmocka_unit_test(test_biggest_child),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
