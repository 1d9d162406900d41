/* snapshot_store (server/snapshot_store), the parts without a database: a data folder gets
 * one machine id, made once and read back by every later start; a snapshot is readable
 * here when it is a large object, a file of this machine or of a row naming none; a local
 * row's spool name resolves inside this machine's spool (an absolute path from before
 * migration 0011 as it is) and a name with a '/' in it is refused; the kinds parse. The
 * large-object paths run in tests/integration/scaleout.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snapshot_store.h"

static void a_data_folder_keeps_one_machine_id(void **state)
{
    (void)state;
    char dir[] = "/tmp/lt-store-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    lt_snapshot_store first, again;
    lt_error err;
    assert_int_equal(lt_snapshot_store_init(&first, LT_SNAPSHOT_STORE_POSTGRES, dir, &err), 0);
    assert_int_equal(strlen(first.machine_id), LT_SNAPSHOT_STORE_MACHINE_ID);
    assert_int_equal(lt_snapshot_store_init(&again, LT_SNAPSHOT_STORE_LOCAL, dir, &err), 0);
    assert_string_equal(first.machine_id, again.machine_id);
    snprintf(path, sizeof path, "%s/spool", dir);
    assert_string_equal(again.spool_dir, path);
    snprintf(path, sizeof path, "%s/machine-id", dir);
    FILE *f = fopen(path, "w");
    fputs("not an id\n", f);
    fclose(f);
    assert_int_equal(lt_snapshot_store_init(&again, LT_SNAPSHOT_STORE_LOCAL, dir, &err), LT_EIO);
    unlink(path);
    rmdir(dir);
}

static void readable_here_or_anywhere(void **state)
{
    (void)state;
    lt_snapshot_store here = {.kind = LT_SNAPSHOT_STORE_LOCAL, .spool_dir = "/d/spool", .machine_id = "aa"};
    const lt_snapshot_ref object = {.store = "postgres", .name = "x", .machine_id = "", .large_object = "7"},
                          mine = {.store = "local", .name = "x", .machine_id = "aa"},
                          theirs = {.store = "local", .name = "x", .machine_id = "bb"},
                          old = {.store = "local", .name = "/old/spool/x", .machine_id = ""};
    assert_true(lt_snapshot_store_readable(&here, &object));
    assert_true(lt_snapshot_store_readable(&here, &mine));
    assert_false(lt_snapshot_store_readable(&here, &theirs));
    assert_true(lt_snapshot_store_readable(&here, &old));
}

static void local_names_resolve_in_this_spool(void **state)
{
    (void)state;
    lt_snapshot_store here = {.kind = LT_SNAPSHOT_STORE_LOCAL, .spool_dir = "/d/spool", .machine_id = "aa"};
    lt_snapshot_file f;
    lt_error err;
    lt_snapshot_ref ref = {.store = "local", .name = "ab12", .machine_id = "aa"};
    assert_int_equal(lt_snapshot_store_open(&here, NULL, &ref, &f, &err), 0);
    assert_string_equal(f.path, "/d/spool/ab12");
    assert_false(f.fetched);
    ref.name = "/old/spool/ab12";
    assert_int_equal(lt_snapshot_store_open(&here, NULL, &ref, &f, &err), 0);
    assert_string_equal(f.path, "/old/spool/ab12");
    ref.name = "../ab12";
    assert_int_equal(lt_snapshot_store_open(&here, NULL, &ref, &f, &err), LT_EINPUT);
    lt_snapshot_store_close(&f);
}

static void kinds_parse(void **state)
{
    (void)state;
    lt_snapshot_store_kind kind;
    lt_error err;
    assert_int_equal(lt_snapshot_store_kind_parse("postgres", &kind, &err), 0);
    assert_int_equal(kind, LT_SNAPSHOT_STORE_POSTGRES);
    assert_string_equal(lt_snapshot_store_kind_name(kind), "postgres");
    assert_int_equal(lt_snapshot_store_kind_parse("s3", &kind, &err), LT_EUSAGE);
    assert_int_equal(lt_snapshot_store_kind_parse(NULL, &kind, &err), LT_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_data_folder_keeps_one_machine_id),
        cmocka_unit_test(readable_here_or_anywhere),
        cmocka_unit_test(local_names_resolve_in_this_spool),
        cmocka_unit_test(kinds_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
