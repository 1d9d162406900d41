/* DESIGN
 * A function that awaits (or yields, or .then's, or captures) a call to
 * itself never finishes, so every level keeps the previous one alive: in the
 * snapshot, a path in the dominator tree thousands of nodes deep whose nodes
 * repeat one short pattern. Nothing here knows V8's class names:
 *   1. heights of the dominator tree (breadth-first order, then backwards);
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
#include "chains.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "u32vec.h"
#include "u32map.h"

#define MIN_LEVELS 100
#define MIN_CHAIN_HEIGHT 300
#define MAX_STARTS 256
#define MAX_PERIOD 16
#define SAMPLE_LEVELS 32
#define EXPLORE_PER_LEVEL 256
#define EDGE_SCAN_LIMIT 4096
#define DATA_CHAIN_MIN_PERCENT 5.0

/* ---- 1. heights ---------------------------------------------------------- */

/* Heights by an iterative depth-first walk: a stack of (node, next child)
 * as deep as the tree, instead of an order array as long as the graph. */
static uint32_t *tree_heights(const lt_heap_view *v, lt_pool *pool)
{
    const lt_dominator_tree *t = v->tree;
    uint32_t n = v->g->node_count;
    uint32_t *height = lt_pool_calloc(pool, n, sizeof(uint32_t));
    lt_u32vec stack = {0}; /* pairs: node, index of its next child */
    if (!height || lt_u32vec_push(&stack, v->g->root) || lt_u32vec_push(&stack, t->first_dominated[v->g->root])) {
        free(height);
        free(stack.items);
        return NULL;
    }
    while (stack.len) {
        uint32_t x = stack.items[stack.len - 2], k = stack.items[stack.len - 1];
        if (k < t->first_dominated[x + 1]) {
            uint32_t c = t->dominated[k];
            stack.items[stack.len - 1] = k + 1;
            if (lt_u32vec_push(&stack, c) || lt_u32vec_push(&stack, t->first_dominated[c])) {
                free(height);
                free(stack.items);
                return NULL;
            }
            continue;
        }
        stack.len -= 2;
        if (stack.len && height[x] + 1 > height[stack.items[stack.len - 2]])
            height[stack.items[stack.len - 2]] = height[x] + 1;
    }
    free(stack.items);
    return height;
}

/* ---- 3. signatures and periods -------------------------------------------- */

/* The edge from d to c, or UINT32_MAX when d has none (or too many to scan). */
static uint32_t direct_edge(const lt_graph *g, uint32_t d, uint32_t c)
{
    uint32_t end = g->first_edge[d + 1];
    if (end - g->first_edge[d] > EDGE_SCAN_LIMIT)
        return UINT32_MAX;
    for (uint32_t e = g->first_edge[d]; e < end; e++)
        if (g->edges[e].to == c)
            return e;
    return UINT32_MAX;
}

static uint64_t hash_text(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return (h ^ 0xff) * 1099511628211ull;
}

static uint64_t signature(const lt_heap_view *v, const uint32_t *path, size_t i)
{
    uint64_t h = hash_text(1469598103934665603ull, lt_view_class(v, path[i]));
    uint32_t e = i ? direct_edge(v->g, path[i - 1], path[i]) : UINT32_MAX;
    char label[96] = "-";
    if (e != UINT32_MAX)
        lt_edge_label(v->g, e, label, sizeof label);
    return hash_text(h, label);
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
    uint32_t closure;      /* a closure node of the function (first seen) */
    uint32_t name;         /* string index of its name */
    int priority;          /* 3 generator/async object, 2 user closure, 1 other closure */
    uint32_t levels;       /* sampled levels it was seen on */
    uint32_t last_level;   /* to count a level once */
} candidate;

typedef struct function_search {
    const lt_heap_view *v;
    const lt_u32map *closure_names; /* closure name (string index) -> its first closure */
    candidate items[64];
    uint32_t count;
    uint32_t generator_levels, promise_levels;
} function_search;

