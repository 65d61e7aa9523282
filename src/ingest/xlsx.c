/*
 * xlsx.c - the .xlsx reader backend: streams the selected sheet's XML out of the zip with
 * expat, 64 KiB at a time, and hands out each row as soon as its </row> is parsed (the
 * parser is suspended there and resumed on the next call). Memory is one row plus the
 * shared strings and styles loaded at open (xlsx_meta.c), never the sheet.
 *
 * Rows keep their sheet row numbers (r="7"); a missing cell is an empty cell; trailing
 * empty cells are dropped and rows with no value are skipped. Numbers print as Excel's
 * general format, numbers in a date style as ISO dates (cellfmt.c). Merged ranges: every
 * cell of a range shows the range's top-left value (so a title or a two-level header spread
 * over merged cells reads the same in each column it covers, and a value merged down
 * several data rows belongs to each); rows absent from the XML are not made up.
 *
 * bytes_read is an estimate in the file's bytes: the share of the selected sheet's XML
 * parsed so far times the file's size. It never goes back within a sheet and starts again
 * at 0 when a sheet is selected (import.c spreads the sheets of one import over the file).
 */
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unzip.h>

#include "ingest/workbook.h"

enum cell_type { CELL_NUMBER, CELL_SHARED, CELL_STRING, CELL_BOOL, CELL_ERROR, CELL_ISO_DATE };

/* A merged range that covers the current row, and its top-left value once seen. */
struct active_merge {
    const struct sj_xlsx_merge *range;
    char *value; /* malloc, NULL when empty */
    size_t len;
};

struct xlsx {
    char *path;
    struct sj_xlsx_book book;
    size_t sheet;
    /* the sheet stream: parser is NULL when no sheet is open */
    XML_Parser parser;
    bool is_suspended, is_input_done, is_sheet_done;
    int code; /* why a handler stopped the parse (sticky) */
    char message[256];
    int in_sheet_data, in_row, in_cell, in_v, in_is, in_t, in_rph;
    uint32_t row_num, last_row, next_col;
    /* the cell being read */
    uint32_t cell_col; /* 0-based */
    enum cell_type cell_type;
    unsigned long cell_style;
    struct sj_buf text;
    struct sj_sheet_row cur; /* the row being built */
    bool is_row_ready;
    /* merged ranges of the sheet, sorted by first row */
    struct sj_xlsx_merge *merges;
    size_t merge_count, merge_next;
    struct active_merge *active;
    size_t active_count;
    /* progress: the file's size, the sheet entry's inflated size, the estimate handed out */
    uint64_t file_size, entry_size, bytes_read;
};

static void fail(struct xlsx *x, int code, const char *fmt, ...) SJ_PRINTF(3, 4);
static void fail(struct xlsx *x, int code, const char *fmt, ...)
{
    if (x->code == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->message, sizeof x->message, fmt, ap);
        va_end(ap);
        x->code = code;
    }
    XML_StopParser(x->parser, XML_FALSE);
}

/* ---- Building a row ------------------------------------------------------------------------- */

static void set_cell(struct xlsx *x, size_t col, const char *s, size_t n)
{
    if (sj_sheet_row_set(&x->cur, col, s, n) < 0)
        fail(x, SJ_ETOOBIG, "这一行的内容超过 %zu MiB 上限", x->cur.data.max_len >> 20);
}

/* Normalises an ISO 8601 value of a t="d" cell to "YYYY-MM-DD[ HH:MM:SS]". */
static struct sj_str iso_date(struct sj_str v, char *out)
{
    if (v.len < 10 || v.ptr[4] != '-' || v.ptr[7] != '-')
        return v;
    bool has_time = v.len >= 19 && (v.ptr[10] == 'T' || v.ptr[10] == ' ') && v.ptr[13] == ':' &&
                    v.ptr[16] == ':' && memcmp(v.ptr + 11, "00:00:00", 8) != 0;
    memcpy(out, v.ptr, has_time ? 19 : 10);
    if (has_time)
        out[10] = ' ';
    return sj_str_make(out, has_time ? 19 : 10);
}

