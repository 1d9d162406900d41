#include "util/big_alloc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define HUGE_PAGE  (2u << 20)
#define BIG_ENOUGH (4u << 20)

static int64_t thread_cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Advises [from, end) as 4 KiB pages. */
static void small_pages(char *from, char *end)
{
    if (end > from)
        madvise(from, (size_t)(end - from), MADV_NOHUGEPAGE);
}

/* Whether backing bytes since start (thread_cpu_ns) took longer than 4 KiB pages would. */
static int came_slow(int64_t start, size_t bytes)
{
    return thread_cpu_ns() - start > LT_SLOW_HUGE_PAGE_NS * (int64_t)((bytes + HUGE_PAGE - 1) / HUGE_PAGE);
}

int lt_big_back(void *base, size_t bytes, size_t rest, int *small)
{
#ifdef MADV_POPULATE_WRITE
    int64_t start = *small ? 0 : thread_cpu_ns();
    if (madvise(base, bytes, MADV_POPULATE_WRITE))
        return -1;
    if (!*small && came_slow(start, bytes)) {
        small_pages((char *)base + bytes, (char *)base + rest);
        *small = 1;
    }
    return 0;
#else
    (void)base, (void)bytes, (void)rest, (void)small;
    return -1;
#endif
}

/* A block of count * size bytes: from 4 MiB on, 2 MiB-aligned and advised as huge pages;
 * with timed set, its first huge page is backed here and timed (lt_big_alloc). */
static void *big_block(size_t count, size_t size, int timed)
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
    if (!timed)
        return p;
    int64_t start = thread_cpu_ns();
    *(volatile char *)p = 0; /* the first huge page, timed: its contents are the caller's to set */
    if (came_slow(start, HUGE_PAGE))
        small_pages((char *)p + HUGE_PAGE, (char *)p + rounded);
    return p;
}

void *lt_big_alloc(size_t count, size_t size)
{
    return big_block(count, size, 1);
}

void *lt_big_alloc_ahead(size_t count, size_t size)
{
    return big_block(count, size, 0);
}

