/* http: the libmicrohttpd daemon, route dispatch, JSON answers, the connection pool.
 * See http.h for the design. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "db.h"
#include "redact.h"
#include "route_match.h"
#include "session.h"

struct lt_http {
    struct MHD_Daemon *daemon;
    char *conninfo;
    char *spool_dir;
    lt_snapshot_store store; /* read-only after lt_http_start */
    char *public_url;
    char *static_dir;
    uint64_t max_upload;
    const lt_http_route *routes;
    size_t route_count;
    unsigned port;
    atomic_int stopping;
    unsigned threads, max_connections, max_per_ip, grace_s;
    lt_http_guard *guard;
    /* pool_lock guards idle[], idle_count and open_count only; no query or connect runs
     * while it is held. open_count counts idle and lent connections, at most open_max. */
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_returned; /* signalled when a connection is given back or closed */
    PGconn *idle[LT_HTTP_IDLE_CONNECTIONS];
    size_t idle_count, open_count, open_max;
    lt_metrics *metrics; /* serve's (not owned), or NULL */
};

/* ---- answers ---- */

int lt_http_reply_bytes(lt_http_request *req, unsigned status, const char *content_type, const void *data, size_t size,
                        int copy)
{
    if (req->response)
        return 0;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(size, (void *)data, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    if (!r)
        return LT_ENOMEM;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Request-Id", req->request_id);
    req->response = r;
    req->status = status;
    req->bytes_out = size;
    return 0;
}

int lt_http_reply_json(lt_http_request *req, unsigned status, const char *json)
{
    if (req->response)
        return 0;
    int rc = lt_http_reply_bytes(req, status, "application/json", json, strlen(json), 1);
    lt_http_add_header(req, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (!rc && req->body_unread && !(req->early_json = strdup(json)))
        rc = LT_ENOMEM;
    return rc;
}

void lt_http_add_header(lt_http_request *req, const char *name, const char *value)
{
    if (req->response)
        MHD_add_response_header(req->response, name, value);
}

int lt_http_reply_error(lt_http_request *req, unsigned status, const char *code, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_t *doc =
        json_pack("{s:{s:s,s:s,s:s}}", "error", "code", code, "message", message, "request_id", req->request_id);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (text)
        lt_http_reply_json(req, status, text);
    free(text);
    json_decref(doc);
    return 0;
}

/* Answers 503 with Retry-After: the database is away or every pooled connection is busy. */
static void reply_unavailable(lt_http_request *req, const lt_error *err)
{
    lt_log_message("error", "request %s: %s %s: database unavailable: %s", req->request_id, req->method,
                   req->route ? req->route->pattern : "?", err->message);
    lt_http_reply_error(req, 503, "database_unavailable",
                        "the database is unavailable for the moment; try again in %d s", LT_HTTP_RETRY_AFTER_S);
    lt_http_add_header(req, "Retry-After", LT_STR(LT_HTTP_RETRY_AFTER_S));
}

void lt_http_reply_db_error(lt_http_request *req, const lt_error *err)
{
    if (!req->db || PQstatus(req->db) != CONNECTION_OK) {
        reply_unavailable(req, err);
        return;
    }
    char shown[sizeof err->message + 64];
    lt_redact_paths(err->message, "(a path on the server)", shown, sizeof shown);
    if (strcmp(shown, err->message))
        lt_log_message("error", "request %s: %s %s: database: %s", req->request_id, req->method,
                       req->route ? req->route->pattern : "?", err->message);
    lt_http_reply_error(req, 500, "database_error", "database: %s", shown);
}

const char *lt_http_query(const lt_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *lt_http_header(const lt_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *lt_http_cookie(const lt_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND, name);
}

int lt_http_over_tls(const lt_http_request *req)
{
    const char *proto = lt_http_header(req, "X-Forwarded-Proto");
    return proto && !strcasecmp(proto, "https");
}

const char *lt_http_spool_dir(const lt_http *http)
{
    return http->spool_dir;
}
const lt_snapshot_store *lt_http_snapshot_store(const lt_http *http)
{
    return &http->store;
}

const char *lt_http_static_dir(const lt_http *http)
{
    return http->static_dir;
}
uint64_t lt_http_max_upload(const lt_http *http)
{
    return http->max_upload;
}
const char *lt_http_public_url(const lt_http *http)
{
    return http->public_url;
}
int lt_http_stopping(const lt_http *http)
{
    return atomic_load(&http->stopping);
}
lt_metrics *lt_http_metrics(const lt_http *http)
{
    return http->metrics;
}

/* ---- the connection pool ---- */

/* Takes an idle connection or a free slot, waiting up to LT_HTTP_DB_WAIT_MS for one.
 * Returns 1 with *conn (NULL: the caller connects in the slot), or 0 when none came. */
static int pool_take(lt_http *h, PGconn **conn)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += LT_HTTP_DB_WAIT_MS / 1000;
    int got = 0, timed_out = 0;
    pthread_mutex_lock(&h->pool_lock);
    while (!got && !timed_out) {
        if ((got = h->idle_count > 0))
            *conn = h->idle[--h->idle_count];
        else if ((got = h->open_count < h->open_max)) {
            *conn = NULL;
            h->open_count++;
        } else
            timed_out = pthread_cond_timedwait(&h->pool_returned, &h->pool_lock, &until) != 0;
    }
    pthread_mutex_unlock(&h->pool_lock);
    return got;
}

/* Closes conn, a connection of the pool, freeing its slot. */
static void pool_close(lt_http *h, PGconn *conn)
{
    lt_db_close(conn);
    pthread_mutex_lock(&h->pool_lock);
    h->open_count--;
    pthread_cond_signal(&h->pool_returned);
    pthread_mutex_unlock(&h->pool_lock);
}

PGconn *lt_http_db(lt_http_request *req, lt_error *err)
{
    if (req->db)
        return req->db;
    lt_http *h = req->server;
    if (!pool_take(h, &req->db)) {
        lt_error_set(err, LT_EIO, "all %zu database connections are busy", h->open_max);
        return NULL;
    }
    if (!req->db && lt_db_connect(h->conninfo, &req->db, err)) {
        req->db = NULL;
        pool_close(h, NULL);
    }
    return req->db;
}

void lt_http_pool_use(lt_http *http, size_t *in_use, size_t *idle, size_t *size)
{
    pthread_mutex_lock(&http->pool_lock);
    *idle = http->idle_count;
    *in_use = http->open_count - http->idle_count;
    *size = http->open_max;
    pthread_mutex_unlock(&http->pool_lock);
}

/* Closes every idle connection: after one broke, the others (same server) are likely broken. */
static void pool_flush(lt_http *h)
{
    PGconn *idle[LT_HTTP_IDLE_CONNECTIONS];
    pthread_mutex_lock(&h->pool_lock);
    size_t n = h->idle_count;
    memcpy(idle, h->idle, n * sizeof *idle);
    h->idle_count = 0;
    pthread_mutex_unlock(&h->pool_lock);
    for (size_t i = 0; i < n; i++)
        pool_close(h, idle[i]);
}

/* Gives the request's connection back (or closes it when it is broken or the pool is full). */
static void pool_release(lt_http *h, PGconn *conn)
{
    if (!conn)
        return;
    int healthy = PQstatus(conn) == CONNECTION_OK;
    if (healthy && PQtransactionStatus(conn) == PQTRANS_IDLE) {
        pthread_mutex_lock(&h->pool_lock);
        if (h->idle_count < LT_HTTP_IDLE_CONNECTIONS) {
            h->idle[h->idle_count++] = conn;
            conn = NULL;
            pthread_cond_signal(&h->pool_returned);
        }
        pthread_mutex_unlock(&h->pool_lock);
    }
    if (conn)
        pool_close(h, conn);
    if (!healthy)
        pool_flush(h);
}

int lt_http_db_lost(lt_http_request *req)
{
    if (!req->db || PQstatus(req->db) == CONNECTION_OK)
        return 0;
    pool_release(req->server, req->db);
    req->db = NULL;
    return 1;
}

/* ---- waiting ---- */

double lt_http_wait_deadline(lt_http_request *req, long wait_s)
{
    if (!req->wait_started) {
        req->wait_started = 1;
        req->wait_deadline = lt_http_guard_now() + (double)wait_s;
    }
    return req->wait_deadline;
}

void lt_http_wait(lt_http_request *req, int64_t key)
{
    req->suspend = 1;
    req->waiter.connection = req->connection;
    req->waiter.key = key;
    req->waiter.deadline = req->wait_deadline;
}

/* ---- routing ---- */

/* Finds req's route, answers 404/405 when there is none. */
static void route_find(lt_http_request *req)
{
    int path_known = 0;
    char allow[64] = "";
    const lt_http_route *routes = req->server->routes;
    for (size_t i = 0; i < req->server->route_count; i++) {
        if (!lt_route_match(routes[i].pattern, req->url, req->captures, LT_HTTP_MAX_CAPTURES))
            continue;
        if (!strcmp(routes[i].method, req->method)) {
            req->route = &routes[i];
            return;
        }
        for (size_t c = 0; c < LT_HTTP_MAX_CAPTURES; c++) {
            free(req->captures[c]);
            req->captures[c] = NULL;
        }
        path_known = 1;
        if (strlen(allow) + strlen(routes[i].method) + 3 < sizeof allow)
            strcat(strcat(allow, *allow ? ", " : ""), routes[i].method);
    }
    if (!path_known) {
        lt_http_reply_error(req, 404, "not_found", "no route for %s %s", req->method, req->url);
        return;
    }
    lt_http_reply_error(req, 405, "method_not_allowed", "%s is not allowed on %s (allowed: %s)", req->method, req->url,
                        allow);
    if (req->response)
        MHD_add_response_header(req->response, MHD_HTTP_HEADER_ALLOW, allow);
}

/* Answers the refusal of an authentication: 401 (with WWW-Authenticate) or 403 for CSRF. */
static void refuse(lt_http_request *req, const lt_auth_caller *caller, const lt_error *err)
{
    if (caller->refusal == LT_AUTH_CSRF) {
        lt_http_reply_error(req, 403, "csrf_failed", "%s", err->message);
        return;
    }
    lt_http_reply_error(req, 401, "unauthorized", "%s", err->message);
    lt_http_add_header(req, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
}

/* Finds the caller's customer (key or session); answers 401/403 (or 500) when it cannot. */
static void authenticate(lt_http_request *req)
{
    lt_error err;
    lt_error_clear(&err);
    PGconn *db = lt_http_db(req, &err);
    if (!db) {
        lt_http_reply_db_error(req, &err);
        return;
    }
    lt_auth_credentials cred = {
        .authorization = lt_http_header(req, MHD_HTTP_HEADER_AUTHORIZATION),
        .session_cookie = lt_http_cookie(req, LT_SESSION_COOKIE),
        .csrf_token = lt_http_header(req, LT_AUTH_CSRF_HEADER),
        .changes_state = strcmp(req->method, "GET") && strcmp(req->method, "HEAD"),
    };
    lt_auth_caller caller;
    int rc = lt_auth_request(db, &cred, &caller, &err);
    if (rc == LT_EINPUT)
        refuse(req, &caller, &err);
    else if (rc == LT_ENOMEM)
        lt_http_reply_error(req, 500, "internal_error", "%s", err.message);
    else if (rc)
        lt_http_reply_db_error(req, &err);
    req->customer_id = rc ? 0 : caller.customer_id;
    req->api_key_id = rc ? 0 : caller.api_key_id;
    req->session_id = rc ? 0 : caller.session_id;
}

/* Refuses a body whose Content-Length is over the limit before reading it. */
/* The body's length the request declares (Content-Length); 1 and *n when it gives a valid
 * number, else 0. */
static int declared_length(lt_http_request *req, unsigned long long *n)
{
    const char *cl = lt_http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl)
        return 0;
    errno = 0;
    char *end;
    *n = strtoull(cl, &end, 10);
    return !errno && end != cl;
}

static void check_content_length(lt_http_request *req)
{
    unsigned long long n;
    if (declared_length(req, &n) && n > req->server->max_upload)
        lt_http_reply_error(req, 413, "payload_too_large", "the body is %llu bytes; the limit is %" PRIu64 " bytes", n,
                            req->server->max_upload);
}

static enum MHD_Result check_one_parameter(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)value;
    lt_http_request *req = cls;
    if (lt_route_query_listed(req->route->query, key))
        return MHD_YES;
    const char *takes = req->route->query ? req->route->query : "none";
    lt_http_reply_error(req, 400, "unknown_parameter", "unknown query parameter '%.100s' (%s %s takes: %s)", key,
                        req->route->method, req->route->pattern, takes);
    return MHD_NO;
}

/* Answers 400 when the query has a parameter the route does not take: a misspelt filter
 * is an error, never silently ignored. */
static void check_parameters(lt_http_request *req)
{
    MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, check_one_parameter, req);
}

