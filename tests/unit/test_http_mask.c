/*
 * test_http_mask.c - unit tests of the answer masking (src/http/mask.c), table-driven:
 * a JSON answer in, the masked JSON and the number of changed strings out. Covers the
 * member names that say what a value is (API names and Chinese column headers), digit runs
 * in free text, identifier members left alone, arrays judged by their member name, and the
 * dry run that only counts. ID numbers here are synthetic with valid check digits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/http.h"

static const struct {
    const char *in;
    const char *want;
    size_t changed;
} cases[] = {
    /* Member names that say what the value is. */
    {"{\"id_number\":\"11010519491231002X\"}", "{\"id_number\":\"110105********002X\"}", 1},
    {"{\"phone\":\"13800138000\"}", "{\"phone\":\"138****8000\"}", 1},
    {"{\"bank_card\":\"6222020200112233445\"}", "{\"bank_card\":\"622202*********3445\"}", 1},
    {"{\"person_name\":\"张三丰\"}", "{\"person_name\":\"张**\"}", 1},
    {"{\"subject_person_name\":\"李四\"}", "{\"subject_person_name\":\"李*\"}", 1},
    {"{\"姓名\":\"王五\",\"身份证号\":\"11010519491231002X\"}",
     "{\"姓名\":\"王*\",\"身份证号\":\"110105********002X\"}", 2},
    {"{\"对方户名\":\"赵六\",\"手机号\":\"13900139000\"}",
     "{\"对方户名\":\"赵*\",\"手机号\":\"139****9000\"}", 2},
    /* Free text: digit runs that look like personal numbers. */
    {"{\"note\":\"嫌疑人11010519491231002X，电话13800138000\"}",
     "{\"note\":\"嫌疑人110105********002X，电话138****8000\"}", 1},
    {"{\"display_name\":\"张三13800138000\"}", "{\"display_name\":\"张三138****8000\"}", 1},
    {"{\"message\":\"卡号6222020200112233445\"}", "{\"message\":\"卡号622202*********3445\"}", 1},
    {"{\"note\":\"2026年共12起，金额 20000 元\"}", "{\"note\":\"2026年共12起，金额 20000 元\"}", 0},
    {"{\"name\":\"清远市人民检察院\"}", "{\"name\":\"清远市人民检察院\"}", 0},
    /* Identifiers are never touched. */
    {"{\"csrf_token\":\"a13800138000123456789012345678901234567890b\"}",
     "{\"csrf_token\":\"a13800138000123456789012345678901234567890b\"}", 0},
    {"{\"lead_id\":\"13800138000\",\"code\":\"13800138000\",\"created_at\":\"13800138000\"}",
     "{\"lead_id\":\"13800138000\",\"code\":\"13800138000\",\"created_at\":\"13800138000\"}", 0},
    {"{\"username\":\"u13800138000\"}", "{\"username\":\"u13800138000\"}", 0},
    /* Numbers are not strings; arrays take their member's name; nesting. */
    {"{\"phone\":13800138000}", "{\"phone\":13800138000}", 0},
    {"{\"phones\":[\"13800138000\"],\"phone\":[\"13900139000\",\"\"]}",
     "{\"phones\":[\"138****8000\"],\"phone\":[\"139****9000\",\"\"]}", 2},
    {"{\"a\":{\"b\":[{\"姓名\":\"孙七\"}]}}", "{\"a\":{\"b\":[{\"姓名\":\"孙*\"}]}}", 1},
    {"[\"13800138000\",\"x\"]", "[\"138****8000\",\"x\"]", 1},
    {"{}", "{}", 0},
};

static void test_mask_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        json_t *in = json_loads(cases[i].in, JSON_DECODE_ANY, NULL);
        json_t *want = json_loads(cases[i].want, JSON_DECODE_ANY, NULL);
        assert_non_null(in);
        assert_non_null(want);
        json_t *copy = json_deep_copy(in);
        size_t dry = sj_http_mask_json(copy, true);
        if (!json_equal(copy, in))
            fail_msg("case %zu: the dry run changed the document", i);
        size_t changed = sj_http_mask_json(in, false);
        if (!json_equal(in, want) || changed != cases[i].changed || dry != changed) {
            char *got = json_dumps(in, JSON_COMPACT);
            fail_msg("case %zu: got %s (%zu changed, dry %zu), want %s (%zu)", i, got, changed, dry,
                     cases[i].want, cases[i].changed);
        }
        /* Masking what is masked changes nothing more. */
        assert_int_equal(sj_http_mask_json(in, false), 0);
        json_decref(copy);
        json_decref(in);
        json_decref(want);
    }
    assert_int_equal(sj_http_mask_json(NULL, false), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_table),
    };
    return cmocka_run_group_tests_name("http_mask", tests, NULL, NULL);
}
