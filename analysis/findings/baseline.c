/* DESIGN
 * The suspects are the final snapshot's objects and closures (the things
 * code makes; not strings, numbers, code or engine-internal arrays, which
 * only follow them) whose ids are new in the target and that are still
 * reachable (from any root: a module's variables are often held only by
 * system roots, the compiled code that closes over them). Each gets a key: the shape of its shortest retainer path
 * (lt_path_shape) mixed with its class (closures: their function name).
 * Sorting the suspects by key makes the groups. A group's retained size adds
 * the retained sizes of its objects, except an object whose nearest suspect
 * above it in the dominator tree is of the same group (a linked list counts
 * once, at its head): one pass over the dominator tree, top down, with a
 * queue (nothing recursive; the tree can be a million levels deep). A group
 * whose example path runs through an object of another big group is that
 * group's leak seen from inside (a record's own fields), not another one. */
#include "findings/baseline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devtools/distances.h"
#include "findings/holders.h"
#include "findings/paths.h"
#include "util/grow.h"

#define NO_GROUP UINT32_MAX

typedef struct suspect {
    uint64_t key;
    uint32_t node;
} suspect;

typedef struct group {
    uint32_t count, example;
    uint64_t retained;
} group;

typedef struct work {
    const lt_heap_view *v;
    suspect *suspects;
    uint32_t suspect_count, suspect_cap;
    group *groups;
    uint32_t group_count, group_cap;
    uint32_t *group_of; /* per node: its group, or NO_GROUP */
    uint32_t path[LT_PATH_MAX];
} work;

static int nomem(lt_error *err)
{
    return lt_error_set(err, LT_ENOMEM, "out of memory comparing three snapshots");
}

/* ---- id sets ---------------------------------------------------------------------- */

static int by_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int lt_baseline_ids_of(const lt_graph *g, lt_baseline_ids *out, lt_error *err)
{
    out->count = 0;
    if (!(out->id = malloc(((size_t)g->node_count + 1) * sizeof *out->id)))
        return lt_error_set(err, LT_ENOMEM, "out of memory keeping a snapshot's node ids");
    for (uint32_t v = 0; v < g->node_count; v++)
        out->id[v] = lt_graph_node_id(g, v);
    qsort(out->id, g->node_count, sizeof *out->id, by_id);
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->node_count; i++)
        if (!n || out->id[i] != out->id[n - 1])
            out->id[n++] = out->id[i];
    out->count = n;
    return 0;
}

void lt_baseline_ids_subtract(lt_baseline_ids *a, const lt_baseline_ids *b)
{
    uint32_t n = 0, j = 0;
    for (uint32_t i = 0; i < a->count; i++) {
        while (j < b->count && b->id[j] < a->id[i])
            j++;
        if (j == b->count || b->id[j] != a->id[i])
            a->id[n++] = a->id[i];
    }
    a->count = n;
}

int lt_baseline_ids_has(const lt_baseline_ids *s, uint32_t id)
{
    return s->count && bsearch(&id, s->id, s->count, sizeof *s->id, by_id) != NULL;
}

void lt_baseline_ids_free(lt_baseline_ids *s)
{
    free(s->id);
    memset(s, 0, sizeof *s);
}

/* ---- suspects and their groups ----------------------------------------------------- */

static int suspected(const lt_heap_view *v, const lt_baseline_ids *new_ids, uint32_t x)
{
    const lt_graph *g = v->g;
    int t = g->node_type[x];
    return (t == g->nt.object || t == g->nt.closure) && g->self_size[x] && v->distance[x] >= 0 &&
           !lt_holder_internal_class(lt_view_class(v, x)) && lt_baseline_ids_has(new_ids, lt_graph_node_id(g, x));
}

/* The path shape mixed with the class (a closure: its function name); a
 * path too deep to walk counts as one shape per class. */
