/* auth: which customer an API key belongs to.
 *
 * A request carries `Authorization: Bearer KEY`. The key's SHA-256 (admin.h's format) is
 * looked up among the keys that are not revoked; the key itself is never stored or logged. */
#ifndef LT_AUTH_H
#define LT_AUTH_H

#include <libpq-fe.h>
#include <stdint.h>

#include "lt_error.h"

#define LT_AUTH_MAX_KEY_LEN 256 /* longer tokens are refused without hashing */

/* Finds the customer of the Authorization header value authorization (NULL: none sent).
 * Returns 0 and *customer_id when the key is known and not revoked; LT_EINPUT with a
 * message for the client (no header, not a Bearer token, unknown or revoked key) when it
 * is not; LT_EIO (message in err) when the database fails, LT_ENOMEM when hashing the key
 * fails. */
int lt_auth_customer(PGconn *db, const char *authorization, int64_t *customer_id, lt_error *err);

#endif
