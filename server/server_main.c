/* leaktriage-server: every command of the command line. Dispatches `COMMAND ...` through a
 * table of the subcommands (cli.h); each parses its own arguments. `--version` prints the
 * program's version (LT_VERSION, the CMake project's). Exit status: the subcommand's, or 2
 * for a missing or unknown command. Users run `leaktriage` (server/main.c), which runs
 * `analyze` itself and hands every other command line to this program unchanged. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const lt_cli_command *const subcommands[] = {
    &lt_cli_analyze, &lt_cli_upload, &lt_cli_migrate, &lt_cli_admin, &lt_cli_serve,
};

static void usage(FILE *out)
{
    fputs("usage: leaktriage COMMAND [ARGS]\n\ncommands:\n", out);
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-10s %s\n", subcommands[i]->name, subcommands[i]->summary);
    fputs("\nleaktriage COMMAND --help shows a command's options; leaktriage --version the version.\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_CLI_USAGE : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("leaktriage %s\n", LT_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(argv[1], subcommands[i]->name))
            return subcommands[i]->run(argc - 2, argv + 2);
    fprintf(stderr, "leaktriage: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return LT_CLI_USAGE;
}
