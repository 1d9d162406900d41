/* migrate: ordered SQL files applied once each (see migrate.h). */
#include "migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

typedef struct migration {
    char version[32]; /* the file name's leading digits */
    char name[256];   /* file name */
    const char *text; /* a built-in migration's SQL; NULL: read dir/name */
} migration;

typedef struct migration_list {
    migration *items;
    size_t count, cap;
} migration_list;

/* NNNN_words.sql -> version NNNN. Returns 1 for a migration, 0 for a file that is not SQL
 * (ignored), -1 for an .sql file named wrongly. */
static int parse_name(const char *name, char *version, size_t cap)
{
    size_t len = strlen(name), digits = strspn(name, "0123456789");
    if (len < 4 || strcmp(name + len - 4, ".sql"))
        return 0;
    if (digits == 0 || digits >= cap || name[digits] != '_' || len >= sizeof((migration *)0)->name)
        return -1;
    memcpy(version, name, digits);
    version[digits] = '\0';
    return 1;
}

/* Numeric order of zero-padded or not digit strings. */
static int version_cmp(const char *a, const char *b)
{
    while (*a == '0' && a[1])
        a++;
    while (*b == '0' && b[1])
        b++;
    size_t la = strlen(a), lb = strlen(b);
    return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

static int migration_cmp(const void *a, const void *b)
{
    return version_cmp(((const migration *)a)->version, ((const migration *)b)->version);
}

static int list_push(migration_list *list, const char *name, const char *version, const char *text, lt_error *err)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 16;
        migration *items = realloc(list->items, cap * sizeof *items);
        if (!items)
            return lt_error_set(err, LT_ENOMEM, "out of memory listing migrations");
        list->items = items, list->cap = cap;
    }
    migration *m = &list->items[list->count++];
    snprintf(m->version, sizeof m->version, "%s", version);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->text = text;
    return 0;
}

static int read_dir(DIR *d, const char *dir, migration_list *list, lt_error *err)
{
    struct dirent *e;
    char version[32];
    while ((e = readdir(d))) {
        int kind = parse_name(e->d_name, version, sizeof version);
        if (kind < 0)
            return lt_error_set(err, LT_EUSAGE, "%s/%s: a migration is named NNNN_words.sql", dir, e->d_name);
        if (kind > 0 && list_push(list, e->d_name, version, NULL, err))
            return err ? err->code : LT_ENOMEM;
    }
    return 0;
}

/* The built-in migrations, as read_dir lists a folder's. */
static int read_embedded(migration_list *list, lt_error *err)
{
    char version[32];
    for (size_t i = 0; i < lt_migrate_embedded_count; i++) {
        const lt_embedded_file *f = &lt_migrate_embedded[i];
        if (parse_name(f->name, version, sizeof version) <= 0)
            return lt_error_set(err, LT_EUSAGE, "built-in migration %s: a migration is named NNNN_words.sql", f->name);
        if (list_push(list, f->name, version, (const char *)f->data, err))
            return err ? err->code : LT_ENOMEM;
    }
    return 0;
}

/* The migrations in dir (NULL: the built-in ones), sorted by version; each version once. */
static int list_migrations(const char *dir, migration_list *list, lt_error *err)
{
    *list = (migration_list){0};
    int rc;
    if (dir) {
        DIR *d = opendir(dir);
        if (!d)
            return lt_error_set(err, LT_EUSAGE, "cannot read the migrations folder %s: %s", dir, strerror(errno));
        rc = read_dir(d, dir, list, err);
        closedir(d);
    } else
        rc = read_embedded(list, err);
    dir = dir ? dir : "the binary";
    if (!rc && list->count == 0)
        rc = lt_error_set(err, LT_EUSAGE, "no migrations (NNNN_words.sql) in %s", dir);
    if (!rc) {
        qsort(list->items, list->count, sizeof *list->items, migration_cmp);
        for (size_t i = 1; i < list->count && !rc; i++)
            if (!version_cmp(list->items[i - 1].version, list->items[i].version))
                rc = lt_error_set(err, LT_EUSAGE, "%s and %s in %s have the same version", list->items[i - 1].name,
                                  list->items[i].name, dir);
    }
    if (rc)
        free(list->items), list->items = NULL;
    return rc;
}

