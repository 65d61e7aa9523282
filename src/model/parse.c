/*
 * parse.c - reads a model file (docs/MODELS.md) with libyaml's document API into a struct
 * sj_model, reporting every structural problem with its line:column: YAML syntax, missing
 * and unknown keys, names, kinds, parameter types and defaults, the shape of each step.
 * check.c then checks the references between the parts (columns, steps, expressions).
 *
 * Invariants: a model is handed out only when no problem at all was found; lists read
 * from the file are capped (SJ_MODEL_*_MAX below) so that hostile input stays cheap.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "model/check_int.h"

#define INPUTS_MAX 64
#define COLUMNS_MAX 256
#define PARAMS_MAX 64
#define STEPS_MAX 256
#define ITEMS_MAX 1024

/* ---- Nodes ----------------------------------------------------------------------------------- */

static yaml_node_t *node_at(const struct sj_model_parser *p, int index)
{
    if (index <= 0 || !p->has_doc)
        return NULL;
    return yaml_document_get_node((yaml_document_t *)&p->doc, index);
}

static const char *shape_word(const yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE)
        return "映射（键: 值）";
    if (n->type == YAML_SEQUENCE_NODE)
        return "列表";
    return n->data.scalar.length == 0 ? "空的" : "一个值";
}

static bool is_blank(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return false;
    for (size_t i = 0; i < n->data.scalar.length; i++) {
        if (n->data.scalar.value[i] != ' ')
            return false;
    }
    return true;
}

/* The text of a scalar node, or NULL (after a diagnostic) when it is a list or mapping. */
static const char *text_of(struct sj_model_parser *p, int node, const char *what)
{
    yaml_node_t *n = node_at(p, node);
    if (!n)
        return NULL;
    if (n->type != YAML_SCALAR_NODE) {
        sj_model_diag_add(p, sj_model_node_pos(p, node), "写成一个值，例如 key: 文字",
                          "“%s”应为一个值，这里是%s", what, shape_word(n));
        return NULL;
    }
    return (const char *)n->data.scalar.value;
}

/* A copy of a scalar without the line break a block scalar (`>` or `|`) ends with. */
static char *dup_text(struct sj_model_parser *p, int node, const char *what)
{
    const char *t = text_of(p, node, what);
    if (!t)
        return NULL;
    size_t n = strlen(t);
    while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    return sj_xstrndup(t, n);
}

/* YAML folds the lines of `summary: >` with a space, which Chinese does not put between
 * characters: drop a single space between two non-ASCII characters. */
static void unfold_chinese(char *s)
{
    size_t k = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == ' ' && k > 0 && (unsigned char)s[k - 1] >= 0x80 &&
            (unsigned char)s[i + 1] >= 0x80)
            continue;
        s[k++] = s[i];
    }
    s[k] = '\0';
}

/* The pairs of a mapping node, or NULL (after a diagnostic) when node is something else. */
static yaml_node_t *mapping_of(struct sj_model_parser *p, int node, const char *what,
                               const char *hint)
{
    yaml_node_t *n = node_at(p, node);
    if (!n)
        return NULL;
    if (n->type != YAML_MAPPING_NODE) {
        sj_model_diag_add(p, sj_model_node_pos(p, node), hint, "“%s”应为映射（键: 值），这里是%s",
                          what, shape_word(n));
        return NULL;
    }
    return n;
}

/* A list of non-empty values; a single value counts as a list of one. *nodes (optional)
 * gets each item's node. Returns the count. */
static size_t text_list(struct sj_model_parser *p, int node, const char *what, char ***out,
                        int **nodes)
{
    yaml_node_t *n = node_at(p, node);
    *out = NULL;
    if (nodes)
        *nodes = NULL;
    if (!n || is_blank(n))
        return 0;
    if (n->type == YAML_MAPPING_NODE) {
        sj_model_diag_add(p, sj_model_node_pos(p, node), "写成列表，例如 [a, b]",
                          "“%s”应为列表，这里是映射", what);
        return 0;
    }
    yaml_node_item_t single = node;
    yaml_node_item_t *items = &single;
    size_t total = 1;
    if (n->type == YAML_SEQUENCE_NODE) {
        items = n->data.sequence.items.start;
        total = (size_t)(n->data.sequence.items.top - items);
    }
    if (total > ITEMS_MAX) {
        sj_model_diag_add(p, sj_model_node_pos(p, node), NULL, "“%s”的项太多（最多 %d 项）", what,
                          ITEMS_MAX);
        total = ITEMS_MAX;
    }
    size_t count = 0;
    *out = sj_xcalloc(total ? total : 1, sizeof **out);
    if (nodes)
        *nodes = sj_xcalloc(total ? total : 1, sizeof **nodes);
    for (size_t i = 0; i < total; i++) {
        const char *t = text_of(p, items[i], what);
        if (!t)
            continue;
        if (is_blank(node_at(p, items[i]))) {
            sj_model_diag_add(p, sj_model_node_pos(p, items[i]), "删掉空项或填上内容",
                              "“%s”中有空项", what);
            continue;
        }
        if (nodes)
            (*nodes)[count] = items[i];
        (*out)[count++] = sj_xstrdup(t);
    }
    return count;
}

