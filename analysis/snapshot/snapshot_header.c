/* snapshot_header: the "snapshot" value: captured (bounded), parsed with
 * jansson, and turned into the field layout and a graph sized from its counts. */
#include "snapshot/snapshot_reader_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"

/* ---- the header ------------------------------------------------------- */

static int field_index(json_t *fields, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(fields, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), name)) return (int)i;
    return -1;
}

/* Copies a type list (1 to max strings) into names. Returns 0, LT_EINPUT (not
 * such a list) or LT_ENOMEM. */
static int copy_type_names(json_t *list, char **names, int *count, int max)
{
    if (!json_is_array(list) || json_array_size(list) == 0 || (int)json_array_size(list) > max)
        return LT_EINPUT;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (!json_is_string(v))
            return LT_EINPUT;
        names[i] = strdup(json_string_value(v));
        if (!names[i])
            return LT_ENOMEM;
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
        .hidden = type_index(n, c, "hidden"),
        .array = type_index(n, c, "array"),
        .string = type_index(n, c, "string"),
        .object = type_index(n, c, "object"),
        .code = type_index(n, c, "code"),
        .closure = type_index(n, c, "closure"),
        .regexp = type_index(n, c, "regexp"),
        .number = type_index(n, c, "number"),
        .native = type_index(n, c, "native"),
        .synthetic = type_index(n, c, "synthetic"),
        .cons_string = type_index(n, c, "concatenated string"),
        .sliced_string = type_index(n, c, "sliced string"),
    };
    char **e = g->edge_type_names;
    int ec = g->edge_type_count;
    g->et = (lt_edge_types){
        .context = type_index(e, ec, "context"),
        .element = type_index(e, ec, "element"),
        .property = type_index(e, ec, "property"),
        .internal = type_index(e, ec, "internal"),
        .hidden = type_index(e, ec, "hidden"),
        .shortcut = type_index(e, ec, "shortcut"),
        .weak = type_index(e, ec, "weak"),
    };
}

static int layout_roles(lt_reader *r, json_t *meta, lt_error *err)
{
    json_t *nf = json_object_get(meta, "node_fields"), *ef = json_object_get(meta, "edge_fields");
    json_t *lf = json_object_get(meta, "location_fields");
    if (!json_is_array(nf) || !json_is_array(ef))
        return lt_reader_fail(r, err, LT_EINPUT, "snapshot.meta: node_fields and edge_fields must be arrays");
    r->node_fields = (unsigned)json_array_size(nf);
    r->edge_fields = (unsigned)json_array_size(ef);
    r->location_fields = json_is_array(lf) ? (unsigned)json_array_size(lf) : 0;
    if (r->node_fields > MAX_FIELDS || r->edge_fields > MAX_FIELDS || r->location_fields > MAX_FIELDS)
        return lt_reader_fail(r, err, LT_EINPUT, "snapshot.meta: more than %d fields per record", MAX_FIELDS);
    static const struct {
        const char *name;
        uint8_t role;
    } node_map[] = {{"type", R_TYPE},      {"name", R_NAME},        {"id", R_ID},
                    {"self_size", R_SELF}, {"edge_count", R_EDGES}, {"detachedness", R_DETACHED}};
    static const struct {
        const char *name;
        uint8_t role;
    } edge_map[] = {{"type", E_TYPE}, {"name_or_index", E_NAME}, {"to_node", E_TO}};
    static const struct {
        const char *name;
        uint8_t role;
    } loc_map[] = {{"object_index", L_OBJECT}, {"script_id", L_SCRIPT}, {"line", L_LINE}, {"column", L_COLUMN}};
    for (size_t i = 0; i < sizeof node_map / sizeof node_map[0]; i++) {
        int at = field_index(nf, node_map[i].name);
        if (at < 0 && node_map[i].role != R_DETACHED)
            return lt_reader_fail(r, err, LT_EINPUT, "snapshot.meta.node_fields lacks \"%s\"", node_map[i].name);
        if (at >= 0)
            r->node_role[at] = node_map[i].role;
    }
    for (size_t i = 0; i < sizeof edge_map / sizeof edge_map[0]; i++) {
        int at = field_index(ef, edge_map[i].name);
        if (at < 0)
            return lt_reader_fail(r, err, LT_EINPUT, "snapshot.meta.edge_fields lacks \"%s\"", edge_map[i].name);
        r->edge_role[at] = edge_map[i].role;
    }
    for (size_t i = 0; lf && i < sizeof loc_map / sizeof loc_map[0]; i++) {
        int at = field_index(lf, loc_map[i].name);
        if (at >= 0)
            r->loc_role[at] = loc_map[i].role;
    }
    return 0;
}

