/*
 * bail_acts.c - what the people of the bail demo do, each through the operations of
 * shujian/bail_ops.h with the simulated time as who->now_ms (src/demo/bail_int.h): the
 * prosecutor registers a subject with its fences, schedules and phone; the phone uploads its
 * trail and checks in; officers issue spot checks, decide leave requests, bind new phones and
 * end supervisions. Fences are drawn in GCJ-02 (as on an AMap screen), phones report in their
 * own datum; the library converts. A failing operation stops the run with its error.
 */
#include <stdio.h>
#include <string.h>

#include "demo/bail_int.h"

struct sj_bail_actor bd_officer_actor(const struct bd_sim *sim, int officer, int64_t now_ms)
{
    const struct bd_officer *o = &sim->officers[officer];
    struct sj_bail_actor who = {.user_id = o->id,
                                .name = o->name,
                                .office_id = o->office_id,
                                .office = o->office,
                                .from = "demo-bail",
                                .now_ms = now_ms};
    return who;
}

struct sj_bail_actor bd_phone_actor(const struct bd_sim *sim, const struct bd_subject *s,
                                    int64_t now_ms)
{
    struct sj_bail_actor who = {.device_id = s->device.id,
                                .office_id = sim->offices[s->office].id,
                                .office = sim->offices[s->office].code,
                                .from = "demo-bail",
                                .now_ms = now_ms};
    return who;
}

struct sj_bail_actor bd_system_actor(int64_t now_ms)
{
    struct sj_bail_actor who = {.now_ms = now_ms};
    return who;
}

int bd_handler(const struct bd_subject *s)
{
    return s->police >= 0 ? s->police : s->prosecutor;
}

static const char *const phone_models[] = {"华为 Mate 60", "小米 14",     "OPPO Reno11",
                                           "vivo X100",    "荣耀 Magic6", "iPhone 15",
                                           "红米 Note 13", "华为 nova 12"};

/* A circle fence drawn on a GCJ-02 map around p (WGS-84). */
static int add_circle(struct bd_sim *sim, const struct sj_bail_actor *who, int64_t subject_id,
                      const char *group, enum sj_fence_kind kind, const char *name,
                      struct sj_geo_point p, double radius_m)
{
    char json[160];
    struct sj_geo_point g = p;
    sj_geo_convert(SJ_DATUM_WGS84, SJ_DATUM_GCJ02, p, &g);
    snprintf(json, sizeof json, "{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f],\"radius\":%.0f}",
             g.lon, g.lat, radius_m);
    struct sj_bail_fence_new in = {.office_id = who->office_id,
                                   .subject_id = subject_id,
                                   .group = group,
                                   .kind = kind,
                                   .name = name,
                                   .geojson = sj_str_from_cstr(json),
                                   .datum = SJ_DATUM_GCJ02};
    int64_t id = 0;
    int rc = sj_bail_fence_add(&sim->env, who, &in, &id, sim->err);
    sim->stats->fences += rc == 0;
    return rc;
}

/* Enrols a phone (officer) and binds it (the phone, a few minutes later). */
static int bind_phone(struct bd_sim *sim, struct bd_subject *s, int officer, int64_t now_ms)
{
    char code[SJ_BAIL_ENROL_CODE_LEN + 1], token[SJ_BAIL_DEVICE_TOKEN_LEN + 1], install[40];
    int64_t device_id = 0;
    struct sj_bail_actor who = bd_officer_actor(sim, officer, now_ms);
    int rc = sj_bail_device_enrol(&sim->env, &who, s->id, code, &device_id, sim->err);
    if (rc < 0)
        return rc;
    uint64_t h =
        demo_hash(sim->opts->seed ^ 0x1D5u, (uint64_t)s->index * 16u + (uint64_t)s->phones);
    snprintf(install, sizeof install, "demo-%016llx", (unsigned long long)h);
    struct sj_bail_actor phone = {
        .office = who.office, .from = "demo-bail", .now_ms = now_ms + 7 * BD_MIN_MS};
    struct sj_bail_device d = {0};
    rc = sj_bail_device_bind(&sim->env, &phone, sj_str_from_cstr(code), install,
                             phone_models[h % SJ_ARRAY_LEN(phone_models)], token, &d, sim->err);
    if (rc < 0)
        return rc;
    if (s->has_device)
        sj_bail_device_release(&s->device);
    s->device = d;
    s->has_device = true;
    s->phones++;
    s->last_fix_ms = phone.now_ms;
    sim->stats->devices++;
    return 0;
}

static int add_schedule(struct bd_sim *sim, const struct sj_bail_actor *who, int64_t id,
                        enum sj_bail_schedule_kind kind, int start, int end, unsigned weekdays)
{
    struct sj_bail_schedule sc = {.kind = kind,
                                  .start_min = start,
                                  .end_min = end,
                                  .weekdays = weekdays ? weekdays : SJ_BAIL_WEEKDAYS_ALL};
    int64_t sid = 0;
    int rc = sj_bail_schedule_add(&sim->env, who, id, &sc, &sid, sim->err);
    sim->stats->schedules += rc == 0;
    return rc;
}

