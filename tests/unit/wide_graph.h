/* wide_graph: snapshots whose breadth-first frontier is wide (hundreds of thousands of
 * nodes queued at once), for the distances' tests. Each is written as snapshot text and
 * read by the reader, so it does not depend on how the graph stores its edges; the same
 * edges are kept here too, in plain arrays, for a reference search to read. Built inside
 * a cmocka test (a failure fails it). */
#ifndef LT_WIDE_GRAPH_H
#define LT_WIDE_GRAPH_H

#include <stdint.h>
#include <stdio.h>

#include "devtools/weakmap_edges.h"
#include "snapshot/graph.h"

typedef enum wide_edge_kind { WIDE_STRONG, WIDE_WEAK, WIDE_PAIR } wide_edge_kind;

typedef struct wide_graph {
    lt_graph *g;               /* as read */
    lt_weakmap_names weakmaps; /* of g */
    /* the same graph: node 0 is the root; edge e (as in g) leaves the node whose range
     * [first_edge[v], first_edge[v + 1]) holds it */
    uint32_t node_count, edge_count;
    uint32_t *first_edge; /* node_count + 1 */
    uint32_t *to;
    uint8_t *kind;      /* wide_edge_kind */
    uint32_t *pair;     /* for WIDE_PAIR: the WeakMap pair, both of whose edges it numbers */
    uint8_t *user_root; /* per node: a user root when the root points to it (not synthetic,
                           or "(Document DOM trees)") */
    uint32_t pair_count;
} wide_graph;

/* The root, three user roots fanning out to 20,000 nodes each, then chains from each of
 * those with a burst of 2,000 children every 1,000 nodes, up to about 600,000 nodes: the
 * frontier passes 64 Ki, 128 Ki and 256 Ki entries while the search is deep in, far from
 * where it started. Among them, WeakMap pairs whose two edges are 5,000 nodes apart, weak
 * edges to nodes that only a system root (the second phase) reaches, and edges back to
 * nodes reached already. Free with wide_graph_free. */
wide_graph *wide_graph_fan(void);

/* node_count nodes (at least 7): the root with three user roots (one listed twice), a
 * synthetic system root "(GC roots)" and a synthetic user root "(Document DOM trees)"; then
 * random edges, 0 to 8 a node, a tenth of them weak, and WeakMap pairs. The last tenth of
 * the nodes only the system root leads into (the second phase) but for weak edges, and
 * their strong edges stay among them.
 * Seeded (xorshift; seed not 0). */
wide_graph *wide_graph_random(uint64_t seed, uint32_t node_count);

void wide_graph_free(wide_graph *w);

/* Writes the start of such a snapshot's text, up to and with `"nodes":[`: node 20's
 * fields, node types up to synthetic (9), the seven edge types (shortcut 5, weak 6). */
void wide_graph_text_head(FILE *f, uint32_t node_count, uint32_t edge_count);

#endif
