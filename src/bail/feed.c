/*
 * feed.c - feeding a subject's fixes into its fence state machines (src/bail/bail_int.h).
 * One machine watches the union of the allowed fences (fence id 0), with the destination of
 * an approved leave counting as allowed during the leave; one machine per forbidden fence.
 * A confirmed exit from the union raises a fence breach unless an approved leave (or its
 * return grace period) covers the fix; a confirmed entry into a forbidden fence raises a
 * forbidden-zone entry. Each alert is keyed by the fix that confirmed it, so feeding the same
 * fixes again raises nothing new.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

struct feed {
    const struct sj_bail_env *env;
    const struct sj_bail_actor *who;
    const struct sj_bail_subject *s;
    const struct sj_bail_params *p;
    struct sj_fence *fences; /* parsed, with validity below */
    int64_t *from, *until;
    size_t count;
    struct sj_bail_leave *leaves;
    struct sj_fence *leave_fences;
    size_t leave_count;
    struct sj_fence_state *states; /* [0] the union, [1 + i] fence i (forbidden ones used) */
    size_t raised;
};

static bool is_valid_at(const struct feed *f, size_t i, int64_t t)
{
    return f->from[i] <= t && (f->until[i] == 0 || t < f->until[i]);
}

static int load(struct feed *f, int64_t from_ms, int64_t to_ms, struct sj_err *err)
{
    struct sj_store_bail_fence *rows = NULL;
    size_t n = 0;
    int rc = sj_store_bail_fences_for(f->env->store, f->s->id, from_ms, to_ms, &rows, &n, err);
    f->fences = n ? sj_xcalloc(n, sizeof *f->fences) : NULL;
    f->from = n ? sj_xcalloc(n, sizeof *f->from) : NULL;
    f->until = n ? sj_xcalloc(n, sizeof *f->until) : NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct sj_fence *fence = &f->fences[f->count];
        if (sj_fence_parse_geojson(sj_str_from_cstr(rows[i].geometry), SJ_DATUM_WGS84, fence,
                                   NULL) < 0) {
            sj_fence_release(fence);
            continue;
        }
        fence->id = rows[i].id;
        fence->kind = rows[i].kind;
        f->from[f->count] = rows[i].valid_from_ms;
        f->until[f->count] = rows[i].valid_until_ms;
        f->count++;
    }
    sj_store_bail_fence_list_free(rows, n);
    if (rc == 0)
        rc = sj_store_bail_leaves_approved(f->env->store, f->s->id, from_ms - f->p->leave_grace_ms,
                                           to_ms + 1, &f->leaves, &f->leave_count, err);
    f->leave_fences = f->leave_count ? sj_xcalloc(f->leave_count, sizeof *f->leave_fences) : NULL;
    for (size_t i = 0; rc == 0 && i < f->leave_count; i++)
        sj_bail_leave_fence(&f->leaves[i], &f->leave_fences[i]);
    f->states = sj_xcalloc(f->count + 1, sizeof *f->states);
    for (size_t i = 0; rc == 0 && i <= f->count; i++) {
        if (i == 0 || f->fences[i - 1].kind == SJ_FENCE_FORBIDDEN)
            rc = sj_store_bail_fence_state_get(f->env->store, f->s->id, i ? f->fences[i - 1].id : 0,
                                               &f->states[i], err);
    }
    return rc;
}

static int save(struct feed *f, struct sj_err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i <= f->count; i++) {
        if (i == 0 || f->fences[i - 1].kind == SJ_FENCE_FORBIDDEN)
            rc = sj_store_bail_fence_state_put(f->env->store, f->s->id, i ? f->fences[i - 1].id : 0,
                                               &f->states[i], err);
    }
    return rc;
}

static void release(struct feed *f)
{
    for (size_t i = 0; i < f->count; i++)
        sj_fence_release(&f->fences[i]);
    free(f->fences);
    free(f->from);
    free(f->until);
    for (size_t i = 0; i < f->leave_count; i++)
        sj_fence_release(&f->leave_fences[i]);
    free(f->leave_fences);
    sj_store_bail_leave_list_free(f->leaves, f->leave_count);
    free(f->states);
}

