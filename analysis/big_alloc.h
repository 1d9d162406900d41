/* big_alloc: allocation of the large per-node and per-edge arrays. Arrays of
 * 4 MiB and more are 2 MiB-aligned and advised as transparent huge pages:
 * touching fresh memory is a large part of the analysis time, and huge pages
 * cut the page faults 512-fold. Free with free(). */
#ifndef LT_BIG_ALLOC_H
#define LT_BIG_ALLOC_H

#include <stddef.h>

/* Like malloc(count * size) (with an overflow check); NULL on failure. */
void *lt_big_alloc(size_t count, size_t size);

/* Like calloc(count, size). */
void *lt_big_calloc(size_t count, size_t size);

#endif
