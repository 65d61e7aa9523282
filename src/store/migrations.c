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
 * migration_office_scope: office_id of datasets, model_runs and leads (docs/API.md).
 * migration_bail, migration_bail_activity: the bail_* tables of bail supervision
 *   (docs/BAIL.md).
 * migration_face: face_templates; face_checks (docs/FACE.md).
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

/* Office ownership for the platform API (include/shujian/platform.h, docs/API.md): a
 * dataset, a model run and a lead belong to an office; NULL means the workspace's own office
 * (the one with the lowest id), which is what every row made before this version gets. */
static const char migration_office_scope[] =
    "ALTER TABLE datasets ADD COLUMN office_id INTEGER REFERENCES offices(id);\n"
    "ALTER TABLE model_runs ADD COLUMN office_id INTEGER REFERENCES offices(id);\n"
    "ALTER TABLE leads ADD COLUMN office_id INTEGER REFERENCES offices(id);\n"
    "CREATE INDEX model_runs_office ON model_runs (office_id);\n"
    "CREATE INDEX leads_office ON leads (office_id);\n";

/* Bail supervision (src/store/bail_store.c, docs/BAIL.md). Times are ms since the epoch;
 * positions are WGS-84. bail_fence_states.fence_id 0 is the union of a subject's allowed
 * fences. Devices keep only BLAKE2b hashes of enrolment codes and tokens; at most one device
 * per subject and one subject per app installation are active. An alert's dedupe_key makes
 * raising it idempotent; a resolved alert always has its resolution note. */
static const char migration_bail[] =
    "CREATE TABLE bail_subjects (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  office_id INTEGER NOT NULL REFERENCES offices(id),\n"
    "  name TEXT NOT NULL, id_number TEXT NOT NULL, phone TEXT NOT NULL,\n"
    "  residence TEXT NOT NULL, crime_type TEXT NOT NULL, case_number TEXT NOT NULL,\n"
    "  prosecutor_id INTEGER NOT NULL REFERENCES users(id),\n"
    "  police_id INTEGER REFERENCES users(id),\n"
    "  bail_start TEXT NOT NULL, bail_end TEXT NOT NULL, conditions TEXT NOT NULL,\n"
    "  status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'ended')),\n"
    "  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,\n"
    "  UNIQUE (id_number, case_number), CHECK (bail_end >= bail_start)\n"
    ");\n"
    "CREATE INDEX bail_subjects_office ON bail_subjects (office_id, status);\n"
    "CREATE INDEX bail_subjects_prosecutor ON bail_subjects (prosecutor_id);\n"
    "CREATE INDEX bail_subjects_police ON bail_subjects (police_id);\n"
    "CREATE TABLE bail_groups (\n"
    "  office_id INTEGER NOT NULL REFERENCES offices(id), name TEXT NOT NULL,\n"
    "  subject_id INTEGER NOT NULL REFERENCES bail_subjects(id),\n"
    "  PRIMARY KEY (office_id, name, subject_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX bail_groups_subject ON bail_groups (subject_id);\n"
    "CREATE TABLE bail_devices (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  subject_id INTEGER NOT NULL REFERENCES bail_subjects(id),\n"
    "  status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),\n"
    "  enrol_hash BLOB UNIQUE, enrol_expires_ms INTEGER, token_hash BLOB UNIQUE,\n"
    "  install_id TEXT, label TEXT NOT NULL DEFAULT '',\n"
    "  created_ms INTEGER NOT NULL, bound_ms INTEGER, revoked_ms INTEGER, last_seen_ms INTEGER\n"
    ");\n"
    "CREATE UNIQUE INDEX bail_devices_active ON bail_devices (subject_id) WHERE status = 'active';\n"
    "CREATE UNIQUE INDEX bail_devices_install ON bail_devices (install_id)\n"
    "  WHERE status = 'active';\n"
    "CREATE TABLE bail_schedules (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  subject_id INTEGER NOT NULL REFERENCES bail_subjects(id),\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('daily', 'weekly')),\n"
    "  start_min INTEGER NOT NULL, end_min INTEGER NOT NULL, weekdays INTEGER NOT NULL,\n"
    "  valid_from_ms INTEGER NOT NULL, valid_until_ms INTEGER NOT NULL,\n"
    "  is_active INTEGER NOT NULL DEFAULT 1, created_ms INTEGER NOT NULL,\n"
    "  CHECK (start_min >= 0 AND end_min > start_min AND end_min <= 1440)\n"
    ");\n"
    "CREATE INDEX bail_schedules_subject ON bail_schedules (subject_id);\n"
    "CREATE TABLE bail_spots (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  subject_id INTEGER NOT NULL REFERENCES bail_subjects(id),\n"
    "  issued_ms INTEGER NOT NULL, deadline_ms INTEGER NOT NULL,\n"
    "  issued_by INTEGER REFERENCES users(id), CHECK (deadline_ms > issued_ms)\n"
    ");\n"
    "CREATE INDEX bail_spots_subject ON bail_spots (subject_id, issued_ms);\n"
    "CREATE TABLE bail_fences (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  office_id INTEGER NOT NULL REFERENCES offices(id),\n"
    "  subject_id INTEGER REFERENCES bail_subjects(id), group_name TEXT, leave_id INTEGER,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('allowed', 'forbidden')),\n"
    "  name TEXT NOT NULL, geometry TEXT NOT NULL,\n"
    "  valid_from_ms INTEGER NOT NULL DEFAULT 0, valid_until_ms INTEGER NOT NULL DEFAULT 0,\n"
    "  is_active INTEGER NOT NULL DEFAULT 1, created_ms INTEGER NOT NULL,\n"
    "  CHECK ((subject_id IS NULL) <> (group_name IS NULL))\n"
    ");\n"
    "CREATE INDEX bail_fences_subject ON bail_fences (subject_id);\n"
    "CREATE INDEX bail_fences_group ON bail_fences (office_id, group_name);\n"
    "CREATE TABLE bail_fence_states (\n"
    "  subject_id INTEGER NOT NULL, fence_id INTEGER NOT NULL, state TEXT NOT NULL,\n"
    "  state_since_ms INTEGER NOT NULL, run_rel INTEGER NOT NULL, run_count INTEGER NOT NULL,\n"
    "  run_first_ms INTEGER NOT NULL, last_fix_ms INTEGER NOT NULL,\n"
    "  PRIMARY KEY (subject_id, fence_id)\n"
    ") WITHOUT ROWID;\n";

