/*
 * test_model_compile.c - the model compiler end to end: a real workspace in a temporary
 * directory, filled through sj_import_* with small invented tables (enforcement cases and
 * case-system records of synthetic people with computed ID numbers), models written as YAML
 * and parsed with sj_model_parse, compiled with sj_model_compile and run with
 * sj_store_plan_query. Each operator is checked by the exact subjects it yields; also
 * parameter overrides and bad values, column resolution (mapping, kind, missing headers),
 * stacked datasets, use-model (and cycles), sql steps, and hostile values that must stay
 * values.
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
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "shujian/model.h"
#include "shujian/plan.h"
#include "shujian/store.h"

#define PEOPLE 12

static char ids[PEOPLE + 1][19]; /* ids[n]: person n's 18-digit ID number */
static char id15_7[16];          /* person 7's number in the legacy 15-digit form */

static struct tu_workspace fx; /* the group's workspace, made by group_setup */

/* ---- Synthetic ID numbers ------------------------------------------------------------------- */

/* 110101 (Dongcheng, Beijing) + 1985-01-NN + sequence + GB 11643 check character. */
static void make_id(int n, char out[19])
{
    char first17[32];
    snprintf(first17, sizeof first17, "1101011985%02d%02d%03d", 1, n % 100, (n * 10 + 1) % 1000);
    tu_idcard(first17, out);
}

/* ---- The workspace -------------------------------------------------------------------------- */



static const struct sj_column_def enforcement_cols[] = {
    {"当事人", SJ_KIND_NAME},     {"证件号码", SJ_KIND_IDCARD}, {"案由", SJ_KIND_TEXT},
    {"涉案金额", SJ_KIND_AMOUNT}, {"处罚日期", SJ_KIND_DATE},   {"备注", SJ_KIND_TEXT},
};

/* Person n's row: name, cause, amount as written, date, note. */
static const struct {
    int person;
    const char *name, *cause, *amount, *date, *note;
} enforcement_rows[] = {
    {1, "张伟一", "逃税", "150000", "2023-03-01", "已移送公安"},
    {2, "李娜二", "虚开发票", "8万元", "2023年4月10日", ""},
    {3, "王强三", "逃税", "30万", "2023-05-20", "公司法人"},
    {4, "赵敏四", "非法经营", "500,000.00", "2023/6/1", ""},
    {5, "陈静五", "骗取出口退税", "12万元", "2023-07-15", "某某公司"},
    {1, "張偉一", "虚开发票", "60000", "2023-08-01", ""},
    {7, "刘洋七", "逃税", "10万元", "2023-02-01", ""},
    {8, "孙丽八", "逃税", "99900", "2023-02-10", ""},
    {9, "周杰九", "虚开增值税专用发票", "100万元", "2023-09-01", "待核实"},
    {10, "吴芳十", "逃税", "60万元", "2026-11-01", ""},
    {11, "郑红十一", "'; DROP TABLE x; --", "1", "2023-01-01", ""},
};

static void import_enforcement(void)
{
    size_t n = SJ_ARRAY_LEN(enforcement_rows);
    const char **cells = calloc(n * 6, sizeof *cells);
    for (size_t r = 0; r < n; r++) {
        const char *row[6] = {enforcement_rows[r].name,  ids[enforcement_rows[r].person],
                              enforcement_rows[r].cause, enforcement_rows[r].amount,
                              enforcement_rows[r].date,  enforcement_rows[r].note};
        memcpy(cells + r * 6, row, sizeof row);
    }
    tu_import_cells(fx.store, "enforcement", enforcement_cols, 6, cells, n);
    free(cells);
}

/* The case system: person 1 at day 89 after their first penalty, person 3 at day 91, person
 * 7 on the same day (written as a 15-digit number), under a different name. */
static void import_cases(void)
{
    static const struct sj_column_def cols[] = {{"身份证号", SJ_KIND_IDCARD},
                                                {"嫌疑人", SJ_KIND_NAME},
                                                {"受理日期", SJ_KIND_DATE},
                                                {"案号", SJ_KIND_TEXT}};
    const char *cells[] = {
        ids[1],       "张伟一", "2023-05-29", "A1",   ids[3],       "王强三",
        "2023-08-19", "A3",     id15_7,       "刘洋", "2023-02-01", "A7",
    };
    tu_import_cells(fx.store, "cases", cols, 4, cells, 3);
}

/* The same case system split into two exports with different layouts. */
static void import_split_cases(void)
{
    static const struct sj_column_def a_cols[] = {{"身份证号", SJ_KIND_IDCARD},
                                                  {"受理日期", SJ_KIND_DATE}};
    static const struct sj_column_def b_cols[] = {
        {"备注", SJ_KIND_TEXT}, {"公民身份号码", SJ_KIND_IDCARD}, {"立案时间", SJ_KIND_DATE}};
    const char *a[] = {ids[1], "2023-05-29"};
    const char *b[] = {"x", ids[3], "2023-08-19", "y", id15_7, "2023-02-01"};
    tu_import_cells(fx.store, "cases_a", a_cols, 2, a, 1);
    tu_import_cells(fx.store, "cases_b", b_cols, 3, b, 2);
}

static int group_setup(void **state)
{
    for (int n = 1; n <= PEOPLE; n++)
        make_id(n, ids[n]);
    /* 15-digit form: no century, no check character. */
    snprintf(id15_7, sizeof id15_7, "110101%.6s%.3s", ids[7] + 8, ids[7] + 14);
    if (tu_workspace_init(&fx, "sj-mcmp", true) != 0)
        return -1;
    import_enforcement();
    import_cases();
    import_split_cases();
    return 0;
}

static int group_teardown(void **state)
{
    tu_workspace_release(&fx);
    return 0;
}

/* ---- Models --------------------------------------------------------------------------------- */

