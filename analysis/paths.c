#include "paths.h"

#include <stdio.h>
#include <string.h>

#include "distances.h"
#include "findings.h"

uint32_t lt_edge_source(const lt_graph *g, uint32_t e)
{
    uint32_t lo = 0, hi = g->node_count; /* the last node whose first edge is <= e */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->first_edge[mid] <= e)
            lo = mid;
        else
            hi = mid;
    }
    while (lo + 1 < g->node_count && g->first_edge[lo + 1] <= e)
        lo++;
    return lo;
}

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
        at = lt_edge_source(v->g, e);
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
    unsigned t = lt_edge_type(g->edges[e]);
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
        lt_edge e = v->g->edges[edges[i]];
        char name[128];
        const char *label = lt_graph_edge_name(v->g, edges[i], name, sizeof name);
        json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:s, s:s, s:o}", "edge", label, "edge_type",
                                              v->g->edge_type_names[lt_edge_type(e)], "id",
                                              (json_int_t)v->g->node_id[e.to], "type",
                                              lt_graph_node_type_name(v->g, e.to), "class", lt_view_class(v, e.to),
                                              "name", lt_json_name(lt_graph_node_name(v->g, e.to))));
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
        uint32_t to = v->g->edges[edges[i]].to;
        int t = v->g->node_type[to];
        const char *cls = lt_view_class(v, to);
        if (lt_edge_source(v->g, edges[i]) == v->g->root && t != v->g->nt.synthetic)
            from = i, named_start = 0;
        else if (t == v->g->nt.synthetic || t == v->g->nt.native || t == v->g->nt.hidden || t == v->g->nt.code ||
                 !strncmp(cls, "system /", 8) || cls[0] == '(')
            from = i + 1, named_start = 1;
    }
    size_t at = 0;
    buf[0] = '\0';
    for (uint32_t i = from; i < count && at + 1 < len; i++) {
        lt_edge e = v->g->edges[edges[i]];
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
    lt_edge e = v->g->edges[edge];
    char label[96];
    lt_edge_label(v->g, edge, label, sizeof label);
    uint64_t h = 1469598103934665603ull;
    for (const char *s = lt_view_class(v, e.to); *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (const char *s = label; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

uint64_t lt_path_shape(const lt_heap_view *v, const uint32_t *edges, uint32_t count)
{
    uint64_t steps[LT_PATH_MAX];
    uint32_t n = count < LT_PATH_MAX ? count : LT_PATH_MAX;
    for (uint32_t i = 0; i < n; i++)
        steps[i] = step_hash(v, edges[i]);
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < n;) {
        uint32_t block = 0;
        for (uint32_t b = 1; b <= 4 && !block; b++) /* a block repeated right after itself */
            if (i + 2 * b <= n && !memcmp(steps + i, steps + i + b, b * sizeof *steps))
                block = b;
        uint32_t len = block ? block : 1;
        for (uint32_t k = 0; k < len; k++)
            h = (h ^ steps[i + k]) * 1099511628211ull;
        if (!block) {
            i++;
            continue;
        }
        i += block;
        while (i + block <= n && !memcmp(steps + i, steps + i - block, block * sizeof *steps))
            i += block;
        h = (h ^ 0x5eed) * 1099511628211ull; /* "repeated" marker, count left out */
    }
    return h;
}
