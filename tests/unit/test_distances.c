/* test_distances: lt_distances_compute against a plain reference search, on graphs whose
 * frontier is hundreds of thousands of nodes wide (wide_graph.h): every node's distance and
 * parent edge must be the same. The reference queues into an array of node_count entries;
 * lt_distances_compute into a ring that starts at 64 Ki entries and doubles when full, so
 * these graphs make it grow several times while its entries wrap round the end, the search
 * deep in: a ring that lost or reordered entries as it grew would change the order in which
 * nodes are met, hence distances, parent edges and which edge of a WeakMap pair counts.
 *
 * The seed of the random graphs is printed; LT_TEST_SEED=<number> overrides it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devtools/distances.h"
#include "wide_graph.h"

#define DEFAULT_SEED 0x9e3779b97f4a7c15ull
#define RING_FIRST   65536u /* distances.c's first ring, for the premise of the fan test */

/* What the reference search saw: the most nodes queued at once, where a ring like
 * distances.c's would have had its head each time it grew, the nodes met in the second
 * phase and those met through a WeakMap pair's edge. */
typedef struct frontier {
    size_t widest;
    size_t growths, head_at_growth[16];
    size_t second_phase, by_pair;
} frontier;

typedef struct reference_search {
    const wide_graph *w;
    int32_t *distance;
    uint32_t *parent_edge;
    uint32_t *queue; /* node_count + root edges entries: each node enters once a phase */
    size_t head, tail;
    uint8_t *pending; /* per WeakMap pair: its first edge met was skipped */
    size_t ring_cap, ring_head;
    frontier *seen;
} reference_search;

static void queue_node(reference_search *r, uint32_t v, int32_t distance, uint32_t edge)
{
    r->distance[v] = distance;
    r->parent_edge[v] = edge;
    if (r->tail - r->head == r->ring_cap) { /* the ring would grow now */
        if (r->seen->growths < sizeof r->seen->head_at_growth / sizeof *r->seen->head_at_growth)
            r->seen->head_at_growth[r->seen->growths++] = r->ring_head;
        r->ring_cap *= 2;
    }
    r->queue[r->tail++] = v;
    if (r->tail - r->head > r->seen->widest)
        r->seen->widest = r->tail - r->head;
}

/* DevTools' rules as distances.h gives them, for these graphs (no NativeContext and no
 * map descriptors): weak edges are not followed; of a WeakMap pair, the edge met second. */
static void search(reference_search *r)
{
    const wide_graph *w = r->w;
    while (r->head < r->tail) {
        uint32_t v = r->queue[r->head++];
        r->ring_head = (r->ring_head + 1) % r->ring_cap;
        for (uint32_t e = w->first_edge[v]; e < w->first_edge[v + 1]; e++) {
            uint32_t to = w->to[e];
            if (w->kind[e] == WIDE_WEAK || r->distance[to] != LT_DISTANCE_UNREACHABLE)
                continue;
            if (w->kind[e] == WIDE_PAIR) {
                int second = r->pending[w->pair[e]];
                r->pending[w->pair[e]] ^= 1;
                if (!second)
                    continue;
            }
            queue_node(r, to, r->distance[v] + 1, e);
            r->seen->by_pair += w->kind[e] == WIDE_PAIR;
            r->seen->second_phase += r->distance[to] > LT_DISTANCE_SYSTEM_BASE;
        }
    }
}

/* The user roots first (at 1), then from the root, each phase from an empty queue. */
static void reference(const wide_graph *w, int32_t *distance, uint32_t *parent_edge, frontier *seen)
{
    uint32_t root_edges = w->first_edge[1] - w->first_edge[0];
    reference_search r = {.w = w, .distance = distance, .parent_edge = parent_edge, .ring_cap = RING_FIRST};
    r.queue = malloc(((size_t)w->node_count + root_edges + 1) * sizeof *r.queue);
    r.pending = calloc(w->pair_count + 1, 1);
    r.seen = seen;
    assert_true(r.queue && r.pending);
    *seen = (frontier){0};
    for (uint32_t v = 0; v < w->node_count; v++) {
        distance[v] = LT_DISTANCE_UNREACHABLE;
        parent_edge[v] = LT_NO_EDGE;
    }
    for (uint32_t e = w->first_edge[0]; e < w->first_edge[1]; e++)
        if (w->user_root[w->to[e]])
            queue_node(&r, w->to[e], 1, e);
    int has_user_roots = r.tail > 0;
    search(&r);
    distance[0] = has_user_roots ? LT_DISTANCE_SYSTEM_BASE : 0;
    r.head = r.tail = r.ring_head = 0;
    r.queue[r.tail++] = 0;
    search(&r);
    free(r.queue);
    free(r.pending);
}

