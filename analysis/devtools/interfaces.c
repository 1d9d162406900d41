/* DESIGN
 * DevTools names plain objects (type object, name "Object") after their
 * properties. Inference: each plain object's property edges (not __proto__),
 * in edge order, until the text "{a, b, ...}" would pass 120 UTF-16 units,
 * form a candidate, keyed by its name text as DevTools keys it (so leading
 * empty property names, which add nothing to "{a, b}", are not part of the
 * key; the definition keeps the first object's full list); candidates held by at least max(2, plain objects / 1000)
 * objects become definitions, most common first (ties: first seen).
 * Application: a plain object takes the definition with the most properties
 * whose properties all occur among its own (as a multiset); ties go to the
 * earlier definition. The name is written over the object's node_name (its own
 * name, "Object", is implied: graph.h, interface_names_from), so that no per-node
 * class array is needed. Matching walks a trie of the definitions' sorted
 * property lists, as DevTools does; names sort in UTF-16 order. */
#include "devtools/interfaces.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "util/hash.h"
#include "util/table.h"
#include "snapshot/text_index.h"
#include "util/u32map.h"
#include "util/u32vec.h"

#define MAX_INTERFACE_NAME_LENGTH        120
#define MIN_OBJECTS_PER_INTERFACE        2
#define OBJECTS_PER_INTERFACE_PROPORTION 1000

typedef struct candidate {
    uint32_t start, len; /* property name indices in work.pool */
    uint32_t skip;       /* leading empty names, left out of the name and the key */
    uint32_t count;
    uint32_t order; /* first seen */
    uint64_t hash;
} candidate;

typedef struct trie_node {
    uint32_t first_child, next_sibling; /* indices, 0 = none (0 is the root) */
    uint32_t rank;                      /* property rank on the edge into it */
    int32_t match;                      /* definition index or -1 */
} trie_node;

typedef struct work {
    lt_graph *g;
    int64_t object_name, proto_name;
    lt_u32vec pool; /* property sequences of candidates */
    candidate *cands;
    uint32_t cand_count, cand_cap;
    lt_table table; /* entries: candidate indices */
    uint32_t plain_objects;
    lt_u32map fmt_len; /* name index -> formatted length in UTF-16 units */
    lt_u32map rank;    /* name index -> rank in sorted order */
    trie_node *trie;
    uint32_t trie_len, trie_cap;
    uint32_t def_count;
    candidate **defs;
    lt_u32vec scratch, states;
} work;

static int is_plain(const work *w, uint32_t v)
{
    return w->g->node_type[v] == w->g->nt.object && (int64_t)w->g->node_name[v] == w->object_name;
}

/* ---- UTF-16 lengths and order ------------------------------------------- */

/* Decodes one code point from UTF-8 (lenient); advances *p. */
static uint32_t next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    uint32_t cp = n == 0 ? c : n == 1 ? c & 0x1F : n == 2 ? c & 0x0F : c & 0x07;
    for (int i = 1; i <= n && s[i]; i++)
        cp = cp << 6 | (s[i] & 0x3F);
    int used = 1;
    while (used <= n && s[used])
        used++;
    *p = s + used;
    return cp;
}

static uint32_t utf16_units(const char *s)
{
    uint32_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p)
        n += next_cp(&p) >= 0x10000 ? 2 : 1;
    return n;
}

/* The UTF-16 unit sequence of s, produced one unit at a time. */
typedef struct u16iter {
    const unsigned char *p;
    uint32_t pending;
} u16iter;

static int u16_next(u16iter *it)
{
    if (it->pending) {
        uint32_t u = it->pending;
        it->pending = 0;
        return (int)u;
    }
    if (!*it->p)
        return -1;
    uint32_t cp = next_cp(&it->p);
    if (cp < 0x10000)
        return (int)cp;
    cp -= 0x10000;
    it->pending = 0xDC00 + (cp & 0x3FF);
    return (int)(0xD800 + (cp >> 10));
}

