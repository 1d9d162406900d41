/* number_scan.c: see number_scan.h. */
#include "snapshot/number_scan.h"

#include <string.h>

#include "snapshot/snapshot_reader_internal.h" /* lt_reader_is_ws: the reader's blanks */

static inline bool is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

#define ONES 0x0101010101010101ull

static inline uint64_t load8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
    return x;
}

/* x: eight bytes XORed with '0' (digits became 0..9). The high bit of each byte that
 * was not a digit, all eight at once, no carry between bytes. */
static inline uint64_t non_digits(uint64_t x)
{
    uint64_t low7 = (x & 0x7F * ONES) + 0x76 * ONES; /* a byte >= 10 sets its high bit */
    return (low7 | x) & 0x80 * ONES;
}

/* x: eight digit values, the most significant in the lowest byte: their value, by
 * pairs, then fours, then eights. */
static inline uint32_t eight_digits(uint64_t x)
{
    x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFull;
    x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFull;
    return (uint32_t)((x * 10000 + (x >> 32)) & 0xFFFFFFFFull);
}

/* One group from pos: blanks, a comma, blanks, then digits (at most 11, at most
 * 2^32-1) followed inside len by a byte that is not a digit. Returns the offset just
 * past the digits, or 0 when the text there is anything else. Up to 8 digits are read
 * as one word when 9 bytes are there, longer numbers byte by byte. */
static size_t scan_group(const char *text, size_t pos, size_t len, uint32_t *value)
{
    while (pos < len && lt_reader_is_ws(text[pos]))
        pos++;
    if (pos >= len || text[pos] != ',')
        return 0;
    pos++;
    while (pos < len && lt_reader_is_ws(text[pos]))
        pos++;
    if (pos >= len || !is_digit(text[pos]))
        return 0;
    if (len - pos >= 9) { /* 1 to 8 digits and what ends them, in one word */
        uint64_t x = load8(text + pos) ^ 0x30 * ONES, stop = non_digits(x);
        unsigned digits = stop ? (unsigned)__builtin_ctzll(stop) >> 3 : 8;
        if (digits < 8 || !is_digit(text[pos + 8])) {
            *value = eight_digits(digits == 8 ? x : x << (64 - 8 * digits)); /* leading zeros enter */
            return pos + digits;
        }
    }
    uint64_t v = 0;
    size_t first = pos;
    do
        v = v * 10 + (uint64_t)(text[pos++] - '0');
    while (pos < len && is_digit(text[pos]) && pos - first < 11);
    if (v > UINT32_MAX || pos >= len || is_digit(text[pos]))
        return 0;
    *value = (uint32_t)v;
    return pos;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2_PATH 1
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,bmi,popcnt")))

/* RIGHT_ALIGN[len]: the shuffle that moves a number of len digits, loaded from its first
 * digit, to the end of a 16-byte lane; 0x80 makes a zero byte (a leading zero). */
#define RA(len, i) ((i) >= 16 - (len) ? (i) - (16 - (len)) : 0x80)
#define RA_ROW(len)                                                                                                    \
    {                                                                                                                  \
        RA(len, 0), RA(len, 1), RA(len, 2), RA(len, 3), RA(len, 4), RA(len, 5), RA(len, 6), RA(len, 7), RA(len, 8),    \
            RA(len, 9), RA(len, 10), RA(len, 11), RA(len, 12), RA(len, 13), RA(len, 14), RA(len, 15)                   \
    }
static const uint8_t RIGHT_ALIGN[12][16] = {RA_ROW(0), RA_ROW(1), RA_ROW(2), RA_ROW(3), RA_ROW(4),  RA_ROW(5),
                                            RA_ROW(6), RA_ROW(7), RA_ROW(8), RA_ROW(9), RA_ROW(10), RA_ROW(11)};

/* Bit i of each mask: byte i of the 64 at p is a comma, a digit, a newline. */
AVX2 static inline void classify(const char *p, uint64_t *comma, uint64_t *digit, uint64_t *newline)
{
    const __m256i k_comma = _mm256_set1_epi8(','), k_newline = _mm256_set1_epi8('\n');
    const __m256i k_zero = _mm256_set1_epi8('0'), k_nine = _mm256_set1_epi8(9);
    uint64_t c = 0, d = 0, n = 0;
    for (unsigned i = 0; i < 2; i++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * i));
        __m256i t = _mm256_sub_epi8(x, k_zero); /* digits: 0..9, unsigned */
        c |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, k_comma)) << (32 * i);
        n |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, k_newline)) << (32 * i);
        d |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(t, k_nine), t)) << (32 * i);
    }
    *comma = c;
    *digit = d;
    *newline = n;
}

/* The values of two numbers of 1 to 11 digits at a and b (16 bytes readable at each),
 * each right-aligned in a 16-byte lane and read by pairs, fours, eights, then whole:
 * the 64-bit elements 0 (a) and 2 (b) of the result. */
AVX2 static inline __m256i two_values(const char *a, unsigned len_a, const char *b, unsigned len_b)
{
    __m256i x = _mm256_loadu2_m128i((const __m128i *)(const void *)b, (const __m128i *)(const void *)a);
    __m256i order = _mm256_loadu2_m128i((const __m128i *)(const void *)RIGHT_ALIGN[len_b],
                                        (const __m128i *)(const void *)RIGHT_ALIGN[len_a]);
    x = _mm256_shuffle_epi8(_mm256_sub_epi8(x, _mm256_set1_epi8('0')), order);
    x = _mm256_maddubs_epi16(x, _mm256_set1_epi16(0x010A));            /* 10 * d0 + d1: 2 digits */
    x = _mm256_madd_epi16(x, _mm256_set1_epi32(0x00010064));           /* 100 * p0 + p1: 4 digits */
    x = _mm256_packus_epi32(x, x);                                     /* each below 10,000 */
    x = _mm256_madd_epi16(x, _mm256_set1_epi32(0x00012710));           /* 10,000 * q0 + q1: 8 digits */
    __m256i high = _mm256_mul_epu32(x, _mm256_set1_epi64x(100000000)); /* the first 8 of 16 */
    return _mm256_add_epi64(high, _mm256_srli_epi64(x, 32));
}

