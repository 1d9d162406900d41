/* serve: the service — makes sure the database is there (the private PostgreSQL in the
 * data folder unless a URL is given), migrates it, creates the first customer and its key
 * on a first start (printed once on standard output), then runs the HTTP API and the
 * analysis workers until SIGTERM or SIGINT. It raises its descriptor limit (RLIMIT_NOFILE)
 * to the hard limit first. At start it removes the .part files a killed server left in the
 * spool (lt_upload_clean_spool); with keep_snapshots it runs the retention sweep
 * (lt_spool_expire) at start and every LT_RETENTION_SWEEP_S seconds in a thread of its own.
 * On SIGTERM it drains: the HTTP server stops accepting and lets requests in flight finish
 * within grace_s, the workers finish their analyses within what is left of it, and the
 * analyses still running then are put back in the queue (another server, or this one
 * restarted, runs them). With the private PostgreSQL it prints the cluster's URL at start
 * (standard output, the operator's terminal) and at its end stops the cluster unless
 * another leaktriage process still uses it (lt_pg_private_release). Its command line is
 * cli_serve.c. */
#ifndef LT_SERVE_H
#define LT_SERVE_H

#include <stdint.h>

#include "db.h"
#include "lt_error.h"
#include "snapshot_store.h"

typedef struct lt_serve_config {
    lt_db_target db;        /* db.data_dir also holds the upload spool (NULL: LT_DEFAULT_DATA_DIR) */
    const char *listen;     /* "ADDR:PORT" */
    int workers;            /* analysis worker threads, 1..LT_WORKERS_MAX */
    uint64_t max_upload;    /* bytes */
    const char *public_url; /* links in answers; NULL: LT_DEFAULT_PUBLIC_URL_TEXT (http.h) */
    const char *static_dir; /* serve the pages from this folder; NULL: the built-in copy */
    /* each analysis's budget (jobs.h lt_jobs_config; 0: jobs.c's default, none for memory) */
    uint64_t analysis_memory, max_snapshot_bytes;
    uint32_t max_ratio;
    int analysis_timeout_s, per_customer;
    int keep_memory_s; /* an idle worker keeps its last analysis's memory this long (jobs.h); 0: not */
    unsigned http_threads, max_connections, max_per_ip, db_connections; /* 0: defaults.h */
    unsigned grace_s;             /* SIGTERM: requests and analyses in flight get this long */
    long keep_snapshots;          /* days raw snapshot files are kept (spool.h); 0: forever */
    lt_snapshot_store_kind store; /* where uploads are stored (snapshot_store.h) */
} lt_serve_config;

/* Runs the service until SIGTERM or SIGINT (it blocks both in the calling thread before
 * starting any other, and waits for them with sigwait). Returns 0 after a clean stop; on a
 * failure to start returns an LT_E* code (LT_EUSAGE a bad listen address; LT_EIO the data
 * folder, the database or the port; LT_ENOMEM) with err set, and leaves nothing running. */
int lt_serve_run(const lt_serve_config *config, lt_error *err);

#endif
