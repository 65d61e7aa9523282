/*
 * cmd_model.c - `shujian model`: the model toolbox from the command line. list (by
 * procuratorial function), show (what a model needs and does, in words), check (every
 * problem of a file as FILE:LINE:COL: message (hint)) and add (check, then copy into the
 * workspace's models/). explain and run are dispatched to cmd_model_explain.c and
 * cmd_model_run.c, which parse their own options (argv[0] is "explain" / "run").
 *
 * Exit statuses: 0 success; 1 a model file has problems or a model is not found; 2 usage;
 * 3 a file or directory could not be read or written.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "shujian/model.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian model <command> [options]\n\n"
    "Supervision models (大数据法律监督模型): YAML files that say which datasets to\n"
    "cross-match and what counts as a lead (docs/MODELS.md).\n\n"
    "  list [--json]            the toolbox: built-in and workspace models, by function\n"
    "  show ID|FILE [--json]    a model's inputs, parameters, steps and lead, in words\n"
    "  check FILE... [--json]   check model files; every problem as FILE:LINE:COL: message\n"
    "                           (hint); exit 1 when there is any\n"
    "  add FILE                 check FILE and copy it into the workspace's models/ folder\n"
    "                           (a model with the id of a built-in one replaces it there)\n"
    "  explain ID [options]     the SQL a model compiles to (`shujian model explain --help`)\n"
    "  run ID [options]         run a model and record its leads (`shujian model run --help`)\n\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n"
    "  --json           print JSON instead of text\n\n"
    "The built-in models are read from $SHUJIAN_MODELS when set, else the installed\n"
    "share/shujian/models.\n";

/* ---- Helpers --------------------------------------------------------------------------------- */

static void print_diags(FILE *out, const char *path, const struct sj_model_diags *diags)
{
    char line[1400];
    for (size_t i = 0; i < diags->count; i++)
        fprintf(out, "%s\n", sj_model_diag_format(path, &diags->items[i], line, sizeof line));
}

static json_t *diags_json(const struct sj_model_diags *diags)
{
    json_t *list = json_array();
    for (size_t i = 0; i < diags->count; i++) {
        const struct sj_model_diag *d = &diags->items[i];
        json_t *item = json_pack("{s:i, s:i, s:o}", "line", d->pos.line, "column", d->pos.column,
                                 "message", sj_cli_json_string(d->message));
        json_object_set_new(item, "hint", d->hint[0] ? sj_cli_json_string(d->hint) : json_null());
        json_array_append_new(list, item);
    }
    return list;
}

static json_t *strings_json(char *const *items, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(list, sj_cli_json_string(items[i]));
    return list;
}

/* The first line of text, at most size-1 bytes, cut at a whole character. */
static const char *first_line(const char *text, char *buf, size_t size)
{
    size_t n = text ? strcspn(text, "\n") : 0;
    if (n >= size)
        n = size - 1;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, text ? text : "", n);
    buf[n] = '\0';
    return buf;
}

/* Loads the toolbox of the chosen workspace; problems are kept in it. */
static int load_toolbox(const char *workspace, struct sj_toolbox *tb)
{
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_toolbox_load(sj_store_default_dir(workspace), tb, &err) < 0)
        return sj_cli_fail(&sj_cmd_model, &err);
    return SJ_EXIT_OK;
}

/* ---- list ------------------------------------------------------------------------------------ */

static json_t *model_brief_json(const struct sj_model *m)
{
    json_t *o = json_pack(
        "{s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:o, s:s}", "id", sj_cli_json_string(m->id),
        "name", sj_cli_json_string(m->name), "function", sj_model_function_name(m->function),
        "function_label", sj_model_function_label(m->function), "version",
        sj_cli_json_string(m->version), "author", sj_cli_json_string(m->author), "office",
        sj_cli_json_string(m->office), "summary", sj_cli_json_string(m->summary), "builtin",
        m->is_builtin, "path", sj_cli_json_string(m->path), "sha256", m->sha256);
    return o;
}

