/* cli_admin: `leaktriage admin COMMAND [ARG] [options]`: creates customers and API keys,
 * revokes keys and lists them (admin.h). A new key is printed alone on the last line of
 * standard output; a key is never listed, only its prefix.
 * Exit status by the table in cli_common.h: 0; 2 bad usage, or an unknown/duplicate customer
 * or key; 3 another failure (the database, out of memory). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "defaults.h"

/* X(action, name, operand, summary): the admin commands, in the order --help lists them; an
 * operand in [brackets] may be left out. */
#define ADMIN_COMMANDS(X)                                                                                              \
    X(LT_ADMIN_CREATE_CUSTOMER, "create-customer", "NAME",                                                             \
      "create a customer and its first API key (printed on the last line)")                                            \
    X(LT_ADMIN_CREATE_KEY, "create-key", "CUSTOMER",                                                                   \
      "create another API key for a customer (printed on the last line)")                                              \
    X(LT_ADMIN_REVOKE_KEY, "revoke-key", "PREFIX", "revoke the API key with this prefix (the 8 characters after lt_)") \
    X(LT_ADMIN_LIST_KEYS, "list-keys", "[CUSTOMER]",                                                                   \
      "list the API keys (of one customer): prefix, customer, created, revoked; never a key")

typedef struct admin_command {
    const char *name;
    const char *operand;
    lt_admin_action action;
} admin_command;

static const admin_command commands[] = {
#define ADMIN_COMMAND_ENTRY(a, n, o, s) {.name = n, .operand = o, .action = a},
    ADMIN_COMMANDS(ADMIN_COMMAND_ENTRY)
#undef ADMIN_COMMAND_ENTRY
};

typedef struct admin_args {
    const char *operands[2]; /* COMMAND ARG */
    lt_db_target db;
} admin_args;

static const lt_cli_option options[] = {
    LT_CLI_DB_OPTIONS(admin_args, db),
};

static int run(int argc, char **argv);

const lt_cli_command lt_cli_admin = {
    .name = "admin",
    .summary = "create customers and API keys, revoke and list keys",
    .operands = "COMMAND [ARG]",
#define ADMIN_COMMAND_HELP(a, n, o, s) "  " n " " o "\n      " s "\n"
    .operands_help = ADMIN_COMMANDS(ADMIN_COMMAND_HELP),
#undef ADMIN_COMMAND_HELP
    .min_operands = 1,
    .max_operands = 2,
    .operands_offset = offsetof(admin_args, operands),
    LT_CLI_OPTION_TABLE(options),
    .env_options = 1,
    .run = run,
};

static const admin_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static int run(int argc, char **argv)
{
    admin_args args = {0};
    int status = lt_cli_parse(&lt_cli_admin, argc, argv, &args);
    if (status != LT_CLI_CONTINUE)
        return status;
    const admin_command *cmd = find_command(args.operands[0]);
    if (!cmd)
        return lt_cli_usage_error(&lt_cli_admin, "unknown command '%s'", args.operands[0]);
    if (!args.operands[1] && cmd->operand[0] != '[')
        return lt_cli_usage_error(&lt_cli_admin, "%s needs %s", cmd->name, cmd->operand);
    lt_error err;
    lt_error_clear(&err);
    lt_admin_result result = {0};
    int rc = cmd->action == LT_ADMIN_LIST_KEYS ? lt_admin_list_keys(&args.db, args.operands[1], stdout, &err)
                                               : lt_admin_run(&args.db, cmd->action, args.operands[1], &result, &err);
    if (rc) {
        fprintf(stderr, "leaktriage admin %s: %s\n", cmd->name, err.message);
        return lt_cli_exit_status(rc);
    }
    if (result.note[0])
        printf("%s\n", result.note);
    if (result.key[0])
        printf("API key (shown once; store it now, only its hash is kept):\n%s\n", result.key);
    return fflush(stdout) ? LT_EXIT_INTERNAL : LT_EXIT_OK;
}
