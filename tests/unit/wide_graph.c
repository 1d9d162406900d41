#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/snapshot_reader.h"
#include "wide_graph.h"

/* Node types and edge types as the snapshot text below lists them. */
enum { TYPE_OBJECT = 3, TYPE_SYNTHETIC = 9 };
enum { EDGE_ELEMENT = 1, EDGE_INTERNAL = 3, EDGE_WEAK = 6 };
/* Strings: fixed ones, then two names per WeakMap pair. */
enum { NAME_EMPTY, NAME_GC_ROOTS, NAME_OBJECT, NAME_WEAK, NAME_DOM_TREES, NAME_PAIRS };

typedef struct built_node {
    uint8_t synthetic, role; /* role: wide_graph_fan's, below */
    uint32_t name;
} built_node;

typedef struct built_edge {
    uint32_t from, to, pair, name; /* name: a string, or the element index */
    uint8_t kind;                  /* wide_edge_kind */
} built_edge;

/* The graph as it is made: nodes, and edges in any order (kept in order per node). */
typedef struct builder {
    uint32_t node_count, node_cap, edge_count, edge_cap, pair_count;
    built_node *nodes;
    built_edge *edges;
} builder;

static void *grown(void *p, size_t count, size_t size)
{
    p = realloc(p, (count ? count : 1) * size);
    assert_non_null(p);
    return p;
}

static uint32_t add_node(builder *b, int synthetic, uint32_t name, int role)
{
    if (b->node_count == b->node_cap) {
        b->node_cap = b->node_cap ? b->node_cap * 2 : 1024;
        b->nodes = grown(b->nodes, b->node_cap, sizeof *b->nodes);
    }
    b->nodes[b->node_count] = (built_node){.synthetic = (uint8_t)synthetic, .role = (uint8_t)role, .name = name};
    return b->node_count++;
}

static void add_edge(builder *b, uint32_t from, uint32_t to, wide_edge_kind kind, uint32_t pair, uint32_t name)
{
    if (b->edge_count == b->edge_cap) {
        b->edge_cap = b->edge_cap ? b->edge_cap * 2 : 1024;
        b->edges = grown(b->edges, b->edge_cap, sizeof *b->edges);
    }
    b->edges[b->edge_count++] = (built_edge){.from = from, .to = to, .pair = pair, .name = name, .kind = (uint8_t)kind};
}

static void add_strong(builder *b, uint32_t from, uint32_t to)
{
    add_edge(b, from, to, WIDE_STRONG, 0, b->edge_count); /* element index: any number */
}

static void add_weak(builder *b, uint32_t from, uint32_t to)
{
    add_edge(b, from, to, WIDE_WEAK, 0, NAME_WEAK);
}

/* The two edges of one WeakMap pair, first -> value and second -> value. */
static void add_pair(builder *b, uint32_t first, uint32_t second, uint32_t value)
{
    uint32_t p = b->pair_count++;
    add_edge(b, first, value, WIDE_PAIR, p, NAME_PAIRS + 2 * p);
    add_edge(b, second, value, WIDE_PAIR, p, NAME_PAIRS + 2 * p + 1);
}

/* Sorts the edges by source (stable) into w's arrays and into *sorted (free()). */
static void sort_edges(const builder *b, wide_graph *w, built_edge **sorted)
{
    w->node_count = b->node_count;
    w->edge_count = b->edge_count;
    w->pair_count = b->pair_count;
    w->first_edge = calloc((size_t)b->node_count + 1, sizeof *w->first_edge);
    w->to = grown(NULL, b->edge_count, sizeof *w->to);
    w->pair = grown(NULL, b->edge_count, sizeof *w->pair);
    w->kind = grown(NULL, b->edge_count, 1);
    w->user_root = grown(NULL, b->node_count, 1);
    *sorted = grown(NULL, b->edge_count, sizeof **sorted);
    uint32_t *at = calloc((size_t)b->node_count + 1, sizeof *at);
    assert_true(w->first_edge && at);
    for (uint32_t v = 0; v < b->node_count; v++)
        w->user_root[v] = !b->nodes[v].synthetic || b->nodes[v].name == NAME_DOM_TREES;
    for (uint32_t e = 0; e < b->edge_count; e++)
        w->first_edge[b->edges[e].from + 1]++;
    for (uint32_t v = 0; v < b->node_count; v++)
        w->first_edge[v + 1] += w->first_edge[v];
    memcpy(at, w->first_edge, (size_t)b->node_count * sizeof *at);
    for (uint32_t e = 0; e < b->edge_count; e++) {
        built_edge edge = b->edges[e];
        uint32_t to = at[edge.from]++;
        (*sorted)[to] = edge;
        w->to[to] = edge.to;
        w->pair[to] = edge.pair;
        w->kind[to] = edge.kind;
    }
    free(at);
}

