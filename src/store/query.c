/*
 * query.c - reading the warehouse back: the dataset catalog, pages of rows with their
 * provenance (run -> file, sheet, source row), the rejects list, and dropping a dataset.
 * Every result handed out is a deep copy owned by the caller; no statement outlives the
 * call that prepared it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

int sj_store_dataset_id(struct sj_store *store, const char *name, int64_t *id, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, "SELECT id FROM datasets WHERE name = ?1", &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(stmt, 0);
    else if (step == SQLITE_DONE)
        rc = sj_err_set(err, SJ_ENOTFOUND, "没有名为“%s”的数据集", name ? name : "");
    else
        rc = sj_store_db_error(store, err, "looking up a dataset");
    sj_store_finish(store, stmt);
    return rc;
}

void sj_store_columns_free(struct sj_column_def *columns, size_t count)
{
    for (size_t i = 0; columns && i < count; i++)
        free(columns[i].name);
    free(columns);
}

int sj_store_load_columns(struct sj_store *store, int64_t id, struct sj_column_def **columns,
                          size_t *count, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    struct sj_column_def *cols = NULL;
    size_t n = 0, alloc = 0;
    int rc = sj_store_prepare_cached(store,
                                     "SELECT name, kind FROM dataset_columns WHERE dataset_id = ?1 "
                                     "ORDER BY position",
                                     &stmt, err);
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, id);
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            cols = sj_xrealloc(cols, alloc * sizeof *cols);
        }
        cols[n].name = sj_store_column_dup(stmt, 0);
        cols[n].kind = SJ_KIND_TEXT;
        const char *kind = (const char *)sqlite3_column_text(stmt, 1);
        n++;
        if (sj_kind_parse(kind ? kind : "", &cols[n - 1].kind) < 0) {
            rc = sj_err_set(err, SJ_EDB, "dataset %lld has a column of unknown kind '%s'",
                            (long long)id, kind ? kind : "");
            goto out;
        }
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "reading a dataset's columns");
out:
    sj_store_finish(store, stmt);
    if (rc < 0) {
        sj_store_columns_free(cols, n);
        cols = NULL;
        n = 0;
    }
    *columns = cols;
    *count = n;
    return rc;
}

/* ---- Catalog -------------------------------------------------------------------------------- */

#define INFO_SELECT                                                                                \
    "SELECT d.id, d.name, d.row_count, d.reject_count, d.flagged_cells, d.created_at, "            \
    "d.updated_at, (SELECT count(*) FROM import_runs r WHERE r.dataset_id = d.id) "                \
    "FROM datasets d "

static int fill_info(struct sj_store *store, sqlite3_stmt *stmt, struct sj_dataset_info *info,
                     struct sj_err *err)
{
    memset(info, 0, sizeof *info);
    info->id = sqlite3_column_int64(stmt, 0);
    info->name = sj_store_column_dup(stmt, 1);
    info->row_count = sqlite3_column_int64(stmt, 2);
    info->reject_count = sqlite3_column_int64(stmt, 3);
    info->flagged_cells = sqlite3_column_int64(stmt, 4);
    info->created_at = sj_store_column_dup(stmt, 5);
    info->updated_at = sj_store_column_dup(stmt, 6);
    info->import_count = sqlite3_column_int64(stmt, 7);
    return sj_store_load_columns(store, info->id, &info->columns, &info->column_count, err);
}

void sj_dataset_info_release(struct sj_dataset_info *info)
{
    if (!info)
        return;
    free(info->name);
    free(info->created_at);
    free(info->updated_at);
    sj_store_columns_free(info->columns, info->column_count);
    memset(info, 0, sizeof *info);
}

