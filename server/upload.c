/* upload: streaming snapshot upload to the spool, then the snapshot and its queued
 * analysis in one transaction. See upload.h for the design. */
#include "upload.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "db.h"
#include "defaults.h"
#include "log.h"
#include "metrics.h"
#include "snapshot_store.h"
#include "spool.h"

enum { LABEL_VERSION, LABEL_HOST, LABEL_COMMIT, LABEL_BRANCH, LABEL_ENVIRONMENT, LABEL_COUNT };

static const char *const label_names[LABEL_COUNT] = {
    [LABEL_VERSION] = "version",         [LABEL_HOST] = "host", [LABEL_COMMIT] = "commit", [LABEL_BRANCH] = "branch",
    [LABEL_ENVIRONMENT] = "environment",
};

typedef struct upload {
    lt_http_request *req;
    int fd;                   /* the .part file, -1 once closed */
    char part_path[PATH_MAX]; /* "" once renamed or removed */
    char final_path[PATH_MAX];
    EVP_MD_CTX *sha;
    uint64_t bytes;                            /* snapshot bytes written */
    struct MHD_PostProcessor *form;            /* multipart/form-data; NULL for a raw body */
    int file_fields;                           /* `snapshot` fields seen (only one is allowed) */
    unsigned char head[LT_UPLOAD_SNIFF_BYTES]; /* the first bytes, sniffed once full or at the end */
    size_t head_len;
    int sniffed;
    char labels[LABEL_COUNT][LT_API_LABEL_MAX + 1];
    int label_set[LABEL_COUNT];
    char sha_hex[65];
} upload;