static const char model_head[] =
    "name: 测试模型\n"
    "function: criminal\n"
    "version: 1.0.0\n"
    "summary: 测试用。\n"
    "inputs:\n"
    "  enforcement:\n"
    "    label: 两法衔接平台案件\n"
    "    dataset: enforcement\n"
    "    columns:\n"
    "      party: {kind: name, headers: [当事人]}\n"
    "      party_id: {kind: idcard, headers: [证件号码]}\n"
    "      cause: {kind: text, headers: [案由]}\n"
    "      amount: {kind: amount, headers: [涉案金额]}\n"
    "      date: {kind: date, headers: [处罚日期]}\n"
    "      note: {kind: text, headers: [备注]}\n"
    "  cases:\n"
    "    label: 检察业务应用系统案件\n"
    "    dataset: cases\n"
    "    columns:\n"
    "      suspect_id: {kind: idcard, headers: [身份证号码, 身份证号]}\n"
    "      accept_date: {kind: date, headers: [受理日期]}\n"
    "parameters:\n"
    "  threshold: {type: amount, default: \"10万元\", label: 金额标准}\n"
    "  causes: {type: list, default: [逃税, 虚开增值税专用发票, 虚开发票, 骗取出口退税], "
    "label: 涉税案由}\n"
    "  start: {type: date, default: \"2023-07-01\", label: 起始日期}\n"
    "  window: {type: days, default: 90, label: 期限}\n"
    "  c: {type: text, default: 逃税, label: 案由}\n"
    "  big: {type: amount, default: \"20万元\", label: 大额}\n"
    "  n: {type: integer, default: 2, label: 次数}\n";

#define STD_LEAD(from)                                                                             \
    "  from: " from "\n  subject: party_id\n  title: \"{party}（{cause}）\"\n"                   \
    "  evidence: [party, amount]\n"

/* A model: id, the head above (or head), the steps and the lead (YAML under "lead:"). */
static struct sj_model *model_from(const char *id, const char *head, const char *steps,
                                   const char *lead)
{
    struct sj_buf text;
    sj_buf_init(&text, 0);
    sj_buf_appendf(&text, "id: %s\n%ssteps:\n%slead:\n%s", id, head ? head : model_head, steps,
                   lead);
    struct sj_model *m = NULL;
    struct sj_model_diags d = {0};
    int rc = sj_model_parse(text.data, text.len, "test.yaml", &m, &d);
    if (rc != 0) {
        char line[1200];
        for (size_t i = 0; i < d.count; i++)
            print_message("#   %s\n",
                          sj_model_diag_format("test.yaml", &d.items[i], line, sizeof line));
        print_message("# model:\n%s\n", text.data);
        fail_msg("model %s does not parse", id);
    }
    sj_model_diags_release(&d);
    sj_buf_release(&text);
    return m;
}

/* model_head with extra inserted after the line starting with after. */
static char *head_with(const char *after, const char *extra)
{
    const char *at = strstr(model_head, after);
    assert_non_null(at);
    at = strchr(at, '\n') + 1;
    size_t before = (size_t)(at - model_head);
    char *head = malloc(strlen(model_head) + strlen(extra) + 1);
    memcpy(head, model_head, before);
    strcpy(head + before, extra);
    strcat(head, at);
    return head;
}

/* One filter step "hits" over enforcement with the given condition. */
static struct sj_model *filter_model(const char *where)
{
    char steps[1024];
    snprintf(steps, sizeof steps,
             "  - id: hits\n    filter:\n      from: enforcement\n      where: \"%s\"\n", where);
    return model_from("filter-test", NULL, steps, STD_LEAD("hits"));
}

/* The tax model of docs/MODELS.md: big tax cases with no case in the case system. */
static const char tax_steps[] =
    "  - id: tax\n"
    "    filter: {from: enforcement, where: \"cause in $causes and amount >= $threshold\"}\n"
    "  - id: untransferred\n"
    "    absent: {from: tax, in: cases, on: [party_id = suspect_id]}\n";

/* ---- Running -------------------------------------------------------------------------------- */

#define ROWS_MAX 64
#define COLS_MAX 16

struct result {
    size_t row_count, column_count;
    char *columns[COLS_MAX];
    char *cells[ROWS_MAX][COLS_MAX];
};

static int collect(void *ctx, size_t n, const char *const *columns, const char *const *values)
{
    struct result *r = ctx;
    if (r->row_count == ROWS_MAX || n > COLS_MAX)
        return -100;
    if (r->row_count == 0) {
        r->column_count = n;
        for (size_t c = 0; c < n; c++)
            r->columns[c] = strdup(columns[c]);
    }
    for (size_t c = 0; c < n; c++)
        r->cells[r->row_count][c] = values[c] ? strdup(values[c]) : NULL;
    r->row_count++;
    return 0;
}

static void result_release(struct result *r)
{
    for (size_t c = 0; c < r->column_count; c++) {
        free(r->columns[c]);
        for (size_t i = 0; i < r->row_count; i++)
            free(r->cells[i][c]);
    }
    memset(r, 0, sizeof *r);
}

static int compile_run(const struct sj_model *m, const struct sj_model_run_opts *opts,
                       struct result *r, struct sj_err *err)
{
    struct sj_model_plan plan;
    memset(r, 0, sizeof *r);
    sj_err_clear(err);
    int rc = sj_model_compile(fx.store, m, opts, &plan, err);
    if (rc == 0) {
        rc = sj_store_plan_query(fx.store, &plan, collect, r, err);
        if (rc != 0)
            print_message("# SQL:\n%s\n", plan.sql);
    }
    sj_model_plan_release(&plan);
    return rc;
}

/* The subjects of r as person numbers ("1,3,3"), so that expectations read simply. */
static void subjects(const struct result *r, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->row_count; i++) {
        int person = 0;
        for (int n = 1; n <= PEOPLE; n++) {
            if (r->cells[i][0] && strcmp(r->cells[i][0], ids[n]) == 0)
                person = n;
        }
        len += (size_t)snprintf(out + len, size - len, "%s%d", i ? "," : "", person);
    }
}

