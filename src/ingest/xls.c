/*
 * xls.c - the legacy .xls (BIFF, OLE2 compound file) reader backend, on freexl. freexl
 * reads the workbook at open and one worksheet's cells at selection, so memory is that of a
 * sheet (an .xls sheet has at most 65,536 rows of 256 columns); rows are then handed out one
 * at a time like the other readers: sheet row numbers kept, empty rows skipped, trailing
 * empty cells dropped. Text comes from freexl as UTF-8; numbers print as in xlsx.c
 * (cellfmt.c); dates come as freexl formats them ("YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS",
 * "HH:MM:SS"), the same forms the xlsx reader uses. freexl does not expose merged cells.
 * bytes_read is an estimate, as freexl gives no position: the share of the selected sheet's
 * rows handed out times the file's size (0 again when a sheet is selected).
 */
#include <errno.h>
#include <freexl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/workbook.h"

struct xls {
    char *path;
    const void *handle;
    char **names; /* sheet names (malloc) */
    size_t sheet_count;
    size_t sheet;
    bool is_selected;
    unsigned rows, next_row;
    unsigned short columns;
    struct sj_sheet_row cur; /* the row being read */
    uint64_t file_size;
};

/* Says why freexl refused the file. */
static int open_error(const char *path, int code, struct sj_err *err)
{
    const char *why;
    int rc = SJ_EFORMAT;
    switch (code) {
    case FREEXL_FILE_NOT_FOUND:
        sj_err_at(err, path, -1, -1, NULL);
        return sj_err_set(err, SJ_EIO, "无法打开文件：%s", strerror(errno ? errno : ENOENT));
    case FREEXL_INSUFFICIENT_MEMORY:
        why = "文件太大，内存不足";
        rc = SJ_ETOOBIG;
        break;
    case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
        why = "文件中没有 Excel 工作簿数据（可能是加密的 xlsx 或其他 Office 文档）";
        break;
    case FREEXL_INVALID_CHARACTER:
    case FREEXL_UNSUPPORTED_CHARSET:
        why = "文件的字符集无法转换为 UTF-8";
        break;
    case FREEXL_BIFF_INVALID_BOF:
        why = "不支持的 Excel 版本，或文件已损坏";
        break;
    default:
        why = "复合文档结构损坏（文件可能被截断或不是 .xls）";
        break;
    }
    sj_err_at(err, path, -1, -1, NULL);
    return sj_err_set(err, rc, "不是可读的 .xls 文件：%s（freexl 错误 %d）", why, code);
}

