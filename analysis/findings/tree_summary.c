/* tree_summary: see tree_summary.h.
 *
 * DESIGN
 * Rows are made breadth-first from the root: a FIFO of NODE rows to expand.
 * Expanding a node sorts its dominated children: the ones at or above the
 * share by retained size (the first LT_TREE_SHOWN_CHILDREN shown), the rest
 * grouped by class into MORE rows. Before a shown child becomes a NODE row,
 * the path down its biggest children is checked for a repeating signature
 * (class and name) with a period of 1..LT_TREE_MAX_PERIOD nodes; a repeat of
 * LT_TREE_MIN_LEVELS levels or more becomes a plan: CHAIN row, first level,
 * CHAIN row of the middle levels, last level. `special` says, per node, what
 * the plan wants when the node is reached again as a child (no new check for
 * the first level's nodes; the middle CHAIN row at the second level's head),
 * and `hidden` marks what the middle levels dominate. Paths are linked last,
 * row by row, following the distance search's parent edges. */
#include "findings/tree_summary.h"

#include <stdlib.h>
#include <string.h>

#include "devtools/distances.h"
#include "findings/paths.h"
#include "util/grow.h"
#include "util/u32map.h"
#include "util/u32vec.h"

#define SUPPRESS UINT32_MAX /* special: a first-level node, no chain check */

typedef struct chain_plan {
    uint32_t middle; /* head of the second level (the middle CHAIN row's node) */
    uint32_t last;   /* head of the last level */
    uint32_t period, period_first;
    uint64_t levels;
} chain_plan;

typedef struct class_group {
    uint32_t class_name, len;
    uint64_t retained;
} class_group;

typedef struct builder {
    const lt_heap_view *v;
    lt_tree_summary *s;
    lt_u32map row_of;  /* node -> its NODE or PATH row */
    lt_u32map special; /* node -> SUPPRESS or a plan index */
    lt_u32map exit_of; /* hidden node -> the first node above it (on its path) that is not hidden */
    uint64_t *hidden;  /* bit per node: dominated by the middle levels of a collapsed chain */
    chain_plan *plans;
    uint32_t plan_count, plan_capacity;
    class_group *groups;
    uint32_t group_count, group_capacity;
    uint32_t *group_of;           /* per string (class name): its group + 1 while grouping, else 0 */
    uint32_t fold_from, fold_big; /* kids[fold_from..fold_big): folded children at or above the share */
    lt_u32vec queue, kids, path;
} builder;

/* ---- rows ------------------------------------------------------------------ */

static uint32_t add_row(builder *b, uint8_t kind, uint32_t node, uint32_t parent)
{
    lt_tree_summary *s = b->s;
    if (lt_grow(&s->rows, &s->capacity, s->count, sizeof *s->rows, 1024))
        return LT_TREE_NONE;
    s->rows[s->count] = (lt_tree_row){.node = node,
                                      .tree_parent = parent,
                                      .path_parent = LT_TREE_NONE,
                                      .path_edge = LT_NO_EDGE,
                                      .class_name = LT_TREE_NONE,
                                      .count = 1,
                                      .kind = kind};
    if (node != LT_TREE_NONE)
        s->rows[s->count].class_name = lt_class_name(b->v->classes, b->v->g, node);
    if (parent != LT_TREE_NONE)
        s->rows[parent].child_count++;
    if (node != LT_TREE_NONE && (kind == LT_TREE_NODE || kind == LT_TREE_PATH) &&
        lt_u32map_put(&b->row_of, node, s->count))
        return LT_TREE_NONE;
    return s->count++;
}

/* A NODE row for node under parent, queued to be expanded. */
static int add_node(builder *b, uint32_t node, uint32_t parent)
{
    uint32_t r = add_row(b, LT_TREE_NODE, node, parent);
    return r == LT_TREE_NONE || lt_u32vec_push(&b->queue, r) ? LT_ENOMEM : 0;
}

/* ---- repeating periods ------------------------------------------------------- */

static uint64_t signature(const builder *b, uint32_t x)
{
    return (uint64_t)lt_class_name(b->v->classes, b->v->g, x) << 32 | lt_graph_node_name_index(b->v->g, x);
}

/* Extends b->path down the biggest children to at least len nodes (fewer when
 * it ends or falls under floor bytes retained). 0 or -1 out of memory. */
static int path_reach(builder *b, size_t len, uint64_t floor)
{
    while (b->path.len < len) {
        uint32_t c = lt_dominator_tree_biggest_child(b->v->tree, b->path.items[b->path.len - 1]);
        if (c == LT_TREE_NONE || lt_retained(b->v->tree, c) < floor)
            return 0;
        if (lt_u32vec_push(&b->path, c))
            return -1;
    }
    return 0;
}

