/*
 * plan.h - the store's side of models (src/store/plan.c, src/store/catalog.c): the catalog
 * facts the model compiler needs to write SQL over a dataset's table (its id, so the table
 * is ds_<id>, and each column's position, header, kind and index), and the executor that
 * runs a compiled struct sj_model_plan with its values bound by name.
 *
 * SQL runs only in src/store; the compiler (src/model) writes SQL text, this runs it.
 * Ownership: strings passed in are borrowed; results are owned by the caller and freed
 * with the matching _release function.
 */
#ifndef SHUJIAN_PLAN_H
#define SHUJIAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/model.h"
#include "shujian/store.h"

/* ---- Catalog -------------------------------------------------------------------------------- */

struct sj_catalog_column {
    char *name;        /* header as imported (owned) */
    enum sj_kind kind; /* SJ_KIND_TEXT when none */
    int position;      /* 1-based: raw text in c<position>, normalised value in c<position>_n */
    bool has_norm;     /* c<position>_n exists (the column has a kind) */
    bool is_indexed;   /* c<position>_n has an index */
};

struct sj_catalog_dataset {
    int64_t id; /* its rows are in table ds_<id> */
    char *name;
    int64_t row_count;
    struct sj_catalog_column *columns;
    size_t column_count;
};

/* Fills *out for the dataset called name. 0, SJ_ENOTFOUND (message names the dataset and
 * lists the datasets that exist) or SJ_EDB. Release with sj_catalog_dataset_release. */
int sj_store_catalog_dataset(struct sj_store *store, const char *name,
                             struct sj_catalog_dataset *out, struct sj_err *err);
void sj_catalog_dataset_release(struct sj_catalog_dataset *dataset);

/* The result column names of sql (prepared, not run), for the compiler's sql steps. sql must
 * be exactly one read-only statement; otherwise SJ_EINVAL, and SJ_EDB (with SQLite's reason)
 * when it does not prepare. *names (count *count) is owned by the caller: free each name
 * and the array. */
int sj_store_query_columns(struct sj_store *store, const char *sql, char ***names, size_t *count,
                           struct sj_err *err);

/* ---- Running a plan ---------------------------------------------------------------------------
 */

/* Called for each result row: columns[i] names column i, values[i] is its value as text or
 * NULL for SQL NULL (all borrowed, valid during the call). Return 0 to go on; anything else
 * stops the query and is returned by sj_store_plan_query. */
typedef int sj_plan_row_fn(void *ctx, size_t column_count, const char *const *columns,
                           const char *const *values);

/* Prepares plan->sql (one read-only statement), binds every parameter it names from
 * plan->values (by name; a parameter without a value is SJ_EINVAL), steps through the rows
 * and calls on_row for each. Returns 0, on_row's non-zero value, SJ_EINVAL or SJ_EDB. */
int sj_store_plan_query(struct sj_store *store, const struct sj_model_plan *plan,
                        sj_plan_row_fn *on_row, void *ctx, struct sj_err *err);

/* Called for each line of SQLite's query plan: id and parent link the lines into a tree
 * (parent 0 is the root); detail is SQLite's text. Return 0 to go on. */
typedef int sj_plan_line_fn(void *ctx, int id, int parent, const char *detail);

/* Runs EXPLAIN QUERY PLAN on plan (values bound as for the query) and reports each line. */
int sj_store_plan_explain(struct sj_store *store, const struct sj_model_plan *plan,
                          sj_plan_line_fn *on_line, void *ctx, struct sj_err *err);

#endif
