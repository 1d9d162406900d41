/* snapshot_budget: the memory an analysis of this snapshot will need, estimated
 * before anything big is allocated, against the caller's budget.
 *
 * The estimate is what the whole analysis (not only the reader) keeps at its
 * peak: per node the graph's 13 bytes (ids take an eighth of a byte) and 36 of
 * per-node arrays of the later stages (the Semi-NCA scratch 16-20, the block its
 * predecessor lists and then the dominated list use 8, distances and parent edges 8,
 * the BFS queue up to 3 as measured, a ring that holds the frontier; class names
 * take none), with room; per edge the graph's 5 or 6 bytes (and 4 more while it is
 * read: the names before they are coded) and up to 4 of predecessor lists, with
 * room; per string byte 2 (the string
 * being read and its copy in the table); per string 8 (its offset); and a fixed
 * part. Against measured peaks: 0.8-1.2x on real programs' snapshots (the small ones
 * under, by the process's own memory; measured when the 1 GB file took 1.20 GB), 1.7x
 * on the 1 GB generated one (1.73 GB for 1.02: kept generous, a refusal costs the
 * user more than a little memory). It is checked once from the
 * header's counts (before the graph is allocated) and again as strings grow
 * (one 3 GiB string is stopped long before it is held). Over budget is
 * LT_ELIMIT: the same file would fail the same way again. */
#include "snapshot/snapshot_reader_internal.h"

#define PER_NODE        64u
#define PER_EDGE        16u
#define PER_STRING_BYTE 2u
#define PER_STRING      8u
#define FIXED_BYTES     (8u << 20)

void lt_reader_set_budget(lt_reader *r, uint64_t bytes)
{
    r->budget = bytes;
}

uint64_t lt_reader_estimate(uint64_t nodes, uint64_t edges, uint64_t string_bytes, uint64_t strings)
{
    return FIXED_BYTES + nodes * PER_NODE + edges * PER_EDGE + string_bytes * PER_STRING_BYTE + strings * PER_STRING;
}

static double gib(uint64_t bytes)
{
    return (double)bytes / (double)(1ull << 30);
}

int lt_reader_check_budget(lt_reader *r, uint64_t nodes, uint64_t edges, size_t more, lt_error *err)
{
    if (!r->budget)
        return 0;
    uint64_t strings = r->graph ? r->graph->string_count : 0;
    uint64_t string_bytes = (r->graph ? r->graph->string_data_size : 0) + r->str_len + more;
    uint64_t need = lt_reader_estimate(nodes, edges, string_bytes, strings);
    if (need <= r->budget)
        return 0;
    return lt_reader_fail(r, err, LT_ELIMIT,
                          "the analysis needs about %.1f GB of memory (%llu nodes, %llu edges, %.1f MB of strings"
                          "%s), the limit is %.1f GB (--analysis-memory)",
                          gib(need), (unsigned long long)nodes, (unsigned long long)edges,
                          (double)string_bytes / (1 << 20), r->graph ? " so far" : "", gib(r->budget));
}
