/* DESIGN
 * A resumable state machine over the top-level object of a heap snapshot.
 * Each feed() runs until the buffer ends; everything needed to resume (the
 * state, a number half read, a string half decoded) lives in lt_reader.
 *
 * - "snapshot": the header value is captured (bounded) and parsed with jansson;
 *   it sets the field layout and sizes the graph.
 * - "nodes", "edges", "locations": flat arrays of unsigned integers read by a
 *   hand-written scanner; a record is committed (checked and stored) when its
 *   last field arrives.
 * - "strings": JSON strings decoded into the graph's string table.
 * - any other key (trace_function_infos, trace_tree, samples, scopes, ...) is
 *   skipped with a string-aware bracket counter.
 * Checks that need the whole input (counts, string indices) run in finish(). */
#include "snapshot_reader.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_LIMIT (4u << 20)
#define MAX_FIELDS 16

enum state {
    S_BEGIN,        /* before the top-level '{' */
    S_KEY_OR_END,   /* after '{': a key or '}' */
    S_KEY_START,    /* after ',': a key */
    S_KEY,          /* inside a key string */
    S_COLON,
    S_VALUE,        /* dispatch on the key */
    S_NEXT,         /* after a value: ',' or '}' */
    S_DONE,
    S_HEADER,       /* capturing the "snapshot" value */
    S_SKIP,         /* skipping an unknown value */
    S_NUM_OPEN,     /* expecting '[' of a number array */
    S_NUMBERS,
    S_STR_OPEN,     /* expecting '[' of the strings array */
    S_STRINGS,      /* between strings: '"', ',' or ']' */
    S_STRING,       /* inside a string */
    S_FAILED,
};

enum array_kind { A_NODES, A_EDGES, A_LOCATIONS };

enum node_role { R_IGNORE, R_TYPE, R_NAME, R_ID, R_SELF, R_EDGES, R_DETACHED };
enum edge_role { E_IGNORE, E_TYPE, E_NAME, E_TO };
enum loc_role { L_IGNORE, L_OBJECT, L_SCRIPT, L_LINE, L_COLUMN };

/* A generic JSON value skipper/capturer: string-aware bracket depth. */
typedef struct scan_state {
    int depth;
    bool in_string, escape, scalar, started;
} scan_state;

struct lt_reader {
    enum state state;
    uint64_t offset;          /* bytes consumed before the current buffer */
    char key[64];
    size_t key_len;
    bool key_truncated;

    /* header */
    char *header;
    size_t header_len, header_cap;
    scan_state scan;
    bool have_header, have_nodes, have_edges, have_strings;

    /* layout from meta */
    unsigned node_fields, edge_fields, location_fields;
    uint8_t node_role[MAX_FIELDS], edge_role[MAX_FIELDS], loc_role[MAX_FIELDS];
    uint32_t node_count, edge_count;
    uint64_t to_node_limit;
    uint64_t to_node_magic;   /* x / node_fields == (x * magic) >> 35 */

    /* number arrays */
    enum array_kind array;
    uint64_t value;           /* the number being read */
    bool in_number, need_comma, any_value;
    unsigned field;
    uint32_t rec[MAX_FIELDS];
    uint64_t record;          /* records completed in the current array */
    uint64_t edges_claimed;   /* sum of node edge counts so far */
    uint32_t max_string_ref;
    bool any_string_ref;

    lt_location *locations;
    size_t location_count, location_cap;

    /* strings */
    char *str;
    size_t str_len, str_cap;
    bool str_escape;
    unsigned str_hex, str_hex_len;   /* \uXXXX in progress */
    uint32_t str_high_surrogate;
    bool str_need_comma;

    lt_graph *graph;
};

static bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

lt_reader *lt_reader_new(lt_error *err)
{
    lt_reader *r = calloc(1, sizeof *r);
    if (!r)
        lt_error_set(err, LT_ENOMEM, "cannot allocate the snapshot reader");
    return r;
}

void lt_reader_free(lt_reader *r)
{
    if (!r)
        return;
    free(r->header);
    free(r->locations);
    free(r->str);
    lt_graph_free(r->graph);
    free(r);
}

uint64_t lt_reader_offset(const lt_reader *r) { return r->offset; }

static int fail(lt_reader *r, lt_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(lt_reader *r, lt_error *err, int code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->state = S_FAILED;
    return lt_error_set(err, code, "%s", msg);
}

static const char *array_name(enum array_kind a)
{
    static const char *const names[] = {[A_NODES] = "nodes", [A_EDGES] = "edges",
                                        [A_LOCATIONS] = "locations"};
    return names[a];
}

/* ---- the header ------------------------------------------------------- */

static int field_index(json_t *fields, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(fields, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), name))
        return (int)i;
    return -1;
}

static int copy_type_names(json_t *list, char **names, int *count, int max)
{
    if (!json_is_array(list) || json_array_size(list) == 0 || (int)json_array_size(list) > max)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (!json_is_string(v))
            return -1;
        names[i] = strdup(json_string_value(v));
        if (!names[i])
            return -1;
    }
    *count = (int)json_array_size(list);
    return 0;
}

