/* snapshot_numbers: the hot path: "nodes", "edges" and "locations", flat
 * arrays of unsigned integers, each record checked and stored when its last
 * field arrives. While the text is regular, numbers are found in batches
 * (number_scan.h) and stored as whole records; a careful loop, byte by byte,
 * takes everything else and says what is wrong. */
#include "snapshot/snapshot_reader_internal.h"

#include <stdlib.h>
#include <string.h>

#include "snapshot/number_scan.h"
#include "util/grow.h"
#include "util/hash.h"

/* ---- records ---------------------------------------------------------- */

static unsigned array_fields(const lt_reader *r)
{
    return r->array == A_NODES ? r->node_fields : r->array == A_EDGES ? r->edge_fields : r->location_fields;
}

/* A self size past 2^32-1 (V8 writes a huge ArrayBuffer's backing store so):
 * kept modulo 2^32 as DevTools keeps it, and counted for the report. */
static void note_wrapped_self(lt_reader *r, uint32_t node)
{
    lt_graph *g = r->graph;
    if (!g->wrapped_self_count++) {
        g->wrapped_self_node = node;
        g->wrapped_self_size = r->wide_self;
    }
    r->wide_self = 0;
}

static int commit_node(lt_reader *r, lt_error *err, uint64_t at)
{
    lt_graph *g = r->graph;
    uint64_t i = r->record;
    if (i >= r->node_count)
        return lt_reader_fail(r, err, LT_EINPUT, "nodes[%llu]: more nodes than snapshot.node_count %u (byte %llu)",
                              (unsigned long long)i * r->node_fields, r->node_count, (unsigned long long)at);
    uint32_t type = 0, edges = 0;
    for (unsigned f = 0; f < r->node_fields; f++) {
        uint32_t v = r->rec[f];
        switch ((enum node_role)r->node_role[f]) {
        case R_TYPE: type = v; break;
        case R_NAME: g->node_name[i] = v; break;
        case R_ID: lt_graph_add_id(g, (uint32_t)i, v); break;
        case R_SELF: g->self_size[i] = v; break;
        case R_EDGES: edges = v; break;
        case R_DETACHED:
            if (v & 3) /* zeroed already: unknown states stay unwritten */
                g->detachedness[i] = (uint8_t)(v & 3);
            break;
        case R_IGNORE: break;
        }
    }
    if (type >= (uint32_t)g->node_type_count)
        return lt_reader_fail(r, err, LT_EINPUT,
                              "nodes[%llu]: unknown node type %u (the snapshot lists %d types) (byte %llu)",
                              (unsigned long long)i * r->node_fields, type, g->node_type_count, (unsigned long long)at);
    g->node_type[i] = (uint8_t)type;
    if (r->wide_self)
        note_wrapped_self(r, (uint32_t)i);
    if (g->node_name[i] > r->max_string_ref || !r->any_string_ref)
        r->max_string_ref = g->node_name[i];
    r->any_string_ref = true;
    r->edges_claimed += edges;
    if (r->edges_claimed > r->edge_count)
        return lt_reader_fail(
            r, err, LT_EINPUT,
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
        return lt_reader_fail(r, err, LT_EINPUT, "edges[%llu]: more edges than snapshot.edge_count %u (byte %llu)",
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
        return lt_reader_fail(r, err, LT_EINPUT,
                              "edges[%llu]: to_node %u points past the last node (%u nodes) (byte %llu)", path, to,
                              r->node_count, (unsigned long long)at);
    if (ordinal * r->node_fields != to)
        return lt_reader_fail(r, err, LT_EINPUT,
                              "edges[%llu]: to_node %u is not a multiple of the node field count %u (byte %llu)", path,
                              to, r->node_fields, (unsigned long long)at);
    if (type >= (uint32_t)g->edge_type_count)
        return lt_reader_fail(r, err, LT_EINPUT,
                              "edges[%llu]: unknown edge type %u (the snapshot lists %d types) (byte %llu)", path, type,
                              g->edge_type_count, (unsigned long long)at);
    if (lt_graph_edge_has_string_name(g, type) && (name > r->max_string_ref || !r->any_string_ref)) {
        r->max_string_ref = name;
        r->any_string_ref = true;
    }
    if (lt_graph_set_edge(g, (uint32_t)i, (uint32_t)ordinal, type, name))
        return lt_reader_fail(r, err, LT_ENOMEM, "out of memory reading edges[%llu]", path);
    r->record++;
    return 0;
}

/* ---- locations: each a node and the index of its (script, line, column) ---- */

static uint64_t position_hash(lt_position p)
{
    return lt_hash_word(lt_hash_word(lt_hash_word(LT_HASH_SEED, p.script_id), p.line), p.column);
}

static uint64_t hash_of_position(const void *reader, uint32_t i)
{
    return position_hash(((const lt_reader *)reader)->positions[i]);
}

typedef struct position_key {
    const lt_position *positions;
    lt_position key;
} position_key;

static bool holds_position(const void *key, uint32_t i)
{
    const position_key *k = key;
    const lt_position *p = &k->positions[i];
    return p->script_id == k->key.script_id && p->line == k->key.line && p->column == k->key.column;
}

/* The index of p among the positions read so far, added when new: >= 0, or LT_ENOMEM. */
static int64_t position_index(lt_reader *r, lt_position p)
{
    lt_table *t = &r->position_index;
    if (!t->slots && lt_table_init(t, 256))
        return LT_ENOMEM;
    uint64_t h = position_hash(p);
    position_key key = {r->positions, p};
    uint32_t *slot = lt_table_find(t, h, holds_position, &key), capacity = t->capacity;
    if (*slot)
        return *slot - 1;
    if (lt_grow(&r->positions, &r->position_cap, r->position_count, sizeof *r->positions, 256) ||
        lt_table_reserve(t, hash_of_position, r))
        return LT_ENOMEM;
    if (t->capacity != capacity) {
        key.positions = r->positions;
        slot = lt_table_find(t, h, holds_position, &key);
    }
    r->positions[r->position_count] = p;
    lt_table_put(t, slot, r->position_count);
    return r->position_count++;
}

static int commit_location(lt_reader *r, lt_error *err, uint64_t at)
{
    lt_position p = {0};
    uint32_t object = 0;
    for (unsigned f = 0; f < r->location_fields; f++) {
        switch ((enum loc_role)r->loc_role[f]) {
        case L_OBJECT: object = r->rec[f]; break;
        case L_SCRIPT: p.script_id = r->rec[f]; break;
        case L_LINE: p.line = r->rec[f]; break;
        case L_COLUMN: p.column = r->rec[f]; break;
        case L_IGNORE: break;
        }
    }
    if (object >= r->to_node_limit || object % r->node_fields)
        return lt_reader_fail(r, err, LT_EINPUT, "locations[%llu]: object_index %u is not a node (byte %llu)",
                              (unsigned long long)r->record * r->location_fields, object, (unsigned long long)at);
    int64_t position = position_index(r, p);
    if (position < 0 || lt_reserve(&r->locations, &r->location_cap, r->location_count + 1, sizeof *r->locations, 1024))
        return lt_reader_fail(r, err, LT_ENOMEM, "out of memory reading locations");
    r->locations[r->location_count++] = (lt_node_location){object / r->node_fields, (uint32_t)position};
    r->record++;
    return 0;
}

static int commit_number(lt_reader *r, lt_error *err, uint64_t at)
{
    if (r->value > UINT32_MAX) {
        if (r->array != A_NODES || r->node_role[r->field] != R_SELF)
            return lt_reader_fail(r, err, LT_EINPUT, "%s[%llu]: number %llu is larger than 2^32-1 (byte %llu)",
                                  lt_reader_array_name(r->array),
                                  (unsigned long long)(r->record * array_fields(r) + r->field),
                                  (unsigned long long)r->value, (unsigned long long)at);
        r->wide_self = r->value;
    }
    r->rec[r->field] = (uint32_t)r->value;
    r->value = 0;
    r->in_number = false;
    r->need_comma = true;
    r->any_value = true;
    unsigned fields = array_fields(r);
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
    unsigned fields = array_fields(r);
    uint64_t want = r->array == A_NODES ? r->node_count : r->array == A_EDGES ? r->edge_count : r->record;
    if (r->field != 0 || r->record != want)
        return lt_reader_fail(
            r, err, LT_EINPUT, "%s: holds %llu values, but snapshot.%s_count × %u fields says %llu (byte %llu)",
            lt_reader_array_name(r->array), (unsigned long long)(r->record * fields + r->field),
            r->array == A_NODES ? "node" : "edge", fields, (unsigned long long)(want * fields), (unsigned long long)at);
    if (r->array == A_NODES) {
        r->have_nodes = true;
        if (lt_graph_ids_done(r->graph))
            return lt_reader_fail(r, err, LT_ENOMEM, "out of memory keeping the node ids");
        if (r->edges_claimed != r->edge_count)
            return lt_reader_fail(r, err, LT_EINPUT,
                                  "nodes: the nodes' edge counts add up to %llu, but snapshot.edge_count is %u",
                                  (unsigned long long)r->edges_claimed, r->edge_count);
    }
    if (r->array == A_EDGES) {
        /* the codes are chosen on a thread of their own while this one reads the rest
         * (locations, strings): 0.06 s of the 200 MB snapshot, 0.3 s of the 1 GB one. A
         * name from the bound on is kept in full; the bound is at most the edge count, so
         * that a name pointing past the strings (which lt_reader_finish refuses) cannot
         * make the packing's count table (4 bytes a name and edge type) grow past 4 bytes
         * an edge and type. */
        size_t names = r->any_string_ref ? (size_t)r->max_string_ref + 1 : 0;
        r->have_edges = true;
        r->packing = lt_graph_pack_edges_start(r->graph, names < r->edge_count ? names : r->edge_count);
    }
    r->state = S_NEXT;
    return 0;
}

static int bad_char(lt_reader *r, lt_error *err, char c, uint64_t at)
{
    unsigned fields = array_fields(r);
    unsigned long long idx = (unsigned long long)(r->record * (fields ? fields : 1) + r->field);
    const char *what = c == '[' || c == '{' || c == '"'   ? "nesting or a string where a number belongs"
                       : c == '-'                         ? "a negative number"
                       : c == '.' || c == 'e' || c == 'E' ? "a non-integer number"
                       : c == ','                         ? "a missing number"
                                                          : "an unexpected character";
    return lt_reader_fail(r, err, LT_EINPUT, "%s[%llu]: %s ('%c') at byte %llu", lt_reader_array_name(r->array), idx,
                          what, (c >= 32 && c < 127) ? c : '?', (unsigned long long)at);
}

/* Numbers read ahead in one go: the scan finds them (number_scan.h), this stores them. */
#define BATCH 4096

/* One number as if its comma and digits had been read here. */
static int commit_value(lt_reader *r, uint32_t value, uint64_t at, lt_error *err)
{
    r->need_comma = false;
    r->value = value;
    r->in_number = true;
    return commit_number(r, err, at);
}

/* Where each role's value sits in a record (roles the layout lacks: 0, unused). */
typedef struct role_at {
    unsigned type, name, id, self, edges, detached, to;
} role_at;

static role_at roles_of(const lt_reader *r)
{
    role_at at = {0};
    for (unsigned f = 0; f < r->node_fields && r->array == A_NODES; f++)
        switch ((enum node_role)r->node_role[f]) {
        case R_TYPE: at.type = f; break;
        case R_NAME: at.name = f; break;
        case R_ID: at.id = f; break;
        case R_SELF: at.self = f; break;
        case R_EDGES: at.edges = f; break;
        case R_DETACHED: at.detached = f; break;
        case R_IGNORE: break;
        }
    for (unsigned f = 0; f < r->edge_fields && r->array == A_EDGES; f++)
        switch ((enum edge_role)r->edge_role[f]) {
        case E_TYPE: at.type = f; break;
        case E_NAME: at.name = f; break;
        case E_TO: at.to = f; break;
        case E_IGNORE: break;
        }
    return at;
}

/* The string references of a run of records: the reader's largest so far, and whether
 * there is one, kept in locals while the run is stored and written back once. */
typedef struct string_refs {
    uint32_t max;
    bool any;
} string_refs;

static inline void note_string_ref(string_refs *s, uint32_t name)
{
    if (name > s->max || !s->any)
        s->max = name;
    s->any = true;
}

/* Stores up to `records` whole node records of plain values from v while each passes
 * every check; returns how many it stored (the first that fails is commit_node's to look
 * at and say what is wrong). The graph's arrays and the reader's counters are read into
 * locals first: the byte stores would otherwise make the compiler load them again for
 * every record. */
static long store_nodes(lt_reader *r, const role_at *at, const uint32_t *v, long records)
{
    lt_graph *g = r->graph;
    uint8_t *const node_type = g->node_type, *const detachedness = g->detachedness;
    uint32_t *const node_name = g->node_name, *const self_size = g->self_size, *const first_edge = g->first_edge;
    const uint64_t nodes = r->node_count, edge_count = r->edge_count;
    const uint32_t types = (uint32_t)g->node_type_count;
    const unsigned fields = r->node_fields;
    uint64_t i = r->record, claimed = r->edges_claimed;
    string_refs refs = {r->max_string_ref, r->any_string_ref};
    long k = 0;
    for (; k < records; k++, v += fields) {
        uint64_t edges = claimed + v[at->edges];
        if (i >= nodes || v[at->type] >= types || edges > edge_count)
            break;
        node_type[i] = (uint8_t)v[at->type];
        node_name[i] = v[at->name];
        lt_graph_add_id(g, (uint32_t)i, v[at->id]);
        self_size[i] = v[at->self];
        if (detachedness && (v[at->detached] & 3)) /* zeroed already */
            detachedness[i] = (uint8_t)(v[at->detached] & 3);
        note_string_ref(&refs, v[at->name]);
        claimed = edges;
        first_edge[i + 1] = (uint32_t)edges;
        i++;
    }
    r->record = i;
    r->edges_claimed = claimed;
    r->max_string_ref = refs.max;
    r->any_string_ref = refs.any;
    return k;
}

/* The same for edge records; named has bit t set when edges of type t are named by a
 * string. */
static long store_edges(lt_reader *r, const role_at *at, const uint32_t *v, long records, uint32_t named)
{
    lt_graph *g = r->graph;
    const lt_index_array edge_to = lt_index_array_at(g->edge_to, g->edge_to_width);
    uint32_t *const edge_wide = g->edge_wide;
    const uint64_t edge_count = r->edge_count, limit = r->to_node_limit, magic = r->to_node_magic;
    const uint32_t types = (uint32_t)g->edge_type_count;
    const unsigned fields = r->edge_fields, node_fields = r->node_fields;
    uint64_t i = r->record;
    string_refs refs = {r->max_string_ref, r->any_string_ref};
    long k = 0;
    for (; k < records; k++, v += fields) {
        uint64_t to = v[at->to], ordinal = (to * magic) >> 35;
        uint32_t type = v[at->type], name = v[at->name];
        if (i >= edge_count || type >= types || to >= limit || ordinal * node_fields != to ||
            name >= LT_EDGE_NAME_ESCAPE)
            break;
        if ((named >> type) & 1)
            note_string_ref(&refs, name);
        lt_index_set(edge_to, i, (uint32_t)ordinal); /* lt_graph_set_edge's work */
        edge_wide[i] = name << LT_EDGE_TYPE_BITS | type;
        i++;
    }
    r->record = i;
    r->max_string_ref = refs.max;
    r->any_string_ref = refs.any;
    return k;
}

/* Stores numbers read ahead (by feed_records or the helper) in order: whole records straight into the graph when
 * they pass the checks (locations through commit_location), anything else (a record
 * begun before them, one that fails a check, the last part) number by number through
 * commit_number, so every check and message is the careful loop's. */
static int commit_numbers(lt_reader *r, const char *text, const uint32_t *values, const uint32_t *ends, long count,
                          const char *buf, lt_error *err)
{
    uint64_t base = r->offset + (uint64_t)(text - buf);
    const unsigned fields = array_fields(r);
    const role_at at = roles_of(r);
    uint32_t named = 0; /* bit t: edges of type t are named by a string */
    for (unsigned t = 0; t < LT_EDGE_TYPE_MAX; t++)
        named |= (uint32_t)lt_graph_edge_has_string_name(r->graph, t) << t;
    long k = 0;
    while (k < count) {
        if (r->field == 0 && k + (long)fields <= count) {
            const uint32_t *v = values + k;
            if (r->array == A_LOCATIONS) { /* commit_location checks all there is */
                memcpy(r->rec, v, fields * sizeof *v);
                int rc = commit_location(r, err, base + ends[k + fields - 1]);
                if (rc)
                    return rc;
                k += fields;
                continue;
            }
            long records = (count - k) / (long)fields;
            long stored =
                r->array == A_EDGES ? store_edges(r, &at, v, records, named) : store_nodes(r, &at, v, records);
            k += stored * (long)fields;
            r->run_records += (uint64_t)stored;
            if (stored == records)
                continue;
        }
        int rc = commit_value(r, values[k], base + ends[k], err);
        if (rc)
            return rc;
        k++;
    }
    r->need_comma = true;
    r->any_value = true;
    return 0;
}

/* The fast path, while the reader sits right after a record's last number: the numbers
 * that follow are found in batches and stored as whole records where they pass the
 * checks (commit_numbers). Stops where the scan stops: the careful loop reads on. */
static int feed_records(lt_reader *r, const char *buf, const char **pp, const char *end, lt_error *err)
{
    uint32_t value[BATCH], ends[BATCH];
    const char *p = *pp;
    int rc = 0;
    while (!rc && r->field == 0 && r->need_comma && !r->in_number) {
        size_t count = lt_scan_numbers(p, (size_t)(end - p), value, ends, BATCH, true);
        if (!count)
            break;
        rc = commit_numbers(r, p, value, ends, (long)count, buf, err);
        p += ends[count - 1];
    }
    *pp = p;
    return rc;
}

/* The hot loop: unsigned integers separated by commas and whitespace. */
int lt_reader_feed_numbers(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err)
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
                return lt_reader_fail(r, err, LT_EINPUT, "%s: missing comma between numbers at byte %llu",
                                      lt_reader_array_name(r->array),
                                      (unsigned long long)(r->offset + (uint64_t)(p - buf)));
            uint64_t v = r->value;
            do {
                v = v * 10 + (uint64_t)(*p - '0');
                p++;
            } while (p < end && (unsigned char)(*p - '0') < 10 && v <= LT_READER_NUMBER_MAX);
            r->value = v;
            r->in_number = true;
            if (v > LT_READER_NUMBER_MAX)
                return lt_reader_fail(r, err, LT_EINPUT, "%s: number larger than 2^53 at byte %llu",
                                      lt_reader_array_name(r->array),
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
        } else if (!lt_reader_is_ws(c)) {
            return bad_char(r, err, c, at);
        }
    }
    *used = n;
    return 0;
}

