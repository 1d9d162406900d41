/* auth: API key or session → customer. See auth.h. */
#include "auth.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "db.h"
#include "session.h"

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

static int refuse(lt_auth_caller *caller, lt_auth_refusal why, lt_error *err, const char *message)
{
    caller->refusal = why;
    return lt_error_set(err, LT_EINPUT, "%s", message);
}

int lt_auth_key(PGconn *db, const char *key, size_t len, lt_auth_caller *caller, lt_error *err)
{
    if (len == 0 || len > LT_AUTH_MAX_KEY_LEN)
        return refuse(caller, LT_AUTH_UNAUTHENTICATED, err, "unknown or revoked API key");
    char text[LT_AUTH_MAX_KEY_LEN + 1], hex[65];
    memcpy(text, key, len);
    text[len] = '\0';
    int rc = lt_admin_key_hash_hex(text, hex, err);
    if (rc)
        return rc;
    const char *params[] = {hex};
    PGresult *res = NULL;
    rc = lt_db_exec(db, "SELECT customer_id, id FROM api_keys WHERE hash = decode($1, 'hex') AND revoked_at IS NULL", 1,
                    params, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return refuse(caller, LT_AUTH_UNAUTHENTICATED, err, "unknown or revoked API key");
    }
    caller->customer_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    caller->api_key_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    caller->session_id = 0;
    PQclear(res);
    return 0;
}

/* The session cookie's caller, with the CSRF check for state-changing requests. */
static int session_caller(PGconn *db, const lt_auth_credentials *cred, lt_auth_caller *caller, lt_error *err)
{
    char csrf[LT_SESSION_TOKEN_LEN + 1];
    int rc = lt_session_find(db, cred->session_cookie, caller, csrf, err);
    if (rc == LT_EINPUT)
        caller->refusal = LT_AUTH_UNAUTHENTICATED;
    if (rc || !cred->changes_state)
        return rc;
    if (!cred->csrf_token || strlen(cred->csrf_token) != LT_SESSION_TOKEN_LEN ||
        CRYPTO_memcmp(cred->csrf_token, csrf, LT_SESSION_TOKEN_LEN))
        return refuse(caller, LT_AUTH_CSRF, err,
                      "this request changes data: send the session's CSRF token in the " LT_AUTH_CSRF_HEADER " header");
    return 0;
}

int lt_auth_request(PGconn *db, const lt_auth_credentials *cred, lt_auth_caller *caller, lt_error *err)
{
    memset(caller, 0, sizeof *caller);
    if (cred->authorization) {
        const char *token;
        size_t len;
        if (bearer_token(cred->authorization, &token, &len))
            return refuse(caller, LT_AUTH_UNAUTHENTICATED, err, "the Authorization header must be 'Bearer <key>'");
        return lt_auth_key(db, token, len, caller, err);
    }
    if (cred->session_cookie)
        return session_caller(db, cred, caller, err);
    return refuse(caller, LT_AUTH_UNAUTHENTICATED, err,
                  "missing API key: send 'Authorization: Bearer <key>', or sign in");
}
