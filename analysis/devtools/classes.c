/* DESIGN
 * Naming follows DevTools' calculateObjectNames: names it makes up
 * ("(system)", "<div>", "(string)", ...) are added to the string table once
 * each, in DevTools' order (nodes in order); constructor names keep their own
 * string. No per-node array: a node's class depends only on its type and, for
 * object and native nodes, on its name, so two small tables hold every class
 * (per type, per string; classes.h), and a plain object's interface name is
 * written over its node_name (interfaces.h). Aggregation follows its
 * buildAggregates + calculateClassesRetainedSize: one aggregate per internal
 * key (the class string, or location + class text for located objects), in
 * order of first appearance; then keys with the same text (",Name") collapse
 * as a JavaScript object's properties would: the first one's place, the last
 * one's numbers. The retained walk is an iterative DFS of the dominator tree. */
#include "devtools/classes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devtools/interfaces.h"
#include "util/grow.h"
#include "util/hash.h"
#include "util/index_array.h"
#include "util/table.h"
#include "util/u32map.h"
#include "snapshot/text_index.h"

#define UNNAMED UINT32_MAX /* class_of_name while naming: not looked at yet */

typedef struct namer {
    lt_graph *g;
    lt_classes *c;
    lt_text_index made; /* names DevTools makes up (getIndexForString) */
    int64_t by_type[LT_MAX_TYPES];
} namer;

static int64_t made_name(namer *n, const char *s, size_t len)
{
    return lt_text_index_intern(&n->made, n->g, s, len);
}

/* "<div id=x>" -> "<div>", "Detached <li class=a>" -> "Detached <li>". */
static int64_t element_name(namer *n, uint32_t name_index)
{
    const char *name = lt_graph_string(n->g, name_index);
    size_t len = lt_graph_string_len(n->g, name_index);
    size_t from = name[0] == '<' ? 0 : 10;
    const char *space = len > from ? memchr(name + from, ' ', len - from) : NULL;
    if (!space)
        return made_name(n, name, len);
    size_t cut = (size_t)(space - name);
    char *tmp = malloc(cut + 1);
    if (!tmp)
        return LT_ENOMEM;
    memcpy(tmp, name, cut);
    tmp[cut] = '>';
    int64_t idx = made_name(n, tmp, cut + 1);
    free(tmp);
    return idx;
}

static int64_t type_name(namer *n, int type)
{
    const lt_graph *g = n->g;
    char buf[80];
    const char *fixed = type == g->nt.hidden    ? "(system)"
                        : type == g->nt.code    ? "(compiled code)"
                        : type == g->nt.closure ? "Function"
                        : type == g->nt.regexp  ? "RegExp"
                                                : NULL;
    if (!fixed) {
        snprintf(buf, sizeof buf, "(%s)", g->node_type_names[type]);
        fixed = buf;
    }
    return made_name(n, fixed, strlen(fixed));
}

/* The class of an object or native node named name_index. */
static int64_t class_of_name(namer *n, uint32_t name_index)
{
    const char *name = lt_graph_string(n->g, name_index);
    if (name[0] == '<' || !strncmp(name, "Detached <", 10))
        return element_name(n, name_index);
    return name_index;
}

/* Makes sure node v's class is known: its type's name, or its name's class. Names are
 * made up in the order DevTools makes them (nodes in order), which fixes their string
 * indices. 0 or a negative code. */
static int name_node(namer *n, uint32_t v)
{
    const lt_graph *g = n->g;
    int type = g->node_type[v];
    int64_t c;
    if (type != g->nt.object && type != g->nt.native) {
        if (n->by_type[type] < 0 && (n->by_type[type] = type_name(n, type)) < 0)
            return (int)n->by_type[type];
        return 0;
    }
    uint32_t name = g->node_name[v];
    if (n->c->class_of_name[name] != UNNAMED)
        return 0;
    if ((c = class_of_name(n, name)) < 0)
        return (int)c;
    n->c->class_of_name[name] = (uint32_t)c;
    return 0;
}

/* Fills the per-type table, and grows class_of_name to every string (the interface
 * names and the made-up ones were added since): a string no object or native node was
 * named by at naming time is its own class (interface names among them). */
