/*
 * test_ingest_import_rows.c - files long enough to go through the import's reading thread
 * (rows after the first 60 are read and normalised on a second thread in batches of up to
 * 256 rows or 1 MiB of text): every row arrives once, in file order, with its own values
 * and source row; rejected rows and flagged cells on either side of a batch boundary are
 * counted and listed; big cells that close batches early survive intact; a read error
 * late in the file imports nothing and leaves the store usable; raw values read back
 * exactly whether or not they equal their normalised value (the store keeps a raw copy
 * only when they differ); and the progress callback's calls are few, monotonic and end at
 * the file's size. ID numbers are synthetic with computed check digits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "shujian/ingest.h"
#include "test_util.h"

static FILE *create_file(struct tu_workspace *f, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    return fp;
}

/* An 18-digit ID number for row i: region 110105, a birth date from i, check digit
 * computed by GB 11643. */
static void idcard_for(int i, char out[19])
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    char digits[40];
    snprintf(digits, sizeof digits, "110105%04d%02d%02d%03d", 1950 + i % 50, 1 + i % 12, 1 + i % 28,
             i % 1000);
    memcpy(out, digits, 17);
    int sum = 0;
    for (int k = 0; k < 17; k++)
        sum += (out[k] - '0') * weights[k];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

/* Every file here is written in UTF-8. */
static const struct sj_import_opts utf8 = {.encoding = "utf-8"};

/* ---- Many rows ------------------------------------------------------------------------------ */

#define MANY_ROWS 3000

/* What data row d (1-based; file line d + 1) holds, or why it is rejected. */
enum row_fate { ROW_GOOD, ROW_FLAGGED, ROW_TOO_WIDE, ROW_HEADER, ROW_BAD_BYTES };

static enum row_fate fate_of(int d)
{
    switch (d) {
    case 59:
    case 60:
    case 61:
    case 300:
    case 317:
    case 1083:
    case 1084:
    case 2999: /* around batch edges */
        return ROW_TOO_WIDE;
    case 62:
    case 318:
    case 1000:
    case 2107:
    case 2108:
        return ROW_FLAGGED;
    case 1500:
        return ROW_HEADER;
    case MANY_ROWS:
        return ROW_BAD_BYTES;
    default:
        return ROW_GOOD;
    }
}

static void write_many(FILE *fp)
{
    fputs("姓名,身份证号,金额,备注\n", fp);
    for (int d = 1; d <= MANY_ROWS; d++) {
        char id[19];
        idcard_for(d, id);
        switch (fate_of(d)) {
        case ROW_TOO_WIDE:
            fprintf(fp, "张三,%s,%d.%02d,第%d行,多余\n", id, d / 100, d % 100, d);
            break;
        case ROW_FLAGGED:
            fprintf(fp, "李四,%s,不详,第%d行\n", id, d);
            break;
        case ROW_HEADER:
            fputs("姓名,身份证号,金额,备注\n", fp);
            break;
        case ROW_BAD_BYTES:
            fprintf(fp, "王\xFF五,%s,1.00,第%d行\n", id, d);
            break;
        default:
            fprintf(fp, "%s,%s,%d.%02d,第%d行\n", d % 2 ? "赵六" : "欧阳娜娜", id, d / 100, d % 100,
                    d);
        }
    }
}

/* Every imported row, in order, holds exactly its own values. */
static void check_rows(struct tu_workspace *f, int64_t expected)
{
    struct sj_row_page page;
    struct sj_err err;
    assert_int_equal(sj_store_rows(f->store, "many", 0, MANY_ROWS + 10, &page, &err), 0);
    assert_int_equal((int64_t)page.row_count, expected);
    assert_int_equal(page.column_count, 4);
    size_t r = 0;
    for (int d = 1; d <= MANY_ROWS; d++) {
        enum row_fate fate = fate_of(d);
        if (fate != ROW_GOOD && fate != ROW_FLAGGED)
            continue;
        const struct sj_row *row = &page.rows[r++];
        char id[19], note[32], fen[32];
        idcard_for(d, id);
        snprintf(note, sizeof note, "第%d行", d);
        snprintf(fen, sizeof fen, "%d", d);
        if (row->source_row != d + 1)
            fail_msg("row %zu: source row %lld, want %d", r, (long long)row->source_row, d + 1);
        assert_string_equal(row->cells[1].raw, id);
        assert_string_equal(row->cells[1].norm, id);
        assert_string_equal(row->cells[3].raw, note);
        if (fate == ROW_FLAGGED)
            assert_null(row->cells[2].norm);
        else
            assert_string_equal(row->cells[2].norm, fen);
        assert_string_equal(row->cells[0].norm, fate == ROW_FLAGGED ? "李四"
                                                : d % 2             ? "赵六"
                                                                    : "欧阳娜娜");
    }
    sj_row_page_release(&page);
}

