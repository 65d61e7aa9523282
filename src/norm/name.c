/*
 * name.c - person names: NFKC, white space and invisible format characters removed, every
 * middle-dot variant of a transcribed minority or foreign name (阿依古丽·买买提) unified to
 * U+00B7, traditional characters converted to simplified with OpenCC (t2s.json).
 * Invariants: a valid name holds only letters, combining marks, U+00B7 between two letters,
 * and single spaces between two Latin letters ("John Smith"); at most NAME_CHARS_MAX
 * characters. The OpenCC converter and a bitmap of the BMP ideographs that t2s changes on
 * their own are built once (pthread_once); names without such a character never reach
 * OpenCC, which costs about 1.7 us a call. OpenCC converters are safe to share between
 * threads (BYVoid/OpenCC issue #231). OpenCC is loaded with dlopen at that first use, not
 * linked: it brings libstdc++ and marisa, whose relocations every command paid for at start
 * (docs/DEPENDENCIES.md); only its header is used at build time.
 */
#include <dlfcn.h>
#include <opencc/opencc.h>
#include <pthread.h>
#include <stdlib.h>
#include <utf8proc.h>

#include "norm/norm_int.h"

#define NAME_CHARS_MAX 50
#define NAME_INPUT_MAX 512 /* bytes of input; anything longer is not a name */
#define T2S_FIRST 0x3400   /* CJK extension A .. unified ideographs */
#define T2S_LAST 0x9FFF
#define OPENCC_SONAME "libopencc.so.1.1" /* Debian package libopencc1.1 */

/* OpenCC's functions, set by t2s_load; t2s is -1 unless all of them were found. */
static struct {
    __typeof__(opencc_open) *opencc_open;
    __typeof__(opencc_convert_utf8) *opencc_convert_utf8;
    __typeof__(opencc_convert_utf8_free) *opencc_convert_utf8_free;
    __typeof__(opencc_error) *opencc_error;
} cc;
static pthread_once_t t2s_once = PTHREAD_ONCE_INIT;
static opencc_t t2s = (opencc_t)-1;
static unsigned char t2s_changes[(T2S_LAST - T2S_FIRST + 1 + 7) / 8];

static void t2s_mark(uint32_t cp)
{
    t2s_changes[(cp - T2S_FIRST) / 8] |= (unsigned char)(1u << ((cp - T2S_FIRST) % 8));
}

/* Converts every ideograph of [T2S_FIRST, T2S_LAST] on a line of its own (so no phrase
 * can span two) and marks those that come out different. If the output cannot be lined
 * up with the input, everything is marked: always asking OpenCC is slow but correct. */
static void t2s_build_bitmap(void)
{
    size_t count = T2S_LAST - T2S_FIRST + 1, len = 0;
    char *text = sj_xmalloc(count * 4 + 1);
    for (uint32_t cp = T2S_FIRST; cp <= T2S_LAST; cp++) {
        len += (size_t)sj_utf8_encode(cp, text + len);
        text[len++] = '\n';
    }
    char *conv = cc.opencc_convert_utf8(t2s, text, len);
    const char *a = text, *b = conv, *a_end = text + len;
    for (uint32_t cp = T2S_FIRST; conv && cp <= T2S_LAST; cp++) {
        const char *a_nl = memchr(a, '\n', (size_t)(a_end - a));
        const char *b_nl = strchr(b, '\n');
        if (!a_nl || !b_nl) {
            memset(t2s_changes, 0xFF, sizeof t2s_changes);
            break;
        }
        if (a_nl - a != b_nl - b || memcmp(a, b, (size_t)(a_nl - a)) != 0)
            t2s_mark(cp);
        a = a_nl + 1;
        b = b_nl + 1;
    }
    if (!conv)
        memset(t2s_changes, 0xFF, sizeof t2s_changes);
    cc.opencc_convert_utf8_free(conv);
    free(text);
}

