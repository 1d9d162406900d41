/* The streaming reader: the same graph whatever the split of the input, a
 * guard page after the input, and a clear error (with where) for each kind of
 * bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "snapshot/snapshot_reader.h"
#include "snapshot/snapshot_reader_internal.h" /* run_records */

/* A small snapshot in node 20's layout: 4 nodes, 5 edges, escapes in
 * strings, locations, and top-level values the reader must skip. */
static const char small[] =
    "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\","
    "\"trace_node_id\",\"detachedness\"],\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\","
    "\"closure\",\"regexp\",\"number\",\"native\",\"synthetic\",\"concatenated string\",\"sliced string\","
    "\"symbol\",\"bigint\",\"object shape\",\"wasm object\"],\"string\",\"number\",\"number\",\"number\","
    "\"number\",\"number\"],\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],\"edge_types\":[["
    "\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\"],\"string_or_number\","
    "\"node\"],\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]},"
    "\"node_count\":4,\"edge_count\":5,\"trace_function_count\":0},\n"
    "\"nodes\":[9,1,1,0,2,0,0\n,3,2,3,40,2,0,0\n,5,3,5,32,1,0,2\n,2,4,7,16,0,0,0],\n"
    "\"edges\":[5,2,7\n,1,0,14\n,2,5,14\n,3,6,21\n,6,2,21],\n"
    "\"trace_function_infos\":[],\"trace_tree\":[1,[2,[]],{\"a\":\"]\"}],\"samples\":[],\n"
    "\"locations\":[14,7,3,9,14,7,4,10],\n"
    "\"strings\":[\"<dummy>\",\"\",\"Obj\\\"ect\",\"fn\\u00e9\\n\",\"hello \\ud83d\\ude00\",\"x\",\"context\"]}\n";

typedef struct parsed {
    lt_graph *g;
    int rc;
    lt_error err;
} parsed;

static parsed parse_pieces(const char *text, size_t len, const size_t *cuts, size_t ncuts)
{
    parsed p = {0};
    lt_reader *r = lt_reader_new(&p.err);
    assert_non_null(r);
    size_t at = 0;
    for (size_t i = 0; i <= ncuts && !p.rc; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        p.rc = lt_reader_feed(r, text + at, end - at, &p.err);
        at = end;
    }
    if (!p.rc)
        p.rc = lt_reader_finish(r, &p.g, &p.err);
    lt_reader_free(r);
    return p;
}

static parsed parse_text(const char *text)
{
    return parse_pieces(text, strlen(text), NULL, 0);
}

static void assert_same_graph(const lt_graph *a, const lt_graph *b)
{
    assert_int_equal(a->node_count, b->node_count);
    assert_int_equal(a->edge_count, b->edge_count);
    assert_memory_equal(a->node_type, b->node_type, a->node_count);
    assert_memory_equal(a->node_name, b->node_name, a->node_count * 4);
    for (uint32_t v = 0; v < a->node_count; v++)
        assert_int_equal(lt_graph_node_id(a, v), lt_graph_node_id(b, v));
    assert_memory_equal(a->self_size, b->self_size, a->node_count * 4);
    assert_memory_equal(a->first_edge, b->first_edge, (a->node_count + 1) * 4);
    for (uint32_t e = 0; e < a->edge_count; e++) {
        assert_int_equal(lt_graph_edge_to(a, e), lt_graph_edge_to(b, e));
        assert_int_equal(lt_graph_edge_type(a, e), lt_graph_edge_type(b, e));
        assert_int_equal(lt_graph_edge_name_at(a, e), lt_graph_edge_name_at(b, e));
    }
    assert_int_equal(a->string_count, b->string_count);
    assert_memory_equal(a->string_offset, b->string_offset, (a->string_count + 1) * 8);
    assert_memory_equal(a->string_data, b->string_data, a->string_data_size);
    assert_int_equal(a->location_count, b->location_count);
    for (uint32_t i = 0; i < a->location_count; i++) {
        lt_location x = lt_graph_location_at(a, i), y = lt_graph_location_at(b, i);
        assert_memory_equal(&x, &y, sizeof x);
    }
}

