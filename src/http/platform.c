/*
 * platform.c - what the platform API's resource files share: the platform (writer and job
 * pool) the app owns, the offices a request may see, ledger records of the signed-in user,
 * submitting writes and answering their failures, query parameters, and answers that are
 * bytes rather than JSON (the XLSX export).
 *
 * Invariant: scope is computed on the server from the session's office on every request;
 * ?office_id only ever narrows it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/platform_int.h"

/* ---- The platform ------------------------------------------------------------------------------
 */

int sj_http_platform_new(const char *workspace, struct sj_http_platform **out, struct sj_err *err)
{
    struct sj_http_platform *p = sj_xcalloc(1, sizeof *p);
    p->workspace = sj_xstrdup(workspace);
    int rc = sj_http_writer_new(workspace, &p->writer, err);
    if (rc == 0)
        rc = sj_http_jobs_new(p, workspace, SJ_HTTP_JOB_WORKERS, &p->jobs, err);
    if (rc < 0) {
        sj_http_platform_free(p);
        p = NULL;
    }
    *out = p;
    return rc;
}

void sj_http_platform_free(struct sj_http_platform *p)
{
    if (!p)
        return;
    sj_http_jobs_free(p->jobs); /* jobs may still submit writes: stop them first */
    sj_http_writer_free(p->writer);
    free(p->workspace);
    free(p);
}

struct sj_http_platform *sj_http_platform_of(struct sj_http_ctx *ctx)
{
    return ctx->app->platform;
}

/* ---- Scope
 * ----------------------------------------------------------------------------------------- */

bool sj_http_scope_has(struct sj_office_set set, int64_t office)
{
    for (size_t i = 0; i < set.count; i++) {
        if (set.ids[i] == office)
            return true;
    }
    return false;
}

int sj_http_scope(struct sj_http_ctx *ctx, struct sj_office_set *out)
{
    struct sj_office *list = NULL;
    size_t count = 0;
    struct sj_err err;
    int64_t only = 0;
    sj_err_clear(&err);
    memset(out, 0, sizeof *out);
    if (sj_http_query_int(ctx, "office_id", 0, 1, INT64_MAX, &only) < 0)
        return SJ_EINVAL;
    const struct sj_user *user = sj_http_user(ctx);
    if (!user)
        return sj_http_error(ctx, 401, "UNAUTHENTICATED", "请先登录");
    if (sj_office_list(ctx->store, user->office_id, &list, &count, &err) < 0)
        return sj_http_fail(ctx, &err);
    int64_t *ids = sj_arena_alloc(&ctx->arena, (count ? count : 1) * sizeof *ids);
    for (size_t i = 0; i < count; i++)
        ids[i] = list[i].id;
    sj_office_list_free(list, count);
    *out = (struct sj_office_set){ids, count};
    if (only == 0)
        return 0;
    if (!sj_http_scope_has(*out, only))
        return sj_http_error(ctx, 403, "OFFICE_FORBIDDEN", "无权查看该检察院的数据");
    ids[0] = only;
    out->count = 1;
    return 0;
}

/* ---- Ledger records and writes ------------------------------------------------------------------
 */

int sj_http_record(struct sj_http_ctx *ctx, const char *action, const char *object_type,
                   const char *object_id, json_t *payload, struct sj_ledger_record *out)
{
    return sj_http_record_as(ctx, sj_http_user(ctx), action, object_type, object_id, payload,
                             out);
}

int sj_http_record_as(struct sj_http_ctx *ctx, const struct sj_user *user, const char *action,
                      const char *object_type, const char *object_id, json_t *payload,
                      struct sj_ledger_record *out)
{
    struct sj_office office = {0};
    struct sj_err err;
    sj_err_clear(&err);
    memset(out, 0, sizeof *out);
    if (!user || sj_office_get(ctx->store, user->office_id, &office, &err) < 0) {
        json_decref(payload);
        return sj_http_fail(ctx, &err);
    }
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(payload);
    out->actor = user->username;
    out->office = sj_arena_strndup(&ctx->arena, office.code, strlen(office.code));
    out->action = action;
    out->object_type = object_type;
    out->object_id = sj_arena_strndup(&ctx->arena, object_id, strlen(object_id));
    out->from = ctx->req->peer ? ctx->req->peer : "";
    out->payload_json = sj_arena_strndup(&ctx->arena, text ? text : "{}", text ? strlen(text) : 2);
    free(text);
    sj_office_release(&office);
    return 0;
}

int sj_http_job_start(struct sj_http_ctx *ctx, const char *kind, json_t *input, sj_http_job_fn run,
                      void *arg, void (*free_arg)(void *arg))
{
    return sj_http_job_start_sized(ctx, kind, input, 0, run, arg, free_arg);
}

