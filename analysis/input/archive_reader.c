/* archive_reader.c: the libarchive backend, see archive_reader.h. */
#include "input/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LIST_MAX        10 /* entry names listed when none fits */
#define SNAPSHOT_SUFFIX ".heapsnapshot"

struct la_ctx { /* libarchive read callback state */
    struct lt_stream *s;
    unsigned char *buf;
};

struct name_list { /* entries seen while looking for a snapshot */
    char text[360];
    size_t len;
    unsigned listed, more;
};

static const struct {
    int code;
    const char *name, *ext;
} filter_names[] = {
    {ARCHIVE_FILTER_GZIP, "gzip", "gz"},
    {ARCHIVE_FILTER_BZIP2, "bzip2", "bz2"},
    {ARCHIVE_FILTER_COMPRESS, "compress", "Z"},
    {ARCHIVE_FILTER_LZMA, "lzma", "lzma"},
    {ARCHIVE_FILTER_XZ, "xz", "xz"},
    {ARCHIVE_FILTER_UU, "uu", "uu"},
    {ARCHIVE_FILTER_RPM, "rpm", "rpm"},
    {ARCHIVE_FILTER_LZIP, "lzip", "lz"},
    {ARCHIVE_FILTER_LRZIP, "lrzip", "lrz"},
    {ARCHIVE_FILTER_LZOP, "lzop", "lzo"},
    {ARCHIVE_FILTER_GRZIP, "grzip", "grz"},
    {ARCHIVE_FILTER_LZ4, "lz4", "lz4"},
    {ARCHIVE_FILTER_ZSTD, "zstd", "zst"},
};

static const struct {
    int code;
    const char *name;
} format_names[] = {
    {ARCHIVE_FORMAT_CPIO, "cpio"},       {ARCHIVE_FORMAT_SHAR, "shar"},   {ARCHIVE_FORMAT_TAR, "tar"},
    {ARCHIVE_FORMAT_ISO9660, "iso9660"}, {ARCHIVE_FORMAT_ZIP, "zip"},     {ARCHIVE_FORMAT_EMPTY, "empty"},
    {ARCHIVE_FORMAT_AR, "ar"},           {ARCHIVE_FORMAT_MTREE, "mtree"}, {ARCHIVE_FORMAT_RAW, "raw"},
    {ARCHIVE_FORMAT_XAR, "xar"},         {ARCHIVE_FORMAT_LHA, "lha"},     {ARCHIVE_FORMAT_CAB, "cab"},
    {ARCHIVE_FORMAT_RAR, "rar"},         {ARCHIVE_FORMAT_7ZIP, "7z"},     {ARCHIVE_FORMAT_WARC, "warc"},
    {ARCHIVE_FORMAT_RAR_V5, "rar"},
};

static int la_base_format(struct archive *a)
{
    return archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
}

/* Filter i's short name (ext: "gz") or long name ("gzip"); NULL for none. */
static const char *la_filter(struct archive *a, int i, bool ext)
{
    int code = archive_filter_code(a, i);
    if (code == ARCHIVE_FILTER_NONE)
        return NULL;
    for (size_t k = 0; k < sizeof filter_names / sizeof filter_names[0]; k++)
        if (filter_names[k].code == code)
            return ext ? filter_names[k].ext : filter_names[k].name;
    return "filtered";
}

/* "tar.gz", "zip", "zstd" (a raw compressed file), "xz" (empty). */
static void la_name_format(struct archive *a, char *out, size_t n)
{
    int base = la_base_format(a), count = archive_filter_count(a);
    bool bare = base == ARCHIVE_FORMAT_RAW || base == ARCHIVE_FORMAT_EMPTY;
    size_t len = 0;
    out[0] = '\0';
    for (size_t k = 0; !bare && k < sizeof format_names / sizeof format_names[0]; k++)
        if (format_names[k].code == base)
            len = (size_t)snprintf(out, n, "%s", format_names[k].name);
    for (int i = 0; i < count && len < n; i++) {
        const char *f = la_filter(a, i, !bare);
        if (f)
            len += (size_t)snprintf(out + len, n - len, "%s%s", len ? (bare ? "+" : ".") : "", f);
    }
    if (out[0] == '\0')
        snprintf(out, n, "%s", bare ? "raw" : "archive");
}

/* Error from libarchive, or the source's own error when reading failed. */
static int la_fail(struct lt_stream *s, struct archive *a, const char *what)
{
    const char *msg = archive_error_string(a);
    if (s->perr.code != 0)
        return s->perr.code;
    if (s->format[0] == '\0' && archive_format(a) != 0)
        la_name_format(a, s->format, sizeof s->format);
    if (!msg)
        msg = "unknown libarchive error";
    return lt_error_set(&s->perr, LT_EARCHIVE, "%s (%s) near compressed byte %llu of %s: %s%s", what,
                        s->format[0] ? s->format : "unknown format", (unsigned long long)s->src.pos, s->src.label, msg,
                        !s->src.regular && strstr(msg, "seek") ? " (this format needs a regular file, not a pipe)"
                                                               : "");
}

