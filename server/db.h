/* db: thin helpers over libpq — where the database is, connecting, parameterised queries
 * and transactions, each failure turned into a one-line lt_error.
 *
 * It owns nothing global: a PGconn belongs to its caller (one per thread), a PGresult
 * handed out belongs to the caller (PQclear). Every query with values takes them as $n
 * parameters in text form; SQL text is never built from values. */
#ifndef LT_DB_H
#define LT_DB_H

#include <libpq-fe.h>
#include <stddef.h>

#include "defaults.h"
#include "lt_error.h"

/* Where the database is: a URL/conninfo, or the private cluster in a data folder. */
typedef struct lt_db_target {
    const char *database_url; /* --database; NULL: the LT_DATABASE_URL_ENV variable, else data_dir */
    const char *data_dir;     /* --data; NULL: lt_db_default_data_dir() */
    int create;               /* 1 (serve): create the private cluster even in the default folder */
} lt_db_target;

/* The data folder when --data is not given: LT_DEFAULT_DATA_DIR for a binary run from its
 * build folder (LT_BUILD_DIR), LT_INSTALLED_DATA_DIR for any other (an installed copy):
 * /proc/self/exe tells. Never fails (./data when it cannot tell). */
const char *lt_db_default_data_dir(void);

/* Writes the connection string for t into out (len bytes): the URL if one is given, else
 * the private cluster's, starting it if needed. A cluster is created only when t->create
 * or t->data_dir says where; in the default folder without one it is LT_EUSAGE ("no
 * leaktriage data in DIR — pass --data DIR"). 0 or an LT_E* code. */
int lt_db_target_conninfo(const lt_db_target *t, char *out, size_t len, lt_error *err);

/* Connects to conninfo (a libpq key=value string or a postgresql:// URL). On success
 * returns 0 and *conn, which the caller closes with lt_db_close. On failure sets *conn to
 * NULL and returns LT_EIO with libpq's reason in err (LT_ENOMEM when libpq cannot allocate
 * the connection). NOTICE messages are dropped. */
int lt_db_connect(const char *conninfo, PGconn **conn, lt_error *err);

/* lt_db_target_conninfo then lt_db_connect. */
int lt_db_open(const lt_db_target *t, PGconn **conn, lt_error *err);

/* Closes conn (NULL is fine). */
void lt_db_close(PGconn *conn);

/* Runs sql with nparams text parameters ($1..$n; a NULL entry is SQL NULL). On success
 * returns 0 and, if result is not NULL, the result (caller PQclears it); otherwise the
 * result is freed. On failure returns LT_EIO with the server's message in err and sets
 * *result to NULL. */
int lt_db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params, PGresult **result, lt_error *err);

/* Runs a script of several statements without parameters (simple query protocol), as
 * migrations are. 0 or LT_EIO with the server's message (and where, if it says) in err. */
int lt_db_exec_script(PGconn *conn, const char *sql, lt_error *err);

/* A unit of work inside a transaction: returns 0 to commit, an LT_E* code to roll back. */
typedef int (*lt_db_tx_fn)(PGconn *conn, void *ctx, lt_error *err);

/* BEGIN; fn(conn, ctx, err); COMMIT — or ROLLBACK when fn or COMMIT fails. Returns fn's
 * code (its message kept in err) or LT_EIO when BEGIN/COMMIT fail. */
int lt_db_transaction(PGconn *conn, lt_db_tx_fn fn, void *ctx, lt_error *err);

#endif
