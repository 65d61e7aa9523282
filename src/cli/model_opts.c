/*
 * model_opts.c - parsing the options the model commands share (model_opts.h): --param,
 * --input and --map choices as NAME=VALUE, --workspace, a command's boolean flags and its
 * positional arguments, with usage errors that say what was expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/model_opts.h"

/* Splits "NAME=VALUE" in place into a choice. */
static int add_choice(const struct cmd *cmd, const char *option, char *text,
                      struct sj_model_choice *list, size_t *count)
{
    char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return sj_cli_usage_error(cmd, "%s wants NAME=VALUE, not '%s'", option, text);
    if (strcmp(option, "--map") == 0 && !memchr(text, '.', (size_t)(eq - text)))
        return sj_cli_usage_error(cmd, "--map wants INPUT.COLUMN=HEADER, not '%s'", text);
    if (*count == SJ_CLI_CHOICES_MAX)
        return sj_cli_usage_error(cmd, "too many %s options (at most %d)", option,
                                  SJ_CLI_CHOICES_MAX);
    *eq = '\0';
    list[(*count)++] = (struct sj_model_choice){text, eq + 1};
    return SJ_EXIT_OK;
}

/* The value of option name at argv[*i] ("--name V" or "--name=V"): 1 taken, 0 not this
 * option, -1 value missing. */
static int take_value(int argc, char **argv, int *i, const char *name, char **value)
{
    size_t len = strlen(name);
    char *arg = argv[*i];
    if (strncmp(arg, name, len) != 0 || (arg[len] != '\0' && arg[len] != '='))
        return 0;
    if (arg[len] == '=') {
        *value = arg + len + 1;
        return 1;
    }
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 1;
}

static int parse_option(const struct cmd *cmd, int argc, char **argv, int *i,
                        const struct sj_cli_flag *flags, size_t flag_count,
                        struct sj_cli_model_opts *o)
{
    static const char *const names[] = {"--param", "--input", "--map", "--workspace"};
    struct sj_model_choice *lists[] = {o->params, o->inputs, o->mappings};
    size_t *counts[] = {&o->param_count, &o->input_count, &o->mapping_count};
    for (size_t k = 0; k < flag_count; k++) {
        if (strcmp(argv[*i], flags[k].name) == 0) {
            *flags[k].is_set = true;
            return SJ_EXIT_OK;
        }
    }
    for (size_t k = 0; k < SJ_ARRAY_LEN(names); k++) {
        char *value = NULL;
        int taken = take_value(argc, argv, i, names[k], &value);
        if (taken == 0)
            continue;
        if (taken < 0)
            return sj_cli_usage_error(cmd, "%s needs a value", names[k]);
        if (k == 3) {
            o->workspace = value;
            return SJ_EXIT_OK;
        }
        return add_choice(cmd, names[k], value, lists[k], counts[k]);
    }
    return sj_cli_usage_error(cmd, "unknown option '%s'", argv[*i]);
}

int sj_cli_model_opts_parse(const struct cmd *cmd, int argc, char **argv,
                            const struct sj_cli_flag *flags, size_t flag_count,
                            size_t max_positional, struct sj_cli_model_opts *opts)
{
    bool is_positional_only = false;
    memset(opts, 0, sizeof *opts);
    opts->positional = sj_xcalloc((size_t)argc + 1, sizeof *opts->positional);
    for (int i = 1; i < argc; i++) {
        if (!is_positional_only && strcmp(argv[i], "--") == 0) {
            is_positional_only = true;
        } else if (!is_positional_only && argv[i][0] == '-' && argv[i][1] != '\0') {
            int status = parse_option(cmd, argc, argv, &i, flags, flag_count, opts);
            if (status != SJ_EXIT_OK)
                return status;
        } else if (opts->positional_count == max_positional) {
            return sj_cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
        } else {
            opts->positional[opts->positional_count++] = argv[i];
        }
    }
    return SJ_EXIT_OK;
}

void sj_cli_model_opts_release(struct sj_cli_model_opts *opts)
{
    free(opts->positional);
    memset(opts, 0, sizeof *opts);
}

void sj_cli_model_opts_apply(const struct sj_cli_model_opts *opts, const struct sj_toolbox *toolbox,
                             struct sj_model_run_opts *run)
{
    memset(run, 0, sizeof *run);
    run->params = opts->params;
    run->param_count = opts->param_count;
    run->inputs = opts->inputs;
    run->input_count = opts->input_count;
    run->mappings = opts->mappings;
    run->mapping_count = opts->mapping_count;
    run->toolbox = toolbox;
}
