/*
 * gen_import_rows.c - one synthetic bank-statement row for the import benchmark. Every
 * identifier is invented but valid (ID check digits by GB 11643, card numbers by Luhn,
 * mobile numbers of the 138 0013 8000 style), so a correct import imports every row and
 * flags no cell. Deterministic (xorshift64*, fixed seed); no dependency on libshujian.
 */
#include "gen_import_rows.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PICK(r, arr) ((arr)[rng_int((r), (int)(sizeof(arr) / sizeof((arr)[0])))])

const char *const gen_header[GEN_COLUMNS] = {"姓名",     "身份证号", "手机号",   "交易日期",
                                             "交易金额", "银行卡号", "对方户名", "交易摘要",
                                             "备注",     "数量"};

enum {
    COL_NAME,
    COL_IDCARD,
    COL_PHONE,
    COL_DATE,
    COL_AMOUNT,
    COL_CARD,
    COL_PEER,
    COL_SUMMARY,
    COL_NOTE,
    COL_COUNT
};

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
    r->s = seed ? seed : 0x9E3779B97F4A7C15ULL;
}

static uint64_t rng_next(struct gen_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ULL;
}

static int rng_int(struct gen_rng *r, int n)
{
    return (int)((rng_next(r) >> 33) % (uint64_t)n);
}

static void gen_name(struct gen_rng *r, char *out)
{
    static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵",  "吴",
                                           "周", "徐", "孙", "马", "朱", "胡", "郭", "何",  "高",
                                           "林", "罗", "郑", "梁", "谢", "宋", "唐", "欧阳"};
    static const char *const given[] = {
        "伟", "芳", "娜", "敏",   "静", "丽", "强", "磊",   "军",   "洋", "勇", "艳",   "杰",
        "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "辉", "玉兰", "海燕"};
    static const char *const traditional[] = {"陳", "劉", "張", "黃", "趙", "吳", "鄭", "謝"};
    int kind = rng_int(r, 100);
    if (kind < 2) {
        snprintf(out, GEN_VALUE_MAX, "%s·%s", PICK(r, given), "买买提");
        return;
    }
    const char *surname = kind < 7 ? PICK(r, traditional) : PICK(r, surnames);
    if (rng_int(r, 3) == 0)
        snprintf(out, GEN_VALUE_MAX, "%s%s", surname, PICK(r, given));
    else
        snprintf(out, GEN_VALUE_MAX, "%s%s%s", surname, PICK(r, given), PICK(r, given));
}

static void gen_idcard(struct gen_rng *r, char *out)
{
    static const char *const regions[] = {"110101", "110102", "110105", "110108", "310101",
                                          "310104", "310115", "440103", "440106", "440305",
                                          "441802", "320102", "330102", "330106", "420102",
                                          "510104", "500103", "370102", "610103", "210102"};
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int year = 1950 + rng_int(r, 56), month = 1 + rng_int(r, 12), day = 1 + rng_int(r, 28);
    snprintf(out, GEN_VALUE_MAX, "%s%04d%02d%02d%03d", PICK(r, regions), year, month, day,
             rng_int(r, 1000));
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * weights[i];
    out[17] = "10X98765432"[sum % 11];
    if (out[17] == 'X' && rng_int(r, 4) == 0)
        out[17] = 'x';
    out[18] = '\0';
}

static void gen_phone(struct gen_rng *r, char *out)
{
    static const char *const prefixes[] = {"130", "131", "133", "135", "136", "137", "138", "139",
                                           "150", "151", "158", "177", "180", "186", "188", "199"};
    static const char *const areas[] = {"010", "020", "021", "0755", "0763", "0571", "028"};
    const char *p = PICK(r, prefixes);
    int a = rng_int(r, 10000), b = rng_int(r, 10000), form = rng_int(r, 20);
    if (form < 12)
        snprintf(out, GEN_VALUE_MAX, "%s%04d%04d", p, a, b);
    else if (form < 15)
        snprintf(out, GEN_VALUE_MAX, "%s %04d %04d", p, a, b);
    else if (form < 17)
        snprintf(out, GEN_VALUE_MAX, "+86 %s-%04d-%04d", p, a, b);
    else if (form < 19)
        snprintf(out, GEN_VALUE_MAX, "%s-%d%07d", PICK(r, areas), 2 + rng_int(r, 7),
                 rng_int(r, 10000000));
    else
        snprintf(out, GEN_VALUE_MAX, "(%s)%d%07d", PICK(r, areas), 2 + rng_int(r, 7),
                 rng_int(r, 10000000));
}

