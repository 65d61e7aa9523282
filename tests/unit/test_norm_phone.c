/*
 * test_norm_phone.c - sj_norm_phone: mobiles with every prefix form (+86, 0086, 86, (+86)),
 * full-width digits and separators; landlines with 3- and 4-digit area codes, brackets,
 * 7- and 8-digit local numbers, the international form without the trunk 0, extensions;
 * and the Chinese reasons for what is rejected. Numbers are synthetic (138 0013 8000 style).
 * One result is reused across all rows, so stale fields from a previous row would show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/norm.h"
#include "test_util.h"

static const struct tu_norm_case cases[] = {
    /* mobiles */
    {"13800138000", "13800138000", "type=mobile"},
    {"138 0013 8000", "13800138000", "type=mobile"},
    {"138-0013-8000", "13800138000", "type=mobile"},
    {"138.0013.8000", "13800138000", "type=mobile"},
    {"+86 138 0013 8000", "13800138000", "type=mobile"},
    {"+8613800138000", "13800138000", "type=mobile"},
    {"+86-138-0013-8000", "13800138000", "type=mobile"},
    {"0086 13800138000", "13800138000", "type=mobile"},
    {"008613800138000", "13800138000", "type=mobile"},
    {"8613800138000", "13800138000", "type=mobile"},
    {"(+86)13800138000", "13800138000", "type=mobile"},
    {"（+86）138 0013 8000", "13800138000", "type=mobile"},
    {"＋８６ １３８００１３８０００", "13800138000", "type=mobile"},
    {"１３８００１３８０００", "13800138000", "type=mobile"},
    {"１３８－００１３－８０００", "13800138000", "type=mobile"},
    {"  13800138000\xe3\x80\x80", "13800138000", "type=mobile"},
    {"\xc2\xa0"
     "13800138000\t",
     "13800138000", "type=mobile"},
    {"16612345678", "16612345678", "type=mobile"},
    {"19912345678", "19912345678", "type=mobile"},
    {"14712345678", "14712345678", "type=mobile"},
    /* landlines */
    {"010-12345678", "010-12345678", "type=landline;area_code=010"},
    {"01012345678", "010-12345678", "type=landline;area_code=010"},
    {"010 1234 5678", "010-12345678", "type=landline;area_code=010"},
    {"0755 8888 8888", "0755-88888888", "type=landline;area_code=0755"},
    {"0755-88888888", "0755-88888888", "type=landline;area_code=0755"},
    {"(020)12345678", "020-12345678", "type=landline;area_code=020"},
    {"（020）12345678", "020-12345678", "type=landline;area_code=020"},
    {"(0763) 3123456", "0763-3123456", "type=landline;area_code=0763"},
    {"020-1234567", "020-1234567", "type=landline;area_code=020"},
    {"0755-8888888", "0755-8888888", "type=landline;area_code=0755"},
    {"０２０－１２３４５６７８", "020-12345678", "type=landline;area_code=020"},
    {"010—12345678", "010-12345678", "type=landline;area_code=010"},
    {"+86 10 12345678", "010-12345678", "type=landline;area_code=010"},
    {"+86 755 8888 8888", "0755-88888888", "type=landline;area_code=0755"},
    {"+86 (0)755 8888 8888", "0755-88888888", "type=landline;area_code=0755"},
    {"0086 20 12345678", "020-12345678", "type=landline;area_code=020"},
    /* extensions */
    {"010-12345678转123", "010-12345678", "type=landline;area_code=010;extension=123"},
    {"010-12345678 转 8001", "010-12345678", "type=landline;area_code=010;extension=8001"},
    {"0755-88888888 ext 123", "0755-88888888", "type=landline;area_code=0755;extension=123"},
    {"0755-88888888 EXT.123", "0755-88888888", "type=landline;area_code=0755;extension=123"},
    {"0755-88888888分机123", "0755-88888888", "type=landline;area_code=0755;extension=123"},
    {"010-12345678-123", "010-12345678", "type=landline;area_code=010;extension=123"},
    {"0755-8888-8888-12", "0755-88888888", "type=landline;area_code=0755;extension=12"},
    /* rejected */
    {"", NULL, "电话号码为空"},
    {"   ", NULL, "电话号码为空"},
    {"1380013800", NULL, "手机号应为11位，实际为10位"},
    {"138001380001", NULL, "手机号应为11位，实际为12位"},
    {"+86 138001380", NULL, "手机号应为11位，实际为9位"},
    {"12345678901", NULL, "号段不存在：123"},
    {"14012345678", NULL, "号段不存在：140"},
    {"15412345678", NULL, "号段不存在：154"},
    {"16012345678", NULL, "号段不存在：160"},
    {"19412345678", NULL, "号段不存在：194"},
    {"12345678", NULL, "固定电话应带区号"},
    {"1234567", NULL, "固定电话应带区号"},
    {"0755-888888", NULL, "固定电话号码（不含区号）应为7至8位，实际为6位"},
    {"0755-888888888", NULL, "固定电话号码（不含区号）应为7至8位，实际为9位"},
    {"020-1234567-89", NULL, "固定电话号码（不含区号）应为7至8位，实际为9位"},
    {"010-02345678", NULL, "区号后的号码不应以0开头"},
    {"01112345678", NULL, "区号不存在：0111"},
    {"+1 212 555 0100", NULL, "仅支持中国大陆电话号码"},
    {"00852 2123 4567", NULL, "仅支持中国大陆电话号码"},
    {"13800138000转123", NULL, "手机号不能带分机号"},
    {"13800138000/13900139000", NULL, "无法识别的电话号码"},
    {"tel 13800138000", NULL, "无法识别的电话号码"},
    {"138 0013 800O", NULL, "无法识别的电话号码"},
    {"+86", NULL, "无法识别的电话号码"},
    {"1+3800138000", NULL, "无法识别的电话号码"},
    {"010-12345678转", NULL, "无法识别的电话号码"},
    {"010-12345678转1234567", NULL, "无法识别的电话号码"},
    {"400-800-8888", NULL, "无法识别的电话号码"},
    {"\xff\xfe", NULL, "无法识别的电话号码"},
};