static int type_index(char **names, int count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

static void resolve_types(lt_graph *g)
{
    char **n = g->node_type_names;
    int c = g->node_type_count;
    g->nt = (lt_node_types){
        .hidden = type_index(n, c, "hidden"), .array = type_index(n, c, "array"),
        .string = type_index(n, c, "string"), .object = type_index(n, c, "object"),
        .code = type_index(n, c, "code"), .closure = type_index(n, c, "closure"),
        .regexp = type_index(n, c, "regexp"), .number = type_index(n, c, "number"),
        .native = type_index(n, c, "native"), .synthetic = type_index(n, c, "synthetic"),
        .cons_string = type_index(n, c, "concatenated string"),
        .sliced_string = type_index(n, c, "sliced string"),
    };
    char **e = g->edge_type_names;
    int ec = g->edge_type_count;
    g->et = (lt_edge_types){
        .context = type_index(e, ec, "context"), .element = type_index(e, ec, "element"),
        .property = type_index(e, ec, "property"), .internal = type_index(e, ec, "internal"),
        .hidden = type_index(e, ec, "hidden"), .shortcut = type_index(e, ec, "shortcut"),
        .weak = type_index(e, ec, "weak"),
    };
}

static int layout_roles(lt_reader *r, json_t *meta, lt_error *err)
{
    json_t *nf = json_object_get(meta, "node_fields"), *ef = json_object_get(meta, "edge_fields");
    json_t *lf = json_object_get(meta, "location_fields");
    if (!json_is_array(nf) || !json_is_array(ef))
        return fail(r, err, LT_EINPUT, "snapshot.meta: node_fields and edge_fields must be arrays");
    r->node_fields = (unsigned)json_array_size(nf);
    r->edge_fields = (unsigned)json_array_size(ef);
    r->location_fields = json_is_array(lf) ? (unsigned)json_array_size(lf) : 0;
    if (r->node_fields > MAX_FIELDS || r->edge_fields > MAX_FIELDS || r->location_fields > MAX_FIELDS)
        return fail(r, err, LT_EINPUT, "snapshot.meta: more than %d fields per record", MAX_FIELDS);
    static const struct { const char *name; uint8_t role; } node_map[] = {
        {"type", R_TYPE}, {"name", R_NAME}, {"id", R_ID}, {"self_size", R_SELF},
        {"edge_count", R_EDGES}, {"detachedness", R_DETACHED}};
    static const struct { const char *name; uint8_t role; } edge_map[] = {
        {"type", E_TYPE}, {"name_or_index", E_NAME}, {"to_node", E_TO}};
    static const struct { const char *name; uint8_t role; } loc_map[] = {
        {"object_index", L_OBJECT}, {"script_id", L_SCRIPT}, {"line", L_LINE}, {"column", L_COLUMN}};
    for (size_t i = 0; i < sizeof node_map / sizeof node_map[0]; i++) {
        int at = field_index(nf, node_map[i].name);
        if (at < 0 && node_map[i].role != R_DETACHED)
            return fail(r, err, LT_EINPUT, "snapshot.meta.node_fields lacks \"%s\"", node_map[i].name);
        if (at >= 0)
            r->node_role[at] = node_map[i].role;
    }
    for (size_t i = 0; i < sizeof edge_map / sizeof edge_map[0]; i++) {
        int at = field_index(ef, edge_map[i].name);
        if (at < 0)
            return fail(r, err, LT_EINPUT, "snapshot.meta.edge_fields lacks \"%s\"", edge_map[i].name);
        r->edge_role[at] = edge_map[i].role;
    }
    for (size_t i = 0; lf && i < sizeof loc_map / sizeof loc_map[0]; i++) {
        int at = field_index(lf, loc_map[i].name);
        if (at >= 0)
            r->loc_role[at] = loc_map[i].role;
    }
    return 0;
}

static int header_count(json_t *snap, const char *key, uint64_t max, uint64_t *out)
{
    json_t *v = json_object_get(snap, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
        return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int setup_graph(lt_reader *r, json_t *snap, json_t *meta, lt_error *err)
{
    uint64_t nodes, edges, root = 0, extra = 0;
    if (header_count(snap, "node_count", UINT32_MAX - 1, &nodes) ||
        header_count(snap, "edge_count", UINT32_MAX, &edges))
        return fail(r, err, LT_EINPUT,
                    "snapshot.node_count and snapshot.edge_count must be integers from 0 to 2^32-1");
    if (json_object_get(snap, "root_index") && header_count(snap, "root_index", UINT64_MAX, &root))
        return fail(r, err, LT_EINPUT, "snapshot.root_index must be a non-negative integer");
    if (json_object_get(snap, "extra_native_bytes"))
        header_count(snap, "extra_native_bytes", INT64_MAX, &extra);
    if (nodes && (root % r->node_fields || root / r->node_fields >= nodes))
        return fail(r, err, LT_EINPUT, "snapshot.root_index %llu is not a node", (unsigned long long)root);
    bool detached = false;
    for (unsigned i = 0; i < r->node_fields; i++)
        detached |= r->node_role[i] == R_DETACHED;
    r->graph = lt_graph_new((uint32_t)nodes, (uint32_t)edges, detached, err);
    if (!r->graph)
        return fail(r, err, LT_ENOMEM, "cannot allocate a graph of %llu nodes and %llu edges",
                    (unsigned long long)nodes, (unsigned long long)edges);
    r->node_count = (uint32_t)nodes;
    r->edge_count = (uint32_t)edges;
    r->graph->root = (uint32_t)(nodes ? root / r->node_fields : 0);
    r->graph->extra_native_bytes = extra;
    r->graph->first_edge[0] = 0;
    r->to_node_limit = nodes * r->node_fields;
    r->to_node_magic = ((1ull << 35) + r->node_fields - 1) / r->node_fields;
    json_t *nf = json_object_get(meta, "node_fields"), *ef = json_object_get(meta, "edge_fields");
    json_t *ntypes = json_array_get(json_object_get(meta, "node_types"), (size_t)field_index(nf, "type"));
    json_t *etypes = json_array_get(json_object_get(meta, "edge_types"), (size_t)field_index(ef, "type"));
    if (copy_type_names(ntypes, r->graph->node_type_names, &r->graph->node_type_count, LT_MAX_TYPES))
        return fail(r, err, LT_EINPUT, "snapshot.meta.node_types: the type list must hold 1 to %d strings",
                    LT_MAX_TYPES);
    if (copy_type_names(etypes, r->graph->edge_type_names, &r->graph->edge_type_count, 15))
        return fail(r, err, LT_EINPUT, "snapshot.meta.edge_types: the type list must hold 1 to 15 strings");
    resolve_types(r->graph);
    return 0;
}

static int parse_header(lt_reader *r, lt_error *err)
{
    json_error_t jerr;
    json_t *snap = json_loadb(r->header, r->header_len, 0, &jerr);
    if (!snap)
        return fail(r, err, LT_EINPUT, "snapshot header is not valid JSON: %s (header byte %d)", jerr.text,
                    jerr.position);
    int rc;
    json_t *meta = json_object_get(snap, "meta");
    if (!json_is_object(snap) || !json_is_object(meta))
        rc = fail(r, err, LT_EINPUT, "\"snapshot\" must be an object with a \"meta\" object: not a V8 heap snapshot");
    else if ((rc = layout_roles(r, meta, err)) == 0)
        rc = setup_graph(r, snap, meta, err);
    json_decref(snap);
    free(r->header);
    r->header = NULL;
    r->have_header = rc == 0;
    return rc;
}

/* Feeds bytes to a value scanner; returns bytes used, sets *done at the value's end. */
static size_t scan_value(scan_state *s, const char *p, size_t n, bool *done)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (s->in_string) {
            if (s->escape)
                s->escape = false;
            else if (c == '\\')
                s->escape = true;
            else if (c == '"') {
                s->in_string = false;
                if (s->depth == 0) {
                    *done = true;
                    return i + 1;
                }
            }
            continue;
        }
        if (!s->started) {
            if (is_ws(c))
                continue;
            s->started = true;
            s->scalar = !(c == '{' || c == '[' || c == '"');
        }
        if (s->scalar) {
            if (c == ',' || c == '}' || c == ']' || is_ws(c)) {
                *done = true;
                return i;
            }
            continue;
        }
        if (c == '"')
            s->in_string = true;
        else if (c == '{' || c == '[')
            s->depth++;
        else if ((c == '}' || c == ']') && --s->depth == 0) {
            *done = true;
            return i + 1;
        }
    }
    return n;
}

static int feed_header(lt_reader *r, const char *p, size_t n, size_t *used, lt_error *err)
{
    bool done = false;
    size_t k = scan_value(&r->scan, p, n, &done);
    if (r->header_len + k > HEADER_LIMIT)
        return fail(r, err, LT_ELIMIT, "the \"snapshot\" header is larger than %u bytes", HEADER_LIMIT);
    if (r->header_len + k > r->header_cap) {
        size_t cap = r->header_cap ? r->header_cap : 4096;
        while (cap < r->header_len + k)
            cap *= 2;
        char *h = realloc(r->header, cap);
        if (!h)
            return fail(r, err, LT_ENOMEM, "out of memory reading the snapshot header");
        r->header = h;
        r->header_cap = cap;
    }
    memcpy(r->header + r->header_len, p, k);
    r->header_len += k;
    *used = k;
    if (done) {
        r->state = S_NEXT;
        return parse_header(r, err);
    }
    return 0;
}

/* ---- records ---------------------------------------------------------- */

static int commit_node(lt_reader *r, lt_error *err, uint64_t at)
{
    lt_graph *g = r->graph;
    uint64_t i = r->record;
    if (i >= r->node_count)
        return fail(r, err, LT_EINPUT, "nodes[%llu]: more nodes than snapshot.node_count %u (byte %llu)",
                    (unsigned long long)i * r->node_fields, r->node_count, (unsigned long long)at);
    uint32_t type = 0, edges = 0;
    for (unsigned f = 0; f < r->node_fields; f++) {
        uint32_t v = r->rec[f];
        switch ((enum node_role)r->node_role[f]) {
        case R_TYPE: type = v; break;
        case R_NAME: g->node_name[i] = v; break;
        case R_ID: g->node_id[i] = v; break;
        case R_SELF: g->self_size[i] = v; break;
        case R_EDGES: edges = v; break;
        case R_DETACHED: g->detachedness[i] = (uint8_t)(v & 3); break;
        case R_IGNORE: break;
        }
    }
    if (type >= (uint32_t)g->node_type_count)
        return fail(r, err, LT_EINPUT, "nodes[%llu]: unknown node type %u (the snapshot lists %d types) (byte %llu)",
                    (unsigned long long)i * r->node_fields, type, g->node_type_count,
                    (unsigned long long)at);
    g->node_type[i] = (uint8_t)type;
    if (g->node_name[i] > r->max_string_ref || !r->any_string_ref)
        r->max_string_ref = g->node_name[i];
    r->any_string_ref = true;
    r->edges_claimed += edges;
    if (r->edges_claimed > r->edge_count)
        return fail(r, err, LT_EINPUT,
                    "nodes[%llu]: the nodes' edge counts add up to more than snapshot.edge_count %u (byte %llu)",
                    (unsigned long long)i * r->node_fields, r->edge_count, (unsigned long long)at);
    g->first_edge[i + 1] = (uint32_t)r->edges_claimed;
    r->record++;
    return 0;
}

static int commit_edge(lt_reader *r, lt_error *err, uint64_t at)
{
    lt_graph *g = r->graph;
    uint64_t i = r->record;
    if (i >= r->edge_count)
        return fail(r, err, LT_EINPUT, "edges[%llu]: more edges than snapshot.edge_count %u (byte %llu)",
                    (unsigned long long)i * r->edge_fields, r->edge_count, (unsigned long long)at);
    uint32_t type = 0, name = 0, to = 0;
    for (unsigned f = 0; f < r->edge_fields; f++) {
        switch ((enum edge_role)r->edge_role[f]) {
        case E_TYPE: type = r->rec[f]; break;
        case E_NAME: name = r->rec[f]; break;
        case E_TO: to = r->rec[f]; break;
        case E_IGNORE: break;
        }
    }
    unsigned long long path = (unsigned long long)i * r->edge_fields;
    uint64_t ordinal = ((uint64_t)to * r->to_node_magic) >> 35;
    if (ordinal * r->node_fields != to) /* the multiply is exact for field counts up to 8 */
        ordinal = to / r->node_fields;
    if (to >= r->to_node_limit)
        return fail(r, err, LT_EINPUT, "edges[%llu]: to_node %u points past the last node (%u nodes) (byte %llu)",
                    path, to, r->node_count, (unsigned long long)at);
    if (ordinal * r->node_fields != to)
        return fail(r, err, LT_EINPUT,
                    "edges[%llu]: to_node %u is not a multiple of the node field count %u (byte %llu)", path, to,
                    r->node_fields, (unsigned long long)at);
    if (type >= (uint32_t)g->edge_type_count)
        return fail(r, err, LT_EINPUT, "edges[%llu]: unknown edge type %u (the snapshot lists %d types) (byte %llu)",
                    path, type, g->edge_type_count, (unsigned long long)at);
    if (name > LT_EDGE_NAME_MAX)
        return fail(r, err, LT_ELIMIT, "edges[%llu]: name or index %u is larger than %u (byte %llu)", path, name,
                    LT_EDGE_NAME_MAX, (unsigned long long)at);
    if (lt_graph_edge_has_string_name(g, type) && (name > r->max_string_ref || !r->any_string_ref)) {
        r->max_string_ref = name;
        r->any_string_ref = true;
    }
    g->edges[i] = (lt_edge){.to = (uint32_t)ordinal, .type_name = name << LT_EDGE_TYPE_BITS | type};
    r->record++;
    return 0;
}

static int commit_location(lt_reader *r, lt_error *err, uint64_t at)
{
    lt_location loc = {0};
    uint32_t object = 0;
    for (unsigned f = 0; f < r->location_fields; f++) {
        switch ((enum loc_role)r->loc_role[f]) {
        case L_OBJECT: object = r->rec[f]; break;
        case L_SCRIPT: loc.script_id = r->rec[f]; break;
        case L_LINE: loc.line = r->rec[f]; break;
        case L_COLUMN: loc.column = r->rec[f]; break;
        case L_IGNORE: break;
        }
    }
    if (object >= r->to_node_limit || object % r->node_fields)
        return fail(r, err, LT_EINPUT, "locations[%llu]: object_index %u is not a node (byte %llu)",
                    (unsigned long long)r->record * r->location_fields, object, (unsigned long long)at);
    loc.node = object / r->node_fields;
    if (r->location_count == r->location_cap) {
        size_t cap = r->location_cap ? r->location_cap * 2 : 1024;
        lt_location *l = realloc(r->locations, cap * sizeof *l);
        if (!l)
            return fail(r, err, LT_ENOMEM, "out of memory reading locations");
        r->locations = l;
        r->location_cap = cap;
    }
    r->locations[r->location_count++] = loc;
    r->record++;
    return 0;
}

static int commit_number(lt_reader *r, lt_error *err, uint64_t at)
{
    r->rec[r->field] = (uint32_t)r->value;
    r->value = 0;
    r->in_number = false;
    r->need_comma = true;
    r->any_value = true;
    unsigned fields = r->array == A_NODES ? r->node_fields
                      : r->array == A_EDGES ? r->edge_fields : r->location_fields;
    if (++r->field < fields)
        return 0;
    r->field = 0;
    switch (r->array) {
    case A_NODES: return commit_node(r, err, at);
    case A_EDGES: return commit_edge(r, err, at);
    case A_LOCATIONS: return commit_location(r, err, at);
    }
    return 0;
}

static int end_array(lt_reader *r, lt_error *err, uint64_t at)
{
    unsigned fields = r->array == A_NODES ? r->node_fields
                      : r->array == A_EDGES ? r->edge_fields : r->location_fields;
    uint64_t want = r->array == A_NODES ? r->node_count : r->array == A_EDGES ? r->edge_count : r->record;
    if (r->field != 0 || r->record != want)
        return fail(r, err, LT_EINPUT,
                    "%s: holds %llu values, but snapshot.%s_count × %u fields says %llu (byte %llu)",
                    array_name(r->array), (unsigned long long)(r->record * fields + r->field),
                    r->array == A_NODES ? "node" : "edge", fields, (unsigned long long)(want * fields),
                    (unsigned long long)at);
    if (r->array == A_NODES) {
        r->have_nodes = true;
        if (r->edges_claimed != r->edge_count)
            return fail(r, err, LT_EINPUT, "nodes: the nodes' edge counts add up to %llu, but snapshot.edge_count is %u",
                        (unsigned long long)r->edges_claimed, r->edge_count);
    }
    r->have_edges |= r->array == A_EDGES;
    r->state = S_NEXT;
    return 0;
}

static int bad_char(lt_reader *r, lt_error *err, char c, uint64_t at)
{
    unsigned fields = r->array == A_NODES ? r->node_fields
                      : r->array == A_EDGES ? r->edge_fields : r->location_fields;
    unsigned long long idx = (unsigned long long)(r->record * (fields ? fields : 1) + r->field);
    const char *what = c == '[' || c == '{' || c == '"' ? "nesting or a string where a number belongs"
                       : c == '-'                        ? "a negative number"
                       : c == '.' || c == 'e' || c == 'E' ? "a non-integer number"
                       : c == ','                        ? "a missing number"
                                                         : "an unexpected character";
    return fail(r, err, LT_EINPUT, "%s[%llu]: %s ('%c') at byte %llu", array_name(r->array), idx, what,
                (c >= 32 && c < 127) ? c : '?', (unsigned long long)at);
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && is_ws(*p))
        p++;
    return p;
}