/* How many positions i from `from` on have sig(path[i]) == sig(path[i+p]),
 * looking at most up to `limit` (SIZE_MAX: to the end) and down to nodes
 * retaining floor bytes. *nomem on failure. */
static size_t matches(builder *b, size_t from, size_t limit, uint64_t floor, uint32_t p, int *nomem)
{
    size_t i = from;
    for (; i < limit; i++) {
        if (path_reach(b, i + p + 1, floor)) {
            *nomem = 1;
            break;
        }
        if (i + p >= b->path.len || signature(b, b->path.items[i]) != signature(b, b->path.items[i + p]))
            break;
    }
    return i;
}

/* The smallest period with LT_TREE_MIN_LEVELS levels from start retaining
 * the share, and the number of whole levels (0: none), counting the levels
 * under the share too. b->path holds the nodes. -1 out of memory. */
static int find_period(builder *b, uint32_t start, uint32_t *period, uint64_t *levels)
{
    int nomem = 0;
    b->path.len = 0;
    *levels = 0;
    if (lt_u32vec_push(&b->path, start))
        return -1;
    for (uint32_t p = 1; p <= LT_TREE_MAX_PERIOD && !nomem; p++) {
        size_t need = (size_t)(LT_TREE_MIN_LEVELS - 1) * p;
        if (matches(b, 0, need, b->s->min_retained, p, &nomem) < need)
            continue;
        size_t run = matches(b, need, SIZE_MAX, 0, p, &nomem);
        *period = p;
        *levels = (run + p) / p;
        break;
    }
    return nomem ? -1 : 0;
}

/* Marks what the middle levels dominate (from the second level's head, not
 * entering the last level) as hidden. */
static int hide_middle(builder *b, uint32_t middle, uint32_t last)
{
    const lt_dominator_tree *t = b->v->tree;
    lt_u32vec stack = {0};
    int rc = lt_u32vec_push(&stack, middle);
    while (!rc && stack.len) {
        uint32_t x = stack.items[--stack.len];
        lt_bit_set(b->hidden, x);
        for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1] && !rc; k++)
            if (t->dominated[k] != last)
                rc = lt_u32vec_push(&stack, t->dominated[k]);
    }
    free(stack.items);
    return rc ? LT_ENOMEM : 0;
}

/* Records the plan of the chain found on b->path (period p, levels) and the
 * names of its first level's nodes. */
static int add_plan(builder *b, uint32_t p, uint64_t levels)
{
    lt_tree_summary *s = b->s;
    if (lt_grow(&b->plans, &b->plan_capacity, b->plan_count, sizeof *b->plans, 16))
        return LT_ENOMEM;
    chain_plan *plan = &b->plans[b->plan_count];
    *plan = (chain_plan){.middle = b->path.items[p],
                         .last = b->path.items[(levels - 1) * p],
                         .period = p,
                         .period_first = s->period_count,
                         .levels = levels};
    for (uint32_t i = 0; i < p; i++) {
        if (lt_grow(&s->period_names, &s->period_capacity, s->period_count, sizeof(uint32_t), 64))
            return LT_ENOMEM;
        s->period_names[s->period_count++] = lt_graph_node_name_index(b->v->g, b->path.items[i]);
        if (i && lt_u32map_put(&b->special, b->path.items[i], SUPPRESS))
            return LT_ENOMEM;
    }
    if (lt_u32map_put(&b->special, plan->middle, b->plan_count))
        return LT_ENOMEM;
    b->plan_count++;
    return hide_middle(b, plan->middle, plan->last);
}

/* A CHAIN row for levels of plan, starting at node, under parent. */
static uint32_t add_chain_row(builder *b, const chain_plan *plan, uint32_t node, uint64_t levels, uint32_t parent)
{
    uint32_t r = add_row(b, LT_TREE_CHAIN, node, parent);
    if (r != LT_TREE_NONE) {
        lt_tree_row *row = &b->s->rows[r];
        row->count = levels;
        row->size = lt_retained(b->v->tree, node);
        row->period = plan->period;
        row->period_first = plan->period_first;
    }
    return r;
}

/* A shown child: the middle CHAIN row a plan wants here, a new chain, or a
 * plain NODE row. */
static int add_child(builder *b, uint32_t c, uint32_t parent)
{
    uint32_t special, p = 0;
    uint64_t levels = 0;
    int known = lt_u32map_get(&b->special, c, &special);
    if (known && special != SUPPRESS) {
        chain_plan plan = b->plans[special];
        uint32_t r = add_chain_row(b, &plan, c, plan.levels - 2, parent);
        return r == LT_TREE_NONE ? LT_ENOMEM : add_node(b, plan.last, r);
    }
    if (!known && find_period(b, c, &p, &levels))
        return LT_ENOMEM;
    if (levels < LT_TREE_MIN_LEVELS)
        return add_node(b, c, parent);
    if (add_plan(b, p, levels))
        return LT_ENOMEM;
    uint32_t r = add_chain_row(b, &b->plans[b->plan_count - 1], c, levels, parent);
    return r == LT_TREE_NONE ? LT_ENOMEM : add_node(b, c, r);
}