/* The script name of a closure: closure -> shared -> script -> its name. */
static const char *closure_script(const lt_graph *g, uint32_t closure)
{
    static const char *const shared_names[] = {"shared", NULL};
    static const char *const script_names[] = {"script_or_debug_info", "script", NULL};
    uint32_t at = closure;
    const char *const *steps[] = {shared_names, script_names};
    for (int s = 0; s < 2; s++) {
        uint32_t next = UINT32_MAX;
        for (uint32_t e = g->first_edge[at]; e < g->first_edge[at + 1] && next == UINT32_MAX; e++) {
            lt_edge edge = g->edges[e];
            if ((int)lt_edge_type(edge) != g->et.internal)
                continue;
            for (const char *const *n = steps[s]; *n; n++)
                if (!strcmp(lt_graph_string(g, lt_graph_edge_name_at(g, e)), *n))
                    next = edge.to;
        }
        if (next == UINT32_MAX)
            return "";
        at = next;
    }
    return lt_graph_node_name(g, at);
}

static int is_user_script(const char *script)
{
    return *script && !strstr(script, "node_modules") && strncmp(script, "node:", 5) &&
           strncmp(script, "internal/", 9);
}

static uint32_t function_of_generator(const lt_graph *g, uint32_t object)
{
    for (uint32_t e = g->first_edge[object]; e < g->first_edge[object + 1]; e++) {
        lt_edge edge = g->edges[e];
        if ((int)lt_edge_type(edge) == g->et.internal && g->node_type[edge.to] == g->nt.closure &&
            !strcmp(lt_graph_string(g, lt_graph_edge_name_at(g, e)), "function"))
            return edge.to;
    }
    return UINT32_MAX;
}

static void note(function_search *s, uint32_t closure, int priority, uint32_t level)
{
    const lt_graph *g = s->v->g;
    if (!*lt_graph_node_name(g, closure))
        return;
    for (uint32_t i = 0; i < s->count; i++) {
        candidate *c = &s->items[i];
        if (c->name != g->node_name[closure])
            continue;
        if (priority > c->priority)
            c->priority = priority;
        if (c->last_level != level + 1) {
            c->levels++;
            c->last_level = level + 1;
        }
        return;
    }
    if (s->count < sizeof s->items / sizeof s->items[0])
        s->items[s->count++] = (candidate){closure, g->node_name[closure], priority, 1, level + 1};
}

static uint32_t internal_target(const lt_graph *g, uint32_t x, const char *name)
{
    for (uint32_t e = g->first_edge[x]; e < g->first_edge[x + 1]; e++) {
        lt_edge edge = g->edges[e];
        if ((int)lt_edge_type(edge) == g->et.internal && !strcmp(lt_graph_string(g, lt_graph_edge_name_at(g, e)), name))
            return edge.to;
    }
    return UINT32_MAX;
}

static int is_context(const lt_graph *g, uint32_t x)
{
    const char *name = lt_graph_node_name(g, x);
    return !strncmp(name, "system / Context", 16) && (name[16] == '\0' || name[16] == ' ');
}

/* The function a context belongs to: the last string its ScopeInfo lists
 * (V8 puts the function's name after the local names), when a closure of
 * that name exists. Returns a closure-name string index or UINT32_MAX. */
static uint32_t context_function(const function_search *s, uint32_t context)
{
    const lt_graph *g = s->v->g;
    uint32_t info = internal_target(g, context, "scope_info"), last = UINT32_MAX, dummy;
    if (info == UINT32_MAX)
        return UINT32_MAX;
    for (uint32_t e = g->first_edge[info]; e < g->first_edge[info + 1]; e++)
        if (g->node_type[g->edges[e].to] == g->nt.string)
            last = g->node_name[g->edges[e].to];
    return last != UINT32_MAX && lt_u32map_get(s->closure_names, last, &dummy) ? last : UINT32_MAX;
}

static void note_name(function_search *s, uint32_t name, int priority, uint32_t level)
{
    for (uint32_t i = 0; i < s->count; i++)
        if (s->items[i].name == name) {
            note(s, s->items[i].closure, priority, level);
            return;
        }
    uint32_t closure; /* the first closure of that name, for its location */
    if (lt_u32map_get(s->closure_names, name, &closure))
        note(s, closure, priority, level);
}

