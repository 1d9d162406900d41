/* metrics: the service's Prometheus metrics — counters and histograms this process keeps
 * (uploads, HTTP requests by route, method and status, request and analysis durations,
 * queue waits, busy workers) and their text exposition (format 0.0.4) for GET /metrics,
 * with the gauges the caller reads at scrape time (analyses by state from the database,
 * the connection pool).
 *
 * DESIGN: one registry per process, made by serve at start-up (lt_metrics_new) and handed
 * to the HTTP server and the worker pool; there is no global state. Counters and histogram
 * buckets are C11 atomics (relaxed: each is a count, not a guard of other memory), so
 * request threads and workers record without a lock. The one lock guards the cache of the
 * analyses-by-state query (lt_metrics_states_*), so a scrape storm runs it at most once a
 * second. Durations are kept as whole microseconds.
 *
 * HTTP series are labelled by route pattern (the routes table's, with named captures, e.g.
 * "/api/v1/apps/{app}/snapshots"), never by the raw URL: a path no route matches counts as
 * route="unmatched" with its method (one of a fixed few, else "OTHER"); statuses 100..599. */
#ifndef LT_METRICS_H
#define LT_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "defaults.h"

#define LT_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct lt_metrics lt_metrics;

/* The routes, as labels: route_names[i] and route_methods[i] describe route i (the arrays
 * are copied; the strings are static storage, not copied). */
typedef struct lt_metrics_config {
    const char *const *route_names;
    const char *const *route_methods;
    size_t route_count;
    int workers;         /* the worker pool's size */
    const char *version; /* leaktriage_build_info's label (static storage) */
} lt_metrics_config;

/* A new registry, every count 0 and the process start time now; NULL when out of memory.
 * Freed with lt_metrics_free (NULL is fine). */
lt_metrics *lt_metrics_new(const lt_metrics_config *config);
void lt_metrics_free(lt_metrics *m);

/* Recorders. Each takes m == NULL (nothing recorded) and never fails. */
void lt_metrics_upload(lt_metrics *m, uint64_t bytes); /* an upload accepted (200 or 202) */
/* A request answered: route index (-1: no route matched), its method, status, duration. */
void lt_metrics_http(lt_metrics *m, long route, const char *method, unsigned status, double seconds);
void lt_metrics_job_started(lt_metrics *m, double queue_wait_s); /* a worker claimed a job */
void lt_metrics_job_ended(lt_metrics *m, double seconds);        /* ... and ended it (any way) */

/* What the scrape reads elsewhere: analyses by state (all processes sharing the database;
 * known 0: the query failed, the series are left out) and the HTTP connection pool. */
typedef struct lt_metrics_gauges {
    int states_known;
    int64_t queued, running, done, failed;
    size_t pool_in_use, pool_idle, pool_size;
} lt_metrics_gauges;

/* 1 and the cached analyses by state in g when they are younger than
 * LT_METRICS_STATES_TTL_S, else 0 (the caller queries, then lt_metrics_states_store). */
int lt_metrics_states_cached(lt_metrics *m, lt_metrics_gauges *g);
void lt_metrics_states_store(lt_metrics *m, const lt_metrics_gauges *g);

/* The exposition text: 0 and *text (NUL-terminated, caller frees) with *len, or
 * LT_ENOMEM. */
int lt_metrics_render(lt_metrics *m, const lt_metrics_gauges *g, char **text, size_t *len);

/* Writes value as a Prometheus label value (backslash, quote and newline escaped) into out
 * (len bytes with its NUL; cut at an escape's boundary). */
void lt_metrics_label(const char *value, char *out, size_t len);

#endif
