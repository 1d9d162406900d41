/* http: the HTTP server — a libmicrohttpd daemon, dispatch through the routes table it is
 * given (api_routes.c gives the REST API's), JSON errors, API-key authentication of each
 * request (auth.h) and a small pool of PostgreSQL connections. It knows no route itself.
 *
 * DESIGN: libmicrohttpd serves every connection from a pool of http_threads threads with
 * epoll (no select() descriptor limit), at most max_connections connections and
 * max_per_ip from one address; the slow, idle and waiting ones are watched by http_guard.h
 * (headers within LT_HTTP_HEADER_TIMEOUT_S, a body at least LT_HTTP_BODY_MIN_RATE bytes a
 * second over LT_HTTP_BODY_WINDOW_S or 408). A handler blocks its thread only for short
 * work (a query, a write); a `?wait=` is not a loop but a suspension (lt_http_wait): the
 * connection waits without a thread or a database connection and the handler runs again
 * when the analysis changes state or the wait is over. A
 * request is matched against the configured table of routes (method, pattern with `{}`
 * captures; the first match wins);
 * an unknown path answers 404, a known path with another method 405. Routes that are not
 * public need `Authorization: Bearer KEY` or a session cookie (with its CSRF token when the
 * request changes state; auth.h): the caller's customer is found before any body is read,
 * so a request without valid credentials is refused without reading its upload.
 * A route sees the request through lt_http_request: `begin` before the body, `body` for
 * each chunk of it (never the whole body at once), `handle` when it is complete, `cleanup`
 * always at the end. Any of them may answer (lt_http_reply_json / lt_http_reply_error);
 * once one has, the rest of the body is read and dropped and later callbacks are skipped.
 *
 * Database connections come from a mutex-protected pool of at most db_connections: a
 * request takes one when it first needs it (lt_http_db) and gives it back as soon as its
 * handler returns (also before a body is read and before a wait), so one PGconn is never
 * used by two threads at once; when all are busy a request waits up to LT_HTTP_DB_WAIT_MS.
 * The pool keeps at most LT_HTTP_IDLE_CONNECTIONS idle connections. A database that cannot
 * be reached (down, restarting, pool exhausted) is answered 503 with Retry-After, never
 * with libpq's text; a broken connection is dropped with every idle one, and the next
 * request connects again.
 *
 * Every request gets an id (the client's X-Request-Id when sane, else a random one, log.h),
 * sent back as X-Request-Id on every answer and as "request_id" in every error body, and
 * ends with one JSON log line and its metrics (http_log.c).
 *
 * Stopping (lt_http_stop): stop accepting, wake every waiter (it answers what it has),
 * cut idle connections, let in-flight requests finish for up to grace_s, then close. */
#ifndef LT_HTTP_H
#define LT_HTTP_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "defaults.h"
#include "http_guard.h"
#include "log.h"
#include "lt_error.h"
#include "metrics.h"
#include "snapshot_store.h"

#define LT_HTTP_IDLE_CONNECTIONS 8
#define LT_HTTP_MAX_CAPTURES     2
#define LT_HTTP_LINGER_MS        1000 /* reading on after an answer given mid-body, before closing */

struct lt_http_route;

typedef struct lt_http_config {
    const char *listen;                 /* "ADDR:PORT" or "[V6ADDR]:PORT"; NULL: LT_DEFAULT_LISTEN; port 0: any */
    const char *data_dir;               /* uploads are spooled to data_dir/spool; NULL: LT_DEFAULT_DATA_DIR */
    const char *conninfo;               /* libpq connection string of a migrated database (required) */
    uint64_t max_upload;                /* bytes of request body accepted; 0: LT_DEFAULT_MAX_UPLOAD */
    const char *public_url;             /* where users reach the service, for links in answers (no trailing
                               '/'); NULL: "http://" + listen, with the port it got */
    const struct lt_http_route *routes; /* the table requests are matched against (required; */
    size_t route_count;                 /* static storage: it is not copied) */
    const char *static_dir;             /* serve the pages from this folder (development); NULL: the copy
                               built into the binary (static_files.h) */
    unsigned threads;                   /* 0: LT_DEFAULT_HTTP_THREADS */
    unsigned max_connections;           /* 0: LT_DEFAULT_MAX_CONNECTIONS */
    unsigned max_per_ip;                /* 0: LT_DEFAULT_MAX_PER_IP */
    unsigned db_connections;            /* 0: LT_DEFAULT_DB_CONNECTIONS */
    unsigned grace_s;                   /* lt_http_stop's wait for in-flight requests */
    lt_metrics *metrics;                /* where requests are counted (serve's; not owned); NULL: nowhere */
    lt_snapshot_store_kind store;       /* where uploads are stored (snapshot_store.h); 0: local */
} lt_http_config;