/* ---- Keys of a mapping ----------------------------------------------------------------------- */

struct slot {
    const char *name;
    int key;   /* key node; 0 when absent */
    int value; /* value node */
};

static void report_unknown(struct sj_model_parser *p, int node, const char *word, const char *noun,
                           const char *const *names, size_t n)
{
    char list[200], hint[256];
    /* A step's keys are "id" and the operations; the hint lists only the operations. */
    bool skip_id = n > 1 && strcmp(names[0], "id") == 0 && strcmp(noun, "操作") == 0;
    snprintf(hint, sizeof hint, "可用的%s：%s", noun,
             sj_model_join(names + skip_id, n - skip_id, list, sizeof list));
    const char *guess = sj_model_suggest(word, names, n);
    if (guess)
        sj_model_diag_add(p, sj_model_node_pos(p, node), hint, "未知的%s“%s”，是否应为“%s”？", noun,
                          word, guess);
    else
        sj_model_diag_add(p, sj_model_node_pos(p, node), hint, "未知的%s“%s”", noun, word);
}

/* Fills slots from the pairs of mapping m; reports keys that are not scalars, repeated or
 * not among the slots (as "未知的<noun>"). */
static size_t take_keys(struct sj_model_parser *p, yaml_node_t *m, struct slot *slots, size_t n,
                        const char *noun)
{
    size_t unknown = 0;
    const char *names[16];
    for (size_t i = 0; i < n && i < SJ_ARRAY_LEN(names); i++)
        names[i] = slots[i].name;
    for (yaml_node_pair_t *pair = m->data.mapping.pairs.start; pair < m->data.mapping.pairs.top;
         pair++) {
        const char *word = text_of(p, pair->key, "键");
        if (!word)
            continue;
        size_t i = 0;
        while (i < n && strcmp(slots[i].name, word) != 0)
            i++;
        if (i == n) {
            report_unknown(p, pair->key, word, noun, names, n < 16 ? n : 16);
            unknown++;
        } else if (slots[i].key) {
            sj_model_diag_add(p, sj_model_node_pos(p, pair->key), "删掉其中一个",
                              "“%s”重复出现（第 %d 行已经写过）", word,
                              sj_model_node_pos(p, slots[i].key).line);
        } else {
            slots[i].key = pair->key;
            slots[i].value = pair->value;
        }
    }
    return unknown;
}

/* True when the slot has a non-empty value; otherwise reports it missing or empty. */
static bool need(struct sj_model_parser *p, const struct slot *s, int parent, const char *owner,
                 const char *hint)
{
    if (s->value && !is_blank(node_at(p, s->value)))
        return true;
    if (s->key)
        sj_model_diag_add(p, sj_model_node_pos(p, s->key), hint, "“%s”不能为空", s->name);
    else
        sj_model_diag_add(p, sj_model_node_pos(p, parent), hint, "%s缺少“%s”", owner, s->name);
    return false;
}

/* The names of a mapping whose keys the modeler chooses (inputs, columns, parameters):
 * reports bad names and repeats; calls each(p, ctx, index, key, value) for the good ones.
 * Returns how many were passed to each. */
static size_t each_named(struct sj_model_parser *p, yaml_node_t *m, const char *what, size_t max,
                         void (*each)(struct sj_model_parser *, void *, size_t, const char *, int,
                                      int),
                         void *ctx)
{
    size_t count = 0;
    const char **seen = sj_xcalloc(max, sizeof *seen);
    int *seen_node = sj_xcalloc(max, sizeof *seen_node);
    for (yaml_node_pair_t *pair = m->data.mapping.pairs.start; pair < m->data.mapping.pairs.top;
         pair++) {
        const char *name = text_of(p, pair->key, "名称");
        if (!name)
            continue;
        if (count == max) {
            sj_model_diag_add(p, sj_model_node_pos(p, pair->key), "拆成几个模型",
                              "%s太多（最多 %zu 个）", what, max);
            break;
        }
        if (!sj_model_is_name(name)) {
            sj_model_diag_add(
                p, sj_model_node_pos(p, pair->key),
                "名称只能用字母（可以是中文）、数字和下划线，不以数字开头，例如 party_id",
                "%s名称“%s”不合规范", what, name);
            continue;
        }
        size_t k = 0;
        while (k < count && strcmp(seen[k], name) != 0)
            k++;
        if (k < count) {
            sj_model_diag_add(p, sj_model_node_pos(p, pair->key), "换一个名称或删掉其中一个",
                              "%s“%s”重复（第 %d 行已有）", what, name,
                              sj_model_node_pos(p, seen_node[k]).line);
            continue;
        }
        seen[count] = name;
        seen_node[count] = pair->key;
        each(p, ctx, count++, name, pair->key, pair->value);
    }
    free(seen);
    free(seen_node);
    return count;
}

/* ---- Inputs ---------------------------------------------------------------------------------- */

