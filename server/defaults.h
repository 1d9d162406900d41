/* defaults: every default and limit a user of leaktriage can see, defined once.
 *
 * The code uses these macros, the usage texts splice their text forms (string literals, or
 * LT_STR of a number), and the OpenAPI document (openapi.c) is written with them; the
 * README repeats the usage lines, and tests/cli/usage.sh checks that it says what
 * `leaktriage COMMAND --help` says. Nothing here allocates or fails. */
#ifndef LT_DEFAULTS_H
#define LT_DEFAULTS_H

#include <stdint.h>

#define LT_STR_(x) #x
#define LT_STR(x)  LT_STR_(x) /* the text of a macro's value: LT_STR(LT_API_WAIT_MAX_S) is "600" */

/* ---- where things are ---- */

#define LT_DEFAULT_LISTEN   "127.0.0.1:8080"          /* serve --listen */
#define LT_DEFAULT_DATA_DIR "./data"                  /* --data: spool and private PostgreSQL */
#define LT_DATABASE_URL_ENV "LEAKTRIAGE_DATABASE_URL" /* the database when --database is not given */
#define LT_FIRST_CUSTOMER   "default"                 /* made with its key on serve's first start */

/* migrate --migrations, and what serve applies: the source tree's migrations/ (passed by the
 * build as LT_MIGRATIONS_DIR), else "migrations" in the working directory. */
#ifdef LT_MIGRATIONS_DIR
#define LT_DEFAULT_MIGRATIONS_DIR LT_MIGRATIONS_DIR
#else
#define LT_DEFAULT_MIGRATIONS_DIR "migrations"
#endif

/* ---- serve ---- */

#define LT_DEFAULT_WORKERS_TEXT    "the number of cores" /* serve --workers: sysconf(_SC_NPROCESSORS_ONLN) */
#define LT_WORKERS_MAX             256                   /* serve --workers, and a pool's limit (jobs.h) */
#define LT_DEFAULT_MAX_UPLOAD_GIB  8
#define LT_DEFAULT_MAX_UPLOAD      ((uint64_t)LT_DEFAULT_MAX_UPLOAD_GIB << 30) /* serve --max-upload, bytes */
#define LT_DEFAULT_PUBLIC_URL_TEXT "http:// and the --listen address"          /* serve --public-url */
#define LT_PUBLIC_URL_MAX          200                                         /* bytes in --public-url */
#define LT_KEEP_SNAPSHOTS_TEXT     "forever" /* serve --keep-snapshots DAYS: raw snapshot files kept */
#define LT_KEEP_SNAPSHOTS_MAX      36500     /* its largest value (100 years) */
#define LT_RETENTION_SWEEP_S       3600      /* --keep-snapshots: the sweep runs at start and this often */

/* ---- analyze and the stored report ---- */

#define LT_DEFAULT_TOP 50     /* analyze --top: retainers and classes listed */
#define LT_TOP_MAX     100000 /* analyze --top's largest value */
#define LT_REPORT_TOP  200    /* retainers and classes in a stored report (= analyze --json --top 200) */

/* ---- the REST API ---- */

#define LT_API_WAIT_MAX_S        600 /* GET /api/v1/analyses/{id}?wait= */
#define LT_API_LIMIT_DEFAULT     50  /* ?limit= of the lists */
#define LT_API_LIMIT_MAX         1000
#define LT_API_APP_NAME_MAX      100         /* characters in an app name: [A-Za-z0-9._-] */
#define LT_API_LABEL_MAX         200         /* bytes in a version/host/commit/branch/environment label */
#define LT_API_JSON_BODY_MAX     4096        /* bytes in a PATCH body */
#define LT_API_SEARCH_MAX        200         /* bytes in the leaks' ?q= */
#define LT_API_LEAK_SORT_DEFAULT "last_seen" /* the leaks' ?sort= */

/* ---- leak records ---- */

#define LT_DEFAULT_RESOLVE_AFTER 3 /* a leak absent from this many analysed snapshots is resolved */
#define LT_RESOLVE_AFTER_MAX                                                                                           \
    1000 /* PATCH /api/v1/apps/{app} {"resolve_after"}: 1 to this
                                      (migrations/0003_leaks.sql repeats both numbers) */

/* ---- upload (the CI client) ---- */

#define LT_DEFAULT_SERVER_URL "http://127.0.0.1:8080" /* upload --server */
#define LT_SERVER_URL_ENV     "LEAKTRIAGE_URL"        /* the server when --server is not given */
#define LT_KEY_ENV            "LEAKTRIAGE_KEY"        /* the API key when --key is not given */
#define LT_UPLOAD_WAIT_S      5                       /* ?wait= of each request while upload waits for the analysis */
#define LT_UPLOAD_TIMEOUT_S   60 /* a request's answer beyond its ?wait= (the verdict, a slow server) */

/* ---- the pages ---- */

#define LT_SESSION_TTL_HOURS 168  /* a browser session (POST /api/v1/session) lasts 7 days */
#define LT_SESSION_BODY_MAX  4096 /* bytes of a POST /api/v1/session body */

#endif
