/*
 * test_store.c - unit tests of src/store against real SQLite files in a fresh temporary
 * directory per test: creating, migrating and reopening a workspace; importing rows and
 * reading them back with provenance; duplicate files; aborts that leave nothing behind;
 * appending; column mismatches; dropping; and reject counts that add up. The database is
 * also inspected directly with sqlite3 where the API cannot see (tables, indexes, pragmas).
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
#include <sqlite3.h>

#include "shujian/plan.h"
#include "shujian/store.h"
#include "test_util.h"

/* ---- Fixture: a temporary directory in which each test opens the workspace itself -------- */

static int setup(void **state)
{
    *state = tu_workspace_new("sj-store", false);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    return tu_workspace_teardown(state);
}

static struct sj_store *open_ws(struct tu_workspace *f)
{
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_store_open(f->ws, true, &f->store, &err);
    if (rc != 0)
        fail_msg("open: %s", err.message);
    return f->store;
}

/* Opens the workspace database directly for inspection. */
static sqlite3 *raw_db(struct tu_workspace *f)
{
    char path[400];
    sqlite3 *db = NULL;
    snprintf(path, sizeof path, "%s/%s", f->ws, SJ_WORKSPACE_DB);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    return db;
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    int64_t v = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

/* ---- Test data: a small table of people and amounts -------------------------------------- */

static const struct sj_column_def people_cols[] = {
    {"姓名", SJ_KIND_NAME},
    {"身份证号", SJ_KIND_IDCARD},
    {"金额", SJ_KIND_AMOUNT},
    {"备注", SJ_KIND_TEXT},
};
#define PEOPLE_NCOLS SJ_ARRAY_LEN(people_cols)

/* One row of input: raw values, and for kind columns whether normalisation succeeded. */
struct person {
    int64_t source_row;
    const char *raw[PEOPLE_NCOLS];
    const char *norm[PEOPLE_NCOLS]; /* canonical value; NULL = invalid (reason given) */
    int64_t fen;                    /* amount in fen when valid */
};

/* Synthetic people; id numbers carry valid GB 11643 check digits. */
static const struct person people[] = {
    {2,
     {"张三", "110101199003070011", "1,234.50", "首犯"},
     {"张三", "110101199003070011", "x"},
     123450},
    {3, {"李四", "11010119900307001X", "", ""}, {"李四", NULL, NULL}, 0},
    {5, {"王五", "", "¥20", "备注，带逗号"}, {"王五", NULL, "x"}, 2000},
};

static struct sj_import_source source(const char *file, const char *sha, const char *sheet)
{
    struct sj_import_source s = {
        .file_name = file,
        .file_path = file,
        .file_size = 1234,
        .sha256 = sha,
        .sheet = sheet,
        .format = "csv",
        .encoding = "utf-8",
    };
    return s;
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static void add_person(struct sj_import *imp, const struct person *p)
{
    struct sj_norm_result norms[PEOPLE_NCOLS];
    struct sj_import_cell cells[PEOPLE_NCOLS];
    for (size_t i = 0; i < PEOPLE_NCOLS; i++) {
        struct sj_norm_result *n = &norms[i];
        memset(n, 0, sizeof *n);
        cells[i].raw = sj_str_from_cstr(p->raw[i]);
        cells[i].norm = NULL;
        if (people_cols[i].kind == SJ_KIND_TEXT || p->raw[i][0] == '\0')
            continue;
        n->kind = people_cols[i].kind;
        n->is_valid = p->norm[i] != NULL;
        if (n->is_valid && n->kind == SJ_KIND_AMOUNT) {
            n->number = p->fen;
            n->value_len = (size_t)snprintf(n->value, sizeof n->value, "%lld", (long long)p->fen);
        } else if (n->is_valid) {
            n->value_len = (size_t)snprintf(n->value, sizeof n->value, "%s", p->norm[i]);
        } else {
            snprintf(n->reason, sizeof n->reason, "校验码不符");
        }
        cells[i].norm = n;
    }
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_import_add_row(imp, p->source_row, cells, &err) != 0)
        fail_msg("add_row: %s", err.message);
}

/* Imports the people table from one file; returns the run id. */
static int64_t import_people(struct sj_store *store, const char *dataset, const char *file,
                             const char *sha, bool with_reject, struct sj_import_counts *counts)
{
    struct sj_import *imp = NULL;
    struct sj_import_source src = source(file, sha, "");
    struct sj_err err;
    sj_err_clear(&err);
    int64_t prev = 0;
    int rc = sj_import_begin(store, dataset, people_cols, PEOPLE_NCOLS, &src, &imp, &prev, &err);
    if (rc != 0)
        fail_msg("begin: %s", err.message);
    for (size_t i = 0; i < SJ_ARRAY_LEN(people); i++)
        add_person(imp, &people[i]);
    if (with_reject)
        assert_int_equal(sj_import_reject_row(imp, 4, 0, NULL, SJ_STR_LIT("赵六,1,2"),
                                              "列数不符：应为4列，实际3列", &err),
                         0);
    struct sj_import_counts c;
    rc = sj_import_commit(imp, &c, &err);
    if (rc != 0)
        fail_msg("commit: %s", err.message);
    if (counts)
        *counts = c;
    return c.run_id;
}

static int64_t dataset_rows(struct sj_store *store, const char *name)
{
    struct sj_dataset_info info;
    if (sj_store_dataset_get(store, name, &info, NULL) != 0)
        return -1;
    int64_t n = info.row_count;
    sj_dataset_info_release(&info);
    return n;
}

/* ---- Opening ------------------------------------------------------------------------------ */

static void test_open_missing(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_err err;
    sj_err_clear(&err);
    struct sj_store *store = (struct sj_store *)1;
    assert_int_equal(sj_store_open(f->ws, false, &store, &err), SJ_ENOTFOUND);
    assert_null(store);
    assert_non_null(strstr(err.message, f->ws));
    struct stat st;
    assert_int_not_equal(stat(f->ws, &st), 0); /* nothing was created */
}

static void test_create_migrate_reopen(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    assert_true(sj_store_schema_version(store) >= 1);
    assert_string_equal(sj_store_dir(store), f->ws);
    int version = sj_store_schema_version(store);
    sj_store_close(store);
    f->store = NULL;

    struct stat st;
    assert_int_equal(stat(f->ws, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    sqlite3 *db = raw_db(f);
    assert_int_equal(query_int(db, "PRAGMA user_version"), version);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                   "name IN ('meta', 'datasets', 'dataset_columns', "
                                   "'import_runs', 'rejects')"),
                     5);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
    sqlite3_finalize(stmt);
    sqlite3_close(db);

    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_store_open(f->ws, false, &f->store, &err), 0);
    assert_int_equal(sj_store_schema_version(f->store), version);
}