static struct sj_str number_value(struct xlsx *x, struct sj_str v, char *out)
{
    char tmp[64];
    struct sj_str t = sj_str_trim(v);
    if (t.len == 0 || t.len >= sizeof tmp)
        return v;
    memcpy(tmp, t.ptr, t.len);
    tmp[t.len] = '\0';
    char *end;
    double d = strtod(tmp, &end);
    if (*end != '\0')
        return v;
    enum sj_numfmt_class cls = x->cell_style < x->book.xf_count
                                   ? (enum sj_numfmt_class)x->book.xf_class[x->cell_style]
                                   : SJ_NUMFMT_GENERAL;
    size_t n = 0;
    if (cls != SJ_NUMFMT_GENERAL)
        n = sj_ingest_format_serial(d, x->book.is_1904, cls, out);
    if (n == 0)
        n = sj_ingest_format_number(d, out);
    return sj_str_make(out, n);
}

static struct sj_str shared_value(struct xlsx *x, struct sj_str v)
{
    struct sj_str t = sj_str_trim(v);
    size_t idx = 0;
    for (size_t i = 0; i < t.len && idx <= x->book.sst.count; i++) {
        if (t.ptr[i] < '0' || t.ptr[i] > '9')
            idx = SIZE_MAX;
        else
            idx = idx * 10 + (size_t)(t.ptr[i] - '0');
    }
    if (t.len == 0 || idx >= x->book.sst.count) {
        fail(x, SJ_EFORMAT, "共享字符串编号 %.*s 无效（共 %zu 条）", (int)(t.len > 20 ? 20 : t.len),
             t.ptr, x->book.sst.count);
        return sj_str_make("", 0);
    }
    const size_t *starts = x->book.sst.starts;
    return sj_str_make(x->book.sst.pool.data + starts[idx], starts[idx + 1] - starts[idx]);
}

/* The text a cell shows; out has room for SJ_CELL_TEXT_MAX bytes. */
static struct sj_str cell_value(struct xlsx *x, char *out)
{
    struct sj_str v = sj_buf_str(&x->text);
    if (v.len == 0)
        return v; /* a styled empty cell, whatever its type */
    switch (x->cell_type) {
    case CELL_SHARED:
        return shared_value(x, v);
    case CELL_STRING:
        v.len = sj_ingest_unescape_ooxml(x->text.data, v.len);
        return v;
    case CELL_BOOL:
        if (sj_str_eq_cstr(sj_str_trim(v), "1"))
            return SJ_STR_LIT("TRUE");
        return sj_str_eq_cstr(sj_str_trim(v), "0") ? SJ_STR_LIT("FALSE") : v;
    case CELL_ERROR:
        return v;
    case CELL_ISO_DATE:
        return iso_date(v, out);
    case CELL_NUMBER:
    default:
        return number_value(x, v, out);
    }
}

static void finish_cell(struct xlsx *x)
{
    char out[SJ_CELL_TEXT_MAX];
    struct sj_str v = cell_value(x, out);
    if (v.len == 0 || x->code)
        return;
    if (x->cell_col >= x->cur.max_cells) {
        fail(x, SJ_ETOOBIG, "第 %u 列有值，超出每行 %zu 列的上限", x->cell_col + 1,
             x->cur.max_cells);
        return;
    }
    set_cell(x, x->cell_col, v.ptr, v.len);
}

/* ---- Merged ranges -------------------------------------------------------------------------- */

static void activate_merges(struct xlsx *x)
{
    for (; x->merge_next < x->merge_count && x->merges[x->merge_next].r1 <= x->row_num;
         x->merge_next++) {
        const struct sj_xlsx_merge *m = &x->merges[x->merge_next];
        /* Valid ranges never overlap, so a row has at most max_cells of them. */
        if (m->r2 < x->row_num || x->active_count >= x->cur.max_cells)
            continue;
        if (x->active_count == 0 || (x->active_count & (x->active_count - 1)) == 0)
            x->active = sj_xrealloc(x->active, (x->active_count ? x->active_count * 2 : 1) *
                                                   sizeof *x->active);
        x->active[x->active_count++] = (struct active_merge){m, NULL, 0};
    }
}

/* Fills the current row's cells that lie in merged ranges with the ranges' top-left
 * values. At most 2 * max_cells cells are filled per row (overlapping ranges are invalid). */
static void apply_merges(struct xlsx *x)
{
    size_t keep = 0, budget = 2 * x->cur.max_cells;
    activate_merges(x);
    for (size_t i = 0; i < x->active_count; i++) {
        struct active_merge a = x->active[i];
        const struct sj_xlsx_merge *m = a.range;
        if (m->r2 < x->row_num) {
            free(a.value);
            continue;
        }
        size_t first = m->c1 - 1,
               last = m->c2 - 1 < x->cur.max_cells ? m->c2 - 1 : x->cur.max_cells - 1;
        if (m->r1 == x->row_num && first < x->cur.width && x->cur.len[first] > 0 && !a.value) {
            a.len = x->cur.len[first];
            a.value = sj_xstrndup(x->cur.data.data + x->cur.off[first], a.len);
        }
        for (size_t c = first; c <= last && budget > 0 && !x->code; c++, budget--) {
            if (!(m->r1 == x->row_num && c == first) && (a.len || c < x->cur.width))
                set_cell(x, c, a.value, a.len);
        }
        x->active[keep++] = a;
    }
    x->active_count = keep;
}

