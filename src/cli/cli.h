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

/* ---- Shared by the workspace commands (src/cli/cli_common.c) ------------------------------ */

#include <stdbool.h>
#include <stdint.h>

struct sj_store;
struct sj_err;
struct json_t;

#define SJ_CLI_OPT_JSON 1u /* --json */
#define SJ_CLI_OPT_PAGE 2u /* --limit N, --offset N */
#define SJ_CLI_ARGS_MAX 4

/* Options every workspace command takes (--workspace DIR) and the optional ones. */
struct sj_cli_args {
    const char *workspace; /* NULL: $SHUJIAN_WORKSPACE, else ./shujian-data */
    bool is_json;
    int64_t limit; /* 20 unless given */
    int64_t offset;
    int positional_count;
    const char *positional[SJ_CLI_ARGS_MAX]; /* borrowed from argv */
};

/* Parses argv (argv[0] the verb) accepting --workspace, the options in allowed
 * (SJ_CLI_OPT_*) and exactly `positional` positional arguments ("--" ends options).
 * Returns SJ_EXIT_OK, or SJ_EXIT_USAGE after printing a usage error. */
int sj_cli_parse_args(const struct cmd *cmd, int argc, char **argv, unsigned allowed,
                      int positional, struct sj_cli_args *args);
/* Parses a whole number >= 0. Returns 0 or -1. */
int sj_cli_parse_count(const char *text, int64_t *out);
/* For commands with a subcommand and named options (office, user): parses argv (argv[0] the
 * verb) where --json sets *is_json, "--name VALUE" sets the value of the matching named[i]
 * (n of them), and each other word fills the next empty positional[i] (n_positional of them;
 * all start NULL). Returns SJ_EXIT_OK, or SJ_EXIT_USAGE after printing a usage error. */
struct sj_cli_named {
    const char *name;   /* "--office" */
    const char **value; /* borrowed from argv */
};
int sj_cli_parse_named(const struct cmd *cmd, int argc, char **argv,
                       const struct sj_cli_named *named, size_t n, const char **const *positional,
                       size_t n_positional, bool *is_json);
/* Opens the workspace chosen by sj_store_default_dir(workspace). Returns SJ_EXIT_OK, or
 * prints why it failed and returns the exit status. *store is the caller's to close. */
int sj_cli_open_store(const struct cmd *cmd, const char *workspace, bool create,
                      struct sj_store **store);
/* Records a change the command made (e.g. "user.add") in the workspace's ledger, as actor
 * "system" from "cli:<login name>", when the workspace has a ledger; a workspace without
 * one records nothing and returns 0. payload (taken) may be NULL. Returns 0 or a negative
 * code with err set. */
int sj_cli_audit(struct sj_store *store, const char *action, const char *object_type,
                 int64_t object_id, struct json_t *payload, struct sj_err *err);
/* Prints "shujian VERB: <err formatted>" to stderr; returns sj_cli_exit_for(err->code). */
int sj_cli_fail(const struct cmd *cmd, const struct sj_err *err);
/* Exit status for an SJ_E* code: SJ_ENOTFOUND -> 1, SJ_EUSAGE -> 2, other errors -> 3. */
int sj_cli_exit_for(int code);
/* A JSON string of s (NULL gives JSON null; invalid UTF-8 bytes become U+FFFD). New
 * reference. */
struct json_t *sj_cli_json_string(const char *s);
/* Prints root to stdout indented, then a newline; takes the reference. */
int sj_cli_print_json(struct json_t *root);

#define SJ_CLI_CELL_WIDTH_MAX 40 /* display columns; longer cells are cut with "…" */

/* An aligned text table: rows of cells measured in display columns (CJK counts 2). The
 * first row added is usually the header. Embed it; _init/_release bracket its life. */
struct sj_cli_table {
    size_t column_count;
    size_t row_count;
    char **cells;        /* row-major, owned, control characters made visible */
    size_t *cell_widths; /* display width of each cell */
    size_t *widths;      /* widest cell per column */
    bool *is_right;      /* right-aligned columns */
};
void sj_cli_table_init(struct sj_cli_table *t, size_t column_count);
void sj_cli_table_align_right(struct sj_cli_table *t, size_t column);
/* Copies cells[column_count] (NULL cells print empty). */
void sj_cli_table_add_row(struct sj_cli_table *t, const char *const *cells);
void sj_cli_table_print(const struct sj_cli_table *t, FILE *out);
void sj_cli_table_release(struct sj_cli_table *t);
/* Prints a listing: list (taken) as JSON when is_json, else t; releases t. */
void sj_cli_print_listing(struct json_t *list, struct sj_cli_table *t, bool is_json);

extern const struct cmd sj_cmd_version;
extern const struct cmd sj_cmd_norm;
extern const struct cmd sj_cmd_import;
extern const struct cmd sj_cmd_datasets;
extern const struct cmd sj_cmd_show;
extern const struct cmd sj_cmd_rejects;
extern const struct cmd sj_cmd_drop;
extern const struct cmd sj_cmd_demo_data;
extern const struct cmd sj_cmd_demo_bail;
extern const struct cmd sj_cmd_leads;
extern const struct cmd sj_cmd_lead;
extern const struct cmd sj_cmd_stats;
extern const struct cmd sj_cmd_model;
extern const struct cmd sj_cmd_ledger;
extern const struct cmd sj_cmd_serve;
extern const struct cmd sj_cmd_user;
extern const struct cmd sj_cmd_office;
extern const struct cmd sj_cmd_face;
extern const struct cmd sj_cmd_geo;

/* `shujian model explain` and `shujian model run` (cmd_model_explain.c, cmd_model_run.c),
 * called by cmd_model.c with argv[0] = "explain" / "run"; they return an exit status. */
int sj_cli_model_explain(int argc, char **argv);
int sj_cli_model_run(int argc, char **argv);

#endif
