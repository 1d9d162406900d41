/* jobs: the analysis queue and its worker pool (see jobs.h).
 *
 * DESIGN. A pool is N worker threads and one heartbeat thread, each with its own PGconn
 * (opened in lt_jobs_start, closed in lt_jobs_stop; never used by another thread). The
 * only state they share is the pool's `stopping` flag and each worker's `running_id` (the
 * job it runs, for the heartbeat thread), under one mutex. Everything else about a job
 * lives in the database row: claim, progress, result and failure are each one statement
 * (the result one transaction, store.c) guarded by the claim token (worker name +
 * attempts), so a job put back by stale-heartbeat recovery can never be finished twice. */
#include "jobs.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "db.h"
#include "log.h"
#include "redact.h"
#include "snapshot_store.h"
#include "store.h"

#define NODE_NAME_MAX           63
#define PROGRESS_MIN_INTERVAL_S 0.25
#define DB_RETRY_MS             1000 /* wait after a database error before trying again */

typedef struct jobs_worker {
    lt_jobs *pool;
    pthread_t thread;
    int started;
    PGconn *conn;       /* this worker's own; only its thread uses it once started */
    char name[80];      /* "<node>/w<i>", analyses.worker of its claims */
    int64_t running_id; /* the job it runs, 0 when idle; guarded by pool->lock */
    lt_keep *keep;      /* its last analysis's blocks, for the next (NULL: config.keep_memory_s is 0) */
    double idle_since;  /* monotonic_s() when its last job ended */
} jobs_worker;

struct lt_jobs {
    /* lock guards `stopping` and every workers[i].running_id, nothing else. Rule: it is
     * held only to read or write those fields and to wait on `wake`, never across a
     * database call or an analysis, so no thread ever waits on another's I/O. */
    pthread_mutex_t lock;
    pthread_cond_t wake; /* broadcast (under lock) when stopping is set */
    int lock_ready;
    int stopping;
    lt_jobs_config config;
    const lt_snapshot_store *store; /* config.store, or own_store when none is given */
    lt_snapshot_store own_store;
    char node_name[NODE_NAME_MAX + 1];
    int worker_count;
    jobs_worker *workers;
    PGconn *heartbeat_conn; /* the heartbeat thread's own */
    pthread_t heartbeat_thread;
    int heartbeat_started;
    char *beat_ids; /* heartbeat thread's buffer: "{id,id,...}" */
};

/* A claimed job: the analyses row as the claim left it, and where its snapshot is (the
 * claim's result row, which it owns: PQclear'd when the job ends). */
typedef struct jobs_claim {
    char id[24], customer_id[24], app_id[24], attempts[16];
    PGresult *row;
    lt_snapshot_ref snapshot; /* strings in row */
    double queue_wait_s;      /* from the analysis's creation to this claim */
} jobs_claim;

/* ---- SQL ---------------------------------------------------------------------------- */

/* When a job put back (a failed attempt, a stale heartbeat, a release) may run again:
 * 2^n seconds from now, at most LT_RETRY_BACKOFF_MAX_S. */
#define BACKOFF_SQL(n) "now() + make_interval(secs => least(power(2, " n "), " LT_STR(LT_RETRY_BACKOFF_MAX_S) "))"

/* $1 worker name, $2 the per-customer cap, $3 this machine's id. Returns the job and
 * where its snapshot is. Only jobs whose back-off is over, and whose snapshot this machine
 * can read (a large object, or a spool file of this machine) — unless the machine holding
 * it has left it queued for LT_FOREIGN_WAIT_S: then any machine takes it and releases it
 * (release_job), so that it fails clearly in the end instead of waiting forever.
 * Fair claiming: among customers with fewer than $2 analyses running, the one whose
 * latest analysis started longest ago (never: first) goes first — round-robin by
 * customer — and its oldest queued job is taken. Two claims at the same instant may
 * both pass the cap (it is counted, not locked): at most one over per racing worker. */