static void check_rejects(struct tu_workspace *f)
{
    struct sj_reject *rej = NULL;
    size_t n = 0;
    struct sj_err err;
    assert_int_equal(sj_store_rejects(f->store, "many", &rej, &n, &err), 0);
    size_t k = 0;
    for (int d = 1; d <= MANY_ROWS; d++) {
        enum row_fate fate = fate_of(d);
        if (fate == ROW_GOOD)
            continue;
        if (k >= n)
            fail_msg("no reject for data row %d", d);
        assert_int_equal(rej[k].row, d + 1);
        assert_int_equal(rej[k].is_row, fate != ROW_FLAGGED);
        if (fate == ROW_FLAGGED)
            assert_int_equal(rej[k].column, 3);
        if (fate == ROW_TOO_WIDE)
            assert_non_null(strstr(rej[k].raw, ",多余"));
        k++;
    }
    assert_int_equal(k, n);
    sj_reject_list_free(rej, n);
}

static void test_many_rows_in_order(void **state)
{
    struct tu_workspace *f = *state;
    char path[600];
    FILE *fp = create_file(f, "many.csv", path, sizeof path);
    write_many(fp);
    assert_int_equal(fclose(fp), 0);
    struct sj_import_summary *s = tu_import_one(f->store, path, &utf8);
    int64_t rejected = 0, flagged = 0;
    for (int d = 1; d <= MANY_ROWS; d++) {
        rejected += fate_of(d) != ROW_GOOD && fate_of(d) != ROW_FLAGGED;
        flagged += fate_of(d) == ROW_FLAGGED;
    }
    assert_int_equal(s->rows_read, MANY_ROWS);
    assert_int_equal(s->rows_rejected, rejected);
    assert_int_equal(s->cells_flagged, flagged);
    assert_int_equal(s->columns[2].kind, SJ_KIND_AMOUNT);
    sj_import_summaries_free(s, 1);
    check_rows(f, MANY_ROWS - rejected);
    check_rejects(f);
}

/* ---- Big cells ------------------------------------------------------------------------------ */

#define BIG_ROWS 400
#define BIG_CELL 9000 /* 400 rows of 9 kB: batches close on bytes, not rows */

static void test_big_cells_split_batches(void **state)
{
    struct tu_workspace *f = *state;
    char path[600];
    FILE *fp = create_file(f, "big.csv", path, sizeof path);
    fputs("编号,内容\n", fp);
    for (int d = 1; d <= BIG_ROWS; d++) {
        fprintf(fp, "%d,", d);
        for (int k = 0; k < BIG_CELL; k++)
            fputc('a' + (d + k) % 26, fp);
        fputc('\n', fp);
    }
    assert_int_equal(fclose(fp), 0);
    struct sj_import_summary *s = tu_import_one(f->store, path, &utf8);
    assert_int_equal(s->rows_imported, BIG_ROWS);
    sj_import_summaries_free(s, 1);
    struct sj_row_page page;
    struct sj_err err;
    assert_int_equal(sj_store_rows(f->store, "big", 0, BIG_ROWS, &page, &err), 0);
    assert_int_equal(page.row_count, BIG_ROWS);
    for (int d = 1; d <= BIG_ROWS; d++) {
        const char *cell = page.rows[d - 1].cells[1].raw;
        char id[16];
        snprintf(id, sizeof id, "%d", d);
        assert_string_equal(page.rows[d - 1].cells[0].raw, id);
        assert_int_equal(strlen(cell), BIG_CELL);
        for (int k = 0; k < BIG_CELL; k++) {
            if (cell[k] != 'a' + (d + k) % 26)
                fail_msg("row %d: byte %d is '%c'", d, k, cell[k]);
        }
    }
    sj_row_page_release(&page);
}