static void print_list(const struct sj_toolbox *tb)
{
    static const char *const header[] = {"ID", "NAME", "VERSION", "SOURCE", "SUMMARY"};
    if (tb->count == 0)
        printf("No models. Add one with `shujian model add FILE`.\n");
    for (int f = 0; f < SJ_FUNCTION_COUNT; f++) {
        struct sj_cli_table t;
        sj_cli_table_init(&t, SJ_ARRAY_LEN(header));
        sj_cli_table_add_row(&t, header);
        for (size_t i = 0; i < tb->count; i++) {
            const struct sj_model *m = tb->models[i];
            char summary[256];
            if ((int)m->function != f)
                continue;
            const char *row[] = {m->id, m->name, m->version,
                                 m->is_builtin ? "built-in" : "workspace",
                                 first_line(m->summary, summary, sizeof summary)};
            sj_cli_table_add_row(&t, row);
        }
        if (t.row_count > 1) {
            printf("%s%s\n", f > 0 ? "\n" : "", sj_model_function_label((enum sj_model_function)f));
            sj_cli_table_print(&t, stdout);
        }
        sj_cli_table_release(&t);
    }
    if (tb->problems.count > 0) {
        printf("\nModel files that could not be loaded (%zu problems):\n", tb->problems.count);
        print_diags(stdout, NULL, &tb->problems);
    }
}

static int cmd_list(int argc, char **argv)
{
    struct sj_cli_args args;
    struct sj_toolbox tb = {0};
    int status = sj_cli_parse_args(&sj_cmd_model, argc, argv, SJ_CLI_OPT_JSON, 0, &args);
    if (status == SJ_EXIT_OK)
        status = load_toolbox(args.workspace, &tb);
    if (status != SJ_EXIT_OK)
        goto out;
    if (args.is_json) {
        json_t *models = json_array();
        for (size_t i = 0; i < tb.count; i++)
            json_array_append_new(models, model_brief_json(tb.models[i]));
        status = sj_cli_print_json(json_pack(
            "{s:o, s:o, s:o, s:o}", "builtin_dir", sj_cli_json_string(sj_toolbox_builtin_dir()),
            "workspace", sj_cli_json_string(sj_store_default_dir(args.workspace)), "models", models,
            "problems", diags_json(&tb.problems)));
    } else {
        print_list(&tb);
    }
out:
    sj_toolbox_release(&tb);
    return status;
}

/* ---- show ------------------------------------------------------------------------------------ */

/* How a step reads in words ("steps in words" of `model show`). */
static void describe_keys(const struct sj_model_step *st, struct sj_buf *out)
{
    for (size_t k = 0; k < st->key_count; k++)
        sj_buf_appendf(out, "%s%s = %s", k ? "、" : "", st->keys[k].left, st->keys[k].right);
}

static void describe_list(char *const *items, size_t count, struct sj_buf *out)
{
    for (size_t i = 0; i < count; i++)
        sj_buf_appendf(out, "%s%s", i ? "、" : "", items[i]);
}

static const char *source_label(const struct sj_model *m, const char *name)
{
    for (size_t i = 0; name && i < m->input_count; i++) {
        if (strcmp(m->inputs[i].name, name) == 0 && m->inputs[i].label)
            return m->inputs[i].label;
    }
    return name ? name : "?";
}

static void describe_group(const struct sj_model *m, const struct sj_model_step *st,
                           struct sj_buf *out)
{
    sj_buf_appendf(out, "把“%s”按 ", source_label(m, st->from));
    describe_list(st->by, st->by_count, out);
    if (st->op == SJ_OP_COUNT && st->distinct)
        sj_buf_appendf(out, " 分组，数 %s 有几个不同的值（count distinct）", st->distinct);
    else if (st->op == SJ_OP_COUNT)
        sj_buf_appendf(out, " 分组计数（count）");
    else
        sj_buf_appendf(out, " 分组，对 %s 求和（sum）", st->of);
    if (st->having)
        sj_buf_appendf(out, "，保留满足 %s 的组", st->having);
}

