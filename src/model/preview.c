/*
 * preview.c - the builder's 预览线索: runs a compiled plan read-only and groups its rows by
 * subject as run.c does (first row of a subject fills the title; every "datasetId:rowId"
 * item of _ev is an evidence row), but records nothing: no run, no leads, no evidence.
 *
 * Invariants: only the first `limit` subjects keep their title and evidence items; the rest
 * are only counted (an open-addressing set of subjects). A watch on the store's connection
 * (sj_store_watch) stops the query once the time limit has passed, and is always removed
 * before returning, so the connection goes back to its owner as it came.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/model_int.h"
#include "shujian/model_preview.h"
#include "shujian/plan.h"

#define EVIDENCE_KEPT_MAX 10000

struct shown_lead {
    char **items; /* distinct "datasetId:rowId" evidence items */
    size_t count, alloc;
};

struct preview_ctx {
    const struct sj_model *model;
    const struct sj_model_plan *plan;
    struct sj_model_preview *out;
    struct sj_err *err;
    size_t limit;
    struct shown_lead *shown; /* parallel to out->leads */
    struct sj_subject_map subjects; /* value: the index in out->leads, or SIZE_MAX when
                                       only counted */
    long subject_col, ev_col;
    enum sj_kind *kinds;
    size_t column_count;
    struct timespec deadline;
    bool is_late;
};

/* ---- Kinds and titles (as run.c shows them) ----------------------------------------------- */

static enum sj_kind declared_kind(const struct sj_model *m, const char *name)
{
    const char *dot = strchr(name, '.');
    const char *col = dot ? dot + 1 : name;
    if (strcmp(name, "count") == 0)
        return SJ_KIND_INTEGER;
    for (size_t i = 0; i < m->input_count; i++) {
        for (size_t k = 0; k < m->inputs[i].column_count; k++) {
            if (strcmp(m->inputs[i].columns[k].name, col) == 0)
                return m->inputs[i].columns[k].kind;
        }
    }
    return SJ_KIND_TEXT;
}

static enum sj_kind result_kind(const struct preview_ctx *c, const char *name, bool is_subject)
{
    const struct sj_model_plan *p = c->plan;
    for (size_t i = 0; p->column_kinds && i < p->column_count; i++) {
        if (strcmp(p->columns[i], name) == 0 && p->column_kinds[i] != SJ_KIND_AUTO)
            return p->column_kinds[i];
    }
    if (is_subject && c->model->lead.subject)
        return declared_kind(c->model, c->model->lead.subject);
    return declared_kind(c->model, name);
}

static void find_columns(struct preview_ctx *c, size_t count, const char *const *columns)
{
    c->column_count = count;
    c->kinds = sj_xcalloc(count ? count : 1, sizeof *c->kinds);
    c->subject_col = c->ev_col = -1;
    for (size_t i = 0; i < count; i++) {
        bool is_subject = strcmp(columns[i], "subject") == 0 && c->subject_col < 0;
        if (is_subject)
            c->subject_col = (long)i;
        else if (strcmp(columns[i], "_ev") == 0)
            c->ev_col = (long)i;
        c->kinds[i] = result_kind(c, columns[i], is_subject);
    }
}

static void append_shown(struct sj_buf *out, enum sj_kind kind, const char *value)
{
    char *end = NULL;
    long long fen = kind == SJ_KIND_AMOUNT && value && *value ? strtoll(value, &end, 10) : 0;
    if (end && *end == '\0') {
        unsigned long long abs = fen < 0 ? 0ULL - (unsigned long long)fen : (unsigned long long)fen;
        sj_buf_appendf(out, "%s%llu.%02llu元", fen < 0 ? "-" : "", abs / 100, abs % 100);
        return;
    }
    sj_buf_append_cstr(out, value ? value : "");
}

static char *fill_title(const struct preview_ctx *c, const char *const *columns,
                        const char *const *values)
{
    const char *t = c->model->lead.title ? c->model->lead.title : "";
    const char *subject = c->model->lead.subject;
    struct sj_buf out;
    sj_buf_init(&out, 0);
    while (*t) {
        const char *close = *t == '{' ? strchr(t, '}') : NULL;
        if (!close) {
            sj_buf_putc(&out, *t++);
            continue;
        }
        size_t len = (size_t)(close - t - 1);
        long col = -1;
        for (size_t i = 0; i < c->column_count && col < 0; i++) {
            if (strlen(columns[i]) == len && strncmp(columns[i], t + 1, len) == 0)
                col = (long)i;
        }
        if (col < 0 && subject && strlen(subject) == len && strncmp(subject, t + 1, len) == 0)
            col = c->subject_col;
        if (col >= 0)
            append_shown(&out, c->kinds[col], values[col]);
        else
            sj_buf_append(&out, t, len + 2);
        t = close + 1;
    }
    char *text = sj_buf_detach(&out, NULL);
    return text ? text : sj_xstrdup("");
}

/* ---- Rows ----------------------------------------------------------------------------------- */

