/*
 * bail_store.c - the bail supervision tables (shujian/bail_store.h, docs/BAIL.md): the only
 * place their SQL lives. Every statement is prepared with bound parameters; identifiers are
 * fixed text. Callers (src/bail) validate and hold the transaction; these functions keep only
 * what the schema itself enforces (uniqueness, CHECKs, status moves guarded in WHERE clauses
 * so that a move from the wrong status changes nothing and is reported).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/bail_store_int.h"

/* ---- Helpers ------------------------------------------------------------------------------- */

/* Binds the arguments after fmt to parameters 1, 2, ...: i int64, n int64 with 0 as NULL,
 * d double, t text (NULL as NULL), h 32-byte blob (NULL as NULL). */
void sj_store_bail_vbind(sqlite3_stmt *st, const char *fmt, va_list ap)
{
    for (int i = 0; fmt && fmt[i]; i++) {
        int col = i + 1;
        if (fmt[i] == 'i') {
            sqlite3_bind_int64(st, col, va_arg(ap, int64_t));
        } else if (fmt[i] == 'n') {
            int64_t v = va_arg(ap, int64_t);
            if (v)
                sqlite3_bind_int64(st, col, v);
        } else if (fmt[i] == 'd') {
            sqlite3_bind_double(st, col, va_arg(ap, double));
        } else if (fmt[i] == 't') {
            const char *s = va_arg(ap, const char *);
            if (s)
                sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
        } else if (fmt[i] == 'h') {
            const uint8_t *h = va_arg(ap, const uint8_t *);
            if (h)
                sqlite3_bind_blob(st, col, h, 32, SQLITE_TRANSIENT);
        }
    }
}

int sj_store_bail_prep(struct sj_store *store, sqlite3_stmt **st, struct sj_err *err,
                       const char *sql, const char *fmt, ...)
{
    int rc = sj_store_prepare_cached(store, sql, st, err);
    if (rc < 0)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    sj_store_bail_vbind(*st, fmt, ap);
    va_end(ap);
    return 0;
}

int sj_store_bail_step_error(struct sj_store *store, struct sj_err *err, const char *what)
{
    int ext = sqlite3_extended_errcode(store->db);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return sj_err_set(err, SJ_EEXIST, "%s：记录已存在", what);
    return sj_store_db_error(store, err, what);
}

/* Runs a statement without results; returns the number of rows changed, or an error. */
int sj_store_bail_run(struct sj_store *store, struct sj_err *err, const char *what, const char *sql,
                      const char *fmt, ...)
{
    sqlite3_stmt *st = NULL;
    int rc = sj_store_prepare_cached(store, sql, &st, err);
    if (rc < 0)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    sj_store_bail_vbind(st, fmt, ap);
    va_end(ap);
    rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(store->db)
                                         : sj_store_bail_step_error(store, err, what);
    sj_store_finish(store, st);
    return rc;
}

int sj_store_bail_insert(struct sj_store *store, struct sj_err *err, const char *what, int64_t *id,
                         const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = NULL;
    int rc = sj_store_prepare_cached(store, sql, &st, err);
    if (rc < 0)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    sj_store_bail_vbind(st, fmt, ap);
    va_end(ap);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sj_store_bail_step_error(store, err, what);
    sj_store_finish(store, st);
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(store->db);
    return rc;
}

/* Steps st (prepared and bound) to the end, reading each row into a growing array of
 * item_size items. Gives st back (sj_store_finish). */
int sj_store_bail_read_rows(struct sj_store *store, sqlite3_stmt *st, size_t item_size,
                            sj_store_bail_row_fn fn, void **list, size_t *count, struct sj_err *err,
                            const char *what)
{
    char *items = NULL;
    size_t n = 0, alloc = 0;
    int rc, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == alloc) {
            alloc = alloc ? 2 * alloc : 16;
            items = sj_xrealloc(items, alloc * item_size);
        }
        memset(items + n * item_size, 0, item_size);
        fn(st, items + n * item_size);
        n++;
    }
    rc = step == SQLITE_DONE ? 0 : sj_store_db_error(store, err, what);
    sj_store_finish(store, st);
    *list = items;
    *count = n;
    return rc;
}

