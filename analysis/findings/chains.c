/* DESIGN
 * A function that awaits (or yields, or .then's, or captures) a call to
 * itself never finishes, so every level keeps the previous one alive: in the
 * snapshot, a path in the dominator tree thousands of nodes deep whose nodes
 * repeat one short pattern. Nothing here knows V8's class names:
 *   1. heights of the dominator tree (computed with it: lt_dominator_height);
 *   2. deep paths: from the root down the tallest child; other tall children
 *      start paths of their own;
 *   3. per path node a signature (class, and the edge name when the
 *      dominator is also the direct retainer); the smallest period p whose
 *      longest run of sig[i] == sig[i+p] is (nearly) the longest of all;
 *   4. the function: on sampled levels, look at the level's nodes, what they
 *      point to and what they dominate off the path, for generator / async
 *      function objects (an internal "function" edge to a closure) and named
 *      closures; the one present on most levels wins, user code first.
 * A long repetition with no function is data (a list, a queue): it is
 * reported as a large retainer when big, never as a recursive chain. */
#include "findings/chains.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/paths.h"
#include "util/hash.h"
#include "util/json_build.h"
#include "util/u32vec.h"
#include "findings/functions.h"

#define MIN_LEVELS             100
#define MIN_CHAIN_HEIGHT       300
#define MAX_STARTS             256
#define MAX_PERIOD             16
#define SAMPLE_LEVELS          32
#define EXPLORE_PER_LEVEL      256
#define EDGE_SCAN_LIMIT        4096
#define DATA_CHAIN_MIN_PERCENT 5.0

/* ---- 3. signatures and periods -------------------------------------------- */

/* The edge from d to c, or UINT32_MAX when d has none (or too many to scan). */
static uint32_t direct_edge(const lt_graph *g, uint32_t d, uint32_t c)
{
    uint32_t end = g->first_edge[d + 1];
    if (end - g->first_edge[d] > EDGE_SCAN_LIMIT)
        return UINT32_MAX;
    for (uint32_t e = g->first_edge[d]; e < end; e++)
        if (lt_graph_edge_to(g, e) == c)
            return e;
    return UINT32_MAX;
}

static uint64_t signature(const lt_heap_view *v, const uint32_t *path, size_t i)
{
    uint64_t h = lt_hash_word(lt_hash_str(LT_HASH_SEED, lt_view_class(v, path[i])), 0xff);
    uint32_t e = i ? direct_edge(v->g, path[i - 1], path[i]) : UINT32_MAX;
    char label[96] = "-";
    if (e != UINT32_MAX)
        lt_edge_label(v->g, e, label, sizeof label);
    return lt_hash_word(lt_hash_str(h, label), 0xff);
}

typedef struct periodic {
    size_t start, length; /* region of the path */
    uint32_t period;
} periodic;

/* The longest run of sig[i] == sig[i+p] for each p; the smallest p whose run
 * is at least 9/10 of the best one. */
static periodic find_period(const uint64_t *sig, size_t len)
{
    periodic best = {0, 0, 0};
    size_t runs[MAX_PERIOD + 1] = {0}, starts[MAX_PERIOD + 1] = {0}, top = 0;
    for (uint32_t p = 1; p <= MAX_PERIOD && p < len; p++) {
        size_t run = 0;
        for (size_t i = 0; i + p < len; i++) {
            run = sig[i] == sig[i + p] ? run + 1 : 0;
            if (run > runs[p]) {
                runs[p] = run;
                starts[p] = i + 1 - run;
            }
        }
        if (runs[p] > top)
            top = runs[p];
    }
    for (uint32_t p = 1; p <= MAX_PERIOD && p < len; p++)
        if (top && runs[p] * 10 >= top * 9) {
            best = (periodic){starts[p], runs[p] + p, p};
            break;
        }
    return best;
}

/* Extends a periodic region over short glitches (levels that differ in an
 * edge or a node): past a gap of at most 2p mismatches, the run goes on when
 * the next 4p positions match again; forwards, then backwards. */
