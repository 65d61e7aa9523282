/*
 * test_bail_stats.c - unit tests of what bail supervision reports (shujian/bail_stats.h): the
 * risk colour rule (table-driven: alerts in, colour, score and the rule of the top reason out),
 * the time-to-acknowledge summary (mean and nearest-rank p90), compliance over a known daily
 * schedule with one missed day and one offline upload (on the fake clock of
 * test_bail_fixture.h), the check-in history and the CSV cell escaping of the export
 * (table-driven: a cell in, the CSV text out).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/api_bail.h"
#include "http/export_int.h"
#include "shujian/bail_stats.h"
#include "test_bail_fixture.h"

/* ---- Risk ------------------------------------------------------------------------------------ */

#define NOW (1795000000000LL)
#define DAYS(n) ((int64_t)(n)*86400000LL)

enum { L = SJ_BAIL_SEVERITY_LOW, M = SJ_BAIL_SEVERITY_MEDIUM, H = SJ_BAIL_SEVERITY_HIGH };
enum { OPEN = SJ_BAIL_ALERT_OPEN, ACK = SJ_BAIL_ALERT_ACKNOWLEDGED, DONE = SJ_BAIL_ALERT_RESOLVED };
enum { MISSED = SJ_BAIL_ALERT_MISSED_CHECKIN, BREACH = SJ_BAIL_ALERT_FENCE_BREACH };

struct fact_in {
    int kind, severity, status;
    int64_t age_ms;
};

static const struct {
    const char *what;
    struct fact_in facts[5];
    size_t count;
    enum sj_bail_colour colour;
    int score;
    const char *top_rule; /* NULL: no reasons */
} risk_cases[] = {
    {"no alerts", {{0}}, 0, SJ_BAIL_GREEN, 0, NULL},
    {"one open high alert is red at once",
     {{BREACH, H, OPEN, DAYS(40)}},
     1,
     SJ_BAIL_RED,
     40,
     "alert-open"},
    {"one open missed check-in is yellow",
     {{MISSED, M, OPEN, DAYS(1)}},
     1,
     SJ_BAIL_YELLOW,
     15,
     "alert-open"},
    {"an acknowledged high alert this week is yellow",
     {{BREACH, H, ACK, DAYS(2)}},
     1,
     SJ_BAIL_YELLOW,
     20,
     "alert-recent"},
    {"a resolved high alert of 10 days ago is green",
     {{BREACH, H, DONE, DAYS(10)}},
     1,
     SJ_BAIL_GREEN,
     6,
     "alert-older"},
    {"three resolved high alerts of 8-30 days ago are yellow",
     {{BREACH, H, DONE, DAYS(9)}, {BREACH, H, ACK, DAYS(20)}, {BREACH, H, DONE, DAYS(29)}},
     3,
     SJ_BAIL_YELLOW,
     18,
     "alert-older"},
    {"handled alerts older than 30 days count nothing",
     {{BREACH, H, DONE, DAYS(31)}},
     1,
     SJ_BAIL_GREEN,
     0,
     NULL},
    {"three missed check-ins this week, handled: 3 x 8 + 20 is red",
     {{MISSED, M, DONE, DAYS(1)}, {MISSED, M, DONE, DAYS(2)}, {MISSED, M, ACK, DAYS(3)}},
     3,
     SJ_BAIL_RED,
     44,
     "missed-repeat"},
    {"two missed check-ins this week do not repeat",
     {{MISSED, M, DONE, DAYS(1)}, {MISSED, M, DONE, DAYS(6)}},
     2,
     SJ_BAIL_YELLOW,
     16,
     "alert-recent"},
    {"low alerts add up slowly",
     {{BREACH, L, OPEN, DAYS(1)}, {BREACH, L, ACK, DAYS(1)}},
     2,
     SJ_BAIL_GREEN,
     7,
     "alert-open"},
    {"an alert raised ahead of the clock counts as new",
     {{BREACH, H, ACK, -DAYS(1)}},
     1,
     SJ_BAIL_YELLOW,
     20,
     "alert-recent"},
};

