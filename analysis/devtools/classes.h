/* classes: DevTools' Summary view. Every node gets DevTools' class name
 * (`(system)`, `Function`, `(string)`, `<div>`, a constructor name, or an
 * inferred interface name such as `{req, payload}` for plain objects); nodes
 * with a non-zero self size are aggregated per class key (`,Name`, or
 * `script,line,column,Name` for objects with an allocation location): count,
 * shallow size, smallest distance, and retained size counting an instance
 * nested (in the dominator tree) under another instance of the same key once. */
#ifndef LT_CLASSES_H
#define LT_CLASSES_H

#include <stdint.h>

#include "util/big_alloc.h"
#include "devtools/dominators.h"
#include "snapshot/graph.h"
#include "lt_error.h"

typedef struct lt_class {
    uint32_t name; /* string index of the class name */
    int has_location;
    uint32_t script_id, line, column;
    uint64_t count;
    uint64_t shallow_size;
    uint64_t retained_size;
    int32_t distance;    /* smallest distance of an instance */
    uint32_t first_node; /* first instance in snapshot order */
} lt_class;

typedef struct lt_classes {
    uint32_t *class_name; /* per node: string index of its class name */
    lt_class *items;      /* in DevTools' order of first appearance */
    uint32_t count;
} lt_classes;

/* Names every node (may add strings to g). Returns 0 or, with err set,
 * LT_ENOMEM (or LT_ELIMIT: the string table is full). */
int lt_classes_name_nodes(lt_graph *g, lt_pool *pool, lt_classes *out, lt_error *err);

/* Aggregates per class key; needs names (above), the dominator tree and the
 * distances; scratch memory from pool (may be NULL). Returns 0 or LT_ENOMEM. */
int lt_classes_aggregate(const lt_graph *g, lt_classes *c, const lt_dominator_tree *tree, const int32_t *distance,
                         lt_pool *pool, lt_error *err);

/* Writes the class key ("," + name, or "script,line,column,name") into buf. */
void lt_classes_key(const lt_graph *g, const lt_class *c, char *buf, size_t len);

void lt_classes_free(lt_classes *c);

#endif