/* Looks at one node for function evidence. */
static void examine(function_search *s, uint32_t x, uint32_t level, int *generator, int *promise)
{
    const lt_graph *g = s->v->g;
    if (g->node_type[x] == g->nt.closure)
        note(s, x, is_user_script(closure_script(g, x)) ? 2 : 1, level);
    else if (is_context(g, x)) {
        uint32_t name = context_function(s, x);
        if (name != UINT32_MAX)
            note_name(s, name, 2, level);
    } else if (g->node_type[x] == g->nt.object) {
        uint32_t f = function_of_generator(g, x);
        if (f != UINT32_MAX) {
            note(s, f, 3, level);
            *generator = 1;
        }
        if (!strcmp(lt_graph_node_name(g, x), "Promise"))
            *promise = 1;
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
            examine(s, g->edges[e].to, level, &generator, &promise);
        if (lt_u32vec_push(queue, x))
            return -1;
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
                return -1;
        }
    }
    s->generator_levels += (uint32_t)generator;
    s->promise_levels += (uint32_t)promise;
    return 0;
}

/* When the levels name no function (a promise resolved by the next promise,
 * a plain object per level), the function shows where the chain starts: the
 * callback closure on the path to the head (or hanging off the head level)
 * was created by the recursing function; its context names it. */
static const candidate *head_function(function_search *s, const uint32_t *path, uint32_t path_len,
                                      const uint32_t *level, uint32_t period)
{
    const lt_graph *g = s->v->g;
    uint32_t closures[32], n = 0;
    for (uint32_t i = path_len; i-- > 0 && path_len - i <= 6 && n < 32;) /* nearest the head first */
        if (g->node_type[g->edges[path[i]].to] == g->nt.closure)
            closures[n++] = g->edges[path[i]].to;
    for (uint32_t i = 0; i < period; i++)
        for (uint32_t e = g->first_edge[level[i]]; e < g->first_edge[level[i] + 1] && n < 32; e++)
            if (g->node_type[g->edges[e].to] == g->nt.closure)
                closures[n++] = g->edges[e].to;
    s->count = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = closures[i], name = g->node_name[c];
        if (!is_user_script(closure_script(g, c)))
            continue;
        if (!*lt_graph_string(g, name)) {
            uint32_t context = internal_target(g, c, "context");
            name = context != UINT32_MAX ? context_function(s, context) : UINT32_MAX;
        }
        if (name == UINT32_MAX)
            continue;
        note_name(s, name, 2, 0);
        if (s->count) {
            s->items[0].levels = 2; /* found where the chain starts: enough */
            return &s->items[0];
        }
    }
    return NULL;
}

/* True when every node of a level is an instance of a user-defined class
 * (a constructor with a source location): data, like a linked list. */
static int level_is_user_data(const lt_heap_view *v, const uint32_t *level, uint32_t period)
{
    const lt_graph *g = v->g;
    for (uint32_t i = 0; i < period; i++)
        if (g->node_type[level[i]] != g->nt.object || !lt_graph_location(g, level[i]) ||
            !strcmp(lt_graph_node_name(g, level[i]), "Object"))
            return 0;
    return 1;
}

static const candidate *best_function(const function_search *s, uint32_t sampled)
{
    const candidate *best = NULL;
    for (uint32_t i = 0; i < s->count; i++) {
        const candidate *c = &s->items[i];
        if (c->levels * 2 < sampled || c->levels < 2)
            continue;
        if (!best || c->priority > best->priority || (c->priority == best->priority && c->levels > best->levels))
            best = c;
    }
    return best;
}

/* ---- reporting ------------------------------------------------------------ */