/* Adds the items of ev ("1:17,1:18") to a shown lead, each once. */
static void add_items(struct shown_lead *s, const char *ev)
{
    while (ev && *ev && s->count < EVIDENCE_KEPT_MAX) {
        const char *end = strchr(ev, ',');
        size_t len = end ? (size_t)(end - ev) : strlen(ev);
        bool is_known = false;
        for (size_t i = 0; i < s->count && !is_known; i++)
            is_known = strlen(s->items[i]) == len && strncmp(s->items[i], ev, len) == 0;
        if (!is_known && len > 0) {
            if (s->count == s->alloc) {
                s->alloc = s->alloc ? s->alloc * 2 : 8;
                s->items = sj_xrealloc(s->items, s->alloc * sizeof *s->items);
            }
            char *item = sj_xmalloc(len + 1);
            memcpy(item, ev, len);
            item[len] = '\0';
            s->items[s->count++] = item;
        }
        ev = end ? end + 1 : NULL;
    }
}

static void add_lead(struct preview_ctx *c, const char *subject, const char *const *columns,
                     const char *const *values)
{
    struct sj_model_preview *o = c->out;
    o->leads[o->shown] =
        (struct sj_preview_lead){sj_xstrdup(subject), fill_title(c, columns, values), 0};
    o->shown++;
}

static int on_row(void *ctx, size_t count, const char *const *columns, const char *const *values)
{
    struct preview_ctx *c = ctx;
    if (!c->kinds)
        find_columns(c, count, columns);
    if (c->subject_col < 0)
        return sj_err_set(c->err, SJ_EFORMAT, "模型查询的结果没有 subject 列");
    c->out->row_count++;
    const char *subject = values[c->subject_col];
    if (!subject || !*subject)
        return 0;
    bool is_new;
    struct sj_subject_slot *slot = sj_subject_map_get(&c->subjects, subject, &is_new);
    if (is_new) {
        slot->value = SIZE_MAX;
        if (c->out->shown < c->limit) {
            slot->value = c->out->shown;
            add_lead(c, subject, columns, values);
        }
        c->out->lead_count++;
    }
    /* Evidence is kept for the shown leads only. */
    if (slot->value != SIZE_MAX && c->ev_col >= 0 && values[c->ev_col])
        add_items(&c->shown[slot->value], values[c->ev_col]);
    return 0;
}

/* ---- The time limit ------------------------------------------------------------------------- */

static int on_progress(void *arg)
{
    struct preview_ctx *c = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > c->deadline.tv_sec ||
        (now.tv_sec == c->deadline.tv_sec && now.tv_nsec >= c->deadline.tv_nsec))
        c->is_late = true;
    return c->is_late ? 1 : 0;
}

static void set_deadline(struct preview_ctx *c, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, &c->deadline);
    c->deadline.tv_sec += (time_t)(ms / 1000);
    c->deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (c->deadline.tv_nsec >= 1000000000L) {
        c->deadline.tv_sec++;
        c->deadline.tv_nsec -= 1000000000L;
    }
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void release_ctx(struct preview_ctx *c)
{
    sj_subject_map_release(&c->subjects);
    for (size_t i = 0; c->shown && i < c->out->shown; i++) {
        for (size_t k = 0; k < c->shown[i].count; k++)
            free(c->shown[i].items[k]);
        free(c->shown[i].items);
    }
    free(c->shown);
    free(c->kinds);
}

int sj_model_preview(struct sj_store *store, const struct sj_model *model,
                     const struct sj_model_plan *plan, size_t limit, int64_t time_limit_ms,
                     struct sj_model_preview *out, struct sj_err *err)
{
    struct timespec t0;
    struct preview_ctx c = {.model = model, .plan = plan, .out = out, .err = err, .limit = limit};
    memset(out, 0, sizeof *out);
    if (!store || !model || !plan || time_limit_ms <= 0)
        return sj_err_set(err, SJ_EINVAL, "预览的参数不完整");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    out->leads = sj_xcalloc(limit ? limit : 1, sizeof *out->leads);
    c.shown = sj_xcalloc(limit ? limit : 1, sizeof *c.shown);
    set_deadline(&c, time_limit_ms);
    sj_store_watch(store, on_progress, &c);
    int rc = sj_store_plan_query(store, plan, on_row, &c, err);
    sj_store_watch(store, NULL, NULL);
    if (c.is_late)
        rc = sj_err_set(err, SJ_ETOOBIG,
                        "预览超过 %.0f 秒仍未完成，已停止：请缩小数据范围或增加筛选条件后再试",
                        (double)time_limit_ms / 1000.0);
    else if (rc > 0)
        rc = err && err->code < 0 ? err->code : SJ_EDB;
    for (size_t i = 0; rc == 0 && i < out->shown; i++)
        out->leads[i].evidence_count = c.shown[i].count;
    /* For masking, what the model says the subject is wins over how the dataset typed it. */
    out->subject_kind =
        model->lead.subject ? declared_kind(model, model->lead.subject) : SJ_KIND_TEXT;
    if (out->subject_kind == SJ_KIND_TEXT && c.kinds && c.subject_col >= 0)
        out->subject_kind = c.kinds[c.subject_col];
    out->seconds = seconds_since(&t0);
    release_ctx(&c);
    if (rc < 0)
        sj_model_preview_release(out);
    return rc;
}

void sj_model_preview_release(struct sj_model_preview *preview)
{
    if (!preview)
        return;
    for (size_t i = 0; preview->leads && i < preview->shown; i++) {
        free(preview->leads[i].subject);
        free(preview->leads[i].title);
    }
    free(preview->leads);
    memset(preview, 0, sizeof *preview);
}
