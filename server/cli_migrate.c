/* cli_migrate: `leaktriage migrate [options]`: opens the database (starting the private
 * cluster if needed) and applies the migrations built into the binary, or those of
 * --migrations DIR (migrate.h). Exit status by the table in
 * cli_common.h: 0; 2 bad usage or an unusable migrations folder; 3 another failure (the
 * database, out of memory; message on standard error). */
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "db.h"
#include "defaults.h"
#include "migrate.h"

typedef struct migrate_args {
    lt_db_target db;
    const char *migrations;
} migrate_args;

static const lt_cli_option options[] = {
    LT_CLI_DB_OPTIONS(migrate_args, db),
    {.name = "--migrations",
     .value_name = "DIR",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(migrate_args, migrations),
     .help = "apply the NNNN_words.sql files of DIR (default: the ones built into the binary)"},
};

static int run(int argc, char **argv);

const lt_cli_command lt_cli_migrate = {
    .name = "migrate",
    .summary = "apply the database migrations",
    LT_CLI_OPTION_TABLE(options),
    .env_options = 1,
    .run = run,
};

static int run(int argc, char **argv)
{
    migrate_args args = {0};
    int status = lt_cli_parse(&lt_cli_migrate, argc, argv, &args);
    if (status != LT_CLI_CONTINUE)
        return status;
    lt_error err;
    lt_error_clear(&err);
    PGconn *conn;
    int applied = 0;
    int rc = lt_db_open(&args.db, &conn, &err);
    if (!rc) {
        rc = lt_migrate_apply(conn, args.migrations, stdout, &applied, &err);
        lt_db_close(conn);
    }
    if (rc) {
        fprintf(stderr, "leaktriage migrate: %s\n", err.message);
        return lt_cli_exit_status(rc);
    }
    if (applied)
        printf("database migrated (%d applied)\n", applied);
    else
        printf("database is up to date\n");
    return 0;
}
