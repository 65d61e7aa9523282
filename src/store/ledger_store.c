/*
 * ledger_store.c - SQL of the tamper-evident ledger (shujian/ledger_store.h): the metadata
 * row, entries keyed by leaf index, signed checkpoints, ordered cursors for verification.
 * Nothing here hashes or signs; src/ledger does, and trusts nothing it reads back without
 * recomputing it. Every value goes through bound parameters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/ledger_store.h"
#include "store/store_int.h"

/* migration_ledger's trigger keeps checkpoints at multiples of 16 by that literal. */
_Static_assert(SJ_LEDGER_CHECKPOINT_KEEP == 16, "update the trigger ledger_checkpoints_keep");

struct sj_store_ledger_cursor {
    struct sj_store *store;
    sqlite3_stmt *stmt;
};

/* ---- Metadata ----------------------------------------------------------------------------------
 */

int sj_store_ledger_meta_get(struct sj_store *store, struct sj_store_ledger_meta *meta,
                             struct sj_err *err)
{
    static const char sql[] =
        "SELECT origin, hash_alg, public_key, created_at FROM ledger_meta WHERE id = 1";
    sqlite3_stmt *stmt = NULL;
    memset(meta, 0, sizeof *meta);
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_DONE) {
        rc = sj_err_set(err, SJ_ENOTFOUND, "工作区 %s 中还没有审计账本", sj_store_dir(store));
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = sj_store_db_error(store, err, "reading the ledger metadata");
        goto out;
    }
    meta->origin = sj_store_column_dup(stmt, 0);
    meta->hash_alg = sj_store_column_dup(stmt, 1);
    meta->public_key_len = (size_t)sqlite3_column_bytes(stmt, 2);
    meta->public_key = sj_xmalloc(meta->public_key_len + 1);
    if (meta->public_key_len > 0)
        memcpy(meta->public_key, sqlite3_column_blob(stmt, 2), meta->public_key_len);
    meta->created_at = sj_store_column_dup(stmt, 3);
out:
    sj_store_finish(store, stmt);
    return rc;
}

void sj_store_ledger_meta_release(struct sj_store_ledger_meta *meta)
{
    if (!meta)
        return;
    free(meta->origin);
    free(meta->hash_alg);
    free(meta->public_key);
    free(meta->created_at);
    memset(meta, 0, sizeof *meta);
}

static int insert_meta(struct sj_store *store, const char *origin, const char *hash_alg,
                       const uint8_t public_key[32], const char *created_at, struct sj_err *err)
{
    static const char sql[] = "INSERT INTO ledger_meta (id, origin, hash_alg, public_key, "
                              "created_at) VALUES (1, ?, ?, ?, ?)";
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, hash_alg, -1, SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 3, public_key, 32, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, created_at, -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_CONSTRAINT_PRIMARYKEY)
        rc = sj_err_set(err, SJ_EEXIST, "工作区 %s 已有审计账本", sj_store_dir(store));
    else if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "creating the ledger");
    sj_store_finish(store, stmt);
    return rc;
}

int sj_store_ledger_create(struct sj_store *store, const char *origin, const char *hash_alg,
                           const uint8_t public_key[32], const char *created_at,
                           struct sj_str first_note, struct sj_err *err)
{
    bool is_own = false;
    int rc = sj_store_ledger_begin(store, true, &is_own, err);
    if (rc < 0)
        return rc;
    rc = insert_meta(store, origin, hash_alg, public_key, created_at, err);
    if (rc == 0)
        rc = sj_store_ledger_checkpoint_add(store, 0, first_note, created_at, err);
    int end = sj_store_ledger_end(store, is_own, rc == 0, rc == 0 ? err : NULL);
    return rc < 0 ? rc : end;
}

/* ---- Transactions ------------------------------------------------------------------------------
 */

int sj_store_ledger_begin(struct sj_store *store, bool is_write, bool *is_own, struct sj_err *err)
{
    *is_own = sqlite3_get_autocommit(store->db) != 0;
    if (*is_own)
        return sj_store_exec(store, is_write ? "BEGIN IMMEDIATE" : "BEGIN", err);
    return sj_store_exec(store, "SAVEPOINT sj_ledger", err);
}

int sj_store_ledger_end(struct sj_store *store, bool is_own, bool is_commit, struct sj_err *err)
{
    int rc = 0;
    if (is_commit) {
        rc = sj_store_exec(store, is_own ? "COMMIT" : "RELEASE sj_ledger", err);
        if (rc == 0)
            return 0;
    }
    if (is_own)
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    else
        sqlite3_exec(store->db, "ROLLBACK TO sj_ledger; RELEASE sj_ledger", NULL, NULL, NULL);
    return rc;
}

/* ---- Entries -----------------------------------------------------------------------------------
 */

