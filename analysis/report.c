#include "report.h"

#include "analysis_result.h"
#include "findings/findings.h"
#include "util/json_build.h"

#include <stdlib.h>
#include <string.h>

uint32_t lt_report_top_retainers(const lt_analysis *a, uint32_t n, uint32_t *top)
{
    return lt_dominator_tree_top(&a->tree, a->graph->node_count, a->graph->root, n, top);
}

/* ---- classes sorted by retained size, stable ------------------------------ */

static int by_retained(const void *x, const void *y, void *ctx)
{
    const lt_classes *c = ctx;
    const lt_class *a = &c->items[*(const uint32_t *)x], *b = &c->items[*(const uint32_t *)y];
    if (a->retained_size != b->retained_size)
        return a->retained_size > b->retained_size ? -1 : 1;
    return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

static uint32_t *sorted_classes(const lt_analysis *a)
{
    uint32_t n = a->classes.count, *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, by_retained, (void *)&a->classes);
    return order;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *node_json(const lt_analysis *a, uint32_t v)
{
    const lt_graph *g = a->graph;
    json_t *name = lt_json_name(lt_graph_node_name(g, v));
    return json_pack("{s:I, s:s, s:o, s:s, s:I, s:I, s:i, s:I}", "id", (json_int_t)lt_graph_node_id(g, v), "type",
                     lt_graph_node_type_name(g, v), "name", name ? name : json_string("?"), "class",
                     lt_graph_string(g, lt_class_name(&a->classes, g, v)), "self_size", (json_int_t)g->self_size[v],
                     "retained_size", (json_int_t)lt_retained(&a->tree, v), "distance", (int)a->distance[v],
                     "dominator_id", (json_int_t)lt_graph_node_id(g, a->tree.dominator[v]));
}

static json_t *class_json(const lt_analysis *a, const lt_class *c)
{
    char key[2048];
    lt_classes_key(a->graph, c, key, sizeof key);
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:i}", "class", lt_graph_string(a->graph, c->name), "key", key, "count",
                     (json_int_t)c->count, "shallow_size", (json_int_t)c->shallow_size, "retained_size",
                     (json_int_t)c->retained_size, "distance", (int)c->distance);
}

static json_t *retainers_json(const lt_analysis *a, uint32_t top)
{
    json_t *list = json_array();
    uint32_t *nodes = malloc((top ? top : 1) * sizeof *nodes);
    if (!list || !nodes) {
        free(nodes);
        json_decref(list);
        return NULL;
    }
    uint32_t n = lt_report_top_retainers(a, top, nodes);
    for (uint32_t i = 0; list && i < n; i++)
        lt_json_append(&list, node_json(a, nodes[i]));
    free(nodes);
    return list;
}

static json_t *classes_json(const lt_analysis *a, uint32_t top)
{
    json_t *list = json_array();
    uint32_t *order = sorted_classes(a);
    if (!list || !order) {
        free(order);
        json_decref(list);
        return NULL;
    }
    for (uint32_t i = 0; list && i < a->classes.count && i < top; i++)
        lt_json_append(&list, class_json(a, &a->classes.items[order[i]]));
    free(order);
    return list;
}

/* What the numbers cannot show by themselves, in words ("" when nothing). */
static void wrapped_note(const lt_graph *g, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!g->wrapped_self_count)
        return;
    uint32_t v = g->wrapped_self_node;
    snprintf(buf, len,
             "%u node(s) have a self size past 2^32-1 bytes, e.g. @%u (%s) with %llu bytes; they are counted modulo "
             "2^32 (here %u bytes), as Chrome DevTools counts them",
             g->wrapped_self_count, lt_graph_node_id(g, v), lt_graph_node_name(g, v),
             (unsigned long long)g->wrapped_self_size, g->self_size[v]);
}

json_t *lt_report_json(const lt_analysis *a, uint32_t top)
{
    const lt_graph *g = a->graph;
    json_t *snapshot =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:I, s:I}", "node_count", (json_int_t)g->node_count, "edge_count",
                  (json_int_t)g->edge_count, "total_self_size", (json_int_t)a->total_self_size, "root_retained_size",
                  (json_int_t)lt_retained(&a->tree, g->root), "unreachable_count", (json_int_t)a->tree.unreachable,
                  "input_format", a->input.format, "uncompressed_bytes", (json_int_t)a->input.uncompressed_bytes,
                  "compressed_bytes", (json_int_t)a->input.compressed_bytes);
    char note[512];
    wrapped_note(g, note, sizeof note);
    if (note[0])
        lt_json_set(&snapshot, "warnings", json_pack("[s]", note));
    json_t *doc = json_pack("{s:o, s:o, s:o, s:o}", "snapshot", snapshot, "top_retainers", retainers_json(a, top),
                            "classes", classes_json(a, top), "findings", lt_findings_json(&a->findings));
    if (a->clusters)
        lt_json_set(&doc, "clusters", json_incref(a->clusters));
    if (a->three_snapshots)
        lt_json_set(&doc, "three_snapshots", json_incref(a->three_snapshots));
    return doc;
}

