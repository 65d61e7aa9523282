/*
 * main.c - the `shujian` binary: dispatches `shujian <command> [args]` to the command
 * table, git-style. Commands are listed here in the order `shujian help` shows them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct cmd *const commands[] = {
    &sj_cmd_import,
    &sj_cmd_datasets,
    &sj_cmd_show,
    &sj_cmd_rejects,
    &sj_cmd_drop,
    &sj_cmd_demo_data,
    &sj_cmd_demo_bail,
    &sj_cmd_model,
    &sj_cmd_leads,
    &sj_cmd_lead,
    &sj_cmd_stats,
    &sj_cmd_ledger,
    &sj_cmd_serve,
    &sj_cmd_user,
    &sj_cmd_office,
    &sj_cmd_face,
    &sj_cmd_norm,
    &sj_cmd_geo,
    &sj_cmd_version,
};

int sj_cli_usage_error(const struct cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "shujian %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n\n%s", cmd->usage);
    va_end(ap);
    return SJ_EXIT_USAGE;
}

int sj_cli_wants_help(const struct cmd *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(cmd->usage, stdout);
            return 1;
        }
    }
    return 0;
}

static void print_help(FILE *out)
{
    fputs("usage: shujian <command> [options]\n\n"
          "shujian (数检) - the digital procuratorate platform.\n\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
    fputs("\nRun `shujian <command> --help` for a command's options.\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return SJ_EXIT_USAGE;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "help") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
        print_help(stdout);
        return SJ_EXIT_OK;
    }
    if (strcmp(verb, "--version") == 0)
        verb = "version";
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i]->name, verb) == 0)
            return commands[i]->run(argc - 1, argv + 1);
    }
    fprintf(stderr, "shujian: '%s' is not a command. See `shujian help`.\n", verb);
    return SJ_EXIT_USAGE;
}
