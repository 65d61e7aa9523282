/*
 * api_bail_lists.c - what the bail pages read and a few officer actions (docs/API.md "Bail"):
 * the leave queue, the roster calendar, a subject's check-in history with its judgement, a
 * leave request on a subject's behalf, face enrolment (the template never leaves the server),
 * the risk colour with the alerts and ledger entries behind each point, the officers of the
 * scope (for pickers), and what the phone shows its subject (next window, own risk).
 * Invariant: every record is checked against the caller's office scope; what is outside it is
 * 404, exactly like a record that does not exist.
 */
#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/api_bail.h"
#include "http/platform_int.h"
#include "shujian/bail_stats.h"
#include "shujian/face.h"
#include "shujian/identity.h"

#define DAY_MS 86400000LL

/* ?limit in [1, max], default def. */
static int read_limit(struct sj_http_ctx *ctx, int64_t def, int64_t max, size_t *out)
{
    int64_t v = def;
    if (sj_http_bail_query_int(ctx, "limit", def, &v) < 0)
        return SJ_EINVAL;
    if (v < 1 || v > max)
        return sj_http_error(ctx, 400, "INVALID_QUERY", "参数“limit”应为 1 至 %lld",
                             (long long)max);
    *out = (size_t)v;
    return 0;
}

/* ---- Leaves ------------------------------------------------------------------------------------
 */

/* One leave of the queue with its subject's office and name, or NULL when its office is not
 * in scope. */
static json_t *queue_leave(struct sj_http_ctx *ctx, struct sj_office_set scope, int64_t id)
{
    struct sj_bail_leave l;
    struct sj_bail_subject s;
    if (sj_bail_leave_get(ctx->store, id, &l, NULL) < 0)
        return NULL;
    json_t *o = NULL;
    if (sj_bail_subject_get(ctx->store, l.subject_id, &s, NULL) == 0) {
        if (sj_http_scope_has(scope, s.office_id)) {
            o = sj_http_bail_leave_json(&l);
            json_object_set_new(o, "office_id", json_integer(s.office_id));
            json_object_set_new(o, "subject_name", json_string(s.name));
            json_object_set_new(o, "prosecutor_id", json_integer(s.prosecutor_id));
            json_object_set_new(o, "police_id", json_integer(s.police_id));
        }
        sj_bail_subject_release(&s);
    }
    sj_bail_leave_release(&l);
    return o;
}

int sj_http_bail_get_leaves(struct sj_http_ctx *ctx)
{
    static const char *const names[] = {"submitted", "approved", "rejected"};
    struct sj_office_set scope;
    const char *status_text = sj_http_query(ctx, "status");
    int status = -1;
    int64_t subject_id = 0, *ids = NULL;
    size_t limit = 0, count = 0;
    struct sj_err err;
    sj_err_clear(&err);
    for (int i = 0; status_text && i < 3; i++)
        if (strcmp(status_text, names[i]) == 0)
            status = i;
    if (status_text && status < 0)
        return sj_http_error(ctx, 400, "INVALID_QUERY",
                             "未知的外出申请状态“%s”（可选 submitted、approved、rejected）",
                             status_text);
    if (sj_http_scope(ctx, &scope) < 0)
        return SJ_EPERM;
    if (sj_http_bail_query_int(ctx, "subject_id", 0, &subject_id) < 0 ||
        read_limit(ctx, 1000, 1000, &limit) < 0)
        return SJ_EINVAL;
    /* Out-of-scope rows are dropped after the query, so read a few more to fill the page. */
    if (sj_store_bail_leave_ids(ctx->store, status, subject_id, limit * 4, &ids, &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *leaves = json_array();
    for (size_t i = 0; i < count && json_array_size(leaves) < limit; i++) {
        json_t *o = queue_leave(ctx, scope, ids[i]);
        if (o)
            json_array_append_new(leaves, o);
    }
    free(ids);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "leaves", leaves));
}

