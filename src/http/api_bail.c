/*
 * api_bail.c - the bail supervision API (取保候审监管, /api/v1/bail, docs/API.md "Bail"):
 * the route table, the helpers the api_bail_*.c files share, and the register of subjects
 * (list masked, create, show, status). A thin layer over shujian/bail_ops.h: every change
 * goes through a bail operation, which runs in one transaction with its ledger entry.
 * Officers (prosecutor, police) act in their office scope, auditors read; a subject outside
 * the caller's scope does not exist as far as the caller can tell (404).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/api_bail.h"
#include "http/platform_int.h"
#include "shujian/bail_stats.h"

/* ---- Shared helpers ------------------------------------------------------------------------ */

static int ledger_of(struct sj_http_ctx *ctx, struct sj_ledger **out, struct sj_err *err)
{
    struct sj_ledger **slot = &ctx->app->ledgers[ctx->store_index];
    int rc = *slot ? 0 : sj_ledger_open(ctx->store, slot, err);
    *out = *slot;
    return rc;
}

int sj_http_bail_env(struct sj_http_ctx *ctx, struct sj_bail_env *env, struct sj_bail_actor *who)
{
    struct sj_err err;
    sj_err_clear(&err);
    memset(env, 0, sizeof *env);
    memset(who, 0, sizeof *who);
    env->store = ctx->store;
    int rc = ledger_of(ctx, &env->ledger, &err);
    if (rc == SJ_ENOTFOUND)
        return sj_http_error(ctx, 503, "LEDGER_MISSING",
                             "工作区尚未建立审计账本，所有写操作均须留痕；请管理员先运行 "
                             "shujian ledger init");
    if (rc < 0)
        return sj_http_fail(ctx, &err);
    who->now_ms = sj_http_now_ms();
    who->from = ctx->req->peer;
    const struct sj_user *user = sj_http_user(ctx);
    if (!user)
        return 0;
    struct sj_office office = {0};
    if (sj_office_get(ctx->store, user->office_id, &office, &err) < 0)
        return sj_http_fail(ctx, &err);
    who->user_id = user->id;
    who->name = user->username;
    who->office_id = user->office_id;
    who->office = sj_arena_strndup(&ctx->arena, office.code, strlen(office.code));
    sj_office_release(&office);
    return 0;
}

int sj_http_bail_fail(struct sj_http_ctx *ctx, const struct sj_err *err)
{
    int code = err && err->code ? err->code : SJ_EDB;
    const char *msg = err && err->message[0] ? err->message : "操作失败";
    switch (code) {
    case SJ_EINVAL:
        return sj_http_error(ctx, 400, "BAIL_INVALID", "%s", msg), code;
    case SJ_EFORMAT:
    case SJ_ETOOBIG:
        return sj_http_error(ctx, 400, "BAIL_BAD_GEOMETRY", "%s", msg), code;
    case SJ_ENOTFOUND:
        return sj_http_error(ctx, 404, "BAIL_NOT_FOUND", "%s", msg), code;
    case SJ_EEXIST:
        return sj_http_error(ctx, 409, "BAIL_CONFLICT", "%s", msg), code;
    case SJ_EPERM:
        return sj_http_error(ctx, 403, "BAIL_FORBIDDEN", "%s", msg), code;
    default:
        return sj_http_fail(ctx, err);
    }
}

bool sj_http_bail_subject_visible(struct sj_http_ctx *ctx, int64_t subject_id)
{
    struct sj_bail_subject s;
    if (subject_id <= 0 || sj_bail_subject_get(ctx->store, subject_id, &s, NULL) < 0)
        return false;
    bool is_visible = sj_http_office_visible(ctx, s.office_id);
    sj_bail_subject_release(&s);
    return is_visible;
}

