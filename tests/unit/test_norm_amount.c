/*
 * test_norm_amount.c - sj_norm_amount: Arabic amounts with separators, currency marks,
 * 万/亿 units and negatives; Chinese capital (大写) and lowercase numerals with 零, 角,
 * 分 and 整; the precision rule (whole fen only) and the 10^15 fen limit; and the Chinese
 * reasons for what is rejected. Beyond the table, pseudo-random amounts are written out by
 * an independent 大写 writer in this file and must come back to the same fen.
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

struct amount_case {
    const char *in;
    bool is_valid;
    int64_t fen;
    const char *want; /* yuan part when valid, the exact reason when invalid */
};

#define OK(in, fen, yuan)                                                                          \
    {                                                                                              \
        in, true, fen, yuan                                                                        \
    }
#define BAD(in, reason)                                                                            \
    {                                                                                              \
        in, false, 0, reason                                                                       \
    }

static const struct amount_case cases[] = {
    OK("1,234.56", 123456, "1234.56"),
    OK("1234.56", 123456, "1234.56"),
    OK("¥1234", 123400, "1234.00"),
    OK("￥1,234.00", 123400, "1234.00"),
    OK("¥ 1,234.5", 123450, "1234.50"),
    OK("1234元", 123400, "1234.00"),
    OK("1234 元", 123400, "1234.00"),
    OK("1234元整", 123400, "1234.00"),
    OK("12.5万元", 12500000, "125000.00"),
    OK("12.5万", 12500000, "125000.00"),
    OK("12 万元", 12000000, "120000.00"),
    OK("1.2亿元", 12000000000, "120000000.00"),
    OK("3百万", 300000000, "3000000.00"),
    OK("2千万元", 2000000000, "20000000.00"),
    OK("0.05万亿", 5000000000000, "50000000000.00"),
    OK("人民币 ¥1,234", 123400, "1234.00"),
    OK("3千元", 300000, "3000.00"),
    OK("1.23456万", 1234560, "12345.60"),
    OK("1.234567万", 1234567, "12345.67"),
    OK("0.00000001亿", 100, "1.00"),
    OK("RMB 1,234.00", 123400, "1234.00"),
    OK("RMB1234", 123400, "1234.00"),
    OK("CNY 99.9", 9990, "99.90"),
    OK("1234.00 RMB", 123400, "1234.00"),
    OK("人民币 12,345.67元", 1234567, "12345.67"),
    OK("１，２３４．５６", 123456, "1234.56"),
    OK("  ¥1,234.56\xe3\x80\x80", 123456, "1234.56"),
    OK("12.5000", 1250, "12.50"),
    OK("12.", 1200, "12.00"),
    OK(".5", 50, "0.50"),
    OK("0", 0, "0.00"),
    OK("0.00", 0, "0.00"),
    OK("0.01", 1, "0.01"),
    OK("1,234,567.89", 123456789, "1234567.89"),
    OK("10000000000000", 1000000000000000, "10000000000000.00"),
    OK("10万亿", 1000000000000000, "10000000000000.00"),
    /* negative */
    OK("-12.00", -1200, "-12.00"),
    OK("+12.00", 1200, "12.00"),
    OK("-0.01", -1, "-0.01"),
    OK("-0.5", -50, "-0.50"),
    OK("-0", 0, "0.00"),
    OK("(12.00)", -1200, "-12.00"),
    OK("（1,234.56）", -123456, "-1234.56"),
    OK("¥-12.00", -1200, "-12.00"),
    OK("-¥12.00", -1200, "-12.00"),
    OK("−12", -1200, "-12.00"),
    OK("负壹佰元", -10000, "-100.00"),
    OK("-10000000000000", -1000000000000000, "-10000000000000.00"),
    /* Chinese capital numerals */
    OK("人民币壹万贰仟叁佰肆拾伍元陆角柒分", 1234567, "12345.67"),
    OK("伍拾万元整", 50000000, "500000.00"),
    OK("壹佰元零伍分", 10005, "100.05"),
    OK("壹佰元伍角", 10050, "100.50"),
    OK("壹佰元伍角整", 10050, "100.50"),
    OK("零元", 0, "0.00"),
    OK("零元整", 0, "0.00"),
    OK("伍角", 50, "0.50"),
    OK("伍分", 5, "0.05"),
    OK("零伍分", 5, "0.05"),
    OK("伍角伍分", 55, "0.55"),
    OK("壹拾贰元整", 1200, "12.00"),
    OK("拾元", 1000, "10.00"),
    OK("拾万元", 10000000, "100000.00"),
    OK("壹仟零伍元", 100500, "1005.00"),
    OK("壹万零伍佰元", 1050000, "10500.00"),
    OK("壹拾万零伍佰元", 10050000, "100500.00"),
    OK("壹亿零伍拾元", 10000005000, "100000050.00"),
    OK("壹亿贰仟万元", 12000000000, "120000000.00"),
    OK("壹万亿元", 100000000000000, "1000000000000.00"),
    OK("貳萬圓整", 2000000, "20000.00"),
    OK("叁佰陸拾元", 36000, "360.00"),
    OK("人民币 壹万 贰仟元", 1200000, "12000.00"),
    /* lowercase and colloquial */
    OK("一万二千", 1200000, "12000.00"),
    OK("一万二千元", 1200000, "12000.00"),
    OK("十五元", 1500, "15.00"),
    OK("一百一十元", 11000, "110.00"),
    OK("一千零五十元", 105000, "1050.00"),
    OK("一万零二", 1000200, "10002.00"),
    OK("一万二", 1200000, "12000.00"),
    OK("三千五", 350000, "3500.00"),
    OK("两百五", 25000, "250.00"),
    OK("五十万五", 50500000, "505000.00"),
    OK("一亿五", 15000000000, "150000000.00"),
    OK("五块五", 550, "5.50"),
    OK("五块五毛五", 555, "5.55"),
    OK("五毛五", 55, "0.55"),
    OK("三万五千元", 3500000, "35000.00"),
    OK("3万5千元", 3500000, "35000.00"),
    OK("3万5", 3500000, "35000.00"),
    OK("12元5角", 1250, "12.50"),
    OK("12元5角6分", 1256, "12.56"),
    /* precision */
    BAD("12.345", "金额精确到分，实际有3位小数"),
    BAD("0.001", "金额精确到分，实际有3位小数"),
    BAD("1.2345678万", "金额精确到分，实际有3位小数"),
    BAD("1.23456789万", "金额精确到分，实际有4位小数"),
    OK("0.0000000001亿", 1, "0.01"),
    BAD("0.00000000001亿", "金额精确到分，实际有3位小数"),
    /* range */
    BAD("10000000000000.01", "金额超出范围（绝对值不超过10万亿元）"),
    BAD("100000000000000", "金额超出范围（绝对值不超过10万亿元）"),
    BAD("99999999999999999999999999", "金额超出范围（绝对值不超过10万亿元）"),
    BAD("-10000000000001", "金额超出范围（绝对值不超过10万亿元）"),
    BAD("10000000000000.1万", "金额超出范围（绝对值不超过10万亿元）"),
    BAD("1亿亿", "中文金额写法有误"),
    BAD("1万万万万万", "中文金额写法有误"),
    BAD("4百百", "中文金额写法有误"),
    BAD("5千千元", "中文金额写法有误"),
    BAD("1万千", "中文金额写法有误"),
    BAD("壹仟万亿元", "金额超出范围（绝对值不超过10万亿元）"),
    BAD("壹亿亿元", "中文金额写法有误"),
    BAD("99999999999999元5角", "金额超出范围（绝对值不超过10万亿元）"),
    /* separators */
    BAD("1,23,4", "千分位分隔符位置不对"),
    BAD("12,34", "千分位分隔符位置不对"),
    BAD("1234,567", "千分位分隔符位置不对"),
    BAD(",123", "千分位分隔符位置不对"),
    BAD("1,,234", "千分位分隔符位置不对"),
    BAD("1,234,", "千分位分隔符位置不对"),
    /* Chinese mistakes */
    BAD("伍伍元", "中文金额写法有误"),
    BAD("伍拾佰元", "中文金额写法有误"),
    BAD("伍零元", "中文金额写法有误"),
    BAD("壹佰拾元", "中文金额写法有误"),
    BAD("壹万万元", "中文金额写法有误"),
    BAD("伍拾角", "中文金额写法有误"),
    BAD("伍元伍角伍角", "中文金额写法有误"),
    BAD("伍元伍分伍角", "中文金额写法有误"),
    BAD("伍元整伍角", "中文金额写法有误"),
    BAD("伍元x", "中文金额写法有误"),
    BAD("伍元伍伍分", "中文金额写法有误"),
    BAD("零零元", "中文金额写法有误"),
    BAD("壹万零零伍元", "中文金额写法有误"),
    BAD("伍元零零伍分", "中文金额写法有误"),
    BAD("36佰元", "中文金额写法有误"),
    BAD("12345万5千", "中文金额写法有误"),
    /* garbage */
    BAD("", "金额为空"),
    BAD("  ", "金额为空"),
    BAD("abc", "无法识别的金额格式"),
    BAD(".", "无法识别的金额格式"),
    BAD("元", "无法识别的金额格式"),
    BAD("整", "无法识别的金额格式"),
    BAD("¥", "无法识别的金额格式"),
    BAD("--12", "无法识别的金额格式"),
    BAD("-(12)", "无法识别的金额格式"),
    BAD("(-12)", "无法识别的金额格式"),
    BAD("12abc", "无法识别的金额格式"),
    BAD("12元x", "无法识别的金额格式"),
    BAD("1 234", "无法识别的金额格式"),
    BAD("0 0 1", "无法识别的金额格式"),
    BAD("1 RMB RMB", "无法识别的金额格式"),
    BAD("¥¥¥1", "无法识别的金额格式"),
    BAD("1.2.3", "无法识别的金额格式"),
    BAD("12e3", "无法识别的金额格式"),
    BAD("1.234,56", "无法识别的金额格式"),
    BAD("廿元", "无法识别的金额格式"),
    BAD("\xff\xfe", "无法识别的金额格式"),
    BAD("12\xe4\xb8", "无法识别的金额格式"),
};