static void describe_step(const struct sj_model *m, const struct sj_model_step *st,
                          struct sj_buf *out)
{
    const char *from = source_label(m, st->from), *other = source_label(m, st->other);
    switch (st->op) {
    case SJ_OP_FILTER:
        sj_buf_appendf(out, "筛选：“%s”中满足 %s 的行", from, st->where);
        break;
    case SJ_OP_MATCH:
        if (st->is_exists) {
            sj_buf_appendf(out, "有A有B：“%s”中在“%s”里找得到 ", from, other);
            describe_keys(st, out);
            sj_buf_appendf(out, " 相同记录的行（每行一次）");
            break;
        }
        sj_buf_appendf(out, "碰撞：“%s”与“%s”中 ", from, other);
        describe_keys(st, out);
        sj_buf_appendf(out, " 相同的行两两配对");
        break;
    case SJ_OP_ABSENT:
        sj_buf_appendf(out, "有A无B：“%s”中在“%s”里找不到 ", from, other);
        describe_keys(st, out);
        sj_buf_appendf(out, " 相同记录的行");
        break;
    case SJ_OP_COUNT:
    case SJ_OP_SUM:
        describe_group(m, st, out);
        break;
    case SJ_OP_WITHIN:
        sj_buf_appendf(out, "时间窗口：“%s”的 %s 之后 %s 天内，“%s”中%s出现 %s（按 ", from,
                       st->after, st->days, other, st->missing ? "没有" : "", st->then);
        describe_keys(st, out);
        sj_buf_appendf(out, " 对应）的行");
        break;
    case SJ_OP_UNION:
        sj_buf_appendf(out, "合并：");
        describe_list(st->union_of, st->union_count, out);
        sj_buf_appendf(out, " 的行");
        break;
    case SJ_OP_USE_MODEL:
        sj_buf_appendf(out, "子模型：模型 %s 的%s", st->model,
                       st->as_rows ? "最后一步的结果行" : "线索");
        break;
    case SJ_OP_SQL:
        sj_buf_appendf(out, "自定义 SQL 查询（技术人员编写）");
        break;
    }
}

static char *step_words(const struct sj_model *m, const struct sj_model_step *st)
{
    struct sj_buf buf;
    sj_buf_init(&buf, 0);
    describe_step(m, st, &buf);
    return sj_buf_detach(&buf, NULL);
}

static json_t *inputs_json(const struct sj_model *m)
{
    json_t *list = json_array();
    for (size_t i = 0; i < m->input_count; i++) {
        const struct sj_model_input *in = &m->inputs[i];
        json_t *cols = json_array();
        for (size_t c = 0; c < in->column_count; c++) {
            const struct sj_model_column *col = &in->columns[c];
            json_array_append_new(cols, json_pack("{s:o, s:s, s:s, s:o}", "name",
                                                  sj_cli_json_string(col->name), "kind",
                                                  sj_kind_name(col->kind), "kind_label",
                                                  sj_kind_label(col->kind), "headers",
                                                  strings_json(col->headers, col->header_count)));
        }
        json_array_append_new(
            list, json_pack("{s:o, s:o, s:o, s:o}", "name", sj_cli_json_string(in->name), "label",
                            sj_cli_json_string(in->label), "datasets",
                            strings_json(in->datasets, in->dataset_count), "columns", cols));
    }
    return list;
}

static json_t *params_json(const struct sj_model *m)
{
    json_t *list = json_array();
    for (size_t i = 0; i < m->param_count; i++) {
        const struct sj_model_param *p = &m->params[i];
        json_t *def = p->type == SJ_PARAM_LIST
                          ? (p->default_list ? strings_json(p->default_list, p->default_list_count)
                                             : json_null())
                          : sj_cli_json_string(p->default_text);
        json_array_append_new(list,
                              json_pack("{s:o, s:s, s:o, s:o}", "name", sj_cli_json_string(p->name),
                                        "type", sj_param_type_name(p->type), "label",
                                        sj_cli_json_string(p->label), "default", def));
    }
    return list;
}

/* Sets key to a string when value is not NULL. */
static void set_text(json_t *o, const char *key, const char *value)
{
    if (value)
        json_object_set_new(o, key, sj_cli_json_string(value));
}

