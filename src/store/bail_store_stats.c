/*
 * bail_store_stats.c - read-only bail queries for the lists officers look at and the reports
 * (shujian/bail_stats.h): alert facts for risk and statistics, check-in times for slot
 * coverage, the check-in history with its judgement, the leave queue and the roster calendar.
 * Nothing here writes; every query is a prepared statement with bound parameters and a LIMIT
 * or a bounded time range.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/bail_stats.h"
#include "store/bail_store_int.h"

/* ---- Alert facts ------------------------------------------------------------------------------
 */

static void fact_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_alert_fact *f = item;
    f->id = sj_store_bail_col_i(st, 0);
    f->subject_id = sj_store_bail_col_i(st, 1);
    f->office_id = sj_store_bail_col_i(st, 2);
    sj_store_bail_col_alert_state(st, 3, &f->kind, &f->severity, &f->status);
    f->raised_ms = sj_store_bail_col_i(st, 6);
    f->acknowledged_ms = sj_store_bail_col_i(st, 7);
    f->ledger_index = sj_store_bail_col_i(st, 8);
}

int sj_store_bail_alert_facts(struct sj_store *store, int64_t office_id, int64_t subject_id,
                              int64_t from_ms, int64_t to_ms, bool with_open,
                              struct sj_bail_alert_fact **facts, size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    *facts = NULL;
    *count = 0;
    int rc = sj_store_bail_prep(
        store, &st, err,
        "SELECT id, subject_id, office_id, kind, severity, status, raised_ms, "
        "coalesce(acknowledged_ms, 0), coalesce(ledger_index, -1) FROM bail_alerts "
        "WHERE (?1 = 0 OR office_id = ?1) AND (?2 = 0 OR subject_id = ?2) "
        "AND ((raised_ms >= ?3 AND raised_ms < ?4) OR (?5 = 1 AND status = 'open')) "
        "ORDER BY subject_id, raised_ms DESC, id DESC",
        "iiiii", office_id, subject_id, from_ms, to_ms, (int64_t)with_open);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **facts, fact_row, (void **)facts, count, err,
                                   "读取告警");
}

/* ---- Check-ins ------------------------------------------------------------------------------
 */

static void time_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_fix_time *t = item;
    t->fix_ms = sj_store_bail_col_i(st, 0);
    t->received_ms = sj_store_bail_col_i(st, 1);
}

int sj_store_bail_checkin_times(struct sj_store *store, int64_t subject_id, int64_t from_ms,
                                int64_t to_ms, struct sj_bail_fix_time **list, size_t *count,
                                struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    *list = NULL;
    *count = 0;
    int rc =
        sj_store_bail_prep(store, &st, err,
                           "SELECT fix_ms, received_ms FROM bail_checkins WHERE subject_id = ? "
                           "AND fix_ms >= ? AND fix_ms < ? AND status <> 'rejected' "
                           "ORDER BY fix_ms",
                           "iii", subject_id, from_ms, to_ms);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, time_row, (void **)list, count, err,
                                   "读取打卡记录");
}

void sj_store_bail_col_copy(sqlite3_stmt *st, int col, char *out, size_t size)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    snprintf(out, size, "%s", text ? text : "");
}

static void checkin_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_checkin_row *c = item;
    c->id = sj_store_bail_col_i(st, 0);
    c->subject_id = sj_store_bail_col_i(st, 1);
    c->device_id = sj_store_bail_col_i(st, 2);
    c->fix_ms = sj_store_bail_col_i(st, 3);
    c->received_ms = sj_store_bail_col_i(st, 4);
    c->lat = sqlite3_column_double(st, 5);
    c->lon = sqlite3_column_double(st, 6);
    c->accuracy_m = sqlite3_column_double(st, 7);
    sj_store_bail_col_copy(st, 8, c->datum, sizeof c->datum);
    sj_store_bail_col_copy(st, 9, c->status, sizeof c->status);
    c->flags = (unsigned)sj_store_bail_col_i(st, 10);
    sj_store_bail_col_copy(st, 11, c->slot_kind, sizeof c->slot_kind);
    c->slot_start_ms = sj_store_bail_col_i(st, 12);
    c->slot_end_ms = sj_store_bail_col_i(st, 13);
    sj_store_bail_col_copy(st, 14, c->face, sizeof c->face);
    c->face_score =
        sqlite3_column_type(st, 15) == SQLITE_NULL ? -1.0 : sqlite3_column_double(st, 15);
    c->answer = sj_store_bail_col_t(st, 16);
    c->reviewed_by = sj_store_bail_col_i(st, 17);
    c->reviewed_ms = sj_store_bail_col_i(st, 18);
}

