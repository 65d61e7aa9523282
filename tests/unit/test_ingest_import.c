/*
 * test_ingest_import.c - the import pipeline end to end against a real workspace in a fresh
 * temporary directory per test: dataset names, the header below a title row, kinds from
 * headers and a mapping file, blank and duplicate header names, rejected rows whose counts
 * add up (too many cells, undecodable bytes, a repeated header), flagged cells, provenance
 * (source rows) and re-importing the same file. ID numbers are synthetic with valid checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "shujian/ingest.h"
#include "test_util.h"

static void assert_columns(const struct sj_import_summary *s, const char *const *names,
                           const enum sj_kind *kinds, size_t count)
{
    assert_int_equal(s->column_count, count);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(s->columns[i].name, names[i]) != 0 || s->columns[i].kind != kinds[i])
            fail_msg("column %zu: got %s (%s), want %s (%s)", i + 1, s->columns[i].name,
                     sj_kind_name(s->columns[i].kind), names[i], sj_kind_name(kinds[i]));
    }
}

/* ---- Tests --------------------------------------------------------------------------------- */

static const char statement_csv[] =
    "XX银行账户交易明细表\n"
    "户名,身份证号,交易时间,交易金额（元）,备注\n"
    "张三,11010519491231002X,2023-01-02 10:00:00,\"1,234.50\",工资\n"
    "李四,441802198506120031,2023-01-03 11:30:00,200,转账\n"      /* bad check digit */
    "王五,441803197611051227,2023-01-04 09:15:00,300,房租,多余\n" /* one cell too many */
    "赵六,441802198506120030,2023-01-05 16:45:00,-50.00,\"退款\n（部分）\"\n";

static void test_import_statement(void **state)
{
    struct tu_workspace *f = *state;
    const char *path = tu_write_text(f->dir, "银行流水.csv", statement_csv);
    struct sj_import_summary *s = tu_import_one(f->store, path, NULL);
    assert_string_equal(s->dataset, "银行流水");
    assert_string_equal(s->sheet, "");
    assert_false(s->already_imported);
    assert_int_equal(s->rows_read, 4);
    assert_int_equal(s->rows_imported, 3);
    assert_int_equal(s->rows_rejected, 1);
    assert_int_equal(s->cells_flagged, 1);
    static const char *const names[] = {"户名", "身份证号", "交易时间", "交易金额（元）", "备注"};
    static const enum sj_kind kinds[] = {SJ_KIND_NAME, SJ_KIND_IDCARD, SJ_KIND_DATETIME,
                                         SJ_KIND_AMOUNT, SJ_KIND_TEXT};
    assert_columns(s, names, kinds, 5);
    sj_import_summaries_free(s, 1);

    struct sj_row_page page;
    struct sj_err err;
    assert_int_equal(sj_store_rows(f->store, "银行流水", 0, 10, &page, &err), 0);
    assert_int_equal(page.row_count, 3);
    assert_int_equal(page.rows[0].source_row, 3);
    assert_int_equal(page.rows[1].source_row, 4);
    assert_int_equal(page.rows[2].source_row, 6);
    assert_string_equal(page.rows[0].cells[3].norm, "123450");
    assert_string_equal(page.rows[2].cells[4].raw, "退款\n（部分）");
    assert_null(page.rows[1].cells[1].norm); /* flagged, kept raw */
    assert_string_equal(page.rows[1].cells[1].raw, "441802198506120031");
    sj_row_page_release(&page);

    struct sj_reject *rej = NULL;
    size_t n = 0;
    assert_int_equal(sj_store_rejects(f->store, "银行流水", &rej, &n, &err), 0);
    assert_int_equal(n, 2);
    size_t rows = 0, cells = 0;
    for (size_t i = 0; i < n; i++) {
        if (rej[i].is_row) {
            rows++;
            assert_int_equal(rej[i].row, 5);
            assert_int_equal(rej[i].column, 0);
            assert_non_null(strstr(rej[i].reason, "多于表头"));
            assert_non_null(strstr(rej[i].raw, "多余"));
        } else {
            cells++;
            assert_int_equal(rej[i].row, 4);
            assert_int_equal(rej[i].column, 2);
        }
    }
    assert_int_equal(rows, 1);
    assert_int_equal(cells, 1);
    sj_reject_list_free(rej, n);
}

