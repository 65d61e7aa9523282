/*
 * test_identity.c - unit tests of src/store/identity.c on a real workspace in a fresh
 * temporary directory per test: field checks (table-driven), the office tree and its
 * visibility, users, logins with back-off and lockout, sessions with idle and absolute
 * timeouts, logout, disabling and password changes, and CSRF tokens. Time is a fake clock
 * passed in as milliseconds, so nothing sleeps. Passwords are hashed at libsodium's
 * minimum cost (SHUJIAN_TEST_FAST_HASH=1), which verification reads from the hash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "shujian/identity.h"
#include "test_util.h"

#define T0 1800000000000LL /* the fake clock's start, ms */
#define PW "correct horse 1"

struct fixture {
    struct tu_workspace w;
    struct sj_auth_policy policy;
    int64_t city, county, other_city, other_county;
    int64_t admin; /* user in city */
};

static int64_t add_user(struct fixture *f, const char *name, enum sj_role role, int64_t office)
{
    struct sj_err err;
    int64_t id = 0;
    struct sj_user_new u = {name, "张三", role, office, PW};
    sj_err_clear(&err);
    int rc = sj_user_add(f->w.store, &u, &id, &err);
    if (rc != 0)
        fail_msg("adding %s: %s", name, err.message);
    return id;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (tu_workspace_init(&f->w, "sj-identity", true) != 0)
        return -1;
    sj_auth_policy_init(&f->policy);
    if (sj_office_add(f->w.store, "441800", "清远市人民检察院", 0, &f->city, NULL) != 0 ||
        sj_office_add(f->w.store, "441802", "清城区人民检察院", f->city, &f->county, NULL) != 0 ||
        sj_office_add(f->w.store, "440100", "广州市人民检察院", 0, &f->other_city, NULL) != 0 ||
        sj_office_add(f->w.store, "440103", "荔湾区人民检察院", f->other_city, &f->other_county,
                      NULL) != 0)
        return -1;
    f->admin = add_user(f, "Admin", SJ_ROLE_ADMIN, f->city);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tu_workspace_release(&f->w);
    free(f);
    return 0;
}

/* ---- Field checks ------------------------------------------------------------------------- */

static void test_username_fold(void **state)
{
    static const struct {
        const char *in;
        const char *want; /* NULL: rejected */
    } cases[] = {
        {"Admin", "admin"},   {"li.si_2-x", "li.si_2-x"},
        {"9lives", "9lives"}, {".hidden", NULL},
        {"", NULL},           {"张三", NULL},
        {"a b", NULL},        {"a/b", NULL},
        {"a\x01", NULL},
    };
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        char out[SJ_USERNAME_MAX + 1];
        struct sj_err err;
        sj_err_clear(&err);
        int rc = sj_username_fold(cases[i].in, out, &err);
        if (cases[i].want) {
            assert_int_equal(rc, 0);
            assert_string_equal(out, cases[i].want);
        } else {
            assert_int_equal(rc, SJ_EINVAL);
            assert_true(err.message[0] != '\0');
        }
    }
    char longest[SJ_USERNAME_MAX + 2], out[SJ_USERNAME_MAX + 1];
    memset(longest, 'a', sizeof longest - 1);
    longest[SJ_USERNAME_MAX + 1] = '\0';
    assert_int_equal(sj_username_fold(longest, out, NULL), SJ_EINVAL);
    longest[SJ_USERNAME_MAX] = '\0';
    assert_int_equal(sj_username_fold(longest, out, NULL), 0);
}

static void test_password_check(void **state)
{
    static const struct {
        const char *in;
        int want;
    } cases[] = {
        {"abcdefgh", 0},
        {"abcdefg", SJ_EINVAL},
        {"检察院数据检查平台", 0},
        {"检察院数据检", SJ_EINVAL},
        {"abc\ndefgh", SJ_EINVAL},
        {"abcdefg\x7f", SJ_EINVAL},
        {"abcdefg\xff", SJ_EINVAL},
    };
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++)
        assert_int_equal(sj_password_check(cases[i].in, NULL), cases[i].want);
    char big[SJ_PASSWORD_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[SJ_PASSWORD_MAX + 1] = '\0';
    assert_int_equal(sj_password_check(big, NULL), SJ_EINVAL);
    big[SJ_PASSWORD_MAX] = '\0';
    assert_int_equal(sj_password_check(big, NULL), 0);
}

