/*
 * test_model_preview.c - sj_model_preview on a real workspace in a temporary directory: a
 * dataset of synthetic payments (person n pays n times, n = 1..5) filled through sj_import_*,
 * a count model parsed with sj_model_parse and compiled with sj_model_compile. Checked: the
 * total and the leads shown for each (threshold, limit) of a table, the title and evidence
 * count of a lead, that nothing is recorded (no lead in the store afterwards), that an
 * endless query is stopped by the time limit with SJ_ETOOBIG and the connection then serves
 * the next preview, and that bad arguments are refused.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "shujian/leads.h"
#include "shujian/model.h"
#include "shujian/model_preview.h"
#include "shujian/store.h"

#define PEOPLE 5

static char ids[PEOPLE + 1][19];

static struct tu_workspace fx; /* the group's workspace, made by group_setup */

static const char MODEL[] = "id: pay-often\n"
                            "name: 多次付款\n"
                            "function: criminal\n"
                            "version: 1.0.0\n"
                            "summary: 同一人多次付款\n"
                            "inputs:\n"
                            "  pay:\n"
                            "    dataset: payments\n"
                            "    columns:\n"
                            "      person: {kind: idcard, headers: [身份证号]}\n"
                            "      money: {kind: amount, headers: [金额]}\n"
                            "parameters:\n"
                            "  min_times: {type: integer, default: 2, label: 最少次数}\n"
                            "steps:\n"
                            "  - id: many\n"
                            "    %s\n"
                            "lead:\n"
                            "  from: many\n"
                            "  subject: person\n"
                            "  title: \"{person}付款{count}次\"\n"
                            "  evidence: [person, count]\n";

static const char COUNT_STEP[] = "count: {from: pay, by: [person], having: count >= $min_times}";
/* A recursive CTE without end: only the time limit stops it. */
static const char ENDLESS_STEP[] =
    "sql: {query: \"WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) "
    "SELECT person, count(*) AS count, _ev FROM pay, r GROUP BY person\"}";

/* 441802 + 1985-03-01 + sequence + GB 11643 check character. */
static void make_id(int n, char out[19])
{
    char first17[32];
    snprintf(first17, sizeof first17, "44180219850301%03d", n);
    tu_idcard(first17, out);
}


static void import_payments(void)
{
    static const struct sj_column_def cols[] = {{"身份证号", SJ_KIND_IDCARD},
                                                {"金额", SJ_KIND_AMOUNT}};
    struct sj_import_source src = {
        "payments.csv",
        "payments.csv",
        1,
        "00000000000000000000000000000000000000000000000000000000000000aa",
        "",
        "csv",
        "UTF-8"};
    struct sj_import *imp = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_import_begin(fx.store, "payments", cols, 2, &src, &imp, NULL, &err) != 0)
        fail_msg("import: %s", err.message);
    int64_t line = 2;
    for (int n = 1; n <= PEOPLE; n++) {
        for (int k = 0; k < n; k++) {
            char amount[16];
            snprintf(amount, sizeof amount, "%d00.00", k + 1);
            struct sj_import_cell row[2];
            struct sj_norm_result norm[2];
            row[0].raw = sj_str_from_cstr(ids[n]);
            row[1].raw = sj_str_from_cstr(amount);
            for (int c = 0; c < 2; c++) {
                sj_norm(cols[c].kind, row[c].raw, &norm[c]);
                row[c].norm = &norm[c];
            }
            assert_int_equal(sj_import_add_row(imp, line++, row, &err), 0);
        }
    }
    assert_int_equal(sj_import_commit(imp, NULL, &err), 0);
}

static int group_setup(void **state)
{
    (void)state;
    for (int n = 1; n <= PEOPLE; n++)
        make_id(n, ids[n]);
    if (tu_workspace_init(&fx, "sj-mprev", true) != 0)
        return -1;
    import_payments();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tu_workspace_release(&fx);
    return 0;
}

