/* Findings on real snapshots: the recursive chains are found and named, the
 * negative controls stay quiet, clusters and detached DOM are grouped, and
 * fingerprints name the same leak across snapshots, not different ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "analysis_result.h"
#include "finding_counts.h"
#include "fixture_analysis.h"
#include "findings/findings.h"

static const lt_finding *first_of(const lt_analysis *a, lt_finding_kind kind)
{
    for (uint32_t i = 0; i < a->findings.count; i++)
        if (a->findings.items[i].kind == kind)
            return &a->findings.items[i];
    fail_msg("no %s finding", lt_finding_kind_name(kind));
    return NULL;
}

static json_int_t field_int(const lt_finding *f, const char *key)
{
    json_t *v = json_object_get(f->details, key);
    if (!json_is_integer(v))
        fail_msg("%s: no integer \"%s\"", f->title, key);
    return json_integer_value(v);
}

static const char *field_str(const lt_finding *f, const char *key)
{
    json_t *v = json_object_get(f->details, key);
    if (!json_is_string(v))
        fail_msg("%s: no string \"%s\"", f->title, key);
    return json_string_value(v);
}

static void assert_near(json_int_t got, json_int_t want, double tolerance)
{
    if (got < want * (1 - tolerance) || got > want * (1 + tolerance))
        fail_msg("%lld is not within %.0f%% of %lld", (long long)got, tolerance * 100, (long long)want);
}

/* One chain naming fn, about `levels` deep; returns its fingerprint. */
static void expect_one_chain(const char *snapshot, const char *fn, json_int_t levels, char fingerprint[41])
{
    lt_analysis *a = fixture_analyze(snapshot);
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 1);
    const lt_finding *f = first_of(a, LT_FINDING_RECURSIVE_CHAIN);
    assert_string_equal(field_str(f, "function"), fn);
    assert_near(field_int(f, "levels"), levels, 0.01);
    assert_non_null(f->fix);
    assert_true(json_array_size(json_object_get(f->details, "period")) >= 1);
    assert_true(json_array_size(json_object_get(f->details, "path")) >= 1);
    assert_true(field_int(f, "head_id") > 0);
    assert_non_null(strstr(f->title, fn));
    if (fingerprint)
        strcpy(fingerprint, f->fingerprint);
    lt_analysis_free(a);
}

static void seed_co_is_one_chain_of_scheduleUpdatingTask(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("seed-co");
    const lt_finding *f = first_of(a, LT_FINDING_RECURSIVE_CHAIN);
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 1);
    assert_string_equal(field_str(f, "function"), "scheduleUpdatingTask");
    assert_near(field_int(f, "levels"), 20000, 0.01);
    assert_string_equal(field_str(f, "script_short"), "gen/seed-co.js");
    assert_int_equal(field_int(f, "line"), 31);
    assert_true(f->retained_percent > 50);
    assert_int_equal(json_array_size(json_object_get(f->details, "period")), 4);
    assert_ptr_equal(&a->findings.items[0], f); /* ranked first: it holds most of the heap */
    lt_analysis_free(a);
}

static void seed_async_is_one_chain_of_task(void **state)
{
    (void)state;
    expect_one_chain("seed-async", "task", 20000, NULL);
}

static void other_depths_and_producers(void **state)
{
    (void)state;
    expect_one_chain("findings/seed-async-2000", "task", 2000, NULL);
    expect_one_chain("findings/then-recursion", "pollForUpdates", 3000, NULL);
    expect_one_chain("findings/timer-recursion", "tick", 3000, NULL);
    /* closure-chain is a chain of closures, not recursion: test_chain_findings.c */
}

static void small_chain_in_a_big_heap(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("findings/scale-chain");
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 1);
    const lt_finding *f = first_of(a, LT_FINDING_RECURSIVE_CHAIN);
    assert_string_equal(field_str(f, "function"), "leakyTask");
    assert_near(field_int(f, "levels"), 432, 0.01);
    assert_true(f->retained_percent < 5);
    lt_analysis_free(a);
}

static void same_leak_elsewhere_has_the_same_fingerprint(void **state)
{
    (void)state;
    char co[41], co_5000[41], async[41];
    expect_one_chain("seed-co", "scheduleUpdatingTask", 20000, co);
    expect_one_chain("findings/seed-co-5000", "scheduleUpdatingTask", 5000, co_5000);
    expect_one_chain("seed-async", "task", 20000, async);
    assert_string_equal(co, co_5000);
    assert_string_not_equal(co, async);
}

