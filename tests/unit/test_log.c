/* log (server/log): JSON escaping that is UTF-8 safe (control characters escaped, invalid
 * bytes replaced by U+FFFD, valid characters kept, never an escape or a character cut in
 * two), lines that are one valid JSON object even when a value is too long for them, and
 * request ids (a client's sane X-Request-Id kept, anything else replaced by 32 hex). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const struct {
    const char *in, *out;
} cases[] = {
    {"plain", "plain"},
    {"say \"hi\" \\ bye", "say \\\"hi\\\" \\\\ bye"},
    {"tab\there\nnew\rcr", "tab\\there\\nnew\\rcr"},
    {"\x01\x1f\x7f", "\\u0001\\u001f\\u007f"},
    {"caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80"}, /* é and an emoji stay */
    {"a\xff"
     "b",
     "a\\ufffdb"},                             /* not UTF-8 */
    {"\x80", "\\ufffd"},                       /* a lone continuation byte */
    {"\xc0\xaf", "\\ufffd\\ufffd"},            /* overlong '/' */
    {"\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"}, /* a UTF-16 surrogate */
    {"\xe2\x82", "\\ufffd\\ufffd"},            /* cut short */
};

static void escaping_is_json_and_utf8_safe(void **state)
{
    (void)state;
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t used;
        lt_log_escape(cases[i].in, out, sizeof out, &used);
        assert_string_equal(out, cases[i].out);
        assert_int_equal(used, strlen(cases[i].in));
    }
}

static void a_short_buffer_never_cuts_an_escape_or_a_character(void **state)
{
    (void)state;
    char out[8];
    size_t used;
    assert_int_equal(lt_log_escape("abcde\"f", out, 7, &used), 5); /* \" needs 2: not half of it */
    assert_string_equal(out, "abcde");
    assert_int_equal(used, 5);
    assert_int_equal(lt_log_escape("ab\xf0\x9f\x98\x80", out, 5, &used), 2);
    assert_string_equal(out, "ab");
}

/* Writes line through a pipe and parses what came out. */
static json_t *written(lt_log_line *line, size_t *length)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    line->fd = fds[1];
    lt_log_end(line);
    close(fds[1]);
    static char text[LT_LOG_LINE_MAX + 16];
    ssize_t n = read(fds[0], text, sizeof text - 1);
    close(fds[0]);
    assert_true(n > 0);
    text[n] = '\0';
    *length = (size_t)n;
    assert_int_equal(text[n - 1], '\n');
    assert_null(memchr(text, '\n', (size_t)n - 1)); /* one line */
    json_error_t error;
    json_t *doc = json_loads(text, 0, &error);
    assert_non_null(doc);
    return doc;
}

static void a_line_is_one_json_object_with_its_fields(void **state)
{
    (void)state;
    lt_log_line line;
    lt_log_begin(&line, "request");
    lt_log_str(&line, "route", "/api/v1/apps/{app}/snapshots");
    lt_log_str(&line, "skipped", NULL);
    lt_log_int(&line, "status", 202);
    lt_log_num(&line, "duration_ms", 1.5);
    size_t length;
    json_t *doc = written(&line, &length);
    assert_string_equal(json_string_value(json_object_get(doc, "event")), "request");
    assert_string_equal(json_string_value(json_object_get(doc, "route")), "/api/v1/apps/{app}/snapshots");
    assert_int_equal(json_integer_value(json_object_get(doc, "status")), 202);
    assert_true(json_real_value(json_object_get(doc, "duration_ms")) == 1.5);
    assert_null(json_object_get(doc, "skipped"));
    const char *time = json_string_value(json_object_get(doc, "time"));
    assert_int_equal(strlen(time), 24); /* 2026-11-29T08:20:26.123Z */
    assert_true(time[10] == 'T' && time[19] == '.' && time[23] == 'Z');
    json_decref(doc);
}

static void a_value_too_long_is_cut_and_the_line_stays_json(void **state)
{
    (void)state;
    static char big[3 * LT_LOG_LINE_MAX];
    for (size_t i = 0; i + 1 < sizeof big; i++)
        big[i] = i % 3 ? 'x' : '"';
    lt_log_line line;
    lt_log_begin(&line, "message");
    lt_log_str(&line, "msg", big);
    lt_log_int(&line, "after", 7); /* no room left: dropped, the line still closes */
    size_t length;
    json_t *doc = written(&line, &length);
    assert_true(length <= LT_LOG_LINE_MAX);
    assert_true(strlen(json_string_value(json_object_get(doc, "msg"))) > LT_LOG_LINE_MAX / 2);
    json_decref(doc);
}

static void a_sane_request_id_is_kept_and_any_other_replaced(void **state)
{
    (void)state;
    char id[LT_REQUEST_ID_MAX + 1], other[LT_REQUEST_ID_MAX + 1], long_id[LT_REQUEST_ID_MAX + 2];
    assert_int_equal(lt_log_request_id("abc-123_X.y", id), 1);
    assert_string_equal(id, "abc-123_X.y");
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    long_id[LT_REQUEST_ID_MAX] = '\0';
    assert_int_equal(lt_log_request_id(long_id, id), 1); /* exactly the limit */
    long_id[LT_REQUEST_ID_MAX] = 'a';
    const char *bad[] = {NULL, "", "has space", "quote\"", "new\nline", "caf\xc3\xa9", long_id};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(lt_log_request_id(bad[i], id), 0);
        assert_int_equal(strlen(id), 2 * LT_REQUEST_ID_BYTES);
        assert_int_equal(strspn(id, "0123456789abcdef"), 2 * LT_REQUEST_ID_BYTES);
    }
    lt_log_request_id(NULL, other);
    assert_string_not_equal(id, other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escaping_is_json_and_utf8_safe),
        cmocka_unit_test(a_short_buffer_never_cuts_an_escape_or_a_character),
        cmocka_unit_test(a_line_is_one_json_object_with_its_fields),
        cmocka_unit_test(a_value_too_long_is_cut_and_the_line_stays_json),
        cmocka_unit_test(a_sane_request_id_is_kept_and_any_other_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
