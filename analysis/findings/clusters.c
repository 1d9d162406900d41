/* DESIGN
 * Three views built on the dominator tree and the retainer paths:
 *   - the object cluster view: for the biggest retainers, what they dominate,
 *     by class, with runs of same-class siblings collapsed ("× N");
 *   - retainer-path clusters: for classes with many instances, a sample of
 *     their shortest paths from the roots grouped by shape (array elements and
 *     repeated segments collapsed); a big group held in a collection is one
 *     retainer_cluster finding ("5,000 `RequestRecord` objects held by `Map`
 *     __app.cache.map");
 *   - detached DOM: roots of detached subtrees grouped by the path that holds
 *     them, one detached_dom finding per group;
 * and large_retainer findings for single objects holding a large share of the
 * heap that no other finding explains (holders.c). */
#include "findings/clusters.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devtools/distances.h"
#include "findings/paths.h"
#include "util/grow.h"
#include "util/json_build.h"
#include "findings/holders.h"
#include "util/u32map.h"

#define VIEW_RETAINERS        10
#define VIEW_ROWS             20
#define CLUSTER_MIN_INSTANCES 1000
#define CLUSTER_SAMPLE        20000
#define CLUSTER_MIN_PERCENT   1.0
#define DETACHED_MIN          20

static double percent(const lt_heap_view *v, uint64_t bytes)
{
    return v->total_size ? 100.0 * (double)bytes / (double)v->total_size : 0;
}

/* ---- the object cluster view --------------------------------------------- */

static json_t *children_view(const lt_heap_view *v, uint32_t x)
{
    const lt_dominator_tree *t = v->tree;
    json_t *runs = json_array();
    uint32_t k = t->first_dominated[x], end = t->first_dominated[x + 1];
    while (runs && k < end && json_array_size(runs) < VIEW_ROWS) {
        uint32_t c = t->dominated[k], name = lt_class_name(v->classes, v->g, c), count = 0;
        uint64_t retained = 0;
        for (; k < end && lt_class_name(v->classes, v->g, t->dominated[k]) == name; k++, count++)
            retained += lt_retained(t, t->dominated[k]);
        lt_json_append(&runs, json_pack("{s:s, s:I, s:I, s:I}", "class", lt_view_class(v, c), "count",
                                        (json_int_t)count, "retained_size", (json_int_t)retained, "first_id",
                                        (json_int_t)lt_graph_node_id(v->g, c)));
    }
    return runs;
}

static json_t *by_class_view(const lt_heap_view *v, uint32_t x)
{
    const lt_dominator_tree *t = v->tree;
    lt_u32map slot;
    uint32_t names[64], counts[64], n = 0;
    uint64_t sizes[64];
    if (lt_u32map_init(&slot))
        return NULL;
    for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1]; k++) {
        uint32_t c = t->dominated[k], name = lt_class_name(v->classes, v->g, c), i;
        if (!lt_u32map_get(&slot, name, &i)) {
            if (n == 64)
                continue;
            if (lt_u32map_put(&slot, name, n)) {
                lt_u32map_free(&slot);
                return NULL;
            }
            i = n++;
            names[i] = name, counts[i] = 0, sizes[i] = 0;
        }
        counts[i]++;
        sizes[i] += lt_retained(t, c);
    }
    lt_u32map_free(&slot);
    json_t *rows = json_array();
    for (uint32_t r = 0; rows && r < n && r < 10; r++) { /* largest first */
        uint32_t best = r;
        for (uint32_t i = r + 1; i < n; i++)
            if (sizes[i] > sizes[best])
                best = i;
        uint32_t tn = names[r], tc = counts[r];
        uint64_t ts = sizes[r];
        names[r] = names[best], counts[r] = counts[best], sizes[r] = sizes[best];
        names[best] = tn, counts[best] = tc, sizes[best] = ts;
        lt_json_append(&rows, json_pack("{s:s, s:I, s:I}", "class", lt_graph_string(v->g, names[r]), "count",
                                        (json_int_t)counts[r], "retained_size", (json_int_t)sizes[r]));
    }
    return rows;
}

