/*
 * multipart.c - the one piece of multipart/form-data (RFC 7578) the upload endpoint needs:
 * the first part that carries a file (a Content-Disposition with filename="..."), as views
 * into the request body, and turning what a client calls the file into a safe file name.
 *
 * Invariants: nothing is copied or allocated; every view lies inside the body; a body that
 * is cut short, has no closing delimiter for the file part, or no file part at all is
 * refused (SJ_EFORMAT) rather than guessed at.
 */
#include <string.h>
#include <strings.h>

#include "http/platform_int.h"

#define BOUNDARY_MAX 70 /* RFC 2046 5.1.1 */

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* The boundary parameter of a multipart/form-data content type. */
static bool find_boundary(const char *type, struct sj_str *boundary)
{
    static const char prefix[] = "multipart/form-data";
    if (!type || strncasecmp(type, prefix, sizeof prefix - 1) != 0)
        return false;
    for (const char *p = type + sizeof prefix - 1; (p = strchr(p, ';')) != NULL;) {
        p++;
        while (is_space(*p))
            p++;
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        bool is_quoted = *p == '"';
        const char *start = p + is_quoted;
        const char *end = start;
        while (*end && (is_quoted ? *end != '"' : (*end != ';' && !is_space(*end))))
            end++;
        if (is_quoted && *end != '"')
            return false;
        size_t len = (size_t)(end - start);
        *boundary = sj_str_make(start, len);
        return len >= 1 && len <= BOUNDARY_MAX;
    }
    return false;
}

/* The value of filename="..." in one header line (the view excludes the quotes). */
static bool find_filename(struct sj_str line, struct sj_str *name)
{
    static const char key[] = "filename=\"";
    size_t n = sizeof key - 1;
    for (size_t i = 0; i + n <= line.len; i++) {
        if (strncasecmp(line.ptr + i, key, n) != 0)
            continue;
        if (i > 0 && line.ptr[i - 1] != ' ' && line.ptr[i - 1] != ';' && line.ptr[i - 1] != '\t')
            continue; /* e.g. "xfilename=" */
        size_t start = i + n, end = start;
        while (end < line.len && line.ptr[end] != '"')
            end++;
        if (end == line.len)
            return false;
        *name = sj_str_make(line.ptr + start, end - start);
        return true;
    }
    return false;
}

/* Reads the header lines of a part from *p (up to the blank line); true when one of them is a
 * Content-Disposition with a filename. *p is left at the part's first data byte. */
static bool read_part_headers(struct sj_str *p, struct sj_str *filename, bool *is_file)
{
    *is_file = false;
    for (;;) {
        long eol = sj_str_find(*p, SJ_STR_LIT("\r\n"));
        if (eol < 0)
            return false;
        struct sj_str line = sj_str_slice(*p, 0, (size_t)eol);
        *p = sj_str_slice(*p, (size_t)eol + 2, p->len);
        if (line.len == 0)
            return true;
        if (line.len > 20 && strncasecmp(line.ptr, "content-disposition:", 20) == 0 &&
            find_filename(line, filename))
            *is_file = true;
    }
}

int sj_http_multipart_file(struct sj_str body, const char *content_type, struct sj_str *filename,
                           struct sj_str *data, struct sj_err *err)
{
    struct sj_str boundary;
    char delim[BOUNDARY_MAX + 4];
    if (!find_boundary(content_type, &boundary))
        return sj_err_set(err, SJ_EFORMAT, "上传须为 multipart/form-data 且带有 boundary 参数");
    size_t dlen = boundary.len + 4; /* "\r\n--" + boundary, the first without "\r\n" */
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary.ptr, boundary.len);
    struct sj_str d = sj_str_make(delim, dlen);
    struct sj_str first = sj_str_make(delim + 2, dlen - 2);
    long at = sj_str_has_prefix(body, first) ? 0 : sj_str_find(body, d);
    if (at < 0)
        return sj_err_set(err, SJ_EFORMAT, "上传的表单中没有分隔符");
    struct sj_str p = sj_str_slice(body, (size_t)at + (at == 0 ? first.len : d.len), body.len);
    for (;;) {
        bool is_file = false;
        if (sj_str_has_prefix(p, SJ_STR_LIT("--")))
            break; /* the closing delimiter */
        if (!sj_str_has_prefix(p, SJ_STR_LIT("\r\n")))
            return sj_err_set(err, SJ_EFORMAT, "上传的表单格式有误");
        p = sj_str_slice(p, 2, p.len);
        if (!read_part_headers(&p, filename, &is_file))
            return sj_err_set(err, SJ_EFORMAT, "上传的表单不完整");
        long end = sj_str_find(p, d);
        if (end < 0)
            return sj_err_set(err, SJ_EFORMAT, "上传的表单不完整（缺少结束分隔符）");
        if (is_file) {
            *data = sj_str_slice(p, 0, (size_t)end);
            return 0;
        }
        p = sj_str_slice(p, (size_t)end + d.len, p.len);
    }
    return sj_err_set(err, SJ_EFORMAT, "上传的表单中没有文件");
}

int sj_http_upload_name(struct sj_str name, char *out, size_t size, struct sj_err *err)
{
    size_t start = 0;
    for (size_t i = 0; i < name.len; i++) {
        if (name.ptr[i] == '/' || name.ptr[i] == '\\')
            start = i + 1;
    }
    struct sj_str base = sj_str_trim(sj_str_slice(name, start, name.len));
    if (base.len == 0 || base.len > 200 || base.len + 1 > size || sj_str_eq_cstr(base, ".") ||
        sj_str_eq_cstr(base, ".."))
        return sj_err_set(err, SJ_EINVAL, "文件名为空或过长（至多 200 字节）");
    if (!sj_utf8_is_valid(base, NULL))
        return sj_err_set(err, SJ_EINVAL, "文件名须为 UTF-8 编码");
    for (size_t i = 0; i < base.len; i++) {
        unsigned char c = (unsigned char)base.ptr[i];
        if (c < 0x20 || c == 0x7f)
            return sj_err_set(err, SJ_EINVAL, "文件名不能含有控制字符");
    }
    memcpy(out, base.ptr, base.len);
    out[base.len] = '\0';
    return 0;
}