static uint64_t suspect_key(work *w, uint32_t x)
{
    const lt_heap_view *v = w->v;
    uint32_t name = v->g->node_type[x] == v->g->nt.closure ? v->g->node_name[x] : lt_class_name(v->classes, v->g, x);
    uint32_t n = lt_retainer_path(v, x, w->path, LT_PATH_MAX);
    uint64_t shape = n ? lt_path_shape(v, w->path, n) : 0xdee9ull;
    return shape ^ ((uint64_t)name + 1) * 0x9e3779b97f4a7c15ull;
}

static int by_key(const void *a, const void *b)
{
    const suspect *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->node < y->node ? -1 : x->node > y->node;
}

static int collect_suspects(work *w, const lt_baseline_ids *new_ids, lt_error *err)
{
    for (uint32_t x = 0; x < w->v->g->node_count; x++) {
        if (!suspected(w->v, new_ids, x))
            continue;
        if (lt_grow(&w->suspects, &w->suspect_cap, w->suspect_count, sizeof *w->suspects, 1024))
            return nomem(err);
        w->suspects[w->suspect_count++] = (suspect){suspect_key(w, x), x};
    }
    if (w->suspect_count)
        qsort(w->suspects, w->suspect_count, sizeof *w->suspects, by_key);
    return 0;
}

static int make_groups(work *w, lt_error *err)
{
    if (!(w->group_of = malloc((size_t)w->v->g->node_count * sizeof *w->group_of)))
        return nomem(err);
    memset(w->group_of, 0xff, (size_t)w->v->g->node_count * sizeof *w->group_of);
    for (uint32_t i = 0; i < w->suspect_count; i++) {
        if (!i || w->suspects[i].key != w->suspects[i - 1].key) {
            if (lt_grow(&w->groups, &w->group_cap, w->group_count, sizeof *w->groups, 64))
                return nomem(err);
            w->groups[w->group_count++] = (group){.example = w->suspects[i].node};
        }
        w->groups[w->group_count - 1].count++;
        w->group_of[w->suspects[i].node] = w->group_count - 1;
    }
    return 0;
}

/* Top down over the dominator tree: near[x] is the group of x's nearest
 * suspect ancestor (see DESIGN). */
static int sum_retained(work *w, lt_error *err)
{
    const lt_dominator_tree *t = w->v->tree;
    uint32_t n = w->v->g->node_count, head = 0, tail = 0;
    uint32_t *queue = malloc((size_t)n * sizeof *queue), *near = malloc((size_t)n * sizeof *near);
    if (!queue || !near) {
        free(queue), free(near);
        return nomem(err);
    }
    queue[tail++] = w->v->g->root;
    near[w->v->g->root] = NO_GROUP;
    while (head < tail) {
        uint32_t x = queue[head++], own = w->group_of[x];
        uint32_t pass = own != NO_GROUP ? own : near[x];
        for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1] && tail < n; k++)
            if (t->dominated[k] != x)
                near[t->dominated[k]] = pass, queue[tail++] = t->dominated[k];
        if (own != NO_GROUP && near[x] != own)
            w->groups[own].retained += lt_retained(t, x);
    }
    free(queue);
    free(near);
    return 0;
}

/* ---- findings --------------------------------------------------------------------- */

/* True when the example's path runs through an object of another big group. */
static int explained(work *w, uint32_t gi)
{
    const lt_heap_view *v = w->v;
    uint32_t n = lt_retainer_path(v, w->groups[gi].example, w->path, LT_PATH_MAX);
    for (uint32_t i = 0; i + 1 < n; i++) {
        uint32_t other = w->group_of[lt_graph_edge_to(v->g, w->path[i])];
        if (other != NO_GROUP && other != gi && w->groups[other].count >= LT_BASELINE_MIN_COUNT)
            return 1;
    }
    return 0;
}

/* Steps of path[0..n) up to the holder (the target of path[at - 1]; the root
 * when 0): the object the code put the suspect in, past engine-internal
 * stores (a Map's table, a context) and suspects of the same group. */
