/*
 * cli.h - the command table of the `shujian` binary. Each command lives in its own
 * src/cli/cmd_<verb>.c and exports one `const struct cmd sj_cmd_<verb>`; main.c lists them.
 * A command's run() returns the process exit status: 0 success, 1 a negative answer
 * (e.g. an invalid value), 2 a usage error, 3 an operational failure.
 */
#ifndef SHUJIAN_CLI_H
#define SHUJIAN_CLI_H

#include <stdio.h>

enum { SJ_EXIT_OK = 0, SJ_EXIT_NEGATIVE = 1, SJ_EXIT_USAGE = 2, SJ_EXIT_FAILURE = 3 };

struct cmd {
    const char *name;    /* the verb: `shujian <name>` */
    const char *summary; /* one line for `shujian help` */
    const char *usage;   /* full help text, printed by `shujian <name> --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the verb */
};

/* Prints "usage error" text for cmd to stderr and returns SJ_EXIT_USAGE. */
int sj_cli_usage_error(const struct cmd *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* True when argv holds -h or --help; prints cmd's usage to stdout in that case. */
int sj_cli_wants_help(const struct cmd *cmd, int argc, char **argv);

extern const struct cmd sj_cmd_version;

#endif
