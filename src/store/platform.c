/*
 * platform.c - the store's side of the platform API, part one: owner offices of datasets
 * and model runs, filtered pages of a dataset's rows, model run history, and the
 * transaction and durability switches of the server's group-commit writer
 * (include/shujian/platform.h). Leads and statistics are in platform_leads.c.
 *
 * Invariants: an office set is bound as one JSON array parameter and expanded with
 * json_each, so it is never pasted into SQL; table and column names are built from integers
 * only (ds_<id>, c<N>, c<N>_n), as everywhere in src/store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/plan.h"
#include "shujian/platform.h"
#include "store/platform_int.h"
#include "store/store_int.h"

/* ---- Shared with platform_leads.c ----------------------------------------------------------- */

void sj_platform_bind_offices(sqlite3_stmt *stmt, int index, struct sj_office_set offices)
{
    struct sj_buf json;
    sj_buf_init(&json, 0);
    sj_buf_putc(&json, '[');
    for (size_t i = 0; i < offices.count; i++)
        sj_buf_appendf(&json, "%s%lld", i ? "," : "", (long long)offices.ids[i]);
    sj_buf_putc(&json, ']');
    sqlite3_bind_text(stmt, index, sj_buf_cstr(&json), -1, SQLITE_TRANSIENT);
    sj_buf_release(&json);
}

int sj_platform_step_done(struct sj_store *store, sqlite3_stmt *stmt, const char *what,
                          struct sj_err *err)
{
    int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : sj_store_db_error(store, err, what);
    sj_store_finish(store, stmt);
    return rc;
}

/* ---- Owners --------------------------------------------------------------------------------- */

int sj_platform_home_office(struct sj_store *store, int64_t *office_id, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    *office_id = 0;
    int rc = sj_store_prepare_cached(store, "SELECT coalesce(min(id), 0) FROM offices", &stmt, err);
    if (rc < 0)
        return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *office_id = sqlite3_column_int64(stmt, 0);
    else
        rc = sj_store_db_error(store, err, "finding the workspace's office");
    sj_store_finish(store, stmt);
    return rc;
}

/* Runs a one-row lookup bound to an integer or a text key; reads (text, office). */
static int lookup_owner(struct sj_store *store, const char *sql, int64_t id, const char *key,
                        char **name, int64_t *office_id, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    if (key)
        sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(stmt, 1, id);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        if (name)
            *name = sj_store_column_dup(stmt, 0);
        *office_id = sqlite3_column_int64(stmt, 1);
    } else if (step == SQLITE_DONE) {
        rc = sj_err_set(err, SJ_ENOTFOUND, "没有这条记录");
    } else {
        rc = sj_store_db_error(store, err, "looking up an owner office");
    }
    sj_store_finish(store, stmt);
    return rc;
}

int sj_platform_dataset_by_id(struct sj_store *store, int64_t id, char **name, int64_t *office_id,
                              struct sj_err *err)
{
    *name = NULL;
    int rc = lookup_owner(store,
                          "SELECT name, " SJ_PLATFORM_OWNER("office_id") " FROM datasets "
                                                                         "WHERE id = ?1",
                          id, NULL, name, office_id, err);
    if (rc == SJ_ENOTFOUND)
        sj_err_set(err, rc, "没有这个数据集");
    return rc;
}

int sj_platform_dataset_office(struct sj_store *store, const char *name, int64_t *office_id,
                               struct sj_err *err)
{
    int rc = lookup_owner(store,
                          "SELECT name, " SJ_PLATFORM_OWNER("office_id") " FROM datasets "
                                                                         "WHERE name = ?1",
                          0, name ? name : "", NULL, office_id, err);
    if (rc == SJ_ENOTFOUND)
        sj_err_set(err, rc, "没有名为“%s”的数据集", name ? name : "");
    return rc;
}

int sj_platform_lead_office(struct sj_store *store, const char *id, int64_t *office_id,
                            struct sj_err *err)
{
    int rc = lookup_owner(store,
                          "SELECT id, " SJ_PLATFORM_OWNER("office_id") " FROM leads WHERE id = ?1",
                          0, id ? id : "", NULL, office_id, err);
    if (rc == SJ_ENOTFOUND)
        sj_err_set(err, rc, "没有这条线索");
    return rc;
}

