/*
 * dispatch.c - the entry points over the per-kind parsers: sj_norm (by kind), sj_norm_detect
 * (auto: which kind a value most likely is) and sj_norm_mask (display masking).
 *
 * Invariants: detection never allocates; it looks at the shape of the value once (after the
 * same half-width folding and trimming the parsers do) and only calls the parsers whose
 * shape fits, always with the original input, so the result is exactly what
 * sj_norm(detected kind, in) gives. Masking works on code points, never splitting UTF-8.
 */
#include "norm/norm_int.h"

/* ---- sj_norm --------------------------------------------------------------------------- */

bool sj_norm(enum sj_kind kind, struct sj_str in, struct sj_norm_result *out)
{
    switch (kind) {
    case SJ_KIND_TEXT:
        return sj_norm_text(in, out);
    case SJ_KIND_IDCARD:
        return sj_norm_idcard(in, out);
    case SJ_KIND_NAME:
        return sj_norm_name(in, out);
    case SJ_KIND_PHONE:
        return sj_norm_phone(in, out);
    case SJ_KIND_DATE:
        return sj_norm_date(in, out);
    case SJ_KIND_DATETIME:
        return sj_norm_datetime(in, out);
    case SJ_KIND_AMOUNT:
        return sj_norm_amount(in, out);
    case SJ_KIND_CASENO:
        return sj_norm_caseno(in, out);
    case SJ_KIND_CREDITCODE:
        return sj_norm_creditcode(in, out);
    case SJ_KIND_ORGCODE:
        return sj_norm_orgcode(in, out);
    case SJ_KIND_BANKCARD:
        return sj_norm_bankcard(in, out);
    case SJ_KIND_PLATE:
        return sj_norm_plate(in, out);
    case SJ_KIND_INTEGER:
        return sj_norm_integer(in, out);
    case SJ_KIND_NUMBER:
        return sj_norm_number(in, out);
    case SJ_KIND_PARTYID:
        return sj_norm_partyid(in, out);
    case SJ_KIND_CODE:
        return sj_norm_code(in, out);
    case SJ_KIND_AUTO:
        sj_norm_detect(in, out);
        return out->is_valid;
    case SJ_KIND_COUNT:
        break;
    }
    sj_norm_begin(out, SJ_KIND_TEXT);
    return sj_norm_fail(out, "未知的数据类型");
}

/* ---- Shape of a value ------------------------------------------------------------------- */

#define COMPACT_MAX 32

/* What detection needs to know about a value, gathered in one pass over the prepared view. */
struct shape {
    struct sj_str view; /* folded to half-width and trimmed */
    size_t chars;       /* code points (invalid bytes count one each) */
    size_t digits, alpha, cjk;
    bool has_space, has_colon, has_non_ascii;
    bool first_is_cjk;
    char compact[COMPACT_MAX]; /* the view without spaces and dashes ... */
    size_t compact_len;
    bool is_compact_alnum; /* ... when that leaves only ASCII letters and digits */
    bool is_plain_number;  /* [+-]digits[,digits...][.digits] */
    bool has_point;        /* the plain number has a decimal point */
    bool has_leading_zero; /* the plain number's integer part is 0NNN */
    size_t int_digits;     /* digits before the point of the plain number */
};

static bool is_cjk(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F);
}

/* The separators between the parts of a minority name (the view is already half-width,
 * so U+FF0E has become '.'). */
static bool is_name_dot(uint32_t cp)
{
    return cp == '.' || cp == 0x00B7 || cp == 0x2022 || cp == 0x2027 || cp == 0x30FB ||
           cp == 0xFF65;
}

static void scan_plain_number(struct shape *sh)
{
    const char *p = sh->view.ptr, *end = p + sh->view.len;
    if (p < end && (*p == '+' || *p == '-'))
        p++;
    const char *int_start = p;
    while (p < end && (sj_norm_is_digit(*p) || (*p == ',' && p > int_start)))
        sh->int_digits += sj_norm_is_digit(*p++);
    if (sh->int_digits == 0 || p[-1] == ',')
        return;
    sh->has_leading_zero = *int_start == '0' && sh->int_digits > 1;
    if (p < end && *p == '.') {
        const char *frac = ++p;
        while (p < end && sj_norm_is_digit(*p))
            p++;
        if (p == frac)
            return;
        sh->has_point = true;
    }
    sh->is_plain_number = p == end;
}

