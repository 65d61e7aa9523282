/*
 * bail_desk.c - the officers' side of the bail demo (src/demo/bail_int.h): the duty roster
 * planned a week ahead, the rounds in which on-duty officers acknowledge alerts and later
 * resolve them with a note, and the next morning's review and sign-off of each officer's
 * queue. How long an officer takes is drawn from the alert's id (demo_hash), so the same
 * run gives the same history; a few alerts are left open or unresolved on purpose, and at
 * night nobody answers before 07:30, so those alerts are escalated by the sweep.
 */
#include <stdio.h>
#include <stdlib.h>

#include "demo/bail_int.h"

#define NEVER INT64_MAX

static int officer_of(const struct bd_sim *sim, int64_t user_id)
{
    for (int i = 0; i < sim->officer_count; i++) {
        if (sim->officers[i].id == user_id)
            return i;
    }
    return -1;
}

static int shift(struct bd_sim *sim, const struct bd_office *o, int officer, int64_t start,
                 int64_t end, int64_t now_ms)
{
    int64_t id = 0;
    struct sj_bail_actor who = bd_officer_actor(sim, o->prosecutors[0], now_ms);
    int rc = sj_bail_roster_add(&sim->env, &who, o->id, sim->officers[officer].id, start, end, &id,
                                sim->err);
    sim->stats->roster_shifts += rc == 0;
    return rc;
}

int bd_roster(struct bd_sim *sim, int64_t now_ms, int64_t until_day)
{
    int rc = 0;
    for (int64_t d = sim->roster_until_day; rc == 0 && d < until_day; d++) {
        for (int i = 0; rc == 0 && i < sim->office_count; i++) {
            const struct bd_office *o = &sim->offices[i];
            int all[2 * BD_OFFICERS_MAX], n = 0;
            for (int k = 0; k < o->prosecutor_count; k++)
                all[n++] = o->prosecutors[k];
            for (int k = 0; k < o->police_count; k++) /* not police borrowed from the city */
                if (sim->officers[o->police[k]].office_id == o->id)
                    all[n++] = o->police[k];
            rc = shift(sim, o, all[d % n], bd_at(d, 480), bd_at(d, 1200), now_ms);
            if (rc == 0)
                rc = shift(sim, o, all[(d + 1) % n], bd_at(d, 1200), bd_at(d + 1, 480), now_ms);
        }
    }
    if (rc == 0 && until_day > sim->roster_until_day)
        sim->roster_until_day = until_day;
    return rc;
}

/* When the alert gets acknowledged: quickly by day, after 07:30 at night, now and then
 * late, and about one in thirty never. */
static int64_t ack_due(const struct bd_sim *sim, const struct sj_bail_alert *a)
{
    uint64_t h = demo_hash(sim->opts->seed ^ 0xAC4u, (uint64_t)a->id);
    int m = bd_minute_of(a->raised_ms);
    int64_t day = sj_bail_local_day(a->raised_ms);
    uint64_t p = (h >> 8) % 100, x = h >> 16;
    if (a->raised_ms >= sim->end_ms - 6 * BD_HOUR_MS) /* fresh ones get looked at quickly */
        return a->raised_ms + (int64_t)(3 + x % 26) * BD_MIN_MS;
    if (h % 100 < 3)
        return NEVER;
    if (m >= 1320 || m < 420)
        return bd_at(m >= 1320 ? day + 1 : day, 450) + (int64_t)(x % 90) * BD_MIN_MS;
    int64_t delay = p < 80   ? 3 + (int64_t)(x % 26)
                    : p < 95 ? 35 + (int64_t)(x % 145)
                             : 180 + (int64_t)(x % 420);
    return a->raised_ms + delay * BD_MIN_MS;
}

/* Resolved with a note after the follow-up, on one of the next three days in office hours;
 * about one in ten stays acknowledged. */
static int64_t resolve_due(const struct bd_sim *sim, const struct sj_bail_alert *a)
{
    uint64_t h = demo_hash(sim->opts->seed ^ 0x5E50u, (uint64_t)a->id);
    if (h % 100 < 10)
        return NEVER;
    int64_t day = sj_bail_local_day(a->acknowledged_ms) + 1 +
                  (int64_t)((h >> 8) % 100 < 60 ? 0 : (h >> 8) % 2 + 1);
    return bd_at(day, 540 + (int)((h >> 16) % 480));
}

