/*
 * test_model_lang.c - the parts of the model language added for prosecutors' models, end to
 * end on a real workspace in a temporary directory: the ID-number functions birth_date, sex
 * and age_at (birthdays, 29 February, date-times, values that are no ID number), `exists`,
 * `count … distinct`, `within` counting calendar days with date-time follow-ups, the
 * evidence a lookup-only group does not gather, which key-column indexes a plan asks for,
 * and `model check` pointing at a misspelt function. The people and their ID numbers are
 * invented; the check characters are computed (GB 11643).
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

#define PEOPLE 5

/* Person n: birth date and the sequence whose last digit gives the sex (odd = male). */
static const struct {
    const char *birth, *seq, *date, *note;
} people[PEOPLE + 1] = {
    {0},
    {"20060315", "011", "2024-03-14", "A"}, /* male, the day before his 18th birthday */
    {"20060315", "022", "2024-03-15", "A"}, /* female, on her 18th birthday */
    {"20040229", "024", "2022-02-28", "B"}, /* female, born on 29 February: still 17 */
    {"20040229", "013", "2022-03-01", "B"}, /* male, born on 29 February: 18 on 1 March */
    {"19900701", "015", "2024-06-30", ""},  /* male, 33 */
};

static char ids[PEOPLE + 1][19];

static struct tu_workspace fx; /* the group's workspace, made by group_setup */

static void make_id(const char *birth, const char *seq, char out[19])
{
    char first17[32];
    snprintf(first17, sizeof first17, "110101%s%s", birth, seq);
    tu_idcard(first17, out);
}



/* people (dataset 1): 身份证号, 日期, 时间 (the date at 23:00), 备注. visits (dataset 2):
 * person 1 on day 30 at 23:59:59 and on day 0; person 2 on day 31 at midnight; person 3 the
 * day before; person 5 on day 0 and day 1 at two places. */
static int group_setup(void **state)
{
    static const struct sj_column_def pcols[] = {{"身份证号", SJ_KIND_IDCARD},
                                                 {"日期", SJ_KIND_DATE},
                                                 {"时间", SJ_KIND_DATETIME},
                                                 {"备注", SJ_KIND_TEXT}};
    static const struct sj_column_def vcols[] = {
        {"身份证号", SJ_KIND_IDCARD}, {"到访时间", SJ_KIND_DATETIME}, {"地点", SJ_KIND_TEXT}};
    static char times[PEOPLE + 1][32];
    const char *pcells[PEOPLE * 4];
    for (int n = 1; n <= PEOPLE; n++) {
        make_id(people[n].birth, people[n].seq, ids[n]);
        snprintf(times[n], sizeof times[n], "%s 23:00:00", people[n].date);
        const char *row[4] = {ids[n], people[n].date, times[n], people[n].note};
        memcpy(pcells + (n - 1) * 4, row, sizeof row);
    }
    const char *vcells[] = {
        ids[1], "2024-04-13 23:59:59", "X", ids[1], "2024-03-14 00:00:01", "X",
        ids[2], "2024-04-15 00:00:00", "Y", ids[3], "2022-02-27 12:00:00", "X",
        ids[5], "2024-06-30 08:00:00", "X", ids[5], "2024-07-01 09:00:00", "Y",
    };
    if (tu_workspace_init(&fx, "sj-mlang", true) != 0)
        return -1;
    tu_import_cells(fx.store, "people", pcols, 4, pcells, PEOPLE);
    tu_import_cells(fx.store, "visits", vcols, 3, vcells, 6);
    return 0;
}

static int group_teardown(void **state)
{
    tu_workspace_release(&fx);
    return 0;
}

/* ---- Models and running them ----------------------------------------------------------------- */

