/*
 * fence_state.c - the confirmation state machine of one (subject, fence) pair
 * (shujian/bail.h). A state changes only when a run of consecutive definite fixes on the
 * other side confirms it: confirm_count fixes, or two or more spanning confirm_dwell_ms. An
 * UNCERTAIN fix (the accuracy circle crosses the boundary) breaks a run, and fixes older than
 * the newest one fed are ignored, so drift along a boundary and late uploads never confirm.
 */
#include <string.h>

#include "bail/bail_int.h"

#define DEFAULT_CONFIRM_COUNT 3
#define DEFAULT_CONFIRM_DWELL_MS (5LL * 60 * 1000)

static const char *const state_names[] = {"unknown", "inside", "outside"};

const char *sj_fence_state_name(enum sj_fence_state_value state)
{
    return (unsigned)state < SJ_ARRAY_LEN(state_names) ? state_names[state] : "unknown";
}

int sj_fence_state_parse(const char *text, enum sj_fence_state_value *state)
{
    for (size_t i = 0; text && i < SJ_ARRAY_LEN(state_names); i++) {
        if (strcmp(text, state_names[i]) == 0) {
            *state = (enum sj_fence_state_value)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

const char *sj_fence_event_name(enum sj_fence_event event)
{
    switch (event) {
    case SJ_FENCE_EVENT_ENTERED:
        return "entered";
    case SJ_FENCE_EVENT_EXITED:
        return "exited";
    default:
        return "none";
    }
}

static void end_run(struct sj_fence_state *s)
{
    s->run_rel = SJ_FENCE_UNCERTAIN;
    s->run_count = 0;
    s->run_first_ms = 0;
}

enum sj_fence_event sj_fence_state_feed(struct sj_fence_state *s, enum sj_fence_rel rel,
                                        int64_t fix_ms, const struct sj_fence_params *params)
{
    int count = params && params->confirm_count > 0 ? params->confirm_count : DEFAULT_CONFIRM_COUNT;
    int64_t dwell = params && params->confirm_dwell_ms > 0 ? params->confirm_dwell_ms
                                                           : DEFAULT_CONFIRM_DWELL_MS;
    if (s->last_fix_ms != 0 && fix_ms <= s->last_fix_ms)
        return SJ_FENCE_EVENT_NONE;
    s->last_fix_ms = fix_ms;
    if (rel != SJ_FENCE_INSIDE && rel != SJ_FENCE_OUTSIDE) {
        end_run(s);
        return SJ_FENCE_EVENT_NONE;
    }
    enum sj_fence_state_value target =
        rel == SJ_FENCE_INSIDE ? SJ_FENCE_STATE_INSIDE : SJ_FENCE_STATE_OUTSIDE;
    if (s->state == target) {
        end_run(s);
        return SJ_FENCE_EVENT_NONE;
    }
    if (s->run_rel != rel || s->run_count == 0) {
        s->run_rel = rel;
        s->run_count = 0;
        s->run_first_ms = fix_ms;
    }
    s->run_count++;
    bool is_confirmed =
        s->run_count >= count || (s->run_count >= 2 && fix_ms - s->run_first_ms >= dwell);
    if (!is_confirmed)
        return SJ_FENCE_EVENT_NONE;
    s->state = target;
    s->state_since_ms = fix_ms;
    end_run(s);
    return target == SJ_FENCE_STATE_INSIDE ? SJ_FENCE_EVENT_ENTERED : SJ_FENCE_EVENT_EXITED;
}
