/*
 * leads_status.c - the verification workflow of a lead (shujian/leads.h, docs/LEADS.md):
 * pending -> verifying -> case (with an outcome) or no-case, and back to verifying with a reason.
 *
 * Invariants: every change names a reason and is checked against the lead's current status
 * inside the same transaction that writes it; the change and its lead_history row are written
 * together or not at all. A lead has an outcome exactly when its status is 'case'.
 */
#include <stdbool.h>

#include "shujian/leads.h"
#include "store/leads_int.h"

static bool is_blank(const char *s)
{
    return !s || sj_str_trim(sj_str_from_cstr(s)).len == 0;
}

static int check_change(const char *id, enum sj_lead_status from, const struct sj_lead_change *c,
                        struct sj_err *err)
{
    const char *to_label = sj_lead_status_label(c->status);
    if (from == c->status)
        return sj_err_set(err, SJ_EINVAL, "线索 %s 已是“%s”", id, to_label);
    if (c->status == SJ_LEAD_PENDING)
        return sj_err_set(err, SJ_EINVAL, "线索 %s 不能退回“待核查”；需要重新核查请改为“核查中”",
                          id);
    bool is_closed = from == SJ_LEAD_CASE || from == SJ_LEAD_NO_CASE;
    if (is_closed && c->status != SJ_LEAD_VERIFYING)
        return sj_err_set(
            err, SJ_EINVAL,
            "线索 %s 已“%s”，不能直接改为“%s”；请先改为“核查中”（重新核查）并写明理由", id,
            sj_lead_status_label(from), to_label);
    return 0;
}

static int check_request(const struct sj_lead_change *c, struct sj_err *err)
{
    if ((unsigned)c->status >= SJ_LEAD_STATUS_COUNT || (unsigned)c->outcome >= SJ_OUTCOME_COUNT)
        return sj_err_set(err, SJ_EINVAL, "unknown status or outcome");
    if (is_blank(c->note))
        return sj_err_set(err, SJ_EINVAL, "改变线索状态必须写明理由（说明）");
    if (c->status == SJ_LEAD_CASE && c->outcome == SJ_OUTCOME_NONE)
        return sj_err_set(err, SJ_EINVAL,
                          "成案必须写明处理结果：立案监督、纠正违法通知书、检察建议或其他");
    if (c->status != SJ_LEAD_CASE && c->outcome != SJ_OUTCOME_NONE)
        return sj_err_set(err, SJ_EINVAL, "只有“成案”的线索才有处理结果");
    return 0;
}

static int read_status(struct sj_store *store, const char *id, enum sj_lead_status *status,
                       struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, "SELECT status FROM leads WHERE id = ?1", &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        *status = sj_lead_status_from_db(sqlite3_column_text(stmt, 0));
    else if (step == SQLITE_DONE)
        rc = sj_err_set(err, SJ_ENOTFOUND, "没有编号为“%s”的线索", id);
    else
        rc = sj_store_db_error(store, err, "reading a lead's status");
    sj_store_finish(store, stmt);
    return rc;
}

static int write_change(struct sj_store *store, const char *id, enum sj_lead_status from,
                        const struct sj_lead_change *c, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(
        store,
        "UPDATE leads SET status = ?2, outcome = ?3, updated_at = " SJ_LEAD_SQL_NOW
        " WHERE id = ?1",
        &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, sj_lead_status_name(c->status), -1, SQLITE_STATIC);
    sj_lead_bind_outcome(stmt, 3, c->outcome);
    rc = sj_lead_step_done(store, stmt, "changing a lead's status", err);
    sj_store_finish(store, stmt);
    if (rc < 0)
        return rc;
    rc = sj_store_prepare_cached(
        store,
        "INSERT INTO lead_history (lead_id, at, actor, action, from_status, "
        "to_status, outcome, note) VALUES (?1, " SJ_LEAD_SQL_NOW ", ?2, 'status', ?3, "
        "?4, ?5, ?6)",
        &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, c->actor ? c->actor : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, sj_lead_status_name(from), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, sj_lead_status_name(c->status), -1, SQLITE_STATIC);
    sj_lead_bind_outcome(stmt, 5, c->outcome);
    sqlite3_bind_text(stmt, 6, c->note, -1, SQLITE_STATIC);
    rc = sj_lead_step_done(store, stmt, "recording a status change", err);
    sj_store_finish(store, stmt);
    return rc;
}

/* Reads, checks and writes a status change inside a transaction the caller holds. */
static int change_status(struct sj_store *store, const char *id, const struct sj_lead_change *c,
                         struct sj_err *err)
{
    enum sj_lead_status from = SJ_LEAD_PENDING;
    int rc = read_status(store, id, &from, err);
    if (rc == 0)
        rc = check_change(id, from, c, err);
    if (rc == 0)
        rc = write_change(store, id, from, c, err);
    return rc;
}

int sj_lead_set_status(struct sj_store *store, const char *id, const struct sj_lead_change *change,
                       struct sj_err *err)
{
    if (!id || !change)
        return sj_err_set(err, SJ_EINVAL, "no lead or change given");
    int rc = check_request(change, err);
    if (rc == 0)
        rc = sj_lead_begin_write(store, err);
    if (rc < 0)
        return rc;
    rc = change_status(store, id, change, err);
    if (rc == 0)
        rc = sj_store_exec(store, "COMMIT", err);
    if (rc < 0)
        sj_lead_rollback(store);
    return rc;
}

int sj_lead_set_status_within(struct sj_store *store, const char *id,
                              const struct sj_lead_change *change, struct sj_err *err)
{
    if (!id || !change)
        return sj_err_set(err, SJ_EINVAL, "no lead or change given");
    if (store->in_import || sqlite3_get_autocommit(store->db))
        return sj_err_set(err, SJ_EINVAL, "sj_lead_set_status_within needs an open transaction");
    int rc = check_request(change, err);
    if (rc == 0)
        rc = sj_store_exec(store, "SAVEPOINT sj_lead_status", err);
    if (rc < 0)
        return rc;
    rc = change_status(store, id, change, err);
    if (rc == 0)
        rc = sj_store_exec(store, "RELEASE sj_lead_status", err);
    if (rc < 0)
        sqlite3_exec(store->db, "ROLLBACK TO sj_lead_status; RELEASE sj_lead_status", NULL, NULL,
                     NULL);
    return rc;
}
