/*
 * store.h - the workspace: a directory holding a SQLite database in WAL mode with the
 * warehouse (datasets, their columns and kinds, import runs, rows with provenance,
 * rejects). This module is the only place SQL lives (apart from the model compiler's
 * output); everything above it speaks in these functions, so that a PostgreSQL backend
 * can follow. Schema changes are numbered migrations applied at open.
 *
 * Layout (for the model compiler, which may read it in SQL): dataset N's rows are in
 * table ds_<N> with _row INTEGER PRIMARY KEY (import order), _run (import_runs.id, which
 * gives file_name, sheet, sha256), _src_row (row in the file), and for the column at
 * 1-based position P: cP (raw TEXT, NULL when empty) and, when it has a kind, cP_n (the
 * normalised value: INTEGER fen for amount, INTEGER for integer, TEXT otherwise; NULL when
 * empty or invalid). For kinds with a TEXT cP_n, datasets created since the split layout
 * keep the raw text in cP_r only where it differs from cP_n, and cP is a virtual generated
 * column COALESCE(cP_r, cP_n) that reads as the raw text (docs/IMPORT.md); read cP, never
 * cP_r. cP_n of kinds idcard, party-id, name, phone, case-no, credit-code,
 * org-code, bankcard and plate is indexed (index ds_<N>_cP_n), built not at import but
 * when a model first runs over dataset N (src/store/plan.c; datasets imported by earlier
 * builds may also have one on date columns). dataset_columns maps names to positions.
 *
 * Ownership: a struct sj_store is owned by whoever opened it and used from one thread
 * at a time. Strings passed in are borrowed; strings handed out in result structs are
 * owned by the caller unless said otherwise and freed with the matching _free function.
 */
#ifndef SHUJIAN_STORE_H
#define SHUJIAN_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/norm.h"

struct sj_store;

#define SJ_WORKSPACE_DEFAULT "./shujian-data"
#define SJ_WORKSPACE_DB "workspace.db"

/* Picks the workspace directory: flag_value (from --workspace) when not NULL, else
 * $SHUJIAN_WORKSPACE, else SJ_WORKSPACE_DEFAULT. Static or borrowed storage. */
const char *sj_store_default_dir(const char *flag_value);

/* Opens (creating if needed when create is true) the workspace in dir and migrates its
 * schema to the newest version. *out is owned by the caller (sj_store_close). Errors:
 * SJ_ENOTFOUND (no workspace and create is false), SJ_EIO, SJ_EDB. */
int sj_store_open(const char *dir, bool create, struct sj_store **out, struct sj_err *err);
void sj_store_close(struct sj_store *store);

/* For a one-shot command that scans large tables (the CLI's model run), before it opens its
 * first store: caps the memory SQLite may allocate in this process at limit bytes
 * (sqlite3_hard_heap_limit64); past it a statement fails with SJ_ENOMEM instead of the
 * process growing without bound. Switches on SQLite's memory accounting, which the server
 * leaves off (it costs a global mutex per allocation). limit <= 0 sets no cap. */
void sj_store_limit_memory(int64_t limit);

/* Has store scan fast, for a one-shot command (the CLI's model run): the database file is
 * read through a memory map (PRAGMA mmap_size, up to SQLite's limit of about 2 GiB) instead
 * of being copied page by page into the page cache, and SQLite's temporary tables
 * (materialised steps, IN lists, sorting indexes) are kept in memory (temp_store=MEMORY)
 * instead of spilling to temporary files. Use with sj_store_limit_memory, and on SJ_ENOMEM
 * go back to temporary files with sj_store_scan_on_disk. Not for the server: a disk read
 * error while mapped ends the process (SIGBUS) instead of failing the query. Errors: SJ_EDB. */
int sj_store_scan_fast(struct sj_store *store, struct sj_err *err);
/* After SJ_ENOMEM under sj_store_scan_fast: temporary tables go to temporary files again
 * (temp_store=FILE) and the memory cap is lifted, so the same work can be run again with
 * bounded memory. Errors: SJ_EDB. */
int sj_store_scan_on_disk(struct sj_store *store, struct sj_err *err);