static const char head[] = "name: 测试模型\n"
                           "function: criminal\n"
                           "version: 1.0.0\n"
                           "summary: 测试用。\n"
                           "inputs:\n"
                           "  people:\n"
                           "    label: 人员\n"
                           "    dataset: people\n"
                           "    columns:\n"
                           "      id: {kind: idcard, headers: [身份证号]}\n"
                           "      date: {kind: date, headers: [日期]}\n"
                           "      time: {kind: datetime, headers: [时间]}\n"
                           "      note: {kind: text, headers: [备注]}\n"
                           "  visits:\n"
                           "    label: 到访记录\n"
                           "    dataset: visits\n"
                           "    columns:\n"
                           "      vid: {kind: idcard, headers: [身份证号]}\n"
                           "      visited: {kind: datetime, headers: [到访时间]}\n"
                           "      place: {kind: text, headers: [地点]}\n"
                           "parameters:\n"
                           "  day: {type: date, default: \"2024-06-30\", label: 日期}\n"
                           "  window: {type: days, default: 30, label: 期限}\n";

#define LEAD(from, subject)                                                                        \
    "  from: " from "\n  subject: " subject "\n  title: \"{" subject "}\"\n  evidence: [" subject  \
    "]\n"

/* Parses a model; on a problem returns NULL and, when diags is given, leaves them there. */
static struct sj_model *parse(const char *steps, const char *lead, struct sj_model_diags *diags)
{
    struct sj_buf text;
    sj_buf_init(&text, 0);
    sj_buf_appendf(&text, "id: lang\n%ssteps:\n%slead:\n%s", head, steps, lead);
    struct sj_model *m = NULL;
    struct sj_model_diags d = {0};
    int rc = sj_model_parse(text.data, text.len, "lang.yaml", &m, diags ? diags : &d);
    if (rc != 0 && !diags) {
        char line[1200];
        for (size_t i = 0; i < d.count; i++)
            print_message("#   %s\n",
                          sj_model_diag_format("lang.yaml", &d.items[i], line, sizeof line));
        fail_msg("model does not parse:\n%s", text.data);
    }
    sj_model_diags_release(&d);
    sj_buf_release(&text);
    return rc == 0 ? m : NULL;
}

#define ROWS_MAX 16

struct rows {
    char got[256];         /* subjects as person numbers in ascending order, "1,3" */
    int persons[ROWS_MAX]; /* in query order (by ID number) */
    int ev[ROWS_MAX];      /* evidence items of each row */
    size_t count;
};

