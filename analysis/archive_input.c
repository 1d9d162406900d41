/* archive_input.c: lt_input_stream(), see archive_input.h.
 *
 * DESIGN
 * - The caller's thread opens the input and reads its first SNIFF_MAX bytes
 *   (the prefix) into memory. The prefix picks a backend: first non-blank
 *   byte '{' -> plain pass-through; gzip magic whose inflated start is '{' ->
 *   ISA-L; anything else (incl. .tar.gz) -> libarchive with every filter and
 *   every format but mtree, plus "raw". No backend needs to seek: all read through struct
 *   source, which replays the saved prefix and then carries on with read(2),
 *   so a pipe on standard input works like a file. For a regular file
 *   libarchive also gets a seek callback (7z needs one; zip then uses its
 *   central directory).
 * - One producer thread runs the backend and writes straight into the slots
 *   of a bounded ring (QUEUE_SLOTS buffers of SLOT_SIZE). The caller's thread
 *   pops full slots, runs sink and progress on them, then hands them back.
 * - A failing sink sets the queue's cancel flag; the producer notices it when
 *   it next wants a slot or while it waits on a pipe, stops, and is joined. A
 *   failing producer flushes what it made, records its status and error and
 *   marks the queue done; the consumer delivers the rest, then returns it.
 * - What the producer writes outside the queue (status, perr, format, entry,
 *   source counters) is read by the caller only after pthread_join.
 * No global mutable state: everything lives in one struct stream per call. */
#include "archive_input.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNIFF_MAX (256u * 1024u)  /* prefix kept in memory to pick a backend */
#define QUEUE_SLOTS 4u            /* buffers between producer and consumer */
#define SLOT_SIZE (2u << 20)      /* bytes per buffer */
#define IN_SIZE (1u << 20)        /* compressed read size */
#define POLL_MS 100               /* how often a blocked pipe read checks cancel */
#define LIST_MAX 10               /* entry names listed when none fits */
#define SNAPSHOT_SUFFIX ".heapsnapshot"

enum backend { BACKEND_PLAIN, BACKEND_ISAL, BACKEND_ARCHIVE };

struct source {
    int fd;
    bool own_fd;          /* close fd when done (not for stdin) */
    bool regular;         /* regular file: no poll, size known */
    bool fd_eof;          /* read(2) has returned 0 */
    char label[300];      /* "'path'" or "standard input", for messages */
    unsigned char *prefix;
    size_t prefix_len, prefix_pos;
    uint64_t size;        /* st_size of a regular file, else 0 */
    uint64_t fd_off;      /* offset of the fd (prefix included) */
    uint64_t fd_reach;    /* furthest fd offset read: info's compressed_bytes */
    uint64_t pos;         /* offset of the next byte src_read hands out */
    uint64_t total;       /* furthest offset handed out: progress, messages */
    const atomic_bool *cancel;
};

struct slot {
    char *data;
    size_t len;
    uint64_t consumed;    /* source total when the slot was committed */
};

struct queue {
    /* Locking rule: `lock` guards head, count and done; every change to them
     * happens under it. Slot contents belong to one side at a time, never
     * under the lock: the producer owns slots[(head + count) % QUEUE_SLOTS]
     * from q_acquire to q_commit, the consumer owns slots[head] from q_pop to
     * q_release. `cancel` is atomic so read loops can test it without the
     * lock, but it is set under the lock so no waiter misses the wake-up. */
    pthread_mutex_t lock;
    pthread_cond_t not_empty;   /* consumer waits; signalled by commit, finish */
    pthread_cond_t not_full;    /* producer waits; signalled by release, cancel */
    struct slot slots[QUEUE_SLOTS];
    unsigned head, count;
    bool done;
    atomic_bool cancel;
};

struct stream {
    struct source src;
    struct queue q;
    enum backend backend;
    pthread_t thread;
    struct slot *cur;     /* producer: slot being filled, or NULL */
    int status;           /* producer: its result */
    lt_error perr;        /* producer: its error */
    char format[64];
    char entry[256];
};

struct gz {               /* ISA-L backend state */
    struct inflate_state st;
    uint8_t in[IN_SIZE];
};

struct la_ctx {           /* libarchive read callback state */
    struct stream *s;
    unsigned char *buf;
};