/* Reads exactly one row into item; SJ_ENOTFOUND (with what) when there is none. */
int sj_store_bail_read_one(struct sj_store *store, sqlite3_stmt *st, sj_store_bail_row_fn fn,
                           void *item, struct sj_err *err, const char *what)
{
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW)
        fn(st, item);
    else if (step == SQLITE_DONE)
        rc = sj_err_set(err, SJ_ENOTFOUND, "%s不存在", what);
    else
        rc = sj_store_db_error(store, err, what);
    sj_store_finish(store, st);
    return rc;
}

int64_t sj_store_bail_col_i(sqlite3_stmt *st, int col)
{
    return sqlite3_column_int64(st, col);
}

char *sj_store_bail_col_t(sqlite3_stmt *st, int col)
{
    return sj_store_column_dup(st, col);
}

/* ---- Transactions ---------------------------------------------------------------------------- */

int sj_store_bail_begin(struct sj_store *store, bool *is_own, struct sj_err *err)
{
    if (store->in_import)
        return sj_err_set(err, SJ_EINVAL, "工作区正在导入，请稍后再试");
    *is_own = sqlite3_get_autocommit(store->db) != 0;
    return sj_store_exec(store, *is_own ? "BEGIN IMMEDIATE" : "SAVEPOINT sj_bail", err);
}

int sj_store_bail_end(struct sj_store *store, bool is_own, bool is_commit, struct sj_err *err)
{
    int rc = 0;
    if (is_commit) {
        rc = sj_store_exec(store, is_own ? "COMMIT" : "RELEASE sj_bail", err);
        if (rc == 0)
            return 0;
    }
    if (is_own)
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    else
        sqlite3_exec(store->db, "ROLLBACK TO sj_bail; RELEASE sj_bail", NULL, NULL, NULL);
    return rc;
}

/* ---- Subjects and groups ----------------------------------------------------------------------
 */

#define SUBJECT_COLS                                                                               \
    "id, office_id, name, id_number, phone, residence, crime_type, case_number, prosecutor_id, "   \
    "police_id, bail_start, bail_end, conditions, status, created_ms, updated_ms"

static void subject_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_subject *s = item;
    s->id = sj_store_bail_col_i(st, 0);
    s->office_id = sj_store_bail_col_i(st, 1);
    s->name = sj_store_bail_col_t(st, 2);
    s->id_number = sj_store_bail_col_t(st, 3);
    s->phone = sj_store_bail_col_t(st, 4);
    s->residence = sj_store_bail_col_t(st, 5);
    s->crime_type = sj_store_bail_col_t(st, 6);
    s->case_number = sj_store_bail_col_t(st, 7);
    s->prosecutor_id = sj_store_bail_col_i(st, 8);
    s->police_id = sj_store_bail_col_i(st, 9);
    sj_store_bail_col_copy(st, 10, s->bail_start, sizeof s->bail_start);
    sj_store_bail_col_copy(st, 11, s->bail_end, sizeof s->bail_end);
    s->conditions = sj_store_bail_col_t(st, 12);
    sj_bail_status_parse((const char *)sqlite3_column_text(st, 13), &s->status);
    s->created_ms = sj_store_bail_col_i(st, 14);
    s->updated_ms = sj_store_bail_col_i(st, 15);
}

int sj_store_bail_subject_add(struct sj_store *store, const struct sj_bail_subject *s, int64_t *id,
                              struct sj_err *err)
{
    int rc = sj_store_bail_insert(
        store, err, "登记被监管人", id,
        "INSERT INTO bail_subjects (office_id, name, id_number, phone, residence, "
        "crime_type, case_number, prosecutor_id, police_id, bail_start, bail_end, "
        "conditions, status, created_ms, updated_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "ittttttinttttii", s->office_id, s->name, s->id_number, s->phone, s->residence,
        s->crime_type, s->case_number, s->prosecutor_id, s->police_id, s->bail_start, s->bail_end,
        s->conditions, sj_bail_status_name(s->status), s->created_ms, s->updated_ms);
    if (rc == SJ_EEXIST)
        sj_err_set(err, SJ_EEXIST, "该身份证号在同一案号下已登记");
    return rc;
}

int sj_store_bail_subject_get(struct sj_store *store, int64_t id, struct sj_bail_subject *out,
                              struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = sj_store_bail_prep(store, &st, err,
                                "SELECT " SUBJECT_COLS " FROM bail_subjects WHERE id = ?", "i", id);
    return rc < 0 ? rc : sj_store_bail_read_one(store, st, subject_row, out, err, "被监管人");
}

