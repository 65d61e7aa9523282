/*
 * api_health.c - GET /healthz: answers {"status":"ok"} when the server can reach its
 * workspace. Public, for load balancers and the service manager.
 */
#include "http/http_int.h"

static int get_health(struct sj_http_ctx *ctx)
{
    if (sj_store_schema_version(sj_http_store(ctx)) <= 0)
        return sj_http_error(ctx, 503, "UNAVAILABLE", "工作区数据库不可用");
    return sj_http_reply(ctx, 200, json_pack("{s:s}", "status", "ok"));
}

static const struct sj_http_route routes[] = {
    {"GET", "/healthz", 0, get_health, 0},
};

const struct sj_http_resource sj_http_api_health = {"health", routes, SJ_ARRAY_LEN(routes)};