static json_t *cluster_view(const lt_heap_view *v, const uint32_t *top, uint32_t n)
{
    json_t *list = json_array();
    for (uint32_t i = 0; list && i < n; i++) {
        uint32_t x = top[i];
        lt_json_append(&list, json_pack("{s:I, s:s, s:o, s:I, s:f, s:I, s:o, s:o}", "id",
                                        (json_int_t)lt_graph_node_id(v->g, x), "class", lt_view_class(v, x), "name",
                                        lt_json_name(lt_graph_node_name(v->g, x)), "retained_size",
                                        (json_int_t)lt_retained(v->tree, x), "retained_percent",
                                        (double)(int64_t)(percent(v, lt_retained(v->tree, x)) * 100 + 0.5) / 100,
                                        "dominated_count",
                                        (json_int_t)(v->tree->first_dominated[x + 1] - v->tree->first_dominated[x]),
                                        "by_class", by_class_view(v, x), "children", children_view(v, x)));
    }
    return list;
}

/* ---- retainer-path clusters ----------------------------------------------- */

typedef struct group {
    uint64_t shape;
    uint32_t count;
    uint32_t example;
} group;

typedef struct cluster {
    uint32_t holder, example, estimated;
    int named;      /* a constructor's name, not an inferred {a, b} or Object */
    uint32_t depth; /* steps from the holder to the instance */
} cluster;

struct lt_cluster_scan {
    struct cluster_work *work;
};

typedef struct group_list {
    group *items;
    uint32_t count, cap;
} group_list;

/* A class with enough instances to look at: every step-th instance's retainer path
 * is grouped by shape; big groups are candidate clusters. */
typedef struct candidate {
    uint32_t name, instances, step, seen, sampled;
    group_list groups;
} candidate;

typedef struct cluster_work {
    const lt_heap_view *v; /* the caller's view of the moment (lt_clusters_sample: no tree yet) */
    candidate *cands;      /* lt_clusters_sample's, until lt_clusters_scan weighs them */
    uint32_t cand_count;
    /* the sampling under way: per string, 1 + the index of its candidate or 0 (NULL before
     * the candidates are chosen and once every node is looked at), the next node to look
     * at, and the memo of step hashes */
    uint32_t *candidate_of;
    uint32_t next_node;
    int sampled; /* every node looked at */
    lt_step_memo *memo;
    cluster *clusters;
    uint32_t cluster_count, cluster_cap;
    uint32_t top[VIEW_RETAINERS]; /* the biggest retainers, largest first */
    uint32_t top_count;
    uint32_t chain_heads[16]; /* heads of the chains found: what they hold is explained */
    uint32_t chain_head_count;
    uint32_t path[LT_PATH_MAX];
} cluster_work;

static int add_to_group(group_list *l, uint64_t shape, uint32_t node)
{
    for (uint32_t i = 0; i < l->count; i++)
        if (l->items[i].shape == shape) {
            l->items[i].count++;
            return 0;
        }
    if (lt_grow(&l->items, &l->cap, l->count, sizeof *l->items, 64))
        return LT_ENOMEM;
    l->items[l->count++] = (group){shape, 1, node};
    return 0;
}

/* The collection holding the node: the source of the path's last element-like
 * step; an internal backing store (a Map's table) gives way to its owner.
 * Returns the index in the path of the step into the holder, or -1. */
static int holder_step(const lt_heap_view *v, const uint32_t *path, uint32_t n)
{
    for (int i = (int)n - 1; i >= 1; i--) {
        char label[96];
        lt_edge_label(v->g, path[i], label, sizeof label);
        if (strcmp(label, "[]"))
            continue;
        int at = i - 1; /* path[at] leads into the collection */
        uint32_t holder = lt_graph_edge_to(v->g, path[at]);
        if (at >= 1 && (v->g->node_type[holder] == v->g->nt.array || v->g->node_type[holder] == v->g->nt.hidden) &&
            (int)lt_graph_edge_type(v->g, path[at]) == v->g->et.internal)
            at--;
        return at;
    }
    return -1;
}

