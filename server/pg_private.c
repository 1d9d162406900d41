/* pg_private: a private PostgreSQL cluster under DIR/pg (see pg_private.h).
 *
 * DESIGN
 * - Set-up runs under an exclusive flock on DIR/pg.lock, so two processes starting at once
 *   (two `migrate`s, an admin command beside `serve`) do it one after the other; the second
 *   finds the cluster initialised and running and only builds its connection string.
 * - initdb writes into DIR/pg.init, which is renamed to DIR/pg once configured: DIR/pg
 *   either is a whole cluster or does not exist. A DIR/pg.init left by a crash is removed.
 * - The configuration appended to postgresql.conf: no TCP (listen_addresses = ''), the
 *   socket in DIR/pg, a fixed port (the socket folder is private, so it never clashes).
 * - Authentication is `trust`: only the cluster's owner (and root) can enter DIR/pg (0700),
 *   where the socket is.
 * - Every tool runs with an argument vector (posix_spawn, never a shell), stdin from
 *   /dev/null, stdout+stderr captured so a failure reports the tool's own last line. */
#include "pg_private.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define PG_PORT            "5432"
#define PG_DBNAME          "leaktriage"
#define PG_FALLBACK_BINDIR "/usr/lib/postgresql/15/bin"
#define INSTALL_HINT       "install postgresql: apt-get install postgresql"

/* What the cluster runs with; filled once by pg_env_init. */
typedef struct pg_env {
    char bindir[PATH_MAX];
    char dir[PATH_MAX];    /* absolute DIR */
    char pgdata[PATH_MAX]; /* DIR/pg */
    char user[64];         /* OS user running the server = database superuser */
    int as_postgres;       /* we are root: tools run through runuser -u user (postgres, or the cluster's owner) */
    uid_t uid;             /* the server user's ids (for chown when as_postgres) */
    gid_t gid;
} pg_env;

/* ---- running tools ---- */

/* Keeps the last cap-1 bytes of a stream in out (NUL-terminated). */
static void keep_tail(char *out, size_t cap, size_t *used, const char *buf, size_t n)
{
    if (cap == 0)
        return;
    if (n >= cap - 1) {
        memcpy(out, buf + n - (cap - 1), cap - 1);
        *used = cap - 1;
    } else {
        if (*used + n > cap - 1) {
            size_t drop = *used + n - (cap - 1);
            memmove(out, out + drop, *used - drop);
            *used -= drop;
        }
        memcpy(out + *used, buf, n);
        *used += n;
    }
    out[*used] = '\0';
}

static int spawn_setup(posix_spawn_file_actions_t *fa, int pipe_w)
{
    if (posix_spawn_file_actions_init(fa))
        return -1;
    if (posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0) ||
        posix_spawn_file_actions_adddup2(fa, pipe_w, 1) || posix_spawn_file_actions_adddup2(fa, pipe_w, 2) ||
        posix_spawn_file_actions_addchdir_np(fa, "/")) {
        posix_spawn_file_actions_destroy(fa);
        return -1;
    }
    return 0;
}

/* Runs argv (argv[0] a path or a name looked up in PATH) with stdout+stderr captured into
 * out; *status is the exit status (128+signal when killed). Returns 0 when it ran at all. */
static int spawn_capture(char *const argv[], int *status, char *out, size_t cap, lt_error *err)
{
    int fds[2];
    size_t used = 0;
    if (cap)
        out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC))
        return lt_error_set(err, LT_EIO, "cannot run %s: pipe: %s", argv[0], strerror(errno));
    posix_spawn_file_actions_t fa;
    if (spawn_setup(&fa, fds[1])) {
        close(fds[0]), close(fds[1]);
        return lt_error_set(err, LT_ENOMEM, "cannot run %s: out of memory", argv[0]);
    }
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc) {
        close(fds[0]);
        return lt_error_set(err, LT_EIO, "cannot run %s: %s", argv[0], strerror(rc));
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) != 0)
        if (n > 0)
            keep_tail(out, cap, &used, buf, (size_t)n);
        else if (errno != EINTR)
            break;
    close(fds[0]);
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR)
            return lt_error_set(err, LT_EIO, "cannot wait for %s: %s", argv[0], strerror(errno));
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    return 0;
}