/* clang-format off: SQL text spliced with numbers from defaults.h */
static const char CLAIM_SQL[] =
    "WITH claimed AS ("
    " UPDATE analyses SET state = 'running', attempts = attempts + 1, started_at = now(), heartbeat_at = now(),"
    " finished_at = NULL, worker = $1, phase = 'reading', percent = 0, not_before = NULL"
    " WHERE id = (SELECT q.id FROM analyses q JOIN snapshots qs ON qs.id = q.snapshot_id WHERE q.state = 'queued'"
    "  AND (q.not_before IS NULL OR q.not_before <= now())"
    "  AND (qs.store <> 'local' OR qs.machine_id IS NULL OR qs.machine_id = $3"
    "   OR q.created_at < now() - make_interval(secs => " LT_STR(
        LT_FOREIGN_WAIT_S) "))"
                           "  AND (SELECT count(*) FROM analyses r WHERE r.customer_id = q.customer_id AND r.state = "
                           "'running') < $2::int"
                           "  ORDER BY (SELECT max(l.started_at) FROM analyses l WHERE l.customer_id = q.customer_id) "
                           "NULLS FIRST, q.id"
                           "  FOR UPDATE OF q SKIP LOCKED LIMIT 1)"
                           " RETURNING id, customer_id, snapshot_id, attempts, extract(epoch FROM started_at - "
                           "created_at) AS wait_s) "
                           "SELECT c.id, c.customer_id, s.app_id, c.attempts, s.spool_path, s.store, s.machine_id, "
                           "s.large_object, c.wait_s"
                           " FROM claimed c JOIN snapshots s ON s.id = c.snapshot_id AND s.customer_id = c.customer_id";

/* $1 id, $2 worker, $3 attempts (the claim), $4 the error if it is the last release.
 * Gives back a job this machine cannot read: the attempt is not counted; after
 * LT_RELEASES_MAX releases it fails with $4. */
#define LAST_RELEASE "releases + 1 >= " LT_STR(LT_RELEASES_MAX)
static const char RELEASE_SQL[] =
    "UPDATE analyses SET attempts = attempts - 1, releases = releases + 1, worker = NULL, phase = NULL,"
    " percent = 0, started_at = NULL, heartbeat_at = NULL, not_before = " BACKOFF_SQL(
        "releases + 1") ","
                        " state = CASE WHEN " LAST_RELEASE " THEN 'failed' ELSE 'queued' END,"
                        " finished_at = CASE WHEN " LAST_RELEASE " THEN now() END,"
                        " error_kind = CASE WHEN " LAST_RELEASE " THEN 'internal' ELSE error_kind END,"
                        " error = CASE WHEN " LAST_RELEASE " THEN $4 ELSE error END"
                        " WHERE id = $1 AND worker = $2 AND attempts = $3::int AND state = 'running' RETURNING state";

/* $1 id, $2 worker, $3 phase, $4 percent. */
static const char PROGRESS_SQL[] = "UPDATE analyses SET phase = $3, percent = $4::real, heartbeat_at = now()"
                                   " WHERE id = $1 AND worker = $2 AND state = 'running'";

/* $1 id, $2 worker, $3 attempts (the claim), $4 give up now (bad input), $5 error. */
static const char FAIL_SQL[] =
    "UPDATE analyses SET error_kind = CASE WHEN $4::boolean THEN 'bad_input' ELSE 'internal' END,"
    " state = CASE WHEN $4::boolean OR attempts >= max_attempts THEN 'failed' ELSE 'queued' END,"
    " finished_at = CASE WHEN $4::boolean OR attempts >= max_attempts THEN now() END,"
    " phase = CASE WHEN $4::boolean OR attempts >= max_attempts THEN phase END,"
    " percent = CASE WHEN $4::boolean OR attempts >= max_attempts THEN percent ELSE 0 END,"
    " not_before = CASE WHEN NOT $4::boolean AND attempts < max_attempts THEN " BACKOFF_SQL(
        "attempts") " END,"
                    " error = $5, heartbeat_at = now()"
                    " WHERE id = $1 AND worker = $2 AND attempts = $3::int AND state = 'running' RETURNING state";

/* $1 stale seconds. */
static const char RECOVER_SQL[] =
    "UPDATE analyses SET error_kind = 'internal',"
    " state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,"
    " finished_at = CASE WHEN attempts >= max_attempts THEN now() END,"
    " phase = CASE WHEN attempts >= max_attempts THEN phase END,"
    " percent = CASE WHEN attempts >= max_attempts THEN percent ELSE 0 END,"
    " not_before = CASE WHEN attempts < max_attempts THEN " BACKOFF_SQL(
        "attempts") " END,"
                    " error = 'worker ' || coalesce(worker, '?') || ' stopped during attempt ' || attempts"
                    " || ' (no heartbeat for ' || $1::int || ' s: the process crashed or was killed)'"
                    " WHERE state = 'running'"
                    " AND coalesce(heartbeat_at, started_at, created_at) < now() - make_interval(secs => $1::int)"
                    " RETURNING state, id, customer_id, worker, attempts";

