/*
 * test_model_parse.c - model files (docs/MODELS.md): a valid model parses into the
 * expected struct, field by field, for every operation; broken models, one problem each,
 * give the expected diagnostic at the expected line:column (positions worked out by hand
 * from the texts below, columns counted in characters); several problems at once are all
 * reported, in file order; the docs' example checks clean; the toolbox loads built-in and
 * workspace models (the workspace wins), reports files that fail, and `add` copies only
 * valid files, byte for byte.
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

#include "shujian/model.h"
#include "test_util.h"

/* The base of the broken models. Line numbers matter: the cases below point into it. */
static const char base[] =
    "id: test-model\n"                                                /* 1 */
    "name: 测试模型\n"                                                /* 2 */
    "function: criminal\n"                                            /* 3 */
    "version: 1.0.0\n"                                                /* 4 */
    "summary: 测试用。\n"                                             /* 5 */
    "inputs:\n"                                                       /* 6 */
    "  people:\n"                                                     /* 7 */
    "    label: 人员\n"                                               /* 8 */
    "    dataset: people\n"                                           /* 9 */
    "    columns:\n"                                                  /* 10 */
    "      pid: {kind: idcard, headers: [身份证号码]}\n"              /* 11 */
    "      amount: {kind: amount, headers: [金额]}\n"                 /* 12 */
    "      date: {kind: date, headers: [日期]}\n"                     /* 13 */
    "  cases:\n"                                                      /* 14 */
    "    dataset: cases\n"                                            /* 15 */
    "    columns:\n"                                                  /* 16 */
    "      suspect_id: {kind: idcard, headers: [身份证号]}\n"         /* 17 */
    "parameters:\n"                                                   /* 18 */
    "  threshold: {type: amount, default: \"10万元\", label: 金额}\n" /* 19 */
    "steps:\n"                                                        /* 20 */
    "  - id: big\n"                                                   /* 21 */
    "    filter: {from: people, where: amount >= $threshold}\n"       /* 22 */
    "  - id: missing\n"                                               /* 23 */
    "    absent: {from: big, in: cases, on: [pid = suspect_id]}\n"    /* 24 */
    "lead:\n"                                                         /* 25 */
    "  from: missing\n"                                               /* 26 */
    "  subject: pid\n"                                                /* 27 */
    "  title: \"{pid}金额{amount}\"\n"                                /* 28 */
    "  evidence: [pid, amount, date]\n";                              /* 29 */

/* base with each `from` replaced by the matching `to` (NULL-terminated pairs). */
static char *edit(const char *const *pairs)
{
    char *text = strdup(base);
    for (size_t i = 0; pairs[i]; i += 2) {
        char *at = strstr(text, pairs[i]);
        if (!at)
            fail_msg("edit: '%s' is not in the base model", pairs[i]);
        size_t before = (size_t)(at - text), from = strlen(pairs[i]), to = strlen(pairs[i + 1]);
        char *next = malloc(strlen(text) - from + to + 1);
        memcpy(next, text, before);
        memcpy(next + before, pairs[i + 1], to);
        strcpy(next + before + to, at + from);
        free(text);
        text = next;
    }
    return text;
}

static void dump(const struct sj_model_diags *d)
{
    char line[1200];
    for (size_t i = 0; i < d->count; i++)
        print_message("#   %s\n",
                      sj_model_diag_format("model.yaml", &d->items[i], line, sizeof line));
}

/* ---- A valid model ----------------------------------------------------------------------- */

static void test_base_is_valid(void **state)
{
    struct sj_model *m = NULL;
    struct sj_model_diags d;
    int rc = sj_model_parse(base, strlen(base), "base.yaml", &m, &d);
    if (rc != 0)
        dump(&d);
    assert_int_equal(rc, 0);
    assert_int_equal(d.count, 0);
    assert_string_equal(m->id, "test-model");
    assert_string_equal(m->path, "base.yaml");
    assert_int_equal(strlen(m->sha256), 64);
    assert_int_equal(m->input_count, 2);
    assert_int_equal(m->inputs[0].column_count, 3);
    assert_int_equal(m->inputs[1].column_count, 1);
    assert_null(m->inputs[1].label);
    assert_int_equal(m->step_count, 2);
    assert_int_equal(m->steps[1].op, SJ_OP_ABSENT);
    sj_model_free(m);
}

