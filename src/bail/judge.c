/*
 * judge.c - judging one check-in (shujian/bail.h): time against server time, place against
 * the allowed fences and approved leave destinations, forbidden fences, speed since the
 * previous fix, the mock-location flag, the slot it satisfies, and the face through the
 * verifier interface. Also the names, labels and severities of alert kinds and flags, and the
 * default parameters. A verdict is a pure function of its input and the verifier's answer;
 * the default verifier answers "unverified", never a match.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bail/bail_int.h"

/* ---- Names --------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    const char *label;
    enum sj_bail_severity severity;
} alert_kinds[SJ_BAIL_ALERT_KIND_COUNT] = {
    [SJ_BAIL_ALERT_MISSED_CHECKIN] = {"missed-checkin", "未按时打卡", SJ_BAIL_SEVERITY_MEDIUM},
    [SJ_BAIL_ALERT_FENCE_BREACH] = {"fence-breach", "越出活动区域", SJ_BAIL_SEVERITY_HIGH},
    [SJ_BAIL_ALERT_FORBIDDEN_ENTRY] = {"forbidden-entry", "进入禁入区域", SJ_BAIL_SEVERITY_HIGH},
    [SJ_BAIL_ALERT_FACE_MISMATCH] = {"face-mismatch", "人脸比对不一致", SJ_BAIL_SEVERITY_HIGH},
    [SJ_BAIL_ALERT_DEVICE_CHANGE] = {"device-change", "更换设备", SJ_BAIL_SEVERITY_MEDIUM},
    [SJ_BAIL_ALERT_MOCK_LOCATION] = {"mock-location", "虚拟定位", SJ_BAIL_SEVERITY_HIGH},
    [SJ_BAIL_ALERT_IMPOSSIBLE_TRAVEL] = {"impossible-travel", "位置异常跳变",
                                         SJ_BAIL_SEVERITY_MEDIUM},
    [SJ_BAIL_ALERT_DEVICE_SILENT] = {"device-silent", "设备长时间失联", SJ_BAIL_SEVERITY_HIGH},
    [SJ_BAIL_ALERT_LEAVE_OVERRUN] = {"leave-overrun", "外出逾期未归", SJ_BAIL_SEVERITY_HIGH},
};

const char *sj_bail_alert_kind_name(enum sj_bail_alert_kind kind)
{
    return (unsigned)kind < SJ_BAIL_ALERT_KIND_COUNT ? alert_kinds[kind].name : "missed-checkin";
}

const char *sj_bail_alert_kind_label(enum sj_bail_alert_kind kind)
{
    return (unsigned)kind < SJ_BAIL_ALERT_KIND_COUNT ? alert_kinds[kind].label : "未按时打卡";
}

int sj_bail_alert_kind_parse(const char *text, enum sj_bail_alert_kind *kind)
{
    for (int i = 0; text && i < SJ_BAIL_ALERT_KIND_COUNT; i++) {
        if (strcmp(text, alert_kinds[i].name) == 0 || strcmp(text, alert_kinds[i].label) == 0) {
            *kind = (enum sj_bail_alert_kind)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

enum sj_bail_severity sj_bail_alert_severity(enum sj_bail_alert_kind kind)
{
    return (unsigned)kind < SJ_BAIL_ALERT_KIND_COUNT ? alert_kinds[kind].severity
                                                     : SJ_BAIL_SEVERITY_HIGH;
}

static const char *const severity_names[] = {"low", "medium", "high"};
static const char *const severity_labels[] = {"低", "中", "高"};

const char *sj_bail_severity_name(enum sj_bail_severity severity)
{
    return (unsigned)severity < 3 ? severity_names[severity] : "high";
}

const char *sj_bail_severity_label(enum sj_bail_severity severity)
{
    return (unsigned)severity < 3 ? severity_labels[severity] : "高";
}

int sj_bail_severity_parse(const char *text, enum sj_bail_severity *severity)
{
    for (int i = 0; text && i < 3; i++) {
        if (strcmp(text, severity_names[i]) == 0 || strcmp(text, severity_labels[i]) == 0) {
            *severity = (enum sj_bail_severity)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

static const struct {
    const char *name;
    const char *label;
} flags[SJ_BAIL_FLAG_COUNT] = {
    {"outside", "不在允许区域内"},
    {"uncertain-place", "定位精度不足以判断是否在区域内"},
    {"forbidden", "位于禁入区域"},
    {"on-leave", "位于已批准的外出目的地"},
    {"future", "定位时间晚于服务器时间"},
    {"too-old", "定位时间过早"},
    {"late-upload", "离线补传（打卡时段结束后才上传）"},
    {"no-slot", "不在任何打卡时段内"},
    {"mock-location", "手机报告为虚拟定位"},
    {"impossible-speed", "与上一位置相比移动速度不可能"},
    {"face-mismatch", "人脸比对不一致"},
    {"face-unverified", "人脸未核验"},
    {"no-fence", "未设置允许区域"},
    {"bad-position", "坐标或精度无效"},
};

const char *sj_bail_flag_name(unsigned bit_index)
{
    return bit_index < SJ_BAIL_FLAG_COUNT ? flags[bit_index].name : NULL;
}

static const char *const status_names[] = {"accepted", "flagged", "rejected"};

const char *sj_bail_verdict_status_name(enum sj_bail_verdict_status status)
{
    return (unsigned)status < 3 ? status_names[status] : "rejected";
}

int sj_bail_verdict_status_parse(const char *text, enum sj_bail_verdict_status *status)
{
    for (int i = 0; text && i < 3; i++) {
        if (strcmp(text, status_names[i]) == 0) {
            *status = (enum sj_bail_verdict_status)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

static const char *const face_names[] = {"unverified", "match", "mismatch", "no-face"};

const char *sj_bail_face_name(enum sj_bail_face face)
{
    return (unsigned)face < SJ_ARRAY_LEN(face_names) ? face_names[face] : "unverified";
}

/* ---- Parameters and the default verifier ----------------------------------------------------- */

