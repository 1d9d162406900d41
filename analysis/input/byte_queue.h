/* byte_queue: the bounded ring of buffers that carries uncompressed bytes
 * from the decompression thread (the producer) to the caller's thread (the
 * consumer). Internal to archive_input.c and its backends.
 *
 * The queue owns LT_BYTE_QUEUE_SLOTS buffers of LT_BYTE_QUEUE_SLOT_SIZE bytes.
 * A struct lt_byte_queue is caller-allocated (embedded in the stream) and set
 * up with lt_byte_queue_init, torn down with lt_byte_queue_destroy.
 *
 * Locking rule: `lock` guards head, count and done; every change to them
 * happens under it. Slot contents belong to one side at a time, never under
 * the lock: the producer owns slots[(head + count) % LT_BYTE_QUEUE_SLOTS] from
 * lt_byte_queue_acquire to lt_byte_queue_commit, the consumer owns
 * slots[head] from lt_byte_queue_pop to lt_byte_queue_release. `cancel` is
 * atomic so read loops can test it without the lock, but it is set under the
 * lock so no waiter misses the wake-up. */
#ifndef LT_BYTE_QUEUE_H
#define LT_BYTE_QUEUE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lt_error.h"

#define LT_BYTE_QUEUE_SLOTS     4u         /* buffers between producer and consumer */
#define LT_BYTE_QUEUE_SLOT_SIZE (2u << 20) /* bytes per buffer */

struct lt_byte_queue_slot {
    char *data; /* LT_BYTE_QUEUE_SLOT_SIZE bytes, owned by the queue */
    size_t len;
    uint64_t consumed; /* producer's progress mark when the slot was committed */
};

struct lt_byte_queue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty; /* consumer waits; signalled by commit, finish */
    pthread_cond_t not_full;  /* producer waits; signalled by release, cancel */
    struct lt_byte_queue_slot slots[LT_BYTE_QUEUE_SLOTS];
    unsigned head, count;
    bool done;
    atomic_bool cancel;
};

/* Sets up q (zero-filled by the caller) and allocates its buffers. Returns 0,
 * or LT_ENOMEM with err set and nothing left to free. */
int lt_byte_queue_init(struct lt_byte_queue *q, lt_error *err);

/* Frees the buffers and synchronisation objects of an initialised q. Neither
 * thread may use q any more. */
void lt_byte_queue_destroy(struct lt_byte_queue *q);

/* Producer: waits for a free slot and returns it emptied (len 0); the
 * producer owns it until lt_byte_queue_commit. NULL once cancelled. */
struct lt_byte_queue_slot *lt_byte_queue_acquire(struct lt_byte_queue *q);

/* Producer: publishes the slot it acquired to the consumer. */
void lt_byte_queue_commit(struct lt_byte_queue *q);

/* Producer: no more slots will come; lt_byte_queue_pop returns NULL once the
 * published ones are taken. */
void lt_byte_queue_finish(struct lt_byte_queue *q);

/* Consumer: waits for and returns the oldest full slot, which the consumer
 * owns until lt_byte_queue_release; NULL when the producer is done. */
struct lt_byte_queue_slot *lt_byte_queue_pop(struct lt_byte_queue *q);

/* Consumer: gives back the slot lt_byte_queue_pop returned. */
void lt_byte_queue_release(struct lt_byte_queue *q);

/* Consumer: asks the producer to stop; its next lt_byte_queue_acquire (or a
 * wait already under way) returns NULL, and readers polling `cancel` see it. */
void lt_byte_queue_cancel(struct lt_byte_queue *q);

#endif
