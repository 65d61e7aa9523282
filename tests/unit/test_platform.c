/*
 * test_platform.c - unit tests of the store's side of the platform API (src/store/platform.c,
 * platform_leads.c) and of sj_lead_set_status_within, on real SQLite files: owner offices
 * (NULL is the workspace's own, lowest office), filtered row pages (raw equality, equality of
 * the normalised value, containment), leads and statistics limited by office and date, and
 * a status change inside the caller's transaction that commits or rolls back with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "shujian/identity.h"
#include "shujian/leads.h"
#include "shujian/platform.h"
#include "shujian/store.h"
#include "test_util.h"

static struct sj_err err;

/* Offices: city 1, county 2 under it, city 3. */
static void add_offices(struct sj_store *store)
{
    int64_t id = 0;
    assert_int_equal(sj_office_add(store, "441800", "清远市人民检察院", 0, &id, &err), 0);
    assert_int_equal(sj_office_add(store, "441802", "清城区人民检察院", 1, &id, &err), 0);
    assert_int_equal(sj_office_add(store, "440100", "广州市人民检察院", 0, &id, &err), 0);
}

/* A dataset of (name text, phone, note text) rows; returns its id. */
static int64_t import_calls(struct sj_store *store, const char *dataset)
{
    static const struct sj_column_def cols[] = {
        {"姓名", SJ_KIND_TEXT}, {"手机号", SJ_KIND_PHONE}, {"备注", SJ_KIND_TEXT}};
    static const char *const rows[][3] = {
        {"张三", "138 0013 8000", "转账往来"},
        {"李四", "13900139000", "通话"},
        {"王五", "+86 138-0013-8000", "转账"},
        {"赵六", "", "无"},
    };
    struct sj_import_source src = {"calls.csv", "calls.csv", 10, NULL, "", "csv", "utf-8"};
    char sha[65];
    snprintf(sha, sizeof sha, "%064zx", strlen(dataset));
    src.sha256 = sha;
    struct sj_import *imp = NULL;
    assert_int_equal(sj_import_begin(store, dataset, cols, 3, &src, &imp, NULL, &err), 0);
    for (size_t i = 0; i < SJ_ARRAY_LEN(rows); i++) {
        struct sj_norm_result phone;
        bool has_phone =
            rows[i][1][0] && sj_norm(SJ_KIND_PHONE, sj_str_from_cstr(rows[i][1]), &phone);
        struct sj_import_cell cells[3] = {{sj_str_from_cstr(rows[i][0]), NULL},
                                          {sj_str_from_cstr(rows[i][1]), has_phone ? &phone : NULL},
                                          {sj_str_from_cstr(rows[i][2]), NULL}};
        assert_int_equal(sj_import_add_row(imp, (int64_t)i + 2, cells, &err), 0);
    }
    assert_int_equal(sj_import_commit(imp, NULL, &err), 0);
    struct sj_dataset_info info;
    assert_int_equal(sj_store_dataset_get(store, dataset, &info, &err), 0);
    int64_t id = info.id;
    sj_dataset_info_release(&info);
    return id;
}

static void test_owners(void **state)
{
    struct tu_workspace *f = *state;
    int64_t home = -1, office = -1;
    char *name = NULL;
    assert_int_equal(sj_platform_home_office(f->store, &home, &err), 0);
    assert_int_equal(home, 0); /* no offices yet */
    add_offices(f->store);
    assert_int_equal(sj_platform_home_office(f->store, &home, &err), 0);
    assert_int_equal(home, 1);
    int64_t id = import_calls(f->store, "calls");
    assert_int_equal(sj_platform_dataset_by_id(f->store, id, &name, &office, &err), 0);
    assert_string_equal(name, "calls");
    assert_int_equal(office, 1); /* NULL: the workspace's own office */
    free(name);
    assert_int_equal(sj_platform_dataset_claim(f->store, "calls", 2, &err), 0);
    assert_int_equal(sj_platform_dataset_office(f->store, "calls", &office, &err), 0);
    assert_int_equal(office, 2);
    /* Claiming again does not move an owned dataset. */
    assert_int_equal(sj_platform_dataset_claim(f->store, "calls", 3, &err), 0);
    assert_int_equal(sj_platform_dataset_office(f->store, "calls", &office, &err), 0);
    assert_int_equal(office, 2);
    assert_int_equal(sj_platform_dataset_by_id(f->store, id + 100, &name, &office, &err),
                     SJ_ENOTFOUND);
    assert_int_equal(sj_platform_dataset_office(f->store, "nope", &office, &err), SJ_ENOTFOUND);
}

