#include "findings/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devtools/distances.h"
#include "findings/findings.h"
#include "util/hash.h"
#include "util/json_build.h"

uint32_t lt_retainer_path(const lt_heap_view *v, uint32_t node, uint32_t *out, uint32_t max)
{
    uint32_t tmp[LT_PATH_MAX], n = 0;
    if (max > LT_PATH_MAX)
        max = LT_PATH_MAX;
    uint32_t at = node;
    while (at != v->g->root && v->parent_edge[at] != LT_NO_EDGE) {
        if (n == max)
            return 0; /* deeper than max: inside a long chain, not a path to show */
        uint32_t e = v->parent_edge[at];
        tmp[n++] = e;
        at = lt_graph_edge_source(v->g, e);
    }
    if (at != v->g->root)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

void lt_edge_label(const lt_graph *g, uint32_t e, char *buf, size_t len)
{
    unsigned t = lt_graph_edge_type(g, e);
    if (!lt_graph_edge_has_string_name(g, t) || all_digits(lt_graph_string(g, lt_graph_edge_name_at(g, e)))) {
        snprintf(buf, len, "[]");
        return;
    }
    snprintf(buf, len, "%s", lt_graph_string(g, lt_graph_edge_name_at(g, e)));
}

json_t *lt_path_json(const lt_heap_view *v, const uint32_t *edges, uint32_t count)
{
    json_t *list = json_array();
    for (uint32_t i = 0; list && i < count; i++) {
        lt_edge e = lt_graph_edge(v->g, edges[i]);
        char name[128];
        const char *label = lt_graph_edge_name(v->g, edges[i], name, sizeof name);
        lt_json_append(&list,
                       json_pack("{s:s, s:s, s:I, s:s, s:s, s:o}", "edge", label, "edge_type",
                                 v->g->edge_type_names[lt_edge_type(e)], "id", (json_int_t)lt_graph_node_id(v->g, e.to),
                                 "type", lt_graph_node_type_name(v->g, e.to), "class", lt_view_class(v, e.to), "name",
                                 lt_json_name(lt_graph_node_name(v->g, e.to))));
    }
    return list;
}

void lt_path_text(const lt_heap_view *v, const uint32_t *edges, uint32_t count, char *buf, size_t len)
{
    /* start at the last user root (a step from the root), or right after the
     * last engine-internal node (a context, a native, a synthetic root) */
    uint32_t from = 0;
    int named_start = 0;
    for (uint32_t i = 0; i + 1 < count; i++) {
        uint32_t to = lt_graph_edge_to(v->g, edges[i]);
        int t = v->g->node_type[to];
        const char *cls = lt_view_class(v, to);
        if (lt_graph_edge_source(v->g, edges[i]) == v->g->root && t != v->g->nt.synthetic)
            from = i, named_start = 0;
        else if (t == v->g->nt.synthetic || t == v->g->nt.native || t == v->g->nt.hidden || t == v->g->nt.code ||
                 !strncmp(cls, "system /", 8) || cls[0] == '(')
            from = i + 1, named_start = 1;
    }
    size_t at = 0;
    buf[0] = '\0';
    for (uint32_t i = from; i < count && at + 1 < len; i++) {
        lt_edge e = lt_graph_edge(v->g, edges[i]);
        char label[96];
        lt_edge_label(v->g, edges[i], label, sizeof label);
        const char *sep = i == from ? "" : !strcmp(label, "[]") ? "" : ".";
        const char *text = i == from && !named_start ? lt_view_class(v, e.to) : label;
        at += (size_t)snprintf(buf + at, len - at, "%s%s", sep, text);
        if (at >= len)
            at = len - 1;
    }
}

static uint64_t step_hash(const lt_heap_view *v, uint32_t edge)
{
    lt_edge e = lt_graph_edge(v->g, edge);
    char label[96];
    lt_edge_label(v->g, edge, label, sizeof label);
    uint64_t h = lt_hash_word(lt_hash_str(LT_HASH_SEED, lt_view_class(v, e.to)), 0xff);
    return lt_hash_str(h, label);
}

uint64_t lt_path_shape(const lt_heap_view *v, const uint32_t *edges, uint32_t count)
{
    return lt_path_shape_memo(v, NULL, edges, count);
}

static uint64_t memo_step_hash(const lt_heap_view *v, lt_step_memo *memo, uint32_t edge)
{
    if (!memo)
        return step_hash(v, edge);
    uint32_t slot = (uint32_t)(lt_hash_word(LT_HASH_SEED, edge) % LT_STEP_MEMO_SLOTS);
    if (memo->edge_plus_one[slot] != edge + 1u) {
        memo->edge_plus_one[slot] = edge + 1u;
        memo->hash[slot] = step_hash(v, edge);
    }
    return memo->hash[slot];
}

uint64_t lt_path_shape_memo(const lt_heap_view *v, lt_step_memo *memo, const uint32_t *edges, uint32_t count)
{
    uint64_t steps[LT_PATH_MAX];
    uint32_t n = count < LT_PATH_MAX ? count : LT_PATH_MAX;
    for (uint32_t i = 0; i < n; i++)
        steps[i] = memo_step_hash(v, memo, edges[i]);
    uint64_t h = LT_HASH_SEED;
    for (uint32_t i = 0; i < n;) {
        uint32_t block = 0;
        for (uint32_t b = 1; b <= 4 && !block; b++) /* a block repeated right after itself */
            if (i + 2 * b <= n && !memcmp(steps + i, steps + i + b, b * sizeof *steps))
                block = b;
        uint32_t len = block ? block : 1;
        for (uint32_t k = 0; k < len; k++)
            h = lt_hash_word(h, steps[i + k]);
        if (!block) {
            i++;
            continue;
        }
        i += block;
        while (i + block <= n && !memcmp(steps + i, steps + i - block, block * sizeof *steps))
            i += block;
        h = lt_hash_word(h, 0x5eed); /* "repeated" marker, count left out */
    }
    return h;
}

/* ---- preferred paths ------------------------------------------------------------ */

#define DETOUR_MAX 4096

typedef struct detour {
    uint32_t from; /* the retainer */
    uint32_t edge; /* its edge into a node on a shortest path */
} detour;

void lt_path_book_add(lt_path_book *b, uint32_t node)
{
    for (uint32_t i = 0; i < b->count; i++)
        if (b->node[i] == node)
            return;
    if (b->count < LT_PATH_BOOK_MAX)
        b->node[b->count++] = node;
}

/* 1 when a step names nothing the code wrote: not a named property, not a
 * context slot (module or closure variable). */
static uint32_t unnamed_step(const lt_graph *g, uint32_t edge)
{
    lt_edge e = lt_graph_edge(g, edge);
    int t = (int)lt_edge_type(e);
    return (t != g->et.property && t != g->et.context) ||
           all_digits(lt_graph_string(g, lt_graph_edge_name_at(g, edge)));
}

static uint32_t unnamed_steps(const lt_graph *g, const uint32_t *path, uint32_t from, uint32_t n)
{
    uint32_t count = 0;
    for (uint32_t i = from; i < n; i++)
        count += unnamed_step(g, path[i]);
    return count;
}

/* The step k of path whose target is node, or UINT32_MAX. */
static uint32_t step_into(const lt_graph *g, const uint32_t *path, uint32_t n, uint32_t node)
{
    for (uint32_t k = 0; k < n; k++)
        if (lt_graph_edge_to(g, path[k]) == node)
            return k;
    return UINT32_MAX;
}

/* True when head (a path to a detour's retainer) passes a node of path[k..n). */
static int crosses(const lt_graph *g, const uint32_t *head, uint32_t m, const uint32_t *path, uint32_t k, uint32_t n)
{
    for (uint32_t i = 0; i < m; i++)
        if (step_into(g, path + k, n - k, lt_graph_edge_to(g, head[i])) != UINT32_MAX)
            return 1;
    return 0;
}

typedef struct choice {
    uint32_t score, len, at, edge, from;
} choice;

/* Replaces path p (n steps) by its best detour, if one is better. */
static uint32_t take_best_detour(const lt_heap_view *v, uint32_t *p, uint32_t n, const detour *d, uint32_t count)
{
    const lt_graph *g = v->g;
    uint32_t head[LT_PATH_MAX];
    choice best = {unnamed_steps(g, p, 0, n), n, UINT32_MAX, 0, 0};
    for (uint32_t i = 0; i < count && best.score; i++) {
        uint32_t k = step_into(g, p, n, lt_graph_edge_to(g, d[i].edge));
        if (k == UINT32_MAX || k == 0 || p[k] == d[i].edge)
            continue;
        uint32_t m = lt_retainer_path(v, d[i].from, head, LT_PATH_MAX);
        uint32_t len = m + 1 + (n - 1 - k);
        if (!m || len > n + LT_PATH_SLACK || len > LT_PATH_MAX || crosses(g, head, m, p, k, n))
            continue;
        uint32_t score = unnamed_steps(g, head, 0, m) + unnamed_step(g, d[i].edge) + unnamed_steps(g, p, k + 1, n);
        if (score < best.score || (score == best.score && len < best.len))
            best = (choice){score, len, k, d[i].edge, d[i].from};
    }
    if (best.at == UINT32_MAX)
        return n;
    uint32_t m = lt_retainer_path(v, best.from, head, LT_PATH_MAX);
    memmove(p + m + 1, p + best.at + 1, (n - 1 - best.at) * sizeof *p);
    memcpy(p, head, m * sizeof *p);
    p[m] = best.edge;
    return best.len;
}

/* One pass over the edges: retainers of the marked nodes that could start a
 * detour at most LT_PATH_SLACK steps longer (weak and shortcut edges aside). */
static uint32_t find_detours(const lt_heap_view *v, const uint64_t *marked, detour *out)
{
    const lt_graph *g = v->g;
    uint32_t n = 0;
    /* every edge in order (by source, as a walk node by node would give them), its
     * target's bit first: only the few into marked nodes need their source */
    for (uint32_t e = 0; e < g->edge_count && n < DETOUR_MAX; e++) {
        lt_edge edge = lt_graph_edge(g, e);
        int t = (int)lt_edge_type(edge);
        if (!lt_bit_get(marked, edge.to) || t == g->et.weak || t == g->et.shortcut)
            continue;
        uint32_t u = lt_graph_edge_source(g, e);
        int32_t du = v->distance[u];
        if (du < 1 || du >= LT_DISTANCE_SYSTEM_BASE || du > v->distance[edge.to] - 1 + LT_PATH_SLACK)
            continue;
        out[n++] = (detour){u, e};
    }
    return n;
}

int lt_path_book_fill(const lt_heap_view *v, lt_path_book *b, lt_error *err)
{
    uint32_t improvable = 0;
    if (!b->count || !(b->path = malloc(b->count * sizeof *b->path)))
        return b->count ? lt_error_set(err, LT_ENOMEM, "out of memory finding retainer paths") : 0;
    for (uint32_t i = 0; i < b->count; i++) {
        b->len[i] = lt_retainer_path(v, b->node[i], b->path[i], LT_PATH_MAX);
        improvable += unnamed_steps(v->g, b->path[i], 0, b->len[i]) > 0;
    }
    if (!improvable)
        return 0; /* every path is named already: no pass over the edges */
    uint64_t *marked = calloc(((size_t)v->g->node_count + 63) / 64, sizeof *marked);
    detour *detours = malloc(DETOUR_MAX * sizeof *detours);
    if (!marked || !detours) {
        free(marked), free(detours);
        return lt_error_set(err, LT_ENOMEM, "out of memory finding retainer paths");
    }
    for (uint32_t i = 0; i < b->count; i++)
        for (uint32_t k = 1; k < b->len[i]; k++)
            lt_bit_set(marked, lt_graph_edge_to(v->g, b->path[i][k]));
    uint32_t count = find_detours(v, marked, detours);
    for (uint32_t i = 0; i < b->count; i++)
        b->len[i] = take_best_detour(v, b->path[i], b->len[i], detours, count);
    free(marked);
    free(detours);
    return 0;
}

uint32_t lt_path_book_get(const lt_heap_view *v, const lt_path_book *b, uint32_t node, uint32_t *out, uint32_t max)
{
    for (uint32_t i = 0; b && b->path && i < b->count; i++)
        if (b->node[i] == node && b->len[i] <= max) {
            memcpy(out, b->path[i], b->len[i] * sizeof *out);
            return b->len[i];
        }
    return lt_retainer_path(v, node, out, max);
}

void lt_path_book_close(lt_path_book *b)
{
    free(b->path);
    memset(b, 0, sizeof *b);
}
