/*
 * test_bail_leave.c - bail supervision over time on real SQLite workspaces
 * (test_bail_fixture.h): position trails through the fence state machines (GPS drift along the
 * home fence raises nothing, a real exit one breach, entering a group's forbidden zone one
 * alert, a resent batch nothing), leave requests (only the responsible officers decide;
 * an approved leave suppresses home-fence breaches in its window only; the sweep settles a
 * leave as returned or overrun), and the daily review that cannot be signed off while any
 * check-in, leave request or alert of the day is unhandled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_bail_fixture.h"

static uint64_t rng_state = 7;

static double uniform(void) /* xorshift64*, [0, 1) */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

/* Uploads fixes as a phone would: WGS-84 converted to GCJ-02, batches of up to 100, each sent
 * a second after its newest fix. Returns the number stored. */
static size_t upload(struct bail_fx *f, const struct sj_bail_device *d, struct sj_bail_fix *fixes,
                     size_t n)
{
    size_t total = 0;
    for (size_t at = 0; at < n; at += 100) {
        size_t k = n - at < 100 ? n - at : 100;
        struct sj_bail_fix batch[100];
        for (size_t i = 0; i < k; i++) {
            batch[i] = fixes[at + i];
            batch[i].pos = sj_geo_wgs84_to_gcj02(fixes[at + i].pos);
        }
        struct sj_bail_actor who = fx_phone(d, batch[k - 1].fix_ms + 1000);
        struct sj_err err;
        size_t stored = 0;
        if (sj_bail_positions_add(&f->env, &who, d, batch, k, SJ_DATUM_GCJ02, &stored, &err) != 0)
            fail_msg("positions: %s", err.message);
        total += stored;
    }
    return total;
}

/* Walks from a to b over [t0, t1) with a fix every step_ms (accuracy acc). */
static size_t walk(struct bail_fx *f, const struct sj_bail_device *d, struct sj_geo_point a,
                   struct sj_geo_point b, int64_t t0, int64_t t1, int64_t step_ms, double acc)
{
    size_t n = (size_t)((t1 - t0) / step_ms);
    struct sj_bail_fix *fixes = calloc(n ? n : 1, sizeof *fixes);
    for (size_t i = 0; i < n; i++) {
        double s = n > 1 ? (double)i / (double)(n - 1) : 0.0;
        fixes[i] = (struct sj_bail_fix){{a.lat + s * (b.lat - a.lat), a.lon + s * (b.lon - a.lon)},
                                        acc,
                                        t0 + (int64_t)i * step_ms,
                                        false};
    }
    size_t stored = upload(f, d, fixes, n);
    free(fixes);
    return stored;
}

/* ---- Drift ---------------------------------------------------------------------------------- */

static void test_drift_and_exit(void **state)
{
    struct bail_fx *f = *state;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device d = fx_bind(f, f->subject, "inst-1", f->t0 + HOUR_MS, token);
    int64_t t = f->t0 + 9 * HOUR_MS;
    walk(f, &d, home, home, t, t + 5 * MIN_MS, 30000, 10);
    /* Two hours along the inside of the 1500 m home circle, 5-40 m from it; the error stays
     * within the reported accuracy except every 7th fix, pushed 2.5 accuracies outwards. */
    enum { DRIFT = 240 };
    struct sj_bail_fix fixes[DRIFT];
    int outside = 0;
    t += 10 * MIN_MS;
    for (int i = 0; i < DRIFT; i++) {
        double angle = M_PI * i / DRIFT, r = 1500 - 5 - 35 * uniform();
        double acc = 15 + 45 * uniform(), err_m = acc * uniform(), dir = 2 * M_PI * uniform();
        if (i % 7 == 3) {
            err_m = 2.5 * acc;
            dir = angle;
        }
        struct sj_geo_point p =
            fx_offset(home, r * cos(angle) + err_m * cos(dir), r * sin(angle) + err_m * sin(dir));
        fixes[i] = (struct sj_bail_fix){p, acc, t + i * 30000LL, false};
        struct sj_fence fence;
        sj_fence_circle(home, 1500, &fence, NULL);
        outside += sj_fence_judge(&fence, p, acc) == SJ_FENCE_OUTSIDE;
    }
    assert_int_equal(upload(f, &d, fixes, DRIFT), DRIFT);
    assert_true(outside >= 15); /* the drift did cross the boundary, now and then */
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_FENCE_BREACH), 0);
    /* A resent batch stores nothing and raises nothing. */
    assert_int_equal(upload(f, &d, fixes, 50), 0);
    /* A real exit where the drift ended, on the west side: cycling out at 5 m/s. */
    t += DRIFT * 30000LL;
    walk(f, &d, fx_offset(home, -1450, 0), fx_offset(home, -3000, 0), t, t + 6 * MIN_MS, 30000, 15);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_FENCE_BREACH), 1);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_IMPOSSIBLE_TRAVEL), 0);
    /* Into the forbidden zone of a group the subject belongs to. */
    struct sj_bail_actor officer = fx_officer(f, f->prosecutor, t);
    struct sj_err err;
    assert_int_equal(sj_bail_group_add(&f->env, &officer, "涉毒人员", f->subject, &err), 0);
    fx_circle_fence(f, 0, "涉毒人员", SJ_FENCE_FORBIDDEN, fx_offset(home, -4000, 0), 300);
    t += 10 * MIN_MS;
    walk(f, &d, fx_offset(home, -3000, 0), fx_offset(home, -4000, 0), t, t + 10 * MIN_MS, 30000,
         15);
    walk(f, &d, fx_offset(home, -4000, 0), fx_offset(home, -4000, 0), t + 10 * MIN_MS,
         t + 15 * MIN_MS, 30000, 15);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_FORBIDDEN_ENTRY), 1);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_FENCE_BREACH), 1);
    /* A teleport is impossible travel. */
    struct sj_bail_fix jump[2] = {{fx_offset(home, -4000, 0), 10, t + 20 * MIN_MS, false},
                                  {fx_offset(home, -4000, 90000), 10, t + 25 * MIN_MS, false}};
    upload(f, &d, jump, 2);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_IMPOSSIBLE_TRAVEL), 1);
    assert_true(fx_ledger_count(f, "bail.positions") >= 8);
    sj_bail_device_release(&d);
}

