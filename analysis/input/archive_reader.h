/* archive_reader: the libarchive backend of lt_input_stream. It owns the
 * struct archive and its read buffer, enables every filter and every format
 * but mtree (plus "raw" for a bare compressed file), picks the first
 * *.heapsnapshot entry (ignoring case, skipping macOS "._" files) and names
 * the format ("tar.gz", "zstd") in s->format. Internal to archive_input.c. */
#ifndef LT_ARCHIVE_READER_H
#define LT_ARCHIVE_READER_H

#include "input/input_stream.h"

/* Producer thread: decompresses s->src (seeking when it is a regular file)
 * and copies the chosen entry into the queue through lt_stream_room and
 * lt_stream_advance; sets s->format and s->entry. Returns 0 when the entry
 * was copied or the compressed data is empty, else a negative LT_E* code with
 * s->perr set: LT_EARCHIVE (damaged data, no *.heapsnapshot entry: the
 * message lists what the archive holds, unrecognised input, a format that
 * needs seeking from a pipe), LT_ENOMEM, or the source's or queue's code. */
int lt_archive_reader_run(struct lt_stream *s);

#endif