/* $1 ids as a bigint[] literal, $2 the node name. */
static const char PUT_BACK_SQL[] =
    "UPDATE analyses SET state = 'queued', attempts = greatest(attempts - 1, 0), worker = NULL, phase = NULL,"
    " percent = 0, started_at = NULL, heartbeat_at = NULL"
    " WHERE state = 'running' AND id = ANY($1::bigint[]) AND left(worker, length($2) + 1) = $2 || '/'"
    " RETURNING state, id, customer_id, $2, attempts";
/* clang-format on */

/* $1 ids as a bigint[] literal. */
static const char BEAT_SQL[] =
    "UPDATE analyses SET heartbeat_at = now() WHERE state = 'running' AND id = ANY($1::bigint[])";

/* ---- pool state ---------------------------------------------------------------------- */

static int pool_stopping(lt_jobs *p)
{
    pthread_mutex_lock(&p->lock);
    int stopping = p->stopping;
    pthread_mutex_unlock(&p->lock);
    return stopping;
}

static void set_running(jobs_worker *w, int64_t id)
{
    pthread_mutex_lock(&w->pool->lock);
    w->running_id = id;
    pthread_mutex_unlock(&w->pool->lock);
}

static double monotonic_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void log_line(const char *who, const char *id, const char *message)
{
    lt_log_message("error", "%s: analysis %s: %s", who, id ? id : "-", message);
}

/* A job event's log line (jobs.h); error_kind, state and error only when not NULL,
 * duration_s and queue_wait_s only when >= 0. */
typedef struct job_event {
    const char *event, *analysis_id, *customer_id, *worker, *attempt;
    const char *error_kind, *state, *error;
    double duration_s, queue_wait_s; /* < 0: not logged */
} job_event;

static void log_job(const job_event *e)
{
    lt_log_line line;
    lt_log_begin(&line, e->event);
    lt_log_int(&line, "analysis_id", strtoll(e->analysis_id, NULL, 10));
    lt_log_int(&line, "customer_id", strtoll(e->customer_id, NULL, 10));
    lt_log_str(&line, "worker", e->worker);
    lt_log_int(&line, "attempt", strtoll(e->attempt, NULL, 10));
    lt_log_str(&line, "state", e->state);
    lt_log_str(&line, "error_kind", e->error_kind);
    if (e->duration_s >= 0)
        lt_log_num(&line, "duration_s", e->duration_s);
    if (e->queue_wait_s >= 0)
        lt_log_num(&line, "queue_wait_s", e->queue_wait_s);
    lt_log_str(&line, "error", e->error);
    lt_log_end(&line);
}

/* One line of event per row of res (columns: state, id, customer_id, worker, attempts). */
static void log_rows(const char *event, const PGresult *res)
{
    for (int i = 0; i < PQntuples(res); i++) {
        job_event e = {.event = event,
                       .state = PQgetvalue(res, i, 0),
                       .analysis_id = PQgetvalue(res, i, 1),
                       .customer_id = PQgetvalue(res, i, 2),
                       .worker = PQgetvalue(res, i, 3),
                       .attempt = PQgetvalue(res, i, 4),
                       .duration_s = -1,
                       .queue_wait_s = -1};
        log_job(&e);
    }
}

/* ---- connections --------------------------------------------------------------------- */

static int listen_for_jobs(PGconn *conn, lt_error *err)
{
    return lt_db_exec(conn, "LISTEN " LT_JOBS_CHANNEL, 0, NULL, NULL, err);
}

/* After a lost connection: reconnect (and LISTEN again for a worker). 0 when usable. */
static int ensure_connected(PGconn *conn, int listen, lt_error *err)
{
    if (PQstatus(conn) == CONNECTION_OK)
        return 0;
    PQreset(conn);
    if (PQstatus(conn) != CONNECTION_OK)
        return lt_error_set(err, LT_EIO, "lost the database connection and cannot reconnect yet");
    return listen ? listen_for_jobs(conn, err) : 0;
}

static int drain_notifies(PGconn *conn)
{
    int n = 0;
    PGnotify *note;
    while ((note = PQnotifies(conn))) {
        PQfreemem(note);
        n++;
    }
    return n;
}

/* Sleeps up to timeout_ms or until a NOTIFY arrives on conn. */
static void wait_for_notify(PGconn *conn, int timeout_ms)
{
    if (drain_notifies(conn)) /* one read while a query ran */
        return;
    struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};
    if (pfd.fd < 0 || poll(&pfd, 1, timeout_ms) <= 0) {
        if (pfd.fd < 0)
            poll(NULL, 0, timeout_ms);
        return;
    }
    PQconsumeInput(conn);
    drain_notifies(conn);
}

/* ---- claim, progress, failure ------------------------------------------------------ */

static void copy_field(char *dst, size_t len, const PGresult *res, int col)
{
    snprintf(dst, len, "%s", PQgetvalue(res, 0, col));
}

