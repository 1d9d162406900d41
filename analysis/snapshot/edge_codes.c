/* edge_codes: the 16-bit edge codes of graph.h, chosen once every edge is in
 * (lt_graph_pack_edges), and the escaped names read back (lt_graph_escaped_name).
 *
 * The names an edge type uses are few and skewed: on the 1 GB benchmark snapshot each
 * type's 4095 most used names cover 94% of its edges, on real programs' snapshots
 * 94-98%. They cannot be known while reading (the most used are not the first seen:
 * the roots' edges come first, each with a name of its own), so the codes are chosen
 * after reading, from a count of every (type, name): one pass to count, one to write the
 * codes in two halves side by side (0.09 s on the 1 GB file: 0.035 s to count, 0.05 s to
 * code on two cores; 0.14 s on one). The reader packs on a thread of its own from the end
 * of the edges, beside the rest of its reading (lt_graph_pack_edges_start). The other names
 * are kept in full in edge order; the k-th escaped edge's name is escape_name[k], k found
 * from the count before the edge's block of 64 plus the escapes in the block before it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/graph.h"
#include "util/big_alloc.h"
#include "util/grow.h"

uint32_t lt_graph_escaped_name(const lt_graph *g, uint32_t e)
{
    uint32_t block = e >> LT_ESCAPE_BLOCK_SHIFT, k = g->escape_base[block];
    for (uint32_t i = block << LT_ESCAPE_BLOCK_SHIFT; i < e; i++)
        k += g->edge_code[i] >= LT_EDGE_ESCAPED_FROM;
    return g->escape_name[k];
}

#define BUCKETS 65536u /* of use counts: 1, 2, ..., 65535 and more */

/* Codes for the names of type t: count[n] (n < range) is how often t's edges use name n;
 * it becomes code + 1 for the names given one, 0 for the others. The names used most get
 * the codes: those in the buckets of the highest counts while they fit, then those of the
 * next bucket by name order (exact up to 65535 uses, so on any graph of fewer than
 * 4095 * 65536 edges, where no more than 4095 names are used more often). hist holds
 * buckets entries (BUCKETS, or fewer when no name can be used that often). Names go to
 * g->edge_names. */
static void choose_codes(lt_graph *g, unsigned t, uint32_t *count, size_t range, uint32_t *hist, size_t buckets)
{
    memset(hist, 0, buckets * sizeof *hist);
    for (size_t n = 0; n < range; n++)
        if (count[n])
            hist[count[n] < buckets ? count[n] : buckets - 1]++;
    size_t taken = 0, b = buckets; /* the buckets from b up all get codes */
    while (b > 1 && taken + hist[b - 1] <= LT_EDGE_CODES)
        taken += hist[--b];
    size_t ties = LT_EDGE_CODES - taken, tied = b - 1; /* this many of bucket tied's, first come */
    uint32_t *names = g->edge_names + (size_t)t * LT_EDGE_CODES, code = 0;
    for (size_t n = 0; n < range; n++) {
        uint32_t c = count[n];
        size_t bucket = c < buckets ? c : buckets - 1;
        count[n] = 0;
        if (c && (bucket >= b || (bucket == tied && ties && ties--))) {
            names[code] = (uint32_t)n;
            count[n] = ++code;
        }
    }
}

/* One part of the edges to code: [from, to), from a multiple of 64; its escaped names
 * in its own list (escapes, count), escape_base counted from the part's start. */
typedef struct code_part {
    lt_graph *g;
    const uint32_t *code; /* code[t * range + name]: the name's code + 1, or 0 */
    size_t range, types;
    uint32_t from, to;
    uint32_t *escapes, count;
    size_t capacity;
    int rc;
} code_part;

/* Writes edge_code for the part's edges and lists its escaped names. */
static void *write_codes(void *arg)
{
    code_part *p = arg;
    lt_graph *g = p->g;
    const uint32_t *code = p->code;
    const size_t range = p->range, types = p->types;
    uint32_t rare = 0; /* rare_names is sorted by edge: the part's first at or after from */
    while (rare < g->rare_name_count && g->rare_names[rare].edge < p->from)
        rare++;
    for (uint32_t e = p->from; e < p->to; e++) {
        if (!(e & ((1u << LT_ESCAPE_BLOCK_SHIFT) - 1)))
            g->escape_base[e >> LT_ESCAPE_BLOCK_SHIFT] = p->count;
        uint32_t w = g->edge_wide[e], t = w & 15u, name = w >> LT_EDGE_TYPE_BITS;
        uint32_t c = name < range && t < types ? code[t * range + name] : 0;
        if (c) {
            g->edge_code[e] = (uint16_t)((c - 1) << LT_EDGE_TYPE_BITS | t);
            continue;
        }
        g->edge_code[e] = (uint16_t)(LT_EDGE_ESCAPED_FROM | t);
        if (name == LT_EDGE_NAME_ESCAPE)
            name = g->rare_names[rare++].name;
        if (lt_reserve(&p->escapes, &p->capacity, (size_t)p->count + 1, sizeof *p->escapes, 1024)) {
            p->rc = LT_ENOMEM;
            return NULL;
        }
        p->escapes[p->count++] = name;
    }
    return NULL;
}

/* Codes every edge, in two parts side by side (the second on a thread of its own when
 * one starts): 0.09 s on one core for the 1 GB file's 43.6 M edges. Then the second
 * part's escape counts are moved past the first's, and its names appended. */
