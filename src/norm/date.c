/*
 * date.c - dates and date-times as people and spreadsheets write them: 2023-01-02,
 * 2023/1/2, 2023.1.2, 20230102, 2023年1月2日, 二〇二三年一月二日 and Excel serial day
 * numbers (1900 system; 1900..2100 alone are taken for bare years and rejected), each
 * optionally followed by a time (12:30:45.123, 12时30分, 下午3点, 3:00 PM, ISO 8601 with
 * T and Z).
 * Invariants: no allocation and no floating point; an accepted date passes
 * sj_date_is_valid and an accepted time lies in 00:00:00..23:59:59. A time zone designator
 * (Z, +08:00) is accepted and ignored: the wall-clock time is kept as written, and
 * fractions of a second are dropped.
 */
#include "norm_int.h"

/* Excel's 1900 system: serial 1 is 1900-01-01, serial 60 is the non-existent 1900-02-29
 * (kept for Lotus 1-2-3 compatibility), 2958465 is 9999-12-31, 25569 is 1970-01-01. */
/* Serials are accepted up to 2100-12-31 (73415): a larger bare number is far more likely a
 * mistyped compact date or an id than a day in the 22nd century. */
#define EXCEL_SERIAL_MAX 73415
#define EXCEL_SERIAL_EPOCH 25569
#define EXCEL_SERIAL_FAKE_LEAP 60

struct moment {
    int year, month, day, hour, minute, second;
};

enum parse_rc {
    PARSE_OK = 0,
    PARSE_FORMAT,        /* not a form we know */
    PARSE_BAD_DATE,      /* a well-formed date that does not exist */
    PARSE_BAD_TIME,      /* a well-formed time that does not exist */
    PARSE_SERIAL_RANGE,  /* a number outside the Excel serial range */
    PARSE_SERIAL_FAKE,   /* Excel serial 60, the fake 1900-02-29 */
    PARSE_HALF_MISMATCH, /* 上午/下午/AM/PM that does not fit the hour */
    PARSE_YEAR_ONLY,     /* 2023 or 2023.1: a year (and month), not an Excel serial */
};

/* Half-day words before a time; PM-like ones add 12 hours to hours below 12. */
enum half_day { HALF_NONE, HALF_AM, HALF_PM, HALF_NOON, HALF_NIGHT };

static const struct {
    const char *utf8;
    int value;
} cn_digits[] = {
    {"〇", 0}, {"零", 0}, {"○", 0},  {"一", 1}, {"二", 2}, {"两", 2}, {"三", 3},
    {"四", 4}, {"五", 5}, {"六", 6}, {"七", 7}, {"八", 8}, {"九", 9},
};

/* Reads one Chinese digit (all of them are 3 bytes in UTF-8); returns 0-9 or -1. */
static int eat_cn_digit(const char **p, const char *end)
{
    if (end - *p < 3 || (unsigned char)**p < 0xE2)
        return -1;
    for (size_t i = 0; i < SJ_ARRAY_LEN(cn_digits); i++) {
        if (memcmp(*p, cn_digits[i].utf8, 3) == 0) {
            *p += 3;
            return cn_digits[i].value;
        }
    }
    return -1;
}

/* Reads min..max ASCII digits not followed by another digit; returns the value or -1. */
static int eat_ascii(const char **p, const char *end, int min, int max)
{
    const char *s = *p;
    int v = 0, n = 0;
    while (s < end && n < max && sj_norm_is_digit(*s)) {
        v = v * 10 + (*s++ - '0');
        n++;
    }
    if (n < min || (s < end && sj_norm_is_digit(*s)))
        return -1;
    *p = s;
    return v;
}

/* A month, day, hour, minute or second: 1-2 ASCII digits, or Chinese numerals in the
 * tens form (十, 十二, 二十, 三十一) or positional form (〇二, 一二). Returns 0..99 or -1. */
static int eat_small(const char **p, const char *end)
{
    const char *s = *p;
    int v;
    if (s < end && sj_norm_is_digit(*s))
        return eat_ascii(p, end, 1, 2);
    int d = eat_cn_digit(&s, end);
    if (sj_norm_eat(&s, end, "十")) {
        int unit = eat_cn_digit(&s, end);
        if (d == 0 || unit == 0)
            return -1;
        v = (d < 0 ? 1 : d) * 10 + (unit < 0 ? 0 : unit);
    } else if (d >= 0) {
        int d2 = eat_cn_digit(&s, end);
        v = d2 < 0 ? d : d * 10 + d2;
    } else {
        return -1;
    }
    *p = s;
    return v;
}

