/*
 * check.c - the second pass over a parsed model: every name a step, an expression or the
 * lead uses must exist where it is used. Inputs and earlier steps can be referred to;
 * columns are those each source offers (docs/MODELS.md, "Columns of a step"):
 *   input: its columns · filter, absent, within: from's · match: from's, then with's
 *   (prefixed "<with>." where the name is taken) · count: by + count · sum: by + sum ·
 *   union: the first's (all must have the same) · use-model, sql: not known until the
 *   model is compiled, so not checked here.
 * A step whose own references failed offers unknown columns, so one mistake is reported
 * once rather than at every later use.
 */
#include <stdlib.h>
#include <string.h>

#include "model/check_int.h"
#include "model/model_int.h"

/* The columns a source (an input or a step) offers. */
struct colset {
    const char **names; /* borrowed from the model or from the arena */
    enum sj_kind *kinds;
    size_t count;
    bool is_open; /* unknown until compile time: any name is accepted */
};

struct checker {
    struct sj_model_parser *p;
    struct sj_model *m;
    struct sj_arena arena;
    struct colset *inputs; /* one per input */
    struct colset *steps;  /* one per step, filled as the steps are checked */
};

static const struct colset open_set = {NULL, NULL, 0, true};

static void colset_alloc(struct checker *c, struct colset *set, size_t cap)
{
    set->names = sj_arena_alloc(&c->arena, (cap ? cap : 1) * sizeof *set->names);
    set->kinds = sj_arena_alloc(&c->arena, (cap ? cap : 1) * sizeof *set->kinds);
    set->count = 0;
    set->is_open = false;
}

static long colset_find(const struct colset *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++) {
        if (strcmp(set->names[i], name) == 0)
            return (long)i;
    }
    return -1;
}

static void colset_add(struct colset *set, const char *name, enum sj_kind kind)
{
    set->names[set->count] = name;
    set->kinds[set->count++] = kind;
}

/* ---- Finding names --------------------------------------------------------------------------- */

static bool is_name_byte(unsigned char ch)
{
    return ch >= 0x80 || ch == '_' || ch == '.' || (ch >= '0' && ch <= '9') ||
           (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Byte offset of name as a whole word in an expression (outside quotes), as a parameter
 * ($name) when is_param; 0 when not found. */
static size_t find_word(const char *text, const char *name, bool is_param)
{
    size_t n = strlen(name);
    bool in_quote = false;
    for (size_t i = 0; text[i]; i++) {
        if (text[i] == '\'') {
            in_quote = !in_quote;
            continue;
        }
        if (in_quote || strncmp(text + i, name, n) != 0 || is_name_byte((unsigned char)text[i + n]))
            continue;
        bool has_dollar = i > 0 && text[i - 1] == '$';
        if (i > 0 && is_name_byte((unsigned char)text[i - 1]))
            continue;
        if (has_dollar == is_param)
            return has_dollar ? i - 1 : i;
    }
    return 0;
}

/* ---- References to sources and columns --------------------------------------------------------
 */

static long find_step(const struct sj_model *m, const char *name)
{
    for (size_t i = 0; i < m->step_count; i++) {
        if (m->steps[i].id && strcmp(m->steps[i].id, name) == 0)
            return (long)i;
    }
    return -1;
}

static void unknown_source(struct checker *c, const char *name, int node, size_t step)
{
    size_t n = 0, cap = c->m->input_count + step + 1;
    const char **names = sj_arena_alloc(&c->arena, cap * sizeof *names);
    for (size_t i = 0; i < c->m->input_count; i++)
        names[n++] = c->m->inputs[i].name;
    for (size_t i = 0; i < step && i < c->m->step_count; i++) {
        const char *id = c->m->steps[i].id;
        if (id && find_step(c->m, id) == (long)i) /* each id once */
            names[n++] = id;
    }
    char list[200], hint[256];
    snprintf(hint, sizeof hint, "可以引用的输入和前面的步骤：%s",
             n ? sj_model_join(names, n, list, sizeof list) : "（没有）");
    const char *guess = sj_model_suggest(name, names, n);
    struct sj_model_pos pos = sj_model_node_pos(c->p, node);
    if (guess)
        sj_model_diag_add(c->p, pos, hint, "找不到输入或步骤“%s”，是否应为“%s”？", name, guess);
    else
        sj_model_diag_add(c->p, pos, hint, "找不到输入或步骤“%s”", name);
}

/* The columns of the input or earlier step called name, or NULL after a diagnostic.
 * step is the index of the step that refers to it (step_count for the lead). */
static const struct colset *source(struct checker *c, const char *name, int node, size_t step)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < c->m->input_count; i++) {
        if (strcmp(c->m->inputs[i].name, name) == 0)
            return &c->inputs[i];
    }
    long s = find_step(c->m, name);
    const char *self = step < c->m->step_count ? c->m->steps[step].id : NULL;
    if (s >= 0 && (size_t)s < step)
        return &c->steps[s];
    if (s >= 0 && (size_t)s == step) {
        sj_model_diag_add(c->p, sj_model_node_pos(c->p, node), "引用输入或前面的步骤",
                          "步骤“%s”不能引用它自己", name);
    } else if (s >= 0) {
        char hint[256];
        snprintf(hint, sizeof hint, "步骤按顺序执行：把步骤“%s”移到“%s”前面", name,
                 self ? self : "?");
        sj_model_diag_add(c->p, sj_model_node_pos(c->p, node), hint, "步骤“%s”引用了后面的步骤“%s”",
                          self ? self : "?", name);
    } else {
        unknown_source(c, name, node, step);
    }
    return NULL;
}