/* Counts the Content-Length headers that differ from the first one. */
static enum MHD_Result count_lengths(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    const char **first = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
        return MHD_YES;
    if (!first[0])
        first[0] = value ? value : "";
    else if (strcmp(first[0], value ? value : ""))
        first[1] = value ? value : "";
    return MHD_YES;
}

/* Answers 400 for HTTP/1.1 without Host and for two different Content-Length headers (a
 * request smuggling trick: proxies and this server could read different bodies). */
static enum MHD_Result add_value_bytes(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) + 1 : 0);
    return MHD_YES;
}

/* Bytes of the values of one kind (headers, query arguments): names and values. */
static size_t value_bytes(lt_http_request *req, enum MHD_ValueKind kind)
{
    size_t bytes = 0;
    MHD_get_connection_values(req->connection, kind, add_value_bytes, &bytes);
    return bytes;
}

/* Answers 414 for a request target over LT_HTTP_MAX_URL_BYTES and 431 for headers over
 * LT_HTTP_MAX_HEADER_BYTES, as JSON (libmicrohttpd's own HTML page is left only for a
 * request that does not fit LT_HTTP_CONNECTION_MEMORY at all). */
static int check_sizes(lt_http_request *req)
{
    size_t url = strlen(req->url) + value_bytes(req, MHD_GET_ARGUMENT_KIND);
    size_t headers = value_bytes(req, MHD_HEADER_KIND);
    if (url > LT_HTTP_MAX_URL_BYTES)
        lt_http_reply_error(req, 414, "uri_too_long", "the request target is %zu bytes; the limit is %d", url,
                            LT_HTTP_MAX_URL_BYTES);
    else if (headers > LT_HTTP_MAX_HEADER_BYTES)
        lt_http_reply_error(req, 431, "headers_too_large", "the headers are %zu bytes; the limit is %d", headers,
                            LT_HTTP_MAX_HEADER_BYTES);
    return req->response != NULL;
}