void sj_bail_params_init(struct sj_bail_params *p)
{
    memset(p, 0, sizeof *p);
    p->fence.confirm_count = 3;
    p->fence.confirm_dwell_ms = 5 * SJ_BAIL_MINUTE_MS;
    p->max_speed_kmh = 300.0;
    p->future_skew_ms = 2 * SJ_BAIL_MINUTE_MS;
    p->max_fix_age_ms = 72 * 60 * SJ_BAIL_MINUTE_MS;
    p->missed_grace_ms = 15 * SJ_BAIL_MINUTE_MS;
    p->silent_after_ms = 6 * 60 * SJ_BAIL_MINUTE_MS;
    p->leave_grace_ms = 2 * 60 * SJ_BAIL_MINUTE_MS;
    p->leave_radius_m = 2000.0;
    p->escalate_after_ms = 30 * SJ_BAIL_MINUTE_MS;
    p->enrol_code_ttl_ms = 15 * SJ_BAIL_MINUTE_MS;
    p->spot_deadline_ms = 30 * SJ_BAIL_MINUTE_MS;
}

static int unverified(void *ctx, int64_t subject_id, struct sj_str photo, enum sj_bail_face *result,
                      double *score, struct sj_err *err)
{
    *result = SJ_BAIL_FACE_UNVERIFIED;
    *score = -1.0;
    return 0;
}

static const struct sj_bail_face_verifier default_verifier = {"none", unverified, NULL};

const struct sj_bail_face_verifier *sj_bail_face_default(void)
{
    return &default_verifier;
}

/* ---- Geometry helpers ------------------------------------------------------------------------ */

