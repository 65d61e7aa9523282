/*
 * dispatch.c - one request, start to finish, without sockets: route, take a store from the
 * pool, authorize, parse the JSON body, run the handler, mask, serialize. Also the pool of
 * SQLite connections (a struct sj_store is single-threaded, so each request borrows one for
 * its whole life and gives it back).
 *
 * Invariants: every path ends with exactly one answer; an answer always carries the same
 * security headers; a store is given back on every path, after masking (which may record a
 * reveal through it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http_int.h"
#include "http/platform_int.h"
#include "shujian/web_assets.h"

/* ---- The application and its pool ------------------------------------------------------------ */

int sj_http_app_new(const struct sj_http_app_options *options, struct sj_http_app **out,
                    struct sj_err *err)
{
    struct sj_http_app *app = sj_xcalloc(1, sizeof *app);
    int rc = 0;
    app->policy = options->policy;
    atomic_init(&app->is_stopping, false);
    app->store_count = options->stores ? options->stores : 1;
    app->stores = sj_xcalloc(app->store_count, sizeof *app->stores);
    app->ledgers = sj_xcalloc(app->store_count, sizeof *app->ledgers);
    app->is_busy = sj_xcalloc(app->store_count, sizeof *app->is_busy);
    pthread_mutex_init(&app->lock, NULL);
    pthread_cond_init(&app->is_free, NULL);
    for (unsigned i = 0; i < app->store_count && rc == 0; i++)
        rc = sj_store_open(options->workspace, true, &app->stores[i], err);
    if (rc == 0)
        rc = sj_http_platform_new(options->workspace, &app->platform, err);
    if (rc < 0) {
        sj_http_app_free(app);
        app = NULL;
    }
    *out = app;
    return rc;
}

void sj_http_app_free(struct sj_http_app *app)
{
    if (!app)
        return;
    sj_http_platform_free(app->platform); /* its threads finish before the stores close */
    for (unsigned i = 0; i < app->store_count; i++) {
        sj_ledger_close(app->ledgers[i]); /* it borrows the store */
        sj_store_close(app->stores[i]);
    }
    pthread_cond_destroy(&app->is_free);
    pthread_mutex_destroy(&app->lock);
    free(app->stores);
    free(app->ledgers);
    free(app->is_busy);
    free(app);
}

static void take_store(struct sj_http_ctx *ctx)
{
    struct sj_http_app *app = ctx->app;
    pthread_mutex_lock(&app->lock);
    for (;;) {
        for (unsigned i = 0; i < app->store_count; i++) {
            if (!app->is_busy[i]) {
                app->is_busy[i] = true;
                ctx->store = app->stores[i];
                ctx->store_index = i;
                pthread_mutex_unlock(&app->lock);
                return;
            }
        }
        pthread_cond_wait(&app->is_free, &app->lock);
    }
}

static void give_store(struct sj_http_ctx *ctx)
{
    if (!ctx->store)
        return;
    struct sj_http_app *app = ctx->app;
    pthread_mutex_lock(&app->lock);
    app->is_busy[ctx->store_index] = false;
    ctx->store = NULL;
    pthread_cond_signal(&app->is_free);
    pthread_mutex_unlock(&app->lock);
}

/* ---- The body ------------------------------------------------------------------------------- */

