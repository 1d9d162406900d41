/* admin: customers and API keys (see admin.h); its command line is cli_admin.c. */
#include "admin.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "db.h"
#include "migrate.h"

#define KEY_RANDOM_BYTES  25 /* 200 bits = 40 base32 characters */
#define KEY_INSERT_TRIES  5  /* a new key whose prefix is taken is drawn again */
#define CUSTOMER_NAME_MAX 200

/* ---- keys ---- */

static int fill_random(unsigned char *buf, size_t len, lt_error *err)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);
        if (n < 0 && errno != EINTR)
            return lt_error_set(err, LT_EIO, "getrandom failed: %s", strerror(errno));
        if (n > 0)
            got += (size_t)n;
    }
    return 0;
}

int lt_admin_key_generate(char key[LT_ADMIN_KEY_LEN + 1], lt_error *err)
{
    static const char base32[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned char bytes[KEY_RANDOM_BYTES];
    int rc = fill_random(bytes, sizeof bytes, err);
    if (rc)
        return rc;
    memcpy(key, "lt_", 3);
    for (int i = 0; i < 40; i++) { /* character i is bits 5i .. 5i+4 */
        int bit = 5 * i, byte = bit / 8, shift = bit % 8;
        unsigned v = (unsigned)bytes[byte] << 8 | (byte + 1 < KEY_RANDOM_BYTES ? bytes[byte + 1] : 0);
        key[3 + i] = base32[(v >> (11 - shift)) & 31];
    }
    key[LT_ADMIN_KEY_LEN] = '\0';
    return 0;
}

int lt_admin_key_hash_hex(const char *key, char hex[65], lt_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(key, strlen(key), md, &len, EVP_sha256(), NULL) || len != 32)
        return lt_error_set(err, LT_ENOMEM, "cannot compute SHA-256 (OpenSSL failed)");
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* Makes a key for customer_id and stores its prefix and hash; the key goes to key. */
static int insert_key(PGconn *conn, const char *customer_id, char key[LT_ADMIN_KEY_LEN + 1], lt_error *err)
{
    for (int attempt = 0; attempt < KEY_INSERT_TRIES; attempt++) {
        char hex[65], prefix[LT_ADMIN_PREFIX_LEN + 1];
        int rc = lt_admin_key_generate(key, err);
        if (!rc)
            rc = lt_admin_key_hash_hex(key, hex, err);
        if (rc)
            return rc;
        memcpy(prefix, key + 3, LT_ADMIN_PREFIX_LEN);
        prefix[LT_ADMIN_PREFIX_LEN] = '\0';
        const char *params[] = {customer_id, prefix, hex};
        PGresult *res;
        rc = lt_db_exec(conn,
                        "INSERT INTO api_keys (customer_id, prefix, hash) VALUES ($1, $2, decode($3, 'hex')) "
                        "ON CONFLICT DO NOTHING RETURNING id",
                        3, params, &res, err);
        if (rc)
            return rc;
        int inserted = PQntuples(res) == 1;
        PQclear(res);
        if (inserted)
            return 0;
    }
    return lt_error_set(err, LT_EIO, "could not draw an unused key prefix in %d tries", KEY_INSERT_TRIES);
}

/* ---- the commands, each inside one transaction ---- */

typedef struct admin_ctx {
    const char *arg; /* NAME, CUSTOMER or PREFIX */
    char customer_id[24];
    char key[LT_ADMIN_KEY_LEN + 1]; /* a new key, or "" */
    char note[LT_ADMIN_NOTE_LEN];   /* what was done */
} admin_ctx;

static int check_customer_name(const char *name, lt_error *err)
{
    size_t len = strlen(name);
    if (len == 0 || len > CUSTOMER_NAME_MAX)
        return lt_error_set(err, LT_EUSAGE, "a customer name has 1 to %d characters", CUSTOMER_NAME_MAX);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return lt_error_set(err, LT_EUSAGE, "a customer name has no control characters");
    return 0;
}

static int create_customer(PGconn *conn, void *arg, lt_error *err)
{
    admin_ctx *c = arg;
    const char *params[] = {c->arg};
    PGresult *res;
    int rc = check_customer_name(c->arg, err);
    if (!rc)
        rc = lt_db_exec(conn, "INSERT INTO customers (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id", 1,
                        params, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) == 1)
        snprintf(c->customer_id, sizeof c->customer_id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!c->customer_id[0])
        return lt_error_set(err, LT_EINPUT, "customer '%s' already exists (admin create-key makes another key)",
                            c->arg);
    snprintf(c->note, sizeof c->note, "customer '%s' created (id %s)", c->arg, c->customer_id);
    return insert_key(conn, c->customer_id, c->key, err);
}

