/* The explorable summary of the dominator tree (findings/tree_summary.h, read
 * through include/explore.h) on real snapshots: seed-co's 20,000-level chain
 * is one "× N levels" row that opens to its first level, whose link to the
 * next level opens to the last one; siblings past the biggest 50 are folded
 * by class and the folded rows open to their big members; every node holding
 * 0.01% of the heap is a row unless it hangs in a collapsed chain's middle;
 * children add up to their parent; retainer paths reach the root, skipping
 * the collapsed levels; a 20,000-node linked list collapses too; the size
 * stays bounded; every class is listed, with its allocation site's script. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_result.h"
#include "fixture_analysis.h"
#include "explore.h"

static lt_analysis *seed_co, *linked_list;

static int setup(void **state)
{
    (void)state;
    seed_co = fixture_analyze("seed-co");
    linked_list = fixture_analyze("findings/linked-list");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lt_analysis_free(seed_co);
    lt_analysis_free(linked_list);
    return 0;
}

static lt_explore_row row_at(const lt_analysis *a, uint32_t i)
{
    lt_explore_row r;
    lt_explore_row_get(a, i, &r);
    return r;
}

/* The first child row of parent (the biggest), or fails. */
static lt_explore_row first_child(const lt_analysis *a, uint32_t parent)
{
    for (uint32_t i = parent + 1; i < lt_explore_row_count(a); i++)
        if (row_at(a, i).tree_parent == parent)
            return row_at(a, i);
    fail_msg("row %u has no child", parent);
    return row_at(a, 0);
}

/* The chain row with the most levels. */
static lt_explore_row biggest_chain(const lt_analysis *a)
{
    lt_explore_row best = {.count = 0};
    for (uint32_t i = 0; i < lt_explore_row_count(a); i++) {
        lt_explore_row r = row_at(a, i);
        if (!strcmp(r.kind, "chain") && r.count > best.count)
            best = r;
    }
    assert_true(best.count > 0);
    return best;
}

static void seed_co_chain_is_one_row_that_opens_three_levels(void **state)
{
    (void)state;
    lt_explore_row chain = biggest_chain(seed_co);
    assert_in_range(chain.count, 19990, 20010);
    assert_non_null(strstr(chain.name, "system / Context \xe2\x86\x92 Promise \xe2\x86\x92 system / PromiseReaction"));
    assert_true(chain.retained_size > seed_co->total_self_size * 8 / 10);
    assert_int_equal(chain.child_count, 1);
    lt_explore_row level = first_child(seed_co, chain.row); /* 1: the first level's head */
    assert_string_equal(level.kind, "node");
    assert_int_equal(level.id, chain.id);
    for (int step = 0; step <= LT_TREE_MAX_PERIOD && strcmp(level.kind, "chain"); step++) /* 2, 3: down it */
        level = first_child(seed_co, level.row);
    assert_string_equal(level.kind, "chain"); /* the middle levels, which open to the last */
    assert_int_equal(level.count, chain.count - 2);
    lt_explore_row last = first_child(seed_co, level.row);
    assert_string_equal(last.kind, "node");
    assert_true(last.retained_size < level.retained_size);
    assert_true(last.retained_size < lt_retained(&seed_co->tree, seed_co->graph->root) / 1000);
}

