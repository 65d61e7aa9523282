/*
 * test_norm_date.c - sj_norm_date and sj_norm_datetime: every written form (ISO, slashes,
 * dots, compact, 年月日, Chinese numerals, full-width), Excel serials around the fake
 * 1900-02-29, leap years 1900/2000/2024, times with 时分秒, 上午/下午, AM/PM, T and Z, and
 * the Chinese reasons for what is rejected. Beyond the tables, whole calendar ranges are
 * written in several forms and checked against an independent leap-year rule in this file.
 * One result is reused across all rows, so stale fields from a previous row would show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/norm.h"
#include "test_util.h"

static const struct tu_norm_case date_cases[] = {
    {"2023-01-02", "2023-01-02", NULL},
    {"2023/1/2", "2023-01-02", NULL},
    {"2023/01/02", "2023-01-02", NULL},
    {"2023.1.2", "2023-01-02", NULL},
    {"2023-1-02", "2023-01-02", NULL},
    {"20230102", "2023-01-02", NULL},
    {"2023年1月2日", "2023-01-02", NULL},
    {"2023年01月02日", "2023-01-02", NULL},
    {"2023年1月2号", "2023-01-02", NULL},
    {"2023年1月2", "2023-01-02", NULL},
    {"二〇二三年一月二日", "2023-01-02", NULL},
    {"二零二三年一月二日", "2023-01-02", NULL},
    {"二○二三年十月十日", "2023-10-10", NULL},
    {"二O二三年十一月二十日", "2023-11-20", NULL},
    {"一九九九年十二月三十一日", "1999-12-31", NULL},
    {"二〇二四年二月二十九日", "2024-02-29", NULL},
    {"二〇二三年〇三月〇九日", "2023-03-09", NULL},
    {"二〇二三年三月廿一日", NULL, "无法识别的日期格式"},
    {"２０２３－０１－０２", "2023-01-02", NULL},
    {"２０２３年１月２日", "2023-01-02", NULL},
    {"２０２３／１／２", "2023-01-02", NULL},
    {"\xe3\x80\x80 2023-01-02 \t", "2023-01-02", NULL},
    {"\xc2\xa0"
     "2023-01-02",
     "2023-01-02", NULL},
    /* a time may follow and is checked, then dropped */
    {"2023-01-02 12:30", "2023-01-02", NULL},
    {"2023-01-02T12:30:45Z", "2023-01-02", NULL},
    {"2023年1月2日12时30分", "2023-01-02", NULL},
    {"2023-01-02 25:00", NULL, "时间25:00:00不存在"},
    {"2023-01-02 abc", NULL, "无法识别的日期格式"},
    /* leap years */
    {"2000-02-29", "2000-02-29", NULL},
    {"2024-02-29", "2024-02-29", NULL},
    {"1900-02-29", NULL, "日期1900-02-29不存在"},
    {"2023-02-29", NULL, "日期2023-02-29不存在"},
    {"2100-02-29", NULL, "日期2100-02-29不存在"},
    {"2023-13-01", NULL, "日期2023-13-01不存在"},
    {"2023-00-10", NULL, "日期2023-00-10不存在"},
    {"2023-04-31", NULL, "日期2023-04-31不存在"},
    {"2023-01-32", NULL, "日期2023-01-32不存在"},
    {"2023-01-00", NULL, "日期2023-01-00不存在"},
    {"0000-01-01", NULL, "日期0000-01-01不存在"},
    {"20230229", NULL, "日期2023-02-29不存在"},
    {"2023年2月30日", NULL, "日期2023-02-30不存在"},
    {"二〇二三年二月三十日", NULL, "日期2023-02-30不存在"},
    {"二〇二三年十三月一日", NULL, "日期2023-13-01不存在"},
    /* Excel serials, 1900 system */
    {"1", "1900-01-01", NULL},
    {"59", "1900-02-28", NULL},
    {"60", NULL, "Excel日期序列号60对应的1900-02-29不存在"},
    {"61", "1900-03-01", NULL},
    {"25569", "1970-01-01", NULL},
    {"36526", "2000-01-01", NULL},
    {"45000", "2023-03-15", NULL},
    {"45000.5", "2023-03-15", NULL},
    {"４５０００", "2023-03-15", NULL},
    {"73415", "2100-12-31", NULL},
    {"73416", NULL, "Excel日期序列号应在1到73415之间"},
    {"0", NULL, "Excel日期序列号应在1到73415之间"},
    {"0.5", NULL, "Excel日期序列号应在1到73415之间"},
    {".5", NULL, "无法识别的日期格式"},
    {"0102", NULL, "无法识别的日期格式"},
    {"045000", NULL, "无法识别的日期格式"},
    {"99999999999999999999", NULL, "Excel日期序列号应在1到73415之间"},
    {"2023", NULL, "2023像是年份，缺少月或日"},
    {"2023.1", NULL, "2023像是年份，缺少月或日"},
    /* garbage */
    {"", NULL, "日期为空"},
    {"  ", NULL, "日期为空"},
    {"abc", NULL, "无法识别的日期格式"},
    {"2023-01", NULL, "无法识别的日期格式"},
    {"2023-01-02-03", NULL, "无法识别的日期格式"},
    {"2023-01/02", NULL, "无法识别的日期格式"},
    {"23-01-02", NULL, "无法识别的日期格式"},
    {"02/01/2023", NULL, "无法识别的日期格式"},
    {"2023-001-02", NULL, "无法识别的日期格式"},
    {"2023年1月", NULL, "无法识别的日期格式"},
    {"2023年", NULL, "无法识别的日期格式"},
    {"二〇二三年", NULL, "无法识别的日期格式"},
    {"二〇二年一月一日", NULL, "无法识别的日期格式"},
    {"1.2.3", NULL, "无法识别的日期格式"},
    {".", NULL, "无法识别的日期格式"},
    {"45000..5", NULL, "无法识别的日期格式"},
    {"-45000", NULL, "无法识别的日期格式"},
    {"\xff\xfe", NULL, "无法识别的日期格式"},
    {"2023-01-02\xe5", NULL, "无法识别的日期格式"},
};

