/*
 * web_assets.c - serving the embedded web UI: finding an asset by URL path (binary search
 * over the generated table, which scripts/gen-web-assets sorts by strcmp), the single-page
 * app fallback to index.html, and the HTTP answer (gzip when the client takes it, ETag and
 * 304, cache headers, a Content-Security-Policy for the UI).
 *
 * Invariants: API paths (/api, /api/..., /healthz) are never answered here, so an unknown
 * API path still gets the router's JSON 404; a path with a file extension or under /assets/
 * is never answered with index.html; nothing here allocates except the answer itself.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shujian/web_assets.h"

/* What the UI needs and nothing else: its own scripts and styles (Element Plus and Leaflet
 * set style attributes, hence 'unsafe-inline' for styles only), images from anywhere for
 * configurable map tiles, camera photos as data:/blob: URLs, and the API on this origin. */
#define WEB_CSP                                                                                    \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "                    \
    "img-src 'self' data: blob: http: https:; font-src 'self' data:; connect-src 'self'; "         \
    "media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "             \
    "frame-ancestors 'none'"

#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define CACHE_REVALIDATE "no-cache"

bool sj_web_assets_is_built(void)
{
    return sj_web_assets_built;
}

static const struct sj_web_asset *find_exact(const char *path)
{
    size_t lo = 0, hi = sj_web_assets_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(path, sj_web_assets_table[mid].path);
        if (cmp == 0)
            return &sj_web_assets_table[mid];
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* /api, /api/..., /healthz: the router's, even when no route matches. */
static bool is_api_path(const char *path)
{
    return strcmp(path, "/api") == 0 || has_prefix(path, "/api/") ||
           strcmp(path, "/healthz") == 0 || has_prefix(path, "/healthz/");
}

/* Whether the last segment of path has a '.' (a file, not a client-side route). */
static bool has_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *last = slash ? slash + 1 : path;
    return strchr(last, '.') != NULL;
}

const struct sj_web_asset *sj_web_asset_lookup(const char *path)
{
    if (!path || path[0] != '/' || is_api_path(path))
        return NULL;
    if (strcmp(path, "/") == 0)
        return find_exact("/index.html");
    const struct sj_web_asset *asset = find_exact(path);
    if (asset || has_extension(path) || has_prefix(path, "/assets/"))
        return asset;
    /* The phone page is its own app; everything else belongs to the platform's. */
    if (strcmp(path, "/m") == 0 || has_prefix(path, "/m/")) {
        asset = find_exact("/m/index.html");
        if (asset)
            return asset;
    }
    return find_exact("/index.html");
}

int sj_web_asset_find(const char *path, const unsigned char **data, size_t *len,
                      const char **content_type)
{
    const struct sj_web_asset *asset = sj_web_asset_lookup(path);
    if (!asset)
        return SJ_ENOTFOUND;
    *data = asset->data;
    *len = asset->len;
    *content_type = asset->content_type;
    return 0;
}

/* ---- Request headers ------------------------------------------------------------------------ */

static const char *header(const struct sj_http_request *req, const char *name)
{
    for (size_t i = 0; i < req->header_count; i++) {
        if (strcasecmp(req->headers[i].key, name) == 0)
            return req->headers[i].value;
    }
    return NULL;
}

/* The next comma-separated token of *p, trimmed, as [*start, *end). False at the end. */
static bool next_token(const char **p, const char **start, const char **end)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t' || *s == ',')
        s++;
    if (!*s)
        return false;
    const char *e = strchr(s, ',');
    if (!e)
        e = s + strlen(s);
    *p = e;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *start = s;
    *end = e;
    return true;
}

/* Whether a coding's parameters ("gzip;q=0") refuse it: q=0, q=0.0, q=0.00 ... */
static bool is_refused(const char *params, const char *end)
{
    const char *q = params;
    while (q < end && (q = strchr(q, ';')) != NULL && q < end) {
        q++;
        while (q < end && *q == ' ')
            q++;
        if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
            const char *v = q + 2;
            if (v < end && *v == '0') {
                for (v++; v < end && (*v == '.' || *v == '0'); v++)
                    ;
                return v == end || *v == ';' || *v == ' ';
            }
            return false;
        }
    }
    return false;
}

/* RFC 9110 12.5.3, as far as gzip goes: listed with q > 0, or "*" with q > 0 and gzip not
 * listed at all. */