int sj_store_bail_subject_list(struct sj_store *store, int64_t office_id, bool only_active,
                               struct sj_bail_subject **list, size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sj_store_bail_prep(store, &st, err,
                                "SELECT " SUBJECT_COLS
                                " FROM bail_subjects WHERE (?1 = 0 OR office_id = ?1) "
                                "AND (?2 = 0 OR status = 'active') ORDER BY id",
                                "ii", office_id, (int64_t)only_active);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, subject_row, (void **)list, count, err,
                                   "读取被监管人名单");
}

int sj_store_bail_subject_set_status(struct sj_store *store, int64_t id, enum sj_bail_status status,
                                     int64_t now_ms, struct sj_err *err)
{
    int rc = sj_store_bail_run(store, err, "更改监管状态",
                               "UPDATE bail_subjects SET status = ?, updated_ms = ? WHERE id = ?",
                               "tii", sj_bail_status_name(status), now_ms, id);
    return rc == 0 ? sj_err_set(err, SJ_ENOTFOUND, "被监管人不存在") : (rc < 0 ? rc : 0);
}

int sj_store_bail_group_add(struct sj_store *store, int64_t office_id, const char *group,
                            int64_t subject_id, bool *is_new, struct sj_err *err)
{
    int rc = sj_store_bail_run(
        store, err, "加入分组",
        "INSERT OR IGNORE INTO bail_groups (office_id, name, subject_id) VALUES (?, ?, ?)", "iti",
        office_id, group, subject_id);
    if (rc >= 0)
        *is_new = rc > 0;
    return rc < 0 ? rc : 0;
}

int sj_store_bail_user_role(struct sj_store *store, int64_t user_id, char role[16],
                            int64_t *office_id, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sj_store_bail_prep(
        store, &st, err, "SELECT role, office_id FROM users WHERE id = ? AND is_disabled = 0", "i",
        user_id);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        snprintf(role, 16, "%s", (const char *)sqlite3_column_text(st, 0));
        *office_id = sj_store_bail_col_i(st, 1);
    } else {
        rc = step == SQLITE_DONE
                 ? sj_err_set(err, SJ_ENOTFOUND, "用户 %lld 不存在或已停用", (long long)user_id)
                 : sj_store_db_error(store, err, "读取用户");
    }
    sj_store_finish(store, st);
    return rc;
}

int sj_store_bail_office_exists(struct sj_store *store, int64_t office_id, bool *exists,
                                struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc =
        sj_store_bail_prep(store, &st, err, "SELECT 1 FROM offices WHERE id = ?", "i", office_id);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(st);
    *exists = step == SQLITE_ROW;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "读取检察院");
    sj_store_finish(store, st);
    return rc;
}

/* ---- Devices ----------------------------------------------------------------------------------
 */

#define DEVICE_SELECT                                                                              \
    "SELECT d.id, d.subject_id, s.office_id, d.status, d.label, d.install_id, d.created_ms, "      \
    "d.bound_ms, d.revoked_ms, d.last_seen_ms, d.enrol_expires_ms FROM bail_devices d "            \
    "JOIN bail_subjects s ON s.id = d.subject_id "

static void device_row(sqlite3_stmt *st, void *item)
{
    static const char *const names[] = {"pending", "active", "revoked"};
    struct sj_bail_device *d = item;
    const char *status = (const char *)sqlite3_column_text(st, 3);
    d->id = sj_store_bail_col_i(st, 0);
    d->subject_id = sj_store_bail_col_i(st, 1);
    d->office_id = sj_store_bail_col_i(st, 2);
    d->status = SJ_BAIL_DEVICE_REVOKED;
    for (int i = 0; status && i < 3; i++) {
        if (strcmp(status, names[i]) == 0)
            d->status = (enum sj_bail_device_status)i;
    }
    d->label = sj_store_bail_col_t(st, 4);
    d->install_id = sj_store_bail_col_t(st, 5);
    d->created_ms = sj_store_bail_col_i(st, 6);
    d->bound_ms = sj_store_bail_col_i(st, 7);
    d->revoked_ms = sj_store_bail_col_i(st, 8);
    d->last_seen_ms = sj_store_bail_col_i(st, 9);
}

