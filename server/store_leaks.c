/* store_leaks: leak records, occurrences, statuses and events. See store_leaks.h. */
#include "store_leaks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* ---- recording an analysis: $1 analysis id, $2 customer id, $3 app id ----
 * Every statement names all three ($n::bigint where it has no other use for one), so
 * PostgreSQL knows each parameter's type. */

/* The analysis's leak findings: one per fingerprint, the highest ranked. */
#define LEAK_FINDINGS                                                                                                  \
    "(SELECT DISTINCT ON (fingerprint) * FROM findings WHERE analysis_id = $1 AND customer_id = $2 "                   \
    "AND kind <> 'large_retainer' ORDER BY fingerprint, rank)"

static const char *const RECORD_SQL[] = {
    /* the app's row lock: every change of the app's leaks holds it (store_leaks.h) */
    "SELECT id FROM apps WHERE id = $3 AND customer_id = $2 AND $1::bigint > 0 FOR NO KEY UPDATE",
    /* new fingerprints become leaks, each with a `new` event */
    "WITH f AS " LEAK_FINDINGS ", "
    "created AS (INSERT INTO leaks (customer_id, app_id, fingerprint, kind, title) "
    "  SELECT $2, $3, fingerprint, kind, title FROM f ON CONFLICT (app_id, fingerprint) DO NOTHING RETURNING id) "
    "INSERT INTO leak_events (leak_id, customer_id, actor, from_status, to_status, analysis_id, reason) "
    "SELECT id, $2, 'system', NULL, 'new', $1, 'first seen in analysis ' || $1 FROM created",
    /* an earlier analysis of the same snapshot no longer counts */
    "DELETE FROM leak_occurrences WHERE customer_id = $2 AND analysis_id <> $1 AND $3::bigint > 0 "
    "AND snapshot_id = (SELECT snapshot_id FROM analyses WHERE id = $1 AND customer_id = $2)",
    "INSERT INTO leak_occurrences (leak_id, customer_id, snapshot_id, analysis_id, finding_id, retained_size, "
    "retained_percent, levels, count) "
    "SELECT l.id, $2, a.snapshot_id, $1, f.id, f.retained_size, f.retained_percent, "
    "CASE WHEN jsonb_typeof(f.details->'levels') = 'number' THEN (f.details->>'levels')::numeric::bigint END, "
    "CASE WHEN jsonb_typeof(f.details->'count') = 'number' THEN (f.details->>'count')::numeric::bigint END "
    "FROM " LEAK_FINDINGS " f JOIN leaks l ON l.app_id = $3 AND l.fingerprint = f.fingerprint "
    "JOIN analyses a ON a.id = $1 AND a.customer_id = $2 "
    "ON CONFLICT (leak_id, snapshot_id) DO UPDATE SET analysis_id = EXCLUDED.analysis_id, "
    "finding_id = EXCLUDED.finding_id, retained_size = EXCLUDED.retained_size, "
    "retained_percent = EXCLUDED.retained_percent, levels = EXCLUDED.levels, count = EXCLUDED.count",
    /* first/last seen, count, latest and peak sizes, latest title: in upload order */
    "UPDATE leaks l SET occurrences = x.n, first_snapshot_id = x.firsts[1], first_analysis_id = x.first_analyses[1], "
    "first_seen_at = x.first_at, last_snapshot_id = x.lasts[1], last_analysis_id = x.last_analyses[1], "
    "last_seen_at = x.last_at, latest_retained_size = x.sizes[1], latest_retained_percent = x.percents[1], "
    "peak_retained_size = x.peak, peak_retained_percent = x.peak_percent, title = x.titles[1], updated_at = now() "
    "FROM (SELECT o.leak_id, count(*) AS n, min(s.uploaded_at) AS first_at, max(s.uploaded_at) AS last_at, "
    "  array_agg(o.snapshot_id ORDER BY s.uploaded_at, s.id) AS firsts, "
    "  array_agg(o.analysis_id ORDER BY s.uploaded_at, s.id) AS first_analyses, "
    "  array_agg(o.snapshot_id ORDER BY s.uploaded_at DESC, s.id DESC) AS lasts, "
    "  array_agg(o.analysis_id ORDER BY s.uploaded_at DESC, s.id DESC) AS last_analyses, "
    "  array_agg(o.retained_size ORDER BY s.uploaded_at DESC, s.id DESC) AS sizes, "
    "  array_agg(o.retained_percent ORDER BY s.uploaded_at DESC, s.id DESC) AS percents, "
    "  array_agg(f.title ORDER BY s.uploaded_at DESC, s.id DESC) AS titles, "
    "  max(o.retained_size) AS peak, max(o.retained_percent) AS peak_percent "
    "  FROM leak_occurrences o JOIN snapshots s ON s.id = o.snapshot_id JOIN findings f ON f.id = o.finding_id "
    "  WHERE o.customer_id = $2 AND o.leak_id IN (SELECT id FROM leaks WHERE app_id = $3 AND customer_id = $2) "
    "  AND $1::bigint > 0 GROUP BY o.leak_id) x WHERE l.id = x.leak_id",
};