/* Called every few thousand steps of the connection's running statement; returning non-zero
 * stops it (the call that ran it then fails with SJ_EDB, "interrupted"). */
typedef int sj_store_watch_fn(void *ctx);
/* Installs watch (with ctx) on store's connection for the statements run until it is removed
 * with sj_store_watch(store, NULL, NULL): e.g. a time limit on a query. One watch at a time;
 * the connection is used by one thread at a time, as always. */
void sj_store_watch(struct sj_store *store, sj_store_watch_fn *watch, void *ctx);
/* The workspace directory (borrowed). */
const char *sj_store_dir(const struct sj_store *store);
/* Schema version after migrations. */
int sj_store_schema_version(const struct sj_store *store);

/* ---- Catalog ----------------------------------------------------------------------------- */

struct sj_column_def {
    char *name;        /* header as in the source file (owned) */
    enum sj_kind kind; /* semantic kind; SJ_KIND_TEXT when none */
};

struct sj_dataset_info {
    int64_t id;
    char *name;
    int64_t row_count;
    int64_t reject_count;  /* rejected rows */
    int64_t flagged_cells; /* cells kept but failing normalisation */
    int64_t import_count;  /* import runs (files or sheets) committed into it */
    char *created_at;      /* ISO 8601 UTC */
    char *updated_at;
    size_t column_count;
    struct sj_column_def *columns;
};

/* Fills *info for the dataset called name. Returns 0, SJ_ENOTFOUND or SJ_EDB. Release the
 * contents with sj_dataset_info_release. */
int sj_store_dataset_get(struct sj_store *store, const char *name, struct sj_dataset_info *info,
                         struct sj_err *err);
void sj_dataset_info_release(struct sj_dataset_info *info);

/* Lists all datasets ordered by name. *list (count *count) is owned by the caller:
 * free with sj_dataset_list_free. */
int sj_store_dataset_list(struct sj_store *store, struct sj_dataset_info **list, size_t *count,
                          struct sj_err *err);
void sj_dataset_list_free(struct sj_dataset_info *list, size_t count);

/* Deletes a dataset with its rows, import runs and rejects, in one transaction. Its
 * files count as new when imported again. SJ_ENOTFOUND if absent; SJ_EINVAL while an
 * import is open on this store. */
int sj_store_dataset_drop(struct sj_store *store, const char *name, struct sj_err *err);

/* ---- Importing ----------------------------------------------------------------------------- */

/* What is known of the file being imported. All borrowed. */
struct sj_import_source {
    const char *file_name; /* base name as shown to users */
    const char *file_path; /* path given on the command line */
    int64_t file_size;
    const char *sha256;   /* lowercase hex of the file's bytes */
    const char *sheet;    /* sheet name for workbooks, "" for text files */
    const char *format;   /* "csv", "xlsx", "xls" */
    const char *encoding; /* detected or forced encoding of text files, "" otherwise */
};

struct sj_import;

/* Starts importing one source into dataset_name with the given columns (borrowed; kinds
 * SJ_KIND_TEXT..SJ_KIND_NUMBER, not SJ_KIND_AUTO).
 * - If this (dataset, sha256, sheet) was imported before, returns SJ_EEXIST and sets
 *   *previous_run (may be NULL) to that run's id: nothing changes.
 * - If the dataset exists, the columns must match its columns by name and order; kinds
 *   may differ only where one side is text, and the dataset's kind stays (see
 *   sj_import_column_kind). Otherwise SJ_EFORMAT with a Chinese message that names the
 *   first difference ("第3列应为“身份证号”，此文件为“证件号码”"); err->file is set.
 * - Otherwise creates the dataset and its table.
 * Other errors: SJ_EINVAL (empty or over-long name, no columns, no sha256, another import
 * open on this store), SJ_ETOOBIG (more columns than SQLite allows), SJ_EDB.
 * Everything happens in one transaction that sj_import_commit ends; sj_import_abort (or a
 * crash) leaves the workspace as it was. Only one import per store at a time, and it holds
 * the workspace's write lock until it ends. *out is owned by the caller until
 * commit/abort; it is NULL on error. */
