/* input_stream.c: the producer side of one lt_input_stream call (see
 * input_stream.h): the writer every backend (plain, gzip_isal.c,
 * archive_reader.c) uses to put uncompressed bytes into the byte queue. It sits
 * below archive_input.c, which runs the backends, so no backend depends on it. */
#include "input/input_stream.h"

void lt_stream_flush(struct lt_stream *s)
{
    if (s->cur && s->cur->len > 0) {
        s->cur->consumed = s->src.total;
        lt_byte_queue_commit(&s->q);
        s->cur = NULL;
    }
}

int lt_stream_room(struct lt_stream *s, char **p, size_t *n)
{
    if (!s->cur && !(s->cur = lt_byte_queue_acquire(&s->q)))
        return lt_error_set(&s->perr, LT_ECANCELLED, "reading %s was cancelled", s->src.label);
    *p = s->cur->data + s->cur->len;
    *n = LT_BYTE_QUEUE_SLOT_SIZE - s->cur->len;
    return 0;
}

void lt_stream_advance(struct lt_stream *s, size_t n)
{
    s->cur->len += n;
    if (s->cur->len == LT_BYTE_QUEUE_SLOT_SIZE)
        lt_stream_flush(s);
}
