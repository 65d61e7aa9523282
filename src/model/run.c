/*
 * run.c - running a model: compile it (compile.c), record the run, execute the query
 * (sj_store_plan_query) and turn its rows into leads. Rows are grouped by subject: the
 * first row of a subject fills the title template ({column}), and every row's _ev items
 * ("datasetId:rowId") become evidence rows carrying the lead's evidence columns.
 *
 * Invariants: everything a run writes (the model_runs row, leads, evidence, history) is in
 * one transaction (sj_lead_run_begin .. finish), so a failed run leaves nothing; one lead
 * per (model, subject), so a re-run adds no duplicate. Amounts (kind amount, in fen) are
 * shown as yuan ("1234.56元") in titles and evidence; other values as the query gave them.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/model_int.h"
#include "shujian/leads.h"
#include "shujian/model.h"
#include "shujian/plan.h"

/* ---- Collecting the rows -------------------------------------------------------------------- */

struct run_ctx {
    const struct sj_model *model;
    const struct sj_model_plan *plan;
    struct sj_lead_run *run;
    struct sj_model_run_result *result;
    struct sj_err *err;
    size_t alloc;            /* of result->leads */
    struct sj_subject_map subjects; /* value: the index in result->leads */
    int64_t row_count;
    struct sj_lead_cols cols; /* the result columns; kinds NULL before the first row */
};

/* The evidence columns of this row as a JSON object (compact text, owned). */
static char *evidence_values(const struct run_ctx *c, const char *const *columns,
                             const char *const *values)
{
    json_t *obj = json_object();
    const struct sj_model_lead *lead = &c->model->lead;
    for (size_t e = 0; e < lead->evidence_count; e++) {
        for (size_t i = 0; i < c->cols.count; i++) {
            if (strcmp(columns[i], lead->evidence[e]) != 0)
                continue;
            struct sj_buf shown;
            sj_buf_init(&shown, 0);
            sj_lead_append_shown(&shown, c->cols.kinds[i], values[i]);
            json_t *v = values[i] ? json_string(sj_buf_cstr(&shown) ? sj_buf_cstr(&shown) : "")
                                  : json_null();
            json_object_set_new(obj, lead->evidence[e], v ? v : json_null());
            sj_buf_release(&shown);
            break;
        }
    }
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    return text ? text : sj_xstrdup("{}");
}

/* Adds one evidence row per "datasetId:rowId" item of ev. */
static int add_evidence(struct run_ctx *c, const char *lead_id, const char *ev,
                        const char *values_json)
{
    while (ev && *ev) {
        char *end = NULL;
        long long dataset = strtoll(ev, &end, 10);
        long long row = 0;
        if (end == ev || *end != ':')
            goto bad;
        ev = end + 1;
        row = strtoll(ev, &end, 10);
        if (end == ev || (*end != ',' && *end != '\0'))
            goto bad;
        int rc = sj_lead_evidence_add(c->run, lead_id, dataset, row, values_json, c->err);
        if (rc < 0)
            return rc;
        ev = *end == ',' ? end + 1 : end;
    }
    return 0;
bad:
    return sj_err_set(c->err, SJ_EFORMAT, "模型查询返回的证据来源“%s”格式不对（应为 数据集:行号）",
                      ev);
}

/* The lead of subject in this run: found in the table, or upserted now. */
static int lead_for(struct run_ctx *c, const char *subject, const char *const *columns,
                    const char *const *values, size_t *index)
{
    struct sj_model_run_result *r = c->result;
    bool is_new;
    struct sj_subject_slot *slot = sj_subject_map_get(&c->subjects, subject, &is_new);
    if (!is_new) {
        *index = slot->value;
        return 0;
    }
    if (r->lead_count == c->alloc) {
        c->alloc = c->alloc ? c->alloc * 2 : 64;
        r->leads = sj_xrealloc(r->leads, c->alloc * sizeof *r->leads);
    }
    struct sj_lead_brief *b = &r->leads[r->lead_count];
    char id[SJ_LEAD_ID_SIZE];
    char *title = sj_lead_title(c->model, &c->cols, columns, values);
    int rc = sj_lead_upsert(c->run, subject, title, id, &b->is_new, c->err);
    if (rc < 0) {
        free(title);
        return rc;
    }
    b->id = sj_xstrdup(id);
    b->subject = sj_xstrdup(subject);
    b->title = title;
    slot->value = r->lead_count++;
    r->new_count += b->is_new ? 1 : 0;
    *index = slot->value;
    return 0;
}

static int on_row(void *ctx, size_t count, const char *const *columns, const char *const *values)
{
    struct run_ctx *c = ctx;
    size_t index = 0;
    if (!c->cols.kinds)
        sj_lead_cols_find(&c->cols, c->model, c->plan, count, columns);
    if (c->cols.subject < 0)
        return sj_err_set(c->err, SJ_EFORMAT, "模型查询的结果没有 subject 列");
    c->row_count++;
    const char *subject = values[c->cols.subject];
    if (!subject || !*subject)
        return 0; /* a row without a subject cannot become a lead */
    int rc = lead_for(c, subject, columns, values, &index);
    if (rc < 0 || c->cols.ev < 0 || !values[c->cols.ev])
        return rc;
    char *json = evidence_values(c, columns, values);
    rc = add_evidence(c, c->result->leads[index].id, values[c->cols.ev], json);
    free(json);
    return rc;
}

