/*
 * codes.c - check-character codes of organisations and accounts:
 *   unified social credit codes (GB 32100-2015, 18 characters, MOD 31 check),
 *   organisation codes (GB 11714-1997, 8 characters + MOD 11 check, shown XXXXXXXX-C),
 *   bank card and account numbers (12-19 digits, Luhn).
 * Invariants: canonical values are upper case without separators (the organisation code
 * keeps its one dash before the check character); nothing is allocated; inner spaces and
 * dashes are ignored; full-width input is folded first (norm_int.h).
 */
#include "norm/norm_int.h"

#define CODE_SCAN_MAX 32

/* The 31 characters of GB 32100 (no I, O, Z, S, V); a character's value is its index. */
static const char credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int credit_weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                       29, 25, 13, 8,  24, 10, 30, 28};
static const int org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};

/* Collects letters (upper-cased) and digits of s into buf, skipping spaces and dashes.
 * Returns the count (may exceed size: only size are stored), or -1 for another byte. */
static int scan_code(struct sj_str s, char *buf, int size)
{
    int n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == ' ' || c == '-' || c == '\t')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
            return -1;
        if (n < size)
            buf[n] = c;
        n++;
    }
    return n;
}

/* Prepares and scans in; sets the reason and returns -1 on bad input. */
static int prepare_scan(struct sj_str in, char *buf, int size, const char *what,
                        struct sj_norm_result *out)
{
    char scratch[SJ_NORM_INPUT_MAX];
    struct sj_str s;
    if (!sj_norm_prepare(in, scratch, sizeof scratch, &s)) {
        sj_norm_fail(out, "内容过长");
        return -1;
    }
    int n = scan_code(s, buf, size);
    if (n < 0)
        sj_norm_fail(out, "%s含有无效字符", what);
    else if (n == 0)
        sj_norm_fail(out, "%s为空", what);
    return n > 0 ? n : -1;
}

static int credit_value(char c)
{
    const char *p = strchr(credit_alphabet, c);
    return c && p ? (int)(p - credit_alphabet) : -1;
}

bool sj_norm_creditcode(struct sj_str in, struct sj_norm_result *out)
{
    char code[CODE_SCAN_MAX];
    sj_norm_begin(out, SJ_KIND_CREDITCODE);
    int n = prepare_scan(in, code, CODE_SCAN_MAX, "统一社会信用代码", out);
    if (n < 0)
        return false;
    if (n != 18)
        return sj_norm_fail(out, "长度应为18位，实际为%d位", n);
    int sum = 0;
    for (int i = 0; i < 18; i++) {
        int v = credit_value(code[i]);
        if (v < 0)
            return sj_norm_fail(out, "第%d位“%c”不是有效字符（不含I、O、Z、S、V）", i + 1, code[i]);
        if (i < 17)
            sum += v * credit_weights[i];
    }
    for (int i = 2; i < 8; i++) {
        if (code[i] < '0' || code[i] > '9')
            return sj_norm_fail(out, "第3-8位应为行政区划码（数字）");
    }
    char want = credit_alphabet[(31 - sum % 31) % 31];
    if (want != code[17])
        return sj_norm_fail(out, "校验码应为%c，实际为%c", want, code[17]);
    char org[10] = {code[8],  code[9],  code[10], code[11], code[12],
                    code[13], code[14], code[15], '-',      code[16]};
    sj_norm_accept(out, code, 18);
    sj_norm_add_part(out, "authority", code, 1, false);
    sj_norm_add_part(out, "org_type", code + 1, 1, false);
    sj_norm_add_part(out, "region_code", code + 2, 6, false);
    sj_norm_add_part(out, "org_code", org, sizeof org, false);
    return true;
}

bool sj_norm_orgcode(struct sj_str in, struct sj_norm_result *out)
{
    char code[CODE_SCAN_MAX];
    sj_norm_begin(out, SJ_KIND_ORGCODE);
    int n = prepare_scan(in, code, CODE_SCAN_MAX, "组织机构代码", out);
    if (n < 0)
        return false;
    if (n != 9)
        return sj_norm_fail(out, "长度应为9位，实际为%d位", n);
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        char c = code[i];
        int v = c <= '9' ? c - '0' : c - 'A' + 10;
        sum += v * org_weights[i];
    }
    int r = 11 - sum % 11;
    char want = r == 10 ? 'X' : r == 11 ? '0' : (char)('0' + r);
    if (code[8] != want)
        return sj_norm_fail(out, "校验码应为%c，实际为%c", want, code[8]);
    char value[10] = {code[0], code[1], code[2], code[3], code[4],
                      code[5], code[6], code[7], '-',     code[8]};
    return sj_norm_accept(out, value, sizeof value);
}

bool sj_norm_bankcard(struct sj_str in, struct sj_norm_result *out)
{
    char digits[CODE_SCAN_MAX];
    sj_norm_begin(out, SJ_KIND_BANKCARD);
    int n = prepare_scan(in, digits, CODE_SCAN_MAX, "银行卡号", out);
    if (n < 0)
        return false;
    for (int i = 0; i < n && i < CODE_SCAN_MAX; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return sj_norm_fail(out, "银行卡号只能由数字组成");
    }
    if (n < 12 || n > 19)
        return sj_norm_fail(out, "长度应为12至19位，实际为%d位", n);
    int sum = 0;
    for (int i = n - 1, k = 0; i >= 0; i--, k++) {
        int d = digits[i] - '0';
        if (k & 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    if (sum % 10 != 0)
        return sj_norm_fail(out, "卡号校验（Luhn）不通过");
    sj_norm_accept(out, digits, (size_t)n);
    sj_norm_add_part_int(out, "length", n);
    return true;
}
