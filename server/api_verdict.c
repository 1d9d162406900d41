/* api_verdict: comparison of two analyses and the CI verdict of one (declared in api.h).
 *
 * GET /api/v1/analyses/{id}/compare?baseline=B compares any two of the caller's done
 * analyses (B defaults to the analysis's baseline: migrations/0003_leaks.sql
 * lt_baseline_analysis); the JSON is lt_comparison's, the same object the served report
 * carries as `comparison`.
 * GET /api/v1/analyses/{id}/verdict?fail_on=RULES&wait=S applies verdict_rules.h to the
 * analysis's findings, each with its leak's status as of this analysis's snapshot (upload
 * order; `ignored` when the user ignores the leak now), and to the heap's growth against
 * the baseline. An analysis that is not done answers 409 analysis_not_done with its state
 * (and error); `wait` holds the request up to S seconds first, like GET /analyses/{id}, and
 * then until the app's earlier uploads are analysed too (their leaks decide whether a leak
 * is new; 409 with state "waiting_for_earlier" when the wait ends first).
 * Links are absolute: the server's public URL + /reports/{analysis_id} and /leaks/{leak_id}. */
#include "api.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_guard.h"
#include "verdict_rules.h"

/* Answers 404 or 409 unless res (lt_api_wait_analysis's row) is a done analysis; 1 when it is. */
static int analysis_done(lt_http_request *req, PGresult *res, const char *id)
{
    if (PQntuples(res) != 1) {
        lt_http_reply_error(req, 404, "not_found", "no such analysis");
        return 0;
    }
    const char *state = PQgetvalue(res, 0, 1);
    if (!strcmp(state, "done"))
        return 1;
    int has_error = !PQgetisnull(res, 0, 2);
    char message[700];
    snprintf(message, sizeof message, "analysis %s is %s, not done%s%.600s", id, state, has_error ? ": " : "",
             has_error ? PQgetvalue(res, 0, 2) : "");
    lt_api_reply_doc(
        req, 409,
        json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "analysis_not_done", "message", message, "state", state));
    return 0;
}

/* Waits up to wait_s for analysis id of the caller; 1 when it is done, else 0 (answered). */
static int wait_done(lt_http_request *req, const char *id, const char *customer, long wait_s)
{
    PGresult *res = lt_api_wait_analysis(req, id, customer, wait_s);
    if (!res)
        return 0;
    int done = analysis_done(req, res, id);
    PQclear(res);
    return done;
}

/* ---- compare ---- */

void lt_api_analysis_compare(lt_http_request *req)
{
    char id[24], baseline[24] = "", customer[24];
    const char *b = lt_http_query(req, "baseline");
    if (lt_api_id_param(req, req->captures[0], "analysis", id) || (b && lt_api_id_param(req, b, "baseline", baseline)))
        return;
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    if (!wait_done(req, id, customer, 0) || (baseline[0] && !wait_done(req, baseline, customer, 0)))
        return;
    const char *params[] = {id, baseline[0] ? baseline : NULL, customer};
    PGresult *res = lt_api_query(req,
                                 "SELECT lt_comparison($1, coalesce($2::bigint, lt_baseline_analysis($1, $3)), "
                                 "$3)::text",
                                 3, params);
    if (res)
        lt_api_reply_first_json(req, res, "analysis");
}

/* ---- verdict ---- */

/* $1 analysis, $2 customer: each finding with its leak's id and status at this snapshot. */
static const char FINDINGS_SQL[] =
    "SELECT f.kind, f.title, f.fingerprint, f.retained_percent, l.id, "
    "CASE WHEN l.status = 'ignored' THEN 'ignored' ELSE o.status END "
    "FROM findings f LEFT JOIN leaks l ON l.app_id = f.app_id AND l.fingerprint = f.fingerprint "
    "AND l.customer_id = f.customer_id "
    "LEFT JOIN leak_occurrences o ON o.leak_id = l.id AND o.analysis_id = f.analysis_id "
    "WHERE f.analysis_id = $1 AND f.customer_id = $2 ORDER BY f.rank";

