/* Format limits: every value the snapshot format allows and Chrome DevTools
 * accepts loads, at and beyond each boundary of the compact graph (edge names
 * past 28 bits, ids and self sizes at 32 bits, type lists, record widths), with
 * the numbers DevTools gives; values past what the format can mean fail with a
 * message that names the value and where it is. Snapshots are generated text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_result.h"
#include "report.h"
#include "snapshot/snapshot_reader.h"

#define MAX_LEAVES 64

/* A snapshot in node 20's layout: the root holds one array by a shortcut-free
 * element edge; the array holds `leaves` objects by element (even) and hidden
 * (odd) edges named index[i]; object i has self size size[i]. */
typedef struct shape {
    unsigned leaves;
    uint64_t index[MAX_LEAVES];
    uint64_t size[MAX_LEAVES];
    uint64_t id_of_first; /* id of the array node */
    unsigned extra_node_types, extra_edge_types;
    uint64_t line; /* of the array's location */
} shape;

static const char meta_head[] =
    "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\","
    "\"trace_node_id\",\"detachedness\"],\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\","
    "\"closure\",\"regexp\",\"number\",\"native\",\"synthetic\",\"concatenated string\",\"sliced string\","
    "\"symbol\",\"bigint\",\"object shape\",\"wasm object\"";

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static void add_meta(text *t, const shape *sh)
{
    add(t, "%s", meta_head);
    for (unsigned i = 0; i < sh->extra_node_types; i++)
        add(t, ",\"extra%u\"", i);
    add(t, "],\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],\"edge_fields\":[\"type\","
           "\"name_or_index\",\"to_node\"],\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\","
           "\"hidden\",\"shortcut\",\"weak\"");
    for (unsigned i = 0; i < sh->extra_edge_types; i++)
        add(t, ",\"extra%u\"", i);
    add(t,
        "],\"string_or_number\",\"node\"],\"location_fields\":[\"object_index\",\"script_id\",\"line\","
        "\"column\"]},\"node_count\":%u,\"edge_count\":%u},\n",
        sh->leaves + 2, sh->leaves + 1);
}

static char *snapshot_text(const shape *sh)
{
    text t = {0};
    add_meta(&t, sh);
    add(&t, "\"nodes\":[9,1,1,0,1,0,0\n,1,2,%llu,16,%u,0,0", (unsigned long long)sh->id_of_first, sh->leaves);
    for (unsigned i = 0; i < sh->leaves; i++)
        add(&t, "\n,3,3,%u,%llu,0,0,0", 3 + 2 * i, (unsigned long long)sh->size[i]);
    add(&t, "],\n\"edges\":[1,0,7");
    for (unsigned i = 0; i < sh->leaves; i++)
        add(&t, "\n,%d,%llu,%u", i % 2 ? 4 : 1, (unsigned long long)sh->index[i], 7 * (i + 2));
    add(&t, "],\n\"locations\":[7,1,%llu,4294967295],\n\"strings\":[\"<dummy>\",\"\",\"(arr)\",\"Leaf\"]}\n",
        (unsigned long long)sh->line);
    return t.s;
}

static int read_text(const char *s, lt_graph **g, lt_error *err)
{
    lt_reader *r = lt_reader_new(err);
    assert_non_null(r);
    int rc = lt_reader_feed(r, s, strlen(s), err);
    if (!rc)
        rc = lt_reader_finish(r, g, err);
    lt_reader_free(r);
    return rc;
}

static lt_analysis *analyze_shape(const shape *sh)
{
    char *s = snapshot_text(sh);
    lt_graph *g = NULL;
    lt_error err = {0};
    if (read_text(s, &g, &err))
        fail_msg("should load: %s", err.message);
    free(s);
    lt_analysis *a = NULL;
    lt_analysis_options options = {.skip_findings = 1};
    if (lt_analyze_graph(g, &options, &a, &err))
        fail_msg("analysis failed: %s", err.message);
    return a;
}

static void expect_error(const shape *sh, const char *message)
{
    char *s = snapshot_text(sh);
    lt_graph *g = NULL;
    lt_error err = {0};
    int rc = read_text(s, &g, &err);
    free(s);
    lt_graph_free(g);
    if (!rc)
        fail_msg("should fail with \"%s\"", message);
    if (!strstr(err.message, message))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, message);
}

static shape plain_shape(unsigned leaves)
{
    shape sh = {.leaves = leaves, .id_of_first = 3, .line = 7};
    for (unsigned i = 0; i < leaves; i++)
        sh.index[i] = i, sh.size[i] = 10 + i;
    return sh;
}

/* Edge names at every boundary of the packed 28 bits, mixed with small ones
 * (so the rare-name table is searched among many): read back exactly, and
 * the dominators and retained sizes are those of the same graph with small
 * names. */
