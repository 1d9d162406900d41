/* jobs_test: drives server/jobs.c for tests/integration/jobs.sh, which sets up the
 * database, queues the jobs and checks the rows.
 *
 * Usage: jobs_test CONNINFO POOLS WORKERS TIMEOUT_S HEARTBEAT_MS [SQL]
 * Starts POOLS pools (nodes "node-a", "node-b", ...) of WORKERS workers each (stale
 * timeout from $LEAKTRIAGE_STALE_SECONDS), runs SQL (if given) once they run, waits until
 * no job is queued or running on one of these nodes, stops the pools and prints how long
 * stopping took. Exit status 0; 1 on timeout or error. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "jobs.h"

#define POOLS_MAX 8

static const char PENDING_SQL[] =
    "SELECT count(*) FROM analyses WHERE state = 'queued' OR (state = 'running' AND worker LIKE 'node-%')";

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Waits until nothing is pending; 0, or -1 on timeout or a database error. */
static int wait_drained(PGconn *conn, double timeout_ms)
{
    double until = now_ms() + timeout_ms;
    while (now_ms() < until) {
        PGresult *res;
        lt_error err;
        if (lt_db_exec(conn, PENDING_SQL, 0, NULL, &res, &err)) {
            fprintf(stderr, "jobs_test: %s\n", err.message);
            return -1;
        }
        int pending = atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
        if (!pending)
            return 0;
        poll(NULL, 0, 50);
    }
    fprintf(stderr, "jobs_test: jobs still pending after %.0f ms\n", timeout_ms);
    return -1;
}

static int start_pools(const char *conninfo, int pools, int workers, const lt_jobs_config *c, lt_jobs **out)
{
    for (int i = 0; i < pools; i++) {
        char node[16];
        lt_error err;
        snprintf(node, sizeof node, "node-%c", 'a' + i);
        if (!(out[i] = lt_jobs_start_config(conninfo, workers, node, c, &err))) {
            fprintf(stderr, "jobs_test: starting %s: %s\n", node, err.message);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 6 || atoi(argv[2]) < 1 || atoi(argv[2]) > POOLS_MAX) {
        fprintf(stderr, "usage: jobs_test CONNINFO POOLS WORKERS TIMEOUT_S HEARTBEAT_MS [SQL]\n");
        return 2;
    }
    int pools = atoi(argv[2]), rc = 0;
    lt_jobs_config config;
    lt_jobs_config_default(&config);
    config.heartbeat_ms = atoi(argv[5]);
    lt_jobs *running[POOLS_MAX] = {0};
    PGconn *conn = NULL;
    lt_error err;
    if (lt_db_connect(argv[1], &conn, &err)) {
        fprintf(stderr, "jobs_test: %s\n", err.message);
        return 1;
    }
    rc = start_pools(argv[1], pools, atoi(argv[3]), &config, running);
    if (!rc && argc > 6 && lt_db_exec_script(conn, argv[6], &err)) {
        fprintf(stderr, "jobs_test: %s\n", err.message);
        rc = -1;
    }
    if (!rc)
        rc = wait_drained(conn, atof(argv[4]) * 1e3);
    double t0 = now_ms();
    for (int i = 0; i < pools; i++)
        lt_jobs_stop(running[i]);
    printf("stopped %d pool(s) in %.0f ms\n", pools, now_ms() - t0);
    lt_db_close(conn);
    return rc ? 1 : 0;
}
