/*
 * import.c - writing one source (a file or a sheet) into a dataset. An import is one
 * transaction from sj_import_begin to sj_import_commit: an abort, an error or a crash
 * leaves the workspace exactly as it was. Rows go through one prepared INSERT reused for
 * every row (bound parameters only; no per-row SELECT). No index is built here: the
 * key-column indexes are built when a model first reads the dataset (src/store/plan.c),
 * so an import that no model reads yet does not pay for them.
 * synchronous stays NORMAL during an import: OFF would save little (in WAL mode NORMAL
 * syncs only at checkpoints), and a power cut in the middle of the checkpoint that follows
 * a big commit could then leave a corrupt database, not just a lost import.
 *
 * Columns of kinds with a text value are split (cP_n, cP_r only where the raw text differs,
 * cP generated from both; see is_split_kind and store.h), which makes the table about a
 * quarter smaller to write; datasets created before keep their layout when appended to.
 * _run is a literal in the INSERT and NULL bindings are not repeated (bindings outlive
 * sqlite3_reset), so most rows bind only the values that change.
 *
 * Invariant: rows_read = rows_imported + rows_rejected; every flagged cell has one
 * rejects row with is_row = 0, every rejected row one with is_row = 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define SQL_NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
#define DATASET_NAME_MAX 200
/* Page cache of the connection while an import is open (KiB). Appending rows and building
 * an index from sorted keys touch only the right edge of each B-tree, so a big cache buys
 * nothing; and SQLite's sorter sorts in runs of the cache's size, which sort about twice
 * as fast when they fit the CPU's caches (docs/PERFORMANCE.md, import). The
 * connection's own cache size is restored when the import ends. */
#define IMPORT_CACHE_KIB 2048

struct sj_import {
    struct sj_store *store;
    int64_t dataset_id;
    bool has_failed; /* a statement failed: only abort is possible */
    size_t column_count;
    struct sj_column_def *columns; /* the dataset's columns (owned): names and kinds */
    bool *is_split;                /* per column: cP is generated over cP_r and cP_n */
    char *file_name;               /* owned copies for the rejects rows */
    char *sheet;
    sqlite3_stmt *insert_row;
    bool *is_null; /* per parameter of insert_row: bound to NULL now (bindings outlive reset) */
    sqlite3_stmt *insert_reject;
    struct sj_import_counts counts;
    int saved_cache_size; /* PRAGMA cache_size before the import, restored after it */
};

/* ---- Checks ------------------------------------------------------------------------------- */

static int check_name(const char *name, struct sj_err *err)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0)
        return sj_err_set(err, SJ_EINVAL, "数据集名称不能为空");
    if (len > DATASET_NAME_MAX)
        return sj_err_set(err, SJ_EINVAL, "数据集名称太长（最多 %d 字节）", DATASET_NAME_MAX);
    if (!sj_utf8_is_valid(sj_str_make(name, len), NULL))
        return sj_err_set(err, SJ_EINVAL, "数据集名称不是有效的 UTF-8 文本");
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return sj_err_set(err, SJ_EINVAL, "数据集名称不能含控制字符");
    }
    return 0;
}

static int check_columns(struct sj_store *store, const struct sj_column_def *columns, size_t count,
                         struct sj_err *err)
{
    if (count == 0)
        return sj_err_set(err, SJ_EINVAL, "没有任何列，无法导入");
    size_t sql_columns = 5; /* _row, _run, _src_row, and room for the provenance join */
    for (size_t i = 0; i < count; i++) {
        if (!columns[i].name)
            return sj_err_set(err, SJ_EINVAL, "column %zu has no name", i + 1);
        if ((unsigned)columns[i].kind >= SJ_KIND_AUTO)
            return sj_err_set(err, SJ_EINVAL, "column %zu has kind %d, not a storable kind", i + 1,
                              (int)columns[i].kind);
        sql_columns += columns[i].kind == SJ_KIND_TEXT ? 1 : 3;
    }
    int limit = sqlite3_limit(store->db, SQLITE_LIMIT_COLUMN, -1);
    if (sql_columns > (size_t)limit)
        return sj_err_set(err, SJ_ETOOBIG, "列太多（%zu 列），无法存入一个数据集", count);
    return 0;
}

