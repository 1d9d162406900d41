/* Chain findings on real snapshots of real runtimes: recursion that leaves
 * only promises on its levels (node 22), generator and async bodies that
 * JavaScriptCore calls `Function` (Bun), and closure chains built by a loop
 * (node 24, node 20) told apart from recursion, named after the user's code
 * and not node's internal modules. How each snapshot was made:
 * tests/fixtures/findings/README.md. */
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

/* The finding of that kind whose "function" is fn. */
static const lt_finding *finding_of(const lt_analysis *a, lt_finding_kind kind, const char *fn)
{
    for (uint32_t i = 0; i < a->findings.count; i++) {
        const lt_finding *f = &a->findings.items[i];
        json_t *name = json_object_get(f->details, "function");
        if (f->kind == kind && json_is_string(name) && !strcmp(json_string_value(name), fn))
            return f;
    }
    fail_msg("no %s finding of `%s`", lt_finding_kind_name(kind), fn);
    return NULL;
}

static const char *field_str(const lt_finding *f, const char *key)
{
    json_t *v = json_object_get(f->details, key);
    if (!json_is_string(v))
        fail_msg("%s: no string \"%s\"", f->title, key);
    return json_string_value(v);
}

static json_int_t field_int(const lt_finding *f, const char *key)
{
    json_t *v = json_object_get(f->details, key);
    if (!json_is_integer(v))
        fail_msg("%s: no integer \"%s\"", f->title, key);
    return json_integer_value(v);
}

static void assert_levels(const lt_finding *f, json_int_t want)
{
    json_int_t got = field_int(f, "levels");
    if (got < want - want / 100 || got > want + want / 100)
        fail_msg("%s: %lld levels, want about %lld", f->title, (long long)got, (long long)want);
}

static void assert_no_title_with(const lt_analysis *a, const char *text)
{
    for (uint32_t i = 0; i < a->findings.count; i++)
        if (strstr(a->findings.items[i].title, text))
            fail_msg("a title says %s: %s", text, a->findings.items[i].title);
}

/* `return poll(id)` in an async function: each level is only Promise ->
 * PromiseReaction -> Promise; the running level's async function object
 * at the chain's end names `poll`. */
static void promise_polling_is_a_recursive_chain_of_poll(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("findings/promise-poll");
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 1);
    assert_int_equal(finding_counts_of(a, LT_FINDING_CLOSURE_CHAIN), 0);
    assert_int_equal(finding_counts_of(a, LT_FINDING_LARGE_RETAINER), 0);
    assert_int_equal(finding_counts_of(a, LT_FINDING_RETAINER_CLUSTER), 0);
    const lt_finding *f = finding_of(a, LT_FINDING_RECURSIVE_CHAIN, "poll");
    assert_string_equal(field_str(f, "script_short"), "gen/promise-poll.js");
    assert_int_equal(field_int(f, "line"), 37);
    assert_levels(f, 3000);
    assert_non_null(strstr(f->title, "`poll` (gen/promise-poll.js:37)"));
    assert_non_null(strstr(f->title, "async"));
    lt_analysis_free(a);
}

/* Bun names generator and async bodies `Function`: the chains carry the
 * declared names (`task`, the async function; `pump`, the generator run by
 * a co-like driver), found from the code that creates the bodies. */
static void bun_chains_carry_the_declared_names(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("findings/bun-async");
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 2);
    const lt_finding *task = finding_of(a, LT_FINDING_RECURSIVE_CHAIN, "task");
    const lt_finding *pump = finding_of(a, LT_FINDING_RECURSIVE_CHAIN, "pump");
    assert_levels(task, 2000);
    assert_levels(pump, 2000);
    assert_string_not_equal(task->fingerprint, pump->fingerprint);
    assert_no_title_with(a, "`Function`");
    assert_string_equal(field_str(task, "script"), ""); /* Bun's snapshot links no function to a script */
    assert_true(json_is_null(json_object_get(task->details, "line")));
    lt_analysis_free(a);
}

