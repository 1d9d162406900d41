/* session: browser sign-in sessions, stored in PostgreSQL (migrations/0006_sessions.sql) so
 * every server of several accepts them.
 *
 * A session is opened with an API key (POST /api/v1/session, api_session.c) and then named
 * by a random token (LT_SESSION_TOKEN_LEN hex characters, 256 bits from getrandom(2)) that
 * the browser keeps in an HttpOnly cookie; only the token's SHA-256 is stored. Each session
 * also has a random CSRF token, handed to the page (not secret from it) and required back on
 * state-changing requests (auth.h). A session ends when it is deleted (sign out), when it
 * expires (LT_SESSION_TTL_HOURS after it was opened) or when its API key is revoked. */
#ifndef LT_SESSION_H
#define LT_SESSION_H

#include <libpq-fe.h>
#include <stdint.h>

#include "auth.h"
#include "defaults.h"
#include "lt_error.h"

#define LT_SESSION_COOKIE    "lt_session"
#define LT_SESSION_TOKEN_LEN 64 /* hex characters of the session and CSRF tokens */

typedef struct lt_session {
    char token[LT_SESSION_TOKEN_LEN + 1]; /* for the cookie; never stored */
    char csrf[LT_SESSION_TOKEN_LEN + 1];
    int64_t id;
} lt_session;

/* Opens a session for caller (whose customer_id and api_key_id are set) and deletes
 * sessions that expired. Returns 0 with *out filled; LT_EIO (database or no random bytes)
 * or LT_ENOMEM with err set. */
int lt_session_open(PGconn *db, const lt_auth_caller *caller, lt_session *out, lt_error *err);

/* Finds the live session named by token (a cookie value; NULL is refused). Returns 0 with
 * caller's customer_id, api_key_id, session_id and the session's CSRF token in csrf;
 * LT_EINPUT "session expired or signed out" when there is none; LT_EIO or LT_ENOMEM. */
int lt_session_find(PGconn *db, const char *token, lt_auth_caller *caller, char csrf[LT_SESSION_TOKEN_LEN + 1],
                    lt_error *err);

/* Ends session id (signing out). Returns 0 (also when it was already gone) or LT_EIO. */
int lt_session_close(PGconn *db, int64_t id, lt_error *err);

#endif
