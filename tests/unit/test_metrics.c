/* metrics (server/metrics): the Prometheus text exposition (format 0.0.4) of what was
 * recorded — counters with exact values, histograms with cumulative buckets, +Inf, _sum
 * and _count, HTTP requests labelled by route pattern (unmatched paths by method, unknown
 * methods as OTHER), label values escaped, the database gauges only when they were read —
 * and counts that stay exact when threads record at once (atomics). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static const char *const route_names[] = {"/api/v1/apps/{app}/snapshots", "/odd/\"quoted\"\\back\nline"};
static const char *const route_methods[] = {"POST", "GET"};

static lt_metrics *registry(void)
{
    lt_metrics_config c = {
        .route_names = route_names, .route_methods = route_methods, .route_count = 2, .workers = 3, .version = "1.2.3"};
    lt_metrics *m = lt_metrics_new(&c);
    assert_non_null(m);
    return m;
}

static char *render(lt_metrics *m, const lt_metrics_gauges *g)
{
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(lt_metrics_render(m, g, &text, &len), 0);
    assert_int_equal(strlen(text), len);
    return text;
}

/* Asserts that text holds line as a whole line. */
static void has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p += n)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return;
    fail_msg("missing line: %s", line);
}

static void counters_and_gauges_have_their_exact_values(void **state)
{
    (void)state;
    lt_metrics *m = registry();
    lt_metrics_upload(m, 100);
    lt_metrics_upload(m, 23);
    lt_metrics_job_started(m, 0.2);
    lt_metrics_gauges g = {.pool_in_use = 2, .pool_idle = 5, .pool_size = 24};
    char *text = render(m, &g);
    has_line(text, "# TYPE leaktriage_uploads_total counter");
    has_line(text, "leaktriage_uploads_total 2");
    has_line(text, "leaktriage_upload_bytes_total 123");
    has_line(text, "leaktriage_workers 3");
    has_line(text, "leaktriage_workers_busy 1");
    has_line(text, "leaktriage_db_pool_connections{state=\"in_use\"} 2");
    has_line(text, "leaktriage_db_pool_connections{state=\"idle\"} 5");
    has_line(text, "leaktriage_db_pool_size 24");
    has_line(text, "leaktriage_build_info{version=\"1.2.3\"} 1");
    assert_non_null(strstr(text, "\nprocess_start_time_seconds 1"));
    assert_null(strstr(text, "leaktriage_analyses{")); /* not read from the database: left out */
    free(text);
    lt_metrics_free(m);
}

static void histograms_are_cumulative_with_inf_sum_and_count(void **state)
{
    (void)state;
    lt_metrics *m = registry();
    double durations[] = {0.05, 0.3, 7200};
    for (size_t i = 0; i < 3; i++) {
        lt_metrics_job_started(m, 0);
        lt_metrics_job_ended(m, durations[i]);
    }
    lt_metrics_gauges g = {0};
    char *text = render(m, &g);
    has_line(text, "# TYPE leaktriage_analysis_duration_seconds histogram");
    has_line(text, "leaktriage_analysis_duration_seconds_bucket{le=\"0.1\"} 1");
    has_line(text, "leaktriage_analysis_duration_seconds_bucket{le=\"0.25\"} 1");
    has_line(text, "leaktriage_analysis_duration_seconds_bucket{le=\"0.5\"} 2");
    has_line(text, "leaktriage_analysis_duration_seconds_bucket{le=\"3600\"} 2");
    has_line(text, "leaktriage_analysis_duration_seconds_bucket{le=\"+Inf\"} 3");
    has_line(text, "leaktriage_analysis_duration_seconds_sum 7200.350000");
    has_line(text, "leaktriage_analysis_duration_seconds_count 3");
    has_line(text, "leaktriage_queue_wait_seconds_bucket{le=\"0.01\"} 3");
    has_line(text, "leaktriage_workers_busy 0");
    free(text);
    lt_metrics_free(m);
}

