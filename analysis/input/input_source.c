/* input_source.c: the replayable input reader, see input_source.h. */
#include "input/input_source.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define POLL_MS 100 /* how often a blocked pipe read checks cancel */

static const char *errtext(int e, char *buf, size_t n)
{
    return strerror_r(e, buf, n); /* GNU variant (-D_GNU_SOURCE) */
}

int lt_input_source_open(struct lt_input_source *src, const char *path, lt_error *err)
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
            return lt_error_set(err, LT_EIO, "cannot open %s: %s", src->label, errtext(errno, eb, sizeof eb));
        src->own_fd = true;
    }
    if (fstat(src->fd, &st) == 0 && S_ISREG(st.st_mode)) {
        src->regular = true;
        src->size = (uint64_t)st.st_size;
    }
    return 0;
}

void lt_input_source_close(struct lt_input_source *src)
{
    if (src->own_fd)
        close(src->fd);
    free(src->prefix);
}

/* Waits until a pipe or terminal is readable; LT_ECANCELLED when asked to stop. */
static int src_wait(const struct lt_input_source *src)
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
static ssize_t src_fd_read(struct lt_input_source *src, void *buf, size_t n, lt_error *err)
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
            return lt_error_set(err, LT_EIO, "cannot read %s: %s", src->label, errtext(errno, eb, sizeof eb));
    }
}

int lt_input_source_fill_prefix(struct lt_input_source *src, lt_error *err)
{
    if (!(src->prefix = malloc(LT_INPUT_SOURCE_SNIFF_MAX)))
        return lt_error_set(err, LT_ENOMEM, "out of memory reading the input");
    while (src->prefix_len < LT_INPUT_SOURCE_SNIFF_MAX && !src->fd_eof) {
        ssize_t got = src_fd_read(src, src->prefix + src->prefix_len, LT_INPUT_SOURCE_SNIFF_MAX - src->prefix_len, err);
        if (got < 0)
            return (int)got;
        src->prefix_len += (size_t)got;
    }
    if (src->prefix_len == 0)
        return lt_error_set(err, LT_EINPUT, "input is empty: %s holds 0 bytes", src->label);
    return 0;
}

ssize_t lt_input_source_read(struct lt_input_source *src, void *buf, size_t n, lt_error *err)
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

int lt_input_source_seek(struct lt_input_source *src, uint64_t to, lt_error *err)
{
    uint64_t fd_to = to < src->prefix_len ? src->prefix_len : to;
    char eb[128];
    if (lseek(src->fd, (off_t)fd_to, SEEK_SET) < 0)
        return lt_error_set(err, LT_EIO, "cannot seek in %s: %s", src->label, errtext(errno, eb, sizeof eb));
    src->fd_off = fd_to;
    src->fd_eof = false;
    src->prefix_pos = to < src->prefix_len ? (size_t)to : src->prefix_len;
    src->pos = to;
    return 0;
}

bool lt_input_source_exhausted(const struct lt_input_source *src)
{
    return src->prefix_pos == src->prefix_len && src->fd_eof;
}

void lt_input_source_hex_prefix(const struct lt_input_source *src, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < src->prefix_len && i < 8 && len + 4 < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%02x", i ? " " : "", src->prefix[i]);
}
