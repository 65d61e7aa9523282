/*
 * cmd_rejects.c - `shujian rejects DATASET`: everything an import could not take as it
 * was, in file and row order: rejected rows (not imported) and cells that failed
 * normalisation (imported raw, normalised value empty), each with file, sheet, row,
 * column, raw value and the reason. Read-only.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian rejects DATASET [--workspace DIR] [--json]\n\n"
    "Lists the rejected rows of DATASET (TYPE row: not imported) and the cells that\n"
    "failed normalisation (TYPE cell: imported raw, without a normalised value), with\n"
    "the file, sheet, row and column they came from and the reason.\n\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n"
    "  --json           print JSON instead of a table\n";

static int print_json(const char *dataset, const struct sj_reject *list, size_t n)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct sj_reject *r = &list[i];
        json_array_append_new(
            items, json_pack("{s:s, s:I, s:o, s:o, s:I, s:i, s:o, s:o, s:o}", "type",
                             r->is_row ? "row" : "cell", "run", (json_int_t)r->run_id, "file",
                             sj_cli_json_string(r->file_name), "sheet",
                             sj_cli_json_string(r->sheet), "row", (json_int_t)r->row, "column",
                             r->column, "field", sj_cli_json_string(r->field), "raw",
                             sj_cli_json_string(r->raw), "reason", sj_cli_json_string(r->reason)));
    }
    json_t *root = json_pack("{s:o, s:I, s:o}", "dataset", sj_cli_json_string(dataset), "count",
                             (json_int_t)n, "rejects", items);
    return sj_cli_print_json(root);
}

static void print_table(const char *dataset, const struct sj_reject *list, size_t n)
{
    static const char *const header[] = {"TYPE",   "FILE",  "SHEET", "ROW",
                                         "COLUMN", "FIELD", "RAW",   "REASON"};
    if (n == 0) {
        printf("Dataset %s has no rejected rows or cells.\n", dataset);
        return;
    }
    struct sj_cli_table t;
    sj_cli_table_init(&t, SJ_ARRAY_LEN(header));
    sj_cli_table_align_right(&t, 3);
    sj_cli_table_align_right(&t, 4);
    sj_cli_table_add_row(&t, header);
    for (size_t i = 0; i < n; i++) {
        const struct sj_reject *r = &list[i];
        char row[24], col[24];
        snprintf(row, sizeof row, "%" PRId64, r->row);
        if (r->column > 0)
            snprintf(col, sizeof col, "%d", r->column);
        else
            snprintf(col, sizeof col, "-");
        const char *cells[] = {r->is_row ? "row" : "cell",
                               r->file_name,
                               r->sheet,
                               row,
                               col,
                               r->field,
                               r->raw,
                               r->reason};
        sj_cli_table_add_row(&t, cells);
    }
    sj_cli_table_print(&t, stdout);
    sj_cli_table_release(&t);
}

static int run(int argc, char **argv)
{
    struct sj_cli_args args;
    struct sj_store *store = NULL;
    struct sj_reject *list = NULL;
    size_t n = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&sj_cmd_rejects, argc, argv))
        return SJ_EXIT_OK;
    int status = sj_cli_parse_args(&sj_cmd_rejects, argc, argv, SJ_CLI_OPT_JSON, 1, &args);
    if (status == SJ_EXIT_OK)
        status = sj_cli_open_store(&sj_cmd_rejects, args.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        goto out;
    if (sj_store_rejects(store, args.positional[0], &list, &n, &err) < 0) {
        status = sj_cli_fail(&sj_cmd_rejects, &err);
        goto out;
    }
    if (args.is_json)
        status = print_json(args.positional[0], list, n);
    else
        print_table(args.positional[0], list, n);
out:
    sj_reject_list_free(list, n);
    sj_store_close(store);
    return status;
}

const struct cmd sj_cmd_rejects = {
    .name = "rejects",
    .summary = "list a dataset's rejected rows and cells",
    .usage = usage,
    .run = run,
};
