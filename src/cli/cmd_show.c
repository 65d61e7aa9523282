/*
 * cmd_show.c - `shujian show DATASET`: a page of a dataset's rows, each cell raw and (for
 * columns with a kind) normalised, and each row's provenance: source file, sheet and row
 * in that file. Amounts are shown in fen, as stored. Read-only.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian show DATASET [--limit N] [--offset N] [--workspace DIR] [--json]\n\n"
    "Shows rows of DATASET in import order: every cell as read and, for columns with a\n"
    "kind, its normalised value (\"!\" marks a value that failed normalisation and was kept\n"
    "raw); and where each row came from (file, sheet, row in the file).\n\n"
    "  --limit N        rows to show (default 20)\n"
    "  --offset N       rows to skip first (default 0)\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n"
    "  --json           print JSON instead of a table\n";

static json_t *norm_json(enum sj_kind kind, const char *norm)
{
    if (norm && (kind == SJ_KIND_AMOUNT || kind == SJ_KIND_INTEGER)) {
        char *end = NULL;
        long long v = strtoll(norm, &end, 10);
        if (end && *end == '\0' && end != norm)
            return json_integer(v);
    }
    return sj_cli_json_string(norm);
}

static json_t *row_json(const struct sj_dataset_info *d, const struct sj_row *row)
{
    json_t *cells = json_array();
    for (size_t i = 0; i < d->column_count; i++) {
        json_t *cell = json_object();
        json_object_set_new(cell, "raw", sj_cli_json_string(row->cells[i].raw));
        if (d->columns[i].kind != SJ_KIND_TEXT)
            json_object_set_new(cell, "norm", norm_json(d->columns[i].kind, row->cells[i].norm));
        json_array_append_new(cells, cell);
    }
    return json_pack("{s:I, s:I, s:o, s:o, s:I, s:o}", "row", (json_int_t)row->row_id, "run",
                     (json_int_t)row->run_id, "file", sj_cli_json_string(row->file_name), "sheet",
                     sj_cli_json_string(row->sheet), "source_row", (json_int_t)row->source_row,
                     "cells", cells);
}

static int print_json(const struct sj_dataset_info *d, const struct sj_cli_args *args,
                      const struct sj_row_page *page)
{
    json_t *cols = json_array();
    for (size_t i = 0; i < d->column_count; i++)
        json_array_append_new(cols, json_pack("{s:o, s:s}", "name",
                                              sj_cli_json_string(d->columns[i].name), "kind",
                                              sj_kind_name(d->columns[i].kind)));
    json_t *rows = json_array();
    for (size_t r = 0; r < page->row_count; r++)
        json_array_append_new(rows, row_json(d, &page->rows[r]));
    json_t *root =
        json_pack("{s:o, s:I, s:I, s:I, s:o, s:o}", "dataset", sj_cli_json_string(d->name),
                  "total_rows", (json_int_t)d->row_count, "offset", (json_int_t)args->offset,
                  "limit", (json_int_t)args->limit, "columns", cols, "rows", rows);
    return sj_cli_print_json(root);
}

static size_t table_width(const struct sj_dataset_info *d)
{
    size_t n = 2; /* ROW, SOURCE */
    for (size_t i = 0; i < d->column_count; i++)
        n += d->columns[i].kind == SJ_KIND_TEXT ? 1 : 2;
    return n;
}

/* Header: ROW, SOURCE, then each column; a kind column is followed by "NAME [kind]"
 * (labels[i] owns that text). */
static void fill_header(const struct sj_dataset_info *d, const char **header, char **labels)
{
    size_t n = 0;
    header[n++] = "ROW";
    header[n++] = "SOURCE";
    for (size_t i = 0; i < d->column_count; i++) {
        header[n++] = d->columns[i].name;
        if (d->columns[i].kind == SJ_KIND_TEXT)
            continue;
        size_t len = strlen(d->columns[i].name) + 32;
        labels[i] = sj_xmalloc(len);
        snprintf(labels[i], len, "%s [%s]", d->columns[i].name, sj_kind_name(d->columns[i].kind));
        header[n++] = labels[i];
    }
}

