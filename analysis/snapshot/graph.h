/* graph: the heap snapshot as compact structure-of-arrays, sized once from the
 * header's counts, plus its string table and the type tables from its meta.
 *
 * Nodes are addressed by ordinal (0 = the synthetic root in V8 snapshots);
 * edges by their position in the snapshot's edge list, node i owning
 * [first_edge[i], first_edge[i+1]). An edge takes 5 or 6 bytes: its target's ordinal
 * (edge_to, in 3 bytes below 2^24 nodes, else 4: an index array, util/index_array.h)
 * and a 16-bit code (edge_code): the edge type in the low 4 bits and, above
 * them, the index of its name among the 4095 names its type uses most (edge_names),
 * or LT_EDGE_CODE_ESCAPE, the name then kept in full in escape_name (6% of the edges
 * of the 1 GB benchmark snapshot; 8 bytes an edge before). A graph is built with
 * lt_graph_set_edge (or the reader's own fast path into edge_to and edge_wide), then
 * lt_graph_pack_edges chooses the codes; after that, read edges through lt_graph_edge,
 * lt_graph_edge_to, lt_graph_edge_type and lt_graph_edge_name_at.
 * The graph owns every array; lt_graph_free frees all. */
#ifndef LT_GRAPH_H
#define LT_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lt_error.h"
#include "lt_keep.h"
#include "util/index_array.h"

#define LT_EDGE_TYPE_BITS     4u
#define LT_EDGE_TYPE_MAX      15u /* edge types a snapshot may list (type values 0..14) */
#define LT_EDGE_NAME_ESCAPE   ((1u << (32 - LT_EDGE_TYPE_BITS)) - 1u)    /* in edge_wide: name in rare_names */
#define LT_EDGE_CODES         4095u                                      /* names with a code, per edge type */
#define LT_EDGE_CODE_ESCAPE   LT_EDGE_CODES                              /* in edge_code: the name is in escape_name */
#define LT_EDGE_ESCAPED_FROM  (LT_EDGE_CODE_ESCAPE << LT_EDGE_TYPE_BITS) /* edge_code values from here: escaped */
#define LT_ESCAPE_BLOCK_SHIFT 6u                                         /* edges per entry of escape_base: 64 */
#define LT_MAX_TYPES          32
#define LT_SOURCE_HINT_SHIFT  12u /* edges per block of edge_source_hint: 4096 */
#define LT_ID_BLOCK_SHIFT     6u  /* nodes per block of node ids: 64 */
#define LT_ID_BLOCK           (1u << LT_ID_BLOCK_SHIFT)
#define LT_ID_LISTED          0x80000000u /* in lt_id_block.step: the block's ids are listed */

/* An edge's target and type, as lt_graph_edge gives them (its name: lt_graph_edge_name_at). */
typedef struct lt_edge {
    uint32_t to;   /* target node ordinal */
    unsigned type; /* index into edge_type_names */
} lt_edge;

/* The ids of 64 nodes in a row: the k-th has id first + k * step (uint32 arithmetic),
 * or, when step has LT_ID_LISTED, id_listed[((step & ~LT_ID_LISTED) << 6) + k]. */
typedef struct lt_id_block {
    uint32_t first;
    uint32_t step;
} lt_id_block;

/* While a graph is built: an edge name too wide for edge_wide's field (TypeScript's enum
 * reverse maps make element indices up to 2^32-1): edge index and full value. */
typedef struct lt_rare_name {
    uint32_t edge;
    uint32_t name;
} lt_rare_name;

static inline unsigned lt_edge_type(lt_edge e)
{
    return e.type;
}

/* A node's source location, as lt_graph_location and lt_graph_location_at give it. */
typedef struct lt_location {
    uint32_t node; /* node ordinal */
    uint32_t script_id;
    uint32_t line;   /* 0-based */
    uint32_t column; /* 0-based */
} lt_location;

/* A place in a script that located nodes share (the closures of one function, the
 * objects of one constructor): stored once, in lt_graph.positions. */
typedef struct lt_position {
    uint32_t script_id;
    uint32_t line;   /* 0-based */
    uint32_t column; /* 0-based */
} lt_position;

/* A location as the graph stores it: the node and its position's index. */
typedef struct lt_node_location {
    uint32_t node;
    uint32_t position; /* index into lt_graph.positions */
} lt_node_location;

