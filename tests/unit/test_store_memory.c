/*
 * test_store_memory.c - the memory cap of one-shot scans (sj_store_limit_memory,
 * sj_store_scan_fast, sj_store_scan_on_disk), in a process of its own because the cap is
 * set before SQLite's first connection and holds for the whole process: under the cap a
 * query whose temporary table would outgrow it fails with SJ_ENOMEM while that table is
 * kept in memory, and succeeds once it goes to temporary files again; with temporary files
 * from the start it never hits the cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/store.h"
#include "test_util.h"

#define CAP_BYTES ((int64_t)16 << 20)

/* 300,000 different 100-character keys: about 30 MB in a DISTINCT's temporary index, about
 * twice the cap. */
static const char distinct_keys[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) "
    "SELECT count(*) FROM (SELECT DISTINCT printf('%0100d', i) FROM n)";

static void test_cap_then_temporary_files(void **state)
{
    struct tu_workspace *w = *state;
    struct sj_err err;
    long long value;
    /* the default, temporary files: the cap is never reached */
    assert_int_equal(tu_plan_value(w->store, distinct_keys, &value, &err), 0);
    assert_int_equal(value, 300000);
    /* in memory: the temporary index outgrows the cap; the error says so */
    assert_int_equal(sj_store_scan_fast(w->store, &err), 0);
    assert_int_equal(tu_plan_value(w->store, distinct_keys, &value, &err), SJ_ENOMEM);
    assert_non_null(strstr(err.message, "内存不足"));
    /* the connection is still usable, and back on temporary files the query runs */
    assert_int_equal(tu_plan_value(w->store, "SELECT 41 + 1", &value, &err), 0);
    assert_int_equal(value, 42);
    assert_int_equal(sj_store_scan_on_disk(w->store, &err), 0);
    assert_int_equal(tu_plan_value(w->store, distinct_keys, &value, &err), 0);
    assert_int_equal(value, 300000);
}

int main(void)
{
    sj_store_limit_memory(CAP_BYTES); /* before the first connection of this process */
    const struct CMUnitTest tests[] = {
        TU_WORKSPACE_TEST(test_cap_then_temporary_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
