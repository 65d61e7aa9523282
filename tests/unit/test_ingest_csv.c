/*
 * test_ingest_csv.c - the text reader (src/ingest/csv.c via reader.c): encodings (UTF-8 with
 * and without BOM, GB18030, UTF-16LE/BE, forced and guessed), delimiters, RFC 4180 quoting,
 * line endings, source rows, undecodable bytes, limits, and streaming across buffer edges.
 * Each case writes its bytes to a temporary file and compares every row the reader hands
 * out, rendered as "ROW[cell][cell]" lines ("ROW!OFFSET" when the row has bad bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <iconv.h>

#include "shujian/ingest.h"
#include "test_util.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    return tu_temp_dir(tmpdir, sizeof tmpdir, "sj-test-csv");
}

static int teardown(void **state)
{
    (void)state;
    tu_remove_tree(tmpdir);
    return 0;
}

/* Converts UTF-8 text to the named encoding; returns a malloc'd buffer. */
static char *convert(const char *text, const char *to, size_t *out_len)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t in_left = strlen(text), cap = in_left * 4 + 16, out_left = cap;
    char *out = malloc(cap), *in = (char *)text, *o = out;
    assert_true(iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1);
    iconv_close(cd);
    *out_len = cap - out_left;
    return out;
}

/* Reads every row of path and renders it; returns the reader's status (0 at the end). */
static int read_all(const char *path, const struct sj_reader_opts *opts, char *out, size_t size,
                    char *encoding, struct sj_err *err)
{
    struct sj_reader *r = NULL;
    sj_err_clear(err);
    int rc = sj_reader_open(path, opts, &r, err);
    if (rc < 0)
        return rc;
    snprintf(encoding, 32, "%s", sj_reader_encoding(r));
    size_t used = 0;
    out[0] = '\0';
    struct sj_reader_row row;
    while ((rc = sj_reader_next(r, &row, err)) > 0) {
        used += (size_t)snprintf(out + used, size - used, "%lld", (long long)row.source_row);
        if (row.has_bad_bytes)
            used += (size_t)snprintf(out + used, size - used, "!%lld", (long long)row.bad_offset);
        for (size_t i = 0; i < row.cell_count; i++)
            used += (size_t)snprintf(out + used, size - used, "[%.*s]", SJ_STR_ARG(row.cells[i]));
        used += (size_t)snprintf(out + used, size - used, "\n");
        assert_true(used < size);
    }
    sj_reader_close(r);
    return rc;
}

/* ---- Table of small files ------------------------------------------------------------------ */

struct csv_case {
    const char *name;
    const char *text;     /* UTF-8 source text */
    const char *write_as; /* NULL: the bytes of text as they are; else an iconv encoding */
    const char *bom;      /* bytes written before the text, or NULL */
    const char *forced;   /* opts.encoding */
    const char *want_encoding;
    const char *want;
};

