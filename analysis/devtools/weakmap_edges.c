#include "devtools/weakmap_edges.h"

#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "util/hash.h"
#include "util/table.h"

static const char KEY_LIT[] = " / part of key (";
static const char SEP_LIT[] = ") -> value (";
static const char TAIL_LIT[] = ") pair in WeakMap (table @";

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

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

typedef struct pair_texts {
    const lt_graph *g;
    const lt_weakmap_names *w;
    const uint32_t *offset; /* per name: where its pair text starts */
} pair_texts;

typedef struct pair_key {
    const pair_texts *texts;
    const char *text;
} pair_key;

static const char *pair_text(const pair_texts *p, uint32_t i)
{
    return lt_graph_string(p->g, p->w->string[i]) + p->offset[i];
}

static uint64_t hash_of_pair(const void *texts, uint32_t i)
{
    return lt_hash_str(LT_HASH_SEED, pair_text(texts, i));
}

static bool holds_pair(const void *key, uint32_t i)
{
    const pair_key *k = key;
    return !strcmp(pair_text(k->texts, i), k->text);
}

/* Gives equal pair texts equal ids: the index of the first name with the
 * text. 0 or LT_ENOMEM. */
static int assign_pairs(const lt_graph *g, lt_weakmap_names *w, const uint32_t *offset)
{
    pair_texts texts = {g, w, offset};
    lt_table first;
    int rc = lt_table_init(&first, 64);
    for (uint32_t i = 0; i < w->count && !rc; i++) {
        if ((rc = lt_table_reserve(&first, hash_of_pair, &texts)))
            break;
        pair_key key = {&texts, pair_text(&texts, i)};
        uint32_t *slot = lt_table_find(&first, lt_hash_str(LT_HASH_SEED, key.text), holds_pair, &key);
        w->pair[i] = *slot ? *slot - 1 : i;
        if (!*slot)
            lt_table_put(&first, slot, i);
    }
    lt_table_free(&first);
    return rc;
}

/* Appends string s (a name of table `table`, its pair text at `offset`). */
static int add_name(lt_weakmap_names *out, uint32_t caps[3], uint32_t **offsets, uint32_t s, uint64_t table,
                    uint32_t offset)
{
    uint32_t n = out->count;
    if (lt_grow(&out->string, &caps[0], n, sizeof *out->string, 64) ||
        lt_grow(&out->table_id, &caps[1], n, sizeof *out->table_id, 64) ||
        lt_grow(offsets, &caps[2], n, sizeof **offsets, 64))
        return LT_ENOMEM;
    out->string[n] = s;
    out->table_id[n] = table;
    (*offsets)[out->count++] = offset;
    return 0;
}

int lt_weakmap_names_build(const lt_graph *g, lt_weakmap_names *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    uint32_t caps[3] = {0}, *offsets = NULL;
    int rc = 0;
    for (uint32_t s = 0; s < g->string_count && !rc; s++) {
        uint64_t table;
        uint32_t offset;
        if (lt_weakmap_edge_parse(lt_graph_string(g, s), &table, &offset))
            rc = add_name(out, caps, &offsets, s, table, offset);
    }
    if (!rc && !(out->pair = malloc((out->count ? out->count : 1) * sizeof(uint32_t))))
        rc = LT_ENOMEM;
    if (!rc)
        rc = assign_pairs(g, out, offsets);
    free(offsets);
    if (rc) {
        lt_weakmap_names_free(out);
        return lt_error_set(err, rc, "out of memory indexing WeakMap edge names");
    }
    return 0;
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
