/* class_scripts: the script of each class with an allocation site (a class key
 * `script_id,line,column,Name`): the script node that the snapshot's closures
 * of that script id point to (closure -> shared -> script), so a page can say
 * "this class is in app/schedule/updateDeviceInfo.js:12". */
#ifndef LT_CLASS_SCRIPTS_H
#define LT_CLASS_SCRIPTS_H

#include <stdint.h>

#include "devtools/classes.h"
#include "snapshot/graph.h"
#include "lt_error.h"

/* Returns a new array (free()) of c->count script node ordinals, one per
 * class (LT_NO_FUNCTION: no allocation site, or no closure of that script
 * left in the heap), or NULL with LT_ENOMEM in err. */
uint32_t *lt_class_scripts_find(const lt_graph *g, const lt_classes *c, lt_error *err);

#endif