static void expect_amount(const struct amount_case *c, const struct sj_norm_result *r, bool ok)
{
    assert_int_equal(r->kind, SJ_KIND_AMOUNT);
    assert_int_equal(ok, r->is_valid);
    if (ok != c->is_valid)
        fail_msg("%s: expected %s, got %s (%s)", c->in, c->want, ok ? "valid" : "invalid",
                 ok ? r->value : r->reason);
    if (!c->is_valid) {
        if (strcmp(r->reason, c->want) != 0)
            fail_msg("%s: reason should be %s, got %s", c->in, c->want, r->reason);
        assert_string_equal(r->value, "");
        assert_int_equal(r->number, 0);
        assert_false(r->value_is_number);
        assert_int_equal(r->part_count, 0);
        return;
    }
    char want[32];
    snprintf(want, sizeof want, "%lld", (long long)c->fen);
    if (r->number != c->fen || strcmp(r->value, want) != 0)
        fail_msg("%s: should be %s fen, got %s (%lld)", c->in, want, r->value,
                 (long long)r->number);
    assert_int_equal(r->value_len, strlen(want));
    assert_true(r->value_is_number);
    assert_string_equal(r->reason, "");
    assert_int_equal(r->part_count, 1);
    assert_string_equal(r->parts[0].key, "yuan");
    if (strcmp(r->parts[0].value, c->want) != 0)
        fail_msg("%s: yuan should be %s, got %s", c->in, c->want, r->parts[0].value);
}

