#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"
#include "report.h"

typedef struct analyze_args {
    const char *file;
    const char *nodes_tsv;
    int json;
    int progress;
    int timings;
    int no_findings;
    unsigned long top;
} analyze_args;

static const char usage[] =
    "usage: leaktriage analyze FILE [--json] [--top N] [--nodes OUT.tsv] [--no-findings] [--progress] [--timings]\n"
    "  FILE           a .heapsnapshot, gzip/zstd/xz/bzip2 of one, or a zip/tar holding one; - for stdin\n"
    "  --json         print the report as JSON instead of a summary\n"
    "  --top N        how many top retainers and classes to list (default 50)\n"
    "  --nodes FILE   write one line per node: id, self_size, retained_size, dominator_id, distance\n"
    "  --progress     print the analysis phase and percent on standard error\n"
    "  --timings      print each stage's wall time on standard error\n"
    "  --no-findings  skip the findings stage (recursive chains, clusters, detached DOM)\n";

static int parse_args(int argc, char **argv, analyze_args *a)
{
    *a = (analyze_args){.top = 50};
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--json"))
            a->json = 1;
        else if (!strcmp(s, "--progress"))
            a->progress = 1;
        else if (!strcmp(s, "--timings"))
            a->timings = 1;
        else if (!strcmp(s, "--no-findings"))
            a->no_findings = 1;
        else if (!strcmp(s, "--top") && i + 1 < argc) {
            char *end;
            errno = 0;
            a->top = strtoul(argv[++i], &end, 10);
            if (errno || *end || a->top > 100000 || argv[i][0] == '-')
                return fprintf(stderr, "leaktriage analyze: --top takes a number from 0 to 100000\n"), -1;
        } else if (!strcmp(s, "--nodes") && i + 1 < argc)
            a->nodes_tsv = argv[++i];
        else if (!strcmp(s, "--help") || !strcmp(s, "-h"))
            return fputs(usage, stdout), 1;
        else if (s[0] == '-' && s[1])
            return fprintf(stderr, "leaktriage analyze: unknown option %s\n%s", s, usage), -1;
        else if (!a->file)
            a->file = s;
        else
            return fprintf(stderr, "leaktriage analyze: one FILE only\n%s", usage), -1;
    }
    if (!a->file)
        return fprintf(stderr, "%s", usage), -1;
    return 0;
}

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

int lt_cli_analyze(int argc, char **argv)
{
    analyze_args args;
    int p = parse_args(argc, argv, &args);
    if (p)
        return p > 0 ? 0 : 2;
    lt_analysis_options options = {.progress = args.progress ? print_progress : NULL,
                                   .skip_findings = args.no_findings};
    lt_analysis *an;
    lt_error err = {0};
    int rc = lt_analyze_file(args.file, &options, &an, &err);
    if (rc) {
        fprintf(stderr, "leaktriage: %s: %s\n", strcmp(args.file, "-") ? args.file : "stdin", err.message);
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
