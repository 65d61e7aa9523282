/*
 * test_leads.c - unit tests of model runs and leads in the store (src/store/leads.c), on
 * real SQLite files in a fresh temporary directory per test: stable lead ids (sha256
 * answers computed independently), upsert idempotence across runs, runs that abort leaving
 * nothing, the status rules and their history, list filters and paging, statistics
 * arithmetic, and evidence joined back to the source file, sheet and row.
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
#include <sqlite3.h>

#include "shujian/leads.h"
#include "shujian/store.h"
#include "test_util.h"

/* ---- Helpers (each test gets a fresh tu_workspace of test_util.h) ------------------------- */

static int64_t query_int(struct tu_workspace *f, const char *sql)
{
    char path[400];
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    snprintf(path, sizeof path, "%s/%s", f->ws, SJ_WORKSPACE_DB);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    int64_t v = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return v;
}

/* Imports a two-column text dataset from a pretend workbook sheet; row i of rows comes from
 * source row source_rows[i]. Returns the dataset id. */
static int64_t import_people(struct tu_workspace *f, const char *dataset, const char *file,
                             const char *sheet, const char *const (*rows)[2],
                             const int64_t *source_rows, size_t count)
{
    static const struct sj_column_def cols[] = {{"姓名", SJ_KIND_TEXT}, {"证件号码", SJ_KIND_TEXT}};
    struct sj_import_source src = {file, file, 100, NULL, sheet, "xlsx", ""};
    char sha[65];
    snprintf(sha, sizeof sha, "%064zx", strlen(file) * 31 + strlen(sheet) + count);
    src.sha256 = sha;
    struct sj_import *imp = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_import_begin(f->store, dataset, cols, 2, &src, &imp, NULL, &err), 0);
    for (size_t i = 0; i < count; i++) {
        struct sj_import_cell cells[2] = {{sj_str_from_cstr(rows[i][0]), NULL},
                                          {sj_str_from_cstr(rows[i][1]), NULL}};
        assert_int_equal(sj_import_add_row(imp, source_rows[i], cells, &err), 0);
    }
    assert_int_equal(sj_import_commit(imp, NULL, &err), 0);
    struct sj_dataset_info info;
    assert_int_equal(sj_store_dataset_get(f->store, dataset, &info, &err), 0);
    int64_t id = info.id;
    sj_dataset_info_release(&info);
    return id;
}

static struct sj_lead_run *begin_run(struct tu_workspace *f, const char *model,
                                     const char *function)
{
    struct sj_lead_run_spec spec = {model, "1.0.0", "abc123", function, "{\"n\":1}", NULL, 0};
    struct sj_lead_run *run = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_lead_run_begin(f->store, &spec, &run, &err);
    if (rc != 0)
        fail_msg("run begin: %s", err.message);
    return run;
}

static void finish_run(struct sj_lead_run *run, int64_t leads, int64_t fresh)
{
    struct sj_lead_run_counts counts = {leads, leads, fresh, 0.25};
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_lead_run_finish(run, &counts, &err);
    if (rc != 0)
        fail_msg("run finish: %s", err.message);
}

/* Upserts subject in run and returns whether it was new; id receives the lead id. */
static bool upsert(struct sj_lead_run *run, const char *subject, char id[SJ_LEAD_ID_SIZE])
{
    bool is_new = false;
    struct sj_err err;
    sj_err_clear(&err);
    char title[128];
    snprintf(title, sizeof title, "%s的线索", subject);
    int rc = sj_lead_upsert(run, subject, title, id, &is_new, &err);
    if (rc != 0)
        fail_msg("upsert %s: %s", subject, err.message);
    return is_new;
}

/* ---- Ids and names ------------------------------------------------------------------------- */

/* Expected ids: "L" + first 16 hex of sha256(model "\n" subject), from Python's hashlib. */
static void test_stable_ids(void **state)
{
    (void)state;
    static const struct {
        const char *model, *subject, *id;
    } cases[] = {
        {"tax-not-transferred", "110101199003070011", "L62d8da3323e71a47"},
        {"m", "张三", "L05b9113dfbe935e0"},
        {"a", "", "L87428fc522803d31"},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        char id[SJ_LEAD_ID_SIZE];
        sj_lead_make_id(cases[i].model, cases[i].subject, id);
        assert_string_equal(id, cases[i].id);
    }
}