int sj_platform_dataset_claim(struct sj_store *store, const char *name, int64_t office_id,
                              struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(
        store, "UPDATE datasets SET office_id = ?2 WHERE name = ?1 AND office_id IS NULL", &stmt,
        err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, office_id);
    return sj_platform_step_done(store, stmt, "recording a dataset's office", err);
}

int sj_platform_dataset_offices(struct sj_store *store, int64_t **ids, int64_t **offices,
                                size_t *count, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    size_t alloc = 0;
    int step;
    *ids = NULL;
    *offices = NULL;
    *count = 0;
    int rc = sj_store_prepare_cached(
        store, "SELECT id, " SJ_PLATFORM_OWNER("office_id") " FROM datasets ORDER BY id", &stmt,
        err);
    if (rc < 0)
        return rc;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*count == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            *ids = sj_xrealloc(*ids, alloc * sizeof **ids);
            *offices = sj_xrealloc(*offices, alloc * sizeof **offices);
        }
        (*ids)[*count] = sqlite3_column_int64(stmt, 0);
        (*offices)[(*count)++] = sqlite3_column_int64(stmt, 1);
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "listing datasets' offices");
    sj_store_finish(store, stmt);
    return rc;
}

int sj_platform_run_claim(struct sj_store *store, int64_t run_id, int64_t office_id,
                          struct sj_err *err)
{
    static const char *const sql[] = {
        "UPDATE model_runs SET office_id = ?2 WHERE id = ?1",
        "UPDATE leads SET office_id = ?2 WHERE first_run = ?1 AND office_id IS NULL",
    };
    sqlite3_stmt *stmt = NULL;
    int rc = sj_platform_begin(store, err);
    for (size_t i = 0; rc == 0 && i < SJ_ARRAY_LEN(sql); i++) {
        rc = sj_store_prepare_cached(store, sql[i], &stmt, err);
        if (rc < 0)
            break;
        sqlite3_bind_int64(stmt, 1, run_id);
        sqlite3_bind_int64(stmt, 2, office_id);
        rc = sj_platform_step_done(store, stmt, "recording a run's office", err);
    }
    if (rc == 0)
        return sj_platform_commit(store, err);
    sj_platform_rollback(store);
    return rc;
}

/* ---- Rows ----------------------------------------------------------------------------------- */

/* " WHERE ..." for filter over dataset d (positions checked); empty when it matches all. */
static int build_where(const struct sj_catalog_dataset *d, const struct sj_row_filter *f,
                       struct sj_buf *sql, struct sj_err *err)
{
    if (!f || f->match == SJ_ROW_MATCH_ALL)
        return 0;
    if (f->position < 1 || (size_t)f->position > d->column_count || !f->value)
        return sj_err_set(err, SJ_EINVAL, "没有第 %d 列", f->position);
    const struct sj_catalog_column *c = &d->columns[f->position - 1];
    if (f->match == SJ_ROW_MATCH_CONTAINS) {
        sj_buf_appendf(sql, " WHERE instr(d.c%d, ?3) > 0", c->position);
        return 0;
    }
    sj_buf_appendf(sql, " WHERE (trim(d.c%d) = ?3", c->position);
    if (c->has_norm)
        sj_buf_appendf(sql, " OR CAST(d.c%d_n AS TEXT) = ?4", c->position);
    sj_buf_append_cstr(sql, ")");
    return 0;
}

static void bind_filter(sqlite3_stmt *stmt, const struct sj_row_filter *f)
{
    if (!f || f->match == SJ_ROW_MATCH_ALL)
        return;
    sqlite3_bind_text(stmt, 3, f->value, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, f->norm_value ? f->norm_value : f->value, -1, SQLITE_STATIC);
}

static int count_rows(struct sj_store *store, const struct sj_catalog_dataset *d,
                      const struct sj_row_filter *f, const char *where, int64_t *total,
                      struct sj_err *err)
{
    char head[96];
    sqlite3_stmt *stmt = NULL;
    if (!f || f->match == SJ_ROW_MATCH_ALL) {
        *total = d->row_count;
        return 0;
    }
    snprintf(head, sizeof head, "SELECT count(*) FROM ds_%lld d", (long long)d->id);
    char *sql = sj_xmalloc(strlen(head) + strlen(where) + 1);
    strcpy(sql, head);
    strcat(sql, where);
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    free(sql);
    if (rc < 0)
        return rc;
    bind_filter(stmt, f);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *total = sqlite3_column_int64(stmt, 0);
    else
        rc = sj_store_db_error(store, err, "counting rows");
    sj_store_finish(store, stmt);
    return rc;
}

