/* archive_input: turns a file (or standard input) in any supported container
 * into a stream of uncompressed heap-snapshot bytes pushed to a sink.
 *
 * Supported: a plain .heapsnapshot; gzip (fast path through ISA-L, multi-member
 * aware); zstd, xz, bzip2 and anything else libarchive's filters read; zip and tar
 * (compressed or not) holding a *.heapsnapshot entry (the first one is used,
 * or one named by the caller; the entries can be listed).
 * Nothing is held whole in memory and nothing uncompressed is written to disk:
 * decompression runs on its own thread, a bounded queue of buffers hands the
 * bytes to the caller's thread, where the sink runs. */
#ifndef LT_ARCHIVE_INPUT_H
#define LT_ARCHIVE_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "lt_error.h"

/* Receives the next len bytes of the uncompressed snapshot, in order, on the
 * thread that called lt_input_stream. Returns 0 to go on, or a negative LT_E*
 * code (with err filled in) to stop: lt_input_stream then returns that code. */
typedef int (*lt_input_sink)(void *ctx, const char *buf, size_t len, lt_error *err);

/* Optional progress: compressed bytes consumed so far and the input's total
 * size (0 when unknown, e.g. a pipe). Called on the caller's thread. */
typedef void (*lt_input_progress)(void *ctx, uint64_t consumed, uint64_t total);

typedef struct lt_input_info {
    char format[64];             /* e.g. "gzip", "zip", "tar.xz", "plain" */
    char entry[256];             /* archive entry used, "" when not an archive */
    uint64_t compressed_bytes;   /* bytes read from the file */
    uint64_t uncompressed_bytes; /* bytes handed to the sink */
} lt_input_info;

/* Streams path ("-" = standard input) to sink, in pieces of at most 2 MiB
 * split anywhere. Returns 0 when the whole input was delivered, else a
 * negative LT_E* code with err set: LT_EIO (cannot open or read), LT_EINPUT
 * (empty, or nothing left once decompressed), LT_EARCHIVE (damaged/truncated
 * compressed data; an archive with no *.heapsnapshot entry: the message lists
 * what the archive holds; 7z and other formats that need seeking from a pipe),
 * LT_ENOMEM, LT_EUSAGE (NULL path or sink), or the sink's own code. The entry
 * match ignores case and skips macOS "._" files. info (may be NULL) is filled
 * in either way: format "" when unrecognised, compressed_bytes = how far into
 * the file reading got. */
int lt_input_stream(const char *path, lt_input_sink sink, lt_input_progress progress, void *ctx, lt_input_info *info,
                    lt_error *err);

/* As lt_input_stream, but delivers the archive entry named exactly entry
 * (a regular file; case matters) instead of the first *.heapsnapshot; entry
 * NULL or "" is lt_input_stream. An input that is not an archive, or an
 * archive without that entry, is LT_EARCHIVE (the message lists what the
 * archive holds). */
int lt_input_stream_entry(const char *path, const char *entry, lt_input_sink sink, lt_input_progress progress,
                          void *ctx, lt_input_info *info, lt_error *err);

/* Limits on what decompression may produce (0: none). The ratio counts only
 * once ratio_from bytes came out, so small files of high ratio pass. */
typedef struct lt_input_limits {
    uint64_t max_bytes;  /* decompressed bytes */
    uint32_t max_ratio;  /* decompressed bytes per compressed byte */
    uint64_t ratio_from; /* decompressed bytes before max_ratio applies */
} lt_input_limits;

/* 0 when `delivered` decompressed bytes out of `compressed` input bytes (the
 * whole file's size when known) are within l; else LT_ELIMIT with err set. */
int lt_input_check_limits(const lt_input_limits *l, uint64_t delivered, uint64_t compressed, lt_error *err);

#define LT_INPUT_ENTRY_MAX 256 /* bytes of an entry name, NUL included */

/* Lists the *.heapsnapshot entries of the archive at path (the ones
 * lt_input_stream would consider; macOS "._" files skipped), in archive
 * order: the first max names go into names, *count says how many there are
 * (it may exceed max). Input that is not an archive (a plain or bare
 * compressed snapshot) has none: 0 with *count = 0; so has anything but a
 * regular file ("-", a pipe: listing would consume it). Reads the headers
 * only (a compressed tar is still decompressed to skip its entries). Returns
 * 0, or LT_EIO, LT_EINPUT (empty), LT_EARCHIVE (damaged), LT_ENOMEM or
 * LT_EUSAGE (NULL path), with err set. */
int lt_input_list_snapshots(const char *path, char (*names)[LT_INPUT_ENTRY_MAX], uint32_t max, uint32_t *count,
                            lt_error *err);

#endif
