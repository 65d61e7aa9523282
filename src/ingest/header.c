/*
 * header.c - the header row and what its names say: a synonym table from header names to
 * kinds (exact names first, then suffix/infix rules in a fixed precedence) and a header-row
 * finder that skips title and note rows above the real header. Values are sniffed in
 * sniff.c.
 *
 * Invariants: nothing here allocates; header names are compared after trimming, folding
 * full-width forms to ASCII, removing spaces and a trailing unit in brackets ("金额（元）").
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest_int.h"

#define HEADER_MAX 256      /* longer "headers" are sentences, never column names */
#define HEADER_SCAN_ROWS 30 /* the header is looked for among the first rows only */

struct synonym {
    const char *name;
    enum sj_kind kind;
};

/* Whole names, as offices' spreadsheets spell them. */
static const struct synonym exact_names[] = {
    {"身份证号", SJ_KIND_IDCARD},     {"公民身份号码", SJ_KIND_IDCARD},
    {"证件号码", SJ_KIND_PARTYID},    {"身份证", SJ_KIND_IDCARD},
    {"身份证号码", SJ_KIND_IDCARD},   {"证件号", SJ_KIND_PARTYID},
    {"姓名", SJ_KIND_NAME},           {"当事人", SJ_KIND_NAME},
    {"被告人", SJ_KIND_NAME},         {"原告", SJ_KIND_NAME},
    {"被告", SJ_KIND_NAME},           {"被害人", SJ_KIND_NAME},
    {"嫌疑人", SJ_KIND_NAME},         {"犯罪嫌疑人", SJ_KIND_NAME},
    {"申请人", SJ_KIND_NAME},         {"被申请人", SJ_KIND_NAME},
    {"被执行人", SJ_KIND_NAME},       {"申请执行人", SJ_KIND_NAME},
    {"第三人", SJ_KIND_NAME},         {"上诉人", SJ_KIND_NAME},
    {"被上诉人", SJ_KIND_NAME},       {"被鉴定人", SJ_KIND_NAME},
    {"持卡人", SJ_KIND_NAME},         {"户名", SJ_KIND_NAME},
    {"对方户名", SJ_KIND_NAME},       {"账户名", SJ_KIND_NAME},
    {"法定代表人", SJ_KIND_NAME},     {"委托诉讼代理人", SJ_KIND_NAME},
    {"代理人", SJ_KIND_NAME},         {"律师", SJ_KIND_NAME},
    {"手机", SJ_KIND_PHONE},          {"手机号", SJ_KIND_PHONE},
    {"电话", SJ_KIND_PHONE},          {"联系电话", SJ_KIND_PHONE},
    {"联系方式", SJ_KIND_PHONE},      {"主叫号码", SJ_KIND_PHONE},
    {"被叫号码", SJ_KIND_PHONE},      {"对方号码", SJ_KIND_PHONE},
    {"本机号码", SJ_KIND_PHONE},      {"金额", SJ_KIND_AMOUNT},
    {"价值", SJ_KIND_AMOUNT},         {"标的额", SJ_KIND_AMOUNT},
    {"罚款", SJ_KIND_AMOUNT},         {"罚金", SJ_KIND_AMOUNT},
    {"日期", SJ_KIND_DATE},           {"时间", SJ_KIND_DATETIME},
    {"日期时间", SJ_KIND_DATETIME},   {"案号", SJ_KIND_CASENO},
    {"文书号", SJ_KIND_CASENO},       {"统一社会信用代码", SJ_KIND_CREDITCODE},
    {"信用代码", SJ_KIND_CREDITCODE}, {"组织机构代码", SJ_KIND_ORGCODE},
    {"机构代码", SJ_KIND_ORGCODE},    {"卡号", SJ_KIND_BANKCARD},
    {"银行卡号", SJ_KIND_BANKCARD},   {"账号", SJ_KIND_BANKCARD},
    {"帐号", SJ_KIND_BANKCARD},       {"交易账号", SJ_KIND_BANKCARD},
    {"对方账号", SJ_KIND_BANKCARD},   {"车牌", SJ_KIND_PLATE},
    {"车牌号", SJ_KIND_PLATE},        {"号牌号码", SJ_KIND_PLATE},
    {"号牌", SJ_KIND_PLATE},          {"数量", SJ_KIND_INTEGER},
    {"次数", SJ_KIND_INTEGER},        {"人数", SJ_KIND_INTEGER},
    {"年龄", SJ_KIND_INTEGER},        {"编号", SJ_KIND_CODE},
};

