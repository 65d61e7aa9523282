/*
 * test_demo.c - the demo world (src/demo): check characters against the standards'
 * examples; capital amounts; uniqueness of generated names, id numbers, phones, cards and
 * credit codes; same seed -> same bytes (SHA-256 of every file), another seed -> other
 * bytes; answers.json; every value of a good row normalises (sj_norm_*) to the canonical
 * value the generator recorded and every bad row is really bad; and, the heart of it, each
 * model's rule from docs/DEMO-DATA.md re-evaluated here over the rows written gives exactly
 * the subjects of answers.json (also with bad rows kept, and under the alternative readings
 * the document says agree).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "demo/demo_int.h"
#include "shujian/demo.h"
#include "shujian/norm.h"
#include "test_util.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static void hash_file(const char *dir, const char *name, unsigned char out[32])
{
    char path[512];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *data = tu_read_file(path, &len);
    crypto_hash_sha256(out, (const unsigned char *)data, len);
    free(data);
}

static const char *all_files[] = {"enforcement_cases.csv",  "case_system.xlsx",
                                  "judgments.csv",          "bank_statements_a.csv",
                                  "bank_statements_b.xlsx", "appraisals.xlsx",
                                  "disposals.csv",          "victims.xlsx",
                                  "land_penalties.csv",     "land_inspections.csv",
                                  "bail_subjects.xlsx",     "call_records.csv",
                                  "answers.json",           "README.txt"};

static void generate(const char *dir, uint64_t seed, int scale, sj_demo_observe_fn fn, void *ctx)
{
    struct sj_demo_opts opts = {seed, scale, fn, ctx};
    struct sj_demo_stats stats;
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_demo_generate(dir, &opts, &stats, &err);
    if (rc)
        fail_msg("sj_demo_generate: %s", err.message);
    assert_int_equal(stats.file_count, 12);
    assert_true(stats.total_rows > 4000 * scale);
}

static char *temp_dir(void)
{
    char *dir = malloc(256);
    assert_non_null(dir);
    assert_int_equal(tu_temp_dir(dir, 256, "sj-test-demo"), 0);
    return dir;
}

/* ---- check characters and amounts -------------------------------------------------------- */

static void test_check_characters(void **state)
{
    (void)state;
    /* GB 11643 example and a second published example. */
    assert_int_equal(sj_demo_idcard_check("11010519491231002"), 'X');
    assert_int_equal(sj_demo_idcard_check("44052418800101001"), '4');
    assert_int_equal(sj_demo_idcard_check("4405241880010100"), '\0');
    /* GB 32100 example code 91350100M000100Y43. */
    assert_int_equal(sj_demo_creditcode_check("91350100M000100Y4"), '3');
    assert_int_equal(sj_demo_creditcode_check("91350100M000100I4"), '\0');
    /* GB 11714: 12345678 -> 201 % 11 = 3 -> 8; the organisation code inside the example. */
    assert_int_equal(sj_demo_orgcode_check("12345678"), '8');
    assert_int_equal(sj_demo_orgcode_check("M000100Y"), '4');
    /* Luhn: 7992739871 -> 3. */
    assert_int_equal(sj_demo_luhn_check("7992739871", 10), '3');
    assert_int_equal(sj_demo_luhn_check("79927x9871", 10), '\0');
}

static void test_capital_amounts(void **state)
{
    (void)state;
    static const struct {
        int64_t yuan;
        const char *text;
    } cases[] = {
        {10, "人民币壹拾元整"},
        {110, "人民币壹佰壹拾元整"},
        {1001, "人民币壹仟零壹元整"},
        {1010, "人民币壹仟零壹拾元整"},
        {10005, "人民币壹万零伍元整"},
        {100000, "人民币壹拾万元整"},
        {100500, "人民币壹拾万零伍佰元整"},
        {1200000, "人民币壹佰贰拾万元整"},
        {1205000, "人民币壹佰贰拾万伍仟元整"},
        {100000005, "人民币壹亿零伍元整"},
        {123456789, "人民币壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整"},
    };
    struct sj_norm_result r;
    char out[256];
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        demo_amount_capital(cases[i].yuan, out, sizeof out);
        assert_string_equal(out, cases[i].text);
        assert_true(sj_norm_amount(sj_str_from_cstr(out), &r));
        assert_int_equal(r.number, cases[i].yuan * 100);
    }
}