static void small_snapshot_is_read(void **state)
{
    (void)state;
    parsed p = parse_text(small);
    if (p.rc)
        fail_msg("%s", p.err.message);
    lt_graph *g = p.g;
    assert_int_equal(g->node_count, 4);
    assert_int_equal(g->edge_count, 5);
    assert_int_equal(lt_graph_node_id(g, 2), 5);
    assert_int_equal(g->self_size[1], 40);
    assert_int_equal(g->first_edge[4], 5);
    assert_int_equal(g->detachedness[2], 2);
    assert_int_equal(lt_graph_edge_to(g, 0), 1);
    assert_int_equal(lt_graph_edge_type(g, 0), g->et.shortcut);
    assert_int_equal(lt_graph_edge_to(g, 1), 2);
    assert_int_equal(lt_graph_edge_name_at(g, 1), 0);
    assert_string_equal(lt_graph_node_name(g, 1), "Obj\"ect");
    assert_string_equal(lt_graph_node_name(g, 2), "fn\xc3\xa9\n");
    assert_string_equal(lt_graph_node_name(g, 3), "hello \xf0\x9f\x98\x80");
    assert_string_equal(g->node_type_names[g->node_type[2]], "closure");
    assert_int_equal(g->location_count, 1); /* node 2 given twice: the last wins */
    lt_location loc;
    assert_true(lt_graph_location(g, 2, &loc));
    assert_int_equal(loc.node, 2);
    assert_int_equal(loc.script_id, 7);
    assert_int_equal(loc.line, 4);
    assert_int_equal(loc.column, 10);
    assert_false(lt_graph_location(g, 1, &loc));
    lt_graph_free(g);
}

static void every_split_gives_the_same_graph(void **state)
{
    (void)state;
    size_t len = strlen(small);
    parsed whole = parse_text(small);
    assert_int_equal(whole.rc, 0);
    for (size_t a = 1; a < len; a++) {
        for (size_t b = a; b < len; b += 7) { /* two cuts: every first cut, many second cuts */
            size_t cuts[2] = {a, b};
            parsed p = parse_pieces(small, len, cuts, 2);
            if (p.rc)
                fail_msg("cut at %zu,%zu: %s", a, b, p.err.message);
            assert_same_graph(whole.g, p.g);
            lt_graph_free(p.g);
        }
    }
    size_t *bytes = malloc(len * sizeof *bytes); /* one byte at a time */
    for (size_t i = 0; i < len; i++)
        bytes[i] = i + 1;
    parsed p = parse_pieces(small, len, bytes, len - 1);
    assert_int_equal(p.rc, 0);
    assert_same_graph(whole.g, p.g);
    lt_graph_free(p.g);
    free(bytes);
    lt_graph_free(whole.g);
}

/* Ids and self sizes of every length from 1 to 10 digits (the word-at-a-time
 * number reader takes 1 to 8 at once, the byte loop the rest), with leading
 * zeros, separated by commas alone or by whitespace, then read whole and in
 * every split at two points near each number. */
/* Node ids kept per block of 64 (graph.h): every pattern reads back as given. Runs of a
 * fixed step (2 as V8 numbers, 1, 0, a wrapping one), blocks that break it (one odd
 * id, falling ids, a step with the top bit) and a last block of 1 to 64 nodes. */
