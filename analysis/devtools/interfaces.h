/* interfaces: DevTools' inferred names for plain JS objects, e.g.
 * `{req, payload}` for the many objects that hold those properties, kept in the
 * graph's node_name (see graph.h). */
#ifndef LT_INTERFACES_H
#define LT_INTERFACES_H

#include <stdint.h>

#include "snapshot/graph.h"
#include "lt_error.h"

/* Writes the interface's name (a string added to g, one per interface used) into
 * g->node_name[v] of every plain object v that matches an inferred interface, and
 * records those names' range in g (interface_names_from, interface_name_count,
 * object_name), so that lt_graph_node_name_index still gives such a node's own name
 * "Object"; leaves the other nodes. Called once per graph, after dom_state. Returns 0
 * or, with err set, LT_ENOMEM (or LT_ELIMIT: the string table is full); then some
 * objects may carry their interface name already, still read right. */
int lt_interfaces_apply(lt_graph *g, lt_error *err);

#endif
