/* test_path_samples: the retainer-path samples of the cluster findings (clusters.h) taken
 * in one go, slice by slice (a stop flag set before each call: every call gets on by one
 * slice of 4096 nodes and the next goes on from there), or not at all before the scan
 * (it takes them itself) give the same cluster view and the same findings: on a real
 * snapshot with one retainer cluster (4,000 sessions in a Map), and on a recursive-chain
 * snapshot whose many same-shaped contexts make candidate clusters (which the chain
 * explains in a whole analysis; here, without the chain, they are reported). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "analysis_result.h"
#include "findings/clusters.h"
#include "fixture_analysis.h"

/* The view of an analysis, as the findings stage sees it. */
static lt_heap_view view_of(const lt_analysis *a)
{
    return (lt_heap_view){.g = a->graph,
                          .tree = &a->tree,
                          .distance = a->distance,
                          .parent_edge = a->parent_edge,
                          .classes = &a->classes,
                          .total_size = a->total_self_size};
}

typedef struct outcome {
    json_t *view;      /* the object cluster view */
    lt_findings found; /* detached DOM, retainer clusters, large retainers */
    uint32_t calls;    /* lt_clusters_sample calls before the scan */
    uint32_t sampled;  /* paths sampled (once every node was looked at) */
    int done_early;    /* every node looked at before the scan */
} outcome;

/* Samples with `calls` calls of lt_clusters_sample (stop set, so one slice each; 0: none,
 * UINT32_MAX: one call without a stop flag), then scans and reports. */
static outcome clusters_of(const lt_analysis *a, uint32_t calls)
{
    lt_heap_view v = view_of(a);
    outcome o = {0};
    lt_cluster_scan *scan = NULL;
    lt_error err = {0};
    atomic_int stop;
    atomic_init(&stop, 1);
    if (calls == UINT32_MAX)
        assert_int_equal(lt_clusters_sample(&v, &scan, NULL, &err), 0);
    for (uint32_t i = 0; calls != UINT32_MAX && i < calls; i++)
        assert_int_equal(lt_clusters_sample(&v, &scan, &stop, &err), 0);
    if (scan)
        (void)lt_clusters_sampled(scan, &o.done_early);
    assert_int_equal(lt_clusters_sample(&v, &scan, NULL, &err), 0); /* the rest (the scan would take it) */
    int done = 0;
    o.sampled = lt_clusters_sampled(scan, &done);
    assert_true(done);
    assert_int_equal(lt_clusters_scan(&v, &scan, &o.view, &o.found, &err), 0);
    assert_int_equal(lt_clusters_report(&v, scan, &o.found, &err), 0);
    lt_cluster_scan_free(scan);
    o.calls = calls;
    return o;
}

static void assert_same(const outcome *x, const outcome *y)
{
    if (x->sampled != y->sampled)
        fail_msg("%u paths sampled after %u calls, %u after %u", x->sampled, x->calls, y->sampled, y->calls);
    if (!json_equal(x->view, y->view))
        fail_msg("the cluster view differs after %u and %u sampling calls", x->calls, y->calls);
    assert_int_equal(x->found.count, y->found.count);
    for (uint32_t i = 0; i < x->found.count; i++) {
        const lt_finding *f = &x->found.items[i], *g = &y->found.items[i];
        if (strcmp(f->title, g->title) || !json_equal(f->details, g->details))
            fail_msg("finding %u differs after %u and %u sampling calls:\n  %s\n  %s", i, x->calls, y->calls, f->title,
                     g->title);
    }
}

static void outcome_free(outcome *o)
{
    json_decref(o->view);
    lt_findings_free(&o->found);
}

static uint32_t count_kind(const lt_findings *f, lt_finding_kind kind)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->count; i++)
        n += f->items[i].kind == kind;
    return n;
}

/* Every way of sampling gives the one-go outcome (with `clusters` retainer clusters, the
 * analysis's own `analysed`); slice by slice stopping before the end (the scan takes the
 * rest), at the end, and past it. */
static void check_fixture(const char *name, uint32_t clusters, uint32_t analysed)
{
    lt_analysis *a = fixture_analyze(name);
    uint32_t slices = (a->graph->node_count + 4095) / 4096;
    assert_true(slices > 4);
    outcome whole = clusters_of(a, UINT32_MAX);
    assert_int_equal(count_kind(&whole.found, LT_FINDING_RETAINER_CLUSTER), clusters);
    assert_int_equal(count_kind(&a->findings, LT_FINDING_RETAINER_CLUSTER), analysed);
    const uint32_t calls[] = {0, 1, 2, slices / 2, slices - 1, slices, slices + 3};
    assert_true(whole.sampled > 0);
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        outcome o = clusters_of(a, calls[i]);
        assert_int_equal(o.done_early, calls[i] >= slices); /* one slice a call, no more */
        assert_same(&whole, &o);
        outcome_free(&o);
    }
    outcome_free(&whole);
    lt_analysis_free(a);
}

static void samples_taken_slice_by_slice_are_the_samples_taken_at_once(void **state)
{
    (void)state;
    check_fixture("findings/registry-cache", 1, 1);
}

static void many_candidate_classes_resume_alike(void **state)
{
    (void)state;
    check_fixture("seed-co", 15, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(samples_taken_slice_by_slice_are_the_samples_taken_at_once),
        cmocka_unit_test(many_candidate_classes_resume_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
