/* DESIGN
 * A big retention shows up as a column of nodes in the dominator tree each
 * holding nearly the same bytes: the main `Module`, its `exports`, the
 * exported closure `fn`, its context, the `Map` in that context. DevTools
 * lists each as a big retainer; the one to blame is the innermost that still
 * holds nearly all of it (>= 90%) and that code names (a JS object or closure
 * of a user class, not a context or a backing store). Every big retainer is
 * followed down to that holder; holders reached twice are reported once.
 *
 * The holder is named by how the code reaches it: the last context slot (a
 * module or closure variable) on its retainer path and the properties after
 * it, and the function whose closure context that is, with its script cut to
 * two segments ("`cache` in the closure context of `fn` (app/store.js)"); a
 * path with no context slot is shown from its global or user root on. What
 * it holds is its dominated subtree by class, looking through engine
 * containers (backing stores, contexts) to the first user-level objects.
 *
 * An EventEmitter's listener table (an object whose properties are listener
 * functions or arrays of them, such as `_events`) is a collection: the
 * finding is a retainer_cluster naming the emitter, the events and the class
 * the listeners keep alive ("1,000 `DerivedLogger` listeners on `File` events
 * `close`/`drain`/..."), ranked by what the table retains. */
#include "findings/holders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devtools/distances.h"
#include "findings/paths.h"
#include "util/u32vec.h"

#define HOLDER_MIN_PERCENT 25.0
#define HOLDER_NEARLY_ALL  0.9
#define HOLDER_MAX         3
#define CONTENT_VISIT_MAX  200000u
#define CONTENT_KINDS      64
#define EVENT_NAMES        4
#define STRINGS_KEY        (UINT32_MAX - 1)

static double percent(const lt_heap_view *v, uint64_t bytes)
{
    return v->total_size ? 100.0 * (double)bytes / (double)v->total_size : 0;
}

int lt_holder_internal_class(const char *name)
{
    return name[0] == '(' || !strncmp(name, "system /", 8) || !strncmp(name, "Detached ", 9);
}

static int nameable(const lt_heap_view *v, uint32_t x)
{
    int t = v->g->node_type[x];
    return (t == v->g->nt.object || t == v->g->nt.closure || t == v->g->nt.regexp) &&
           !lt_holder_internal_class(lt_view_class(v, x));
}

uint32_t lt_holder_innermost(const lt_heap_view *v, uint32_t x)
{
    uint64_t floor = (uint64_t)((double)lt_retained(v->tree, x) * HOLDER_NEARLY_ALL);
    uint32_t holder = x, at = x;
    for (uint32_t steps = 0; steps < v->g->node_count; steps++) {
        uint32_t c = lt_dominator_tree_biggest_child(v->tree, at);
        if (c == UINT32_MAX || lt_retained(v->tree, c) < floor)
            break;
        at = c;
        if (nameable(v, at))
            holder = at;
    }
    return holder;
}

/* ---- what findings so far explain ------------------------------------------ */

#define ANCHOR_FILTER_BITS 4096u

static inline uint32_t anchor_filter_bit(uint32_t id)
{
    return (uint32_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 52); /* 12 bits */
}

uint32_t lt_holder_anchors(const lt_heap_view *v, const lt_findings *out, lt_holder_anchor *anchors, uint32_t max)
{
    uint32_t n = 0, ids[32];
    for (uint32_t i = 0; i < out->count && n < max && n < 32; i++) {
        json_t *d = out->items[i].details, *ev = json_object_get(d, "evidence");
        json_t *id = json_object_get(d, "head_id");
        if (!id)
            id = json_object_get(ev, "holder_id");
        if (!id)
            id = json_object_get(ev, "example_id");
        if (!id)
            continue;
        ids[n] = (uint32_t)json_integer_value(id);
        anchors[n++] =
            (lt_holder_anchor){UINT32_MAX, out->items[i].retained_size, json_object_get(d, "head_id") != NULL};
    }
    /* One pass over the ids; a bit per hash of the wanted ids lets almost every node
     * go after one test (the last node with an id wins, as in a plain loop). */
    uint64_t wanted[ANCHOR_FILTER_BITS / 64] = {0};
    for (uint32_t i = 0; i < n; i++)
        lt_bit_set(wanted, anchor_filter_bit(ids[i]));
    for (uint32_t x = 0; n && x < v->g->node_count; x++) {
        uint32_t id = lt_graph_node_id(v->g, x);
        if (lt_bit_get(wanted, anchor_filter_bit(id)))
            for (uint32_t i = 0; i < n; i++)
                if (id == ids[i])
                    anchors[i].node = x;
    }
    return n;
}

