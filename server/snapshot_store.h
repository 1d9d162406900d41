/* snapshot_store: where the bytes of uploaded snapshots live once their upload is
 * complete, behind one small interface, so that several machines with no shared disk can
 * serve one database (and an object store can be added later as a third kind).
 *
 * Kinds (serve --store):
 *   local     the spool folder of the machine that took the upload (the single-machine
 *             default): the file SPOOL/<sha256 hex>; the snapshot row names the machine
 *             (machine_id) and only that machine's workers can read it.
 *   postgres  a PostgreSQL large object (snapshots.large_object), written after the body
 *             has been spooled and hashed (so a slow upload never holds a database
 *             connection), streamed in LT_SNAPSHOT_STORE_CHUNK pieces in the upload's
 *             transaction, never whole in memory; any machine's worker reads it back the
 *             same way into a temporary file of its own spool and removes it after.
 *
 * A machine is a data folder: its id is DATA/machine-id, 32 random hex digits made on
 * the first start. Rows never hold an absolute path: spool_path is the file's name in
 * whichever spool holds it (an absolute path, from before migration 0011 or written by a
 * test, is used as it is).
 *
 * Errors are LT_E* codes with a message: LT_EUSAGE (an unknown kind, a data folder that
 * cannot hold the machine id), LT_EIO (database or disk), LT_ENOMEM, and LT_EINPUT for a
 * snapshot whose bytes are gone (deleted, expired, large object missing), which no retry
 * can bring back. Messages never name a server path except the disk errors' (which the
 * caller redacts, redact.h). */
#ifndef LT_SNAPSHOT_STORE_H
#define LT_SNAPSHOT_STORE_H

#include <libpq-fe.h>
#include <limits.h>
#include <stddef.h>

#include "lt_error.h"

#define LT_SNAPSHOT_STORE_CHUNK      (1 << 20) /* bytes per lo_write / lo_read */
#define LT_SNAPSHOT_STORE_MACHINE_ID 32        /* hex digits of a machine id */

typedef enum lt_snapshot_store_kind { LT_SNAPSHOT_STORE_LOCAL, LT_SNAPSHOT_STORE_POSTGRES } lt_snapshot_store_kind;

/* This machine's store: caller-allocated, filled by lt_snapshot_store_init, read-only
 * after (shared by every thread). */
typedef struct lt_snapshot_store {
    lt_snapshot_store_kind kind; /* where new uploads go */
    char spool_dir[PATH_MAX];
    char machine_id[LT_SNAPSHOT_STORE_MACHINE_ID + 1];
} lt_snapshot_store;

/* A snapshot as its row describes it (strings owned by the caller; "" or NULL when the
 * column is NULL). */
typedef struct lt_snapshot_ref {
    const char *store;        /* "local" | "postgres" */
    const char *name;         /* spool_path */
    const char *machine_id;   /* local: the machine holding the file; empty: any */
    const char *large_object; /* postgres: the oid */
} lt_snapshot_ref;

/* A snapshot opened for reading: a path on this machine, and whether it is a fetched copy
 * that lt_snapshot_store_close removes. */
typedef struct lt_snapshot_file {
    char path[PATH_MAX];
    int fetched;
    int fd; /* a fetched copy's, kept open and flocked until closed */
} lt_snapshot_file;

/* The kind named name ("local", "postgres"): 0, or LT_EUSAGE. */
int lt_snapshot_store_kind_parse(const char *name, lt_snapshot_store_kind *kind, lt_error *err);

/* "local" or "postgres". */
const char *lt_snapshot_store_kind_name(lt_snapshot_store_kind kind);

/* Writes 2*bytes random hex digits and a NUL into out. 0, or LT_EIO (no random bytes). */
int lt_snapshot_store_random_hex(char *out, size_t bytes, lt_error *err);

/* Fills s for data_dir (an existing folder; the spool is data_dir/spool), reading the
 * machine id from data_dir/machine-id or creating it. 0, LT_EUSAGE or LT_EIO. */
int lt_snapshot_store_init(lt_snapshot_store *s, lt_snapshot_store_kind kind, const char *data_dir, lt_error *err);

/* postgres: copies the bytes of the file open as fd (read from offset 0 with pread; the
 * offset is not moved) into a new large object, in db's current transaction (a rollback
 * removes it), and writes its oid into oid (16 bytes). local: does nothing, oid "".
 * 0, LT_EIO or LT_ENOMEM. */
int lt_snapshot_store_put(const lt_snapshot_store *s, PGconn *db, int fd, char oid[16], lt_error *err);

/* 1 when this machine can read ref: a large object, or a local file of this machine (or
 * of any machine, for rows that do not say). */
int lt_snapshot_store_readable(const lt_snapshot_store *s, const lt_snapshot_ref *ref);

/* Opens ref for reading on this machine (readable, above): a local file's path as it is;
 * a large object fetched in chunks, in a transaction of its own on db, into a new file
 * SPOOL/fetch-XXXXXX.part (flocked while written, so a crash leaves nothing that
 * lt_upload_clean_spool keeps). 0; LT_EINPUT when the large object is gone; LT_EIO. */
int lt_snapshot_store_open(const lt_snapshot_store *s, PGconn *db, const lt_snapshot_ref *ref, lt_snapshot_file *f,
                           lt_error *err);

/* Removes a fetched copy (a local file stays). */
void lt_snapshot_store_close(lt_snapshot_file *f);

/* Removes the large object oid (NULL or "" is fine, and so is one already gone), in db's
 * current transaction if one is open. 0 or LT_EIO. */
int lt_snapshot_store_remove(PGconn *db, const char *oid, lt_error *err);

#endif
