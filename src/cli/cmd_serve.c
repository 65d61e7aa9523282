/*
 * cmd_serve.c - `shujian serve`: runs the HTTP API server (src/http, docs/API.md) on a
 * workspace until SIGTERM or SIGINT, then finishes the requests in flight and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "shujian/http.h"
#include "shujian/ledger.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian serve [--listen ADDR:PORT] [--workspace DIR]\n"
    "                     [--tls-cert FILE --tls-key FILE] [--threads N]\n"
    "                     [--max-failures N] [--lockout-minutes N]\n\n"
    "Serves the HTTP API (docs/API.md) until SIGTERM or SIGINT; then stops accepting,\n"
    "finishes the requests in flight and exits 0. Create offices and the first admin with\n"
    "`shujian office add` and `shujian user add` before signing in.\n\n"
    "  --listen ADDR:PORT   address to listen on (default 127.0.0.1:8080; [::1]:8080 for\n"
    "                       IPv6; port 0 picks a free port, which the log line shows)\n"
    "  --workspace DIR      the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n"
    "  --tls-cert FILE      PEM certificate (chain) for HTTPS; needs --tls-key\n"
    "  --tls-key FILE       PEM private key\n"
    "  --threads N          worker threads (default: 16 per processor, at least 64)\n"
    "  --max-failures N     failed logins in a row that lock a user name (default 5)\n"
    "  --lockout-minutes N  how long a locked name stays locked (default 15)\n";

struct serve_args {
    const char *listen, *workspace, *cert, *key, *threads, *failures, *lockout;
};

static int parse(int argc, char **argv, struct serve_args *a)
{
    static const struct {
        const char *name;
        size_t offset;
    } opts[] = {
        {"--listen", offsetof(struct serve_args, listen)},
        {"--workspace", offsetof(struct serve_args, workspace)},
        {"--tls-cert", offsetof(struct serve_args, cert)},
        {"--tls-key", offsetof(struct serve_args, key)},
        {"--threads", offsetof(struct serve_args, threads)},
        {"--max-failures", offsetof(struct serve_args, failures)},
        {"--lockout-minutes", offsetof(struct serve_args, lockout)},
    };
    for (int i = 1; i < argc; i++) {
        size_t k = 0;
        while (k < SJ_ARRAY_LEN(opts) && strcmp(argv[i], opts[k].name) != 0)
            k++;
        if (k == SJ_ARRAY_LEN(opts))
            return sj_cli_usage_error(&sj_cmd_serve, "unknown argument '%s'", argv[i]);
        if (i + 1 >= argc)
            return sj_cli_usage_error(&sj_cmd_serve, "%s needs a value", argv[i]);
        *(const char **)(void *)((char *)a + opts[k].offset) = argv[++i];
    }
    return SJ_EXIT_OK;
}

/* A whole number in 1..max from text (NULL leaves *out alone). */
static int parse_number(const char *name, const char *text, int64_t max, int64_t *out)
{
    int64_t v = 0;
    if (!text)
        return SJ_EXIT_OK;
    if (sj_cli_parse_count(text, &v) < 0 || v < 1 || v > max)
        return sj_cli_usage_error(&sj_cmd_serve, "%s wants a whole number from 1 to %lld, not '%s'",
                                  name, (long long)max, text);
    *out = v;
    return SJ_EXIT_OK;
}

static int apply(const struct serve_args *a, struct sj_http_options *o)
{
    int64_t threads = 0, failures = o->app.policy.max_failures,
            lockout_min = o->app.policy.lockout_ms / 60000;
    if (a->listen)
        o->listen = a->listen;
    o->tls_cert = a->cert;
    o->tls_key = a->key;
    o->app.workspace = sj_store_default_dir(a->workspace);
    int status = parse_number("--threads", a->threads, 64, &threads);
    if (status == SJ_EXIT_OK)
        status = parse_number("--max-failures", a->failures, 100, &failures);
    if (status == SJ_EXIT_OK)
        status = parse_number("--lockout-minutes", a->lockout, 7 * 24 * 60, &lockout_min);
    o->threads = (unsigned)threads;
    o->app.policy.max_failures = (int)failures;
    if (a->lockout)
        o->app.policy.lockout_ms = lockout_min * 60000;
    return status;
}

/* Says so at start when reveals (?reveal=1) cannot be recorded and will be refused. */
static void check_ledger(const char *workspace)
{
    struct sj_store *store = NULL;
    struct sj_ledger *ledger = NULL;
    if (sj_store_open(workspace, true, &store, NULL) == 0 &&
        sj_ledger_open(store, &ledger, NULL) == SJ_ENOTFOUND)
        fprintf(stderr, "shujian serve: this workspace has no ledger, so ?reveal=1 is refused "
                        "(answers stay masked) until `shujian ledger init` creates one\n");
    sj_ledger_close(ledger);
    sj_store_close(store);
}

static int run(int argc, char **argv)
{
    struct serve_args a = {0};
    struct sj_http_options options;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&sj_cmd_serve, argc, argv))
        return SJ_EXIT_OK;
    sj_http_options_init(&options);
    int status = parse(argc, argv, &a);
    if (status == SJ_EXIT_OK)
        status = apply(&a, &options);
    if (status != SJ_EXIT_OK)
        return status;
    check_ledger(options.app.workspace);
    if (sj_http_serve(&options, &err) < 0)
        return sj_cli_fail(&sj_cmd_serve, &err);
    return SJ_EXIT_OK;
}

const struct cmd sj_cmd_serve = {
    .name = "serve",
    .summary = "run the HTTP API server",
    .usage = usage,
    .run = run,
};
