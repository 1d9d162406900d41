/* api_session: the routes of browser sign-in (session.h holds the sessions).
 *
 *   POST   /api/v1/session  {"key": "lt_..."} (Content-Type application/json) → 201
 *          {"customer", "csrf_token", "expires_at"} and the HttpOnly, SameSite=Strict
 *          session cookie (Secure over TLS); a wrong key → 401, the page never keeps the key.
 *   GET    /api/v1/session  → {"customer", "via": "session"|"key", "csrf_token" (sessions
 *          only), "expires_at"}: how a page learns whether it is signed in.
 *   DELETE /api/v1/session  → 200 {"signed_out": true} and the cookie cleared (with a
 *          cookie, its CSRF token is required like on every state-changing request).
 *
 * POST is a public route that reads at most LT_API_JSON_BODY_MAX bytes of JSON, kept by
 * api.h's lt_api_json_body (the route table pairs its body and cleanup with this begin);
 * asking for application/json keeps other sites' plain HTML forms from posting to it.
 * Handlers answer through lt_http_reply_*. */
#ifndef LT_API_SESSION_H
#define LT_API_SESSION_H

#include <stddef.h>

#include "http.h"

void lt_api_session_begin(lt_http_request *req);  /* POST: application/json only, then the body */
void lt_api_session_create(lt_http_request *req); /* POST */
void lt_api_session_show(lt_http_request *req);   /* GET */
void lt_api_session_delete(lt_http_request *req); /* DELETE */

#endif
