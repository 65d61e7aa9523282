/*
 * test_norm_partyid.c - the party-id kind (证件号码): a value is accepted as an id number,
 * a credit code or an org code, with that kind's canonical value and a "type" part; an
 * invalid value is explained as the kind it looks like.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/norm.h"

struct partyid_case {
    const char *input;
    const char *value;  /* canonical value, NULL when invalid */
    const char *type;   /* "idcard", "credit-code", "org-code" */
    const char *reason; /* substring of the reason when invalid */
};

static const struct partyid_case cases[] = {
    {"11010519491231002X", "11010519491231002X", "idcard", NULL},
    {"11010519491231002x", "11010519491231002X", "idcard", NULL},
    {"１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", "idcard", NULL},
    {"91350100M000100Y43", "91350100M000100Y43", "credit-code", NULL},
    {" 91350100m000100y43 ", "91350100M000100Y43", "credit-code", NULL},
    {"M0001000-3", NULL, NULL, NULL}, /* filled below from the org-code normaliser */
    /* looks like an id number: the id number's reason */
    {"110105194912310021", NULL, NULL, "校验码"},
    /* looks like a credit code: the credit code's reason */
    {"91350100M000100Y44", NULL, NULL, "校验"},
    {"张三", NULL, NULL, "不是有效的身份证号、统一社会信用代码或组织机构代码"},
    {"", NULL, NULL, NULL},
};

static void test_table(void **state)
{
    (void)state;
    struct sj_norm_result r;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct partyid_case *c = &cases[i];
        bool ok = sj_norm_partyid(sj_str_from_cstr(c->input), &r);
        assert_int_equal(r.kind, SJ_KIND_PARTYID);
        if (c->value) {
            if (!ok)
                fail_msg("'%s' rejected: %s", c->input, r.reason);
            assert_string_equal(r.value, c->value);
            assert_string_equal(r.parts[r.part_count - 1].key, "type");
            assert_string_equal(r.parts[r.part_count - 1].value, c->type);
        } else if (c->reason) {
            if (ok)
                fail_msg("'%s' accepted as %s", c->input, r.value);
            if (!strstr(r.reason, c->reason))
                fail_msg("'%s': reason '%s' lacks '%s'", c->input, r.reason, c->reason);
        }
    }
}

/* An org code accepted by sj_norm_orgcode is accepted by party-id with the same value. */
static void test_orgcode_agrees(void **state)
{
    (void)state;
    static const char *const inputs[] = {"12345678-9", "123456789", "MA0000000", "M0001000-3"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct sj_norm_result org, party;
        bool org_ok = sj_norm_orgcode(sj_str_from_cstr(inputs[i]), &org);
        bool party_ok = sj_norm_partyid(sj_str_from_cstr(inputs[i]), &party);
        assert_int_equal(org_ok, party_ok);
        if (org_ok)
            assert_string_equal(org.value, party.value);
    }
}

/* Dispatch by kind name reaches party-id. */
static void test_dispatch(void **state)
{
    (void)state;
    enum sj_kind kind;
    struct sj_norm_result r;
    assert_int_equal(sj_kind_parse("party-id", &kind), 0);
    assert_int_equal(kind, SJ_KIND_PARTYID);
    assert_string_equal(sj_kind_name(SJ_KIND_PARTYID), "party-id");
    assert_true(sj_norm(kind, sj_str_from_cstr("91350100M000100Y43"), &r));
    assert_string_equal(r.value, "91350100M000100Y43");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_orgcode_agrees),
        cmocka_unit_test(test_dispatch),
    };
    return cmocka_run_group_tests_name("norm_partyid", tests, NULL, NULL);
}
