/*
 * test_bail_ops.c - bail supervision on real SQLite workspaces (test_bail_fixture.h): the
 * register with src/norm validation, device enrolment and binding, idempotent check-ins
 * (same key and body -> the first answer, changed body -> conflict), datum conversion into
 * the trail, late uploads flagged and counted, missed check-ins raised once by the sweep and
 * assigned from the roster, escalation, the alert life cycle, the face verifier interface,
 * and a ledger entry for every change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_bail_fixture.h"

/* ---- Register ------------------------------------------------------------------------------- */

static void test_register(void **state)
{
    struct bail_fx *f = *state;
    struct sj_bail_subject s;
    struct sj_err err;
    assert_int_equal(sj_bail_subject_get(f->w.store, f->subject, &s, &err), 0);
    assert_string_equal(s.name, "林晓东");
    assert_int_equal(strlen(s.id_number), 18);
    assert_string_equal(s.phone, "13800138000");
    assert_string_equal(s.case_number, "（2026）闽0206刑初123号");
    assert_string_equal(s.bail_start, "2026-11-20");
    assert_non_null(strstr(s.conditions, "第七十一条"));
    assert_int_equal(s.status, SJ_BAIL_ACTIVE);
    sj_bail_subject_release(&s);
    assert_int_equal(fx_ledger_count(f, "bail.subject.add"), 1);

    char good[19], bad[19];
    fx_id_number("35020619851204567", good);
    memcpy(bad, good, sizeof bad);
    bad[17] = bad[17] == '1' ? '2' : '1';
    static const struct {
        int what; /* which field is spoiled */
        int code;
        const char *field;
    } cases[] = {{0, SJ_EINVAL, "身份证号"},   {1, SJ_EINVAL, "手机号"}, {2, SJ_EINVAL, "姓名"},
                 {3, SJ_EINVAL, "承办检察官"}, {4, SJ_EINVAL, ""},       {5, SJ_EINVAL, "公安民警"},
                 {6, SJ_ENOTFOUND, ""},        {7, SJ_EINVAL, "住所地"}, {8, -100, ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sj_bail_subject_new in = {f->county,
                                         "苏文静",
                                         good,
                                         "13900139000",
                                         "厦门市湖里区",
                                         "盗窃",
                                         "湖公刑字〔2026〕88号",
                                         f->prosecutor,
                                         0,
                                         "2026-11-01",
                                         "2027-04-30",
                                         "不得离开厦门市"};
        switch (cases[i].what) {
        case 0:
            in.id_number = bad;
            break;
        case 1:
            in.phone = "12345";
            break;
        case 2:
            in.name = "12";
            break;
        case 3:
            in.prosecutor_id = f->police;
            break;
        case 4:
            in.bail_end = "2026-10-01";
            break;
        case 5:
            in.police_id = f->prosecutor2;
            break;
        case 6:
            in.office_id = 999;
            break;
        case 7:
            in.residence = " ";
            break;
        default:
            break;
        }
        struct sj_bail_actor who = fx_officer(f, f->prosecutor, f->t0);
        int64_t id = 0;
        sj_err_clear(&err);
        int rc = sj_bail_subject_add(&f->env, &who, &in, &id, &err);
        if (cases[i].code == -100) {
            assert_int_equal(rc, 0); /* the unspoiled row registers, and only once */
            assert_int_equal(sj_bail_subject_add(&f->env, &who, &in, &id, &err), SJ_EEXIST);
            continue;
        }
        if (rc != cases[i].code || strcmp(err.field, cases[i].field) != 0)
            fail_msg("case %zu: rc %d field \"%s\" message %s", i, rc, err.field, err.message);
    }
    assert_int_equal(fx_ledger_count(f, "bail.subject.add"), 2); /* refusals left no trace */
    struct sj_bail_subject *list = NULL;
    size_t n = 0;
    assert_int_equal(sj_bail_subject_list(f->w.store, f->county, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    sj_bail_subject_list_free(list, n);
}

static void test_status_changes(void **state)
{
    struct bail_fx *f = *state;
    struct sj_err err;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device d = fx_bind(f, f->subject, "install-1", f->t0 + HOUR_MS, token);
    struct sj_bail_actor who = fx_officer(f, f->prosecutor, f->t0 + 2 * HOUR_MS);
    assert_int_equal(
        sj_bail_subject_set_status(&f->env, &who, f->subject, SJ_BAIL_SUSPENDED, "", &err),
        SJ_EINVAL);
    assert_int_equal(
        sj_bail_subject_set_status(&f->env, &who, f->subject, SJ_BAIL_SUSPENDED, "住院治疗", &err),
        0);
    struct sj_bail_checkin_result r;
    assert_int_equal(
        fx_checkin(f, &d, "k1", f->t0 + 10 * HOUR_MS, f->t0 + 10 * HOUR_MS, home, 20, &r, &err),
        SJ_EPERM);
    assert_int_equal(sj_bail_subject_set_status(&f->env, &who, f->subject, SJ_BAIL_ENDED,
                                                "法院判决生效，解除取保候审", &err),
                     0);
    struct sj_bail_device again;
    assert_int_equal(sj_bail_device_auth(f->w.store, sj_str_from_cstr(token), f->t0, &again, &err),
                     SJ_EPERM); /* ending the supervision revoked the phone */
    assert_int_equal(fx_ledger_count(f, "bail.subject.status"), 2);
    sj_bail_device_release(&d);
}

/* ---- Devices ------------------------------------------------------------------------------- */

static void test_devices(void **state)
{
    struct bail_fx *f = *state;
    struct sj_err err;
    char code[SJ_BAIL_ENROL_CODE_LEN + 1], token[SJ_BAIL_DEVICE_TOKEN_LEN + 1], lower[32];
    struct sj_bail_device d, got;
    struct sj_bail_actor officer = fx_officer(f, f->prosecutor, f->t0);
    struct sj_bail_actor app = {.name = "app", .now_ms = f->t0 + MIN_MS};
    assert_int_equal(sj_bail_device_enrol(&f->env, &officer, f->subject, code, NULL, &err), 0);
    assert_int_equal(strlen(code), 14);
    assert_true(code[4] == '-' && code[9] == '-');
    assert_int_equal(sj_bail_device_bind(&f->env, &app, SJ_STR_LIT("0000-0000-0000"), "inst-a", "X",
                                         token, &d, &err),
                     SJ_EPERM);
    /* Case, spaces and dashes do not matter. */
    size_t k = 0;
    for (const char *c = code; *c; c++) {
        if (*c != '-')
            lower[k++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        if (k == 6)
            lower[k++] = ' ';
    }
    lower[k] = '\0';
    assert_int_equal(
        sj_bail_device_bind(&f->env, &app, sj_str_from_cstr(lower), "inst-a", "X", token, &d, &err),
        0);
    assert_int_equal(strlen(token), SJ_BAIL_DEVICE_TOKEN_LEN);
    assert_int_equal(d.status, SJ_BAIL_DEVICE_ACTIVE);
    assert_int_equal(d.subject_id, f->subject);
    assert_int_equal(
        sj_bail_device_auth(f->w.store, sj_str_from_cstr(token), f->t0 + 5 * MIN_MS, &got, &err),
        0);
    assert_int_equal(got.id, d.id);
    sj_bail_device_release(&got);
    char wrong[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    memcpy(wrong, token, sizeof wrong);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    assert_int_equal(sj_bail_device_auth(f->w.store, sj_str_from_cstr(wrong), f->t0, &got, &err),
                     SJ_EPERM);
    /* One use only. */
    char token2[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device d2;
    assert_int_equal(sj_bail_device_bind(&f->env, &app, sj_str_from_cstr(code), "inst-b", "X",
                                         token2, &d2, &err),
                     SJ_EPERM);
    /* Expired. */
    assert_int_equal(sj_bail_device_enrol(&f->env, &officer, f->subject, code, NULL, &err), 0);
    app.now_ms = f->t0 + 16 * MIN_MS;
    assert_int_equal(sj_bail_device_bind(&f->env, &app, sj_str_from_cstr(code), "inst-b", "X",
                                         token2, &d2, &err),
                     SJ_EPERM);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_DEVICE_CHANGE), 0);
    /* A new phone replaces the old one and raises a device-change alert. */
    d2 = fx_bind(f, f->subject, "inst-b", f->t0 + HOUR_MS, token2);
    assert_int_equal(
        sj_bail_device_auth(f->w.store, sj_str_from_cstr(token), f->t0 + HOUR_MS, &got, &err),
        SJ_EPERM);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_DEVICE_CHANGE), 1);
    /* That phone cannot serve a second subject. */
    int64_t other = fx_subject(f, "苏文静", "35020619851204567", "(2026)闽0206刑初124号");
    assert_int_equal(sj_bail_device_enrol(&f->env, &officer, other, code, NULL, &err), 0);
    app.now_ms = f->t0 + 2 * MIN_MS;
    assert_int_equal(sj_bail_device_bind(&f->env, &app, sj_str_from_cstr(code), "inst-b", "X",
                                         token2, &got, &err),
                     SJ_EEXIST);
    assert_int_equal(fx_ledger_count(f, "bail.device.enrol"), 4);
    assert_int_equal(fx_ledger_count(f, "bail.device.bind"), 2);
    assert_int_equal(fx_ledger_count(f, "bail.alert.raise"), 1);
    sj_bail_device_release(&d);
    sj_bail_device_release(&d2);
}

/* ---- Check-ins ------------------------------------------------------------------------------ */

static void test_checkin_idempotent(void **state)
{
    struct bail_fx *f = *state;
    struct sj_err err;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device d = fx_bind(f, f->subject, "inst-1", f->t0 + HOUR_MS, token);
    struct sj_bail_checkin_result a, b;
    struct sj_geo_point at = fx_offset(home, 200, -150);
    int64_t fix = f->t0 + 10 * HOUR_MS;
    assert_int_equal(fx_checkin(f, &d, "2026-11-23-am", fix, fix + 5000, at, 15, &a, &err), 0);
    assert_false(a.is_repeat);
    assert_int_equal(a.verdict.status, SJ_BAIL_ACCEPTED);
    assert_true(a.verdict.has_slot);
    assert_non_null(strstr(a.answer, "\"status\":\"accepted\""));
    assert_non_null(strstr(a.answer, "\"face\":\"unverified\""));
    /* The GCJ-02 position was stored as the WGS-84 one. */
    struct sj_bail_fix *trail = NULL;
    size_t n = 0;
    assert_int_equal(
        sj_bail_trail(f->w.store, f->subject, f->t0, f->t0 + DAY_MS, 0, &trail, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_true(sj_geo_distance_m(trail[0].pos, at) < 0.05);
    free(trail);
    /* The same retry: the first answer, nothing new stored or ledgered. */
    size_t ledgered = fx_ledger_count(f, "bail.checkin");
    assert_int_equal(fx_checkin(f, &d, "2026-11-23-am", fix, fix + 65000, at, 15, &b, &err), 0);
    assert_true(b.is_repeat);
    assert_int_equal(b.id, a.id);
    assert_string_equal(b.answer, a.answer);
    assert_int_equal(fx_ledger_count(f, "bail.checkin"), ledgered);
    sj_bail_checkin_result_release(&b);
    /* Same key, different body: refused. */
    assert_int_equal(
        fx_checkin(f, &d, "2026-11-23-am", fix, fix + 65000, fx_offset(at, 30, 0), 15, &b, &err),
        SJ_EEXIST);
    assert_null(b.answer);
    assert_int_equal(ledgered, 1);
    sj_bail_checkin_result_release(&a);
    sj_bail_device_release(&d);
}

static void test_late_upload_and_missed(void **state)
{
    struct bail_fx *f = *state;
    struct sj_err err;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device d = fx_bind(f, f->subject, "inst-1", f->t0 + HOUR_MS, token);
    struct sj_bail_checkin_result r;
    /* Monday: taken at 19:30 offline, uploaded at 21:00. */
    int64_t fix = f->t0 + 19 * HOUR_MS + 30 * MIN_MS;
    assert_int_equal(fx_checkin(f, &d, "mon", fix, f->t0 + 21 * HOUR_MS, home, 20, &r, &err), 0);
    assert_int_equal(r.verdict.status, SJ_BAIL_FLAGGED);
    assert_true(r.verdict.flags & SJ_BAIL_FLAG_LATE_UPLOAD);
    assert_non_null(strstr(r.answer, "late-upload"));
    sj_bail_checkin_result_release(&r);
    /* Tuesday: nothing. The on-duty officer from Tuesday 20:00 is prosecutor2. */
    struct sj_bail_actor admin = fx_officer(f, f->admin, f->t0);
    assert_int_equal(sj_bail_roster_add(&f->env, &admin, f->county, f->prosecutor2,
                                        f->t0 + DAY_MS + 20 * HOUR_MS,
                                        f->t0 + 2 * DAY_MS + 20 * HOUR_MS, NULL, &err),
                     0);
    assert_int_equal(sj_bail_roster_add(&f->env, &admin, f->county, f->admin, f->t0,
                                        f->t0 + HOUR_MS, NULL, &err),
                     SJ_EINVAL); /* an admin is not an officer on duty */
    int64_t wed9 = f->t0 + 2 * DAY_MS + 9 * HOUR_MS;
    struct sj_bail_actor sys = fx_system(wed9);
    struct sj_bail_sweep_counts c;
    f->params.silent_after_ms = 30 * DAY_MS; /* silence is looked at below */
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.missed, 1); /* Tuesday's; Monday's was a late upload; Wednesday's is open */
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.missed, 0); /* raised once only */
    struct sj_bail_alert_filter filter = {0, f->subject, SJ_BAIL_ALERT_OPEN, 0};
    struct sj_bail_alert *list = NULL;
    size_t n = 0;
    assert_int_equal(sj_bail_alert_list(f->w.store, &filter, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].kind, SJ_BAIL_ALERT_MISSED_CHECKIN);
    assert_int_equal(list[0].severity, SJ_BAIL_SEVERITY_MEDIUM);
    assert_int_equal(list[0].assignee_id, f->prosecutor2);
    assert_non_null(strstr(list[0].detail, "2026-11-24T08:00"));
    int64_t alert = list[0].id;
    sj_bail_alert_list_free(list, n);
    /* Nobody acknowledged it in 30 minutes: escalated to the responsible prosecutor. */
    sys.now_ms = wed9 + 31 * MIN_MS;
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.escalated, 1);
    struct sj_bail_alert a;
    assert_int_equal(sj_bail_alert_get(f->w.store, alert, &a, &err), 0);
    assert_int_equal(a.escalated_to, f->prosecutor);
    sj_bail_alert_release(&a);
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.escalated, 0);
    assert_int_equal(fx_ledger_count(f, "bail.alert.escalate"), 1);
    /* No contact since Monday 21:00, more than six hours: silent, once per silence. */
    f->params.silent_after_ms = 6 * HOUR_MS;
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.silent, 1);
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.silent, 0);
    struct sj_bail_device seen;
    assert_int_equal(
        sj_bail_device_auth(f->w.store, sj_str_from_cstr(token), wed9 + HOUR_MS, &seen, &err), 0);
    sj_bail_device_release(&seen);
    sys.now_ms = wed9 + 5 * HOUR_MS;
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.silent, 0);
    sys.now_ms = wed9 + 8 * HOUR_MS;
    assert_int_equal(sj_bail_sweep(&f->env, &sys, &c, &err), 0);
    assert_int_equal(c.silent, 1);
    assert_int_equal(fx_alert_count(f, f->subject, SJ_BAIL_ALERT_DEVICE_SILENT), 2);
    sj_bail_device_release(&d);
}