static void check_protocol(lt_http_request *req, const char *version)
{
    if (check_sizes(req))
        return;
    if (!strcmp(version, MHD_HTTP_VERSION_1_1) && !lt_http_header(req, MHD_HTTP_HEADER_HOST)) {
        lt_http_reply_error(req, 400, "bad_request", "HTTP/1.1 requests need a Host header");
        return;
    }
    const char *lengths[2] = {NULL, NULL};
    MHD_get_connection_values(req->connection, MHD_HEADER_KIND, count_lengths, lengths);
    if (lengths[1])
        lt_http_reply_error(req, 400, "bad_request", "the request has two different Content-Length headers");
}

/* First call for a request: route, authenticate, check the size, let the route begin. */
static void request_begin(lt_http_request *req)
{
    route_find(req);
    if (!req->response && !req->route->is_public)
        authenticate(req);
    if (!req->response)
        check_parameters(req);
    if (!req->response && req->route->body)
        check_content_length(req);
    pool_release(req->server, req->db); /* not held while the body arrives */
    req->db = NULL;
    if (!req->response && req->route->begin)
        req->route->begin(req);
}

static enum MHD_Result queue_answer(lt_http_request *req)
{
    if (!req->response)
        lt_http_reply_error(req, 500, "internal_error", "the handler for %s %s gave no answer", req->method, req->url);
    if (!req->response)
        return MHD_NO;
    req->queued = 1;
    if (lt_http_stopping(req->server))
        MHD_add_response_header(req->response, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result r = MHD_queue_response(req->connection, req->status, req->response);
    MHD_destroy_response(req->response);
    req->response = NULL;
    return r;
}

/* Sends all of text on the connection's socket (non-blocking: waits up to a second a time). */
static int send_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, text, len, MSG_NOSIGNAL);
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (n < 0 && (errno == EAGAIN || errno == EINTR) && poll(&p, 1, 1000) > 0)
            continue;
        if (n <= 0)
            return -1;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