static void test_roles(void **state)
{
    (void)state;
    for (int i = 0; i < SJ_ROLE_COUNT; i++) {
        enum sj_role r = SJ_ROLE_COUNT;
        assert_int_equal(sj_role_parse(sj_role_name((enum sj_role)i), &r), 0);
        assert_int_equal(r, i);
        assert_int_equal(sj_role_parse(sj_role_label((enum sj_role)i), &r), 0);
        assert_int_equal(r, i);
    }
    enum sj_role r;
    assert_int_equal(sj_role_parse("root", &r), SJ_EINVAL);
    assert_int_equal(sj_role_parse(NULL, &r), SJ_EINVAL);
}

/* ---- Offices ------------------------------------------------------------------------------ */

static void test_office_rules(void **state)
{
    struct fixture *f = *state;
    struct sj_err err;
    int64_t id = 0;
    sj_err_clear(&err);
    assert_int_equal(sj_office_add(f->w.store, "441802", "重复", f->city, &id, &err), SJ_EEXIST);
    assert_int_equal(sj_office_add(f->w.store, "441899", "县下设县", f->county, &id, &err),
                     SJ_EINVAL);
    assert_non_null(strstr(err.message, "不是市院"));
    assert_int_equal(sj_office_add(f->w.store, "441898", "无上级", 9999, &id, &err), SJ_ENOTFOUND);
    assert_int_equal(sj_office_add(f->w.store, "44 18", "坏代码", 0, &id, &err), SJ_EINVAL);
    assert_int_equal(sj_office_add(f->w.store, "441897", " 前有空格", 0, &id, &err), SJ_EINVAL);
    assert_int_equal(sj_office_add(f->w.store, "441896", "", 0, &id, &err), SJ_EINVAL);

    struct sj_office o;
    assert_int_equal(sj_office_find(f->w.store, "441802", &o, &err), 0);
    assert_int_equal(o.id, f->county);
    assert_int_equal(o.level, SJ_OFFICE_COUNTY);
    assert_int_equal(o.parent_id, f->city);
    assert_string_equal(o.name, "清城区人民检察院");
    sj_office_release(&o);
    assert_int_equal(sj_office_get(f->w.store, f->city, &o, &err), 0);
    assert_int_equal(o.level, SJ_OFFICE_CITY);
    assert_int_equal(o.parent_id, 0);
    sj_office_release(&o);
    assert_int_equal(sj_office_find(f->w.store, "000000", &o, &err), SJ_ENOTFOUND);
}

