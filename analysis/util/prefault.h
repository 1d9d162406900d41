/* prefault: a thread that makes the kernel back big arrays ahead of the thread filling
 * them. Touching fresh memory costs a page fault and a zeroed page, and on machines whose
 * host backs memory lazily that costs as much as the parsing itself; asked of the kernel
 * in advance (MADV_POPULATE_WRITE: pages backed and writable, contents never changed, so
 * it is safe while another thread writes them) the zeroing happens on a core the filler
 * does not use.
 *
 * The ranges are walked together, step by step (step bytes of each in turn), so arrays
 * filled side by side (a node's fields) are backed side by side. Ranges must start on a
 * page boundary and steps be whole pages (lt_big_alloc's arrays of 4 MiB and more start
 * on a 2 MiB boundary); others are skipped. Owns its thread; no global state. Where the
 * kernel cannot (before Linux 5.14) or no thread can be started, nothing happens and the
 * filler faults the pages in itself, as without it. */
#ifndef LT_PREFAULT_H
#define LT_PREFAULT_H

#include <stddef.h>

typedef struct lt_prefault_range {
    void *base;
    size_t bytes;
    size_t step; /* bytes per turn, a multiple of 2 MiB */
} lt_prefault_range;

#define LT_PREFAULT_RANGES 8

typedef struct lt_prefault lt_prefault;

/* Starts the thread over up to LT_PREFAULT_RANGES ranges (copied). NULL when it did not
 * start (out of memory, no thread, nothing to do): the caller carries on either way. */
lt_prefault *lt_prefault_start(const lt_prefault_range *ranges, int count);

/* Stops the thread (it finishes its current step), joins and frees it. NULL is fine. Call
 * before the ranges' memory is freed. */
void lt_prefault_stop(lt_prefault *p);

#endif