static int group_fence(struct bd_sim *sim, struct bd_subject *s, const struct sj_bail_actor *who)
{
    struct bd_office *o = &sim->offices[s->office];
    const struct bd_place *h = &bd_counties[s->county].hotspot;
    char name[96];
    snprintf(name, sizeof name, "%s%s（涉赌人员禁入）", bd_counties[s->county].name, h->name);
    int rc = 0;
    if (!o->has_group_fence)
        rc = add_circle(sim, who, 0, "涉赌人员", SJ_FENCE_FORBIDDEN, name,
                        (struct sj_geo_point){h->lat, h->lon}, 400.0);
    o->has_group_fence = rc == 0;
    return rc < 0 ? rc : sj_bail_group_add(&sim->env, who, "涉赌人员", s->id, sim->err);
}

static int add_subject(struct bd_sim *sim, struct bd_subject *s, const struct sj_bail_actor *who)
{
    char start[11], end[11];
    /* Six months for a third of them, twelve (the legal most) for the rest; a six-month bail
     * that would have run out before the history ends is a twelve-month one, so nobody is
     * still supervised after their bail ended unless the simulation ends them. */
    int64_t length = s->index % 3 == 0 ? 182 : 364;
    if (s->bail_start_day + length <= sim->last_day + 14)
        length = 364;
    sj_bail_day_format(s->bail_start_day, start);
    sj_bail_day_format(s->bail_start_day + length, end);
    struct sj_bail_subject_new in = {
        .office_id = sim->offices[s->office].id,
        .name = s->person.name,
        .id_number = s->person.id,
        .phone = s->phone,
        .residence = s->residence,
        .crime_type = s->crime,
        .case_number = s->case_number,
        .prosecutor_id = sim->officers[s->prosecutor].id,
        .police_id = s->police >= 0 ? sim->officers[s->police].id : 0,
        .bail_start = start,
        .bail_end = end,
    };
    int rc = sj_bail_subject_add(&sim->env, who, &in, &s->id, sim->err);
    sim->stats->subjects += rc == 0;
    return rc;
}

int bd_register(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms)
{
    struct sj_bail_actor who = bd_officer_actor(sim, s->prosecutor, now_ms);
    int rc = add_subject(sim, s, &who);
    if (rc == 0)
        rc = add_circle(sim, &who, s->id, NULL, SJ_FENCE_ALLOWED, "居住地活动区域", s->home,
                        s->fence_r);
    if (rc == 0 && s->has_zone)
        rc = add_circle(sim, &who, s->id, NULL, SJ_FENCE_FORBIDDEN, s->zone_name, s->zone, 300.0);
    if (rc == 0 && s->in_group)
        rc = group_fence(sim, s, &who);
    if (rc == 0)
        rc = add_schedule(sim, &who, s->id, SJ_BAIL_SCHEDULE_DAILY, s->window_start, s->window_end,
                          0);
    if (rc == 0 && s->has_weekly)
        rc = add_schedule(sim, &who, s->id, SJ_BAIL_SCHEDULE_WEEKLY, s->weekly_start, s->weekly_end,
                          s->weekdays);
    if (rc == 0)
        rc = bind_phone(sim, s, s->prosecutor, now_ms + 5 * BD_MIN_MS);
    s->is_active = rc == 0;
    return rc;
}

int bd_upload(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms)
{
    struct sj_bail_fix fixes[SJ_BAIL_POSITIONS_MAX];
    if (!s->is_active || !s->has_device || bd_episode_at(s, BD_EP_SILENT, now_ms))
        return 0;
    size_t n = bd_fixes(sim, s, s->last_fix_ms, now_ms, fixes, SJ_ARRAY_LEN(fixes));
    s->last_fix_ms = now_ms;
    if (n == 0)
        return 0;
    size_t stored = 0;
    struct sj_bail_actor who = bd_phone_actor(sim, s, now_ms);
    int rc =
        sj_bail_positions_add(&sim->env, &who, &s->device, fixes, n, s->datum, &stored, sim->err);
    sim->stats->positions += (long)stored;
    return rc;
}

/* What the simulated face verifier answers for the next check-in. */
static void face_for(struct bd_sim *sim, const struct bd_subject *s, int style, int64_t t)
{
    uint64_t h = demo_hash(sim->opts->seed ^ 0xFACEu, (uint64_t)s->index * 7919u + (uint64_t)t);
    sim->face.next = style == BD_CI_MISMATCH ? SJ_BAIL_FACE_MISMATCH
                     : style == BD_CI_NOFACE ? SJ_BAIL_FACE_NO_FACE
                                             : SJ_BAIL_FACE_MATCH;
    sim->face.score = style == BD_CI_NOFACE     ? -1.0
                      : style == BD_CI_MISMATCH ? 0.18 + (double)(h % 20) / 100.0
                                                : 0.80 + (double)(h % 18) / 100.0;
}

