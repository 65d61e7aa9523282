/*
 * api_bail_stats.c - bail statistics and reports (统计报表, docs/API.md "Statistics"):
 * GET /api/v1/bail/stats (JSON) and GET /api/v1/bail/stats/export (XLSX with libxlsxwriter, or
 * CSV: UTF-8 with a byte-order mark, CRLF, RFC 4180 quoting). Both are built from one JSON
 * document that is masked (or revealed and recorded) before anything is written, so a file
 * never shows more than the JSON answer would. CSV cells that a spreadsheet would run as a
 * formula (starting with = + - @ TAB CR) get a leading apostrophe. The file writing itself
 * (CSV, the temporary workbook file) is export.c's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "http/api_bail.h"
#include "http/export_int.h"
#include "shujian/bail_stats.h"

#define DAY_MS 86400000LL
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define CSV_TYPE "text/csv; charset=utf-8"

/* ---- The document ------------------------------------------------------------------------------
 */

static json_t *ms_or_null(const struct sj_bail_stats_row *r, bool is_p90)
{
    if (r->ack_count == 0)
        return json_null();
    return json_integer(is_p90 ? r->ack_p90_ms : (json_int_t)llround(r->ack_mean_ms));
}

static json_t *row_json(const struct sj_bail_stats_row *r)
{
    json_t *kinds = json_object();
    for (int k = 0; k < SJ_BAIL_ALERT_KIND_COUNT; k++)
        json_object_set_new(kinds, sj_bail_alert_kind_name((enum sj_bail_alert_kind)k),
                            json_integer((json_int_t)r->by_kind[k]));
    json_t *rate =
        r->slots_due ? json_real((double)r->slots_on_time / (double)r->slots_due) : json_null();
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:o, s:{s:I, s:I, s:o}, s:{s:I, s:o, s:o}}", "subjects",
        (json_int_t)r->subjects, "slots_due", (json_int_t)r->slots_due, "slots_on_time",
        (json_int_t)r->slots_on_time, "late_uploads", (json_int_t)r->late_uploads, "missed",
        (json_int_t)(r->slots_due - r->slots_on_time), "compliance_rate", rate, "alerts", "total",
        (json_int_t)r->alerts_total, "open", (json_int_t)r->alerts_open, "by_kind", kinds, "ack",
        "count", (json_int_t)r->ack_count, "mean_ms", ms_or_null(r, false), "p90_ms",
        ms_or_null(r, true));
}

static json_t *office_json(struct sj_http_ctx *ctx, const struct sj_bail_stats_group *g)
{
    struct sj_office office = {0};
    json_t *o = row_json(&g->row);
    bool has = sj_office_get(ctx->store, g->id, &office, NULL) == 0;
    json_object_set_new(o, "office_id", json_integer(g->id));
    json_object_set_new(o, "office_name", json_string(has && office.name ? office.name : ""));
    if (has)
        sj_office_release(&office);
    return o;
}

static json_t *subject_json(struct sj_http_ctx *ctx, const struct sj_bail_stats_group *g)
{
    struct sj_bail_subject s;
    json_t *o = row_json(&g->row);
    json_object_del(o, "subjects");
    json_object_set_new(o, "subject_id", json_integer(g->id));
    json_object_set_new(o, "office_id", json_integer(g->office_id));
    if (sj_bail_subject_get(ctx->store, g->id, &s, NULL) == 0) {
        json_object_set_new(o, "person_name", json_string(s.name));
        json_object_set_new(o, "id_number", json_string(s.id_number));
        json_object_set_new(o, "crime_type", json_string(s.crime_type ? s.crime_type : ""));
        json_object_set_new(o, "case_number", json_string(s.case_number ? s.case_number : ""));
        json_object_set_new(o, "status", json_string(sj_bail_status_name(s.status)));
        json_object_set_new(o, "status_label", json_string(sj_bail_status_label(s.status)));
        sj_bail_subject_release(&s);
    }
    return o;
}

/* Computes the statistics of the request's range and scope into *doc (owned). 0, or < 0
 * after replying. */