static int matches_around(const uint64_t *sig, size_t len, size_t at, size_t p, int forward)
{
    for (size_t k = 0; k < 4 * p; k++) {
        size_t i = forward ? at + k : at - k;
        if ((!forward && k > at) || i + p >= len || sig[i] != sig[i + p])
            return 0;
    }
    return 1;
}

static periodic extend_region(const uint64_t *sig, size_t len, periodic r)
{
    size_t p = r.period, start = r.start, end = r.start + r.length - p; /* [start, end): sig[i] == sig[i+p] */
    for (;;) {
        size_t resume = 0;
        for (size_t gap = 1; gap <= 2 * p && !resume; gap++)
            if (matches_around(sig, len, end + gap, p, 1))
                resume = end + gap;
        if (!resume)
            break;
        for (end = resume; end + p < len && sig[end] == sig[end + p];)
            end++;
    }
    for (;;) {
        size_t resume = SIZE_MAX;
        for (size_t gap = 2; gap <= 2 * p + 1 && resume == SIZE_MAX && start >= gap; gap++)
            if (matches_around(sig, len, start - gap, p, 0))
                resume = start - gap;
        if (resume == SIZE_MAX)
            break;
        for (start = resume; start > 0 && sig[start - 1] == sig[start - 1 + p];)
            start--;
    }
    r.start = start;
    r.length = end + p - start;
    return r;
}

/* ---- 4. the function -------------------------------------------------------- */

typedef struct candidate {
    uint32_t closure;    /* a closure node of the function (first seen) */
    uint32_t name;       /* string index of its name */
    int priority;        /* 3 generator/async object, 2 user closure, 1 other closure */
    uint32_t levels;     /* sampled levels it was seen on */
    uint32_t last_level; /* to count a level once */
    int by_name;         /* closure is the first of its name, not the one seen */
} candidate;

typedef struct function_search {
    const lt_heap_view *v;
    lt_functions *fns;
    candidate items[64];
    uint32_t count;
    uint32_t generator_levels, promise_levels;
} function_search;

static void note_closure(function_search *s, uint32_t closure, int priority, uint32_t level, int by_name)
{
    const lt_graph *g = s->v->g;
    if (closure == LT_NO_FUNCTION || !lt_functions_has_own_name(s->fns, closure))
        return;
    for (uint32_t i = 0; i < s->count; i++) {
        candidate *c = &s->items[i];
        if (c->name != g->node_name[closure])
            continue;
        if (priority > c->priority)
            c->priority = priority;
        if (c->by_name && !by_name)
            c->closure = closure;
        c->by_name &= by_name;
        if (c->last_level != level + 1) {
            c->levels++;
            c->last_level = level + 1;
        }
        return;
    }
    if (s->count < sizeof s->items / sizeof s->items[0])
        s->items[s->count++] = (candidate){closure, g->node_name[closure], priority, 1, level + 1, by_name};
}

static void note(function_search *s, uint32_t closure, int priority, uint32_t level)
{
    note_closure(s, closure, priority, level, 0);
}

static int is_context(const lt_graph *g, uint32_t x)
{
    const char *name = lt_graph_node_name(g, x);
    return !strncmp(name, "system / Context", 16) && (name[16] == '\0' || name[16] == ' ');
}

static int is_promise(const lt_graph *g, uint32_t x)
{
    return g->node_type[x] == g->nt.object && !strcmp(lt_graph_node_name(g, x), "Promise");
}

/* The named function a suspended generator / async function object runs
 * (for a JSC generator body, the generator function that made it), or
 * LT_NO_FUNCTION; *found says whether x is such an object at all. */
static uint32_t activation_function(function_search *s, uint32_t x, int *found)
{
    uint32_t body = lt_functions_of_activation(s->fns, x);
    *found = body != LT_NO_FUNCTION;
    return *found ? lt_functions_named_closure(s->fns, body) : LT_NO_FUNCTION;
}

