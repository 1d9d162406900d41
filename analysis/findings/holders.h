/* holders: one finding per big retention, blamed on the innermost holder that
 * explains nearly all of it and named the way the code names it (the variable
 * or property, the function whose closure context holds it, the script), with
 * what it holds by class; an EventEmitter's listener table is reported as the
 * listeners of its emitter and the class they keep alive. See holders.c. */
#ifndef LT_HOLDERS_H
#define LT_HOLDERS_H

#include <stdint.h>

#include "findings/findings.h"
#include "findings/heap_view.h"
#include "findings/paths.h"

/* The node a finding is about (chain head, cluster holder, example), as an
 * ordinal, with the finding's retained size. */
typedef struct lt_holder_anchor {
    uint32_t node; /* UINT32_MAX when the id was not found */
    uint64_t retained;
    int chain; /* a recursive chain's head */
} lt_holder_anchor;

/* Fills anchors[0..return) (at most max, at most 32) from the findings so far. */
uint32_t lt_holder_anchors(const lt_heap_view *v, const lt_findings *out, lt_holder_anchor *anchors, uint32_t max);

/* True when up dominates x (or is x). */
int lt_holder_dominates(const lt_heap_view *v, uint32_t up, uint32_t x);

/* Fills holders[] with the distinct innermost holders (lt_holder_innermost)
 * of the big retainers among top[0..n) (at least 25% of the heap, not a user
 * root, not engine-internal), leaving out a holder that only encloses others
 * (what it holds beyond them is under 25% of the heap); returns how many
 * (<= n, at most 64). */
uint32_t lt_holders_big(const lt_heap_view *v, const uint32_t *top, uint32_t n, uint32_t *holders);

/* True for engine-internal classes: `(...)`, `system / ...`, `Detached ...`. */
int lt_holder_internal_class(const char *name);

/* The innermost holder of what x retains: walks down the dominator tree while
 * the biggest dominated node keeps at least 90% of x's retained size, and
 * returns the last node on the way that code can name (a JS object or closure
 * of a non-internal class); x itself when there is none. */
uint32_t lt_holder_innermost(const lt_heap_view *v, uint32_t x);

/* True when node is an EventEmitter's listener table: its properties are
 * listener functions or arrays of them, at least one array of several. */
int lt_holder_is_listener_table(const lt_heap_view *v, uint32_t node);

/* Appends one finding per distinct innermost holder of top[0..n) (the biggest
 * retainers) that holds at least 25% of the heap and that no finding in out
 * already explains: a retainer_cluster for a listener table, else a
 * large_retainer (at most 3); paths shown from the book (holders not in it:
 * the shortest). Returns 0 or LT_ENOMEM with err set. */
int lt_holders_report(const lt_heap_view *v, const uint32_t *top, uint32_t n, const lt_path_book *paths,
                      lt_findings *out, lt_error *err);

#endif
