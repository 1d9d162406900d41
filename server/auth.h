/* auth: who is calling — an API key (`Authorization: Bearer KEY`) or a browser session
 * (the LT_SESSION_COOKIE cookie that POST /api/v1/session hands out, see session.h).
 *
 * A key's SHA-256 (admin.h's format) is looked up among the keys that are not revoked; the
 * key itself is never stored or logged. A Bearer header wins over a cookie. A request that
 * changes state (any method but GET and HEAD) made with the cookie must carry the
 * session's CSRF token in the X-CSRF-Token header: the cookie is sent by the browser on
 * its own, the header only by the pages' own script. */
#ifndef LT_AUTH_H
#define LT_AUTH_H

#include <libpq-fe.h>
#include <stdint.h>

#include "lt_error.h"

#define LT_AUTH_MAX_KEY_LEN 256 /* longer tokens are refused without hashing */
#define LT_AUTH_CSRF_HEADER "X-CSRF-Token"

/* What a request presents; any pointer may be NULL (not sent). */
typedef struct lt_auth_credentials {
    const char *authorization;  /* the Authorization header */
    const char *session_cookie; /* the LT_SESSION_COOKIE cookie's value */
    const char *csrf_token;     /* the X-CSRF-Token header */
    int changes_state;          /* 1 unless the method is GET or HEAD */
} lt_auth_credentials;

typedef enum lt_auth_refusal {
    LT_AUTH_ACCEPTED = 0,
    LT_AUTH_UNAUTHENTICATED, /* no credentials, a bad header, an unknown/revoked key, an expired session: 401 */
    LT_AUTH_CSRF,            /* a session cookie without its CSRF token on a state-changing request: 403 */
} lt_auth_refusal;

typedef struct lt_auth_caller {
    int64_t customer_id;
    int64_t api_key_id; /* the key, or the key the session was opened with */
    int64_t session_id; /* 0 when the caller sent the key itself */
    lt_auth_refusal refusal;
} lt_auth_caller;

/* Finds the caller of a request. Returns 0 with *caller filled when it is accepted;
 * LT_EINPUT with caller->refusal set and a message for the client in err when it is not;
 * LT_EIO (database) or LT_ENOMEM (hashing) with the message in err. */
int lt_auth_request(PGconn *db, const lt_auth_credentials *cred, lt_auth_caller *caller, lt_error *err);

/* Looks up an API key (the key text itself, not a header). Returns 0 with
 * caller->customer_id and caller->api_key_id; LT_EINPUT "unknown or revoked API key";
 * LT_EIO or LT_ENOMEM as above. */
int lt_auth_key(PGconn *db, const char *key, size_t len, lt_auth_caller *caller, lt_error *err);

#endif
