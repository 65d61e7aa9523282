/*
 * model_opts.h - the options the model commands share (`model explain`, `model run`):
 * --param NAME=VALUE, --input NAME=DATASET[,DATASET], --map INPUT.COLUMN=HEADER (each
 * repeatable, also written --param=NAME=VALUE), --workspace DIR, a command's own boolean
 * flags, and positional arguments.
 *
 * Ownership: the choices point into argv, which is modified (the '=' of NAME=VALUE is cut);
 * the positional array is owned and freed by sj_cli_model_opts_release.
 */
#ifndef SHUJIAN_CLI_MODEL_OPTS_H
#define SHUJIAN_CLI_MODEL_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"
#include "shujian/model.h"

#define SJ_CLI_CHOICES_MAX 64

struct sj_cli_model_opts {
    const char *workspace; /* NULL: $SHUJIAN_WORKSPACE, else ./shujian-data */
    struct sj_model_choice params[SJ_CLI_CHOICES_MAX];
    size_t param_count;
    struct sj_model_choice inputs[SJ_CLI_CHOICES_MAX];
    size_t input_count;
    struct sj_model_choice mappings[SJ_CLI_CHOICES_MAX];
    size_t mapping_count;
    const char **positional; /* borrowed strings, owned array */
    size_t positional_count;
};

/* A boolean flag a command takes besides the shared options, e.g. {"--json", &is_json}. */
struct sj_cli_flag {
    const char *name;
    bool *is_set;
};

/* Parses argv (argv[0] the subcommand) into opts. "--" ends the options. Returns
 * SJ_EXIT_OK, or SJ_EXIT_USAGE after printing a usage error for cmd (a malformed choice,
 * an unknown option, or more than max_positional positional arguments). */
int sj_cli_model_opts_parse(const struct cmd *cmd, int argc, char **argv,
                            const struct sj_cli_flag *flags, size_t flag_count,
                            size_t max_positional, struct sj_cli_model_opts *opts);
void sj_cli_model_opts_release(struct sj_cli_model_opts *opts);

/* Fills run with opts' choices (borrowed) and toolbox (may be NULL). */
void sj_cli_model_opts_apply(const struct sj_cli_model_opts *opts, const struct sj_toolbox *toolbox,
                             struct sj_model_run_opts *run);

#endif