static void seed_co_folds_siblings_past_50_by_class(void **state)
{
    (void)state;
    lt_explore_row global = {.row = LT_EXPLORE_NONE};
    for (uint32_t i = 0; i < lt_explore_row_count(seed_co) && global.row == LT_EXPLORE_NONE; i++)
        if (!strcmp(row_at(seed_co, i).class_name, "global"))
            global = row_at(seed_co, i);
    assert_int_not_equal(global.row, LT_EXPLORE_NONE);
    uint32_t nodes = 0, more = 0, opening = 0;
    uint64_t folded = 0;
    for (uint32_t i = 0; i < lt_explore_row_count(seed_co); i++) {
        lt_explore_row r = row_at(seed_co, i);
        if (r.tree_parent != global.row)
            continue;
        nodes += !strcmp(r.kind, "node");
        if (!strcmp(r.kind, "more")) {
            more++;
            folded += r.count;
            opening += r.child_count > 0;
        }
    }
    assert_int_equal(nodes, LT_TREE_SHOWN_CHILDREN);
    assert_in_range(more, 2, LT_TREE_FOLD_CLASSES + 1);
    assert_true(opening >= 1); /* folded members over the share open from their row */
    uint32_t x = global.row ? seed_co->summary.rows[global.row].node : 0;
    assert_int_equal(nodes + folded, seed_co->tree.first_dominated[x + 1] - seed_co->tree.first_dominated[x]);
}

/* A node row's children (nodes, folded rows, chains) hold what it retains
 * beyond its own size. */
static void children_add_up(const lt_analysis *a)
{
    uint32_t n = lt_explore_row_count(a);
    uint64_t *sum = calloc(n, sizeof *sum);
    assert_non_null(sum);
    for (uint32_t i = 1; i < n; i++) {
        lt_explore_row r = row_at(a, i);
        if (r.tree_parent != LT_EXPLORE_NONE)
            sum[r.tree_parent] += r.retained_size;
    }
    for (uint32_t i = 0; i < n; i++) {
        lt_explore_row r = row_at(a, i);
        if (!strcmp(r.kind, "node") && r.child_count)
            assert_int_equal(sum[i], r.retained_size - r.self_size);
    }
    free(sum);
}

static void children_add_up_to_their_parent(void **state)
{
    (void)state;
    children_add_up(seed_co);
    children_add_up(linked_list);
}

/* Marks what hangs under the middle CHAIN rows (not their last level). */
static void mark_middles(const lt_analysis *a, uint8_t *hidden)
{
    const lt_dominator_tree *t = &a->tree;
    uint32_t *stack = malloc(a->graph->node_count * sizeof *stack), len = 0;
    assert_non_null(stack);
    for (uint32_t i = 0; i < a->summary.count; i++) {
        const lt_tree_row *r = &a->summary.rows[i];
        /* a middle CHAIN row opens to the last level (the outer one to its own first node) */
        if (r->kind != LT_TREE_CHAIN || a->summary.rows[i + 1].node == r->node)
            continue;
        uint32_t last = a->summary.rows[i + 1].node;
        for (stack[len++] = r->node; len;) {
            uint32_t x = stack[--len];
            hidden[x] = 1;
            for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1]; k++)
                if (t->dominated[k] != last)
                    stack[len++] = t->dominated[k];
        }
    }
    free(stack);
}

static void every_node_over_the_share_is_a_row(void **state)
{
    (void)state;
    const lt_analysis *a = seed_co;
    uint8_t *hidden = calloc(a->graph->node_count, 1), *stored = calloc(a->graph->node_count, 1);
    assert_true(hidden && stored);
    mark_middles(a, hidden);
    for (uint32_t i = 0; i < a->summary.count; i++)
        if (a->summary.rows[i].kind == LT_TREE_NODE)
            stored[a->summary.rows[i].node] = 1;
    uint32_t over = 0;
    for (uint32_t x = 0; x < a->graph->node_count; x++) {
        if (lt_retained(&a->tree, x) < lt_explore_min_retained(a) || hidden[x])
            continue;
        over++;
        if (!stored[x])
            fail_msg("node @%u retains %llu bytes but has no row", lt_graph_node_id(a->graph, x),
                     (unsigned long long)lt_retained(&a->tree, x));
    }
    assert_true(over > 300);
    assert_int_equal(lt_explore_min_retained(a), lt_retained(&a->tree, a->graph->root) / LT_TREE_SHARE_DIVISOR);
    free(hidden);
    free(stored);
}

/* Follows path_parent from row to the root: returns the steps (nodes
 * skipped inside collapsed chains included). */