double sj_bail_speed_kmh(const struct sj_bail_fix *a, const struct sj_bail_fix *b)
{
    double d = sj_geo_distance_m(a->pos, b->pos);
    d -= fmax(a->accuracy_m, 0.0) + fmax(b->accuracy_m, 0.0);
    if (!(d > 0.0))
        return 0.0;
    int64_t dt = b->fix_ms - a->fix_ms;
    if (dt <= 0)
        return INFINITY;
    return d / 1000.0 / ((double)dt / 3600000.0);
}

enum sj_fence_rel sj_bail_allowed_rel(const struct sj_fence *fences, size_t count,
                                      const struct sj_bail_fix *fix, int64_t *fence_id)
{
    enum sj_fence_rel best = SJ_FENCE_OUTSIDE;
    int64_t id = 0;
    for (size_t i = 0; i < count && best != SJ_FENCE_INSIDE; i++) {
        if (fences[i].kind != SJ_FENCE_ALLOWED)
            continue;
        enum sj_fence_rel rel = sj_fence_judge(&fences[i], fix->pos, fix->accuracy_m);
        if (rel > best) {
            best = rel;
            id = fences[i].id;
        }
    }
    if (fence_id)
        *fence_id = id;
    return best;
}

/* ---- Judging --------------------------------------------------------------------------------- */

static void raise(struct sj_bail_verdict *v, enum sj_bail_alert_kind kind, const char *fmt, ...)
    SJ_PRINTF(3, 4);

static void raise(struct sj_bail_verdict *v, enum sj_bail_alert_kind kind, const char *fmt, ...)
{
    if (v->alert_count >= SJ_BAIL_VERDICT_ALERTS_MAX)
        return;
    struct sj_bail_raise *r = &v->alerts[v->alert_count++];
    r->kind = kind;
    r->severity = sj_bail_alert_severity(kind);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
}

static void flag(struct sj_bail_verdict *v, unsigned f, enum sj_bail_verdict_status at_least)
{
    v->flags |= f;
    if (at_least > v->status)
        v->status = at_least;
}

/* The place: allowed fences and the destinations of leaves in force at the fix time. */
static void judge_place(const struct sj_bail_judge_input *in, struct sj_bail_verdict *v)
{
    const struct sj_bail_fix *fix = &in->fix;
    bool has_allowed = false, is_on_leave = false;
    for (size_t i = 0; i < in->fence_count; i++)
        has_allowed |= in->fences[i].kind == SJ_FENCE_ALLOWED;
    v->place = sj_bail_allowed_rel(in->fences, in->fence_count, fix, &v->place_fence_id);
    for (size_t i = 0; i < in->leave_count; i++) {
        const struct sj_bail_leave_window *l = &in->leaves[i];
        if (!l->fence || fix->fix_ms < l->start_ms || fix->fix_ms >= l->end_ms)
            continue;
        is_on_leave = true;
        enum sj_fence_rel rel = sj_fence_judge(l->fence, fix->pos, fix->accuracy_m);
        if (rel == SJ_FENCE_INSIDE)
            v->flags |= SJ_BAIL_FLAG_ON_LEAVE;
        if (rel > v->place || (rel == SJ_FENCE_INSIDE && v->leave_id == 0)) {
            v->place = rel > v->place ? rel : v->place;
            v->leave_id = l->leave_id;
        }
    }
    if (!has_allowed && !is_on_leave) {
        v->place = SJ_FENCE_UNCERTAIN;
        flag(v, SJ_BAIL_FLAG_NO_FENCE, SJ_BAIL_FLAGGED);
    } else if (v->place == SJ_FENCE_OUTSIDE) {
        flag(v, SJ_BAIL_FLAG_OUTSIDE, SJ_BAIL_FLAGGED);
        raise(v, SJ_BAIL_ALERT_FENCE_BREACH,
              is_on_leave ? "外出期间打卡位置不在目的地或活动区域内"
                          : "打卡位置不在允许的活动区域内");
    } else if (v->place == SJ_FENCE_UNCERTAIN) {
        flag(v, SJ_BAIL_FLAG_UNCERTAIN_PLACE, SJ_BAIL_FLAGGED);
    }
}

