/*
 * api_models_preview.c - POST /api/v1/models/preview: the model builder's 预览线索. The body
 * carries a model file that is not saved ({"yaml": text} or {"model": the same as a JSON
 * object}), the run's params/inputs/mappings and how many leads to show; the model is
 * parsed, compiled against the workspace and run read-only on the request's own connection
 * (src/model/preview.c), with a time limit, and the first leads and the total come back.
 *
 * Invariants: nothing is recorded (no run, no lead, no ledger entry: nothing changed); a
 * model may only read datasets of offices the caller sees, as for a real run; every error
 * is {code, message} in Chinese, with line:column for problems in the model file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/platform_int.h"
#include "shujian/model.h"
#include "shujian/model_preview.h"

#define WRITERS (SJ_ROLE_BIT(SJ_ROLE_ADMIN) | SJ_ROLE_BIT(SJ_ROLE_PROSECUTOR))
#define BODY_MAX ((size_t)2 << 20)
#define TEXT_MAX ((size_t)1 << 20)
#define CHOICES_MAX 64
#define LIMIT_DEFAULT 20
#define LIMIT_MAX 200
#define TIME_LIMIT_MS 10000 /* the most a preview may run; the body may ask for less */

struct choices {
    struct sj_model_choice items[CHOICES_MAX];
    size_t count;
};

/* A choice's value as text, in the request's arena: strings as they are, numbers and
 * booleans written out, lists joined with ',' (as on the command line). NULL otherwise. */
static const char *choice_text(struct sj_http_ctx *ctx, json_t *v)
{
    struct sj_arena *a = sj_http_arena(ctx);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return sj_arena_sprintf(a, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return sj_arena_sprintf(a, "%.17g", json_real_value(v));
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    if (!json_is_array(v))
        return NULL;
    const char *joined = "";
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item))
            return NULL;
        joined = sj_arena_sprintf(a, "%s%s%s", joined, i ? "," : "", json_string_value(item));
    }
    return joined;
}

static int read_choices(struct sj_http_ctx *ctx, const char *member, struct choices *out)
{
    json_t *o = json_object_get(sj_http_body(ctx), member);
    const char *key;
    json_t *v;
    out->count = 0;
    if (!o || json_is_null(o))
        return 0;
    if (!json_is_object(o) || json_object_size(o) > CHOICES_MAX)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“%s”应为对象（至多 %d 项）", member,
                             CHOICES_MAX);
    json_object_foreach(o, key, v)
    {
        const char *text = choice_text(ctx, v);
        if (!text)
            return sj_http_error(ctx, 400, "INVALID_FIELD",
                                 "“%s.%s”的值应为字符串、数字或字符串数组", member, key);
        out->items[out->count++] = (struct sj_model_choice){key, text};
    }
    return 0;
}

/* The model file's text: "yaml" as sent, or "model" (a JSON object) written out as JSON,
 * which is YAML too (indented, so that line:column of a problem still points somewhere). */
static int body_text(struct sj_http_ctx *ctx, const char **text)
{
    json_t *body = sj_http_body(ctx);
    json_t *yaml = json_object_get(body, "yaml"), *model = json_object_get(body, "model");
    *text = NULL;
    if (yaml && !model && json_is_string(yaml))
        *text = json_string_value(yaml);
    else if (model && !yaml && json_is_object(model)) {
        char *dumped = json_dumps(model, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        *text = dumped ? sj_arena_sprintf(sj_http_arena(ctx), "%s", dumped) : NULL;
        free(dumped);
    }
    if (!*text)
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "请提供模型文件：字段“yaml”（文本）或“model”（对象），二者选一");
    if (strlen(*text) > TEXT_MAX)
        return sj_http_error(ctx, 413, "TOO_LARGE", "模型文件超过 1 MiB");
    return 0;
}

static int read_numbers(struct sj_http_ctx *ctx, int64_t *limit, int64_t *time_limit)
{
    json_t *body = sj_http_body(ctx);
    json_t *l = json_object_get(body, "limit"), *t = json_object_get(body, "time_limit_ms");
    *limit = LIMIT_DEFAULT;
    *time_limit = TIME_LIMIT_MS;
    if (l &&
        (!json_is_integer(l) || json_integer_value(l) < 0 || json_integer_value(l) > LIMIT_MAX))
        return sj_http_error(ctx, 400, "INVALID_FIELD", "“limit”应为 0 到 %d 的整数", LIMIT_MAX);
    if (t && (!json_is_integer(t) || json_integer_value(t) < 100 ||
              json_integer_value(t) > TIME_LIMIT_MS))
        return sj_http_error(ctx, 400, "INVALID_FIELD", "“time_limit_ms”应为 100 到 %d 的整数",
                             TIME_LIMIT_MS);
    if (l)
        *limit = json_integer_value(l);
    if (t)
        *time_limit = json_integer_value(t);
    return 0;
}

/* 422 MODEL_INVALID naming the first problem with its line:column, and all of them. */
static int reply_invalid(struct sj_http_ctx *ctx, const struct sj_model_diags *diags)
{
    char first[768] = "";
    if (diags->count > 0)
        sj_model_diag_format(NULL, &diags->items[0], first, sizeof first);
    json_t *body =
        json_pack("{s:s, s:o, s:o}", "code", "MODEL_INVALID", "message",
                  sj_http_json_string(sj_arena_sprintf(
                      sj_http_arena(ctx), "模型文件有错误（共 %zu 处）：%s", diags->count, first)),
                  "diagnostics", sj_http_model_diags_json(diags));
    return sj_http_reply(ctx, 422, body);
}

/* A model that parses but cannot be compiled or run: its message, with line:column when
 * the compiler knew the place. Workspace problems (busy, database) stay generic. */
