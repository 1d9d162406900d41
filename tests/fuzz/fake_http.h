/* fake_http: the stand-in for http.c and db.c under fuzz_upload.c (see fake_http.c). */
#ifndef LT_FAKE_HTTP_H
#define LT_FAKE_HTTP_H

#include <stdint.h>

#include "http.h"

/* The server the requests point at: its spool folder and upload limit. */
lt_http *fake_http_server(const char *spool_dir, uint64_t max_upload);

#endif