static void test_newer_schema_refused(void **state)
{
    struct tu_workspace *f = *state;
    sj_store_close(open_ws(f));
    f->store = NULL;
    sqlite3 *db = raw_db(f);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_store_open(f->ws, false, &f->store, &err), SJ_EDB);
    assert_null(f->store);
    assert_non_null(strstr(err.message, "999"));
}

static void test_empty_file_is_migrated(void **state)
{
    struct tu_workspace *f = *state;
    char path[400];
    assert_int_equal(mkdir(f->ws, 0700), 0);
    snprintf(path, sizeof path, "%s/%s", f->ws, SJ_WORKSPACE_DB);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_store_open(f->ws, false, &f->store, &err), 0);
    assert_true(sj_store_schema_version(f->store) >= 1);
    struct sj_dataset_info *list = NULL;
    size_t n = 99;
    assert_int_equal(sj_store_dataset_list(f->store, &list, &n, &err), 0);
    assert_int_equal(n, 0);
    sj_dataset_list_free(list, n);
}

static void test_default_dir(void **state)
{
    (void)state;
    char *saved = getenv("SHUJIAN_WORKSPACE") ? strdup(getenv("SHUJIAN_WORKSPACE")) : NULL;
    unsetenv("SHUJIAN_WORKSPACE");
    assert_string_equal(sj_store_default_dir(NULL), SJ_WORKSPACE_DEFAULT);
    assert_string_equal(sj_store_default_dir("/x/flag"), "/x/flag");
    setenv("SHUJIAN_WORKSPACE", "/x/env", 1);
    assert_string_equal(sj_store_default_dir(NULL), "/x/env");
    assert_string_equal(sj_store_default_dir("/x/flag"), "/x/flag");
    setenv("SHUJIAN_WORKSPACE", "", 1);
    assert_string_equal(sj_store_default_dir(NULL), SJ_WORKSPACE_DEFAULT);
    if (saved)
        setenv("SHUJIAN_WORKSPACE", saved, 1);
    else
        unsetenv("SHUJIAN_WORKSPACE");
    free(saved);
}

