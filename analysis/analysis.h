/* analysis: the whole pipeline in one call, with progress callbacks:
 * read (archive_input -> snapshot_reader), DOM state, shallow sizes,
 * retaining edges, dominators and retained sizes, distances, classes.
 * The result owns the graph and every per-node array. */
#ifndef LT_ANALYSIS_H
#define LT_ANALYSIS_H

#include <stdint.h>

#include "archive_input.h"
#include "classes.h"
#include "dominators.h"
#include "findings.h"
#include "graph.h"
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

typedef struct lt_analysis {
    lt_graph *graph;
    lt_dominator_tree tree;
    int32_t *distance;
    uint32_t *parent_edge;     /* first edge of a shortest retainer path; NULL with skip_findings */
    lt_classes classes;
    lt_findings findings;
    json_t *clusters;          /* the object cluster view, or NULL */
    lt_input_info input;
    uint64_t total_self_size;
    lt_stage_times times;
} lt_analysis;

/* Reads and analyses path ("-" = standard input). Returns 0 and *out (free
 * with lt_analysis_free), or a negative LT_E* code with err set. */
int lt_analyze_file(const char *path, const lt_analysis_options *options, lt_analysis **out, lt_error *err);

/* Runs the analysis stages on a graph already read (takes ownership of g,
 * also on failure). */
int lt_analyze_graph(lt_graph *g, const lt_analysis_options *options, lt_analysis **out, lt_error *err);

void lt_analysis_free(lt_analysis *a);

#endif
