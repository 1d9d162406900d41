/* api: the JSON routes that read what uploads and workers stored — analyses and their
 * progress, reports, the caller's apps, an app's snapshots and findings — and the OpenAPI
 * document. Each is an lt_http_route handle callback (http.h); every query is scoped by
 * req->customer_id, so another customer's ids answer 404 exactly like ids that do not
 * exist. Lists are built as JSON by PostgreSQL (json_build_object) and sent as they are. */
#ifndef LT_API_H
#define LT_API_H

#include "http.h"

#define LT_API_WAIT_MAX_S 600    /* ?wait= on GET /analyses/{id} */
#define LT_API_WAIT_POLL_MS 200  /* how often a waiting request re-reads the row */
#define LT_API_LIMIT_DEFAULT 50  /* ?limit= of the lists */
#define LT_API_LIMIT_MAX 1000

void lt_api_analysis(lt_http_request *req);        /* GET /api/v1/analyses/{id}[?wait=S] */
void lt_api_analysis_report(lt_http_request *req); /* GET /api/v1/analyses/{id}/report */
void lt_api_apps(lt_http_request *req);            /* GET /api/v1/apps */
void lt_api_app_snapshots(lt_http_request *req);   /* GET /api/v1/apps/{app}/snapshots */
void lt_api_app_findings(lt_http_request *req);    /* GET /api/v1/apps/{app}/findings */
void lt_api_openapi(lt_http_request *req);         /* GET /api/v1/openapi.json */

#endif