static int by_number(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int collect(void *ctx, size_t n, const char *const *columns, const char *const *values)
{
    struct rows *r = ctx;
    int person = 0;
    for (int p = 1; p <= PEOPLE; p++) {
        if (values[0] && strcmp(values[0], ids[p]) == 0)
            person = p;
    }
    const char *ev = values[n - 1];
    int items = ev && ev[0] ? 1 : 0;
    for (const char *p = ev; p && *p; p++)
        items += *p == ',';
    if (r->count == ROWS_MAX)
        return -101;
    r->persons[r->count] = person;
    r->ev[r->count++] = items;
    return strcmp(columns[n - 1], "_ev") == 0 ? 0 : -100;
}

static int run(const struct sj_model *m, struct rows *r, struct sj_model_plan *plan,
               struct sj_err *err)
{
    memset(r, 0, sizeof *r);
    sj_err_clear(err);
    int rc = sj_model_compile(fx.store, m, NULL, plan, err);
    if (rc == 0)
        rc = sj_store_plan_query(fx.store, plan, collect, r, err);
    int sorted[ROWS_MAX];
    memcpy(sorted, r->persons, sizeof sorted);
    qsort(sorted, r->count, sizeof *sorted, by_number);
    for (size_t i = 0, len = 0; i < r->count; i++)
        len += (size_t)snprintf(r->got + len, sizeof r->got - len, "%s%d", i ? "," : "", sorted[i]);
    return rc;
}

static void expect(const char *steps, const char *lead, const char *expected)
{
    struct sj_model *m = parse(steps, lead, NULL);
    struct sj_model_plan plan;
    struct sj_err err;
    struct rows r;
    int rc = run(m, &r, &plan, &err);
    if (rc != 0 || strcmp(r.got, expected) != 0)
        fail_msg("%s: rc %d (%s), got \"%s\", expected \"%s\"\nSQL:\n%s", steps, rc, err.message,
                 r.got, expected, plan.sql ? plan.sql : "");
    sj_model_plan_release(&plan);
    sj_model_free(m);
}

static void expect_where(const char *where, const char *expected)
{
    char steps[1024];
    snprintf(steps, sizeof steps, "  - id: hits\n    filter: {from: people, where: \"%s\"}\n",
             where);
    expect(steps, LEAD("hits", "id"), expected);
}

/* ---- Functions of ID numbers ---------------------------------------------------------------- */

static void test_functions(void **state)
{
    static const struct {
        const char *where, *expected;
    } cases[] = {
        {"age_at(id, date) < 18", "1,3"}, /* the day before the birthday; 28 Feb for 29 Feb */
        {"age_at(id, date) >= 18", "2,4,5"},
        {"age_at(id, date) = 33", "5"},
        {"age_at(id, time) < 18", "1,3"}, /* a date-time counts by its date */
        {"age_at(id, date + 1 days) >= 18", "1,2,3,4,5"},
        {"age_at(id, '2024/3/15') = 18", "1,2"},
        {"age_at(id, $day) >= 20", "3,4,5"},
        {"sex(id) = '女'", "2,3"},
        {"sex(id) = '男' and age_at(id, date) < 18", "1"},
        {"not (sex(id) = '女')", "1,4,5"},
        {"birth_date(id) = '2004-02-29'", "3,4"},
        {"birth_date(id) < '2000-01-01'", "5"},
        {"BIRTH_DATE(id) between '2006-03-15' and '2006-03-15'", "1,2"},
        {"sex(note) is not empty or birth_date(note) is not empty", ""}, /* no ID numbers */
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        print_message("# where: %s\n", cases[i].where);
        expect_where(cases[i].where, cases[i].expected);
    }
}

/* A wrong argument is found when compiling, at the function, with what to write. */
static void test_function_errors(void **state)
{
    static const struct {
        const char *where, *word;
    } cases[] = {
        {"sex(date) = '女'", "身份证号列"},
        {"age_at(id, note) > 1", "应为日期"},
        {"birth_date(id) > 3", "不是日期"},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        char steps[512];
        snprintf(steps, sizeof steps, "  - id: hits\n    filter: {from: people, where: \"%s\"}\n",
                 cases[i].where);
        struct sj_model *m = parse(steps, LEAD("hits", "id"), NULL);
        struct sj_model_plan plan;
        struct sj_err err;
        sj_err_clear(&err);
        assert_int_equal(sj_model_compile(fx.store, m, NULL, &plan, &err), SJ_EFORMAT);
        if (!strstr(err.message, cases[i].word))
            fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].where, err.message, cases[i].word);
        sj_model_free(m);
    }
}

/* `model check` (sj_model_parse) points at a misspelt function: its line and column. */
static void test_check_points_at_function(void **state)
{
    struct sj_model_diags d = {0};
    const char steps[] = "  - id: hits\n"
                         "    filter:\n"
                         "      from: people\n"
                         "      where: sex(id) = '女' or agee(id, date) < 18\n";
    assert_null(parse(steps, LEAD("hits", "id"), &d));
    assert_int_equal(d.count, 1);
    int steps_line = 1; /* the line of "steps:" in the file parse() writes */
    for (const char *p = head; *p; p++)
        steps_line += *p == '\n';
    steps_line += 1; /* "id: lang" */
    assert_int_equal(d.items[0].pos.line, steps_line + 4);
    assert_int_equal(d.items[0].pos.column,
                     (int)strlen("      where: sex(id) = '女' or ") - 2 + 1); /* 女: 3 bytes */
    assert_non_null(strstr(d.items[0].message, "agee"));
    assert_non_null(strstr(d.items[0].message, "age_at"));
    sj_model_diags_release(&d);
}

/* ---- exists, count distinct, within ---------------------------------------------------------- */

