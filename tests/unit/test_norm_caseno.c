/*
 * test_norm_caseno.c - sj_norm_caseno: court case numbers with every bracket variant,
 * full-width digits and spaces, the court codes of the SPC, high, intermediate and basic
 * courts (最高法, 粤, 粤18, 粤1802, 兵, 内), case-type codes of the 2016/2018 standard, the
 * year range 1949..today+1 (SHUJIAN_TODAY is 2026-11-27 under meson test; the test sets it
 * itself too), and the prosecution's own numbers 清检刑诉〔2023〕12号.
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

#define STD "（2023）粤1802民初1234号"
#define STD_PARTS "year=2023;court=粤1802;type=民初;seq=1234"

static const struct tu_norm_case cases[] = {
    /* every bracket variant, full-width digits, spaces */
    {"（2023）粤1802民初1234号", STD, STD_PARTS},
    {"(2023)粤1802民初1234号", STD, STD_PARTS},
    {"〔2023〕粤1802民初1234号", STD, STD_PARTS},
    {"[2023]粤1802民初1234号", STD, STD_PARTS},
    {"【2023】粤1802民初1234号", STD, STD_PARTS},
    {"［2023］粤1802民初1234号", STD, STD_PARTS},
    {"﹝2023﹞粤1802民初1234号", STD, STD_PARTS},
    {"﹙2023﹚粤1802民初1234号", STD, STD_PARTS},
    {"(2023）粤1802民初1234号", STD, STD_PARTS},
    {"（２０２３）粤１８０２民初１２３４号", STD, STD_PARTS},
    {" ( 2023 ) 粤 1802 民初 1234 号 ", STD, STD_PARTS},
    {"（2023）\xe3\x80\x80粤1802民初1234号\xe3\x80\x80", STD, STD_PARTS},
    {"（2023）粤1802民初01234号", STD, STD_PARTS},
    {"（2023）粤1802民初1234", STD, STD_PARTS},
    {"（2023）粤1802民初第1234号", STD, STD_PARTS},
    {"2023粤1802民初1234号", STD, STD_PARTS},
    /* courts */
    {"（2019）最高法民终123号", "（2019）最高法民终123号",
     "year=2019;court=最高法;type=民终;seq=123"},
    {"（2023）粤民终5号", "（2023）粤民终5号", "year=2023;court=粤;type=民终;seq=5"},
    {"（2023）粤18民终5号", "（2023）粤18民终5号", "year=2023;court=粤18;type=民终;seq=5"},
    {"（2020）兵06民终1号", "（2020）兵06民终1号", "year=2020;court=兵06;type=民终;seq=1"},
    {"（2020）内01民初1号", "（2020）内01民初1号", "year=2020;court=内01;type=民初;seq=1"},
    {"（2016）京0105刑初99号", "（2016）京0105刑初99号", "year=2016;court=京0105;type=刑初;seq=99"},
    /* case types: longest match wins */
    {"（2021）粤0306执恢12号", "（2021）粤0306执恢12号", "year=2021;court=粤0306;type=执恢;seq=12"},
    {"（2021）粤0306执12号", "（2021）粤0306执12号", "year=2021;court=粤0306;type=执;seq=12"},
    {"（2022）京0105行审复3号", "（2022）京0105行审复3号",
     "year=2022;court=京0105;type=行审复;seq=3"},
    {"（2022）京0105民辖终3号", "（2022）京0105民辖终3号",
     "year=2022;court=京0105;type=民辖终;seq=3"},
    {"（2020）粤03破申1号", "（2020）粤03破申1号", "year=2020;court=粤03;type=破申;seq=1"},
    {"（2020）粤03破1号", "（2020）粤03破1号", "year=2020;court=粤03;type=破;seq=1"},
    {"（2023）沪73知民初164号", "（2023）沪73知民初164号",
     "year=2023;court=沪73;type=知民初;seq=164"},
    {"（2021）川0104民诉前调801号", "（2021）川0104民诉前调801号",
     "year=2021;court=川0104;type=民诉前调;seq=801"},
    {"（2020）最高法司救民1号", "（2020）最高法司救民1号",
     "year=2020;court=最高法;type=司救民;seq=1"},
    {"（2018）粤1802刑更12345号", "（2018）粤1802刑更12345号",
     "year=2018;court=粤1802;type=刑更;seq=12345"},
    {"（2019）最高法民终123号之一", "（2019）最高法民终123号之一",
     "year=2019;court=最高法;type=民终;seq=123"},
    /* years at the edges: today is 2026-11-27 */
    {"（1949）京民初1号", "（1949）京民初1号", "year=1949;court=京;type=民初;seq=1"},
    {"（2027）京民初1号", "（2027）京民初1号", "year=2027;court=京;type=民初;seq=1"},
    /* prosecution numbers */
    {"清检刑诉〔2023〕12号", "清检刑诉〔2023〕12号", "authority=清检;type=刑诉;year=2023;seq=12"},
    {"清检刑诉（2023）012号", "清检刑诉〔2023〕12号", "authority=清检;type=刑诉;year=2023;seq=12"},
    {"清城检刑不诉[2024]3", "清城检刑不诉〔2024〕3号",
     "authority=清城检;type=刑不诉;year=2024;seq=3"},
    /* rejected */
    {"", NULL, "案号为空"},
    {"（1948）粤1802民初1号", NULL, "案号年份应在1949至2027之间，实际为1948"},
    {"（2028）粤1802民初1号", NULL, "案号年份应在1949至2027之间，实际为2028"},
    {"（23）粤1802民初1号", NULL, "案号应以括号中的4位收案年度开头"},
    {"（20231）粤1802民初1号", NULL, "案号应以括号中的4位收案年度开头"},
    {"（2023粤1802民初1号", NULL, "案号年度的括号不完整"},
    {"2023）粤1802民初1号", NULL, "案号年度的括号不完整"},
    {"（2023）港1802民初1号", NULL, "无法识别的法院代字"},
    {"（2023）1802民初1号", NULL, "无法识别的法院代字"},
    {"（2023）粤180民初1号", NULL, "法院代字的数字部分应为2位或4位，实际为3位"},
    {"（2023）最高法01民终1号", NULL, "最高人民法院的代字“最高法”后不应有数字"},
    {"（2023）粤1802民甲1号", NULL, "无法识别的案件类型代字"},
    {"（2023）粤1802赔1号", NULL, "无法识别的案件类型代字"},
    {"（2023）粤1802民初号", NULL, "缺少案件编号"},
    {"（2023）粤1802民初0号", NULL, "案件编号不能为0"},
    {"（2023）粤1802民初123456789号", NULL, "案件编号过长（最多8位）"},
    {"（2023）粤1802民初1234号附件", NULL, "案号末尾有多余内容"},
    {"（2023）粤1802民初1234号之", NULL, "案号末尾有多余内容"},
    {"（2023）粤1802民初12a号", NULL, "案号末尾有多余内容"},
    {"清检刑诉〔1900〕12号", NULL, "案号年份应在1949至2027之间，实际为1900"},
    {"粤高法〔2023〕12号", NULL, "案号应以括号中的4位收案年度开头"},
    {"\xff", NULL, "案号应以括号中的4位收案年度开头"},
};

