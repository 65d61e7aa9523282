/*
 * test_bail_fences_for.c - which fences are in force for a subject (sj_bail_fences_for, the
 * query src/store/bail_store.c runs twice per check-in): its own and its groups', active,
 * valid at the time, in fence-id order, each once; never another subject's, a group it is not
 * in, a disabled fence, or one outside its validity. Table-driven: (subject, time) -> ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Only part of the shared fixture is used here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "test_bail_fixture.h"

/* A circle fence at home with a validity window (0: unbounded). */
static int64_t add_fence(struct bail_fx *f, int64_t subject, const char *group, int64_t valid_from,
                         int64_t valid_until)
{
    char json[160];
    struct sj_err err;
    int64_t id = 0;
    snprintf(json, sizeof json, "{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f],\"radius\":500}",
             home.lon, home.lat);
    struct sj_bail_fence_new in = {f->county,          subject,    group,
                                   SJ_FENCE_FORBIDDEN, "测试围栏", sj_str_from_cstr(json),
                                   SJ_DATUM_WGS84,     valid_from, valid_until};
    struct sj_bail_actor who = fx_officer(f, f->prosecutor, f->t0);
    if (sj_bail_fence_add(&f->env, &who, &in, &id, &err) != 0)
        fail_msg("fence: %s", err.message);
    return id;
}

static void test_fences_for(void **state)
{
    struct bail_fx *f = *state;
    struct sj_err err;
    struct sj_bail_actor who = fx_officer(f, f->prosecutor, f->t0);
    int64_t a = f->subject;
    int64_t b = fx_subject(f, "陈明文", "35020619880101234", "(2026)闽0206刑初124号");
    int64_t c = fx_subject(f, "吴海燕", "35020619920202345", "(2026)闽0206刑初125号");
    assert_int_equal(sj_bail_group_add(&f->env, &who, "重点人员", a, &err), 0);
    assert_int_equal(sj_bail_group_add(&f->env, &who, "重点人员", b, &err), 0);
    assert_int_equal(sj_bail_group_add(&f->env, &who, "夜间管控", b, &err), 0);
    int64_t b_own = add_fence(f, b, NULL, 0, 0);
    int64_t key_group = add_fence(f, 0, "重点人员", 0, 0);
    int64_t night = add_fence(f, 0, "夜间管控", 0, 0);
    int64_t a_later = add_fence(f, a, NULL, f->t0 + DAY_MS, 0);
    int64_t group_ended = add_fence(f, 0, "重点人员", 0, f->t0 + DAY_MS);
    int64_t a_off = add_fence(f, a, NULL, 0, 0);
    assert_int_equal(sj_bail_fence_disable(&f->env, &who, a_off, &err), 0);
    int64_t nobody = add_fence(f, 0, "无人分组", 0, 0);
    (void)nobody;
    const struct {
        int64_t subject, at_ms;
        int64_t ids[6]; /* expected, 0-terminated */
    } cases[] = {
        {a, f->t0 + HOUR_MS, {f->home_fence, key_group, group_ended, 0}},
        {a, f->t0 + 2 * DAY_MS, {f->home_fence, key_group, a_later, 0}},
        {b, f->t0 + HOUR_MS, {b_own, key_group, night, group_ended, 0}},
        {b, f->t0 + 2 * DAY_MS, {b_own, key_group, night, 0}},
        {c, f->t0 + HOUR_MS, {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sj_fence *fences = NULL;
        size_t n = 0, want = 0;
        assert_int_equal(
            sj_bail_fences_for(f->w.store, cases[i].subject, cases[i].at_ms, &fences, &n, &err), 0);
        while (cases[i].ids[want])
            want++;
        if (n != want)
            fail_msg("case %zu: %zu fences, expected %zu", i, n, want);
        for (size_t k = 0; k < n; k++) {
            if (fences[k].id != cases[i].ids[k])
                fail_msg("case %zu: fence %zu is %lld, expected %lld", i, k,
                         (long long)fences[k].id, (long long)cases[i].ids[k]);
        }
        sj_bail_fences_free(fences, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fences_for, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests_name("bail_fences_for", tests, NULL, NULL);
}
