/*
 * cmd_demo_data.c - `shujian demo-data DIR [--scale N] [--seed S]`: writes the synthetic
 * demo world (source files for every built-in model, answers.json, README.txt) into DIR.
 * The files depend only on (seed, scale); docs/DEMO-DATA.md describes them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "shujian/demo.h"

static const char usage[] =
    "usage: shujian demo-data DIR [--scale N] [--seed S]\n\n"
    "Writes fully synthetic demo data for every built-in model into DIR (created if\n"
    "missing): enforcement cases, the case system, judgments, bank statements, appraisals,\n"
    "disposals, victims, land penalties and inspections, bail subjects, call records, plus\n"
    "answers.json (the leads each model must find) and README.txt. The same seed and scale\n"
    "always give the same bytes. See docs/DEMO-DATA.md.\n\n"
    "  --scale N  1 (default) writes about 4,500 rows; 1000 about 4.5 million (max 1000)\n"
    "  --seed S   any whole number (default 20240701)\n";

static int parse_u64(const char *text, unsigned long long *out)
{
    char *end;
    if (!text || text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    *out = strtoull(text, &end, 10);
    return errno || *end ? -1 : 0;
}

/* Reads the value of option name from "--name=V" or "--name V"; *i is advanced. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t len = strlen(name);
    if (strncmp(argv[*i], name, len) == 0 && argv[*i][len] == '=')
        return argv[*i] + len + 1;
    if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int parse(int argc, char **argv, const char **dir, struct sj_demo_opts *opts)
{
    const struct cmd *cmd = &sj_cmd_demo_data;
    unsigned long long v;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--scale", 7) == 0) {
            if (parse_u64(option_value(argc, argv, &i, "--scale"), &v) || v < 1 ||
                v > SJ_DEMO_SCALE_MAX)
                return sj_cli_usage_error(cmd, "--scale wants a number from 1 to %d",
                                          SJ_DEMO_SCALE_MAX);
            opts->scale = (int)v;
        } else if (strncmp(arg, "--seed", 6) == 0) {
            if (parse_u64(option_value(argc, argv, &i, "--seed"), &v))
                return sj_cli_usage_error(cmd, "--seed wants a whole number");
            opts->seed = v;
        } else if (arg[0] == '-' && arg[1]) {
            return sj_cli_usage_error(cmd, "unknown option '%s'", arg);
        } else if (*dir) {
            return sj_cli_usage_error(cmd, "unexpected argument '%s'", arg);
        } else {
            *dir = arg;
        }
    }
    if (!*dir)
        return sj_cli_usage_error(cmd, "DIR is missing");
    return SJ_EXIT_OK;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(int argc, char **argv)
{
    struct sj_demo_opts opts = {SJ_DEMO_DEFAULT_SEED, 1, NULL, NULL};
    struct sj_demo_stats stats;
    struct sj_err err;
    const char *dir = NULL;
    char buf[1024];
    if (sj_cli_wants_help(&sj_cmd_demo_data, argc, argv))
        return SJ_EXIT_OK;
    int status = parse(argc, argv, &dir, &opts);
    if (status != SJ_EXIT_OK)
        return status;
    sj_err_clear(&err);
    double started = now_seconds();
    if (sj_demo_generate(dir, &opts, &stats, &err) != 0) {
        fprintf(stderr, "shujian demo-data: %s\n", sj_err_format(&err, buf, sizeof buf));
        return SJ_EXIT_FAILURE;
    }
    for (size_t i = 0; i < stats.file_count; i++)
        printf("  %-24s %10ld rows\n", stats.files[i].name, stats.files[i].rows);
    printf("Wrote %zu files (%ld rows), answers.json and README.txt to %s in %.1f s "
           "(seed %llu, scale %d).\n",
           stats.file_count, stats.total_rows, dir, now_seconds() - started,
           (unsigned long long)opts.seed, opts.scale);
    return SJ_EXIT_OK;
}

const struct cmd sj_cmd_demo_data = {
    .name = "demo-data",
    .summary = "write synthetic demo data and the leads each model must find",
    .usage = usage,
    .run = run,
};
