/* Issue 11, defects 3, 6 and 7: the memory budget of an analysis (from the header's counts,
 * and as strings grow), the decompressed-bytes and ratio caps, the deadline; UTF-8 repair
 * of snapshot strings (as DevTools' TextDecoder does) and of every error message; and the
 * regression test of the heap-use-after-free in lt_graph_add_string (a string copied from
 * the table itself while the table moves; a real snapshot with a 300,000-character class
 * name, tests/gen/long-class-name.js). Run under ASan by the asan build. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "input/archive_input.h"
#include "report.h"
#include "snapshot/snapshot_reader.h"
#include "util/utf8.h"

#define FIXTURE(name) LT_FIXTURES "/" name

/* A small well-formed snapshot (format-limit input) with one string given as JSON text. */
static int read_tiny(const char *string_json, uint64_t budget, lt_graph **g, lt_error *err)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\"],"
             "\"node_types\":[[\"hidden\",\"object\"],\"string\",\"number\",\"number\",\"number\"],"
             "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
             "\"edge_types\":[[\"property\",\"element\"],\"string_or_number\",\"node\"]},"
             "\"node_count\":2,\"edge_count\":1},"
             "\"nodes\":[0,0,1,0,1,1,1,3,32,0],\"edges\":[0,1,5],\"strings\":[\"\",%s]}",
             string_json);
    lt_reader *r = lt_reader_new(err);
    assert_non_null(r);
    lt_reader_set_budget(r, budget);
    int rc = lt_reader_feed(r, text, strlen(text), err);
    if (!rc)
        rc = lt_reader_finish(r, g, err);
    lt_reader_free(r);
    return rc;
}

static void header_counts_over_budget_fail_before_allocating(void **state)
{
    (void)state;
    lt_analysis *a = NULL;
    lt_error err = {0};
    lt_analysis_options o = {.memory_budget = 10u << 20}; /* 40,848 nodes, 183,721 edges: about 13.6 MB */
    assert_int_equal(lt_analyze_file(FIXTURE("long-class-name.heapsnapshot.xz"), &o, &a, &err), LT_ELIMIT);
    assert_null(a);
    assert_non_null(strstr(err.message, "needs about"));
    assert_non_null(strstr(err.message, "40848 nodes"));
    assert_non_null(strstr(err.message, "the limit is"));
}

static void a_long_string_stops_at_the_budget(void **state)
{
    (void)state;
    char big[3000];
    memset(big, 'a', sizeof big);
    big[0] = big[sizeof big - 1] = '"';
    big[sizeof big - 2] = 'a';
    char json[3001];
    memcpy(json, big, sizeof big);
    json[sizeof big] = '\0';
    lt_graph *g = NULL;
    lt_error err = {0};
    /* the fixed part alone is 8 MiB: a budget just above it leaves room for ~1 KB of strings */
    assert_int_equal(read_tiny(json, (8u << 20) + 1000, &g, &err), LT_ELIMIT);
    assert_non_null(strstr(err.message, "of strings so far"));
    assert_int_equal(read_tiny(json, 0, &g, &err), 0);
    lt_graph_free(g);
}

static void within_budget_reads_the_same(void **state)
{
    (void)state;
    lt_analysis *a = NULL;
    lt_error err = {0};
    lt_analysis_options o = {.memory_budget = 1ull << 30, .max_snapshot_bytes = 1ull << 30, .max_ratio = 10};
    assert_int_equal(lt_analyze_file(FIXTURE("long-class-name.heapsnapshot.xz"), &o, &a, &err), 0);
    lt_analysis_free(a);
}

static void decompressed_bytes_and_ratio_caps(void **state)
{
    (void)state;
    lt_error err = {0};
    lt_input_limits l = {.max_bytes = 1000, .max_ratio = 100, .ratio_from = 500};
    assert_int_equal(lt_input_check_limits(&l, 500, 1, &err), 0); /* ratio 500, but not past ratio_from */
    assert_int_equal(lt_input_check_limits(&l, 1001, 100, &err), LT_ELIMIT);
    assert_non_null(strstr(err.message, "--max-snapshot-bytes"));
    assert_int_equal(lt_input_check_limits(&l, 600, 5, &err), LT_ELIMIT);
    assert_non_null(strstr(err.message, "decompresses more than 100-fold"));
    assert_int_equal(lt_input_check_limits(&l, 600, 6, &err), 0);
    lt_analysis *a = NULL;
    lt_analysis_options o = {.max_snapshot_bytes = 1 << 20};
    assert_int_equal(lt_analyze_file(FIXTURE("long-class-name.heapsnapshot.xz"), &o, &a, &err), LT_ELIMIT);
}