static void test_office_visibility(void **state)
{
    struct fixture *f = *state;
    const int64_t c = f->city, k = f->county, oc = f->other_city, ok = f->other_county;
    const struct {
        int64_t viewer, office;
        bool want;
    } cases[] = {
        {c, c, true},   {c, k, true},   {c, oc, false}, {c, ok, false},
        {k, k, true},   {k, c, false},  {k, ok, false}, {k, oc, false},
        {oc, ok, true}, {oc, k, false}, {ok, k, false}, {c, 9999, false},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        bool visible = !cases[i].want;
        assert_int_equal(
            sj_office_is_visible(f->w.store, cases[i].viewer, cases[i].office, &visible, NULL), 0);
        if (visible != cases[i].want)
            fail_msg("case %zu: %lld sees %lld: got %d", i, (long long)cases[i].viewer,
                     (long long)cases[i].office, visible);
    }
    struct sj_office *list;
    size_t n;
    assert_int_equal(sj_office_list(f->w.store, c, &list, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, c); /* the city office first */
    assert_int_equal(list[1].id, k);
    sj_office_list_free(list, n);
    assert_int_equal(sj_office_list(f->w.store, k, &list, &n, NULL), 0);
    assert_int_equal(n, 1);
    sj_office_list_free(list, n);
    assert_int_equal(sj_office_list(f->w.store, 0, &list, &n, NULL), 0);
    assert_int_equal(n, 4);
    sj_office_list_free(list, n);
}

/* ---- Users -------------------------------------------------------------------------------- */

static void test_users(void **state)
{
    struct fixture *f = *state;
    struct sj_err err;
    int64_t id;
    sj_err_clear(&err);
    struct sj_user_new dup = {"ADMIN", "李四", SJ_ROLE_POLICE, f->county, PW};
    assert_int_equal(sj_user_add(f->w.store, &dup, &id, &err), SJ_EEXIST);
    struct sj_user_new nowhere = {"lisi", "李四", SJ_ROLE_POLICE, 9999, PW};
    assert_int_equal(sj_user_add(f->w.store, &nowhere, &id, &err), SJ_ENOTFOUND);
    struct sj_user_new weak = {"lisi", "李四", SJ_ROLE_POLICE, f->county, "short"};
    assert_int_equal(sj_user_add(f->w.store, &weak, &id, &err), SJ_EINVAL);
    add_user(f, "lisi", SJ_ROLE_POLICE, f->county);
    add_user(f, "wangwu", SJ_ROLE_PROSECUTOR, f->other_county);

    struct sj_user u;
    assert_int_equal(sj_user_find(f->w.store, "LiSi", &u, &err), 0);
    assert_string_equal(u.username, "lisi");
    assert_int_equal(u.role, SJ_ROLE_POLICE);
    assert_int_equal(u.office_id, f->county);
    assert_false(u.is_disabled);
    sj_user_release(&u);

    struct sj_user *list;
    size_t n;
    assert_int_equal(sj_user_list(f->w.store, f->city, &list, &n, NULL), 0);
    assert_int_equal(n, 2); /* admin (city) and lisi (its county), not wangwu */
    assert_string_equal(list[0].username, "admin");
    assert_string_equal(list[1].username, "lisi");
    sj_user_list_free(list, n);
    assert_int_equal(sj_user_list(f->w.store, f->county, &list, &n, NULL), 0);
    assert_int_equal(n, 1);
    sj_user_list_free(list, n);

    struct sj_user_change change = {
        .display_name = "王五", .has_role = true, .role = SJ_ROLE_AUDITOR};
    assert_int_equal(sj_user_update(f->w.store, f->admin, &change, &err), 0);
    assert_int_equal(sj_user_get(f->w.store, f->admin, &u, &err), 0);
    assert_string_equal(u.display_name, "王五");
    assert_int_equal(u.role, SJ_ROLE_AUDITOR);
    sj_user_release(&u);
    assert_int_equal(sj_user_update(f->w.store, 9999, &change, &err), SJ_ENOTFOUND);
}

/* ---- Logins ------------------------------------------------------------------------------- */

static enum sj_login_status try_login(struct fixture *f, const char *name, const char *pw,
                                      int64_t now, struct sj_login *out)
{
    struct sj_login login;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_login(f->w.store, name, pw, now, &f->policy, &login, &err) != 0)
        fail_msg("login failed: %s", err.message);
    enum sj_login_status status = login.status;
    if (out)
        *out = login;
    else
        sj_login_release(&login);
    return status;
}

static void test_login_ok(void **state)
{
    struct fixture *f = *state;
    struct sj_login login;
    assert_int_equal(try_login(f, "admin", PW, T0, &login), SJ_LOGIN_OK);
    assert_int_equal(strlen(login.token), SJ_SESSION_TOKEN_LEN);
    assert_int_equal(login.expires_ms, T0 + f->policy.absolute_ms);
    assert_int_equal(login.user.id, f->admin);
    char csrf[SJ_CSRF_TOKEN_LEN + 1];
    struct sj_str token = sj_str_from_cstr(login.token);
    sj_session_csrf(token, csrf);
    assert_string_equal(csrf, login.csrf);
    assert_true(sj_session_csrf_is_valid(token, sj_str_from_cstr(login.csrf)));
    csrf[0] = csrf[0] == 'A' ? 'B' : 'A';
    assert_false(sj_session_csrf_is_valid(token, sj_str_from_cstr(csrf)));
    assert_false(sj_session_csrf_is_valid(token, SJ_STR_LIT("")));

    struct sj_login second;
    assert_int_equal(try_login(f, "ADMIN", PW, T0 + 1, &second), SJ_LOGIN_OK);
    assert_string_not_equal(login.token, second.token);
    assert_string_not_equal(login.csrf, second.csrf);
    sj_login_release(&login);
    sj_login_release(&second);
}