static const struct tu_norm_case datetime_cases[] = {
    {"2023-01-02", "2023-01-02 00:00:00", NULL},
    {"2023-01-02 12:30", "2023-01-02 12:30:00", NULL},
    {"2023-01-02 12:30:45", "2023-01-02 12:30:45", NULL},
    {"2023-01-02 8:05:09", "2023-01-02 08:05:09", NULL},
    {"2023-01-02  08:05", "2023-01-02 08:05:00", NULL},
    {"2023-01-02 12:30:45.123", "2023-01-02 12:30:45", NULL},
    {"2023-01-02 12:30:45.999999", "2023-01-02 12:30:45", NULL},
    {"2023-01-02T12:30:45", "2023-01-02 12:30:45", NULL},
    {"2023-01-02T12:30:45Z", "2023-01-02 12:30:45", NULL},
    {"2023-01-02T12:30:45.5Z", "2023-01-02 12:30:45", NULL},
    {"2023-01-02T12:30:45+08:00", "2023-01-02 12:30:45", NULL},
    {"2023-01-02T12:30:45-0500", "2023-01-02 12:30:45", NULL},
    {"2023-01-02T12:30:45+08", "2023-01-02 12:30:45", NULL},
    {"2023-01-02T12:30:45-12:00", "2023-01-02 12:30:45", NULL},
    {"2023-01-02T12:30:45 +0800", "2023-01-02 12:30:45", NULL},
    {"2023/1/2 0:00", "2023-01-02 00:00:00", NULL},
    {"2023-01-02 23:59:59", "2023-01-02 23:59:59", NULL},
    {"20230102 12:30:45", "2023-01-02 12:30:45", NULL},
    {"20230102123045", "2023-01-02 12:30:45", NULL},
    {"2023年1月2日12时30分45秒", "2023-01-02 12:30:45", NULL},
    {"2023年1月2日 12时30分", "2023-01-02 12:30:00", NULL},
    {"2023年1月2日12时", "2023-01-02 12:00:00", NULL},
    {"2023年1月2日12点30分", "2023-01-02 12:30:00", NULL},
    {"2023年1月2日12点30", "2023-01-02 12:30:00", NULL},
    {"2023年1月2日12时30", "2023-01-02 12:30:00", NULL},
    {"2023年1月2日3点半", "2023-01-02 03:30:00", NULL},
    {"2023年1月2日 12:30", "2023-01-02 12:30:00", NULL},
    {"二〇二三年一月二日十二时三十分", "2023-01-02 12:30:00", NULL},
    {"二〇二三年一月二日十四时零五分", "2023-01-02 14:05:00", NULL},
    {"2023年1月2日下午3点", "2023-01-02 15:00:00", NULL},
    {"2023年1月2日下午3点半", "2023-01-02 15:30:00", NULL},
    {"2023年1月2日下午两点", "2023-01-02 14:00:00", NULL},
    {"2023年1月2日上午9时", "2023-01-02 09:00:00", NULL},
    {"2023年1月2日凌晨2时", "2023-01-02 02:00:00", NULL},
    {"2023年1月2日中午12点", "2023-01-02 12:00:00", NULL},
    {"2023年1月2日中午1点", "2023-01-02 13:00:00", NULL},
    {"2023年1月2日晚上8点", "2023-01-02 20:00:00", NULL},
    {"2023-01-02 下午3:05", "2023-01-02 15:05:00", NULL},
    {"2023-01-02 下午15:05", "2023-01-02 15:05:00", NULL},
    {"2023-01-02 3:05 PM", "2023-01-02 15:05:00", NULL},
    {"2023-01-02 3:05pm", "2023-01-02 15:05:00", NULL},
    {"2023-01-02 12:05 AM", "2023-01-02 00:05:00", NULL},
    {"2023-01-02 12:05 PM", "2023-01-02 12:05:00", NULL},
    {"２０２３年１月２日　１２：３０", "2023-01-02 12:30:00", NULL},
    {"２０２３－０１－０２Ｔ１２：３０：４５Ｚ", "2023-01-02 12:30:45", NULL},
    /* Excel serials with a fraction of a day, rounded to the second */
    {"45000", "2023-03-15 00:00:00", NULL},
    {"45000.5", "2023-03-15 12:00:00", NULL},
    {"45000.75", "2023-03-15 18:00:00", NULL},
    {"45000.520833333333", "2023-03-15 12:30:00", NULL},
    {"45000.99999999", "2023-03-16 00:00:00", NULL},
    {"45000.000005", "2023-03-15 00:00:00", NULL},
    {"59.5", "1900-02-28 12:00:00", NULL},
    {"61.25", "1900-03-01 06:00:00", NULL},
    {"60.5", NULL, "Excel日期序列号60对应的1900-02-29不存在"},
    {"73415.99999999", NULL, "Excel日期序列号应在1到73415之间"},
    /* rejected */
    {"", NULL, "日期时间为空"},
    {"2023-01-02 24:00", NULL, "时间24:00:00不存在"},
    {"2023-01-02 12:60", NULL, "时间12:60:00不存在"},
    {"2023-01-02 12:30:60", NULL, "时间12:30:60不存在"},
    {"20230102126045", NULL, "时间12:60:45不存在"},
    {"20230132123045", NULL, "日期2023-01-32不存在"},
    {"2023-02-29 12:00", NULL, "日期2023-02-29不存在"},
    {"2023-02-29 25:00", NULL, "日期2023-02-29不存在"},
    {"2023年1月2日上午13点", NULL, "上午/下午与钟点13点不符"},
    {"2023年1月2日晚上12点", NULL, "上午/下午与钟点12点不符"},
    {"2023-01-02 13:05 PM", NULL, "上午/下午与钟点13点不符"},
    {"2023-01-02 下午3:05 PM", NULL, "无法识别的日期时间格式"},
    {"2023-01-02T", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12:3", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12:30:4", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12:30:45.", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 123:30", NULL, "无法识别的日期时间格式"},
    {"2023-01-0212:30", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12:30 Z Z", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12:30+8", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12:30+08:0", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12:30+0860", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12:30+15:00", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12:30+080", NULL, "无法识别的日期时间格式"},
    {"2023-01-02 12:30+08000", NULL, "无法识别的日期时间格式"},
    {"0.999999", NULL, "Excel日期序列号应在1到73415之间"},
    {".999999", NULL, "无法识别的日期时间格式"},
    {"2023年1月2日12时30分45", NULL, "无法识别的日期时间格式"},
    {"2023年1月2日十二", NULL, "无法识别的日期时间格式"},
};