int lt_holder_dominates(const lt_heap_view *v, uint32_t up, uint32_t x)
{
    for (uint32_t at = x, steps = 0; steps < v->g->node_count; at = v->tree->dominator[at], steps++) {
        if (at == up)
            return 1;
        if (at == v->g->root)
            return 0;
    }
    return 0;
}

/* True when x would only repeat a finding: it lies inside a chain, or it
 * dominates a finding's node and that finding is most of what x holds. */
static int explained(const lt_heap_view *v, uint32_t x, const lt_holder_anchor *anchors, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (anchors[i].node == UINT32_MAX)
            continue;
        if (anchors[i].chain && lt_holder_dominates(v, anchors[i].node, x))
            return 1;
        if (anchors[i].retained * 2 >= lt_retained(v->tree, x) && lt_holder_dominates(v, x, anchors[i].node))
            return 1;
    }
    return 0;
}

/* ---- what a holder holds ------------------------------------------------------ */

typedef struct content {
    uint32_t keys[CONTENT_KINDS], counts[CONTENT_KINDS];
    uint64_t sizes[CONTENT_KINDS];
    uint32_t kinds;
} content;

static int is_string(const lt_graph *g, uint32_t x)
{
    int t = g->node_type[x];
    return t == g->nt.string || t == g->nt.cons_string || t == g->nt.sliced_string;
}

static void tally(content *c, uint32_t key, uint64_t retained)
{
    for (uint32_t i = 0; i < c->kinds; i++)
        if (c->keys[i] == key) {
            c->counts[i]++, c->sizes[i] += retained;
            return;
        }
    if (c->kinds < CONTENT_KINDS)
        c->keys[c->kinds] = key, c->counts[c->kinds] = 1, c->sizes[c->kinds++] = retained;
}

/* The class (or STRINGS_KEY) holding most of what holder dominates, looking
 * through engine containers; *count instances of it. UINT32_MAX when none
 * holds at least half of it. */
static uint32_t main_content(const lt_heap_view *v, uint32_t holder, uint32_t *count)
{
    const lt_dominator_tree *t = v->tree;
    content c = {.kinds = 0};
    lt_u32vec queue = {0};
    int failed = lt_u32vec_push(&queue, holder);
    for (size_t at = 0; !failed && at < queue.len && at < CONTENT_VISIT_MAX; at++) {
        uint32_t x = queue.items[at];
        for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1] && !failed; k++) {
            uint32_t y = t->dominated[k];
            if (is_string(v->g, y))
                tally(&c, STRINGS_KEY, lt_retained(t, y));
            else if (nameable(v, y))
                tally(&c, lt_class_name(v->classes, v->g, y), lt_retained(t, y));
            else
                failed = lt_u32vec_push(&queue, y);
        }
    }
    free(queue.items);
    uint32_t best = UINT32_MAX;
    for (uint32_t i = 0; i < c.kinds; i++)
        if (best == UINT32_MAX || c.sizes[i] > c.sizes[best])
            best = i;
    if (best == UINT32_MAX || c.sizes[best] * 2 < lt_retained(t, holder)) /* not what it is made of */
        return *count = 0, UINT32_MAX;
    *count = c.counts[best];
    return c.keys[best];
}

/* "5,000 strings" / "1,000 `DerivedLogger` objects" into buf ("" for none). */
static void content_text(const lt_heap_view *v, uint32_t key, uint32_t count, char *buf, size_t len)
{
    char n[32];
    lt_format_count(count, n, sizeof n);
    if (key == UINT32_MAX)
        buf[0] = '\0';
    else if (key == STRINGS_KEY)
        snprintf(buf, len, "%s strings, ", n);
    else
        snprintf(buf, len, "%s `%s` objects, ", n, lt_graph_string(v->g, key));
}

/* ---- how the code names a holder ---------------------------------------------- */

typedef struct holder_name {
    char variable[256]; /* "cache", "shared._events", or the path text */
    char function[128]; /* the closure whose context holds the variable, or "" */
    char script[256];   /* its script, two segments */
    char text[768];     /* "`cache` in the closure context of `fn` (app/store.js)" */
} holder_name;