/* The last non-empty line of text, copied into out. */
static const char *last_line(const char *text, char *out, size_t cap)
{
    size_t end = strlen(text);
    while (end && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' '))
        end--;
    size_t start = end;
    while (start && text[start - 1] != '\n')
        start--;
    snprintf(out, cap, "%.*s", (int)(end - start), text + start);
    return out;
}

/* Runs the PostgreSQL tool `tool` from bindir with args (NULL-terminated), as postgres when
 * we are root. Returns 0 and *status, with the output's tail in out. */
static int run_tool(const pg_env *env, const char *tool, const char *const args[], int *status, char *out, size_t cap,
                    lt_error *err)
{
    char path[PATH_MAX + 64];
    char *argv[32];
    int n = 0;
    snprintf(path, sizeof path, "%s/%s", env->bindir, tool);
    if (env->as_postgres) {
        argv[n++] = access("/usr/sbin/runuser", X_OK) ? "runuser" : "/usr/sbin/runuser";
        argv[n++] = "-u";
        argv[n++] = (char *)env->user;
        argv[n++] = "--";
    }
    argv[n++] = path;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    return spawn_capture(argv, status, out, cap, err);
}

/* ---- finding PostgreSQL and the folder ---- */

static int is_bindir(const char *dir)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/initdb", dir);
    if (access(path, X_OK))
        return 0;
    snprintf(path, sizeof path, "%s/pg_ctl", dir);
    return access(path, X_OK) == 0;
}

/* The folder holding initdb and pg_ctl: `pg_config --bindir`, else the Debian PG 15 path. */
static int find_bindir(char *out, size_t cap, lt_error *err)
{
    char *argv[] = {"pg_config", "--bindir", NULL};
    char text[PATH_MAX];
    int status;
    lt_error ignored;
    if (!spawn_capture(argv, &status, text, sizeof text, &ignored) && status == 0) {
        last_line(text, out, cap);
        if (is_bindir(out))
            return 0;
    }
    if (is_bindir(PG_FALLBACK_BINDIR)) {
        snprintf(out, cap, "%s", PG_FALLBACK_BINDIR);
        return 0;
    }
    return lt_error_set(err, LT_EIO,
                        "PostgreSQL server programs (initdb, pg_ctl) not found; " INSTALL_HINT
                        " (or pass --database URL)");
}

/* Root: the postgres user must be able to walk down to DIR/pg. */
static int check_traversable(const pg_env *env, lt_error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", env->dir);
    for (;;) {
        struct stat st;
        if (stat(path, &st))
            return lt_error_set(err, LT_EUSAGE, "cannot read %s: %s", path, strerror(errno));
        int ok = (st.st_mode & S_IXOTH) || (st.st_uid == env->uid && (st.st_mode & S_IXUSR)) ||
                 (st.st_gid == env->gid && (st.st_mode & S_IXGRP));
        if (!ok)
            return lt_error_set(err, LT_EUSAGE,
                                "the database runs as user %s, who cannot enter %s (mode %04o); use a --data "
                                "folder outside it or run chmod o+x %s",
                                env->user, path, (unsigned)(st.st_mode & 07777), path);
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
            return 0;
        *slash = '\0';
    }
}

static int server_user(pg_env *env, lt_error *err)
{
    env->as_postgres = geteuid() == 0;
    struct passwd *pw = env->as_postgres ? getpwnam("postgres") : getpwuid(geteuid());
    if (!pw)
        return lt_error_set(err, LT_EIO,
                            env->as_postgres ? "no user 'postgres' on this machine; " INSTALL_HINT
                                             : "cannot find the name of the current user (uid %u)",
                            (unsigned)geteuid());
    if (strlen(pw->pw_name) >= sizeof env->user)
        return lt_error_set(err, LT_EIO, "user name %s is too long", pw->pw_name);
    snprintf(env->user, sizeof env->user, "%s", pw->pw_name);
    env->uid = pw->pw_uid;
    env->gid = pw->pw_gid;
    return 0;
}

