/* cli: the subcommands of the leaktriage binary, one cli_*.c each (argument parsing and
 * usage text; the work is in the module each one names). main.c dispatches through a
 * table of these descriptions; each command's run(argc, argv) gets the arguments after
 * its name and returns the process exit status from the one table in cli_common.h
 * (0 ok, 1 verdict fails, 2 bad input or usage, 3 internal/network/server error). */
#ifndef LT_CLI_H
#define LT_CLI_H

#include "cli_common.h"

extern const lt_cli_command lt_cli_analyze; /* analyse a snapshot file (analysis.h, report.h) */
extern const lt_cli_command lt_cli_serve;   /* the service (serve.h) */
extern const lt_cli_command lt_cli_migrate; /* apply the migrations (migrate.h) */
extern const lt_cli_command lt_cli_admin;   /* customers and API keys (admin.h) */
extern const lt_cli_command lt_cli_upload;  /* the CI client: upload, wait, verdict (http_client.h) */

#endif
