/* metrics: atomic counters and histograms, and their Prometheus text. See metrics.h. */
#include "metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lt_error.h"

#define STATUS_MIN   100
#define STATUS_SLOTS 500 /* 100..599 */
#define BUCKETS_MAX  16

static const char *const METHODS[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"};
#define METHOD_COUNT (sizeof METHODS / sizeof *METHODS)

/* Upper bounds of the buckets, in seconds. */
static const double HTTP_BOUNDS[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
static const double ANALYSIS_BOUNDS[] = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
static const double WAIT_BOUNDS[] = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600};

typedef struct histogram {
    const double *bounds;
    size_t bound_count;
    atomic_uint_fast64_t buckets[BUCKETS_MAX + 1]; /* per bucket, not cumulative; the last: +Inf */
    atomic_uint_fast64_t sum_us;
} histogram;

struct lt_metrics {
    lt_metrics_config config; /* its arrays: the copies below */
    const char **route_names, **route_methods;
    double start_time_s; /* Unix time */
    atomic_uint_fast64_t uploads, upload_bytes;
    atomic_int workers_busy;
    histogram http_duration, analysis_duration, queue_wait;
    /* [route][status] for the routes, then [method][status] for unmatched paths */
    atomic_uint_fast64_t *http_counts;
    /* states_lock guards states, states_at and states_valid only, never across a query. */
    pthread_mutex_t states_lock;
    int states_lock_ready;
    lt_metrics_gauges states;
    double states_at;
    int states_valid;
};

static double now_s(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void histogram_init(histogram *h, const double *bounds, size_t count)
{
    h->bounds = bounds;
    h->bound_count = count;
    for (size_t i = 0; i <= BUCKETS_MAX; i++)
        atomic_init(&h->buckets[i], 0);
    atomic_init(&h->sum_us, 0);
}

static void histogram_observe(histogram *h, double seconds)
{
    if (!(seconds >= 0)) /* also NaN */
        seconds = 0;
    size_t i = 0;
    while (i < h->bound_count && seconds > h->bounds[i])
        i++;
    atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, (uint_fast64_t)(seconds * 1e6 + 0.5), memory_order_relaxed);
}

lt_metrics *lt_metrics_new(const lt_metrics_config *config)
{
    lt_metrics *m = calloc(1, sizeof *m);
    size_t slots = (config->route_count + METHOD_COUNT) * STATUS_SLOTS, routes = config->route_count + 1;
    if (!m || !(m->http_counts = calloc(slots, sizeof *m->http_counts)) ||
        !(m->route_names = calloc(routes, sizeof *m->route_names)) ||
        !(m->route_methods = calloc(routes, sizeof *m->route_methods))) {
        lt_metrics_free(m);
        return NULL;
    }
    for (size_t i = 0; i < slots; i++)
        atomic_init(&m->http_counts[i], 0);
    m->config = *config;
    for (size_t i = 0; i < config->route_count; i++) {
        m->route_names[i] = config->route_names[i];
        m->route_methods[i] = config->route_methods[i];
    }
    m->config.route_names = m->route_names;
    m->config.route_methods = m->route_methods;
    m->start_time_s = now_s(CLOCK_REALTIME);
    atomic_init(&m->uploads, 0);
    atomic_init(&m->upload_bytes, 0);
    atomic_init(&m->workers_busy, 0);
    histogram_init(&m->http_duration, HTTP_BOUNDS, sizeof HTTP_BOUNDS / sizeof *HTTP_BOUNDS);
    histogram_init(&m->analysis_duration, ANALYSIS_BOUNDS, sizeof ANALYSIS_BOUNDS / sizeof *ANALYSIS_BOUNDS);
    histogram_init(&m->queue_wait, WAIT_BOUNDS, sizeof WAIT_BOUNDS / sizeof *WAIT_BOUNDS);
    pthread_mutex_init(&m->states_lock, NULL);
    m->states_lock_ready = 1;
    return m;
}

void lt_metrics_free(lt_metrics *m)
{
    if (!m)
        return;
    if (m->states_lock_ready)
        pthread_mutex_destroy(&m->states_lock);
    free(m->http_counts);
    free(m->route_names);
    free(m->route_methods);
    free(m);
}

/* ---- recording ---- */

void lt_metrics_upload(lt_metrics *m, uint64_t bytes)
{
    if (!m)
        return;
    atomic_fetch_add_explicit(&m->uploads, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->upload_bytes, bytes, memory_order_relaxed);
}

static size_t method_index(const char *method)
{
    for (size_t i = 0; i + 1 < METHOD_COUNT; i++)
        if (method && !strcmp(method, METHODS[i]))
            return i;
    return METHOD_COUNT - 1;
}

void lt_metrics_http(lt_metrics *m, long route, const char *method, unsigned status, double seconds)
{
    if (!m)
        return;
    histogram_observe(&m->http_duration, seconds);
    if (status < STATUS_MIN || status >= STATUS_MIN + STATUS_SLOTS)
        return;
    size_t row = route >= 0 && (size_t)route < m->config.route_count ? (size_t)route
                                                                     : m->config.route_count + method_index(method);
    atomic_fetch_add_explicit(&m->http_counts[row * STATUS_SLOTS + (status - STATUS_MIN)], 1, memory_order_relaxed);
}

void lt_metrics_job_started(lt_metrics *m, double queue_wait_s)
{
    if (!m)
        return;
    atomic_fetch_add_explicit(&m->workers_busy, 1, memory_order_relaxed);
    histogram_observe(&m->queue_wait, queue_wait_s);
}

void lt_metrics_job_ended(lt_metrics *m, double seconds)
{
    if (!m)
        return;
    atomic_fetch_sub_explicit(&m->workers_busy, 1, memory_order_relaxed);
    histogram_observe(&m->analysis_duration, seconds);
}

/* ---- the analyses-by-state cache ---- */

int lt_metrics_states_cached(lt_metrics *m, lt_metrics_gauges *g)
{
    pthread_mutex_lock(&m->states_lock);
    int fresh = m->states_valid && now_s(CLOCK_MONOTONIC) - m->states_at < LT_METRICS_STATES_TTL_S;
    if (fresh) {
        g->states_known = 1;
        g->queued = m->states.queued;
        g->running = m->states.running;
        g->done = m->states.done;
        g->failed = m->states.failed;
    }
    pthread_mutex_unlock(&m->states_lock);
    return fresh;
}

void lt_metrics_states_store(lt_metrics *m, const lt_metrics_gauges *g)
{
    pthread_mutex_lock(&m->states_lock);
    m->states = *g;
    m->states_valid = g->states_known;
    m->states_at = now_s(CLOCK_MONOTONIC);
    pthread_mutex_unlock(&m->states_lock);
}

/* ---- the text ---- */

void lt_metrics_label(const char *value, char *out, size_t len)
{
    size_t at = 0;
    for (const char *p = value; *p && len > 0; p++) {
        const char *piece = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" : *p == '\n' ? "\\n" : NULL;
        size_t n = piece ? 2 : 1;
        if (at + n >= len)
            break;
        memcpy(out + at, piece ? piece : p, n);
        at += n;
    }
    if (len > 0)
        out[at] = '\0';
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void histogram_render(FILE *f, const char *name, const char *help, histogram *h)
{
    family(f, name, "histogram", help);
    uint_fast64_t cumulative = 0;
    for (size_t i = 0; i <= h->bound_count; i++) {
        cumulative += atomic_load_explicit(&h->buckets[i], memory_order_relaxed);
        if (i < h->bound_count)
            fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, h->bounds[i], (unsigned long long)cumulative);
        else
            fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cumulative);
    }
    double sum = (double)atomic_load_explicit(&h->sum_us, memory_order_relaxed) / 1e6;
    fprintf(f, "%s_sum %.6f\n%s_count %llu\n", name, sum, name, (unsigned long long)cumulative);
}

