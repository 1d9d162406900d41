/* analysis_three: lt_analyze_three and lt_three_snapshot_entries (see
 * include/analysis.h): the three-snapshot method (findings/baseline.h) around
 * the usual pipeline. The baseline and the target are read one after the
 * other and kept only as sorted id arrays, so the peak is that of analysing
 * the final snapshot alone plus 4 bytes per id; the "reading" progress runs
 * once over the three (a third each). */
#include "analysis_result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/baseline.h"
#include "input/archive_input.h"

#define LIST_MAX 64 /* archive entries the naming rule looks at */

static const char *const roles[3] = {"baseline", "target", "final"};

typedef struct scaled_progress {
    const lt_analysis_options *outer;
    double from;
} scaled_progress;

static void report_scaled(void *ctx, const char *phase, double percent)
{
    scaled_progress *s = ctx;
    if (!strcmp(phase, "reading"))
        percent = s->from + percent / 3;
    s->outer->progress(s->outer->progress_ctx, phase, percent);
}

/* The options for snapshot `role` (0..2): its reading is a third of the whole. */
static lt_analysis_options options_for(const lt_analysis_options *outer, int role, scaled_progress *s)
{
    lt_analysis_options o = outer ? *outer : (lt_analysis_options){0};
    *s = (scaled_progress){outer, 100.0 * role / 3};
    if (o.progress)
        o.progress = report_scaled, o.progress_ctx = s;
    return o;
}

/* Puts "ROLE snapshot: " before err's message; returns rc. */
static int name_snapshot(lt_error *err, int role, int rc)
{
    if (err) {
        char message[sizeof err->message];
        snprintf(message, sizeof message, "%s", err->message);
        lt_error_set(err, rc, "%s snapshot: %s", roles[role], message);
    }
    return rc;
}

static int read_ids(const lt_snapshot_source *src, int role, const lt_analysis_options *outer, lt_baseline_ids *ids,
                    uint32_t *nodes, lt_error *err)
{
    scaled_progress s;
    lt_analysis_options o = options_for(outer, role, &s);
    lt_graph *g = NULL;
    int rc = lt_read_graph(src->path, src->entry, &o, &g, NULL, err);
    if (!rc) {
        *nodes = g->node_count;
        rc = lt_baseline_ids_of(g, ids, err);
    }
    lt_graph_free(g);
    return rc ? name_snapshot(err, role, rc) : 0;
}

static const char *source_name(const lt_snapshot_source *src)
{
    const char *name = src->entry && *src->entry ? src->entry : src->path, *slash = strrchr(name, '/');
    return slash ? slash + 1 : name; /* never a server's folder */
}

static json_t *three_json(const lt_snapshot_source *const src[3], const lt_baseline_stats *s)
{
    return json_pack("{s:[s,s,s], s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "sources", source_name(src[0]),
                     source_name(src[1]), source_name(src[2]), "baseline_nodes", (json_int_t)s->baseline_nodes,
                     "target_nodes", (json_int_t)s->target_nodes, "final_nodes", (json_int_t)s->final_nodes,
                     "new_in_target", (json_int_t)s->new_in_target, "still_alive", (json_int_t)s->still_alive, "groups",
                     (json_int_t)s->groups, "reported", (json_int_t)s->reported);
}

/* The leaked_since_baseline findings of an analysed final snapshot. */
static int find_leaked(lt_analysis *a, const lt_baseline_ids *new_ids, lt_baseline_stats *stats, lt_error *err)
{
    lt_heap_view view = {.g = a->graph,
                         .tree = &a->tree,
                         .distance = a->distance,
                         .parent_edge = a->parent_edge,
                         .classes = &a->classes,
                         .total_size = a->total_self_size};
    lt_findings found = {0};
    int rc = lt_baseline_find(&view, new_ids, stats, &found, err);
    if (lt_findings_move(&a->findings, &found) && !rc)
        rc = lt_error_set(err, LT_ENOMEM, "out of memory collecting findings");
    lt_findings_rank(&a->findings);
    return rc;
}