/* ---- Leave ---------------------------------------------------------------------------------- */

static int64_t submit_leave(struct bail_fx *f, const struct sj_bail_actor *who, int64_t subject,
                            struct sj_geo_point dest, int64_t start, int64_t end, int expect)
{
    struct sj_bail_leave_request req = {
        "泉州市第一医院", "复查术后伤口", dest, SJ_DATUM_WGS84, 0, start, end};
    struct sj_err err;
    int64_t id = 0;
    int rc = sj_bail_leave_submit(&f->env, who, subject, &req, &id, &err);
    if (rc != expect)
        fail_msg("leave: rc %d (%s)", rc, err.message);
    return id;
}

static void test_leave_suppresses_in_its_window(void **state)
{
    struct bail_fx *f = *state;
    struct sj_err err;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device d = fx_bind(f, f->subject, "inst-1", f->t0 + HOUR_MS, token);
    struct sj_geo_point dest = fx_offset(home, 0, 50000);
    int64_t mon9 = f->t0 + 9 * HOUR_MS, tue8 = f->t0 + DAY_MS + 8 * HOUR_MS;
    int64_t wed20 = f->t0 + 2 * DAY_MS + 20 * HOUR_MS;
    walk(f, &d, home, home, mon9, mon9 + 5 * MIN_MS, 30000, 10);
    struct sj_bail_actor phone = fx_phone(&d, mon9 + HOUR_MS);
    int64_t leave = submit_leave(f, &phone, f->subject, dest, tue8, wed20, 0);
    /* A phone asks only for its own subject. */
    int64_t other = fx_subject(f, "苏文静", "35020619851204567", "(2026)闽0206刑初124号");
    submit_leave(f, &phone, other, dest, tue8, wed20, SJ_EPERM);
    /* Only the responsible officers decide, always with a note, and only once. */
    struct sj_bail_actor stranger = fx_officer(f, f->prosecutor2, mon9 + 2 * HOUR_MS);
    struct sj_bail_actor police = fx_officer(f, f->police, mon9 + 2 * HOUR_MS);
    assert_int_equal(sj_bail_leave_decide(&f->env, &stranger, leave, true, "同意", &err), SJ_EPERM);
    assert_int_equal(sj_bail_leave_decide(&f->env, &police, leave, true, "", &err), SJ_EINVAL);
    assert_int_equal(sj_bail_leave_decide(&f->env, &police, leave, true, "同意，按时返回", &err),
                     0);
    assert_int_equal(sj_bail_leave_decide(&f->env, &police, leave, false, "不同意", &err),
                     SJ_EINVAL);
    struct sj_bail_leave l;
    assert_int_equal(sj_bail_leave_get(f->w.store, leave, &l, &err), 0);
    assert_int_equal(l.status, SJ_BAIL_LEAVE_APPROVED);
    assert_true(l.fence_id > 0);
    sj_bail_leave_release(&l);
    /* Tuesday: two hours' drive to the destination, then there until Thursday 02:00, six hours
     * past the leave's end. */
    walk(f, &d, home, dest, tue8, tue8 + 2 * HOUR_MS, 2 * MIN_MS, 20);
    walk(f, &d, dest, dest, tue8 + 2 * HOUR_MS, wed20 + 6 * HOUR_MS, 30 * MIN_MS, 20);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_FENCE_BREACH), 0);
    struct sj_bail_actor sys = fx_system(wed20 + 6 * HOUR_MS);
    struct sj_bail_sweep_counts c;
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.overrun, 1);
    assert_int_equal(c.returned, 0);
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.overrun, 0);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_LEAVE_OVERRUN), 1);
    /* Back home on Thursday morning; a second leave on Friday, returned in time. */
    int64_t thu8 = f->t0 + 3 * DAY_MS + 8 * HOUR_MS, fri8 = thu8 + DAY_MS;
    walk(f, &d, dest, home, thu8, thu8 + 2 * HOUR_MS, 2 * MIN_MS, 20);
    walk(f, &d, home, home, thu8 + 2 * HOUR_MS, thu8 + 3 * HOUR_MS, 5 * MIN_MS, 20);
    phone.now_ms = thu8 + 4 * HOUR_MS;
    police.now_ms = thu8 + 5 * HOUR_MS;
    int64_t second = submit_leave(f, &phone, f->subject, dest, fri8, fri8 + 10 * HOUR_MS, 0);
    assert_int_equal(sj_bail_leave_decide(&f->env, &police, second, true, "同意", &err), 0);
    walk(f, &d, home, dest, fri8, fri8 + 2 * HOUR_MS, 2 * MIN_MS, 20);
    walk(f, &d, dest, dest, fri8 + 2 * HOUR_MS, fri8 + 6 * HOUR_MS, 30 * MIN_MS, 20);
    walk(f, &d, dest, home, fri8 + 6 * HOUR_MS, fri8 + 8 * HOUR_MS, 2 * MIN_MS, 20);
    walk(f, &d, home, home, fri8 + 8 * HOUR_MS, fri8 + 12 * HOUR_MS, 10 * MIN_MS, 20);
    sys.now_ms = fri8 + 12 * HOUR_MS + MIN_MS;
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.returned, 1);
    assert_int_equal(c.overrun, 0);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_FENCE_BREACH), 0);
    /* Saturday, no leave: going out of the home fence is a breach again. */
    int64_t sat10 = fri8 + DAY_MS + 2 * HOUR_MS;
    walk(f, &d, home, fx_offset(home, 0, 20000), sat10, sat10 + HOUR_MS, 2 * MIN_MS, 20);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_FENCE_BREACH), 1);
    assert_int_equal(fx_ledger_count(f, "bail.leave.submit"), 2);
    assert_int_equal(fx_ledger_count(f, "bail.leave.decide"), 2);
    assert_int_equal(fx_ledger_count(f, "bail.leave.settle"), 2);
    sj_bail_device_release(&d);
}