int sj_http_bail_post_leave(struct sj_http_ctx *ctx)
{
    struct sj_bail_leave_request req = {.datum = SJ_DATUM_GCJ02};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    int64_t subject_id = 0;
    if (sj_http_bail_subject_id(ctx, &subject_id) < 0)
        return SJ_ENOTFOUND;
    if (sj_http_bail_read_leave(ctx, &req) < 0 || sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    return sj_http_bail_submit_leave(ctx, &env, &who, subject_id, &req);
}

/* ---- Roster ------------------------------------------------------------------------------------
 */

int sj_http_bail_get_roster(struct sj_http_ctx *ctx)
{
    struct sj_office_set scope;
    struct sj_bail_shift *list = NULL;
    size_t count = 0;
    int64_t from = 0, to = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int64_t today = sj_bail_day_start(sj_bail_local_day(sj_http_now_ms()));
    if (sj_http_scope(ctx, &scope) < 0)
        return SJ_EPERM;
    if (sj_http_bail_query_range(ctx, today, today + 31 * DAY_MS, &from, &to) < 0)
        return SJ_EINVAL;
    if (sj_store_bail_roster_list(ctx->store, scope.count == 1 ? scope.ids[0] : 0, from, to, &list,
                                  &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *shifts = json_array();
    for (size_t i = 0; i < count; i++) {
        const struct sj_bail_shift *s = &list[i];
        if (!sj_http_scope_has(scope, s->office_id))
            continue;
        json_array_append_new(shifts,
                              json_pack("{s:I, s:I, s:I, s:s, s:I, s:I}", "id", (json_int_t)s->id,
                                        "office_id", (json_int_t)s->office_id, "user_id",
                                        (json_int_t)s->user_id, "display_name",
                                        s->display_name ? s->display_name : "", "start_ms",
                                        (json_int_t)s->start_ms, "end_ms", (json_int_t)s->end_ms));
    }
    sj_bail_shifts_free(list, count);
    return sj_http_reply(ctx, 200,
                         json_pack("{s:I, s:I, s:o}", "from_ms", (json_int_t)from, "to_ms",
                                   (json_int_t)to, "shifts", shifts));
}

/* ---- Check-in history --------------------------------------------------------------------------
 */

static json_t *flag_names(unsigned flags)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < SJ_BAIL_FLAG_COUNT; i++)
        if (flags & (1u << i))
            json_array_append_new(a, json_string(sj_bail_flag_name(i)));
    return a;
}

/* A member of the stored answer, or JSON null. */
static json_t *answer_member(json_t *answer, const char *key)
{
    json_t *v = json_object_get(answer, key);
    return v ? json_incref(v) : json_null();
}

static json_t *checkin_json(const struct sj_bail_checkin_row *c)
{
    json_t *answer = c->answer ? json_loads(c->answer, 0, NULL) : NULL;
    json_t *o = json_pack(
        "{s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:s, s:s, s:o, s:o, s:b, s:s, s:o, s:o, s:o, s:I, "
        "s:I}",
        "id", (json_int_t)c->id, "device_id", (json_int_t)c->device_id, "fix_ms",
        (json_int_t)c->fix_ms, "received_ms", (json_int_t)c->received_ms, "lat", c->lat, "lon",
        c->lon, "accuracy_m", c->accuracy_m, "datum", c->datum, "status", c->status, "flags",
        flag_names(c->flags), "place", answer_member(answer, "place"), "is_late",
        (c->flags & SJ_BAIL_FLAG_LATE_UPLOAD) != 0, "face", c->face, "face_score",
        c->face_score < 0 ? json_null() : json_real(round(c->face_score * 1000) / 1000),
        "speed_kmh", answer_member(answer, "speed_kmh"), "reason", answer_member(answer, "reason"),
        "reviewed_by", (json_int_t)c->reviewed_by, "reviewed_at_ms", (json_int_t)c->reviewed_ms);
    json_object_set_new(o, "slot",
                        c->slot_kind[0] ? json_pack("{s:s, s:I, s:I}", "kind", c->slot_kind,
                                                    "start_ms", (json_int_t)c->slot_start_ms,
                                                    "end_ms", (json_int_t)c->slot_end_ms)
                                        : json_null());
    json_decref(answer);
    return o;
}

int sj_http_bail_get_checkins(struct sj_http_ctx *ctx)
{
    struct sj_bail_checkin_row *list = NULL;
    size_t count = 0, limit = 0;
    int64_t id = 0, from = 0, to = 0, now = sj_http_now_ms();
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_subject_id(ctx, &id) < 0)
        return SJ_ENOTFOUND;
    if (sj_http_bail_query_range(ctx, now - 30 * DAY_MS, now + DAY_MS, &from, &to) < 0 ||
        read_limit(ctx, 500, 5000, &limit) < 0)
        return SJ_EINVAL;
    if (sj_store_bail_checkin_list(ctx->store, id, from, to, limit, &list, &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *checkins = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(checkins, checkin_json(&list[i]));
    sj_bail_checkin_rows_free(list, count);
    return sj_http_reply(ctx, 200,
                         json_pack("{s:I, s:I, s:I, s:o}", "subject_id", (json_int_t)id, "from_ms",
                                   (json_int_t)from, "to_ms", (json_int_t)to, "checkins",
                                   checkins));
}

/* ---- Risk colour -------------------------------------------------------------------------------
 */

static json_t *risk_json(int64_t subject_id, const struct sj_bail_risk *r, int64_t now)
{
    json_t *reasons = json_array();
    for (size_t i = 0; i < r->reason_count; i++) {
        const struct sj_bail_risk_reason *x = &r->reasons[i];
        json_t *o =
            json_pack("{s:s, s:s, s:i, s:I, s:s, s:I}", "rule", x->rule, "text", x->text, "points",
                      x->points, "alert_id", (json_int_t)x->alert_id, "kind",
                      sj_bail_alert_kind_name(x->kind), "raised_at_ms", (json_int_t)x->raised_ms);
        if (x->ledger_index >= 0)
            json_object_set_new(o, "ledger_index", json_integer(x->ledger_index));
        json_array_append_new(reasons, o);
    }
    return json_pack("{s:I, s:s, s:s, s:i, s:I, s:o}", "subject_id", (json_int_t)subject_id,
                     "colour", sj_bail_colour_name(r->colour), "colour_label",
                     sj_bail_colour_label(r->colour), "score", r->score, "as_of_ms",
                     (json_int_t)now, "reasons", reasons);
}

/* The risk of subject subject_id as of now into *risk (release it with sj_bail_risk_release). */
static int risk_of(struct sj_http_ctx *ctx, int64_t subject_id, int64_t now,
                   struct sj_bail_risk *risk, struct sj_err *err)
{
    struct sj_bail_alert_fact *facts = NULL;
    size_t count = 0;
    int rc = sj_store_bail_alert_facts(ctx->store, 0, subject_id, now - SJ_BAIL_RISK_WINDOW_MS,
                                       INT64_MAX, true, &facts, &count, err);
    if (rc < 0)
        return rc;
    sj_bail_risk_compute(facts, count, now, risk);
    free(facts);
    return 0;
}

int sj_http_bail_get_risk(struct sj_http_ctx *ctx)
{
    struct sj_bail_risk risk;
    int64_t id = 0, now = sj_http_now_ms();
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_subject_id(ctx, &id) < 0)
        return SJ_ENOTFOUND;
    if (risk_of(ctx, id, now, &risk, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *body = json_pack("{s:o}", "risk", risk_json(id, &risk, now));
    sj_bail_risk_release(&risk);
    return sj_http_reply(ctx, 200, body);
}

int sj_http_bail_add_risk(struct sj_http_ctx *ctx, json_t *subjects)
{
    struct sj_bail_alert_fact *facts = NULL;
    size_t count = 0, k = 0, i;
    int64_t now = sj_http_now_ms();
    json_t *o;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_store_bail_alert_facts(ctx->store, 0, 0, now - SJ_BAIL_RISK_WINDOW_MS, INT64_MAX, true,
                                  &facts, &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    /* facts are ordered by subject, the register by id: one merge pass. */
    json_array_foreach(subjects, i, o)
    {
        int64_t id = (int64_t)json_integer_value(json_object_get(o, "id"));
        while (k < count && facts[k].subject_id < id)
            k++;
        size_t first = k;
        while (k < count && facts[k].subject_id == id)
            k++;
        struct sj_bail_risk risk;
        sj_bail_risk_compute(facts + first, k - first, now, &risk);
        json_object_set_new(o, "risk_colour", json_string(sj_bail_colour_name(risk.colour)));
        json_object_set_new(o, "risk_score", json_integer(risk.score));
        sj_bail_risk_release(&risk);
    }
    free(facts);
    return 0;
}

/* ---- Face enrolment ----------------------------------------------------------------------------
 */

/* The JPEG of the request: the body itself, or the file of a multipart form. */
static int read_photo(struct sj_http_ctx *ctx, struct sj_str *photo)
{
    const char *type = sj_http_header(ctx, "Content-Type");
    struct sj_str name;
    struct sj_err err;
    sj_err_clear(&err);
    *photo = ctx->req->body;
    if (type && strncasecmp(type, "multipart/form-data", 19) == 0 &&
        sj_http_multipart_file(ctx->req->body, type, &name, photo, &err) < 0)
        return sj_http_error(ctx, 400, "BAD_UPLOAD", "%s", err.message);
    if (type && strncasecmp(type, "application/json", 16) == 0)
        return sj_http_error(ctx, 415, "UNSUPPORTED_MEDIA_TYPE",
                             "请上传 JPEG 照片（image/jpeg 或 multipart/form-data）");
    if (photo->len == 0)
        return sj_http_error(ctx, 400, "BAD_UPLOAD", "没有收到照片");
    return 0;
}

static json_t *face_json(int64_t subject_id, const struct sj_face_template_rec *rec)
{
    if (!rec)
        return json_pack("{s:I, s:b}", "subject_id", (json_int_t)subject_id, "enrolled", false);
    return json_pack("{s:I, s:b, s:s, s:i, s:f, s:I}", "subject_id", (json_int_t)subject_id,
                     "enrolled", true, "model", rec->model, "face_side", rec->face_side,
                     "sharpness", round(rec->sharpness * 10) / 10, "enrolled_at_ms",
                     (json_int_t)rec->enrolled_ms);
}

int sj_http_bail_get_face(struct sj_http_ctx *ctx)
{
    struct sj_face_template_rec rec;
    int64_t id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_subject_id(ctx, &id) < 0)
        return SJ_ENOTFOUND;
    int rc = sj_store_face_template_get(ctx->store, id, &rec, &err);
    if (rc < 0 && rc != SJ_ENOTFOUND)
        return sj_http_fail(ctx, &err);
    json_t *face = face_json(id, rc == 0 ? &rec : NULL);
    sodium_memzero(&rec, sizeof rec);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "face", face));
}

/* 422 FACE_UNUSABLE naming the problem, as a JSON error with a "problem" member. */
static int unusable(struct sj_http_ctx *ctx, enum sj_face_problem problem)
{
    json_t *body =
        json_pack("{s:s, s:s, s:s}", "code", "FACE_UNUSABLE", "message",
                  sj_face_problem_reason(problem), "problem", sj_face_problem_name(problem));
    sj_http_reply(ctx, 422, body);
    return SJ_EINVAL;
}

/* Answers a failed enrolment: the key's problems are 503 FACE_KEY_MISSING, the rest as usual. */
static int enrol_failed(struct sj_http_ctx *ctx, int rc, const struct sj_err *err)
{
    if (rc == SJ_EIO || rc == SJ_EPERM || rc == SJ_EFORMAT) {
        SJ_WARN("face enrolment: %s", err->message);
        return sj_http_error(ctx, 503, "FACE_KEY_MISSING",
                             "服务器无法读取人脸模板密钥（keys/face.key），请联系管理员"),
               rc;
    }
    return sj_http_bail_fail(ctx, err), rc;
}

int sj_http_bail_post_face(struct sj_http_ctx *ctx)
{
    struct sj_face_probe probe;
    struct sj_str photo;
    struct sj_bail_env env;
    struct sj_bail_actor who;
    struct sj_face_template_rec rec;
    bool is_replaced = false;
    int64_t id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_subject_id(ctx, &id) < 0)
        return SJ_ENOTFOUND;
    if (read_photo(ctx, &photo) < 0)
        return SJ_EINVAL;
    const struct sj_face_model *model = sj_http_bail_face_model();
    if (!model)
        return sj_http_error(ctx, 503, "FACE_MODEL_MISSING",
                             "服务器未安装人脸识别模型，暂不能登记人脸");
    if (sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    memset(&probe, 0, sizeof probe);
    int rc = sj_face_probe_jpeg(model, (const uint8_t *)photo.ptr, photo.len, &probe, &err);
    if (rc < 0)
        return sj_http_fail(ctx, &err);
    if (probe.problem != SJ_FACE_USABLE)
        return unusable(ctx, probe.problem);
    rc = sj_bail_face_enrol(&env, &who, id, &probe, photo, &is_replaced, &err);
    sodium_memzero(probe.descriptor, sizeof probe.descriptor);
    if (rc < 0)
        return enrol_failed(ctx, rc, &err);
    if (sj_store_face_template_get(ctx->store, id, &rec, &err) < 0)
        return sj_http_fail(ctx, &err);
    json_t *face = face_json(id, &rec);
    sodium_memzero(&rec, sizeof rec);
    json_object_set_new(face, "replaced", json_boolean(is_replaced));
    return sj_http_reply(ctx, 201, json_pack("{s:o}", "face", face));
}

/* ---- Officers (for the pickers of the roster and the register) ---------------------------------
 */

int sj_http_bail_get_officers(struct sj_http_ctx *ctx)
{
    struct sj_office_set scope;
    struct sj_user *list = NULL;
    size_t count = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_scope(ctx, &scope) < 0)
        return SJ_EPERM;
    if (sj_user_list(ctx->store, sj_http_user(ctx)->office_id, &list, &count, &err) < 0)
        return sj_http_fail(ctx, &err);
    json_t *officers = json_array();
    for (size_t i = 0; i < count; i++) {
        const struct sj_user *u = &list[i];
        if (u->is_disabled || !sj_http_scope_has(scope, u->office_id) ||
            (u->role != SJ_ROLE_PROSECUTOR && u->role != SJ_ROLE_POLICE))
            continue;
        json_array_append_new(officers,
                              json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)u->id,
                                        "display_name", u->display_name, "role",
                                        sj_role_name(u->role), "role_label", sj_role_label(u->role),
                                        "office_id", (json_int_t)u->office_id));
    }
    sj_user_list_free(list, count);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "officers", officers));
}