static void test_names(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
        enum sj_lead_status status;
    } st[] = {
        {"pending", 0, SJ_LEAD_PENDING},
        {"待核查", 0, SJ_LEAD_PENDING},
        {"verifying", 0, SJ_LEAD_VERIFYING},
        {"核查中", 0, SJ_LEAD_VERIFYING},
        {"case", 0, SJ_LEAD_CASE},
        {"成案", 0, SJ_LEAD_CASE},
        {"no-case", 0, SJ_LEAD_NO_CASE},
        {"不成案", 0, SJ_LEAD_NO_CASE},
        {"closed", SJ_EINVAL, 0},
        {"", SJ_EINVAL, 0},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(st); i++) {
        enum sj_lead_status s = SJ_LEAD_STATUS_COUNT;
        assert_int_equal(sj_lead_status_parse(st[i].text, &s), st[i].rc);
        if (st[i].rc == 0) {
            assert_int_equal(s, st[i].status);
            assert_int_equal(sj_lead_status_parse(sj_lead_status_name(s), &s), 0);
            assert_int_equal(s, st[i].status);
        }
    }
    static const struct {
        const char *text;
        int rc;
        enum sj_lead_outcome outcome;
    } oc[] = {
        {"filing", 0, SJ_OUTCOME_FILING},
        {"立案监督", 0, SJ_OUTCOME_FILING},
        {"correction", 0, SJ_OUTCOME_CORRECTION},
        {"纠正违法通知书", 0, SJ_OUTCOME_CORRECTION},
        {"recommendation", 0, SJ_OUTCOME_RECOMMENDATION},
        {"检察建议", 0, SJ_OUTCOME_RECOMMENDATION},
        {"other", 0, SJ_OUTCOME_OTHER},
        {"其他", 0, SJ_OUTCOME_OTHER},
        {"", SJ_EINVAL, 0},
        {"起诉", SJ_EINVAL, 0},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(oc); i++) {
        enum sj_lead_outcome o = SJ_OUTCOME_NONE;
        assert_int_equal(sj_lead_outcome_parse(oc[i].text, &o), oc[i].rc);
        if (oc[i].rc == 0)
            assert_int_equal(o, oc[i].outcome);
    }
}

/* ---- Runs and upserts ---------------------------------------------------------------------- */

static void test_upsert_idempotent(void **state)
{
    struct tu_workspace *f = *state;
    char a1[SJ_LEAD_ID_SIZE], a1again[SJ_LEAD_ID_SIZE], b[SJ_LEAD_ID_SIZE];
    char a2[SJ_LEAD_ID_SIZE], c[SJ_LEAD_ID_SIZE], expect[SJ_LEAD_ID_SIZE];
    struct sj_err err;
    sj_err_clear(&err);

    struct sj_lead_run *run = begin_run(f, "m1", "criminal");
    int64_t first = sj_lead_run_id(run);
    assert_true(upsert(run, "A", a1));
    assert_true(upsert(run, "A", a1again)); /* same run: still new, nothing added */
    assert_true(upsert(run, "B", b));
    assert_string_equal(a1, a1again);
    sj_lead_make_id("m1", "A", expect);
    assert_string_equal(a1, expect);
    assert_int_equal(sj_lead_evidence_add(run, a1, 7, 3, "{\"x\":1}", &err), 0);
    finish_run(run, 2, 2);

    run = begin_run(f, "m1", "criminal");
    int64_t second = sj_lead_run_id(run);
    assert_true(second > first);
    assert_false(upsert(run, "A", a2));
    assert_true(upsert(run, "C", c));
    assert_string_equal(a1, a2);
    assert_int_equal(sj_lead_evidence_add(run, a2, 7, 3, "{\"x\":2}", &err), 0);
    assert_int_equal(sj_lead_evidence_add(run, a2, 7, 4, "{\"x\":3}", &err), 0);
    finish_run(run, 2, 1);

    assert_int_equal(query_int(f, "SELECT count(*) FROM leads"), 3);
    assert_int_equal(query_int(f, "SELECT count(*) FROM model_runs"), 2);
    assert_int_equal(query_int(f, "SELECT new_count FROM model_runs ORDER BY id DESC"), 1);
    struct sj_lead_detail d;
    assert_int_equal(sj_lead_get(f->store, a1, &d, &err), 0);
    assert_int_equal(d.lead.seen_count, 2);
    assert_int_equal(d.lead.first_run, first);
    assert_int_equal(d.lead.last_run, second);
    assert_int_equal(d.lead.status, SJ_LEAD_PENDING);
    assert_string_equal(d.lead.title, "A的线索");
    assert_int_equal(d.evidence_count, 2); /* (7,3) refreshed, not duplicated; (7,4) added */
    assert_int_equal(d.evidence[0].row_id, 3);
    assert_string_equal(d.evidence[0].values_json, "{\"x\":2}");
    assert_int_equal(d.evidence[0].run_id, second);
    assert_false(d.evidence[0].has_source); /* dataset 7 does not exist */
    assert_null(d.evidence[0].dataset);
    assert_int_equal(d.history_count, 2);
    assert_string_equal(d.history[0].action, "found");
    assert_int_equal(d.history[0].run_id, first);
    assert_string_equal(d.history[1].action, "seen-again");
    assert_int_equal(d.history[1].run_id, second);
    sj_lead_detail_release(&d);
    /* B was not seen by the second run. */
    assert_int_equal(sj_lead_get(f->store, b, &d, &err), 0);
    assert_int_equal(d.lead.seen_count, 1);
    assert_int_equal(d.lead.last_run, first);
    sj_lead_detail_release(&d);
}