/* Rows of calls passing filter: their source rows, in order, as "2,4". */
static void expect_rows(struct sj_store *store, int64_t id, const struct sj_row_filter *filter,
                        const char *want)
{
    struct sj_row_page page;
    int64_t total = -1;
    char got[64] = "";
    assert_int_equal(sj_platform_rows(store, id, filter, 0, 100, &page, &total, &err), 0);
    for (size_t i = 0; i < page.row_count; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? "," : "",
                 (long long)page.rows[i].source_row);
    assert_int_equal(total, (int64_t)page.row_count);
    sj_row_page_release(&page);
    assert_string_equal(got, want);
}

static void test_rows(void **state)
{
    struct tu_workspace *f = *state;
    int64_t id = import_calls(f->store, "calls");
    struct sj_row_filter all = {0};
    expect_rows(f->store, id, &all, "2,3,4,5");
    expect_rows(f->store, id, NULL, "2,3,4,5");
    /* Raw text equality, trimmed. */
    struct sj_row_filter eq = {SJ_ROW_MATCH_EQUAL, 1, "李四", NULL};
    expect_rows(f->store, id, &eq, "3");
    /* The normalised value: two spellings of one mobile. */
    struct sj_row_filter phone = {SJ_ROW_MATCH_EQUAL, 2, "138-0013-8000", "13800138000"};
    expect_rows(f->store, id, &phone, "2,4");
    struct sj_row_filter contains = {SJ_ROW_MATCH_CONTAINS, 3, "转账", NULL};
    expect_rows(f->store, id, &contains, "2,4");
    struct sj_row_filter none = {SJ_ROW_MATCH_EQUAL, 1, "孙七", NULL};
    expect_rows(f->store, id, &none, "");
    /* Paging: the second of two-row pages, and the total of all rows. */
    struct sj_row_page page;
    int64_t total = 0;
    assert_int_equal(sj_platform_rows(f->store, id, &all, 2, 2, &page, &total, &err), 0);
    assert_int_equal(total, 4);
    assert_int_equal(page.row_count, 2);
    assert_int_equal(page.rows[0].source_row, 4);
    assert_string_equal(page.rows[0].file_name, "calls.csv");
    assert_string_equal(page.rows[0].cells[1].norm, "13800138000");
    assert_string_equal(page.rows[0].cells[1].raw, "+86 138-0013-8000");
    sj_row_page_release(&page);
    struct sj_row_filter bad = {SJ_ROW_MATCH_EQUAL, 4, "x", NULL};
    assert_int_equal(sj_platform_rows(f->store, id, &bad, 0, 10, &page, &total, &err), SJ_EINVAL);
    assert_int_equal(sj_platform_rows(f->store, id, &all, 0, 0, &page, &total, &err), SJ_EINVAL);
    assert_int_equal(sj_platform_rows(f->store, id + 9, &all, 0, 5, &page, &total, &err),
                     SJ_ENOTFOUND);
}

/* A run of model m that finds subjects s1..sn; claimed by office. Returns the run id. */
static int64_t run_model(struct sj_store *store, const char *m, int n, int64_t office)
{
    struct sj_lead_run_spec spec = {m, "1.0.0", "abc", "criminal", NULL, NULL, 0};
    struct sj_lead_run *run = NULL;
    char id[SJ_LEAD_ID_SIZE], subject[16];
    assert_int_equal(sj_lead_run_begin(store, &spec, &run, &err), 0);
    int64_t run_id = sj_lead_run_id(run);
    for (int i = 1; i <= n; i++) {
        snprintf(subject, sizeof subject, "s%d", i);
        assert_int_equal(sj_lead_upsert(run, subject, "标题", id, NULL, &err), 0);
    }
    struct sj_lead_run_counts counts = {n, n, n, 0.1};
    assert_int_equal(sj_lead_run_finish(run, &counts, &err), 0);
    if (office)
        assert_int_equal(sj_platform_run_claim(store, run_id, office, &err), 0);
    return run_id;
}

