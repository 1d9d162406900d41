/* distances: DevTools' distance of every node from the roots, by breadth-first
 * search over non-weak edges: the root's user roots (e.g. `global`) at 1;
 * nodes reached only from the other roots at 100,000,000 + hops (the root
 * itself at 100,000,000 when it has user roots, else 0); unreachable -5.
 * DevTools' filters apply: a NativeContext's `sloppy_function_map`, the
 * descriptor links of `(map descriptors)` arrays, and the first edge of each
 * WeakMap key/value pair are not followed. */
#ifndef LT_DISTANCES_H
#define LT_DISTANCES_H

#include <stdint.h>

#include "util/big_alloc.h"
#include "snapshot/graph.h"
#include "lt_error.h"
#include "devtools/weakmap_edges.h"

#define LT_DISTANCE_UNREACHABLE (-5)
#define LT_DISTANCE_SYSTEM_BASE 100000000

#define LT_NO_EDGE UINT32_MAX

/* Returns a new array of node_count distances (free()), or NULL with err set
 * (LT_ENOMEM; nothing left allocated, *parent_edge NULL). The returned arrays
 * come from pool (may be NULL); the search's queue does not: a ring that grows
 * with the frontier, allocated and freed here (distances.c says why). When
 * parent_edge is not NULL, *parent_edge gets a new array (free()) holding, per
 * node, the edge through which the search first reached it (LT_NO_EDGE for the
 * root and unreached nodes): following them back gives a shortest retainer
 * path from the root. */
int32_t *lt_distances_compute(const lt_graph *g, const lt_weakmap_names *weakmaps, lt_pool *pool,
                              uint32_t **parent_edge, lt_error *err);

#endif