static void kind_problem(struct sj_model_parser *p, int node, const char *word)
{
    const char *names[SJ_KIND_COUNT];
    size_t n = 0;
    for (int k = 0; k < SJ_KIND_COUNT; k++) {
        if (k != SJ_KIND_AUTO)
            names[n++] = sj_kind_name((enum sj_kind)k);
    }
    if (strcmp(word, "auto") == 0) {
        sj_model_diag_add(p, sj_model_node_pos(p, node), "写明这一列的类型，例如 idcard",
                          "模型中的列不能用“auto”类型：比对要求各办案单位用同一种类型");
        return;
    }
    report_unknown(p, node, word, "类型", names, n);
}

/* Words of the expression language (model_int.h), which cannot name a column. */
static bool is_keyword(const char *name)
{
    static const char *const words[] = {"and",     "or", "not",   "in",  "contains",
                                        "between", "is", "empty", "day", "days"};
    for (size_t i = 0; i < SJ_ARRAY_LEN(words); i++) {
        if (strcasecmp(name, words[i]) == 0)
            return true;
    }
    return false;
}

static void parse_column(struct sj_model_parser *p, void *ctx, size_t index, const char *name,
                         int key, int value)
{
    struct sj_model_input *in = ctx;
    struct sj_model_column *c = &in->columns[index];
    c->name = sj_xstrdup(name);
    c->pos = sj_model_node_pos(p, key);
    in->column_count = index + 1;
    if (is_keyword(name))
        sj_model_diag_add(p, c->pos, "换一个列名，例如 deal_day",
                          "列名“%s”是条件表达式的关键字，不能用作列名", name);
    static const char hint[] = "例如 party: {kind: name, headers: [当事人, 姓名]}";
    yaml_node_t *m = mapping_of(p, value, name, hint);
    if (!m)
        return;
    struct slot s[] = {{"kind", 0, 0}, {"headers", 0, 0}};
    take_keys(p, m, s, SJ_ARRAY_LEN(s), "键");
    char owner[160];
    snprintf(owner, sizeof owner, "列“%s”", name);
    if (need(p, &s[0], value, owner, "写明类型，例如 kind: idcard")) {
        const char *kind = text_of(p, s[0].value, "kind");
        if (kind && (sj_kind_parse(kind, &c->kind) < 0 || c->kind == SJ_KIND_AUTO))
            kind_problem(p, s[0].value, kind);
    }
    if (need(p, &s[1], value, owner,
             "写出数据表中可能的列名，例如 headers: [身份证号码, 身份证号]"))
        c->header_count = text_list(p, s[1].value, "headers", &c->headers, NULL);
}

static void parse_input(struct sj_model_parser *p, void *ctx, size_t index, const char *name,
                        int key, int value)
{
    struct sj_model_input *in = &p->model->inputs[index];
    in->name = sj_xstrdup(name);
    in->pos = sj_model_node_pos(p, key);
    p->model->input_count = index + 1;
    static const char hint[] = "例如 cases: {label: 案件, dataset: case_system, columns: {…}}";
    yaml_node_t *m = mapping_of(p, value, name, hint);
    if (!m)
        return;
    struct slot s[] = {{"label", 0, 0}, {"dataset", 0, 0}, {"columns", 0, 0}};
    take_keys(p, m, s, SJ_ARRAY_LEN(s), "键");
    char owner[160];
    snprintf(owner, sizeof owner, "输入“%s”", name);
    in->label = dup_text(p, s[0].value, "label");
    if (need(p, &s[1], value, owner, "写出默认的数据集名称，例如 dataset: case_system"))
        in->dataset_count = text_list(p, s[1].value, "dataset", &in->datasets, NULL);
    if (!need(p, &s[2], value, owner,
              "例如 columns: {suspect_id: {kind: idcard, headers: [身份证号码]}}"))
        return;
    yaml_node_t *cols = mapping_of(p, s[2].value, "columns", hint);
    if (!cols)
        return;
    in->columns = sj_xcalloc(COLUMNS_MAX, sizeof *in->columns);
    each_named(p, cols, "列", COLUMNS_MAX, parse_column, in);
}

/* ---- Parameters ------------------------------------------------------------------------------ */

static const char *const param_types[] = {"integer", "number", "amount", "days",
                                          "date",    "text",   "list",   "boolean"};

