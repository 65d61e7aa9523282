/*
 * cmd_leads.c - `shujian leads`: the leads found by the models, filtered by model, status
 * and procuratorial function, a page at a time; and `shujian leads export FILE.xlsx`: the
 * same leads with their evidence and history as a workbook with Chinese headers
 * (libxlsxwriter). ID numbers, bank cards and mobiles are masked unless --reveal, in the
 * terminal and in the workbook alike.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "cli/cli.h"
#include "cli/lead_view.h"
#include "shujian/leads.h"
#include "shujian/model.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian leads [--model ID] [--status S] [--function F] [--limit N] [--offset N]\n"
    "                     [--json] [--reveal] [--workspace DIR]\n"
    "       shujian leads export FILE.xlsx [--model ID] [--status S] [--function F]\n"
    "                     [--reveal] [--workspace DIR]\n\n"
    "Lists the leads (线索) the models found, by model and in the order they were found.\n"
    "`leads export` writes every matching lead, its evidence (with the file and row each\n"
    "row came from) and its history to FILE.xlsx. ID numbers, bank cards and mobile\n"
    "numbers are masked unless --reveal.\n\n"
    "  --model ID       only this model's leads\n"
    "  --status S       pending 待核查, verifying 核查中, case 成案 or no-case 不成案\n"
    "  --function F     criminal 刑事, civil 民事, administrative 行政, public-interest 公益诉讼\n"
    "  --limit N        leads to list (default 20; 0 lists all)\n"
    "  --offset N       leads to skip first (default 0)\n"
    "  --json           print JSON instead of a table\n"
    "  --reveal         show ID numbers and phone numbers in full\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n";

struct options {
    struct sj_lead_filter filter;
    bool is_reveal;
    struct sj_cli_args args;
};

static int parse_filter(int *argc, char **argv, struct options *o)
{
    const char *status = NULL, *function = NULL;
    memset(o, 0, sizeof *o);
    if (sj_cli_take_option(argc, argv, "--model", &o->filter.model_id) < 0 ||
        sj_cli_take_option(argc, argv, "--status", &status) < 0 ||
        sj_cli_take_option(argc, argv, "--function", &function) < 0)
        return sj_cli_usage_error(&sj_cmd_leads, "--model, --status and --function need a value");
    int reveal = sj_cli_take_option(argc, argv, "--reveal", NULL);
    if (reveal < 0)
        return sj_cli_usage_error(&sj_cmd_leads, "--reveal takes no value");
    o->is_reveal = reveal == 1;
    if (status) {
        o->filter.has_status = true;
        if (sj_lead_status_parse(status, &o->filter.status) < 0)
            return sj_cli_usage_error(&sj_cmd_leads, "unknown status '%s'", status);
    }
    if (function) {
        enum sj_model_function f;
        if (sj_model_function_parse(function, &f) < 0)
            return sj_cli_usage_error(&sj_cmd_leads, "unknown function '%s'", function);
        o->filter.function = sj_model_function_name(f);
    }
    return SJ_EXIT_OK;
}

/* ---- Listing -------------------------------------------------------------------------------- */

static json_t *lead_json(const struct sj_lead *l, bool reveal)
{
    char *subject = sj_cli_shown(l->subject, reveal), *title = sj_cli_shown(l->title, reveal);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(l->id));
    json_object_set_new(o, "model", sj_cli_json_string(l->model_id));
    json_object_set_new(o, "function", sj_cli_json_string(l->function));
    json_object_set_new(o, "subject", sj_cli_json_string(subject));
    json_object_set_new(o, "title", sj_cli_json_string(title));
    json_object_set_new(o, "status", json_string(sj_lead_status_name(l->status)));
    json_object_set_new(o, "outcome",
                        l->outcome ? json_string(sj_lead_outcome_name(l->outcome)) : json_null());
    json_object_set_new(o, "seen_count", json_integer(l->seen_count));
    json_object_set_new(o, "evidence_count", json_integer(l->evidence_count));
    json_object_set_new(o, "first_run", json_integer(l->first_run));
    json_object_set_new(o, "last_run", json_integer(l->last_run));
    json_object_set_new(o, "created_at", sj_cli_json_string(l->created_at));
    json_object_set_new(o, "updated_at", sj_cli_json_string(l->updated_at));
    free(subject);
    free(title);
    return o;
}

