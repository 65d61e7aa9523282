/*
 * sweep.c - the time-based part of supervision (sj_bail_sweep, shujian/bail_ops.h): missed
 * check-ins, silent devices, leaves that ended without a return, and escalation of alerts
 * nobody acknowledged. Each finding is checked outside any transaction and acted on in its own
 * short one; alert keys (slot, device contact, leave, alert id) make every action idempotent,
 * so a sweep may run as often as wanted, or twice at once, without raising anything twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

#define SWEEP_LOOKBACK_MS (2 * SJ_BAIL_DAY_MS)

/* Runs one raise in its own transaction. */
static int raise_tx(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                    const struct sj_bail_subject *s, enum sj_bail_alert_kind kind,
                    const char *detail, const char *source, const char *key, size_t *counter,
                    struct sj_err *err)
{
    bool is_own = false, is_new = false;
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_bail_raise(env, who, s, kind, detail, source, key, &is_new, err);
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0 && is_new && counter)
        (*counter)++;
    return rc;
}

static int missed_for(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                      const struct sj_bail_params *p, const struct sj_bail_subject *s,
                      size_t *counter, struct sj_err *err)
{
    struct sj_bail_slot *slots = NULL;
    size_t n = 0;
    int64_t until = who->now_ms - p->missed_grace_ms;
    int rc = sj_bail_due_slots(env->store, s->id, who->now_ms - SWEEP_LOOKBACK_MS, until, &slots,
                               &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct sj_bail_slot *slot = &slots[i];
        bool is_covered = false;
        if (slot->end_ms > until || slot->start_ms < s->created_ms)
            continue;
        rc = sj_store_bail_checkin_covers(env->store, s->id, slot->start_ms, slot->end_ms,
                                          &is_covered, err);
        if (rc < 0 || is_covered)
            continue;
        char start[26], end[26], detail[192], source[96], key[128];
        sj_bail_time_format(slot->start_ms, start);
        sj_bail_time_format(slot->end_ms, end);
        snprintf(detail, sizeof detail, "%s打卡时段 %.16s 至 %.16s 内未打卡",
                 slot->kind == SJ_BAIL_SCHEDULE_SPOT ? "抽查" : "", start, end);
        snprintf(source, sizeof source, "slot:%s:%lld:%lld", sj_bail_schedule_kind_name(slot->kind),
                 (long long)slot->source_id, (long long)slot->start_ms);
        snprintf(key, sizeof key, "missed:%lld:%s", (long long)s->id, source);
        rc = raise_tx(env, who, s, SJ_BAIL_ALERT_MISSED_CHECKIN, detail, source, key, counter, err);
    }
    free(slots);
    return rc;
}