static void expect_subjects(const struct sj_model *m, const struct sj_model_run_opts *opts,
                            const char *expected)
{
    struct result r;
    struct sj_err err;
    char got[512];
    int rc = compile_run(m, opts, &r, &err);
    if (rc != 0)
        fail_msg("%s: compile/run failed (%d): %s", m->id, rc, err.message);
    subjects(&r, got, sizeof got);
    result_release(&r);
    assert_string_equal(got, expected);
}

/* The value of column name in row i of r. */
static const char *cell(const struct result *r, size_t i, const char *name)
{
    for (size_t c = 0; c < r->column_count; c++) {
        if (strcmp(r->columns[c], name) == 0)
            return r->cells[i][c];
    }
    fail_msg("no column %s", name);
    return NULL;
}

/* Number of evidence items in an _ev value ("1:3,2:1" has 2). */
static int ev_count(const char *ev)
{
    int n = ev && ev[0] ? 1 : 0;
    for (const char *p = ev; p && *p; p++)
        n += *p == ',';
    return n;
}

/* ---- filter --------------------------------------------------------------------------------- */

static void test_filter(void **state)
{
    static const struct {
        const char *where;
        const char *expected; /* person numbers of the subjects, in order */
    } cases[] = {
        {"amount >= $threshold and cause in $causes", "1,3,5,7,9,10"},
        {"not (cause = '逃税') and amount > 100000", "4,5,9"}, /* a plain number is yuan */
        {"note contains '公司'", "3,5"},
        {"date between '2023-03-01' and '2023/6/1'", "1,2,3,4"},
        {"date >= $start + 30 days", "1,9,10"},
        {"date - 30天 >= $start", "1,9,10"},
        {"amount < 10万元 or party = '張偉一'", "1,1,2,8,11"}, /* names compare simplified */
        {"note is empty and cause != '逃税'", "1,2,4,11"},
        {"note is not empty and not (note = '已移送公安')", "3,5,9"},
        {"cause in ['逃税', '虚开发票'] and amount between 8万元 and 150000", "1,2,7,8"},
        {"cause not in $causes", "4,11"},
        {"not (note = '已移送公安')", "1,2,3,4,5,7,8,9,10,11"}, /* empty notes count as not */
        {"note != '已移送公安'", "1,2,3,4,5,7,8,9,10,11"},
        {"(cause = '逃税' or cause = '虚开发票') and amount >= 15万元", "1,3,10"},
        {"cause = '逃税' and amount >= 15万元 or cause = '非法经营'", "1,3,4,10"},
        {"amount - (amount - 1) = 1", "1,1,2,3,4,5,7,8,9,10,11"}, /* 1 yuan */
        {"ｃａｕｓｅ ＝ '逃税' AND amount ≥ 30万元", "3,10"},     /* full-width and ≥ */
        {"party_id = '"
         "X"
         "'",
         ""},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        print_message("# where: %s\n", cases[i].where);
        struct sj_model *m = filter_model(cases[i].where);
        expect_subjects(m, NULL, cases[i].expected);
        sj_model_free(m);
    }
}

/* A literal compared with an ID number column is normalised like the column (15 -> 18). */
static void test_filter_normalises_literals(void **state)
{
    char where[128];
    snprintf(where, sizeof where, "party_id = '%s' or party_id in ['%s']", id15_7, ids[9]);
    struct sj_model *m = filter_model(where);
    expect_subjects(m, NULL, "7,9");
    sj_model_free(m);
}

/* ---- absent, parameters, inputs ------------------------------------------------------------- */

static void test_absent(void **state)
{
    struct sj_model *m = model_from("tax", NULL, tax_steps, STD_LEAD("untransferred"));
    expect_subjects(m, NULL, "5,9,10");
    struct sj_model_choice params[] = {{"threshold", "20万元"}};
    struct sj_model_run_opts opts = {.params = params, .param_count = 1};
    expect_subjects(m, &opts, "9,10");
    sj_model_free(m);
}

static void test_plan_shape(void **state)
{
    struct sj_model *m = model_from("tax", NULL, tax_steps, STD_LEAD("untransferred"));
    struct sj_model_plan plan;
    struct sj_err err;
    assert_int_equal(sj_model_compile(fx.store, m, NULL, &plan, &err), 0);
    static const char *const columns[] = {"subject", "party", "amount", "cause", "_ev"};
    assert_int_equal(plan.column_count, SJ_ARRAY_LEN(columns));
    for (size_t i = 0; i < plan.column_count; i++)
        assert_string_equal(plan.columns[i], columns[i]);
    assert_int_equal(plan.column_kinds[0], SJ_KIND_IDCARD);
    assert_int_equal(plan.column_kinds[2], SJ_KIND_AMOUNT);
    assert_int_equal(plan.dataset_count, 2);
    assert_string_equal(plan.datasets[0], "enforcement");
    assert_string_equal(plan.datasets[1], "cases");
    bool has_threshold = false, has_causes = false;
    for (size_t i = 0; i < plan.value_count; i++) {
        const struct sj_model_value *v = &plan.values[i];
        if (strcmp(v->name, "p_threshold") == 0)
            has_threshold = v->type == SJ_PARAM_AMOUNT && v->integer == 10000000 &&
                            strcmp(v->param, "threshold") == 0;
        if (strcmp(v->name, "p_causes") == 0)
            has_causes = strcmp(v->text, "[\"逃税\",\"虚开增值税专用发票\",\"虚开发票\","
                                         "\"骗取出口退税\"]") == 0;
    }
    assert_true(has_threshold);
    assert_true(has_causes);
    /* Values are bound, never in the text; columns come from the catalog by position. */
    assert_null(strstr(plan.sql, "逃税"));
    assert_null(strstr(plan.sql, "10000000"));
    assert_non_null(strstr(plan.sql, "\"s_tax\" AS NOT MATERIALIZED"));
    assert_non_null(strstr(plan.sql, "c4_n AS \"amount\""));
    assert_non_null(strstr(plan.sql, "trim(c3) AS \"cause\""));
    assert_int_equal(plan.resolved_count, 8);
    assert_string_equal(plan.resolved[6].input, "cases");
    assert_string_equal(plan.resolved[6].header, "身份证号");
    assert_string_equal(plan.resolved[6].how, "header");
    sj_model_plan_release(&plan);
    sj_model_free(m);
}

