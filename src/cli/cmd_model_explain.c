/*
 * cmd_model_explain.c - `shujian model explain ID`: compiles a model for this workspace and
 * these choices without running it, and shows what it would do: which dataset column each
 * logical column of each input got (and by which rule), every bound value, and the SQL, one
 * CTE per block; with --query-plan also SQLite's plan, to check that lookups use indexes;
 * with --sqlite3 only a script that runs the same query with the same values in the sqlite3
 * shell (what bench/model.sh compares with the hand-written queries).
 * ID is a toolbox model id or a path to a model file. Called by cmd_model.c with argv[0] =
 * "explain". Read-only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/model_opts.h"
#include "shujian/model.h"
#include "shujian/plan.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian model explain ID [--param NAME=VALUE] [--input NAME=DATASET]\n"
    "                                [--map INPUT.COLUMN=HEADER] [--query-plan | --sqlite3]\n"
    "                                [--workspace DIR]\n\n"
    "Compiles model ID (a toolbox id, or a path to a .yaml file) for the workspace without\n"
    "running it and prints: for each input, the dataset column each logical column was\n"
    "found in and how (--map, header, or the only column of its kind); the bound values\n"
    "(parameters and literals; amounts in fen); and the SQL, one block per step.\n\n"
    "  --param NAME=VALUE         set a parameter (repeatable); lists are written a,b,c\n"
    "  --input NAME=DATASET       read input NAME from another dataset (repeatable;\n"
    "                             DATASET,DATASET stacks several)\n"
    "  --map INPUT.COLUMN=HEADER  take a column from the header HEADER (repeatable)\n"
    "  --query-plan               also print SQLite's query plan\n"
    "  --sqlite3                  print only a script for the sqlite3 shell: the values\n"
    "                             bound (.parameter set) and the query, to run it by hand:\n"
    "                             sqlite3 -readonly DIR/workspace.db < script\n"
    "  --workspace DIR            the workspace (default: $SHUJIAN_WORKSPACE, else "
    "./shujian-data)\n";

static const struct cmd explain_cmd = {
    .name = "model explain",
    .summary = "show the SQL a model compiles to",
    .usage = usage,
    .run = sj_cli_model_explain,
};

static const char *how_label(const char *how)
{
    if (strcmp(how, "mapping") == 0)
        return "按 --map";
    if (strcmp(how, "kind") == 0)
        return "按类型，唯一一列";
    return "按表头";
}

static void print_inputs(const struct sj_model_plan *plan)
{
    const char *input = NULL, *dataset = NULL;
    printf("输入：\n");
    for (size_t i = 0; i < plan->resolved_count; i++) {
        const struct sj_model_resolved *r = &plan->resolved[i];
        if (!input || strcmp(input, r->input) != 0 || strcmp(dataset, r->dataset) != 0)
            printf("  %s ← 数据集 %s\n", r->input, r->dataset);
        input = r->input;
        dataset = r->dataset;
        printf("    %-16s 第%d列“%s” [%s]（%s）%s\n", r->column, r->position, r->header,
               sj_kind_name(r->kind), how_label(r->how), r->is_raw ? " 未规范化，按原文比较" : "");
    }
}

static void print_value(const struct sj_model_value *v)
{
    printf("  :%-16s = ", v->name);
    switch (v->type) {
    case SJ_PARAM_AMOUNT:
        printf("%" PRId64 "（分，即 %" PRId64 ".%02d 元）", v->integer, v->integer / 100,
               (int)(v->integer < 0 ? -(v->integer % 100) : v->integer % 100));
        break;
    case SJ_PARAM_INTEGER:
    case SJ_PARAM_DAYS:
        printf("%" PRId64 "%s", v->integer, v->type == SJ_PARAM_DAYS ? " 天" : "");
        break;
    case SJ_PARAM_BOOLEAN:
        printf("%s", v->integer ? "true" : "false");
        break;
    case SJ_PARAM_NUMBER:
        printf("%s", v->number ? v->number : "");
        break;
    case SJ_PARAM_TEXT:
        printf("“%s”", v->text ? v->text : "");
        break;
    case SJ_PARAM_DATE:
    case SJ_PARAM_LIST:
        printf("%s", v->text ? v->text : "");
        break;
    }
    if (v->param)
        printf("    参数 %s（%s）\n", v->param, sj_param_type_name(v->type));
    else
        printf("    字面量\n");
}

static void print_plan(const struct sj_model *model, const struct sj_model_plan *plan)
{
    printf("模型 %s %s：%s\n\n", model->id, model->version ? model->version : "",
           model->name ? model->name : "");
    print_inputs(plan);
    printf("\n绑定的值：\n");
    for (size_t i = 0; i < plan->value_count; i++)
        print_value(&plan->values[i]);
    printf("\n读取的数据集：");
    for (size_t i = 0; i < plan->dataset_count; i++)
        printf("%s%s", i ? "、" : "", plan->datasets[i]);
    printf("\n输出列：");
    for (size_t i = 0; i < plan->column_count; i++)
        printf("%s%s", i ? ", " : "", plan->columns[i]);
    printf("\n\nSQL：\n%s\n", plan->sql);
}

/* ---- A script for the sqlite3 shell ------------------------------------------------------------ */

/* Writes text as an argument of a shell dot-command that the shell takes as the SQL string
 * literal 'text': in double quotes, where the shell resolves backslash escapes, so that a
 * text of digits stays text. */
static void put_text_arg(const char *text)
{
    fputs("\"'", stdout);
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            fputs("''", stdout);
        else if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", stdout);
        else
            putchar(*p);
    }
    fputs("'\"", stdout);
}

