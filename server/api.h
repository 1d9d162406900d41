/* api: the REST API — its routes table (api_routes.c: every route, its handlers, whether
 * it is public), handed to the HTTP server (http.h), and the JSON routes that read what
 * uploads and workers stored: analyses and their progress, reports (a failed analysis's
 * answers 409 with its error), the retry of a failed analysis, the caller's apps, an
 * app's snapshots and findings, the OpenAPI document. Uploads are upload.h's routes.
 * Each handler is an lt_http_route handle callback that always answers; every query is
 * scoped by req->customer_id, so another customer's ids answer 404 exactly like ids that
 * do not exist. Lists are built as JSON by PostgreSQL (json_build_object) and sent as they
 * are. Limits (?wait=, ?limit=) are in defaults.h. */
#ifndef LT_API_H
#define LT_API_H

#include <stddef.h>

#include "defaults.h"
#include "http.h"

#define LT_API_WAIT_POLL_MS 200  /* how often a waiting request re-reads the row */

/* The REST API's routes (static storage), for lt_http_config.routes. */
extern const lt_http_route lt_api_routes[];
extern const size_t lt_api_route_count;

void lt_api_analysis(lt_http_request *req);        /* GET /api/v1/analyses/{id}[?wait=S] */
void lt_api_analysis_report(lt_http_request *req); /* GET /api/v1/analyses/{id}/report (409 when failed) */
void lt_api_analysis_retry(lt_http_request *req);  /* POST /api/v1/analyses/{id}/retry: 202, 409 not failed */
void lt_api_apps(lt_http_request *req);            /* GET /api/v1/apps */
void lt_api_app_snapshots(lt_http_request *req);   /* GET /api/v1/apps/{app}/snapshots */
void lt_api_app_findings(lt_http_request *req);    /* GET /api/v1/apps/{app}/findings */
void lt_api_openapi(lt_http_request *req);         /* GET /api/v1/openapi.json */

#endif
