/*
 * stats_ops.c - bail statistics per office and per subject (统计报表, docs/API.md "Statistics"):
 * compliance (slots due in a range against slots satisfied by a check-in whose fix time is in
 * the slot), alerts by kind, and time to acknowledge (mean and 90th percentile, nearest rank).
 * Read-only. A slot counts only once it has ended (as of the given time) and only if it began
 * after the subject was registered, the rule the sweep uses for missed check-ins, so the
 * numbers agree with the missed-checkin alerts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/bail_stats.h"
#include "shujian/bail_store.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void sj_bail_stats_ack(int64_t *durations, size_t count, struct sj_bail_stats_row *row)
{
    row->ack_count = count;
    row->ack_mean_ms = 0;
    row->ack_p90_ms = 0;
    if (count == 0)
        return;
    qsort(durations, count, sizeof *durations, cmp_i64);
    double sum = 0;
    for (size_t i = 0; i < count; i++)
        sum += (double)durations[i];
    row->ack_mean_ms = sum / (double)count;
    size_t rank = (size_t)ceil(0.9 * (double)count); /* nearest rank, 1-based */
    row->ack_p90_ms = durations[(rank ? rank : 1) - 1];
}

/* Slots of subject s starting in [from, to) that ended by as_of, against its check-ins. */
static int subject_slots(struct sj_store *store, const struct sj_bail_subject *s, int64_t from,
                         int64_t to, int64_t as_of, struct sj_bail_stats_row *row,
                         struct sj_err *err)
{
    struct sj_bail_slot *slots = NULL;
    struct sj_bail_fix_time *fixes = NULL;
    size_t ns = 0, nf = 0;
    int64_t until = to < as_of ? to : as_of;
    if (until <= from)
        return 0;
    int rc = sj_bail_due_slots(store, s->id, from, until, &slots, &ns, err);
    if (rc == 0 && ns > 0)
        rc = sj_store_bail_checkin_times(store, s->id, slots[0].start_ms, until, &fixes, &nf, err);
    for (size_t i = 0; rc == 0 && i < ns; i++) {
        const struct sj_bail_slot *slot = &slots[i];
        if (slot->start_ms < from || slot->end_ms > until || slot->start_ms < s->created_ms)
            continue;
        row->slots_due++;
        bool is_on_time = false, is_late = true;
        for (size_t k = 0; k < nf && fixes[k].fix_ms < slot->end_ms; k++) {
            if (fixes[k].fix_ms < slot->start_ms)
                continue;
            is_on_time = true;
            if (fixes[k].received_ms <= slot->end_ms)
                is_late = false;
        }
        if (is_on_time) {
            row->slots_on_time++;
            row->late_uploads += is_late;
        }
    }
    free(slots);
    free(fixes);
    return rc;
}

static void add_row(struct sj_bail_stats_row *to, const struct sj_bail_stats_row *from)
{
    to->subjects += from->subjects;
    to->slots_due += from->slots_due;
    to->slots_on_time += from->slots_on_time;
    to->late_uploads += from->late_uploads;
    to->alerts_total += from->alerts_total;
    to->alerts_open += from->alerts_open;
    for (size_t k = 0; k < SJ_BAIL_ALERT_KIND_COUNT; k++)
        to->by_kind[k] += from->by_kind[k];
}

/* Counts the alerts of facts[0..n) that match (office or subject id, 0 = any) into row,
 * including the time-to-acknowledge summary. */
static void count_alerts(const struct sj_bail_alert_fact *facts, size_t n, int64_t office_id,
                         int64_t subject_id, struct sj_bail_stats_row *row)
{
    int64_t *durations = n ? sj_xcalloc(n, sizeof *durations) : NULL;
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sj_bail_alert_fact *f = &facts[i];
        if ((office_id && f->office_id != office_id) || (subject_id && f->subject_id != subject_id))
            continue;
        row->alerts_total++;
        row->alerts_open += f->status == SJ_BAIL_ALERT_OPEN;
        if ((unsigned)f->kind < SJ_BAIL_ALERT_KIND_COUNT)
            row->by_kind[f->kind]++;
        if (f->acknowledged_ms > 0)
            durations[nd++] = f->acknowledged_ms - f->raised_ms;
    }
    sj_bail_stats_ack(durations, nd, row);
    free(durations);
}

