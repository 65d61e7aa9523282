/*
 * cmd_lead.c - `shujian lead ID`: one lead with its evidence rows (each with the dataset,
 * source file, sheet and row it came from) and its history; and `shujian lead set ID`:
 * changes its status (待核查 → 核查中 → 成案 | 不成案) with a required note, recorded in the
 * history. ID numbers, bank cards and mobiles are masked unless --reveal.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/lead_view.h"
#include "shujian/leads.h"
#include "shujian/model.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian lead ID [--json] [--reveal] [--workspace DIR]\n"
    "       shujian lead set ID --status STATUS [--outcome OUTCOME] --note TEXT\n"
    "                           [--actor NAME] [--workspace DIR]\n\n"
    "Shows lead ID: its title, subject, status and outcome, every evidence row with the\n"
    "dataset, file, sheet and row it came from, and its history. ID numbers, bank cards\n"
    "and mobile numbers are masked unless --reveal.\n\n"
    "`lead set` changes the status. STATUS: pending 待核查, verifying 核查中, case 成案,\n"
    "no-case 不成案. A case needs an OUTCOME: filing 立案监督, correction 纠正违法通知书,\n"
    "recommendation 检察建议, other 其他. Allowed: 待核查 → 核查中 | 成案 | 不成案;\n"
    "核查中 → 成案 | 不成案; 成案 | 不成案 → 核查中 (reopening). Every change needs --note.\n\n"
    "  --json           print JSON instead of text\n"
    "  --reveal         show ID numbers and phone numbers in full\n"
    "  --actor NAME     who makes the change (default: $USER)\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n";

/* ---- Showing a lead ------------------------------------------------------------------------- */

static json_t *evidence_json(const struct sj_lead_evidence *e, bool reveal)
{
    json_t *o = json_object();
    json_object_set_new(o, "dataset", sj_cli_json_string(e->dataset));
    json_object_set_new(o, "dataset_id", json_integer(e->dataset_id));
    json_object_set_new(o, "row", json_integer(e->row_id));
    json_object_set_new(o, "has_source", json_boolean(e->has_source));
    json_object_set_new(o, "file", e->has_source ? sj_cli_json_string(e->file_name) : json_null());
    json_object_set_new(o, "sheet", e->has_source ? sj_cli_json_string(e->sheet) : json_null());
    json_object_set_new(o, "source_row", e->has_source ? json_integer(e->source_row) : json_null());
    json_object_set_new(o, "import_run", e->has_source ? json_integer(e->import_run) : json_null());
    json_object_set_new(o, "run", json_integer(e->run_id));
    json_object_set_new(o, "values", sj_cli_evidence_json(e->values_json, reveal));
    return o;
}

static json_t *event_json(const struct sj_lead_event *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "at", sj_cli_json_string(h->at));
    json_object_set_new(o, "actor", sj_cli_json_string(h->actor));
    json_object_set_new(o, "action", sj_cli_json_string(h->action));
    json_object_set_new(
        o, "from", h->has_status ? json_string(sj_lead_status_name(h->from_status)) : json_null());
    json_object_set_new(
        o, "to", h->has_status ? json_string(sj_lead_status_name(h->to_status)) : json_null());
    json_object_set_new(o, "outcome",
                        h->outcome ? json_string(sj_lead_outcome_name(h->outcome)) : json_null());
    json_object_set_new(o, "note", sj_cli_json_string(h->note));
    json_object_set_new(o, "run", h->run_id ? json_integer(h->run_id) : json_null());
    return o;
}

static int print_json(const struct sj_lead_detail *d, bool reveal)
{
    const struct sj_lead *l = &d->lead;
    char *subject = sj_cli_shown(l->subject, reveal), *title = sj_cli_shown(l->title, reveal);
    json_t *root = json_object();
    json_object_set_new(root, "id", json_string(l->id));
    json_object_set_new(root, "model", sj_cli_json_string(l->model_id));
    json_object_set_new(root, "function", sj_cli_json_string(l->function));
    json_object_set_new(root, "subject", sj_cli_json_string(subject));
    json_object_set_new(root, "title", sj_cli_json_string(title));
    json_object_set_new(root, "status", json_string(sj_lead_status_name(l->status)));
    json_object_set_new(root, "status_label", json_string(sj_lead_status_label(l->status)));
    json_object_set_new(root, "outcome",
                        l->outcome ? json_string(sj_lead_outcome_name(l->outcome)) : json_null());
    json_object_set_new(root, "first_run", json_integer(l->first_run));
    json_object_set_new(root, "last_run", json_integer(l->last_run));
    json_object_set_new(root, "seen_count", json_integer(l->seen_count));
    json_object_set_new(root, "created_at", sj_cli_json_string(l->created_at));
    json_object_set_new(root, "updated_at", sj_cli_json_string(l->updated_at));
    json_t *evidence = json_array(), *history = json_array();
    for (size_t i = 0; i < d->evidence_count; i++)
        json_array_append_new(evidence, evidence_json(&d->evidence[i], reveal));
    for (size_t i = 0; i < d->history_count; i++)
        json_array_append_new(history, event_json(&d->history[i]));
    json_object_set_new(root, "evidence", evidence);
    json_object_set_new(root, "history", history);
    free(subject);
    free(title);
    return sj_cli_print_json(root);
}