int bd_checkin(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms, int style, int64_t fix_ms)
{
    if (!s->is_active || !s->has_device || bd_episode_at(s, BD_EP_SILENT, now_ms))
        return 0;
    uint64_t h = demo_hash(sim->opts->seed ^ 0xC4Eu, (uint64_t)now_ms);
    int64_t t = style == BD_CI_LATE_UPLOAD ? fix_ms : now_ms - (int64_t)(5 + h % 40) * 1000;
    struct sj_bail_fix fix = bd_checkin_fix(sim, s, t);
    char key[64], photo[96];
    snprintf(key, sizeof key, "ck-%lld-%lld", (long long)s->id, (long long)t);
    int len = snprintf(photo, sizeof photo, "\xFF\xD8 demo photo %lld %lld \xFF\xD9",
                       (long long)s->id, (long long)t);
    struct sj_bail_checkin_request req = {.idem_key = key,
                                          .fix_ms = t,
                                          .lat = fix.pos.lat,
                                          .lon = fix.pos.lon,
                                          .accuracy_m = fix.accuracy_m,
                                          .datum = s->datum,
                                          .is_mock = fix.is_mock || style == BD_CI_MOCK,
                                          .photo = {photo, (size_t)len}};
    face_for(sim, s, style, t);
    struct sj_bail_actor who = bd_phone_actor(sim, s, now_ms);
    struct sj_bail_checkin_result res = {0};
    int rc = sj_bail_checkin_submit(&sim->env, &who, &s->device, &req, &res, sim->err);
    sj_bail_checkin_result_release(&res);
    if (rc == 0 && style == BD_CI_RETRY) {
        who.now_ms += 20 * 1000;
        rc = sj_bail_checkin_submit(&sim->env, &who, &s->device, &req, &res, sim->err);
        sj_bail_checkin_result_release(&res);
    }
    sim->stats->checkins += rc == 0;
    return rc;
}

int bd_spot(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms)
{
    if (!s->is_active)
        return 0;
    int64_t id = 0;
    struct sj_bail_actor who = bd_officer_actor(sim, bd_handler(s), now_ms);
    int rc = sj_bail_spot_issue(&sim->env, &who, s->id, 0, &id, sim->err);
    sim->stats->spots += rc == 0;
    return rc;
}

static const char *const leave_reasons[] = {"赴外地医院就医复查", "探望住院的母亲",
                                            "参加亲属婚礼",       "处理劳动仲裁事宜",
                                            "回户籍地办理证件",   "陪同子女参加考试"};

int bd_leave_submit(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms)
{
    if (!s->is_active || !s->has_device)
        return 0;
    const struct bd_place *p = &bd_destinations[s->leave.destination];
    struct sj_geo_point g = {p->lat, p->lon};
    sj_geo_convert(SJ_DATUM_WGS84, SJ_DATUM_GCJ02, g, &g);
    struct sj_bail_leave_request req = {
        .destination = p->name,
        .reason = leave_reasons[demo_hash(sim->opts->seed, (uint64_t)s->index) %
                                SJ_ARRAY_LEN(leave_reasons)],
        .pos = g,
        .datum = SJ_DATUM_GCJ02,
        .start_ms = s->leave.start_ms,
        .end_ms = s->leave.end_ms};
    struct sj_bail_actor who = bd_phone_actor(sim, s, now_ms);
    int rc = sj_bail_leave_submit(&sim->env, &who, s->id, &req, &s->leave.id, sim->err);
    sim->stats->leaves += rc == 0;
    return rc;
}

int bd_leave_decide(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms)
{
    if (!s->leave.id)
        return 0;
    bool is_approved = s->leave.kind != BD_LEAVE_REJECTED;
    const char *note = is_approved
                           ? (s->index % 2 ? "经核实情况属实，同意外出，须按时返回。"
                                           : "同意外出，外出期间保持通讯畅通，随传随到。")
                           : (s->index % 2 ? "案件处于审查起诉阶段，外出理由不充分，不予批准。"
                                           : "外出期间无法保证随传随到，不予批准。");
    struct sj_bail_actor who = bd_officer_actor(sim, bd_handler(s), now_ms);
    return sj_bail_leave_decide(&sim->env, &who, s->leave.id, is_approved, note, sim->err);
}

int bd_phone_change(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms)
{
    if (!s->is_active)
        return 0;
    return bind_phone(sim, s, bd_handler(s), now_ms);
}

int bd_status(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms)
{
    if (!s->is_active)
        return 0;
    bool is_end = s->status_to == SJ_BAIL_ENDED;
    const char *note = is_end ? (s->index % 2 ? "案件已作出判决，依法解除取保候审。"
                                              : "变更强制措施，解除取保候审监管。")
                              : "因病住院治疗，经审批暂停电子监管。";
    struct sj_bail_actor who = bd_officer_actor(sim, s->prosecutor, now_ms);
    int rc = sj_bail_subject_set_status(&sim->env, &who, s->id, s->status_to, note, sim->err);
    if (rc == 0 && !is_end && s->has_device)
        rc = sj_bail_device_revoke(&sim->env, &who, s->device.id, sim->err);
    s->is_active = false;
    return rc;
}
