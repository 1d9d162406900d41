/* same_tree: whether two dominator trees are the same, for tests that compute one tree
 * two ways (3- and 4-byte Semi-NCA scratch). Header-only. */
#ifndef LT_SAME_TREE_H
#define LT_SAME_TREE_H

#include <stdint.h>
#include <string.h>

#include "devtools/dominators.h"

/* Whether two trees of n nodes have the same subtree heights, when both still have them
 * (an analysis gives its heights back after the findings). */
static inline int same_heights(const lt_dominator_tree *a, const lt_dominator_tree *b, uint32_t n)
{
    for (uint32_t v = 0; a->height && b->height && v < n; v++)
        if (lt_dominator_height(a, v) != lt_dominator_height(b, v))
            return 0;
    return 1;
}

/* Whether two trees of n nodes are the same, every array of them (dominated: the
 * first_dominated[n] entries it has, all but the root; the retained sizes' high parts;
 * the heights, see same_heights). */
static inline int same_tree(const lt_dominator_tree *a, const lt_dominator_tree *b, uint32_t n)
{
    if (!same_heights(a, b, n))
        return 0;
    if (a->unreachable != b->unreachable || a->big_parent_count != b->big_parent_count ||
        a->wide_count != b->wide_count)
        return 0;
    if (!n)
        return 1;
    return !memcmp(a->dominator, b->dominator, n * sizeof *a->dominator) &&
           !memcmp(a->retained, b->retained, n * sizeof *a->retained) &&
           !memcmp(a->first_dominated, b->first_dominated, (n + 1) * sizeof *a->first_dominated) &&
           !memcmp(a->dominated, b->dominated, a->first_dominated[n] * sizeof *a->dominated) &&
           (!a->wide_count || !memcmp(a->wide, b->wide, a->wide_count * sizeof *a->wide)) &&
           (!a->big_parent_count ||
            !memcmp(a->big_parents, b->big_parents, a->big_parent_count * sizeof *a->big_parents));
}

#endif
