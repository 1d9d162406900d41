/* paths: retainer paths from the GC roots (the tree of the distance search)
 * and their shapes, as the findings show and group them. */
#ifndef LT_PATHS_H
#define LT_PATHS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "heap_view.h"

#define LT_PATH_MAX 256

/* The node owning edge e (binary search over first_edge). */
uint32_t lt_edge_source(const lt_graph *g, uint32_t e);

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

#endif