static void finish_row(struct xlsx *x)
{
    if (x->merge_count)
        apply_merges(x);
    while (x->cur.width > 0 && x->cur.len[x->cur.width - 1] == 0)
        x->cur.width--;
    if (x->cur.width > 0 && !x->code) {
        x->is_row_ready = true;
        XML_StopParser(x->parser, XML_TRUE);
    }
}

/* ---- Expat handlers for the sheet -------------------------------------------------------------
 */

static void start_row(struct xlsx *x, const char **attrs)
{
    const char *r = sj_xlsx_attr(attrs, "r");
    uint32_t num = x->last_row + 1;
    if (r) {
        char *end;
        unsigned long n = strtoul(r, &end, 10);
        if (*end != '\0' || n < 1 || n > 1048576) {
            fail(x, SJ_EFORMAT, "行号 r=\"%.20s\" 无效", r);
            return;
        }
        num = (uint32_t)n;
    }
    x->row_num = x->last_row = num;
    x->in_row = 1;
    x->next_col = 1;
    sj_sheet_row_clear(&x->cur);
}

static void start_cell(struct xlsx *x, const char **attrs)
{
    const char *r = sj_xlsx_attr(attrs, "r"), *t = sj_xlsx_attr(attrs, "t");
    const char *s = sj_xlsx_attr(attrs, "s");
    uint32_t col = x->next_col, row;
    if (r && !sj_xlsx_parse_ref(r, strlen(r), &col, &row)) {
        fail(x, SJ_EFORMAT, "单元格位置 r=\"%.20s\" 无效", r);
        return;
    }
    x->in_cell = 1;
    x->cell_col = col - 1;
    x->next_col = col + 1;
    x->cell_style = s ? strtoul(s, NULL, 10) : 0;
    x->cell_type = CELL_NUMBER;
    if (t && strcmp(t, "s") == 0)
        x->cell_type = CELL_SHARED;
    else if (t && (strcmp(t, "str") == 0 || strcmp(t, "inlineStr") == 0))
        x->cell_type = CELL_STRING;
    else if (t && strcmp(t, "b") == 0)
        x->cell_type = CELL_BOOL;
    else if (t && strcmp(t, "e") == 0)
        x->cell_type = CELL_ERROR;
    else if (t && strcmp(t, "d") == 0)
        x->cell_type = CELL_ISO_DATE;
    sj_buf_reset(&x->text);
}

static void XMLCALL sheet_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct xlsx *x = data;
    const char *local = sj_xlsx_local_name(name);
    if (!x->in_sheet_data) {
        x->in_sheet_data = strcmp(local, "sheetData") == 0;
    } else if (!x->in_row) {
        if (strcmp(local, "row") == 0)
            start_row(x, attrs);
    } else if (!x->in_cell) {
        if (strcmp(local, "c") == 0)
            start_cell(x, attrs);
    } else if (strcmp(local, "v") == 0) {
        x->in_v = 1;
    } else if (strcmp(local, "is") == 0) {
        x->in_is = 1;
    } else if (strcmp(local, "rPh") == 0) {
        x->in_rph++;
    } else if (strcmp(local, "t") == 0 && x->in_is && !x->in_rph) {
        x->in_t = 1;
    }
}

static void XMLCALL sheet_end(void *data, const XML_Char *name)
{
    struct xlsx *x = data;
    const char *local = sj_xlsx_local_name(name);
    if (x->in_cell) {
        if (strcmp(local, "v") == 0) {
            x->in_v = 0;
        } else if (strcmp(local, "t") == 0) {
            x->in_t = 0;
        } else if (strcmp(local, "rPh") == 0) {
            x->in_rph--;
        } else if (strcmp(local, "is") == 0) {
            x->in_is = 0;
        } else if (strcmp(local, "c") == 0) {
            x->in_cell = x->in_v = x->in_is = x->in_t = x->in_rph = 0;
            finish_cell(x);
        }
    } else if (x->in_row) {
        if (strcmp(local, "row") == 0) {
            x->in_row = 0;
            finish_row(x);
        }
    } else if (x->in_sheet_data && strcmp(local, "sheetData") == 0) {
        /* The rest of the sheet (merges were scanned before) holds no cells. */
        x->in_sheet_data = 0;
        x->is_sheet_done = true;
        XML_StopParser(x->parser, XML_TRUE);
    }
}