static la_ssize_t la_read(struct archive *a, void *ud, const void **buf)
{
    struct la_ctx *c = ud;
    ssize_t got = lt_input_source_read(&c->s->src, c->buf, LT_STREAM_IN_SIZE, &c->s->perr);
    if (got < 0) {
        archive_set_error(a, EIO, "%s", c->s->perr.message);
        return ARCHIVE_FATAL;
    }
    *buf = c->buf;
    return got;
}

static la_int64_t la_seek(struct archive *a, void *ud, la_int64_t offset, int whence)
{
    struct la_ctx *c = ud;
    struct lt_input_source *src = &c->s->src;
    int64_t base = whence == SEEK_CUR ? (int64_t)src->pos : whence == SEEK_END ? (int64_t)src->size : 0;
    if (base + offset < 0) {
        archive_set_error(a, EINVAL, "seek before the start of the input");
        return ARCHIVE_FATAL;
    }
    if (lt_input_source_seek(src, (uint64_t)(base + offset), &c->s->perr) != 0) {
        archive_set_error(a, EIO, "%s", c->s->perr.message);
        return ARCHIVE_FATAL;
    }
    return base + offset;
}

static void names_add(struct name_list *l, struct archive_entry *e)
{
    const char *name = archive_entry_pathname(e);
    if (archive_entry_filetype(e) == AE_IFDIR)
        return;
    if (!name)
        name = "(unnamed)";
    if (l->listed < LIST_MAX && l->len + strlen(name) + 3 < sizeof l->text) {
        l->len += (size_t)snprintf(l->text + l->len, sizeof l->text - l->len, "%s%s", l->listed ? ", " : "", name);
        l->listed++;
    } else {
        l->more++;
    }
}

static int la_no_snapshot(struct lt_stream *s, const struct name_list *l)
{
    if (s->want[0])
        return lt_error_set(&s->perr, LT_EARCHIVE, "archive (%s) %s holds no entry named '%s'; it holds: %s%s",
                            s->format, s->src.label, s->want, l->listed ? l->text : "no files",
                            l->more ? " and more" : "");
    if (l->listed == 0 && l->more == 0)
        return lt_error_set(&s->perr, LT_EARCHIVE, "archive (%s) %s holds no *.heapsnapshot file; it holds no files",
                            s->format, s->src.label);
    if (l->more == 0)
        return lt_error_set(&s->perr, LT_EARCHIVE, "archive (%s) %s holds no *.heapsnapshot file; it holds: %s",
                            s->format, s->src.label, l->text);
    return lt_error_set(&s->perr, LT_EARCHIVE, "archive (%s) %s holds no *.heapsnapshot file; it holds: %s and %u more",
                        s->format, s->src.label, l->text, l->more);
}

/* A regular file named *.heapsnapshot, not a macOS "._" resource fork. */
static bool la_is_snapshot(struct archive_entry *e)
{
    const char *name = archive_entry_pathname(e);
    size_t n = name ? strlen(name) : 0, k = strlen(SNAPSHOT_SUFFIX);
    if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) || n <= k)
        return false;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    return strncmp(base, "._", 2) != 0 && strncmp(name, "__MACOSX/", 9) != 0 &&
           strcasecmp(name + n - k, SNAPSHOT_SUFFIX) == 0;
}

/* The regular entry named exactly s->want. */
static bool la_is_wanted(const struct lt_stream *s, struct archive_entry *e)
{
    const char *name = archive_entry_pathname(e);
    return archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) && name && !strcmp(name, s->want);
}

/* A raw entry is the whole (decompressed) input; with no filter at all
 * libarchive recognised nothing. */
static int la_take_raw(struct lt_stream *s, struct archive *a)
{
    char hex[40];
    for (int i = 0; i < archive_filter_count(a); i++)
        if (archive_filter_code(a, i) != ARCHIVE_FILTER_NONE)
            return 0;
    s->format[0] = '\0';
    lt_input_source_hex_prefix(&s->src, hex, sizeof hex);
    return lt_error_set(&s->perr, LT_EARCHIVE,
                        "input %s is not a heap snapshot: unrecognised format (starts with "
                        "bytes %s; expected JSON, gzip, zstd, xz, bzip2, zip or tar)",
                        s->src.label, hex);
}

/* Positions a on the entry to deliver: 0, 1 when there is nothing to
 * deliver (compressed empty data), or an error. */