/* Looks at one node for function evidence. */
static void examine(function_search *s, uint32_t x, uint32_t level, int *generator, int *promise)
{
    const lt_graph *g = s->v->g;
    int activation = 0;
    if (g->node_type[x] == g->nt.closure)
        note(s, x, lt_functions_is_user_script(lt_functions_script_name(g, x)) ? 2 : 1, level);
    else if (is_context(g, x))
        note_closure(s, lt_functions_of_context(s->fns, x, LT_NO_FUNCTION), 2, level, 1);
    else if (g->node_type[x] == g->nt.object) {
        uint32_t f = activation_function(s, x, &activation);
        note(s, f, 3, level);
        *generator |= activation;
        *promise |= is_promise(g, x);
    }
}

/* The level's nodes, their direct targets and up to EXPLORE_PER_LEVEL nodes
 * they dominate off the path (breadth-first, 3 steps). */
static int explore_level(function_search *s, const uint32_t *level_nodes, uint32_t p, const uint32_t *next_level,
                         uint32_t level, lt_u32vec *queue)
{
    const lt_graph *g = s->v->g;
    const lt_dominator_tree *t = s->v->tree;
    int generator = 0, promise = 0;
    queue->len = 0;
    for (uint32_t i = 0; i < p; i++) {
        uint32_t x = level_nodes[i];
        examine(s, x, level, &generator, &promise);
        for (uint32_t e = g->first_edge[x]; e < g->first_edge[x + 1] && e - g->first_edge[x] < 64; e++)
            examine(s, lt_graph_edge_to(g, e), level, &generator, &promise);
        if (lt_u32vec_push(queue, x))
            return LT_ENOMEM;
    }
    for (size_t q = 0, depth_end = queue->len, depth = 0; q < queue->len && queue->len < EXPLORE_PER_LEVEL; q++) {
        if (q == depth_end && ++depth > 3)
            break;
        if (q == depth_end)
            depth_end = queue->len;
        uint32_t x = queue->items[q];
        for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1]; k++) {
            uint32_t c = t->dominated[k];
            if (next_level && c == next_level[0])
                continue;
            examine(s, c, level, &generator, &promise);
            if (lt_u32vec_push(queue, c))
                return LT_ENOMEM;
        }
    }
    s->generator_levels += (uint32_t)generator;
    s->promise_levels += (uint32_t)promise;
    return 0;
}

typedef struct chain {
    const uint32_t *nodes; /* the periodic region */
    size_t length;
    uint32_t period;
    uint32_t levels;
} chain;

/* A function found where the chain starts or ends stands for every level. */
static candidate *found_at_end(function_search *s, uint32_t closure)
{
    s->count = 0;
    note(s, closure, 3, 0);
    if (!s->count)
        return NULL;
    s->items[0].levels = 2;
    return &s->items[0];
}

/* The function of a suspended activation: x itself or one it points to. */
static uint32_t activation_near(function_search *s, uint32_t x)
{
    const lt_graph *g = s->v->g;
    int found;
    uint32_t f = activation_function(s, x, &found);
    for (uint32_t e = g->first_edge[x]; f == LT_NO_FUNCTION && e < g->first_edge[x + 1]; e++) {
        if (e - g->first_edge[x] >= 64)
            break;
        f = activation_function(s, lt_graph_edge_to(g, e), &found);
    }
    return f;
}

/* The innermost level still running (an async function awaiting, whose
 * promise the next level's resolves) hangs next to one end of a chain of
 * promises: among the head's nearest dominators (below the user roots), or
 * under the last level. */
static uint32_t end_activation(function_search *s, const chain *c)
{
    const lt_heap_view *v = s->v;
    uint32_t x = c->nodes[0], f = LT_NO_FUNCTION;
    for (int up = 0; up < 8 && f == LT_NO_FUNCTION && x != v->g->root; up++) {
        x = v->tree->dominator[x];
        if (v->distance[x] <= 1 || v->g->node_type[x] == v->g->nt.synthetic)
            break;
        f = activation_near(s, x);
    }
    for (uint32_t i = 0; f == LT_NO_FUNCTION && i < c->period; i++) {
        uint32_t y = c->nodes[c->length - 1 - i];
        for (uint32_t k = v->tree->first_dominated[y]; f == LT_NO_FUNCTION && k < v->tree->first_dominated[y + 1]; k++)
            f = activation_near(s, v->tree->dominated[k]);
    }
    return f;
}

