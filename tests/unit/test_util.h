/*
 * test_util.h - helpers shared by the unit tests (tests/unit/test_util.c, a static library
 * linked into every unit test): temporary directories and their removal, a workspace in a
 * temporary directory, files written from memory and read back, and the table runner of the
 * normaliser tests. Names start with tu_ ("test util"). Failures are reported through
 * cmocka (fail_msg, assert_*), so the functions that can fail the test may only be called
 * from a test or a setup function; those returning int report failure instead.
 */
#ifndef SHUJIAN_TEST_UTIL_H
#define SHUJIAN_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "shujian/ingest.h"
#include "shujian/norm.h"
#include "shujian/store.h"

/* ---- Temporary directories and files ------------------------------------------------------ */

/* Makes a fresh directory "$TMPDIR/PREFIX-XXXXXX" (/tmp when TMPDIR is unset or empty) and
 * writes its path into dir[size]. Returns 0, or -1 when it cannot (errno set). */
int tu_temp_dir(char *dir, size_t size, const char *prefix);
/* Removes path and, when it is a directory, everything below it; symbolic links are
 * removed, not followed. Missing paths are ignored. */
void tu_remove_tree(const char *path);

/* Writes len bytes of data to the file dir/NAME, created or truncated (dir NULL: NAME is
 * the whole path), and returns its path in a static buffer that the next call overwrites.
 * Fails the test when the file cannot be written. */
const char *tu_write_file(const char *dir, const char *name, const void *data, size_t len);
/* The same for the NUL-terminated text. */
const char *tu_write_text(const char *dir, const char *name, const char *text);
/* Reads the whole file at path into a buffer owned by the caller (free), NUL-terminated
 * after its *len bytes. Fails the test when it cannot. */
char *tu_read_file(const char *path, size_t *len);

/* ---- A workspace in a temporary directory --------------------------------------------------- */

struct tu_workspace {
    char dir[256];          /* the temporary directory, removed with everything in it */
    char ws[300];           /* the workspace directory inside it: dir + "/ws" */
    struct sj_store *store; /* open on ws, or NULL (a test may open it itself) */
};

/* Makes the temporary directory (named after prefix) and, when open_store, creates and opens
 * the workspace. Returns 0, or -1 with nothing left behind. */
int tu_workspace_init(struct tu_workspace *w, const char *prefix, bool open_store);
/* Closes the store (if open) and removes the temporary directory. */
void tu_workspace_release(struct tu_workspace *w);
/* tu_workspace_init on the heap, for a cmocka setup: NULL when it fails. */
struct tu_workspace *tu_workspace_new(const char *prefix, bool open_store);
/* tu_workspace_release and free; w may be NULL. */
void tu_workspace_free(struct tu_workspace *w);
/* cmocka setup and teardown giving each test a fresh struct tu_workspace, store open, as its
 * state; TU_WORKSPACE_TEST(test) registers a test with them. */
int tu_workspace_setup(void **state);
int tu_workspace_teardown(void **state);
#define TU_WORKSPACE_TEST(test)                                                                    \
    cmocka_unit_test_setup_teardown(test, tu_workspace_setup, tu_workspace_teardown)

/* Runs sql, a query of one row and one column, through sj_store_plan_query (as a model's
 * plan runs) and returns its return code; *value is the value read as an integer, -1 when
 * there was none. */
int tu_plan_value(struct sj_store *store, const char *sql, long long *value, struct sj_err *err);

/* Imports the file at path into store with opts (may be NULL) and returns its one summary
 * (sj_import_summaries_free(s, 1)). Fails the test when the import fails, gives other than
 * one summary, or the rows read are not the rows imported plus the rows rejected. */
struct sj_import_summary *tu_import_one(struct sj_store *store, const char *path,
                                        const struct sj_import_opts *opts);

/* Imports nrows x ncols cells (row-major, NUL-terminated text) as a new run of dataset,
 * each cell of a kind other than text normalised as an import would (at most 16 columns; the
 * source rows are numbered from 2, under a header row). Fails the test when it cannot. */
void tu_import_cells(struct sj_store *store, const char *dataset,
                     const struct sj_column_def *cols, size_t ncols, const char *const *cells,
                     size_t nrows);

/* ---- Synthetic identifiers ------------------------------------------------------------------ */

/* The 18-character ID number whose first 17 digits are first17 (GB 11643 check character
 * computed) into out. */
void tu_idcard(const char *first17, char out[19]);

/* ---- Normaliser tables -------------------------------------------------------------------- */

/* One row of a normaliser table: an input and what must come of it. */
struct tu_norm_case {
    const char *in;
    const char *value; /* the canonical value; NULL when in must be rejected */
    const char *want;  /* valid: the parts "key=value;..." exactly and in order ("" for none),
                        * or NULL to check only their number (tu_norm_table.part_count);
                        * invalid: the exact reason */
};

/* What every row of a table shares. */
struct tu_norm_table {
    enum sj_kind kind;
    bool (*fn)(struct sj_str in, struct sj_norm_result *out);
    const char *number_keys; /* keys of the parts that are JSON numbers, each framed by ';'
                              * (";year;seq;"); NULL: no part is a number */
    bool value_is_number;    /* a valid value is a JSON number; otherwise number stays 0 */
    int part_count;          /* how many parts a valid row with a NULL want has */
    /* Further checks of a valid row (c->value is r->value), or NULL. */
    void (*check_row)(const struct tu_norm_case *c, const struct sj_norm_result *r);
};

/* Normalises every row with t->fn into one reused result, so stale fields of an earlier
 * row would show, and checks: the kind; the return value is is_valid and matches the row;
 * a valid row has its value and value_len, no reason, value_is_number as the table says
 * (number 0 unless it is a number), its parts (or their count) and a value that normalises
 * to itself; an invalid row has its exact reason and no value, number or parts. */
void tu_norm_run(const struct tu_norm_table *t, const struct tu_norm_case *cases, size_t count);

/* Long inputs are rejected without overrunning a buffer: 4096 bytes of the ASCII character
 * ascii, with ascii_reason (NULL: any reason), and 4095 bytes of the 3-byte UTF-8
 * character wide, with wide_reason. */
void tu_norm_long_input(const struct tu_norm_table *t, char ascii, const char *ascii_reason,
                        const char *wide, const char *wide_reason);

#endif
