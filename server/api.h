/* api: the REST API — its routes table (api_routes.c: every route, its handlers, whether
 * it is public), handed to the HTTP server (http.h), and the JSON routes that read what
 * uploads and workers stored: analyses and their progress, reports (a failed analysis's
 * answers 409 with its error), the retry of a failed analysis, the caller's apps, an
 * app's snapshots and findings, the OpenAPI document. Uploads are upload.h's routes; leak
 * records, comparison and the verdict are api_leaks.c's and api_verdict.c's (declared here).
 * Each handler is an lt_http_route handle callback that always answers; every query is
 * scoped by req->customer_id, so another customer's ids answer 404 exactly like ids that
 * do not exist. Lists are built as JSON by PostgreSQL (json_build_object) and sent as they
 * are. Limits (?wait=, ?limit=) are in defaults.h. */
#ifndef LT_API_H
#define LT_API_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "defaults.h"
#include "http.h"

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
void lt_api_snapshot_delete(lt_http_request *req); /* DELETE /api/v1/snapshots/{id} (api_delete.c) */
void lt_api_app_delete(lt_http_request *req);      /* DELETE /api/v1/apps/{app}: its snapshots, results, files */
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

/* Answers status with the JSON document doc (consumed; NULL: out of memory, answered 500). */
void lt_api_reply_doc(lt_http_request *req, unsigned status, json_t *doc);

/* Answers 200 with the JSON text in the first column of res's first row, or 404 naming
 * what; clears res. */
void lt_api_reply_first_json(lt_http_request *req, PGresult *res, const char *what);

/* api_leaks.c: leak records (store_leaks.h keeps them) */
void lt_api_app_leaks(lt_http_request *req);  /* GET /api/v1/apps/{app}/leaks?status=&kind=&q=&sort=&limit=&cursor= */
void lt_api_leaks(lt_http_request *req);      /* GET /api/v1/leaks (same parameters, every app) */
void lt_api_leak(lt_http_request *req);       /* GET /api/v1/leaks/{id}?limit=&cursor= */
void lt_api_leak_patch(lt_http_request *req); /* PATCH /api/v1/leaks/{id} {"status"} */
void lt_api_app_patch(lt_http_request *req);  /* PATCH /api/v1/apps/{app} {"resolve_after"} */
void lt_api_json_body_begin(lt_http_request *req); /* a small JSON body (LT_API_JSON_BODY_MAX) for a PATCH: */
void lt_api_json_body(lt_http_request *req, const char *data, size_t size); /* kept in req->state */
void lt_api_json_body_cleanup(lt_http_request *req);
/* The body kept by lt_api_json_body (len bytes, not NUL-terminated); borrowed from req. */
const char *lt_api_json_body_text(const lt_http_request *req, size_t *len);

/* api_verdict.c: comparison and the CI verdict */
void lt_api_analysis_compare(lt_http_request *req); /* GET /api/v1/analyses/{id}/compare?baseline= */
void lt_api_analysis_verdict(lt_http_request *req); /* GET /api/v1/analyses/{id}/verdict?fail_on=&wait= */

/* ---- helpers shared by the api_* modules; each answers the request when it fails ---- */

/* Copies a positive decimal id (at most 18 digits) of `what` into out. 0, or -1 (400 bad_id). */
int lt_api_id_param(lt_http_request *req, const char *text, const char *what, char out[24]);

/* The query parameter name as an integer in [0, max] into *out (def when absent).
 * 0, or -1 (400 bad_parameter naming it). */
int lt_api_uint_param(lt_http_request *req, const char *name, long def, long max, long *out);

/* Runs sql on the request's connection (once more on a new one when a pooled connection
 * turns out broken); the result (caller PQclears) or NULL (answered 500, or 503 when the
 * database is unavailable). */
PGresult *lt_api_query(lt_http_request *req, const char *sql, int n, const char *const *params);

/* Answers 200 with the JSON text of res's first cell, or 404 naming what; clears res. */
void lt_api_reply_first_json(lt_http_request *req, PGresult *res, const char *what);

/* The analysis row (columns: its JSON, state, error; no row: not the customer's) once it
 * is done or failed, wait_s passed (counted from the request's first call) or the server
 * stops: the result (caller PQclears). Otherwise NULL: answered (500/503), or suspended by
 * lt_http_wait — the handler returns, and runs again when the analysis changes state. */
PGresult *lt_api_wait_analysis(lt_http_request *req, const char *id, const char *customer, long wait_s);

#endif
