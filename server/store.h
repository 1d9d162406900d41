/* store: writes what an analysis found into the database, in one transaction, and marks
 * its job done.
 *
 * Rows written, all for one analysis (and its customer):
 *   reports        the document `leaktriage analyze --json --top 200` prints (jsonb)
 *   findings       one row per finding, rank 1.. in the report's order; details is the
 *                  finding's whole JSON object (fix, evidence and kind-specific fields)
 *   class_stats    the report's classes (the top LT_REPORT_TOP (defaults.h) by retained size)
 *   top_retainers  the report's top retainers, rank 1..
 *   snapshots      node_count, edge_count, total_size (sum of self sizes), uncompressed_bytes
 *   analyses       state 'done', percent 100, finished_at, error cleared
 *   leaks          the app's leak records, occurrences, statuses and events (store_leaks.h),
 *                  last, under the app's row lock
 * The tables are filled from the stored report document itself (jsonb_to_recordset), so
 * the rows and the served report can never disagree. Earlier rows of the same analysis
 * (none, normally) are replaced. */
#ifndef LT_STORE_H
#define LT_STORE_H

#include <libpq-fe.h>

#include "analysis.h"
#include "defaults.h"
#include "lt_error.h"

/* The claimed job whose results are stored: ids as decimal text (as the claim returned
 * them), and the claim's token (worker name and attempt number). */
typedef struct lt_store_job {
    const char *analysis_id;
    const char *customer_id;
    const char *app_id;
    const char *worker;   /* analyses.worker of the claim */
    const char *attempts; /* analyses.attempts of the claim */
} lt_store_job;

/* Stores a's results for job and marks the job done, all in one transaction on conn.
 * Returns 0; LT_ENOMEM (building the report); LT_EIO (the database failed: nothing is
 * written); or LT_ECANCELLED when the job is no longer this claim's (its heartbeat went
 * stale and it was put back): nothing is written then either. err says which. */
int lt_store_results(PGconn *conn, const lt_store_job *job, const lt_analysis *a, lt_error *err);

#endif
