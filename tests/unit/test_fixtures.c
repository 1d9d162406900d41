/* The analysis core against Chrome DevTools' own numbers for the real
 * snapshots in tests/fixtures: counts, total size, the top 50 retainers, the
 * Summary view's classes, and every node's self size, retained size,
 * dominator and distance (NAME.nodes.tsv.gz). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "analysis_result.h"
#include "expected_report.h"
#include "report.h"

static char *fixture_path(const char *name, const char *suffix)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s%s", LT_FIXTURES, name, suffix);
    return path;
}

static lt_analysis *analyze(const char *name)
{
    lt_analysis *a = NULL;
    lt_error err = {0};
    int rc = lt_analyze_file(fixture_path(name, ".heapsnapshot.gz"), NULL, &a, &err);
    if (rc)
        fail_msg("%s: %s", name, err.message);
    return a;
}

static void check_every_node(const char *name, const lt_analysis *a)
{
    gzFile f = gzopen(fixture_path(name, ".nodes.tsv.gz"), "rb");
    assert_non_null(f);
    char line[256];
    assert_non_null(gzgets(f, line, sizeof line));
    assert_string_equal(line, "# id self_size retained_size dominator_id distance\n");
    const lt_graph *g = a->graph;
    uint32_t v = 0;
    while (gzgets(f, line, sizeof line)) {
        unsigned long long id, self, retained, dom;
        long long distance;
        assert_int_equal(sscanf(line, "%llu\t%llu\t%llu\t%llu\t%lld", &id, &self, &retained, &dom, &distance), 5);
        assert_true(v < g->node_count);
        if (id != lt_graph_node_id(g, v) || self != g->self_size[v] || retained != lt_retained(&a->tree, v) ||
            dom != lt_graph_node_id(g, a->tree.dominator[v]) || distance != a->distance[v])
            fail_msg("%s node %u: DevTools says %s   we say %u %u %llu %u %d", name, v, line, lt_graph_node_id(g, v),
                     g->self_size[v], (unsigned long long)lt_retained(&a->tree, v),
                     lt_graph_node_id(g, a->tree.dominator[v]), a->distance[v]);
        v++;
    }
    assert_int_equal(v, g->node_count);
    gzclose(f);
}

static void check_fixture(const char *name)
{
    lt_analysis *a = analyze(name);
    expected_report_check(fixture_path(name, ".expected.json"), a);
    check_every_node(name, a);
    lt_analysis_free(a);
}

static void seed_co_matches_devtools(void **state)
{
    (void)state;
    check_fixture("seed-co");
}
static void seed_async_matches_devtools(void **state)
{
    (void)state;
    check_fixture("seed-async");
}
static void fixed_loop_matches_devtools(void **state)
{
    (void)state;
    check_fixture("fixed-loop");
}
static void mixed_app_matches_devtools(void **state)
{
    (void)state;
    check_fixture("mixed-app");
}
static void chromium_todo_undo_matches_devtools(void **state)
{
    (void)state;
    check_fixture("chromium-todo-undo");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_co_matches_devtools),
        cmocka_unit_test(seed_async_matches_devtools),
        cmocka_unit_test(fixed_loop_matches_devtools),
        cmocka_unit_test(mixed_app_matches_devtools),
        cmocka_unit_test(chromium_todo_undo_matches_devtools),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
