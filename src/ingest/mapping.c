/*
 * mapping.c - the mapping file of `shujian import --mapping`: one "column = kind" per line
 * (a ':' works too, so a flat YAML map is read as well), '#' starts a comment line, blank
 * lines are ignored. The column is a name as the import summary shows it (after blank
 * headers became 列N and duplicates got _2); the kind is a name of sj_kind_parse.
 *
 * Invariants: the file is capped (1 MiB, 10,000 entries); every line that is not blank, a
 * comment or a valid entry is an error naming the line, so a typo never passes silently.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_int.h"

#define MAPPING_MAX_BYTES ((size_t)1 << 20)
#define MAPPING_MAX_ENTRIES 10000

struct sj_ingest_mapping {
    size_t count;
    char **names;
    enum sj_kind *kinds;
};

static int read_all(const char *path, struct sj_buf *buf, struct sj_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        sj_err_at(err, path, -1, -1, NULL);
        return sj_err_set(err, e == ENOENT ? SJ_ENOTFOUND : SJ_EIO, "无法打开映射文件：%s",
                          strerror(e));
    }
    char chunk[4096];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        rc = sj_buf_append(buf, chunk, n);
    if (rc == 0 && ferror(fp))
        rc = sj_err_set(err, SJ_EIO, "读取映射文件失败：%s", strerror(errno));
    else if (rc < 0)
        rc = sj_err_set(err, SJ_ETOOBIG, "映射文件太大（最多 %zu 字节）", MAPPING_MAX_BYTES);
    if (rc < 0)
        sj_err_at(err, path, -1, -1, NULL);
    fclose(fp);
    return rc;
}

/* Strips one pair of matching quotes, as YAML keys may have. */
static struct sj_str unquote(struct sj_str s)
{
    s = sj_str_trim(s);
    if (s.len >= 2 && (s.ptr[0] == '"' || s.ptr[0] == '\'') && s.ptr[s.len - 1] == s.ptr[0])
        s = sj_str_slice(s, 1, s.len - 2);
    return s;
}

static int parse_line(struct sj_ingest_mapping *m, struct sj_str line, struct sj_err *err)
{
    line = sj_str_trim(line);
    if (line.len == 0 || line.ptr[0] == '#')
        return 0;
    const char *sep = NULL;
    for (size_t i = line.len; i > 0 && !sep; i--) {
        if (line.ptr[i - 1] == '=')
            sep = line.ptr + i - 1;
    }
    for (size_t i = line.len; i > 0 && !sep; i--) {
        if (line.ptr[i - 1] == ':')
            sep = line.ptr + i - 1;
    }
    if (!sep)
        return sj_err_set(err, SJ_EINVAL, "应为「列名 = 类型」，例如「身份证号 = idcard」");
    struct sj_str name = unquote(sj_str_make(line.ptr, (size_t)(sep - line.ptr)));
    struct sj_str kind_text =
        unquote(sj_str_make(sep + 1, line.len - (size_t)(sep + 1 - line.ptr)));
    char kind_name[64];
    snprintf(kind_name, sizeof kind_name, SJ_STR_FMT, SJ_STR_ARG(kind_text));
    enum sj_kind kind;
    if (name.len == 0)
        return sj_err_set(err, SJ_EINVAL, "缺少列名");
    if (sj_kind_parse(kind_name, &kind) < 0 || kind == SJ_KIND_AUTO)
        return sj_err_set(err, SJ_EINVAL, "未知的类型「%s」", kind_name);
    if (m->count == MAPPING_MAX_ENTRIES)
        return sj_err_set(err, SJ_ETOOBIG, "映射条目太多（最多 %d 条）", MAPPING_MAX_ENTRIES);
    m->names = sj_xrealloc(m->names, (m->count + 1) * sizeof *m->names);
    m->kinds = sj_xrealloc(m->kinds, (m->count + 1) * sizeof *m->kinds);
    m->names[m->count] = sj_xstrndup(name.ptr, name.len);
    m->kinds[m->count++] = kind;
    return 0;
}

int sj_ingest_mapping_parse(struct sj_str text, struct sj_ingest_mapping **out, struct sj_err *err)
{
    struct sj_ingest_mapping *m = sj_xcalloc(1, sizeof *m);
    int rc = 0;
    long line_no = 0;
    if (text.len >= 3 && memcmp(text.ptr, "\xEF\xBB\xBF", 3) == 0)
        text = sj_str_slice(text, 3, text.len - 3);
    if (!sj_utf8_is_valid(text, NULL)) {
        rc = sj_err_set(err, SJ_EFORMAT, "映射文件必须是 UTF-8 文本");
        goto out;
    }
    while (rc == 0 && text.len > 0) {
        const char *nl = memchr(text.ptr, '\n', text.len);
        size_t len = nl ? (size_t)(nl - text.ptr) : text.len;
        line_no++;
        rc = parse_line(m, sj_str_make(text.ptr, len), err);
        text = sj_str_slice(text, nl ? len + 1 : len, text.len);
    }
    if (rc < 0)
        sj_err_at(err, NULL, line_no, -1, NULL);
out:
    if (rc < 0) {
        sj_ingest_mapping_free(m);
        m = NULL;
    }
    *out = m;
    return rc;
}

int sj_ingest_mapping_load(const char *path, struct sj_ingest_mapping **out, struct sj_err *err)
{
    struct sj_buf buf;
    sj_buf_init(&buf, MAPPING_MAX_BYTES);
    *out = NULL;
    int rc = read_all(path, &buf, err);
    if (rc == 0) {
        rc = sj_ingest_mapping_parse(sj_buf_str(&buf), out, err);
        if (rc < 0)
            sj_err_at(err, path, -1, -1, NULL);
    }
    sj_buf_release(&buf);
    return rc;
}

bool sj_ingest_mapping_find(const struct sj_ingest_mapping *m, const char *column,
                            enum sj_kind *kind)
{
    if (!m)
        return false;
    for (size_t i = 0; i < m->count; i++) {
        if (strcmp(m->names[i], column) == 0) {
            *kind = m->kinds[i];
            return true;
        }
    }
    return false;
}

void sj_ingest_mapping_free(struct sj_ingest_mapping *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++)
        free(m->names[i]);
    free(m->names);
    free(m->kinds);
    free(m);
}