static void XMLCALL sheet_chars(void *data, const XML_Char *s, int len)
{
    struct xlsx *x = data;
    if ((x->in_v || x->in_t) && !x->code && sj_buf_append(&x->text, s, (size_t)len) != 0)
        fail(x, SJ_ETOOBIG, "第 %u 列的内容超过单元格上限 %zu 字节", x->cell_col + 1,
             x->cur.max_cell);
}

static void XMLCALL sheet_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                                  const XML_Char *pubid, int has_internal_subset)
{
    fail(data, SJ_EFORMAT, "XML 中含有 DTD（xlsx 不应有），已拒绝");
}

/* ---- The sheet stream ------------------------------------------------------------------------ */

static void close_stream(struct xlsx *x)
{
    if (x->parser) {
        XML_ParserFree(x->parser);
        x->parser = NULL;
        unzCloseCurrentFile(x->book.zip);
    }
    for (size_t i = 0; i < x->active_count; i++)
        free(x->active[i].value);
    free(x->active);
    free(x->merges);
    x->active = NULL;
    x->merges = NULL;
    x->active_count = x->merge_count = x->merge_next = 0;
}

/* Puts file, sheet and row into err and returns code. */
static int locate(struct xlsx *x, int code, struct sj_err *err)
{
    sj_err_at(err, x->path, x->in_row || x->is_row_ready ? (long)x->row_num : -1,
              x->in_cell ? (long)x->cell_col + 1 : -1, NULL);
    if (err && x->sheet < x->book.sheet_count)
        snprintf(err->sheet, sizeof err->sheet, "%s", x->book.sheets[x->sheet].name);
    return code;
}

static int stream_error(struct xlsx *x, struct sj_err *err)
{
    if (x->code == 0) {
        x->code = SJ_EFORMAT;
        snprintf(x->message, sizeof x->message, "工作表 XML 第 %lu 行有误：%s",
                 (unsigned long)XML_GetCurrentLineNumber(x->parser),
                 XML_ErrorString(XML_GetErrorCode(x->parser)));
    }
    sj_err_set(err, x->code, "%s", x->message);
    return locate(x, x->code, err);
}

/* Parses on until a row is ready or the sheet ends. */
static int pump(struct xlsx *x, struct sj_err *err)
{
    while (!x->is_row_ready && !x->is_sheet_done) {
        enum XML_Status st;
        if (x->is_suspended) {
            x->is_suspended = false;
            st = XML_ResumeParser(x->parser);
        } else if (x->is_input_done) {
            x->is_sheet_done = true; /* a sheet without <sheetData> */
            break;
        } else {
            void *buf = XML_GetBuffer(x->parser, SJ_XLSX_CHUNK);
            int n = buf ? unzReadCurrentFile(x->book.zip, buf, SJ_XLSX_CHUNK) : -1;
            if (n < 0) {
                x->code = SJ_EFORMAT;
                snprintf(x->message, sizeof x->message, "%s 解压失败（数据损坏，错误 %d）",
                         x->book.sheets[x->sheet].path, n);
                return stream_error(x, err);
            }
            x->is_input_done = n == 0;
            st = XML_ParseBuffer(x->parser, n, n == 0);
        }
        if (st == XML_STATUS_SUSPENDED)
            x->is_suspended = true;
        else if (st == XML_STATUS_ERROR)
            return stream_error(x, err);
    }
    return 0;
}

static int open_stream(struct xlsx *x, struct sj_err *err)
{
    const char *entry = x->book.sheets[x->sheet].path;
    int rc = sj_xlsx_scan_merges(&x->book, entry, &x->merges, &x->merge_count, err);
    if (rc == 0)
        rc = sj_xlsx_entry_open(&x->book, entry, err);
    if (rc)
        return locate(x, rc == SJ_ENOTFOUND ? SJ_EFORMAT : rc, err);
    unz_file_info64 info;
    if (unzGetCurrentFileInfo64(x->book.zip, &info, NULL, 0, NULL, 0, NULL, 0) == UNZ_OK)
        x->entry_size = info.uncompressed_size;
    x->parser = XML_ParserCreateNS(NULL, '|');
    if (!x->parser)
        abort();
    XML_SetUserData(x->parser, x);
    XML_SetElementHandler(x->parser, sheet_start, sheet_end);
    XML_SetCharacterDataHandler(x->parser, sheet_chars);
    XML_SetStartDoctypeDeclHandler(x->parser, sheet_doctype);
    return 0;
}