void *lt_big_calloc(size_t count, size_t size)
{
    void *p = lt_big_alloc(count, size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void lt_big_discard(void *from, size_t bytes)
{
    uintptr_t page = HUGE_PAGE, start = ((uintptr_t)from + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)from + bytes) & ~(page - 1);
    if (end > start)
        madvise((void *)start, end - start, MADV_DONTNEED);
}

/* ---- blocks kept between analyses -------------------------------------------------- */

#define KEEP_SLOTS 64

struct lt_keep {
    pthread_mutex_t lock;
    size_t smallest; /* blocks below this are not kept (BIG_ENOUGH; tests set less) */
    void *ptr[KEEP_SLOTS];
    size_t bytes[KEEP_SLOTS];
    int count;
    uint64_t reused, fresh; /* requests served from the keep; requests that found none */
};

lt_keep *lt_keep_new(void)
{
    lt_keep *k = calloc(1, sizeof *k);
    if (k && pthread_mutex_init(&k->lock, NULL)) {
        free(k);
        return NULL;
    }
    if (k)
        k->smallest = BIG_ENOUGH;
    return k;
}

void lt_keep_set_smallest(lt_keep *k, size_t bytes)
{
    k->smallest = bytes ? bytes : 1;
}

/* Whether a block of bytes is kept (and asked for) at all. */
static int keeps(const lt_keep *k, size_t bytes)
{
    return k && bytes >= k->smallest;
}

/* Frees every kept block; returns their bytes. Under the lock. */
static uint64_t free_kept(lt_keep *k)
{
    uint64_t bytes = 0;
    for (int i = 0; i < k->count; i++) {
        free(k->ptr[i]);
        bytes += k->bytes[i];
    }
    k->count = 0;
    return bytes;
}

uint64_t lt_keep_drain(lt_keep *k)
{
    if (!k)
        return 0;
    pthread_mutex_lock(&k->lock);
    uint64_t bytes = free_kept(k);
    pthread_mutex_unlock(&k->lock);
    return bytes;
}

void lt_keep_free(lt_keep *k)
{
    if (!k)
        return;
    lt_keep_drain(k);
    pthread_mutex_destroy(&k->lock);
    free(k);
}

uint64_t lt_keep_bytes(lt_keep *k)
{
    uint64_t bytes = 0;
    if (!k)
        return 0;
    pthread_mutex_lock(&k->lock);
    for (int i = 0; i < k->count; i++)
        bytes += k->bytes[i];
    pthread_mutex_unlock(&k->lock);
    return bytes;
}

void lt_keep_counts(lt_keep *k, uint64_t *reused, uint64_t *fresh)
{
    *reused = *fresh = 0;
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    *reused = k->reused;
    *fresh = k->fresh;
    pthread_mutex_unlock(&k->lock);
}

/* A block of have bytes serves want bytes when the rest is at most an eighth of want
 * (and a huge page, the rounding of lt_big_alloc's big blocks). */
static int serves(size_t have, size_t want)
{
    return have >= want && have - want <= want / 8 + (have >= BIG_ENOUGH ? HUGE_PAGE : 0);
}

void *lt_keep_take(lt_keep *k, size_t bytes, size_t *got)
{
    if (!keeps(k, bytes))
        return NULL;
    pthread_mutex_lock(&k->lock);
    int best = -1;
    for (int i = 0; i < k->count; i++)
        if (serves(k->bytes[i], bytes) && (best < 0 || k->bytes[i] < k->bytes[best]))
            best = i;
    void *p = NULL;
    if (best >= 0) {
        p = k->ptr[best];
        *got = k->bytes[best];
        k->count--;
        k->ptr[best] = k->ptr[k->count];
        k->bytes[best] = k->bytes[k->count];
        k->reused++;
    } else {
        free_kept(k); /* this analysis's sizes differ: what is kept would only add to its peak */
        k->fresh++;
    }
    pthread_mutex_unlock(&k->lock);
    return p;
}

void lt_keep_give(lt_keep *k, void *ptr, size_t bytes)
{
    if (!ptr)
        return;
    if (!keeps(k, bytes)) {
        free(ptr);
        return;
    }
    pthread_mutex_lock(&k->lock);
    int kept = k->count < KEEP_SLOTS;
    if (kept) {
        k->ptr[k->count] = ptr; /* big blocks are whole huge pages (smaller ones as given) */
        k->bytes[k->count++] = bytes < BIG_ENOUGH ? bytes : (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    }
    pthread_mutex_unlock(&k->lock);
    if (!kept)
        free(ptr);
}

/* A kept block of count * size bytes, else big_block's. */
static void *keep_block(lt_keep *k, size_t count, size_t size, int timed)
{
    size_t got;
    void *p = size && count > SIZE_MAX / size ? NULL : lt_keep_take(k, count * size, &got);
    return p ? p : big_block(count, size, timed);
}

void *lt_keep_alloc(lt_keep *k, size_t count, size_t size)
{
    return keep_block(k, count, size, 1);
}

void *lt_keep_alloc_ahead(lt_keep *k, size_t count, size_t size)
{
    return keep_block(k, count, size, 0);
}

/* ---- the pool of one analysis ------------------------------------------------------ */

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
    if (want < BIG_ENOUGH && !(pool && keeps(pool->keep, want)))
        return lt_big_alloc(count, size);
    int best = want < BIG_ENOUGH ? -1 : smallest_fitting(pool, want);
    size_t got = 0;
    void *p = NULL;
    if (best >= 0) {
        p = pool->ptr[best];
        got = pool->bytes[best];
        forget(pool, best);
    } else if (!pool || !(p = lt_keep_take(pool->keep, want, &got))) {
        return lt_big_alloc(count, size);
    }
    if (pool->lent_count < LT_POOL_SLOTS) {
        pool->lent[pool->lent_count] = p;
        pool->lent_bytes[pool->lent_count++] = got;
    }
    return p;
}

void *lt_pool_calloc(lt_pool *pool, size_t count, size_t size)
{
    void *p = lt_pool_alloc(pool, count, size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

/* The real size of a block coming back (bytes, or more when the pool lent it whole); the
 * pool forgets having lent it. */
static size_t returned_bytes(lt_pool *pool, void *ptr, size_t bytes)
{
    for (int i = 0; pool && i < pool->lent_count; i++)
        if (pool->lent[i] == ptr) {
            bytes = pool->lent_bytes[i] > bytes ? pool->lent_bytes[i] : bytes;
            pool->lent[i] = pool->lent[--pool->lent_count];
            pool->lent_bytes[i] = pool->lent_bytes[pool->lent_count];
            break;
        }
    return bytes;
}

void lt_pool_release(lt_pool *pool, void *ptr, size_t bytes)
{
    if (!ptr)
        return;
    bytes = returned_bytes(pool, ptr, bytes);
    if (!pool || pool->count == LT_POOL_SLOTS || bytes < BIG_ENOUGH) {
        lt_keep_give(pool ? pool->keep : NULL, ptr, bytes);
        return;
    }
    pool->ptr[pool->count] = ptr; /* big blocks are whole huge pages */
    pool->bytes[pool->count++] = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

void lt_pool_give_back(lt_pool *pool, void *ptr, size_t bytes)
{
    if (ptr)
        lt_keep_give(pool ? pool->keep : NULL, ptr, returned_bytes(pool, ptr, bytes));
}

size_t lt_pool_disown(lt_pool *pool, void *ptr, size_t bytes)
{
    return ptr ? returned_bytes(pool, ptr, bytes) : bytes;
}

void lt_pool_drain(lt_pool *pool)
{
    for (int i = 0; i < pool->count; i++)
        lt_keep_give(pool->keep, pool->ptr[i], pool->bytes[i]);
    pool->count = 0;
}

void lt_pool_trim(lt_pool *pool, int count, size_t bytes)
{
    int kept = 0;
    for (; kept < count; kept++) { /* the smallest fitting block of the rest moves to slot kept */
        int best = -1;
        for (int i = kept; i < pool->count; i++)
            if (pool->bytes[i] >= bytes && (best < 0 || pool->bytes[i] < pool->bytes[best]))
                best = i;
        if (best < 0)
            break;
        void *ptr = pool->ptr[best];
        size_t size = pool->bytes[best];
        pool->ptr[best] = pool->ptr[kept], pool->bytes[best] = pool->bytes[kept];
        pool->ptr[kept] = ptr, pool->bytes[kept] = size;
    }
    for (int i = kept; i < pool->count; i++)
        lt_keep_give(pool->keep, pool->ptr[i], pool->bytes[i]);
    pool->count = kept;
}

void lt_pool_take_all(lt_pool *pool, lt_pool *from)
{
    for (int i = 0; i < from->count; i++)
        lt_pool_release(pool, from->ptr[i], from->bytes[i]);
    from->count = 0;
}

void lt_big_back_block(void *block, size_t bytes, size_t size, int *small)
{
    char *p = block;
    size_t len = size < bytes ? size : bytes;
    if ((uintptr_t)p % HUGE_PAGE || size < BIG_ENOUGH)
        return; /* not one of big_block's: faulted in as it is touched */
    if (*small) /* slow huge pages before: this block as 4 KiB pages from the start */
        small_pages(p, p + size);
    for (size_t at = 0; at < len; at += HUGE_PAGE)
        if (lt_big_back(p + at, len - at < HUGE_PAGE ? len - at : HUGE_PAGE, size - at, small))
            return; /* the kernel cannot populate: the stage faults them in */
}

/* Blocks [from, to) of a pool to back, on one thread. */
typedef struct back_part {
    lt_pool *pool;
    size_t bytes;
    int from, to;
} back_part;

static void *back_blocks(void *arg)
{
    const back_part *part = arg;
    int small = 0; /* each thread finds out for itself whether huge pages come slow */
    for (int i = part->from; i < part->to; i++)
        lt_big_back_block(part->pool->ptr[i], part->bytes, part->pool->bytes[i], &small);
    return NULL;
}

void lt_pool_back(lt_pool *pool, size_t bytes)
{
    int half = pool->count / 2;
    back_part parts[2] = {{pool, bytes, 0, half}, {pool, bytes, half, pool->count}};
    pthread_t thread;
    int threaded = half > 0 && pthread_create(&thread, NULL, back_blocks, &parts[0]) == 0;
    if (!threaded)
        back_blocks(&parts[0]);
    back_blocks(&parts[1]);
    if (threaded)
        pthread_join(thread, NULL);
}

int lt_pool_reserve(lt_pool *pool, int count, size_t bytes)
{
    int added = 0;
    for (; added < count && pool->count < LT_POOL_SLOTS; added++) {
        size_t got = bytes;
        void *p = lt_keep_take(pool->keep, bytes, &got);
        if (!p && !(p = lt_big_alloc_ahead(bytes, 1)))
            break;
        lt_pool_release(pool, p, got);
    }
    return added;
}
