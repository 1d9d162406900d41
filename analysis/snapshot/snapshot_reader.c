/* DESIGN
 * A resumable state machine over the top-level object of a heap snapshot.
 * Each feed() runs until the buffer ends; everything needed to resume (the
 * state, a number half read, a string half decoded) lives in lt_reader.
 *
 * - "snapshot" (snapshot_header.c): the header value is captured (bounded)
 *   and parsed with jansson; it sets the field layout and sizes the graph.
 * - "nodes", "edges", "locations" (snapshot_numbers.c): flat arrays of
 *   unsigned integers read by a hand-written scanner; a record is committed
 *   (checked and stored) when its last field arrives.
 * - "strings" (snapshot_strings.c): JSON strings decoded into the graph's
 *   string table.
 * - any other key (trace_function_infos, trace_tree, samples, scopes, ...) is
 *   skipped with a string-aware bracket counter.
 * Checks that need the whole input (counts, string indices) run in finish(). */
#include "snapshot/snapshot_reader_internal.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/big_alloc.h"

lt_reader *lt_reader_new(lt_error *err)
{
    lt_reader *r = calloc(1, sizeof *r);
    if (!r)
        lt_error_set(err, LT_ENOMEM, "out of memory allocating the snapshot reader");
    return r;
}

void lt_reader_set_keep(lt_reader *r, lt_keep *keep)
{
    r->keep = keep;
}

void lt_reader_free(lt_reader *r)
{
    if (!r)
        return;
    lt_prefault_stop(r->prefault);
    lt_number_split_stop(r->split);
    lt_graph_pack_edges_wait(r->packing, NULL); /* before the graph it writes goes */
    free(r->header);
    free(r->locations);
    free(r->positions);
    lt_table_free(&r->position_index);
    free(r->str);
    lt_graph_free(r->graph);
    free(r);
}

uint64_t lt_reader_offset(const lt_reader *r)
{
    return r->offset;
}

int lt_reader_fail(lt_reader *r, lt_error *err, int code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->state = S_FAILED;
    return lt_error_set(err, code, "%s", msg);
}

const char *lt_reader_array_name(enum array_kind a)
{
    static const char *const names[] = {[A_NODES] = "nodes", [A_EDGES] = "edges", [A_LOCATIONS] = "locations"};
    return names[a];
}

/* ---- the top level ---------------------------------------------------- */

static int start_value(lt_reader *r, lt_error *err, uint64_t at)
{
    static const struct {
        const char *key;
        enum array_kind array;
    } number_arrays[] = {{"nodes", A_NODES}, {"edges", A_EDGES}, {"locations", A_LOCATIONS}};
    if (!strcmp(r->key, "snapshot") && !r->key_truncated && !r->have_header) {
        r->scan = (scan_state){0};
        r->state = S_HEADER;
        return 0;
    }
    for (size_t i = 0; i < sizeof number_arrays / sizeof number_arrays[0]; i++) {
        if (strcmp(r->key, number_arrays[i].key) || r->key_truncated)
            continue;
        if (!r->have_header)
            return lt_reader_fail(r, err, LT_EINPUT,
                                  "\"%s\" comes before the \"snapshot\" header (byte %llu): not a V8 heap snapshot",
                                  r->key, (unsigned long long)at);
        if (number_arrays[i].array == A_LOCATIONS && r->location_fields == 0)
            break;
        if (number_arrays[i].array == A_EDGES && r->have_edges) /* their packing reads them */
            return lt_reader_fail(r, err, LT_EINPUT, "\"edges\" is given twice (byte %llu): not a V8 heap snapshot",
                                  (unsigned long long)at);
        r->array = number_arrays[i].array;
        r->record = 0;
        r->field = 0;
        r->value = 0;
        r->in_number = r->need_comma = r->any_value = false;
        r->state = S_NUM_OPEN;
        return 0;
    }
    if (!strcmp(r->key, "strings") && !r->key_truncated) {
        if (!r->have_header)
            return lt_reader_fail(r, err, LT_EINPUT, "\"strings\" comes before the \"snapshot\" header (byte %llu)",
                                  (unsigned long long)at);
        r->state = S_STR_OPEN;
        return 0;
    }
    r->scan = (scan_state){0};
    r->state = S_SKIP;
    return 0;
}