static int cmp_utf16(const char *a, const char *b)
{
    u16iter x = {(const unsigned char *)a, 0}, y = {(const unsigned char *)b, 0};
    for (;;) {
        int u = u16_next(&x), v = u16_next(&y);
        if (u != v)
            return u < v ? -1 : 1;
        if (u < 0)
            return 0;
    }
}

/* Length of DevTools' formatPropertyName(name): JSON-quoted when the name has
 * a comma, quote or brace. */
static uint32_t formatted_length(const char *name)
{
    if (!strpbrk(name, ",'\"{}"))
        return utf16_units(name);
    uint32_t n = 2;
    const unsigned char *p = (const unsigned char *)name;
    while (*p) {
        uint32_t cp = next_cp(&p);
        n += cp == '"' || cp == '\\' || cp == '\b' || cp == '\f' || cp == '\n' || cp == '\r' || cp == '\t' ? 2
             : cp < 0x20                                                                                   ? 6
             : cp >= 0x10000                                                                               ? 2
                                                                                                           : 1;
    }
    return n;
}

/* Appends DevTools' formatPropertyName(name) to buf. */
static size_t append_formatted(char *buf, size_t at, size_t cap, const char *name)
{
    if (!strpbrk(name, ",'\"{}")) {
        size_t n = strlen(name);
        if (at + n < cap)
            memcpy(buf + at, name, n);
        return at + n;
    }
    static const char hex[] = "0123456789abcdef";
    char tmp[8];
    if (at + 1 < cap)
        buf[at] = '"';
    at++;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        size_t k = 0;
        unsigned char c = *p;
        const char *esc = c == '"'    ? "\\\""
                          : c == '\\' ? "\\\\"
                          : c == '\b' ? "\\b"
                          : c == '\f' ? "\\f"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                                      : NULL;
        if (esc)
            k = (size_t)snprintf(tmp, sizeof tmp, "%s", esc);
        else if (c < 0x20)
            k = (size_t)snprintf(tmp, sizeof tmp, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
        else
            tmp[k++] = (char)c;
        if (at + k < cap)
            memcpy(buf + at, tmp, k);
        at += k;
    }
    if (at + 1 < cap)
        buf[at] = '"';
    return at + 1;
}

static int fmt_len_of(work *w, uint32_t name, uint32_t *len)
{
    if (lt_u32map_get(&w->fmt_len, name, len))
        return 0;
    *len = formatted_length(lt_graph_string(w->g, name));
    return lt_u32map_put(&w->fmt_len, name, *len);
}

/* ---- inference ----------------------------------------------------------- */

static uint64_t hash_seq(const uint32_t *s, size_t n)
{
    uint64_t h = LT_HASH_SEED;
    for (size_t i = 0; i < n; i++)
        h = lt_hash_word(h, s[i]);
    return h;
}

static uint64_t hash_of_candidate(const void *work_, uint32_t i)
{
    const work *w = work_;
    return w->cands[i].hash;
}

/* A candidate's key: its names after the leading empty ones (the name text's). */
typedef struct sequence_key {
    const work *w;
    const uint32_t *seq;
    uint32_t len;
    uint64_t hash;
} sequence_key;

static bool holds_sequence(const void *key, uint32_t i)
{
    const sequence_key *k = key;
    const candidate *c = &k->w->cands[i];
    return c->hash == k->hash && c->len - c->skip == k->len &&
           !memcmp(k->w->pool.items + c->start + c->skip, k->seq, k->len * sizeof *k->seq);
}

/* How many names at the start of seq are empty: DevTools' "{" + "" stays "{",
 * so they neither show in the name nor start a ", " separator. */
static uint32_t leading_empty_names(const work *w, const uint32_t *seq, uint32_t len)
{
    uint32_t k = 0;
    while (k < len && lt_graph_string_len(w->g, seq[k]) == 0)
        k++;
    return k;
}

