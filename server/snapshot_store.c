/* snapshot_store: local spool files and PostgreSQL large objects. See snapshot_store.h. */
#include "snapshot_store.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq/libpq-fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "db.h"

static const char *const kind_names[] = {
    [LT_SNAPSHOT_STORE_LOCAL] = "local",
    [LT_SNAPSHOT_STORE_POSTGRES] = "postgres",
};

int lt_snapshot_store_kind_parse(const char *name, lt_snapshot_store_kind *kind, lt_error *err)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof *kind_names; i++)
        if (name && !strcmp(name, kind_names[i])) {
            *kind = (lt_snapshot_store_kind)i;
            return 0;
        }
    return lt_error_set(err, LT_EUSAGE, "the store must be local or postgres, not '%s'", name ? name : "");
}

const char *lt_snapshot_store_kind_name(lt_snapshot_store_kind kind)
{
    return kind_names[kind];
}

int lt_snapshot_store_random_hex(char *out, size_t bytes, lt_error *err)
{
    unsigned char rnd[64];
    if (bytes > sizeof rnd || getrandom(rnd, bytes, 0) != (ssize_t)bytes)
        return lt_error_set(err, LT_EIO, "no random bytes from the kernel: %s", strerror(errno));
    for (size_t i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", rnd[i]);
    return 0;
}

/* ---- the machine id ---------------------------------------------------------------- */

/* Reads the id in path into id. 1 when it holds one, 0 when there is no file, or LT_EIO. */
static int read_machine_id(const char *path, char *id, lt_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : lt_error_set(err, LT_EIO, "cannot read %s: %s", path, strerror(errno));
    char line[80] = "";
    int got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    if (!got || strlen(line) != LT_SNAPSHOT_STORE_MACHINE_ID || strspn(line, "0123456789abcdef") != strlen(line))
        return lt_error_set(err, LT_EIO, "%s does not hold a machine id (%d hex digits)", path,
                            LT_SNAPSHOT_STORE_MACHINE_ID);
    memcpy(id, line, LT_SNAPSHOT_STORE_MACHINE_ID + 1);
    return 1;
}

/* Creates path holding a new id (O_EXCL: a second server starting on the same folder at
 * once reads the first one's). 0, 1 when another made it first, or LT_EIO. */
static int create_machine_id(const char *path, char *id, lt_error *err)
{
    int rc = lt_snapshot_store_random_hex(id, LT_SNAPSHOT_STORE_MACHINE_ID / 2, err);
    if (rc)
        return rc;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno == EEXIST ? 1 : lt_error_set(err, LT_EIO, "cannot create %s: %s", path, strerror(errno));
    char line[LT_SNAPSHOT_STORE_MACHINE_ID + 2];
    int n = snprintf(line, sizeof line, "%s\n", id);
    int bad = write(fd, line, (size_t)n) != n || fsync(fd);
    close(fd);
    if (bad) {
        unlink(path);
        return lt_error_set(err, LT_EIO, "cannot write %s", path);
    }
    return 0;
}

int lt_snapshot_store_init(lt_snapshot_store *s, lt_snapshot_store_kind kind, const char *data_dir, lt_error *err)
{
    char path[PATH_MAX];
    s->kind = kind;
    if ((size_t)snprintf(s->spool_dir, sizeof s->spool_dir, "%s/spool", data_dir) >= sizeof s->spool_dir ||
        (size_t)snprintf(path, sizeof path, "%s/machine-id", data_dir) >= sizeof path)
        return lt_error_set(err, LT_EUSAGE, "the data folder's path is too long");
    int rc = read_machine_id(path, s->machine_id, err);
    if (rc == 0)
        rc = create_machine_id(path, s->machine_id, err);
    if (rc == 1)
        rc = read_machine_id(path, s->machine_id, err);
    return rc < 0 ? rc : 0;
}

/* ---- large objects ------------------------------------------------------------------ */

/* libpq's last error as err's message, prefixed by what failed. */
static int lo_failed(PGconn *db, const char *what, lt_error *err)
{
    const char *why = PQerrorMessage(db);
    return lt_error_set(err, LT_EIO, "%s: %.*s", what, (int)strcspn(why, "\n"), why);
}

/* Copies fd's bytes into the open large object lo. */
static int copy_into(PGconn *db, int lo, int fd, char *buf, lt_error *err)
{
    off_t at = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, LT_SNAPSHOT_STORE_CHUNK, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lt_error_set(err, LT_EIO, "cannot read the spooled snapshot: %s", strerror(errno));
        if (n == 0)
            return 0;
        if (lo_write(db, lo, buf, (size_t)n) != (int)n)
            return lo_failed(db, "cannot write the large object", err);
        at += n;
    }
}

int lt_snapshot_store_put(const lt_snapshot_store *s, PGconn *db, int fd, char oid[16], lt_error *err)
{
    oid[0] = '\0';
    if (s->kind != LT_SNAPSHOT_STORE_POSTGRES)
        return 0;
    char *buf = malloc(LT_SNAPSHOT_STORE_CHUNK);
    if (!buf)
        return lt_error_set(err, LT_ENOMEM, "out of memory storing the snapshot");
    Oid made = lo_creat(db, INV_READ | INV_WRITE);
    int lo = made == InvalidOid ? -1 : lo_open(db, made, INV_WRITE);
    int rc = lo < 0 ? lo_failed(db, "cannot create a large object", err) : copy_into(db, lo, fd, buf, err);
    if (lo >= 0 && lo_close(db, lo) < 0 && !rc)
        rc = lo_failed(db, "cannot close the large object", err);
    free(buf);
    if (!rc)
        snprintf(oid, 16, "%u", (unsigned)made);
    return rc;
}

