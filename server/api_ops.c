/* api_ops: health, readiness and metrics. See api_ops.h. */
#include "api_ops.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "db.h"
#include "defaults.h"
#include "metrics.h"
#include "migrate.h"

void lt_api_healthz(lt_http_request *req)
{
    lt_http_reply_json(req, 200, "{\"status\":\"ok\"}");
}

/* ---- readiness ---- */

typedef struct readiness {
    const char *database, *migrations; /* "ok" or what is wrong */
    char spool[160];
} readiness;

/* The database and migration checks on a pooled connection; once more on a new connection
 * when the pooled one turns out broken (the database restarted since). */
static void check_database(lt_http_request *req, readiness *r)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        lt_error err;
        lt_error_clear(&err);
        int current = 0;
        if (!lt_http_db(req, &err)) {
            r->database = "unreachable", r->migrations = "not checked";
            return;
        }
        int rc = lt_migrate_current(req->db, NULL, &current, &err);
        if (rc == LT_EIO && lt_http_db_lost(req))
            continue;
        r->database = rc == LT_EIO ? "query failed" : "ok";
        r->migrations = rc == LT_EIO ? "not checked"
                        : rc         ? "this binary's migrations cannot be read"
                        : current    ? "ok"
                                     : "the database is not at this binary's latest migration";
        return;
    }
    r->database = "unreachable", r->migrations = "not checked";
}

/* A file can be created (and removed) in the spool folder. */
static void check_spool(lt_http_request *req, readiness *r)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.readyz-XXXXXX", lt_http_spool_dir(req->server));
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(r->spool, sizeof r->spool, "cannot create a file: %s", strerror(errno));
        return;
    }
    close(fd);
    unlink(path);
    snprintf(r->spool, sizeof r->spool, "ok");
}

void lt_api_readyz(lt_http_request *req)
{
    readiness r;
    check_database(req, &r);
    check_spool(req, &r);
    const char *names[] = {"database", "migrations", "spool"}, *results[] = {r.database, r.migrations, r.spool};
    json_t *checks = json_object(), *failed = json_array();
    for (size_t i = 0; i < 3; i++) {
        json_object_set_new(checks, names[i], json_string(results[i]));
        if (strcmp(results[i], "ok"))
            json_array_append_new(failed, json_string(names[i]));
    }
    int ready = json_array_size(failed) == 0;
    json_t *doc =
        json_pack("{s:s,s:o,s:o}", "status", ready ? "ready" : "unavailable", "checks", checks, "failed", failed);
    lt_api_reply_doc(req, ready ? 200 : 503, doc);
}

/* ---- metrics ---- */

/* Analyses by state, with one query (on the request's pooled connection). */
static void read_states(lt_http_request *req, lt_metrics *m, lt_metrics_gauges *g)
{
    if (lt_metrics_states_cached(m, g))
        return;
    lt_error err;
    PGresult *res = NULL;
    if (!lt_http_db(req, &err) ||
        lt_db_exec(req->db, "SELECT state, count(*) FROM analyses GROUP BY state", 0, NULL, &res, &err)) {
        lt_http_db_lost(req);
        return;
    }
    for (int i = 0; i < PQntuples(res); i++) {
        const char *state = PQgetvalue(res, i, 0);
        int64_t n = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        int64_t *slot = !strcmp(state, "queued")    ? &g->queued
                        : !strcmp(state, "running") ? &g->running
                        : !strcmp(state, "done")    ? &g->done
                        : !strcmp(state, "failed")  ? &g->failed
                                                    : NULL;
        if (slot)
            *slot = n;
    }
    PQclear(res);
    g->states_known = 1;
    lt_metrics_states_store(m, g);
}

void lt_api_metrics(lt_http_request *req)
{
    lt_metrics *m = lt_http_metrics(req->server);
    if (!m) {
        lt_http_reply_error(req, 404, "not_found", "this server keeps no metrics");
        return;
    }
    lt_metrics_gauges g = {0};
    lt_http_pool_use(req->server, &g.pool_in_use, &g.pool_idle, &g.pool_size);
    read_states(req, m, &g);
    char *text = NULL;
    size_t len = 0;
    if (lt_metrics_render(m, &g, &text, &len)) {
        lt_http_reply_error(req, 500, "internal_error", "out of memory");
        return;
    }
    lt_http_reply_bytes(req, 200, LT_METRICS_CONTENT_TYPE, text, len, 1);
    lt_http_add_header(req, "Cache-Control", "no-store");
    free(text);
}

lt_metrics *lt_api_metrics_new(int workers)
{
    const char **names = calloc(lt_api_route_count, sizeof *names);
    const char **methods = calloc(lt_api_route_count, sizeof *methods);
    for (size_t i = 0; names && methods && i < lt_api_route_count; i++) {
        names[i] = lt_api_routes[i].pattern;
        methods[i] = lt_api_routes[i].method;
    }
    lt_metrics_config c = {.route_names = names,
                           .route_methods = methods,
                           .route_count = lt_api_route_count,
                           .workers = workers,
                           .version = LT_VERSION};
    lt_metrics *m = names && methods ? lt_metrics_new(&c) : NULL;
    free(names);
    free(methods);
    return m;
}
