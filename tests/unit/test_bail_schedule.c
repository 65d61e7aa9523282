/*
 * test_bail_schedule.c - local time (fixed UTC+8), check-in schedules and their due slots,
 * spot checks, and the judging of one check-in: a table of check-ins (place, time, mock flag,
 * speed, slot, face) with the verdict, flags and alerts each must get.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/bail.h"

#define M_PER_DEG (SJ_GEO_EARTH_RADIUS_M * M_PI / 180.0)
#define MIN_MS SJ_BAIL_MINUTE_MS
#define HOUR_MS (60 * MIN_MS)

static const struct sj_geo_point huli = {24.5130, 118.1460};

static struct sj_geo_point offset(struct sj_geo_point p, double east_m, double north_m)
{
    return (struct sj_geo_point){p.lat + north_m / M_PER_DEG,
                                 p.lon + east_m / (M_PER_DEG * cos(p.lat * M_PI / 180.0))};
}

static int64_t day_of(const char *date)
{
    int64_t day = 0;
    assert_int_equal(sj_bail_day_parse(date, &day), 0);
    return day;
}

/* ---- Local time ---------------------------------------------------------------------------- */

static void test_local_time(void **state)
{
    static const struct {
        int64_t t_ms;
        const char *date;
        int weekday;
        const char *text;
    } cases[] = {
        {0, "1970-01-01", 4, "1970-01-01T08:00:00+08:00"},
        {16 * HOUR_MS - 1000, "1970-01-01", 4, "1970-01-01T23:59:59+08:00"},
        {16 * HOUR_MS, "1970-01-02", 5, "1970-01-02T00:00:00+08:00"},
        {-8 * HOUR_MS - 1, "1969-12-31", 3, "1969-12-31T23:59:59+08:00"},
        /* 2026-11-27 00:00 +08:00 is 2026-11-26 16:00 UTC = 1795708800 s. */
        {1795708800000LL, "2026-11-27", 5, "2026-11-27T00:00:00+08:00"},
        {1795708800000LL - 1, "2026-11-26", 4, "2026-11-26T23:59:59+08:00"},
        {951753600000LL, "2000-02-29", 2, "2000-02-29T00:00:00+08:00"}, /* a leap day */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t day = sj_bail_local_day(cases[i].t_ms);
        char date[11], text[26];
        sj_bail_day_format(day, date);
        sj_bail_time_format(cases[i].t_ms, text);
        if (strcmp(date, cases[i].date) != 0 || strcmp(text, cases[i].text) != 0 ||
            sj_bail_weekday(day) != cases[i].weekday)
            fail_msg("case %zu: %s %s weekday %d", i, date, text, sj_bail_weekday(day));
        assert_true(sj_bail_day_start(day) <= cases[i].t_ms);
        assert_true(cases[i].t_ms < sj_bail_day_start(day + 1));
        assert_int_equal(day_of(date), day);
    }
    static const char *const bad[] = {"2026-02-29", "2026-13-01", "2026-00-10", "2026-4-01",
                                      "2026/04/01", "2024-02-30", "",           "2026-04-31"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t day = 0;
        assert_int_equal(sj_bail_day_parse(bad[i], &day), SJ_EINVAL);
    }
    assert_int_equal(day_of("2024-02-29") + 1, day_of("2024-03-01"));
}

/* ---- Slots --------------------------------------------------------------------------------- */