static void edge_names_up_to_2_32_minus_1_load(void **state)
{
    (void)state;
    static const uint64_t wide[] = {(1u << 28) - 2, (1u << 28) - 1, 1u << 28, 1u << 31, 4294967294u, 4294967295u};
    shape small = plain_shape(MAX_LEAVES), big = small;
    for (unsigned i = 0; i < MAX_LEAVES; i++)
        big.index[i] = i % 3 ? wide[i % 6] : i;
    lt_analysis *a = analyze_shape(&small), *b = analyze_shape(&big);
    for (unsigned i = 0; i < MAX_LEAVES; i++) {
        char buf[16], want[16];
        snprintf(want, sizeof want, "%llu", (unsigned long long)big.index[i]);
        assert_int_equal(lt_graph_edge_name_at(b->graph, i + 1), big.index[i]);
        assert_string_equal(lt_graph_edge_name(b->graph, i + 1, buf, sizeof buf), want);
        assert_int_equal(lt_graph_edge_type(b->graph, i + 1), i % 2 ? 4 : 1);
        assert_int_equal(lt_graph_edge_to(b->graph, i + 1), i + 2);
    }
    for (uint32_t v = 0; v < small.leaves + 2; v++) {
        assert_int_equal(lt_retained(&a->tree, v), lt_retained(&b->tree, v));
        assert_int_equal(a->tree.dominator[v], b->tree.dominator[v]);
        assert_int_equal(a->distance[v], b->distance[v]);
    }
    lt_analysis_free(a);
    lt_analysis_free(b);
}

static void edge_name_past_32_bits_is_an_error(void **state)
{
    (void)state;
    shape sh = plain_shape(2);
    sh.index[1] = 4294967296ull;
    expect_error(&sh, "edges[7]: number 4294967296 is larger than 2^32-1");
}

static void ids_up_to_2_32_minus_1_load(void **state)
{
    (void)state;
    shape sh = plain_shape(2);
    sh.id_of_first = 4294967295u;
    lt_analysis *a = analyze_shape(&sh);
    assert_int_equal(lt_graph_node_id(a->graph, 1), 4294967295u);
    lt_analysis_free(a);
    sh.id_of_first = 4294967296ull;
    expect_error(&sh, "nodes[9]: number 4294967296 is larger than 2^32-1");
}

/* DevTools keeps self sizes in 32 bits: a bigger one (V8 writes a 5 GiB
 * ArrayBuffer's backing store so) counts modulo 2^32 there and here, and
 * the graph remembers it for the report. */
static void self_sizes_past_32_bits_count_as_devtools_counts_them(void **state)
{
    (void)state;
    shape sh = plain_shape(3);
    sh.size[0] = 4294967295u;
    sh.size[1] = 5368709120ull;
    sh.size[2] = (1ull << 53) - 1;
    lt_analysis *a = analyze_shape(&sh);
    assert_int_equal(a->graph->self_size[2], 4294967295u);
    assert_int_equal(a->graph->self_size[3], 1073741824u);
    assert_int_equal(a->graph->self_size[4], 4294967295u);
    assert_int_equal(a->graph->wrapped_self_count, 2);
    assert_int_equal(a->graph->wrapped_self_node, 3);
    assert_int_equal(a->graph->wrapped_self_size, 5368709120ull);
    assert_int_equal(lt_retained(&a->tree, 0), 4294967295ull * 2 + 1073741824ull + 16);
    json_t *doc = lt_report_json(a, 10);
    assert_non_null(
        strstr(json_string_value(json_array_get(json_object_get(json_object_get(doc, "snapshot"), "warnings"), 0)),
               "with 5368709120 bytes"));
    json_decref(doc);
    lt_analysis_free(a);
    sh.size[2] = 1ull << 53;
    expect_error(&sh, "larger than 2^53");
}

static void type_lists_up_to_their_limits(void **state)
{
    (void)state;
    shape sh = plain_shape(2);
    sh.extra_node_types = LT_MAX_TYPES - 16;
    sh.extra_edge_types = LT_EDGE_TYPE_MAX - 7;
    lt_analysis_free(analyze_shape(&sh));
    sh.extra_node_types++;
    expect_error(&sh, "node_types: the type list must hold 1 to 32 strings");
    sh.extra_node_types--;
    sh.extra_edge_types++;
    expect_error(&sh, "edge_types: the type list must hold 1 to 15 strings");
}

static void locations_up_to_2_32_minus_1(void **state)
{
    (void)state;
    shape sh = plain_shape(2);
    sh.line = 4294967295u;
    lt_analysis *a = analyze_shape(&sh);
    lt_location loc;
    assert_true(lt_graph_location(a->graph, 1, &loc));
    assert_int_equal(loc.line, 4294967295u);
    assert_int_equal(loc.column, 4294967295u);
    lt_analysis_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(edge_names_up_to_2_32_minus_1_load),
        cmocka_unit_test(edge_name_past_32_bits_is_an_error),
        cmocka_unit_test(ids_up_to_2_32_minus_1_load),
        cmocka_unit_test(self_sizes_past_32_bits_count_as_devtools_counts_them),
        cmocka_unit_test(type_lists_up_to_their_limits),
        cmocka_unit_test(locations_up_to_2_32_minus_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
