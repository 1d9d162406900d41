/* classes: DevTools' Summary view. Every node has DevTools' class name
 * (`(system)`, `Function`, `(string)`, `<div>`, a constructor name, or an
 * inferred interface name such as `{req, payload}` for plain objects), derived
 * from its type and name by lt_class_name with no per-node storage; nodes with a
 * non-zero self size are aggregated per class key (`,Name`, or
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

#define LT_CLASS_BY_NAME UINT32_MAX /* by_type: the class comes from the node's name */

typedef struct lt_classes {
    /* per node type: string index of its class name, or LT_CLASS_BY_NAME (object and
     * native nodes, and types no node has) */
    uint32_t by_type[LT_MAX_TYPES];
    /* per string s (name_count entries, every string once naming is done): the class
     * of an object or native node whose node_name is s: s itself, its element form
     * ("<div>" for "<div id=x>"), or for a plain object's interface name (written into
     * node_name, see interfaces.h) that name */
    uint32_t *class_of_name;
    uint32_t name_count;
    lt_class *items; /* in DevTools' order of first appearance */
    uint32_t count;
} lt_classes;

/* String index of node v's class name; c named g's nodes (lt_classes_name_nodes). */
static inline uint32_t lt_class_name(const lt_classes *c, const lt_graph *g, uint32_t v)
{
    uint32_t by_type = c->by_type[g->node_type[v]];
    return by_type != LT_CLASS_BY_NAME ? by_type : c->class_of_name[g->node_name[v]];
}

/* Names every node into out (which owns its tables; lt_classes_free): adds the names
 * DevTools makes up to g's strings and writes inferred interface names into the
 * node_name of the plain objects that take one (lt_interfaces_apply). Returns 0 or,
 * with err set, LT_ENOMEM (or LT_ELIMIT: the string table is full). */
int lt_classes_name_nodes(lt_graph *g, lt_classes *out, lt_error *err);

/* Aggregates per class key; needs names (above), the dominator tree and the
 * distances; scratch memory from pool (may be NULL). Returns 0 or LT_ENOMEM. */
int lt_classes_aggregate(const lt_graph *g, lt_classes *c, const lt_dominator_tree *tree, const int32_t *distance,
                         lt_pool *pool, lt_error *err);

/* Writes the class key ("," + name, or "script,line,column,name") into buf. */
void lt_classes_key(const lt_graph *g, const lt_class *c, char *buf, size_t len);

/* Frees what c owns (not the strings it added to the graph) and zeroes it. */
void lt_classes_free(lt_classes *c);

#endif
