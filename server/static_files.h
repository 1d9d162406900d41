/* static_files: the pages (static/) — page paths answered with the page shell, and the
 * files under /static/ — from the copy built into the binary (a generated C file of their
 * bytes, cmake/embed_static.cmake) or, with `serve --static DIR`, from a folder read at each
 * request (development: edit and reload).
 *
 * Every answer carries the pages' security headers: a Content-Security-Policy that allows
 * scripts, styles and requests from this origin only (no inline scripts) and no framing
 * (frame-ancestors 'none'), X-Content-Type-Options: nosniff, Referrer-Policy: same-origin.
 * Pages and files are public (the pages ask the API who is signed in). A name that is not a
 * plain file name of the folder answers 404. Handlers are lt_http_route callbacks. */
#ifndef LT_STATIC_FILES_H
#define LT_STATIC_FILES_H

#include <stddef.h>

#include "embedded.h"
#include "http.h"

#define LT_STATIC_PAGE     "page.html" /* the shell every page path answers with */
#define LT_STATIC_MAX_FILE (4u << 20)  /* bytes of one file read with --static */

typedef lt_embedded_file lt_static_file;

/* The files built into the binary (generated), sorted by name. */
LT_EMBEDDED_TABLE(lt_static_embedded);

/* The built-in file called name, or NULL. */
const lt_static_file *lt_static_find(const char *name);

/* The Content-Type for a file name by its extension (application/octet-stream if unknown). */
const char *lt_static_content_type(const char *name);

void lt_static_page(lt_http_request *req);  /* GET /, /upload, /apps/{app}, /reports/{id}, /leaks/{id} */
void lt_static_asset(lt_http_request *req); /* GET /static/{name} */

#endif