/* ---- What the phone shows its subject ----------------------------------------------------------
 */

/* The slots of the next two days that have not ended yet, soonest first. */
static json_t *coming_slots(struct sj_http_ctx *ctx, int64_t subject_id, int64_t now)
{
    struct sj_bail_slot *slots = NULL;
    size_t n = 0;
    json_t *a = json_array();
    if (sj_bail_due_slots(ctx->store, subject_id, now, now + 2 * DAY_MS, &slots, &n, NULL) < 0)
        return a;
    for (size_t i = 0; i < n; i++)
        if (slots[i].end_ms > now)
            json_array_append_new(a, json_pack("{s:s, s:I, s:I}", "kind",
                                               sj_bail_schedule_kind_name(slots[i].kind),
                                               "start_ms", (json_int_t)slots[i].start_ms, "end_ms",
                                               (json_int_t)slots[i].end_ms));
    free(slots);
    return a;
}

int sj_http_bail_device_extras(struct sj_http_ctx *ctx, int64_t subject_id, json_t *body)
{
    struct sj_bail_risk risk;
    int64_t now = sj_http_now_ms();
    json_t *subject = json_object_get(body, "subject");
    json_t *slots = coming_slots(ctx, subject_id, now);
    json_object_set(subject, "next_slot",
                    json_array_size(slots) ? json_array_get(slots, 0) : json_null());
    json_object_set_new(subject, "slots", slots);
    if (risk_of(ctx, subject_id, now, &risk, NULL) < 0)
        return 0; /* the phone still gets its status */
    json_t *reasons = json_array();
    for (size_t i = 0; i < risk.reason_count; i++)
        json_array_append_new(reasons,
                              json_pack("{s:s, s:s, s:i}", "rule", risk.reasons[i].rule, "text",
                                        risk.reasons[i].text, "points", risk.reasons[i].points));
    json_object_set_new(body, "risk",
                        json_pack("{s:s, s:s, s:i, s:o}", "colour",
                                  sj_bail_colour_name(risk.colour), "colour_label",
                                  sj_bail_colour_label(risk.colour), "score", risk.score, "reasons",
                                  reasons));
    sj_bail_risk_release(&risk);
    return 0;
}