static int single_int(struct sj_store *store, const char *sql, int64_t *value, const char *what,
                      struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *value = sqlite3_column_int64(stmt, 0);
    else
        rc = sj_store_db_error(store, err, what);
    sj_store_finish(store, stmt);
    return rc;
}

int sj_store_ledger_next_index(struct sj_store *store, uint64_t *next, struct sj_err *err)
{
    int64_t v = 0;
    int rc = single_int(store, "SELECT coalesce(max(idx) + 1, 0) FROM ledger_entries", &v,
                        "reading the ledger size", err);
    *next = rc == 0 && v > 0 ? (uint64_t)v : 0;
    return rc;
}

static void bind_view(sqlite3_stmt *stmt, int col, struct sj_str s)
{
    sqlite3_bind_text(stmt, col, s.ptr ? s.ptr : "", (int)s.len, SQLITE_STATIC);
}

int sj_store_ledger_entry_add(struct sj_store *store, const struct sj_ledger_entry *e,
                              struct sj_err *err)
{
    static const char sql[] = "INSERT INTO ledger_entries (idx, at, actor, office, action, "
                              "object_type, object_id, from_addr, payload, record_hash) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *stmt = NULL;
    if (e->index > (uint64_t)INT64_MAX)
        return sj_err_set(err, SJ_EINVAL, "ledger index %" PRIu64 " is too large", e->index);
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, (int64_t)e->index);
    const struct sj_str fields[] = {e->at,          e->actor,     e->office, e->action,
                                    e->object_type, e->object_id, e->from,   e->payload};
    for (int i = 0; i < (int)SJ_ARRAY_LEN(fields); i++)
        bind_view(stmt, i + 2, fields[i]);
    sqlite3_bind_blob(stmt, 10, e->record_hash.bytes, SJ_LEDGER_HASH_LEN, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_CONSTRAINT_PRIMARYKEY)
        rc = sj_err_set(err, SJ_EEXIST, "ledger entry %" PRIu64 " already exists", e->index);
    else if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "appending to the ledger");
    sj_store_finish(store, stmt);
    return rc;
}

int sj_store_ledger_leaf_hashes(struct sj_store *store, uint64_t from, uint64_t count,
                                struct sj_ledger_digest *out, struct sj_err *err)
{
    static const char sql[] = "SELECT idx, record_hash FROM ledger_entries "
                              "WHERE idx >= ? AND idx < ? ORDER BY idx";
    sqlite3_stmt *stmt = NULL;
    if (from > (uint64_t)INT64_MAX || count > (uint64_t)INT64_MAX - from)
        return sj_err_set(err, SJ_EINVAL, "ledger range too large");
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, (int64_t)from);
    sqlite3_bind_int64(stmt, 2, (int64_t)(from + count));
    uint64_t want = from;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t idx = sqlite3_column_int64(stmt, 0);
        if ((uint64_t)idx != want || sqlite3_column_bytes(stmt, 1) != SJ_LEDGER_HASH_LEN) {
            rc = sj_err_set(err, SJ_EFORMAT, "账本第 %" PRIu64 " 条记录缺失或其记录哈希已损坏",
                            want);
            goto out;
        }
        memcpy(out[want - from].bytes, sqlite3_column_blob(stmt, 1), SJ_LEDGER_HASH_LEN);
        want++;
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "reading the ledger");
    else if (want != from + count)
        rc = sj_err_set(err, SJ_EFORMAT, "账本第 %" PRIu64 " 条记录缺失", want);
out:
    sj_store_finish(store, stmt);
    return rc;
}

/* ---- Checkpoints -------------------------------------------------------------------------------
 */

int sj_store_ledger_checkpoint_add(struct sj_store *store, uint64_t tree_size, struct sj_str note,
                                   const char *created_at, struct sj_err *err)
{
    static const char insert_sql[] =
        "INSERT INTO ledger_checkpoints (tree_size, note, created_at) VALUES (?, ?, ?)";
    static const char prune_sql[] = "DELETE FROM ledger_checkpoints WHERE tree_size < ? "
                                    "AND tree_size % ? != 0";
    sqlite3_stmt *stmt = NULL;
    if (tree_size > (uint64_t)INT64_MAX)
        return sj_err_set(err, SJ_EINVAL, "tree size too large");
    int rc = sj_store_prepare_cached(store, insert_sql, &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, (int64_t)tree_size);
    bind_view(stmt, 2, note);
    sqlite3_bind_text(stmt, 3, created_at, -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    sj_store_finish(store, stmt);
    stmt = NULL;
    if (step == SQLITE_CONSTRAINT_PRIMARYKEY)
        return sj_err_set(err, SJ_EEXIST, "a checkpoint of size %" PRIu64 " exists", tree_size);
    if (step != SQLITE_DONE)
        return sj_store_db_error(store, err, "storing a ledger checkpoint");
    rc = sj_store_prepare_cached(store, prune_sql, &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, (int64_t)tree_size);
    sqlite3_bind_int64(stmt, 2, SJ_LEDGER_CHECKPOINT_KEEP);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "pruning ledger checkpoints");
    sj_store_finish(store, stmt);
    return rc;
}