static int stats_doc(struct sj_http_ctx *ctx, json_t **doc)
{
    struct sj_office_set scope;
    struct sj_bail_stats st;
    int64_t now = sj_http_now_ms(), from = 0, to = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int64_t def_from = sj_bail_day_start(sj_bail_local_day(now)) - 29 * DAY_MS;
    if (sj_http_scope(ctx, &scope) < 0)
        return SJ_EPERM;
    if (sj_http_bail_query_range(ctx, def_from, now, &from, &to) < 0)
        return SJ_EINVAL;
    if (sj_bail_stats_compute(ctx->store, scope.ids, scope.count, from, to, now, &st, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *offices = json_array(), *subjects = json_array();
    for (size_t i = 0; i < st.office_count; i++)
        json_array_append_new(offices, office_json(ctx, &st.offices[i]));
    for (size_t i = 0; i < st.subject_count; i++)
        json_array_append_new(subjects, subject_json(ctx, &st.subjects[i]));
    *doc = json_pack("{s:I, s:I, s:I, s:o, s:o, s:o}", "from_ms", (json_int_t)from, "to_ms",
                     (json_int_t)to, "as_of_ms", (json_int_t)now, "total", row_json(&st.total),
                     "offices", offices, "subjects", subjects);
    sj_bail_stats_release(&st);
    return 0;
}

int sj_http_bail_get_stats(struct sj_http_ctx *ctx)
{
    json_t *doc = NULL;
    if (stats_doc(ctx, &doc) < 0)
        return SJ_EINVAL;
    return sj_http_reply(ctx, 200, doc);
}

/* ---- Tables ------------------------------------------------------------------------------------
 */

/* A column: its Chinese header and how to read it from a row object. */
struct column {
    const char *header;
    const char *key;    /* member of the row (NULL: see sub) */
    const char *sub;    /* member of row.alerts.by_kind, or "ack.mean"/"ack.p90"/"rate" */
    const char *object; /* "alerts" / "ack": key is inside that member */
};

static const struct column lead_columns[] = {
    {"类别", "_kind", NULL, NULL},
    {"编号", "_id", NULL, NULL},
    {"姓名", "person_name", NULL, NULL},
    {"身份证号", "id_number", NULL, NULL},
    {"案由", "crime_type", NULL, NULL},
    {"案号", "case_number", NULL, NULL},
    {"监管状态", "status_label", NULL, NULL},
    {"所属检察院", "office_name", NULL, NULL},
};

static const struct column metric_columns[] = {
    {"被监管人数", "subjects", NULL, NULL},
    {"应打卡次数", "slots_due", NULL, NULL},
    {"按时打卡次数", "slots_on_time", NULL, NULL},
    {"其中离线补传", "late_uploads", NULL, NULL},
    {"未打卡次数", "missed", NULL, NULL},
    {"打卡合规率（%）", NULL, "rate", NULL},
    {"告警总数", "total", NULL, "alerts"},
    {"未确认告警", "open", NULL, "alerts"},
    {"已确认告警数", "count", NULL, "ack"},
    {"平均确认用时（分钟）", NULL, "ack.mean", NULL},
    {"P90 确认用时（分钟）", NULL, "ack.p90", NULL},
};

/* The value of a metric column (a JSON value, borrowed or new: *is_new says). */
static json_t *metric(json_t *row, const struct column *c, bool *is_new)
{
    *is_new = false;
    if (c->object)
        return json_object_get(json_object_get(row, c->object), c->key);
    if (c->key)
        return json_object_get(row, c->key);
    json_t *v = NULL;
    if (strcmp(c->sub, "rate") == 0)
        v = json_object_get(row, "compliance_rate");
    else
        v = json_object_get(json_object_get(row, "ack"),
                            strcmp(c->sub, "ack.mean") == 0 ? "mean_ms" : "p90_ms");
    if (!json_is_number(v))
        return NULL;
    double x = json_number_value(v);
    *is_new = true;
    return json_real(strcmp(c->sub, "rate") == 0 ? round(x * 1000) / 10 : round(x / 6000) / 10);
}

/* Every cell of a table row: the lead columns, the metrics, then alerts by kind. */
static json_t *table_row(json_t *row)
{
    json_t *cells = json_array();
    for (size_t i = 0; i < SJ_ARRAY_LEN(lead_columns); i++) {
        json_t *v = json_object_get(row, lead_columns[i].key);
        json_array_append(cells, v ? v : json_null());
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(metric_columns); i++) {
        bool is_new;
        json_t *v = metric(row, &metric_columns[i], &is_new);
        if (is_new)
            json_array_append_new(cells, v);
        else
            json_array_append(cells, v ? v : json_null());
    }
    json_t *kinds = json_object_get(json_object_get(row, "alerts"), "by_kind");
    for (int k = 0; k < SJ_BAIL_ALERT_KIND_COUNT; k++) {
        json_t *v = json_object_get(kinds, sj_bail_alert_kind_name((enum sj_bail_alert_kind)k));
        json_array_append(cells, v ? v : json_null());
    }
    return cells;
}

static json_t *table_headers(void)
{
    json_t *h = json_array();
    for (size_t i = 0; i < SJ_ARRAY_LEN(lead_columns); i++)
        json_array_append_new(h, json_string(lead_columns[i].header));
    for (size_t i = 0; i < SJ_ARRAY_LEN(metric_columns); i++)
        json_array_append_new(h, json_string(metric_columns[i].header));
    for (int k = 0; k < SJ_BAIL_ALERT_KIND_COUNT; k++) {
        char text[64];
        snprintf(text, sizeof text, "告警：%s",
                 sj_bail_alert_kind_label((enum sj_bail_alert_kind)k));
        json_array_append_new(h, json_string(text));
    }
    return h;
}

/* Adds the table rows of list (subjects or offices) to rows, tagging kind and id. */
static void add_rows(json_t *rows, json_t *list, const char *kind, const char *id_key,
                     json_t *office_names)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        json_object_set_new(o, "_kind", json_string(kind));
        json_object_set(o, "_id", json_object_get(o, id_key));
        if (!json_object_get(o, "office_name")) {
            char key[32];
            snprintf(key, sizeof key, "%lld",
                     (long long)json_integer_value(json_object_get(o, "office_id")));
            json_t *name = json_object_get(office_names, key);
            json_object_set_new(o, "office_name", json_string(name ? json_string_value(name) : ""));
        }
        json_array_append_new(rows, table_row(o));
    }
}

