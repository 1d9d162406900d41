/* pg_private: the private PostgreSQL 15 cluster leaktriage runs under its data folder
 * when no database URL is given.
 *
 * It owns DIR/pg (the cluster: data, postgresql.conf, the log DIR/pg/log and the unix
 * socket; no TCP), DIR/pg.lock (serialises processes that set the cluster up) and the
 * database `leaktriage` in it. The cluster runs as the user who first set it up; when that
 * is root it runs as `postgres` (initdb and pg_ctl refuse root), so DIR is made 0755 and
 * DIR/pg belongs to postgres. Tools run through posix_spawn with argument vectors. */
#ifndef LT_PG_PRIVATE_H
#define LT_PG_PRIVATE_H

#include <stddef.h>

#include "lt_error.h"

/* Makes sure a cluster runs in data_dir/pg with a database `leaktriage`: creates data_dir
 * if needed, runs initdb the first time, starts the server if it is not running, creates
 * the database once. Safe to call when it is already running and from several processes
 * at once (they wait for each other on data_dir/pg.lock).
 * On success returns 0 and writes a libpq connection string (host=<data_dir>/pg port=5432
 * dbname=leaktriage user=<postgres or the current user>) into conninfo (len bytes).
 * On failure returns LT_EIO (LT_EUSAGE for a folder that cannot be used, LT_ENOMEM when a
 * tool cannot be started for lack of memory) and a message in err saying what to do
 * (install PostgreSQL, fix a folder's permissions, read the log). */
int lt_pg_private_ensure(const char *data_dir, char *conninfo, size_t len, lt_error *err);

/* Stops the cluster in data_dir/pg if it runs (pg_ctl stop -m fast). Returns 0 when it is
 * stopped (or was not running), LT_EIO with a message otherwise. */
int lt_pg_private_stop(const char *data_dir, lt_error *err);

#endif