static void node_ids_read_back_as_given(void **state)
{
    (void)state;
    for (uint32_t count = 1; count <= 4 * LT_ID_BLOCK + 1; count += count < 130 ? 1 : 61) {
        lt_error err = {0};
        lt_graph *g = lt_graph_new(count, 0, false, NULL, &err);
        assert_non_null(g);
        uint32_t *want = malloc(count * sizeof *want);
        assert_non_null(want);
        for (uint32_t v = 0; v < count; v++) {
            uint32_t block = v / LT_ID_BLOCK, k = v % LT_ID_BLOCK;
            switch (block % 5) {
            case 0: want[v] = 1 + 2 * v; break;                     /* V8's step */
            case 1: want[v] = k == 17 ? 99 : 1000 + v; break;       /* one breaks it */
            case 2: want[v] = 4294967295u - 3 * k; break;           /* falling */
            case 3: want[v] = 4294967200u + k * 0x80000001u; break; /* a step of 2^31 + 1 */
            default: want[v] = 4294967290u + k; break;              /* wraps past 2^32 */
            }
            lt_graph_add_id(g, v, want[v]);
        }
        assert_int_equal(lt_graph_ids_done(g), 0);
        for (uint32_t v = 0; v < count; v++)
            if (lt_graph_node_id(g, v) != want[v])
                fail_msg("%u nodes: node %u has id %u, given %u", count, v, lt_graph_node_id(g, v), want[v]);
        free(want);
        lt_graph_free(g);
    }
}

static void numbers_of_every_length(void **state)
{
    (void)state;
    static const uint32_t values[] = {0,          7,           42,       905,      1234,      56789,
                                      123456,     9999999,     12345678, 99999999, 100000000, 987654321,
                                      1000000000, 4294967295u, 10,       100,      1000000,   20000000};
    enum { count = sizeof values / sizeof values[0] };
    char text[8192];
    int n = snprintf(text, sizeof text,
                     "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\","
                     "\"edge_count\"],\"node_types\":[[\"hidden\",\"object\"],\"string\",\"number\","
                     "\"number\",\"number\"],\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
                     "\"edge_types\":[[\"element\",\"property\"],\"string_or_number\",\"node\"]},"
                     "\"node_count\":%d,\"edge_count\":1},\"nodes\":[",
                     count);
    for (int i = 0; i < count; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "%s1,0,%s%u,%u,%d", i ? (i % 3 ? "," : " ,\n\t") : "",
                      i == 5 ? "000" : "", values[i], values[count - 1 - i], i == 0);
    n += snprintf(text + n, sizeof text - (size_t)n, "],\"edges\":[0,%u,5],\"strings\":[\"a\"]}", values[12]);
    parsed whole = parse_text(text);
    if (whole.rc)
        fail_msg("%s", whole.err.message);
    for (int i = 0; i < count; i++) {
        assert_int_equal(lt_graph_node_id(whole.g, i), values[i]);
        assert_int_equal(whole.g->self_size[i], values[count - 1 - i]);
    }
    assert_int_equal(lt_graph_edge_name_at(whole.g, 0), values[12]);
    for (size_t a = 1; a < (size_t)n; a += 3)
        for (size_t b = a; b < (size_t)n && b < a + 24; b += 5) {
            size_t cuts[2] = {a, b};
            parsed p = parse_pieces(text, (size_t)n, cuts, 2);
            if (p.rc)
                fail_msg("cut at %zu,%zu: %s", a, b, p.err.message);
            assert_same_graph(whole.g, p.g);
            lt_graph_free(p.g);
        }
    lt_graph_free(whole.g);
}

/* A bijection of 32-bit values that looks random (MurmurHash3's finaliser). */
static uint32_t scramble(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    return x ^ x >> 16;
}

/* Triple t of the located_snapshot. The LOC_TRIPLES triples all differ: a third only
 * in script, a third only in line, a third only in column, by values spread at
 * random, so a table comparing less than all three finds a wrong one (hundreds of
 * times here, whichever field it leaves out). */
#define LOC_NODES   70000 /* past 2^16: both passes of the radix sort move nodes */
#define LOC_TRIPLES 5003  /* far more than the position table's first size */

