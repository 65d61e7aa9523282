/*
 * leave_ops.c - leave requests (外出申请) (shujian/bail_ops.h). A subject (through its phone)
 * or an officer submits destination, reason and window; only the subject's responsible
 * prosecutor or police officer decides, always with a note. Approval opens a temporary allowed
 * fence (a circle at the destination) for exactly the leave's window, recorded as a fence row
 * tied to the leave; home-fence exits are not raised during the window and its return grace
 * period (src/bail/feed.c), and the sweep settles the leave as returned or overrun.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

#define LEAVE_MAX_MS (90LL * SJ_BAIL_DAY_MS)
#define LEAVE_RADIUS_MAX_M 50000.0

static const char *const leave_status_names[] = {"submitted", "approved", "rejected"};

const char *sj_bail_leave_status_name(enum sj_bail_leave_status status)
{
    return (unsigned)status < 3 ? leave_status_names[status] : "submitted";
}

void sj_bail_leave_release(struct sj_bail_leave *l)
{
    if (!l)
        return;
    free(l->destination);
    free(l->reason);
    free(l->note);
    memset(l, 0, sizeof *l);
}

static int check_leave(const struct sj_bail_leave_request *req, const struct sj_bail_params *p,
                       int64_t now_ms, struct sj_bail_leave *l, struct sj_err *err)
{
    int rc = sj_bail_check_text(req->destination, 1, SJ_BAIL_TEXT_MAX, false, "目的地", err);
    if (rc == 0)
        rc = sj_bail_check_text(req->reason, 1, SJ_BAIL_TEXT_MAX, true, "外出事由", err);
    if (rc == 0 && sj_geo_convert(req->datum, SJ_DATUM_WGS84, req->pos, &l->pos) < 0)
        rc = sj_err_set(err, SJ_EINVAL, "目的地坐标无效");
    l->radius_m = req->radius_m > 0 ? req->radius_m : p->leave_radius_m;
    if (rc == 0 && (l->radius_m < SJ_FENCE_RADIUS_MIN_M || l->radius_m > LEAVE_RADIUS_MAX_M))
        rc = sj_err_set(err, SJ_EINVAL, "目的地范围应在 %.0f 至 %.0f 米之间", SJ_FENCE_RADIUS_MIN_M,
                        LEAVE_RADIUS_MAX_M);
    if (rc == 0 && (req->end_ms <= req->start_ms || req->end_ms <= now_ms))
        rc = sj_err_set(err, SJ_EINVAL, "外出的结束时间应晚于开始时间和现在");
    if (rc == 0 && req->end_ms - req->start_ms > LEAVE_MAX_MS)
        rc = sj_err_set(err, SJ_EINVAL, "一次外出不能超过 90 天");
    l->destination = (char *)req->destination;
    l->reason = (char *)req->reason;
    l->start_ms = req->start_ms;
    l->end_ms = req->end_ms;
    l->submitted_ms = now_ms;
    return rc;
}

int sj_bail_leave_submit(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                         int64_t subject_id, const struct sj_bail_leave_request *req, int64_t *id,
                         struct sj_err *err)
{
    struct sj_bail_params buf;
    struct sj_bail_subject s;
    struct sj_bail_leave l = {.subject_id = subject_id};
    int64_t new_id = 0;
    bool is_own = false;
    int rc = check_leave(req, sj_bail_env_params(env, &buf), who->now_ms, &l, err);
    if (rc == 0)
        rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_subject_get(env->store, subject_id, &s, err);
    if (rc == 0)
        rc = sj_bail_check_actor(env, who, &s, err);
    if (rc == 0 && s.status != SJ_BAIL_ACTIVE)
        rc = sj_err_set(err, SJ_EINVAL, "被监管人不在监管中");
    if (rc == 0)
        rc = sj_store_bail_leave_add(env->store, &l, &new_id, err);
    if (rc == 0) {
        json_t *p = json_pack("{s:I, s:I, s:I, s:f}", "subject", (json_int_t)subject_id, "start_ms",
                              (json_int_t)l.start_ms, "end_ms", (json_int_t)l.end_ms, "radius_m",
                              l.radius_m);
        rc = sj_bail_record(env, who, "bail.leave.submit", "bail-leave", new_id, p, NULL, err);
    }
    sj_bail_subject_release(&s);
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0 && id)
        *id = new_id;
    return rc;
}

/* The temporary fence of an approved leave. */
static int open_fence(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                      const struct sj_bail_subject *s, const struct sj_bail_leave *l,
                      int64_t *fence_id, struct sj_err *err)
{
    struct sj_fence f;
    struct sj_buf geo;
    char name[160];
    sj_buf_init(&geo, 0);
    int rc = sj_fence_circle(l->pos, l->radius_m, &f, err);
    if (rc == 0)
        rc = sj_fence_to_geojson(&f, &geo);
    snprintf(name, sizeof name, "外出目的地（申请 %lld）", (long long)l->id);
    struct sj_store_bail_fence row = {.office_id = s->office_id,
                                      .subject_id = s->id,
                                      .leave_id = l->id,
                                      .kind = SJ_FENCE_ALLOWED,
                                      .name = name,
                                      .geometry = (char *)sj_buf_cstr(&geo),
                                      .valid_from_ms = l->start_ms,
                                      .valid_until_ms = l->end_ms};
    if (rc == 0)
        rc = sj_store_bail_fence_add(env->store, &row, who->now_ms, fence_id, err);
    sj_buf_release(&geo);
    return rc;
}

