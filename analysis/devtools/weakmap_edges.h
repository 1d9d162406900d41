/* weakmap_edges: recognises V8's names for WeakMap ephemeron edges,
 * "<n> / part of key (<k> @<id>) -> value (<v> @<id>) pair in WeakMap (table @<id>)",
 * which DevTools treats specially (the table's edge to the value does not
 * retain; the two edges of a pair count once for distances). */
#ifndef LT_WEAKMAP_EDGES_H
#define LT_WEAKMAP_EDGES_H

#include <stdbool.h>
#include <stdint.h>

#include "snapshot/graph.h"
#include "lt_error.h"

typedef struct lt_weakmap_names {
    uint32_t count;
    uint32_t *string;   /* sorted string indices that are ephemeron edge names */
    uint64_t *table_id; /* the table's node id (UINT64_MAX if out of range) */
    uint32_t *pair;     /* id of the text after the leading number (same pair = same id) */
} lt_weakmap_names;

/* Parses one name; on a match returns true, the table id and the offset where
 * the pair text (everything after the leading number) starts. */
bool lt_weakmap_edge_parse(const char *name, uint64_t *table_id, uint32_t *pair_offset);

/* Finds every ephemeron edge name in the graph's strings. 0 or LT_ENOMEM. */
int lt_weakmap_names_build(const lt_graph *g, lt_weakmap_names *out, lt_error *err);
void lt_weakmap_names_free(lt_weakmap_names *w);

/* Index into out's arrays for string index s, or -1. */
int64_t lt_weakmap_names_find(const lt_weakmap_names *w, uint32_t s);

#endif