typedef struct lt_http lt_http;

/* Starts serving cfg->listen in background threads. Checks the database connection and
 * creates data_dir/spool first. On success returns 0 and *out, which the caller stops with
 * lt_http_stop. On failure returns LT_EUSAGE (bad listen address, unusable data folder, no
 * database or routes given), LT_EIO (port taken, database unreachable) or LT_ENOMEM with a
 * message in err. */
int lt_http_start(const lt_http_config *cfg, lt_http **out, lt_error *err);

/* The TCP port the server listens on (useful when the configured port was 0). */
unsigned lt_http_port(const lt_http *http);

/* Stops accepting, wakes the `?wait=` requests (they answer at once), cuts idle
 * connections, waits up to grace_s for the requests in flight, closes the rest and the
 * pooled connections and frees http (NULL is fine). */
void lt_http_stop(lt_http *http);

/* ---- what route handlers (api.c, upload.c) see ---- */

struct MHD_Connection;
struct MHD_Response;

typedef struct lt_http_request {
    lt_http *server;
    struct MHD_Connection *connection;
    const struct lt_http_route *route;
    const char *method;
    const char *url;
    char *captures[LT_HTTP_MAX_CAPTURES]; /* the `{}` parts of the path, in order (owned) */
    int64_t customer_id;                  /* the authenticated caller; 0 on public routes */
    int64_t api_key_id;                   /* its key (also for a session); 0 on public routes */
    int64_t session_id;                   /* its browser session, 0 when it sent the key */
    void *state;                          /* the route's own per-request state */
    PGconn *db;                           /* taken from the pool by lt_http_db, or NULL */
    unsigned status;                      /* set with response */
    struct MHD_Response *response;        /* the answer, once a callback has given one */
    int queued;
    void *guard;               /* the connection's record in http_guard.h */
    int wait_started, suspend; /* lt_http_wait_deadline ran; lt_http_wait asked to suspend */
    double wait_deadline;      /* lt_http_guard_now() seconds */
    lt_http_waiter waiter;
    int body_unread;                        /* a body is still to come: an answer given now is also kept as text */
    char *early_json;                       /* that answer's JSON (owned), written at once by http.c (see answer_raw) */
    char request_id[LT_REQUEST_ID_MAX + 1]; /* the client's sane X-Request-Id, or a random one */
    uint64_t bytes_in, bytes_out;           /* body bytes received; bytes of the answer's body */
    double started_s;                       /* lt_http_guard_now() when the headers were complete */
} lt_http_request;

typedef struct lt_http_route {
    const char *method;
    const char *pattern;                 /* "/api/v1/apps/{app}/snapshots": `{name}` matches one non-empty segment */
    int is_public;                       /* 1: no API key needed */
    const char *query;                   /* the query parameters it takes, comma-separated ("limit,offset");
                            NULL: none. Any other answers 400 unknown_parameter naming it. */
    void (*begin)(lt_http_request *req); /* optional */
    void (*body)(lt_http_request *req, const char *data, size_t size); /* optional: else dropped */
    void (*handle)(lt_http_request *req);                              /* required: must answer */
    void (*cleanup)(lt_http_request *req);                             /* optional */
} lt_http_route;