static lt_location triple(uint32_t t)
{
    if (t == LOC_TRIPLES - 1)
        return (lt_location){.script_id = 4294967295u, .line = 4294967295u, .column = 4294967295u};
    uint32_t v[3] = {1000, 2000, 3000};
    v[t % 3] = scramble(t);
    return (lt_location){.script_id = v[0], .line = v[1], .column = v[2]};
}

/* Appends location record "node, triple t" and remembers it as node's last. */
static size_t add_location(char *text, size_t n, size_t cap, uint32_t node, uint32_t t, int32_t *last)
{
    lt_location p = triple(t);
    n += (size_t)snprintf(text + n, cap - n, "%s%u,%u,%u,%u", text[n - 1] == '[' ? "" : ",", node * 5, p.script_id,
                          p.line, p.column);
    last[node] = (int32_t)t;
    return n;
}

/* LOC_NODES nodes; locations out of node order: every node once (even nodes share
 * triples 0-2, odd ones get the others, each of them), then 1,000 nodes again and 100 of
 * them a third time. last[v] gets the triple given last for node v (-1: none). */
static char *located_snapshot(size_t *len, int32_t *last)
{
    size_t cap = 8u << 20, n;
    char *t = malloc(cap);
    assert_non_null(t);
    n = (size_t)snprintf(t, cap,
                         "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\","
                         "\"edge_count\"],\"node_types\":[[\"hidden\",\"closure\"],\"string\",\"number\","
                         "\"number\",\"number\"],\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
                         "\"edge_types\":[[\"element\",\"property\"],\"string_or_number\",\"node\"],"
                         "\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]},"
                         "\"node_count\":%d,\"edge_count\":1},\n\"nodes\":[",
                         LOC_NODES);
    for (uint32_t v = 0; v < LOC_NODES; v++)
        n += (size_t)snprintf(t + n, cap - n, "%s1,0,%u,16,%d", v ? "," : "", 2 * v + 1, v == 0);
    n += (size_t)snprintf(t + n, cap - n, "],\n\"edges\":[1,0,0],\n\"locations\":[");
    for (uint32_t v = 0; v < LOC_NODES; v++)
        last[v] = -1;
    for (uint32_t k = 0; k < LOC_NODES; k++) {
        uint32_t v = (uint32_t)((uint64_t)k * 4099 % LOC_NODES);
        n = add_location(t, n, cap, v, v % 2 ? 3 + k / 2 % (LOC_TRIPLES - 3) : v % 3, last);
    }
    for (uint32_t k = 0; k < 1000; k++)
        n = add_location(t, n, cap, k * 37 % LOC_NODES, 3 + k * 13 % (LOC_TRIPLES - 3), last);
    for (uint32_t k = 0; k < 100; k++)
        n = add_location(t, n, cap, k * 37 % LOC_NODES, k % 3, last);
    n += (size_t)snprintf(t + n, cap - n, "],\n\"strings\":[\"f\"]}\n");
    assert_true(n < cap);
    *len = n;
    return t;
}

/* Locations given out of node order come back sorted, one a node, the last given
 * winning; 71,100 of them share 5,003 positions, each read back as given. */
static void locations_share_positions_and_read_back(void **state)
{
    (void)state;
    size_t len;
    int32_t *last = malloc(LOC_NODES * sizeof *last);
    assert_non_null(last);
    char *text = located_snapshot(&len, last);
    parsed p = parse_pieces(text, len, NULL, 0);
    if (p.rc)
        fail_msg("%s", p.err.message);
    const lt_graph *g = p.g;
    assert_int_equal(g->location_count, LOC_NODES);
    assert_int_equal(g->position_count, LOC_TRIPLES);
    for (uint32_t i = 0; i < g->location_count; i++) {
        lt_location at = lt_graph_location_at(g, i), want = triple((uint32_t)last[at.node]);
        assert_int_equal(at.node, i); /* sorted: every node has one */
        want.node = at.node;
        if (memcmp(&at, &want, sizeof at))
            fail_msg("node %u: %u,%u,%u, given last %u,%u,%u", at.node, at.script_id, at.line, at.column,
                     want.script_id, want.line, want.column);
        lt_location found;
        assert_true(lt_graph_location(g, at.node, &found));
        assert_memory_equal(&found, &want, sizeof found);
    }
    assert_false(lt_graph_location(g, LOC_NODES, NULL));
    lt_graph_free(p.g);
    free(text);
    free(last);
}