/* ---- uniqueness of the world --------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void assert_unique(char **items, size_t n, const char *what)
{
    qsort(items, n, sizeof *items, cmp_str);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(items[i - 1], items[i]) == 0)
            fail_msg("%s repeats: %s", what, items[i]);
    }
}

static void test_people_are_unique(void **state)
{
    (void)state;
    enum { N = 120000 };
    struct demo_world w;
    struct demo_person p;
    char **names = calloc(N, sizeof *names), **ids = calloc(N, sizeof *ids);
    char **phones = calloc(N, sizeof *phones), **cards = calloc(N, sizeof *cards);
    demo_world_init(&w, 99);
    assert_true(w.name_space > 4000000); /* room for --scale 1000 */
    size_t minorities = 0;
    for (size_t i = 0; i < N; i++) {
        demo_person_get(&w, i, &p);
        names[i] = strdup(p.name);
        ids[i] = strdup(p.id);
        phones[i] = strdup(p.phone);
        cards[i] = strdup(p.card);
        assert_int_equal(sj_demo_idcard_check(p.id), p.id[17]);
        assert_int_equal((p.id[16] - '0') % 2 == 0, p.is_female);
        size_t len = strlen(p.card);
        assert_int_equal(sj_demo_luhn_check(p.card, len - 1), p.card[len - 1]);
        minorities += strstr(p.name, "·") != NULL;
    }
    assert_true(minorities > 500); /* one in 53 of the first 42,400 people */
    assert_unique(names, N, "name");
    assert_unique(ids, N, "id number");
    assert_unique(phones, N, "phone");
    assert_unique(cards, N, "card");
    for (size_t i = 0; i < N; i++) {
        free(names[i]);
        free(ids[i]);
        free(phones[i]);
        free(cards[i]);
    }
    free(names);
    free(ids);
    free(phones);
    free(cards);
}

static void test_companies_are_unique(void **state)
{
    (void)state;
    enum { N = 60000 };
    struct demo_world w;
    struct demo_company c;
    char **names = calloc(N, sizeof *names), **codes = calloc(N, sizeof *codes);
    demo_world_init(&w, 5);
    assert_true(w.co_name_space > 300000);
    for (size_t i = 0; i < N; i++) {
        demo_company_take(&w, i % 7 == 3 ? DEMO_CO_SHOP : i % 2 ? DEMO_CO_LAND : DEMO_CO_TRADE, &c);
        names[i] = strdup(c.name);
        codes[i] = strdup(c.code);
        assert_int_equal(sj_demo_creditcode_check(c.code), c.code[17]);
        assert_int_equal(sj_demo_orgcode_check(c.code + 8), c.code[16]);
    }
    assert_unique(names, N, "company name");
    assert_unique(codes, N, "credit code");
    for (size_t i = 0; i < N; i++) {
        free(names[i]);
        free(codes[i]);
    }
    free(names);
    free(codes);
}

/* ---- bytes --------------------------------------------------------------------------------- */

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    char *a = temp_dir(), *b = temp_dir(), *c = temp_dir();
    unsigned char ha[32], hb[32], hc[32];
    generate(a, 7, 1, NULL, NULL);
    generate(b, 7, 1, NULL, NULL);
    generate(c, 8, 1, NULL, NULL);
    for (size_t i = 0; i < SJ_ARRAY_LEN(all_files); i++) {
        hash_file(a, all_files[i], ha);
        hash_file(b, all_files[i], hb);
        hash_file(c, all_files[i], hc);
        if (memcmp(ha, hb, 32) != 0)
            fail_msg("%s differs between two runs with the same seed", all_files[i]);
        if (i < 13 && memcmp(ha, hc, 32) == 0)
            fail_msg("%s is the same for seeds 7 and 8", all_files[i]);
    }
    tu_remove_tree(a);
    tu_remove_tree(b);
    tu_remove_tree(c);
    free(a);
    free(b);
    free(c);
}