/* Returns 1 with *job filled (PQclear job->row), 0 when the queue is empty, or a
 * negative LT_E* code. */
static int claim_job(jobs_worker *w, jobs_claim *job, lt_error *err)
{
    char cap[16];
    snprintf(cap, sizeof cap, "%d", w->pool->config.per_customer);
    const char *params[] = {w->name, cap, w->pool->store->machine_id};
    PGresult *res;
    int rc = lt_db_exec(w->conn, CLAIM_SQL, 3, params, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return 0;
    }
    copy_field(job->id, sizeof job->id, res, 0);
    copy_field(job->customer_id, sizeof job->customer_id, res, 1);
    copy_field(job->app_id, sizeof job->app_id, res, 2);
    copy_field(job->attempts, sizeof job->attempts, res, 3);
    job->row = res;
    job->snapshot = (lt_snapshot_ref){.name = PQgetvalue(res, 0, 4),
                                      .store = PQgetvalue(res, 0, 5),
                                      .machine_id = PQgetvalue(res, 0, 6),
                                      .large_object = PQgetvalue(res, 0, 7)};
    job->queue_wait_s = strtod(PQgetvalue(res, 0, 8), NULL);
    return 1;
}

/* Runs sql, an UPDATE of job's row guarded by the claim that returns its new state, and
 * logs "<what> (<state>): <message>". A database error is logged: recovery puts the job
 * back later. */
static void update_job(jobs_worker *w, const jobs_claim *job, const char *sql, int n, const char *const *params,
                       job_event *e)
{
    PGresult *res;
    lt_error err;
    if (lt_db_exec(w->conn, sql, n, params, &res, &err)) {
        log_line(w->name, job->id, err.message);
        return;
    }
    e->analysis_id = job->id;
    e->customer_id = job->customer_id;
    e->worker = w->name;
    e->attempt = job->attempts;
    e->state = PQntuples(res) ? PQgetvalue(res, 0, 0) : "no longer ours";
    e->queue_wait_s = -1;
    log_job(e);
    PQclear(res);
}

/* Gives back a job whose snapshot is in another machine's spool (see RELEASE_SQL). */
static void release_job(jobs_worker *w, const jobs_claim *job)
{
    char error[160];
    snprintf(error, sizeof error,
             "the snapshot is on machine %s, which has not claimed it (serve --store postgres "
             "lets every machine read it)",
             job->snapshot.machine_id);
    const char *params[] = {job->id, w->name, job->attempts, error};
    job_event e = {.event = "job_released", .error = error, .duration_s = -1};
    update_job(w, job, RELEASE_SQL, 4, params, &e);
}

/* Where each phase sits in the overall percent. */
static const struct jobs_phase {
    const char *name;
    double start, span;
} PHASES[] = {
    {"reading", 0, 60},
    {"dominators", 60, 25},
    {"findings", 85, 10},
    {"storing", 95, 5},
};
#define PHASE_COUNT ((int)(sizeof PHASES / sizeof *PHASES))

typedef struct jobs_progress {
    jobs_worker *w;
    const jobs_claim *job;
    int phase;           /* index in PHASES; never goes back */
    double percent;      /* overall; never goes back */
    double last_write_s; /* monotonic time of the last write */
} jobs_progress;

static int phase_index(const char *name)
{
    for (int i = 0; i < PHASE_COUNT; i++)
        if (!strcmp(PHASES[i].name, name))
            return i;
    return -1;
}

static void write_progress(jobs_progress *p)
{
    char percent[16];
    snprintf(percent, sizeof percent, "%.1f", p->percent);
    const char *params[] = {p->job->id, p->w->name, PHASES[p->phase].name, percent};
    lt_error err;
    if (lt_db_exec(p->w->conn, PROGRESS_SQL, 4, params, NULL, &err))
        log_line(p->w->name, p->job->id, err.message); /* the heartbeat thread still beats */
    p->last_write_s = monotonic_s();
}

/* The analysis's progress callback, on the worker's thread: at most one write per
 * PROGRESS_MIN_INTERVAL_S, except that a new phase is written at once. */
static void on_progress(void *ctx, const char *phase, double percent)
{
    jobs_progress *p = ctx;
    int i = phase_index(phase);
    if (i < p->phase) /* unknown, or an earlier phase reported late */
        return;
    double clamped = percent < 0 ? 0 : percent > 100 ? 100 : percent;
    double overall = PHASES[i].start + PHASES[i].span * clamped / 100;
    int new_phase = i != p->phase;
    p->phase = i;
    if (overall > p->percent)
        p->percent = overall;
    if (new_phase || monotonic_s() - p->last_write_s >= PROGRESS_MIN_INTERVAL_S)
        write_progress(p);
}

