/*
 * dirt.c - the row builder: writes each value the way real exports do (mixed date styles,
 * amounts as 1,234.00 / 12.5万 / 人民币壹万元整, full-width digits, lower-case x, 15-digit
 * legacy id numbers, stray spaces, other brackets) and records the canonical value the
 * documented normalisation gives back. Invariant: "dirt" is always undone by normalising
 * the column's kind; values that cannot be normalised come only from demo_rb_bad_* and
 * mark their row bad. Strings are allocated in the builder's arena.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"

void demo_rb_start(struct demo_rb *rb, struct demo_row *row)
{
    rb->row = row;
    row->count = 0;
    row->is_bad = false;
    row->joins_prev = false;
}

static struct demo_cell *add_cell(struct demo_rb *rb, const char *text, const char *canon)
{
    struct demo_row *row = rb->row;
    struct demo_cell *c =
        &row->cells[row->count < DEMO_COLS_MAX ? row->count++ : DEMO_COLS_MAX - 1];
    c->type = DEMO_CELL_TEXT;
    c->text = text;
    c->canon = rb->want_canon ? canon : NULL;
    c->number = 0;
    return c;
}

char *demo_canon_key(struct sj_arena *arena, const char *text)
{
    struct sj_buf buf;
    sj_buf_init(&buf, 4096);
    if (sj_fold_nfkc(sj_str_from_cstr(text), &buf) != 0)
        sj_buf_append_cstr(&buf, text);
    struct sj_str s = sj_str_trim(sj_buf_str(&buf));
    char *out = sj_arena_strndup(arena, s.ptr, s.len);
    sj_buf_release(&buf);
    return out;
}

/* A copy in the builder's arena: planted rows outlive the caller's buffers. */
static const char *keep(struct demo_rb *rb, const char *text)
{
    return sj_arena_strndup(rb->arena, text, strlen(text));
}

void demo_rb_text(struct demo_rb *rb, const char *text)
{
    text = keep(rb, text);
    add_cell(rb, text, rb->want_canon ? demo_canon_key(rb->arena, text) : NULL);
}

void demo_rb_textf(struct demo_rb *rb, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    demo_rb_text(rb, buf);
}

void demo_rb_empty(struct demo_rb *rb)
{
    add_cell(rb, "", "");
}

/* ---- dirt helpers ---------------------------------------------------------------------- */

static int pick_dirt(struct demo_rb *rb, int dirt, const int *choices, size_t n)
{
    if (dirt != DIRT_AUTO)
        return dirt;
    if (!demo_rng_chance(rb->rng, rb->dirt))
        return DIRT_NONE;
    return choices[demo_rng_below(rb->rng, n)];
}

/* text with leading and/or trailing white space. */
static char *spaced(struct demo_rb *rb, const char *text)
{
    static const char *const pre[] = {" ", "", "", "  "};
    static const char *const post[] = {"", " ", "\xE3\x80\x80", " "};
    size_t k = demo_rng_below(rb->rng, SJ_ARRAY_LEN(pre));
    return sj_arena_sprintf(rb->arena, "%s%s%s", pre[k], text, post[k]);
}

/* ASCII digits (and letters when letters is set) turned full-width. */
static char *fullwidth(struct demo_rb *rb, const char *text, bool letters)
{
    size_t len = strlen(text);
    char *out = sj_arena_alloc(rb->arena, len * 3 + 1), *o = out;
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool is_alnum = (c >= '0' && c <= '9') ||
                        (letters && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')));
        if (is_alnum)
            o += sj_utf8_encode(c + 0xFEE0u, o);
        else
            *o++ = (char)c;
    }
    *o = '\0';
    return out;
}

/* text with " " inserted after its first code point. */
static char *inner_space(struct demo_rb *rb, const char *text)
{
    uint32_t cp;
    size_t len = strlen(text);
    int n = sj_utf8_decode(text, len, &cp);
    if (n <= 0 || (size_t)n >= len)
        return sj_arena_strndup(rb->arena, text, len);
    return sj_arena_sprintf(rb->arena, "%.*s %s", n, text, text + n);
}

