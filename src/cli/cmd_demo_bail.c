/*
 * cmd_demo_bail.c - `shujian demo-bail`: fills a workspace with a simulated history of bail
 * supervision (sj_demo_bail_generate): invented subjects of the workspace's offices with
 * fences, schedules, phones, check-ins, trails, leave requests, alerts in every state, the
 * duty roster and daily sign-offs, every change through the bail operations and the ledger.
 * The workspace needs its offices, prosecutor/police users and ledger first (scripts/demo).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "shujian/bail.h"
#include "shujian/demo.h"
#include "shujian/ledger.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian demo-bail [--subjects N] [--days N] [--seed S] [--office CODE]...\n"
    "                         [--end YYYY-MM-DD[THH:MM]] [--workspace DIR]\n\n"
    "Simulates bail supervision (取保候审) over the last days of the workspace: invented\n"
    "subjects of its offices, registered by their prosecutors, with home fences, forbidden\n"
    "zones, check-in schedules and phones; check-ins, position trails, spot checks, leave\n"
    "requests, alerts acknowledged and resolved by the officers on duty, the duty roster and\n"
    "daily sign-offs. Every change goes through the bail operations and the ledger. The\n"
    "workspace needs offices, prosecutor (and police) users and `shujian ledger init` first.\n"
    "The same options give the same bail tables. See docs/DEMO-DATA.md.\n\n"
    "  --subjects N   people on bail (default 300, 1..5000)\n"
    "  --days N       days of history (default 30, 1..90), the last one ending at --end\n"
    "  --seed S       any whole number (default 20240701)\n"
    "  --office CODE  only this office (repeatable; default: every office with a prosecutor)\n"
    "  --end WHEN     the simulated now (China time); default 16:00 of $SHUJIAN_TODAY if\n"
    "                 set, else the current time\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n";

struct bail_args {
    struct sj_demo_bail_opts opts;
    const char *workspace;
};

static int parse_number(const char *text, long long lo, long long hi, long long *out)
{
    char *end;
    if (!text || text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v < (unsigned long long)lo || v > (unsigned long long)hi)
        return -1;
    *out = (long long)v;
    return 0;
}

/* "YYYY-MM-DD" (16:00) or "YYYY-MM-DDTHH:MM", China time. */
static int parse_end(const char *text, int64_t *out)
{
    char day_text[11];
    int64_t day;
    int hh = 16, mm = 0;
    if (!text || strlen(text) < 10)
        return -1;
    memcpy(day_text, text, 10);
    day_text[10] = '\0';
    if (sj_bail_day_parse(day_text, &day) < 0)
        return -1;
    if (text[10] && (sscanf(text + 10, "T%2d:%2d", &hh, &mm) != 2 || strlen(text) != 16 ||
                     hh > 23 || mm > 59 || hh < 0 || mm < 0))
        return -1;
    *out = sj_bail_day_start(day) + ((int64_t)hh * 60 + mm) * SJ_BAIL_MINUTE_MS;
    return 0;
}

static int take(const struct cmd *cmd, struct bail_args *a, const char *opt, const char *value)
{
    long long v;
    if (!value)
        return sj_cli_usage_error(cmd, "%s needs a value", opt);
    if (strcmp(opt, "--subjects") == 0 &&
        parse_number(value, 1, SJ_DEMO_BAIL_SUBJECTS_MAX, &v) == 0)
        a->opts.subjects = (int)v;
    else if (strcmp(opt, "--days") == 0 && parse_number(value, 1, SJ_DEMO_BAIL_DAYS_MAX, &v) == 0)
        a->opts.days = (int)v;
    else if (strcmp(opt, "--seed") == 0 && parse_number(value, 0, LLONG_MAX, &v) == 0)
        a->opts.seed = (uint64_t)v;
    else if (strcmp(opt, "--end") == 0 && parse_end(value, &a->opts.end_ms) == 0)
        ;
    else if (strcmp(opt, "--office") == 0 && a->opts.office_count < SJ_DEMO_BAIL_OFFICES_MAX)
        a->opts.offices[a->opts.office_count++] = value;
    else if (strcmp(opt, "--workspace") == 0)
        a->workspace = value;
    else
        return sj_cli_usage_error(cmd, "bad value '%s' for %s", value, opt);
    return SJ_EXIT_OK;
}

