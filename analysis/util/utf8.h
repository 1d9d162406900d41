/* utf8: checking and repairing UTF-8 text, and making one-line messages safe.
 *
 * Repair follows the WHATWG decoder that DevTools' TextDecoder uses: each
 * maximal invalid subpart (a stray byte, a truncated sequence, an overlong or
 * surrogate encoding) becomes one U+FFFD. Nothing here allocates or fails. */
#ifndef LT_UTF8_H
#define LT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1..4) of the valid character at p[0..n), or 0 with *bad set to the
 * length (>= 1) of the invalid subpart there. n must be > 0. */
size_t lt_utf8_char(const unsigned char *p, size_t n, size_t *bad);

/* Whether s[0..n) is valid UTF-8. */
bool lt_utf8_valid(const char *s, size_t n);

/* Writes s[0..n) to out with every invalid subpart replaced by U+FFFD; out
 * must hold 3 * n bytes. Returns the bytes written. */
size_t lt_utf8_repair(const char *s, size_t n, char *out);

/* lt_text_clean (lt_error.h) is defined in utf8.c too. */

#endif
