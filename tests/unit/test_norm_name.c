/*
 * test_norm_name.c - sj_norm_name: traditional -> simplified through OpenCC (张三 vs 張三),
 * every middle-dot variant of a transcribed name (阿依古丽·买买提), spaces, full-width
 * letters, invisible characters, digits and punctuation rejected, the 50-character limit,
 * the "original" and "converted" parts, and concurrent first use from several threads
 * (the OpenCC converter is created lazily under pthread_once). Names are invented.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/norm.h"

struct name_case {
    const char *in;
    const char *value; /* NULL when invalid */
    const char *want;  /* "converted" when t2s changed something, "" otherwise; the
                          exact reason when invalid */
};

static const struct name_case cases[] = {
    {"张三", "张三", ""},
    {"張三", "张三", "converted"},
    {"歐陽鋒", "欧阳锋", "converted"},
    {"陳小明", "陈小明", "converted"},
    {"欧阳娜娜", "欧阳娜娜", ""},
    {" 张 三 ", "张三", ""},
    {"张\xe3\x80\x80三\xe3\x80\x80", "张三", ""},
    {"\xc2\xa0张三\t", "张三", ""},
    {"张三\xe2\x80\x8b", "张三", ""},            /* zero-width space */
    {"\xef\xbb\xbf张三", "张三", ""},            /* byte order mark */
    {"阿依古丽··买买提", "阿依古丽·买买提", ""}, /* double dot */
    {"·阿依古丽·买买提·", "阿依古丽·买买提", ""},
    {"阿依古丽 · 买买提", "阿依古丽·买买提", ""},
    {"阿依古麗·買買提", "阿依古丽·买买提", "converted"},
    {"John Smith", "John Smith", ""},
    {"John   Smith", "John Smith", ""},
    {"ＪＯＨＮ ＳＭＩＴＨ", "JOHN SMITH", ""},
    {"约翰 Smith", "约翰Smith", ""},
    {"José", "José", ""},
    {"Jose\xcc\x81", "José", ""}, /* combining acute accent composes */
    /* rejected */
    {"", NULL, "姓名为空"},
    {"   ", NULL, "姓名为空"},
    {"··", NULL, "姓名为空"},
    {"\xe2\x80\x8b", NULL, "姓名为空"},
    {"张三1", NULL, "姓名不能包含数字"},
    {"张三１", NULL, "姓名不能包含数字"},
    {"张三②", NULL, "姓名不能包含数字"},
    {"张三（曾用名李四）", NULL, "姓名含有非法字符“(”"},
    {"张三,李四", NULL, "姓名含有非法字符“,”"},
    {"张三、李四", NULL, "姓名含有非法字符“、”"},
    {"张三?", NULL, "姓名含有非法字符“?”"},
    {"张三\x01", NULL, "姓名含有控制字符"},
    {"张\xff三", NULL, "姓名不是有效的UTF-8文本"},
    {"张\xe4\xb8", NULL, "姓名不是有效的UTF-8文本"},
};

static const struct sj_norm_part *find_part(const struct sj_norm_result *r, const char *key)
{
    for (int i = 0; i < r->part_count; i++) {
        if (strcmp(r->parts[i].key, key) == 0)
            return &r->parts[i];
    }
    return NULL;
}

static void test_name_table(void **state)
{
    (void)state;
    struct sj_norm_result r;
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        const struct name_case *c = &cases[i];
        bool ok = sj_norm_name(sj_str_from_cstr(c->in), &r);
        assert_int_equal(r.kind, SJ_KIND_NAME);
        assert_int_equal(ok, r.is_valid);
        if (ok != (c->value != NULL))
            fail_msg("%s: expected %s, got %s (%s)", c->in, c->value ? "valid" : "invalid",
                     ok ? "valid" : "invalid", ok ? r.value : r.reason);
        if (!c->value) {
            if (strcmp(r.reason, c->want) != 0)
                fail_msg("%s: reason should be %s, got %s", c->in, c->want, r.reason);
            assert_string_equal(r.value, "");
            assert_int_equal(r.part_count, 0);
            continue;
        }
        if (strcmp(r.value, c->value) != 0)
            fail_msg("%s: value should be %s, got %s", c->in, c->value, r.value);
        assert_int_equal(r.value_len, strlen(c->value));
        const struct sj_norm_part *orig = find_part(&r, "original");
        const struct sj_norm_part *conv = find_part(&r, "converted");
        assert_non_null(orig);
        assert_string_equal(orig->value, c->in);
        if (c->want[0]) {
            assert_non_null(conv);
            assert_string_equal(conv->value, "true");
        } else if (conv) {
            fail_msg("%s: unexpected converted part", c->in);
        }
        assert_int_equal(r.part_count, c->want[0] ? 2 : 1);
    }
}