/* Every valid date has the parts year, month and day (test_parts); a datetime also hour,
 * minute and second. */
static void test_date_table(void **state)
{
    (void)state;
    static const struct tu_norm_table date = {
        .kind = SJ_KIND_DATE, .fn = sj_norm_date, .part_count = 3};
    tu_norm_run(&date, date_cases, SJ_ARRAY_LEN(date_cases));
}

static void test_datetime_table(void **state)
{
    (void)state;
    static const struct tu_norm_table datetime = {
        .kind = SJ_KIND_DATETIME, .fn = sj_norm_datetime, .part_count = 6};
    tu_norm_run(&datetime, datetime_cases, SJ_ARRAY_LEN(datetime_cases));
}

static void expect_part(const struct sj_norm_result *r, int i, const char *key, const char *value)
{
    assert_true(i < r->part_count);
    assert_string_equal(r->parts[i].key, key);
    assert_string_equal(r->parts[i].value, value);
    assert_true(r->parts[i].is_number);
}

static void test_parts(void **state)
{
    (void)state;
    struct sj_norm_result r;
    assert_true(sj_norm_datetime(sj_str_from_cstr("2023年1月2日下午3点05分09秒"), &r));
    expect_part(&r, 0, "year", "2023");
    expect_part(&r, 1, "month", "1");
    expect_part(&r, 2, "day", "2");
    expect_part(&r, 3, "hour", "15");
    expect_part(&r, 4, "minute", "5");
    expect_part(&r, 5, "second", "9");
    assert_true(sj_norm_date(sj_str_from_cstr("0999-12-31"), &r));
    expect_part(&r, 0, "year", "999");
    assert_int_equal(r.part_count, 3);
}