static void test_reimport_changes_nothing(void **state)
{
    struct tu_workspace *f = *state;
    const char *path = tu_write_text(f->dir, "流水.csv", statement_csv);
    struct sj_import_summary *s = tu_import_one(f->store, path, NULL);
    int64_t run = s->run_id;
    sj_import_summaries_free(s, 1);
    s = tu_import_one(f->store, path, NULL);
    assert_true(s->already_imported);
    assert_int_equal(s->run_id, run);
    assert_int_equal(s->rows_read, 0);
    assert_int_equal(s->rows_imported, 0);
    sj_import_summaries_free(s, 1);
    struct sj_dataset_info info;
    struct sj_err err;
    assert_int_equal(sj_store_dataset_get(f->store, "流水", &info, &err), 0);
    assert_int_equal(info.row_count, 3);
    assert_int_equal(info.reject_count, 1);
    sj_dataset_info_release(&info);
}

static void test_names_of_columns(void **state)
{
    struct tu_workspace *f = *state;
    const char *path = tu_write_text(f->dir, "a.b.csv",
                                     "姓名,金额,金额,,备注\n"
                                     "张三,1,2,x,\n"
                                     "李四,3,4,y,\n");
    struct sj_import_summary *s = tu_import_one(f->store, path, NULL);
    assert_string_equal(s->dataset, "a.b");
    static const char *const names[] = {"姓名", "金额", "金额_2", "列4", "备注"};
    static const enum sj_kind kinds[] = {SJ_KIND_NAME, SJ_KIND_AMOUNT, SJ_KIND_AMOUNT, SJ_KIND_TEXT,
                                         SJ_KIND_TEXT};
    assert_columns(s, names, kinds, 5);
    assert_int_equal(s->rows_imported, 2);
    sj_import_summaries_free(s, 1);
}

static void test_unnamed_data_column(void **state)
{
    struct tu_workspace *f = *state;
    const char *path =
        tu_write_text(f->dir, "noext", "姓名,电话\n张三,13800138000,甲\n李四,13900139000,乙\n");
    struct sj_import_summary *s = tu_import_one(f->store, path, NULL);
    assert_string_equal(s->dataset, "noext");
    static const char *const names[] = {"姓名", "电话", "列3"};
    static const enum sj_kind kinds[] = {SJ_KIND_NAME, SJ_KIND_PHONE, SJ_KIND_TEXT};
    assert_columns(s, names, kinds, 3);
    assert_int_equal(s->rows_rejected, 0);
    sj_import_summaries_free(s, 1);
}

static void test_mapping_and_dataset_option(void **state)
{
    struct tu_workspace *f = *state;
    const char *map = tu_write_text(f->dir, "map.txt",
                                    "# column = kind\n"
                                    "编号 = idcard\n"
                                    "\n"
                                    "联系电话: text\n");
    char map_path[600];
    snprintf(map_path, sizeof map_path, "%s", map);
    const char *path = tu_write_text(
        f->dir, "x.csv",
        "编号,联系电话\n11010519491231002X,13800138000\n441802198506120030,13900139000\n");
    struct sj_import_opts opts = {.dataset = "人员", .mapping_path = map_path};
    struct sj_import_summary *s = tu_import_one(f->store, path, &opts);
    assert_string_equal(s->dataset, "人员");
    static const char *const names[] = {"编号", "联系电话"};
    static const enum sj_kind kinds[] = {SJ_KIND_IDCARD, SJ_KIND_TEXT};
    assert_columns(s, names, kinds, 2);
    sj_import_summaries_free(s, 1);

    /* A bad mapping line is an error naming the line. */
    tu_write_text(f->dir, "map.txt", "编号 = idcard\n编号 = nosuchkind\n");
    struct sj_import_summary *sums = NULL;
    size_t count = 0;
    struct sj_err err;
    assert_int_equal(sj_ingest_import_file(f->store, path, &opts, &sums, &count, &err), SJ_EINVAL);
    assert_int_equal(err.row, 2);
    assert_int_equal(count, 0);
    sj_import_summaries_free(sums, count);
}