static int write_all_codes(lt_graph *g, const uint32_t *code, size_t range, size_t types)
{
    uint32_t m = g->edge_count, half = (m / 2) & ~((1u << LT_ESCAPE_BLOCK_SHIFT) - 1);
    code_part parts[2] = {{.g = g, .code = code, .range = range, .types = types, .from = 0, .to = half},
                          {.g = g, .code = code, .range = range, .types = types, .from = half, .to = m}};
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, write_codes, &parts[1]) == 0;
    write_codes(&parts[0]);
    if (threaded)
        pthread_join(thread, NULL);
    else
        write_codes(&parts[1]);
    int rc = parts[0].rc ? parts[0].rc : parts[1].rc;
    uint32_t total = parts[0].count + parts[1].count;
    if (!rc && parts[1].count &&
        lt_reserve(&parts[0].escapes, &parts[0].capacity, total, sizeof *parts[0].escapes, 1024))
        rc = LT_ENOMEM;
    if (!rc) {
        for (uint32_t b = half >> LT_ESCAPE_BLOCK_SHIFT; (size_t)b << LT_ESCAPE_BLOCK_SHIFT < m; b++)
            g->escape_base[b] += parts[0].count;
        if (parts[1].count)
            memcpy(parts[0].escapes + parts[0].count, parts[1].escapes, parts[1].count * sizeof *parts[1].escapes);
        g->escape_name = parts[0].escapes;
        g->escape_count = total;
        parts[0].escapes = NULL;
    }
    free(parts[0].escapes);
    free(parts[1].escapes);
    return rc;
}

/* Packs g's edges, giving codes to names below max(names, the element numbers below the
 * edge count, up to 65536); a name past that is escaped (in full in escape_name).
 * Returns 0 or LT_ENOMEM. */
static int pack(lt_graph *g, size_t names)
{
    /* The counts are zero pages (calloc), touched where names are counted: a small graph
     * (the reader's tests parse thousands) asks little. */
    size_t m = g->edge_count ? g->edge_count : 1, numbers = m < 65536 ? m : 65536;
    size_t types = g->edge_type_count > 0 ? (size_t)g->edge_type_count : LT_EDGE_TYPE_MAX;
    size_t range = names > numbers ? names : numbers;
    range = range < LT_EDGE_NAME_ESCAPE ? range : LT_EDGE_NAME_ESCAPE;
    size_t buckets = m + 1 < BUCKETS ? m + 1 : BUCKETS; /* a use count is at most m */
    uint32_t *count = calloc(types * range, sizeof *count), *hist = malloc(buckets * sizeof *hist);
    g->edge_names = calloc(LT_EDGE_TYPE_MAX * LT_EDGE_CODES, sizeof *g->edge_names);
    g->edge_code = lt_keep_alloc(g->keep, m, sizeof *g->edge_code);
    g->escape_base = malloc(((m >> LT_ESCAPE_BLOCK_SHIFT) + 1) * sizeof *g->escape_base);
    int rc = count && hist && g->edge_names && g->edge_code && g->escape_base ? 0 : LT_ENOMEM;
    if (!rc) {
        uint64_t of_type[16] = {0};
        for (uint32_t e = 0; e < g->edge_count; e++) {
            uint32_t w = g->edge_wide[e], t = w & 15u, name = w >> LT_EDGE_TYPE_BITS;
            of_type[t]++;
            if (name < range && t < types)
                count[t * range + name]++;
        }
        for (unsigned t = 0; t < types; t++)
            if (of_type[t])
                choose_codes(g, t, count + t * range, range, hist, buckets);
        rc = write_all_codes(g, count, range, types);
    }
    free(count);
    free(hist);
    if (rc)
        return rc;
    lt_keep_give(g->keep, g->edge_wide, m * sizeof *g->edge_wide);
    g->edge_wide = NULL;
    free(g->rare_names);
    g->rare_names = NULL;
    g->rare_name_count = g->rare_name_capacity = 0;
    return 0;
}

static int packing_failed(const lt_graph *g, lt_error *err)
{
    return lt_error_set(err, LT_ENOMEM, "out of memory packing %u edges", g->edge_count);
}

int lt_graph_pack_edges(lt_graph *g, lt_error *err)
{
    /* every name of a named edge is a string */
    return pack(g, g->string_count) ? packing_failed(g, err) : 0;
}

struct lt_edge_packing {
    pthread_t thread;
    lt_graph *g;
    size_t names;
    int rc;
};

static void *run_packing(void *arg)
{
    lt_edge_packing *p = arg;
    p->rc = pack(p->g, p->names);
    return NULL;
}

lt_edge_packing *lt_graph_pack_edges_start(lt_graph *g, size_t names)
{
    lt_edge_packing *p = malloc(sizeof *p);
    if (!p)
        return NULL;
    *p = (lt_edge_packing){.g = g, .names = names};
    if (pthread_create(&p->thread, NULL, run_packing, p)) {
        free(p);
        return NULL;
    }
    return p;
}

int lt_graph_pack_edges_wait(lt_edge_packing *p, lt_error *err)
{
    if (!p)
        return 0;
    pthread_join(p->thread, NULL);
    int rc = p->rc ? packing_failed(p->g, err) : 0;
    free(p);
    return rc;
}