/* Every middle-dot variant people type becomes U+00B7. */
static void test_name_dot_variants(void **state)
{
    (void)state;
    static const char *const dots[] = {
        "\xc2\xb7",     /* U+00B7 middle dot */
        "\xe2\x80\xa2", /* U+2022 bullet */
        "\xe3\x83\xbb", /* U+30FB katakana middle dot */
        ".",            /* full stop */
        "\xef\xbc\x8e", /* U+FF0E full-width full stop */
        "\xe2\x80\xa7", /* U+2027 hyphenation point */
        "\xef\xbd\xa5", /* U+FF65 half-width katakana middle dot */
        "\xe2\x88\x99", /* U+2219 bullet operator */
        "\xe2\x8b\x85", /* U+22C5 dot operator */
        "\xce\x87",     /* U+0387 Greek ano teleia */
    };
    struct sj_norm_result r;
    char name[64];
    for (size_t i = 0; i < SJ_ARRAY_LEN(dots); i++) {
        snprintf(name, sizeof name, "阿依古丽%s买买提", dots[i]);
        if (!sj_norm_name(sj_str_from_cstr(name), &r))
            fail_msg("%s rejected: %s", name, r.reason);
        if (strcmp(r.value, "阿依古丽\xc2\xb7买买提") != 0)
            fail_msg("%s gave %s", name, r.value);
        assert_null(find_part(&r, "converted"));
    }
}

/* 50 characters are the limit; dots count. */
static void test_name_length(void **state)
{
    (void)state;
    struct sj_norm_result r;
    char name[256] = "";
    for (int i = 0; i < 50; i++)
        strcat(name, "张");
    assert_true(sj_norm_name(sj_str_from_cstr(name), &r));
    assert_int_equal(r.value_len, 150);
    strcat(name, "三");
    assert_false(sj_norm_name(sj_str_from_cstr(name), &r));
    assert_string_equal(r.reason, "姓名过长（超过50个字）");
    name[0] = '\0';
    for (int i = 0; i < 24; i++)
        strcat(name, "张·");
    strcat(name, "张张"); /* 26 letters and 24 dots */
    assert_true(sj_norm_name(sj_str_from_cstr(name), &r));
    strcat(name, "·"); /* a trailing dot is dropped */
    assert_true(sj_norm_name(sj_str_from_cstr(name), &r));
    strcat(name, "张"); /* now the dot counts, and the letter too */
    assert_false(sj_norm_name(sj_str_from_cstr(name), &r));
    char big[600];
    memset(big, 'a', sizeof big);
    assert_false(sj_norm_name(sj_str_make(big, sizeof big), &r));
    assert_string_equal(r.reason, "姓名过长（超过50个字）");
}

/* "original" is cut at a character boundary when the input is longer than a part. */
static void test_name_original_truncated(void **state)
{
    (void)state;
    struct sj_norm_result r;
    char name[256] = "";
    for (int i = 0; i < 40; i++)
        strcat(name, "张");
    assert_true(sj_norm_name(sj_str_from_cstr(name), &r));
    const struct sj_norm_part *orig = find_part(&r, "original");
    assert_non_null(orig);
    assert_int_equal(strlen(orig->value), 93); /* 31 characters of 3 bytes fit in 95 */
    assert_int_equal(memcmp(orig->value, name, 93), 0);
}

static void *convert_many(void *arg)
{
    int *bad = arg;
    struct sj_norm_result r;
    for (int i = 0; i < 200; i++) {
        if (!sj_norm_name(sj_str_from_cstr("張三"), &r) || strcmp(r.value, "张三") != 0)
            (*bad)++;
    }
    return NULL;
}

/* The first use races from four threads; every one must see the converter. */
static void test_name_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    int bad[4] = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, convert_many, &bad[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(bad[i], 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first, so that the threads race for the lazy initialisation */
        cmocka_unit_test(test_name_threads),
        cmocka_unit_test(test_name_table),
        cmocka_unit_test(test_name_dot_variants),
        cmocka_unit_test(test_name_length),
        cmocka_unit_test(test_name_original_truncated),
    };
    return cmocka_run_group_tests_name("norm_name", tests, NULL, NULL);
}
