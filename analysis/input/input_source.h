/* input_source: reads the input file or standard input for the decoders,
 * keeping its first LT_INPUT_SOURCE_SNIFF_MAX bytes (the prefix) in memory so
 * the format can be sniffed and the prefix then replayed: no decoder needs to
 * seek, and a pipe works like a file. Internal to archive_input.c and its
 * backends.
 *
 * A struct lt_input_source is caller-allocated and zero-filled; the caller
 * sets `cancel` before reading from a pipe. After open and fill_prefix only
 * one thread at a time may use it (the producer, once it is started). */
#ifndef LT_INPUT_SOURCE_H
#define LT_INPUT_SOURCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lt_error.h"

#define LT_INPUT_SOURCE_SNIFF_MAX (256u * 1024u) /* prefix kept to pick a backend */

struct lt_input_source {
    int fd;
    bool own_fd;     /* close fd when done (not for stdin) */
    bool regular;    /* regular file: no poll, size known */
    bool fd_eof;     /* read(2) has returned 0 */
    char label[300]; /* "'path'" or "standard input", for messages */
    unsigned char *prefix;
    size_t prefix_len, prefix_pos;
    uint64_t size;             /* st_size of a regular file, else 0 */
    uint64_t fd_off;           /* offset of the fd (prefix included) */
    uint64_t fd_reach;         /* furthest fd offset read: info's compressed_bytes */
    uint64_t pos;              /* offset of the next byte lt_input_source_read hands out */
    uint64_t total;            /* furthest offset handed out: progress, messages */
    const atomic_bool *cancel; /* set: a blocked pipe read gives up (not owned) */
};

/* Opens path ("-" = standard input, not closed later) and fills in label,
 * regular and size. Returns 0, or LT_EIO with err set (nothing to close). */
int lt_input_source_open(struct lt_input_source *src, const char *path, lt_error *err);

/* Closes the fd if src opened it and frees the prefix. Safe after a failed
 * lt_input_source_fill_prefix. */
void lt_input_source_close(struct lt_input_source *src);

/* Reads the prefix (up to LT_INPUT_SOURCE_SNIFF_MAX bytes, less only at end
 * of input). Returns 0; LT_EINPUT when the input is empty; LT_EIO,
 * LT_ECANCELLED or LT_ENOMEM with err set. */
int lt_input_source_fill_prefix(struct lt_input_source *src, lt_error *err);

/* Decoder-side read of up to n bytes into buf: replays the prefix, then reads
 * the fd (waiting on a pipe until readable or cancelled). Returns the count,
 * 0 at end of input, or a negative LT_EIO / LT_ECANCELLED with err set. */
ssize_t lt_input_source_read(struct lt_input_source *src, void *buf, size_t n, lt_error *err);

/* Regular files only (libarchive's 7z and seekable zip readers): moves the
 * read position to `to`, replaying the prefix when `to` falls inside it.
 * Returns 0, or LT_EIO with err set. */
int lt_input_source_seek(struct lt_input_source *src, uint64_t to, lt_error *err);

/* True when lt_input_source_read can only return 0 from now on. */
bool lt_input_source_exhausted(const struct lt_input_source *src);

/* Writes the first few bytes of the input as hex ("50 4b 03 04") into out
 * (n bytes, always terminated), for messages about unknown formats. */
void lt_input_source_hex_prefix(const struct lt_input_source *src, char *out, size_t n);

#endif