static bool accepts_gzip(const struct sj_http_request *req)
{
    const char *value = header(req, "Accept-Encoding");
    const char *start, *end;
    int gzip = -1, star = -1; /* -1 not listed, 0 refused, 1 accepted */
    if (!value)
        return false;
    while (next_token(&value, &start, &end)) {
        const char *semi = memchr(start, ';', (size_t)(end - start));
        size_t name_len = (size_t)((semi ? semi : end) - start);
        while (name_len > 0 && start[name_len - 1] == ' ')
            name_len--;
        int verdict = is_refused(start, end) ? 0 : 1;
        if (name_len == 4 && strncasecmp(start, "gzip", 4) == 0)
            gzip = verdict;
        else if (name_len == 6 && strncasecmp(start, "x-gzip", 6) == 0 && gzip < 0)
            gzip = verdict;
        else if (name_len == 1 && *start == '*')
            star = verdict;
    }
    return gzip == 1 || (gzip < 0 && star == 1);
}

/* Whether If-None-Match names etag ("*", a list, weak W/ forms all count). */
static bool is_not_modified(const struct sj_http_request *req, const char *etag)
{
    const char *value = header(req, "If-None-Match");
    const char *start, *end;
    size_t etag_len = strlen(etag);
    if (!value)
        return false;
    while (next_token(&value, &start, &end)) {
        if (end - start == 1 && *start == '*')
            return true;
        if (end - start > 2 && start[0] == 'W' && start[1] == '/')
            start += 2;
        if ((size_t)(end - start) == etag_len && memcmp(start, etag, etag_len) == 0)
            return true;
    }
    return false;
}

/* ---- The answer ----------------------------------------------------------------------------- */

static void put_header(struct sj_http_response *resp, const char *key, const char *value)
{
    resp->headers = sj_xrealloc(resp->headers, (resp->header_count + 1) * sizeof *resp->headers);
    resp->headers[resp->header_count].key = sj_xstrdup(key);
    resp->headers[resp->header_count].value = sj_xstrdup(value);
    resp->header_count++;
}

static void set_body(struct sj_http_response *resp, const void *data, size_t len)
{
    resp->body = sj_xmalloc(len ? len : 1);
    memcpy(resp->body, data, len);
    resp->body_len = len;
}

static void put_common_headers(const struct sj_http_request *req, struct sj_http_response *resp)
{
    put_header(resp, "X-Content-Type-Options", "nosniff");
    put_header(resp, "X-Frame-Options", "DENY");
    put_header(resp, "Referrer-Policy", "no-referrer");
    put_header(resp, "Content-Security-Policy", WEB_CSP);
    put_header(resp, "Permissions-Policy", "geolocation=(self), camera=(self), microphone=()");
    if (req->is_tls)
        put_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

static void answer_missing(const struct sj_http_request *req, struct sj_http_response *resp)
{
    static const char text[] = "未找到该文件。\n";
    resp->status = 404;
    set_body(resp, text, sizeof text - 1);
    put_header(resp, "Content-Type", "text/plain; charset=utf-8");
    put_header(resp, "Cache-Control", "no-store");
    put_common_headers(req, resp);
}

static void answer_asset(const struct sj_http_request *req, const struct sj_web_asset *asset,
                         struct sj_http_response *resp)
{
    bool is_gzip = asset->gzip && accepts_gzip(req);
    resp->status = is_not_modified(req, asset->etag) ? 304 : 200;
    if (resp->status == 200 && is_gzip)
        set_body(resp, asset->gzip, asset->gzip_len);
    else if (resp->status == 200)
        set_body(resp, asset->data, asset->len);
    put_header(resp, "Content-Type", asset->content_type);
    put_header(resp, "Cache-Control", asset->is_immutable ? CACHE_IMMUTABLE : CACHE_REVALIDATE);
    put_header(resp, "ETag", asset->etag);
    if (asset->gzip)
        put_header(resp, "Vary", "Accept-Encoding");
    if (resp->status == 200 && is_gzip)
        put_header(resp, "Content-Encoding", "gzip");
    put_common_headers(req, resp);
}

bool sj_web_respond(const struct sj_http_request *req, struct sj_http_response *resp)
{
    if (!req->method || !req->path || req->path[0] != '/' || is_api_path(req->path))
        return false;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        return false;
    memset(resp, 0, sizeof *resp);
    const struct sj_web_asset *asset = sj_web_asset_lookup(req->path);
    if (asset)
        answer_asset(req, asset, resp);
    else
        answer_missing(req, resp);
    return true;
}