/* Parses the model with step, compiles it with min_times (NULL: the default) and previews. */
static int preview(const char *step, const char *min_times, size_t limit, int64_t ms,
                   struct sj_model_preview *out, struct sj_err *err)
{
    char text[2048];
    struct sj_model *m = NULL;
    struct sj_model_diags diags = {0};
    struct sj_model_plan plan = {0};
    snprintf(text, sizeof text, MODEL, step);
    if (sj_model_parse(text, strlen(text), NULL, &m, &diags) != 0)
        fail_msg("model: %s", diags.count ? diags.items[0].message : "?");
    struct sj_model_choice param = {"min_times", min_times};
    struct sj_model_run_opts opts = {.params = &param, .param_count = min_times ? 1 : 0};
    int rc = sj_model_compile(fx.store, m, &opts, &plan, err);
    if (rc == 0)
        rc = sj_model_preview(fx.store, m, &plan, limit, ms, out, err);
    sj_model_plan_release(&plan);
    sj_model_free(m);
    return rc;
}

static void test_counts(void **state)
{
    (void)state;
    static const struct {
        const char *min_times;
        size_t limit;
        size_t total, shown;
        int64_t rows;
    } cases[] = {
        {NULL, 20, 4, 4, 4}, {"2", 3, 4, 3, 4}, {"4", 20, 2, 2, 2},
        {"6", 20, 0, 0, 0},  {"1", 0, 5, 0, 5}, {"5", 1, 1, 1, 1},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        struct sj_model_preview p;
        struct sj_err err;
        sj_err_clear(&err);
        assert_int_equal(preview(COUNT_STEP, cases[i].min_times, cases[i].limit, 5000, &p, &err),
                         0);
        assert_int_equal(p.lead_count, cases[i].total);
        assert_int_equal(p.shown, cases[i].shown);
        assert_int_equal(p.row_count, cases[i].rows);
        sj_model_preview_release(&p);
    }
}

static void test_lead(void **state)
{
    (void)state;
    struct sj_model_preview p;
    struct sj_err err;
    char want[64];
    sj_err_clear(&err);
    assert_int_equal(preview(COUNT_STEP, "5", 10, 5000, &p, &err), 0);
    assert_int_equal(p.shown, 1);
    assert_string_equal(p.leads[0].subject, ids[5]);
    snprintf(want, sizeof want, "%s付款5次", ids[5]);
    assert_string_equal(p.leads[0].title, want);
    assert_int_equal(p.leads[0].evidence_count, 5); /* one per payment row */
    assert_int_equal(p.subject_kind, SJ_KIND_IDCARD); /* for masking the subject */
    sj_model_preview_release(&p);
}

static void test_records_nothing(void **state)
{
    (void)state;
    struct sj_lead_filter filter = {0};
    struct sj_lead_list list = {0};
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_lead_list(fx.store, &filter, &list, &err), 0);
    assert_int_equal(list.total, 0);
    sj_lead_list_release(&list);
}

static void test_time_limit(void **state)
{
    (void)state;
    struct sj_model_preview p;
    struct sj_err err;
    struct timespec t0, t1;
    sj_err_clear(&err);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(preview(ENDLESS_STEP, NULL, 10, 200, &p, &err), SJ_ETOOBIG);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(took < 3.0);
    assert_non_null(strstr(err.message, "秒"));
    assert_int_equal(p.shown, 0);
    assert_null(p.leads);
    /* The progress handler is gone: the next preview runs to its end. */
    sj_err_clear(&err);
    assert_int_equal(preview(COUNT_STEP, NULL, 10, 5000, &p, &err), 0);
    assert_int_equal(p.lead_count, 4);
    sj_model_preview_release(&p);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    struct sj_model_preview p;
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_model_preview(fx.store, NULL, NULL, 10, 1000, &p, &err), SJ_EINVAL);
    assert_int_equal(preview(COUNT_STEP, NULL, 10, 0, &p, &err), SJ_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),          cmocka_unit_test(test_lead),
        cmocka_unit_test(test_time_limit),      cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_records_nothing),
    };
    return cmocka_run_group_tests_name("model_preview", tests, group_setup, group_teardown);
}
