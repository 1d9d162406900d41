/* api: the JSON read routes. See api.h. */
#include "api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "openapi.h"
#include "upload.h"

/* ---- request parameters ---- */

/* Copies a positive decimal id (at most 18 digits) into out; answers 400 when it is not one. */
int lt_api_id_param(lt_http_request *req, const char *text, const char *what, char out[24])
{
    size_t n = strlen(text);
    if (n == 0 || n > 18 || strspn(text, "0123456789") != n || strspn(text, "0") == n) {
        lt_http_reply_error(req, 400, "bad_id", "the %s id must be a positive integer", what);
        return -1;
    }
    memcpy(out, text, n + 1);
    return 0;
}

/* Reads the query parameter name as an integer in [0, max] into out (def when absent);
 * answers 400 when it is something else. */
int lt_api_uint_param(lt_http_request *req, const char *name, long def, long max, long *out)
{
    const char *v = lt_http_query(req, name);
    *out = def;
    if (!v)
        return 0;
    size_t n = strlen(v);
    if (n == 0 || n > 12 || strspn(v, "0123456789") != n || (*out = strtol(v, NULL, 10)) > max) {
        lt_http_reply_error(req, 400, "bad_parameter", "'%s' must be an integer from 0 to %ld", name, max);
        return -1;
    }
    return 0;
}

/* Runs sql (whose first column is JSON text) and returns the result; answers 500 on failure. */
PGresult *lt_api_query(lt_http_request *req, const char *sql, int n, const char *const *params)
{
    lt_error err;
    lt_error_clear(&err);
    PGresult *res = NULL;
    PGconn *db = lt_http_db(req, &err);
    int rc = db ? lt_db_exec(db, sql, n, params, &res, &err) : LT_EIO;
    if (rc && db && lt_http_db_lost(req) && (db = lt_http_db(req, &err))) /* a pooled one the restart broke */
        rc = lt_db_exec(db, sql, n, params, &res, &err);
    if (rc) {
        lt_http_reply_db_error(req, &err);
        return NULL;
    }
    return res;
}

void lt_api_reply_doc(lt_http_request *req, unsigned status, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (text)
        lt_http_reply_json(req, status, text);
    else
        lt_http_reply_error(req, 500, "internal_error", "out of memory");
    free(text);
    json_decref(doc);
}

/* Answers 200 with the JSON text in the first column of res's first row, or 404 (what). */
void lt_api_reply_first_json(lt_http_request *req, PGresult *res, const char *what)
{
    if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0))
        lt_http_reply_error(req, 404, "not_found", "no such %s", what);
    else
        lt_http_reply_json(req, 200, PQgetvalue(res, 0, 0));
    PQclear(res);
}

/* ---- analyses ---- */

/* The analysis and what was uploaded: the snapshot's app, labels (every label column, so
 * new ones appear without a change here), sizes and counts; not its spool path. */
static const char analysis_sql[] =
    "SELECT json_build_object('id', a.id, 'snapshot_id', a.snapshot_id, 'state', a.state, 'phase', a.phase, "
    "'percent', a.percent, 'error', a.error, 'error_kind', a.error_kind, 'attempts', a.attempts, "
    "'not_before', a.not_before, "
    "'created_at', a.created_at, 'started_at', a.started_at, 'finished_at', a.finished_at, 'app', p.name, "
    "'snapshot', to_jsonb(s) - 'spool_path' - 'customer_id' - 'app_id' - 'machine_id' - 'large_object' || "
    "jsonb_build_object('sha256', encode(s.sha256, 'hex')))::text, a.state, a.error "
    "FROM analyses a JOIN snapshots s ON s.id = a.snapshot_id AND s.customer_id = a.customer_id "
    "JOIN apps p ON p.id = s.app_id AND p.customer_id = s.customer_id WHERE a.id = $1 AND a.customer_id = $2";

