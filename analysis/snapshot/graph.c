#include "snapshot/graph.h"

#include "util/big_alloc.h"
#include "util/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lt_graph *lt_graph_new(uint32_t node_count, uint32_t edge_count, bool with_detachedness, lt_keep *keep, lt_error *err)
{
    lt_graph *g = calloc(1, sizeof *g);
    if (!g)
        goto fail_graph;
    g->node_count = node_count;
    g->edge_count = edge_count;
    g->keep = keep;
    size_t n = node_count ? node_count : 1;
    /* the reader backs these ahead of its parser (snapshot_header.c) */
    g->node_type = lt_keep_alloc_ahead(keep, n, 1);
    g->node_name = lt_keep_alloc_ahead(keep, n, sizeof(uint32_t));
    g->id_blocks = calloc(((size_t)node_count + LT_ID_BLOCK - 1) / LT_ID_BLOCK + 1, sizeof *g->id_blocks);
    g->self_size = lt_keep_alloc_ahead(keep, n, sizeof(uint32_t));
    g->first_edge = lt_keep_alloc_ahead(keep, n + 1, sizeof(uint32_t));
    g->edge_to_width = lt_index_width(node_count);
    g->edge_to = lt_keep_alloc_ahead(keep, lt_index_array_bytes(edge_count ? edge_count : 1, g->edge_to_width), 1);
    g->edge_wide = lt_keep_alloc_ahead(keep, edge_count ? edge_count : 1, sizeof(uint32_t));
    if (with_detachedness) /* zero pages: only nodes given a state are written (node: none) */
        g->detachedness = calloc(n, 1);
    if (!g->node_type || !g->node_name || !g->id_blocks || !g->self_size || !g->first_edge || !g->edge_to ||
        !g->edge_wide || (with_detachedness && !g->detachedness))
        goto fail_arrays;
    return g;

fail_arrays:
    lt_graph_free(g);
fail_graph:
    lt_error_set(err, LT_ENOMEM, "out of memory allocating a graph of %u nodes and %u edges", node_count, edge_count);
    return NULL;
}

void lt_graph_free(lt_graph *g)
{
    if (!g)
        return;
    size_t n = g->node_count ? g->node_count : 1;
    lt_keep_give(g->keep, g->node_type, n);
    lt_keep_give(g->keep, g->node_name, n * sizeof(uint32_t));
    lt_keep_give(g->keep, g->self_size, n * sizeof(uint32_t));
    lt_keep_give(g->keep, g->first_edge, (n + 1) * sizeof(uint32_t));
    size_t m = g->edge_count ? g->edge_count : 1;
    lt_keep_give(g->keep, g->edge_to, lt_index_array_bytes(m, g->edge_to_width));
    lt_keep_give(g->keep, g->edge_code, m * sizeof(uint16_t));
    lt_keep_give(g->keep, g->edge_wide, m * sizeof(uint32_t));
    free(g->edge_names);
    free(g->escape_name);
    free(g->escape_base);
    free(g->id_blocks);
    free(g->id_listed);
    free(g->detachedness);
    free(g->edge_source_hint);
    free(g->rare_names);
    free(g->string_offset);
    free(g->string_data);
    free(g->locations);
    free(g->positions);
    for (int i = 0; i < LT_MAX_TYPES; i++) {
        free(g->node_type_names[i]);
        free(g->edge_type_names[i]);
    }
    free(g);
}

void lt_graph_end_id_block(lt_graph *g, uint32_t b, uint32_t count)
{
    const uint32_t *id = g->id_pending;
    uint32_t step = count > 1 ? id[1] - id[0] : 0, k = 1;
    while (k < count && id[k] == id[0] + k * step)
        k++;
    if (k == count && !(step & LT_ID_LISTED)) {
        g->id_blocks[b] = (lt_id_block){id[0], step};
        return;
    }
    size_t at = (size_t)g->id_listed_blocks * LT_ID_BLOCK;
    if (lt_reserve(&g->id_listed, &g->id_listed_capacity, at + LT_ID_BLOCK, sizeof *g->id_listed, 16 * LT_ID_BLOCK)) {
        g->id_lost = true;
        g->id_blocks[b] = (lt_id_block){0, 0};
        return;
    }
    memcpy(g->id_listed + at, id, count * sizeof *id);
    g->id_blocks[b] = (lt_id_block){id[0], LT_ID_LISTED | g->id_listed_blocks++};
}

int lt_graph_ids_done(lt_graph *g)
{
    uint32_t rest = g->node_count & (LT_ID_BLOCK - 1);
    if (rest)
        lt_graph_end_id_block(g, g->node_count >> LT_ID_BLOCK_SHIFT, rest);
    return g->id_lost ? LT_ENOMEM : 0;
}