/* True when x lies under the head of a chain (walking up the dominator tree). */
static int under_chain(const cluster_work *w, uint32_t x)
{
    if (!w->chain_head_count)
        return 0;
    for (uint32_t up = x, steps = 0; steps < 10000000; up = w->v->tree->dominator[up], steps++) {
        for (uint32_t i = 0; i < w->chain_head_count; i++)
            if (up == w->chain_heads[i])
                return 1;
        if (up == w->v->g->root)
            return 0;
    }
    return 0;
}

static int add_cluster(cluster_work *w, cluster c)
{
    for (uint32_t i = 0; i < w->cluster_count; i++) { /* one per holder: a named class, then the most */
        cluster *o = &w->clusters[i];
        if (o->holder != c.holder)
            continue;
        if (c.named > o->named || (c.named == o->named && c.depth < o->depth) ||
            (c.named == o->named && c.depth == o->depth && c.estimated > o->estimated))
            *o = c;
        return 0;
    }
    if (lt_grow(&w->clusters, &w->cluster_cap, w->cluster_count, sizeof *w->clusters, 16))
        return LT_ENOMEM;
    w->clusters[w->cluster_count++] = c;
    return 0;
}

/* A group becomes a cluster when it is held in one user-land collection that
 * holds at least 1% of the heap, outside any chain. */
static int consider_group(cluster_work *w, const group *gr, uint32_t instances, uint32_t sampled)
{
    const lt_heap_view *v = w->v;
    uint32_t n = lt_retainer_path(v, gr->example, w->path, LT_PATH_MAX);
    int at = holder_step(v, w->path, n);
    if (at < 0)
        return 0;
    uint32_t holder = lt_graph_edge_to(v->g, w->path[at]);
    if (lt_holder_internal_class(lt_view_class(v, holder)) || v->distance[holder] >= LT_DISTANCE_SYSTEM_BASE ||
        percent(v, lt_retained(v->tree, holder)) < CLUSTER_MIN_PERCENT)
        return 0;
    const char *cls = lt_view_class(v, gr->example);
    int closure = v->g->node_type[gr->example] == v->g->nt.closure;
    cluster c = {holder, gr->example, (uint32_t)((uint64_t)gr->count * instances / sampled),
                 !closure && cls[0] != '{' && strcmp(cls, "Object"), n - (uint32_t)at};
    return add_cluster(w, c);
}

static const char *collection_fix(const char *holder_class)
{
    if (!strcmp(holder_class, "Map") || !strcmp(holder_class, "Set"))
        return "Delete entries when they are no longer needed, or bound the collection (an LRU with a size limit, "
               "or a WeakMap keyed by the owner).";
    return "Remove the entries when they are no longer needed (for listeners: removeListener/off, or once), or bound "
           "the collection's size.";
}

static int report_cluster(cluster_work *w, const cluster *c, const lt_path_book *paths, lt_findings *out, lt_error *err)
{
    const lt_heap_view *v = w->v;
    uint32_t n = lt_path_book_get(v, paths, c->example, w->path, LT_PATH_MAX);
    int at = holder_step(v, w->path, n);
    if (at < 0 || lt_graph_edge_to(v->g, w->path[at]) != c->holder) { /* the detour went round the holder */
        n = lt_retainer_path(v, c->example, w->path, LT_PATH_MAX);
        at = holder_step(v, w->path, n);
    }
    const char *holder_class = lt_view_class(v, c->holder);
    int closure = v->g->node_type[c->example] == v->g->nt.closure;
    const char *what = closure ? lt_graph_node_name(v->g, c->example) : lt_view_class(v, c->example);
    char where[512], count[32], size[32], shape[512];
    lt_path_text(v, w->path, (uint32_t)at + 1, where, sizeof where);
    lt_path_text(v, w->path, n, shape, sizeof shape);
    lt_format_count(c->estimated, count, sizeof count);
    uint64_t retained = lt_retained(v->tree, c->holder);
    lt_format_size(retained, size, sizeof size);
    char *title = lt_strdup_printf("%s `%s` %s held by `%s` %s (%s, %.1f%% of the heap)", count, what,
                                   closure ? "closures" : "objects", holder_class, where, size, percent(v, retained));
    json_t *details =
        json_pack("{s:s, s:I, s:s, s:s, s:o, s:{s:I, s:I, s:s}}", "class", what, "count", (json_int_t)c->estimated,
                  "holder_class", holder_class, "holder_path", where, "path", lt_path_json(v, w->path, n), "evidence",
                  "example_id", (json_int_t)lt_graph_node_id(v->g, c->example), "holder_id",
                  (json_int_t)lt_graph_node_id(v->g, c->holder), "shape", shape);
    const char *parts[] = {what, holder_class, where};
    return lt_findings_add(out, LT_FINDING_RETAINER_CLUSTER, title, strdup(collection_fix(holder_class)), retained,
                           v->total_size, details, parts, 3, err);
}