/* Compares the file's columns with the dataset's; the message names the first difference.
 * A kind may differ where either side is text: the dataset's kind stays. */
static int match_columns(const struct sj_import *imp, const char *dataset,
                         const struct sj_column_def *cols, size_t count, struct sj_err *err)
{
    const struct sj_column_def *have = imp->columns;
    size_t common = count < imp->column_count ? count : imp->column_count;
    for (size_t i = 0; i < common; i++) {
        if (strcmp(have[i].name, cols[i].name) != 0)
            return sj_err_set(err, SJ_EFORMAT, "第%zu列应为“%s”，此文件为“%s”", i + 1, have[i].name,
                              cols[i].name);
        if (have[i].kind != cols[i].kind && have[i].kind != SJ_KIND_TEXT &&
            cols[i].kind != SJ_KIND_TEXT)
            return sj_err_set(err, SJ_EFORMAT, "第%zu列“%s”应为%s，此文件识别为%s", i + 1,
                              have[i].name, sj_kind_label(have[i].kind),
                              sj_kind_label(cols[i].kind));
    }
    if (count > imp->column_count)
        return sj_err_set(err, SJ_EFORMAT, "此文件多出第%zu列“%s”（数据集“%s”只有%zu列）",
                          common + 1, cols[common].name, dataset, imp->column_count);
    if (count < imp->column_count)
        return sj_err_set(err, SJ_EFORMAT, "此文件缺少第%zu列“%s”（数据集“%s”有%zu列）", common + 1,
                          have[common].name, dataset, imp->column_count);
    return 0;
}

/* ---- Creating a dataset -------------------------------------------------------------------- */

static int insert_dataset(struct sj_import *imp, const char *name, struct sj_err *err)
{
    struct sj_store *store = imp->store;
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare(store,
                              "INSERT INTO datasets (name, table_name, created_at, updated_at) "
                              "VALUES (?1, '', " SQL_NOW ", " SQL_NOW ")",
                              &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rc = sj_store_db_error(store, err, "creating the dataset");
        goto out;
    }
    imp->dataset_id = sqlite3_last_insert_rowid(store->db);
    sqlite3_finalize(stmt);
    rc = sj_store_prepare(store, "UPDATE datasets SET table_name = 'ds_' || id WHERE id = ?1",
                          &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, imp->dataset_id);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "naming the dataset's table");
out:
    sqlite3_finalize(stmt);
    return rc;
}