static int analyze_final(const lt_snapshot_source *const src[3], const lt_analysis_options *outer,
                         const lt_baseline_ids *new_ids, lt_baseline_stats *stats, lt_analysis **out, lt_error *err)
{
    scaled_progress s;
    lt_analysis_options o = options_for(outer, 2, &s);
    int rc = lt_analyze_entry(src[2]->path, src[2]->entry, &o, out, err);
    if (rc)
        return name_snapshot(err, 2, rc);
    stats->final_nodes = (*out)->graph->node_count;
    if (!o.skip_findings)
        rc = find_leaked(*out, new_ids, stats, err);
    if (!rc && !((*out)->three_snapshots = three_json(src, stats)))
        rc = lt_error_set(err, LT_ENOMEM, "out of memory describing three snapshots");
    if (rc) {
        lt_analysis_free(*out);
        *out = NULL;
    }
    return rc;
}

int lt_analyze_three(const lt_snapshot_source *baseline, const lt_snapshot_source *target,
                     const lt_snapshot_source *final, const lt_analysis_options *options, lt_analysis **out,
                     lt_error *err)
{
    const lt_snapshot_source *const src[3] = {baseline, target, final};
    lt_baseline_ids before = {0}, new_ids = {0};
    lt_baseline_stats stats = {0};
    *out = NULL;
    int rc = read_ids(baseline, 0, options, &before, &stats.baseline_nodes, err);
    if (!rc)
        rc = read_ids(target, 1, options, &new_ids, &stats.target_nodes, err);
    if (!rc)
        lt_baseline_ids_subtract(&new_ids, &before);
    lt_baseline_ids_free(&before);
    if (!rc)
        rc = analyze_final(src, options, &new_ids, &stats, out, err);
    lt_baseline_ids_free(&new_ids);
    return rc;
}

/* ---- which entries of an archive ---------------------------------------------------- */

/* The only name among names[0..n) whose base name contains word (ignoring
 * case), or -1 (none, or more than one). */
static int only_name_with(char (*names)[LT_INPUT_ENTRY_MAX], uint32_t n, const char *word)
{
    int found = -1;
    for (uint32_t i = 0; i < n; i++) {
        const char *base = strrchr(names[i], '/');
        if (!strcasestr(base ? base + 1 : names[i], word))
            continue;
        if (found >= 0)
            return -1;
        found = (int)i;
    }
    return found;
}

/* 1 with entries set when names[0..n) (of count in all) make a set. */
static int pick_entries(char (*names)[LT_INPUT_ENTRY_MAX], uint32_t n, uint32_t count,
                        char entries[3][LT_THREE_ENTRY_MAX])
{
    int at[3];
    for (int r = 0; r < 3; r++)
        at[r] = only_name_with(names, n, roles[r]);
    int named = at[0] >= 0 && at[1] >= 0 && at[2] >= 0 && at[0] != at[1] && at[1] != at[2] && at[0] != at[2];
    if (!named && count != 3)
        return 0;
    for (int r = 0; r < 3; r++)
        snprintf(entries[r], LT_THREE_ENTRY_MAX, "%s", names[named ? at[r] : r]);
    return 1;
}

int lt_three_snapshot_entries(const char *path, char entries[3][LT_THREE_ENTRY_MAX], lt_error *err)
{
    if (!path || !strcmp(path, "-"))
        return 0;
    char(*names)[LT_INPUT_ENTRY_MAX] = malloc(LIST_MAX * sizeof *names);
    if (!names)
        return lt_error_set(err, LT_ENOMEM, "out of memory listing an archive");
    uint32_t count = 0;
    int rc = lt_input_list_snapshots(path, names, LIST_MAX, &count, err);
    if (!rc)
        rc = pick_entries(names, count < LIST_MAX ? count : LIST_MAX, count, entries);
    free(names);
    return rc;
}