/* ---- XLSX --------------------------------------------------------------------------------------
 */

static void xlsx_sheet(lxw_workbook *wb, lxw_format *bold, const char *name, json_t *headers,
                       json_t *rows)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    size_t i, j;
    json_t *r, *v;
    json_array_foreach(headers, j, v)
    {
        worksheet_write_string(ws, 0, (lxw_col_t)j, json_string_value(v), bold);
        worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j, j < 8 ? 16 : 12, NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    json_array_foreach(rows, i, r)
    {
        json_array_foreach(r, j, v)
        {
            lxw_row_t row = (lxw_row_t)(i + 1);
            if (json_is_string(v))
                worksheet_write_string(ws, row, (lxw_col_t)j, json_string_value(v), NULL);
            else if (json_is_number(v))
                worksheet_write_number(ws, row, (lxw_col_t)j, json_number_value(v), NULL);
        }
    }
}

static void xlsx_notes(lxw_workbook *wb, lxw_format *bold, json_t *doc)
{
    static const char *const notes[] = {
        "应打卡次数：统计区间内开始、截至统计时已结束、且在登记之后开始的打卡时段（每日、每周、抽查"
        "）。",
        "按时打卡：有一次未被拒绝的打卡，其定位时间落在该时段内（离线补传计入，另列补传次数）。",
        "打卡合规率 = 按时打卡次数 ÷ 应打卡次数。",
        "告警：统计区间内产生的告警，按类型计数；确认用时为产生至确认的时间（平均值与 "
        "P90，最近秩法）。",
        "姓名、身份证号默认脱敏；经授权查看原文的导出已记入存证账本。",
    };
    lxw_worksheet *ws = workbook_add_worksheet(wb, "说明");
    char from[26], to[26], at[26];
    sj_bail_time_format((int64_t)json_integer_value(json_object_get(doc, "from_ms")), from);
    sj_bail_time_format((int64_t)json_integer_value(json_object_get(doc, "to_ms")), to);
    sj_bail_time_format((int64_t)json_integer_value(json_object_get(doc, "as_of_ms")), at);
    worksheet_set_column(ws, 0, 0, 16, NULL);
    worksheet_set_column(ws, 1, 1, 100, NULL);
    worksheet_write_string(ws, 0, 0, "统计区间", bold);
    char range[64];
    snprintf(range, sizeof range, "%.16s 至 %.16s", from, to);
    worksheet_write_string(ws, 0, 1, range, NULL);
    worksheet_write_string(ws, 1, 0, "统计时间", bold);
    worksheet_write_string(ws, 1, 1, at, NULL);
    for (size_t i = 0; i < SJ_ARRAY_LEN(notes); i++)
        worksheet_write_string(ws, (lxw_row_t)(i + 3), 1, notes[i], NULL);
}

