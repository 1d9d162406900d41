/* admin: customers and their API keys — creating them, revoking keys, and the key format.
 *
 * It owns the API key format and how keys are stored: a key is "lt_" followed by 40
 * characters of lowercase base32 (200 bits from getrandom(2)); the database keeps only its
 * SHA-256 and its prefix (the first 8 characters after "lt_"), never the key. The key is
 * shown once, when it is made. Its command line is cli_admin.c. */
#ifndef LT_ADMIN_H
#define LT_ADMIN_H

#include <stddef.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "db.h"
#include "lt_error.h"

#define LT_ADMIN_KEY_LEN    43 /* "lt_" + 40 */
#define LT_ADMIN_PREFIX_LEN 8  /* characters after "lt_" kept in clear */

/* Writes a new random key (LT_ADMIN_KEY_LEN characters and a NUL) into key. Returns 0, or
 * LT_EIO if the kernel gives no random bytes. */
int lt_admin_key_generate(char key[LT_ADMIN_KEY_LEN + 1], lt_error *err);

/* Writes the lowercase hex SHA-256 of key (64 characters and a NUL) into hex: what
 * api_keys.hash holds (as bytes). Returns 0, or LT_ENOMEM if OpenSSL fails. */
int lt_admin_key_hash_hex(const char *key, char hex[65], lt_error *err);

/* When the database has no customer yet, creates customer `name` and a key for it, written
 * to key; otherwise key is "". Both in one transaction on conn, under an advisory lock, so
 * two servers starting together make one customer. Returns 0, or LT_EIO (database),
 * LT_EUSAGE (a bad name) or LT_ENOMEM with err set. */
int lt_admin_first_customer(PGconn *conn, const char *name, char key[LT_ADMIN_KEY_LEN + 1], lt_error *err);

typedef enum lt_admin_action {
    LT_ADMIN_CREATE_CUSTOMER, /* arg NAME: the customer and its first key */
    LT_ADMIN_CREATE_KEY,      /* arg CUSTOMER (its name): another key */
    LT_ADMIN_REVOKE_KEY,      /* arg PREFIX: the 8 characters after "lt_", "lt_" and them, or a whole key */
    LT_ADMIN_LIST_KEYS,       /* arg CUSTOMER or NULL: lt_admin_list_keys, not lt_admin_run */
} lt_admin_action;

#define LT_ADMIN_NOTE_LEN 256

typedef struct lt_admin_result {
    char note[LT_ADMIN_NOTE_LEN];   /* one line saying what was done */
    char key[LT_ADMIN_KEY_LEN + 1]; /* the new key (shown once), or "" */
} lt_admin_result;

/* Opens target's database (starting the private cluster if needed), checks that it has
 * been migrated, and runs action with arg in one transaction. Returns 0 with *out filled;
 * or, with err set and nothing changed, LT_EINPUT (unknown or duplicate customer, unknown
 * key prefix), LT_EUSAGE (a bad name or prefix), LT_EIO (database, not migrated) or
 * LT_ENOMEM. */
int lt_admin_run(const lt_db_target *target, lt_admin_action action, const char *arg, lt_admin_result *out,
                 lt_error *err);

/* Opens target's database like lt_admin_run and prints its API keys to out, those of
 * customer (its name) or, when NULL, all: a header line, then per key its prefix (lt_ and
 * the 8 characters), its customer, when it was created and when it was revoked ("-"), in
 * UTC — never the key or its hash (last use is not recorded). Returns 0, or LT_EINPUT (an
 * unknown customer), LT_EIO (database, not migrated) or LT_ENOMEM with err set. */
int lt_admin_list_keys(const lt_db_target *target, const char *customer, FILE *out, lt_error *err);

#endif
