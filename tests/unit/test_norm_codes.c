/*
 * test_norm_codes.c - sj_norm_creditcode (GB 32100-2015, MOD 31), sj_norm_orgcode
 * (GB 11714-1997, MOD 11) and sj_norm_bankcard (Luhn): valid codes in plain, lower-case,
 * spaced and full-width forms, wrong check characters with the exact reason, bad
 * characters and lengths. Check characters other than the worked example
 * 91350100M000100Y43 were computed with an independent Python snippet. Codes are
 * synthetic. One result is reused across all rows of a table.
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

static const struct tu_norm_case credit_cases[] = {
    {"91350100M000100Y43", "91350100M000100Y43",
     "authority=9;org_type=1;region_code=350100;org_code=M000100Y-4"},
    {"91350100m000100y43", "91350100M000100Y43",
     "authority=9;org_type=1;region_code=350100;org_code=M000100Y-4"},
    {" 9135 0100 M000 100Y 43 ", "91350100M000100Y43",
     "authority=9;org_type=1;region_code=350100;org_code=M000100Y-4"},
    {"９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43",
     "authority=9;org_type=1;region_code=350100;org_code=M000100Y-4"},
    {"91110000600037341L", "91110000600037341L",
     "authority=9;org_type=1;region_code=110000;org_code=60003734-1"},
    {"12100000400000000W", "12100000400000000W",
     "authority=1;org_type=2;region_code=100000;org_code=40000000-0"},
    {"31440300MA5D123453", "31440300MA5D123453",
     "authority=3;org_type=1;region_code=440300;org_code=MA5D1234-5"},
    {"91350100M000100Y44", NULL, "校验码应为3，实际为4"},
    {"91110000600037341M", NULL, "校验码应为L，实际为M"},
    {"91350100M000100I43", NULL, "第16位“I”不是有效字符（不含I、O、Z、S、V）"},
    {"91350100M000100Y4O", NULL, "第18位“O”不是有效字符（不含I、O、Z、S、V）"},
    {"9135010AM000100Y43", NULL, "第3-8位应为行政区划码（数字）"},
    {"91350100M000100Y4", NULL, "长度应为18位，实际为17位"},
    {"91350100M000100Y433", NULL, "长度应为18位，实际为19位"},
    {"", NULL, "统一社会信用代码为空"},
    {" - ", NULL, "统一社会信用代码为空"},
    {"91350100M000100Y4#", NULL, "统一社会信用代码含有无效字符"},
    {"代码91350100M000100Y43", NULL, "统一社会信用代码含有无效字符"},
};

static const struct tu_norm_case org_cases[] = {
    {"12345678-8", "12345678-8", ""},
    {"123456788", "12345678-8", ""},
    {"60003734-1", "60003734-1", ""},
    {"M0001004-9", "M0001004-9", ""},
    {"MA5ABCDE-5", "MA5ABCDE-5", ""},
    {"ma5abcde5", "MA5ABCDE-5", ""},
    {"00000000-0", "00000000-0", ""},
    {"40000000-X", "40000000-X", ""},
    {"40000000x", "40000000-X", ""},
    {"D2143569-X", "D2143569-X", ""},
    {"１２３４５６７８－８", "12345678-8", ""},
    {"12345678-9", NULL, "校验码应为8，实际为9"},
    {"40000000-0", NULL, "校验码应为X，实际为0"},
    {"00000000-X", NULL, "校验码应为0，实际为X"},
    {"1234567-8", NULL, "长度应为9位，实际为8位"},
    {"12345678-88", NULL, "长度应为9位，实际为10位"},
    {"", NULL, "组织机构代码为空"},
    {"12345678/8", NULL, "组织机构代码含有无效字符"},
};

static const struct tu_norm_case bank_cases[] = {
    {"6222021234567890128", "6222021234567890128", "length=19"},
    {"6222 0212 3456 7890 128", "6222021234567890128", "length=19"},
    {"6222-0212-3456-7890-128", "6222021234567890128", "length=19"},
    {"６２２２０２１２３４５６７８９０１２８", "6222021234567890128", "length=19"},
    {"4111111111111111", "4111111111111111", "length=16"},
    {"6217000000000000004", "6217000000000000004", "length=19"},
    {"123456789015", "123456789015", "length=12"},
    {"6222021234567890127", NULL, "卡号校验（Luhn）不通过"},
    {"4111111111111112", NULL, "卡号校验（Luhn）不通过"},
    {"12345678901", NULL, "长度应为12至19位，实际为11位"},
    {"62220212345678901281", NULL, "长度应为12至19位，实际为20位"},
    {"6222O21234567890128", NULL, "银行卡号只能由数字组成"},
    {"", NULL, "银行卡号为空"},
    {"6222_0212_3456_7890_128", NULL, "银行卡号含有无效字符"},
};

static void test_creditcode_table(void **state)
{
    (void)state;
    static const struct tu_norm_table credit = {.kind = SJ_KIND_CREDITCODE,
                                                .fn = sj_norm_creditcode};
    tu_norm_run(&credit, credit_cases, SJ_ARRAY_LEN(credit_cases));
}

static void test_orgcode_table(void **state)
{
    (void)state;
    static const struct tu_norm_table org = {.kind = SJ_KIND_ORGCODE, .fn = sj_norm_orgcode};
    tu_norm_run(&org, org_cases, SJ_ARRAY_LEN(org_cases));
}

/* The length of a card number is a JSON number. */
static void test_bankcard_table(void **state)
{
    (void)state;
    static const struct tu_norm_table bank = {
        .kind = SJ_KIND_BANKCARD, .fn = sj_norm_bankcard, .number_keys = ";length;"};
    tu_norm_run(&bank, bank_cases, SJ_ARRAY_LEN(bank_cases));
}