/* lt_distances_compute's answer, with and without parent edges, against the reference. */
static void check_against_reference(const wide_graph *w, frontier *seen)
{
    uint32_t n = w->node_count;
    int32_t *want = malloc(n * sizeof *want);
    uint32_t *want_parent = malloc(n * sizeof *want_parent), *parent = NULL;
    assert_true(want && want_parent);
    reference(w, want, want_parent, seen);
    lt_error err = {0};
    int32_t *distance = lt_distances_compute(w->g, &w->weakmaps, NULL, &parent, &err);
    if (!distance)
        fail_msg("%s", err.message);
    for (uint32_t v = 0; v < n; v++)
        if (distance[v] != want[v] || parent[v] != want_parent[v])
            fail_msg("node %u: distance %d, parent edge %u; the reference: %d, %u", v, distance[v], parent[v], want[v],
                     want_parent[v]);
    free(distance);
    distance = lt_distances_compute(w->g, &w->weakmaps, NULL, NULL, &err);
    assert_non_null(distance);
    assert_memory_equal(distance, want, n * sizeof *want);
    free(distance);
    free(parent);
    free(want);
    free(want_parent);
}

/* 60,000 nodes at once, then bursts as the search goes: the ring grows from 64 Ki to
 * 512 Ki entries, each time with its head thousands of entries in. */
static void fan_frontier_grows_the_ring_while_wrapped(void **state)
{
    (void)state;
    wide_graph *w = wide_graph_fan();
    frontier seen;
    check_against_reference(w, &seen);
    fprintf(stderr,
            "%u nodes, %u edges, %u WeakMap pairs; %zu nodes met in the second phase, %zu through a pair; at most %zu "
            "queued; the ring grew %zu times, its head at",
            w->node_count, w->edge_count, w->pair_count, seen.second_phase, seen.by_pair, seen.widest, seen.growths);
    size_t far = 0;
    for (size_t i = 0; i < seen.growths; i++) {
        fprintf(stderr, " %zu", seen.head_at_growth[i]);
        far += seen.head_at_growth[i] >= 1000;
    }
    fputc('\n', stderr);
    assert_true(seen.widest > 4 * RING_FIRST); /* the premise: several growths, wrapped */
    assert_true(far >= 3);
    assert_true(seen.second_phase > 10000 && seen.by_pair > 100);
    wide_graph_free(w);
}

static uint64_t test_seed(void)
{
    const char *s = getenv("LT_TEST_SEED");
    uint64_t seed = s && *s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
    return seed ? seed : DEFAULT_SEED; /* xorshift must not start at 0 */
}

/* Random graphs of 300,000-400,000 nodes (about 36% of them queued at once: the ring
 * grows once or twice) and small ones (it does not). */
static void random_graphs_match_the_reference(void **state)
{
    (void)state;
    uint64_t seed = test_seed();
    fprintf(stderr, "seed %" PRIu64 " (LT_TEST_SEED)\n", seed);
    static const uint32_t sizes[] = {400000, 300007, 7, 8, 50, 1000, 70000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        wide_graph *w = wide_graph_random(seed + i, sizes[i]);
        frontier seen;
        check_against_reference(w, &seen);
        fprintf(stderr, "%u nodes: %zu met in the second phase, %zu through a pair; at most %zu queued, %zu growths\n",
                w->node_count, seen.second_phase, seen.by_pair, seen.widest, seen.growths);
        if (sizes[i] >= 300000)
            assert_true(seen.growths >= 1);
        wide_graph_free(w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fan_frontier_grows_the_ring_while_wrapped),
        cmocka_unit_test(random_graphs_match_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
