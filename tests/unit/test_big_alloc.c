/* test_big_alloc: the pool of big blocks hands a released block to the next user at
 * its real size, hands one block over to another pool (a stage on another thread) and
 * takes it back, gives a block no later request takes back past itself, and when
 * trimmed keeps only the blocks later stages will ask for, and backs the first part of
 * its blocks ahead of a stage; the keep
 * (blocks kept between analyses) serves arrays of about a block's size only, frees
 * everything it keeps when a request finds nothing, is what a pool asks when it has no
 * block and where it drains to, and takes two threads at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "analysis.h"
#include "util/big_alloc.h"

#define MIB ((size_t)1 << 20)

static void a_released_block_serves_the_next_array(void **state)
{
    (void)state;
    lt_pool pool = {0};
    assert_int_equal(lt_pool_reserve(&pool, 1, 8 * MIB), 1);
    char *a = lt_pool_alloc(&pool, 8 * MIB, 1); /* lent by the pool */
    assert_non_null(a);
    memset(a, 1, 8 * MIB);
    lt_pool_release(&pool, a, 4 * MIB); /* released smaller than it is: comes back whole */
    assert_int_equal(pool.count, 1);
    assert_true(pool.bytes[0] >= 8 * MIB);
    char *b = lt_pool_alloc(&pool, 6 * MIB, 1);
    assert_ptr_equal(b, a);
    assert_int_equal(pool.count, 0);
    free(b);
    lt_pool_drain(&pool);
}

/* The smallest block that fits serves; a pool another thread used gives its blocks to
 * this one when that thread is done (the side stages' pool after the dominators). */
static void the_smallest_fitting_block_serves_and_blocks_are_taken_over(void **state)
{
    (void)state;
    lt_pool pool = {0}, other = {0};
    assert_int_equal(lt_pool_reserve(&pool, 1, 16 * MIB), 1);
    assert_int_equal(lt_pool_reserve(&pool, 1, 8 * MIB), 1);
    void *small = pool.bytes[0] == 8 * MIB ? pool.ptr[0] : pool.ptr[1];
    void *used = lt_pool_alloc(&pool, 6 * MIB, 1);
    assert_ptr_equal(used, small); /* the smaller of the two that fit */
    assert_int_equal(pool.count, 1);
    assert_int_equal(pool.bytes[0], 16 * MIB);
    assert_int_equal(lt_pool_reserve(&other, 1, 8 * MIB), 1);
    void *theirs = lt_pool_alloc(&other, 8 * MIB, 1); /* the other side's stage */
    lt_pool_release(&other, theirs, 8 * MIB);
    lt_pool_take_all(&pool, &other);
    assert_int_equal(pool.count, 2);
    assert_int_equal(other.count, 0);
    lt_pool_release(&pool, used, 6 * MIB);
    assert_int_equal(pool.count, 3);
    lt_pool_drain(&pool);
    assert_int_equal(pool.count, 0);
}

static void a_trimmed_pool_keeps_the_smallest_fitting_blocks(void **state)
{
    (void)state;
    lt_keep *k = lt_keep_new();
    lt_pool pool = {.keep = k};
    assert_int_equal(lt_pool_reserve(&pool, 1, 16 * MIB), 1);
    assert_int_equal(lt_pool_reserve(&pool, 1, 4 * MIB), 1);
    assert_int_equal(lt_pool_reserve(&pool, 2, 8 * MIB), 2);
    lt_pool_trim(&pool, 1, 6 * MIB); /* one 8 MiB block stays; 4 MiB is too small */
    assert_int_equal(pool.count, 1);
    assert_int_equal(pool.bytes[0], 8 * MIB);
    assert_int_equal(lt_keep_bytes(k), 28 * MIB); /* the others went to the keep */
    lt_pool_trim(&pool, 2, 32 * MIB);             /* none fits: all go */
    assert_int_equal(pool.count, 0);
    assert_int_equal(lt_keep_bytes(k), 36 * MIB);
    lt_pool none = {0};
    assert_int_equal(lt_pool_reserve(&none, 2, 8 * MIB), 2);
    lt_pool_trim(&none, 1, 8 * MIB); /* no keep: the other is freed (ASan: no leak) */
    assert_int_equal(none.count, 1);
    lt_pool_drain(&none);
    lt_keep_free(k);
}

/* A block no later request takes leaves the pool: to the keep, at its real size (or
 * freed when the pool has no keep). */
static void a_block_given_back_goes_past_the_pool(void **state)
{
    (void)state;
    lt_keep *k = lt_keep_new();
    lt_pool pool = {.keep = k};
    assert_int_equal(lt_pool_reserve(&pool, 1, 8 * MIB), 1);
    char *a = lt_pool_alloc(&pool, 6 * MIB, 1);
    assert_non_null(a);
    assert_int_equal(pool.count, 0);
    lt_pool_give_back(&pool, a, 6 * MIB); /* lent whole: goes back whole */
    assert_int_equal(pool.count, 0);
    assert_int_equal(pool.lent_count, 0);
    assert_int_equal(lt_keep_bytes(k), 8 * MIB);
    lt_pool_give_back(&pool, NULL, 8 * MIB);
    lt_pool none = {0};
    lt_pool_give_back(&none, lt_pool_alloc(&none, 8 * MIB, 1), 8 * MIB); /* freed */
    assert_int_equal(none.count, 0);
    lt_pool_drain(&pool);
    lt_keep_free(k);
}

