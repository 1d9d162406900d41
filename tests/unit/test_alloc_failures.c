/* Out of memory is reported as out of memory. A real snapshot is read again
 * and again with the Nth allocation of the reading failing, for every N up to
 * the number of allocations a clean reading makes; then the stages after
 * reading (DOM state to findings) run again and again on copies of the graph
 * with their Nth allocation failing, for every N likewise; and so do the
 * distances alone on a generated graph wide enough that their queue grows
 * (wide_graph.h), which the fixture is too small for. Each run either
 * succeeds with the same report as the clean run (the failure was absorbed)
 * or fails with LT_ENOMEM and a message saying "out of memory": never
 * LT_EINPUT (which would tell the user the snapshot is bad, and the service
 * to give up on it), never a crash, and no block allocated in a run outlives
 * it (counted here; LeakSanitizer checks the same in the ASan build).
 *
 * The hook: this executable alone is linked with -Wl,--wrap for malloc,
 * calloc, realloc, free, strdup, posix_memalign and vasprintf (see
 * tests/CMakeLists.txt), so every such call the analysis library makes comes
 * here; jansson's allocations come through json_set_alloc_funcs. Allocations
 * inside other shared libraries (libarchive, zlib, libc itself) are not
 * counted. One exception: jansson's parser does not report its own
 * allocation failures faithfully (a failed string buffer becomes a syntax
 * error, a failed byte append silently drops the byte), so the first run of
 * jansson allocations of the reading (loading the snapshot header) is not
 * failed. Environment: LT_ALLOC_STRIDE=K tries every Kth N only;
 * LT_ALLOC_TRACE=1 prints where each failed allocation was made. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <execinfo.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_result.h"
#include "devtools/distances.h"
#include "input/archive_input.h"
#include "report.h"
#include "snapshot/snapshot_reader.h"
#include "wide_graph.h"

#define FIXTURE LT_FIXTURES "/findings/seed-async-2000.heapsnapshot.gz"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
char *__real_strdup(const char *s);
int __real_posix_memalign(void **p, size_t alignment, size_t size);
int __real_vasprintf(char **out, const char *fmt, va_list ap);

/* The hook's state: armed only while the analysis runs. fail_at is the
 * 1-based number of the allocation to fail (0: none). */
static atomic_bool armed;
static atomic_ulong allocations, fail_at, failed;
static atomic_long live_blocks;

#define MAX_ALLOCATIONS (1u << 16)
static _Thread_local bool in_jansson;       /* the allocation comes through jansson's hook */
static uint8_t by_jansson[MAX_ALLOCATIONS]; /* per allocation number of the clean run */

/* True when this allocation is to fail; counts it otherwise. */
static int refuse(void)
{
    if (!atomic_load(&armed))
        return 0;
    unsigned long n = atomic_fetch_add(&allocations, 1) + 1;
    if (!atomic_load(&fail_at) && n < MAX_ALLOCATIONS)
        by_jansson[n] = in_jansson;
    if (n != atomic_load(&fail_at))
        return 0;
    atomic_fetch_add(&failed, 1);
    if (getenv("LT_ALLOC_TRACE")) { /* where the failing allocation is made */
        void *frames[16];
        backtrace_symbols_fd(frames, backtrace(frames, 16), 2);
    }
    return 1;
}

static void *counted(void *p)
{
    if (p && atomic_load(&armed))
        atomic_fetch_add(&live_blocks, 1);
    return p;
}

void *__wrap_malloc(size_t size)
{
    return refuse() ? NULL : counted(__real_malloc(size));
}

void *__wrap_calloc(size_t count, size_t size)
{
    return refuse() ? NULL : counted(__real_calloc(count, size));
}

char *__wrap_strdup(const char *s)
{
    return refuse() ? NULL : counted(__real_strdup(s));
}

