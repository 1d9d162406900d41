/* upload_check (server/upload_check.c): the sniffing of an upload's first bytes — every
 * compressed and archived fixture and a raw snapshot pass, what is not a snapshot is named
 * ("a PNG image", "text", "binary data ... 4d 5a") — and the label rules (UTF-8, no
 * control characters, at most LT_API_LABEL_MAX bytes). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "upload.h"

/* Sniffs the first LT_UPLOAD_SNIFF_BYTES of a fixture (or all of it when shorter). */
static int sniff_fixture(const char *name, char *found, size_t len)
{
    char path[512];
    unsigned char head[LT_UPLOAD_SNIFF_BYTES];
    snprintf(path, sizeof path, "%s/%s", LT_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return lt_upload_sniff(head, n, found, len);
}

static void fixtures_pass(void **state)
{
    (void)state;
    static const char *const names[] = {"fixed-loop.heapsnapshot.gz", "archive/small.heapsnapshot", "archive/small.7z",
                                        "archive/nested.tar.bz2", "real/node22-koa.heapsnapshot.xz"};
    char found[LT_UPLOAD_SNIFF_TEXT];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_int_equal(sniff_fixture(names[i], found, sizeof found), 1);
}

/* The magic of the formats no fixture has, and white space before "snapshot". */
static void magics_pass(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
    } heads[] = {
        {"\x28\xb5\x2f\xfd\x24\x00", 6}, /* zstd */
        {"\x04\x22\x4d\x18\x64\x40", 6}, /* lz4 frame */
        {"PK\x03\x04\x14\x00", 6},       /* zip */
        {"\xef\xbb\xbf {\n  \"snapshot\": {", 23},
    };
    char found[LT_UPLOAD_SNIFF_TEXT];
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        assert_int_equal(lt_upload_sniff((const unsigned char *)heads[i].bytes, heads[i].len, found, sizeof found), 1);
    unsigned char tar[LT_UPLOAD_SNIFF_BYTES] = "snapshot.heapsnapshot";
    memcpy(tar + 257, "ustar", 5);
    assert_int_equal(lt_upload_sniff(tar, sizeof tar, found, sizeof found), 1);
}

static void others_are_named(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
        const char *found;
    } cases[] = {
        {"\x89PNG\r\n\x1a\n", 8, "a PNG image"},
        {"\xff\xd8\xff\xe0", 4, "a JPEG image"},
        {"%PDF-1.7", 8, "a PDF document"},
        {"\x7f"
         "ELF\x02",
         5, "an ELF executable"},
        {"hello, world\n", 13, "text"},
        {"{\"nodes\": []}", 13, "JSON that does not start with {\"snapshot\""},
        {"[1, 2]", 6, "a JSON array"},
        {"<!doctype html>", 15, "HTML or XML"},
        {"MZ\x90\x00\x03", 5, "binary data of an unknown format (it starts with 4d 5a 90 00)"},
    };
    char found[LT_UPLOAD_SNIFF_TEXT];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(lt_upload_sniff((const unsigned char *)cases[i].bytes, cases[i].len, found, sizeof found), 0);
        assert_string_equal(found, cases[i].found);
    }
}

static void labels(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        const char *problem; /* NULL: fine */
    } cases[] = {
        {"1.2.3", NULL},
        {"v\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x90\x9b", NULL}, /* é, €, an emoji */
        {"\xff\xfe", "is not valid UTF-8"},
        {"\xc0\xaf", "is not valid UTF-8"},         /* overlong '/' */
        {"\xed\xa0\x80", "is not valid UTF-8"},     /* a surrogate */
        {"\xf4\x90\x80\x80", "is not valid UTF-8"}, /* past U+10FFFF */
        {"a\xc3", "is not valid UTF-8"},            /* cut */
        {"a\x01"
         "b",
         "contains a control character"},
        {"a\tb", "contains a control character"},
        {"a\x7f", "contains a control character"},
        {"a\xc2\x85", "contains a control character"}, /* U+0085, a C1 control */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *problem = lt_upload_label_problem(cases[i].value, strlen(cases[i].value));
        if (cases[i].problem)
            assert_string_equal(problem, cases[i].problem);
        else
            assert_null(problem);
    }
    char longest[LT_API_LABEL_MAX + 2];
    memset(longest, 'x', sizeof longest);
    assert_null(lt_upload_label_problem(longest, LT_API_LABEL_MAX));
    assert_non_null(lt_upload_label_problem(longest, LT_API_LABEL_MAX + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixtures_pass),
        cmocka_unit_test(magics_pass),
        cmocka_unit_test(others_are_named),
        cmocka_unit_test(labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
