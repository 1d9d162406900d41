/* test_edge_codes: a graph's edges packed into 6 bytes (graph.h, edge_codes.c) read back
 * as they were set: every edge's target, type and name, whether its name got one of its
 * type's 4095 codes or was escaped; the most used names get the codes; names past 2^28
 * and past the string count come back whole; the escapes are found at every place in
 * their blocks of 64, on either side of a block's edge; and targets are kept in 3 bytes
 * below 2^24 nodes and 4 from there; packed on a thread of its own, with a bound of the
 * names, the same. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "snapshot/graph.h"

typedef struct set_edge {
    uint32_t to, type, name;
} set_edge;

/* A graph of one node holding m edges as given, packed; fails the test on error. */
static lt_graph *packed(const set_edge *edges, uint32_t m, uint32_t strings)
{
    lt_error err = {0};
    lt_graph *g = lt_graph_new(1, m, false, NULL, &err);
    assert_non_null(g);
    g->first_edge[0] = 0;
    g->first_edge[1] = m;
    g->string_count = strings; /* the names below it (or 65536) may have a code */
    for (uint32_t e = 0; e < m; e++)
        assert_int_equal(lt_graph_set_edge(g, e, edges[e].to, edges[e].type, edges[e].name), 0);
    assert_int_equal(lt_graph_pack_edges(g, &err), 0);
    g->string_count = 0; /* no table behind it */
    assert_null(g->edge_wide);
    assert_null(g->rare_names);
    return g;
}

static void reads_back(const lt_graph *g, const set_edge *edges, uint32_t m)
{
    for (uint32_t e = 0; e < m; e++) {
        lt_edge got = lt_graph_edge(g, e);
        if (got.to != edges[e].to || got.type != edges[e].type || lt_graph_edge_type(g, e) != edges[e].type ||
            lt_graph_edge_name_at(g, e) != edges[e].name)
            fail_msg("edge %u: got to %u type %u name %u, set to %u type %u name %u", e, got.to, got.type,
                     lt_graph_edge_name_at(g, e), edges[e].to, edges[e].type, edges[e].name);
    }
}

static uint32_t escaped(const lt_graph *g, uint32_t e)
{
    return g->edge_code[e] >> LT_EDGE_TYPE_BITS == LT_EDGE_CODE_ESCAPE;
}

/* Three types: type 1 uses 5,000 names, name k 1 + (k % 7) times plus 100 times for
 * the 100 names k = 13, 26, ...; type 2 few names; type 5 element-like numbers, some
 * huge; shuffled by a fixed permutation so that escapes fall anywhere in a block. */
static void every_edge_reads_back_as_set(void **state)
{
    (void)state;
    uint32_t cap = 200000, m = 0;
    set_edge *edges = malloc(cap * sizeof *edges);
    assert_non_null(edges);
    for (uint32_t k = 0; k < 5000; k++) {
        uint32_t uses = 1 + k % 7 + (k % 13 == 0 && k < 1300 ? 100 : 0);
        for (uint32_t u = 0; u < uses; u++)
            edges[m++] = (set_edge){k % 97, 1, k};
    }
    for (uint32_t k = 0; k < 3000; k++)
        edges[m++] = (set_edge){k, 2, k % 3};
    for (uint32_t k = 0; k < 3000; k++) /* names past any string count, past 2^28, the largest */
        edges[m++] = (set_edge){k, 5, k % 3 == 0 ? k : k % 3 == 1 ? 0x10000000u + k : 0xFFFFFFFFu - k};
    assert_true(m < cap);
    for (uint32_t i = m - 1; i > 0; i--) { /* a fixed shuffle */
        uint32_t j = (uint32_t)(((uint64_t)i * 2654435761u) % (i + 1));
        set_edge t = edges[i];
        edges[i] = edges[j];
        edges[j] = t;
    }
    lt_graph *g = packed(edges, m, 6000);
    reads_back(g, edges, m);
    /* Type 1's codes go to its 4095 most used names, ties to the smaller name: the
     * 100 names used over 100 times, then by uses (7 down to 1) and name. */
    uint32_t *rank = malloc(5000 * sizeof *rank), uses[5000];
    assert_non_null(rank);
    for (uint32_t k = 0; k < 5000; k++) {
        uses[k] = 1 + k % 7 + (k % 13 == 0 && k < 1300 ? 100 : 0);
        rank[k] = k;
    }
    for (uint32_t i = 1; i < 5000; i++) /* insertion sort by (uses down, name up) */
        for (uint32_t j = i; j > 0 && uses[rank[j - 1]] < uses[rank[j]]; j--) {
            uint32_t t = rank[j];
            rank[j] = rank[j - 1];
            rank[j - 1] = t;
        }
    int coded[5000] = {0};
    for (uint32_t i = 0; i < LT_EDGE_CODES; i++)
        coded[rank[i]] = 1;
    uint32_t escapes = 0;
    for (uint32_t e = 0; e < m; e++) {
        int want = edges[e].type == 1 ? !coded[edges[e].name] : edges[e].type == 5 && edges[e].name >= 3000;
        if ((int)escaped(g, e) != want)
            fail_msg("edge %u (type %u, name %u): escaped %d, want %d", e, edges[e].type, edges[e].name,
                     (int)escaped(g, e), want);
        escapes += want;
    }
    assert_int_equal(g->escape_count, escapes);
    assert_true(escapes > 2000 + 900); /* type 5's 2,000 huge names, type 1's 905 least used */
    free(rank);
    lt_graph_free(g);
    free(edges);
}

