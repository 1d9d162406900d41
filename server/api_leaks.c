/* api_leaks: the leak records' routes (declared in api.h) — lists with filters, sorting
 * and keyset cursors, one leak with its occurrences (paged) and events, and the PATCH
 * routes that set a user's choice or an app's resolve_after through store_leaks.h.
 *
 * Every query is scoped by the caller's customer: another customer's leak or app answers
 * 404 like one that does not exist. Bad values answer 400 bad_parameter naming the
 * parameter (unknown parameters are refused by http.c). A cursor is "SORT:KEY:ID", the
 * sort key and id of the last row given, and only valid with the same sort. JSON is built
 * by PostgreSQL; the SQL text is assembled only from this file's constant fragments. */
#include "api.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "leak_status.h"
#include "store_leaks.h"
#include "upload.h"

/* ---- the JSON of a leak and of an occurrence ---- */

#define LABELS_JSON(s)                                                                                                 \
    "json_build_object('version', " s ".version, 'host', " s ".host, 'commit', " s ".commit_sha, "                     \
    "'branch', " s ".branch, 'environment', " s ".environment)"

/* $1 customer id, $2 public URL; leaks l, apps a, snapshots fs (first) and ls (last).
 * retained_history: the retained sizes of its last 20 occurrences, oldest first (the
 * dashboards draw it as a sparkline without asking for each leak). */
#define LEAK_JSON                                                                                                      \
    "json_build_object('id', l.id, 'app', a.name, 'fingerprint', l.fingerprint, 'kind', l.kind, "                      \
    "'title', l.title, 'status', l.status, 'choice', CASE WHEN l.user_status IS NOT NULL THEN "                        \
    "json_build_object('status', l.user_status, 'at', l.user_status_at, 'by', l.user_status_by) END, "                 \
    "'occurrences', l.occurrences, "                                                                                   \
    "'first_seen', json_build_object('at', l.first_seen_at, 'snapshot_id', l.first_snapshot_id, "                      \
    "  'analysis_id', l.first_analysis_id, 'labels', " LABELS_JSON(                                                    \
        "fs") "), "                                                                                                    \
              "'last_seen', json_build_object('at', l.last_seen_at, 'snapshot_id', l.last_snapshot_id, "               \
              "  'analysis_id', l.last_analysis_id, 'labels', " LABELS_JSON(                                           \
                  "ls") "), "                                                                                          \
                        "'latest_retained_size', l.latest_retained_size, 'latest_retained_percent', "                  \
                        "l.latest_retained_percent, "                                                                  \
                        "'peak_retained_size', l.peak_retained_size, 'peak_retained_percent', "                        \
                        "l.peak_retained_percent, "                                                                    \
                        "'retained_history', (SELECT coalesce(json_agg(h.retained_size ORDER BY h.snapshot_id), "      \
                        "'[]') FROM "                                                                                  \
                        "  (SELECT o.retained_size, o.snapshot_id FROM leak_occurrences o WHERE o.leak_id = l.id "     \
                        "   ORDER BY o.snapshot_id DESC LIMIT 20) h), "                                                \
                        "'leak_url', $2::text || '/leaks/' || l.id, 'report_url', $2::text || '/reports/' || "         \
                        "l.last_analysis_id)"

#define LEAK_FROM                                                                                                      \
    " FROM leaks l JOIN apps a ON a.id = l.app_id AND a.customer_id = l.customer_id "                                  \
    "LEFT JOIN snapshots fs ON fs.id = l.first_snapshot_id AND fs.customer_id = l.customer_id "                        \
    "LEFT JOIN snapshots ls ON ls.id = l.last_snapshot_id AND ls.customer_id = l.customer_id "

/* ---- lists ---- */

