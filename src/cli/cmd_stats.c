/*
 * cmd_stats.c - `shujian stats`: how the models are doing, per model and per
 * procuratorial function (四大检察): runs, leads, leads verified (status other than
 * 待核查), cases (成案), cases by outcome, and the conversion rate (成案率 = cases / leads).
 * Definitions: docs/LEADS.md. The four functions are always listed, also without leads.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "shujian/leads.h"
#include "shujian/model.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian stats [--json] [--workspace DIR]\n\n"
    "Counts the leads of every model and of every procuratorial function: model runs,\n"
    "leads, verified (核查过: status other than 待核查), cases (成案), cases by outcome\n"
    "(立案监督, 纠正违法通知书, 检察建议, 其他) and the conversion rate (成案率 = cases / "
    "leads).\n\n"
    "  --json           print JSON instead of tables\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n";

/* ---- JSON ----------------------------------------------------------------------------------- */

static json_t *counts_json(const struct sj_lead_stats_row *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "runs", json_integer(r->runs));
    json_object_set_new(o, "leads", json_integer(r->leads));
    json_object_set_new(o, "verified", json_integer(r->verified));
    json_object_set_new(o, "cases", json_integer(r->cases));
    json_object_set_new(o, "no_cases", json_integer(r->no_cases));
    json_t *outcomes = json_object();
    for (int i = SJ_OUTCOME_FILING; i < SJ_OUTCOME_COUNT; i++)
        json_object_set_new(outcomes, sj_lead_outcome_name((enum sj_lead_outcome)i),
                            json_integer(r->outcomes[i]));
    json_object_set_new(o, "outcomes", outcomes);
    json_object_set_new(o, "conversion_rate",
                        r->leads > 0 ? json_real(r->conversion) : json_null());
    return o;
}

/* The row of function f, or an empty one (key NULL) when it has no runs. */
static struct sj_lead_stats_row function_row(const struct sj_lead_stats *s,
                                             enum sj_model_function f)
{
    struct sj_lead_stats_row empty = {0};
    for (size_t i = 0; i < s->function_count; i++) {
        if (strcmp(s->functions[i].key, sj_model_function_name(f)) == 0)
            return s->functions[i];
    }
    return empty;
}

static int print_json(const struct sj_lead_stats *s)
{
    json_t *models = json_array(), *functions = json_array();
    for (size_t i = 0; i < s->model_count; i++) {
        json_t *o = json_pack("{s:o, s:o}", "model", sj_cli_json_string(s->models[i].key),
                              "function", sj_cli_json_string(s->models[i].function));
        json_t *counts = counts_json(&s->models[i]);
        json_object_update(o, counts);
        json_decref(counts);
        json_array_append_new(models, o);
    }
    for (int f = 0; f < SJ_FUNCTION_COUNT; f++) {
        struct sj_lead_stats_row r = function_row(s, (enum sj_model_function)f);
        json_t *o =
            json_pack("{s:s, s:s}", "function", sj_model_function_name((enum sj_model_function)f),
                      "label", sj_model_function_label((enum sj_model_function)f));
        json_t *counts = counts_json(&r);
        json_object_update(o, counts);
        json_decref(counts);
        json_array_append_new(functions, o);
    }
    json_t *root = json_pack("{s:o, s:o, s:o}", "models", models, "functions", functions, "total",
                             counts_json(&s->total));
    /* Six significant digits: a rate reads 0.333333, not 0.33333333333333331. */
    int rc =
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(root);
    fputc('\n', stdout);
    return rc == 0 ? SJ_EXIT_OK : SJ_EXIT_FAILURE;
}

/* ---- Tables --------------------------------------------------------------------------------- */

/* Columns after the name (and, for models, the function): runs, leads, verified, cases,
 * the four outcomes, the rate. */
#define COUNT_COLUMNS 9