typedef struct chain {
    const uint32_t *nodes; /* the periodic region */
    size_t length;
    uint32_t period;
    uint32_t levels;
} chain;

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
        json_array_append_new(list, json_pack("{s:s, s:o, s:o}", "class", lt_view_class(v, node), "name",
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
    *canonical = malloc(cap);
    if (*canonical) {
        (*canonical)[0] = '\0';
        for (uint32_t k = 0; k < c->period; k++)
            at += (size_t)snprintf(*canonical + at, cap - at, "%s;", parts[(best + k) % c->period]);
    }
    return list;
}



static int report_recursive(const lt_heap_view *v, const chain *c, const function_search *s, const candidate *f,
                            lt_findings *out, lt_error *err)
{
    const lt_graph *g = v->g;
    uint32_t head = c->nodes[0], path[LT_PATH_MAX];
    uint32_t path_len = lt_retainer_path(v, head, path, LT_PATH_MAX);
    const lt_location *loc = lt_graph_location(g, f->closure);
    const char *name = lt_graph_string(g, f->name), *script = closure_script(g, f->closure);
    char short_script[256], size[32], levels[32], where[300];
    lt_findings_normalise_script(script, short_script, sizeof short_script);
    lt_format_size(v->tree->retained[head], size, sizeof size);
    lt_format_count(c->levels, levels, sizeof levels);
    if (loc)
        snprintf(where, sizeof where, " (%s:%u)", *short_script ? short_script : "?", loc->line + 1);
    else
        snprintf(where, sizeof where, "%s%s%s", *short_script ? " (" : "", short_script, *short_script ? ")" : "");
    int async = s->generator_levels * 2 >= SAMPLE_LEVELS / 4 || s->promise_levels > 0;
    double percent = v->total_size ? 100.0 * (double)v->tree->retained[head] / (double)v->total_size : 0;
    char *title = lt_strdup_printf("Recursive %schain of `%s`%s: %s levels retain %s (%.1f%% of the heap)",
                                   async ? "async " : "", name, where, levels, size, percent);
    char *fix = async ? lt_strdup_printf("`%s` awaits (or yields) a call to itself, so no level ever finishes and each "
                                         "keeps the previous one alive: replace the self-call with a loop "
                                         "(`while (...) { await ...; }`).", name)
                      : lt_strdup_printf("Each level of `%s` keeps the previous level alive through what it captures: "
                                         "replace the self-call with a loop, or drop the reference to the previous "
                                         "level once it is done.", name);
    char *canonical = NULL;
    json_t *period = period_json(v, c, &canonical);
    json_t *details = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:{s:I, s:I, s:[]}}", "levels",
                                (json_int_t)c->levels, "function", name, "script", script, "script_short",
                                short_script, "line", loc ? json_integer(loc->line + 1) : json_null(), "column",
                                loc ? json_integer(loc->column + 1) : json_null(), "period", period, "head_id",
                                (json_int_t)g->node_id[head], "path", lt_path_json(v, path, path_len), "evidence",
                                "function_id", (json_int_t)g->node_id[f->closure], "chain_nodes",
                                (json_int_t)c->length, "first_level_ids");
    json_t *ids = details ? json_object_get(json_object_get(details, "evidence"), "first_level_ids") : NULL;
    for (uint32_t i = 0; ids && i < c->period; i++)
        json_array_append_new(ids, json_integer(g->node_id[c->nodes[i]]));
    const char *parts[] = {name, short_script, canonical};
    int rc = lt_findings_add(out, LT_FINDING_RECURSIVE_CHAIN, title, fix, v->tree->retained[head], v->total_size,
                             details, parts, 3, err);
    free(canonical);
    return rc;
}

static int report_data(const lt_heap_view *v, const chain *c, lt_findings *out, lt_error *err)
{
    uint32_t head = c->nodes[0];
    uint64_t retained = v->tree->retained[head];
    double percent = v->total_size ? 100.0 * (double)retained / (double)v->total_size : 0;
    if (percent < DATA_CHAIN_MIN_PERCENT)
        return 0;
    char size[32], levels[32], *canonical = NULL;
    lt_format_size(retained, size, sizeof size);
    lt_format_count(c->levels, levels, sizeof levels);
    json_t *period = period_json(v, c, &canonical);
    char *title = lt_strdup_printf("A linked structure of %s × `%s` holds %s (%.1f%% of the heap)", levels,
                                   lt_view_class(v, head), size, percent);
    json_t *details = json_pack("{s:s, s:I, s:o, s:I, s:{s:I}}", "structure", "linked", "levels",
                                (json_int_t)c->levels, "period", period, "head_id", (json_int_t)v->g->node_id[head],
                                "evidence", "chain_nodes", (json_int_t)c->length);
    const char *parts[] = {"linked", canonical};
    int rc = lt_findings_add(out, LT_FINDING_LARGE_RETAINER, title, NULL, retained, v->total_size, details, parts, 2,
                             err);
    free(canonical);
    return rc;
}

