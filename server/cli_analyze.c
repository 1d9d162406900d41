/* cli_analyze: `leaktriage analyze FILE [options]`: runs the analysis pipeline on a file
 * or standard input and prints the summary, the JSON report and/or the per-node TSV. Three
 * snapshots of one process (`--baseline A --target B --final C`, or an archive holding such
 * a set, see lt_three_snapshot_entries) add the leaked_since_baseline findings. With
 * --fail-on RULES it also applies the single-snapshot verdict rules (verdict_rules.h:
 * kind:KIND, retained:PERCENT; rules that need the app's history are a usage error) and
 * prints the verdict on standard error, so standard output stays the report. Exit status
 * by the table in cli_common.h: 0 (the verdict passes); 1 the verdict fails; 2 bad usage or
 * an input that cannot be analysed (bad, truncated, not found or not readable); 3 out of
 * memory or the output cannot be written. */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"
#include "defaults.h"
#include "cli_verdict.h"
#include "report.h"
#include "verdict_rules.h"

typedef struct analyze_args {
    const char *file[1];
    const char *nodes_tsv;
    const char *three[3]; /* --baseline, --target, --final */
    const char *fail_on;
    int json;
    int progress;
    int timings;
    int no_findings;
    uint64_t top;
    uint64_t analysis_memory, max_snapshot_bytes, max_ratio, analysis_timeout;
} analyze_args;

static const lt_cli_option options[] = {
    {.name = "--json",
     .kind = LT_CLI_FLAG,
     .offset = offsetof(analyze_args, json),
     .help = "print the report as JSON instead of a summary"},
    {.name = "--top",
     .value_name = "N",
     .kind = LT_CLI_NUMBER,
     .offset = offsetof(analyze_args, top),
     .min = 0,
     .max = LT_TOP_MAX,
     .help = "how many top retainers and classes to list (default " LT_STR(LT_DEFAULT_TOP) ")"},
    {.name = "--nodes",
     .value_name = "OUT.tsv",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(analyze_args, nodes_tsv),
     .help = "write one line per node: id, self_size, retained_size, dominator_id, distance"},
    {.name = "--baseline",
     .value_name = "A",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(analyze_args, three[0]),
     .help = "three snapshots of one process: A before the work (with --target, --final; no FILE)"},
    {.name = "--target",
     .value_name = "B",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(analyze_args, three[1]),
     .help = "B after the work: objects new in B and still alive in C are reported"},
    {.name = "--final",
     .value_name = "C",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(analyze_args, three[2]),
     .help = "C after the clean-up: the snapshot the report is about"},
    {.name = "--no-findings",
     .kind = LT_CLI_FLAG,
     .offset = offsetof(analyze_args, no_findings),
     .help = "skip the findings stage (recursive chains, clusters, detached DOM)"},
    {.name = "--progress",
     .kind = LT_CLI_FLAG,
     .offset = offsetof(analyze_args, progress),
     .help = "print the analysis phase and percent on standard error"},
    {.name = "--timings",
     .kind = LT_CLI_FLAG,
     .offset = offsetof(analyze_args, timings),
     .help = "print each stage's wall time on standard error"},
    {.name = "--analysis-memory",
     .value_name = "SIZE",
     .kind = LT_CLI_SIZE,
     .offset = offsetof(analyze_args, analysis_memory),
     .min = 1 << 20,
     .max = UINT64_MAX,
     .help = "fail at once (exit 2) when the analysis would need more memory, e.g. 4G (default: no limit)"},
    LT_CLI_LIMIT_OPTIONS(analyze_args),
    {.name = "--analysis-timeout",
     .value_name = "SECONDS",
     .kind = LT_CLI_NUMBER,
     .offset = offsetof(analyze_args, analysis_timeout),
     .min = 1,
     .max = INT32_MAX,
     .help = "stop (exit 2) an analysis that takes longer (default: no limit)"},
    {.name = "--fail-on",
     .value_name = "RULES",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(analyze_args, fail_on),
     .help = "exit 1 when a finding fails a rule: kind:KIND, retained:PERCENT (comma-separated)"},
};

static int run(int argc, char **argv);