/* The first customer, made once when there is none (under a lock, so two
 * servers starting together make one). */
static int first_customer(PGconn *conn, void *arg, lt_error *err)
{
    PGresult *res;
    int rc = lt_db_exec(conn, "SELECT pg_advisory_xact_lock(7340101)", 0, NULL, &res, err);
    if (rc)
        return rc;
    PQclear(res);
    if ((rc = lt_db_exec(conn, "SELECT 1 FROM customers LIMIT 1", 0, NULL, &res, err)))
        return rc;
    int exists = PQntuples(res) > 0;
    PQclear(res);
    return exists ? 0 : create_customer(conn, arg, err);
}

int lt_admin_first_customer(PGconn *conn, const char *name, char key[LT_ADMIN_KEY_LEN + 1], lt_error *err)
{
    admin_ctx c = {.arg = name};
    int rc = lt_db_transaction(conn, first_customer, &c, err);
    memcpy(key, c.key, sizeof c.key);
    return rc;
}

static int create_key(PGconn *conn, void *arg, lt_error *err)
{
    admin_ctx *c = arg;
    const char *params[] = {c->arg};
    PGresult *res;
    int rc = lt_db_exec(conn, "SELECT id FROM customers WHERE name = $1", 1, params, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) == 1)
        snprintf(c->customer_id, sizeof c->customer_id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!c->customer_id[0])
        return lt_error_set(err, LT_EINPUT, "unknown customer '%s' (admin create-customer makes one)", c->arg);
    snprintf(c->note, sizeof c->note, "new key for customer '%s'", c->arg);
    return insert_key(conn, c->customer_id, c->key, err);
}

/* PREFIX may be the 8 characters, "lt_" and them, or a whole key. */
static int key_prefix(const char *arg, char prefix[LT_ADMIN_PREFIX_LEN + 1], lt_error *err)
{
    const char *p = strncmp(arg, "lt_", 3) ? arg : arg + 3;
    size_t len = strlen(p);
    if (len != LT_ADMIN_PREFIX_LEN && len != LT_ADMIN_KEY_LEN - 3)
        return lt_error_set(err, LT_EUSAGE, "'%s' is not a key prefix (the %d characters after lt_)", arg,
                            LT_ADMIN_PREFIX_LEN);
    memcpy(prefix, p, LT_ADMIN_PREFIX_LEN);
    prefix[LT_ADMIN_PREFIX_LEN] = '\0';
    return 0;
}

static int revoke_key(PGconn *conn, void *arg, lt_error *err)
{
    admin_ctx *c = arg;
    char prefix[LT_ADMIN_PREFIX_LEN + 1];
    int rc = key_prefix(c->arg, prefix, err);
    const char *params[] = {prefix};
    PGresult *res;
    if (!rc)
        rc = lt_db_exec(conn,
                        "SELECT k.revoked_at IS NOT NULL, c.name FROM api_keys k JOIN customers c ON c.id = "
                        "k.customer_id WHERE k.prefix = $1 FOR UPDATE OF k",
                        1, params, &res, err);
    if (rc)
        return rc;
    int found = PQntuples(res) == 1, revoked = found && !strcmp(PQgetvalue(res, 0, 0), "t");
    if (found)
        snprintf(c->note, sizeof c->note, "key %s of customer '%s' %s", prefix, PQgetvalue(res, 0, 1),
                 revoked ? "was already revoked" : "revoked");
    PQclear(res);
    if (!found)
        return lt_error_set(err, LT_EINPUT, "no API key with prefix %s", prefix);
    if (revoked)
        return 0;
    return lt_db_exec(conn, "UPDATE api_keys SET revoked_at = now() WHERE prefix = $1", 1, params, NULL, err);
}

