/* api_delete: DELETE /api/v1/snapshots/{id} and DELETE /api/v1/apps/{app} — the rows (their
 * analyses, findings, reports and leak records go with them: ON DELETE CASCADE) and the
 * spool files no other snapshot keeps (spool.h) and their large objects (snapshot_store.h). Scoped to the caller's customer: another
 * customer's snapshot or app answers 404 exactly like one that does not exist. Answers 200
 * with what was deleted; a file that cannot be removed after the rows are gone is logged
 * (the rows are what the caller asked for). */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "log.h"
#include "spool.h"
#include "upload.h"

/* The columns of a deleted snapshot row that say where its bytes were, and what a query
 * selects of them: the spool file's name for a local-store row (else NULL, released by
 * release_files), and its large object, removed in the same statement (snapshot_store.h). */
#define SNAPSHOT_BYTES_COLUMNS "spool_path, store, large_object"
#define SNAPSHOT_BYTES_OF(t)                                                                                           \
    "CASE WHEN " t ".store = 'local' THEN " t ".spool_path END, (SELECT lo_unlink(m.oid) FROM "                        \
    "pg_largeobject_metadata m WHERE m.oid = " t ".large_object)"

/* Releases the spool file named in column col of each row (NULLs skipped); returns how
 * many files were removed. */
static int release_files(lt_http_request *req, PGresult *res, int col)
{
    int removed = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        if (PQgetisnull(res, i, col))
            continue;
        lt_error err;
        lt_error_clear(&err);
        int one = 0;
        if (lt_spool_release(req->db, lt_http_spool_dir(req->server), PQgetvalue(res, i, col), &one, &err))
            lt_log_message("error", "request %s: %s %s: %s", req->request_id, req->method, req->route->pattern,
                           err.message);
        removed += one;
    }
    return removed;
}

/* Runs the DELETE statement sql (its second column: the spool files of the rows deleted)
 * and releases those files, counting in *removed the ones removed. Returns its rows
 * (caller PQclears), or NULL once it answered: 500 on a database failure, 404 naming what
 * when it deleted nothing. */
static PGresult *delete_rows(lt_http_request *req, const char *sql, const char *const *params, const char *what,
                             int *removed)
{
    PGresult *res = lt_api_query(req, sql, 2, params);
    if (res && PQntuples(res) == 0) {
        PQclear(res);
        lt_http_reply_error(req, 404, "not_found", "no such %s", what);
        return NULL;
    }
    *removed = res ? release_files(req, res, 1) : 0;
    return res;
}

void lt_api_snapshot_delete(lt_http_request *req)
{
    char id[24], customer[24];
    int removed;
    if (lt_api_id_param(req, req->captures[0], "snapshot", id))
        return;
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    const char *params[] = {id, customer};
    PGresult *res = delete_rows(req,
                                "WITH d AS (DELETE FROM snapshots WHERE id = $1 AND customer_id = $2 "
                                "RETURNING id, " SNAPSHOT_BYTES_COLUMNS ") SELECT (SELECT count(*) FROM analyses a "
                                "WHERE a.snapshot_id = d.id AND a.customer_id = $2), " SNAPSHOT_BYTES_OF("d") " FROM d",
                                params, "snapshot", &removed);
    if (!res)
        return;
    long long analyses = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    lt_api_reply_doc(req, 200,
                     json_pack("{s:s, s:I, s:I, s:i}", "deleted", "snapshot", "snapshot_id",
                               (json_int_t)strtoll(id, NULL, 10), "analyses", (json_int_t)analyses, "files_removed",
                               removed));
}

void lt_api_app_delete(lt_http_request *req)
{
    const char *app = lt_upload_app_name(req);
    if (!app)
        return;
    char customer[24];
    int removed;
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    const char *params[] = {customer, app};
    PGresult *res = delete_rows(req,
                                "WITH a AS (DELETE FROM apps WHERE customer_id = $1 AND name = $2 RETURNING id) "
                                "SELECT a.id, " SNAPSHOT_BYTES_OF("s") ", s.id FROM a LEFT JOIN snapshots s "
                                                                       "ON s.app_id = a.id AND s.customer_id = $1",
                                params, "app", &removed);
    if (!res)
        return;
    int snapshots = 0;
    for (int i = 0; i < PQntuples(res); i++)
        snapshots += !PQgetisnull(res, i, 3);
    PQclear(res);
    lt_api_reply_doc(req, 200,
                     json_pack("{s:s, s:s, s:i, s:i}", "deleted", "app", "app", app, "snapshots", snapshots,
                               "files_removed", removed));
}
