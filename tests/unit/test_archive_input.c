/* Tests for archive_input.c (lt_input_stream).
 *
 * The group setup writes a ~3 MB JSON text into a temporary directory and
 * builds every container from it with the command-line tools (gzip, zstd, xz,
 * bzip2, zip, tar, lz4), so the data spans several queue buffers and the
 * 256 KiB sniff prefix. Each test streams one file and compares the bytes the
 * sink received with the original. Small committed inputs live in
 * LT_FIXTURES/archive/ (a 7z and a tar.bz2 with a nested entry). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "input/archive_input.h"

#ifndef LT_FIXTURES
#define LT_FIXTURES "tests/fixtures"
#endif

#define JSON_TARGET (3u << 20)

struct env {
    char dir[64];
    char *json;
    size_t json_len;
};

struct collect {
    char *buf;
    size_t len, cap;
    int calls;
    int fail_at; /* sink call (1-based) that fails, 0 = never */
    int progress_calls;
    uint64_t last_consumed, total;
    bool monotonic;
};

/* ---------------------------------------------------------------- helpers */

static int sink(void *ctx, const char *buf, size_t len, lt_error *err)
{
    struct collect *c = ctx;
    if (++c->calls == c->fail_at)
        return lt_error_set(err, LT_ELIMIT, "test sink stops at call %d", c->calls);
    if (c->len + len > c->cap) {
        size_t cap = c->cap ? c->cap : 1 << 20;
        while (cap < c->len + len)
            cap *= 2;
        char *nb = realloc(c->buf, cap);
        if (!nb)
            return lt_error_set(err, LT_ENOMEM, "test sink out of memory");
        c->buf = nb;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, buf, len);
    c->len += len;
    return 0;
}

static void progress(void *ctx, uint64_t consumed, uint64_t total)
{
    struct collect *c = ctx;
    if (consumed < c->last_consumed)
        c->monotonic = false;
    c->last_consumed = consumed;
    c->total = total;
    c->progress_calls++;
}

static void path_in(const struct env *e, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", e->dir, name);
}

static void shell(const struct env *e, const char *cmd)
{
    char full[2048];
    snprintf(full, sizeof full, "cd '%s' && { %s ; }", e->dir, cmd);
    int rc = system(full);
    if (rc != 0)
        fail_msg("command failed (%d): %s", rc, cmd);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (uint64_t)st.st_size;
}

/* Streams path; returns the code, fills c, info and err. */
static int stream(const char *path, struct collect *c, lt_input_info *info, lt_error *err)
{
    c->monotonic = true;
    return lt_input_stream(path, sink, progress, c, info, err);
}

static void expect_bytes(const struct collect *c, const char *want, size_t want_len)
{
    assert_int_equal(c->len, want_len);
    assert_memory_equal(c->buf, want, want_len);
}

/* Streams e->dir/name and checks the bytes, format and entry. */
static void expect_ok(const struct env *e, const char *name, const char *format, const char *entry)
{
    char path[256];
    struct collect c = {0};
    lt_input_info info;
    lt_error err;
    path_in(e, name, path, sizeof path);
    int rc = stream(path, &c, &info, &err);
    if (rc != 0)
        fail_msg("%s: code %d: %s", name, rc, err.message);
    expect_bytes(&c, e->json, e->json_len);
    assert_string_equal(info.format, format);
    assert_string_equal(info.entry, entry);
    assert_int_equal(info.uncompressed_bytes, e->json_len);
    assert_int_equal(info.compressed_bytes, file_size(path));
    assert_true(c.calls >= 2);
    assert_true(c.monotonic);
    free(c.buf);
}

/* Streams e->dir/name, expects code and a message holding each of needles
 * (NULL-terminated). */
static void expect_fail(const struct env *e, const char *name, int code, ...)
{
    char path[256];
    struct collect c = {0};
    lt_input_info info;
    lt_error err;
    va_list ap;
    path_in(e, name, path, sizeof path);
    int rc = stream(path, &c, &info, &err);
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    va_start(ap, code);
    for (const char *needle; (needle = va_arg(ap, const char *)) != NULL;)
        if (!strstr(err.message, needle))
            fail_msg("%s: message lacks \"%s\": %s", name, needle, err.message);
    va_end(ap);
    free(c.buf);
}

/* ~3 MB of JSON with pseudo-random numbers (so it does not compress to
 * nothing and the gzip file is larger than the sniff prefix). */