/* The input is a view, not a C string: bytes past len must not be read or matter. */
static void test_view_not_terminated(void **state)
{
    (void)state;
    struct sj_norm_result r;
    const char text[] = "2023-01-0212:30";
    assert_true(sj_norm_date(sj_str_make(text, 10), &r));
    assert_string_equal(r.value, "2023-01-02");
    assert_false(sj_norm_date(sj_str_make(text, 9), &r));
    assert_false(sj_norm_date(sj_str_make(NULL, 0), &r));
    assert_string_equal(r.reason, "日期为空");
    const char serial[] = "450001";
    assert_true(sj_norm_date(sj_str_make(serial, 5), &r));
    assert_string_equal(r.value, "2023-03-15");
}

/* Independent of calendar.c: the Gregorian rule as the standard states it. */
static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool is_leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && is_leap ? 29 : days[m - 1];
}

/* Writes n (0..99) the way people write months and days: 十, 十二, 二十, 三十一. */
static void cn_small(char *out, size_t size, int n)
{
    static const char *const d[] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (n < 10)
        snprintf(out, size, "%s", d[n]);
    else
        snprintf(out, size, "%s十%s", n >= 20 ? d[n / 10] : "", n % 10 ? d[n % 10] : "");
}

static void cn_date(char *out, size_t size, int y, int m, int day)
{
    static const char *const d[] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    char ms[16], ds[16];
    cn_small(ms, sizeof ms, m);
    cn_small(ds, sizeof ds, day);
    snprintf(out, size, "%s%s%s%s年%s月%s日", d[y / 1000], d[y / 100 % 10], d[y / 10 % 10],
             d[y % 10], ms, ds);
}

/* Every day of 1899..2101 (and every impossible day 29..31), in six forms; each valid
 * day must come out as the next one after its predecessor, each impossible one rejected. */
