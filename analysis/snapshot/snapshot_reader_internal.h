/* snapshot_reader_internal: the reader's state and the functions its parts
 * share. Internal to snapshot_reader.c (the top level and finish),
 * snapshot_header.c ("snapshot": layout and graph set-up), snapshot_numbers.c
 * ("nodes", "edges", "locations") and snapshot_strings.c ("strings"). */
#ifndef LT_SNAPSHOT_READER_INTERNAL_H
#define LT_SNAPSHOT_READER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot/graph.h"
#include "lt_error.h"
#include "snapshot/snapshot_reader.h"
#include "snapshot/number_split.h"
#include "util/prefault.h"
#include "util/table.h"

#define HEADER_LIMIT (4u << 20)
#define MAX_FIELDS   16
/* Integers past this are not exact in JavaScript (nor in DevTools) */
#define LT_READER_NUMBER_MAX ((1ull << 53) - 1)

enum state {
    S_BEGIN,      /* before the top-level '{' */
    S_KEY_OR_END, /* after '{': a key or '}' */
    S_KEY_START,  /* after ',': a key */
    S_KEY,        /* inside a key string */
    S_COLON,
    S_VALUE, /* dispatch on the key */
    S_NEXT,  /* after a value: ',' or '}' */
    S_DONE,
    S_HEADER,   /* capturing the "snapshot" value */
    S_SKIP,     /* skipping an unknown value */
    S_NUM_OPEN, /* expecting '[' of a number array */
    S_NUMBERS,
    S_STR_OPEN, /* expecting '[' of the strings array */
    S_STRINGS,  /* between strings: '"', ',' or ']' */
    S_STRING,   /* inside a string */
    S_FAILED,
};

enum array_kind { A_NODES, A_EDGES, A_LOCATIONS };

enum node_role { R_IGNORE, R_TYPE, R_NAME, R_ID, R_SELF, R_EDGES, R_DETACHED };
enum edge_role { E_IGNORE, E_TYPE, E_NAME, E_TO };
enum loc_role { L_IGNORE, L_OBJECT, L_SCRIPT, L_LINE, L_COLUMN };

/* A generic JSON value skipper/capturer: string-aware bracket depth. */
typedef struct scan_state {
    int depth;
    bool in_string, escape, scalar, started;
} scan_state;

struct lt_reader {
    enum state state;
    uint64_t offset; /* bytes consumed before the current buffer */
    char key[64];
    size_t key_len;
    bool key_truncated;

    /* header */
    char *header;
    size_t header_len, header_cap;
    scan_state scan;
    bool have_header, have_nodes, have_edges, have_strings;

    /* layout from meta */
    unsigned node_fields, edge_fields, location_fields;
    uint8_t node_role[MAX_FIELDS], edge_role[MAX_FIELDS], loc_role[MAX_FIELDS];
    uint32_t node_count, edge_count;
    uint64_t to_node_limit;
    uint64_t to_node_magic; /* x / node_fields == (x * magic) >> 35 */

    /* number arrays */
    enum array_kind array;
    uint64_t value; /* the number being read */
    bool in_number, need_comma, any_value;
    unsigned field;
    uint32_t rec[MAX_FIELDS];
    uint64_t wide_self;     /* the record's self size when past 2^32-1, else 0 */
    uint64_t record;        /* records completed in the current array */
    uint64_t edges_claimed; /* sum of node edge counts so far */
    uint32_t max_string_ref;
    bool any_string_ref;
    uint64_t run_records; /* records stored in runs (store_nodes, store_edges): the fast path */

    /* "locations" as read (snapshot_numbers.c): {node, position} in the order given
     * (realloc'd, handed to the graph by finish), the distinct positions (the same),
     * and position_index finding a position's index by its value (freed by finish) */
    lt_node_location *locations;
    size_t location_count, location_cap;
    lt_position *positions;
    uint32_t position_count, position_cap;
    lt_table position_index; /* zeroed until the first location */

    /* strings */
    char *str;
    size_t str_len, str_cap;
    bool str_escape;
    unsigned str_hex, str_hex_len; /* \uXXXX in progress */
    uint32_t str_high_surrogate;
    bool str_need_comma;

    lt_graph *graph;
    lt_prefault *prefault;  /* backs the graph's arrays ahead of the parser (owned) */
    lt_number_split *split; /* reads half of each big buffer of numbers (owned; NULL: none) */
    bool split_tried;       /* whether the helper was started (or failed to start) */
    /* the edges' packing, begun when the edges end (owned: joined by finish or free;
     * NULL: not begun, finish packs) */
    lt_edge_packing *packing;
    uint64_t budget; /* bytes the analysis may use (snapshot_budget.c); 0: no limit */
    lt_keep *keep;   /* where the graph's big arrays come from (NULL: the heap) */
};

static inline bool lt_reader_is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Marks the reader failed and sets err; returns code. */
int lt_reader_fail(lt_reader *r, lt_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Estimated peak bytes of analysing a snapshot of these sizes. */
uint64_t lt_reader_estimate(uint64_t nodes, uint64_t edges, uint64_t string_bytes, uint64_t strings);

/* 0 when the estimate for nodes, edges and the strings so far plus `more`
 * string bytes fits the budget; else fails the reader with LT_ELIMIT
 * ("needs about N GB, the limit is M GB"). */
int lt_reader_check_budget(lt_reader *r, uint64_t nodes, uint64_t edges, size_t more, lt_error *err);

/* "nodes", "edges" or "locations". */
const char *lt_reader_array_name(enum array_kind a);

/* Feeds a generic JSON value scanner; returns bytes used, sets *done at the
 * value's end (skipping unknown values, capturing the header). */
size_t lt_reader_scan_value(scan_state *s, const char *p, size_t n, bool *done);

/* The state handlers: each consumes some of buf and sets *used. */
int lt_reader_feed_header(lt_reader *r, const char *p, size_t n, size_t *used, lt_error *err);
int lt_reader_feed_numbers(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err);
/* As lt_reader_feed_numbers, with the last part of a big buffer read by the helper
 * thread (number_split.h) while this one reads the first. */
int lt_reader_feed_numbers_split(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err);
int lt_reader_feed_strings(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err);
int lt_reader_feed_string(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err);

#endif