typedef struct {
    char *at;
    size_t left;
} header_text;

static enum MHD_Result append_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    header_text *h = cls;
    int n = snprintf(h->at, h->left, "%s: %s\r\n", key, value);
    if (n < 0 || (size_t)n >= h->left)
        return MHD_NO;
    h->at += n;
    h->left -= (size_t)n;
    return MHD_YES;
}

/* Whether the request announced a body (a Content-Length above 0, or chunked). */
static int expects_body(lt_http_request *req)
{
    unsigned long long n;
    const char *te = lt_http_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    return (declared_length(req, &n) && n > 0) || (te && strstr(te, "chunked"));
}

/* An answer given while the body is still unread (401 or 400 on the headers, 413 past the
 * limit of a chunked upload, 415). libmicrohttpd 0.9.75 would close a socket that still has
 * unread bytes, and the kernel's reset can destroy the answer before the client reads it; it
 * also queues no answer mid-body. So the answer (its headers and kept JSON) is written to the
 * socket here, the write side is shut, and the server reads on what is in flight for at most
 * LT_HTTP_LINGER_MS so the client sees the answer, not a reset. Returns MHD_NO: close. */
static enum MHD_Result answer_raw(lt_http_request *req)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    char head[4096];
    const char *body = req->early_json ? req->early_json : "{}";
    int n = snprintf(head, sizeof head, "HTTP/1.1 %u %s\r\nContent-Length: %zu\r\nConnection: close\r\n", req->status,
                     MHD_get_reason_phrase_for(req->status), strlen(body));
    header_text h = {head + n, sizeof head - (size_t)n - 2};
    MHD_get_response_headers(req->response, append_header, &h);
    memcpy(h.at, "\r\n", 2);
    size_t head_len = (size_t)(h.at + 2 - head);
    req->queued = 1;
    if (!ci || send_all(ci->connect_fd, head, head_len) || send_all(ci->connect_fd, body, strlen(body)))
        return MHD_NO;
    shutdown(ci->connect_fd, SHUT_WR);
    char sink[16384];
    struct pollfd p = {.fd = ci->connect_fd, .events = POLLIN};
    for (int waited = 0; waited < LT_HTTP_LINGER_MS && poll(&p, 1, 50) >= 0; waited += 50)
        if (p.revents && recv(ci->connect_fd, sink, sizeof sink, 0) <= 0)
            break;
    return MHD_NO;
}

