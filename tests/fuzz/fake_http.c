/* fake_http: the few lt_http_* and lt_db_* functions upload.c calls, for the fuzz target
 * fuzz_upload.c, which runs upload.c's callbacks under its own libmicrohttpd daemon (no
 * listening socket) instead of http.c's, and without PostgreSQL. Answers are real
 * libmicrohttpd responses (so upload.c sees req->response as it does in the service);
 * the database is never reachable: lt_http_db fails, so a complete upload ends in 500
 * database_error after its spool file was stored. */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fake_http.h"
#include "http.h"

struct lt_http {
    const char *spool_dir;
    uint64_t max_upload;
    lt_snapshot_store store; /* local, no machine id */
};

static lt_http fake = {0};

lt_http *fake_http_server(const char *spool_dir, uint64_t max_upload)
{
    fake.spool_dir = spool_dir;
    fake.max_upload = max_upload;
    return &fake;
}

int lt_http_reply_json(lt_http_request *req, unsigned status, const char *json)
{
    if (req->response)
        return 0;
    req->response = MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    req->status = status;
    return req->response ? 0 : LT_ENOMEM;
}

int lt_http_reply_error(lt_http_request *req, unsigned status, const char *code, const char *fmt, ...)
{
    (void)code; /* the fuzzer only needs an answer to exist, with the formatted text */
    char *text = NULL;
    va_list args;
    va_start(args, fmt);
    int n = vasprintf(&text, fmt, args);
    va_end(args);
    int rc = n < 0 ? LT_ENOMEM : lt_http_reply_json(req, status, text);
    free(text);
    return rc;
}

void lt_http_reply_db_error(lt_http_request *req, const lt_error *err)
{
    lt_http_reply_error(req, 500, "database_error", "database: %s", err->message);
}

const char *lt_http_query(const lt_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *lt_http_header(const lt_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *lt_http_spool_dir(const lt_http *http)
{
    return http->spool_dir;
}

lt_metrics *lt_http_metrics(const lt_http *http)
{
    (void)http;
    return NULL; /* nothing counted */
}

const lt_snapshot_store *lt_http_snapshot_store(const lt_http *http)
{
    return &http->store;
}

uint64_t lt_http_max_upload(const lt_http *http)
{
    return http->max_upload;
}

PGconn *lt_http_db(lt_http_request *req, lt_error *err)
{
    (void)req;
    lt_error_set(err, LT_EIO, "no database in the fuzzer");
    return NULL;
}

int lt_db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params, PGresult **result, lt_error *err)
{
    (void)conn, (void)sql, (void)nparams, (void)params, (void)result;
    return lt_error_set(err, LT_EIO, "no database in the fuzzer");
}

int lt_db_transaction(PGconn *conn, lt_db_tx_fn fn, void *ctx, lt_error *err)
{
    (void)conn, (void)fn, (void)ctx;
    return lt_error_set(err, LT_EIO, "no database in the fuzzer");
}
