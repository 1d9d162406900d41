/* text_index: finds a string index by its text among strings registered in
 * it (DevTools adds class names to the string table once each). Owns only
 * its hash table; the texts live in the graph. */
#ifndef LT_TEXT_INDEX_H
#define LT_TEXT_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot/graph.h"

typedef struct lt_text_index {
    uint32_t *slots;   /* string index + 1, 0 = empty */
    uint32_t capacity, count;
} lt_text_index;

int lt_text_index_init(lt_text_index *t);
void lt_text_index_free(lt_text_index *t);

/* Returns the index of a registered string equal to s[0..len), or adds s to
 * the graph and registers it. -1 when out of memory. */
int64_t lt_text_index_intern(lt_text_index *t, lt_graph *g, const char *s, size_t len);

/* Registers existing string i (if no equal text is registered yet) and returns
 * the registered index for its text. -1 when out of memory. */
int64_t lt_text_index_canonical(lt_text_index *t, const lt_graph *g, uint32_t i);

uint32_t lt_text_hash(const char *s, size_t len);

#endif