static void test_risk_rule(void **state)
{
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(risk_cases); i++) {
        struct sj_bail_alert_fact facts[5];
        struct sj_bail_risk r;
        memset(facts, 0, sizeof facts);
        for (size_t k = 0; k < risk_cases[i].count; k++) {
            const struct fact_in *in = &risk_cases[i].facts[k];
            facts[k] = (struct sj_bail_alert_fact){.id = (int64_t)k + 1,
                                                   .subject_id = 7,
                                                   .kind = (enum sj_bail_alert_kind)in->kind,
                                                   .severity = (enum sj_bail_severity)in->severity,
                                                   .status = (enum sj_bail_alert_status)in->status,
                                                   .raised_ms = NOW - in->age_ms,
                                                   .ledger_index = 100 + (int64_t)k};
        }
        sj_bail_risk_compute(facts, risk_cases[i].count, NOW, &r);
        if (r.colour != risk_cases[i].colour || r.score != risk_cases[i].score)
            fail_msg("%s: colour %s score %d, want %s %d", risk_cases[i].what,
                     sj_bail_colour_name(r.colour), r.score,
                     sj_bail_colour_name(risk_cases[i].colour), risk_cases[i].score);
        if (risk_cases[i].top_rule) {
            assert_true(r.reason_count > 0);
            assert_string_equal(r.reasons[0].rule, risk_cases[i].top_rule);
            assert_true(r.reasons[0].ledger_index >= 100); /* every point names its entry */
            assert_true(r.reasons[0].text[0] != '\0');
        } else {
            assert_int_equal(r.reason_count, 0);
        }
        int sum = 0;
        for (size_t k = 0; k < r.reason_count; k++)
            sum += r.reasons[k].points;
        assert_int_equal(sum, r.score);
        sj_bail_risk_release(&r);
    }
}

/* ---- Time to acknowledge --------------------------------------------------------------------- */

static void test_ack_summary(void **state)
{
    static const struct {
        int64_t in[10];
        size_t n;
        double mean;
        int64_t p90;
    } cases[] = {
        {{0}, 0, 0, 0},
        {{300000}, 1, 300000, 300000},
        {{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 10, 5.5, 9}, /* rank ceil(9.0) = 9 */
        {{100, 200, 300, 400, 500}, 5, 300, 500},      /* rank ceil(4.5) = 5 */
        {{60000, 1000, 2000}, 3, 21000, 60000},        /* rank ceil(2.7) = 3 */
    };
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        struct sj_bail_stats_row row;
        int64_t d[10];
        memset(&row, 0, sizeof row);
        memcpy(d, cases[i].in, sizeof d);
        sj_bail_stats_ack(d, cases[i].n, &row);
        assert_int_equal(row.ack_count, cases[i].n);
        assert_true(fabs(row.ack_mean_ms - cases[i].mean) < 1e-9);
        assert_int_equal(row.ack_p90_ms, cases[i].p90);
    }
}

/* ---- Compliance on the fake clock ------------------------------------------------------------ */