static void test_bad_rows_add_up(void **state)
{
    struct tu_workspace *f = *state;
    const char *path = tu_write_text(f->dir, "bad.csv",
                                     "姓名,金额\n"
                                     "张三,100\n"
                                     "李\xFF四,200\n" /* undecodable in UTF-8 */
                                     "姓名,金额\n"    /* the header again */
                                     "王五,300,1,2\n" /* too many cells */
                                     "赵六,abc\n"     /* flagged amount, row kept */
                                     "钱七,400,,\n"); /* extra empty cells are fine */
    struct sj_import_opts opts = {.encoding = "utf-8"};
    struct sj_import_summary *s = tu_import_one(f->store, path, &opts);
    assert_int_equal(s->rows_read, 6);
    assert_int_equal(s->rows_imported, 3);
    assert_int_equal(s->rows_rejected, 3);
    assert_int_equal(s->cells_flagged, 1);
    sj_import_summaries_free(s, 1);
    struct sj_reject *rej = NULL;
    size_t n = 0;
    struct sj_err err;
    assert_int_equal(sj_store_rejects(f->store, "bad", &rej, &n, &err), 0);
    assert_int_equal(n, 4);
    static const struct {
        int64_t row;
        const char *reason_part;
    } want[] = {{3, "不是有效的 utf-8 编码"}, {4, "重复的表头行"}, {5, "多于表头"}};
    for (size_t k = 0; k < SJ_ARRAY_LEN(want); k++) {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = rej[i].is_row && rej[i].row == want[k].row &&
                    strstr(rej[i].reason, want[k].reason_part) != NULL;
        if (!found)
            fail_msg("no rejected row %lld with '%s'", (long long)want[k].row, want[k].reason_part);
    }
    sj_reject_list_free(rej, n);
}

static void test_header_only_and_empty(void **state)
{
    struct tu_workspace *f = *state;
    const char *path = tu_write_text(f->dir, "template.csv", "姓名,身份证号\n");
    struct sj_import_summary *s = tu_import_one(f->store, path, NULL);
    assert_int_equal(s->rows_read, 0);
    assert_int_equal(s->column_count, 2);
    sj_import_summaries_free(s, 1);

    path = tu_write_text(f->dir, "empty.csv", "\n\n");
    struct sj_import_summary *sums = NULL;
    size_t count = 0;
    struct sj_err err;
    assert_int_equal(sj_ingest_import_file(f->store, path, NULL, &sums, &count, &err), SJ_EFORMAT);
    assert_int_equal(count, 0);
    sj_import_summaries_free(sums, count);
    struct sj_dataset_info info;
    assert_int_equal(sj_store_dataset_get(f->store, "empty", &info, &err), SJ_ENOTFOUND);
}

static void test_append_two_files(void **state)
{
    struct tu_workspace *f = *state;
    const char *p1 = tu_write_text(f->dir, "1.csv", "姓名,金额\n张三,1\n");
    char first[600];
    snprintf(first, sizeof first, "%s", p1);
    const char *p2 = tu_write_text(f->dir, "2.csv", "姓名,金额\n李四,2\n王五,3\n");
    struct sj_import_opts opts = {.dataset = "合并"};
    struct sj_import_summary *s = tu_import_one(f->store, first, &opts);
    sj_import_summaries_free(s, 1);
    s = tu_import_one(f->store, p2, &opts);
    assert_int_equal(s->rows_imported, 2);
    sj_import_summaries_free(s, 1);
    struct sj_dataset_info info;
    struct sj_err err;
    assert_int_equal(sj_store_dataset_get(f->store, "合并", &info, &err), 0);
    assert_int_equal(info.row_count, 3);
    assert_int_equal(info.import_count, 2);
    sj_dataset_info_release(&info);
}

static void test_gb18030_file(void **state)
{
    struct tu_workspace *f = *state;
    /* "姓名,电话\n张三,13800138000\n" in GB18030. */
    const char *path = tu_write_text(f->dir, "gbk.csv",
                                     "\xD0\xD5\xC3\xFB,\xB5\xE7\xBB\xB0\n"
                                     "\xD5\xC5\xC8\xFD,13800138000\n");
    struct sj_import_summary *s = tu_import_one(f->store, path, NULL);
    static const char *const names[] = {"姓名", "电话"};
    static const enum sj_kind kinds[] = {SJ_KIND_NAME, SJ_KIND_PHONE};
    assert_columns(s, names, kinds, 2);
    assert_int_equal(s->rows_imported, 1);
    sj_import_summaries_free(s, 1);
    struct sj_row_page page;
    struct sj_err err;
    assert_int_equal(sj_store_rows(f->store, "gbk", 0, 10, &page, &err), 0);
    assert_string_equal(page.rows[0].cells[0].raw, "张三");
    sj_row_page_release(&page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_WORKSPACE_TEST(test_import_statement),
        TU_WORKSPACE_TEST(test_reimport_changes_nothing),
        TU_WORKSPACE_TEST(test_names_of_columns),
        TU_WORKSPACE_TEST(test_unnamed_data_column),
        TU_WORKSPACE_TEST(test_mapping_and_dataset_option),
        TU_WORKSPACE_TEST(test_bad_rows_add_up),
        TU_WORKSPACE_TEST(test_header_only_and_empty),
        TU_WORKSPACE_TEST(test_append_two_files),
        TU_WORKSPACE_TEST(test_gb18030_file),
    };
    return cmocka_run_group_tests_name("ingest_import", tests, NULL, NULL);
}
