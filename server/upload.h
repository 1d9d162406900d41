/* upload: POST /api/v1/apps/{app}/snapshots — a heap snapshot streamed to the spool.
 *
 * DESIGN: the body (raw, in any compression the reader accepts, or the multipart form field
 * `snapshot`) is written chunk by chunk to SPOOL/<random>.part while its SHA-256 is
 * computed; it is never held whole in memory. Past the server's max_upload the request
 * answers 413 and the partial file is removed at once. When the body is complete the file
 * is fsynced and renamed to SPOOL/<sha256 hex> (content-addressed: the same bytes are one
 * file), the folder is fsynced, and one transaction creates the app on its first upload,
 * inserts the snapshot and its queued analysis (the job the workers claim). The same bytes
 * again for the same app answer 200 with the existing ids instead of 202 — unless their
 * latest analysis failed: then a new analysis is queued (202, with `previous_analysis_id`
 * and a `note` saying so) and the snapshot points at the spool file just written — and the
 * labels given that differ from the stored ones as `labels_ignored` with a `note` (never
 * dropped silently). Error answers never show a server path (the log has it).
 * Labels `version`, `host`, `commit`, `branch`, `environment` come from query
 * parameters or form fields.
 *
 * Labels are at most LT_API_LABEL_MAX bytes (defaults.h).
 *
 * The functions are the route's callbacks (http.h lt_http_route, listed in api_routes.c);
 * they answer through lt_http_reply_* and own the per-request state in req->state, freed
 * by lt_upload_cleanup: begin checks the app name and opens the spool file, body takes
 * each chunk, finish stores the file and the rows and answers 200/202. */
#ifndef LT_UPLOAD_H
#define LT_UPLOAD_H

#include <stddef.h>

#include "defaults.h"
#include "http.h"

/* The app name of the request's first path capture (the {app} of /api/v1/apps/{app}/...).
 * Returns it, or answers 400 bad_app_name and returns NULL when it is not 1 to
 * LT_API_APP_NAME_MAX characters of [A-Za-z0-9._-]. Apps are made by their first upload. */
const char *lt_upload_app_name(lt_http_request *req);

/* 1 when app (may be NULL) is a valid app name as above, else 0. Pure: no answer. */
int lt_upload_app_name_valid(const char *app);

void lt_upload_begin(lt_http_request *req);
void lt_upload_body(lt_http_request *req, const char *data, size_t size);
void lt_upload_finish(lt_http_request *req);
void lt_upload_cleanup(lt_http_request *req);

#endif
