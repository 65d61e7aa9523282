/*
 * export.c - file exports (export_int.h): masking an export document, CSV files, XLSX
 * workbooks through libxlsxwriter, and the leads workbook of GET /api/v1/leads/export (three
 * sheets 线索, 证据, 处理记录 with Chinese headers). libxlsxwriter writes files only, so a
 * workbook goes through a private temporary file in the workspace (mode 0600, removed before
 * returning).
 *
 * Invariant: only strings and numbers already in the document are written; nothing here
 * reads the store, so what the workbook shows is exactly what was masked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "http/export_int.h"

struct sheet_spec {
    const char *name;
    const char *list; /* member of the document */
    const char *const *headers;
    const char *const *keys; /* member of each item per column; NULL-terminated with headers */
};

static const char *const lead_headers[] = {
    "线索编号", "模型",     "检察职能", "监督对象", "线索标题", "状态", "处理结果",
    "发现次数", "证据条数", "所属院",   "发现时间", "更新时间", NULL};
static const char *const lead_keys[] = {
    "id",           "model",         "function",   "subject",        "title",
    "status_label", "outcome_label", "seen_count", "evidence_count", "office_id",
    "created_at",   "updated_at",    NULL};
static const char *const evidence_headers[] = {"线索编号",   "数据集",   "来源文件", "工作表",
                                               "源文件行号", "证据内容", NULL};
static const char *const evidence_keys[] = {"lead_id",    "dataset", "file_name", "sheet",
                                            "source_row", "values",  NULL};
static const char *const history_headers[] = {"线索编号", "时间",     "操作人", "动作", "原状态",
                                              "新状态",   "处理结果", "说明",   NULL};
static const char *const history_keys[] = {"lead_id",   "at",      "actor", "action", "from_status",
                                           "to_status", "outcome", "note",  NULL};

static const struct sheet_spec sheets[] = {
    {"线索", "leads", lead_headers, lead_keys},
    {"证据", "evidence", evidence_headers, evidence_keys},
    {"处理记录", "history", history_headers, history_keys},
};

/* An object of values as one line "key：value；key：value". */
static void object_text(json_t *o, struct sj_buf *out)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (out->len)
            sj_buf_append_cstr(out, "；");
        sj_buf_appendf(out, "%s：", key);
        if (json_is_string(v))
            sj_buf_append_cstr(out, json_string_value(v));
        else if (!json_is_null(v)) {
            char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            sj_buf_append_cstr(out, text ? text : "");
            free(text);
        }
    }
}

static void write_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, json_t *v)
{
    if (json_is_integer(v)) {
        worksheet_write_number(ws, row, col, (double)json_integer_value(v), NULL);
    } else if (json_is_real(v)) {
        worksheet_write_number(ws, row, col, json_real_value(v), NULL);
    } else if (json_is_string(v)) {
        worksheet_write_string(ws, row, col, json_string_value(v), NULL);
    } else if (json_is_object(v)) {
        struct sj_buf text;
        sj_buf_init(&text, 0);
        object_text(v, &text);
        worksheet_write_string(ws, row, col, sj_buf_cstr(&text), NULL);
        sj_buf_release(&text);
    }
}

static void write_sheet(lxw_workbook *wb, lxw_format *bold, const struct sheet_spec *spec,
                        json_t *doc)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, spec->name);
    lxw_col_t n = 0;
    for (; spec->headers[n]; n++) {
        worksheet_write_string(ws, 0, n, spec->headers[n], bold);
        worksheet_set_column(ws, n, n, spec->headers[n + 1] ? 18 : 60, NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    json_t *list = json_object_get(doc, spec->list);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        for (lxw_col_t c = 0; c < n; c++)
            write_cell(ws, (lxw_row_t)(i + 1), c, json_object_get(item, spec->keys[c]));
    }
}

static int read_all(const char *path, char **bytes, size_t *len, struct sj_err *err)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        if (f)
            fclose(f);
        return sj_err_set(err, SJ_EIO, "cannot read the workbook %s: %s", path, strerror(errno));
    }
    *len = (size_t)st.st_size;
    *bytes = sj_xmalloc(*len ? *len : 1);
    size_t got = fread(*bytes, 1, *len, f);
    fclose(f);
    if (got != *len) {
        free(*bytes);
        *bytes = NULL;
        return sj_err_set(err, SJ_EIO, "short read of the workbook %s", path);
    }
    return 0;
}

