/* http_log: the end of a request — one JSON log line and its metrics. See http.h
 * (lt_http_log_request). The line holds what an operator needs to follow a request and
 * nothing a caller sent as a secret: the route's pattern, not the URL (no query string, no
 * app names), the customer's id, not its key or cookie. */
#include <stdint.h>

#include "http.h"
#include "log.h"
#include "metrics.h"

void lt_http_log_request(const lt_http_request *req, long route, lt_metrics *metrics)
{
    double seconds = lt_http_guard_now() - req->started_s;
    const char *pattern = req->route ? req->route->pattern : "unmatched";
    lt_log_line line;
    lt_log_begin(&line, "request");
    lt_log_str(&line, "request_id", req->request_id);
    lt_log_str(&line, "method", req->method);
    lt_log_str(&line, "route", pattern);
    lt_log_int(&line, "status", req->status);
    lt_log_int(&line, "bytes_in", (int64_t)req->bytes_in);
    lt_log_int(&line, "bytes_out", (int64_t)req->bytes_out);
    lt_log_num(&line, "duration_ms", seconds * 1000);
    if (req->customer_id)
        lt_log_int(&line, "customer_id", req->customer_id);
    lt_log_end(&line);
    lt_metrics_http(metrics, route, req->method, req->status, seconds);
}
