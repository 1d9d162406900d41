/* edge_codes: the 16-bit edge codes of graph.h, chosen once every edge is in
 * (lt_graph_pack_edges), and the escaped names read back (lt_graph_escaped_name).
 *
 * The names an edge type uses are few and skewed: on the 1 GB benchmark snapshot each
 * type's 4095 most used names cover 94% of its edges, on real programs' snapshots
 * 94-98%. They cannot be known while reading (the most used are not the first seen:
 * the roots' edges come first, each with a name of its own), so the codes are chosen
 * after reading, from a count of every (type, name): one pass to count, one to write the
 * codes (0.1 s on the 1 GB file). The other names are kept in full in edge order; the
 * k-th escaped edge's name is escape_name[k], k found from the count before the edge's
 * block of 64 plus the escapes in the block before it. */
#include <stdlib.h>
#include <string.h>

#include "snapshot/graph.h"
#include "util/big_alloc.h"
#include "util/grow.h"

#define ESCAPED_FROM (LT_EDGE_CODE_ESCAPE << LT_EDGE_TYPE_BITS) /* codes from here are escapes */

uint32_t lt_graph_escaped_name(const lt_graph *g, uint32_t e)
{
    uint32_t block = e >> LT_ESCAPE_BLOCK_SHIFT, k = g->escape_base[block];
    for (uint32_t i = block << LT_ESCAPE_BLOCK_SHIFT; i < e; i++)
        k += g->edge_code[i] >= ESCAPED_FROM;
    return g->escape_name[k];
}

#define BUCKETS 65536u /* of use counts: 1, 2, ..., 65535 and more */

/* Codes for the names of type t: count[n] (n < range) is how often t's edges use name n;
 * it becomes code + 1 for the names given one, 0 for the others. The names used most get
 * the codes: those in the buckets of the highest counts while they fit, then those of the
 * next bucket by name order (exact up to 65535 uses, so on any graph of fewer than
 * 4095 * 65536 edges, where no more than 4095 names are used more often). hist holds
 * BUCKETS entries. Names go to g->edge_names. */
static void choose_codes(lt_graph *g, unsigned t, uint32_t *count, size_t range, uint32_t *hist)
{
    memset(hist, 0, BUCKETS * sizeof *hist);
    for (size_t n = 0; n < range; n++)
        if (count[n])
            hist[count[n] < BUCKETS ? count[n] : BUCKETS - 1]++;
    size_t taken = 0, b = BUCKETS; /* the buckets from b up all get codes */
    while (b > 1 && taken + hist[b - 1] <= LT_EDGE_CODES)
        taken += hist[--b];
    size_t ties = LT_EDGE_CODES - taken, tied = b - 1; /* this many of bucket tied's, first come */
    uint32_t *names = g->edge_names + (size_t)t * LT_EDGE_CODES, code = 0;
    for (size_t n = 0; n < range; n++) {
        uint32_t c = count[n];
        size_t bucket = c < BUCKETS ? c : BUCKETS - 1;
        count[n] = 0;
        if (c && (bucket >= b || (bucket == tied && ties && ties--))) {
            names[code] = (uint32_t)n;
            count[n] = ++code;
        }
    }
}

/* Writes edge_code and the escapes from edge_wide, with code[t * range + name] the
 * code + 1 of a name that has one. */
static int write_codes(lt_graph *g, const uint32_t *code, size_t range)
{
    size_t capacity = 0;
    uint32_t rare = 0;
    for (uint32_t e = 0; e < g->edge_count; e++) {
        if (!(e & ((1u << LT_ESCAPE_BLOCK_SHIFT) - 1)))
            g->escape_base[e >> LT_ESCAPE_BLOCK_SHIFT] = g->escape_count;
        uint32_t w = g->edge_wide[e], t = w & 15u, name = w >> LT_EDGE_TYPE_BITS;
        uint32_t c = name < range ? code[t * range + name] : 0;
        if (c) {
            g->edge_code[e] = (uint16_t)((c - 1) << LT_EDGE_TYPE_BITS | t);
            continue;
        }
        g->edge_code[e] = (uint16_t)(ESCAPED_FROM | t);
        if (name == LT_EDGE_NAME_ESCAPE) /* rare_names is sorted by edge */
            name = g->rare_names[rare++].name;
        if (lt_reserve(&g->escape_name, &capacity, (size_t)g->escape_count + 1, sizeof *g->escape_name, 1024))
            return LT_ENOMEM;
        g->escape_name[g->escape_count++] = name;
    }
    return 0;
}

int lt_graph_pack_edges(lt_graph *g, lt_error *err)
{
    size_t m = g->edge_count ? g->edge_count : 1, types = 1;
    uint32_t widest = 0; /* names below range may have a code: every string, or 65536 */
    for (uint32_t e = 0; e < g->edge_count; e++) {
        uint32_t w = g->edge_wide[e], name = w >> LT_EDGE_TYPE_BITS;
        widest = name != LT_EDGE_NAME_ESCAPE && name > widest ? name : widest;
        types = (w & 15u) < types ? types : (w & 15u) + 1;
    }
    size_t range = (size_t)widest + 1, cap = g->string_count > 65536 ? g->string_count : 65536;
    range = range < cap ? range : cap;
    uint32_t *count = lt_big_calloc(types * range, sizeof *count), *hist = malloc(BUCKETS * sizeof *hist);
    g->edge_names = calloc(LT_EDGE_TYPE_MAX * LT_EDGE_CODES, sizeof *g->edge_names);
    g->edge_code = lt_keep_alloc(g->keep, m, sizeof *g->edge_code);
    g->escape_base = malloc(((m >> LT_ESCAPE_BLOCK_SHIFT) + 1) * sizeof *g->escape_base);
    int rc = count && hist && g->edge_names && g->edge_code && g->escape_base ? 0 : LT_ENOMEM;
    if (!rc) {
        for (uint32_t e = 0; e < g->edge_count; e++) {
            uint32_t w = g->edge_wide[e], name = w >> LT_EDGE_TYPE_BITS;
            if (name < range)
                count[(w & 15u) * range + name]++;
        }
        for (unsigned t = 0; t < types; t++)
            choose_codes(g, t, count + t * range, range, hist);
        rc = write_codes(g, count, range);
    }
    free(count);
    free(hist);
    if (rc)
        return lt_error_set(err, LT_ENOMEM, "out of memory packing %u edges", g->edge_count);
    lt_keep_give(g->keep, g->edge_wide, m * sizeof *g->edge_wide);
    g->edge_wide = NULL;
    free(g->rare_names);
    g->rare_names = NULL;
    g->rare_name_count = g->rare_name_capacity = 0;
    return 0;
}
