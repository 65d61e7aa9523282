/*
 * plan.c - runs compiled models: prepares the plan's one SELECT, binds every parameter it
 * names from the plan's values (by name, typed: integers for amounts in fen, days and
 * counts; text for dates, text and JSON lists; doubles for numbers), and hands each row to a
 * callback as text. Also EXPLAIN QUERY PLAN for `model explain`, and the column names of a
 * raw query for the compiler's sql steps.
 *
 * Invariants: only read-only single statements are run (sqlite3_stmt_readonly, no tail), so
 * a model can never change the workspace's data; every parameter the SQL names must have a
 * value. Key-column indexes (ds_<N>_cP_n, see store.h) are not built at import but here,
 * before a plan first runs: only those of the key columns its joins look up (plan->indexes,
 * when plan->lists_indexes; otherwise, for a plan with a raw sql step or one built by hand,
 * every key column of every dataset its SQL names), in one short
 * write transaction with CREATE INDEX IF NOT EXISTS (safe when two processes race); a
 * failure to build one is not an error, the query only runs slower.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/plan.h"
#include "store/store_int.h"

/* Prepares sql as exactly one read-only statement. */
static int prepare_one(struct sj_store *store, const char *sql, sqlite3_stmt **stmt,
                       struct sj_err *err)
{
    const char *tail = NULL;
    *stmt = NULL;
    if (!sql)
        return sj_err_set(err, SJ_EINVAL, "没有要执行的查询");
    if (sqlite3_prepare_v2(store->db, sql, -1, stmt, &tail) != SQLITE_OK) {
        *stmt = NULL;
        return sj_err_set(err, SJ_EDB, "查询无法执行：%s", sqlite3_errmsg(store->db));
    }
    while (tail &&
           (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' || *tail == ';'))
        tail++;
    int rc = 0;
    if (!*stmt)
        rc = sj_err_set(err, SJ_EINVAL, "查询为空");
    else if (tail && *tail)
        rc = sj_err_set(err, SJ_EINVAL, "查询只能是一条语句");
    else if (!sqlite3_stmt_readonly(*stmt))
        rc = sj_err_set(err, SJ_EINVAL, "查询只能读取数据，不能修改工作区");
    if (rc < 0) {
        sqlite3_finalize(*stmt);
        *stmt = NULL;
    }
    return rc;
}

static const struct sj_model_value *find_value(const struct sj_model_plan *plan, const char *name)
{
    for (size_t i = 0; i < plan->value_count; i++) {
        if (plan->values[i].name && strcmp(plan->values[i].name, name) == 0)
            return &plan->values[i];
    }
    return NULL;
}

static int bind_value(sqlite3_stmt *stmt, int index, const struct sj_model_value *v)
{
    switch (v->type) {
    case SJ_PARAM_INTEGER:
    case SJ_PARAM_AMOUNT:
    case SJ_PARAM_DAYS:
    case SJ_PARAM_BOOLEAN:
        return sqlite3_bind_int64(stmt, index, v->integer);
    case SJ_PARAM_NUMBER:
        return sqlite3_bind_double(stmt, index, v->number ? strtod(v->number, NULL) : 0.0);
    case SJ_PARAM_DATE:
    case SJ_PARAM_TEXT:
    case SJ_PARAM_LIST:
        if (!v->text)
            return sqlite3_bind_null(stmt, index);
        return sqlite3_bind_text(stmt, index, v->text, -1, SQLITE_STATIC);
    }
    return SQLITE_MISUSE;
}

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* The dataset id of a whole-word "ds_<N>" at sql[i], or 0. */
static int64_t dataset_ref_at(const char *sql, size_t i)
{
    if (strncmp(sql + i, "ds_", 3) != 0 || (i > 0 && is_ident_char(sql[i - 1])))
        return 0;
    int64_t id = 0;
    size_t j = i + 3;
    while (isdigit((unsigned char)sql[j]) && id < INT64_MAX / 10 - 10)
        id = id * 10 + (sql[j++] - '0');
    if (j == i + 3 || is_ident_char(sql[j]))
        return 0;
    return id;
}

/* Appends to sql a CREATE INDEX IF NOT EXISTS for each indexed-kind column of dataset id
 * whose index is missing; returns how many. */
static int missing_indexes(struct sj_store *store, int64_t id, struct sj_buf *sql)
{
    sqlite3_stmt *stmt = NULL;
    int count = 0;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT c.position, c.kind FROM dataset_columns c WHERE "
                           "c.dataset_id = ?1 AND NOT EXISTS (SELECT 1 FROM sqlite_master m "
                           "WHERE m.type = 'index' AND m.name = 'ds_' || ?1 || '_c' || "
                           "c.position || '_n') ORDER BY c.position",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int64(stmt, 1, id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        enum sj_kind kind;
        const char *name = (const char *)sqlite3_column_text(stmt, 1);
        if (!name || sj_kind_parse(name, &kind) < 0 || !sj_store_kind_is_indexed(kind))
            continue;
        long long pos = sqlite3_column_int64(stmt, 0);
        sj_buf_appendf(sql, "CREATE INDEX IF NOT EXISTS ds_%lld_c%lld_n ON ds_%lld (c%lld_n);",
                       (long long)id, pos, (long long)id, pos);
        count++;
    }
out:
    sqlite3_finalize(stmt);
    return count;
}

/* Appends a CREATE INDEX for ds_<dataset>.c<position>_n unless it exists; returns 1 if it
 * did. */
static int missing_index(struct sj_store *store, const struct sj_model_index *ix,
                         struct sj_buf *sql)
{
    char name[96];
    sqlite3_stmt *stmt = NULL;
    snprintf(name, sizeof name, "ds_%lld_c%d_n", (long long)ix->dataset, ix->position);
    if (sqlite3_prepare_v2(store->db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1", -1,
                           &stmt, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    bool exists = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_finalize(stmt);
    if (exists || ix->dataset <= 0 || ix->position <= 0)
        return 0;
    sj_buf_appendf(sql, "CREATE INDEX IF NOT EXISTS %s ON ds_%lld (c%d_n);", name,
                   (long long)ix->dataset, ix->position);
    return 1;
}

/* Builds the missing key-column indexes plan wants (see the top of this file). Never
 * fails: without an index the query is only slower. */
static void ensure_indexes(struct sj_store *store, const struct sj_model_plan *plan)
{
    struct sj_buf sql;
    sj_buf_init(&sql, 0);
    int count = 0;
    for (size_t i = 0; !plan->lists_indexes && plan->sql && plan->sql[i]; i++) {
        int64_t id = dataset_ref_at(plan->sql, i);
        if (id > 0)
            count += missing_indexes(store, id, &sql);
    }
    for (size_t i = 0; plan->lists_indexes && i < plan->index_count; i++)
        count += missing_index(store, &plan->indexes[i], &sql);
    if (count == 0)
        goto out;
    bool own = sqlite3_get_autocommit(store->db) != 0;
    if (own && sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    int rc = sqlite3_exec(store->db, sj_buf_cstr(&sql), NULL, NULL, NULL);
    if (own)
        sqlite3_exec(store->db, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
out:
    sj_buf_release(&sql);
}

static int bind_all(struct sj_store *store, sqlite3_stmt *stmt, const struct sj_model_plan *plan,
                    struct sj_err *err)
{
    int count = sqlite3_bind_parameter_count(stmt);
    for (int i = 1; i <= count; i++) {
        const char *name = sqlite3_bind_parameter_name(stmt, i);
        if (!name || name[0] != ':')
            return sj_err_set(err, SJ_EINVAL, "查询的第 %d 个参数没有名字（参数须写成 :名称）", i);
        const struct sj_model_value *v = find_value(plan, name + 1);
        if (!v)
            return sj_err_set(err, SJ_EINVAL, "查询参数 %s 没有值", name);
        if (bind_value(stmt, i, v) != SQLITE_OK)
            return sj_store_db_error(store, err, "binding a model parameter");
    }
    return 0;
}

int sj_store_plan_query(struct sj_store *store, const struct sj_model_plan *plan,
                        sj_plan_row_fn *on_row, void *ctx, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    const char **names = NULL, **values = NULL;
    ensure_indexes(store, plan);
    int rc = prepare_one(store, plan->sql, &stmt, err);
    if (rc == 0)
        rc = bind_all(store, stmt, plan, err);
    if (rc < 0)
        goto out;
    int n = sqlite3_column_count(stmt);
    names = sj_xcalloc((size_t)n + 1, sizeof *names);
    values = sj_xcalloc((size_t)n + 1, sizeof *values);
    for (int i = 0; i < n; i++)
        names[i] = sqlite3_column_name(stmt, i);
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++)
            values[i] = (const char *)sqlite3_column_text(stmt, i);
        rc = on_row(ctx, (size_t)n, names, values);
        if (rc != 0)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "running a model");
out:
    free(names);
    free(values);
    sqlite3_finalize(stmt);
    return rc;
}

int sj_store_plan_explain(struct sj_store *store, const struct sj_model_plan *plan,
                          sj_plan_line_fn *on_line, void *ctx, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    struct sj_buf sql;
    sj_buf_init(&sql, 0);
    ensure_indexes(store, plan);
    sj_buf_append_cstr(&sql, "EXPLAIN QUERY PLAN ");
    sj_buf_append_cstr(&sql, plan->sql ? plan->sql : "");
    int rc = prepare_one(store, sj_buf_cstr(&sql), &stmt, err);
    if (rc == 0)
        rc = bind_all(store, stmt, plan, err);
    if (rc < 0)
        goto out;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(stmt, 3);
        rc = on_line(ctx, sqlite3_column_int(stmt, 0), sqlite3_column_int(stmt, 1),
                     detail ? detail : "");
        if (rc != 0)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "explaining a model's query");
out:
    sqlite3_finalize(stmt);
    sj_buf_release(&sql);
    return rc;
}

int sj_store_query_columns(struct sj_store *store, const char *sql, char ***names, size_t *count,
                           struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    *names = NULL;
    *count = 0;
    int rc = prepare_one(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    int n = sqlite3_column_count(stmt);
    char **list = sj_xcalloc((size_t)n + 1, sizeof *list);
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(stmt, i);
        list[i] = sj_xstrdup(name ? name : "");
    }
    sqlite3_finalize(stmt);
    *names = list;
    *count = (size_t)n;
    return 0;
}
