/*
 * amount.c - money in yuan as Chinese documents and exports write it: 1,234.56 / ¥1234 /
 * RMB 1,234.00 / 1234元 / 12.5万元 / (12.00) / -12 / 人民币壹万贰仟叁佰肆拾伍元陆角柒分 /
 * 伍拾万元整 / 一万二千 / 3万5千元 / 五块五. The canonical value is an integer number of fen.
 * Invariants: no floating point and no allocation; every intermediate is an int64_t
 * checked against AMOUNT_MAX_FEN before it is computed, so nothing can overflow.
 */
#include "norm_int.h"

#define AMOUNT_MAX_FEN 1000000000000000LL /* 10^15 fen = 10万亿元 */
#define AMOUNT_MAX_YUAN (AMOUNT_MAX_FEN / 100)

enum amount_rc {
    AMT_OK = 0,
    AMT_NOMATCH,   /* not this form at all */
    AMT_RANGE,     /* beyond AMOUNT_MAX_FEN */
    AMT_PRECISION, /* finer than a fen */
    AMT_GROUPING,  /* thousands separators in the wrong places */
    AMT_CN_FORMAT, /* Chinese numerals in an impossible order */
};

struct amount {
    int64_t fen;  /* magnitude */
    int decimals; /* for AMT_PRECISION: decimals of yuan written */
};

static const int64_t pow10_table[] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

/* *acc = *acc * mul + add unless that passes limit (all operands >= 0, mul >= 1). */
static bool mul_add(int64_t *acc, int64_t mul, int64_t add, int64_t limit)
{
    if (add > limit || *acc > (limit - add) / mul)
        return false;
    *acc = *acc * mul + add;
    return true;
}

/* ---- Wrapping: sign, brackets, currency marks ------------------------------------------- */

static bool eat_currency(const char **p, const char *end)
{
    return sj_norm_eat(p, end, "¥") || sj_norm_eat(p, end, "￥") || sj_norm_eat(p, end, "RMB") ||
           sj_norm_eat(p, end, "rmb") || sj_norm_eat(p, end, "CNY") || sj_norm_eat(p, end, "cny") ||
           sj_norm_eat(p, end, "人民币");
}

static bool eat_currency_back(const char *begin, const char **end)
{
    static const char *const words[] = {"RMB", "rmb", "CNY", "cny", "人民币"};
    for (size_t i = 0; i < SJ_ARRAY_LEN(words); i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(*end - begin) >= n && memcmp(*end - n, words[i], n) == 0) {
            *end -= n;
            return true;
        }
    }
    return false;
}

/* Strips accounting brackets, one sign (- + − 负), currency marks before (¥ ￥ RMB CNY
 * 人民币) and currency words after. Returns false when the signs contradict. */
static bool strip_wrapping(struct sj_str *s, bool *is_negative)
{
    const char *p = s->ptr, *end = p + s->len;
    int signs = 0, marks = 0;
    *is_negative = false;
    if (end - p >= 2 && *p == '(' && end[-1] == ')') {
        p++;
        end--;
        *is_negative = true;
        signs++;
    }
    for (;;) {
        if (p < end && *p == ' ') {
            p++;
        } else if (p < end && (*p == '-' || *p == '+')) {
            *is_negative = *is_negative || *p == '-';
            signs++;
            p++;
        } else if (sj_norm_eat(&p, end, "−") || sj_norm_eat(&p, end, "负")) {
            *is_negative = true;
            signs++;
        } else if (eat_currency(&p, end)) {
            marks++; /* 人民币 ¥1,234 has two */
        } else {
            break;
        }
    }
    while (end > p && end[-1] == ' ')
        end--;
    if (eat_currency_back(p, &end))
        while (end > p && end[-1] == ' ')
            end--;
    *s = sj_str_make(p, (size_t)(end - p));
    return signs <= 1 && marks <= 2;
}

/* ---- Arabic digits: 1,234.56 / 12.5万元 ---------------------------------------------------- */

