/* archive_reader: the libarchive backend of lt_input_stream. It owns the
 * struct archive and its read buffer, enables every filter and every format
 * but mtree (plus "raw" for a bare compressed file), picks the first
 * *.heapsnapshot entry (ignoring case, skipping macOS "._" files), or the
 * entry named exactly s->want when that is set, and names the format
 * ("tar.gz", "zstd") in s->format. It also lists an archive's snapshot
 * entries. Internal to archive_input.c. */
#ifndef LT_ARCHIVE_READER_H
#define LT_ARCHIVE_READER_H

#include <stdint.h>

#include "input/input_stream.h"

/* Producer thread: decompresses s->src (seeking when it is a regular file)
 * and copies the chosen entry into the queue through lt_stream_room and
 * lt_stream_advance; sets s->format and s->entry. Returns 0 when the entry
 * was copied or the compressed data is empty, else a negative LT_E* code with
 * s->perr set: LT_EARCHIVE (damaged data, no *.heapsnapshot entry: the
 * message lists what the archive holds, unrecognised input, a format that
 * needs seeking from a pipe), LT_ENOMEM, or the source's or queue's code. */
int lt_archive_reader_run(struct lt_stream *s);

/* Caller's thread, no queue: reads the headers of s->src (opened, prefix
 * filled) and stores the names of its *.heapsnapshot entries, in archive
 * order, into names[0..max) (cut to 255 bytes); *count is how many there are
 * (may exceed max). A bare compressed file or plain input lists none. Returns
 * 0, or LT_EARCHIVE (damaged), LT_ENOMEM, or the source's code, with s->perr
 * set. */
int lt_archive_reader_list(struct lt_stream *s, char (*names)[256], uint32_t max, uint32_t *count);

#endif