/* Indices into the snapshot's own node/edge type lists; -1 when a list lacks
 * the type. Taken from snapshot.meta, never assumed. */
typedef struct lt_node_types {
    int hidden, array, string, object, code, closure, regexp, number, native, synthetic, cons_string, sliced_string;
} lt_node_types;

typedef struct lt_edge_types {
    int context, element, property, internal, hidden, shortcut, weak;
} lt_edge_types;

typedef struct lt_graph {
    uint32_t node_count;
    uint32_t edge_count;
    lt_keep *keep; /* where the big arrays came from and go back to (NULL: the heap) */

    uint8_t *node_type; /* index into node_type_names */
    /* string index (may be rewritten: "Detached ...", and a plain object's interface name,
     * see interface_names_from); read a node's own name through lt_graph_node_name_index */
    uint32_t *node_name;
    /* Node ids, read through lt_graph_node_id. V8 numbers objects in the order its
     * snapshot lists them, so ids rise by one step (2) from node to node almost
     * everywhere: a block of 64 nodes is kept as its first id and step (8 bytes, not
     * 256), and only a block that breaks the pattern lists its ids in full. */
    lt_id_block *id_blocks; /* one per LT_ID_BLOCK nodes */
    uint32_t *id_listed;    /* the listed blocks' ids, LT_ID_BLOCK each */
    uint32_t id_listed_blocks;
    size_t id_listed_capacity;        /* elements */
    uint32_t id_pending[LT_ID_BLOCK]; /* the block lt_graph_add_id is filling */
    bool id_lost;                     /* out of memory listing a block (lt_graph_ids_done says so) */
    uint32_t *self_size;              /* snapshot's self size; DevTools' rewrite applied in place later */
    uint32_t *first_edge;             /* node_count + 1 entries */
    uint8_t *detachedness;            /* 0 unknown, 1 attached, 2 detached; NULL if no such field. Zeroed
                              memory where only known states are written: all unknown (as in
                              node's snapshots) costs no memory touched */
    uint8_t *edge_to;                 /* target ordinals, an index array of edge_to_width bytes an entry */
    unsigned edge_to_width;           /* 3 below 2^24 nodes, else 4 */
    uint16_t *edge_code;              /* type | name code << 4 (see the top); NULL until packed */
    uint32_t *edge_names;             /* LT_EDGE_CODES per type: type * LT_EDGE_CODES + code -> name */
    uint32_t *escape_name;            /* the names of the edges whose code is the escape, in edge order */
    uint32_t escape_count;
    uint32_t *escape_base; /* per 64 edges: how many escaped edges come before them */
    /* while built (NULL once packed): name << 4 | type, or LT_EDGE_NAME_ESCAPE << 4 | type
     * with the name in rare_names (sorted by edge) */
    uint32_t *edge_wide;
    lt_rare_name *rare_names;
    uint32_t rare_name_count, rare_name_capacity;

    /* strings: string i is string_data + string_offset[i], NUL-terminated,
     * string_offset[i+1] - string_offset[i] - 1 bytes long (UTF-8). */
    uint32_t string_count;
    uint64_t *string_offset;
    size_t string_offset_capacity; /* elements allocated (string_count + 1 used) */
    char *string_data;
    uint64_t string_data_size;
    size_t string_data_capacity;

    /* edge_source_hint[b]: the node that owns edge b << LT_SOURCE_HINT_SHIFT (the
     * source of any edge of that block of edges lies between it and the next
     * block's); NULL when not built (lt_graph_index_sources) */
    uint32_t *edge_source_hint;

    /* Source locations, read through lt_graph_location and lt_graph_location_at: one
     * {node, position} per located node, sorted by node (the last given for a node wins),
     * and the distinct positions they point to (the 1 GB file: 3.0 M locations sharing
     * about 2,000 positions; 8 bytes a location, not 16). */
    lt_node_location *locations;
    uint32_t location_count;
    lt_position *positions;
    uint32_t position_count;

    int node_type_count, edge_type_count;
    char *node_type_names[LT_MAX_TYPES];
    char *edge_type_names[LT_MAX_TYPES];
    lt_node_types nt;
    lt_edge_types et;

    /* DevTools names plain objects (type object, name "Object") after their properties,
     * "{a, b}" (interfaces.h): such an object's node_name holds that name, one of the
     * interface_name_count strings from interface_names_from (added for it, never any
     * other node's name), and its own name is object_name. Zero: none renamed. */
    uint32_t interface_names_from, interface_name_count;
    uint32_t object_name;

    uint32_t root; /* root ordinal (snapshot.root_index / field count, usually 0) */
    uint64_t extra_native_bytes;
    /* self sizes past 2^32-1: kept modulo 2^32, as Chrome DevTools keeps them
     * (it stores them in 32 bits), counted here so the report can say so. */
    uint32_t wrapped_self_count;
    uint32_t wrapped_self_node; /* the first such node */
    uint64_t wrapped_self_size; /* its size as the snapshot gives it */
} lt_graph;

