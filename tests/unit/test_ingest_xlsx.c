/*
 * test_ingest_xlsx.c - the workbook readers: xlsx (xlsx.c, xlsx_meta.c), xls (xls.c) and the
 * cell text they share (cellfmt.c). Fixtures are built at run time in a temp dir: realistic
 * workbooks with libxlsxwriter, and hand-written package XML zipped with minizip for what
 * libxlsxwriter never writes (inline strings with phonetics, 1904 dates, prefixed names,
 * odd relationships, broken parts, a zip bomb). Each sheet is read into a dump of
 * "row:cell|cell|..." lines and compared with the rows a person sees in Excel. Progress
 * (sj_reader_bytes_read) is checked to grow with the rows read, for xlsx and xls.
 *
 * With SJ_XLSX_SEED_DIR set, the small fixtures are also copied there (fuzz seeds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unzip.h>
#include <xlsxwriter.h>
#include <zip.h>
#include <zlib.h>

#include "ingest/workbook.h"
#include "test_util.h"

static char tmp_dir[64];

static const char *tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmp_dir, name);
    return buf;
}

/* Copies a fixture into $SJ_XLSX_SEED_DIR (when set) as a fuzz seed. */
static void save_seed(const char *path, const char *name)
{
    const char *dir = getenv("SJ_XLSX_SEED_DIR");
    if (!dir)
        return;
    char dst[512], buf[8192];
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    FILE *in = fopen(path, "rb"), *out = fopen(dst, "wb");
    size_t n;
    while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
}

/* ---- Reading a sheet into a dump ----------------------------------------------------------- */

/* Appends "row:cell|cell\n" for each row of the selected sheet; returns the last result of
 * next() (0 at the end, or an error). */
static int dump_rows(const struct sj_reader_backend *be, void *impl, struct sj_buf *out,
                     struct sj_err *err)
{
    struct sj_reader_row row;
    int rc;
    while ((rc = be->next(impl, &row, err)) == 1) {
        sj_buf_appendf(out, "%lld:", (long long)row.source_row);
        for (size_t i = 0; i < row.cell_count; i++)
            sj_buf_appendf(out, "%s" SJ_STR_FMT, i ? "|" : "", SJ_STR_ARG(row.cells[i]));
        sj_buf_putc(out, '\n');
    }
    return rc;
}

/* The dump of sheet `sheet` of the file, or "error N: message" (malloc). */
static char *read_sheet_opts(const struct sj_reader_backend *be, const char *path, size_t sheet,
                             const struct sj_reader_opts *opts, struct sj_err *err)
{
    struct sj_buf out;
    void *impl = NULL;
    sj_buf_init(&out, 0);
    sj_err_clear(err);
    int rc = be->open(path, opts, &impl, err);
    if (rc == 0 && sheet > 0)
        rc = be->select_sheet(impl, sheet, err);
    if (rc == 0)
        rc = dump_rows(be, impl, &out, err);
    if (rc < 0) {
        sj_buf_reset(&out);
        sj_buf_appendf(&out, "error %d: %s", rc, err->message);
    }
    if (impl)
        be->close(impl);
    sj_buf_putc(&out, '\0');
    return sj_buf_detach(&out, NULL);
}

static char *read_sheet(const char *path, size_t sheet)
{
    struct sj_err err;
    return read_sheet_opts(&sj_reader_xlsx, path, sheet, NULL, &err);
}

static void assert_sheet(const char *path, size_t sheet, const char *expected)
{
    char *got = read_sheet(path, sheet);
    assert_string_equal(got, expected);
    free(got);
}

/* ---- Hand-made packages --------------------------------------------------------------------- */

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

struct part {
    const char *name;
    const char *xml;
};

/* Z_DEFLATED, or 0 to store entries (seeds whose XML a fuzzer can mutate in place). */
static int zip_method = Z_DEFLATED;

static void write_zip(const char *path, const struct part *parts, size_t count)
{
    zipFile z = zipOpen64(path, APPEND_STATUS_CREATE);
    assert_non_null(z);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(zipOpenNewFileInZip64(z, parts[i].name, NULL, NULL, 0, NULL, 0, NULL,
                                               zip_method, Z_DEFAULT_COMPRESSION, 0),
                         ZIP_OK);
        assert_int_equal(zipWriteInFileInZip(z, parts[i].xml, (unsigned)strlen(parts[i].xml)),
                         ZIP_OK);
        assert_int_equal(zipCloseFileInZip(z), ZIP_OK);
    }
    assert_int_equal(zipClose(z, NULL), ZIP_OK);
}

static const char root_rels[] =
    XML_DECL "<Relationships xmlns=\"" NS_PKG "\"><Relationship Id=\"rId1\" Type=\"" NS_REL
             "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char one_sheet_book[] =
    XML_DECL "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheets>"
             "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char one_sheet_rels[] =
    XML_DECL "<Relationships xmlns=\"" NS_PKG "\">"
             "<Relationship Id=\"rId1\" Type=\"" NS_REL "/worksheet\" "
             "Target=\"worksheets/sheet1.xml\"/></Relationships>";

/* A one-sheet workbook whose sheet XML is rows wrapped in <sheetData> (or, when rows starts
 * with '<' + "?xml", the whole sheet part) and whose shared strings are sst (or none). */
static void write_simple_book(const char *path, const char *rows, const char *sst)
{
    char sheet[16384];
    if (strncmp(rows, "<?xml", 5) == 0)
        snprintf(sheet, sizeof sheet, "%s", rows);
    else
        snprintf(sheet, sizeof sheet,
                 XML_DECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>%s</sheetData></worksheet>",
                 rows);
    struct part parts[] = {
        {"_rels/.rels", root_rels},
        {"xl/workbook.xml", one_sheet_book},
        {"xl/_rels/workbook.xml.rels", one_sheet_rels},
        {"xl/worksheets/sheet1.xml", sheet},
        {"xl/sharedStrings.xml", sst ? sst : ""},
    };
    write_zip(path, parts, sst ? 5 : 4);
}

/* ---- Cell text: numbers, dates, formats (table-driven) -------------------------------------- */

static void test_format_number(void **state)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0.1 + 0.2, "0.3"},
        {13800138000.0, "13800138000"},
        {3.14, "3.14"},
        {-12.5, "-12.5"},
        {-0.0, "0"},
        {1.0 / 3.0, "0.333333333333333"},
        {1e20, "100000000000000000000"},
        {123456789012345678.0, "123456789012346000"},
        {-4.5e16, "-45000000000000000"},
        {1e21, "1E+21"},
        {1.5e-7, "1.5E-07"},
        {100.0, "100"},
        {1234567.125, "1234567.125"},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        char out[SJ_CELL_TEXT_MAX];
        size_t n = sj_ingest_format_number(cases[i].v, out);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
}

