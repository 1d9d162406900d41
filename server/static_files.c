/* static_files: serving the pages. See static_files.h. */
#include "static_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char content_security_policy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static const struct {
    const char *extension;
    const char *type;
} content_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

const char *lt_static_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof content_types / sizeof content_types[0]; i++)
        if (!strcmp(dot, content_types[i].extension))
            return content_types[i].type;
    return "application/octet-stream";
}

const lt_static_file *lt_static_find(const char *name)
{
    size_t lo = 0, hi = lt_static_embedded_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, lt_static_embedded[mid].name);
        if (c == 0)
            return &lt_static_embedded[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* 1 when name is a plain file name: no path separator, not hidden. */
static int plain_name(const char *name)
{
    return name[0] && name[0] != '.' && !strchr(name, '/') && !strchr(name, '\\');
}

/* Reads dir/name (at most LT_STATIC_MAX_FILE bytes) into *data (malloc'ed). 0, or -1 when
 * it is missing or unreadable (errno kept), LT_ENOMEM. */
static int read_file(const char *dir, const char *name, char **data, size_t *size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > LT_STATIC_MAX_FILE) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size + 1);
    ssize_t got = *data ? read(fd, *data, *size) : -1;
    close(fd);
    if (got == (ssize_t)*size)
        return 0;
    int rc = *data ? -1 : LT_ENOMEM;
    free(*data);
    *data = NULL;
    return rc;
}

/* Answers the file name with the pages' headers, or 404. */
static void reply_file(lt_http_request *req, const char *name)
{
    const char *dir = lt_http_static_dir(req->server);
    int rc = plain_name(name) ? 0 : -1;
    if (!rc && dir) {
        char *data = NULL;
        size_t size = 0;
        if (!(rc = read_file(dir, name, &data, &size)))
            rc = lt_http_reply_bytes(req, 200, lt_static_content_type(name), data, size, 1);
        free(data);
    } else if (!rc) {
        const lt_static_file *f = lt_static_find(name);
        rc = f ? lt_http_reply_bytes(req, 200, lt_static_content_type(name), f->data, f->size, 0) : -1;
    }
    if (rc == LT_ENOMEM)
        lt_http_reply_error(req, 500, "internal_error", "out of memory");
    else if (rc)
        lt_http_reply_error(req, 404, "not_found", "no such file: %s", req->url);
    lt_http_add_header(req, "Content-Security-Policy", content_security_policy);
    lt_http_add_header(req, "Referrer-Policy", "same-origin");
    lt_http_add_header(req, "X-Frame-Options", "DENY");
    if (!rc)
        lt_http_add_header(req, "Cache-Control", "no-cache");
}

void lt_static_page(lt_http_request *req)
{
    reply_file(req, LT_STATIC_PAGE);
}

void lt_static_asset(lt_http_request *req)
{
    reply_file(req, req->captures[0]);
}
