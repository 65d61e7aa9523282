/*
 * phone.c - mainland Chinese phone numbers: mobiles (11 digits, 1[3-9]) and landlines with
 * an area code (010 and 02x are 3 digits, 03xx-09xx are 4; local numbers 7-8 digits), with
 * +86 / 0086 / 86 prefixes, spaces, dashes, dots, brackets and an optional extension.
 * Invariant: the canonical value never holds the country prefix or the extension; a mobile
 * is its 11 bare digits, a landline "AREA-LOCAL" (e.g. 0755-88888888).
 */
#include <string.h>

#include "norm/norm_int.h"

#define PHONE_DIGITS_MAX 24
#define PHONE_EXT_MAX 6

/* What the scanner found: all digits of the number in order, where its last separated
 * group starts (for "010-12345678-123"), and an extension after a marker (转, ext, 分机). */
struct phone_scan {
    char digits[PHONE_DIGITS_MAX + 2]; /* +1 for a re-inserted trunk 0 */
    size_t n;
    size_t last_group; /* index where the last separated group starts; 0 if only one */
    bool has_plus;
    bool has_ext;
    char ext[PHONE_EXT_MAX + 1];
    size_t ext_len;
};

/* Mobile blocks in use (MIIT numbering plan, as of 2024): for 13x..19x a '1' for every
 * allocated third digit. 140-144 are 13-digit IoT numbers; 154, 160, 161, 163, 164, 168,
 * 169, 179 and 194 are not allocated. Update when new blocks open. */
static const char mobile_blocks[7][11] = {
    "1111111111", /* 13x */
    "0000011111", /* 14x: 145-149 data and IoT cards */
    "1111011111", /* 15x */
    "0010011100", /* 16x: 162, 165, 166, 167 */
    "1111111110", /* 17x */
    "1111111111", /* 18x */
    "1111011111", /* 19x */
};

static bool is_separator(uint32_t cp)
{
    return cp == ' ' || cp == '-' || cp == '.' || cp == '(' || cp == ')' || cp == '\t' ||
           cp == 0xA0 || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212;
}

/* Reads an extension marker at *p: 转, 分机(号), ext(.) in any case, x/X, #. */
static bool eat_ext_marker(const char **p, const char *end)
{
    static const char *const markers[] = {"分机号", "分机", "转", "EXT", "Ext",
                                          "ext",    "x",    "X",  "#"};
    for (size_t i = 0; i < SJ_ARRAY_LEN(markers); i++) {
        if (sj_norm_eat(p, end, markers[i])) {
            (void)(sj_norm_eat(p, end, ".") || sj_norm_eat(p, end, ":"));
            return true;
        }
    }
    return false;
}

/* Reads the extension digits after a marker up to the end; spaces are allowed around. */
static bool scan_ext(const char *p, const char *end, struct phone_scan *sc)
{
    sc->has_ext = true;
    while (p < end) {
        char c = *p++;
        if (c == ' ')
            continue;
        if (!sj_norm_is_digit(c) || sc->ext_len >= PHONE_EXT_MAX)
            return false;
        sc->ext[sc->ext_len++] = c;
    }
    sc->ext[sc->ext_len] = '\0';
    return sc->ext_len > 0;
}

/* Splits the prepared view into digits, groups and extension. False when something that
 * is not part of a phone number appears. */
static bool scan_phone(struct sj_str s, struct phone_scan *sc)
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    bool after_sep = false;
    memset(sc, 0, sizeof *sc);
    while (p < end) {
        uint32_t cp;
        if (sj_norm_is_digit(*p)) {
            if (sc->n >= PHONE_DIGITS_MAX)
                return false;
            if (after_sep && sc->n > 0)
                sc->last_group = sc->n;
            after_sep = false;
            sc->digits[sc->n++] = *p++;
            continue;
        }
        if (*p == '+' && sc->n == 0 && !sc->has_plus) {
            sc->has_plus = true;
            p++;
            continue;
        }
        if (sc->n > 0 && eat_ext_marker(&p, end))
            return scan_ext(p, end, sc);
        int k = sj_utf8_decode(p, (size_t)(end - p), &cp);
        if (k <= 0 || !is_separator(cp))
            return false;
        after_sep = true;
        p += k;
    }
    return sc->n > 0;
}

/* Removes a country prefix (+86, 0086, or a bare 86 before an 11-digit mobile) and puts
 * back the trunk 0 that the international form of a landline drops (+86 755 ... ). */