enum { F_KIND, F_TITLE, F_FINGERPRINT, F_PERCENT, F_LEAK, F_STATUS };

/* $1 analysis, $2 customer: the baseline and the heap's sizes. */
static const char GROWTH_SQL[] = "SELECT b.id, sa.total_size, sb.total_size FROM analyses a "
                                 "JOIN snapshots sa ON sa.id = a.snapshot_id AND sa.customer_id = a.customer_id "
                                 "LEFT JOIN analyses b ON b.id = lt_baseline_analysis($1, $2) "
                                 "LEFT JOIN snapshots sb ON sb.id = b.snapshot_id AND sb.customer_id = b.customer_id "
                                 "WHERE a.id = $1 AND a.customer_id = $2";

typedef struct verdict {
    lt_http_request *req;
    const char *analysis_id;
    json_t *reasons;
    char report_url[LT_PUBLIC_URL_MAX + 64];
} verdict;

static void add_reason(verdict *v, const lt_rule *rule, const char *kind, const char *title, const char *fingerprint,
                       const char *leak_id)
{
    json_t *leak_url = leak_id ? json_sprintf("%s/leaks/%s", lt_http_public_url(v->req->server), leak_id) : json_null();
    json_array_append_new(v->reasons, json_pack("{s:s, s:s?, s:s, s:s?, s:o, s:s}", "rule", rule->text, "kind", kind,
                                                "title", title, "fingerprint", fingerprint, "leak_url", leak_url,
                                                "report_url", v->report_url));
}

static void judge_findings(verdict *v, const lt_rules *rules, PGresult *res)
{
    for (int r = 0; r < PQntuples(res); r++) {
        const char *status = PQgetisnull(res, r, F_STATUS) ? NULL : PQgetvalue(res, r, F_STATUS);
        lt_verdict_finding f = {.kind = PQgetvalue(res, r, F_KIND),
                                .retained_percent = strtod(PQgetvalue(res, r, F_PERCENT), NULL),
                                .leak_status = status,
                                .first_seen_here = status && !strcmp(status, "new")};
        const lt_rule *rule = lt_rules_failed_by(rules, &f);
        if (rule)
            add_reason(v, rule, f.kind, PQgetvalue(res, r, F_TITLE), PQgetvalue(res, r, F_FINGERPRINT),
                       PQgetisnull(res, r, F_LEAK) ? NULL : PQgetvalue(res, r, F_LEAK));
    }
}

/* Judges the heap's growth (row of GROWTH_SQL) and returns the baseline id (or NULL). */
static json_t *judge_growth(verdict *v, const lt_rules *rules, PGresult *res)
{
    if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
        return json_null();
    double after = strtod(PQgetvalue(res, 0, 1), NULL), before = strtod(PQgetvalue(res, 0, 2), NULL);
    double growth = before > 0 ? 100.0 * (after - before) / before : NAN;
    const lt_rule *rule = lt_rules_failed_by_growth(rules, growth);
    if (rule) {
        char title[200];
        snprintf(title, sizeof title, "the heap grew %.1f%% (%.0f to %.0f bytes) against analysis %s", growth, before,
                 after, PQgetvalue(res, 0, 0));
        add_reason(v, rule, NULL, title, NULL, NULL);
    }
    return json_integer(strtoll(PQgetvalue(res, 0, 0), NULL, 10));
}

static void reply_verdict(verdict *v, const char *fail_on, json_t *baseline)
{
    json_t *doc = json_pack("{s:s, s:I, s:s, s:o, s:s, s:O}", "verdict", json_array_size(v->reasons) ? "fail" : "pass",
                            "analysis_id", (json_int_t)strtoll(v->analysis_id, NULL, 10), "fail_on", fail_on,
                            "baseline_analysis_id", baseline, "report_url", v->report_url, "reasons", v->reasons);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (text)
        lt_http_reply_json(v->req, 200, text);
    else
        lt_http_reply_error(v->req, 500, "internal_error", "out of memory");
    free(text);
    json_decref(doc);
}

