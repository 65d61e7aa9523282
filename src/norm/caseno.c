/*
 * caseno.c - court case numbers in the form of the Supreme People's Court rules on case
 * numbers (法〔2015〕137号, in force 2016, revised 2018): （year）court type seq 号, e.g.
 * （2023）粤1802民初1234号; also the prosecution's own document numbers such as
 * 清检刑诉〔2023〕12号. Any bracket variant, full-width digits and spaces are accepted.
 * Invariant: the canonical value uses full-width round brackets （） for court numbers and
 * 〔〕 (GB/T 9704) for prosecution numbers, no spaces, and no leading zeros in the sequence.
 */
#include <string.h>

#include "norm/norm_int.h"

#define CASENO_SEQ_DIGITS_MAX 8 /* death-penalty reviews use fixed 8-digit numbers */
#define CASENO_PREFIX_MAX 16    /* code points before 〔 in a prosecution number */

/* Court codes: 最高法, the high courts' abbreviations (内 is Inner Mongolia's official code;
 * 蒙 is accepted because people write it), 兵 (XPCC branch) and 军 (military courts).
 * Intermediate and basic courts append 2 or 4 digits. */
static const char *const court_heads[] = {
    "最高法", "京", "津", "冀", "晋", "内", "蒙", "辽", "吉", "黑", "沪", "苏",
    "浙",     "皖", "闽", "赣", "鲁", "豫", "鄂", "湘", "粤", "桂", "琼", "渝",
    "川",     "贵", "云", "藏", "陕", "甘", "青", "宁", "新", "兵", "军",
};

/* Case-type codes of 《人民法院案件类型及其代字标准》 (2016; bankruptcy and compulsory
 * liquidation codes as revised in 2018), plus codes in wide use since: the SPC IP
 * tribunal's 知民初 etc. and pre-filing mediation 民诉前调. Matched longest first. */
/* clang-format off */
static const char *const case_types[] = {
    /* jurisdiction */
    "刑辖", "民辖", "民辖终", "民辖监", "行辖", "行辖终", "赔辖", "赔辖终",
    /* criminal */
    "刑初", "刑终", "刑监", "刑申", "刑抗", "刑再", "刑没", "刑核", "刑医", "刑医解",
    "刑医复", "刑医监", "刑止", "刑止调", "刑止核", "刑更", "刑更监", "刑更备", "刑他",
    "刑一复", "刑二复",
    /* civil */
    "民初", "民终", "民监", "民申", "民抗", "民再", "民撤", "民特", "民特监", "民催",
    "民督", "民督监", "民破", "民算", "民他", "民诉前调",
    /* administrative */
    "行初", "行终", "行监", "行申", "行抗", "行再", "行审", "行审复", "行他", "行赔初",
    "行赔终", "行赔监", "行赔申", "行赔抗", "行赔再",
    /* state compensation and judicial aid */
    "法赔", "委赔", "委赔监", "委赔提", "委赔再", "赔他", "司救刑", "司救民", "司救行",
    "司救赔", "司救执", "司救访", "司救他",
    /* judicial assistance across borders */
    "认台", "认港", "认澳", "认复", "认他", "请台送", "请港送", "请澳送", "台请送",
    "港请送", "澳请送", "请台调", "请港调", "请澳调", "台请调", "港请调", "澳请调",
    "请移管", "助移管", "请移赃", "助移赃", "协外认", "协他", "协外送", "请外送",
    "协外调", "请外调", "请外移", "协外移", "请外引", "协外引",
    /* sanctions and preservation */
    "司惩", "司惩复", "财保", "行保", "行保复", "证保",
    /* enforcement */
    "执", "执恢", "执保", "执异", "执复", "执监", "执协", "执他",
    /* compulsory liquidation and bankruptcy (2018) */
    "强清申", "强清", "强清终", "破申", "破", "破终", "破监",
    /* intellectual property (SPC IP tribunal and IP courts) */
    "知民初", "知民终", "知行初", "知行终",
};
/* clang-format on */

static const char *const open_brackets[] = {"(", "[", "〔", "【", "﹝", "﹙", "〖"};
static const char *const close_brackets[] = {")", "]", "〕", "】", "﹞", "﹚", "〗"};

/* The parsed pieces; court and type point into the compacted input. */
struct caseno {
    int year;
    const char *court;
    size_t court_len;
    const char *type;
    size_t type_len;
    long seq;
    const char *suffix; /* "之一" after 号, or NULL */
    size_t suffix_len;
};

static bool eat_any(const char **p, const char *end, const char *const *set, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (sj_norm_eat(p, end, set[i]))
            return true;
    }
    return false;
}