struct name_list {        /* entries seen while looking for a snapshot */
    char text[360];
    size_t len;
    unsigned listed, more;
};

/* ------------------------------------------------------------------ misc */

static const char *errtext(int e, char *buf, size_t n)
{
    return strerror_r(e, buf, n); /* GNU variant (-D_GNU_SOURCE) */
}

static int nomem(lt_error *err, const char *what)
{
    return lt_error_set(err, LT_ENOMEM, "out of memory %s", what);
}

static size_t skip_blanks(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i;
}

/* Writes the first few bytes of the input as hex ("50 4b 03 04") into out. */
static void hex_prefix(const struct source *src, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < src->prefix_len && i < 8 && len + 4 < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%02x", i ? " " : "", src->prefix[i]);
}

/* ----------------------------------------------------------------- queue */

static int queue_init(struct queue *q, lt_error *err)
{
    unsigned i = 0;
    if (pthread_mutex_init(&q->lock, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&q->not_empty, NULL) != 0)
        goto fail_lock;
    if (pthread_cond_init(&q->not_full, NULL) != 0)
        goto fail_not_empty;
    for (; i < QUEUE_SLOTS; i++)
        if (!(q->slots[i].data = malloc(SLOT_SIZE)))
            goto fail_slots;
    atomic_init(&q->cancel, false);
    return 0;
fail_slots:
    while (i-- > 0)
        free(q->slots[i].data);
    pthread_cond_destroy(&q->not_full);
fail_not_empty:
    pthread_cond_destroy(&q->not_empty);
fail_lock:
    pthread_mutex_destroy(&q->lock);
fail:
    return nomem(err, "setting up the input buffers");
}

static void queue_destroy(struct queue *q)
{
    for (unsigned i = 0; i < QUEUE_SLOTS; i++)
        free(q->slots[i].data);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->lock);
}

/* Producer: waits for a free slot; NULL once cancelled. */
static struct slot *q_acquire(struct queue *q)
{
    struct slot *sl = NULL;
    pthread_mutex_lock(&q->lock);
    while (q->count == QUEUE_SLOTS && !atomic_load(&q->cancel))
        pthread_cond_wait(&q->not_full, &q->lock);
    if (!atomic_load(&q->cancel)) {
        sl = &q->slots[(q->head + q->count) % QUEUE_SLOTS];
        sl->len = 0;
    }
    pthread_mutex_unlock(&q->lock);
    return sl;
}