static void test_daily_and_weekly_slots(void **state)
{
    int64_t day = day_of("2026-11-23"); /* a Monday */
    assert_int_equal(sj_bail_weekday(day), 1);
    struct sj_bail_schedule s[2] = {
        {.id = 1, .kind = SJ_BAIL_SCHEDULE_DAILY, .start_min = 480, .end_min = 1200},
        {.id = 2,
         .kind = SJ_BAIL_SCHEDULE_WEEKLY,
         .start_min = 540,
         .end_min = 600,
         .weekdays = SJ_BAIL_WEEKDAY_BIT(1) | SJ_BAIL_WEEKDAY_BIT(4)},
    };
    struct sj_bail_slot *slots = NULL;
    size_t n = 0;
    /* One week from Monday 00:00: 7 daily slots, weekly on Monday and Thursday. */
    assert_int_equal(sj_bail_slots(s, 2, NULL, 0, sj_bail_day_start(day),
                                   sj_bail_day_start(day + 7), &slots, &n, NULL),
                     0);
    assert_int_equal(n, 9);
    assert_int_equal(slots[0].kind, SJ_BAIL_SCHEDULE_DAILY);
    assert_true(slots[0].start_ms == sj_bail_day_start(day) + 8 * HOUR_MS);
    assert_true(slots[0].end_ms == sj_bail_day_start(day) + 20 * HOUR_MS);
    assert_int_equal(slots[1].kind, SJ_BAIL_SCHEDULE_WEEKLY);
    assert_true(slots[1].start_ms == sj_bail_day_start(day) + 9 * HOUR_MS);
    assert_true(slots[5].start_ms == sj_bail_day_start(day + 3) + 9 * HOUR_MS); /* Thursday */
    for (size_t i = 1; i < n; i++)
        assert_true(slots[i - 1].start_ms <= slots[i].start_ms);
    free(slots);
    /* A range inside one window still gets that window's slot (it overlaps). */
    assert_int_equal(sj_bail_slots(s, 1, NULL, 0, sj_bail_day_start(day) + 12 * HOUR_MS,
                                   sj_bail_day_start(day) + 13 * HOUR_MS, &slots, &n, NULL),
                     0);
    assert_int_equal(n, 1);
    free(slots);
    /* Validity: from Wednesday noon, until Friday 00:00 -> Thursday only. */
    s[0].valid_from_ms = sj_bail_day_start(day + 2) + 12 * HOUR_MS;
    s[0].valid_until_ms = sj_bail_day_start(day + 4);
    assert_int_equal(sj_bail_slots(s, 1, NULL, 0, sj_bail_day_start(day),
                                   sj_bail_day_start(day + 7), &slots, &n, NULL),
                     0);
    assert_int_equal(n, 1);
    assert_true(slots[0].start_ms == sj_bail_day_start(day + 3) + 8 * HOUR_MS);
    free(slots);
}