/* ---- recomputing: $1 app id, $2 customer id ---- */

/* Per leak: id, status, choice, the choice's position, the analysed snapshot count,
 * resolve_after, and the positions and snapshot ids of its occurrences, in upload order. */
static const char HISTORY_SQL[] =
    "WITH seq AS (SELECT s.id, s.uploaded_at, row_number() OVER (ORDER BY s.uploaded_at, s.id) AS pos "
    "  FROM snapshots s WHERE s.app_id = $1 AND s.customer_id = $2 AND EXISTS (SELECT 1 FROM analyses a "
    "  WHERE a.snapshot_id = s.id AND a.customer_id = s.customer_id AND a.state = 'done')) "
    "SELECT l.id, l.status, coalesce(l.user_status, ''), "
    "  (SELECT count(*) FROM seq WHERE seq.uploaded_at <= l.user_status_at), (SELECT count(*) FROM seq), "
    "  ap.resolve_after, array_agg(seq.pos ORDER BY seq.pos)::text, array_agg(o.snapshot_id ORDER BY seq.pos)::text "
    "FROM leaks l JOIN apps ap ON ap.id = l.app_id JOIN leak_occurrences o ON o.leak_id = l.id "
    "JOIN seq ON seq.id = o.snapshot_id WHERE l.app_id = $1 AND l.customer_id = $2 "
    "GROUP BY l.id, ap.resolve_after";

enum { H_ID, H_STATUS, H_CHOICE, H_CHOICE_POS, H_ANALYSED, H_RESOLVE_AFTER, H_POSITIONS, H_SNAPSHOTS };

/* $1 leak ids, $2 old statuses, $3 new statuses (text arrays), $4 customer, $5 actor,
 * $6 analysis id or NULL, $7 reason. */
static const char STATUS_SQL[] =
    "WITH u AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, old_status, status)), "
    "upd AS (UPDATE leaks l SET status = u.status, updated_at = now() FROM u "
    "  WHERE l.id = u.id AND l.customer_id = $4 AND l.status <> u.status RETURNING l.id) "
    "INSERT INTO leak_events (leak_id, customer_id, actor, from_status, to_status, analysis_id, reason) "
    "SELECT u.id, $4, $5::text, u.old_status, u.status, $6::bigint, $7::text FROM u";

/* $1 leak ids, $2 snapshot ids, $3 statuses, $4 customer. */
static const char OCCURRENCE_STATUS_SQL[] =
    "UPDATE leak_occurrences o SET status = u.status "
    "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(leak_id, snapshot_id, status) "
    "WHERE o.leak_id = u.leak_id AND o.snapshot_id = u.snapshot_id AND o.customer_id = $4 "
    "AND o.status IS DISTINCT FROM u.status";

/* Array literals ("{a,b,c}") built as the walk goes. */
typedef struct text_array {
    FILE *f;
    char *text;
    size_t len;
    size_t count;
} text_array;

static int array_open(text_array *a)
{
    *a = (text_array){0};
    a->f = open_memstream(&a->text, &a->len);
    return a->f && fputc('{', a->f) != EOF ? 0 : -1;
}

static void array_add(text_array *a, const char *item)
{
    fprintf(a->f, "%s%s", a->count++ ? "," : "", item);
}

/* Closes the stream; the text is in a->text (NULL when out of memory). */
static int array_close(text_array *a)
{
    if (!a->f)
        return -1;
    fputc('}', a->f);
    int bad = fclose(a->f) != 0;
    a->f = NULL;
    return bad || !a->text ? -1 : 0;
}

static int array_free(text_array *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    free(a->text);
    a->text = NULL;
    return 0;
}

/* What the walk writes: leaks whose status changes, and every occurrence's status. */
typedef struct recompute_out {
    text_array ids, old_status, status;            /* STATUS_SQL */
    text_array occ_leak, occ_snapshot, occ_status; /* OCCURRENCE_STATUS_SQL */
} recompute_out;

