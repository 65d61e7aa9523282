/*
 * test_bail_fixture.h - the workspace the bail supervision tests share (included by
 * test_bail_ops.c and test_bail_leave.c): a fresh workspace with a ledger, a city and a county
 * office, officers, one registered subject (synthetic: invented name, id number with a computed
 * check digit, 138 0013 8000-style phone), a home fence, a daily 08:00-20:00 schedule and helpers
 * for devices, check-ins, positions and ledger counts. Time is a fake clock starting on Monday
 * 2026-11-23 00:00 local time (T0).
 */
#ifndef SHUJIAN_TEST_BAIL_FIXTURE_H
#define SHUJIAN_TEST_BAIL_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/bail.h"
#include "shujian/bail_ops.h"
#include "shujian/identity.h"
#include "shujian/ledger.h"
#include "test_util.h"

#define MIN_MS SJ_BAIL_MINUTE_MS
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS SJ_BAIL_DAY_MS
#define M_PER_DEG (SJ_GEO_EARTH_RADIUS_M * M_PI / 180.0)

static const struct sj_geo_point home = {24.5130, 118.1460}; /* Huli district, Xiamen */

struct bail_fx {
    struct tu_workspace w;
    struct sj_ledger *ledger;
    struct sj_bail_env env;
    struct sj_bail_params params;
    int64_t t0; /* Monday 2026-11-23 00:00 +08:00 */
    int64_t city, county;
    int64_t prosecutor, police, prosecutor2, admin, other_police;
    int64_t subject, home_fence;
};

static struct sj_geo_point fx_offset(struct sj_geo_point p, double east_m, double north_m)
{
    return (struct sj_geo_point){p.lat + north_m / M_PER_DEG,
                                 p.lon + east_m / (M_PER_DEG * cos(p.lat * M_PI / 180.0))};
}

/* An 18-digit id number: first17 followed by its GB 11643 check character. */
static void fx_id_number(const char *first17, char out[19])
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * weights[i];
    memcpy(out, first17, 17);
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

static struct sj_bail_actor fx_officer(const struct bail_fx *f, int64_t user, int64_t now)
{
    return (struct sj_bail_actor){.user_id = user,
                                  .office_id = f->county,
                                  .office = "湖里区人民检察院",
                                  .from = "127.0.0.1",
                                  .now_ms = now};
}

static struct sj_bail_actor fx_phone(const struct sj_bail_device *d, int64_t now)
{
    return (struct sj_bail_actor){.device_id = d->id, .office = "", .now_ms = now};
}

static struct sj_bail_actor fx_system(int64_t now)
{
    return (struct sj_bail_actor){.name = "system", .now_ms = now};
}

static int64_t fx_user(struct bail_fx *f, const char *name, enum sj_role role, int64_t office)
{
    struct sj_user_new u = {name, "测试用户", role, office, "correct horse 1"};
    struct sj_err err;
    int64_t id = 0;
    if (sj_user_add(f->w.store, &u, &id, &err) != 0)
        fail_msg("user %s: %s", name, err.message);
    return id;
}

static int64_t fx_subject(struct bail_fx *f, const char *name, const char *first17,
                          const char *case_no)
{
    char idno[19];
    struct sj_err err;
    int64_t id = 0;
    fx_id_number(first17, idno);
    struct sj_bail_subject_new in = {
        f->county,    name,    idno,          "138 0013 8000", "厦门市湖里区某路 1 号",
        "危险驾驶",   case_no, f->prosecutor, f->police,       "2026-11-20",
        "2027-05-19", NULL};
    struct sj_bail_actor who = fx_officer(f, f->prosecutor, f->t0);
    if (sj_bail_subject_add(&f->env, &who, &in, &id, &err) != 0)
        fail_msg("subject: %s", err.message);
    return id;
}

static int64_t fx_circle_fence(struct bail_fx *f, int64_t subject, const char *group,
                               enum sj_fence_kind kind, struct sj_geo_point c, double radius_m)
{
    char json[256];
    struct sj_err err;
    int64_t id = 0;
    snprintf(json, sizeof json, "{\"type\":\"Point\",\"coordinates\":[%.9f,%.9f],\"radius\":%.1f}",
             c.lon, c.lat, radius_m);
    struct sj_bail_fence_new in = {
        f->county,      subject, group, kind, group ? "禁入区域" : "居住地", sj_str_from_cstr(json),
        SJ_DATUM_WGS84, 0,       0};
    struct sj_bail_actor who = fx_officer(f, f->prosecutor, f->t0);
    if (sj_bail_fence_add(&f->env, &who, &in, &id, &err) != 0)
        fail_msg("fence: %s", err.message);
    return id;
}

