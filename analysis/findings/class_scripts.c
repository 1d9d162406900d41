/* class_scripts: see class_scripts.h. One pass over the recorded locations. */
#include "findings/class_scripts.h"

#include <stdlib.h>

#include "findings/functions.h"
#include "util/u32map.h"

/* script id -> script node, from the closures that have a location. */
static int index_scripts(const lt_graph *g, lt_u32map *by_id)
{
    uint32_t known;
    for (uint32_t i = 0; i < g->location_count; i++) {
        lt_location loc = lt_graph_location_at(g, i);
        if (g->node_type[loc.node] != g->nt.closure || lt_u32map_get(by_id, loc.script_id, &known))
            continue;
        uint32_t script = lt_functions_script(g, loc.node);
        if (script != LT_NO_FUNCTION && lt_u32map_put(by_id, loc.script_id, script))
            return -1;
    }
    return 0;
}

uint32_t *lt_class_scripts_find(const lt_graph *g, const lt_classes *c, lt_error *err)
{
    lt_u32map by_id = {0};
    uint32_t *script = malloc((c->count ? c->count : 1) * sizeof *script);
    if (!script || lt_u32map_init(&by_id) || index_scripts(g, &by_id)) {
        free(script);
        lt_u32map_free(&by_id);
        lt_error_set(err, LT_ENOMEM, "out of memory finding the scripts of classes");
        return NULL;
    }
    for (uint32_t i = 0; i < c->count; i++)
        if (!c->items[i].has_location || !lt_u32map_get(&by_id, c->items[i].script_id, &script[i]))
            script[i] = LT_NO_FUNCTION;
    lt_u32map_free(&by_id);
    return script;
}
