/* number_scan: turns the text of "nodes" and "edges" into numbers, many at a time.
 * Internal to the snapshot reader (snapshot_numbers.c, number_split.c).
 *
 * Reads ",<digits>" groups (blanks allowed around each comma), numbers up to 2^32-1,
 * from the start of text, and stops before the first group that is anything else (the
 * end of the array, an error, a number the text does not hold whole): the reader's
 * careful loop reads on from there and says what is wrong. It neither checks nor
 * stores records; it only finds numbers.
 *
 * Where the text is what V8 writes (a comma, digits, now and then a newline) and the
 * CPU has AVX2 (asked at run time), 64 bytes are classified at once and every number is
 * found from its comma, so no number waits for the one before it to be read, and two
 * numbers are converted per vector; anything else in a block of 64 bytes (a blank, a
 * bracket, a digit run longer than 11) sends that stretch through the group-by-group
 * loop, which accepts exactly the same groups (up to 8 digits as one 64-bit word, longer
 * ones byte by byte). Without AVX2 only that loop runs. No state, no allocation. */
#ifndef LT_NUMBER_SCAN_H
#define LT_NUMBER_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads up to max numbers from text[0..len) (len below 2^32: the offsets are 32-bit):
 * value[k] is the k-th number and end[k] the offset just past its last digit. A number
 * must be followed, inside len, by a byte that is not a digit. Returns how many were
 * read (0 when text does not start with a group). simd false forces the group-by-group
 * loop throughout (for tests). */
size_t lt_scan_numbers(const char *text, size_t len, uint32_t *value, uint32_t *end, size_t max, bool simd);

#endif
