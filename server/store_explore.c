/* store_explore: classes and tree rows by COPY (see store_explore.h).
 *
 * DESIGN: rows are written as COPY text lines into a buffer handed to libpq every
 * COPY_CHUNK bytes, so a large summary never sits in memory as SQL. Text fields are
 * escaped as COPY's text format wants (backslash, tab, newline, carriage return);
 * a missing value is \N. */
#include "store_explore.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "explore.h"

#define COPY_CHUNK (256 * 1024)

typedef struct copy_buf {
    PGconn *conn;
    char data[COPY_CHUNK + 4096]; /* room for one formatted number past the chunk */
    size_t len;
    int failed;
} copy_buf;

static void flush(copy_buf *b)
{
    if (b->len && !b->failed && PQputCopyData(b->conn, b->data, (int)b->len) != 1)
        b->failed = 1;
    b->len = 0;
}

static void put_char(copy_buf *b, char c)
{
    if (b->len >= COPY_CHUNK)
        flush(b);
    b->data[b->len++] = c;
}

/* A text field (escaped) and its separator: '\t', or '\n' at the end of the row. */
static void put_text(copy_buf *b, const char *s, char end)
{
    for (; *s; s++) {
        char c = *s, esc = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;
        if (esc) {
            put_char(b, '\\');
            c = esc;
        }
        put_char(b, c);
    }
    put_char(b, end);
}

/* A formatted field (numbers; never needs escaping) and its separator. */
static void put_format(copy_buf *b, char end, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put_format(copy_buf *b, char end, const char *fmt, ...)
{
    if (b->len >= COPY_CHUNK)
        flush(b);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, sizeof b->data - b->len, fmt, ap);
    va_end(ap);
    b->len += n > 0 ? (size_t)n : 0;
    put_char(b, end);
}

static void put_null(copy_buf *b, char end)
{
    put_char(b, '\\');
    put_char(b, 'N');
    put_char(b, end);
}

/* A row number, or \N for none. */
static void put_row_ref(copy_buf *b, uint32_t row)
{
    if (row == LT_EXPLORE_NONE)
        put_null(b, '\t');
    else
        put_format(b, '\t', "%" PRIu32, row);
}

static void put_tree_row(copy_buf *b, const char *analysis_id, const lt_explore_row *r)
{
    put_format(b, '\t', "%s\t%" PRIu32, analysis_id, r->row);
    put_row_ref(b, r->tree_parent);
    put_format(b, '\t', "%" PRIu32, r->child_count);
    put_row_ref(b, r->path_parent);
    put_format(b, '\t', "%" PRIu32 "\t%s", r->path_skipped, r->kind);
    if (r->has_node)
        put_format(b, '\t', "%" PRIu32 "\t%s", r->id, r->type);
    else {
        put_null(b, '\t');
        put_null(b, '\t');
    }
    put_text(b, r->class_name, '\t');
    put_text(b, r->name, '\t');
    put_text(b, r->edge, '\t');
    if (r->has_node)
        put_format(b, '\t', "%" PRIu64, r->self_size);
    else
        put_null(b, '\t');
    put_format(b, '\t', "%" PRIu64, r->retained_size);
    if (r->has_node)
        put_format(b, '\t', "%" PRId32, r->distance);
    else
        put_null(b, '\t');
    put_format(b, '\n', "%" PRIu64, r->count);
}

static void put_class(copy_buf *b, const char *analysis_id, uint32_t ord, const lt_explore_class *c)
{
    put_format(b, '\t', "%s\t%" PRIu32, analysis_id, ord);
    put_text(b, c->class_name, '\t');
    put_text(b, c->key, '\t');
    put_format(b, '\t', "%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRId32, c->count, c->shallow_size, c->retained_size,
               c->distance);
    if (*c->script)
        put_text(b, c->script, '\t');
    else
        put_null(b, '\t');
    if (c->line)
        put_format(b, '\n', "%" PRIu32 "\t%" PRIu32, c->line, c->column);
    else {
        put_null(b, '\t');
        put_null(b, '\n');
    }
}