/* Looks for periodic regions on one deep path and reports them. */
static int examine_path(const lt_heap_view *v, const lt_u32map *closure_names, const lt_u32vec *path, lt_u32vec *queue,
                        lt_findings *out, lt_error *err)
{
    uint64_t *sig = malloc((path->len ? path->len : 1) * sizeof *sig);
    if (!sig)
        return lt_error_set(err, LT_ENOMEM, "out of memory looking for chains");
    for (size_t i = 0; i < path->len; i++)
        sig[i] = signature(v, path->items, i);
    periodic r = find_period(sig, path->len);
    if (r.period)
        r = extend_region(sig, path->len, r);
    free(sig);
    if (!r.period || r.length / r.period < MIN_LEVELS)
        return 0;
    chain c = {path->items + r.start, r.length, r.period, (uint32_t)(r.length / r.period)};
    function_search s = {.v = v, .closure_names = closure_names};
    uint32_t sampled = 0;
    for (uint32_t k = 0; k < SAMPLE_LEVELS; k++) {
        uint32_t level = (uint32_t)((uint64_t)(c.levels - 1) * k / SAMPLE_LEVELS);
        const uint32_t *nodes = c.nodes + (size_t)level * c.period;
        const uint32_t *next = (size_t)(level + 1) * c.period < c.length ? nodes + c.period : NULL;
        if (k && level == (uint32_t)((uint64_t)(c.levels - 1) * (k - 1) / SAMPLE_LEVELS))
            continue;
        if (explore_level(&s, nodes, c.period, next, level, queue))
            return lt_error_set(err, LT_ENOMEM, "out of memory looking for chains");
        sampled++;
    }
    const candidate *f = best_function(&s, sampled);
    if (!f && !level_is_user_data(v, c.nodes, c.period)) {
        uint32_t head_path[LT_PATH_MAX], n = lt_retainer_path(v, c.nodes[0], head_path, LT_PATH_MAX);
        f = head_function(&s, head_path, n, c.nodes, c.period);
    }
    return f ? report_recursive(v, &c, &s, f, out, err) : report_data(v, &c, out, err);
}

int lt_chains_find(const lt_heap_view *v, lt_pool *pool, lt_findings *out, lt_error *err)
{
    const lt_dominator_tree *t = v->tree;
    uint32_t *height = tree_heights(v, pool);
    if (!height)
        return lt_error_set(err, LT_ENOMEM, "out of memory measuring the dominator tree");
    lt_u32vec starts = {0}, path = {0}, queue = {0};
    lt_u32map closure_names = {0};
    int rc = lt_u32vec_push(&starts, v->g->root) || lt_u32map_init(&closure_names) ? LT_ENOMEM : 0;
    for (uint32_t x = 0; !rc && x < v->g->node_count; x++)
        if (v->g->node_type[x] == v->g->nt.closure)
        {
            uint32_t first;
            if (!lt_u32map_get(&closure_names, v->g->node_name[x], &first))
                rc = lt_u32map_put(&closure_names, v->g->node_name[x], x) ? LT_ENOMEM : 0;
        }
    for (size_t si = 0; !rc && si < starts.len && si < MAX_STARTS; si++) {
        uint32_t x = starts.items[si];
        if (height[x] < MIN_CHAIN_HEIGHT)
            continue;
        path.len = 0;
        while (!rc) { /* down the tallest child; other tall children start paths of their own */
            rc = lt_u32vec_push(&path, x) ? LT_ENOMEM : 0;
            uint32_t best = UINT32_MAX;
            for (uint32_t k = t->first_dominated[x]; k < t->first_dominated[x + 1]; k++) {
                uint32_t c = t->dominated[k];
                if (best == UINT32_MAX || height[c] > height[best])
                    best = c;
            }
            for (uint32_t k = t->first_dominated[x]; !rc && k < t->first_dominated[x + 1]; k++) {
                uint32_t c = t->dominated[k];
                if (c != best && height[c] >= MIN_CHAIN_HEIGHT && starts.len < MAX_STARTS)
                    rc = lt_u32vec_push(&starts, c) ? LT_ENOMEM : 0;
            }
            if (best == UINT32_MAX)
                break;
            x = best;
        }
        if (!rc)
            rc = examine_path(v, &closure_names, &path, &queue, out, err);
    }
    if (rc == LT_ENOMEM && err && !err->code)
        lt_error_set(err, LT_ENOMEM, "out of memory looking for chains");
    free(starts.items);
    free(path.items);
    free(queue.items);
    free(height);
    lt_u32map_free(&closure_names);
    return rc;
}
