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
#include "lt_keep.h"

typedef void (*lt_progress_fn)(void *ctx, const char *phase, double percent);

typedef struct lt_analysis_options {
    lt_progress_fn progress; /* may be NULL; phases "reading", "dominators", "findings" */
    void *progress_ctx;
    int skip_findings; /* 1: core numbers only (no findings, no clusters) */
    /* Budgets; 0 means no limit. Each failure is LT_ELIMIT (the same input would fail
     * the same way again) with a message naming the limit. */
    uint64_t memory_budget;      /* bytes: checked from the header's counts and the strings'
                                  * lengths before allocating ("needs about N GB, the limit is M") */
    uint64_t max_snapshot_bytes; /* decompressed bytes */
    uint32_t max_ratio;          /* decompressed:compressed, checked past LT_RATIO_CHECK_FROM */
    double deadline;             /* lt_analysis_deadline(): stop reading, or before the next stage */
    lt_keep *keep;               /* memory kept between analyses (NULL: none); outlives the result */
} lt_analysis_options;

#define LT_RATIO_CHECK_FROM ((uint64_t)256 << 20) /* decompressed bytes before the ratio counts */

/* The deadline of an analysis that may take timeout_seconds from now (a
 * CLOCK_MONOTONIC time); 0 (no deadline) when timeout_seconds <= 0. */
double lt_analysis_deadline(double timeout_seconds);

/* Wall time of each stage, in seconds (for benchmarks and logs). */
/* The stages of one analysis, in order, as `analyze --timings` names them. */
enum lt_stage {
    LT_STAGE_READING,
    LT_STAGE_DOM_STATE,
    LT_STAGE_SHALLOW_SIZES,
    LT_STAGE_DOMINATORS, /* retaining edges and the dominator tree */
    LT_STAGE_DISTANCES,
    LT_STAGE_CLASS_NAMES,
    LT_STAGE_PATH_SAMPLES, /* the findings' retainer paths, sampled beside the dominators */
    LT_STAGE_CLASS_AGGREGATES,
    LT_STAGE_FINDINGS,
    LT_STAGE_COUNT
};

/* What one stage cost: wall time, the minor page faults the process took meanwhile
 * (fresh memory touched: each costs the kernel a zeroed page), and the process's
 * peak resident set at its end (getrusage: the whole process, all threads). */
typedef struct lt_stage_figures {
    double seconds;
    uint64_t minor_faults;
    uint64_t peak_rss_bytes;
} lt_stage_figures;

typedef struct lt_stage_times {
    lt_stage_figures stage[LT_STAGE_COUNT];
    double total_after_reading;
} lt_stage_times;

/* The stage's name ("reading", "dominators", ...). */
const char *lt_stage_name(enum lt_stage stage);

typedef struct lt_analysis lt_analysis;

/* Reads and analyses path ("-" = standard input). Returns 0 and *out (free
 * with lt_analysis_free), or a negative LT_E* code with err set. */
int lt_analyze_file(const char *path, const lt_analysis_options *options, lt_analysis **out, lt_error *err);

/* As lt_analyze_file, for the archive entry of path named exactly entry
 * (NULL: the file itself, the first *.heapsnapshot of an archive). */
int lt_analyze_entry(const char *path, const char *entry, const lt_analysis_options *options, lt_analysis **out,
                     lt_error *err);

/* One snapshot of a three-snapshot set: a file, or an entry of an archive. */
typedef struct lt_snapshot_source {
    const char *path;  /* "-" = standard input */
    const char *entry; /* archive entry name, or NULL: the file itself */
} lt_snapshot_source;

/* Three snapshots of one process (memlab's method): baseline (before the
 * work), target (after it), final (after the clean-up). Analyses final as
 * lt_analyze_file does and adds leaked_since_baseline findings: objects
 * whose ids are in target but not in baseline that final still holds,
 * grouped by retainer path; the report gets a "three_snapshots" object
 * (node counts, new and surviving objects). Of baseline and target only the
 * node ids are kept (each graph is freed once read). Returns 0 and *out
 * (free with lt_analysis_free), or a negative LT_E* code with err set, its
 * message naming the snapshot ("target snapshot: ..."). */
int lt_analyze_three(const lt_snapshot_source *baseline, const lt_snapshot_source *target,
                     const lt_snapshot_source *final, const lt_analysis_options *options, lt_analysis **out,
                     lt_error *err);

#define LT_THREE_ENTRY_MAX 256 /* bytes of an archive entry name, NUL included */

/* Whether the archive at path is a three-snapshot set, and which entries:
 * among its *.heapsnapshot entries, exactly one whose name (ignoring case)
 * contains "baseline", one "target" and one "final"; otherwise exactly three
 * entries, taken in archive order as baseline, target, final. Returns 1 with
 * entries[0..3) = baseline, target, final; 0 when it is not a set (a single
 * snapshot, a plain or compressed file, standard input); or a negative LT_E*
 * code with err set (unreadable or damaged input, LT_ENOMEM). */
int lt_three_snapshot_entries(const char *path, char entries[3][LT_THREE_ENTRY_MAX], lt_error *err);

/* The wall time of each stage of a (borrowed; lives as long as a). */
const lt_stage_times *lt_analysis_times(const lt_analysis *a);

/* Frees the result and everything it owns. NULL is fine. */
void lt_analysis_free(lt_analysis *a);

#endif