/* Reads exactly 4 digits as a year. */
static bool eat_year(const char **p, const char *end, int *year)
{
    if (end - *p < 4)
        return false;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (!sj_norm_is_digit((*p)[i]))
            return false;
        y = y * 10 + ((*p)[i] - '0');
    }
    if (*p + 4 < end && sj_norm_is_digit((*p)[4]))
        return false;
    *p += 4;
    *year = y;
    return true;
}

/* Reads 1..CASENO_SEQ_DIGITS_MAX digits; -1 when there are none, -2 when too many. */
static long eat_seq(const char **p, const char *end)
{
    long v = 0;
    int n = 0;
    while (*p < end && sj_norm_is_digit(**p)) {
        if (++n > CASENO_SEQ_DIGITS_MAX)
            return -2;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    return n ? v : -1;
}

static bool check_year(int year, struct sj_norm_result *out)
{
    int ty, tm, td;
    sj_norm_get_today(&ty, &tm, &td);
    if (year < 1949 || year > ty + 1)
        return sj_norm_fail(out, "案号年份应在1949至%d之间，实际为%d", ty + 1, year);
    return true;
}

/* Copies s without spaces (ASCII, NBSP) into buf; returns the length. */
static size_t compact(struct sj_str s, char *buf)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c == ' ' || (c >= '\t' && c <= '\r'))
            continue;
        if (c == 0xC2 && i + 1 < s.len && (unsigned char)s.ptr[i + 1] == 0xA0) {
            i++;
            continue;
        }
        buf[n++] = (char)c;
    }
    return n;
}

/* Court code: a head from court_heads and 0, 2 or 4 digits. */
static bool parse_court(const char **p, const char *end, struct caseno *cn,
                        struct sj_norm_result *out)
{
    const char *start = *p;
    if (!eat_any(p, end, court_heads, SJ_ARRAY_LEN(court_heads)))
        return sj_norm_fail(out, "无法识别的法院代字");
    bool is_spc = (size_t)(*p - start) == strlen("最高法"); /* the SPC has no digits */
    int digits = 0;
    while (*p < end && sj_norm_is_digit(**p)) {
        digits++;
        (*p)++;
    }
    if (digits != 0 && is_spc)
        return sj_norm_fail(out, "最高人民法院的代字“最高法”后不应有数字");
    if (digits != 0 && digits != 2 && digits != 4)
        return sj_norm_fail(out, "法院代字的数字部分应为2位或4位，实际为%d位", digits);
    cn->court = start;
    cn->court_len = (size_t)(*p - start);
    return true;
}

/* Case-type code: the longest entry of case_types that starts at *p. */
static bool parse_type(const char **p, const char *end, struct caseno *cn,
                       struct sj_norm_result *out)
{
    size_t best = 0;
    if (end - *p < 3)
        return sj_norm_fail(out, "无法识别的案件类型代字");
    for (size_t i = 0; i < SJ_ARRAY_LEN(case_types); i++) {
        if (memcmp(*p, case_types[i], 3) != 0) /* every code starts with a 3-byte CJK */
            continue;
        size_t n = strlen(case_types[i]);
        if (n > best && (size_t)(end - *p) >= n && memcmp(*p, case_types[i], n) == 0)
            best = n;
    }
    if (best == 0)
        return sj_norm_fail(out, "无法识别的案件类型代字");
    cn->type = *p;
    cn->type_len = best;
    *p += best;
    return true;
}

/* Sequence, 号 and an optional 之一..之十 suffix up to the end. */
static bool parse_tail(const char **p, const char *end, struct caseno *cn,
                       struct sj_norm_result *out)
{
    sj_norm_eat(p, end, "第");
    cn->seq = eat_seq(p, end);
    if (cn->seq == -1)
        return sj_norm_fail(out, "缺少案件编号");
    if (cn->seq == -2)
        return sj_norm_fail(out, "案件编号过长（最多%d位）", CASENO_SEQ_DIGITS_MAX);
    if (cn->seq == 0)
        return sj_norm_fail(out, "案件编号不能为0");
    cn->suffix = NULL;
    if (sj_norm_eat(p, end, "号") && *p < end) {
        static const char *const numerals[] = {"一", "二", "三", "四", "五",
                                               "六", "七", "八", "九", "十"};
        const char *s = *p;
        if (sj_norm_eat(p, end, "之")) {
            while (eat_any(p, end, numerals, SJ_ARRAY_LEN(numerals)))
                ;
        }
        cn->suffix = s;
        cn->suffix_len = (size_t)(*p - s);
    }
    if (*p != end || (cn->suffix && cn->suffix_len <= 3))
        return sj_norm_fail(out, "案号末尾有多余内容");
    return true;
}