/* Reads one ", <digits>" at p; NULL when the text is anything else (the
 * careful loop below then takes over and reports errors precisely). */
static const char *fast_next(const char *p, const char *end, uint32_t *out)
{
    p = skip_ws(p, end);
    if (p == end || *p != ',')
        return NULL;
    p = skip_ws(p + 1, end);
    if (p == end || (unsigned char)(*p - '0') >= 10)
        return NULL;
    uint64_t v = 0;
    const char *start = p;
    while (p < end && (unsigned char)(*p - '0') < 10 && p - start < 11)
        v = v * 10 + (uint64_t)(*p++ - '0');
    if (p == end || v > UINT32_MAX)
        return NULL;
    *out = (uint32_t)v;
    return p;
}

static unsigned array_fields(const lt_reader *r)
{
    return r->array == A_NODES ? r->node_fields : r->array == A_EDGES ? r->edge_fields : r->location_fields;
}

/* The fast path: whole records, each value preceded by a comma, while the
 * reader sits right after a record's last number. */
static int feed_records(lt_reader *r, const char *buf, const char **pp, const char *end, lt_error *err)
{
    unsigned fields = array_fields(r);
    const char *p = *pp;
    int rc = 0;
    while (!rc && r->field == 0 && r->need_comma && !r->in_number) {
        const char *q = p;
        for (unsigned f = 0; f < fields && q; f++)
            q = fast_next(q, end, &r->rec[f]);
        if (!q)
            break;
        uint64_t at = r->offset + (uint64_t)(q - buf);
        p = q;
        rc = r->array == A_EDGES ? commit_edge(r, err, at) : r->array == A_NODES ? commit_node(r, err, at)
                                                                                : commit_location(r, err, at);
    }
    *pp = p;
    return rc;
}