/* Checks that set has column name (reported at byte `offset` of node's value); returns its
 * index, or -1 (unknown, or the set is open). */
static long column(struct checker *c, const struct colset *set, const char *owner, const char *name,
                   int node, size_t offset)
{
    if (!set || set->is_open || !name)
        return -1;
    long i = colset_find(set, name);
    if (i >= 0)
        return i;
    char list[200], hint[256];
    snprintf(hint, sizeof hint, "“%s”的列：%s", owner,
             set->count ? sj_model_join(set->names, set->count, list, sizeof list) : "（没有）");
    const char *guess = sj_model_suggest(name, set->names, set->count);
    struct sj_model_pos pos = sj_model_value_pos(c->p, node, offset);
    if (guess)
        sj_model_diag_add(c->p, pos, hint, "“%s”中没有列“%s”，是否应为“%s”？", owner, name, guess);
    else
        sj_model_diag_add(c->p, pos, hint, "“%s”中没有列“%s”", owner, name);
    return -1;
}

static const struct sj_model_param *find_param(const struct sj_model *m, const char *name)
{
    for (size_t i = 0; i < m->param_count; i++) {
        if (strcmp(m->params[i].name, name) == 0)
            return &m->params[i];
    }
    return NULL;
}

static void unknown_param(struct checker *c, const char *name, struct sj_model_pos pos)
{
    const char **names = sj_arena_alloc(&c->arena, (c->m->param_count + 1) * sizeof *names);
    for (size_t i = 0; i < c->m->param_count; i++)
        names[i] = c->m->params[i].name;
    char hint[256];
    snprintf(hint, sizeof hint,
             "在 parameters 中定义它，例如 %s: {type: amount, default: \"10万元\", "
             "label: 金额标准}",
             name);
    const char *guess = sj_model_suggest(name, names, c->m->param_count);
    if (guess)
        sj_model_diag_add(c->p, pos, hint, "未定义的参数“$%s”，是否应为“$%s”？", name, guess);
    else
        sj_model_diag_add(c->p, pos, hint, "未定义的参数“$%s”", name);
}

/* ---- Expressions ----------------------------------------------------------------------------- */

