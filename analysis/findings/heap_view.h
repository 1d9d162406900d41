/* heap_view: the read-only results of the core analysis that the findings
 * stages look at together. Borrowed pointers; owns nothing. */
#ifndef LT_HEAP_VIEW_H
#define LT_HEAP_VIEW_H

#include <stdint.h>

#include "devtools/classes.h"
#include "devtools/dominators.h"
#include "snapshot/graph.h"

typedef struct lt_heap_view {
    const lt_graph *g;
    const lt_dominator_tree *tree;
    const int32_t *distance;
    const uint32_t *parent_edge; /* from lt_distances_compute */
    const lt_classes *classes;
    uint64_t total_size; /* sum of self sizes */
} lt_heap_view;

static inline const char *lt_view_class(const lt_heap_view *v, uint32_t node)
{
    return lt_graph_string(v->g, lt_class_name(v->classes, v->g, node));
}

#endif