/* Still at the destination when the sweep comes: the only fix after the leave's end is outside
 * but has not confirmed an exit, so the allowed-places state is still the "inside" the
 * destination gave during the leave. That is an overrun, not a return. */
static void test_overrun_before_exit_is_confirmed(void **state)
{
    struct bail_fx *f = *state;
    struct sj_err err;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device d = fx_bind(f, f->subject, "inst-1", f->t0 + HOUR_MS, token);
    struct sj_geo_point dest = fx_offset(home, 0, 50000);
    int64_t mon9 = f->t0 + 9 * HOUR_MS, tue8 = f->t0 + DAY_MS + 8 * HOUR_MS;
    int64_t tue18 = tue8 + 10 * HOUR_MS;
    walk(f, &d, home, home, mon9, mon9 + 5 * MIN_MS, 30000, 10);
    struct sj_bail_actor phone = fx_phone(&d, mon9 + HOUR_MS);
    int64_t leave = submit_leave(f, &phone, f->subject, dest, tue8, tue18, 0);
    struct sj_bail_actor police = fx_officer(f, f->police, mon9 + 2 * HOUR_MS);
    assert_int_equal(sj_bail_leave_decide(&f->env, &police, leave, true, "同意", &err), 0);
    walk(f, &d, home, dest, tue8, tue8 + 2 * HOUR_MS, 2 * MIN_MS, 20);
    walk(f, &d, dest, dest, tue8 + 2 * HOUR_MS, tue18, 20 * MIN_MS, 20);
    walk(f, &d, dest, dest, tue18 + 5 * MIN_MS, tue18 + 6 * MIN_MS, MIN_MS, 20);
    struct sj_bail_actor sys = fx_system(tue18 + 2 * HOUR_MS + MIN_MS);
    struct sj_bail_sweep_counts c;
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.returned, 0);
    assert_int_equal(c.overrun, 1);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_LEAVE_OVERRUN), 1);
    sj_bail_device_release(&d);
}