/* The sorts of ?sort=: each a bigint key, newest or largest first. */
static const struct leak_sort {
    const char *name;
    const char *key;
} SORTS[] = {
    {"last_seen", "coalesce((extract(epoch FROM l.last_seen_at) * 1000000)::bigint, 0)"},
    {"first_seen", "coalesce((extract(epoch FROM l.first_seen_at) * 1000000)::bigint, 0)"},
    {"occurrences", "l.occurrences::bigint"},
    {"retained", "coalesce(l.latest_retained_size, 0)"},
    {"peak", "coalesce(l.peak_retained_size, 0)"},
};
#define SORT_COUNT (sizeof SORTS / sizeof *SORTS)

/* $3 app name or NULL, $4 statuses, $5 kinds (text arrays or NULL), $6 search or NULL,
 * $7 cursor key, $8 cursor id (NULL: first page), $9 rows wanted. %s: the sort key (3x). */
static const char LIST_SQL[] =
    "SELECT " LEAK_JSON "::text, %s, l.id" LEAK_FROM "WHERE l.customer_id = $1 AND ($3::text IS NULL OR a.name = $3) "
    "AND ($4::text[] IS NULL OR l.status = ANY($4::text[])) AND ($5::text[] IS NULL OR l.kind = ANY($5::text[])) "
    "AND ($6::text IS NULL OR strpos(lower(l.title), lower($6)) > 0 OR strpos(l.fingerprint, $6) > 0) "
    "AND ($7::bigint IS NULL OR (%s, l.id) < ($7::bigint, $8::bigint)) "
    "ORDER BY %s DESC, l.id DESC LIMIT $9";

typedef struct leak_filter {
    const struct leak_sort *sort;
    char statuses[128], kinds[256]; /* "{a,b}" or "" */
    const char *q;
    char cursor_key[24], cursor_id[24]; /* "" on the first page */
    long limit;
} leak_filter;

/* Copies a comma-separated list of words of [a-z_] into out as "{a,b}"; each must pass
 * ok (when given). 0, or -1 (answered 400 naming the parameter). */
static int word_list(lt_http_request *req, const char *name, int (*ok)(const char *), char *out, size_t cap)
{
    const char *v = lt_http_query(req, name);
    out[0] = '\0';
    if (!v)
        return 0;
    size_t n = strlen(v);
    int bad = n == 0 || n + 3 > cap || strspn(v, "abcdefghijklmnopqrstuvwxyz_,") != n || v[0] == ',' ||
              v[n - 1] == ',' || strstr(v, ",,");
    char word[64];
    for (const char *s = v; !bad && *s; s += strcspn(s, ",") + (s[strcspn(s, ",")] == ',')) {
        size_t len = strcspn(s, ",");
        bad = len >= sizeof word || (ok && (snprintf(word, sizeof word, "%.*s", (int)len, s), !ok(word)));
    }
    if (bad)
        return lt_http_reply_error(req, 400, "bad_parameter", "'%s' must be a comma-separated list of %s", name,
                                   ok ? "new, recurring, resolved, regressed, ignored" : "finding kinds"),
               -1;
    snprintf(out, cap, "{%s}", v);
    return 0;
}

static int is_status(const char *word)
{
    return lt_leak_status_parse(word) >= 0;
}

/* Reads ?cursor= "SORT:KEY:ID" for sort into key and id. 0, or -1 (answered). */
static int cursor_param(lt_http_request *req, const char *sort, char key[24], char id[24])
{
    const char *v = lt_http_query(req, "cursor");
    key[0] = id[0] = '\0';
    if (!v)
        return 0;
    size_t n = strlen(sort);
    const char *k = v + n + 1, *colon = strncmp(v, sort, n) || v[n] != ':' ? NULL : strchr(k, ':');
    size_t klen = colon ? (size_t)(colon - k) : 0, ilen = colon ? strlen(colon + 1) : 0;
    if (!colon || klen == 0 || klen > 18 || ilen == 0 || ilen > 18 || strspn(k, "0123456789") != klen ||
        strspn(colon + 1, "0123456789") != ilen) {
        lt_http_reply_error(req, 400, "bad_parameter", "'cursor' must be a next_cursor given with sort=%s", sort);
        return -1;
    }
    snprintf(key, 24, "%.*s", (int)klen, k);
    snprintf(id, 24, "%s", colon + 1);
    return 0;
}