/* ---- expanding a node ---------------------------------------------------------- */

static int by_retained(const void *x, const void *y, void *ctx)
{
    const lt_dominator_tree *t = ctx;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    uint64_t ra = lt_retained(t, a), rb = lt_retained(t, b);
    if (ra != rb)
        return ra > rb ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int by_group_retained(const void *x, const void *y)
{
    const class_group *a = x, *b = y;
    if (a->retained != b->retained)
        return a->retained > b->retained ? -1 : 1;
    return a->class_name < b->class_name ? -1 : a->class_name > b->class_name;
}

/* x's children into b->kids, those at or above the share first (by retained
 * size); returns how many are. */
static uint32_t sorted_children(builder *b, uint32_t x, int *nomem)
{
    const lt_dominator_tree *t = b->v->tree;
    uint32_t big = 0;
    b->kids.len = 0;
    for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1]; k++) {
        uint32_t c = t->dominated[k];
        if (lt_u32vec_push(&b->kids, c)) {
            *nomem = 1;
            return 0;
        }
        if (lt_retained(t, c) >= b->s->min_retained) { /* keep the big ones in front */
            b->kids.items[b->kids.len - 1] = b->kids.items[big];
            b->kids.items[big++] = c;
        }
    }
    qsort_r(b->kids.items, big, sizeof(uint32_t), by_retained, (void *)t);
    return big;
}

/* Groups kids[from..) by class into b->groups, biggest group first (ties: by class);
 * one pass with a slot per class name, no sort of the children (the root may have
 * millions). Only the children at or above the share become rows, and those are
 * kids[from..big), already in order. */
static int group_folded(builder *b, uint32_t from, uint32_t big)
{
    const lt_heap_view *v = b->v;
    const uint32_t *k = b->kids.items, n = (uint32_t)b->kids.len;
    if (!b->group_of && !(b->group_of = calloc(v->g->string_count ? v->g->string_count : 1, sizeof *b->group_of)))
        return LT_ENOMEM;
    b->group_count = 0;
    b->fold_from = from;
    b->fold_big = big > from ? big : from;
    int rc = 0;
    for (uint32_t i = from; i < n; i++) {
        uint32_t c = lt_class_name(v->classes, v->g, k[i]);
        if (!b->group_of[c]) {
            if ((rc = lt_grow(&b->groups, &b->group_capacity, b->group_count, sizeof *b->groups, 64)))
                break;
            b->groups[b->group_count++] = (class_group){c, 0, 0};
            b->group_of[c] = b->group_count;
        }
        class_group *grp = &b->groups[b->group_of[c] - 1];
        grp->len++;
        grp->retained += lt_retained(v->tree, k[i]);
    }
    for (uint32_t gi = 0; gi < b->group_count; gi++)
        b->group_of[b->groups[gi].class_name] = 0;
    if (rc)
        return LT_ENOMEM;
    qsort(b->groups, b->group_count, sizeof *b->groups, by_group_retained);
    return 0;
}

/* One MORE row for groups [g0, g1) (one class, or mixed) and its members at
 * or above the share. */
static int add_more(builder *b, uint32_t g0, uint32_t g1, uint32_t parent)
{
    uint32_t r = add_row(b, LT_TREE_MORE, LT_TREE_NONE, parent);
    if (r == LT_TREE_NONE)
        return LT_ENOMEM;
    b->s->rows[r].count = 0;
    if (g1 - g0 == 1)
        b->s->rows[r].class_name = b->groups[g0].class_name;
    for (uint32_t gi = g0; gi < g1; gi++) {
        const class_group *grp = &b->groups[gi];
        b->s->rows[r].count += grp->len;
        b->s->rows[r].size += grp->retained;
        for (uint32_t i = b->fold_from; i < b->fold_big; i++) {
            uint32_t c = b->kids.items[i];
            if (lt_class_name(b->v->classes, b->v->g, c) == grp->class_name && add_child(b, c, r))
                return LT_ENOMEM;
        }
    }
    return 0;
}

static int expand(builder *b, uint32_t row)
{
    int nomem = 0;
    uint32_t big = sorted_children(b, b->s->rows[row].node, &nomem);
    uint32_t shown = big < LT_TREE_SHOWN_CHILDREN ? big : LT_TREE_SHOWN_CHILDREN;
    if (nomem)
        return LT_ENOMEM;
    for (uint32_t i = 0; i < shown; i++)
        if (add_child(b, b->kids.items[i], row))
            return LT_ENOMEM;
    if (shown == b->kids.len)
        return 0;
    if (group_folded(b, shown, big))
        return LT_ENOMEM;
    uint32_t classes = b->group_count < LT_TREE_FOLD_CLASSES ? b->group_count : LT_TREE_FOLD_CLASSES;
    for (uint32_t gi = 0; gi < classes; gi++)
        if (add_more(b, gi, gi + 1, row))
            return LT_ENOMEM;
    return classes < b->group_count ? add_more(b, classes, b->group_count, row) : 0;
}

