/*
 * cmd_import.c - `shujian import FILE...`: imports text files and workbooks into the
 * workspace's warehouse and prints, per file or sheet, rows read = imported + rejected.
 * Exit status: 0 when every file was imported (or had been already), 1 when any file
 * failed, 2 for a usage error, 3 when the workspace cannot be opened.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "shujian/ingest.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian import FILE... [--dataset NAME] [--sheet NAME | --all-sheets]\n"
    "                      [--encoding ENC] [--delimiter C] [--mapping FILE] [--json]\n"
    "                      [--workspace DIR]\n\n"
    "Imports CSV/TSV/TXT files (UTF-8, GB18030/GBK, UTF-16), .xlsx and .xls workbooks into\n"
    "the workspace. The header row is found below any title rows, each column's kind\n"
    "(idcard, name, phone, amount, date, ...) is guessed from its header and values, and\n"
    "every cell is normalised; rows that cannot be imported are kept as rejects with a\n"
    "reason (see `shujian rejects`). Importing the same file again changes nothing.\n\n"
    "  --dataset NAME    import into NAME (default: the file name without extension;\n"
    "                    with --all-sheets, <file>_<sheet>)\n"
    "  --sheet NAME      import this sheet of a workbook (default: the first)\n"
    "  --all-sheets      import every sheet, each as its own dataset\n"
    "  --encoding ENC    text encoding: utf-8, gb18030, gbk, utf-16le, utf-16be\n"
    "                    (default: detected)\n"
    "  --delimiter C     field delimiter of a text file: ',', 'tab', ';' or '|'\n"
    "                    (default: detected)\n"
    "  --mapping FILE    column kinds to use instead of guessing, one \"column = kind\"\n"
    "                    per line (see docs/IMPORT.md)\n"
    "  --json            print one JSON object per imported file or sheet\n"
    "  --workspace DIR   the workspace (default: $SHUJIAN_WORKSPACE or ./shujian-data)\n";

struct import_args {
    struct sj_import_opts opts;
    const char *workspace;
    bool json;
    char **files;
    size_t file_count;
};

/* Takes the value of --name VALUE or --name=VALUE at argv[*i]. Returns NULL when arg is not
 * this option; sets *missing when the value is absent. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static int parse_delimiter(const char *text, char *out)
{
    if (strcmp(text, "tab") == 0 || strcmp(text, "\\t") == 0 || strcmp(text, "\t") == 0)
        *out = '\t';
    else if (strlen(text) == 1 && strchr(",;|", text[0]))
        *out = text[0];
    else
        return -1;
    return 0;
}

static int parse_option(int argc, char **argv, int *i, struct import_args *a)
{
    static const char *const names[] = {"--dataset", "--sheet",     "--encoding",
                                        "--mapping", "--workspace", "--delimiter"};
    const char *arg = argv[*i];
    if (strcmp(arg, "--all-sheets") == 0)
        return a->opts.all_sheets = true, 0;
    if (strcmp(arg, "--json") == 0)
        return a->json = true, 0;
    for (size_t k = 0; k < SJ_ARRAY_LEN(names); k++) {
        bool missing = false;
        const char *v = option_value(argc, argv, i, names[k], &missing);
        if (missing)
            return sj_cli_usage_error(&sj_cmd_import, "%s needs a value", names[k]);
        if (!v)
            continue;
        const char **slots[] = {&a->opts.dataset, &a->opts.sheet, &a->opts.encoding,
                                &a->opts.mapping_path, &a->workspace};
        if (k < SJ_ARRAY_LEN(slots))
            *slots[k] = v;
        else if (parse_delimiter(v, &a->opts.delimiter) < 0)
            return sj_cli_usage_error(&sj_cmd_import, "--delimiter must be ',', 'tab', ';' or '|'");
        return 0;
    }
    return sj_cli_usage_error(&sj_cmd_import, "unknown option '%s'", arg);
}

static int parse_args(int argc, char **argv, struct import_args *a)
{
    a->files = sj_xcalloc((size_t)argc, sizeof *a->files);
    bool only_files = false;
    for (int i = 1; i < argc; i++) {
        if (only_files || argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
            a->files[a->file_count++] = argv[i];
        } else if (strcmp(argv[i], "--") == 0) {
            only_files = true;
        } else {
            int rc = parse_option(argc, argv, &i, a);
            if (rc != 0)
                return rc;
        }
    }
    if (a->file_count == 0)
        return sj_cli_usage_error(&sj_cmd_import, "no file to import");
    if (a->opts.sheet && a->opts.all_sheets)
        return sj_cli_usage_error(&sj_cmd_import, "--sheet and --all-sheets exclude each other");
    if (a->opts.dataset && !a->opts.dataset[0])
        return sj_cli_usage_error(&sj_cmd_import, "--dataset needs a non-empty name");
    return 0;
}

/* ---- Output -------------------------------------------------------------------------------- */

