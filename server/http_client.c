/* http_client: libcurl calls of `leaktriage upload`. See http_client.h. */
#include "http_client.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

struct lt_http_client {
    CURL *curl;
    struct curl_slist *headers;        /* Authorization */
    struct curl_slist *upload_headers; /* Authorization, Content-Type, Expect */
    char *body;                        /* the last answer's body */
    size_t length, capacity;
    int too_big;
    char error[CURL_ERROR_SIZE];
    lt_http_client_progress_fn progress;
    void *progress_ctx;
};

lt_http_client *lt_http_client_new(const char *key, lt_error *err)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT))
        return lt_error_set(err, LT_EIO, "libcurl cannot start"), NULL;
    lt_http_client *c = calloc(1, sizeof *c);
    char header[600];
    snprintf(header, sizeof header, "Authorization: Bearer %s", key);
    /* Expect: 100-continue lets the server refuse an upload (401, 413) before its body is sent */
    if (!c || !(c->curl = curl_easy_init()) || !(c->headers = curl_slist_append(NULL, header)) ||
        !(c->upload_headers = curl_slist_append(NULL, header)) ||
        !curl_slist_append(c->upload_headers, "Content-Type: application/octet-stream") ||
        !curl_slist_append(c->upload_headers, "Expect: 100-continue")) {
        if (c)
            lt_http_client_free(c); /* and curl_global_cleanup */
        else
            curl_global_cleanup();
        return lt_error_set(err, LT_ENOMEM, "out of memory starting the HTTP client"), NULL;
    }
    return c;
}

void lt_http_client_free(lt_http_client *c)
{
    if (!c)
        return;
    curl_slist_free_all(c->headers);
    curl_slist_free_all(c->upload_headers);
    if (c->curl)
        curl_easy_cleanup(c->curl);
    free(c->body);
    free(c);
    curl_global_cleanup();
}

/* libcurl's write callback: appends to the body, up to LT_HTTP_CLIENT_BODY_MAX. */
static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    lt_http_client *c = ctx;
    size_t bytes = size * n;
    if (c->length + bytes + 1 > LT_HTTP_CLIENT_BODY_MAX)
        return c->too_big = 1, 0;
    if (c->length + bytes + 1 > c->capacity) {
        size_t cap = c->capacity ? c->capacity : 4096;
        while (cap < c->length + bytes + 1)
            cap *= 2;
        char *grown = realloc(c->body, cap);
        if (!grown)
            return 0;
        c->body = grown;
        c->capacity = cap;
    }
    memcpy(c->body + c->length, data, bytes);
    c->length += bytes;
    c->body[c->length] = '\0';
    return bytes;
}

static int on_progress(void *ctx, curl_off_t dl_total, curl_off_t dl_now, curl_off_t ul_total, curl_off_t ul_now)
{
    (void)dl_total;
    (void)dl_now;
    lt_http_client *c = ctx;
    if (c->progress)
        c->progress(c->progress_ctx, (int64_t)ul_now, ul_total > 0 ? (int64_t)ul_total : -1);
    return 0;
}

/* Sets what every call shares: url, headers, the body callback, the error buffer. */
static void prepare(lt_http_client *c, const char *url, struct curl_slist *headers)
{
    CURL *h = c->curl;
    curl_easy_reset(h);
    c->length = 0;
    c->too_big = 0;
    c->error[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->error);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)LT_HTTP_CLIENT_CONNECT_S);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "leaktriage-upload/" LT_VERSION);
}

/* Runs the prepared transfer and fills out. */
static int perform(lt_http_client *c, const char *url, lt_http_answer *out, lt_error *err)
{
    CURLcode rc = curl_easy_perform(c->curl);
    if (c->too_big)
        return lt_error_set(err, LT_ELIMIT, "the answer of %s is over %u bytes", url, LT_HTTP_CLIENT_BODY_MAX);
    if (rc == CURLE_WRITE_ERROR || rc == CURLE_OUT_OF_MEMORY)
        return lt_error_set(err, LT_ENOMEM, "out of memory reading the answer of %s", url);
    if (rc != CURLE_OK)
        return lt_error_set(err, LT_EIO, "%s: %s", url, c->error[0] ? c->error : curl_easy_strerror(rc));
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = c->body ? c->body : "";
    out->length = c->length;
    return 0;
}

int lt_http_client_get(lt_http_client *c, const char *url, long timeout_s, lt_http_answer *out, lt_error *err)
{
    prepare(c, url, c->headers);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, timeout_s);
    return perform(c, url, out, err);
}

int lt_http_client_post_file(lt_http_client *c, const char *url, FILE *f, int64_t size,
                             lt_http_client_progress_fn progress, void *ctx, lt_http_answer *out, lt_error *err)
{
    prepare(c, url, c->upload_headers);
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_READDATA, f); /* libcurl's default read callback: fread */
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)size);
    c->progress = progress;
    c->progress_ctx = ctx;
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, progress ? 0L : 1L);
    int rc = perform(c, url, out, err);
    c->progress = NULL;
    return rc;
}

char *lt_http_client_escape(lt_http_client *c, const char *text)
{
    return curl_easy_escape(c->curl, text, 0);
}

void lt_http_client_free_text(char *text)
{
    curl_free(text);
}
