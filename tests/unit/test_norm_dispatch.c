/*
 * test_norm_dispatch.c - unit tests of src/norm/dispatch.c: sj_norm routes each kind to its
 * parser, sj_norm_detect picks the most specific kind in its documented order, and
 * sj_norm_mask masks identifiers for display. All personal data here is synthetic: ID
 * numbers, credit codes and card numbers carry check digits computed for these tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/norm.h"

/* ---- sj_norm ----------------------------------------------------------------------------- */

typedef bool (*norm_fn)(struct sj_str, struct sj_norm_result *);

static const struct {
    enum sj_kind kind;
    norm_fn fn;
    const char *in;
} route_cases[] = {
    {SJ_KIND_TEXT, sj_norm_text, " 备注 "},
    {SJ_KIND_IDCARD, sj_norm_idcard, "11010519491231002X"},
    {SJ_KIND_IDCARD, sj_norm_idcard, "110105194912310021"},
    {SJ_KIND_NAME, sj_norm_name, "张三"},
    {SJ_KIND_PHONE, sj_norm_phone, "138 0013 8000"},
    {SJ_KIND_DATE, sj_norm_date, "2023年1月2日"},
    {SJ_KIND_DATETIME, sj_norm_datetime, "2023-01-02 12:30"},
    {SJ_KIND_AMOUNT, sj_norm_amount, "¥1,234.56"},
    {SJ_KIND_CASENO, sj_norm_caseno, "(2023)粤1802民初1234号"},
    {SJ_KIND_CREDITCODE, sj_norm_creditcode, "91110108MA01ABCD5T"},
    {SJ_KIND_ORGCODE, sj_norm_orgcode, "MA01ABCD-5"},
    {SJ_KIND_BANKCARD, sj_norm_bankcard, "6222 0202 0000 0005"},
    {SJ_KIND_PLATE, sj_norm_plate, "粤B12345"},
    {SJ_KIND_INTEGER, sj_norm_integer, "1,234"},
    {SJ_KIND_NUMBER, sj_norm_number, "3.14"},
};

static void test_norm_routes_by_kind(void **state)
{
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(route_cases); i++) {
        struct sj_norm_result got, want;
        struct sj_str in = sj_str_from_cstr(route_cases[i].in);
        bool is_valid = sj_norm(route_cases[i].kind, in, &got);
        route_cases[i].fn(in, &want);
        if (got.kind != route_cases[i].kind || is_valid != want.is_valid ||
            strcmp(got.value, want.value) != 0 || strcmp(got.reason, want.reason) != 0)
            fail_msg("%s(%s): got kind %s \"%s\", want \"%s\"", sj_kind_name(route_cases[i].kind),
                     route_cases[i].in, sj_kind_name(got.kind), got.value, want.value);
    }
}

static void test_norm_unknown_kind(void **state)
{
    (void)state;
    struct sj_norm_result r;
    assert_false(sj_norm(SJ_KIND_COUNT, SJ_STR_LIT("x"), &r));
    assert_false(r.is_valid);
    assert_string_equal(r.value, "");
    assert_true(r.reason[0] != '\0');
    assert_false(sj_norm((enum sj_kind)99, SJ_STR_LIT("x"), &r));
}

/* ---- sj_norm_detect ---------------------------------------------------------------------- */