static json_t *step_json(const struct sj_model *m, const struct sj_model_step *st)
{
    char *words = step_words(m, st);
    json_t *o = json_pack("{s:o, s:s, s:o}", "id", sj_cli_json_string(st->id), "op",
                          sj_model_step_op_name(st), "description", sj_cli_json_string(words));
    free(words);
    set_text(o, "from", st->from);
    set_text(o, st->op == SJ_OP_MATCH ? "with" : "in", st->other);
    if (st->key_count) {
        json_t *keys = json_array();
        for (size_t k = 0; k < st->key_count; k++)
            json_array_append_new(keys, json_pack("{s:o, s:o}", "left",
                                                  sj_cli_json_string(st->keys[k].left), "right",
                                                  sj_cli_json_string(st->keys[k].right)));
        json_object_set_new(o, "on", keys);
    }
    set_text(o, "where", st->where);
    if (st->by_count)
        json_object_set_new(o, "by", strings_json(st->by, st->by_count));
    set_text(o, "of", st->of);
    set_text(o, "having", st->having);
    set_text(o, "after", st->after);
    set_text(o, "then", st->then);
    set_text(o, "days", st->days);
    if (st->op == SJ_OP_WITHIN)
        json_object_set_new(o, "missing", json_boolean(st->missing));
    if (st->union_count)
        json_object_set_new(o, "of", strings_json(st->union_of, st->union_count));
    set_text(o, "model", st->model);
    if (st->op == SJ_OP_USE_MODEL)
        json_object_set_new(o, "as", json_string(st->as_rows ? "rows" : "leads"));
    set_text(o, "query", st->query);
    return o;
}

static json_t *model_json(const struct sj_model *m)
{
    json_t *o = model_brief_json(m);
    json_t *steps = json_array();
    for (size_t i = 0; i < m->step_count; i++)
        json_array_append_new(steps, step_json(m, &m->steps[i]));
    json_object_set_new(o, "inputs", inputs_json(m));
    json_object_set_new(o, "parameters", params_json(m));
    json_object_set_new(o, "steps", steps);
    json_object_set_new(o, "lead",
                        json_pack("{s:o, s:o, s:o, s:o}", "from", sj_cli_json_string(m->lead.from),
                                  "subject", sj_cli_json_string(m->lead.subject), "title",
                                  sj_cli_json_string(m->lead.title), "evidence",
                                  strings_json(m->lead.evidence, m->lead.evidence_count)));
    return o;
}

static void print_inputs(const struct sj_model *m)
{
    printf("\n输入数据\n");
    for (size_t i = 0; i < m->input_count; i++) {
        const struct sj_model_input *in = &m->inputs[i];
        printf("  %s%s%s%s  默认数据集：", in->name, in->label ? "（" : "",
               in->label ? in->label : "", in->label ? "）" : "");
        for (size_t d = 0; d < in->dataset_count; d++)
            printf("%s%s", d ? "、" : "", in->datasets[d]);
        printf("\n");
        struct sj_cli_table t;
        sj_cli_table_init(&t, 4);
        for (size_t c = 0; c < in->column_count; c++) {
            const struct sj_model_column *col = &in->columns[c];
            struct sj_buf headers;
            sj_buf_init(&headers, 0);
            for (size_t h = 0; h < col->header_count; h++)
                sj_buf_appendf(&headers, "%s%s", h ? "、" : "", col->headers[h]);
            const char *row[] = {"  ", col->name, sj_kind_label(col->kind),
                                 sj_buf_cstr(&headers) ? sj_buf_cstr(&headers) : ""};
            sj_cli_table_add_row(&t, row);
            sj_buf_release(&headers);
        }
        sj_cli_table_print(&t, stdout);
        sj_cli_table_release(&t);
    }
}

static void print_params(const struct sj_model *m)
{
    if (m->param_count == 0)
        return;
    printf("\n参数（运行时可用 --param 名称=值 修改）\n");
    struct sj_cli_table t;
    sj_cli_table_init(&t, 5);
    for (size_t i = 0; i < m->param_count; i++) {
        const struct sj_model_param *p = &m->params[i];
        struct sj_buf def;
        sj_buf_init(&def, 0);
        sj_buf_append_cstr(&def, "默认：");
        if (p->type == SJ_PARAM_LIST)
            describe_list(p->default_list, p->default_list_count, &def);
        else
            sj_buf_append_cstr(&def, p->default_text ? p->default_text : "（无，运行时必须给出）");
        const char *row[] = {" ", p->name, sj_param_type_name(p->type), sj_buf_cstr(&def),
                             p->label ? p->label : ""};
        sj_cli_table_add_row(&t, row);
        sj_buf_release(&def);
    }
    sj_cli_table_print(&t, stdout);
    sj_cli_table_release(&t);
}