static char *replace_once(struct demo_rb *rb, const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at)
        return sj_arena_strndup(rb->arena, text, strlen(text));
    return sj_arena_sprintf(rb->arena, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

/* ---- typed values ------------------------------------------------------------------------ */

void demo_rb_key(struct demo_rb *rb, const char *canonical, int dirt)
{
    static const int choices[] = {DIRT_SPACE, DIRT_FULLWIDTH};
    canonical = keep(rb, canonical);
    const char *text = canonical;
    switch (pick_dirt(rb, dirt, choices, SJ_ARRAY_LEN(choices))) {
    case DIRT_SPACE:
        text = spaced(rb, canonical);
        break;
    case DIRT_FULLWIDTH:
        text = fullwidth(rb, canonical, false);
        break;
    default:
        break;
    }
    add_cell(rb, text, canonical);
}

void demo_rb_name(struct demo_rb *rb, const char *name, int dirt)
{
    static const int choices[] = {DIRT_SPACE, DIRT_INNER, DIRT_DOT, DIRT_DOT};
    static const char *const dots[] = {"\xE2\x80\xA2", ".", "\xEF\xBC\x8E", "\xE3\x83\xBB",
                                       "\xE2\x80\xA7"};
    name = keep(rb, name);
    const char *text = name;
    switch (pick_dirt(rb, dirt, choices, SJ_ARRAY_LEN(choices))) {
    case DIRT_SPACE:
        text = spaced(rb, name);
        break;
    case DIRT_INNER:
        text = inner_space(rb, name);
        break;
    case DIRT_DOT:
        text = replace_once(rb, name, "\xC2\xB7", DEMO_PICK(rb->rng, dots));
        break;
    default:
        break;
    }
    add_cell(rb, text, name);
}

void demo_rb_idcard(struct demo_rb *rb, const char *id18, int dirt)
{
    static const int choices[] = {DIRT_SPACE, DIRT_FULLWIDTH, DIRT_LOWER_X, DIRT_LEGACY15,
                                  DIRT_LEGACY15};
    id18 = keep(rb, id18);
    const char *text = id18;
    switch (pick_dirt(rb, dirt, choices, SJ_ARRAY_LEN(choices))) {
    case DIRT_SPACE:
        text = spaced(rb, id18);
        break;
    case DIRT_FULLWIDTH:
        text = fullwidth(rb, id18, false);
        break;
    case DIRT_LOWER_X:
        if (id18[17] == 'X')
            text = sj_arena_sprintf(rb->arena, "%.17sx", id18);
        break;
    case DIRT_LEGACY15:
        if (id18[6] == '1' && id18[7] == '9')
            text = sj_arena_sprintf(rb->arena, "%.6s%.9s", id18, id18 + 8);
        break;
    default:
        break;
    }
    add_cell(rb, text, id18);
}

void demo_rb_code(struct demo_rb *rb, const char *code, int dirt)
{
    static const int choices[] = {DIRT_SPACE, DIRT_FULLWIDTH};
    code = keep(rb, code);
    const char *text = code;
    switch (pick_dirt(rb, dirt, choices, SJ_ARRAY_LEN(choices))) {
    case DIRT_SPACE:
        text = spaced(rb, code);
        break;
    case DIRT_FULLWIDTH:
        text = fullwidth(rb, code, true);
        break;
    default:
        break;
    }
    add_cell(rb, text, code);
}

void demo_rb_card(struct demo_rb *rb, const char *card, int dirt)
{
    static const int choices[] = {DIRT_SPACE, DIRT_INNER, DIRT_INNER};
    card = keep(rb, card);
    const char *text = card;
    switch (pick_dirt(rb, dirt, choices, SJ_ARRAY_LEN(choices))) {
    case DIRT_SPACE:
        text = spaced(rb, card);
        break;
    case DIRT_INNER: {
        size_t len = strlen(card);
        char *out = sj_arena_alloc(rb->arena, len + len / 4 + 1), *o = out;
        for (size_t i = 0; i < len; i++) {
            if (i && i % 4 == 0)
                *o++ = ' ';
            *o++ = card[i];
        }
        *o = '\0';
        text = out;
        break;
    }
    default:
        break;
    }
    add_cell(rb, text, card);
}

void demo_rb_phone(struct demo_rb *rb, const char *phone, int dirt)
{
    static const int choices[] = {DIRT_SPACE, DIRT_INNER, DIRT_INNER};
    phone = keep(rb, phone);
    const char *text = phone;
    switch (pick_dirt(rb, dirt, choices, SJ_ARRAY_LEN(choices))) {
    case DIRT_SPACE:
        text = spaced(rb, phone);
        break;
    case DIRT_INNER:
        switch (demo_rng_below(rb->rng, 3)) {
        case 0:
            text = sj_arena_sprintf(rb->arena, "%.3s-%.4s-%s", phone, phone + 3, phone + 7);
            break;
        case 1:
            text = sj_arena_sprintf(rb->arena, "%.3s %.4s %s", phone, phone + 3, phone + 7);
            break;
        default:
            text = sj_arena_sprintf(rb->arena, "+86 %s", phone);
            break;
        }
        break;
    default:
        break;
    }
    add_cell(rb, text, phone);
}

char *demo_caseno(struct sj_arena *arena, int year, const char *court, const char *type, long seq)
{
    return sj_arena_sprintf(arena, "\xEF\xBC\x88%d\xEF\xBC\x89%s%s%ld号", year, court, type, seq);
}

void demo_rb_caseno(struct demo_rb *rb, const char *canonical, int dirt)
{
    static const int choices[] = {DIRT_BRACKETS, DIRT_BRACKETS, DIRT_FULLWIDTH, DIRT_SPACE};
    static const char *const open[] = {"(", "\xE3\x80\x94", "[", "\xE3\x80\x90"};
    static const char *const close[] = {")", "\xE3\x80\x95", "]", "\xE3\x80\x91"};
    canonical = keep(rb, canonical);
    const char *text = canonical;
    switch (pick_dirt(rb, dirt, choices, SJ_ARRAY_LEN(choices))) {
    case DIRT_BRACKETS: {
        size_t k = demo_rng_below(rb->rng, SJ_ARRAY_LEN(open));
        text = replace_once(rb, canonical, "\xEF\xBC\x88", open[k]);
        text = replace_once(rb, text, "\xEF\xBC\x89", close[k]);
        break;
    }
    case DIRT_FULLWIDTH:
        text = fullwidth(rb, canonical, false);
        break;
    case DIRT_SPACE:
        text = spaced(rb, canonical);
        break;
    default:
        break;
    }
    add_cell(rb, text, canonical);
}

/* ---- dates and times --------------------------------------------------------------------- */

static int pick_date_style(struct demo_rb *rb, int style)
{
    if (style == DATE_AUTO) {
        style = rb->date_style;
        if (demo_rng_chance(rb->rng, 150))
            style = (int)demo_rng_below(rb->rng, rb->is_xlsx ? DATE_STYLES : DATE_CELL);
    }
    if (style == DATE_CELL && !rb->is_xlsx)
        style = DATE_ISO;
    return style;
}

static char *format_date(struct sj_arena *arena, int64_t day, int style)
{
    int y, m, d;
    sj_days_to_date(day, &y, &m, &d);
    switch (style) {
    case DATE_SLASH:
        return sj_arena_sprintf(arena, "%d/%d/%d", y, m, d);
    case DATE_CN:
        return sj_arena_sprintf(arena, "%d年%d月%d日", y, m, d);
    case DATE_COMPACT:
        return sj_arena_sprintf(arena, "%04d%02d%02d", y, m, d);
    default:
        return sj_arena_sprintf(arena, "%04d-%02d-%02d", y, m, d);
    }
}

void demo_rb_date(struct demo_rb *rb, int64_t day, int style)
{
    style = pick_date_style(rb, style);
    char *iso = format_date(rb->arena, day, DATE_ISO);
    struct demo_cell *c =
        add_cell(rb, style == DATE_CELL ? iso : format_date(rb->arena, day, style), iso);
    if (style == DATE_CELL) {
        c->type = DEMO_CELL_DATE;
        c->number = (double)(day - DEMO_DAY(1899, 12, 30));
    }
}

void demo_rb_datetime(struct demo_rb *rb, int64_t day, int secs, int style)
{
    style = pick_date_style(rb, style);
    int y, mo, d;
    sj_days_to_date(day, &y, &mo, &d);
    if (style == DATE_SLASH)
        secs -= secs % 60; /* that style has no seconds */
    int h = secs / 3600, mi = secs / 60 % 60, s = secs % 60;
    char *canon = sj_arena_sprintf(rb->arena, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
    char *text;
    switch (style) {
    case DATE_SLASH:
        text = sj_arena_sprintf(rb->arena, "%d/%d/%d %d:%02d", y, mo, d, h, mi);
        break;
    case DATE_CN:
        text = sj_arena_sprintf(rb->arena, "%d年%d月%d日 %02d:%02d:%02d", y, mo, d, h, mi, s);
        break;
    case DATE_COMPACT:
        text = sj_arena_sprintf(rb->arena, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, s);
        break;
    default:
        text = canon;
        break;
    }
    struct demo_cell *c = add_cell(rb, text, canon);
    if (style == DATE_CELL) {
        c->type = DEMO_CELL_DATETIME;
        c->number = (double)(day - DEMO_DAY(1899, 12, 30)) + secs / 86400.0;
    }
}

/* ---- amounts ----------------------------------------------------------------------------- */

void demo_amount_capital(int64_t yuan, char *out, size_t size)
{
    static const char *const digit[] = {"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"};
    static const char *const unit[] = {"", "拾", "佰", "仟"};
    static const char *const section[] = {"亿", "万", ""};
    static const int64_t div[] = {100000000, 10000, 1};
    struct sj_buf buf;
    bool started = false, zero = false;
    sj_buf_init(&buf, 1024);
    sj_buf_append_cstr(&buf, "人民币");
    for (int s = 0; s < 3; s++) {
        int v = (int)(yuan / div[s] % 10000);
        if (v == 0) {
            zero = zero || started;
            continue;
        }
        for (int p = 3, pow = 1000; p >= 0; p--, pow /= 10) {
            int d = v / pow % 10;
            if (d == 0) {
                zero = zero || started;
                continue;
            }
            if (zero)
                sj_buf_append_cstr(&buf, "零");
            zero = false;
            sj_buf_append_cstr(&buf, digit[d]);
            sj_buf_append_cstr(&buf, unit[p]);
            started = true;
        }
        sj_buf_append_cstr(&buf, section[s]);
        zero = false;
    }
    sj_buf_append_cstr(&buf, "元整");
    snprintf(out, size, "%s", sj_buf_cstr(&buf));
    sj_buf_release(&buf);
}

static char *amount_comma(struct sj_arena *arena, int64_t fen)
{
    char digits[32], out[48];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)(fen / 100)), o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return sj_arena_sprintf(arena, "%s.%02lld", out, (long long)(fen % 100));
}

