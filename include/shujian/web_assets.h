/*
 * web_assets.h - the web UI (web/, built by Vite) embedded in the binary, and how `shujian
 * serve` answers a browser's GET for it (src/http/web_assets.c).
 *
 * scripts/gen-web-assets turns the build output into a generated C file of byte arrays and
 * a table sorted by path (run by meson; see docs/WEB.md). When Node.js or the npm packages
 * are missing the table holds a small built-in page saying the UI was not built, so the
 * binary always builds and serves something.
 *
 * Paths are the URL paths the browser asks for ("/index.html", "/assets/main-3f2a9c.js",
 * "/m/index.html"). The single-page apps route on the client, so a path without a file
 * extension is answered with the SPA's index.html ("/leads/7" -> "/index.html", "/m/bind"
 * -> "/m/index.html"); a missing file (one with an extension, or anything under /assets/)
 * is not, so a stale script never receives HTML. /api/ and /healthz are never web paths.
 *
 * Everything handed out is static storage: never freed, safe to share between threads.
 */
#ifndef SHUJIAN_WEB_ASSETS_H
#define SHUJIAN_WEB_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

#include "shujian/http.h"

struct sj_web_asset {
    const char *path;         /* "/assets/main-3f2a9c.js" */
    const char *content_type; /* "text/javascript; charset=utf-8" */
    const unsigned char *data;
    size_t len;
    const unsigned char *gzip; /* the same bytes gzip-compressed; NULL when that is no smaller */
    size_t gzip_len;
    const char *etag;  /* "\"<16 hex digits of the SHA-256 of data>\"" */
    bool is_immutable; /* a content-hashed file: cacheable for a year */
};

/* The asset that answers GET path (the path only, no query), following the rules above:
 * exact match, "/" -> "/index.html", SPA fallback for paths without an extension. NULL for
 * API paths, for missing files, and for path NULL. */
const struct sj_web_asset *sj_web_asset_lookup(const char *path);

/* The same as sj_web_asset_lookup, as plain out-parameters for a server's fallback route.
 * Returns 0 and sets *data, *len and *content_type (static storage), or SJ_ENOTFOUND. */
int sj_web_asset_find(const char *path, const unsigned char **data, size_t *len,
                      const char **content_type);

/* Whether the embedded UI is the real Vite build (false: the "UI not built" page). */
bool sj_web_assets_is_built(void);

/* Answers a browser's request for the web UI, or declines. Declines (returns false and
 * leaves *resp untouched) unless the method is GET or HEAD and the path is not an API
 * path (/api, /api/..., /healthz). Otherwise fills *resp (owned by the caller: release
 * with sj_http_response_release) and returns true:
 *   200 with the asset, gzip-encoded when the request's Accept-Encoding allows gzip and a
 *       gzip copy exists; Content-Type, ETag, Vary, and Cache-Control "public,
 *       max-age=31536000, immutable" for hashed files or "no-cache" for the rest;
 *   304 without a body when If-None-Match names the asset's ETag;
 *   404 (text/plain, Chinese) for a missing file.
 * Every answer carries the security headers of the API (nosniff, frame and referrer
 * policies, HSTS over TLS) and a Content-Security-Policy that allows the UI's own scripts
 * and styles, map tiles from other hosts, and nothing else. */
bool sj_web_respond(const struct sj_http_request *req, struct sj_http_response *resp);

/* ---- Filled in by the generated file (scripts/gen-web-assets) ------------------------------ */

extern const struct sj_web_asset sj_web_assets_table[]; /* sorted by path (strcmp) */
extern const size_t sj_web_assets_count;
extern const bool sj_web_assets_built;

#endif