/* The hot loop: unsigned integers separated by commas and whitespace. */
static int feed_numbers(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err)
{
    const char *p = buf, *end = buf + n;
    while (p < end) {
        if (r->field == 0 && r->need_comma && !r->in_number) {
            int rc = feed_records(r, buf, &p, end, err);
            if (rc)
                return rc;
            if (p == end)
                break;
        }
        char c = *p;
        if ((unsigned char)(c - '0') < 10) {
            if (r->need_comma && !r->in_number)
                return fail(r, err, LT_EINPUT, "%s: missing comma between numbers at byte %llu",
                            array_name(r->array), (unsigned long long)(r->offset + (uint64_t)(p - buf)));
            uint64_t v = r->value;
            do {
                v = v * 10 + (uint64_t)(*p - '0');
                p++;
            } while (p < end && (unsigned char)(*p - '0') < 10 && v <= UINT32_MAX);
            r->value = v;
            r->in_number = true;
            if (v > UINT32_MAX)
                return fail(r, err, LT_EINPUT, "%s: number larger than 2^32-1 at byte %llu", array_name(r->array),
                            (unsigned long long)(r->offset + (uint64_t)(p - buf)));
            continue;
        }
        uint64_t at = r->offset + (uint64_t)(p - buf);
        if (r->in_number) {
            int rc = commit_number(r, err, at);
            if (rc)
                return rc;
        }
        p++;
        if (c == ',') {
            if (!r->need_comma)
                return bad_char(r, err, c, at);
            r->need_comma = false;
        } else if (c == ']') {
            if (!r->need_comma && r->any_value)
                return bad_char(r, err, ',', at);
            *used = (size_t)(p - buf);
            return end_array(r, err, at);
        } else if (!is_ws(c)) {
            return bad_char(r, err, c, at);
        }
    }
    *used = n;
    return 0;
}

