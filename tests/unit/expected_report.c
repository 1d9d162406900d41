#include "expected_report.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "report.h"

static void assert_same_fields(json_t *expected, json_t *got, const char *const *fields, const char *what, size_t i)
{
    for (const char *const *f = fields; *f; f++) {
        json_t *e = json_object_get(expected, *f), *g = json_object_get(got, *f);
        if (!json_equal(e, g)) {
            char *es = json_dumps(e, JSON_ENCODE_ANY), *gs = json_dumps(g, JSON_ENCODE_ANY);
            fail_msg("%s[%zu].%s: DevTools says %s, we say %s", what, i, *f, es, gs);
        }
    }
}

static void assert_same_list(json_t *expected, json_t *got, const char *const *fields, const char *what)
{
    assert_int_equal(json_array_size(expected), json_array_size(got));
    for (size_t i = 0; i < json_array_size(expected); i++)
        assert_same_fields(json_array_get(expected, i), json_array_get(got, i), fields, what, i);
}

void expected_report_check(const char *expected_path, const lt_analysis *a)
{
    json_error_t jerr;
    json_t *exp = json_load_file(expected_path, 0, &jerr);
    if (!exp)
        fail_msg("%s: %s", expected_path, jerr.text);
    json_t *doc = lt_report_json(a, 50);
    json_t *snap = json_object_get(doc, "snapshot");
    static const char *const counts[] = {"node_count", "edge_count", "total_self_size", NULL};
    assert_same_fields(exp, snap, counts, "snapshot", 0);
    assert_int_equal(json_integer_value(json_object_get(exp, "root_retained_size")),
                     lt_retained(&a->tree, a->graph->root));
    static const char *const node_fields[] = {"id",       "type",         "name", "class", "self_size", "retained_size",
                                              "distance", "dominator_id", NULL};
    assert_same_list(json_object_get(exp, "top_nodes"), json_object_get(doc, "top_retainers"), node_fields,
                     "top_retainers");
    static const char *const class_fields[] = {"class",         "key",      "count", "shallow_size",
                                               "retained_size", "distance", NULL};
    assert_same_list(json_object_get(exp, "devtools_classes"), json_object_get(doc, "classes"), class_fields,
                     "classes");
    json_decref(doc);
    json_decref(exp);
}