/* Forbidden fences: the first one the fix is inside raises an alert. */
static void judge_forbidden(const struct sj_bail_judge_input *in, struct sj_bail_verdict *v)
{
    const struct sj_bail_fix *fix = &in->fix;
    for (size_t i = 0; i < in->fence_count; i++) {
        const struct sj_fence *f = &in->fences[i];
        if (f->kind != SJ_FENCE_FORBIDDEN)
            continue;
        enum sj_fence_rel rel = sj_fence_judge(f, fix->pos, fix->accuracy_m);
        if (rel == SJ_FENCE_OUTSIDE)
            continue;
        v->forbidden_fence_id = f->id;
        if (rel == SJ_FENCE_INSIDE) {
            flag(v, SJ_BAIL_FLAG_FORBIDDEN, SJ_BAIL_FLAGGED);
            raise(v, SJ_BAIL_ALERT_FORBIDDEN_ENTRY, "打卡位置在禁入区域（围栏 %lld）内",
                  (long long)f->id);
            break;
        }
        flag(v, SJ_BAIL_FLAG_UNCERTAIN_PLACE, SJ_BAIL_FLAGGED);
    }
}

/* The slot the fix time falls in: the one ending first (a spot check before the day's
 * window). A late upload is one received after that slot ended. */
static void judge_slot(const struct sj_bail_judge_input *in, struct sj_bail_verdict *v)
{
    const struct sj_bail_slot *best = NULL;
    for (size_t i = 0; i < in->slot_count; i++) {
        const struct sj_bail_slot *s = &in->slots[i];
        if (in->fix.fix_ms >= s->start_ms && in->fix.fix_ms < s->end_ms &&
            (!best || s->end_ms < best->end_ms))
            best = s;
    }
    if (!best) {
        v->flags |= SJ_BAIL_FLAG_NO_SLOT;
        return;
    }
    v->has_slot = true;
    v->slot = *best;
    if (in->received_ms >= best->end_ms)
        flag(v, SJ_BAIL_FLAG_LATE_UPLOAD, SJ_BAIL_FLAGGED);
}

static void judge_speed(const struct sj_bail_judge_input *in, const struct sj_bail_params *p,
                        struct sj_bail_verdict *v)
{
    if (!in->has_previous)
        return;
    const struct sj_bail_fix *a = &in->previous, *b = &in->fix;
    if (a->fix_ms > b->fix_ms) {
        const struct sj_bail_fix *t = a;
        a = b;
        b = t;
    }
    v->speed_kmh = sj_bail_speed_kmh(a, b);
    if (v->speed_kmh > p->max_speed_kmh) {
        flag(v, SJ_BAIL_FLAG_IMPOSSIBLE_SPEED, SJ_BAIL_FLAGGED);
        double km = sj_geo_distance_m(a->pos, b->pos) / 1000.0;
        raise(v, SJ_BAIL_ALERT_IMPOSSIBLE_TRAVEL, "%lld 秒内移动 %.1f 公里，超过 %.0f 公里/小时",
              (long long)((b->fix_ms - a->fix_ms) / 1000), km, p->max_speed_kmh);
    }
}

static void judge_face(const struct sj_bail_judge_input *in, struct sj_bail_verdict *v)
{
    const struct sj_bail_face_verifier *f = in->face ? in->face : sj_bail_face_default();
    enum sj_bail_face result = SJ_BAIL_FACE_UNVERIFIED;
    double score = -1.0;
    struct sj_err err;
    sj_err_clear(&err);
    if (!f->verify || f->verify(f->ctx, in->subject_id, in->photo, &result, &score, &err) < 0) {
        result = SJ_BAIL_FACE_UNVERIFIED;
        score = -1.0;
    }
    v->face = result;
    v->face_score = score;
    switch (result) {
    case SJ_BAIL_FACE_MATCH:
        break;
    case SJ_BAIL_FACE_MISMATCH:
        flag(v, SJ_BAIL_FLAG_FACE_MISMATCH, SJ_BAIL_REJECTED);
        raise(v, SJ_BAIL_ALERT_FACE_MISMATCH, "打卡照片与登记人脸不一致（疑似代签）");
        break;
    case SJ_BAIL_FACE_NO_FACE:
        flag(v, SJ_BAIL_FLAG_FACE_UNVERIFIED, SJ_BAIL_FLAGGED);
        break;
    default:
        v->flags |= SJ_BAIL_FLAG_FACE_UNVERIFIED;
        break;
    }
}