/* Producer: publishes the slot it acquired. */
static void q_commit(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

/* Producer: no more slots will come. */
static void q_finish(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->done = true;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

/* Consumer: the oldest full slot, or NULL when the producer is done. */
static struct slot *q_pop(struct queue *q)
{
    struct slot *sl;
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->done)
        pthread_cond_wait(&q->not_empty, &q->lock);
    sl = q->count > 0 ? &q->slots[q->head] : NULL;
    pthread_mutex_unlock(&q->lock);
    return sl;
}

/* Consumer: gives back the slot q_pop returned. */
static void q_release(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->head = (q->head + 1) % QUEUE_SLOTS;
    q->count--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

/* Consumer: asks the producer to stop. */
static void q_cancel(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    atomic_store(&q->cancel, true);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

/* ---------------------------------------------------------------- source */

static int src_open(struct source *src, const char *path, lt_error *err)
{
    struct stat st;
    char eb[128];
    if (strcmp(path, "-") == 0) {
        src->fd = 0;
        snprintf(src->label, sizeof src->label, "standard input");
    } else {
        snprintf(src->label, sizeof src->label, "'%s'", path);
        src->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (src->fd < 0)
            return lt_error_set(err, LT_EIO, "cannot open %s: %s", src->label,
                                errtext(errno, eb, sizeof eb));
        src->own_fd = true;
    }
    if (fstat(src->fd, &st) == 0 && S_ISREG(st.st_mode)) {
        src->regular = true;
        src->size = (uint64_t)st.st_size;
    }
    return 0;
}

static void src_close(struct source *src)
{
    if (src->own_fd)
        close(src->fd);
    free(src->prefix);
}

/* Waits until a pipe or terminal is readable; LT_ECANCELLED when asked to stop. */
static int src_wait(const struct source *src)
{
    struct pollfd p = {.fd = src->fd, .events = POLLIN};
    for (;;) {
        if (atomic_load(src->cancel))
            return LT_ECANCELLED;
        int r = poll(&p, 1, POLL_MS);
        if (r > 0 || (r < 0 && errno != EINTR))
            return 0; /* readable, hung up or failed: read(2) will tell */
    }
}

/* One read(2) of up to n bytes: count, 0 at end of input, or an LT_E* code. */
static ssize_t src_fd_read(struct source *src, void *buf, size_t n, lt_error *err)
{
    char eb[128];
    for (;;) {
        if (!src->regular && src_wait(src) != 0)
            return lt_error_set(err, LT_ECANCELLED, "reading %s was cancelled", src->label);
        ssize_t got = read(src->fd, buf, n);
        if (got > 0) {
            src->fd_off += (uint64_t)got;
            if (src->fd_off > src->fd_reach)
                src->fd_reach = src->fd_off;
            return got;
        }
        if (got == 0) {
            src->fd_eof = true;
            return 0;
        }
        if (errno != EINTR && errno != EAGAIN)
            return lt_error_set(err, LT_EIO, "cannot read %s: %s", src->label,
                                errtext(errno, eb, sizeof eb));
    }
}

/* Reads the prefix used to sniff the format; LT_EINPUT when there is none. */
static int src_fill_prefix(struct source *src, lt_error *err)
{
    if (!(src->prefix = malloc(SNIFF_MAX)))
        return nomem(err, "reading the input");
    while (src->prefix_len < SNIFF_MAX && !src->fd_eof) {
        ssize_t got = src_fd_read(src, src->prefix + src->prefix_len,
                                  SNIFF_MAX - src->prefix_len, err);
        if (got < 0)
            return (int)got;
        src->prefix_len += (size_t)got;
    }
    if (src->prefix_len == 0)
        return lt_error_set(err, LT_EINPUT, "input is empty: %s holds 0 bytes", src->label);
    return 0;
}

/* Decoder-side read: replays the prefix, then reads the fd. */
static ssize_t src_read(struct source *src, void *buf, size_t n, lt_error *err)
{
    size_t left = src->prefix_len - src->prefix_pos;
    ssize_t got = 0;
    if (left > 0) {
        got = (ssize_t)(left < n ? left : n);
        memcpy(buf, src->prefix + src->prefix_pos, (size_t)got);
        src->prefix_pos += (size_t)got;
    } else if (!src->fd_eof && (got = src_fd_read(src, buf, n, err)) < 0) {
        return got;
    }
    src->pos += (uint64_t)got;
    if (src->pos > src->total)
        src->total = src->pos;
    return got;
}

/* Regular files only (libarchive's 7z and seekable zip readers): moves the
 * read position to `to`, replaying the prefix when `to` falls inside it. */
static int src_seek(struct source *src, uint64_t to, lt_error *err)
{
    uint64_t fd_to = to < src->prefix_len ? src->prefix_len : to;
    char eb[128];
    if (lseek(src->fd, (off_t)fd_to, SEEK_SET) < 0)
        return lt_error_set(err, LT_EIO, "cannot seek in %s: %s", src->label,
                            errtext(errno, eb, sizeof eb));
    src->fd_off = fd_to;
    src->fd_eof = false;
    src->prefix_pos = to < src->prefix_len ? (size_t)to : src->prefix_len;
    src->pos = to;
    return 0;
}

/* True when src_read can only return 0 from now on. */
static bool src_exhausted(const struct source *src)
{
    return src->prefix_pos == src->prefix_len && src->fd_eof;
}

/* -------------------------------------------------------- producer output */

static void w_flush(struct stream *s)
{
    if (s->cur && s->cur->len > 0) {
        s->cur->consumed = s->src.total;
        q_commit(&s->q);
        s->cur = NULL;
    }
}

/* Room left in the slot being filled, acquiring a slot when needed. */
static int w_room(struct stream *s, char **p, size_t *n)
{
    if (!s->cur && !(s->cur = q_acquire(&s->q)))
        return lt_error_set(&s->perr, LT_ECANCELLED, "reading %s was cancelled",
                            s->src.label);
    *p = s->cur->data + s->cur->len;
    *n = SLOT_SIZE - s->cur->len;
    return 0;
}

static void w_advance(struct stream *s, size_t n)
{
    s->cur->len += n;
    if (s->cur->len == SLOT_SIZE)
        w_flush(s);
}

/* ----------------------------------------------------------------- plain */

static int run_plain(struct stream *s)
{
    for (;;) {
        char *p = NULL;
        size_t n = 0;
        ssize_t got;
        int rc = w_room(s, &p, &n);
        if (rc != 0)
            return rc;
        if ((got = src_read(&s->src, p, n, &s->perr)) <= 0)
            return (int)got;
        w_advance(s, (size_t)got);
    }
}

/* ------------------------------------------------------------ gzip/ISA-L */

/* Whether a gzip prefix inflates to JSON: 1 when its first non-blank byte is
 * '{' or cannot be told (the ISA-L path then reports the damage), 0 when it
 * is something else (a tar, say), LT_ENOMEM. */
static int gzip_holds_json(const unsigned char *buf, size_t len)
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
        size_t got = sizeof out - st->avail_out, i = skip_blanks(out, got);
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

static unsigned long long gz_offset(const struct stream *s, const struct gz *g)
{
    return (unsigned long long)(s->src.pos - g->st.avail_in);
}

static int gz_corrupt(struct stream *s, const struct gz *g, int ret)
{
    const char *why = "invalid deflate data";
    if (ret == ISAL_DECOMP_OK)
        why = "the decoder made no progress";
    else if (ret == ISAL_INCORRECT_CHECKSUM)
        why = "CRC or length check failed";
    else if (ret == ISAL_INVALID_WRAPPER || ret == ISAL_UNSUPPORTED_METHOD)
        why = "bad gzip member header";
    return lt_error_set(&s->perr, LT_EARCHIVE,
                        "corrupt gzip data at compressed byte %llu of %s: %s (ISA-L code %d)",
                        gz_offset(s, g), s->src.label, why, ret);
}

/* Moves unread input to the front of g->in and reads more behind it. */
static int gz_refill(struct stream *s, struct gz *g)
{
    memmove(g->in, g->st.next_in, g->st.avail_in);
    ssize_t got = src_read(&s->src, g->in + g->st.avail_in, IN_SIZE - g->st.avail_in,
                           &s->perr);
    if (got < 0)
        return (int)got;
    g->st.next_in = g->in;
    g->st.avail_in += (uint32_t)got;
    return 0;
}

/* One isal_inflate call into the current slot; *room tells whether output
 * space was left over (so a lack of progress is the input's fault). */
static int gz_step(struct stream *s, struct gz *g, bool *room)
{
    char *p = NULL;
    size_t n = 0, made;
    uint32_t in_before = g->st.avail_in;
    int rc = w_room(s, &p, &n);
    if (rc != 0)
        return rc;
    g->st.next_out = (uint8_t *)p;
    g->st.avail_out = (uint32_t)n;
    int ret = isal_inflate(&g->st);
    made = n - g->st.avail_out;
    *room = g->st.avail_out > 0;
    w_advance(s, made);
    if (ret < 0)
        return gz_corrupt(s, g, ret);
    if (made == 0 && in_before > 0 && g->st.avail_in == in_before &&
        g->st.block_state != ISAL_BLOCK_FINISH)
        return gz_corrupt(s, g, ISAL_DECOMP_OK); /* stalled: never loop forever */
    return 0;
}

/* After the last member: zero padding is fine, anything else is an error. */
static int gz_trailing(struct stream *s, struct gz *g)
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
        if (src_exhausted(&s->src))
            return 1;
        int rc = gz_refill(s, g);
        if (rc != 0)
            return rc;
    }
}

/* At the end of a member: 0 when another member follows (state reset),
 * 1 at the end of the input, or an error. */
static int gz_next_member(struct stream *s, struct gz *g)
{
    while (g->st.avail_in < 2 && !src_exhausted(&s->src)) {
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

static int gz_loop(struct stream *s, struct gz *g)
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
        } else if (g->st.avail_in == 0 && room && src_exhausted(&s->src)) {
            return lt_error_set(&s->perr, LT_EARCHIVE,
                                "gzip data is truncated at compressed byte %llu of %s "
                                "(the file is incomplete)",
                                gz_offset(s, g), s->src.label);
        }
    }
}

