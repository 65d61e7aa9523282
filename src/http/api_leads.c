/*
 * api_leads.c - leads (线索) over HTTP: GET /api/v1/leads (filter by model, status, function
 * and found-date, sort, page), GET /api/v1/leads/{id} (with evidence rows and where each came
 * from, and the history), PATCH /api/v1/leads/{id} (status, outcome and note: a write, through
 * the group-commit writer, recorded in the ledger) and GET /api/v1/leads/export (the same list
 * as an XLSX workbook, masked like every answer unless revealed).
 *
 * Scope: a lead belongs to the office whose run found it first; one outside the caller's
 * scope is 404. A status change and its ledger entry are one savepoint of the writer's
 * batch transaction (sj_lead_set_status_within): both or neither, durable before the answer.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/export_int.h"
#include "shujian/model.h"

#define READERS SJ_ROLES_STAFF
#define WRITERS (SJ_ROLE_BIT(SJ_ROLE_ADMIN) | SJ_ROLE_BIT(SJ_ROLE_PROSECUTOR))
#define LIST_MAX 1000
#define EXPORT_MAX 10000
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* ---- JSON shapes -------------------------------------------------------------------------------
 */

static json_t *lead_json(const struct sj_lead *l, int64_t office)
{
    enum sj_model_function f;
    const char *function_label =
        sj_model_function_parse(l->function, &f) == 0 ? sj_model_function_label(f) : "";
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(l->id));
    json_object_set_new(o, "model", sj_http_json_string(l->model_id));
    json_object_set_new(o, "function", sj_http_json_string(l->function));
    json_object_set_new(o, "function_label", json_string(function_label));
    json_object_set_new(o, "subject", sj_http_json_string(l->subject));
    json_object_set_new(o, "title", sj_http_json_string(l->title));
    json_object_set_new(o, "status", json_string(sj_lead_status_name(l->status)));
    json_object_set_new(o, "status_label", json_string(sj_lead_status_label(l->status)));
    json_object_set_new(o, "outcome",
                        l->outcome ? json_string(sj_lead_outcome_name(l->outcome)) : json_null());
    json_object_set_new(o, "outcome_label",
                        l->outcome ? json_string(sj_lead_outcome_label(l->outcome)) : json_null());
    json_object_set_new(o, "seen_count", json_integer(l->seen_count));
    json_object_set_new(o, "evidence_count", json_integer(l->evidence_count));
    json_object_set_new(o, "first_run", json_integer(l->first_run));
    json_object_set_new(o, "last_run", json_integer(l->last_run));
    json_object_set_new(o, "office_id", json_integer(office));
    json_object_set_new(o, "created_at", sj_http_json_string(l->created_at));
    json_object_set_new(o, "updated_at", sj_http_json_string(l->updated_at));
    return o;
}

static json_t *evidence_json(const char *lead_id, const struct sj_lead_evidence *e)
{
    json_t *values = json_loads(e->values_json ? e->values_json : "{}", 0, NULL);
    if (!json_is_object(values)) {
        json_decref(values);
        values = json_pack("{s:o}", "_raw", sj_http_json_string(e->values_json));
    }
    return json_pack("{s:s, s:I, s:o, s:I, s:I, s:b, s:I, s:o, s:o, s:I, s:o}", "lead_id", lead_id,
                     "dataset_id", (json_int_t)e->dataset_id, "dataset",
                     sj_http_json_string(e->dataset), "row_id", (json_int_t)e->row_id, "run_id",
                     (json_int_t)e->run_id, "has_source", e->has_source, "import_run",
                     (json_int_t)e->import_run, "file_name", sj_http_json_string(e->file_name),
                     "sheet", sj_http_json_string(e->sheet), "source_row",
                     (json_int_t)e->source_row, "values", values);
}

static json_t *event_json(const char *lead_id, const struct sj_lead_event *h)
{
    json_t *o =
        json_pack("{s:s, s:I, s:o, s:o, s:o, s:o}", "lead_id", lead_id, "id", (json_int_t)h->id,
                  "at", sj_http_json_string(h->at), "actor", sj_http_json_string(h->actor),
                  "action", sj_http_json_string(h->action), "note", sj_http_json_string(h->note));
    json_object_set_new(o, "from_status",
                        h->has_status ? json_string(sj_lead_status_name(h->from_status))
                                      : json_null());
    json_object_set_new(o, "to_status",
                        h->has_status ? json_string(sj_lead_status_name(h->to_status))
                                      : json_null());
    json_object_set_new(o, "outcome",
                        h->outcome ? json_string(sj_lead_outcome_name(h->outcome)) : json_null());
    json_object_set_new(o, "run_id", h->run_id ? json_integer(h->run_id) : json_null());
    return o;
}

