/* cli_common: what every `leaktriage COMMAND` shares — its description (name, operands,
 * option table), one option parser, the usage text made from the table, and the one way to
 * report a usage error.
 *
 * A command describes itself once in an lt_cli_command; its options are a table of
 * lt_cli_option, each writing into the command's own argument struct at `offset`. The
 * synopsis line, the --help text and the errors all come from that table, so they cannot
 * disagree. Usage errors print `leaktriage COMMAND: message` and the synopsis line on
 * standard error; the process then exits with status 2. Nothing here allocates.
 *
 * A command with .env_options set takes each option also from an environment variable:
 * LEAKTRIAGE_ and the option's name in capitals with '-' as '_' (--max-upload is
 * LEAKTRIAGE_MAX_UPLOAD), or the option's own .env name. The command line wins over the
 * variable; an empty variable counts as unset; a bad value is a usage error naming the
 * variable; a flag's variable is 1/true/yes or 0/false/no. --help lists each variable. */
#ifndef LT_CLI_COMMON_H
#define LT_CLI_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "defaults.h"

/* The one exit-code table of every subcommand (analyze, upload, serve, migrate, admin),
 * repeated in the README:
 *   0  success; the verdict passes
 *   1  the verdict fails (analyze --fail-on, upload)
 *   2  bad input or usage: an unknown option, a file not found or not readable, a snapshot
 *      that is not one (locally or as the server's analysis found it), a wrong or revoked
 *      API key, any other 4xx answer
 *   3  internal, network or server (5xx) error, out of memory, output not writable
 * Every non-zero status comes with the server's or the system's message on standard error. */
#define LT_EXIT_OK           0
#define LT_EXIT_VERDICT_FAIL 1
#define LT_EXIT_BAD_INPUT    2
#define LT_EXIT_INTERNAL     3

#define LT_CLI_CONTINUE (-1)              /* lt_cli_parse: go on and run the command */
#define LT_CLI_USAGE    LT_EXIT_BAD_INPUT /* the exit status of a usage error */

typedef enum lt_cli_option_kind {
    LT_CLI_FLAG,   /* no value; sets an int to 1 */
    LT_CLI_TEXT,   /* a value kept as a const char * (argv's own string) */
    LT_CLI_NUMBER, /* a decimal value from min to max, kept as a uint64_t */
    LT_CLI_SIZE,   /* as LT_CLI_NUMBER, with an optional K, M, G or T (powers of 1024) */
} lt_cli_option_kind;

typedef struct lt_cli_option {
    const char *name;       /* "--listen" */
    const char *value_name; /* "ADDR:PORT" in the usage text; NULL for a flag */
    const char *help;       /* one line, with its default */
    lt_cli_option_kind kind;
    size_t offset;     /* where the value goes in the command's argument struct */
    uint64_t min, max; /* LT_CLI_NUMBER only */
    const char *env;   /* its variable when not the name made from .name (see above), or NULL */
} lt_cli_option;

#define LT_CLI_ENV_PREFIX  "LEAKTRIAGE_" /* the variables' common prefix */
#define LT_CLI_OPTIONS_MAX 64            /* options in one command's table */

typedef struct lt_cli_command {
    const char *name;          /* "serve" */
    const char *summary;       /* one line for `leaktriage --help` */
    const char *operands;      /* "FILE", "COMMAND ARG"; NULL when it takes none */
    const char *operands_help; /* lines printed before the options in --help, or NULL */
    int min_operands, max_operands;
    size_t operands_offset; /* a const char *[max_operands] in the argument struct */
    const lt_cli_option *options;
    size_t option_count;
    int env_options;                   /* 1: every option also from its environment variable */
    int (*run)(int argc, char **argv); /* argv[0] is the first argument after the name */
} lt_cli_command;

/* `.options = table, .option_count = its length` in an lt_cli_command initializer. */
#define LT_CLI_OPTION_TABLE(table) .options = (table), .option_count = sizeof(table) / sizeof(table)[0]

