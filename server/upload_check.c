/* upload_check: what an upload's first bytes are, and whether a label is acceptable.
 * Pure functions over bytes (no I/O, no allocation); see upload.h. */
#include <stdio.h>
#include <string.h>

#include "upload.h"

/* A format by its magic bytes at an offset. */
typedef struct magic {
    size_t at;
    const char *bytes;
    size_t len;
    const char *name; /* NULL: a format the reader takes */
} magic;

static const magic magics[] = {
    {0, "\x1f\x8b", 2, NULL},         /* gzip */
    {0, "\x28\xb5\x2f\xfd", 4, NULL}, /* zstd */
    {0,
     "\xfd"
     "7zXZ\0",
     6, NULL},                          /* xz */
    {0, "BZh", 3, NULL},                /* bzip2 */
    {0, "\x04\x22\x4d\x18", 4, NULL},   /* lz4 frame */
    {0, "PK\x03\x04", 4, NULL},         /* zip */
    {257, "ustar", 5, NULL},            /* tar */
    {0, "7z\xbc\xaf\x27\x1c", 6, NULL}, /* 7z */
    {0, "\x89PNG", 4, "a PNG image"},
    {0, "\xff\xd8\xff", 3, "a JPEG image"},
    {0, "GIF8", 4, "a GIF image"},
    {0, "%PDF", 4, "a PDF document"},
    {0,
     "\x7f"
     "ELF",
     4, "an ELF executable"},
    {0, "PK\x05\x06", 4, "an empty zip archive"},
    {0, "Rar!", 4, "a RAR archive"},
};

/* Skips a UTF-8 byte order mark and JSON white space from i. */
static size_t skip_space(const unsigned char *p, size_t n, size_t i)
{
    if (i == 0 && n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i;
}

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 when it is not one. */
static size_t utf8_length(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80                    ? 1
                 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2
                 : p[0] >= 0xe0 && p[0] <= 0xef ? 3
                 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
                                                : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) || (p[0] == 0xf0 && p[1] < 0x90) ||
        (p[0] == 0xf4 && p[1] > 0x8f))
        return 0; /* overlong, a surrogate, or past U+10FFFF */
    return len;
}

/* 1 when the bytes are UTF-8 text (a sequence cut at the end of a sniffed head counts). */
static int is_text(const unsigned char *p, size_t n, int cut_ok)
{
    for (size_t i = 0; i < n;) {
        size_t len = utf8_length(p + i, n - i);
        if (len == 0)
            return cut_ok && n - i < 4 && p[i] >= 0xc2;
        if (len == 1 && p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return 0;
        i += len;
    }
    return 1;
}

/* Describes what JSON or text that is not a snapshot is. */
static void describe_text(const unsigned char *p, size_t n, size_t i, char *found, size_t len)
{
    if (i < n && p[i] == '{')
        snprintf(found, len, "JSON that does not start with {\"snapshot\"");
    else if (i < n && p[i] == '[')
        snprintf(found, len, "a JSON array");
    else if (i < n && p[i] == '<')
        snprintf(found, len, "HTML or XML");
    else
        snprintf(found, len, "text");
}

int lt_upload_sniff(const unsigned char *p, size_t n, char *found, size_t len)
{
    for (size_t m = 0; m < sizeof magics / sizeof magics[0]; m++) {
        if (n < magics[m].at + magics[m].len || memcmp(p + magics[m].at, magics[m].bytes, magics[m].len))
            continue;
        if (magics[m].name)
            snprintf(found, len, "%s", magics[m].name);
        return magics[m].name == NULL;
    }
    size_t i = skip_space(p, n, 0);
    if (i < n && p[i] == '{') {
        size_t k = skip_space(p, n, i + 1);
        if (n - k >= 10 && !memcmp(p + k, "\"snapshot\"", 10))
            return 1;
    }
    if (is_text(p, n, n >= LT_UPLOAD_SNIFF_BYTES)) {
        describe_text(p, n, i, found, len);
        return 0;
    }
    snprintf(found, len, "binary data of an unknown format (it starts with");
    for (size_t b = 0; b < 4 && b < n; b++) {
        size_t at = strlen(found);
        snprintf(found + at, len - at, " %02x", p[b]);
    }
    size_t at = strlen(found);
    snprintf(found + at, len - at, ")");
    return 0;
}

const char *lt_upload_label_problem(const char *value, size_t n)
{
    const unsigned char *p = (const unsigned char *)value;
    if (n > LT_API_LABEL_MAX)
        return "is longer than " LT_STR(LT_API_LABEL_MAX) " bytes";
    for (size_t i = 0; i < n;) {
        size_t len = utf8_length(p + i, n - i);
        if (len == 0)
            return "is not valid UTF-8";
        if (p[i] < 0x20 || p[i] == 0x7f || (p[i] == 0xc2 && p[i + 1] < 0xa0))
            return "contains a control character";
        i += len;
    }
    return NULL;
}