static int sort_param(lt_http_request *req, leak_filter *f)
{
    const char *v = lt_http_query(req, "sort");
    for (size_t i = 0; i < SORT_COUNT; i++)
        if (!strcmp(v ? v : LT_API_LEAK_SORT_DEFAULT, SORTS[i].name)) {
            f->sort = &SORTS[i];
            return 0;
        }
    lt_http_reply_error(req, 400, "bad_parameter",
                        "'sort' must be last_seen, first_seen, occurrences, retained or peak");
    return -1;
}

/* Reads every parameter of a leaks list. 0, or -1 (answered 400). */
static int filter_params(lt_http_request *req, leak_filter *f)
{
    if (sort_param(req, f) || word_list(req, "status", is_status, f->statuses, sizeof f->statuses) ||
        word_list(req, "kind", NULL, f->kinds, sizeof f->kinds) ||
        cursor_param(req, f->sort->name, f->cursor_key, f->cursor_id) ||
        lt_api_uint_param(req, "limit", LT_API_LIMIT_DEFAULT, LT_API_LIMIT_MAX, &f->limit))
        return -1;
    f->q = lt_http_query(req, "q");
    if (f->q && (!*f->q || strlen(f->q) > LT_API_SEARCH_MAX)) {
        lt_http_reply_error(req, 400, "bad_parameter", "'q' must be 1 to %d bytes", LT_API_SEARCH_MAX);
        return -1;
    }
    return 0;
}

/* Writes `[rows' first column],"next_cursor":...` to out from res, where limit+1 rows were
 * asked: the extra one only says there is a next page, whose cursor is SORT and the
 * columns 1 and 2 of the last row shown. */
static void write_page(FILE *out, PGresult *res, const char *sort, long limit)
{
    int rows = PQntuples(res), shown = rows > limit ? (int)limit : rows;
    fputc('[', out);
    for (int r = 0; r < shown; r++)
        fprintf(out, "%s%s", r ? "," : "", PQgetvalue(res, r, 0));
    if (rows > limit && shown > 0)
        fprintf(out, "],\"next_cursor\":\"%s:%s:%s\"", sort, PQgetvalue(res, shown - 1, 1),
                PQgetvalue(res, shown - 1, 2));
    else
        fputs("],\"next_cursor\":null", out);
}

/* A JSON answer written to a memory stream. */
typedef struct json_text {
    FILE *out;
    char *text;
    size_t len;
} json_text;

static FILE *json_text_open(json_text *j)
{
    *j = (json_text){0};
    return j->out = open_memstream(&j->text, &j->len);
}

/* Closes the stream and answers 200 with its text (500 when memory ran out). */
static void json_text_reply(lt_http_request *req, json_text *j)
{
    if (!j->out || fclose(j->out) || !j->text)
        lt_http_reply_error(req, 500, "internal_error", "out of memory");
    else
        lt_http_reply_json(req, 200, j->text);
    free(j->text);
}

/* Answers {"<name>": [...], "next_cursor"} with res's page; clears res. */
static void reply_page(lt_http_request *req, PGresult *res, const char *name, const char *sort, long limit)
{
    json_text j;
    if (json_text_open(&j)) {
        fprintf(j.out, "{\"%s\":", name);
        write_page(j.out, res, sort, limit);
        fputc('}', j.out);
    }
    json_text_reply(req, &j);
    PQclear(res);
}

