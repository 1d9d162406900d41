/* cli_upload: `leaktriage upload FILE --app APP [options]`, the CI client: streams FILE to
 * POST /api/v1/apps/{app}/snapshots (labels as query parameters, only those given), waits
 * for the analysis (GET /api/v1/analyses/{id}?wait=), then reads its verdict (GET
 * /api/v1/analyses/{id}/verdict[?fail_on=RULES]) and prints it, one line per reason with
 * its URL (cli_verdict.h). With --no-wait it stops after the upload. On a terminal standard
 * error shows the upload's bytes, percent and speed, then the analysis's phase and percent;
 * elsewhere (CI logs) neither. The key and the server also come from LEAKTRIAGE_KEY and
 * LEAKTRIAGE_URL (defaults.h). Exit status by the table in cli_common.h: 0 pass (or
 * stored, --no-wait), 1 the verdict fails, 2 bad usage, FILE not found or not readable, a
 * 4xx answer (a wrong key: "401 unknown or revoked API key") or an analysis that failed on
 * bad input, 3 nothing listening, a lost connection, a 5xx answer, an analysis that failed
 * on the service's side, out of memory — each with the server's or the system's message. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_verdict.h"
#include "defaults.h"
#include "http_client.h"
#include "verdict_rules.h"

typedef struct upload_args {
    const char *file[1];
    const char *app, *server, *key, *fail_on;
    const char *labels[5]; /* in label_names order */
    int no_wait;
} upload_args;

/* Label options and the query parameter each one is sent as. */
static const char *const label_names[5] = {"version", "host", "commit", "branch", "environment"};
#define LABEL(i) offsetof(upload_args, labels) + (i) * sizeof(const char *)

static const lt_cli_option options[] = {
    {.name = "--app",
     .value_name = "APP",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(upload_args, app),
     .help = "the app the snapshot belongs to (required; letters, digits, '.', '_', '-')"},
    {.name = "--server",
     .value_name = "URL",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(upload_args, server),
     .help = "the service (default: $" LT_SERVER_URL_ENV ", else " LT_DEFAULT_SERVER_URL ")"},
    {.name = "--key",
     .value_name = "KEY",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(upload_args, key),
     .help = "API key (default: $" LT_KEY_ENV ")"},
    {.name = "--branch", .value_name = "B", .kind = LT_CLI_TEXT, .offset = LABEL(3), .help = "label: branch"},
    {.name = "--commit", .value_name = "C", .kind = LT_CLI_TEXT, .offset = LABEL(2), .help = "label: commit"},
    {.name = "--app-version",
     .value_name = "V",
     .kind = LT_CLI_TEXT,
     .offset = LABEL(0),
     .help = "label: the app's version"},
    {.name = "--host", .value_name = "H", .kind = LT_CLI_TEXT, .offset = LABEL(1), .help = "label: host"},
    {.name = "--environment", .value_name = "E", .kind = LT_CLI_TEXT, .offset = LABEL(4), .help = "label: environment"},
    {.name = "--fail-on",
     .value_name = "RULES",
     .kind = LT_CLI_TEXT,
     .offset = offsetof(upload_args, fail_on),
     .help = "exit 1 when the verdict fails these rules (default " LT_FAIL_ON_DEFAULT ")"},
    {.name = "--no-wait",
     .kind = LT_CLI_FLAG,
     .offset = offsetof(upload_args, no_wait),
     .help = "exit 0 once the snapshot is stored, printing the analysis URL"},
};

static int run(int argc, char **argv);

const lt_cli_command lt_cli_upload = {
    .name = "upload",
    .summary = "upload a heap snapshot to the service, wait for its analysis, print the CI verdict",
    .operands = "FILE",
    .operands_help = "  FILE                 a .heapsnapshot, compressed or in an archive (as analyze reads)\n",
    .min_operands = 1,
    .max_operands = 1,
    .operands_offset = offsetof(upload_args, file),
    LT_CLI_OPTION_TABLE(options),
    .run = run,
};