static int find_index_use(void *ctx, int id, int parent, const char *detail)
{
    if (strstr(detail, "LIST SUBQUERY"))
        *(bool *)ctx = true;
    if (strstr(detail, "CORRELATED"))
        fail_msg("a correlated subquery: %s", detail);
    return 0;
}

/* absent is one IN list built once per query (from the case system's ID column), not a
 * subquery run again for every row. */
static void test_plan_uses_index(void **state)
{
    struct sj_model *m = model_from("tax", NULL, tax_steps, STD_LEAD("untransferred"));
    struct sj_model_plan plan;
    struct sj_err err;
    bool is_searched = false;
    assert_int_equal(sj_model_compile(fx.store, m, NULL, &plan, &err), 0);
    assert_int_equal(sj_store_plan_explain(fx.store, &plan, find_index_use, &is_searched, &err), 0);
    assert_true(is_searched);
    sj_model_plan_release(&plan);
    sj_model_free(m);
}

static int find_automatic(void *ctx, int id, int parent, const char *detail)
{
    if (strstr(detail, "AUTOMATIC"))
        *(bool *)ctx = true;
    return 0;
}

/* Text keys have no index. absent builds its IN list once either way; a match or within
 * looks into a materialised copy that SQLite indexes itself, or, when the step is used by
 * several steps, into the step, which SQLite materialises. */
static void test_text_key_lookup(void **state)
{
    static const char *const steps[] = {
        "  - id: other\n    filter: {from: enforcement, where: \"note is not empty\"}\n"
        "  - id: odd\n    absent: {from: enforcement, in: other, on: [cause = note]}\n",
        "  - id: other\n    filter: {from: enforcement, where: \"note is not empty\"}\n"
        "  - id: odd\n    absent: {from: enforcement, in: other, on: [cause = note]}\n"
        "  - id: same\n    absent: {from: odd, in: other, on: [note = note]}\n",
        "  - id: other\n    filter: {from: enforcement, where: \"note is not empty\"}\n"
        "  - id: odd\n    match: {from: enforcement, with: other, on: [note = note]}\n"};
    static const char *const leads[] = {STD_LEAD("odd"), STD_LEAD("same"), STD_LEAD("odd")};
    static const char *const expected[] = {"1,1,2,3,4,5,7,8,9,10,11", "1,2,4,7,8,10,11", "1,3,5,9"};
    for (size_t i = 0; i < 3; i++) {
        struct sj_model *m = model_from("text-keys", NULL, steps[i], leads[i]);
        expect_subjects(m, NULL, expected[i]);
        struct sj_model_plan plan;
        struct sj_err err;
        bool is_automatic = false;
        assert_int_equal(sj_model_compile(fx.store, m, NULL, &plan, &err), 0);
        const char *copy = strstr(plan.sql, "\"s_other_m\" AS MATERIALIZED");
        if (i == 2) /* the match: a copy SQLite indexes */
            assert_non_null(copy);
        else if (i == 1) /* shared: no copy, and not folded into its users */
            assert_true(!copy && strstr(plan.sql, "\"s_other\" AS (") != NULL);
        else
            assert_true(!copy && strstr(plan.sql, " IN (SELECT b.\"note\" FROM ") != NULL);
        assert_int_equal(
            sj_store_plan_explain(fx.store, &plan, find_automatic, &is_automatic, &err), 0);
        assert_true(is_automatic == (i == 2));
        sj_model_plan_release(&plan);
        sj_model_free(m);
    }
}

static void test_bad_parameters(void **state)
{
    static const struct {
        const char *name, *value, *words[3];
    } cases[] = {
        {"threshold", "abc", {"threshold", "abc", "金额"}},
        {"start", "2023-02-30", {"start", "日期", NULL}},
        {"window", "-3", {"window", "天数", NULL}},
        {"n", "2.5", {"“n”", "整数", NULL}},
        {"nope", "1", {"nope", NULL, NULL}},
    };
    struct sj_model *m = model_from("tax", NULL, tax_steps, STD_LEAD("untransferred"));
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        struct sj_model_choice params[] = {{cases[i].name, cases[i].value}};
        struct sj_model_run_opts opts = {.params = params, .param_count = 1};
        struct result r;
        struct sj_err err;
        assert_int_equal(compile_run(m, &opts, &r, &err), SJ_EINVAL);
        for (size_t w = 0; w < 3 && cases[i].words[w]; w++) {
            if (!strstr(err.message, cases[i].words[w]))
                fail_msg("message \"%s\" lacks \"%s\"", err.message, cases[i].words[w]);
        }
    }
    sj_model_free(m);
}

