/*
 * server.c - HTTP over sockets with libmicrohttpd: a pool of worker threads (one per
 * processor), each request's head limited by the connection memory (MHD answers 414/431
 * past it), the body by the route's cap (413 before reading when Content-Length says so;
 * a chunked body past the cap is read and dropped, then answered 413, or the connection is
 * closed when it keeps coming), idle connections by a timeout, and optional TLS (GnuTLS).
 *
 * Stopping: SIGTERM and SIGINT are blocked in every thread and taken with sigwait() here,
 * so no handler runs in signal context. On the first one the daemon stops accepting
 * (MHD_quiesce_daemon), requests already begun are allowed to finish (up to
 * DRAIN_S seconds; a second signal cuts it short), then the daemon stops and we return 0.
 * libmicrohttpd is called only through srv->mhd, loaded at the start of sj_http_serve
 * (mhd_load.c): it is not linked, so other commands never load it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "http/http_int.h"
#include "http/mhd_int.h"

#define DRAIN_S 30
#define TLS_FILE_MAX ((size_t)1 << 20)
#define DISCARD_FACTOR 4 /* chunked bodies past the cap are dropped up to 4x the cap */

struct server {
    const struct sj_mhd *mhd; /* libmicrohttpd's functions */
    struct sj_http_app *app;
    bool is_tls;
    atomic_int in_flight; /* requests whose head has arrived and whose answer is not done */
};

/* One request between its first call and its completion. */
struct pending {
    struct sj_arena arena;
    struct sj_buf body;
    size_t body_max;
    size_t discarded;
    bool is_too_big;
    int64_t started_ms;
};

/* ---- Building the request ------------------------------------------------------------------- */

struct kv_list {
    struct sj_arena *arena;
    struct sj_http_kv *items;
    size_t count, alloc;
    size_t bytes; /* key and value lengths, to size the request target */
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct kv_list *l = cls;
    (void)kind;
    if (l->count == l->alloc) {
        size_t alloc = l->alloc ? l->alloc * 2 : 16;
        struct sj_http_kv *items = sj_arena_alloc(l->arena, alloc * sizeof *items);
        if (l->count)
            memcpy(items, l->items, l->count * sizeof *items);
        l->items = items;
        l->alloc = alloc;
    }
    l->items[l->count++] = (struct sj_http_kv){key, value ? value : ""};
    l->bytes += strlen(key) + (value ? strlen(value) : 0) + 2;
    return MHD_YES;
}

static void collect_kind(const struct sj_mhd *mhd, struct MHD_Connection *conn,
                         enum MHD_ValueKind kind, struct sj_arena *arena,
                         const struct sj_http_kv **items, size_t *count, size_t *bytes)
{
    struct kv_list l = {.arena = arena};
    mhd->get_connection_values(conn, kind, collect, &l);
    *items = l.items;
    *count = l.count;
    if (bytes)
        *bytes = l.bytes;
}

static const char *peer_of(const struct sj_mhd *mhd, struct MHD_Connection *conn,
                           struct sj_arena *arena)
{
    const union MHD_ConnectionInfo *info =
        mhd->get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char text[INET6_ADDRSTRLEN] = "";
    if (info && info->client_addr) {
        const struct sockaddr *sa = info->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text,
                      sizeof text);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text,
                      sizeof text);
    }
    return sj_arena_strndup(arena, text, strlen(text));
}

static void fill_request(struct server *srv, struct MHD_Connection *conn, struct pending *p,
                         const char *url, const char *method, struct sj_http_request *req)
{
    size_t query_bytes = 0;
    memset(req, 0, sizeof *req);
    req->method = method;
    req->path = url;
    collect_kind(srv->mhd, conn, MHD_HEADER_KIND, &p->arena, &req->headers, &req->header_count,
                 NULL);
    collect_kind(srv->mhd, conn, MHD_GET_ARGUMENT_KIND, &p->arena, &req->query, &req->query_count,
                 &query_bytes);
    collect_kind(srv->mhd, conn, MHD_COOKIE_KIND, &p->arena, &req->cookies, &req->cookie_count,
                 NULL);
    req->uri_len = strlen(url) + query_bytes;
    req->body = sj_buf_str(&p->body);
    req->is_tls = srv->is_tls;
    req->peer = peer_of(srv->mhd, conn, &p->arena);
}