/* The key instances are counted and sampled by: closures by their own name, other
 * nodes by their class. */
static uint32_t class_key(const lt_heap_view *v, uint32_t x)
{
    return v->g->node_type[x] == v->g->nt.closure ? v->g->node_name[x] : lt_class_name(v->classes, v->g, x);
}

/* Instances per class name (objects and named closures only) into count (per string
 * index); the names counted, in order of first instance, into order (count of them
 * in *n). */
static void count_instances(const lt_heap_view *v, uint32_t *count, uint32_t *order, uint32_t *n)
{
    const lt_graph *g = v->g;
    for (uint32_t x = 0; x < g->node_count; x++) {
        int t = g->node_type[x];
        if (!g->self_size[x] || (t != g->nt.object && t != g->nt.closure))
            continue;
        uint32_t name = class_key(v, x);
        if (t == g->nt.closure && !*lt_graph_string(g, name)) /* anonymous closures say nothing */
            continue;
        if (!count[name]++)
            order[(*n)++] = name;
    }
}

#define SAMPLE_SLICE 4096 /* nodes between two looks at the stop flag */

/* One pass over the nodes samples the instances of every candidate class, from
 * w->next_node on, until every node is looked at or *stop (may be NULL) is set: looked at
 * from the second slice on, so that each call gets on by one slice at least. */
static int sample_paths(cluster_work *w, atomic_int *stop)
{
    const lt_heap_view *v = w->v;
    candidate *cands = w->cands;
    const uint32_t *candidate_of = w->candidate_of;
    lt_step_memo *memo = w->memo; /* NULL: no memo, the same shapes */
    const uint32_t from = w->next_node;
    for (uint32_t x = from; x < v->g->node_count; x++) {
        if (x != from && !(x % SAMPLE_SLICE) && stop && atomic_load_explicit(stop, memory_order_relaxed)) {
            w->next_node = x;
            return 0;
        }
        int t = v->g->node_type[x];
        uint32_t c;
        if (!v->g->self_size[x] || (t != v->g->nt.object && t != v->g->nt.closure) ||
            !(c = candidate_of[class_key(v, x)]))
            continue;
        candidate *cand = &cands[c - 1];
        if (cand->seen++ % cand->step)
            continue;
        if (v->distance[x] >= LT_PATH_MAX || v->distance[x] < 0) /* system-only or too deep */
            continue;
        uint32_t n = lt_retainer_path(v, x, w->path, LT_PATH_MAX);
        if (n && add_to_group(&cand->groups, lt_path_shape_memo(v, memo, w->path, n), x)) {
            w->next_node = x; /* x is counted as seen: it is not looked at again */
            return LT_ENOMEM;
        }
        cand->sampled++;
    }
    w->next_node = v->g->node_count;
    return 0;
}

