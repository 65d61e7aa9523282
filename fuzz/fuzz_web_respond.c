/*
 * fuzz_web_respond.c - libFuzzer target for serving the embedded web UI
 * (src/http/web_assets.c): the URL path lookup with its SPA fallback, and the parsing of the
 * Accept-Encoding and If-None-Match headers a browser sends.
 *
 * Input: up to four NUL-separated fields: method, path, Accept-Encoding, If-None-Match
 * (missing fields are absent headers). Invariants checked on every answer: declined exactly
 * for API paths and methods other than GET/HEAD; otherwise a status of 200, 304 or 404; a 200
 * body is the asset's bytes or its gzip copy (then with Content-Encoding: gzip); a 304 has no
 * body; a path under /api/ or /healthz is never answered.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shujian/web_assets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *header_of(const struct sj_http_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->header_count; i++) {
        if (strcasecmp(resp->headers[i].key, name) == 0)
            return resp->headers[i].value;
    }
    return NULL;
}

static void check(const struct sj_http_request *req, const struct sj_http_response *resp)
{
    const struct sj_web_asset *asset = sj_web_asset_lookup(req->path);
    if (strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/healthz") == 0)
        abort(); /* API paths must be declined */
    if (resp->status == 404) {
        if (asset)
            abort();
        return;
    }
    if (!asset || (resp->status != 200 && resp->status != 304))
        abort();
    if (resp->status == 304) {
        if (resp->body)
            abort();
        return;
    }
    bool is_gzip = header_of(resp, "Content-Encoding") != NULL;
    const unsigned char *want = is_gzip ? asset->gzip : asset->data;
    size_t want_len = is_gzip ? asset->gzip_len : asset->len;
    if (!want || resp->body_len != want_len || memcmp(resp->body, want, want_len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    const char *fields[4] = {NULL, NULL, NULL, NULL};
    size_t n = 0, start = 0;
    memcpy(text, data, size);
    text[size] = '\0';
    for (size_t i = 0; i <= size && n < 4; i++) {
        if (i == size || text[i] == '\0') {
            fields[n++] = text + start;
            start = i + 1;
        }
    }
    struct sj_http_kv headers[2];
    size_t header_count = 0;
    if (fields[2])
        headers[header_count++] = (struct sj_http_kv){"Accept-Encoding", fields[2]};
    if (fields[3])
        headers[header_count++] = (struct sj_http_kv){"If-None-Match", fields[3]};
    struct sj_http_request req = {.method = fields[0] ? fields[0] : "",
                                  .path = fields[1] ? fields[1] : "",
                                  .headers = headers,
                                  .header_count = header_count,
                                  .peer = ""};
    struct sj_http_response resp = {0};
    bool is_answered = sj_web_respond(&req, &resp);
    bool is_web = (strcmp(req.method, "GET") == 0 || strcmp(req.method, "HEAD") == 0) &&
                  req.path[0] == '/' && strcmp(req.path, "/api") != 0 &&
                  strncmp(req.path, "/api/", 5) != 0 && strcmp(req.path, "/healthz") != 0 &&
                  strncmp(req.path, "/healthz/", 9) != 0;
    if (is_answered != is_web)
        abort();
    if (is_answered)
        check(&req, &resp);
    sj_http_response_release(&resp);
    free(text);
    return 0;
}