/* English column names, compared without case. */
static const struct synonym english_names[] = {
    {"idcard", SJ_KIND_IDCARD},     {"id_card", SJ_KIND_IDCARD},
    {"id_number", SJ_KIND_IDCARD},  {"name", SJ_KIND_NAME},
    {"phone", SJ_KIND_PHONE},       {"mobile", SJ_KIND_PHONE},
    {"amount", SJ_KIND_AMOUNT},     {"date", SJ_KIND_DATE},
    {"datetime", SJ_KIND_DATETIME}, {"time", SJ_KIND_DATETIME},
    {"case_no", SJ_KIND_CASENO},    {"credit_code", SJ_KIND_CREDITCODE},
    {"org_code", SJ_KIND_ORGCODE},  {"bankcard", SJ_KIND_BANKCARD},
    {"card_no", SJ_KIND_BANKCARD},  {"account", SJ_KIND_BANKCARD},
    {"plate", SJ_KIND_PLATE},       {"count", SJ_KIND_INTEGER},
};

enum match { CONTAINS, ENDS };

struct rule {
    enum match match;
    const char *part;
    enum sj_kind kind;
};

/* Tried in order after the exact names; the order is the precedence: identifiers before
 * phones (持卡人身份证号 is an id), dates before times, names last (对方账号姓名 is a name,
 * but 姓名拼音 is not). 名称 alone is deliberately absent: 单位名称 is an organisation. */
static const struct rule rules[] = {
    {CONTAINS, "身份证", SJ_KIND_IDCARD},
    {ENDS, "身份号码", SJ_KIND_IDCARD},
    {ENDS, "证件号码", SJ_KIND_PARTYID},
    {ENDS, "证件号", SJ_KIND_PARTYID},
    {CONTAINS, "信用代码", SJ_KIND_CREDITCODE},
    {CONTAINS, "组织机构代码", SJ_KIND_ORGCODE},
    {ENDS, "案号", SJ_KIND_CASENO},
    {CONTAINS, "文书号", SJ_KIND_CASENO},
    {ENDS, "编号", SJ_KIND_CODE},
    {ENDS, "决定书号", SJ_KIND_CODE},
    {CONTAINS, "车牌", SJ_KIND_PLATE},
    {ENDS, "号牌号码", SJ_KIND_PLATE},
    {CONTAINS, "卡号", SJ_KIND_BANKCARD},
    {ENDS, "账号", SJ_KIND_BANKCARD},
    {ENDS, "帐号", SJ_KIND_BANKCARD},
    {CONTAINS, "手机", SJ_KIND_PHONE},
    {ENDS, "电话", SJ_KIND_PHONE},
    {ENDS, "电话号码", SJ_KIND_PHONE},
    {ENDS, "联系方式", SJ_KIND_PHONE},
    {ENDS, "日期", SJ_KIND_DATE},
    {ENDS, "时间", SJ_KIND_DATETIME},
    {ENDS, "金额", SJ_KIND_AMOUNT},
    {ENDS, "余额", SJ_KIND_AMOUNT},
    {ENDS, "价值", SJ_KIND_AMOUNT},
    {ENDS, "价格", SJ_KIND_AMOUNT},
    {ENDS, "罚款", SJ_KIND_AMOUNT},
    {ENDS, "姓名", SJ_KIND_NAME},
    {ENDS, "次数", SJ_KIND_INTEGER},
    {ENDS, "人数", SJ_KIND_INTEGER},
    {ENDS, "数量", SJ_KIND_INTEGER},
    {ENDS, "时长", SJ_KIND_INTEGER},
};

/* A bracketed unit that alone says "money": 金额（元）is caught by the rules, but 罚没（万元）
 * is not. */
static const char *const money_units[] = {"元", "万元", "亿元", "人民币", "RMB", "¥"};

static bool ends_with(const char *s, size_t len, const char *part)
{
    size_t n = strlen(part);
    return n <= len && memcmp(s + len - n, part, n) == 0;
}

static bool contains(const char *s, size_t len, const char *part)
{
    return sj_str_find(sj_str_make(s, len), sj_str_from_cstr(part)) >= 0;
}

/* Folds header into out: full-width forms to ASCII, white space removed, a leading '*'
 * (a "required" marker) and a trailing ':' dropped. The unit of a trailing "(...)" goes to
 * unit (NUL-terminated, possibly empty). Returns the length, or -1 when it does not fit. */
static long fold_header(struct sj_str header, char *out, size_t size, char *unit, size_t usize)
{
    char tmp[HEADER_MAX];
    long n = sj_fold_halfwidth_to(sj_str_trim(header), tmp, sizeof tmp);
    if (n < 0)
        return -1;
    size_t len = 0;
    for (long i = 0; i < n; i++) {
        if (!isspace((unsigned char)tmp[i]) && len + 1 < size)
            out[len++] = tmp[i];
    }
    out[len] = '\0';
    unit[0] = '\0';
    while (len > 0 && (out[len - 1] == ':' || out[len - 1] == '*'))
        out[--len] = '\0';
    if (len > 0 && out[len - 1] == ')') {
        char *open = strrchr(out, '(');
        if (open && open > out) {
            snprintf(unit, usize, "%.*s", (int)(out + len - 1 - open - 1), open + 1);
            len = (size_t)(open - out);
            out[len] = '\0';
        }
    }
    size_t skip = 0;
    while (skip < len && out[skip] == '*')
        skip++;
    memmove(out, out + skip, len - skip + 1);
    return (long)(len - skip);
}