/* When the levels name no function (a promise resolved by the next promise,
 * a plain object per level), it shows at an end of the chain: a suspended
 * activation of the recursing function (see end_activation), or the
 * callback closure on the path to the head (or hanging off the head level),
 * made by the recursing function. */
static candidate *head_function(function_search *s, const chain *c)
{
    const lt_graph *g = s->v->g;
    uint32_t f = end_activation(s, c), path[LT_PATH_MAX], closures[32], n = 0;
    if (f != LT_NO_FUNCTION)
        return found_at_end(s, f);
    uint32_t path_len = lt_retainer_path(s->v, c->nodes[0], path, LT_PATH_MAX);
    for (uint32_t i = path_len; i-- > 0 && path_len - i <= 6 && n < 32;) /* nearest the head first */
        if (g->node_type[lt_graph_edge_to(g, path[i])] == g->nt.closure)
            closures[n++] = lt_graph_edge_to(g, path[i]);
    for (uint32_t i = 0; i < c->period; i++)
        for (uint32_t e = g->first_edge[c->nodes[i]]; e < g->first_edge[c->nodes[i] + 1] && n < 32; e++)
            if (g->node_type[lt_graph_edge_to(g, e)] == g->nt.closure)
                closures[n++] = lt_graph_edge_to(g, e);
    for (uint32_t i = 0; i < n; i++) {
        if (!lt_functions_is_user_script(lt_functions_script_name(g, closures[i])))
            continue;
        f = lt_functions_named_closure(s->fns, closures[i]);
        if (f != LT_NO_FUNCTION)
            return found_at_end(s, f);
    }
    return NULL;
}

/* True when the closure at position i of the levels is held through the
 * scope of the same closure one level up: closure -> its context (-> outer
 * contexts) -> the previous closure (checked on the second, the middle and
 * the last level). */
static int captured(const lt_graph *g, const chain *c, uint32_t i)
{
    uint32_t levels[] = {1, c->levels / 2, c->levels - 1};
    for (int k = 0; k < 3; k++) {
        size_t at = (size_t)levels[k] * c->period + i, up = at - c->period;
        if (at >= c->length || c->period < 2 || lt_functions_scope(g, c->nodes[up]) != c->nodes[up + 1] ||
            direct_edge(g, c->nodes[at - 1], c->nodes[at]) == UINT32_MAX)
            return 0;
    }
    return 1;
}

/* A chain of closures (built by a loop, or by code that keeps wrapping the
 * newest closure): a closure on every level held through the scope of the
 * next level's closure, no promise or suspended activation on the levels
 * and none beside most of them. Returns that closure, or LT_NO_FUNCTION. */
static uint32_t chain_closure(function_search *s, const chain *c, uint32_t sampled)
{
    const lt_graph *g = s->v->g;
    uint32_t found = LT_NO_FUNCTION;
    if (c->levels < 3 || s->generator_levels * 2 >= sampled)
        return LT_NO_FUNCTION;
    for (uint32_t i = 0; i < c->period; i++) {
        uint32_t x = c->nodes[c->period + i];
        int activation;
        activation_function(s, x, &activation);
        if (activation || is_promise(g, x))
            return LT_NO_FUNCTION;
        if (found == LT_NO_FUNCTION && g->node_type[x] == g->nt.closure && captured(g, c, i))
            found = c->nodes[i]; /* the head level's */
    }
    return found;
}

/* True when every node of a level is an instance of a user-defined class
 * (a constructor with a source location): data, like a linked list. */
static int level_is_user_data(const lt_heap_view *v, const uint32_t *level, uint32_t period)
{
    const lt_graph *g = v->g;
    for (uint32_t i = 0; i < period; i++)
        if (g->node_type[level[i]] != g->nt.object || !lt_graph_location(g, level[i], NULL) ||
            !strcmp(lt_graph_node_name(g, level[i]), "Object"))
            return 0;
    return 1;
}

