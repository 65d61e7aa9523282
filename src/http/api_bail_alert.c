/*
 * api_bail_alert.c - what officers act on: leave requests (approve or reject with a note),
 * alerts (queue, acknowledge, resolve with a note), the duty roster, the daily review queue
 * with its sign-off, and the operator's sweep (admins: raises the time-based alerts as of a
 * given time; a timer normally does this). Records outside the caller's scope are 404.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/api_bail.h"
#include "http/platform_int.h"

json_t *sj_http_bail_leave_json(const struct sj_bail_leave *l)
{
    return json_pack("{s:I, s:I, s:s?, s:s?, s:s?, s:f, s:f, s:f, s:I, s:I, s:s, s:I, s:I, s:I, "
                     "s:I, s:I}",
                     "id", (json_int_t)l->id, "subject_id", (json_int_t)l->subject_id,
                     "destination", l->destination, "reason", l->reason, "note", l->note, "lat",
                     l->pos.lat, "lon", l->pos.lon, "radius_m", l->radius_m, "start_ms",
                     (json_int_t)l->start_ms, "end_ms", (json_int_t)l->end_ms, "status",
                     sj_bail_leave_status_name(l->status), "submitted_at_ms",
                     (json_int_t)l->submitted_ms, "decided_by", (json_int_t)l->decided_by,
                     "decided_at_ms", (json_int_t)l->decided_ms, "fence_id",
                     (json_int_t)l->fence_id, "closed_at_ms", (json_int_t)l->closed_ms);
}

json_t *sj_http_bail_alert_json(const struct sj_bail_alert *a)
{
    return json_pack(
        "{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
        "s:I, s:I, s:s?, s:I}",
        "id", (json_int_t)a->id, "subject_id", (json_int_t)a->subject_id, "office_id",
        (json_int_t)a->office_id, "kind", sj_bail_alert_kind_name(a->kind), "kind_label",
        sj_bail_alert_kind_label(a->kind), "severity", sj_bail_severity_name(a->severity),
        "severity_label", sj_bail_severity_label(a->severity), "status",
        sj_bail_alert_status_name(a->status), "detail", a->detail, "source", a->source,
        "raised_at_ms", (json_int_t)a->raised_ms, "assignee_id", (json_int_t)a->assignee_id,
        "escalate_at_ms", (json_int_t)a->escalate_at_ms, "escalated_at_ms",
        (json_int_t)a->escalated_ms, "escalated_to", (json_int_t)a->escalated_to, "acknowledged_by",
        (json_int_t)a->acknowledged_by, "acknowledged_at_ms", (json_int_t)a->acknowledged_ms,
        "resolved_by", (json_int_t)a->resolved_by, "resolved_at_ms", (json_int_t)a->resolved_ms,
        "resolution", a->resolution, "ledger_index", (json_int_t)a->ledger_index);
}

/* ---- Leaves ------------------------------------------------------------------------------------
 */

static int reply_leave(struct sj_http_ctx *ctx, int64_t id)
{
    struct sj_bail_leave l;
    if (id == 0 || sj_bail_leave_get(ctx->store, id, &l, NULL) < 0)
        return sj_http_error(ctx, 404, "BAIL_LEAVE_NOT_FOUND", "没有这个外出申请");
    if (!sj_http_bail_subject_visible(ctx, l.subject_id)) {
        sj_bail_leave_release(&l);
        return sj_http_error(ctx, 404, "BAIL_LEAVE_NOT_FOUND", "没有这个外出申请");
    }
    json_t *body = json_pack("{s:o}", "leave", sj_http_bail_leave_json(&l));
    sj_bail_leave_release(&l);
    return sj_http_reply(ctx, 200, body);
}

