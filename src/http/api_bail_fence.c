/*
 * api_bail_fence.c - where and when a subject must be: fences (GeoJSON in, canonical
 * WGS-84 GeoJSON out; for a subject or a named group of an office), check-in schedules and
 * spot checks, the due slots they give, and the position trail. Every fence and subject is
 * checked against the caller's office scope; out of scope is 404.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/api_bail.h"

static json_t *fence_json(const struct sj_store_bail_fence *f)
{
    json_t *geometry = f->geometry ? json_loads(f->geometry, 0, NULL) : NULL;
    return json_pack(
        "{s:I, s:I, s:I, s:s?, s:s, s:s?, s:o?, s:I, s:I, s:b, s:I}", "id", (json_int_t)f->id,
        "office_id", (json_int_t)f->office_id, "subject_id", (json_int_t)f->subject_id, "group",
        f->group, "kind", sj_fence_kind_name(f->kind), "name", f->name, "geometry", geometry,
        "valid_from_ms", (json_int_t)f->valid_from_ms, "valid_until_ms",
        (json_int_t)f->valid_until_ms, "active", f->is_active, "leave_id", (json_int_t)f->leave_id);
}

/* Reads the owner of a new fence: subject_id, or office_id with group. */
static int read_fence_owner(struct sj_http_ctx *ctx, struct sj_bail_fence_new *in)
{
    if (sj_http_body_id(ctx, "subject_id", false, &in->subject_id) < 0 ||
        sj_http_body_id(ctx, "office_id", false, &in->office_id) < 0 ||
        sj_http_body_string(ctx, "group", false, &in->group) < 0)
        return SJ_EINVAL;
    if ((in->subject_id != 0) == (in->group != NULL))
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "须给出 subject_id（个人围栏）或 group（分组围栏）之一");
    if (in->subject_id) {
        struct sj_bail_subject s;
        if (sj_bail_subject_get(ctx->store, in->subject_id, &s, NULL) < 0)
            return sj_http_error(ctx, 404, "BAIL_SUBJECT_NOT_FOUND", "没有这个被监管人");
        in->office_id = s.office_id;
        sj_bail_subject_release(&s);
    } else if (in->office_id == 0) {
        in->office_id = sj_http_user(ctx)->office_id;
    }
    if (!sj_http_office_visible(ctx, in->office_id))
        return in->subject_id
                   ? sj_http_error(ctx, 404, "BAIL_SUBJECT_NOT_FOUND", "没有这个被监管人")
                   : sj_http_error(ctx, 403, "OFFICE_FORBIDDEN", "无权为该检察院设置分组围栏");
    return 0;
}

static int read_fence(struct sj_http_ctx *ctx, struct sj_bail_fence_new *in, char **geojson)
{
    static const char *const fields[] = {"subject_id",     "office_id", "group", "kind",
                                         "name",           "geometry",  "datum", "valid_from_ms",
                                         "valid_until_ms", NULL};
    const char *kind = NULL, *datum = NULL;
    if (sj_http_body_only(ctx, fields, true) < 0 || read_fence_owner(ctx, in) < 0 ||
        sj_http_body_string(ctx, "kind", true, &kind) < 0 ||
        sj_http_body_string(ctx, "name", true, &in->name) < 0 ||
        sj_http_body_string(ctx, "datum", false, &datum) < 0 ||
        sj_http_bail_body_int(ctx, "valid_from_ms", false, &in->valid_from_ms) < 0 ||
        sj_http_bail_body_int(ctx, "valid_until_ms", false, &in->valid_until_ms) < 0)
        return SJ_EINVAL;
    if (sj_fence_kind_parse(kind, &in->kind) < 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "未知的围栏类型“%s”（可选 allowed、forbidden）", kind);
    if (datum && sj_datum_parse(datum, &in->datum) < 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "未知的坐标系“%s”", datum);
    json_t *g = json_object_get(sj_http_body(ctx), "geometry");
    if (!json_is_object(g))
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“geometry”应为 GeoJSON 对象");
    *geojson = json_dumps(g, JSON_COMPACT);
    if (!*geojson)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“geometry”无法读取");
    in->geojson = sj_str_from_cstr(*geojson);
    return 0;
}

