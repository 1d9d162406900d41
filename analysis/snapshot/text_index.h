/* text_index: finds a string index by its text among strings registered in
 * it (DevTools adds class names to the string table once each). Owns only
 * its lt_table (entries: string indices); the texts live in the graph. */
#ifndef LT_TEXT_INDEX_H
#define LT_TEXT_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot/graph.h"
#include "util/table.h"

typedef struct lt_text_index {
    lt_table table;
} lt_text_index;

/* An empty index. Returns 0 or LT_ENOMEM. */
int lt_text_index_init(lt_text_index *t);
void lt_text_index_free(lt_text_index *t);

/* Returns the index of a registered string equal to s[0..len), or adds s to
 * the graph and registers it. LT_ENOMEM when out of memory. */
int64_t lt_text_index_intern(lt_text_index *t, lt_graph *g, const char *s, size_t len);

/* Registers existing string i (if no equal text is registered yet) and returns
 * the registered index for its text. LT_ENOMEM when out of memory. */
int64_t lt_text_index_canonical(lt_text_index *t, const lt_graph *g, uint32_t i);

#endif