static bool accept_court_number(const struct caseno *cn, struct sj_norm_result *out)
{
    char value[SJ_NORM_VALUE_MAX];
    int n = snprintf(value, sizeof value, "（%d）%.*s%.*s%ld号%.*s", cn->year, (int)cn->court_len,
                     cn->court, (int)cn->type_len, cn->type, cn->seq,
                     cn->suffix ? (int)cn->suffix_len : 0, cn->suffix ? cn->suffix : "");
    if (n < 0 || (size_t)n >= sizeof value)
        return sj_norm_fail(out, "案号过长");
    sj_norm_accept(out, value, (size_t)n);
    sj_norm_add_part_int(out, "year", cn->year);
    sj_norm_add_part(out, "court", cn->court, cn->court_len, false);
    sj_norm_add_part(out, "type", cn->type, cn->type_len, false);
    sj_norm_add_part_int(out, "seq", cn->seq);
    return true;
}

/* （2023）粤1802民初1234号; the brackets may be missing, but then on both sides. */
static bool parse_court_number(const char *p, const char *end, struct sj_norm_result *out)
{
    struct caseno cn = {0};
    bool has_open = eat_any(&p, end, open_brackets, SJ_ARRAY_LEN(open_brackets));
    if (!eat_year(&p, end, &cn.year))
        return sj_norm_fail(out, "案号应以括号中的4位收案年度开头");
    if (eat_any(&p, end, close_brackets, SJ_ARRAY_LEN(close_brackets)) != has_open)
        return sj_norm_fail(out, "案号年度的括号不完整");
    if (!check_year(cn.year, out) || !parse_court(&p, end, &cn, out) ||
        !parse_type(&p, end, &cn, out) || !parse_tail(&p, end, &cn, out))
        return false;
    return accept_court_number(&cn, out);
}

/* The code points before the bracket of a prosecution number: CJK ideographs only, at
 * most CASENO_PREFIX_MAX. Returns the byte length, 0 when it is not such a prefix. */
static size_t prosecution_prefix(const char *p, const char *end)
{
    const char *q = p;
    int count = 0;
    while (q < end) {
        uint32_t cp;
        int k = sj_utf8_decode(q, (size_t)(end - q), &cp);
        if (k <= 0 || cp < 0x4E00 || cp > 0x9FFF)
            break;
        if (++count > CASENO_PREFIX_MAX)
            return 0;
        q += k;
    }
    return (size_t)(q - p);
}

/* 清检刑诉〔2023〕12号: office abbreviation ending in 检, document code, bracketed year,
 * number. Returns false without a reason when the input does not look like one. */
static bool parse_prosecution_number(const char *p, const char *end, struct sj_norm_result *out)
{
    size_t plen = prosecution_prefix(p, end);
    struct sj_str prefix = sj_str_make(p, plen);
    long at = sj_str_find(prefix, SJ_STR_LIT("检"));
    if (plen == 0 || at < 0)
        return false;
    const char *q = p + plen;
    int year;
    if (!eat_any(&q, end, open_brackets, SJ_ARRAY_LEN(open_brackets)) ||
        !eat_year(&q, end, &year) ||
        !eat_any(&q, end, close_brackets, SJ_ARRAY_LEN(close_brackets)))
        return false;
    long seq = eat_seq(&q, end);
    sj_norm_eat(&q, end, "号");
    if (seq <= 0 || q != end)
        return false;
    if (!check_year(year, out))
        return true; /* recognised, but invalid: the reason is set */
    char value[SJ_NORM_VALUE_MAX];
    int n = snprintf(value, sizeof value, "%.*s〔%d〕%ld号", (int)plen, p, year, seq);
    if (n < 0 || (size_t)n >= sizeof value) {
        sj_norm_fail(out, "案号过长");
        return true;
    }
    size_t auth_len = (size_t)at + 3;
    sj_norm_accept(out, value, (size_t)n);
    sj_norm_add_part(out, "authority", p, auth_len, false);
    if (plen > auth_len)
        sj_norm_add_part(out, "type", p + auth_len, plen - auth_len, false);
    sj_norm_add_part_int(out, "year", year);
    sj_norm_add_part_int(out, "seq", seq);
    return true;
}

bool sj_norm_caseno(struct sj_str in, struct sj_norm_result *out)
{
    char scratch[SJ_NORM_INPUT_MAX], buf[SJ_NORM_INPUT_MAX];
    struct sj_str s;
    sj_norm_begin(out, SJ_KIND_CASENO);
    /* An ASCII input is not copied by sj_norm_prepare, so check its length here. */
    if (!sj_norm_prepare(in, scratch, sizeof scratch, &s) || s.len > sizeof buf)
        return sj_norm_fail(out, "内容过长，不是案号");
    size_t n = compact(s, buf);
    if (n == 0)
        return sj_norm_fail(out, "案号为空");
    const char *p = buf, *end = buf + n;
    if (parse_prosecution_number(p, end, out))
        return out->is_valid;
    return parse_court_number(p, end, out);
}