static int parse(int argc, char **argv, struct bail_args *a)
{
    static const char *const options[] = {"--subjects", "--days",   "--seed",
                                          "--end",      "--office", "--workspace"};
    const struct cmd *cmd = &sj_cmd_demo_bail;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        bool is_known = false;
        for (size_t k = 0; k < SJ_ARRAY_LEN(options) && !is_known; k++)
            is_known = strlen(options[k]) == len && strncmp(arg, options[k], len) == 0;
        if (!is_known)
            return sj_cli_usage_error(cmd, "unexpected argument '%s'", arg);
        char opt[16];
        snprintf(opt, sizeof opt, "%.*s", (int)len, arg);
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        int status = take(cmd, a, opt, value);
        if (status != SJ_EXIT_OK)
            return status;
    }
    return SJ_EXIT_OK;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const struct sj_demo_bail_stats *st, const struct sj_demo_bail_opts *o,
                   double seconds)
{
    printf("demo-bail: %ld subjects, %ld phones, %ld fences, %ld check-ins, %ld positions, "
           "%ld spot checks\n",
           st->subjects, st->devices, st->fences, st->checkins, st->positions, st->spots);
    printf("demo-bail: %ld leave requests (%ld pending, %ld approved, %ld rejected)\n", st->leaves,
           st->leaves_by_status[0], st->leaves_by_status[1], st->leaves_by_status[2]);
    printf("demo-bail: %ld alerts (%ld open, %ld acknowledged, %ld resolved; %ld escalated):",
           st->alerts, st->alerts_by_status[0], st->alerts_by_status[1], st->alerts_by_status[2],
           st->escalated);
    for (int k = 0; k < SJ_BAIL_ALERT_KIND_COUNT; k++)
        printf(" %s %ld", sj_bail_alert_kind_name((enum sj_bail_alert_kind)k),
               st->alerts_by_kind[k]);
    char end[26];
    sj_bail_time_format(o->end_ms, end);
    printf("\ndemo-bail: %ld roster shifts, %ld sign-offs; %d days to %s (seed %llu) in %.1f s\n",
           st->roster_shifts, st->signoffs, o->days, end, (unsigned long long)o->seed, seconds);
}

static int run(int argc, char **argv)
{
    struct bail_args a = {.opts = {.seed = SJ_DEMO_DEFAULT_SEED, .subjects = 300, .days = 30}};
    struct sj_store *store = NULL;
    struct sj_ledger *ledger = NULL;
    struct sj_demo_bail_stats stats;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&sj_cmd_demo_bail, argc, argv))
        return SJ_EXIT_OK;
    a.opts.end_ms = sj_demo_bail_default_end();
    int status = parse(argc, argv, &a);
    if (status != SJ_EXIT_OK)
        return status;
    status = sj_cli_open_store(&sj_cmd_demo_bail, a.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        return status;
    double started = now_seconds();
    if (sj_ledger_open(store, &ledger, &err) < 0 ||
        sj_demo_bail_generate(store, ledger, &a.opts, &stats, &err) < 0)
        status = sj_cli_fail(&sj_cmd_demo_bail, &err);
    else
        report(&stats, &a.opts, now_seconds() - started);
    sj_ledger_close(ledger);
    sj_store_close(store);
    return status;
}

const struct cmd sj_cmd_demo_bail = {
    .name = "demo-bail",
    .summary = "simulate a month of bail supervision in a demo workspace",
    .usage = usage,
    .run = run,
};
