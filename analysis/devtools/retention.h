/* retention: which edges retain their target, by Chrome DevTools' rules
 * (its "essential" edges), the input of the dominator tree.
 *
 * An edge does not retain when it is weak; a self edge; a shortcut edge from
 * any node but the root (the root's shortcuts mark user roots such as
 * `global`); the WeakMap table's edge to a value (the key's edge counts);
 * or an edge from a node that is not page-owned into one that is. Page-owned
 * nodes are those reached over non-weak edges from the root's shortcut edges
 * and from `(Document DOM trees)`. */
#ifndef LT_RETENTION_H
#define LT_RETENTION_H

#include <stdint.h>

#include "util/big_alloc.h"
#include "snapshot/graph.h"
#include "lt_error.h"
#include "devtools/weakmap_edges.h"

/* Returns a bit vector (one bit per edge, 1 = retains; free()) or NULL with
 * err set (LT_ENOMEM). Scratch memory comes from pool (may be NULL). */
uint64_t *lt_retention_edges(const lt_graph *g, const lt_weakmap_names *weakmaps, lt_pool *pool, lt_error *err);

/* True when the node is a user root in DevTools' sense: not synthetic, or the
 * synthetic `(Document DOM trees)` node. */
int lt_retention_is_user_root(const lt_graph *g, uint32_t node);

/* True when some edge of the root leads to a user root (node snapshots: the
 * shortcut to `global`; Chromium's CDP snapshots have none). */
int lt_retention_has_user_roots(const lt_graph *g);

#endif
