/* gzip_isal.c: the ISA-L gzip backend, see gzip_isal.h. */
#include "input/gzip_isal.h"

#include <isa-l/igzip_lib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct gz { /* ISA-L backend state */
    struct inflate_state st;
    uint8_t in[LT_STREAM_IN_SIZE];
};

int lt_gzip_isal_holds_json(const unsigned char *buf, size_t len)
{
    unsigned char out[4096];
    struct inflate_state *st = malloc(sizeof *st);
    int verdict = 1;
    if (!st)
        return LT_ENOMEM;
    isal_inflate_init(st);
    st->crc_flag = ISAL_GZIP;
    st->next_in = (uint8_t *)buf;
    st->avail_in = (uint32_t)len;
    for (;;) {
        st->next_out = out;
        st->avail_out = sizeof out;
        if (isal_inflate(st) < 0)
            break;
        size_t got = sizeof out - st->avail_out, i = lt_stream_skip_blanks(out, got);
        if (i < got) {
            verdict = out[i] == '{';
            break;
        }
        if (got == 0 || st->block_state == ISAL_BLOCK_FINISH)
            break;
    }
    free(st);
    return verdict;
}

static unsigned long long gz_offset(const struct lt_stream *s, const struct gz *g)
{
    return (unsigned long long)(s->src.pos - g->st.avail_in);
}

static int gz_corrupt(struct lt_stream *s, const struct gz *g, int ret)
{
    const char *why = "invalid deflate data";
    if (ret == ISAL_DECOMP_OK)
        why = "the decoder made no progress";
    else if (ret == ISAL_INCORRECT_CHECKSUM)
        why = "CRC or length check failed";
    else if (ret == ISAL_INVALID_WRAPPER || ret == ISAL_UNSUPPORTED_METHOD)
        why = "bad gzip member header";
    return lt_error_set(&s->perr, LT_EARCHIVE, "corrupt gzip data at compressed byte %llu of %s: %s (ISA-L code %d)",
                        gz_offset(s, g), s->src.label, why, ret);
}

/* Moves unread input to the front of g->in and reads more behind it. */
static int gz_refill(struct lt_stream *s, struct gz *g)
{
    memmove(g->in, g->st.next_in, g->st.avail_in);
    ssize_t got = lt_input_source_read(&s->src, g->in + g->st.avail_in, LT_STREAM_IN_SIZE - g->st.avail_in, &s->perr);
    if (got < 0)
        return (int)got;
    g->st.next_in = g->in;
    g->st.avail_in += (uint32_t)got;
    return 0;
}

/* One isal_inflate call into the current slot; *room tells whether output
 * space was left over (so a lack of progress is the input's fault). */
static int gz_step(struct lt_stream *s, struct gz *g, bool *room)
{
    char *p = NULL;
    size_t n = 0, made;
    uint32_t in_before = g->st.avail_in;
    int rc = lt_stream_room(s, &p, &n);
    if (rc != 0)
        return rc;
    g->st.next_out = (uint8_t *)p;
    g->st.avail_out = (uint32_t)n;
    int ret = isal_inflate(&g->st);
    made = n - g->st.avail_out;
    *room = g->st.avail_out > 0;
    lt_stream_advance(s, made);
    if (ret < 0)
        return gz_corrupt(s, g, ret);
    if (made == 0 && in_before > 0 && g->st.avail_in == in_before && g->st.block_state != ISAL_BLOCK_FINISH)
        return gz_corrupt(s, g, ISAL_DECOMP_OK); /* stalled: never loop forever */
    return 0;
}

/* After the last member: zero padding is fine, anything else is an error. */
static int gz_trailing(struct lt_stream *s, struct gz *g)
{
    for (;;) {
        for (uint32_t i = 0; i < g->st.avail_in; i++) {
            if (g->st.next_in[i] != 0) {
                g->st.avail_in -= i;
                return lt_error_set(&s->perr, LT_EARCHIVE,
                                    "unexpected data after the gzip stream at compressed "
                                    "byte %llu of %s (not a gzip member)",
                                    gz_offset(s, g), s->src.label);
            }
        }
        g->st.avail_in = 0;
        if (lt_input_source_exhausted(&s->src))
            return 1;
        int rc = gz_refill(s, g);
        if (rc != 0)
            return rc;
    }
}

/* At the end of a member: 0 when another member follows (state reset),
 * 1 at the end of the input, or an error. */
static int gz_next_member(struct lt_stream *s, struct gz *g)
{
    while (g->st.avail_in < 2 && !lt_input_source_exhausted(&s->src)) {
        int rc = gz_refill(s, g);
        if (rc != 0)
            return rc;
    }
    if (g->st.avail_in == 0)
        return 1;
    if (g->st.avail_in >= 2 && g->st.next_in[0] == 0x1f && g->st.next_in[1] == 0x8b) {
        isal_inflate_reset(&g->st); /* keeps crc_flag, next_in, avail_in */
        return 0;
    }
    return gz_trailing(s, g);
}

static int gz_loop(struct lt_stream *s, struct gz *g)
{
    for (;;) {
        bool room;
        int rc;
        if (g->st.avail_in == 0 && (rc = gz_refill(s, g)) != 0)
            return rc;
        if ((rc = gz_step(s, g, &room)) != 0)
            return rc;
        if (g->st.block_state == ISAL_BLOCK_FINISH) {
            if ((rc = gz_next_member(s, g)) != 0)
                return rc > 0 ? 0 : rc;
        } else if (g->st.avail_in == 0 && room && lt_input_source_exhausted(&s->src)) {
            return lt_error_set(&s->perr, LT_EARCHIVE,
                                "gzip data is truncated at compressed byte %llu of %s "
                                "(the file is incomplete)",
                                gz_offset(s, g), s->src.label);
        }
    }
}

int lt_gzip_isal_run(struct lt_stream *s)
{
    struct gz *g = malloc(sizeof *g);
    if (!g)
        return lt_error_set(&s->perr, LT_ENOMEM, "out of memory starting gzip decompression");
    isal_inflate_init(&g->st);
    g->st.crc_flag = ISAL_GZIP;
    g->st.next_in = g->in;
    g->st.avail_in = 0;
    int rc = gz_loop(s, g);
    free(g);
    return rc;
}