static void test_missing_column(void **state)
{
    char *head =
        head_with("      note:", "      ghost: {kind: text, headers: [不存在的表头, 也没有]}\n");
    struct sj_model *m = model_from("ghost", head, tax_steps, STD_LEAD("untransferred"));
    struct result r;
    struct sj_err err;
    assert_int_equal(compile_run(m, NULL, &r, &err), SJ_ENOTFOUND);
    static const char *const words[] = {"enforcement", "ghost",    "不存在的表头",
                                        "也没有",      "涉案金额", "--map enforcement.ghost="};
    for (size_t w = 0; w < SJ_ARRAY_LEN(words); w++) {
        if (!strstr(err.message, words[w]))
            fail_msg("message \"%s\" lacks \"%s\"", err.message, words[w]);
    }
    /* A column of a kind with no matching header: the only column of that kind is used. */
    sj_model_free(m);
    free(head);
    head = head_with("      note:", "      when: {kind: date, headers: [不存在的表头]}\n");
    m = model_from("by-kind", head, tax_steps, STD_LEAD("untransferred"));
    struct sj_model_plan plan;
    assert_int_equal(sj_model_compile(fx.store, m, NULL, &plan, &err), 0);
    assert_string_equal(plan.resolved[6].column, "when");
    assert_string_equal(plan.resolved[6].header, "处罚日期");
    assert_string_equal(plan.resolved[6].how, "kind");
    sj_model_plan_release(&plan);
    sj_model_free(m);
    free(head);
}

static void test_mapping_and_inputs(void **state)
{
    struct sj_model *m = filter_model("note = '逃税'");
    struct sj_model_choice maps[] = {{"enforcement.note", " 案由 "}};
    struct sj_model_run_opts opts = {.mappings = maps, .mapping_count = 1};
    expect_subjects(m, &opts, "1,3,7,8,10");
    struct sj_model_choice bad[] = {{"enforcement.note", "没有这列"}};
    opts.mappings = bad;
    struct result r;
    struct sj_err err;
    assert_int_equal(compile_run(m, &opts, &r, &err), SJ_ENOTFOUND);
    assert_non_null(strstr(err.message, "没有这列"));
    sj_model_free(m);

    m = model_from("tax", NULL, tax_steps, STD_LEAD("untransferred"));
    /* Another layout: headers differ, each column is the only one of its kind. */
    struct sj_model_choice inputs[] = {{"cases", "cases_b"}};
    struct sj_model_run_opts in_opts = {.inputs = inputs, .input_count = 1};
    expect_subjects(m, &in_opts, "1,5,9,10");
    struct sj_model_choice missing[] = {{"cases", "nope"}};
    in_opts.inputs = missing;
    assert_int_equal(compile_run(m, &in_opts, &r, &err), SJ_ENOTFOUND);
    assert_non_null(strstr(err.message, "nope"));
    assert_non_null(strstr(err.message, "cases_a")); /* the datasets that do exist */
    sj_model_free(m);
}

/* Two datasets stacked: lookups test each table (one NOT IN list each). */
static void test_stacked_input(void **state)
{
    struct sj_model *m = model_from("tax", NULL, tax_steps, STD_LEAD("untransferred"));
    struct sj_model_choice inputs[] = {{"cases", "cases_a, cases_b"}};
    struct sj_model_run_opts opts = {.inputs = inputs, .input_count = 1};
    expect_subjects(m, &opts, "5,9,10");
    struct sj_model_plan plan;
    struct sj_err err;
    assert_int_equal(sj_model_compile(fx.store, m, &opts, &plan, &err), 0);
    const char *first = strstr(plan.sql, "NOT coalesce(");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "NOT coalesce("));
    assert_non_null(strstr(plan.sql, "UNION ALL"));
    assert_int_equal(plan.dataset_count, 3);
    sj_model_plan_release(&plan);
    sj_model_free(m);
}

/* A text parameter and a text literal that look like SQL stay values. */
static void test_hostile_values(void **state)
{
    struct sj_model *m = filter_model("cause = $c");
    expect_subjects(m, NULL, "1,3,7,8,10");
    struct sj_model_choice params[] = {{"c", "'; DROP TABLE x; --"}};
    struct sj_model_run_opts opts = {.params = params, .param_count = 1};
    expect_subjects(m, &opts, "11");
    struct sj_model_choice drop[] = {{"c", "x'; DROP TABLE ds_1; --"}};
    opts.params = drop;
    expect_subjects(m, &opts, "");
    sj_model_free(m);
    m = filter_model("cause = '''; DROP TABLE x; --'");
    struct sj_model_plan plan;
    struct sj_err err;
    assert_int_equal(sj_model_compile(fx.store, m, NULL, &plan, &err), 0);
    assert_null(strstr(plan.sql, "DROP"));
    sj_model_plan_release(&plan);
    expect_subjects(m, NULL, "11");
    sj_model_free(m);
    struct sj_dataset_info info;
    assert_int_equal(sj_store_dataset_get(fx.store, "enforcement", &info, &err), 0);
    assert_int_equal(info.row_count, (int64_t)SJ_ARRAY_LEN(enforcement_rows));
    sj_dataset_info_release(&info);
}

/* ---- match, count, sum ---------------------------------------------------------------------- */

static void test_match_two_keys(void **state)
{
    char *head =
        head_with("      accept_date:", "      suspect_name: {kind: name, headers: [嫌疑人]}\n");
    struct sj_model *m = model_from("pairs", head,
                                    "  - id: pairs\n"
                                    "    match: {from: enforcement, with: cases, on: [party_id = "
                                    "suspect_id, party = suspect_name]}\n",
                                    STD_LEAD("pairs"));
    struct result r;
    struct sj_err err;
    char got[256];
    assert_int_equal(compile_run(m, NULL, &r, &err), 0);
    subjects(&r, got, sizeof got);
    assert_string_equal(got, "1,1,3"); /* person 7's case is under another name */
    for (size_t i = 0; i < r.row_count; i++) {
        const char *ev = cell(&r, i, "_ev");
        assert_int_equal(ev_count(ev), 2);
        assert_true(strncmp(ev, "1:", 2) == 0);
        assert_non_null(strstr(ev, ",2:"));
    }
    result_release(&r);
    sj_model_free(m);
    free(head);
}

/* Matching a table with itself: the second side's columns are renamed "enforcement.x". */
static void test_match_renames(void **state)
{
    struct sj_model *m =
        model_from("self", NULL,
                   "  - id: pairs\n"
                   "    match: {from: enforcement, with: enforcement, on: [party_id = party_id]}\n"
                   "  - id: smaller\n"
                   "    filter: {from: pairs, where: \"amount < enforcement.amount\"}\n",
                   STD_LEAD("smaller"));
    expect_subjects(m, NULL, "1");
    sj_model_free(m);
}