/* Applies fn to each of o's arrays; the results or'ed (non-zero: one failed). */
static int out_each(recompute_out *o, int (*fn)(text_array *))
{
    text_array *all[] = {&o->ids, &o->old_status, &o->status, &o->occ_leak, &o->occ_snapshot, &o->occ_status};
    int rc = 0;
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        rc |= fn(all[i]);
    return rc;
}

/* Parses "{1,2,3}" into at most cap integers; returns how many, or -1 when malformed. */
static long parse_int_array(const char *text, int64_t *out, size_t cap)
{
    size_t n = 0;
    const char *s = text + (*text == '{');
    while (*s && *s != '}') {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s || n == cap)
            return -1;
        out[n++] = v;
        s = end + (*end == ',');
    }
    return (long)n;
}

/* The history of row r of res, positions parsed into pos (cap entries). -1 when malformed. */
static long read_history(PGresult *res, int r, int64_t *pos, int64_t *snaps, size_t cap, lt_leak_history *h)
{
    long n = parse_int_array(PQgetvalue(res, r, H_POSITIONS), pos, cap);
    if (n < 1 || parse_int_array(PQgetvalue(res, r, H_SNAPSHOTS), snaps, cap) != n)
        return -1;
    const char *choice = PQgetvalue(res, r, H_CHOICE);
    *h = (lt_leak_history){.positions = pos,
                           .count = (size_t)n,
                           .analysed_count = strtoll(PQgetvalue(res, r, H_ANALYSED), NULL, 10),
                           .resolve_after = strtoll(PQgetvalue(res, r, H_RESOLVE_AFTER), NULL, 10),
                           .choice = !strcmp(choice, "resolved")  ? LT_CHOICE_RESOLVED
                                     : !strcmp(choice, "ignored") ? LT_CHOICE_IGNORED
                                                                  : LT_CHOICE_NONE,
                           .choice_position = strtoll(PQgetvalue(res, r, H_CHOICE_POS), NULL, 10)};
    return n;
}

/* Adds the leak's status now (when it changed or must be logged) and its status at each
 * occurrence to out. */
static void add_walked(PGresult *res, int r, const lt_leaks_cause *cause, const char *now, const int64_t *snaps,
                       const lt_leak_status *at, long n, recompute_out *out)
{
    const char *id = PQgetvalue(res, r, H_ID), *old = PQgetvalue(res, r, H_STATUS);
    if (strcmp(now, old) || (cause->always_log && !strcmp(cause->always_log, id))) {
        array_add(&out->ids, id);
        array_add(&out->old_status, old);
        array_add(&out->status, now);
    }
    for (long i = 0; i < n; i++) {
        char snap[24];
        snprintf(snap, sizeof snap, "%lld", (long long)snaps[i]);
        array_add(&out->occ_leak, id);
        array_add(&out->occ_snapshot, snap);
        array_add(&out->occ_status, lt_leak_status_name(at[i]));
    }
}

/* Walks one leak (row r of res) and adds what changed to out. 0, or LT_ENOMEM. A row
 * without occurrences (none can be) is skipped. */
static int walk_leak(PGresult *res, int r, const lt_leaks_cause *cause, recompute_out *out)
{
    size_t cap = strlen(PQgetvalue(res, r, H_POSITIONS)) / 2 + 1;
    int64_t *pos = malloc(cap * sizeof *pos), *snaps = malloc(cap * sizeof *snaps);
    lt_leak_status *at = malloc(cap * sizeof *at);
    int rc = pos && snaps && at ? 0 : LT_ENOMEM;
    lt_leak_history h;
    long n = rc ? -1 : read_history(res, r, pos, snaps, cap, &h);
    if (n > 0)
        add_walked(res, r, cause, lt_leak_status_name(lt_leak_status_walk(&h, at)), snaps, at, n, out);
    free(pos);
    free(snaps);
    free(at);
    return rc;
}

static int write_recomputed(PGconn *conn, const char *customer_id, const lt_leaks_cause *cause, recompute_out *o,
                            lt_error *err)
{
    const char *status[] = {o->ids.text,  o->old_status.text, o->status.text, customer_id,
                            cause->actor, cause->analysis_id, cause->reason};
    const char *occ[] = {o->occ_leak.text, o->occ_snapshot.text, o->occ_status.text, customer_id};
    int rc = o->ids.count ? lt_db_exec(conn, STATUS_SQL, 7, status, NULL, err) : 0;
    if (!rc && o->occ_leak.count)
        rc = lt_db_exec(conn, OCCURRENCE_STATUS_SQL, 4, occ, NULL, err);
    return rc;
}

