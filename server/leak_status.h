/* leak_status: a leak's status from its history — the one place the transition
 * rules live (README "Leak statuses" repeats them as a table). Pure: no database, no
 * allocation, nothing fails.
 *
 * The history is the app's analysed snapshots in upload order, numbered 1..analysed_count,
 * and the positions among them where the leak occurs. Walking them:
 *   first occurrence                         -> new
 *   an occurrence after new/recurring        -> recurring
 *   resolve_after analysed snapshots without it (or the user's `resolved` choice) -> resolved
 *   an occurrence after resolved             -> regressed
 *   an occurrence after regressed            -> recurring
 * The user's `resolved` choice takes effect after the snapshot at choice_position (the
 * analysed snapshots uploaded before the choice was made): an occurrence after it regresses.
 * The user's `ignored` choice makes the status now `ignored` whatever happens (it stays
 * until the user sets `open`, which clears the choice); it does not change the statuses the
 * leak had at each occurrence. */
#ifndef LT_LEAK_STATUS_H
#define LT_LEAK_STATUS_H

#include <stddef.h>
#include <stdint.h>

typedef enum lt_leak_status {
    LT_LEAK_NEW,
    LT_LEAK_RECURRING,
    LT_LEAK_RESOLVED,
    LT_LEAK_REGRESSED,
    LT_LEAK_IGNORED,
    LT_LEAK_STATUS_COUNT
} lt_leak_status;

typedef enum lt_leak_choice {
    LT_CHOICE_NONE, /* `open`, or never set */
    LT_CHOICE_RESOLVED,
    LT_CHOICE_IGNORED,
} lt_leak_choice;

typedef struct lt_leak_history {
    const int64_t *positions; /* where the leak occurs: strictly ascending, 1..analysed_count */
    size_t count;             /* at least 1 */
    int64_t analysed_count;   /* the app's analysed snapshots */
    int64_t resolve_after;    /* absent from this many analysed snapshots: resolved (>= 1) */
    lt_leak_choice choice;
    int64_t choice_position; /* LT_CHOICE_RESOLVED: analysed snapshots uploaded before it */
} lt_leak_history;

/* Walks h. Writes the status the leak had at each occurrence into at_occurrence[0..count)
 * (when not NULL) and returns its status now. */
lt_leak_status lt_leak_status_walk(const lt_leak_history *h, lt_leak_status *at_occurrence);

/* "new", "recurring", "resolved", "regressed", "ignored" (static storage). */
const char *lt_leak_status_name(lt_leak_status s);

/* The status named name, or -1. */
int lt_leak_status_parse(const char *name);

#endif
