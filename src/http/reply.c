/*
 * reply.c - what handlers call: the request's parts (params, query, headers, body members),
 * answers and errors in the one error shape {"code", "message"}, mapping store errors to
 * HTTP statuses, and the JSON shapes of users and offices that several resources share.
 *
 * Invariant: internal details (SQL errors, paths) go to the log, never to the client.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/http_int.h"
#include "shujian/json.h"

/* ---- The request ---------------------------------------------------------------------------- */

struct sj_arena *sj_http_arena(struct sj_http_ctx *ctx)
{
    return &ctx->arena;
}

struct sj_store *sj_http_store(struct sj_http_ctx *ctx)
{
    return ctx->store;
}

const struct sj_user *sj_http_user(const struct sj_http_ctx *ctx)
{
    return ctx->has_session ? &ctx->session.user : NULL;
}

struct sj_str sj_http_session_token(const struct sj_http_ctx *ctx)
{
    return ctx->has_session ? ctx->token : sj_str_make("", 0);
}

const struct sj_session *sj_http_session(const struct sj_http_ctx *ctx)
{
    return ctx->has_session ? &ctx->session : NULL;
}

const struct sj_auth_policy *sj_http_policy(const struct sj_http_ctx *ctx)
{
    return &ctx->app->policy;
}

const struct sj_http_request *sj_http_request(const struct sj_http_ctx *ctx)
{
    return ctx->req;
}

const char *sj_http_param(const struct sj_http_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->param_count; i++) {
        if (strcmp(ctx->param_names[i], name) == 0)
            return ctx->param_values[i];
    }
    return NULL;
}

int64_t sj_http_param_id(const struct sj_http_ctx *ctx, const char *name)
{
    const char *text = sj_http_param(ctx, name);
    int64_t v = 0;
    if (!text || !*text || strlen(text) > 18)
        return 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

static const char *find_kv(const struct sj_http_kv *kv, size_t count, const char *name,
                           bool is_caseless)
{
    for (size_t i = 0; i < count; i++) {
        if (kv[i].key && (is_caseless ? strcasecmp(kv[i].key, name) : strcmp(kv[i].key, name)) == 0)
            return kv[i].value ? kv[i].value : "";
    }
    return NULL;
}

const char *sj_http_query(const struct sj_http_ctx *ctx, const char *name)
{
    return find_kv(ctx->req->query, ctx->req->query_count, name, false);
}

const char *sj_http_header(const struct sj_http_ctx *ctx, const char *name)
{
    return find_kv(ctx->req->headers, ctx->req->header_count, name, true);
}

json_t *sj_http_body(const struct sj_http_ctx *ctx)
{
    return ctx->body;
}

/* ---- Answers -------------------------------------------------------------------------------- */

int sj_http_reply(struct sj_http_ctx *ctx, int status, json_t *body)
{
    json_decref(ctx->reply);
    ctx->has_reply = true;
    ctx->status = status;
    ctx->reply = body;
    return 0;
}

int sj_http_error(struct sj_http_ctx *ctx, int status, const char *code, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_t *body = json_object();
    json_object_set_new(body, "code", json_string(code));
    json_object_set_new(body, "message", sj_http_json_string(message));
    sj_http_reply(ctx, status, body);
    return SJ_EINVAL;
}

int sj_http_fail(struct sj_http_ctx *ctx, const struct sj_err *err)
{
    int code = err && err->code ? err->code : SJ_EDB;
    const char *msg = err ? err->message : "";
    switch (code) {
    case SJ_EINVAL:
    case SJ_EFORMAT:
    case SJ_EUSAGE:
        sj_http_error(ctx, 400, "INVALID_FIELD", "%s", msg);
        break;
    case SJ_ENOTFOUND:
        sj_http_error(ctx, 404, "NOT_FOUND", "%s", msg);
        break;
    case SJ_EEXIST:
        sj_http_error(ctx, 409, "CONFLICT", "%s", msg);
        break;
    case SJ_EPERM:
        sj_http_error(ctx, 403, "FORBIDDEN", "%s", msg);
        break;
    case SJ_ETOOBIG:
        sj_http_error(ctx, 413, "BODY_TOO_LARGE", "%s", msg);
        break;
    default:
        SJ_ERROR("%s %s: %s", ctx->req->method, ctx->req->path, msg);
        if (strstr(msg, "另一个程序使用"))
            sj_http_error(ctx, 503, "BUSY", "工作区正忙，请稍后再试");
        else
            sj_http_error(ctx, 500, "INTERNAL", "服务器内部错误，请联系管理员查看日志");
        break;
    }
    return code;
}

void sj_http_add_header(struct sj_http_ctx *ctx, const char *name, const char *value)
{
    if (ctx->header_count == SJ_HTTP_REPLY_HEADERS_MAX) {
        SJ_WARN("too many response headers; dropping %s", name);
        return;
    }
    struct sj_http_kv *kv = &ctx->headers[ctx->header_count++];
    kv->key = sj_arena_strndup(&ctx->arena, name, strlen(name));
    kv->value = sj_arena_strndup(&ctx->arena, value, strlen(value));
}

bool sj_http_office_visible(struct sj_http_ctx *ctx, int64_t office_id)
{
    struct sj_err err;
    bool visible = false;
    sj_err_clear(&err);
    if (!ctx->has_session)
        return false;
    if (sj_office_is_visible(ctx->store, ctx->session.user.office_id, office_id, &visible, &err) <
        0) {
        SJ_ERROR("checking office scope: %s", err.message);
        return false;
    }
    return visible;
}

/* ---- Body members --------------------------------------------------------------------------- */

int sj_http_body_string(struct sj_http_ctx *ctx, const char *key, bool is_required,
                        const char **out)
{
    json_t *v = ctx->body ? json_object_get(ctx->body, key) : NULL;
    *out = NULL;
    if (!v && !is_required)
        return 0;
    if (!v)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "缺少字段“%s”", key);
    if (!json_is_string(v))
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“%s”应为字符串", key);
    *out = json_string_value(v);
    if (strlen(*out) != json_string_length(v))
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“%s”不能含有 NUL 字符", key);
    return 0;
}