/* The target of x's internal edge called name, or UINT32_MAX. */
static uint32_t internal_edge(const lt_graph *g, uint32_t x, const char *name)
{
    uint32_t e = g->first_edge[x];
    while (e < g->first_edge[x + 1] && ((int)lt_graph_edge_type(g, e) != g->et.internal ||
                                        strcmp(lt_graph_string(g, lt_graph_edge_name_at(g, e)), name)))
        e++;
    return e < g->first_edge[x + 1] ? lt_graph_edge_to(g, e) : UINT32_MAX;
}

static void closure_script_short(const lt_graph *g, uint32_t closure, char *buf, size_t len)
{
    uint32_t shared = internal_edge(g, closure, "shared"), script = UINT32_MAX;
    if (shared != UINT32_MAX && (script = internal_edge(g, shared, "script")) == UINT32_MAX)
        script = internal_edge(g, shared, "script_or_debug_info");
    lt_findings_normalise_script(script == UINT32_MAX ? "" : lt_graph_node_name(g, script), buf, len);
}

/* Appends the labels of path[from..n) as "a.b[]" to buf. */
static void labels_from(const lt_heap_view *v, const uint32_t *path, uint32_t from, uint32_t n, char *buf, size_t len)
{
    size_t at = strlen(buf);
    for (uint32_t i = from; i < n && at + 1 < len; i++) {
        char label[96];
        lt_edge_label(v->g, path[i], label, sizeof label);
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i == from || !strcmp(label, "[]") ? "" : ".", label);
        at = at < len ? at : len - 1;
    }
}

static void name_holder(const lt_heap_view *v, const uint32_t *path, uint32_t n, holder_name *h)
{
    const lt_graph *g = v->g;
    int slot = (int)n - 1; /* the last context slot: a module or closure variable */
    while (slot >= 0 && (int)lt_graph_edge_type(g, path[slot]) != g->et.context)
        slot--;
    h->variable[0] = h->function[0] = h->script[0] = '\0';
    if (slot < 0) {
        lt_path_text(v, path, n, h->variable, sizeof h->variable);
        snprintf(h->text, sizeof h->text, "%s", h->variable);
        return;
    }
    labels_from(v, path, (uint32_t)slot, n, h->variable, sizeof h->variable);
    uint32_t owner = slot > 0 ? lt_graph_edge_source(g, path[slot - 1]) : UINT32_MAX;
    if (owner == UINT32_MAX || g->node_type[owner] != g->nt.closure) {
        snprintf(h->text, sizeof h->text, "`%s` in a closure context", h->variable);
        return;
    }
    snprintf(h->function, sizeof h->function, "%s", lt_graph_node_name(g, owner));
    closure_script_short(g, owner, h->script, sizeof h->script);
    snprintf(h->text, sizeof h->text, "`%s` in the closure context of `%s` (%s)", h->variable,
             *h->function ? h->function : "(anonymous)", *h->script ? h->script : "no script");
}

/* ---- listener tables ------------------------------------------------------------- */

/* The closures among an array's elements when every element is one, else 0. */
static uint32_t listener_count(const lt_graph *g, uint32_t array)
{
    uint32_t n = 0;
    for (uint32_t e = g->first_edge[array]; e < g->first_edge[array + 1]; e++) {
        if ((int)lt_graph_edge_type(g, e) != g->et.element)
            continue;
        if (g->node_type[lt_graph_edge_to(g, e)] != g->nt.closure)
            return 0;
        n++;
    }
    return n;
}

/* For a named property: 1 for a listener function, the number of listeners
 * for an array of them, -1 for any other value; 0 for other edges. */
static int64_t listeners_of(const lt_graph *g, uint32_t ei)
{
    lt_edge e = lt_graph_edge(g, ei);
    if ((int)lt_edge_type(e) != g->et.property ||
        !strcmp(lt_graph_string(g, lt_graph_edge_name_at(g, ei)), "__proto__"))
        return 0;
    if (g->node_type[e.to] == g->nt.closure)
        return 1;
    uint32_t n = g->node_type[e.to] == g->nt.object ? listener_count(g, e.to) : 0;
    return n ? (int64_t)n : -1;
}

