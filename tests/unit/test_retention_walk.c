/* test_retention_walk: the dominators' DFS that classifies the retaining edges as it walks
 * (lt_dominators_start_classifying) gives the same tree as the DFS over the bits the
 * whole-graph classification makes (lt_retention_edges, then lt_dominators_start), with
 * 3- and 4-byte scratch, on random snapshots made to meet every case of the rule:
 * - the root's shortcut edges (seeds: their nodes are the page's own) and its element edge to
 *   "(Document DOM trees)" (a seed too), some listed twice, one seed reached from another;
 * - shortcut edges from other nodes (not retaining, but the page's own spreads over them, to
 *   nodes the DFS from the seeds never numbers);
 * - edges into the root (from the page's own nodes: the root then is one of them, and so is
 *   what it leads to) and self edges;
 * - weak edges, and nodes outside the page's own (under "(GC roots)") with edges into it,
 *   which do not retain;
 * - snapshots without any seed;
 * and on wide_graph's random snapshots, whose WeakMap pairs make the table-to-value rule
 * apply. test_dominator_widths holds the analysis (which classifies as it walks) to the
 * whole-graph classification on every committed fixture; test_fixtures holds both to
 * DevTools. The seed of the random snapshots is printed; LT_TEST_SEED=<number> overrides it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devtools/dominators.h"
#include "devtools/retention.h"
#include "devtools/weakmap_edges.h"
#include "snapshot/snapshot_reader.h"
#include "same_tree.h"
#include "wide_graph.h"

#define DEFAULT_SEED 0x2545f4914f6cdd1dull

enum { TYPE_OBJECT = 3, TYPE_SYNTHETIC = 9 };
enum { EDGE_CONTEXT, EDGE_ELEMENT, EDGE_PROPERTY, EDGE_INTERNAL, EDGE_HIDDEN, EDGE_SHORTCUT, EDGE_WEAK };
enum { NAME_EMPTY, NAME_GC_ROOTS, NAME_OBJECT, NAME_P, NAME_DOM_TREES };
enum { GC_ROOTS = 1, DOM_TREES = 2 };

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint32_t below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(next(s) % n);
}

typedef struct edge {
    int type;
    uint32_t to;
} edge;

/* The edges of a random snapshot of n nodes (node 0 the root, 1 "(GC roots)", 2 "(Document
 * DOM trees)"), node by node: out[first[v] .. first[v + 1]). */
static edge *random_edges(uint64_t *s, uint32_t n, uint32_t *first, uint32_t *count)
{
    size_t cap = (size_t)n * 8 + 16, m = 0;
    edge *out = malloc(cap * sizeof *out);
    assert_non_null(out);
    uint32_t user = 4 + n / 3 + below(s, n / 3); /* nodes from here: only "(GC roots)" leads to them */
    for (uint32_t v = 0; v < n; v++) {
        first[v] = (uint32_t)m;
        if (v == 0) {
            out[m++] = (edge){EDGE_ELEMENT, GC_ROOTS};
            if (below(s, 4))
                out[m++] = (edge){EDGE_ELEMENT, DOM_TREES};
            for (uint32_t k = below(s, 4); k > 0; k--) /* seeds, maybe one twice, maybe the root */
                out[m++] = (edge){EDGE_SHORTCUT, below(s, 20) ? 3 + below(s, user - 3) : 0};
            if (below(s, 2))
                out[m++] = (edge){EDGE_ELEMENT, 3 + below(s, n - 3)};
            continue;
        }
        uint32_t edges = v == GC_ROOTS ? 6 : below(s, 6);
        for (uint32_t k = 0; k < edges; k++) {
            static const int types[] = {EDGE_ELEMENT,  EDGE_PROPERTY, EDGE_PROPERTY, EDGE_PROPERTY, EDGE_CONTEXT,
                                        EDGE_HIDDEN,   EDGE_INTERNAL, EDGE_WEAK,     EDGE_WEAK,     EDGE_SHORTCUT,
                                        EDGE_SHORTCUT, EDGE_PROPERTY, EDGE_ELEMENT};
            int type = types[below(s, sizeof types / sizeof *types)];
            uint32_t roll = below(s, 100), to;
            if (roll < 2)
                to = 0; /* into the root */
            else if (roll < 4)
                to = v; /* a self edge */
            else if (v == GC_ROOTS || v >= user)
                to = 3 + below(s, n - 3); /* anywhere: into the page's own too */
            else
                to = 3 + below(s, user - 3);
            out[m++] = (edge){type, to};
        }
    }
    first[n] = (uint32_t)m;
    *count = (uint32_t)m;
    return out;
}

/* The snapshot text of n nodes with those edges. */
static char *snapshot_text(uint32_t n, const uint32_t *first, const edge *edges, uint32_t m)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    wide_graph_text_head(f, n, m);
    for (uint32_t v = 0; v < n; v++) {
        int synthetic = v == 0 || v == GC_ROOTS || v == DOM_TREES;
        uint32_t name = v == 0           ? NAME_EMPTY
                        : v == GC_ROOTS  ? NAME_GC_ROOTS
                        : v == DOM_TREES ? NAME_DOM_TREES
                                         : NAME_OBJECT;
        fprintf(f, "%s%d,%u,%u,%u,%u,0,0", v ? ",\n" : "", synthetic ? TYPE_SYNTHETIC : TYPE_OBJECT, name, 2 * v + 1,
                16 + v % 7, first[v + 1] - first[v]);
    }
    fputs("],\n\"edges\":[", f);
    for (uint32_t e = 0; e < m; e++) {
        int named = edges[e].type != EDGE_ELEMENT && edges[e].type != EDGE_HIDDEN;
        fprintf(f, "%s%d,%u,%u", e ? ",\n" : "", edges[e].type, named ? NAME_P : e, edges[e].to * 7);
    }
    fputs("],\n\"strings\":[\"\",\"(GC roots)\",\"Object\",\"p\",\"(Document DOM trees)\"]}\n", f);
    fclose(f);
    return text;
}

