/* api_routes: the service's routes table, handed to the HTTP server by serve (see api.h):
 * the REST API and the pages. openapi.c documents each /api/ route; tests/integration/api.sh
 * calls every route the OpenAPI document lists and checks that it lists exactly these. The
 * page paths are fixed (verdicts and notifications link to them); their query parameters
 * are the pages' filters. */
#include "api.h"
#include "api_ops.h"
#include "api_session.h"
#include "static_files.h"
#include "upload.h"

#define LEAK_LIST_QUERY "status,kind,q,sort,limit,cursor"

const lt_http_route lt_api_routes[] = {
    {.method = "POST",
     .pattern = "/api/v1/apps/{app}/snapshots",
     .begin = lt_upload_begin,
     .body = lt_upload_body,
     .handle = lt_upload_finish,
     .cleanup = lt_upload_cleanup,
     .query = "version,host,commit,branch,environment"},
    {.method = "GET", .pattern = "/api/v1/apps", .handle = lt_api_apps},
    {.method = "GET",
     .pattern = "/api/v1/apps/{app}/snapshots",
     .handle = lt_api_app_snapshots,
     .query = "limit,offset"},
    {.method = "GET", .pattern = "/api/v1/apps/{app}/findings", .handle = lt_api_app_findings, .query = "limit,offset"},
    {.method = "GET", .pattern = "/api/v1/analyses/{id}", .handle = lt_api_analysis, .query = "wait"},
    {.method = "GET", .pattern = "/api/v1/analyses/{id}/report", .handle = lt_api_analysis_report},
    {.method = "GET", .pattern = "/api/v1/apps/{app}/leaks", .handle = lt_api_app_leaks, .query = LEAK_LIST_QUERY},
    {.method = "PATCH",
     .pattern = "/api/v1/apps/{app}",
     .begin = lt_api_json_body_begin,
     .body = lt_api_json_body,
     .handle = lt_api_app_patch,
     .cleanup = lt_api_json_body_cleanup},
    {.method = "DELETE", .pattern = "/api/v1/apps/{app}", .handle = lt_api_app_delete},
    {.method = "DELETE", .pattern = "/api/v1/snapshots/{id}", .handle = lt_api_snapshot_delete},
    {.method = "GET", .pattern = "/api/v1/leaks", .handle = lt_api_leaks, .query = LEAK_LIST_QUERY},
    {.method = "GET", .pattern = "/api/v1/leaks/{id}", .handle = lt_api_leak, .query = "limit,cursor"},
    {.method = "PATCH",
     .pattern = "/api/v1/leaks/{id}",
     .begin = lt_api_json_body_begin,
     .body = lt_api_json_body,
     .handle = lt_api_leak_patch,
     .cleanup = lt_api_json_body_cleanup},
    {.method = "GET",
     .pattern = "/api/v1/analyses/{id}/compare",
     .handle = lt_api_analysis_compare,
     .query = "baseline"},
    {.method = "GET",
     .pattern = "/api/v1/analyses/{id}/verdict",
     .handle = lt_api_analysis_verdict,
     .query = "fail_on,wait"},
    {.method = "GET",
     .pattern = "/api/v1/analyses/{id}/classes",
     .handle = lt_api_classes,
     .query = "sort,q,limit,cursor"},
    {.method = "GET", .pattern = "/api/v1/analyses/{id}/tree", .handle = lt_api_tree, .query = "node"},
    {.method = "GET", .pattern = "/api/v1/analyses/{id}/path", .handle = lt_api_path, .query = "node"},
    {.method = "POST", .pattern = "/api/v1/analyses/{id}/retry", .handle = lt_api_analysis_retry},
    {.method = "GET", .pattern = "/api/v1/openapi.json", .is_public = 1, .handle = lt_api_openapi},
    {.method = "POST",
     .pattern = "/api/v1/session",
     .is_public = 1,
     .begin = lt_api_session_begin,
     .body = lt_api_json_body,
     .handle = lt_api_session_create,
     .cleanup = lt_api_json_body_cleanup},
    {.method = "GET", .pattern = "/api/v1/session", .handle = lt_api_session_show},
    {.method = "DELETE", .pattern = "/api/v1/session", .handle = lt_api_session_delete},
    /* operations (api_ops.c): public, for load balancers, orchestrators and Prometheus */
    {.method = "GET", .pattern = "/healthz", .is_public = 1, .handle = lt_api_healthz},
    {.method = "GET", .pattern = "/readyz", .is_public = 1, .handle = lt_api_readyz},
    {.method = "GET", .pattern = "/metrics", .is_public = 1, .handle = lt_api_metrics},
    /* the pages */
    {.method = "GET", .pattern = "/", .is_public = 1, .handle = lt_static_page, .query = "status,kind,q"},
    {.method = "GET", .pattern = "/upload", .is_public = 1, .handle = lt_static_page, .query = "app"},
    {.method = "GET", .pattern = "/apps/{app}", .is_public = 1, .handle = lt_static_page, .query = "status,kind,q"},
    {.method = "GET", .pattern = "/reports/{id}", .is_public = 1, .handle = lt_static_page},
    {.method = "GET", .pattern = "/leaks/{id}", .is_public = 1, .handle = lt_static_page},
    {.method = "GET", .pattern = "/static/{file}", .is_public = 1, .handle = lt_static_asset},
};

const size_t lt_api_route_count = sizeof lt_api_routes / sizeof lt_api_routes[0];
