/* api_session: sign in, who am I, sign out. See api_session.h. */
#include "api_session.h"

#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "auth.h"
#include "db.h"
#include "defaults.h"
#include "session.h"

void lt_api_session_begin(lt_http_request *req)
{
    const char *type = lt_http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!type || strncasecmp(type, "application/json", 16)) {
        lt_http_reply_error(req, 415, "unsupported_media_type", "send the key as JSON: {\"key\": \"lt_...\"}");
        return;
    }
    lt_api_json_body_begin(req); /* kept as api.h keeps every small JSON body */
}

/* Sets (max_age > 0) or clears (0) the session cookie on the answer. */
static void set_cookie(lt_http_request *req, const char *token, long max_age)
{
    char cookie[256];
    snprintf(cookie, sizeof cookie, LT_SESSION_COOKIE "=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s", token,
             max_age, lt_http_over_tls(req) ? "; Secure" : "");
    lt_http_add_header(req, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

/* Answers 200/201 with who the caller is: customer name, expiry, csrf (or NULL). */
static void reply_session(lt_http_request *req, unsigned status, int64_t customer_id, int64_t session_id,
                          const char *csrf)
{
    char customer[24], session[24];
    snprintf(customer, sizeof customer, "%" PRId64, customer_id);
    snprintf(session, sizeof session, "%" PRId64, session_id);
    const char *params[] = {customer, session, csrf};
    lt_error err;
    lt_error_clear(&err);
    PGresult *res = NULL;
    PGconn *db = lt_http_db(req, &err);
    if (!db || lt_db_exec(db,
                          "SELECT json_build_object('customer', c.name, 'via', CASE WHEN $2::bigint = 0 THEN 'key' "
                          "ELSE 'session' END, 'csrf_token', $3::text, 'expires_at', "
                          "(SELECT expires_at FROM sessions WHERE id = $2::bigint))::text "
                          "FROM customers c WHERE c.id = $1",
                          3, params, &res, &err)) {
        lt_http_reply_db_error(req, &err);
        return;
    }
    lt_http_reply_json(req, status, PQgetvalue(res, 0, 0));
    PQclear(res);
}

/* The "key" member of the JSON body, or NULL (answered 400). */
static const char *body_key(lt_http_request *req, json_t **doc)
{
    size_t len;
    const char *text = lt_api_json_body_text(req, &len);
    *doc = json_loadb(text, len, 0, NULL);
    json_t *key = json_object_get(*doc, "key");
    if (!json_is_string(key)) {
        lt_http_reply_error(req, 400, "bad_request", "send the key as JSON: {\"key\": \"lt_...\"}");
        return NULL;
    }
    return json_string_value(key);
}

/* Checks key and opens a session for it; answers 401/500 itself on failure. 0 or -1. */
static int open_session(lt_http_request *req, const char *key, lt_auth_caller *caller, lt_session *s)
{
    lt_error err;
    lt_error_clear(&err);
    PGconn *db = lt_http_db(req, &err);
    int rc = db ? lt_auth_key(db, key, strlen(key), caller, &err) : LT_EIO;
    if (!rc)
        rc = lt_session_open(db, caller, s, &err);
    if (rc == LT_EINPUT)
        lt_http_reply_error(req, 401, "unauthorized", "%s", err.message);
    else if (rc == LT_ENOMEM)
        lt_http_reply_error(req, 500, "internal_error", "%s", err.message);
    else if (rc)
        lt_http_reply_db_error(req, &err);
    return rc ? -1 : 0;
}

void lt_api_session_create(lt_http_request *req)
{
    json_t *doc = NULL;
    const char *key = body_key(req, &doc);
    lt_auth_caller caller;
    lt_session s;
    if (key && !open_session(req, key, &caller, &s)) {
        reply_session(req, 201, caller.customer_id, s.id, s.csrf);
        set_cookie(req, s.token, (long)LT_SESSION_TTL_HOURS * 3600);
    }
    json_decref(doc);
}

void lt_api_session_show(lt_http_request *req)
{
    lt_error err;
    lt_error_clear(&err);
    lt_auth_caller caller;
    char csrf[LT_SESSION_TOKEN_LEN + 1];
    PGconn *db = req->session_id ? lt_http_db(req, &err) : NULL;
    if (req->session_id && (!db || lt_session_find(db, lt_http_cookie(req, LT_SESSION_COOKIE), &caller, csrf, &err))) {
        lt_http_reply_db_error(req, &err);
        return;
    }
    reply_session(req, 200, req->customer_id, req->session_id, req->session_id ? csrf : NULL);
}

void lt_api_session_delete(lt_http_request *req)
{
    lt_error err;
    lt_error_clear(&err);
    PGconn *db = req->session_id ? lt_http_db(req, &err) : NULL;
    if (req->session_id && (!db || lt_session_close(db, req->session_id, &err))) {
        lt_http_reply_db_error(req, &err);
        return;
    }
    lt_http_reply_json(req, 200, "{\"signed_out\": true}");
    set_cookie(req, "", 0);
}