/* Every operation and every parameter type, checked field by field. */
static const char full[] =
    "id: full-model-2\n"
    "name: 全部操作\n"
    "function: public-interest\n"
    "version: 2.10.3\n"
    "author: 测试组\n"
    "office: 清远市人民检察院\n"
    "summary: >\n"
    "  第一行\n"
    "  第二行\n"
    "inputs:\n"
    "  bank:\n"
    "    label: 银行流水\n"
    "    dataset: [bank_a, bank_b]\n"
    "    columns:\n"
    "      acct: {kind: bankcard, headers: [账号, 卡号]}\n"
    "      amount: {kind: amount, headers: [金额]}\n"
    "      tday: {kind: date, headers: [交易日期]}\n"
    "  people:\n"
    "    dataset: people\n"
    "    columns:\n"
    "      acct: {kind: bankcard, headers: 账号}\n"
    "      pid: {kind: case_no, headers: [案号]}\n"
    "      out_day: {kind: datetime, headers: [出所时间]}\n"
    "parameters:\n"
    "  n: {type: integer, default: 3, label: 次数}\n"
    "  ratio: {type: number, default: 0.5}\n"
    "  money: {type: amount, default: 5万元}\n"
    "  window: {type: days, default: 30}\n"
    "  start: {type: date, default: 2024-01-01}\n"
    "  word: {type: text}\n"
    "  tags: {type: list, default: [甲, 乙]}\n"
    "  strict: {type: boolean, default: false}\n"
    "steps:\n"
    "  - id: f\n"
    "    filter:\n"
    "      from: bank\n"
    "      where: amount >= $money and tday >= $start\n"
    "  - id: m\n"
    "    match: {from: people, with: f, on: [acct = acct]}\n"
    "  - id: c\n"
    "    count: {from: m, by: [pid], having: count >= $n}\n"
    "  - id: s\n"
    "    sum: {from: f, by: acct, of: amount}\n"
    "  - id: w\n"
    "    within: {from: people, in: bank, on: [acct = acct], after: out_day, then: tday,\n"
    "             days: $window, missing: true}\n"
    "  - id: u\n"
    "    union: {of: [c, c]}\n"
    "  - id: sub\n"
    "    use-model: {model: other-model, as: rows}\n"
    "  - id: q\n"
    "    sql: {query: SELECT 1}\n"
    "lead:\n"
    "  from: m\n"
    "  subject: pid\n"
    "  title: \"{ pid }：{f.acct}\"\n"
    "  evidence: [pid, f.acct, amount]\n";

static void check_full_heading(const struct sj_model *m)
{
    assert_string_equal(m->id, "full-model-2");
    assert_string_equal(m->name, "全部操作");
    assert_int_equal(m->function, SJ_FUNCTION_PUBLIC_INTEREST);
    assert_string_equal(m->version, "2.10.3");
    assert_string_equal(m->author, "测试组");
    assert_string_equal(m->office, "清远市人民检察院");
    assert_string_equal(m->summary, "第一行第二行"); /* folded, no space between Chinese */
    assert_false(m->is_builtin);
    assert_int_equal(m->input_count, 2);
    const struct sj_model_input *bank = &m->inputs[0];
    assert_string_equal(bank->name, "bank");
    assert_string_equal(bank->label, "银行流水");
    assert_int_equal(bank->dataset_count, 2);
    assert_string_equal(bank->datasets[1], "bank_b");
    assert_int_equal(bank->pos.line, 11);
    assert_int_equal(bank->pos.column, 3);
    assert_int_equal(bank->column_count, 3);
    assert_string_equal(bank->columns[0].name, "acct");
    assert_int_equal(bank->columns[0].kind, SJ_KIND_BANKCARD);
    assert_int_equal(bank->columns[0].header_count, 2);
    assert_string_equal(bank->columns[0].headers[1], "卡号");
    assert_int_equal(bank->columns[0].pos.line, 15);
    assert_int_equal(bank->columns[0].pos.column, 7);
    const struct sj_model_input *people = &m->inputs[1];
    assert_null(people->label);
    assert_int_equal(people->columns[0].header_count, 1); /* a single header is a list of one */
    assert_string_equal(people->columns[0].headers[0], "账号");
    assert_int_equal(people->columns[1].kind, SJ_KIND_CASENO); /* alias case_no */
    assert_int_equal(people->columns[2].kind, SJ_KIND_DATETIME);
}

