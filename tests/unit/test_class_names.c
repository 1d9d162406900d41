/* Class names without a per-node array (classes.h: lt_class_name): every node's class
 * follows DevTools' rules, a plain object that takes an interface name ("{prev, data}",
 * written into its node_name) still has its own name "Object" wherever a node's name
 * is read, and the per-node classes count as many instances as DevTools counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "analysis_result.h"
#include "fixture_analysis.h"
#include "report.h"

static const char *class_text(const lt_analysis *a, uint32_t v)
{
    return lt_graph_string(a->graph, lt_class_name(&a->classes, a->graph, v));
}

static uint32_t node_of_id(const lt_graph *g, uint32_t id)
{
    for (uint32_t v = 0; v < g->node_count; v++)
        if (lt_graph_node_id(g, v) == id)
            return v;
    fail_msg("no node with id %u", id);
    return 0;
}

static int is_interface_name(const lt_graph *g, uint32_t s)
{
    return s - g->interface_names_from < g->interface_name_count;
}

/* DevTools' class of a node, from its type and own name, written independently of
 * classes.c; NULL for a plain object, which may take an interface name. */
static const char *expected_class(const lt_graph *g, uint32_t v, char *buf, size_t len)
{
    int t = g->node_type[v];
    const char *name = lt_graph_node_name(g, v);
    if (t == g->nt.hidden)
        return "(system)";
    if (t == g->nt.code)
        return "(compiled code)";
    if (t == g->nt.closure)
        return "Function";
    if (t == g->nt.regexp)
        return "RegExp";
    if (t != g->nt.object && t != g->nt.native) {
        snprintf(buf, len, "(%s)", g->node_type_names[t]);
        return buf;
    }
    if (t == g->nt.object && !strcmp(name, "Object"))
        return NULL;
    int element = name[0] == '<' || !strncmp(name, "Detached <", 10);
    const char *space = element ? strchr(name + (name[0] == '<' ? 0 : 10), ' ') : NULL;
    if (!space)
        return name;
    snprintf(buf, len, "%.*s>", (int)(space - name), name);
    return buf;
}

static void check_every_class(const char *fixture)
{
    lt_analysis *a = fixture_analyze(fixture);
    const lt_graph *g = a->graph;
    char buf[4096];
    uint32_t interfaces = 0;
    for (uint32_t v = 0; v < g->node_count; v++) {
        const char *want = expected_class(g, v, buf, sizeof buf), *got = class_text(a, v);
        assert_false(is_interface_name(g, lt_graph_node_name_index(g, v)));
        if (want && strcmp(want, got))
            fail_msg("%s node %u (%s %s): class %s, expected %s", fixture, lt_graph_node_id(g, v),
                     lt_graph_node_type_name(g, v), lt_graph_node_name(g, v), got, want);
        if (!want && strcmp(got, "Object")) {
            assert_true(got[0] == '{' && is_interface_name(g, g->node_name[v]));
            interfaces++;
        }
    }
    assert_true(interfaces > 0);
    lt_analysis_free(a);
}

static void every_class_follows_devtools_rules(void **state)
{
    (void)state;
    check_every_class("chromium-todo-undo"); /* elements, "Detached <li>", natives */
    check_every_class("mixed-app");
}

/* DevTools' own instance counts (NAME.expected.json, devtools_classes) of some
 * classes, each under its name alone (no location). */
static const struct {
    const char *fixture, *class_name;
    uint64_t count;
} devtools_counts[] = {
    {"mixed-app", "{req, payload}", 5001},
    {"mixed-app", "{v}", 4001},
    {"mixed-app", "{items}", 501},
    {"chromium-todo-undo", "<li>", 1500},
    {"chromium-todo-undo", "Detached <li>", 1500},
    {"chromium-todo-undo", "Detached Text", 3000},
    {"chromium-todo-undo", "(compiled code)", 3023},
    {"findings/timer-recursion", "{prev, data}", 3001},
};

static void per_node_classes_count_as_devtools(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof devtools_counts / sizeof devtools_counts[0]; i++) {
        lt_analysis *a = fixture_analyze(devtools_counts[i].fixture);
        const lt_graph *g = a->graph;
        uint64_t count = 0;
        for (uint32_t v = 0; v < g->node_count; v++)
            count += g->self_size[v] && !(g->node_type[v] == g->nt.object && lt_graph_location(g, v, NULL)) &&
                     !strcmp(class_text(a, v), devtools_counts[i].class_name);
        if (count != devtools_counts[i].count)
            fail_msg("%s: %llu of %s, DevTools counts %llu", devtools_counts[i].fixture, (unsigned long long)count,
                     devtools_counts[i].class_name, (unsigned long long)devtools_counts[i].count);
        lt_analysis_free(a);
    }
}

/* DevTools' top node 95045 of timer-recursion: type object, name "Object", class
 * "{prev, data}" (findings/timer-recursion.expected.json, top_nodes). */
static void an_interface_named_object_keeps_its_own_name(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("findings/timer-recursion");
    const lt_graph *g = a->graph;
    uint32_t v = node_of_id(g, 95045);
    assert_string_equal(class_text(a, v), "{prev, data}");
    assert_string_equal(lt_graph_node_name(g, v), "Object");
    assert_int_equal(lt_graph_node_name_index(g, v), g->object_name);
    assert_true(is_interface_name(g, g->node_name[v]));
    json_t *report = lt_report_json(a, 50), *row;
    size_t i, found = 0;
    assert_non_null(report);
    json_array_foreach(json_object_get(report, "top_retainers"), i, row)
    {
        if (json_integer_value(json_object_get(row, "id")) != 95045)
            continue;
        assert_string_equal(json_string_value(json_object_get(row, "name")), "Object");
        assert_string_equal(json_string_value(json_object_get(row, "class")), "{prev, data}");
        found++;
    }
    assert_int_equal(found, 1);
    json_decref(report);
    lt_analysis_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_class_follows_devtools_rules),
        cmocka_unit_test(per_node_classes_count_as_devtools),
        cmocka_unit_test(an_interface_named_object_keeps_its_own_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
