/* functions: which JavaScript function a heap object belongs to, read from
 * the graph's structure (never from a list of class or function names), for
 * V8 and JavaScriptCore (Bun) snapshots alike:
 *   - the closure a suspended generator / async function object runs;
 *   - the function a closure's context (activation) belongs to, i.e. the
 *     function whose call created the closure;
 *   - a closure's script, and the closure of a name in a given script.
 * A lookup that finds nothing returns LT_NO_FUNCTION; only lt_functions_init
 * allocates (and fails with LT_ENOMEM). Not thread-safe: one per thread. */
#ifndef LT_FUNCTIONS_H
#define LT_FUNCTIONS_H

#include <stdint.h>

#include "findings/heap_view.h"
#include "lt_error.h"
#include "util/u32map.h"

#define LT_NO_FUNCTION     UINT32_MAX
#define LT_FUNCTIONS_CACHE 32

typedef struct lt_functions {
    const lt_heap_view *v;
    lt_u32map first_by_name; /* closure name (string index) -> its first closure */
    struct {
        uint32_t question, a, b, answer;
    } cache[LT_FUNCTIONS_CACHE]; /* answers that needed a pass over the graph */
    uint32_t cached, next_slot;
} lt_functions;

/* One pass over the nodes. Returns 0 or LT_ENOMEM (err set); free with
 * lt_functions_free either way. */
int lt_functions_init(lt_functions *f, const lt_heap_view *v, lt_error *err);
void lt_functions_free(lt_functions *f);

/* True when some closure is called name (a string index). */
int lt_functions_exists(const lt_functions *f, uint32_t name);

/* The closure called name defined in script (a script node, or
 * LT_NO_FUNCTION for any): in that script if one is, else the first in a
 * user script, else the first of all; LT_NO_FUNCTION when none is. */
uint32_t lt_functions_named(lt_functions *f, uint32_t name, uint32_t script);

/* True when the closure has a name of its own: not empty and not just its
 * class (JavaScriptCore names anonymous functions and generator bodies by
 * their class, "Function"). */
int lt_functions_has_own_name(const lt_functions *f, uint32_t closure);

/* The closure's scope: its context (V8) or lexical environment (JSC), or
 * LT_NO_FUNCTION. */
uint32_t lt_functions_scope(const lt_graph *g, uint32_t closure);

/* The closure's script node (V8: closure -> shared -> script), or
 * LT_NO_FUNCTION; its name ("" when unknown). */
uint32_t lt_functions_script(const lt_graph *g, uint32_t closure);
const char *lt_functions_script_name(const lt_graph *g, uint32_t closure);

/* True for a script of the application: named, not in node_modules and not
 * the runtime's own (node:..., internal/...). */
int lt_functions_is_user_script(const char *script);

/* The closure run by a suspended generator / async function object: V8's
 * internal "function" edge; in JavaScriptCore (unnamed internal edges) a
 * small object holding one closure: an anonymous one (a generator body), or
 * one whose scope is the outer scope of an activation the object also
 * holds. LT_NO_FUNCTION when the object is not one. */
uint32_t lt_functions_of_activation(const lt_functions *f, uint32_t object);

/* The function whose activation created the closure, as a closure with a
 * name of its own: V8 reads the name from the closure context's ScopeInfo
 * and takes that function in the closure's script; JavaScriptCore looks
 * along the closure's scope chain (else, once per executable, over all code
 * blocks) for the function whose code creates the closure's executable.
 * LT_NO_FUNCTION when not found. */
uint32_t lt_functions_creator(lt_functions *f, uint32_t closure);

/* The function a V8 Context belongs to (its ScopeInfo's function name): in
 * script when given (see lt_functions_named), else the first closure of
 * that name, without a pass over the graph. LT_NO_FUNCTION when none. */
uint32_t lt_functions_of_context(lt_functions *f, uint32_t context, uint32_t script);

/* The closure itself when it has a name of its own, else its creator (a
 * JavaScriptCore generator body -> the generator function), else
 * LT_NO_FUNCTION. */
uint32_t lt_functions_named_closure(lt_functions *f, uint32_t closure);

#endif
