/* http_guard: slow-client cuts, 408s and the `?wait=` waiters' wake-ups. See http_guard.h. */
#include "http_guard.h"

#include <libpq-fe.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "db.h"

#define NOTIFIED_MAX 64  /* ids remembered per tick; more wake every waiter */
#define WAKE_BATCH   256 /* waiters resumed per pass */

enum phase { PHASE_HEADERS, PHASE_BODY, PHASE_ANSWER, PHASE_CUT };

typedef struct conn_record {
    int fd;
    enum phase phase;
    double since;        /* when the phase (or the body window) began */
    size_t window_bytes; /* body bytes in the current window */
    struct conn_record *prev, *next;
} conn_record;

struct lt_http_guard {
    /* lock guards both lists, every record's fields and `stopping`. No database call, no
     * libmicrohttpd call and no blocking I/O runs under it; shutdown(2) and a non-blocking
     * send(2) of the 408 do. */
    pthread_mutex_t lock;
    conn_record *records;
    lt_http_waiter *waiters;
    size_t waiting;
    int stopping, quit;
    lt_http_guard_limits limits;
    char *conninfo;
    PGconn *listen; /* the guard thread's own */
    double next_connect, next_recheck;
    pthread_t thread;
};

double lt_http_guard_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- connection records ---- */

void lt_http_guard_notify(lt_http_guard *g, struct MHD_Connection *connection, void **socket_context, int closed)
{
    conn_record *r = *socket_context;
    if (closed) {
        if (!r)
            return;
        pthread_mutex_lock(&g->lock);
        if (r->prev)
            r->prev->next = r->next;
        else
            g->records = r->next;
        if (r->next)
            r->next->prev = r->prev;
        pthread_mutex_unlock(&g->lock);
        free(r);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!info || !(r = calloc(1, sizeof *r)))
        return; /* unguarded: the library's inactivity timeout still applies */
    r->fd = info->connect_fd;
    r->since = lt_http_guard_now();
    pthread_mutex_lock(&g->lock);
    r->next = g->records;
    if (r->next)
        r->next->prev = r;
    g->records = r;
    pthread_mutex_unlock(&g->lock);
    *socket_context = r;
}

static void set_phase(lt_http_guard *g, conn_record *r, enum phase phase)
{
    if (!r)
        return;
    pthread_mutex_lock(&g->lock);
    if (r->phase != PHASE_CUT) {
        r->phase = phase;
        r->since = lt_http_guard_now();
        r->window_bytes = 0;
    }
    pthread_mutex_unlock(&g->lock);
}

void lt_http_guard_headers_done(lt_http_guard *g, void *rec)
{
    set_phase(g, rec, PHASE_BODY);
}

void lt_http_guard_body_done(lt_http_guard *g, void *rec)
{
    set_phase(g, rec, PHASE_ANSWER);
}

void lt_http_guard_request_done(lt_http_guard *g, void *rec)
{
    set_phase(g, rec, PHASE_HEADERS);
}

int lt_http_guard_body(lt_http_guard *g, void *rec, size_t bytes)
{
    conn_record *r = rec;
    if (!r)
        return 0;
    pthread_mutex_lock(&g->lock);
    r->window_bytes += bytes;
    int cut = r->phase == PHASE_CUT;
    pthread_mutex_unlock(&g->lock);
    return cut;
}

/* Writes a 408 (best effort: the socket is the client's problem) and cuts. Under lock. */
static void answer_408(conn_record *r, const lt_http_guard_limits *l)
{
    char body[200], head[200];
    int n = snprintf(body, sizeof body,
                     "{\"error\":{\"code\":\"request_timeout\",\"message\":\"the body arrived slower than %.0f "
                     "bytes a second over %.0f s\"}}",
                     l->body_min_rate, l->body_window_s);
    int h = snprintf(head, sizeof head,
                     "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n"
                     "X-Content-Type-Options: nosniff\r\nConnection: close\r\nContent-Length: %d\r\n\r\n",
                     n);
    if (send(r->fd, head, (size_t)h, MSG_NOSIGNAL | MSG_DONTWAIT) == h)
        (void)send(r->fd, body, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(r->fd, SHUT_RDWR);
    r->phase = PHASE_CUT;
}

/* One pass over the records: cut late headers, answer slow bodies. Under lock. */
static void reap(lt_http_guard *g, double now)
{
    const lt_http_guard_limits *l = &g->limits;
    for (conn_record *r = g->records; r; r = r->next) {
        double age = now - r->since;
        if (r->phase == PHASE_HEADERS && (age >= l->header_timeout_s || g->stopping)) {
            shutdown(r->fd, SHUT_RDWR);
            r->phase = PHASE_CUT;
        } else if (r->phase == PHASE_BODY && age >= l->body_window_s) {
            if ((double)r->window_bytes < l->body_min_rate * age) {
                answer_408(r, l);
                continue;
            }
            r->since = now;
            r->window_bytes = 0;
        }
    }
}

/* ---- waiters ---- */

static void unlink_waiter(lt_http_guard *g, lt_http_waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        g->waiters = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->prev = w->next = NULL;
    w->linked = 0;
    g->waiting--;
}

void lt_http_guard_suspend(lt_http_guard *g, lt_http_waiter *w)
{
    MHD_suspend_connection(w->connection); /* the library's calls are never made under lock */
    pthread_mutex_lock(&g->lock);
    w->prev = NULL;
    w->next = g->waiters;
    if (w->next)
        w->next->prev = w;
    g->waiters = w;
    w->linked = 1;
    g->waiting++;
    pthread_mutex_unlock(&g->lock);
}

size_t lt_http_guard_waiting(lt_http_guard *g)
{
    pthread_mutex_lock(&g->lock);
    size_t n = g->waiting;
    pthread_mutex_unlock(&g->lock);
    return n;
}

static int notified(const int64_t *ids, int n, int64_t key)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == key)
            return 1;
    return 0;
}

