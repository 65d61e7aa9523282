/*
 * compile.c - sj_model_compile: turns a model into one SQL query over the workspace for one
 * set of choices (parameters, datasets, header mappings), as a WITH list with one CTE per
 * input and step (compile_int.h) and a final SELECT of the lead rows ordered by subject.
 * Also the helpers the compiler's files share: CTE names, quoting, bound values, choices.
 *
 * Invariants: values are always bound (sj_cc_bind_*), identifiers come from numbers or are
 * quoted logical names; the plan is complete or, on error, empty (nothing half-built is
 * handed out). Parameters are parsed by their declared type, so --param threshold=5万元
 * binds 500000 fen and a value that does not read as its type is refused by name.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/compile_int.h"

int sj_cc_fail(struct sj_cc *cc, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sj_err_vset(cc->err, code, fmt, ap);
    va_end(ap);
    return code;
}

void sj_cc_quote(struct sj_buf *sql, const char *name)
{
    sj_buf_putc(sql, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sj_buf_putc(sql, '"');
        sj_buf_putc(sql, *p);
    }
    sj_buf_putc(sql, '"');
}

static bool name_taken(const struct sj_cc *cc, const char *name)
{
    for (size_t i = 0; i < cc->name_count; i++) {
        if (strcasecmp(cc->names[i], name) == 0)
            return true;
    }
    return false;
}

const char *sj_cc_name(struct sj_cc *cc, const char *fmt, ...)
{
    char base[512], name[544]; /* name has room for base and any suffix: no truncation */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(base, sizeof base, fmt, ap);
    va_end(ap);
    snprintf(name, sizeof name, "%s", base);
    for (int n = 2; name_taken(cc, name); n++)
        snprintf(name, sizeof name, "%s_%d", base, n);
    cc->names = sj_xrealloc(cc->names, (cc->name_count + 1) * sizeof *cc->names);
    cc->names[cc->name_count] = sj_xstrdup(name);
    return cc->names[cc->name_count++];
}

int sj_cc_add_cte(struct sj_cc *cc, const char *name, enum sj_cc_cte_mode mode, const char *body)
{
    static const char *const as[] = {" AS (\n  ", " AS NOT MATERIALIZED (\n  ",
                                     " AS MATERIALIZED (\n  "};
    if (cc->ctes.len)
        sj_buf_append_cstr(&cc->ctes, ",\n");
    sj_cc_quote(&cc->ctes, name);
    sj_buf_append_cstr(&cc->ctes, as[mode]);
    sj_buf_append_cstr(&cc->ctes, body);
    if (sj_buf_append_cstr(&cc->ctes, "\n)") < 0)
        return sj_cc_fail(cc, SJ_ETOOBIG, "模型编译出的查询太长（超过 %zu 字节）", SJ_CC_SQL_MAX);
    return 0;
}

static struct sj_model_value *value_add(struct sj_cc *cc, char *name, enum sj_param_type type)
{
    cc->values = sj_xrealloc(cc->values, (cc->value_count + 1) * sizeof *cc->values);
    struct sj_model_value *v = &cc->values[cc->value_count++];
    memset(v, 0, sizeof *v);
    v->name = name;
    v->type = type;
    return v;
}

static char *literal_name(struct sj_cc *cc)
{
    char name[32];
    snprintf(name, sizeof name, "l%u", ++cc->literal_count);
    return sj_xstrdup(name);
}

const char *sj_cc_bind_text(struct sj_cc *cc, enum sj_param_type type, const char *text)
{
    struct sj_model_value *v = value_add(cc, literal_name(cc), type);
    if (type == SJ_PARAM_NUMBER)
        v->number = sj_xstrdup(text);
    else
        v->text = sj_xstrdup(text);
    return v->name;
}

const char *sj_cc_bind_int(struct sj_cc *cc, enum sj_param_type type, int64_t value)
{
    struct sj_model_value *v = value_add(cc, literal_name(cc), type);
    v->integer = value;
    return v->name;
}

