/* http_client: the few HTTP calls `leaktriage upload` makes to the service, over libcurl:
 * a file POSTed as a stream (never loaded whole) with a progress callback, and JSON GETs.
 * One lt_http_client keeps one connection to the server between calls (new/free); every
 * call sends `Authorization: Bearer KEY`.
 *
 * A call that got an HTTP answer (any status) returns 0 with the status and the body; the
 * caller decides what a 4xx or 5xx means. A call that got no answer returns LT_EIO with
 * libcurl's message naming the URL (nothing listening, connection lost, timeout); LT_ENOMEM
 * when out of memory; LT_ELIMIT when the body is over LT_HTTP_CLIENT_BODY_MAX. */
#ifndef LT_HTTP_CLIENT_H
#define LT_HTTP_CLIENT_H

#include <stdint.h>
#include <stdio.h>

#include "lt_error.h"

#define LT_HTTP_CLIENT_BODY_MAX  (16u << 20) /* bytes of an answer kept */
#define LT_HTTP_CLIENT_CONNECT_S 10          /* connect timeout */

typedef struct lt_http_client lt_http_client;

/* An answer: status and body (NUL-terminated, owned by the client: valid until its next
 * call or lt_http_client_free). */
typedef struct lt_http_answer {
    long status;
    const char *body;
    size_t length;
} lt_http_answer;

/* Called during an upload with bytes sent so far and the total (-1 when unknown). */
typedef void (*lt_http_client_progress_fn)(void *ctx, int64_t sent, int64_t total);

/* Returns a client for key, or NULL with err set (LT_ENOMEM, or LT_EIO when libcurl cannot
 * start). Free with lt_http_client_free. */
lt_http_client *lt_http_client_new(const char *key, lt_error *err);
void lt_http_client_free(lt_http_client *c); /* NULL is fine */

/* GET url, waiting at most timeout_s seconds for the whole answer. */
int lt_http_client_get(lt_http_client *c, const char *url, long timeout_s, lt_http_answer *out, lt_error *err);

/* POSTs size bytes (-1: unknown, sent chunked) read from f to url as
 * application/octet-stream, calling progress (may be NULL) as they go. */
int lt_http_client_post_file(lt_http_client *c, const char *url, FILE *f, int64_t size,
                             lt_http_client_progress_fn progress, void *ctx, lt_http_answer *out, lt_error *err);

/* Returns text escaped for a URL query or path (curl_easy_escape), or NULL when out of
 * memory. Free with lt_http_client_free_text. */
char *lt_http_client_escape(lt_http_client *c, const char *text);
void lt_http_client_free_text(char *text);

#endif