static int expect(lt_reader *r, lt_error *err, char c, char want, const char *where, uint64_t at)
{
    if (c == want)
        return 0;
    return lt_reader_fail(r, err, LT_EINPUT, "expected '%c' %s at byte %llu, found '%c': not a V8 heap snapshot", want,
                          where, (unsigned long long)at, (c >= 32 && c < 127) ? c : '?');
}

/* Handles one byte of the structural states; returns 0 or an error. */
static int structural(lt_reader *r, char c, uint64_t at, lt_error *err)
{
    if (r->state != S_KEY && lt_reader_is_ws(c))
        return 0;
    switch (r->state) {
    case S_BEGIN: r->state = S_KEY_OR_END; return expect(r, err, c, '{', "at the start of the snapshot", at);
    case S_KEY_OR_END:
        if (c == '}') {
            r->state = S_DONE;
            return 0;
        }
        /* fall through */
    case S_KEY_START:
        r->key_len = 0;
        r->key_truncated = false;
        r->state = S_KEY;
        return expect(r, err, c, '"', "before a top-level key", at);
    case S_KEY:
        if (c == '"') {
            r->key[r->key_len] = '\0';
            r->state = S_COLON;
        } else if (r->key_len + 1 < sizeof r->key) {
            r->key[r->key_len++] = c;
        } else {
            r->key_truncated = true;
        }
        return 0;
    case S_COLON: r->state = S_VALUE; return expect(r, err, c, ':', "after a top-level key", at);
    case S_NEXT:
        if (c == '}') {
            r->state = S_DONE;
            return 0;
        }
        r->state = S_KEY_START;
        return expect(r, err, c, ',', "between top-level values", at);
    case S_NUM_OPEN: r->state = S_NUMBERS; return expect(r, err, c, '[', "at the start of an array", at);
    case S_STR_OPEN:
        r->state = S_STRINGS;
        r->str_need_comma = false;
        return expect(r, err, c, '[', "at the start of \"strings\"", at);
    case S_DONE:
        return lt_reader_fail(r, err, LT_EINPUT, "unexpected data after the end of the snapshot at byte %llu",
                              (unsigned long long)at);
    default:
        return lt_reader_fail(r, err, LT_EINPUT, "internal reader state error at byte %llu", (unsigned long long)at);
    }
}

static int feed_one(lt_reader *r, const char *buf, size_t n, size_t *used, lt_error *err)
{
    *used = 0;
    switch (r->state) {
    case S_HEADER: return lt_reader_feed_header(r, buf, n, used, err);
    case S_NUMBERS: return lt_reader_feed_numbers_split(r, buf, n, used, err);
    case S_STRINGS: return lt_reader_feed_strings(r, buf, n, used, err);
    case S_STRING: return lt_reader_feed_string(r, buf, n, used, err);
    case S_SKIP: {
        bool done = false;
        *used = lt_reader_scan_value(&r->scan, buf, n, &done);
        if (done)
            r->state = S_NEXT;
        return 0;
    }
    case S_VALUE:
        if (lt_reader_is_ws(buf[0])) {
            *used = 1;
            return 0;
        }
        return start_value(r, err, r->offset);
    default: *used = 1; return structural(r, buf[0], r->offset, err);
    }
}

int lt_reader_feed(lt_reader *r, const char *buf, size_t len, lt_error *err)
{
    if (r->state == S_FAILED)
        return lt_error_set(err, LT_EINPUT, "the reader already failed");
    while (len) {
        size_t used;
        int rc = feed_one(r, buf, len, &used, err);
        if (rc) {
            r->state = S_FAILED;
            return rc;
        }
        buf += used;
        len -= used;
        r->offset += used;
    }
    return 0;
}

/* ---- finish ----------------------------------------------------------- */