/* ---- Alerts ---------------------------------------------------------------------------------- */

struct stub_face {
    enum sj_bail_face answer;
};

static int stub_verify(void *ctx, int64_t subject_id, struct sj_str photo,
                       enum sj_bail_face *result, double *score, struct sj_err *err)
{
    *result = ((struct stub_face *)ctx)->answer;
    *score = 0.2;
    return photo.len ? 0 : SJ_EINVAL;
}

static void test_alert_life_cycle(void **state)
{
    struct bail_fx *f = *state;
    struct sj_err err;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device d = fx_bind(f, f->subject, "inst-1", f->t0 + HOUR_MS, token);
    /* Someone else's face: refused, and a face-mismatch alert. */
    struct stub_face stub = {SJ_BAIL_FACE_MISMATCH};
    struct sj_bail_face_verifier v = {"stub", stub_verify, &stub};
    f->env.face = &v;
    struct sj_bail_checkin_result r;
    int64_t fix = f->t0 + 9 * HOUR_MS;
    assert_int_equal(fx_checkin(f, &d, "k", fix, fix + 1000, home, 20, &r, &err), 0);
    f->env.face = NULL;
    assert_int_equal(r.verdict.status, SJ_BAIL_REJECTED);
    assert_int_equal(r.alerts_raised, 1);
    sj_bail_checkin_result_release(&r);
    struct sj_bail_alert_filter filter = {f->county, 0, -1, 0};
    struct sj_bail_alert *list = NULL;
    size_t n = 0;
    assert_int_equal(sj_bail_alert_list(f->w.store, &filter, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].kind, SJ_BAIL_ALERT_FACE_MISMATCH);
    assert_int_equal(list[0].assignee_id, f->police); /* nobody on duty: the police officer */
    int64_t id = list[0].id, index = list[0].ledger_index;
    sj_bail_alert_list_free(list, n);
    /* The alert links to the ledger entry that raised it. */
    struct sj_ledger_reader *rd = NULL;
    struct sj_ledger_entry e;
    assert_int_equal(sj_ledger_read_open(f->ledger, (uint64_t)index, 1, &rd, &err), 0);
    assert_int_equal(sj_ledger_read_next(rd, &e, &err), 1);
    assert_true(sj_str_eq_cstr(e.action, "bail.alert.raise"));
    sj_ledger_read_close(rd);
    struct sj_bail_actor phone = fx_phone(&d, fix + HOUR_MS);
    struct sj_bail_actor who = fx_officer(f, f->police, fix + HOUR_MS);
    assert_int_equal(sj_bail_alert_resolve(&f->env, &who, id, "已核实", &err), SJ_EINVAL);
    assert_int_equal(sj_bail_alert_ack(&f->env, &phone, id, NULL, &err), SJ_EPERM);
    assert_int_equal(sj_bail_alert_ack(&f->env, &who, id, NULL, &err), 0);
    assert_int_equal(sj_bail_alert_ack(&f->env, &who, id, NULL, &err), SJ_EINVAL);
    assert_int_equal(sj_bail_alert_resolve(&f->env, &who, id, "  ", &err), SJ_EINVAL);
    assert_int_equal(
        sj_bail_alert_resolve(&f->env, &who, id, "电话核实为本人手机摄像头故障，已上门核查", &err),
        0);
    struct sj_bail_alert a;
    assert_int_equal(sj_bail_alert_get(f->w.store, id, &a, &err), 0);
    assert_int_equal(a.status, SJ_BAIL_ALERT_RESOLVED);
    assert_int_equal(a.acknowledged_by, f->police);
    assert_string_equal(a.resolution, "电话核实为本人手机摄像头故障，已上门核查");
    sj_bail_alert_release(&a);
    assert_int_equal(sj_bail_alert_ack(&f->env, &who, id, NULL, &err), SJ_EINVAL);
    assert_int_equal(fx_ledger_count(f, "bail.alert.ack"), 1);
    assert_int_equal(fx_ledger_count(f, "bail.alert.resolve"), 1);
    /* A verifier that fails records "unverified", never a pass. */
    stub.answer = SJ_BAIL_FACE_MATCH;
    f->env.face = &v;
    struct sj_bail_checkin_request req = {"k2", fix + 60000,    home.lat, home.lon,
                                          20,   SJ_DATUM_WGS84, false,    {NULL, 0}};
    assert_int_equal(sj_bail_checkin_submit(&f->env, &phone, &d, &req, &r, &err), 0);
    f->env.face = NULL;
    assert_int_equal(r.verdict.face, SJ_BAIL_FACE_UNVERIFIED);
    sj_bail_checkin_result_release(&r);
    sj_bail_device_release(&d);
}

