/*
 * test_web_assets.c - unit tests of the embedded web UI (src/http/web_assets.c and the table
 * scripts/gen-web-assets generates), table-driven: URL paths -> the asset that answers them
 * (SPA fallback, missing files, API paths declined), Accept-Encoding -> gzip or identity,
 * If-None-Match -> 304, and the generated table itself (sorted, unique, every gzip copy
 * inflating to the same bytes). Works with either embedded UI: the Vite build or the
 * "UI not built" page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <zlib.h>

#include "shujian/web_assets.h"

static const char *resp_header(const struct sj_http_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->header_count; i++) {
        if (strcasecmp(resp->headers[i].key, name) == 0)
            return resp->headers[i].value;
    }
    return NULL;
}

/* A GET (or method) of path with up to two headers. */
static bool respond(const char *method, const char *path, const char *h1, const char *v1,
                    const char *h2, const char *v2, struct sj_http_response *resp)
{
    struct sj_http_kv headers[2] = {{h1, v1}, {h2, v2}};
    struct sj_http_request req = {.method = method,
                                  .path = path,
                                  .headers = headers,
                                  .header_count = h2   ? 2
                                                  : h1 ? 1
                                                       : 0,
                                  .peer = ""};
    return sj_web_respond(&req, resp);
}

static bool contains(const unsigned char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(data + i, needle, n) == 0)
            return true;
    }
    return false;
}

/* An asset that has a gzip copy, or NULL. */
static const struct sj_web_asset *gzipped_asset(void)
{
    for (size_t i = 0; i < sj_web_assets_count; i++) {
        if (sj_web_assets_table[i].gzip)
            return &sj_web_assets_table[i];
    }
    return NULL;
}

static void test_lookup(void **state)
{
    (void)state;
    const struct sj_web_asset *index = sj_web_asset_lookup("/index.html");
    const struct sj_web_asset *mobile = sj_web_asset_lookup("/m/index.html");
    assert_non_null(index);
    assert_string_equal(index->path, "/index.html");
    assert_ptr_equal(sj_web_asset_lookup("/"), index);
    /* The phone page answers its own routes when it was built; else the platform's page. */
    const struct sj_web_asset *phone = mobile ? mobile : index;
    static const struct {
        const char *path;
        int want; /* 0 NULL, 1 index, 2 the phone page */
    } cases[] = {
        {"/leads", 1},
        {"/leads/7", 1},
        {"/admin/users", 1},
        {"/data/", 1},
        {"/m", 2},
        {"/m/", 2},
        {"/m/checkin", 2},
        {"/mobile", 1},
        {"/assets/missing.js", 0},
        {"/assets/x", 0},
        {"/favicon.ico.bak", 0},
        {"/robots.txt", 0},
        {"/api", 0},
        {"/api/", 0},
        {"/api/v1/unknown", 0},
        {"/healthz", 0},
        {"/healthz/x", 0},
        {"", 0},
        {"index.html", 0},
        {"/apix", 1},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        const struct sj_web_asset *want = cases[i].want == 0   ? NULL
                                          : cases[i].want == 1 ? index
                                                               : phone;
        const struct sj_web_asset *got = sj_web_asset_lookup(cases[i].path);
        if (got != want)
            fail_msg("%s: got %s, want %s", cases[i].path, got ? got->path : "NULL",
                     want ? want->path : "NULL");
    }
    assert_null(sj_web_asset_lookup(NULL));
    /* Every embedded file is found by its own path. */
    for (size_t i = 0; i < sj_web_assets_count; i++)
        assert_ptr_equal(sj_web_asset_lookup(sj_web_assets_table[i].path), &sj_web_assets_table[i]);
}

static void test_find(void **state)
{
    (void)state;
    const unsigned char *data = NULL;
    size_t len = 0;
    const char *type = NULL;
    assert_int_equal(sj_web_asset_find("/leads", &data, &len, &type), 0);
    assert_ptr_equal(data, sj_web_asset_lookup("/index.html")->data);
    assert_int_equal(len, sj_web_asset_lookup("/index.html")->len);
    assert_string_equal(type, "text/html; charset=utf-8");
    assert_true(len > 100 && contains(data, len, "<html"));
    assert_int_equal(sj_web_asset_find("/api/v1/me", &data, &len, &type), SJ_ENOTFOUND);
    assert_int_equal(sj_web_asset_find("/assets/none.css", &data, &len, &type), SJ_ENOTFOUND);
}

static void test_table(void **state)
{
    (void)state;
    assert_true(sj_web_assets_count >= 1);
    for (size_t i = 0; i < sj_web_assets_count; i++) {
        const struct sj_web_asset *a = &sj_web_assets_table[i];
        if (i > 0)
            assert_true(strcmp(sj_web_assets_table[i - 1].path, a->path) < 0);
        assert_true(a->path[0] == '/');
        assert_true(strlen(a->etag) == 18 && a->etag[0] == '"' && a->etag[17] == '"');
        assert_int_equal(a->is_immutable, strncmp(a->path, "/assets/", 8) == 0);
        if (!a->gzip)
            continue;
        assert_true(a->gzip_len < a->len);
        unsigned char *out = malloc(a->len + 1);
        z_stream z = {.next_in = (unsigned char *)a->gzip,
                      .avail_in = (uInt)a->gzip_len,
                      .next_out = out,
                      .avail_out = (uInt)a->len + 1};
        assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
        assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
        assert_int_equal(z.total_out, a->len);
        assert_memory_equal(out, a->data, a->len);
        inflateEnd(&z);
        free(out);
    }
    if (sj_web_assets_is_built()) {
        assert_non_null(sj_web_asset_lookup("/m/index.html"));
        assert_non_null(gzipped_asset());
    }
}