static void assert_no_leak_words(const lt_analysis *a)
{
    for (uint32_t i = 0; i < a->findings.count; i++)
        if (strstr(a->findings.items[i].title, "leak"))
            fail_msg("title calls it a leak: %s", a->findings.items[i].title);
}

static void fixed_loop_has_no_leak(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("fixed-loop");
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 0);
    assert_int_equal(finding_counts_of(a, LT_FINDING_RETAINER_CLUSTER), 0);
    assert_int_equal(finding_counts_of(a, LT_FINDING_DETACHED_DOM), 0);
    assert_no_leak_words(a);
    lt_analysis_free(a);
}

static void linked_list_is_data_not_a_chain(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("findings/linked-list");
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 0);
    assert_no_leak_words(a);
    lt_analysis_free(a);
}

static const lt_finding *cluster_of(const lt_analysis *a, const char *cls)
{
    for (uint32_t i = 0; i < a->findings.count; i++)
        if (a->findings.items[i].kind == LT_FINDING_RETAINER_CLUSTER &&
            !strcmp(field_str(&a->findings.items[i], "class"), cls))
            return &a->findings.items[i];
    fail_msg("no retainer cluster of %s", cls);
    return NULL;
}

static void mixed_app_cache_and_listeners(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("mixed-app");
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 0);
    const lt_finding *cache = cluster_of(a, "RequestRecord");
    assert_near(field_int(cache, "count"), 5000, 0.02);
    assert_string_equal(field_str(cache, "holder_class"), "Map");
    assert_non_null(strstr(field_str(cache, "holder_path"), "cache"));
    const lt_finding *listeners = cluster_of(a, "onFlush");
    assert_near(field_int(listeners, "count"), 5000, 0.02);
    assert_non_null(strstr(field_str(listeners, "holder_path"), "flush"));
    assert_string_not_equal(cache->fingerprint, listeners->fingerprint);
    lt_analysis_free(a);
}

static void chromium_detached_rows_held_by_the_undo_stack(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("chromium-todo-undo");
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 0);
    const lt_finding *f = first_of(a, LT_FINDING_DETACHED_DOM);
    assert_near(field_int(f, "count"), 1500, 0.02);
    assert_non_null(strstr(f->title, "<li>"));
    assert_non_null(strstr(field_str(f, "holder_path"), "undoStack"));
    lt_analysis_free(a);
}

static void no_findings_option_skips_the_stage(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/seed-co.heapsnapshot.gz", LT_FIXTURES);
    lt_analysis_options options = {.skip_findings = 1};
    lt_analysis *a;
    lt_error err;
    assert_int_equal(lt_analyze_file(path, &options, &a, &err), 0);
    assert_int_equal(a->findings.count, 0);
    assert_null(a->clusters);
    lt_analysis_free(a);
}

static void script_paths_keep_their_last_two_segments(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"/srv/app/gen/seed-co.js", "gen/seed-co.js"},
        {"/tmp/otherhost/deploy/app/gen/seed-co.js", "gen/seed-co.js"},
        {"https://example.com:8443/static/js/app.js?v=3#x", "js/app.js"},
        {"file:///C:/work/app/main.js", "app/main.js"},
        {"main.js", "main.js"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[256];
        lt_findings_normalise_script(cases[i][0], buf, sizeof buf);
        assert_string_equal(buf, cases[i][1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_co_is_one_chain_of_scheduleUpdatingTask),
        cmocka_unit_test(seed_async_is_one_chain_of_task),
        cmocka_unit_test(other_depths_and_producers),
        cmocka_unit_test(small_chain_in_a_big_heap),
        cmocka_unit_test(same_leak_elsewhere_has_the_same_fingerprint),
        cmocka_unit_test(fixed_loop_has_no_leak),
        cmocka_unit_test(linked_list_is_data_not_a_chain),
        cmocka_unit_test(mixed_app_cache_and_listeners),
        cmocka_unit_test(chromium_detached_rows_held_by_the_undo_stack),
        cmocka_unit_test(no_findings_option_skips_the_stage),
        cmocka_unit_test(script_paths_keep_their_last_two_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
