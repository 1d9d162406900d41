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
    uint64_t keep_snapshots;
} serve_args;

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
    {.name = "--keep-snapshots",
     .value_name = "DAYS",
     .kind = LT_CLI_NUMBER,
     .offset = offsetof(serve_args, keep_snapshots),
     .min = 1,
     .max = LT_KEEP_SNAPSHOTS_MAX,
     .help = "remove raw snapshot files uploaded more than DAYS days ago; results stay (default " LT_KEEP_SNAPSHOTS_TEXT
             ")"},
};

static int run(int argc, char **argv);

const lt_cli_command lt_cli_serve = {
    .name = "serve",
    .summary = "run the upload service and the analysis workers",
    LT_CLI_OPTION_TABLE(options),
    .run = run,
};

static int run(int argc, char **argv)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    serve_args args = {.listen = LT_DEFAULT_LISTEN,
                       .max_upload = LT_DEFAULT_MAX_UPLOAD,
                       .workers = cores < 1                ? 1
                                  : cores > LT_WORKERS_MAX ? LT_WORKERS_MAX
                                                           : (uint64_t)cores};
    int status = lt_cli_parse(&lt_cli_serve, argc, argv, &args);
    if (status != LT_CLI_CONTINUE)
        return status;
    lt_serve_config config = {.db = args.db,
                              .listen = args.listen,
                              .workers = (int)args.workers,
                              .max_upload = args.max_upload,
                              .public_url = args.public_url,
                              .static_dir = args.static_dir,
                              .keep_snapshots = (long)args.keep_snapshots};
    if (args.public_url && (strncmp(args.public_url, "http://", 7) && strncmp(args.public_url, "https://", 8)))
        return lt_cli_usage_error(&lt_cli_serve, "--public-url must start with http:// or https://");
    if (args.public_url && strlen(args.public_url) > LT_PUBLIC_URL_MAX)
        return lt_cli_usage_error(&lt_cli_serve, "--public-url is longer than %d bytes", LT_PUBLIC_URL_MAX);
    lt_error err;
    lt_error_clear(&err);
    int rc = lt_serve_run(&config, &err);
    if (rc) {
        fprintf(stderr, "leaktriage serve: %s\n", err.message);
        return lt_cli_exit_status(rc);
    }
    return 0;
}
