/*
 * buf.c - a growable byte buffer with a hard cap. Growth doubles; an append that would
 * pass max_len fails with SJ_ETOOBIG and leaves the buffer unchanged, so a caller reading
 * untrusted input (an import line, a request body) can stop cleanly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/core.h"

void sj_buf_init(struct sj_buf *buf, size_t max_len)
{
    buf->data = NULL;
    buf->len = 0;
    buf->alloc = 0;
    buf->max_len = max_len ? max_len : SJ_BUF_DEFAULT_CAP;
}

void sj_buf_release(struct sj_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->alloc = 0;
}

void sj_buf_reset(struct sj_buf *buf)
{
    buf->len = 0;
    if (buf->data)
        buf->data[0] = '\0';
}

/* Makes room for extra more bytes plus the NUL. */
static int reserve(struct sj_buf *buf, size_t extra)
{
    if (extra > buf->max_len - buf->len)
        return SJ_ETOOBIG;
    size_t need = buf->len + extra + 1;
    if (need <= buf->alloc)
        return 0;
    size_t alloc = buf->alloc ? buf->alloc : 64;
    while (alloc < need)
        alloc *= 2;
    buf->data = sj_xrealloc(buf->data, alloc);
    buf->alloc = alloc;
    return 0;
}

int sj_buf_append(struct sj_buf *buf, const void *data, size_t len)
{
    int rc = reserve(buf, len);
    if (rc)
        return rc;
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return 0;
}

int sj_buf_append_str(struct sj_buf *buf, struct sj_str s)
{
    return sj_buf_append(buf, s.ptr, s.len);
}

int sj_buf_append_cstr(struct sj_buf *buf, const char *s)
{
    return sj_buf_append(buf, s, strlen(s));
}

int sj_buf_putc(struct sj_buf *buf, char c)
{
    return sj_buf_append(buf, &c, 1);
}

int sj_buf_appendf(struct sj_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SJ_EINVAL;
    int rc = reserve(buf, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return 0;
}

const char *sj_buf_cstr(const struct sj_buf *buf)
{
    return buf->data ? buf->data : "";
}

struct sj_str sj_buf_str(const struct sj_buf *buf)
{
    return sj_str_make(sj_buf_cstr(buf), buf->len);
}

char *sj_buf_detach(struct sj_buf *buf, size_t *len)
{
    char *data = buf->data ? buf->data : sj_xstrdup("");
    if (len)
        *len = buf->len;
    buf->data = NULL;
    buf->len = 0;
    buf->alloc = 0;
    return data;
}