/* A year: four ASCII digits, or four Chinese digits (the letter O is taken for 〇). */
static int eat_year(const char **p, const char *end)
{
    const char *s = *p;
    int v = 0;
    if (s < end && sj_norm_is_digit(*s))
        return eat_ascii(p, end, 4, 4);
    for (int i = 0; i < 4; i++) {
        int d = -1;
        if (s < end && (*s == 'O' || *s == 'o')) {
            s++;
            d = 0;
        } else {
            d = eat_cn_digit(&s, end);
        }
        if (d < 0)
            return -1;
        v = v * 10 + d;
    }
    *p = s;
    return v;
}

/* The rest of 2023年1月2日 after the year: month, 月, day, then 日 or 号 (optional).
 * *is_cn_end tells whether the date ended in 日/号, after which a time may follow
 * directly. */
static int parse_cn_month_day(const char **pp, const char *end, struct moment *m, bool *is_cn_end)
{
    const char *p = *pp;
    m->month = eat_small(&p, end);
    if (m->month < 0 || !sj_norm_eat(&p, end, "月"))
        return PARSE_FORMAT;
    m->day = eat_small(&p, end);
    if (m->day < 0)
        return PARSE_FORMAT;
    *is_cn_end = sj_norm_eat(&p, end, "日") || sj_norm_eat(&p, end, "号");
    *pp = p;
    return PARSE_OK;
}

/* A date at *pp: 20230102, 2023-1-2 (or / or .), 2023年1月2日, 二〇二三年一月二日. */
static int parse_date(const char **pp, const char *end, struct moment *m, bool *is_cn_end)
{
    const char *p = *pp;
    size_t n = 0;
    *is_cn_end = false;
    while (p + n < end && sj_norm_is_digit(p[n]))
        n++;
    if (n == 8) {
        int v = eat_ascii(&p, end, 8, 8);
        m->year = v / 10000;
        m->month = v / 100 % 100;
        m->day = v % 100;
        *pp = p;
        return PARSE_OK;
    }
    if (n != 4 && n != 0)
        return PARSE_FORMAT;
    m->year = eat_year(&p, end);
    if (m->year < 0)
        return PARSE_FORMAT;
    if (sj_norm_eat(&p, end, "年")) {
        *pp = p;
        return parse_cn_month_day(pp, end, m, is_cn_end);
    }
    if (n == 0 || p == end || (*p != '-' && *p != '/' && *p != '.'))
        return PARSE_FORMAT;
    char sep = *p++;
    m->month = eat_ascii(&p, end, 1, 2);
    if (m->month < 0 || p == end || *p++ != sep)
        return PARSE_FORMAT;
    m->day = eat_ascii(&p, end, 1, 2);
    if (m->day < 0)
        return PARSE_FORMAT;
    *pp = p;
    return PARSE_OK;
}

static enum half_day eat_half_day(const char **p, const char *end)
{
    if (sj_norm_eat(p, end, "上午") || sj_norm_eat(p, end, "凌晨") || sj_norm_eat(p, end, "早上") ||
        sj_norm_eat(p, end, "早晨"))
        return HALF_AM;
    if (sj_norm_eat(p, end, "下午") || sj_norm_eat(p, end, "傍晚"))
        return HALF_PM;
    if (sj_norm_eat(p, end, "中午"))
        return HALF_NOON;
    if (sj_norm_eat(p, end, "晚上"))
        return HALF_NIGHT;
    return HALF_NONE;
}

/* After the hour of 12:30:45: ":MM[:SS[.fraction]]". */
static int parse_colon_time(const char **pp, const char *end, struct moment *m)
{
    const char *p = *pp + 1; /* past the first ':' */
    m->minute = eat_ascii(&p, end, 2, 2);
    if (m->minute < 0)
        return PARSE_FORMAT;
    if (p < end && *p == ':') {
        p++;
        m->second = eat_ascii(&p, end, 2, 2);
        if (m->second < 0)
            return PARSE_FORMAT;
        if (p < end && (*p == '.' || *p == ',')) {
            if (++p == end || !sj_norm_is_digit(*p))
                return PARSE_FORMAT;
            while (p < end && sj_norm_is_digit(*p))
                p++;
        }
    }
    *pp = p;
    return PARSE_OK;
}

