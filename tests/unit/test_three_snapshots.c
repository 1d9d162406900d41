/* Tests for the three-snapshot method (findings/baseline.c, analysis_three.c)
 * and the archive entry selection it needs (input/archive_input.c).
 *
 * The set is LT_FIXTURES/three/r500-{baseline,target,final}.heapsnapshot.xz:
 * one node 20 process, 500 requests between baseline and target, each leaving
 * a SessionRecord in a module-level Map (never evicted) and a TempBuffer in a
 * list the clean-up before final empties (see tests/fixtures/README.md). The
 * group setup unpacks them into a temporary folder, where the archive tests
 * build their tars and zips with the command-line tools. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis_result.h"
#include "finding_counts.h"
#include "input/archive_input.h"

#ifndef LT_FIXTURES
#define LT_FIXTURES "tests/fixtures"
#endif

static char dir[64];

static void shell(const char *fmt, ...)
{
    char cmd[2048];
    int at = snprintf(cmd, sizeof cmd, "cd '%s' && { ", dir);
    va_list ap;
    va_start(ap, fmt);
    at += vsnprintf(cmd + at, sizeof cmd - (size_t)at, fmt, ap);
    va_end(ap);
    snprintf(cmd + at, sizeof cmd - (size_t)at, " ; }");
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("command failed (%d): %s", rc, cmd);
}

static const char *in_dir(const char *name)
{
    static char path[4][256];
    static int next;
    next = (next + 1) % 4;
    snprintf(path[next], sizeof path[next], "%s/%s", dir, name);
    return path[next];
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/lt-three-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    shell("for p in baseline target final; do xz -dc '%s/three/r500-'$p.heapsnapshot.xz > $p.heapsnapshot; done",
          LT_FIXTURES);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static lt_analysis *analyze_files(const char *b, const char *t, const char *f)
{
    lt_snapshot_source src[3] = {{in_dir(b), NULL}, {in_dir(t), NULL}, {in_dir(f), NULL}};
    lt_analysis *a = NULL;
    lt_error err = {0};
    int rc = lt_analyze_three(&src[0], &src[1], &src[2], NULL, &a, &err);
    if (rc)
        fail_msg("lt_analyze_three: %s", err.message);
    return a;
}

/* The leaked_since_baseline finding about class cls, or NULL. */
static const lt_finding *leaked(const lt_analysis *a, const char *cls)
{
    for (uint32_t i = 0; i < a->findings.count; i++) {
        const lt_finding *f = &a->findings.items[i];
        if (f->kind == LT_FINDING_LEAKED_SINCE_BASELINE &&
            !strcmp(json_string_value(json_object_get(f->details, "class")), cls))
            return f;
    }
    return NULL;
}

static json_int_t three(const lt_analysis *a, const char *key)
{
    return json_integer_value(json_object_get(a->three_snapshots, key));
}

/* ---- the method --------------------------------------------------------------------- */

static void test_finds_the_leaked_session_records(void **state)
{
    (void)state;
    lt_analysis *a = analyze_files("baseline.heapsnapshot", "target.heapsnapshot", "final.heapsnapshot");
    const lt_finding *f = leaked(a, "SessionRecord");
    assert_non_null(f);
    assert_int_equal(json_integer_value(json_object_get(f->details, "count")), 500);
    assert_string_equal(json_string_value(json_object_get(f->details, "holder_class")), "Map");
    assert_string_equal(json_string_value(json_object_get(f->details, "holder_path")), "sessions");
    assert_int_equal(strncmp(f->fingerprint, "lb-", 3), 0);
    assert_true(f->retained_size >= 500 * 48);                                   /* the records and what they own */
    assert_null(leaked(a, "TempBuffer"));                                        /* freed by the clean-up */
    assert_int_equal(finding_counts_of(a, LT_FINDING_LEAKED_SINCE_BASELINE), 1); /* a record's fields are not another */
    assert_int_equal(three(a, "baseline_nodes"), 40786);
    assert_int_equal(three(a, "target_nodes"), 46404);
    assert_int_equal(three(a, "final_nodes"), 44908);
    assert_true(three(a, "still_alive") >= 1500 && three(a, "still_alive") < 1600);
    lt_analysis_free(a);
}

static void test_nothing_when_target_is_baseline(void **state)
{
    (void)state;
    lt_analysis *a = analyze_files("baseline.heapsnapshot", "baseline.heapsnapshot", "final.heapsnapshot");
    assert_int_equal(finding_counts_of(a, LT_FINDING_LEAKED_SINCE_BASELINE), 0);
    assert_int_equal(three(a, "new_in_target"), 0);
    assert_int_equal(three(a, "still_alive"), 0);
    lt_analysis_free(a);
}