static void check_full_params(const struct sj_model *m)
{
    static const enum sj_param_type types[] = {SJ_PARAM_INTEGER, SJ_PARAM_NUMBER, SJ_PARAM_AMOUNT,
                                               SJ_PARAM_DAYS,    SJ_PARAM_DATE,   SJ_PARAM_TEXT,
                                               SJ_PARAM_LIST,    SJ_PARAM_BOOLEAN};
    static const char *const defaults[] = {"3",          "0.5", "5万元", "30",
                                           "2024-01-01", NULL,  NULL,    "false"};
    assert_int_equal(m->param_count, 8);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(m->params[i].type, types[i]);
        if (defaults[i])
            assert_string_equal(m->params[i].default_text, defaults[i]);
        else
            assert_null(m->params[i].default_text);
        assert_int_equal(m->params[i].pos.line, 25 + (int)i);
    }
    assert_string_equal(m->params[0].label, "次数");
    assert_null(m->params[1].label);
    assert_int_equal(m->params[6].default_list_count, 2);
    assert_string_equal(m->params[6].default_list[1], "乙");
}

static void check_full_steps(const struct sj_model *m)
{
    const struct sj_model_step *st = m->steps;
    assert_int_equal(m->step_count, 8);
    assert_int_equal(st[0].op, SJ_OP_FILTER);
    assert_string_equal(st[0].from, "bank");
    assert_string_equal(st[0].where, "amount >= $money and tday >= $start");
    assert_int_equal(st[0].pos.line, 34);
    assert_int_equal(st[0].where_pos.line, 37);
    assert_int_equal(st[0].where_pos.column, 14);
    assert_int_equal(st[1].op, SJ_OP_MATCH);
    assert_string_equal(st[1].other, "f");
    assert_int_equal(st[1].key_count, 1);
    assert_string_equal(st[1].keys[0].left, "acct");
    assert_string_equal(st[1].keys[0].right, "acct");
    assert_int_equal(st[2].op, SJ_OP_COUNT);
    assert_int_equal(st[2].by_count, 1);
    assert_string_equal(st[2].by[0], "pid");
    assert_string_equal(st[2].having, "count >= $n");
    assert_int_equal(st[2].having_pos.line, 41);
    assert_int_equal(st[2].having_pos.column, 41);
    assert_int_equal(st[3].op, SJ_OP_SUM);
    assert_string_equal(st[3].by[0], "acct");
    assert_string_equal(st[3].of, "amount");
    assert_null(st[3].having);
    assert_int_equal(st[4].op, SJ_OP_WITHIN);
    assert_string_equal(st[4].after, "out_day");
    assert_string_equal(st[4].then, "tday");
    assert_string_equal(st[4].days, "$window");
    assert_true(st[4].missing);
    assert_int_equal(st[5].op, SJ_OP_UNION);
    assert_int_equal(st[5].union_count, 2);
    assert_int_equal(st[6].op, SJ_OP_USE_MODEL);
    assert_string_equal(st[6].model, "other-model");
    assert_true(st[6].as_rows);
    assert_int_equal(st[7].op, SJ_OP_SQL);
    assert_string_equal(st[7].query, "SELECT 1");
}