/* After the hour of 12时30分45秒 / 3点半 / 12点30: the minutes and seconds, if any. */
static int parse_cn_time(const char **pp, const char *end, struct moment *m)
{
    const char *p = *pp;
    if (sj_norm_eat(&p, end, "半")) {
        m->minute = 30;
    } else if (p < end) {
        m->minute = eat_small(&p, end);
        if (m->minute < 0)
            return PARSE_FORMAT;
        if (sj_norm_eat(&p, end, "分") && p < end) {
            m->second = eat_small(&p, end);
            if (m->second < 0 || !sj_norm_eat(&p, end, "秒"))
                return PARSE_FORMAT;
        }
    }
    *pp = p;
    return PARSE_OK;
}

/* A UTC offset after its sign: 08, 0800 or 08:00 (hours up to 14). Leaves *pp alone when
 * there is none, so that the caller sees the rest as unparsed. */
static void eat_offset(const char **pp, const char *end)
{
    const char *p = *pp + 1;
    int hours, minutes = 0;
    if (end - p < 2 || !sj_norm_is_digit(p[0]) || !sj_norm_is_digit(p[1]))
        return;
    hours = (p[0] - '0') * 10 + (p[1] - '0');
    p += 2;
    if (p < end && (*p == ':' || sj_norm_is_digit(*p))) {
        p += *p == ':';
        minutes = eat_ascii(&p, end, 2, 2);
    }
    if (hours <= 14 && minutes >= 0 && minutes <= 59)
        *pp = p;
}

/* An optional " AM"/" PM" and an optional zone designator (Z, +08, +0800, +08:00). */
static enum half_day parse_time_suffix(const char **pp, const char *end)
{
    const char *p = *pp;
    enum half_day half = HALF_NONE;
    while (p < end && *p == ' ')
        p++;
    if (end - p >= 2 && (p[1] == 'M' || p[1] == 'm')) {
        if (*p == 'A' || *p == 'a')
            half = HALF_AM;
        else if (*p == 'P' || *p == 'p')
            half = HALF_PM;
        if (half != HALF_NONE)
            p += 2;
    }
    while (p < end && *p == ' ')
        p++;
    if (p < end && (*p == 'Z' || *p == 'z')) {
        p++;
    } else if (p < end && (*p == '+' || *p == '-')) {
        eat_offset(&p, end);
    }
    *pp = p;
    return half;
}

/* Applies 上午/下午/AM/PM to the hour. Chinese half-day words may repeat a 24-hour
 * clock (下午15:00); 晚上 before 6 or at 12 is ambiguous (凌晨 is the word for that). */
static int apply_half_day(struct moment *m, enum half_day half, bool is_english)
{
    if (half == HALF_NONE)
        return PARSE_OK;
    if (m->hour > 12)
        return is_english || half == HALF_AM ? PARSE_HALF_MISMATCH : PARSE_OK;
    if (is_english) {
        if (half == HALF_AM && m->hour == 12)
            m->hour = 0;
        else if (half == HALF_PM && m->hour < 12)
            m->hour += 12;
        return PARSE_OK;
    }
    switch (half) {
    case HALF_NOON:
        if (m->hour < 10)
            m->hour += 12;
        return PARSE_OK;
    case HALF_NIGHT:
        if (m->hour < 6 || m->hour == 12)
            return PARSE_HALF_MISMATCH;
        m->hour += 12;
        return PARSE_OK;
    case HALF_PM:
        if (m->hour < 12)
            m->hour += 12;
        return PARSE_OK;
    default:
        return PARSE_OK;
    }
}