static uint64_t path_length(const lt_analysis *a, uint32_t row, uint64_t *skipped)
{
    uint64_t steps = 0;
    *skipped = 0;
    for (lt_explore_row r = row_at(a, row); r.path_parent != LT_EXPLORE_NONE; r = row_at(a, r.path_parent)) {
        assert_true(r.edge[0] != '\0');
        steps += 1 + r.path_skipped;
        *skipped += r.path_skipped;
        assert_true(steps < 1000000);
    }
    return steps;
}

static void paths_reach_the_root_past_collapsed_levels(void **state)
{
    (void)state;
    uint64_t skipped;
    lt_explore_row chain = biggest_chain(seed_co);
    lt_explore_row head = first_child(seed_co, chain.row);
    uint64_t head_steps = path_length(seed_co, head.row, &skipped);
    assert_int_equal(skipped, 0);
    assert_int_equal(head_steps, (uint64_t)head.distance); /* global, at the root's first step, is at 1 */
    for (uint32_t i = 0; i < lt_explore_row_count(seed_co); i++) {
        lt_explore_row r = row_at(seed_co, i);
        if (strcmp(r.kind, "chain") || r.count != chain.count - 2)
            continue;
        lt_explore_row last = first_child(seed_co, r.row);
        uint64_t steps = path_length(seed_co, last.row, &skipped);
        assert_true(skipped > 3 * 19000);
        assert_int_equal(steps, (uint64_t)last.distance);
        return;
    }
    fail_msg("no middle chain row");
}

static void linked_list_is_collapsed(void **state)
{
    (void)state;
    lt_explore_row chain = biggest_chain(linked_list);
    assert_in_range(chain.count, 19990, 20000);
    assert_string_equal(chain.class_name, "ListNode");
    assert_true(lt_explore_row_count(linked_list) < 10000); /* a small heap: 0.01% is 380 bytes */
}

/* Bytes the rows take as text (what the server stores), about. */
static uint64_t stored_bytes(const lt_analysis *a)
{
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < lt_explore_row_count(a); i++) {
        lt_explore_row r = row_at(a, i);
        bytes += 64 + strlen(r.name) + strlen(r.edge) + strlen(r.class_name) + strlen(r.type);
    }
    return bytes;
}

static void the_summary_stays_small(void **state)
{
    (void)state;
    assert_false(lt_explore_truncated(seed_co));
    assert_true(lt_explore_row_count(seed_co) < 3000); /* 319,889 nodes */
    assert_true(stored_bytes(seed_co) < 400 * 1024);
}

static void every_class_is_listed_with_its_script(void **state)
{
    (void)state;
    assert_int_equal(lt_explore_class_count(seed_co), seed_co->classes.count);
    assert_true(lt_explore_class_count(seed_co) > 150);
    int found = 0;
    for (uint32_t i = 0; i < lt_explore_class_count(seed_co); i++) {
        lt_explore_class c;
        lt_explore_class_get(seed_co, i, &c);
        if (strcmp(c.class_name, "scheduleUpdatingTask"))
            continue;
        found = 1;
        assert_int_equal(c.count, 20000);
        assert_non_null(strstr(c.script, "gen/seed-co.js"));
        assert_int_equal(c.line, 31);
        assert_string_equal(c.key, "81,30,30,scheduleUpdatingTask");
    }
    assert_true(found);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_co_chain_is_one_row_that_opens_three_levels),
        cmocka_unit_test(seed_co_folds_siblings_past_50_by_class),
        cmocka_unit_test(children_add_up_to_their_parent),
        cmocka_unit_test(every_node_over_the_share_is_a_row),
        cmocka_unit_test(paths_reach_the_root_past_collapsed_levels),
        cmocka_unit_test(linked_list_is_collapsed),
        cmocka_unit_test(the_summary_stays_small),
        cmocka_unit_test(every_class_is_listed_with_its_script),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
