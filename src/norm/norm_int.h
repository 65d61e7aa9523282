/*
 * norm_int.h - small helpers shared by the src/norm parsers; not a public interface.
 *
 * They fill a struct sj_norm_result without clearing all of it (only the fields the
 * contract in norm.h promises) and prepare an input without allocating: the view is
 * folded to half-width (full-width digits, letters, punctuation, U+3000) only when it
 * holds a byte >= 0x80, then trimmed of ASCII white space and NBSP. Everything here is
 * static inline so that any file of src/norm may include it without a link dependency.
 */
#ifndef SHUJIAN_NORM_INT_H
#define SHUJIAN_NORM_INT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shujian/norm.h"

/* Scratch size for a prepared (folded) input; longer values are rejected as too long. */
#define SJ_NORM_INPUT_MAX 512

/* Starts a result for kind: invalid, empty value and reason, no parts, number 0. */
static inline void sj_norm_begin(struct sj_norm_result *out, enum sj_kind kind)
{
    out->kind = kind;
    out->is_valid = false;
    out->value[0] = '\0';
    out->value_len = 0;
    out->value_is_number = false;
    out->number = 0;
    out->part_count = 0;
    out->reason[0] = '\0';
}

/* Marks out invalid with a printf-style reason (Chinese, for a clerk); clears the value,
 * the number and the parts. Returns false so a parser can `return sj_norm_fail(...)`. */
static inline bool sj_norm_fail(struct sj_norm_result *out, const char *fmt, ...) SJ_PRINTF(2, 3);
static inline bool sj_norm_fail(struct sj_norm_result *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
    out->is_valid = false;
    out->value[0] = '\0';
    out->value_len = 0;
    out->value_is_number = false;
    out->number = 0;
    out->part_count = 0;
    return false;
}

/* Sets the canonical value (len bytes, copied) and marks out valid. Returns true, or
 * fails with a reason when the value does not fit. */
static inline bool sj_norm_accept(struct sj_norm_result *out, const char *value, size_t len)
{
    if (len >= sizeof out->value)
        return sj_norm_fail(out, "内容过长");
    memcpy(out->value, value, len);
    out->value[len] = '\0';
    out->value_len = len;
    out->is_valid = true;
    out->reason[0] = '\0';
    return true;
}

/* Appends a part (key is static; value copied, truncated to fit). Ignored when full. */
static inline void sj_norm_add_part(struct sj_norm_result *out, const char *key, const char *value,
                                    size_t len, bool is_number)
{
    if (out->part_count >= SJ_NORM_PARTS_MAX)
        return;
    struct sj_norm_part *part = &out->parts[out->part_count++];
    if (len >= sizeof part->value)
        len = sizeof part->value - 1;
    part->key = key;
    memcpy(part->value, value, len);
    part->value[len] = '\0';
    part->is_number = is_number;
}

/* Writes v in decimal into buf (at least 21 bytes, not NUL-terminated); returns the
 * length. Exact for every int64_t, INT64_MIN included. */
static inline size_t sj_norm_fmt_int(char *buf, int64_t v)
{
    char tmp[20];
    size_t n = 0, len = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    return len;
}

/* Appends a part holding an integer, emitted as a JSON number. */
static inline void sj_norm_add_part_int(struct sj_norm_result *out, const char *key, int64_t v)
{
    char buf[24];
    sj_norm_add_part(out, key, buf, sj_norm_fmt_int(buf, v), true);
}

/* Trims ASCII white space and U+00A0 (NBSP, common in spreadsheet exports) from both
 * ends of s. */
static inline struct sj_str sj_norm_trim(struct sj_str s)
{
    if (s.len == 0)
        return s;
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t b = 0, e = s.len;
    for (;;) {
        if (b < e && (p[b] == ' ' || (p[b] >= '\t' && p[b] <= '\r')))
            b++;
        else if (b + 1 < e && p[b] == 0xC2 && p[b + 1] == 0xA0)
            b += 2;
        else
            break;
    }
    for (;;) {
        if (e > b && (p[e - 1] == ' ' || (p[e - 1] >= '\t' && p[e - 1] <= '\r')))
            e--;
        else if (e >= b + 2 && p[e - 2] == 0xC2 && p[e - 1] == 0xA0)
            e -= 2;
        else
            break;
    }
    return sj_str_make(s.ptr + b, e - b);
}

/* Prepares in for parsing: when it holds a byte >= 0x80 it is folded to half-width into
 * scratch (size bytes, see SJ_NORM_INPUT_MAX), otherwise used in place; then trimmed.
 * *view borrows in or scratch. Returns false when the folded value does not fit. */
static inline bool sj_norm_prepare(struct sj_str in, char *scratch, size_t size,
                                   struct sj_str *view)
{
    bool is_ascii = true;
    for (size_t i = 0; i < in.len; i++) {
        if ((unsigned char)in.ptr[i] >= 0x80) {
            is_ascii = false;
            break;
        }
    }
    if (is_ascii) {
        *view = sj_norm_trim(in);
        return true;
    }
    long n = sj_fold_halfwidth_to(in, scratch, size);
    if (n < 0)
        return false;
    *view = sj_norm_trim(sj_str_make(scratch, (size_t)n));
    return true;
}

/* If [*p, end) starts with the NUL-terminated literal lit, advances *p past it and
 * returns true. */
static inline bool sj_norm_eat(const char **p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}

static inline bool sj_norm_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

#endif