/* One upload's state. */
typedef struct upload_run {
    const upload_args *a;
    lt_http_client *http;
    char server[1024]; /* without a trailing '/' */
    int tty;           /* standard error is a terminal: show progress */
    double start_s, shown_s;
    int64_t size, shown_bytes; /* FILE's size (-1 unknown), bytes on the last progress line */
    long long analysis_id;
} upload_run;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Prints `leaktriage upload: <fmt>` on standard error; returns status. */
static int __attribute__((format(printf, 2, 3))) fail(int status, const char *fmt, ...)
{
    va_list ap;
    fputs("leaktriage upload: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return status;
}

/* ---- answers ---- */

/* The answer's JSON (new reference), or NULL when it is not JSON. */
static json_t *answer_json(const lt_http_answer *ans)
{
    return json_loadb(ans->body, ans->length, 0, NULL);
}

/* Reports an answer that is not a success: `WHAT: STATUS MESSAGE` with the server's
 * message. Returns 3 for a 5xx (or anything not 4xx), else 2. */
static int answer_failed(const lt_http_answer *ans, const char *what)
{
    json_t *doc = answer_json(ans);
    const char *message = json_string_value(json_object_get(json_object_get(doc, "error"), "message"));
    int status = ans->status >= 400 && ans->status < 500 ? LT_EXIT_BAD_INPUT : LT_EXIT_INTERNAL;
    fail(status, "%s: %ld %s", what, ans->status, message ? message : ans->length ? ans->body : "(no message)");
    json_decref(doc);
    return status;
}

/* Reports a call that got no answer (nothing listening, lost connection, out of memory). */
static int call_failed(const lt_error *err)
{
    return fail(LT_EXIT_INTERNAL, "%s", err->message);
}

/* Whether an answer is the verdict's 409 while the app's earlier uploads are analysed. */
static int waits_for_earlier(const lt_http_answer *ans)
{
    if (ans->status != 409)
        return 0;
    json_t *doc = answer_json(ans);
    const char *state = json_string_value(json_object_get(json_object_get(doc, "error"), "state"));
    int waiting = state && !strcmp(state, "waiting_for_earlier");
    json_decref(doc);
    return waiting;
}

/* GETs SERVER + path into *doc (new reference). 0, or the exit status (reported); with
 * waiting non-NULL, a 409 "waiting_for_earlier" sets *waiting and returns 0 (no doc). */
static int get_json(upload_run *r, const char *path, long timeout_s, const char *what, json_t **doc, int *waiting)
{
    char url[2048];
    lt_http_answer ans;
    lt_error err;
    lt_error_clear(&err);
    snprintf(url, sizeof url, "%s%s", r->server, path);
    *doc = NULL;
    if (lt_http_client_get(r->http, url, timeout_s, &ans, &err))
        return call_failed(&err);
    if (waiting && (*waiting = waits_for_earlier(&ans)))
        return 0;
    if (ans.status != 200)
        return answer_failed(&ans, what);
    if (!(*doc = answer_json(&ans)))
        return fail(LT_EXIT_INTERNAL, "%s: the server's answer is not JSON: %.200s", what, ans.body);
    return 0;
}

/* ---- the upload ---- */

/* Appends `&name=escaped value` (or `?...` first) to url. 0, or the exit status (reported). */
static int add_query(upload_run *r, char *url, size_t len, const char *name, const char *value)
{
    char *escaped = lt_http_client_escape(r->http, value);
    if (!escaped)
        return fail(LT_EXIT_INTERNAL, "out of memory");
    size_t at = strlen(url);
    int n = snprintf(url + at, len - at, "%c%s=%s", strchr(url, '?') ? '&' : '?', name, escaped);
    lt_http_client_free_text(escaped);
    if (n < 0 || (size_t)n >= len - at)
        return lt_cli_usage_error(&lt_cli_upload, "the labels are too long");
    return 0;
}

/* The upload URL with the labels given. 0, or the exit status (reported). */
static int upload_url(upload_run *r, char *url, size_t len)
{
    char *app = lt_http_client_escape(r->http, r->a->app);
    if (!app)
        return fail(LT_EXIT_INTERNAL, "out of memory");
    snprintf(url, len, "%s/api/v1/apps/%s/snapshots", r->server, app);
    lt_http_client_free_text(app);
    for (int i = 0; i < 5; i++)
        if (r->a->labels[i] && add_query(r, url, len, label_names[i], r->a->labels[i]))
            return LT_EXIT_BAD_INPUT;
    return 0;
}

static void show_bytes(int64_t bytes)
{
    fprintf(stderr, "%.1f MB", (double)bytes / 1e6);
}

/* The upload's progress line on a terminal: bytes, percent, speed; at most 10 a second. */
static void show_upload(void *ctx, int64_t sent, int64_t total)
{
    upload_run *r = ctx;
    double t = now_s();
    if (total < 0)
        total = r->size;
    if ((t - r->shown_s < 0.1 && sent != total) || (sent == r->shown_bytes && t - r->shown_s < 1))
        return;
    r->shown_s = t;
    r->shown_bytes = sent;
    fputs("\rupload: ", stderr);
    show_bytes(sent);
    if (total > 0)
        fputs(" of ", stderr), show_bytes(total), fprintf(stderr, " (%.0f%%)", 100.0 * (double)sent / (double)total);
    fprintf(stderr, ", %.1f MB/s   ", t > r->start_s ? (double)sent / 1e6 / (t - r->start_s) : 0.0);
}

/* Opens FILE for streaming; *size is its length, -1 when it is not a regular file (sent
 * chunked). NULL when it cannot be read (reported: exit 2). */
static FILE *open_snapshot(const char *path, int64_t *size)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    int e = f ? 0 : errno;
    if (f && fstat(fileno(f), &st))
        e = errno;
    else if (f && S_ISDIR(st.st_mode))
        e = EISDIR;
    if (e) {
        if (f)
            fclose(f);
        fail(LT_EXIT_BAD_INPUT, "%s: %s", path, strerror(e));
        return NULL;
    }
    *size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
    return f;
}