/* A time of day filling hour, minute, second of m; the whole of [p, end) must be used. */
static int parse_time(const char *p, const char *end, struct moment *m)
{
    enum half_day half = eat_half_day(&p, end);
    int rc = PARSE_FORMAT;
    while (half != HALF_NONE && p < end && *p == ' ')
        p++;
    m->hour = eat_small(&p, end);
    if (m->hour < 0)
        return PARSE_FORMAT;
    if (p < end && *p == ':')
        rc = parse_colon_time(&p, end, m);
    else if (sj_norm_eat(&p, end, "时") || sj_norm_eat(&p, end, "点"))
        rc = parse_cn_time(&p, end, m);
    if (rc != PARSE_OK)
        return rc;
    enum half_day suffix = parse_time_suffix(&p, end);
    if (p != end || (suffix != HALF_NONE && half != HALF_NONE))
        return PARSE_FORMAT;
    rc = apply_half_day(m, half != HALF_NONE ? half : suffix, suffix != HALF_NONE);
    if (rc != PARSE_OK)
        return rc;
    if (m->hour > 23 || m->minute > 59 || m->second > 59)
        return PARSE_BAD_TIME;
    return PARSE_OK;
}

/* The whole value as an Excel serial: digits with an optional fraction of a day. */
static int parse_serial(struct sj_str s, size_t int_len, struct moment *m)
{
    int64_t serial = 0, num = 0, den = 1;
    if (int_len == 0 || (int_len > 1 && s.ptr[0] == '0'))
        return PARSE_FORMAT; /* spreadsheets write neither .5 nor 0102 */
    for (size_t i = 0; i < int_len; i++) {
        serial = serial * 10 + (s.ptr[i] - '0');
        if (serial > EXCEL_SERIAL_MAX)
            return PARSE_SERIAL_RANGE;
    }
    /* Serials 1900..2100 are days of 1905, which nobody's data holds; the value is far
     * more likely a year (2023) or year.month (2023.1) that lacks the rest. */
    if (int_len == 4 && serial >= 1900 && serial <= 2100) {
        m->year = (int)serial;
        return PARSE_YEAR_ONLY;
    }
    if (serial < 1)
        return PARSE_SERIAL_RANGE;
    /* Twelve digits of a day are far below a second; the rest cannot change the result
     * except by rounding, which they are allowed to miss. */
    for (size_t i = int_len + 1; i < s.len && den < 1000000000000; i++) {
        num = num * 10 + (s.ptr[i] - '0');
        den *= 10;
    }
    int64_t secs = (num * 86400 + den / 2) / den;
    if (secs == 86400) {
        serial++;
        secs = 0;
    }
    if (serial < 1 || serial > EXCEL_SERIAL_MAX)
        return PARSE_SERIAL_RANGE;
    if (serial == EXCEL_SERIAL_FAKE_LEAP)
        return PARSE_SERIAL_FAKE;
    int64_t days = serial - EXCEL_SERIAL_EPOCH + (serial < EXCEL_SERIAL_FAKE_LEAP);
    sj_days_to_date(days, &m->year, &m->month, &m->day);
    m->hour = (int)(secs / 3600);
    m->minute = (int)(secs / 60 % 60);
    m->second = (int)(secs % 60);
    return PARSE_OK;
}

/* Digits with at most one '.'; *int_len gets the length before the '.'. */
static bool is_plain_number(struct sj_str s, size_t *int_len)
{
    size_t dot = s.len;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '.' && dot == s.len)
            dot = i;
        else if (!sj_norm_is_digit(s.ptr[i]))
            return false;
    }
    *int_len = dot;
    return s.len > 0 && !(dot == 0 && s.len == 1);
}

/* 20230102123045: a compact date-time as many systems export it. */
static void parse_compact_datetime(struct sj_str s, struct moment *m)
{
    const char *p = s.ptr;
    int v[7];
    for (int i = 0; i < 7; i++)
        v[i] = (p[2 * i] - '0') * 10 + (p[2 * i + 1] - '0');
    m->year = v[0] * 100 + v[1];
    m->month = v[2];
    m->day = v[3];
    m->hour = v[4];
    m->minute = v[5];
    m->second = v[6];
}

/* A written date, then an optional time after T, spaces, or directly after 日/号. A
 * well-formed time is checked even when only the date is wanted. */
static int parse_written(struct sj_str s, struct moment *m)
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    bool is_cn_end;
    int rc = parse_date(&p, end, m, &is_cn_end);
    if (rc != PARSE_OK || p == end)
        return rc;
    if (*p == 'T' || *p == 't')
        p++;
    else if (*p == ' ')
        while (p < end && *p == ' ')
            p++;
    else if (!is_cn_end)
        return PARSE_FORMAT;
    return parse_time(p, end, m);
}