static int64_t count_leads(struct sj_store *store, const int64_t *offices, size_t n,
                           const char *model, const char *from)
{
    struct sj_lead_query q = {0};
    struct sj_lead_list list;
    int64_t *owners = NULL;
    q.offices = (struct sj_office_set){offices, n};
    q.filter.model_id = model;
    q.from = from;
    assert_int_equal(sj_platform_leads(store, &q, &list, &owners, &err), 0);
    for (size_t i = 0; i < list.count; i++) {
        bool is_in = false;
        for (size_t k = 0; k < n; k++)
            is_in = is_in || owners[i] == offices[k];
        assert_true(is_in);
    }
    assert_int_equal((int64_t)list.count, list.total);
    int64_t total = list.total;
    sj_lead_list_release(&list);
    free(owners);
    return total;
}

static void test_lead_scope(void **state)
{
    struct tu_workspace *f = *state;
    static const int64_t city[] = {1, 2}, county[] = {2}, other[] = {3}, home[] = {1};
    add_offices(f->store);
    run_model(f->store, "m-home", 2, 0); /* the command line's: the workspace's own office */
    run_model(f->store, "m-county", 3, 2);
    assert_int_equal(count_leads(f->store, city, 2, NULL, NULL), 5);
    assert_int_equal(count_leads(f->store, county, 1, NULL, NULL), 3);
    assert_int_equal(count_leads(f->store, home, 1, NULL, NULL), 2);
    assert_int_equal(count_leads(f->store, other, 1, NULL, NULL), 0);
    assert_int_equal(count_leads(f->store, NULL, 0, NULL, NULL), 0);
    assert_int_equal(count_leads(f->store, city, 2, "m-county", NULL), 3);
    assert_int_equal(count_leads(f->store, city, 2, NULL, "2999-01-01"), 0);
    /* One lead by id, and its owner. */
    char id[SJ_LEAD_ID_SIZE];
    int64_t office = 0;
    sj_lead_make_id("m-county", "s2", id);
    assert_int_equal(sj_platform_lead_office(f->store, id, &office, &err), 0);
    assert_int_equal(office, 2);
    struct sj_lead_query q = {.offices = {county, 1}, .id = id};
    struct sj_lead_list list;
    int64_t *owners = NULL;
    assert_int_equal(sj_platform_leads(f->store, &q, &list, &owners, &err), 0);
    assert_int_equal(list.count, 1);
    assert_string_equal(list.items[0].subject, "s2");
    sj_lead_list_release(&list);
    free(owners);
    struct sj_platform_run_list runs;
    assert_int_equal(
        sj_platform_runs(f->store, NULL, (struct sj_office_set){other, 1}, 10, &runs, &err), 0);
    assert_int_equal(runs.count, 0);
    sj_platform_run_list_release(&runs);
    assert_int_equal(
        sj_platform_runs(f->store, "m-county", (struct sj_office_set){city, 2}, 10, &runs, &err),
        0);
    assert_int_equal(runs.count, 1);
    assert_int_equal(runs.items[0].office_id, 2);
    assert_int_equal(runs.items[0].lead_count, 3);
    sj_platform_run_list_release(&runs);
}

static enum sj_lead_status status_of(struct sj_store *store, const char *id)
{
    struct sj_lead_detail d;
    assert_int_equal(sj_lead_get(store, id, &d, &err), 0);
    enum sj_lead_status s = d.lead.status;
    sj_lead_detail_release(&d);
    return s;
}

