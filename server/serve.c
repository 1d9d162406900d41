/* serve: `leaktriage serve`, the service: makes sure the database is there
 * (a private PostgreSQL in the data folder unless a URL is given), migrates
 * it, creates a first customer and key on first start (printed once), then
 * runs the HTTP API and the analysis workers until SIGTERM or SIGINT. */
#include "serve.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "db.h"
#include "http.h"
#include "jobs.h"
#include "migrate.h"

typedef struct serve_args {
    lt_db_target db;
    const char *listen;
    int workers;
    uint64_t max_upload;
} serve_args;

static const char usage[] =
    "usage: leaktriage serve [--listen ADDR:PORT] [--data DIR] [--database URL] [--workers N] [--max-upload BYTES]\n"
    "  --listen ADDR:PORT  where to serve (default 127.0.0.1:8080)\n"
    "  --data DIR          spool folder and private PostgreSQL (default ./data)\n"
    "  --database URL      use this PostgreSQL instead (or LEAKTRIAGE_DATABASE_URL)\n"
    "  --workers N         analysis worker threads (default: number of cores)\n"
    "  --max-upload BYTES  largest upload accepted (default 8 GiB)\n";

static int number_arg(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || !*s || s[0] == '-' || v == 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, serve_args *a)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    *a = (serve_args){.listen = "127.0.0.1:8080", .workers = cores > 0 ? (int)cores : 1,
                      .max_upload = 8ull << 30};
    for (int i = 0; i < argc; i++) {
        uint64_t n;
        int db = lt_db_target_option(&a->db, argc, argv, &i, "leaktriage serve");
        if (db < 0)
            return -1;
        if (db > 0)
            continue;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return fputs(usage, stdout), 1;
        if (i + 1 >= argc)
            return fprintf(stderr, "leaktriage serve: unknown or incomplete option %s\n%s", argv[i], usage), -1;
        if (!strcmp(argv[i], "--listen"))
            a->listen = argv[++i];
        else if (!strcmp(argv[i], "--workers") && !number_arg(argv[i + 1], 256, &n))
            a->workers = (int)n, i++;
        else if (!strcmp(argv[i], "--max-upload") && !number_arg(argv[i + 1], UINT64_MAX, &n))
            a->max_upload = n, i++;
        else
            return fprintf(stderr, "leaktriage serve: bad option %s %s\n%s", argv[i], argv[i + 1], usage), -1;
    }
    return 0;
}

/* The data folder as an absolute path (spool paths are stored in the
 * database and read by every node's workers). */
static int absolute_data_dir(serve_args *a, char *buf, size_t len, lt_error *err)
{
    const char *dir = a->db.data_dir ? a->db.data_dir : "./data";
    if (mkdir(dir, 0755) && errno != EEXIST)
        return lt_error_set(err, LT_EIO, "cannot create the data folder %s: %s", dir, strerror(errno));
    char *real = realpath(dir, NULL);
    if (!real)
        return lt_error_set(err, LT_EIO, "cannot resolve the data folder %s: %s", dir, strerror(errno));
    snprintf(buf, len, "%s", real);
    free(real);
    a->db.data_dir = buf;
    return 0;
}

/* Migrates, and on a first start creates a customer and prints its key once. */
static int prepare_database(const char *conninfo, lt_error *err)
{
    PGconn *conn = NULL;
    char key[LT_ADMIN_KEY_LEN + 1] = "";
    int rc = lt_db_connect(conninfo, &conn, err);
    if (!rc)
        rc = lt_migrate_apply(conn, LT_MIGRATE_DEFAULT_DIR, stdout, NULL, err);
    if (!rc)
        rc = lt_admin_first_customer(conn, "default", key, err);
    lt_db_close(conn);
    if (!rc && key[0])
        printf("first start: created customer 'default'; its API key (shown once):\n%s\n", key);
    return rc;
}

static int run(serve_args *a, lt_error *err)
{
    char data_dir[PATH_MAX], conninfo[1024], node[128], host[64] = "node";
    int rc = absolute_data_dir(a, data_dir, sizeof data_dir, err);
    if (!rc)
        rc = lt_db_target_conninfo(&a->db, conninfo, sizeof conninfo, err);
    if (!rc)
        rc = prepare_database(conninfo, err);
    if (rc)
        return rc;
    lt_http_config cfg = {.listen = a->listen, .data_dir = data_dir, .conninfo = conninfo, .max_upload = a->max_upload};
    lt_http *http = NULL;
    if ((rc = lt_http_start(&cfg, &http, err)))
        return rc;
    gethostname(host, sizeof host - 1);
    snprintf(node, sizeof node, "%s:%ld", host, (long)getpid());
    lt_jobs *jobs = lt_jobs_start(conninfo, a->workers, node, err);
    if (!jobs) {
        lt_http_stop(http);
        return err->code ? err->code : LT_EIO;
    }
    printf("leaktriage: listening on http://%s (port %u), %d workers, data in %s\n", a->listen, lt_http_port(http),
           a->workers, data_dir);
    fflush(stdout);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    int sig;
    sigwait(&stop, &sig);
    printf("leaktriage: stopping\n");
    lt_http_stop(http);
    lt_jobs_stop(jobs);
    return 0;
}

int lt_serve_cli(int argc, char **argv)
{
    serve_args args;
    int p = parse_args(argc, argv, &args);
    if (p)
        return p > 0 ? 0 : 2;
    sigset_t stop; /* blocked before any thread starts, so only sigwait sees them */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    lt_error err;
    lt_error_clear(&err);
    if (run(&args, &err)) {
        fprintf(stderr, "leaktriage serve: %s\n", err.message);
        return 1;
    }
    return 0;
}
