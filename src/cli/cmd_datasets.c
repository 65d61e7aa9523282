/*
 * cmd_datasets.c - `shujian datasets`: the datasets of a workspace with their row, reject
 * and flagged-cell counts, as an aligned table or as JSON. Read-only: a missing workspace
 * is reported, never created.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian datasets [--workspace DIR] [--json]\n\n"
    "Lists the datasets in the workspace: rows imported, rows rejected, cells that\n"
    "failed normalisation (kept raw), import runs, columns and last update.\n\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n"
    "  --json           print JSON instead of a table\n";

static json_t *columns_json(const struct sj_dataset_info *d)
{
    json_t *cols = json_array();
    for (size_t i = 0; i < d->column_count; i++)
        json_array_append_new(cols, json_pack("{s:o, s:s}", "name",
                                              sj_cli_json_string(d->columns[i].name), "kind",
                                              sj_kind_name(d->columns[i].kind)));
    return cols;
}

static int print_json(const struct sj_store *store, const struct sj_dataset_info *list, size_t n)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct sj_dataset_info *d = &list[i];
        json_array_append_new(
            items, json_pack("{s:I, s:o, s:I, s:I, s:I, s:I, s:s, s:s, s:o}", "id",
                             (json_int_t)d->id, "name", sj_cli_json_string(d->name), "rows",
                             (json_int_t)d->row_count, "rejected_rows", (json_int_t)d->reject_count,
                             "flagged_cells", (json_int_t)d->flagged_cells, "imports",
                             (json_int_t)d->import_count, "created_at", d->created_at, "updated_at",
                             d->updated_at, "columns", columns_json(d)));
    }
    json_t *root =
        json_pack("{s:o, s:i, s:o}", "workspace", sj_cli_json_string(sj_store_dir(store)),
                  "schema_version", sj_store_schema_version(store), "datasets", items);
    return sj_cli_print_json(root);
}

static void print_table(const struct sj_store *store, const struct sj_dataset_info *list, size_t n)
{
    static const char *const header[] = {"NAME",    "ROWS",    "REJECTED", "FLAGGED",
                                         "IMPORTS", "COLUMNS", "UPDATED"};
    if (n == 0) {
        printf("No datasets in workspace %s.\n", sj_store_dir(store));
        return;
    }
    struct sj_cli_table t;
    sj_cli_table_init(&t, SJ_ARRAY_LEN(header));
    for (size_t c = 1; c <= 5; c++)
        sj_cli_table_align_right(&t, c);
    sj_cli_table_add_row(&t, header);
    for (size_t i = 0; i < n; i++) {
        const struct sj_dataset_info *d = &list[i];
        char num[5][24];
        int64_t values[5] = {d->row_count, d->reject_count, d->flagged_cells, d->import_count,
                             (int64_t)d->column_count};
        for (size_t k = 0; k < 5; k++)
            snprintf(num[k], sizeof num[k], "%" PRId64, values[k]);
        const char *row[] = {d->name, num[0], num[1], num[2], num[3], num[4], d->updated_at};
        sj_cli_table_add_row(&t, row);
    }
    sj_cli_table_print(&t, stdout);
    sj_cli_table_release(&t);
}

static int run(int argc, char **argv)
{
    struct sj_cli_args args;
    struct sj_store *store = NULL;
    struct sj_dataset_info *list = NULL;
    size_t n = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&sj_cmd_datasets, argc, argv))
        return SJ_EXIT_OK;
    int status = sj_cli_parse_args(&sj_cmd_datasets, argc, argv, SJ_CLI_OPT_JSON, 0, &args);
    if (status == SJ_EXIT_OK)
        status = sj_cli_open_store(&sj_cmd_datasets, args.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        goto out;
    if (sj_store_dataset_list(store, &list, &n, &err) < 0) {
        status = sj_cli_fail(&sj_cmd_datasets, &err);
        goto out;
    }
    if (args.is_json)
        status = print_json(store, list, n);
    else
        print_table(store, list, n);
out:
    sj_dataset_list_free(list, n);
    sj_store_close(store);
    return status;
}

const struct cmd sj_cmd_datasets = {
    .name = "datasets",
    .summary = "list the datasets in the workspace",
    .usage = usage,
    .run = run,
};
