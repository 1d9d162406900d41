/* libFuzzer entry point for the snapshot reader: any bytes, split in two at a
 * point taken from the input, must give a graph or an error, never a crash.
 * Build: cmake -DLT_FUZZ=ON -DCMAKE_C_COMPILER=clang; run build/tests/fuzz_snapshot_reader. */
#include <stddef.h>
#include <stdint.h>

#include "snapshot/snapshot_reader.h"

/* As in fuzz_analyze.c: the budget every analysis has in the product, so that a header's
 * counts past it are refused before the graph is allocated. */
#define FUZZ_MEMORY_BUDGET (1ull << 30)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lt_error err;
    lt_reader *r = lt_reader_new(&err);
    if (!r)
        return 0;
    lt_reader_set_budget(r, FUZZ_MEMORY_BUDGET);
    size_t cut = size ? data[0] % (size + 1) : 0;
    lt_graph *g = NULL;
    if (lt_reader_feed(r, (const char *)data, cut, &err) == 0 &&
        lt_reader_feed(r, (const char *)data + cut, size - cut, &err) == 0 && lt_reader_finish(r, &g, &err) == 0)
        lt_graph_free(g);
    lt_reader_free(r);
    return 0;
}