static void test_format_serial(void **state)
{
    static const struct {
        double serial;
        bool is_1904;
        enum sj_numfmt_class cls;
        const char *want; /* "" when shown as a number */
    } cases[] = {
        {1, false, SJ_NUMFMT_DATE, "1900-01-01"},
        {59, false, SJ_NUMFMT_DATE, "1900-02-28"},
        {60, false, SJ_NUMFMT_DATE, "1900-02-29"}, /* Excel's fictitious day */
        {61, false, SJ_NUMFMT_DATE, "1900-03-01"},
        {25569, false, SJ_NUMFMT_DATE, "1970-01-01"},
        {32939, false, SJ_NUMFMT_DATE, "1990-03-07"},
        {45292, false, SJ_NUMFMT_DATE, "2024-01-01"},
        {45351, false, SJ_NUMFMT_DATE, "2024-02-29"},
        {2958465, false, SJ_NUMFMT_DATE, "9999-12-31"},
        {2958466, false, SJ_NUMFMT_DATE, ""},
        {-1, false, SJ_NUMFMT_DATE, ""},
        {0, false, SJ_NUMFMT_DATE, ""},
        {45292.5, false, SJ_NUMFMT_DATE, "2024-01-01 12:00:00"},
        {45292, false, SJ_NUMFMT_DATETIME, "2024-01-01 00:00:00"},
        {45293.573263888889, false, SJ_NUMFMT_DATETIME, "2024-01-02 13:45:30"},
        {45292.999999999, false, SJ_NUMFMT_DATETIME, "2024-01-02 00:00:00"}, /* rounds up */
        {45292.0000000001, false, SJ_NUMFMT_DATE, "2024-01-01"},
        {0.75, false, SJ_NUMFMT_TIME, "18:00:00"},
        {0.75, false, SJ_NUMFMT_DATE, "18:00:00"},
        {1.25, false, SJ_NUMFMT_TIME, "1900-01-01 06:00:00"},
        {0, true, SJ_NUMFMT_DATE, "1904-01-01"},
        {1.5, true, SJ_NUMFMT_DATETIME, "1904-01-02 12:00:00"},
        {43830, true, SJ_NUMFMT_DATE, "2024-01-01"}, /* 45292 - 1462 */
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        char out[SJ_CELL_TEXT_MAX];
        size_t n = sj_ingest_format_serial(cases[i].serial, cases[i].is_1904, cases[i].cls, out);
        if (cases[i].want[0] == '\0') {
            assert_int_equal(n, 0);
        } else {
            assert_int_equal(n, strlen(cases[i].want));
            assert_string_equal(out, cases[i].want);
        }
    }
}

/* Every day from 1900-03-01 to 2100-12-31 follows the one before (no drift, no gaps). */
static void test_serial_days_consecutive(void **state)
{
    char prev[SJ_CELL_TEXT_MAX], out[SJ_CELL_TEXT_MAX];
    sj_ingest_format_serial(61, false, SJ_NUMFMT_DATE, prev);
    for (int s = 62; s <= 73415; s++) {
        assert_int_equal(sj_ingest_format_serial(s, false, SJ_NUMFMT_DATE, out), 10);
        assert_true(strcmp(out, prev) > 0);
        int y, m, d, py, pm, pd;
        sscanf(out, "%d-%d-%d", &y, &m, &d);
        sscanf(prev, "%d-%d-%d", &py, &pm, &pd);
        assert_true((y == py && m == pm && d == pd + 1) || (y == py && m == pm + 1 && d == 1) ||
                    (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31));
        memcpy(prev, out, sizeof prev);
    }
    assert_string_equal(prev, "2100-12-31");
}

static void test_numfmt_classify(void **state)
{
    static const struct {
        const char *code;
        enum sj_numfmt_class want;
    } cases[] = {
        {"General", SJ_NUMFMT_GENERAL},
        {"0.00", SJ_NUMFMT_GENERAL},
        {"#,##0.00_);[Red](#,##0.00)", SJ_NUMFMT_GENERAL},
        {"[Red]0.00", SJ_NUMFMT_GENERAL},
        {"0.0\" days\"", SJ_NUMFMT_GENERAL},
        {"0.00E+00", SJ_NUMFMT_GENERAL},
        {"@", SJ_NUMFMT_GENERAL},
        {"#,##0\\ \"元\"", SJ_NUMFMT_GENERAL},
        {"yyyy-mm-dd", SJ_NUMFMT_DATE},
        {"yyyy\\-mm\\-dd;@", SJ_NUMFMT_DATE},
        {"yyyy\"年\"m\"月\"d\"日\"", SJ_NUMFMT_DATE},
        {"[$-804]yyyy\"年\"m\"月\"", SJ_NUMFMT_DATE},
        {"mmm", SJ_NUMFMT_DATE},
        {"yyyy-mm-dd hh:mm:ss", SJ_NUMFMT_DATETIME},
        {"m/d/yy h:mm", SJ_NUMFMT_DATETIME},
        {"hh:mm:ss", SJ_NUMFMT_TIME},
        {"h\"时\"mm\"分\"", SJ_NUMFMT_TIME},
        {"[h]:mm:ss", SJ_NUMFMT_TIME},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        enum sj_numfmt_class got = sj_ingest_numfmt_classify(cases[i].code, strlen(cases[i].code));
        if (got != cases[i].want)
            fail_msg("format %s: got class %d, want %d", cases[i].code, got, cases[i].want);
    }
    static const struct {
        unsigned id;
        enum sj_numfmt_class want;
    } ids[] = {{0, SJ_NUMFMT_GENERAL},   {2, SJ_NUMFMT_GENERAL},  {13, SJ_NUMFMT_GENERAL},
               {14, SJ_NUMFMT_DATE},     {17, SJ_NUMFMT_DATE},    {18, SJ_NUMFMT_TIME},
               {22, SJ_NUMFMT_DATETIME}, {31, SJ_NUMFMT_DATE},    {44, SJ_NUMFMT_GENERAL},
               {46, SJ_NUMFMT_TIME},     {49, SJ_NUMFMT_GENERAL}, {58, SJ_NUMFMT_DATE},
               {164, SJ_NUMFMT_GENERAL}};
    for (size_t i = 0; i < SJ_ARRAY_LEN(ids); i++)
        assert_int_equal(sj_ingest_numfmt_builtin(ids[i].id), ids[i].want);
}