static void test_count_having(void **state)
{
    struct sj_model *m =
        model_from("many", NULL,
                   "  - id: many\n"
                   "    count: {from: enforcement, by: [party_id], having: \"count >= $n\"}\n",
                   "  from: many\n  subject: party_id\n  title: \"{party_id}共{count}件\"\n"
                   "  evidence: [count]\n");
    struct result r;
    struct sj_err err;
    char got[256];
    assert_int_equal(compile_run(m, NULL, &r, &err), 0);
    subjects(&r, got, sizeof got);
    assert_string_equal(got, "1");
    assert_string_equal(cell(&r, 0, "count"), "2");
    assert_int_equal(ev_count(cell(&r, 0, "_ev")), 2);
    result_release(&r);
    struct sj_model_choice params[] = {{"n", "1"}};
    struct sj_model_run_opts opts = {.params = params, .param_count = 1};
    expect_subjects(m, &opts, "1,2,3,4,5,7,8,9,10,11");
    sj_model_free(m);
}

static void test_sum_having(void **state)
{
    static const char *const havings[] = {"sum >= $big", "sum >= 200000", "sum > 199999.99"};
    for (size_t i = 0; i < SJ_ARRAY_LEN(havings); i++) {
        char steps[512];
        snprintf(steps, sizeof steps,
                 "  - id: total\n"
                 "    sum: {from: enforcement, by: [party_id], of: amount, having: \"%s\"}\n",
                 havings[i]);
        struct sj_model *m =
            model_from("total", NULL, steps,
                       "  from: total\n  subject: party_id\n  title: \"合计{sum}\"\n"
                       "  evidence: [sum]\n");
        struct result r;
        struct sj_err err;
        char got[256];
        assert_int_equal(compile_run(m, NULL, &r, &err), 0);
        subjects(&r, got, sizeof got);
        assert_string_equal(got, "1,3,4,9,10");
        assert_string_equal(cell(&r, 0, "sum"), "21000000"); /* fen: 15万 + 6万 */
        result_release(&r);
        sj_model_free(m);
    }
}

/* ---- within --------------------------------------------------------------------------------- */

static struct sj_model *within_model(const char *days, bool missing)
{
    char steps[1024];
    snprintf(
        steps, sizeof steps,
        "  - id: tax\n"
        "    filter: {from: enforcement, where: \"cause in $causes and amount >= $threshold\"}\n"
        "  - id: late\n"
        "    within: {from: tax, in: cases, on: [party_id = suspect_id], after: date,\n"
        "             then: accept_date, days: %s, missing: %s}\n",
        days, missing ? "true" : "false");
    return model_from("late", NULL, steps, STD_LEAD("late"));
}

/* Person 1's case came on day 89, person 3's on day 91, person 7's on day 0; 5 and 9 have
 * none; person 10's penalty is 26 days old, so a 90-day window is still open. */
static void test_within(void **state)
{
    static const struct {
        const char *days;
        bool missing;
        const char *window; /* --param window=, or NULL */
        const char *expected;
    } cases[] = {
        {"$window", false, NULL, "1,7"},   {"$window", true, NULL, "3,5,9"},
        {"$window", false, "92", "1,3,7"}, {"$window", true, "20天", "1,3,5,9,10"},
        {"89", false, NULL, "1,7"},        {"88", false, NULL, "7"},
        {"91", true, NULL, "5,9"},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        print_message("# days %s missing %d window %s\n", cases[i].days, cases[i].missing,
                      cases[i].window ? cases[i].window : "-");
        struct sj_model *m = within_model(cases[i].days, cases[i].missing);
        struct sj_model_choice params[] = {{"window", cases[i].window}};
        struct sj_model_run_opts opts = {.params = params, .param_count = cases[i].window ? 1 : 0};
        expect_subjects(m, &opts, cases[i].expected);
        sj_model_free(m);
    }
}

/* A follow-up found adds its evidence to the row's. */
static void test_within_evidence(void **state)
{
    struct sj_model *m = within_model("$window", false);
    struct result r;
    struct sj_err err;
    assert_int_equal(compile_run(m, NULL, &r, &err), 0);
    assert_int_equal(r.row_count, 2);
    assert_int_equal(ev_count(cell(&r, 0, "_ev")), 2);
    assert_non_null(strstr(cell(&r, 0, "_ev"), ",2:1"));
    result_release(&r);
    sj_model_free(m);
}

/* ---- union ---------------------------------------------------------------------------------- */

static void test_union(void **state)
{
    static const char steps[] =
        "  - id: evasion\n"
        "    filter: {from: enforcement, where: \"cause = '逃税'\"}\n"
        "  - id: large\n"
        "    filter: {from: enforcement, where: \"amount >= 50万元\"}\n"
        "  - id: both\n"
        "    union: {of: [evasion, large]}\n"
        "  - id: open\n"
        "    absent: {from: both, in: cases, on: [party_id = suspect_id]}\n";
    struct sj_model *m = model_from("both", NULL, steps, STD_LEAD("both"));
    expect_subjects(m, NULL, "1,3,4,7,8,9,10,10");
    sj_model_free(m);
    m = model_from("open", NULL, steps, STD_LEAD("open"));
    expect_subjects(m, NULL, "4,8,9,10,10");
    sj_model_free(m);
}

/* A union of filters of one relation that only the lead reads is one pass with the
 * conditions joined by OR: the same subjects, each source row once (person 10's row meets
 * both conditions). A count over the union still sees the row twice, so there the union
 * stays a UNION ALL. */