/* Parses ?fail_on= (default LT_FAIL_ON_DEFAULT); 0, or -1 (answered 400 naming it). */
static int rules_param(lt_http_request *req, lt_rules *rules, const char **text)
{
    char why[256];
    *text = lt_http_query(req, "fail_on");
    if (*text && !**text) {
        lt_http_reply_error(req, 400, "bad_parameter",
                            "'fail_on' is empty (leave it out for the default, " LT_FAIL_ON_DEFAULT ")");
        return -1;
    }
    if (lt_rules_parse(*text, rules, why, sizeof why)) {
        lt_http_reply_error(req, 400, "bad_parameter", "'fail_on': %s", why);
        return -1;
    }
    if (!*text)
        *text = LT_FAIL_ON_DEFAULT;
    return 0;
}

/* $1 analysis, $2 customer: the first analysis of an earlier upload of the same app
 * (upload order) still queued or running, and how many there are. */
static const char EARLIER_SQL[] = "SELECT e.id, count(*) OVER () FROM analyses a "
                                  "JOIN snapshots s ON s.id = a.snapshot_id AND s.customer_id = a.customer_id "
                                  "JOIN snapshots es ON es.app_id = s.app_id AND es.customer_id = s.customer_id "
                                  "AND (es.uploaded_at, es.id) < (s.uploaded_at, s.id) "
                                  "JOIN analyses e ON e.snapshot_id = es.id AND e.state IN ('queued', 'running') "
                                  "WHERE a.id = $1 AND a.customer_id = $2 ORDER BY es.uploaded_at, es.id, e.id LIMIT 1";

/* A leak's status (new or recurring) and the baseline depend on the app's earlier
 * uploads: the verdict waits, within ?wait=, until every one of them is analysed.
 * 1 when none is pending; 0 when the request waits or was answered (409
 * analysis_not_done, state "waiting_for_earlier", when the wait is over). */
static int earlier_analysed(lt_http_request *req, const char *id, const char *customer, long wait_s)
{
    double deadline = lt_http_wait_deadline(req, wait_s);
    const char *params[] = {id, customer};
    PGresult *res = lt_api_query(req, EARLIER_SQL, 2, params);
    if (!res)
        return 0;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 1;
    }
    int64_t first = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    long pending = strtol(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    if (lt_http_guard_now() < deadline && !lt_http_stopping(req->server)) {
        lt_http_wait(req, first);
        return 0;
    }
    char message[300];
    snprintf(message, sizeof message,
             "analysis %s is done, but %ld earlier upload(s) of its app are still being analysed (the first: analysis "
             "%" PRId64 "); whether a leak is new or recurring depends on them: ask again with ?wait=",
             id, pending, first);
    lt_api_reply_doc(req, 409,
                     json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "analysis_not_done", "message", message, "state",
                               "waiting_for_earlier"));
    return 0;
}

void lt_api_analysis_verdict(lt_http_request *req)
{
    char id[24], customer[24];
    long wait_s;
    lt_rules rules;
    const char *fail_on;
    if (lt_api_id_param(req, req->captures[0], "analysis", id) || rules_param(req, &rules, &fail_on) ||
        lt_api_uint_param(req, "wait", 0, LT_API_WAIT_MAX_S, &wait_s))
        return;
    snprintf(customer, sizeof customer, "%" PRId64, req->customer_id);
    if (!wait_done(req, id, customer, wait_s) || !earlier_analysed(req, id, customer, wait_s))
        return;
    const char *params[] = {id, customer};
    PGresult *findings = lt_api_query(req, FINDINGS_SQL, 2, params);
    PGresult *growth = findings ? lt_api_query(req, GROWTH_SQL, 2, params) : NULL;
    verdict v = {.req = req, .analysis_id = id, .reasons = json_array()};
    snprintf(v.report_url, sizeof v.report_url, "%s/reports/%s", lt_http_public_url(req->server), id);
    if (growth && v.reasons) {
        judge_findings(&v, &rules, findings);
        reply_verdict(&v, fail_on, judge_growth(&v, &rules, growth));
    } else if (growth) {
        lt_http_reply_error(req, 500, "internal_error", "out of memory");
    }
    json_decref(v.reasons);
    PQclear(findings);
    PQclear(growth);
}