void *__wrap_realloc(void *p, size_t size)
{
    if (refuse())
        return NULL;
    return p ? __real_realloc(p, size) : counted(__real_realloc(p, size));
}

void __wrap_free(void *p)
{
    if (p && atomic_load(&armed))
        atomic_fetch_sub(&live_blocks, 1);
    __real_free(p);
}

int __wrap_posix_memalign(void **p, size_t alignment, size_t size)
{
    if (refuse())
        return 12; /* ENOMEM */
    int rc = __real_posix_memalign(p, alignment, size);
    if (!rc)
        counted(*p);
    return rc;
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
    if (refuse())
        return -1;
    int n = __real_vasprintf(out, fmt, ap);
    if (n >= 0)
        counted(*out);
    return n;
}

static void *json_malloc(size_t size)
{
    in_jansson = true;
    void *p = __wrap_malloc(size);
    in_jansson = false;
    return p;
}

static void json_free(void *p)
{
    __wrap_free(p);
}

/* The report of a run that succeeded, as text (free it); made unhooked. */
static char *report_text(lt_graph *g)
{
    lt_analysis *a = NULL;
    lt_error err = {0};
    if (lt_analyze_graph(g, NULL, &a, &err))
        return NULL;
    json_t *doc = lt_report_json(a, 50);
    char *text = doc ? json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    json_decref(doc);
    lt_analysis_free(a);
    return text;
}

static lt_graph *copy_graph(const lt_graph *g);

/* Fails the Nth allocation from now on (0: none), counting blocks from 0. */
static void arm(unsigned long n)
{
    atomic_store(&live_blocks, 0);
    atomic_store(&allocations, 0);
    atomic_store(&failed, 0);
    atomic_store(&fail_at, n);
    atomic_store(&armed, true);
}

/* A copy of g whose blocks count as live (the analysis frees them), then
 * arms for allocation n. */
static lt_graph *arm_with_copy(const lt_graph *g, unsigned long n)
{
    arm(0);
    lt_graph *copy = copy_graph(g);
    atomic_store(&allocations, 0);
    atomic_store(&fail_at, n);
    return copy;
}

static int feed(void *reader, const char *buf, size_t len, lt_error *err)
{
    return lt_reader_feed(reader, buf, len, err);
}

/* The reading stage as lt_analyze_file runs it: file -> bytes -> graph. */
static int read_graph(lt_graph **g, lt_error *err)
{
    lt_reader *r = lt_reader_new(err);
    if (!r)
        return err->code;
    int rc = lt_input_stream(FIXTURE, feed, NULL, r, NULL, err);
    if (!rc)
        rc = lt_reader_finish(r, g, err);
    lt_reader_free(r);
    return rc;
}

/* A deep copy of g, made unhooked (the analysis stages change their graph). */
static lt_graph *copy_graph(const lt_graph *g)
{
    lt_graph *c = malloc(sizeof *c);
    assert_non_null(c);
    *c = *g;
    size_t n = g->node_count ? g->node_count : 1, m = g->edge_count ? g->edge_count : 1;
#define COPY(field, count)                                                                                             \
    do {                                                                                                               \
        c->field = g->field ? malloc((count) * sizeof *g->field) : NULL;                                               \
        if (g->field)                                                                                                  \
            memcpy(c->field, g->field, (count) * sizeof *g->field);                                                    \
    } while (0)
    COPY(node_type, n);
    COPY(node_name, n);
    COPY(id_blocks, ((size_t)g->node_count + LT_ID_BLOCK - 1) / LT_ID_BLOCK + 1);
    COPY(id_listed, g->id_listed_capacity);
    COPY(self_size, n);
    COPY(first_edge, n + 1);
    COPY(detachedness, n);
    COPY(edge_to, lt_index_array_bytes(m, g->edge_to_width));
    COPY(edge_code, m);
    COPY(edge_names, (size_t)LT_EDGE_TYPE_MAX * LT_EDGE_CODES);
    COPY(escape_name, g->escape_count ? g->escape_count : 1);
    COPY(escape_base, (m >> LT_ESCAPE_BLOCK_SHIFT) + 1);
    COPY(edge_source_hint, ((size_t)g->edge_count >> LT_SOURCE_HINT_SHIFT) + 1);
    COPY(rare_names, g->rare_name_capacity);
    COPY(string_offset, g->string_offset_capacity);
    COPY(string_data, g->string_data_capacity);
    COPY(locations, g->location_count ? g->location_count : 1);
    COPY(positions, g->position_count ? g->position_count : 1);
#undef COPY
    for (int i = 0; i < LT_MAX_TYPES; i++) {
        c->node_type_names[i] = g->node_type_names[i] ? strdup(g->node_type_names[i]) : NULL;
        c->edge_type_names[i] = g->edge_type_names[i] ? strdup(g->edge_type_names[i]) : NULL;
    }
    return c;
}