PGresult *lt_api_wait_analysis(lt_http_request *req, const char *id, const char *customer, long wait_s)
{
    const char *params[] = {id, customer};
    double deadline = lt_http_wait_deadline(req, wait_s);
    PGresult *res = lt_api_query(req, analysis_sql, 2, params);
    if (!res)
        return NULL;
    int finished =
        PQntuples(res) < 1 || !strcmp(PQgetvalue(res, 0, 1), "done") || !strcmp(PQgetvalue(res, 0, 1), "failed");
    if (finished || lt_http_guard_now() >= deadline || lt_http_stopping(req->server))
        return res;
    PQclear(res);
    lt_http_wait(req, strtoll(id, NULL, 10));
    return NULL;
}

void lt_api_analysis(lt_http_request *req)
{
    char id[24], customer[24];
    long wait_s;
    if (lt_api_id_param(req, req->captures[0], "analysis", id) ||
        lt_api_uint_param(req, "wait", 0, LT_API_WAIT_MAX_S, &wait_s))
        return;
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    PGresult *res = lt_api_wait_analysis(req, id, customer, wait_s);
    if (res)
        lt_api_reply_first_json(req, res, "analysis");
}

void lt_api_analysis_report(lt_http_request *req)
{
    char id[24], customer[24];
    if (lt_api_id_param(req, req->captures[0], "analysis", id))
        return;
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    const char *params[] = {id, customer};
    PGresult *res =
        lt_api_query(req,
                     "SELECT (r.document || jsonb_build_object('comparison', "
                     "lt_comparison(a.id, lt_baseline_analysis(a.id, a.customer_id), a.customer_id)))::text, "
                     "a.state, a.error FROM analyses a "
                     "LEFT JOIN reports r ON r.analysis_id = a.id WHERE a.id = $1 AND a.customer_id = $2",
                     2, params);
    if (!res)
        return;
    if (PQntuples(res) == 1 && PQgetisnull(res, 0, 0)) {
        const char *state = PQgetvalue(res, 0, 1);
        if (!strcmp(state, "failed"))
            lt_http_reply_error(req, 409, "analysis_failed",
                                "analysis %s failed: %s (POST /api/v1/analyses/%s/retry queues it again)", id,
                                PQgetvalue(res, 0, 2), id);
        else
            lt_http_reply_error(
                req, 404, "report_not_ready",
                "analysis %s is %s; its report exists once it is done (GET /api/v1/analyses/%s?wait=60)", id, state,
                id);
        PQclear(res);
        return;
    }
    lt_api_reply_first_json(req, res, "analysis");
}

/* Queues a failed analysis again, as new: no attempts used, no error. $1 id, $2 customer.
 * Returns its previous error; no row when it is not the caller's or not failed. */
static const char retry_sql[] =
    "UPDATE analyses a SET state = 'queued', attempts = 0, releases = 0, not_before = NULL, phase = NULL, percent = 0, "
    "error = NULL, "
    "error_kind = NULL, worker = NULL, heartbeat_at = NULL, started_at = NULL, finished_at = NULL "
    "FROM analyses old WHERE old.id = a.id AND a.id = $1 AND a.customer_id = $2 AND a.state = 'failed' "
    "RETURNING json_build_object('analysis_id', a.id, 'analysis_url', '/api/v1/analyses/' || a.id, "
    "'state', a.state, 'previous_error', old.error)::text";

void lt_api_analysis_retry(lt_http_request *req)
{
    char id[24], customer[24];
    if (lt_api_id_param(req, req->captures[0], "analysis", id))
        return;
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    const char *params[] = {id, customer};
    PGresult *res = lt_api_query(req, retry_sql, 2, params);
    if (!res)
        return;
    if (PQntuples(res) == 1) {
        lt_http_reply_json(req, 202, PQgetvalue(res, 0, 0));
        PQclear(res);
        return;
    }
    PQclear(res);
    if (!(res = lt_api_query(req, "SELECT state FROM analyses WHERE id = $1 AND customer_id = $2", 2, params)))
        return;
    if (PQntuples(res) == 1)
        lt_http_reply_error(req, 409, "not_failed", "analysis %s is %s: only a failed analysis can be retried", id,
                            PQgetvalue(res, 0, 0));
    else
        lt_http_reply_error(req, 404, "not_found", "no such analysis");
    PQclear(res);
}

/* ---- apps ---- */