static void test_union_of_filters_fused(void **state)
{
    static const char filters[] =
        "  - id: evasion\n"
        "    filter: {from: enforcement, where: \"cause = '逃税'\"}\n"
        "  - id: large\n"
        "    filter: {from: enforcement, where: \"amount >= 50万元\"}\n"
        "  - id: both\n"
        "    union: {of: [evasion, large]}\n";
    struct sj_model *m = model_from("fused", NULL, filters, STD_LEAD("both"));
    struct sj_model_plan plan;
    struct sj_err err;
    assert_int_equal(sj_model_compile(fx.store, m, NULL, &plan, &err), 0);
    assert_non_null(strstr(plan.sql, "\"s_both\" AS NOT MATERIALIZED"));
    assert_non_null(strstr(plan.sql, ") OR ("));
    assert_null(strstr(plan.sql, "UNION ALL"));
    sj_model_plan_release(&plan);
    expect_subjects(m, NULL, "1,3,4,7,8,9,10");
    sj_model_free(m);

    char steps[1024];
    snprintf(steps, sizeof steps,
             "%s  - id: per_party\n"
             "    count: {from: both, by: [party_id, party], having: count >= 2}\n",
             filters);
    m = model_from("counted", NULL, steps,
                   "  from: per_party\n  subject: party_id\n  title: \"{party}\"\n"
                   "  evidence: [party]\n");
    expect_subjects(m, NULL, "10");
    sj_model_free(m);
}

/* count … distinct counts different non-empty values: of a text column through
 * nullif(…, '') (a cell of spaces is ''), of a normalised column directly (its values are NULL
 * or not empty), after normalisation (張偉一 and 张伟一 are one name). Person 1 has two rows:
 * causes 逃税 and 虚开发票, dates 2023-03-01 and 2023-08-01. */
static void test_count_distinct_by_kind(void **state)
{
    static const struct {
        const char *column, *expected;
        bool has_nullif;
    } cases[] = {
        {"cause", "1", true}, /* text */
        {"party", "", false}, /* name: one after normalisation */
        {"date", "1", false}, /* date */
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        char steps[256];
        snprintf(steps, sizeof steps,
                 "  - id: many\n    count: {from: enforcement, by: [party_id], distinct: %s, "
                 "having: count >= 2}\n",
                 cases[i].column);
        struct sj_model *m = model_from("distinct", NULL, steps,
                                        "  from: many\n  subject: party_id\n  title: \"{count}\"\n"
                                        "  evidence: [count]\n");
        struct sj_model_plan plan;
        struct sj_err err;
        print_message("# distinct %s\n", cases[i].column);
        assert_int_equal(sj_model_compile(fx.store, m, NULL, &plan, &err), 0);
        assert_int_equal(strstr(plan.sql, "count(DISTINCT nullif(") != NULL, cases[i].has_nullif);
        sj_model_plan_release(&plan);
        expect_subjects(m, NULL, cases[i].expected);
        sj_model_free(m);
    }
}

/* ---- use-model ------------------------------------------------------------------------------ */

static struct sj_model *child_model(void)
{
    return model_from("child-big", NULL,
                      "  - id: big\n    filter: {from: enforcement, where: \"amount >= $big\"}\n",
                      "  from: big\n  subject: party_id\n  title: \"{party}涉案{amount}\"\n"
                      "  evidence: [party, amount]\n");
}

static void test_use_model_leads(void **state)
{
    struct sj_model *child = child_model();
    struct sj_model *models[] = {child};
    struct sj_toolbox tb = {.models = models, .count = 1};
    struct sj_model *m = model_from(
        "parent", NULL,
        "  - id: kids\n    use-model: {model: child-big, as: leads}\n"
        "  - id: fresh\n    absent: {from: kids, in: cases, on: [subject = suspect_id]}\n",
        "  from: fresh\n  subject: subject\n  title: \"{title}\"\n  evidence: [title]\n");
    struct sj_model_run_opts opts = {.toolbox = &tb};
    struct result r;
    struct sj_err err;
    char got[256];
    int rc = compile_run(m, &opts, &r, &err);
    if (rc != 0)
        fail_msg("%s", err.message);
    subjects(&r, got, sizeof got);
    assert_string_equal(got, "4,9,10"); /* 3 and 4, 9, 10 are big; 3 has a case */
    assert_string_equal(cell(&r, 0, "title"), "赵敏四涉案500000.00元");
    assert_string_equal(cell(&r, 0, "_ev"), "1:4");
    result_release(&r);
    /* The used model's own parameters are reached as "child-big.big". */
    struct sj_model_choice params[] = {{"child-big.big", "80万元"}};
    opts.params = params;
    opts.param_count = 1;
    expect_subjects(m, &opts, "9");
    sj_model_free(m);
    sj_model_free(child);
}

static void test_use_model_rows(void **state)
{
    struct sj_model *child = child_model();
    struct sj_model *models[] = {child};
    struct sj_toolbox tb = {.models = models, .count = 1};
    struct sj_model *m = model_from(
        "parent-rows", NULL,
        "  - id: kids\n    use-model: {model: child-big, as: rows}\n"
        "  - id: huge\n    filter: {from: kids, where: \"amount >= 60万元\"}\n",
        "  from: huge\n  subject: subject\n  title: \"{party}\"\n  evidence: [amount]\n");
    struct sj_model_run_opts opts = {.toolbox = &tb};
    expect_subjects(m, &opts, "9,10");
    struct result r;
    struct sj_err err;
    assert_int_equal(compile_run(m, NULL, &r, &err), SJ_ENOTFOUND); /* no toolbox */
    assert_non_null(strstr(err.message, "child-big"));
    sj_model_free(m);
    sj_model_free(child);
}