/* Creates DIR (0755 when root), resolves it to an absolute path and checks the socket fits. */
static int prepare_dir(pg_env *env, const char *data_dir, lt_error *err)
{
    if (mkdir(data_dir, 0755) && errno != EEXIST)
        return lt_error_set(err, LT_EUSAGE, "cannot create the data folder %s: %s", data_dir, strerror(errno));
    if (!realpath(data_dir, env->dir))
        return lt_error_set(err, LT_EUSAGE, "cannot use the data folder %s: %s", data_dir, strerror(errno));
    if (env->as_postgres && chmod(env->dir, 0755))
        return lt_error_set(err, LT_EUSAGE, "cannot make %s readable for postgres: %s", env->dir, strerror(errno));
    struct sockaddr_un sun;
    int n = snprintf(env->pgdata, sizeof env->pgdata, "%s/pg", env->dir);
    if (n + (int)strlen("/.s.PGSQL." PG_PORT) >= (int)sizeof sun.sun_path)
        return lt_error_set(err, LT_EUSAGE,
                            "the data folder path %s is too long for a unix socket (at most %d "
                            "characters); use a shorter --data path",
                            env->dir, (int)sizeof sun.sun_path - 1 - (int)strlen("/pg/.s.PGSQL." PG_PORT));
    return env->as_postgres ? check_traversable(env, err) : 0;
}

/* An existing cluster runs as its owner: root runs the tools as that user (say the
 * service's own, from the systemd unit), anyone else must be that user. */
static int cluster_owner(pg_env *env, lt_error *err)
{
    struct stat st;
    if (stat(env->pgdata, &st) || st.st_uid == env->uid)
        return 0;
    struct passwd *pw = getpwuid(st.st_uid);
    const char *name = pw ? pw->pw_name : "?";
    if (geteuid() != 0 || !pw || strlen(name) >= sizeof env->user)
        return lt_error_set(err, LT_EUSAGE, "%s belongs to user %s (uid %u): run leaktriage as that user or as root",
                            env->pgdata, name, (unsigned)st.st_uid);
    snprintf(env->user, sizeof env->user, "%s", name);
    env->as_postgres = 1;
    env->uid = pw->pw_uid;
    env->gid = pw->pw_gid;
    return 0;
}

static int pg_env_init(pg_env *env, const char *data_dir, lt_error *err)
{
    memset(env, 0, sizeof *env);
    int rc = find_bindir(env->bindir, sizeof env->bindir, err);
    if (!rc)
        rc = server_user(env, err);
    if (!rc)
        rc = prepare_dir(env, data_dir, err);
    if (!rc)
        rc = cluster_owner(env, err);
    return rc;
}

/* ---- set-up steps ---- */

/* Opens DIR/name (created readable by all: flock needs no write access, and root and the
 * cluster's owner both take it) and flocks it with how (LOCK_EX or LOCK_SH). */
static int lock_file(const pg_env *env, const char *name, int how, int *fd, lt_error *err)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/%s", env->dir, name);
    *fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return lt_error_set(err, LT_EUSAGE, "cannot open %s: %s", path, strerror(errno));
    while (flock(*fd, how))
        if (errno != EINTR) {
            close(*fd);
            return lt_error_set(err, LT_EIO, "cannot lock %s: %s", path, strerror(errno));
        }
    return 0;
}

