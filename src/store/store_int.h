/*
 * store_int.h - internal to src/store: the store handle, the numbered migrations and the
 * helpers the store's files share. Table and column identifiers are always generated
 * from integers here (ds_<id>, c<N>, c<N>_n), never taken from stored or user text, so
 * the only text ever pasted into SQL is made of digits and fixed names.
 */
#ifndef SHUJIAN_STORE_INT_H
#define SHUJIAN_STORE_INT_H

#include <sqlite3.h>

#include "shujian/store.h"

/* One statement of the per-connection cache (store.c). */
struct sj_store_cached {
    char *sql;          /* owned: the text it was prepared from, the key */
    uint64_t hash;      /* of sql */
    sqlite3_stmt *stmt; /* prepared with SQLITE_PREPARE_PERSISTENT */
    bool is_busy;       /* handed out and not yet given back with sj_store_finish */
};

struct sj_store {
    sqlite3 *db;
    char *dir;                      /* owned */
    int schema_version;             /* PRAGMA user_version after migrating */
    bool in_import;                 /* an sj_import is open: its transaction owns the connection */
    struct sj_store_cached *cached; /* the statement cache: cached_count entries */
    size_t cached_count;
    uint32_t *slots; /* open-addressing hash of cached: index + 1, 0 = empty */
};

/* Longest identifier we build: "ds_<int64>_c<N>_n" and friends. */
#define SJ_STORE_IDENT_MAX 64

/* The migrations, in order: migration i (0-based) takes the schema to version i + 1. */
extern const char *const sj_store_migrations[];
extern const size_t sj_store_migration_count;

/* Applies the migrations the database has not seen yet, each in its own transaction
 * that also sets PRAGMA user_version. Refuses a database newer than this program. */
int sj_store_migrate(struct sj_store *store, struct sj_err *err);

/* Records an SJ_EDB error saying what we were doing and what SQLite said; returns SJ_EDB
 * (SQLITE_BUSY gets a message saying the workspace is busy). */
int sj_store_db_error(struct sj_store *store, struct sj_err *err, const char *what);
/* Runs SQL without results (fixed text only: never user data). */
int sj_store_exec(struct sj_store *store, const char *sql, struct sj_err *err);
/* Prepares sql for one use; on failure records the error and returns SJ_EDB. The caller
 * finalises *stmt (sqlite3_finalize) or gives it to sj_store_finish. */
int sj_store_prepare(struct sj_store *store, const char *sql, sqlite3_stmt **stmt,
                     struct sj_err *err);
/* Like sj_store_prepare, but *stmt comes from the connection's statement cache, keyed by
 * the text of sql (prepared once, SQLITE_PREPARE_PERSISTENT): give it back with
 * sj_store_finish on every path, never sqlite3_finalize. *stmt is reset with no bindings.
 * When the same text is already handed out (a nested use) or the cache is full, *stmt is
 * a one-off statement that sj_store_finish finalises. Use for fixed SQL text, or text
 * varying over a few values (table ids). */
int sj_store_prepare_cached(struct sj_store *store, const char *sql, sqlite3_stmt **stmt,
                            struct sj_err *err);
/* Gives stmt back (NULL is fine): a cached statement is reset, its bindings cleared (so no
 * read transaction stays open and no borrowed pointer stays bound), and it may be handed
 * out again; any other statement is finalised. */
void sj_store_finish(struct sj_store *store, sqlite3_stmt *stmt);

/* Finds a dataset's id by name: 0, SJ_ENOTFOUND (with a message naming it) or SJ_EDB. */
int sj_store_dataset_id(struct sj_store *store, const char *name, int64_t *id, struct sj_err *err);
/* Reads the columns of dataset id in position order into *columns (owned by the caller,
 * freed with sj_store_columns_free). */
int sj_store_load_columns(struct sj_store *store, int64_t id, struct sj_column_def **columns,
                          size_t *count, struct sj_err *err);
void sj_store_columns_free(struct sj_column_def *columns, size_t count);

/* A copy of the text of column col of the current row, "" for NULL (owned by the caller). */
char *sj_store_column_dup(sqlite3_stmt *stmt, int col);
/* The same but NULL stays NULL. */
char *sj_store_column_dup_null(sqlite3_stmt *stmt, int col);

/* True for kinds whose normalised value is stored as an INTEGER (amount in fen, integer). */
bool sj_store_kind_is_integer(enum sj_kind kind);
/* True for kinds whose normalised column gets an index (join keys of the models). */
bool sj_store_kind_is_indexed(enum sj_kind kind);

#endif