/* Checks a scalar default against the type; reports what is wrong with it. */
static void check_default(struct sj_model_parser *p, int node, enum sj_param_type type,
                          const char *text)
{
    struct sj_norm_result r;
    struct sj_str in = sj_str_from_cstr(text);
    const char *hint = NULL, *what = NULL;
    switch (type) {
    case SJ_PARAM_INTEGER:
        if (!sj_norm_integer(in, &r))
            what = "整数", hint = "例如 3";
        break;
    case SJ_PARAM_NUMBER:
        if (!sj_norm_number(in, &r))
            what = "数值", hint = "例如 0.5";
        break;
    case SJ_PARAM_AMOUNT:
        if (!sj_norm_amount(in, &r))
            what = "金额", hint = "例如 \"10万元\"、100000、\"1.5亿元\"";
        break;
    case SJ_PARAM_DAYS:
        if (!sj_norm_integer(in, &r) || r.number < 0) {
            what = "天数", hint = "写不小于 0 的整数，例如 30";
            snprintf(r.reason, sizeof r.reason, "应为不小于 0 的整数");
        }
        break;
    case SJ_PARAM_DATE:
        if (!sj_norm_date(in, &r))
            what = "日期", hint = "例如 2024-01-01";
        break;
    case SJ_PARAM_BOOLEAN:
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0) {
            what = "是否值", hint = "写 true 或 false";
            snprintf(r.reason, sizeof r.reason, "应为 true 或 false");
        }
        break;
    case SJ_PARAM_TEXT:
    case SJ_PARAM_LIST:
        break;
    }
    if (what)
        sj_model_diag_add(p, sj_model_node_pos(p, node), hint, "默认值“%s”不是有效的%s：%s", text,
                          what, r.reason);
}

static void parse_default(struct sj_model_parser *p, struct sj_model_param *prm, int node)
{
    yaml_node_t *n = node_at(p, node);
    if (!n)
        return;
    if (prm->type == SJ_PARAM_LIST) {
        if (n->type != YAML_SEQUENCE_NODE) {
            sj_model_diag_add(p, sj_model_node_pos(p, node), "例如 default: [逃税, 虚开发票]",
                              "列表参数“%s”的默认值应写成列表", prm->name);
            return;
        }
        prm->default_list_count = text_list(p, node, "default", &prm->default_list, NULL);
        return;
    }
    prm->default_text = dup_text(p, node, "default");
    if (prm->default_text)
        check_default(p, node, prm->type, prm->default_text);
}

static void parse_param(struct sj_model_parser *p, void *ctx, size_t index, const char *name,
                        int key, int value)
{
    struct sj_model_param *prm = &p->model->params[index];
    prm->name = sj_xstrdup(name);
    prm->pos = sj_model_node_pos(p, key);
    p->model->param_count = index + 1;
    static const char hint[] =
        "例如 threshold: {type: amount, default: \"10万元\", label: 金额标准}";
    yaml_node_t *m = mapping_of(p, value, name, hint);
    if (!m)
        return;
    struct slot s[] = {{"type", 0, 0}, {"default", 0, 0}, {"label", 0, 0}};
    take_keys(p, m, s, SJ_ARRAY_LEN(s), "键");
    prm->label = dup_text(p, s[2].value, "label");
    char owner[160], types[160], type_hint[200];
    snprintf(owner, sizeof owner, "参数“%s”", name);
    snprintf(type_hint, sizeof type_hint, "可用的类型：%s",
             sj_model_join(param_types, SJ_ARRAY_LEN(param_types), types, sizeof types));
    if (!need(p, &s[0], value, owner, type_hint))
        return;
    const char *type = text_of(p, s[0].value, "type");
    if (!type)
        return;
    size_t t = 0;
    while (t < SJ_ARRAY_LEN(param_types) && strcmp(param_types[t], type) != 0)
        t++;
    if (t == SJ_ARRAY_LEN(param_types)) {
        report_unknown(p, s[0].value, type, "参数类型", param_types, SJ_ARRAY_LEN(param_types));
        return;
    }
    prm->type = (enum sj_param_type)t;
    if (s[1].value && !is_blank(node_at(p, s[1].value)))
        parse_default(p, prm, s[1].value);
}

/* ---- Steps ----------------------------------------------------------------------------------- */

struct op_spec {
    const char *name;
    enum sj_model_op op;
    const char *keys[8];
    unsigned required; /* bit i: keys[i] must be given */
};

static const struct op_spec ops[] = {
    {"filter", SJ_OP_FILTER, {"from", "where"}, 3u},
    {"match", SJ_OP_MATCH, {"from", "with", "on"}, 7u},
    {"absent", SJ_OP_ABSENT, {"from", "in", "on"}, 7u},
    {"exists", SJ_OP_MATCH, {"from", "in", "on"}, 7u},
    {"count", SJ_OP_COUNT, {"from", "by", "distinct", "having"}, 3u},
    {"sum", SJ_OP_SUM, {"from", "by", "of", "having"}, 7u},
    {"within", SJ_OP_WITHIN, {"from", "in", "on", "after", "then", "days", "missing"}, 63u},
    {"union", SJ_OP_UNION, {"of"}, 1u},
    {"use-model", SJ_OP_USE_MODEL, {"model", "as"}, 1u},
    {"sql", SJ_OP_SQL, {"query"}, 1u},
};