static void read_row(sqlite3_stmt *stmt, const struct sj_catalog_dataset *d, struct sj_row *row)
{
    row->row_id = sqlite3_column_int64(stmt, 0);
    row->run_id = sqlite3_column_int64(stmt, 1);
    row->file_name = sj_store_column_dup(stmt, 2);
    row->sheet = sj_store_column_dup(stmt, 3);
    row->source_row = sqlite3_column_int64(stmt, 4);
    row->cells = sj_xcalloc(d->column_count ? d->column_count : 1, sizeof *row->cells);
    int col = 5;
    for (size_t i = 0; i < d->column_count; i++) {
        row->cells[i].raw = sj_store_column_dup_null(stmt, col++);
        if (d->columns[i].has_norm)
            row->cells[i].norm = sj_store_column_dup_null(stmt, col++);
    }
}

static int read_page(struct sj_store *store, const struct sj_catalog_dataset *d,
                     const struct sj_row_filter *f, const char *where, int64_t offset,
                     int64_t limit, struct sj_row_page *page, struct sj_err *err)
{
    struct sj_buf sql;
    sqlite3_stmt *stmt = NULL;
    size_t alloc = 0;
    int step;
    sj_buf_init(&sql, 0);
    sj_buf_append_cstr(&sql, "SELECT d._row, d._run, r.file_name, r.sheet, d._src_row");
    for (size_t i = 0; i < d->column_count; i++) {
        sj_buf_appendf(&sql, ", d.c%d", d->columns[i].position);
        if (d->columns[i].has_norm)
            sj_buf_appendf(&sql, ", d.c%d_n", d->columns[i].position);
    }
    sj_buf_appendf(&sql, " FROM ds_%lld d LEFT JOIN import_runs r ON r.id = d._run%s",
                   (long long)d->id, where);
    sj_buf_append_cstr(&sql, " ORDER BY d._row LIMIT ?1 OFFSET ?2");
    int rc = sj_store_prepare(store, sj_buf_cstr(&sql), &stmt, err);
    sj_buf_release(&sql);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, limit);
    sqlite3_bind_int64(stmt, 2, offset);
    bind_filter(stmt, f);
    page->column_count = d->column_count;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (page->row_count == alloc) {
            alloc = alloc ? alloc * 2 : 32;
            page->rows = sj_xrealloc(page->rows, alloc * sizeof *page->rows);
        }
        memset(&page->rows[page->row_count], 0, sizeof *page->rows);
        read_row(stmt, d, &page->rows[page->row_count++]);
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "reading rows");
    sqlite3_finalize(stmt);
    return rc;
}

static int dataset_name(struct sj_store *store, int64_t id, char **name, struct sj_err *err)
{
    int64_t office = 0;
    return sj_platform_dataset_by_id(store, id, name, &office, err);
}

int sj_platform_rows(struct sj_store *store, int64_t dataset_id, const struct sj_row_filter *filter,
                     int64_t offset, int64_t limit, struct sj_row_page *page, int64_t *total,
                     struct sj_err *err)
{
    struct sj_catalog_dataset d = {0};
    struct sj_buf where;
    char *name = NULL;
    memset(page, 0, sizeof *page);
    *total = 0;
    if (limit < 1 || offset < 0)
        return sj_err_set(err, SJ_EINVAL, "limit 应不小于 1，offset 应不小于 0");
    sj_buf_init(&where, 0);
    /* One read transaction, so the count and the page see the same rows. */
    int rc = sj_store_exec(store, "BEGIN", err);
    if (rc < 0)
        goto out;
    rc = dataset_name(store, dataset_id, &name, err);
    if (rc == 0)
        rc = sj_store_catalog_dataset(store, name, &d, err);
    if (rc == 0)
        rc = build_where(&d, filter, &where, err);
    if (rc == 0)
        rc = count_rows(store, &d, filter, sj_buf_cstr(&where), total, err);
    if (rc == 0)
        rc = read_page(store, &d, filter, sj_buf_cstr(&where), offset, limit, page, err);
    sj_platform_rollback(store);
out:
    if (rc < 0)
        sj_row_page_release(page);
    sj_catalog_dataset_release(&d);
    sj_buf_release(&where);
    free(name);
    return rc;
}