static void test_compliance_one_miss(void **state)
{
    struct bail_fx *f = *state;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_checkin_result res;
    struct sj_err err;
    struct sj_bail_stats st;
    struct sj_bail_device d = fx_bind(f, f->subject, "app-1", f->t0 + 7 * HOUR_MS, token);
    /* Monday 09:00 on time; Tuesday nothing; Wednesday 10:00 uploaded on Thursday 01:00. */
    assert_int_equal(fx_checkin(f, &d, "k1", f->t0 + 9 * HOUR_MS, f->t0 + 9 * HOUR_MS + 5000, home,
                                20, &res, &err),
                     0);
    sj_bail_checkin_result_release(&res);
    int64_t wed = f->t0 + 2 * DAY_MS;
    /* The sweep on Wednesday morning raises Tuesday's miss; acknowledged 10 minutes later. */
    struct sj_bail_actor sys = fx_system(wed + 60 * MIN_MS);
    assert_int_equal(sj_bail_sweep(&f->env, &sys, NULL, &err), 0);
    struct sj_bail_alert_filter filter = {0, f->subject, OPEN, 0};
    struct sj_bail_alert *alerts = NULL;
    size_t n = 0, acked = 0;
    assert_int_equal(sj_bail_alert_list(f->w.store, &filter, &alerts, &n, &err), 0);
    struct sj_bail_actor officer = fx_officer(f, f->police, wed + 70 * MIN_MS);
    for (size_t i = 0; i < n; i++) {
        if (alerts[i].kind != SJ_BAIL_ALERT_MISSED_CHECKIN)
            continue;
        assert_int_equal(sj_bail_alert_ack(&f->env, &officer, alerts[i].id, NULL, &err), 0);
        acked++;
    }
    sj_bail_alert_list_free(alerts, n);
    assert_int_equal(acked, 1);
    assert_int_equal(
        fx_checkin(f, &d, "k2", wed + 10 * HOUR_MS, wed + 25 * HOUR_MS, home, 20, &res, &err), 0);
    sj_bail_checkin_result_release(&res);

    int64_t offices[] = {f->county};
    int64_t as_of = f->t0 + 3 * DAY_MS + 2 * HOUR_MS;
    assert_int_equal(
        sj_bail_stats_compute(f->w.store, offices, 1, f->t0, f->t0 + 3 * DAY_MS, as_of, &st, &err),
        0);
    assert_int_equal(st.subject_count, 1);
    const struct sj_bail_stats_row *r = &st.subjects[0].row;
    assert_int_equal(r->slots_due, 3);
    assert_int_equal(r->slots_on_time, 2);
    assert_int_equal(r->late_uploads, 1);
    assert_int_equal(r->by_kind[SJ_BAIL_ALERT_MISSED_CHECKIN], 1);
    assert_int_equal(r->ack_count, 1); /* only the acknowledged missed check-in */
    assert_int_equal(r->ack_p90_ms, 10 * MIN_MS);
    assert_int_equal(st.offices[0].row.slots_due, 3);
    assert_int_equal(st.total.slots_on_time, 2);
    assert_int_equal(st.total.ack_count, 1);
    sj_bail_stats_release(&st);
    /* As of Wednesday 12:00 Wednesday's slot has not ended: two due, one on time. */
    assert_int_equal(sj_bail_stats_compute(f->w.store, offices, 1, f->t0, f->t0 + 3 * DAY_MS,
                                           wed + 12 * HOUR_MS, &st, &err),
                     0);
    assert_int_equal(st.subjects[0].row.slots_due, 2);
    assert_int_equal(st.subjects[0].row.slots_on_time, 1);
    sj_bail_stats_release(&st);
    /* A reversed range is refused. */
    assert_int_equal(sj_bail_stats_compute(f->w.store, offices, 1, f->t0, f->t0, as_of, &st, &err),
                     SJ_EINVAL);

    struct sj_bail_checkin_row *rows = NULL;
    assert_int_equal(sj_store_bail_checkin_list(f->w.store, f->subject, f->t0, f->t0 + 7 * DAY_MS,
                                                10, &rows, &n, &err),
                     0);
    assert_int_equal(n, 2);
    assert_true(rows[0].fix_ms > rows[1].fix_ms); /* newest first */
    assert_true(rows[0].flags & SJ_BAIL_FLAG_LATE_UPLOAD);
    assert_false(rows[1].flags & SJ_BAIL_FLAG_LATE_UPLOAD);
    assert_string_equal(rows[1].slot_kind, "daily");
    sj_bail_checkin_rows_free(rows, n);
    sj_bail_device_release(&d);
}

/* ---- CSV cells --------------------------------------------------------------------------------
 */

static void test_csv_cell(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"张三", "张三"},
        {"", ""},
        {"=1+2", "'=1+2"},
        {"+8613800138000", "'+8613800138000"},
        {"-5", "'-5"},
        {"@SUM(A1)", "'@SUM(A1)"},
        {"\tcmd", "'\tcmd"},
        {"\rcmd", "\"'\rcmd\""},
        {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
        {"a,b", "\"a,b\""},
        {"他说\"好\"", "\"他说\"\"好\"\"\""},
        {"两行\n文字", "\"两行\n文字\""},
        {"a=b", "a=b"},
        {" =1", " =1"},
        {"1-2", "1-2"},
    };
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        struct sj_buf out;
        sj_buf_init(&out, 0);
        sj_http_csv_cell(&out, cases[i].in);
        assert_string_equal(out.len ? sj_buf_cstr(&out) : "", cases[i].want);
        sj_buf_release(&out);
    }
}

int main(void)
{
    (void)fx_offset; /* the shared fixture's helpers this file does not need */
    (void)fx_ledger_count;
    (void)fx_alert_count;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_risk_rule),
        cmocka_unit_test(test_ack_summary),
        cmocka_unit_test_setup_teardown(test_compliance_one_miss, fx_setup, fx_teardown),
        cmocka_unit_test(test_csv_cell),
    };
    return cmocka_run_group_tests_name("bail_stats", tests, NULL, NULL);
}
