/* big_alloc: allocation of the large per-node and per-edge arrays. Arrays of
 * 4 MiB and more are 2 MiB-aligned and advised as transparent huge pages while
 * those come cheap: touching fresh memory is a large part of the analysis time, and
 * huge pages cut the page faults 512-fold. But where the host backs a virtual
 * machine's memory only when it is touched and takes back what the guest frees (free
 * page reporting), a huge page the guest had not used recently costs the host's faults
 * for 2 MiB: 2.6 s a GiB measured here, against 0.12 s a GiB for huge pages freed a
 * moment before and 0.45 s for 4 KiB pages (which come from blocks too small to be
 * reported). So the first huge page of each array is timed, and so is each 2 MiB step
 * lt_big_back (prefault.c) backs: once one takes longer than 4 KiB pages would
 * (LT_SLOW_HUGE_PAGE_NS of the thread's own CPU time, so that being preempted does not
 * count), the rest of that range is advised as 4 KiB pages. Free with free(). */
#ifndef LT_BIG_ALLOC_H
#define LT_BIG_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "lt_keep.h"

/* Like malloc(count * size) (with an overflow check); NULL on failure. */
void *lt_big_alloc(size_t count, size_t size);

/* The same for an array a prefault walk backs (prefault.h), which times its own steps:
 * nothing of it is touched here. */
void *lt_big_alloc_ahead(size_t count, size_t size);

/* The thread CPU time past which backing one huge page is slower than backing it as
 * 4 KiB pages: warm huge pages take 0.2-0.6 ms here, 4 KiB pages 0.5-1 ms for 2 MiB,
 * huge pages the host must back first about 5 ms. */
#define LT_SLOW_HUGE_PAGE_NS 1000000

/* Backs [base, base + bytes) now (MADV_POPULATE_WRITE: contents unchanged), a range
 * inside an lt_big_alloc block, on the calling thread. *small says the range is on 4 KiB
 * pages: when it is not and backing the first 2 MiB of it takes longer than
 * LT_SLOW_HUGE_PAGE_NS, the rest of the range from there on (to base + rest) is advised
 * as 4 KiB pages and *small set. Returns 0, or -1 when the kernel cannot populate
 * (before Linux 5.14). */
int lt_big_back(void *base, size_t bytes, size_t rest, int *small);

/* Like calloc(count, size). */
void *lt_big_calloc(size_t count, size_t size);

/* Gives the whole huge pages (2 MiB) of [from, from + bytes), inside a block of
 * lt_big_alloc's (or a pool's), back to the kernel: they stop counting towards the
 * resident memory and read as zero when touched again (a huge page again: one fault, not
 * 512). For the unused end of a block that stays allocated. */
void lt_big_discard(void *from, size_t bytes);

/* Big blocks kept between analyses (the public half, lt_keep_new and friends, is in
 * lt_keep.h): a pool asks its keep when it has no block of its own, and an analysis
 * gives its blocks there when it is freed. A kept block serves a request of at most its
 * size and at least its size less an eighth and a huge page, so a small array never takes
 * a block a bigger one of the same analysis will ask for. When a request finds no such
 * block, every kept block is freed first: kept memory is reused or gone, and never adds to
 * an analysis's own peak. Thread-safe.
 *
 * A kept block for bytes (its real size in *got), or NULL: then none fitted, every kept
 * block has been freed and the caller takes fresh memory. k may be NULL (NULL). */
void *lt_keep_take(lt_keep *k, size_t bytes, size_t *got);

/* Keeps a block of `bytes` usable bytes (frees it when k is NULL or full, or the block is
 * smaller than lt_big_alloc's huge-page blocks). ptr may be NULL. */
void lt_keep_give(lt_keep *k, void *ptr, size_t bytes);

/* Keeps (and serves) blocks from bytes up instead of from lt_big_alloc's huge-page size
 * (4 MiB): for tests, whose snapshots have smaller arrays. */
void lt_keep_set_smallest(lt_keep *k, size_t bytes);

/* lt_big_alloc's block of count*size bytes, taken from k when it keeps one that fits. */
void *lt_keep_alloc(lt_keep *k, size_t count, size_t size);