/* Copies the sheet names; refuses password-protected workbooks. */
static int load_sheets(struct xls *x, struct sj_err *err)
{
    unsigned info = 0, count = 0;
    if (freexl_get_info(x->handle, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
        info == FREEXL_BIFF_OBFUSCATED) {
        sj_err_at(err, x->path, -1, -1, NULL);
        return sj_err_set(err, SJ_EFORMAT, "文件受密码保护，请先在 Excel 中取消密码再导入");
    }
    if (freexl_get_info(x->handle, FREEXL_BIFF_SHEET_COUNT, &count) != FREEXL_OK || count == 0) {
        sj_err_at(err, x->path, -1, -1, NULL);
        return sj_err_set(err, SJ_EFORMAT, "工作簿中没有工作表");
    }
    x->names = sj_xcalloc(count, sizeof *x->names);
    x->sheet_count = count;
    for (unsigned i = 0; i < count; i++) {
        const char *name = NULL;
        if (freexl_get_worksheet_name(x->handle, (unsigned short)i, &name) != FREEXL_OK || !name)
            name = "";
        x->names[i] = sj_xstrdup(name);
    }
    return 0;
}

static int xls_select(void *impl, size_t index, struct sj_err *err)
{
    struct xls *x = impl;
    sj_err_at(err, x->path, -1, -1, NULL);
    if (index >= x->sheet_count)
        return sj_err_set(err, SJ_ENOTFOUND, "没有第 %zu 个工作表（共 %zu 个）", index + 1,
                          x->sheet_count);
    x->is_selected = false;
    x->sheet = index;
    int code = freexl_select_active_worksheet(x->handle, (unsigned short)index);
    if (code == FREEXL_OK)
        code = freexl_worksheet_dimensions(x->handle, &x->rows, &x->columns);
    if (code != FREEXL_OK) {
        if (err)
            snprintf(err->sheet, sizeof err->sheet, "%s", x->names[index]);
        return sj_err_set(err, SJ_EFORMAT, "工作表无法读取（freexl 错误 %d）", code);
    }
    x->next_row = 0;
    x->is_selected = true;
    return 0;
}

/* The text of a cell; num has room for SJ_CELL_TEXT_MAX bytes. */
static struct sj_str cell_text(const FreeXL_CellValue *v, char *num)
{
    switch (v->type) {
    case FREEXL_CELL_INT:
        return sj_str_make(num, (size_t)snprintf(num, SJ_CELL_TEXT_MAX, "%d", v->value.int_value));
    case FREEXL_CELL_DOUBLE:
        return sj_str_make(num, sj_ingest_format_number(v->value.double_value, num));
    case FREEXL_CELL_TEXT:
    case FREEXL_CELL_SST_TEXT:
    case FREEXL_CELL_DATE:
    case FREEXL_CELL_DATETIME:
    case FREEXL_CELL_TIME:
        return sj_str_from_cstr(v->value.text_value);
    default:
        return sj_str_make("", 0);
    }
}

/* Reads sheet row r into the row buffers. */
static int read_row(struct xls *x, unsigned r, struct sj_err *err)
{
    sj_sheet_row_clear(&x->cur);
    for (unsigned short c = 0; c < x->columns; c++) {
        FreeXL_CellValue v;
        char num[SJ_CELL_TEXT_MAX];
        if (freexl_get_cell_value(x->handle, r, c, &v) != FREEXL_OK)
            continue;
        struct sj_str s = cell_text(&v, num);
        if (s.len == 0)
            continue;
        const char *why = NULL;
        if (c >= x->cur.max_cells)
            why = "超出每行列数上限";
        else if (s.len > x->cur.max_cell)
            why = "内容超过单元格上限";
        if (why) {
            sj_err_at(err, x->path, (long)r + 1, (long)c + 1, NULL);
            if (err)
                snprintf(err->sheet, sizeof err->sheet, "%s", x->names[x->sheet]);
            return sj_err_set(err, SJ_ETOOBIG, "第 %u 列%s", (unsigned)c + 1, why);
        }
        sj_sheet_row_set(&x->cur, c, s.ptr, s.len); /* the row cap (256 columns) holds */
    }
    return 0;
}

static int xls_next(void *impl, struct sj_reader_row *row, struct sj_err *err)
{
    struct xls *x = impl;
    if (!x->is_selected) {
        sj_err_at(err, x->path, -1, -1, NULL);
        return sj_err_set(err, SJ_EINVAL, "没有可读的工作表（上次选择工作表失败）");
    }
    while (x->next_row < x->rows) {
        unsigned r = x->next_row++;
        int rc = read_row(x, r, err);
        if (rc)
            return rc;
        if (x->cur.width == 0)
            continue;
        sj_sheet_row_out(&x->cur, (int64_t)r + 1, row);
        return 1;
    }
    return 0;
}

static void xls_close(void *impl)
{
    struct xls *x = impl;
    if (!x)
        return;
    if (x->handle)
        freexl_close(x->handle);
    for (size_t i = 0; i < x->sheet_count; i++)
        free(x->names[i]);
    free(x->names);
    sj_sheet_row_release(&x->cur);
    free(x->path);
    free(x);
}

static int xls_open(const char *path, const struct sj_reader_opts *opts, void **impl,
                    struct sj_err *err)
{
    struct xls *x = sj_xcalloc(1, sizeof *x);
    x->path = sj_xstrdup(path);
    sj_sheet_row_init(&x->cur, opts, 256);
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > 0)
        x->file_size = (uint64_t)st.st_size;
    errno = 0;
    int code = freexl_open(path, &x->handle);
    int rc = code == FREEXL_OK ? load_sheets(x, err) : open_error(path, code, err);
    if (rc == 0)
        rc = xls_select(x, 0, err);
    if (rc) {
        xls_close(x);
        return rc;
    }
    *impl = x;
    return 0;
}

static const char *xls_encoding(void *impl)
{
    return "";
}

static size_t xls_sheet_count(void *impl)
{
    return ((struct xls *)impl)->sheet_count;
}

static const char *xls_sheet_name(void *impl, size_t index)
{
    struct xls *x = impl;
    return index < x->sheet_count ? x->names[index] : NULL;
}

static uint64_t xls_bytes_read(void *impl)
{
    struct xls *x = impl;
    if (!x->is_selected || x->rows == 0)
        return 0;
    return (uint64_t)((double)x->next_row / (double)x->rows * (double)x->file_size);
}

const struct sj_reader_backend sj_reader_xls = {
    .name = "xls",
    .open = xls_open,
    .close = xls_close,
    .encoding = xls_encoding,
    .sheet_count = xls_sheet_count,
    .sheet_name = xls_sheet_name,
    .select_sheet = xls_select,
    .next = xls_next,
    .bytes_read = xls_bytes_read,
};