/* Chooses the candidate classes (w->cands, in order of first instance; w->candidate_of). */
static int choose_candidates(cluster_work *w)
{
    const lt_graph *g = w->v->g;
    size_t strings = g->string_count ? g->string_count : 1;
    uint32_t *count = calloc(strings, sizeof *count), *order = malloc(strings * sizeof *order), names = 0;
    candidate *cands = NULL;
    uint32_t cand_count = 0;
    int rc = count && order ? 0 : LT_ENOMEM;
    if (!rc)
        count_instances(w->v, count, order, &names);
    for (uint32_t i = 0; i < names && !rc; i++) { /* count becomes candidate_of: 1 + index, or 0 */
        uint32_t name = order[i], instances = count[name];
        count[name] = 0;
        if (instances < CLUSTER_MIN_INSTANCES || lt_holder_internal_class(lt_graph_string(g, name)))
            continue;
        candidate *more = realloc(cands, (cand_count + 1) * sizeof *cands);
        if (!more) {
            rc = LT_ENOMEM;
            break;
        }
        cands = more;
        uint32_t step = instances > CLUSTER_SAMPLE ? instances / CLUSTER_SAMPLE + 1 : 1;
        cands[cand_count++] = (candidate){.name = name, .instances = instances, .step = step};
        count[name] = cand_count;
    }
    w->cands = cands; /* freed with w, whatever happened */
    w->cand_count = cand_count;
    w->candidate_of = count;
    free(order);
    return rc;
}

static void end_sampling(cluster_work *w)
{
    free(w->candidate_of);
    w->candidate_of = NULL;
    free(w->memo);
    w->memo = NULL;
    w->sampled = 1;
}

/* Samples the retainer paths of every class with enough instances into w->cands (see
 * lt_clusters_sample). Reads no dominator tree. */
static int sample_classes(cluster_work *w, atomic_int *stop, lt_error *err)
{
    int rc = 0;
    if (!w->candidate_of && !w->sampled) {
        rc = choose_candidates(w);
        w->memo = calloc(1, sizeof *w->memo);
    }
    if (!rc && !w->sampled && w->cand_count)
        rc = sample_paths(w, stop);
    if (rc || w->next_node == w->v->g->node_count || !w->cand_count)
        end_sampling(w);
    if (rc && err && !err->code)
        lt_error_set(err, LT_ENOMEM, "out of memory grouping retainer paths");
    return rc;
}

static void free_candidates(cluster_work *w)
{
    for (uint32_t c = 0; c < w->cand_count; c++)
        free(w->cands[c].groups.items);
    free(w->cands);
    w->cands = NULL;
    w->cand_count = 0;
}

/* Finds the candidate clusters among the sampled groups into w (no findings yet: chains
 * may explain them, see report_clusters). */
static int weigh_candidates(cluster_work *w, lt_error *err)
{
    int rc = 0;
    for (uint32_t c = 0; c < w->cand_count && !rc; c++) {
        const candidate *cand = &w->cands[c];
        for (uint32_t i = 0; i < cand->groups.count && !rc; i++) {
            const group *gr = &cand->groups.items[i];
            uint32_t sampled = cand->sampled ? cand->sampled : 1;
            if ((uint64_t)gr->count * cand->instances / sampled >= CLUSTER_MIN_INSTANCES)
                rc = consider_group(w, gr, cand->instances, cand->sampled);
        }
    }
    free_candidates(w);
    if (rc && err && !err->code)
        lt_error_set(err, LT_ENOMEM, "out of memory grouping retainer paths");
    return rc;
}

/* True when a big listener table holds x: its listeners' finding covers x. */
static int under_listener_table(const cluster_work *w, uint32_t x)
{
    uint32_t holders[VIEW_RETAINERS], n = lt_holders_big(w->v, w->top, w->top_count, holders);
    for (uint32_t i = 0; i < n; i++)
        if (lt_holder_is_listener_table(w->v, holders[i]) && lt_holder_dominates(w->v, holders[i], x))
            return 1;
    return 0;
}

static int reported(const cluster_work *w, const cluster *c)
{
    return !under_chain(w, c->holder) && !under_listener_table(w, c->holder);
}

/* Reports the candidates that no chain and no listener table explains. */
static int report_clusters(cluster_work *w, const lt_path_book *paths, lt_findings *out, lt_error *err)
{
    int rc = 0;
    for (uint32_t i = 0; i < w->cluster_count && !rc; i++)
        if (reported(w, &w->clusters[i]))
            rc = report_cluster(w, &w->clusters[i], paths, out, err);
    return rc;
}

/* The nodes whose paths the findings will show: the clusters' examples and
 * the big retainers' holders. */
