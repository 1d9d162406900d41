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

#define LT_DEFAULT_LISTEN     "127.0.0.1:8080"          /* serve --listen */
#define LT_DEFAULT_DATA_DIR   "./data"                  /* --data: spool and private PostgreSQL */
#define LT_INSTALLED_DATA_DIR "/var/lib/leaktriage"     /* --data of an installed binary (db.h) */
#define LT_DATABASE_URL_ENV   "LEAKTRIAGE_DATABASE_URL" /* the database when --database is not given */
#define LT_FIRST_CUSTOMER     "default"                 /* made with its key on serve's first start */

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

/* ---- the budget of one analysis (serve, and analyze where it makes sense) ---- */

#define LT_DEFAULT_ANALYSIS_MEMORY_TEXT                                                                                \
    "the machine's memory / workers, less " LT_STR(LT_ANALYSIS_MEMORY_MARGIN_MIB) " MiB" /* serve --analysis-memory */
#define LT_ANALYSIS_MEMORY_MARGIN_MIB 512           /* kept back for the server itself */
#define LT_ANALYSIS_MEMORY_MIN        (64ull << 20) /* the default never goes below this */
#define LT_DEFAULT_MAX_SNAPSHOT_GIB   64
#define LT_DEFAULT_MAX_SNAPSHOT_BYTES ((uint64_t)LT_DEFAULT_MAX_SNAPSHOT_GIB << 30) /* --max-snapshot-bytes */
#define LT_DEFAULT_MAX_RATIO          10000 /* --max-ratio: decompressed:compressed, past 256 MiB decompressed */
#define LT_DEFAULT_ANALYSIS_TIMEOUT_S 3600  /* serve --analysis-timeout, seconds (analyze: none) */
#define LT_DEFAULT_PER_CUSTOMER       2     /* serve --per-customer: one customer's analyses running at once */
#define LT_DEFAULT_KEEP_MEMORY_S      30    /* serve --keep-memory: an idle worker keeps its memory this long */
#define LT_KEEP_MEMORY_MAX_S          86400

/* Several machines (snapshot_store.h, jobs.h). */
#define LT_DEFAULT_STORE       "local" /* serve --store local|postgres: where uploaded snapshots are kept */
#define LT_RETRY_BACKOFF_MAX_S 60      /* a job put back waits 2^attempts seconds, at most this, before a retry */
#define LT_FOREIGN_WAIT_S      60      /* a local-store job waits this long for its machine before others try it */
#define LT_RELEASES_MAX        5       /* ... and is given back this often by machines that cannot read it */

/* ---- serve: connections, timeouts, the database pool, stopping ---- */

#define LT_DEFAULT_HTTP_THREADS    16   /* serve --http-threads: threads serving all connections (epoll) */
#define LT_HTTP_THREADS_MAX        256  /* serve --http-threads's largest value */
#define LT_DEFAULT_MAX_CONNECTIONS 4096 /* serve --max-connections: open at once (the descriptor limit is raised) */
#define LT_DEFAULT_MAX_PER_IP      512 /* serve --max-connections-per-ip (a CI runner waits on many analyses at once) */
#define LT_DEFAULT_DB_CONNECTIONS  24  /* serve --db-connections: the request threads' pool of PostgreSQL connections */
#define LT_DEFAULT_GRACE_S                                                                                             \
    20 /* serve --grace: SIGTERM lets requests and analyses in flight finish this long (under jobs.h stale timeout) */
#define LT_GRACE_MAX_S           3600
#define LT_HTTP_HEADER_TIMEOUT_S 10    /* request headers complete within this, however they trickle */
#define LT_HTTP_BODY_WINDOW_S    30    /* a body slower than LT_HTTP_BODY_MIN_RATE over this window: 408 */
#define LT_HTTP_BODY_MIN_RATE    1024  /* bytes a second */
#define LT_HTTP_MAX_URL_BYTES    8192  /* a longer request target (path and query): 414 uri_too_long */
#define LT_HTTP_MAX_HEADER_BYTES 32768 /* more header bytes (names and values): 431 headers_too_large */
#define LT_HTTP_CONNECTION_MEMORY                                                                                      \
    (256u << 10) /* libmicrohttpd's memory per connection: a request line or headers past it get its own HTML page */
#define LT_HTTP_IDLE_TIMEOUT_S 60   /* a connection with no traffic at all (e.g. not reading its answer) */
#define LT_HTTP_DB_WAIT_MS     5000 /* a request waits this long for a pooled connection, then 503 */
#define LT_HTTP_RETRY_AFTER_S  5    /* Retry-After of a 503 (database unavailable or busy) */

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
#define LT_API_JSON_BODY_MAX     4096        /* bytes in a JSON body (PATCH, POST /api/v1/session) */
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

#define LT_SESSION_TTL_HOURS 168 /* a browser session (POST /api/v1/session) lasts 7 days */

/* ---- operations: logs, request ids, metrics (log.h, metrics.h) ---- */

#define LT_LOG_LINE_MAX         4096 /* bytes of one JSON log line (a longer value is cut) */
#define LT_REQUEST_ID_MAX       128  /* bytes of a client's X-Request-Id that is kept ([A-Za-z0-9._-]) */
#define LT_REQUEST_ID_BYTES     16   /* random bytes of a generated one (hex: twice as many characters) */
#define LT_METRICS_STATES_TTL_S 1.0  /* /metrics reads the analyses by state again after this long */

#endif
