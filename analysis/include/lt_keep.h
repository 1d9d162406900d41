/* lt_keep: memory kept from one analysis for the next (public: analysis.h includes it;
 * util/big_alloc.c implements it). */
#ifndef LT_KEEP_H
#define LT_KEEP_H

#include <stdint.h>

/* Memory kept between analyses, for a caller that runs one after another (a service
 * worker): an analysis given a keep takes its big arrays from what the one before gave
 * back, and gives its own back when freed. Memory freed to the kernel and taken again
 * costs a page fault and a zeroed page on every first touch (on hosts that take freed
 * memory back within seconds, a fault on the host too): on the 1 GB snapshot, analyses
 * three seconds apart took 3.56 s without and 2.35 s with (tests/bench/consecutive.c).
 * Kept blocks serve only arrays of about their size; when an analysis asks for one that
 * none fits, all of them are freed first, so what is kept never adds to an analysis's
 * own peak. Thread-safe. The caller drains it when idle (the memory stays resident until
 * then). */
typedef struct lt_keep lt_keep;

/* A new, empty keep, or NULL (out of memory). */
lt_keep *lt_keep_new(void);

/* Frees every kept block; returns the bytes freed. NULL is fine (0). */
uint64_t lt_keep_drain(lt_keep *k);

/* Bytes kept now (0 for NULL). */
uint64_t lt_keep_bytes(lt_keep *k);

/* How many requests were served from kept blocks, and how many found none (0 and 0 for
 * NULL). */
void lt_keep_counts(lt_keep *k, uint64_t *reused, uint64_t *fresh);

/* Drains and frees k. NULL is fine. */
void lt_keep_free(lt_keep *k);

#endif