static void test_amount_table(void **state)
{
    (void)state;
    struct sj_norm_result r;
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++)
        expect_amount(&cases[i], &r, sj_norm_amount(sj_str_from_cstr(cases[i].in), &r));
}

/* The input is a view, not a C string: bytes past len must not be read or matter. */
static void test_view_not_terminated(void **state)
{
    (void)state;
    struct sj_norm_result r;
    const char text[] = "12.345";
    assert_true(sj_norm_amount(sj_str_make(text, 5), &r));
    assert_int_equal(r.number, 1234);
    const char cn[] = "伍元伍角";
    assert_true(sj_norm_amount(sj_str_make(cn, 6), &r));
    assert_int_equal(r.number, 500);
    assert_false(sj_norm_amount(sj_str_make(cn, 7), &r));
    assert_false(sj_norm_amount(sj_str_make(NULL, 0), &r));
    assert_string_equal(r.reason, "金额为空");
}

/* ---- An independent writer of Chinese amounts, for round trips --------------------------- */

struct numerals {
    const char *digit[10];
    const char *small[4]; /* "", 拾, 佰, 仟 */
    const char *wan, *yi, *yuan;
};

static const struct numerals capital = {
    {"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"},
    {"", "拾", "佰", "仟"},
    "万",
    "亿",
    "元",
};
static const struct numerals lower = {
    {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"},
    {"", "十", "百", "千"},
    "万",
    "亿",
    "块",
};

/* One section below 10^4, zeros inside collapsed to one 零, trailing zeros dropped. */
static void write_section(char *out, size_t size, const struct numerals *n, int64_t s)
{
    bool has_zero = false, has_digit = false;
    for (int place = 3; place >= 0; place--) {
        int d = (int)(s / (place == 3 ? 1000 : place == 2 ? 100 : place == 1 ? 10 : 1) % 10);
        if (d == 0) {
            has_zero = has_digit;
            continue;
        }
        if (has_zero)
            strncat(out, n->digit[0], size - strlen(out) - 1);
        strncat(out, n->digit[d], size - strlen(out) - 1);
        strncat(out, n->small[place], size - strlen(out) - 1);
        has_zero = false;
        has_digit = true;
    }
}

/* The standard way a bank writes yuan < 10^12 and fen: 壹亿零伍拾元零伍分. */
static void write_chinese(char *out, size_t size, const struct numerals *n, int64_t fen)
{
    int64_t yuan = fen / 100, parts[3] = {yuan / 100000000, yuan / 10000 % 10000, yuan % 10000};
    const char *big[3] = {n->yi, n->wan, ""};
    bool is_started = false, has_gap = false;
    out[0] = '\0';
    for (int i = 0; i < 3; i++) {
        if (parts[i] == 0) {
            has_gap = is_started;
            continue;
        }
        if (is_started && (has_gap || parts[i] < 1000))
            strncat(out, n->digit[0], size - strlen(out) - 1);
        write_section(out, size, n, parts[i]);
        strncat(out, big[i], size - strlen(out) - 1);
        is_started = true;
        has_gap = false;
    }
    int jiao = (int)(fen / 10 % 10), f = (int)(fen % 10);
    if (yuan > 0 || fen == 0) {
        if (yuan == 0)
            strncat(out, n->digit[0], size - strlen(out) - 1);
        strncat(out, n->yuan, size - strlen(out) - 1);
    }
    if (jiao == 0 && f == 0) {
        strncat(out, "整", size - strlen(out) - 1);
        return;
    }
    if (jiao)
        snprintf(out + strlen(out), size - strlen(out), "%s角", n->digit[jiao]);
    if (f)
        snprintf(out + strlen(out), size - strlen(out), "%s%s分", jiao ? "" : n->digit[0],
                 n->digit[f]);
}

/* A fixed pseudo-random sequence (splitmix64) so that failures reproduce. */
static uint64_t next_random(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Amounts of every size, with runs of zeros (the hard part of 大写) made likely. */
static int64_t random_fen(uint64_t *x)
{
    uint64_t r = next_random(x);
    int digits = 1 + (int)(r % 14);
    int64_t fen = 0;
    for (int i = 0; i < digits; i++) {
        uint64_t d = next_random(x) % 20;
        fen = fen * 10 + (int64_t)(d < 10 ? 0 : d - 10);
    }
    return fen;
}

static void test_chinese_round_trip(void **state)
{
    (void)state;
    struct sj_norm_result r;
    char text[512];
    uint64_t seed = 20231102;
    for (int i = 0; i < 20000; i++) {
        int64_t fen = random_fen(&seed);
        const struct numerals *n = i % 2 ? &lower : &capital;
        write_chinese(text, sizeof text, n, fen);
        if (!sj_norm_amount(sj_str_from_cstr(text), &r) || r.number != fen)
            fail_msg("%s: expected %lld fen, got %s%s", text, (long long)fen, r.value, r.reason);
    }
    write_chinese(text, sizeof text, &capital, 1234567);
    assert_string_equal(text, "壹万贰仟叁佰肆拾伍元陆角柒分");
    write_chinese(text, sizeof text, &capital, 10000000500);
    assert_string_equal(text, "壹亿零伍元整");
}

/* Arabic amounts with and without separators, marks, signs and units. */
static void test_arabic_round_trip(void **state)
{
    (void)state;
    struct sj_norm_result r;
    char plain[64], grouped[96], text[128];
    uint64_t seed = 7;
    for (int i = 0; i < 20000; i++) {
        int64_t fen = (int64_t)(next_random(&seed) % 1000000000000001ULL);
        if (i % 3 == 0)
            fen = random_fen(&seed);
        int len = snprintf(plain, sizeof plain, "%lld", (long long)(fen / 100));
        size_t o = 0;
        for (int k = 0; k < len; k++) {
            if (k > 0 && (len - k) % 3 == 0)
                grouped[o++] = ',';
            grouped[o++] = plain[k];
        }
        grouped[o] = '\0';
        bool is_negative = i % 5 == 0;
        const char *sign = is_negative ? "-" : "", *digits = i % 2 ? grouped : plain;
        long long cents = (long long)(fen % 100);
        if (i % 3 == 0)
            snprintf(text, sizeof text, "%s%s.%02lld", sign, digits, cents);
        else if (i % 3 == 1)
            snprintf(text, sizeof text, "%s¥%s.%02lld", sign, digits, cents);
        else
            snprintf(text, sizeof text, "%sRMB %s.%02lld元", sign, digits, cents);
        if (!sj_norm_amount(sj_str_from_cstr(text), &r) || r.number != (is_negative ? -fen : fen))
            fail_msg("%s: expected %lld fen, got %s%s", text, (long long)fen, r.value, r.reason);
        if (fen % 1000000 == 0) {
            snprintf(text, sizeof text, "%lld万元", (long long)(fen / 1000000));
            assert_true(sj_norm_amount(sj_str_from_cstr(text), &r));
            assert_int_equal(r.number, fen);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amount_table),
        cmocka_unit_test(test_view_not_terminated),
        cmocka_unit_test(test_chinese_round_trip),
        cmocka_unit_test(test_arabic_round_trip),
    };
    return cmocka_run_group_tests_name("norm_amount", tests, NULL, NULL);
}