static void test_abort_leaves_nothing(void **state)
{
    struct tu_workspace *f = *state;
    char id[SJ_LEAD_ID_SIZE];
    struct sj_err err;
    sj_err_clear(&err);
    struct sj_lead_run *run = begin_run(f, "m1", "civil");
    upsert(run, "A", id);
    assert_int_equal(sj_lead_evidence_add(run, id, 1, 1, NULL, &err), 0);
    /* While a run is open, nothing else may write. */
    struct sj_lead_run *other = NULL;
    struct sj_lead_run_spec spec = {"m2", "1", "", "civil", NULL, NULL, 0};
    assert_int_equal(sj_lead_run_begin(f->store, &spec, &other, &err), SJ_EINVAL);
    assert_null(other);
    sj_lead_run_abort(run);
    assert_int_equal(query_int(f, "SELECT count(*) FROM model_runs"), 0);
    assert_int_equal(query_int(f, "SELECT count(*) FROM leads"), 0);
    assert_int_equal(query_int(f, "SELECT count(*) FROM lead_evidence"), 0);
    assert_int_equal(query_int(f, "SELECT count(*) FROM lead_history"), 0);
    /* A run naming a missing dataset does not start. */
    const char *missing[] = {"没有这个"};
    spec.datasets = missing;
    spec.dataset_count = 1;
    assert_int_equal(sj_lead_run_begin(f->store, &spec, &other, &err), SJ_ENOTFOUND);
    assert_int_equal(query_int(f, "SELECT count(*) FROM model_runs"), 0);
    /* An empty subject is refused. */
    run = begin_run(f, "m1", "civil");
    assert_int_equal(sj_lead_upsert(run, "", "t", id, NULL, &err), SJ_EINVAL);
    sj_lead_run_abort(run);
}

/* ---- Status rules -------------------------------------------------------------------------- */

struct step {
    const char *status; /* as a user types it */
    const char *outcome;
    const char *note;
    int rc;
};

static int apply(struct tu_workspace *f, const char *id, const struct step *s)
{
    struct sj_lead_change c = {SJ_LEAD_PENDING, SJ_OUTCOME_NONE, s->note, "王检察官"};
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_lead_status_parse(s->status, &c.status), 0);
    if (s->outcome)
        assert_int_equal(sj_lead_outcome_parse(s->outcome, &c.outcome), 0);
    int rc = sj_lead_set_status(f->store, id, &c, &err);
    if (rc < 0)
        assert_true(err.message[0] != '\0');
    return rc;
}

