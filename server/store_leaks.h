/* store_leaks: leak records — one per app and fingerprint — kept up to date in the
 * database (migrations/0003_leaks.sql).
 *
 * DESIGN. Statuses follow the app's analysed snapshots in upload order, whatever order
 * their analyses finish in: every change (an analysis of the app finishing, a user's
 * choice, the app's resolve_after) locks the app's row (SELECT ... FOR NO KEY UPDATE: uploads
 * of the app, whose foreign keys only share-lock the row, are not held up), then
 * recomputes every leak of the app from its whole ordered history with leak_status.h's
 * walk, writing the status now, the status at each occurrence, and one event per leak
 * whose status changed. The lock serialises all of an app's changes, across processes:
 * two analyses finishing together with a new fingerprint make one leak (the unique
 * (app_id, fingerprint) key) and one `new` event (the second sees the first's leak).
 * Lock order: an analysis row (store.c's MARK_DONE) before its app row; nothing here
 * locks an analysis row, so no two transactions wait on each other in a cycle.
 *
 * Every function runs inside the caller's transaction (lt_db_transaction) on conn and
 * takes ids as decimal text. They return 0, LT_EIO (the database failed; err says why) or
 * LT_ENOMEM; nothing is committed or rolled back here. */
#ifndef LT_STORE_LEAKS_H
#define LT_STORE_LEAKS_H

#include <libpq-fe.h>

#include "leak_status.h"
#include "lt_error.h"

/* Who and what caused a recomputation: it goes into each event. */
typedef struct lt_leaks_cause {
    const char *actor;       /* "system", or the caller's API key prefix */
    const char *analysis_id; /* the analysis whose finishing caused it, or NULL */
    const char *reason;      /* one line: "analysis 12 finished", "status set to ignored" */
    const char *always_log;  /* a leak id that gets an event even when its status stays, or NULL */
} lt_leaks_cause;

/* After the findings of analysis_id (done, of app_id) are stored: locks the app, makes
 * the leaks of its new fingerprints (each with a `new` event), records the occurrences,
 * refreshes first/last seen, counts, sizes and titles, and recomputes the app's statuses. */
int lt_leaks_record_analysis(PGconn *conn, const char *analysis_id, const char *customer_id, const char *app_id,
                             lt_error *err);

/* Locks the app of leak_id (when it is customer_id's), sets the user's choice (NULL:
 * `open`, clearing it; else "resolved" or "ignored") made by actor, and recomputes the
 * app's statuses, logging an event for the leak. *found is 0 when there is no such leak of
 * this customer (nothing done). */
int lt_leaks_set_choice(PGconn *conn, const char *leak_id, const char *customer_id, const char *choice,
                        const char *actor, int *found, lt_error *err);

/* Locks the app named app of customer_id, sets its resolve_after and recomputes its
 * statuses (events by actor). *found is 0 when the customer has no such app. */
int lt_leaks_set_resolve_after(PGconn *conn, const char *app, const char *customer_id, const char *resolve_after,
                               const char *actor, int *found, lt_error *err);

/* Recomputes every status of the app (locked by the caller) from its history. */
int lt_leaks_recompute(PGconn *conn, const char *app_id, const char *customer_id, const lt_leaks_cause *cause,
                       lt_error *err);

#endif