/* A block taken out of the pool's books comes with its real size, and the pool no longer
 * counts it as lent. */
static void a_disowned_block_leaves_the_books_at_its_real_size(void **state)
{
    (void)state;
    lt_pool pool = {0};
    assert_int_equal(lt_pool_reserve(&pool, 1, 8 * MIB), 1);
    char *a = lt_pool_alloc(&pool, 6 * MIB, 1);
    assert_non_null(a);
    assert_int_equal(pool.lent_count, 1);
    assert_int_equal(lt_pool_disown(&pool, a, 6 * MIB), 8 * MIB);
    assert_int_equal(pool.lent_count, 0);
    assert_int_equal(lt_pool_disown(&pool, a, 6 * MIB), 6 * MIB); /* no longer lent */
    assert_int_equal(lt_pool_disown(&pool, NULL, 5), 5);
    lt_keep_give(NULL, a, 8 * MIB); /* freed (ASan: no leak) */
    lt_pool_drain(&pool);
}

/* Backing a range ahead never changes what it holds, whichever page size it ends on; a
 * range already on 4 KiB pages stays so. */
static void backing_keeps_the_contents(void **state)
{
    (void)state;
    size_t bytes = 12 * MIB;
    unsigned char *p = lt_big_alloc(bytes, 1);
    assert_non_null(p);
    for (size_t i = 0; i < 3 * MIB; i++) /* the first part written before it is backed */
        p[i] = (unsigned char)(i * 7);
    int small = 0;
    for (size_t at = 0; at < bytes; at += 2 * MIB) {
        int rc = lt_big_back(p + at, 2 * MIB, bytes - at, &small);
        if (rc) { /* a kernel without MADV_POPULATE_WRITE: nothing was done */
            assert_int_equal(rc, -1);
            break;
        }
    }
    for (size_t i = 0; i < 3 * MIB; i++)
        assert_int_equal(p[i], (unsigned char)(i * 7));
    int stays = 1;
    if (!lt_big_back(p, 2 * MIB, bytes, &stays))
        assert_int_equal(stays, 1);
    free(p);
}

/* Whether the page at p is resident. */
static int resident(const void *p)
{
    unsigned char in = 0;
    void *page = (void *)((uintptr_t)p & ~(uintptr_t)4095);
    assert_int_equal(mincore(page, 4096, &in), 0);
    return in & 1;
}

/* A pool backs the first part of each of its blocks and nothing past it (the last page of
 * a block stays untouched; lt_big_back keeps contents: backing_keeps_the_contents); a
 * block not of big_block's is left alone. */
static void a_pool_backs_the_first_part_of_its_blocks(void **state)
{
    (void)state;
    lt_pool pool = {0};
    assert_int_equal(lt_pool_reserve(&pool, 1, 8 * MIB), 1);
    assert_int_equal(lt_pool_reserve(&pool, 1, 12 * MIB), 1);
    for (int i = 0; i < 2; i++) /* past the first huge page: an allocator may write the first bytes */
        assert_false(resident((char *)pool.ptr[i] + 2 * MIB));
    lt_pool_back(&pool, 5 * MIB);
    char probe[4096] __attribute__((aligned(4096)));
#ifdef MADV_POPULATE_WRITE
    int populates = madvise(probe, sizeof probe, MADV_POPULATE_WRITE) == 0;
#else
    int populates = 0;
#endif
    for (int i = 0; i < 2; i++) {
        const char *block = pool.ptr[i];
        for (size_t at = 0; at < 5 * MIB; at += 4096)
            if (populates && !resident(block + at))
                fail_msg("block %d: byte %zu not backed", i, at);
        assert_false(resident(block + pool.bytes[i] - 1));
    }
    char *heap = malloc(MIB); /* not a big block: nothing done */
    int small = 0;
    lt_big_back_block(heap, MIB, MIB, &small);
    assert_int_equal(small, 0);
    free(heap);
    lt_pool_drain(&pool);
}

static void counts_are(lt_keep *k, uint64_t reused, uint64_t fresh)
{
    uint64_t r, f;
    lt_keep_counts(k, &r, &f);
    assert_int_equal(r, reused);
    assert_int_equal(f, fresh);
}

static void a_kept_block_serves_an_array_of_about_its_size(void **state)
{
    (void)state;
    lt_keep *k = lt_keep_new();
    assert_non_null(k);
    char *block = lt_big_alloc(8 * MIB, 1);
    memset(block, 7, 8 * MIB);
    lt_keep_give(k, block, 8 * MIB);
    lt_keep_give(k, malloc(1024), 1024); /* small: freed, not kept */
    assert_int_equal(lt_keep_bytes(k), 8 * MIB);
    size_t got = 0;
    assert_ptr_equal(lt_keep_take(k, 7 * MIB + 12345, &got), block); /* a bit smaller: served */
    assert_int_equal(got, 8 * MIB);
    assert_int_equal(lt_keep_bytes(k), 0);
    counts_are(k, 1, 0);
    lt_keep_give(k, block, 8 * MIB);
    assert_ptr_equal(lt_keep_alloc(k, 2 * MIB, 4), block); /* the graph's way in */
    lt_keep_give(k, block, 8 * MIB);
    lt_keep_free(k);
}