static int print_json(const struct sj_lead_list *list, const struct options *o)
{
    json_t *leads = json_array();
    for (size_t i = 0; i < list->count; i++)
        json_array_append_new(leads, lead_json(&list->items[i], o->is_reveal));
    json_t *root = json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)list->total, "offset",
                             (json_int_t)o->filter.offset, "limit", (json_int_t)o->filter.limit,
                             "leads", leads);
    return sj_cli_print_json(root);
}

static void status_text(const struct sj_lead *l, char *out, size_t size)
{
    if (l->outcome != SJ_OUTCOME_NONE)
        snprintf(out, size, "%s：%s", sj_lead_status_label(l->status),
                 sj_lead_outcome_label(l->outcome));
    else
        snprintf(out, size, "%s", sj_lead_status_label(l->status));
}

static void print_table(const struct sj_lead_list *list, const struct options *o)
{
    static const char *const header[] = {"编号", "状态", "模型", "对象", "标题", "证据", "次数"};
    struct sj_cli_table t;
    if (list->total == 0) {
        printf("没有符合条件的线索。\n");
        return;
    }
    sj_cli_table_init(&t, 7);
    sj_cli_table_align_right(&t, 5);
    sj_cli_table_align_right(&t, 6);
    sj_cli_table_add_row(&t, header);
    for (size_t i = 0; i < list->count; i++) {
        const struct sj_lead *l = &list->items[i];
        char status[96], evidence[24], seen[24];
        char *subject = sj_cli_shown(l->subject, o->is_reveal);
        char *title = sj_cli_shown(l->title, o->is_reveal);
        status_text(l, status, sizeof status);
        snprintf(evidence, sizeof evidence, "%" PRId64, l->evidence_count);
        snprintf(seen, sizeof seen, "%" PRId64, l->seen_count);
        const char *cells[] = {l->id, status, l->model_id, subject, title, evidence, seen};
        sj_cli_table_add_row(&t, cells);
        free(subject);
        free(title);
    }
    printf("线索 %" PRId64 "-%" PRId64 "，共 %" PRId64 " 条\n\n",
           list->count ? o->filter.offset + 1 : o->filter.offset,
           o->filter.offset + (int64_t)list->count, list->total);
    sj_cli_table_print(&t, stdout);
    sj_cli_table_release(&t);
}

static int list_leads(struct options *o)
{
    struct sj_store *store = NULL;
    struct sj_lead_list list = {0};
    struct sj_err err;
    sj_err_clear(&err);
    o->filter.limit = o->args.limit;
    o->filter.offset = o->args.offset;
    int status = sj_cli_open_store(&sj_cmd_leads, o->args.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        return status;
    if (sj_lead_list(store, &o->filter, &list, &err) < 0)
        status = sj_cli_fail(&sj_cmd_leads, &err);
    else if (o->args.is_json)
        status = print_json(&list, o);
    else
        print_table(&list, o);
    sj_lead_list_release(&list);
    sj_store_close(store);
    return status;
}

/* ---- Exporting ------------------------------------------------------------------------------ */

struct book {
    lxw_workbook *wb;
    lxw_worksheet *leads, *evidence, *history;
    lxw_format *bold;
    lxw_row_t lead_row, evidence_row, history_row;
    bool is_reveal;
};

static void write_header(struct book *b, lxw_worksheet *ws, const char *const *names, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, names[c], b->bold);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, c + 1 == n ? 60 : 18, NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
}