static const char *const notes[SJ_BAIL_ALERT_KIND_COUNT][2] = {
    [SJ_BAIL_ALERT_MISSED_CHECKIN] = {"已电话联系本人，系手机没电未能打卡，已予以警告教育。",
                                      "本人称工作繁忙忘记打卡，已训诫并记录在案。"},
    [SJ_BAIL_ALERT_FENCE_BREACH] = {"经核实本人外出购物途经边界，已返回活动区域，予以口头警告。",
                                    "未经批准离开居住地，已责令立即返回，并告知承办检察官。"},
    [SJ_BAIL_ALERT_FORBIDDEN_ENTRY] = {"经电话核实本人系路过该区域，未与相关人员接触，已警告。",
                                       "本人进入禁入区域，已约谈并制作询问笔录。"},
    [SJ_BAIL_ALERT_FACE_MISMATCH] = {"经核实系家属代为打卡，已约谈本人并告知法律后果。",
                                     "本人称借用家人手机打卡，已警告并记录违规一次。"},
    [SJ_BAIL_ALERT_DEVICE_CHANGE] = {"本人更换新手机，已核实身份并完成绑定。",
                                     "原手机损坏，经核实已更换设备。"},
    [SJ_BAIL_ALERT_MOCK_LOCATION] = {"本人手机安装虚拟定位软件，已责令卸载并上门核查。",
                                     "经上门核查本人在家，已删除虚拟定位软件并予以警告。"},
    [SJ_BAIL_ALERT_IMPOSSIBLE_TRAVEL] = {"定位漂移所致，经核实本人当时在家，不作违规处理。",
                                         "手机定位异常，已指导本人开启精确定位。"},
    [SJ_BAIL_ALERT_DEVICE_SILENT] = {"手机关机，已电话联系本人，设备已恢复上报。",
                                     "本人手机没电关机，已提醒保持手机电量充足。"},
    [SJ_BAIL_ALERT_LEAVE_OVERRUN] = {"本人因交通原因推迟返回，已返回并书面说明情况。",
                                     "逾期未归，已责令返回并报承办检察官审查是否违反规定。"},
};

static int act_on(struct bd_sim *sim, const struct sj_bail_alert *a, int64_t now_ms)
{
    bool is_open = a->status == SJ_BAIL_ALERT_OPEN;
    int64_t due = is_open ? ack_due(sim, a) : resolve_due(sim, a);
    if (due == NEVER || due > now_ms || a->raised_ms > now_ms)
        return 0;
    int64_t user =
        is_open ? (a->escalated_to ? a->escalated_to : a->assignee_id) : a->acknowledged_by;
    int k = officer_of(sim, user);
    if (k < 0)
        return 0; /* someone outside the demo's offices */
    struct sj_bail_actor who = bd_officer_actor(sim, k, now_ms);
    if (is_open)
        return sj_bail_alert_ack(&sim->env, &who, a->id,
                                 a->id % 3 ? NULL : "已电话联系本人，正在核查。", sim->err);
    unsigned kind = (unsigned)a->kind < SJ_BAIL_ALERT_KIND_COUNT ? (unsigned)a->kind : 0;
    return sj_bail_alert_resolve(&sim->env, &who, a->id, notes[kind][a->id % 2], sim->err);
}

int bd_round(struct bd_sim *sim, int64_t now_ms)
{
    int rc = 0;
    for (int status = SJ_BAIL_ALERT_OPEN; rc == 0 && status <= SJ_BAIL_ALERT_ACKNOWLEDGED;
         status++) {
        struct sj_bail_alert_filter f = {.status = status, .limit = 100000};
        struct sj_bail_alert *list = NULL;
        size_t n = 0;
        rc = sj_bail_alert_list(sim->store, &f, &list, &n, sim->err);
        for (size_t i = n; rc == 0 && i > 0; i--) /* oldest first */
            rc = act_on(sim, &list[i - 1], now_ms);
        sj_bail_alert_list_free(list, n);
    }
    return rc;
}

/* Signed off on most weekdays, every other weekend day. */
static bool signs_off(const struct bd_sim *sim, int officer, int64_t day)
{
    uint64_t h = demo_hash(sim->opts->seed ^ 0x516u, (uint64_t)day * 131u + (uint64_t)officer);
    return h % 100 < (sj_bail_weekday(day) <= 5 ? 90u : 50u);
}

int bd_review(struct bd_sim *sim, int officer, int64_t now_ms)
{
    int64_t day = sj_bail_local_day(now_ms) - 1;
    struct sj_bail_review_item *items = NULL;
    size_t n = 0, open = 0, ids_n = 0;
    int rc = sj_bail_review_queue(sim->store, sim->officers[officer].id, day, &items, &n, sim->err);
    int64_t *ids = n ? sj_xcalloc(n, sizeof *ids) : NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (items[i].is_handled)
            continue;
        if (items[i].kind == SJ_BAIL_REVIEW_CHECKIN)
            ids[ids_n++] = items[i].id;
        else
            open++;
    }
    struct sj_bail_actor who = bd_officer_actor(sim, officer, now_ms);
    if (rc == 0 && ids_n)
        rc = sj_bail_review_checkins(&sim->env, &who, ids, ids_n, sim->err);
    if (rc == 0 && open == 0 && signs_off(sim, officer, day)) {
        who.now_ms += 5 * BD_MIN_MS;
        rc = sj_bail_review_signoff(&sim->env, &who, day, sim->err);
        sim->stats->signoffs += rc == 0;
    }
    free(ids);
    free(items);
    return rc;
}