/* ---- Listing -----------------------------------------------------------------------------------
 */

static int parse_sort(struct sj_http_ctx *ctx, struct sj_lead_query *q)
{
    static const char *const names[] = {"newest", "created", "updated", "model",
                                        "status", "seen",    "evidence"};
    const char *sort = sj_http_query(ctx, "sort"), *order = sj_http_query(ctx, "order");
    q->sort = SJ_LEAD_SORT_NEWEST;
    q->is_descending = true;
    if (sort && *sort) {
        size_t i = 0;
        while (i < SJ_ARRAY_LEN(names) && strcmp(names[i], sort) != 0)
            i++;
        if (i == SJ_ARRAY_LEN(names))
            return sj_http_error(ctx, 400, "INVALID_FIELD",
                                 "sort 应为 newest、created、updated、model、status、seen 或 "
                                 "evidence");
        q->sort = (enum sj_lead_sort)i;
        q->is_descending = q->sort == SJ_LEAD_SORT_NEWEST;
    }
    if (order && *order) {
        if (strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0)
            return sj_http_error(ctx, 400, "INVALID_FIELD", "order 应为 asc 或 desc");
        q->is_descending = strcmp(order, "desc") == 0;
    }
    return 0;
}

/* The filters of the list and the export from the query string; limit_max caps ?limit. */
static int read_query(struct sj_http_ctx *ctx, struct sj_lead_query *q, int64_t limit_def,
                      int64_t limit_max)
{
    const char *status = sj_http_query(ctx, "status"), *function = sj_http_query(ctx, "function");
    const char *model = sj_http_query(ctx, "model");
    memset(q, 0, sizeof *q);
    if (sj_http_scope(ctx, &q->offices) < 0 ||
        sj_http_query_int(ctx, "limit", limit_def, 1, limit_max, &q->filter.limit) < 0 ||
        sj_http_query_int(ctx, "offset", 0, 0, INT64_MAX / 2, &q->filter.offset) < 0 ||
        sj_http_query_date(ctx, "from", &q->from) < 0 ||
        sj_http_query_date(ctx, "to", &q->to) < 0 || parse_sort(ctx, q) < 0)
        return SJ_EINVAL;
    q->filter.model_id = model && *model ? model : NULL;
    if (status && *status) {
        q->filter.has_status = true;
        if (sj_lead_status_parse(status, &q->filter.status) < 0)
            return sj_http_error(ctx, 400, "INVALID_FIELD",
                                 "status 应为 pending、verifying、case 或 no-case");
    }
    if (function && *function) {
        enum sj_model_function f;
        if (sj_model_function_parse(function, &f) < 0)
            return sj_http_error(ctx, 400, "INVALID_FIELD",
                                 "function 应为 criminal、civil、administrative 或 "
                                 "public-interest");
        q->filter.function = sj_model_function_name(f);
    }
    return 0;
}

static int get_leads(struct sj_http_ctx *ctx)
{
    struct sj_lead_query q;
    struct sj_lead_list list;
    int64_t *offices = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    if (read_query(ctx, &q, 20, LIST_MAX) < 0)
        return SJ_EINVAL;
    if (sj_platform_leads(sj_http_store(ctx), &q, &list, &offices, &err) < 0)
        return sj_http_fail(ctx, &err);
    json_t *leads = json_array();
    for (size_t i = 0; i < list.count; i++)
        json_array_append_new(leads, lead_json(&list.items[i], offices[i]));
    json_t *body =
        json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)list.total, "offset",
                  (json_int_t)q.filter.offset, "limit", (json_int_t)q.filter.limit, "leads", leads);
    sj_lead_list_release(&list);
    free(offices);
    return sj_http_reply(ctx, 200, body);
}

/* ---- One lead ----------------------------------------------------------------------------------
 */