static candidate *best_function(function_search *s, uint32_t sampled)
{
    candidate *best = NULL;
    for (uint32_t i = 0; i < s->count; i++) {
        candidate *c = &s->items[i];
        if (c->levels * 2 < sampled || c->levels < 2)
            continue;
        if (!best || c->priority > best->priority || (c->priority == best->priority && c->levels > best->levels))
            best = c;
    }
    return best;
}

/* ---- reporting ------------------------------------------------------------ */

static json_t *period_json(const lt_heap_view *v, const chain *c, char **canonical)
{
    json_t *list = json_array();
    char parts[MAX_PERIOD][160];
    for (uint32_t i = 0; i < c->period; i++) {
        uint32_t node = c->nodes[i], e = UINT32_MAX;
        if (i) /* the edge into a node from its dominator, the previous node */
            e = direct_edge(v->g, c->nodes[i - 1], node);
        else if (c->length > c->period) /* into a level's first node: from the previous level */
            e = direct_edge(v->g, c->nodes[c->period - 1], c->nodes[c->period]);
        char label[96] = "";
        if (e != UINT32_MAX)
            lt_edge_label(v->g, e, label, sizeof label);
        lt_json_append(&list, json_pack("{s:s, s:o, s:o}", "class", lt_view_class(v, node), "name",
                                        lt_json_name(lt_graph_node_name(v->g, node)), "edge",
                                        e != UINT32_MAX ? json_string(label) : json_null()));
        snprintf(parts[i], sizeof parts[i], "%s", lt_view_class(v, node)); /* edges vary between runs */
    }
    /* canonical text: the rotation that sorts first, so the phase does not matter */
    uint32_t best = 0;
    for (uint32_t r = 1; r < c->period; r++)
        for (uint32_t k = 0; k < c->period; k++) {
            int cmp = strcmp(parts[(r + k) % c->period], parts[(best + k) % c->period]);
            if (cmp) {
                if (cmp < 0)
                    best = r;
                break;
            }
        }
    size_t cap = (size_t)c->period * 164 + 1, at = 0;
    if (!(*canonical = malloc(cap))) {
        json_decref(list);
        return NULL;
    }
    (*canonical)[0] = '\0';
    for (uint32_t k = 0; k < c->period; k++)
        at += (size_t)snprintf(*canonical + at, cap - at, "%s;", parts[(best + k) % c->period]);
    return list;
}

/* Where a function is: its script (full and cut to two segments) and, when
 * the snapshot has them, line and column; `where` is " (gen/x.js:12)". */
typedef struct place {
    const char *script;
    char short_script[256];
    char where[300];
    lt_location loc;
    bool located; /* loc holds the closure's location */
} place;

static void place_of(const lt_graph *g, uint32_t closure, place *p)
{
    p->script = lt_functions_script_name(g, closure);
    p->located = lt_graph_location(g, closure, &p->loc);
    lt_findings_normalise_script(p->script, p->short_script, sizeof p->short_script);
    const char *s = p->short_script;
    if (p->located)
        snprintf(p->where, sizeof p->where, " (%s:%u)", *s ? s : "?", p->loc.line + 1);
    else
        snprintf(p->where, sizeof p->where, "%s%s%s", *s ? " (" : "", s, *s ? ")" : "");
}

static double heap_percent(const lt_heap_view *v, uint64_t retained)
{
    return v->total_size ? 100.0 * (double)retained / (double)v->total_size : 0;
}

/* The fields every chain finding has (the kind adds its own); *canonical
 * gets the period's text for the fingerprint (free it). */