/* for (...) handler = wrap(handler, i): a chain of closures made by a
 * loop, named after the user's app/mw.js although node 24 also has a
 * function `wrap` (in its CommonJS loader) that comes first in the file. */
static void loop_built_closures_are_a_closure_chain(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("findings/wrap-chain");
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 0);
    assert_int_equal(finding_counts_of(a, LT_FINDING_CLOSURE_CHAIN), 1);
    const lt_finding *f = finding_of(a, LT_FINDING_CLOSURE_CHAIN, "wrap");
    assert_string_equal(field_str(f, "closure"), "wrapped");
    assert_string_equal(field_str(f, "script_short"), "app/mw.js");
    assert_int_equal(field_int(f, "line"), 3);
    assert_levels(f, 20000);
    assert_int_equal(strncmp(f->fingerprint, "cc-", 3), 0);
    assert_non_null(strstr(f->title, "20,000 closures `wrapped` created by `wrap` (app/mw.js:3)"));
    assert_null(strstr(f->fix, "self-call"));
    assert_non_null(strstr(f->fix, "once"));
    assert_no_title_with(a, "loader");
    assert_no_title_with(a, "internal/");
    lt_analysis_free(a);
}

/* The same loop in another folder, another node (20), 5,000 levels: the
 * same fingerprint. */
static void closure_chain_fingerprint_is_the_same_elsewhere(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("findings/wrap-chain"), *b = fixture_analyze("findings/wrap-chain-5000");
    const lt_finding *fa = finding_of(a, LT_FINDING_CLOSURE_CHAIN, "wrap");
    const lt_finding *fb = finding_of(b, LT_FINDING_CLOSURE_CHAIN, "wrap");
    assert_levels(fb, 5000);
    assert_string_not_equal(field_str(fa, "script"), field_str(fb, "script"));
    assert_string_equal(fa->fingerprint, fb->fingerprint);
    lt_analysis_free(a);
    lt_analysis_free(b);
}

/* closure-chain: makeStep(prev) returns stepHandler capturing prev; the
 * timer that re-arms scheduleStep holds only a counter, so the levels are
 * closures holding closures, not pending calls. */
static void self_capturing_steps_are_a_closure_chain(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("findings/closure-chain");
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 0);
    const lt_finding *f = finding_of(a, LT_FINDING_CLOSURE_CHAIN, "makeStep");
    assert_string_equal(field_str(f, "closure"), "stepHandler");
    assert_string_equal(field_str(f, "script_short"), "gen/closure-chain.js");
    assert_int_equal(field_int(f, "line"), 14);
    assert_levels(f, 3000);
    lt_analysis_free(a);
}

/* Pending activations, promises or timers on the levels: still recursion. */
static void recursion_stays_recursion(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"seed-co", "scheduleUpdatingTask"},
        {"seed-async", "task"},
        {"findings/then-recursion", "pollForUpdates"},
        {"findings/timer-recursion", "tick"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_analysis *a = fixture_analyze(cases[i][0]);
        assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 1);
        assert_int_equal(finding_counts_of(a, LT_FINDING_CLOSURE_CHAIN), 0);
        finding_of(a, LT_FINDING_RECURSIVE_CHAIN, cases[i][1]);
        lt_analysis_free(a);
    }
}

static void linked_list_is_no_chain_of_either_kind(void **state)
{
    (void)state;
    lt_analysis *a = fixture_analyze("findings/linked-list");
    assert_int_equal(finding_counts_of(a, LT_FINDING_RECURSIVE_CHAIN), 0);
    assert_int_equal(finding_counts_of(a, LT_FINDING_CLOSURE_CHAIN), 0);
    lt_analysis_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(promise_polling_is_a_recursive_chain_of_poll),
        cmocka_unit_test(bun_chains_carry_the_declared_names),
        cmocka_unit_test(loop_built_closures_are_a_closure_chain),
        cmocka_unit_test(closure_chain_fingerprint_is_the_same_elsewhere),
        cmocka_unit_test(self_capturing_steps_are_a_closure_chain),
        cmocka_unit_test(recursion_stays_recursion),
        cmocka_unit_test(linked_list_is_no_chain_of_either_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