static int raise_for(struct feed *f, enum sj_bail_alert_kind kind, int64_t fence_id, int64_t t,
                     const char *detail, struct sj_err *err)
{
    char source[48], key[96];
    bool is_new = false;
    snprintf(source, sizeof source, "fence:%lld", (long long)fence_id);
    snprintf(key, sizeof key, "%s:%lld:%lld:%lld", sj_bail_alert_kind_name(kind),
             (long long)f->s->id, (long long)fence_id, (long long)t);
    int rc = sj_bail_raise(f->env, f->who, f->s, kind, detail, source, key, &is_new, err);
    f->raised += is_new;
    return rc;
}

/* The union of the allowed places at the fix; *covered says whether an approved leave (or
 * its return grace period) covers the fix time. Returns false when nothing is allowed then. */
static bool union_rel(const struct feed *f, const struct sj_bail_fix *x, enum sj_fence_rel *rel,
                      bool *covered)
{
    bool has = false;
    *rel = SJ_FENCE_OUTSIDE;
    *covered = false;
    for (size_t i = 0; i < f->count && *rel != SJ_FENCE_INSIDE; i++) {
        if (f->fences[i].kind != SJ_FENCE_ALLOWED || !is_valid_at(f, i, x->fix_ms))
            continue;
        has = true;
        enum sj_fence_rel r = sj_fence_judge(&f->fences[i], x->pos, x->accuracy_m);
        *rel = r > *rel ? r : *rel;
    }
    for (size_t i = 0; i < f->leave_count; i++) {
        const struct sj_bail_leave *l = &f->leaves[i];
        if (x->fix_ms >= l->start_ms && x->fix_ms < l->end_ms + f->p->leave_grace_ms)
            *covered = true;
        if (x->fix_ms < l->start_ms || x->fix_ms >= l->end_ms)
            continue;
        has = true;
        enum sj_fence_rel r = sj_fence_judge(&f->leave_fences[i], x->pos, x->accuracy_m);
        *rel = r > *rel ? r : *rel;
    }
    return has;
}

static int feed_one(struct feed *f, const struct sj_bail_fix *x, struct sj_err *err)
{
    enum sj_fence_rel rel;
    bool covered = false;
    int rc = 0;
    if (union_rel(f, x, &rel, &covered) &&
        sj_fence_state_feed(&f->states[0], rel, x->fix_ms, &f->p->fence) == SJ_FENCE_EVENT_EXITED &&
        !covered)
        rc = raise_for(f, SJ_BAIL_ALERT_FENCE_BREACH, 0, x->fix_ms,
                       "连续定位确认被监管人已离开允许的活动区域", err);
    for (size_t i = 0; rc == 0 && i < f->count; i++) {
        const struct sj_fence *fence = &f->fences[i];
        if (fence->kind != SJ_FENCE_FORBIDDEN || !is_valid_at(f, i, x->fix_ms))
            continue;
        enum sj_fence_rel r = sj_fence_judge(fence, x->pos, x->accuracy_m);
        if (sj_fence_state_feed(&f->states[i + 1], r, x->fix_ms, &f->p->fence) ==
            SJ_FENCE_EVENT_ENTERED) {
            char detail[160];
            snprintf(detail, sizeof detail, "连续定位确认被监管人进入禁入区域（围栏 %lld）",
                     (long long)fence->id);
            rc = raise_for(f, SJ_BAIL_ALERT_FORBIDDEN_ENTRY, fence->id, x->fix_ms, detail, err);
        }
    }
    return rc;
}

int sj_bail_feed_fences(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_subject *s, const struct sj_bail_fix *fixes,
                        size_t count, size_t *raised, struct sj_err *err)
{
    if (count == 0)
        return 0;
    struct sj_bail_params buf;
    struct feed f = {.env = env, .who = who, .s = s, .p = sj_bail_env_params(env, &buf)};
    int rc = load(&f, fixes[0].fix_ms, fixes[count - 1].fix_ms, err);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = feed_one(&f, &fixes[i], err);
    if (rc == 0)
        rc = save(&f, err);
    if (raised)
        *raised += f.raised;
    release(&f);
    return rc;
}