/* ---- Importing and reading back ------------------------------------------------------------ */

static void test_import_read_back(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    struct sj_import_counts c;
    int64_t run = import_people(store, "人员", "people.csv", SHA_A, false, &c);
    assert_true(run > 0);
    assert_int_equal(c.rows_imported, 3);
    assert_int_equal(c.rows_rejected, 0);
    assert_int_equal(c.rows_read, 3);
    assert_int_equal(c.cells_flagged, 1); /* 李四's id number */

    struct sj_row_page page;
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_store_rows(store, "人员", 0, 100, &page, &err), 0);
    assert_int_equal(page.column_count, PEOPLE_NCOLS);
    assert_int_equal(page.row_count, SJ_ARRAY_LEN(people));
    for (size_t r = 0; r < page.row_count; r++) {
        const struct sj_row *row = &page.rows[r];
        const struct person *p = &people[r];
        assert_int_equal(row->run_id, run);
        assert_string_equal(row->file_name, "people.csv");
        assert_string_equal(row->sheet, "");
        assert_int_equal(row->source_row, p->source_row);
        for (size_t i = 0; i < PEOPLE_NCOLS; i++) {
            const struct sj_row_cell *cell = &row->cells[i];
            if (p->raw[i][0] == '\0')
                assert_null(cell->raw);
            else
                assert_string_equal(cell->raw, p->raw[i]);
            if (people_cols[i].kind == SJ_KIND_TEXT || !p->norm[i] || !p->raw[i][0])
                assert_null(cell->norm);
            else if (people_cols[i].kind == SJ_KIND_AMOUNT)
                assert_int_equal(strtoll(cell->norm, NULL, 10), p->fen);
            else
                assert_string_equal(cell->norm, p->norm[i]);
        }
    }
    sj_row_page_release(&page);

    /* The amount is stored as an INTEGER number of fen, the id number as TEXT. */
    sqlite3 *db = raw_db(f);
    assert_int_equal(query_int(db, "SELECT sum(c3_n) FROM ds_1"), 123450 + 2000);
    assert_int_equal(query_int(db, "SELECT count(*) FROM ds_1 WHERE typeof(c3_n) = 'integer'"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM ds_1 WHERE typeof(c2_n) = 'text'"), 1);
    sqlite3_close(db);
}

static void test_paging(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    import_people(store, "人员", "a.csv", SHA_A, false, NULL);
    import_people(store, "人员", "b.csv", SHA_B, false, NULL);
    struct sj_row_page page;
    assert_int_equal(sj_store_rows(store, "人员", 2, 3, &page, NULL), 0);
    assert_int_equal(page.row_count, 3);
    /* Rows 3..5 in import order: the last of a.csv, then the first two of b.csv. */
    assert_string_equal(page.rows[0].file_name, "a.csv");
    assert_int_equal(page.rows[0].source_row, people[2].source_row);
    assert_string_equal(page.rows[1].file_name, "b.csv");
    assert_int_equal(page.rows[1].source_row, people[0].source_row);
    assert_true(page.rows[0].row_id < page.rows[1].row_id);
    assert_true(page.rows[0].run_id < page.rows[1].run_id);
    sj_row_page_release(&page);
    assert_int_equal(sj_store_rows(store, "人员", 6, 10, &page, NULL), 0);
    assert_int_equal(page.row_count, 0);
    sj_row_page_release(&page);
    assert_int_equal(sj_store_rows(store, "人员", 0, 0, &page, NULL), SJ_EINVAL);
    assert_int_equal(sj_store_rows(store, "无此数据集", 0, 10, &page, NULL), SJ_ENOTFOUND);
}

static int count_rows(void *ctx, size_t n, const char *const *names, const char *const *values)
{
    (void)n;
    (void)names;
    (void)values;
    (*(int *)ctx)++;
    return 0;
}

static void run_plan(struct sj_store *store, const char *sql)
{
    struct sj_model_plan plan = {.sql = (char *)sql};
    struct sj_err err;
    int rows = 0;
    sj_err_clear(&err);
    assert_int_equal(sj_store_plan_query(store, &plan, count_rows, &rows, &err), 0);
    assert_int_equal(rows, 1);
}

/* The value of a one-row, one-column query run as a model's plan runs. */
static long long plan_value(struct sj_store *store, const char *sql)
{
    struct sj_err err;
    long long value;
    assert_int_equal(tu_plan_value(store, sql, &value, &err), 0);
    return value;
}

/* A connection set to scan fast (sj_store_scan_fast: the file read through a memory map, as
 * the CLI's model run does) sees what another connection commits afterwards, in the
 * write-ahead log and after a checkpoint grew the database file past what was mapped. */
static void test_mapped_reads_see_later_commits(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    struct sj_err err;
    sj_err_clear(&err);
    sqlite3 *db = raw_db(f);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(v BLOB)", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sj_store_scan_fast(store, &err), 0);
    assert_int_equal(plan_value(store, "SELECT count(*) FROM t"), 0);
    static const char grow[] = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                               "WHERE i < 500) INSERT INTO t SELECT zeroblob(8000) FROM n";
    assert_int_equal(sqlite3_exec(db, grow, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(plan_value(store, "SELECT count(*) FROM t"), 500);
    assert_int_equal(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, grow, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(plan_value(store, "SELECT count(*) FROM t"), 1000);
    assert_int_equal(plan_value(store, "SELECT sum(length(v)) FROM t"), 8000000);
    sqlite3_close(db);
}

/* Key-column indexes are not built at import but when a plan first reads the dataset:
 * name and ID get one, amount and text none, and a dataset the plan does not name none. */
static void test_indexes_on_key_columns(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    import_people(store, "人员", "a.csv", SHA_A, false, NULL);
    import_people(store, "人员2", "b.csv", SHA_B, false, NULL);
    sqlite3 *db = raw_db(f);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                   "AND name LIKE 'ds\\_%' ESCAPE '\\'"),
                     0);
    run_plan(store, "SELECT count(*) FROM ds_1");
    run_plan(store, "SELECT count(*) FROM ds_1"); /* second run: nothing more to build */
    static const struct {
        const char *sql;
        int64_t want;
    } cases[] = {
        {"SELECT count(*) FROM pragma_index_info('ds_1_c1_n') WHERE name = 'c1_n'", 1}, /* name */
        {"SELECT count(*) FROM pragma_index_info('ds_1_c2_n') WHERE name = 'c2_n'", 1}, /* id */
        {"SELECT count(*) FROM pragma_index_list('ds_1')", 2}, /* not amount, not text */
        {"SELECT count(*) FROM pragma_index_list('ds_2')", 0}, /* not read by the plan */
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++)
        assert_int_equal(query_int(db, cases[i].sql), cases[i].want);
    run_plan(store, "SELECT count(*) FROM ds_2 AS t");
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_index_list('ds_2')"), 2);
    sqlite3_close(db);
}

static void test_duplicate_changes_nothing(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    int64_t run = import_people(store, "人员", "a.csv", SHA_A, true, NULL);

    struct sj_import *imp = (struct sj_import *)1;
    struct sj_import_source src = source("a-copy.csv", SHA_A, "");
    struct sj_err err;
    sj_err_clear(&err);
    int64_t prev = 0;
    assert_int_equal(
        sj_import_begin(store, "人员", people_cols, PEOPLE_NCOLS, &src, &imp, &prev, &err),
        SJ_EEXIST);
    assert_null(imp);
    assert_int_equal(prev, run);
    assert_non_null(strstr(err.message, "a.csv"));

    struct sj_dataset_info info;
    assert_int_equal(sj_store_dataset_get(store, "人员", &info, NULL), 0);
    assert_int_equal(info.row_count, 3);
    assert_int_equal(info.import_count, 1);
    assert_int_equal(info.reject_count, 1);
    sj_dataset_info_release(&info);

    /* The same bytes as another sheet, or into another dataset, are not duplicates. */
    src.sheet = "Sheet2";
    assert_int_equal(
        sj_import_begin(store, "人员", people_cols, PEOPLE_NCOLS, &src, &imp, &prev, &err), 0);
    sj_import_abort(imp);
    import_people(store, "人员副本", "a.csv", SHA_A, false, NULL);
    assert_int_equal(dataset_rows(store, "人员副本"), 3);
}

static void test_abort_leaves_nothing(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    struct sj_import *imp = NULL;
    struct sj_import_source src = source("a.csv", SHA_A, "");
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(
        sj_import_begin(store, "人员", people_cols, PEOPLE_NCOLS, &src, &imp, NULL, &err), 0);
    for (size_t i = 0; i < SJ_ARRAY_LEN(people); i++)
        add_person(imp, &people[i]);
    assert_int_equal(sj_import_reject_row(imp, 9, 2, "身份证号", SJ_STR_LIT("x"), "坏", &err), 0);
    sj_import_abort(imp);

    struct sj_dataset_info info;
    assert_int_equal(sj_store_dataset_get(store, "人员", &info, NULL), SJ_ENOTFOUND);
    sqlite3 *db = raw_db(f);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'ds_%'"), 0);
    assert_int_equal(query_int(db, "SELECT (SELECT count(*) FROM datasets) + (SELECT count(*) "
                                   "FROM import_runs) + (SELECT count(*) FROM rejects) + "
                                   "(SELECT count(*) FROM dataset_columns)"),
                     0);
    sqlite3_close(db);

    /* An aborted append leaves the existing dataset as it was. */
    import_people(store, "人员", "a.csv", SHA_A, false, NULL);
    src = source("b.csv", SHA_B, "");
    assert_int_equal(
        sj_import_begin(store, "人员", people_cols, PEOPLE_NCOLS, &src, &imp, NULL, &err), 0);
    add_person(imp, &people[0]);
    sj_import_abort(imp);
    assert_int_equal(dataset_rows(store, "人员"), 3);
    /* After an abort the same file can be imported. */
    import_people(store, "人员", "b.csv", SHA_B, false, NULL);
    assert_int_equal(dataset_rows(store, "人员"), 6);
}

static void test_append_matching(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    int64_t run1 = import_people(store, "人员", "a.csv", SHA_A, true, NULL);
    int64_t run2 = import_people(store, "人员", "b.csv", SHA_B, false, NULL);
    assert_true(run2 > run1);
    struct sj_dataset_info info;
    assert_int_equal(sj_store_dataset_get(store, "人员", &info, NULL), 0);
    assert_int_equal(info.row_count, 6);
    assert_int_equal(info.import_count, 2);
    assert_int_equal(info.reject_count, 1);
    assert_int_equal(info.flagged_cells, 2);
    assert_int_equal(info.column_count, PEOPLE_NCOLS);
    for (size_t i = 0; i < PEOPLE_NCOLS; i++) {
        assert_string_equal(info.columns[i].name, people_cols[i].name);
        assert_int_equal(info.columns[i].kind, people_cols[i].kind);
    }
    sj_dataset_info_release(&info);
}

struct mismatch_case {
    const char *name;
    struct sj_column_def cols[6];
    size_t count;
    int want_rc;
    const char *want_message; /* substring */
};

static const struct mismatch_case mismatch_cases[] = {
    {"renamed column",
     {{"姓名", SJ_KIND_NAME},
      {"证件号码", SJ_KIND_IDCARD},
      {"金额", SJ_KIND_AMOUNT},
      {"备注", SJ_KIND_TEXT}},
     4,
     SJ_EFORMAT,
     "第2列应为“身份证号”，此文件为“证件号码”"},
    {"swapped columns",
     {{"身份证号", SJ_KIND_IDCARD},
      {"姓名", SJ_KIND_NAME},
      {"金额", SJ_KIND_AMOUNT},
      {"备注", SJ_KIND_TEXT}},
     4,
     SJ_EFORMAT,
     "第1列应为“姓名”，此文件为“身份证号”"},
    {"extra column",
     {{"姓名", SJ_KIND_NAME},
      {"身份证号", SJ_KIND_IDCARD},
      {"金额", SJ_KIND_AMOUNT},
      {"备注", SJ_KIND_TEXT},
      {"电话", SJ_KIND_PHONE}},
     5,
     SJ_EFORMAT,
     "多出第5列“电话”"},
    {"missing column",
     {{"姓名", SJ_KIND_NAME}, {"身份证号", SJ_KIND_IDCARD}, {"金额", SJ_KIND_AMOUNT}},
     3,
     SJ_EFORMAT,
     "缺少第4列“备注”"},
    {"conflicting kind",
     {{"姓名", SJ_KIND_NAME},
      {"身份证号", SJ_KIND_PHONE},
      {"金额", SJ_KIND_AMOUNT},
      {"备注", SJ_KIND_TEXT}},
     4,
     SJ_EFORMAT,
     "第2列“身份证号”"},
    {"text where a kind was: allowed",
     {{"姓名", SJ_KIND_TEXT},
      {"身份证号", SJ_KIND_IDCARD},
      {"金额", SJ_KIND_TEXT},
      {"备注", SJ_KIND_TEXT}},
     4,
     0,
     NULL},
    {"a kind where text was: allowed",
     {{"姓名", SJ_KIND_NAME},
      {"身份证号", SJ_KIND_IDCARD},
      {"金额", SJ_KIND_AMOUNT},
      {"备注", SJ_KIND_DATE}},
     4,
     0,
     NULL},
};

static void test_append_mismatch(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    import_people(store, "人员", "a.csv", SHA_A, false, NULL);
    for (size_t i = 0; i < SJ_ARRAY_LEN(mismatch_cases); i++) {
        const struct mismatch_case *c = &mismatch_cases[i];
        struct sj_import *imp = NULL;
        struct sj_import_source src = source("b.csv", SHA_B, "");
        struct sj_err err;
        sj_err_clear(&err);
        int rc = sj_import_begin(store, "人员", c->cols, c->count, &src, &imp, NULL, &err);
        if (rc != c->want_rc)
            fail_msg("%s: got %d (%s), want %d", c->name, rc, err.message, c->want_rc);
        if (c->want_message && !strstr(err.message, c->want_message))
            fail_msg("%s: message '%s' lacks '%s'", c->name, err.message, c->want_message);
        if (rc == 0) {
            /* The dataset's kinds win. */
            for (size_t k = 0; k < PEOPLE_NCOLS; k++)
                assert_int_equal(sj_import_column_kind(imp, k), people_cols[k].kind);
            assert_int_equal(sj_import_column_kind(imp, 99), SJ_KIND_TEXT);
            sj_import_abort(imp);
        } else {
            assert_null(imp);
        }
        assert_int_equal(dataset_rows(store, "人员"), 3);
    }
}

static void test_drop(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    import_people(store, "人员", "a.csv", SHA_A, true, NULL);
    import_people(store, "其他", "a.csv", SHA_A, true, NULL);
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_store_dataset_drop(store, "人员", &err), 0);
    assert_int_equal(dataset_rows(store, "人员"), -1);
    assert_int_equal(sj_store_dataset_drop(store, "人员", &err), SJ_ENOTFOUND);
    assert_non_null(strstr(err.message, "人员"));
    assert_int_equal(dataset_rows(store, "其他"), 3);

    sqlite3 *db = raw_db(f);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'ds_1'"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'ds_2'"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM import_runs WHERE dataset_id = 1"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM rejects WHERE dataset_id = 1"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM dataset_columns WHERE dataset_id = 1"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM rejects WHERE dataset_id = 2"), 2);
    sqlite3_close(db);

    /* A dropped name can be used again, and its file is no longer a duplicate. */
    import_people(store, "人员", "a.csv", SHA_A, false, NULL);
    assert_int_equal(dataset_rows(store, "人员"), 3);
}