static void test_bad_options(void **state)
{
    (void)state;
    struct sj_demo_opts opts = {1, 0, NULL, NULL};
    struct sj_err err;
    assert_int_equal(sj_demo_generate("/tmp", &opts, NULL, &err), SJ_EINVAL);
    opts.scale = SJ_DEMO_SCALE_MAX + 1;
    assert_int_equal(sj_demo_generate("/tmp", &opts, NULL, &err), SJ_EINVAL);
    opts.scale = 1;
    assert_int_equal(sj_demo_generate("/proc/no/such/dir", &opts, NULL, &err), SJ_EIO);
}

/* ---- the observed world --------------------------------------------------------------------- */

#define CELLS_MAX 12

struct rec {
    bool is_bad;
    size_t count;
    char *text[CELLS_MAX + 1];
    char *canon[CELLS_MAX + 1]; /* NULL for a broken cell */
};

struct table {
    struct rec *rows;
    size_t count, alloc;
    size_t cols;
    int bad;
};

struct observed {
    struct table t[DEMO_F_COUNT];
    long checked, failures;
    char first_failure[512];
};

static int file_index(const char *name)
{
    for (int f = 0; f < DEMO_F_COUNT; f++) {
        if (strcmp(all_files[f], name) == 0)
            return f;
    }
    fail_msg("unknown file %s", name);
    return -1;
}

static void note_failure(struct observed *o, const char *file, long row, const char *what,
                         const struct sj_demo_cell *c)
{
    if (o->failures++ == 0)
        snprintf(o->first_failure, sizeof o->first_failure, "%s row %ld: %s: '%s' (want '%s')",
                 file, row, what, c->text, c->canonical ? c->canonical : "(bad)");
}

/* Normalises c as its kind; *ok says whether it is valid, the result goes to r. */
static void normalise(const struct sj_demo_cell *c, struct sj_norm_result *r, bool *ok)
{
    *ok = sj_norm(c->kind, sj_str_from_cstr(c->text), r);
}

/* A good cell must normalise to its canonical value. */
static void check_cell(struct observed *o, const char *file, long row, const struct sj_demo_cell *c)
{
    struct sj_norm_result r;
    bool ok;
    if (c->kind == SJ_KIND_TEXT || !c->text[0])
        return;
    if (c->kind == SJ_KIND_NAME && strstr(c->text, "公司"))
        return; /* company names in a name column are not person names */
    normalise(c, &r, &ok);
    o->checked++;
    if (!ok) {
        note_failure(o, file, row, r.reason, c);
        return;
    }
    if (c->kind == SJ_KIND_AMOUNT || c->kind == SJ_KIND_INTEGER) {
        if (r.number != atoll(c->canonical))
            note_failure(o, file, row, "wrong number", c);
    } else if (strcmp(r.value, c->canonical) != 0) {
        note_failure(o, file, row, r.value, c);
    }
}

/* A bad row has an extra cell, or a broken cell that does not normalise. */
static void check_bad_row(struct observed *o, const char *file, long row, size_t cols,
                          const struct sj_demo_cell *cells, size_t count)
{
    if (count > cols)
        return;
    for (size_t i = 0; i < count; i++) {
        struct sj_norm_result r;
        bool ok;
        if (cells[i].canonical)
            continue;
        normalise(&cells[i], &r, &ok);
        if (!ok)
            return;
    }
    note_failure(o, file, row, "bad row without a broken value", &cells[0]);
}