static void write_pair_name(FILE *f, uint32_t pair, int which)
{
    fprintf(f, ",\n\"%d / part of key (Object @%u) -> value (Object @%u) pair in WeakMap (table @%u)\"", which,
            10 * pair + 1, 10 * pair + 3, 10 * pair + 5);
}

void wide_graph_text_head(FILE *f, uint32_t node_count, uint32_t edge_count)
{
    fprintf(f,
            "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\","
            "\"trace_node_id\",\"detachedness\"],\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\","
            "\"code\",\"closure\",\"regexp\",\"number\",\"native\",\"synthetic\"],\"string\",\"number\",\"number\","
            "\"number\",\"number\",\"number\"],\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
            "\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\"],"
            "\"string_or_number\",\"node\"]},\"node_count\":%u,\"edge_count\":%u},\n\"nodes\":[",
            node_count, edge_count);
}

/* b's graph as snapshot text (free()), its edges in the order of w's. */
static char *snapshot_text(const builder *b, const wide_graph *w, const built_edge *edges, size_t *len)
{
    static const int edge_type[] = {[WIDE_STRONG] = EDGE_ELEMENT, [WIDE_WEAK] = EDGE_WEAK, [WIDE_PAIR] = EDGE_INTERNAL};
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    assert_non_null(f);
    wide_graph_text_head(f, w->node_count, w->edge_count);
    for (uint32_t v = 0; v < w->node_count; v++)
        fprintf(f, "%s%d,%u,%u,16,%u,0,0", v ? ",\n" : "", b->nodes[v].synthetic ? TYPE_SYNTHETIC : TYPE_OBJECT,
                b->nodes[v].name, 2 * v + 1, w->first_edge[v + 1] - w->first_edge[v]);
    fputs("],\n\"edges\":[", f);
    for (uint32_t e = 0; e < w->edge_count; e++)
        fprintf(f, "%s%d,%u,%u", e ? ",\n" : "", edge_type[edges[e].kind], edges[e].name, edges[e].to * 7);
    fputs("],\n\"strings\":[\"\",\"(GC roots)\",\"Object\",\"w\",\"(Document DOM trees)\"", f);
    for (uint32_t p = 0; p < w->pair_count; p++) {
        write_pair_name(f, p, 1);
        write_pair_name(f, p, 2);
    }
    fputs("]}\n", f);
    assert_int_equal(fclose(f), 0);
    return text;
}

/* The graph b describes, read from its snapshot text; frees b's arrays. */
static wide_graph *finish(builder *b)
{
    wide_graph *w = calloc(1, sizeof *w);
    assert_non_null(w);
    built_edge *sorted = NULL;
    sort_edges(b, w, &sorted);
    size_t len = 0;
    char *text = snapshot_text(b, w, sorted, &len);
    free(sorted);
    free(b->nodes);
    free(b->edges);
    lt_error err = {0};
    lt_reader *r = lt_reader_new(&err);
    assert_non_null(r);
    int rc = lt_reader_feed(r, text, len, &err);
    if (!rc)
        rc = lt_reader_finish(r, &w->g, &err);
    lt_reader_free(r);
    free(text);
    if (rc)
        fail_msg("the wide graph's snapshot: %s", err.message);
    if (lt_weakmap_names_build(w->g, &w->weakmaps, &err))
        fail_msg("%s", err.message);
    assert_int_equal(w->weakmaps.count, 2 * w->pair_count);
    return w;
}

/* The roles of wide_graph_fan's nodes, which decide their edges. */
enum { USER_ROOT, SYSTEM_ROOT, SYSTEM, TREE };

#define FAN          20000u
#define BURST        2000u
#define BURST_EVERY  1000u
#define FAN_NODES    600000u
#define SYSTEM_FAN   70000u
#define PAIR_GAP     5000u
#define SYSTEM_FIRST (5u + 3u * FAN) /* the system root's children: made when it is met */

