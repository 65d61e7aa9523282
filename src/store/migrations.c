/*
 * migrations.c - the workspace schema as numbered migrations. Migration N (1-based) takes
 * a database at PRAGMA user_version N-1 to N; each runs in its own transaction together
 * with the user_version update, so a crash leaves the schema at a whole version.
 * Never edit a migration that has shipped: append a new one.
 *
 * Tables (version 1): meta; datasets; dataset_columns; import_runs; rejects. Each
 * dataset's rows live in their own table ds_<id>, created by src/store/import.c:
 *   _row INTEGER PRIMARY KEY, _run (import_runs.id), _src_row (row in the file),
 *   c<N> raw text of column N (1-based), c<N>_n its normalised value for columns with a
 *   kind (INTEGER for amount in fen and integer, TEXT otherwise; NULL when empty/invalid).
 */
#include <stdio.h>

#include "store/store_int.h"

static const char migration_1[] =
    "CREATE TABLE meta (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "INSERT INTO meta (key, value) VALUES\n"
    "  ('format', 'shujian-workspace'),\n"
    "  ('created_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));\n"
    "CREATE TABLE datasets (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  table_name TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL,\n"
    "  updated_at TEXT NOT NULL,\n"
    "  row_count INTEGER NOT NULL DEFAULT 0,\n"
    "  reject_count INTEGER NOT NULL DEFAULT 0,\n"
    "  flagged_cells INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE TABLE dataset_columns (\n"
    "  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,\n"
    "  position INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  sql_name TEXT NOT NULL,\n"
    "  PRIMARY KEY (dataset_id, position)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE import_runs (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,\n"
    "  file_name TEXT NOT NULL,\n"
    "  file_path TEXT NOT NULL,\n"
    "  file_size INTEGER NOT NULL,\n"
    "  sha256 TEXT NOT NULL,\n"
    "  sheet TEXT NOT NULL,\n"
    "  format TEXT NOT NULL,\n"
    "  encoding TEXT NOT NULL,\n"
    "  started_at TEXT NOT NULL,\n"
    "  finished_at TEXT,\n"
    "  rows_read INTEGER NOT NULL DEFAULT 0,\n"
    "  rows_imported INTEGER NOT NULL DEFAULT 0,\n"
    "  rows_rejected INTEGER NOT NULL DEFAULT 0,\n"
    "  cells_flagged INTEGER NOT NULL DEFAULT 0,\n"
    "  UNIQUE (dataset_id, sha256, sheet)\n"
    ");\n"
    "CREATE TABLE rejects (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id INTEGER NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,\n"
    "  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,\n"
    "  file_name TEXT NOT NULL,\n"
    "  sheet TEXT NOT NULL,\n"
    "  \"row\" INTEGER NOT NULL,\n"
    "  \"column\" INTEGER NOT NULL,\n"
    "  field TEXT NOT NULL,\n"
    "  raw TEXT,\n"
    "  reason TEXT NOT NULL,\n"
    "  is_row INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX rejects_run ON rejects (run_id, \"row\");\n"
    "CREATE INDEX rejects_dataset ON rejects (dataset_id);\n";

const char *const sj_store_migrations[] = {
    migration_1,
};
const size_t sj_store_migration_count = SJ_ARRAY_LEN(sj_store_migrations);

static int read_version(struct sj_store *store, int *version, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare(store, "PRAGMA user_version", &stmt, err);
    if (rc < 0)
        return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *version = sqlite3_column_int(stmt, 0);
    else
        rc = sj_store_db_error(store, err, "reading the schema version");
    sqlite3_finalize(stmt);
    return rc;
}

static int apply(struct sj_store *store, int index, struct sj_err *err)
{
    char set_version[64];
    /* IMMEDIATE: two processes opening a fresh workspace at once must not both migrate. */
    int rc = sj_store_exec(store, "BEGIN IMMEDIATE", err);
    if (rc < 0)
        return rc;
    int version = 0;
    rc = read_version(store, &version, err);
    if (rc < 0 || version > index)
        goto out; /* someone else migrated meanwhile */
    rc = sj_store_exec(store, sj_store_migrations[index], err);
    if (rc < 0)
        goto out;
    snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d", index + 1);
    rc = sj_store_exec(store, set_version, err);
    if (rc == 0)
        rc = sj_store_exec(store, "COMMIT", err);
out:
    if (rc < 0 || version > index)
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    if (rc < 0 && err) {
        char why[sizeof err->message];
        snprintf(why, sizeof why, "%s", err->message);
        sj_err_set(err, SJ_EDB, "schema migration %d failed: %s", index + 1, why);
    }
    return rc;
}

int sj_store_migrate(struct sj_store *store, struct sj_err *err)
{
    int version = 0;
    int rc = read_version(store, &version, err);
    if (rc < 0)
        return rc;
    if (version > (int)sj_store_migration_count)
        return sj_err_set(err, SJ_EDB,
                          "工作区的数据库版本（%d）比本程序支持的（%d）新，请升级 shujian", version,
                          (int)sj_store_migration_count);
    for (int i = version; i < (int)sj_store_migration_count; i++) {
        rc = apply(store, i, err);
        if (rc < 0)
            return rc;
    }
    return read_version(store, &store->schema_version, err);
}