static const char *op_hint(const struct op_spec *spec)
{
    enum sj_model_op op = spec->op;
    if (strcmp(spec->name, "exists") == 0)
        return "例如 exists: {from: a, in: b, on: [payee = plaintiff]}";
    static const char *const hints[] = {
        [SJ_OP_FILTER] = "例如 filter: {from: enforcement, where: amount >= $threshold}",
        [SJ_OP_MATCH] = "例如 match: {from: a, with: b, on: [party_id = suspect_id]}",
        [SJ_OP_ABSENT] = "例如 absent: {from: a, in: b, on: [party_id = suspect_id]}",
        [SJ_OP_COUNT] = "例如 count: {from: a, by: [party_id], distinct: case_no, having: "
                        "count >= 3}",
        [SJ_OP_SUM] = "例如 sum: {from: a, by: [party_id], of: amount, having: sum >= $n}",
        [SJ_OP_WITHIN] = "例如 within: {from: a, in: b, on: [x = y], after: date, then: "
                         "disposal_date, days: $window}",
        [SJ_OP_UNION] = "例如 union: {of: [step1, step2]}",
        [SJ_OP_USE_MODEL] = "例如 use-model: {model: other-model-id, as: leads}",
        [SJ_OP_SQL] = "例如 sql: {query: \"SELECT … FROM step1\"}",
    };
    return hints[op];
}

static bool parse_bool(struct sj_model_parser *p, int node, const char *what)
{
    const char *t = text_of(p, node, what);
    if (!t || strcmp(t, "false") == 0)
        return false;
    if (strcmp(t, "true") == 0)
        return true;
    sj_model_diag_add(p, sj_model_node_pos(p, node), "写 true 或 false",
                      "“%s”应为 true 或 false，不是“%s”", what, t);
    return false;
}

/* One "left = right" item of `on`. */
static bool split_key(const char *text, struct sj_model_key *key)
{
    const char *eq = strchr(text, '=');
    if (!eq || strchr(eq + 1, '=') || eq == text ||
        (eq[-1] == '!' || eq[-1] == '<' || eq[-1] == '>'))
        return false;
    struct sj_str l = sj_str_trim(sj_str_make(text, (size_t)(eq - text)));
    struct sj_str r = sj_str_trim(sj_str_from_cstr(eq + 1));
    if (l.len == 0 || r.len == 0)
        return false;
    key->left = sj_xstrndup(l.ptr, l.len);
    key->right = sj_xstrndup(r.ptr, r.len);
    return true;
}

static void parse_keys(struct sj_model_parser *p, struct sj_model_step *st,
                       struct sj_model_step_nodes *sn, int node)
{
    char **items = NULL;
    int *nodes = NULL;
    size_t n = text_list(p, node, "on", &items, &nodes);
    st->keys = sj_xcalloc(n ? n : 1, sizeof *st->keys);
    sn->keys = sj_xcalloc(n ? n : 1, sizeof *sn->keys);
    for (size_t i = 0; i < n; i++) {
        if (split_key(items[i], &st->keys[st->key_count]))
            sn->keys[st->key_count++] = nodes[i];
        else
            sj_model_diag_add(
                p, sj_model_node_pos(p, nodes[i]),
                "例如 on: [party_id = suspect_id]（左边是 from 的列，右边是另一方的列）",
                "“on”的每一项应写成“左列 = 右列”，这里是“%s”", items[i]);
        free(items[i]);
    }
    free(items);
    free(nodes);
}

/* Stores the value of one key of an operation's mapping into the step. */
static void take_op_key(struct sj_model_parser *p, struct sj_model_step *st,
                        struct sj_model_step_nodes *sn, const char *key, int node)
{
    if (strcmp(key, "from") == 0) {
        sn->from = node, st->from = dup_text(p, node, key);
    } else if (strcmp(key, "with") == 0 || strcmp(key, "in") == 0) {
        sn->other = node, st->other = dup_text(p, node, key);
    } else if (strcmp(key, "on") == 0) {
        parse_keys(p, st, sn, node);
    } else if (strcmp(key, "where") == 0) {
        sn->where = node, st->where = dup_text(p, node, key);
        st->where_pos = sj_model_value_pos(p, node, 0);
    } else if (strcmp(key, "having") == 0) {
        sn->having = node, st->having = dup_text(p, node, key);
        st->having_pos = sj_model_value_pos(p, node, 0);
    } else if (strcmp(key, "by") == 0) {
        st->by_count = text_list(p, node, key, &st->by, &sn->by);
    } else if (strcmp(key, "of") == 0 && st->op == SJ_OP_UNION) {
        st->union_count = text_list(p, node, key, &st->union_of, &sn->unions);
    } else if (strcmp(key, "of") == 0) {
        sn->of = node, st->of = dup_text(p, node, key);
    } else if (strcmp(key, "distinct") == 0) {
        sn->distinct = node, st->distinct = dup_text(p, node, key);
    } else if (strcmp(key, "after") == 0) {
        sn->after = node, st->after = dup_text(p, node, key);
    } else if (strcmp(key, "then") == 0) {
        sn->then = node, st->then = dup_text(p, node, key);
    } else if (strcmp(key, "days") == 0) {
        sn->days = node, st->days = dup_text(p, node, key);
    } else if (strcmp(key, "missing") == 0) {
        st->missing = parse_bool(p, node, key);
    } else if (strcmp(key, "model") == 0) {
        sn->model = node, st->model = dup_text(p, node, key);
    } else if (strcmp(key, "as") == 0) {
        const char *as = text_of(p, node, key);
        st->as_rows = as && strcmp(as, "rows") == 0;
        if (as && !st->as_rows && strcmp(as, "leads") != 0)
            sj_model_diag_add(p, sj_model_node_pos(p, node),
                              "leads：用它的线索；rows：用它最后一步的结果行",
                              "“as”应为 leads 或 rows，不是“%s”", as);
    } else if (strcmp(key, "query") == 0) {
        sn->query = node, st->query = dup_text(p, node, key);
    }
}