static void observe(void *ctx, const char *file, long row, bool is_bad,
                    const struct sj_demo_cell *cells, size_t count)
{
    struct observed *o = ctx;
    struct table *t = &o->t[file_index(file)];
    if (row == 0) {
        t->cols = count;
        return;
    }
    assert_true(count <= CELLS_MAX + 1);
    if (t->count == t->alloc) {
        t->alloc = t->alloc ? t->alloc * 2 : 256;
        t->rows = realloc(t->rows, t->alloc * sizeof *t->rows);
    }
    struct rec *r = &t->rows[t->count++];
    r->is_bad = is_bad;
    r->count = count;
    for (size_t i = 0; i < count; i++) {
        r->text[i] = strdup(cells[i].text);
        r->canon[i] = cells[i].canonical ? strdup(cells[i].canonical) : NULL;
        if (!is_bad)
            check_cell(o, file, row, &cells[i]);
    }
    if (is_bad) {
        t->bad++;
        check_bad_row(o, file, row, t->cols, cells, count);
    }
}

static void observed_free(struct observed *o)
{
    for (int f = 0; f < DEMO_F_COUNT; f++) {
        for (size_t i = 0; i < o->t[f].count; i++) {
            for (size_t k = 0; k < o->t[f].rows[i].count; k++) {
                free(o->t[f].rows[i].text[k]);
                free(o->t[f].rows[i].canon[k]);
            }
        }
        free(o->t[f].rows);
    }
}

/* ---- the rules of docs/DEMO-DATA.md --------------------------------------------------------- */

struct list {
    char *items[512];
    size_t count;
};

static void list_add(struct list *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++) {
        if (strcmp(l->items[i], s) == 0)
            return;
    }
    assert_true(l->count < SJ_ARRAY_LEN(l->items));
    l->items[l->count++] = strdup(s);
}

static void list_free(struct list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    l->count = 0;
}

/* The canonical value of column col, "" when broken or missing. */
static const char *cv(const struct rec *r, size_t col)
{
    return col < r->count && r->canon[col] ? r->canon[col] : "";
}

static bool in(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, set[i]) == 0)
            return true;
    }
    return false;
}

/* Days of a canonical date or datetime, or INT64_MIN when broken. */
static int64_t day_of(const char *s)
{
    int y, m, d;
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || !sj_date_is_valid(y, m, d))
        return INT64_MIN;
    return sj_date_to_days(y, m, d);
}

static bool keep_row(const struct rec *r, bool with_bad)
{
    return with_bad || !r->is_bad;
}

static void rule_tax(const struct observed *o, bool with_bad, struct list *out)
{
    static const char *const causes[] = {"逃税", "虚开增值税专用发票", "虚开发票", "骗取出口退税"};
    const struct table *e = &o->t[DEMO_F_ENFORCEMENT], *cs = &o->t[DEMO_F_CASE_SYSTEM];
    for (size_t i = 0; i < e->count; i++) {
        const struct rec *r = &e->rows[i];
        const char *id = cv(r, 3);
        if (!keep_row(r, with_bad) || !in(cv(r, 4), causes, 4) || !id[0] ||
            atoll(cv(r, 5)) < 10000000)
            continue;
        bool found = false;
        for (size_t k = 0; k < cs->count && !found; k++)
            found = keep_row(&cs->rows[k], with_bad) && strcmp(cv(&cs->rows[k], 3), id) == 0;
        if (!found)
            list_add(out, id);
    }
}

/* Suits of plaintiffs with an agent in the listed causes. */
struct suit_rec {
    const char *plaintiff, *lawyer, *caseno;
    int64_t day;
};