static json_t *chain_details(const lt_heap_view *v, const chain *c, const place *p, char **canonical)
{
    const lt_graph *g = v->g;
    uint32_t path[LT_PATH_MAX], path_len = lt_retainer_path(v, c->nodes[0], path, LT_PATH_MAX);
    json_t *period = period_json(v, c, canonical), *ids = json_array();
    for (uint32_t i = 0; ids && i < c->period; i++)
        lt_json_append(&ids, json_integer(lt_graph_node_id(g, c->nodes[i])));
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:{s:I, s:o}}", "levels", (json_int_t)c->levels,
                     "script", p->script, "script_short", p->short_script, "line",
                     p->located ? json_integer(p->loc.line + 1) : json_null(), "column",
                     p->located ? json_integer(p->loc.column + 1) : json_null(), "period", period, "head_id",
                     (json_int_t)lt_graph_node_id(g, c->nodes[0]), "path", lt_path_json(v, path, path_len), "evidence",
                     "chain_nodes", (json_int_t)c->length, "first_level_ids", ids);
}

/* Sets details.evidence[key] to node's id (null for none); on failure
 * *details becomes NULL. */
static void add_id(json_t **details, const char *key, const lt_graph *g, uint32_t node)
{
    json_t *evidence = *details ? json_object_get(*details, "evidence") : NULL;
    json_t *id = node != LT_NO_FUNCTION ? json_integer(lt_graph_node_id(g, node)) : json_null();
    if (evidence && id && !json_object_set_new(evidence, key, id))
        return;
    if (!evidence)
        json_decref(id);
    json_decref(*details);
    *details = NULL;
}

static int report_recursive(const lt_heap_view *v, const chain *c, const function_search *s, const candidate *f,
                            lt_findings *out, lt_error *err)
{
    uint32_t head = c->nodes[0];
    const char *name = lt_graph_string(v->g, f->name);
    char size[32], levels[32], *canonical = NULL;
    place p;
    place_of(v->g, f->closure, &p);
    lt_format_size(lt_retained(v->tree, head), size, sizeof size);
    lt_format_count(c->levels, levels, sizeof levels);
    int async = s->generator_levels * 2 >= SAMPLE_LEVELS / 4 || s->promise_levels > 0;
    char *title =
        lt_strdup_printf("Recursive %schain of `%s`%s: %s levels retain %s (%.1f%% of the heap)", async ? "async " : "",
                         name, p.where, levels, size, heap_percent(v, lt_retained(v->tree, head)));
    char *fix = async ? lt_strdup_printf("`%s` awaits (or yields) a call to itself, so no level ever finishes and each "
                                         "keeps the previous one alive: replace the self-call with a loop "
                                         "(`while (...) { await ...; }`).",
                                         name)
                      : lt_strdup_printf("Each level of `%s` keeps the previous level alive through what it captures: "
                                         "replace the self-call with a loop, or drop the reference to the previous "
                                         "level once it is done.",
                                         name);
    json_t *details = chain_details(v, c, &p, &canonical);
    lt_json_set(&details, "function", json_string(name));
    add_id(&details, "function_id", v->g, f->closure);
    const char *parts[] = {name, p.short_script, canonical};
    int rc = lt_findings_add(out, LT_FINDING_RECURSIVE_CHAIN, title, fix, lt_retained(v->tree, head), v->total_size,
                             details, parts, 3, err);
    free(canonical);
    return rc;
}

static char *closure_chain_fix(const char *closure, const char *maker, const char *levels)
{
    return lt_strdup_printf("Each `%s`%s%s%s captures the previous one, so the newest keeps all %s alive. This is "
                            "the same handler wrapped again and again, not recursion: wrap (compose) the handlers "
                            "once, or keep them in a list called in a loop, instead of wrapping the already wrapped "
                            "result.",
                            closure, *maker ? " made by `" : "", maker, *maker ? "`" : "", levels);
}

/* A chain of closures, named by the closure and the function that makes
 * them (its location; the closure's own when no maker is known). */