static int finish_tables(namer *n)
{
    const lt_graph *g = n->g;
    lt_classes *c = n->c;
    for (int t = 0; t < LT_MAX_TYPES; t++)
        c->by_type[t] = n->by_type[t] >= 0 ? (uint32_t)n->by_type[t] : LT_CLASS_BY_NAME;
    uint32_t *table = realloc(c->class_of_name, (g->string_count ? g->string_count : 1) * sizeof *table);
    if (!table)
        return LT_ENOMEM;
    c->class_of_name = table;
    for (uint32_t s = 0; s < g->string_count; s++)
        if (s >= c->name_count || table[s] == UNNAMED)
            table[s] = s;
    c->name_count = g->string_count;
    return 0;
}

int lt_classes_name_nodes(lt_graph *g, lt_classes *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    namer n = {.g = g, .c = out};
    for (int t = 0; t < LT_MAX_TYPES; t++)
        n.by_type[t] = -1;
    out->name_count = g->string_count;
    out->class_of_name = malloc((g->string_count ? g->string_count : 1) * sizeof *out->class_of_name);
    int rc = !out->class_of_name || lt_text_index_init(&n.made) ? LT_ENOMEM : 0;
    if (!rc)
        memset(out->class_of_name, 0xff, (size_t)g->string_count * sizeof *out->class_of_name);
    for (uint32_t v = 0; v < g->node_count && !rc; v++)
        rc = name_node(&n, v);
    lt_text_index_free(&n.made);
    if (rc)
        lt_error_set(err, rc, "%s naming classes", lt_strerror(rc));
    else if (!(rc = lt_interfaces_apply(g, err)) && (rc = finish_tables(&n)))
        lt_error_set(err, rc, "out of memory naming classes");
    if (rc)
        lt_classes_free(out);
    return rc;
}

/* ---- aggregation ---------------------------------------------------------- */

typedef struct aggregator {
    const lt_graph *g;
    lt_classes *c;
    uint32_t cap;
    lt_text_index texts;     /* canonical class text for located keys */
    lt_table keys;           /* entries: aggregate indices */
    lt_index_array node_agg; /* per node: aggregate index + 1, 0 if none (3 bytes below 2^24 nodes) */
    uint32_t *canonical;     /* per string: canonical index of its text, or UINT32_MAX */
    /* the aggregate of an unlocated node, or UINT32_MAX: per node type for types named
     * alike, per string (a node_name) for the others */
    uint32_t of_type[LT_MAX_TYPES];
    uint32_t *of_name;
} aggregator;

/* Most keys are a class name alone: its string index is hash enough (the
 * table spreads it); located keys mix in the location. */
static uint64_t key_hash(const lt_class *k)
{
    if (!k->has_location)
        return k->name;
    uint64_t h = lt_hash_word(LT_HASH_SEED, k->name);
    return lt_hash_word(lt_hash_word(lt_hash_word(h, k->script_id), k->line), k->column);
}

static uint64_t hash_of_aggregate(const void *aggregator_, uint32_t i)
{
    const aggregator *a = aggregator_;
    return key_hash(&a->c->items[i]);
}

typedef struct class_key {
    const lt_class *items, *key;
} class_key;

static bool holds_key(const void *key, uint32_t i)
{
    const class_key *k = key;
    const lt_class *a = &k->items[i], *b = k->key;
    return a->name == b->name && a->has_location == b->has_location &&
           (!a->has_location || (a->script_id == b->script_id && a->line == b->line && a->column == b->column));
}

static int64_t find_or_add(aggregator *a, const lt_class *k)
{
    uint64_t h = key_hash(k);
    class_key key = {a->c->items, k};
    uint32_t *slot = lt_table_find(&a->keys, h, holds_key, &key), capacity = a->keys.capacity;
    if (*slot)
        return *slot - 1;
    if (lt_grow(&a->c->items, &a->cap, a->c->count, sizeof *a->c->items, 1024) ||
        lt_table_reserve(&a->keys, hash_of_aggregate, a))
        return LT_ENOMEM;
    if (a->keys.capacity != capacity) {
        key.items = a->c->items;
        slot = lt_table_find(&a->keys, h, holds_key, &key);
    }
    a->c->items[a->c->count] = *k;
    lt_table_put(&a->keys, slot, a->c->count);
    return a->c->count++;
}

/* The aggregate of node v, found or added by its key: for a node without a location
 * (loc NULL) whose type or name count_instances found no aggregate for yet, remembered
 * there by type or name, so that the next such node is found without hashing. */
