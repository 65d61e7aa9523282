/*
 * test_http_mhd.c - libmicrohttpd loaded at run time (src/http/mhd_load.c): the library is not
 * linked (not in the process before the first load), a missing library or one without the
 * functions gives SJ_ENOTFOUND naming the library and the Debian package instead of a crash,
 * and the real one yields a complete table that answers, loaded once per process.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/mhd_int.h"

/* Fails unless every pointer of api is set (or, with want_set false, every one is NULL). */
static void check_table(const struct sj_mhd *api, bool want_set)
{
#define CHECK(f) assert_true((api->f != NULL) == want_set)
    CHECK(start_daemon);
    CHECK(stop_daemon);
    CHECK(quiesce_daemon);
    CHECK(get_daemon_info);
    CHECK(is_feature_supported);
    CHECK(get_connection_values);
    CHECK(get_connection_info);
    CHECK(lookup_connection_value);
    CHECK(create_response_from_buffer);
    CHECK(add_response_header);
    CHECK(queue_response);
    CHECK(destroy_response);
#undef CHECK
    /* Twelve pointers of one size: a new member not checked here changes the size. */
    assert_int_equal(sizeof *api, 12 * sizeof api->stop_daemon);
}

/* Runs first: nothing has loaded the library yet, so it must not be linked. */
static void test_not_linked(void **state)
{
    (void)state;
    assert_null(dlopen(SJ_MHD_SONAME, RTLD_NOW | RTLD_NOLOAD));
}

static void test_missing_library(void **state)
{
    struct sj_err err = {0};
    struct sj_mhd api;
    (void)state;
    memset(&api, 0xA5, sizeof api);
    assert_int_equal(sj_mhd_open("libshujian-no-such-library.so.12", &api, &err), SJ_ENOTFOUND);
    assert_int_equal(err.code, SJ_ENOTFOUND);
    assert_non_null(strstr(err.message, "libshujian-no-such-library.so.12"));
    assert_non_null(strstr(err.message, SJ_MHD_PACKAGE));
    check_table(&api, false);
}

/* A library that loads but is not libmicrohttpd: the first missing function is named. */
static void test_library_without_functions(void **state)
{
    struct sj_err err = {0};
    struct sj_mhd api;
    (void)state;
    assert_int_equal(sj_mhd_open("libc.so.6", &api, &err), SJ_ENOTFOUND);
    assert_non_null(strstr(err.message, "MHD_start_daemon"));
    assert_non_null(strstr(err.message, SJ_MHD_PACKAGE));
    check_table(&api, false);
}

static void test_load(void **state)
{
    struct sj_err err = {0};
    (void)state;
    const struct sj_mhd *api = sj_mhd_load(&err);
    assert_non_null(api);
    assert_int_equal(err.code, 0);
    check_table(api, true);
    assert_ptr_equal(sj_mhd_load(NULL), api);
    void *lib = dlopen(SJ_MHD_SONAME, RTLD_NOW | RTLD_NOLOAD);
    assert_non_null(lib);
    dlclose(lib);
    /* The pointers reach the library's own functions: the answer matches the header's. */
    assert_int_equal(api->is_feature_supported(MHD_FEATURE_IPv6), MHD_YES);
    struct MHD_Response *r =
        api->create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_MUST_COPY);
    assert_non_null(r);
    assert_int_equal(api->add_response_header(r, "X-Test", "1"), MHD_YES);
    api->destroy_response(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_linked),
        cmocka_unit_test(test_missing_library),
        cmocka_unit_test(test_library_without_functions),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests_name("http_mhd", tests, NULL, NULL);
}