static void test_unescape(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"a_x000D_b", "a\rb"},  {"_x005F_x000D_", "_x000D_"},
        {"_x4E2D_文", "中文"},  {"no_escape_here", "no_escape_here"},
        {"_xZZZZ_", "_xZZZZ_"}, {"_x00", "_x00"},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", cases[i].in);
        size_t n = sj_ingest_unescape_ooxml(buf, strlen(buf));
        buf[n] = '\0';
        assert_string_equal(buf, cases[i].want);
    }
}

/* ---- A realistic workbook written by libxlsxwriter ------------------------------------------- */

static lxw_datetime day(int y, int m, int d, int hh, int mm, double ss)
{
    lxw_datetime dt = {y, m, d, hh, mm, ss};
    return dt;
}

/* Sheet 1: a title merged over A1:D1 above a two-level merged header, people with dates,
 * a missing row and a missing cell, a rich string, a formula with a string result, a
 * boolean and numbers in non-date formats. Sheet 2: times. Sheet 3: empty. */
static void write_office_book(const char *path, bool constant_memory)
{
    char dir[64];
    snprintf(dir, sizeof dir, "%s", tmp_dir);
    lxw_workbook_options opt = {.constant_memory = constant_memory, .tmpdir = dir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "人员信息");
    lxw_format *date = workbook_add_format(wb), *stamp = workbook_add_format(wb);
    lxw_format *cn_date = workbook_add_format(wb), *fixed = workbook_add_format(wb);
    lxw_format *red = workbook_add_format(wb), *days = workbook_add_format(wb);
    lxw_format *bold = workbook_add_format(wb), *time = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    format_set_num_format(stamp, "yyyy-mm-dd hh:mm:ss");
    format_set_num_format(cn_date, "yyyy\"年\"m\"月\"d\"日\"");
    format_set_num_format(fixed, "0.00");
    format_set_num_format(red, "[Red]0.00");
    format_set_num_format(days, "0.0\" days\"");
    format_set_num_format(time, "hh:mm:ss");
    format_set_bold(bold);
    worksheet_merge_range(ws, 0, 0, 0, 3, "XX市公安局鉴定意见汇总表", NULL);
    worksheet_merge_range(ws, 1, 0, 2, 0, "姓名", NULL);
    worksheet_merge_range(ws, 1, 1, 1, 2, "联系方式", NULL);
    worksheet_merge_range(ws, 1, 3, 2, 3, "出生日期", NULL);
    worksheet_write_string(ws, 2, 1, "电话", NULL);
    worksheet_write_string(ws, 2, 2, "地址", NULL);
    lxw_datetime d1 = day(1990, 3, 7, 0, 0, 0), d2 = day(2024, 1, 2, 13, 45, 30);
    worksheet_write_string(ws, 3, 0, "张三", NULL);
    worksheet_write_number(ws, 3, 1, 13800138000.0, NULL);
    worksheet_write_string(ws, 3, 2, "北京市", NULL);
    worksheet_write_datetime(ws, 3, 3, &d1, date);
    worksheet_write_string(ws, 5, 0, "李四", NULL);
    lxw_rich_string_tuple f1 = {.format = bold, .string = "上海"};
    lxw_rich_string_tuple f2 = {.format = NULL, .string = "市"};
    lxw_rich_string_tuple *rich[] = {&f1, &f2, NULL};
    worksheet_write_rich_string(ws, 5, 2, rich, NULL);
    worksheet_write_datetime(ws, 5, 3, &d2, stamp);
    worksheet_write_string(ws, 6, 0, "王五", NULL);
    worksheet_write_number(ws, 6, 1, 0.1 + 0.2, NULL);
    worksheet_write_boolean(ws, 6, 2, 1, NULL);
    worksheet_write_number(ws, 6, 3, 45292, cn_date);
    worksheet_write_formula_str(ws, 7, 0, "=\"a\"&\"b\"", NULL, "ab");
    worksheet_write_number(ws, 8, 0, 1234.5, fixed);
    worksheet_write_number(ws, 8, 1, 3, red);
    worksheet_write_number(ws, 8, 2, 7, days);
    lxw_worksheet *ws2 = workbook_add_worksheet(wb, "交易流水");
    worksheet_write_string(ws2, 0, 0, "交易时间", NULL);
    worksheet_write_string(ws2, 0, 1, "金额", NULL);
    worksheet_write_number(ws2, 1, 0, 0.75, time);
    worksheet_write_number(ws2, 1, 1, -12.5, NULL);
    workbook_add_worksheet(wb, "空表");
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static const char office_sheet1[] = "1:XX市公安局鉴定意见汇总表|XX市公安局鉴定意见汇总表|"
                                    "XX市公安局鉴定意见汇总表|XX市公安局鉴定意见汇总表\n"
                                    "2:姓名|联系方式|联系方式|出生日期\n"
                                    "3:姓名|电话|地址|出生日期\n"
                                    "4:张三|13800138000|北京市|1990-03-07\n"
                                    "6:李四||上海市|2024-01-02 13:45:30\n"
                                    "7:王五|0.3|TRUE|2024-01-01\n"
                                    "8:ab\n"
                                    "9:1234.5|3|7\n";

static void test_office_book(void **state)
{
    char path[256];
    tmp_path(path, sizeof path, "office.xlsx");
    write_office_book(path, false);
    save_seed(path, "office.xlsx");
    void *impl = NULL;
    struct sj_err err;
    assert_int_equal(sj_reader_xlsx.open(path, NULL, &impl, &err), 0);
    assert_int_equal(sj_reader_xlsx.sheet_count(impl), 3);
    assert_string_equal(sj_reader_xlsx.sheet_name(impl, 0), "人员信息");
    assert_string_equal(sj_reader_xlsx.sheet_name(impl, 1), "交易流水");
    assert_string_equal(sj_reader_xlsx.sheet_name(impl, 2), "空表");
    assert_null(sj_reader_xlsx.sheet_name(impl, 3));
    assert_string_equal(sj_reader_xlsx.encoding(impl), "");
    assert_int_equal(sj_reader_xlsx.select_sheet(impl, 3, &err), SJ_ENOTFOUND);
    sj_reader_xlsx.close(impl);
    assert_sheet(path, 0, office_sheet1);
    assert_sheet(path, 1, "1:交易时间|金额\n2:18:00:00|-12.5\n");
    assert_sheet(path, 2, "");
}

/* constant_memory mode writes every string inline (t="inlineStr"), no shared strings. */
static void test_office_book_inline_strings(void **state)
{
    char path[256];
    tmp_path(path, sizeof path, "inline.xlsx");
    write_office_book(path, true);
    unzFile z = unzOpen64(path);
    assert_non_null(z);
    assert_int_not_equal(unzLocateFile(z, "xl/sharedStrings.xml", 0), UNZ_OK);
    unzClose(z);
    /* The rich string is dropped in this mode; the rest reads the same. */
    char *got = read_sheet(path, 0);
    assert_non_null(strstr(got, "4:张三|13800138000|北京市|1990-03-07\n"));
    assert_non_null(strstr(got, "2:姓名|联系方式|联系方式|出生日期\n"));
    assert_non_null(strstr(got, "7:王五|0.3|TRUE|2024-01-01\n"));
    free(got);
}

/* Selecting a sheet again rewinds it; reading one sheet does not disturb another. */
static void test_select_rewinds(void **state)
{
    char path[256];
    tmp_path(path, sizeof path, "rewind.xlsx");
    write_office_book(path, false);
    void *impl = NULL;
    struct sj_err err;
    struct sj_reader_row row;
    assert_int_equal(sj_reader_xlsx.open(path, NULL, &impl, &err), 0);
    assert_int_equal(sj_reader_xlsx.next(impl, &row, &err), 1);
    assert_int_equal(sj_reader_xlsx.next(impl, &row, &err), 1);
    assert_int_equal(row.source_row, 2);
    assert_int_equal(sj_reader_xlsx.select_sheet(impl, 1, &err), 0);
    assert_int_equal(sj_reader_xlsx.next(impl, &row, &err), 1);
    assert_true(sj_str_eq_cstr(row.cells[0], "交易时间"));
    assert_int_equal(sj_reader_xlsx.select_sheet(impl, 0, &err), 0);
    assert_int_equal(sj_reader_xlsx.next(impl, &row, &err), 1);
    assert_int_equal(row.source_row, 1);
    assert_int_equal(row.cell_count, 4);
    sj_reader_xlsx.close(impl);
}

/* Many rows stream through; numbering and values stay exact to the last row. */
static void test_many_rows(void **state)
{
    char path[256], dir[64];
    tmp_path(path, sizeof path, "many.xlsx");
    snprintf(dir, sizeof dir, "%s", tmp_dir);
    lxw_workbook_options opt = {.constant_memory = 1, .tmpdir = dir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "流水");
    const int rows = 20000;
    for (int r = 0; r < rows; r++) {
        char name[32];
        snprintf(name, sizeof name, "户名%d", r);
        worksheet_write_string(ws, (lxw_row_t)r, 0, name, NULL);
        worksheet_write_number(ws, (lxw_row_t)r, 1, r * 0.01, NULL);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    void *impl = NULL;
    struct sj_err err;
    struct sj_reader_row row;
    assert_int_equal(sj_reader_xlsx.open(path, NULL, &impl, &err), 0);
    int n = 0, rc;
    while ((rc = sj_reader_xlsx.next(impl, &row, &err)) == 1) {
        char want[32], num[SJ_CELL_TEXT_MAX];
        snprintf(want, sizeof want, "户名%d", n);
        assert_int_equal(row.source_row, n + 1);
        assert_true(sj_str_eq_cstr(row.cells[0], want));
        sj_ingest_format_number(n * 0.01, num);
        assert_true(sj_str_eq_cstr(row.cells[1], num));
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, rows);
    sj_reader_xlsx.close(impl);
}

/* Reads the selected sheet to its end checking sj_reader_bytes_read: small at the first row,
 * never going back, at most size, past half of it before the last tenth of the rows, size at
 * the end. Returns how many different values it took. */
static size_t check_bytes_read(struct sj_reader *reader, uint64_t size, size_t rows)
{
    struct sj_reader_row row;
    struct sj_err err;
    uint64_t last = 0, first = UINT64_MAX;
    size_t n = 0, changes = 0;
    while (sj_reader_next(reader, &row, &err) == 1) {
        uint64_t b = sj_reader_bytes_read(reader);
        assert_true(b >= last && b <= size);
        changes += b != last;
        first = n++ == 0 ? b : first;
        if (n == rows - rows / 10)
            assert_true(b > size / 2);
        last = b;
    }
    assert_int_equal(n, rows);
    assert_true(first < size / 4);
    assert_int_equal(sj_reader_bytes_read(reader), size);
    return changes;
}

/* A workbook's bytes_read is an estimate that grows with the part of the sheet read. */
static void test_bytes_read(void **state)
{
    char path[256], dir[64];
    tmp_path(path, sizeof path, "progress.xlsx");
    snprintf(dir, sizeof dir, "%s", tmp_dir);
    lxw_workbook_options opt = {.tmpdir = dir};
    lxw_workbook *wb = workbook_new_opt(path, &opt); /* shared strings, read before the rows */
    lxw_worksheet *ws[2] = {workbook_add_worksheet(wb, "甲"), workbook_add_worksheet(wb, "乙")};
    for (int r = 0; r < 5000; r++) {
        char name[32];
        snprintf(name, sizeof name, "户名%d", r);
        worksheet_write_string(ws[0], (lxw_row_t)r, 0, name, NULL);
        worksheet_write_number(ws[0], (lxw_row_t)r, 1, r * 0.01, NULL);
        if (r < 300)
            worksheet_write_number(ws[1], (lxw_row_t)r, 0, r, NULL);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    struct sj_reader *reader = NULL;
    struct sj_err err;
    assert_int_equal(sj_reader_open(path, NULL, &reader, &err), 0);
    assert_int_equal(sj_reader_bytes_read(reader), 0);
    assert_true(check_bytes_read(reader, (uint64_t)st.st_size, 5000) > 20);
    assert_int_equal(sj_reader_select_sheet(reader, 1, &err), 0); /* starts again */
    assert_int_equal(sj_reader_bytes_read(reader), 0);
    assert_true(check_bytes_read(reader, (uint64_t)st.st_size, 300) > 1);
    sj_reader_close(reader);

    const char *xls = SJ_SOURCE_ROOT "/tests/data/xls/people.xls";
    assert_int_equal(stat(xls, &st), 0);
    assert_int_equal(sj_reader_open(xls, NULL, &reader, &err), 0);
    assert_int_equal(sj_reader_bytes_read(reader), 0);
    char *dump = read_sheet_opts(&sj_reader_xls, xls, 0, NULL, &err);
    size_t rows = 0;
    for (const char *p = dump; (p = strchr(p, '\n')); p++)
        rows++;
    free(dump);
    assert_true(check_bytes_read(reader, (uint64_t)st.st_size, rows) > 1);
    sj_reader_close(reader);
}

/* ---- Hand-made packages: what libxlsxwriter never writes --------------------------------------
 */

/* The workbook part is xl/book.xml (found through _rels/.rels), its names carry an x:
 * prefix, dates are in the 1904 system, the sheet order differs from the file names, one
 * target is absolute, a chartsheet is skipped, shared strings have rich runs, phonetics and
 * _xHHHH_ escapes, cells have inline strings, errors, ISO dates and missing references. */
static void write_odd_book(const char *path)
{
    static const char rels[] =
        XML_DECL "<Relationships xmlns=\"" NS_PKG "\"><Relationship Id=\"rId1\" Type=\"" NS_REL
                 "/officeDocument\" Target=\"/xl/book.xml\"/></Relationships>";
    static const char book[] =
        XML_DECL "<x:workbook xmlns:x=\"" NS_MAIN "\" xmlns:rel=\"" NS_REL "\">"
                 "<x:workbookPr date1904=\"1\"/><x:sheets>"
                 "<x:sheet name=\"第二\" sheetId=\"2\" rel:id=\"rId2\"/>"
                 "<x:sheet name=\"图表\" sheetId=\"3\" rel:id=\"rId3\"/>"
                 "<x:sheet name=\"第一\" sheetId=\"1\" rel:id=\"rId1\"/>"
                 "</x:sheets></x:workbook>";
    static const char book_rels[] =
        XML_DECL "<Relationships xmlns=\"" NS_PKG "\">"
                 "<Relationship Id=\"rId1\" Type=\"" NS_REL "/worksheet\" "
                 "Target=\"/xl/worksheets/sheet1.xml\"/>"
                 "<Relationship Id=\"rId2\" Type=\"" NS_REL "/worksheet\" "
                 "Target=\"./worksheets/../worksheets/sheet2.xml\"/>"
                 "<Relationship Id=\"rId3\" Type=\"" NS_REL "/chartsheet\" "
                 "Target=\"chartsheets/sheet1.xml\"/>"
                 "<Relationship Id=\"rId4\" Type=\"" NS_REL "/styles\" Target=\"s.xml\"/>"
                 "<Relationship Id=\"rId5\" Type=\"" NS_REL "/sharedStrings\" Target=\"t.xml\"/>"
                 "</Relationships>";
    static const char styles[] =
        XML_DECL "<x:styleSheet xmlns:x=\"" NS_MAIN "\"><x:numFmts count=\"1\">"
                 "<x:numFmt numFmtId=\"164\" formatCode=\"yyyy/mm/dd\"/></x:numFmts>"
                 "<x:cellStyleXfs><x:xf numFmtId=\"14\"/></x:cellStyleXfs>"
                 "<x:cellXfs><x:xf numFmtId=\"0\"/><x:xf numFmtId=\"164\"/><x:xf numFmtId=\"22\"/>"
                 "<x:xf numFmtId=\"14\"/></x:cellXfs></x:styleSheet>";
    static const char sst[] = XML_DECL "<sst xmlns=\"" NS_MAIN "\" count=\"3\" uniqueCount=\"3\">"
                                       "<si><r><t>甲</t></r><r><rPr><b/></rPr><t>乙</t></r>"
                                       "<rPh sb=\"0\" eb=\"1\"><t>jia</t></rPh></si>"
                                       "<si><t>a_x000D_b</t></si>"
                                       "<si><t xml:space=\"preserve\"> 空 格 </t></si></sst>";
    static const char sheet1[] =
        XML_DECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
                 "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>仅</t></is></c></row>"
                 "<row r=\"2\"><c r=\"C2\" t=\"inlineStr\"><is><t>c</t></is></c></row>"
                 "<row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is><t>d</t></is></c></row>"
                 "</sheetData><x:mergeCells xmlns:x=\"" NS_MAIN "\" count=\"1\">"
                 "<x:mergeCell ref=\"A1:B3\"/></x:mergeCells></worksheet>";
    static const char sheet2[] =
        XML_DECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
                 "<row r=\"2\"><c r=\"B2\" t=\"s\"><v>0</v></c><c r=\"D2\" t=\"inlineStr\"><is>"
                 "<r><t>内</t></r><r><t>联</t></r><rPh><t>nei</t></rPh></is></c></row>"
                 "<row><c t=\"s\"><v>1</v></c><c t=\"e\"><v>#N/A</v></c>"
                 "<c t=\"d\"><v>2024-02-29T00:00:00</v></c><c t=\"d\"><v>2024-02-29T08:30:00Z</v>"
                 "</c><c><f>1+1</f><v>2</v></c></row>"
                 "<row r=\"5\"><c r=\"A5\" s=\"1\"><v>0</v></c><c r=\"B5\" s=\"2\"><v>1.5</v></c>"
                 "<c r=\"C5\" s=\"3\"><v>-1</v></c><c r=\"D5\" t=\"b\"><v>0</v></c></row>"
                 "<row r=\"6\"><c r=\"A6\" s=\"9\"><v>5</v></c><c r=\"B6\" t=\"str\">"
                 "<v>x_x000A_y</v></c></row>"
                 "<row r=\"7\"><c r=\"A7\" s=\"1\"/><c r=\"B7\" t=\"s\"/></row>"
                 "<row r=\"8\"><c r=\"C8\" t=\"s\"><v> 2 </v></c></row>"
                 "</sheetData></worksheet>";
    struct part parts[] = {
        {"_rels/.rels", rels},
        {"xl/book.xml", book},
        {"xl/_rels/book.xml.rels", book_rels},
        {"xl/s.xml", styles},
        {"xl/t.xml", sst},
        {"xl/worksheets/sheet1.xml", sheet1},
        {"xl/worksheets/sheet2.xml", sheet2},
        {"xl/chartsheets/sheet1.xml", "<chartsheet/>"},
    };
    write_zip(path, parts, SJ_ARRAY_LEN(parts));
}

static void test_odd_book(void **state)
{
    char path[256];
    tmp_path(path, sizeof path, "odd.xlsx");
    if (getenv("SJ_XLSX_SEED_DIR")) {
        zip_method = 0;
        write_odd_book(path);
        save_seed(path, "odd-stored.xlsx");
        zip_method = Z_DEFLATED;
    }
    write_odd_book(path);
    save_seed(path, "odd.xlsx");
    void *impl = NULL;
    struct sj_err err;
    assert_int_equal(sj_reader_xlsx.open(path, NULL, &impl, &err), 0);
    assert_int_equal(sj_reader_xlsx.sheet_count(impl), 2);
    assert_string_equal(sj_reader_xlsx.sheet_name(impl, 0), "第二");
    assert_string_equal(sj_reader_xlsx.sheet_name(impl, 1), "第一");
    sj_reader_xlsx.close(impl);
    assert_sheet(path, 0,
                 "2:|甲乙||内联\n"
                 "3:a\rb|#N/A|2024-02-29|2024-02-29 08:30:00|2\n"
                 "5:1904-01-01|1904-01-02 12:00:00|-1|FALSE\n"
                 "6:5|x\ny\n"
                 "8:|| 空 格 \n");
    /* The merge A1:B3 fills rows 1-2 (row 3 is absent from the sheet); row 4 is outside. */
    assert_sheet(path, 1, "1:仅|仅\n2:仅|仅|c\n4:|d\n");
}

/* Vertical merges in data rows: each row of the range gets the value. */
static void test_merge_down(void **state)
{
    char path[256];
    tmp_path(path, sizeof path, "merge.xlsx");
    write_simple_book(path,
                      XML_DECL
                      "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
                      "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>姓名</t></is></c>"
                      "<c r=\"B1\" t=\"inlineStr\"><is><t>金额</t></is></c></row>"
                      "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>张三</t></is></c>"
                      "<c r=\"B2\"><v>1</v></c></row>"
                      "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>不显示</t></is></c>"
                      "<c r=\"B3\"><v>2</v></c></row>"
                      "<row r=\"4\"><c r=\"B4\"><v>3</v></c></row>"
                      "<row r=\"5\"><c r=\"B5\"><v>4</v></c></row>"
                      "<row r=\"6\"><c r=\"C6\"><v>5</v></c></row>"
                      "</sheetData><mergeCells count=\"3\"><mergeCell ref=\"A2:A4\"/>"
                      "<mergeCell ref='A6:B6'/><mergeCell ref=\"bogus\"/></mergeCells></worksheet>",
                      NULL);
    save_seed(path, "merge.xlsx");
    assert_sheet(path, 0, "1:姓名|金额\n2:张三|1\n3:张三|2\n4:张三|3\n5:|4\n6:||5\n");
}

/* ---- Broken and hostile files ------------------------------------------------------------------
 */

/* Opening path must fail with code, and the error must name the file. */
static void assert_open_fails(const char *path, int code, const char *needle)
{
    void *impl = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_reader_xlsx.open(path, NULL, &impl, &err);
    if (rc != code)
        fail_msg("%s: got %d (%s), want %d", path, rc, err.message, code);
    assert_null(impl);
    assert_string_equal(err.file, path);
    assert_int_equal(err.code, code);
    if (!strstr(err.message, needle))
        fail_msg("%s: message \"%s\" lacks \"%s\"", path, err.message, needle);
}

static void test_truncated(void **state)
{
    char path[256], cut[256];
    tmp_path(path, sizeof path, "whole.xlsx");
    tmp_path(cut, sizeof cut, "half.xlsx");
    write_office_book(path, false);
    size_t len;
    char *data = tu_read_file(path, &len);
    tu_write_file(NULL, cut, data, len / 2);
    save_seed(cut, "truncated.xlsx");
    assert_open_fails(cut, SJ_EFORMAT, "截断");
    for (size_t n = 0; n < len; n += len / 16 + 1) { /* never crash, whatever the cut */
        tu_write_file(NULL, cut, data, n);
        void *impl = NULL;
        struct sj_err err;
        assert_true(sj_reader_xlsx.open(cut, NULL, &impl, &err) < 0);
    }
    free(data);
}

/* Finds the compressed bytes of entry in the zip at path. */
static void entry_span(const char *path, const char *entry, size_t *offset, size_t *size)
{
    unzFile z = unzOpen64(path);
    assert_non_null(z);
    assert_int_equal(unzLocateFile(z, entry, 0), UNZ_OK);
    unz_file_info64 info;
    assert_int_equal(unzGetCurrentFileInfo64(z, &info, NULL, 0, NULL, 0, NULL, 0), UNZ_OK);
    assert_int_equal(unzOpenCurrentFile(z), UNZ_OK);
    *offset = (size_t)unzGetCurrentFileZStreamPos64(z);
    *size = (size_t)info.compressed_size;
    unzCloseCurrentFile(z);
    unzClose(z);
}

/* Damage inside the sheet's compressed data: an error at some row, never a crash. */
static void test_corrupt_sheet_data(void **state)
{
    char path[256];
    tmp_path(path, sizeof path, "corrupt.xlsx");
    write_office_book(path, false);
    size_t len, offset, size;
    entry_span(path, "xl/worksheets/sheet1.xml", &offset, &size);
    char *data = tu_read_file(path, &len);
    for (size_t i = offset + size / 3; i < offset + size / 3 + 16 && i < len; i++)
        data[i] ^= 0x5A;
    tu_write_file(NULL, path, data, len);
    save_seed(path, "corrupt.xlsx");
    free(data);
    char *got = read_sheet(path, 0);
    if (strncmp(got, "error -5: ", 10) != 0)
        fail_msg("got %s", got);
    free(got);
}

/* A 1 GiB entry of zeros, deflated to about 1 MiB, built quickly: one 1 MiB block deflated
 * with a full flush (so copies can follow each other) written 1024 times, raw. */
static void write_zip_bomb(const char *path)
{
    static unsigned char zeros[1 << 20], block[1 << 16];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = zeros;
    zs.avail_in = sizeof zeros;
    zs.next_out = block;
    zs.avail_out = sizeof block;
    assert_int_equal(deflate(&zs, Z_FULL_FLUSH), Z_OK);
    assert_int_equal(zs.avail_in, 0);
    unsigned block_len = (unsigned)(sizeof block - zs.avail_out);
    deflateEnd(&zs);
    uLong one = crc32(0, zeros, sizeof zeros), crc = 0;
    zipFile z = zipOpen64(path, APPEND_STATUS_CREATE);
    const char *small = "<x/>";
    assert_int_equal(
        zipOpenNewFileInZip64(z, "_rels/.rels", NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6, 0),
        ZIP_OK);
    zipWriteInFileInZip(z, small, 4);
    zipCloseFileInZip(z);
    assert_int_equal(zipOpenNewFileInZip2_64(z, "xl/worksheets/sheet1.xml", NULL, NULL, 0, NULL, 0,
                                             NULL, Z_DEFLATED, 9, 1, 1),
                     ZIP_OK);
    for (int i = 0; i < 1024; i++) {
        assert_int_equal(zipWriteInFileInZip(z, block, block_len), ZIP_OK);
        crc = i ? crc32_combine(crc, one, sizeof zeros) : one;
    }
    static const unsigned char last[] = {0x03, 0x00}; /* an empty final block */
    zipWriteInFileInZip(z, last, sizeof last);
    assert_int_equal(zipCloseFileInZipRaw64(z, (ZPOS64_T)1 << 30, crc), ZIP_OK);
    assert_int_equal(zipClose(z, NULL), ZIP_OK);
}

static void test_zip_bomb(void **state)
{
    char path[256];
    tmp_path(path, sizeof path, "bomb.xlsx");
    write_zip_bomb(path);
    /* The stream really is 1 GiB of zeros behind a small file. */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size < (2 << 20));
    unzFile z = unzOpen64(path);
    assert_int_equal(unzLocateFile(z, "xl/worksheets/sheet1.xml", 0), UNZ_OK);
    assert_int_equal(unzOpenCurrentFile(z), UNZ_OK);
    static char buf[1 << 16];
    assert_int_equal(unzReadCurrentFile(z, buf, sizeof buf), (int)sizeof buf);
    assert_int_equal(buf[0] | buf[sizeof buf - 1], 0);
    unzCloseCurrentFile(z);
    unzClose(z);
    assert_open_fails(path, SJ_ETOOBIG, "压缩炸弹");
}

static void test_not_a_workbook(void **state)
{
    char path[256];
    tmp_path(path, sizeof path, "text.xlsx");
    tu_write_file(NULL, path, "姓名,身份证号\n", strlen("姓名,身份证号\n"));
    assert_open_fails(path, SJ_EFORMAT, "不是有效的 xlsx");
    tmp_path(path, sizeof path, "nothing-here.xlsx");
    assert_open_fails(path, SJ_EIO, "无法打开");
    /* A zip that is no workbook. */
    tmp_path(path, sizeof path, "plain.zip");
    struct part parts[] = {{"readme.txt", "hello"}};
    write_zip(path, parts, 1);
    assert_open_fails(path, SJ_EFORMAT, "workbook");
    /* A workbook without sheets. */
    tmp_path(path, sizeof path, "nosheets.xlsx");
    struct part empty[] = {{"xl/workbook.xml", "<workbook xmlns=\"" NS_MAIN "\"/>"}};
    write_zip(path, empty, 1);
    assert_open_fails(path, SJ_EFORMAT, "没有工作表");
}

/* Errors while reading rows: the message says why, err says file, sheet and row. */
static void test_row_errors(void **state)
{
    static const struct {
        const char *rows;
        struct sj_reader_opts opts;
        int code;
        long row;
        const char *needle;
    } cases[] = {
        {"<row r=\"3\"><c r=\"A3\" t=\"s\"><v>7</v></c></row>", {0}, SJ_EFORMAT, 3, "共享字符串"},
        {"<row r=\"2\"><c r=\"A2\" t=\"s\"><v>-1</v></c></row>", {0}, SJ_EFORMAT, 2, "共享字符串"},
        {"<row r=\"4\"><c r=\"C4\"><v>1</v></c></row>", {.max_cells = 2}, SJ_ETOOBIG, 4, "上限"},
        {"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>0123456789</t></is></c></row>",
         {.max_cell = 8},
         SJ_ETOOBIG,
         1,
         "上限"},
        {"<row r=\"0\"><c><v>1</v></c></row>", {0}, SJ_EFORMAT, 0, "行号"},
        {"<row r=\"1\"><c r=\"1A\"><v>1</v></c></row>", {0}, SJ_EFORMAT, 1, "单元格位置"},
        {"<row r=\"1\"><c r=\"A1\"><v>1</c></row>", {0}, SJ_EFORMAT, 0, "XML"},
    };
    char path[256];
    tmp_path(path, sizeof path, "rowerr.xlsx");
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        write_simple_book(path, cases[i].rows,
                          XML_DECL "<sst xmlns=\"" NS_MAIN "\"><si><t>x</t></si></sst>");
        struct sj_err err;
        char *got = read_sheet_opts(&sj_reader_xlsx, path, 0, &cases[i].opts, &err);
        if (err.code != cases[i].code || !strstr(err.message, cases[i].needle))
            fail_msg("case %zu: got %s", i, got);
        assert_string_equal(err.file, path);
        assert_string_equal(err.sheet, "S");
        if (cases[i].row)
            assert_int_equal(err.row, cases[i].row);
        free(got);
    }
}

/* A DTD (the door to entity expansion) is refused in any part. */
static void test_dtd_refused(void **state)
{
    char path[256];
    tmp_path(path, sizeof path, "dtd.xlsx");
    write_simple_book(path,
                      "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\">"
                      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                      "<worksheet xmlns=\"" NS_MAIN "\"><sheetData><row><c t=\"inlineStr\"><is>"
                      "<t>&b;</t></is></c></row></sheetData></worksheet>",
                      NULL);
    save_seed(path, "dtd.xlsx");
    char *got = read_sheet(path, 0);
    assert_non_null(strstr(got, "DTD"));
    free(got);
    write_simple_book(path, "<row><c><v>1</v></c></row>",
                      "<!DOCTYPE sst [<!ENTITY a \"x\">]><sst xmlns=\"" NS_MAIN "\"/>");
    assert_open_fails(path, SJ_EFORMAT, "DTD");
}

/* ---- xls ------------------------------------------------------------------------------------- */

static void test_xls_errors(void **state)
{
    char path[256];
    void *impl = NULL;
    struct sj_err err;
    tmp_path(path, sizeof path, "missing.xls");
    assert_int_equal(sj_reader_xls.open(path, NULL, &impl, &err), SJ_EIO);
    assert_string_equal(err.file, path);
    /* An OLE2 signature followed by garbage. */
    unsigned char junk[1536] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    for (size_t i = 8; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 7);
    tmp_path(path, sizeof path, "junk.xls");
    tu_write_file(NULL, path, junk, sizeof junk);
    sj_err_clear(&err);
    assert_int_equal(sj_reader_xls.open(path, NULL, &impl, &err), SJ_EFORMAT);
    assert_null(impl);
    assert_non_null(strstr(err.message, ".xls"));
    /* An xlsx is no xls. */
    tmp_path(path, sizeof path, "book.xls");
    write_simple_book(path, "<row><c><v>1</v></c></row>", NULL);
    assert_int_equal(sj_reader_xls.open(path, NULL, &impl, &err), SJ_EFORMAT);
}

/* tests/data/xls/people.xls, written by make_people_xls.py beside it (python3-xlwt). */
static void test_xls_fixture(void **state)
{
    const char *path = SJ_SOURCE_ROOT "/tests/data/xls/people.xls";
    void *impl = NULL;
    struct sj_err err;
    assert_int_equal(sj_reader_xls.open(path, NULL, &impl, &err), 0);
    assert_int_equal(sj_reader_xls.sheet_count(impl), 3);
    assert_string_equal(sj_reader_xls.sheet_name(impl, 0), "人员信息");
    assert_string_equal(sj_reader_xls.sheet_name(impl, 1), "交易流水");
    assert_string_equal(sj_reader_xls.sheet_name(impl, 2), "空表");
    assert_null(sj_reader_xls.sheet_name(impl, 3));
    assert_string_equal(sj_reader_xls.encoding(impl), "");
    assert_int_equal(sj_reader_xls.select_sheet(impl, 3, &err), SJ_ENOTFOUND);
    sj_reader_xls.close(impl);
    static const char *const want[] = {
        /* freexl does not expose merged ranges: the title stays in A1. */
        "1:XX市公安局鉴定意见汇总表\n"
        "2:姓名|电话|出生日期|金额\n"
        "3:张三|13800138000|1990-03-07|0.3\n"
        "5:李四||2024-01-02 13:45:30|-12.5\n"
        "6:王五|42||123456789012346000\n",
        "1:交易时间\n2:18:00:00\n",
        "",
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(want); i++) {
        char *got = read_sheet_opts(&sj_reader_xls, path, i, NULL, &err);
        assert_string_equal(got, want[i]);
        free(got);
    }
    /* The caps apply as in xlsx. */
    struct sj_reader_opts narrow = {.max_cells = 3};
    char *got = read_sheet_opts(&sj_reader_xls, path, 0, &narrow, &err);
    assert_int_equal(err.code, SJ_ETOOBIG);
    assert_int_equal(err.row, 2);
    assert_int_equal(err.column, 4);
    assert_string_equal(err.sheet, "人员信息");
    free(got);
}

/* ---- Through the public reader API ------------------------------------------------------------
 */

static void test_public_api(void **state)
{
    char path[256], cut[256];
    tmp_path(path, sizeof path, "public.xlsx");
    write_office_book(path, false);
    assert_int_equal(sj_reader_detect_format(path), SJ_FORMAT_XLSX);
    struct sj_reader *reader = NULL;
    struct sj_reader_row row;
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_reader_open(path, NULL, &reader, &err), 0);
    assert_int_equal(sj_reader_format(reader), SJ_FORMAT_XLSX);
    assert_string_equal(sj_reader_encoding(reader), "");
    assert_int_equal(sj_reader_sheet_count(reader), 3);
    assert_string_equal(sj_reader_sheet_name(reader, 1), "交易流水");
    assert_int_equal(sj_reader_next(reader, &row, &err), 1);
    assert_int_equal(row.source_row, 1);
    assert_int_equal(row.cell_count, 4);
    assert_int_equal(sj_reader_select_sheet(reader, 1, &err), 0);
    assert_int_equal(sj_reader_next(reader, &row, &err), 1);
    assert_int_equal(sj_reader_next(reader, &row, &err), 1);
    assert_true(sj_str_eq_cstr(row.cells[0], "18:00:00"));
    assert_int_equal(sj_reader_next(reader, &row, &err), 0);
    assert_int_equal(sj_reader_select_sheet(reader, 3, &err), SJ_ENOTFOUND);
    sj_reader_close(reader);

    size_t len;
    char *data = tu_read_file(path, &len);
    tmp_path(cut, sizeof cut, "public-half.xlsx");
    tu_write_file(NULL, cut, data, len / 2);
    free(data);
    sj_err_clear(&err);
    assert_int_equal(sj_reader_open(cut, NULL, &reader, &err), SJ_EFORMAT);
    assert_null(reader);
    assert_string_equal(err.file, cut);

    const char *xls = SJ_SOURCE_ROOT "/tests/data/xls/people.xls";
    assert_int_equal(sj_reader_detect_format(xls), SJ_FORMAT_XLS);
    assert_int_equal(sj_reader_open(xls, NULL, &reader, &err), 0);
    assert_int_equal(sj_reader_format(reader), SJ_FORMAT_XLS);
    assert_int_equal(sj_reader_sheet_count(reader), 3);
    assert_int_equal(sj_reader_next(reader, &row, &err), 1);
    assert_true(sj_str_eq_cstr(row.cells[0], "XX市公安局鉴定意见汇总表"));
    sj_reader_close(reader);
}