static void test_exists_and_absent(void **state)
{
    expect("  - id: seen\n    exists: {from: people, in: visits, on: [id = vid]}\n",
           LEAD("seen", "id"), "1,2,3,5"); /* persons 1 and 5 once each, not per visit */
    expect("  - id: unseen\n    absent: {from: people, in: visits, on: [id = vid]}\n",
           LEAD("unseen", "id"), "4");
    /* exists keeps from's columns: the lead may not name the other side's */
    struct sj_model_diags d = {0};
    assert_null(parse("  - id: seen\n    exists: {from: people, in: visits, on: [id = vid]}\n",
                      LEAD("seen", "place"), &d));
    assert_true(d.count >= 1);
    sj_model_diags_release(&d);
}

static void test_count_distinct(void **state)
{
    static const char lead[] = "  from: places\n  subject: vid\n  title: \"{vid}\"\n"
                               "  evidence: [count]\n";
    expect("  - id: places\n    count: {from: visits, by: [vid], distinct: place, "
           "having: count >= 2}\n",
           lead, "5");
    expect("  - id: places\n    count: {from: visits, by: [vid], having: count >= 2}\n", lead,
           "1,5");
}

/* Day 0 is the date of `after`; a follow-up at 23:59:59 on day N is inside, one at
 * midnight after it is not, nor one the day before. */
static void test_within_calendar_days(void **state)
{
    static const struct {
        const char *days, *missing, *expected;
    } cases[] = {
        {"$window", "false", "1,5"}, {"$window", "true", "2,3,4"}, {"31", "false", "1,2,5"},
        {"0", "false", "1,5"},       {"29", "false", "1,5"},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        char steps[512];
        snprintf(steps, sizeof steps,
                 "  - id: late\n    within: {from: people, in: visits, on: [id = vid], "
                 "after: date, then: visited, days: %s, missing: %s}\n",
                 cases[i].days, cases[i].missing);
        print_message("# days %s missing %s\n", cases[i].days, cases[i].missing);
        expect(steps, LEAD("late", "id"), cases[i].expected);
    }
}

/* A group only looked into gathers no evidence; one the lead reads does. */
static void test_lookup_only_group(void **state)
{
    static const char steps[] =
        "  - id: busy\n    count: {from: visits, by: [vid], having: count >= 2}\n"
        "  - id: hits\n    exists: {from: people, in: busy, on: [id = vid]}\n";
    struct sj_model *m = parse(steps, LEAD("hits", "id"), NULL);
    struct sj_model_plan plan;
    struct sj_err err;
    struct rows r;
    assert_int_equal(run(m, &r, &plan, &err), 0);
    assert_string_equal(r.got, "1,5");
    assert_int_equal(r.ev[0], 1);
    assert_non_null(strstr(plan.sql, "NULL AS _ev"));
    assert_null(strstr(plan.sql, "group_concat"));
    sj_model_plan_release(&plan);
    sj_model_free(m);
    m = parse("  - id: busy\n    count: {from: visits, by: [vid], having: count >= 2}\n",
              "  from: busy\n  subject: vid\n  title: \"{vid}\"\n  evidence: [count]\n", NULL);
    assert_int_equal(run(m, &r, &plan, &err), 0);
    assert_string_equal(r.got, "1,5");
    assert_int_equal(r.ev[0], 2);
    assert_non_null(strstr(plan.sql, "group_concat"));
    sj_model_plan_release(&plan);
    sj_model_free(m);
}

/* A step SQLite materialises (used twice) keeps only the columns later steps and the lead
 * read: here the ID number, not the date, time and note of every row. */
