/*
 * number.c - plain decimal numbers: an optional sign, thousands separators (1,234,567), a
 * fraction and an exponent (1.2E+07, as spreadsheets print large numbers).
 * The canonical number is the shortest exact decimal: no exponent, no leading or trailing
 * zeros, "-0" is "0". An integer must have no fractional part once written out (12.00 and
 * 1.2E+07 are integers) and fit an int64_t; its value also lands in out->number.
 * Invariants: exact arithmetic on digit strings, never floating point; no allocation.
 */
#include "norm_int.h"

#define NUMBER_DIGITS_MAX SJ_NORM_INPUT_MAX /* significant digits kept while parsing */
#define NUMBER_EXP_MAX 9999

enum number_rc { NUM_OK = 0, NUM_FORMAT, NUM_GROUPING, NUM_TOO_LONG };

/* value = (negative ? -1 : 1) * digits * 10^exp10, digits without leading zeros; after
 * parse_decimal also without trailing zeros (ndigits 0 means zero). */
struct decimal {
    bool is_negative;
    int ndigits;
    int exp10;
    char digits[NUMBER_DIGITS_MAX];
};

static int push_digit(struct decimal *d, char c)
{
    if (d->ndigits == 0 && c == '0')
        return NUM_OK;
    if (d->ndigits == NUMBER_DIGITS_MAX)
        return NUM_TOO_LONG;
    d->digits[d->ndigits++] = c;
    return NUM_OK;
}

/* The integer digits with optional thousands separators; *count gets the digit count. */
static int read_integer_digits(const char **pp, const char *end, struct decimal *d, int *count)
{
    const char *p = *pp;
    int group = 0, rc;
    bool has_comma = false;
    for (*count = 0; p < end; p++) {
        if (sj_norm_is_digit(*p)) {
            if ((rc = push_digit(d, *p)) != NUM_OK)
                return rc;
            group++;
            (*count)++;
        } else if (*p == ',') {
            if (group == 0 || group > 3 || (has_comma && group != 3))
                return NUM_GROUPING;
            has_comma = true;
            group = 0;
        } else {
            break;
        }
    }
    *pp = p;
    return has_comma && group != 3 ? NUM_GROUPING : NUM_OK;
}

/* e, E then an optional sign and 1-4 digits. */
static int read_exponent(const char **pp, const char *end, int *exp)
{
    const char *p = *pp + 1;
    int sign = 1, n = 0;
    *exp = 0;
    if (p < end && (*p == '+' || *p == '-'))
        sign = *p++ == '-' ? -1 : 1;
    for (; p < end && sj_norm_is_digit(*p); p++, n++)
        if (*exp <= NUMBER_EXP_MAX) /* saturates: once past the maximum it stays there */
            *exp = *exp * 10 + (*p - '0');
    if (n == 0)
        return NUM_FORMAT;
    if (*exp > NUMBER_EXP_MAX)
        return NUM_TOO_LONG;
    *exp *= sign;
    *pp = p;
    return NUM_OK;
}

static int parse_decimal(struct sj_str s, struct decimal *d)
{
    const char *p = s.ptr, *end = p + s.len;
    int count = 0, nfrac = 0, exp = 0, rc;
    d->is_negative = false;
    d->ndigits = 0;
    if (p < end && (*p == '+' || *p == '-'))
        d->is_negative = *p++ == '-';
    else if (sj_norm_eat(&p, end, "−")) /* U+2212 MINUS SIGN */
        d->is_negative = true;
    if ((rc = read_integer_digits(&p, end, d, &count)) != NUM_OK)
        return rc;
    if (p < end && *p == '.') {
        for (p++; p < end && sj_norm_is_digit(*p); p++, nfrac++)
            if ((rc = push_digit(d, *p)) != NUM_OK)
                return rc;
    }
    if (count + nfrac == 0)
        return NUM_FORMAT;
    if (p < end && (*p == 'e' || *p == 'E') && (rc = read_exponent(&p, end, &exp)) != NUM_OK)
        return rc;
    if (p != end)
        return NUM_FORMAT;
    d->exp10 = exp - nfrac;
    while (d->ndigits > 0 && d->digits[d->ndigits - 1] == '0') {
        d->ndigits--;
        d->exp10++;
    }
    if (d->ndigits == 0) {
        d->is_negative = false;
        d->exp10 = 0;
    }
    return NUM_OK;
}