static int device_one(struct sj_store *store, struct sj_bail_device *out, struct sj_err *err,
                      const char *where, const char *fmt, const void *key, int64_t key_int)
{
    sqlite3_stmt *st = NULL;
    char sql[512];
    memset(out, 0, sizeof *out);
    snprintf(sql, sizeof sql, "%s%s", DEVICE_SELECT, where);
    int rc = fmt[0] == 'h'   ? sj_store_bail_prep(store, &st, err, sql, "h", (const uint8_t *)key)
             : fmt[0] == 't' ? sj_store_bail_prep(store, &st, err, sql, "t", (const char *)key)
                             : sj_store_bail_prep(store, &st, err, sql, "i", key_int);
    return rc < 0 ? rc : sj_store_bail_read_one(store, st, device_row, out, err, "设备");
}

int sj_store_bail_device_add_pending(struct sj_store *store, int64_t subject_id,
                                     const uint8_t enrol_hash[32], int64_t expires_ms,
                                     int64_t now_ms, int64_t *id, struct sj_err *err)
{
    return sj_store_bail_insert(
        store, err, "登记设备", id,
        "INSERT INTO bail_devices (subject_id, status, enrol_hash, enrol_expires_ms, "
        "created_ms) VALUES (?, 'pending', ?, ?, ?)",
        "ihii", subject_id, enrol_hash, expires_ms, now_ms);
}

int sj_store_bail_device_by_enrol(struct sj_store *store, const uint8_t enrol_hash[32],
                                  struct sj_bail_device *out, int64_t *expires_ms,
                                  struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = sj_store_bail_prep(store, &st, err,
                                DEVICE_SELECT "WHERE d.enrol_hash = ? AND d.status = 'pending'",
                                "h", enrol_hash);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        device_row(st, out);
        *expires_ms = sj_store_bail_col_i(st, 10);
    } else {
        rc = step == SQLITE_DONE ? SJ_ENOTFOUND : sj_store_db_error(store, err, "读取设备");
    }
    sj_store_finish(store, st);
    return rc;
}

int sj_store_bail_device_by_token(struct sj_store *store, const uint8_t token_hash[32],
                                  struct sj_bail_device *out, struct sj_err *err)
{
    return device_one(store, out, err, "WHERE d.token_hash = ?", "h", token_hash, 0);
}

int sj_store_bail_device_get(struct sj_store *store, int64_t id, struct sj_bail_device *out,
                             struct sj_err *err)
{
    return device_one(store, out, err, "WHERE d.id = ?", "i", NULL, id);
}

int sj_store_bail_device_active(struct sj_store *store, int64_t subject_id,
                                struct sj_bail_device *out, struct sj_err *err)
{
    return device_one(store, out, err, "WHERE d.subject_id = ? AND d.status = 'active'", "i", NULL,
                      subject_id);
}

int sj_store_bail_device_by_install(struct sj_store *store, const char *install_id,
                                    struct sj_bail_device *out, struct sj_err *err)
{
    return device_one(store, out, err, "WHERE d.install_id = ? AND d.status = 'active'", "t",
                      install_id, 0);
}

int sj_store_bail_device_activate(struct sj_store *store, int64_t id, const uint8_t token_hash[32],
                                  const char *install_id, const char *label, int64_t now_ms,
                                  struct sj_err *err)
{
    int rc = sj_store_bail_run(
        store, err, "绑定设备",
        "UPDATE bail_devices SET status = 'active', token_hash = ?, enrol_hash = NULL, "
        "install_id = ?, label = ?, bound_ms = ?, last_seen_ms = ? "
        "WHERE id = ? AND status = 'pending'",
        "httiii", token_hash, install_id, label, now_ms, now_ms, id);
    return rc == 0 ? sj_err_set(err, SJ_EINVAL, "设备已绑定或已停用") : (rc < 0 ? rc : 0);
}

int sj_store_bail_device_revoke(struct sj_store *store, int64_t id, int64_t now_ms,
                                struct sj_err *err)
{
    int rc = sj_store_bail_run(
        store, err, "停用设备",
        "UPDATE bail_devices SET status = 'revoked', revoked_ms = ?, enrol_hash = NULL "
        "WHERE id = ? AND status <> 'revoked'",
        "ii", now_ms, id);
    return rc < 0 ? rc : 0;
}