static void parse_op(struct sj_model_parser *p, struct sj_model_step *st,
                     struct sj_model_step_nodes *sn, const struct op_spec *spec, int body)
{
    st->op = spec->op;
    st->is_exists = strcmp(spec->name, "exists") == 0;
    sn->body = body;
    yaml_node_t *m = mapping_of(p, body, spec->name, op_hint(spec));
    if (!m)
        return;
    struct slot s[8];
    size_t n = 0;
    while (n < 8 && spec->keys[n]) {
        s[n] = (struct slot){spec->keys[n], 0, 0};
        n++;
    }
    take_keys(p, m, s, n, "键");
    char owner[160];
    snprintf(owner, sizeof owner, "步骤“%s”的“%s”", st->id ? st->id : "?", spec->name);
    for (size_t i = 0; i < n; i++) {
        if (spec->required & (1u << i)) {
            if (!need(p, &s[i], body, owner, op_hint(spec)))
                continue;
        } else if (!s[i].value || is_blank(node_at(p, s[i].value))) {
            continue;
        }
        take_op_key(p, st, sn, s[i].name, s[i].value);
    }
    if (st->op == SJ_OP_UNION && s[0].value && st->union_count == 1)
        sj_model_diag_add(p, sj_model_node_pos(p, s[0].value), "列出两个或更多步骤",
                          "“union”至少要合并两个步骤");
}

static void parse_step(struct sj_model_parser *p, size_t index, int node)
{
    struct sj_model_step *st = &p->model->steps[index];
    struct sj_model_step_nodes *sn = &p->steps[index];
    st->pos = sj_model_node_pos(p, node);
    yaml_node_t *m = mapping_of(p, node, "steps 的每一项", "例如 - {id: tax, filter: {…}}");
    if (!m)
        return;
    struct slot s[1 + SJ_ARRAY_LEN(ops)];
    s[0] = (struct slot){"id", 0, 0};
    for (size_t i = 0; i < SJ_ARRAY_LEN(ops); i++)
        s[i + 1] = (struct slot){ops[i].name, 0, 0};
    size_t unknown = take_keys(p, m, s, SJ_ARRAY_LEN(s), "操作");
    if (need(p, &s[0], node, "步骤", "每个步骤要有 id，例如 - id: tax")) {
        st->id = dup_text(p, s[0].value, "id");
        if (st->id && !sj_model_is_name(st->id))
            sj_model_diag_add(
                p, sj_model_node_pos(p, s[0].value),
                "只能用字母（可以是中文）、数字和下划线，不以数字开头，例如 tax_cases",
                "步骤 id“%s”不合规范", st->id);
    }
    const struct op_spec *spec = NULL;
    for (size_t i = 0; i < SJ_ARRAY_LEN(ops); i++) {
        if (!s[i + 1].key)
            continue;
        if (spec) {
            sj_model_diag_add(p, sj_model_node_pos(p, s[i + 1].key), "把它拆成两个步骤",
                              "一个步骤只能有一种操作，这里有“%s”和“%s”", spec->name, ops[i].name);
            continue;
        }
        spec = &ops[i];
        parse_op(p, st, sn, spec, s[i + 1].value);
    }
    if (!spec && unknown == 0) {
        const char *names[SJ_ARRAY_LEN(ops)];
        char list[200], hint[256];
        for (size_t i = 0; i < SJ_ARRAY_LEN(ops); i++)
            names[i] = ops[i].name;
        snprintf(hint, sizeof hint, "在 id 下面写一种操作：%s",
                 sj_model_join(names, SJ_ARRAY_LEN(ops), list, sizeof list));
        sj_model_diag_add(p, st->pos, hint, "步骤“%s”缺少操作", st->id ? st->id : "?");
    }
}

static void parse_steps(struct sj_model_parser *p, int node)
{
    yaml_node_t *n = node_at(p, node);
    if (n->type != YAML_SEQUENCE_NODE) {
        sj_model_diag_add(p, sj_model_node_pos(p, node), "每个步骤一项，以“- id: …”开头",
                          "“steps”应为列表，这里是%s", shape_word(n));
        return;
    }
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count > STEPS_MAX) {
        sj_model_diag_add(p, sj_model_node_pos(p, node), "拆成几个模型，用 use-model 组合",
                          "步骤太多（最多 %d 个）", STEPS_MAX);
        count = STEPS_MAX;
    }
    p->model->steps = sj_xcalloc(count ? count : 1, sizeof *p->model->steps);
    p->steps = sj_xcalloc(count ? count : 1, sizeof *p->steps);
    p->model->step_count = count;
    for (size_t i = 0; i < count; i++)
        parse_step(p, i, n->data.sequence.items.start[i]);
}