static void test_spots_and_ranges(void **state)
{
    int64_t day = day_of("2026-11-27");
    int64_t t0 = sj_bail_day_start(day);
    struct sj_bail_schedule s = {
        .id = 1, .kind = SJ_BAIL_SCHEDULE_DAILY, .start_min = 480, .end_min = 1200};
    struct sj_bail_spot spots[2] = {{5, t0 + 14 * HOUR_MS, t0 + 14 * HOUR_MS + 30 * MIN_MS},
                                    {6, t0 + 8 * HOUR_MS, t0 + 8 * HOUR_MS}}; /* empty: skipped */
    struct sj_bail_slot *slots = NULL;
    size_t n = 0;
    assert_int_equal(sj_bail_slots(&s, 1, spots, 2, t0, t0 + SJ_BAIL_DAY_MS, &slots, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(slots[1].kind, SJ_BAIL_SCHEDULE_SPOT);
    assert_int_equal(slots[1].source_id, 5);
    free(slots);
    assert_int_equal(sj_bail_slots(&s, 1, NULL, 0, t0, t0 - 1, &slots, &n, NULL), SJ_EINVAL);
    assert_int_equal(
        sj_bail_slots(&s, 1, NULL, 0, t0, t0 + SJ_BAIL_SLOT_RANGE_MAX_MS + 1, &slots, &n, NULL),
        SJ_ETOOBIG);
    assert_null(slots);
    /* Invalid schedules are refused by the check and skipped by the slots. */
    static const struct sj_bail_schedule bad[] = {
        {.kind = SJ_BAIL_SCHEDULE_DAILY, .start_min = 600, .end_min = 600},
        {.kind = SJ_BAIL_SCHEDULE_DAILY, .start_min = -1, .end_min = 600},
        {.kind = SJ_BAIL_SCHEDULE_DAILY, .start_min = 0, .end_min = 1441},
        {.kind = SJ_BAIL_SCHEDULE_WEEKLY, .start_min = 0, .end_min = 60, .weekdays = 0},
        {.kind = SJ_BAIL_SCHEDULE_WEEKLY, .start_min = 0, .end_min = 60, .weekdays = 0x80},
        {.kind = SJ_BAIL_SCHEDULE_SPOT, .start_min = 0, .end_min = 60},
        {.kind = SJ_BAIL_SCHEDULE_DAILY,
         .start_min = 0,
         .end_min = 60,
         .valid_from_ms = 10,
         .valid_until_ms = 5},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sj_err err;
        assert_int_equal(sj_bail_schedule_check(&bad[i], &err), SJ_EINVAL);
        assert_int_equal(
            sj_bail_slots(&bad[i], 1, NULL, 0, t0, t0 + SJ_BAIL_DAY_MS, &slots, &n, NULL), 0);
        assert_int_equal(n, 0);
    }
}

static void test_spot_pick(void **state)
{
    int64_t day = day_of("2026-11-27"), t0 = sj_bail_day_start(day);
    int64_t seen_min = INT64_MAX, seen_max = INT64_MIN;
    for (uint64_t seed = 0; seed < 2000; seed++) {
        int64_t t = sj_bail_spot_pick(seed, day, 480, 1200, 30 * MIN_MS);
        assert_true(t >= t0 + 8 * HOUR_MS);
        assert_true(t + 30 * MIN_MS <= t0 + 20 * HOUR_MS);
        assert_true(t % MIN_MS == 0);
        seen_min = t < seen_min ? t : seen_min;
        seen_max = t > seen_max ? t : seen_max;
        assert_true(t == sj_bail_spot_pick(seed, day, 480, 1200, 30 * MIN_MS));
    }
    assert_true(seen_max - seen_min > 10 * HOUR_MS); /* spread over the window */
    /* A deadline longer than the window: the window's start. */
    assert_true(sj_bail_spot_pick(7, day, 480, 500, HOUR_MS) == t0 + 8 * HOUR_MS);
}

/* ---- Judging ------------------------------------------------------------------------------- */

struct fake_face {
    int rc;
    enum sj_bail_face result;
};

static int fake_verify(void *ctx, int64_t subject_id, struct sj_str photo,
                       enum sj_bail_face *result, double *score, struct sj_err *err)
{
    const struct fake_face *f = ctx;
    *result = f->result;
    *score = f->result == SJ_BAIL_FACE_MATCH ? 0.93 : 0.12;
    return f->rc;
}

enum where { HOME, EDGE, WEST_5KM, FORBIDDEN, LEAVE_DEST, BAD };

struct judge_case {
    const char *name;
    enum where where;
    double accuracy_m;
    int64_t fix_off_ms;      /* from 12:00 local */
    int64_t received_off_ms; /* from the fix */
    bool is_mock;
    int previous; /* 0 none, 1 100 km 10 min ago, 2 10 km 30 min ago */
    int face;     /* 0 default verifier, 1 match, 2 mismatch, 3 error, 4 no face */
    bool has_leave;
    bool has_fences;
    enum sj_bail_verdict_status want;
    unsigned want_flags; /* must be set */
    unsigned deny_flags; /* must not be set */
    const char *alerts;  /* kinds raised, space-separated, in order */
    bool want_slot;
};

#define F(x) SJ_BAIL_FLAG_##x

static const struct judge_case judge_cases[] = {
    {"at home", HOME, 20, 0, 5000, false, 0, 0, false, true, SJ_BAIL_ACCEPTED, F(FACE_UNVERIFIED),
     F(OUTSIDE) | F(LATE_UPLOAD), "", true},
    {"5 km away", WEST_5KM, 20, 0, 5000, false, 0, 0, false, true, SJ_BAIL_FLAGGED, F(OUTSIDE), 0,
     "fence-breach", true},
    {"on the edge", EDGE, 50, 0, 5000, false, 0, 0, false, true, SJ_BAIL_FLAGGED,
     F(UNCERTAIN_PLACE), F(OUTSIDE), "", true},
    {"in a forbidden zone", FORBIDDEN, 20, 0, 5000, false, 0, 0, false, true, SJ_BAIL_FLAGGED,
     F(FORBIDDEN) | F(OUTSIDE), 0, "fence-breach forbidden-entry", true},
    {"fix in the future", HOME, 20, 0, -5 * MIN_MS, false, 0, 0, false, true, SJ_BAIL_REJECTED,
     F(FUTURE), F(OUTSIDE), "", false},
    {"clock a minute fast", HOME, 20, 0, -MIN_MS, false, 0, 0, false, true, SJ_BAIL_ACCEPTED, 0,
     F(FUTURE), "", true},
    {"fix four days old", HOME, 20, 0, 96 * HOUR_MS, false, 0, 0, false, true, SJ_BAIL_REJECTED,
     F(TOO_OLD), 0, "", false},
    {"mock location", HOME, 20, 0, 5000, true, 0, 0, false, true, SJ_BAIL_REJECTED,
     F(MOCK_LOCATION), 0, "mock-location", false},
    {"late upload", HOME, 20, 7 * HOUR_MS + 30 * MIN_MS, 90 * MIN_MS, false, 0, 0, false, true,
     SJ_BAIL_FLAGGED, F(LATE_UPLOAD), 0, "", true},
    {"after the window", HOME, 20, 9 * HOUR_MS, 60000, false, 0, 0, false, true, SJ_BAIL_ACCEPTED,
     F(NO_SLOT), F(LATE_UPLOAD), "", false},
    {"100 km in 10 minutes", HOME, 20, 0, 5000, false, 1, 0, false, true, SJ_BAIL_FLAGGED,
     F(IMPOSSIBLE_SPEED), 0, "impossible-travel", true},
    {"10 km in 30 minutes", HOME, 20, 0, 5000, false, 2, 0, false, true, SJ_BAIL_ACCEPTED, 0,
     F(IMPOSSIBLE_SPEED), "", true},
    {"someone else's face", HOME, 20, 0, 5000, false, 0, 2, false, true, SJ_BAIL_REJECTED,
     F(FACE_MISMATCH), 0, "face-mismatch", false},
    {"face matches", HOME, 20, 0, 5000, false, 0, 1, false, true, SJ_BAIL_ACCEPTED, 0,
     F(FACE_UNVERIFIED), "", true},
    {"verifier failed", HOME, 20, 0, 5000, false, 0, 3, false, true, SJ_BAIL_ACCEPTED,
     F(FACE_UNVERIFIED), 0, "", true},
    {"no face in photo", HOME, 20, 0, 5000, false, 0, 4, false, true, SJ_BAIL_FLAGGED,
     F(FACE_UNVERIFIED), 0, "", true},
    {"on leave at the destination", LEAVE_DEST, 20, 0, 5000, false, 0, 0, true, true,
     SJ_BAIL_ACCEPTED, F(ON_LEAVE), F(OUTSIDE), "", true},
    {"on leave but at home", HOME, 20, 0, 5000, false, 0, 0, true, true, SJ_BAIL_ACCEPTED, 0,
     F(OUTSIDE) | F(ON_LEAVE), "", true},
    {"on leave, somewhere else", WEST_5KM, 20, 0, 5000, false, 0, 0, true, true, SJ_BAIL_FLAGGED,
     F(OUTSIDE), F(ON_LEAVE), "fence-breach", true},
    {"at the destination after the leave", LEAVE_DEST, 20, 3 * SJ_BAIL_DAY_MS, 5000, false, 0, 0,
     true, true, SJ_BAIL_FLAGGED, F(OUTSIDE), F(ON_LEAVE), "fence-breach", true},
    {"latitude 95", BAD, 20, 0, 5000, false, 0, 0, false, true, SJ_BAIL_REJECTED, F(BAD_POSITION),
     0, "", false},
    {"negative accuracy", HOME, -1, 0, 5000, false, 0, 0, false, true, SJ_BAIL_REJECTED,
     F(BAD_POSITION), 0, "", false},
    {"no fence set", HOME, 20, 0, 5000, false, 0, 0, false, false, SJ_BAIL_FLAGGED, F(NO_FENCE),
     F(OUTSIDE), "", true},
};

static void alert_names(const struct sj_bail_verdict *v, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < v->alert_count; i++) {
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s", i ? " " : "",
                 sj_bail_alert_kind_name(v->alerts[i].kind));
    }
}

