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
 * Version 2: model_runs; leads; lead_evidence; lead_history (docs/LEADS.md).
 * migration_identity: offices; users; login_failures; sessions (docs/API.md).
 * migration_ledger: ledger_meta; ledger_entries; ledger_checkpoints (docs/LEDGER.md).
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

/* Version 2: model runs and leads (src/store/leads.c, docs/LEADS.md). lead_evidence has no
 * foreign key to datasets on purpose: dropping a dataset keeps the evidence values a lead
 * was built on, only their provenance is then unknown. */
static const char migration_2[] =
    "CREATE TABLE model_runs (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  model_id TEXT NOT NULL,\n"
    "  model_version TEXT NOT NULL,\n"
    "  model_sha256 TEXT NOT NULL,\n"
    "  function TEXT NOT NULL,\n"
    "  params_json TEXT NOT NULL,\n"
    "  inputs_json TEXT NOT NULL,\n"
    "  started_at TEXT NOT NULL,\n"
    "  finished_at TEXT,\n"
    "  seconds REAL,\n"
    "  row_count INTEGER NOT NULL DEFAULT 0,\n"
    "  lead_count INTEGER NOT NULL DEFAULT 0,\n"
    "  new_count INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE INDEX model_runs_model ON model_runs (model_id, id);\n"
    "CREATE TABLE leads (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  model_id TEXT NOT NULL,\n"
    "  function TEXT NOT NULL,\n"
    "  subject TEXT NOT NULL,\n"
    "  title TEXT NOT NULL,\n"
    "  status TEXT NOT NULL DEFAULT 'pending'\n"
    "    CHECK (status IN ('pending', 'verifying', 'case', 'no-case')),\n"
    "  outcome TEXT\n"
    "    CHECK (outcome IN ('filing', 'correction', 'recommendation', 'other')),\n"
    "  first_run INTEGER NOT NULL REFERENCES model_runs(id),\n"
    "  last_run INTEGER NOT NULL REFERENCES model_runs(id),\n"
    "  seen_count INTEGER NOT NULL DEFAULT 1,\n"
    "  created_at TEXT NOT NULL,\n"
    "  updated_at TEXT NOT NULL,\n"
    "  UNIQUE (model_id, subject),\n"
    "  CHECK ((status = 'case') = (outcome IS NOT NULL))\n"
    ");\n"
    "CREATE INDEX leads_status ON leads (status);\n"
    "CREATE INDEX leads_function ON leads (function);\n"
    "CREATE TABLE lead_evidence (\n"
    "  lead_id TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,\n"
    "  dataset_id INTEGER NOT NULL,\n"
    "  row_id INTEGER NOT NULL,\n"
    "  first_run INTEGER NOT NULL REFERENCES model_runs(id),\n"
    "  run_id INTEGER NOT NULL REFERENCES model_runs(id),\n"
    "  values_json TEXT NOT NULL,\n"
    "  PRIMARY KEY (lead_id, dataset_id, row_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE lead_history (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  lead_id TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,\n"
    "  at TEXT NOT NULL,\n"
    "  actor TEXT NOT NULL,\n"
    "  action TEXT NOT NULL CHECK (action IN ('found', 'seen-again', 'status')),\n"
    "  from_status TEXT,\n"
    "  to_status TEXT,\n"
    "  outcome TEXT,\n"
    "  note TEXT NOT NULL DEFAULT '',\n"
    "  run_id INTEGER REFERENCES model_runs(id)\n"
    ");\n"
    "CREATE INDEX lead_history_lead ON lead_history (lead_id, id);\n";

/* Offices, users, failed logins and sessions (src/store/identity.c, docs/API.md). A
 * session keeps only the BLAKE2b hash of its token; a user only the Argon2id hash of the
 * password. login_failures is keyed by the folded name tried, existing or not. */