/* ---- Daily review --------------------------------------------------------------------------- */

static size_t unhandled(struct bail_fx *f, int64_t user, int64_t day, size_t *total)
{
    struct sj_bail_review_item *items = NULL;
    size_t n = 0, open = 0;
    struct sj_err err;
    if (sj_bail_review_queue(f->w.store, user, day, &items, &n, &err) != 0)
        fail_msg("queue: %s", err.message);
    for (size_t i = 0; i < n; i++)
        open += !items[i].is_handled;
    free(items);
    *total = n;
    return open;
}

static void test_review_signoff(void **state)
{
    struct bail_fx *f = *state;
    struct sj_err err;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device d = fx_bind(f, f->subject, "inst-1", f->t0 + HOUR_MS, token);
    int64_t day = sj_bail_local_day(f->t0), mon10 = f->t0 + 10 * HOUR_MS;
    struct sj_bail_checkin_result a, b;
    assert_int_equal(fx_checkin(f, &d, "a", mon10, mon10 + 1000, home, 20, &a, &err), 0);
    struct sj_bail_checkin_request mock = {"b", mon10 + HOUR_MS, home.lat, home.lon,
                                           5,   SJ_DATUM_WGS84,  true,     {NULL, 0}};
    struct sj_bail_actor phone = fx_phone(&d, mon10 + HOUR_MS + 1000);
    assert_int_equal(sj_bail_checkin_submit(&f->env, &phone, &d, &mock, &b, &err), 0);
    assert_int_equal(b.verdict.status, SJ_BAIL_REJECTED);
    int64_t leave = submit_leave(f, &phone, f->subject, fx_offset(home, 0, 50000),
                                 f->t0 + 2 * DAY_MS, f->t0 + 3 * DAY_MS, 0);
    size_t total = 0;
    assert_int_equal(unhandled(f, f->prosecutor, day, &total), 4);
    assert_int_equal(total, 4); /* two check-ins, a leave request, the mock-location alert */
    struct sj_bail_actor officer = fx_officer(f, f->prosecutor, f->t0 + DAY_MS + 9 * HOUR_MS);
    assert_int_equal(sj_bail_review_signoff(&f->env, &officer, day, &err), SJ_EPERM);
    assert_non_null(strstr(err.message, "尚有 4 项未处理"));
    int64_t ids[2] = {a.id, b.id};
    assert_int_equal(sj_bail_review_checkins(&f->env, &officer, ids, 2, &err), 0);
    assert_int_equal(sj_bail_review_checkins(&f->env, &officer, ids, 2, &err), 0); /* no-op */
    assert_int_equal(unhandled(f, f->prosecutor, day, &total), 2);
    assert_int_equal(sj_bail_review_signoff(&f->env, &officer, day, &err), SJ_EPERM);
    assert_int_equal(sj_bail_leave_decide(&f->env, &officer, leave, false, "时间与开庭冲突", &err),
                     0);
    struct sj_bail_alert_filter filter = {0, f->subject, SJ_BAIL_ALERT_OPEN, 0};
    struct sj_bail_alert *list = NULL;
    size_t n = 0;
    assert_int_equal(sj_bail_alert_list(f->w.store, &filter, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].kind, SJ_BAIL_ALERT_MOCK_LOCATION);
    assert_int_equal(sj_bail_alert_ack(&f->env, &officer, list[0].id, "已电话提醒", &err), 0);
    sj_bail_alert_list_free(list, n);
    assert_int_equal(unhandled(f, f->prosecutor, day, &total), 0);
    assert_int_equal(sj_bail_review_signoff(&f->env, &officer, day, &err), 0);
    assert_int_equal(sj_bail_review_signoff(&f->env, &officer, day, &err), SJ_EEXIST);
    /* An officer with nobody to supervise has an empty queue. */
    assert_int_equal(unhandled(f, f->other_police, day, &total), 0);
    assert_int_equal(total, 0);
    assert_int_equal(fx_ledger_count(f, "bail.review.checkins"), 1);
    assert_int_equal(fx_ledger_count(f, "bail.review.signoff"), 1);
    sj_bail_checkin_result_release(&a);
    sj_bail_checkin_result_release(&b);
    sj_bail_device_release(&d);
}

int main(void)
{
#define T(test) cmocka_unit_test_setup_teardown(test, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_drift_and_exit),
        T(test_leave_suppresses_in_its_window),
        T(test_overrun_before_exit_is_confirmed),
        T(test_review_signoff),
    };
    return cmocka_run_group_tests_name("bail_leave", tests, NULL, NULL);
}