/* One stable pass of a radix sort of locations by node: by the 16 bits at `shift`. */
static void radix_pass(const lt_node_location *from, lt_node_location *to, size_t n, unsigned shift, size_t *count)
{
    memset(count, 0, 65536 * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[(from[i].node >> shift) & 0xFFFF]++;
    size_t at = 0;
    for (size_t k = 0; k < 65536; k++) {
        size_t c = count[k];
        count[k] = at;
        at += c;
    }
    for (size_t i = 0; i < n; i++)
        to[count[(from[i].node >> shift) & 0xFFFF]++] = from[i];
}

/* Sorts locations by node keeping, for a node given twice, the last one given
 * (as DevTools' location map does). V8 writes them in node order; others are
 * sorted by a stable radix sort (two passes of 16 bits), which keeps the order
 * they were given in among a node's own. Hands the locations and their positions
 * to the graph (a position left unused by a node given twice stays: harmless). */
static int install_locations(lt_reader *r, lt_error *err)
{
    size_t n = r->location_count, out = 0, sorted = 1;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = r->locations[i - 1].node <= r->locations[i].node;
    if (!sorted) {
        lt_node_location *tmp = lt_keep_alloc(r->keep, n, sizeof *tmp);
        size_t *count = malloc(65536 * sizeof *count);
        if (!tmp || !count) {
            lt_keep_give(r->keep, tmp, n * sizeof *tmp);
            free(count);
            return lt_reader_fail(r, err, LT_ENOMEM, "out of memory sorting %zu locations", n);
        }
        radix_pass(r->locations, tmp, n, 0, count);
        radix_pass(tmp, r->locations, n, 16, count);
        lt_keep_give(r->keep, tmp, n * sizeof *tmp);
        free(count);
    }
    for (size_t i = 0; i < n; i++) {
        if (out && r->locations[out - 1].node == r->locations[i].node)
            out--;
        r->locations[out++] = r->locations[i];
    }
    lt_table_free(&r->position_index);
    r->graph->locations = r->locations;
    r->graph->location_count = (uint32_t)out;
    r->graph->positions = r->positions;
    r->graph->position_count = r->position_count;
    r->locations = NULL;
    r->positions = NULL;
    return 0;
}

static const char *state_context(const lt_reader *r)
{
    switch (r->state) {
    case S_HEADER: return "inside the \"snapshot\" header";
    case S_NUMBERS:
        return r->array == A_NODES   ? "inside \"nodes\""
               : r->array == A_EDGES ? "inside \"edges\""
                                     : "inside \"locations\"";
    case S_STRINGS:
    case S_STRING: return "inside \"strings\"";
    case S_SKIP: return "inside a skipped value";
    default: return "between top-level values";
    }
}

int lt_reader_finish(lt_reader *r, lt_graph **out, lt_error *err)
{
    *out = NULL;
    lt_prefault_stop(r->prefault);
    r->prefault = NULL;
    lt_number_split_stop(r->split);
    r->split = NULL;
    if (r->state == S_FAILED)
        return lt_error_set(err, LT_EINPUT, "the reader already failed");
    if (r->offset == 0)
        return lt_reader_fail(r, err, LT_EINPUT, "input is empty");
    if (r->state != S_DONE)
        return lt_reader_fail(r, err, LT_EINPUT, "input is truncated at byte %llu (%s)", (unsigned long long)r->offset,
                              state_context(r));
    if (!r->have_header || !r->have_nodes || !r->have_edges || !r->have_strings)
        return lt_reader_fail(r, err, LT_EINPUT, "not a V8 heap snapshot: missing \"%s\"",
                              !r->have_header  ? "snapshot"
                              : !r->have_nodes ? "nodes"
                              : !r->have_edges ? "edges"
                                               : "strings");
    if (r->any_string_ref && r->max_string_ref >= r->graph->string_count)
        return lt_reader_fail(r, err, LT_EINPUT,
                              "a node or edge name refers to string %u, but there are only %u strings",
                              r->max_string_ref, r->graph->string_count);
    if (r->node_count == 0)
        return lt_reader_fail(r, err, LT_EINPUT, "the snapshot has no nodes");
    int rc = install_locations(r, err);
    if (r->packing) { /* begun when the edges ended */
        int packed = lt_graph_pack_edges_wait(r->packing, rc ? NULL : err);
        rc = rc ? rc : packed;
        r->packing = NULL;
    } else if (!rc) {
        rc = lt_graph_pack_edges(r->graph, err);
    }
    if (rc)
        return rc;
    lt_graph_index_sources(r->graph);
    *out = r->graph;
    r->graph = NULL;
    return 0;
}
