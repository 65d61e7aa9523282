/*
 * test_norm_code.c - the code kind (编号): one record number typed in different ways
 * (full-width, spaces, lower case) has one canonical form; empty values are invalid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/norm.h"

static const struct {
    const char *input;
    const char *value; /* NULL when invalid */
} cases[] = {
    {"A4418202300012", "A4418202300012"},
    {"ａ４４１８２０２３０００１２", "A4418202300012"},
    {" a4418 2023 00012 ", "A4418202300012"},
    {"4418262022TD00027", "4418262022TD00027"},
    {"４４１８２６２０２２ｔｄ０００２７", "4418262022TD00027"},
    {"清公（刑）鉴字〔2023〕 15号", "清公(刑)鉴字〔2023〕15号"},
    {"", NULL},
    {"　 ", NULL},
};

static void test_table(void **state)
{
    (void)state;
    struct sj_norm_result r;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool ok = sj_norm(SJ_KIND_CODE, sj_str_from_cstr(cases[i].input), &r);
        assert_int_equal(r.kind, SJ_KIND_CODE);
        if (!cases[i].value) {
            if (ok)
                fail_msg("'%s' accepted as '%s'", cases[i].input, r.value);
            assert_true(r.reason[0] != '\0');
            continue;
        }
        if (!ok)
            fail_msg("'%s' rejected: %s", cases[i].input, r.reason);
        assert_string_equal(r.value, cases[i].value);
        /* canonical values are their own canonical form */
        struct sj_norm_result again;
        assert_true(sj_norm_code(sj_str_from_cstr(r.value), &again));
        assert_string_equal(again.value, r.value);
    }
}

static void test_kind_name(void **state)
{
    (void)state;
    enum sj_kind kind;
    assert_int_equal(sj_kind_parse("code", &kind), 0);
    assert_int_equal(kind, SJ_KIND_CODE);
    assert_string_equal(sj_kind_label(SJ_KIND_CODE), "编号");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_kind_name),
    };
    return cmocka_run_group_tests_name("norm_code", tests, NULL, NULL);
}