/* Bad input fails at once: another attempt would read the same bytes. */
static int worth_retrying(int code)
{
    return code != LT_EINPUT && code != LT_EARCHIVE && code != LT_ELIMIT;
}

/* Stores the failure of job's attempt. The stored error (shown to the customer) names the
 * snapshot, never a path on the server; the log line keeps the message as it was. */
static void record_failure(jobs_worker *w, const jobs_claim *job, int code, const char *message, double duration_s)
{
    char shown[sizeof((lt_error *)0)->message + 64];
    lt_redact_paths(message, "the stored snapshot", shown, sizeof shown);
    const char *params[] = {job->id, w->name, job->attempts, worth_retrying(code) ? "false" : "true", shown};
    job_event e = {.event = "job_failed",
                   .error_kind = worth_retrying(code) ? "internal" : "bad_input",
                   .error = message,
                   .duration_s = duration_s};
    update_job(w, job, FAIL_SQL, 5, params, &e);
}

/* ---- a worker ------------------------------------------------------------------------ */

/* An archive holding three snapshots of one process (lt_three_snapshot_entries) is
 * analysed by the three-snapshot method; anything else as one snapshot. */
static int analyse_upload(const char *path, const lt_analysis_options *options, lt_analysis **a, lt_error *err)
{
    char entries[3][LT_THREE_ENTRY_MAX];
    if (access(path, F_OK) && errno == ENOENT)
        return lt_error_set(err, LT_EINPUT, "the snapshot's file is gone (deleted, or past serve --keep-snapshots)");
    int set = lt_three_snapshot_entries(path, entries, err);
    if (set <= 0)
        return set < 0 ? set : lt_analyze_file(path, options, a, err);
    lt_snapshot_source baseline = {path, entries[0]}, target = {path, entries[1]}, final = {path, entries[2]};
    return lt_analyze_three(&baseline, &target, &final, options, a, err);
}

/* Opens job's snapshot for reading (snapshot_store.h); logs a large object's fetch time. */
static int open_snapshot(jobs_worker *w, const jobs_claim *job, lt_snapshot_file *file, lt_error *err)
{
    double start_s = monotonic_s();
    int rc = lt_snapshot_store_open(w->pool->store, w->conn, &job->snapshot, file, err);
    struct stat st;
    if (!rc && file->fetched && !fstat(file->fd, &st)) {
        lt_log_line line; /* job_fetched: the large object copied to this machine */
        lt_log_begin(&line, "job_fetched");
        lt_log_int(&line, "analysis_id", strtoll(job->id, NULL, 10));
        lt_log_int(&line, "customer_id", strtoll(job->customer_id, NULL, 10));
        lt_log_str(&line, "worker", w->name);
        lt_log_int(&line, "bytes", (int64_t)st.st_size);
        lt_log_num(&line, "duration_s", monotonic_s() - start_s);
        lt_log_end(&line);
    }
    return rc;
}

static int analyse_and_store(jobs_worker *w, const jobs_claim *job, lt_error *err)
{
    jobs_progress progress = {.w = w, .job = job, .phase = 0, .percent = 0, .last_write_s = monotonic_s()};
    const lt_jobs_config *c = &w->pool->config;
    lt_analysis_options options = {.progress = on_progress,
                                   .progress_ctx = &progress,
                                   .memory_budget = c->analysis_memory,
                                   .max_snapshot_bytes = c->max_snapshot_bytes,
                                   .max_ratio = c->max_ratio,
                                   .deadline = lt_analysis_deadline(c->analysis_timeout_s),
                                   .keep = w->keep};
    lt_analysis *a = NULL;
    lt_snapshot_file file;
    int rc = open_snapshot(w, job, &file, err);
    if (!rc) {
        rc = analyse_upload(file.path, &options, &a, err);
        lt_snapshot_store_close(&file);
    }
    if (!rc) {
        on_progress(&progress, "storing", 0);
        lt_store_job store = {.analysis_id = job->id,
                              .customer_id = job->customer_id,
                              .app_id = job->app_id,
                              .worker = w->name,
                              .attempts = job->attempts};
        rc = lt_store_results(w->conn, &store, a, err);
    }
    lt_analysis_free(a);
    return rc;
}