static struct sj_geo_point where_point(enum where w, const struct sj_fence *leave_fence)
{
    switch (w) {
    case HOME:
        return offset(huli, 100, 50);
    case EDGE:
        return offset(huli, 990, 0);
    case WEST_5KM:
        return offset(huli, -5000, 0);
    case FORBIDDEN:
        return offset(huli, 3000, 0);
    case LEAVE_DEST:
        return leave_fence->center;
    default:
        return (struct sj_geo_point){95.0, 118.0};
    }
}

static void run_judge_case(const struct judge_case *c, const struct sj_fence *fences,
                           const struct sj_bail_leave_window *leave,
                           const struct sj_bail_slot *slot)
{
    int64_t noon = sj_bail_day_start(day_of("2026-11-27")) + 12 * HOUR_MS;
    struct fake_face face = {c->face == 3 ? SJ_EIO : 0, c->face == 1   ? SJ_BAIL_FACE_MATCH
                                                        : c->face == 2 ? SJ_BAIL_FACE_MISMATCH
                                                        : c->face == 4 ? SJ_BAIL_FACE_NO_FACE
                                                                       : SJ_BAIL_FACE_UNVERIFIED};
    struct sj_bail_face_verifier fake = {"fake", fake_verify, &face};
    struct sj_bail_judge_input in = {
        .subject_id = 9,
        .fix = {where_point(c->where, leave->fence), c->accuracy_m, noon + c->fix_off_ms,
                c->is_mock},
        .fences = c->has_fences ? fences : NULL,
        .fence_count = c->has_fences ? 2 : 0,
        .leaves = c->has_leave ? leave : NULL,
        .leave_count = c->has_leave ? 1 : 0,
        .slots = slot,
        .slot_count = 1,
        .face = c->face ? &fake : NULL,
        .photo = SJ_STR_LIT("\xff\xd8\xff"),
    };
    in.received_ms = in.fix.fix_ms + c->received_off_ms;
    if (c->previous) {
        double km = c->previous == 1 ? 100.0 : 10.0;
        int64_t ago = c->previous == 1 ? 10 * MIN_MS : 30 * MIN_MS;
        in.has_previous = true;
        in.previous =
            (struct sj_bail_fix){offset(in.fix.pos, 0, -km * 1000), 30, in.fix.fix_ms - ago, false};
    }
    struct sj_bail_verdict v;
    char alerts[256];
    assert_int_equal(sj_bail_judge_checkin(&in, &v), 0);
    alert_names(&v, alerts, sizeof alerts);
    if (v.status != c->want || (v.flags & c->want_flags) != c->want_flags ||
        (v.flags & c->deny_flags) != 0 || strcmp(alerts, c->alerts) != 0 ||
        v.has_slot != c->want_slot)
        fail_msg("%s: status %s flags %#x alerts \"%s\" slot %d (%s)", c->name,
                 sj_bail_verdict_status_name(v.status), v.flags, alerts, v.has_slot, v.reason);
    assert_true(strlen(v.reason) > 0);
    for (size_t i = 0; i < v.alert_count; i++)
        assert_int_equal(v.alerts[i].severity, sj_bail_alert_severity(v.alerts[i].kind));
    if (c->face == 0)
        assert_int_equal(v.face, SJ_BAIL_FACE_UNVERIFIED); /* never a fake pass */
}