/* ---- text ---------------------------------------------------------------- */

static double percent_of(const lt_analysis *a, uint64_t bytes)
{
    return a->total_self_size ? 100.0 * (double)bytes / (double)a->total_self_size : 0;
}

static void text_findings(const lt_analysis *a, FILE *out)
{
    if (!a->findings.count) {
        fprintf(out, "\nFindings: none\n");
        return;
    }
    fprintf(out, "\nFindings\n");
    for (uint32_t i = 0; i < a->findings.count; i++) {
        const lt_finding *f = &a->findings.items[i];
        fprintf(out, "  %u. [%s] %s\n", i + 1, lt_finding_kind_name(f->kind), f->title);
        if (f->fix)
            fprintf(out, "     fix: %s\n", f->fix);
        fprintf(out, "     fingerprint: %s\n", f->fingerprint);
    }
}

static void text_retainers(const lt_analysis *a, uint32_t top, FILE *out)
{
    uint32_t *nodes = malloc((top ? top : 1) * sizeof *nodes);
    if (!nodes)
        return;
    uint32_t n = lt_report_top_retainers(a, top, nodes);
    fprintf(out, "\nTop retainers\n  %-28s %-32s %10s %10s %10s %7s %9s\n", "class", "name", "id", "shallow",
            "retained", "% heap", "distance");
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = nodes[i];
        char shallow[32], retained[32];
        lt_format_size(a->graph->self_size[v], shallow, sizeof shallow);
        lt_format_size(lt_retained(&a->tree, v), retained, sizeof retained);
        fprintf(out, "  %-28.28s %-32.32s %10u %10s %10s %6.1f%% %9d\n",
                lt_graph_string(a->graph, lt_class_name(&a->classes, a->graph, v)), lt_graph_node_name(a->graph, v),
                lt_graph_node_id(a->graph, v), shallow, retained, percent_of(a, lt_retained(&a->tree, v)),
                a->distance[v]);
    }
    free(nodes);
}

static void text_classes(const lt_analysis *a, uint32_t top, FILE *out)
{
    uint32_t *order = sorted_classes(a);
    if (!order)
        return;
    fprintf(out, "\nClasses\n  %-44s %10s %10s %10s %7s\n", "class", "count", "shallow", "retained", "% heap");
    for (uint32_t i = 0; i < a->classes.count && i < top; i++) {
        const lt_class *c = &a->classes.items[order[i]];
        char shallow[32], retained[32];
        lt_format_size(c->shallow_size, shallow, sizeof shallow);
        lt_format_size(c->retained_size, retained, sizeof retained);
        fprintf(out, "  %-44.44s %10llu %10s %10s %6.1f%%\n", lt_graph_string(a->graph, c->name),
                (unsigned long long)c->count, shallow, retained, percent_of(a, c->retained_size));
    }
    free(order);
}

int lt_report_text(const lt_analysis *a, uint32_t top, FILE *out)
{
    char total[32];
    lt_format_size(a->total_self_size, total, sizeof total);
    fprintf(out, "Snapshot: %u nodes, %u edges, %s in all (%llu bytes)", a->graph->node_count, a->graph->edge_count,
            total, (unsigned long long)a->total_self_size);
    if (a->input.format[0])
        fprintf(out, ", read from %s%s%s", a->input.format, a->input.entry[0] ? " entry " : "", a->input.entry);
    fprintf(out, "\n");
    char note[512];
    wrapped_note(a->graph, note, sizeof note);
    if (note[0])
        fprintf(out, "Note: %s\n", note);
    if (a->tree.unreachable)
        fprintf(out, "Note: %u nodes are not reachable from the GC roots (placed under the root, as DevTools does)\n",
                a->tree.unreachable);
    if (a->three_snapshots)
        fprintf(out,
                "Three snapshots: %lld nodes new in the target (absent from the baseline); %lld objects and "
                "closures among them still alive in this final snapshot\n",
                json_integer_value(json_object_get(a->three_snapshots, "new_in_target")),
                json_integer_value(json_object_get(a->three_snapshots, "still_alive")));
    text_findings(a, out);
    text_retainers(a, top, out);
    text_classes(a, top, out);
    return ferror(out) ? LT_EIO : 0;
}

int lt_report_nodes_tsv(const lt_analysis *a, FILE *out)
{
    const lt_graph *g = a->graph;
    fputs("# id self_size retained_size dominator_id distance\n", out);
    for (uint32_t v = 0; v < g->node_count; v++)
        fprintf(out, "%u\t%u\t%llu\t%u\t%d\n", lt_graph_node_id(g, v), g->self_size[v],
                (unsigned long long)lt_retained(&a->tree, v), lt_graph_node_id(g, a->tree.dominator[v]),
                a->distance[v]);
    return ferror(out) ? LT_EIO : 0;
}