/* Every single-character change of the check position of a valid credit code is caught
 * with the right expected character. */
static void test_creditcode_single_check(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    struct sj_norm_result r;
    char code[19];
    for (size_t k = 0; k < sizeof alphabet - 1; k++) {
        memcpy(code, "91350100M000100Y43", 19);
        code[17] = alphabet[k];
        bool ok = sj_norm_creditcode(sj_str_from_cstr(code), &r);
        assert_int_equal(ok, alphabet[k] == '3');
        if (!ok) {
            char want[64];
            snprintf(want, sizeof want, "校验码应为3，实际为%c", alphabet[k]);
            assert_string_equal(r.reason, want);
        }
    }
}

/* Luhn catches every single-digit error and adjacent transposition of distinct digits
 * other than 09/90 in a valid card number. */
static void test_bankcard_single_errors(void **state)
{
    (void)state;
    const char *good = "6222021234567890128";
    struct sj_norm_result r;
    char num[20];
    for (int i = 0; i < 19; i++) {
        for (char d = '0'; d <= '9'; d++) {
            if (d == good[i])
                continue;
            memcpy(num, good, 20);
            num[i] = d;
            assert_false(sj_norm_bankcard(sj_str_from_cstr(num), &r));
        }
    }
    for (int i = 0; i + 1 < 19; i++) {
        char a = good[i], b = good[i + 1];
        if (a == b || (a == '0' && b == '9') || (a == '9' && b == '0'))
            continue;
        memcpy(num, good, 20);
        num[i] = b;
        num[i + 1] = a;
        assert_false(sj_norm_bankcard(sj_str_from_cstr(num), &r));
    }
}

/* Inputs are views: bytes past len must not matter. */
static void test_codes_view_not_terminated(void **state)
{
    (void)state;
    struct sj_norm_result r;
    const char credit[] = "91350100M000100Y43ZZZ";
    assert_true(sj_norm_creditcode(sj_str_make(credit, 18), &r));
    const char org[] = "12345678-8###";
    assert_true(sj_norm_orgcode(sj_str_make(org, 10), &r));
    assert_string_equal(r.value, "12345678-8");
    const char bank[] = "41111111111111119999";
    assert_true(sj_norm_bankcard(sj_str_make(bank, 16), &r));
    assert_false(sj_norm_bankcard(sj_str_make(NULL, 0), &r));
    assert_false(sj_norm_orgcode(sj_str_make(NULL, 0), &r));
    assert_false(sj_norm_creditcode(sj_str_make(NULL, 0), &r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_creditcode_table),
        cmocka_unit_test(test_orgcode_table),
        cmocka_unit_test(test_bankcard_table),
        cmocka_unit_test(test_creditcode_single_check),
        cmocka_unit_test(test_bankcard_single_errors),
        cmocka_unit_test(test_codes_view_not_terminated),
    };
    return cmocka_run_group_tests_name("norm_codes", tests, NULL, NULL);
}
