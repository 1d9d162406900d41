/* Holder findings on snapshots of real programs (generators in tests/gen, run by node):
 * detachedness on node's own embedder objects is not detached DOM, one
 * retention seen through several nested objects is one finding named after
 * the variable that holds it, a listener leak in a real library is blamed on
 * the emitter whose listeners hold it, and the paths shown go through named
 * application objects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "analysis_result.h"
#include "findings/findings.h"

/* A fixture's analysis and how many findings of each kind it gave. */
typedef struct loaded {
    lt_analysis *a;
    uint32_t of_kind[LT_FINDING_LARGE_RETAINER + 1];
} loaded;

static loaded load(const char *file)
{
    char path[1024];
    lt_error err = {0};
    loaded l = {0};
    snprintf(path, sizeof path, "%s/%s", LT_FIXTURES, file);
    if (lt_analyze_file(path, NULL, &l.a, &err))
        fail_msg("%s: %s", file, err.message);
    for (uint32_t i = 0; i < l.a->findings.count; i++)
        l.of_kind[l.a->findings.items[i].kind]++;
    return l;
}

static void rollup_file_handles_are_not_detached_dom(void **state)
{
    (void)state;
    loaded l = load("findings/rollup-filehandles.heapsnapshot.gz");
    const lt_graph *g = l.a->graph;
    uint32_t detached = 0; /* the snapshot does mark node's natives detached */
    for (uint32_t x = 0; x < g->node_count; x++)
        detached += g->detachedness[x] == 2 && g->node_type[x] == g->nt.native;
    assert_true(detached >= 40);
    assert_int_equal(l.of_kind[LT_FINDING_DETACHED_DOM], 0);
    lt_analysis_free(l.a);
}

static void chromium_detached_rows_stay_detached_dom(void **state)
{
    (void)state;
    loaded l = load("chromium-todo-undo.heapsnapshot.gz");
    assert_int_equal(l.of_kind[LT_FINDING_DETACHED_DOM], 1);
    for (uint32_t i = 0; i < l.a->findings.count; i++)
        if (l.a->findings.items[i].kind == LT_FINDING_DETACHED_DOM)
            assert_non_null(strstr(l.a->findings.items[i].title, "1,500 detached `<li>`"));
    lt_analysis_free(l.a);
}

static const char *text(const lt_finding *f, const char *key)
{
    json_t *v = json_object_get(f->details, key);
    if (!json_is_string(v))
        fail_msg("%s: no string \"%s\"", f->title, key);
    return json_string_value(v);
}

/* The Map in store.js's module scope is what Module, exports and exports.fn
 * all hold: one finding, named by its variable, function and script. */
static void nested_holders_are_one_finding_named_by_the_variable(void **state)
{
    (void)state;
    loaded l = load("findings/module-cache.heapsnapshot.gz");
    assert_int_equal(l.a->findings.count, 1);
    const lt_finding *f = &l.a->findings.items[0];
    assert_int_equal(f->kind, LT_FINDING_LARGE_RETAINER);
    assert_string_equal(text(f, "class"), "Map");
    assert_string_equal(text(f, "variable"), "cache");
    assert_string_equal(text(f, "function"), "fn");
    assert_string_equal(text(f, "script"), "app/store.js");
    assert_non_null(
        strstr(f->title, "`Map` `cache` in the closure context of `fn` (app/store.js) holds 10,003 strings"));
    assert_true(f->retained_percent > 45);
    lt_analysis_free(l.a);
}

/* winston: loggers made per request and piped into one shared File transport
 * are held by the transport's listener arrays, not by the HTTP server the
 * shortest path comes through. */
/* Chromium running prettier: the page's global object (57%) holds
 * prettierPlugins (51%), which holds the TypeScript plugin's parsers getter
 * (30%): one retention, told once, at the innermost holder. */
static void holders_nested_in_a_real_page_are_told_once(void **state)
{
    (void)state;
    loaded l = load("real/chromium-prettier.heapsnapshot.xz");
    uint32_t big = 0;
    const lt_finding *f = NULL;
    for (uint32_t i = 0; i < l.a->findings.count; i++)
        if (l.a->findings.items[i].kind == LT_FINDING_LARGE_RETAINER)
            big++, f = &l.a->findings.items[i];
    assert_int_equal(big, 1);
    assert_non_null(strstr(f->title, "prettierPlugins.typescript.get parsers holds"));
    lt_analysis_free(l.a);
}

static void listener_leak_is_blamed_on_the_emitter(void **state)
{
    (void)state;
    loaded l = load("findings/winston-listeners.heapsnapshot.xz");
    assert_int_equal(l.of_kind[LT_FINDING_LARGE_RETAINER], 0);
    assert_int_equal(l.of_kind[LT_FINDING_RETAINER_CLUSTER], 1);
    const lt_finding *f = &l.a->findings.items[0];
    assert_int_equal(f->kind, LT_FINDING_RETAINER_CLUSTER);
    assert_string_equal(text(f, "class"), "DerivedLogger");
    assert_string_equal(text(f, "emitter_class"), "File");
    assert_string_equal(text(f, "variable"), "shared._events");
    assert_non_null(strstr(text(f, "events"), "`unpipe`"));
    json_int_t count = json_integer_value(json_object_get(f->details, "count"));
    assert_true(count >= 990 && count <= 1000);
    assert_true(f->retained_percent > 50);
    assert_null(strstr(f->title, "Server"));
    lt_analysis_free(l.a);
}

/* Breadth-first search reaches the session cache through node's timer list;
 * the path shown goes through the application's registry on a global (as
 * short here), and the distances stay DevTools' own. */
static void paths_go_through_named_application_objects(void **state)
{
    (void)state;
    loaded l = load("findings/registry-cache.heapsnapshot.gz");
    assert_int_equal(l.of_kind[LT_FINDING_RETAINER_CLUSTER], 1);
    const lt_finding *f = &l.a->findings.items[0];
    json_t *path = json_object_get(f->details, "path");
    char edges[1024] = "";
    for (size_t i = 0; i < json_array_size(path); i++) {
        strcat(edges, json_string_value(json_object_get(json_array_get(path, i), "edge")));
        strcat(edges, " ");
    }
    assert_non_null(strstr(edges, "app services storage stores sessions remember context sessions "));
    assert_null(strstr(edges, "timerListMap"));
    json_int_t id = json_integer_value(json_object_get(json_object_get(f->details, "evidence"), "example_id"));
    uint32_t x = 0;
    while (x < l.a->graph->node_count && lt_graph_node_id(l.a->graph, x) != (uint32_t)id)
        x++;
    assert_int_equal(l.a->distance[x], 11); /* DevTools' distance: the timer path's length */
    assert_true(json_array_size(path) >= 11 && json_array_size(path) <= 11 + 2);
    lt_analysis_free(l.a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rollup_file_handles_are_not_detached_dom),
        cmocka_unit_test(chromium_detached_rows_stay_detached_dom),
        cmocka_unit_test(nested_holders_are_one_finding_named_by_the_variable),
        cmocka_unit_test(holders_nested_in_a_real_page_are_told_once),
        cmocka_unit_test(listener_leak_is_blamed_on_the_emitter),
        cmocka_unit_test(paths_go_through_named_application_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
