/*
 * api_models.c - the model toolbox over HTTP: GET /api/v1/models (every model, and grouped by
 * procuratorial function), GET /api/v1/models/{id} (inputs, parameters, steps, the lead and
 * the YAML text), POST /api/v1/models/check ({"yaml"} -> diagnostics with line:column),
 * POST /api/v1/models (add to the workspace's toolbox), POST /api/v1/models/{id}/runs (a run
 * as a job: api_jobs.c) and GET /api/v1/models/{id}/runs (the run history in scope).
 *
 * Models are the workspace's, shared by all its offices; runs and the leads they find belong
 * to the office of the user who started the run, and a run may only read datasets that
 * office sees. Adding a model and running one are recorded in the ledger.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/platform_int.h"
#include "shujian/model.h"

#define READERS SJ_ROLES_STAFF
#define WRITERS (SJ_ROLE_BIT(SJ_ROLE_ADMIN) | SJ_ROLE_BIT(SJ_ROLE_PROSECUTOR))
#define YAML_MAX ((size_t)1 << 20)
#define RESULT_LEADS_MAX 100 /* leads listed in a run job's result */
#define CHOICES_MAX 64

/* ---- JSON shapes -------------------------------------------------------------------------------
 */

static json_t *strings_json(char *const *items, size_t count)
{
    json_t *a = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(a, sj_http_json_string(items[i]));
    return a;
}

static json_t *inputs_json(const struct sj_model *m)
{
    json_t *inputs = json_array();
    for (size_t i = 0; i < m->input_count; i++) {
        const struct sj_model_input *in = &m->inputs[i];
        json_t *columns = json_array();
        for (size_t c = 0; c < in->column_count; c++)
            json_array_append_new(
                columns,
                json_pack("{s:o, s:s, s:o}", "name", sj_http_json_string(in->columns[c].name),
                          "kind", sj_kind_name(in->columns[c].kind), "headers",
                          strings_json(in->columns[c].headers, in->columns[c].header_count)));
        json_array_append_new(
            inputs, json_pack("{s:o, s:o, s:o, s:o}", "name", sj_http_json_string(in->name),
                              "label", sj_http_json_string(in->label), "datasets",
                              strings_json(in->datasets, in->dataset_count), "columns", columns));
    }
    return inputs;
}

static json_t *params_json(const struct sj_model *m)
{
    json_t *params = json_array();
    for (size_t i = 0; i < m->param_count; i++) {
        const struct sj_model_param *p = &m->params[i];
        json_t *def = p->type == SJ_PARAM_LIST
                          ? strings_json(p->default_list, p->default_list_count)
                          : sj_http_json_string(p->default_text);
        json_array_append_new(params, json_pack("{s:o, s:s, s:o, s:o}", "name",
                                                sj_http_json_string(p->name), "type",
                                                sj_param_type_name(p->type), "label",
                                                sj_http_json_string(p->label), "default", def));
    }
    return params;
}

static json_t *model_json(const struct sj_model *m, bool is_full)
{
    json_t *o = json_pack(
        "{s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:s}", "id", sj_http_json_string(m->id),
        "name", sj_http_json_string(m->name), "function", sj_model_function_name(m->function),
        "function_label", sj_model_function_label(m->function), "version",
        sj_http_json_string(m->version), "author", sj_http_json_string(m->author), "office",
        sj_http_json_string(m->office), "summary", sj_http_json_string(m->summary), "is_builtin",
        m->is_builtin, "file_sha256", m->sha256);
    json_object_set_new(o, "inputs", inputs_json(m));
    json_object_set_new(o, "params", params_json(m));
    if (!is_full)
        return o;
    json_t *steps = json_array();
    for (size_t i = 0; i < m->step_count; i++)
        json_array_append_new(
            steps, json_pack("{s:o, s:s, s:i, s:i}", "id", sj_http_json_string(m->steps[i].id),
                             "op", sj_model_step_op_name(&m->steps[i]), "line",
                             m->steps[i].pos.line, "column", m->steps[i].pos.column));
    json_object_set_new(o, "steps", steps);
    json_object_set_new(o, "lead",
                        json_pack("{s:o, s:o, s:o, s:o}", "from", sj_http_json_string(m->lead.from),
                                  "subject", sj_http_json_string(m->lead.subject), "title",
                                  sj_http_json_string(m->lead.title), "evidence",
                                  strings_json(m->lead.evidence, m->lead.evidence_count)));
    return o;
}