/* Counts the sequence pool[start..] as one more instance of its candidate
 * (the candidate with the same name text). */
static int count_candidate(work *w, uint32_t start, uint32_t len)
{
    const uint32_t *seq = w->pool.items + start;
    uint32_t skip = leading_empty_names(w, seq, len);
    sequence_key key = {w, seq + skip, len - skip, hash_seq(seq + skip, len - skip)};
    uint32_t *slot = lt_table_find(&w->table, key.hash, holds_sequence, &key), capacity = w->table.capacity;
    if (*slot) {
        w->cands[*slot - 1].count++;
        w->pool.len = start; /* drop the copy */
        return 0;
    }
    if (lt_grow(&w->cands, &w->cand_cap, w->cand_count, sizeof *w->cands, 512) ||
        lt_table_reserve(&w->table, hash_of_candidate, w))
        return LT_ENOMEM;
    if (w->table.capacity != capacity)
        slot = lt_table_find(&w->table, key.hash, holds_sequence, &key);
    w->cands[w->cand_count] = (candidate){start, len, skip, 1, w->cand_count, key.hash};
    lt_table_put(&w->table, slot, w->cand_count++);
    return 0;
}

static int collect_candidate(work *w, uint32_t v)
{
    const lt_graph *g = w->g;
    uint32_t start = (uint32_t)w->pool.len, length = 1, count = 0;
    for (uint32_t e = g->first_edge[v]; e < g->first_edge[v + 1]; e++) {
        lt_edge edge = lt_graph_edge(g, e);
        uint32_t name = lt_graph_edge_name_at(g, e), f;
        if ((int)lt_edge_type(edge) != g->et.property || (int64_t)name == w->proto_name)
            continue;
        if (fmt_len_of(w, name, &f))
            return LT_ENOMEM;
        if (length > 1 && length + f > MAX_INTERFACE_NAME_LENGTH)
            break;
        length += (length != 1 ? 2 : 0) + f;
        if (lt_u32vec_push(&w->pool, name))
            return LT_ENOMEM;
        count++;
    }
    return count ? count_candidate(w, start, count) : 0;
}

