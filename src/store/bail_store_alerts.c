/*
 * bail_store_alerts.c - the bail tables of what officers handle (shujian/bail_store.h): leave
 * requests, alerts, the duty roster, the daily review queue and sign-offs. Status moves are
 * guarded in the WHERE clause by the status they come from, so a move from the wrong status
 * changes nothing and is reported; alert keys are UNIQUE, so raising is idempotent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/bail_store_int.h"

/* ---- Leaves ------------------------------------------------------------------------------------
 */

#define LEAVE_COLS                                                                                 \
    "id, subject_id, destination, reason, note, lat, lon, radius_m, start_ms, end_ms, status, "    \
    "submitted_ms, decided_by, decided_ms, fence_id, closed_ms"

static void leave_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_leave *l = item;
    const char *status = (const char *)sqlite3_column_text(st, 10);
    l->id = sj_store_bail_col_i(st, 0);
    l->subject_id = sj_store_bail_col_i(st, 1);
    l->destination = sj_store_bail_col_t(st, 2);
    l->reason = sj_store_bail_col_t(st, 3);
    l->note = sj_store_bail_col_t(st, 4);
    l->pos = (struct sj_geo_point){sqlite3_column_double(st, 5), sqlite3_column_double(st, 6)};
    l->radius_m = sqlite3_column_double(st, 7);
    l->start_ms = sj_store_bail_col_i(st, 8);
    l->end_ms = sj_store_bail_col_i(st, 9);
    for (int i = 0; status && i < 3; i++) {
        if (strcmp(status, sj_bail_leave_status_name((enum sj_bail_leave_status)i)) == 0)
            l->status = (enum sj_bail_leave_status)i;
    }
    l->submitted_ms = sj_store_bail_col_i(st, 11);
    l->decided_by = sj_store_bail_col_i(st, 12);
    l->decided_ms = sj_store_bail_col_i(st, 13);
    l->fence_id = sj_store_bail_col_i(st, 14);
    l->closed_ms = sj_store_bail_col_i(st, 15);
}

void sj_store_bail_leave_list_free(struct sj_bail_leave *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        sj_bail_leave_release(&list[i]);
    free(list);
}

int sj_store_bail_leave_add(struct sj_store *store, const struct sj_bail_leave *l, int64_t *id,
                            struct sj_err *err)
{
    return sj_store_bail_insert(
        store, err, "提交外出申请", id,
        "INSERT INTO bail_leaves (subject_id, destination, reason, lat, lon, radius_m, "
        "start_ms, end_ms, status, submitted_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?)",
        "ittdddiii", l->subject_id, l->destination, l->reason, l->pos.lat, l->pos.lon, l->radius_m,
        l->start_ms, l->end_ms, l->submitted_ms);
}

int sj_store_bail_leave_get(struct sj_store *store, int64_t id, struct sj_bail_leave *out,
                            struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = sj_store_bail_prep(store, &st, err,
                                "SELECT " LEAVE_COLS " FROM bail_leaves WHERE id = ?", "i", id);
    return rc < 0 ? rc : sj_store_bail_read_one(store, st, leave_row, out, err, "外出申请");
}

int sj_store_bail_leave_decide(struct sj_store *store, int64_t id, enum sj_bail_leave_status status,
                               int64_t decided_by, int64_t now_ms, const char *note,
                               int64_t fence_id, struct sj_err *err)
{
    int rc = sj_store_bail_run(
        store, err, "审批外出申请",
        "UPDATE bail_leaves SET status = ?, decided_by = ?, decided_ms = ?, note = ?, "
        "fence_id = ? WHERE id = ? AND status = 'submitted'",
        "tiitni", sj_bail_leave_status_name(status), decided_by, now_ms, note, fence_id, id);
    return rc == 0 ? sj_err_set(err, SJ_EINVAL, "该外出申请已审批") : (rc < 0 ? rc : 0);
}