/* The order of the checks decides the reason: form, then date, then time. */
static int parse_moment(struct sj_str s, struct moment *m)
{
    size_t int_len;
    int rc = PARSE_OK;
    if (!is_plain_number(s, &int_len) || (int_len == s.len && s.len == 8))
        rc = parse_written(s, m);
    else if (int_len == s.len && s.len == 14)
        parse_compact_datetime(s, m);
    else
        return parse_serial(s, int_len, m);
    if (rc == PARSE_FORMAT)
        return rc;
    if (!sj_date_is_valid(m->year, m->month, m->day))
        return PARSE_BAD_DATE;
    if (rc == PARSE_OK && (m->hour > 23 || m->minute > 59 || m->second > 59))
        return PARSE_BAD_TIME;
    return rc;
}

static bool fail_for(struct sj_norm_result *out, int rc, const struct moment *m, bool want_time)
{
    switch (rc) {
    case PARSE_BAD_DATE:
        return sj_norm_fail(out, "日期%04d-%02d-%02d不存在", m->year, m->month, m->day);
    case PARSE_BAD_TIME:
        return sj_norm_fail(out, "时间%02d:%02d:%02d不存在", m->hour, m->minute, m->second);
    case PARSE_SERIAL_RANGE:
        return sj_norm_fail(out, "Excel日期序列号应在1到%d之间", EXCEL_SERIAL_MAX);
    case PARSE_SERIAL_FAKE:
        return sj_norm_fail(out, "Excel日期序列号60对应的1900-02-29不存在");
    case PARSE_YEAR_ONLY:
        return sj_norm_fail(out, "%d像是年份，缺少月或日", m->year);
    case PARSE_HALF_MISMATCH:
        return sj_norm_fail(out, "上午/下午与钟点%d点不符", m->hour);
    default:
        return sj_norm_fail(out, "无法识别的%s格式", want_time ? "日期时间" : "日期");
    }
}

static void put2(char *b, int v)
{
    b[0] = (char)('0' + v / 10);
    b[1] = (char)('0' + v % 10);
}

static bool emit(struct sj_norm_result *out, const struct moment *m, bool want_time)
{
    char v[20];
    size_t len = 10;
    put2(v, m->year / 100);
    put2(v + 2, m->year % 100);
    v[4] = '-';
    put2(v + 5, m->month);
    v[7] = '-';
    put2(v + 8, m->day);
    if (want_time) {
        v[10] = ' ';
        put2(v + 11, m->hour);
        v[13] = ':';
        put2(v + 14, m->minute);
        v[16] = ':';
        put2(v + 17, m->second);
        len = 19;
    }
    sj_norm_accept(out, v, len);
    sj_norm_add_part_int(out, "year", m->year);
    sj_norm_add_part_int(out, "month", m->month);
    sj_norm_add_part_int(out, "day", m->day);
    if (want_time) {
        sj_norm_add_part_int(out, "hour", m->hour);
        sj_norm_add_part_int(out, "minute", m->minute);
        sj_norm_add_part_int(out, "second", m->second);
    }
    return true;
}

static bool norm_moment(struct sj_str in, struct sj_norm_result *out, bool want_time)
{
    char scratch[SJ_NORM_INPUT_MAX];
    struct sj_str s;
    struct moment m = {0, 0, 0, 0, 0, 0};
    sj_norm_begin(out, want_time ? SJ_KIND_DATETIME : SJ_KIND_DATE);
    if (!sj_norm_prepare(in, scratch, sizeof scratch, &s))
        return sj_norm_fail(out, "内容过长");
    if (s.len == 0)
        return sj_norm_fail(out, "%s为空", want_time ? "日期时间" : "日期");
    int rc = parse_moment(s, &m);
    if (rc != PARSE_OK)
        return fail_for(out, rc, &m, want_time);
    return emit(out, &m, want_time);
}

bool sj_norm_date(struct sj_str in, struct sj_norm_result *out)
{
    return norm_moment(in, out, false);
}

bool sj_norm_datetime(struct sj_str in, struct sj_norm_result *out)
{
    return norm_moment(in, out, true);
}
