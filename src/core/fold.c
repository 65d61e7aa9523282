/*
 * fold.c - Unicode folding at the edge of normalisation: NFKC through utf8proc, and a
 * fast full-width -> half-width pass for the common case of identifiers typed with a
 * Chinese input method (１２３, ＡＢＣ, the ideographic space).
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "shujian/core.h"

int sj_fold_nfkc(struct sj_str in, struct sj_buf *out)
{
    if (!sj_utf8_is_valid(in, NULL))
        return SJ_EFORMAT;
    bool is_ascii = true;
    for (size_t i = 0; i < in.len && is_ascii; i++)
        is_ascii = (unsigned char)in.ptr[i] < 0x80;
    if (is_ascii)
        return sj_buf_append_str(out, in); /* ASCII is already in NFKC */
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)in.ptr, (utf8proc_ssize_t)in.len,
                                      &folded, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    if (n < 0)
        return SJ_EFORMAT;
    int rc = sj_buf_append(out, folded, (size_t)n);
    free(folded);
    return rc;
}

/* Returns the half-width replacement of a 3-byte sequence at p, or -1 when none.
 * U+FF01..U+FF5E are EF BC 81..EF BD 9E; U+3000 is E3 80 80. */
static int halfwidth_of(const unsigned char *p, size_t avail)
{
    if (avail < 3)
        return -1;
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return ' ';
    if (p[0] != 0xEF)
        return -1;
    if (p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF)
        return p[2] - 0x81 + 0x21;
    if (p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E)
        return p[2] - 0x80 + 0x60;
    return -1;
}

int sj_fold_halfwidth(struct sj_str in, struct sj_buf *out)
{
    const unsigned char *p = (const unsigned char *)in.ptr;
    size_t start = 0, i = 0;
    while (i < in.len) {
        int c = p[i] >= 0xE3 ? halfwidth_of(p + i, in.len - i) : -1;
        if (c < 0) {
            i++;
            continue;
        }
        int rc = sj_buf_append(out, in.ptr + start, i - start);
        if (rc == 0)
            rc = sj_buf_putc(out, (char)c);
        if (rc)
            return rc;
        i += 3;
        start = i;
    }
    return sj_buf_append(out, in.ptr + start, in.len - start);
}

long sj_fold_halfwidth_to(struct sj_str in, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *)in.ptr;
    size_t o = 0, i = 0;
    if (size == 0)
        return -1;
    while (i < in.len) {
        int c = p[i] >= 0xE3 ? halfwidth_of(p + i, in.len - i) : -1;
        if (o + 1 >= size)
            return -1;
        if (c >= 0) {
            out[o++] = (char)c;
            i += 3;
        } else {
            out[o++] = (char)p[i++];
        }
    }
    out[o] = '\0';
    return (long)o;
}
