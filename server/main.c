/* leaktriage: the command line. Dispatches subcommands through a table. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "serve.h"
#include "migrate.h"

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommand;

static const subcommand subcommands[] = {
    {.name = "analyze", .run = lt_cli_analyze, .summary = "analyse a heap snapshot and print the report"},
    {.name = "migrate", .run = lt_migrate_cli, .summary = "apply the database migrations"},
    {.name = "admin", .run = lt_admin_cli, .summary = "create customers and API keys, revoke keys"},
    {.name = "serve", .run = lt_serve_cli, .summary = "run the upload service and the analysis workers"},
};

static void usage(FILE *out)
{
    fputs("usage: leaktriage COMMAND [ARGS]\n\ncommands:\n", out);
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
    fputs("\nleaktriage COMMAND --help shows a command's options.\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "leaktriage: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