/* ---- Setup ------------------------------------------------------------------------------------
 */

static int make_tmp_dir(void **state)
{
    return tu_temp_dir(tmp_dir, sizeof tmp_dir, "sj_xlsx");
}

static int remove_tmp_dir(void **state)
{
    tu_remove_tree(tmp_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_number),
        cmocka_unit_test(test_format_serial),
        cmocka_unit_test(test_serial_days_consecutive),
        cmocka_unit_test(test_numfmt_classify),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_office_book),
        cmocka_unit_test(test_office_book_inline_strings),
        cmocka_unit_test(test_select_rewinds),
        cmocka_unit_test(test_many_rows),
        cmocka_unit_test(test_bytes_read),
        cmocka_unit_test(test_odd_book),
        cmocka_unit_test(test_merge_down),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt_sheet_data),
        cmocka_unit_test(test_zip_bomb),
        cmocka_unit_test(test_not_a_workbook),
        cmocka_unit_test(test_row_errors),
        cmocka_unit_test(test_dtd_refused),
        cmocka_unit_test(test_xls_errors),
        cmocka_unit_test(test_xls_fixture),
        cmocka_unit_test(test_public_api),
    };
    return cmocka_run_group_tests_name("ingest_xlsx", tests, make_tmp_dir, remove_tmp_dir);
}
