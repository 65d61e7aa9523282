/*
 * risk.c - the risk colour of a subject (风险等级, docs/BAIL.md "Risk colour"): a pure rule over
 * the subject's alerts, so every point of the score names the alert, and through it the ledger
 * entry, that caused it. Open alerts count whatever their age; handled ones fade after 7 days
 * and vanish after 30; a run of missed check-ins adds once. Red from 40 points, yellow from 15.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/bail_stats.h"

const char *sj_bail_colour_name(enum sj_bail_colour colour)
{
    static const char *const names[] = {"green", "yellow", "red"};
    return (unsigned)colour < 3 ? names[colour] : "green";
}

const char *sj_bail_colour_label(enum sj_bail_colour colour)
{
    static const char *const labels[] = {"绿", "黄", "红"};
    return (unsigned)colour < 3 ? labels[colour] : "绿";
}

/* Points of one alert by severity (low, medium, high) for open, recent and older alerts. */
static const int open_points[] = {5, 15, 40};
static const int recent_points[] = {2, 8, 20};
static const int older_points[] = {1, 2, 6};

static void add_reason(struct sj_bail_risk *r, size_t *alloc, const struct sj_bail_alert_fact *f,
                       const char *rule, int points, const char *what)
{
    if (r->reason_count == *alloc) {
        *alloc = *alloc ? 2 * *alloc : 8;
        r->reasons = sj_xrealloc(r->reasons, *alloc * sizeof *r->reasons);
    }
    struct sj_bail_risk_reason *x = &r->reasons[r->reason_count++];
    memset(x, 0, sizeof *x);
    snprintf(x->rule, sizeof x->rule, "%s", rule);
    char at[26];
    sj_bail_time_format(f->raised_ms, at);
    at[10] = ' '; /* "2026-11-19 22:49" reads better than the ISO 'T' */
    snprintf(x->text, sizeof x->text, "%s：%s（%s，%.16s）", what,
             sj_bail_alert_kind_label(f->kind), sj_bail_severity_label(f->severity), at);
    x->points = points;
    x->alert_id = f->id;
    x->kind = f->kind;
    x->raised_ms = f->raised_ms;
    x->ledger_index = f->ledger_index;
    r->score += points;
}

static int by_points(const void *a, const void *b)
{
    const struct sj_bail_risk_reason *x = a, *y = b;
    if (x->points != y->points)
        return x->points > y->points ? -1 : 1;
    if (x->raised_ms != y->raised_ms)
        return x->raised_ms > y->raised_ms ? -1 : 1;
    return x->alert_id > y->alert_id ? -1 : (x->alert_id < y->alert_id);
}

/* The missed-checkin alert that completes a run of SJ_BAIL_RISK_MISSED_REPEAT within 7 days:
 * the newest of them, or NULL when there are fewer. */
static const struct sj_bail_alert_fact *missed_run(const struct sj_bail_alert_fact *facts,
                                                   size_t count, int64_t now_ms)
{
    const struct sj_bail_alert_fact *newest = NULL;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        const struct sj_bail_alert_fact *f = &facts[i];
        if (f->kind != SJ_BAIL_ALERT_MISSED_CHECKIN ||
            now_ms - f->raised_ms > SJ_BAIL_RISK_RECENT_MS)
            continue;
        n++;
        if (!newest || f->raised_ms > newest->raised_ms ||
            (f->raised_ms == newest->raised_ms && f->id > newest->id))
            newest = f;
    }
    return n >= SJ_BAIL_RISK_MISSED_REPEAT ? newest : NULL;
}

void sj_bail_risk_compute(const struct sj_bail_alert_fact *facts, size_t count, int64_t now_ms,
                          struct sj_bail_risk *out)
{
    size_t alloc = 0;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < count; i++) {
        const struct sj_bail_alert_fact *f = &facts[i];
        unsigned sev = (unsigned)f->severity < 3 ? (unsigned)f->severity : 1;
        int64_t age = now_ms > f->raised_ms ? now_ms - f->raised_ms : 0; /* a sweep run ahead */
        if (f->status == SJ_BAIL_ALERT_OPEN)
            add_reason(out, &alloc, f, "alert-open", open_points[sev], "未确认的告警");
        else if (age <= SJ_BAIL_RISK_RECENT_MS)
            add_reason(out, &alloc, f, "alert-recent", recent_points[sev], "近 7 天内已处理的告警");
        else if (age <= SJ_BAIL_RISK_WINDOW_MS)
            add_reason(out, &alloc, f, "alert-older", older_points[sev],
                       "8 至 30 天内已处理的告警");
    }
    const struct sj_bail_alert_fact *run = missed_run(facts, count, now_ms);
    if (run) {
        add_reason(out, &alloc, run, "missed-repeat", SJ_BAIL_RISK_MISSED_REPEAT_POINTS,
                   "近 7 天内多次未按时打卡（3 次及以上），最近一次");
    }
    if (out->reason_count > 1)
        qsort(out->reasons, out->reason_count, sizeof *out->reasons, by_points);
    out->colour = out->score >= SJ_BAIL_RISK_RED      ? SJ_BAIL_RED
                  : out->score >= SJ_BAIL_RISK_YELLOW ? SJ_BAIL_YELLOW
                                                      : SJ_BAIL_GREEN;
}

void sj_bail_risk_release(struct sj_bail_risk *risk)
{
    if (!risk)
        return;
    free(risk->reasons);
    memset(risk, 0, sizeof *risk);
}
