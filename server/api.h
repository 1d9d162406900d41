/* api: the REST API — its routes table (api_routes.c: every route, its handlers, whether
 * it is public), handed to the HTTP server (http.h), and the JSON routes that read what
 * uploads and workers stored: analyses and their progress, reports, the caller's apps, an
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
void lt_api_analysis_report(lt_http_request *req); /* GET /api/v1/analyses/{id}/report */
void lt_api_apps(lt_http_request *req);            /* GET /api/v1/apps */
void lt_api_app_snapshots(lt_http_request *req);   /* GET /api/v1/apps/{app}/snapshots */
void lt_api_app_findings(lt_http_request *req);    /* GET /api/v1/apps/{app}/findings */
void lt_api_openapi(lt_http_request *req);         /* GET /api/v1/openapi.json */
void lt_api_classes(lt_http_request *req);         /* GET /api/v1/analyses/{id}/classes (api_explore.c) */
void lt_api_tree(lt_http_request *req);            /* GET /api/v1/analyses/{id}/tree */
void lt_api_path(lt_http_request *req);            /* GET /api/v1/analyses/{id}/path */

/* ---- helpers of the route modules (api.c) ---- */

/* Copies a positive decimal id (at most 18 digits) into out; answers 400 when it is not
 * one (what names it). 0, or -1 once answered. */
int lt_api_id_param(lt_http_request *req, const char *text, const char *what, char out[24]);

/* Reads the query parameter name as an integer in [0, max] into out (def when absent);
 * answers 400 naming it when it is something else. 0, or -1 once answered. */
int lt_api_uint_param(lt_http_request *req, const char *name, long def, long max, long *out);

/* Runs sql (whose first column is JSON text) on the request's connection and returns the
 * result (caller PQclears); answers 500 and returns NULL on failure. */
PGresult *lt_api_query(lt_http_request *req, const char *sql, int n, const char *const *params);

/* Answers 200 with the JSON text in the first column of res's first row, or 404 naming
 * what; clears res. */
void lt_api_reply_first_json(lt_http_request *req, PGresult *res, const char *what);

#endif
