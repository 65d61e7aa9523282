/*
 * test_norm_number.c - sj_norm_integer and sj_norm_number: signs, thousands separators,
 * full-width digits, fractions and exponents as spreadsheets print them, the int64_t
 * limits, and the Chinese reasons for what is rejected. The canonical number is the
 * shortest exact decimal; a round trip through it must not change it.
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

static const struct tu_norm_case number_cases[] = {
    {"0", "0", NULL},
    {"-0.0", "0", NULL},
    {"+3", "3", NULL},
    {"−3", "-3", NULL},
    {"00012", "12", NULL},
    {"1,234.500", "1234.5", NULL},
    {"-1,234", "-1234", NULL},
    {"1,234,567.25", "1234567.25", NULL},
    {".5", "0.5", NULL},
    {"-.5", "-0.5", NULL},
    {"5.", "5", NULL},
    {"0.000", "0", NULL},
    {"0.0015", "0.0015", NULL},
    {"1.2E+07", "12000000", NULL},
    {"1.5e-3", "0.0015", NULL},
    {"-2.5E2", "-250", NULL},
    {"1e0", "1", NULL},
    {"12345678901234567890.123456789", "12345678901234567890.123456789", NULL},
    {"１２３．４", "123.4", NULL},
    {"１，２３４", "1234", NULL},
    {"\xe3\x80\x80 42 \t", "42", NULL},
    {"", NULL, "数值为空"},
    {"abc", NULL, "无法识别的数值"},
    {"1e", NULL, "无法识别的数值"},
    {"1.2.3", NULL, "无法识别的数值"},
    {"--1", NULL, "无法识别的数值"},
    {".", NULL, "无法识别的数值"},
    {"-", NULL, "无法识别的数值"},
    {"1 234", NULL, "无法识别的数值"},
    {"12%", NULL, "无法识别的数值"},
    {"0x10", NULL, "无法识别的数值"},
    {"1,2", NULL, "千分位分隔符位置不对"},
    {"1234,567", NULL, "千分位分隔符位置不对"},
    {"1e9999", NULL, "数值位数过多"},
    {"1e99999999999", NULL, "数值位数过多"},
    {"1E-300", NULL, "数值位数过多"},
};

static const struct tu_norm_case integer_cases[] = {
    {"12", "12", NULL},
    {"-12", "-12", NULL},
    {"12.00", "12", NULL},
    {"1.2E+07", "12000000", NULL},
    {"1,234,567", "1234567", NULL},
    {"-0", "0", NULL},
    {"007", "7", NULL},
    {"１２３", "123", NULL},
    {"9223372036854775807", "9223372036854775807", NULL},
    {"-9223372036854775808", "-9223372036854775808", NULL},
    {"1e18", "1000000000000000000", NULL},
    {"", NULL, "整数为空"},
    {"12.5", NULL, "不是整数（有小数部分）"},
    {"1.5e-3", NULL, "不是整数（有小数部分）"},
    {"9223372036854775808", NULL, "整数超出范围"},
    {"-9223372036854775809", NULL, "整数超出范围"},
    {"1e19", NULL, "整数超出范围"},
    {"99999999999999999999999", NULL, "整数超出范围"},
    {"abc", NULL, "无法识别的整数"},
    {"1,23", NULL, "千分位分隔符位置不对"},
};

/* A valid number is a JSON number without parts; out->number holds an integer's value and
 * stays 0 for a decimal number. */
static void check_integer_number(const struct tu_norm_case *c, const struct sj_norm_result *r)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)r->number);
    assert_string_equal(buf, c->value);
}

static void check_no_number(const struct tu_norm_case *c, const struct sj_norm_result *r)
{
    (void)c;
    assert_int_equal(r->number, 0);
}

static void test_number_table(void **state)
{
    (void)state;
    static const struct tu_norm_table number = {.kind = SJ_KIND_NUMBER,
                                                .fn = sj_norm_number,
                                                .value_is_number = true,
                                                .check_row = check_no_number};
    tu_norm_run(&number, number_cases, SJ_ARRAY_LEN(number_cases));
}

static void test_integer_table(void **state)
{
    (void)state;
    static const struct tu_norm_table integer = {.kind = SJ_KIND_INTEGER,
                                                 .fn = sj_norm_integer,
                                                 .value_is_number = true,
                                                 .check_row = check_integer_number};
    tu_norm_run(&integer, integer_cases, SJ_ARRAY_LEN(integer_cases));
}

/* Scaling by powers of ten moves the point and never changes the digits; the canonical
 * form normalises to itself. */
static void test_number_scaling(void **state)
{
    (void)state;
    struct sj_norm_result r, again;
    char in[64], want[160];
    for (int e = -40; e <= 40; e++) {
        snprintf(in, sizeof in, "120.0450e%d", e);
        assert_true(sj_norm_number(sj_str_from_cstr(in), &r));
        /* 1.20045 x 10^(e+2): write the digits 120045 with the point after e+3 of them */
        const char *digits = "120045";
        int point = e + 3, len = 6;
        char *w = want;
        if (point <= 0) {
            w += sprintf(w, "0.");
            for (int i = 0; i < -point; i++)
                *w++ = '0';
        }
        for (int i = 0; i < (point > len ? point : len); i++) {
            if (i == point && point > 0)
                *w++ = '.';
            *w++ = i < len ? digits[i] : '0';
        }
        *w = '\0';
        if (strcmp(r.value, want) != 0)
            fail_msg("%s: expected %s, got %s", in, want, r.value);
        assert_true(sj_norm_number(sj_str_make(r.value, r.value_len), &again));
        assert_string_equal(again.value, r.value);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_table),
        cmocka_unit_test(test_integer_table),
        cmocka_unit_test(test_number_scaling),
    };
    return cmocka_run_group_tests_name("norm_number", tests, NULL, NULL);
}