/* ---- strings ---------------------------------------------------------- */

static int str_push(lt_reader *r, const char *s, size_t n, lt_error *err)
{
    if (r->str_len + n > r->str_cap) {
        size_t cap = r->str_cap ? r->str_cap : 256;
        while (cap < r->str_len + n)
            cap *= 2;
        char *b = realloc(r->str, cap);
        if (!b)
            return fail(r, err, LT_ENOMEM, "out of memory reading strings");
        r->str = b;
        r->str_cap = cap;
    }
    memcpy(r->str + r->str_len, s, n);
    r->str_len += n;
    return 0;
}

static int str_push_codepoint(lt_reader *r, uint32_t cp, lt_error *err)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return str_push(r, u, n, err);
}

/* A \uXXXX unit: pairs surrogates; a lone surrogate becomes U+FFFD. */
static int str_unit(lt_reader *r, uint32_t unit, lt_error *err)
{
    int rc = 0;
    if (r->str_high_surrogate) {
        uint32_t high = r->str_high_surrogate;
        r->str_high_surrogate = 0;
        if (unit >= 0xDC00 && unit <= 0xDFFF)
            return str_push_codepoint(r, 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), err);
        if ((rc = str_push_codepoint(r, 0xFFFD, err)))
            return rc;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
        r->str_high_surrogate = unit;
        return 0;
    }
    if (unit >= 0xDC00 && unit <= 0xDFFF)
        unit = 0xFFFD;
    return str_push_codepoint(r, unit, err);
}