/* One leaktriage_http_requests_total sample per route (or method) and status seen. */
static void http_row_render(FILE *f, lt_metrics *m, size_t row, const char *route, const char *method)
{
    char route_label[512];
    lt_metrics_label(route, route_label, sizeof route_label);
    for (size_t s = 0; s < STATUS_SLOTS; s++) {
        uint_fast64_t n = atomic_load_explicit(&m->http_counts[row * STATUS_SLOTS + s], memory_order_relaxed);
        if (n)
            fprintf(f, "leaktriage_http_requests_total{route=\"%s\",method=\"%s\",status=\"%zu\"} %llu\n", route_label,
                    method, s + STATUS_MIN, (unsigned long long)n);
    }
}

static void http_render(FILE *f, lt_metrics *m)
{
    family(f, "leaktriage_http_requests_total", "counter",
           "HTTP requests answered, by route pattern (unmatched: no route), method and status.");
    for (size_t r = 0; r < m->config.route_count; r++)
        http_row_render(f, m, r, m->config.route_names[r], m->config.route_methods[r]);
    for (size_t i = 0; i < METHOD_COUNT; i++)
        http_row_render(f, m, m->config.route_count + i, "unmatched", METHODS[i]);
    histogram_render(f, "leaktriage_http_request_duration_seconds",
                     "Time from a request's headers to the end of its answer.", &m->http_duration);
}