/* ---- retainer paths ------------------------------------------------------------- */

/* The first node above hidden node y on its path that is not hidden. */
static uint32_t path_exit(builder *b, uint32_t y, int *nomem)
{
    const lt_graph *g = b->v->g;
    uint32_t z = y, known;
    while (lt_bit_get(b->hidden, z) && !lt_u32map_get(&b->exit_of, z, &known) && b->v->parent_edge[z] != LT_NO_EDGE)
        z = lt_graph_edge_source(g, b->v->parent_edge[z]);
    if (lt_u32map_get(&b->exit_of, z, &known))
        z = known;
    for (uint32_t w = y; w != z && lt_bit_get(b->hidden, w) && b->v->parent_edge[w] != LT_NO_EDGE;) {
        uint32_t up = lt_graph_edge_source(g, b->v->parent_edge[w]);
        *nomem |= lt_u32map_put(&b->exit_of, w, z) != 0;
        w = up;
    }
    return z;
}

/* Links row r to the row of the node before it on its retainer path (adding
 * a PATH row for that node when it has none). */
static int link_path(builder *b, uint32_t r)
{
    uint32_t x = b->s->rows[r].node, e = b->v->parent_edge[x], parent;
    int nomem = 0;
    if (e == LT_NO_EDGE)
        return 0;
    uint32_t y = lt_graph_edge_source(b->v->g, e), skipped = 0;
    if (lt_bit_get(b->hidden, y)) {
        uint32_t z = path_exit(b, y, &nomem);
        int32_t gap = b->v->distance[y] - b->v->distance[z];
        skipped = gap > 0 ? (uint32_t)gap : 1;
        y = z;
    }
    if (!lt_u32map_get(&b->row_of, y, &parent) && (parent = add_row(b, LT_TREE_PATH, y, LT_TREE_NONE)) == LT_TREE_NONE)
        nomem = 1;
    if (nomem)
        return LT_ENOMEM;
    lt_tree_row *row = &b->s->rows[r];
    row->path_parent = parent;
    row->path_edge = e;
    row->path_skipped = skipped;
    return 0;
}

/* ---- the whole --------------------------------------------------------------------- */

static int build_rows(builder *b)
{
    const lt_heap_view *v = b->v;
    uint64_t total = lt_retained(v->tree, v->g->root);
    b->s->min_retained = total / LT_TREE_SHARE_DIVISOR ? total / LT_TREE_SHARE_DIVISOR : 1;
    if (add_node(b, v->g->root, LT_TREE_NONE))
        return LT_ENOMEM;
    for (size_t q = 0; q < b->queue.len; q++) {
        if (b->s->count >= LT_TREE_MAX_ROWS) {
            b->s->truncated = 1;
            break;
        }
        if (expand(b, b->queue.items[q]))
            return LT_ENOMEM;
    }
    for (uint32_t r = 0; r < b->s->count; r++) {
        uint8_t kind = b->s->rows[r].kind;
        if ((kind == LT_TREE_NODE || kind == LT_TREE_PATH) && link_path(b, r))
            return LT_ENOMEM;
    }
    return 0;
}

int lt_tree_summary_build(const lt_heap_view *v, lt_tree_summary *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    builder b = {.v = v, .s = out};
    size_t words = ((size_t)v->g->node_count + 63) / 64;
    int rc = LT_ENOMEM;
    if (!v->parent_edge)
        return lt_error_set(err, LT_EUSAGE, "the tree summary needs the retainer paths of the distance search");
    if (!(b.hidden = calloc(words ? words : 1, sizeof *b.hidden)) || lt_u32map_init(&b.row_of) ||
        lt_u32map_init(&b.special) || lt_u32map_init(&b.exit_of))
        goto done;
    rc = build_rows(&b);
done:
    lt_u32map_free(&b.row_of);
    lt_u32map_free(&b.special);
    lt_u32map_free(&b.exit_of);
    free(b.hidden);
    free(b.plans);
    free(b.groups);
    free(b.group_of);
    free(b.queue.items);
    free(b.kids.items);
    free(b.path.items);
    return rc ? lt_error_set(err, LT_ENOMEM, "out of memory summarising the dominator tree") : 0;
}

void lt_tree_summary_free(lt_tree_summary *s)
{
    free(s->rows);
    free(s->period_names);
    memset(s, 0, sizeof *s);
}