/* Bail supervision, continued: what happens (check-ins, the trail, leaves, alerts) and who
 * handles it (roster, daily sign-offs). Two migrations only because ISO C caps a string
 * literal at 4095 bytes. */
static const char migration_bail_activity[] =
    "CREATE TABLE bail_checkins (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  subject_id INTEGER NOT NULL REFERENCES bail_subjects(id),\n"
    "  device_id INTEGER NOT NULL REFERENCES bail_devices(id),\n"
    "  idem_key TEXT NOT NULL, body_hash BLOB NOT NULL,\n"
    "  fix_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL,\n"
    "  lat REAL NOT NULL, lon REAL NOT NULL, accuracy_m REAL NOT NULL, datum TEXT NOT NULL,\n"
    "  is_mock INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL CHECK (status IN ('accepted', 'flagged', 'rejected')),\n"
    "  flags INTEGER NOT NULL, slot_kind TEXT, slot_source_id INTEGER, slot_start_ms INTEGER,\n"
    "  slot_end_ms INTEGER, face TEXT NOT NULL, face_score REAL, photo_sha256 TEXT,\n"
    "  answer TEXT NOT NULL, reviewed_by INTEGER REFERENCES users(id), reviewed_ms INTEGER,\n"
    "  UNIQUE (device_id, idem_key)\n"
    ");\n"
    "CREATE INDEX bail_checkins_subject ON bail_checkins (subject_id, fix_ms);\n"
    "CREATE TABLE bail_positions (\n"
    "  subject_id INTEGER NOT NULL, t_ms INTEGER NOT NULL,\n"
    "  lat_e7 INTEGER NOT NULL, lon_e7 INTEGER NOT NULL, acc_m INTEGER NOT NULL,\n"
    "  flags INTEGER NOT NULL, PRIMARY KEY (subject_id, t_ms)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE bail_leaves (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  subject_id INTEGER NOT NULL REFERENCES bail_subjects(id),\n"
    "  destination TEXT NOT NULL, reason TEXT NOT NULL,\n"
    "  lat REAL NOT NULL, lon REAL NOT NULL, radius_m REAL NOT NULL,\n"
    "  start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),\n"
    "  submitted_ms INTEGER NOT NULL, decided_by INTEGER REFERENCES users(id),\n"
    "  decided_ms INTEGER, note TEXT, fence_id INTEGER REFERENCES bail_fences(id),\n"
    "  closed_ms INTEGER, CHECK (end_ms > start_ms)\n"
    ");\n"
    "CREATE INDEX bail_leaves_subject ON bail_leaves (subject_id, start_ms);\n"
    "CREATE INDEX bail_leaves_open ON bail_leaves (end_ms) WHERE status = 'approved'\n"
    "  AND closed_ms IS NULL;\n"
    "CREATE TABLE bail_alerts (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  subject_id INTEGER NOT NULL REFERENCES bail_subjects(id),\n"
    "  office_id INTEGER NOT NULL REFERENCES offices(id),\n"
    "  kind TEXT NOT NULL, severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),\n"
    "  status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),\n"
    "  dedupe_key TEXT NOT NULL UNIQUE, detail TEXT NOT NULL, source TEXT NOT NULL,\n"
    "  raised_ms INTEGER NOT NULL, assignee_id INTEGER REFERENCES users(id),\n"
    "  escalate_at_ms INTEGER NOT NULL, escalated_ms INTEGER,\n"
    "  escalated_to INTEGER REFERENCES users(id),\n"
    "  acknowledged_by INTEGER REFERENCES users(id), acknowledged_ms INTEGER,\n"
    "  resolved_by INTEGER REFERENCES users(id), resolved_ms INTEGER, resolution TEXT,\n"
    "  ledger_index INTEGER,\n"
    "  CHECK ((status = 'resolved') = (resolved_ms IS NOT NULL)),\n"
    "  CHECK (status <> 'resolved' OR length(resolution) > 0)\n"
    ");\n"
    "CREATE INDEX bail_alerts_office ON bail_alerts (office_id, status, raised_ms);\n"
    "CREATE INDEX bail_alerts_subject ON bail_alerts (subject_id, raised_ms);\n"
    "CREATE INDEX bail_alerts_escalate ON bail_alerts (escalate_at_ms) WHERE status = 'open'\n"
    "  AND escalated_ms IS NULL;\n"
    "CREATE TABLE bail_roster (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  office_id INTEGER NOT NULL REFERENCES offices(id),\n"
    "  user_id INTEGER NOT NULL REFERENCES users(id),\n"
    "  start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL,\n"
    "  CHECK (end_ms > start_ms)\n"
    ");\n"
    "CREATE INDEX bail_roster_office ON bail_roster (office_id, start_ms);\n"
    "CREATE TABLE bail_signoffs (\n"
    "  user_id INTEGER NOT NULL REFERENCES users(id), day TEXT NOT NULL,\n"
    "  office_id INTEGER NOT NULL REFERENCES offices(id), items INTEGER NOT NULL,\n"
    "  signed_ms INTEGER NOT NULL, PRIMARY KEY (user_id, day)\n"
    ") WITHOUT ROWID;\n";

