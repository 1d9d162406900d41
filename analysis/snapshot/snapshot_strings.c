/* snapshot_strings: the "strings" array: JSON strings (escapes, \\u, surrogate
 * pairs; a lone surrogate becomes U+FFFD) decoded into the graph's table.
 * Bytes that are not UTF-8 are taken as DevTools' TextDecoder takes them:
 * each invalid subpart becomes U+FFFD. Strings count against the budget
 * (snapshot_budget.c) as they grow. */
#include "snapshot/snapshot_reader_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "util/utf8.h"

/* ---- strings ---------------------------------------------------------- */

static int str_push(lt_reader *r, const char *s, size_t n, lt_error *err)
{
    int rc = r->str_len + n > r->str_cap ? lt_reader_check_budget(r, r->node_count, r->edge_count, n, err) : 0;
    if (rc)
        return rc;
    if (lt_reserve(&r->str, &r->str_cap, r->str_len + n, 1, 256))
        return lt_reader_fail(r, err, LT_ENOMEM, "out of memory reading strings");
    memcpy(r->str + r->str_len, s, n);
    r->str_len += n;
    return 0;
}

static int str_push_codepoint(lt_reader *r, uint32_t cp, lt_error *err)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return str_push(r, u, n, err);
}

/* A \uXXXX unit: pairs surrogates; a lone surrogate becomes U+FFFD. */
static int str_unit(lt_reader *r, uint32_t unit, lt_error *err)
{
    int rc = 0;
    if (r->str_high_surrogate) {
        uint32_t high = r->str_high_surrogate;
        r->str_high_surrogate = 0;
        if (unit >= 0xDC00 && unit <= 0xDFFF)
            return str_push_codepoint(r, 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), err);
        if ((rc = str_push_codepoint(r, 0xFFFD, err)))
            return rc;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
        r->str_high_surrogate = unit;
        return 0;
    }
    if (unit >= 0xDC00 && unit <= 0xDFFF)
        unit = 0xFFFD;
    return str_push_codepoint(r, unit, err);
}

static int flush_surrogate(lt_reader *r, lt_error *err)
{
    if (!r->str_high_surrogate)
        return 0;
    r->str_high_surrogate = 0;
    return str_push_codepoint(r, 0xFFFD, err);
}

static int str_escape(lt_reader *r, char c, uint64_t at, lt_error *err)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *hit = strchr(from, c);
    if (c == 'u') {
        r->str_hex = 0;
        r->str_hex_len = 4;
        return 0;
    }
    if (!hit || !c)
        return lt_reader_fail(r, err, LT_EINPUT, "strings[%u]: invalid escape \\%c at byte %llu",
                              r->graph->string_count, (c >= 32 && c < 127) ? c : '?', (unsigned long long)at);
    int rc = flush_surrogate(r, err);
    return rc ? rc : str_push(r, &to[hit - from], 1, err);
}

static int str_hex_digit(lt_reader *r, char c, uint64_t at, lt_error *err)
{
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
        return lt_reader_fail(r, err, LT_EINPUT, "strings[%u]: invalid \\u escape at byte %llu", r->graph->string_count,
                              (unsigned long long)at);
    r->str_hex = r->str_hex << 4 | (unsigned)d;
    return --r->str_hex_len ? 0 : str_unit(r, r->str_hex, err);
}

/* Replaces r->str by its repair when it is not valid UTF-8. */
static int repair_string(lt_reader *r, lt_error *err)
{
    if (lt_utf8_valid(r->str, r->str_len))
        return 0;
    int rc = lt_reader_check_budget(r, r->node_count, r->edge_count, 2 * r->str_len, err);
    if (rc)
        return rc;
    size_t cap = 3 * r->str_len;
    char *fixed = malloc(cap);
    if (!fixed)
        return lt_reader_fail(r, err, LT_ENOMEM, "out of memory repairing string %u", r->graph->string_count);
    r->str_len = lt_utf8_repair(r->str, r->str_len, fixed);
    free(r->str);
    r->str = fixed;
    r->str_cap = cap;
    return 0;
}

static int end_string(lt_reader *r, lt_error *err)
{
    int rc = flush_surrogate(r, err);
    if (!rc)
        rc = repair_string(r, err);
    if (!rc)
        rc = lt_reader_check_budget(r, r->node_count, r->edge_count, 0, err);
    if (rc)
        return rc;
    int64_t added = lt_graph_add_string(r->graph, r->str ? r->str : "", r->str_len);
    if (added == LT_ELIMIT)
        return lt_reader_fail(r, err, LT_ELIMIT, "more than 2^32-2 strings");
    if (added < 0)
        return lt_reader_fail(r, err, LT_ENOMEM, "out of memory storing string %u", r->graph->string_count);
    r->str_len = 0;
    r->str_need_comma = true;
    r->state = S_STRINGS;
    return 0;
}

int lt_reader_feed_string(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err)
{
    size_t i = 0;
    int rc = 0;
    while (i < n && !rc) {
        if (r->str_hex_len) {
            rc = str_hex_digit(r, buf[i], r->offset + i, err);
            i++;
        } else if (r->str_escape) {
            r->str_escape = false;
            rc = str_escape(r, buf[i], r->offset + i, err);
            i++;
        } else {
            size_t j = i;
            while (j < n && buf[j] != '"' && buf[j] != '\\')
                j++;
            if (j > i && !(rc = flush_surrogate(r, err)))
                rc = str_push(r, buf + i, j - i, err);
            if (rc || j == n) {
                i = j;
                break;
            }
            i = j + 1;
            if (buf[j] == '\\')
                r->str_escape = true;
            else {
                *used = i;
                return end_string(r, err);
            }
        }
    }
    *used = i;
    return rc;
}

int lt_reader_feed_strings(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (lt_reader_is_ws(c))
            continue;
        uint64_t at = r->offset + i;
        if (c == '"' && !r->str_need_comma) {
            r->state = S_STRING;
            *used = i + 1;
            return 0;
        }
        if (c == ',' && r->str_need_comma) {
            r->str_need_comma = false;
        } else if (c == ']' && (r->str_need_comma || r->graph->string_count == 0)) {
            r->have_strings = true;
            r->state = S_NEXT;
            *used = i + 1;
            return 0;
        } else {
            return lt_reader_fail(r, err, LT_EINPUT, "strings[%u]: expected a string at byte %llu",
                                  r->graph->string_count, (unsigned long long)at);
        }
    }
    *used = n;
    return 0;
}