static int flush_surrogate(lt_reader *r, lt_error *err)
{
    if (!r->str_high_surrogate)
        return 0;
    r->str_high_surrogate = 0;
    return str_push_codepoint(r, 0xFFFD, err);
}

static int str_escape(lt_reader *r, char c, uint64_t at, lt_error *err)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *hit = strchr(from, c);
    if (c == 'u') {
        r->str_hex = 0;
        r->str_hex_len = 4;
        return 0;
    }
    if (!hit || !c)
        return fail(r, err, LT_EINPUT, "strings[%u]: invalid escape \\%c at byte %llu", r->graph->string_count,
                    (c >= 32 && c < 127) ? c : '?', (unsigned long long)at);
    int rc = flush_surrogate(r, err);
    return rc ? rc : str_push(r, &to[hit - from], 1, err);
}

static int str_hex_digit(lt_reader *r, char c, uint64_t at, lt_error *err)
{
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0)
        return fail(r, err, LT_EINPUT, "strings[%u]: invalid \\u escape at byte %llu", r->graph->string_count,
                    (unsigned long long)at);
    r->str_hex = r->str_hex << 4 | (unsigned)d;
    return --r->str_hex_len ? 0 : str_unit(r, r->str_hex, err);
}

static int end_string(lt_reader *r, lt_error *err)
{
    int rc = flush_surrogate(r, err);
    if (rc)
        return rc;
    if (lt_graph_add_string(r->graph, r->str ? r->str : "", r->str_len) < 0)
        return fail(r, err, LT_ENOMEM, "out of memory storing string %u", r->graph->string_count);
    r->str_len = 0;
    r->str_need_comma = true;
    r->state = S_STRINGS;
    return 0;
}