static void check_expr(struct checker *c, const char *text, int node, const struct colset *set,
                       const char *owner, const char *key)
{
    struct sj_expr *expr = NULL;
    size_t offset = 0;
    char message[256] = "";
    if (!text)
        return;
    if (sj_expr_parse(text, &expr, &offset, message, sizeof message) < 0) {
        sj_model_diag_add(c->p, sj_model_value_pos(c->p, node, offset),
                          "例如 amount >= $threshold and cause in $causes（写法见 docs/MODELS.md）",
                          "“%s”的条件写法有误：%s", key, message);
        return;
    }
    for (size_t i = 0; i < sj_expr_column_count(expr); i++) {
        const char *name = sj_expr_column(expr, i);
        column(c, set, owner, name, node, find_word(text, name, false));
    }
    for (size_t i = 0; i < sj_expr_param_count(expr); i++) {
        const char *name = sj_expr_param(expr, i);
        if (!find_param(c->m, name))
            unknown_param(c, name, sj_model_value_pos(c->p, node, find_word(text, name, true)));
    }
    sj_expr_free(expr);
}

/* ---- Steps ----------------------------------------------------------------------------------- */

static size_t skip_spaces(const char *s, size_t i)
{
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    return i;
}

/* Checks the `on` pairs: left in from's columns, right in the other side's. */
static void check_keys(struct checker *c, const struct sj_model_step *st,
                       const struct sj_model_step_nodes *sn, const struct colset *from,
                       const struct colset *other)
{
    for (size_t k = 0; k < st->key_count; k++) {
        yaml_node_t *n = yaml_document_get_node(&c->p->doc, sn->keys[k]);
        const char *text =
            n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
        const char *eq = strchr(text, '=');
        size_t right = eq ? skip_spaces(text, (size_t)(eq - text) + 1) : 0;
        column(c, from, st->from, st->keys[k].left, sn->keys[k], skip_spaces(text, 0));
        column(c, other, st->other, st->keys[k].right, sn->keys[k], right);
    }
}

static bool is_date_kind(enum sj_kind kind)
{
    return kind == SJ_KIND_DATE || kind == SJ_KIND_DATETIME;
}

static void check_date_column(struct checker *c, const struct colset *set, const char *owner,
                              const char *name, int node, const char *key)
{
    long i = column(c, set, owner, name, node, 0);
    if (i >= 0 && !is_date_kind(set->kinds[i]))
        sj_model_diag_add(c->p, sj_model_node_pos(c->p, node),
                          "“after”和“then”要用 date 或 datetime 类型的列",
                          "“%s”的列“%s”是%s（%s），不是日期", key, name,
                          sj_kind_label(set->kinds[i]), sj_kind_name(set->kinds[i]));
}

static void check_days(struct checker *c, const struct sj_model_step *st, int node)
{
    const char *days = st->days;
    if (!days)
        return;
    if (days[0] == '$') {
        const struct sj_model_param *prm = find_param(c->m, days + 1);
        if (!prm)
            unknown_param(c, days + 1, sj_model_node_pos(c->p, node));
        else if (prm->type != SJ_PARAM_DAYS && prm->type != SJ_PARAM_INTEGER)
            sj_model_diag_add(c->p, sj_model_node_pos(c->p, node), "把参数的类型改为 days",
                              "参数“$%s”是 %s 类型，不能用作天数", prm->name,
                              sj_param_type_name(prm->type));
        return;
    }
    struct sj_norm_result r;
    if (!sj_norm_integer(sj_str_from_cstr(days), &r) || r.number < 0)
        sj_model_diag_add(c->p, sj_model_node_pos(c->p, node),
                          "写天数（不小于 0 的整数）或参数，例如 days: 30 或 days: $window",
                          "“days”应为天数，不是“%s”", days);
}

/* match: from's columns, then the other side's, prefixed "<other>." where the name is taken. */
static void match_columns(struct checker *c, const struct sj_model_step *st,
                          const struct colset *from, const struct colset *other, struct colset *out)
{
    colset_alloc(c, out, from->count + other->count);
    for (size_t i = 0; i < from->count; i++)
        colset_add(out, from->names[i], from->kinds[i]);
    for (size_t i = 0; i < other->count; i++) {
        const char *name = other->names[i];
        if (colset_find(out, name) >= 0)
            name = sj_arena_sprintf(&c->arena, "%s.%s", st->other, name);
        colset_add(out, name, other->kinds[i]);
    }
}

