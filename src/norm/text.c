/*
 * text.c - free text: trimmed of white space (ASCII, NBSP, U+3000 and the other Unicode
 * spaces, which NFKC turns into ASCII spaces) and NFKC-folded, so that full-width letters
 * and compatibility characters compare equal to their plain forms.
 * Invariant: valid exactly when the input is UTF-8 without NUL bytes and the result fits
 * the value buffer.
 */
#include "norm/norm_int.h"

/* Decoded NFKC may grow a little before trimming; more than this is surely too long. */
#define TEXT_FOLD_CAP (4 * SJ_NORM_VALUE_MAX)

static bool text_accept(struct sj_str s, struct sj_norm_result *out)
{
    s = sj_norm_trim(s);
    if (s.len == 0) /* s.ptr may be NULL */
        return sj_norm_accept(out, "", 0);
    if (s.len >= SJ_NORM_VALUE_MAX)
        return sj_norm_fail(out, "文本过长（超过%d字节）", SJ_NORM_VALUE_MAX - 1);
    return sj_norm_accept(out, s.ptr, s.len);
}

bool sj_norm_text(struct sj_str in, struct sj_norm_result *out)
{
    sj_norm_begin(out, SJ_KIND_TEXT);
    struct sj_str s = sj_norm_trim(in);
    if (s.len && memchr(s.ptr, '\0', s.len)) /* the value must stay a C string */
        return sj_norm_fail(out, "文本含有空字符（NUL）");
    bool is_ascii = true;
    for (size_t i = 0; i < s.len && is_ascii; i++)
        is_ascii = (unsigned char)s.ptr[i] < 0x80;
    if (is_ascii) /* ASCII is its own NFKC */
        return text_accept(s, out);
    if (s.len > TEXT_FOLD_CAP)
        return sj_norm_fail(out, "文本过长（超过%d字节）", SJ_NORM_VALUE_MAX - 1);
    struct sj_buf buf;
    sj_buf_init(&buf, TEXT_FOLD_CAP);
    int rc = sj_fold_nfkc(s, &buf);
    bool ok;
    if (rc == SJ_EFORMAT)
        ok = sj_norm_fail(out, "文本不是有效的UTF-8编码");
    else if (rc != 0)
        ok = sj_norm_fail(out, "文本过长（超过%d字节）", SJ_NORM_VALUE_MAX - 1);
    else
        ok = text_accept(sj_buf_str(&buf), out);
    sj_buf_release(&buf);
    return ok;
}