/* ---- The lead and the whole file ------------------------------------------------------------- */

static void parse_lead(struct sj_model_parser *p, int key, int node)
{
    static const char hint[] =
        "例如 lead: {from: 最后一步, subject: party_id, title: \"{party}…\", evidence: [party]}";
    struct sj_model_lead *lead = &p->model->lead;
    lead->pos = sj_model_node_pos(p, key);
    yaml_node_t *m = mapping_of(p, node, "lead", hint);
    if (!m)
        return;
    struct slot s[] = {{"from", 0, 0}, {"subject", 0, 0}, {"title", 0, 0}, {"evidence", 0, 0}};
    take_keys(p, m, s, SJ_ARRAY_LEN(s), "键");
    static const char *const hints[] = {
        "写出哪个步骤的结果成为线索，例如 from: untransferred",
        "写出标识线索对象的列（如身份证号），例如 subject: party_id",
        "写出线索标题，可用 {列名}，例如 title: \"{party}涉税案件未见移送\"",
        "列出每条证据要显示的列，例如 evidence: [party, party_id, amount]",
    };
    if (need(p, &s[0], node, "lead", hints[0]))
        lead->from = dup_text(p, s[0].value, "from"), p->lead.from = s[0].value;
    if (need(p, &s[1], node, "lead", hints[1]))
        lead->subject = dup_text(p, s[1].value, "subject"), p->lead.subject = s[1].value;
    if (need(p, &s[2], node, "lead", hints[2]))
        lead->title = dup_text(p, s[2].value, "title"), p->lead.title = s[2].value;
    if (need(p, &s[3], node, "lead", hints[3]))
        lead->evidence_count =
            text_list(p, s[3].value, "evidence", &lead->evidence, &p->lead.evidence);
}

static bool is_model_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    }
    return true;
}

static bool is_version(const char *s)
{
    int parts = 0;
    while (*s) {
        if (*s < '0' || *s > '9')
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
        parts++;
        if (*s == '.' && s[1])
            s++;
        else if (*s)
            return false;
    }
    return parts == 3;
}

enum {
    K_ID,
    K_NAME,
    K_FUNCTION,
    K_VERSION,
    K_AUTHOR,
    K_OFFICE,
    K_SUMMARY,
    K_INPUTS,
    K_PARAMS,
    K_STEPS,
    K_LEAD,
    K_COUNT
};

static void parse_heading(struct sj_model_parser *p, const struct slot *s, int root)
{
    struct sj_model *m = p->model;
    static const char *const function_names[] = {"criminal", "civil", "administrative",
                                                 "public-interest"};
    static const char function_hint[] =
        "可写 criminal（刑事）、civil（民事）、administrative（行政）、"
        "public-interest（公益诉讼）";
    if (need(p, &s[K_ID], root, "模型", "例如 id: tax-not-transferred") &&
        (m->id = dup_text(p, s[K_ID].value, "id")) && !is_model_id(m->id))
        sj_model_diag_add(p, sj_model_node_pos(p, s[K_ID].value),
                          "只能用小写字母、数字和“-”，不以“-”开头，例如 tax-not-transferred",
                          "模型 id“%s”不合规范", m->id);
    if (need(p, &s[K_NAME], root, "模型", "例如 name: 涉税案件未移送监督模型"))
        m->name = dup_text(p, s[K_NAME].value, "name");
    const char *fn = NULL;
    if (need(p, &s[K_FUNCTION], root, "模型", function_hint) &&
        (fn = text_of(p, s[K_FUNCTION].value, "function")) &&
        sj_model_function_parse(fn, &m->function) < 0)
        report_unknown(p, s[K_FUNCTION].value, fn, "检察职能", function_names, 4);
    if (need(p, &s[K_VERSION], root, "模型", "例如 version: 1.0.0") &&
        (m->version = dup_text(p, s[K_VERSION].value, "version")) && !is_version(m->version))
        sj_model_diag_add(p, sj_model_node_pos(p, s[K_VERSION].value),
                          "写成 主版本.次版本.修订号，例如 1.0.0", "版本号“%s”不合规范",
                          m->version);
    m->author = dup_text(p, s[K_AUTHOR].value, "author");
    m->office = dup_text(p, s[K_OFFICE].value, "office");
    if (need(p, &s[K_SUMMARY], root, "模型", "用一两句话说明模型发现什么、为什么重要"))
        if ((m->summary = dup_text(p, s[K_SUMMARY].value, "summary")))
            unfold_chinese(m->summary);
}