json_t *sj_http_model_diags_json(const struct sj_model_diags *diags)
{
    json_t *list = json_array();
    for (size_t i = 0; i < diags->count; i++) {
        const struct sj_model_diag *d = &diags->items[i];
        char text[768];
        sj_model_diag_format(NULL, d, text, sizeof text);
        json_array_append_new(
            list, json_pack("{s:i, s:i, s:o, s:o, s:o}", "line", d->pos.line, "column",
                            d->pos.column, "message", sj_http_json_string(d->message), "hint",
                            sj_http_json_string(d->hint), "text", sj_http_json_string(text)));
    }
    return list;
}

/* ---- Reading -----------------------------------------------------------------------------------
 */

static int load_toolbox(struct sj_http_ctx *ctx, struct sj_toolbox *tb)
{
    struct sj_err err;
    sj_err_clear(&err);
    memset(tb, 0, sizeof *tb);
    if (sj_toolbox_load(sj_http_platform_of(ctx)->workspace, tb, &err) < 0)
        return sj_http_fail(ctx, &err);
    return 0;
}

static int get_models(struct sj_http_ctx *ctx)
{
    struct sj_toolbox tb;
    if (load_toolbox(ctx, &tb) < 0)
        return SJ_EINVAL;
    json_t *models = json_array(), *groups = json_array();
    for (int f = 0; f < SJ_FUNCTION_COUNT; f++) {
        json_t *ids = json_array();
        for (size_t i = 0; i < tb.count; i++) {
            if ((int)tb.models[i]->function == f)
                json_array_append_new(ids, sj_http_json_string(tb.models[i]->id));
        }
        json_array_append_new(groups,
                              json_pack("{s:s, s:s, s:o}", "function", sj_model_function_name(f),
                                        "label", sj_model_function_label(f), "models", ids));
    }
    for (size_t i = 0; i < tb.count; i++)
        json_array_append_new(models, model_json(tb.models[i], false));
    json_t *problems = sj_http_model_diags_json(&tb.problems);
    sj_toolbox_release(&tb);
    return sj_http_reply(
        ctx, 200,
        json_pack("{s:o, s:o, s:o}", "models", models, "functions", groups, "problems", problems));
}

/* The model file's text, at most YAML_MAX bytes; NULL when unreadable. */
static json_t *file_text(const char *path)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f)
        return json_null();
    char *buf = sj_xmalloc(YAML_MAX + 1);
    size_t n = fread(buf, 1, YAML_MAX, f);
    fclose(f);
    buf[n] = '\0';
    json_t *v = json_stringn(buf, n);
    free(buf);
    return v ? v : json_null();
}

static int get_model(struct sj_http_ctx *ctx)
{
    struct sj_toolbox tb;
    if (load_toolbox(ctx, &tb) < 0)
        return SJ_EINVAL;
    const struct sj_model *m = sj_toolbox_find(&tb, sj_http_param(ctx, "id"));
    if (!m) {
        sj_toolbox_release(&tb);
        return sj_http_error(ctx, 404, "NOT_FOUND", "工具箱里没有这个模型");
    }
    json_t *o = model_json(m, true);
    json_object_set_new(o, "yaml", file_text(m->path));
    sj_toolbox_release(&tb);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "model", o));
}

static json_t *run_json(const struct sj_platform_run *r)
{
    json_t *params = json_loads(r->params_json, 0, NULL);
    json_t *inputs = json_loads(r->inputs_json, 0, NULL);
    return json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:f, s:I, s:I, s:I}", "id",
        (json_int_t)r->id, "model_id", sj_http_json_string(r->model_id), "model_version",
        sj_http_json_string(r->model_version), "model_sha256", sj_http_json_string(r->model_sha256),
        "function", sj_http_json_string(r->function), "office_id", (json_int_t)r->office_id,
        "params", params ? params : json_object(), "inputs", inputs ? inputs : json_array(),
        "started_at", sj_http_json_string(r->started_at), "finished_at",
        sj_http_json_string(r->finished_at), "seconds", r->seconds, "row_count",
        (json_int_t)r->row_count, "lead_count", (json_int_t)r->lead_count, "new_count",
        (json_int_t)r->new_count);
}