int sj_store_dataset_get(struct sj_store *store, const char *name, struct sj_dataset_info *info,
                         struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    memset(info, 0, sizeof *info);
    int rc = sj_store_prepare_cached(store, INFO_SELECT "WHERE d.name = ?1", &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        rc = fill_info(store, stmt, info, err);
    else if (step == SQLITE_DONE)
        rc = sj_err_set(err, SJ_ENOTFOUND, "没有名为“%s”的数据集", name ? name : "");
    else
        rc = sj_store_db_error(store, err, "reading a dataset");
    sj_store_finish(store, stmt);
    if (rc < 0)
        sj_dataset_info_release(info);
    return rc;
}

void sj_dataset_list_free(struct sj_dataset_info *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        sj_dataset_info_release(&list[i]);
    free(list);
}

int sj_store_dataset_list(struct sj_store *store, struct sj_dataset_info **list, size_t *count,
                          struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    struct sj_dataset_info *items = NULL;
    size_t n = 0, alloc = 0;
    int step, rc = sj_store_prepare_cached(store, INFO_SELECT "ORDER BY d.name", &stmt, err);
    if (rc < 0)
        goto out;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 8;
            items = sj_xrealloc(items, alloc * sizeof *items);
        }
        rc = fill_info(store, stmt, &items[n++], err);
        if (rc < 0)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "listing datasets");
out:
    sj_store_finish(store, stmt);
    if (rc < 0) {
        sj_dataset_list_free(items, n);
        items = NULL;
        n = 0;
    }
    *list = items;
    *count = n;
    return rc;
}

int sj_store_dataset_drop(struct sj_store *store, const char *name, struct sj_err *err)
{
    int64_t id = 0;
    sqlite3_stmt *stmt = NULL;
    char sql[64];
    if (store->in_import)
        return sj_err_set(err, SJ_EINVAL, "cannot drop a dataset while an import is open");
    int rc = sj_store_exec(store, "BEGIN IMMEDIATE", err);
    if (rc < 0)
        return rc;
    rc = sj_store_dataset_id(store, name, &id, err);
    if (rc < 0)
        goto out;
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS ds_%lld", (long long)id);
    rc = sj_store_exec(store, sql, err);
    if (rc == 0)
        rc = sj_store_prepare_cached(store, "DELETE FROM datasets WHERE id = ?1", &stmt, err);
    if (rc < 0)
        goto out;
    /* Foreign keys cascade to dataset_columns, import_runs and rejects. */
    sqlite3_bind_int64(stmt, 1, id);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "deleting the dataset");
    sj_store_finish(store, stmt);
    if (rc == 0)
        rc = sj_store_exec(store, "COMMIT", err);
out:
    if (rc < 0)
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* ---- Rows ----------------------------------------------------------------------------------- */

/* SELECT of a page of ds_<id> with its provenance; result columns: 0 _row, 1 _run,
 * 2 file_name, 3 sheet, 4 _src_row, then per column raw and (for kinds) normalised. */
static int prepare_rows(struct sj_store *store, int64_t id, const struct sj_column_def *cols,
                        size_t count, sqlite3_stmt **stmt, struct sj_err *err)
{
    struct sj_buf sql;
    sj_buf_init(&sql, 0);
    sj_buf_append_cstr(&sql, "SELECT d._row, d._run, r.file_name, r.sheet, d._src_row");
    for (size_t i = 0; i < count; i++) {
        sj_buf_appendf(&sql, ", d.c%zu", i + 1);
        if (cols[i].kind != SJ_KIND_TEXT)
            sj_buf_appendf(&sql, ", d.c%zu_n", i + 1);
    }
    /* LEFT JOIN keeps ds_<id> the outer loop, walked in _row order. */
    sj_buf_appendf(&sql,
                   " FROM ds_%lld d LEFT JOIN import_runs r ON r.id = d._run "
                   "ORDER BY d._row LIMIT ?1 OFFSET ?2",
                   (long long)id);
    int rc = sj_store_prepare(store, sj_buf_cstr(&sql), stmt, err);
    sj_buf_release(&sql);
    return rc;
}

static void fill_row(sqlite3_stmt *stmt, const struct sj_column_def *cols, size_t count,
                     struct sj_row *row)
{
    row->row_id = sqlite3_column_int64(stmt, 0);
    row->run_id = sqlite3_column_int64(stmt, 1);
    row->file_name = sj_store_column_dup(stmt, 2);
    row->sheet = sj_store_column_dup(stmt, 3);
    row->source_row = sqlite3_column_int64(stmt, 4);
    row->cells = sj_xcalloc(count ? count : 1, sizeof *row->cells);
    int col = 5;
    for (size_t i = 0; i < count; i++) {
        row->cells[i].raw = sj_store_column_dup_null(stmt, col++);
        if (cols[i].kind != SJ_KIND_TEXT)
            row->cells[i].norm = sj_store_column_dup_null(stmt, col++);
    }
}