/* The guard's record of a connection (its socket context), or NULL. */
static void *guard_record(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* The first call, headers complete: the request's state, route, authentication. */
static enum MHD_Result request_new(lt_http *h, struct MHD_Connection *connection, const char *url, const char *method,
                                   const char *version, void **con_cls)
{
    lt_http_request *req = calloc(1, sizeof *req);
    if (!req)
        return MHD_NO;
    *con_cls = req;
    req->server = h;
    req->connection = connection;
    req->method = method;
    req->url = url;
    req->guard = guard_record(connection);
    req->started_s = lt_http_guard_now();
    lt_log_request_id(lt_http_header(req, "X-Request-Id"), req->request_id);
    lt_http_guard_headers_done(h->guard, req->guard);
    req->body_unread = expects_body(req);
    check_protocol(req, version);
    if (!req->response)
        request_begin(req);
    if (req->response && req->body_unread)
        return answer_raw(req);
    req->body_unread = 0;
    return req->response ? queue_answer(req) : MHD_YES;
}

/* The body is complete (or there is none): handle, then answer or suspend. */
static enum MHD_Result request_handle(lt_http_request *req)
{
    lt_http_guard_body_done(req->server->guard, req->guard);
    if (!req->response)
        req->route->handle(req);
    pool_release(req->server, req->db); /* not held while the answer is sent or a wait lasts */
    req->db = NULL;
    if (!req->response && req->suspend) {
        req->suspend = 0;
        lt_http_guard_suspend(req->server->guard, &req->waiter);
        return MHD_YES;
    }
    return queue_answer(req);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    lt_http_request *req = *con_cls;
    if (!req)
        return request_new(cls, connection, url, method, version, con_cls);
    if (req->queued) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t size = *upload_data_size;
        *upload_data_size = 0;
        if (lt_http_guard_body(req->server->guard, req->guard, size))
            return MHD_NO; /* too slow: the guard answered 408 */
        req->body_unread = 1;
        req->bytes_in += size;
        if (!req->response && req->route->body)
            req->route->body(req, upload_data, size);
        req->body_unread = 0;
        return req->response ? answer_raw(req) : MHD_YES;
    }
    return request_handle(req);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)connection;
    (void)toe;
    lt_http_request *req = *con_cls;
    if (!req)
        return;
    lt_http *h = cls;
    lt_http_guard_request_done(h->guard, req->guard);
    lt_http_log_request(req, req->route ? (long)(req->route - h->routes) : -1, h->metrics);
    if (req->route && req->route->cleanup)
        req->route->cleanup(req);
    pool_release(cls, req->db);
    for (size_t i = 0; i < LT_HTTP_MAX_CAPTURES; i++)
        free(req->captures[i]);
    if (req->response)
        MHD_destroy_response(req->response);
    free(req->early_json);
    free(req);
    *con_cls = NULL;
}