static void test_judge_table(void **state)
{
    struct sj_fence fences[2], dest;
    assert_int_equal(sj_fence_circle(huli, 1000, &fences[0], NULL), 0);
    fences[0].id = 1;
    assert_int_equal(sj_fence_circle(offset(huli, 3000, 0), 300, &fences[1], NULL), 0);
    fences[1].id = 2;
    fences[1].kind = SJ_FENCE_FORBIDDEN;
    assert_int_equal(sj_fence_circle(offset(huli, 0, 50000), 2000, &dest, NULL), 0);
    int64_t day = day_of("2026-11-27");
    struct sj_bail_leave_window leave = {7, sj_bail_day_start(day), sj_bail_day_start(day + 2),
                                         &dest};
    struct sj_bail_slot slot = {SJ_BAIL_SCHEDULE_DAILY, 1, sj_bail_day_start(day) + 8 * HOUR_MS,
                                sj_bail_day_start(day) + 20 * HOUR_MS};
    for (size_t i = 0; i < sizeof judge_cases / sizeof judge_cases[0]; i++) {
        struct sj_bail_slot s = slot;
        if (judge_cases[i].fix_off_ms >= SJ_BAIL_DAY_MS) { /* the later day's window */
            s.start_ms += 3 * SJ_BAIL_DAY_MS;
            s.end_ms += 3 * SJ_BAIL_DAY_MS;
        }
        run_judge_case(&judge_cases[i], fences, &leave, &s);
    }
}

