/* Snapshots of real programs (tsc, eslint, prettier, rollup, express, koa,
 * fastify) from every producer (node 20, 22, 24, Deno, Bun, Chromium; see
 * tests/fixtures/real/README.md) against Chrome DevTools' own numbers: counts,
 * total size, the top 50 retainers and Summary-view classes
 * (NAME.expected.json), and every node's id, self size, retained size,
 * dominator and distance through the SHA-256 of our --nodes TSV, which must
 * equal the oracle's --nodes-tsv byte for byte (NAME.nodes.sha256).
 * A table row with a `pending` reason is skipped: the snapshot does not load
 * or disagree yet; clear the reason when the fix lands (LT_REAL_RUN_PENDING=1
 * in the environment runs those rows too, to see whether they pass now). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_result.h"
#include "expected_report.h"
#include "report.h"

typedef struct real_snapshot {
    const char *name;    /* tests/fixtures/real/NAME.heapsnapshot.xz */
    const char *pending; /* NULL, or why the case is skipped for now */
} real_snapshot;

static const real_snapshot real_snapshots[] = {
    {.name = "node20-express"},    {.name = "node22-koa"},  {.name = "node24-fastify"},
    {.name = "node24-typescript"}, {.name = "deno-rollup"}, {.name = "deno-prettier"},
    {.name = "bun-typescript"},    {.name = "bun-eslint"},  {.name = "chromium-rollup"},
    {.name = "chromium-prettier"},
};

static const char *real_path(const char *name, const char *suffix)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/real/%s%s", LT_FIXTURES, name, suffix);
    return path;
}

/* The SHA-256 (64 hex digits) at the start of NAME.nodes.sha256. */
static void expected_nodes_sha256(const char *name, char hex[65])
{
    FILE *f = fopen(real_path(name, ".nodes.sha256"), "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%64s", hex), 1);
    fclose(f);
}

/* The SHA-256 of lt_report_nodes_tsv's output for a, as 64 hex digits. */
static void our_nodes_sha256(const lt_analysis *a, char hex[65])
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(lt_report_nodes_tsv(a, f), 0);
    assert_int_equal(fclose(f), 0);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    assert_true(EVP_Digest(text, len, md, &md_len, EVP_sha256(), NULL));
    assert_int_equal(md_len, 32);
    for (unsigned i = 0; i < md_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    free(text);
}

static void real_snapshot_matches_devtools(void **state)
{
    const real_snapshot *s = *state;
    if (s->pending && !getenv("LT_REAL_RUN_PENDING")) {
        print_message("%s skipped: %s\n", s->name, s->pending);
        skip();
    }
    lt_analysis *a = NULL;
    lt_error err = {0};
    if (lt_analyze_file(real_path(s->name, ".heapsnapshot.xz"), NULL, &a, &err))
        fail_msg("%s: %s", s->name, err.message);
    expected_report_check(real_path(s->name, ".expected.json"), a);
    char want[65] = {0}, got[65] = {0};
    expected_nodes_sha256(s->name, want);
    our_nodes_sha256(a, got);
    if (strcmp(want, got))
        fail_msg("%s: per-node TSV differs from DevTools' (sha256 %s, ours %s); run tests/gen/real/compare.sh", s->name,
                 want, got);
    lt_analysis_free(a);
}

int main(void)
{
    enum { count = sizeof real_snapshots / sizeof real_snapshots[0] };
    struct CMUnitTest tests[count];
    for (size_t i = 0; i < count; i++)
        tests[i] = (struct CMUnitTest){.name = real_snapshots[i].name,
                                       .test_func = real_snapshot_matches_devtools,
                                       .initial_state = (void *)&real_snapshots[i]};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
