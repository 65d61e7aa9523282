/*
 * auth.c - who is asking: the session cookie, the CSRF header on state-changing requests,
 * and the route's roles. Order matters: no session -> 401; a state-changing request without
 * the session's CSRF token -> 403 CSRF_FAILED (before anything else is revealed); a role
 * the route does not allow -> 403 FORBIDDEN.
 *
 * The cookie is HttpOnly and SameSite=Strict; over TLS it is also Secure and carries the
 * __Host- prefix, which browsers only accept from a secure origin for path "/".
 */
#include <inttypes.h>
#include <string.h>

#include "http/http_int.h"

#define COOKIE_PLAIN "sj_session"
#define COOKIE_TLS "__Host-sj_session"

static const char *cookie_name(const struct sj_http_ctx *ctx)
{
    return ctx->req->is_tls ? COOKIE_TLS : COOKIE_PLAIN;
}

struct sj_str sj_http_cookie_token(struct sj_http_ctx *ctx)
{
    const char *name = cookie_name(ctx);
    for (size_t i = 0; i < ctx->req->cookie_count; i++) {
        const struct sj_http_kv *kv = &ctx->req->cookies[i];
        if (kv->key && kv->value && strcmp(kv->key, name) == 0)
            return sj_str_from_cstr(kv->value);
    }
    return sj_str_make("", 0);
}

void sj_http_set_session_cookie(struct sj_http_ctx *ctx, const char *token, int64_t max_age_s)
{
    const char *secure = ctx->req->is_tls ? "; Secure" : "";
    const char *value =
        token ? sj_arena_sprintf(&ctx->arena,
                                 "%s=%s; Path=/; Max-Age=%" PRId64 "; HttpOnly; SameSite=Strict%s",
                                 cookie_name(ctx), token, max_age_s, secure)
              : sj_arena_sprintf(&ctx->arena, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
                                 cookie_name(ctx), secure);
    sj_http_add_header(ctx, "Set-Cookie", value);
}

static bool is_state_changing(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

/* Looks the session up; replies 401 when there is none. */
static int find_session(struct sj_http_ctx *ctx)
{
    struct sj_err err;
    sj_err_clear(&err);
    struct sj_str token = sj_http_cookie_token(ctx);
    if (token.len == 0)
        return sj_http_error(ctx, 401, "UNAUTHENTICATED", "请先登录");
    int rc = sj_session_check(ctx->store, token, sj_http_now_ms(), &ctx->app->policy, &ctx->session,
                              &err);
    if (rc < 0)
        return sj_http_fail(ctx, &err);
    if (ctx->session.status == SJ_SESSION_EXPIRED) {
        sj_http_set_session_cookie(ctx, NULL, 0);
        return sj_http_error(ctx, 401, "SESSION_EXPIRED", "登录已超时，请重新登录");
    }
    if (ctx->session.status != SJ_SESSION_OK) {
        sj_http_set_session_cookie(ctx, NULL, 0);
        return sj_http_error(ctx, 401, "UNAUTHENTICATED", "登录已失效，请重新登录");
    }
    ctx->has_session = true;
    ctx->token = sj_str_make(sj_arena_strndup(&ctx->arena, token.ptr, token.len), token.len);
    return 0;
}

int sj_http_authorize(struct sj_http_ctx *ctx)
{
    if (ctx->route->roles == 0)
        return 0;
    int rc = find_session(ctx);
    if (rc < 0)
        return rc;
    if (is_state_changing(ctx->req->method)) {
        const char *csrf = sj_http_header(ctx, "X-CSRF-Token");
        if (!csrf || !sj_session_csrf_is_valid(ctx->token, sj_str_from_cstr(csrf)))
            return sj_http_error(ctx, 403, "CSRF_FAILED",
                                 "缺少或错误的 X-CSRF-Token 请求头，请刷新页面后重试");
    }
    if (!(ctx->route->roles & SJ_ROLE_BIT(ctx->session.user.role)))
        return sj_http_error(ctx, 403, "FORBIDDEN", "当前角色（%s）无权执行此操作",
                             sj_role_label(ctx->session.user.role));
    return 0;
}
