/* jobs: the analysis queue in PostgreSQL and the pool of worker threads that drains it.
 *
 * The queue is the analyses table: an upload inserts a row with state 'queued'. A worker
 * claims a queued row (the fairness rule below; FOR UPDATE SKIP LOCKED, so any number of workers in any
 * number of processes on one database never take the same row), sets it 'running' with
 * attempts+1, its name in `worker` and heartbeat_at; analyses the snapshot (read through
 * snapshot_store.h: its spool file, or its large object fetched); writes phase/percent/heartbeat_at as it goes; stores the results
 * (store.h) and sets 'done' — or records the error and puts the row back to 'queued'
 * (attempts left) or 'failed' (attempts used up, or bad input, which no retry can fix).
 *
 * Progress as readers of the analyses row see it:
 *   state   'queued' | 'running' | 'done' | 'failed'
 *   phase   'reading' | 'dominators' | 'findings' | 'storing' (NULL while queued)
 *   percent overall 0..100, never going back within an attempt: reading 0-60,
 *           dominators 60-85, findings 85-95, storing 95-100; 100 when done
 *   error   the last attempt's error (one line), NULL when done
 * Workers LISTEN on LT_JOBS_CHANNEL (migration 0002 NOTIFYs it when a row becomes
 * queued) and also poll, so a new job starts within milliseconds, at worst poll_ms.
 *
 * Fairness: the claim takes the customers in turn (the one whose latest analysis started
 * longest ago first) and skips a customer with per_customer analyses running, so a
 * customer's burst (or four decompression bombs) never holds every worker.
 *
 * Heartbeats and crashes: each pool has one heartbeat thread (own connection) that beats
 * heartbeat_at of every job the pool runs every heartbeat_ms, also through long silent
 * phases, and puts back jobs of any node whose heartbeat is older than stale_seconds — at
 * start (before any worker runs) and then every stale_seconds/2. A job put back that way
 * goes to 'queued', or 'failed' when its attempts are used up, its error saying so; the
 * late worker's results, if it ever comes back, are discarded (store.h).
 *
 * Every job event is a JSON line on standard error (log.h): job_claimed (with queue_wait_s,
 * from the analysis's creation), job_done, job_failed (error_kind, and state: queued when
 * it will be retried, failed when not), job_cancelled, job_put_back (SIGTERM's drain),
 * job_recovered (a stale heartbeat), job_released (a job this machine cannot read) and
 * job_fetched (a large object copied here, with bytes), each with analysis_id, customer_id,
 * worker, attempt and, when a worker ends a job, duration_s; and worker_memory_released
 * (worker, bytes) when an idle worker gives back what it kept for its next analysis.
 *
 * Several machines: the claim takes only jobs this machine can read (snapshot_store.h) and
 * whose not_before has passed. A failed attempt or a stale job put back waits 2^attempts
 * seconds (at most LT_RETRY_BACKOFF_MAX_S, defaults.h) before it is claimed again. A
 * local-store job left queued by its machine for LT_FOREIGN_WAIT_S is claimed by others,
 * which release it (the attempt not counted, releases+1, the same back-off) and, after
 * LT_RELEASES_MAX releases, fail it saying which machine holds the file. A snapshot whose
 * bytes are gone fails at once. */
#ifndef LT_JOBS_H
#define LT_JOBS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "defaults.h"
#include "lt_error.h"
#include "metrics.h"

/* The NOTIFY channel of new queued jobs (migrations/0002_jobs_notify.sql). */
#define LT_JOBS_CHANNEL "leaktriage_jobs"

/* The environment variable that overrides lt_jobs_config.stale_seconds (tests). */
#define LT_JOBS_STALE_ENV "LEAKTRIAGE_STALE_SECONDS"

typedef struct lt_jobs lt_jobs;

/* lt_jobs_config's defaults. */
#define LT_JOBS_STALE_SECONDS 30
#define LT_JOBS_HEARTBEAT_MS  5000
#define LT_JOBS_POLL_MS       200