int sj_http_bail_subject(struct sj_http_ctx *ctx, struct sj_bail_subject *out)
{
    int64_t id = sj_http_param_id(ctx, "id");
    if (id == 0 || sj_bail_subject_get(ctx->store, id, out, NULL) < 0)
        return sj_http_error(ctx, 404, "BAIL_SUBJECT_NOT_FOUND", "没有这个被监管人");
    if (!sj_http_office_visible(ctx, out->office_id)) {
        sj_bail_subject_release(out);
        return sj_http_error(ctx, 404, "BAIL_SUBJECT_NOT_FOUND", "没有这个被监管人");
    }
    return 0;
}

int sj_http_bail_subject_id(struct sj_http_ctx *ctx, int64_t *id)
{
    struct sj_bail_subject s;
    if (sj_http_bail_subject(ctx, &s) < 0)
        return SJ_ENOTFOUND;
    *id = s.id;
    sj_bail_subject_release(&s);
    return 0;
}

int sj_http_bail_device(struct sj_http_ctx *ctx, struct sj_bail_device *out)
{
    const char *auth = sj_http_header(ctx, "Authorization");
    struct sj_err err;
    sj_err_clear(&err);
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
        return sj_http_error(ctx, 401, "DEVICE_UNAUTHENTICATED",
                             "缺少设备令牌（Authorization: Bearer …）");
    int rc =
        sj_bail_device_auth(ctx->store, sj_str_from_cstr(auth + 7), sj_http_now_ms(), out, &err);
    if (rc == SJ_EPERM)
        return sj_http_error(ctx, 401, "DEVICE_UNAUTHENTICATED", "设备令牌无效或设备已解绑");
    if (rc < 0)
        return sj_http_fail(ctx, &err);
    return 0;
}

int sj_http_bail_body_int(struct sj_http_ctx *ctx, const char *key, bool is_required, int64_t *out)
{
    json_t *v = json_object_get(sj_http_body(ctx), key);
    if (!v && !is_required)
        return 0;
    if (!json_is_integer(v))
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“%s”%s", key, v ? "应为整数" : "缺失");
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int sj_http_bail_body_real(struct sj_http_ctx *ctx, const char *key, bool is_required, double *out)
{
    json_t *v = json_object_get(sj_http_body(ctx), key);
    if (!v && !is_required)
        return 0;
    if (!json_is_number(v))
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“%s”%s", key, v ? "应为数字" : "缺失");
    *out = json_number_value(v);
    return 0;
}

int sj_http_bail_query_int(struct sj_http_ctx *ctx, const char *key, int64_t dflt, int64_t *out)
{
    const char *text = sj_http_query(ctx, key);
    *out = dflt;
    if (!text)
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end)
        return sj_http_error(ctx, 400, "INVALID_QUERY", "参数“%s”应为整数", key);
    *out = v;
    return 0;
}

int sj_http_bail_query_range(struct sj_http_ctx *ctx, int64_t def_from, int64_t def_to,
                             int64_t *from, int64_t *to)
{
    if (sj_http_bail_query_int(ctx, "from_ms", def_from, from) < 0 ||
        sj_http_bail_query_int(ctx, "to_ms", def_to, to) < 0)
        return SJ_EINVAL;
    if (*to <= *from || *to - *from > SJ_BAIL_STATS_RANGE_MAX_MS)
        return sj_http_error(ctx, 400, "INVALID_QUERY",
                             "时间范围无效：to_ms 应大于 from_ms，且跨度不超过 400 天");
    return 0;
}

/* ---- JSON shapes ---------------------------------------------------------------------------- */

json_t *sj_http_bail_subject_json(const struct sj_bail_subject *s)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:I, s:I, s:s, s:s, s:s?, s:s, "
                     "s:s, s:I, s:I}",
                     "id", (json_int_t)s->id, "office_id", (json_int_t)s->office_id, "person_name",
                     s->name, "id_number", s->id_number, "phone", s->phone, "residence",
                     s->residence, "crime_type", s->crime_type, "case_number", s->case_number,
                     "prosecutor_id", (json_int_t)s->prosecutor_id, "police_id",
                     (json_int_t)s->police_id, "bail_start", s->bail_start, "bail_end", s->bail_end,
                     "conditions", s->conditions, "status", sj_bail_status_name(s->status),
                     "status_label", sj_bail_status_label(s->status), "created_at_ms",
                     (json_int_t)s->created_ms, "updated_at_ms", (json_int_t)s->updated_ms);
}