/* count and sum: the grouping columns, then "count" or "sum". */
static void group_columns(struct checker *c, const struct sj_model_step *st,
                          const struct sj_model_step_nodes *sn, const struct colset *from,
                          struct colset *out)
{
    colset_alloc(c, out, st->by_count + 1);
    for (size_t i = 0; i < st->by_count; i++) {
        long k = column(c, from, st->from, st->by[i], sn->by[i], 0);
        colset_add(out, st->by[i], k >= 0 ? from->kinds[k] : SJ_KIND_TEXT);
    }
    enum sj_kind kind = SJ_KIND_INTEGER;
    if (st->op == SJ_OP_SUM) {
        long k = column(c, from, st->from, st->of, sn->of, 0);
        if (k >= 0) {
            kind = from->kinds[k];
            if (kind != SJ_KIND_AMOUNT && kind != SJ_KIND_INTEGER && kind != SJ_KIND_NUMBER)
                sj_model_diag_add(c->p, sj_model_node_pos(c->p, sn->of),
                                  "求和的列要用 amount、integer 或 number 类型",
                                  "列“%s”是%s（%s），不能求和", st->of, sj_kind_label(kind),
                                  sj_kind_name(kind));
        }
    }
    if (st->distinct)
        column(c, from, st->from, st->distinct, sn->distinct, 0);
    colset_add(out, st->op == SJ_OP_SUM ? "sum" : "count", kind);
}

static void union_columns(struct checker *c, const struct sj_model_step *st,
                          const struct sj_model_step_nodes *sn, size_t index, struct colset *out)
{
    const struct colset *first = NULL;
    const char *first_name = NULL;
    *out = open_set;
    for (size_t i = 0; i < st->union_count; i++) {
        const struct colset *set = source(c, st->union_of[i], sn->unions[i], index);
        if (!set || set->is_open)
            continue;
        if (!first) {
            first = set;
            first_name = st->union_of[i];
            *out = *set;
            continue;
        }
        for (size_t k = 0; k < first->count + set->count; k++) {
            bool in_first = k < first->count;
            const char *name = in_first ? first->names[k] : set->names[k - first->count];
            if (colset_find(in_first ? set : first, name) >= 0)
                continue;
            sj_model_diag_add(c->p, sj_model_node_pos(c->p, sn->unions[i]),
                              "合并的各步骤要有相同的列", "“%s”%s列“%s”，与“%s”的列不同",
                              st->union_of[i], in_first ? "缺少" : "多出", name, first_name);
            break;
        }
    }
}

/* Checks one step and works out the columns it offers. */
static void check_step(struct checker *c, size_t index)
{
    const struct sj_model_step *st = &c->m->steps[index];
    const struct sj_model_step_nodes *sn = &c->p->steps[index];
    struct colset *out = &c->steps[index];
    const struct colset *from = NULL, *other = NULL;
    *out = open_set;
    if (st->from)
        from = source(c, st->from, sn->from, index);
    if (st->other)
        other = source(c, st->other, sn->other, index);
    switch (st->op) {
    case SJ_OP_FILTER:
        check_expr(c, st->where, sn->where, from, st->from, "where");
        break;
    case SJ_OP_MATCH:
    case SJ_OP_ABSENT:
    case SJ_OP_WITHIN:
        check_keys(c, st, sn, from, other);
        if (st->op == SJ_OP_WITHIN) {
            check_date_column(c, from, st->from, st->after, sn->after, "after");
            check_date_column(c, other, st->other, st->then, sn->then, "then");
            check_days(c, st, sn->days);
        }
        if (st->op == SJ_OP_MATCH && !st->is_exists && from && other && !from->is_open &&
            !other->is_open) {
            match_columns(c, st, from, other, out);
            return;
        }
        break;
    case SJ_OP_COUNT:
    case SJ_OP_SUM:
        if (!from)
            return;
        group_columns(c, st, sn, from, out);
        check_expr(c, st->having, sn->having, out, st->id ? st->id : "?", "having");
        return;
    case SJ_OP_UNION:
        union_columns(c, st, sn, index, out);
        return;
    case SJ_OP_USE_MODEL:
        if (st->model && c->m->id && strcmp(st->model, c->m->id) == 0)
            sj_model_diag_add(c->p, sj_model_node_pos(c->p, sn->model), "引用另一个模型的 id",
                              "模型不能引用它自己");
        return;
    case SJ_OP_SQL:
        return;
    }
    if (from && (st->op != SJ_OP_MATCH || st->is_exists))
        *out = *from;
}