static void test_login_backoff_and_lockout(void **state)
{
    struct fixture *f = *state;
    struct sj_login login;
    int64_t now = T0;
    const struct sj_auth_policy *p = &f->policy;
    assert_int_equal(try_login(f, "admin", "wrong password", now, NULL), SJ_LOGIN_BAD_CREDENTIALS);
    /* Straight away, even the right password must wait the back-off. */
    assert_int_equal(try_login(f, "admin", PW, now + 10, &login), SJ_LOGIN_THROTTLED);
    assert_int_equal(login.retry_after_ms, p->backoff_ms - 10);
    int64_t wait = p->backoff_ms;
    for (int i = 2; i <= p->max_failures; i++) {
        now += wait;
        enum sj_login_status want =
            i < p->max_failures ? SJ_LOGIN_BAD_CREDENTIALS : SJ_LOGIN_LOCKED;
        assert_int_equal(try_login(f, "admin", "wrong password", now, NULL), want);
        wait = wait * 2 < p->backoff_max_ms ? wait * 2 : p->backoff_max_ms;
    }
    now += p->backoff_max_ms;
    assert_int_equal(try_login(f, "admin", PW, now, &login), SJ_LOGIN_LOCKED);
    assert_true(login.retry_after_ms > 0 && login.retry_after_ms <= p->lockout_ms);
    /* The lock runs out; the right password then works and forgives the failures. */
    now = now + login.retry_after_ms;
    assert_int_equal(try_login(f, "admin", PW, now, NULL), SJ_LOGIN_OK);
    assert_int_equal(try_login(f, "admin", "wrong password", now + 1, NULL),
                     SJ_LOGIN_BAD_CREDENTIALS);
}

static void test_unknown_names_are_counted_too(void **state)
{
    struct fixture *f = *state;
    int64_t now = T0;
    assert_int_equal(try_login(f, "nobody", PW, now, NULL), SJ_LOGIN_BAD_CREDENTIALS);
    assert_int_equal(try_login(f, "nobody", PW, now + 1, NULL), SJ_LOGIN_THROTTLED);
    assert_int_equal(try_login(f, "bad name!", PW, now, NULL), SJ_LOGIN_BAD_CREDENTIALS);
    assert_int_equal(try_login(f, "bad name!", PW, now + 1, NULL), SJ_LOGIN_THROTTLED);
    /* Another name is not affected. */
    assert_int_equal(try_login(f, "admin", PW, now + 1, NULL), SJ_LOGIN_OK);
}

static void test_disabled_user(void **state)
{
    struct fixture *f = *state;
    struct sj_login login;
    struct sj_session s;
    assert_int_equal(try_login(f, "admin", PW, T0, &login), SJ_LOGIN_OK);
    struct sj_user_change off = {.has_disabled = true, .is_disabled = true};
    assert_int_equal(sj_user_update(f->w.store, f->admin, &off, NULL), 0);
    assert_int_equal(
        sj_session_check(f->w.store, sj_str_from_cstr(login.token), T0 + 1, &f->policy, &s, NULL),
        0);
    assert_int_equal(s.status, SJ_SESSION_NONE);
    assert_int_equal(try_login(f, "admin", PW, T0 + 2, NULL), SJ_LOGIN_DISABLED);
    assert_int_equal(try_login(f, "admin", "wrong password", T0 + 3, NULL),
                     SJ_LOGIN_BAD_CREDENTIALS);
    /* Enabling lifts the back-off left by the failure above. */
    struct sj_user_change on = {.has_disabled = true, .is_disabled = false};
    assert_int_equal(sj_user_update(f->w.store, f->admin, &on, NULL), 0);
    assert_int_equal(try_login(f, "admin", PW, T0 + 4, NULL), SJ_LOGIN_OK);
    sj_login_release(&login);
}

