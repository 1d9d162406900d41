/* log: JSON lines on standard error. See log.h. */
#include "log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define LINE_TAIL 3 /* room always kept for "}\n" and the NUL */

/* The length of the valid UTF-8 character at s (1 to 4), or 0 when it is not one
 * (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short). */
static size_t utf8_char_length(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
        (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return n;
}

/* The escaped form of the character of n bytes at s into piece; returns its length. */
static size_t escape_char(const char *s, size_t n, char piece[8])
{
    unsigned char c = (unsigned char)s[0];
    if (n == 0)
        return (size_t)snprintf(piece, 8, "\\ufffd");
    if (n > 1) {
        memcpy(piece, s, n);
        return n;
    }
    const char *named = c == '"'    ? "\\\""
                        : c == '\\' ? "\\\\"
                        : c == '\n' ? "\\n"
                        : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t"
                                    : NULL;
    if (named)
        return (size_t)snprintf(piece, 8, "%s", named);
    if (c < 0x20 || c == 0x7f)
        return (size_t)snprintf(piece, 8, "\\u%04x", c);
    piece[0] = (char)c;
    return 1;
}

size_t lt_log_escape(const char *s, char *out, size_t len, size_t *used)
{
    size_t at = 0, in = 0;
    while (s[in] && len > 0) {
        size_t n = utf8_char_length((const unsigned char *)s + in);
        char piece[8];
        size_t k = escape_char(s + in, n, piece);
        if (at + k >= len)
            break;
        memcpy(out + at, piece, k);
        at += k;
        in += n ? n : 1;
    }
    if (len > 0)
        out[at] = '\0';
    if (used)
        *used = in;
    return at;
}

void lt_log_time(char out[32])
{
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03ldZ", now.tv_nsec / 1000000);
}

/* Appends raw text (already JSON) when it fits whole. */
static void put_raw(lt_log_line *line, const char *text)
{
    size_t n = strlen(text);
    if (line->len + n + LINE_TAIL <= sizeof line->text) {
        memcpy(line->text + line->len, text, n);
        line->len += n;
    }
}

/* Appends "key": when it fits with room for a value after it. Returns 1 when it did. */
static int put_key(lt_log_line *line, const char *key)
{
    char head[80];
    int n = snprintf(head, sizeof head, ",\"%s\":", key);
    if (n < 0 || (size_t)n >= sizeof head || line->len + (size_t)n + 8 + LINE_TAIL > sizeof line->text)
        return 0;
    put_raw(line, head);
    return 1;
}

void lt_log_begin(lt_log_line *line, const char *event)
{
    char time[32];
    lt_log_time(time);
    line->fd = STDERR_FILENO;
    line->len = (size_t)snprintf(line->text, sizeof line->text, "{\"time\":\"%s\"", time);
    lt_log_str(line, "event", event);
}

void lt_log_str(lt_log_line *line, const char *key, const char *value)
{
    if (!value || !put_key(line, key))
        return;
    size_t room = sizeof line->text - line->len - LINE_TAIL - 1; /* the closing quote */
    line->text[line->len++] = '"';
    line->len += lt_log_escape(value, line->text + line->len, room, NULL);
    line->text[line->len++] = '"';
}

void lt_log_int(lt_log_line *line, const char *key, int64_t value)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, value);
    if (put_key(line, key))
        put_raw(line, text);
}

void lt_log_num(lt_log_line *line, const char *key, double value)
{
    char text[40];
    snprintf(text, sizeof text, "%.3f", value);
    if (put_key(line, key))
        put_raw(line, text);
}

void lt_log_end(lt_log_line *line)
{
    memcpy(line->text + line->len, "}\n", 3);
    ssize_t written = write(line->fd, line->text, line->len + 2);
    (void)written; /* a log that cannot be written is dropped */
}

void lt_log_message(const char *level, const char *fmt, ...)
{
    char message[LT_LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    lt_log_line line;
    lt_log_begin(&line, "message");
    lt_log_str(&line, "level", level);
    lt_log_str(&line, "msg", message);
    lt_log_end(&line);
}

static int request_id_sane(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > LT_REQUEST_ID_MAX)
        return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int lt_log_request_id(const char *given, char out[LT_REQUEST_ID_MAX + 1])
{
    if (request_id_sane(given)) {
        memcpy(out, given, strlen(given) + 1);
        return 1;
    }
    unsigned char bytes[LT_REQUEST_ID_BYTES];
    if (getrandom(bytes, sizeof bytes, GRND_NONBLOCK) != (ssize_t)sizeof bytes) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        uint64_t mix[2] = {(uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec, (uint64_t)getpid()};
        memcpy(bytes, mix, sizeof bytes);
    }
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    return 0;
}