static int leave_list(struct sj_store *store, struct sj_bail_leave **list, size_t *count,
                      struct sj_err *err, const char *where, const char *fmt, int64_t a, int64_t b,
                      int64_t c)
{
    sqlite3_stmt *st = NULL;
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s FROM bail_leaves WHERE %s ORDER BY start_ms, id",
             LEAVE_COLS, where);
    int rc = strlen(fmt) == 3 ? sj_store_bail_prep(store, &st, err, sql, "iii", a, b, c)
                              : sj_store_bail_prep(store, &st, err, sql, "i", a);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, leave_row, (void **)list, count, err,
                                   "读取外出申请");
}

int sj_store_bail_leaves_approved(struct sj_store *store, int64_t subject_id, int64_t from_ms,
                                  int64_t to_ms, struct sj_bail_leave **list, size_t *count,
                                  struct sj_err *err)
{
    return leave_list(store, list, count, err,
                      "subject_id = ? AND status = 'approved' AND end_ms > ? AND start_ms < ?",
                      "iii", subject_id, from_ms, to_ms);
}

int sj_store_bail_leaves_to_settle(struct sj_store *store, int64_t cutoff_ms,
                                   struct sj_bail_leave **list, size_t *count, struct sj_err *err)
{
    return leave_list(store, list, count, err,
                      "status = 'approved' AND closed_ms IS NULL AND end_ms <= ?", "i", cutoff_ms,
                      0, 0);
}

int sj_store_bail_leave_settle(struct sj_store *store, int64_t id, int64_t now_ms,
                               struct sj_err *err)
{
    int rc =
        sj_store_bail_run(store, err, "结束外出",
                          "UPDATE bail_leaves SET closed_ms = ? WHERE id = ? AND closed_ms IS NULL",
                          "ii", now_ms, id);
    return rc < 0 ? rc : 0;
}

/* ---- Alerts ------------------------------------------------------------------------------------
 */

#define ALERT_COLS                                                                                 \
    "id, subject_id, office_id, kind, severity, status, detail, source, raised_ms, assignee_id, "  \
    "escalate_at_ms, escalated_ms, escalated_to, acknowledged_by, acknowledged_ms, resolved_by, "  \
    "resolved_ms, resolution, coalesce(ledger_index, -1)"

void sj_store_bail_col_alert_state(sqlite3_stmt *st, int col, enum sj_bail_alert_kind *kind,
                                   enum sj_bail_severity *severity,
                                   enum sj_bail_alert_status *status)
{
    sj_bail_alert_kind_parse((const char *)sqlite3_column_text(st, col), kind);
    sj_bail_severity_parse((const char *)sqlite3_column_text(st, col + 1), severity);
    sj_bail_alert_status_parse((const char *)sqlite3_column_text(st, col + 2), status);
}

static void alert_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_alert *a = item;
    a->id = sj_store_bail_col_i(st, 0);
    a->subject_id = sj_store_bail_col_i(st, 1);
    a->office_id = sj_store_bail_col_i(st, 2);
    sj_store_bail_col_alert_state(st, 3, &a->kind, &a->severity, &a->status);
    a->detail = sj_store_bail_col_t(st, 6);
    a->source = sj_store_bail_col_t(st, 7);
    a->raised_ms = sj_store_bail_col_i(st, 8);
    a->assignee_id = sj_store_bail_col_i(st, 9);
    a->escalate_at_ms = sj_store_bail_col_i(st, 10);
    a->escalated_ms = sj_store_bail_col_i(st, 11);
    a->escalated_to = sj_store_bail_col_i(st, 12);
    a->acknowledged_by = sj_store_bail_col_i(st, 13);
    a->acknowledged_ms = sj_store_bail_col_i(st, 14);
    a->resolved_by = sj_store_bail_col_i(st, 15);
    a->resolved_ms = sj_store_bail_col_i(st, 16);
    a->resolution = sj_store_column_dup_null(st, 17);
    a->ledger_index = sj_store_bail_col_i(st, 18);
}

