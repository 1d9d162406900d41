/* Leak statuses (server/leak_status): the transition rules as a table of histories
 * — new, recurring, resolved after N absent analysed snapshots, regressed, recurring again,
 * the user's resolved and ignored choices — with the status at every occurrence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "leak_status.h"

#define MAX_OCC 8

typedef struct walk_case {
    const char *what;
    int64_t positions[MAX_OCC];
    size_t count;
    int64_t analysed, resolve_after;
    lt_leak_choice choice;
    int64_t choice_position;
    const char *at[MAX_OCC]; /* expected status at each occurrence */
    const char *now;
} walk_case;

static const walk_case cases[] = {
    {"first occurrence", {1}, 1, 1, 3, LT_CHOICE_NONE, 0, {"new"}, "new"},
    {"seen again", {1, 2}, 2, 2, 3, LT_CHOICE_NONE, 0, {"new", "recurring"}, "recurring"},
    {"absent from 2 of 3: still open", {1, 2}, 2, 4, 3, LT_CHOICE_NONE, 0, {"new", "recurring"}, "recurring"},
    {"absent from the last 3: resolved", {1, 2}, 2, 5, 3, LT_CHOICE_NONE, 0, {"new", "recurring"}, "resolved"},
    {"seen after resolved: regressed",
     {1, 2, 6},
     3,
     6,
     3,
     LT_CHOICE_NONE,
     0,
     {"new", "recurring", "regressed"},
     "regressed"},
    {"seen once more: recurring",
     {1, 2, 6, 7},
     4,
     7,
     3,
     LT_CHOICE_NONE,
     0,
     {"new", "recurring", "regressed", "recurring"},
     "recurring"},
    {"a gap shorter than N is no resolution", {1, 4}, 2, 4, 3, LT_CHOICE_NONE, 0, {"new", "recurring"}, "recurring"},
    {"resolve_after 1", {1, 3}, 2, 4, 1, LT_CHOICE_NONE, 0, {"new", "regressed"}, "resolved"},
    {"the user resolves it", {1, 2}, 2, 2, 3, LT_CHOICE_RESOLVED, 2, {"new", "recurring"}, "resolved"},
    {"... and it occurs again: regressed",
     {1, 2, 3},
     3,
     3,
     3,
     LT_CHOICE_RESOLVED,
     2,
     {"new", "recurring", "regressed"},
     "regressed"},
    {"a snapshot uploaded before the choice is no regression",
     {1, 2},
     2,
     2,
     3,
     LT_CHOICE_RESOLVED,
     2,
     {"new", "recurring"},
     "resolved"},
    {"ignored stays ignored while it occurs",
     {1, 2, 3},
     3,
     3,
     3,
     LT_CHOICE_IGNORED,
     0,
     {"new", "recurring", "recurring"},
     "ignored"},
    {"ignored stays ignored when absent", {1}, 1, 9, 3, LT_CHOICE_IGNORED, 0, {"new"}, "ignored"},
};

static void transition_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const walk_case *c = &cases[i];
        lt_leak_history h = {.positions = c->positions,
                             .count = c->count,
                             .analysed_count = c->analysed,
                             .resolve_after = c->resolve_after,
                             .choice = c->choice,
                             .choice_position = c->choice_position};
        lt_leak_status at[MAX_OCC];
        const char *now = lt_leak_status_name(lt_leak_status_walk(&h, at));
        if (strcmp(now, c->now))
            fail_msg("%s: status now %s, expected %s", c->what, now, c->now);
        for (size_t k = 0; k < c->count; k++)
            if (strcmp(lt_leak_status_name(at[k]), c->at[k]))
                fail_msg("%s: occurrence %zu is %s, expected %s", c->what, k, lt_leak_status_name(at[k]), c->at[k]);
    }
}

static void names_round_trip(void **state)
{
    (void)state;
    for (int s = 0; s < LT_LEAK_STATUS_COUNT; s++)
        assert_int_equal(lt_leak_status_parse(lt_leak_status_name((lt_leak_status)s)), s);
    assert_int_equal(lt_leak_status_parse("open"), -1);
    assert_int_equal(lt_leak_status_parse(""), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(transition_table),
        cmocka_unit_test(names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