json_t *sj_http_bail_device_json(const struct sj_bail_device *d)
{
    static const char *const names[] = {"pending", "active", "revoked"};
    return json_pack("{s:I, s:I, s:s, s:s?, s:I, s:I}", "id", (json_int_t)d->id, "subject_id",
                     (json_int_t)d->subject_id, "status", names[d->status], "label", d->label,
                     "bound_at_ms", (json_int_t)d->bound_ms, "last_seen_at_ms",
                     (json_int_t)d->last_seen_ms);
}

/* ---- Subjects -------------------------------------------------------------------------------- */

/* Adds "home" to each subject of the register (ordered by id): {lat, lon, radius_m} of its own
 * first active allowed circle fence (WGS-84), or null - all from one statement, merged. */
static int add_homes(struct sj_http_ctx *ctx, json_t *subjects)
{
    struct sj_store_bail_home *homes = NULL;
    size_t count = 0, k = 0, i;
    json_t *o;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_store_bail_homes(ctx->store, sj_http_now_ms(), &homes, &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_array_foreach(subjects, i, o)
    {
        int64_t id = (int64_t)json_integer_value(json_object_get(o, "id"));
        while (k < count && homes[k].subject_id < id)
            k++;
        bool is_home = k < count && homes[k].subject_id == id;
        json_object_set_new(o, "home",
                            is_home ? json_pack("{s:f, s:f, s:f}", "lat", homes[k].lat, "lon",
                                                homes[k].lon, "radius_m", homes[k].radius_m)
                                    : json_null());
    }
    free(homes);
    return 0;
}

/* The register of the caller's scope, or of one office of it with ?office_id=. */
static int get_subjects(struct sj_http_ctx *ctx)
{
    struct sj_office_set scope;
    struct sj_bail_subject *list = NULL;
    size_t count = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_scope(ctx, &scope) < 0)
        return SJ_EPERM;
    if (sj_bail_subject_list(ctx->store, 0, &list, &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *subjects = json_array();
    for (size_t i = 0; i < count; i++)
        if (sj_http_scope_has(scope, list[i].office_id))
            json_array_append_new(subjects, sj_http_bail_subject_json(&list[i]));
    sj_bail_subject_list_free(list, count);
    if (sj_http_bail_add_risk(ctx, subjects) < 0 || add_homes(ctx, subjects) < 0) {
        json_decref(subjects);
        return SJ_EDB;
    }
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "subjects", subjects));
}

static int reply_subject(struct sj_http_ctx *ctx, int status, int64_t id)
{
    struct sj_bail_subject s;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_bail_subject_get(ctx->store, id, &s, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *body = json_pack("{s:o}", "subject", sj_http_bail_subject_json(&s));
    sj_bail_subject_release(&s);
    return sj_http_reply(ctx, status, body);
}

static int post_subject(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"office_id", "person_name", "id_number",   "phone",
                                         "residence", "crime_type",  "case_number", "prosecutor_id",
                                         "police_id", "bail_start",  "bail_end",    "conditions",
                                         NULL};
    struct sj_bail_subject_new in = {0};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    struct sj_err err;
    int64_t id = 0;
    sj_err_clear(&err);
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "person_name", true, &in.name) < 0 ||
        sj_http_body_string(ctx, "id_number", true, &in.id_number) < 0 ||
        sj_http_body_string(ctx, "phone", false, &in.phone) < 0 ||
        sj_http_body_string(ctx, "residence", false, &in.residence) < 0 ||
        sj_http_body_string(ctx, "crime_type", false, &in.crime_type) < 0 ||
        sj_http_body_string(ctx, "case_number", false, &in.case_number) < 0 ||
        sj_http_body_id(ctx, "prosecutor_id", true, &in.prosecutor_id) < 0 ||
        sj_http_body_id(ctx, "police_id", false, &in.police_id) < 0 ||
        sj_http_body_string(ctx, "bail_start", true, &in.bail_start) < 0 ||
        sj_http_body_string(ctx, "bail_end", true, &in.bail_end) < 0 ||
        sj_http_body_string(ctx, "conditions", false, &in.conditions) < 0 ||
        sj_http_body_id(ctx, "office_id", false, &in.office_id) < 0)
        return SJ_EINVAL;
    if (in.office_id == 0)
        in.office_id = sj_http_user(ctx)->office_id;
    if (!sj_http_office_visible(ctx, in.office_id))
        return sj_http_error(ctx, 403, "OFFICE_FORBIDDEN", "无权在该检察院下登记被监管人");
    if (sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    int rc = sj_bail_subject_add(&env, &who, &in, &id, &err);
    if (rc == SJ_EEXIST)
        return sj_http_error(ctx, 409, "BAIL_SUBJECT_EXISTS", "%s", err.message);
    if (rc < 0)
        return sj_http_bail_fail(ctx, &err);
    return reply_subject(ctx, 201, id);
}