int sj_http_bail_submit_leave(struct sj_http_ctx *ctx, const struct sj_bail_env *env,
                              const struct sj_bail_actor *who, int64_t subject_id,
                              const struct sj_bail_leave_request *req)
{
    struct sj_bail_leave l;
    int64_t id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_bail_leave_submit(env, who, subject_id, req, &id, &err) < 0 ||
        sj_bail_leave_get(ctx->store, id, &l, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    int rc = sj_http_reply(ctx, 201, json_pack("{s:o}", "leave", sj_http_bail_leave_json(&l)));
    sj_bail_leave_release(&l);
    return rc;
}

int sj_http_bail_get_leave(struct sj_http_ctx *ctx)
{
    return reply_leave(ctx, sj_http_param_id(ctx, "id"));
}

int sj_http_bail_post_decision(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"approved", "note", NULL};
    struct sj_bail_leave l;
    struct sj_bail_env env;
    struct sj_bail_actor who;
    const char *note = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    int64_t id = sj_http_param_id(ctx, "id");
    if (id == 0 || sj_bail_leave_get(ctx->store, id, &l, NULL) < 0)
        return sj_http_error(ctx, 404, "BAIL_LEAVE_NOT_FOUND", "没有这个外出申请");
    bool is_visible = sj_http_bail_subject_visible(ctx, l.subject_id);
    sj_bail_leave_release(&l);
    if (!is_visible)
        return sj_http_error(ctx, 404, "BAIL_LEAVE_NOT_FOUND", "没有这个外出申请");
    json_t *approved = json_object_get(sj_http_body(ctx), "approved");
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "note", true, &note) < 0)
        return SJ_EINVAL;
    if (!json_is_boolean(approved))
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“approved”应为 true 或 false");
    if (sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    if (sj_bail_leave_decide(&env, &who, id, json_is_true(approved), note, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    return reply_leave(ctx, id);
}

/* ---- Alerts ------------------------------------------------------------------------------------
 */

/* Sets "subject_name" on each alert object of the array alerts (its subject's name, "" when
 * the subject is gone), from one store call. The answer is masked like the register's
 * person_name unless revealed. 0, or replies and returns < 0. */
static int add_subject_names(struct sj_http_ctx *ctx, json_t *alerts)
{
    size_t n = json_array_size(alerts), i;
    json_t *o;
    if (n == 0)
        return 0;
    int64_t *ids = sj_arena_alloc(&ctx->arena, n * sizeof *ids);
    char **names = sj_arena_alloc(&ctx->arena, n * sizeof *names);
    struct sj_err err;
    sj_err_clear(&err);
    json_array_foreach(alerts, i, o)
    {
        ids[i] = (int64_t)json_integer_value(json_object_get(o, "subject_id"));
    }
    if (sj_store_bail_subject_names(ctx->store, ids, n, names, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_array_foreach(alerts, i, o)
    {
        json_object_set_new(o, "subject_name", json_string(names[i] ? names[i] : ""));
        free(names[i]);
    }
    return 0;
}

int sj_http_bail_get_alerts(struct sj_http_ctx *ctx)
{
    struct sj_office_set scope;
    struct sj_bail_alert_filter filter = {.status = -1, .limit = 1000};
    struct sj_bail_alert *list = NULL;
    size_t count = 0;
    enum sj_bail_alert_status status;
    const char *status_text = sj_http_query(ctx, "status");
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_scope(ctx, &scope) < 0)
        return SJ_EPERM;
    if (sj_http_bail_query_int(ctx, "subject_id", 0, &filter.subject_id) < 0)
        return SJ_EINVAL;
    if (status_text && sj_bail_alert_status_parse(status_text, &status) < 0)
        return sj_http_error(ctx, 400, "INVALID_QUERY",
                             "未知的告警状态“%s”（可选 open、acknowledged、resolved）",
                             status_text);
    if (status_text)
        filter.status = (int)status;
    if (sj_bail_alert_list(ctx->store, &filter, &list, &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *alerts = json_array();
    for (size_t i = 0; i < count; i++)
        if (sj_http_scope_has(scope, list[i].office_id))
            json_array_append_new(alerts, sj_http_bail_alert_json(&list[i]));
    sj_bail_alert_list_free(list, count);
    if (add_subject_names(ctx, alerts) < 0) {
        json_decref(alerts);
        return SJ_EDB;
    }
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "alerts", alerts));
}

/* Answers the alert of path param id (status), or 404 when absent or out of scope. */
static int reply_alert(struct sj_http_ctx *ctx, int status, int64_t *id_out)
{
    struct sj_bail_alert a;
    int64_t id = sj_http_param_id(ctx, "id");
    if (id == 0 || sj_bail_alert_get(ctx->store, id, &a, NULL) < 0)
        return sj_http_error(ctx, 404, "BAIL_ALERT_NOT_FOUND", "没有这个告警");
    if (!sj_http_office_visible(ctx, a.office_id)) {
        sj_bail_alert_release(&a);
        return sj_http_error(ctx, 404, "BAIL_ALERT_NOT_FOUND", "没有这个告警");
    }
    if (id_out) { /* only the check: no answer yet */
        *id_out = id;
        sj_bail_alert_release(&a);
        return 0;
    }
    json_t *alert = json_pack("[o]", sj_http_bail_alert_json(&a));
    sj_bail_alert_release(&a);
    if (add_subject_names(ctx, alert) < 0) {
        json_decref(alert);
        return SJ_EDB;
    }
    json_t *body = json_pack("{s:O}", "alert", json_array_get(alert, 0));
    json_decref(alert);
    return sj_http_reply(ctx, status, body);
}

int sj_http_bail_get_alert(struct sj_http_ctx *ctx)
{
    return reply_alert(ctx, 200, NULL);
}

/* Acknowledges (is_resolve false) or resolves the alert of path param id. */
static int move_alert(struct sj_http_ctx *ctx, bool is_resolve)
{
    static const char *const fields[] = {"note", NULL};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    const char *note = NULL;
    int64_t id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (reply_alert(ctx, 0, &id) < 0)
        return SJ_ENOTFOUND;
    if (sj_http_body_only(ctx, fields, is_resolve) < 0 ||
        sj_http_body_string(ctx, "note", is_resolve, &note) < 0 ||
        sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    int rc = is_resolve ? sj_bail_alert_resolve(&env, &who, id, note, &err)
                        : sj_bail_alert_ack(&env, &who, id, note, &err);
    if (rc == SJ_EINVAL)
        return sj_http_error(ctx, 409, "BAIL_ALERT_STATE", "%s", err.message);
    if (rc < 0)
        return sj_http_bail_fail(ctx, &err);
    return reply_alert(ctx, 200, NULL);
}

int sj_http_bail_post_ack(struct sj_http_ctx *ctx)
{
    return move_alert(ctx, false);
}

int sj_http_bail_post_resolve(struct sj_http_ctx *ctx)
{
    return move_alert(ctx, true);
}

/* ---- Roster ------------------------------------------------------------------------------------
 */

int sj_http_bail_post_roster(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"office_id", "user_id", "start_ms", "end_ms", NULL};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    int64_t office_id = 0, user_id = 0, start = 0, end = 0, id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_id(ctx, "office_id", false, &office_id) < 0 ||
        sj_http_body_id(ctx, "user_id", true, &user_id) < 0 ||
        sj_http_bail_body_int(ctx, "start_ms", true, &start) < 0 ||
        sj_http_bail_body_int(ctx, "end_ms", true, &end) < 0)
        return SJ_EINVAL;
    if (office_id == 0)
        office_id = sj_http_user(ctx)->office_id;
    if (!sj_http_office_visible(ctx, office_id))
        return sj_http_error(ctx, 403, "OFFICE_FORBIDDEN", "无权为该检察院排班");
    if (sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    if (sj_bail_roster_add(&env, &who, office_id, user_id, start, end, &id, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    return sj_http_reply(ctx, 201,
                         json_pack("{s:{s:I, s:I, s:I, s:I, s:I}}", "shift", "id", (json_int_t)id,
                                   "office_id", (json_int_t)office_id, "user_id",
                                   (json_int_t)user_id, "start_ms", (json_int_t)start, "end_ms",
                                   (json_int_t)end));
}

int sj_http_bail_get_on_duty(struct sj_http_ctx *ctx)
{
    int64_t office_id = 0, at = 0, user_id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_query_int(ctx, "office_id", sj_http_user(ctx)->office_id, &office_id) < 0 ||
        sj_http_bail_query_int(ctx, "at_ms", sj_http_now_ms(), &at) < 0)
        return SJ_EINVAL;
    if (!sj_http_office_visible(ctx, office_id))
        return sj_http_error(ctx, 403, "OFFICE_FORBIDDEN", "无权查看该检察院的值班");
    if (sj_bail_on_duty(ctx->store, office_id, at, &user_id, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    return sj_http_reply(ctx, 200,
                         json_pack("{s:I, s:I, s:I}", "office_id", (json_int_t)office_id, "at_ms",
                                   (json_int_t)at, "user_id", (json_int_t)user_id));
}

/* ---- Daily review ------------------------------------------------------------------------------
 */

/* The local day of ?day= (or of the body's "day"), default today. */
static int read_day(struct sj_http_ctx *ctx, const char *text, int64_t *day)
{
    *day = sj_bail_local_day(sj_http_now_ms());
    if (text && sj_bail_day_parse(text, day) < 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "日期“%s”应为 YYYY-MM-DD", text);
    return 0;
}

/* The caller's sign-off of day as {user_id, display_name, signed_at_ms, items}, or JSON null
 * when not signed off; an error reply (and SJ_EDB) when the store fails. */
static int signoff_json(struct sj_http_ctx *ctx, const char *day, json_t **out)
{
    struct sj_store_bail_signoff s;
    bool is_found = false;
    struct sj_err err;
    sj_err_clear(&err);
    *out = NULL;
    if (sj_store_bail_signoff_get(ctx->store, sj_http_user(ctx)->id, day, &s, &is_found, &err) <
        0)
        return sj_http_bail_fail(ctx, &err);
    *out = is_found ? json_pack("{s:I, s:s, s:I, s:I}", "user_id", (json_int_t)s.user_id,
                                "display_name", s.display_name ? s.display_name : "",
                                "signed_at_ms", (json_int_t)s.signed_ms, "items",
                                (json_int_t)s.items)
                    : json_null();
    free(s.display_name);
    return 0;
}

int sj_http_bail_get_review(struct sj_http_ctx *ctx)
{
    struct sj_bail_review_item *items = NULL;
    size_t count = 0, unhandled = 0;
    int64_t day = 0;
    char day_text[11];
    struct sj_err err;
    sj_err_clear(&err);
    if (read_day(ctx, sj_http_query(ctx, "day"), &day) < 0)
        return SJ_EINVAL;
    if (sj_bail_review_queue(ctx->store, sj_http_user(ctx)->id, day, &items, &count, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++) {
        unhandled += !items[i].is_handled;
        json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I, s:s, s:b}", "kind",
                                             sj_bail_review_kind_name(items[i].kind), "id",
                                             (json_int_t)items[i].id, "subject_id",
                                             (json_int_t)items[i].subject_id, "at_ms",
                                             (json_int_t)items[i].at_ms, "status", items[i].status,
                                             "handled", items[i].is_handled));
    }
    free(items);
    sj_bail_day_format(day, day_text);
    json_t *signoff = NULL;
    if (signoff_json(ctx, day_text, &signoff) < 0) {
        json_decref(arr);
        return SJ_EDB;
    }
    return sj_http_reply(ctx, 200,
                         json_pack("{s:s, s:I, s:o, s:b, s:o}", "day", day_text, "unhandled",
                                   (json_int_t)unhandled, "items", arr, "signed_off",
                                   !json_is_null(signoff), "signoff", signoff));
}

int sj_http_bail_post_review_checkins(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"ids", NULL};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_body_only(ctx, fields, true) < 0)
        return SJ_EINVAL;
    json_t *ids = json_object_get(sj_http_body(ctx), "ids");
    size_t n = json_array_size(ids);
    if (!json_is_array(ids) || n == 0 || n > 10000)
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "字段“ids”应为 1 至 10000 个打卡编号的数组");
    int64_t *list = sj_arena_alloc(&ctx->arena, n * sizeof *list);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(ids, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“ids”的第 %zu 项应为正整数",
                                 i + 1);
        list[i] = (int64_t)json_integer_value(v);
    }
    if (sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    if (sj_bail_review_checkins(&env, &who, list, n, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    return sj_http_reply(ctx, 200, json_pack("{s:I}", "reviewed", (json_int_t)n));
}

int sj_http_bail_post_signoff(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"day", NULL};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    const char *text = NULL;
    int64_t day = 0;
    char day_text[11];
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_body_only(ctx, fields, false) < 0 ||
        sj_http_body_string(ctx, "day", false, &text) < 0 || read_day(ctx, text, &day) < 0 ||
        sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    int rc = sj_bail_review_signoff(&env, &who, day, &err);
    if (rc == SJ_EPERM)
        return sj_http_error(ctx, 409, "BAIL_REVIEW_UNHANDLED", "%s", err.message);
    if (rc == SJ_EEXIST)
        return sj_http_error(ctx, 409, "BAIL_ALREADY_SIGNED_OFF", "%s", err.message);
    if (rc < 0)
        return sj_http_bail_fail(ctx, &err);
    sj_bail_day_format(day, day_text);
    return sj_http_reply(ctx, 200, json_pack("{s:s, s:b}", "day", day_text, "signed_off", 1));
}

/* ---- The sweep (operator) ----------------------------------------------------------------------
 */

int sj_http_bail_post_sweep(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"at_ms", NULL};
    struct sj_bail_sweep_counts c = {0};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_body_only(ctx, fields, false) < 0 || sj_http_bail_env(ctx, &env, &who) < 0 ||
        sj_http_bail_body_int(ctx, "at_ms", false, &who.now_ms) < 0)
        return SJ_EINVAL;
    who.user_id = 0; /* the sweep acts as the system, started by this admin */
    who.name = sj_arena_sprintf(&ctx->arena, "system/%s", sj_http_user(ctx)->username);
    if (sj_bail_sweep(&env, &who, &c, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    return sj_http_reply(ctx, 200,
                         json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "at_ms",
                                   (json_int_t)who.now_ms, "missed", (json_int_t)c.missed, "silent",
                                   (json_int_t)c.silent, "overrun", (json_int_t)c.overrun,
                                   "returned", (json_int_t)c.returned, "escalated",
                                   (json_int_t)c.escalated));
}