/* Face verification (docs/FACE.md): templates kept apart from identity data, each sealed with
 * libsodium's crypto_secretbox under a key file outside the database; and the record of every
 * verification (distance, decision, threshold, model), joined to check-ins by photo_sha256. */
static const char migration_face[] =
    "CREATE TABLE face_templates (\n"
    "  subject_id INTEGER PRIMARY KEY,\n"
    "  model TEXT NOT NULL,\n"
    "  nonce BLOB NOT NULL,\n"
    "  sealed BLOB NOT NULL,\n"
    "  face_side INTEGER NOT NULL,\n"
    "  sharpness REAL NOT NULL,\n"
    "  enrolled_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE face_checks (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  subject_id INTEGER NOT NULL,\n"
    "  checked_ms INTEGER NOT NULL,\n"
    "  photo_sha256 TEXT NOT NULL,\n"
    "  decision TEXT NOT NULL,\n"
    "  problem TEXT NOT NULL,\n"
    "  distance REAL,\n"
    "  threshold REAL NOT NULL,\n"
    "  model TEXT NOT NULL,\n"
    "  face_count INTEGER NOT NULL,\n"
    "  face_side INTEGER NOT NULL,\n"
    "  sharpness REAL NOT NULL,\n"
    "  ms REAL NOT NULL,\n"
    "  kept_photo TEXT\n"
    ");\n"
    "CREATE INDEX face_checks_subject ON face_checks (subject_id, checked_ms);\n"
    "CREATE INDEX face_checks_photo ON face_checks (photo_sha256);\n";

const char *const sj_store_migrations[] = {
    migration_1,
    migration_2,
    migration_identity,
    migration_ledger,
    migration_office_scope,
    migration_bail,
    migration_bail_activity,
    migration_face,
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