static char *amount_wan(struct sj_arena *arena, int64_t fen, const char *suffix)
{
    int64_t yuan = fen / 100;
    char frac[8];
    snprintf(frac, sizeof frac, "%04lld", (long long)(yuan % 10000));
    for (int i = 3; i >= 0 && frac[i] == '0'; i--)
        frac[i] = '\0';
    return sj_arena_sprintf(arena, "%lld%s%s万%s", (long long)(yuan / 10000), frac[0] ? "." : "",
                            frac, suffix);
}

static int pick_amount_style(struct demo_rb *rb, int64_t fen, int style)
{
    static const int weights[AMOUNT_STYLES] = {35, 35, 5, 5, 5, 10, 0};
    if (style == AMOUNT_AUTO) {
        if (rb->is_xlsx && demo_rng_chance(rb->rng, 600))
            return AMOUNT_NUMBER;
        int r = (int)demo_rng_below(rb->rng, 95);
        for (style = 0; style < AMOUNT_STYLES - 1 && r >= weights[style]; style++)
            r -= weights[style];
    }
    bool whole_yuan = fen % 100 == 0 && fen > 0;
    if ((style == AMOUNT_WAN || style == AMOUNT_WAN_YUAN) && fen % 10000 != 0)
        style = AMOUNT_COMMA;
    if ((style == AMOUNT_CAPITAL || style == AMOUNT_YUAN) && !whole_yuan)
        style = AMOUNT_PLAIN;
    if (style == AMOUNT_NUMBER && !rb->is_xlsx)
        style = AMOUNT_PLAIN;
    return style;
}