int lt_upload_app_name_valid(const char *app)
{
    size_t n = app ? strlen(app) : 0;
    return n > 0 && n <= LT_API_APP_NAME_MAX && strcmp(app, ".") && strcmp(app, "..") &&
           strspn(app, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

const char *lt_upload_app_name(lt_http_request *req)
{
    const char *app = req->captures[0];
    if (lt_upload_app_name_valid(app))
        return app;
    lt_http_reply_error(req, 400, "bad_app_name",
                        "app names are 1 to %d letters, digits, '-', '_' or '.', and not '.' or '..'",
                        LT_API_APP_NAME_MAX);
    return NULL;
}

/* Removes the partial file (if any) and closes it. */
static void discard_file(upload *u)
{
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    if (u->part_path[0])
        unlink(u->part_path);
    u->part_path[0] = '\0';
}

/* Creates SPOOL/<32 random hex>.part (read back by the postgres store). 0 or -1 (answered). */
static int open_part_file(upload *u)
{
    char hex[33];
    lt_error err;
    if (lt_snapshot_store_random_hex(hex, 16, &err)) {
        lt_http_reply_error(u->req, 500, "internal_error", "%s", err.message);
        return -1;
    }
    snprintf(u->part_path, sizeof u->part_path, "%s/%s.part", lt_http_spool_dir(u->req->server), hex);
    u->fd = open(u->part_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (u->fd < 0) {
        int e = errno;
        lt_log_message("error", "upload: cannot create %s: %s", u->part_path, strerror(e));
        lt_http_reply_error(u->req, 500, "spool_error", "cannot create a spool file: %s", strerror(e));
        u->part_path[0] = '\0';
        return -1;
    }
    flock(u->fd, LOCK_EX); /* held while it is written: lt_upload_clean_spool skips it */
    return 0;
}

/* Keeps the first bytes; once LT_UPLOAD_SNIFF_BYTES are there (or at the end: complete),
 * refuses what is not a snapshot with 415 naming what it is. 0, or -1 (answered). */
static int sniff_head(upload *u, const char *data, size_t size, int complete)
{
    if (u->sniffed)
        return 0;
    size_t take = size < sizeof u->head - u->head_len ? size : sizeof u->head - u->head_len;
    if (take > 0) /* data is NULL at the end of the body */
        memcpy(u->head + u->head_len, data, take);
    u->head_len += take;
    if (u->head_len < sizeof u->head && !complete)
        return 0;
    u->sniffed = 1;
    char found[LT_UPLOAD_SNIFF_TEXT];
    if (lt_upload_sniff(u->head, u->head_len, found, sizeof found))
        return 0;
    discard_file(u);
    lt_http_reply_error(u->req, 415, "unsupported_media_type",
                        "this is %s, not a heap snapshot: upload a .heapsnapshot (JSON starting with "
                        "{\"snapshot\"), compressed with gzip, zstd, xz, bzip2 or lz4, or in a zip, tar or 7z archive",
                        found);
    return -1;
}

/* Appends snapshot bytes to the spool file and the hash; answers 413/415/500 on failure. */
static int write_snapshot(upload *u, const char *data, size_t size)
{
    uint64_t limit = lt_http_max_upload(u->req->server);
    if (size > limit - u->bytes || u->bytes > limit) {
        discard_file(u);
        return lt_http_reply_error(u->req, 413, "payload_too_large",
                                   "the snapshot is over the limit of %" PRIu64 " bytes", limit),
               -1;
    }
    if (sniff_head(u, data, size, 0))
        return -1;
    if (!EVP_DigestUpdate(u->sha, data, size)) {
        discard_file(u);
        return lt_http_reply_error(u->req, 500, "internal_error", "SHA-256 failed (OpenSSL)"), -1;
    }
    while (size > 0) {
        ssize_t n = write(u->fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            discard_file(u);
            return lt_http_reply_error(u->req, 500, "spool_error", "cannot write the spool file: %s", strerror(e)), -1;
        }
        data += n;
        size -= (size_t)n;
        u->bytes += (uint64_t)n;
    }
    return 0;
}

/* Appends a chunk of a label form field; answers 400 when it is too long. */
static int append_label(upload *u, int which, const char *data, uint64_t off, size_t size)
{
    if (off + size > LT_API_LABEL_MAX) {
        lt_http_reply_error(u->req, 400, "bad_label", "the '%s' label is longer than %d bytes", label_names[which],
                            LT_API_LABEL_MAX);
        return -1;
    }
    memcpy(u->labels[which] + off, data, size);
    u->labels[which][off + size] = '\0';
    u->label_set[which] = 1;
    return 0;
}

static enum MHD_Result on_form_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                     const char *content_type, const char *transfer_encoding, const char *data,
                                     uint64_t off, size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    upload *u = cls;
    if (!key)
        return MHD_YES;
    if (!strcmp(key, "snapshot")) {
        if (off == 0 && ++u->file_fields > 1) {
            lt_http_reply_error(u->req, 400, "bad_form", "the form has more than one 'snapshot' field");
            return MHD_NO;
        }
        return size == 0 || !write_snapshot(u, data, size) ? MHD_YES : MHD_NO;
    }
    for (int i = 0; i < LABEL_COUNT; i++)
        if (!strcmp(key, label_names[i]))
            return append_label(u, i, data, off, size) ? MHD_NO : MHD_YES;
    return MHD_YES; /* other fields are ignored */
}

/* Answers 400 bad_label naming the first label given that is not acceptable. 0 or -1. */
static int check_labels(upload *u)
{
    for (int i = 0; i < LABEL_COUNT; i++) {
        const char *problem = u->label_set[i] ? lt_upload_label_problem(u->labels[i], strlen(u->labels[i])) : NULL;
        if (problem)
            return lt_http_reply_error(u->req, 400, "bad_label", "the '%s' label %s", label_names[i], problem), -1;
    }
    return 0;
}

/* Copies labels given as query parameters (form fields given later win) and checks them. */
static int query_labels(upload *u)
{
    for (int i = 0; i < LABEL_COUNT; i++) {
        const char *v = lt_http_query(u->req, label_names[i]);
        if (v && append_label(u, i, v, 0, strlen(v)))
            return -1;
    }
    return check_labels(u);
}

int lt_upload_clean_spool(const char *spool_dir)
{
    DIR *dir = opendir(spool_dir);
    if (!dir)
        return 0;
    int removed = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".part"))
            continue;
        int fd = openat(dirfd(dir), e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB) && !unlinkat(dirfd(dir), e->d_name, 0))
            removed++;
        if (fd >= 0)
            close(fd);
    }
    closedir(dir);
    return removed;
}

