/* dom_state: DevTools' propagation of DOM attachedness. Native nodes that the
 * snapshot marks attached (1) or detached (2) pass their state on to native
 * nodes they reach through edges other than hidden and weak ones (attached
 * first, then detached to what is still unknown); every detached native node
 * is renamed "Detached <name>". Snapshots without a detachedness field: native
 * nodes named "Detached ..." are taken as detached. */
#ifndef LT_DOM_STATE_H
#define LT_DOM_STATE_H

#include "snapshot/graph.h"
#include "lt_error.h"

/* Updates g->detachedness (allocating it when absent) and g->node_name.
 * Returns 0, or LT_ENOMEM (or LT_ELIMIT: past 2^32-2 strings) with err set. */
int lt_dom_state_propagate(lt_graph *g, lt_error *err);

#endif