static void test_declines(void **state)
{
    (void)state;
    struct sj_http_response resp = {.status = -1};
    static const struct {
        const char *method, *path;
    } cases[] = {{"POST", "/"},         {"PUT", "/index.html"}, {"DELETE", "/leads"},
                 {"GET", "/api/v1/me"}, {"HEAD", "/api"},       {"GET", "/healthz"},
                 {"GET", ""},           {"OPTIONS", "/"}};
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        assert_false(respond(cases[i].method, cases[i].path, NULL, NULL, NULL, NULL, &resp));
        assert_int_equal(resp.status, -1); /* untouched */
    }
}

static void test_answer(void **state)
{
    (void)state;
    struct sj_http_response resp;
    const struct sj_web_asset *index = sj_web_asset_lookup("/index.html");
    assert_true(respond("GET", "/leads/3", NULL, NULL, NULL, NULL, &resp));
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_len, index->len);
    assert_memory_equal(resp.body, index->data, index->len);
    assert_string_equal(resp_header(&resp, "Content-Type"), "text/html; charset=utf-8");
    assert_string_equal(resp_header(&resp, "Cache-Control"), "no-cache");
    assert_string_equal(resp_header(&resp, "ETag"), index->etag);
    assert_non_null(strstr(resp_header(&resp, "Content-Security-Policy"), "script-src 'self'"));
    assert_string_equal(resp_header(&resp, "X-Content-Type-Options"), "nosniff");
    assert_null(resp_header(&resp, "Content-Encoding"));
    assert_null(resp_header(&resp, "Strict-Transport-Security"));
    sj_http_response_release(&resp);

    assert_true(respond("HEAD", "/assets/nope-1234.js", NULL, NULL, NULL, NULL, &resp));
    assert_int_equal(resp.status, 404);
    assert_string_equal(resp_header(&resp, "Content-Type"), "text/plain; charset=utf-8");
    sj_http_response_release(&resp);

    for (size_t i = 0; i < sj_web_assets_count; i++) {
        const struct sj_web_asset *a = &sj_web_assets_table[i];
        if (!a->is_immutable)
            continue;
        assert_true(respond("GET", a->path, NULL, NULL, NULL, NULL, &resp));
        assert_string_equal(resp_header(&resp, "Cache-Control"),
                            "public, max-age=31536000, immutable");
        assert_string_equal(resp_header(&resp, "Content-Type"), a->content_type);
        sj_http_response_release(&resp);
        break;
    }
}

static void test_gzip(void **state)
{
    (void)state;
    const struct sj_web_asset *a = gzipped_asset();
    if (!a)
        skip();
    static const struct {
        const char *accept;
        bool is_gzip;
    } cases[] = {
        {"gzip", true},
        {"gzip, deflate, br", true},
        {"br, GZIP", true},
        {"deflate, gzip;q=0.5", true},
        {"x-gzip", true},
        {"*", true},
        {"br;q=1.0, *;q=0.1", true},
        {"gzip;q=0", false},
        {"gzip; q=0.000", false},
        {"gzip;q=0, *", false},
        {"*;q=0", false},
        {"identity", false},
        {"br", false},
        {"", false},
        {"gzipx", false},
        {"gzip;q=0.001", true},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        struct sj_http_response resp;
        assert_true(respond("GET", a->path, "Accept-Encoding", cases[i].accept, NULL, NULL, &resp));
        const char *enc = resp_header(&resp, "Content-Encoding");
        if ((enc != NULL) != cases[i].is_gzip)
            fail_msg("Accept-Encoding '%s': got %s", cases[i].accept, enc ? enc : "identity");
        assert_int_equal(resp.body_len, cases[i].is_gzip ? a->gzip_len : a->len);
        assert_memory_equal(resp.body, cases[i].is_gzip ? a->gzip : a->data, resp.body_len);
        assert_string_equal(resp_header(&resp, "Vary"), "Accept-Encoding");
        sj_http_response_release(&resp);
    }
}

static void test_not_modified(void **state)
{
    (void)state;
    const struct sj_web_asset *index = sj_web_asset_lookup("/index.html");
    char weak[64], listed[96];
    snprintf(weak, sizeof weak, "W/%s", index->etag);
    snprintf(listed, sizeof listed, "\"0000000000000000\", %s", index->etag);
    const struct {
        const char *inm;
        int status;
    } cases[] = {
        {index->etag, 304}, {weak, 304}, {listed, 304}, {"*", 304}, {"\"other\"", 200}, {"", 200},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        struct sj_http_response resp;
        assert_true(
            respond("GET", "/", "If-None-Match", cases[i].inm, "Accept-Encoding", "gzip", &resp));
        if (resp.status != cases[i].status)
            fail_msg("If-None-Match '%s': got %d, want %d", cases[i].inm, resp.status,
                     cases[i].status);
        if (resp.status == 304) {
            assert_null(resp.body);
            assert_string_equal(resp_header(&resp, "ETag"), index->etag);
        }
        sj_http_response_release(&resp);
    }
}

static void test_tls_header(void **state)
{
    (void)state;
    struct sj_http_request req = {.method = "GET", .path = "/", .is_tls = true, .peer = ""};
    struct sj_http_response resp;
    assert_true(sj_web_respond(&req, &resp));
    assert_string_equal(resp_header(&resp, "Strict-Transport-Security"), "max-age=31536000");
    sj_http_response_release(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),       cmocka_unit_test(test_find),
        cmocka_unit_test(test_table),        cmocka_unit_test(test_declines),
        cmocka_unit_test(test_answer),       cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_not_modified), cmocka_unit_test(test_tls_header),
    };
    return cmocka_run_group_tests_name("web_assets", tests, NULL, NULL);
}