/* Mostly ISO dates (what exports write), some in the other notations clerks type. */
static void gen_date(struct gen_rng *r, struct gen_row *row)
{
    char *out = row->text[COL_DATE];
    int y = 2015 + rng_int(r, 11), m = 1 + rng_int(r, 12), d = 1 + rng_int(r, 28);
    int form = rng_int(r, 20);
    row->type[COL_DATE] = GEN_TEXT;
    if (form < 12) {
        snprintf(out, GEN_VALUE_MAX, "%04d-%02d-%02d", y, m, d);
        row->type[COL_DATE] = GEN_DATE;
        row->year[COL_DATE] = y;
        row->month[COL_DATE] = m;
        row->day[COL_DATE] = d;
    } else if (form < 15) {
        snprintf(out, GEN_VALUE_MAX, "%d/%d/%d", y, m, d);
    } else if (form < 17) {
        snprintf(out, GEN_VALUE_MAX, "%04d%02d%02d", y, m, d);
    } else if (form < 19) {
        snprintf(out, GEN_VALUE_MAX, "%d年%d月%d日", y, m, d);
    } else {
        snprintf(out, GEN_VALUE_MAX, "%d.%d.%d", y, m, d);
    }
}

/* v >= 0 with thousands separators: 1,234,567. */
static int with_commas(long long v, char *out, size_t size)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%lld", v), n = 0;
    for (int i = 0; i < len && (size_t)n + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[n++] = ',';
        out[n++] = digits[i];
    }
    out[n] = '\0';
    return n;
}

/* Capital numerals for whole yuan below 1 亿: 壹万贰仟叁佰元整. */
static void upper_yuan(long long yuan, char *out, size_t size)
{
    static const char *const digits[] = {"零", "壹", "贰", "叁", "肆",
                                         "伍", "陆", "柒", "捌", "玖"};
    static const char *const units[] = {"", "拾", "佰", "仟"};
    int n = 0;
    bool started = false, need_zero = false;
    for (int g = 1; g >= 0; g--) {
        int v = (int)(g == 1 ? yuan / 10000 : yuan % 10000);
        for (int p = 3, div = 1000; p >= 0; p--, div /= 10) {
            int d = v / div % 10;
            if (d == 0) {
                need_zero = started;
                continue;
            }
            n += snprintf(out + n, size - (size_t)n, "%s%s%s", need_zero ? "零" : "", digits[d],
                          units[p]);
            need_zero = false;
            started = true;
        }
        if (g == 1 && v > 0)
            n += snprintf(out + n, size - (size_t)n, "万");
        need_zero = false;
    }
    snprintf(out + n, size - (size_t)n, "%s元整", started ? "" : "零");
}

/* Amounts spread over 1 yuan .. 1 million yuan (log-uniform-ish), in the forms of bank
 * exports and of hand-made tables. */
