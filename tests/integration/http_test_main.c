/* http_test_main: the HTTP server alone (the REST API's routes, no workers), for api.sh,
 * which writes what workers would store by hand. Built by CMake against the server library.
 * Usage: http_test_main DATA_DIR MIGRATIONS_DIR MAX_UPLOAD_BYTES [STATIC_DIR]
 * (STATIC_DIR: serve the pages from that folder, as `serve --static`; else the built-in copy)
 * Starts (or reuses) the private cluster in DATA_DIR, applies the migrations, serves the
 * API on 127.0.0.1 on a free port (no workers), prints "port N" and "conninfo ..." on
 * standard output, and stops on SIGTERM or SIGINT. Exit status 0, or 1 with a message. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "api_ops.h"
#include "db.h"
#include "http.h"
#include "migrate.h"
#include "pg_private.h"

static int fail(const lt_error *err)
{
    fprintf(stderr, "http_test_main: %s\n", err->message);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fputs("usage: http_test_main DATA_DIR MIGRATIONS_DIR MAX_UPLOAD_BYTES [STATIC_DIR]\n", stderr);
        return 2;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* before any thread starts: only sigwait sees them */

    lt_error err;
    lt_error_clear(&err);
    char conninfo[1024];
    PGconn *conn = NULL;
    if (lt_pg_private_ensure(argv[1], 1, conninfo, sizeof conninfo, &err) || lt_db_connect(conninfo, &conn, &err) ||
        lt_migrate_apply(conn, argv[2], stderr, NULL, &err))
        return fail(&err);
    lt_db_close(conn);

    lt_http_config cfg = {.listen = "127.0.0.1:0",
                          .data_dir = argv[1],
                          .conninfo = conninfo,
                          .routes = lt_api_routes,
                          .route_count = lt_api_route_count,
                          .max_upload = strtoull(argv[3], NULL, 10),
                          .static_dir = argc == 5 ? argv[4] : NULL,
                          .metrics = lt_api_metrics_new(0)};
    lt_http *http;
    if (!cfg.metrics || lt_http_start(&cfg, &http, &err))
        return fail(&err);
    printf("port %u\nconninfo %s\n", lt_http_port(http), conninfo);
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    lt_http_stop(http);
    lt_metrics_free(cfg.metrics);
    return 0;
}
