/* admin: customers and their API keys, from the command line.
 *
 * It owns the API key format and how keys are stored: a key is "lt_" followed by 40
 * characters of lowercase base32 (200 bits from getrandom(2)); the database keeps only its
 * SHA-256 and its prefix (the first 8 characters after "lt_"), never the key. The key is
 * shown once, when it is made. */
#ifndef LT_ADMIN_H
#define LT_ADMIN_H

#include <stddef.h>

#include <libpq-fe.h>

#include "lt_error.h"

#define LT_ADMIN_KEY_LEN 43    /* "lt_" + 40 */
#define LT_ADMIN_PREFIX_LEN 8  /* characters after "lt_" kept in clear */

/* Writes a new random key (LT_ADMIN_KEY_LEN characters and a NUL) into key. Returns 0, or
 * LT_EIO if the kernel gives no random bytes. */
int lt_admin_key_generate(char key[LT_ADMIN_KEY_LEN + 1], lt_error *err);

/* Writes the lowercase hex SHA-256 of key (64 characters and a NUL) into hex: what
 * api_keys.hash holds (as bytes). Returns 0, or LT_ENOMEM if OpenSSL fails. */
int lt_admin_key_hash_hex(const char *key, char hex[65], lt_error *err);

/* `leaktriage admin create-customer NAME | create-key CUSTOMER | revoke-key PREFIX` with
 * [--data DIR] [--database URL]; argv[0] is the first argument after "admin". New keys are
 * printed alone on the last line of standard output. Returns the exit status: 0 ok, 2 bad
 * usage or an unknown/duplicate customer or key, 1 another failure. */
/* When the database has no customer yet, creates customer `name` and a key
 * for it, written to key; otherwise key is "". Returns 0 or an LT_E* code. */
int lt_admin_first_customer(PGconn *conn, const char *name, char key[LT_ADMIN_KEY_LEN + 1], lt_error *err);

int lt_admin_cli(int argc, char **argv);

#endif