static int get_runs(struct sj_http_ctx *ctx)
{
    struct sj_office_set scope;
    struct sj_platform_run_list list;
    struct sj_err err;
    int64_t limit = 0;
    sj_err_clear(&err);
    if (sj_http_scope(ctx, &scope) < 0 || sj_http_query_int(ctx, "limit", 50, 1, 1000, &limit) < 0)
        return SJ_EINVAL;
    if (sj_platform_runs(sj_http_store(ctx), sj_http_param(ctx, "id"), scope, limit, &list, &err) <
        0)
        return sj_http_fail(ctx, &err);
    json_t *runs = json_array();
    for (size_t i = 0; i < list.count; i++)
        json_array_append_new(runs, run_json(&list.items[i]));
    sj_platform_run_list_release(&list);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "runs", runs));
}

/* ---- Checking and adding ------------------------------------------------------------------------
 */

static int body_yaml(struct sj_http_ctx *ctx, const char **yaml)
{
    static const char *const fields[] = {"yaml", NULL};
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "yaml", true, yaml) < 0)
        return SJ_EINVAL;
    return 0;
}

static int post_check(struct sj_http_ctx *ctx)
{
    const char *yaml = NULL;
    struct sj_model *m = NULL;
    struct sj_model_diags diags = {0};
    if (body_yaml(ctx, &yaml) < 0)
        return SJ_EINVAL;
    int rc = sj_model_parse(yaml, strlen(yaml), NULL, &m, &diags);
    json_t *body =
        json_pack("{s:b, s:o, s:o}", "ok", rc == 0, "diagnostics", sj_http_model_diags_json(&diags),
                  "model", m ? model_json(m, true) : json_null());
    sj_model_free(m);
    sj_model_diags_release(&diags);
    if (rc < 0 && rc != SJ_EFORMAT) {
        json_decref(body);
        return sj_http_error(ctx, 500, "INTERNAL", "服务器内部错误，请联系管理员查看日志");
    }
    return sj_http_reply(ctx, 200, body);
}

struct model_add {
    const char *path; /* the posted YAML in a temporary file */
    struct sj_model_diags diags;
};

/* The writer's side: copies the file into the toolbox. */
static int apply_add(struct sj_store *store, struct sj_http_write *w, struct sj_err *err)
{
    struct model_add *a = w->arg;
    return sj_toolbox_add(sj_store_dir(store), a->path, &a->diags, err);
}

static char *write_temp(struct sj_http_ctx *ctx, const char *yaml, struct sj_err *err)
{
    const char *ws = sj_http_platform_of(ctx)->workspace;
    size_t n = strlen(ws) + 32;
    char *path = sj_xmalloc(n);
    snprintf(path, n, "%s/model-XXXXXX", ws);
    int fd = mkstemp(path);
    size_t len = strlen(yaml);
    if (fd < 0 || write(fd, yaml, len) != (ssize_t)len) {
        sj_err_set(err, SJ_EIO, "cannot write a temporary model file: %s", strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        free(path);
        return NULL;
    }
    close(fd);
    return path;
}

static int post_model(struct sj_http_ctx *ctx)
{
    const char *yaml = NULL;
    struct sj_model *m = NULL;
    struct sj_model_diags diags = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (body_yaml(ctx, &yaml) < 0 || sj_http_need_ledger(ctx) < 0)
        return SJ_EINVAL;
    if (sj_model_parse(yaml, strlen(yaml), NULL, &m, &diags) < 0) {
        json_t *body =
            json_pack("{s:s, s:s, s:o}", "code", "MODEL_INVALID", "message",
                      "模型文件有错误，未保存", "diagnostics", sj_http_model_diags_json(&diags));
        sj_model_diags_release(&diags);
        return sj_http_reply(ctx, 422, body);
    }
    struct model_add add = {.path = write_temp(ctx, yaml, &err)};
    struct sj_http_write w = {.apply = apply_add, .arg = &add};
    int rc = add.path ? 0 : sj_http_fail(ctx, &err);
    if (rc == 0)
        rc = sj_http_record(ctx, "model.add", "model", m->id,
                            json_pack("{s:s, s:s, s:s}", "version", m->version ? m->version : "",
                                      "sha256", m->sha256, "function",
                                      sj_model_function_name(m->function)),
                            &w.record);
    if (rc == 0)
        rc = sj_http_write(ctx, &w);
    if (rc == 0)
        sj_http_reply(ctx, 201, json_pack("{s:o}", "model", model_json(m, true)));
    if (add.path)
        unlink(add.path);
    free((char *)add.path);
    sj_model_diags_release(&add.diags);
    sj_model_free(m);
    return rc;
}

/* ---- Running ------------------------------------------------------------------------------------
 */

struct choices {
    struct sj_model_choice items[CHOICES_MAX];
    size_t count;
};

struct model_run {
    char *model_id;
    struct choices params, inputs, mappings;
};

static void free_choices(struct choices *c)
{
    for (size_t i = 0; i < c->count; i++) {
        free((char *)c->items[i].name);
        free((char *)c->items[i].value);
    }
}

static void model_run_free(void *arg)
{
    struct model_run *r = arg;
    if (!r)
        return;
    free(r->model_id);
    free_choices(&r->params);
    free_choices(&r->inputs);
    free_choices(&r->mappings);
    free(r);
}

/* A value of a choice as text: strings as they are, numbers and booleans written out, lists
 * joined with ',' (as on the command line). NULL when it is none of these. */
static char *choice_text(json_t *v)
{
    if (json_is_string(v))
        return sj_xstrdup(json_string_value(v));
    if (json_is_integer(v) || json_is_real(v) || json_is_boolean(v))
        return json_dumps(v, JSON_ENCODE_ANY);
    if (!json_is_array(v))
        return NULL;
    struct sj_buf b;
    size_t i;
    json_t *item;
    sj_buf_init(&b, 0);
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item)) {
            sj_buf_release(&b);
            return NULL;
        }
        sj_buf_appendf(&b, "%s%s", i ? "," : "", json_string_value(item));
    }
    return sj_buf_detach(&b, NULL);
}