/* The --data and --database options of every command that opens the database, for an
 * argument struct `type` whose lt_db_target (db.h) is `member`. */
#define LT_CLI_DB_OPTIONS(type, member)                                                                                \
    {.name = "--data",                                                                                                 \
     .value_name = "DIR",                                                                                              \
     .kind = LT_CLI_TEXT,                                                                                              \
     .offset = offsetof(type, member.data_dir),                                                                        \
     .help = "data folder: upload spool and private PostgreSQL, started if not running (default " LT_DEFAULT_DATA_DIR  \
             "; installed: " LT_INSTALLED_DATA_DIR ")"},                                                               \
    {                                                                                                                  \
        .name = "--database", .value_name = "URL", .kind = LT_CLI_TEXT, .offset = offsetof(type, member.database_url), \
        .env = LT_DATABASE_URL_ENV, .help = "use this PostgreSQL instead (default: the private one)"                   \
    }

/* The --max-snapshot-bytes and --max-ratio options (analyze and serve) of an argument
 * struct `type` with uint64_t members max_snapshot_bytes and max_ratio. */
#define LT_CLI_LIMIT_OPTIONS(type)                                                                                     \
    {.name = "--max-snapshot-bytes",                                                                                   \
     .value_name = "SIZE",                                                                                             \
     .kind = LT_CLI_SIZE,                                                                                              \
     .offset = offsetof(type, max_snapshot_bytes),                                                                     \
     .min = 1,                                                                                                         \
     .max = UINT64_MAX,                                                                                                \
     .help = "largest snapshot once decompressed (default " LT_STR(LT_DEFAULT_MAX_SNAPSHOT_GIB) "G)"},                 \
    {                                                                                                                  \
        .name = "--max-ratio", .value_name = "N", .kind = LT_CLI_NUMBER, .offset = offsetof(type, max_ratio),          \
        .min = 1, .max = UINT32_MAX,                                                                                   \
        .help = "largest compression ratio past 256 MiB decompressed (default " LT_STR(LT_DEFAULT_MAX_RATIO) ")"       \
    }

/* Parses argv (argc entries, after the command name) into args by cmd's table: options in
 * any order, operands into cmd->operands_offset. Returns LT_CLI_CONTINUE when the command
 * should run; otherwise the exit status: 0 after --help/-h (help printed on standard
 * output), LT_CLI_USAGE after a usage error (reported with lt_cli_usage_error). */
int lt_cli_parse(const lt_cli_command *cmd, int argc, char **argv, void *args);

/* The exit status for an LT_E* code (lt_error.h): LT_EINPUT, LT_EARCHIVE, LT_ELIMIT and
 * LT_EUSAGE are the user's input (LT_EXIT_BAD_INPUT); LT_ENOMEM, LT_EIO, LT_ECANCELLED and
 * anything else are the system's (LT_EXIT_INTERNAL); 0 is LT_EXIT_OK. A command whose
 * LT_EIO can only mean the user's own file (analyze reading FILE) maps that one itself. */
int lt_cli_exit_status(int code);

/* Prints `leaktriage NAME: <printf fmt>` and the synopsis line to standard error.
 * Returns LT_CLI_USAGE, the exit status to return. */
int lt_cli_usage_error(const lt_cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "usage: leaktriage NAME OPERANDS [--option VALUE]..." and a newline to out. */
void lt_cli_print_synopsis(const lt_cli_command *cmd, FILE *out);

/* Writes the environment variable of option o into out (cap bytes; at least 64 hold any
 * option name of up to 50 characters): o->env, or the name made from o->name. */
void lt_cli_env_name(const lt_cli_option *o, char *out, size_t cap);

/* Prints the synopsis, operands_help and one line per option to out (what --help shows),
 * with the option's variable when the command takes them. */
void lt_cli_print_help(const lt_cli_command *cmd, FILE *out);

#endif
