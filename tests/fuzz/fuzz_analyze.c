/* libFuzzer entry point for the analysis stages after the reader: bytes the snapshot
 * reader accepts as a graph go through lt_analyze_graph (DOM state, shallow sizes,
 * dominators, distances, classes, findings) and the JSON report; each must succeed or
 * fail with an LT_E* code, never crash, hang or leak. Seeds are small real snapshots.
 * Build: cmake -DLT_FUZZ=ON -DCMAKE_C_COMPILER=clang; run build/tests/fuzz_analyze. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "analysis_result.h"
#include "report.h"
#include "snapshot/snapshot_reader.h"

/* The memory budget every analysis has in the product (the service's and analyze's
 * --analysis-memory): a header whose counts need more is refused before anything is
 * allocated. Without it, a header claiming 1,333,333,320 nodes made the graph ask for
 * 5.3 GB, past libFuzzer's 2 GB limit (tests/fuzz/run.sh). */
#define FUZZ_MEMORY_BUDGET (1ull << 30)

/* The graph the reader makes of data, or NULL when it refuses it. */
static lt_graph *read_graph(const uint8_t *data, size_t size)
{
    lt_error err;
    lt_reader *r = lt_reader_new(&err);
    if (!r)
        return NULL;
    lt_reader_set_budget(r, FUZZ_MEMORY_BUDGET);
    lt_graph *g = NULL;
    if (lt_reader_feed(r, (const char *)data, size, &err) || lt_reader_finish(r, &g, &err))
        g = NULL;
    lt_reader_free(r);
    return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lt_graph *g = read_graph(data, size);
    if (!g)
        return 0;
    lt_error err;
    lt_analysis *a = NULL;
    if (lt_analyze_graph(g, NULL, &a, &err) == 0) {
        json_t *doc = lt_report_json(a, 20);
        char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        free(text);
        json_decref(doc);
    }
    lt_analysis_free(a);
    return 0;
}