static void test_status_rules(void **state)
{
    struct tu_workspace *f = *state;
    char id[SJ_LEAD_ID_SIZE];
    struct sj_lead_run *run = begin_run(f, "m1", "criminal");
    upsert(run, "A", id);
    finish_run(run, 1, 1);
    static const struct step steps[] = {
        {"待核查", NULL, "再看看", SJ_EINVAL},          /* already pending */
        {"核查中", NULL, "", SJ_EINVAL},                /* no note */
        {"核查中", NULL, "   ", SJ_EINVAL},             /* blank note */
        {"verifying", "filing", "调取卷宗", SJ_EINVAL}, /* outcome without case */
        {"verifying", NULL, "调取卷宗", 0},             /* pending -> verifying */
        {"pending", NULL, "退回", SJ_EINVAL},           /* never back to pending */
        {"case", NULL, "已成案", SJ_EINVAL},            /* case needs an outcome */
        {"成案", "立案监督", "公安机关已立案", 0},      /* verifying -> case */
        {"no-case", NULL, "改判", SJ_EINVAL},           /* case -> no-case not directly */
        {"核查中", NULL, "发现新情况，重新核查", 0},    /* reopening */
        {"不成案", NULL, "证据不足", 0},                /* verifying -> no-case */
        {"verifying", NULL, "补充证据后复查", 0},       /* reopening no-case */
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(steps); i++) {
        if (apply(f, id, &steps[i]) != steps[i].rc)
            fail_msg("step %zu (%s): want %d", i, steps[i].status, steps[i].rc);
    }
    struct sj_lead_detail d;
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_lead_get(f->store, id, &d, &err), 0);
    assert_int_equal(d.lead.status, SJ_LEAD_VERIFYING);
    assert_int_equal(d.lead.outcome, SJ_OUTCOME_NONE); /* cleared when leaving case */
    /* found + 5 accepted changes, in order, with from/to, outcome, note and actor. */
    assert_int_equal(d.history_count, 6);
    static const enum sj_lead_status from[] = {SJ_LEAD_PENDING, SJ_LEAD_VERIFYING, SJ_LEAD_CASE,
                                               SJ_LEAD_VERIFYING, SJ_LEAD_NO_CASE};
    static const enum sj_lead_status to[] = {SJ_LEAD_VERIFYING, SJ_LEAD_CASE, SJ_LEAD_VERIFYING,
                                             SJ_LEAD_NO_CASE, SJ_LEAD_VERIFYING};
    for (size_t i = 0; i < 5; i++) {
        const struct sj_lead_event *h = &d.history[i + 1];
        assert_string_equal(h->action, "status");
        assert_true(h->has_status);
        assert_int_equal(h->from_status, from[i]);
        assert_int_equal(h->to_status, to[i]);
        assert_string_equal(h->actor, "王检察官");
        assert_int_equal(h->run_id, 0);
    }
    assert_int_equal(d.history[2].outcome, SJ_OUTCOME_FILING);
    assert_string_equal(d.history[2].note, "公安机关已立案");
    sj_lead_detail_release(&d);

    struct sj_lead_change c = {SJ_LEAD_VERIFYING, SJ_OUTCOME_NONE, "x", NULL};
    assert_int_equal(sj_lead_set_status(f->store, "Lffffffffffffffff", &c, &err), SJ_ENOTFOUND);
    /* pending -> no-case directly is allowed too. */
    run = begin_run(f, "m1", "criminal");
    upsert(run, "B", id);
    finish_run(run, 1, 1);
    static const struct step direct = {"no-case", NULL, "查无实据", 0};
    assert_int_equal(apply(f, id, &direct), 0);
}

/* ---- Lists and statistics ------------------------------------------------------------------ */

static void make_leads(struct tu_workspace *f, const char *model, const char *function, int count,
                       char ids[][SJ_LEAD_ID_SIZE])
{
    struct sj_lead_run *run = begin_run(f, model, function);
    for (int i = 0; i < count; i++) {
        char subject[32];
        snprintf(subject, sizeof subject, "%s-%d", model, i);
        upsert(run, subject, ids[i]);
    }
    finish_run(run, count, count);
}

