/* cli_analyze: `leaktriage analyze FILE [options]`: runs the analysis pipeline on a file
 * or standard input and prints the summary, the JSON report and/or the per-node TSV. Three
 * snapshots of one process (`--baseline A --target B --final C`, or an archive holding such
 * a set, see lt_three_snapshot_entries) add the leaked_since_baseline findings. Exit
 * status 0; 2 for bad usage or an input that cannot be analysed (bad, truncated, not
 * readable); 1 when out of memory or the output cannot be written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"
#include "defaults.h"
#include "report.h"

typedef struct analyze_args {
    const char *file[1];
    const char *nodes_tsv;
    const char *three[3]; /* --baseline, --target, --final */
    int json;
    int progress;
    int timings;
    int no_findings;
    uint64_t top;
} analyze_args;

static const lt_cli_option options[] = {
    {.name = "--json", .kind = LT_CLI_FLAG, .offset = offsetof(analyze_args, json),
     .help = "print the report as JSON instead of a summary"},
    {.name = "--top", .value_name = "N", .kind = LT_CLI_NUMBER, .offset = offsetof(analyze_args, top), .min = 0,
     .max = LT_TOP_MAX, .help = "how many top retainers and classes to list (default " LT_STR(LT_DEFAULT_TOP) ")"},
    {.name = "--nodes", .value_name = "OUT.tsv", .kind = LT_CLI_TEXT, .offset = offsetof(analyze_args, nodes_tsv),
     .help = "write one line per node: id, self_size, retained_size, dominator_id, distance"},
    {.name = "--baseline", .value_name = "A", .kind = LT_CLI_TEXT, .offset = offsetof(analyze_args, three[0]),
     .help = "three snapshots of one process: A before the work (with --target, --final; no FILE)"},
    {.name = "--target", .value_name = "B", .kind = LT_CLI_TEXT, .offset = offsetof(analyze_args, three[1]),
     .help = "B after the work: objects new in B and still alive in C are reported"},
    {.name = "--final", .value_name = "C", .kind = LT_CLI_TEXT, .offset = offsetof(analyze_args, three[2]),
     .help = "C after the clean-up: the snapshot the report is about"},
    {.name = "--no-findings", .kind = LT_CLI_FLAG, .offset = offsetof(analyze_args, no_findings),
     .help = "skip the findings stage (recursive chains, clusters, detached DOM)"},
    {.name = "--progress", .kind = LT_CLI_FLAG, .offset = offsetof(analyze_args, progress),
     .help = "print the analysis phase and percent on standard error"},
    {.name = "--timings", .kind = LT_CLI_FLAG, .offset = offsetof(analyze_args, timings),
     .help = "print each stage's wall time on standard error"},
};

static int run(int argc, char **argv);

const lt_cli_command lt_cli_analyze = {
    .name = "analyze",
    .summary = "analyse a heap snapshot and print the report",
    .operands = "FILE",
    .operands_help = "  FILE                 a .heapsnapshot, gzip/zstd/xz/bzip2/lz4 of one, or a zip/tar/7z holding one;"
                     " - for stdin\n"
                     "                       (a zip/tar holding baseline/target/final snapshots: all three, as with"
                     " --baseline)\n",
    .min_operands = 0,
    .max_operands = 1,
    .operands_offset = offsetof(analyze_args, file),
    LT_CLI_OPTION_TABLE(options),
    .run = run,
};

static void print_progress(void *ctx, const char *phase, double percent)
{
    (void)ctx;
    fprintf(stderr, "\r%-12s %5.1f%%%s", phase, percent, percent >= 100 ? "\n" : "");
}

static void print_timings(const lt_stage_times *t)
{
    fprintf(stderr,
            "timings (s): reading %.3f, dom_state %.3f, shallow_sizes %.3f, dominators %.3f, distances %.3f, "
            "class_names %.3f, class_aggregates %.3f, findings %.3f\n",
            t->reading, t->dom_state, t->shallow_sizes, t->retention_and_dominators, t->distances, t->class_names,
            t->class_aggregates, t->findings);
}

static int write_nodes(const lt_analysis *an, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return fprintf(stderr, "leaktriage: cannot write %s: %s\n", path, strerror(errno)), -1;
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    int rc = lt_report_nodes_tsv(an, f);
    if (fclose(f) || rc)
        return fprintf(stderr, "leaktriage: error writing %s\n", path), -1;
    return 0;
}

static int print_report(const lt_analysis *an, const analyze_args *a)
{
    if (!a->json)
        return lt_report_text(an, (uint32_t)a->top, stdout);
    json_t *doc = lt_report_json(an, (uint32_t)a->top);
    if (!doc)
        return fprintf(stderr, "leaktriage: out of memory writing the report\n"), -1;
    int rc = json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(doc);
    return rc;
}

/* FILE, or all three of --baseline, --target, --final. */
static int check_sources(const analyze_args *a)
{
    int given = !!a->three[0] + !!a->three[1] + !!a->three[2];
    if (a->file[0] && given)
        return lt_cli_usage_error(&lt_cli_analyze, "give FILE or --baseline/--target/--final, not both");
    if (!a->file[0] && given != 3)
        return lt_cli_usage_error(&lt_cli_analyze, given ? "--baseline, --target and --final go together"
                                                          : "needs FILE (or --baseline, --target and --final)");
    return LT_CLI_CONTINUE;
}

/* The three flags, an archive holding a set, or one snapshot. */
static int analyze(const analyze_args *a, const lt_analysis_options *o, lt_analysis **an, lt_error *err)
{
    char entries[3][LT_THREE_ENTRY_MAX];
    lt_snapshot_source src[3];
    int set = a->file[0] ? lt_three_snapshot_entries(a->file[0], entries, err) : 1;
    if (set <= 0)
        return set < 0 ? set : lt_analyze_file(a->file[0], o, an, err);
    for (int i = 0; i < 3; i++)
        src[i] = a->file[0] ? (lt_snapshot_source){a->file[0], entries[i]} : (lt_snapshot_source){a->three[i], NULL};
    return lt_analyze_three(&src[0], &src[1], &src[2], o, an, err);
}

static int run(int argc, char **argv)
{
    analyze_args args = {.top = LT_DEFAULT_TOP};
    int status = lt_cli_parse(&lt_cli_analyze, argc, argv, &args);
    if (status == LT_CLI_CONTINUE)
        status = check_sources(&args);
    if (status != LT_CLI_CONTINUE)
        return status;
    const char *file = args.file[0] ? args.file[0] : "three snapshots"; /* the message names which */
    lt_analysis_options options = {.progress = args.progress ? print_progress : NULL,
                                   .skip_findings = args.no_findings};
    lt_analysis *an;
    lt_error err = {0};
    int rc = analyze(&args, &options, &an, &err);
    if (rc) {
        fprintf(stderr, "leaktriage: %s: %s\n", strcmp(file, "-") ? file : "stdin", err.message);
        return rc == LT_ENOMEM ? 1 : 2;
    }
    if (args.timings)
        print_timings(lt_analysis_times(an));
    rc = print_report(an, &args);
    if (!rc && args.nodes_tsv)
        rc = write_nodes(an, args.nodes_tsv);
    lt_analysis_free(an);
    if (fflush(stdout) || rc)
        return 1;
    return 0;
}