static lt_graph *read_text(const char *text)
{
    lt_error err = {0};
    lt_reader *r = lt_reader_new(&err);
    assert_non_null(r);
    lt_graph *g = NULL;
    if (lt_reader_feed(r, text, strlen(text), &err) || lt_reader_finish(r, &g, &err))
        fail_msg("the random snapshot should read: %s", err.message);
    lt_reader_free(r);
    return g;
}

/* The tree both ways at one width; fails with what differs. */
static void same_both_ways(const lt_graph *g, const lt_weakmap_names *weakmaps, unsigned width, const char *what)
{
    lt_error err = {0};
    uint64_t *bits = lt_retention_edges(g, weakmaps, NULL, &err);
    assert_non_null(bits);
    lt_dominator_tree reference, walked;
    lt_dominator_work *work = NULL;
    assert_int_equal(lt_dominators_start(g, bits, width, NULL, &work, &reference, &err), 0);
    assert_int_equal(lt_dominators_finish(work, g->self_size, &reference, &err), 0);
    free(bits);
    lt_retention_rule rule;
    assert_int_equal(lt_retention_rule_init(g, weakmaps, &rule, &err), 0);
    assert_int_equal(lt_dominators_start_classifying(g, &rule, width, NULL, &work, &walked, &err), 0);
    lt_retention_rule_free(&rule);
    assert_int_equal(lt_dominators_finish(work, g->self_size, &walked, &err), 0);
    int same = same_tree(&reference, &walked, g->node_count);
    uint32_t differ = UINT32_MAX;
    for (uint32_t v = 0; !same && v < g->node_count && differ == UINT32_MAX; v++)
        if (reference.dominator[v] != walked.dominator[v])
            differ = v;
    if (!same)
        fail_msg("%s, %u-byte scratch: the walk's tree differs (unreachable %u / %u; node %u dominated by %u / %u)",
                 what, width, reference.unreachable, walked.unreachable, differ,
                 differ == UINT32_MAX ? 0 : reference.dominator[differ],
                 differ == UINT32_MAX ? 0 : walked.dominator[differ]);
    lt_dominator_tree_free(&reference);
    lt_dominator_tree_free(&walked);
}

static uint64_t test_seed(void)
{
    const char *env = getenv("LT_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : DEFAULT_SEED;
    printf("seed %#" PRIx64 " (LT_TEST_SEED overrides it)\n", seed);
    return seed ? seed : DEFAULT_SEED;
}

static void random_snapshots_same_tree_both_ways(void **state)
{
    (void)state;
    uint64_t s = test_seed();
    uint32_t without_seeds = 0, spread = 0;
    for (int round = 0; round < 400; round++) {
        uint32_t n = 8 + below(&s, round < 300 ? 60 : 3000), m = 0;
        uint32_t *first = malloc(((size_t)n + 1) * sizeof *first);
        assert_non_null(first);
        edge *edges = random_edges(&s, n, first, &m);
        char *text = snapshot_text(n, first, edges, m);
        lt_graph *g = read_text(text);
        lt_weakmap_names weakmaps = {0};
        lt_error err = {0};
        assert_int_equal(lt_weakmap_names_build(g, &weakmaps, &err), 0);
        without_seeds += first[1] - first[0] == 1;
        for (uint32_t e = first[1]; e < m; e++)
            spread += edges[e].type == EDGE_SHORTCUT;
        char what[64];
        snprintf(what, sizeof what, "random snapshot %d (%u nodes, %u edges)", round, n, m);
        same_both_ways(g, &weakmaps, 3, what);
        same_both_ways(g, &weakmaps, 4, what);
        lt_weakmap_names_free(&weakmaps);
        lt_graph_free(g);
        free(text);
        free(edges);
        free(first);
    }
    printf("400 snapshots, %u without a seed, %u shortcut edges from other nodes than the root\n", without_seeds,
           spread);
    assert_true(without_seeds > 0 && spread > 0);
}

static void weakmap_snapshots_same_tree_both_ways(void **state)
{
    (void)state;
    uint64_t s = test_seed();
    for (int round = 0; round < 6; round++) {
        wide_graph *w = wide_graph_random(next(&s) | 1, 2000 + 3000 * (uint32_t)round);
        char what[64];
        snprintf(what, sizeof what, "wide_graph_random %d (%u WeakMap pairs)", round, w->pair_count);
        assert_true(w->pair_count > 0);
        same_both_ways(w->g, &w->weakmaps, 3, what);
        same_both_ways(w->g, &w->weakmaps, 4, what);
        wide_graph_free(w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_snapshots_same_tree_both_ways),
        cmocka_unit_test(weakmap_snapshots_same_tree_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