/* Takes OpenCC's functions from OPENCC_SONAME; false (with a warning) when it cannot. The
 * library is never closed: the converter lives as long as the process. */
static bool t2s_load(void)
{
    void *lib = dlopen(OPENCC_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        SJ_WARN("opencc: cannot load %s (%s; Debian package libopencc1.1); names are not "
                "converted to simplified",
                OPENCC_SONAME, dlerror());
        return false;
    }
    /* POSIX's way to take a function from dlsym without an object-to-function cast. */
    *(void **)&cc.opencc_open = dlsym(lib, "opencc_open");
    *(void **)&cc.opencc_convert_utf8 = dlsym(lib, "opencc_convert_utf8");
    *(void **)&cc.opencc_convert_utf8_free = dlsym(lib, "opencc_convert_utf8_free");
    *(void **)&cc.opencc_error = dlsym(lib, "opencc_error");
    if (cc.opencc_open && cc.opencc_convert_utf8 && cc.opencc_convert_utf8_free && cc.opencc_error)
        return true;
    SJ_WARN("opencc: %s lacks one of its C functions; names are not converted to simplified",
            OPENCC_SONAME);
    return false;
}

static void t2s_init(void)
{
    if (!t2s_load())
        return;
    t2s = cc.opencc_open(OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP);
    if (t2s == (opencc_t)-1) {
        SJ_WARN("opencc: cannot open %s (%s); names are not converted to simplified",
                OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP, cc.opencc_error());
        return;
    }
    t2s_build_bitmap();
}

/* True when t2s may change a name holding cp. Ideographs beyond the BMP are rare in
 * names and always sent to OpenCC. */
static bool t2s_may_change(uint32_t cp)
{
    if (cp < T2S_FIRST)
        return false;
    if (cp <= T2S_LAST)
        return t2s_changes[(cp - T2S_FIRST) / 8] & (1u << ((cp - T2S_FIRST) % 8));
    return cp >= 0x20000;
}

static bool is_name_dot(uint32_t cp)
{
    switch (cp) {
    case '.':
    case 0xB7:
    case 0x387:
    case 0x2022:
    case 0x2027:
    case 0x2219:
    case 0x22C5:
    case 0x2E31:
    case 0x30FB:
    case 0xFF0E:
    case 0xFF65:
        return true;
    default:
        return false;
    }
}

static bool is_ascii_letter(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* The name being built from NFKC code points. */
struct name_out {
    char buf[SJ_NORM_VALUE_MAX];
    size_t len;
    int chars;
    uint32_t last;    /* last code point written, 0 at the start */
    bool pending_dot; /* a dot was seen since the last letter */
    bool pending_space;
    bool needs_t2s;
};

static bool name_put(struct name_out *no, uint32_t cp)
{
    if (no->len + 4 + 2 + 1 >= sizeof no->buf || no->chars >= NAME_CHARS_MAX)
        return false;
    if (no->pending_dot && no->last) {
        no->len += (size_t)sj_utf8_encode(0xB7, no->buf + no->len);
        no->chars++;
    } else if (no->pending_space && is_ascii_letter(no->last) && is_ascii_letter(cp)) {
        no->buf[no->len++] = ' ';
        no->chars++;
    }
    no->pending_dot = no->pending_space = false;
    no->len += (size_t)sj_utf8_encode(cp, no->buf + no->len);
    no->chars++;
    no->last = cp;
    no->needs_t2s = no->needs_t2s || t2s_may_change(cp);
    return no->chars <= NAME_CHARS_MAX;
}

/* Feeds one NFKC code point; false (with a reason in out) when the name is not valid. */
static bool name_feed(struct name_out *no, uint32_t cp, struct sj_norm_result *out)
{
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
    if (is_name_dot(cp)) {
        no->pending_dot = true;
        return true;
    }
    if (cat == UTF8PROC_CATEGORY_ZS || cp == '\t' || cp == '\n' || cp == '\r') {
        no->pending_space = true;
        return true;
    }
    if (cat == UTF8PROC_CATEGORY_CF) /* zero-width space, BOM, joiners: invisible */
        return true;
    if (cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO)
        return sj_norm_fail(out, "姓名不能包含数字");
    if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME) { /* letters, marks */
        if (!name_put(no, cp))
            return sj_norm_fail(out, "姓名过长（超过%d个字）", NAME_CHARS_MAX);
        return true;
    }
    char enc[5] = {0};
    if (cat == UTF8PROC_CATEGORY_CC || sj_utf8_encode(cp, enc) == 0)
        return sj_norm_fail(out, "姓名含有控制字符");
    return sj_norm_fail(out, "姓名含有非法字符“%s”", enc);
}