static void scan_char(struct shape *sh, uint32_t cp)
{
    if (cp < 0x80) {
        char c = (char)cp;
        sh->digits += sj_norm_is_digit(c);
        sh->alpha += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        sh->has_space |= c == ' ' || c == '\t';
        sh->has_colon |= c == ':';
        if (c == ' ' || c == '-')
            return;
        if (!sj_norm_is_digit(c) && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            sh->is_compact_alnum = false;
    } else {
        sh->has_non_ascii = true;
        sh->cjk += is_cjk(cp);
        sh->is_compact_alnum = false;
        return;
    }
    if (sh->compact_len < COMPACT_MAX)
        sh->compact[sh->compact_len] = (char)cp;
    sh->compact_len++;
}

static void scan_shape(struct sj_str view, struct shape *sh)
{
    memset(sh, 0, sizeof *sh);
    sh->view = view;
    sh->is_compact_alnum = true;
    size_t i = 0;
    while (i < view.len) {
        uint32_t cp = 0xFFFD;
        int n = sj_utf8_decode(view.ptr + i, view.len - i, &cp);
        if (n <= 0) {
            n = 1;
            cp = 0xFFFD;
        }
        if (i == 0)
            sh->first_is_cjk = is_cjk(cp);
        scan_char(sh, cp);
        sh->chars++;
        i += (size_t)n;
    }
    if (sh->compact_len > COMPACT_MAX)
        sh->is_compact_alnum = false;
    scan_plain_number(sh);
}

static bool view_has(const struct shape *sh, const char *lit)
{
    return sj_str_find(sh->view, sj_str_from_cstr(lit)) >= 0;
}

static bool view_has_any(const struct shape *sh, const char *const *lits, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (view_has(sh, lits[i]))
            return true;
    }
    return false;
}

/* ---- Detection steps -------------------------------------------------------------------- */

/* Each step says whether the value has the shape of its kind and, if so, runs the parser.
 * A step returns true when out now holds a valid result of its kind. */

static bool try_idcard(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    if (!sh->is_compact_alnum || (sh->compact_len != 18 && sh->compact_len != 15))
        return false;
    for (size_t i = 0; i + 1 < sh->compact_len; i++) {
        if (!sj_norm_is_digit(sh->compact[i]))
            return false;
    }
    char last = sh->compact[sh->compact_len - 1];
    if (!sj_norm_is_digit(last) && !(sh->compact_len == 18 && (last == 'X' || last == 'x')))
        return false;
    return sj_norm_idcard(in, out);
}

static bool try_creditcode(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    if (!sh->is_compact_alnum || sh->compact_len != 18)
        return false;
    return sj_norm_creditcode(in, out);
}

/* Only the dashed form XXXXXXXX-C: nine bare characters are as likely a plain number. */
static bool try_orgcode(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    if (!sh->is_compact_alnum || sh->compact_len != 9 || sh->view.len != 10 ||
        sh->view.ptr[8] != '-')
        return false;
    return sj_norm_orgcode(in, out);
}

static bool try_caseno(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    if (sh->digits < 5 || sh->cjk < 2 || sh->chars > 64)
        return false;
    return sj_norm_caseno(in, out);
}

/* A Luhn-valid run of 12-19 digits that is also a phone number (+86 mobiles, landlines
 * with an area code) is left to the phone step: one in ten random numbers passes Luhn. */
static bool try_bankcard(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    if (!sh->is_compact_alnum || sh->compact_len < 12 || sh->compact_len > 19 ||
        sh->digits != sh->compact_len)
        return false;
    if (!sj_norm_bankcard(in, out))
        return false;
    struct sj_norm_result phone;
    return !sj_norm_phone(in, &phone);
}

static bool try_phone(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    /* 10 digits is the shortest landline with its area code (010-1234567); a colon means
     * a time. Extension markers (转, 分机, ext) allow a few letters and ideographs. */
    if (sh->digits < 10 || sh->has_colon || sh->cjk > 2 || sh->alpha > 3)
        return false;
    return sj_norm_phone(in, out);
}

static bool try_plate(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    if (!sh->first_is_cjk || sh->alpha < 1 || sh->chars < 7 || sh->chars > 10)
        return false;
    return sj_norm_plate(in, out);
}

/* Plain numbers are not dates, except YYYYMMDD: an Excel serial (45000) is far more often
 * a count or an amount when nothing says it is a date. A date-time at exactly midnight is
 * reported as a date, since that is how spreadsheets export plain dates. */
static bool try_date(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    if (sh->digits == 0 && !view_has(sh, "年"))
        return false;
    if (sh->is_plain_number && !(sh->view.len == 8 && sh->digits == 8))
        return false;
    if (sh->chars > 40)
        return false;
    if (sj_norm_datetime(in, out)) {
        size_t n = out->value_len;
        if (n < 8 || memcmp(out->value + n - 8, "00:00:00", 8) != 0)
            return true;
    }
    return sj_norm_date(in, out);
}