static int get_subject(struct sj_http_ctx *ctx)
{
    struct sj_bail_subject s;
    if (sj_http_bail_subject(ctx, &s) < 0)
        return SJ_ENOTFOUND;
    json_t *body = json_pack("{s:o}", "subject", sj_http_bail_subject_json(&s));
    struct sj_bail_device d;
    if (sj_store_bail_device_active(ctx->store, s.id, &d, NULL) == 0) {
        json_object_set_new(body, "device", sj_http_bail_device_json(&d));
        sj_bail_device_release(&d);
    }
    sj_bail_subject_release(&s);
    return sj_http_reply(ctx, 200, body);
}

static int post_status(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"status", "note", NULL};
    const char *status_text = NULL, *note = NULL;
    enum sj_bail_status status;
    struct sj_bail_env env;
    struct sj_bail_actor who;
    int64_t id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_subject_id(ctx, &id) < 0)
        return SJ_ENOTFOUND;
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "status", true, &status_text) < 0 ||
        sj_http_body_string(ctx, "note", true, &note) < 0)
        return SJ_EINVAL;
    if (sj_bail_status_parse(status_text, &status) < 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "未知的状态“%s”（可选 active、suspended、ended）", status_text);
    if (sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    if (sj_bail_subject_set_status(&env, &who, id, status, note, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    return reply_subject(ctx, 200, id);
}

/* ---- Routes ---------------------------------------------------------------------------------- */

#define OFFICERS SJ_BAIL_OFFICERS
#define READERS SJ_BAIL_READERS
#define ADMIN SJ_ROLE_BIT(SJ_ROLE_ADMIN)
#define SMALL 65536

static const struct sj_http_route routes[] = {
    {"GET", "/api/v1/bail/subjects", READERS, get_subjects, 0},
    {"POST", "/api/v1/bail/subjects", OFFICERS, post_subject, SMALL},
    {"GET", "/api/v1/bail/subjects/{id}", READERS, get_subject, 0},
    {"POST", "/api/v1/bail/subjects/{id}/status", OFFICERS, post_status, SMALL},
    {"POST", "/api/v1/bail/subjects/{id}/devices", OFFICERS, sj_http_bail_post_enrol, SMALL},
    {"POST", "/api/v1/bail/subjects/{id}/schedules", OFFICERS, sj_http_bail_post_schedule, SMALL},
    {"POST", "/api/v1/bail/subjects/{id}/spot-checks", OFFICERS, sj_http_bail_post_spot, SMALL},
    {"GET", "/api/v1/bail/subjects/{id}/slots", READERS, sj_http_bail_get_slots, 0},
    {"GET", "/api/v1/bail/subjects/{id}/trail", READERS, sj_http_bail_get_trail, 0},
    {"GET", "/api/v1/bail/subjects/{id}/fences", READERS, sj_http_bail_get_fences, 0},
    {"POST", "/api/v1/bail/fences", OFFICERS, sj_http_bail_post_fence, SJ_FENCE_JSON_MAX + 4096},
    {"GET", "/api/v1/bail/fences/{id}", READERS, sj_http_bail_get_fence, 0},
    {"DELETE", "/api/v1/bail/fences/{id}", OFFICERS, sj_http_bail_delete_fence, 0},
    {"POST", "/api/v1/bail/devices/bind", 0, sj_http_bail_post_bind, SMALL},
    {"DELETE", "/api/v1/bail/devices/{id}", OFFICERS, sj_http_bail_delete_device, 0},
    {"POST", "/api/v1/bail/device/checkins", 0, sj_http_bail_post_checkin, (size_t)8 << 20},
    {"POST", "/api/v1/bail/device/positions", 0, sj_http_bail_post_positions, (size_t)1 << 20},
    {"GET", "/api/v1/bail/device/subjects/{id}", 0, sj_http_bail_device_subject, 0},
    {"POST", "/api/v1/bail/device/subjects/{id}/leaves", 0, sj_http_bail_device_leave, SMALL},
    {"GET", "/api/v1/bail/leaves/{id}", READERS, sj_http_bail_get_leave, 0},
    {"POST", "/api/v1/bail/leaves/{id}/decision", OFFICERS, sj_http_bail_post_decision, SMALL},
    {"GET", "/api/v1/bail/alerts", READERS, sj_http_bail_get_alerts, 0},
    {"GET", "/api/v1/bail/alerts/{id}", READERS, sj_http_bail_get_alert, 0},
    {"POST", "/api/v1/bail/alerts/{id}/acknowledge", OFFICERS, sj_http_bail_post_ack, SMALL},
    {"POST", "/api/v1/bail/alerts/{id}/resolve", OFFICERS, sj_http_bail_post_resolve, SMALL},
    {"POST", "/api/v1/bail/roster", OFFICERS, sj_http_bail_post_roster, SMALL},
    {"GET", "/api/v1/bail/roster/on-duty", READERS, sj_http_bail_get_on_duty, 0},
    {"GET", "/api/v1/bail/review", OFFICERS, sj_http_bail_get_review, 0},
    {"POST", "/api/v1/bail/review/checkins", OFFICERS, sj_http_bail_post_review_checkins, SMALL},
    {"POST", "/api/v1/bail/review/signoff", OFFICERS, sj_http_bail_post_signoff, SMALL},
    {"POST", "/api/v1/bail/sweep", ADMIN, sj_http_bail_post_sweep, SMALL},
    {"GET", "/api/v1/bail/subjects/{id}/checkins", READERS, sj_http_bail_get_checkins, 0},
    {"POST", "/api/v1/bail/subjects/{id}/leaves", OFFICERS, sj_http_bail_post_leave, SMALL},
    {"GET", "/api/v1/bail/subjects/{id}/face", READERS, sj_http_bail_get_face, 0},
    {"POST", "/api/v1/bail/subjects/{id}/face", OFFICERS, sj_http_bail_post_face,
     SJ_BAIL_FACE_BODY_MAX},
    {"GET", "/api/v1/bail/subjects/{id}/risk", READERS, sj_http_bail_get_risk, 0},
    {"GET", "/api/v1/bail/leaves", READERS, sj_http_bail_get_leaves, 0},
    {"GET", "/api/v1/bail/roster", READERS, sj_http_bail_get_roster, 0},
    {"GET", "/api/v1/bail/officers", READERS, sj_http_bail_get_officers, 0},
    {"GET", "/api/v1/bail/stats", READERS, sj_http_bail_get_stats, 0},
    {"GET", "/api/v1/bail/stats/export", READERS, sj_http_bail_get_stats_export, 0},
};

const struct sj_http_resource sj_http_api_bail = {"bail", routes, SJ_ARRAY_LEN(routes)};