static void test_use_model_cycle(void **state)
{
    static const char lead[] =
        "  from: other\n  subject: subject\n  title: \"{title}\"\n  evidence: [title]\n";
    struct sj_model *a = model_from(
        "cyc-a", NULL, "  - id: other\n    use-model: {model: cyc-b, as: leads}\n", lead);
    struct sj_model *b = model_from(
        "cyc-b", NULL, "  - id: other\n    use-model: {model: cyc-a, as: leads}\n", lead);
    struct sj_model *models[] = {a, b};
    struct sj_toolbox tb = {.models = models, .count = 2};
    struct sj_model_run_opts opts = {.toolbox = &tb};
    struct result r;
    struct sj_err err;
    assert_int_equal(compile_run(a, &opts, &r, &err), SJ_EINVAL);
    assert_non_null(strstr(err.message, "循环"));
    assert_non_null(strstr(err.message, "cyc-a → cyc-b → cyc-a"));
    sj_model_free(a);
    sj_model_free(b);
}

/* ---- sql ------------------------------------------------------------------------------------ */

static void test_sql_step(void **state)
{
    struct sj_model *m = model_from(
        "raw", NULL,
        "  - id: all\n    filter: {from: enforcement, where: \"amount > 0\"}\n"
        "  - id: repeat\n"
        "    sql:\n"
        "      query: |\n"
        "        SELECT party_id, count(*) AS times, group_concat(_ev, ',') AS _ev\n"
        "        FROM \"all\" GROUP BY party_id HAVING count(*) >= :n;\n",
        "  from: repeat\n  subject: party_id\n  title: \"{party_id}\"\n  evidence: [times]\n");
    struct result r;
    struct sj_err err;
    char got[256];
    assert_int_equal(compile_run(m, NULL, &r, &err), 0);
    subjects(&r, got, sizeof got);
    assert_string_equal(got, "1");
    assert_string_equal(cell(&r, 0, "times"), "2");
    assert_int_equal(ev_count(cell(&r, 0, "_ev")), 2);
    result_release(&r);
    struct sj_model_choice params[] = {{"n", "1"}};
    struct sj_model_run_opts opts = {.params = params, .param_count = 1};
    expect_subjects(m, &opts, "1,2,3,4,5,7,8,9,10,11");
    sj_model_free(m);
}

/* A raw query is one read-only SELECT: anything else is refused before it runs. */
static void test_sql_step_refused(void **state)
{
    static const char *const queries[] = {
        "SELECT 1 AS party_id; DROP TABLE ds_1",
        "DELETE FROM ds_1",
        "SELECT party_id FROM nowhere",
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(queries); i++) {
        char steps[512];
        snprintf(steps, sizeof steps, "  - id: q\n    sql: {query: \"%s\"}\n", queries[i]);
        struct sj_model *m =
            model_from("raw-bad", NULL, steps,
                       "  from: q\n  subject: party_id\n  title: \"x\"\n  evidence: []\n");
        struct result r;
        struct sj_err err;
        assert_true(compile_run(m, NULL, &r, &err) < 0);
        assert_non_null(strstr(err.message, "sql 步骤“q”"));
        sj_model_free(m);
    }
    struct sj_dataset_info info;
    struct sj_err err;
    assert_int_equal(sj_store_dataset_get(fx.store, "enforcement", &info, &err), 0);
    assert_int_equal(info.row_count, (int64_t)SJ_ARRAY_LEN(enforcement_rows));
    sj_dataset_info_release(&info);
}

/* ---- Expression problems found while compiling ---------------------------------------------- */

static void test_expression_errors(void **state)
{
    static const struct {
        const char *where, *word;
    } cases[] = {
        {"date >= '2023-02-30'", "不是日期"}, {"amount >= 'abc'", "不是金额"},
        {"count >= 10万元", "没有列"},        {"cause in $threshold", "应为列表"},
        {"amount + 3 days > 0", "只有日期"},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        char steps[512];
        snprintf(steps, sizeof steps,
                 "  - id: hits\n    filter:\n      from: enforcement\n      where: \"%s\"\n",
                 cases[i].where);
        struct sj_model_diags d = {0};
        struct sj_model *m = NULL;
        struct sj_buf text;
        sj_buf_init(&text, 0);
        sj_buf_appendf(&text, "id: bad\n%ssteps:\n%slead:\n%s", model_head, steps,
                       STD_LEAD("hits"));
        int rc = sj_model_parse(text.data, text.len, "bad.yaml", &m, &d);
        sj_buf_release(&text);
        sj_model_diags_release(&d);
        if (rc != 0)
            continue; /* the checker caught it first, which is fine too */
        struct result r;
        struct sj_err err;
        assert_int_equal(compile_run(m, NULL, &r, &err), SJ_EFORMAT);
        if (!strstr(err.message, cases[i].word) || !strstr(err.message, "步骤“hits”的 where"))
            fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].where, err.message, cases[i].word);
        sj_model_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_filter_normalises_literals),
        cmocka_unit_test(test_absent),
        cmocka_unit_test(test_plan_shape),
        cmocka_unit_test(test_plan_uses_index),
        cmocka_unit_test(test_text_key_lookup),
        cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_missing_column),
        cmocka_unit_test(test_mapping_and_inputs),
        cmocka_unit_test(test_stacked_input),
        cmocka_unit_test(test_hostile_values),
        cmocka_unit_test(test_match_two_keys),
        cmocka_unit_test(test_match_renames),
        cmocka_unit_test(test_count_having),
        cmocka_unit_test(test_sum_having),
        cmocka_unit_test(test_within),
        cmocka_unit_test(test_within_evidence),
        cmocka_unit_test(test_union),
        cmocka_unit_test(test_union_of_filters_fused),
        cmocka_unit_test(test_count_distinct_by_kind),
        cmocka_unit_test(test_use_model_leads),
        cmocka_unit_test(test_use_model_rows),
        cmocka_unit_test(test_use_model_cycle),
        cmocka_unit_test(test_sql_step),
        cmocka_unit_test(test_sql_step_refused),
        cmocka_unit_test(test_expression_errors),
    };
    return cmocka_run_group_tests_name("model_compile", tests, group_setup, group_teardown);
}