static uint32_t holder_steps(const work *w, uint32_t gi, uint32_t n)
{
    const lt_heap_view *v = w->v;
    uint32_t at = n ? n - 1 : 0;
    for (; at > 0; at--) {
        uint32_t h = lt_graph_edge_to(v->g, w->path[at - 1]);
        int t = v->g->node_type[h];
        if (t != v->g->nt.array && t != v->g->nt.hidden && !lt_holder_internal_class(lt_view_class(v, h)) &&
            w->group_of[h] != gi)
            break;
    }
    return at;
}

static int report_group(work *w, uint32_t gi, lt_findings *out, lt_error *err)
{
    const lt_heap_view *v = w->v;
    const group *gr = &w->groups[gi];
    uint32_t n = lt_retainer_path(v, gr->example, w->path, LT_PATH_MAX), at = holder_steps(w, gi, n);
    uint32_t holder = at ? lt_graph_edge_to(v->g, w->path[at - 1]) : v->g->root;
    int closure = v->g->node_type[gr->example] == v->g->nt.closure;
    const char *what = closure ? lt_graph_node_name(v->g, gr->example) : lt_view_class(v, gr->example);
    const char *holder_class = at ? lt_view_class(v, holder) : "(GC roots)";
    char where[512], shape[512], count[32], size[32];
    lt_path_text(v, w->path, at, where, sizeof where);
    lt_path_text(v, w->path, n, shape, sizeof shape);
    lt_format_count(gr->count, count, sizeof count);
    lt_format_size(gr->retained, size, sizeof size);
    double share = v->total_size ? 100.0 * (double)gr->retained / (double)v->total_size : 0;
    char *title = lt_strdup_printf("%s `%s` %s created after the baseline are still alive in the final snapshot, "
                                   "held by `%s` %s (%s, %.1f%% of the heap)",
                                   count, what, closure ? "closures" : "objects", holder_class,
                                   n ? where : "(a path deeper than 256 steps)", size, share);
    char *fix = lt_strdup_printf("Each `%s` outlived the work that made it: take it out of `%s` %s when that work "
                                 "ends (delete the entry, remove the listener, clear the timer), or bound what "
                                 "`%s` keeps.",
                                 what, holder_class, where, holder_class);
    json_t *details =
        json_pack("{s:s, s:I, s:s, s:s, s:o, s:{s:I, s:I, s:s}}", "class", what, "count", (json_int_t)gr->count,
                  "holder_class", holder_class, "holder_path", where, "path", lt_path_json(v, w->path, n), "evidence",
                  "example_id", (json_int_t)lt_graph_node_id(v->g, gr->example), "holder_id",
                  (json_int_t)lt_graph_node_id(v->g, holder), "shape", shape);
    const char *parts[] = {what, holder_class, where};
    return lt_findings_add(out, LT_FINDING_LEAKED_SINCE_BASELINE, title, fix, gr->retained, v->total_size, details,
                           parts, 3, err);
}

static int report_groups(work *w, lt_baseline_stats *stats, lt_findings *out, lt_error *err)
{
    int rc = 0;
    for (uint32_t gi = 0; gi < w->group_count && !rc; gi++) {
        if (w->groups[gi].count < LT_BASELINE_MIN_COUNT || explained(w, gi))
            continue;
        rc = report_group(w, gi, out, err);
        stats->reported += !rc;
    }
    return rc;
}

int lt_baseline_find(const lt_heap_view *v, const lt_baseline_ids *new_ids, lt_baseline_stats *stats, lt_findings *out,
                     lt_error *err)
{
    work w = {.v = v};
    stats->new_in_target = new_ids->count;
    stats->still_alive = stats->groups = stats->reported = 0;
    int rc = new_ids->count ? collect_suspects(&w, new_ids, err) : 0;
    if (!rc && w.suspect_count)
        rc = make_groups(&w, err);
    if (!rc && w.group_count)
        rc = sum_retained(&w, err);
    stats->still_alive = w.suspect_count;
    stats->groups = w.group_count;
    if (!rc)
        rc = report_groups(&w, stats, out, err);
    free(w.suspects);
    free(w.groups);
    free(w.group_of);
    return rc;
}
