/*
 * api_stats.c - GET /api/v1/stats: the supervision statistics of the offices the caller sees
 * (or of one of them, ?office_id=), optionally between ?from= and ?to= (YYYY-MM-DD): per
 * model, per procuratorial function, in total, and per month. The counts are defined in
 * docs/LEADS.md ("Statistics"); the conversion rate is cases / leads.
 */
#include "http/platform_int.h"
#include "shujian/model.h"

static json_t *row_json(const struct sj_lead_stats_row *r, const char *key_name)
{
    enum sj_model_function f;
    const char *label =
        sj_model_function_parse(r->function, &f) == 0 ? sj_model_function_label(f) : "";
    json_t *outcomes = json_object();
    for (int i = SJ_OUTCOME_FILING; i < SJ_OUTCOME_COUNT; i++)
        json_object_set_new(outcomes, sj_lead_outcome_name((enum sj_lead_outcome)i),
                            json_integer(r->outcomes[i]));
    json_t *o =
        json_pack("{s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:f}", "function",
                  sj_http_json_string(r->function), "function_label", label, "runs",
                  (json_int_t)r->runs, "leads", (json_int_t)r->leads, "verified",
                  (json_int_t)r->verified, "cases", (json_int_t)r->cases, "no_cases",
                  (json_int_t)r->no_cases, "outcomes", outcomes, "conversion_rate", r->conversion);
    if (key_name)
        json_object_set_new(o, key_name, sj_http_json_string(r->key));
    return o;
}

static json_t *rows_json(const struct sj_lead_stats_row *rows, size_t count, const char *key_name)
{
    json_t *a = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(a, row_json(&rows[i], key_name));
    return a;
}

static int get_stats(struct sj_http_ctx *ctx)
{
    struct sj_office_set scope;
    struct sj_platform_stats stats;
    const char *from = NULL, *to = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_scope(ctx, &scope) < 0 || sj_http_query_date(ctx, "from", &from) < 0 ||
        sj_http_query_date(ctx, "to", &to) < 0)
        return SJ_EINVAL;
    if (sj_platform_stats(sj_http_store(ctx), scope, from, to, &stats, &err) < 0)
        return sj_http_fail(ctx, &err);
    json_t *months = json_array();
    for (size_t i = 0; i < stats.month_count; i++) {
        const struct sj_platform_month *m = &stats.months[i];
        json_array_append_new(months, json_pack("{s:s, s:I, s:I, s:I}", "month", m->month, "runs",
                                                (json_int_t)m->runs, "leads", (json_int_t)m->leads,
                                                "cases", (json_int_t)m->cases));
    }
    json_t *offices = json_array();
    for (size_t i = 0; i < scope.count; i++)
        json_array_append_new(offices, json_integer(scope.ids[i]));
    json_t *body =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "offices", offices, "from",
                  from ? json_string(from) : json_null(), "to", to ? json_string(to) : json_null(),
                  "models", rows_json(stats.counts.models, stats.counts.model_count, "model"),
                  "functions", rows_json(stats.counts.functions, stats.counts.function_count, NULL),
                  "total", row_json(&stats.counts.total, NULL), "months", months);
    sj_platform_stats_release(&stats);
    return sj_http_reply(ctx, 200, body);
}

static const struct sj_http_route routes[] = {
    {"GET", "/api/v1/stats", SJ_ROLES_STAFF, get_stats, 0},
};

const struct sj_http_resource sj_http_api_stats = {"stats", routes, SJ_ARRAY_LEN(routes)};