/* Checks one run's outcome: success with the clean run's report, or
 * LT_ENOMEM saying so; and nothing left allocated. Counts into *absorbed or
 * *refused. */
static void check_outcome(unsigned long n, int rc, const lt_error *e, const char *report, const char *expected,
                          unsigned long *absorbed, unsigned long *refused)
{
    if (rc == 0 && strcmp(report ? report : "", expected))
        fail_msg("allocation %lu failed, the analysis succeeded with another report", n);
    if (rc && (rc != LT_ENOMEM || !strstr(e->message, "out of memory")))
        fail_msg("allocation %lu failed: code %d (%s), message \"%s\"", n, rc, lt_strerror(rc), e->message);
    if (atomic_load(&live_blocks) != 0)
        fail_msg("allocation %lu failed: %ld blocks left allocated", n, (long)atomic_load(&live_blocks));
    *(rc ? refused : absorbed) += 1;
}

static unsigned long stride_from_env(void)
{
    const char *s = getenv("LT_ALLOC_STRIDE");
    return s && atol(s) > 0 ? (unsigned long)atol(s) : 1;
}

/* Reading: every allocation of reading the fixture fails once (but for the
 * header's parse by jansson, see the top). */
static void reading_fails_with_out_of_memory(void **state)
{
    (void)state;
    lt_error err = {0};
    lt_graph *g = NULL;
    arm(0);
    assert_int_equal(read_graph(&g, &err), 0);
    atomic_store(&armed, false);
    unsigned long total = atomic_load(&allocations), absorbed = 0, refused = 0, from = 1, to;
    assert_true(total < MAX_ALLOCATIONS);
    while (from <= total && !by_jansson[from])
        from++;
    for (to = from; to <= total && by_jansson[to]; to++)
        ;
    char *expected = report_text(g);
    assert_non_null(expected);
    fprintf(stderr, "reading makes %lu allocations (%lu-%lu: jansson loading the header)\n", total, from, to - 1);
    for (unsigned long n = 1; n <= total; n += stride_from_env()) {
        if (n >= from && n < to)
            continue;
        lt_error e = {0};
        lt_graph *got = NULL;
        arm(n);
        int rc = read_graph(&got, &e);
        if (rc) {
            lt_graph_free(got);
            atomic_store(&armed, false);
            check_outcome(n, rc, &e, NULL, expected, &absorbed, &refused);
            continue;
        }
        /* Absorbed (the prefault thread's own allocation may fail: reading goes on without
         * it): the report is made still armed (the Nth allocation is past, nothing more
         * fails), so the graph it frees and its own blocks are counted out again. */
        char *report = report_text(got);
        int same = report && !strcmp(report, expected);
        free(report);
        atomic_store(&armed, false);
        check_outcome(n, rc, &e, same ? expected : "", expected, &absorbed, &refused);
    }
    fprintf(stderr, "%lu runs failed with LT_ENOMEM, %lu absorbed the failure\n", refused, absorbed);
    free(expected);
}