static int by_count_then_order(const void *a, const void *b)
{
    const candidate *x = *(candidate *const *)a, *y = *(candidate *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int infer(work *w)
{
    for (uint32_t v = 0; v < w->g->node_count; v++) {
        if (!is_plain(w, v))
            continue;
        w->plain_objects++;
        if (collect_candidate(w, v))
            return LT_ENOMEM;
    }
    w->defs = malloc((w->cand_count ? w->cand_count : 1) * sizeof *w->defs);
    if (!w->defs)
        return LT_ENOMEM;
    for (uint32_t i = 0; i < w->cand_count; i++)
        w->defs[i] = &w->cands[i];
    qsort(w->defs, w->cand_count, sizeof *w->defs, by_count_then_order);
    double min_count = (double)w->plain_objects / OBJECTS_PER_INTERFACE_PROPORTION;
    if (min_count < MIN_OBJECTS_PER_INTERFACE)
        min_count = MIN_OBJECTS_PER_INTERFACE;
    while (w->def_count < w->cand_count && w->defs[w->def_count]->count >= min_count)
        w->def_count++;
    return 0;
}

/* ---- the trie ------------------------------------------------------------ */

static int by_utf16_name(const void *a, const void *b, void *graph)
{
    const lt_graph *g = graph;
    return cmp_utf16(lt_graph_string(g, *(const uint32_t *)a), lt_graph_string(g, *(const uint32_t *)b));
}

/* Ranks every property name used by a definition in UTF-16 order. */
static int rank_names(work *w)
{
    lt_u32vec names = {0};
    lt_u32map seen;
    if (lt_u32map_init(&seen))
        return LT_ENOMEM;
    int rc = 0;
    for (uint32_t d = 0; d < w->def_count && !rc; d++)
        for (uint32_t i = 0; i < w->defs[d]->len && !rc; i++) {
            uint32_t name = w->pool.items[w->defs[d]->start + i], dummy;
            if (!lt_u32map_get(&seen, name, &dummy) && (rc = lt_u32map_put(&seen, name, 0)) == 0)
                rc = lt_u32vec_push(&names, name);
        }
    if (!rc && names.len) /* qsort_r wants a non-NULL array even for 0 items */
        qsort_r(names.items, names.len, sizeof *names.items, by_utf16_name, w->g);
    for (size_t i = 0; i < names.len && !rc; i++)
        rc = lt_u32map_put(&w->rank, names.items[i], (uint32_t)i);
    lt_u32map_free(&seen);
    free(names.items);
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static uint32_t trie_child(const work *w, uint32_t node, uint32_t rank)
{
    for (uint32_t c = w->trie[node].first_child; c; c = w->trie[c].next_sibling)
        if (w->trie[c].rank == rank)
            return c;
    return 0;
}

static int trie_add_child(work *w, uint32_t node, uint32_t rank, uint32_t *child)
{
    if (lt_grow(&w->trie, &w->trie_cap, w->trie_len, sizeof *w->trie, 256))
        return LT_ENOMEM;
    uint32_t c = w->trie_len++;
    w->trie[c] = (trie_node){0, w->trie[node].first_child, rank, -1};
    w->trie[node].first_child = c;
    *child = c;
    return 0;
}

static int build_trie(work *w)
{
    uint32_t root;
    w->trie_len = 0;
    if (trie_add_child(w, 0, 0, &root)) /* node 0, its own parent: fixed below */
        return LT_ENOMEM;
    w->trie[0] = (trie_node){0, 0, 0, -1};
    for (uint32_t d = 0; d < w->def_count; d++) {
        candidate *c = w->defs[d];
        w->scratch.len = 0;
        for (uint32_t i = 0; i < c->len; i++) {
            uint32_t r = 0;
            lt_u32map_get(&w->rank, w->pool.items[c->start + i], &r);
            if (lt_u32vec_push(&w->scratch, r))
                return LT_ENOMEM;
        }
        qsort(w->scratch.items, w->scratch.len, sizeof(uint32_t), cmp_u32);
        uint32_t node = 0;
        for (size_t i = 0; i < w->scratch.len; i++) {
            uint32_t next = trie_child(w, node, w->scratch.items[i]);
            if (!next && trie_add_child(w, node, w->scratch.items[i], &next))
                return LT_ENOMEM;
            node = next;
        }
        if (w->trie[node].match < 0)
            w->trie[node].match = (int32_t)d;
    }
    return 0;
}

/* ---- application --------------------------------------------------------- */

static int better(const work *w, int32_t a, int32_t b)
{
    if (b < 0)
        return a >= 0;
    if (a < 0)
        return 0;
    uint32_t la = w->defs[a]->len, lb = w->defs[b]->len;
    return la != lb ? la > lb : a < b;
}

static int add_state(work *w, uint32_t node)
{
    for (size_t i = 0; i < w->states.len; i++)
        if (w->states.items[i] == node)
            return 0;
    return lt_u32vec_push(&w->states, node);
}

/* Best definition for plain object v, or -1. */
static int match_object(work *w, uint32_t v, int32_t *best)
{
    const lt_graph *g = w->g;
    w->scratch.len = 0;
    for (uint32_t e = g->first_edge[v]; e < g->first_edge[v + 1]; e++) {
        uint32_t r;
        if ((int)lt_graph_edge_type(g, e) == g->et.property &&
            lt_u32map_get(&w->rank, lt_graph_edge_name_at(g, e), &r) && lt_u32vec_push(&w->scratch, r))
            return LT_ENOMEM;
    }
    qsort(w->scratch.items, w->scratch.len, sizeof(uint32_t), cmp_u32);
    w->states.len = 0;
    *best = w->trie[0].match;
    if (lt_u32vec_push(&w->states, 0))
        return LT_ENOMEM;
    for (size_t i = 0; i < w->scratch.len; i++) {
        size_t existing = w->states.len;
        for (size_t s = 0; s < existing; s++) {
            uint32_t next = trie_child(w, w->states.items[s], w->scratch.items[i]);
            if (!next)
                continue;
            if (add_state(w, next))
                return LT_ENOMEM;
            if (better(w, w->trie[next].match, *best))
                *best = w->trie[next].match;
        }
    }
    return 0;
}

/* The text "{a, b, c}" of definition d, registered as a string. */
static int64_t definition_name(work *w, lt_text_index *names, uint32_t d)
{
    candidate *c = w->defs[d];
    size_t cap = 3;
    for (uint32_t i = 0; i < c->len; i++)
        cap += 2 + 6 * lt_graph_string_len(w->g, w->pool.items[c->start + i]) + 2;
    char *buf = malloc(cap);
    if (!buf)
        return LT_ENOMEM;
    size_t at = 0;
    buf[at++] = '{';
    for (uint32_t i = 0; i < c->len; i++) {
        if (at > 1) { /* as DevTools: no separator while the text is still "{" */
            memcpy(buf + at, ", ", 2);
            at += 2;
        }
        at = append_formatted(buf, at, cap, lt_graph_string(w->g, w->pool.items[c->start + i]));
    }
    buf[at++] = '}';
    int64_t idx = lt_text_index_intern(names, w->g, buf, at);
    free(buf);
    return idx;
}

static int apply(work *w)
{
    lt_text_index names;
    int64_t *def_name = malloc((w->def_count ? w->def_count : 1) * sizeof *def_name);
    if (!def_name || lt_text_index_init(&names)) {
        free(def_name);
        return LT_ENOMEM;
    }
    int rc = 0;
    for (uint32_t d = 0; d < w->def_count; d++)
        def_name[d] = -1;
    for (uint32_t v = 0; v < w->g->node_count && !rc; v++) {
        int32_t best;
        if (!is_plain(w, v) || (rc = match_object(w, v, &best)) || best < 0)
            continue;
        if (def_name[best] < 0 && (def_name[best] = definition_name(w, &names, (uint32_t)best)) < 0)
            rc = (int)def_name[best];
        else
            w->g->node_name[v] = (uint32_t)def_name[best];
    }
    lt_text_index_free(&names);
    free(def_name);
    return rc;
}

static void work_free(work *w)
{
    free(w->pool.items);
    free(w->cands);
    lt_table_free(&w->table);
    free(w->defs);
    free(w->trie);
    free(w->scratch.items);
    free(w->states.items);
    lt_u32map_free(&w->fmt_len);
    lt_u32map_free(&w->rank);
}

int lt_interfaces_apply(lt_graph *g, lt_error *err)
{
    work w = {.g = g};
    w.object_name = lt_graph_find_string(g, "Object");
    w.proto_name = lt_graph_find_string(g, "__proto__");
    if (w.object_name < 0)
        return 0;
    int rc = lt_u32map_init(&w.fmt_len) || lt_u32map_init(&w.rank) || lt_table_init(&w.table, 1024) ? LT_ENOMEM : 0;
    if (!rc)
        rc = infer(&w);
    if (!rc)
        rc = rank_names(&w);
    if (!rc)
        rc = build_trie(&w);
    uint32_t from = g->string_count;
    if (!rc)
        rc = apply(&w);
    /* apply adds the definitions' names and nothing else (even when it fails midway,
     * the names it has given are read right) */
    g->interface_names_from = from;
    g->interface_name_count = g->string_count - from;
    g->object_name = (uint32_t)w.object_name;
    work_free(&w);
    return rc ? lt_error_set(err, rc, "%s inferring interface names", lt_strerror(rc)) : 0;
}