/* Refusals decided before anything else is looked at. Returns true when refused. */
static bool judge_refusals(const struct sj_bail_judge_input *in, const struct sj_bail_params *p,
                           struct sj_bail_verdict *v)
{
    const struct sj_bail_fix *fix = &in->fix;
    if (!sj_geo_is_valid(fix->pos) || !(fix->accuracy_m >= 0.0) || !isfinite(fix->accuracy_m))
        flag(v, SJ_BAIL_FLAG_BAD_POSITION, SJ_BAIL_REJECTED);
    else if (fix->fix_ms > in->received_ms + p->future_skew_ms)
        flag(v, SJ_BAIL_FLAG_FUTURE, SJ_BAIL_REJECTED);
    else if (in->received_ms - fix->fix_ms > p->max_fix_age_ms)
        flag(v, SJ_BAIL_FLAG_TOO_OLD, SJ_BAIL_REJECTED);
    else if (fix->is_mock) {
        flag(v, SJ_BAIL_FLAG_MOCK_LOCATION, SJ_BAIL_REJECTED);
        raise(v, SJ_BAIL_ALERT_MOCK_LOCATION, "打卡时手机报告正在使用虚拟定位");
    }
    return v->status == SJ_BAIL_REJECTED;
}

static void write_reason(struct sj_bail_verdict *v)
{
    static const char *const heads[] = {"已接受", "已接受，需复核", "未通过"};
    size_t n = (size_t)snprintf(v->reason, sizeof v->reason, "%s", heads[v->status]);
    const char *sep = "：";
    for (unsigned i = 0; i < SJ_BAIL_FLAG_COUNT && n < sizeof v->reason; i++) {
        unsigned bit = 1u << i;
        if (!(v->flags & bit) || bit == SJ_BAIL_FLAG_NO_SLOT || bit == SJ_BAIL_FLAG_ON_LEAVE)
            continue;
        if (bit == SJ_BAIL_FLAG_FACE_UNVERIFIED && v->status == SJ_BAIL_ACCEPTED)
            continue; /* said by the face field; not a reason to look */
        int k = snprintf(v->reason + n, sizeof v->reason - n, "%s%s", sep, flags[i].label);
        if (k < 0 || (size_t)k >= sizeof v->reason - n)
            break; /* keep whole labels only */
        n += (size_t)k;
        sep = "；";
    }
}

int sj_bail_judge_checkin(const struct sj_bail_judge_input *in, struct sj_bail_verdict *out)
{
    if (!in || !out || (in->fence_count && !in->fences) || (in->leave_count && !in->leaves) ||
        (in->slot_count && !in->slots))
        return SJ_EINVAL;
    struct sj_bail_params defaults;
    sj_bail_params_init(&defaults);
    const struct sj_bail_params *p = in->params ? in->params : &defaults;
    memset(out, 0, sizeof *out);
    out->speed_kmh = -1.0;
    out->face_score = -1.0;
    if (!judge_refusals(in, p, out)) {
        judge_place(in, out);
        judge_forbidden(in, out);
        judge_speed(in, p, out);
        judge_slot(in, out);
        judge_face(in, out);
    }
    if (out->status == SJ_BAIL_REJECTED) {
        out->has_slot = false;
        memset(&out->slot, 0, sizeof out->slot);
    }
    write_reason(out);
    return 0;
}