static int sweep_missed(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_params *p, size_t *counter, struct sj_err *err)
{
    struct sj_bail_subject *list = NULL;
    size_t n = 0;
    int rc = sj_store_bail_subject_list(env->store, 0, true, &list, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = missed_for(env, who, p, &list[i], counter, err);
    sj_bail_subject_list_free(list, n);
    return rc;
}

static int sweep_silent(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_params *p, size_t *counter, struct sj_err *err)
{
    struct sj_bail_device *list = NULL;
    size_t n = 0;
    int rc =
        sj_store_bail_devices_silent(env->store, who->now_ms - p->silent_after_ms, &list, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct sj_bail_device *d = &list[i];
        struct sj_bail_subject s;
        int64_t seen = d->last_seen_ms ? d->last_seen_ms : d->bound_ms;
        char detail[192], source[48], key[96];
        snprintf(detail, sizeof detail, "设备已 %.1f 小时未上报位置或打卡",
                 (double)(who->now_ms - seen) / 3600000.0);
        snprintf(source, sizeof source, "device:%lld", (long long)d->id);
        snprintf(key, sizeof key, "silent:%lld:%lld", (long long)d->id, (long long)seen);
        rc = sj_store_bail_subject_get(env->store, d->subject_id, &s, err);
        if (rc == 0)
            rc = raise_tx(env, who, &s, SJ_BAIL_ALERT_DEVICE_SILENT, detail, source, key, counter,
                          err);
        sj_bail_subject_release(&s);
    }
    for (size_t i = 0; i < n; i++)
        sj_bail_device_release(&list[i]);
    free(list);
    return rc;
}

/* A leave ended more than the grace period ago: back inside the home fences (confirmed by a
 * fix after the leave's end) settles it; anything else is an overrun. */
static int settle_leave(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_leave *l, struct sj_bail_sweep_counts *c,
                        struct sj_err *err)
{
    struct sj_bail_subject s;
    struct sj_fence_state st;
    bool is_own = false, is_new = false;
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_subject_get(env->store, l->subject_id, &s, err);
    if (rc == 0)
        rc = sj_store_bail_fence_state_get(env->store, l->subject_id, 0, &st, err);
    /* Inside, and the newest fix (after the end) does not start a run outside: a subject still
     * at the destination has its first fixes after the leave outside before they confirm. */
    bool is_back = rc == 0 && st.state == SJ_FENCE_STATE_INSIDE && st.last_fix_ms >= l->end_ms &&
                   st.run_rel != SJ_FENCE_OUTSIDE;
    if (rc == 0 && !is_back) {
        char detail[192], source[48], key[64];
        snprintf(detail, sizeof detail, "外出（申请 %lld）已结束，但未确认返回活动区域",
                 (long long)l->id);
        snprintf(source, sizeof source, "leave:%lld", (long long)l->id);
        snprintf(key, sizeof key, "overrun:%lld", (long long)l->id);
        rc = sj_bail_raise(env, who, &s, SJ_BAIL_ALERT_LEAVE_OVERRUN, detail, source, key, &is_new,
                           err);
    }
    if (rc == 0)
        rc = sj_store_bail_leave_settle(env->store, l->id, who->now_ms, err);
    if (rc == 0) {
        json_t *p =
            json_pack("{s:I, s:b}", "subject", (json_int_t)l->subject_id, "returned", is_back);
        rc = sj_bail_record(env, who, "bail.leave.settle", "bail-leave", l->id, p, NULL, err);
    }
    sj_bail_subject_release(&s);
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0) {
        c->returned += is_back;
        c->overrun += is_new;
    }
    return rc;
}

static int sweep_leaves(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_params *p, struct sj_bail_sweep_counts *c,
                        struct sj_err *err)
{
    struct sj_bail_leave *list = NULL;
    size_t n = 0;
    int rc =
        sj_store_bail_leaves_to_settle(env->store, who->now_ms - p->leave_grace_ms, &list, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = settle_leave(env, who, &list[i], c, err);
    sj_store_bail_leave_list_free(list, n);
    return rc;
}

static int escalate_one(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_alert *a, struct sj_err *err)
{
    struct sj_bail_subject s;
    bool is_own = false;
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_subject_get(env->store, a->subject_id, &s, err);
    if (rc == 0)
        rc = sj_store_bail_alert_escalate(env->store, a->id, s.prosecutor_id, who->now_ms, err);
    if (rc == 0) {
        json_t *p =
            json_pack("{s:I, s:I, s:s}", "subject", (json_int_t)a->subject_id, "to",
                      (json_int_t)s.prosecutor_id, "kind", sj_bail_alert_kind_name(a->kind));
        rc = sj_bail_record(env, who, "bail.alert.escalate", "bail-alert", a->id, p, NULL, err);
    }
    sj_bail_subject_release(&s);
    return sj_bail_tx_end(env, is_own, rc, err);
}

static int sweep_escalations(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                             size_t *counter, struct sj_err *err)
{
    struct sj_bail_alert *list = NULL;
    size_t n = 0;
    int rc = sj_store_bail_alerts_to_escalate(env->store, who->now_ms, &list, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = escalate_one(env, who, &list[i], err);
        *counter += rc == 0;
    }
    sj_bail_alert_list_free(list, n);
    return rc;
}

int sj_bail_sweep(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                  struct sj_bail_sweep_counts *counts, struct sj_err *err)
{
    struct sj_bail_params buf;
    struct sj_bail_sweep_counts c = {0};
    if (!env || !env->store || !env->ledger)
        return sj_err_set(err, SJ_EINVAL, "监管操作需要工作区和存证账本（shujian ledger init）");
    const struct sj_bail_params *p = sj_bail_env_params(env, &buf);
    int rc = sweep_missed(env, who, p, &c.missed, err);
    if (rc == 0)
        rc = sweep_silent(env, who, p, &c.silent, err);
    if (rc == 0)
        rc = sweep_leaves(env, who, p, &c, err);
    if (rc == 0)
        rc = sweep_escalations(env, who, &c.escalated, err);
    if (counts)
        *counts = c;
    return rc;
}
