/*
 * catalog.c - what the model compiler needs to know about a dataset to write SQL over it:
 * its id (table ds_<id>), and for each column its position (c<P>, c<P>_n), header, kind
 * and whether c<P>_n is indexed (read from the schema, not assumed from the kind, since
 * only a dataset's first import builds its indexes).
 *
 * Invariant: nothing here pastes text into SQL; names travel as bound parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/plan.h"
#include "store/store_int.h"

void sj_catalog_dataset_release(struct sj_catalog_dataset *dataset)
{
    if (!dataset)
        return;
    for (size_t i = 0; dataset->columns && i < dataset->column_count; i++)
        free(dataset->columns[i].name);
    free(dataset->columns);
    free(dataset->name);
    memset(dataset, 0, sizeof *dataset);
}

/* "没有名为“x”的数据集（现有：a、b）" so that a typo in --input is easy to fix. */
static int not_found(struct sj_store *store, const char *name, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    struct sj_buf list;
    sj_buf_init(&list, 1024);
    if (sj_store_prepare_cached(store, "SELECT name FROM datasets ORDER BY name LIMIT 20", &stmt,
                                NULL) == 0) {
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            const char *n = (const char *)sqlite3_column_text(stmt, 0);
            if (list.len && sj_buf_append_cstr(&list, "、") < 0)
                break;
            if (sj_buf_append_cstr(&list, n ? n : "") < 0)
                break;
        }
    }
    sj_store_finish(store, stmt);
    int rc = sj_err_set(err, SJ_ENOTFOUND, "没有名为“%s”的数据集（现有数据集：%s）", name,
                        list.len ? sj_buf_cstr(&list) : "无");
    sj_buf_release(&list);
    return rc;
}

static int read_dataset(struct sj_store *store, const char *name, struct sj_catalog_dataset *out,
                        struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(
        store, "SELECT id, name, row_count FROM datasets WHERE name = ?1", &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        out->id = sqlite3_column_int64(stmt, 0);
        out->name = sj_store_column_dup(stmt, 1);
        out->row_count = sqlite3_column_int64(stmt, 2);
    } else if (step == SQLITE_DONE) {
        rc = 1;
    } else {
        rc = sj_store_db_error(store, err, "looking up a dataset");
    }
    sj_store_finish(store, stmt);
    return rc == 1 ? not_found(store, name, err) : rc;
}

/* Marks the columns whose c<P>_n has an index named ds_<id>_c<P>_n. */
static int read_indexes(struct sj_store *store, struct sj_catalog_dataset *out, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    char table[SJ_STORE_IDENT_MAX];
    snprintf(table, sizeof table, "ds_%lld", (long long)out->id);
    int rc = sj_store_prepare_cached(store,
                                     "SELECT name FROM sqlite_schema WHERE type = 'index' AND "
                                     "tbl_name = ?1",
                                     &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *index = (const char *)sqlite3_column_text(stmt, 0);
        size_t len = strlen(table);
        if (!index || strncmp(index, table, len) != 0 || strncmp(index + len, "_c", 2) != 0)
            continue;
        char *end = NULL;
        long position = strtol(index + len + 2, &end, 10);
        if (strcmp(end, "_n") != 0)
            continue;
        if (position >= 1 && (size_t)position <= out->column_count)
            out->columns[position - 1].is_indexed = out->columns[position - 1].has_norm;
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "reading a dataset's indexes");
    sj_store_finish(store, stmt);
    return rc;
}

int sj_store_catalog_dataset(struct sj_store *store, const char *name,
                             struct sj_catalog_dataset *out, struct sj_err *err)
{
    struct sj_column_def *cols = NULL;
    size_t count = 0;
    memset(out, 0, sizeof *out);
    int rc = read_dataset(store, name ? name : "", out, err);
    if (rc == 0)
        rc = sj_store_load_columns(store, out->id, &cols, &count, err);
    if (rc < 0)
        goto out;
    out->columns = sj_xcalloc(count ? count : 1, sizeof *out->columns);
    out->column_count = count;
    for (size_t i = 0; i < count; i++) {
        out->columns[i].name = cols[i].name;
        cols[i].name = NULL; /* moved */
        out->columns[i].kind = cols[i].kind;
        out->columns[i].position = (int)(i + 1);
        out->columns[i].has_norm = cols[i].kind != SJ_KIND_TEXT;
    }
    rc = read_indexes(store, out, err);
out:
    sj_store_columns_free(cols, count);
    if (rc < 0)
        sj_catalog_dataset_release(out);
    return rc;
}