static void print_model(const struct sj_model *m)
{
    printf("%s  %s\n", m->id, m->name);
    printf("%s · 版本 %s", sj_model_function_label(m->function), m->version);
    if (m->author || m->office)
        printf(" · %s%s%s", m->author ? m->author : "", m->author && m->office ? "，" : "",
               m->office ? m->office : "");
    int summary_len = (int)strlen(m->summary);
    while (summary_len > 0 && strchr(" \n\r\t", m->summary[summary_len - 1]))
        summary_len--;
    printf("\n文件：%s%s\nSHA-256：%s\n\n%.*s\n", m->path ? m->path : "?",
           m->is_builtin ? "（内置）" : "", m->sha256, summary_len, m->summary);
    print_inputs(m);
    print_params(m);
    printf("\n步骤\n");
    for (size_t i = 0; i < m->step_count; i++) {
        char *words = step_words(m, &m->steps[i]);
        printf("  %zu. %s：%s\n", i + 1, m->steps[i].id, words ? words : "");
        free(words);
    }
    printf("\n线索\n  来自步骤 %s，每个 %s 一条线索\n  标题：%s\n  证据列：", m->lead.from,
           m->lead.subject, m->lead.title);
    for (size_t i = 0; i < m->lead.evidence_count; i++)
        printf("%s%s", i ? "、" : "", m->lead.evidence[i]);
    printf("\n");
}

static bool looks_like_file(const char *arg)
{
    size_t n = strlen(arg);
    return strchr(arg, '/') || (n > 5 && strcmp(arg + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(arg + n - 4, ".yml") == 0);
}

/* Checks one file: prints its problems (or "OK") and returns 0, 1 (problems) or 3. */
static int check_one(const char *path, json_t *json_files)
{
    struct sj_model *m = NULL;
    struct sj_model_diags diags;
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_model_load_file(path, &m, &diags, &err);
    int status = rc == 0 ? SJ_EXIT_OK : diags.count ? SJ_EXIT_NEGATIVE : SJ_EXIT_FAILURE;
    if (json_files) {
        json_t *o =
            json_pack("{s:o, s:b, s:o, s:o}", "file", sj_cli_json_string(path), "ok", rc == 0, "id",
                      sj_cli_json_string(m ? m->id : NULL), "problems", diags_json(&diags));
        if (status == SJ_EXIT_FAILURE)
            json_object_set_new(o, "error", sj_cli_json_string(err.message));
        json_array_append_new(json_files, o);
    } else if (rc == 0) {
        printf("%s: OK (%s %s, %zu steps)\n", path, m->id, m->version, m->step_count);
    } else if (status == SJ_EXIT_FAILURE) {
        sj_cli_fail(&sj_cmd_model, &err);
    } else {
        print_diags(stdout, path, &diags);
        printf("%s: %zu problem%s\n", path, diags.count, diags.count == 1 ? "" : "s");
    }
    sj_model_free(m);
    sj_model_diags_release(&diags);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    bool is_json = false, only_files = false;
    int files = 0, status = SJ_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (!only_files && strcmp(argv[i], "--") == 0)
            only_files = true;
        else if (!only_files && strcmp(argv[i], "--json") == 0)
            is_json = true;
        else if (!only_files && argv[i][0] == '-' && argv[i][1])
            return sj_cli_usage_error(&sj_cmd_model, "unknown option '%s'", argv[i]);
        else
            files++;
    }
    if (files == 0)
        return sj_cli_usage_error(&sj_cmd_model, "check needs a model file");
    json_t *list = is_json ? json_array() : NULL;
    only_files = false;
    for (int i = 1; i < argc; i++) {
        if (!only_files && strcmp(argv[i], "--") == 0) {
            only_files = true;
            continue;
        }
        if (!only_files && argv[i][0] == '-' && argv[i][1])
            continue;
        int rc = check_one(argv[i], list);
        if (rc > status)
            status = rc;
    }
    if (list && sj_cli_print_json(json_pack("{s:o}", "files", list)) != SJ_EXIT_OK)
        status = SJ_EXIT_FAILURE;
    return status;
}

