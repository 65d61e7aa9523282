/*
 * str.c - (pointer, length) string views. Views borrow their bytes and never assume a
 * terminating NUL, so they can point into file buffers and network input directly.
 */
#include <string.h>

#include "shujian/core.h"

struct sj_str sj_str_make(const char *ptr, size_t len)
{
    struct sj_str s = {ptr, len};
    return s;
}

struct sj_str sj_str_from_cstr(const char *s)
{
    return sj_str_make(s ? s : "", s ? strlen(s) : 0);
}

bool sj_str_eq(struct sj_str a, struct sj_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool sj_str_eq_cstr(struct sj_str a, const char *b)
{
    return sj_str_eq(a, sj_str_from_cstr(b));
}

bool sj_str_has_prefix(struct sj_str s, struct sj_str prefix)
{
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
}

bool sj_str_has_suffix(struct sj_str s, struct sj_str suffix)
{
    return s.len >= suffix.len &&
           (suffix.len == 0 || memcmp(s.ptr + s.len - suffix.len, suffix.ptr, suffix.len) == 0);
}

static bool is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

struct sj_str sj_str_trim(struct sj_str s)
{
    while (s.len > 0 && is_ascii_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && is_ascii_space(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

struct sj_str sj_str_slice(struct sj_str s, size_t start, size_t len)
{
    if (start > s.len)
        start = s.len;
    if (len > s.len - start)
        len = s.len - start;
    return sj_str_make(s.ptr + start, len);
}

long sj_str_find(struct sj_str s, struct sj_str needle)
{
    if (needle.len == 0)
        return 0;
    if (needle.len > s.len)
        return -1;
    for (size_t i = 0; i + needle.len <= s.len; i++) {
        if (s.ptr[i] == needle.ptr[0] && memcmp(s.ptr + i, needle.ptr, needle.len) == 0)
            return (long)i;
    }
    return -1;
}