/* The stages after reading, on copies of the graph read: every allocation
 * fails once. */
static void analysis_fails_with_out_of_memory(void **state)
{
    (void)state;
    lt_error err = {0};
    lt_graph *g = NULL;
    assert_int_equal(read_graph(&g, &err), 0);
    char *expected = report_text(copy_graph(g));
    assert_non_null(expected);
    lt_analysis *a = NULL;
    lt_graph *copy = arm_with_copy(g, 0);
    assert_int_equal(lt_analyze_graph(copy, NULL, &a, &err), 0);
    lt_analysis_free(a);
    atomic_store(&armed, false);
    unsigned long total = atomic_load(&allocations), absorbed = 0, refused = 0;
    fprintf(stderr, "the stages after reading make %lu allocations\n", total);
    for (unsigned long n = 1; n <= total; n += stride_from_env()) {
        lt_error e = {0};
        copy = arm_with_copy(g, n);
        a = NULL;
        int rc = lt_analyze_graph(copy, NULL, &a, &e);
        atomic_store(&armed, false);
        char *report = NULL;
        if (!rc) {
            json_t *doc = lt_report_json(a, 50);
            report = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
            json_decref(doc);
        }
        atomic_store(&armed, true);
        lt_analysis_free(a);
        atomic_store(&armed, false);
        check_outcome(n, rc, &e, report, expected, &absorbed, &refused);
        free(report);
    }
    fprintf(stderr, "%lu runs failed with LT_ENOMEM, %lu absorbed the failure\n", refused, absorbed);
    lt_graph_free(g);
    free(expected);
}

/* The distances alone, on a graph whose frontier makes their queue grow three times (a
 * growth is a realloc, which the fixture above is too small to reach): every allocation
 * fails once, and the run fails with LT_ENOMEM, or succeeds with the same answer. */
static void distances_fail_with_out_of_memory(void **state)
{
    (void)state;
    wide_graph *w = wide_graph_fan();
    lt_error err = {0};
    uint32_t *want_parent = NULL;
    arm(0);
    int32_t *want = lt_distances_compute(w->g, &w->weakmaps, NULL, &want_parent, &err);
    atomic_store(&armed, false);
    assert_non_null(want);
    unsigned long total = atomic_load(&allocations), absorbed = 0, refused = 0;
    fprintf(stderr, "the distances make %lu allocations\n", total);
    for (unsigned long n = 1; n <= total; n += stride_from_env()) {
        lt_error e = {0};
        uint32_t *parent = NULL;
        arm(n);
        int32_t *distance = lt_distances_compute(w->g, &w->weakmaps, NULL, &parent, &e);
        int same = distance && !memcmp(distance, want, w->node_count * sizeof *want) &&
                   !memcmp(parent, want_parent, w->node_count * sizeof *parent);
        free(distance), free(parent); /* still armed: counted out again */
        atomic_store(&armed, false);
        if (distance && !same)
            fail_msg("allocation %lu failed, the distances succeeded with another answer", n);
        if (!distance && (e.code != LT_ENOMEM || !strstr(e.message, "out of memory") || parent))
            fail_msg("allocation %lu failed: code %d, message \"%s\"", n, e.code, e.message);
        if (atomic_load(&live_blocks) != 0)
            fail_msg("allocation %lu failed: %ld blocks left allocated", n, (long)atomic_load(&live_blocks));
        *(distance ? &absorbed : &refused) += 1;
    }
    fprintf(stderr, "%lu runs failed with LT_ENOMEM, %lu absorbed the failure\n", refused, absorbed);
    free(want);
    free(want_parent);
    wide_graph_free(w);
}

int main(void)
{
    json_set_alloc_funcs(json_malloc, json_free);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reading_fails_with_out_of_memory),
        cmocka_unit_test(analysis_fails_with_out_of_memory),
        cmocka_unit_test(distances_fail_with_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
