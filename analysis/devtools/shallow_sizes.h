/* shallow_sizes: DevTools' re-attribution of shallow sizes. When the root has
 * user roots, each `hidden` or `array` node (and native
 * `system / ExternalStringData`) reached through non-weak edges from exactly
 * one owner (a node of any other kind) gives its self size to that owner and
 * shows 0. Totals are unchanged; retained sizes are computed afterwards. */
#ifndef LT_SHALLOW_SIZES_H
#define LT_SHALLOW_SIZES_H

#include "util/big_alloc.h"
#include "snapshot/graph.h"
#include "lt_error.h"

/* Rewrites g->self_size in place (scratch memory from pool, may be NULL). Returns 0 or LT_ENOMEM with err set. */
int lt_shallow_sizes_apply(lt_graph *g, lt_pool *pool, lt_error *err);

#endif