/* Allocates an empty graph for node_count nodes and edge_count edges (arrays
 * uninitialised), its big arrays from keep when it has them (may be NULL). Returns NULL
 * with err set (LT_ENOMEM/LT_ELIMIT) on failure. */
lt_graph *lt_graph_new(uint32_t node_count, uint32_t edge_count, bool with_detachedness, lt_keep *keep, lt_error *err);

/* Frees the graph and everything it owns (its big arrays go back to its keep). NULL is
 * fine. */
void lt_graph_free(lt_graph *g);

/* Ends the block of ids of nodes [b * 64, b * 64 + count): kept as first id and step, or
 * listed. Out of memory sets id_lost. Called by lt_graph_add_id and lt_graph_ids_done. */
void lt_graph_end_id_block(lt_graph *g, uint32_t b, uint32_t count);

/* Gives node v its id. Nodes get their ids in order, 0 first, each once; then
 * lt_graph_ids_done. */
static inline void lt_graph_add_id(lt_graph *g, uint32_t v, uint32_t id)
{
    g->id_pending[v & (LT_ID_BLOCK - 1)] = id;
    if ((v & (LT_ID_BLOCK - 1)) == LT_ID_BLOCK - 1)
        lt_graph_end_id_block(g, v >> LT_ID_BLOCK_SHIFT, LT_ID_BLOCK);
}

/* Ends the last block once every node has its id. Returns 0, or LT_ENOMEM when a
 * block of ids could not be listed. */
int lt_graph_ids_done(lt_graph *g);

/* Node v's id (as the snapshot gives it). */
static inline uint32_t lt_graph_node_id(const lt_graph *g, uint32_t v)
{
    lt_id_block b = g->id_blocks[v >> LT_ID_BLOCK_SHIFT];
    uint32_t k = v & (LT_ID_BLOCK - 1);
    if (!(b.step & LT_ID_LISTED))
        return b.first + k * b.step;
    return g->id_listed[((size_t)(b.step & ~LT_ID_LISTED) << LT_ID_BLOCK_SHIFT) + k];
}

/* Appends a string (len bytes, need not be NUL-terminated; s may point into
 * the table itself); returns its index, or LT_ENOMEM, or LT_ELIMIT (more than
 * 2^32-2 strings). */
int64_t lt_graph_add_string(lt_graph *g, const char *s, size_t len);

static inline const char *lt_graph_string(const lt_graph *g, uint32_t i)
{
    return g->string_data + g->string_offset[i];
}

static inline size_t lt_graph_string_len(const lt_graph *g, uint32_t i)
{
    return (size_t)(g->string_offset[i + 1] - g->string_offset[i] - 1);
}

/* The string index of a node's own name in the snapshot (after dom_state's
 * "Detached " rewrite): node_name, except "Object" for a plain object that carries its
 * interface name there. */
static inline uint32_t lt_graph_node_name_index(const lt_graph *g, uint32_t node)
{
    uint32_t name = g->node_name[node];
    return name - g->interface_names_from < g->interface_name_count ? g->object_name : name;
}

static inline const char *lt_graph_node_name(const lt_graph *g, uint32_t node)
{
    return lt_graph_string(g, lt_graph_node_name_index(g, node));
}

static inline const char *lt_graph_node_type_name(const lt_graph *g, uint32_t node)
{
    return g->node_type_names[g->node_type[node]];
}

/* Whether the snapshot gives node a location; when it does and out is not NULL,
 * sets *out to it (a copy: nothing to free, nothing pointing into the graph). */
bool lt_graph_location(const lt_graph *g, uint32_t node, lt_location *out);