static void test_materialised_columns(void **state)
{
    static const char steps[] =
        "  - id: noted\n    filter: {from: people, where: \"note is not empty\"}\n"
        "  - id: seen\n    exists: {from: noted, in: visits, on: [id = vid]}\n"
        "  - id: per_id\n    count: {from: noted, by: [id]}\n";
    struct sj_model *m = parse(steps, LEAD("seen", "id"), NULL);
    struct sj_model_plan plan;
    struct sj_err err;
    struct rows r;
    assert_int_equal(run(m, &r, &plan, &err), 0);
    assert_string_equal(r.got, "1,2,3");
    const char *noted = strstr(plan.sql, "\"s_noted\" AS (");
    assert_non_null(noted);
    if (strncmp(strchr(noted, '\n') + 1, "  SELECT \"id\", _ev FROM ",
                strlen("  SELECT \"id\", _ev FROM ")) != 0)
        fail_msg("noted keeps other columns:\n%s", plan.sql);
    sj_model_plan_release(&plan);
    sj_model_free(m);
    /* the lead's title names the date: it is kept */
    m = parse(steps,
              "  from: seen\n  subject: id\n  title: \"{id}（{ date }）\"\n  evidence: [id]\n",
              NULL);
    assert_int_equal(run(m, &r, &plan, &err), 0);
    assert_string_equal(r.got, "1,2,3");
    assert_non_null(strstr(plan.sql, "SELECT \"id\", \"date\", _ev FROM \"i_people\""));
    sj_model_plan_release(&plan);
    sj_model_free(m);
}

/* ---- Indexes -------------------------------------------------------------------------------- */

static int find_search(void *ctx, int id, int parent, const char *detail)
{
    if (strstr(detail, "SEARCH") && strstr(detail, "ds_2_c1_n"))
        *(bool *)ctx = true;
    return 0;
}

/* A match asks for the index of the other side's key (visits.身份证号, ds_2.c1_n), which
 * the query then searches, and so does an absent on one key; a filter asks for none; a raw
 * sql step for every key column. */
static void test_plan_indexes(void **state)
{
    struct sj_model *m =
        parse("  - id: both\n    match: {from: people, with: visits, on: [id = vid]}\n",
              LEAD("both", "id"), NULL);
    struct sj_model_plan plan;
    struct sj_err err;
    struct rows r;
    assert_int_equal(run(m, &r, &plan, &err), 0);
    assert_string_equal(r.got, "1,1,2,3,5,5");
    assert_int_equal(plan.index_count, 1);
    assert_int_equal(plan.indexes[0].dataset, 2);
    assert_int_equal(plan.indexes[0].position, 1);
    assert_true(plan.lists_indexes);
    bool is_searched = false;
    assert_int_equal(sj_store_plan_explain(fx.store, &plan, find_search, &is_searched, &err), 0);
    assert_true(is_searched);
    sj_model_plan_release(&plan);
    sj_model_free(m);

    /* absent and exists with one key: the index of the key they look into */
    m = parse("  - id: unseen\n    absent: {from: people, in: visits, on: [id = vid]}\n",
              LEAD("unseen", "id"), NULL);
    assert_int_equal(run(m, &r, &plan, &err), 0);
    assert_string_equal(r.got, "4");
    assert_int_equal(plan.index_count, 1);
    assert_int_equal(plan.indexes[0].dataset, 2);
    assert_int_equal(plan.indexes[0].position, 1);
    sj_model_plan_release(&plan);
    sj_model_free(m);

    m = parse("  - id: hits\n    filter: {from: people, where: \"note = 'A'\"}\n",
              LEAD("hits", "id"), NULL);
    assert_int_equal(run(m, &r, &plan, &err), 0);
    assert_int_equal(plan.index_count, 0);
    sj_model_plan_release(&plan);
    sj_model_free(m);

    m = parse("  - id: raw\n    sql: {query: \"SELECT id, date, time, note, _ev FROM people\"}\n",
              LEAD("raw", "id"), NULL);
    assert_int_equal(run(m, &r, &plan, &err), 0);
    assert_false(plan.lists_indexes);
    sj_model_plan_release(&plan);
    sj_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_function_errors),
        cmocka_unit_test(test_check_points_at_function),
        cmocka_unit_test(test_exists_and_absent),
        cmocka_unit_test(test_count_distinct),
        cmocka_unit_test(test_within_calendar_days),
        cmocka_unit_test(test_lookup_only_group),
        cmocka_unit_test(test_materialised_columns),
        cmocka_unit_test(test_plan_indexes),
    };
    return cmocka_run_group_tests_name("model_lang", tests, group_setup, group_teardown);
}
