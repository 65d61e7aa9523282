/*
 * bail_store_int.h - internal to src/store's bail files (bail_store.c, bail_store_alerts.c): the
 * statement helpers they share. Parameters are bound by a format string: i int64, n int64 with
 * 0 as NULL, d double, t text (NULL as NULL), h 32-byte blob (NULL as NULL); every variadic
 * argument must have exactly that type (cast literals to int64_t).
 */
#ifndef SHUJIAN_BAIL_STORE_INT_H
#define SHUJIAN_BAIL_STORE_INT_H

#include <stdarg.h>

#include "shujian/bail_store.h"
#include "store/store_int.h"

typedef void (*sj_store_bail_row_fn)(sqlite3_stmt *st, void *item);

void sj_store_bail_vbind(sqlite3_stmt *st, const char *fmt, va_list ap);
/* Takes sql's statement from the connection's cache (sj_store_prepare_cached) and binds the
 * arguments: give it back with sj_store_finish (or the read helpers below), never
 * sqlite3_finalize. */
int sj_store_bail_prep(struct sj_store *store, sqlite3_stmt **st, struct sj_err *err,
                       const char *sql, const char *fmt, ...);
/* SJ_EEXIST for a uniqueness violation, else SJ_EDB saying what. */
int sj_store_bail_step_error(struct sj_store *store, struct sj_err *err, const char *what);
/* Runs a statement without results: the number of rows changed, or an error. */
int sj_store_bail_run(struct sj_store *store, struct sj_err *err, const char *what, const char *sql,
                      const char *fmt, ...);
/* Runs an INSERT; *id (may be NULL) gets the new rowid. */
int sj_store_bail_insert(struct sj_store *store, struct sj_err *err, const char *what, int64_t *id,
                         const char *sql, const char *fmt, ...);
/* Steps st to the end reading rows into a growing array (owned by the caller); gives st back
 * (sj_store_finish). */
int sj_store_bail_read_rows(struct sj_store *store, sqlite3_stmt *st, size_t item_size,
                            sj_store_bail_row_fn fn, void **list, size_t *count, struct sj_err *err,
                            const char *what);
/* Reads exactly one row; SJ_ENOTFOUND ("<what>不存在") when none. Gives st back. */
int sj_store_bail_read_one(struct sj_store *store, sqlite3_stmt *st, sj_store_bail_row_fn fn,
                           void *item, struct sj_err *err, const char *what);
int64_t sj_store_bail_col_i(sqlite3_stmt *st, int col);
char *sj_store_bail_col_t(sqlite3_stmt *st, int col);
/* Copies column col's text into out (size bytes, cut to fit); NULL gives "". */
void sj_store_bail_col_copy(sqlite3_stmt *st, int col, char *out, size_t size);
/* Reads an alert's kind, severity and status from columns col, col + 1 and col + 2 (the one
 * reading of them for sj_bail_alert and sj_bail_alert_fact). */
void sj_store_bail_col_alert_state(sqlite3_stmt *st, int col, enum sj_bail_alert_kind *kind,
                                   enum sj_bail_severity *severity,
                                   enum sj_bail_alert_status *status);

#endif
