/*
 * http.h - the HTTP API server (src/http): `shujian serve`, the router, and what a
 * resource file src/http/api_<resource>.c uses to answer requests.
 *
 * Layers: server.c speaks HTTP through libmicrohttpd (thread pool, limits, TLS, graceful
 * stop) and turns each request into a struct sj_http_request; sj_http_handle() then does
 * everything else without sockets (routing, session, CSRF, roles, JSON body, the handler,
 * masking) and fills a struct sj_http_response. The fuzz target and tests call it directly.
 *
 * Contracts every handler can rely on: the route's roles were checked (a route with roles
 * 0 is public); a state-changing request (POST, PUT, PATCH, DELETE) of a signed-in user
 * carried the session's CSRF token; a non-empty body was a JSON object sent as
 * application/json. A handler must still check office scope itself, with
 * sj_http_office_visible, for every record it reads or changes. Every error answer is
 * {"code": "STABLE_CODE", "message": "中文说明"}; every JSON answer is masked (ID numbers,
 * phones, bank cards, names) unless an admin or prosecutor asked for ?reveal=1, and each
 * such reveal is recorded.
 *
 * Ownership: a struct sj_http_ctx lives for one request; strings it hands out are owned by
 * the request's arena. JSON passed to sj_http_reply is taken.
 */
#ifndef SHUJIAN_HTTP_H
#define SHUJIAN_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/identity.h"
#include "shujian/store.h"

/* ---- Limits ----------------------------------------------------------------------------- */

#define SJ_HTTP_BODY_MAX ((size_t)16 << 20)    /* default request body cap (routes may raise it) */
#define SJ_HTTP_URI_MAX 4096                   /* longer request targets get 414 */
#define SJ_HTTP_HEADERS_MAX ((size_t)32 << 10) /* per-connection memory for the request head */
#define SJ_HTTP_TIMEOUT_S 30                   /* idle connection timeout */
#define SJ_HTTP_REQUEST_TIME_S 120             /* a request body must arrive within this */
#define SJ_HTTP_PARAMS_MAX 4                   /* {params} in one route pattern */

/* ---- Requests and responses without sockets --------------------------------------------- */

struct sj_http_kv {
    const char *key;
    const char *value;
};

/* One request as the server received it. Everything is borrowed. */
struct sj_http_request {
    const char *method; /* "GET" */
    const char *path;   /* percent-decoded path without the query ("/api/v1/users/3") */
    size_t uri_len;     /* length of the request target as sent (for the 414 check) */
    const struct sj_http_kv *headers; /* names compared without case */
    size_t header_count;
    const struct sj_http_kv *query; /* decoded ?key=value pairs */
    size_t query_count;
    const struct sj_http_kv *cookies;
    size_t cookie_count;
    struct sj_str body;
    bool is_tls;
    const char *peer; /* client address for the log, "" when unknown */
};

/* The answer, owned by the caller after sj_http_handle: free with sj_http_response_release. */
struct sj_http_response {
    int status;
    char *body; /* JSON text */
    size_t body_len;
    struct sj_http_kv *headers; /* keys and values owned (malloc) */
    size_t header_count;
};

struct sj_http_app;

struct sj_http_app_options {
    const char *workspace; /* directory (created if missing) */
    unsigned stores;       /* SQLite connections in the pool (one per worker thread) */
    struct sj_auth_policy policy;
};

/* Opens the workspace stores and builds the route table. *out is owned by the caller
 * (sj_http_app_free). Errors from sj_store_open. */
int sj_http_app_new(const struct sj_http_app_options *options, struct sj_http_app **out,
                    struct sj_err *err);
void sj_http_app_free(struct sj_http_app *app);

/* Answers one request. Thread-safe: any number of threads may call it at once (each
 * takes a store from the pool). Never fails: problems become 4xx/5xx answers. */
void sj_http_handle(struct sj_http_app *app, const struct sj_http_request *req,
                    struct sj_http_response *resp);
void sj_http_response_release(struct sj_http_response *resp);

/* Builds an error answer {"code", "message"} with the usual headers, for what the server
 * refuses before a request reaches sj_http_handle (an announced body over the cap, a body
 * that arrived too slowly). */
void sj_http_handle_error(struct sj_http_app *app, const struct sj_http_request *req, int status,
                          const char *code, const char *message, struct sj_http_response *resp);

/* The body cap of the route method+path matches (SJ_HTTP_BODY_MAX when none matches), so
 * the server can refuse an oversized body before reading it. */
size_t sj_http_body_max(const struct sj_http_app *app, const char *method, const char *path);

/* ---- The server --------------------------------------------------------------------------- */

struct sj_http_options {
    const char *listen;   /* "ADDR:PORT" or "[ADDR6]:PORT"; default 127.0.0.1:8080; port 0 = any */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    unsigned threads; /* worker threads; 0 = 16 per processor, at least 64, at most 256 */
    struct sj_http_app_options app;
};

/* Defaults: 127.0.0.1:8080, no TLS, threads 0, sj_auth_policy_init. */
void sj_http_options_init(struct sj_http_options *options);

/* Serves until SIGTERM or SIGINT, then stops accepting, lets requests in flight finish
 * (for up to 30 s; a second signal cuts that short) and returns 0. Logs
 * "listening on http(s)://ADDR:PORT" once ready. Errors: SJ_EUSAGE (bad listen address),
 * SJ_EIO (cannot read the TLS files or bind), SJ_EINVAL (TLS not supported), store errors. */
int sj_http_serve(const struct sj_http_options *options, struct sj_err *err);

/* ---- Routes ------------------------------------------------------------------------------- */

struct sj_http_ctx;