static char *make_json(size_t *len)
{
    char *buf = malloc(JSON_TARGET + 256);
    uint32_t x = 12345;
    assert_non_null(buf);
    size_t n = (size_t)sprintf(buf, "{\"snapshot\":{\"meta\":{},\"node_count\":0},\"nodes\":[1");
    while (n < JSON_TARGET) {
        x = x * 1103515245u + 12345u;
        n += (size_t)sprintf(buf + n, ",%u", (x >> 8) % 100000u);
    }
    n += (size_t)sprintf(buf + n, "],\"strings\":[\"a\",\"b\"]}\n");
    *len = n;
    return buf;
}

static void make_corrupt_copies(const struct env *e)
{
    char path[256];
    size_t len;
    path_in(e, "snap.json.gz", path, sizeof path);
    char *gz = slurp(path, &len);
    for (size_t i = len / 2; i < len / 2 + 16; i++)
        gz[i] ^= 0x5a;
    path_in(e, "corrupt.gz", path, sizeof path);
    spit(path, gz, len);
    for (size_t i = len / 2; i < len / 2 + 16; i++)
        gz[i] ^= 0x5a;
    gz[len - 6] ^= 0x01; /* inside the CRC32 of the trailer */
    path_in(e, "badcrc.gz", path, sizeof path);
    spit(path, gz, len);
    free(gz);
}

static void make_random(const struct env *e)
{
    unsigned char buf[4096];
    char path[256];
    uint32_t x = 424242;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1664525u + 1013904223u;
        buf[i] = (unsigned char)(x >> 24);
    }
    buf[0] = 0x50; /* 'P': not '{', not gzip */
    buf[1] = 0x4b;
    buf[2] = 0x99;
    path_in(e, "random.bin", path, sizeof path);
    spit(path, buf, sizeof buf);
}

static const char *const build_cmds[] = {
    "gzip -c snap.json > snap.json.gz",
    "head -c 1000003 snap.json > part_a && tail -c +1000004 snap.json > part_b",
    "gzip -c part_a > a.gz && gzip -c part_b > b.gz && cat a.gz b.gz > multi.gz",
    "head -c 7 snap.json | gzip > t.gz && tail -c +8 snap.json | gzip > r.gz"
    " && cat t.gz r.gz > multi_small.gz",
    "cp snap.json.gz padded.gz && head -c 5000 /dev/zero >> padded.gz",
    "cp snap.json.gz garbage.gz && printf 'garbage' >> garbage.gz",
    "head -c $(( $(stat -c %s snap.json.gz) / 2 )) snap.json.gz > trunc.gz",
    "head -c 100 snap.json.gz > trunc_early.gz",
    "printf '' | gzip > nodata.gz",
    "zstd -q -c snap.json > snap.json.zst",
    "xz -1 -c snap.json > snap.json.xz",
    "head -c $(( $(stat -c %s snap.json.xz) / 2 )) snap.json.xz > trunc.xz",
    "bzip2 -c snap.json > snap.json.bz2",
    "lz4 -q -c snap.json > snap.json.lz4",
    "cp snap.json x.heapsnapshot && printf 'read me\\n' > README.txt",
    "zip -q one.zip x.heapsnapshot",
    "zip -q two.zip README.txt x.heapsnapshot",
    "head -c $(( $(stat -c %s one.zip) / 2 )) one.zip > trunc.zip",
    "mkdir -p d && cp snap.json d/other.json && zip -q -r none.zip README.txt d",
    "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do printf x > f$i.txt; done"
    " && zip -q many.zip f*.txt",
    "tar -cf snap.tar x.heapsnapshot",
    "tar -cf skip.tar d/other.json x.heapsnapshot",
    "mkdir -p __MACOSX && printf 'fork' > __MACOSX/._x.heapsnapshot"
    " && zip -q mac.zip __MACOSX/._x.heapsnapshot x.heapsnapshot",
    "mkdir -p dump && cp snap.json dump/app.HeapSnapshot"
    " && tar -czf snap.tar.gz README.txt dump",
    "tar -cJf snap.tar.xz x.heapsnapshot",
    ": > empty",
};

static int group_setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    char path[256];
    snprintf(e->dir, sizeof e->dir, "/tmp/lt_archive_test_XXXXXX");
    if (!mkdtemp(e->dir))
        return -1;
    e->json = make_json(&e->json_len);
    path_in(e, "snap.json", path, sizeof path);
    spit(path, e->json, e->json_len);
    for (size_t i = 0; i < sizeof build_cmds / sizeof build_cmds[0]; i++)
        shell(e, build_cmds[i]);
    make_corrupt_copies(e);
    make_random(e);
    *state = e;
    return 0;
}