/* ---- The lead -------------------------------------------------------------------------------- */

/* The {column} placeholders of the title: each must be a column of the lead's source. */
static void check_title(struct checker *c, const struct colset *set, const char *owner)
{
    const char *t = c->m->lead.title;
    int node = c->p->lead.title;
    static const char hint[] = "用 {列名} 插入列的值，例如 \"{party}涉税案件未见移送\"";
    for (size_t i = 0; t && t[i]; i++) {
        if (t[i] == '}') {
            sj_model_diag_add(c->p, sj_model_value_pos(c->p, node, i), hint,
                              "标题里的“}”没有对应的“{”");
            return;
        }
        if (t[i] != '{')
            continue;
        size_t end = i + 1;
        while (t[end] && t[end] != '}' && t[end] != '{')
            end++;
        if (t[end] != '}') {
            sj_model_diag_add(c->p, sj_model_value_pos(c->p, node, i), hint,
                              "标题里的“{”没有对应的“}”");
            return;
        }
        struct sj_str name = sj_str_trim(sj_str_make(t + i + 1, end - i - 1));
        if (name.len == 0) {
            sj_model_diag_add(c->p, sj_model_value_pos(c->p, node, i), hint,
                              "标题里的“{}”中缺少列名");
        } else {
            char *word = sj_arena_strndup(&c->arena, name.ptr, name.len);
            column(c, set, owner, word, node, (size_t)(name.ptr - t));
        }
        i = end;
    }
}

static void check_lead(struct checker *c)
{
    const struct sj_model_lead *lead = &c->m->lead;
    const struct sj_model_lead_nodes *ln = &c->p->lead;
    const struct colset *set = NULL;
    if (lead->from)
        set = source(c, lead->from, ln->from, c->m->step_count);
    if (!set)
        set = &open_set; /* the title's braces can still be checked */
    column(c, set, lead->from, lead->subject, ln->subject, 0);
    check_title(c, set, lead->from);
    for (size_t i = 0; i < lead->evidence_count; i++)
        column(c, set, lead->from, lead->evidence[i], ln->evidence[i], 0);
}

/* ---- The whole model ------------------------------------------------------------------------- */

static void check_step_ids(struct checker *c)
{
    for (size_t i = 0; i < c->m->step_count; i++) {
        const char *id = c->m->steps[i].id;
        if (!id)
            continue;
        for (size_t k = 0; k < c->m->input_count; k++) {
            if (strcmp(c->m->inputs[k].name, id) == 0)
                sj_model_diag_add(c->p, c->m->steps[i].pos, "给步骤换一个名称",
                                  "步骤 id“%s”与输入同名（第 %d 行）", id,
                                  c->m->inputs[k].pos.line);
        }
        long first = find_step(c->m, id);
        if (first >= 0 && (size_t)first < i)
            sj_model_diag_add(c->p, c->m->steps[i].pos, "每个步骤的 id 要不同",
                              "步骤 id“%s”重复（第 %d 行已有）", id, c->m->steps[first].pos.line);
    }
}

