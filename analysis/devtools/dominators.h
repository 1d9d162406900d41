/* dominators: the dominator tree and retained sizes, as Chrome DevTools
 * computes them.
 *
 * Input: the graph, a bit per edge saying whether it retains (DevTools'
 * "essential" edges, see retention.h), and the (rewritten) self sizes.
 * Nodes the root does not reach are placed as DevTools places them: a node
 * with no retaining edge at all (only weak retainers) hangs under the root
 * together with what it reaches; nodes still unreached (cycles held only
 * weakly) hang directly under the root, and their edges into the rest of the
 * graph are ignored. Equivalently: the dominator tree of the retaining graph
 * plus an edge root -> v for each such start node v, where edges leaving the
 * weak-only cycles do not count.
 *
 * Semi-NCA (Georgiadis/Tarjan), iterative throughout: no recursion, so trees
 * a million levels deep are fine. Scratch: 4 * b + 4 bytes per node plus b bytes
 * per retaining edge into a node the DFS numbered before its source, where b
 * (lt_dominators_index_bytes) is 3 below 2^24 nodes and edges of one node, else 4;
 * freed before returning. */
#ifndef LT_DOMINATORS_H
#define LT_DOMINATORS_H

#include <stdint.h>

#include "util/big_alloc.h"
#include "util/index_array.h"
#include "snapshot/graph.h"
#include "lt_error.h"

typedef struct lt_dominator_tree {
    uint32_t *dominator;           /* per node: immediate dominator's ordinal (root: itself) */
    uint32_t *retained;            /* per node: retained size in bytes modulo 2^32 (read through lt_retained) */
    struct lt_wide_retained *wide; /* nodes retaining 4 GiB or more: the rest of their size, by node */
    uint32_t wide_count;
    uint32_t *first_dominated; /* children of v: dominated[first_dominated[v] .. first_dominated[v+1]) */
    uint32_t *dominated;       /* node_count entries, by parent, then by ordinal */
    uint32_t unreachable;      /* nodes not reached from the root over retaining edges */
    /* nodes with at least LT_BIG_PARENT_CHILDREN children and the child retaining the
     * most, sorted by node (lt_dominator_tree_biggest_child reads them; may be NULL) */
    struct lt_big_parent *big_parents;
    uint32_t big_parent_count;
    /* per node: the height of its subtree (a leaf's is 0), an index array (index_array.h)
     * of height_width bytes an entry (lt_dominator_height reads it); NULL once given back
     * (lt_dominator_tree_drop_heights) */
    uint8_t *height;
    unsigned height_width;
    size_t height_bytes; /* the real size of height's block */
} lt_dominator_tree;

#define LT_BIG_PARENT_CHILDREN 1024

/* A retained size past 2^32-1: its node and the size's high 32 bits. Only a heap of
 * 4 GiB or more has any, and then only its biggest retainers. */
typedef struct lt_wide_retained {
    uint32_t node, high;
} lt_wide_retained;

/* The high 32 bits of v's retained size (0 unless v is in t->wide). */
uint32_t lt_retained_high(const lt_dominator_tree *t, uint32_t v);

/* v's retained size in bytes. */
static inline uint64_t lt_retained(const lt_dominator_tree *t, uint32_t v)
{
    uint64_t low = t->retained[v];
    return t->wide_count ? low | (uint64_t)lt_retained_high(t, v) << 32 : low;
}

/* The height of v's subtree: the most steps from v down to a node it dominates. */
static inline uint32_t lt_dominator_height(const lt_dominator_tree *t, uint32_t v)
{
    return lt_index_get(lt_index_array_at(t->height, t->height_width), v);
}

typedef struct lt_big_parent {
    uint32_t node, biggest_child;
} lt_big_parent;

static inline int lt_bit_get(const uint64_t *bits, uint64_t i)
{
    return (int)((bits[i >> 6] >> (i & 63)) & 1u);
}

static inline void lt_bit_set(uint64_t *bits, uint64_t i)
{
    bits[i >> 6] |= 1ull << (i & 63);
}

/* Computes the tree into *out (arrays owned by out, free with
 * lt_dominator_tree_free). essential has one bit per edge; self_size one entry
 * per node; pool (may be NULL) lends and takes back scratch memory. Returns 0,
 * or LT_ENOMEM with err set. */
int lt_dominators_compute(const lt_graph *g, const uint64_t *essential, const uint32_t *self_size, lt_pool *pool,
                          lt_dominator_tree *out, lt_error *err);

/* The bytes (3 or 4) the scratch stores each node number in: 3 when the node count
 * and every node's edge count fit in 24 bits, else 4. Reads first_edge once when the
 * edges are that many. */
unsigned lt_dominators_index_bytes(const lt_graph *g);

/* The same in two steps, so that the self sizes may still be changing (on another
 * thread) during the first: lt_dominators_start computes out->dominator and keeps
 * the preorder in *work; lt_dominators_finish sums the retained sizes and builds the
 * dominated lists, then frees work. index_bytes is lt_dominators_index_bytes(g), or 4
 * (any value but 3 and LT_DOMINATORS_LONG_LISTS means 4: tests run the 4-byte scratch on
 * small graphs this way), or LT_DOMINATORS_LONG_LISTS (3 bytes, and every predecessor
 * list of two or more taken for one too long for them: tests run that path so). On
 * failure each frees work and *out and returns LT_ENOMEM with err set.
 * lt_dominators_abandon frees a work that will not be finished (NULL is fine). */
typedef struct lt_dominator_work lt_dominator_work;
#define LT_DOMINATORS_LONG_LISTS 0x103u
int lt_dominators_start(const lt_graph *g, const uint64_t *essential, unsigned index_bytes, lt_pool *pool,
                        lt_dominator_work **work, lt_dominator_tree *out, lt_error *err);
/* The same, the retaining edges classified by rule (retention.h) as the DFS walks: it
 * starts at the root's seeds, whose nodes are the page's own, adds the rest of the page's
 * own, then walks on from the root; one walk where lt_retention_edges and the DFS made two.
 * The same tree as lt_dominators_start with lt_retention_edges' bits. */
struct lt_retention_rule;
int lt_dominators_start_classifying(const lt_graph *g, const struct lt_retention_rule *rule, unsigned index_bytes,
                                    lt_pool *pool, lt_dominator_work **work, lt_dominator_tree *out, lt_error *err);
int lt_dominators_finish(lt_dominator_work *work, const uint32_t *self_size, lt_dominator_tree *out, lt_error *err);
void lt_dominators_abandon(lt_dominator_work *work);

/* Fills top[0..n) with the n nodes of largest retained size, the root
 * excluded, largest first (ties in snapshot order); returns how many (<= n). */
uint32_t lt_dominator_tree_top(const lt_dominator_tree *t, uint32_t node_count, uint32_t root, uint32_t n,
                               uint32_t *top);

/* The child of x (in the dominator tree) retaining the most, the first in
 * order on ties; UINT32_MAX when x dominates nothing. Nodes with very many children
 * (the root, a big array's owner) are looked up, not scanned again. */
uint32_t lt_dominator_tree_biggest_child(const lt_dominator_tree *t, uint32_t x);

/* Gives the heights to keep (frees them when keep is NULL; lt_keep_give: from any
 * thread) once nothing reads them any more (the chain search is the one reader), before
 * the tree itself goes: the rest of an analysis does not hold them. NULL after. */
void lt_dominator_tree_drop_heights(lt_dominator_tree *t, lt_keep *keep);

void lt_dominator_tree_free(lt_dominator_tree *t);

#endif
