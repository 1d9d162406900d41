/* db: libpq helpers (see db.h). */
#include "db.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_private.h"

/* 1 when path is dir or inside it (both resolved). */
static int path_within(const char *path, const char *dir)
{
    char real_path[PATH_MAX], real_dir[PATH_MAX];
    if (!realpath(path, real_path) || !realpath(dir, real_dir))
        return 0;
    size_t n = strlen(real_dir);
    return !strncmp(real_path, real_dir, n) && (real_path[n] == '/' || real_path[n] == '\0');
}

const char *lt_db_default_data_dir(void)
{
#ifdef LT_BUILD_DIR
    static const char *dir; /* set once; the answer never changes */
    if (!dir)
        dir = access("/proc/self/exe", F_OK) || path_within("/proc/self/exe", LT_BUILD_DIR) ? LT_DEFAULT_DATA_DIR
                                                                                            : LT_INSTALLED_DATA_DIR;
    return dir;
#else
    return LT_DEFAULT_DATA_DIR;
#endif
}

int lt_db_target_conninfo(const lt_db_target *t, char *out, size_t len, lt_error *err)
{
    const char *url = t->database_url;
    if (!url || !*url)
        url = getenv(LT_DATABASE_URL_ENV);
    if (url && *url) {
        if ((size_t)snprintf(out, len, "%s", url) >= len)
            return lt_error_set(err, LT_EUSAGE, "the database URL is longer than %zu bytes", len - 1);
        return 0;
    }
    const char *dir = t->data_dir ? t->data_dir : lt_db_default_data_dir();
    return lt_pg_private_ensure(dir, t->create || t->data_dir, out, len, err);
}

/* libpq's messages end in a newline and may span lines; keep one line. */
static int set_pq_error(lt_error *err, const char *what, const char *message)
{
    int rc = lt_error_set(err, LT_EIO, "%s: %s", what, message && *message ? message : "unknown error");
    if (err)
        err->message[strcspn(err->message, "\n")] = '\0';
    return rc;
}

static void drop_notice(void *arg, const char *message)
{
    (void)arg, (void)message;
}

int lt_db_connect(const char *conninfo, PGconn **conn, lt_error *err)
{
    *conn = PQconnectdb(conninfo);
    if (!*conn)
        return lt_error_set(err, LT_ENOMEM, "cannot connect to the database: out of memory");
    if (PQstatus(*conn) != CONNECTION_OK) {
        int rc = set_pq_error(err, "cannot connect to the database (check --database or " LT_DATABASE_URL_ENV ")",
                              PQerrorMessage(*conn));
        PQfinish(*conn);
        *conn = NULL;
        return rc;
    }
    PQsetNoticeProcessor(*conn, drop_notice, NULL);
    return 0;
}

int lt_db_open(const lt_db_target *t, PGconn **conn, lt_error *err)
{
    char conninfo[8192];
    int rc = lt_db_target_conninfo(t, conninfo, sizeof conninfo, err);
    return rc ? rc : lt_db_connect(conninfo, conn, err);
}

void lt_db_close(PGconn *conn)
{
    if (conn)
        PQfinish(conn);
}

static int result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

int lt_db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params, PGresult **result, lt_error *err)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (!res)
        rc = set_pq_error(err, "database query failed", PQerrorMessage(conn));
    else if (!result_ok(res))
        rc = set_pq_error(err, "database query failed", PQresultErrorMessage(res));
    if (result && !rc)
        *result = res;
    else {
        if (result)
            *result = NULL;
        PQclear(res);
    }
    return rc;
}

int lt_db_exec_script(PGconn *conn, const char *sql, lt_error *err)
{
    PGresult *res = PQexec(conn, sql);
    int rc = 0;
    if (!res)
        rc = set_pq_error(err, "SQL failed", PQerrorMessage(conn));
    else if (!result_ok(res)) {
        const char *line = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
        char what[64];
        snprintf(what, sizeof what, "SQL failed%s%s", line ? " at character " : "", line ? line : "");
        rc = set_pq_error(err, what, PQresultErrorMessage(res));
    }
    PQclear(res);
    return rc;
}

int lt_db_transaction(PGconn *conn, lt_db_tx_fn fn, void *ctx, lt_error *err)
{
    int rc = lt_db_exec(conn, "BEGIN", 0, NULL, NULL, err);
    if (rc)
        return rc;
    rc = fn(conn, ctx, err);
    if (!rc)
        rc = lt_db_exec(conn, "COMMIT", 0, NULL, NULL, err);
    if (rc)
        PQclear(PQexec(conn, "ROLLBACK")); /* after a failed COMMIT this only warns */
    return rc;
}
