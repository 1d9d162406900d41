/* redact: paths out of customer-facing messages. See redact.h. */
#include "redact.h"

#include <string.h>

static int is_quote(char c)
{
    return c == '\'' || c == '"';
}

static int starts_word(const char *message, const char *p)
{
    return p == message || strchr(" (=", p[-1]) || is_quote(p[-1]);
}

/* Length of the path starting at p ('/'), or 0 when it is not one (fewer than two '/'). */
static size_t path_length(const char *p)
{
    size_t n = 0;
    int slashes = 0;
    while (p[n] && !strchr(" ),", p[n]) && !is_quote(p[n]) && !(p[n] == ':' && (p[n + 1] == ' ' || !p[n + 1])))
        slashes += p[n++] == '/';
    return slashes >= 2 ? n : 0;
}

/* Appends n bytes of s to out at *at, keeping room for the NUL. */
static void put(char *out, size_t len, size_t *at, const char *s, size_t n)
{
    size_t room = len - 1 - *at;
    if (n > room)
        n = room;
    memcpy(out + *at, s, n);
    *at += n;
}

void lt_redact_paths(const char *message, const char *instead, char *out, size_t len)
{
    size_t at = 0;
    if (len == 0)
        return;
    for (const char *p = message; *p;) {
        int quoted = is_quote(*p) && p[1] == '/';
        const char *path = p + quoted;
        size_t n = *path == '/' && starts_word(message, path) ? path_length(path) : 0;
        if (n && quoted && path[n] != *p)
            n = 0; /* a quote that does not close right after the path stays */
        if (!n) {
            put(out, len, &at, p++, 1);
            continue;
        }
        put(out, len, &at, instead, strlen(instead));
        p = path + n + quoted;
    }
    out[at] = '\0';
}