static bool is_json_type(const char *type)
{
    if (!type)
        return false;
    size_t n = strlen("application/json");
    return strncasecmp(type, "application/json", n) == 0 &&
           (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

static int parse_body(struct sj_http_ctx *ctx)
{
    json_error_t jerr;
    struct sj_str body = ctx->req->body;
    if (sj_str_trim(body).len == 0)
        return 0;
    if (sj_http_route_is_raw(ctx->route) && !is_json_type(sj_http_header(ctx, "Content-Type")))
        return 0; /* an upload: the handler reads the body as sent */
    if (!is_json_type(sj_http_header(ctx, "Content-Type")))
        return sj_http_error(ctx, 415, "UNSUPPORTED_MEDIA_TYPE",
                             "请求体须为 JSON，Content-Type 应为 application/json");
    ctx->body = json_loadb(body.ptr, body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!ctx->body)
        return sj_http_error(ctx, 400, "BAD_JSON", "请求体不是有效的 JSON（第 %d 行第 %d 列）：%s",
                             jerr.line, jerr.column, jerr.text);
    if (!json_is_object(ctx->body))
        return sj_http_error(ctx, 400, "BAD_JSON", "请求体应为 JSON 对象");
    return 0;
}

/* ---- Masking and reveals -------------------------------------------------------------------- */

static bool may_reveal(const struct sj_http_ctx *ctx)
{
    const char *reveal = sj_http_query(ctx, "reveal");
    if (!ctx->has_session || !reveal || strcmp(reveal, "1") != 0)
        return false;
    enum sj_role role = ctx->session.user.role;
    return role == SJ_ROLE_ADMIN || role == SJ_ROLE_PROSECUTOR;
}

static void mask_reply(struct sj_http_ctx *ctx)
{
    if (!ctx->reply)
        return;
    if (may_reveal(ctx)) {
        size_t count = sj_http_mask_json(ctx->reply, true);
        if (count == 0 || sj_http_record_reveal(ctx, count) == 0)
            return;
        SJ_WARN("a reveal could not be recorded; answering masked");
    }
    sj_http_mask_json(ctx->reply, false);
}

/* ---- The answer ----------------------------------------------------------------------------- */

static void put_header(struct sj_http_response *resp, const char *key, const char *value)
{
    resp->headers = sj_xrealloc(resp->headers, (resp->header_count + 1) * sizeof *resp->headers);
    resp->headers[resp->header_count].key = sj_xstrdup(key);
    resp->headers[resp->header_count].value = sj_xstrdup(value);
    resp->header_count++;
}

static void finish(struct sj_http_ctx *ctx, struct sj_http_response *resp)
{
    if (!ctx->has_reply)
        sj_http_error(ctx, 500, "INTERNAL", "服务器内部错误，请联系管理员查看日志");
    mask_reply(ctx);
    resp->status = ctx->status;
    if (ctx->raw_reply) { /* bytes the handler masked itself (platform_int.h) */
        resp->body = ctx->raw_reply;
        resp->body_len = ctx->raw_reply_len;
        ctx->raw_reply = NULL;
    } else if (ctx->reply) {
        resp->body = json_dumps(ctx->reply, JSON_COMPACT);
        resp->body_len = resp->body ? strlen(resp->body) : 0;
    }
    put_header(resp, "Content-Type",
               ctx->raw_type ? ctx->raw_type : "application/json; charset=utf-8");
    put_header(resp, "Cache-Control", "no-store");
    put_header(resp, "X-Content-Type-Options", "nosniff");
    put_header(resp, "X-Frame-Options", "DENY");
    put_header(resp, "Referrer-Policy", "no-referrer");
    put_header(resp, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (ctx->req->is_tls)
        put_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (atomic_load(&ctx->app->is_stopping))
        put_header(resp, "Connection", "close");
    for (size_t i = 0; i < ctx->header_count; i++)
        put_header(resp, ctx->headers[i].key, ctx->headers[i].value);
}

void sj_http_response_release(struct sj_http_response *resp)
{
    if (!resp)
        return;
    free(resp->body);
    for (size_t i = 0; i < resp->header_count; i++) {
        free((char *)resp->headers[i].key);
        free((char *)resp->headers[i].value);
    }
    free(resp->headers);
    memset(resp, 0, sizeof *resp);
}

/* ---- One request ---------------------------------------------------------------------------- */

/* Routing and the checks that need no store. Returns 0 when ctx->route is set. */
static int route(struct sj_http_ctx *ctx)
{
    const char *allow = NULL;
    const struct sj_http_request *req = ctx->req;
    if (req->uri_len > SJ_HTTP_URI_MAX)
        return sj_http_error(ctx, 414, "URI_TOO_LONG", "请求地址过长（超过 %d 字节）",
                             SJ_HTTP_URI_MAX);
    enum sj_http_match m = sj_http_route_find(ctx, req->method, req->path, &ctx->route, &allow);
    if (m == SJ_HTTP_MATCH_PATH) {
        sj_http_add_header(ctx, "Allow", allow ? allow : "");
        return sj_http_error(ctx, 405, "METHOD_NOT_ALLOWED", "此地址不支持 %s 方法", req->method);
    }
    if (m == SJ_HTTP_MATCH_NONE)
        return sj_http_error(ctx, 404, "NOT_FOUND", "没有这个接口");
    size_t max = ctx->route->body_max ? ctx->route->body_max : SJ_HTTP_BODY_MAX;
    if (req->body.len > max)
        return sj_http_error(ctx, 413, "BODY_TOO_LARGE", "请求体过大（上限 %zu 字节）", max);
    return 0;
}

static void log_request(const struct sj_http_ctx *ctx, int64_t started_ms)
{
    const char *who = ctx->has_session ? ctx->session.user.username : "-";
    SJ_INFO("%s %s %s %d %lldms user=%s", ctx->req->peer ? ctx->req->peer : "", ctx->req->method,
            ctx->req->path, ctx->status, (long long)(sj_http_now_ms() - started_ms), who);
}

void sj_http_handle(struct sj_http_app *app, const struct sj_http_request *req,
                    struct sj_http_response *resp)
{
    struct sj_http_ctx ctx = {.app = app, .req = req};
    int64_t started_ms = sj_http_now_ms();
    memset(resp, 0, sizeof *resp);
    /* Everything outside /api/ and /healthz is the embedded web UI. */
    if (sj_web_respond(req, resp))
        return;
    sj_arena_init(&ctx.arena, 0);
    int rc = route(&ctx);
    if (rc == 0) {
        take_store(&ctx);
        rc = sj_http_authorize(&ctx);
    }
    if (rc == 0)
        rc = parse_body(&ctx);
    if (rc == 0) {
        rc = ctx.route->handler(&ctx);
        if (rc < 0 && !ctx.has_reply)
            sj_http_error(&ctx, 500, "INTERNAL", "服务器内部错误，请联系管理员查看日志");
    }
    finish(&ctx, resp);
    log_request(&ctx, started_ms);
    give_store(&ctx);
    json_decref(ctx.body);
    json_decref(ctx.reply);
    free(ctx.raw_reply);
    sj_session_release(&ctx.session);
    sj_arena_release(&ctx.arena);
}

void sj_http_handle_error(struct sj_http_app *app, const struct sj_http_request *req, int status,
                          const char *code, const char *message, struct sj_http_response *resp)
{
    struct sj_http_ctx ctx = {.app = app, .req = req};
    memset(resp, 0, sizeof *resp);
    sj_arena_init(&ctx.arena, 4096);
    sj_http_error(&ctx, status, code, "%s", message);
    finish(&ctx, resp);
    log_request(&ctx, sj_http_now_ms());
    json_decref(ctx.reply);
    sj_arena_release(&ctx.arena);
}