/* Only with a currency marker or the capital numerals of financial writing: a bare number
 * is an integer or a number, and lower-case numerals appear in names and dates. */
static bool try_amount(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    static const char *const markers[] = {
        "¥",  "￥", "元", "圆", "人民币", "RMB", "rmb", "CNY", "壹", "贰",
        "叁", "肆", "伍", "陆", "柒",     "捌",  "玖",  "拾",  "佰", "仟",
    };
    bool has_marker = view_has_any(sh, markers, SJ_ARRAY_LEN(markers));
    if (!has_marker && sh->digits > 0 && sh->has_non_ascii)
        has_marker = view_has(sh, "万") || view_has(sh, "亿");
    if (!has_marker)
        return false;
    return sj_norm_amount(in, out);
}

/* A plain number with a leading zero (007, 0755) is a code and stays text; so does a run of
 * more than 15 digits (account and order numbers), which no count or measure needs and
 * which a JSON consumer could not hold exactly. */
static bool is_quantity(const struct shape *sh)
{
    return sh->is_plain_number && !sh->has_leading_zero && sh->int_digits <= 15;
}

static bool try_integer(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    if (!is_quantity(sh) || sh->has_point)
        return false;
    return sj_norm_integer(in, out);
}

static bool try_number(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    if (!is_quantity(sh))
        return false;
    return sj_norm_number(in, out);
}

/* Names are the least specific shape of all, so only two to four ideographs, or parts of
 * ideographs joined by a middle dot (阿卜杜·买买提), count; the parser then checks them. */
static bool try_name(struct sj_str in, const struct shape *sh, struct sj_norm_result *out)
{
    if (sh->has_space || sh->cjk < 2 || sh->chars > 20)
        return false;
    if (sh->cjk != sh->chars) {
        size_t i = 0, run = 0, dots = 0;
        while (i < sh->view.len) {
            uint32_t cp = 0;
            int n = sj_utf8_decode(sh->view.ptr + i, sh->view.len - i, &cp);
            if (n <= 0)
                return false;
            if (is_name_dot(cp)) {
                if (run == 0)
                    return false;
                dots++;
                run = 0;
            } else if (is_cjk(cp)) {
                run++;
            } else {
                return false;
            }
            i += (size_t)n;
        }
        if (run == 0 || dots == 0 || dots > 3)
            return false;
    } else if (sh->cjk > 4) {
        return false;
    }
    return sj_norm_name(in, out);
}

/* The order of specificity: check-digit identifiers first (a valid ID number or credit code
 * is almost never an accident), then structured forms with fixed markers (case numbers),
 * then digit runs whose meaning depends on their length (bank cards, phones), plates, then
 * dates before amounts (12时30分 is a time, not fen), amounts only with a marker, plain
 * integers and numbers, names (two to four ideographs are often just words) and text. */
static const struct {
    enum sj_kind kind;
    bool (*try_kind)(struct sj_str, const struct shape *, struct sj_norm_result *);
} steps[] = {
    {SJ_KIND_IDCARD, try_idcard},     {SJ_KIND_CREDITCODE, try_creditcode},
    {SJ_KIND_ORGCODE, try_orgcode},   {SJ_KIND_CASENO, try_caseno},
    {SJ_KIND_BANKCARD, try_bankcard}, {SJ_KIND_PHONE, try_phone},
    {SJ_KIND_PLATE, try_plate},       {SJ_KIND_DATE, try_date},
    {SJ_KIND_AMOUNT, try_amount},     {SJ_KIND_INTEGER, try_integer},
    {SJ_KIND_NUMBER, try_number},     {SJ_KIND_NAME, try_name},
};

enum sj_kind sj_norm_detect(struct sj_str in, struct sj_norm_result *out)
{
    char scratch[SJ_NORM_INPUT_MAX];
    struct sj_str view;
    if (sj_norm_prepare(in, scratch, sizeof scratch, &view) && view.len > 0) {
        struct shape sh;
        scan_shape(view, &sh);
        for (size_t i = 0; i < SJ_ARRAY_LEN(steps); i++) {
            if (steps[i].try_kind(in, &sh, out))
                return out->kind;
        }
    }
    sj_norm_text(in, out);
    return SJ_KIND_TEXT;
}

/* ---- Masking ---------------------------------------------------------------------------- */

