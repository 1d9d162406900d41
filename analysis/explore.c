/* explore: the tree summary and the classes as rows (see include/explore.h).
 * A top-level module: it reads the result's fields (analysis_result.h) and
 * turns the findings layer's summary into the public, self-describing row. */
#include "explore.h"

#include <stdio.h>
#include <string.h>

#include "analysis_result.h"
#include "devtools/distances.h"
#include "findings/functions.h"

static const char *const row_kinds[] = {
    [LT_TREE_NODE] = "node",
    [LT_TREE_MORE] = "more",
    [LT_TREE_CHAIN] = "chain",
    [LT_TREE_PATH] = "path",
};

/* Bytes of the valid UTF-8 character at s (1..4), or 0 when invalid. */
static size_t utf8_length(const unsigned char *s)
{
    size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 2 && s[0] < 0xc2)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* Appends src to dst (cap bytes, NUL-terminated, *at used): whole characters
 * only, invalid bytes as '?'. */
static void append_text(char *dst, size_t cap, size_t *at, const char *src)
{
    const unsigned char *s = (const unsigned char *)src;
    while (*s) {
        size_t n = utf8_length(s);
        if (*at + (n ? n : 1) >= cap)
            break;
        if (n)
            memcpy(dst + *at, s, n);
        else
            dst[*at] = '?';
        *at += n ? n : 1;
        s += n ? n : 1;
    }
    dst[*at] = '\0';
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t at = 0;
    append_text(dst, cap, &at, src);
}

/* "system / Context → Promise → system / PromiseReaction": a chain row's
 * period, by node names (closures by their function's name). */
static void period_text(const lt_analysis *a, const lt_tree_row *r, char *dst, size_t cap)
{
    size_t at = 0;
    dst[0] = '\0';
    for (uint32_t i = 0; i < r->period; i++) {
        if (i)
            append_text(dst, cap, &at, " \xe2\x86\x92 ");
        append_text(dst, cap, &at, lt_graph_string(a->graph, a->summary.period_names[r->period_first + i]));
    }
}

/* The path edge's label: a property, variable or internal name; "[n]" for
 * element and hidden edges. */
static void edge_text(const lt_graph *g, uint32_t e, char *dst, size_t cap)
{
    char number[16];
    dst[0] = '\0';
    if (e == LT_NO_EDGE)
        return;
    const char *name = lt_graph_edge_name(g, e, number, sizeof number);
    if (name == number)
        snprintf(dst, cap, "[%s]", number);
    else
        copy_text(dst, cap, name);
}

uint32_t lt_explore_row_count(const lt_analysis *a)
{
    return a->summary.count;
}

uint64_t lt_explore_min_retained(const lt_analysis *a)
{
    return a->summary.min_retained;
}

int lt_explore_truncated(const lt_analysis *a)
{
    return a->summary.truncated;
}

static void node_fields(const lt_analysis *a, uint32_t x, lt_explore_row *out)
{
    const lt_graph *g = a->graph;
    out->has_node = 1;
    out->id = lt_graph_node_id(g, x);
    out->type = lt_graph_node_type_name(g, x);
    out->self_size = g->self_size[x];
    out->retained_size = lt_retained(&a->tree, x);
    out->distance = a->distance[x];
}

void lt_explore_row_get(const lt_analysis *a, uint32_t i, lt_explore_row *out)
{
    const lt_tree_row *r = &a->summary.rows[i];
    *out = (lt_explore_row){.row = i,
                            .tree_parent = r->tree_parent,
                            .child_count = r->child_count,
                            .path_parent = r->path_parent,
                            .path_skipped = r->path_skipped,
                            .kind = row_kinds[r->kind],
                            .type = "",
                            .count = r->count};
    out->class_name = r->class_name != LT_TREE_NONE ? lt_graph_string(a->graph, r->class_name) : "";
    if (r->node != LT_TREE_NONE)
        node_fields(a, r->node, out);
    if (r->kind == LT_TREE_CHAIN)
        period_text(a, r, out->name, sizeof out->name);
    else if (r->node != LT_TREE_NONE)
        copy_text(out->name, sizeof out->name, lt_graph_node_name(a->graph, r->node));
    if (r->kind == LT_TREE_MORE || r->kind == LT_TREE_CHAIN)
        out->retained_size = r->size;
    edge_text(a->graph, r->path_edge, out->edge, sizeof out->edge);
}

uint32_t lt_explore_class_count(const lt_analysis *a)
{
    return a->classes.count;
}

void lt_explore_class_get(const lt_analysis *a, uint32_t i, lt_explore_class *out)
{
    const lt_class *c = &a->classes.items[i];
    memset(out, 0, sizeof *out);
    out->class_name = lt_graph_string(a->graph, c->name);
    lt_classes_key(a->graph, c, out->key, sizeof out->key);
    out->count = c->count;
    out->shallow_size = c->shallow_size;
    out->retained_size = c->retained_size;
    out->distance = c->distance;
    uint32_t script = a->class_script ? a->class_script[i] : LT_NO_FUNCTION;
    out->script = script != LT_NO_FUNCTION ? lt_graph_node_name(a->graph, script) : "";
    if (c->has_location) {
        out->line = c->line + 1;
        out->column = c->column + 1;
    }
}
