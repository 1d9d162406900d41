/* analysis_result: the fields of an analysis result, for the library's own
 * top layer (analysis.c, report.c) and white-box tests; the server sees only
 * the opaque lt_analysis of include/analysis.h. Every pointer is owned by the
 * result and freed by lt_analysis_free. */
#ifndef LT_ANALYSIS_RESULT_H
#define LT_ANALYSIS_RESULT_H

#include <jansson.h>
#include <stdint.h>

#include "analysis.h"
#include "devtools/classes.h"
#include "devtools/dominators.h"
#include "findings/findings.h"
#include "findings/tree_summary.h"
#include "input/archive_input.h"
#include "snapshot/graph.h"

typedef struct lt_analysis {
    lt_graph *graph;
    lt_dominator_tree tree;
    int32_t *distance;
    uint32_t *parent_edge; /* first edge of a shortest retainer path; NULL with skip_findings */
    lt_classes classes;
    lt_findings findings;
    json_t *clusters;        /* the object cluster view, or NULL */
    lt_tree_summary summary; /* the explorable dominator tree (empty with skip_findings) */
    uint32_t
        *class_script; /* per class: its allocation site's script node, or LT_NO_FUNCTION; NULL with skip_findings */
    lt_input_info input;
    uint64_t total_self_size;
    lt_stage_times times;
    json_t *three_snapshots; /* what the three-snapshot method saw (analysis_three.c), or NULL */
} lt_analysis;

/* Reads path (or its archive entry named entry; NULL: the first
 * *.heapsnapshot) into *out (free with lt_graph_free), reporting "reading"
 * progress through options (may be NULL); info (may be NULL) describes the
 * input. Returns 0 or a negative LT_E* code with err set. */
int lt_read_graph(const char *path, const char *entry, const lt_analysis_options *options, lt_graph **out,
                  lt_input_info *info, lt_error *err);

/* Runs the analysis stages on a graph already read (takes ownership of g,
 * also on failure). Returns 0 and *out, or a negative LT_E* code with err set. */
int lt_analyze_graph(lt_graph *g, const lt_analysis_options *options, lt_analysis **out, lt_error *err);

/* Fills top[0..n) with the n nodes of largest retained size (root excluded;
 * ties in snapshot order); returns how many were found (<= n). */
uint32_t lt_report_top_retainers(const lt_analysis *a, uint32_t n, uint32_t *top);

#endif