/* ---- Runs ----------------------------------------------------------------------------------- */

static void read_run(sqlite3_stmt *stmt, struct sj_platform_run *r)
{
    r->id = sqlite3_column_int64(stmt, 0);
    r->model_id = sj_store_column_dup(stmt, 1);
    r->model_version = sj_store_column_dup(stmt, 2);
    r->model_sha256 = sj_store_column_dup(stmt, 3);
    r->function = sj_store_column_dup(stmt, 4);
    r->params_json = sj_store_column_dup(stmt, 5);
    r->inputs_json = sj_store_column_dup(stmt, 6);
    r->started_at = sj_store_column_dup(stmt, 7);
    r->finished_at = sj_store_column_dup(stmt, 8);
    r->seconds = sqlite3_column_double(stmt, 9);
    r->row_count = sqlite3_column_int64(stmt, 10);
    r->lead_count = sqlite3_column_int64(stmt, 11);
    r->new_count = sqlite3_column_int64(stmt, 12);
    r->office_id = sqlite3_column_int64(stmt, 13);
}

int sj_platform_runs(struct sj_store *store, const char *model_id, struct sj_office_set offices,
                     int64_t limit, struct sj_platform_run_list *list, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    size_t alloc = 0;
    int step;
    memset(list, 0, sizeof *list);
    int rc = sj_store_prepare_cached(
        store,
        "SELECT id, model_id, model_version, model_sha256, function, params_json, inputs_json, "
        "started_at, finished_at, seconds, row_count, lead_count, new_count, " SJ_PLATFORM_OWNER(
            "office_id") " FROM model_runs WHERE (?1 IS NULL OR model_id = ?1) "
                         "AND " SJ_PLATFORM_OWNER(
                             "office_id") " IN (SELECT value FROM json_each(?2)) "
                                          "ORDER BY id DESC LIMIT ?3",
        &stmt, err);
    if (rc < 0)
        return rc;
    if (model_id)
        sqlite3_bind_text(stmt, 1, model_id, -1, SQLITE_STATIC);
    sj_platform_bind_offices(stmt, 2, offices);
    sqlite3_bind_int64(stmt, 3, limit > 0 ? limit : 1);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (list->count == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            list->items = sj_xrealloc(list->items, alloc * sizeof *list->items);
        }
        read_run(stmt, &list->items[list->count++]);
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "listing model runs");
    sj_store_finish(store, stmt);
    if (rc < 0)
        sj_platform_run_list_release(list);
    return rc;
}

void sj_platform_run_list_release(struct sj_platform_run_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; list->items && i < list->count; i++) {
        struct sj_platform_run *r = &list->items[i];
        free(r->model_id);
        free(r->model_version);
        free(r->model_sha256);
        free(r->function);
        free(r->params_json);
        free(r->inputs_json);
        free(r->started_at);
        free(r->finished_at);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

/* ---- Transactions and durability ------------------------------------------------------------ */

int sj_platform_set_durable(struct sj_store *store, bool is_full, struct sj_err *err)
{
    return sj_store_exec(store, is_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                         err);
}

int sj_platform_begin(struct sj_store *store, struct sj_err *err)
{
    if (store->in_import || !sqlite3_get_autocommit(store->db))
        return sj_err_set(err, SJ_EINVAL, "工作区正在导入或运行模型，请在其结束后再试");
    return sj_store_exec(store, "BEGIN IMMEDIATE", err);
}

int sj_platform_commit(struct sj_store *store, struct sj_err *err)
{
    int rc = sj_store_exec(store, "COMMIT", err);
    if (rc < 0)
        sj_platform_rollback(store);
    return rc;
}

void sj_platform_rollback(struct sj_store *store)
{
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

int sj_platform_savepoint(struct sj_store *store, struct sj_err *err)
{
    return sj_store_exec(store, "SAVEPOINT sj_write", err);
}

void sj_platform_savepoint_end(struct sj_store *store, bool is_commit)
{
    if (!is_commit || sqlite3_exec(store->db, "RELEASE sj_write", NULL, NULL, NULL) != SQLITE_OK)
        sqlite3_exec(store->db, "ROLLBACK TO sj_write; RELEASE sj_write", NULL, NULL, NULL);
}
