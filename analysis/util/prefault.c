/* prefault.c: see prefault.h. */
#include "util/prefault.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PAGE_ALIGN (2u << 20)

struct lt_prefault {
    lt_prefault_range ranges[LT_PREFAULT_RANGES];
    int count;
    atomic_int stop;
    pthread_t thread;
};

/* Backs [base, base + bytes); 0, or -1 when the kernel cannot (then nothing more is tried). */
static int populate(void *base, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
    return madvise(base, bytes, MADV_POPULATE_WRITE) ? -1 : 0;
#else
    (void)base;
    (void)bytes;
    return -1;
#endif
}

static void *run(void *arg)
{
    lt_prefault *p = arg;
    for (size_t turn = 0;; turn++) {
        int busy = 0;
        for (int i = 0; i < p->count; i++) {
            const lt_prefault_range *r = &p->ranges[i];
            if (atomic_load(&p->stop))
                return NULL;
            size_t from = turn * r->step;
            if (from >= r->bytes)
                continue;
            busy = 1;
            size_t len = r->bytes - from < r->step ? r->bytes - from : r->step;
            if (populate((char *)r->base + from, len))
                return NULL;
        }
        if (!busy)
            return NULL;
    }
}

lt_prefault *lt_prefault_start(const lt_prefault_range *ranges, int count)
{
    lt_prefault *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    for (int i = 0; i < count && p->count < LT_PREFAULT_RANGES; i++) {
        const lt_prefault_range *r = &ranges[i];
        if (r->base && r->bytes && r->step && (uintptr_t)r->base % PAGE_ALIGN == 0 && r->step % PAGE_ALIGN == 0)
            p->ranges[p->count++] = *r;
    }
    atomic_init(&p->stop, 0);
    if (!p->count || pthread_create(&p->thread, NULL, run, p)) {
        free(p);
        return NULL;
    }
    return p;
}

void lt_prefault_stop(lt_prefault *p)
{
    if (!p)
        return;
    atomic_store(&p->stop, 1);
    pthread_join(p->thread, NULL);
    free(p);
}