/* Adds the subjects of one office (groups appended to out->subjects) and the office's row. */
static int office_stats(struct sj_store *store, struct sj_bail_stats_group *office,
                        const struct sj_bail_alert_fact *facts, size_t nf, size_t *alloc,
                        struct sj_bail_stats *out, struct sj_err *err)
{
    struct sj_bail_subject *list = NULL;
    size_t n = 0;
    int rc = sj_bail_subject_list(store, office->id, &list, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (list[i].created_ms >= out->to_ms)
            continue;
        if (out->subject_count == *alloc) {
            *alloc = *alloc ? 2 * *alloc : 64;
            out->subjects = sj_xrealloc(out->subjects, *alloc * sizeof *out->subjects);
        }
        struct sj_bail_stats_group *g = &out->subjects[out->subject_count++];
        memset(g, 0, sizeof *g);
        g->id = list[i].id;
        g->office_id = office->id;
        g->row.subjects = 1;
        rc = subject_slots(store, &list[i], out->from_ms, out->to_ms, out->as_of_ms, &g->row, err);
        count_alerts(facts, nf, 0, g->id, &g->row);
        add_row(&office->row, &g->row);
    }
    office->row.alerts_total = 0; /* recounted below with the office's own alerts */
    office->row.alerts_open = 0;
    memset(office->row.by_kind, 0, sizeof office->row.by_kind);
    count_alerts(facts, nf, office->id, 0, &office->row);
    sj_bail_subject_list_free(list, n);
    return rc;
}

int sj_bail_stats_compute(struct sj_store *store, const int64_t *offices, size_t office_count,
                          int64_t from_ms, int64_t to_ms, int64_t as_of_ms,
                          struct sj_bail_stats *out, struct sj_err *err)
{
    struct sj_bail_alert_fact *facts = NULL;
    size_t nf = 0, alloc = 0;
    memset(out, 0, sizeof *out);
    if (to_ms <= from_ms || to_ms - from_ms > SJ_BAIL_STATS_RANGE_MAX_MS)
        return sj_err_set(err, SJ_EINVAL, "统计区间应为 1 毫秒至 400 天");
    out->from_ms = from_ms;
    out->to_ms = to_ms;
    out->as_of_ms = as_of_ms;
    out->offices = office_count ? sj_xcalloc(office_count, sizeof *out->offices) : NULL;
    out->office_count = office_count;
    int rc = sj_store_bail_alert_facts(store, 0, 0, from_ms, to_ms, false, &facts, &nf, err);
    size_t all_count = 0;
    int64_t *all = nf ? sj_xcalloc(nf, sizeof *all) : NULL;
    for (size_t i = 0; rc == 0 && i < office_count; i++) {
        struct sj_bail_stats_group *o = &out->offices[i];
        o->id = o->office_id = offices[i];
        rc = office_stats(store, o, facts, nf, &alloc, out, err);
        add_row(&out->total, &o->row);
        for (size_t k = 0; k < nf; k++)
            if (facts[k].office_id == o->id && facts[k].acknowledged_ms > 0)
                all[all_count++] = facts[k].acknowledged_ms - facts[k].raised_ms;
    }
    sj_bail_stats_ack(all, all_count, &out->total);
    free(all);
    free(facts);
    if (rc < 0)
        sj_bail_stats_release(out);
    return rc;
}

void sj_bail_stats_release(struct sj_bail_stats *stats)
{
    if (!stats)
        return;
    free(stats->offices);
    free(stats->subjects);
    memset(stats, 0, sizeof *stats);
}