/* One ".parameter set" line per bound value, typed as sj_store_plan_query binds it. */
static void print_shell_value(const struct sj_model_value *v)
{
    printf(".parameter set :%s ", v->name);
    switch (v->type) {
    case SJ_PARAM_INTEGER:
    case SJ_PARAM_AMOUNT:
    case SJ_PARAM_DAYS:
    case SJ_PARAM_BOOLEAN:
        printf("%" PRId64 "\n", v->integer);
        return;
    case SJ_PARAM_NUMBER:
        printf("%.17g\n", v->number ? strtod(v->number, NULL) : 0.0);
        return;
    case SJ_PARAM_DATE:
    case SJ_PARAM_TEXT:
    case SJ_PARAM_LIST:
        if (v->text)
            put_text_arg(v->text);
        else
            fputs("NULL", stdout);
        putchar('\n');
        return;
    }
}

static void print_shell_script(const struct sj_model *model, const struct sj_model_plan *plan)
{
    printf("-- %s %s, compiled by shujian model explain --sqlite3 for this workspace.\n"
           "-- Run: sqlite3 -readonly WORKSPACE/workspace.db < this-file\n",
           model->id, model->version ? model->version : "");
    printf(".parameter init\n");
    for (size_t i = 0; i < plan->value_count; i++)
        print_shell_value(&plan->values[i]);
    printf("%s;\n", plan->sql);
}

/* ---- Query plan ------------------------------------------------------------------------------ */

#define PLAN_LINES_MAX 512

struct plan_tree {
    int ids[PLAN_LINES_MAX];
    int depths[PLAN_LINES_MAX];
    size_t count;
};

static int print_plan_line(void *ctx, int id, int parent, const char *detail)
{
    struct plan_tree *t = ctx;
    int depth = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (t->ids[i] == parent)
            depth = t->depths[i] + 1;
    }
    if (t->count < PLAN_LINES_MAX) {
        t->ids[t->count] = id;
        t->depths[t->count++] = depth;
    }
    printf("  %*s%s\n", depth * 2, "", detail);
    return 0;
}

/* ---- The command ----------------------------------------------------------------------------- */

static bool is_path(const char *id)
{
    size_t n = strlen(id);
    return strchr(id, '/') || (n > 5 && strcmp(id + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(id + n - 4, ".yml") == 0);
}

/* The model called id in the toolbox, or read from the file id; *owned is set when the
 * caller must free it. */
static int find_model(const char *id, const struct sj_toolbox *tb, const struct sj_model **model,
                      struct sj_model **owned, struct sj_err *err)
{
    *owned = NULL;
    if (!is_path(id)) {
        *model = sj_toolbox_find(tb, id);
        return *model ? 0
                      : sj_err_set(err, SJ_ENOTFOUND,
                                   "模型库中没有模型“%s”（见 shujian model list）", id);
    }
    struct sj_model_diags diags = {0};
    int rc = sj_model_load_file(id, owned, &diags, err);
    if (rc < 0 && diags.count > 0) {
        char line[1024];
        for (size_t i = 0; i < diags.count; i++)
            fprintf(stderr, "%s\n", sj_model_diag_format(id, &diags.items[i], line, sizeof line));
        sj_err_set(err, rc, "模型文件有 %zu 处问题（见上）", diags.count);
    }
    sj_model_diags_release(&diags);
    *model = *owned;
    return rc;
}

static int explain(struct sj_store *store, const struct sj_cli_model_opts *o, bool wants_plan,
                   bool wants_script)
{
    struct sj_toolbox tb = {0};
    struct sj_model *owned = NULL;
    const struct sj_model *model = NULL;
    struct sj_model_plan plan = {0};
    struct sj_model_run_opts run;
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_toolbox_load(sj_store_dir(store), &tb, &err);
    if (rc == 0)
        rc = find_model(o->positional[0], &tb, &model, &owned, &err);
    sj_cli_model_opts_apply(o, &tb, &run);
    if (rc == 0)
        rc = sj_model_compile(store, model, &run, &plan, &err);
    if (rc == 0 && wants_script) {
        print_shell_script(model, &plan);
    } else if (rc == 0) {
        print_plan(model, &plan);
        if (wants_plan) {
            struct plan_tree tree = {.count = 0};
            printf("\n查询计划（EXPLAIN QUERY PLAN）：\n");
            rc = sj_store_plan_explain(store, &plan, print_plan_line, &tree, &err);
        }
    }
    int status = rc < 0 ? sj_cli_fail(&explain_cmd, &err) : SJ_EXIT_OK;
    sj_model_plan_release(&plan);
    sj_model_free(owned);
    sj_toolbox_release(&tb);
    return status;
}

int sj_cli_model_explain(int argc, char **argv)
{
    struct sj_cli_model_opts o;
    struct sj_store *store = NULL;
    bool wants_plan = false, wants_script = false;
    const struct sj_cli_flag flags[] = {{"--query-plan", &wants_plan},
                                        {"--sqlite3", &wants_script}};
    if (sj_cli_wants_help(&explain_cmd, argc, argv))
        return SJ_EXIT_OK;
    int status = sj_cli_model_opts_parse(&explain_cmd, argc, argv, flags, SJ_ARRAY_LEN(flags), 1,
                                         &o);
    if (status == SJ_EXIT_OK && o.positional_count != 1)
        status = sj_cli_usage_error(&explain_cmd, "which model? give one ID");
    if (status == SJ_EXIT_OK && wants_plan && wants_script)
        status = sj_cli_usage_error(&explain_cmd, "--query-plan and --sqlite3 do not go together");
    if (status == SJ_EXIT_OK)
        status = sj_cli_open_store(&explain_cmd, o.workspace, false, &store);
    if (status == SJ_EXIT_OK)
        status = explain(store, &o, wants_plan, wants_script);
    sj_store_close(store);
    sj_cli_model_opts_release(&o);
    return status;
}