static void input_columns(struct checker *c)
{
    c->inputs = sj_arena_alloc(&c->arena, (c->m->input_count + 1) * sizeof *c->inputs);
    for (size_t i = 0; i < c->m->input_count; i++) {
        const struct sj_model_input *in = &c->m->inputs[i];
        colset_alloc(c, &c->inputs[i], in->column_count);
        for (size_t k = 0; k < in->column_count; k++)
            colset_add(&c->inputs[i], in->columns[k].name, in->columns[k].kind);
    }
}

void sj_model_check_refs(struct sj_model_parser *p)
{
    struct checker c = {.p = p, .m = p->model};
    sj_arena_init(&c.arena, 0);
    input_columns(&c);
    check_step_ids(&c);
    c.steps = sj_arena_alloc(&c.arena, (c.m->step_count + 1) * sizeof *c.steps);
    for (size_t i = 0; i < c.m->step_count; i++)
        check_step(&c, i);
    check_lead(&c);
    sj_arena_release(&c.arena);
}

/* ---- Diagnostics ----------------------------------------------------------------------------- */

void sj_model_diag_add(struct sj_model_parser *p, struct sj_model_pos pos, const char *hint,
                       const char *fmt, ...)
{
    struct sj_model_diags *d = p->diags;
    if (d->count >= SJ_MODEL_DIAGS_MAX) {
        p->is_truncated = true;
        return;
    }
    if (d->count == p->diag_alloc) {
        p->diag_alloc = p->diag_alloc ? p->diag_alloc * 2 : 8;
        d->items = sj_xrealloc(d->items, p->diag_alloc * sizeof *d->items);
    }
    struct sj_model_diag *diag = &d->items[d->count++];
    diag->pos = pos;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
    snprintf(diag->hint, sizeof diag->hint, "%s", hint ? hint : "");
    sj_model_trim_utf8(diag->message);
    sj_model_trim_utf8(diag->hint);
}

static bool comes_before(const struct sj_model_pos *a, const struct sj_model_pos *b)
{
    return a->line < b->line || (a->line == b->line && a->column < b->column);
}

void sj_model_diags_finish(struct sj_model_parser *p)
{
    struct sj_model_diags *d = p->diags;
    for (size_t i = 1; i < d->count; i++) { /* insertion sort: stable, and count <= 100 */
        struct sj_model_diag tmp = d->items[i];
        size_t k = i;
        while (k > 0 && comes_before(&tmp.pos, &d->items[k - 1].pos)) {
            d->items[k] = d->items[k - 1];
            k--;
        }
        d->items[k] = tmp;
    }
    if (p->is_truncated) {
        d->items = sj_xrealloc(d->items, (d->count + 1) * sizeof *d->items);
        struct sj_model_diag *diag = &d->items[d->count++];
        diag->pos = (struct sj_model_pos){0, 0};
        snprintf(diag->message, sizeof diag->message, "问题太多，只列出了前 %d 个",
                 SJ_MODEL_DIAGS_MAX);
        snprintf(diag->hint, sizeof diag->hint, "先改正上面的问题再检查");
    }
}

void sj_model_diags_release(struct sj_model_diags *diags)
{
    if (!diags)
        return;
    free(diags->items);
    diags->items = NULL;
    diags->count = 0;
}

const char *sj_model_diag_format(const char *path, const struct sj_model_diag *diag, char *buf,
                                 size_t size)
{
    char where[300] = "";
    if (path && *path && diag->pos.line > 0)
        snprintf(where, sizeof where, "%s:%d:%d: ", path, diag->pos.line, diag->pos.column);
    else if (path && *path)
        snprintf(where, sizeof where, "%s: ", path);
    else if (diag->pos.line > 0)
        snprintf(where, sizeof where, "%d:%d: ", diag->pos.line, diag->pos.column);
    if (diag->hint[0])
        snprintf(buf, size, "%s%s (%s)", where, diag->message, diag->hint);
    else
        snprintf(buf, size, "%s%s", where, diag->message);
    if (size > 0)
        sj_model_trim_utf8(buf);
    return buf;
}
