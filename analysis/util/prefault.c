/* prefault.c: see prefault.h. */
#include "util/prefault.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/big_alloc.h"

#define PAGE_ALIGN (2u << 20)

struct lt_prefault {
    lt_prefault_range ranges[LT_PREFAULT_RANGES];
    int count;
    atomic_int stop;
    pthread_t thread;
};

/* Walks the usable ranges step by step until done, stop (may be NULL) is set, or the
 * kernel cannot populate; each range on huge pages until one is slow to come
 * (lt_big_back), from there on 4 KiB pages. */
static void walk(const lt_prefault_range *ranges, int count, atomic_int *stop)
{
    int small[LT_PREFAULT_RANGES] = {0};
    for (size_t turn = 0;; turn++) {
        int busy = 0;
        for (int i = 0; i < count; i++) {
            const lt_prefault_range *r = &ranges[i];
            if (stop && atomic_load(stop))
                return;
            size_t from = turn * r->step;
            if (from >= r->bytes)
                continue;
            busy = 1;
            size_t len = r->bytes - from < r->step ? r->bytes - from : r->step;
            if (lt_big_back((char *)r->base + from, len, r->bytes - from, &small[i]))
                return;
        }
        if (!busy)
            return;
    }
}

static void *run(void *arg)
{
    lt_prefault *p = arg;
    walk(p->ranges, p->count, &p->stop);
    return NULL;
}

/* Copies the ranges walk can use (page-aligned base, whole-page steps) into out. */
static int usable(const lt_prefault_range *ranges, int count, lt_prefault_range *out)
{
    int n = 0;
    for (int i = 0; i < count && n < LT_PREFAULT_RANGES; i++) {
        const lt_prefault_range *r = &ranges[i];
        if (r->base && r->bytes && r->step && (uintptr_t)r->base % PAGE_ALIGN == 0 && r->step % PAGE_ALIGN == 0)
            out[n++] = *r;
    }
    return n;
}

lt_prefault *lt_prefault_start(const lt_prefault_range *ranges, int count)
{
    lt_prefault *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->count = usable(ranges, count, p->ranges);
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