/* Before the clean-up the TempBuffers are alive too; the records' finding keeps
 * its fingerprint in another snapshot (names, not ids or counts). */
static void test_survivors_before_clean_up_and_stable_fingerprint(void **state)
{
    (void)state;
    lt_analysis *after = analyze_files("baseline.heapsnapshot", "target.heapsnapshot", "final.heapsnapshot");
    lt_analysis *before = analyze_files("baseline.heapsnapshot", "target.heapsnapshot", "target.heapsnapshot");
    const lt_finding *buffers = leaked(before, "TempBuffer");
    assert_non_null(buffers);
    assert_int_equal(json_integer_value(json_object_get(buffers->details, "count")), 500);
    assert_non_null(leaked(before, "SessionRecord"));
    assert_string_equal(leaked(before, "SessionRecord")->fingerprint, leaked(after, "SessionRecord")->fingerprint);
    assert_string_not_equal(buffers->fingerprint, leaked(after, "SessionRecord")->fingerprint);
    lt_analysis_free(before);
    lt_analysis_free(after);
}

static void test_names_the_snapshot_that_fails(void **state)
{
    (void)state;
    lt_snapshot_source ok = {in_dir("final.heapsnapshot"), NULL}, missing = {in_dir("nope.heapsnapshot"), NULL};
    lt_analysis *a = NULL;
    lt_error err = {0};
    assert_int_equal(lt_analyze_three(&ok, &missing, &ok, NULL, &a, &err), LT_EIO);
    assert_null(a);
    assert_non_null(strstr(err.message, "target snapshot: "));
}

/* ---- archives ----------------------------------------------------------------------- */

static int entries_of(const char *archive, char entries[3][LT_THREE_ENTRY_MAX])
{
    lt_error err = {0};
    int rc = lt_three_snapshot_entries(in_dir(archive), entries, &err);
    if (rc < 0)
        fail_msg("lt_three_snapshot_entries(%s): %s", archive, err.message);
    return rc;
}

static void test_archive_entries_by_name(void **state)
{
    (void)state;
    shell("mkdir -p named/run && cp final.heapsnapshot named/run/3-FINAL.heapsnapshot && "
          "cp baseline.heapsnapshot named/run/2-baseline.heapsnapshot && cp target.heapsnapshot "
          "named/run/1-target.heapsnapshot && "
          "echo notes > named/README.txt && tar -C named -cJf named.tar.xz README.txt run && "
          "(cd named && zip -q -r ../named.zip run README.txt)");
    char entries[3][LT_THREE_ENTRY_MAX];
    const char *archives[] = {"named.tar.xz", "named.zip"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(entries_of(archives[i], entries), 1);
        assert_string_equal(entries[0], "run/2-baseline.heapsnapshot");
        assert_string_equal(entries[1], "run/1-target.heapsnapshot");
        assert_string_equal(entries[2], "run/3-FINAL.heapsnapshot");
    }
}

static void test_archive_entries_in_order(void **state)
{
    (void)state;
    shell("mkdir -p order && cp baseline.heapsnapshot order/a.heapsnapshot && cp target.heapsnapshot "
          "order/b.heapsnapshot "
          "&& cp final.heapsnapshot order/c.heapsnapshot && tar -C order -cf order.tar a.heapsnapshot b.heapsnapshot "
          "c.heapsnapshot && tar -C order -cf two.tar a.heapsnapshot b.heapsnapshot && "
          "cp final.heapsnapshot order/d.heapsnapshot && "
          "tar -C order -cf four.tar a.heapsnapshot b.heapsnapshot c.heapsnapshot d.heapsnapshot");
    char entries[3][LT_THREE_ENTRY_MAX];
    assert_int_equal(entries_of("order.tar", entries), 1);
    assert_string_equal(entries[0], "a.heapsnapshot");
    assert_string_equal(entries[2], "c.heapsnapshot");
    assert_int_equal(entries_of("two.tar", entries), 0);  /* not a set: the first snapshot alone */
    assert_int_equal(entries_of("four.tar", entries), 0); /* four, unnamed: which three? */
    assert_int_equal(entries_of("final.heapsnapshot", entries), 0);
    shell("xz -1 -k -T1 final.heapsnapshot");
    assert_int_equal(entries_of("final.heapsnapshot.xz", entries), 0);
}