static const struct csv_case cases[] = {
    {"utf-8", "姓名,身份证号\n张三,11010519491231002X\n", NULL, NULL, NULL, "utf-8",
     "1[姓名][身份证号]\n2[张三][11010519491231002X]\n"},
    {"utf-8 with BOM and CRLF", "姓名,年龄\r\n李四,30\r\n", NULL, "\xEF\xBB\xBF", NULL, "utf-8",
     "1[姓名][年龄]\n2[李四][30]\n"},
    {"gb18030 guessed", "姓名,地址\n王五,广东省清远市清城区\n", "GB18030", NULL, NULL, "gb18030",
     "1[姓名][地址]\n2[王五][广东省清远市清城区]\n"},
    {"gb18030 four-byte and gbk |", "名,号\n𠀀,丨\n", "GB18030", NULL, NULL, "gb18030",
     "1[名][号]\n2[𠀀][丨]\n"},
    {"gbk forced", "案号|当事人\n（2023）粤1802民初1234号|赵六\n", "GBK", NULL, "gbk", "gb18030",
     "1[案号][当事人]\n2[（2023）粤1802民初1234号][赵六]\n"},
    {"utf-16le with BOM", "姓名\t电话\n钱七\t13800138000\n", "UTF-16LE", "\xFF\xFE", NULL,
     "utf-16le", "1[姓名][电话]\n2[钱七][13800138000]\n"},
    {"utf-16be with BOM", "姓名;电话\r\n孙八;13900139000\r\n", "UTF-16BE", "\xFE\xFF", NULL,
     "utf-16be", "1[姓名][电话]\n2[孙八][13900139000]\n"},
    {"utf-16le without BOM", "id,name\n1,ab\n", "UTF-16LE", NULL, NULL, "utf-16le",
     "1[id][name]\n2[1][ab]\n"},
    {"tab with commas inside", "a\tb\tc\n1\t2,5\t3\n4\t5,6\t7\n", NULL, NULL, NULL, "utf-8",
     "1[a][b][c]\n2[1][2,5][3]\n3[4][5,6][7]\n"},
    {"semicolon", "a;b\n1;2\n3;4\n", NULL, NULL, NULL, "utf-8", "1[a][b]\n2[1][2]\n3[3][4]\n"},
    {"pipe", "a|b|c\n1|2|3\n", NULL, NULL, NULL, "utf-8", "1[a][b][c]\n2[1][2][3]\n"},
    {"quoted newline", "姓名,备注\n\"王五\",\"第一行\n第二行\"\n赵六,无\n", NULL, NULL, NULL,
     "utf-8", "1[姓名][备注]\n2[王五][第一行\n第二行]\n4[赵六][无]\n"},
    {"quoted CRLF becomes LF", "a,b\r\n\"x\r\ny\",2\r\n3,4\r\n", NULL, NULL, NULL, "utf-8",
     "1[a][b]\n2[x\ny][2]\n4[3][4]\n"},
    {"doubled quotes", "a,b\n\"say \"\"hi\"\"\",2\n", NULL, NULL, NULL, "utf-8",
     "1[a][b]\n2[say \"hi\"][2]\n"},
    {"quoted delimiter", "a,b\n\"1,5\",2\n", NULL, NULL, NULL, "utf-8", "1[a][b]\n2[1,5][2]\n"},
    {"stray quote in unquoted cell", "a,b\nab\"c,2\n", NULL, NULL, NULL, "utf-8",
     "1[a][b]\n2[ab\"c][2]\n"},
    {"text after a closing quote", "a,b\n\"ab\"c,2\n", NULL, NULL, NULL, "utf-8",
     "1[a][b]\n2[abc][2]\n"},
    {"CR line ends", "a,b\r1,2\r3,4", NULL, NULL, NULL, "utf-8", "1[a][b]\n2[1][2]\n3[3][4]\n"},
    {"blank lines keep line numbers", "a,b\n\n,\n  \n1,2\n", NULL, NULL, NULL, "utf-8",
     "1[a][b]\n5[1][2]\n"},
    {"no final newline", "a,b\n1,2", NULL, NULL, NULL, "utf-8", "1[a][b]\n2[1][2]\n"},
    {"empty cells", "a,b,c\n,,x\n1,,\n", NULL, NULL, NULL, "utf-8",
     "1[a][b][c]\n2[][][x]\n3[1][][]\n"},
    {"title row above header",
     "XX市公安局鉴定意见汇总表\n姓名,身份证号,鉴定日期\n张三,11010519491231002X,2023-01-02\n", NULL,
     NULL, NULL, "utf-8",
     "1[XX市公安局鉴定意见汇总表]\n2[姓名][身份证号][鉴定日期]\n3[张三][11010519491231002X][2023-"
     "01-02]\n"},
    {"bad byte in forced utf-8",
     "a,b\n1,\xFF"
     "2\n3,4\n",
     NULL, NULL, "utf-8", "utf-8",
     "1[a][b]\n2!6[1][\xEF\xBF\xBD"
     "2]\n3[3][4]\n"},
    {"truncated utf-8 at the end", "a,b\n1,\xE5\xBC", NULL, NULL, "utf-8", "utf-8",
     "1[a][b]\n2!6[1][\xEF\xBF\xBD\xEF\xBF\xBD]\n"},
    {"bad byte in gb18030", "a,b\n1,\x80x\n", NULL, NULL, "gb18030", "gb18030",
     "1[a][b]\n2!6[1][\xEF\xBF\xBDx]\n"},
    {"empty file", "", NULL, NULL, NULL, "utf-8", ""},
    {"one column", "姓名\n张三\n李四\n", NULL, NULL, NULL, "utf-8", "1[姓名]\n2[张三]\n3[李四]\n"},
};

static void test_csv_table(void **state)
{
    (void)state;
    static char got[8192];
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        const struct csv_case *c = &cases[i];
        size_t len = strlen(c->text), bom = c->bom ? strlen(c->bom) : 0;
        char *body = c->write_as ? convert(c->text, c->write_as, &len) : NULL;
        char *bytes = malloc(bom + len + 1);
        memcpy(bytes, c->bom ? c->bom : "", bom);
        memcpy(bytes + bom, body ? body : c->text, len);
        const char *path = tu_write_file(tmpdir, "case.csv", bytes, bom + len);
        free(bytes);
        free(body);
        struct sj_reader_opts opts = {.encoding = c->forced};
        struct sj_err err;
        char enc[32];
        int rc = read_all(path, &opts, got, sizeof got, enc, &err);
        if (rc != 0 || strcmp(got, c->want) != 0 || strcmp(enc, c->want_encoding) != 0)
            fail_msg("case '%s': rc %d (%s), encoding %s (want %s)\ngot:\n%s\nwant:\n%s", c->name,
                     rc, err.message, enc, c->want_encoding, got, c->want);
    }
}