static void test_list_filters(void **state)
{
    struct tu_workspace *f = *state;
    char ids[5][SJ_LEAD_ID_SIZE];
    struct sj_err err;
    sj_err_clear(&err);
    make_leads(f, "beta", "civil", 3, ids);
    make_leads(f, "alpha", "criminal", 2, ids + 3);
    static const struct step verify = {"核查中", NULL, "核查", 0};
    assert_int_equal(apply(f, ids[1], &verify), 0);

    struct sj_lead_list list;
    assert_int_equal(sj_lead_list(f->store, NULL, &list, &err), 0);
    assert_int_equal(list.count, 5);
    assert_int_equal(list.total, 5);
    assert_string_equal(list.items[0].model_id, "alpha"); /* by model, then found order */
    assert_string_equal(list.items[0].subject, "alpha-0");
    assert_string_equal(list.items[4].subject, "beta-2");
    sj_lead_list_release(&list);

    static const struct {
        struct sj_lead_filter filter;
        size_t count;
        int64_t total;
        const char *first;
    } cases[] = {
        {{"beta", NULL, false, 0, 0, 0}, 3, 3, "beta-0"},
        {{NULL, "criminal", false, 0, 0, 0}, 2, 2, "alpha-0"},
        {{NULL, NULL, true, SJ_LEAD_VERIFYING, 0, 0}, 1, 1, "beta-1"},
        {{"beta", NULL, true, SJ_LEAD_PENDING, 0, 0}, 2, 2, "beta-0"},
        {{NULL, NULL, false, 0, 2, 1}, 2, 5, "alpha-1"},
        {{"beta", NULL, false, 0, 10, 2}, 1, 3, "beta-2"},
        {{"nobody", NULL, false, 0, 0, 0}, 0, 0, NULL},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        assert_int_equal(sj_lead_list(f->store, &cases[i].filter, &list, &err), 0);
        assert_int_equal(list.count, cases[i].count);
        assert_int_equal(list.total, cases[i].total);
        if (cases[i].first)
            assert_string_equal(list.items[0].subject, cases[i].first);
        sj_lead_list_release(&list);
    }
    struct sj_lead_filter bad = {NULL, NULL, false, 0, -1, 0};
    assert_int_equal(sj_lead_list(f->store, &bad, &list, &err), SJ_EINVAL);
}

static void test_stats(void **state)
{
    struct tu_workspace *f = *state;
    char a[4][SJ_LEAD_ID_SIZE], b[2][SJ_LEAD_ID_SIZE], c[1][SJ_LEAD_ID_SIZE];
    struct sj_err err;
    sj_err_clear(&err);
    make_leads(f, "alpha", "criminal", 4, a);
    make_leads(f, "beta", "criminal", 2, b);
    make_leads(f, "gamma", "civil", 1, c);
    make_leads(f, "empty", "administrative", 0, NULL);
    static const struct step verify = {"核查中", NULL, "核查", 0};
    static const struct step filing = {"成案", "立案监督", "立案", 0};
    static const struct step advice = {"成案", "检察建议", "建议", 0};
    static const struct step nocase = {"不成案", NULL, "无", 0};
    assert_int_equal(apply(f, a[0], &filing), 0); /* alpha: case (filing) */
    assert_int_equal(apply(f, a[1], &verify), 0); /* alpha: verifying */
    assert_int_equal(apply(f, a[2], &nocase), 0); /* alpha: no-case */
    assert_int_equal(apply(f, b[0], &verify), 0); /* beta: case (recommendation) */
    assert_int_equal(apply(f, b[0], &advice), 0);
    assert_int_equal(apply(f, c[0], &filing), 0); /* gamma: case (filing) */

    struct sj_lead_stats s;
    assert_int_equal(sj_lead_stats(f->store, &s, &err), 0);
    assert_int_equal(s.model_count, 4);
    static const struct {
        const char *key, *function;
        int64_t runs, leads, verified, cases, filing, advice;
    } want[] = {
        {"alpha", "criminal", 1, 4, 3, 1, 1, 0},
        {"beta", "criminal", 1, 2, 1, 1, 0, 1},
        {"empty", "administrative", 1, 0, 0, 0, 0, 0},
        {"gamma", "civil", 1, 1, 1, 1, 1, 0},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(want); i++) {
        const struct sj_lead_stats_row *r = &s.models[i];
        assert_string_equal(r->key, want[i].key);
        assert_string_equal(r->function, want[i].function);
        assert_int_equal(r->runs, want[i].runs);
        assert_int_equal(r->leads, want[i].leads);
        assert_int_equal(r->verified, want[i].verified);
        assert_int_equal(r->cases, want[i].cases);
        assert_int_equal(r->outcomes[SJ_OUTCOME_FILING], want[i].filing);
        assert_int_equal(r->outcomes[SJ_OUTCOME_RECOMMENDATION], want[i].advice);
        double rate = want[i].leads ? (double)want[i].cases / (double)want[i].leads : 0.0;
        assert_true(r->conversion > rate - 1e-9 && r->conversion < rate + 1e-9);
    }
    assert_int_equal(s.models[0].no_cases, 1);
    /* Functions: administrative (0 leads), civil, criminal (alpha + beta). */
    assert_int_equal(s.function_count, 3);
    assert_string_equal(s.functions[2].key, "criminal");
    assert_int_equal(s.functions[2].leads, 6);
    assert_int_equal(s.functions[2].verified, 4);
    assert_int_equal(s.functions[2].cases, 2);
    assert_int_equal(s.functions[2].runs, 2);
    assert_true(s.functions[2].conversion > 2.0 / 6 - 1e-9 &&
                s.functions[2].conversion < 2.0 / 6 + 1e-9);
    assert_int_equal(s.functions[0].leads, 0);
    assert_true(s.functions[0].conversion == 0.0);
    assert_int_equal(s.total.leads, 7);
    assert_int_equal(s.total.cases, 3);
    assert_int_equal(s.total.verified, 5);
    assert_int_equal(s.total.outcomes[SJ_OUTCOME_FILING], 2);
    assert_int_equal(s.total.runs, 4);
    sj_lead_stats_release(&s);
}