static void test_upload_archive_gives_the_same_findings(void **state)
{
    (void)state;
    shell("mkdir -p up && cp final.heapsnapshot up/final.heapsnapshot && cp target.heapsnapshot up/target.heapsnapshot "
          "&& cp baseline.heapsnapshot up/baseline.heapsnapshot && "
          "tar -C up -czf up.tar.gz final.heapsnapshot target.heapsnapshot baseline.heapsnapshot");
    char entries[3][LT_THREE_ENTRY_MAX];
    assert_int_equal(entries_of("up.tar.gz", entries), 1);
    char archive[256];
    snprintf(archive, sizeof archive, "%s", in_dir("up.tar.gz"));
    lt_snapshot_source src[3];
    for (int i = 0; i < 3; i++)
        src[i] = (lt_snapshot_source){archive, entries[i]};
    lt_analysis *a = NULL, *files = analyze_files("baseline.heapsnapshot", "target.heapsnapshot", "final.heapsnapshot");
    lt_error err = {0};
    if (lt_analyze_three(&src[0], &src[1], &src[2], NULL, &a, &err))
        fail_msg("lt_analyze_three on a tar.gz: %s", err.message);
    assert_string_equal(a->input.entry, "final.heapsnapshot");
    assert_string_equal(leaked(a, "SessionRecord")->fingerprint, leaked(files, "SessionRecord")->fingerprint);
    lt_analysis_free(a);
    lt_analysis_free(files);
}

static int count_bytes(void *ctx, const char *buf, size_t len, lt_error *err)
{
    (void)buf, (void)err;
    *(size_t *)ctx += len;
    return 0;
}

static void test_stream_named_entry(void **state)
{
    (void)state;
    shell("mkdir -p pick && cp target.heapsnapshot pick/t.heapsnapshot && cp final.heapsnapshot pick/f.heapsnapshot && "
          "tar -C pick -cf pick.tar t.heapsnapshot f.heapsnapshot");
    size_t got = 0;
    lt_input_info info;
    lt_error err = {0};
    assert_int_equal(lt_input_stream_entry(in_dir("pick.tar"), "f.heapsnapshot", count_bytes, NULL, &got, &info, &err),
                     0);
    assert_int_equal(got, 4384523); /* final's size, not the first entry's */
    assert_string_equal(info.entry, "f.heapsnapshot");
    assert_int_equal(lt_input_stream_entry(in_dir("pick.tar"), "x.heapsnapshot", count_bytes, NULL, &got, NULL, &err),
                     LT_EARCHIVE);
    assert_non_null(strstr(err.message, "no entry named 'x.heapsnapshot'"));
    assert_non_null(strstr(err.message, "t.heapsnapshot, f.heapsnapshot"));
    assert_int_equal(
        lt_input_stream_entry(in_dir("final.heapsnapshot"), "f.heapsnapshot", count_bytes, NULL, &got, NULL, &err),
        LT_EARCHIVE);
    assert_non_null(strstr(err.message, "is not an archive"));
}

/* Listing a pipe would consume what the analysis then reads: none are listed. */
static void test_list_leaves_pipes_alone(void **state)
{
    (void)state;
    char names[1][LT_INPUT_ENTRY_MAX];
    uint32_t count = 7;
    lt_error err = {0};
    assert_int_equal(lt_input_list_snapshots("-", names, 1, &count, &err), 0);
    assert_int_equal(count, 0);
    shell("mkfifo fifo && (tar -cf - final.heapsnapshot > fifo &)");
    assert_int_equal(lt_input_list_snapshots(in_dir("fifo"), names, 1, &count, &err), 0);
    assert_int_equal(count, 0);
    assert_int_equal(lt_input_list_snapshots(NULL, names, 1, &count, &err), LT_EUSAGE);
    shell("cat fifo > /dev/null && rm fifo");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_the_leaked_session_records),
        cmocka_unit_test(test_nothing_when_target_is_baseline),
        cmocka_unit_test(test_survivors_before_clean_up_and_stable_fingerprint),
        cmocka_unit_test(test_names_the_snapshot_that_fails),
        cmocka_unit_test(test_archive_entries_by_name),
        cmocka_unit_test(test_archive_entries_in_order),
        cmocka_unit_test(test_upload_archive_gives_the_same_findings),
        cmocka_unit_test(test_stream_named_entry),
        cmocka_unit_test(test_list_leaves_pipes_alone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