/* ---- start and stop ---- */

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* libmicrohttpd's unescaping of paths and query values, in place, except that "%00" stays
 * as it is: a decoded NUL would end the string early (`/apps/a%00b/snapshots` routed as
 * `/apps/a`), while the three characters are refused where a name must be plain (400).
 * Returns the new length. */
static size_t unescape(void *cls, struct MHD_Connection *connection, char *s)
{
    (void)cls;
    (void)connection;
    char *out = s;
    for (const char *in = s; *in; out++) {
        int hi = in[0] == '%' ? hex_digit(in[1]) : -1, lo = hi >= 0 ? hex_digit(in[2]) : -1;
        if (lo >= 0 && (hi | lo))
            *out = (char)(hi * 16 + lo), in += 3;
        else
            *out = *in++;
    }
    *out = '\0';
    return (size_t)(out - s);
}

/* Parses "ADDR:PORT" / "[V6]:PORT" into addr. 0 or LT_EUSAGE. */
static int parse_listen(const char *listen, struct sockaddr_storage *addr, lt_error *err)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    size_t hlen = colon ? (size_t)(colon - listen) : 0;
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || hlen == 0 || hlen >= sizeof host || !colon[1] || *end || port < 0 || port > 65535)
        return lt_error_set(err, LT_EUSAGE, "--listen '%s': expected ADDR:PORT (e.g. " LT_DEFAULT_LISTEN ")", listen);
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    memset(addr, 0, sizeof *addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (host[0] == '[' && host[hlen - 1] == ']') {
        host[hlen - 1] = '\0';
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) == 1)
            return 0;
    } else {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &v4->sin_addr) == 1)
            return 0;
    }
    return lt_error_set(err, LT_EUSAGE, "--listen '%s': '%s' is not an IP address", listen, host);
}

