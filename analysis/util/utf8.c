/* utf8.c: see utf8.h. */
#include "util/utf8.h"

#include <stdio.h>
#include <string.h>

/* The allowed range of the second byte after lead byte b, and the length. */
static size_t lead_info(unsigned char b, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF) {
        *lo = b == 0xE0 ? 0xA0 : 0x80;
        *hi = b == 0xED ? 0x9F : 0xBF;
        return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        *lo = b == 0xF0 ? 0x90 : 0x80;
        *hi = b == 0xF4 ? 0x8F : 0xBF;
        return 4;
    }
    return 0;
}

size_t lt_utf8_char(const unsigned char *p, size_t n, size_t *bad)
{
    unsigned char lo, hi;
    *bad = 1;
    if (p[0] < 0x80)
        return 1;
    size_t len = lead_info(p[0], &lo, &hi);
    if (!len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (i >= n || p[i] < lo || p[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return len;
}

bool lt_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, bad;
    while (i < n) {
        while (i < n && p[i] < 0x80)
            i++;
        if (i == n)
            break;
        size_t len = lt_utf8_char(p + i, n - i, &bad);
        if (!len)
            return false;
        i += len;
    }
    return true;
}

size_t lt_utf8_repair(const char *s, size_t n, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0, bad;
    while (i < n) {
        size_t len = lt_utf8_char(p + i, n - i, &bad);
        if (len) {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += bad;
        }
    }
    return o;
}

/* The text one character of src stands for in a clean message; returns its
 * length in out (at most 6 bytes) and sets *used. */
static size_t clean_char(const unsigned char *p, size_t n, char out[8], size_t *used)
{
    size_t bad, len = lt_utf8_char(p, n, &bad);
    *used = len ? len : bad;
    if (!len) {
        memcpy(out, "\xEF\xBF\xBD", 3);
        return 3;
    }
    if (p[0] == '\n' || p[0] == '\t' || p[0] == '\r') {
        out[0] = '\\';
        out[1] = p[0] == '\n' ? 'n' : p[0] == '\t' ? 't' : 'r';
        return 2;
    }
    if (p[0] < 0x20 || p[0] == 0x7F)
        return (size_t)snprintf(out, 8, "\\x%02x", p[0]);
    memcpy(out, p, len);
    return len;
}

static bool has_controls(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return true;
    return false;
}

void lt_text_clean(char *buf, size_t cap)
{
    size_t n = strlen(buf);
    if (!cap || (lt_utf8_valid(buf, n) && !has_controls(buf, n)))
        return;
    char copy[1024], piece[8];
    size_t src_len = n < sizeof copy ? n : sizeof copy - 1, o = 0, used;
    memcpy(copy, buf, src_len);
    for (size_t i = 0; i < src_len; i += used) {
        size_t len = clean_char((const unsigned char *)copy + i, src_len - i, piece, &used);
        if (o + len + 1 > cap)
            break;
        memcpy(buf + o, piece, len);
        o += len;
    }
    buf[o] = '\0';
}
