/*
 * cellfmt.c - the text of spreadsheet cells: numbers as Excel's general format shows them
 * (15 significant digits, no binary noise), date serials as ISO dates in the 1900 or 1904
 * date system, and which number formats are dates. Shared by the xlsx and xls readers.
 *
 * Date arithmetic is on whole seconds (the serial rounded once), so there is no drift;
 * the 1900 system keeps Excel's fictitious 1900-02-29 (serial 60).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/workbook.h"

enum sj_numfmt_class sj_ingest_numfmt_builtin(unsigned id)
{
    if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 54) ||
        id == 57 || id == 58)
        return SJ_NUMFMT_DATE;
    if (id == 22)
        return SJ_NUMFMT_DATETIME;
    if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47) || (id >= 32 && id <= 35) || id == 55 ||
        id == 56)
        return SJ_NUMFMT_TIME;
    return SJ_NUMFMT_GENERAL;
}

/* Index just past the quoted or bracketed part that starts at code[i] (its closing char). */
static size_t skip_until(const char *code, size_t len, size_t i, char close)
{
    i++;
    while (i < len && code[i] != close)
        i++;
    return i;
}

enum sj_numfmt_class sj_ingest_numfmt_classify(const char *code, size_t len)
{
    bool has_date = false, has_time = false, has_m = false;
    for (size_t i = 0; i < len; i++) {
        switch (code[i]) {
        case '"':
            i = skip_until(code, len, i, '"');
            break;
        case '[':
            i = skip_until(code, len, i, ']');
            break;
        case '\\':
        case '_':
        case '*':
            i++;
            break;
        case 'y':
        case 'Y':
        case 'd':
        case 'D':
            has_date = true;
            break;
        case 'h':
        case 'H':
        case 's':
        case 'S':
            has_time = true;
            break;
        case 'm':
        case 'M':
            has_m = true;
            break;
        default:
            break;
        }
    }
    /* m is minutes next to h or s, else a month. */
    if (has_m && !has_time)
        has_date = true;
    if (has_date && has_time)
        return SJ_NUMFMT_DATETIME;
    if (has_date)
        return SJ_NUMFMT_DATE;
    return has_time ? SJ_NUMFMT_TIME : SJ_NUMFMT_GENERAL;
}

/* Writes the integer whose 15 significant digits are in mantissa ("d.dddddddddddddd", from
 * %.14e) and whose decimal exponent is exp (15..20), padding with zeros. */
static size_t expand_integer(const char *mantissa, int exp, bool negative, char *out)
{
    size_t n = 0;
    if (negative)
        out[n++] = '-';
    out[n++] = mantissa[0];
    for (int i = 0; i < exp; i++)
        out[n++] = i < 14 ? mantissa[2 + i] : '0';
    out[n] = '\0';
    return n;
}

size_t sj_ingest_format_number(double v, char *out)
{
    if (!isfinite(v))
        return (size_t)snprintf(out, SJ_CELL_TEXT_MAX, "#NUM!");
    if (v == 0)
        v = 0; /* no "-0" */
    if (fabs(v) < 1e15 && v == (double)(int64_t)v) {
        /* The common case (counts, phone numbers, serials) without printf's float path. */
        char digits[24];
        uint64_t u = (uint64_t)(v < 0 ? -(int64_t)v : (int64_t)v);
        size_t n = 0, k = sizeof digits;
        do {
            digits[--k] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (v < 0)
            out[n++] = '-';
        memcpy(out + n, digits + k, sizeof digits - k);
        n += sizeof digits - k;
        out[n] = '\0';
        return n;
    }
    int n = snprintf(out, SJ_CELL_TEXT_MAX, "%.15g", v);
    char *e = strchr(out, 'e');
    if (!e)
        return (size_t)n;
    int exp = atoi(e + 1);
    if (exp >= 15 && exp <= 20) {
        char mantissa[SJ_CELL_TEXT_MAX];
        snprintf(mantissa, sizeof mantissa, "%.14e", fabs(v));
        if (atoi(strchr(mantissa, 'e') + 1) == exp)
            return expand_integer(mantissa, exp, v < 0, out);
    }
    *e = 'E';
    return (size_t)n;
}

/* Civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Writes the date of day `days` of the date system. Returns false when out of range. */
static bool format_day(int64_t days, bool is_1904, char *out)
{
    int64_t y;
    unsigned m, d;
    if (!is_1904 && days == 60) {
        snprintf(out, SJ_CELL_TEXT_MAX, "1900-02-29");
        return true;
    }
    /* Serial 25569 is 1970-01-01 in the 1900 system, 24107 in the 1904 one; the 1900
     * system counts the missing 1900-02-29, so days before it are one off. */
    int64_t unix_days = is_1904 ? days - 24107 : days - (days < 60 ? 25568 : 25569);
    civil_from_days(unix_days, &y, &m, &d);
    if (y < 1900 || y > 9999)
        return false;
    snprintf(out, SJ_CELL_TEXT_MAX, "%04d-%02u-%02u", (int)y, m, d);
    return true;
}

size_t sj_ingest_format_serial(double serial, bool is_1904, enum sj_numfmt_class cls, char *out)
{
    if (!isfinite(serial) || serial < 0 || serial >= 2958466.0)
        return 0;
    int64_t total = llround(serial * 86400.0);
    int64_t days = total / 86400;
    int secs = (int)(total % 86400);
    bool no_day = !is_1904 && days == 0; /* the 1900 system has no day 0 */
    bool show_date = cls != SJ_NUMFMT_TIME || !no_day;
    bool show_time = secs != 0 || cls == SJ_NUMFMT_DATETIME || cls == SJ_NUMFMT_TIME;
    if (no_day && show_date && cls != SJ_NUMFMT_DATETIME && secs == 0)
        return 0;
    if (no_day)
        show_date = false;
    size_t n = 0;
    out[0] = '\0';
    if (show_date) {
        if (!format_day(days, is_1904, out))
            return 0;
        n = strlen(out);
    }
    if (show_time) {
        n += (size_t)snprintf(out + n, SJ_CELL_TEXT_MAX - n, "%s%02d:%02d:%02d",
                              show_date ? " " : "", secs / 3600, secs / 60 % 60, secs % 60);
    }
    return n;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code point of "_xHHHH_" at s (7 bytes available), or -1. */
static long escape_at(const char *s)
{
    if (s[0] != '_' || s[1] != 'x' || s[6] != '_')
        return -1;
    long cp = 0;
    for (int i = 2; i < 6; i++) {
        int h = hex_value(s[i]);
        if (h < 0)
            return -1;
        cp = cp * 16 + h;
    }
    return cp;
}

size_t sj_ingest_unescape_ooxml(char *s, size_t len)
{
    char *first = len >= 7 ? memchr(s, '_', len) : NULL;
    if (!first)
        return len;
    size_t r = (size_t)(first - s), w = r;
    while (r < len) {
        long cp = (s[r] == '_' && len - r >= 7) ? escape_at(s + r) : -1;
        int n = cp >= 0 ? sj_utf8_encode((uint32_t)cp, s + w) : 0;
        if (n > 0) {
            /* n <= 3 < 7: the write never passes the read. */
            w += (size_t)n;
            r += 7;
        } else {
            s[w++] = s[r++];
        }
    }
    return w;
}