/* A query parameter or request header, or NULL. Owned by libmicrohttpd (request lifetime). */
const char *lt_http_query(const lt_http_request *req, const char *name);
const char *lt_http_header(const lt_http_request *req, const char *name);

/* Answers with status and the JSON text json (copied). Returns 0, or LT_ENOMEM (then the
 * server answers 500 itself). A second answer for one request is ignored. */
int lt_http_reply_json(lt_http_request *req, unsigned status, const char *json);

/* Answers with status, content_type and size bytes of data. copy 0: data is static
 * storage, used as it is; copy 1: it is copied. Returns 0 or LT_ENOMEM. */
int lt_http_reply_bytes(lt_http_request *req, unsigned status, const char *content_type, const void *data, size_t size,
                        int copy);

/* Adds a header to the answer given so far (ignored when there is none). */
void lt_http_add_header(lt_http_request *req, const char *name, const char *value);

/* 1 when the request reached us over TLS: a TLS-terminating proxy in front says so with
 * `X-Forwarded-Proto: https` (only used to make cookies Secure, never to trust a caller). */
int lt_http_over_tls(const lt_http_request *req);

/* A cookie the request sent, or NULL. Owned by libmicrohttpd (request lifetime). */
const char *lt_http_cookie(const lt_http_request *req, const char *name);

/* Answers {"error": {"code": code, "message": <printf fmt>, "request_id": ...}} with
 * status. Returns 0. Every answer carries the request's id as the X-Request-Id header. */
int lt_http_reply_error(lt_http_request *req, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Answers 503 "database_unavailable" with Retry-After when the database cannot be reached
 * (no connection, or a broken one), else 500 "database_error" with err's message, paths on
 * the server replaced (redact.h); the full message goes to standard error. */
void lt_http_reply_db_error(lt_http_request *req, const lt_error *err);

/* The request's database connection, taken from the pool on first use and given back when
 * the request ends. NULL (and a message in err) if connecting fails. */
PGconn *lt_http_db(lt_http_request *req, lt_error *err);

/* The end of this request's wait of wait_s seconds, fixed at its first call (handle runs
 * again after each wake-up), in lt_http_guard_now() seconds. */
double lt_http_wait_deadline(lt_http_request *req, long wait_s);

/* Called by a handler instead of answering: the connection is suspended when the handler
 * returns (its database connection given back) and handle runs again once analysis `key`
 * changes state, the request's deadline passes or the server stops. */
void lt_http_wait(lt_http_request *req, int64_t key);

/* After a failed query: 1 when the request's database connection is broken (it is
 * dropped, with the idle ones, and the next lt_http_db connects again), else 0. */
int lt_http_db_lost(lt_http_request *req);

const char *lt_http_spool_dir(const lt_http *http); /* data_dir/spool */
/* The store of uploads (snapshot_store.h): its kind, this data folder's machine id and
 * spool, set up by lt_http_start; valid until lt_http_stop. */
const lt_snapshot_store *lt_http_snapshot_store(const lt_http *http);
const char *lt_http_static_dir(const lt_http *http); /* lt_http_config.static_dir (may be NULL) */
uint64_t lt_http_max_upload(const lt_http *http);
const char *lt_http_public_url(const lt_http *http); /* config's public_url, or its default */
int lt_http_stopping(const lt_http *http);           /* 1 once lt_http_stop has begun */
lt_metrics *lt_http_metrics(const lt_http *http);    /* lt_http_config.metrics (may be NULL) */

/* The database pool's use now: connections lent to requests, idle ones, and its size. */
void lt_http_pool_use(lt_http *http, size_t *in_use, size_t *idle, size_t *size);

/* http_log.c: the end of a request — its JSON log line (log.h; event "request": request_id,
 * method, route pattern or "unmatched", status, bytes_in, bytes_out, duration_ms,
 * customer_id when authenticated; never a key, cookie or query) and its metrics. route is
 * the index of req->route in the table, -1 when none matched. */
void lt_http_log_request(const lt_http_request *req, long route, lt_metrics *metrics);

#endif