static int run_isal(struct stream *s)
{
    struct gz *g = malloc(sizeof *g);
    if (!g)
        return nomem(&s->perr, "starting gzip decompression");
    isal_inflate_init(&g->st);
    g->st.crc_flag = ISAL_GZIP;
    g->st.next_in = g->in;
    g->st.avail_in = 0;
    int rc = gz_loop(s, g);
    free(g);
    return rc;
}

/* ------------------------------------------------------------ libarchive */

static const struct {
    int code;
    const char *name, *ext;
} filter_names[] = {
    {ARCHIVE_FILTER_GZIP, "gzip", "gz"},   {ARCHIVE_FILTER_BZIP2, "bzip2", "bz2"},
    {ARCHIVE_FILTER_COMPRESS, "compress", "Z"}, {ARCHIVE_FILTER_LZMA, "lzma", "lzma"},
    {ARCHIVE_FILTER_XZ, "xz", "xz"},       {ARCHIVE_FILTER_UU, "uu", "uu"},
    {ARCHIVE_FILTER_RPM, "rpm", "rpm"},    {ARCHIVE_FILTER_LZIP, "lzip", "lz"},
    {ARCHIVE_FILTER_LRZIP, "lrzip", "lrz"}, {ARCHIVE_FILTER_LZOP, "lzop", "lzo"},
    {ARCHIVE_FILTER_GRZIP, "grzip", "grz"}, {ARCHIVE_FILTER_LZ4, "lz4", "lz4"},
    {ARCHIVE_FILTER_ZSTD, "zstd", "zst"},
};

