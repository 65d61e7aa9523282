/*
 * fuzz_http_json.c - libFuzzer target for request handling without sockets (src/http
 * through sj_http_handle): routing of any method and path, query parsing, the session
 * cookie and CSRF checks, JSON bodies of every shape, every handler, and masking of every
 * answer, against a real workspace in a temporary directory holding a city office, a county
 * office and an admin whose session is kept alive between inputs.
 *
 * Input: byte 0 is a set of flags (1 send the session cookie, 2 send the CSRF token, 4 send
 * Content-Type: application/json, 8 pretend TLS); then "METHOD PATH[?QUERY]" up to the
 * first newline; the rest is the body. Invariants checked on every answer: a status in
 * 200..599; a body that is JSON (unless a success says it is a file, as the XLSX export
 * does); and every 4xx/5xx answer is {"code", "message"} strings.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shujian/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PASSWORD "correct horse 1"
#define MAX_QUERY 8

static char dir[256];
static struct sj_http_app *app;
static struct sj_store *admin_store; /* for keeping the admin's session alive */
static struct sj_auth_policy policy;
static char token[SJ_SESSION_TOKEN_LEN + 1];
static char csrf[SJ_CSRF_TOKEN_LEN + 1];

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char sub[512];
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(sub);
        else
            unlink(sub);
    }
    if (d)
        closedir(d);
    rmdir(path);
}

static void cleanup(void)
{
    sj_http_app_free(app);
    sj_store_close(admin_store);
    remove_tree(dir);
}

/* The admin may have been given another password or disabled by an input: undo that,
 * then sign in again whenever the session has ended. */
static void keep_session(void)
{
    struct sj_session s;
    if (token[0] &&
        sj_session_check(admin_store, sj_str_from_cstr(token), sj_http_now_ms(), &policy, &s,
                         NULL) == 0 &&
        s.status == SJ_SESSION_OK) {
        sj_session_release(&s);
        return;
    }
    struct sj_user_change fix = {.password = PASSWORD,
                                 .has_disabled = true,
                                 .is_disabled = false,
                                 .has_role = true,
                                 .role = SJ_ROLE_ADMIN};
    struct sj_login login;
    if (sj_user_update(admin_store, 1, &fix, NULL) != 0 ||
        sj_login(admin_store, "admin", PASSWORD, sj_http_now_ms(), &policy, &login, NULL) != 0 ||
        login.status != SJ_LOGIN_OK)
        abort();
    memcpy(token, login.token, sizeof token);
    memcpy(csrf, login.csrf, sizeof csrf);
    sj_login_release(&login);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    setenv("SHUJIAN_TEST_FAST_HASH", "1", 1);
    setenv("SHUJIAN_LOG", "error", 1);
    snprintf(dir, sizeof dir, "%s/fuzz-http-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir) || sj_store_open(dir, true, &admin_store, NULL) != 0)
        abort();
    int64_t city = 0, county = 0;
    struct sj_user_new admin = {"admin", "管理员", SJ_ROLE_ADMIN, 0, PASSWORD};
    struct sj_user_new police = {"police", "张三13800138000", SJ_ROLE_POLICE, 0, PASSWORD};
    if (sj_office_add(admin_store, "441800", "清远市人民检察院", 0, &city, NULL) != 0 ||
        sj_office_add(admin_store, "441802", "清城区人民检察院", city, &county, NULL) != 0)
        abort();
    admin.office_id = city;
    police.office_id = county;
    if (sj_user_add(admin_store, &admin, NULL, NULL) != 0 ||
        sj_user_add(admin_store, &police, NULL, NULL) != 0)
        abort();
    sj_auth_policy_init(&policy);
    policy.backoff_ms = 0; /* fuzzed logins must not throttle each other for long */
    struct sj_http_app_options options = {.workspace = dir, .stores = 1, .policy = policy};
    if (sj_http_app_new(&options, &app, NULL) != 0)
        abort();
    atexit(cleanup);
}

/* Splits "a=1&b=2" (in place) into kv. */
static size_t split_query(char *query, struct sj_http_kv *kv)
{
    size_t n = 0;
    for (char *part = query; part && *part && n < MAX_QUERY;) {
        char *amp = strchr(part, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(part, '=');
        if (eq)
            *eq = '\0';
        kv[n++] = (struct sj_http_kv){part, eq ? eq + 1 : ""};
        part = amp ? amp + 1 : NULL;
    }
    return n;
}

/* Whether the answer says it is JSON (a 200 may be a file, e.g. the XLSX export). */
static bool is_json_answer(const struct sj_http_response *resp)
{
    for (size_t i = 0; i < resp->header_count; i++) {
        if (strcmp(resp->headers[i].key, "Content-Type") == 0)
            return strncmp(resp->headers[i].value, "application/json", 16) == 0;
    }
    return false;
}

static void check_answer(const struct sj_http_response *resp)
{
    if (resp->status < 200 || resp->status > 599)
        abort();
    if (!resp->body || (resp->status < 400 && !is_json_answer(resp)))
        return;
    json_t *doc = json_loadb(resp->body, resp->body_len, 0, NULL);
    if (!doc)
        abort();
    if (resp->status >= 400 && (!json_is_string(json_object_get(doc, "code")) ||
                                !json_is_string(json_object_get(doc, "message"))))
        abort();
    json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!app)
        setup();
    if (size < 1)
        return 0;
    keep_session();
    unsigned flags = data[0];
    const uint8_t *nl = memchr(data + 1, '\n', size - 1);
    size_t line_len = nl ? (size_t)(nl - data - 1) : size - 1;
    char *line = sj_xstrndup((const char *)data + 1, line_len);
    const char *body = nl ? (const char *)nl + 1 : "";
    size_t body_len = nl ? size - (size_t)(nl + 1 - data) : 0;

    char *space = strchr(line, ' ');
    char *path = space ? space + 1 : (char *)"/";
    if (space)
        *space = '\0';
    char *q = strchr(path, '?');
    if (q)
        *q++ = '\0';
    struct sj_http_kv query[MAX_QUERY], headers[2], cookies[1];
    size_t header_count = 0;
    char cookie_name[32];
    snprintf(cookie_name, sizeof cookie_name, "%s", flags & 8 ? "__Host-sj_session" : "sj_session");
    cookies[0] = (struct sj_http_kv){cookie_name, token};
    if (flags & 2)
        headers[header_count++] = (struct sj_http_kv){"X-CSRF-Token", csrf};
    if (flags & 4)
        headers[header_count++] = (struct sj_http_kv){"Content-Type", "application/json"};
    struct sj_http_request req = {
        .method = line,
        .path = path,
        .uri_len = line_len,
        .headers = headers,
        .header_count = header_count,
        .query = query,
        .query_count = q ? split_query(q, query) : 0,
        .cookies = cookies,
        .cookie_count = flags & 1 ? 1 : 0,
        .body = sj_str_make(body, body_len),
        .is_tls = (flags & 8) != 0,
        .peer = "fuzz",
    };
    struct sj_http_response resp;
    sj_http_handle(app, &req, &resp);
    check_answer(&resp);
    sj_http_response_release(&resp);
    free(line);
    return 0;
}
