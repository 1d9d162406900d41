/* cli_serve: `leaktriage serve [options]`: parses the options into an lt_serve_config and
 * runs the service (serve.h). Exit status by the table in cli_common.h: 0 after
 * SIGTERM/SIGINT, 2 bad usage or a bad listen address, 3 when the service cannot start
 * (port taken, database unreachable, out of memory; message on standard error). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "defaults.h"
#include "serve.h"

typedef struct serve_args {
    lt_db_target db;
    const char *listen;
    uint64_t workers;
    uint64_t max_upload;
    const char *public_url;
    const char *static_dir;
    uint64_t analysis_memory, max_snapshot_bytes, max_ratio, analysis_timeout, per_customer;
    uint64_t http_threads, max_connections, max_per_ip, db_connections, grace_s;
    uint64_t keep_snapshots, keep_memory;
    const char *store;
} serve_args;

/* A numeric option of serve_args from 1 to max. */
#define SERVE_NUMBER(opt, field, value, maximum, text)                                                                 \
    {                                                                                                                  \
        .name = opt, .value_name = value, .kind = LT_CLI_NUMBER, .offset = offsetof(serve_args, field), .min = 1,      \
        .max = maximum, .help = text                                                                                   \
    }

static const lt_cli_option options[] = {
    {.name = "--listen",
     .value_name = "ADDR:PORT",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(serve_args, listen),
     .help = "where to serve (default " LT_DEFAULT_LISTEN ")"},
    LT_CLI_DB_OPTIONS(serve_args, db),
    {.name = "--workers",
     .value_name = "N",
     .kind = LT_CLI_NUMBER,
     .offset = offsetof(serve_args, workers),
     .min = 1,
     .max = LT_WORKERS_MAX,
     .help = "analysis worker threads (default: " LT_DEFAULT_WORKERS_TEXT ")"},
    {.name = "--max-upload",
     .value_name = "BYTES",
     .kind = LT_CLI_NUMBER,
     .offset = offsetof(serve_args, max_upload),
     .min = 1,
     .max = UINT64_MAX,
     .help = "largest upload accepted (default " LT_STR(LT_DEFAULT_MAX_UPLOAD_GIB) " GiB)"},
    {.name = "--analysis-memory",
     .value_name = "SIZE",
     .kind = LT_CLI_SIZE,
     .offset = offsetof(serve_args, analysis_memory),
     .min = 1 << 20,
     .max = UINT64_MAX,
     .help = "memory one analysis may use, e.g. 4G (default: " LT_DEFAULT_ANALYSIS_MEMORY_TEXT ")"},
    LT_CLI_LIMIT_OPTIONS(serve_args),
    {.name = "--analysis-timeout",
     .value_name = "SECONDS",
     .kind = LT_CLI_NUMBER,
     .offset = offsetof(serve_args, analysis_timeout),
     .min = 1,
     .max = INT32_MAX,
     .help = "wall time one analysis may take (default " LT_STR(LT_DEFAULT_ANALYSIS_TIMEOUT_S) ")"},
    {.name = "--per-customer",
     .value_name = "N",
     .kind = LT_CLI_NUMBER,
     .offset = offsetof(serve_args, per_customer),
     .min = 1,
     .max = LT_WORKERS_MAX,
     .help = "analyses of one customer running at once (default " LT_STR(LT_DEFAULT_PER_CUSTOMER) ")"},
    {.name = "--public-url",
     .value_name = "URL",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(serve_args, public_url),
     .help = "where users reach the service, for the links in verdicts (default " LT_DEFAULT_PUBLIC_URL_TEXT ")"},
    {.name = "--static",
     .value_name = "DIR",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(serve_args, static_dir),
     .help = "serve the pages from DIR, read at each request (default: the copy built into the binary)"},
    SERVE_NUMBER("--http-threads", http_threads, "N", LT_HTTP_THREADS_MAX,
                 "threads serving the connections (default " LT_STR(LT_DEFAULT_HTTP_THREADS) ")"),
    SERVE_NUMBER("--max-connections", max_connections, "N", 1000000,
                 "connections open at once (default " LT_STR(LT_DEFAULT_MAX_CONNECTIONS) ")"),
    SERVE_NUMBER("--max-connections-per-ip", max_per_ip, "N", 1000000,
                 "connections open at once from one address (default " LT_STR(LT_DEFAULT_MAX_PER_IP) ")"),
    SERVE_NUMBER("--db-connections", db_connections, "N", 10000,
                 "database connections of the request threads (default " LT_STR(LT_DEFAULT_DB_CONNECTIONS) ")"),
    SERVE_NUMBER(
        "--grace", grace_s, "SECONDS", LT_GRACE_MAX_S,
        "on SIGTERM, how long requests and analyses in flight may finish (default " LT_STR(LT_DEFAULT_GRACE_S) " s)"),
    {.name = "--keep-snapshots",
     .value_name = "DAYS",
     .kind = LT_CLI_NUMBER,
     .offset = offsetof(serve_args, keep_snapshots),
     .min = 1,
     .max = LT_KEEP_SNAPSHOTS_MAX,
     .help = "remove raw snapshot files uploaded more than DAYS days ago; results stay (default " LT_KEEP_SNAPSHOTS_TEXT
             ")"},
    {.name = "--keep-memory",
     .value_name = "SECONDS",
     .kind = LT_CLI_NUMBER,
     .offset = offsetof(serve_args, keep_memory),
     .min = 0,
     .max = LT_KEEP_MEMORY_MAX_S,
     .help = "an idle worker keeps its last analysis's memory this long for the next, which then runs without page "
             "faults; 0: give it back at once (default " LT_STR(LT_DEFAULT_KEEP_MEMORY_S) ")"},
    {.name = "--store",
     .value_name = "KIND",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(serve_args, store),
     .help = "where uploaded snapshots are kept: local (this machine's data folder) or postgres (large objects, "
             "readable by every server on the database; default " LT_DEFAULT_STORE ")"},
};