static size_t collect_suits(const struct observed *o, bool with_bad, struct suit_rec *s, size_t max)
{
    static const char *const causes[] = {"机动车交通事故责任纠纷", "财产保险合同纠纷",
                                         "人身保险合同纠纷", "保险纠纷"};
    const struct table *j = &o->t[DEMO_F_JUDGMENTS];
    size_t n = 0;
    for (size_t i = 0; i < j->count; i++) {
        const struct rec *r = &j->rows[i];
        if (!keep_row(r, with_bad) || strcmp(cv(r, 4), "原告") != 0 || !in(cv(r, 2), causes, 4) ||
            !cv(r, 5)[0] || day_of(cv(r, 8)) == INT64_MIN)
            continue;
        assert_true(n < max);
        s[n++] = (struct suit_rec){cv(r, 3), cv(r, 5), cv(r, 0), day_of(cv(r, 8))};
    }
    return n;
}

static size_t suit_count(const struct suit_rec *s, size_t n, const char *p, const char *l)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s[i].plaintiff, p) != 0 || strcmp(s[i].lawyer, l) != 0)
            continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(s[k].plaintiff, p) == 0 && strcmp(s[k].lawyer, l) == 0 &&
                   strcmp(s[k].caseno, s[i].caseno) == 0;
        count += !seen;
    }
    return count;
}

/* A money flow from payer to payee on day. */
struct flow {
    const char *payer, *payee;
    int64_t day;
};

/* both_sides: also count the payee's statement (贷/收 from the payer) as evidence. */
static size_t collect_flows(const struct observed *o, bool with_bad, bool both_sides,
                            struct flow *f, size_t max)
{
    size_t n = 0;
    for (int b = 0; b < 2; b++) {
        const struct table *t = &o->t[b ? DEMO_F_BANK_B : DEMO_F_BANK_A];
        size_t dir = b ? 3 : 6, other = b ? 6 : 4;
        for (size_t i = 0; i < t->count; i++) {
            const struct rec *r = &t->rows[i];
            int64_t day = day_of(cv(r, 0));
            if (!keep_row(r, with_bad) || day == INT64_MIN || !cv(r, other)[0])
                continue;
            bool is_out = strcmp(cv(r, dir), b ? "付" : "借") == 0;
            if (!is_out && !both_sides)
                continue;
            assert_true(n < max);
            f[n++] = is_out ? (struct flow){cv(r, 2), cv(r, other), day}
                            : (struct flow){cv(r, other), cv(r, 2), day};
        }
    }
    return n;
}

/* any_plaintiff: "another plaintiff of the lawyer" is any plaintiff with one suit through him
 * (instead of a candidate with min_suits). */
static void rule_litigation(const struct observed *o, bool with_bad, bool both_sides,
                            bool any_plaintiff, struct list *out)
{
    enum { MAX = 20000 };
    struct suit_rec *s = calloc(MAX, sizeof *s);
    struct flow *f = calloc(MAX, sizeof *f);
    size_t ns = collect_suits(o, with_bad, s, MAX);
    size_t nf = collect_flows(o, with_bad, both_sides, f, MAX);
    for (size_t i = 0; i < ns; i++) {
        const char *p = s[i].plaintiff, *l = s[i].lawyer;
        if (suit_count(s, ns, p, l) < 3)
            continue;
        for (size_t k = 0; k < nf; k++) {
            if (strcmp(f[k].payer, p) != 0 || f[k].day < s[i].day || f[k].day > s[i].day + 30)
                continue;
            const char *x = f[k].payee;
            bool ok = strcmp(x, l) == 0;
            if (!ok && strcmp(x, p) != 0) {
                size_t c = suit_count(s, ns, x, l);
                ok = any_plaintiff ? c >= 1 : c >= 3;
            }
            if (ok)
                list_add(out, p);
        }
    }
    free(s);
    free(f);
}