/* ---- A late read error ---------------------------------------------------------------------- */

static void test_late_error_imports_nothing(void **state)
{
    struct tu_workspace *f = *state;
    char path[600];
    FILE *fp = create_file(f, "late.csv", path, sizeof path);
    fputs("姓名,金额\n", fp);
    for (int d = 1; d <= 2000; d++)
        fprintf(fp, "张三,%d\n", d);
    fputs("李四,\"100\n", fp); /* a quote that never closes */
    assert_int_equal(fclose(fp), 0);
    struct sj_import_summary *sums = NULL;
    size_t count = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_ingest_import_file(f->store, path, NULL, &sums, &count, &err);
    assert_int_equal(rc, SJ_EFORMAT);
    assert_non_null(strstr(err.message, "引号"));
    assert_int_equal(count, 0);
    sj_import_summaries_free(sums, count);
    struct sj_dataset_info info;
    assert_int_equal(sj_store_dataset_get(f->store, "late", &info, &err), SJ_ENOTFOUND);
    /* The store is usable afterwards: the same rows without the broken one import. */
    fp = create_file(f, "late.csv", path, sizeof path);
    fputs("姓名,金额\n", fp);
    for (int d = 1; d <= 2000; d++)
        fprintf(fp, "张三,%d\n", d);
    assert_int_equal(fclose(fp), 0);
    struct sj_import_summary *s = tu_import_one(f->store, path, &utf8);
    assert_int_equal(s->rows_imported, 2000);
    sj_import_summaries_free(s, 1);
}

/* ---- Raw beside normalised ------------------------------------------------------------------ */

/* Cells of kinds with a text value (name, ID number, phone, date) whose raw text equals,
 * differs from, or fails their normalised value, or is blank: each reads back as it was. */
static void test_raw_kept_beside_norm(void **state)
{
    static const char *const cells[][4] = {
        /* raw name, raw phone, raw date, expected name norm */
        {"张三", "13800138000", "2024-01-02", "张三"},
        {"張三", "138 0013 8000", "2024年1月2日", "张三"},
        {"李四", "  ", "2024-13-45", "李四"},
        {"王五", "12", "", "王五"},
    };
    static const char *const phone_norm[] = {"13800138000", "13800138000", NULL, NULL};
    static const char *const date_norm[] = {"2024-01-02", "2024-01-02", NULL, NULL};
    struct tu_workspace *f = *state;
    char path[600];
    FILE *fp = create_file(f, "raw.csv", path, sizeof path);
    fputs("姓名,手机号,交易日期,身份证号\n", fp);
    int rows = 2000; /* most through the reading thread */
    for (int d = 1; d <= rows; d++) {
        char id[19];
        idcard_for(d, id);
        if (d % 40 == 3)
            id[17] = id[17] == '0' ? '1' : '0'; /* a wrong check digit, now and then */
        fprintf(fp, "%s,%s,%s,%s\n", cells[d % 4][0], cells[d % 4][1], cells[d % 4][2], id);
    }
    assert_int_equal(fclose(fp), 0);
    struct sj_import_summary *s = tu_import_one(f->store, path, &utf8);
    assert_int_equal(s->rows_imported, rows);
    assert_int_equal(s->columns[1].kind, SJ_KIND_PHONE);
    assert_int_equal(s->columns[2].kind, SJ_KIND_DATE);
    assert_int_equal(s->columns[3].kind, SJ_KIND_IDCARD);
    sj_import_summaries_free(s, 1);
    struct sj_row_page page;
    struct sj_err err;
    assert_int_equal(sj_store_rows(f->store, "raw", 0, rows, &page, &err), 0);
    assert_int_equal((int)page.row_count, rows);
    for (int d = 1; d <= rows; d++) {
        const struct sj_row_cell *c = page.rows[d - 1].cells;
        int k = d % 4;
        char id[19];
        idcard_for(d, id);
        if (d % 40 == 3)
            id[17] = id[17] == '0' ? '1' : '0';
        assert_string_equal(c[0].raw, cells[k][0]);
        assert_string_equal(c[0].norm, cells[k][3]);
        assert_string_equal(c[1].raw, cells[k][1]);
        if (phone_norm[k])
            assert_string_equal(c[1].norm, phone_norm[k]);
        else
            assert_null(c[1].norm);
        if (cells[k][2][0])
            assert_string_equal(c[2].raw, cells[k][2]);
        else
            assert_null(c[2].raw);
        if (date_norm[k])
            assert_string_equal(c[2].norm, date_norm[k]);
        else
            assert_null(c[2].norm);
        assert_string_equal(c[3].raw, id);
        if (d % 40 == 3)
            assert_null(c[3].norm);
        else
            assert_string_equal(c[3].norm, id);
    }
    sj_row_page_release(&page);
}