/* ---- The backend ------------------------------------------------------------------------------
 */

static int xlsx_select(void *impl, size_t index, struct sj_err *err)
{
    struct xlsx *x = impl;
    if (index >= x->book.sheet_count) {
        sj_err_at(err, x->path, -1, -1, NULL);
        return sj_err_set(err, SJ_ENOTFOUND, "没有第 %zu 个工作表（共 %zu 个）", index + 1,
                          x->book.sheet_count);
    }
    close_stream(x);
    x->sheet = index;
    x->is_suspended = x->is_input_done = x->is_sheet_done = x->is_row_ready = false;
    x->code = 0;
    x->in_sheet_data = x->in_row = x->in_cell = x->in_v = x->in_is = x->in_t = x->in_rph = 0;
    x->row_num = x->last_row = 0;
    x->cur.width = 0;
    x->entry_size = x->bytes_read = 0;
    int rc = open_stream(x, err);
    if (rc)
        close_stream(x);
    return rc;
}

/* Moves bytes_read on to the share of the sheet's XML parsed so far (all of it at its end)
 * times the file's size. */
static void track_progress(struct xlsx *x)
{
    XML_Index pos = XML_GetCurrentByteIndex(x->parser);
    double share = 0;
    if (x->is_sheet_done)
        share = 1;
    else if (pos > 0 && x->entry_size > 0)
        share = (double)pos / (double)x->entry_size;
    uint64_t est = share >= 1 ? x->file_size : (uint64_t)(share * (double)x->file_size);
    if (est > x->bytes_read)
        x->bytes_read = est;
}

static int xlsx_next(void *impl, struct sj_reader_row *row, struct sj_err *err)
{
    struct xlsx *x = impl;
    if (!x->parser) {
        sj_err_at(err, x->path, -1, -1, NULL);
        return sj_err_set(err, SJ_EINVAL, "没有可读的工作表（上次选择工作表失败）");
    }
    if (x->code)
        return stream_error(x, err);
    x->is_row_ready = false;
    int rc = pump(x, err);
    track_progress(x);
    if (rc < 0 || !x->is_row_ready)
        return rc;
    sj_sheet_row_out(&x->cur, x->row_num, row);
    return 1;
}

static void xlsx_close(void *impl)
{
    struct xlsx *x = impl;
    if (!x)
        return;
    close_stream(x);
    sj_xlsx_book_release(&x->book);
    sj_buf_release(&x->text);
    sj_sheet_row_release(&x->cur);
    free(x->path);
    free(x);
}

static int xlsx_open(const char *path, const struct sj_reader_opts *opts, void **impl,
                     struct sj_err *err)
{
    struct xlsx *x = sj_xcalloc(1, sizeof *x);
    x->path = sj_xstrdup(path);
    sj_sheet_row_init(&x->cur, opts, 0);
    sj_arena_init(&x->book.arena, 0);
    x->book.path = x->path;
    x->book.max_cell = x->cur.max_cell;
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > 0)
        x->file_size = (uint64_t)st.st_size;
    sj_buf_init(&x->text, x->cur.max_cell);
    int rc = sj_xlsx_zip_open(&x->book, err);
    if (rc == 0)
        rc = sj_xlsx_book_load(&x->book, err);
    if (rc == 0)
        rc = xlsx_select(x, 0, err);
    if (rc) {
        xlsx_close(x);
        return rc;
    }
    *impl = x;
    return 0;
}

static const char *xlsx_encoding(void *impl)
{
    return "";
}

static size_t xlsx_sheet_count(void *impl)
{
    return ((struct xlsx *)impl)->book.sheet_count;
}

static const char *xlsx_sheet_name(void *impl, size_t index)
{
    struct xlsx *x = impl;
    return index < x->book.sheet_count ? x->book.sheets[index].name : NULL;
}

static uint64_t xlsx_bytes_read(void *impl)
{
    return ((struct xlsx *)impl)->bytes_read;
}

const struct sj_reader_backend sj_reader_xlsx = {
    .name = "xlsx",
    .open = xlsx_open,
    .close = xlsx_close,
    .encoding = xlsx_encoding,
    .sheet_count = xlsx_sheet_count,
    .sheet_name = xlsx_sheet_name,
    .select_sheet = xlsx_select,
    .next = xlsx_next,
    .bytes_read = xlsx_bytes_read,
};
