/*
 * plate.c - vehicle licence plates of the mainland (GA 36-2018): province abbreviation,
 * issuing-authority letter, 5 serial characters (粤A12345), 6 for new-energy plates
 * (small cars D/F first: 粤AD12345; large vehicles D/F last: 粤A12345D), 4 plus a suffix for
 * trailer, coach, police, Hong Kong/Macau, consulate, test and oversize plates (粤A1234学),
 * and embassy plates (使014123). Serial letters never include I or O.
 * Invariant: the canonical value is upper-case with every separator removed.
 */
#include <string.h>

#include "norm/norm_int.h"

#define PLATE_CPS_MAX 12

static const char province_chars[] =
    "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新";
static const char suffix_chars[] = "挂学警港澳领试超";

/* Middle dots, dashes and spaces people put between the parts of a plate. */
static bool is_plate_separator(uint32_t cp)
{
    switch (cp) {
    case ' ':
    case '\t':
    case '-':
    case '.':
    case '_':
    case 0xA0:
    case 0xB7:
    case 0x2022:
    case 0x2027:
    case 0x2219:
    case 0x22C5:
    case 0x30FB:
    case 0xFF65:
    case 0x2014:
        return true;
    default:
        return false;
    }
}

/* True when the UTF-8 list set holds the code point cp (set of 3-byte characters). */
static bool set_has(const char *set, uint32_t cp)
{
    char enc[4];
    int n = sj_utf8_encode(cp, enc);
    if (n != 3)
        return false;
    for (const char *p = set; *p; p += 3) {
        if (memcmp(p, enc, 3) == 0)
            return true;
    }
    return false;
}

static bool is_serial_char(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z' && cp != 'I' && cp != 'O');
}

static bool is_digit_cp(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

/* Decodes s into upper-cased code points without separators. Returns the count, or -1
 * for invalid UTF-8 or more than max characters. */
static int plate_code_points(struct sj_str s, uint32_t *cps, int max)
{
    int n = 0;
    size_t i = 0;
    while (i < s.len) {
        uint32_t cp;
        int k = sj_utf8_decode(s.ptr + i, s.len - i, &cp);
        if (k <= 0)
            return -1;
        i += (size_t)k;
        if (is_plate_separator(cp))
            continue;
        if (n >= max)
            return -1;
        cps[n++] = (cp >= 'a' && cp <= 'z') ? cp - 'a' + 'A' : cp;
    }
    return n;
}

/* Checks the characters after province and letter; sets *type. NULL when fine, else a
 * reason. */
static const char *check_serial(const uint32_t *c, int n, const char **type)
{
    for (int i = 0; i < n; i++) {
        bool is_last = i == n - 1;
        if (c[i] == 'I' || c[i] == 'O')
            return "车牌号不使用字母I和O";
        if (!is_serial_char(c[i]) && !(is_last && n == 5 && set_has(suffix_chars, c[i])))
            return "车牌号含有无法识别的字符";
    }
    if (n == 5) {
        *type = is_serial_char(c[4]) ? "standard" : "special";
        return NULL;
    }
    if (n != 6)
        return "车牌号长度不符：普通车牌为7位，新能源车牌为8位";
    *type = "new-energy";
    bool is_small = (c[0] == 'D' || c[0] == 'F') && is_digit_cp(c[2]) && is_digit_cp(c[3]) &&
                    is_digit_cp(c[4]) && is_digit_cp(c[5]);
    bool is_large = (c[5] == 'D' || c[5] == 'F') && is_digit_cp(c[0]) && is_digit_cp(c[1]) &&
                    is_digit_cp(c[2]) && is_digit_cp(c[3]) && is_digit_cp(c[4]);
    if (!is_small && !is_large)
        return "新能源车牌格式不符：小型车第3位为D或F，大型车末位为D或F";
    return NULL;
}

static bool accept_plate(const uint32_t *cps, int n, const char *type, struct sj_norm_result *out)
{
    char value[PLATE_CPS_MAX * 4];
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)sj_utf8_encode(cps[i], value + len);
    sj_norm_accept(out, value, len);
    size_t head = cps[0] == 0x4F7F ? 0 : 3; /* 使 plates have no province */
    if (head)
        sj_norm_add_part(out, "province", value, head, false);
    sj_norm_add_part(out, "type", type, strlen(type), false);
    if (strcmp(type, "special") == 0 && head)
        sj_norm_add_part(out, "suffix", value + len - 3, 3, false);
    return true;
}

bool sj_norm_plate(struct sj_str in, struct sj_norm_result *out)
{
    char scratch[SJ_NORM_INPUT_MAX];
    struct sj_str s;
    uint32_t cps[PLATE_CPS_MAX];
    sj_norm_begin(out, SJ_KIND_PLATE);
    if (!sj_norm_prepare(in, scratch, sizeof scratch, &s))
        return sj_norm_fail(out, "内容过长，不是车牌号");
    int n = plate_code_points(s, cps, PLATE_CPS_MAX);
    if (n < 0)
        return sj_norm_fail(out, "无法识别的车牌号");
    if (n == 0)
        return sj_norm_fail(out, "车牌号为空");
    if (cps[0] == 0x4F7F) { /* 使: embassy code and serial, 6 digits */
        for (int i = 1; i < n; i++) {
            if (!is_digit_cp(cps[i]))
                return sj_norm_fail(out, "使馆车牌应为“使”加6位数字");
        }
        if (n != 7)
            return sj_norm_fail(out, "使馆车牌应为“使”加6位数字");
        return accept_plate(cps, n, "special", out);
    }
    if (!set_has(province_chars, cps[0]))
        return sj_norm_fail(out, "无法识别的省份简称");
    if (n < 2 || cps[1] < 'A' || cps[1] > 'Z')
        return sj_norm_fail(out, "省份简称后应为发牌机关字母");
    /* O as the authority letter is used for police vehicles only. */
    if (cps[1] == 'I' || (cps[1] == 'O' && cps[n - 1] != 0x8B66))
        return sj_norm_fail(out, "车牌号不使用字母I和O");
    const char *type = NULL;
    const char *reason = check_serial(cps + 2, n - 2, &type);
    if (reason)
        return sj_norm_fail(out, "%s", reason);
    return accept_plate(cps, n, type, out);
}