static int group_teardown(void **state)
{
    struct env *e = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    int rc = system(cmd);
    free(e->json);
    free(e);
    return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------ supported inputs */

static void test_plain(void **state)
{
    expect_ok(*state, "snap.json", "plain", "");
}
static void test_gzip(void **state)
{
    expect_ok(*state, "snap.json.gz", "gzip", "");
}
static void test_gzip_multi(void **state)
{
    expect_ok(*state, "multi.gz", "gzip", "");
}
static void test_gzip_multi_small_first(void **state)
{
    expect_ok(*state, "multi_small.gz", "gzip", "");
}
static void test_gzip_zero_padding(void **state)
{
    expect_ok(*state, "padded.gz", "gzip", "");
}
static void test_zstd(void **state)
{
    expect_ok(*state, "snap.json.zst", "zstd", "");
}
static void test_xz(void **state)
{
    expect_ok(*state, "snap.json.xz", "xz", "");
}
static void test_bzip2(void **state)
{
    expect_ok(*state, "snap.json.bz2", "bzip2", "");
}
static void test_lz4(void **state)
{
    expect_ok(*state, "snap.json.lz4", "lz4", "");
}
static void test_zip(void **state)
{
    expect_ok(*state, "one.zip", "zip", "x.heapsnapshot");
}
static void test_zip_readme_first(void **state)
{
    expect_ok(*state, "two.zip", "zip", "x.heapsnapshot");
}
static void test_tar(void **state)
{
    expect_ok(*state, "snap.tar", "tar", "x.heapsnapshot");
}
static void test_tar_skips_big_entry(void **state)
{
    expect_ok(*state, "skip.tar", "tar", "x.heapsnapshot");
}
static void test_zip_ignores_macos_fork(void **state)
{
    expect_ok(*state, "mac.zip", "zip", "x.heapsnapshot");
}
static void test_tar_gz_nested(void **state)
{
    expect_ok(*state, "snap.tar.gz", "tar.gz", "dump/app.HeapSnapshot");
}
static void test_tar_xz(void **state)
{
    expect_ok(*state, "snap.tar.xz", "tar.xz", "x.heapsnapshot");
}

static void expect_fixture(const char *name, const char *format, const char *entry)
{
    struct collect c = {0};
    lt_input_info info;
    lt_error err;
    size_t want_len;
    char *want = slurp(LT_FIXTURES "/archive/small.heapsnapshot", &want_len);
    int rc = stream(name, &c, &info, &err);
    if (rc != 0)
        fail_msg("%s: code %d: %s", name, rc, err.message);
    expect_bytes(&c, want, want_len);
    assert_string_equal(info.format, format);
    assert_string_equal(info.entry, entry);
    free(want);
    free(c.buf);
}

static void test_fixture_tar_bz2(void **state)
{
    (void)state;
    expect_fixture(LT_FIXTURES "/archive/nested.tar.bz2", "tar.bz2", "dump/small.heapsnapshot");
}

static void test_fixture_7z(void **state)
{
    (void)state;
    expect_fixture(LT_FIXTURES "/archive/small.7z", "7z", "small.heapsnapshot");
}

static void test_fixture_plain_small(void **state)
{
    (void)state;
    expect_fixture(LT_FIXTURES "/archive/small.heapsnapshot", "plain", "");
}

/* ----------------------------------------------------------------- errors */

static void test_gzip_truncated(void **state)
{
    expect_fail(*state, "trunc.gz", LT_EARCHIVE, "truncated", "compressed byte", NULL);
    expect_fail(*state, "trunc_early.gz", LT_EARCHIVE, "truncated", "compressed byte 100", NULL);
}

static void test_gzip_corrupt(void **state)
{
    expect_fail(*state, "corrupt.gz", LT_EARCHIVE, "corrupt gzip data at compressed byte", NULL);
    expect_fail(*state, "badcrc.gz", LT_EARCHIVE, "corrupt", "CRC", NULL);
}

static void test_gzip_trailing_garbage(void **state)
{
    expect_fail(*state, "garbage.gz", LT_EARCHIVE, "after the gzip stream", NULL);
}

static void test_gzip_no_data(void **state)
{
    expect_fail(*state, "nodata.gz", LT_EINPUT, "no data", NULL);
}

static void test_truncated_xz_zip(void **state)
{
    expect_fail(*state, "trunc.xz", LT_EARCHIVE, "(xz)", NULL);
    expect_fail(*state, "trunc.zip", LT_EARCHIVE, "(zip)", NULL);
}

static void test_zip_without_snapshot(void **state)
{
    expect_fail(*state, "none.zip", LT_EARCHIVE, "archive (zip)", "no *.heapsnapshot", "README.txt", "d/other.json",
                NULL);
    expect_fail(*state, "many.zip", LT_EARCHIVE, "f1.txt", "and 2 more", NULL);
}

static void test_random_bytes(void **state)
{
    expect_fail(*state, "random.bin", LT_EARCHIVE, "unrecognised format", "50 4b 99", NULL);
}

static void test_empty(void **state)
{
    expect_fail(*state, "empty", LT_EINPUT, "empty", NULL);
}

static void test_missing_file(void **state)
{
    expect_fail(*state, "no-such-file.heapsnapshot", LT_EIO, "no-such-file.heapsnapshot", "No such file", NULL);
}

static void test_directory(void **state)
{
    expect_fail(*state, "d", LT_EIO, "/d'", NULL);
}

static void test_bad_usage(void **state)
{
    lt_error err;
    (void)state;
    assert_int_equal(lt_input_stream(NULL, sink, NULL, NULL, NULL, &err), LT_EUSAGE);
    assert_int_equal(lt_input_stream("x", NULL, NULL, NULL, NULL, NULL), LT_EUSAGE);
}

/* ----------------------------------------------------- sink and progress */

static void expect_sink_stop(const struct env *e, const char *name, int fail_at)
{
    char path[256];
    struct collect c = {.fail_at = fail_at};
    lt_input_info info;
    lt_error err;
    path_in(e, name, path, sizeof path);
    assert_int_equal(stream(path, &c, &info, &err), LT_ELIMIT);
    assert_int_equal(err.code, LT_ELIMIT);
    assert_non_null(strstr(err.message, "test sink stops"));
    assert_int_equal(c.calls, fail_at);
    assert_int_equal(info.uncompressed_bytes, c.len);
    free(c.buf);
}

static void test_sink_error(void **state)
{
    static const char *const names[] = {"snap.json", "snap.json.gz", "snap.json.zst", "two.zip", "snap.tar.gz"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        expect_sink_stop(*state, names[i], 1);
        expect_sink_stop(*state, names[i], 2);
    }
}

static void test_progress_and_null_info(void **state)
{
    const struct env *e = *state;
    char path[256];
    struct collect c = {0};
    path_in(e, "snap.json.gz", path, sizeof path);
    c.monotonic = true;
    assert_int_equal(lt_input_stream(path, sink, progress, &c, NULL, NULL), 0);
    expect_bytes(&c, e->json, e->json_len);
    assert_true(c.progress_calls >= 2);
    assert_true(c.monotonic);
    assert_int_equal(c.total, file_size(path));
    assert_true(c.last_consumed > 0 && c.last_consumed <= c.total);
    free(c.buf);
    memset(&c, 0, sizeof c);
    assert_int_equal(lt_input_stream(path, sink, NULL, &c, NULL, NULL), 0);
    assert_int_equal(c.len, e->json_len);
    free(c.buf);
}

/* ------------------------------------------------------------ stdin pipe */

/* Child: writes the file to fd, then (hold > 0) keeps the pipe open. */
static void feed_and_exit(const char *path, int fd, int hold)
{
    size_t len;
    char *buf = slurp(path, &len);
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, buf + off, len - off);
        if (n <= 0)
            _exit(1);
        off += (size_t)n;
    }
    if (hold > 0)
        sleep((unsigned)hold);
    _exit(0);
}