static const char migration_identity[] =
    "CREATE TABLE offices (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  code TEXT NOT NULL UNIQUE,\n"
    "  name TEXT NOT NULL,\n"
    "  level TEXT NOT NULL CHECK (level IN ('city', 'county')),\n"
    "  parent_id INTEGER REFERENCES offices(id),\n"
    "  created_at TEXT NOT NULL,\n"
    "  CHECK ((level = 'city') = (parent_id IS NULL))\n"
    ");\n"
    "CREATE INDEX offices_parent ON offices (parent_id);\n"
    "CREATE TABLE users (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  username TEXT NOT NULL UNIQUE,\n"
    "  display_name TEXT NOT NULL,\n"
    "  role TEXT NOT NULL\n"
    "    CHECK (role IN ('admin', 'prosecutor', 'police', 'auditor', 'device')),\n"
    "  office_id INTEGER NOT NULL REFERENCES offices(id),\n"
    "  password_hash TEXT NOT NULL,\n"
    "  is_disabled INTEGER NOT NULL DEFAULT 0 CHECK (is_disabled IN (0, 1)),\n"
    "  created_at TEXT NOT NULL,\n"
    "  updated_at TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX users_office ON users (office_id);\n"
    "CREATE TABLE login_failures (\n"
    "  username TEXT PRIMARY KEY,\n"
    "  failures INTEGER NOT NULL,\n"
    "  last_failure_ms INTEGER NOT NULL,\n"
    "  locked_until_ms INTEGER NOT NULL DEFAULT 0\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE sessions (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  token_hash BLOB NOT NULL UNIQUE,\n"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
    "  created_ms INTEGER NOT NULL,\n"
    "  last_seen_ms INTEGER NOT NULL,\n"
    "  expires_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX sessions_user ON sessions (user_id);\n";

/* The tamper-evident ledger (src/store/ledger_store.c, src/ledger, docs/LEDGER.md). idx is
 * the 0-based leaf index; record_hash the RFC 6962 leaf hash of the entry. The triggers keep
 * entries and metadata append-only and let only superseded checkpoints (not the newest, not
 * one at a multiple of 16 = SJ_LEDGER_CHECKPOINT_KEEP) be deleted. */
static const char migration_ledger[] =
    "CREATE TABLE ledger_meta (\n"
    "  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
    "  origin TEXT NOT NULL,\n"
    "  hash_alg TEXT NOT NULL,\n"
    "  public_key BLOB NOT NULL,\n"
    "  created_at TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE ledger_entries (\n"
    "  idx INTEGER PRIMARY KEY,\n"
    "  at TEXT NOT NULL,\n"
    "  actor TEXT NOT NULL,\n"
    "  office TEXT NOT NULL,\n"
    "  action TEXT NOT NULL,\n"
    "  object_type TEXT NOT NULL,\n"
    "  object_id TEXT NOT NULL,\n"
    "  from_addr TEXT NOT NULL,\n"
    "  payload TEXT NOT NULL,\n"
    "  record_hash BLOB NOT NULL\n"
    ");\n"
    "CREATE INDEX ledger_entries_object ON ledger_entries (object_type, object_id);\n"
    "CREATE TABLE ledger_checkpoints (\n"
    "  tree_size INTEGER PRIMARY KEY,\n"
    "  note TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL\n"
    ");\n"
    "CREATE TRIGGER ledger_meta_no_update BEFORE UPDATE ON ledger_meta\n"
    "  BEGIN SELECT RAISE(ABORT, 'the ledger metadata cannot change'); END;\n"
    "CREATE TRIGGER ledger_meta_no_delete BEFORE DELETE ON ledger_meta\n"
    "  BEGIN SELECT RAISE(ABORT, 'the ledger metadata cannot be deleted'); END;\n"
    "CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries\n"
    "  BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;\n"
    "CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries\n"
    "  BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;\n"
    "CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints\n"
    "  BEGIN SELECT RAISE(ABORT, 'ledger checkpoints cannot change'); END;\n"
    "CREATE TRIGGER ledger_checkpoints_keep BEFORE DELETE ON ledger_checkpoints\n"
    "  WHEN OLD.tree_size % 16 = 0\n"
    "    OR OLD.tree_size >= (SELECT max(tree_size) FROM ledger_checkpoints)\n"
    "  BEGIN SELECT RAISE(ABORT, 'this ledger checkpoint must be kept'); END;\n";

const char *const sj_store_migrations[] = {
    migration_1,
    migration_2,
    migration_identity,
    migration_ledger,
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