static int64_t key_of(aggregator *a, uint32_t v, int32_t distance, const lt_location *loc)
{
    const lt_graph *g = a->g;
    if (!loc) {
        int type = g->node_type[v];
        uint32_t *known = a->c->by_type[type] != LT_CLASS_BY_NAME ? &a->of_type[type] : &a->of_name[g->node_name[v]];
        lt_class k = {.name = lt_class_name(a->c, g, v), .distance = distance, .first_node = v};
        int64_t i = find_or_add(a, &k);
        if (i >= 0)
            *known = (uint32_t)i;
        return i;
    }
    lt_class k = {.name = lt_class_name(a->c, g, v), .distance = distance, .first_node = v};
    if (a->canonical[k.name] == UINT32_MAX) {
        int64_t canonical = lt_text_index_canonical(&a->texts, a->g, k.name);
        if (canonical < 0)
            return canonical;
        a->canonical[k.name] = (uint32_t)canonical;
    }
    k.name = a->canonical[k.name];
    k.has_location = 1;
    k.script_id = loc->script_id;
    k.line = loc->line;
    k.column = loc->column;
    return find_or_add(a, &k);
}

/* Walks the nodes in order with a cursor into the (sorted) locations. The arrays are
 * read into locals first, and an unlocated node's class found in them when key_of has
 * seen its type or name (most nodes): node_agg's byte stores would otherwise make the
 * compiler load every pointer again for each node. */
static int count_instances(aggregator *a, const int32_t *distance)
{
    const lt_graph *g = a->g;
    const uint32_t nodes = g->node_count, located_count = g->location_count;
    const uint32_t *const self_size = g->self_size, *const node_name = g->node_name;
    const uint8_t *const node_type = g->node_type;
    const lt_node_location *const locations = g->locations;
    const uint32_t *const by_type = a->c->by_type, *const of_type = a->of_type, *const of_name = a->of_name;
    const lt_index_array node_agg = a->node_agg;
    const int object = g->nt.object;
    lt_class *items = a->c->items;
    uint32_t cursor = 0;
    for (uint32_t v = 0; v < nodes; v++) {
        uint32_t size = self_size[v];
        if (!size) {
            lt_index_set(node_agg, v, 0);
            continue;
        }
        while (cursor < located_count && locations[cursor].node < v)
            cursor++;
        int type = node_type[v];
        bool located = cursor < located_count && locations[cursor].node == v && type == object;
        int64_t k = UINT32_MAX;
        if (!located)
            k = by_type[type] != LT_CLASS_BY_NAME ? of_type[type] : of_name[node_name[v]];
        if (k == UINT32_MAX) { /* not seen yet, or located: key_of finds or adds it */
            lt_location loc;
            if (located)
                loc = lt_graph_location_at(g, cursor);
            k = key_of(a, v, distance[v], located ? &loc : NULL);
            if (k < 0)
                return (int)k;
            items = a->c->items; /* may have moved */
        }
        lt_class *c = &items[k];
        c->count++;
        c->shallow_size += size;
        if (distance[v] < c->distance)
            c->distance = distance[v];
        lt_index_set(node_agg, v, (uint32_t)k + 1);
    }
    return 0;
}

typedef struct frame {
    uint32_t node, next_child;
    uint32_t opened; /* aggregate opened by this node + 1, or 0 */
} frame;

/* What the walk reads and writes, in locals (open's byte stores would otherwise make the
 * compiler load the pointers again for every node). */
typedef struct walk {
    lt_index_array node_agg;
    lt_class *items;
    uint8_t *open; /* per aggregate: an instance is on the path from the root */
    const lt_dominator_tree *tree;
    const uint32_t *retained;
    bool wide; /* some retained size takes more than 32 bits */
} walk;

/* Counts v's retained size into its aggregate unless an instance above it holds it open;
 * returns the aggregate v opens (its index + 1) or 0. */
static inline uint32_t enter(const walk *w, uint32_t v, int has_children)
{
    uint32_t k = lt_index_get(w->node_agg, v);
    if (!k-- || w->open[k])
        return 0;
    w->items[k].retained_size += w->wide ? lt_retained(w->tree, v) : w->retained[v];
    if (!has_children)
        return 0;
    w->open[k] = 1;
    return k + 1;
}

