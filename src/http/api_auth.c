/*
 * api_auth.c - signing in and out: POST /api/v1/login (public), POST /api/v1/logout and
 * GET /api/v1/me (every role). A login answers the same way for an unknown name and a wrong
 * password; throttled and locked names get 429 with Retry-After. The session token travels
 * only in the HttpOnly cookie; the CSRF token is in the JSON and must come back in the
 * X-CSRF-Token header of every state-changing request. Logins and logouts are recorded in
 * the ledger (audit.c) before they are answered.
 */
#include <stdio.h>

#include "http/http_int.h"
#include "http/platform_int.h"

static json_t *session_json(struct sj_http_ctx *ctx, int64_t expires_ms, int64_t idle_ms)
{
    return json_pack("{s:s, s:s, s:I}", "expires_at", sj_http_iso_time(ctx, expires_ms),
                     "idle_expires_at", sj_http_iso_time(ctx, idle_ms), "idle_timeout_seconds",
                     (json_int_t)(sj_http_policy(ctx)->idle_ms / 1000));
}

static int refuse_login(struct sj_http_ctx *ctx, const struct sj_login *login)
{
    char retry[32];
    int64_t seconds = (login->retry_after_ms + 999) / 1000;
    snprintf(retry, sizeof retry, "%lld", (long long)(seconds > 0 ? seconds : 1));
    switch (login->status) {
    case SJ_LOGIN_THROTTLED:
        sj_http_add_header(ctx, "Retry-After", retry);
        return sj_http_error(ctx, 429, "LOGIN_THROTTLED", "登录尝试过于频繁，请 %s 秒后再试",
                             retry);
    case SJ_LOGIN_LOCKED:
        sj_http_add_header(ctx, "Retry-After", retry);
        return sj_http_error(ctx, 429, "ACCOUNT_LOCKED",
                             "连续登录失败次数过多，账号已暂时锁定，请 %lld 分钟后再试",
                             (long long)((seconds + 59) / 60));
    case SJ_LOGIN_DISABLED:
        return sj_http_error(ctx, 403, "ACCOUNT_DISABLED", "账号已停用，请联系管理员");
    default:
        return sj_http_error(ctx, 401, "BAD_CREDENTIALS", "用户名或密码错误");
    }
}

static int post_login(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"username", "password", NULL};
    const char *username = NULL, *password = NULL;
    struct sj_login login;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "username", true, &username) < 0 ||
        sj_http_body_string(ctx, "password", true, &password) < 0)
        return SJ_EINVAL;
    int64_t now = sj_http_now_ms();
    if (sj_login(sj_http_store(ctx), username, password, now, sj_http_policy(ctx), &login, &err) <
        0)
        return sj_http_fail(ctx, &err);
    if (login.status != SJ_LOGIN_OK) {
        refuse_login(ctx, &login);
        sj_login_release(&login);
        return 0;
    }
    if (sj_http_audit(ctx, &login.user, "user.login", "user", login.user.id, NULL) < 0) {
        sj_session_end(sj_http_store(ctx), sj_str_from_cstr(login.token), NULL);
        sj_login_release(&login);
        return SJ_EINVAL;
    }
    /* A session the browser still held is replaced, not left behind. */
    struct sj_str old = sj_http_cookie_token(ctx);
    if (old.len)
        sj_session_end(sj_http_store(ctx), old, NULL);
    int64_t idle_end = now + sj_http_policy(ctx)->idle_ms;
    json_t *body = json_object();
    json_object_set_new(body, "user", sj_http_user_json(&login.user));
    json_object_set_new(body, "csrf_token", json_string(login.csrf));
    json_object_set_new(body, "session",
                        session_json(ctx, login.expires_ms,
                                     idle_end < login.expires_ms ? idle_end : login.expires_ms));
    sj_http_set_session_cookie(ctx, login.token, (login.expires_ms - now) / 1000);
    sj_login_release(&login);
    return sj_http_reply(ctx, 200, body);
}

static int post_logout(struct sj_http_ctx *ctx)
{
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_session_end(sj_http_store(ctx), sj_http_session_token(ctx), &err) < 0)
        return sj_http_fail(ctx, &err);
    const struct sj_user *user = sj_http_user(ctx);
    if (sj_http_audit(ctx, user, "user.logout", "user", user->id, NULL) < 0)
        return SJ_EINVAL;
    sj_http_set_session_cookie(ctx, NULL, 0);
    return sj_http_reply(ctx, 200, json_pack("{s:s}", "status", "ok"));
}

static int get_me(struct sj_http_ctx *ctx)
{
    const struct sj_user *user = sj_http_user(ctx);
    const struct sj_session *session = sj_http_session(ctx);
    struct sj_office office;
    struct sj_err err;
    char csrf[SJ_CSRF_TOKEN_LEN + 1];
    sj_err_clear(&err);
    if (sj_office_get(sj_http_store(ctx), user->office_id, &office, &err) < 0)
        return sj_http_fail(ctx, &err);
    sj_session_csrf(sj_http_session_token(ctx), csrf);
    json_t *body = json_object();
    json_object_set_new(body, "user", sj_http_user_json(user));
    json_object_set_new(body, "office", sj_http_office_json(&office));
    json_object_set_new(body, "csrf_token", json_string(csrf));
    json_object_set_new(body, "session",
                        session_json(ctx, session->expires_ms, session->idle_expires_ms));
    sj_office_release(&office);
    return sj_http_reply(ctx, 200, body);
}

static const struct sj_http_route routes[] = {
    {"POST", "/api/v1/login", 0, post_login, 4096},
    {"POST", "/api/v1/logout", SJ_ROLES_ALL, post_logout, 4096},
    {"GET", "/api/v1/me", SJ_ROLES_ALL, get_me, 0},
};

const struct sj_http_resource sj_http_api_auth = {"auth", routes, SJ_ARRAY_LEN(routes)};