/* The whole file, NUL-terminated; the caller frees *text. */
static int read_text(const char *path, char **text, lt_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return lt_error_set(err, LT_EIO, "cannot read %s: %s", path, strerror(errno));
    size_t len = 0, cap = 8192;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger)
                free(buf);
            buf = bigger, cap *= 2;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        free(buf);
        return lt_error_set(err, buf ? LT_EIO : LT_ENOMEM, "cannot read %s", path);
    }
    buf[len] = '\0';
    *text = buf;
    return 0;
}

typedef struct apply_ctx {
    const char *dir;
    const migration *m;
    int applied; /* out: 1 when this run applied it */
} apply_ctx;

/* In a transaction: unless recorded, run the file and record it. */
static int apply_in_tx(PGconn *conn, void *arg, lt_error *err)
{
    apply_ctx *c = arg;
    const char *params[] = {c->m->version};
    PGresult *res;
    int rc = lt_db_exec(conn, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, params, &res, err);
    if (rc)
        return rc;
    int recorded = PQntuples(res) > 0;
    PQclear(res);
    if (recorded)
        return 0;
    char path[PATH_MAX], *sql = NULL;
    snprintf(path, sizeof path, "%s%s%s", c->dir ? c->dir : "", c->dir ? "/" : "", c->m->name);
    rc = c->m->text ? 0 : read_text(path, &sql, err);
    if (rc)
        return rc;
    rc = lt_db_exec_script(conn, c->m->text ? c->m->text : sql, err);
    free(sql);
    if (rc) {
        char why[sizeof err->message];
        snprintf(why, sizeof why, "%s", err->message);
        return lt_error_set(err, rc, "migration %s: %s", path, why);
    }
    rc = lt_db_exec(conn, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())", 1, params, NULL,
                    err);
    c->applied = !rc;
    return rc;
}

static int apply_list(PGconn *conn, const char *dir, const migration_list *list, FILE *log, int *applied, lt_error *err)
{
    for (size_t i = 0; i < list->count; i++) {
        apply_ctx c = {.dir = dir, .m = &list->items[i]};
        int rc = lt_db_transaction(conn, apply_in_tx, &c, err);
        if (rc)
            return rc;
        if (c.applied && log)
            fprintf(log, "applied %s\n", c.m->name);
        *applied += c.applied;
    }
    return 0;
}

static const char create_table_sql[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                       " version text PRIMARY KEY,"
                                       " applied_at timestamptz NOT NULL DEFAULT now())";

int lt_migrate_apply(PGconn *conn, const char *dir, FILE *log, int *applied, lt_error *err)
{
    migration_list list;
    int count = 0;
    const char *key[] = {LT_MIGRATE_LOCK_KEY};
    int rc = list_migrations(dir, &list, err);
    if (rc)
        return rc;
    rc = lt_db_exec(conn, "SELECT pg_advisory_lock($1::bigint)", 1, key, NULL, err);
    if (rc)
        goto fail_lock;
    rc = lt_db_exec(conn, create_table_sql, 0, NULL, NULL, err);
    if (!rc)
        rc = apply_list(conn, dir, &list, log, &count, err);
    lt_error ignored;
    lt_db_exec(conn, "SELECT pg_advisory_unlock($1::bigint)", 1, key, NULL, &ignored);
fail_lock:
    free(list.items);
    if (applied)
        *applied = count;
    return rc;
}

int lt_migrate_schema_present(PGconn *conn, int *present, lt_error *err)
{
    PGresult *res;
    int rc = lt_db_exec(conn, "SELECT to_regclass('schema_migrations') IS NOT NULL", 0, NULL, &res, err);
    if (rc)
        return rc;
    *present = !strcmp(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    return 0;
}

/* The highest of the versions in res's first column (NULL when there is no row). */
static const char *highest_applied(const PGresult *res)
{
    const char *top = NULL;
    for (int i = 0; i < PQntuples(res); i++)
        if (!top || version_cmp(PQgetvalue(res, i, 0), top) > 0)
            top = PQgetvalue(res, i, 0);
    return top;
}

int lt_migrate_current(PGconn *conn, const char *dir, int *current, lt_error *err)
{
    migration_list list;
    int rc = list_migrations(dir, &list, err);
    if (rc)
        return rc;
    PGresult *res = NULL;
    int present = 0;
    rc = lt_migrate_schema_present(conn, &present, err);
    if (!rc && present)
        rc = lt_db_exec(conn, "SELECT version FROM schema_migrations", 0, NULL, &res, err);
    if (!rc) {
        const char *top = res ? highest_applied(res) : NULL;
        *current = top && !version_cmp(top, list.items[list.count - 1].version);
    }
    PQclear(res);
    free(list.items);
    return rc;
}