static void add_counts(struct sj_cli_table *t, const char *name, const char *function,
                       const struct sj_lead_stats_row *r)
{
    char numbers[COUNT_COLUMNS][24];
    const char *cells[2 + COUNT_COLUMNS];
    const int64_t values[COUNT_COLUMNS - 1] = {
        r->runs,
        r->leads,
        r->verified,
        r->cases,
        r->outcomes[SJ_OUTCOME_FILING],
        r->outcomes[SJ_OUTCOME_CORRECTION],
        r->outcomes[SJ_OUTCOME_RECOMMENDATION],
        r->outcomes[SJ_OUTCOME_OTHER],
    };
    size_t n = 0;
    cells[n++] = name;
    if (function)
        cells[n++] = function;
    for (int i = 0; i < COUNT_COLUMNS - 1; i++) {
        snprintf(numbers[i], sizeof numbers[i], "%" PRId64, values[i]);
        cells[n++] = numbers[i];
    }
    if (r->leads > 0)
        snprintf(numbers[COUNT_COLUMNS - 1], sizeof numbers[0], "%.1f%%", r->conversion * 100.0);
    else
        snprintf(numbers[COUNT_COLUMNS - 1], sizeof numbers[0], "-");
    cells[n++] = numbers[COUNT_COLUMNS - 1];
    sj_cli_table_add_row(t, cells);
}

/* A table whose first column is `first`, followed by 检察职能 when has_function. */
static void table_start(struct sj_cli_table *t, const char *first, bool has_function)
{
    static const char *const counts[COUNT_COLUMNS] = {
        "运行", "线索", "已核查", "成案", "立案监督", "纠正违法", "检察建议", "其他", "成案率"};
    const char *header[2 + COUNT_COLUMNS];
    size_t n = 0, lead = has_function ? 2 : 1;
    header[n++] = first;
    if (has_function)
        header[n++] = "检察职能";
    for (size_t i = 0; i < COUNT_COLUMNS; i++)
        header[n++] = counts[i];
    sj_cli_table_init(t, n);
    for (size_t c = lead; c < n; c++)
        sj_cli_table_align_right(t, c);
    sj_cli_table_add_row(t, header);
}

static const char *function_label(const char *name)
{
    enum sj_model_function f;
    return sj_model_function_parse(name, &f) == 0 ? sj_model_function_label(f) : name;
}

static void print_tables(const struct sj_lead_stats *s)
{
    struct sj_cli_table t;
    printf("按模型：\n");
    if (s->model_count == 0) {
        printf("（还没有运行过模型）\n");
    } else {
        table_start(&t, "模型", true);
        for (size_t i = 0; i < s->model_count; i++)
            add_counts(&t, s->models[i].key, function_label(s->models[i].function), &s->models[i]);
        sj_cli_table_print(&t, stdout);
        sj_cli_table_release(&t);
    }
    printf("\n按检察职能：\n");
    table_start(&t, "检察职能", false);
    for (int f = 0; f < SJ_FUNCTION_COUNT; f++) {
        struct sj_lead_stats_row r = function_row(s, (enum sj_model_function)f);
        add_counts(&t, sj_model_function_label((enum sj_model_function)f), NULL, &r);
    }
    add_counts(&t, "合计", NULL, &s->total);
    sj_cli_table_print(&t, stdout);
    sj_cli_table_release(&t);
}

static int run(int argc, char **argv)
{
    struct sj_cli_args args;
    struct sj_store *store = NULL;
    struct sj_lead_stats stats = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&sj_cmd_stats, argc, argv))
        return SJ_EXIT_OK;
    int status = sj_cli_parse_args(&sj_cmd_stats, argc, argv, SJ_CLI_OPT_JSON, 0, &args);
    if (status == SJ_EXIT_OK)
        status = sj_cli_open_store(&sj_cmd_stats, args.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        goto out;
    if (sj_lead_stats(store, &stats, &err) < 0) {
        status = sj_cli_fail(&sj_cmd_stats, &err);
        goto out;
    }
    if (args.is_json)
        status = print_json(&stats);
    else
        print_tables(&stats);
out:
    sj_lead_stats_release(&stats);
    sj_store_close(store);
    return status;
}

const struct cmd sj_cmd_stats = {
    .name = "stats",
    .summary = "lead statistics per model and per procuratorial function",
    .usage = usage,
    .run = run,
};