/* A snapshot big enough that the reader hands half of each buffer of numbers to its
 * helper thread (number_split.h): 40,000 nodes, 120,000 edges, with what the helper
 * must leave to the reader here and there (blanks, element indices past 2^28, a self
 * size past 2^32). `bad`, when not NULL, replaces the text of edge record `bad_at`. */
static char *big_snapshot(size_t *len, long bad_at, const char *bad)
{
    enum { nodes = 40000, per_node = 3 };
    size_t cap = 8u << 20;
    char *t = malloc(cap);
    assert_non_null(t);
    size_t n = (size_t)snprintf(
        t, cap,
        "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\","
        "\"trace_node_id\",\"detachedness\"],\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\"],"
        "\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],\"edge_fields\":[\"type\","
        "\"name_or_index\",\"to_node\"],\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\","
        "\"hidden\",\"shortcut\",\"weak\"],\"string_or_number\",\"node\"]},\"node_count\":%d,\"edge_count\":%d},\n"
        "\"nodes\":[",
        nodes, nodes * per_node);
    for (long i = 0; i < nodes; i++) {
        const char *sep = i == 0 ? "" : i % 1000 == 7 ? " ,\r\n " : "\n,";
        unsigned long long self = i == 30001 ? 5000000000ull : (unsigned long long)(i * 13 % 977);
        n += (size_t)snprintf(t + n, cap - n, "%s%ld,%ld,%ld,%llu,%d,0,%ld", sep, i % 4, i % 3, 2 * i + 1, self,
                              per_node, i % 3);
    }
    n += (size_t)snprintf(t + n, cap - n, "],\n\"edges\":[");
    for (long e = 0; e < (long)nodes * per_node; e++) {
        const char *sep = e == 0 ? "" : e % 5000 == 11 ? " , " : "\n,";
        long to = (e * 7919) % nodes * 7, type = e % 3 == 0 ? 1 : 2;
        unsigned long name = type == 1 ? (e % 20000 == 3 ? 3000000000ul : (unsigned long)e) : (unsigned long)(e % 3);
        if (e == bad_at)
            n += (size_t)snprintf(t + n, cap - n, "%s%s", sep, bad);
        else
            n += (size_t)snprintf(t + n, cap - n, "%s%ld,%lu,%ld", sep, type, name, to);
    }
    n += (size_t)snprintf(t + n, cap - n, "],\n\"strings\":[\"a\",\"b\",\"c\"]}\n");
    assert_true(n < cap);
    *len = n;
    return t;
}

/* In pieces of 4 KiB (too small to split) and whole (split): the same graph, and for
 * bad records in the helper's part, the same error, byte offset included. */
/* Regular records take the fast path, stored in runs (a slip there would only be seen
 * as time: the careful path reads them the same). The big snapshot's irregular ones are
 * a few: a self size past 2^32 and an edge name past 2^28. */
static void regular_records_are_stored_in_runs(void **state)
{
    (void)state;
    size_t len;
    char *text = big_snapshot(&len, -1, NULL);
    lt_error err = {0};
    lt_reader *r = lt_reader_new(&err);
    assert_non_null(r);
    assert_int_equal(lt_reader_feed(r, text, len, &err), 0);
    uint64_t runs = r->run_records;
    lt_graph *g = NULL;
    assert_int_equal(lt_reader_finish(r, &g, &err), 0);
    uint64_t records = (uint64_t)g->node_count + g->edge_count;
    if (runs < records - records / 100)
        fail_msg("%llu of %llu records stored in runs", (unsigned long long)runs, (unsigned long long)records);
    lt_graph_free(g);
    lt_reader_free(r);
    free(text);
}

