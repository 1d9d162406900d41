/* libFuzzer entry point for the upload path: the input is a whole HTTP request (request
 * line, headers, raw or multipart/form-data body) written in pieces whose sizes come
 * from the input itself into a libmicrohttpd connection (a socketpair handed to a daemon
 * with no listening socket: no network). The request is routed with lt_route_match and
 * its query checked with lt_route_query_listed as http.c does; the upload route then runs
 * upload.c's own callbacks (begin, body per chunk, finish, cleanup), so libmicrohttpd's
 * post processor runs over upload.c's form-field callback, labels and size limit
 * included. There is no database (fake_http.c): a complete upload ends in 500 once its
 * spool file is stored. Crashes, leaks and sanitizer reports fail it.
 * Build: cmake -DLT_FUZZ=ON -DCMAKE_C_COMPILER=clang; run build/tests/fuzz_upload. */
#include <dirent.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_http.h"
#include "route_match.h"
#include "upload.h"

#define MAX_UPLOAD 256u /* just over the seeds' 188-byte snapshot: grown bodies get 413 */

/* The upload route as api_routes.c declares it (only this route runs here). */
static const lt_http_route upload_route = {
    .method = "POST",
    .pattern = "/api/v1/apps/{app}/snapshots",
    .begin = lt_upload_begin,
    .body = lt_upload_body,
    .handle = lt_upload_finish,
    .cleanup = lt_upload_cleanup,
    .query = "version,host,commit,branch,environment",
};

static char spool[64];
static lt_http *server;

static enum MHD_Result check_name(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind, (void)value;
    lt_http_request *req = cls;
    if (lt_route_query_listed(req->route->query, key))
        return MHD_YES;
    lt_http_reply_error(req, 400, "unknown_parameter", "unknown query parameter '%.100s'", key);
    return MHD_NO;
}

/* First call: route (404/405 as http.c), check the query, begin. */
static void begin(lt_http_request *req)
{
    if (!lt_route_match(upload_route.pattern, req->url, req->captures, LT_HTTP_MAX_CAPTURES)) {
        lt_http_reply_error(req, 404, "not_found", "no route");
        return;
    }
    req->route = &upload_route;
    if (strcmp(req->method, "POST")) {
        lt_http_reply_error(req, 405, "method_not_allowed", "POST only");
        return;
    }
    MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, check_name, req);
    if (!req->response)
        lt_upload_begin(req);
}

static enum MHD_Result queue(lt_http_request *req)
{
    struct MHD_Response *answer = req->response;
    unsigned status = answer ? req->status : 500; /* a callback that gave no answer */
    if (!answer && !(answer = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT)))
        return MHD_NO;
    req->response = NULL;
    req->queued = 1;
    enum MHD_Result queued = MHD_queue_response(req->connection, status, answer);
    MHD_destroy_response(answer);
    return queued;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls, (void)version;
    lt_http_request *req = *con_cls;
    if (!req) {
        if (!(req = calloc(1, sizeof *req)))
            return MHD_NO;
        *con_cls = req;
        *req = (lt_http_request){.server = server, .connection = connection, .method = method, .url = url};
        begin(req);
        return req->response ? queue(req) : MHD_YES;
    }
    if (req->queued || *upload_data_size) {
        size_t size = *upload_data_size;
        *upload_data_size = 0;
        if (!req->queued && !req->response)
            lt_upload_body(req, upload_data, size);
        return MHD_YES;
    }
    if (!req->response)
        lt_upload_finish(req);
    return queue(req);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)connection, (void)toe;
    lt_http_request *req = *con_cls;
    if (!req)
        return;
    if (req->route)
        lt_upload_cleanup(req);
    for (size_t i = 0; i < LT_HTTP_MAX_CAPTURES; i++)
        free(req->captures[i]);
    if (req->response)
        MHD_destroy_response(req->response);
    free(req);
    *con_cls = NULL;
}

/* Removes the snapshots a complete upload left in the spool. */
static void empty_spool(void)
{
    DIR *d = opendir(spool);
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", spool, e->d_name);
        if (e->d_name[0] != '.')
            unlink(path);
    }
    if (d)
        closedir(d);
}

static void remove_spool(void)
{
    empty_spool();
    rmdir(spool);
}

static struct MHD_Daemon *start(void)
{
    snprintf(spool, sizeof spool, "/tmp/lt-fuzz-upload-%d", (int)getpid());
    mkdir(spool, 0700);
    atexit(remove_spool);
    server = fake_http_server(spool, MAX_UPLOAD);
    return MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, NULL, MHD_OPTION_NOTIFY_COMPLETED,
                            on_completed, NULL, MHD_OPTION_END);
}

/* Runs the daemon, reading and dropping its answer, until it has closed the connection
 * and has none left (bounded). */
static void drain(struct MHD_Daemon *d, int fd)
{
    char buf[4096];
    int eof = 0;
    for (int i = 0; i < 5000; i++) {
        MHD_run(d);
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            ;
        eof |= n == 0;
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (eof && info && info->num_connections == 0)
            return;
    }
}

/* Writes the request in pieces of 1..512 bytes (sizes taken from the bytes themselves),
 * running the daemon between pieces. */
static void send_request(struct MHD_Daemon *d, int fd, const uint8_t *data, size_t size)
{
    for (size_t at = 0, stalls = 0; at < size && stalls < 1000;) {
        size_t piece = 1 + data[at] % 512;
        if (piece > size - at)
            piece = size - at;
        ssize_t n = send(fd, data + at, piece, MSG_NOSIGNAL);
        at += n > 0 ? (size_t)n : 0;
        stalls = n > 0 ? 0 : stalls + 1;
        MHD_run(d);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct MHD_Daemon *d;
    if (!d && !(d = start()))
        abort();
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds))
        return 0;
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (MHD_add_connection(d, fds[1], (struct sockaddr *)&peer, sizeof peer) != MHD_YES) {
        close(fds[0]);
        return 0;
    }
    send_request(d, fds[0], data, size);
    shutdown(fds[0], SHUT_WR);
    drain(d, fds[0]);
    close(fds[0]);
    empty_spool();
    return 0;
}