int64_t lt_graph_add_string(lt_graph *g, const char *s, size_t len)
{
    if (g->string_count >= UINT32_MAX - 1)
        return LT_ELIMIT;
    /* s may lie in string_data, which may move */
    bool inside = g->string_data && s >= g->string_data && s < g->string_data + g->string_data_size;
    size_t from = inside ? (size_t)(s - g->string_data) : 0;
    if (lt_reserve(&g->string_offset, &g->string_offset_capacity, (size_t)g->string_count + 2, sizeof *g->string_offset,
                   1024) ||
        lt_reserve(&g->string_data, &g->string_data_capacity, g->string_data_size + len + 1, 1, 1 << 16))
        return LT_ENOMEM;
    if (inside)
        s = g->string_data + from;
    if (!g->string_count)
        g->string_offset[0] = 0;
    memcpy(g->string_data + g->string_data_size, s, len);
    g->string_data[g->string_data_size + len] = '\0';
    g->string_data_size += len + 1;
    g->string_offset[++g->string_count] = g->string_data_size;
    return (int64_t)g->string_count - 1;
}

bool lt_graph_location(const lt_graph *g, uint32_t node, lt_location *out)
{
    uint32_t lo = 0, hi = g->location_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->locations[mid].node < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == g->location_count || g->locations[lo].node != node)
        return false;
    if (out)
        *out = lt_graph_location_at(g, lo);
    return true;
}

int lt_graph_add_rare_name(lt_graph *g, uint32_t e, uint32_t name)
{
    if (lt_grow(&g->rare_names, &g->rare_name_capacity, g->rare_name_count, sizeof *g->rare_names, 64))
        return LT_ENOMEM;
    g->rare_names[g->rare_name_count++] = (lt_rare_name){e, name};
    return 0;
}

int lt_graph_set_edge(lt_graph *g, uint32_t e, uint32_t to, unsigned type, uint32_t name)
{
    lt_index_set(lt_index_array_at(g->edge_to, g->edge_to_width), e, to);
    g->edge_wide[e] = (name < LT_EDGE_NAME_ESCAPE ? name : LT_EDGE_NAME_ESCAPE) << LT_EDGE_TYPE_BITS | type;
    return name < LT_EDGE_NAME_ESCAPE ? 0 : lt_graph_add_rare_name(g, e, name);
}

const char *lt_graph_edge_name(const lt_graph *g, uint32_t e, char *buf, size_t buf_len)
{
    uint32_t name = lt_graph_edge_name_at(g, e);
    if (lt_graph_edge_has_string_name(g, lt_graph_edge_type(g, e)))
        return lt_graph_string(g, name);
    snprintf(buf, buf_len, "%u", name);
    return buf;
}

int64_t lt_graph_find_string(const lt_graph *g, const char *text)
{
    for (uint32_t i = 0; i < g->string_count; i++)
        if (!strcmp(lt_graph_string(g, i), text))
            return i;
    return -1;
}

/* Entries of edge_source_hint. */
static size_t source_hint_blocks(const lt_graph *g)
{
    return ((size_t)g->edge_count >> LT_SOURCE_HINT_SHIFT) + 1;
}

void lt_graph_index_sources(lt_graph *g)
{
    size_t blocks = source_hint_blocks(g);
    free(g->edge_source_hint);
    g->edge_source_hint = NULL;
    if (!g->node_count)
        return;
    uint32_t *hint = malloc(blocks * sizeof *hint), v = 0;
    if (!hint)
        return;
    for (size_t b = 0; b < blocks; b++) { /* the last node whose first edge is <= the block's first */
        uint64_t e = (uint64_t)b << LT_SOURCE_HINT_SHIFT;
        while (v + 1 < g->node_count && g->first_edge[v + 1] <= e)
            v++;
        hint[b] = v;
    }
    g->edge_source_hint = hint;
}

uint32_t lt_graph_edge_source(const lt_graph *g, uint32_t e)
{
    /* the last node whose first edge is <= e lies in [lo, hi): first_edge[lo] <= e, and
     * hi is node_count or first_edge[hi] > e (a hint block's next entry + 1 is past it) */
    uint32_t lo = 0, hi = g->node_count;
    if (g->edge_source_hint) {
        size_t b = e >> LT_SOURCE_HINT_SHIFT, blocks = source_hint_blocks(g);
        lo = g->edge_source_hint[b];
        hi = b + 1 < blocks ? g->edge_source_hint[b + 1] + 1 : g->node_count;
    }
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->first_edge[mid] <= e)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}