int lt_holder_is_listener_table(const lt_heap_view *v, uint32_t node)
{
    const lt_graph *g = v->g;
    uint32_t most = 0;
    if (g->node_type[node] != g->nt.object)
        return 0;
    for (uint32_t e = g->first_edge[node]; e < g->first_edge[node + 1]; e++) {
        int64_t n = listeners_of(g, e);
        if (n < 0)
            return 0;
        most = (uint64_t)n > most ? (uint32_t)n : most;
    }
    return most >= 2;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The events with the most listeners, "`a`/`b`/..." into buf; their names,
 * sorted, NUL-separated, into key (for the fingerprint). */
static void event_names(const lt_graph *g, uint32_t table, char *buf, size_t len, char *key, size_t key_len)
{
    uint32_t best[EVENT_NAMES], counts[EVENT_NAMES], n = 0, more = 0;
    for (uint32_t e = g->first_edge[table]; e < g->first_edge[table + 1]; e++) {
        int64_t c = listeners_of(g, e);
        if (c <= 1)
            continue;
        uint32_t at = n < EVENT_NAMES ? n++ : (more = 1, EVENT_NAMES);
        while (at > 0 && counts[at - 1] < (uint32_t)c) {
            if (at < EVENT_NAMES)
                best[at] = best[at - 1], counts[at] = counts[at - 1];
            at--;
        }
        if (at < EVENT_NAMES)
            best[at] = lt_graph_edge_name_at(g, e), counts[at] = (uint32_t)c;
    }
    size_t w = 0, k = 0;
    buf[0] = key[0] = '\0';
    for (uint32_t i = 0; i < n && w + 1 < len; i++)
        w += (size_t)snprintf(buf + w, len - w, "%s`%s`", i ? "/" : "", lt_graph_string(g, best[i]));
    if (more && w + 4 < len)
        snprintf(buf + w, len - w, "/...");
    const char *names[EVENT_NAMES];
    for (uint32_t i = 0; i < n; i++)
        names[i] = lt_graph_string(g, best[i]);
    qsort(names, n, sizeof *names, by_text); /* the same names in any order: the same key */
    for (uint32_t i = 0; i < n && k + 1 < key_len; i++)
        k += (size_t)snprintf(key + k, key_len - k, "%s,", names[i]);
}

/* ---- the findings -------------------------------------------------------------- */

static int report_listeners(const lt_heap_view *v, uint32_t table, const uint32_t *path, uint32_t n, lt_findings *out,
                            lt_error *err)
{
    const lt_graph *g = v->g;
    uint32_t count, key = main_content(v, table, &count);
    uint32_t emitter = n ? lt_graph_edge_source(g, path[n - 1]) : table;
    const char *leaked = key == UINT32_MAX ? "Function" : key == STRINGS_KEY ? "(string)" : lt_graph_string(g, key);
    const char *emitter_class = lt_view_class(v, emitter);
    holder_name h;
    char events[256], event_key[256], size[32], number[32], where[512];
    name_holder(v, path, n, &h);
    event_names(g, table, events, sizeof events, event_key, sizeof event_key);
    lt_format_size(lt_retained(v->tree, table), size, sizeof size);
    lt_format_count(count, number, sizeof number);
    lt_path_text(v, path, n, where, sizeof where);
    char *title =
        lt_strdup_printf("%s `%s` listeners on `%s` events %s hold %s (%.1f%% of the heap): %s", number, leaked,
                         emitter_class, events, size, percent(v, lt_retained(v->tree, table)), h.text);
    char *fix = lt_strdup_printf("Remove the listeners when a `%s` is done with the `%s` (removeListener/off, unpipe, "
                                 "close), or make one `%s` and share it.",
                                 leaked, emitter_class, leaked);
    json_t *details = json_pack(
        "{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:I, s:I}}", "class", leaked, "count", (json_int_t)count,
        "holder_class", "listeners", "emitter_class", emitter_class, "events", events, "variable", h.variable,
        "function", h.function, "holder_path", where, "path", lt_path_json(v, path, n), "evidence", "holder_id",
        (json_int_t)lt_graph_node_id(g, table), "emitter_id", (json_int_t)lt_graph_node_id(g, emitter));
    const char *parts[] = {"listeners", leaked, emitter_class, event_key};
    return lt_findings_add(out, LT_FINDING_RETAINER_CLUSTER, title, fix, lt_retained(v->tree, table), v->total_size,
                           details, parts, 4, err);
}

static int report_holder(const lt_heap_view *v, uint32_t x, const uint32_t *path, uint32_t n, lt_findings *out,
                         lt_error *err)
{
    const lt_graph *g = v->g;
    uint32_t count, key = main_content(v, x, &count);
    holder_name h;
    char holds[160], size[32], where[512];
    name_holder(v, path, n, &h);
    content_text(v, key, count, holds, sizeof holds);
    lt_format_size(lt_retained(v->tree, x), size, sizeof size);
    lt_path_text(v, path, n, where, sizeof where);
    char *title = lt_strdup_printf("`%s` %s holds %s%s (%.1f%% of the heap)", lt_view_class(v, x), h.text, holds, size,
                                   percent(v, lt_retained(v->tree, x)));
    json_t *details =
        json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:{s:I, s:I}}", "class", lt_view_class(v, x), "node_id",
                  (json_int_t)lt_graph_node_id(g, x), "variable", h.variable, "function", h.function, "script",
                  h.script, "holder_path", where, "path", lt_path_json(v, path, n), "evidence", "dominated_count",
                  (json_int_t)(v->tree->first_dominated[x + 1] - v->tree->first_dominated[x]), "holder_id",
                  (json_int_t)lt_graph_node_id(g, x));
    const char *parts[] = {lt_view_class(v, x), h.variable, h.function, h.script};
    return lt_findings_add(out, LT_FINDING_LARGE_RETAINER, title, NULL, lt_retained(v->tree, x), v->total_size, details,
                           parts, 4, err);
}