/* Unlinks up to WAKE_BATCH waiters whose analysis was notified (n < 0: all) or whose time
 * is up, into out; returns how many. Under lock; the caller resumes them after unlocking
 * (a suspended connection cannot close, so they stay valid). */
static size_t take_woken(lt_http_guard *g, const int64_t *ids, int n, double now, struct MHD_Connection **out)
{
    size_t taken = 0;
    lt_http_waiter *w = g->waiters;
    while (w && taken < WAKE_BATCH) {
        lt_http_waiter *next = w->next;
        if (n < 0 || g->stopping || now >= w->deadline || notified(ids, n, w->key)) {
            unlink_waiter(g, w);
            out[taken++] = w->connection;
        }
        w = next;
    }
    return taken;
}

/* Resumes the waiters take_woken picks, batch by batch. Not under lock. */
static void wake(lt_http_guard *g, const int64_t *ids, int n, double now)
{
    struct MHD_Connection *batch[WAKE_BATCH];
    size_t taken;
    do {
        pthread_mutex_lock(&g->lock);
        taken = take_woken(g, ids, n, now, batch);
        pthread_mutex_unlock(&g->lock);
        for (size_t i = 0; i < taken; i++)
            MHD_resume_connection(batch[i]);
    } while (taken == WAKE_BATCH);
}

/* ---- the LISTEN connection ---- */

static void listen_connect(lt_http_guard *g, double now)
{
    lt_error err;
    if (g->listen || now < g->next_connect)
        return;
    g->next_connect = now + LT_HTTP_GUARD_RECONNECT_S;
    if (lt_db_connect(g->conninfo, &g->listen, &err))
        return;
    if (lt_db_exec(g->listen, "LISTEN " LT_HTTP_GUARD_CHANNEL, 0, NULL, NULL, &err)) {
        lt_db_close(g->listen);
        g->listen = NULL;
        return;
    }
    g->next_recheck = now; /* what changed while we were away */
}

/* Waits up to one tick for notifications; returns how many ids (-1: too many, wake all). */
static int listen_collect(lt_http_guard *g, int64_t *ids)
{
    if (!g->listen) {
        poll(NULL, 0, LT_HTTP_GUARD_TICK_MS);
        return 0;
    }
    struct pollfd p = {.fd = PQsocket(g->listen), .events = POLLIN};
    if (poll(&p, 1, LT_HTTP_GUARD_TICK_MS) > 0 && !PQconsumeInput(g->listen)) {
        lt_db_close(g->listen); /* reconnects next tick */
        g->listen = NULL;
        return 0;
    }
    int n = 0;
    for (PGnotify *nt; (nt = PQnotifies(g->listen)); PQfreemem(nt))
        n = n < 0 || n == NOTIFIED_MAX ? -1 : (ids[n] = strtoll(nt->extra, NULL, 10), n + 1);
    return n;
}

static void *guard_main(void *arg)
{
    lt_http_guard *g = arg;
    int64_t ids[NOTIFIED_MAX];
    for (;;) {
        double now = lt_http_guard_now();
        listen_connect(g, now);
        int n = listen_collect(g, ids);
        now = lt_http_guard_now();
        if (now >= g->next_recheck) {
            n = -1;
            g->next_recheck = now + LT_HTTP_GUARD_RECHECK_MS / 1000.0;
        }
        wake(g, ids, n, now);
        pthread_mutex_lock(&g->lock);
        int quit = g->quit;
        reap(g, now);
        pthread_mutex_unlock(&g->lock);
        if (quit)
            return NULL;
    }
}

/* ---- start and stop ---- */

int lt_http_guard_start(const char *conninfo, const lt_http_guard_limits *limits, lt_http_guard **out, lt_error *err)
{
    lt_http_guard *g = calloc(1, sizeof *g);
    if (!g || !(g->conninfo = strdup(conninfo))) {
        free(g);
        return lt_error_set(err, LT_ENOMEM, "out of memory starting the HTTP guard");
    }
    g->limits = *limits;
    g->next_recheck = lt_http_guard_now() + LT_HTTP_GUARD_RECHECK_MS / 1000.0;
    pthread_mutex_init(&g->lock, NULL);
    if (pthread_create(&g->thread, NULL, guard_main, g)) {
        pthread_mutex_destroy(&g->lock);
        free(g->conninfo);
        free(g);
        return lt_error_set(err, LT_ENOMEM, "cannot start the HTTP guard thread");
    }
    *out = g;
    return 0;
}

void lt_http_guard_stopping(lt_http_guard *g)
{
    pthread_mutex_lock(&g->lock);
    g->stopping = 1;
    pthread_mutex_unlock(&g->lock);
    wake(g, NULL, -1, lt_http_guard_now());
}

void lt_http_guard_stop(lt_http_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = g->quit = 1;
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    lt_db_close(g->listen);
    for (conn_record *r = g->records, *next; r; r = next) {
        next = r->next;
        free(r);
    }
    pthread_mutex_destroy(&g->lock);
    free(g->conninfo);
    free(g);
}