static const struct tu_norm_table caseno_norm = {
    .kind = SJ_KIND_CASENO, .fn = sj_norm_caseno, .number_keys = ";year;seq;"};

static void test_caseno_table(void **state)
{
    (void)state;
    sj_norm_set_today(2026, 11, 27);
    tu_norm_run(&caseno_norm, cases, SJ_ARRAY_LEN(cases));
}

/* Long inputs, ASCII or not, are rejected without overrunning a buffer. */
static void test_caseno_long_input(void **state)
{
    (void)state;
    tu_norm_long_input(&caseno_norm, '(', "内容过长，不是案号", "粤", "内容过长，不是案号");
}

/* The upper year bound follows "today". */
static void test_caseno_year_follows_today(void **state)
{
    (void)state;
    struct sj_norm_result r;
    sj_norm_set_today(2030, 1, 1);
    assert_true(sj_norm_caseno(sj_str_from_cstr("（2031）京民初1号"), &r));
    sj_norm_set_today(2026, 11, 27);
    assert_false(sj_norm_caseno(sj_str_from_cstr("（2031）京民初1号"), &r));
}

/* Round trip: the canonical value normalises to itself. */
static void test_caseno_canonical_is_fixed_point(void **state)
{
    (void)state;
    struct sj_norm_result r, again;
    sj_norm_set_today(2026, 11, 27);
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        if (!cases[i].value)
            continue;
        assert_true(sj_norm_caseno(sj_str_from_cstr(cases[i].in), &r));
        assert_true(sj_norm_caseno(sj_str_from_cstr(r.value), &again));
        assert_string_equal(again.value, r.value);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caseno_table),
        cmocka_unit_test(test_caseno_long_input),
        cmocka_unit_test(test_caseno_year_follows_today),
        cmocka_unit_test(test_caseno_canonical_is_fixed_point),
    };
    return cmocka_run_group_tests_name("norm_caseno", tests, NULL, NULL);
}