/* Outside a transaction, a device seen less than this long ago is not written again: the
 * UPDATE would take the workspace's write lock, which the group-commit writer holds most of
 * the time under load, for every request a phone makes (docs/PERFORMANCE.md, bail). Inside a
 * transaction (a check-in, a position upload) the lock is held anyway and the time is exact. */
#define TOUCH_IDLE_MS 30000

/* Whether device id was seen at or after since_ms (a read: takes no write lock). */
static bool seen_since(struct sj_store *store, int64_t id, int64_t since_ms)
{
    sqlite3_stmt *st = NULL;
    if (sj_store_bail_prep(store, &st, NULL,
                           "SELECT 1 FROM bail_devices WHERE id = ? AND last_seen_ms >= ?", "ii",
                           id, since_ms) < 0)
        return false;
    bool is_seen = sqlite3_step(st) == SQLITE_ROW;
    sj_store_finish(store, st);
    return is_seen;
}

int sj_store_bail_device_touch(struct sj_store *store, int64_t id, int64_t now_ms,
                               struct sj_err *err)
{
    if (sqlite3_get_autocommit(store->db) && seen_since(store, id, now_ms - TOUCH_IDLE_MS))
        return 0;
    int rc = sj_store_bail_run(
        store, err, "记录设备联络",
        "UPDATE bail_devices SET last_seen_ms = max(coalesce(last_seen_ms, 0), ?) "
        "WHERE id = ?",
        "ii", now_ms, id);
    return rc < 0 ? rc : 0;
}

int sj_store_bail_devices_silent(struct sj_store *store, int64_t cutoff_ms,
                                 struct sj_bail_device **list, size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sj_store_bail_prep(store, &st, err,
                                DEVICE_SELECT
                                "WHERE d.status = 'active' AND s.status = 'active' "
                                "AND coalesce(d.last_seen_ms, d.bound_ms) < ? ORDER BY d.id",
                                "i", cutoff_ms);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, device_row, (void **)list, count, err,
                                   "读取失联设备");
}

/* ---- Schedules and spot checks -----------------------------------------------------------------
 */

static void schedule_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_schedule *s = item;
    s->id = sj_store_bail_col_i(st, 0);
    sj_bail_schedule_kind_parse((const char *)sqlite3_column_text(st, 1), &s->kind);
    s->start_min = sqlite3_column_int(st, 2);
    s->end_min = sqlite3_column_int(st, 3);
    s->weekdays = (unsigned)sqlite3_column_int(st, 4);
    s->valid_from_ms = sj_store_bail_col_i(st, 5);
    s->valid_until_ms = sj_store_bail_col_i(st, 6);
}

int sj_store_bail_schedule_add(struct sj_store *store, int64_t subject_id,
                               const struct sj_bail_schedule *s, int64_t now_ms, int64_t *id,
                               struct sj_err *err)
{
    return sj_store_bail_insert(
        store, err, "添加打卡计划", id,
        "INSERT INTO bail_schedules (subject_id, kind, start_min, end_min, weekdays, "
        "valid_from_ms, valid_until_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        "itiiiiii", subject_id, sj_bail_schedule_kind_name(s->kind), (int64_t)s->start_min,
        (int64_t)s->end_min, (int64_t)s->weekdays, s->valid_from_ms, s->valid_until_ms, now_ms);
}

int sj_store_bail_schedules(struct sj_store *store, int64_t subject_id,
                            struct sj_bail_schedule **list, size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sj_store_bail_prep(
        store, &st, err,
        "SELECT id, kind, start_min, end_min, weekdays, valid_from_ms, valid_until_ms "
        "FROM bail_schedules WHERE subject_id = ? AND is_active = 1 ORDER BY id",
        "i", subject_id);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, schedule_row, (void **)list, count,
                                   err, "读取打卡计划");
}

static void spot_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_spot *s = item;
    s->id = sj_store_bail_col_i(st, 0);
    s->issued_ms = sj_store_bail_col_i(st, 1);
    s->deadline_ms = sj_store_bail_col_i(st, 2);
}

int sj_store_bail_spot_add(struct sj_store *store, int64_t subject_id, int64_t issued_ms,
                           int64_t deadline_ms, int64_t issued_by, int64_t *id, struct sj_err *err)
{
    return sj_store_bail_insert(
        store, err, "发起抽查", id,
        "INSERT INTO bail_spots (subject_id, issued_ms, deadline_ms, issued_by) "
        "VALUES (?, ?, ?, ?)",
        "iiin", subject_id, issued_ms, deadline_ms, issued_by);
}

