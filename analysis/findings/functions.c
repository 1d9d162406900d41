/* DESIGN
 * V8 names its internal edges ("function", "context", "shared", "script",
 * "scope_info"); JavaScriptCore (Bun) leaves them unnamed and names
 * anonymous functions and generator bodies "Function". Both keep the same
 * facts, so each question has a V8 answer (by edge name) and a JSC answer
 * (by shape):
 *   - a suspended generator / async function object holds the closure it
 *     runs: an anonymous body in JSC, or one whose scope is the outer scope
 *     of the activation the object also holds;
 *   - the function that made a closure: V8's context ScopeInfo lists the
 *     function's name last; in JSC it is the function, found along the
 *     closure's scope chain, one of whose code blocks points at the
 *     closure's executable (a code block and its executable point at each
 *     other). */
#include "findings/functions.h"

#include <string.h>

#define EDGE_SCAN_LIMIT  4096
#define SMALL_NODE_EDGES 32
#define SCOPE_CHAIN_MAX  32

static const char *edge_name(const lt_graph *g, uint32_t e)
{
    lt_edge edge = lt_graph_edge(g, e);
    return lt_graph_edge_has_string_name(g, lt_edge_type(edge)) ? lt_graph_string(g, lt_graph_edge_name_at(g, e)) : "";
}

static int is_internal(const lt_graph *g, uint32_t e)
{
    return (int)lt_graph_edge_type(g, e) == g->et.internal;
}

static uint32_t edge_count(const lt_graph *g, uint32_t x)
{
    return g->first_edge[x + 1] - g->first_edge[x];
}

/* The target of x's internal edge called name, or LT_NO_FUNCTION. */
static uint32_t internal_target(const lt_graph *g, uint32_t x, const char *name)
{
    if (edge_count(g, x) > EDGE_SCAN_LIMIT)
        return LT_NO_FUNCTION;
    for (uint32_t e = g->first_edge[x]; e < g->first_edge[x + 1]; e++)
        if (is_internal(g, e) && !strcmp(edge_name(g, e), name))
            return lt_graph_edge_to(g, e);
    return LT_NO_FUNCTION;
}

static int has_edge_to(const lt_graph *g, uint32_t x, uint32_t to)
{
    if (edge_count(g, x) > EDGE_SCAN_LIMIT)
        return 0;
    for (uint32_t e = g->first_edge[x]; e < g->first_edge[x + 1]; e++)
        if (lt_graph_edge_to(g, e) == to)
            return 1;
    return 0;
}

/* The first target of x's unnamed internal edges of node type t. */
static uint32_t unnamed_target(const lt_graph *g, uint32_t x, int t)
{
    for (uint32_t e = g->first_edge[x]; e < g->first_edge[x + 1] && e - g->first_edge[x] < SMALL_NODE_EDGES; e++)
        if (is_internal(g, e) && !*edge_name(g, e) && g->node_type[lt_graph_edge_to(g, e)] == t)
            return lt_graph_edge_to(g, e);
    return LT_NO_FUNCTION;
}

/* V8's "context", JSC's unnamed edge to an object. */
uint32_t lt_functions_scope(const lt_graph *g, uint32_t closure)
{
    uint32_t scope = internal_target(g, closure, "context");
    return scope != LT_NO_FUNCTION ? scope : unnamed_target(g, closure, g->nt.object);
}

int lt_functions_init(lt_functions *f, const lt_heap_view *v, lt_error *err)
{
    const lt_graph *g = v->g;
    memset(f, 0, sizeof *f);
    f->v = v;
    int rc = lt_u32map_init(&f->first_by_name);
    for (uint32_t x = 0; !rc && x < g->node_count; x++) {
        uint32_t first;
        if (g->node_type[x] == g->nt.closure && !lt_u32map_get(&f->first_by_name, g->node_name[x], &first))
            rc = lt_u32map_put(&f->first_by_name, g->node_name[x], x);
    }
    return rc ? lt_error_set(err, LT_ENOMEM, "out of memory indexing the functions") : 0;
}

void lt_functions_free(lt_functions *f)
{
    lt_u32map_free(&f->first_by_name);
}