/* ---- Answering ------------------------------------------------------------------------------ */

static enum MHD_Result send_response(const struct sj_mhd *mhd, struct MHD_Connection *conn,
                                     struct sj_http_response *resp)
{
    struct MHD_Response *r = mhd->create_response_from_buffer(
        resp->body_len, resp->body ? resp->body : (char *)"", MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    for (size_t i = 0; i < resp->header_count; i++)
        mhd->add_response_header(r, resp->headers[i].key, resp->headers[i].value);
    enum MHD_Result result = mhd->queue_response(conn, (unsigned)resp->status, r);
    mhd->destroy_response(r);
    sj_http_response_release(resp);
    return result;
}

static enum MHD_Result refuse(struct server *srv, struct MHD_Connection *conn, struct pending *p,
                              const char *url, const char *method, int status, const char *code,
                              const char *message)
{
    struct sj_http_request req;
    struct sj_http_response resp;
    fill_request(srv, conn, p, url, method, &req);
    sj_http_handle_error(srv->app, &req, status, code, message, &resp);
    return send_response(srv->mhd, conn, &resp);
}

/* The first call: the head is in. Refuses an announced body over the cap at once. */
static enum MHD_Result begin(struct server *srv, struct MHD_Connection *conn, const char *url,
                             const char *method, void **req_cls)
{
    struct pending *p = sj_xcalloc(1, sizeof *p);
    sj_arena_init(&p->arena, 8192);
    p->body_max = sj_http_body_max(srv->app, method, url);
    sj_buf_init(&p->body, p->body_max);
    p->started_ms = sj_http_now_ms();
    *req_cls = p;
    atomic_fetch_add(&srv->in_flight, 1);
    const char *length = srv->mhd->lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (length && strtoull(length, NULL, 10) > p->body_max)
        return refuse(srv, conn, p, url, method, 413, "BODY_TOO_LARGE", "请求体过大");
    return MHD_YES;
}

/* A piece of the body. Returns MHD_NO (closing the connection) for a body that keeps
 * coming far past the cap or past the time a request may take. */
static enum MHD_Result take_body(struct pending *p, const char *data, size_t size)
{
    if (sj_http_now_ms() - p->started_ms > (int64_t)SJ_HTTP_REQUEST_TIME_S * 1000) {
        SJ_WARN("closing a connection whose request body is too slow");
        return MHD_NO;
    }
    if (!p->is_too_big && sj_buf_append(&p->body, data, size) == 0)
        return MHD_YES;
    if (!p->is_too_big)
        sj_buf_release(&p->body);
    p->is_too_big = true;
    p->discarded += size;
    if (p->discarded / DISCARD_FACTOR > p->body_max) {
        SJ_WARN("closing a connection whose request body keeps coming past the cap");
        return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct server *srv = cls;
    struct pending *p = *req_cls;
    (void)version;
    if (!p)
        return begin(srv, conn, url, method, req_cls);
    if (*upload_data_size) {
        enum MHD_Result r = take_body(p, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return r;
    }
    if (p->is_too_big)
        return refuse(srv, conn, p, url, method, 413, "BODY_TOO_LARGE", "请求体过大");
    struct sj_http_request req;
    struct sj_http_response resp;
    fill_request(srv, conn, p, url, method, &req);
    sj_http_handle(srv->app, &req, &resp);
    return send_response(srv->mhd, conn, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct pending *p = *req_cls;
    (void)conn;
    (void)toe;
    if (!p)
        return;
    sj_buf_release(&p->body);
    sj_arena_release(&p->arena);
    free(p);
    *req_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) SJ_PRINTF(2, 0);

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    SJ_WARN("libmicrohttpd: %s", line);
}

/* ---- Options -------------------------------------------------------------------------------- */

void sj_http_options_init(struct sj_http_options *options)
{
    memset(options, 0, sizeof *options);
    options->listen = "127.0.0.1:8080";
    sj_auth_policy_init(&options->app.policy);
}

/* "A.B.C.D:PORT" or "[V6]:PORT" into *addr. */
static int parse_listen(const char *listen, struct sockaddr_storage *addr, bool *is_v6,
                        struct sj_err *err)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *colon = strrchr(listen, ':');
    memset(addr, 0, sizeof *addr);
    size_t host_len = colon ? (size_t)(colon - listen) : 0;
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || host_len == 0 || host_len >= sizeof host || !end || *end || end == colon + 1 ||
        port < 0 || port > 65535)
        return sj_err_set(err, SJ_EUSAGE, "--listen wants ADDR:PORT, e.g. 127.0.0.1:8080, not '%s'",
                          listen);
    memcpy(host, listen, host_len);
    host[host_len] = '\0';
    *is_v6 = host[0] == '[';
    if (*is_v6) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)(void *)addr;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        bool is_closed = host_len > 2 && host[host_len - 1] == ']';
        host[host_len - 1] = '\0';
        if (!is_closed || inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
            return sj_err_set(err, SJ_EUSAGE, "'%s' is not an IPv6 address in brackets", listen);
        return 0;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)(void *)addr;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
        return sj_err_set(err, SJ_EUSAGE, "'%s' is not an IPv4 address", host);
    return 0;
}