/* Creates data_dir and data_dir/spool and sets h->spool_dir. */
static int make_spool_dir(lt_http *h, const char *data_dir, lt_error *err)
{
    if (asprintf(&h->spool_dir, "%s/spool", data_dir) < 0) {
        h->spool_dir = NULL;
        return lt_error_set(err, LT_ENOMEM, "out of memory");
    }
    if (mkdir(data_dir, 0755) && errno != EEXIST)
        return lt_error_set(err, LT_EUSAGE, "cannot create data folder %s: %s", data_dir, strerror(errno));
    if (mkdir(h->spool_dir, 0700) && errno != EEXIST)
        return lt_error_set(err, LT_EUSAGE, "cannot create spool folder %s: %s", h->spool_dir, strerror(errno));
    return 0;
}

/* Opens one connection to check the database, keeping it in the pool. */
static int check_database(lt_http *h, lt_error *err)
{
    PGconn *conn;
    int rc = lt_db_connect(h->conninfo, &conn, err);
    if (rc)
        return rc;
    h->idle[h->idle_count++] = conn;
    h->open_count++;
    return 0;
}

static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    lt_http *h = cls;
    lt_http_guard_notify(h->guard, connection, socket_context, code == MHD_CONNECTION_NOTIFY_CLOSED);
}

/* libmicrohttpd's messages as JSON log lines. Its "internal error, closing connection"
 * follows each answer given before the body was read (answer_raw closes on purpose): debug. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    message[strcspn(message, "\n")] = '\0';
    int expected = strstr(message, "Application reported internal error") != NULL;
    lt_log_message(expected ? "debug" : "warning", "libmicrohttpd: %s", message);
}

static int start_daemon(lt_http *h, const char *listen, lt_error *err)
{
    struct sockaddr_storage addr;
    int rc = parse_listen(listen, &addr, err);
    if (rc)
        return rc;
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_NOTIFY_CONNECTION,
                                 on_connection, h, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LT_HTTP_IDLE_TIMEOUT_S,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LT_HTTP_CONNECTION_MEMORY,
                                 MHD_OPTION_THREAD_POOL_SIZE, h->threads, MHD_OPTION_CONNECTION_LIMIT,
                                 h->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->max_per_ip,
                                 MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_UNESCAPE_CALLBACK, unescape,
                                 h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h, MHD_OPTION_END);
    if (!h->daemon)
        return lt_error_set(err, LT_EIO, "cannot listen on %s (address in use, or not an address of this machine?)",
                            listen);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : 0;
    return 0;
}

/* The configured public URL without trailing '/', or "http://" + the listen address with
 * the port it got. 0 or LT_ENOMEM. */
static int set_public_url(lt_http *h, const lt_http_config *cfg, lt_error *err)
{
    int n;
    if (cfg->public_url) {
        size_t len = strlen(cfg->public_url);
        while (len > 0 && cfg->public_url[len - 1] == '/')
            len--;
        n = asprintf(&h->public_url, "%.*s", (int)len, cfg->public_url);
    } else {
        const char *listen = cfg->listen ? cfg->listen : LT_DEFAULT_LISTEN;
        n = asprintf(&h->public_url, "http://%.*s:%u", (int)(strrchr(listen, ':') - listen), listen, h->port);
    }
    if (n < 0) {
        h->public_url = NULL;
        return lt_error_set(err, LT_ENOMEM, "out of memory");
    }
    return 0;
}

