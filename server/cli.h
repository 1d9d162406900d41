/* cli: the leaktriage subcommands that need neither server nor database. */
#ifndef LT_CLI_H
#define LT_CLI_H

/* `leaktriage analyze FILE [--json] [--top N] [--nodes OUT.tsv]`.
 * Returns the process exit status: 0 ok, 2 bad input or usage, 1 otherwise. */
int lt_cli_analyze(int argc, char **argv);

#endif