/* What the workbook of the statistics is made of (all borrowed, masked already). */
struct stats_book {
    json_t *doc, *headers, *office_rows, *subject_rows;
};

static void fill_book(lxw_workbook *wb, lxw_format *bold, void *arg)
{
    const struct stats_book *b = arg;
    xlsx_sheet(wb, bold, "按检察院", b->headers, b->office_rows);
    xlsx_sheet(wb, bold, "按被监管人", b->headers, b->subject_rows);
    xlsx_notes(wb, bold, b->doc);
}

/* ---- The export --------------------------------------------------------------------------------
 */

int sj_http_bail_get_stats_export(struct sj_http_ctx *ctx)
{
    const char *format = sj_http_query(ctx, "format");
    json_t *doc = NULL;
    char *bytes = NULL, name[64];
    size_t len = 0;
    struct sj_err err;
    sj_err_clear(&err);
    bool is_csv = format && strcmp(format, "csv") == 0;
    if (format && !is_csv && strcmp(format, "xlsx") != 0)
        return sj_http_error(ctx, 400, "INVALID_QUERY", "未知的导出格式“%s”（可选 xlsx、csv）",
                             format);
    if (stats_doc(ctx, &doc) < 0)
        return SJ_EINVAL;
    sj_http_mask_export(ctx, doc);
    json_t *names = json_object(), *offices = json_object_get(doc, "offices");
    size_t i;
    json_t *o;
    json_array_foreach(offices, i, o)
    {
        char key[32];
        snprintf(key, sizeof key, "%lld",
                 (long long)json_integer_value(json_object_get(o, "office_id")));
        json_object_set(names, key, json_object_get(o, "office_name"));
    }
    json_t *headers = table_headers(), *subject_rows = json_array(), *office_rows = json_array();
    add_rows(subject_rows, json_object_get(doc, "subjects"), "被监管人", "subject_id", names);
    add_rows(office_rows, offices, "检察院", "office_id", names);
    json_t *total = json_object_get(doc, "total");
    json_object_set_new(total, "_kind", json_string("合计"));
    json_object_set_new(total, "office_name", json_string(""));
    json_array_append_new(office_rows, table_row(total));
    int rc = 0;
    if (is_csv) {
        json_array_extend(subject_rows, office_rows);
        bytes = sj_http_csv_bytes(headers, subject_rows, &len);
    } else {
        struct stats_book book = {doc, headers, office_rows, subject_rows};
        rc = sj_http_xlsx_bytes(sj_http_platform_of(ctx)->workspace, fill_book, &book, &bytes, &len,
                                &err);
    }
    json_decref(names);
    json_decref(headers);
    json_decref(subject_rows);
    json_decref(office_rows);
    json_decref(doc);
    if (rc < 0)
        return sj_http_fail(ctx, &err);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(name, sizeof name, is_csv ? "取保候审统计-%Y%m%d.csv" : "取保候审统计-%Y%m%d.xlsx",
             &tm);
    return sj_http_reply_bytes(ctx, 200, is_csv ? CSV_TYPE : XLSX_TYPE, bytes, len, name);
}
