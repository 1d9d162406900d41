/* Verdict rules (server/verdict_rules): parsing with a reason for every bad
 * value, the default, and which findings each rule fails (ignored leaks never,
 * large_retainer only when named). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "verdict_rules.h"

static lt_rules parse_ok(const char *text)
{
    lt_rules r;
    char why[256] = "";
    if (lt_rules_parse(text, &r, why, sizeof why))
        fail_msg("'%s' should parse: %s", text ? text : "(null)", why);
    return r;
}

static void default_is_new_and_regressed(void **state)
{
    (void)state;
    lt_rules r = parse_ok(NULL);
    assert_int_equal(r.count, 2);
    assert_string_equal(r.items[0].text, "new");
    assert_string_equal(r.items[1].text, "regressed");
    assert_true(lt_rules_need_history(&r));
    r = parse_ok("kind:recursive_chain,retained:5,retained:5");
    assert_int_equal(r.count, 2);
    assert_false(lt_rules_need_history(&r));
    assert_true(r.items[1].percent == 5.0);
}

static void bad_rules_say_why(void **state)
{
    (void)state;
    static const char *const bad[] = {"nope",     "kind:",        "kind:Bad",       "growth:", "growth:-1",
                                      "growth:x", "retained:1e9", "new,,regressed", "new,"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lt_rules r;
        char why[256] = "";
        if (!lt_rules_parse(bad[i], &r, why, sizeof why))
            fail_msg("'%s' should not parse", bad[i]);
        assert_true(strlen(why) > 0);
    }
}

static void which_findings_fail(void **state)
{
    (void)state;
    lt_rules r = parse_ok("new,regressed,kind:recursive_chain,retained:5");
    lt_verdict_finding chain = {"recursive_chain", 1.0, "recurring", false};
    lt_verdict_finding fresh = {"retainer_cluster", 1.0, "new", true};
    lt_verdict_finding back = {"retainer_cluster", 1.0, "regressed", false};
    lt_verdict_finding big = {"retainer_cluster", 6.0, "recurring", false};
    lt_verdict_finding quiet = {"retainer_cluster", 1.0, "recurring", false};
    lt_verdict_finding ignored = {"recursive_chain", 90.0, "ignored", true};
    lt_verdict_finding size = {"large_retainer", 90.0, NULL, true};
    assert_string_equal(lt_rules_failed_by(&r, &chain)->text, "kind:recursive_chain");
    assert_string_equal(lt_rules_failed_by(&r, &fresh)->text, "new");
    assert_string_equal(lt_rules_failed_by(&r, &back)->text, "regressed");
    assert_string_equal(lt_rules_failed_by(&r, &big)->text, "retained:5");
    assert_null(lt_rules_failed_by(&r, &quiet));
    assert_null(lt_rules_failed_by(&r, &ignored));
    assert_null(lt_rules_failed_by(&r, &size));
    lt_rules named = parse_ok("kind:large_retainer");
    assert_non_null(lt_rules_failed_by(&named, &size));
}

static void growth_against_the_baseline(void **state)
{
    (void)state;
    lt_rules r = parse_ok("growth:10");
    assert_null(lt_rules_failed_by_growth(&r, NAN));
    assert_null(lt_rules_failed_by_growth(&r, 10.0));
    assert_string_equal(lt_rules_failed_by_growth(&r, 10.5)->text, "growth:10");
    lt_rules d = parse_ok(NULL);
    assert_null(lt_rules_failed_by_growth(&d, 500.0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_is_new_and_regressed),
        cmocka_unit_test(bad_rules_say_why),
        cmocka_unit_test(which_findings_fail),
        cmocka_unit_test(growth_against_the_baseline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
