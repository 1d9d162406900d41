/* number_split: a helper thread that reads the last part of a buffer of number text
 * (40% of it) while the reader's own thread reads the first: the reading of "nodes" and
 * "edges" (most of a snapshot's bytes) then uses the second core, which inflating
 * the input leaves mostly idle. Internal to the snapshot reader.
 *
 * The helper only turns text into numbers; the reader checks and stores them in
 * order (snapshot_numbers.c), so every check and message is the one-thread path's.
 * It reads ",<digits>" groups (blanks allowed around each comma), numbers up to
 * 2^32-1, and stops before the first group that is anything else (the end of the
 * array, an error): the reader reads on from there itself. Owns its thread and
 * buffers; no global state. */
#ifndef LT_NUMBER_SPLIT_H
#define LT_NUMBER_SPLIT_H

#include <stddef.h>
#include <stdint.h>

typedef struct lt_number_split lt_number_split;

/* Starts the helper; NULL when it cannot (out of memory, no thread): the reader
 * then reads everything itself. */
lt_number_split *lt_number_split_start(void);

/* Hands text[0..len) to the helper; it must stay readable until lt_number_split_wait
 * returns. */
void lt_number_split_submit(lt_number_split *s, const char *text, size_t len);

/* Waits for the helper's result: returns the count of numbers read (0 when the text
 * does not start with one), each number's value and the offset just past its last
 * digit (relative to text), or -1 when out of memory. The arrays stay valid until the
 * next submit. */
long lt_number_split_wait(lt_number_split *s, const uint32_t **values, const uint32_t **ends);

/* Stops and joins the helper and frees it. NULL is fine. */
void lt_number_split_stop(lt_number_split *s);

#endif