/* Answers the request through sj_http_reply/sj_http_error. Returns 0, or a negative
 * SJ_E* code after which the router answers 500 unless the handler already replied. */
typedef int (*sj_http_handler)(struct sj_http_ctx *ctx);

struct sj_http_route {
    const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" (GET also answers HEAD) */
    const char *pattern; /* "/api/v1/users/{id}": literal segments and whole-segment {params} */
    unsigned roles;      /* SJ_ROLE_BIT mask of who may call it; 0 = public, no session */
    sj_http_handler handler;
    size_t body_max; /* 0: SJ_HTTP_BODY_MAX */
};

/* What each src/http/api_<resource>.c exports; src/http/router.c lists them. */
struct sj_http_resource {
    const char *name;
    const struct sj_http_route *routes;
    size_t route_count;
};

/* ---- What handlers use -------------------------------------------------------------------- */

/* The request's arena and store (borrowed, valid during the request). */
struct sj_arena *sj_http_arena(struct sj_http_ctx *ctx);
struct sj_store *sj_http_store(struct sj_http_ctx *ctx);
/* The signed-in user; NULL on public routes. */
const struct sj_user *sj_http_user(const struct sj_http_ctx *ctx);
/* The session's token, CSRF token and timeouts; NULL/0 on public routes. */
struct sj_str sj_http_session_token(const struct sj_http_ctx *ctx);
const struct sj_session *sj_http_session(const struct sj_http_ctx *ctx);
const struct sj_auth_policy *sj_http_policy(const struct sj_http_ctx *ctx);
const struct sj_http_request *sj_http_request(const struct sj_http_ctx *ctx);

/* A {param} of the route by name, NULL when absent. */
const char *sj_http_param(const struct sj_http_ctx *ctx, const char *name);
/* The {param} as a whole number >= 1; 0 when it is anything else. */
int64_t sj_http_param_id(const struct sj_http_ctx *ctx, const char *name);
/* A query parameter (?name=value) or header (any case), NULL when absent. */
const char *sj_http_query(const struct sj_http_ctx *ctx, const char *name);
const char *sj_http_header(const struct sj_http_ctx *ctx, const char *name);
/* The request body as a JSON object (borrowed), or NULL when the body was empty. */
json_t *sj_http_body(const struct sj_http_ctx *ctx);

/* Replies with status and body (taken; may be NULL for an empty body). Returns 0. */
int sj_http_reply(struct sj_http_ctx *ctx, int status, json_t *body);
/* Replies {"code": code, "message": printf(fmt, ...)} with status (4xx/5xx). Returns
 * SJ_EINVAL so a handler can `return sj_http_error(...)`. */
int sj_http_error(struct sj_http_ctx *ctx, int status, const char *code, const char *fmt, ...)
    SJ_PRINTF(4, 5);
/* Replies for a failed store call: SJ_EINVAL -> 400 INVALID_FIELD, SJ_ENOTFOUND -> 404
 * NOT_FOUND, SJ_EEXIST -> 409 CONFLICT, SJ_EPERM -> 403 FORBIDDEN, a busy workspace -> 503
 * BUSY, anything else -> 500 INTERNAL (whose details go to the log, not the client).
 * Returns the error's code (negative). */
int sj_http_fail(struct sj_http_ctx *ctx, const struct sj_err *err);
/* Adds a response header (copied). At most 8 per response. */
void sj_http_add_header(struct sj_http_ctx *ctx, const char *name, const char *value);

/* Whether the signed-in user's office may see records of office_id (sj_office_is_visible).
 * False on public routes and on database errors (which are logged): fail closed. */
bool sj_http_office_visible(struct sj_http_ctx *ctx, int64_t office_id);

/* Reads body member key as a string into *out (borrowed from the body). Replies 400
 * INVALID_FIELD and returns SJ_EINVAL when it is absent (and required) or not a string. */
int sj_http_body_string(struct sj_http_ctx *ctx, const char *key, bool is_required,
                        const char **out);
/* The same for a whole number >= 1 (*out 0 when absent and optional). */
int sj_http_body_id(struct sj_http_ctx *ctx, const char *key, bool is_required, int64_t *out);
/* Replies 400 INVALID_FIELD and returns SJ_EINVAL when the body has a member not in
 * allowed (a NULL-terminated list), or when the body is empty and is_required. */
int sj_http_body_only(struct sj_http_ctx *ctx, const char *const *allowed, bool is_required);

/* Milliseconds since the Unix epoch. */
int64_t sj_http_now_ms(void);
/* "2026-11-27T08:00:00Z" for ms, in the arena. */
const char *sj_http_iso_time(struct sj_http_ctx *ctx, int64_t ms);

/* ---- Masking ------------------------------------------------------------------------------ */

/* Masks personal data in root in place and returns how many strings were (or, when
 * is_dry_run, would be) changed. A string is masked by its member name when the name says
 * what it holds (id_number, phone, bank_card, person_name, or a Chinese column header such
 * as 身份证号/姓名/手机号), otherwise runs of digits in it that look like ID numbers, bank
 * cards or mobiles are masked. Identifier members (id, *_id, code, *_code, username,
 * csrf_token, *_token, *_at, *_sha256) are left alone. */
size_t sj_http_mask_json(json_t *root, bool is_dry_run);

/* Records in the workspace's ledger (action "data.reveal": who, office, client, method,
 * path, how many values; never the values) that the signed-in user saw count unmasked
 * values in the answer to this request. Returns 0, or a negative code when it could not be
 * recorded: no ledger (`shujian ledger init` makes one) or the append failed. The answer is
 * then masked after all. */
int sj_http_record_reveal(struct sj_http_ctx *ctx, size_t count);

#endif