static int reply_failed(struct sj_http_ctx *ctx, int rc, const struct sj_err *err)
{
    if (rc == SJ_ETOOBIG)
        return sj_http_error(ctx, 422, "PREVIEW_TIMEOUT", "%s", err->message);
    if (rc == SJ_EPERM)
        return sj_http_error(ctx, 403, "FORBIDDEN", "%s", err->message);
    if (rc != SJ_EFORMAT && rc != SJ_ENOTFOUND && rc != SJ_EINVAL && rc != SJ_EDB)
        return sj_http_fail(ctx, err);
    if (err->row > 0)
        return sj_http_error(ctx, 422, "MODEL_FAILED", "%ld:%ld: %s", err->row,
                             err->column > 0 ? err->column : 1, err->message);
    return sj_http_error(ctx, 422, "MODEL_FAILED", "%s", err->message);
}

/* A preview may read only datasets the caller's office sees, as a real run. */
static int check_datasets(struct sj_http_ctx *ctx, const struct sj_model_plan *plan,
                          struct sj_err *err)
{
    for (size_t i = 0; i < plan->dataset_count; i++) {
        int64_t office = 0;
        int rc = sj_platform_dataset_office(sj_http_store(ctx), plan->datasets[i], &office, err);
        if (rc < 0)
            return rc;
        if (!sj_http_office_visible(ctx, office))
            return sj_err_set(err, SJ_EPERM, "模型要读取的数据集“%s”不在本院可见范围内",
                              plan->datasets[i]);
    }
    return 0;
}

/* The subject masked by its column's kind (a name keeps its surname), for the reply's masking
 * judges "subject" only by the digits in it. */
static json_t *subject_json(const struct sj_model_preview *p, const char *subject)
{
    char masked[512];
    if (p->subject_kind != SJ_KIND_TEXT &&
        sj_norm_mask(p->subject_kind, subject, masked, sizeof masked) >= 0)
        return sj_http_json_string(masked);
    return sj_http_json_string(subject);
}

static json_t *preview_json(const struct sj_model *m, const struct sj_model_preview *p)
{
    json_t *leads = json_array();
    for (size_t i = 0; i < p->shown; i++)
        json_array_append_new(
            leads, json_pack("{s:o, s:o, s:I}", "subject", subject_json(p, p->leads[i].subject),
                             "title", sj_http_json_string(p->leads[i].title), "evidence_count",
                             (json_int_t)p->leads[i].evidence_count));
    return json_pack("{s:o, s:o, s:I, s:I, s:I, s:f, s:o}", "model_id", sj_http_json_string(m->id),
                     "model_name", sj_http_json_string(m->name), "total", (json_int_t)p->lead_count,
                     "shown", (json_int_t)p->shown, "row_count", (json_int_t)p->row_count,
                     "seconds", p->seconds, "leads", leads);
}

struct preview_req {
    struct choices params, inputs, mappings;
    int64_t limit, time_limit;
};

static int run_preview(struct sj_http_ctx *ctx, const struct sj_model *m,
                       const struct preview_req *r)
{
    struct sj_toolbox tb = {0};
    struct sj_model_plan plan = {0};
    struct sj_model_preview result = {0};
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_toolbox_load(sj_http_platform_of(ctx)->workspace, &tb, &err);
    if (rc < 0) {
        sj_http_fail(ctx, &err);
        goto out;
    }
    struct sj_model_run_opts opts = {r->inputs.items,
                                     r->inputs.count,
                                     r->params.items,
                                     r->params.count,
                                     r->mappings.items,
                                     r->mappings.count,
                                     &tb};
    rc = sj_model_compile(sj_http_store(ctx), m, &opts, &plan, &err);
    if (rc == 0)
        rc = check_datasets(ctx, &plan, &err);
    if (rc == 0)
        rc = sj_model_preview(sj_http_store(ctx), m, &plan, (size_t)r->limit, r->time_limit,
                              &result, &err);
    if (rc < 0)
        reply_failed(ctx, rc, &err);
    else
        sj_http_reply(ctx, 200, preview_json(m, &result));
out:
    sj_model_preview_release(&result);
    sj_model_plan_release(&plan);
    sj_toolbox_release(&tb);
    return rc < 0 ? SJ_EINVAL : 0;
}

static int post_preview(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"yaml",     "model", "params",        "inputs",
                                         "mappings", "limit", "time_limit_ms", NULL};
    struct preview_req *r = sj_arena_alloc(sj_http_arena(ctx), sizeof *r);
    const char *text = NULL;
    struct sj_model *m = NULL;
    struct sj_model_diags diags = {0};
    memset(r, 0, sizeof *r);
    if (sj_http_body_only(ctx, fields, true) < 0 || body_text(ctx, &text) < 0 ||
        read_numbers(ctx, &r->limit, &r->time_limit) < 0 ||
        read_choices(ctx, "params", &r->params) < 0 ||
        read_choices(ctx, "inputs", &r->inputs) < 0 ||
        read_choices(ctx, "mappings", &r->mappings) < 0)
        return SJ_EINVAL;
    int rc = sj_model_parse(text, strlen(text), NULL, &m, &diags);
    if (rc == SJ_EFORMAT)
        rc = reply_invalid(ctx, &diags);
    else if (rc < 0)
        rc = sj_http_error(ctx, 500, "INTERNAL", "服务器内部错误，请联系管理员查看日志");
    else
        rc = run_preview(ctx, m, r);
    sj_model_diags_release(&diags);
    sj_model_free(m);
    return rc;
}

static const struct sj_http_route routes[] = {
    {"POST", "/api/v1/models/preview", WRITERS, post_preview, BODY_MAX},
};

const struct sj_http_resource sj_http_api_models_preview = {"models-preview", routes,
                                                            SJ_ARRAY_LEN(routes)};
