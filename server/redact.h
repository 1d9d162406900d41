/* redact: messages shown to a customer (stored analysis errors, HTTP error answers) never
 * show a path on the server: the spool folder, the data folder, PostgreSQL's socket. The
 * full message goes to the server's log; the customer gets it with each path replaced.
 * Nothing here allocates or fails. */
#ifndef LT_REDACT_H
#define LT_REDACT_H

#include <stddef.h>

/* Copies message into out (at most len bytes with its NUL; cut, never overrun) with every
 * absolute path replaced by `instead`. A path is a word that starts with '/' at the start
 * of the message or after a space, '(', '=' or a quote, runs to the next space, quote,
 * ')' or ',' (or ':' followed by a space), and holds at least two '/'; quotes around it go
 * with it ("cannot open '/srv/data/spool/ab12': No such file" becomes "cannot open the
 * stored snapshot: No such file"). */
void lt_redact_paths(const char *message, const char *instead, char *out, size_t len);

#endif