void lt_upload_begin(lt_http_request *req)
{
    if (!lt_upload_app_name(req))
        return;
    upload *u = calloc(1, sizeof *u);
    if (!u) {
        lt_http_reply_error(req, 500, "internal_error", "out of memory");
        return;
    }
    req->state = u;
    u->req = req;
    u->fd = -1;
    if (query_labels(u))
        return;
    if (!(u->sha = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(u->sha, EVP_sha256(), NULL)) {
        lt_http_reply_error(req, 500, "internal_error", "SHA-256 failed (OpenSSL)");
        return;
    }
    const char *type = lt_http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (type && !strncasecmp(type, "multipart/form-data", 19)) {
        u->form = MHD_create_post_processor(req->connection, 64 * 1024, on_form_field, u);
        if (!u->form) {
            lt_http_reply_error(req, 400, "bad_form", "multipart/form-data without a usable boundary");
            return;
        }
    }
    open_part_file(u);
}

void lt_upload_body(lt_http_request *req, const char *data, size_t size)
{
    upload *u = req->state;
    if (!u->form) {
        write_snapshot(u, data, size);
        return;
    }
    if (MHD_post_process(u->form, data, size) != MHD_YES && !req->response)
        lt_http_reply_error(req, 400, "bad_form", "the multipart/form-data body is malformed");
    if (req->response)
        discard_file(u);
}

/* Finishes the hash (the file's name, SPOOL/<sha256>) and fsyncs the .part file. 0 or -1
 * (answered). */
static int sync_file(upload *u)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!EVP_DigestFinal_ex(u->sha, md, &len) || len != 32)
        return lt_http_reply_error(u->req, 500, "internal_error", "SHA-256 failed (OpenSSL)"), -1;
    for (unsigned i = 0; i < len; i++)
        snprintf(u->sha_hex + 2 * i, 3, "%02x", md[i]);
    snprintf(u->final_path, sizeof u->final_path, "%s/%s", lt_http_spool_dir(u->req->server), u->sha_hex);
    if (fsync(u->fd))
        return lt_http_reply_error(u->req, 500, "spool_error", "cannot fsync the spool file: %s", strerror(errno)), -1;
    return 0;
}

/* Renames the .part file to SPOOL/<sha256> (still locked: renamed before it is closed),
 * closes it and fsyncs the folder. Run in the transaction, under the file's advisory lock
 * (spool.h), so a DELETE cannot remove the file between the rename and the row. 0, or
 * the errno. Done once: a second call does nothing. */