void lt_api_apps(lt_http_request *req)
{
    char customer[24];
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    const char *params[] = {customer};
    PGresult *res = lt_api_query(
        req,
        "SELECT json_build_object('apps', coalesce(json_agg(json_build_object("
        "'name', a.name, 'created_at', a.created_at, "
        "'snapshot_count', (SELECT count(*) FROM snapshots s WHERE s.app_id = a.id AND s.customer_id = $1), "
        "'last_upload_at', (SELECT max(s.uploaded_at) FROM snapshots s WHERE s.app_id = a.id AND s.customer_id = $1)"
        ") ORDER BY a.name), '[]'::json))::text FROM apps a WHERE a.customer_id = $1",
        1, params);
    if (res)
        lt_api_reply_first_json(req, res, "app");
}

/* The snapshots of an app, newest first, each with its latest analysis. */
static const char snapshots_sql[] =
    "SELECT json_build_object('app', a.name, 'limit', $3::int, 'offset', $4::bigint, "
    "'total', (SELECT count(*) FROM snapshots s WHERE s.app_id = a.id AND s.customer_id = $1), "
    "'snapshots', coalesce((SELECT json_agg(x ORDER BY x.uploaded_at DESC, x.id DESC) FROM ("
    "  SELECT s.id, encode(s.sha256, 'hex') AS sha256, s.compressed_bytes, s.uncompressed_bytes, s.node_count, "
    "  s.edge_count, s.total_size, s.version, s.host, s.commit_sha AS commit, s.branch, s.environment, s.uploaded_at, "
    "  s.bytes_removed_at, an.id AS analysis_id, an.state AS analysis_state "
    "  FROM snapshots s LEFT JOIN LATERAL (SELECT id, state FROM analyses WHERE snapshot_id = s.id "
    "    AND customer_id = $1 ORDER BY id DESC LIMIT 1) an ON true "
    "  WHERE s.app_id = a.id AND s.customer_id = $1 "
    "  ORDER BY s.uploaded_at DESC, s.id DESC LIMIT $3 OFFSET $4) x), '[]'::json))::text "
    "FROM apps a WHERE a.customer_id = $1 AND a.name = $2";

/* The findings of an app's analyses, newest analysis first, by rank. */
static const char findings_sql[] =
    "SELECT json_build_object('app', a.name, 'limit', $3::int, 'offset', $4::bigint, "
    "'findings', coalesce((SELECT json_agg(x ORDER BY x.analysis_id DESC, x.rank) FROM ("
    "  SELECT f.kind, f.fingerprint, f.title, f.retained_size, f.retained_percent, f.rank, "
    "  f.analysis_id, an.snapshot_id "
    "  FROM findings f JOIN analyses an ON an.id = f.analysis_id AND an.customer_id = f.customer_id "
    "  WHERE f.app_id = a.id AND f.customer_id = $1 "
    "  ORDER BY f.analysis_id DESC, f.rank LIMIT $3 OFFSET $4) x), '[]'::json))::text "
    "FROM apps a WHERE a.customer_id = $1 AND a.name = $2";

/* Runs an app list query with the caller, the app name and ?limit=&offset=. */
static void app_list(lt_http_request *req, const char *sql)
{
    const char *app = lt_upload_app_name(req);
    long limit, offset;
    if (!app || lt_api_uint_param(req, "limit", LT_API_LIMIT_DEFAULT, LT_API_LIMIT_MAX, &limit) ||
        lt_api_uint_param(req, "offset", 0, 1000000000L, &offset))
        return;
    char customer[24], limit_s[24], offset_s[24];
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    snprintf(limit_s, sizeof limit_s, "%ld", limit);
    snprintf(offset_s, sizeof offset_s, "%ld", offset);
    const char *params[] = {customer, app, limit_s, offset_s};
    PGresult *res = lt_api_query(req, sql, 4, params);
    if (res)
        lt_api_reply_first_json(req, res, "app");
}

void lt_api_app_snapshots(lt_http_request *req)
{
    app_list(req, snapshots_sql);
}

void lt_api_app_findings(lt_http_request *req)
{
    app_list(req, findings_sql);
}

/* ---- the OpenAPI document ---- */

void lt_api_openapi(lt_http_request *req)
{
    lt_http_reply_json(req, 200, lt_openapi_document());
}