void sj_row_page_release(struct sj_row_page *page)
{
    if (!page)
        return;
    for (size_t r = 0; page->rows && r < page->row_count; r++) {
        struct sj_row *row = &page->rows[r];
        for (size_t i = 0; row->cells && i < page->column_count; i++) {
            free(row->cells[i].raw);
            free(row->cells[i].norm);
        }
        free(row->cells);
        free(row->file_name);
        free(row->sheet);
    }
    free(page->rows);
    memset(page, 0, sizeof *page);
}

static int read_rows(struct sj_store *store, sqlite3_stmt *stmt, const struct sj_column_def *cols,
                     struct sj_row_page *page, struct sj_err *err)
{
    size_t alloc = 0;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (page->row_count == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            page->rows = sj_xrealloc(page->rows, alloc * sizeof *page->rows);
        }
        fill_row(stmt, cols, page->column_count, &page->rows[page->row_count++]);
    }
    if (step != SQLITE_DONE)
        return sj_store_db_error(store, err, "reading rows");
    return 0;
}

int sj_store_rows(struct sj_store *store, const char *dataset, int64_t offset, int64_t limit,
                  struct sj_row_page *page, struct sj_err *err)
{
    struct sj_column_def *cols = NULL;
    sqlite3_stmt *stmt = NULL;
    int64_t id = 0;
    memset(page, 0, sizeof *page);
    if (offset < 0 || limit <= 0)
        return sj_err_set(err, SJ_EINVAL, "offset must be >= 0 and limit > 0");
    int rc = sj_store_dataset_id(store, dataset, &id, err);
    if (rc == 0)
        rc = sj_store_load_columns(store, id, &cols, &page->column_count, err);
    if (rc == 0)
        rc = prepare_rows(store, id, cols, page->column_count, &stmt, err);
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, limit);
    sqlite3_bind_int64(stmt, 2, offset);
    rc = read_rows(store, stmt, cols, page, err);
out:
    sj_store_finish(store, stmt);
    sj_store_columns_free(cols, page->column_count);
    if (rc < 0)
        sj_row_page_release(page);
    return rc;
}

/* ---- Rejects -------------------------------------------------------------------------------- */

void sj_reject_list_free(struct sj_reject *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        free(list[i].file_name);
        free(list[i].sheet);
        free(list[i].field);
        free(list[i].raw);
        free(list[i].reason);
    }
    free(list);
}

static void fill_reject(sqlite3_stmt *stmt, struct sj_reject *r)
{
    r->run_id = sqlite3_column_int64(stmt, 0);
    r->file_name = sj_store_column_dup(stmt, 1);
    r->sheet = sj_store_column_dup(stmt, 2);
    r->row = sqlite3_column_int64(stmt, 3);
    r->column = sqlite3_column_int(stmt, 4);
    r->field = sj_store_column_dup(stmt, 5);
    r->raw = sj_store_column_dup_null(stmt, 6);
    r->reason = sj_store_column_dup(stmt, 7);
    r->is_row = sqlite3_column_int(stmt, 8) != 0;
}

int sj_store_rejects(struct sj_store *store, const char *dataset, struct sj_reject **list,
                     size_t *count, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    struct sj_reject *items = NULL;
    size_t n = 0, alloc = 0;
    int64_t id = 0;
    int step, rc = sj_store_dataset_id(store, dataset, &id, err);
    if (rc == 0)
        rc = sj_store_prepare_cached(
            store,
            "SELECT run_id, file_name, sheet, \"row\", \"column\", field, raw, "
            "reason, is_row FROM rejects WHERE dataset_id = ?1 "
            "ORDER BY run_id, \"row\", is_row DESC, \"column\", id",
            &stmt, err);
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, id);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 32;
            items = sj_xrealloc(items, alloc * sizeof *items);
        }
        fill_reject(stmt, &items[n++]);
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "reading rejects");
out:
    sj_store_finish(store, stmt);
    if (rc < 0) {
        sj_reject_list_free(items, n);
        items = NULL;
        n = 0;
    }
    *list = items;
    *count = n;
    return rc;
}
