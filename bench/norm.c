/*
 * norm.c - throughput of the normalisers: for each kind, generates N synthetic values in
 * mixed real-world forms (ID numbers with computed check digits, dates in six notations,
 * amounts in digits and in capital numerals, ...) into memory first, then times only the
 * normalisation loop on one core with CLOCK_MONOTONIC and prints values per second.
 * Usage: bench_norm [--count N] [--kind KIND]... [--samples M]  (N defaults to 10^7;
 * --samples prints the first M generated values of each kind to stderr, to check them).
 * Every generated value is meant to be valid, so the "invalid" column doubles as a sanity
 * check of the generators and the parsers. The data is deterministic (fixed seed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shujian/norm.h"

#define VALUE_MAX 160

/* xorshift64*: small, fast and deterministic. */
struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ULL;
}

static int rng_int(struct rng *r, int n)
{
    return (int)((rng_next(r) >> 33) % (uint64_t)n);
}

#define PICK(r, arr) ((arr)[rng_int((r), (int)SJ_ARRAY_LEN(arr))])

static const char *const digit_cn[] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
static const char *const digit_upper[] = {"零", "壹", "贰", "叁", "肆",
                                          "伍", "陆", "柒", "捌", "玖"};

/* ---- Generators: each writes one NUL-terminated value into out and returns its length --- */

static int gen_idcard(struct rng *r, char *out)
{
    static const char *const regions[] = {"110101", "110102", "110105", "110108", "310101",
                                          "310104", "440103", "440106", "440305", "441802",
                                          "320102", "330102", "420102", "510104", "500103"};
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int year = 1940 + rng_int(r, 66), month = 1 + rng_int(r, 12), day = 1 + rng_int(r, 28);
    snprintf(out, VALUE_MAX, "%s%04d%02d%02d%03d", PICK(r, regions), year, month, day,
             rng_int(r, 1000));
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * weights[i];
    out[17] = "10X98765432"[sum % 11];
    if (out[17] == 'X' && rng_int(r, 4) == 0)
        out[17] = 'x';
    out[18] = '\0';
    return 18;
}

/* 1..99 in counting form: 一, 十, 十二, 二十, 二十八. */
static int cn_count(int v, char *out, size_t size)
{
    int n = 0;
    if (v >= 20)
        n += snprintf(out, size, "%s十", digit_cn[v / 10]);
    else if (v >= 10)
        n += snprintf(out, size, "十");
    if (v % 10)
        n += snprintf(out + n, size - (size_t)n, "%s", digit_cn[v % 10]);
    return n;
}

static int gen_date(struct rng *r, char *out)
{
    int y = 1950 + rng_int(r, 75), m = 1 + rng_int(r, 12), d = 1 + rng_int(r, 28);
    switch (rng_int(r, 6)) {
    case 0:
        return snprintf(out, VALUE_MAX, "%04d-%02d-%02d", y, m, d);
    case 1:
        return snprintf(out, VALUE_MAX, "%d/%d/%d", y, m, d);
    case 2:
        return snprintf(out, VALUE_MAX, "%d.%d.%d", y, m, d);
    case 3:
        return snprintf(out, VALUE_MAX, "%04d%02d%02d", y, m, d);
    case 4:
        return snprintf(out, VALUE_MAX, "%d年%d月%d日", y, m, d);
    default:
        break;
    }
    /* 二〇二三年一月二日: the year digit by digit, month and day in counting form. */
    int n = 0;
    for (int div = 1000; div > 0; div /= 10)
        n += snprintf(out + n, VALUE_MAX - (size_t)n, "%s", digit_cn[y / div % 10]);
    n += snprintf(out + n, VALUE_MAX - (size_t)n, "年");
    n += cn_count(m, out + n, VALUE_MAX - (size_t)n);
    n += snprintf(out + n, VALUE_MAX - (size_t)n, "月");
    n += cn_count(d, out + n, VALUE_MAX - (size_t)n);
    return n + snprintf(out + n, VALUE_MAX - (size_t)n, "日");
}