static const struct tu_norm_table phone_norm = {.kind = SJ_KIND_PHONE, .fn = sj_norm_phone};

static void test_phone_table(void **state)
{
    (void)state;
    tu_norm_run(&phone_norm, cases, SJ_ARRAY_LEN(cases));
}

/* The input is a view, not a C string: bytes past len must not be read or matter. */
static void test_phone_view_not_terminated(void **state)
{
    (void)state;
    struct sj_norm_result r;
    const char text[] = "13800138000999";
    assert_true(sj_norm_phone(sj_str_make(text, 11), &r));
    assert_string_equal(r.value, "13800138000");
    assert_false(sj_norm_phone(sj_str_make(text, 10), &r));
    assert_string_equal(r.reason, "手机号应为11位，实际为10位");
    assert_false(sj_norm_phone(sj_str_make(NULL, 0), &r));
    tu_norm_long_input(&phone_norm, '1', NULL, "１", "内容过长，不是电话号码");
}

/* Every allocated mobile block is accepted and every other 1xx block rejected. */
static void test_phone_blocks(void **state)
{
    (void)state;
    static const char *const open_blocks[] = {"145", "146", "147", "148", "149", "162",
                                              "165", "166", "167", "170", "171", "173",
                                              "178", "190", "192", "195", "198", "199"};
    static const char *const closed[] = {"100", "110", "120", "140", "141", "144",
                                         "154", "161", "163", "168", "169", "179"};
    struct sj_norm_result r;
    char num[16];
    for (int b = 130; b <= 139; b++) {
        snprintf(num, sizeof num, "%d00001111", b);
        assert_true(sj_norm_phone(sj_str_from_cstr(num), &r));
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(open_blocks); i++) {
        snprintf(num, sizeof num, "%s00001111", open_blocks[i]);
        if (!sj_norm_phone(sj_str_from_cstr(num), &r))
            fail_msg("%s rejected: %s", num, r.reason);
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(closed); i++) {
        snprintf(num, sizeof num, "%s00001111", closed[i]);
        if (sj_norm_phone(sj_str_from_cstr(num), &r))
            fail_msg("%s accepted", num);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_table),
        cmocka_unit_test(test_phone_view_not_terminated),
        cmocka_unit_test(test_phone_blocks),
    };
    return cmocka_run_group_tests_name("norm_phone", tests, NULL, NULL);
}
