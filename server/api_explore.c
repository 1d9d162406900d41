/* api_explore: the routes a report page explores, read from what store_explore.c wrote
 * (migrations/0007_explore.sql):
 *   GET /api/v1/analyses/{id}/classes?sort=&q=&limit=&cursor=   every class, one page
 *   GET /api/v1/analyses/{id}/tree?node=                        a summary row and its children
 *   GET /api/v1/analyses/{id}/path?node=                        the retainer path to a node
 * Each answers 404 for an analysis that is not the caller's (or does not exist), 409 while
 * it is not done, 400 naming the parameter for a bad value. The JSON is built by
 * PostgreSQL; SQL text is put together only from the constant fragments below.
 *
 * Paging is by keyset: next_cursor encodes (sort, ord, the sort column's value) of a
 * page's last class as hex text, and the next page starts after it, so pages stay stable
 * and cheap however deep. A `node` is a node id (digits) or a row reference `r<row>` (every
 * row carries its own as "ref": the only way to open a folded or collapsed row). */
#include "api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPLORE_Q_MAX      200  /* bytes of ?q= */
#define EXPLORE_CURSOR_MAX 4096 /* bytes of a decoded cursor */

/* ---- the analysis ---- */

/* Checks the path's analysis: the caller's and done. Fills id and customer; 0, or -1 once
 * answered (400, 404, 409 or 500). */
static int explored_analysis(lt_http_request *req, char id[24], char customer[24])
{
    if (lt_api_id_param(req, req->captures[0], "analysis", id))
        return -1;
    snprintf(customer, 24, "%" PRId64, req->customer_id);
    const char *params[] = {id, customer};
    PGresult *res = lt_api_query(req, "SELECT state FROM analyses WHERE id = $1 AND customer_id = $2", 2, params);
    if (!res)
        return -1;
    int rc = -1;
    if (PQntuples(res) != 1)
        lt_http_reply_error(req, 404, "not_found", "no such analysis");
    else if (strcmp(PQgetvalue(res, 0, 0), "done"))
        lt_http_reply_error(req, 409, "not_ready",
                            "analysis %s is %s; what it found is there once it is done "
                            "(GET /api/v1/analyses/%s?wait=60)",
                            id, PQgetvalue(res, 0, 0), id);
    else
        rc = 0;
    PQclear(res);
    return rc;
}

/* ---- classes ---- */

typedef struct class_sort {
    const char *name;        /* ?sort= */
    const char *value;       /* the column a cursor remembers */
    const char *order;       /* ORDER BY */
    const char *after;       /* rows after the cursor ($4 ord, $5 value) */
    const char *value_chars; /* what the value may hold; NULL: anything */
} class_sort;

static const class_sort CLASS_SORTS[] = {
    {"retained", "retained_size", "c.retained_size DESC, c.ord",
     "(c.retained_size < $5::bigint OR (c.retained_size = $5::bigint AND c.ord > $4::int))", "0123456789"},
    {"shallow", "shallow_size", "c.shallow_size DESC, c.ord",
     "(c.shallow_size < $5::bigint OR (c.shallow_size = $5::bigint AND c.ord > $4::int))", "0123456789"},
    {"count", "count", "c.count DESC, c.ord", "(c.count < $5::bigint OR (c.count = $5::bigint AND c.ord > $4::int))",
     "0123456789"},
    {"distance", "distance", "c.distance, c.ord",
     "(c.distance > $5::int OR (c.distance = $5::int AND c.ord > $4::int))", "-0123456789"},
    {"name", "class", "c.class COLLATE \"C\", c.ord",
     "(c.class COLLATE \"C\" > $5::text OR (c.class = $5::text AND c.ord > $4::int))", NULL},
};

/* %1$s order, %2$s after, %3$s the cursor's value column. $1 analysis, $2 sort, $3 q,
 * $4 $5 the cursor (or NULL), $6 limit. */
