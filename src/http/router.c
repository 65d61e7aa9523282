/*
 * router.c - the route table (one entry per resource file, in the order listed here) and
 * matching a method and path to a route. A pattern is '/'-separated segments, each either
 * literal or a whole-segment {param}; a path matches when every segment does. Empty
 * segments ("//", a trailing '/') never match a parameter, so "/users/" is not "/users/{id}".
 */
#include <string.h>

#include "http/http_int.h"

static const struct sj_http_resource *const resources[] = {
    &sj_http_api_health,
    &sj_http_api_auth,
    &sj_http_api_users,
    &sj_http_api_offices,
    &sj_http_api_datasets,
    &sj_http_api_models,
    &sj_http_api_models_preview,
    &sj_http_api_leads,
    &sj_http_api_stats,
    &sj_http_api_jobs,
    &sj_http_api_bail,
};

/* The next segment of *p (after its '/'), advancing *p. False at the end. */
static bool next_segment(const char **p, struct sj_str *seg)
{
    if (**p != '/')
        return false;
    const char *start = *p + 1;
    const char *end = strchr(start, '/');
    if (!end)
        end = start + strlen(start);
    *seg = sj_str_make(start, (size_t)(end - start));
    *p = end;
    return true;
}

struct captures {
    size_t count;
    struct sj_str names[SJ_HTTP_PARAMS_MAX];
    struct sj_str values[SJ_HTTP_PARAMS_MAX];
};

static bool path_matches(const char *pattern, const char *path, struct captures *caps)
{
    struct sj_str want, got;
    caps->count = 0;
    for (;;) {
        bool has_want = next_segment(&pattern, &want);
        bool has_got = next_segment(&path, &got);
        if (!has_want || !has_got)
            return !has_want && !has_got && *pattern == '\0' && *path == '\0';
        bool is_param = want.len > 2 && want.ptr[0] == '{' && want.ptr[want.len - 1] == '}';
        if (!is_param) {
            if (!sj_str_eq(want, got))
                return false;
            continue;
        }
        if (got.len == 0 || caps->count == SJ_HTTP_PARAMS_MAX)
            return false;
        caps->names[caps->count] = sj_str_make(want.ptr + 1, want.len - 2);
        caps->values[caps->count++] = got;
    }
}

static bool method_matches(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

static void keep_captures(struct sj_http_ctx *ctx, const struct captures *caps)
{
    ctx->param_count = caps->count;
    for (size_t i = 0; i < caps->count; i++) {
        ctx->param_names[i] = sj_arena_strndup(&ctx->arena, caps->names[i].ptr, caps->names[i].len);
        ctx->param_values[i] =
            sj_arena_strndup(&ctx->arena, caps->values[i].ptr, caps->values[i].len);
    }
}

static void add_allowed(struct sj_http_ctx *ctx, const char **allow, const char *method)
{
    if (!allow || !ctx)
        return;
    if (*allow && strstr(*allow, method))
        return;
    *allow = *allow ? sj_arena_sprintf(&ctx->arena, "%s, %s", *allow, method)
                    : sj_arena_strndup(&ctx->arena, method, strlen(method));
}

enum sj_http_match sj_http_route_find(struct sj_http_ctx *ctx, const char *method, const char *path,
                                      const struct sj_http_route **route, const char **allow)
{
    enum sj_http_match result = SJ_HTTP_MATCH_NONE;
    struct captures caps;
    *route = NULL;
    if (allow)
        *allow = NULL;
    for (size_t r = 0; r < SJ_ARRAY_LEN(resources); r++) {
        for (size_t i = 0; i < resources[r]->route_count; i++) {
            const struct sj_http_route *candidate = &resources[r]->routes[i];
            if (!path_matches(candidate->pattern, path, &caps))
                continue;
            if (!method_matches(candidate->method, method)) {
                result = SJ_HTTP_MATCH_PATH;
                add_allowed(ctx, allow, candidate->method);
                continue;
            }
            *route = candidate;
            if (ctx)
                keep_captures(ctx, &caps);
            return SJ_HTTP_MATCH_OK;
        }
    }
    return result;
}

size_t sj_http_body_max(const struct sj_http_app *app, const char *method, const char *path)
{
    const struct sj_http_route *route = NULL;
    (void)app;
    if (sj_http_route_find(NULL, method, path, &route, NULL) == SJ_HTTP_MATCH_OK && route->body_max)
        return route->body_max;
    return SJ_HTTP_BODY_MAX;
}