int lt_functions_exists(const lt_functions *f, uint32_t name)
{
    uint32_t first;
    return lt_u32map_get(&f->first_by_name, name, &first);
}

uint32_t lt_functions_script(const lt_graph *g, uint32_t closure)
{
    uint32_t shared = internal_target(g, closure, "shared");
    if (shared == LT_NO_FUNCTION)
        return LT_NO_FUNCTION;
    uint32_t script = internal_target(g, shared, "script");
    return script != LT_NO_FUNCTION ? script : internal_target(g, shared, "script_or_debug_info");
}

const char *lt_functions_script_name(const lt_graph *g, uint32_t closure)
{
    uint32_t script = lt_functions_script(g, closure);
    return script != LT_NO_FUNCTION ? lt_graph_node_name(g, script) : "";
}

int lt_functions_is_user_script(const char *script)
{
    return *script && !strstr(script, "node_modules") && strncmp(script, "node:", 5) && strncmp(script, "internal/", 9);
}

static int in_script(const lt_graph *g, uint32_t closure, uint32_t script)
{
    if (script != LT_NO_FUNCTION)
        return lt_functions_script(g, closure) == script;
    return lt_functions_is_user_script(lt_functions_script_name(g, closure));
}

/* One pass over the nodes for the closure of that name in script (or in a
 * user script); the first of the name when none is. */
static uint32_t scan_named(const lt_graph *g, uint32_t name, uint32_t script, uint32_t first)
{
    uint32_t user = LT_NO_FUNCTION;
    for (uint32_t x = first; x < g->node_count; x++) {
        if (g->node_type[x] != g->nt.closure || g->node_name[x] != name)
            continue;
        if (in_script(g, x, script))
            return x;
        if (user == LT_NO_FUNCTION && script != LT_NO_FUNCTION && in_script(g, x, LT_NO_FUNCTION))
            user = x;
    }
    return user != LT_NO_FUNCTION ? user : first;
}

enum { ASK_NAMED, ASK_CREATOR };

static int cached(const lt_functions *f, uint32_t question, uint32_t a, uint32_t b, uint32_t *answer)
{
    for (uint32_t i = 0; i < f->cached; i++)
        if (f->cache[i].question == question && f->cache[i].a == a && f->cache[i].b == b) {
            *answer = f->cache[i].answer;
            return 1;
        }
    return 0;
}

static uint32_t remember(lt_functions *f, uint32_t question, uint32_t a, uint32_t b, uint32_t answer)
{
    uint32_t slot = f->next_slot;
    f->cache[slot].question = question;
    f->cache[slot].a = a;
    f->cache[slot].b = b;
    f->cache[slot].answer = answer;
    f->next_slot = (slot + 1) % LT_FUNCTIONS_CACHE;
    if (f->cached < LT_FUNCTIONS_CACHE)
        f->cached++;
    return answer;
}

uint32_t lt_functions_named(lt_functions *f, uint32_t name, uint32_t script)
{
    const lt_graph *g = f->v->g;
    uint32_t first, found;
    if (!lt_u32map_get(&f->first_by_name, name, &first))
        return LT_NO_FUNCTION;
    if (in_script(g, first, script))
        return first;
    if (cached(f, ASK_NAMED, name, script, &found))
        return found;
    return remember(f, ASK_NAMED, name, script, scan_named(g, name, script, first));
}

int lt_functions_has_own_name(const lt_functions *f, uint32_t closure)
{
    const char *name = lt_graph_node_name(f->v->g, closure);
    return *name && strcmp(name, lt_view_class(f->v, closure));
}

/* ---- activations ----------------------------------------------------------- */

/* JSC: the one closure among x's unnamed internal edges, when it is an
 * anonymous body (JSC's generator and async bodies have no name of their
 * own) or x also holds an activation whose outer scope is the closure's. */