/* ---- The run -------------------------------------------------------------------------------- */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void add_choices(json_t *obj, const char *key, const struct sj_model_choice *choices,
                        size_t count)
{
    if (count == 0)
        return;
    json_t *o = json_object();
    for (size_t i = 0; i < count; i++) {
        json_t *v = json_string(choices[i].value ? choices[i].value : "");
        if (choices[i].name && v)
            json_object_set_new(o, choices[i].name, v);
        else
            json_decref(v);
    }
    json_object_set_new(obj, key, o);
}

/* A bound value as JSON: amounts in fen, days and integers as numbers, lists as arrays. */
static json_t *value_json(const struct sj_model_value *v)
{
    switch (v->type) {
    case SJ_PARAM_INTEGER:
    case SJ_PARAM_AMOUNT:
    case SJ_PARAM_DAYS:
        return json_integer(v->integer);
    case SJ_PARAM_BOOLEAN:
        return json_boolean(v->integer != 0);
    case SJ_PARAM_NUMBER:
        return json_string(v->number ? v->number : "");
    case SJ_PARAM_LIST: {
        json_t *list = json_loads(v->text ? v->text : "[]", 0, NULL);
        return list ? list : json_string(v->text ? v->text : "");
    }
    case SJ_PARAM_DATE:
    case SJ_PARAM_TEXT:
        break;
    }
    return json_string(v->text ? v->text : "");
}

/* The parameters as bound (defaults or --param, normalised: amounts in fen), and the
 * --input and --map choices, as JSON for the run record. */
static char *params_json(const struct sj_model_plan *plan, const struct sj_model_run_opts *opts)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < plan->value_count; i++) {
        const struct sj_model_value *v = &plan->values[i];
        json_t *j = v->param ? value_json(v) : NULL;
        if (j)
            json_object_set_new(obj, v->param, j);
    }
    if (opts) {
        add_choices(obj, "_inputs", opts->inputs, opts->input_count);
        add_choices(obj, "_mappings", opts->mappings, opts->mapping_count);
    }
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    return text ? text : sj_xstrdup("{}");
}

static int begin(struct sj_store *store, const struct sj_model *model,
                 const struct sj_model_run_opts *opts, const struct sj_model_plan *plan,
                 struct sj_lead_run **run, struct sj_err *err)
{
    char *params = params_json(plan, opts);
    struct sj_lead_run_spec spec = {
        .model_id = model->id,
        .model_version = model->version,
        .model_sha256 = model->sha256,
        .function = sj_model_function_name(model->function),
        .params_json = params,
        .datasets = (const char *const *)plan->datasets,
        .dataset_count = plan->dataset_count,
    };
    int rc = sj_lead_run_begin(store, &spec, run, err);
    free(params);
    return rc;
}

int sj_model_run(struct sj_store *store, const struct sj_model *model,
                 const struct sj_model_run_opts *opts, struct sj_model_run_result *result,
                 struct sj_err *err)
{
    struct sj_model_plan plan;
    struct timespec t0;
    struct run_ctx c = {.model = model, .plan = &plan, .result = result, .err = err};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(result, 0, sizeof *result);
    memset(&plan, 0, sizeof plan);
    int rc = sj_model_compile(store, model, opts, &plan, err);
    if (rc == 0)
        rc = begin(store, model, opts, &plan, &c.run, err);
    if (rc < 0)
        goto out;
    result->run_id = sj_lead_run_id(c.run);
    rc = sj_store_plan_query(store, &plan, on_row, &c, err);
    if (rc > 0) /* on_row stopped the query; its error is in err */
        rc = err && err->code < 0 ? err->code : SJ_EDB;
    if (rc < 0) {
        sj_lead_run_abort(c.run);
        goto out;
    }
    result->seconds = seconds_since(&t0);
    struct sj_lead_run_counts counts = {c.row_count, (int64_t)result->lead_count,
                                        (int64_t)result->new_count, result->seconds};
    rc = sj_lead_run_finish(c.run, &counts, err);
out:
    sj_subject_map_release(&c.subjects);
    sj_lead_cols_release(&c.cols);
    sj_model_plan_release(&plan);
    if (rc < 0)
        sj_model_run_result_release(result);
    return rc;
}

void sj_model_run_result_release(struct sj_model_run_result *result)
{
    if (!result)
        return;
    for (size_t i = 0; result->leads && i < result->lead_count; i++) {
        free(result->leads[i].id);
        free(result->leads[i].subject);
        free(result->leads[i].title);
    }
    free(result->leads);
    memset(result, 0, sizeof *result);
}