/* Escapes at the first and last place of a block, whole blocks of them, and none. */
static void escapes_at_block_edges(void **state)
{
    (void)state;
    uint32_t m = 64 * 6 + 5;
    set_edge *edges = malloc(m * sizeof *edges);
    assert_non_null(edges);
    for (uint32_t e = 0; e < m; e++) {
        uint32_t place = e % 64, block = e / 64;
        int escape = block == 1 ? place == 0 || place == 63 : block == 2 ? 1 : block == 4 ? place % 2 : e >= 64 * 6;
        edges[e] = (set_edge){e, 3, escape ? 0x20000000u + e : 7};
    }
    lt_graph *g = packed(edges, m, 0);
    reads_back(g, edges, m);
    lt_graph_free(g);
    free(edges);
}

/* Targets in 3 bytes below 2^24 nodes and in 4 from there, up to the last node, set out
 * of order (a 3-byte entry written beside one already set leaves it whole). */
static void targets_in_three_or_four_bytes(void **state)
{
    (void)state;
    static const uint32_t nodes[] = {0xFFFFFFu, 0x1000001u};
    for (int i = 0; i < 2; i++) {
        uint32_t n = nodes[i], m = 9;
        lt_error err = {0};
        lt_graph *g = lt_graph_new(n, m, false, NULL, &err); /* node arrays never touched */
        assert_non_null(g);
        assert_int_equal(g->edge_to_width, i ? 4 : 3);
        uint32_t want[9];
        for (uint32_t e = 0; e < m; e++)
            want[e] = e % 3 == 0 ? n - 1 - e : e % 3 == 1 ? e : 0x00FFFF00u + e;
        for (uint32_t k = 0; k < m; k++) { /* 0, 5, 1, 6, ...: neighbours set after each other */
            uint32_t e = k % 2 ? (k + m) / 2 : k / 2;
            assert_int_equal(lt_graph_set_edge(g, e, want[e], 1, e), 0);
        }
        assert_int_equal(lt_graph_pack_edges(g, &err), 0);
        for (uint32_t e = 0; e < m; e++) {
            assert_int_equal(lt_graph_edge_to(g, e), want[e]);
            assert_int_equal(lt_graph_edge_name_at(g, e), e);
        }
        lt_graph_free(g);
    }
}

/* Packed on a thread of its own (as the reader packs while it reads the strings), with a
 * bound of the names below the names used: the names from the bound on are escaped, and
 * every edge reads back as set; the graph's other arrays are written meanwhile. */
static void packed_on_a_thread_with_a_bound(void **state)
{
    (void)state;
    uint32_t m = 1000, bound = 3000;
    lt_error err = {0};
    lt_graph *g = lt_graph_new(2, m, false, NULL, &err);
    assert_non_null(g);
    set_edge *edges = malloc(m * sizeof *edges);
    assert_non_null(edges);
    for (uint32_t e = 0; e < m; e++) {
        edges[e] = (set_edge){e % 2, e % 3 ? 2 : 1, e * 5}; /* names up to 4995, each used once */
        assert_int_equal(lt_graph_set_edge(g, e, edges[e].to, edges[e].type, edges[e].name), 0);
    }
    lt_edge_packing *p = lt_graph_pack_edges_start(g, bound);
    assert_non_null(p);
    g->first_edge[0] = 0; /* what the reader goes on writing */
    g->first_edge[1] = m / 2;
    g->first_edge[2] = m;
    for (uint32_t v = 0; v < 2; v++)
        g->self_size[v] = v + 1;
    assert_int_equal(lt_graph_pack_edges_wait(p, &err), 0);
    assert_null(g->edge_wide);
    reads_back(g, edges, m);
    uint32_t escapes = 0;
    for (uint32_t e = 0; e < m; e++) {
        if ((int)escaped(g, e) != (edges[e].name >= bound))
            fail_msg("edge %u (name %u): escaped %d", e, edges[e].name, (int)escaped(g, e));
        escapes += edges[e].name >= bound;
    }
    assert_int_equal(g->escape_count, escapes);
    assert_int_equal(lt_graph_pack_edges_wait(NULL, &err), 0);
    lt_graph_free(g);
    free(edges);
}

static void no_edges(void **state)
{
    (void)state;
    lt_graph *g = packed(NULL, 0, 0);
    assert_int_equal(g->escape_count, 0);
    lt_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_edge_reads_back_as_set),
        cmocka_unit_test(escapes_at_block_edges),
        cmocka_unit_test(targets_in_three_or_four_bytes),
        cmocka_unit_test(packed_on_a_thread_with_a_bound),
        cmocka_unit_test(no_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