int sj_store_bail_checkin_list(struct sj_store *store, int64_t subject_id, int64_t from_ms,
                               int64_t to_ms, size_t limit, struct sj_bail_checkin_row **list,
                               size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    *list = NULL;
    *count = 0;
    int rc = sj_store_bail_prep(
        store, &st, err,
        "SELECT id, subject_id, device_id, fix_ms, received_ms, lat, lon, accuracy_m, datum, "
        "status, flags, slot_kind, coalesce(slot_start_ms, 0), coalesce(slot_end_ms, 0), face, "
        "face_score, answer, coalesce(reviewed_by, 0), coalesce(reviewed_ms, 0) "
        "FROM bail_checkins WHERE subject_id = ? AND fix_ms >= ? AND fix_ms < ? "
        "ORDER BY fix_ms DESC, id DESC LIMIT ?",
        "iiii", subject_id, from_ms, to_ms, (int64_t)limit);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, checkin_row, (void **)list, count, err,
                                   "读取打卡记录");
}

void sj_bail_checkin_rows_free(struct sj_bail_checkin_row *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        free(list[i].answer);
    free(list);
}

/* ---- Leaves and the roster ------------------------------------------------------------------
 */

static void id_row(sqlite3_stmt *st, void *item)
{
    *(int64_t *)item = sj_store_bail_col_i(st, 0);
}

int sj_store_bail_leave_ids(struct sj_store *store, int status, int64_t subject_id, size_t limit,
                            int64_t **ids, size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    *ids = NULL;
    *count = 0;
    const char *name =
        status >= 0 ? sj_bail_leave_status_name((enum sj_bail_leave_status)status) : NULL;
    int rc = sj_store_bail_prep(store, &st, err,
                                "SELECT id FROM bail_leaves WHERE (?1 IS NULL OR status = ?1) "
                                "AND (?2 = 0 OR subject_id = ?2) "
                                "ORDER BY submitted_ms DESC, id DESC LIMIT ?3",
                                "tii", name, subject_id, (int64_t)limit);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **ids, id_row, (void **)ids, count, err,
                                   "读取外出申请");
}

static void shift_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_shift *s = item;
    s->id = sj_store_bail_col_i(st, 0);
    s->office_id = sj_store_bail_col_i(st, 1);
    s->user_id = sj_store_bail_col_i(st, 2);
    s->start_ms = sj_store_bail_col_i(st, 3);
    s->end_ms = sj_store_bail_col_i(st, 4);
    s->display_name = sj_store_bail_col_t(st, 5);
}

int sj_store_bail_roster_list(struct sj_store *store, int64_t office_id, int64_t from_ms,
                              int64_t to_ms, struct sj_bail_shift **list, size_t *count,
                              struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    *list = NULL;
    *count = 0;
    int rc = sj_store_bail_prep(
        store, &st, err,
        "SELECT r.id, r.office_id, r.user_id, r.start_ms, r.end_ms, u.display_name "
        "FROM bail_roster r JOIN users u ON u.id = r.user_id "
        "WHERE (?1 = 0 OR r.office_id = ?1) AND r.end_ms > ?2 AND r.start_ms < ?3 "
        "ORDER BY r.start_ms, r.id LIMIT 20000",
        "iii", office_id, from_ms, to_ms);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, shift_row, (void **)list, count, err,
                                   "读取排班");
}

void sj_bail_shifts_free(struct sj_bail_shift *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        free(list[i].display_name);
    free(list);
}