static void print_evidence(const struct sj_lead_detail *d, bool reveal)
{
    static const char *const header[] = {"数据集", "来源文件", "行", "证据内容"};
    struct sj_cli_table t;
    sj_cli_table_init(&t, 4);
    sj_cli_table_align_right(&t, 2);
    sj_cli_table_add_row(&t, header);
    for (size_t i = 0; i < d->evidence_count; i++) {
        const struct sj_lead_evidence *e = &d->evidence[i];
        char source[512], row[24], dataset[64];
        char *values = sj_cli_evidence_text(e->values_json, reveal);
        snprintf(dataset, sizeof dataset, "（已删除的数据集 %" PRId64 "）", e->dataset_id);
        if (!e->has_source)
            snprintf(source, sizeof source, "（来源已不存在）");
        else if (e->sheet[0])
            snprintf(source, sizeof source, "%s[%s]", e->file_name, e->sheet);
        else
            snprintf(source, sizeof source, "%s", e->file_name);
        snprintf(row, sizeof row, "%" PRId64, e->has_source ? e->source_row : e->row_id);
        const char *cells[] = {e->dataset ? e->dataset : dataset, source, row, values};
        sj_cli_table_add_row(&t, cells);
        free(values);
    }
    printf("\n证据（%zu 条）：\n", d->evidence_count);
    sj_cli_table_print(&t, stdout);
    sj_cli_table_release(&t);
}

static void event_change(const struct sj_lead_event *h, char *out, size_t size)
{
    if (strcmp(h->action, "found") == 0)
        snprintf(out, size, "模型运行 #%" PRId64 " 发现", h->run_id);
    else if (strcmp(h->action, "seen-again") == 0)
        snprintf(out, size, "模型运行 #%" PRId64 " 再次发现", h->run_id);
    else if (h->outcome != SJ_OUTCOME_NONE)
        snprintf(out, size, "%s → %s（%s）", sj_lead_status_label(h->from_status),
                 sj_lead_status_label(h->to_status), sj_lead_outcome_label(h->outcome));
    else
        snprintf(out, size, "%s → %s", sj_lead_status_label(h->from_status),
                 sj_lead_status_label(h->to_status));
}

static void print_history(const struct sj_lead_detail *d)
{
    static const char *const header[] = {"时间", "操作人", "变化", "说明"};
    struct sj_cli_table t;
    sj_cli_table_init(&t, 4);
    sj_cli_table_add_row(&t, header);
    for (size_t i = 0; i < d->history_count; i++) {
        const struct sj_lead_event *h = &d->history[i];
        char change[256];
        event_change(h, change, sizeof change);
        const char *cells[] = {h->at, h->actor, change, h->note};
        sj_cli_table_add_row(&t, cells);
    }
    printf("\n处理记录：\n");
    sj_cli_table_print(&t, stdout);
    sj_cli_table_release(&t);
}

static void print_text(const struct sj_lead_detail *d, bool reveal)
{
    const struct sj_lead *l = &d->lead;
    char *subject = sj_cli_shown(l->subject, reveal), *title = sj_cli_shown(l->title, reveal);
    enum sj_model_function function = SJ_FUNCTION_CRIMINAL;
    bool has_function = sj_model_function_parse(l->function, &function) == 0;
    printf("线索 %s  [%s", l->id, sj_lead_status_label(l->status));
    if (l->outcome != SJ_OUTCOME_NONE)
        printf("：%s", sj_lead_outcome_label(l->outcome));
    printf("]\n%s\n\n", title);
    printf("对象：%s\n", subject);
    printf("模型：%s（%s）\n", l->model_id,
           has_function ? sj_model_function_label(function) : l->function);
    printf("发现：%" PRId64 " 次（首次运行 #%" PRId64 "，最近运行 #%" PRId64 "）\n", l->seen_count,
           l->first_run, l->last_run);
    printf("创建：%s  更新：%s\n", l->created_at, l->updated_at);
    print_evidence(d, reveal);
    print_history(d);
    free(subject);
    free(title);
}

