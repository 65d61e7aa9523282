/*
 * http_int.h - internal to src/http: the application (route table, store pool, policy),
 * the per-request context, the resource list and the JSON shapes resources share.
 */
#ifndef SHUJIAN_HTTP_INT_H
#define SHUJIAN_HTTP_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "shujian/http.h"
#include "shujian/ledger.h"

#define SJ_HTTP_REPLY_HEADERS_MAX 8

struct sj_http_app {
    struct sj_auth_policy policy;
    pthread_mutex_t lock; /* guards the pool */
    pthread_cond_t is_free;
    struct sj_store **stores;   /* the pool */
    struct sj_ledger **ledgers; /* ledgers[i] is opened on stores[i] at its first reveal */
    bool *is_busy;
    unsigned store_count;
    atomic_bool is_stopping; /* set on shutdown: answers say Connection: close */
    struct sj_http_platform *platform; /* writer and jobs of the platform API (platform_int.h) */
};

struct sj_http_ctx {
    struct sj_http_app *app;
    const struct sj_http_request *req;
    const struct sj_http_route *route;
    struct sj_arena arena;
    struct sj_store *store;
    unsigned store_index;
    /* path parameters */
    size_t param_count;
    const char *param_names[SJ_HTTP_PARAMS_MAX];
    const char *param_values[SJ_HTTP_PARAMS_MAX];
    /* the session, on routes with roles */
    bool has_session;
    struct sj_session session;
    struct sj_str token;
    json_t *body;
    /* the answer */
    bool has_reply;
    int status;
    json_t *reply;
    char *raw_reply; /* instead of reply: bytes of raw_type (sj_http_reply_bytes), malloc */
    size_t raw_reply_len;
    const char *raw_type;
    size_t header_count;
    struct sj_http_kv headers[SJ_HTTP_REPLY_HEADERS_MAX];
};

/* ---- Router (router.c) -------------------------------------------------------------------- */

enum sj_http_match { SJ_HTTP_MATCH_NONE, SJ_HTTP_MATCH_PATH, SJ_HTTP_MATCH_OK };

/* Finds the route for method and path. On SJ_HTTP_MATCH_OK, *route is set and, when ctx is
 * not NULL, its params (copied into its arena). SJ_HTTP_MATCH_PATH: some route has this path
 * but not this method; allow (may be NULL) gets "GET, POST" in ctx's arena. */
enum sj_http_match sj_http_route_find(struct sj_http_ctx *ctx, const char *method, const char *path,
                                      const struct sj_http_route **route, const char **allow);

extern const struct sj_http_resource sj_http_api_health;
extern const struct sj_http_resource sj_http_api_auth;
extern const struct sj_http_resource sj_http_api_users;
extern const struct sj_http_resource sj_http_api_offices;
extern const struct sj_http_resource sj_http_api_datasets;
extern const struct sj_http_resource sj_http_api_models;
extern const struct sj_http_resource sj_http_api_models_preview;
extern const struct sj_http_resource sj_http_api_leads;
extern const struct sj_http_resource sj_http_api_stats;
extern const struct sj_http_resource sj_http_api_jobs;
extern const struct sj_http_resource sj_http_api_bail;

/* ---- Sessions and cookies (auth.c) -------------------------------------------------------- */

/* Checks the session cookie, CSRF token and role for ctx->route. Returns 0 when the handler
 * may run, or replies (401/403) and returns a negative code. */
int sj_http_authorize(struct sj_http_ctx *ctx);
/* The session token of the request's cookie (empty when none). */
struct sj_str sj_http_cookie_token(struct sj_http_ctx *ctx);
/* Sets the session cookie (max_age_s > 0) or clears it (token NULL). */
void sj_http_set_session_cookie(struct sj_http_ctx *ctx, const char *token, int64_t max_age_s);

/* ---- JSON shapes (reply.c) ---------------------------------------------------------------- */

json_t *sj_http_user_json(const struct sj_user *user);
json_t *sj_http_office_json(const struct sj_office *office);
/* A JSON string of s that survives invalid UTF-8 (bad bytes become U+FFFD). */
json_t *sj_http_json_string(const char *s);

#endif