static bool strip_country(struct phone_scan *sc, struct sj_norm_result *out)
{
    size_t cut = 0;
    bool is_intl = false;
    if (sc->has_plus) {
        if (sc->n < 2 || memcmp(sc->digits, "86", 2) != 0)
            return sj_norm_fail(out, "仅支持中国大陆电话号码");
        cut = 2, is_intl = true;
    } else if (sc->n >= 4 && memcmp(sc->digits, "0086", 4) == 0) {
        cut = 4, is_intl = true;
    } else if (sc->n == 13 && memcmp(sc->digits, "861", 3) == 0) {
        cut = 2;
    }
    memmove(sc->digits, sc->digits + cut, sc->n - cut);
    sc->n -= cut;
    sc->last_group = sc->last_group > cut ? sc->last_group - cut : 0;
    if (sc->n == 0)
        return sj_norm_fail(out, "无法识别的电话号码");
    char c0 = sc->digits[0], c1 = sc->n > 1 ? sc->digits[1] : '0';
    bool is_mobile_like = c0 == '1' && c1 >= '3' && c1 <= '9';
    if (is_intl && c0 != '0' && !is_mobile_like) {
        memmove(sc->digits + 1, sc->digits, sc->n);
        sc->digits[0] = '0';
        sc->n++;
        if (sc->last_group)
            sc->last_group++;
    }
    return true;
}

static bool accept_mobile(const struct phone_scan *sc, struct sj_norm_result *out)
{
    if (sc->has_ext)
        return sj_norm_fail(out, "手机号不能带分机号");
    if (sc->n != 11)
        return sj_norm_fail(out, "手机号应为11位，实际为%zu位", sc->n);
    int second = sc->digits[1] - '0', third = sc->digits[2] - '0';
    if (second < 3 || mobile_blocks[second - 3][third] != '1')
        return sj_norm_fail(out, "号段不存在：%.3s", sc->digits);
    sj_norm_accept(out, sc->digits, 11);
    sj_norm_add_part(out, "type", "mobile", 6, false);
    return true;
}

/* Length of the area code at the start of d (d[0] == '0'): 3 for 010 and 02x, 4 for
 * 03xx-09xx; 0 when no mainland area code starts that way. */
static size_t area_code_len(const char *d, size_t n)
{
    if (n < 3)
        return 0;
    if (d[1] == '1')
        return d[2] == '0' ? 3 : 0;
    if (d[1] == '2')
        return 3;
    if (d[1] >= '3' && d[1] <= '9')
        return 4;
    return 0;
}

static bool accept_landline(struct phone_scan *sc, struct sj_norm_result *out)
{
    if (sc->n >= 2 && sc->digits[1] == '0')
        return sj_norm_fail(out, "仅支持中国大陆电话号码");
    size_t alen = area_code_len(sc->digits, sc->n);
    if (alen == 0 || sc->n <= alen)
        return sj_norm_fail(out, "区号不存在：%.*s", (int)(sc->n < 4 ? sc->n : 4), sc->digits);
    size_t local = sc->n - alen;
    /* "010-12345678-123": a trailing group after an 8-digit local number is an extension;
     * after a 7-digit one it would be ambiguous, so the length rule below rejects it. */
    if (local > 8 && !sc->has_ext && sc->last_group == alen + 8 && local - 8 <= PHONE_EXT_MAX) {
        sc->ext_len = local - 8;
        memcpy(sc->ext, sc->digits + alen + 8, sc->ext_len);
        sc->ext[sc->ext_len] = '\0';
        local = 8;
    }
    if (local < 7 || local > 8)
        return sj_norm_fail(out, "固定电话号码（不含区号）应为7至8位，实际为%zu位", local);
    if (sc->digits[alen] == '0')
        return sj_norm_fail(out, "区号后的号码不应以0开头");
    char value[24];
    memcpy(value, sc->digits, alen);
    value[alen] = '-';
    memcpy(value + alen + 1, sc->digits + alen, local);
    sj_norm_accept(out, value, alen + 1 + local);
    sj_norm_add_part(out, "type", "landline", 8, false);
    sj_norm_add_part(out, "area_code", sc->digits, alen, false);
    if (sc->ext_len)
        sj_norm_add_part(out, "extension", sc->ext, sc->ext_len, false);
    return true;
}

bool sj_norm_phone(struct sj_str in, struct sj_norm_result *out)
{
    char scratch[SJ_NORM_INPUT_MAX];
    struct sj_str s;
    struct phone_scan sc;
    sj_norm_begin(out, SJ_KIND_PHONE);
    if (!sj_norm_prepare(in, scratch, sizeof scratch, &s))
        return sj_norm_fail(out, "内容过长，不是电话号码");
    if (s.len == 0)
        return sj_norm_fail(out, "电话号码为空");
    if (!scan_phone(s, &sc))
        return sj_norm_fail(out, "无法识别的电话号码");
    if (!strip_country(&sc, out))
        return false;
    bool is_local_len = sc.n == 7 || sc.n == 8;
    bool is_mobile_like = sc.digits[0] == '1' && sc.n > 1 && sc.digits[1] >= '3';
    if (sc.digits[0] == '1' && (is_mobile_like || !is_local_len))
        return accept_mobile(&sc, out);
    if (sc.digits[0] == '0')
        return accept_landline(&sc, out);
    if (is_local_len) /* 12345678: a local number without its area code */
        return sj_norm_fail(out, "固定电话应带区号");
    return sj_norm_fail(out, "无法识别的电话号码");
}