int sj_store_bail_spots(struct sj_store *store, int64_t subject_id, int64_t from_ms, int64_t to_ms,
                        struct sj_bail_spot **list, size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc =
        sj_store_bail_prep(store, &st, err,
                           "SELECT id, issued_ms, deadline_ms FROM bail_spots WHERE subject_id = ? "
                           "AND deadline_ms > ? AND issued_ms < ? ORDER BY issued_ms, id",
                           "iii", subject_id, from_ms, to_ms);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, spot_row, (void **)list, count, err,
                                   "读取抽查");
}

/* ---- Fences ------------------------------------------------------------------------------------
 */

#define FENCE_COLS                                                                                 \
    "f.id, f.office_id, f.subject_id, f.leave_id, f.group_name, f.kind, f.name, f.geometry, "      \
    "f.valid_from_ms, f.valid_until_ms, f.is_active"

static void fence_row(sqlite3_stmt *st, void *item)
{
    struct sj_store_bail_fence *f = item;
    f->id = sj_store_bail_col_i(st, 0);
    f->office_id = sj_store_bail_col_i(st, 1);
    f->subject_id = sj_store_bail_col_i(st, 2);
    f->leave_id = sj_store_bail_col_i(st, 3);
    f->group = sj_store_column_dup_null(st, 4);
    sj_fence_kind_parse((const char *)sqlite3_column_text(st, 5), &f->kind);
    f->name = sj_store_bail_col_t(st, 6);
    f->geometry = sj_store_bail_col_t(st, 7);
    f->valid_from_ms = sj_store_bail_col_i(st, 8);
    f->valid_until_ms = sj_store_bail_col_i(st, 9);
    f->is_active = sqlite3_column_int(st, 10) != 0;
}

void sj_store_bail_fence_list_free(struct sj_store_bail_fence *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        free(list[i].group);
        free(list[i].name);
        free(list[i].geometry);
    }
    free(list);
}

int sj_store_bail_fence_add(struct sj_store *store, const struct sj_store_bail_fence *f,
                            int64_t now_ms, int64_t *id, struct sj_err *err)
{
    return sj_store_bail_insert(
        store, err, "添加电子围栏", id,
        "INSERT INTO bail_fences (office_id, subject_id, group_name, leave_id, kind, "
        "name, geometry, valid_from_ms, valid_until_ms, created_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "intntttiii", f->office_id, f->subject_id, f->group, f->leave_id,
        sj_fence_kind_name(f->kind), f->name, f->geometry, f->valid_from_ms, f->valid_until_ms,
        now_ms);
}

int sj_store_bail_fence_disable(struct sj_store *store, int64_t id, struct sj_err *err)
{
    int rc = sj_store_bail_run(store, err, "停用电子围栏",
                               "UPDATE bail_fences SET is_active = 0 WHERE id = ?", "i", id);
    return rc == 0 ? sj_err_set(err, SJ_ENOTFOUND, "电子围栏不存在") : (rc < 0 ? rc : 0);
}

int sj_store_bail_fences_for(struct sj_store *store, int64_t subject_id, int64_t from_ms,
                             int64_t to_ms, struct sj_store_bail_fence **list, size_t *count,
                             struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    /* The subject's own fences and its groups' as two indexed searches (an OR with the
     * group test scanned every fence, twice per check-in). A fence has a subject or a group,
     * never both, and a subject is in a group at most once: no row comes twice. */
#define FENCE_LIVE                                                                                 \
    " AND f.is_active = 1 AND f.leave_id IS NULL AND f.valid_from_ms <= ?3 "                       \
    "AND (f.valid_until_ms = 0 OR f.valid_until_ms > ?2)"
    int rc = sj_store_bail_prep(
        store, &st, err,
        "SELECT " FENCE_COLS " FROM bail_fences f WHERE f.subject_id = ?1" FENCE_LIVE
        " UNION ALL SELECT " FENCE_COLS " FROM bail_groups g JOIN bail_fences f "
        "ON f.office_id = g.office_id AND f.group_name = g.name WHERE g.subject_id = ?1" FENCE_LIVE
        " ORDER BY 1",
        "iii", subject_id, from_ms, to_ms);
#undef FENCE_LIVE
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, fence_row, (void **)list, count, err,
                                   "读取电子围栏");
}

