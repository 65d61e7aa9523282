/*
 * bail_sim.c - `shujian demo-bail`'s engine (sj_demo_bail_generate, shujian/demo.h): reads
 * the offices and their prosecutor and police users, plans the subjects' month
 * (bail_world.c), then runs it one local day at a time: every action of the day (uploads,
 * check-ins, spot checks, leave requests, registrations, the roster, hourly sweeps, alert
 * rounds every half hour, morning reviews) goes into an agenda sorted by time and insertion
 * order and is run in that order on the simulated clock, ending at opts->end_ms.
 * The same inputs give the same sequence of operations, hence the same ids and tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo/bail_int.h"
#include "shujian/bail_store.h"
#include "shujian/identity.h"

enum bd_act_kind {
    A_ROSTER,
    A_REGISTER,
    A_UPLOAD,
    A_CHECKIN,
    A_SPOT,
    A_LEAVE_SUBMIT,
    A_LEAVE_DECIDE,
    A_PHONE,
    A_STATUS,
    A_SWEEP,
    A_ROUND,
    A_REVIEW
};

struct bd_act {
    int64_t at;
    uint32_t seq;
    uint8_t kind, style;
    int32_t who; /* subject or officer index */
    int64_t arg_ms;
};

struct bd_agenda {
    struct bd_act *acts;
    size_t count, alloc;
    int64_t end_ms;
};

static void push(struct bd_agenda *g, int64_t at, int kind, int who, int style, int64_t arg_ms)
{
    if (at > g->end_ms)
        return;
    if (g->count == g->alloc) {
        g->alloc = g->alloc ? 2 * g->alloc : 4096;
        g->acts = sj_xrealloc(g->acts, g->alloc * sizeof *g->acts);
    }
    g->acts[g->count] =
        (struct bd_act){at, (uint32_t)g->count, (uint8_t)kind, (uint8_t)style, who, arg_ms};
    g->count++;
}