/* Integer digits with optional thousands separators; *yuan saturates past the maximum. */
static int read_grouped(const char **pp, const char *end, int64_t *yuan, bool *is_big, int *ndigits)
{
    const char *p = *pp;
    int group = 0;
    bool has_comma = false;
    for (; p < end; p++) {
        if (sj_norm_is_digit(*p)) {
            if (!*is_big && !mul_add(yuan, 10, *p - '0', AMOUNT_MAX_YUAN))
                *is_big = true;
            (*ndigits)++;
            group++;
        } else if (*p == ',') {
            if (group == 0 || group > 3 || (has_comma && group != 3))
                return AMT_GROUPING;
            has_comma = true;
            group = 0;
        } else {
            break;
        }
    }
    *pp = p;
    return has_comma && group != 3 ? AMT_GROUPING : AMT_OK;
}

/* The unit after the digits: 百 or 千, then 万, then 亿, each at most once and in that
 * order (百万, 千万, 万亿). Returns the power of ten, at most 15. */
static int read_units(const char **p, const char *end)
{
    int exp = 0;
    if (sj_norm_eat(p, end, "百"))
        exp += 2;
    else if (sj_norm_eat(p, end, "千"))
        exp += 3;
    if (sj_norm_eat(p, end, "万") || sj_norm_eat(p, end, "萬"))
        exp += 4;
    if (sj_norm_eat(p, end, "亿") || sj_norm_eat(p, end, "億"))
        exp += 8;
    return exp;
}

static int parse_arabic(struct sj_str s, struct amount *a)
{
    const char *p = s.ptr, *end = p + s.len, *fs = NULL, *fe = NULL;
    int64_t yuan = 0, frac = 0;
    bool is_big = false;
    int ndigits = 0;
    int rc = read_grouped(&p, end, &yuan, &is_big, &ndigits);
    if (rc != AMT_OK)
        return rc;
    fs = fe = p;
    if (p < end && *p == '.') {
        fs = ++p;
        while (p < end && sj_norm_is_digit(*p))
            p++;
        fe = p;
    }
    if (ndigits == 0 && fe == fs)
        return AMT_NOMATCH;
    while (p < end && *p == ' ')
        p++;
    int unit_exp = read_units(&p, end);
    while (p < end && *p == ' ')
        p++;
    if (sj_norm_eat(&p, end, "元") || sj_norm_eat(&p, end, "圆") || sj_norm_eat(&p, end, "块"))
        (void)(sj_norm_eat(&p, end, "整") || sj_norm_eat(&p, end, "正"));
    if (p != end)
        return AMT_NOMATCH;
    while (fe > fs && fe[-1] == '0')
        fe--; /* 12.5000 is written to the fen */
    int scale = unit_exp + 2, nfrac = (int)(fe - fs);
    if (nfrac > scale) {
        a->decimals = nfrac - unit_exp;
        return AMT_PRECISION;
    }
    for (const char *q = fs; q < fe; q++)
        frac = frac * 10 + (*q - '0'); /* at most 18 digits */
    frac *= pow10_table[scale - nfrac];
    a->fen = yuan;
    if (is_big || !mul_add(&a->fen, pow10_table[scale], frac, AMOUNT_MAX_FEN))
        return AMT_RANGE;
    return AMT_OK;
}

/* ---- Chinese numerals: 壹万贰仟叁佰肆拾伍元陆角柒分 / 一万二千 ------------------------------- */

enum tok_type {
    TOK_END,
    TOK_BAD,
    TOK_DIGIT,
    TOK_UNIT,
    TOK_BIG,
    TOK_YUAN,
    TOK_JIAO,
    TOK_FEN,
    TOK_ZHENG
};

struct tok {
    enum tok_type type;
    int64_t value;  /* digit or ASCII number, unit */
    bool is_single; /* one digit character (三千五 = 3500 applies) */
    bool is_cn;     /* a Chinese numeral character */
};