/* The rows one COPY writes. */
typedef struct copy_table {
    const char *sql;
    uint32_t (*count)(const lt_analysis *a);
    void (*put)(copy_buf *b, const char *analysis_id, const lt_analysis *a, uint32_t i);
} copy_table;

static void put_tree_at(copy_buf *b, const char *analysis_id, const lt_analysis *a, uint32_t i)
{
    lt_explore_row r;
    lt_explore_row_get(a, i, &r);
    put_tree_row(b, analysis_id, &r);
}

static void put_class_at(copy_buf *b, const char *analysis_id, const lt_analysis *a, uint32_t i)
{
    lt_explore_class c;
    lt_explore_class_get(a, i, &c);
    put_class(b, analysis_id, i, &c);
}

static const copy_table TABLES[] = {
    {"COPY analysis_tree (analysis_id, row_no, tree_parent, child_count, path_parent, path_skipped, kind, node_id, "
     "type, class, name, edge, self_size, retained_size, distance, count) FROM STDIN",
     lt_explore_row_count, put_tree_at},
    {"COPY analysis_classes (analysis_id, ord, class, key, count, shallow_size, retained_size, distance, script, "
     "line, col) FROM STDIN",
     lt_explore_class_count, put_class_at},
};

static const char *const CLEAR[] = {
    "DELETE FROM analysis_tree WHERE analysis_id = $1",
    "DELETE FROM analysis_classes WHERE analysis_id = $1",
};

/* The result of the COPY once its data is sent: 0 or LT_EIO. */
static int copy_result(PGconn *conn, const char *what, lt_error *err)
{
    int rc = 0;
    PGresult *res;
    while ((res = PQgetResult(conn))) {
        if (!rc && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = lt_error_set(err, LT_EIO, "storing %s: %s", what, PQresultErrorMessage(res));
        PQclear(res);
    }
    return rc;
}

static int copy_one(PGconn *conn, copy_buf *b, const copy_table *t, const char *analysis_id, const lt_analysis *a,
                    lt_error *err)
{
    PGresult *res = PQexec(conn, t->sql);
    int started = res && PQresultStatus(res) == PGRES_COPY_IN;
    if (!started) {
        lt_error_set(err, res ? LT_EIO : LT_ENOMEM, "storing %.40s: %s", t->sql + 5,
                     res ? PQresultErrorMessage(res) : "out of memory");
        PQclear(res);
        return res ? LT_EIO : LT_ENOMEM;
    }
    PQclear(res);
    b->len = 0;
    b->failed = 0;
    for (uint32_t i = 0, n = t->count(a); i < n && !b->failed; i++)
        t->put(b, analysis_id, a, i);
    flush(b);
    if (PQputCopyEnd(conn, b->failed ? "the client could not send the rows" : NULL) != 1)
        b->failed = 1;
    int rc = copy_result(conn, t->sql + 5, err);
    return rc ? rc : b->failed ? lt_error_set(err, LT_EIO, "storing %.40s: %s", t->sql + 5, PQerrorMessage(conn)) : 0;
}

int lt_store_explore(PGconn *conn, const char *analysis_id, const lt_analysis *a, lt_error *err)
{
    const char *params[] = {analysis_id};
    copy_buf *b = malloc(sizeof *b);
    if (!b)
        return lt_error_set(err, LT_ENOMEM, "out of memory storing the tree summary");
    b->conn = conn;
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof CLEAR / sizeof *CLEAR; i++)
        rc = lt_db_exec(conn, CLEAR[i], 1, params, NULL, err);
    for (size_t i = 0; !rc && i < sizeof TABLES / sizeof *TABLES; i++)
        rc = copy_one(conn, b, &TABLES[i], analysis_id, a, err);
    free(b);
    return rc;
}