static int cmd_show(int argc, char **argv)
{
    struct sj_cli_args args;
    struct sj_toolbox tb = {0};
    struct sj_model *file_model = NULL;
    const struct sj_model *m = NULL;
    int status = sj_cli_parse_args(&sj_cmd_model, argc, argv, SJ_CLI_OPT_JSON, 1, &args);
    if (status != SJ_EXIT_OK)
        return status;
    const char *name = args.positional[0];
    if (looks_like_file(name) && access(name, F_OK) == 0) {
        struct sj_model_diags diags;
        struct sj_err err;
        sj_err_clear(&err);
        if (sj_model_load_file(name, &file_model, &diags, &err) < 0) {
            if (diags.count == 0)
                status = sj_cli_fail(&sj_cmd_model, &err);
            else
                print_diags(stderr, name, &diags), status = SJ_EXIT_NEGATIVE;
            sj_model_diags_release(&diags);
            goto out;
        }
        m = file_model;
    } else if ((status = load_toolbox(args.workspace, &tb)) != SJ_EXIT_OK) {
        goto out;
    } else if (!(m = sj_toolbox_find(&tb, name))) {
        fprintf(stderr, "shujian model: no model '%s' in the toolbox (see `shujian model list`)\n",
                name);
        status = SJ_EXIT_NEGATIVE;
        goto out;
    }
    if (args.is_json)
        status = sj_cli_print_json(model_json(m));
    else
        print_model(m);
out:
    sj_model_free(file_model);
    sj_toolbox_release(&tb);
    return status;
}

/* ---- add ------------------------------------------------------------------------------------- */

static int cmd_add(int argc, char **argv)
{
    struct sj_cli_args args;
    struct sj_toolbox tb = {0};
    struct sj_model *m = NULL;
    struct sj_model_diags diags = {0};
    struct sj_err err;
    char target[4096];
    sj_err_clear(&err);
    int status = sj_cli_parse_args(&sj_cmd_model, argc, argv, 0, 1, &args);
    if (status != SJ_EXIT_OK)
        return status;
    const char *path = args.positional[0], *dir = sj_store_default_dir(args.workspace);
    /* Parsed here first for its id, so that the answer can say what was replaced. */
    if (sj_model_load_file(path, &m, &diags, &err) == 0) {
        snprintf(target, sizeof target, "%s/models/%s.yaml", dir, m->id);
        bool existed = access(target, F_OK) == 0;
        status = load_toolbox(args.workspace, &tb);
        const struct sj_model *old = sj_toolbox_find(&tb, m->id);
        bool shadows = old && old->is_builtin;
        sj_model_diags_release(&diags);
        if (status == SJ_EXIT_OK && sj_toolbox_add(dir, path, &diags, &err) == 0) {
            printf("%s model %s (%s, version %s) in %s%s\n", existed ? "Replaced" : "Added", m->id,
                   m->name, m->version, target,
                   shadows ? "; it replaces the built-in model of the same id here" : "");
            goto out;
        }
    }
    if (diags.count > 0) {
        print_diags(stdout, path, &diags);
        printf("%s: %zu problem%s; not added\n", path, diags.count, diags.count == 1 ? "" : "s");
        status = SJ_EXIT_NEGATIVE;
    } else if (status == SJ_EXIT_OK) {
        status = sj_cli_fail(&sj_cmd_model, &err);
    }
out:
    sj_model_free(m);
    sj_model_diags_release(&diags);
    sj_toolbox_release(&tb);
    return status;
}

/* ---- Dispatch -------------------------------------------------------------------------------- */

static int run(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } subs[] = {
        {"list", cmd_list},
        {"show", cmd_show},
        {"check", cmd_check},
        {"add", cmd_add},
        {"explain", sj_cli_model_explain}, /* cmd_model_explain.c */
        {"run", sj_cli_model_run},         /* cmd_model_run.c */
    };
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? SJ_EXIT_USAGE : SJ_EXIT_OK;
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(subs); i++) {
        if (strcmp(argv[1], subs[i].name) != 0)
            continue;
        if (strcmp(argv[1], "explain") != 0 && strcmp(argv[1], "run") != 0 &&
            sj_cli_wants_help(&sj_cmd_model, argc - 1, argv + 1))
            return SJ_EXIT_OK;
        return subs[i].run(argc - 1, argv + 1);
    }
    return sj_cli_usage_error(&sj_cmd_model, "'%s' is not a model command", argv[1]);
}

const struct cmd sj_cmd_model = {
    .name = "model",
    .summary = "list, show, check and add supervision models",
    .usage = usage,
    .run = run,
};
