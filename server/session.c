/* session: sessions in PostgreSQL. See session.h. */
#include "session.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "admin.h"
#include "db.h"

/* Fills hex with LT_SESSION_TOKEN_LEN random hex characters. 0 or LT_EIO. */
static int random_token(char hex[LT_SESSION_TOKEN_LEN + 1], lt_error *err)
{
    unsigned char bytes[LT_SESSION_TOKEN_LEN / 2];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        return lt_error_set(err, LT_EIO, "no random bytes from the kernel: %s", strerror(errno));
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    return 0;
}

int lt_session_open(PGconn *db, const lt_auth_caller *caller, lt_session *out, lt_error *err)
{
    char hash[65], customer[24], key[24];
    int rc = random_token(out->token, err);
    if (!rc)
        rc = random_token(out->csrf, err);
    if (!rc)
        rc = lt_admin_key_hash_hex(out->token, hash, err);
    if (!rc)
        rc = lt_db_exec(db, "DELETE FROM sessions WHERE expires_at < now()", 0, NULL, NULL, err);
    if (rc)
        return rc;
    snprintf(customer, sizeof customer, "%" PRId64, caller->customer_id);
    snprintf(key, sizeof key, "%" PRId64, caller->api_key_id);
    const char *params[] = {hash, customer, key, out->csrf};
    PGresult *res;
    rc = lt_db_exec(db,
                    "INSERT INTO sessions (token_hash, customer_id, api_key_id, csrf_token, expires_at) "
                    "VALUES (decode($1, 'hex'), $2, $3, $4, now() + interval '" LT_STR(
                        LT_SESSION_TTL_HOURS) " hours') RETURNING id",
                    4, params, &res, err);
    if (rc)
        return rc;
    out->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

int lt_session_find(PGconn *db, const char *token, lt_auth_caller *caller, char csrf[LT_SESSION_TOKEN_LEN + 1],
                    lt_error *err)
{
    char hash[65];
    if (!token || strlen(token) != LT_SESSION_TOKEN_LEN || strspn(token, "0123456789abcdef") != LT_SESSION_TOKEN_LEN)
        return lt_error_set(err, LT_EINPUT, "session expired or signed out: sign in again");
    int rc = lt_admin_key_hash_hex(token, hash, err);
    if (rc)
        return rc;
    const char *params[] = {hash};
    PGresult *res;
    rc = lt_db_exec(db,
                    "SELECT s.id, s.customer_id, s.api_key_id, s.csrf_token FROM sessions s "
                    "JOIN api_keys k ON k.id = s.api_key_id "
                    "WHERE s.token_hash = decode($1, 'hex') AND s.expires_at > now() AND k.revoked_at IS NULL",
                    1, params, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return lt_error_set(err, LT_EINPUT, "session expired or signed out: sign in again");
    }
    caller->session_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    caller->customer_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    caller->api_key_id = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
    snprintf(csrf, LT_SESSION_TOKEN_LEN + 1, "%s", PQgetvalue(res, 0, 3));
    PQclear(res);
    return 0;
}

int lt_session_close(PGconn *db, int64_t id, lt_error *err)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, id);
    const char *params[] = {text};
    return lt_db_exec(db, "DELETE FROM sessions WHERE id = $1", 1, params, NULL, err);
}
