/* test_dominator_widths: the dominators' scratch at 3 bytes a node number (graphs below
 * 2^24 nodes) and at 4 (2^24 nodes and more; forced here through lt_dominators_start's
 * index_bytes) gives the same tree on every committed snapshot under tests/fixtures; the
 * width follows the graph's node and edge counts; and the index arrays
 * (util/index_array.h) keep neighbouring entries apart. The analysis classifies the
 * retaining edges as its DFS walks (lt_dominators_start_classifying); the trees again here
 * come from the whole-graph classification (lt_retention_edges), so every fixture holds the
 * two to one tree (test_retention_walk does so on random snapshots). test_dominators.c runs
 * both widths on its graphs too, and test_fixtures.c checks the trees against DevTools. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_result.h"
#include "devtools/dominators.h"
#include "devtools/retention.h"
#include "devtools/weakmap_edges.h"
#include "util/index_array.h"
#include "same_tree.h"

/* ---- the index arrays ---------------------------------------------------------- */

static uint32_t scrambled(uint32_t i, uint32_t max)
{
    return (uint32_t)(i * 2654435761u) & max;
}

/* Entries written in a scrambled order, then each one overwritten with its extremes,
 * read back with both readers; the neighbours never change. */
static void check_index_array(unsigned width)
{
    enum { COUNT = 67 };
    uint32_t max = width == 3 ? LT_INDEX_NARROW_MAX : UINT32_MAX;
    assert_int_equal(lt_index_array_bytes(COUNT, width), COUNT * width + (4 - width));
    uint8_t *bytes = malloc(lt_index_array_bytes(COUNT, width));
    assert_non_null(bytes);
    lt_index_array a = lt_index_array_at(bytes, width);
    for (uint32_t k = 0; k < COUNT; k++)
        lt_index_set(a, (k * 29u) % COUNT, scrambled((k * 29u) % COUNT, max));
    for (uint32_t i = 0; i < COUNT; i++) {
        assert_int_equal(lt_index_get(a, i), scrambled(i, max));
        assert_int_equal(lt_index_peek(a, i), scrambled(i, max));
    }
    const uint32_t extremes[] = {0, max, 1, max - 1, 0x10203 & max};
    for (uint32_t i = 0; i < COUNT; i++) {
        for (size_t x = 0; x < sizeof extremes / sizeof *extremes; x++) {
            lt_index_set(a, i, extremes[x]);
            assert_int_equal(lt_index_get(a, i), extremes[x]);
            assert_int_equal(lt_index_peek(a, i), extremes[x]);
            if (i > 0)
                assert_int_equal(lt_index_get(a, i - 1), scrambled(i - 1, max));
            if (i + 1 < COUNT)
                assert_int_equal(lt_index_get(a, i + 1), scrambled(i + 1, max));
        }
        lt_index_set(a, i, scrambled(i, max));
    }
    free(bytes);
}

static void index_arrays_keep_entries_apart(void **state)
{
    (void)state;
    check_index_array(3);
    check_index_array(4);
}

/* ---- the width --------------------------------------------------------------------- */

/* lt_dominators_index_bytes of a graph that has only counts and first_edge. */
static unsigned width_of(uint32_t node_count, uint32_t edge_count, uint32_t *first_edge)
{
    lt_graph g;
    memset(&g, 0, sizeof g);
    g.node_count = node_count;
    g.edge_count = edge_count;
    g.first_edge = first_edge;
    return lt_dominators_index_bytes(&g);
}