static void http_requests_are_labelled_by_route_and_escaped(void **state)
{
    (void)state;
    lt_metrics *m = registry();
    lt_metrics_http(m, 0, "POST", 202, 0.01);
    lt_metrics_http(m, 0, "POST", 202, 0.02);
    lt_metrics_http(m, 1, "GET", 200, 0.001);
    lt_metrics_http(m, -1, "GET", 404, 0.001);
    lt_metrics_http(m, -1, "BREW", 405, 0.001);
    lt_metrics_http(m, 7, "GET", 404, 0.001); /* no such route: unmatched */
    lt_metrics_http(m, 0, "POST", 0, 2);      /* no answer: timed only */
    lt_metrics_gauges g = {0};
    char *text = render(m, &g);
    has_line(text,
             "leaktriage_http_requests_total{route=\"/api/v1/apps/{app}/snapshots\",method=\"POST\",status=\"202\"} 2");
    has_line(
        text,
        "leaktriage_http_requests_total{route=\"/odd/\\\"quoted\\\"\\\\back\\nline\",method=\"GET\",status=\"200\"} 1");
    has_line(text, "leaktriage_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 2");
    has_line(text, "leaktriage_http_requests_total{route=\"unmatched\",method=\"OTHER\",status=\"405\"} 1");
    has_line(text, "leaktriage_http_request_duration_seconds_count 7");
    has_line(text, "leaktriage_http_request_duration_seconds_bucket{le=\"1\"} 6");
    free(text);
    lt_metrics_free(m);
}

static void analyses_by_state_are_shown_and_cached(void **state)
{
    (void)state;
    lt_metrics *m = registry();
    lt_metrics_gauges g = {0}, cached = {0};
    assert_false(lt_metrics_states_cached(m, &cached));
    g = (lt_metrics_gauges){.states_known = 1, .queued = 4, .running = 2, .done = 10, .failed = 1};
    lt_metrics_states_store(m, &g);
    assert_true(lt_metrics_states_cached(m, &cached));
    assert_int_equal(cached.queued, 4);
    assert_int_equal(cached.failed, 1);
    char *text = render(m, &cached);
    has_line(text, "# TYPE leaktriage_analyses gauge");
    has_line(text, "leaktriage_analyses{state=\"queued\"} 4");
    has_line(text, "leaktriage_analyses{state=\"running\"} 2");
    has_line(text, "leaktriage_analyses{state=\"done\"} 10");
    has_line(text, "leaktriage_analyses{state=\"failed\"} 1");
    has_line(text, "leaktriage_queue_depth 4");
    free(text);
    lt_metrics_free(m);
}

#define THREADS    4
#define PER_THREAD 100000

static void *record_many(void *arg)
{
    for (int i = 0; i < PER_THREAD; i++) {
        lt_metrics_upload(arg, 2);
        lt_metrics_http(arg, 0, "POST", 202, 0.001);
    }
    return NULL;
}

static void counts_from_many_threads_are_exact(void **state)
{
    (void)state;
    lt_metrics *m = registry();
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, record_many, m), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    lt_metrics_gauges g = {0};
    char *text = render(m, &g);
    has_line(text, "leaktriage_uploads_total 400000");
    has_line(text, "leaktriage_upload_bytes_total 800000");
    has_line(text,
             "leaktriage_http_requests_total{route=\"/api/v1/apps/{app}/snapshots\",method=\"POST\",status=\"202\"} "
             "400000");
    has_line(text, "leaktriage_http_request_duration_seconds_count 400000");
    has_line(text, "leaktriage_http_request_duration_seconds_sum 400.000000");
    free(text);
    lt_metrics_free(m);
}

static void label_values_are_escaped_and_cut_whole(void **state)
{
    (void)state;
    char out[8];
    lt_metrics_label("a\"b\\c\nd", out, sizeof out);
    assert_string_equal(out, "a\\\"b\\\\c"); /* 7 bytes: the \n's escape does not fit half */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counters_and_gauges_have_their_exact_values),
        cmocka_unit_test(histograms_are_cumulative_with_inf_sum_and_count),
        cmocka_unit_test(http_requests_are_labelled_by_route_and_escaped),
        cmocka_unit_test(analyses_by_state_are_shown_and_cached),
        cmocka_unit_test(counts_from_many_threads_are_exact),
        cmocka_unit_test(label_values_are_escaped_and_cut_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