static void test_calendar_sweep(void **state)
{
    (void)state;
    struct sj_norm_result r;
    char forms[6][96], want[16];
    int64_t prev = 0;
    for (int y = 1899; y <= 2101; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= 31; d++) {
                bool exists = d <= days_in_month(y, m);
                snprintf(forms[0], sizeof forms[0], "%04d-%02d-%02d", y, m, d);
                snprintf(forms[1], sizeof forms[1], "%d/%d/%d", y, m, d);
                snprintf(forms[2], sizeof forms[2], "%04d%02d%02d", y, m, d);
                snprintf(forms[3], sizeof forms[3], "%d年%d月%d日", y, m, d);
                snprintf(forms[4], sizeof forms[4], "%d.%02d.%d 23:59:59", y, m, d);
                cn_date(forms[5], sizeof forms[5], y, m, d);
                snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
                for (int f = 0; f < 6; f++) {
                    bool ok = sj_norm_date(sj_str_from_cstr(forms[f]), &r);
                    if (ok != exists || (ok && strcmp(r.value, want) != 0))
                        fail_msg("%s: got %s%s", forms[f], r.value, r.reason);
                }
                if (!exists)
                    continue;
                int64_t days = sj_date_to_days(y, m, d);
                if (prev && days != prev + 1)
                    fail_msg("%s is day %lld, previous day was %lld", want, (long long)days,
                             (long long)prev);
                prev = days;
            }
        }
    }
}

/* Consecutive Excel serials are consecutive days, except that 60 does not exist. */
static void test_serial_sweep(void **state)
{
    (void)state;
    struct sj_norm_result r;
    char in[32];
    int64_t prev = 0;
    for (long s = 1; s <= 73415; s++) {
        snprintf(in, sizeof in, "%ld", s);
        bool ok = sj_norm_date(sj_str_from_cstr(in), &r);
        if (s == 60 || (s >= 1900 && s <= 2100)) {
            assert_false(ok);
            continue;
        }
        if (!ok)
            fail_msg("serial %ld rejected: %s", s, r.reason);
        int y = atoi(r.value), m = atoi(r.value + 5), d = atoi(r.value + 8);
        int64_t days = sj_date_to_days(y, m, d);
        if (prev && days != prev + 1 + (s == 2101 ? 201 : 0))
            fail_msg("serial %ld is %s, not the day after serial %ld", s, r.value, s - 1);
        prev = days;
    }
}

/* Every second of a day survives the trip through the datetime forms. */
static void test_time_sweep(void **state)
{
    (void)state;
    struct sj_norm_result r;
    char in[64], want[32];
    for (int t = 0; t < 86400; t += 7) {
        int h = t / 3600, m = t / 60 % 60, s = t % 60;
        snprintf(want, sizeof want, "2024-02-29 %02d:%02d:%02d", h, m, s);
        snprintf(in, sizeof in, "2024-02-29T%02d:%02d:%02d", h, m, s);
        assert_true(sj_norm_datetime(sj_str_from_cstr(in), &r));
        assert_string_equal(r.value, want);
        snprintf(in, sizeof in, "2024年2月29日%d时%d分%d秒", h, m, s);
        assert_true(sj_norm_datetime(sj_str_from_cstr(in), &r));
        assert_string_equal(r.value, want);
        snprintf(in, sizeof in, "%d:%02d:%02d %s", h % 12 ? h % 12 : 12, m, s,
                 h < 12 ? "AM" : "PM");
        char full[96];
        snprintf(full, sizeof full, "2024/2/29 %s", in);
        assert_true(sj_norm_datetime(sj_str_from_cstr(full), &r));
        assert_string_equal(r.value, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_table),     cmocka_unit_test(test_datetime_table),
        cmocka_unit_test(test_parts),          cmocka_unit_test(test_view_not_terminated),
        cmocka_unit_test(test_calendar_sweep), cmocka_unit_test(test_serial_sweep),
        cmocka_unit_test(test_time_sweep),
    };
    return cmocka_run_group_tests_name("norm_date", tests, NULL, NULL);
}