/* Reads the upload's answer (200/202): the analysis id; prints its URL and any note. */
static int read_upload_answer(upload_run *r, const lt_http_answer *ans)
{
    json_t *doc = answer_json(ans);
    json_t *id = json_object_get(doc, "analysis_id");
    const char *note = json_string_value(json_object_get(doc, "note"));
    if (!json_is_integer(id)) {
        json_decref(doc);
        return fail(LT_EXIT_INTERNAL, "upload: unexpected answer %ld: %.200s", ans->status, ans->body);
    }
    r->analysis_id = (long long)json_integer_value(id);
    printf("analysis %lld: %s/api/v1/analyses/%lld%s\n", r->analysis_id, r->server, r->analysis_id,
           ans->status == 200 ? " (these bytes were uploaded before)" : "");
    if (note)
        printf("note: %s\n", note);
    fflush(stdout);
    json_decref(doc);
    return 0;
}

/* Streams FILE to the server. 0 with r->analysis_id, or the exit status (reported). */
static int send_snapshot(upload_run *r)
{
    char url[8192];
    if (upload_url(r, url, sizeof url))
        return LT_EXIT_BAD_INPUT;
    FILE *f = open_snapshot(r->a->file[0], &r->size);
    if (!f)
        return LT_EXIT_BAD_INPUT;
    lt_http_answer ans;
    lt_error err;
    lt_error_clear(&err);
    r->start_s = now_s();
    int rc = lt_http_client_post_file(r->http, url, f, r->size, r->tty ? show_upload : NULL, r, &ans, &err);
    fclose(f);
    if (r->tty)
        fputc('\n', stderr);
    if (rc)
        return call_failed(&err);
    if (ans.status != 200 && ans.status != 202)
        return answer_failed(&ans, "upload");
    return read_upload_answer(r, &ans);
}

/* ---- the analysis and its verdict ---- */

/* The analysis's progress line on a terminal. */
static void show_analysis(const upload_run *r, json_t *doc)
{
    const char *phase = json_string_value(json_object_get(doc, "phase"));
    const char *state = json_string_value(json_object_get(doc, "state"));
    fprintf(stderr, "\ranalysis %lld: %s %s %.0f%%   ", r->analysis_id, state ? state : "?", phase ? phase : "",
            json_number_value(json_object_get(doc, "percent")));
}

/* The exit status of a failed analysis (reported): 2 when the snapshot was bad input. */
static int analysis_failed(const upload_run *r, json_t *doc)
{
    const char *kind = json_string_value(json_object_get(doc, "error_kind"));
    const char *error = json_string_value(json_object_get(doc, "error"));
    int status = kind && !strcmp(kind, "bad_input") ? LT_EXIT_BAD_INPUT : LT_EXIT_INTERNAL;
    return fail(status, "analysis %lld failed: %s", r->analysis_id, error ? error : "(no message)");
}

/* Waits until the analysis is done. 0, or the exit status (reported). */
static int wait_analysis(upload_run *r)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/analyses/%lld?wait=%d", r->analysis_id, LT_UPLOAD_WAIT_S);
    for (;;) {
        json_t *doc;
        int rc = get_json(r, path, LT_UPLOAD_WAIT_S + LT_UPLOAD_TIMEOUT_S, "analysis", &doc, NULL);
        if (rc)
            return rc;
        const char *state = json_string_value(json_object_get(doc, "state"));
        if (r->tty)
            show_analysis(r, doc);
        int done = state && !strcmp(state, "done"), failed = state && !strcmp(state, "failed");
        if (r->tty && (done || failed))
            fputc('\n', stderr);
        rc = failed ? analysis_failed(r, doc) : 0;
        json_decref(doc);
        if (done || failed)
            return rc;
    }
}

/* Prints the verdict document {"verdict", "reasons": [...]}. Returns 0 pass, 1 fail, or 3
 * (reported) when it is neither. */