static void test_speed_and_allowed_rel(void **state)
{
    struct sj_bail_fix a = {huli, 10, 1000000, false};
    struct sj_bail_fix b = {offset(huli, 0, 10020), 10, 1000000 + 3600000, false};
    assert_true(fabs(sj_bail_speed_kmh(&a, &b) - 10.0) < 0.05); /* 10 km less both radii */
    b.fix_ms = a.fix_ms;
    assert_true(isinf(sj_bail_speed_kmh(&a, &b)));
    b.pos = offset(huli, 0, 15);
    assert_true(sj_bail_speed_kmh(&a, &b) == 0.0); /* within the accuracy: no movement */
    struct sj_fence f[3];
    sj_fence_circle(huli, 500, &f[0], NULL);
    f[0].id = 11;
    sj_fence_circle(offset(huli, 2000, 0), 500, &f[1], NULL);
    f[1].id = 12;
    sj_fence_circle(offset(huli, 2000, 0), 5000, &f[2], NULL);
    f[2].id = 13;
    f[2].kind = SJ_FENCE_FORBIDDEN;
    int64_t id = -1;
    struct sj_bail_fix x = {offset(huli, 2000, 0), 30, 0, false};
    assert_int_equal(sj_bail_allowed_rel(f, 3, &x, &id), SJ_FENCE_INSIDE);
    assert_int_equal(id, 12);
    x.pos = offset(huli, 1000, 0);
    assert_int_equal(sj_bail_allowed_rel(f, 3, &x, &id), SJ_FENCE_OUTSIDE);
    assert_int_equal(id, 0);
    x.pos = offset(huli, 490, 0);
    assert_int_equal(sj_bail_allowed_rel(f, 3, &x, &id), SJ_FENCE_UNCERTAIN);
    assert_int_equal(id, 11);
    assert_int_equal(sj_bail_allowed_rel(f + 2, 1, &x, &id), SJ_FENCE_OUTSIDE);
}

static void test_names(void **state)
{
    for (int k = 0; k < SJ_BAIL_ALERT_KIND_COUNT; k++) {
        enum sj_bail_alert_kind back;
        assert_int_equal(sj_bail_alert_kind_parse(sj_bail_alert_kind_name(k), &back), 0);
        assert_int_equal(back, k);
        assert_int_equal(sj_bail_alert_kind_parse(sj_bail_alert_kind_label(k), &back), 0);
        assert_int_equal(back, k);
    }
    for (unsigned i = 0; i < SJ_BAIL_FLAG_COUNT; i++)
        assert_non_null(sj_bail_flag_name(i));
    assert_null(sj_bail_flag_name(SJ_BAIL_FLAG_COUNT));
    enum sj_bail_severity s;
    assert_int_equal(sj_bail_severity_parse("高", &s), 0);
    assert_int_equal(s, SJ_BAIL_SEVERITY_HIGH);
    assert_int_equal(sj_bail_severity_parse("urgent", &s), SJ_EINVAL);
    assert_int_equal(sj_bail_alert_severity(SJ_BAIL_ALERT_FENCE_BREACH), SJ_BAIL_SEVERITY_HIGH);
    const struct sj_bail_face_verifier *d = sj_bail_face_default();
    enum sj_bail_face face = SJ_BAIL_FACE_MATCH;
    double score = 1.0;
    assert_int_equal(d->verify(d->ctx, 1, SJ_STR_LIT("x"), &face, &score, NULL), 0);
    assert_int_equal(face, SJ_BAIL_FACE_UNVERIFIED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_time),
        cmocka_unit_test(test_daily_and_weekly_slots),
        cmocka_unit_test(test_spots_and_ranges),
        cmocka_unit_test(test_spot_pick),
        cmocka_unit_test(test_judge_table),
        cmocka_unit_test(test_speed_and_allowed_rel),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("bail_schedule", tests, NULL, NULL);
}
