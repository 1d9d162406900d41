/* auth: API key → customer. See auth.h. */
#include "auth.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "db.h"

/* Points *token at the key in a "Bearer KEY" header value and *len at its length; 0 or -1. */
static int bearer_token(const char *authorization, const char **token, size_t *len)
{
    static const char scheme[] = "Bearer";
    size_t n = sizeof scheme - 1;
    if (strncasecmp(authorization, scheme, n) || (authorization[n] != ' ' && authorization[n] != '\t'))
        return -1;
    const char *p = authorization + n;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t l = strlen(p);
    while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t'))
        l--;
    if (l == 0)
        return -1;
    *token = p;
    *len = l;
    return 0;
}

int lt_auth_customer(PGconn *db, const char *authorization, int64_t *customer_id, lt_error *err)
{
    const char *token;
    size_t len;
    if (!authorization)
        return lt_error_set(err, LT_EINPUT, "missing API key: send 'Authorization: Bearer <key>'");
    if (bearer_token(authorization, &token, &len))
        return lt_error_set(err, LT_EINPUT, "the Authorization header must be 'Bearer <key>'");
    if (len > LT_AUTH_MAX_KEY_LEN)
        return lt_error_set(err, LT_EINPUT, "unknown or revoked API key");
    char key[LT_AUTH_MAX_KEY_LEN + 1], hex[65];
    memcpy(key, token, len);
    key[len] = '\0';
    int rc = lt_admin_key_hash_hex(key, hex, err);
    if (rc)
        return rc;
    const char *params[] = {hex};
    PGresult *res = NULL;
    rc = lt_db_exec(db,
                    "SELECT customer_id FROM api_keys WHERE hash = decode($1, 'hex') AND revoked_at IS NULL",
                    1, params, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return lt_error_set(err, LT_EINPUT, "unknown or revoked API key");
    }
    *customer_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}