static void test_full_model(void **state)
{
    struct sj_model *m = NULL;
    struct sj_model_diags d;
    int rc = sj_model_parse(full, strlen(full), NULL, &m, &d);
    if (rc != 0)
        dump(&d);
    assert_int_equal(rc, 0);
    assert_null(m->path);
    check_full_heading(m);
    check_full_params(m);
    check_full_steps(m);
    assert_string_equal(m->lead.from, "m");
    assert_string_equal(m->lead.subject, "pid");
    assert_string_equal(m->lead.title, "{ pid }：{f.acct}");
    assert_int_equal(m->lead.evidence_count, 3);
    assert_string_equal(m->lead.evidence[1], "f.acct"); /* match: prefixed on conflict */
    assert_int_equal(m->lead.pos.line, 53);
    sj_model_free(m);
}

static void test_docs_example(void **state)
{
    struct sj_model *m = NULL;
    struct sj_model_diags d;
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_model_load_file(SJ_SOURCE_ROOT "/tests/data/models/tax-example.yaml", &m, &d, &err);
    if (rc != 0)
        dump(&d);
    assert_int_equal(rc, 0);
    assert_string_equal(m->id, "tax-not-transferred");
    assert_int_equal(m->function, SJ_FUNCTION_CRIMINAL);
    assert_int_equal(m->param_count, 2);
    assert_int_equal(m->params[1].default_list_count, 4);
    assert_string_equal(m->steps[1].keys[0].right, "suspect_id");
    assert_string_equal(m->lead.title, "{party}涉税案件（{cause}，涉案{amount}）未见移送");
    sj_model_free(m);
    /* The docs' copy is the same text. */
    size_t n;
    char *doc = tu_read_file(SJ_SOURCE_ROOT "/docs/MODELS.md", &n);
    const char *start = strstr(doc, "```yaml\nid: tax-not-transferred");
    assert_non_null(start);
    start += strlen("```yaml\n");
    const char *end = strstr(start, "```");
    rc = sj_model_parse(start, (size_t)(end - start), "MODELS.md", &m, &d);
    if (rc != 0)
        dump(&d);
    assert_int_equal(rc, 0);
    sj_model_free(m);
    free(doc);
}

/* ---- Broken models: one problem each ----------------------------------------------------- */

struct broken_case {
    const char *what;
    const char *edits[7]; /* from, to pairs applied to base; NULL ends */
    int line, column;     /* where the diagnostic must point */
    const char *message;  /* a part of its message */
    int count;            /* diagnostics in all; 0: not checked */
};