int lt_http_start(const lt_http_config *cfg, lt_http **out, lt_error *err)
{
    lt_http *h = calloc(1, sizeof *h);
    if (!h)
        return lt_error_set(err, LT_ENOMEM, "out of memory");
    pthread_mutex_init(&h->pool_lock, NULL);
    pthread_cond_init(&h->pool_returned, NULL);
    atomic_init(&h->stopping, 0);
    h->threads = cfg->threads ? cfg->threads : LT_DEFAULT_HTTP_THREADS;
    h->max_connections = cfg->max_connections ? cfg->max_connections : LT_DEFAULT_MAX_CONNECTIONS;
    h->max_per_ip = cfg->max_per_ip ? cfg->max_per_ip : LT_DEFAULT_MAX_PER_IP;
    h->open_max = cfg->db_connections ? cfg->db_connections : LT_DEFAULT_DB_CONNECTIONS;
    h->grace_s = cfg->grace_s;
    h->max_upload = cfg->max_upload ? cfg->max_upload : LT_DEFAULT_MAX_UPLOAD;
    h->routes = cfg->routes;
    h->route_count = cfg->route_count;
    h->metrics = cfg->metrics;
    int rc = LT_ENOMEM;
    if (!cfg->conninfo || !cfg->routes) {
        rc = lt_error_set(err, LT_EUSAGE, "no database or no routes given to the HTTP server");
        goto fail;
    }
    if (!(h->conninfo = strdup(cfg->conninfo)) || (cfg->static_dir && !(h->static_dir = strdup(cfg->static_dir)))) {
        lt_error_set(err, rc, "out of memory");
        goto fail;
    }
    const char *data_dir = cfg->data_dir ? cfg->data_dir : LT_DEFAULT_DATA_DIR;
    if ((rc = make_spool_dir(h, data_dir, err)) || (rc = lt_snapshot_store_init(&h->store, cfg->store, data_dir, err)))
        goto fail;
    if ((rc = check_database(h, err)))
        goto fail;
    const lt_http_guard_limits limits = {.header_timeout_s = LT_HTTP_HEADER_TIMEOUT_S,
                                         .body_window_s = LT_HTTP_BODY_WINDOW_S,
                                         .body_min_rate = LT_HTTP_BODY_MIN_RATE};
    if ((rc = lt_http_guard_start(h->conninfo, &limits, &h->guard, err)))
        goto fail;
    if ((rc = start_daemon(h, cfg->listen ? cfg->listen : LT_DEFAULT_LISTEN, err)))
        goto fail;
    if ((rc = set_public_url(h, cfg, err)))
        goto fail;
    *out = h;
    return 0;
fail:
    lt_http_stop(h);
    return rc;
}

unsigned lt_http_port(const lt_http *http)
{
    return http->port;
}

/* Stops accepting, wakes the waiters, lets what is in flight finish within grace_s, stops. */
static void drain(lt_http *h)
{
    MHD_socket listen_fd = MHD_quiesce_daemon(h->daemon);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    if (h->guard)
        lt_http_guard_stopping(h->guard);
    double until = lt_http_guard_now() + h->grace_s;
    while (lt_http_guard_now() < until) {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0)
            break;
        usleep(50000);
    }
    MHD_stop_daemon(h->daemon);
}

void lt_http_stop(lt_http *http)
{
    if (!http)
        return;
    atomic_store(&http->stopping, 1);
    if (http->daemon)
        drain(http);
    lt_http_guard_stop(http->guard);
    for (size_t i = 0; i < http->idle_count; i++)
        lt_db_close(http->idle[i]);
    pthread_cond_destroy(&http->pool_returned);
    pthread_mutex_destroy(&http->pool_lock);
    free(http->conninfo);
    free(http->spool_dir);
    free(http->public_url);
    free(http->static_dir);
    free(http);
}