static void add_row(struct sj_cli_table *t, const struct sj_dataset_info *d,
                    const struct sj_row *row, const char **cells)
{
    char id[24], source[512];
    snprintf(id, sizeof id, "%" PRId64, row->row_id);
    if (row->sheet[0])
        snprintf(source, sizeof source, "%s[%s]:%" PRId64, row->file_name, row->sheet,
                 row->source_row);
    else
        snprintf(source, sizeof source, "%s:%" PRId64, row->file_name, row->source_row);
    size_t n = 0;
    cells[n++] = id;
    cells[n++] = source;
    for (size_t i = 0; i < d->column_count; i++) {
        const struct sj_row_cell *cell = &row->cells[i];
        cells[n++] = cell->raw;
        if (d->columns[i].kind == SJ_KIND_TEXT)
            continue;
        cells[n++] = cell->norm ? cell->norm : cell->raw ? "!" : NULL;
    }
    sj_cli_table_add_row(t, cells);
}

static void print_table(const struct sj_dataset_info *d, const struct sj_cli_args *args,
                        const struct sj_row_page *page)
{
    size_t width = table_width(d);
    const char **cells = sj_xcalloc(width, sizeof *cells);
    char **labels = sj_xcalloc(d->column_count ? d->column_count : 1, sizeof *labels);
    struct sj_cli_table t;
    sj_cli_table_init(&t, width);
    fill_header(d, cells, labels);
    sj_cli_table_align_right(&t, 0);
    sj_cli_table_add_row(&t, cells);
    for (size_t r = 0; r < page->row_count; r++)
        add_row(&t, d, &page->rows[r], cells);
    printf("Dataset %s: rows %" PRId64 "-%" PRId64 " of %" PRId64 "\n\n", d->name,
           page->row_count ? args->offset + 1 : args->offset,
           args->offset + (int64_t)page->row_count, d->row_count);
    sj_cli_table_print(&t, stdout);
    sj_cli_table_release(&t);
    for (size_t i = 0; i < d->column_count; i++)
        free(labels[i]);
    free(labels);
    free(cells);
}

static int run(int argc, char **argv)
{
    struct sj_cli_args args;
    struct sj_store *store = NULL;
    struct sj_dataset_info info = {0};
    struct sj_row_page page = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&sj_cmd_show, argc, argv))
        return SJ_EXIT_OK;
    int status =
        sj_cli_parse_args(&sj_cmd_show, argc, argv, SJ_CLI_OPT_JSON | SJ_CLI_OPT_PAGE, 1, &args);
    if (status == SJ_EXIT_OK && args.limit == 0)
        status = sj_cli_usage_error(&sj_cmd_show, "--limit must be at least 1");
    if (status == SJ_EXIT_OK)
        status = sj_cli_open_store(&sj_cmd_show, args.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        goto out;
    if (sj_store_dataset_get(store, args.positional[0], &info, &err) < 0 ||
        sj_store_rows(store, args.positional[0], args.offset, args.limit, &page, &err) < 0) {
        status = sj_cli_fail(&sj_cmd_show, &err);
        goto out;
    }
    if (page.row_count > 0 && page.column_count != info.column_count) {
        sj_err_set(&err, SJ_EDB, "数据集在读取时被改动，请重试");
        status = sj_cli_fail(&sj_cmd_show, &err);
        goto out;
    }
    if (args.is_json)
        status = print_json(&info, &args, &page);
    else
        print_table(&info, &args, &page);
out:
    sj_row_page_release(&page);
    sj_dataset_info_release(&info);
    sj_store_close(store);
    return status;
}

const struct cmd sj_cmd_show = {
    .name = "show",
    .summary = "show a dataset's rows with their provenance",
    .usage = usage,
    .run = run,
};