/* ---- Sessions ----------------------------------------------------------------------------- */

static enum sj_session_status check(struct fixture *f, const char *token, int64_t now)
{
    struct sj_session s;
    assert_int_equal(
        sj_session_check(f->w.store, sj_str_from_cstr(token), now, &f->policy, &s, NULL), 0);
    enum sj_session_status status = s.status;
    if (status == SJ_SESSION_OK)
        assert_int_equal(s.user.id, f->admin);
    else
        assert_null(s.user.username);
    sj_session_release(&s);
    return status;
}

static void test_session_idle_timeout(void **state)
{
    struct fixture *f = *state;
    struct sj_login login;
    int64_t idle = f->policy.idle_ms;
    assert_int_equal(try_login(f, "admin", PW, T0, &login), SJ_LOGIN_OK);
    assert_int_equal(check(f, login.token, T0 + idle - 1), SJ_SESSION_OK);
    /* That use restarted the idle clock. */
    assert_int_equal(check(f, login.token, T0 + 2 * idle - 2), SJ_SESSION_OK);
    assert_int_equal(check(f, login.token, T0 + 3 * idle - 2), SJ_SESSION_EXPIRED);
    assert_int_equal(check(f, login.token, T0 + 3 * idle - 1), SJ_SESSION_NONE);
    sj_login_release(&login);
}

static void test_session_absolute_timeout(void **state)
{
    struct fixture *f = *state;
    struct sj_login login;
    assert_int_equal(try_login(f, "admin", PW, T0, &login), SJ_LOGIN_OK);
    int64_t now = T0, end = T0 + f->policy.absolute_ms;
    while (now + f->policy.idle_ms / 2 < end) {
        now += f->policy.idle_ms / 2;
        assert_int_equal(check(f, login.token, now), SJ_SESSION_OK);
    }
    assert_int_equal(check(f, login.token, end), SJ_SESSION_EXPIRED);
    sj_login_release(&login);
}

static void test_logout_and_password_change(void **state)
{
    struct fixture *f = *state;
    struct sj_login a, b;
    assert_int_equal(try_login(f, "admin", PW, T0, &a), SJ_LOGIN_OK);
    assert_int_equal(try_login(f, "admin", PW, T0, &b), SJ_LOGIN_OK);
    assert_int_equal(sj_session_end(f->w.store, sj_str_from_cstr(a.token), NULL), 0);
    assert_int_equal(check(f, a.token, T0 + 1), SJ_SESSION_NONE);
    assert_int_equal(check(f, b.token, T0 + 1), SJ_SESSION_OK);
    struct sj_user_change pw = {.password = "another secret"};
    assert_int_equal(sj_user_update(f->w.store, f->admin, &pw, NULL), 0);
    assert_int_equal(check(f, b.token, T0 + 2), SJ_SESSION_NONE);
    assert_int_equal(try_login(f, "admin", PW, T0 + 3, NULL), SJ_LOGIN_BAD_CREDENTIALS);
    assert_int_equal(try_login(f, "admin", "another secret", T0 + 3 + f->policy.backoff_ms, NULL),
                     SJ_LOGIN_OK);
    sj_login_release(&a);
    sj_login_release(&b);
}

static void test_garbage_tokens(void **state)
{
    struct fixture *f = *state;
    static const char *const tokens[] = {
        "",
        "x",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "' OR 1=1 --",
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(tokens); i++) {
        assert_int_equal(check(f, tokens[i], T0), SJ_SESSION_NONE);
        assert_int_equal(sj_session_end(f->w.store, sj_str_from_cstr(tokens[i]), NULL), 0);
    }
}

int main(void)
{
    setenv("SHUJIAN_TEST_FAST_HASH", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_username_fold),
        cmocka_unit_test(test_password_check),
        cmocka_unit_test(test_roles),
        cmocka_unit_test_setup_teardown(test_office_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_office_visibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_backoff_and_lockout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_names_are_counted_too, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_idle_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_absolute_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logout_and_password_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_tokens, setup, teardown),
    };
    return cmocka_run_group_tests_name("identity", tests, NULL, NULL);
}
