/* upload: POST /api/v1/apps/{app}/snapshots — a heap snapshot streamed to the spool.
 *
 * DESIGN: the body (raw, in any compression the reader accepts, or the multipart form field
 * `snapshot`) is written chunk by chunk to SPOOL/<random>.part while its SHA-256 is
 * computed; it is never held whole in memory. Past the server's max_upload the request
 * answers 413 and the partial file is removed at once. When the body is complete the file
 * is fsynced; then one transaction takes the file's advisory lock (spool.h: a DELETE
 * removing the same bytes waits for it), renames it to SPOOL/<sha256 hex>
 * (content-addressed: the same bytes are one file), fsyncs the folder, creates the app on
 * its first upload, inserts the snapshot and its queued analysis (the job the workers
 * claim). With `serve --store postgres` the same transaction copies the complete file
 * into a large object instead of renaming it, and the .part file is removed after
 * (snapshot_store.h); rows name the file by its SHA-256 only, never by a path. The same bytes
 * again for the same app answer 200 with the existing ids instead of 202 — unless their
 * latest analysis failed: then a new analysis is queued (202, with `previous_analysis_id`
 * and a `note` saying so) and the snapshot points at the spool file just written — and the
 * labels given that differ from the stored ones as `labels_ignored` with a `note` (never
 * dropped silently). Error answers never show a server path (the log has it).
 * Labels `version`, `host`, `commit`, `branch`, `environment` come from query
 * parameters or form fields.
 *
 * Labels are at most LT_API_LABEL_MAX bytes (defaults.h) of UTF-8 without control
 * characters (else 400 bad_label naming the label, before anything is stored). The first
 * LT_UPLOAD_SNIFF_BYTES bytes are sniffed as they arrive: what is neither a compression or
 * archive format the reader takes nor JSON starting with {"snapshot" answers 415 saying
 * what it is, and nothing is kept. Over max_upload (also when sent chunked, without a
 * Content-Length) the answer 413 is sent at once and the connection closed. A .part file
 * is flock'ed while written, so lt_upload_clean_spool at start removes only left-overs.
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

/* Bytes of an upload sniffed before it is accepted (tar's magic is at offset 257). */
#define LT_UPLOAD_SNIFF_BYTES 512
#define LT_UPLOAD_SNIFF_TEXT  96 /* room for what lt_upload_sniff says it found */

/* 1 when the first n bytes of an upload (n < LT_UPLOAD_SNIFF_BYTES only when the upload is
 * that short) can be a snapshot: gzip, zstd, xz, bzip2, lz4, zip, tar or 7z magic, or '{'
 * followed by "snapshot" (white space and a UTF-8 byte order mark allowed). Else 0 and
 * found says what it is ("a PNG image", "text", "binary data ... (it starts with 4d 5a)"). */
int lt_upload_sniff(const unsigned char *p, size_t n, char *found, size_t len);

/* NULL when a label value of n bytes is acceptable (at most LT_API_LABEL_MAX bytes of
 * valid UTF-8 without control characters), else what is wrong ("is not valid UTF-8"). */
const char *lt_upload_label_problem(const char *value, size_t n);

/* Removes the .part files left in spool_dir by uploads that ended without finishing (a
 * killed server): those no live upload holds locked. Returns how many it removed (0 when
 * the folder does not exist yet); never fails. */
int lt_upload_clean_spool(const char *spool_dir);

void lt_upload_begin(lt_http_request *req);
void lt_upload_body(lt_http_request *req, const char *data, size_t size);
void lt_upload_finish(lt_http_request *req);
void lt_upload_cleanup(lt_http_request *req);

#endif