/* Runs lt_input_stream("-") with a child process feeding fd 0 through a pipe. */
static int stream_stdin(const char *path, int hold, struct collect *c, lt_input_info *info, lt_error *err)
{
    int fds[2], saved = dup(0), status;
    assert_true(saved >= 0);
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        feed_and_exit(path, fds[1], hold);
    }
    close(fds[1]);
    assert_int_equal(dup2(fds[0], 0), 0);
    close(fds[0]);
    int rc = stream("-", c, info, err);
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
    if (hold > 0)
        kill(pid, SIGTERM);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return rc;
}

static void test_stdin_pipe(void **state)
{
    static const char *const names[] = {"snap.json", "snap.json.gz", "snap.tar.gz"};
    static const char *const formats[] = {"plain", "gzip", "tar.gz"};
    const struct env *e = *state;
    for (size_t i = 0; i < 3; i++) {
        char path[256];
        struct collect c = {0};
        lt_input_info info;
        lt_error err;
        path_in(e, names[i], path, sizeof path);
        int rc = stream_stdin(path, 0, &c, &info, &err);
        if (rc != 0)
            fail_msg("stdin %s: code %d: %s", names[i], rc, err.message);
        expect_bytes(&c, e->json, e->json_len);
        assert_string_equal(info.format, formats[i]);
        assert_int_equal(info.compressed_bytes, file_size(path));
        assert_int_equal(c.total, 0);
        free(c.buf);
    }
}