static void run_job(jobs_worker *w, jobs_claim *job)
{
    lt_error err;
    lt_error_clear(&err);
    if (!lt_snapshot_store_readable(w->pool->store, &job->snapshot)) {
        release_job(w, job);
        PQclear(job->row);
        return;
    }
    job_event e = {.event = "job_claimed",
                   .analysis_id = job->id,
                   .customer_id = job->customer_id,
                   .worker = w->name,
                   .attempt = job->attempts,
                   .duration_s = -1,
                   .queue_wait_s = job->queue_wait_s};
    log_job(&e);
    e.queue_wait_s = -1;
    lt_metrics_job_started(w->pool->config.metrics, job->queue_wait_s);
    double started = monotonic_s();
    set_running(w, strtoll(job->id, NULL, 10));
    int rc = analyse_and_store(w, job, &err);
    set_running(w, 0);
    e.duration_s = monotonic_s() - started;
    lt_metrics_job_ended(w->pool->config.metrics, e.duration_s);
    if (rc == 0 || rc == LT_ECANCELLED) {
        e.event = rc ? "job_cancelled" : "job_done";
        e.error = rc ? err.message : NULL;
        log_job(&e);
    } else
        record_failure(w, job, rc, err.message[0] ? err.message : lt_strerror(rc), e.duration_s);
    PQclear(job->row);
    job->row = NULL;
}

/* Gives the kept blocks back to the system once the worker has been idle for
 * keep_memory_s (so an idle server holds no analysis memory), and logs how much. */
static void release_idle_memory(jobs_worker *w)
{
    if (!w->keep || monotonic_s() - w->idle_since < w->pool->config.keep_memory_s || !lt_keep_bytes(w->keep))
        return;
    uint64_t bytes = lt_keep_drain(w->keep);
    lt_log_line line;
    lt_log_begin(&line, "worker_memory_released");
    lt_log_str(&line, "worker", w->name);
    lt_log_int(&line, "bytes", (int64_t)bytes);
    lt_log_end(&line);
}

static void *worker_main(void *arg)
{
    jobs_worker *w = arg;
    const lt_jobs_config *c = &w->pool->config;
    while (!pool_stopping(w->pool)) {
        lt_error err;
        jobs_claim job = {0};
        int rc = ensure_connected(w->conn, 1, &err);
        if (!rc)
            rc = claim_job(w, &job, &err);
        if (rc == 1) {
            run_job(w, &job);
            w->idle_since = monotonic_s();
        } else if (rc == 0) {
            release_idle_memory(w);
            wait_for_notify(w->conn, c->poll_ms);
        } else {
            log_line(w->name, NULL, err.message);
            release_idle_memory(w); /* idle too while the database is away */
            poll(NULL, 0, DB_RETRY_MS);
        }
    }
    return NULL;
}

/* ---- the heartbeat thread ------------------------------------------------------------ */

/* Writes "{id,id}" of the running jobs into p->beat_ids; returns how many. Under lock. */
static int collect_running(lt_jobs *p)
{
    size_t at = 0;
    int n = 0;
    p->beat_ids[at++] = '{';
    for (int i = 0; i < p->worker_count; i++) {
        if (!p->workers[i].running_id)
            continue;
        at += (size_t)sprintf(p->beat_ids + at, "%s%" PRId64, n ? "," : "", p->workers[i].running_id);
        n++;
    }
    strcpy(p->beat_ids + at, "}");
    return n;
}

static void beat_and_recover(lt_jobs *p, int running, int recover)
{
    lt_error err;
    const char *params[] = {p->beat_ids};
    if (ensure_connected(p->heartbeat_conn, 0, &err) ||
        (running && lt_db_exec(p->heartbeat_conn, BEAT_SQL, 1, params, NULL, &err)) ||
        (recover && lt_jobs_recover(p->heartbeat_conn, p->config.stale_seconds, NULL, NULL, &err)))
        log_line(p->node_name, NULL, err.message);
}

