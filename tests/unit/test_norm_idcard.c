/*
 * test_norm_idcard.c - sj_norm_idcard and the bundled GB/T 2260 table (sj_region_name):
 * valid 18-digit numbers with X, x and full-width forms, inner separators, 15-digit
 * numbers upgraded to 18, wrong check characters, impossible and future birth dates,
 * unknown regions, and codes retired since 1980 that must stay valid for old numbers.
 * Expected check characters were computed with an independent Python snippet
 * (ISO 7064 MOD 11-2, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2). Numbers are synthetic.
 * "Today" is fixed at 2026-11-27. One result is reused across all rows.
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

static const struct tu_norm_case cases[] = {
    /* the example of norm.h */
    {"11010519491231002X", "11010519491231002X",
     "birth=1949-12-31;sex=F;region_code=110105;region_name=北京市朝阳区"},
    {"11010519491231002x", "11010519491231002X",
     "birth=1949-12-31;sex=F;region_code=110105;region_name=北京市朝阳区"},
    {"  11010519491231002X\t", "11010519491231002X",
     "birth=1949-12-31;sex=F;region_code=110105;region_name=北京市朝阳区"},
    {"110105 19491231 002X", "11010519491231002X",
     "birth=1949-12-31;sex=F;region_code=110105;region_name=北京市朝阳区"},
    {"110105-19491231-002X", "11010519491231002X",
     "birth=1949-12-31;sex=F;region_code=110105;region_name=北京市朝阳区"},
    {"１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X",
     "birth=1949-12-31;sex=F;region_code=110105;region_name=北京市朝阳区"},
    {"１１０１０５１９４９１２３１００２ｘ\xe3\x80\x80", "11010519491231002X",
     "birth=1949-12-31;sex=F;region_code=110105;region_name=北京市朝阳区"},
    {"\xc2\xa0"
     "11010519491231002X",
     "11010519491231002X", "birth=1949-12-31;sex=F;region_code=110105;region_name=北京市朝阳区"},
    /* other regions and check characters */
    {"441802199912310002", "441802199912310002",
     "birth=1999-12-31;sex=F;region_code=441802;region_name=广东省清远市清城区"},
    {"440300190001010015", "440300190001010015",
     "birth=1900-01-01;sex=M;region_code=440300;region_name=广东省深圳市"},
    {"110105202611270017", "110105202611270017",
     "birth=2026-11-27;sex=M;region_code=110105;region_name=北京市朝阳区"},
    {"110000199001010016", NULL, "校验码应为3，实际为6"},
    /* retired codes stay valid for old numbers */
    {"132101196507081234", "132101196507081234",
     "birth=1965-07-08;sex=M;region_code=132101;region_name=河北省邯郸地区邯郸市"},
    {"320821199001014510", "320821199001014510",
     "birth=1990-01-01;sex=M;region_code=320821;region_name=江苏省淮阴市淮阴县"},
    {"232304198002290025", "232304198002290025",
     "birth=1980-02-29;sex=F;region_code=232304;region_name=黑龙江省绥化地区海伦市"},
    /* 15-digit legacy numbers */
    {"110105491231002", "11010519491231002X",
     "birth=1949-12-31;sex=F;region_code=110105;region_name=北京市朝阳区;upgraded=true"},
    {"320821700101451", "320821197001014511",
     "birth=1970-01-01;sex=M;region_code=320821;region_name=江苏省淮阴市淮阴县;upgraded=true"},
    {"132101 650708 123", "132101196507081234",
     "birth=1965-07-08;sex=M;region_code=132101;region_name=河北省邯郸地区邯郸市;upgraded=true"},
    {"１３２１０１６５０７０８１２３", "132101196507081234",
     "birth=1965-07-08;sex=M;region_code=132101;region_name=河北省邯郸地区邯郸市;upgraded=true"},
    /* wrong check characters */
    {"110105194912310023", NULL, "校验码应为X，实际为3"},
    {"110105194912310020", NULL, "校验码应为X，实际为0"},
    {"132101196507081230", NULL, "校验码应为4，实际为0"},
    {"13210119650708123X", NULL, "校验码应为4，实际为X"},
    {"13210119650708123x", NULL, "校验码应为4，实际为X"},
    /* birth dates */
    {"110105194902310018", NULL, "出生日期19490231不存在"},
    {"110105194913010010", NULL, "出生日期19491301不存在"},
    {"11010500000101001X", NULL, "出生日期00000101不存在"},
    {"110105198102290010", NULL, "出生日期19810229不存在"},
    {"110105202611280012", NULL, "出生日期晚于今天"},
    {"110105210001010015", NULL, "出生日期晚于今天"},
    {"110105490231001", NULL, "出生日期19490231不存在"},
    /* regions */
    {"110199198001010016", NULL, "地区码110199不存在"},
    {"000000198001010013", NULL, "地区码000000不存在"},
    {"110199800101001", NULL, "地区码110199不存在"},
    /* layout */
    {"", NULL, "身份证号为空"},
    {"   ", NULL, "身份证号为空"},
    {"1101051949123100", NULL, "长度应为18位或15位，实际为16位"},
    {"11010519491231002", NULL, "长度应为18位或15位，实际为17位"},
    {"11010519491231002X1", NULL, "长度应为18位或15位，实际为19位"},
    {"11010519491231002X11010519491231002X", NULL, "长度应为18位或15位，实际为36位"},
    {"1101051949123100X2", NULL, "只有最后一位可以是X"},
    {"11010549123100X", NULL, "15位身份证号只能由数字组成"},
    {"11010519491231002Y", NULL, "含有无效字符“Y”"},
    {"110105.19491231.002X", NULL, "含有无效字符“.”"},
    {"身份证11010519491231002X", NULL, "含有无效字符"},
    {"\xff\xfe", NULL, "含有无效字符"},
};