static int run(int argc, char **argv);

const lt_cli_command lt_cli_serve = {
    .name = "serve",
    .summary = "run the upload service and the analysis workers",
    LT_CLI_OPTION_TABLE(options),
    .env_options = 1,
    .run = run,
};

/* The machine's memory (or the cgroup's limit, when lower), in bytes; 0 when unknown. */
static uint64_t machine_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t total = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    unsigned long long limit = 0;
    FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");
    if (f) {
        if (fscanf(f, "%llu", &limit) == 1 && limit > 0 && (!total || limit < total))
            total = limit;
        fclose(f);
    }
    return total;
}

/* --analysis-memory's default: the machine's memory / workers, less the margin. */
static uint64_t default_analysis_memory(uint64_t workers)
{
    uint64_t share = machine_memory() / (workers ? workers : 1), margin = (uint64_t)LT_ANALYSIS_MEMORY_MARGIN_MIB << 20;
    return share > margin + LT_ANALYSIS_MEMORY_MIN ? share - margin : LT_ANALYSIS_MEMORY_MIN;
}

static int run(int argc, char **argv)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    serve_args args = {.listen = LT_DEFAULT_LISTEN,
                       .grace_s = LT_DEFAULT_GRACE_S,
                       .max_upload = LT_DEFAULT_MAX_UPLOAD,
                       .max_snapshot_bytes = LT_DEFAULT_MAX_SNAPSHOT_BYTES,
                       .max_ratio = LT_DEFAULT_MAX_RATIO,
                       .analysis_timeout = LT_DEFAULT_ANALYSIS_TIMEOUT_S,
                       .per_customer = LT_DEFAULT_PER_CUSTOMER,
                       .keep_memory = LT_DEFAULT_KEEP_MEMORY_S,
                       .store = LT_DEFAULT_STORE,
                       .workers = cores < 1                ? 1
                                  : cores > LT_WORKERS_MAX ? LT_WORKERS_MAX
                                                           : (uint64_t)cores};
    int status = lt_cli_parse(&lt_cli_serve, argc, argv, &args);
    if (status != LT_CLI_CONTINUE)
        return status;
    if (!args.analysis_memory)
        args.analysis_memory = default_analysis_memory(args.workers);
    lt_serve_config config = {.db = args.db,
                              .listen = args.listen,
                              .workers = (int)args.workers,
                              .max_upload = args.max_upload,
                              .public_url = args.public_url,
                              .static_dir = args.static_dir,
                              .analysis_memory = args.analysis_memory,
                              .max_snapshot_bytes = args.max_snapshot_bytes,
                              .max_ratio = (uint32_t)args.max_ratio,
                              .analysis_timeout_s = (int)args.analysis_timeout,
                              .per_customer = (int)args.per_customer,
                              .keep_memory_s = (int)args.keep_memory,
                              .http_threads = (unsigned)args.http_threads,
                              .max_connections = (unsigned)args.max_connections,
                              .max_per_ip = (unsigned)args.max_per_ip,
                              .db_connections = (unsigned)args.db_connections,
                              .grace_s = (unsigned)args.grace_s,
                              .keep_snapshots = (long)args.keep_snapshots};
    if (args.public_url && (strncmp(args.public_url, "http://", 7) && strncmp(args.public_url, "https://", 8)))
        return lt_cli_usage_error(&lt_cli_serve, "--public-url must start with http:// or https://");
    if (args.public_url && strlen(args.public_url) > LT_PUBLIC_URL_MAX)
        return lt_cli_usage_error(&lt_cli_serve, "--public-url is longer than %d bytes", LT_PUBLIC_URL_MAX);
    lt_error err;
    lt_error_clear(&err);
    if (lt_snapshot_store_kind_parse(args.store, &config.store, &err))
        return lt_cli_usage_error(&lt_cli_serve, "--store must be local or postgres, not '%s'", args.store);
    int rc = lt_serve_run(&config, &err);
    if (rc) {
        fprintf(stderr, "leaktriage serve: %s\n", err.message);
        return lt_cli_exit_status(rc);
    }
    return 0;
}
