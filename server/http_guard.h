/* http_guard: what keeps the HTTP server (http.c) usable when clients are slow, idle or
 * waiting — one thread that owns three lists.
 *
 * DESIGN. libmicrohttpd 0.9.75 only has an inactivity timeout, which a client defeats by
 * sending one byte a second. The guard keeps a record of every open connection (its
 * phase and when that phase's clock started) and, about every LT_HTTP_GUARD_TICK_MS:
 *   - cuts (shutdown(2)) a connection whose request headers are not complete
 *     header_timeout_s after it opened or after its previous answer (also idle keep-alive
 *     connections, and at once every such connection once the server is stopping);
 *   - answers 408 and cuts a connection whose body brought fewer than body_min_rate bytes
 *     a second over a window of body_window_s (the answer is written by the guard: the
 *     library cannot queue one in the middle of a body);
 *   - resumes suspended `?wait=` requests (lt_http_guard_suspend) when their analysis
 *     changes state — it LISTENs on LT_HTTP_GUARD_CHANNEL, NOTIFYed by migration 0008 — or
 *     their deadline passes, or every LT_HTTP_GUARD_RECHECK_MS anyway (a NOTIFY sent between
 *     a waiter's read and its suspension, or while the database was away, is never lost
 *     for longer than that). A waiter holds neither a thread nor a database connection.
 * A shutdown(2) happens under the guard's lock and the record leaves the list under the
 * same lock when the library reports the connection closed, before it closes the
 * descriptor, so the guard never touches a reused descriptor.
 *
 * Failure: start fails only with LT_ENOMEM (no thread); a database that is away only
 * delays wake-ups until the recheck (the guard reconnects every second). */
#ifndef LT_HTTP_GUARD_H
#define LT_HTTP_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "lt_error.h"

#define LT_HTTP_GUARD_CHANNEL     "leaktriage_analyses" /* payload: the analysis id */
#define LT_HTTP_GUARD_TICK_MS     200
#define LT_HTTP_GUARD_RECHECK_MS  5000
#define LT_HTTP_GUARD_RECONNECT_S 1.0

struct MHD_Connection;
typedef struct lt_http_guard lt_http_guard;

typedef struct lt_http_guard_limits {
    double header_timeout_s; /* request headers complete within this */
    double body_window_s;    /* the body's rate is measured over windows this long */
    double body_min_rate;    /* bytes a second over a window, at least */
} lt_http_guard_limits;

/* A suspended request, embedded in the request (http.h): no allocation. */
typedef struct lt_http_waiter {
    struct MHD_Connection *connection;
    int64_t key;     /* the analysis id it waits for */
    double deadline; /* lt_http_guard_now() seconds */
    struct lt_http_waiter *prev, *next;
    int linked;
} lt_http_waiter;

/* Starts the guard thread; conninfo (copied) is the database it LISTENs on. 0 and *out, or
 * LT_ENOMEM with err set. */
int lt_http_guard_start(const char *conninfo, const lt_http_guard_limits *limits, lt_http_guard **out, lt_error *err);

/* Resumes every waiter, stops and joins the thread, frees g (NULL is fine). Call it only
 * once the library has closed every connection (MHD_stop_daemon). */
void lt_http_guard_stop(lt_http_guard *g);

/* From now on: waiters are resumed at once and idle connections cut. */
void lt_http_guard_stopping(lt_http_guard *g);

/* Monotonic seconds. */
double lt_http_guard_now(void);

/* The library's connection notification (MHD_OPTION_NOTIFY_CONNECTION), passing its
 * arguments: records a connection that opened (socket_context), forgets one that closed. */
void lt_http_guard_notify(lt_http_guard *g, struct MHD_Connection *connection, void **socket_context, int closed);

/* Phase changes of a connection's record (rec = its socket context; NULL is ignored):
 * headers complete; body bytes arrived (returns 1 when the guard already answered 408:
 * the caller drops the connection); body complete (no clock: the handler runs or waits);
 * answer given, waiting for the next request. */
void lt_http_guard_headers_done(lt_http_guard *g, void *rec);
int lt_http_guard_body(lt_http_guard *g, void *rec, size_t bytes);
void lt_http_guard_body_done(lt_http_guard *g, void *rec);
void lt_http_guard_request_done(lt_http_guard *g, void *rec);

/* Suspends w->connection (from inside the access handler) until key changes state,
 * w->deadline passes or the server stops; the library then calls the handler again. */
void lt_http_guard_suspend(lt_http_guard *g, lt_http_waiter *w);

/* How many requests are suspended. */
size_t lt_http_guard_waiting(lt_http_guard *g);

#endif