/* The 64 bytes at *at, which follow a number (or start the text): when they hold only
 * commas, digits and newlines and every run of digits directly follows a comma, reads
 * the numbers that end inside them (a last one running past is left for the next
 * block) and returns true with *at just past the last. Otherwise returns false with *at
 * past the numbers it did read (none when the block is not of that shape), for the
 * group loop. */
AVX2 static bool scan_block(const char *text, size_t *at, uint32_t *value, uint32_t *end, size_t *count)
{
    size_t pos = *at, n = *count;
    uint64_t comma, digit, newline;
    classify(text + pos, &comma, &digit, &newline);
    uint64_t digit_after = (unsigned char)(text[pos + 64] - '0') < 10;
    uint64_t starts = digit & ~(digit << 1); /* bit 0 counts: text[pos] follows a number */
    uint64_t ends = digit & ~((digit >> 1) | digit_after << 63);
    uint64_t bare_comma = comma & ~((digit >> 1) | digit_after << 63);
    if (~(comma | digit | newline) || (starts & ~(comma << 1)) || bare_comma)
        return false;
    unsigned complete = (unsigned)__builtin_popcountll(ends);
    if (!complete) { /* newlines, or the comma of a number that runs past the block */
        unsigned skip = comma ? (unsigned)__builtin_ctzll(comma) : 64;
        *at = pos + skip;
        return skip > 0;
    }
    uint8_t first[32], last[32];
    unsigned longest = 0; /* digits - 1 of the longest number */
    for (unsigned k = 0; k < complete; k++) {
        first[k] = (uint8_t)__builtin_ctzll(starts);
        last[k] = (uint8_t)__builtin_ctzll(ends);
        unsigned span = (unsigned)(last[k] - first[k]);
        longest = span > longest ? span : longest;
        starts &= starts - 1;
        ends &= ends - 1;
    }
    unsigned k = 0;
    /* four at a time when no number has more than 9 digits (all below 2^32), stored
     * four at once with their ends */
    const __m256i pick = _mm256_setr_epi32(0, 4, 2, 6, 0, 4, 2, 6);
    const __m128i past = _mm_set1_epi32((int)(pos + 1));
    for (; longest < 9 && k + 4 <= complete; k += 4, n += 4) {
        __m256i ab = two_values(text + pos + first[k], last[k] - first[k] + 1u, text + pos + first[k + 1],
                                last[k + 1] - first[k + 1] + 1u);
        __m256i cd = two_values(text + pos + first[k + 2], last[k + 2] - first[k + 2] + 1u, text + pos + first[k + 3],
                                last[k + 3] - first[k + 3] + 1u);
        __m256i acbd = _mm256_unpacklo_epi64(ab, cd); /* 64-bit a, c | b, d */
        _mm_storeu_si128((__m128i *)(void *)(value + n),
                         _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(acbd, pick)));
        uint32_t four_last;
        memcpy(&four_last, last + k, sizeof four_last);
        _mm_storeu_si128((__m128i *)(void *)(end + n),
                         _mm_add_epi32(_mm_cvtepu8_epi32(_mm_cvtsi32_si128((int)four_last)), past));
    }
    for (; k < complete; k += 2) {
        unsigned j = k + 1 < complete ? k + 1 : k; /* an odd last one is read twice */
        unsigned len_k = last[k] - first[k] + 1u, len_j = last[j] - first[j] + 1u;
        if (len_k > 11 || len_j > 11)
            break;
        __m256i v = two_values(text + pos + first[k], len_k, text + pos + first[j], len_j);
        uint64_t vk = (uint64_t)_mm256_extract_epi64(v, 0), vj = (uint64_t)_mm256_extract_epi64(v, 2);
        if (vk > UINT32_MAX)
            break;
        value[n] = (uint32_t)vk;
        end[n++] = (uint32_t)(pos + last[k] + 1u);
        if (j == k)
            continue;
        if (vj > UINT32_MAX)
            break;
        value[n] = (uint32_t)vj;
        end[n++] = (uint32_t)(pos + last[j] + 1u);
    }
    bool whole = n - *count == complete;
    *at = n > *count ? end[n - 1] : pos;
    *count = n;
    return whole;
}

static bool have_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("popcnt");
}
#endif

size_t lt_scan_numbers(const char *text, size_t len, uint32_t *value, uint32_t *end, size_t max, bool simd)
{
    size_t n = 0, pos = 0;
#ifdef HAVE_AVX2_PATH
    size_t careful_until = 0; /* a block that was not of the usual shape: group by group past it */
    /* a block reads 65 bytes, and 16 from each number's first digit; at most 32 numbers */
    simd = simd && have_avx2();
    while (simd && n + 32 <= max && pos + 64 + 16 <= len) {
        if (pos >= careful_until) {
            size_t block = pos;
            if (scan_block(text, &pos, value, end, &n))
                continue;
            careful_until = block + 64;
        }
        size_t next = scan_group(text, pos, len, &value[n]);
        if (!next)
            return n;
        end[n++] = (uint32_t)next;
        pos = next;
    }
#else
    (void)simd;
#endif
    while (n < max) {
        size_t next = scan_group(text, pos, len, &value[n]);
        if (!next)
            break;
        end[n++] = (uint32_t)next;
        pos = next;
    }
    return n;
}
