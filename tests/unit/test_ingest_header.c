/*
 * test_ingest_header.c - header names to kinds (the synonym table and its precedence),
 * finding the header row below titles and notes, and sniffing a column's kind from its
 * values. Table-driven; each failing row names itself. ID numbers are synthetic with check
 * digits computed per GB 11643.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/ingest.h"

/* ---- Header names ------------------------------------------------------------------------- */

static const struct {
    const char *header;
    enum sj_kind want;
} header_cases[] = {
    {"身份证号", SJ_KIND_IDCARD},
    {"公民身份号码", SJ_KIND_IDCARD},
    {"证件号码", SJ_KIND_PARTYID}, /* people and organisations: id or credit code */
    {"当事人证件号", SJ_KIND_PARTYID},
    {"案件编号", SJ_KIND_CODE}, /* record numbers are codes: full-width folded, spaces removed */
    {"鉴定书编号", SJ_KIND_CODE},
    {"处罚决定书号", SJ_KIND_CODE},
    {"身份证", SJ_KIND_IDCARD},
    {"身份证号码", SJ_KIND_IDCARD},
    {" 身份证号 ", SJ_KIND_IDCARD},
    {"身份证号：", SJ_KIND_IDCARD},
    {"*身份证号", SJ_KIND_IDCARD},
    {"持卡人身份证号", SJ_KIND_IDCARD},
    {"身份证号（１８位）", SJ_KIND_IDCARD},
    {"姓名", SJ_KIND_NAME},
    {"当事人", SJ_KIND_NAME},
    {"被告人", SJ_KIND_NAME},
    {"原告", SJ_KIND_NAME},
    {"被害人", SJ_KIND_NAME},
    {"嫌疑人姓名", SJ_KIND_NAME},
    {"对方户名", SJ_KIND_NAME},
    {"被告人 姓名", SJ_KIND_NAME},
    {"单位名称", SJ_KIND_TEXT},
    {"名称", SJ_KIND_TEXT},
    {"手机", SJ_KIND_PHONE},
    {"手机号", SJ_KIND_PHONE},
    {"电话", SJ_KIND_PHONE},
    {"联系电话", SJ_KIND_PHONE},
    {"联系方式", SJ_KIND_PHONE},
    {"手机号码", SJ_KIND_PHONE},
    {"主叫号码", SJ_KIND_PHONE},
    {"金额", SJ_KIND_AMOUNT},
    {"交易金额", SJ_KIND_AMOUNT},
    {"涉案金额", SJ_KIND_AMOUNT},
    {"标的金额", SJ_KIND_AMOUNT},
    {"罚款金额", SJ_KIND_AMOUNT},
    {"赔偿金额", SJ_KIND_AMOUNT},
    {"价值", SJ_KIND_AMOUNT},
    {"交易金额（元）", SJ_KIND_AMOUNT},
    {"罚没(万元)", SJ_KIND_AMOUNT},
    {"账户余额", SJ_KIND_AMOUNT},
    {"交易\n金额", SJ_KIND_AMOUNT},
    {"日期", SJ_KIND_DATE},
    {"交易日期", SJ_KIND_DATE},
    {"立案日期", SJ_KIND_DATE},
    {"裁判日期", SJ_KIND_DATE},
    {"鉴定日期", SJ_KIND_DATE},
    {"处罚日期", SJ_KIND_DATE},
    {"出生日期", SJ_KIND_DATE},
    {"交易时间", SJ_KIND_DATETIME},
    {"时间", SJ_KIND_DATETIME},
    {"通话时间", SJ_KIND_DATETIME},
    {"打卡时间", SJ_KIND_DATETIME},
    {"案号", SJ_KIND_CASENO},
    {"文书号", SJ_KIND_CASENO},
    {"原审案号", SJ_KIND_CASENO},
    {"统一社会信用代码", SJ_KIND_CREDITCODE},
    {"信用代码", SJ_KIND_CREDITCODE},
    {"组织机构代码", SJ_KIND_ORGCODE},
    {"卡号", SJ_KIND_BANKCARD},
    {"银行卡号", SJ_KIND_BANKCARD},
    {"账号", SJ_KIND_BANKCARD},
    {"交易账号", SJ_KIND_BANKCARD},
    {"对方账号", SJ_KIND_BANKCARD},
    {"交易卡号", SJ_KIND_BANKCARD},
    {"车牌", SJ_KIND_PLATE},
    {"车牌号", SJ_KIND_PLATE},
    {"号牌号码", SJ_KIND_PLATE},
    {"数量", SJ_KIND_INTEGER},
    {"次数", SJ_KIND_INTEGER},
    {"人数", SJ_KIND_INTEGER},
    {"通话次数", SJ_KIND_INTEGER},
    {"通话时长(秒)", SJ_KIND_INTEGER},
    {"Name", SJ_KIND_NAME},
    {"ID_CARD", SJ_KIND_IDCARD},
    {"ｐｈｏｎｅ", SJ_KIND_PHONE},
    {"备注", SJ_KIND_TEXT},
    {"地址", SJ_KIND_TEXT},
    {"序号", SJ_KIND_TEXT},
    {"", SJ_KIND_TEXT},
    {"   ", SJ_KIND_TEXT},
    {"()", SJ_KIND_TEXT},
};

