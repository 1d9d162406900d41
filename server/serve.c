/* serve: the service's start, run and stop. See serve.h. */
#include "serve.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "api.h"
#include "api_ops.h"
#include "db.h"
#include "defaults.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "migrate.h"
#include "pg_private.h"
#include "spool.h"
#include "upload.h"

/* The retention sweep's thread: sweeps at start, then every LT_RETENTION_SWEEP_S seconds
 * until stop is set (under lock, signalled on wake). */
typedef struct retention {
    const char *conninfo;
    const char *spool_dir;
    long days;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
} retention;

/* One sweep on its own connection; failures are logged and retried at the next sweep. */
static void sweep_once(const retention *r)
{
    lt_error err;
    lt_error_clear(&err);
    PGconn *db = NULL;
    long count = 0;
    int rc = lt_db_connect(r->conninfo, &db, &err);
    if (!rc)
        rc = lt_spool_expire(db, r->spool_dir, r->days, &count, &err);
    lt_db_close(db);
    if (rc)
        lt_log_message("error", "retention: %s", err.message);
    else if (count > 0)
        printf("leaktriage: retention: removed the raw files of %ld snapshots older than %ld days\n", count, r->days);
    fflush(stdout);
}

static void *retention_main(void *arg)
{
    retention *r = arg;
    pthread_mutex_lock(&r->lock);
    while (!r->stop) {
        pthread_mutex_unlock(&r->lock);
        sweep_once(r);
        pthread_mutex_lock(&r->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += LT_RETENTION_SWEEP_S;
        while (!r->stop && pthread_cond_timedwait(&r->wake, &r->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* Starts the sweep when r->days > 0. 0, or LT_EIO when the thread cannot start. */
static int retention_start(retention *r, lt_error *err)
{
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    if (r->days > 0 && pthread_create(&r->thread, NULL, retention_main, r)) {
        r->days = 0;
        return lt_error_set(err, LT_EIO, "cannot start the retention thread");
    }
    return 0;
}

static void retention_stop(retention *r)
{
    pthread_mutex_lock(&r->lock);
    r->stop = 1;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    if (r->days > 0)
        pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
}

/* Removes the .part files a killed server left (none is being written: not started yet). */
static void clean_spool(const char *data_dir)
{
    char spool[PATH_MAX + 8];
    snprintf(spool, sizeof spool, "%s/spool", data_dir);
    int removed = lt_upload_clean_spool(spool);
    if (removed > 0)
        printf("leaktriage: removed %d partial upload(s) left in the spool\n", removed);
}

/* The data folder as an absolute path (messages and the private cluster's place). */
static int absolute_data_dir(const char *data_dir, char *buf, size_t len, lt_error *err)
{
    const char *dir = data_dir ? data_dir : lt_db_default_data_dir();
    if (mkdir(dir, 0755) && errno != EEXIST)
        return lt_error_set(err, LT_EIO, "cannot create the data folder %s: %s", dir, strerror(errno));
    char *real = realpath(dir, NULL);
    if (!real)
        return lt_error_set(err, LT_EIO, "cannot resolve the data folder %s: %s", dir, strerror(errno));
    snprintf(buf, len, "%s", real);
    free(real);
    return 0;
}

/* Raises the descriptor limit to the hard limit: every connection is a descriptor. */
static void raise_descriptor_limit(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &r))
            lt_log_message("warning", "cannot raise the descriptor limit: %s", strerror(errno));
    }
}

/* Stops the HTTP server and the workers within the grace period, putting back the
 * analyses still running at its end. Returns how many went back (their workers still run). */
static int drain(lt_http *http, lt_jobs *jobs, unsigned grace_s)
{
    time_t until = time(NULL) + (time_t)grace_s;
    printf("leaktriage: stopping (grace %u s)\n", grace_s);
    fflush(stdout);
    lt_http_stop(http);
    time_t now = time(NULL);
    int back = lt_jobs_drain(jobs, now < until ? (unsigned)(until - now) : 0);
    if (back > 0)
        printf("leaktriage: put %d running analyses back in the queue\n", back);
    else
        lt_jobs_stop(jobs); /* every worker is idle: join them (else they end with the process) */
    fflush(stdout);
    return back;
}

/* Migrates, and on a first start creates a customer and prints its key once. */
static int prepare_database(const char *conninfo, lt_error *err)
{
    PGconn *conn = NULL;
    char key[LT_ADMIN_KEY_LEN + 1] = "";
    int rc = lt_db_connect(conninfo, &conn, err);
    if (!rc)
        rc = lt_migrate_apply(conn, NULL, stdout, NULL, err);
    if (!rc)
        rc = lt_admin_first_customer(conn, LT_FIRST_CUSTOMER, key, err);
    lt_db_close(conn);
    if (!rc && key[0])
        printf("first start: created customer '" LT_FIRST_CUSTOMER "'; its API key (shown once):\n%s\n", key);
    return rc;
}

/* The HTTP server's configuration: the command line's, the REST API's routes. */
static lt_http_config http_config_of(const lt_serve_config *a, const char *data_dir, const char *conninfo,
                                     lt_metrics *metrics)
{
    return (lt_http_config){.listen = a->listen,
                            .data_dir = data_dir,
                            .conninfo = conninfo,
                            .max_upload = a->max_upload,
                            .public_url = a->public_url,
                            .routes = lt_api_routes,
                            .route_count = lt_api_route_count,
                            .static_dir = a->static_dir,
                            .threads = a->http_threads,
                            .max_connections = a->max_connections,
                            .max_per_ip = a->max_per_ip,
                            .db_connections = a->db_connections,
                            .grace_s = a->grace_s,
                            .metrics = metrics,
                            .store = a->store};
}

/* The pool's configuration: the defaults, with the budget the command line set. */
static lt_jobs_config jobs_config_of(const lt_serve_config *a, lt_metrics *metrics)
{
    lt_jobs_config c;
    lt_jobs_config_default(&c);
    c.metrics = metrics;
    c.analysis_memory = a->analysis_memory;
    if (a->max_snapshot_bytes)
        c.max_snapshot_bytes = a->max_snapshot_bytes;
    if (a->max_ratio)
        c.max_ratio = a->max_ratio;
    if (a->analysis_timeout_s)
        c.analysis_timeout_s = a->analysis_timeout_s;
    if (a->per_customer)
        c.per_customer = a->per_customer;
    c.keep_memory_s = a->keep_memory_s;
    return c;
}

/* Starts the HTTP server and the workers, waits for a stop signal, stops both. */
static int run(const lt_serve_config *a, const sigset_t *stop, lt_error *err)
{
    char data_dir[PATH_MAX], conninfo[1024], node[128], host[64] = "node";
    lt_db_target db = a->db;
    int rc = absolute_data_dir(a->db.data_dir, data_dir, sizeof data_dir, err);
    db.data_dir = data_dir;
    db.create = 1;
    if (!rc)
        rc = lt_db_target_conninfo(&db, conninfo, sizeof conninfo, err);
    if (!rc && lt_pg_private_url())
        printf("leaktriage: database: %s\n", lt_pg_private_url());
    if (!rc)
        rc = prepare_database(conninfo, err);
    if (rc)
        return rc;
    clean_spool(data_dir);
    lt_metrics *metrics = lt_api_metrics_new(a->workers);
    if (!metrics)
        return lt_error_set(err, LT_ENOMEM, "out of memory creating the metrics");
    lt_http_config cfg = http_config_of(a, data_dir, conninfo, metrics);
    lt_http *http = NULL;
    if ((rc = lt_http_start(&cfg, &http, err)))
        goto fail_http;
    gethostname(host, sizeof host - 1);
    snprintf(node, sizeof node, "%s:%ld", host, (long)getpid());
    lt_jobs_config jobs_config = jobs_config_of(a, metrics);
    jobs_config.store = lt_http_snapshot_store(http);
    lt_jobs *jobs = lt_jobs_start_config(conninfo, a->workers, node, &jobs_config, err);
    if (!jobs) {
        rc = err->code ? err->code : LT_EIO;
        goto fail_jobs;
    }
    retention keep = {.conninfo = conninfo, .spool_dir = lt_http_spool_dir(http), .days = a->keep_snapshots};
    if ((rc = retention_start(&keep, err)))
        goto fail_retention;
    printf("leaktriage: snapshots stored in %s, this machine is %s\n", lt_snapshot_store_kind_name(a->store),
           jobs_config.store->machine_id);
    printf("leaktriage: listening on http://%s (port %u), %d workers, data in %s, %.1f GiB per analysis\n", a->listen,
           lt_http_port(http), a->workers, data_dir, (double)jobs_config.analysis_memory / (1 << 30));
    fflush(stdout);
    int sig;
    sigwait(stop, &sig);
    retention_stop(&keep);
    if (drain(http, jobs, a->grace_s) == 0)
        lt_metrics_free(metrics); /* else workers still count into it until the process ends */
    return 0;
fail_retention:
    lt_jobs_stop(jobs);
fail_jobs:
    lt_http_stop(http);
fail_http:
    lt_metrics_free(metrics);
    return rc;
}

int lt_serve_run(const lt_serve_config *config, lt_error *err)
{
    sigset_t stop; /* blocked before any thread starts, so only sigwait sees them */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    raise_descriptor_limit();
    int rc = run(config, &stop, err), stopped = 0;
    lt_error release_err;
    lt_error_clear(&release_err);
    if (lt_pg_private_release(&stopped, &release_err))
        fprintf(stderr, "leaktriage: %s\n", release_err.message);
    else if (stopped)
        printf("leaktriage: stopped the private PostgreSQL (no other leaktriage process uses it)\n");
    return rc;
}