/* snap[key] as an integer from 0 to max into *out; 0 or LT_EINPUT. */
static int header_count(json_t *snap, const char *key, uint64_t max, uint64_t *out)
{
    json_t *v = json_object_get(snap, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
        return LT_EINPUT;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int type_list_failed(lt_reader *r, lt_error *err, int rc, const char *list, int max)
{
    if (rc == LT_ENOMEM)
        return lt_reader_fail(r, err, rc, "out of memory reading snapshot.meta.%s", list);
    return lt_reader_fail(r, err, rc, "snapshot.meta.%s: the type list must hold 1 to %d strings", list, max);
}

/* Starts backing the graph's arrays ahead of the parser (prefault.h), in the order it
 * fills them: a step of every node array in turn (2 Mi nodes a step), then the edges. */
static void prefault_graph(lt_reader *r)
{
    const lt_graph *g = r->graph;
    size_t n = g->node_count, step = (size_t)2 << 20;
    lt_prefault_range ranges[] = {
        {g->node_type, n, step},
        {g->node_name, n * sizeof *g->node_name, 4 * step},
        {g->self_size, n * sizeof *g->self_size, 4 * step},
        {g->first_edge, (n + 1) * sizeof *g->first_edge, 4 * step},
        {g->edge_to, lt_index_array_bytes(g->edge_count, g->edge_to_width), 2 * step},
        {g->edge_wide, (size_t)g->edge_count * sizeof *g->edge_wide, 2 * step},
    };
    r->prefault = lt_prefault_start(ranges, (int)(sizeof ranges / sizeof ranges[0]));
}

static int setup_graph(lt_reader *r, json_t *snap, json_t *meta, lt_error *err)
{
    uint64_t nodes, edges, root = 0, extra = 0;
    if (header_count(snap, "node_count", UINT32_MAX - 1, &nodes) ||
        header_count(snap, "edge_count", UINT32_MAX, &edges))
        return lt_reader_fail(r, err, LT_EINPUT,
                              "snapshot.node_count and snapshot.edge_count must be integers from 0 to 2^32-1");
    if (json_object_get(snap, "root_index") && header_count(snap, "root_index", UINT64_MAX, &root))
        return lt_reader_fail(r, err, LT_EINPUT, "snapshot.root_index must be a non-negative integer");
    if (json_object_get(snap, "extra_native_bytes"))
        header_count(snap, "extra_native_bytes", INT64_MAX, &extra);
    if (nodes && (root % r->node_fields || root / r->node_fields >= nodes))
        return lt_reader_fail(r, err, LT_EINPUT, "snapshot.root_index %llu is not a node", (unsigned long long)root);
    bool detached = false;
    for (unsigned i = 0; i < r->node_fields; i++)
        detached |= r->node_role[i] == R_DETACHED;
    int rc = lt_reader_check_budget(r, nodes, edges, 0, err);
    if (rc)
        return rc;
    r->graph = lt_graph_new((uint32_t)nodes, (uint32_t)edges, detached, r->keep, err);
    if (!r->graph)
        return lt_reader_fail(r, err, LT_ENOMEM, "out of memory allocating a graph of %llu nodes and %llu edges",
                              (unsigned long long)nodes, (unsigned long long)edges);
    r->node_count = (uint32_t)nodes;
    r->edge_count = (uint32_t)edges;
    r->graph->root = (uint32_t)(nodes ? root / r->node_fields : 0);
    r->graph->extra_native_bytes = extra;
    r->graph->first_edge[0] = 0;
    prefault_graph(r);
    r->to_node_limit = nodes * r->node_fields;
    r->to_node_magic = ((1ull << 35) + r->node_fields - 1) / r->node_fields;
    json_t *nf = json_object_get(meta, "node_fields"), *ef = json_object_get(meta, "edge_fields");
    json_t *ntypes = json_array_get(json_object_get(meta, "node_types"), (size_t)field_index(nf, "type"));
    json_t *etypes = json_array_get(json_object_get(meta, "edge_types"), (size_t)field_index(ef, "type"));
    rc = copy_type_names(ntypes, r->graph->node_type_names, &r->graph->node_type_count, LT_MAX_TYPES);
    if (rc)
        return type_list_failed(r, err, rc, "node_types", LT_MAX_TYPES);
    rc = copy_type_names(etypes, r->graph->edge_type_names, &r->graph->edge_type_count, LT_EDGE_TYPE_MAX);
    if (rc)
        return type_list_failed(r, err, rc, "edge_types", LT_EDGE_TYPE_MAX);
    resolve_types(r->graph);
    return 0;
}

static int parse_header(lt_reader *r, lt_error *err)
{
    json_error_t jerr;
    json_t *snap = json_loadb(r->header, r->header_len, 0, &jerr);
    /* jansson says nothing when it cannot even allocate its lexer */
    if (!snap && (json_error_code(&jerr) == json_error_out_of_memory || !jerr.text[0]))
        return lt_reader_fail(r, err, LT_ENOMEM, "out of memory parsing the snapshot header");
    if (!snap)
        return lt_reader_fail(r, err, LT_EINPUT, "snapshot header is not valid JSON: %s (header byte %d)", jerr.text,
                              jerr.position);
    int rc;
    json_t *meta = json_object_get(snap, "meta");
    if (!json_is_object(snap) || !json_is_object(meta))
        rc = lt_reader_fail(r, err, LT_EINPUT,
                            "\"snapshot\" must be an object with a \"meta\" object: not a V8 heap snapshot");
    else if ((rc = layout_roles(r, meta, err)) == 0)
        rc = setup_graph(r, snap, meta, err);
    json_decref(snap);
    free(r->header);
    r->header = NULL;
    r->have_header = rc == 0;
    return rc;
}

/* Feeds bytes to a value scanner; returns bytes used, sets *done at the value's end. */
size_t lt_reader_scan_value(scan_state *s, const char *p, size_t n, bool *done)
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
            if (lt_reader_is_ws(c))
                continue;
            s->started = true;
            s->scalar = !(c == '{' || c == '[' || c == '"');
        }
        if (s->scalar) {
            if (c == ',' || c == '}' || c == ']' || lt_reader_is_ws(c)) {
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

int lt_reader_feed_header(lt_reader *r, const char *p, size_t n, size_t *used, lt_error *err)
{
    bool done = false;
    size_t k = lt_reader_scan_value(&r->scan, p, n, &done);
    if (r->header_len + k > HEADER_LIMIT)
        return lt_reader_fail(r, err, LT_ELIMIT, "the \"snapshot\" header is larger than %u bytes", HEADER_LIMIT);
    if (lt_reserve(&r->header, &r->header_cap, r->header_len + k, 1, 4096))
        return lt_reader_fail(r, err, LT_ENOMEM, "out of memory reading the snapshot header");
    if (k) /* an empty value gives k == 0 while header may still be NULL */
        memcpy(r->header + r->header_len, p, k);
    r->header_len += k;
    *used = k;
    if (done) {
        r->state = S_NEXT;
        return parse_header(r, err);
    }
    return 0;
}
