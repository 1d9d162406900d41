/* spool: removing raw snapshot files nobody keeps, and the retention sweep. See spool.h. */
#include "spool.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "snapshot_store.h"

int lt_spool_lock_tx(PGconn *db, const char *path, lt_error *err)
{
    const char *p[] = {path};
    return lt_db_exec(db, "SELECT pg_advisory_xact_lock(hashtext($1))", 1, p, NULL, err);
}

typedef struct release {
    const char *name;
    char path[PATH_MAX];
    int removed;
} release;

static int release_tx(PGconn *db, void *ctx, lt_error *err)
{
    release *r = ctx;
    const char *p[] = {r->name};
    PGresult *res = NULL;
    int rc = lt_spool_lock_tx(db, r->name, err);
    if (!rc)
        rc =
            lt_db_exec(db,
                       "SELECT 1 FROM snapshots WHERE spool_path = $1 AND store = 'local' AND bytes_removed_at IS NULL "
                       "LIMIT 1",
                       1, p, &res, err);
    if (rc)
        return rc;
    int kept = PQntuples(res) > 0;
    PQclear(res);
    if (kept)
        return 0;
    if (unlink(r->path) == 0)
        r->removed = 1;
    else if (errno != ENOENT)
        lt_log_message("error", "cannot remove the spool file %s: %s", r->path, strerror(errno));
    return 0;
}

int lt_spool_release(PGconn *db, const char *spool_dir, const char *name, int *removed, lt_error *err)
{
    release r = {.name = name};
    *removed = 0;
    if (name[0] == '/') /* a row from before migration 0011 */
        snprintf(r.path, sizeof r.path, "%s", name);
    else if (!strchr(name, '/'))
        snprintf(r.path, sizeof r.path, "%s/%s", spool_dir, name);
    else
        return 0; /* not a name an upload made */
    int rc = lt_db_transaction(db, release_tx, &r, err);
    *removed = r.removed;
    return rc;
}

/* Large objects go in the same statement; spool files after it (they may be shared). */
static const char expire_sql[] =
    "UPDATE snapshots s SET bytes_removed_at = now(), large_object = NULL FROM snapshots o"
    " WHERE o.id = s.id AND s.bytes_removed_at IS NULL"
    " AND s.uploaded_at < now() - make_interval(days => $1::int)"
    " AND NOT EXISTS (SELECT 1 FROM analyses a WHERE a.snapshot_id = s.id AND a.state IN ('queued', 'running'))"
    " RETURNING s.spool_path, s.store, (SELECT lo_unlink(m.oid) FROM pg_largeobject_metadata m"
    " WHERE m.oid = o.large_object)";

int lt_spool_expire(PGconn *db, const char *spool_dir, long days, long *count, lt_error *err)
{
    char text[24];
    snprintf(text, sizeof text, "%ld", days);
    const char *p[] = {text};
    PGresult *res = NULL;
    int rc = lt_db_exec(db, expire_sql, 1, p, &res, err);
    if (rc)
        return rc;
    *count = PQntuples(res);
    for (int i = 0; !rc && i < PQntuples(res); i++) {
        int removed;
        if (!strcmp(PQgetvalue(res, i, 1), "local"))
            rc = lt_spool_release(db, spool_dir, PQgetvalue(res, i, 0), &removed, err);
    }
    PQclear(res);
    return rc;
}
