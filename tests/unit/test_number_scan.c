/* test_number_scan: the number scan (snapshot/number_scan.h) reads what its
 * group-by-group loop reads, number for number and offset for offset, with and without
 * its vector path (where the CPU has AVX2; elsewhere both runs take the same loop): on
 * text as V8 writes it, on edge cases of length and value, and on random text with
 * blanks, junk and long runs of digits mixed in; and the values are the numbers
 * written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/number_scan.h"

#define MAX_NUMBERS 200000

typedef struct scan_result {
    size_t count;
    uint32_t *value, *end;
} scan_result;

static scan_result scan(const char *text, size_t len, size_t max, bool simd)
{
    scan_result r = {0, calloc(max + 1, sizeof(uint32_t)), calloc(max + 1, sizeof(uint32_t))};
    assert_non_null(r.value);
    assert_non_null(r.end);
    r.count = lt_scan_numbers(text, len, r.value, r.end, max, simd);
    return r;
}

static void result_free(scan_result *r)
{
    free(r->value);
    free(r->end);
}

/* Both paths read the same numbers; returns how many. */
static size_t both_agree(const char *text, size_t len, size_t max)
{
    scan_result fast = scan(text, len, max, true), careful = scan(text, len, max, false);
    assert_int_equal(fast.count, careful.count);
    for (size_t k = 0; k < fast.count; k++) {
        if (fast.value[k] != careful.value[k] || fast.end[k] != careful.end[k])
            fail_msg("number %zu: %u ending at %u, byte-wise %u ending at %u", k, fast.value[k], fast.end[k],
                     careful.value[k], careful.end[k]);
    }
    size_t count = fast.count;
    result_free(&fast);
    result_free(&careful);
    return count;
}

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* A random number of 1 to 10 digits, as V8 writes it. */
static uint32_t random_number(uint64_t *rng)
{
    static const uint32_t limit[] = {10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
    unsigned digits = (unsigned)(next_random(rng) % 10);
    return digits == 9 ? (uint32_t)next_random(rng) : (uint32_t)(next_random(rng) % limit[digits]);
}

/* Text as V8 writes "edges": ",type,name,to\n" records after a first value. */
static char *v8_text(size_t records, uint64_t seed, uint32_t **numbers, size_t *count, size_t *len)
{
    uint64_t rng = seed;
    char *text = malloc(records * 40 + 64);
    uint32_t *value = malloc(records * 3 * sizeof *value);
    assert_non_null(text);
    assert_non_null(value);
    size_t at = 0, n = 0;
    for (size_t r = 0; r < records; r++)
        for (unsigned f = 0; f < 3; f++) {
            value[n] = random_number(&rng);
            at += (size_t)sprintf(text + at, ",%u%s", value[n], f == 2 ? "\n" : "");
            n++;
        }
    text[at] = ']';
    *numbers = value;
    *count = n;
    *len = at + 1;
    return text;
}

static void v8_text_reads_every_number(void **state)
{
    (void)state;
    uint32_t *expected;
    size_t count, len;
    char *text = v8_text(50000, 42, &expected, &count, &len);
    for (int simd = 0; simd < 2; simd++) {
        scan_result got = scan(text, len, MAX_NUMBERS, simd);
        assert_int_equal(got.count, count); /* the ']' stops it */
        for (size_t k = 0; k < count; k++)
            assert_int_equal(got.value[k], expected[k]);
        assert_int_equal(got.end[count - 1], len - 2); /* before the newline and the ']' */
        result_free(&got);
    }
    assert_int_equal(both_agree(text, len, MAX_NUMBERS), count);
    /* a batch limit: exactly max numbers, the same as byte by byte */
    assert_int_equal(both_agree(text, len, 1000), 1000);
    assert_int_equal(both_agree(text, len, 31), 31);
    free(expected);
    free(text);
}

static void a_number_that_reaches_the_end_is_not_taken(void **state)
{
    (void)state;
    uint32_t *expected;
    size_t count, len;
    char *text = v8_text(1000, 7, &expected, &count, &len);
    /* cut inside the last number: its end is unknown, it stays for later */
    size_t cut = len - 3;
    while (text[cut - 1] < '0' || text[cut - 1] > '9')
        cut--;
    size_t got = both_agree(text, cut, MAX_NUMBERS);
    assert_int_equal(got, count - 1);
    free(expected);
    free(text);
}

static void values_at_the_limits(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t count;
        uint32_t last;
    } cases[] = {
        {",4294967295,1]", 2, 1},
        {",4294967296,1]", 0, 0},
        {",00000000042,7]", 2, 7},
        {",000000000042,7]", 0, 0},
        {",0,0,0]", 3, 0},
        {",1 , 2,\n3\r\n,4]", 4, 4},
        {",1,,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30]", 1, 1},
        {",1,-2]", 1, 1},
        {",12345678901]", 0, 0},
        {"\n\n,99999999,100000000]", 2, 100000000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* alone, then after 100 plain numbers so the vector path meets it mid-block */
        char text[2048];
        size_t at = 0;
        for (int k = 0; k < 100; k++)
            at += (size_t)sprintf(text + at, ",%d%s", k * 37, k % 3 == 2 ? "\n" : "");
        at += (size_t)sprintf(text + at, "%s", cases[i].text);
        memset(text + at, ' ', 64); /* readable bytes after the end, outside len */
        size_t len = strlen(cases[i].text);
        scan_result alone = scan(cases[i].text, len, 64, true);
        assert_int_equal(alone.count, cases[i].count);
        if (cases[i].count)
            assert_int_equal(alone.value[cases[i].count - 1], cases[i].last);
        result_free(&alone);
        assert_int_equal(both_agree(cases[i].text, len, 64), cases[i].count);
        assert_int_equal(both_agree(text, at, 4096), 100 + cases[i].count);
    }
}

static void random_text_reads_the_same_both_ways(void **state)
{
    (void)state;
    static const char junk[] = " \n\r\t]x-.\"[,";
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    size_t cap = 1 << 16;
    char *text = malloc(cap + 64);
    assert_non_null(text);
    for (int round = 0; round < 400; round++) {
        size_t at = 0;
        unsigned odd = (unsigned)(next_random(&rng) % 200) + 1; /* one odd thing in `odd` */
        while (at + 40 < cap) {
            uint64_t dice = next_random(&rng);
            if (dice % odd == 0) {
                text[at++] = junk[(dice >> 8) % (sizeof junk - 1)];
            } else if (dice % (odd * 3 + 1) == 1) { /* a long run of digits or zeros */
                unsigned digits = 9 + (unsigned)((dice >> 16) % 5);
                text[at++] = ',';
                for (unsigned d = 0; d < digits; d++)
                    text[at++] = (char)((dice >> 24) & 1 ? '0' : '0' + (char)((dice >> (d * 3)) % 10));
            } else {
                at += (size_t)sprintf(text + at, ",%u%s", random_number(&rng), dice % 7 == 0 ? "\n" : "");
            }
        }
        memset(text + at, '9', 64);
        size_t len = at - (size_t)(next_random(&rng) % 30);
        both_agree(text, len, MAX_NUMBERS);
        both_agree(text, len, (size_t)(next_random(&rng) % 500) + 1);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(v8_text_reads_every_number),
        cmocka_unit_test(a_number_that_reaches_the_end_is_not_taken),
        cmocka_unit_test(values_at_the_limits),
        cmocka_unit_test(random_text_reads_the_same_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