static int read_choices(struct sj_http_ctx *ctx, const char *member, struct choices *out)
{
    json_t *o = json_object_get(sj_http_body(ctx), member);
    const char *key;
    json_t *v;
    if (!o)
        return 0;
    if (!json_is_object(o) || json_object_size(o) > CHOICES_MAX)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“%s”应为对象（至多 %d 项）", member,
                             CHOICES_MAX);
    json_object_foreach(o, key, v)
    {
        char *text = choice_text(v);
        if (!text)
            return sj_http_error(ctx, 400, "INVALID_FIELD",
                                 "“%s.%s”的值应为字符串、数字或字符串数组", member, key);
        out->items[out->count++] = (struct sj_model_choice){sj_xstrdup(key), text};
    }
    return 0;
}

/* Refuses a plan that reads a dataset outside the job's office's scope. */
static int check_datasets(struct sj_http_job *job, struct sj_store *store,
                          const struct sj_model_plan *plan, struct sj_err *err)
{
    for (size_t i = 0; i < plan->dataset_count; i++) {
        int64_t office = 0;
        bool is_visible = false;
        int rc = sj_platform_dataset_office(store, plan->datasets[i], &office, err);
        if (rc == 0)
            rc = sj_office_is_visible(store, sj_http_job_office(job), office, &is_visible, err);
        if (rc < 0)
            return rc;
        if (!is_visible)
            return sj_err_set(err, SJ_EPERM, "模型要读取的数据集“%s”不在本院可见范围内",
                              plan->datasets[i]);
    }
    return 0;
}

static json_t *run_result_json(const struct sj_model *m, const struct sj_model_run_result *r)
{
    json_t *leads = json_array();
    for (size_t i = 0; i < r->lead_count && i < RESULT_LEADS_MAX; i++)
        json_array_append_new(leads, json_pack("{s:s, s:o, s:o, s:b}", "id", r->leads[i].id,
                                               "subject", sj_http_json_string(r->leads[i].subject),
                                               "title", sj_http_json_string(r->leads[i].title),
                                               "new", r->leads[i].is_new));
    return json_pack("{s:I, s:o, s:I, s:I, s:f, s:o}", "run_id", (json_int_t)r->run_id, "model_id",
                     sj_http_json_string(m->id), "lead_count", (json_int_t)r->lead_count,
                     "new_count", (json_int_t)r->new_count, "seconds", r->seconds, "leads", leads);
}

