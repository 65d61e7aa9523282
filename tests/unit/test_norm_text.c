/*
 * test_norm_text.c - sj_norm_text: trimming of ASCII white space, NBSP and the ideographic
 * space, NFKC folding of full-width and compatibility characters, invalid UTF-8, and the
 * limit of the value buffer (SJ_NORM_VALUE_MAX - 1 bytes).
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
    {"abc", "abc", ""},
    {"  a b  ", "a b", ""},
    {"\t\r\nabc\n", "abc", ""},
    {"", "", ""},
    {"   ", "", ""},
    {"\xe3\x80\x80张三\xe3\x80\x80", "张三", ""},
    {"\xc2\xa0张三\xc2\xa0", "张三", ""},
    {"\xe2\x80\x83张三\xe2\x80\x83", "张三", ""}, /* U+2003 em space: NFKC gives ' ' */
    {"ＡＢＣ１２３", "ABC123", ""},
    {"（注）", "(注)", ""},
    {"ﬁ", "fi", ""},
    {"㈱", "(株)", ""},
    {"e\xcc\x81", "\xc3\xa9", ""},
    {"张\xff", NULL, "文本不是有效的UTF-8编码"},
};

static void test_text_table(void **state)
{
    (void)state;
    static const struct tu_norm_table text = {.kind = SJ_KIND_TEXT, .fn = sj_norm_text};
    tu_norm_run(&text, cases, SJ_ARRAY_LEN(cases));
}

/* 255 bytes fit; 256 do not, ASCII or not; trailing space does not count. */
static void test_text_limit(void **state)
{
    (void)state;
    struct sj_norm_result r;
    char buf[2048];
    memset(buf, 'a', SJ_NORM_VALUE_MAX - 1);
    memcpy(buf + SJ_NORM_VALUE_MAX - 1, "   ", 3);
    assert_true(sj_norm_text(sj_str_make(buf, SJ_NORM_VALUE_MAX + 2), &r));
    assert_int_equal(r.value_len, SJ_NORM_VALUE_MAX - 1);
    memset(buf, 'a', SJ_NORM_VALUE_MAX);
    assert_false(sj_norm_text(sj_str_make(buf, SJ_NORM_VALUE_MAX), &r));
    assert_string_equal(r.reason, "文本过长（超过255字节）");
    size_t n = 0;
    for (int i = 0; i < 85; i++, n += 3)
        memcpy(buf + n, "张", 3);
    assert_true(sj_norm_text(sj_str_make(buf, n), &r)); /* 255 bytes */
    memcpy(buf + n, "张", 3);
    assert_false(sj_norm_text(sj_str_make(buf, n + 3), &r));
    for (size_t i = 0; i + 3 <= sizeof buf; i += 3)
        memcpy(buf + i, "张", 3);
    assert_false(sj_norm_text(sj_str_make(buf, sizeof buf - sizeof buf % 3), &r));
    assert_true(sj_norm_text(sj_str_make(NULL, 0), &r));
    assert_string_equal(r.value, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_table),
        cmocka_unit_test(test_text_limit),
    };
    return cmocka_run_group_tests_name("norm_text", tests, NULL, NULL);
}