static void rule_appraisal(const struct observed *o, bool with_bad, struct list *out)
{
    const struct table *a = &o->t[DEMO_F_APPRAISALS], *d = &o->t[DEMO_F_DISPOSALS];
    for (size_t i = 0; i < a->count; i++) {
        const struct rec *r = &a->rows[i];
        int64_t day = day_of(cv(r, 5));
        bool needs = (strcmp(cv(r, 2), "枪支鉴定") == 0 && strstr(cv(r, 4), "自制")) ||
                     strcmp(cv(r, 2), "价格认定") == 0;
        if (!keep_row(r, with_bad) || !needs || day == INT64_MIN)
            continue;
        bool followed = false;
        for (size_t k = 0; k < d->count && !followed; k++) {
            const struct rec *x = &d->rows[k];
            int64_t dd = day_of(cv(x, 2));
            followed = keep_row(x, with_bad) && strcmp(cv(x, 0), cv(r, 1)) == 0 &&
                       dd != INT64_MIN && dd >= day && dd <= day + 90;
        }
        if (!followed)
            list_add(out, cv(r, 0));
    }
}

static void rule_aid(const struct observed *o, bool with_bad, struct list *out)
{
    const struct table *v = &o->t[DEMO_F_VICTIMS];
    for (size_t i = 0; i < v->count; i++) {
        const struct rec *r = &v->rows[i];
        const char *id = cv(r, 2);
        int y, m, d, by, bm, bd;
        if (!keep_row(r, with_bad) || strlen(id) != 18 || strcmp(cv(r, 5), "未赔偿") != 0 ||
            strcmp(cv(r, 6), "是") != 0 || sscanf(cv(r, 7), "%4d-%2d-%2d", &y, &m, &d) != 3 ||
            sscanf(id + 6, "%4d%2d%2d", &by, &bm, &bd) != 3)
            continue;
        bool is_minor = y < by + 18 || (y == by + 18 && (m < bm || (m == bm && d < bd)));
        bool is_female = (id[16] - '0') % 2 == 0;
        if (is_minor || is_female || cv(r, 4)[0])
            list_add(out, id);
    }
}

/* latest: only the latest inspection after the penalty counts (instead of any). */
static void rule_land(const struct observed *o, bool with_bad, bool latest, struct list *out)
{
    static const char *const types[] = {"非法占用耕地", "非法占用湿地"};
    const struct table *p = &o->t[DEMO_F_LAND_PENALTIES], *s = &o->t[DEMO_F_LAND_INSPECTIONS];
    for (size_t i = 0; i < p->count; i++) {
        const struct rec *r = &p->rows[i];
        int64_t day = day_of(cv(r, 5)), best = INT64_MIN;
        bool hit = false;
        if (!keep_row(r, with_bad) || !in(cv(r, 3), types, 2) || day == INT64_MIN || !cv(r, 2)[0])
            continue;
        for (size_t k = 0; k < s->count; k++) {
            const struct rec *x = &s->rows[k];
            int64_t dd = day_of(cv(x, 0));
            if (!keep_row(x, with_bad) || strcmp(cv(x, 1), cv(r, 4)) != 0 || dd <= day)
                continue;
            bool running = strcmp(cv(x, 4), "仍在经营") == 0;
            if (!latest)
                hit = hit || running;
            else if (dd > best)
                best = dd, hit = running;
        }
        if (hit)
            list_add(out, cv(r, 2));
    }
}

static void assert_same(const struct list *got, json_t *want, const char *what)
{
    size_t n = json_array_size(want);
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(want, i));
        bool found = false;
        for (size_t k = 0; k < got->count && !found; k++)
            found = strcmp(got->items[k], s) == 0;
        if (!found)
            fail_msg("%s: answers.json has %s, the rule does not find it", what, s);
    }
    if (got->count != n) {
        for (size_t k = 0; k < got->count; k++)
            fprintf(stderr, "# %s found %s\n", what, got->items[k]);
        fail_msg("%s: the rule finds %zu subjects, answers.json lists %zu", what, got->count, n);
    }
}