static int insert_columns(struct sj_import *imp, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare(imp->store,
                              "INSERT INTO dataset_columns (dataset_id, position, name, kind, "
                              "sql_name) VALUES (?1, ?2, ?3, ?4, ?5)",
                              &stmt, err);
    for (size_t i = 0; rc == 0 && i < imp->column_count; i++) {
        char sql_name[SJ_STORE_IDENT_MAX];
        snprintf(sql_name, sizeof sql_name, "c%zu", i + 1);
        sqlite3_bind_int64(stmt, 1, imp->dataset_id);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)(i + 1));
        sqlite3_bind_text(stmt, 3, imp->columns[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, sj_kind_name(imp->columns[i].kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, sql_name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            rc = sj_store_db_error(imp->store, err, "recording the dataset's columns");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* A column of a text-valued kind is stored split: cP_n as always, cP_r the raw text only
 * where it differs from cP_n byte for byte (most IDs, names and card numbers are already
 * normal), and cP a virtual generated column COALESCE(cP_r, cP_n) that reads as the raw
 * text. Readers see cP and cP_n as before; the table is a quarter smaller to write. */
static bool is_split_kind(enum sj_kind kind)
{
    return kind != SJ_KIND_TEXT && !sj_store_kind_is_integer(kind);
}

static int create_table(struct sj_import *imp, struct sj_err *err)
{
    struct sj_buf sql;
    sj_buf_init(&sql, 0);
    sj_buf_appendf(&sql,
                   "CREATE TABLE ds_%lld (_row INTEGER PRIMARY KEY, _run INTEGER NOT NULL, "
                   "_src_row INTEGER NOT NULL",
                   (long long)imp->dataset_id);
    for (size_t i = 0; i < imp->column_count; i++) {
        enum sj_kind kind = imp->columns[i].kind;
        size_t p = i + 1;
        if (is_split_kind(kind))
            sj_buf_appendf(&sql,
                           ", c%zu TEXT AS (COALESCE(c%zu_r, c%zu_n)), c%zu_n TEXT, c%zu_r TEXT", p,
                           p, p, p, p);
        else
            sj_buf_appendf(&sql, ", c%zu TEXT", p);
        if (kind != SJ_KIND_TEXT && !is_split_kind(kind))
            sj_buf_appendf(&sql, ", c%zu_n %s", p,
                           sj_store_kind_is_integer(kind) ? "INTEGER" : "TEXT");
    }
    sj_buf_append_cstr(&sql, ")");
    int rc = sj_store_exec(imp->store, sj_buf_cstr(&sql), err);
    sj_buf_release(&sql);
    return rc;
}

static void copy_columns(struct sj_import *imp, const struct sj_column_def *cols, size_t count)
{
    imp->column_count = count;
    imp->columns = sj_xcalloc(count, sizeof *imp->columns);
    imp->is_split = sj_xcalloc(count, sizeof *imp->is_split);
    for (size_t i = 0; i < count; i++) {
        imp->columns[i].name = sj_xstrdup(cols[i].name);
        imp->columns[i].kind = cols[i].kind;
        imp->is_split[i] = is_split_kind(cols[i].kind);
    }
}

static int create_dataset(struct sj_import *imp, const char *name, const struct sj_column_def *cols,
                          size_t count, struct sj_err *err)
{
    copy_columns(imp, cols, count);
    int rc = insert_dataset(imp, name, err);
    if (rc == 0)
        rc = insert_columns(imp, err);
    if (rc == 0)
        rc = create_table(imp, err);
    return rc;
}

/* ---- Beginning ------------------------------------------------------------------------------ */

static int find_previous_run(struct sj_import *imp, const struct sj_import_source *src,
                             int64_t *previous_run, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare(imp->store,
                              "SELECT id, file_name FROM import_runs "
                              "WHERE dataset_id = ?1 AND sha256 = ?2 AND sheet = ?3",
                              &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, imp->dataset_id);
    sqlite3_bind_text(stmt, 2, src->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, src->sheet ? src->sheet : "", -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        int64_t run = sqlite3_column_int64(stmt, 0);
        if (previous_run)
            *previous_run = run;
        rc = sj_err_set(err, SJ_EEXIST, "此文件已导入过（第%lld次导入，文件“%s”），未作任何改动",
                        (long long)run, (const char *)sqlite3_column_text(stmt, 1));
    } else if (step != SQLITE_DONE) {
        rc = sj_store_db_error(imp->store, err, "looking for earlier imports");
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Which columns of an existing ds_<N> are split (cP_r exists): datasets created before
 * the split layout keep a stored cP and are appended to as they are. */
static int find_split_columns(struct sj_import *imp, struct sj_err *err)
{
    char table[SJ_STORE_IDENT_MAX];
    snprintf(table, sizeof table, "ds_%lld", (long long)imp->dataset_id);
    imp->is_split = sj_xcalloc(imp->column_count ? imp->column_count : 1, sizeof *imp->is_split);
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare(imp->store, "SELECT name FROM pragma_table_xinfo(?1)", &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        size_t len = name ? strlen(name) : 0;
        unsigned long pos = 0;
        char *end = NULL;
        if (len > 3 && name[0] == 'c' && strcmp(name + len - 2, "_r") == 0)
            pos = strtoul(name + 1, &end, 10);
        if (pos >= 1 && pos <= imp->column_count && end == name + len - 2)
            imp->is_split[pos - 1] = true;
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(imp->store, err, "reading the dataset's table");
    sqlite3_finalize(stmt);
    return rc;
}

static int open_dataset(struct sj_import *imp, const char *name, const struct sj_column_def *cols,
                        size_t count, const struct sj_import_source *src, int64_t *previous_run,
                        struct sj_err *err)
{
    int rc = sj_store_dataset_id(imp->store, name, &imp->dataset_id, err);
    if (rc == SJ_ENOTFOUND) {
        sj_err_clear(err);
        return create_dataset(imp, name, cols, count, err);
    }
    if (rc == 0)
        rc = find_previous_run(imp, src, previous_run, err);
    if (rc == 0)
        rc = sj_store_load_columns(imp->store, imp->dataset_id, &imp->columns, &imp->column_count,
                                   err);
    if (rc == 0)
        rc = match_columns(imp, name, cols, count, err);
    if (rc == 0)
        rc = find_split_columns(imp, err);
    return rc;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static int insert_run(struct sj_import *imp, const struct sj_import_source *src, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare(imp->store,
                              "INSERT INTO import_runs (dataset_id, file_name, file_path, "
                              "file_size, sha256, sheet, format, encoding, started_at) VALUES "
                              "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " SQL_NOW ")",
                              &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, imp->dataset_id);
    sqlite3_bind_text(stmt, 2, or_empty(src->file_name), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, or_empty(src->file_path), -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, src->file_size);
    sqlite3_bind_text(stmt, 5, src->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 6, or_empty(src->sheet), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 7, or_empty(src->format), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 8, or_empty(src->encoding), -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_DONE)
        imp->counts.run_id = sqlite3_last_insert_rowid(imp->store->db);
    else
        rc = sj_store_db_error(imp->store, err, "recording the import");
    sqlite3_finalize(stmt);
    return rc;
}

static int prepare_inserts(struct sj_import *imp, struct sj_err *err)
{
    struct sj_buf sql;
    sj_buf_init(&sql, 0);
    sj_buf_appendf(&sql, "INSERT INTO ds_%lld (_run, _src_row", (long long)imp->dataset_id);
    size_t params = 1; /* _run is the same in every row: a literal (our own integer) */
    for (size_t i = 0; i < imp->column_count; i++) {
        if (imp->is_split[i])
            sj_buf_appendf(&sql, ", c%zu_n, c%zu_r", i + 1, i + 1);
        else if (imp->columns[i].kind != SJ_KIND_TEXT)
            sj_buf_appendf(&sql, ", c%zu, c%zu_n", i + 1, i + 1);
        else
            sj_buf_appendf(&sql, ", c%zu", i + 1);
        params += imp->columns[i].kind != SJ_KIND_TEXT ? 2 : 1;
    }
    sj_buf_appendf(&sql, ") VALUES (%lld, ?", (long long)imp->counts.run_id);
    imp->is_null = sj_xmalloc(params + 1);
    memset(imp->is_null, true, params + 1); /* no parameter is bound yet: all are NULL */
    for (size_t i = 1; i < params; i++)
        sj_buf_append_cstr(&sql, ", ?");
    sj_buf_append_cstr(&sql, ")");
    int rc = sj_store_prepare(imp->store, sj_buf_cstr(&sql), &imp->insert_row, err);
    sj_buf_release(&sql);
    if (rc == 0)
        rc = sj_store_prepare(imp->store,
                              "INSERT INTO rejects (run_id, dataset_id, file_name, sheet, \"row\", "
                              "\"column\", field, raw, reason, is_row) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                              &imp->insert_reject, err);
    return rc;
}

/* Reads PRAGMA cache_size into *value (0 when it cannot be read). */
static void get_cache_size(struct sj_store *store, int *value)
{
    sqlite3_stmt *stmt = NULL;
    *value = 0;
    if (sqlite3_prepare_v2(store->db, "PRAGMA cache_size", -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        *value = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
}

/* Sets PRAGMA cache_size (pages when > 0, -KiB when < 0); 0 leaves it alone. A failure
 * only costs speed, so it is not an error. */
static void set_cache_size(struct sj_store *store, int value)
{
    char sql[48];
    if (value == 0)
        return;
    snprintf(sql, sizeof sql, "PRAGMA cache_size=%d", value);
    sqlite3_exec(store->db, sql, NULL, NULL, NULL);
}

static void free_import(struct sj_import *imp)
{
    set_cache_size(imp->store, imp->saved_cache_size);
    sqlite3_finalize(imp->insert_row);
    sqlite3_finalize(imp->insert_reject);
    sj_store_columns_free(imp->columns, imp->column_count);
    free(imp->is_split);
    free(imp->is_null);
    free(imp->file_name);
    free(imp->sheet);
    imp->store->in_import = false;
    free(imp);
}

void sj_import_abort(struct sj_import *imp)
{
    if (!imp)
        return;
    struct sj_store *store = imp->store;
    /* Finalise first: a rollback with statements pending would be refused. */
    sqlite3_finalize(imp->insert_row);
    sqlite3_finalize(imp->insert_reject);
    imp->insert_row = imp->insert_reject = NULL;
    sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    free_import(imp);
}

static int check_begin(struct sj_store *store, const char *name, const struct sj_column_def *cols,
                       size_t count, const struct sj_import_source *src, struct sj_err *err)
{
    if (store->in_import)
        return sj_err_set(err, SJ_EINVAL, "another import is already open on this store");
    if (!src || !src->sha256 || !src->sha256[0])
        return sj_err_set(err, SJ_EINVAL, "import source without a SHA-256");
    int rc = check_name(name, err);
    if (rc == 0)
        rc = check_columns(store, cols, count, err);
    return rc;
}

int sj_import_begin(struct sj_store *store, const char *dataset_name,
                    const struct sj_column_def *columns, size_t column_count,
                    const struct sj_import_source *source, struct sj_import **out,
                    int64_t *previous_run, struct sj_err *err)
{
    *out = NULL;
    int rc = check_begin(store, dataset_name, columns, column_count, source, err);
    if (rc < 0)
        return rc;
    int saved_cache_size;
    get_cache_size(store, &saved_cache_size);
    rc = sj_store_exec(store, "BEGIN IMMEDIATE", err);
    if (rc < 0)
        return rc;
    struct sj_import *imp = sj_xcalloc(1, sizeof *imp);
    imp->store = store;
    imp->saved_cache_size = saved_cache_size;
    set_cache_size(store, -IMPORT_CACHE_KIB);
    store->in_import = true;
    imp->file_name = sj_xstrdup(or_empty(source->file_name));
    imp->sheet = sj_xstrdup(or_empty(source->sheet));
    rc = open_dataset(imp, dataset_name, columns, column_count, source, previous_run, err);
    if (rc == 0)
        rc = insert_run(imp, source, err);
    if (rc == 0)
        rc = prepare_inserts(imp, err);
    if (rc < 0) {
        sj_err_at(err, source->file_name, -1, -1, NULL);
        sj_import_abort(imp);
        return rc;
    }
    *out = imp;
    return 0;
}

enum sj_kind sj_import_column_kind(const struct sj_import *imp, size_t column)
{
    return column < imp->column_count ? imp->columns[column].kind : SJ_KIND_TEXT;
}

/* ---- Rows ----------------------------------------------------------------------------------- */

static int insert_reject(struct sj_import *imp, int64_t source_row, int column, const char *field,
                         struct sj_str raw, const char *reason, bool is_row, struct sj_err *err)
{
    sqlite3_stmt *stmt = imp->insert_reject;
    sqlite3_bind_int64(stmt, 1, imp->counts.run_id);
    sqlite3_bind_int64(stmt, 2, imp->dataset_id);
    sqlite3_bind_text(stmt, 3, imp->file_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, imp->sheet, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 5, source_row);
    sqlite3_bind_int(stmt, 6, column);
    sqlite3_bind_text(stmt, 7, or_empty(field), -1, SQLITE_STATIC);
    if (raw.ptr && raw.len > 0)
        sqlite3_bind_text(stmt, 8, raw.ptr, (int)raw.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, 8);
    sqlite3_bind_text(stmt, 9, or_empty(reason), -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 10, is_row ? 1 : 0);
    int rc = 0;
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rc = sj_store_db_error(imp->store, err, "recording a rejected value");
        imp->has_failed = true;
    }
    sqlite3_reset(stmt);
    return rc;
}

static bool is_blank(struct sj_str raw)
{
    return raw.len == 0 || sj_str_trim(raw).len == 0;
}

/* Binds NULL at param unless it is NULL already (most raw copies of split columns are). */
static int bind_null(struct sj_import *imp, int param)
{
    if (imp->is_null[param])
        return SQLITE_OK;
    imp->is_null[param] = true;
    return sqlite3_bind_null(imp->insert_row, param);
}

static int bind_text(struct sj_import *imp, int param, const char *text, size_t len)
{
    imp->is_null[param] = false;
    return sqlite3_bind_text64(imp->insert_row, param, text, len, SQLITE_STATIC, SQLITE_UTF8);
}

/* Binds the normalised value of column i at parameter param; a failed value is NULL and is
 * recorded as a cell problem. *is_same: the bound text is byte for byte the raw text.
 * Invariant the model compiler relies on: a cP_n is NULL or a non-empty value, never ''. */
static int bind_norm(struct sj_import *imp, int param, size_t i, int64_t source_row,
                     const struct sj_import_cell *cell, bool *is_same, struct sj_err *err)
{
    const struct sj_norm_result *norm = cell->norm;
    enum sj_kind kind = imp->columns[i].kind;
    *is_same = false;
    if (!norm || is_blank(cell->raw) ||
        (norm->is_valid && norm->value_len == 0 && !sj_store_kind_is_integer(kind)))
        return bind_null(imp, param) == SQLITE_OK
                   ? 0
                   : sj_store_db_error(imp->store, err, "binding a value");
    if (!norm->is_valid) {
        bind_null(imp, param);
        imp->counts.cells_flagged++;
        return insert_reject(imp, source_row, (int)(i + 1), imp->columns[i].name, cell->raw,
                             norm->reason[0] ? norm->reason : "无法识别", false, err);
    }
    if (sj_store_kind_is_integer(kind)) {
        imp->is_null[param] = false;
        sqlite3_bind_int64(imp->insert_row, param, norm->number);
        return 0;
    }
    bind_text(imp, param, norm->value, norm->value_len);
    *is_same =
        norm->value_len == cell->raw.len && memcmp(norm->value, cell->raw.ptr, cell->raw.len) == 0;
    return 0;
}

/* Binds the raw text of column i at param (NULL when empty, or when is_dropped). */
static int bind_raw(struct sj_import *imp, int param, size_t i, struct sj_str raw, bool is_dropped,
                    struct sj_err *err)
{
    int bound = raw.len > 0 && !is_dropped ? bind_text(imp, param, raw.ptr, raw.len)
                                           : bind_null(imp, param);
    if (bound != SQLITE_OK)
        return sj_err_set(err, SJ_ETOOBIG, "第%zu列“%s”的值太长（%zu 字节）", i + 1,
                          imp->columns[i].name, raw.len);
    return 0;
}

/* Binds column i from parameter *param on: cP [cP_n], or for a split column cP_n cP_r. */
static int bind_cell(struct sj_import *imp, int *param, size_t i, int64_t source_row,
                     const struct sj_import_cell *cell, struct sj_err *err)
{
    bool is_same = false;
    int rc = 0;
    if (imp->is_split[i]) {
        rc = bind_norm(imp, (*param)++, i, source_row, cell, &is_same, err);
        return rc < 0 ? rc : bind_raw(imp, (*param)++, i, cell->raw, is_same, err);
    }
    rc = bind_raw(imp, (*param)++, i, cell->raw, false, err);
    if (rc == 0 && imp->columns[i].kind != SJ_KIND_TEXT)
        rc = bind_norm(imp, (*param)++, i, source_row, cell, &is_same, err);
    return rc;
}

int sj_import_add_row(struct sj_import *imp, int64_t source_row, const struct sj_import_cell *cells,
                      struct sj_err *err)
{
    sqlite3_stmt *stmt = imp->insert_row;
    int param = 1, rc = 0;
    if (imp->has_failed)
        return sj_err_set(err, SJ_EDB, "the import has failed already; abort it");
    sqlite3_bind_int64(stmt, param++, source_row);
    for (size_t i = 0; rc == 0 && i < imp->column_count; i++)
        rc = bind_cell(imp, &param, i, source_row, &cells[i], err);
    if (rc == 0 && sqlite3_step(stmt) != SQLITE_DONE)
        rc = sj_store_db_error(imp->store, err, "adding a row");
    sqlite3_reset(stmt);
    if (rc < 0) {
        /* A cell problem of this row may be recorded already: the import cannot go on. */
        imp->has_failed = true;
        sj_err_at(err, imp->file_name, (long)source_row, -1, NULL);
        return rc;
    }
    imp->counts.rows_imported++;
    imp->counts.rows_read++;
    return 0;
}

int sj_import_reject_row(struct sj_import *imp, int64_t source_row, int column, const char *field,
                         struct sj_str raw, const char *reason, struct sj_err *err)
{
    if (imp->has_failed)
        return sj_err_set(err, SJ_EDB, "the import has failed already; abort it");
    int rc = insert_reject(imp, source_row, column, field, raw, reason, true, err);
    if (rc < 0)
        return rc;
    imp->counts.rows_rejected++;
    imp->counts.rows_read++;
    return 0;
}

/* ---- Ending --------------------------------------------------------------------------------- */

static int update_totals(struct sj_import *imp, struct sj_err *err)
{
    static const char *const sql[2] = {
        "UPDATE import_runs SET finished_at = " SQL_NOW ", rows_read = ?2, rows_imported = ?3, "
        "rows_rejected = ?4, cells_flagged = ?5 WHERE id = ?1",
        "UPDATE datasets SET updated_at = " SQL_NOW ", row_count = row_count + ?3, "
        "reject_count = reject_count + ?4, flagged_cells = flagged_cells + ?5 WHERE id = ?1",
    };
    const struct sj_import_counts *c = &imp->counts;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        sqlite3_stmt *stmt = NULL;
        rc = sj_store_prepare(imp->store, sql[i], &stmt, err);
        if (rc < 0)
            break;
        sqlite3_bind_int64(stmt, 1, i == 0 ? c->run_id : imp->dataset_id);
        if (i == 0)
            sqlite3_bind_int64(stmt, 2, c->rows_read);
        sqlite3_bind_int64(stmt, 3, c->rows_imported);
        sqlite3_bind_int64(stmt, 4, c->rows_rejected);
        sqlite3_bind_int64(stmt, 5, c->cells_flagged);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            rc = sj_store_db_error(imp->store, err, "recording the import's totals");
        sqlite3_finalize(stmt);
    }
    return rc;
}

int sj_import_commit(struct sj_import *imp, struct sj_import_counts *counts, struct sj_err *err)
{
    int rc = 0;
    if (imp->has_failed) {
        rc = sj_err_set(err, SJ_EDB, "the import failed; nothing was imported");
        goto out;
    }
    rc = update_totals(imp, err);
    sqlite3_finalize(imp->insert_row);
    sqlite3_finalize(imp->insert_reject);
    imp->insert_row = imp->insert_reject = NULL;
    if (rc == 0)
        rc = sj_store_exec(imp->store, "COMMIT", err);
out:
    if (rc < 0) {
        sj_import_abort(imp);
        return rc;
    }
    if (counts)
        *counts = imp->counts;
    free_import(imp);
    return 0;
}