/* ---- Provenance ---------------------------------------------------------------------------- */

static void test_evidence_provenance(void **state)
{
    struct tu_workspace *f = *state;
    static const char *const rows[3][2] = {
        {"张三", "110101199003070011"},
        {"李四", "441802198511120027"},
        {"王五", "441802197001010034"},
    };
    static const int64_t source_rows[3] = {2, 3, 7};
    int64_t ds = import_people(f, "人员名单", "people.xlsx", "名单", rows, source_rows, 3);
    char id[SJ_LEAD_ID_SIZE];
    struct sj_err err;
    sj_err_clear(&err);
    const char *datasets[] = {"人员名单"};
    struct sj_lead_run_spec spec = {"m1", "1.0.0", "ab", "criminal", NULL, datasets, 1};
    struct sj_lead_run *run = NULL;
    assert_int_equal(sj_lead_run_begin(f->store, &spec, &run, &err), 0);
    upsert(run, "441802197001010034", id);
    assert_int_equal(sj_lead_evidence_add(run, id, ds, 3, "{\"姓名\":\"王五\"}", &err), 0);
    assert_int_equal(sj_lead_evidence_add(run, id, ds, 1, "{\"姓名\":\"张三\"}", &err), 0);
    finish_run(run, 2, 1);
    /* The run recorded the dataset and the import run it held. */
    assert_int_equal(query_int(f, "SELECT json_extract(inputs_json, '$[0].id') FROM model_runs"),
                     ds);
    assert_int_equal(query_int(f, "SELECT json_extract(inputs_json, '$[0].import_runs[0]') "
                                  "FROM model_runs"),
                     query_int(f, "SELECT id FROM import_runs"));
    assert_int_equal(query_int(f, "SELECT json_extract(inputs_json, '$[0].rows') "
                                  "FROM model_runs"),
                     3);

    struct sj_lead_detail d;
    assert_int_equal(sj_lead_get(f->store, id, &d, &err), 0);
    assert_int_equal(d.evidence_count, 2);
    assert_int_equal(d.lead.evidence_count, 2);
    static const struct {
        int64_t row_id, source_row;
    } want[] = {{1, 2}, {3, 7}};
    for (size_t i = 0; i < 2; i++) {
        const struct sj_lead_evidence *e = &d.evidence[i];
        assert_true(e->has_source);
        assert_int_equal(e->row_id, want[i].row_id);
        assert_int_equal(e->source_row, want[i].source_row);
        assert_string_equal(e->dataset, "人员名单");
        assert_string_equal(e->file_name, "people.xlsx");
        assert_string_equal(e->sheet, "名单");
        assert_true(e->import_run > 0);
    }
    assert_string_equal(d.evidence[1].values_json, "{\"姓名\":\"王五\"}");
    sj_lead_detail_release(&d);

    /* Dropping the dataset keeps the evidence values; only the provenance is gone. */
    assert_int_equal(sj_store_dataset_drop(f->store, "人员名单", &err), 0);
    assert_int_equal(sj_lead_get(f->store, id, &d, &err), 0);
    assert_int_equal(d.evidence_count, 2);
    assert_false(d.evidence[1].has_source);
    assert_null(d.evidence[1].dataset);
    assert_string_equal(d.evidence[1].values_json, "{\"姓名\":\"王五\"}");
    sj_lead_detail_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stable_ids),
        cmocka_unit_test(test_names),
        TU_WORKSPACE_TEST(test_upsert_idempotent),
        TU_WORKSPACE_TEST(test_abort_leaves_nothing),
        TU_WORKSPACE_TEST(test_status_rules),
        TU_WORKSPACE_TEST(test_list_filters),
        TU_WORKSPACE_TEST(test_stats),
        TU_WORKSPACE_TEST(test_evidence_provenance),
    };
    return cmocka_run_group_tests_name("leads", tests, NULL, NULL);
}
