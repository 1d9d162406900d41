/* archive_input.c: lt_input_stream(), see archive_input.h. This file sniffs
 * the format, runs the producer thread and the consumer loop; the parts live
 * in byte_queue.c (the ring), input_source.c (reading with a replayable
 * prefix), input_stream.c (the producer's writer into the ring), gzip_isal.c
 * and archive_reader.c (the backends), sharing the internal header
 * input_stream.h.
 *
 * DESIGN
 * - The caller's thread opens the input and reads its first
 *   LT_INPUT_SOURCE_SNIFF_MAX bytes (the prefix) into memory. The prefix
 *   picks a backend: first non-blank byte '{' -> plain pass-through; gzip
 *   magic whose inflated start is '{' -> ISA-L; anything else (incl.
 *   .tar.gz) -> libarchive with every filter and every format but mtree,
 *   plus "raw". No backend needs to seek: all read through struct
 *   lt_input_source, which replays the saved prefix and then carries on with
 *   read(2), so a pipe on standard input works like a file. For a regular
 *   file libarchive also gets a seek callback (7z needs one; zip then uses
 *   its central directory).
 * - One producer thread runs the backend and writes straight into the slots
 *   of a bounded ring (LT_BYTE_QUEUE_SLOTS buffers of
 *   LT_BYTE_QUEUE_SLOT_SIZE). The caller's thread pops full slots, runs sink
 *   and progress on them, then hands them back.
 * - A failing sink sets the queue's cancel flag; the producer notices it when
 *   it next wants a slot or while it waits on a pipe, stops, and is joined. A
 *   failing producer flushes what it made, records its status and error and
 *   marks the queue done; the consumer delivers the rest, then returns it.
 * - What the producer writes outside the queue (status, perr, format, entry,
 *   source counters) is read by the caller only after pthread_join.
 * No global mutable state: everything lives in one struct lt_stream per call. */
#include "input/archive_input.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input/archive_reader.h"
#include "input/byte_queue.h"
#include "input/gzip_isal.h"
#include "input/input_source.h"
#include "input/input_stream.h"

static int nomem(lt_error *err, const char *what)
{
    return lt_error_set(err, LT_ENOMEM, "out of memory %s", what);
}

/* ----------------------------------------------------------------- plain */

static int run_plain(struct lt_stream *s)
{
    for (;;) {
        char *p = NULL;
        size_t n = 0;
        ssize_t got;
        int rc = lt_stream_room(s, &p, &n);
        if (rc != 0)
            return rc;
        if ((got = lt_input_source_read(&s->src, p, n, &s->perr)) <= 0)
            return (int)got;
        lt_stream_advance(s, (size_t)got);
    }
}

/* -------------------------------------------------------------- threads */

static void *producer_main(void *arg)
{
    struct lt_stream *s = arg;
    int rc;
    if (s->backend == LT_STREAM_PLAIN)
        rc = run_plain(s);
    else if (s->backend == LT_STREAM_ISAL)
        rc = lt_gzip_isal_run(s);
    else
        rc = lt_archive_reader_run(s);
    lt_stream_flush(s); /* deliver what came before an error, too */
    s->status = rc;
    lt_byte_queue_finish(&s->q);
    return NULL;
}

static int sink_failed(int rc, lt_error *err)
{
    if (err && err->code == 0)
        lt_error_set(err, rc, "the snapshot consumer stopped reading (%s)", lt_strerror(rc));
    return rc;
}

/* Caller's thread: hands every full slot to sink until the producer is done. */
static int consume(struct lt_stream *s, lt_input_sink sink, lt_input_progress progress, void *ctx, lt_error *err,
                   uint64_t *delivered)
{
    struct lt_byte_queue_slot *sl;
    while ((sl = lt_byte_queue_pop(&s->q)) != NULL) {
        int rc = sink(ctx, sl->data, sl->len, err);
        if (rc != 0)
            return sink_failed(rc, err);
        *delivered += sl->len;
        if (progress)
            progress(ctx, sl->consumed, s->src.size);
        lt_byte_queue_release(&s->q);
    }
    return 0;
}

static int stream_run(struct lt_stream *s, lt_input_sink sink, lt_input_progress progress, void *ctx, lt_error *err,
                      uint64_t *delivered)
{
    char eb[128]; /* for strerror_r, the GNU variant (-D_GNU_SOURCE) */
    int rc = pthread_create(&s->thread, NULL, producer_main, s);
    if (rc != 0)
        return lt_error_set(err, LT_ENOMEM, "out of memory or threads starting the decompression thread: %s",
                            strerror_r(rc, eb, sizeof eb));
    rc = consume(s, sink, progress, ctx, err, delivered);
    if (rc != 0)
        lt_byte_queue_cancel(&s->q);
    pthread_join(s->thread, NULL);
    if (rc == 0 && s->status != 0) {
        rc = s->status;
        if (err)
            *err = s->perr;
    } else if (rc == 0 && *delivered == 0) {
        rc = lt_error_set(err, LT_EINPUT, "input %s holds no data once decompressed (%s)", s->src.label, s->format);
    }
    return rc;
}

/* ------------------------------------------------------------ lifecycle */

