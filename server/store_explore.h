/* store_explore: writes what a report page explores (analysis/include/explore.h) for one
 * analysis: every class into analysis_classes and the tree summary into analysis_tree
 * (migrations/0007_explore.sql), each with one COPY, replacing earlier rows of the
 * analysis. Called by store.c inside its transaction, on the same connection. */
#ifndef LT_STORE_EXPLORE_H
#define LT_STORE_EXPLORE_H

#include <libpq-fe.h>

#include "analysis.h"
#include "lt_error.h"

/* Stores a's classes and tree rows for analysis_id (decimal text). Returns 0, LT_ENOMEM,
 * or LT_EIO with the server's message (the caller's transaction then rolls back). */
int lt_store_explore(PGconn *conn, const char *analysis_id, const lt_analysis *a, lt_error *err);

#endif