static void test_reject_counts_add_up(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    struct sj_import_counts c1, c2;
    import_people(store, "人员", "a.csv", SHA_A, true, &c1);
    import_people(store, "人员", "b.csv", SHA_B, true, &c2);
    assert_int_equal(c1.rows_read, c1.rows_imported + c1.rows_rejected);
    assert_int_equal(c1.rows_rejected, 1);

    struct sj_reject *list = NULL;
    size_t n = 0;
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_store_rejects(store, "人员", &list, &n, &err), 0);
    int64_t rows = 0, cells = 0;
    for (size_t i = 0; i < n; i++) {
        if (list[i].is_row) {
            rows++;
            assert_int_equal(list[i].row, 4);
            assert_int_equal(list[i].column, 0);
            assert_string_equal(list[i].raw, "赵六,1,2");
        } else {
            cells++;
            assert_int_equal(list[i].row, 3);
            assert_int_equal(list[i].column, 2);
            assert_string_equal(list[i].field, "身份证号");
            assert_string_equal(list[i].raw, "11010119900307001X");
            assert_string_equal(list[i].reason, "校验码不符");
        }
    }
    /* File/row order: run 1's cell (row 3) and reject (row 4), then run 2's. */
    assert_int_equal(n, 4);
    assert_string_equal(list[0].file_name, "a.csv");
    assert_int_equal(list[0].row, 3);
    assert_int_equal(list[1].row, 4);
    assert_string_equal(list[2].file_name, "b.csv");
    sj_reject_list_free(list, n);

    struct sj_dataset_info info;
    assert_int_equal(sj_store_dataset_get(store, "人员", &info, NULL), 0);
    assert_int_equal(info.reject_count, rows);
    assert_int_equal(info.flagged_cells, cells);
    assert_int_equal(info.reject_count, c1.rows_rejected + c2.rows_rejected);
    assert_int_equal(info.flagged_cells, c1.cells_flagged + c2.cells_flagged);
    assert_int_equal(info.row_count, c1.rows_imported + c2.rows_imported);
    sj_dataset_info_release(&info);
}