static int read_file(const char *path, char **out, struct sj_err *err)
{
    FILE *f = fopen(path, "rb");
    struct sj_buf buf;
    char chunk[4096];
    size_t n;
    int rc = 0;
    *out = NULL;
    if (!f)
        return sj_err_set(err, SJ_EIO, "cannot open %s: %s", path, strerror(errno));
    sj_buf_init(&buf, TLS_FILE_MAX);
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = sj_buf_append(&buf, chunk, n);
    if (rc == 0 && ferror(f))
        rc = sj_err_set(err, SJ_EIO, "cannot read %s", path);
    else if (rc < 0)
        rc = sj_err_set(err, SJ_EIO, "%s is larger than %zu bytes", path, TLS_FILE_MAX);
    fclose(f);
    sodium_memzero(chunk, sizeof chunk);
    if (rc == 0 && buf.len > 0)
        *out = sj_buf_detach(&buf, NULL);
    else if (rc == 0)
        rc = sj_err_set(err, SJ_EIO, "%s is empty", path);
    sj_buf_release(&buf);
    return rc;
}

/* ---- Serving -------------------------------------------------------------------------------- */

struct tls_files {
    char *cert;
    char *key;
};

static int load_tls(const struct sj_mhd *mhd, const struct sj_http_options *o,
                    struct tls_files *tls, struct sj_err *err)
{
    if (!o->tls_cert && !o->tls_key)
        return 0;
    if (!o->tls_cert || !o->tls_key)
        return sj_err_set(err, SJ_EUSAGE, "--tls-cert and --tls-key go together");
    if (mhd->is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return sj_err_set(err, SJ_EINVAL, "this libmicrohttpd was built without TLS support");
    int rc = read_file(o->tls_cert, &tls->cert, err);
    if (rc == 0)
        rc = read_file(o->tls_key, &tls->key, err);
    return rc;
}

static void release_tls(struct tls_files *tls)
{
    free(tls->cert);
    if (tls->key) {
        sodium_memzero(tls->key, strlen(tls->key));
        free(tls->key);
    }
}

/* By default 16 per processor, at least 64 and at most 256: with one per processor a batch
 * would carry a write or two and every write would pay a whole fsync. */
static unsigned worker_count(unsigned wanted)
{
    if (wanted)
        return wanted;
    /* A thread whose write waits for the group commit serves nothing meanwhile, and
     * libmicrohttpd gives each connection to one thread: the threads bound how many durable
     * writes one commit can carry (docs/PERFORMANCE.md, "bail"). An idle thread costs its
     * stack and a connection with SQLite's default 2 MB page cache, used as it fills. */
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    n = n < 1 ? 64 : 16 * n < 64 ? 64 : 16 * n;
    return n > 256 ? 256 : (unsigned)n;
}

static struct MHD_Daemon *start_daemon(struct server *srv, const struct sockaddr_storage *addr,
                                       bool is_v6, unsigned threads, const struct tls_files *tls)
{
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem opts[12];
    size_t n = 0;
    if (is_v6)
        flags |= MHD_USE_IPv6;
    /* The logger first, or MHD prints what comes before it to stderr itself. */
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)addr};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                        (intptr_t)SJ_HTTP_HEADERS_MAX, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, SJ_HTTP_TIMEOUT_S, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 1000, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv};
    if (threads > 1)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL};
    if (tls->cert) {
        flags |= MHD_USE_TLS;
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, tls->key};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, tls->cert};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
                                            (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"};
    }
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return srv->mhd->start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, opts,
                                  MHD_OPTION_END);
}