static void test_ledger_verifies(void **state)
{
    struct bail_fx *f = *state;
    struct sj_err err;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device d = fx_bind(f, f->subject, "inst-1", f->t0 + HOUR_MS, token);
    struct sj_bail_checkin_result r;
    assert_int_equal(
        fx_checkin(f, &d, "k", f->t0 + 9 * HOUR_MS, f->t0 + 9 * HOUR_MS, home, 20, &r, &err), 0);
    sj_bail_checkin_result_release(&r);
    struct sj_bail_actor who = fx_officer(f, f->prosecutor, f->t0 + 9 * HOUR_MS);
    assert_int_equal(sj_bail_spot_issue(&f->env, &who, f->subject, 0, NULL, &err), 0);
    assert_int_equal(sj_bail_group_add(&f->env, &who, "重点人员", f->subject, &err), 0);
    assert_int_equal(sj_bail_group_add(&f->env, &who, "重点人员", f->subject, &err), 0);
    static const char *const actions[] = {
        "bail.subject.add", "bail.fence.add", "bail.schedule.add", "bail.device.enrol",
        "bail.device.bind", "bail.checkin",   "bail.spot.issue",   "bail.group.add"};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (fx_ledger_count(f, actions[i]) != 1)
            fail_msg("%s: %zu entries", actions[i], fx_ledger_count(f, actions[i]));
    }
    struct sj_ledger_verify_options opts = {{NULL, 0}, false};
    struct sj_ledger_report rep;
    assert_int_equal(sj_ledger_verify(f->w.store, &opts, &rep, &err), 0);
    assert_true(rep.is_ok);
    assert_int_equal(rep.entries, 8);
    sj_bail_device_release(&d);
}

int main(void)
{
#define T(test) cmocka_unit_test_setup_teardown(test, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_register),           T(test_status_changes),         T(test_devices),
        T(test_checkin_idempotent), T(test_late_upload_and_missed), T(test_alert_life_cycle),
        T(test_ledger_verifies),
    };
    return cmocka_run_group_tests_name("bail_ops", tests, NULL, NULL);
}
