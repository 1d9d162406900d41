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

/* The rule of one graph's retaining edges, to classify them one at a time: the analysis
 * does so inside the dominators' DFS (lt_dominators_start_classifying), which then walks
 * the heap once where a search of the page's own nodes and the DFS walked it twice.
 * Made by lt_retention_rule_init; reads the graph (and the WeakMap names) it was made of. */
typedef struct lt_retention_rule {
    const lt_graph *g;
    const lt_weakmap_names *weakmaps;
    uint32_t never;                /* bit t: an edge of type t never retains */
    uint32_t never_from_elsewhere; /* bit t: ... unless it is the root's */
    uint32_t look;                 /* bit t: ... when it is a WeakMap table's link to a value */
    /* the root's edges that make their target one of the page's own (seeds: its shortcuts
     * and its element edge to `(Document DOM trees)`), in order; found once, by name, so
     * that nothing reads a string after lt_retention_rule_init (the class names, on
     * another thread, may move the string table) */
    uint32_t *seed_edges;
    uint32_t seed_count;
} lt_retention_rule;

/* Returns 0, or LT_ENOMEM with err set; free with lt_retention_rule_free. */
int lt_retention_rule_init(const lt_graph *g, const lt_weakmap_names *weakmaps, lt_retention_rule *r, lt_error *err);

void lt_retention_rule_free(lt_retention_rule *r);

/* Whether edge e of `from` is a WeakMap table's link to a value (only asked for the
 * types in r->look). */
int lt_retention_table_to_value(const lt_retention_rule *r, uint32_t from, uint32_t e);

/* Whether edge e of v (of type `type`, into `to`) retains when v is the root (from_root),
 * one of the page's own nodes, or any node of a graph with none. A node outside the page's
 * own, when there are some, also loses its edges into them: the caller checks that. */
static inline int lt_retention_keeps(const lt_retention_rule *r, int from_root, uint32_t v, uint32_t e, unsigned type,
                                     uint32_t to)
{
    uint32_t skip = from_root ? r->never : r->never | r->never_from_elsewhere;
    if (((skip >> type) & 1u) || to == v)
        return 0;
    return !((r->look >> type) & 1u) || !lt_retention_table_to_value(r, v, e);
}

/* Every edge at once: a bit vector (one bit per edge, 1 = retains; free()) or NULL with
 * err set (LT_ENOMEM). A search over the page's own nodes from the seeds, then every other
 * node's edges. Scratch memory comes from pool (may be NULL). The analysis classifies in
 * the dominators' DFS instead; tests hold the two to the same answer. */
uint64_t *lt_retention_edges(const lt_graph *g, const lt_weakmap_names *weakmaps, lt_pool *pool, lt_error *err);

/* True when the node is a user root in DevTools' sense: not synthetic, or the
 * synthetic `(Document DOM trees)` node. */
int lt_retention_is_user_root(const lt_graph *g, uint32_t node);

/* True when some edge of the root leads to a user root (node snapshots: the
 * shortcut to `global`; Chromium's CDP snapshots have none). */
int lt_retention_has_user_roots(const lt_graph *g);

#endif