/* The writer keeps the pipe open: a failing sink must still return promptly
 * (the producer's blocked read notices the cancel flag). */
static void test_stdin_sink_error_while_writer_idles(void **state)
{
    const struct env *e = *state;
    char path[256];
    struct collect c = {.fail_at = 1};
    lt_input_info info;
    lt_error err;
    path_in(e, "snap.json", path, sizeof path);
    time_t start = time(NULL);
    assert_int_equal(stream_stdin(path, 30, &c, &info, &err), LT_ELIMIT);
    assert_true(time(NULL) - start < 10);
    assert_string_equal(info.format, "plain");
    free(c.buf);
}

static void test_stdin_tar_skip(void **state)
{
    const struct env *e = *state;
    char path[256];
    struct collect c = {0};
    lt_input_info info;
    lt_error err;
    path_in(e, "skip.tar", path, sizeof path);
    int rc = stream_stdin(path, 0, &c, &info, &err);
    if (rc != 0)
        fail_msg("stdin skip.tar: code %d: %s", rc, err.message);
    expect_bytes(&c, e->json, e->json_len);
    assert_string_equal(info.entry, "x.heapsnapshot");
    free(c.buf);
}

/* 7z needs seeking: from a pipe it fails with a hint to pass a file. */
static void test_stdin_7z(void **state)
{
    struct collect c = {0};
    lt_input_info info;
    lt_error err;
    (void)state;
    assert_int_equal(stream_stdin(LT_FIXTURES "/archive/small.7z", 0, &c, &info, &err), LT_EARCHIVE);
    assert_non_null(strstr(err.message, "(7z)"));
    assert_non_null(strstr(err.message, "regular file"));
    free(c.buf);
}

static void test_stdin_empty(void **state)
{
    struct collect c = {0};
    lt_input_info info;
    lt_error err;
    (void)state;
    assert_int_equal(stream_stdin("/dev/null", 0, &c, &info, &err), LT_EINPUT);
    assert_non_null(strstr(err.message, "standard input"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_gzip_multi),
        cmocka_unit_test(test_gzip_multi_small_first),
        cmocka_unit_test(test_gzip_zero_padding),
        cmocka_unit_test(test_zstd),
        cmocka_unit_test(test_xz),
        cmocka_unit_test(test_bzip2),
        cmocka_unit_test(test_lz4),
        cmocka_unit_test(test_zip),
        cmocka_unit_test(test_zip_readme_first),
        cmocka_unit_test(test_tar),
        cmocka_unit_test(test_tar_skips_big_entry),
        cmocka_unit_test(test_zip_ignores_macos_fork),
        cmocka_unit_test(test_tar_gz_nested),
        cmocka_unit_test(test_tar_xz),
        cmocka_unit_test(test_fixture_tar_bz2),
        cmocka_unit_test(test_fixture_7z),
        cmocka_unit_test(test_fixture_plain_small),
        cmocka_unit_test(test_gzip_truncated),
        cmocka_unit_test(test_gzip_corrupt),
        cmocka_unit_test(test_gzip_trailing_garbage),
        cmocka_unit_test(test_gzip_no_data),
        cmocka_unit_test(test_truncated_xz_zip),
        cmocka_unit_test(test_zip_without_snapshot),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_bad_usage),
        cmocka_unit_test(test_sink_error),
        cmocka_unit_test(test_progress_and_null_info),
        cmocka_unit_test(test_stdin_pipe),
        cmocka_unit_test(test_stdin_sink_error_while_writer_idles),
        cmocka_unit_test(test_stdin_tar_skip),
        cmocka_unit_test(test_stdin_7z),
        cmocka_unit_test(test_stdin_empty),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
