/*
 * utf8.c - strict UTF-8 decoding and validation (RFC 3629): overlong forms, surrogates
 * and code points above U+10FFFF are rejected, so text that passes here is safe to store
 * and to hand to utf8proc, SQLite and JSON encoders.
 */
#include "shujian/core.h"

int sj_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    if (len == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    unsigned char b0 = p[0];
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    int need;
    uint32_t c, min;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1, c = b0 & 0x1F, min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2, c = b0 & 0x0F, min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3, c = b0 & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (len < (size_t)need + 1)
        return -1;
    for (int i = 1; i <= need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return -1;
    *cp = c;
    return need + 1;
}

int sj_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp <= 0x10FFFF) {
        o[0] = (unsigned char)(0xF0 | (cp >> 18));
        o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (unsigned char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

bool sj_utf8_is_valid(struct sj_str s, size_t *bad_offset)
{
    size_t i = 0;
    while (i < s.len) {
        if ((unsigned char)s.ptr[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        int n = sj_utf8_decode(s.ptr + i, s.len - i, &cp);
        if (n <= 0) {
            if (bad_offset)
                *bad_offset = i;
            return false;
        }
        i += (size_t)n;
    }
    return true;
}

size_t sj_utf8_count(struct sj_str s)
{
    size_t count = 0, i = 0;
    while (i < s.len) {
        uint32_t cp;
        int n = sj_utf8_decode(s.ptr + i, s.len - i, &cp);
        i += n > 0 ? (size_t)n : 1;
        count++;
    }
    return count;
}

int sj_utf8_repair(struct sj_str s, struct sj_buf *out)
{
    int rc = 0;
    size_t i = 0;
    while (i < s.len && rc == 0) {
        uint32_t cp;
        int n = sj_utf8_decode(s.ptr + i, s.len - i, &cp);
        if (n > 0) {
            rc = sj_buf_append(out, s.ptr + i, (size_t)n);
            i += (size_t)n;
        } else {
            rc = sj_buf_append(out, "\xEF\xBF\xBD", 3); /* U+FFFD */
            i++;
        }
    }
    return rc;
}