/* The lead {id} as a list of one if the caller sees it; answers 404 otherwise. */
static int find_lead(struct sj_http_ctx *ctx, struct sj_lead_list *list, int64_t **offices)
{
    struct sj_lead_query q = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_scope(ctx, &q.offices) < 0)
        return SJ_EINVAL;
    q.id = sj_http_param(ctx, "id");
    q.filter.limit = 1;
    if (sj_platform_leads(sj_http_store(ctx), &q, list, offices, &err) < 0)
        return sj_http_fail(ctx, &err);
    if (list->count == 1)
        return 0;
    sj_lead_list_release(list);
    free(*offices);
    return sj_http_error(ctx, 404, "NOT_FOUND", "没有这条线索");
}

/* Answers 404 unless the lead {id} exists and the caller sees its office (*office). */
static int check_lead(struct sj_http_ctx *ctx, int64_t *office)
{
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_platform_lead_office(sj_http_store(ctx), sj_http_param(ctx, "id"), office, &err);
    if (rc == SJ_ENOTFOUND || (rc == 0 && !sj_http_office_visible(ctx, *office)))
        return sj_http_error(ctx, 404, "NOT_FOUND", "没有这条线索");
    return rc < 0 ? sj_http_fail(ctx, &err) : 0;
}

static int get_lead(struct sj_http_ctx *ctx)
{
    int64_t office = 0;
    struct sj_lead_detail d;
    struct sj_err err;
    sj_err_clear(&err);
    if (check_lead(ctx, &office) < 0)
        return SJ_EINVAL;
    if (sj_lead_get(sj_http_store(ctx), sj_http_param(ctx, "id"), &d, &err) < 0)
        return sj_http_fail(ctx, &err);
    json_t *evidence = json_array(), *history = json_array();
    for (size_t i = 0; i < d.evidence_count; i++)
        json_array_append_new(evidence, evidence_json(d.lead.id, &d.evidence[i]));
    for (size_t i = 0; i < d.history_count; i++)
        json_array_append_new(history, event_json(d.lead.id, &d.history[i]));
    json_t *body = json_pack("{s:o, s:o, s:o}", "lead", lead_json(&d.lead, office), "evidence",
                             evidence, "history", history);
    sj_lead_detail_release(&d);
    return sj_http_reply(ctx, 200, body);
}

/* ---- Changing the status
 * ------------------------------------------------------------------------- */

struct status_change {
    const char *id;
    struct sj_lead_change change;
};

static int apply_status(struct sj_store *store, struct sj_http_write *w, struct sj_err *err)
{
    struct status_change *c = w->arg;
    return sj_lead_set_status_within(store, c->id, &c->change, err);
}

static int read_change(struct sj_http_ctx *ctx, struct sj_lead_change *c)
{
    static const char *const fields[] = {"status", "outcome", "note", NULL};
    const char *status = NULL, *outcome = NULL;
    memset(c, 0, sizeof *c);
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "status", true, &status) < 0 ||
        sj_http_body_string(ctx, "note", true, &c->note) < 0)
        return SJ_EINVAL;
    json_t *o = json_object_get(sj_http_body(ctx), "outcome");
    if (o && !json_is_null(o) && sj_http_body_string(ctx, "outcome", false, &outcome) < 0)
        return SJ_EINVAL;
    if (sj_lead_status_parse(status, &c->status) < 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "status 应为 pending、verifying、case 或 no-case");
    if (outcome && *outcome && sj_lead_outcome_parse(outcome, &c->outcome) < 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "outcome 应为 filing、correction、recommendation 或 other");
    return 0;
}

/* The SHA-256 of the change as recorded, so the ledger pins the note without holding it. */
static void change_hash(const char *id, const struct sj_lead_change *c, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s}", "lead", id, "status", sj_lead_status_name(c->status),
                  "outcome", sj_lead_outcome_name(c->outcome), "note", c->note);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    crypto_hash_sha256(h, (const unsigned char *)(text ? text : ""), text ? strlen(text) : 0);
    sodium_bin2hex(hex, 65, h, sizeof h);
    free(text);
    json_decref(o);
}

/* A refused change that was well formed can only be a transition the workflow does not allow. */
static int fail_change(struct sj_http_ctx *ctx, const struct sj_http_write *w,
                       const struct sj_lead_change *c)
{
    bool is_well_formed =
        c->note && *c->note && (c->status == SJ_LEAD_CASE) == (c->outcome != SJ_OUTCOME_NONE);
    if (w->rc == SJ_EINVAL && is_well_formed && !w->is_applied)
        return sj_http_error(ctx, 409, "STATUS_CONFLICT", "%s", w->err.message);
    return w->rc;
}

