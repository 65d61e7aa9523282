/*
 * alert_ops.c - alerts (告警) and their life cycle, the duty roster (排班表) and the sweep that
 * raises time-based alerts (shujian/bail_ops.h). An alert moves open -> acknowledged ->
 * resolved, never back, and is resolved only with a note; each move is guarded in SQL by the
 * status it comes from and ledgered. The sweep works subject by subject, each change in its
 * own short transaction so that check-ins are never held up behind it; alerts are keyed so a
 * repeated sweep raises nothing twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

static const char *const alert_status_names[] = {"open", "acknowledged", "resolved"};

const char *sj_bail_alert_status_name(enum sj_bail_alert_status status)
{
    return (unsigned)status < 3 ? alert_status_names[status] : "open";
}

int sj_bail_alert_status_parse(const char *text, enum sj_bail_alert_status *status)
{
    for (int i = 0; text && i < 3; i++) {
        if (strcmp(text, alert_status_names[i]) == 0) {
            *status = (enum sj_bail_alert_status)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

void sj_bail_alert_release(struct sj_bail_alert *a)
{
    if (!a)
        return;
    free(a->detail);
    free(a->source);
    free(a->resolution);
    memset(a, 0, sizeof *a);
}

void sj_bail_alert_list_free(struct sj_bail_alert *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        sj_bail_alert_release(&list[i]);
    free(list);
}

int sj_bail_alert_get(struct sj_store *store, int64_t id, struct sj_bail_alert *out,
                      struct sj_err *err)
{
    return sj_store_bail_alert_get(store, id, out, err);
}

int sj_bail_alert_list(struct sj_store *store, const struct sj_bail_alert_filter *filter,
                       struct sj_bail_alert **list, size_t *count, struct sj_err *err)
{
    struct sj_bail_alert_filter all = {0, 0, -1, 0};
    return sj_store_bail_alert_list(store, filter ? filter : &all, list, count, err);
}

static int move(const struct sj_bail_env *env, const struct sj_bail_actor *who, int64_t alert_id,
                enum sj_bail_alert_status from, enum sj_bail_alert_status to, const char *note,
                struct sj_err *err)
{
    bool is_own = false;
    if (!who->user_id)
        return sj_err_set(err, SJ_EPERM, "告警只能由工作人员处理");
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    struct sj_bail_alert a;
    rc = sj_store_bail_alert_get(env->store, alert_id, &a, err);
    if (rc == 0 && a.status != from)
        rc = sj_err_set(err, SJ_EINVAL, "告警当前为“%s”，不能%s",
                        sj_bail_alert_status_name(a.status),
                        to == SJ_BAIL_ALERT_RESOLVED ? "处置（请先确认）" : "确认");
    if (rc == 0)
        rc = sj_store_bail_alert_move(env->store, alert_id, from, to, who->user_id, who->now_ms,
                                      note, err);
    if (rc == 0) {
        json_t *p = json_pack("{s:I, s:s, s:s, s:s?}", "subject", (json_int_t)a.subject_id, "from",
                              sj_bail_alert_status_name(from), "to", sj_bail_alert_status_name(to),
                              "note", note);
        rc = sj_bail_record(env, who,
                            to == SJ_BAIL_ALERT_RESOLVED ? "bail.alert.resolve" : "bail.alert.ack",
                            "bail-alert", alert_id, p, NULL, err);
    }
    sj_bail_alert_release(&a);
    return sj_bail_tx_end(env, is_own, rc, err);
}

int sj_bail_alert_ack(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                      int64_t alert_id, const char *note, struct sj_err *err)
{
    if (note && note[0]) {
        int rc = sj_bail_check_text(note, 1, SJ_BAIL_NOTE_MAX, true, "确认说明", err);
        if (rc < 0)
            return rc;
    }
    return move(env, who, alert_id, SJ_BAIL_ALERT_OPEN, SJ_BAIL_ALERT_ACKNOWLEDGED,
                note && note[0] ? note : NULL, err);
}

int sj_bail_alert_resolve(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                          int64_t alert_id, const char *note, struct sj_err *err)
{
    int rc = sj_bail_check_text(note, 1, SJ_BAIL_NOTE_MAX, true, "处置说明", err);
    if (rc < 0)
        return rc;
    return move(env, who, alert_id, SJ_BAIL_ALERT_ACKNOWLEDGED, SJ_BAIL_ALERT_RESOLVED, note, err);
}

/* ---- Roster -------------------------------------------------------------------------------- */

int sj_bail_roster_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                       int64_t office_id, int64_t user_id, int64_t start_ms, int64_t end_ms,
                       int64_t *id, struct sj_err *err)
{
    char role[16];
    int64_t user_office = 0, new_id = 0;
    bool is_own = false;
    if (end_ms <= start_ms || end_ms - start_ms > 7 * SJ_BAIL_DAY_MS)
        return sj_err_set(err, SJ_EINVAL, "值班时段应晚于开始且不超过 7 天");
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_user_role(env->store, user_id, role, &user_office, err);
    if (rc == 0 && user_office != office_id)
        rc = sj_err_set(err, SJ_EINVAL, "值班人员应为本院用户");
    if (rc == 0 && strcmp(role, "prosecutor") != 0 && strcmp(role, "police") != 0)
        rc = sj_err_set(err, SJ_EINVAL, "值班人员应为检察官或公安民警");
    if (rc == 0)
        rc = sj_store_bail_roster_add(env->store, office_id, user_id, start_ms, end_ms, who->now_ms,
                                      &new_id, err);
    if (rc == 0) {
        json_t *p = json_pack("{s:I, s:I, s:I, s:I}", "office", (json_int_t)office_id, "user",
                              (json_int_t)user_id, "start_ms", (json_int_t)start_ms, "end_ms",
                              (json_int_t)end_ms);
        rc = sj_bail_record(env, who, "bail.roster.add", "bail-roster", new_id, p, NULL, err);
    }
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0 && id)
        *id = new_id;
    return rc;
}

int sj_bail_on_duty(struct sj_store *store, int64_t office_id, int64_t at_ms, int64_t *user_id,
                    struct sj_err *err)
{
    return sj_store_bail_on_duty(store, office_id, at_ms, user_id, err);
}
