/*
 * cmd_version.c - `shujian version`: the program version and the versions of the data
 * it carries (the GB/T 2260 region table) and of the libraries it was built with.
 */
#include <stdio.h>
#include <utf8proc.h>

#include "cli/cli.h"
#include "shujian/norm.h"

#ifndef SJ_VERSION
#define SJ_VERSION "0.1.0"
#endif

static const char usage[] = "usage: shujian version\n\n"
                            "Prints the version of shujian, of its bundled data and of the\n"
                            "libraries it was built with.\n";

static int run(int argc, char **argv)
{
    if (sj_cli_wants_help(&sj_cmd_version, argc, argv))
        return SJ_EXIT_OK;
    if (argc > 1)
        return sj_cli_usage_error(&sj_cmd_version, "unexpected argument '%s'", argv[1]);
    printf("shujian %s\n", SJ_VERSION);
    printf("region table: %s\n", sj_region_table_source());
    printf("utf8proc %s\n", utf8proc_version());
    return SJ_EXIT_OK;
}

const struct cmd sj_cmd_version = {
    .name = "version",
    .summary = "print version information",
    .usage = usage,
    .run = run,
};
