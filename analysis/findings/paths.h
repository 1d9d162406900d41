/* paths: retainer paths from the GC roots (the tree of the distance search)
 * and their shapes, as the findings show and group them. */
#ifndef LT_PATHS_H
#define LT_PATHS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "findings/heap_view.h"
#include "lt_error.h"

#define LT_PATH_MAX      256
#define LT_PATH_SLACK    2 /* steps a preferred path may add to the shortest */
#define LT_PATH_BOOK_MAX 64

/* Preferred retainer paths of a few nodes (the ones findings show): caller-
 * allocated, zero-initialised; add nodes, fill once, read, then close. */
typedef struct lt_path_book {
    uint32_t count;
    uint32_t node[LT_PATH_BOOK_MAX];
    uint32_t len[LT_PATH_BOOK_MAX];
    uint32_t (*path)[LT_PATH_MAX]; /* count paths, root side first */
} lt_path_book;

/* Writes the edges of the shortest retainer path from the root to node into
 * out[0..return) in root-to-node order. Returns 0 when the node has no path
 * (unreachable) or a longer one than max (at most LT_PATH_MAX) edges. */
uint32_t lt_retainer_path(const lt_heap_view *v, uint32_t node, uint32_t *out, uint32_t max);

/* A short label of an edge for paths and shapes: the property, context or
 * internal name; "[]" for elements, hidden edges and numeric names. */
void lt_edge_label(const lt_graph *g, uint32_t e, char *buf, size_t len);

/* The path as JSON: [{"edge", "id", "type", "class", "name"}], root side first. */
json_t *lt_path_json(const lt_heap_view *v, const uint32_t *edges, uint32_t count);

/* The path as readable text: "global.__app.cache.map[]" style, from the last
 * user root (or the root) on. */
void lt_path_text(const lt_heap_view *v, const uint32_t *edges, uint32_t count, char *buf, size_t len);

/* A hash of the path's shape: classes and edge labels, with a run of a
 * repeating block of up to 4 steps counted once (so lists of any length have
 * one shape). */
uint64_t lt_path_shape(const lt_heap_view *v, const uint32_t *edges, uint32_t count);

/* A memo of step hashes by edge for many lt_path_shape_memo calls whose paths share
 * edges (instances of one collection share all but their last step). Caller-owned,
 * zeroed before first use; one per thread. */
#define LT_STEP_MEMO_SLOTS 16384u
typedef struct lt_step_memo {
    uint32_t edge_plus_one[LT_STEP_MEMO_SLOTS];
    uint64_t hash[LT_STEP_MEMO_SLOTS];
} lt_step_memo;

/* lt_path_shape with memo (not NULL): the same value. */
uint64_t lt_path_shape_memo(const lt_heap_view *v, lt_step_memo *memo, const uint32_t *edges, uint32_t count);

/* Adds node to the book (ignored when full or already there). */
void lt_path_book_add(lt_path_book *b, uint32_t node);

/* Finds each node's path to show: among the retainer paths at most
 * LT_PATH_SLACK steps longer than the shortest that leave the shortest one
 * at a single step, the one with the fewest unnamed steps (named: a property
 * with a name, or a context slot, i.e. a module or closure variable), then
 * the shortest; the shortest itself otherwise. One pass over the edges finds
 * the retainers of the nodes on the shortest paths; distances are not
 * changed. Returns 0 or LT_ENOMEM with err set. */
int lt_path_book_fill(const lt_heap_view *v, lt_path_book *b, lt_error *err);

/* The node's path from the book (the shortest one when it is not in the
 * book): as lt_retainer_path. */
uint32_t lt_path_book_get(const lt_heap_view *v, const lt_path_book *b, uint32_t node, uint32_t *out, uint32_t max);

void lt_path_book_close(lt_path_book *b);

#endif