static const struct broken_case broken[] = {
    {"typo'd operation",
     {"    filter: {from: people", "    fliter: {from: people"},
     22,
     5,
     "未知的操作“fliter”，是否应为“filter”？",
     1},
    {"missing lead",
     {"lead:\n  from: missing\n  subject: pid\n  title: \"{pid}金额{amount}\"\n"
      "  evidence: [pid, amount, date]\n",
      ""},
     1,
     1,
     "模型缺少“lead”",
     1},
    {"unknown kind",
     {"kind: idcard, headers: [身份证号码]", "kind: idcardd, headers: [身份证号码]"},
     11,
     19,
     "未知的类型“idcardd”，是否应为“idcard”？",
     1},
    {"bad amount default", {"\"10万元\"", "\"十万块钱啊\""}, 19, 38, "不是有效的金额", 1},
    {"unknown column in on",
     {"pid = suspect_id", "pid = suspect_idx"},
     24,
     47,
     "“cases”中没有列“suspect_idx”，是否应为“suspect_id”？",
     1},
    {"step referencing a later step",
     {"{from: people,", "{from: missing,"},
     22,
     20,
     "步骤“big”引用了后面的步骤“missing”",
     1},
    {"YAML syntax error", {"name: 测试模型", "name: 测试: 模型"}, 2, 9, "这里不能出现“键: 值”", 1},
    {"tab indentation", {"    label: 人员", "\tlabel: 人员"}, 8, 1, "制表符（Tab）", 1},
    {"unknown key", {"summary:", "sumary:"}, 5, 1, "未知的键“sumary”，是否应为“summary”？", 2},
    {"missing key", {"summary: 测试用。\n", ""}, 1, 1, "模型缺少“summary”", 1},
    {"bad id", {"id: test-model", "id: Test_Model"}, 1, 5, "模型 id“Test_Model”不合规范", 1},
    {"byte order mark",
     {"id: test-model", "\xEF\xBB\xBFid: Test_Model"},
     1,
     5,
     "模型 id“Test_Model”不合规范",
     1},
    {"unknown function",
     {"function: criminal", "function: criminl"},
     3,
     11,
     "未知的检察职能“criminl”，是否应为“criminal”？",
     1},
    {"bad version", {"version: 1.0.0", "version: 1.0"}, 4, 10, "版本号“1.0”不合规范", 1},
    {"repeated key",
     {"function: criminal", "name: 又一个\nfunction: criminal"},
     3,
     1,
     "“name”重复出现（第 2 行已经写过）",
     1},
    {"not UTF-8", {"测试模型", "\xb2\xe2\xca\xd4"}, 2, 7, "不是 UTF-8 编码", 1},
    {"unknown column in where",
     {"where: amount >=", "where: amout >="},
     22,
     35,
     "“people”中没有列“amout”，是否应为“amount”？",
     1},
    {"unknown parameter in where",
     {"$threshold}", "$thresold}"},
     22,
     45,
     "未定义的参数“$thresold”，是否应为“$threshold”？",
     1},
    {"expression syntax error",
     {"amount >= $threshold", "amount >= >= $threshold"},
     22,
     45,
     "“where”的条件写法有误",
     1},
    {"column in a quoted expression, counted in characters",
     {"where: amount >= $threshold}", "where: \"amount >= 10万元 and 金额 > 1\"}"},
     22,
     55,
     "“people”中没有列“金额”",
     1},
    {"column in a folded expression",
     {"    filter: {from: people, where: amount >= $threshold}\n",
      "    filter:\n      from: people\n      where: >\n        amount >=\n"
      "        $threshold and dayz > 1\n"},
     26,
     24,
     "“people”中没有列“dayz”",
     1},
    {"unknown title placeholder",
     {"{amount}\"", "{amont}\""},
     28,
     19,
     "“missing”中没有列“amont”，是否应为“amount”？",
     1},
    {"unclosed title placeholder", {"{amount}\"", "{amount\""}, 28, 18, "“{”没有对应的“}”", 1},
    {"unknown evidence column",
     {"amount, date]", "amount, dat]"},
     29,
     27,
     "“missing”中没有列“dat”，是否应为“date”？",
     1},
    {"unknown subject", {"subject: pid", "subject: pidd"}, 27, 12, "没有列“pidd”", 1},
    {"repeated step id",
     {"  - id: missing\n", "  - id: big\n", "from: missing", "from: big"},
     23,
     5,
     "步骤 id“big”重复（第 21 行已有）",
     1},
    {"missing key of an operation",
     {"in: cases, ", ""},
     24,
     13,
     "步骤“missing”的“absent”缺少“in”",
     1},
    {"unknown key of an operation",
     {"in: cases", "inn: cases"},
     24,
     25,
     "未知的键“inn”，是否应为“in”？",
     2},
    {"unknown source",
     {"from: people", "from: peple"},
     22,
     20,
     "找不到输入或步骤“peple”，是否应为“people”？",
     1},
    {"bad on item",
     {"[pid = suspect_id]", "[pid == suspect_id]"},
     24,
     41,
     "“on”的每一项应写成“左列 = 右列”",
     1},
    {"list default for a scalar type",
     {"default: \"10万元\"", "default: [1, 2]"},
     19,
     38,
     "应为一个值",
     1},
    {"unknown parameter type",
     {"type: amount", "type: amonut"},
     19,
     21,
     "未知的参数类型“amonut”，是否应为“amount”？",
     1},
    {"auto kind", {"kind: date,", "kind: auto,"}, 13, 20, "不能用“auto”类型", 1},
    {"keyword as a column name",
     {"      date: {kind: date", "      days: {kind: date", "amount, date]", "amount, days]"},
     13,
     7,
     "是条件表达式的关键字",
     1},
    {"two operations in a step",
     {"    absent:", "    filter: {from: big, where: pid is empty}\n    absent:"},
     25,
     5,
     "一个步骤只能有一种操作",
     1},
    {"step id same as an input",
     {"id: big", "id: cases", "from: big", "from: cases"},
     21,
     5,
     "步骤 id“cases”与输入同名",
     0},
};