static struct timespec deadline_after_ms(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static void *heartbeat_main(void *arg)
{
    lt_jobs *p = arg;
    double next_recover_s = monotonic_s() + p->config.stale_seconds / 2.0;
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        struct timespec deadline = deadline_after_ms(p->config.heartbeat_ms);
        pthread_cond_timedwait(&p->wake, &p->lock, &deadline);
        if (p->stopping)
            break;
        int running = collect_running(p);
        pthread_mutex_unlock(&p->lock);
        int recover = monotonic_s() >= next_recover_s;
        if (recover)
            next_recover_s = monotonic_s() + p->config.stale_seconds / 2.0;
        beat_and_recover(p, running, recover);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- recovery ------------------------------------------------------------------------ */

int lt_jobs_recover(PGconn *conn, int stale_seconds, int *requeued, int *failed, lt_error *err)
{
    char seconds[16];
    snprintf(seconds, sizeof seconds, "%d", stale_seconds);
    const char *params[] = {seconds};
    PGresult *res;
    int rc = lt_db_exec(conn, RECOVER_SQL, 1, params, &res, err);
    if (rc)
        return rc;
    int back = 0, dead = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        if (!strcmp(PQgetvalue(res, i, 0), "queued"))
            back++;
        else
            dead++;
    }
    log_rows("job_recovered", res);
    PQclear(res);
    if (requeued)
        *requeued = back;
    if (failed)
        *failed = dead;
    return 0;
}

/* ---- start and stop ------------------------------------------------------------------ */

void lt_jobs_config_default(lt_jobs_config *c)
{
    *c = (lt_jobs_config){0};
    c->stale_seconds = LT_JOBS_STALE_SECONDS;
    c->heartbeat_ms = LT_JOBS_HEARTBEAT_MS;
    c->poll_ms = LT_JOBS_POLL_MS;
    c->per_customer = LT_DEFAULT_PER_CUSTOMER;
    c->max_snapshot_bytes = LT_DEFAULT_MAX_SNAPSHOT_BYTES;
    c->max_ratio = LT_DEFAULT_MAX_RATIO;
    c->analysis_timeout_s = LT_DEFAULT_ANALYSIS_TIMEOUT_S;
    c->keep_memory_s = LT_DEFAULT_KEEP_MEMORY_S;
    const char *env = getenv(LT_JOBS_STALE_ENV);
    char *end;
    long v = env ? strtol(env, &end, 10) : 0;
    if (env && *env && !*end && v > 0 && v <= 86400)
        c->stale_seconds = (int)v;
    if (c->heartbeat_ms > c->stale_seconds * 1000 / 3) /* a few beats within the timeout */
        c->heartbeat_ms = c->stale_seconds * 1000 / 3;
}

static int check_arguments(const char *conninfo, int workers, const char *node_name, const lt_jobs_config *c,
                           lt_error *err)
{
    if (!conninfo || workers < 1 || workers > LT_WORKERS_MAX)
        return lt_error_set(err, LT_EUSAGE, "the number of workers must be 1 to %d, not %d", LT_WORKERS_MAX, workers);
    if (!node_name || !*node_name || strlen(node_name) > NODE_NAME_MAX)
        return lt_error_set(err, LT_EUSAGE, "the node name must be 1 to %d bytes", NODE_NAME_MAX);
    if (c->per_customer < 1)
        return lt_error_set(err, LT_EUSAGE, "the analyses per customer must be at least 1, not %d", c->per_customer);
    if (c->stale_seconds < 1 || c->heartbeat_ms < 10 || c->poll_ms < 1 || c->heartbeat_ms >= c->stale_seconds * 1000)
        return lt_error_set(err, LT_EUSAGE,
                            "the heartbeat interval (%d ms) must be shorter than the stale timeout "
                            "(%d s)",
                            c->heartbeat_ms, c->stale_seconds);
    return 0;
}

/* Joins the threads that started, closes the connections, frees p (partly built is fine). */
static void pool_free(lt_jobs *p)
{
    if (p->lock_ready) {
        pthread_mutex_lock(&p->lock);
        p->stopping = 1;
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
    for (int i = 0; p->workers && i < p->worker_count; i++)
        if (p->workers[i].started)
            pthread_join(p->workers[i].thread, NULL);
    if (p->heartbeat_started)
        pthread_join(p->heartbeat_thread, NULL);
    for (int i = 0; p->workers && i < p->worker_count; i++) {
        lt_db_close(p->workers[i].conn);
        lt_keep_free(p->workers[i].keep);
    }
    lt_db_close(p->heartbeat_conn);
    if (p->lock_ready) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
    }
    free(p->workers);
    free(p->beat_ids);
    free(p);
}

static int init_lock(lt_jobs *p, lt_error *err)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) || pthread_condattr_setclock(&attr, CLOCK_MONOTONIC))
        return lt_error_set(err, LT_ENOMEM, "cannot set up the worker pool's condition variable");
    int failed = pthread_cond_init(&p->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (failed || pthread_mutex_init(&p->lock, NULL)) {
        if (!failed)
            pthread_cond_destroy(&p->wake);
        return lt_error_set(err, LT_ENOMEM, "cannot set up the worker pool's lock");
    }
    p->lock_ready = 1;
    return 0;
}