/* Writes the canonical decimal into buf (size bytes); returns the length or 0 when it
 * does not fit. */
static size_t format_decimal(const struct decimal *d, char *buf, size_t size)
{
    long nd = d->ndigits, exp = d->exp10, point = nd + exp;
    long len = (d->is_negative ? 1 : 0) + (exp >= 0    ? nd + exp
                                           : point > 0 ? nd + 1
                                                       : 2 - point + nd);
    size_t o = 0;
    if (nd == 0) {
        buf[0] = '0';
        return 1;
    }
    if (len >= (long)size)
        return 0;
    if (d->is_negative)
        buf[o++] = '-';
    if (point <= 0) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (long i = 0; i < -point; i++)
            buf[o++] = '0';
        point = -1;
    }
    for (long i = 0; i < nd; i++) {
        if (i == point)
            buf[o++] = '.';
        buf[o++] = d->digits[i];
    }
    for (long i = 0; i < exp; i++)
        buf[o++] = '0';
    return o;
}

static bool fail_for(struct sj_norm_result *out, int rc, const char *what)
{
    if (rc == NUM_GROUPING)
        return sj_norm_fail(out, "千分位分隔符位置不对");
    if (rc == NUM_TOO_LONG)
        return sj_norm_fail(out, "%s位数过多", what);
    return sj_norm_fail(out, "无法识别的%s", what);
}

/* Shared start of both kinds: prepare, parse. Returns false with out failed. */
static bool norm_decimal(struct sj_str in, struct sj_norm_result *out, enum sj_kind kind,
                         struct decimal *d)
{
    char scratch[SJ_NORM_INPUT_MAX];
    struct sj_str s;
    const char *what = kind == SJ_KIND_INTEGER ? "整数" : "数值";
    sj_norm_begin(out, kind);
    if (!sj_norm_prepare(in, scratch, sizeof scratch, &s))
        return sj_norm_fail(out, "内容过长");
    if (s.len == 0)
        return sj_norm_fail(out, "%s为空", what);
    int rc = parse_decimal(s, d);
    if (rc != NUM_OK)
        return fail_for(out, rc, what);
    return true;
}

bool sj_norm_number(struct sj_str in, struct sj_norm_result *out)
{
    struct decimal d;
    char buf[SJ_NORM_VALUE_MAX];
    if (!norm_decimal(in, out, SJ_KIND_NUMBER, &d))
        return false;
    size_t len = format_decimal(&d, buf, sizeof buf);
    if (len == 0)
        return sj_norm_fail(out, "数值位数过多");
    sj_norm_accept(out, buf, len);
    out->value_is_number = true;
    return true;
}

bool sj_norm_integer(struct sj_str in, struct sj_norm_result *out)
{
    struct decimal d;
    char buf[24];
    uint64_t mag = 0, limit = (uint64_t)INT64_MAX;
    if (!norm_decimal(in, out, SJ_KIND_INTEGER, &d))
        return false;
    if (d.exp10 < 0)
        return sj_norm_fail(out, "不是整数（有小数部分）");
    if (d.ndigits + d.exp10 > 19)
        return sj_norm_fail(out, "整数超出范围");
    limit += d.is_negative; /* -9223372036854775808 fits */
    for (int i = 0; i < d.ndigits + d.exp10; i++) {
        unsigned digit = i < d.ndigits ? (unsigned)(d.digits[i] - '0') : 0;
        if (mag > (limit - digit) / 10)
            return sj_norm_fail(out, "整数超出范围");
        mag = mag * 10 + digit;
    }
    if (d.is_negative)
        out->number = mag > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mag;
    else
        out->number = (int64_t)mag;
    sj_norm_accept(out, buf, sj_norm_fmt_int(buf, out->number));
    out->value_is_number = true;
    return true;
}