static int lock_dir(const pg_env *env, int *fd, lt_error *err)
{
    return lock_file(env, "pg.lock", LOCK_EX, fd, err);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* postgresql.conf value quoting: single quotes, a quote doubled. */
static void conf_quote(char *out, size_t cap, const char *value)
{
    size_t o = 0;
    out[o++] = '\'';
    for (const char *p = value; *p && o + 3 < cap; p++) {
        if (*p == '\'')
            out[o++] = '\'';
        out[o++] = *p;
    }
    out[o++] = '\'';
    out[o] = '\0';
}

static int append_config(const pg_env *env, const char *initdir, lt_error *err)
{
    char path[PATH_MAX + 32], socket_dir[2 * PATH_MAX + 4];
    snprintf(path, sizeof path, "%s/postgresql.conf", initdir);
    conf_quote(socket_dir, sizeof socket_dir, env->pgdata);
    FILE *f = fopen(path, "a");
    if (!f)
        return lt_error_set(err, LT_EIO, "cannot configure %s: %s", path, strerror(errno));
    fprintf(f,
            "\n# leaktriage: private cluster, unix socket only\nlisten_addresses = ''\n"
            "unix_socket_directories = %s\nport = " PG_PORT "\n",
            socket_dir);
    if (fclose(f))
        return lt_error_set(err, LT_EIO, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

static int run_initdb(const pg_env *env, const char *initdir, lt_error *err)
{
    const char *args[] = {"-D", initdir, "-U", env->user, "--auth=trust", "--no-locale", "-E", "UTF8", NULL};
    char out[2048], line[512];
    int status;
    int rc = run_tool(env, "initdb", args, &status, out, sizeof out, err);
    if (!rc && status)
        rc = lt_error_set(err, LT_EIO, "initdb %s failed (exit %d): %s", initdir, status,
                          last_line(out, line, sizeof line));
    return rc;
}

static int is_cluster(const pg_env *env)
{
    char version[PATH_MAX + 16];
    snprintf(version, sizeof version, "%s/PG_VERSION", env->pgdata);
    return access(version, F_OK) == 0;
}

/* initdb into DIR/pg.init, configure, rename to DIR/pg. Nothing to do if DIR/pg exists. */
static int init_cluster(const pg_env *env, lt_error *err)
{
    char initdir[PATH_MAX + 16];
    if (is_cluster(env))
        return 0;
    if (access(env->pgdata, F_OK) == 0)
        return lt_error_set(err, LT_EUSAGE, "%s exists but holds no PostgreSQL cluster; move it away", env->pgdata);
    snprintf(initdir, sizeof initdir, "%s/pg.init", env->dir);
    if (nftw(initdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT)
        return lt_error_set(err, LT_EIO, "cannot remove the unfinished %s: %s", initdir, strerror(errno));
    if (mkdir(initdir, 0700))
        return lt_error_set(err, LT_EIO, "cannot create %s: %s", initdir, strerror(errno));
    if (env->as_postgres && chown(initdir, env->uid, env->gid))
        return lt_error_set(err, LT_EIO, "cannot give %s to postgres: %s", initdir, strerror(errno));
    int rc = run_initdb(env, initdir, err);
    if (!rc)
        rc = append_config(env, initdir, err);
    if (!rc && rename(initdir, env->pgdata))
        rc = lt_error_set(err, LT_EIO, "cannot rename %s to %s: %s", initdir, env->pgdata, strerror(errno));
    return rc;
}

/* *running = 1 when pg_ctl status finds a live server. */
static int cluster_running(const pg_env *env, int *running, lt_error *err)
{
    const char *args[] = {"status", "-D", env->pgdata, NULL};
    char out[1024], line[512];
    int status;
    int rc = run_tool(env, "pg_ctl", args, &status, out, sizeof out, err);
    if (rc)
        return rc;
    if (status != 0 && status != 3)
        return lt_error_set(err, LT_EIO, "pg_ctl status -D %s failed (exit %d): %s", env->pgdata, status,
                            last_line(out, line, sizeof line));
    *running = status == 0;
    return 0;
}

/* The log's last line, which says why the server did not start. */
static const char *log_tail(const char *log, char *line, size_t cap)
{
    char text[4096];
    size_t used = 0;
    text[0] = '\0';
    FILE *f = fopen(log, "r");
    if (f) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            keep_tail(text, sizeof text, &used, buf, n);
        fclose(f);
    }
    return last_line(text, line, cap);
}

static int start_cluster(const pg_env *env, lt_error *err)
{
    char log[PATH_MAX + 8], out[2048], line[512];
    snprintf(log, sizeof log, "%s/log", env->pgdata);
    const char *args[] = {"-D", env->pgdata, "-l", log, "-w", "-t", "60", "start", NULL};
    int status;
    int rc = run_tool(env, "pg_ctl", args, &status, out, sizeof out, err);
    if (!rc && status)
        rc = lt_error_set(err, LT_EIO, "PostgreSQL in %s did not start (pg_ctl exit %d): %s; see %s", env->pgdata,
                          status, log_tail(log, line, sizeof line), log);
    return rc;
}

/* libpq conninfo value quoting: single quotes, backslash before ' and \. */
static void conninfo_quote(char *out, size_t cap, const char *value)
{
    size_t o = 0;
    out[o++] = '\'';
    for (const char *p = value; *p && o + 4 < cap; p++) {
        if (*p == '\'' || *p == '\\')
            out[o++] = '\\';
        out[o++] = *p;
    }
    out[o++] = '\'';
    out[o] = '\0';
}

static int make_conninfo(const pg_env *env, const char *dbname, char *out, size_t cap, lt_error *err)
{
    char host[2 * PATH_MAX + 4], user[2 * sizeof env->user + 4];
    conninfo_quote(host, sizeof host, env->pgdata);
    conninfo_quote(user, sizeof user, env->user);
    int n = snprintf(out, cap, "host=%s port=" PG_PORT " dbname=%s user=%s", host, dbname, user);
    if (n < 0 || (size_t)n >= cap)
        return lt_error_set(err, LT_EUSAGE, "connection string for %s does not fit in %zu bytes", env->pgdata, cap);
    return 0;
}

/* Creates the database `leaktriage` unless it exists (we hold the set-up lock). */
static int create_database(const pg_env *env, lt_error *err)
{
    char conninfo[4 * PATH_MAX];
    int rc = make_conninfo(env, "postgres", conninfo, sizeof conninfo, err);
    if (rc)
        return rc;
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        rc = lt_error_set(err, LT_EIO, "cannot connect to the private PostgreSQL in %s: %s", env->pgdata,
                          PQerrorMessage(conn));
        goto done;
    }
    const char *params[] = {PG_DBNAME};
    PGresult *res = PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, params, NULL, NULL, 0);
    int exists = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
    PQclear(res);
    if (!exists) {
        res = PQexec(conn, "CREATE DATABASE " PG_DBNAME);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = lt_error_set(err, LT_EIO, "cannot create the database " PG_DBNAME " in %s: %s", env->pgdata,
                              PQresultErrorMessage(res));
        PQclear(res);
    }
done:
    PQfinish(conn);
    if (rc && err)
        err->message[strcspn(err->message, "\n")] = '\0';
    return rc;
}

static int ensure_locked(const pg_env *env, lt_error *err)
{
    int running = 0;
    int rc = init_cluster(env, err);
    if (!rc)
        rc = cluster_running(env, &running, err);
    if (!rc && !running)
        rc = start_cluster(env, err);
    if (!rc)
        rc = create_database(env, err);
    return rc;
}

/* ---- the processes using a cluster ---- */

/* The clusters this process ensured: each holds a shared flock on DIR/pg.users until
 * lt_pg_private_release. Set up by one thread (serve's main, a command's run). */
typedef struct pg_user {
    pg_env env;
    int users_fd;
    char url[3 * PATH_MAX];
} pg_user;

static pg_user users[LT_PG_PRIVATE_USERS_MAX];
static size_t user_count;

static pg_user *find_user(const char *dir)
{
    for (size_t i = 0; i < user_count; i++)
        if (!strcmp(users[i].env.dir, dir))
            return &users[i];
    return NULL;
}

/* Appends s to out (cap bytes, *o used) percent-encoded, '/' kept. */
static void url_encode(char *out, size_t cap, size_t *o, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s && *o + 4 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("/-._~", c))
            out[(*o)++] = (char)c;
        else
            out[(*o)++] = '%', out[(*o)++] = hex[c >> 4], out[(*o)++] = hex[c & 15];
    }
    out[*o] = '\0';
}

