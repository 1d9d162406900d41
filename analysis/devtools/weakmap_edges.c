#include "devtools/weakmap_edges.h"

#include <stdlib.h>
#include <string.h>

#include "util/u32map.h"

static const char KEY_LIT[] = " / part of key (";
static const char SEP_LIT[] = ") -> value (";
static const char TAIL_LIT[] = ") pair in WeakMap (table @";

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Matches " @<digits>) -> value (" at p; returns its length or 0. */
static size_t separator_at(const char *p)
{
    if (p[0] != ' ' || p[1] != '@' || !is_digit(p[2]))
        return 0;
    const char *q = p + 2;
    while (is_digit(*q))
        q++;
    size_t lit = sizeof SEP_LIT - 1;
    return strncmp(q, SEP_LIT, lit) ? 0 : (size_t)(q - p) + lit;
}

/* Start of the tail " @<d>) pair in WeakMap (table @<d>)" of s[0..len), or NULL. */
static const char *tail_start(const char *s, size_t len, uint64_t *table_id)
{
    if (len < 2 || s[len - 1] != ')')
        return NULL;
    const char *end = s + len - 1, *d = end;
    while (d > s && is_digit(d[-1]))
        d--;
    if (d == end)
        return NULL;
    uint64_t id = 0;
    for (const char *x = d; x < end; x++)
        id = id > (UINT64_MAX - 9) / 10 ? UINT64_MAX : id * 10 + (uint64_t)(*x - '0');
    *table_id = id;
    size_t lit = sizeof TAIL_LIT - 1;
    if ((size_t)(d - s) < lit || strncmp(d - lit, TAIL_LIT, lit))
        return NULL;
    const char *v = d - lit, *vd = v;
    while (vd > s && is_digit(vd[-1]))
        vd--;
    if (vd == v || vd - s < 2 || vd[-1] != '@' || vd[-2] != ' ')
        return NULL;
    return vd - 2;
}

bool lt_weakmap_edge_parse(const char *name, uint64_t *table_id, uint32_t *pair_offset)
{
    const char *p = name;
    if (!is_digit(*p))
        return false;
    while (is_digit(*p))
        p++;
    size_t key_lit = sizeof KEY_LIT - 1;
    if (strncmp(p, KEY_LIT, key_lit))
        return false;
    size_t len = strlen(name);
    const char *tail = tail_start(name, len, table_id);
    if (!tail)
        return false;
    for (const char *q = p + key_lit; q < tail; q++) {
        if (*q == '\n')
            return false;
        size_t sep = separator_at(q);
        if (sep && q + sep <= tail) {
            if (memchr(q + sep, '\n', (size_t)(tail - (q + sep))))
                return false;
            *pair_offset = (uint32_t)(p - name);
            return true;
        }
    }
    return false;
}

static uint32_t hash_text(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Gives equal pair texts equal ids (hash, then compare against the first
 * string seen with that hash; collisions of different texts get new ids). */
static int assign_pairs(const lt_graph *g, lt_weakmap_names *w, uint32_t *pair_offset)
{
    lt_u32map first;
    if (lt_u32map_init(&first))
        return -1;
    for (uint32_t i = 0; i < w->count; i++) {
        const char *text = lt_graph_string(g, w->string[i]) + pair_offset[i];
        uint32_t h = hash_text(text), j;
        if (lt_u32map_get(&first, h, &j) &&
            !strcmp(lt_graph_string(g, w->string[j]) + pair_offset[j], text)) {
            w->pair[i] = w->pair[j];
            continue;
        }
        w->pair[i] = i;
        if (!lt_u32map_get(&first, h, &j) && lt_u32map_put(&first, h, i)) {
            lt_u32map_free(&first);
            return -1;
        }
    }
    lt_u32map_free(&first);
    return 0;
}

int lt_weakmap_names_build(const lt_graph *g, lt_weakmap_names *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    uint32_t cap = 0, *offsets = NULL;
    for (uint32_t s = 0; s < g->string_count; s++) {
        uint64_t table;
        uint32_t offset;
        if (!lt_weakmap_edge_parse(lt_graph_string(g, s), &table, &offset))
            continue;
        if (out->count == cap) {
            cap = cap ? cap * 2 : 64;
            uint32_t *st = realloc(out->string, cap * sizeof *st), *of;
            if (st)
                out->string = st;
            uint64_t *tb = realloc(out->table_id, cap * sizeof *tb);
            if (tb)
                out->table_id = tb;
            of = realloc(offsets, cap * sizeof *of);
            if (of)
                offsets = of;
            if (!st || !tb || !of)
                goto fail;
        }
        out->string[out->count] = s;
        out->table_id[out->count] = table;
        offsets[out->count++] = offset;
    }
    out->pair = malloc((out->count ? out->count : 1) * sizeof(uint32_t));
    if (!out->pair || assign_pairs(g, out, offsets))
        goto fail;
    free(offsets);
    return 0;
fail:
    free(offsets);
    lt_weakmap_names_free(out);
    return lt_error_set(err, LT_ENOMEM, "out of memory indexing WeakMap edge names");
}

void lt_weakmap_names_free(lt_weakmap_names *w)
{
    free(w->string);
    free(w->table_id);
    free(w->pair);
    memset(w, 0, sizeof *w);
}

int64_t lt_weakmap_names_find(const lt_weakmap_names *w, uint32_t s)
{
    uint32_t lo = 0, hi = w->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (w->string[mid] < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->count && w->string[lo] == s ? (int64_t)lo : -1;
}