int sj_store_ledger_checkpoint_latest(struct sj_store *store, uint64_t *tree_size, char **note,
                                      struct sj_err *err)
{
    static const char sql[] = "SELECT tree_size, note FROM ledger_checkpoints "
                              "ORDER BY tree_size DESC LIMIT 1";
    sqlite3_stmt *stmt = NULL;
    *note = NULL;
    *tree_size = 0;
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        int64_t size = sqlite3_column_int64(stmt, 0);
        *tree_size = size > 0 ? (uint64_t)size : 0;
        *note = sj_store_column_dup(stmt, 1);
    } else if (step == SQLITE_DONE) {
        rc = sj_err_set(err, SJ_ENOTFOUND, "审计账本没有已签名的检查点");
    } else {
        rc = sj_store_db_error(store, err, "reading the latest ledger checkpoint");
    }
    sj_store_finish(store, stmt);
    return rc;
}

/* ---- Cursors -----------------------------------------------------------------------------------
 */

static int cursor_open(struct sj_store *store, const char *sql, struct sj_store_ledger_cursor **out,
                       struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    *out = NULL;
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    struct sj_store_ledger_cursor *cur = sj_xcalloc(1, sizeof *cur);
    cur->store = store;
    cur->stmt = stmt;
    *out = cur;
    return 0;
}

int sj_store_ledger_entries_open(struct sj_store *store, int64_t from, int64_t limit,
                                 struct sj_store_ledger_cursor **out, struct sj_err *err)
{
    static const char sql[] = "SELECT idx, at, actor, office, action, object_type, object_id, "
                              "from_addr, payload, record_hash FROM ledger_entries "
                              "WHERE idx >= ? ORDER BY idx LIMIT ?";
    int rc = cursor_open(store, sql, out, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64((*out)->stmt, 1, from);
    sqlite3_bind_int64((*out)->stmt, 2, limit);
    return 0;
}

/* A view of column col as text; NULL gives the empty view and sets *has_null. */
static struct sj_str column_view(sqlite3_stmt *stmt, int col, bool *has_null)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    if (!text) {
        *has_null = true;
        return sj_str_make("", 0);
    }
    return sj_str_make((const char *)text, (size_t)sqlite3_column_bytes(stmt, col));
}

int sj_store_ledger_entries_next(struct sj_store_ledger_cursor *cur,
                                 struct sj_store_ledger_row *row, struct sj_err *err)
{
    sqlite3_stmt *stmt = cur->stmt;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_DONE)
        return 0;
    if (step != SQLITE_ROW)
        return sj_store_db_error(cur->store, err, "reading the ledger");
    memset(row, 0, sizeof *row);
    row->has_null = sqlite3_column_type(stmt, 0) == SQLITE_NULL;
    row->idx = sqlite3_column_int64(stmt, 0);
    struct sj_ledger_entry *e = &row->entry;
    e->index = row->idx >= 0 ? (uint64_t)row->idx : 0;
    struct sj_str *fields[] = {&e->at,          &e->actor,     &e->office, &e->action,
                               &e->object_type, &e->object_id, &e->from,   &e->payload};
    for (int i = 0; i < (int)SJ_ARRAY_LEN(fields); i++)
        *fields[i] = column_view(stmt, i + 1, &row->has_null);
    if (sqlite3_column_type(stmt, 9) == SQLITE_NULL)
        row->has_null = true;
    const void *hash = sqlite3_column_blob(stmt, 9);
    row->hash_len = (size_t)sqlite3_column_bytes(stmt, 9);
    if (hash && row->hash_len == SJ_LEDGER_HASH_LEN)
        memcpy(e->record_hash.bytes, hash, SJ_LEDGER_HASH_LEN);
    return 1;
}

int sj_store_ledger_checkpoints_open(struct sj_store *store, struct sj_store_ledger_cursor **out,
                                     struct sj_err *err)
{
    return cursor_open(store, "SELECT tree_size, note FROM ledger_checkpoints ORDER BY tree_size",
                       out, err);
}

int sj_store_ledger_checkpoints_next(struct sj_store_ledger_cursor *cur, int64_t *tree_size,
                                     struct sj_str *note, struct sj_err *err)
{
    int step = sqlite3_step(cur->stmt);
    if (step == SQLITE_DONE)
        return 0;
    if (step != SQLITE_ROW)
        return sj_store_db_error(cur->store, err, "reading the ledger checkpoints");
    bool has_null = false;
    *tree_size = sqlite3_column_int64(cur->stmt, 0);
    *note = column_view(cur->stmt, 1, &has_null);
    return 1;
}

void sj_store_ledger_cursor_close(struct sj_store_ledger_cursor *cur)
{
    if (!cur)
        return;
    sj_store_finish(cur->store, cur->stmt);
    free(cur);
}
