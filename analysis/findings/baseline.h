/* baseline: three snapshots of one process (memlab's method). V8 keeps an
 * object's node id for its whole life, so the objects allocated between the
 * baseline and the target snapshot are the target's ids absent from the
 * baseline; those of them still alive in the final snapshot (taken after the
 * work that made them is done) are the suspects. In the final snapshot they
 * are grouped by retainer-path shape (findings/paths.h: classes and edge
 * labels, repetitions counted once) and each big enough group is one
 * leaked_since_baseline finding, fingerprinted by class, holder class and
 * holder path (names, never ids or counts).
 *
 * The baseline and target are kept only as sorted id arrays (4 bytes a
 * node); their graphs are freed as soon as the ids are taken. */
#ifndef LT_BASELINE_H
#define LT_BASELINE_H

#include <stdint.h>

#include "findings/findings.h"
#include "findings/heap_view.h"
#include "snapshot/graph.h"

/* A group of fewer surviving objects is not reported (objects a process
 * makes once, such as a stream it opens lazily, are not a leak). */
#define LT_BASELINE_MIN_COUNT 10

/* A snapshot's node ids, sorted ascending, each once. Caller-allocated;
 * free with lt_baseline_ids_free. */
typedef struct lt_baseline_ids {
    uint32_t *id;
    uint32_t count;
} lt_baseline_ids;

/* What the method saw, for the report's "three_snapshots" object. */
typedef struct lt_baseline_stats {
    uint32_t baseline_nodes, target_nodes, final_nodes;
    uint32_t new_in_target; /* target ids absent from the baseline */
    uint32_t still_alive;   /* of those, objects and closures alive in the final snapshot */
    uint32_t groups;        /* retainer-path groups they form */
    uint32_t reported;      /* groups reported as findings */
} lt_baseline_stats;

/* Fills out with g's node ids. Returns 0, or LT_ENOMEM with err set. */
int lt_baseline_ids_of(const lt_graph *g, lt_baseline_ids *out, lt_error *err);

/* Removes from a every id that is also in b (a keeps its order). */
void lt_baseline_ids_subtract(lt_baseline_ids *a, const lt_baseline_ids *b);

/* True when id is in s. */
int lt_baseline_ids_has(const lt_baseline_ids *s, uint32_t id);

void lt_baseline_ids_free(lt_baseline_ids *s);

/* Appends one leaked_since_baseline finding per group of at least
 * LT_BASELINE_MIN_COUNT objects of the final snapshot (v) whose ids are in
 * new_ids, unless its retainer path passes through an object of another
 * reported group (then that group explains it). A group's retained size
 * counts an object nested (in the dominator tree) under another object of
 * the same group once. Fills stats' new/alive/group counts. Returns 0, or
 * LT_ENOMEM with err set. */
int lt_baseline_find(const lt_heap_view *v, const lt_baseline_ids *new_ids, lt_baseline_stats *stats, lt_findings *out,
                     lt_error *err);

#endif