static int feed_string(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err)
{
    size_t i = 0;
    int rc = 0;
    while (i < n && !rc) {
        if (r->str_hex_len) {
            rc = str_hex_digit(r, buf[i], r->offset + i, err);
            i++;
        } else if (r->str_escape) {
            r->str_escape = false;
            rc = str_escape(r, buf[i], r->offset + i, err);
            i++;
        } else {
            size_t j = i;
            while (j < n && buf[j] != '"' && buf[j] != '\\')
                j++;
            if (j > i && !(rc = flush_surrogate(r, err)))
                rc = str_push(r, buf + i, j - i, err);
            if (rc || j == n) {
                i = j;
                break;
            }
            i = j + 1;
            if (buf[j] == '\\')
                r->str_escape = true;
            else {
                *used = i;
                return end_string(r, err);
            }
        }
    }
    *used = i;
    return rc;
}

static int feed_strings(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (is_ws(c))
            continue;
        uint64_t at = r->offset + i;
        if (c == '"' && !r->str_need_comma) {
            r->state = S_STRING;
            *used = i + 1;
            return 0;
        }
        if (c == ',' && r->str_need_comma) {
            r->str_need_comma = false;
        } else if (c == ']' && (r->str_need_comma || r->graph->string_count == 0)) {
            r->have_strings = true;
            r->state = S_NEXT;
            *used = i + 1;
            return 0;
        } else {
            return fail(r, err, LT_EINPUT, "strings[%u]: expected a string at byte %llu", r->graph->string_count,
                        (unsigned long long)at);
        }
    }
    *used = n;
    return 0;
}

/* ---- the top level ---------------------------------------------------- */

static int start_value(lt_reader *r, lt_error *err, uint64_t at)
{
    static const struct { const char *key; enum array_kind array; } number_arrays[] = {
        {"nodes", A_NODES}, {"edges", A_EDGES}, {"locations", A_LOCATIONS}};
    if (!strcmp(r->key, "snapshot") && !r->key_truncated && !r->have_header) {
        r->scan = (scan_state){0};
        r->state = S_HEADER;
        return 0;
    }
    for (size_t i = 0; i < sizeof number_arrays / sizeof number_arrays[0]; i++) {
        if (strcmp(r->key, number_arrays[i].key) || r->key_truncated)
            continue;
        if (!r->have_header)
            return fail(r, err, LT_EINPUT, "\"%s\" comes before the \"snapshot\" header (byte %llu): not a V8 heap snapshot",
                        r->key, (unsigned long long)at);
        if (number_arrays[i].array == A_LOCATIONS && r->location_fields == 0)
            break;
        r->array = number_arrays[i].array;
        r->record = 0;
        r->field = 0;
        r->value = 0;
        r->in_number = r->need_comma = r->any_value = false;
        r->state = S_NUM_OPEN;
        return 0;
    }
    if (!strcmp(r->key, "strings") && !r->key_truncated) {
        if (!r->have_header)
            return fail(r, err, LT_EINPUT, "\"strings\" comes before the \"snapshot\" header (byte %llu)",
                        (unsigned long long)at);
        r->state = S_STR_OPEN;
        return 0;
    }
    r->scan = (scan_state){0};
    r->state = S_SKIP;
    return 0;
}

static int expect(lt_reader *r, lt_error *err, char c, char want, const char *where, uint64_t at)
{
    if (c == want)
        return 0;
    return fail(r, err, LT_EINPUT, "expected '%c' %s at byte %llu, found '%c': not a V8 heap snapshot", want, where,
                (unsigned long long)at, (c >= 32 && c < 127) ? c : '?');
}

/* Handles one byte of the structural states; returns 0 or an error. */
static int structural(lt_reader *r, char c, uint64_t at, lt_error *err)
{
    if (r->state != S_KEY && is_ws(c))
        return 0;
    switch (r->state) {
    case S_BEGIN:
        r->state = S_KEY_OR_END;
        return expect(r, err, c, '{', "at the start of the snapshot", at);
    case S_KEY_OR_END:
        if (c == '}') {
            r->state = S_DONE;
            return 0;
        }
        /* fall through */
    case S_KEY_START:
        r->key_len = 0;
        r->key_truncated = false;
        r->state = S_KEY;
        return expect(r, err, c, '"', "before a top-level key", at);
    case S_KEY:
        if (c == '"') {
            r->key[r->key_len] = '\0';
            r->state = S_COLON;
        } else if (r->key_len + 1 < sizeof r->key) {
            r->key[r->key_len++] = c;
        } else {
            r->key_truncated = true;
        }
        return 0;
    case S_COLON:
        r->state = S_VALUE;
        return expect(r, err, c, ':', "after a top-level key", at);
    case S_NEXT:
        if (c == '}') {
            r->state = S_DONE;
            return 0;
        }
        r->state = S_KEY_START;
        return expect(r, err, c, ',', "between top-level values", at);
    case S_NUM_OPEN:
        r->state = S_NUMBERS;
        return expect(r, err, c, '[', "at the start of an array", at);
    case S_STR_OPEN:
        r->state = S_STRINGS;
        r->str_need_comma = false;
        return expect(r, err, c, '[', "at the start of \"strings\"", at);
    case S_DONE:
        return fail(r, err, LT_EINPUT, "unexpected data after the end of the snapshot at byte %llu",
                    (unsigned long long)at);
    default:
        return fail(r, err, LT_EINPUT, "internal reader state error at byte %llu", (unsigned long long)at);
    }
}