static void parse_root(struct sj_model_parser *p, int root)
{
    static const char hint[] = "模型文件的写法见 docs/MODELS.md";
    yaml_node_t *m = mapping_of(p, root, "模型文件", hint);
    if (!m)
        return;
    struct slot s[K_COUNT] = {{"id", 0, 0},      {"name", 0, 0},   {"function", 0, 0},
                              {"version", 0, 0}, {"author", 0, 0}, {"office", 0, 0},
                              {"summary", 0, 0}, {"inputs", 0, 0}, {"parameters", 0, 0},
                              {"steps", 0, 0},   {"lead", 0, 0}};
    take_keys(p, m, s, K_COUNT, "键");
    parse_heading(p, s, root);
    yaml_node_t *map;
    if (need(p, &s[K_INPUTS], root, "模型", "列出要用的数据，例如 inputs: {cases: {…}}") &&
        (map = mapping_of(p, s[K_INPUTS].value, "inputs", hint))) {
        p->model->inputs = sj_xcalloc(INPUTS_MAX, sizeof *p->model->inputs);
        each_named(p, map, "输入", INPUTS_MAX, parse_input, NULL);
    }
    if (s[K_PARAMS].value && !is_blank(node_at(p, s[K_PARAMS].value)) &&
        (map = mapping_of(p, s[K_PARAMS].value, "parameters", hint))) {
        p->model->params = sj_xcalloc(PARAMS_MAX, sizeof *p->model->params);
        each_named(p, map, "参数", PARAMS_MAX, parse_param, NULL);
    }
    if (need(p, &s[K_STEPS], root, "模型", "列出比对步骤，每项以“- id: …”开头"))
        parse_steps(p, s[K_STEPS].value);
    if (need(p, &s[K_LEAD], root, "模型",
             "写出哪一步的结果成为线索，例如 lead: {from: 最后一步, subject: 列, title: …, "
             "evidence: [列]}"))
        parse_lead(p, s[K_LEAD].key, s[K_LEAD].value);
}

static void load_document(struct sj_model_parser *p)
{
    yaml_parser_t yp;
    yaml_parser_initialize(&yp);
    /* The encoding is left to libyaml, which then skips a BOM: the text is valid UTF-8. */
    yaml_parser_set_input_string(&yp, (const unsigned char *)p->text, p->len);
    if (!yaml_parser_load(&yp, &p->doc)) {
        sj_model_report_syntax(p, &yp);
        goto out;
    }
    p->has_doc = true;
    yaml_document_t next;
    if (!yaml_parser_load(&yp, &next)) {
        sj_model_report_syntax(p, &yp);
        goto out;
    }
    if (yaml_document_get_root_node(&next))
        sj_model_diag_add(p, sj_model_mark_pos(p, next.start_mark),
                          "一个文件只写一个模型；删掉“---”及其后的内容",
                          "文件里有第二个 YAML 文档");
    yaml_document_delete(&next);
out:
    yaml_parser_delete(&yp);
}

/* ---- Public ---------------------------------------------------------------------------------- */

static void hash_text(const char *text, size_t len, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)text, len);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
}

static bool check_encoding(struct sj_model_parser *p)
{
    size_t bad = 0;
    if (p->len > SJ_MODEL_TEXT_MAX) {
        sj_model_diag_add(p, (struct sj_model_pos){0, 0}, "模型文件一般只有几十行",
                          "文件太大（%zu 字节，最多 %u 字节）", p->len, SJ_MODEL_TEXT_MAX);
        return false;
    }
    if (sj_utf8_is_valid(sj_str_make(p->text, p->len), &bad))
        return true;
    p->len = bad; /* positions before the bad byte are still meaningful */
    sj_model_index_lines(p);
    sj_model_diag_add(p, sj_model_offset_pos(p, bad), "用编辑器另存为 UTF-8 编码的文本",
                      "文件不是 UTF-8 编码（可能是 GBK）");
    return false;
}

static void parser_release(struct sj_model_parser *p)
{
    for (size_t i = 0; p->steps && i < p->model->step_count; i++) {
        free(p->steps[i].keys);
        free(p->steps[i].by);
        free(p->steps[i].unions);
    }
    free(p->steps);
    free(p->lead.evidence);
    free(p->lines);
    if (p->has_doc)
        yaml_document_delete(&p->doc);
}

int sj_model_parse(const char *text, size_t len, const char *path, struct sj_model **out,
                   struct sj_model_diags *diags)
{
    struct sj_model_parser p = {.text = text, .len = len, .diags = diags};
    diags->items = NULL;
    diags->count = 0;
    *out = NULL;
    p.model = sj_xcalloc(1, sizeof *p.model);
    if (sodium_init() < 0)
        abort(); /* the library cannot work without its hash */
    hash_text(text, len, p.model->sha256);
    if (path)
        p.model->path = sj_xstrdup(path);
    if (!check_encoding(&p))
        goto out;
    sj_model_index_lines(&p);
    load_document(&p);
    yaml_node_t *root = p.has_doc ? yaml_document_get_root_node(&p.doc) : NULL;
    if (p.has_doc && !root)
        sj_model_diag_add(&p, (struct sj_model_pos){1, 1}, "从 docs/MODELS.md 的示例开始写",
                          "文件是空的");
    if (root) {
        parse_root(&p, (int)(root - p.doc.nodes.start) + 1);
        sj_model_check_refs(&p);
    }
out:
    sj_model_diags_finish(&p);
    parser_release(&p);
    if (diags->count > 0) {
        sj_model_free(p.model);
        return SJ_EFORMAT;
    }
    *out = p.model;
    return 0;
}
