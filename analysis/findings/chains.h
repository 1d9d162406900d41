/* chains: recursive retention chains (see chains.c for how they are found).
 * Each is reported as a recursive_chain finding naming the function, its
 * script and line, the number of levels, the period (class and edge of each
 * step of a level), the head node and the retainer path to it; a long
 * repetition without a function is data and, when large, a large_retainer. */
#ifndef LT_CHAINS_H
#define LT_CHAINS_H

#include "findings/findings.h"
#include "findings/heap_view.h"

/* Appends the chains found to out; reads v->tree's heights. Returns 0 or LT_ENOMEM with
 * err set. */
int lt_chains_find(const lt_heap_view *v, lt_findings *out, lt_error *err);

#endif