static void book_paths(cluster_work *w, lt_path_book *paths)
{
    uint32_t holders[VIEW_RETAINERS], n = lt_holders_big(w->v, w->top, w->top_count, holders);
    for (uint32_t i = 0; i < w->cluster_count; i++)
        if (reported(w, &w->clusters[i]))
            lt_path_book_add(paths, w->clusters[i].example);
    for (uint32_t i = 0; i < n; i++)
        lt_path_book_add(paths, holders[i]);
}

/* ---- detached DOM --------------------------------------------------------- */

static int detached(const lt_graph *g, uint32_t x)
{
    return g->detachedness && g->detachedness[x] == 2 && g->node_type[x] == g->nt.native;
}

static int has_self_edge(const lt_graph *g, uint32_t x)
{
    for (uint32_t e = g->first_edge[x]; e < g->first_edge[x + 1]; e++)
        if (lt_graph_edge_to(g, e) == x && (int)lt_graph_edge_type(g, e) != g->et.weak)
            return 1;
    return 0;
}

/* A DOM node belongs to a tree scope (its document or shadow root), and Blink's
 * snapshot shows that as an edge; a tree scope is its own tree scope, so it has
 * an edge to itself. Detachedness on other embedder objects (node's file
 * handles, binding data, ...) is not detached DOM: they have no such edge. */
static int dom_node(const lt_graph *g, uint32_t x)
{
    for (uint32_t e = g->first_edge[x]; e < g->first_edge[x + 1]; e++) {
        uint32_t to = lt_graph_edge_to(g, e);
        if (to != x && g->node_type[to] == g->nt.native && (int)lt_graph_edge_type(g, e) != g->et.weak &&
            has_self_edge(g, to))
            return 1;
    }
    return 0;
}

/* Groups the roots of detached subtrees (detached nodes whose path parent is
 * not detached) by what holds them. */
static int detached_dom(const lt_heap_view *v, lt_findings *out, lt_error *err)
{
    const lt_graph *g = v->g;
    if (!g->detachedness)
        return 0;
    cluster_work w = {.v = v};
    group_list groups = {0};
    uint64_t *retained = NULL; /* per group */
    size_t retained_cap = 0;
    int rc = 0;
    for (uint32_t x = 0; x < g->node_count && !rc; x++) {
        if (!detached(g, x) || v->parent_edge[x] == LT_NO_EDGE ||
            detached(g, lt_graph_edge_source(g, v->parent_edge[x])) || !dom_node(g, x))
            continue;
        uint32_t n = lt_retainer_path(v, x, w.path, LT_PATH_MAX);
        uint64_t shape = lt_path_shape(v, w.path, n) ^ ((uint64_t)lt_class_name(v->classes, v->g, x) << 32);
        uint32_t before = groups.count;
        rc = n ? add_to_group(&groups, shape, x) : 0;
        if (!rc && groups.count > before &&
            !(rc = lt_reserve(&retained, &retained_cap, groups.count, sizeof *retained, 64)))
            retained[groups.count - 1] = 0;
        for (uint32_t i = 0; !rc && n && i < groups.count; i++)
            if (groups.items[i].shape == shape)
                retained[i] += lt_retained(v->tree, x);
    }
    for (uint32_t i = 0; !rc && i < groups.count; i++) {
        const group *gr = &groups.items[i];
        if (gr->count < DETACHED_MIN)
            continue;
        uint32_t n = lt_retainer_path(v, gr->example, w.path, LT_PATH_MAX);
        int at = (int)n - 2; /* the last step out of attached land leads into the holder */
        while (at > 0 && detached(g, lt_graph_edge_to(g, w.path[at])))
            at--;
        char where[512], count[32], size[32], shape[512];
        lt_path_text(v, w.path, at >= 0 ? (uint32_t)at + 1 : 0, where, sizeof where);
        lt_path_text(v, w.path, n, shape, sizeof shape);
        lt_format_count(gr->count, count, sizeof count);
        lt_format_size(retained[i], size, sizeof size);
        const char *cls = lt_view_class(v, gr->example);
        const char *element = !strncmp(cls, "Detached ", 9) ? cls + 9 : cls;
        char *title = lt_strdup_printf("%s detached `%s` elements held by %s (%s, %.1f%% of the heap)", count, element,
                                       *where ? where : "the roots", size, percent(v, retained[i]));
        char *fix = lt_strdup_printf("Drop the references to removed `%s` elements held by %s (or keep their data, not "
                                     "the elements), so the detached DOM can be collected.",
                                     element, *where ? where : "JavaScript");
        json_t *details = json_pack("{s:s, s:I, s:s, s:o, s:{s:I, s:s}}", "class", cls, "count", (json_int_t)gr->count,
                                    "holder_path", where, "path", lt_path_json(v, w.path, n), "evidence", "example_id",
                                    (json_int_t)lt_graph_node_id(g, gr->example), "shape", shape);
        const char *parts[] = {cls, shape};
        rc = lt_findings_add(out, LT_FINDING_DETACHED_DOM, title, fix, retained[i], v->total_size, details, parts, 2,
                             err);
    }
    free(groups.items);
    free(retained);
    if (rc && err && !err->code)
        lt_error_set(err, LT_ENOMEM, "out of memory grouping detached DOM");
    return rc;
}