static void print_json(const struct sj_import_summary *s)
{
    json_t *cols = json_array();
    for (size_t i = 0; i < s->column_count; i++)
        json_array_append_new(cols, json_pack("{s:o, s:s}", "name",
                                              sj_cli_json_string(s->columns[i].name), "kind",
                                              sj_kind_name(s->columns[i].kind)));
    json_t *o = json_object();
    json_object_set_new(o, "dataset", sj_cli_json_string(s->dataset));
    json_object_set_new(o, "file", sj_cli_json_string(s->file));
    json_object_set_new(o, "sheet", sj_cli_json_string(s->sheet));
    json_object_set_new(o, "rows_read", json_integer(s->rows_read));
    json_object_set_new(o, "rows_imported", json_integer(s->rows_imported));
    json_object_set_new(o, "rows_rejected", json_integer(s->rows_rejected));
    json_object_set_new(o, "cells_flagged", json_integer(s->cells_flagged));
    json_object_set_new(o, "columns", cols);
    json_object_set_new(o, "already_imported", json_boolean(s->already_imported));
    json_object_set_new(o, "seconds", json_real(s->seconds));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text)
        puts(text);
    free(text);
    json_decref(o);
}

static void print_human(const struct sj_import_summary *s)
{
    if (s->sheet[0])
        printf("%s [%s] -> dataset %s\n", s->file, s->sheet, s->dataset);
    else
        printf("%s -> dataset %s\n", s->file, s->dataset);
    if (s->already_imported) {
        printf("  already imported (run %lld); nothing changed\n"
               "  该文件已导入过（第 %lld 次导入），未作任何改动\n",
               (long long)s->run_id, (long long)s->run_id);
        return;
    }
    printf("  rows read %lld = imported %lld + rejected %lld; cells flagged %lld\n"
           "  读取 %lld 行 = 导入 %lld 行 + 拒绝 %lld 行；存疑单元格 %lld 个\n",
           (long long)s->rows_read, (long long)s->rows_imported, (long long)s->rows_rejected,
           (long long)s->cells_flagged, (long long)s->rows_read, (long long)s->rows_imported,
           (long long)s->rows_rejected, (long long)s->cells_flagged);
    printf("  columns:");
    for (size_t i = 0; i < s->column_count; i++)
        printf("%s %s (%s)", i ? "," : "", s->columns[i].name, sj_kind_name(s->columns[i].kind));
    printf("\n  %.2f s\n", s->seconds);
}

static void print_error(const char *file, const struct sj_err *err, bool json)
{
    char msg[1024];
    sj_err_format(err, msg, sizeof msg);
    fprintf(stderr, "shujian import: %s\n", msg);
    if (!json)
        return;
    json_t *o =
        json_pack("{s:o, s:o}", "file", sj_cli_json_string(file), "error", sj_cli_json_string(msg));
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (text)
        puts(text);
    free(text);
    json_decref(o);
}

/* The progress line on a terminal's stderr: shown once an import has taken a second,
 * then redrawn at most twice a second, and ended with a newline when the file is done. */
struct progress_line {
    const char *file;
    double started, last;
    bool is_shown;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows)
{
    struct progress_line *line = ctx;
    double t = now_seconds();
    bool is_end = bytes_done == bytes_total;
    if (!is_end && (t - line->started < 1.0 || t - line->last < 0.5))
        return;
    if (is_end && !line->is_shown)
        return;
    double rate = t > line->started ? (double)rows / (t - line->started) : 0;
    if (bytes_done > 0 && bytes_total > 0)
        fprintf(stderr, "\r%s: %3.0f%%, %llu rows, %.0f rows/s%s", line->file,
                100.0 * (double)bytes_done / (double)bytes_total, (unsigned long long)rows, rate,
                is_end ? "\n" : "");
    else
        fprintf(stderr, "\r%s: %llu rows, %.0f rows/s%s", line->file, (unsigned long long)rows,
                rate, is_end ? "\n" : "");
    line->last = t;
    line->is_shown = true;
}

static bool import_one(struct sj_store *store, const char *file, const struct import_args *a)
{
    struct sj_import_summary *sums = NULL;
    size_t count = 0;
    struct sj_err err;
    sj_err_clear(&err);
    struct sj_import_opts opts = a->opts;
    struct progress_line line = {.file = file, .started = now_seconds()};
    if (isatty(STDERR_FILENO)) {
        opts.progress = show_progress;
        opts.progress_ctx = &line;
    }
    int rc = sj_ingest_import_file(store, file, &opts, &sums, &count, &err);
    if (line.is_shown && rc < 0)
        fputc('\n', stderr); /* the error goes on a line of its own */
    for (size_t i = 0; i < count; i++) {
        if (a->json)
            print_json(&sums[i]);
        else
            print_human(&sums[i]);
    }
    if (rc == 0 && count == 0 && !a->json)
        printf("%s: no sheet has any rows; nothing imported\n", file);
    if (rc < 0)
        print_error(file, &err, a->json);
    fflush(stdout);
    sj_import_summaries_free(sums, count);
    return rc == 0;
}

static int run(int argc, char **argv)
{
    if (sj_cli_wants_help(&sj_cmd_import, argc, argv))
        return SJ_EXIT_OK;
    struct import_args a = {0};
    int status = parse_args(argc, argv, &a);
    if (status != 0)
        goto out;
    struct sj_store *store = NULL;
    status = sj_cli_open_store(&sj_cmd_import, a.workspace, true, &store);
    if (status != SJ_EXIT_OK)
        goto out;
    for (size_t i = 0; i < a.file_count; i++) {
        if (!import_one(store, a.files[i], &a))
            status = SJ_EXIT_NEGATIVE;
    }
    sj_store_close(store);
out:
    free(a.files);
    return status;
}

const struct cmd sj_cmd_import = {
    .name = "import",
    .summary = "import CSV/XLSX/XLS files into the warehouse",
    .usage = usage,
    .run = run,
};
