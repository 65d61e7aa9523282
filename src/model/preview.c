/*
 * preview.c - the builder's 预览线索: runs a compiled plan read-only and groups its rows by
 * subject as run.c does (first row of a subject fills the title, lead_row.c; every
 * "datasetId:rowId" item of _ev is an evidence row), but records nothing: no run, no leads,
 * no evidence.
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
    struct sj_lead_cols cols; /* the result columns; kinds NULL before the first row */
    struct timespec deadline;
    bool is_late;
};

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
        (struct sj_preview_lead){sj_xstrdup(subject), sj_lead_title(c->model, &c->cols, columns, values), 0};
    o->shown++;
}

static int on_row(void *ctx, size_t count, const char *const *columns, const char *const *values)
{
    struct preview_ctx *c = ctx;
    if (!c->cols.kinds)
        sj_lead_cols_find(&c->cols, c->model, c->plan, count, columns);
    if (c->cols.subject < 0)
        return sj_err_set(c->err, SJ_EFORMAT, "模型查询的结果没有 subject 列");
    c->out->row_count++;
    const char *subject = values[c->cols.subject];
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
    if (slot->value != SIZE_MAX && c->cols.ev >= 0 && values[c->cols.ev])
        add_items(&c->shown[slot->value], values[c->cols.ev]);
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
    sj_lead_cols_release(&c->cols);
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
        model->lead.subject ? sj_model_column_kind(model, model->lead.subject) : SJ_KIND_TEXT;
    if (out->subject_kind == SJ_KIND_TEXT && c.cols.kinds && c.cols.subject >= 0)
        out->subject_kind = c.cols.kinds[c.cols.subject];
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