/* Waits for one of set for up to timeout_ms (< 0: for ever); the signal, or -1. */
static int wait_signal(const sigset_t *set, int timeout_ms)
{
    int sig = -1;
    if (timeout_ms < 0) {
        while (sigwait(set, &sig) != 0)
            ;
        return sig;
    }
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    return sigtimedwait(set, NULL, &ts);
}

/* Lets requests in flight finish. A request whose head is read but not yet handed to us
 * is not counted, so "none in flight" must hold for a few rounds in a row. */
static void drain(struct server *srv, const sigset_t *set)
{
    int64_t deadline = sj_http_now_ms() + DRAIN_S * 1000;
    int quiet_rounds = 0;
    while (sj_http_now_ms() < deadline) {
        if (atomic_load(&srv->in_flight) == 0) {
            if (++quiet_rounds >= 3)
                return;
        } else {
            quiet_rounds = 0;
        }
        if (wait_signal(set, 50) > 0) {
            SJ_WARN("second signal: stopping without waiting for %d requests",
                    atomic_load(&srv->in_flight));
            return;
        }
    }
    SJ_WARN("%d requests still running after %d s; stopping anyway", atomic_load(&srv->in_flight),
            DRAIN_S);
}

static void run_until_signal(struct server *srv, struct MHD_Daemon *d, const char *listen,
                             const sigset_t *set)
{
    const union MHD_DaemonInfo *info = srv->mhd->get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int host_len = (int)(strrchr(listen, ':') - listen); /* parse_listen saw the ':' */
    SJ_INFO("listening on %s://%.*s:%u with %u worker threads", srv->is_tls ? "https" : "http",
            host_len, listen, info ? (unsigned)info->port : 0u, srv->app->store_count);
    int sig = wait_signal(set, -1);
    SJ_INFO("received %s: no new connections; finishing %d requests in flight",
            sig == SIGINT ? "SIGINT" : "SIGTERM", atomic_load(&srv->in_flight));
    atomic_store(&srv->app->is_stopping, true);
    MHD_socket listen_socket = srv->mhd->quiesce_daemon(d);
    /* Refuse new clients now rather than leave them in the backlog until we close it; the
     * descriptor itself stays open until the daemon has stopped, as MHD requires. */
    if (listen_socket != MHD_INVALID_SOCKET)
        shutdown(listen_socket, SHUT_RDWR);
    drain(srv, set);
    srv->mhd->stop_daemon(d);
    if (listen_socket != MHD_INVALID_SOCKET)
        close(listen_socket);
    SJ_INFO("stopped");
}

int sj_http_serve(const struct sj_http_options *options, struct sj_err *err)
{
    struct server srv = {.is_tls = options->tls_cert != NULL};
    struct tls_files tls = {0};
    struct sockaddr_storage addr;
    bool is_v6 = false;
    sigset_t set, old;
    atomic_init(&srv.in_flight, 0);
    unsigned threads = worker_count(options->threads);
    struct sj_http_app_options app_options = options->app;
    app_options.stores = threads;
    if (sj_password_is_fast_hash())
        SJ_WARN("test-only setting SHUJIAN_TEST_FAST_HASH=1 is in force: new passwords get a "
                "weak hash");
    int rc = parse_listen(options->listen, &addr, &is_v6, err);
    if (rc == 0 && !(srv.mhd = sj_mhd_load(err)))
        rc = SJ_ENOTFOUND; /* *err names the library and its package */
    if (rc == 0)
        rc = load_tls(srv.mhd, options, &tls, err);
    if (rc == 0)
        rc = sj_http_app_new(&app_options, &srv.app, err);
    if (rc < 0)
        goto out;
    /* Blocked before the daemon starts, so its threads inherit the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    struct MHD_Daemon *d = start_daemon(&srv, &addr, is_v6, threads, &tls);
    if (d)
        run_until_signal(&srv, d, options->listen, &set);
    else
        rc = sj_err_set(err, SJ_EIO,
                        "cannot start the server on %s: the address is in use or not of this "
                        "machine%s (the log above says which)",
                        options->listen,
                        tls.cert ? ", or the TLS certificate and key do not match" : "");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
    sj_http_app_free(srv.app);
    release_tls(&tls);
    return rc;
}
