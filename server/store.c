/* store: an analysis's results into the database (see store.h). */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "report.h"
#include "store_leaks.h"
#include "store_explore.h"

/* Statements take the job's values as $1 analysis id, $2 customer id, $3 app id; the
 * first MARK_PARAMS / FILL_FROM_REPORT[i].nparams of them (MARK_DONE has its own list). */

/* First, so the analysis row is locked for the transaction: the claim must still hold.
 * $1 analysis id, $2 customer id, $3 worker, $4 attempts. */
static const char MARK_DONE[] =
    "UPDATE analyses SET state = 'done', phase = 'storing', percent = 100, error = NULL, "
    "finished_at = now(), heartbeat_at = now() "
    "WHERE id = $1 AND customer_id = $2 AND state = 'running' AND worker = $3 AND attempts = $4::int";

/* $1 analysis id, $2 the report document. */
static const char INSERT_REPORT[] = "INSERT INTO reports (analysis_id, document) VALUES ($1, $2::jsonb)";

typedef struct store_statement {
    const char *sql;
    int nparams; /* uses $1..$nparams of (analysis id, customer id, app id) */
} store_statement;

/* Old rows of the analysis go first (a retried job never has any: storing is one
 * transaction; this keeps a second store from failing on a key). */
static const store_statement CLEAR_OLD[] = {
    {"DELETE FROM findings WHERE analysis_id = $1 AND customer_id = $2", 2},
    {"DELETE FROM class_stats WHERE analysis_id = $1", 1},
    {"DELETE FROM top_retainers WHERE analysis_id = $1", 1},
    {"DELETE FROM reports WHERE analysis_id = $1", 1},
};

/* Each reads the document INSERT_REPORT just stored. */
static const store_statement FILL_FROM_REPORT[] = {
    {"INSERT INTO findings (analysis_id, customer_id, app_id, rank, kind, fingerprint, title, retained_size, "
     "retained_percent, details) "
     "SELECT $1, $2, $3, f.ord, f.v->>'kind', f.v->>'fingerprint', f.v->>'title', "
     "(f.v->>'retained_size')::bigint, (f.v->>'retained_percent')::real, f.v "
     "FROM reports r, jsonb_array_elements(r.document->'findings') WITH ORDINALITY AS f(v, ord) "
     "WHERE r.analysis_id = $1",
     3},
    {"INSERT INTO class_stats (analysis_id, class, key, count, shallow_size, retained_size, distance) "
     "SELECT $1, c.class, c.key, c.count, c.shallow_size, c.retained_size, c.distance "
     "FROM reports r, jsonb_to_recordset(r.document->'classes') AS c(class text, key text, count bigint, "
     "shallow_size bigint, retained_size bigint, distance int) "
     "WHERE r.analysis_id = $1 ON CONFLICT (analysis_id, key) DO NOTHING",
     1},
    {"INSERT INTO top_retainers (analysis_id, rank, node_id, type, name, class, self_size, retained_size, "
     "distance, dominator_id) "
     "SELECT $1, t.ord, (t.v->>'id')::bigint, t.v->>'type', t.v->>'name', t.v->>'class', "
     "(t.v->>'self_size')::bigint, (t.v->>'retained_size')::bigint, (t.v->>'distance')::int, "
     "(t.v->>'dominator_id')::bigint "
     "FROM reports r, jsonb_array_elements(r.document->'top_retainers') WITH ORDINALITY AS t(v, ord) "
     "WHERE r.analysis_id = $1",
     1},
    {"UPDATE snapshots s SET node_count = (r.document->'snapshot'->>'node_count')::bigint, "
     "edge_count = (r.document->'snapshot'->>'edge_count')::bigint, "
     "total_size = (r.document->'snapshot'->>'total_self_size')::bigint, "
     "uncompressed_bytes = (r.document->'snapshot'->>'uncompressed_bytes')::bigint "
     "FROM reports r, analyses a WHERE r.analysis_id = $1 AND a.id = $1 AND a.customer_id = $2 "
     "AND s.id = a.snapshot_id AND s.customer_id = $2",
     2},
};

typedef struct store_tx {
    const lt_store_job *job;
    const char *document; /* the report as JSON text */
    const lt_analysis *analysis;
} store_tx;

/* The claim still holds when MARK_DONE changed exactly one row. */
static int mark_done(PGconn *conn, const lt_store_job *job, lt_error *err)
{
    const char *params[] = {job->analysis_id, job->customer_id, job->worker, job->attempts};
    PGresult *res;
    int rc = lt_db_exec(conn, MARK_DONE, 4, params, &res, err);
    if (rc)
        return rc;
    int changed = atoi(PQcmdTuples(res));
    PQclear(res);
    if (changed != 1)
        return lt_error_set(err, LT_ECANCELLED,
                            "analysis %s is no longer held by %s (attempt %s): its heartbeat went stale and it "
                            "was put back; results discarded",
                            job->analysis_id, job->worker, job->attempts);
    return 0;
}

static int run_all(PGconn *conn, const store_statement *list, size_t n, const char *const *params, lt_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = lt_db_exec(conn, list[i].sql, list[i].nparams, params, NULL, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int store_in_tx(PGconn *conn, void *ctx, lt_error *err)
{
    const store_tx *tx = ctx;
    const char *ids[] = {tx->job->analysis_id, tx->job->customer_id, tx->job->app_id};
    const char *report[] = {tx->job->analysis_id, tx->document};
    int rc = mark_done(conn, tx->job, err);
    if (!rc)
        rc = run_all(conn, CLEAR_OLD, sizeof CLEAR_OLD / sizeof *CLEAR_OLD, ids, err);
    if (!rc)
        rc = lt_db_exec(conn, INSERT_REPORT, 2, report, NULL, err);
    if (!rc)
        rc = run_all(conn, FILL_FROM_REPORT, sizeof FILL_FROM_REPORT / sizeof *FILL_FROM_REPORT, ids, err);
    if (!rc)
        rc = lt_leaks_record_analysis(conn, tx->job->analysis_id, tx->job->customer_id, tx->job->app_id, err);
    if (!rc)
        rc = lt_store_explore(conn, tx->job->analysis_id, tx->analysis, err);
    return rc;
}

int lt_store_results(PGconn *conn, const lt_store_job *job, const lt_analysis *a, lt_error *err)
{
    json_t *doc = lt_report_json(a, LT_REPORT_TOP);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text)
        return lt_error_set(err, LT_ENOMEM, "out of memory building the report of analysis %s", job->analysis_id);
    store_tx tx = {.job = job, .document = text, .analysis = a};
    int rc = lt_db_transaction(conn, store_in_tx, &tx, err);
    free(text);
    return rc;
}