static int print_verdict(const upload_run *r, json_t *doc)
{
    const char *verdict = json_string_value(json_object_get(doc, "verdict"));
    int failed = verdict && !strcmp(verdict, "fail");
    if (!failed && !(verdict && !strcmp(verdict, "pass")))
        return fail(LT_EXIT_INTERNAL, "verdict of analysis %lld: unexpected answer (no \"verdict\")", r->analysis_id);
    lt_cli_print_verdict(stdout, failed, r->a->fail_on);
    json_t *reasons = json_object_get(doc, "reasons"), *x;
    size_t i;
    json_array_foreach(reasons, i, x)
    {
        const char *leak_url = json_string_value(json_object_get(x, "leak_url"));
        lt_cli_reason reason = {.rule = json_string_value(json_object_get(x, "rule")),
                                .kind = json_string_value(json_object_get(x, "kind")),
                                .title = json_string_value(json_object_get(x, "title")),
                                .fingerprint = json_string_value(json_object_get(x, "fingerprint")),
                                .url = leak_url ? leak_url : json_string_value(json_object_get(x, "report_url"))};
        lt_cli_print_reason(stdout, &reason);
    }
    return failed ? LT_EXIT_VERDICT_FAIL : LT_EXIT_OK;
}

/* Reads and prints the analysis's verdict, waiting while the app's earlier uploads are
 * still analysed (they decide whether a leak is new). The exit status. */
static int fetch_verdict(upload_run *r)
{
    char path[512];
    int n = snprintf(path, sizeof path, "/api/v1/analyses/%lld/verdict?wait=%d", r->analysis_id, LT_UPLOAD_WAIT_S);
    if (r->a->fail_on) {
        char *rules = lt_http_client_escape(r->http, r->a->fail_on);
        if (!rules)
            return fail(LT_EXIT_INTERNAL, "out of memory");
        snprintf(path + n, sizeof path - (size_t)n, "&fail_on=%s", rules);
        lt_http_client_free_text(rules);
    }
    json_t *doc;
    int waiting = 1, rc = 0;
    while (!rc && waiting) {
        rc = get_json(r, path, LT_UPLOAD_WAIT_S + LT_UPLOAD_TIMEOUT_S, "verdict", &doc, &waiting);
        if (!rc && waiting && r->tty)
            fprintf(stderr, "\rverdict: waiting for earlier uploads of %s to be analysed   ", r->a->app);
    }
    if (rc)
        return rc;
    rc = print_verdict(r, doc);
    json_decref(doc);
    return rc;
}

/* ---- the command ---- */

/* Checks the arguments and fills r's server. 0, or LT_CLI_USAGE (reported). */
static int check_args(upload_args *a, upload_run *r)
{
    char why[256];
    lt_rules rules;
    if (!a->app)
        return lt_cli_usage_error(&lt_cli_upload, "needs --app APP");
    if (!a->key && !(a->key = getenv(LT_KEY_ENV)))
        a->key = "";
    if (!*a->key)
        return lt_cli_usage_error(&lt_cli_upload, "needs an API key: --key KEY or $" LT_KEY_ENV);
    if (a->fail_on && lt_rules_parse(a->fail_on, &rules, why, sizeof why))
        return lt_cli_usage_error(&lt_cli_upload, "--fail-on: %s", why);
    if (!a->server && (!(a->server = getenv(LT_SERVER_URL_ENV)) || !*a->server))
        a->server = LT_DEFAULT_SERVER_URL;
    size_t n = strlen(a->server);
    while (n > 0 && a->server[n - 1] == '/')
        n--;
    if (n == 0 || n >= sizeof r->server)
        return lt_cli_usage_error(&lt_cli_upload, "--server: not a URL: '%s'", a->server);
    memcpy(r->server, a->server, n);
    r->server[n] = '\0';
    return 0;
}

static int run(int argc, char **argv)
{
    upload_args args = {0};
    upload_run r = {.a = &args, .tty = isatty(STDERR_FILENO), .shown_bytes = -1};
    int status = lt_cli_parse(&lt_cli_upload, argc, argv, &args);
    if (status != LT_CLI_CONTINUE)
        return status;
    if (check_args(&args, &r))
        return LT_CLI_USAGE;
    lt_error err;
    lt_error_clear(&err);
    if (!(r.http = lt_http_client_new(args.key, &err)))
        return call_failed(&err);
    status = send_snapshot(&r);
    if (!status && !args.no_wait)
        status = wait_analysis(&r);
    if (!status && !args.no_wait)
        status = fetch_verdict(&r);
    lt_http_client_free(r.http);
    if (fflush(stdout))
        return fail(LT_EXIT_INTERNAL, "cannot write the output: %s", strerror(errno));
    return status;
}
