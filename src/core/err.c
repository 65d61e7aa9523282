/*
 * err.c - errors that carry context. A struct sj_err records a code, a message and where
 * the problem is (file, sheet, row, column, field); every setter accepts NULL so that a
 * caller that does not care can pass no error struct at all.
 */
#include <stdio.h>
#include <string.h>

#include "shujian/core.h"

static void copy_field(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

void sj_err_clear(struct sj_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

int sj_err_vset(struct sj_err *err, int code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
    }
    return code;
}

int sj_err_set(struct sj_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sj_err_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void sj_err_at(struct sj_err *err, const char *file, long row, long column, const char *field)
{
    if (!err)
        return;
    if (file)
        copy_field(err->file, sizeof err->file, file);
    if (row >= 0)
        err->row = row;
    if (column >= 0)
        err->column = column;
    if (field)
        copy_field(err->field, sizeof err->field, field);
}

const char *sj_err_format(const struct sj_err *err, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (!err)
        return buf;
#define APPEND(...)                                                                        \
    do {                                                                                   \
        if (used < size) {                                                                 \
            int n_ = snprintf(buf + used, size - used, __VA_ARGS__);                       \
            used += n_ > 0 ? (size_t)n_ : 0;                                               \
        }                                                                                  \
    } while (0)
    const char *sep = "";
    if (err->file[0]) {
        APPEND("%s", err->file);
        sep = ", ";
    }
    if (err->sheet[0]) {
        APPEND("%ssheet %s", sep, err->sheet);
        sep = ", ";
    }
    if (err->row > 0) {
        APPEND("%srow %ld", sep, err->row);
        sep = ", ";
    }
    if (err->column > 0 && err->field[0]) {
        APPEND("%scolumn %ld (%s)", sep, err->column, err->field);
        sep = ", ";
    } else if (err->column > 0) {
        APPEND("%scolumn %ld", sep, err->column);
        sep = ", ";
    } else if (err->field[0]) {
        APPEND("%scolumn %s", sep, err->field);
        sep = ", ";
    }
    if (*sep)
        APPEND(": ");
    APPEND("%s", err->message[0] ? err->message : sj_strerror(err->code));
#undef APPEND
    return buf;
}

const char *sj_strerror(int code)
{
    switch (code) {
    case SJ_OK:
        return "success";
    case SJ_EINVAL:
        return "invalid argument";
    case SJ_ENOMEM:
        return "out of memory";
    case SJ_EIO:
        return "input/output error";
    case SJ_ETOOBIG:
        return "too large";
    case SJ_EFORMAT:
        return "bad format";
    case SJ_ENOTFOUND:
        return "not found";
    case SJ_EEXIST:
        return "already exists";
    case SJ_EDB:
        return "database error";
    case SJ_EPERM:
        return "not permitted";
    case SJ_EUSAGE:
        return "usage error";
    default:
        return "unknown error";
    }
}