static void the_second_core_reads_the_same(void **state)
{
    (void)state;
    size_t len, small_cuts[4096], ncuts = 0;
    char *text = big_snapshot(&len, -1, NULL);
    assert_true(len > (1u << 20));
    for (size_t at = 4096; at < len && ncuts < 4096; at += 4096)
        small_cuts[ncuts++] = at;
    parsed whole = parse_pieces(text, len, NULL, 0);
    if (whole.rc)
        fail_msg("%s", whole.err.message);
    parsed pieces = parse_pieces(text, len, small_cuts, ncuts);
    if (pieces.rc)
        fail_msg("%s", pieces.err.message);
    assert_same_graph(whole.g, pieces.g);
    assert_int_equal(whole.g->wrapped_self_count, 1);
    assert_int_equal(lt_graph_edge_name_at(whole.g, 3), 3000000000u);
    lt_graph_free(whole.g);
    lt_graph_free(pieces.g);
    free(text);

    static const char *const bad[] = {"9,1,7",   "1,1,8", "1,1,2800000", "1,-1,7",          "1,1.5,7", "1,1,,7",
                                      "1,1,7,1", "1,1 7", "1,\"x\",7",   "1,99999999999,7", "1,1,7]",  "1,1,280000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (long at = 70000; at <= 110000; at += 20000) {
            text = big_snapshot(&len, at, bad[i]);
            for (ncuts = 0; ncuts * 4096 + 4096 < len && ncuts < 4096; ncuts++)
                small_cuts[ncuts] = (ncuts + 1) * 4096;
            whole = parse_pieces(text, len, NULL, 0);
            pieces = parse_pieces(text, len, small_cuts, ncuts);
            if (!whole.rc || !pieces.rc)
                fail_msg("edge %ld as \"%s\": no error (whole %d, pieces %d)", at, bad[i], whole.rc, pieces.rc);
            assert_int_equal(whole.rc, pieces.rc);
            assert_string_equal(whole.err.message, pieces.err.message);
            free(text);
        }
}

/* Random damage to the big snapshot's numbers (a byte replaced by another digit, a
 * comma, a blank, a letter, ']' or '-'; a byte dropped): read whole (the helper takes
 * part of each buffer) and in 4 KiB pieces (no helper), the outcome is the same: the
 * same graph, or the same error and message. Seeded, so a failure repeats. */
static void damage_reads_the_same_with_the_helper(void **state)
{
    (void)state;
    static const char replacement[] = "7,,  \nx]-0";
    size_t len, cuts[4096];
    char *clean = big_snapshot(&len, -1, NULL);
    const char *numbers = strstr(clean, "\"nodes\":[");
    assert_non_null(numbers);
    size_t from = (size_t)(numbers - clean) + 10, to = (size_t)(strstr(clean, "\"strings\"") - clean);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    char *text = malloc(len + 1);
    assert_non_null(text);
    for (int round = 0; round < 48; round++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t at = from + (size_t)(seed >> 33) % (to - from), n = len;
        memcpy(text, clean, len + 1);
        if (round % 4 == 3) { /* drop the byte */
            memmove(text + at, text + at + 1, len - at);
            n--;
        } else {
            text[at] = replacement[(seed >> 20) % (sizeof replacement - 1)];
        }
        size_t ncuts = 0;
        for (size_t c = 4096; c < n && ncuts < 4096; c += 4096)
            cuts[ncuts++] = c;
        parsed whole = parse_pieces(text, n, NULL, 0);
        parsed pieces = parse_pieces(text, n, cuts, ncuts);
        if (whole.rc != pieces.rc || (whole.rc && strcmp(whole.err.message, pieces.err.message)))
            fail_msg("byte %zu: whole %d (%s), pieces %d (%s)", at, whole.rc, whole.rc ? whole.err.message : "",
                     pieces.rc, pieces.rc ? pieces.err.message : "");
        if (!whole.rc)
            assert_same_graph(whole.g, pieces.g);
        lt_graph_free(whole.g);
        lt_graph_free(pieces.g);
    }
    free(text);
    free(clean);
}