static const struct {
    char utf8[4];
    enum tok_type type;
    int value;
} cn_words[] = {
    {"零", TOK_DIGIT, 0},       {"〇", TOK_DIGIT, 0},   {"壹", TOK_DIGIT, 1},
    {"一", TOK_DIGIT, 1},       {"贰", TOK_DIGIT, 2},   {"貳", TOK_DIGIT, 2},
    {"二", TOK_DIGIT, 2},       {"两", TOK_DIGIT, 2},   {"叁", TOK_DIGIT, 3},
    {"參", TOK_DIGIT, 3},       {"三", TOK_DIGIT, 3},   {"肆", TOK_DIGIT, 4},
    {"四", TOK_DIGIT, 4},       {"伍", TOK_DIGIT, 5},   {"五", TOK_DIGIT, 5},
    {"陆", TOK_DIGIT, 6},       {"陸", TOK_DIGIT, 6},   {"六", TOK_DIGIT, 6},
    {"柒", TOK_DIGIT, 7},       {"七", TOK_DIGIT, 7},   {"捌", TOK_DIGIT, 8},
    {"八", TOK_DIGIT, 8},       {"玖", TOK_DIGIT, 9},   {"九", TOK_DIGIT, 9},
    {"拾", TOK_UNIT, 10},       {"十", TOK_UNIT, 10},   {"佰", TOK_UNIT, 100},
    {"百", TOK_UNIT, 100},      {"仟", TOK_UNIT, 1000}, {"千", TOK_UNIT, 1000},
    {"万", TOK_BIG, 10000},     {"萬", TOK_BIG, 10000}, {"亿", TOK_BIG, 100000000},
    {"億", TOK_BIG, 100000000}, {"元", TOK_YUAN, 0},    {"圆", TOK_YUAN, 0},
    {"圓", TOK_YUAN, 0},        {"块", TOK_YUAN, 0},    {"角", TOK_JIAO, 0},
    {"毛", TOK_JIAO, 0},        {"分", TOK_FEN, 0},     {"整", TOK_ZHENG, 0},
    {"正", TOK_ZHENG, 0},
};

/* Reads the next token, skipping spaces. A run of ASCII digits is one TOK_DIGIT whose
 * value saturates just past the maximum, so that 3万5千 and 12元5角 work. */
static void next_token(const char **pp, const char *end, struct tok *t)
{
    const char *p = *pp;
    while (p < end && *p == ' ')
        p++;
    t->type = TOK_END;
    t->is_single = true;
    t->is_cn = false;
    if (p < end && sj_norm_is_digit(*p)) {
        const char *start = p;
        t->type = TOK_DIGIT;
        t->value = 0;
        for (; p < end && sj_norm_is_digit(*p); p++)
            if (!mul_add(&t->value, 10, *p - '0', AMOUNT_MAX_YUAN))
                t->value = AMOUNT_MAX_YUAN + 1;
        t->is_single = p - start == 1;
    } else if (p < end) {
        t->type = TOK_BAD;
        for (size_t i = 0; end - p >= 3 && i < SJ_ARRAY_LEN(cn_words); i++) {
            if (memcmp(p, cn_words[i].utf8, 3) == 0) {
                t->type = cn_words[i].type;
                t->value = cn_words[i].value;
                t->is_cn = t->type == TOK_DIGIT || t->type == TOK_UNIT || t->type == TOK_BIG;
                p += 3;
                break;
            }
        }
    }
    *pp = p;
}

/* The yuan part, read section by section: section < 10^4 collects 拾佰仟, total the
 * finished 万 and 亿 sections. */
struct cn_yuan {
    int64_t total, section;
    int64_t digit;     /* pending digit (or ASCII number), -1 when none */
    bool is_single;    /* the pending digit is one character */
    int64_t last_unit; /* the unit just written, for 三千五 = 3500; 0 when none */
    int64_t unit_cap;  /* the next 拾/佰/仟 must be below this */
    bool has_zero;     /* 零 since the last unit: 一万零二 = 10002 */
    bool has_wan;      /* 万 already in this 亿 section */
    bool has_numeral;
    bool has_cn; /* a Chinese numeral was seen (else errors mean "not this form") */
};

static int cn_yuan_digit(struct cn_yuan *y, const struct tok *t)
{
    y->has_numeral = true;
    if (t->value == 0 && t->is_cn) {
        if (y->digit >= 0 || y->has_zero)
            return AMT_CN_FORMAT; /* 伍零, 零零 */
        y->has_zero = true;
        return AMT_OK;
    }
    if (y->digit >= 0)
        return AMT_CN_FORMAT; /* 伍伍 */
    y->digit = t->value;
    y->is_single = t->is_single;
    return AMT_OK;
}

