/*
 * api_jobs.c - polling the long work the API started (jobs.c): GET /api/v1/jobs (the newest
 * jobs of the offices the caller sees) and GET /api/v1/jobs/{id} (state, phase, rows so far,
 * an import's bytes read and percent done, and the import summary or the run result once
 * done). A job of an office outside the caller's scope does not exist for the caller (404).
 */
#include "http/platform_int.h"

static int get_jobs(struct sj_http_ctx *ctx)
{
    struct sj_office_set scope;
    int64_t limit = 0;
    if (sj_http_query_int(ctx, "limit", 50, 1, 1000, &limit) < 0 || sj_http_scope(ctx, &scope) < 0)
        return SJ_EINVAL;
    json_t *jobs = sj_http_jobs_list(sj_http_platform_of(ctx)->jobs, scope, (size_t)limit);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "jobs", jobs));
}

static int get_job(struct sj_http_ctx *ctx)
{
    struct sj_office_set scope;
    int64_t office = 0;
    if (sj_http_scope(ctx, &scope) < 0)
        return SJ_EINVAL;
    int64_t id = sj_http_param_id(ctx, "id");
    json_t *job = id ? sj_http_jobs_get(sj_http_platform_of(ctx)->jobs, id, &office) : NULL;
    if (!job || !sj_http_scope_has(scope, office)) {
        json_decref(job);
        return sj_http_error(ctx, 404, "NOT_FOUND", "没有这个任务");
    }
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "job", job));
}

static const struct sj_http_route routes[] = {
    {"GET", "/api/v1/jobs", SJ_ROLES_STAFF, get_jobs, 0},
    {"GET", "/api/v1/jobs/{id}", SJ_ROLES_STAFF, get_job, 0},
};

const struct sj_http_resource sj_http_api_jobs = {"jobs", routes, SJ_ARRAY_LEN(routes)};