static void check_broken(const struct broken_case *c)
{
    char *text = edit(c->edits);
    struct sj_model *m = (struct sj_model *)&m; /* must come back NULL */
    struct sj_model_diags d;
    int rc = sj_model_parse(text, strlen(text), "model.yaml", &m, &d);
    if (rc != SJ_EFORMAT || m != NULL)
        fail_msg("%s: parsed without the expected problem", c->what);
    bool found = c->line == 0;
    for (size_t i = 0; i < d.count; i++) {
        if (d.items[i].pos.line == c->line && d.items[i].pos.column == c->column &&
            strstr(d.items[i].message, c->message) && d.items[i].hint[0] != '\0')
            found = true;
    }
    if (!found || (c->count > 0 && d.count != (size_t)c->count)) {
        dump(&d);
        fail_msg("%s: want %d:%d \"%s\" (with a hint) among %d problem(s)", c->what, c->line,
                 c->column, c->message, c->count);
    }
    sj_model_diags_release(&d);
    free(text);
}

static void test_broken_models(void **state)
{
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        check_broken(&broken[i]);
}

/* Five independent problems: all five come back, in file order. */
static void test_all_problems_at_once(void **state)
{
    static const char *const edits[] = {"version: 1.0.0",
                                        "version: 1.0",
                                        "    filter: {from: people",
                                        "    fliter: {from: people",
                                        "kind: idcard, headers: [身份证号码]",
                                        "kind: idcardd, headers: [身份证号码]",
                                        "\"10万元\"",
                                        "\"十万块钱啊\"",
                                        "pid = suspect_id",
                                        "pid = suspect_idx",
                                        NULL};
    static const int lines[] = {4, 11, 19, 22, 24};
    char *text = edit(edits);
    struct sj_model *m = NULL;
    struct sj_model_diags d;
    assert_int_equal(sj_model_parse(text, strlen(text), NULL, &m, &d), SJ_EFORMAT);
    if (d.count != 5)
        dump(&d);
    assert_int_equal(d.count, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(d.items[i].pos.line, lines[i]);
    sj_model_diags_release(&d);
    assert_null(d.items);
    free(text);
}

/* A flood of problems is cut at a hundred, with a note saying so. */
static void test_problem_cap(void **state)
{
    struct sj_buf buf;
    sj_buf_init(&buf, 0);
    for (int i = 0; i < 300; i++)
        sj_buf_appendf(&buf, "unknown_%d: 1\n", i);
    struct sj_model *m = NULL;
    struct sj_model_diags d;
    assert_int_equal(sj_model_parse(buf.data, buf.len, NULL, &m, &d), SJ_EFORMAT);
    assert_int_equal(d.count, 101);
    assert_non_null(strstr(d.items[100].message, "问题太多"));
    sj_model_diags_release(&d);
    sj_buf_release(&buf);
}

static void test_diag_format(void **state)
{
    struct sj_model_diag diag = {{3, 7}, "未知的操作“fliter”", "可用的操作：filter"};
    char buf[256];
    assert_string_equal(sj_model_diag_format("m.yaml", &diag, buf, sizeof buf),
                        "m.yaml:3:7: 未知的操作“fliter” (可用的操作：filter)");
    diag.hint[0] = '\0';
    assert_string_equal(sj_model_diag_format("m.yaml", &diag, buf, sizeof buf),
                        "m.yaml:3:7: 未知的操作“fliter”");
    diag.pos.line = 0;
    assert_string_equal(sj_model_diag_format(NULL, &diag, buf, sizeof buf), "未知的操作“fliter”");
    /* Cut short, it stays whole characters. */
    sj_model_diag_format("m.yaml", &diag, buf, 19);
    assert_string_equal(buf, "m.yaml: 未知的");
}

static void test_names(void **state)
{
    enum sj_model_function f;
    for (int i = 0; i < SJ_FUNCTION_COUNT; i++) {
        assert_int_equal(sj_model_function_parse(sj_model_function_name(i), &f), 0);
        assert_int_equal(f, i);
        assert_int_equal(sj_model_function_parse(sj_model_function_label(i), &f), 0);
        assert_int_equal(f, i);
    }
    assert_int_equal(sj_model_function_parse("公益诉讼", &f), 0);
    assert_int_equal(f, SJ_FUNCTION_PUBLIC_INTEREST);
    assert_int_equal(sj_model_function_parse("criminl", &f), SJ_EINVAL);
    assert_string_equal(sj_model_op_name(SJ_OP_USE_MODEL), "use-model");
    assert_string_equal(sj_model_op_name(SJ_OP_WITHIN), "within");
    assert_string_equal(sj_param_type_name(SJ_PARAM_BOOLEAN), "boolean");
    assert_string_equal(sj_param_type_name(SJ_PARAM_DAYS), "days");
}

static void test_empty_files(void **state)
{
    static const char *const texts[] = {"", "# 只有注释\n", "\xEF\xBB\xBF"};
    for (size_t i = 0; i < 3; i++) {
        struct sj_model *m = NULL;
        struct sj_model_diags d;
        assert_int_equal(sj_model_parse(texts[i], strlen(texts[i]), NULL, &m, &d), SJ_EFORMAT);
        assert_int_equal(d.count, 1);
        assert_non_null(strstr(d.items[0].message, "文件是空的"));
        sj_model_diags_release(&d);
    }
}

/* ---- The toolbox ------------------------------------------------------------------------- */

static char tmp_root[64];

/* The base model with another id, version and maybe a use-model step. */
static char *variant(const char *id, const char *version, const char *uses)
{
    char id_line[64], version_line[64], step[160];
    snprintf(id_line, sizeof id_line, "id: %s", id);
    snprintf(version_line, sizeof version_line, "version: %s", version);
    snprintf(step, sizeof step, "steps:\n  - id: sub\n    use-model: {model: %s}\n", uses ? uses : "");
    const char *edits[] = {"id: test-model",
                           id_line,
                           "version: 1.0.0",
                           version_line,
                           uses ? "steps:\n" : NULL,
                           step,
                           NULL};
    return edit(edits);
}

static int setup_toolbox(void **state)
{
    if (tu_temp_dir(tmp_root, sizeof tmp_root, "sj-test-model") != 0)
        return -1;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/builtin", tmp_root);
    mkdir(dir, 0755);
    char *a = variant("model-a", "1.0.0", NULL), *b = variant("model-b", "1.0.0", "model-a");
    char *c = variant("model-c", "1.0.0", "no-such-model");
    tu_write_text(dir, "a.yaml", a);
    tu_write_text(dir, "b.yml", b);
    tu_write_text(dir, "c.yaml", c);
    tu_write_text(dir, "broken.yaml", "id: [\n");
    tu_write_text(dir, "notes.txt", "not a model");
    free(a);
    free(b);
    free(c);
    setenv("SHUJIAN_MODELS", dir, 1);
    return 0;
}

static int teardown_toolbox(void **state)
{
    tu_remove_tree(tmp_root);
    unsetenv("SHUJIAN_MODELS");
    return 0;
}

static bool has_problem(const struct sj_toolbox *tb, const char *part1, const char *part2)
{
    for (size_t i = 0; i < tb->problems.count; i++) {
        const char *msg = tb->problems.items[i].message;
        if (strstr(msg, part1) && strstr(msg, part2))
            return true;
    }
    return false;
}

static void test_toolbox_load(void **state)
{
    struct sj_toolbox tb;
    struct sj_err err;
    sj_err_clear(&err);
    assert_string_equal(sj_toolbox_builtin_dir() + strlen(tmp_root), "/builtin");
    assert_int_equal(sj_toolbox_load(NULL, &tb, &err), 0);
    assert_int_equal(tb.count, 3);
    assert_string_equal(tb.models[0]->id, "model-a");
    assert_string_equal(tb.models[2]->id, "model-c");
    assert_true(tb.models[1]->is_builtin);
    assert_true(has_problem(&tb, "broken.yaml:2:1: ", "缺少内容"));
    assert_true(has_problem(&tb, "c.yaml:21:5: ", "引用的模型“no-such-model”不在工具箱中"));
    assert_false(has_problem(&tb, "b.yml", ""));
    assert_null(sj_toolbox_find(&tb, "no-such-model"));
    assert_string_equal(sj_toolbox_find(&tb, "model-b")->version, "1.0.0");
    sj_toolbox_release(&tb);
    assert_int_equal(tb.count, 0);
}

static void test_toolbox_workspace(void **state)
{
    char ws[128], models[160];
    snprintf(ws, sizeof ws, "%s/ws", tmp_root);
    snprintf(models, sizeof models, "%s/models", ws);
    mkdir(ws, 0755);
    mkdir(models, 0755);
    char *a2 = variant("model-a", "2.0.0", NULL), *d = variant("model-d", "1.0.0", "model-e");
    char *e = variant("model-e", "1.0.0", "model-d");
    tu_write_text(models, "mine.yaml", a2);
    tu_write_text(models, "d.yaml", d);
    tu_write_text(models, "e.yaml", e);
    free(a2);
    free(d);
    free(e);
    struct sj_toolbox tb;
    struct sj_err err;
    assert_int_equal(sj_toolbox_load(ws, &tb, &err), 0);
    assert_int_equal(tb.count, 5);
    const struct sj_model *a = sj_toolbox_find(&tb, "model-a");
    assert_string_equal(a->version, "2.0.0"); /* the workspace wins */
    assert_false(a->is_builtin);
    assert_true(
        has_problem(&tb, "e.yaml:21:5: ", "步骤“sub”引用的模型“model-d”又引用回了“model-e”"));
    sj_toolbox_release(&tb);
}

static void test_toolbox_add(void **state)
{
    char ws[128], src[160], target[200];
    snprintf(ws, sizeof ws, "%s/ws-add", tmp_root);
    snprintf(src, sizeof src, "%s/new.yaml", tmp_root);
    snprintf(target, sizeof target, "%s/models/model-new.yaml", ws);
    struct sj_model_diags d;
    struct sj_err err;
    sj_err_clear(&err);
    /* Invalid: refused with its problems, nothing written. */
    tu_write_text(tmp_root, "new.yaml", "id: model-new\nname: 新\n");
    assert_int_equal(sj_toolbox_add(ws, src, &d, &err), SJ_EFORMAT);
    assert_true(d.count >= 5);
    sj_model_diags_release(&d);
    assert_int_not_equal(access(target, F_OK), 0);
    /* Valid: copied byte for byte under its id. */
    char *text = variant("model-new", "1.2.3", NULL);
    tu_write_text(tmp_root, "new.yaml", text);
    assert_int_equal(sj_toolbox_add(ws, src, &d, &err), 0);
    assert_int_equal(d.count, 0);
    size_t n;
    char *copy = tu_read_file(target, &n);
    assert_string_equal(copy, text);
    free(copy);
    free(text);
    struct sj_toolbox tb;
    assert_int_equal(sj_toolbox_load(ws, &tb, &err), 0);
    assert_non_null(sj_toolbox_find(&tb, "model-new"));
    sj_toolbox_release(&tb);
    /* A file that cannot be read. */
    snprintf(src, sizeof src, "%s/none.yaml", tmp_root);
    assert_int_equal(sj_toolbox_add(ws, src, &d, &err), SJ_EIO);
    assert_int_equal(d.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_is_valid),
        cmocka_unit_test(test_full_model),
        cmocka_unit_test(test_docs_example),
        cmocka_unit_test(test_broken_models),
        cmocka_unit_test(test_all_problems_at_once),
        cmocka_unit_test(test_problem_cap),
        cmocka_unit_test(test_empty_files),
        cmocka_unit_test(test_diag_format),
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_toolbox_load, setup_toolbox, teardown_toolbox),
        cmocka_unit_test_setup_teardown(test_toolbox_workspace, setup_toolbox, teardown_toolbox),
        cmocka_unit_test_setup_teardown(test_toolbox_add, setup_toolbox, teardown_toolbox),
    };
    return cmocka_run_group_tests_name("model_parse", tests, NULL, NULL);
}