static void open_book(struct book *b, const char *path)
{
    static const char *const lead_cols[] = {
        "线索编号", "模型",     "检察职能", "监督对象", "线索标题", "状态",    "处理结果",
        "发现次数", "证据条数", "首次运行", "最近运行", "发现时间", "更新时间"};
    static const char *const evidence_cols[] = {"线索编号", "数据集",     "来源文件",
                                                "工作表",   "源文件行号", "证据内容"};
    static const char *const history_cols[] = {"线索编号", "时间",   "操作人",   "动作",
                                               "原状态",   "新状态", "处理结果", "说明"};
    b->wb = workbook_new(path);
    if (!b->wb)
        return;
    b->bold = workbook_add_format(b->wb);
    format_set_bold(b->bold);
    b->leads = workbook_add_worksheet(b->wb, "线索");
    b->evidence = workbook_add_worksheet(b->wb, "证据");
    b->history = workbook_add_worksheet(b->wb, "处理记录");
    write_header(b, b->leads, lead_cols, SJ_ARRAY_LEN(lead_cols));
    write_header(b, b->evidence, evidence_cols, SJ_ARRAY_LEN(evidence_cols));
    write_header(b, b->history, history_cols, SJ_ARRAY_LEN(history_cols));
    b->lead_row = b->evidence_row = b->history_row = 1;
}

/* Writes text (masked unless revealing) at (row, col); NULL writes nothing. */
static void put_text(struct book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                     const char *text, bool may_mask)
{
    if (!text || !*text)
        return;
    char *shown = may_mask ? sj_cli_shown(text, b->is_reveal) : sj_xstrdup(text);
    worksheet_write_string(ws, row, col, shown, NULL);
    free(shown);
}

static void write_lead(struct book *b, const struct sj_lead *l)
{
    lxw_row_t r = b->lead_row++;
    enum sj_model_function f;
    const char *function =
        sj_model_function_parse(l->function, &f) == 0 ? sj_model_function_label(f) : l->function;
    put_text(b, b->leads, r, 0, l->id, false);
    put_text(b, b->leads, r, 1, l->model_id, false);
    put_text(b, b->leads, r, 2, function, false);
    put_text(b, b->leads, r, 3, l->subject, true);
    put_text(b, b->leads, r, 4, l->title, true);
    put_text(b, b->leads, r, 5, sj_lead_status_label(l->status), false);
    if (l->outcome != SJ_OUTCOME_NONE)
        put_text(b, b->leads, r, 6, sj_lead_outcome_label(l->outcome), false);
    worksheet_write_number(b->leads, r, 7, (double)l->seen_count, NULL);
    worksheet_write_number(b->leads, r, 8, (double)l->evidence_count, NULL);
    worksheet_write_number(b->leads, r, 9, (double)l->first_run, NULL);
    worksheet_write_number(b->leads, r, 10, (double)l->last_run, NULL);
    put_text(b, b->leads, r, 11, l->created_at, false);
    put_text(b, b->leads, r, 12, l->updated_at, false);
}

static void write_evidence(struct book *b, const struct sj_lead_detail *d)
{
    for (size_t i = 0; i < d->evidence_count; i++) {
        const struct sj_lead_evidence *e = &d->evidence[i];
        lxw_row_t r = b->evidence_row++;
        char *values = sj_cli_evidence_text(e->values_json, b->is_reveal);
        put_text(b, b->evidence, r, 0, d->lead.id, false);
        put_text(b, b->evidence, r, 1, e->dataset ? e->dataset : "（已删除）", false);
        if (e->has_source) {
            put_text(b, b->evidence, r, 2, e->file_name, false);
            put_text(b, b->evidence, r, 3, e->sheet, false);
            worksheet_write_number(b->evidence, r, 4, (double)e->source_row, NULL);
        }
        put_text(b, b->evidence, r, 5, values, false); /* already masked */
        free(values);
    }
}