/* The same with lt_big_alloc_ahead. */
void *lt_keep_alloc_ahead(lt_keep *k, size_t count, size_t size);

/* A pool of released big blocks, owned by one analysis: a block released
 * after one stage is handed to the next instead of fresh memory (which costs
 * page faults and zeroing on every touch). Caller-allocated; start zeroed
 * ({0}, or with .keep set); lt_pool_drain frees what it keeps, or gives it to the
 * keep. A NULL pool means plain lt_big_alloc/free. Blocks from the pool may be freed
 * with free(). */
#define LT_POOL_SLOTS 16

typedef struct lt_pool {
    lt_keep *keep; /* asked when the pool has no fitting block; NULL: fresh memory */
    void *ptr[LT_POOL_SLOTS];
    size_t bytes[LT_POOL_SLOTS];
    int count;
    /* blocks handed out, with their real size: one released by a caller that used
     * less of it comes back whole */
    void *lent[LT_POOL_SLOTS];
    size_t lent_bytes[LT_POOL_SLOTS];
    int lent_count;
} lt_pool;

/* The smallest kept block of at least count*size bytes, or a new one. */
void *lt_pool_alloc(lt_pool *pool, size_t count, size_t size);

/* As lt_pool_alloc, zero-filled. */
void *lt_pool_calloc(lt_pool *pool, size_t count, size_t size);

/* Gives a block of `bytes` usable bytes back (frees it when the pool is full
 * or NULL). ptr may be NULL. */
void lt_pool_release(lt_pool *pool, void *ptr, size_t bytes);

/* Gives a block back past the pool, to pool->keep (freed when there is none): for a block
 * no later request of the pool's analysis will take, which in the pool would hold its
 * memory idle. ptr may be NULL. */
void lt_pool_give_back(lt_pool *pool, void *ptr, size_t bytes);

/* Takes a block the pool lent out of its books, for an owner that outlives the pool's
 * stages and gives the block to the keep itself (lt_keep_give, from any thread) at the
 * size returned: its real size (bytes, or more when the pool lent it whole). ptr may be
 * NULL (bytes). */
size_t lt_pool_disown(lt_pool *pool, void *ptr, size_t bytes);

/* Frees every kept block (gives it to pool->keep when set). */
void lt_pool_drain(lt_pool *pool);

/* Adds count fresh blocks of bytes each to pool (fewer when it runs out of slots or
 * memory): memory later stages will take, in the size the largest of them needs, so that
 * a smaller array's block serves a bigger one after it (analysis.c's dominators' scratch).
 * lt_big_alloc_ahead's: untouched until used. Returns how many it added. */
int lt_pool_reserve(lt_pool *pool, int count, size_t bytes);

/* Backs the first `bytes` of every block pool keeps (of all of a smaller one) now, half
 * the blocks on the calling thread and half on a thread of its own (joined before it
 * returns; all on the caller when none starts), in 2 MiB steps (lt_big_back): as huge
 * pages while they come cheap, and from the first step that takes longer than 4 KiB pages
 * would, the rest of that block and of that thread's blocks after it as 4 KiB pages. For
 * memory a stage will touch at random, which would otherwise fault in every huge page as
 * it comes, however slow. */
void lt_pool_back(lt_pool *pool, size_t bytes);

/* The same for one block of size bytes from lt_big_alloc or a pool (else nothing is
 * done), *small as lt_big_back's (set: 4 KiB pages from the start). */
void lt_big_back_block(void *block, size_t bytes, size_t size, int *small);

/* Keeps the count smallest blocks of at least bytes each and gives every other block
 * to pool->keep (freed when there is none): for when the stages left will ask for no
 * more than that, so that idle blocks do not add to the peak of what they allocate. */
void lt_pool_trim(lt_pool *pool, int count, size_t bytes);

/* Moves every block from keeps into pool (those it has no slot for are freed); from is
 * left empty. For a pool another thread used, once that thread is done. */
void lt_pool_take_all(lt_pool *pool, lt_pool *from);
#endif