static int stream_new(struct lt_stream **out, const char *path, lt_error *err)
{
    struct lt_stream *s = calloc(1, sizeof *s);
    int rc;
    if (!s)
        return nomem(err, "opening the input");
    if ((rc = lt_byte_queue_init(&s->q, err)) != 0)
        goto fail_free;
    s->src.cancel = &s->q.cancel;
    if ((rc = lt_input_source_open(&s->src, path, err)) != 0)
        goto fail_queue;
    if ((rc = lt_input_source_fill_prefix(&s->src, err)) != 0)
        goto fail_src;
    *out = s;
    return 0;
fail_src:
    lt_input_source_close(&s->src);
fail_queue:
    lt_byte_queue_destroy(&s->q);
fail_free:
    free(s);
    return rc;
}

static void stream_free(struct lt_stream *s)
{
    lt_input_source_close(&s->src);
    lt_byte_queue_destroy(&s->q);
    free(s);
}

/* Picks the backend from the prefix (see DESIGN). */
static int choose_backend(struct lt_stream *s, lt_error *err)
{
    const unsigned char *p = s->src.prefix;
    size_t n = s->src.prefix_len, i = lt_stream_skip_blanks(p, n);
    s->backend = LT_STREAM_ARCHIVE;
    if (i < n && p[i] == '{') {
        s->backend = LT_STREAM_PLAIN;
        snprintf(s->format, sizeof s->format, "plain");
    } else if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
        int json = lt_gzip_isal_holds_json(p, n);
        if (json < 0)
            return nomem(err, "sniffing gzip data");
        if (json) {
            s->backend = LT_STREAM_ISAL;
            snprintf(s->format, sizeof s->format, "gzip");
        }
    }
    return 0;
}

static void info_fill(lt_input_info *info, const struct lt_stream *s, uint64_t delivered)
{
    if (!info)
        return;
    snprintf(info->format, sizeof info->format, "%s", s->format);
    snprintf(info->entry, sizeof info->entry, "%s", s->entry);
    info->compressed_bytes = s->src.fd_reach;
    info->uncompressed_bytes = delivered;
}

int lt_input_stream(const char *path, lt_input_sink sink, lt_input_progress progress, void *ctx, lt_input_info *info,
                    lt_error *err)
{
    return lt_input_stream_entry(path, NULL, sink, progress, ctx, info, err);
}

/* A named entry is in an archive: libarchive, whatever the prefix looks like. */
static int choose_entry(struct lt_stream *s, const char *entry, lt_error *err)
{
    if (strlen(entry) >= sizeof s->want)
        return lt_error_set(err, LT_EUSAGE, "archive entry name longer than %zu bytes", sizeof s->want - 1);
    snprintf(s->want, sizeof s->want, "%s", entry);
    s->backend = LT_STREAM_ARCHIVE;
    return 0;
}

int lt_input_stream_entry(const char *path, const char *entry, lt_input_sink sink, lt_input_progress progress,
                          void *ctx, lt_input_info *info, lt_error *err)
{
    struct lt_stream *s = NULL;
    uint64_t delivered = 0;
    int rc;
    lt_error_clear(err);
    if (info)
        memset(info, 0, sizeof *info);
    if (!path || !sink)
        return lt_error_set(err, LT_EUSAGE, "lt_input_stream needs a path and a sink");
    if ((rc = stream_new(&s, path, err)) != 0)
        return rc;
    rc = entry && *entry ? choose_entry(s, entry, err) : choose_backend(s, err);
    if (rc == 0)
        rc = stream_run(s, sink, progress, ctx, err, &delivered);
    info_fill(info, s, delivered);
    stream_free(s);
    return rc;
}

int lt_input_list_snapshots(const char *path, char (*names)[LT_INPUT_ENTRY_MAX], uint32_t max, uint32_t *count,
                            lt_error *err)
{
    struct lt_stream *s = NULL;
    lt_error_clear(err);
    *count = 0;
    struct stat st;
    if (!path)
        return lt_error_set(err, LT_EUSAGE, "lt_input_list_snapshots needs a path");
    if (!strcmp(path, "-") || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))
        return 0; /* reading a pipe's headers would consume it */
    int rc = stream_new(&s, path, err);
    if (rc != 0)
        return rc;
    if ((rc = choose_backend(s, err)) == 0 && s->backend == LT_STREAM_ARCHIVE &&
        (rc = lt_archive_reader_list(s, names, max, count)) != 0 && err)
        *err = s->perr;
    stream_free(s);
    return rc;
}

/* ------------------------------------------------------------ limits */

int lt_input_check_limits(const lt_input_limits *l, uint64_t delivered, uint64_t compressed, lt_error *err)
{
    if (l->max_bytes && delivered > l->max_bytes)
        return lt_error_set(err, LT_ELIMIT,
                            "the snapshot decompresses to more than %llu bytes, the limit (--max-snapshot-bytes)",
                            (unsigned long long)l->max_bytes);
    if (l->max_ratio && compressed && delivered > l->ratio_from && delivered / compressed > l->max_ratio)
        return lt_error_set(err, LT_ELIMIT,
                            "the input decompresses more than %u-fold (%llu bytes became over %llu), the limit for "
                            "inputs past %llu MiB decompressed: a compression bomb?",
                            l->max_ratio, (unsigned long long)compressed, (unsigned long long)delivered,
                            (unsigned long long)(l->ratio_from >> 20));
    return 0;
}
