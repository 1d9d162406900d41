/* explore: what a report page explores beyond the report document, as rows a
 * server stores once per analysis:
 *   - the summary of the dominator tree: every node retaining at least 0.01%
 *     of the heap, the rest folded by class into "N more `Class` objects"
 *     rows, repeating periods (recursive chains, linked lists) collapsed into
 *     "× N levels" rows that open to the first and the last level, and the
 *     retainer path of every node as parent links shared by all rows;
 *   - every class of DevTools' Summary view (not only the top N), with the
 *     script of its allocation site.
 * Rows are read one at a time into caller-owned structs; the const char *
 * fields borrow from the analysis (valid until lt_analysis_free); texts that
 * can be long (names, edges, keys) are copied, cut to the buffer at a
 * character boundary, invalid UTF-8 replaced by '?'. Nothing here fails.
 * An analysis made with skip_findings has no tree rows (its classes have no
 * scripts). */
#ifndef LT_EXPLORE_H
#define LT_EXPLORE_H

#include <stdint.h>

#include "analysis.h"

#define LT_EXPLORE_NONE     UINT32_MAX /* no such row */
#define LT_EXPLORE_TEXT_MAX 256        /* bytes of a name or edge label, with its NUL */
#define LT_EXPLORE_KEY_MAX  2048       /* bytes of a class key, with its NUL */

typedef struct lt_explore_row {
    uint32_t row;          /* 0 .. lt_explore_row_count()-1; row 0 is the root */
    uint32_t tree_parent;  /* the row it hangs under; NONE for the root and "path" rows */
    uint32_t child_count;  /* rows hanging under it (0: it does not open) */
    uint32_t path_parent;  /* the row before it on its retainer path; NONE at the root, unreachable */
    uint32_t path_skipped; /* nodes of a collapsed chain between path_parent and it (0 mostly) */
    const char *kind;      /* "node"; "more" (folded siblings); "chain" (collapsed levels); "path"
                              (a node on a retainer path only, not in the tree) */
    int has_node;          /* 1: id, type, self_size, distance are a node's (a chain's: its first) */
    uint32_t id;
    const char *type;               /* the node's type ("object", "closure", ...); "" without a node */
    const char *class_name;         /* DevTools' class name; "" for a "more" row of mixed classes */
    char name[LT_EXPLORE_TEXT_MAX]; /* the node's name; a chain's period "A → B → C"; "" */
    char edge[LT_EXPLORE_TEXT_MAX]; /* the edge from path_parent: property, variable, "[3]"; "" */
    uint64_t self_size;
    uint64_t retained_size; /* a "more" row: of its objects together */
    int32_t distance;
    uint64_t count; /* "more": objects folded; "chain": levels; else 1 */
} lt_explore_row;

typedef struct lt_explore_class {
    const char *class_name;
    char key[LT_EXPLORE_KEY_MAX]; /* ",Name" or "script_id,line,column,Name", as in the report */
    uint64_t count, shallow_size, retained_size;
    int32_t distance;
    const char *script;    /* the allocation site's script; "" when the class has none known */
    uint32_t line, column; /* 1-based; 0 without an allocation site */
} lt_explore_class;

/* The number of tree rows, and row i (< count) into *out. */
uint32_t lt_explore_row_count(const lt_analysis *a);
void lt_explore_row_get(const lt_analysis *a, uint32_t i, lt_explore_row *out);

/* The share a node must retain to be a row of its own, in bytes; 1 when the
 * summary was cut at its row limit (then deeper nodes are missing), else 0. */
uint64_t lt_explore_min_retained(const lt_analysis *a);
int lt_explore_truncated(const lt_analysis *a);

/* The number of classes, and class i (< count, in DevTools' order) into *out. */
uint32_t lt_explore_class_count(const lt_analysis *a);
void lt_explore_class_get(const lt_analysis *a, uint32_t i, lt_explore_class *out);

#endif