static int cn_yuan_unit(struct cn_yuan *y, const struct tok *t)
{
    int64_t v = y->digit;
    if (t->value >= y->unit_cap)
        return AMT_CN_FORMAT; /* 伍拾佰 */
    if (v < 0 && t->value == 10 && y->section == 0 && !y->has_zero)
        v = 1; /* 拾伍元, 十万 */
    if (v < 0 || v > 9)
        return AMT_CN_FORMAT; /* 佰, 35佰 */
    if (v * t->value > AMOUNT_MAX_YUAN - y->section)
        return AMT_RANGE;
    y->section += v * t->value;
    y->unit_cap = y->last_unit = t->value;
    y->digit = -1;
    y->has_zero = false;
    y->has_numeral = true;
    return AMT_OK;
}

static int cn_yuan_big(struct cn_yuan *y, const struct tok *t)
{
    int64_t sum = y->section + (y->digit >= 0 ? y->digit : 0);
    if (t->value == 10000) {
        if (sum == 0 || sum > 9999 || y->has_wan)
            return AMT_CN_FORMAT; /* 万, 12345万, 壹万万 */
        if (!mul_add(&sum, 10000, 0, AMOUNT_MAX_YUAN) || sum > AMOUNT_MAX_YUAN - y->total)
            return AMT_RANGE;
        y->total += sum;
        y->has_wan = true;
    } else {
        sum += y->total;
        if (sum == 0 || sum >= 100000000)
            return AMT_CN_FORMAT; /* 亿, 壹亿亿 */
        if (!mul_add(&sum, 100000000, 0, AMOUNT_MAX_YUAN))
            return AMT_RANGE;
        y->total = sum;
        y->has_wan = false;
    }
    y->section = 0;
    y->digit = -1;
    y->unit_cap = 10000;
    y->last_unit = t->value;
    y->has_zero = false;
    y->has_numeral = true;
    return AMT_OK;
}

/* Ends the yuan part; a last bare digit right after a unit is the next unit down
 * (三千五 = 3500, 一万二 = 12000). */
static int cn_yuan_finish(struct cn_yuan *y, int64_t *yuan)
{
    int64_t d = y->digit >= 0 ? y->digit : 0;
    if (!y->has_numeral)
        return AMT_CN_FORMAT;
    if (y->digit > 0 && y->is_single && !y->has_zero && y->last_unit >= 10)
        d *= y->last_unit / 10;
    if (d > AMOUNT_MAX_YUAN - y->total - y->section)
        return AMT_RANGE;
    *yuan = y->total + y->section + d;
    return AMT_OK;
}

/* After 元 (or without it, 伍角): [零] d角 [零] d分 [整]; a last bare digit is the next
 * unit down (五块五 = 5.50, 五毛五 = 0.55). pending carries a digit read before. */
static int parse_jiao_fen(const char *p, const char *end, struct tok t, int64_t pending,
                          int64_t *fen)
{
    int stage = 0; /* 0 before 角, 1 after 角, 2 after 分, 3 after 整 */
    int64_t jiao = 0, f = 0;
    for (;; next_token(&p, end, &t)) {
        if (t.type == TOK_END)
            break;
        if (stage == 3)
            return AMT_CN_FORMAT;
        if (t.type == TOK_DIGIT && t.value <= 9 && stage < 2 && pending <= 0 &&
            !(pending == 0 && t.value == 0)) {
            pending = t.value;
        } else if (t.type == TOK_JIAO && stage == 0 && pending >= 0) {
            jiao = pending;
            pending = -1;
            stage = 1;
        } else if (t.type == TOK_FEN && stage < 2 && pending >= 0) {
            f = pending;
            pending = -1;
            stage = 2;
        } else if (t.type == TOK_ZHENG && pending <= 0) {
            stage = 3;
        } else {
            return AMT_CN_FORMAT;
        }
    }
    if (pending > 0 && stage == 0)
        jiao = pending;
    else if (pending > 0 && stage == 1)
        f = pending;
    else if (pending > 0)
        return AMT_CN_FORMAT;
    *fen = jiao * 10 + f;
    return AMT_OK;
}