static void test_list_ordered_by_name(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    import_people(store, "b", "a.csv", SHA_A, false, NULL);
    import_people(store, "a", "a.csv", SHA_A, false, NULL);
    import_people(store, "c", "c.csv", SHA_C, false, NULL);
    struct sj_dataset_info *list = NULL;
    size_t n = 0;
    assert_int_equal(sj_store_dataset_list(store, &list, &n, NULL), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].name, "a");
    assert_string_equal(list[1].name, "b");
    assert_string_equal(list[2].name, "c");
    assert_int_equal(list[1].id, 1);
    assert_int_equal(list[0].column_count, PEOPLE_NCOLS);
    assert_non_null(strchr(list[0].created_at, 'T'));
    sj_dataset_list_free(list, n);
}

static void test_begin_rejects_bad_input(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    struct sj_import_source src = source("a.csv", SHA_A, "");
    struct sj_import_source no_sha = source("a.csv", NULL, "");
    struct sj_column_def auto_col = {"x", SJ_KIND_AUTO};
    struct sj_import *imp = NULL;
    static const char long_name[] = "数据集名称很长很长很长很长很长很长很长很长很长很长很长很长很长"
                                    "很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长"
                                    "很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长";
    assert_int_equal(sj_import_begin(store, "", people_cols, PEOPLE_NCOLS, &src, &imp, NULL, NULL),
                     SJ_EINVAL);
    assert_int_equal(
        sj_import_begin(store, "a\nb", people_cols, PEOPLE_NCOLS, &src, &imp, NULL, NULL),
        SJ_EINVAL);
    assert_int_equal(
        sj_import_begin(store, long_name, people_cols, PEOPLE_NCOLS, &src, &imp, NULL, NULL),
        SJ_EINVAL);
    assert_int_equal(sj_import_begin(store, "x", people_cols, 0, &src, &imp, NULL, NULL),
                     SJ_EINVAL);
    assert_int_equal(sj_import_begin(store, "x", &auto_col, 1, &src, &imp, NULL, NULL), SJ_EINVAL);
    assert_int_equal(
        sj_import_begin(store, "x", people_cols, PEOPLE_NCOLS, &no_sha, &imp, NULL, NULL),
        SJ_EINVAL);

    /* One import at a time per store; nothing else may write meanwhile. */
    assert_int_equal(sj_import_begin(store, "x", people_cols, PEOPLE_NCOLS, &src, &imp, NULL, NULL),
                     0);
    struct sj_import *second = NULL;
    assert_int_equal(
        sj_import_begin(store, "y", people_cols, PEOPLE_NCOLS, &src, &second, NULL, NULL),
        SJ_EINVAL);
    assert_int_equal(sj_store_dataset_drop(store, "x", NULL), SJ_EINVAL);
    sj_import_abort(imp);
    sj_import_abort(NULL);
}

/* A second connection sees nothing of an import until it commits. */
static void test_import_isolated_until_commit(void **state)
{
    struct tu_workspace *f = *state;
    struct sj_store *store = open_ws(f);
    struct sj_store *other = NULL;
    assert_int_equal(sj_store_open(f->ws, false, &other, NULL), 0);
    struct sj_import *imp = NULL;
    struct sj_import_source src = source("a.csv", SHA_A, "");
    assert_int_equal(
        sj_import_begin(store, "人员", people_cols, PEOPLE_NCOLS, &src, &imp, NULL, NULL), 0);
    add_person(imp, &people[0]);
    assert_int_equal(dataset_rows(other, "人员"), -1);
    assert_int_equal(sj_import_commit(imp, NULL, NULL), 0);
    assert_int_equal(dataset_rows(other, "人员"), 1);
    sj_store_close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mapped_reads_see_later_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_migrate_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file_is_migrated, setup, teardown),
        cmocka_unit_test(test_default_dir),
        cmocka_unit_test_setup_teardown(test_import_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indexes_on_key_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_matching, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject_counts_add_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_ordered_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_begin_rejects_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_isolated_until_commit, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
