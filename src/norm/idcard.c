/*
 * idcard.c - citizen identity numbers (GB 11643-1999): 18 characters, the last an
 * ISO 7064 MOD 11-2 check character (0-9 or X), and the 15-digit numbers issued before
 * 1999, which are upgraded to 18 (century "19" inserted, check character computed).
 * Invariants: the canonical value is always the 18-character form with an upper-case X;
 * the birth date exists and is not after "today"; the region code is in the bundled
 * GB/T 2260 table (retired codes included). The ASCII path allocates nothing and folds
 * nothing; full-width input is folded to half-width first (see norm_int.h).
 */
#include "norm/norm_int.h"
#include "norm/region_table.h"

#define IDCARD_SCAN_MAX 24 /* significant characters kept; more is a length error */

static const int check_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char check_chars[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

/* ISO 7064 MOD 11-2 check character of the 17 digits d[0..16]. */
static char idcard_check_char(const char *d)
{
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (d[i] - '0') * check_weights[i];
    return check_chars[sum % 11];
}

static int two_digits(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* Collects the significant characters of s (digits, X, x upper-cased) into buf, skipping
 * inner spaces and dashes. Returns the count, or -1 (reason set) for any other byte. */
static int idcard_scan(struct sj_str s, char *buf, struct sj_norm_result *out)
{
    int n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c >= '0' && c <= '9') {
        } else if (c == 'X' || c == 'x') {
            c = 'X';
        } else if (c == ' ' || c == '-' || c == '\t') {
            continue;
        } else {
            if ((unsigned char)c >= 0x80 || c < 0x20)
                sj_norm_fail(out, "含有无效字符");
            else
                sj_norm_fail(out, "含有无效字符“%c”", c);
            return -1;
        }
        if (n < IDCARD_SCAN_MAX)
            buf[n] = c;
        n++;
    }
    return n;
}

/* Checks the layout of the n significant characters: digits only, except an X as the
 * 18th. Sets the reason and returns false otherwise. */
static bool idcard_check_layout(const char *buf, int n, struct sj_norm_result *out)
{
    if (n == 0)
        return sj_norm_fail(out, "身份证号为空");
    if (n != 18 && n != 15)
        return sj_norm_fail(out, "长度应为18位或15位，实际为%d位", n);
    for (int i = 0; i < n; i++) {
        if (buf[i] != 'X')
            continue;
        if (n == 15)
            return sj_norm_fail(out, "15位身份证号只能由数字组成");
        if (i != 17)
            return sj_norm_fail(out, "只有最后一位可以是X");
    }
    return true;
}

/* Validates birth date (YYYYMMDD at id+6) and region (id[0..5]) of an 18-character id.
 * On success *region is the index of the region in the generated table. */
static bool idcard_check_facts(const char *id, long *region, struct sj_norm_result *out)
{
    int year = two_digits(id + 6) * 100 + two_digits(id + 8);
    int month = two_digits(id + 10), day = two_digits(id + 12);
    if (!sj_date_is_valid(year, month, day))
        return sj_norm_fail(out, "出生日期%.8s不存在", id + 6);
    int ty, tm, td;
    sj_norm_get_today(&ty, &tm, &td);
    if ((long)year * 10000 + month * 100 + day > (long)ty * 10000 + tm * 100 + td)
        return sj_norm_fail(out, "出生日期晚于今天");
    uint32_t code =
        (uint32_t)(two_digits(id) * 10000 + two_digits(id + 2) * 100 + two_digits(id + 4));
    *region = sj_region_find(code);
    if (*region < 0)
        return sj_norm_fail(out, "地区码%.6s不存在", id);
    return true;
}

/* Fills value and parts of a checked 18-character id. */
static bool idcard_accept(const char *id, long region, bool upgraded, struct sj_norm_result *out)
{
    char birth[10] = {id[6], id[7], id[8], id[9], '-', id[10], id[11], '-', id[12], id[13]};
    sj_norm_accept(out, id, 18);
    sj_norm_add_part(out, "birth", birth, sizeof birth, false);
    sj_norm_add_part(out, "sex", ((id[16] - '0') & 1) ? "M" : "F", 1, false);
    sj_norm_add_part(out, "region_code", id, 6, false);
    sj_norm_add_part(out, "region_name",
                     (const char *)sj_region_pool + sj_region_entries[region].name,
                     sj_region_name_len[region], false);
    if (upgraded)
        sj_norm_add_part(out, "upgraded", "true", 4, false);
    return true;
}

/* The common case: exactly 18 ASCII characters, 17 digits and a digit, X or x. Copies
 * them into id (X upper-cased) and returns true; anything else takes the general path. */
static bool idcard_plain18(struct sj_str in, char *id)
{
    if (in.len != 18)
        return false;
    unsigned bad = 0;
    for (int i = 0; i < 17; i++) {
        unsigned char c = (unsigned char)in.ptr[i];
        bad |= (unsigned)(c - '0') > 9u;
        id[i] = (char)c;
    }
    char last = in.ptr[17];
    if (last == 'x')
        last = 'X';
    id[17] = last;
    return !bad && ((last >= '0' && last <= '9') || last == 'X');
}

bool sj_norm_idcard(struct sj_str in, struct sj_norm_result *out)
{
    char id[18];
    long region = -1;
    bool upgraded = false;

    sj_norm_begin(out, SJ_KIND_IDCARD);
    if (!idcard_plain18(in, id)) {
        char scratch[SJ_NORM_INPUT_MAX];
        char buf[IDCARD_SCAN_MAX];
        struct sj_str s;
        if (!sj_norm_prepare(in, scratch, sizeof scratch, &s))
            return sj_norm_fail(out, "内容过长");
        int n = idcard_scan(s, buf, out);
        if (n < 0 || !idcard_check_layout(buf, n, out))
            return false;
        if (n == 18) {
            memcpy(id, buf, 18);
        } else {
            memcpy(id, buf, 6);
            id[6] = '1';
            id[7] = '9';
            memcpy(id + 8, buf + 6, 9);
            id[17] = idcard_check_char(id);
            upgraded = true;
        }
    }
    char want = idcard_check_char(id);
    if (want != id[17])
        return sj_norm_fail(out, "校验码应为%c，实际为%c", want, id[17]);
    if (!idcard_check_facts(id, &region, out))
        return false;
    return idcard_accept(id, region, upgraded, out);
}