static void a_request_nothing_serves_frees_every_kept_block(void **state)
{
    (void)state;
    lt_keep *k = lt_keep_new();
    lt_keep_give(k, lt_big_alloc(64 * MIB, 1), 64 * MIB);
    lt_keep_give(k, lt_big_alloc(8 * MIB, 1), 8 * MIB);
    size_t got = 0;
    /* 40 MiB: the 8 MiB block is too small and the 64 MiB one far too big (a small array
     * must not hold a block a bigger one of the same analysis will ask for) */
    assert_null(lt_keep_take(k, 40 * MIB, &got));
    assert_int_equal(lt_keep_bytes(k), 0); /* the rest is gone: it would only add to the peak */
    counts_are(k, 0, 1);
    assert_null(lt_keep_take(k, 8 * MIB, &got));
    assert_null(lt_keep_take(NULL, 8 * MIB, &got));
    assert_null(lt_keep_take(k, 1024, &got)); /* small requests never ask */
    counts_are(k, 0, 2);
    assert_int_equal(lt_keep_drain(NULL), 0);
    lt_keep_free(k);
}

static void a_pool_asks_its_keep_and_drains_into_it(void **state)
{
    (void)state;
    lt_keep *k = lt_keep_new();
    void *kept = lt_big_alloc(16 * MIB, 1);
    lt_keep_give(k, kept, 16 * MIB);
    lt_pool pool = {.keep = k};
    void *a = lt_pool_alloc(&pool, 4 * MIB, 4); /* none in the pool: the keep's */
    assert_ptr_equal(a, kept);
    lt_pool_release(&pool, a, 15 * MIB); /* back at its real size */
    assert_int_equal(pool.count, 1);
    assert_int_equal(pool.bytes[0], 16 * MIB);
    assert_int_equal(lt_pool_reserve(&pool, 1, 8 * MIB), 1); /* none kept: fresh */
    assert_int_equal(pool.count, 2);
    lt_pool_drain(&pool);
    assert_int_equal(pool.count, 0);
    assert_int_equal(lt_keep_bytes(k), 24 * MIB);
    lt_pool other = {.keep = k};
    assert_int_equal(lt_pool_reserve(&other, 1, 8 * MIB), 1); /* the kept 8 MiB block */
    assert_int_equal(lt_keep_bytes(k), 16 * MIB);
    counts_are(k, 2, 1); /* the first reserve found none */
    lt_pool_drain(&other);
    lt_keep_free(k);
}

static void *give_and_take(void *arg)
{
    lt_keep *k = arg;
    for (int i = 0; i < 200; i++) {
        size_t got;
        void *p = lt_keep_take(k, 4 * MIB, &got);
        if (!p)
            p = lt_big_alloc(4 * MIB, 1);
        ((char *)p)[i] = 1;
        lt_keep_give(k, p, 4 * MIB);
    }
    return NULL;
}

static void two_threads_share_a_keep(void **state)
{
    (void)state;
    lt_keep *k = lt_keep_new();
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, give_and_take, k), 0);
    give_and_take(k);
    pthread_join(t, NULL);
    uint64_t reused, fresh;
    lt_keep_counts(k, &reused, &fresh);
    assert_int_equal(reused + fresh, 400);
    assert_true(reused >= 200); /* each thread finds its own block at least from its second turn */
    assert_true(lt_keep_bytes(k) >= 4 * MIB && lt_keep_bytes(k) <= 8 * MIB);
    lt_keep_free(k);
}

int main(void)
{
    /* every big block fresh from the kernel and back to it when freed, never memory an
     * earlier test freed into the heap (a_pool_backs_the_first_part_of_its_blocks looks
     * at which pages are resident) */
    mallopt(M_MMAP_THRESHOLD, (int)MIB);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_released_block_serves_the_next_array),
        cmocka_unit_test(the_smallest_fitting_block_serves_and_blocks_are_taken_over),
        cmocka_unit_test(a_trimmed_pool_keeps_the_smallest_fitting_blocks),
        cmocka_unit_test(a_block_given_back_goes_past_the_pool),
        cmocka_unit_test(a_disowned_block_leaves_the_books_at_its_real_size),
        cmocka_unit_test(backing_keeps_the_contents),
        cmocka_unit_test(a_pool_backs_the_first_part_of_its_blocks),
        cmocka_unit_test(a_kept_block_serves_an_array_of_about_its_size),
        cmocka_unit_test(a_request_nothing_serves_frees_every_kept_block),
        cmocka_unit_test(a_pool_asks_its_keep_and_drains_into_it),
        cmocka_unit_test(two_threads_share_a_keep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