int sj_http_body_id(struct sj_http_ctx *ctx, const char *key, bool is_required, int64_t *out)
{
    json_t *v = ctx->body ? json_object_get(ctx->body, key) : NULL;
    *out = 0;
    if (!v && !is_required)
        return 0;
    if (!v)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "缺少字段“%s”", key);
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“%s”应为正整数", key);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int sj_http_body_only(struct sj_http_ctx *ctx, const char *const *allowed, bool is_required)
{
    const char *key;
    json_t *v;
    if (!ctx->body)
        return is_required ? sj_http_error(ctx, 400, "INVALID_FIELD", "请求体不能为空") : 0;
    json_object_foreach(ctx->body, key, v)
    {
        bool is_known = false;
        for (size_t i = 0; allowed[i] && !is_known; i++)
            is_known = strcmp(allowed[i], key) == 0;
        if (!is_known)
            return sj_http_error(ctx, 400, "INVALID_FIELD", "未知字段“%s”", key);
    }
    return 0;
}

/* ---- Time ----------------------------------------------------------------------------------- */

int64_t sj_http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *sj_http_iso_time(struct sj_http_ctx *ctx, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return sj_arena_strndup(&ctx->arena, buf, strlen(buf));
}

/* ---- Shared JSON shapes -----------------------------------------------------------------------
 */

json_t *sj_http_json_string(const char *s)
{
    return sj_json_string(s);
}

json_t *sj_http_user_json(const struct sj_user *user)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(user->id));
    json_object_set_new(o, "username", sj_http_json_string(user->username));
    json_object_set_new(o, "display_name", sj_http_json_string(user->display_name));
    json_object_set_new(o, "role", json_string(sj_role_name(user->role)));
    json_object_set_new(o, "role_label", json_string(sj_role_label(user->role)));
    json_object_set_new(o, "office_id", json_integer(user->office_id));
    json_object_set_new(o, "disabled", json_boolean(user->is_disabled));
    json_object_set_new(o, "created_at", sj_http_json_string(user->created_at));
    json_object_set_new(o, "updated_at", sj_http_json_string(user->updated_at));
    return o;
}

json_t *sj_http_office_json(const struct sj_office *office)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(office->id));
    json_object_set_new(o, "code", sj_http_json_string(office->code));
    json_object_set_new(o, "name", sj_http_json_string(office->name));
    json_object_set_new(o, "level",
                        json_string(office->level == SJ_OFFICE_CITY ? "city" : "county"));
    json_object_set_new(o, "parent_id",
                        office->parent_id ? json_integer(office->parent_id) : json_null());
    json_object_set_new(o, "created_at", sj_http_json_string(office->created_at));
    return o;
}