/* Bounded writer: remembers overflow instead of failing at each call. */
struct mask_out {
    char *buf;
    size_t size, len;
    bool is_full;
};

static void put(struct mask_out *o, const char *s, size_t n)
{
    if (o->is_full || n >= o->size - o->len) {
        o->is_full = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static size_t cp_len(const char *s, size_t len)
{
    uint32_t cp;
    int n = sj_utf8_decode(s, len, &cp);
    return n > 0 ? (size_t)n : 1;
}

/* Copies the first head and last tail code points of s and writes one '*' for each code
 * point between. When fewer than head + tail + 1 code points are there, all are masked:
 * a short value of a masked kind shows nothing rather than too much. */
static void mask_middle(struct mask_out *o, struct sj_str s, size_t head, size_t tail)
{
    size_t count = sj_utf8_count(s);
    bool keeps = count > head + tail;
    size_t i = 0;
    for (size_t k = 0; k < count; k++) {
        size_t n = cp_len(s.ptr + i, s.len - i);
        if (keeps && (k < head || k >= count - tail))
            put(o, s.ptr + i, n);
        else
            put(o, "*", 1);
        i += n;
    }
}

/* Mobile 138****1234; landline AREA-****5678 (the area code says little about a person). */
static void mask_phone(struct mask_out *o, struct sj_str s)
{
    const char *dash = memchr(s.ptr, '-', s.len);
    if (!dash) {
        mask_middle(o, s, 3, 4);
        return;
    }
    size_t area = (size_t)(dash - s.ptr) + 1;
    put(o, s.ptr, area);
    mask_middle(o, sj_str_make(s.ptr + area, s.len - area), 0, 4);
}

long sj_norm_mask(enum sj_kind kind, const char *value, char *out, size_t size)
{
    if (size == 0)
        return -1;
    struct mask_out o = {out, size, 0, false};
    struct sj_str s = sj_str_from_cstr(value);
    switch (kind) {
    case SJ_KIND_IDCARD:
    case SJ_KIND_BANKCARD:
        mask_middle(&o, s, 6, 4);
        break;
    case SJ_KIND_PHONE:
        mask_phone(&o, s);
        break;
    case SJ_KIND_NAME:
        if (s.len > 0)
            mask_middle(&o, s, 1, 0);
        break;
    case SJ_KIND_PARTYID:
        /* A person's id number is personal data; an organisation's code is public. */
        if (s.len == 18 && s.ptr[0] >= '1' && s.ptr[0] <= '9' &&
            strspn(s.ptr, "0123456789") >= 17)
            mask_middle(&o, s, 6, 4);
        else
            put(&o, s.ptr, s.len);
        break;
    default:
        put(&o, s.ptr, s.len);
        break;
    }
    if (o.is_full) {
        out[0] = '\0';
        return -1;
    }
    out[o.len] = '\0';
    return (long)o.len;
}

/* ---- Masking free text ---------------------------------------------------------------------- */

static bool is_ascii_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The kind a run of n digits (x_end: followed by X) is masked as, or SJ_KIND_TEXT. */
static enum sj_kind digit_run_kind(const char *run, size_t n, bool x_end)
{
    if (x_end)
        return n == 17 ? SJ_KIND_IDCARD : SJ_KIND_TEXT;
    if (n == 15 || n == 18)
        return SJ_KIND_IDCARD;
    if (n >= 12 && n <= 19)
        return SJ_KIND_BANKCARD;
    if (n == 11 && run[0] == '1')
        return SJ_KIND_PHONE;
    return SJ_KIND_TEXT;
}

int sj_norm_mask_text(const char *text, struct sj_buf *out)
{
    int rc = 0;
    for (size_t i = 0; text[i] && rc == 0;) {
        if (!is_ascii_digit(text[i])) {
            rc = sj_buf_putc(out, text[i++]);
            continue;
        }
        size_t n = 0;
        while (is_ascii_digit(text[i + n]))
            n++;
        bool x_end = n == 17 && (text[i + n] == 'X' || text[i + n] == 'x');
        size_t total = n + (x_end ? 1 : 0);
        enum sj_kind kind = digit_run_kind(text + i, n, x_end);
        char value[24], masked[48];
        if (kind != SJ_KIND_TEXT && total < sizeof value) {
            memcpy(value, text + i, total);
            value[total] = '\0';
            if (sj_norm_mask(kind, value, masked, sizeof masked) >= 0) {
                rc = sj_buf_append_cstr(out, masked);
                i += total;
                continue;
            }
        }
        rc = sj_buf_append(out, text + i, n);
        i += n;
    }
    return rc;
}