static int show(int argc, char **argv)
{
    struct sj_cli_args args;
    struct sj_store *store = NULL;
    struct sj_lead_detail detail = {0};
    struct sj_err err;
    sj_err_clear(&err);
    int reveal = sj_cli_take_option(&argc, argv, "--reveal", NULL);
    if (reveal < 0)
        return sj_cli_usage_error(&sj_cmd_lead, "--reveal takes no value");
    int status = sj_cli_parse_args(&sj_cmd_lead, argc, argv, SJ_CLI_OPT_JSON, 1, &args);
    if (status == SJ_EXIT_OK)
        status = sj_cli_open_store(&sj_cmd_lead, args.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        goto out;
    if (sj_lead_get(store, args.positional[0], &detail, &err) < 0) {
        status = sj_cli_fail(&sj_cmd_lead, &err);
        goto out;
    }
    if (args.is_json)
        status = print_json(&detail, reveal == 1);
    else
        print_text(&detail, reveal == 1);
out:
    sj_lead_detail_release(&detail);
    sj_store_close(store);
    return status;
}

/* ---- Changing the status -------------------------------------------------------------------- */

struct set_options {
    const char *status, *outcome, *note, *actor;
};

static int take_set_options(int *argc, char **argv, struct set_options *o)
{
    static const char *const names[] = {"--status", "--outcome", "--note", "--actor"};
    const char **values[] = {&o->status, &o->outcome, &o->note, &o->actor};
    for (size_t i = 0; i < SJ_ARRAY_LEN(names); i++) {
        if (sj_cli_take_option(argc, argv, names[i], values[i]) < 0)
            return sj_cli_usage_error(&sj_cmd_lead, "%s needs a value", names[i]);
    }
    if (!o->status)
        return sj_cli_usage_error(&sj_cmd_lead, "lead set needs --status");
    if (!o->note || !o->note[0])
        return sj_cli_usage_error(&sj_cmd_lead, "lead set needs --note: say why (说明理由)");
    return SJ_EXIT_OK;
}

static int parse_change(const struct set_options *o, struct sj_lead_change *c)
{
    memset(c, 0, sizeof *c);
    if (sj_lead_status_parse(o->status, &c->status) < 0)
        return sj_cli_usage_error(&sj_cmd_lead,
                                  "unknown status '%s' (pending 待核查, verifying 核查中, "
                                  "case 成案, no-case 不成案)",
                                  o->status);
    if (o->outcome && sj_lead_outcome_parse(o->outcome, &c->outcome) < 0)
        return sj_cli_usage_error(&sj_cmd_lead,
                                  "unknown outcome '%s' (filing 立案监督, correction "
                                  "纠正违法通知书, recommendation 检察建议, other 其他)",
                                  o->outcome);
    const char *user = getenv("USER");
    c->note = o->note;
    c->actor = o->actor ? o->actor : user ? user : "";
    return SJ_EXIT_OK;
}

static int set(int argc, char **argv)
{
    struct set_options o = {0};
    struct sj_lead_change change;
    struct sj_cli_args args;
    struct sj_store *store = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    int status = take_set_options(&argc, argv, &o);
    if (status == SJ_EXIT_OK)
        status = sj_cli_parse_args(&sj_cmd_lead, argc, argv, 0, 2, &args);
    if (status == SJ_EXIT_OK)
        status = parse_change(&o, &change);
    if (status == SJ_EXIT_OK)
        status = sj_cli_open_store(&sj_cmd_lead, args.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        goto out;
    const char *id = args.positional[1];
    if (sj_lead_set_status(store, id, &change, &err) < 0) {
        status = sj_cli_fail(&sj_cmd_lead, &err);
        /* A change the rules refuse is a negative answer, not a failure of the program. */
        if (err.code == SJ_EINVAL)
            status = SJ_EXIT_NEGATIVE;
        goto out;
    }
    printf("线索 %s 已改为“%s”", id, sj_lead_status_label(change.status));
    if (change.outcome != SJ_OUTCOME_NONE)
        printf("（%s）", sj_lead_outcome_label(change.outcome));
    printf("。\n");
out:
    sj_store_close(store);
    return status;
}

static int run(int argc, char **argv)
{
    if (sj_cli_wants_help(&sj_cmd_lead, argc, argv))
        return SJ_EXIT_OK;
    if (argc >= 2 && strcmp(argv[1], "set") == 0)
        return set(argc, argv);
    return show(argc, argv);
}

const struct cmd sj_cmd_lead = {
    .name = "lead",
    .summary = "show one lead with its evidence and history, or change its status",
    .usage = usage,
    .run = run,
};