/* Capital numerals of financial writing: 壹万贰仟叁佰肆拾伍元陆角柒分, 伍拾万元整. */
static int upper_amount(int64_t fen, char *out, size_t size)
{
    static const char *const units[] = {"", "拾", "佰", "仟"};
    static const char *const groups[] = {"", "万", "亿"};
    int64_t yuan = fen / 100;
    int n = 0;
    bool started = false, need_zero = false;
    for (int g = 2; g >= 0; g--) {
        int v = (int)(yuan / (g == 2 ? 100000000 : g == 1 ? 10000 : 1) % 10000);
        if (v == 0) {
            need_zero = started;
            continue;
        }
        for (int p = 3, div = 1000; p >= 0; p--, div /= 10) {
            int d = v / div % 10;
            if (d == 0) {
                need_zero = started;
                continue;
            }
            n += snprintf(out + n, size - (size_t)n, "%s%s%s", need_zero ? "零" : "",
                          digit_upper[d], units[p]);
            need_zero = false;
            started = true;
        }
        n += snprintf(out + n, size - (size_t)n, "%s", groups[g]);
    }
    int jiao = (int)(fen / 10 % 10), f = (int)(fen % 10);
    n += snprintf(out + n, size - (size_t)n, "%s元", started ? "" : "零");
    if (jiao == 0 && f == 0)
        return n + snprintf(out + n, size - (size_t)n, "整");
    if (jiao)
        n += snprintf(out + n, size - (size_t)n, "%s角", digit_upper[jiao]);
    else
        n += snprintf(out + n, size - (size_t)n, "零");
    if (f)
        n += snprintf(out + n, size - (size_t)n, "%s分", digit_upper[f]);
    return n;
}

/* v >= 0 with thousands separators: 1,234,567. */
static int with_commas(int64_t v, char *out, size_t size)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%lld", (long long)v), n = 0;
    for (int i = 0; i < len && (size_t)n + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[n++] = ',';
        out[n++] = digits[i];
    }
    out[n] = '\0';
    return n;
}

static int gen_amount(struct rng *r, char *out)
{
    int64_t fen = 1 + (int64_t)(rng_next(r) % 10000000000ULL); /* up to 1 亿 yuan */
    int64_t yuan = fen / 100;
    int cents = (int)(fen % 100);
    switch (rng_int(r, 7)) {
    case 0: {
        int n = with_commas(yuan, out, VALUE_MAX);
        return n + snprintf(out + n, VALUE_MAX - (size_t)n, ".%02d", cents);
    }
    case 1:
        return snprintf(out, VALUE_MAX, "¥%lld.%02d", (long long)yuan, cents);
    case 2:
        return snprintf(out, VALUE_MAX, "%lld元", (long long)yuan);
    case 3:
        return snprintf(out, VALUE_MAX, "%lld.%d万元", (long long)(yuan / 10000),
                        (int)(yuan / 1000 % 10));
    case 4:
        return snprintf(out, VALUE_MAX, "-%lld.%02d", (long long)yuan, cents);
    case 5:
        return upper_amount(fen, out, VALUE_MAX);
    default:
        break;
    }
    int n = snprintf(out, VALUE_MAX, "人民币");
    return n + upper_amount(fen, out + n, VALUE_MAX - (size_t)n);
}

static int gen_phone(struct rng *r, char *out)
{
    static const char *const prefixes[] = {"130", "131", "133", "135", "136", "138", "139",
                                           "150", "151", "158", "177", "180", "186", "199"};
    static const char *const areas[] = {"010", "020", "021", "0755", "0763", "0571", "028"};
    const char *p = PICK(r, prefixes);
    int a = rng_int(r, 10000), b = rng_int(r, 10000);
    switch (rng_int(r, 5)) {
    case 0:
        return snprintf(out, VALUE_MAX, "%s%04d%04d", p, a, b);
    case 1:
        return snprintf(out, VALUE_MAX, "%s %04d %04d", p, a, b);
    case 2:
        return snprintf(out, VALUE_MAX, "+86 %s-%04d-%04d", p, a, b);
    case 3:
        return snprintf(out, VALUE_MAX, "%s-%d%07d", PICK(r, areas), 2 + rng_int(r, 7),
                        rng_int(r, 10000000));
    default:
        return snprintf(out, VALUE_MAX, "(%s)%d%07d", PICK(r, areas), 2 + rng_int(r, 7),
                        rng_int(r, 10000000));
    }
}

static int gen_caseno(struct rng *r, char *out)
{
    static const char *const open[] = {"（", "(", "〔", "【", "[", "［"};
    static const char *const close[] = {"）", ")", "〕", "】", "]", "］"};
    static const char *const courts[] = {"粤1802", "京0105", "沪0104", "粤03", "浙01", "最高法"};
    static const char *const types[] = {"民初", "民终", "刑初", "刑终", "执", "执恢", "行初"};
    int b = rng_int(r, 6);
    return snprintf(out, VALUE_MAX, "%s%d%s%s%s%d号", open[b], 2000 + rng_int(r, 26), close[b],
                    PICK(r, courts), PICK(r, types), 1 + rng_int(r, 30000));
}