static char *load_fixture(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", LT_FIXTURES, name);
    gzFile f = gzopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    int k;
    while ((k = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)k;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    gzclose(f);
    *len = n;
    return buf;
}

static void real_snapshot_in_random_pieces(void **state)
{
    (void)state;
    size_t len;
    char *text = load_fixture("fixed-loop.heapsnapshot.gz", &len);
    parsed whole = parse_pieces(text, len, NULL, 0);
    assert_int_equal(whole.rc, 0);
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 8; round++) {
        size_t cuts[4096], n = 0, at = 0;
        while (n < 4096) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            at += 1 + x % (round < 4 ? 64 : 65536);
            if (at >= len)
                break;
            cuts[n++] = at;
        }
        parsed p = parse_pieces(text, len, cuts, n);
        if (p.rc)
            fail_msg("round %d: %s", round, p.err.message);
        assert_same_graph(whole.g, p.g);
        lt_graph_free(p.g);
    }
    lt_graph_free(whole.g);
    free(text);
}

/* The input ends right before a PROT_NONE page: a read past it would crash. */
static void no_read_past_the_input(void **state)
{
    (void)state;
    long page = sysconf(_SC_PAGESIZE);
    size_t len = strlen(small), span = ((len + (size_t)page - 1) / (size_t)page + 1) * (size_t)page;
    char *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(map != MAP_FAILED);
    assert_int_equal(mprotect(map + span - (size_t)page, (size_t)page, PROT_NONE), 0);
    for (size_t cut = 1; cut <= len; cut++) { /* every prefix, placed against the guard */
        char *at = map + span - (size_t)page - cut;
        memcpy(at, small, cut);
        parsed p = parse_pieces(at, cut, NULL, 0);
        if (cut < len - 1)
            assert_int_not_equal(p.rc, 0);
        lt_graph_free(p.g);
    }
    munmap(map, span);
}

static void every_truncation_is_an_error(void **state)
{
    (void)state;
    size_t len = strlen(small);
    for (size_t cut = 0; cut + 1 < len; cut++) { /* the last byte is a newline */
        parsed p = parse_pieces(small, cut, NULL, 0);
        if (!p.rc)
            fail_msg("prefix of %zu bytes was accepted", cut);
        assert_int_equal(p.rc, LT_EINPUT);
        assert_true(strlen(p.err.message) > 10);
        if (cut > 0 && !strstr(p.err.message, "truncated") && !strstr(p.err.message, "missing"))
            fail_msg("prefix %zu: unhelpful message: %s", cut, p.err.message);
    }
}

/* Replaces the first occurrence of `from` in the small snapshot by `to`. */
static char *variant(const char *from, const char *to)
{
    const char *at = strstr(small, from);
    assert_non_null(at);
    size_t before = (size_t)(at - small), flen = strlen(from), tlen = strlen(to);
    char *out = malloc(strlen(small) - flen + tlen + 1);
    memcpy(out, small, before);
    memcpy(out + before, to, tlen);
    strcpy(out + before + tlen, at + flen);
    return out;
}