const lt_cli_command lt_cli_analyze = {
    .name = "analyze",
    .summary = "analyse a heap snapshot and print the report",
    .operands = "FILE",
    .operands_help =
        "  FILE                 a .heapsnapshot, gzip/zstd/xz/bzip2/lz4 of one, or a zip/tar/7z holding one;"
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

/* Three lines on standard error: each stage's seconds, minor page faults, and the
 * process's peak RSS at its end. */
static void print_timings(const lt_stage_times *t)
{
    static const char *const lines[] = {"timings (s):", "minor page faults:", "peak RSS at the end (MB):"};
    for (int line = 0; line < 3; line++) {
        fputs(lines[line], stderr);
        for (int s = 0; s < LT_STAGE_COUNT; s++) {
            const lt_stage_figures *f = &t->stage[s];
            fprintf(stderr, "%s %s ", s ? "," : "", lt_stage_name((enum lt_stage)s));
            if (line == 0)
                fprintf(stderr, "%.3f", f->seconds);
            else if (line == 1)
                fprintf(stderr, "%" PRIu64, f->minor_faults);
            else
                fprintf(stderr, "%.0f", (double)f->peak_rss_bytes / 1e6);
        }
        fputc('\n', stderr);
    }
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

/* Parses --fail-on into rules. 0, or LT_CLI_USAGE (reported) for a bad rule, a rule that
 * needs the app's history, or --no-findings (no findings to judge). */
static int parse_fail_on(const analyze_args *a, lt_rules *rules)
{
    char why[256];
    if (lt_rules_parse(a->fail_on, rules, why, sizeof why))
        return lt_cli_usage_error(&lt_cli_analyze, "--fail-on: %s", why);
    for (unsigned i = 0; i < rules->count; i++)
        if (rules->items[i].type != LT_RULE_KIND && rules->items[i].type != LT_RULE_RETAINED)
            return lt_cli_usage_error(&lt_cli_analyze,
                                      "--fail-on: '%s' needs the app's earlier snapshots (use leaktriage upload); "
                                      "one snapshot takes kind:KIND and retained:PERCENT",
                                      rules->items[i].text);
    if (a->no_findings)
        return lt_cli_usage_error(&lt_cli_analyze, "--fail-on judges the findings: drop --no-findings");
    return 0;
}

/* The rule finding f (a report document's finding) fails, or NULL. */
static const lt_rule *finding_fails(const lt_rules *rules, json_t *f)
{
    lt_verdict_finding v = {.kind = json_string_value(json_object_get(f, "kind")),
                            .retained_percent = json_number_value(json_object_get(f, "retained_percent"))};
    return v.kind ? lt_rules_failed_by(rules, &v) : NULL;
}

/* Prints the verdict of rules over an's findings on standard error, then each finding that
 * fails. Returns LT_EXIT_OK, LT_EXIT_VERDICT_FAIL or LT_EXIT_INTERNAL (out of memory). */
static int print_verdict(const lt_analysis *an, const lt_rules *rules, const char *text)
{
    json_t *doc = lt_report_json(an, 0);
    if (!doc)
        return fprintf(stderr, "leaktriage: out of memory applying --fail-on\n"), LT_EXIT_INTERNAL;
    json_t *findings = json_object_get(doc, "findings"), *f;
    size_t i;
    int failed = 0;
    json_array_foreach(findings, i, f) failed |= finding_fails(rules, f) != NULL;
    lt_cli_print_verdict(stderr, failed, text);
    json_array_foreach(findings, i, f)
    {
        const lt_rule *r = finding_fails(rules, f);
        lt_cli_reason reason = {.rule = r ? r->text : NULL,
                                .kind = json_string_value(json_object_get(f, "kind")),
                                .title = json_string_value(json_object_get(f, "title")),
                                .fingerprint = json_string_value(json_object_get(f, "fingerprint"))};
        if (r)
            lt_cli_print_reason(stderr, &reason);
    }
    json_decref(doc);
    return failed ? LT_EXIT_VERDICT_FAIL : LT_EXIT_OK;
}

/* The exit status of a failed analysis: LT_EIO here is the user's FILE (not found, not
 * readable), so bad input like the rest; out of memory is internal. */
static int analysis_exit_status(int rc)
{
    return rc == LT_EIO ? LT_EXIT_BAD_INPUT : lt_cli_exit_status(rc);
}

static int run(int argc, char **argv)
{
    /* Start-up setting of this one-shot process: the analysis threads share the main
     * malloc arena. A thread's own arena is fresh memory, and first touches of fresh
     * memory cost as much as parsing on some machines (2,000 more page faults and 8 MB
     * of peak on the 1 GB snapshot); a long-running server keeps its arenas warm. */
    mallopt(M_ARENA_MAX, 1);
    analyze_args args = {
        .top = LT_DEFAULT_TOP, .max_snapshot_bytes = LT_DEFAULT_MAX_SNAPSHOT_BYTES, .max_ratio = LT_DEFAULT_MAX_RATIO};
    int status = lt_cli_parse(&lt_cli_analyze, argc, argv, &args);
    if (status == LT_CLI_CONTINUE)
        status = check_sources(&args);
    if (status != LT_CLI_CONTINUE)
        return status;
    lt_rules rules;
    if (args.fail_on && parse_fail_on(&args, &rules))
        return LT_CLI_USAGE;
    char file[256]; /* the message names which, printable */
    snprintf(file, sizeof file, "%s",
             !args.file[0]               ? "three snapshots"
             : strcmp(args.file[0], "-") ? args.file[0]
                                         : "stdin");
    lt_text_clean(file, sizeof file);
    lt_analysis_options options = {.progress = args.progress ? print_progress : NULL,
                                   .skip_findings = args.no_findings,
                                   .memory_budget = args.analysis_memory,
                                   .max_snapshot_bytes = args.max_snapshot_bytes,
                                   .max_ratio = (uint32_t)args.max_ratio,
                                   .deadline = lt_analysis_deadline((double)args.analysis_timeout)};
    lt_analysis *an;
    lt_error err = {0};
    int rc = analyze(&args, &options, &an, &err);
    if (rc) {
        fprintf(stderr, "leaktriage: %s: %s\n", file, err.message);
        return analysis_exit_status(rc);
    }
    if (args.timings)
        print_timings(lt_analysis_times(an));
    rc = print_report(an, &args);
    if (!rc && args.nodes_tsv)
        rc = write_nodes(an, args.nodes_tsv);
    if (fflush(stdout) || rc) {
        lt_analysis_free(an);
        return LT_EXIT_INTERNAL;
    }
    status = args.fail_on ? print_verdict(an, &rules, args.fail_on) : LT_EXIT_OK;
    lt_analysis_free(an);
    return status;
}