/* Ordinals of the heads of the chains found so far. */
static uint32_t chain_heads(const lt_heap_view *v, const lt_findings *out, uint32_t *heads, uint32_t max)
{
    lt_holder_anchor anchors[32];
    uint32_t n = lt_holder_anchors(v, out, anchors, 32), found = 0;
    for (uint32_t i = 0; i < n && found < max; i++)
        if (anchors[i].chain && anchors[i].node != UINT32_MAX)
            heads[found++] = anchors[i].node;
    return found;
}

int lt_clusters_sample(const lt_heap_view *v, lt_cluster_scan **scan, atomic_int *stop, lt_error *err)
{
    if (!*scan) {
        *scan = calloc(1, sizeof **scan);
        cluster_work *w = *scan ? calloc(1, sizeof *w) : NULL;
        if (!w) {
            free(*scan);
            *scan = NULL;
            return lt_error_set(err, LT_ENOMEM, "out of memory sampling retainer paths");
        }
        (*scan)->work = w;
    }
    cluster_work *w = (*scan)->work;
    w->v = v;
    int rc = sample_classes(w, stop, err);
    w->v = NULL; /* the caller's view ends here */
    return rc;
}

int lt_clusters_scan(const lt_heap_view *v, lt_cluster_scan **scan, json_t **view, lt_findings *out, lt_error *err)
{
    *view = NULL;
    int rc = lt_clusters_sample(v, scan, NULL, err); /* the samples not taken yet */
    if (rc)
        return rc;
    cluster_work *w = (*scan)->work;
    w->v = v;
    w->top_count = lt_dominator_tree_top(v->tree, v->g->node_count, v->g->root, VIEW_RETAINERS, w->top);
    if (!(*view = cluster_view(v, w->top, w->top_count)))
        return lt_error_set(err, LT_ENOMEM, "out of memory describing the biggest retainers");
    rc = weigh_candidates(w, err);
    return rc ? rc : detached_dom(v, out, err);
}

int lt_clusters_report(const lt_heap_view *v, lt_cluster_scan *scan, lt_findings *out, lt_error *err)
{
    cluster_work *w = scan->work;
    w->v = v;
    w->chain_head_count = chain_heads(v, out, w->chain_heads, 16);
    lt_path_book paths = {0};
    book_paths(w, &paths);
    int rc = lt_path_book_fill(v, &paths, err);
    if (!rc)
        rc = report_clusters(w, &paths, out, err);
    if (!rc)
        rc = lt_holders_report(v, w->top, w->top_count, &paths, out, err);
    lt_path_book_close(&paths);
    return rc;
}

uint32_t lt_clusters_sampled(const lt_cluster_scan *scan, int *done)
{
    const cluster_work *w = scan->work;
    uint32_t paths = 0;
    for (uint32_t c = 0; c < w->cand_count; c++)
        paths += w->cands[c].sampled;
    *done = w->sampled;
    return paths;
}

void lt_cluster_scan_free(lt_cluster_scan *scan)
{
    if (!scan)
        return;
    free_candidates(scan->work);
    end_sampling(scan->work);
    free(scan->work->clusters);
    free(scan->work);
    free(scan);
}