static int record_run(struct sj_http_platform *p, struct sj_http_job *job, const struct sj_model *m,
                      const struct sj_model_run_result *r, struct sj_err *err)
{
    json_t *payload = json_pack("{s:I, s:I, s:I, s:I, s:s, s:s}", "job",
                                (json_int_t)sj_http_job_id(job), "run", (json_int_t)r->run_id,
                                "leads", (json_int_t)r->lead_count, "new", (json_int_t)r->new_count,
                                "version", m->version ? m->version : "", "sha256", m->sha256);
    return sj_http_job_record(p->writer, job, "model.run", "model", m->id, payload, err);
}

static int run_model(struct sj_http_platform *p, struct sj_http_job *job, struct sj_store *store,
                     struct sj_err *err)
{
    struct model_run *a = sj_http_job_arg(job);
    struct sj_toolbox tb = {0};
    struct sj_model_plan plan = {0};
    struct sj_model_run_result result = {0};
    sj_http_job_progress(job, "loading", -1);
    int rc = sj_toolbox_load(p->workspace, &tb, err);
    const struct sj_model *m = rc == 0 ? sj_toolbox_find(&tb, a->model_id) : NULL;
    if (rc == 0 && !m)
        rc = sj_err_set(err, SJ_ENOTFOUND, "工具箱里没有编号为“%s”的模型", a->model_id);
    struct sj_model_run_opts opts = {
        a->inputs.items,
        a->inputs.count,
        a->params.items,
        a->params.count,
        a->mappings.items,
        a->mappings.count,
        &tb,
    };
    if (rc == 0) {
        sj_http_job_progress(job, "compiling", -1);
        rc = sj_model_compile(store, m, &opts, &plan, err);
    }
    if (rc == 0)
        rc = check_datasets(job, store, &plan, err);
    if (rc == 0) {
        sj_http_job_progress(job, "running", -1);
        rc = sj_model_run(store, m, &opts, &result, err);
    }
    if (rc == 0) {
        sj_http_job_progress(job, "recording", (int64_t)result.lead_count);
        rc = sj_platform_run_claim(store, result.run_id, sj_http_job_office(job), err);
    }
    if (rc == 0 && record_run(p, job, m, &result, err) < 0)
        SJ_ERROR("run job %lld: the ledger entry failed: %s", (long long)sj_http_job_id(job),
                 err->message);
    if (rc == 0)
        sj_http_job_finish(job, run_result_json(m, &result));
    sj_model_run_result_release(&result);
    sj_model_plan_release(&plan);
    sj_toolbox_release(&tb);
    return rc;
}

static int submit_run(struct sj_http_ctx *ctx, struct model_run *r)
{
    json_t *input = sj_http_body(ctx) ? json_deep_copy(sj_http_body(ctx)) : json_object();
    json_object_set_new(input, "model_id", sj_http_json_string(r->model_id));
    return sj_http_job_start(ctx, "model-run", input, run_model, r, model_run_free);
}

static int post_run(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"params", "inputs", "mappings", NULL};
    struct sj_toolbox tb;
    if (sj_http_body_only(ctx, fields, false) < 0 || sj_http_need_ledger(ctx) < 0 ||
        load_toolbox(ctx, &tb) < 0)
        return SJ_EINVAL;
    bool is_known = sj_toolbox_find(&tb, sj_http_param(ctx, "id")) != NULL;
    sj_toolbox_release(&tb);
    if (!is_known)
        return sj_http_error(ctx, 404, "NOT_FOUND", "工具箱里没有这个模型");
    struct model_run *r = sj_xcalloc(1, sizeof *r);
    r->model_id = sj_xstrdup(sj_http_param(ctx, "id"));
    if (read_choices(ctx, "params", &r->params) < 0 ||
        read_choices(ctx, "inputs", &r->inputs) < 0 ||
        read_choices(ctx, "mappings", &r->mappings) < 0) {
        model_run_free(r);
        return SJ_EINVAL;
    }
    return submit_run(ctx, r);
}

static const struct sj_http_route routes[] = {
    {"GET", "/api/v1/models", READERS, get_models, 0},
    {"POST", "/api/v1/models", WRITERS, post_model, YAML_MAX * 2},
    {"POST", "/api/v1/models/check", WRITERS, post_check, YAML_MAX * 2},
    {"GET", "/api/v1/models/{id}", READERS, get_model, 0},
    {"GET", "/api/v1/models/{id}/runs", READERS, get_runs, 0},
    {"POST", "/api/v1/models/{id}/runs", WRITERS, post_run, 65536},
};

const struct sj_http_resource sj_http_api_models = {"models", routes, SJ_ARRAY_LEN(routes)};