/* ---- Errors and limits --------------------------------------------------------------------- */

static void test_unclosed_quote(void **state)
{
    (void)state;
    const char text[] = "a,b\n1,2\n3,\"never closed\n4,5\n";
    const char *path = tu_write_file(tmpdir, "unclosed.csv", text, sizeof text - 1);
    char got[512], enc[32];
    struct sj_err err;
    assert_int_equal(read_all(path, NULL, got, sizeof got, enc, &err), SJ_EFORMAT);
    assert_int_equal(err.row, 3);
    assert_non_null(strstr(err.message, "第 3 行"));
    assert_non_null(strstr(err.file, "unclosed.csv"));
    assert_string_equal(got, "1[a][b]\n2[1][2]\n");
}

static void test_limits(void **state)
{
    (void)state;
    const char text[] = "a,b\n1,0123456789abcdef\n";
    const char *path = tu_write_file(tmpdir, "limits.csv", text, sizeof text - 1);
    char got[512], enc[32];
    struct sj_err err;
    struct sj_reader_opts cell_cap = {.max_cell = 8};
    assert_int_equal(read_all(path, &cell_cap, got, sizeof got, enc, &err), SJ_ETOOBIG);
    assert_int_equal(err.row, 2);
    assert_int_equal(err.column, 2);
    struct sj_reader_opts count_cap = {.max_cells = 1};
    assert_int_equal(read_all(path, &count_cap, got, sizeof got, enc, &err), SJ_ETOOBIG);
    assert_int_equal(err.row, 1);
    struct sj_reader_opts bad_enc = {.encoding = "no-such-encoding"};
    assert_int_equal(read_all(path, &bad_enc, got, sizeof got, enc, &err), SJ_EINVAL);
}

static void test_forced_delimiter_and_missing_file(void **state)
{
    (void)state;
    const char text[] = "a,b;c\n1,2;3\n";
    const char *path = tu_write_file(tmpdir, "forced.csv", text, sizeof text - 1);
    char got[512], enc[32];
    struct sj_err err;
    struct sj_reader_opts opts = {.delimiter = ';'};
    assert_int_equal(read_all(path, &opts, got, sizeof got, enc, &err), 0);
    assert_string_equal(got, "1[a,b][c]\n2[1,2][3]\n");
    char missing[600];
    snprintf(missing, sizeof missing, "%s/absent.csv", tmpdir);
    assert_int_equal(read_all(missing, NULL, got, sizeof got, enc, &err), SJ_ENOTFOUND);
    assert_int_equal(sj_reader_detect_format(missing), SJ_FORMAT_UNKNOWN);
}

static void test_detect_format(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
        enum sj_format want;
    } formats[] = {
        {"PK\x03\x04rest", 8, SJ_FORMAT_XLSX},
        {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, SJ_FORMAT_XLS},
        {"a,b\n", 4, SJ_FORMAT_CSV},
        {"PK", 2, SJ_FORMAT_CSV},
        {"", 0, SJ_FORMAT_CSV},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(formats); i++) {
        const char *path = tu_write_file(tmpdir, "magic.bin", formats[i].bytes, formats[i].len);
        assert_int_equal(sj_reader_detect_format(path), formats[i].want);
    }
}

static void test_sheet_and_rewind(void **state)
{
    (void)state;
    const char text[] = "a,b\n1,2\n";
    const char *path = tu_write_file(tmpdir, "rewind.csv", text, sizeof text - 1);
    struct sj_reader *r = NULL;
    struct sj_err err;
    assert_int_equal(sj_reader_open(path, NULL, &r, &err), 0);
    assert_int_equal(sj_reader_format(r), SJ_FORMAT_CSV);
    assert_int_equal(sj_reader_sheet_count(r), 1);
    assert_string_equal(sj_reader_sheet_name(r, 0), "");
    struct sj_reader_row row;
    assert_int_equal(sj_reader_next(r, &row, &err), 1);
    assert_int_equal(sj_reader_next(r, &row, &err), 1);
    assert_int_equal(sj_reader_next(r, &row, &err), 0);
    assert_int_equal(sj_reader_select_sheet(r, 0, &err), 0);
    assert_int_equal(sj_reader_next(r, &row, &err), 1);
    assert_int_equal(row.source_row, 1);
    assert_true(sj_str_eq_cstr(row.cells[0], "a"));
    assert_int_equal(sj_reader_select_sheet(r, 1, &err), SJ_ENOTFOUND);
    sj_reader_close(r);
}