static int la_find_entry(struct lt_stream *s, struct archive *a)
{
    struct name_list names = {.len = 0};
    struct archive_entry *e;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        la_name_format(a, s->format, sizeof s->format);
        if (la_base_format(a) == ARCHIVE_FORMAT_RAW && s->want[0])
            return lt_error_set(&s->perr, LT_EARCHIVE, "input %s is not an archive, so it has no entry '%s'",
                                s->src.label, s->want);
        if (la_base_format(a) == ARCHIVE_FORMAT_RAW)
            return la_take_raw(s, a);
        if (s->want[0] ? la_is_wanted(s, e) : la_is_snapshot(e)) {
            snprintf(s->entry, sizeof s->entry, "%s", archive_entry_pathname(e));
            return 0;
        }
        names_add(&names, e);
        if (archive_read_data_skip(a) != ARCHIVE_OK)
            return la_fail(s, a, "damaged archive");
    }
    if (r != ARCHIVE_EOF)
        return la_fail(s, a, "damaged archive");
    la_name_format(a, s->format, sizeof s->format);
    return la_base_format(a) == ARCHIVE_FORMAT_EMPTY ? 1 : la_no_snapshot(s, &names);
}

static int la_copy(struct lt_stream *s, struct archive *a)
{
    for (;;) {
        char *p = NULL;
        size_t n = 0;
        int rc = lt_stream_room(s, &p, &n);
        if (rc != 0)
            return rc;
        la_ssize_t got = archive_read_data(a, p, n);
        if (got < 0)
            return la_fail(s, a, "damaged or truncated data");
        if (got == 0)
            return 0;
        lt_stream_advance(s, (size_t)got);
    }
}

/* Every read format except mtree: its bidder fails on long text lines such
 * as a one-line JSON snapshot ("Line too long", seen with lz4 in libarchive
 * 3.6), and an mtree manifest holds no file data anyway. */
static void la_support_formats(struct archive *a)
{
    archive_read_support_format_7zip(a);
    archive_read_support_format_ar(a);
    archive_read_support_format_cab(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_empty(a);
    archive_read_support_format_iso9660(a);
    archive_read_support_format_lha(a);
    archive_read_support_format_rar(a);
    archive_read_support_format_rar5(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_warc(a);
    archive_read_support_format_xar(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_raw(a);
}

static int la_open(struct lt_stream *s, struct archive *a, struct la_ctx *c)
{
    archive_read_support_filter_all(a);
    la_support_formats(a);
    if (s->src.regular)
        archive_read_set_seek_callback(a, la_seek);
    if (archive_read_open(a, c, NULL, la_read, NULL) != ARCHIVE_OK)
        return la_fail(s, a, "cannot read input");
    return 0;
}

static int la_run(struct lt_stream *s, struct archive *a, struct la_ctx *c)
{
    int rc = la_open(s, a, c);
    if (rc == 0)
        rc = la_find_entry(s, a);
    return rc == 0 ? la_copy(s, a) : rc > 0 ? 0 : rc;
}

/* Every header, storing the snapshot entries' names (see lt_archive_reader_list). */
static int la_list(struct lt_stream *s, struct archive *a, struct la_ctx *c, char (*names)[256], uint32_t max,
                   uint32_t *count)
{
    struct archive_entry *e;
    int r = la_open(s, a, c);
    if (r != 0)
        return r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        la_name_format(a, s->format, sizeof s->format);
        if (la_base_format(a) == ARCHIVE_FORMAT_RAW)
            return 0; /* a bare compressed file: no entries */
        if (la_is_snapshot(e) && *count < max)
            snprintf(names[*count], sizeof names[0], "%s", archive_entry_pathname(e));
        *count += la_is_snapshot(e);
        if (archive_read_data_skip(a) != ARCHIVE_OK)
            return la_fail(s, a, "damaged archive");
    }
    return r == ARCHIVE_EOF ? 0 : la_fail(s, a, "damaged archive");
}

/* Runs la_run, or la_list when count is set, with a fresh struct archive and read buffer. */
static int la_with_archive(struct lt_stream *s, char (*names)[256], uint32_t max, uint32_t *count)
{
    struct la_ctx c = {.s = s, .buf = malloc(LT_STREAM_IN_SIZE)};
    struct archive *a = archive_read_new();
    int rc = !c.buf || !a ? lt_error_set(&s->perr, LT_ENOMEM, "out of memory starting libarchive")
             : count      ? la_list(s, a, &c, names, max, count)
                          : la_run(s, a, &c);
    if (a)
        archive_read_free(a);
    free(c.buf);
    return rc;
}

int lt_archive_reader_run(struct lt_stream *s)
{
    return la_with_archive(s, NULL, 0, NULL);
}

int lt_archive_reader_list(struct lt_stream *s, char (*names)[256], uint32_t max, uint32_t *count)
{
    *count = 0;
    return la_with_archive(s, names, max, count);
}