static void a_passed_deadline_stops_the_analysis(void **state)
{
    (void)state;
    lt_analysis *a = NULL;
    lt_error err = {0};
    lt_analysis_options o = {.deadline = lt_analysis_deadline(1e-9)};
    assert_int_equal(lt_analyze_file(FIXTURE("long-class-name.heapsnapshot.xz"), &o, &a, &err), LT_ELIMIT);
    assert_non_null(strstr(err.message, "--analysis-timeout"));
    assert_true(lt_analysis_deadline(0) == 0);
}

/* WHATWG: one U+FFFD per maximal invalid subpart. */
static void utf8_repair_as_textdecoder(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"ok \xC3\xA9", "ok \xC3\xA9"},
        {"\xC3(", "\xEF\xBF\xBD("},
        {"\xE2\x82", "\xEF\xBF\xBD"},
        {"\xF0\x9F\x98x", "\xEF\xBF\xBDx"},
        {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"\xFF", "\xEF\xBF\xBD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        size_t n = lt_utf8_repair(cases[i].in, strlen(cases[i].in), out);
        out[n] = '\0';
        assert_string_equal(out, cases[i].out);
        assert_true(lt_utf8_valid(out, n));
    }
}

static void invalid_utf8_in_strings_is_not_an_error(void **state)
{
    (void)state;
    lt_graph *g = NULL;
    lt_error err = {0};
    assert_int_equal(read_tiny("\"Bad\xC3(\xFFName\"", 0, &g, &err), 0);
    assert_string_equal(lt_graph_string(g, 1), "Bad\xEF\xBF\xBD(\xEF\xBF\xBDName");
    lt_graph_free(g);
}

static void messages_are_one_line_of_utf8(void **state)
{
    (void)state;
    lt_error err = {0};
    lt_error_set(&err, LT_EARCHIVE,
                 "no snapshot in 'a\xE9\x01"
                 "b\nc'");
    assert_string_equal(err.message, "no snapshot in 'a\xEF\xBF\xBD\\x01b\\nc'");
    char small[6] = "\x01\x02\x03";
    lt_text_clean(small, sizeof small); /* "\x01" is 4 bytes: only one fits */
    assert_string_equal(small, "\\x01");
}

/* Defect 7: the string added may lie in the table, which moves as it grows. */
static void adding_a_string_from_the_table_itself(void **state)
{
    (void)state;
    lt_error err = {0};
    lt_graph *g = lt_graph_new(1, 0, false, NULL, &err);
    assert_non_null(g);
    char *name = malloc(200000);
    memset(name, 'N', 200000);
    assert_int_equal(lt_graph_add_string(g, name, 200000), 0);
    free(name);
    for (int i = 1; i < 40; i++) /* each copy of string i-1 outgrows the table */
        assert_int_equal(lt_graph_add_string(g, lt_graph_string(g, (uint32_t)i - 1), 200000), i);
    assert_int_equal(lt_graph_string_len(g, 39), 200000);
    assert_int_equal(lt_graph_string(g, 39)[199999], 'N');
    lt_graph_free(g);
}

static void a_long_class_name_analyses(void **state)
{
    (void)state;
    lt_analysis *a = NULL;
    lt_error err = {0};
    assert_int_equal(lt_analyze_file(FIXTURE("long-class-name.heapsnapshot.xz"), NULL, &a, &err), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(lt_report_text(a, 50, f), 0);
    fclose(f);
    assert_non_null(strstr(text, "LongName_xxxxxxxxxx"));
    free(text);
    lt_analysis_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_counts_over_budget_fail_before_allocating),
        cmocka_unit_test(a_long_string_stops_at_the_budget),
        cmocka_unit_test(within_budget_reads_the_same),
        cmocka_unit_test(decompressed_bytes_and_ratio_caps),
        cmocka_unit_test(a_passed_deadline_stops_the_analysis),
        cmocka_unit_test(utf8_repair_as_textdecoder),
        cmocka_unit_test(invalid_utf8_in_strings_is_not_an_error),
        cmocka_unit_test(messages_are_one_line_of_utf8),
        cmocka_unit_test(adding_a_string_from_the_table_itself),
        cmocka_unit_test(a_long_class_name_analyses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
