/* byte_queue.c: the producer/consumer ring, see byte_queue.h (which states
 * the locking rule). */
#include "input/byte_queue.h"

#include <stdlib.h>

int lt_byte_queue_init(struct lt_byte_queue *q, lt_error *err)
{
    unsigned i = 0;
    if (pthread_mutex_init(&q->lock, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&q->not_empty, NULL) != 0)
        goto fail_lock;
    if (pthread_cond_init(&q->not_full, NULL) != 0)
        goto fail_not_empty;
    for (; i < LT_BYTE_QUEUE_SLOTS; i++)
        if (!(q->slots[i].data = malloc(LT_BYTE_QUEUE_SLOT_SIZE)))
            goto fail_slots;
    atomic_init(&q->cancel, false);
    return 0;
fail_slots:
    while (i-- > 0)
        free(q->slots[i].data);
    pthread_cond_destroy(&q->not_full);
fail_not_empty:
    pthread_cond_destroy(&q->not_empty);
fail_lock:
    pthread_mutex_destroy(&q->lock);
fail:
    return lt_error_set(err, LT_ENOMEM, "out of memory setting up the input buffers");
}

void lt_byte_queue_destroy(struct lt_byte_queue *q)
{
    for (unsigned i = 0; i < LT_BYTE_QUEUE_SLOTS; i++)
        free(q->slots[i].data);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->lock);
}

struct lt_byte_queue_slot *lt_byte_queue_acquire(struct lt_byte_queue *q)
{
    struct lt_byte_queue_slot *sl = NULL;
    pthread_mutex_lock(&q->lock);
    while (q->count == LT_BYTE_QUEUE_SLOTS && !atomic_load(&q->cancel))
        pthread_cond_wait(&q->not_full, &q->lock);
    if (!atomic_load(&q->cancel)) {
        sl = &q->slots[(q->head + q->count) % LT_BYTE_QUEUE_SLOTS];
        sl->len = 0;
    }
    pthread_mutex_unlock(&q->lock);
    return sl;
}

void lt_byte_queue_commit(struct lt_byte_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

void lt_byte_queue_finish(struct lt_byte_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->done = true;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

struct lt_byte_queue_slot *lt_byte_queue_pop(struct lt_byte_queue *q)
{
    struct lt_byte_queue_slot *sl;
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->done)
        pthread_cond_wait(&q->not_empty, &q->lock);
    sl = q->count > 0 ? &q->slots[q->head] : NULL;
    pthread_mutex_unlock(&q->lock);
    return sl;
}

void lt_byte_queue_release(struct lt_byte_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->head = (q->head + 1) % LT_BYTE_QUEUE_SLOTS;
    q->count--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

void lt_byte_queue_cancel(struct lt_byte_queue *q)
{
    pthread_mutex_lock(&q->lock);
    atomic_store(&q->cancel, true);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}
