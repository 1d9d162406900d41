/* cli_verdict: how `leaktriage analyze --fail-on` and `leaktriage upload` print a CI
 * verdict, so both read the same: a first line `verdict: pass|fail (fail_on RULES)` and one
 * line per reason, `  [RULE] KIND: TITLE (FINGERPRINT) URL` (the URL only when there is
 * one). Writes to the stream it is given; allocates nothing; write errors are left to the
 * caller's fflush/ferror. */
#ifndef LT_CLI_VERDICT_H
#define LT_CLI_VERDICT_H

#include <stdio.h>

/* One reason a verdict fails; any field may be NULL (printed as "?" or left out). */
typedef struct lt_cli_reason {
    const char *rule; /* "kind:recursive_chain", "new", "growth:10" */
    const char *kind; /* the finding's kind */
    const char *title;
    const char *fingerprint;
    const char *url; /* the leak's page, else the report's; NULL offline */
} lt_cli_reason;

/* Prints `verdict: pass|fail (fail_on RULES)`; rules NULL or "" prints the default's name. */
void lt_cli_print_verdict(FILE *out, int failed, const char *rules);

/* Prints one reason line. */
void lt_cli_print_reason(FILE *out, const lt_cli_reason *r);

#endif