int sj_store_bail_fence_get(struct sj_store *store, int64_t id, struct sj_store_bail_fence *out,
                            struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = sj_store_bail_prep(store, &st, err,
                                "SELECT " FENCE_COLS " FROM bail_fences f WHERE f.id = ?", "i", id);
    return rc < 0 ? rc : sj_store_bail_read_one(store, st, fence_row, out, err, "电子围栏");
}

int sj_store_bail_fence_state_get(struct sj_store *store, int64_t subject_id, int64_t fence_id,
                                  struct sj_fence_state *out, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = sj_store_bail_prep(
        store, &st, err,
        "SELECT state, state_since_ms, run_rel, run_count, run_first_ms, last_fix_ms "
        "FROM bail_fence_states WHERE subject_id = ? AND fence_id = ?",
        "ii", subject_id, fence_id);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        sj_fence_state_parse((const char *)sqlite3_column_text(st, 0), &out->state);
        out->state_since_ms = sj_store_bail_col_i(st, 1);
        out->run_rel = (enum sj_fence_rel)sqlite3_column_int(st, 2);
        out->run_count = sqlite3_column_int(st, 3);
        out->run_first_ms = sj_store_bail_col_i(st, 4);
        out->last_fix_ms = sj_store_bail_col_i(st, 5);
    } else if (step != SQLITE_DONE) {
        rc = sj_store_db_error(store, err, "读取围栏状态");
    }
    sj_store_finish(store, st);
    return rc;
}

int sj_store_bail_fence_state_put(struct sj_store *store, int64_t subject_id, int64_t fence_id,
                                  const struct sj_fence_state *s, struct sj_err *err)
{
    int rc = sj_store_bail_run(
        store, err, "保存围栏状态",
        "INSERT OR REPLACE INTO bail_fence_states (subject_id, fence_id, state, "
        "state_since_ms, run_rel, run_count, run_first_ms, last_fix_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        "iitiiiii", subject_id, fence_id, sj_fence_state_name(s->state), s->state_since_ms,
        (int64_t)s->run_rel, (int64_t)s->run_count, s->run_first_ms, s->last_fix_ms);
    return rc < 0 ? rc : 0;
}

/* ---- Check-ins and positions --------------------------------------------------------------------
 */

int sj_store_bail_checkin_add(struct sj_store *store, const struct sj_store_bail_checkin *c,
                              int64_t *id, struct sj_err *err)
{
    const struct sj_bail_verdict *v = c->verdict;
    return sj_store_bail_insert(
        store, err, "保存打卡", id,
        "INSERT INTO bail_checkins (subject_id, device_id, idem_key, body_hash, fix_ms, "
        "received_ms, lat, lon, accuracy_m, datum, is_mock, status, flags, slot_kind, "
        "slot_source_id, slot_start_ms, slot_end_ms, face, face_score, photo_sha256, answer) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "iithiidddtititnnntdtt", c->subject_id, c->device_id, c->idem_key, c->body_hash,
        c->fix.fix_ms, c->received_ms, c->fix.pos.lat, c->fix.pos.lon, c->fix.accuracy_m,
        sj_datum_name(c->datum), (int64_t)c->fix.is_mock, sj_bail_verdict_status_name(v->status),
        (int64_t)v->flags, v->has_slot ? sj_bail_schedule_kind_name(v->slot.kind) : NULL,
        v->has_slot ? v->slot.source_id : 0, v->has_slot ? v->slot.start_ms : 0,
        v->has_slot ? v->slot.end_ms : 0, sj_bail_face_name(v->face), v->face_score,
        c->photo_sha256, c->answer);
}

int sj_store_bail_checkin_find(struct sj_store *store, int64_t device_id, const char *idem_key,
                               int64_t *id, uint8_t body_hash[32], char **answer,
                               struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc =
        sj_store_bail_prep(store, &st, err,
                           "SELECT id, body_hash, answer FROM bail_checkins WHERE device_id = ? "
                           "AND idem_key = ?",
                           "it", device_id, idem_key);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *id = sj_store_bail_col_i(st, 0);
        memset(body_hash, 0, 32);
        if (sqlite3_column_bytes(st, 1) == 32)
            memcpy(body_hash, sqlite3_column_blob(st, 1), 32);
        *answer = sj_store_bail_col_t(st, 2);
        rc = 1;
    } else if (step != SQLITE_DONE) {
        rc = sj_store_db_error(store, err, "查找打卡");
    }
    sj_store_finish(store, st);
    return rc;
}

