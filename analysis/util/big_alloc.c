#include "util/big_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE  (2u << 20)
#define BIG_ENOUGH (4u << 20)

void *lt_big_alloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    if (bytes == 0)
        bytes = 1;
    if (bytes < BIG_ENOUGH)
        return malloc(bytes);
    void *p = NULL;
    size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (posix_memalign(&p, HUGE_PAGE, rounded))
        return NULL;
    madvise(p, rounded, MADV_HUGEPAGE);
    return p;
}

void *lt_big_calloc(size_t count, size_t size)
{
    void *p = lt_big_alloc(count, size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

/* The index of the smallest kept block of at least want bytes, or -1. */
static int smallest_fitting(const lt_pool *pool, size_t want)
{
    int best = -1;
    for (int i = 0; pool && i < pool->count; i++)
        if (pool->bytes[i] >= want && (best < 0 || pool->bytes[i] < pool->bytes[best]))
            best = i;
    return best;
}

static void forget(lt_pool *pool, int i)
{
    pool->count--;
    pool->ptr[i] = pool->ptr[pool->count];
    pool->bytes[i] = pool->bytes[pool->count];
}

void *lt_pool_alloc(lt_pool *pool, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t want = count * size;
    int best = smallest_fitting(pool, want);
    if (best < 0 || want < BIG_ENOUGH)
        return lt_big_alloc(count, size);
    void *p = pool->ptr[best];
    if (pool->lent_count < LT_POOL_SLOTS) {
        pool->lent[pool->lent_count] = p;
        pool->lent_bytes[pool->lent_count++] = pool->bytes[best];
    }
    forget(pool, best);
    return p;
}

void *lt_pool_calloc(lt_pool *pool, size_t count, size_t size)
{
    void *p = lt_pool_alloc(pool, count, size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void lt_pool_release(lt_pool *pool, void *ptr, size_t bytes)
{
    if (!ptr)
        return;
    for (int i = 0; pool && i < pool->lent_count; i++)
        if (pool->lent[i] == ptr) {
            bytes = pool->lent_bytes[i] > bytes ? pool->lent_bytes[i] : bytes;
            pool->lent[i] = pool->lent[--pool->lent_count];
            pool->lent_bytes[i] = pool->lent_bytes[pool->lent_count];
            break;
        }
    if (!pool || pool->count == LT_POOL_SLOTS || bytes < BIG_ENOUGH) {
        free(ptr);
        return;
    }
    pool->ptr[pool->count] = ptr; /* big blocks are whole huge pages */
    pool->bytes[pool->count++] = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

void lt_pool_drain(lt_pool *pool)
{
    for (int i = 0; i < pool->count; i++)
        free(pool->ptr[i]);
    pool->count = 0;
}

int lt_pool_hand_over(lt_pool *pool, lt_pool *to, size_t bytes)
{
    int best = smallest_fitting(pool, bytes);
    if (best < 0)
        return -1;
    void *ptr = pool->ptr[best];
    size_t size = pool->bytes[best];
    forget(pool, best);
    lt_pool_release(to, ptr, size);
    return 0;
}

void lt_pool_take_all(lt_pool *pool, lt_pool *from)
{
    for (int i = 0; i < from->count; i++)
        lt_pool_release(pool, from->ptr[i], from->bytes[i]);
    from->count = 0;
}

int lt_pool_reserve(lt_pool *pool, int count, size_t bytes)
{
    int added = 0;
    for (; added < count && pool->count < LT_POOL_SLOTS; added++) {
        void *p = lt_big_alloc(bytes, 1);
        if (!p)
            break;
        lt_pool_release(pool, p, bytes);
    }
    return added;
}
