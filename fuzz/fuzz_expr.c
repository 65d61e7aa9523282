/*
 * fuzz_expr.c - fuzz target for the model expression language: sj_expr_parse and the SQL
 * translation (expr_sql.c) of what parses.
 * Checks: a failure is SJ_EFORMAT with a message and an offset inside the text; the names
 * listed are non-empty; a parsed expression either translates or fails with a message; the
 * SQL it translates to prepares in SQLite (valid syntax and functions) and is printable
 * ASCII only, which shows that no byte of the input was pasted into it (columns here all
 * map to t.v, and every value is a bound parameter).
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/compile_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sj_model_param params[] = {
    {.name = "threshold", .type = SJ_PARAM_AMOUNT}, {.name = "causes", .type = SJ_PARAM_LIST},
    {.name = "start", .type = SJ_PARAM_DATE},       {.name = "n", .type = SJ_PARAM_INTEGER},
    {.name = "w", .type = SJ_PARAM_DAYS},           {.name = "t", .type = SJ_PARAM_TEXT},
    {.name = "x", .type = SJ_PARAM_NUMBER},         {.name = "flag", .type = SJ_PARAM_BOOLEAN},
};
static char *param_names[] = {"p_threshold", "p_causes", "p_start", "p_n",
                              "p_w",         "p_t",      "p_x",     "p_flag"};

/* Any column exists; its kind follows its first letter so every type is exercised. */
static const char *any_column(const struct sj_expr_scope *scope, const char *name,
                              enum sj_kind *kind, struct sj_buf *scratch)
{
    switch (name[0]) {
    case 'a':
        *kind = SJ_KIND_AMOUNT;
        break;
    case 'd':
        *kind = SJ_KIND_DATE;
        break;
    case 'e':
        *kind = SJ_KIND_DATETIME;
        break;
    case 'i':
        *kind = SJ_KIND_INTEGER;
        break;
    case 'n':
        *kind = SJ_KIND_NUMBER;
        break;
    case 'c':
        *kind = SJ_KIND_IDCARD;
        break;
    case 'm':
        *kind = SJ_KIND_NAME;
        break;
    case 'u':
        *kind = SJ_KIND_AUTO;
        break;
    case 'z':
        return NULL; /* no such column */
    default:
        *kind = SJ_KIND_TEXT;
        break;
    }
    return "t.v";
}

static sqlite3 *db(void)
{
    static sqlite3 *handle;
    if (!handle && (sqlite3_open(":memory:", &handle) != SQLITE_OK ||
                    sqlite3_exec(handle, "CREATE TABLE t (v)", NULL, NULL, NULL) != SQLITE_OK))
        abort();
    return handle;
}

static void check_sql(const char *cond)
{
    for (const char *p = cond; *p; p++) {
        if (*p < 0x20 || *p > 0x7e) {
            fprintf(stderr, "non-ASCII byte in SQL: %s\n", cond);
            abort();
        }
    }
    struct sj_buf sql;
    sj_buf_init(&sql, 0);
    sj_buf_appendf(&sql, "SELECT 1 FROM t WHERE %s", cond);
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db(), sj_buf_cstr(&sql), -1, &stmt, NULL) != SQLITE_OK) {
        fprintf(stderr, "does not prepare (%s): %s\n", sqlite3_errmsg(db()), sj_buf_cstr(&sql));
        abort();
    }
    sqlite3_finalize(stmt);
    sj_buf_release(&sql);
}

static void translate(const struct sj_expr *expr)
{
    struct sj_model model = {.id = "fuzz", .params = params, .param_count = SJ_ARRAY_LEN(params)};
    struct sj_cc cc = {0};
    struct sj_cc_ns ns = {.cc = &cc, .model = &model, .param_names = param_names};
    struct sj_expr_scope scope = {&ns, any_column, NULL};
    struct sj_buf out;
    size_t offset = 0;
    char message[384];
    sj_buf_init(&out, 0);
    int rc = sj_expr_to_sql(expr, &scope, &out, &offset, message, sizeof message);
    if (rc == 0)
        check_sql(sj_buf_cstr(&out));
    else if (rc != SJ_EFORMAT || !message[0])
        abort();
    sj_buf_release(&out);
    for (size_t i = 0; i < cc.value_count; i++) {
        free(cc.values[i].name);
        free(cc.values[i].text);
        free(cc.values[i].number);
    }
    free(cc.values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    struct sj_expr *expr = NULL;
    size_t offset = 0;
    char message[384];
    int rc = sj_expr_parse(text, &expr, &offset, message, sizeof message);
    if (rc != 0) {
        if (rc != SJ_EFORMAT || expr || !message[0] || offset > strlen(text) + 1)
            abort();
        free(text);
        return 0;
    }
    for (size_t i = 0; i < sj_expr_column_count(expr); i++) {
        if (!sj_expr_column(expr, i)[0])
            abort();
    }
    for (size_t i = 0; i < sj_expr_param_count(expr); i++) {
        if (!sj_expr_param(expr, i)[0])
            abort();
    }
    translate(expr);
    sj_expr_free(expr);
    free(text);
    return 0;
}