int lt_snapshot_store_remove(PGconn *db, const char *oid, lt_error *err)
{
    if (!oid || !*oid)
        return 0;
    const char *p[] = {oid};
    return lt_db_exec(db, "SELECT lo_unlink(m.oid) FROM pg_largeobject_metadata m WHERE m.oid = $1::oid", 1, p, NULL,
                      err);
}

/* ---- reading ------------------------------------------------------------------------ */

static int is_postgres(const lt_snapshot_ref *ref)
{
    return ref->store && !strcmp(ref->store, kind_names[LT_SNAPSHOT_STORE_POSTGRES]);
}

int lt_snapshot_store_readable(const lt_snapshot_store *s, const lt_snapshot_ref *ref)
{
    return is_postgres(ref) || !ref->machine_id || !*ref->machine_id || !strcmp(ref->machine_id, s->machine_id);
}

typedef struct fetch {
    const char *oid;
    int fd; /* the copy being written */
    char *buf;
} fetch;

/* Writes n bytes of buf to fd. */
static int write_all(int fd, const char *buf, size_t n, lt_error *err)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return lt_error_set(err, LT_EIO, "cannot write the fetched snapshot: %s", strerror(errno));
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* In a transaction: the large object f->oid, chunk by chunk, into f->fd. */
static int fetch_tx(PGconn *db, void *ctx, lt_error *err)
{
    fetch *f = ctx;
    const char *p[] = {f->oid};
    PGresult *res;
    int rc = lt_db_exec(db, "SELECT 1 FROM pg_largeobject_metadata WHERE oid = $1::oid", 1, p, &res, err);
    if (rc)
        return rc;
    int exists = PQntuples(res) == 1;
    PQclear(res);
    if (!exists)
        return lt_error_set(err, LT_EINPUT,
                            "the snapshot's large object %s is gone (deleted, or past serve "
                            "--keep-snapshots)",
                            f->oid);
    int lo = lo_open(db, (Oid)strtoul(f->oid, NULL, 10), INV_READ);
    if (lo < 0)
        return lo_failed(db, "cannot open the snapshot's large object", err);
    int n;
    while (!rc && (n = lo_read(db, lo, f->buf, LT_SNAPSHOT_STORE_CHUNK)) > 0)
        rc = write_all(f->fd, f->buf, (size_t)n, err);
    if (!rc && n < 0)
        rc = lo_failed(db, "cannot read the snapshot's large object", err);
    lo_close(db, lo);
    return rc;
}

/* Creates SPOOL/fetch-XXXXXX.part, flocked, into f; its fd in *fd. 0 or LT_EIO. */
static int create_copy(const lt_snapshot_store *s, lt_snapshot_file *f, int *fd, lt_error *err)
{
    if ((size_t)snprintf(f->path, sizeof f->path, "%s/fetch-XXXXXX.part", s->spool_dir) >= sizeof f->path)
        return lt_error_set(err, LT_EIO, "the spool folder's path is too long");
    *fd = mkostemps(f->path, 5, O_CLOEXEC);
    if (*fd < 0)
        return lt_error_set(err, LT_EIO, "cannot create %s: %s", f->path, strerror(errno));
    flock(*fd, LOCK_EX);
    f->fd = *fd;
    f->fetched = 1;
    return 0;
}

static int fetch_object(const lt_snapshot_store *s, PGconn *db, const lt_snapshot_ref *ref, lt_snapshot_file *f,
                        lt_error *err)
{
    if (!ref->large_object || !*ref->large_object)
        return lt_error_set(err, LT_EINPUT, "the snapshot's bytes are gone (deleted, or past serve --keep-snapshots)");
    fetch job = {.oid = ref->large_object, .buf = malloc(LT_SNAPSHOT_STORE_CHUNK)};
    if (!job.buf)
        return lt_error_set(err, LT_ENOMEM, "out of memory fetching the snapshot");
    int rc = create_copy(s, f, &job.fd, err);
    if (!rc)
        rc = lt_db_transaction(db, fetch_tx, &job, err);
    free(job.buf);
    if (rc)
        lt_snapshot_store_close(f);
    return rc;
}

int lt_snapshot_store_open(const lt_snapshot_store *s, PGconn *db, const lt_snapshot_ref *ref, lt_snapshot_file *f,
                           lt_error *err)
{
    f->path[0] = '\0';
    f->fetched = 0;
    f->fd = -1;
    if (is_postgres(ref))
        return fetch_object(s, db, ref, f, err);
    const char *name = ref->name ? ref->name : "";
    if (name[0] == '/')
        snprintf(f->path, sizeof f->path, "%s", name);
    else if (!*name || strchr(name, '/') ||
             (size_t)snprintf(f->path, sizeof f->path, "%s/%s", s->spool_dir, name) >= sizeof f->path)
        return lt_error_set(err, LT_EINPUT, "the snapshot's spool name is not a file name");
    return 0;
}

void lt_snapshot_store_close(lt_snapshot_file *f)
{
    if (f->fetched) {
        unlink(f->path);
        close(f->fd);
    }
    f->fetched = 0;
}
