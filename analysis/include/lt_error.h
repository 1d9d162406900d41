/* lt_error: error codes and the error value every analysis call fills in.
 *
 * Every fallible function returns 0 or a negative LT_E* code and, on failure,
 * writes a message a user can act on into a caller-owned lt_error. Messages
 * about bad input say where: a byte offset and/or a JSON path. Every message
 * is valid UTF-8 on one line: lt_error_set replaces invalid bytes (a zip
 * member name in another encoding) with U+FFFD and escapes control characters. */
#ifndef LT_ERROR_H
#define LT_ERROR_H

#include <stddef.h>

#define LT_ERROR_MAP(X)                                                                                                \
    X(INPUT, -1, "bad input")                                                                                          \
    X(NOMEM, -2, "out of memory")                                                                                      \
    X(IO, -3, "input/output error")                                                                                    \
    X(ARCHIVE, -4, "unsupported or damaged archive")                                                                   \
    X(LIMIT, -5, "input exceeds a limit")                                                                              \
    X(CANCELLED, -6, "cancelled")                                                                                      \
    X(USAGE, -7, "bad usage")

enum lt_error_code {
    LT_OK = 0,
#define LT_ERROR_ENUM(name, value, text) LT_E##name = (value),
    LT_ERROR_MAP(LT_ERROR_ENUM)
#undef LT_ERROR_ENUM
};

typedef struct lt_error {
    int code;          /* 0 or an LT_E* value */
    char message[512]; /* one line, no trailing newline */
} lt_error;

/* Returns a static description of an LT_E* code ("unknown error" otherwise). */
const char *lt_strerror(int code);

/* Sets err (if not NULL) to code and a printf-style message; returns code so a
 * caller can write `return lt_error_set(err, LT_EINPUT, "...")`. */
int lt_error_set(lt_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Rewrites the NUL-terminated text in buf (cap bytes) in place as valid UTF-8
 * on one line: invalid bytes become U+FFFD, control characters are escaped
 * (\n, \t, \xNN); cut at a character boundary when it no longer fits. For
 * anything from outside (file names, snapshot strings) put in a message. */
void lt_text_clean(char *buf, size_t cap);

/* Clears err to LT_OK and an empty message. */
void lt_error_clear(lt_error *err);

#endif