long sj_cc_param_find(const struct sj_cc_ns *ns, const char *name)
{
    for (size_t i = 0; i < ns->model->param_count; i++) {
        if (strcmp(ns->model->params[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

struct sj_cc_rel *sj_cc_rel_find(const struct sj_cc_ns *ns, const char *name)
{
    for (size_t i = 0; name && i < ns->rel_count; i++) {
        if (strcmp(ns->rels[i]->name, name) == 0)
            return ns->rels[i];
    }
    return NULL;
}

long sj_cc_col_find(const struct sj_cc_rel *rel, const char *name)
{
    for (size_t i = 0; name && i < rel->col_count; i++) {
        if (strcmp(rel->cols[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

struct sj_cc_rel *sj_cc_rel_add(struct sj_cc_ns *ns, const char *name)
{
    ns->rels = sj_xrealloc(ns->rels, (ns->rel_count + 1) * sizeof *ns->rels);
    struct sj_cc_rel *rel = sj_xcalloc(1, sizeof *rel);
    ns->rels[ns->rel_count++] = rel;
    rel->name = sj_xstrdup(name ? name : "");
    return rel;
}

struct sj_cc_col *sj_cc_rel_add_col(struct sj_cc_rel *rel, const char *name, enum sj_kind kind)
{
    rel->cols = sj_xrealloc(rel->cols, (rel->col_count + 1) * sizeof *rel->cols);
    struct sj_cc_col *col = &rel->cols[rel->col_count++];
    col->name = sj_xstrdup(name);
    col->kind = kind;
    col->is_not_null = false;
    col->is_lookup_ok = true;
    return col;
}

void sj_cc_select_cols(struct sj_buf *sql, const struct sj_cc_rel *rel, const char *alias)
{
    for (size_t i = 0; i < rel->col_count; i++) {
        if (alias)
            sj_buf_appendf(sql, "%s.", alias);
        sj_cc_quote(sql, rel->cols[i].name);
        sj_buf_append_cstr(sql, ", ");
    }
    if (alias)
        sj_buf_appendf(sql, "%s.", alias);
    sj_buf_append_cstr(sql, "_ev");
}

const char *sj_cc_part_name(struct sj_cc *cc, const char *base, size_t index, size_t count)
{
    if (count == 1)
        return sj_cc_name(cc, "%s", base);
    return sj_cc_name(cc, "%s_%zu", base, index + 1);
}

int sj_cc_emit_union(struct sj_cc *cc, struct sj_cc_rel *rel, const char *base)
{
    if (rel->part_count == 1) {
        rel->cte = rel->parts[0];
        return 0;
    }
    rel->cte = sj_cc_name(cc, "%s", base);
    struct sj_buf body;
    sj_buf_init(&body, SJ_CC_SQL_MAX);
    for (size_t i = 0; i < rel->part_count; i++) {
        if (i)
            sj_buf_append_cstr(&body, "\n  UNION ALL ");
        sj_buf_append_cstr(&body, "SELECT ");
        sj_cc_select_cols(&body, rel, NULL);
        sj_buf_append_cstr(&body, " FROM ");
        sj_cc_quote(&body, rel->parts[i]);
    }
    int rc = sj_cc_add_cte(cc, rel->cte, SJ_CTE_DEFAULT, sj_buf_cstr(&body));
    sj_buf_release(&body);
    return rc;
}

const char *sj_cc_choice(const struct sj_model_choice *choices, size_t count, const char *prefix,
                         const char *name)
{
    size_t plen = strlen(prefix);
    const char *value = NULL;
    for (size_t i = 0; choices && i < count; i++) {
        const char *n = choices[i].name;
        if (n && strncmp(n, prefix, plen) == 0 && strcmp(n + plen, name) == 0)
            value = choices[i].value; /* the last one given wins */
    }
    return value;
}

/* ---- Indexes --------------------------------------------------------------------------------- */

void sj_cc_origin_add(struct sj_cc *cc, const char *cte, const char *source, int64_t dataset,
                      const char **names, int *positions, size_t count)
{
    cc->origins = sj_xrealloc(cc->origins, (cc->origin_count + 1) * sizeof *cc->origins);
    cc->origins[cc->origin_count++] =
        (struct sj_cc_origin){cte, source, dataset, names, positions, count};
}

static const struct sj_cc_origin *origin_of(const struct sj_cc *cc, const char *cte)
{
    for (size_t i = 0; cte && i < cc->origin_count; i++) {
        if (strcmp(cc->origins[i].cte, cte) == 0)
            return &cc->origins[i];
    }
    return NULL;
}

void sj_cc_want_index(struct sj_cc *cc, const char *part, const char *name)
{
    const struct sj_cc_origin *o = origin_of(cc, part);
    for (size_t hops = 0; o && o->source && hops < 256; hops++)
        o = origin_of(cc, o->source); /* a chain of folded steps ends at a dataset */
    for (size_t i = 0; o && !o->source && i < o->count; i++) {
        if (strcmp(o->names[i], name) != 0 || o->positions[i] <= 0)
            continue;
        for (size_t j = 0; j < cc->index_count; j++) {
            if (cc->indexes[j].dataset == o->dataset && cc->indexes[j].position == o->positions[i])
                return;
        }
        cc->indexes = sj_xrealloc(cc->indexes, (cc->index_count + 1) * sizeof *cc->indexes);
        cc->indexes[cc->index_count++] = (struct sj_model_index){o->dataset, o->positions[i]};
        return;
    }
}

/* ---- Parameters ------------------------------------------------------------------------------ */

static int bad_value(struct sj_cc *cc, const char *param, const char *text, const char *what,
                     const char *why)
{
    return sj_cc_fail(cc, SJ_EINVAL, "参数“%s”的值“%s”不是有效的%s：%s", param, text, what, why);
}

/* "90", "90天", "90 days" -> 90. */
static bool parse_days(const char *text, int64_t *days)
{
    struct sj_norm_result r;
    struct sj_str s = sj_str_trim(sj_str_from_cstr(text));
    static const char *const units[] = {"天", "days", "day", "日"};
    for (size_t i = 0; i < SJ_ARRAY_LEN(units); i++) {
        if (sj_str_has_suffix(s, sj_str_from_cstr(units[i]))) {
            s.len -= strlen(units[i]);
            break;
        }
    }
    if (!sj_norm_integer(s, &r) || r.number < 0)
        return false;
    *days = r.number;
    return true;
}

static int parse_boolean(const char *text, int64_t *value)
{
    static const char *const yes[] = {"true", "yes", "1", "on", "是"};
    static const char *const no[] = {"false", "no", "0", "off", "否"};
    for (size_t i = 0; i < SJ_ARRAY_LEN(yes); i++) {
        if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
            *value = strcasecmp(text, yes[i]) == 0;
            return 0;
        }
    }
    return -1;
}

static int parse_scalar(struct sj_cc *cc, const char *param, const char *text,
                        struct sj_model_value *v)
{
    struct sj_norm_result r;
    struct sj_str in = sj_str_from_cstr(text);
    switch (v->type) {
    case SJ_PARAM_INTEGER:
        if (!sj_norm_integer(in, &r))
            return bad_value(cc, param, text, "整数", r.reason);
        v->integer = r.number;
        return 0;
    case SJ_PARAM_NUMBER:
        if (!sj_norm_number(in, &r))
            return bad_value(cc, param, text, "数值", r.reason);
        v->number = sj_xstrdup(r.value);
        return 0;
    case SJ_PARAM_AMOUNT:
        if (!sj_norm_amount(in, &r))
            return bad_value(cc, param, text, "金额", r.reason);
        v->integer = r.number;
        return 0;
    case SJ_PARAM_DAYS:
        if (!parse_days(text, &v->integer))
            return bad_value(cc, param, text, "天数", "应为不小于 0 的整数，例如 90");
        return 0;
    case SJ_PARAM_DATE:
        if (!sj_norm_date(in, &r))
            return bad_value(cc, param, text, "日期", r.reason);
        v->text = sj_xstrdup(r.value);
        return 0;
    case SJ_PARAM_BOOLEAN:
        if (parse_boolean(text, &v->integer) < 0)
            return bad_value(cc, param, text, "是否值", "应为 true 或 false");
        return 0;
    case SJ_PARAM_TEXT:
    case SJ_PARAM_LIST:
        break;
    }
    if (!sj_utf8_is_valid(in, NULL))
        return bad_value(cc, param, "…", "文字", "不是有效的 UTF-8 文本");
    v->text = sj_xstrdup(text);
    return 0;
}

/* Appends one list item (trimmed; empty items are skipped) to a JSON array. */
static int list_item(struct sj_cc *cc, const char *param, json_t *array, struct sj_str item)
{
    item = sj_str_trim(item);
    if (item.len == 0)
        return 0;
    json_t *s = json_stringn(item.ptr, item.len);
    if (!s)
        return bad_value(cc, param, "…", "列表", "含有无效的 UTF-8 文本");
    json_array_append_new(array, s);
    return 0;
}

/* A list from the command line ("a,b,c"; full-width commas too) or from the default. */
static int parse_list(struct sj_cc *cc, const char *param, const char *text,
                      const struct sj_model_param *p, struct sj_model_value *v)
{
    json_t *array = json_array();
    int rc = 0;
    if (text) {
        const char *start = text;
        for (const char *s = text;; s++) {
            bool is_wide = strncmp(s, "，", strlen("，")) == 0;
            if (*s && *s != ',' && !is_wide)
                continue;
            rc = list_item(cc, param, array, sj_str_make(start, (size_t)(s - start)));
            if (rc < 0 || !*s)
                break;
            s += is_wide ? strlen("，") - 1 : 0;
            start = s + 1;
        }
    } else {
        for (size_t i = 0; rc == 0 && i < p->default_list_count; i++)
            rc = list_item(cc, param, array, sj_str_from_cstr(p->default_list[i]));
    }
    if (rc == 0)
        v->text = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    if (rc == 0 && !v->text)
        rc = sj_cc_fail(cc, SJ_EINVAL, "参数“%s”的列表无法转成 JSON", param);
    return rc;
}

/* True for a parameter name that can follow ':' in SQL as it is. */
static bool is_sql_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!(c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z')))
            return false;
    }
    return true;
}

static int bind_param(struct sj_cc_ns *ns, size_t index)
{
    struct sj_cc *cc = ns->cc;
    const struct sj_model_param *p = &ns->model->params[index];
    char name[256], shown[256];
    if (is_sql_name(p->name))
        snprintf(name, sizeof name, "%sp_%s", ns->prefix, p->name);
    else
        snprintf(name, sizeof name, "%sp%zu", ns->prefix, index + 1);
    snprintf(shown, sizeof shown, "%s%s", ns->choice_prefix, p->name);
    struct sj_model_value *v = value_add(cc, sj_xstrdup(name), p->type);
    v->param = sj_xstrdup(shown);
    ns->param_names[index] = v->name;
    const char *given =
        sj_cc_choice(cc->opts->params, cc->opts->param_count, ns->choice_prefix, p->name);
    if (p->type == SJ_PARAM_LIST && (given || p->default_list))
        return parse_list(cc, shown, given, p, v);
    if (!given)
        given = p->default_text;
    if (!given)
        return sj_cc_fail(cc, SJ_EINVAL, "参数“%s”没有默认值，请用 --param %s=值 指定", shown,
                          shown);
    return parse_scalar(cc, shown, given, v);
}

int sj_cc_bind_plain_params(struct sj_cc_ns *ns)
{
    struct sj_cc *cc = ns->cc;
    for (size_t i = 0; i < ns->model->param_count; i++) {
        const char *name = ns->model->params[i].name;
        const struct sj_model_value *src = NULL, *same = NULL;
        for (size_t j = 0; j < cc->value_count; j++) {
            if (strcmp(cc->values[j].name, ns->param_names[i]) == 0)
                src = &cc->values[j];
            if (strcmp(cc->values[j].name, name) == 0)
                same = &cc->values[j];
        }
        if (same && same->param && src && strcmp(same->param, src->param) == 0)
            continue; /* bound already by an earlier sql step */
        if (same || !src || !is_sql_name(name))
            return sj_cc_fail(cc, SJ_EINVAL, "sql 步骤无法以 :%s 绑定参数“%s”：名称已被占用或无效",
                              name, name);
        struct sj_model_value copy = *src;
        struct sj_model_value *v = value_add(cc, sj_xstrdup(name), copy.type);
        v->integer = copy.integer;
        v->text = copy.text ? sj_xstrdup(copy.text) : NULL;
        v->number = copy.number ? sj_xstrdup(copy.number) : NULL;
        v->param = copy.param ? sj_xstrdup(copy.param) : NULL;
    }
    return 0;
}

/* ---- Choices --------------------------------------------------------------------------------- */

static bool has_input(const struct sj_model *model, const char *name, size_t len,
                      const struct sj_model_input **input)
{
    for (size_t i = 0; i < model->input_count; i++) {
        if (strlen(model->inputs[i].name) == len &&
            strncmp(model->inputs[i].name, name, len) == 0) {
            *input = &model->inputs[i];
            return true;
        }
    }
    return false;
}

/* Choices meant for the top model must name something it has, so a typo does not pass
 * silently. Dotted names may be meant for a model it uses and are checked there. */
static int check_choices(struct sj_cc *cc, const struct sj_model *model)
{
    const struct sj_model_run_opts *o = cc->opts;
    const struct sj_model_input *input = NULL;
    for (size_t i = 0; i < o->param_count; i++) {
        const char *n = o->params[i].name ? o->params[i].name : "";
        bool is_known = false;
        for (size_t j = 0; j < model->param_count; j++)
            is_known = is_known || strcmp(model->params[j].name, n) == 0;
        if (!is_known && !strchr(n, '.'))
            return sj_cc_fail(cc, SJ_EINVAL, "模型“%s”没有参数“%s”", model->id, n);
    }
    for (size_t i = 0; i < o->input_count; i++) {
        const char *n = o->inputs[i].name ? o->inputs[i].name : "";
        if (!strchr(n, '.') && !has_input(model, n, strlen(n), &input))
            return sj_cc_fail(cc, SJ_EINVAL, "模型“%s”没有输入“%s”", model->id, n);
    }
    for (size_t i = 0; i < o->mapping_count; i++) {
        const char *n = o->mappings[i].name ? o->mappings[i].name : "";
        const char *dot = strchr(n, '.');
        if (!dot)
            return sj_cc_fail(cc, SJ_EINVAL, "--map %s 应写成 输入.列=表头", n);
        if (!has_input(model, n, (size_t)(dot - n), &input))
            continue;
        bool is_known = false;
        for (size_t j = 0; j < input->column_count; j++)
            is_known = is_known || strcmp(input->columns[j].name, dot + 1) == 0;
        if (!is_known)
            return sj_cc_fail(cc, SJ_EINVAL, "输入“%s”没有列“%s”", input->name, dot + 1);
    }
    return 0;
}

/* ---- Models ---------------------------------------------------------------------------------- */

static int check_model(struct sj_cc *cc, const struct sj_model *model)
{
    if (!model || !model->id)
        return sj_cc_fail(cc, SJ_EINVAL, "没有要编译的模型");
    if (model->step_count == 0 || !model->lead.from || !model->lead.subject)
        return sj_cc_fail(cc, SJ_EINVAL, "模型“%s”缺少步骤或线索定义", model->id);
    for (size_t i = 0; i < cc->depth; i++) {
        if (strcmp(cc->stack[i], model->id) != 0)
            continue;
        struct sj_buf chain;
        sj_buf_init(&chain, 4096);
        for (size_t j = 0; j < cc->depth; j++)
            sj_buf_appendf(&chain, "%s → ", cc->stack[j]);
        sj_buf_append_cstr(&chain, model->id);
        int rc = sj_cc_fail(cc, SJ_EINVAL, "模型循环引用：%s", sj_buf_cstr(&chain));
        sj_buf_release(&chain);
        return rc;
    }
    if (cc->depth == SJ_CC_DEPTH_MAX)
        return sj_cc_fail(cc, SJ_EINVAL, "模型嵌套太深（最多 %d 层）", SJ_CC_DEPTH_MAX);
    return 0;
}

int sj_cc_compile_model(struct sj_cc *cc, const struct sj_model *model, struct sj_cc_ns *ns)
{
    ns->cc = cc;
    ns->model = model;
    int rc = check_model(cc, model);
    if (rc < 0)
        return rc;
    cc->stack[cc->depth++] = model->id;
    ns->param_names = sj_xcalloc(model->param_count + 1, sizeof *ns->param_names);
    for (size_t i = 0; rc == 0 && i < model->param_count; i++)
        rc = bind_param(ns, i);
    if (rc == 0)
        rc = sj_cc_compile_inputs(ns);
    for (size_t i = 0; rc == 0 && i < model->step_count; i++)
        rc = sj_cc_compile_step(ns, &model->steps[i]);
    if (rc == 0)
        rc = sj_cc_compile_lead(ns);
    cc->depth--;
    return rc;
}

void sj_cc_ns_release(struct sj_cc_ns *ns)
{
    for (size_t i = 0; i < ns->rel_count; i++) {
        struct sj_cc_rel *rel = ns->rels[i];
        for (size_t j = 0; j < rel->col_count; j++)
            free(rel->cols[j].name);
        free(rel->cols);
        free(rel->parts);
        free(rel->copies);
        free(rel->filter_where);
        free(rel->name);
        free(rel);
    }
    free(ns->rels);
    for (size_t i = 0; i < ns->lead_col_count; i++)
        free(ns->lead_cols[i].name);
    free(ns->lead_cols);
    free(ns->lead_select);
    free(ns->param_names); /* the names are owned by the values */
    free(ns->prefix);
    free(ns->choice_prefix);
    memset(ns, 0, sizeof *ns);
}

/* ---- The plan -------------------------------------------------------------------------------- */

static void values_free(struct sj_model_value *values, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(values[i].name);
        free(values[i].text);
        free(values[i].number);
        free(values[i].param);
    }
    free(values);
}

static void resolved_free(struct sj_model_resolved *items, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(items[i].input);
        free(items[i].column);
        free(items[i].dataset);
        free(items[i].header);
    }
    free(items);
}

void sj_model_plan_release(struct sj_model_plan *plan)
{
    if (!plan)
        return;
    free(plan->sql);
    values_free(plan->values, plan->value_count);
    for (size_t i = 0; i < plan->column_count; i++)
        free(plan->columns[i]);
    free(plan->columns);
    free(plan->column_kinds);
    for (size_t i = 0; i < plan->dataset_count; i++)
        free(plan->datasets[i]);
    free(plan->datasets);
    resolved_free(plan->resolved, plan->resolved_count);
    free(plan->indexes);
    memset(plan, 0, sizeof *plan);
}

static void cc_release(struct sj_cc *cc)
{
    sj_buf_release(&cc->ctes);
    for (size_t i = 0; i < cc->name_count; i++)
        free(cc->names[i]);
    free(cc->names);
    values_free(cc->values, cc->value_count);
    for (size_t i = 0; i < cc->dataset_count; i++)
        free(cc->datasets[i]);
    free(cc->datasets);
    resolved_free(cc->resolved, cc->resolved_count);
    for (size_t i = 0; i < cc->origin_count; i++) {
        free(cc->origins[i].names);
        free(cc->origins[i].positions);
    }
    free(cc->origins);
    free(cc->indexes);
}

/* Moves the results of a successful compilation into plan. */
static int fill_plan(struct sj_cc *cc, struct sj_cc_ns *ns, struct sj_model_plan *plan)
{
    struct sj_buf sql;
    sj_buf_init(&sql, SJ_CC_SQL_MAX);
    sj_buf_append_cstr(&sql, "WITH\n");
    sj_buf_append_str(&sql, sj_buf_str(&cc->ctes));
    sj_buf_append_cstr(&sql, "\n");
    sj_buf_append_cstr(&sql, ns->lead_select);
    if (sj_buf_append_cstr(&sql, "\nORDER BY \"subject\", _ev") < 0) {
        sj_buf_release(&sql);
        return sj_cc_fail(cc, SJ_ETOOBIG, "模型编译出的查询太长（超过 %zu 字节）", SJ_CC_SQL_MAX);
    }
    plan->sql = sj_buf_detach(&sql, NULL);
    plan->column_count = ns->lead_col_count + 1;
    plan->columns = sj_xcalloc(plan->column_count, sizeof *plan->columns);
    plan->column_kinds = sj_xcalloc(plan->column_count, sizeof *plan->column_kinds);
    for (size_t i = 0; i < ns->lead_col_count; i++) {
        plan->columns[i] = sj_xstrdup(ns->lead_cols[i].name);
        plan->column_kinds[i] = ns->lead_cols[i].kind;
    }
    plan->columns[ns->lead_col_count] = sj_xstrdup("_ev");
    plan->column_kinds[ns->lead_col_count] = SJ_KIND_TEXT;
    plan->values = cc->values;
    plan->value_count = cc->value_count;
    plan->datasets = cc->datasets;
    plan->dataset_count = cc->dataset_count;
    plan->resolved = cc->resolved;
    plan->resolved_count = cc->resolved_count;
    plan->indexes = cc->indexes;
    plan->index_count = cc->index_count;
    plan->lists_indexes = !cc->wants_all_indexes;
    cc->indexes = NULL;
    cc->index_count = 0;
    cc->values = NULL;
    cc->value_count = 0;
    cc->datasets = NULL;
    cc->dataset_count = 0;
    cc->resolved = NULL;
    cc->resolved_count = 0;
    return 0;
}

int sj_model_compile(struct sj_store *store, const struct sj_model *model,
                     const struct sj_model_run_opts *opts, struct sj_model_plan *plan,
                     struct sj_err *err)
{
    static const struct sj_model_run_opts no_opts;
    struct sj_cc cc = {.store = store, .opts = opts ? opts : &no_opts, .err = err};
    struct sj_cc_ns ns = {.prefix = sj_xstrdup(""), .choice_prefix = sj_xstrdup("")};
    memset(plan, 0, sizeof *plan);
    sj_err_clear(err);
    sj_buf_init(&cc.ctes, SJ_CC_SQL_MAX);
    int rc = check_model(&cc, model);
    if (rc == 0)
        rc = check_choices(&cc, model);
    if (rc == 0)
        rc = sj_cc_compile_model(&cc, model, &ns);
    if (rc == 0)
        rc = fill_plan(&cc, &ns, plan);
    sj_cc_ns_release(&ns);
    cc_release(&cc);
    if (rc < 0)
        sj_model_plan_release(plan);
    return rc;
}
