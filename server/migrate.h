/* migrate: applies the ordered SQL files of a migrations folder to a database, each once.
 *
 * It owns the table schema_migrations(version text primary key, applied_at timestamptz)
 * and the advisory lock LT_MIGRATE_LOCK_KEY. A migration is a file NNNN_words.sql (NNNN
 * digits, its version); files run in version order, each in its own transaction together
 * with the row that records it, so a failed file leaves nothing behind and runs again next
 * time. The whole run holds the advisory lock: two processes migrating at once take turns,
 * and the second finds nothing left to do. The migrations come built into the binary
 * (migrations/ embedded at build time by cmake/embed_static.cmake), or from a folder (migrate
 * --migrations DIR, for development). Its command line is cli_migrate.c; serve applies the
 * built-in ones at every start. */
#ifndef LT_MIGRATE_H
#define LT_MIGRATE_H

#include <libpq-fe.h>
#include <stdio.h>

#include "embedded.h"
#include "lt_error.h"

/* pg_advisory_lock key held while migrating (0x6c742d6d696772, "lt-migr" in ASCII). */
#define LT_MIGRATE_LOCK_KEY "30527035942725490"

/* The built-in migrations (generated from migrations/), sorted by name. */
LT_EMBEDDED_TABLE(lt_migrate_embedded);

/* Applies the migrations in dir (NULL: the built-in ones) that conn's database has not
 * recorded yet. Writes a line per applied file to log (if not NULL). On success returns 0
 * and, if applied is not NULL, how many files it applied. On failure returns LT_EUSAGE
 * (folder missing or empty, a bad file name, two files with one version) or LT_EIO (a
 * file's SQL failed: the message names the file) or LT_ENOMEM with err set; earlier files
 * stay applied. */
int lt_migrate_apply(PGconn *conn, const char *dir, FILE *log, int *applied, lt_error *err);

/* Sets *present to 1 when the database has been migrated (schema_migrations exists), else
 * 0. Returns 0, or LT_EIO with err set when the query fails. */
int lt_migrate_schema_present(PGconn *conn, int *present, lt_error *err);

/* Sets *current to 1 when the highest migration applied to conn's database is the highest
 * in dir (NULL: the built-in ones, what this binary knows), else 0 (not migrated, behind, or migrated further by a
 * newer binary). Returns 0, or LT_EUSAGE (dir unreadable or without migrations) or LT_EIO
 * (the query failed) or LT_ENOMEM with err set. */
int lt_migrate_current(PGconn *conn, const char *dir, int *current, lt_error *err);

#endif