int sj_http_xlsx_bytes(const char *workspace, sj_http_xlsx_fill_fn fill, void *arg, char **bytes,
                       size_t *len, struct sj_err *err)
{
    char *path = NULL;
    *bytes = NULL;
    *len = 0;
    size_t n = strlen(workspace) + 32;
    path = sj_xmalloc(n);
    snprintf(path, n, "%s/export-XXXXXX", workspace);
    int fd = mkstemp(path);
    if (fd < 0) {
        int rc = sj_err_set(err, SJ_EIO, "cannot make a temporary file in %s: %s", workspace,
                            strerror(errno));
        free(path);
        return rc;
    }
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    int rc = 0;
    if (!wb) {
        rc = sj_err_set(err, SJ_EIO, "libxlsxwriter cannot create %s", path);
        goto out;
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    fill(wb, bold, arg);
    lxw_error lerr = workbook_close(wb);
    if (lerr != LXW_NO_ERROR)
        rc = sj_err_set(err, SJ_EIO, "libxlsxwriter: %s", lxw_strerror(lerr));
    if (rc == 0)
        rc = read_all(path, bytes, len, err);
out:
    unlink(path);
    free(path);
    return rc;
}

static void fill_leads(lxw_workbook *wb, lxw_format *bold, void *doc)
{
    for (size_t i = 0; i < SJ_ARRAY_LEN(sheets); i++)
        write_sheet(wb, bold, &sheets[i], doc);
}

int sj_http_export_xlsx(const char *workspace, json_t *doc, char **bytes, size_t *len,
                        struct sj_err *err)
{
    return sj_http_xlsx_bytes(workspace, fill_leads, doc, bytes, len, err);
}

/* ---- Masking --------------------------------------------------------------------------------- */

void sj_http_mask_export(struct sj_http_ctx *ctx, json_t *doc)
{
    if (sj_http_wants_reveal(ctx)) {
        size_t count = sj_http_mask_json(doc, true);
        if (count == 0 || sj_http_record_reveal(ctx, count) == 0)
            return;
        SJ_WARN("a reveal could not be recorded; exporting masked");
    }
    sj_http_mask_json(doc, false);
}

/* ---- CSV ------------------------------------------------------------------------------------- */

void sj_http_csv_cell(struct sj_buf *out, const char *text)
{
    if (!text)
        return;
    bool is_formula = strchr("=+-@\t\r", text[0]) != NULL && text[0] != '\0';
    bool needs_quotes = strpbrk(text, ",\"\r\n") != NULL;
    if (needs_quotes)
        sj_buf_putc(out, '"');
    if (is_formula)
        sj_buf_putc(out, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            sj_buf_putc(out, '"');
        sj_buf_putc(out, *p);
    }
    if (needs_quotes)
        sj_buf_putc(out, '"');
}

static void csv_value(struct sj_buf *out, json_t *v)
{
    if (json_is_string(v))
        sj_http_csv_cell(out, json_string_value(v));
    else if (json_is_integer(v))
        sj_buf_appendf(out, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        sj_buf_appendf(out, "%.1f", json_real_value(v));
}

static void csv_line(struct sj_buf *out, json_t *cells)
{
    size_t i;
    json_t *v;
    json_array_foreach(cells, i, v)
    {
        if (i)
            sj_buf_putc(out, ',');
        csv_value(out, v);
    }
    sj_buf_append_cstr(out, "\r\n");
}

char *sj_http_csv_bytes(json_t *headers, json_t *rows, size_t *len)
{
    struct sj_buf out;
    size_t i;
    json_t *r;
    sj_buf_init(&out, 0);
    sj_buf_append_cstr(&out, "\xEF\xBB\xBF");
    csv_line(&out, headers);
    json_array_foreach(rows, i, r) csv_line(&out, r);
    return sj_buf_detach(&out, len);
}