/* postgresql:///leaktriage?host=DIR/pg&port=5432&user=USER */
static void make_url(const pg_env *env, char *out, size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "postgresql:///" PG_DBNAME "?host=");
    url_encode(out, cap, &o, env->pgdata);
    o += (size_t)snprintf(out + o, cap - o, "&port=" PG_PORT "&user=");
    url_encode(out, cap, &o, env->user);
}

/* Under the set-up lock: records this process as a user of env's cluster (once). */
static int add_user(const pg_env *env, lt_error *err)
{
    if (find_user(env->dir))
        return 0;
    if (user_count == LT_PG_PRIVATE_USERS_MAX)
        return lt_error_set(err, LT_EUSAGE, "more than %d private clusters in one process", LT_PG_PRIVATE_USERS_MAX);
    pg_user *u = &users[user_count];
    int rc = lock_file(env, "pg.users", LOCK_SH, &u->users_fd, err);
    if (rc)
        return rc;
    u->env = *env;
    make_url(env, u->url, sizeof u->url);
    user_count++;
    return 0;
}

/* ---- the interface ---- */

/* 1 when data_dir/pg holds a cluster (read before anything is created). */
static int has_cluster(const char *data_dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/pg/PG_VERSION", data_dir);
    return access(path, F_OK) == 0;
}