static int feed_one(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err)
{
    *used = 0;
    switch (r->state) {
    case S_HEADER: return feed_header(r, buf, n, used, err);
    case S_NUMBERS: return feed_numbers(r, buf, n, used, err);
    case S_STRINGS: return feed_strings(r, buf, n, used, err);
    case S_STRING: return feed_string(r, buf, n, used, err);
    case S_SKIP: {
        bool done = false;
        *used = scan_value(&r->scan, buf, n, &done);
        if (done)
            r->state = S_NEXT;
        return 0;
    }
    case S_VALUE:
        if (is_ws(buf[0])) {
            *used = 1;
            return 0;
        }
        return start_value(r, err, r->offset);
    default:
        *used = 1;
        return structural(r, buf[0], r->offset, err);
    }
}

int lt_reader_feed(lt_reader *r, const char *buf, size_t len, lt_error *err)
{
    if (r->state == S_FAILED)
        return lt_error_set(err, LT_EINPUT, "the reader already failed");
    while (len) {
        size_t used;
        int rc = feed_one(r, buf, len, &used, err);
        if (rc) {
            r->state = S_FAILED;
            return rc;
        }
        buf += used;
        len -= used;
        r->offset += used;
    }
    return 0;
}

/* ---- finish ----------------------------------------------------------- */

typedef struct located {
    lt_location loc;
    size_t position;
} located;

static int cmp_located(const void *a, const void *b)
{
    const located *x = a, *y = b;
    if (x->loc.node != y->loc.node)
        return x->loc.node < y->loc.node ? -1 : 1;
    return x->position > y->position ? -1 : x->position < y->position; /* later first */
}

/* Sorts locations by node keeping, for a node given twice, the last one given
 * (as DevTools' location map does). */
static int install_locations(lt_reader *r, lt_error *err)
{
    size_t n = r->location_count, out = 0, sorted = 1;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = r->locations[i - 1].node <= r->locations[i].node;
    if (sorted) { /* the usual case: V8 writes them in node order */
        for (size_t i = 0; i < n; i++) {
            if (out && r->locations[out - 1].node == r->locations[i].node)
                out--;
            r->locations[out++] = r->locations[i];
        }
        r->graph->locations = r->locations;
        r->graph->location_count = (uint32_t)out;
        r->locations = NULL;
        return 0;
    }
    located *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return fail(r, err, LT_ENOMEM, "out of memory sorting %zu locations", n);
    for (size_t i = 0; i < n; i++)
        tmp[i] = (located){r->locations[i], i};
    qsort(tmp, n, sizeof *tmp, cmp_located);
    for (size_t i = 0; i < n; i++)
        if (out == 0 || r->locations[out - 1].node != tmp[i].loc.node)
            r->locations[out++] = tmp[i].loc;
    free(tmp);
    r->graph->locations = r->locations;
    r->graph->location_count = (uint32_t)out;
    r->locations = NULL;
    return 0;
}

static const char *state_context(const lt_reader *r)
{
    switch (r->state) {
    case S_HEADER: return "inside the \"snapshot\" header";
    case S_NUMBERS: return r->array == A_NODES ? "inside \"nodes\"" : r->array == A_EDGES ? "inside \"edges\"" : "inside \"locations\"";
    case S_STRINGS:
    case S_STRING: return "inside \"strings\"";
    case S_SKIP: return "inside a skipped value";
    default: return "between top-level values";
    }
}

int lt_reader_finish(lt_reader *r, lt_graph **out, lt_error *err)
{
    *out = NULL;
    if (r->state == S_FAILED)
        return lt_error_set(err, LT_EINPUT, "the reader already failed");
    if (r->offset == 0)
        return fail(r, err, LT_EINPUT, "input is empty");
    if (r->state != S_DONE)
        return fail(r, err, LT_EINPUT, "input is truncated at byte %llu (%s)", (unsigned long long)r->offset,
                    state_context(r));
    if (!r->have_header || !r->have_nodes || !r->have_edges || !r->have_strings)
        return fail(r, err, LT_EINPUT, "not a V8 heap snapshot: missing \"%s\"",
                    !r->have_header ? "snapshot" : !r->have_nodes ? "nodes" : !r->have_edges ? "edges" : "strings");
    if (r->any_string_ref && r->max_string_ref >= r->graph->string_count)
        return fail(r, err, LT_EINPUT, "a node or edge name refers to string %u, but there are only %u strings",
                    r->max_string_ref, r->graph->string_count);
    if (r->node_count == 0)
        return fail(r, err, LT_EINPUT, "the snapshot has no nodes");
    int rc = install_locations(r, err);
    if (rc)
        return rc;
    *out = r->graph;
    r->graph = NULL;
    return 0;
}
