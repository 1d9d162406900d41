/* openapi: the OpenAPI 3 document describing the REST API, served at
 * /api/v1/openapi.json. Keep it in step with api_routes.c's table (tests/integration/api.sh
 * checks that it lists exactly those routes and calls each). */
#ifndef LT_OPENAPI_H
#define LT_OPENAPI_H

/* The document as JSON text (static storage, never freed). */
const char *lt_openapi_document(void);

#endif
