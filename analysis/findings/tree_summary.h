/* tree_summary: the explorable summary of the dominator tree that a report
 * page opens level by level, bounded in size so it can be stored per analysis.
 *
 * Rows, each a heap object or a stand-in for many:
 *   - every node retaining at least 1/LT_TREE_SHARE_DIVISOR of the heap (0.01%)
 *     is a NODE row under its dominator's row;
 *   - a parent's children past its biggest LT_TREE_SHOWN_CHILDREN, and those
 *     under the share, are folded by class into MORE rows ("N more `Class`
 *     objects (size)"; the classes past LT_TREE_FOLD_CLASSES share one row of
 *     mixed classes); the folded members that reach the share are NODE rows
 *     under their MORE row, so it opens;
 *   - a repeating period on the path of biggest children (a recursive chain's
 *     levels, a linked list), at least LT_TREE_MIN_LEVELS levels, is one CHAIN
 *     row "× N levels" that opens to the first level; the first level's link
 *     to the next is a CHAIN row for the N-2 middle levels, which opens to the
 *     last level and what it holds. The middle levels are not stored.
 *   - retainer paths are parent links: each NODE row (and each PATH row, a
 *     node on a retainer path that is not in the tree) links to the row of the
 *     node before it on its shortest retainer path from the GC roots, through
 *     one edge; a path that runs through the middle of a collapsed chain links
 *     past it and says how many nodes it skipped. Paths share their rows.
 * Rows of one parent are in display order (retained size, biggest first) by
 * row index. Nothing recurses. */
#ifndef LT_TREE_SUMMARY_H
#define LT_TREE_SUMMARY_H

#include <stdint.h>

#include "findings/heap_view.h"
#include "lt_error.h"

#define LT_TREE_SHARE_DIVISOR  10000   /* a node is kept when it retains >= 1/10000 of the heap */
#define LT_TREE_SHOWN_CHILDREN 50      /* biggest children of a parent shown one by one */
#define LT_TREE_FOLD_CLASSES   10      /* MORE rows per parent, one class each; then one mixed row */
#define LT_TREE_MIN_LEVELS     10      /* repetitions of a period collapsed into a CHAIN row */
#define LT_TREE_MAX_PERIOD     16      /* nodes per level, at most */
#define LT_TREE_MAX_ROWS       1000000 /* a bound on tree rows (summary.truncated when reached) */
#define LT_TREE_NONE           UINT32_MAX

typedef enum lt_tree_row_kind {
    LT_TREE_NODE,  /* a heap object in the tree */
    LT_TREE_MORE,  /* folded siblings */
    LT_TREE_CHAIN, /* collapsed levels of a repeating period */
    LT_TREE_PATH   /* a heap object on a retainer path only */
} lt_tree_row_kind;

typedef struct lt_tree_row {
    uint32_t node;         /* NODE, PATH: the node; CHAIN: the first node of its levels; MORE: NONE */
    uint32_t tree_parent;  /* row index; NONE for the root's row and PATH rows */
    uint32_t child_count;  /* rows whose tree_parent is this row */
    uint32_t path_parent;  /* row of the previous node on the retainer path; NONE at the root, unreachable */
    uint32_t path_edge;    /* the edge from that node to this one; LT_NO_EDGE when none */
    uint32_t path_skipped; /* nodes inside a collapsed chain between path_parent and this node */
    uint32_t class_name;   /* string index; MORE of mixed classes: NONE */
    uint32_t period;       /* CHAIN: nodes per level, */
    uint32_t period_first; /* the first level's node names at period_names[period_first ..] */
    uint64_t count;        /* MORE: objects folded; CHAIN: levels; else 1 */
    uint64_t size;         /* MORE: their retained size together; CHAIN: the levels' retained size */
    uint8_t kind;          /* lt_tree_row_kind */
} lt_tree_row;

typedef struct lt_tree_summary {
    lt_tree_row *rows; /* rows[0] is the root's */
    uint32_t count, capacity;
    uint32_t *period_names; /* string indices */
    uint32_t period_count, period_capacity;
    uint64_t min_retained; /* the share, in bytes */
    int truncated;         /* 1: LT_TREE_MAX_ROWS was reached; deeper nodes are left out */
} lt_tree_summary;

/* Builds the summary of v into *out (zeroed first; free with
 * lt_tree_summary_free, also after a failure). Returns 0, LT_ENOMEM, or
 * LT_EUSAGE when v has no parent_edge; err set. */
int lt_tree_summary_build(const lt_heap_view *v, lt_tree_summary *out, lt_error *err);

void lt_tree_summary_free(lt_tree_summary *s);

#endif