int sj_store_bail_checkin_covers(struct sj_store *store, int64_t subject_id, int64_t start_ms,
                                 int64_t end_ms, bool *is_covered, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sj_store_bail_prep(
        store, &st, err,
        "SELECT 1 FROM bail_checkins WHERE subject_id = ? AND fix_ms >= ? AND fix_ms < ? "
        "AND status <> 'rejected' LIMIT 1",
        "iii", subject_id, start_ms, end_ms);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(st);
    *is_covered = step == SQLITE_ROW;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "查找打卡");
    sj_store_finish(store, st);
    return rc;
}

int sj_store_bail_checkin_review(struct sj_store *store, int64_t id, int64_t user_id,
                                 int64_t now_ms, bool *is_changed, struct sj_err *err)
{
    int rc = sj_store_bail_run(store, err, "复核打卡",
                               "UPDATE bail_checkins SET reviewed_by = ?, reviewed_ms = ? "
                               "WHERE id = ? AND reviewed_ms IS NULL",
                               "iii", user_id, now_ms, id);
    if (rc >= 0)
        *is_changed = rc > 0;
    return rc < 0 ? rc : 0;
}

int sj_store_bail_position_add(struct sj_store *store, int64_t subject_id,
                               const struct sj_bail_fix *fix, unsigned flags, bool *is_new,
                               struct sj_err *err)
{
    double acc = ceil(fmin(fmax(fix->accuracy_m, 0.0), 1e6));
    int rc = sj_store_bail_run(
        store, err, "保存位置",
        "INSERT OR IGNORE INTO bail_positions (subject_id, t_ms, lat_e7, lon_e7, acc_m, "
        "flags) VALUES (?, ?, ?, ?, ?, ?)",
        "iiiiii", subject_id, fix->fix_ms, (int64_t)llround(fix->pos.lat * 1e7),
        (int64_t)llround(fix->pos.lon * 1e7), (int64_t)acc, (int64_t)flags);
    if (rc >= 0)
        *is_new = rc > 0;
    return rc < 0 ? rc : 0;
}

static void fix_row(sqlite3_stmt *st, void *item)
{
    struct sj_bail_fix *f = item;
    f->fix_ms = sj_store_bail_col_i(st, 0);
    f->pos.lat = (double)sj_store_bail_col_i(st, 1) / 1e7;
    f->pos.lon = (double)sj_store_bail_col_i(st, 2) / 1e7;
    f->accuracy_m = (double)sj_store_bail_col_i(st, 3);
    f->is_mock = (sj_store_bail_col_i(st, 4) & 1) != 0;
}

int sj_store_bail_position_before(struct sj_store *store, int64_t subject_id, int64_t before_ms,
                                  struct sj_bail_fix *fix, bool *has, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sj_store_bail_prep(store, &st, err,
                                "SELECT t_ms, lat_e7, lon_e7, acc_m, flags FROM bail_positions "
                                "WHERE subject_id = ? AND t_ms < ? AND (flags & 1) = 0 "
                                "ORDER BY t_ms DESC LIMIT 1",
                                "ii", subject_id, before_ms);
    if (rc < 0)
        return rc;
    memset(fix, 0, sizeof *fix);
    rc = sj_store_bail_read_one(store, st, fix_row, fix, err, "位置");
    *has = rc == 0;
    return rc == SJ_ENOTFOUND ? 0 : rc;
}

int sj_store_bail_trail(struct sj_store *store, int64_t subject_id, int64_t from_ms, int64_t to_ms,
                        size_t limit, struct sj_bail_fix **fixes, size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc =
        sj_store_bail_prep(store, &st, err,
                           "SELECT t_ms, lat_e7, lon_e7, acc_m, flags FROM bail_positions "
                           "WHERE subject_id = ? AND t_ms >= ? AND t_ms < ? ORDER BY t_ms LIMIT ?",
                           "iiii", subject_id, from_ms, to_ms, (int64_t)limit);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **fixes, fix_row, (void **)fixes, count, err,
                                   "读取行动轨迹");
}
