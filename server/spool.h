/* spool: the life of the raw snapshot files in data_dir/spool after their upload — removing
 * a file once no snapshot row keeps it (DELETE routes, retention) and the retention sweep
 * of `serve --keep-snapshots DAYS`.
 *
 * Files are content-addressed (upload.h): one file may be the bytes of several snapshots
 * (the same bytes uploaded for two apps), so a file is removed only when no snapshot row
 * whose bytes are kept (bytes_removed_at IS NULL, migrations/0009) names it. Removal of a
 * file that is already gone is not an error. Errors are LT_EIO (database) with a message;
 * messages never name a server path (the caller's log may). */
#ifndef LT_SPOOL_H
#define LT_SPOOL_H

#include <libpq-fe.h>

#include "lt_error.h"

/* Takes the transaction-scoped advisory lock of the spool file name (in a transaction).
 * An upload holds it from placing the file to committing its row; lt_spool_release holds
 * it from its check to the removal, so neither sees the other half done. 0 or LT_EIO. */
int lt_spool_lock_tx(PGconn *db, const char *path, lt_error *err);

/* Removes the spool file name (snapshots.spool_path: a name in spool_dir, or an absolute
 * path from before migration 0011) on this machine when no kept local-store snapshot row
 * names it (in a transaction of its own, under the file's lock). Sets *removed to 1 when
 * it did. 0 or LT_EIO. Call it after the transaction that dropped the rows committed. A
 * file of another machine stays there (snapshot_store.h: use --store postgres there). */
int lt_spool_release(PGconn *db, const char *spool_dir, const char *name, int *removed, lt_error *err);

/* The retention sweep: marks the snapshots uploaded more than days days ago whose bytes
 * are kept and which have no queued or running analysis (bytes_removed_at = now()),
 * removes their large objects and their files in spool_dir (lt_spool_release). Sets
 * *count to the snapshots marked. 0 or LT_EIO. */
int lt_spool_expire(PGconn *db, const char *spool_dir, long days, long *count, lt_error *err);

#endif