/* Lists the customer's leaks (of app, when not NULL) by the request's parameters. */
static void leak_list(lt_http_request *req, const char *app)
{
    leak_filter f = {0};
    if (filter_params(req, &f))
        return;
    char sql[sizeof LIST_SQL + 3 * 80], customer[24], rows[24];
    const char *key = f.sort->key;
    snprintf(sql, sizeof sql, LIST_SQL, key, key, key);
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    snprintf(rows, sizeof rows, "%ld", f.limit + 1);
    const char *params[] = {customer,
                            lt_http_public_url(req->server),
                            app,
                            f.statuses[0] ? f.statuses : NULL,
                            f.kinds[0] ? f.kinds : NULL,
                            f.q,
                            f.cursor_key[0] ? f.cursor_key : NULL,
                            f.cursor_id[0] ? f.cursor_id : NULL,
                            rows};
    PGresult *res = lt_api_query(req, sql, 9, params);
    if (res)
        reply_page(req, res, "leaks", f.sort->name, f.limit);
}

/* 1 when the customer has an app of that name; 0 (answered 404) or -1 (answered 500). */
static int app_exists(lt_http_request *req, const char *app)
{
    char customer[24];
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    const char *params[] = {customer, app};
    PGresult *res = lt_api_query(req, "SELECT 1 FROM apps WHERE customer_id = $1 AND name = $2", 2, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    PQclear(res);
    if (!found)
        lt_http_reply_error(req, 404, "not_found", "no such app");
    return found;
}

void lt_api_app_leaks(lt_http_request *req)
{
    const char *app = lt_upload_app_name(req);
    if (app && app_exists(req, app) == 1)
        leak_list(req, app);
}

void lt_api_leaks(lt_http_request *req)
{
    leak_list(req, NULL);
}

/* ---- one leak ---- */

/* $1 customer, $2 public URL, $3 leak id; OCCURRENCES_SQL also $4 cursor key, $5 cursor
 * snapshot id, $6 rows; EVENTS_SQL $1 customer, $2 leak id. */
static const char LEAK_SQL[] = "SELECT " LEAK_JSON "::text" LEAK_FROM "WHERE l.customer_id = $1 AND l.id = $3";

#define OCCURRENCE_KEY "(extract(epoch FROM s.uploaded_at) * 1000000)::bigint"

static const char OCCURRENCES_SQL[] =
    "SELECT json_build_object('analysis_id', o.analysis_id, 'snapshot_id', o.snapshot_id, "
    "'uploaded_at', s.uploaded_at, 'labels', " LABELS_JSON(
        "s") ", 'status', o.status, "
             "'retained_size', o.retained_size, 'retained_percent', o.retained_percent, 'levels', o.levels, "
             "'count', o.count, 'title', f.title, 'finding', f.details, 'report_url', $2::text || '/reports/' || "
             "o.analysis_id)::text, " OCCURRENCE_KEY ", o.snapshot_id "
             "FROM leak_occurrences o JOIN snapshots s ON s.id = o.snapshot_id AND s.customer_id = o.customer_id "
             "JOIN findings f ON f.id = o.finding_id WHERE o.customer_id = $1 AND o.leak_id = $3 "
             "AND ($4::bigint IS NULL OR (" OCCURRENCE_KEY ", o.snapshot_id) < ($4::bigint, $5::bigint)) "
             "ORDER BY s.uploaded_at DESC, o.snapshot_id DESC LIMIT $6";

static const char EVENTS_SQL[] =
    "SELECT coalesce(json_agg(json_build_object('at', e.at, 'actor', e.actor, 'from', e.from_status, "
    "'to', e.to_status, 'analysis_id', e.analysis_id, 'reason', e.reason) ORDER BY e.id), '[]')::text "
    "FROM leak_events e WHERE e.customer_id = $1 AND e.leak_id = $2";

/* Answers {"leak", "occurrences" (a page, newest upload first), "next_cursor", "events"}. */
static void reply_leak(lt_http_request *req, const char *const *params, PGresult *leak, long limit)
{
    PGresult *occ = lt_api_query(req, OCCURRENCES_SQL, 6, params);
    const char *leak_params[] = {params[0], params[2]};
    PGresult *events = occ ? lt_api_query(req, EVENTS_SQL, 2, leak_params) : NULL;
    if (events) {
        json_text j;
        if (json_text_open(&j)) {
            fprintf(j.out, "{\"leak\":%s,\"occurrences\":", PQgetvalue(leak, 0, 0));
            write_page(j.out, occ, "upload", limit);
            fprintf(j.out, ",\"events\":%s}", PQgetvalue(events, 0, 0));
        }
        json_text_reply(req, &j);
    }
    PQclear(occ);
    PQclear(events);
}

void lt_api_leak(lt_http_request *req)
{
    char id[24], customer[24], key[24], snapshot[24], rows[24];
    long limit;
    if (lt_api_id_param(req, req->captures[0], "leak", id) ||
        lt_api_uint_param(req, "limit", LT_API_LIMIT_DEFAULT, LT_API_LIMIT_MAX, &limit) ||
        cursor_param(req, "upload", key, snapshot))
        return;
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    snprintf(rows, sizeof rows, "%ld", limit + 1);
    const char *params[] = {
        customer, lt_http_public_url(req->server), id, key[0] ? key : NULL, snapshot[0] ? snapshot : NULL, rows};
    PGresult *leak = lt_api_query(req, LEAK_SQL, 3, params);
    if (!leak)
        return;
    if (PQntuples(leak) != 1)
        lt_http_reply_error(req, 404, "not_found", "no such leak");
    else
        reply_leak(req, params, leak, limit);
    PQclear(leak);
}

/* ---- PATCH bodies ---- */

typedef struct json_body {
    char data[LT_API_JSON_BODY_MAX + 1];
    size_t len;
} json_body;

void lt_api_json_body_begin(lt_http_request *req)
{
    if (!(req->state = calloc(1, sizeof(json_body))))
        lt_http_reply_error(req, 500, "internal_error", "out of memory");
}

void lt_api_json_body(lt_http_request *req, const char *data, size_t size)
{
    json_body *b = req->state;
    if (size > LT_API_JSON_BODY_MAX - b->len) {
        lt_http_reply_error(req, 413, "payload_too_large", "the JSON body is over %d bytes", LT_API_JSON_BODY_MAX);
        return;
    }
    memcpy(b->data + b->len, data, size);
    b->len += size;
}

void lt_api_json_body_cleanup(lt_http_request *req)
{
    free(req->state);
    req->state = NULL;
}

const char *lt_api_json_body_text(const lt_http_request *req, size_t *len)
{
    const json_body *b = req->state;
    *len = b->len;
    return b->data;
}

/* The body's JSON object (caller json_decrefs), or NULL (answered 400 bad_body). */
static json_t *body_object(lt_http_request *req)
{
    size_t len;
    const char *text = lt_api_json_body_text(req, &len);
    json_error_t why;
    json_t *doc = json_loadb(text, len, 0, &why);
    if (!json_is_object(doc)) {
        lt_http_reply_error(req, 400, "bad_body", "the body must be a JSON object%s%s", doc ? "" : ": ",
                            doc ? "" : why.text);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* The caller's API key prefix (the 8 characters after "lt_"), for events: of the Bearer key,
 * or of the key a session cookie was opened with (looked up by its id); "?" when neither
 * can be found. */
static void actor_of(lt_http_request *req, char out[16])
{
    const char *auth = lt_http_header(req, "Authorization");
    const char *key = auth && strlen(auth) > 7 ? auth + 7 : "";
    snprintf(out, 16, "%.8s", strncmp(key, "lt_", 3) ? "?" : key + 3);
    if (strcmp(out, "?") || req->api_key_id <= 0)
        return;
    char id[24], customer[24];
    snprintf(id, sizeof id, "%" PRId64, req->api_key_id);
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    const char *params[] = {id, customer};
    lt_error err;
    lt_error_clear(&err);
    PGresult *res = NULL;
    PGconn *db = lt_http_db(req, &err);
    if (db &&
        !lt_db_exec(db, "SELECT prefix FROM api_keys WHERE id = $1 AND customer_id = $2", 2, params, &res, &err) &&
        PQntuples(res) == 1)
        snprintf(out, 16, "%.8s", PQgetvalue(res, 0, 0));
    PQclear(res);
}

/* Runs a store_leaks change in a transaction; answers 500 on failure, 404 when *found is 0. */
typedef struct patch_tx {
    const char *target, *customer, *value, *actor;
    int (*change)(PGconn *, const char *, const char *, const char *, const char *, int *, lt_error *);
    int found;
} patch_tx;

static int patch_in_tx(PGconn *conn, void *ctx, lt_error *err)
{
    patch_tx *p = ctx;
    return p->change(conn, p->target, p->customer, p->value, p->actor, &p->found, err);
}

/* 0 when the change was made; -1 when answered (404 what, or 500). */
static int run_patch(lt_http_request *req, patch_tx *p, const char *what)
{
    char customer[24], actor[16];
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    actor_of(req, actor);
    p->customer = customer;
    p->actor = actor;
    lt_error err;
    lt_error_clear(&err);
    PGconn *db = lt_http_db(req, &err);
    if (!db || lt_db_transaction(db, patch_in_tx, p, &err)) {
        lt_http_reply_db_error(req, &err);
        return -1;
    }
    if (!p->found)
        return lt_http_reply_error(req, 404, "not_found", "no such %s", what), -1;
    return 0;
}

void lt_api_leak_patch(lt_http_request *req)
{
    char id[24];
    json_t *doc = lt_api_id_param(req, req->captures[0], "leak", id) ? NULL : body_object(req);
    if (!doc)
        return;
    const char *status = json_string_value(json_object_get(doc, "status"));
    int choice = !status                       ? -1
                 : !strcmp(status, "open")     ? 0
                 : !strcmp(status, "resolved") ? 1
                 : !strcmp(status, "ignored")  ? 2
                                               : -1;
    if (choice < 0 || json_object_size(doc) != 1) {
        lt_http_reply_error(req, 400, "bad_parameter",
                            "the body must be {\"status\": \"resolved\"|\"ignored\"|\"open\"}");
    } else {
        patch_tx p = {.target = id, .value = choice ? status : NULL, .change = lt_leaks_set_choice};
        if (!run_patch(req, &p, "leak"))
            lt_api_leak(req);
    }
    json_decref(doc);
}

void lt_api_app_patch(lt_http_request *req)
{
    const char *app = lt_upload_app_name(req);
    json_t *doc = app ? body_object(req) : NULL;
    if (!doc)
        return;
    json_t *n = json_object_get(doc, "resolve_after");
    if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > LT_RESOLVE_AFTER_MAX ||
        json_object_size(doc) != 1) {
        lt_http_reply_error(req, 400, "bad_parameter", "the body must be {\"resolve_after\": N}, N from 1 to %d",
                            LT_RESOLVE_AFTER_MAX);
    } else {
        char value[24], customer[24];
        snprintf(value, sizeof value, "%" JSON_INTEGER_FORMAT, json_integer_value(n));
        patch_tx p = {.target = app, .value = value, .change = lt_leaks_set_resolve_after};
        snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
        const char *params[] = {customer, app};
        PGresult *res = run_patch(req, &p, "app")
                            ? NULL
                            : lt_api_query(req,
                                           "SELECT json_build_object('name', name, 'resolve_after', resolve_after)"
                                           "::text FROM apps WHERE customer_id = $1 AND name = $2",
                                           2, params);
        if (res)
            lt_api_reply_first_json(req, res, "app");
    }
    json_decref(doc);
}