/* ---- Streaming ----------------------------------------------------------------------------- */

/* Many rows of multi-byte text, so that characters straddle every read-buffer edge; the
 * reader must hand back exactly what was written, with the right line numbers. */
static void check_big_file(const char *encoding, const char *want_encoding)
{
    enum { ROWS = 20000 };
    size_t cap = (size_t)ROWS * 80 + 64, used = 0;
    char *text = malloc(cap);
    used += (size_t)snprintf(text, cap, "序号,姓名,备注\n");
    for (int i = 1; i <= ROWS; i++)
        used += (size_t)snprintf(text + used, cap - used, "%d,张%d,\"第%d行，含逗号\"\n", i, i, i);
    size_t len = used;
    char *bytes = encoding ? convert(text, encoding, &len) : NULL;
    const char *path = tu_write_file(tmpdir, "big.csv", bytes ? bytes : text, len);
    struct sj_reader *r = NULL;
    struct sj_err err;
    assert_int_equal(sj_reader_open(path, NULL, &r, &err), 0);
    assert_string_equal(sj_reader_encoding(r), want_encoding);
    struct sj_reader_row row;
    assert_int_equal(sj_reader_next(r, &row, &err), 1);
    for (int i = 1; i <= ROWS; i++) {
        char want[64];
        assert_int_equal(sj_reader_next(r, &row, &err), 1);
        assert_int_equal(row.source_row, i + 1);
        assert_int_equal(row.cell_count, 3);
        assert_false(row.has_bad_bytes);
        snprintf(want, sizeof want, "张%d", i);
        assert_true(sj_str_eq_cstr(row.cells[1], want));
        snprintf(want, sizeof want, "第%d行，含逗号", i);
        assert_true(sj_str_eq_cstr(row.cells[2], want));
    }
    assert_int_equal(sj_reader_next(r, &row, &err), 0);
    sj_reader_close(r);
    free(text);
    free(bytes);
}

static void test_big_utf8(void **state)
{
    (void)state;
    check_big_file(NULL, "utf-8");
}

static void test_big_gb18030(void **state)
{
    (void)state;
    check_big_file("GB18030", "gb18030");
}

static void test_big_utf16(void **state)
{
    (void)state;
    check_big_file("UTF-16LE", "utf-16le");
}

/* Encoding is decided on the first 64 KiB: a GBK byte after that in a UTF-8 file flags its
 * row (with the exact file offset) instead of being dropped or crashing. */
static void test_late_bad_byte(void **state)
{
    (void)state;
    size_t cap = 80000, used = 0;
    char *text = malloc(cap);
    used += (size_t)snprintf(text, cap, "a,b\n");
    int line = 1;
    while (used < 70000) {
        used += (size_t)snprintf(text + used, cap - used, "x,%d\n", line);
        line++;
    }
    size_t bad_at = used + 2;
    used += (size_t)snprintf(text + used, cap - used, "y,\xD5\xC5\n"); /* 张 in GBK */
    const char *path = tu_write_file(tmpdir, "late.csv", text, used);
    struct sj_reader *r = NULL;
    struct sj_err err;
    assert_int_equal(sj_reader_open(path, NULL, &r, &err), 0);
    assert_string_equal(sj_reader_encoding(r), "utf-8");
    struct sj_reader_row row;
    int rc, rows = 0;
    while ((rc = sj_reader_next(r, &row, &err)) > 0) {
        rows++;
        assert_int_equal(row.has_bad_bytes, rows == line + 1);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(rows, line + 1);
    sj_reader_close(r);
    /* The last row read was the bad one; read it again to check the offset. */
    assert_int_equal(sj_reader_open(path, NULL, &r, &err), 0);
    while (sj_reader_next(r, &row, &err) > 0 && !row.has_bad_bytes)
        ;
    assert_int_equal(row.bad_offset, (int64_t)bad_at);
    assert_int_equal(row.source_row, line + 1);
    sj_reader_close(r);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_table),
        cmocka_unit_test(test_unclosed_quote),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_forced_delimiter_and_missing_file),
        cmocka_unit_test(test_detect_format),
        cmocka_unit_test(test_sheet_and_rewind),
        cmocka_unit_test(test_big_utf8),
        cmocka_unit_test(test_big_gb18030),
        cmocka_unit_test(test_big_utf16),
        cmocka_unit_test(test_late_bad_byte),
    };
    return cmocka_run_group_tests_name("ingest_csv", tests, setup, teardown);
}