static int report_closures(const lt_heap_view *v, const chain *c, lt_functions *fns, uint32_t closure, lt_findings *out,
                           lt_error *err)
{
    uint32_t head = c->nodes[0], maker = lt_functions_creator(fns, closure);
    const char *name = lt_functions_has_own_name(fns, closure) ? lt_graph_node_name(v->g, closure) : "(anonymous)";
    const char *maker_name = maker != LT_NO_FUNCTION ? lt_graph_node_name(v->g, maker) : "";
    char size[32], levels[32], made_by[300], *canonical = NULL;
    place p;
    place_of(v->g, maker != LT_NO_FUNCTION ? maker : closure, &p);
    lt_format_size(lt_retained(v->tree, head), size, sizeof size);
    lt_format_count(c->levels, levels, sizeof levels);
    snprintf(made_by, sizeof made_by, "%s%s%s", *maker_name ? " created by `" : "", maker_name, *maker_name ? "`" : "");
    char *title = lt_strdup_printf("Chain of %s closures `%s`%s%s, each holding the previous one, retains %s "
                                   "(%.1f%% of the heap)",
                                   levels, name, made_by, p.where, size, heap_percent(v, lt_retained(v->tree, head)));
    json_t *details = chain_details(v, c, &p, &canonical);
    lt_json_set(&details, "closure", json_string(name));
    lt_json_set(&details, "function", *maker_name ? json_string(maker_name) : json_null());
    add_id(&details, "closure_id", v->g, closure);
    add_id(&details, "function_id", v->g, maker);
    const char *parts[] = {name, maker_name, p.short_script, canonical};
    int rc = lt_findings_add(out, LT_FINDING_CLOSURE_CHAIN, title, closure_chain_fix(name, maker_name, levels),
                             lt_retained(v->tree, head), v->total_size, details, parts, 4, err);
    free(canonical);
    return rc;
}

static int report_data(const lt_heap_view *v, const chain *c, lt_findings *out, lt_error *err)
{
    uint32_t head = c->nodes[0];
    uint64_t retained = lt_retained(v->tree, head);
    double percent = heap_percent(v, retained);
    if (percent < DATA_CHAIN_MIN_PERCENT)
        return 0;
    char size[32], levels[32], *canonical = NULL;
    lt_format_size(retained, size, sizeof size);
    lt_format_count(c->levels, levels, sizeof levels);
    json_t *period = period_json(v, c, &canonical);
    char *title = lt_strdup_printf("A linked structure of %s × `%s` holds %s (%.1f%% of the heap)", levels,
                                   lt_view_class(v, head), size, percent);
    json_t *details = json_pack("{s:s, s:I, s:o, s:I, s:{s:I}}", "structure", "linked", "levels", (json_int_t)c->levels,
                                "period", period, "head_id", (json_int_t)lt_graph_node_id(v->g, head), "evidence",
                                "chain_nodes", (json_int_t)c->length);
    const char *parts[] = {"linked", canonical};
    int rc =
        lt_findings_add(out, LT_FINDING_LARGE_RETAINER, title, NULL, retained, v->total_size, details, parts, 2, err);
    free(canonical);
    return rc;
}

/* The periodic region of one deep path, or a chain of no levels. */
static chain periodic_region(const lt_heap_view *v, const lt_u32vec *path, int *nomem)
{
    chain none = {NULL, 0, 0, 0};
    uint64_t *sig = malloc((path->len ? path->len : 1) * sizeof *sig);
    *nomem = !sig;
    if (!sig)
        return none;
    for (size_t i = 0; i < path->len; i++)
        sig[i] = signature(v, path->items, i);
    periodic r = find_period(sig, path->len);
    if (r.period)
        r = extend_region(sig, path->len, r);
    free(sig);
    if (!r.period || r.length / r.period < MIN_LEVELS)
        return none;
    return (chain){path->items + r.start, r.length, r.period, (uint32_t)(r.length / r.period)};
}

/* Function evidence on SAMPLE_LEVELS levels spread over the chain; returns
 * the number of levels sampled, or 0 when out of memory. */