int sj_import_begin(struct sj_store *store, const char *dataset_name,
                    const struct sj_column_def *columns, size_t column_count,
                    const struct sj_import_source *source, struct sj_import **out,
                    int64_t *previous_run, struct sj_err *err);

/* The kind column (0-based) has in the dataset, which is what the store keeps: for a new
 * dataset the kind given to sj_import_begin; when appending, the dataset's kind (it wins
 * where this file's kind was text, or where the dataset's column is text). The caller
 * normalises each cell with this kind. SJ_KIND_TEXT for a column out of range. */
enum sj_kind sj_import_column_kind(const struct sj_import *imp, size_t column);

/* One cell of a row: raw text as read (borrowed, UTF-8) and, for columns with a kind, the
 * normalisation result (borrowed; NULL for text columns or empty cells). */
struct sj_import_cell {
    struct sj_str raw;
    const struct sj_norm_result *norm;
};

/* Adds one row (cells[column_count]) read from source_row (1-based, as in the file). A cell
 * whose normalisation failed is stored raw with a NULL normalised value and recorded as a
 * cell problem (with the norm reason). An empty raw cell is stored as NULL; a blank one
 * (white space only) or one with norm NULL gets no normalised value and is not flagged.
 * For amount and integer columns norm->number is stored, otherwise norm->value. Returns 0
 * or SJ_EDB (err says the row); after an error only sj_import_abort makes sense. */
int sj_import_add_row(struct sj_import *imp, int64_t source_row, const struct sj_import_cell *cells,
                      struct sj_err *err);

/* Records a rejected row: it is not imported, and the rejects list keeps the file, sheet,
 * row, column (0 when the whole row), field (may be NULL), raw value and reason (both
 * borrowed). Returns 0 or SJ_EDB. */
int sj_import_reject_row(struct sj_import *imp, int64_t source_row, int column, const char *field,
                         struct sj_str raw, const char *reason, struct sj_err *err);

struct sj_import_counts {
    int64_t run_id;
    int64_t rows_read; /* = rows_imported + rows_rejected */
    int64_t rows_imported;
    int64_t rows_rejected;
    int64_t cells_flagged;
};

/* Commits the import and fills *counts (may be NULL); frees imp in every case. On error
 * everything is rolled back. A new dataset's key-column indexes are built here. */
int sj_import_commit(struct sj_import *imp, struct sj_import_counts *counts, struct sj_err *err);
/* Rolls back and frees imp (NULL is fine). */
void sj_import_abort(struct sj_import *imp);

/* ---- Reading back ------------------------------------------------------------------------- */

struct sj_row_cell {
    char *raw;  /* NULL when the cell was empty */
    char *norm; /* normalised value as text; NULL when none */
};

struct sj_row {
    int64_t row_id; /* stable id within the dataset */
    int64_t run_id;
    char *file_name; /* source file of the row */
    char *sheet;
    int64_t source_row;        /* row number in that file */
    struct sj_row_cell *cells; /* column_count cells */
};

struct sj_row_page {
    size_t column_count;
    size_t row_count;
    struct sj_row *rows;
};

/* Reads up to limit (> 0) rows after skipping offset (>= 0) rows, in import order. Free
 * with sj_row_page_release. SJ_EINVAL, SJ_ENOTFOUND or SJ_EDB. */
int sj_store_rows(struct sj_store *store, const char *dataset, int64_t offset, int64_t limit,
                  struct sj_row_page *page, struct sj_err *err);
void sj_row_page_release(struct sj_row_page *page);

struct sj_reject {
    int64_t run_id;
    char *file_name;
    char *sheet;
    int64_t row;
    int column; /* 1-based; 0 for the whole row */
    char *field;
    char *raw;
    char *reason;
    bool is_row; /* true: the row was rejected; false: a cell problem in a kept row */
};

/* All rejects and cell problems of a dataset in file/row order. Free with
 * sj_reject_list_free. */
int sj_store_rejects(struct sj_store *store, const char *dataset, struct sj_reject **list,
                     size_t *count, struct sj_err *err);
void sj_reject_list_free(struct sj_reject *list, size_t count);

#endif
