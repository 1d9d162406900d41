/* log: the service's log — one JSON object per line on standard error, for people and
 * log collectors alike. Every line has "time" (RFC 3339, UTC, milliseconds) and "event"
 * ("request", "job_claimed", "job_done", "job_failed", "job_put_back", "job_recovered",
 * "message"), then the event's own fields.
 *
 * A line is built in a caller-owned lt_log_line (no allocation, nothing global) and written
 * with one write(2), so lines of different threads never interleave. A line that would
 * pass LT_LOG_LINE_MAX bytes has its last string values cut (at a character boundary) and
 * stays valid JSON. Strings are escaped for JSON: quotes, backslashes and control
 * characters escaped, bytes that are not valid UTF-8 replaced by U+FFFD. Nothing here
 * fails: a failed write is dropped (the log must never stop the service).
 *
 * The caller decides what goes in: never an API key, a cookie or a query string. */
#ifndef LT_LOG_H
#define LT_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "defaults.h"

typedef struct lt_log_line {
    int fd;     /* where lt_log_end writes: standard error unless the caller changes it */
    size_t len; /* bytes in text, without the closing "}\n" */
    char text[LT_LOG_LINE_MAX];
} lt_log_line;

/* Starts a line: {"time":"...","event":"<event>". */
void lt_log_begin(lt_log_line *line, const char *event);

/* Adds "key":"value" (value escaped; NULL adds nothing). */
void lt_log_str(lt_log_line *line, const char *key, const char *value);

/* Adds "key":value. */
void lt_log_int(lt_log_line *line, const char *key, int64_t value);

/* Adds "key":value with 3 decimals (durations in ms or s). */
void lt_log_num(lt_log_line *line, const char *key, double value);

/* Closes the line with "}\n" and writes it to line->fd with one write(2). */
void lt_log_end(lt_log_line *line);

/* A free-text message as a line: {"time","event":"message","level":level,"msg":...}. */
void lt_log_message(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes s as the inside of a JSON string into out (len bytes with its NUL), escaped as
 * above, never cutting an escape or a character. Returns the bytes written; *used (if not
 * NULL) is how many bytes of s they hold (strlen(s) when all fit). */
size_t lt_log_escape(const char *s, char *out, size_t len, size_t *used);

/* Writes the current time as "2026-11-29T08:20:26.123Z" into out. */
void lt_log_time(char out[32]);

/* The request id of a request: the client's X-Request-Id (given) when it is 1 to
 * LT_REQUEST_ID_MAX bytes of [A-Za-z0-9._-], else LT_REQUEST_ID_BYTES random bytes in
 * hex (getrandom; the clock and process id if the kernel has none). Returns 1 when given
 * was taken, 0 when one was generated. */
int lt_log_request_id(const char *given, char out[LT_REQUEST_ID_MAX + 1]);

#endif