/* ---- the second core -------------------------------------------------- */

/* Buffers of number text at least this big are read in part by the helper thread. */
#define SPLIT_MIN (256u << 10)

int lt_reader_feed_numbers_split(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err)
{
    if (n < SPLIT_MIN || r->array == A_LOCATIONS)
        return lt_reader_feed_numbers(r, buf, n, used, err);
    if (!r->split_tried) {
        r->split_tried = true;
        r->split = lt_number_split_start();
    }
    /* the helper's part: from the first comma past 70% (this thread also stores the
     * helper's numbers, and the helper shares its core with the inflating) to the end,
     * which it reads up to the last whole number before the end of the buffer or of the
     * array. With 40% this thread still waited 0.011-0.015 s for the helper on the 200 MB
     * snapshot while the inflating waited for room in the queue; alternating runs (30 on
     * 200 MB, 8 on 1 GB) had the reading 0.010-0.022 s faster with 30% on 200 MB and
     * 0.017 s on 1 GB; 20-25% was no better than 30%. */
    const char *mid = memchr(buf + n * 7 / 10, ',', n - n * 7 / 10);
    if (!r->split || !mid)
        return lt_reader_feed_numbers(r, buf, n, used, err);
    lt_number_split_submit(r->split, mid, n - (size_t)(mid - buf));
    size_t head = (size_t)(mid - buf) + 1, got = 0; /* up to and with the helper's first comma */
    int rc = lt_reader_feed_numbers(r, buf, head, &got, err);
    const uint32_t *values, *ends;
    long count = lt_number_split_wait(r->split, &values, &ends);
    if (rc)
        return rc;
    /* the helper's numbers follow only if this thread stopped right after that comma,
     * still in the array, before a number */
    if (count <= 0 || got != head || r->state != S_NUMBERS || r->need_comma || r->in_number) {
        *used = got;
        return 0;
    }
    rc = commit_numbers(r, mid, values, ends, count, buf, err);
    *used = (size_t)(mid - buf) + ends[count - 1];
    return rc;
}
