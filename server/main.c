/* leaktriage: the command line users run. `analyze` runs here; every other command line
 * (serve, upload, migrate, admin, --help, a mistake) is leaktriage-server's
 * (server/server_main.c, every command), which this program replaces itself with (execv),
 * unchanged. The reason is start-up: this binary links only what an analysis needs
 * (libarchive, jansson, ISA-L, zlib, libcrypto), not libpq, libmicrohttpd, libcurl and the
 * 28 libraries they pull in, whose loading took 5 ms of every `leaktriage analyze` (8.3 ms
 * against 3.3 ms for `--version`; 1.4% of the 200 MB benchmark, a sixth of a small
 * snapshot's analysis). leaktriage-server is found next to this program (/proc/self/exe,
 * else argv[0]'s folder), else on PATH. Exit status: analyze's, that program's, or 2 (with a
 * message) when it cannot be run. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define SERVER_PROGRAM "leaktriage-server"

/* The folder this program was run from, with its trailing '/', into dir; "" when unknown. */
static void own_folder(const char *argv0, char *dir, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", dir, size - 1);
    if (n > 0)
        dir[n] = '\0';
    else
        snprintf(dir, size, "%s", strchr(argv0, '/') ? argv0 : "");
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[1] = '\0';
    else
        dir[0] = '\0';
}

/* Replaces this process with leaktriage-server and the same arguments; returns only on
 * failure, with the exit status. */
static int run_server_program(char **argv)
{
    char path[PATH_MAX];
    own_folder(argv[0], path, sizeof path - sizeof SERVER_PROGRAM);
    strcat(path, SERVER_PROGRAM);
    argv[0] = path;
    if (strchr(path, '/'))
        execv(path, argv);
    else
        execvp(SERVER_PROGRAM, argv);
    fprintf(stderr, "leaktriage: cannot run %s (serve, upload, migrate and admin are its commands): %s\n", path,
            strerror(errno));
    return LT_CLI_USAGE;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], lt_cli_analyze.name))
        return lt_cli_analyze.run(argc - 2, argv + 2);
    if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
        printf("leaktriage %s\n", LT_VERSION);
        return 0;
    }
    return run_server_program(argv);
}
