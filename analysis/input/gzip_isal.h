/* gzip_isal: the fast gzip backend of lt_input_stream, through ISA-L's
 * inflate. It owns the inflate state and its compressed-input buffer, handles
 * multi-member files and zero padding after the last member, and reports
 * damage with the compressed offset. Internal to archive_input.c. */
#ifndef LT_GZIP_ISAL_H
#define LT_GZIP_ISAL_H

#include <stddef.h>

#include "input/input_stream.h"

/* Whether a gzip prefix buf[0..len) inflates to JSON: 1 when its first
 * non-blank byte is '{' or cannot be told (the ISA-L path then reports the
 * damage), 0 when it is something else (a tar, say), LT_ENOMEM (no err set). */
int lt_gzip_isal_holds_json(const unsigned char *buf, size_t len);

/* Producer thread: inflates s->src into the queue through lt_stream_room and
 * lt_stream_advance. Returns 0 at the clean end of the input, else a negative
 * LT_E* code with s->perr set (LT_EARCHIVE for corrupt, truncated or trailing
 * data; LT_ENOMEM; the source's or queue's own code). */
int lt_gzip_isal_run(struct lt_stream *s);

#endif