/* NFKC of s into cps (at most max code points); -1 when s is not valid UTF-8 or longer. */
static long name_nfkc(struct sj_str s, utf8proc_int32_t *cps, long max)
{
    const utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s.ptr,
                                            (utf8proc_ssize_t)s.len, cps, max, opts);
    if (n < 0 || n > max)
        return -1;
    n = utf8proc_normalize_utf32(cps, n, opts);
    return n < 0 ? -1 : (long)n;
}

/* Replaces no's text by its OpenCC t2s conversion; returns whether anything changed. */
static bool name_t2s(struct name_out *no, struct sj_norm_result *out, bool *changed)
{
    *changed = false;
    if (t2s == (opencc_t)-1)
        return true;
    char *conv = cc.opencc_convert_utf8(t2s, no->buf, no->len);
    if (!conv)
        return true;
    size_t len = strlen(conv);
    bool fits = len < sizeof no->buf;
    if (fits && (len != no->len || memcmp(conv, no->buf, len) != 0)) {
        memcpy(no->buf, conv, len);
        no->len = len;
        *changed = true;
    }
    cc.opencc_convert_utf8_free(conv);
    return fits || sj_norm_fail(out, "姓名过长（超过%d个字）", NAME_CHARS_MAX);
}

/* Adds the input as the "original" part, cut at a character boundary to fit. */
static void add_original(struct sj_norm_result *out, struct sj_str in)
{
    size_t len = in.len;
    if (len >= SJ_NORM_PART_MAX) {
        len = SJ_NORM_PART_MAX - 1;
        while (len > 0 && ((unsigned char)in.ptr[len] & 0xC0) == 0x80)
            len--;
    }
    sj_norm_add_part(out, "original", in.ptr, len, false);
}

bool sj_norm_name(struct sj_str in, struct sj_norm_result *out)
{
    utf8proc_int32_t cps[NAME_INPUT_MAX];
    struct name_out no = {.len = 0};
    bool changed = false;
    sj_norm_begin(out, SJ_KIND_NAME);
    struct sj_str s = sj_norm_trim(in);
    if (s.len == 0)
        return sj_norm_fail(out, "姓名为空");
    if (s.len > NAME_INPUT_MAX)
        return sj_norm_fail(out, "姓名过长（超过%d个字）", NAME_CHARS_MAX);
    long n = name_nfkc(s, cps, NAME_INPUT_MAX);
    if (n < 0)
        return sj_norm_fail(out, "姓名不是有效的UTF-8文本");
    for (size_t i = 0; i < s.len; i++) {
        if ((unsigned char)s.ptr[i] >= 0x80) { /* the bitmap is needed from here on */
            pthread_once(&t2s_once, t2s_init);
            break;
        }
    }
    for (long i = 0; i < n; i++) {
        if (!name_feed(&no, (uint32_t)cps[i], out))
            return false;
    }
    if (no.len == 0)
        return sj_norm_fail(out, "姓名为空");
    if (no.needs_t2s && !name_t2s(&no, out, &changed))
        return false;
    sj_norm_accept(out, no.buf, no.len);
    add_original(out, in);
    if (changed)
        sj_norm_add_part(out, "converted", "true", 4, false);
    return true;
}
