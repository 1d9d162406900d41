/* interfaces: DevTools' inferred names for plain JS objects, e.g.
 * `{req, payload}` for the many objects that hold those properties. */
#ifndef LT_INTERFACES_H
#define LT_INTERFACES_H

#include <stdint.h>

#include "snapshot/graph.h"
#include "lt_error.h"

/* Sets class_name[v] (a string index, adding the names to g) for every plain
 * object that matches an inferred interface; leaves the others. Returns 0 or,
 * with err set, LT_ENOMEM (or LT_ELIMIT: the string table is full). */
int lt_interfaces_apply(lt_graph *g, uint32_t *class_name, lt_error *err);

#endif