static const struct {
    const char *in;
    enum sj_kind want;
    const char *value; /* NULL: not checked */
} detect_cases[] = {
    {"11010519491231002X", SJ_KIND_IDCARD, "11010519491231002X"},
    {"11010519491231002x", SJ_KIND_IDCARD, "11010519491231002X"},
    {"１１０１０５１９４９１２３１００２Ｘ", SJ_KIND_IDCARD, "11010519491231002X"},
    {"110105491231002", SJ_KIND_IDCARD, "11010519491231002X"},
    {"91110108MA01ABCD5T", SJ_KIND_CREDITCODE, "91110108MA01ABCD5T"},
    {"MA01ABCD-5", SJ_KIND_ORGCODE, NULL},
    {"12345678-8", SJ_KIND_ORGCODE, NULL},
    {"（2023）粤1802民初1234号", SJ_KIND_CASENO, "（2023）粤1802民初1234号"},
    {"〔2023〕粤1802民初1234号", SJ_KIND_CASENO, "（2023）粤1802民初1234号"},
    {"6222020200000005", SJ_KIND_BANKCARD, "6222020200000005"},
    {"6217 0000 0000 0000 004", SJ_KIND_BANKCARD, "6217000000000000004"},
    {"13800138000", SJ_KIND_PHONE, "13800138000"},
    {"+86 138-0013-8000", SJ_KIND_PHONE, "13800138000"},
    {"8613800138002", SJ_KIND_PHONE, "13800138002"}, /* Luhn-valid, yet a phone */
    {"010-12345678", SJ_KIND_PHONE, NULL},
    {"粤B12345", SJ_KIND_PLATE, "粤B12345"},
    {"2023-01-02", SJ_KIND_DATE, "2023-01-02"},
    {"2023年1月2日", SJ_KIND_DATE, "2023-01-02"},
    {"二〇二三年一月二日", SJ_KIND_DATE, "2023-01-02"},
    {"20230102", SJ_KIND_DATE, "2023-01-02"},
    {"2023-01-02 00:00:00", SJ_KIND_DATE, "2023-01-02"},
    {"2023-01-02 12:30:45", SJ_KIND_DATETIME, "2023-01-02 12:30:45"},
    {"¥1,234.56", SJ_KIND_AMOUNT, "123456"},
    {"人民币壹万贰仟叁佰肆拾伍元陆角柒分", SJ_KIND_AMOUNT, "1234567"},
    {"12.5万元", SJ_KIND_AMOUNT, "12500000"},
    {"12345", SJ_KIND_INTEGER, "12345"},
    {"45000", SJ_KIND_INTEGER, "45000"}, /* not an Excel date serial */
    {"-42", SJ_KIND_INTEGER, "-42"},
    {"3.14", SJ_KIND_NUMBER, NULL},
    {"张三", SJ_KIND_NAME, "张三"},
    {"阿卜杜·买买提", SJ_KIND_NAME, NULL},
    {"007", SJ_KIND_TEXT, "007"},             /* a code, not a count */
    {"1234567890123456", SJ_KIND_TEXT, NULL}, /* fails Luhn; too long to count */
    {"2023-02-29", SJ_KIND_TEXT, NULL},       /* not a date that exists */
    {"12:30", SJ_KIND_TEXT, NULL},
    {"hello world", SJ_KIND_TEXT, "hello world"},
    {"见附件说明", SJ_KIND_TEXT, NULL}, /* five ideographs: more than a name */
    {"被告人对指控的事实无异议", SJ_KIND_TEXT, NULL},
};

/* Checks one row; returns a description of what is wrong, or NULL. */
static const char *detect_row_error(size_t i, char *why, size_t size)
{
    struct sj_norm_result r, direct, via_auto;
    struct sj_str in = sj_str_from_cstr(detect_cases[i].in);
    enum sj_kind kind = sj_norm_detect(in, &r);
    if (kind != detect_cases[i].want || r.kind != kind ||
        (detect_cases[i].want != SJ_KIND_TEXT && !r.is_valid)) {
        snprintf(why, size, "got %s (result kind %s, valid %d: %s), want %s", sj_kind_name(kind),
                 sj_kind_name(r.kind), r.is_valid, r.reason, sj_kind_name(detect_cases[i].want));
        return why;
    }
    if (detect_cases[i].value && strcmp(r.value, detect_cases[i].value) != 0) {
        snprintf(why, size, "value \"%s\", want \"%s\"", r.value, detect_cases[i].value);
        return why;
    }
    /* The result is what normalising as the detected kind gives, and sj_norm(auto) is the
     * same as sj_norm_detect. */
    sj_norm(kind, in, &direct);
    sj_norm(SJ_KIND_AUTO, in, &via_auto);
    if (strcmp(direct.value, r.value) != 0 || direct.is_valid != r.is_valid ||
        via_auto.kind != kind || strcmp(via_auto.value, r.value) != 0) {
        snprintf(why, size, "disagrees with sj_norm(%s) or sj_norm(auto)", sj_kind_name(kind));
        return why;
    }
    return NULL;
}

static void test_detect_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < SJ_ARRAY_LEN(detect_cases); i++) {
        char why[512];
        if (detect_row_error(i, why, sizeof why)) {
            print_error("detect(%s): %s\n", detect_cases[i].in, why);
            failures++;
        }
    }
    if (failures)
        fail_msg("%d of %zu rows wrong", failures, SJ_ARRAY_LEN(detect_cases));
}