static int fix_today(void **state)
{
    (void)state;
    sj_norm_set_today(2026, 11, 27);
    return 0;
}

static void test_idcard_table(void **state)
{
    (void)state;
    static const struct tu_norm_table idcard = {.kind = SJ_KIND_IDCARD, .fn = sj_norm_idcard};
    tu_norm_run(&idcard, cases, SJ_ARRAY_LEN(cases));
}

/* The input is a view, not a C string: bytes past len must not be read or matter. */
static void test_idcard_view_not_terminated(void **state)
{
    (void)state;
    struct sj_norm_result r;
    const char text[] = "11010519491231002X999";
    assert_true(sj_norm_idcard(sj_str_make(text, 18), &r));
    assert_string_equal(r.value, "11010519491231002X");
    assert_false(sj_norm_idcard(sj_str_make(text, 17), &r));
    assert_string_equal(r.reason, "长度应为18位或15位，实际为17位");
    assert_false(sj_norm_idcard(sj_str_make(NULL, 0), &r));
    assert_string_equal(r.reason, "身份证号为空");
}

/* Every check character position: changing the last character to any other one of
 * 0-9/X must be rejected with the right expected character. */
static void test_idcard_single_check(void **state)
{
    (void)state;
    static const char *const valid[] = {"11010519491231002X", "441802199912310002",
                                        "132101196507081234", "320821199001014510"};
    static const char alphabet[] = "0123456789X";
    struct sj_norm_result r;
    char id[19], want[64];
    for (size_t v = 0; v < SJ_ARRAY_LEN(valid); v++) {
        for (size_t k = 0; k < 11; k++) {
            memcpy(id, valid[v], 19);
            if (alphabet[k] == id[17])
                continue;
            id[17] = alphabet[k];
            assert_false(sj_norm_idcard(sj_str_from_cstr(id), &r));
            snprintf(want, sizeof want, "校验码应为%c，实际为%c", valid[v][17], alphabet[k]);
            assert_string_equal(r.reason, want);
        }
    }
}

struct region_case {
    const char *code;
    const char *name; /* NULL when unknown */
};

static const struct region_case region_cases[] = {
    {"110000", "北京市"},
    {"110105", "北京市朝阳区"},
    {"441802", "广东省清远市清城区"},
    {"440300", "广东省深圳市"},
    {"130400", "河北省邯郸市"},
    {"132101", "河北省邯郸地区邯郸市"},
    {"320821", "江苏省淮阴市淮阴县"},
    {"110199", NULL},
    {"000000", NULL},
    {"999999", NULL},
    {"11010", NULL},
    {"1101055", NULL},
    {"11010a", NULL},
    {"", NULL},
};

static void test_region_lookup(void **state)
{
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(region_cases); i++) {
        const char *got = sj_region_name(region_cases[i].code);
        if (region_cases[i].name == NULL) {
            if (got)
                fail_msg("%s: expected unknown, got %s", region_cases[i].code, got);
        } else {
            if (!got)
                fail_msg("%s: expected %s, got unknown", region_cases[i].code,
                         region_cases[i].name);
            assert_string_equal(got, region_cases[i].name);
        }
    }
    assert_null(sj_region_name(NULL));
    const char *src = sj_region_table_source();
    assert_non_null(src);
    assert_non_null(strstr(src, "民政部"));
    assert_non_null(strstr(src, "2026-11-27"));
}

/* The compiled table holds exactly the rows of data/gb2260/regions.tsv. */
static void test_region_table_matches_tsv(void **state)
{
    (void)state;
    const char *root = getenv("SJ_SOURCE_ROOT");
    if (!root) {
        skip();
        return;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/data/gb2260/regions.tsv", root);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    assert_int_equal(strncmp(line, "code\tname\t", 10), 0);
    while (fgets(line, sizeof line, f)) {
        char *tab1 = strchr(line, '\t');
        assert_non_null(tab1);
        *tab1 = '\0';
        char *name = tab1 + 1;
        char *tab2 = strchr(name, '\t');
        assert_non_null(tab2);
        *tab2 = '\0';
        const char *got = sj_region_name(line);
        if (!got || strcmp(got, name) != 0)
            fail_msg("%s: table has %s, tsv %s", line, got ? got : "(none)", name);
        rows++;
    }
    fclose(f);
    assert_true(rows > 6000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idcard_table),
        cmocka_unit_test(test_idcard_view_not_terminated),
        cmocka_unit_test(test_idcard_single_check),
        cmocka_unit_test(test_region_lookup),
        cmocka_unit_test(test_region_table_matches_tsv),
    };
    return cmocka_run_group_tests_name("norm_idcard", tests, fix_today, NULL);
}