static uint32_t sample_levels(function_search *s, const chain *c, lt_u32vec *queue)
{
    uint32_t sampled = 0;
    for (uint32_t k = 0; k < SAMPLE_LEVELS; k++) {
        uint32_t level = (uint32_t)((uint64_t)(c->levels - 1) * k / SAMPLE_LEVELS);
        const uint32_t *nodes = c->nodes + (size_t)level * c->period;
        const uint32_t *next = (size_t)(level + 1) * c->period < c->length ? nodes + c->period : NULL;
        if (k && level == (uint32_t)((uint64_t)(c->levels - 1) * (k - 1) / SAMPLE_LEVELS))
            continue;
        if (explore_level(s, nodes, c->period, next, level, queue))
            return 0;
        sampled++;
    }
    return sampled;
}

/* Looks for a periodic region on one deep path and reports it: a chain of
 * closures, a recursive chain (a function on most levels or at an end), or
 * else data. */
static int examine_path(const lt_heap_view *v, lt_functions *fns, int *fns_ready, const lt_u32vec *path,
                        lt_u32vec *queue, lt_findings *out, lt_error *err)
{
    int nomem;
    chain c = periodic_region(v, path, &nomem);
    if (nomem)
        return lt_error_set(err, LT_ENOMEM, "out of memory looking for chains");
    if (!c.levels)
        return 0;
    if (!*fns_ready) { /* indexed on the first chain: snapshots without one never pay */
        *fns_ready = 1;
        if (lt_functions_init(fns, v, err))
            return LT_ENOMEM;
    }
    function_search s = {.v = v, .fns = fns};
    uint32_t sampled = sample_levels(&s, &c, queue);
    if (!sampled)
        return lt_error_set(err, LT_ENOMEM, "out of memory looking for chains");
    uint32_t closure = chain_closure(&s, &c, sampled);
    if (closure != LT_NO_FUNCTION)
        return report_closures(v, &c, fns, closure, out, err);
    candidate *f = best_function(&s, sampled);
    if (!f && !level_is_user_data(v, c.nodes, c.period))
        f = head_function(&s, &c);
    if (f && f->by_name) /* known by name only: the one in user code, if any */
        f->closure = lt_functions_named(fns, f->name, LT_NO_FUNCTION);
    return f ? report_recursive(v, &c, &s, f, out, err) : report_data(v, &c, out, err);
}

/* The path from x down the tallest child; other tall children are queued in
 * starts to begin paths of their own. 0 or LT_ENOMEM. */
static int deep_path(const lt_heap_view *v, uint32_t x, lt_u32vec *path, lt_u32vec *starts)
{
    const lt_dominator_tree *t = v->tree;
    path->len = 0;
    for (;;) {
        if (lt_u32vec_push(path, x))
            return LT_ENOMEM;
        uint32_t best = UINT32_MAX;
        for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1]; k++) {
            uint32_t c = t->dominated[k];
            if (best == UINT32_MAX || lt_dominator_height(t, c) > lt_dominator_height(t, best))
                best = c;
        }
        for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1]; k++) {
            uint32_t c = t->dominated[k];
            if (c != best && lt_dominator_height(t, c) >= MIN_CHAIN_HEIGHT && starts->len < MAX_STARTS &&
                lt_u32vec_push(starts, c))
                return LT_ENOMEM;
        }
        if (best == UINT32_MAX)
            return 0;
        x = best;
    }
}

int lt_chains_find(const lt_heap_view *v, lt_findings *out, lt_error *err)
{
    lt_u32vec starts = {0}, path = {0}, queue = {0};
    lt_functions fns;
    int fns_ready = 0, rc = lt_u32vec_push(&starts, v->g->root) ? LT_ENOMEM : 0;
    for (size_t si = 0; !rc && si < starts.len && si < MAX_STARTS; si++) {
        if (lt_dominator_height(v->tree, starts.items[si]) < MIN_CHAIN_HEIGHT)
            continue;
        rc = deep_path(v, starts.items[si], &path, &starts);
        if (!rc)
            rc = examine_path(v, &fns, &fns_ready, &path, &queue, out, err);
    }
    if (rc == LT_ENOMEM && err && !err->code)
        lt_error_set(err, LT_ENOMEM, "out of memory looking for chains");
    free(starts.items);
    free(path.items);
    free(queue.items);
    if (fns_ready)
        lt_functions_free(&fns);
    return rc;
}