static void test_detect_edges(void **state)
{
    (void)state;
    struct sj_norm_result r;
    assert_int_equal(sj_norm_detect(SJ_STR_LIT(""), &r), SJ_KIND_TEXT);
    assert_int_equal(sj_norm_detect(SJ_STR_LIT("   "), &r), SJ_KIND_TEXT);
    assert_int_equal(sj_norm_detect(SJ_STR_LIT("\xFF\xFE"), &r), SJ_KIND_TEXT);
    /* Far longer than any identifier: text, without reading past the view. */
    char big[2000];
    memset(big, '1', sizeof big);
    assert_int_equal(sj_norm_detect(sj_str_make(big, sizeof big), &r), SJ_KIND_TEXT);
    /* Only len bytes count: the tail "X" is not part of the ID number's view. */
    assert_int_equal(sj_norm_detect(sj_str_make("11010519491231002X", 17), &r), SJ_KIND_TEXT);
}

/* ---- sj_norm_mask ------------------------------------------------------------------------ */

static const struct {
    enum sj_kind kind;
    const char *value, *want;
} mask_cases[] = {
    {SJ_KIND_IDCARD, "11010519491231002X", "110105********002X"},
    {SJ_KIND_IDCARD, "441802199001011239", "441802********1239"},
    {SJ_KIND_IDCARD, "1234", "****"}, /* too short to keep anything */
    {SJ_KIND_PARTYID, "11010519491231002X", "110105********002X"}, /* a person */
    {SJ_KIND_PARTYID, "91350100M000100Y43", "91350100M000100Y43"}, /* a company: public */
    {SJ_KIND_PHONE, "13800138000", "138****8000"},
    {SJ_KIND_PHONE, "0755-88888888", "0755-****8888"},
    {SJ_KIND_PHONE, "010-1234567", "010-***4567"},
    {SJ_KIND_BANKCARD, "6222020200000005", "622202******0005"},
    {SJ_KIND_BANKCARD, "6217000000000000004", "621700*********0004"},
    {SJ_KIND_NAME, "张三", "张*"},
    {SJ_KIND_NAME, "欧阳娜娜", "欧***"},
    {SJ_KIND_NAME, "阿卜杜·买买提", "阿******"},
    {SJ_KIND_NAME, "张", "*"},
    {SJ_KIND_NAME, "", ""},
    {SJ_KIND_TEXT, "备注", "备注"},
    {SJ_KIND_AMOUNT, "1234567", "1234567"},
    {SJ_KIND_CASENO, "（2023）粤1802民初1234号", "（2023）粤1802民初1234号"},
};

static void test_mask_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(mask_cases); i++) {
        char out[128];
        long n = sj_norm_mask(mask_cases[i].kind, mask_cases[i].value, out, sizeof out);
        if (n != (long)strlen(mask_cases[i].want) || strcmp(out, mask_cases[i].want) != 0)
            fail_msg("mask(%s, %s) = %ld \"%s\", want \"%s\"", sj_kind_name(mask_cases[i].kind),
                     mask_cases[i].value, n, out, mask_cases[i].want);
        /* Exactly enough room works; one byte less fails with an empty string. */
        size_t need = strlen(mask_cases[i].want) + 1;
        if (sj_norm_mask(mask_cases[i].kind, mask_cases[i].value, out, need) != (long)need - 1)
            fail_msg("mask(%s) fails with exactly %zu bytes", mask_cases[i].value, need);
        if (sj_norm_mask(mask_cases[i].kind, mask_cases[i].value, out, need - 1) != -1)
            fail_msg("mask(%s) fits in %zu bytes?", mask_cases[i].value, need - 1);
    }
    char out[4];
    assert_int_equal(sj_norm_mask(SJ_KIND_IDCARD, NULL, out, sizeof out), 0);
    assert_string_equal(out, "");
}

/* Identifiers inside free text are masked wherever they stand; other digits are kept. */
static void test_mask_text(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } rows[] = {
        {"当事人11010519491231002X涉税", "当事人110105********002X涉税"},
        {"电话13800138000，卡号6222020200000005", "电话138****8000，卡号622202******0005"},
        {"（2023）粤1802民初1234号，金额100000元", "（2023）粤1802民初1234号，金额100000元"},
        {"no digits", "no digits"},
        {"", ""},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(rows); i++) {
        struct sj_buf out;
        sj_buf_init(&out, 0);
        assert_int_equal(sj_norm_mask_text(rows[i].text, &out), 0);
        assert_string_equal(sj_buf_cstr(&out), rows[i].want);
        sj_buf_release(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_norm_routes_by_kind), cmocka_unit_test(test_norm_unknown_kind),
        cmocka_unit_test(test_detect_table),        cmocka_unit_test(test_detect_edges),
        cmocka_unit_test(test_mask_table), cmocka_unit_test(test_mask_text),
    };
    return cmocka_run_group_tests_name("norm_dispatch", tests, NULL, NULL);
}