/* The holder among holders[0..n) that is x's nearest proper dominator, or n. */
static uint32_t enclosing_holder(const lt_heap_view *v, const uint32_t *holders, uint32_t n, uint32_t x)
{
    for (uint32_t at = x; at != v->g->root;) {
        at = v->tree->dominator[at];
        for (uint32_t k = 0; k < n; k++)
            if (holders[k] == at)
                return k;
    }
    return n;
}

/* Keeps an outer holder only when what it holds beyond the holders nested in
 * it is itself big: `Window` → `prettierPlugins` → `get parsers` is one
 * retention, told once, at the innermost. Returns the count kept. */
static uint32_t drop_outer_holders(const lt_heap_view *v, uint32_t *holders, uint32_t n)
{
    uint64_t inner[64] = {0};
    for (uint32_t k = 0; k < n; k++) {
        uint32_t j = enclosing_holder(v, holders, n, holders[k]);
        if (j < n)
            inner[j] += lt_retained(v->tree, holders[k]);
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++)
        if (!inner[i] || percent(v, lt_retained(v->tree, holders[i]) - inner[i]) >= HOLDER_MIN_PERCENT)
            holders[kept++] = holders[i];
    return kept;
}

uint32_t lt_holders_big(const lt_heap_view *v, const uint32_t *top, uint32_t n, uint32_t *holders)
{
    uint32_t found = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t x = top[i];
        if (percent(v, lt_retained(v->tree, x)) < HOLDER_MIN_PERCENT || v->distance[x] <= 1 ||
            v->g->node_type[x] == v->g->nt.synthetic || lt_holder_internal_class(lt_view_class(v, x)))
            continue;
        uint32_t h = lt_holder_innermost(v, x), seen = 0;
        for (uint32_t k = 0; k < found; k++)
            seen |= holders[k] == h;
        if (!seen && found < 64)
            holders[found++] = h;
    }
    return drop_outer_holders(v, holders, found);
}

int lt_holders_report(const lt_heap_view *v, const uint32_t *top, uint32_t n, const lt_path_book *paths,
                      lt_findings *out, lt_error *err)
{
    lt_holder_anchor anchors[32];
    uint32_t holders[64], path[LT_PATH_MAX], made = 0;
    uint32_t anchor_count = lt_holder_anchors(v, out, anchors, 32);
    uint32_t count = lt_holders_big(v, top, n < 64 ? n : 64, holders);
    for (uint32_t i = 0; i < count && made < HOLDER_MAX; i++) {
        uint32_t x = holders[i];
        if (explained(v, x, anchors, anchor_count))
            continue;
        uint32_t len = lt_path_book_get(v, paths, x, path, LT_PATH_MAX);
        int rc = lt_holder_is_listener_table(v, x) ? report_listeners(v, x, path, len, out, err)
                                                   : report_holder(v, x, path, len, out, err);
        if (rc)
            return rc;
        made++;
    }
    return 0;
}