int sj_http_job_start_sized(struct sj_http_ctx *ctx, const char *kind, json_t *input,
                            int64_t bytes_total, sj_http_job_fn run, void *arg,
                            void (*free_arg)(void *arg))
{
    const struct sj_user *user = sj_http_user(ctx);
    struct sj_office office = {0};
    struct sj_err err;
    int64_t id = 0;
    sj_err_clear(&err);
    if (sj_office_get(ctx->store, user->office_id, &office, &err) < 0) {
        json_decref(input);
        free_arg(arg);
        return sj_http_fail(ctx, &err);
    }
    struct sj_http_job_spec spec = {
        .kind = kind,
        .office_id = user->office_id,
        .actor = user->username,
        .office_code = office.code,
        .peer = ctx->req->peer,
        .input = input,
        .run = run,
        .arg = arg,
        .free_arg = free_arg,
        .bytes_total = bytes_total,
    };
    int rc = sj_http_jobs_submit(ctx->app->platform->jobs, &spec, &id, &err);
    sj_office_release(&office);
    if (rc < 0) {
        free_arg(arg);
        return sj_http_error(ctx, 503, "JOB_QUEUE_FULL", "%s", err.message);
    }
    json_t *job = sj_http_jobs_get(ctx->app->platform->jobs, id, &id);
    return sj_http_reply(ctx, 202, json_pack("{s:o}", "job", job ? job : json_null()));
}

int sj_http_need_ledger(struct sj_http_ctx *ctx)
{
    if (sj_http_writer_has_ledger(ctx->app->platform->writer))
        return 0;
    sj_http_error(ctx, 503, "LEDGER_MISSING",
                  "工作区尚未建立审计账本，所有写操作均须留痕；请管理员先运行 shujian ledger init");
    return SJ_ENOTFOUND;
}

int sj_http_write(struct sj_http_ctx *ctx, struct sj_http_write *w)
{
    int rc = sj_http_writer_submit(ctx->app->platform->writer, w);
    if (rc == 0)
        return 0;
    if (!w->is_ledger_failed) {
        sj_http_fail(ctx, &w->err);
        return rc;
    }
    /* The entry could not be appended, so the change was rolled back with it. */
    SJ_ERROR("%s %s: the ledger entry failed, the change was undone: %s", ctx->req->method,
             ctx->req->path, w->err.message);
    sj_http_error(ctx, 500, "LEDGER_FAILED", "写入审计账本失败，操作未执行，请联系管理员");
    return rc;
}

/* ---- Query parameters
 * ---------------------------------------------------------------------------- */

int sj_http_query_int(struct sj_http_ctx *ctx, const char *name, int64_t def, int64_t min,
                      int64_t max, int64_t *out)
{
    const char *text = sj_http_query(ctx, name);
    *out = def;
    if (!text || !*text)
        return 0;
    int64_t v = 0;
    const char *p = text;
    bool is_negative = *p == '-';
    if (is_negative)
        p++;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
            goto bad;
        v = v * 10 + (*p - '0');
    }
    if (p == text + is_negative)
        goto bad;
    v = is_negative ? -v : v;
    if (v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    return sj_http_error(ctx, 400, "INVALID_FIELD", "参数“%s”应为 %lld 到 %lld 之间的整数", name,
                         (long long)min, (long long)max);
}

int sj_http_query_date(struct sj_http_ctx *ctx, const char *name, const char **out)
{
    const char *text = sj_http_query(ctx, name);
    *out = NULL;
    if (!text || !*text)
        return 0;
    bool is_ok = strlen(text) == 10 && text[4] == '-' && text[7] == '-';
    for (int i = 0; is_ok && i < 10; i++)
        is_ok = i == 4 || i == 7 || (text[i] >= '0' && text[i] <= '9');
    if (!is_ok)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "参数“%s”应为日期，格式 YYYY-MM-DD", name);
    *out = text;
    return 0;
}

bool sj_http_wants_reveal(struct sj_http_ctx *ctx)
{
    const char *reveal = sj_http_query(ctx, "reveal");
    const struct sj_user *user = sj_http_user(ctx);
    return user && reveal && strcmp(reveal, "1") == 0 &&
           (user->role == SJ_ROLE_ADMIN || user->role == SJ_ROLE_PROSECUTOR);
}

/* ---- Answers that are not JSON
 * ------------------------------------------------------------------- */

int sj_http_reply_bytes(struct sj_http_ctx *ctx, int status, const char *content_type, char *bytes,
                        size_t len, const char *filename)
{
    json_decref(ctx->reply);
    free(ctx->raw_reply);
    ctx->reply = NULL;
    ctx->has_reply = true;
    ctx->status = status;
    ctx->raw_reply = bytes;
    ctx->raw_reply_len = len;
    ctx->raw_type = sj_arena_strndup(&ctx->arena, content_type, strlen(content_type));
    if (filename) {
        /* RFC 6266: an ASCII fallback and the UTF-8 name percent-encoded. */
        struct sj_buf v;
        sj_buf_init(&v, 0);
        sj_buf_append_cstr(&v, "attachment; filename=\"export.xlsx\"; filename*=UTF-8''");
        for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
            if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                *p == '.' || *p == '-' || *p == '_')
                sj_buf_putc(&v, (char)*p);
            else
                sj_buf_appendf(&v, "%%%02X", *p);
        }
        sj_http_add_header(ctx, "Content-Disposition", sj_buf_cstr(&v));
        sj_buf_release(&v);
    }
    return 0;
}