static void width_follows_node_and_edge_counts(void **state)
{
    (void)state;
    uint32_t small[] = {0, 2, 5, 5};
    assert_int_equal(width_of(3, 5, small), 3);
    /* numbers go up to the node count: with fewer edges than 2^24, first_edge is not read */
    assert_int_equal(width_of(LT_INDEX_NARROW_MAX - 1, 10, NULL), 3);
    assert_int_equal(width_of(LT_INDEX_NARROW_MAX, 10, NULL), 4);
    assert_int_equal(width_of(UINT32_MAX - 1, 10, NULL), 4);
    /* the DFS's cursor goes up to a node's edge count */
    uint32_t widest_fits[] = {0, LT_INDEX_NARROW_MAX, LT_INDEX_NARROW_MAX + 2};
    assert_int_equal(width_of(2, LT_INDEX_NARROW_MAX + 2, widest_fits), 3);
    uint32_t too_wide[] = {0, 1, LT_INDEX_NARROW_MAX + 2};
    assert_int_equal(width_of(2, LT_INDEX_NARROW_MAX + 2, too_wide), 4);
}

/* ---- every fixture ----------------------------------------------------------------- */

/* The tree of the analysed graph again, with index_bytes bytes a number; 0 or an error code. */
static int tree_again(const lt_graph *g, const lt_weakmap_names *weakmaps, unsigned index_bytes, lt_dominator_tree *out,
                      lt_error *err)
{
    uint64_t *retaining = lt_retention_edges(g, weakmaps, NULL, err);
    if (!retaining)
        return err->code;
    lt_dominator_work *work = NULL;
    int rc = lt_dominators_start(g, retaining, index_bytes, NULL, &work, out, err);
    if (!rc)
        rc = lt_dominators_finish(work, g->self_size, out, err);
    free(retaining);
    return rc;
}

/* Analyses path (3-byte scratch, as every fixture is small enough), then computes its
 * tree again with each width: both must be the analysis's. Returns 1 (a snapshot checked). */
static int check_both_widths(const char *path)
{
    lt_analysis *a = NULL;
    lt_error err = {0};
    if (lt_analyze_file(path, NULL, &a, &err))
        fail_msg("%s: %s", path, err.message);
    const lt_graph *g = a->graph;
    assert_int_equal(lt_dominators_index_bytes(g), 3);
    lt_weakmap_names weakmaps = {0};
    assert_int_equal(lt_weakmap_names_build(g, &weakmaps, &err), 0);
    char msg[2048] = "";
    for (unsigned width = 3; width <= 4 && !msg[0]; width++) {
        lt_dominator_tree t;
        int rc = tree_again(g, &weakmaps, width, &t, &err);
        if (rc)
            snprintf(msg, sizeof msg, "%s, %u bytes: %s", path, width, err.message);
        else if (!same_tree(&t, &a->tree, g->node_count))
            snprintf(msg, sizeof msg, "%s: the tree with %u-byte scratch differs from the analysis's", path, width);
        if (!rc)
            lt_dominator_tree_free(&t);
    }
    lt_weakmap_names_free(&weakmaps);
    lt_analysis_free(a);
    if (msg[0])
        fail_msg("%s", msg);
    return 1;
}

/* A compressed snapshot (archive/ holds samples of input formats, not snapshots). */
static int is_snapshot(const char *name)
{
    size_t len = strlen(name), suffix = strlen(".heapsnapshot.gz");
    return len > suffix &&
           (!strcmp(name + len - suffix, ".heapsnapshot.gz") || !strcmp(name + len - suffix, ".heapsnapshot.xz"));
}

/* Checks every snapshot under dir (recursively); returns how many. */
static int check_folder(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int checked = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        DIR *sub = opendir(path);
        if (sub) {
            closedir(sub);
            checked += check_folder(path);
        } else if (is_snapshot(e->d_name)) {
            checked += check_both_widths(path);
        }
    }
    closedir(d);
    return checked;
}

static void every_fixture_same_tree_with_both_widths(void **state)
{
    (void)state;
    int checked = check_folder(LT_FIXTURES);
    printf("%d snapshots, each with 3- and 4-byte scratch\n", checked);
    assert_true(checked >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_arrays_keep_entries_apart),
        cmocka_unit_test(width_follows_node_and_edge_counts),
        cmocka_unit_test(every_fixture_same_tree_with_both_widths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