static int patch_lead(struct sj_http_ctx *ctx)
{
    struct sj_lead_list list;
    int64_t *offices = NULL;
    struct status_change c = {.id = sj_http_param(ctx, "id")};
    char hash[65];
    int64_t office = 0;
    if (check_lead(ctx, &office) < 0)
        return SJ_EINVAL;
    if (read_change(ctx, &c.change) < 0 || sj_http_need_ledger(ctx) < 0)
        return SJ_EINVAL;
    c.change.actor = sj_http_user(ctx)->username;
    change_hash(c.id, &c.change, hash);
    struct sj_http_write w = {.apply = apply_status, .arg = &c};
    json_t *payload =
        json_pack("{s:s, s:s, s:s}", "status", sj_lead_status_name(c.change.status), "outcome",
                  sj_lead_outcome_name(c.change.outcome), "change_sha256", hash);
    if (sj_http_record(ctx, "lead.status", "lead", c.id, payload, &w.record) < 0)
        return SJ_EINVAL;
    if (sj_http_write(ctx, &w) < 0) {
        fail_change(ctx, &w, &c.change);
        return SJ_EINVAL;
    }
    if (find_lead(ctx, &list, &offices) < 0)
        return SJ_EINVAL;
    json_t *body = json_pack("{s:o, s:I}", "lead", lead_json(&list.items[0], offices[0]),
                             "ledger_index", (json_int_t)w.index);
    sj_lead_list_release(&list);
    free(offices);
    return sj_http_reply(ctx, 200, body);
}

/* ---- Export -------------------------------------------------------------------------------------
 */

/* Adds the evidence and history of each listed lead to doc. */
static int add_details(struct sj_http_ctx *ctx, const struct sj_lead_list *list, json_t *doc)
{
    json_t *evidence = json_object_get(doc, "evidence"), *history = json_object_get(doc, "history");
    struct sj_err err;
    sj_err_clear(&err);
    for (size_t i = 0; i < list->count; i++) {
        struct sj_lead_detail d;
        if (sj_lead_get(sj_http_store(ctx), list->items[i].id, &d, &err) < 0)
            return sj_http_fail(ctx, &err);
        for (size_t k = 0; k < d.evidence_count; k++)
            json_array_append_new(evidence, evidence_json(d.lead.id, &d.evidence[k]));
        for (size_t k = 0; k < d.history_count; k++)
            json_array_append_new(history, event_json(d.lead.id, &d.history[k]));
        sj_lead_detail_release(&d);
    }
    return 0;
}

static int get_export(struct sj_http_ctx *ctx)
{
    struct sj_lead_query q;
    struct sj_lead_list list;
    int64_t *offices = NULL;
    struct sj_err err;
    char *bytes = NULL, name[64];
    size_t len = 0;
    sj_err_clear(&err);
    if (read_query(ctx, &q, EXPORT_MAX, EXPORT_MAX) < 0)
        return SJ_EINVAL;
    if (sj_platform_leads(sj_http_store(ctx), &q, &list, &offices, &err) < 0)
        return sj_http_fail(ctx, &err);
    json_t *doc = json_pack("{s:[], s:[], s:[]}", "leads", "evidence", "history");
    for (size_t i = 0; i < list.count; i++) {
        json_t *l = lead_json(&list.items[i], offices[i]);
        json_array_append_new(json_object_get(doc, "leads"), l);
    }
    int rc = add_details(ctx, &list, doc);
    sj_lead_list_release(&list);
    free(offices);
    if (rc == 0) {
        sj_http_mask_export(ctx, doc);
        rc = sj_http_export_xlsx(sj_http_platform_of(ctx)->workspace, doc, &bytes, &len, &err);
        if (rc < 0)
            sj_http_fail(ctx, &err);
    }
    json_decref(doc);
    if (rc < 0)
        return rc;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(name, sizeof name, "线索-%Y%m%d.xlsx", &tm);
    return sj_http_reply_bytes(ctx, 200, XLSX_TYPE, bytes, len, name);
}

static const struct sj_http_route routes[] = {
    {"GET", "/api/v1/leads", READERS, get_leads, 0},
    {"GET", "/api/v1/leads/export", READERS, get_export, 0},
    {"GET", "/api/v1/leads/{id}", READERS, get_lead, 0},
    {"PATCH", "/api/v1/leads/{id}", WRITERS, patch_lead, 65536},
};

const struct sj_http_resource sj_http_api_leads = {"leads", routes, SJ_ARRAY_LEN(routes)};
