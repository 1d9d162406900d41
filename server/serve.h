/* serve: the `leaktriage serve` subcommand (see serve.c). */
#ifndef LT_SERVE_H
#define LT_SERVE_H

/* Runs the service until SIGTERM/SIGINT. Returns the exit status: 0, 1 on
 * failure (message on stderr), 2 on a usage error. */
int lt_serve_cli(int argc, char **argv);

#endif