static int cmp_act(const void *a, const void *b)
{
    const struct bd_act *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- planning a day ------------------------------------------------------------------------ */

/* A check-in planned while travelling to or from a trip waits until the subject arrives. */
static int64_t off_the_road(const struct bd_subject *s, int64_t t)
{
    const struct bd_episode *e = bd_episode_at(s, BD_EP_TRIP, t);
    if (!e)
        return t;
    int64_t tr = bd_transit_ms(s, e);
    if (t < e->start_ms + tr)
        return e->start_ms + tr + 20 * BD_MIN_MS;
    return t >= e->end_ms - tr ? e->end_ms + 20 * BD_MIN_MS : t;
}

static void plan_checkins(const struct bd_sim *sim, const struct bd_subject *s, int64_t day,
                          struct bd_agenda *g, struct demo_rng *rng)
{
    int i = s->index;
    const struct bd_episode *e;
    int64_t habit = bd_at(day, s->habit_min), end = bd_at(day, s->window_end);
    unsigned x = (unsigned)demo_rng_below(rng, 1000);
    if ((e = bd_episode_at(s, BD_EP_MISMATCH, habit)) != NULL) {
        push(g, e->start_ms, A_CHECKIN, i, BD_CI_MISMATCH, 0);
        if (x < 500)
            push(g, e->start_ms + 40 * BD_MIN_MS, A_CHECKIN, i, BD_CI_NORMAL, 0);
    } else if ((e = bd_episode_at(s, BD_EP_NOFACE, habit)) != NULL) {
        push(g, e->start_ms, A_CHECKIN, i, BD_CI_NOFACE, 0);
    } else if ((e = bd_episode_at(s, BD_EP_MOCK, habit)) != NULL ||
               (e = bd_episode_at(s, BD_EP_MOCK, habit + 120 * BD_MIN_MS)) != NULL) {
        push(g, e->start_ms + 15 * BD_MIN_MS, A_CHECKIN, i, BD_CI_MOCK, 0);
        if (x < 600)
            push(g, e->end_ms + 30 * BD_MIN_MS, A_CHECKIN, i, BD_CI_NORMAL, 0);
    } else if (x < 20 || bd_episode_at(s, BD_EP_SILENT, habit)) {
        /* missed */
    } else if (x < 30) {
        push(g, end + demo_rng_between(rng, 20, 120) * BD_MIN_MS, A_CHECKIN, i, BD_CI_NORMAL, 0);
    } else if (x < 45) {
        int64_t fix = end - demo_rng_between(rng, 10, 30) * BD_MIN_MS;
        push(g, end + demo_rng_between(rng, 30, 150) * BD_MIN_MS, A_CHECKIN, i, BD_CI_LATE_UPLOAD,
             fix);
    } else {
        int64_t at = habit + demo_rng_between(rng, -30, 60) * BD_MIN_MS;
        if (at <= bd_at(day, s->window_start))
            at = bd_at(day, s->window_start) + 2 * BD_MIN_MS;
        push(g, off_the_road(s, at), A_CHECKIN, i, x < 55 ? BD_CI_RETRY : BD_CI_NORMAL, 0);
    }
    if (s->has_weekly && (s->weekdays & SJ_BAIL_WEEKDAY_BIT(sj_bail_weekday(day))) &&
        !demo_rng_chance(rng, 40))
        push(g, bd_at(day, s->weekly_start + (int)demo_rng_between(rng, 10, 90)), A_CHECKIN, i,
             BD_CI_NORMAL, 0);
}

static void plan_subject(const struct bd_sim *sim, const struct bd_subject *s, int64_t day,
                         struct bd_agenda *g)
{
    struct demo_rng rng;
    demo_rng_init(&rng, sim->opts->seed, ((uint64_t)s->index << 20) ^ (uint64_t)day);
    int64_t saved_end = g->end_ms;
    if (s->status_ms && s->status_ms < g->end_ms)
        g->end_ms = s->status_ms - 1;
    size_t first = g->count;
    for (int h = 2; h < 24; h += 4)
        push(g, bd_at(day, h * 60 + s->fix_offset_s / 60 + 3), A_UPLOAD, s->index, 0, 0);
    plan_checkins(sim, s, day, g, &rng);
    if (sj_bail_local_day(s->reg_ms) == day) /* the first check-in, back home */
        push(g, s->reg_ms + demo_rng_between(&rng, 60, 110) * BD_MIN_MS, A_CHECKIN, s->index,
             BD_CI_NORMAL, 0);
    if (demo_rng_chance(&rng, 30)) {
        int64_t spot = sj_bail_spot_pick(demo_rng_next(&rng), day, 540, 1080, 30 * BD_MIN_MS);
        push(g, spot, A_SPOT, s->index, 0, 0);
        if (!demo_rng_chance(&rng, 80))
            push(g, spot + demo_rng_between(&rng, 4, 25) * BD_MIN_MS, A_CHECKIN, s->index,
                 BD_CI_SPOT, 0);
    }
    /* Nothing before the phone is bound (the registration's first quarter hour). */
    size_t keep = first;
    for (size_t k = first; k < g->count; k++) {
        if (g->acts[k].at > s->reg_ms + 20 * BD_MIN_MS)
            g->acts[keep++] = g->acts[k];
    }
    g->count = keep;
    g->end_ms = saved_end;
}

static void plan_events(const struct bd_subject *s, int64_t day, struct bd_agenda *g)
{
    const struct bd_leave_plan *l = &s->leave;
    if (sj_bail_local_day(s->reg_ms) == day)
        push(g, s->reg_ms, A_REGISTER, s->index, 0, 0);
    if (s->change_ms && sj_bail_local_day(s->change_ms) == day)
        push(g, s->change_ms, A_PHONE, s->index, 0, 0);
    if (s->final_ms && sj_bail_local_day(s->final_ms) == day)
        push(g, s->final_ms, A_CHECKIN, s->index, BD_CI_MOCK, 0);
    if (s->status_ms && sj_bail_local_day(s->status_ms) == day)
        push(g, s->status_ms, A_STATUS, s->index, 0, 0);
    if (l->kind != BD_LEAVE_NONE && sj_bail_local_day(l->submit_ms) == day)
        push(g, l->submit_ms, A_LEAVE_SUBMIT, s->index, 0, 0);
    if (l->kind != BD_LEAVE_NONE && l->decide_ms && sj_bail_local_day(l->decide_ms) == day)
        push(g, l->decide_ms, A_LEAVE_DECIDE, s->index, 0, 0);
}

static void plan_desk(const struct bd_sim *sim, int64_t day, struct bd_agenda *g)
{
    int wd = sj_bail_weekday(day);
    if (day == sim->first_day)
        push(g, bd_at(day, 0), A_ROSTER, 0, 0, day + 7 + (8 - wd));
    if (wd == 5)
        push(g, bd_at(day, 960), A_ROSTER, 0, 0, day + 10);
    for (int h = 0; h < 24; h++) {
        push(g, bd_at(day, h * 60 + 2), A_SWEEP, 0, 0, 0);
        /* The officers have not looked at the last hour and a half yet. */
        for (int m = 15; m < 60; m += 30) {
            if (bd_at(day, h * 60 + m) < sim->end_ms - 90 * BD_MIN_MS)
                push(g, bd_at(day, h * 60 + m), A_ROUND, 0, 0, 0);
        }
    }
    for (int k = 0; day > sim->first_day && k < sim->officer_count; k++)
        push(g, bd_at(day, 570 + 7 * k), A_REVIEW, k, 0, 0);
}

/* ---- running it ----------------------------------------------------------------------------- */

static int sweep(struct bd_sim *sim, int64_t now_ms)
{
    struct sj_bail_actor who = bd_system_actor(now_ms);
    struct sj_bail_sweep_counts c = {0};
    int rc = sj_bail_sweep(&sim->env, &who, &c, sim->err);
    sim->stats->escalated += (long)c.escalated;
    return rc;
}

static int run_act(struct bd_sim *sim, const struct bd_act *a)
{
    struct bd_subject *s =
        a->kind >= A_REGISTER && a->kind <= A_STATUS ? &sim->subjects[a->who] : NULL;
    sim->stats->ops++;
    switch (a->kind) {
    case A_ROSTER:
        return bd_roster(sim, a->at, a->arg_ms);
    case A_REGISTER:
        return bd_register(sim, s, a->at);
    case A_UPLOAD:
        return bd_upload(sim, s, a->at);
    case A_CHECKIN:
        return bd_checkin(sim, s, a->at, a->style, a->arg_ms);
    case A_SPOT:
        return bd_spot(sim, s, a->at);
    case A_LEAVE_SUBMIT:
        return bd_leave_submit(sim, s, a->at);
    case A_LEAVE_DECIDE:
        return bd_leave_decide(sim, s, a->at);
    case A_PHONE:
        return bd_phone_change(sim, s, a->at);
    case A_STATUS:
        return bd_status(sim, s, a->at);
    case A_SWEEP:
        return sweep(sim, a->at);
    case A_ROUND:
        return bd_round(sim, a->at);
    default:
        return bd_review(sim, a->who, a->at);
    }
}

static const char *const act_names[] = {
    "roster",         "register",     "upload",        "check-in", "spot check",  "leave request",
    "leave decision", "phone change", "status change", "sweep",    "alert round", "review"};

static int run_day(struct bd_sim *sim, int64_t day, struct bd_agenda *g)
{
    g->count = 0;
    plan_desk(sim, day, g);
    for (int i = 0; i < sim->subject_count; i++) {
        const struct bd_subject *s = &sim->subjects[i];
        plan_events(s, day, g);
        if (sj_bail_local_day(s->reg_ms) <= day)
            plan_subject(sim, s, day, g);
    }
    qsort(g->acts, g->count, sizeof *g->acts, cmp_act);
    /* One transaction per simulated day: each operation still commits with its ledger entry
     * (as a savepoint inside it), but the disk sees one commit a day instead of thousands. */
    bool is_own = false;
    int rc = sj_store_bail_begin(sim->store, &is_own, sim->err);
    for (size_t k = 0; rc == 0 && k < g->count; k++) {
        rc = run_act(sim, &g->acts[k]);
        if (rc < 0) {
            char when[26];
            sj_bail_time_format(g->acts[k].at, when);
            SJ_WARN("demo-bail: %s (%d) at %s failed", act_names[g->acts[k].kind], g->acts[k].who,
                    when);
        }
    }
    return rc < 0 ? (sj_store_bail_end(sim->store, is_own, false, NULL), rc)
                  : sj_store_bail_end(sim->store, is_own, true, sim->err);
}

/* ---- offices and officers ----------------------------------------------------------------------
 */

static bool is_chosen(const struct sj_demo_bail_opts *opts, const char *code)
{
    if (opts->office_count == 0)
        return true;
    for (size_t i = 0; i < opts->office_count; i++) {
        if (strcmp(opts->offices[i], code) == 0)
            return true;
    }
    return false;
}

static void add_officers(struct bd_sim *sim, struct bd_office *o, const struct sj_office *office,
                         const struct sj_user *users, size_t user_count)
{
    for (size_t u = 0; u < user_count && sim->officer_count < BD_OFFICERS_MAX; u++) {
        const struct sj_user *x = &users[u];
        bool is_police = x->role == SJ_ROLE_POLICE;
        if (x->office_id != office->id || x->is_disabled ||
            (x->role != SJ_ROLE_PROSECUTOR && !is_police))
            continue;
        struct bd_officer *k = &sim->officers[sim->officer_count];
        k->id = x->id;
        k->office_id = office->id;
        k->is_police = is_police;
        snprintf(k->name, sizeof k->name, "%s", x->username);
        snprintf(k->office, sizeof k->office, "%s", office->code);
        if (is_police)
            o->police[o->police_count++] = sim->officer_count;
        else
            o->prosecutors[o->prosecutor_count++] = sim->officer_count;
        sim->officer_count++;
    }
}

static void add_office(struct bd_sim *sim, const struct sj_office *office,
                       const struct sj_user *users, size_t user_count)
{
    struct bd_office *o = &sim->offices[sim->office_count];
    memset(o, 0, sizeof *o);
    o->id = office->id;
    snprintf(o->code, sizeof o->code, "%s", office->code);
    o->county = -1;
    for (size_t c = 0; c < bd_county_count; c++) {
        if (strcmp(bd_counties[c].code, office->code) == 0)
            o->county = (int)c;
    }
    o->weight = o->county >= 0 ? 3 : 1;
    add_officers(sim, o, office, users, user_count);
    if (o->prosecutor_count > 0)
        sim->office_count++;
}

/* Offices without police of their own borrow their city office's. */
static void borrow_police(struct bd_sim *sim, const struct sj_office *offices, size_t n)
{
    for (int i = 0; i < sim->office_count; i++) {
        struct bd_office *o = &sim->offices[i];
        for (size_t k = 0; k < n && o->police_count == 0; k++) {
            if (offices[k].id != o->id)
                continue;
            for (int j = 0; j < sim->office_count; j++) {
                const struct bd_office *p = &sim->offices[j];
                bool is_kin = p->id == offices[k].parent_id || offices[k].parent_id == 0;
                for (int m = 0; is_kin && m < p->police_count; m++)
                    o->police[o->police_count++] = p->police[m];
            }
        }
    }
}

static int load_offices(struct bd_sim *sim)
{
    struct sj_office *offices = NULL;
    struct sj_user *users = NULL;
    size_t n = 0, un = 0;
    int rc = sj_office_list(sim->store, 0, &offices, &n, sim->err);
    if (rc == 0)
        rc = sj_user_list(sim->store, 0, &users, &un, sim->err);
    for (size_t i = 0; rc == 0 && i < n && sim->office_count < SJ_DEMO_BAIL_OFFICES_MAX; i++) {
        if (is_chosen(sim->opts, offices[i].code))
            add_office(sim, &offices[i], users, un);
    }
    if (rc == 0)
        borrow_police(sim, offices, n);
    for (size_t i = 0; rc == 0 && i < sim->opts->office_count; i++) {
        bool found = false;
        for (int k = 0; k < sim->office_count; k++)
            found = found || strcmp(sim->offices[k].code, sim->opts->offices[i]) == 0;
        if (!found)
            rc = sj_err_set(sim->err, SJ_ENOTFOUND, "检察院 %s 不存在或没有检察官用户",
                            sim->opts->offices[i]);
    }
    if (rc == 0 && sim->office_count == 0)
        rc = sj_err_set(sim->err, SJ_EINVAL, "没有配有检察官用户的检察院，无法生成监管数据");
    sj_office_list_free(offices, n);
    sj_user_list_free(users, un);
    return rc;
}

/* ---- the entry points ---------------------------------------------------------------------------
 */

int64_t sj_demo_bail_default_end(void)
{
    const char *today = getenv("SHUJIAN_TODAY");
    int64_t day;
    if (today && sj_bail_day_parse(today, &day) == 0)
        return bd_at(day, 960);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000;
    return now - now % BD_MIN_MS;
}

static int face_verify(void *ctx, int64_t subject_id, struct sj_str photo,
                       enum sj_bail_face *result, double *score, struct sj_err *err)
{
    const struct bd_face *f = ctx;
    (void)subject_id;
    (void)photo;
    (void)err;
    *result = f->next;
    *score = f->score;
    return 0;
}

static void count_outcomes(struct bd_sim *sim)
{
    struct sj_bail_alert_filter f = {.status = -1, .limit = 10000000};
    struct sj_bail_alert *list = NULL;
    size_t n = 0;
    if (sj_bail_alert_list(sim->store, &f, &list, &n, NULL) == 0) {
        sim->stats->alerts = (long)n;
        for (size_t i = 0; i < n; i++) {
            sim->stats->alerts_by_status[list[i].status]++;
            if ((unsigned)list[i].kind < SJ_ARRAY_LEN(sim->stats->alerts_by_kind))
                sim->stats->alerts_by_kind[list[i].kind]++;
        }
    }
    sj_bail_alert_list_free(list, n);
    for (int i = 0; i < sim->subject_count; i++) {
        struct sj_bail_leave l;
        if (sim->subjects[i].leave.id &&
            sj_bail_leave_get(sim->store, sim->subjects[i].leave.id, &l, NULL) == 0) {
            sim->stats->leaves_by_status[l.status]++;
            sj_bail_leave_release(&l);
        }
    }
}

static int check_opts(const struct sj_demo_bail_opts *opts, struct sj_err *err)
{
    if (!opts || opts->subjects < 1 || opts->subjects > SJ_DEMO_BAIL_SUBJECTS_MAX)
        return sj_err_set(err, SJ_EINVAL, "subjects must be 1..%d", SJ_DEMO_BAIL_SUBJECTS_MAX);
    if (opts->days < 1 || opts->days > SJ_DEMO_BAIL_DAYS_MAX)
        return sj_err_set(err, SJ_EINVAL, "days must be 1..%d", SJ_DEMO_BAIL_DAYS_MAX);
    if (opts->office_count > SJ_DEMO_BAIL_OFFICES_MAX)
        return sj_err_set(err, SJ_EINVAL, "at most %d offices", SJ_DEMO_BAIL_OFFICES_MAX);
    return 0;
}

int sj_demo_bail_generate(struct sj_store *store, struct sj_ledger *ledger,
                          const struct sj_demo_bail_opts *opts, struct sj_demo_bail_stats *stats,
                          struct sj_err *err)
{
    struct sj_demo_bail_stats local;
    struct bd_sim *sim = sj_xcalloc(1, sizeof *sim);
    struct bd_agenda g = {0};
    int rc = check_opts(opts, err);
    sim->opts = opts;
    sim->store = store;
    sim->err = err;
    sim->stats = stats ? stats : &local;
    memset(sim->stats, 0, sizeof *sim->stats);
    sim->verifier = (struct sj_bail_face_verifier){"demo", face_verify, &sim->face};
    sim->env = (struct sj_bail_env){store, ledger, NULL, &sim->verifier};
    if (rc == 0)
        rc = load_offices(sim);
    if (rc < 0)
        goto out;
    sim->end_ms = g.end_ms = opts->end_ms;
    sim->last_day = sj_bail_local_day(opts->end_ms);
    sim->first_day = sim->roster_until_day = sim->last_day - opts->days + 1;
    sim->subject_count = opts->subjects;
    bd_world_plan(sim);
    for (int64_t day = sim->first_day; rc == 0 && day <= sim->last_day; day++)
        rc = run_day(sim, day, &g);
    if (rc == 0)
        rc = sweep(sim, sim->end_ms);
    if (rc == 0)
        count_outcomes(sim);
    bd_world_release(sim);
out:
    free(g.acts);
    free(sim);
    return rc;
}