/* ---- Progress ------------------------------------------------------------------------------- */

#define PROGRESS_ROWS 30000
#define PROGRESS_CALLS_MAX 4096

struct progress_call {
    uint64_t bytes_done, bytes_total, rows;
    double at;
};

struct progress_log {
    struct progress_call calls[PROGRESS_CALLS_MAX];
    size_t count;
};

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record_progress(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows)
{
    struct progress_log *log = ctx;
    if (log->count < PROGRESS_CALLS_MAX)
        log->calls[log->count++] =
            (struct progress_call){bytes_done, bytes_total, rows, seconds_now()};
}

static void check_progress(const struct progress_log *log, uint64_t size, double seconds)
{
    assert_true(log->count >= 2); /* after the first stored batch, and at the end */
    const struct progress_call *last = &log->calls[log->count - 1];
    assert_int_equal(last->bytes_done, size);
    assert_int_equal(last->bytes_total, size);
    assert_int_equal(last->rows, PROGRESS_ROWS);
    bool has_middle = false;
    for (size_t i = 0; i + 1 < log->count; i++) {
        const struct progress_call *c = &log->calls[i], *next = &log->calls[i + 1];
        assert_int_equal(c->bytes_total, size);
        assert_true(c->bytes_done < size); /* only the last call says "done" */
        assert_true(next->bytes_done >= c->bytes_done);
        assert_true(next->rows >= c->rows);
        has_middle = has_middle || (c->rows > 0 && c->rows < PROGRESS_ROWS && c->bytes_done > 0);
        if (i > 0 && i + 2 < log->count) /* at most ten a second between first and last */
            assert_true(next->at - c->at >= 0.099);
    }
    assert_true(has_middle);
    assert_true((double)(log->count - 2) <= seconds * 10.0 + 1.0);
}

static void test_progress_calls(void **state)
{
    struct tu_workspace *f = *state;
    char path[600];
    FILE *fp = create_file(f, "progress.csv", path, sizeof path);
    fputs("姓名,身份证号,金额\n", fp);
    for (int d = 1; d <= PROGRESS_ROWS; d++) {
        char id[19];
        idcard_for(d, id);
        fprintf(fp, "%s,%s,%d.%02d\n", d % 3 ? "赵六" : "欧阳娜娜", id, d / 100, d % 100);
    }
    assert_int_equal(fclose(fp), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    struct progress_log *log = calloc(1, sizeof *log);
    assert_non_null(log);
    struct sj_import_opts opts = {
        .encoding = "utf-8", .progress = record_progress, .progress_ctx = log};
    double started = seconds_now();
    struct sj_import_summary *s = tu_import_one(f->store, path, &opts);
    double seconds = seconds_now() - started;
    assert_int_equal(s->rows_read, PROGRESS_ROWS);
    sj_import_summaries_free(s, 1);
    check_progress(log, (uint64_t)st.st_size, seconds);
    /* Imported before: no progress at all. */
    log->count = 0;
    s = tu_import_one(f->store, path, &opts);
    assert_true(s->already_imported);
    sj_import_summaries_free(s, 1);
    assert_int_equal(log->count, 0);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_WORKSPACE_TEST(test_many_rows_in_order),
        TU_WORKSPACE_TEST(test_big_cells_split_batches),
        TU_WORKSPACE_TEST(test_late_error_imports_nothing),
        TU_WORKSPACE_TEST(test_raw_kept_beside_norm),
        TU_WORKSPACE_TEST(test_progress_calls),
    };
    return cmocka_run_group_tests_name("ingest_import_rows", tests, NULL, NULL);
}