static const struct {
    int code;
    const char *name;
} format_names[] = {
    {ARCHIVE_FORMAT_CPIO, "cpio"}, {ARCHIVE_FORMAT_SHAR, "shar"},
    {ARCHIVE_FORMAT_TAR, "tar"},   {ARCHIVE_FORMAT_ISO9660, "iso9660"},
    {ARCHIVE_FORMAT_ZIP, "zip"},   {ARCHIVE_FORMAT_EMPTY, "empty"},
    {ARCHIVE_FORMAT_AR, "ar"},     {ARCHIVE_FORMAT_MTREE, "mtree"},
    {ARCHIVE_FORMAT_RAW, "raw"},   {ARCHIVE_FORMAT_XAR, "xar"},
    {ARCHIVE_FORMAT_LHA, "lha"},   {ARCHIVE_FORMAT_CAB, "cab"},
    {ARCHIVE_FORMAT_RAR, "rar"},   {ARCHIVE_FORMAT_7ZIP, "7z"},
    {ARCHIVE_FORMAT_WARC, "warc"}, {ARCHIVE_FORMAT_RAR_V5, "rar"},
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
static int la_fail(struct stream *s, struct archive *a, const char *what)
{
    const char *msg = archive_error_string(a);
    if (s->perr.code != 0)
        return s->perr.code;
    if (s->format[0] == '\0' && archive_format(a) != 0)
        la_name_format(a, s->format, sizeof s->format);
    if (!msg)
        msg = "unknown libarchive error";
    return lt_error_set(&s->perr, LT_EARCHIVE, "%s (%s) near compressed byte %llu of %s: %s%s",
                        what, s->format[0] ? s->format : "unknown format",
                        (unsigned long long)s->src.pos, s->src.label, msg,
                        !s->src.regular && strstr(msg, "seek")
                            ? " (this format needs a regular file, not a pipe)" : "");
}

static la_ssize_t la_read(struct archive *a, void *ud, const void **buf)
{
    struct la_ctx *c = ud;
    ssize_t got = src_read(&c->s->src, c->buf, IN_SIZE, &c->s->perr);
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
    struct source *src = &c->s->src;
    int64_t base = whence == SEEK_CUR ? (int64_t)src->pos
                   : whence == SEEK_END ? (int64_t)src->size : 0;
    if (base + offset < 0) {
        archive_set_error(a, EINVAL, "seek before the start of the input");
        return ARCHIVE_FATAL;
    }
    if (src_seek(src, (uint64_t)(base + offset), &c->s->perr) != 0) {
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
        l->len += (size_t)snprintf(l->text + l->len, sizeof l->text - l->len, "%s%s",
                                   l->listed ? ", " : "", name);
        l->listed++;
    } else {
        l->more++;
    }
}

static int la_no_snapshot(struct stream *s, const struct name_list *l)
{
    if (l->listed == 0 && l->more == 0)
        return lt_error_set(&s->perr, LT_EARCHIVE,
                            "archive (%s) %s holds no *.heapsnapshot file; it holds no files",
                            s->format, s->src.label);
    if (l->more == 0)
        return lt_error_set(&s->perr, LT_EARCHIVE,
                            "archive (%s) %s holds no *.heapsnapshot file; it holds: %s",
                            s->format, s->src.label, l->text);
    return lt_error_set(&s->perr, LT_EARCHIVE,
                        "archive (%s) %s holds no *.heapsnapshot file; it holds: %s and %u more",
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

/* A raw entry is the whole (decompressed) input; with no filter at all
 * libarchive recognised nothing. */
static int la_take_raw(struct stream *s, struct archive *a)
{
    char hex[40];
    for (int i = 0; i < archive_filter_count(a); i++)
        if (archive_filter_code(a, i) != ARCHIVE_FILTER_NONE)
            return 0;
    s->format[0] = '\0';
    hex_prefix(&s->src, hex, sizeof hex);
    return lt_error_set(&s->perr, LT_EARCHIVE,
                        "input %s is not a heap snapshot: unrecognised format (starts with "
                        "bytes %s; expected JSON, gzip, zstd, xz, bzip2, zip or tar)",
                        s->src.label, hex);
}

/* Positions a on the entry to deliver: 0, 1 when there is nothing to
 * deliver (compressed empty data), or an error. */
static int la_find_entry(struct stream *s, struct archive *a)
{
    struct name_list names = {.len = 0};
    struct archive_entry *e;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        la_name_format(a, s->format, sizeof s->format);
        if (la_base_format(a) == ARCHIVE_FORMAT_RAW)
            return la_take_raw(s, a);
        if (la_is_snapshot(e)) {
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

static int la_copy(struct stream *s, struct archive *a)
{
    for (;;) {
        char *p = NULL;
        size_t n = 0;
        int rc = w_room(s, &p, &n);
        if (rc != 0)
            return rc;
        la_ssize_t got = archive_read_data(a, p, n);
        if (got < 0)
            return la_fail(s, a, "damaged or truncated data");
        if (got == 0)
            return 0;
        w_advance(s, (size_t)got);
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

static int la_run(struct stream *s, struct archive *a, struct la_ctx *c)
{
    int rc;
    archive_read_support_filter_all(a);
    la_support_formats(a);
    if (s->src.regular)
        archive_read_set_seek_callback(a, la_seek);
    if (archive_read_open(a, c, NULL, la_read, NULL) != ARCHIVE_OK)
        return la_fail(s, a, "cannot read input");
    rc = la_find_entry(s, a);
    return rc == 0 ? la_copy(s, a) : rc > 0 ? 0 : rc;
}

static int run_archive(struct stream *s)
{
    struct la_ctx c = {.s = s, .buf = malloc(IN_SIZE)};
    struct archive *a = archive_read_new();
    int rc = c.buf && a ? la_run(s, a, &c) : nomem(&s->perr, "starting libarchive");
    if (a)
        archive_read_free(a);
    free(c.buf);
    return rc;
}

/* -------------------------------------------------------------- threads */

static void *producer_main(void *arg)
{
    struct stream *s = arg;
    int rc;
    if (s->backend == BACKEND_PLAIN)
        rc = run_plain(s);
    else if (s->backend == BACKEND_ISAL)
        rc = run_isal(s);
    else
        rc = run_archive(s);
    w_flush(s); /* deliver what came before an error, too */
    s->status = rc;
    q_finish(&s->q);
    return NULL;
}

static int sink_failed(int rc, lt_error *err)
{
    if (err && err->code == 0)
        lt_error_set(err, rc, "the snapshot consumer stopped reading (%s)", lt_strerror(rc));
    return rc;
}

/* Caller's thread: hands every full slot to sink until the producer is done. */
static int consume(struct stream *s, lt_input_sink sink, lt_input_progress progress, void *ctx,
                   lt_error *err, uint64_t *delivered)
{
    struct slot *sl;
    while ((sl = q_pop(&s->q)) != NULL) {
        int rc = sink(ctx, sl->data, sl->len, err);
        if (rc != 0)
            return sink_failed(rc, err);
        *delivered += sl->len;
        if (progress)
            progress(ctx, sl->consumed, s->src.size);
        q_release(&s->q);
    }
    return 0;
}

static int stream_run(struct stream *s, lt_input_sink sink, lt_input_progress progress,
                      void *ctx, lt_error *err, uint64_t *delivered)
{
    char eb[128];
    int rc = pthread_create(&s->thread, NULL, producer_main, s);
    if (rc != 0)
        return lt_error_set(err, LT_ENOMEM, "cannot start the decompression thread: %s",
                            errtext(rc, eb, sizeof eb));
    rc = consume(s, sink, progress, ctx, err, delivered);
    if (rc != 0)
        q_cancel(&s->q);
    pthread_join(s->thread, NULL);
    if (rc == 0 && s->status != 0) {
        rc = s->status;
        if (err)
            *err = s->perr;
    } else if (rc == 0 && *delivered == 0) {
        rc = lt_error_set(err, LT_EINPUT, "input %s holds no data once decompressed (%s)",
                          s->src.label, s->format);
    }
    return rc;
}

/* ------------------------------------------------------------ lifecycle */

static int stream_new(struct stream **out, const char *path, lt_error *err)
{
    struct stream *s = calloc(1, sizeof *s);
    int rc;
    if (!s)
        return nomem(err, "opening the input");
    if ((rc = queue_init(&s->q, err)) != 0)
        goto fail_free;
    s->src.cancel = &s->q.cancel;
    if ((rc = src_open(&s->src, path, err)) != 0)
        goto fail_queue;
    if ((rc = src_fill_prefix(&s->src, err)) != 0)
        goto fail_src;
    *out = s;
    return 0;
fail_src:
    src_close(&s->src);
fail_queue:
    queue_destroy(&s->q);
fail_free:
    free(s);
    return rc;
}

static void stream_free(struct stream *s)
{
    src_close(&s->src);
    queue_destroy(&s->q);
    free(s);
}

/* Picks the backend from the prefix (see DESIGN). */
static int choose_backend(struct stream *s, lt_error *err)
{
    const unsigned char *p = s->src.prefix;
    size_t n = s->src.prefix_len, i = skip_blanks(p, n);
    s->backend = BACKEND_ARCHIVE;
    if (i < n && p[i] == '{') {
        s->backend = BACKEND_PLAIN;
        snprintf(s->format, sizeof s->format, "plain");
    } else if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
        int json = gzip_holds_json(p, n);
        if (json < 0)
            return nomem(err, "sniffing gzip data");
        if (json) {
            s->backend = BACKEND_ISAL;
            snprintf(s->format, sizeof s->format, "gzip");
        }
    }
    return 0;
}

static void info_fill(lt_input_info *info, const struct stream *s, uint64_t delivered)
{
    if (!info)
        return;
    snprintf(info->format, sizeof info->format, "%s", s->format);
    snprintf(info->entry, sizeof info->entry, "%s", s->entry);
    info->compressed_bytes = s->src.fd_reach;
    info->uncompressed_bytes = delivered;
}

int lt_input_stream(const char *path, lt_input_sink sink, lt_input_progress progress,
                    void *ctx, lt_input_info *info, lt_error *err)
{
    struct stream *s = NULL;
    uint64_t delivered = 0;
    int rc;
    lt_error_clear(err);
    if (info)
        memset(info, 0, sizeof *info);
    if (!path || !sink)
        return lt_error_set(err, LT_EUSAGE, "lt_input_stream needs a path and a sink");
    if ((rc = stream_new(&s, path, err)) != 0)
        return rc;
    if ((rc = choose_backend(s, err)) == 0)
        rc = stream_run(s, sink, progress, ctx, err, &delivered);
    info_fill(info, s, delivered);
    stream_free(s);
    return rc;
}