static int gen_plate(struct rng *r, char *out)
{
    static const char *const provinces[] = {"京", "沪", "粤", "浙", "苏", "川", "鄂", "湘"};
    static const char letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    static const char tail[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    const char *p = PICK(r, provinces);
    char c = letters[rng_int(r, 24)];
    if (rng_int(r, 4) == 0)
        return snprintf(out, VALUE_MAX, "%s%c%c%05d", p, c, "DF"[rng_int(r, 2)],
                        rng_int(r, 100000));
    char t[6];
    for (int i = 0; i < 5; i++)
        t[i] = i < 2 ? tail[rng_int(r, 34)] : (char)('0' + rng_int(r, 10));
    t[5] = '\0';
    return snprintf(out, VALUE_MAX, "%s%c%s%s", p, c, rng_int(r, 3) ? "" : "·", t);
}

static int gen_bankcard(struct rng *r, char *out)
{
    int len = 16 + rng_int(r, 4);
    out[0] = '6';
    out[1] = '2';
    for (int i = 2; i < len - 1; i++)
        out[i] = (char)('0' + rng_int(r, 10));
    int sum = 0;
    for (int i = len - 2, dbl = 1; i >= 0; i--, dbl ^= 1) {
        int d = (out[i] - '0') * (dbl ? 2 : 1);
        sum += d > 9 ? d - 9 : d;
    }
    out[len - 1] = (char)('0' + (10 - sum % 10) % 10);
    out[len] = '\0';
    return len;
}

static int gen_creditcode(struct rng *r, char *out)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    static const int org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    static const char *const heads[] = {"91440106", "91110108", "92310104", "12441802", "93330102"};
    memcpy(out, PICK(r, heads), 8);
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        char c = i < 2 ? "MA"[i] : alphabet[rng_int(r, 10 + 21 * (i > 3))];
        out[8 + i] = c;
        sum += (c <= '9' ? c - '0' : c - 'A' + 10) * org_weights[i];
    }
    int org_check = 11 - sum % 11;
    out[16] = org_check == 10 ? 'X' : (char)('0' + org_check % 11);
    sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (int)(strchr(alphabet, out[i]) - alphabet) * weights[i];
    out[17] = alphabet[(31 - sum % 31) % 31];
    out[18] = '\0';
    return 18;
}

static int gen_name(struct rng *r, char *out)
{
    static const char *const surnames[] = {"王", "李", "张", "刘", "陈",   "杨",   "黄", "赵",
                                           "吴", "周", "徐", "孙", "欧阳", "司马", "陳", "劉"};
    static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军",
                                        "洋", "勇", "艳", "杰", "涛", "明", "華", "國", "秀英"};
    if (rng_int(r, 20) == 0)
        return snprintf(out, VALUE_MAX, "%s·%s", PICK(r, given), "买买提");
    if (rng_int(r, 2))
        return snprintf(out, VALUE_MAX, "%s%s", PICK(r, surnames), PICK(r, given));
    return snprintf(out, VALUE_MAX, "%s%s%s", PICK(r, surnames), PICK(r, given), PICK(r, given));
}

static int gen_integer(struct rng *r, char *out)
{
    int64_t v = (int64_t)(rng_next(r) % 100000000000ULL) - 1000;
    if (rng_int(r, 3) == 0 && v >= 0)
        return with_commas(v, out, VALUE_MAX);
    return snprintf(out, VALUE_MAX, "%lld", (long long)v);
}

static int gen_number(struct rng *r, char *out)
{
    return snprintf(out, VALUE_MAX, "%s%d.%0*d", rng_int(r, 5) ? "" : "-", rng_int(r, 1000000),
                    1 + rng_int(r, 4), rng_int(r, 10));
}

static int gen_text(struct rng *r, char *out)
{
    static const char *const words[] = {"被告人", "对",     "指控的",  "事实", "无异议",
                                        "，",     "ＡＢＣ", "report ", "2023", "　"};
    int n = 0, count = 2 + rng_int(r, 8);
    for (int i = 0; i < count; i++)
        n += snprintf(out + n, VALUE_MAX - (size_t)n, "%s", PICK(r, words));
    return n;
}

static int gen_auto(struct rng *r, char *out);

static const struct bench_kind {
    enum sj_kind kind;
    int (*gen)(struct rng *, char *);
    double target; /* values per second to meet; 0: none set */
} kinds[] = {
    {SJ_KIND_IDCARD, gen_idcard, 10e6},  {SJ_KIND_DATE, gen_date, 2e6},
    {SJ_KIND_AMOUNT, gen_amount, 2e6},   {SJ_KIND_PHONE, gen_phone, 0},
    {SJ_KIND_CASENO, gen_caseno, 0},     {SJ_KIND_PLATE, gen_plate, 0},
    {SJ_KIND_BANKCARD, gen_bankcard, 0}, {SJ_KIND_CREDITCODE, gen_creditcode, 0},
    {SJ_KIND_NAME, gen_name, 0},         {SJ_KIND_INTEGER, gen_integer, 0},
    {SJ_KIND_NUMBER, gen_number, 0},     {SJ_KIND_TEXT, gen_text, 0},
    {SJ_KIND_AUTO, gen_auto, 0},
};

