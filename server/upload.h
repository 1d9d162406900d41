/* upload: POST /api/v1/apps/{app}/snapshots — a heap snapshot streamed to the spool.
 *
 * DESIGN: the body (raw, in any compression the reader accepts, or the multipart form field
 * `snapshot`) is written chunk by chunk to SPOOL/<random>.part while its SHA-256 is
 * computed; it is never held whole in memory. Past the server's max_upload the request
 * answers 413 and the partial file is removed at once. When the body is complete the file
 * is fsynced and renamed to SPOOL/<sha256 hex> (content-addressed: the same bytes are one
 * file), the folder is fsynced, and one transaction creates the app on its first upload,
 * inserts the snapshot and its queued analysis (the job the workers claim). The same bytes
 * again for the same app answer 200 with the existing ids instead of 202.
 * Labels `version`, `host`, `commit` come from query parameters or form fields.
 *
 * The functions are the route's callbacks (http.h lt_http_route); they answer through
 * lt_http_reply_* and own the per-request state in req->state, freed by lt_upload_cleanup. */
#ifndef LT_UPLOAD_H
#define LT_UPLOAD_H

#include <stddef.h>

#include "http.h"

#define LT_UPLOAD_APP_MAX 100   /* characters in an app name */
#define LT_UPLOAD_LABEL_MAX 200 /* bytes in a version/host/commit label */

/* 1 when name is a valid app name: 1..LT_UPLOAD_APP_MAX of [A-Za-z0-9._-]. */
int lt_upload_app_name_valid(const char *name);

void lt_upload_begin(lt_http_request *req);
void lt_upload_body(lt_http_request *req, const char *data, size_t size);
void lt_upload_finish(lt_http_request *req);
void lt_upload_cleanup(lt_http_request *req);

#endif