static const struct bad_case {
    const char *name, *from, *to, *message;
} bad_cases[] = {
    {"node_count too large", "\"node_count\":4", "\"node_count\":5", "nodes: holds 28 values"},
    {"node_count too small", "\"node_count\":4", "\"node_count\":3", "more nodes than snapshot.node_count"},
    {"edge_count wrong", "\"edge_count\":5", "\"edge_count\":6", "edge counts add up to 5"},
    {"edge past the last node", "\n,6,2,21]", "\n,6,2,28]", "points past the last node"},
    {"edge not at a node", "\n,6,2,21]", "\n,6,2,20]", "not a multiple of the node field count"},
    {"unknown node type", "\n,2,4,7,16", "\n,16,4,7,16", "unknown node type 16"},
    {"unknown edge type", "\n,6,2,21]", "\n,7,2,21]", "unknown edge type 7"},
    {"string out of range", "\n,2,4,7,16", "\n,2,99,7,16", "refers to string 99"},
    {"nesting in nodes", "\n,2,4,7,16", "\n,[2],4,7,16", "nesting or a string where a number belongs"},
    {"string in edges", "\n,6,2,21]", "\n,6,\"2\",21]", "nesting or a string where a number belongs"},
    {"negative number", "\n,2,4,7,16", "\n,2,4,7,-16", "negative number"},
    {"fraction", "\n,2,4,7,16", "\n,2,4,7,1.5", "non-integer"},
    {"id too large", "\n,2,4,7,16", "\n,2,4,4294967296,16", "nodes[23]: number 4294967296 is larger than 2^32-1"},
    {"self size past 2^53", "\n,2,4,7,16", "\n,2,4,7,9007199254740992", "larger than 2^53"},
    {"element index too large", "\n,1,0,14", "\n,1,4294967296,14", "edges[4]: number 4294967296 is larger"},
    {"missing comma", "\n,2,4,7,16", "\n,2,4,7 16", "missing comma"},
    {"double comma", "\n,2,4,7,16", "\n,2,4,,7,16", "missing number"},
    {"trailing garbage", "]}\n", "]}x", "unexpected data after the end"},
    {"no meta", "{\"snapshot\":{\"meta\":", "{\"snapshot\":{\"other\":", "must be an object with a \"meta\" object"},
    {"node field missing", "\"self_size\",", "\"size\",", "node_fields lacks \"self_size\""},
    {"nodes before header", "{\"snapshot\":", "{\"nodes\":[],\"snapshot\":", "comes before the \"snapshot\" header"},
    {"edges twice", "\"trace_function_infos\":[],", "\"edges\":[1,0,14],\"trace_function_infos\":[],",
     "\"edges\" is given twice"},
    {"bad escape", "fn\\u00e9", "fn\\q", "invalid escape"},
    {"not an object", "{\"snapshot\"", "[\"snapshot\"", "expected '{'"},
    {"no strings", "\"strings\":", "\"strongs\":", "missing \"strings\""},
};

static void bad_input_gives_a_clear_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        char *text = variant(c->from, c->to);
        parsed p = parse_text(text);
        if (p.rc == 0)
            fail_msg("%s: accepted", c->name);
        if (!strstr(p.err.message, c->message))
            fail_msg("%s: message \"%s\" lacks \"%s\"", c->name, p.err.message, c->message);
        lt_graph_free(p.g);
        free(text);
    }
}

static void json_that_is_not_a_snapshot(void **state)
{
    (void)state;
    static const char *const texts[] = {"{\"a\":1}", "{}", "[1,2,3]", "null", "{\"snapshot\":[]}", ""};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        parsed p = parse_text(texts[i]);
        if (p.rc != LT_EINPUT)
            fail_msg("\"%s\" gave %d (%s)", texts[i], p.rc, p.err.message);
        lt_graph_free(p.g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_snapshot_is_read),
        cmocka_unit_test(every_split_gives_the_same_graph),
        cmocka_unit_test(real_snapshot_in_random_pieces),
        cmocka_unit_test(no_read_past_the_input),
        cmocka_unit_test(every_truncation_is_an_error),
        cmocka_unit_test(bad_input_gives_a_clear_error),
        cmocka_unit_test(json_that_is_not_a_snapshot),
        cmocka_unit_test(numbers_of_every_length),
        cmocka_unit_test(node_ids_read_back_as_given),
        cmocka_unit_test(locations_share_positions_and_read_back),
        cmocka_unit_test(the_second_core_reads_the_same),
        cmocka_unit_test(damage_reads_the_same_with_the_helper),
        cmocka_unit_test(regular_records_are_stored_in_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