/* The i-th location in node order, i below g->location_count. */
static inline lt_location lt_graph_location_at(const lt_graph *g, uint32_t i)
{
    lt_node_location at = g->locations[i];
    lt_position p = g->positions[at.position];
    return (lt_location){.node = at.node, .script_id = p.script_id, .line = p.line, .column = p.column};
}

/* Records the full name of edge e (edges are added in order); the caller
 * stores LT_EDGE_NAME_ESCAPE in edge_wide. Returns 0 or LT_ENOMEM. */
int lt_graph_add_rare_name(lt_graph *g, uint32_t e, uint32_t name);

/* While the graph is built: edge e goes to node `to` (below node_count), has type `type`
 * (below LT_EDGE_TYPE_MAX) and name `name`. Each edge is set once, in any order, but
 * those with names from 2^28-1 up in edge order (lt_graph_add_rare_name). Returns 0 or
 * LT_ENOMEM. */
int lt_graph_set_edge(lt_graph *g, uint32_t e, uint32_t to, unsigned type, uint32_t name);

/* Once every edge is set: gives each type's 4095 most used names a code (ties: the
 * smaller name first), writes edge_code and the escaped names, and frees what building
 * took (edge_wide, rare_names). Returns 0, or LT_ENOMEM (err says so; the graph is then
 * only fit for lt_graph_free). */
int lt_graph_pack_edges(lt_graph *g, lt_error *err);

/* The same on a thread of its own, begun once the edges are in but before the strings
 * (the reader's edges come before them): names bounds the string indices the edges'
 * names take (a name from there on is escaped: kept in full, read the same). Until
 * lt_graph_pack_edges_wait, the packing reads edge_wide and rare_names and writes the
 * edge codes, escapes and edge_names, nothing else: the caller may go on with the rest
 * of the graph (strings, locations, nodes) but not touch those. NULL when no thread
 * could be started (nothing begun: pack with lt_graph_pack_edges). */
typedef struct lt_edge_packing lt_edge_packing;
lt_edge_packing *lt_graph_pack_edges_start(lt_graph *g, size_t names);

/* Waits for the packing and frees p; its result as lt_graph_pack_edges's. p may be NULL
 * (0). */
int lt_graph_pack_edges_wait(lt_edge_packing *p, lt_error *err);

/* Edge e's target. */
static inline uint32_t lt_graph_edge_to(const lt_graph *g, uint32_t e)
{
    return lt_index_peek(lt_index_array_at(g->edge_to, g->edge_to_width), e);
}

/* Edge e's target and type. */
static inline lt_edge lt_graph_edge(const lt_graph *g, uint32_t e)
{
    return (lt_edge){lt_graph_edge_to(g, e), g->edge_code[e] & 15u};
}

static inline unsigned lt_graph_edge_type(const lt_graph *g, uint32_t e)
{
    return g->edge_code[e] & 15u;
}

/* The name of an edge whose code is the escape (a few dozen bytes read). */
uint32_t lt_graph_escaped_name(const lt_graph *g, uint32_t e);

/* The name of edge e: a string index for named edges, the element number for element
 * and hidden edges. */
static inline uint32_t lt_graph_edge_name_at(const lt_graph *g, uint32_t e)
{
    unsigned c = g->edge_code[e];
    return c < LT_EDGE_ESCAPED_FROM ? g->edge_names[(c & 15u) * LT_EDGE_CODES + (c >> LT_EDGE_TYPE_BITS)]
                                    : lt_graph_escaped_name(g, e);
}

/* Edge e's name as text: the string for named edges; for element and hidden
 * edges (whose name is a number) writes the number into buf and returns buf. */
const char *lt_graph_edge_name(const lt_graph *g, uint32_t e, char *buf, size_t buf_len);

/* True when edge type t names its edge by string (not element, not hidden). */
static inline bool lt_graph_edge_has_string_name(const lt_graph *g, unsigned t)
{
    return (int)t != g->et.element && (int)t != g->et.hidden;
}

/* Builds g->edge_source_hint (4 bytes per 4096 edges) once the edges are in, so that
 * finding an edge's source searches a few nodes, not all. Best effort: out of memory
 * leaves it NULL (and the search whole). */
void lt_graph_index_sources(lt_graph *g);

/* The node whose edge e is. */
uint32_t lt_graph_edge_source(const lt_graph *g, uint32_t e);

/* Index of the first string equal to text, or -1. Linear: for set-up only. */
int64_t lt_graph_find_string(const lt_graph *g, const char *text);
#endif
