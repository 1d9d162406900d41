/* number_split.c: see number_split.h. */
#include "snapshot/number_split.h"
#include "snapshot/number_scan.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"

enum split_state { IDLE, WORK, DONE, QUIT };

struct lt_number_split {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    enum split_state state;
    const char *text;
    size_t len;
    uint32_t *value, *end;
    size_t value_cap, end_cap;
    long count; /* the result: numbers read, or -1 */
};

/* The numbers of text[0..len) (number_scan.h); -1 when out of memory. */
static long read_numbers(lt_number_split *s, const char *text, size_t len)
{
    size_t most = len / 2 + 1; /* every number takes a comma and a digit */
    if (lt_reserve(&s->value, &s->value_cap, most, sizeof *s->value, 4096) ||
        lt_reserve(&s->end, &s->end_cap, most, sizeof *s->end, 4096))
        return -1;
    return (long)lt_scan_numbers(text, len, s->value, s->end, most, true);
}

static void *run(void *arg)
{
    lt_number_split *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (s->state != WORK && s->state != QUIT)
            pthread_cond_wait(&s->changed, &s->lock);
        if (s->state == QUIT)
            break;
        const char *text = s->text;
        size_t len = s->len;
        pthread_mutex_unlock(&s->lock);
        long count = read_numbers(s, text, len);
        pthread_mutex_lock(&s->lock);
        s->count = count;
        s->state = DONE;
        pthread_cond_broadcast(&s->changed);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

lt_number_split *lt_number_split_start(void)
{
    lt_number_split *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (pthread_mutex_init(&s->lock, NULL)) {
        free(s);
        return NULL;
    }
    if (pthread_cond_init(&s->changed, NULL)) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    if (pthread_create(&s->thread, NULL, run, s)) {
        pthread_cond_destroy(&s->changed);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    return s;
}

void lt_number_split_submit(lt_number_split *s, const char *text, size_t len)
{
    pthread_mutex_lock(&s->lock);
    s->text = text;
    s->len = len;
    s->state = WORK;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

long lt_number_split_wait(lt_number_split *s, const uint32_t **values, const uint32_t **ends)
{
    pthread_mutex_lock(&s->lock);
    while (s->state == WORK)
        pthread_cond_wait(&s->changed, &s->lock);
    long count = s->state == DONE ? s->count : -1;
    s->state = IDLE;
    pthread_mutex_unlock(&s->lock);
    *values = s->value;
    *ends = s->end;
    return count;
}

void lt_number_split_stop(lt_number_split *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->state = QUIT;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
    free(s->value);
    free(s->end);
    free(s);
}