static const char CLASSES_SQL[] =
    "WITH page AS (SELECT row_number() OVER (ORDER BY %1$s) AS n, c.* FROM analysis_classes c "
    "  WHERE c.analysis_id = $1 AND ($3::text IS NULL OR strpos(lower(c.class), lower($3::text)) > 0) "
    "  AND ($4::int IS NULL OR %2$s) ORDER BY %1$s LIMIT $6::int + 1) "
    "SELECT json_build_object('analysis_id', $1::bigint, 'sort', $2::text, 'q', $3::text, 'limit', $6::int, "
    "'classes', coalesce((SELECT json_agg(json_build_object('class', class, 'key', key, 'count', count, "
    "  'shallow_size', shallow_size, 'retained_size', retained_size, 'distance', distance, 'script', script, "
    "  'line', line, 'column', col) ORDER BY n) FROM page WHERE n <= $6::int), '[]'::json), "
    "'next_cursor', (SELECT encode(convert_to($2::text || chr(10) || ord || chr(10) || %3$s::text, 'UTF8'), 'hex') "
    "  FROM page WHERE n = $6::int AND EXISTS (SELECT 1 FROM page WHERE n = $6::int + 1)))::text";

static const class_sort *class_sort_param(lt_http_request *req)
{
    const char *name = lt_http_query(req, "sort");
    for (size_t i = 0; i < sizeof CLASS_SORTS / sizeof *CLASS_SORTS; i++)
        if (!name || !strcmp(name, CLASS_SORTS[i].name))
            return &CLASS_SORTS[i];
    lt_http_reply_error(req, 400, "bad_parameter", "'sort' must be one of retained, shallow, count, distance, name");
    return NULL;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes ?cursor= into buf ("sort\nord\nvalue") and points ord and value into it; a
 * cursor of another sort, or not one of ours, answers 400. No cursor: NULLs, 0. */
static int cursor_param(lt_http_request *req, const class_sort *sort, char *buf, const char **ord, const char **value)
{
    const char *hex = lt_http_query(req, "cursor");
    size_t n = hex ? strlen(hex) : 0, k = 0;
    *ord = *value = NULL;
    if (!hex)
        return 0;
    for (; n % 2 == 0 && k < n / 2 && k < EXPLORE_CURSOR_MAX - 1; k++) {
        int hi = hex_digit(hex[2 * k]), lo = hex_digit(hex[2 * k + 1]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            break;
        buf[k] = (char)(hi << 4 | lo);
    }
    buf[k] = '\0';
    char *a = k == n / 2 ? strchr(buf, '\n') : NULL, *b = a ? strchr(a + 1, '\n') : NULL;
    if (a && b) {
        *a = *b = '\0';
        *ord = a + 1;
        *value = b + 1;
    }
    if (!b || strcmp(buf, sort->name) || !**ord || strlen(*ord) > 9 || strspn(*ord, "0123456789") != strlen(*ord) ||
        (sort->value_chars && (!**value || strlen(*value) > 20 || strspn(*value, sort->value_chars) != strlen(*value))))
        return lt_http_reply_error(req, 400, "bad_parameter", "'cursor' is not a next_cursor of this list (sort=%s)",
                                   sort->name),
               -1;
    return 0;
}

void lt_api_classes(lt_http_request *req)
{
    char id[24], customer[24], limit_s[24], sql[sizeof CLASSES_SQL + 512], *cursor = malloc(EXPLORE_CURSOR_MAX);
    const char *ord, *value, *q = lt_http_query(req, "q");
    const class_sort *sort = NULL;
    long limit;
    if (!cursor) {
        lt_http_reply_error(req, 500, "internal_error", "out of memory");
        return;
    }
    if (q && strlen(q) > EXPLORE_Q_MAX)
        lt_http_reply_error(req, 400, "bad_parameter", "'q' is longer than %d bytes", EXPLORE_Q_MAX);
    else if (!explored_analysis(req, id, customer) && (sort = class_sort_param(req)) &&
             !lt_api_uint_param(req, "limit", LT_API_LIMIT_DEFAULT, LT_API_LIMIT_MAX, &limit) &&
             !cursor_param(req, sort, cursor, &ord, &value)) {
        snprintf(limit_s, sizeof limit_s, "%ld", limit);
        snprintf(sql, sizeof sql, CLASSES_SQL, sort->order, sort->after, sort->value);
        const char *params[] = {id, sort->name, q && *q ? q : NULL, ord, value, limit_s};
        PGresult *res = lt_api_query(req, sql, 6, params);
        if (res)
            lt_api_reply_first_json(req, res, "analysis");
    }
    free(cursor);
}

/* ---- the tree and paths ---- */

/* ?node=: absent (the root; when optional), a node id, or a row reference "r<row>". Sets
 * row or node_id (text) and leaves the other NULL. 0, or -1 once answered 400. */
static int node_param(lt_http_request *req, int optional, char out[24], const char **row, const char **node_id)
{
    const char *v = lt_http_query(req, "node");
    *row = *node_id = NULL;
    if (!v && optional)
        return 0;
    int is_row = v && v[0] == 'r';
    const char *digits = v ? v + is_row : "";
    size_t n = strlen(digits);
    if (n == 0 || n > (is_row ? 9u : 10u) || strspn(digits, "0123456789") != n)
        return lt_http_reply_error(req, 400, "bad_parameter",
                                   "'node' must be a node id or a row reference such as r12%s",
                                   optional ? "" : " (it is required)"),
               -1;
    memcpy(out, digits, n + 1);
    *(is_row ? row : node_id) = out;
    return 0;
}

/* One summary row as JSON (alias x). */
#define ROW_JSON                                                                                                       \
    "json_build_object('ref', 'r' || x.row_no, 'kind', x.kind, 'id', x.node_id, 'type', x.type, 'class', x.class, "    \
    "'name', x.name, 'self_size', x.self_size, 'retained_size', x.retained_size, 'distance', x.distance, "             \
    "'count', x.count, 'children', x.child_count)"

/* The row asked for: $2 a row number, or $3 a node id (the tree's node row, or a path
 * row), or neither (the root). */
#define TARGET_SQL                                                                                                     \
    "target AS (SELECT t.row_no FROM analysis_tree t WHERE t.analysis_id = $1 AND "                                    \
    "($2::int IS NULL AND $3::bigint IS NULL AND t.row_no = 0 OR t.row_no = $2::int OR "                               \
    "t.node_id = $3::bigint AND t.kind IN ('node', 'path')) ORDER BY t.kind <> 'node' LIMIT 1)"

static const char TREE_SQL[] =
    "WITH " TARGET_SQL " "
    "SELECT json_build_object('analysis_id', $1::bigint, 'node', (SELECT " ROW_JSON " FROM analysis_tree x "
    "  WHERE x.analysis_id = $1 AND x.row_no = target.row_no), "
    "'children', coalesce((SELECT json_agg(" ROW_JSON " ORDER BY x.row_no) FROM analysis_tree x "
    "  WHERE x.analysis_id = $1 AND x.tree_parent = target.row_no), '[]'::json))::text FROM target";

static const char PATH_SQL[] =
    "WITH RECURSIVE " TARGET_SQL ", "
    "up AS (SELECT target.row_no, 0 AS depth FROM target UNION ALL "
    "  SELECT t.path_parent, up.depth + 1 FROM up JOIN analysis_tree t ON t.analysis_id = $1 AND t.row_no = up.row_no "
    "  WHERE t.path_parent IS NOT NULL) "
    "SELECT json_build_object('analysis_id', $1::bigint, 'from_root', bool_or(x.row_no = 0), "
    "'path', json_agg(" ROW_JSON "::jsonb || jsonb_build_object('edge', x.edge, 'skipped', x.path_skipped) "
    "  ORDER BY up.depth DESC))::text "
    "FROM up JOIN analysis_tree x ON x.analysis_id = $1 AND x.row_no = up.row_no HAVING count(*) > 0";

static void tree_or_path(lt_http_request *req, const char *sql, int node_optional)
{
    char id[24], customer[24], node[24];
    const char *row, *node_id;
    if (explored_analysis(req, id, customer) || node_param(req, node_optional, node, &row, &node_id))
        return;
    const char *params[] = {id, row, node_id};
    PGresult *res = lt_api_query(req, sql, 3, params);
    if (res)
        lt_api_reply_first_json(req, res, "node in this analysis's tree summary");
}

void lt_api_tree(lt_http_request *req)
{
    tree_or_path(req, TREE_SQL, 1);
}

void lt_api_path(lt_http_request *req)
{
    tree_or_path(req, PATH_SQL, 0);
}