/* Allocates the pool and opens every connection; the heartbeat one first. */
static int pool_prepare(lt_jobs *p, const char *conninfo, int workers, const char *node_name, lt_error *err)
{
    snprintf(p->node_name, sizeof p->node_name, "%s", node_name);
    p->worker_count = workers;
    p->workers = calloc((size_t)workers, sizeof *p->workers);
    p->beat_ids = malloc((size_t)workers * 24 + 3);
    if (!p->workers || !p->beat_ids)
        return lt_error_set(err, LT_ENOMEM, "out of memory starting %d workers", workers);
    int rc = lt_db_connect(conninfo, &p->heartbeat_conn, err);
    for (int i = 0; !rc && i < workers; i++) {
        jobs_worker *w = &p->workers[i];
        w->pool = p;
        snprintf(w->name, sizeof w->name, "%s/w%d", node_name, i);
        if (p->config.keep_memory_s > 0 && !(w->keep = lt_keep_new()))
            return lt_error_set(err, LT_ENOMEM, "out of memory starting %d workers", workers);
        rc = lt_db_connect(conninfo, &w->conn, err);
        if (!rc)
            rc = listen_for_jobs(w->conn, err);
    }
    return rc;
}

static int start_threads(lt_jobs *p, lt_error *err)
{
    for (int i = 0; i < p->worker_count; i++) {
        if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]))
            return lt_error_set(err, LT_ENOMEM, "cannot start worker thread %d: %s", i, strerror(errno));
        p->workers[i].started = 1;
    }
    if (pthread_create(&p->heartbeat_thread, NULL, heartbeat_main, p))
        return lt_error_set(err, LT_ENOMEM, "cannot start the heartbeat thread: %s", strerror(errno));
    p->heartbeat_started = 1;
    return 0;
}

lt_jobs *lt_jobs_start_config(const char *conninfo, int workers, const char *node_name, const lt_jobs_config *config,
                              lt_error *err)
{
    if (check_arguments(conninfo, workers, node_name, config, err))
        return NULL;
    lt_jobs *p = calloc(1, sizeof *p);
    if (!p) {
        lt_error_set(err, LT_ENOMEM, "out of memory starting the worker pool");
        return NULL;
    }
    p->config = *config;
    p->store = config->store ? config->store : &p->own_store; /* own_store: local, any machine */
    int rc = init_lock(p, err);
    if (!rc)
        rc = pool_prepare(p, conninfo, workers, node_name, err);
    if (!rc)
        rc = lt_jobs_recover(p->heartbeat_conn, config->stale_seconds, NULL, NULL, err);
    if (!rc)
        rc = start_threads(p, err);
    if (rc) {
        pool_free(p);
        return NULL;
    }
    return p;
}

lt_jobs *lt_jobs_start(const char *conninfo, int workers, const char *node_name, lt_error *err)
{
    lt_jobs_config config;
    lt_jobs_config_default(&config);
    return lt_jobs_start_config(conninfo, workers, node_name, &config, err);
}

/* How many workers run a job. */
static int count_running(lt_jobs *p)
{
    int n = 0;
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->worker_count; i++)
        n += p->workers[i].running_id != 0;
    pthread_mutex_unlock(&p->lock);
    return n;
}

/* Sets stopping (idle workers and the heartbeat thread end) and waits up to grace_s for
 * the workers to be idle; returns how many are still busy. */
static int stop_and_wait(lt_jobs *p, unsigned grace_s)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_mutex_unlock(&p->lock);
    double until = monotonic_s() + grace_s;
    int busy;
    while ((busy = count_running(p)) > 0 && monotonic_s() < until)
        poll(NULL, 0, 50);
    return busy;
}

int lt_jobs_drain(lt_jobs *jobs, unsigned grace_s)
{
    if (!jobs || stop_and_wait(jobs, grace_s) == 0)
        return 0;
    pthread_mutex_lock(&jobs->lock);
    pthread_cond_broadcast(&jobs->wake);
    pthread_mutex_unlock(&jobs->lock);
    if (jobs->heartbeat_started)
        pthread_join(jobs->heartbeat_thread, NULL); /* its connection and beat_ids are free now */
    jobs->heartbeat_started = 0;
    pthread_mutex_lock(&jobs->lock);
    collect_running(jobs);
    pthread_mutex_unlock(&jobs->lock);
    const char *params[] = {jobs->beat_ids, jobs->node_name};
    PGresult *res;
    lt_error err;
    if (ensure_connected(jobs->heartbeat_conn, 0, &err) ||
        lt_db_exec(jobs->heartbeat_conn, PUT_BACK_SQL, 2, params, &res, &err)) {
        log_line(jobs->node_name, NULL, err.message);
        return 1;
    }
    int back = PQntuples(res);
    log_rows("job_put_back", res);
    PQclear(res);
    return back > 0 ? back : 1;
}

void lt_jobs_stop(lt_jobs *jobs)
{
    if (jobs)
        pool_free(jobs);
}