static int place_file(upload *u)
{
    if (!u->part_path[0])
        return 0;
    if (rename(u->part_path, u->final_path)) {
        int e = errno;
        lt_log_message("error", "upload: cannot rename %s to %s: %s", u->part_path, u->final_path, strerror(e));
        return e;
    }
    u->part_path[0] = '\0';
    int e = close(u->fd) ? errno : 0;
    u->fd = -1;
    if (e)
        return e;
    int dir = open(lt_http_spool_dir(u->req->server), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
    return 0;
}

/* What the transaction found or made. */
typedef struct upload_ids {
    upload *u;
    char app_id[24], snapshot_id[24], analysis_id[24];
    char failed_id[24]; /* the failed analysis of the same bytes a new one replaces, or "" */
    int existed;
    int spool_errno; /* place_file failed with it */
    /* where the bytes went (snapshot_store.h): the store's name, the machine holding the
     * spool file (NULL for a large object), the large object (NULL for a spool file) */
    const char *store, *machine_id, *large_object;
    char oid[16];
    int label_differs[LABEL_COUNT]; /* existed: given, and not what the first upload stored */
} upload_ids;

/* Runs sql and copies the first column of its first row (if any) into out. */
static int query_id(PGconn *db, const char *sql, int n, const char *const *params, char out[24], lt_error *err)
{
    PGresult *res = NULL;
    int rc = lt_db_exec(db, sql, n, params, &res, err);
    if (rc)
        return rc;
    out[0] = '\0';
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        snprintf(out, 24, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

static int app_id_tx(PGconn *db, upload_ids *ids, const char *customer, lt_error *err)
{
    const char *p[] = {customer, ids->u->req->captures[0]};
    int rc =
        lt_db_exec(db, "INSERT INTO apps (customer_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2, p, NULL, err);
    if (!rc)
        rc = query_id(db, "SELECT id FROM apps WHERE customer_id = $1 AND name = $2", 2, p, ids->app_id, err);
    if (!rc && !ids->app_id[0])
        rc = lt_error_set(err, LT_EIO, "the app was not created");
    return rc;
}

/* The labels given, as query parameters (NULL when not given). */
static void label_params(const upload *u, const char *out[LABEL_COUNT])
{
    for (int i = 0; i < LABEL_COUNT; i++)
        out[i] = u->label_set[i] ? u->labels[i] : NULL;
}

/* Points the snapshot at the bytes just stored, removing the large object it had. */
static int repoint_tx(PGconn *db, upload_ids *ids, lt_error *err)
{
    const char *s[] = {ids->snapshot_id, ids->u->sha_hex, ids->store, ids->machine_id, ids->large_object};
    return lt_db_exec(db,
                      "WITH o AS (SELECT large_object FROM snapshots WHERE id = $1 FOR UPDATE), "
                      "u AS (UPDATE snapshots SET spool_path = $2, store = $3, machine_id = $4, large_object = $5 "
                      "WHERE id = $1) SELECT lo_unlink(o.large_object) FROM o JOIN pg_largeobject_metadata m "
                      "ON m.oid = o.large_object",
                      5, s, NULL, err);
}

/* The same bytes again: their latest analysis, unless it failed. Then the bytes (just
 * stored again) get a new analysis: ids->failed_id names the old one, ids->analysis_id
 * stays "" and the snapshot points at the fresh copy. Else a fresh large object goes. */
static int existing_analysis_tx(PGconn *db, upload_ids *ids, lt_error *err)
{
    const char *a[] = {ids->snapshot_id};
    int rc = query_id(db,
                      "SELECT id FROM analyses WHERE snapshot_id = $1 AND state = 'failed' AND id = "
                      "(SELECT max(id) FROM analyses WHERE snapshot_id = $1) FOR UPDATE",
                      1, a, ids->failed_id, err);
    if (!rc && ids->failed_id[0])
        return repoint_tx(db, ids, err);
    if (!rc)
        rc = lt_snapshot_store_remove(db, ids->large_object, err);
    return rc ? rc : query_id(db, "SELECT max(id) FROM analyses WHERE snapshot_id = $1", 1, a, ids->analysis_id, err);
}

/* The same bytes were uploaded before: finds the snapshot, its latest analysis (or queues
 * a new one when that failed) and which of the labels given differ from the ones it was
 * stored with (they are not changed). */
static int existing_tx(PGconn *db, upload_ids *ids, lt_error *err)
{
    const char *e[] = {ids->app_id, ids->u->sha_hex};
    PGresult *res;
    int rc = lt_db_exec(db,
                        "SELECT id, version, host, commit_sha, branch, environment FROM snapshots "
                        "WHERE app_id = $1 AND sha256 = decode($2, 'hex')",
                        2, e, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return lt_error_set(err, LT_EIO, "the snapshot vanished while it was uploaded again");
    }
    snprintf(ids->snapshot_id, sizeof ids->snapshot_id, "%s", PQgetvalue(res, 0, 0));
    for (int i = 0; i < LABEL_COUNT; i++)
        ids->label_differs[i] = ids->u->label_set[i] &&
                                (PQgetisnull(res, 0, i + 1) || strcmp(PQgetvalue(res, 0, i + 1), ids->u->labels[i]));
    PQclear(res);
    return existing_analysis_tx(db, ids, err);
}

/* Stores the bytes (snapshot_store.h): the spool file renamed to its name, under its lock
 * (local), or copied into a large object (postgres; the .part file goes at cleanup). */
static int store_bytes_tx(PGconn *db, upload_ids *ids, lt_error *err)
{
    const lt_snapshot_store *store = lt_http_snapshot_store(ids->u->req->server);
    ids->store = lt_snapshot_store_kind_name(store->kind);
    if (store->kind == LT_SNAPSHOT_STORE_POSTGRES) {
        int rc = lt_snapshot_store_put(store, db, ids->u->fd, ids->oid, err);
        ids->large_object = ids->oid;
        return rc;
    }
    ids->machine_id = store->machine_id;
    int rc = lt_spool_lock_tx(db, ids->u->sha_hex, err);
    if (!rc && (ids->spool_errno = place_file(ids->u)))
        rc = lt_error_set(err, LT_EIO, "cannot rename the spool file: %s", strerror(ids->spool_errno));
    return rc;
}

#define SNAPSHOT_PARAMS (8 + LABEL_COUNT)

static int insert_tx(PGconn *db, void *ctx, lt_error *err)
{
    upload_ids *ids = ctx;
    upload *u = ids->u;
    char customer[24], bytes[24];
    snprintf(customer, sizeof customer, "%" PRId64, u->req->customer_id);
    snprintf(bytes, sizeof bytes, "%" PRIu64, u->bytes);
    int rc = store_bytes_tx(db, ids, err);
    if (!rc)
        rc = app_id_tx(db, ids, customer, err);
    if (rc)
        return rc;
    const char *s[SNAPSHOT_PARAMS] = {ids->app_id, customer,   u->sha_hex,      u->sha_hex,
                                      bytes,       ids->store, ids->machine_id, ids->large_object};
    label_params(u, s + 8);
    rc =
        query_id(db,
                 "INSERT INTO snapshots (app_id, customer_id, sha256, spool_path, compressed_bytes, store, machine_id, "
                 "large_object, version, host, commit_sha, branch, environment) VALUES ($1, $2, decode($3, 'hex'), "
                 "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (app_id, sha256) DO NOTHING RETURNING id",
                 SNAPSHOT_PARAMS, s, ids->snapshot_id, err);
    if (!rc && !ids->snapshot_id[0]) {
        ids->existed = 1;
        rc = existing_tx(db, ids, err);
    }
    if (!rc && !ids->analysis_id[0]) {
        const char *a[] = {ids->snapshot_id, customer};
        rc = query_id(db, "INSERT INTO analyses (snapshot_id, customer_id) VALUES ($1, $2) RETURNING id", 2, a,
                      ids->analysis_id, err);
    }
    return rc;
}

/* The answer: ids and sizes; for the same bytes again, the labels given that were not
 * applied (the snapshot keeps its first upload's), and the failed analysis a new one
 * replaces, each with a note saying so. NULL: no memory. */
static char *answer_json(const upload_ids *ids)
{
    const upload *u = ids->u;
    char url[64];
    snprintf(url, sizeof url, "/api/v1/analyses/%s", ids->analysis_id);
    json_t *doc = json_pack("{s:I, s:I, s:s, s:s, s:I}", "snapshot_id", (json_int_t)strtoll(ids->snapshot_id, NULL, 10),
                            "analysis_id", (json_int_t)strtoll(ids->analysis_id, NULL, 10), "analysis_url", url,
                            "sha256", u->sha_hex, "compressed_bytes", (json_int_t)u->bytes);
    json_t *ignored = json_object();
    for (int i = 0; doc && ignored && i < LABEL_COUNT; i++)
        if (ids->label_differs[i])
            json_object_set_new(ignored, label_names[i], json_string(u->labels[i]));
    char note[300] = "";
    if (doc && ignored && json_object_size(ignored)) {
        json_object_set(doc, "labels_ignored", ignored);
        snprintf(note, sizeof note,
                 "these bytes were uploaded before as this snapshot; it keeps the labels of "
                 "that first upload");
    }
    if (doc && ids->failed_id[0]) {
        json_object_set_new(doc, "previous_analysis_id", json_integer(strtoll(ids->failed_id, NULL, 10)));
        size_t at = strlen(note);
        snprintf(note + at, sizeof note - at,
                 "%sthese bytes were uploaded before and their analysis %s failed: a "
                 "new analysis is queued",
                 at ? "; " : "", ids->failed_id);
    }
    if (doc && note[0])
        json_object_set_new(doc, "note", json_string(note));
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(ignored);
    json_decref(doc);
    return text;
}

void lt_upload_finish(lt_http_request *req)
{
    upload *u = req->state;
    if (u->form && MHD_destroy_post_processor(u->form) != MHD_YES) {
        u->form = NULL;
        lt_http_reply_error(req, 400, "bad_form", "the multipart/form-data body ended early");
        return;
    }
    u->form = NULL;
    if (u->file_fields == 0 && lt_http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE) &&
        !strncasecmp(lt_http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE), "multipart/form-data", 19)) {
        lt_http_reply_error(req, 400, "bad_form", "the form has no 'snapshot' field");
        return;
    }
    if (u->bytes == 0) {
        lt_http_reply_error(req, 400, "empty_upload", "the snapshot is empty");
        return;
    }
    if (check_labels(u) || sniff_head(u, NULL, 0, 1) || sync_file(u))
        return;
    lt_error err;
    lt_error_clear(&err);
    upload_ids ids = {.u = u};
    PGconn *db = lt_http_db(req, &err);
    if (!db || lt_db_transaction(db, insert_tx, &ids, &err)) {
        if (ids.spool_errno)
            lt_http_reply_error(req, 500, "spool_error", "%s", err.message);
        else
            lt_http_reply_db_error(req, &err);
        return;
    }
    char *body = answer_json(&ids);
    if (!body) {
        lt_http_reply_error(req, 500, "internal_error", "out of memory");
        return;
    }
    lt_http_reply_json(req, ids.existed && !ids.failed_id[0] ? 200 : 202, body);
    lt_metrics_upload(lt_http_metrics(req->server), u->bytes);
    free(body);
}

void lt_upload_cleanup(lt_http_request *req)
{
    upload *u = req->state;
    if (!u)
        return;
    if (u->form)
        MHD_destroy_post_processor(u->form);
    discard_file(u);
    EVP_MD_CTX_free(u->sha);
    free(u);
    req->state = NULL;
}