static int reply_fence(struct sj_http_ctx *ctx, int status, int64_t id)
{
    struct sj_store_bail_fence f = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_store_bail_fence_get(ctx->store, id, &f, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *body = json_pack("{s:o}", "fence", fence_json(&f));
    free(f.group);
    free(f.name);
    free(f.geometry);
    return sj_http_reply(ctx, status, body);
}

int sj_http_bail_post_fence(struct sj_http_ctx *ctx)
{
    struct sj_bail_fence_new in = {.datum = SJ_DATUM_WGS84};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    char *geojson = NULL;
    int64_t id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int rc = read_fence(ctx, &in, &geojson);
    if (rc == 0)
        rc = sj_http_bail_env(ctx, &env, &who);
    if (rc == 0 && (rc = sj_bail_fence_add(&env, &who, &in, &id, &err)) < 0)
        sj_http_bail_fail(ctx, &err);
    free(geojson);
    return rc < 0 ? rc : reply_fence(ctx, 201, id);
}

/* The fence of path param id when the caller may see it (404 otherwise). */
static int visible_fence(struct sj_http_ctx *ctx, int64_t *id)
{
    struct sj_store_bail_fence f = {0};
    *id = sj_http_param_id(ctx, "id");
    if (*id == 0 || sj_store_bail_fence_get(ctx->store, *id, &f, NULL) < 0)
        return sj_http_error(ctx, 404, "BAIL_FENCE_NOT_FOUND", "没有这个围栏");
    bool is_visible = sj_http_office_visible(ctx, f.office_id);
    free(f.group);
    free(f.name);
    free(f.geometry);
    if (!is_visible)
        return sj_http_error(ctx, 404, "BAIL_FENCE_NOT_FOUND", "没有这个围栏");
    return 0;
}

int sj_http_bail_get_fence(struct sj_http_ctx *ctx)
{
    int64_t id = 0;
    if (visible_fence(ctx, &id) < 0)
        return SJ_ENOTFOUND;
    return reply_fence(ctx, 200, id);
}

int sj_http_bail_delete_fence(struct sj_http_ctx *ctx)
{
    struct sj_bail_env env;
    struct sj_bail_actor who;
    int64_t id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (visible_fence(ctx, &id) < 0 || sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    if (sj_bail_fence_disable(&env, &who, id, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    return reply_fence(ctx, 200, id);
}

int sj_http_bail_get_fences(struct sj_http_ctx *ctx)
{
    struct sj_store_bail_fence *list = NULL;
    size_t count = 0;
    int64_t id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_subject_id(ctx, &id) < 0)
        return SJ_ENOTFOUND;
    if (sj_store_bail_fences_for(ctx->store, id, 0, INT64_MAX, &list, &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *features = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(features, fence_json(&list[i]));
    sj_store_bail_fence_list_free(list, count);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "fences", features));
}

/* ---- Schedules, spot checks, slots --------------------------------------------------------------
 */

static int read_weekdays(struct sj_http_ctx *ctx, unsigned *mask)
{
    json_t *days = json_object_get(sj_http_body(ctx), "weekdays");
    size_t i;
    json_t *d;
    if (!days)
        return 0;
    if (!json_is_array(days))
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "字段“weekdays”应为 1（周一）至 7（周日）的数组");
    json_array_foreach(days, i, d)
    {
        json_int_t v = json_is_integer(d) ? json_integer_value(d) : 0;
        if (v < 1 || v > 7)
            return sj_http_error(ctx, 400, "INVALID_FIELD",
                                 "字段“weekdays”应为 1（周一）至 7（周日）的数组");
        *mask |= SJ_BAIL_WEEKDAY_BIT(v);
    }
    return 0;
}

int sj_http_bail_post_schedule(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"kind",          "start_min",      "end_min", "weekdays",
                                         "valid_from_ms", "valid_until_ms", NULL};
    struct sj_bail_schedule sch = {0};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    const char *kind = NULL;
    int64_t start = 0, end = 0, id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int64_t subject_id = 0;
    if (sj_http_bail_subject_id(ctx, &subject_id) < 0)
        return SJ_ENOTFOUND;
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "kind", true, &kind) < 0 ||
        sj_http_bail_body_int(ctx, "start_min", true, &start) < 0 ||
        sj_http_bail_body_int(ctx, "end_min", true, &end) < 0 ||
        sj_http_bail_body_int(ctx, "valid_from_ms", false, &sch.valid_from_ms) < 0 ||
        sj_http_bail_body_int(ctx, "valid_until_ms", false, &sch.valid_until_ms) < 0 ||
        read_weekdays(ctx, &sch.weekdays) < 0)
        return SJ_EINVAL;
    if (sj_bail_schedule_kind_parse(kind, &sch.kind) < 0 || sch.kind == SJ_BAIL_SCHEDULE_SPOT)
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "未知的打卡计划类型“%s”（可选 daily、weekly）", kind);
    if (start < 0 || start > 1440 || end < 0 || end > 1440)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "打卡时段应在 0 至 1440 分钟之间");
    sch.start_min = (int)start;
    sch.end_min = (int)end;
    if (sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    if (sj_bail_schedule_add(&env, &who, subject_id, &sch, &id, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    return sj_http_reply(ctx, 201,
                         json_pack("{s:{s:I, s:I, s:s, s:i, s:i, s:I}}", "schedule", "id",
                                   (json_int_t)id, "subject_id", (json_int_t)subject_id, "kind",
                                   sj_bail_schedule_kind_name(sch.kind), "start_min", sch.start_min,
                                   "end_min", sch.end_min, "weekdays_mask",
                                   (json_int_t)sch.weekdays));
}

int sj_http_bail_post_spot(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"deadline_ms", NULL};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    int64_t deadline = 0, id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int64_t subject_id = 0;
    if (sj_http_bail_subject_id(ctx, &subject_id) < 0)
        return SJ_ENOTFOUND;
    if (sj_http_body_only(ctx, fields, false) < 0 ||
        sj_http_bail_body_int(ctx, "deadline_ms", false, &deadline) < 0 ||
        sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    if (sj_bail_spot_issue(&env, &who, subject_id, deadline, &id, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    return sj_http_reply(ctx, 201,
                         json_pack("{s:{s:I, s:I, s:I}}", "spot_check", "id", (json_int_t)id,
                                   "subject_id", (json_int_t)subject_id, "issued_at_ms",
                                   (json_int_t)who.now_ms));
}

/* [from_ms, to_ms) from the query; default: the local day of now. */
static int read_range(struct sj_http_ctx *ctx, int64_t *from, int64_t *to)
{
    int64_t day_start = sj_bail_day_start(sj_bail_local_day(sj_http_now_ms()));
    if (sj_http_bail_query_int(ctx, "from_ms", day_start, from) < 0 ||
        sj_http_bail_query_int(ctx, "to_ms", *from + SJ_BAIL_DAY_MS, to) < 0)
        return SJ_EINVAL;
    if (*to < *from)
        return sj_http_error(ctx, 400, "INVALID_QUERY", "to_ms 不能早于 from_ms");
    return 0;
}

int sj_http_bail_get_slots(struct sj_http_ctx *ctx)
{
    struct sj_bail_slot *slots = NULL;
    size_t count = 0;
    int64_t from = 0, to = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int64_t id = 0;
    if (sj_http_bail_subject_id(ctx, &id) < 0)
        return SJ_ENOTFOUND;
    if (read_range(ctx, &from, &to) < 0)
        return SJ_EINVAL;
    if (sj_bail_due_slots(ctx->store, id, from, to, &slots, &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I}", "kind",
                                             sj_bail_schedule_kind_name(slots[i].kind), "source_id",
                                             (json_int_t)slots[i].source_id, "start_ms",
                                             (json_int_t)slots[i].start_ms, "end_ms",
                                             (json_int_t)slots[i].end_ms));
    free(slots);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "slots", arr));
}

int sj_http_bail_get_trail(struct sj_http_ctx *ctx)
{
    struct sj_bail_fix *fixes = NULL;
    size_t count = 0;
    int64_t from = 0, to = 0, limit = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int64_t id = 0;
    if (sj_http_bail_subject_id(ctx, &id) < 0)
        return SJ_ENOTFOUND;
    if (read_range(ctx, &from, &to) < 0 || sj_http_bail_query_int(ctx, "limit", 5000, &limit) < 0)
        return SJ_EINVAL;
    if (limit < 1 || limit > 50000)
        return sj_http_error(ctx, 400, "INVALID_QUERY", "limit 应在 1 至 50000 之间");
    if (sj_bail_trail(ctx->store, id, from, to, (size_t)limit, &fixes, &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(
            arr, json_pack("{s:f, s:f, s:f, s:I, s:b}", "lat", fixes[i].pos.lat, "lon",
                           fixes[i].pos.lon, "accuracy_m", fixes[i].accuracy_m, "fix_ms",
                           (json_int_t)fixes[i].fix_ms, "mock", fixes[i].is_mock));
    free(fixes);
    return sj_http_reply(
        ctx, 200,
        json_pack("{s:I, s:s, s:o}", "subject_id", (json_int_t)id, "datum", "wgs84", "fixes", arr));
}
