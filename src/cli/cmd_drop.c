/*
 * cmd_drop.c - `shujian drop DATASET`: deletes a dataset with its rows, import runs and
 * rejects, in one transaction. Its files may be imported again afterwards.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian drop DATASET [--workspace DIR]\n\n"
    "Deletes DATASET from the workspace: its rows, its import history and its rejects.\n"
    "The source files are not touched and may be imported again.\n\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n";

static int run(int argc, char **argv)
{
    struct sj_cli_args args;
    struct sj_store *store = NULL;
    struct sj_dataset_info info = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&sj_cmd_drop, argc, argv))
        return SJ_EXIT_OK;
    int status = sj_cli_parse_args(&sj_cmd_drop, argc, argv, 0, 1, &args);
    if (status == SJ_EXIT_OK)
        status = sj_cli_open_store(&sj_cmd_drop, args.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        goto out;
    const char *name = args.positional[0];
    if (sj_store_dataset_get(store, name, &info, &err) < 0 ||
        sj_store_dataset_drop(store, name, &err) < 0) {
        status = sj_cli_fail(&sj_cmd_drop, &err);
        goto out;
    }
    printf("Dropped dataset %s (%" PRId64 " rows, %" PRId64 " import runs).\n", name,
           info.row_count, info.import_count);
out:
    sj_dataset_info_release(&info);
    sj_store_close(store);
    return status;
}

const struct cmd sj_cmd_drop = {
    .name = "drop",
    .summary = "delete a dataset with its rows, imports and rejects",
    .usage = usage,
    .run = run,
};