static int fx_setup(void **state)
{
    struct bail_fx *f = calloc(1, sizeof *f);
    struct sj_err err;
    setenv("SHUJIAN_TEST_FAST_HASH", "1", 1);
    if (!f || tu_workspace_init(&f->w, "sj-bail", true) != 0)
        return -1;
    if (sj_ledger_create(f->w.store, NULL, &err) < 0 ||
        sj_ledger_open(f->w.store, &f->ledger, &err) < 0)
        return -1;
    sj_bail_params_init(&f->params);
    f->env = (struct sj_bail_env){f->w.store, f->ledger, &f->params, NULL};
    int64_t day = 0;
    sj_bail_day_parse("2026-11-23", &day);
    f->t0 = sj_bail_day_start(day);
    if (sj_office_add(f->w.store, "350200", "厦门市人民检察院", 0, &f->city, NULL) != 0 ||
        sj_office_add(f->w.store, "350206", "湖里区人民检察院", f->city, &f->county, NULL) != 0)
        return -1;
    f->prosecutor = fx_user(f, "lin.jc", SJ_ROLE_PROSECUTOR, f->county);
    f->prosecutor2 = fx_user(f, "chen.jc", SJ_ROLE_PROSECUTOR, f->county);
    f->police = fx_user(f, "wang.ga", SJ_ROLE_POLICE, f->county);
    f->other_police = fx_user(f, "zhao.ga", SJ_ROLE_POLICE, f->county);
    f->admin = fx_user(f, "admin", SJ_ROLE_ADMIN, f->city);
    f->subject = fx_subject(f, "林晓东", "35020619900315123", "(2026)闽0206刑初123号");
    f->home_fence = fx_circle_fence(f, f->subject, NULL, SJ_FENCE_ALLOWED, home, 1500);
    struct sj_bail_schedule daily = {
        .kind = SJ_BAIL_SCHEDULE_DAILY, .start_min = 480, .end_min = 1200};
    struct sj_bail_actor who = fx_officer(f, f->prosecutor, f->t0);
    if (sj_bail_schedule_add(&f->env, &who, f->subject, &daily, NULL, &err) != 0)
        return -1;
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct bail_fx *f = *state;
    sj_ledger_close(f->ledger);
    tu_workspace_release(&f->w);
    free(f);
    return 0;
}

/* Enrols and binds a phone for subject at now; token gets the device token. */
static struct sj_bail_device fx_bind(struct bail_fx *f, int64_t subject, const char *install,
                                     int64_t now, char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1])
{
    char code[SJ_BAIL_ENROL_CODE_LEN + 1];
    struct sj_bail_device d;
    struct sj_err err;
    struct sj_bail_actor officer = fx_officer(f, f->prosecutor, now);
    struct sj_bail_actor app = {.name = "app", .now_ms = now};
    if (sj_bail_device_enrol(&f->env, &officer, subject, code, NULL, &err) != 0)
        fail_msg("enrol: %s", err.message);
    if (sj_bail_device_bind(&f->env, &app, sj_str_from_cstr(code), install, "Phone 12", token, &d,
                            &err) != 0)
        fail_msg("bind: %s", err.message);
    return d;
}

/* A check-in at pos (WGS-84, sent as GCJ-02 as phones in China do). */
static int fx_checkin(struct bail_fx *f, const struct sj_bail_device *d, const char *key,
                      int64_t fix_ms, int64_t received_ms, struct sj_geo_point pos, double acc,
                      struct sj_bail_checkin_result *out, struct sj_err *err)
{
    struct sj_geo_point g = sj_geo_wgs84_to_gcj02(pos);
    struct sj_bail_checkin_request req = {
        key, fix_ms, g.lat, g.lon, acc, SJ_DATUM_GCJ02, false, SJ_STR_LIT("\xff\xd8\xff\xe0 jpeg")};
    struct sj_bail_actor who = fx_phone(d, received_ms);
    return sj_bail_checkin_submit(&f->env, &who, d, &req, out, err);
}

/* Entries of the ledger whose action is action. */
static size_t fx_ledger_count(struct bail_fx *f, const char *action)
{
    struct sj_ledger_reader *r = NULL;
    struct sj_ledger_entry e;
    struct sj_err err;
    size_t n = 0;
    if (sj_ledger_read_open(f->ledger, 0, -1, &r, &err) != 0)
        fail_msg("ledger: %s", err.message);
    while (sj_ledger_read_next(r, &e, &err) == 1)
        n += sj_str_eq_cstr(e.action, action);
    sj_ledger_read_close(r);
    return n;
}

/* Alerts of the subject of a kind (any status). */
static size_t fx_alert_count(struct bail_fx *f, int64_t subject, enum sj_bail_alert_kind kind)
{
    struct sj_bail_alert_filter filter = {0, subject, -1, 0};
    struct sj_bail_alert *list = NULL;
    size_t n = 0, k = 0;
    struct sj_err err;
    if (sj_bail_alert_list(f->w.store, &filter, &list, &n, &err) != 0)
        fail_msg("alerts: %s", err.message);
    for (size_t i = 0; i < n; i++)
        k += list[i].kind == kind;
    sj_bail_alert_list_free(list, n);
    return k;
}

#endif