int lt_pg_private_ensure(const char *data_dir, int may_create, char *conninfo, size_t len, lt_error *err)
{
    pg_env env;
    int fd;
    if (!may_create && !has_cluster(data_dir))
        return lt_error_set(err, LT_EUSAGE, "no leaktriage data in %s — pass --data DIR", data_dir);
    int rc = pg_env_init(&env, data_dir, err);
    if (rc)
        return rc;
    rc = lock_dir(&env, &fd, err);
    if (rc)
        return rc;
    rc = add_user(&env, err);
    if (!rc)
        rc = ensure_locked(&env, err);
    close(fd); /* releases the flock */
    if (!rc)
        rc = make_conninfo(&env, PG_DBNAME, conninfo, len, err);
    return rc;
}

const char *lt_pg_private_url(void)
{
    return user_count ? users[0].url : NULL;
}

static int stop_cluster(const pg_env *env, lt_error *err)
{
    int running = 0, status;
    char out[1024], line[512];
    int rc = is_cluster(env) ? cluster_running(env, &running, err) : 0;
    if (rc || !running)
        return rc;
    const char *args[] = {"-D", env->pgdata, "-m", "fast", "-w", "stop", NULL};
    rc = run_tool(env, "pg_ctl", args, &status, out, sizeof out, err);
    if (!rc && status)
        rc = lt_error_set(err, LT_EIO, "pg_ctl stop -D %s failed (exit %d): %s", env->pgdata, status,
                          last_line(out, line, sizeof line));
    return rc;
}

int lt_pg_private_stop(const char *data_dir, lt_error *err)
{
    pg_env env;
    int rc = pg_env_init(&env, data_dir, err);
    return rc ? rc : stop_cluster(&env, err);
}

/* Under the set-up lock (no process is between starting the cluster and becoming its
 * user): the last user, who gets DIR/pg.users exclusively, stops the cluster. */
static int release_user(pg_user *u, int *stopped, lt_error *err)
{
    int fd;
    int rc = lock_dir(&u->env, &fd, err);
    if (rc)
        return rc;
    if (!flock(u->users_fd, LOCK_EX | LOCK_NB)) {
        rc = stop_cluster(&u->env, err);
        *stopped += !rc;
    }
    close(u->users_fd);
    close(fd);
    return rc;
}

int lt_pg_private_release(int *stopped, lt_error *err)
{
    int rc = 0;
    *stopped = 0;
    while (user_count > 0) {
        int one = release_user(&users[--user_count], stopped, err);
        rc = rc ? rc : one;
    }
    return rc;
}