int sj_store_bail_alert_add(struct sj_store *store, const struct sj_bail_alert *a,
                            const char *dedupe_key, int64_t *id, bool *is_new, struct sj_err *err)
{
    int rc = sj_store_bail_run(
        store, err, "生成告警",
        "INSERT INTO bail_alerts (subject_id, office_id, kind, severity, status, "
        "dedupe_key, detail, source, raised_ms, assignee_id, escalate_at_ms) "
        "VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (dedupe_key) DO NOTHING",
        "iitttttini", a->subject_id, a->office_id, sj_bail_alert_kind_name(a->kind),
        sj_bail_severity_name(a->severity), dedupe_key, a->detail, a->source, a->raised_ms,
        a->assignee_id, a->escalate_at_ms);
    if (rc < 0)
        return rc;
    *is_new = rc > 0;
    if (*is_new) {
        *id = sqlite3_last_insert_rowid(store->db);
        return 0;
    }
    sqlite3_stmt *st = NULL;
    rc = sj_store_bail_prep(store, &st, err, "SELECT id FROM bail_alerts WHERE dedupe_key = ?", "t",
                            dedupe_key);
    if (rc < 0)
        return rc;
    rc = sqlite3_step(st) == SQLITE_ROW ? 0 : sj_store_db_error(store, err, "查找告警");
    if (rc == 0)
        *id = sj_store_bail_col_i(st, 0);
    sj_store_finish(store, st);
    return rc;
}

int sj_store_bail_alert_set_ledger(struct sj_store *store, int64_t id, int64_t index,
                                   struct sj_err *err)
{
    int rc =
        sj_store_bail_run(store, err, "记录告警存证",
                          "UPDATE bail_alerts SET ledger_index = ? WHERE id = ?", "ii", index, id);
    return rc < 0 ? rc : 0;
}

int sj_store_bail_alert_get(struct sj_store *store, int64_t id, struct sj_bail_alert *out,
                            struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = sj_store_bail_prep(store, &st, err,
                                "SELECT " ALERT_COLS " FROM bail_alerts WHERE id = ?", "i", id);
    return rc < 0 ? rc : sj_store_bail_read_one(store, st, alert_row, out, err, "告警");
}

int sj_store_bail_alert_list(struct sj_store *store, const struct sj_bail_alert_filter *filter,
                             struct sj_bail_alert **list, size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int64_t status = filter->status >= 0 ? filter->status : -1;
    int rc = sj_store_bail_prep(
        store, &st, err,
        "SELECT " ALERT_COLS " FROM bail_alerts WHERE (?1 = 0 OR office_id = ?1) "
        "AND (?2 = 0 OR subject_id = ?2) AND (?3 IS NULL OR status = ?3) "
        "ORDER BY raised_ms DESC, id DESC LIMIT ?4",
        "iiti", filter->office_id, filter->subject_id,
        status >= 0 ? sj_bail_alert_status_name((enum sj_bail_alert_status)status) : NULL,
        (int64_t)(filter->limit ? filter->limit : 1000));
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, alert_row, (void **)list, count, err,
                                   "读取告警");
}

int sj_store_bail_alert_move(struct sj_store *store, int64_t id, enum sj_bail_alert_status from,
                             enum sj_bail_alert_status to, int64_t user_id, int64_t now_ms,
                             const char *note, struct sj_err *err)
{
    const char *sql =
        to == SJ_BAIL_ALERT_RESOLVED
            ? "UPDATE bail_alerts SET status = 'resolved', resolved_by = ?1, resolved_ms = ?2, "
              "resolution = ?3 WHERE id = ?4 AND status = ?5"
            : "UPDATE bail_alerts SET status = 'acknowledged', acknowledged_by = ?1, "
              "acknowledged_ms = ?2 WHERE id = ?4 AND status = ?5";
    int rc = sj_store_bail_run(store, err, "处理告警", sql, "iitit", user_id, now_ms, note, id,
                               sj_bail_alert_status_name(from));
    return rc == 0 ? sj_err_set(err, SJ_EINVAL, "告警当前状态不允许此操作") : (rc < 0 ? rc : 0);
}

int sj_store_bail_alerts_to_escalate(struct sj_store *store, int64_t now_ms,
                                     struct sj_bail_alert **list, size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sj_store_bail_prep(store, &st, err,
                                "SELECT " ALERT_COLS " FROM bail_alerts WHERE status = 'open' "
                                "AND escalated_ms IS NULL AND escalate_at_ms <= ? ORDER BY id",
                                "i", now_ms);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, alert_row, (void **)list, count, err,
                                   "读取告警");
}