static int parse_chinese_body(struct sj_str s, struct amount *a, struct cn_yuan *yp)
{
    const char *p = s.ptr, *end = p + s.len;
    struct cn_yuan y = {0, 0, -1, false, 0, 10000, false, false, false, false};
    struct tok t;
    int64_t yuan = 0, fen = 0, pending = -1;
    int rc = AMT_OK;
    for (next_token(&p, end, &t); rc == AMT_OK; next_token(&p, end, &t)) {
        y.has_cn = y.has_cn || t.is_cn;
        if (t.type == TOK_DIGIT)
            rc = cn_yuan_digit(&y, &t);
        else if (t.type == TOK_UNIT)
            rc = cn_yuan_unit(&y, &t);
        else if (t.type == TOK_BIG)
            rc = cn_yuan_big(&y, &t);
        else
            break;
    }
    *yp = y;
    if (rc != AMT_OK || t.type == TOK_BAD)
        return rc == AMT_OK ? AMT_CN_FORMAT : rc;
    if (t.type == TOK_JIAO || t.type == TOK_FEN) {
        if (y.last_unit || y.digit < 0 || y.digit > 9)
            return AMT_CN_FORMAT; /* 伍拾角 */
        pending = y.digit;
    } else {
        rc = cn_yuan_finish(&y, &yuan);
        *yp = y;
        if (rc != AMT_OK)
            return rc;
        if (t.type == TOK_YUAN)
            next_token(&p, end, &t);
    }
    rc = parse_jiao_fen(p, end, t, pending, &fen);
    if (rc != AMT_OK)
        return rc;
    a->fen = yuan;
    return mul_add(&a->fen, 100, fen, AMOUNT_MAX_FEN) ? AMT_OK : AMT_RANGE;
}

/* Chinese numerals, or ASCII digits mixed with Chinese units (3万5千元, 12元5角). A
 * mistake in a value without any Chinese numeral means it was no amount at all. */
static int parse_chinese(struct sj_str s, struct amount *a)
{
    struct cn_yuan y;
    memset(&y, 0, sizeof y);
    int rc = parse_chinese_body(s, a, &y);
    return rc == AMT_CN_FORMAT && !y.has_cn ? AMT_NOMATCH : rc;
}

/* ---- The result -------------------------------------------------------------------------- */

static bool fail_for(struct sj_norm_result *out, int rc, const struct amount *a)
{
    switch (rc) {
    case AMT_RANGE:
        return sj_norm_fail(out, "金额超出范围（绝对值不超过10万亿元）");
    case AMT_PRECISION:
        return sj_norm_fail(out, "金额精确到分，实际有%d位小数", a->decimals);
    case AMT_GROUPING:
        return sj_norm_fail(out, "千分位分隔符位置不对");
    case AMT_CN_FORMAT:
        return sj_norm_fail(out, "中文金额写法有误");
    default:
        return sj_norm_fail(out, "无法识别的金额格式");
    }
}

static bool emit(struct sj_norm_result *out, int64_t fen)
{
    char v[32], yuan[40];
    size_t len = sj_norm_fmt_int(v, fen), n;
    int64_t mag = fen < 0 ? -fen : fen;
    sj_norm_accept(out, v, len);
    out->number = fen;
    out->value_is_number = true;
    n = sj_norm_fmt_int(yuan, fen / 100);
    if (fen < 0 && fen > -100) {
        memcpy(yuan, "-0", 2);
        n = 2;
    }
    yuan[n++] = '.';
    yuan[n++] = (char)('0' + mag % 100 / 10);
    yuan[n++] = (char)('0' + mag % 10);
    sj_norm_add_part(out, "yuan", yuan, n, false);
    return true;
}

bool sj_norm_amount(struct sj_str in, struct sj_norm_result *out)
{
    char scratch[SJ_NORM_INPUT_MAX];
    struct sj_str s;
    struct amount a = {0, 0}, cn = {0, 0};
    bool is_negative;
    sj_norm_begin(out, SJ_KIND_AMOUNT);
    if (!sj_norm_prepare(in, scratch, sizeof scratch, &s))
        return sj_norm_fail(out, "内容过长");
    if (s.len == 0)
        return sj_norm_fail(out, "金额为空");
    if (!strip_wrapping(&s, &is_negative))
        return sj_norm_fail(out, "无法识别的金额格式");
    int rc = parse_arabic(s, &a);
    if (rc == AMT_NOMATCH) {
        rc = parse_chinese(s, &cn);
        a = cn;
    }
    if (rc != AMT_OK)
        return fail_for(out, rc, &a);
    return emit(out, is_negative ? -a.fen : a.fen);
}