/* The edges of fan node k, made in the order the search meets them. */
static void fan_edges(builder *b, uint32_t k)
{
    int role = b->nodes[k].role, child_role = role == SYSTEM_ROOT ? SYSTEM : TREE;
    uint32_t children = role == USER_ROOT ? FAN : role == SYSTEM_ROOT ? SYSTEM_FAN : role == SYSTEM ? 0 : 1;
    if (role == TREE && k % BURST_EVERY == BURST_EVERY - 1)
        children = BURST;
    for (uint32_t i = 0; i < children && b->node_count < FAN_NODES; i++) {
        uint32_t c = add_node(b, 0, NAME_OBJECT, child_role);
        assert_true(child_role != SYSTEM || c - SYSTEM_FIRST < SYSTEM_FAN);
        add_strong(b, k, c);
    }
    if (role == SYSTEM) /* back to a node the user roots reached */
        add_strong(b, k, 1 + k % 3);
    if (role != TREE)
        return;
    if (k % 7 == 3) /* to a node only the system root reaches */
        add_weak(b, k, SYSTEM_FIRST + k % SYSTEM_FAN);
    if (k % 11 == 4) /* to a node met earlier */
        add_strong(b, k, k / 2);
    if (k % 1009 == 17 && k + PAIR_GAP < b->node_count && b->node_count < FAN_NODES)
        add_pair(b, k, k + PAIR_GAP, add_node(b, 0, NAME_OBJECT, TREE));
}

wide_graph *wide_graph_fan(void)
{
    builder b = {0};
    add_node(&b, 1, NAME_EMPTY, SYSTEM_ROOT); /* the root (never met as a node: k starts at 1) */
    for (int i = 0; i < 4; i++)
        add_strong(&b, 0, add_node(&b, i == 3, i == 3 ? NAME_GC_ROOTS : NAME_OBJECT, i == 3 ? SYSTEM_ROOT : USER_ROOT));
    for (uint32_t k = 1; k < b.node_count; k++)
        fan_edges(&b, k);
    return finish(&b);
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A node in [from, to), at random. */
static uint32_t random_node(uint64_t *seed, uint32_t from, uint32_t to)
{
    return from + (uint32_t)(xorshift(seed) % (to - from));
}

wide_graph *wide_graph_random(uint64_t seed, uint32_t node_count)
{
    enum { GC_ROOTS = 4, DOM_TREES = 5, FIRST_PLAIN = 6 };
    static const uint32_t root_edges[] = {1, 2, 3, 1, GC_ROOTS, DOM_TREES}; /* node 1 twice */
    uint32_t system_part = node_count - node_count / 10;                    /* only GC_ROOTS leads in here */
    builder b = {0};
    assert_true(node_count > FIRST_PLAIN);
    add_node(&b, 1, NAME_EMPTY, 0); /* the root */
    for (uint32_t v = 1; v < node_count; v++)
        add_node(&b, v == GC_ROOTS || v == DOM_TREES,
                 v == GC_ROOTS    ? NAME_GC_ROOTS
                 : v == DOM_TREES ? NAME_DOM_TREES
                                  : NAME_OBJECT,
                 0);
    for (size_t i = 0; i < sizeof root_edges / sizeof *root_edges; i++)
        add_strong(&b, 0, root_edges[i]);
    for (uint32_t i = 0; i < 20 && system_part < node_count; i++)
        add_strong(&b, GC_ROOTS, random_node(&seed, system_part, node_count));
    for (uint32_t v = 1; v < node_count; v++)
        for (uint64_t d = xorshift(&seed) % 9; d > 0; d--) {
            if (xorshift(&seed) % 10 == 0)
                add_weak(&b, v, random_node(&seed, 1, node_count));
            else
                add_strong(&b, v,
                           v < system_part ? random_node(&seed, FIRST_PLAIN, system_part)
                                           : random_node(&seed, system_part, node_count));
        }
    for (uint32_t p = 0; p < node_count / 100; p++) {
        uint32_t first = random_node(&seed, 1, node_count), second = random_node(&seed, 1, node_count);
        add_pair(&b, first, second, random_node(&seed, FIRST_PLAIN, system_part));
    }
    return finish(&b);
}

void wide_graph_free(wide_graph *w)
{
    if (!w)
        return;
    lt_graph_free(w->g);
    lt_weakmap_names_free(&w->weakmaps);
    free(w->first_edge);
    free(w->to);
    free(w->kind);
    free(w->pair);
    free(w->user_root);
    free(w);
}