static void test_kind_of_header(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < SJ_ARRAY_LEN(header_cases); i++) {
        enum sj_kind got = sj_ingest_kind_of_header(sj_str_from_cstr(header_cases[i].header));
        if (got != header_cases[i].want) {
            print_error("header '%s': got %s, want %s\n", header_cases[i].header, sj_kind_name(got),
                        sj_kind_name(header_cases[i].want));
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* ---- Header row ------------------------------------------------------------------------------ */

#define MAX_CELLS 6
#define MAX_ROWS 8

struct header_case {
    const char *name;
    const char *rows[MAX_ROWS][MAX_CELLS]; /* NULL ends a row; an all-NULL row ends the table */
    size_t want;
};

static const struct header_case find_cases[] = {
    {"header first",
     {{"姓名", "身份证号", "金额"},
      {"张三", "11010519491231002X", "100"},
      {"李四", "441802198506120030", "200"}},
     0},
    {"title row above",
     {{"XX市公安局鉴定意见汇总表"},
      {"姓名", "身份证号", "鉴定日期"},
      {"张三", "11010519491231002X", "2023-01-02"},
      {"李四", "441802198506120030", "2023-02-03"}},
     1},
    {"title and a notes row",
     {{"XX市公安局鉴定意见汇总表"},
      {"制表单位：清城区检察院", "", "", "", "制表日期：2023-01-01"},
      {"序号", "姓名", "身份证号", "鉴定日期", "价值"},
      {"1", "张三", "11010519491231002X", "2023-01-02", "100"},
      {"2", "李四", "441802198506120030", "2023-02-03", "200"}},
     2},
    {"merged title exported with empty cells",
     {{"", "", "2023年银行流水", "", ""},
      {"户名", "账号", "交易时间", "金额", "摘要"},
      {"张三", "6222020200000000000", "2023-01-02 10:00", "100", "转账"}},
     1},
    {"no header at all: first row",
     {{"1", "11010519491231002X", "100"}, {"2", "441802198506120030", "200"}},
     0},
    {"one column", {{"姓名"}, {"张三"}, {"李四"}}, 0},
    {"a header alone", {{"姓名", "电话"}}, 0},
};

static void test_find_header(void **state)
{
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(find_cases); i++) {
        const struct header_case *c = &find_cases[i];
        struct sj_str cells[MAX_ROWS][MAX_CELLS];
        struct sj_reader_row rows[MAX_ROWS];
        size_t n = 0;
        for (; n < MAX_ROWS && c->rows[n][0]; n++) {
            size_t k = 0;
            for (; k < MAX_CELLS && c->rows[n][k]; k++)
                cells[n][k] = sj_str_from_cstr(c->rows[n][k]);
            rows[n] = (struct sj_reader_row){
                .source_row = (int64_t)n + 1, .cell_count = k, .cells = cells[n]};
        }
        size_t got = sj_ingest_find_header(rows, n);
        if (got != c->want)
            fail_msg("case '%s': header at %zu, want %zu", c->name, got, c->want);
    }
}

/* ---- Sniffing ------------------------------------------------------------------------------ */

struct sniff_case {
    const char *name;
    enum sj_kind suggested;
    const char *samples[6]; /* NULL-terminated */
    enum sj_kind want;
};

static const struct sniff_case sniff_cases[] = {
    {"ids confirm idcard",
     SJ_KIND_IDCARD,
     {"11010519491231002X", "441802198506120030", "441803197611051227"},
     SJ_KIND_IDCARD},
    {"a minority of bad ids keeps idcard",
     SJ_KIND_IDCARD,
     {"11010519491231002X", "441802198506120030", "441802198506120031"},
     SJ_KIND_IDCARD},
    {"ids under a phone header",
     SJ_KIND_PHONE,
     {"11010519491231002X", "441802198506120030", "441803197611051227"},
     SJ_KIND_IDCARD},
    {"text promoted to idcard",
     SJ_KIND_TEXT,
     {"11010519491231002X", "", "441802198506120030", "441803197611051227"},
     SJ_KIND_IDCARD},
    {"text promoted to phone",
     SJ_KIND_TEXT,
     {"13800138000", "139 0013 9000", "+86 13700137000"},
     SJ_KIND_PHONE},
    {"text promoted to date",
     SJ_KIND_TEXT,
     {"2023-01-02", "2023/2/3", "2023年3月4日"},
     SJ_KIND_DATE},
    {"bare digits are no date", SJ_KIND_TEXT, {"20230102", "20230203", "20230304"}, SJ_KIND_TEXT},
    {"serial numbers stay text", SJ_KIND_TEXT, {"1", "2", "3"}, SJ_KIND_TEXT},
    {"mixed stays text", SJ_KIND_TEXT, {"13800138000", "转账", "工资"}, SJ_KIND_TEXT},
    {"a date header believes bare digits", SJ_KIND_DATE, {"20230102", "20230203"}, SJ_KIND_DATE},
    {"no samples keep the header", SJ_KIND_AMOUNT, {"", " "}, SJ_KIND_AMOUNT},
    {"names stay names", SJ_KIND_NAME, {"张三", "欧阳娜娜", "阿依古丽·买买提"}, SJ_KIND_NAME},
};

static void test_sniff_kind(void **state)
{
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(sniff_cases); i++) {
        const struct sniff_case *c = &sniff_cases[i];
        struct sj_str samples[6];
        size_t n = 0;
        for (; n < 6 && c->samples[n]; n++)
            samples[n] = sj_str_from_cstr(c->samples[n]);
        enum sj_kind got = sj_ingest_sniff_kind(c->suggested, samples, n);
        if (got != c->want)
            fail_msg("case '%s': got %s, want %s", c->name, sj_kind_name(got),
                     sj_kind_name(c->want));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_of_header),
        cmocka_unit_test(test_find_header),
        cmocka_unit_test(test_sniff_kind),
    };
    return cmocka_run_group_tests_name("ingest_header", tests, NULL, NULL);
}