int sj_store_bail_alert_escalate(struct sj_store *store, int64_t id, int64_t to_user,
                                 int64_t now_ms, struct sj_err *err)
{
    int rc = sj_store_bail_run(store, err, "升级告警",
                               "UPDATE bail_alerts SET escalated_ms = ?, escalated_to = ? "
                               "WHERE id = ? AND escalated_ms IS NULL",
                               "ini", now_ms, to_user, id);
    return rc < 0 ? rc : 0;
}

/* ---- Roster and review ------------------------------------------------------------------------
 */

int sj_store_bail_roster_add(struct sj_store *store, int64_t office_id, int64_t user_id,
                             int64_t start_ms, int64_t end_ms, int64_t now_ms, int64_t *id,
                             struct sj_err *err)
{
    return sj_store_bail_insert(
        store, err, "添加排班", id,
        "INSERT INTO bail_roster (office_id, user_id, start_ms, end_ms, created_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        "iiiii", office_id, user_id, start_ms, end_ms, now_ms);
}

int sj_store_bail_on_duty(struct sj_store *store, int64_t office_id, int64_t at_ms,
                          int64_t *user_id, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc =
        sj_store_bail_prep(store, &st, err,
                           "SELECT r.user_id FROM bail_roster r JOIN users u ON u.id = r.user_id "
                           "WHERE r.office_id = ? AND r.start_ms <= ?2 AND r.end_ms > ?2 "
                           "AND u.is_disabled = 0 ORDER BY r.start_ms DESC, r.id LIMIT 1",
                           "ii", office_id, at_ms);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(st);
    *user_id = step == SQLITE_ROW ? sj_store_bail_col_i(st, 0) : 0;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "读取排班");
    sj_store_finish(store, st);
    return rc;
}

static void review_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_review_item *r = item;
    r->kind = (enum sj_bail_review_kind)sqlite3_column_int(st, 0);
    r->id = sj_store_bail_col_i(st, 1);
    r->subject_id = sj_store_bail_col_i(st, 2);
    r->at_ms = sj_store_bail_col_i(st, 3);
    sj_store_bail_col_copy(st, 4, r->status, sizeof r->status);
    r->is_handled = sqlite3_column_int(st, 5) != 0;
}

int sj_store_bail_review_items(struct sj_store *store, int64_t user_id, int64_t from_ms,
                               int64_t to_ms, struct sj_bail_review_item **items, size_t *count,
                               struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sj_store_bail_prep(
        store, &st, err,
        "WITH mine AS (SELECT id FROM bail_subjects WHERE prosecutor_id = ?1 "
        "OR police_id = ?1) "
        "SELECT 0, id, subject_id, fix_ms, status, reviewed_ms IS NOT NULL "
        "FROM bail_checkins WHERE subject_id IN mine AND fix_ms >= ?2 AND fix_ms < ?3 "
        "UNION ALL SELECT 1, id, subject_id, submitted_ms, status, status <> 'submitted' "
        "FROM bail_leaves WHERE subject_id IN mine AND submitted_ms >= ?2 "
        "AND submitted_ms < ?3 "
        "UNION ALL SELECT 2, id, subject_id, raised_ms, status, status <> 'open' "
        "FROM bail_alerts WHERE subject_id IN mine AND raised_ms >= ?2 "
        "AND raised_ms < ?3 ORDER BY 4, 1, 2",
        "iii", user_id, from_ms, to_ms);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **items, review_row, (void **)items, count,
                                   err, "读取每日核查");
}

int sj_store_bail_signoff_add(struct sj_store *store, int64_t user_id, const char *day,
                              int64_t office_id, size_t items, int64_t now_ms, struct sj_err *err)
{
    int rc = sj_store_bail_insert(
        store, err, "每日核查签收", NULL,
        "INSERT INTO bail_signoffs (user_id, day, office_id, items, signed_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        "itiii", user_id, day, office_id, (int64_t)items, now_ms);
    if (rc == SJ_EEXIST)
        sj_err_set(err, SJ_EEXIST, "%s 的核查已签收", day);
    return rc;
}