static uint32_t jsc_activation(const lt_functions *f, uint32_t x)
{
    const lt_graph *g = f->v->g;
    uint32_t closure = LT_NO_FUNCTION, closures = 0, end = g->first_edge[x + 1];
    for (uint32_t e = g->first_edge[x]; e < end; e++)
        if (is_internal(g, e) && !*edge_name(g, e) && g->node_type[lt_graph_edge_to(g, e)] == g->nt.closure) {
            closure = lt_graph_edge_to(g, e);
            closures++;
        }
    if (closures != 1 || internal_target(g, closure, "context") != LT_NO_FUNCTION) /* a V8 closure */
        return LT_NO_FUNCTION;
    if (!lt_functions_has_own_name(f, closure))
        return closure;
    uint32_t scope = lt_functions_scope(g, closure);
    for (uint32_t e = g->first_edge[x]; e < end && scope != LT_NO_FUNCTION; e++) {
        uint32_t to = lt_graph_edge_to(g, e);
        if (is_internal(g, e) && !*edge_name(g, e) && to != scope && g->node_type[to] == g->nt.object &&
            has_edge_to(g, to, scope))
            return closure;
    }
    return LT_NO_FUNCTION;
}

uint32_t lt_functions_of_activation(const lt_functions *f, uint32_t object)
{
    const lt_graph *g = f->v->g;
    if (g->node_type[object] != g->nt.object || edge_count(g, object) > SMALL_NODE_EDGES)
        return LT_NO_FUNCTION;
    uint32_t fn = internal_target(g, object, "function");
    if (fn != LT_NO_FUNCTION)
        return g->node_type[fn] == g->nt.closure ? fn : LT_NO_FUNCTION;
    return jsc_activation(f, object);
}

/* ---- creators ---------------------------------------------------------------- */

uint32_t lt_functions_of_context(lt_functions *f, uint32_t context, uint32_t script)
{
    const lt_graph *g = f->v->g;
    uint32_t info = internal_target(g, context, "scope_info"), last = LT_NO_FUNCTION, first;
    if (info == LT_NO_FUNCTION || edge_count(g, info) > EDGE_SCAN_LIMIT)
        return LT_NO_FUNCTION;
    for (uint32_t e = g->first_edge[info]; e < g->first_edge[info + 1]; e++)
        if (g->node_type[lt_graph_edge_to(g, e)] == g->nt.string)
            last = g->node_name[lt_graph_edge_to(g, e)];
    if (last == LT_NO_FUNCTION || !lt_u32map_get(&f->first_by_name, last, &first))
        return LT_NO_FUNCTION;
    return script != LT_NO_FUNCTION ? lt_functions_named(f, last, script) : first;
}

/* True when one of exec's code blocks (a code node pointing back at exec)
 * points at target: the function of exec creates target's function. */
static int code_creates(const lt_graph *g, uint32_t exec, uint32_t target)
{
    if (edge_count(g, exec) > EDGE_SCAN_LIMIT)
        return 0;
    for (uint32_t e = g->first_edge[exec]; e < g->first_edge[exec + 1]; e++) {
        uint32_t block = lt_graph_edge_to(g, e);
        if (block != target && g->node_type[block] == g->nt.code && has_edge_to(g, block, exec) &&
            has_edge_to(g, block, target))
            return 1;
    }
    return 0;
}

/* True when closure c's executable (directly, or through a hidden node such
 * as JSC's FunctionRareData) creates target. */
static int closure_creates(const lt_graph *g, uint32_t c, uint32_t target)
{
    for (uint32_t e = g->first_edge[c]; e < g->first_edge[c + 1] && e - g->first_edge[c] < SMALL_NODE_EDGES; e++) {
        uint32_t x = lt_graph_edge_to(g, e);
        if (!is_internal(g, e) || *edge_name(g, e))
            continue;
        if (g->node_type[x] == g->nt.code && code_creates(g, x, target))
            return 1;
        uint32_t exec = g->node_type[x] == g->nt.hidden ? unnamed_target(g, x, g->nt.code) : LT_NO_FUNCTION;
        if (exec != LT_NO_FUNCTION && code_creates(g, exec, target))
            return 1;
    }
    return 0;
}

static int queued(const uint32_t *queue, uint32_t n, uint32_t x)
{
    for (uint32_t i = 0; i < n; i++)
        if (queue[i] == x)
            return 1;
    return 0;
}