int sj_bail_leave_decide(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                         int64_t leave_id, bool is_approved, const char *note, struct sj_err *err)
{
    struct sj_bail_subject s;
    struct sj_bail_leave l;
    int64_t fence_id = 0;
    bool is_own = false;
    memset(&s, 0, sizeof s);
    int rc = sj_bail_check_text(note, 1, SJ_BAIL_NOTE_MAX, true, "审批意见", err);
    if (rc == 0)
        rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_leave_get(env->store, leave_id, &l, err);
    if (rc == 0)
        rc = sj_store_bail_subject_get(env->store, l.subject_id, &s, err);
    if (rc == 0 &&
        (!who->user_id || (who->user_id != s.prosecutor_id && who->user_id != s.police_id)))
        rc = sj_err_set(err, SJ_EPERM, "只有承办检察官或责任民警可以审批外出申请");
    if (rc == 0 && l.status != SJ_BAIL_LEAVE_SUBMITTED)
        rc = sj_err_set(err, SJ_EINVAL, "该外出申请已审批");
    if (rc == 0 && is_approved)
        rc = open_fence(env, who, &s, &l, &fence_id, err);
    enum sj_bail_leave_status to = is_approved ? SJ_BAIL_LEAVE_APPROVED : SJ_BAIL_LEAVE_REJECTED;
    if (rc == 0)
        rc = sj_store_bail_leave_decide(env->store, leave_id, to, who->user_id, who->now_ms, note,
                                        fence_id, err);
    if (rc == 0) {
        json_t *p =
            json_pack("{s:I, s:s, s:s, s:I}", "subject", (json_int_t)l.subject_id, "status",
                      sj_bail_leave_status_name(to), "note", note, "fence", (json_int_t)fence_id);
        rc = sj_bail_record(env, who, "bail.leave.decide", "bail-leave", leave_id, p, NULL, err);
    }
    sj_bail_leave_release(&l);
    sj_bail_subject_release(&s);
    return sj_bail_tx_end(env, is_own, rc, err);
}

int sj_bail_leave_get(struct sj_store *store, int64_t id, struct sj_bail_leave *out,
                      struct sj_err *err)
{
    return sj_store_bail_leave_get(store, id, out, err);
}