void demo_rb_amount(struct demo_rb *rb, int64_t fen, int style)
{
    struct sj_arena *a = rb->arena;
    char *text, capital[256];
    style = pick_amount_style(rb, fen, style);
    switch (style) {
    case AMOUNT_COMMA:
        text = amount_comma(a, fen);
        break;
    case AMOUNT_WAN:
        text = amount_wan(a, fen, "");
        break;
    case AMOUNT_WAN_YUAN:
        text = amount_wan(a, fen, "元");
        break;
    case AMOUNT_CAPITAL:
        demo_amount_capital(fen / 100, capital, sizeof capital);
        text = sj_arena_strndup(a, capital, strlen(capital));
        break;
    case AMOUNT_YUAN:
        text = sj_arena_sprintf(a, "%lld元", (long long)(fen / 100));
        break;
    default:
        text = sj_arena_sprintf(a, "%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100));
        break;
    }
    struct demo_cell *c = add_cell(rb, text, sj_arena_sprintf(a, "%lld", (long long)fen));
    if (style == AMOUNT_NUMBER) {
        c->type = DEMO_CELL_NUMBER;
        c->number = (double)fen / 100.0;
    }
}

void demo_rb_integer(struct demo_rb *rb, long v)
{
    char *text = sj_arena_sprintf(rb->arena, "%ld", v);
    struct demo_cell *c = add_cell(rb, text, text);
    if (rb->is_xlsx) {
        c->type = DEMO_CELL_NUMBER;
        c->number = (double)v;
    }
}

/* ---- broken values ----------------------------------------------------------------------- */

static void add_bad(struct demo_rb *rb, const char *text)
{
    add_cell(rb, text, NULL);
    rb->row->is_bad = true;
}

/* A check character other than the right one. */
static char other_check(char right, const char *alphabet)
{
    const char *p = strchr(alphabet, right);
    size_t n = strlen(alphabet), i = p ? (size_t)(p - alphabet) : 0;
    return alphabet[(i + 1 + n / 2) % n];
}

void demo_rb_bad_idcard(struct demo_rb *rb, const char *id18)
{
    add_bad(rb, sj_arena_sprintf(rb->arena, "%.17s%c", id18, other_check(id18[17], "0123456789X")));
}

void demo_rb_bad_code(struct demo_rb *rb, const char *code)
{
    add_bad(rb, sj_arena_sprintf(rb->arena, "%.17s%c", code,
                                 other_check(code[17], "0123456789ABCDEFGHJKLMNPQRTUWXY")));
}

void demo_rb_bad_card(struct demo_rb *rb, const char *card)
{
    size_t len = strlen(card);
    add_bad(rb, sj_arena_sprintf(rb->arena, "%.*s%c", (int)(len - 1), card,
                                 other_check(card[len - 1], "0123456789")));
}

void demo_rb_bad_date(struct demo_rb *rb, int year)
{
    if (rb->date_style == DATE_CN)
        add_bad(rb, sj_arena_sprintf(rb->arena, "%d年2月30日", year));
    else
        add_bad(rb, sj_arena_sprintf(rb->arena, "%d-02-30", year));
}

void demo_rb_bad_text(struct demo_rb *rb, const char *text)
{
    add_bad(rb, text);
}

void demo_rb_extra_cell(struct demo_rb *rb)
{
    static const char *const notes[] = {"备注：待核实", "已归档", "见附件"};
    add_cell(rb, DEMO_PICK(rb->rng, notes), NULL);
    rb->row->is_bad = true;
}