/* auto: a value of any of the kinds above, so detection sees a realistic mix. */
static int gen_auto(struct rng *r, char *out)
{
    return kinds[rng_int(r, (int)SJ_ARRAY_LEN(kinds) - 1)].gen(r, out);
}

/* ---- Corpus and timing ------------------------------------------------------------------ */

/* count values stored back to back, each NUL-terminated; value i starts at offsets[i]. */
struct corpus {
    char *data;
    size_t *offsets; /* count + 1 entries */
    size_t count;
};

static void corpus_build(struct corpus *c, const struct bench_kind *k, size_t count)
{
    struct rng r = {0x9E3779B97F4A7C15ULL ^ (uint64_t)k->kind};
    size_t cap = count * 24 + VALUE_MAX;
    c->data = sj_xmalloc(cap);
    c->offsets = sj_xmalloc((count + 1) * sizeof *c->offsets);
    c->count = count;
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        if (cap - used < VALUE_MAX) {
            cap *= 2;
            c->data = sj_xrealloc(c->data, cap);
        }
        c->offsets[i] = used;
        used += (size_t)k->gen(&r, c->data + used) + 1;
    }
    c->offsets[count] = used;
}

static void corpus_free(struct corpus *c)
{
    free(c->data);
    free(c->offsets);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench_one(const struct bench_kind *k, size_t count, size_t samples)
{
    struct corpus c;
    corpus_build(&c, k, count);
    for (size_t i = 0; i < samples && i < c.count; i++)
        fprintf(stderr, "  sample %s: %s\n", sj_kind_name(k->kind), c.data + c.offsets[i]);
    struct sj_norm_result res;
    size_t invalid = 0, checksum = 0;
    double start = now_seconds();
    for (size_t i = 0; i < c.count; i++) {
        struct sj_str in = {c.data + c.offsets[i], c.offsets[i + 1] - c.offsets[i] - 1};
        if (!sj_norm(k->kind, in, &res))
            invalid++;
        checksum += res.value_len;
    }
    double secs = now_seconds() - start;
    double rate = secs > 0 ? (double)count / secs : 0;
    char target[32] = "-";
    if (k->target > 0)
        snprintf(target, sizeof target, "%.0f", k->target);
    printf("%-12s %10zu %9.3f %14.0f %12s %-4s %8zu %12zu\n", sj_kind_name(k->kind), count, secs,
           rate, target, k->target > 0 ? (rate >= k->target ? "yes" : "NO") : "-", invalid,
           checksum);
    if (invalid) {
        for (size_t i = 0, shown = 0; i < c.count && shown < 3; i++) {
            struct sj_str in = {c.data + c.offsets[i], c.offsets[i + 1] - c.offsets[i] - 1};
            if (sj_norm(k->kind, in, &res))
                continue;
            fprintf(stderr, "  invalid %s: %s (%s)\n", sj_kind_name(k->kind), c.data + c.offsets[i],
                    res.reason);
            shown++;
        }
    }
    fflush(stdout);
    corpus_free(&c);
}

static int usage(void)
{
    fputs("usage: bench_norm [--count N] [--kind KIND]... [--samples M]\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    size_t count = 10000000, samples = 0;
    bool wanted[SJ_KIND_COUNT] = {false};
    bool any_wanted = false;
    for (int i = 1; i < argc; i++) {
        enum sj_kind kind;
        if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
            char *end;
            count = (size_t)strtoull(argv[++i], &end, 10);
            if (*end || count == 0)
                return usage();
        } else if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc) {
            samples = (size_t)strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc) {
            if (sj_kind_parse(argv[++i], &kind) != 0)
                return usage();
            wanted[kind] = any_wanted = true;
        } else {
            return usage();
        }
    }
    sj_norm_set_today(2026, 11, 27); /* reproducible not-in-the-future checks */
    printf("%-12s %10s %9s %14s %12s %-4s %8s %12s\n", "kind", "values", "seconds", "values/s",
           "target", "met", "invalid", "checksum");
    for (size_t i = 0; i < SJ_ARRAY_LEN(kinds); i++) {
        if (!any_wanted || wanted[kinds[i].kind])
            bench_one(&kinds[i], count, samples);
    }
    return 0;
}
