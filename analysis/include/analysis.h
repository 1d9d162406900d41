/* analysis: the library's public face: the whole pipeline in one call, with
 * progress callbacks: read (input/ -> snapshot/), DOM state, shallow sizes,
 * retaining edges, dominators and retained sizes, distances, classes
 * (devtools/), findings (findings/). The result is opaque here: report.h
 * turns it into the JSON document, the summary and the per-node TSV. Inside
 * the library (and in white-box tests) analysis_result.h shows its fields. */
#ifndef LT_ANALYSIS_H
#define LT_ANALYSIS_H

#include <stdint.h>

#include "lt_error.h"

typedef void (*lt_progress_fn)(void *ctx, const char *phase, double percent);

typedef struct lt_analysis_options {
    lt_progress_fn progress;   /* may be NULL; phases "reading", "dominators", "findings" */
    void *progress_ctx;
    int skip_findings;         /* 1: core numbers only (no findings, no clusters) */
} lt_analysis_options;

/* Wall time of each stage, in seconds (for benchmarks and logs). */
typedef struct lt_stage_times {
    double reading, dom_state, shallow_sizes, retention_and_dominators, distances, class_names, class_aggregates;
    double findings;
    double total_after_reading;
} lt_stage_times;

typedef struct lt_analysis lt_analysis;

/* Reads and analyses path ("-" = standard input). Returns 0 and *out (free
 * with lt_analysis_free), or a negative LT_E* code with err set. */
int lt_analyze_file(const char *path, const lt_analysis_options *options, lt_analysis **out, lt_error *err);

/* The wall time of each stage of a (borrowed; lives as long as a). */
const lt_stage_times *lt_analysis_times(const lt_analysis *a);

/* Frees the result and everything it owns. NULL is fine. */
void lt_analysis_free(lt_analysis *a);

#endif