/* JSC: along the closure's scope chain (its scope and the objects those
 * point to, unnamed), a named closure held in a variable whose code
 * creates the closure's executable. */
static uint32_t jsc_creator(const lt_functions *f, uint32_t closure)
{
    const lt_graph *g = f->v->g;
    uint32_t exec = unnamed_target(g, closure, g->nt.code), queue[SCOPE_CHAIN_MAX], n = 1;
    queue[0] = unnamed_target(g, closure, g->nt.object);
    if (exec == LT_NO_FUNCTION || queue[0] == LT_NO_FUNCTION)
        return LT_NO_FUNCTION;
    for (uint32_t at = 0; at < n; at++) { /* breadth-first; the queue is the visited set */
        uint32_t scope = queue[at];
        if (edge_count(g, scope) > EDGE_SCAN_LIMIT)
            continue;
        for (uint32_t e = g->first_edge[scope]; e < g->first_edge[scope + 1]; e++) {
            uint32_t to = lt_graph_edge_to(g, e);
            if ((int)lt_graph_edge_type(g, e) == g->et.context && g->node_type[to] == g->nt.closure && to != closure &&
                lt_functions_has_own_name(f, to) && closure_creates(g, to, exec))
                return to;
            if (is_internal(g, e) && !*edge_name(g, e) && g->node_type[to] == g->nt.object && n < SCOPE_CHAIN_MAX &&
                !queued(queue, n, to))
                queue[n++] = to;
        }
    }
    return LT_NO_FUNCTION;
}

/* The executable whose code block (pointing back at it) points at exec. */
static uint32_t creating_executable(const lt_graph *g, uint32_t exec)
{
    for (uint32_t b = 0; b < g->node_count; b++) {
        if (g->node_type[b] != g->nt.code || b == exec || !has_edge_to(g, b, exec))
            continue;
        for (uint32_t e = g->first_edge[b]; e < g->first_edge[b + 1] && e - g->first_edge[b] < EDGE_SCAN_LIMIT; e++) {
            uint32_t owner = lt_graph_edge_to(g, e);
            if (owner != exec && g->node_type[owner] == g->nt.code && has_edge_to(g, owner, b))
                return owner;
        }
    }
    return LT_NO_FUNCTION;
}

/* JSC, when the maker is in no variable (a method, an export): one pass
 * over the code blocks for the executable that creates exec, one over the
 * closures for a named one running it. */
static uint32_t jsc_creator_by_scan(const lt_functions *f, uint32_t exec)
{
    const lt_graph *g = f->v->g;
    uint32_t owner = creating_executable(g, exec);
    for (uint32_t c = 0; owner != LT_NO_FUNCTION && c < g->node_count; c++) {
        if (g->node_type[c] != g->nt.closure || !lt_functions_has_own_name(f, c))
            continue;
        uint32_t run = unnamed_target(g, c, g->nt.code), rare = unnamed_target(g, c, g->nt.hidden);
        if (run == owner || (run == LT_NO_FUNCTION && rare != LT_NO_FUNCTION && has_edge_to(g, rare, owner)))
            return c;
    }
    return LT_NO_FUNCTION;
}

uint32_t lt_functions_creator(lt_functions *f, uint32_t closure)
{
    const lt_graph *g = f->v->g;
    uint32_t context = internal_target(g, closure, "context"), exec, found;
    if (context != LT_NO_FUNCTION) {
        uint32_t fn = lt_functions_of_context(f, context, lt_functions_script(g, closure));
        return fn != closure ? fn : LT_NO_FUNCTION;
    }
    if ((found = jsc_creator(f, closure)) != LT_NO_FUNCTION)
        return found;
    exec = unnamed_target(g, closure, g->nt.code);
    if (exec == LT_NO_FUNCTION)
        return LT_NO_FUNCTION;
    if (cached(f, ASK_CREATOR, exec, 0, &found))
        return found;
    return remember(f, ASK_CREATOR, exec, 0, jsc_creator_by_scan(f, exec));
}

uint32_t lt_functions_named_closure(lt_functions *f, uint32_t closure)
{
    return lt_functions_has_own_name(f, closure) ? closure : lt_functions_creator(f, closure);
}
