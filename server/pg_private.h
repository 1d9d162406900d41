/* pg_private: the private PostgreSQL 15 cluster leaktriage runs under its data folder
 * when no database URL is given.
 *
 * It owns DIR/pg (the cluster: data, postgresql.conf, the log DIR/pg/log and the unix
 * socket; no TCP), DIR/pg.lock (serialises processes that set the cluster up or stop it),
 * DIR/pg.users (a shared flock held by every process using the cluster) and the database
 * `leaktriage` in it. The cluster runs as the user who first set it up; when that is root
 * it runs as `postgres` (initdb and pg_ctl refuse root), so DIR is made 0755 and DIR/pg
 * belongs to postgres. Root later runs the tools as DIR/pg's owner (say the systemd unit's
 * user); any other user than the owner is refused. Tools run through posix_spawn with
 * argument vectors.
 *
 * The cluster is stopped by the last process using it that calls lt_pg_private_release
 * (serve does, at its end): it takes DIR/pg.users exclusively, which no other user's
 * shared lock allows. A process that ends without it (admin, migrate, kill -9) only drops
 * its shared lock, leaving the cluster running for the next start to reuse. */
#ifndef LT_PG_PRIVATE_H
#define LT_PG_PRIVATE_H

#include <stddef.h>

#include "lt_error.h"

#define LT_PG_PRIVATE_USERS_MAX 4 /* clusters one process may use */

/* Makes sure a cluster runs in data_dir/pg with a database `leaktriage`: creates data_dir
 * if needed, runs initdb the first time (only when may_create: else a data_dir without a
 * cluster is LT_EUSAGE "no leaktriage data in DIR — pass --data DIR", and nothing is
 * created), starts the server if it is not running, creates the database once, and records
 * this process as a user of the cluster (a shared flock on data_dir/pg.users, held until
 * lt_pg_private_release or the process ends). Safe to call when it is already running and
 * from several processes at once (they wait for each other on data_dir/pg.lock).
 * On success returns 0 and writes a libpq connection string (host=<data_dir>/pg port=5432
 * dbname=leaktriage user=<postgres or the current user>) into conninfo (len bytes).
 * On failure returns LT_EIO (LT_EUSAGE for a folder that cannot be used, LT_ENOMEM when a
 * tool cannot be started for lack of memory) and a message in err saying what to do
 * (install PostgreSQL, fix a folder's permissions, read the log). */
int lt_pg_private_ensure(const char *data_dir, int may_create, char *conninfo, size_t len, lt_error *err);

/* The connection URL of the first cluster this process ensured, for the operator's
 * terminal (postgresql:///leaktriage?host=DIR/pg&port=5432&user=USER; never for an HTTP
 * answer), or NULL when it ensured none. Valid until lt_pg_private_release. */
const char *lt_pg_private_url(void);

/* Stops the cluster in data_dir/pg if it runs (pg_ctl stop -m fast), whoever uses it.
 * Returns 0 when it is stopped (or was not running), LT_EIO with a message otherwise. */
int lt_pg_private_stop(const char *data_dir, lt_error *err);

/* Ends this process's use of every cluster it ensured; each one no other process uses any
 * more is stopped (pg_ctl stop -m fast), counted in *stopped. Returns 0, or the first
 * failure (LT_EIO) with err set; every cluster is released either way. */
int lt_pg_private_release(int *stopped, lt_error *err);

#endif
