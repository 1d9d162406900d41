/* redact (server/redact): customer-facing messages lose every absolute path on the server
 * (the spool file of a stored analysis error, PostgreSQL's socket in a database error),
 * quotes included, and keep everything else; a short buffer cuts, never overruns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "redact.h"

/* One table row: a message and what the customer sees. */
static const struct {
    const char *message, *shown;
} cases[] = {
    {"cannot open '/srv/data/spool/ab12': No such file or directory",
     "cannot open the stored snapshot: No such file or directory"},
    {"connection to server on socket \"/tmp/lt/pg/.s.PGSQL.5433\" failed",
     "connection to server on socket the stored snapshot failed"},
    {"cannot read /a/b: Input/output error", "cannot read the stored snapshot: Input/output error"},
    {"/srv/x/y", "the stored snapshot"},
    {"bad input at byte 3 (JSON path nodes[7])", "bad input at byte 3 (JSON path nodes[7])"},
    {"ratio 1/2/3 and a/b/c stay", "ratio 1/2/3 and a/b/c stay"},
    {"one slash /tmp stays", "one slash /tmp stays"},
};

static void paths_are_replaced_and_the_rest_kept(void **state)
{
    (void)state;
    char out[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_redact_paths(cases[i].message, "the stored snapshot", out, sizeof out);
        assert_string_equal(out, cases[i].shown);
    }
}

static void a_short_buffer_cuts(void **state)
{
    (void)state;
    char out[12];
    memset(out, 'x', sizeof out);
    lt_redact_paths("cannot open '/srv/data/spool/ab12'", "the stored snapshot", out, 10);
    assert_string_equal(out, "cannot op");
    assert_int_equal(out[10], 'x');
    lt_redact_paths("'/a/b/c'", "the stored snapshot", out, 10);
    assert_string_equal(out, "the store");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_are_replaced_and_the_rest_kept),
        cmocka_unit_test(a_short_buffer_cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