static void write_history(struct book *b, const struct sj_lead_detail *d)
{
    static const struct {
        const char *action, *label;
    } actions[] = {{"found", "发现"}, {"seen-again", "再次发现"}, {"status", "改变状态"}};
    for (size_t i = 0; i < d->history_count; i++) {
        const struct sj_lead_event *h = &d->history[i];
        lxw_row_t r = b->history_row++;
        const char *action = h->action;
        for (size_t k = 0; k < SJ_ARRAY_LEN(actions); k++)
            action = strcmp(h->action, actions[k].action) == 0 ? actions[k].label : action;
        put_text(b, b->history, r, 0, d->lead.id, false);
        put_text(b, b->history, r, 1, h->at, false);
        put_text(b, b->history, r, 2, h->actor, false);
        put_text(b, b->history, r, 3, action, false);
        if (h->has_status) {
            put_text(b, b->history, r, 4, sj_lead_status_label(h->from_status), false);
            put_text(b, b->history, r, 5, sj_lead_status_label(h->to_status), false);
        }
        if (h->outcome != SJ_OUTCOME_NONE)
            put_text(b, b->history, r, 6, sj_lead_outcome_label(h->outcome), false);
        put_text(b, b->history, r, 7, h->note, true);
    }
}

static int write_all(struct sj_store *store, struct book *b, const struct sj_lead_list *list,
                     struct sj_err *err)
{
    for (size_t i = 0; i < list->count; i++) {
        struct sj_lead_detail d;
        int rc = sj_lead_get(store, list->items[i].id, &d, err);
        if (rc < 0)
            return rc;
        write_lead(b, &d.lead);
        write_evidence(b, &d);
        write_history(b, &d);
        sj_lead_detail_release(&d);
    }
    return 0;
}

static int export_leads(struct options *o, const char *path)
{
    struct sj_store *store = NULL;
    struct sj_lead_list list = {0};
    struct book b = {0};
    struct sj_err err;
    sj_err_clear(&err);
    int status = sj_cli_open_store(&sj_cmd_leads, o->args.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        return status;
    if (sj_lead_list(store, &o->filter, &list, &err) < 0) {
        status = sj_cli_fail(&sj_cmd_leads, &err);
        goto out;
    }
    b.is_reveal = o->is_reveal;
    open_book(&b, path);
    if (!b.wb) {
        sj_err_set(&err, SJ_EIO, "无法创建文件 %s", path);
        status = sj_cli_fail(&sj_cmd_leads, &err);
        goto out;
    }
    if (write_all(store, &b, &list, &err) < 0)
        status = sj_cli_fail(&sj_cmd_leads, &err);
    lxw_error closed = workbook_close(b.wb);
    if (status == SJ_EXIT_OK && closed != LXW_NO_ERROR) {
        sj_err_set(&err, SJ_EIO, "无法写入文件 %s：%s", path, lxw_strerror(closed));
        status = sj_cli_fail(&sj_cmd_leads, &err);
    }
    if (status == SJ_EXIT_OK)
        printf("已导出 %zu 条线索到 %s%s。\n", list.count, path,
               o->is_reveal ? "（未遮蔽身份证号和电话）" : "");
out:
    sj_lead_list_release(&list);
    sj_store_close(store);
    return status;
}

static int run(int argc, char **argv)
{
    struct options o;
    if (sj_cli_wants_help(&sj_cmd_leads, argc, argv))
        return SJ_EXIT_OK;
    int status = parse_filter(&argc, argv, &o);
    if (status != SJ_EXIT_OK)
        return status;
    bool is_export = argc >= 2 && strcmp(argv[1], "export") == 0;
    if (is_export) {
        status = sj_cli_parse_args(&sj_cmd_leads, argc, argv, 0, 2, &o.args);
        return status == SJ_EXIT_OK ? export_leads(&o, o.args.positional[1]) : status;
    }
    status =
        sj_cli_parse_args(&sj_cmd_leads, argc, argv, SJ_CLI_OPT_JSON | SJ_CLI_OPT_PAGE, 0, &o.args);
    return status == SJ_EXIT_OK ? list_leads(&o) : status;
}

const struct cmd sj_cmd_leads = {
    .name = "leads",
    .summary = "list the leads the models found, or export them to a workbook",
    .usage = usage,
    .run = run,
};