typedef struct lt_jobs_config {
    int stale_seconds; /* a running job without a heartbeat this long is put back */
    int heartbeat_ms;  /* how often running jobs beat (keep well under stale_seconds) */
    int poll_ms;       /* how often an idle worker looks for a job without a NOTIFY */
    /* The budget of each analysis (lt_analysis_options; 0: no limit). Over it the job
     * fails at once, never retried (error_kind 'bad_input'). */
    uint64_t analysis_memory;    /* bytes */
    uint64_t max_snapshot_bytes; /* decompressed bytes */
    uint32_t max_ratio;          /* decompressed:compressed, past 256 MiB decompressed */
    int analysis_timeout_s;      /* wall time of one attempt */
    int per_customer;            /* analyses of one customer running at once, across the pool */
    /* Seconds a worker keeps the big blocks of its last analysis for the next one
     * (lt_keep in analysis.h: memory already backed, no page faults) before it gives them
     * back to the system; 0: none kept. The memory stays resident meanwhile: at most what
     * that analysis used. Released memory is logged as worker_memory_released (bytes). */
    int keep_memory_s;
    lt_metrics *metrics; /* busy workers, durations and queue waits counted here (not owned; NULL: not) */
    /* Where snapshots are read (snapshot_store.h; the caller's, alive while the pool runs);
     * NULL: no machine id (only rows that name no machine are readable) and no spool
     * folder (only absolute spool paths). */
    const struct lt_snapshot_store *store;
} lt_jobs_config;

/* Fills c with the defaults above and defaults.h's (analysis_memory 0: the caller
 * computes lt_default_analysis_memory for its worker count), stale_seconds taken from $LEAKTRIAGE_STALE_SECONDS
 * when that is a number from 1 to 86400, and heartbeat_ms at most a third of it. */
void lt_jobs_config_default(lt_jobs_config *c);

/* lt_jobs_start_config with lt_jobs_config_default. */
lt_jobs *lt_jobs_start(const char *conninfo, int workers, const char *node_name, lt_error *err);

/* Connects (one connection per worker, one for the heartbeat thread), puts back stale
 * jobs, then starts `workers` (1..LT_WORKERS_MAX, defaults.h) worker threads named
 * "<node_name>/w<i>" and the heartbeat thread. node_name (1..63 bytes) should differ between processes sharing a
 * database (e.g. host:pid). Returns the pool, which the caller stops with lt_jobs_stop; or
 * NULL with err set (LT_EUSAGE bad arguments, LT_EIO database, LT_ENOMEM) and nothing left
 * running. */
lt_jobs *lt_jobs_start_config(const char *conninfo, int workers, const char *node_name, const lt_jobs_config *config,
                              lt_error *err);

/* Asks every thread to stop and joins them: an idle worker stops within poll_ms; a busy
 * one finishes the analysis it runs and stores it first (an analysis cannot be cut short).
 * Then closes the connections and frees the pool. NULL is fine. */
void lt_jobs_stop(lt_jobs *jobs);

/* SIGTERM's stop: asks every thread to stop, waits up to grace_s for the analyses running
 * to finish, then puts the ones still running back in the queue (state 'queued', the
 * attempt not counted; the late worker's results would be discarded, store.h). Returns how
 * many went back: 0 means every worker is idle, and the caller frees the pool with
 * lt_jobs_stop; more means busy workers were left running and the process must exit
 * without lt_jobs_stop. A database error putting them back is logged; stale-heartbeat
 * recovery puts them back later. */
int lt_jobs_drain(lt_jobs *jobs, unsigned grace_s);

/* Puts back running jobs whose heartbeat is older than stale_seconds (any node's), on
 * conn. Returns 0 and, if not NULL, how many went back to the queue and how many failed
 * for good; or LT_EIO with err set. */
int lt_jobs_recover(PGconn *conn, int stale_seconds, int *requeued, int *failed, lt_error *err);

#endif
