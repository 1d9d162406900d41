/* input_stream.h: INTERNAL to input/ (archive_input.c, input_stream.c,
 * gzip_isal.c, archive_reader.c); nothing else includes it. It holds the
 * per-call state of lt_input_stream (see the DESIGN comment in
 * archive_input.c) and the producer-side writer (input_stream.c) every backend
 * uses to put uncompressed bytes into the queue. */
#ifndef LT_INPUT_STREAM_H
#define LT_INPUT_STREAM_H

#include <pthread.h>
#include <stddef.h>

#include "input/byte_queue.h"
#include "input/input_source.h"
#include "lt_error.h"

#define LT_STREAM_IN_SIZE (1u << 20) /* compressed read size of the backends */

enum lt_stream_backend { LT_STREAM_PLAIN, LT_STREAM_ISAL, LT_STREAM_ARCHIVE };

struct lt_stream {
    struct lt_input_source src;
    struct lt_byte_queue q;
    enum lt_stream_backend backend;
    pthread_t thread;
    struct lt_byte_queue_slot *cur; /* producer: slot being filled, or NULL */
    int status;                     /* producer: its result */
    lt_error perr;                  /* producer: its error */
    char format[64];                /* producer: e.g. "gzip", "tar.xz" */
    char entry[256];                /* producer: archive entry delivered, or "" */
    char want[256];                 /* caller: the entry to deliver; "" = the first *.heapsnapshot */
};

/* Producer: room left in the slot being filled, acquiring a slot when needed;
 * sets *p and *n (n > 0). Returns 0, or LT_ECANCELLED with s->perr set. */
int lt_stream_room(struct lt_stream *s, char **p, size_t *n);

/* Producer: records that n bytes were written at the *p lt_stream_room gave;
 * publishes the slot once it is full. */
void lt_stream_advance(struct lt_stream *s, size_t n);

/* Producer: publishes the slot being filled, if it holds any bytes (before
 * stopping, so what came before an error is delivered too). */
void lt_stream_flush(struct lt_stream *s);

/* Index of the first byte of p[0..n) that is not JSON white space (n when all
 * are). */
static inline size_t lt_stream_skip_blanks(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i;
}

#endif