int lt_leaks_recompute(PGconn *conn, const char *app_id, const char *customer_id, const lt_leaks_cause *cause,
                       lt_error *err)
{
    const char *params[] = {app_id, customer_id};
    PGresult *res;
    int rc = lt_db_exec(conn, HISTORY_SQL, 2, params, &res, err);
    if (rc)
        return rc;
    recompute_out out;
    memset(&out, 0, sizeof out);
    rc = out_each(&out, array_open) ? LT_ENOMEM : 0;
    for (int r = 0; !rc && r < PQntuples(res); r++)
        rc = walk_leak(res, r, cause, &out);
    PQclear(res);
    if (!rc && out_each(&out, array_close))
        rc = LT_ENOMEM;
    if (rc == LT_ENOMEM)
        lt_error_set(err, rc, "out of memory recomputing the leaks of app %s", app_id);
    if (!rc)
        rc = write_recomputed(conn, customer_id, cause, &out, err);
    out_each(&out, array_free);
    return rc;
}

int lt_leaks_record_analysis(PGconn *conn, const char *analysis_id, const char *customer_id, const char *app_id,
                             lt_error *err)
{
    const char *params[] = {analysis_id, customer_id, app_id};
    for (size_t i = 0; i < sizeof RECORD_SQL / sizeof *RECORD_SQL; i++) {
        int rc = lt_db_exec(conn, RECORD_SQL[i], 3, params, NULL, err);
        if (rc)
            return rc;
    }
    char reason[64];
    snprintf(reason, sizeof reason, "analysis %s finished", analysis_id);
    lt_leaks_cause cause = {.actor = "system", .analysis_id = analysis_id, .reason = reason};
    return lt_leaks_recompute(conn, app_id, customer_id, &cause, err);
}

/* Runs sql (which locks and changes one app's row and returns its id) and recomputes
 * that app. *found is 0 when sql returned no row. */
static int change_app(PGconn *conn, const char *sql, int n, const char *const *params, const char *customer_id,
                      const lt_leaks_cause *cause, int *found, lt_error *err)
{
    PGresult *res;
    int rc = lt_db_exec(conn, sql, n, params, &res, err);
    if (rc)
        return rc;
    *found = PQntuples(res) == 1;
    char app_id[24] = "";
    if (*found)
        snprintf(app_id, sizeof app_id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return *found ? lt_leaks_recompute(conn, app_id, customer_id, cause, err) : 0;
}

/* $1 leak id, $2 customer, $3 choice (NULL: open), $4 actor. The app is locked first. */
static const char CHOICE_SQL[] =
    "WITH app AS (SELECT a.id FROM apps a JOIN leaks l ON l.app_id = a.id "
    "  WHERE l.id = $1 AND l.customer_id = $2 FOR NO KEY UPDATE OF a) "
    "UPDATE leaks l SET user_status = $3, user_status_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END, "
    "user_status_by = $4, updated_at = now() FROM app WHERE l.id = $1 AND l.customer_id = $2 RETURNING app.id";

int lt_leaks_set_choice(PGconn *conn, const char *leak_id, const char *customer_id, const char *choice,
                        const char *actor, int *found, lt_error *err)
{
    const char *params[] = {leak_id, customer_id, choice, actor};
    char reason[64];
    snprintf(reason, sizeof reason, "status set to %s", choice ? choice : "open");
    lt_leaks_cause cause = {.actor = actor, .reason = reason, .always_log = leak_id};
    return change_app(conn, CHOICE_SQL, 4, params, customer_id, &cause, found, err);
}

/* $1 app name, $2 customer, $3 resolve_after. */
static const char RESOLVE_AFTER_SQL[] =
    "UPDATE apps SET resolve_after = $3::int WHERE id = (SELECT id FROM apps WHERE name = $1 AND customer_id = $2 "
    "FOR NO KEY UPDATE) RETURNING id";

int lt_leaks_set_resolve_after(PGconn *conn, const char *app, const char *customer_id, const char *resolve_after,
                               const char *actor, int *found, lt_error *err)
{
    const char *params[] = {app, customer_id, resolve_after};
    char reason[64];
    snprintf(reason, sizeof reason, "resolve_after set to %s", resolve_after);
    lt_leaks_cause cause = {.actor = actor, .reason = reason};
    return change_app(conn, RESOLVE_AFTER_SQL, 3, params, customer_id, &cause, found, err);
}