static void counter(FILE *f, const char *name, const char *help, uint_fast64_t value)
{
    family(f, name, "counter", help);
    fprintf(f, "%s %llu\n", name, (unsigned long long)value);
}

static void gauge(FILE *f, const char *name, const char *help, long long value)
{
    family(f, name, "gauge", help);
    fprintf(f, "%s %lld\n", name, value);
}

static void states_render(FILE *f, const lt_metrics_gauges *g)
{
    if (!g->states_known)
        return;
    family(f, "leaktriage_analyses", "gauge", "Analyses in the database by state (every server sharing it).");
    fprintf(f, "leaktriage_analyses{state=\"queued\"} %lld\nleaktriage_analyses{state=\"running\"} %lld\n",
            (long long)g->queued, (long long)g->running);
    fprintf(f, "leaktriage_analyses{state=\"done\"} %lld\nleaktriage_analyses{state=\"failed\"} %lld\n",
            (long long)g->done, (long long)g->failed);
    gauge(f, "leaktriage_queue_depth", "Analyses queued, waiting for a worker (every server).", g->queued);
}

static void pool_render(FILE *f, const lt_metrics_gauges *g)
{
    family(f, "leaktriage_db_pool_connections", "gauge", "The HTTP server's pooled database connections by state.");
    fprintf(f, "leaktriage_db_pool_connections{state=\"in_use\"} %zu\n", g->pool_in_use);
    fprintf(f, "leaktriage_db_pool_connections{state=\"idle\"} %zu\n", g->pool_idle);
    gauge(f, "leaktriage_db_pool_size", "The most database connections the HTTP server's pool opens.",
          (long long)g->pool_size);
}

static void process_render(FILE *f, lt_metrics *m)
{
    char version[128];
    lt_metrics_label(m->config.version ? m->config.version : "unknown", version, sizeof version);
    family(f, "leaktriage_build_info", "gauge", "Always 1; the version of the running binary is its label.");
    fprintf(f, "leaktriage_build_info{version=\"%s\"} 1\n", version);
    family(f, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
    fprintf(f, "process_start_time_seconds %.3f\n", m->start_time_s);
}

int lt_metrics_render(lt_metrics *m, const lt_metrics_gauges *g, char **text, size_t *len)
{
    FILE *f = open_memstream(text, len);
    if (!f)
        return LT_ENOMEM;
    counter(f, "leaktriage_uploads_total", "Uploads accepted (stored, or the same bytes again).",
            atomic_load(&m->uploads));
    counter(f, "leaktriage_upload_bytes_total", "Bytes of the uploads accepted, as sent (compressed).",
            atomic_load(&m->upload_bytes));
    states_render(f, g);
    histogram_render(f, "leaktriage_analysis_duration_seconds",
                     "Wall time of the analyses this server's workers ended (done, failed or given up).",
                     &m->analysis_duration);
    histogram_render(f, "leaktriage_queue_wait_seconds",
                     "Time from an analysis's creation to its claim by one of this server's workers.", &m->queue_wait);
    gauge(f, "leaktriage_workers", "Analysis worker threads of this server.", m->config.workers);
    gauge(f, "leaktriage_workers_busy", "Workers of this server running an analysis.", atomic_load(&m->workers_busy));
    pool_render(f, g);
    http_render(f, m);
    process_render(f, m);
    int failed = ferror(f);
    if (fclose(f) || failed) {
        free(*text);
        *text = NULL;
        return LT_ENOMEM;
    }
    return 0;
}
