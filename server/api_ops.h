/* api_ops: the routes an operator's tools call, all public (no key: probes and Prometheus
 * send none; operators keep them off the internet with their firewall or proxy):
 *   GET /healthz  the process is up and serving: 200 {"status":"ok"}, nothing checked.
 *   GET /readyz   it can do its work: the database answers on a pooled connection, its
 *                 highest applied migration is the highest this binary knows, the spool
 *                 folder takes a new file. 200 {"status":"ready","checks":{...}} or 503
 *                 {"status":"unavailable","failed":[names],"checks":{name: what is wrong}};
 *                 what is wrong never holds a path on the server or libpq's text.
 *   GET /metrics  Prometheus' text format (metrics.h), the analyses by state read with one
 *                 query at most every LT_METRICS_STATES_TTL_S (a database that does not
 *                 answer leaves those series out; the rest is still served).
 * Each is an lt_http_route handle callback that always answers. */
#ifndef LT_API_OPS_H
#define LT_API_OPS_H

#include "http.h"

void lt_api_healthz(lt_http_request *req);
void lt_api_readyz(lt_http_request *req);
void lt_api_metrics(lt_http_request *req);

/* A metrics registry (metrics.h) whose HTTP series are labelled by lt_api_routes' patterns
 * and methods, for a server with `workers` analysis workers; NULL when out of memory. */
lt_metrics *lt_api_metrics_new(int workers);

#endif