static int retained_walk(aggregator *a, const lt_dominator_tree *tree)
{
    const uint32_t *first = tree->first_dominated, *list = tree->dominated;
    const walk w = {a->node_agg, a->c->items,    calloc(a->c->count ? a->c->count : 1, 1),
                    tree,        tree->retained, tree->wide_count != 0};
    frame *stack = NULL;
    size_t depth = 0, cap = 0;
    int rc = LT_ENOMEM;
    if (!w.open || lt_reserve(&stack, &cap, 1, sizeof *stack, 1024))
        goto done;
    uint32_t r = a->g->root;
    stack[depth++] = (frame){r, first[r], enter(&w, r, first[r] != first[r + 1])};
    while (depth) {
        frame *f = &stack[depth - 1];
        if (f->next_child == first[f->node + 1]) {
            if (f->opened)
                w.open[f->opened - 1] = 0;
            depth--;
            continue;
        }
        uint32_t child = list[f->next_child++];
        if (lt_reserve(&stack, &cap, depth + 1, sizeof *stack, 1024))
            goto done;
        stack[depth++] = (frame){child, first[child], enter(&w, child, first[child] != first[child + 1])};
    }
    rc = 0;
done:
    free(w.open);
    free(stack);
    return rc;
}

/* Keys with the same public text collapse: the first keeps its place, the
 * last one's numbers win (JavaScript object assignment). */
static int collapse_same_text(aggregator *a)
{
    lt_u32map first_of_text;
    if (lt_u32map_init(&first_of_text))
        return LT_ENOMEM;
    uint32_t out = 0;
    int rc = 0;
    for (uint32_t i = 0; i < a->c->count && !rc; i++) {
        lt_class *k = &a->c->items[i];
        if (k->has_location) {
            a->c->items[out++] = *k;
            continue;
        }
        int64_t canonical = lt_text_index_canonical(&a->texts, a->g, k->name);
        uint32_t at;
        if (canonical < 0)
            rc = (int)canonical;
        else if (lt_u32map_get(&first_of_text, (uint32_t)canonical, &at))
            a->c->items[at] = *k;
        else {
            rc = lt_u32map_put(&first_of_text, (uint32_t)canonical, out);
            a->c->items[out++] = *k;
        }
    }
    a->c->count = out;
    lt_u32map_free(&first_of_text);
    return rc;
}

int lt_classes_aggregate(const lt_graph *g, lt_classes *c, const lt_dominator_tree *tree, const int32_t *distance,
                         lt_pool *pool, lt_error *err)
{
    aggregator a = {.g = g, .c = c};
    size_t n = g->node_count ? g->node_count : 1;
    /* aggregate indices are below the count of nodes */
    size_t agg_bytes = lt_index_array_bytes(n, lt_index_width(n));
    a.node_agg = lt_index_array_at(lt_pool_alloc(pool, agg_bytes, 1), lt_index_width(n));
    a.canonical = malloc((g->string_count ? g->string_count : 1) * sizeof(uint32_t));
    a.of_name = malloc((g->string_count ? g->string_count : 1) * sizeof(uint32_t));
    memset(a.of_type, 0xff, sizeof a.of_type);
    if (a.canonical)
        memset(a.canonical, 0xff, g->string_count * sizeof(uint32_t));
    if (a.of_name)
        memset(a.of_name, 0xff, g->string_count * sizeof(uint32_t));
    int rc =
        !a.node_agg.bytes || !a.canonical || !a.of_name || lt_text_index_init(&a.texts) || lt_table_init(&a.keys, 1024)
            ? LT_ENOMEM
            : 0;
    if (!rc)
        rc = count_instances(&a, distance);
    if (!rc)
        rc = retained_walk(&a, tree);
    if (!rc)
        rc = collapse_same_text(&a);
    lt_pool_release(pool, a.node_agg.bytes, agg_bytes);
    free(a.canonical);
    free(a.of_name);
    lt_table_free(&a.keys);
    lt_text_index_free(&a.texts);
    return rc ? lt_error_set(err, rc, "%s aggregating classes", lt_strerror(rc)) : 0;
}

void lt_classes_key(const lt_graph *g, const lt_class *c, char *buf, size_t len)
{
    const char *name = lt_graph_string(g, c->name);
    if (c->has_location)
        snprintf(buf, len, "%u,%u,%u,%s", c->script_id, c->line, c->column, name);
    else
        snprintf(buf, len, ",%s", name);
}

void lt_classes_free(lt_classes *c)
{
    free(c->class_of_name);
    free(c->items);
    memset(c, 0, sizeof *c);
}