static json_t *load_answers(const char *dir)
{
    char path[512];
    json_error_t error;
    snprintf(path, sizeof path, "%s/answers.json", dir);
    json_t *root = json_load_file(path, 0, &error);
    if (!root)
        fail_msg("answers.json: %s (line %d)", error.text, error.line);
    assert_true(json_is_object(root));
    assert_int_equal(json_object_size(root), sj_demo_model_count());
    for (size_t m = 0; m < sj_demo_model_count(); m++) {
        json_t *list = json_object_get(root, sj_demo_model_id(m));
        assert_true(json_is_array(list));
        assert_true(json_array_size(list) > 0);
        for (size_t i = 0; i < json_array_size(list); i++) {
            assert_true(json_is_string(json_array_get(list, i)));
            if (i > 0)
                assert_true(strcmp(json_string_value(json_array_get(list, i - 1)),
                                   json_string_value(json_array_get(list, i))) < 0);
        }
    }
    return root;
}

static void check_rules(const struct observed *o, json_t *answers, bool with_bad)
{
    struct list got = {0}, tax = {0}, land = {0};
    rule_tax(o, with_bad, &tax);
    assert_same(&tax, json_object_get(answers, "tax-not-transferred"), "tax-not-transferred");
    for (int v = 0; v < 4; v++) {
        rule_litigation(o, with_bad, v & 1, v & 2, &got);
        assert_same(&got, json_object_get(answers, "fake-litigation-insurance"),
                    "fake-litigation-insurance");
        list_free(&got);
    }
    rule_appraisal(o, with_bad, &got);
    assert_same(&got, json_object_get(answers, "appraisal-not-followed-up"),
                "appraisal-not-followed-up");
    list_free(&got);
    rule_aid(o, with_bad, &got);
    assert_same(&got, json_object_get(answers, "judicial-aid-screening"), "judicial-aid-screening");
    list_free(&got);
    for (int latest = 0; latest < 2; latest++) {
        list_free(&land);
        rule_land(o, with_bad, latest, &land);
        assert_same(&land, json_object_get(answers, "protected-land-still-occupied"),
                    "protected-land-still-occupied");
    }
    for (size_t i = 0; i < tax.count; i++) {
        for (size_t k = 0; k < land.count; k++) {
            if (strcmp(tax.items[i], land.items[k]) == 0)
                list_add(&got, tax.items[i]);
        }
    }
    assert_same(&got, json_object_get(answers, "tax-and-land"), "tax-and-land");
    list_free(&got);
    list_free(&tax);
    list_free(&land);
}

static void run_world(int scale, uint64_t seed)
{
    char *dir = temp_dir();
    struct observed *o = calloc(1, sizeof *o);
    generate(dir, seed, scale, observe, o);
    if (o->failures)
        fail_msg("%ld of %ld values do not normalise as recorded; first: %s", o->failures,
                 o->checked, o->first_failure);
    assert_true(o->checked > 10000 * scale);
    for (int f = 0; f < DEMO_F_COUNT; f++) {
        if (o->t[f].bad < 2 || o->t[f].bad > 5)
            fail_msg("%s has %d bad rows", all_files[f], o->t[f].bad);
    }
    json_t *answers = load_answers(dir);
    check_rules(o, answers, false);
    check_rules(o, answers, true);
    json_decref(answers);
    observed_free(o);
    free(o);
    tu_remove_tree(dir);
    free(dir);
}

static void test_rules_find_the_answers(void **state)
{
    (void)state;
    run_world(1, SJ_DEMO_DEFAULT_SEED);
}

static void test_rules_find_the_answers_two_groups(void **state)
{
    (void)state;
    run_world(2, 12345);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_characters),
        cmocka_unit_test(test_capital_amounts),
        cmocka_unit_test(test_people_are_unique),
        cmocka_unit_test(test_companies_are_unique),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_rules_find_the_answers),
        cmocka_unit_test(test_rules_find_the_answers_two_groups),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests_name("demo", tests, NULL, NULL);
}