static void gen_amount(struct gen_rng *r, struct gen_row *row)
{
    char *out = row->text[COL_AMOUNT];
    static const long long scales[] = {100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    long long fen = 100 + (long long)(rng_next(r) % (uint64_t)PICK(r, scales));
    long long yuan = fen / 100;
    int cents = (int)(fen % 100), form = rng_int(r, 20);
    bool negative = form >= 8 && form < 11;
    row->type[COL_AMOUNT] = GEN_TEXT;
    if (form < 11) {
        snprintf(out, GEN_VALUE_MAX, "%s%lld.%02d", negative ? "-" : "", yuan, cents);
        row->type[COL_AMOUNT] = GEN_NUMBER;
        row->number[COL_AMOUNT] = (negative ? -1.0 : 1.0) * (double)fen / 100.0;
    } else if (form < 15) {
        int n = with_commas(yuan, out, GEN_VALUE_MAX);
        snprintf(out + n, GEN_VALUE_MAX - (size_t)n, ".%02d", cents);
    } else if (form < 17) {
        snprintf(out, GEN_VALUE_MAX, "¥%lld.%02d", yuan, cents);
    } else if (form < 19) {
        snprintf(out, GEN_VALUE_MAX, "%lld元", yuan);
    } else {
        upper_yuan(yuan, out, GEN_VALUE_MAX);
    }
}

static void gen_bankcard(struct gen_rng *r, char *out)
{
    static const char *const bins[] = {"622202", "622848", "621700", "622588",
                                       "621226", "623668", "622700", "621483"};
    int len = rng_int(r, 4) == 0 ? 16 : 19;
    memcpy(out, PICK(r, bins), 6);
    for (int i = 6; i < len - 1; i++)
        out[i] = (char)('0' + rng_int(r, 10));
    int sum = 0;
    for (int i = len - 2, dbl = 1; i >= 0; i--, dbl ^= 1) {
        int d = (out[i] - '0') * (dbl ? 2 : 1);
        sum += d > 9 ? d - 9 : d;
    }
    out[len - 1] = (char)('0' + (10 - sum % 10) % 10);
    out[len] = '\0';
}

static void gen_summary(struct gen_rng *r, char *out)
{
    static const char *const words[] = {"转账",    "消费",         "工资",     "网银转账",
                                        "ATM取款", "快捷支付",     "跨行汇款", "手机银行转账",
                                        "利息",    "POS消费,超市", "代发工资", "还款"};
    snprintf(out, GEN_VALUE_MAX, "%s", PICK(r, words));
}

/* Free text: empty in a third of the rows; some with commas, quotes or full-width forms. */
static void gen_note(struct gen_rng *r, char *out)
{
    static const char *const words[] = {"货款",   "借款",       "还款",   "往来款",   "投资款",
                                        "第",     "2",          "期",     "，",       "分红",
                                        "\"急\"", "ＡＢＣ公司", "合同号", "HT-2023-", "001",
                                        "　",     "已核实",     ", 待查", "代付",     "返利"};
    out[0] = '\0';
    if (rng_int(r, 3) == 0)
        return;
    int n = 0, count = 1 + rng_int(r, 6);
    for (int i = 0; i < count; i++)
        n += snprintf(out + n, GEN_VALUE_MAX - (size_t)n, "%s", PICK(r, words));
}

static void gen_count(struct gen_rng *r, struct gen_row *row)
{
    int v = 1 + rng_int(r, rng_int(r, 10) == 0 ? 100000 : 100);
    row->type[COL_COUNT] = GEN_NUMBER;
    row->number[COL_COUNT] = v;
    if (v >= 1000 && rng_int(r, 2) == 0) {
        with_commas(v, row->text[COL_COUNT], GEN_VALUE_MAX);
        row->type[COL_COUNT] = GEN_TEXT;
    } else {
        snprintf(row->text[COL_COUNT], GEN_VALUE_MAX, "%d", v);
    }
}

void gen_row_make(struct gen_rng *r, struct gen_row *row)
{
    for (int c = 0; c < GEN_COLUMNS; c++)
        row->type[c] = GEN_TEXT;
    gen_name(r, row->text[COL_NAME]);
    gen_idcard(r, row->text[COL_IDCARD]);
    gen_phone(r, row->text[COL_PHONE]);
    gen_date(r, row);
    gen_amount(r, row);
    gen_bankcard(r, row->text[COL_CARD]);
    gen_name(r, row->text[COL_PEER]);
    gen_summary(r, row->text[COL_SUMMARY]);
    gen_note(r, row->text[COL_NOTE]);
    gen_count(r, row);
}