/* ---- running one action ---- */

static const lt_db_tx_fn actions[] = {
    [LT_ADMIN_CREATE_CUSTOMER] = create_customer,
    [LT_ADMIN_CREATE_KEY] = create_key,
    [LT_ADMIN_REVOKE_KEY] = revoke_key,
};

/* Opens target's database and checks it has been migrated. 0 with *conn (the caller
 * closes it), or an LT_E* code with err set and *conn NULL. */
static int open_migrated(const lt_db_target *target, PGconn **conn, lt_error *err)
{
    int present = 0;
    int rc = lt_db_open(target, conn, err);
    if (rc)
        return rc;
    rc = lt_migrate_schema_present(*conn, &present, err);
    if (!rc && !present)
        rc = lt_error_set(err, LT_EIO,
                          "the database has no leaktriage tables yet: run leaktriage migrate (with the "
                          "same --data or --database) first");
    if (rc) {
        lt_db_close(*conn);
        *conn = NULL;
    }
    return rc;
}

int lt_admin_run(const lt_db_target *target, lt_admin_action action, const char *arg, lt_admin_result *out,
                 lt_error *err)
{
    admin_ctx c = {.arg = arg};
    PGconn *conn;
    int rc = action < LT_ADMIN_LIST_KEYS ? open_migrated(target, &conn, err)
                                         : lt_error_set(err, LT_EUSAGE, "not an action of lt_admin_run");
    if (rc)
        return rc;
    rc = lt_db_transaction(conn, actions[action], &c, err);
    lt_db_close(conn);
    *out = (lt_admin_result){0};
    if (!rc) {
        memcpy(out->note, c.note, sizeof out->note);
        memcpy(out->key, c.key, sizeof out->key);
    }
    return rc;
}

/* ---- listing keys ---- */

static const char list_keys_sql[] =
    "SELECT 'lt_' || k.prefix, c.name, to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS\"Z\"'),"
    " coalesce(to_char(k.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS\"Z\"'), '-')"
    " FROM api_keys k JOIN customers c ON c.id = k.customer_id"
    " WHERE $1::text IS NULL OR c.name = $1 ORDER BY c.name, k.created_at, k.prefix";

/* 0 when customer is NULL or exists, else LT_EINPUT. */
static int check_customer_exists(PGconn *conn, const char *customer, lt_error *err)
{
    const char *params[] = {customer};
    PGresult *res;
    int rc = customer ? lt_db_exec(conn, "SELECT 1 FROM customers WHERE name = $1", 1, params, &res, err) : 0;
    if (rc || !customer)
        return rc;
    int found = PQntuples(res) == 1;
    PQclear(res);
    return found ? 0 : lt_error_set(err, LT_EINPUT, "unknown customer '%s'", customer);
}

int lt_admin_list_keys(const lt_db_target *target, const char *customer, FILE *out, lt_error *err)
{
    PGconn *conn;
    PGresult *res = NULL;
    const char *params[] = {customer};
    int rc = open_migrated(target, &conn, err);
    if (rc)
        return rc;
    rc = check_customer_exists(conn, customer, err);
    if (!rc)
        rc = lt_db_exec(conn, list_keys_sql, 1, params, &res, err);
    lt_db_close(conn);
    if (rc)
        return rc;
    fprintf(out, "%-12s %-20s %-21s %s\n", "PREFIX", "CUSTOMER", "CREATED", "REVOKED");
    for (int i = 0; i < PQntuples(res); i++)
        fprintf(out, "%-12s %-20s %-21s %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
                PQgetvalue(res, i, 3));
    PQclear(res);
    return 0;
}