static enum sj_kind kind_by_rules(const char *name, size_t len, const char *unit)
{
    for (size_t i = 0; i < SJ_ARRAY_LEN(exact_names); i++) {
        if (strcmp(name, exact_names[i].name) == 0)
            return exact_names[i].kind;
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(english_names); i++) {
        if (strcasecmp(name, english_names[i].name) == 0)
            return english_names[i].kind;
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(rules); i++) {
        const struct rule *r = &rules[i];
        bool hit = r->match == ENDS ? ends_with(name, len, r->part) : contains(name, len, r->part);
        if (hit)
            return r->kind;
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(money_units); i++) {
        if (strcmp(unit, money_units[i]) == 0)
            return SJ_KIND_AMOUNT;
    }
    return SJ_KIND_TEXT;
}

enum sj_kind sj_ingest_kind_of_header(struct sj_str header)
{
    char name[HEADER_MAX], unit[64];
    long len = fold_header(header, name, sizeof name, unit, sizeof unit);
    if (len <= 0)
        return SJ_KIND_TEXT;
    return kind_by_rules(name, (size_t)len, unit);
}

/* ---- Finding the header row ------------------------------------------------------------- */

/* A cell that looks like data rather than a column name: mostly digits and the
 * punctuation of numbers and dates. */
static bool looks_numeric(struct sj_str cell)
{
    size_t digits = 0, other = 0;
    for (size_t i = 0; i < cell.len; i++) {
        unsigned char ch = (unsigned char)cell.ptr[i];
        if (isdigit(ch))
            digits++;
        else if (!strchr(" -./:,+%", ch))
            other++;
    }
    return digits > 0 && digits >= other;
}

struct row_shape {
    size_t filled;  /* non-empty cells */
    size_t width;   /* 1 + index of the last non-empty cell */
    size_t numeric; /* cells that look like data */
    size_t long_cells;
    size_t distinct; /* non-empty cells unlike every earlier cell of the row */
};

static struct row_shape shape_of(const struct sj_reader_row *row)
{
    struct row_shape s = {0};
    for (size_t i = 0; i < row->cell_count; i++) {
        struct sj_str cell = sj_str_trim(row->cells[i]);
        if (cell.len == 0)
            continue;
        s.filled++;
        s.width = i + 1;
        s.numeric += looks_numeric(cell);
        s.long_cells += cell.len > 90; /* about 30 Chinese characters: a sentence */
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = sj_str_eq(sj_str_trim(row->cells[j]), cell);
        s.distinct += !seen;
    }
    return s;
}

/* The typical width of the rows after index i: their median width. */
static size_t width_after(const struct sj_reader_row *rows, size_t count, size_t i)
{
    size_t widths[HEADER_SCAN_ROWS];
    size_t n = 0;
    for (size_t j = i + 1; j < count && n < HEADER_SCAN_ROWS; j++)
        widths[n++] = shape_of(&rows[j]).width;
    if (n == 0)
        return 0;
    for (size_t a = 1; a < n; a++) { /* insertion sort: n is tiny */
        size_t v = widths[a], b = a;
        for (; b > 0 && widths[b - 1] > v; b--)
            widths[b] = widths[b - 1];
        widths[b] = v;
    }
    return widths[n / 2];
}

static bool is_header_like(const struct sj_reader_row *rows, size_t count, size_t i)
{
    struct row_shape s = shape_of(&rows[i]);
    size_t typical = width_after(rows, count, i);
    if (s.filled == 0 || s.long_cells > 0)
        return false;
    if (s.filled < 2 && typical > 1)
        return false;
    if (s.numeric * 10 > s.filled * 3 || s.distinct * 10 < s.filled * 8)
        return false;
    /* A note row ("制表单位：…  制表日期：…") names fewer columns than the data fills. */
    return typical == 0 || s.filled * 2 >= typical;
}

size_t sj_ingest_find_header(const struct sj_reader_row *rows, size_t row_count)
{
    size_t limit = row_count < HEADER_SCAN_ROWS ? row_count : HEADER_SCAN_ROWS;
    for (size_t i = 0; i < limit; i++) {
        if (is_header_like(rows, row_count, i))
            return i;
    }
    return 0;
}