static void test_status_within(void **state)
{
    struct tu_workspace *f = *state;
    char a[SJ_LEAD_ID_SIZE], b[SJ_LEAD_ID_SIZE];
    run_model(f->store, "m", 2, 0);
    sj_lead_make_id("m", "s1", a);
    sj_lead_make_id("m", "s2", b);
    struct sj_lead_change verify = {SJ_LEAD_VERIFYING, SJ_OUTCOME_NONE, "核查", "chen"};
    struct sj_lead_change back = {SJ_LEAD_PENDING, SJ_OUTCOME_NONE, "退回", "chen"};
    /* No transaction open: refused. */
    assert_int_equal(sj_lead_set_status_within(f->store, a, &verify, &err), SJ_EINVAL);
    /* Rolled back with the caller's transaction. */
    assert_int_equal(sj_platform_begin(f->store, &err), 0);
    assert_int_equal(sj_lead_set_status_within(f->store, a, &verify, &err), 0);
    assert_int_equal(status_of(f->store, a), SJ_LEAD_VERIFYING);
    sj_platform_rollback(f->store);
    assert_int_equal(status_of(f->store, a), SJ_LEAD_PENDING);
    /* A refused change undoes only itself; the transaction goes on and commits. */
    assert_int_equal(sj_platform_begin(f->store, &err), 0);
    assert_int_equal(sj_lead_set_status_within(f->store, a, &verify, &err), 0);
    assert_int_equal(sj_lead_set_status_within(f->store, a, &back, &err), SJ_EINVAL);
    assert_int_equal(sj_lead_set_status_within(f->store, b, &verify, &err), 0);
    assert_int_equal(sj_platform_commit(f->store, &err), 0);
    assert_int_equal(status_of(f->store, a), SJ_LEAD_VERIFYING);
    assert_int_equal(status_of(f->store, b), SJ_LEAD_VERIFYING);
    /* Nested savepoints of the server's writer: ROLLBACK TO undoes the change. */
    struct sj_lead_change close = {SJ_LEAD_NO_CASE, SJ_OUTCOME_NONE, "不成案", "chen"};
    assert_int_equal(sj_platform_begin(f->store, &err), 0);
    assert_int_equal(sj_platform_savepoint(f->store, &err), 0);
    assert_int_equal(sj_lead_set_status_within(f->store, a, &close, &err), 0);
    sj_platform_savepoint_end(f->store, false);
    assert_int_equal(sj_platform_commit(f->store, &err), 0);
    assert_int_equal(status_of(f->store, a), SJ_LEAD_VERIFYING);
}

static void test_stats_scope(void **state)
{
    struct tu_workspace *f = *state;
    static const int64_t city[] = {1, 2}, county[] = {2}, other[] = {3};
    char id[SJ_LEAD_ID_SIZE], month[8];
    add_offices(f->store);
    run_model(f->store, "m-county", 4, 2);
    run_model(f->store, "m-home", 1, 0);
    sj_lead_make_id("m-county", "s1", id);
    struct sj_lead_change to_case = {SJ_LEAD_CASE, SJ_OUTCOME_FILING, "立案监督", "chen"};
    assert_int_equal(sj_lead_set_status(f->store, id, &to_case, &err), 0);
    struct sj_platform_stats st;
    assert_int_equal(
        sj_platform_stats(f->store, (struct sj_office_set){county, 1}, NULL, NULL, &st, &err), 0);
    assert_int_equal(st.counts.total.leads, 4);
    assert_int_equal(st.counts.total.cases, 1);
    assert_int_equal(st.counts.total.runs, 1);
    assert_int_equal(st.counts.model_count, 1);
    assert_int_equal(st.counts.models[0].outcomes[SJ_OUTCOME_FILING], 1);
    assert_true(st.counts.models[0].conversion > 0.249 && st.counts.models[0].conversion < 0.251);
    time_t now = time(NULL);
    strftime(month, sizeof month, "%Y-%m", gmtime(&now));
    assert_int_equal(st.month_count, 1);
    assert_string_equal(st.months[0].month, month);
    assert_int_equal(st.months[0].leads, 4);
    assert_int_equal(st.months[0].cases, 1);
    sj_platform_stats_release(&st);
    assert_int_equal(
        sj_platform_stats(f->store, (struct sj_office_set){city, 2}, NULL, NULL, &st, &err), 0);
    assert_int_equal(st.counts.total.leads, 5);
    assert_int_equal(st.counts.total.runs, 2);
    sj_platform_stats_release(&st);
    assert_int_equal(
        sj_platform_stats(f->store, (struct sj_office_set){other, 1}, NULL, NULL, &st, &err), 0);
    assert_int_equal(st.counts.total.leads, 0);
    assert_int_equal(st.month_count, 0);
    sj_platform_stats_release(&st);
    assert_int_equal(
        sj_platform_stats(f->store, (struct sj_office_set){city, 2}, "2999-01-01", NULL, &st, &err),
        0);
    assert_int_equal(st.counts.total.leads, 0);
    sj_platform_stats_release(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_WORKSPACE_TEST(test_owners),      TU_WORKSPACE_TEST(test_rows),
        TU_WORKSPACE_TEST(test_lead_scope),  TU_WORKSPACE_TEST(test_status_within),
        TU_WORKSPACE_TEST(test_stats_scope),
    };
    return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
