/*
 * compile_use.c - the lead's SELECT, and the two steps that bring in other queries:
 * use-model (子母模型: another model of the toolbox compiled inline, its CTEs and values
 * prefixed "m<N>_", so its leads or rows become a relation of this model) and sql (a
 * technician's raw SELECT over the earlier steps' names, with parameters as :name).
 *
 * Invariants: a model cannot use itself, directly or through others (the stack of models
 * being compiled is checked); the lead rows all have a subject (rows without one cannot
 * become a lead, whose id is derived from it); a raw query is one read-only SELECT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/compile_int.h"
#include "shujian/plan.h"

/* ---- The lead ------------------------------------------------------------------------------- */

/* The next piece of a title template at *s: 1 for a {field} (its name in *piece), 0 for
 * literal text, -1 at the end. A brace without a matching one is literal text. */
static int title_piece(const char **s, struct sj_str *piece)
{
    const char *p = *s;
    if (!*p)
        return -1;
    if (*p == '{') {
        const char *close = strchr(p + 1, '}'), *open = strchr(p + 1, '{');
        if (close && close > p + 1 && (!open || open > close)) {
            *piece = sj_str_trim(sj_str_make(p + 1, (size_t)(close - p - 1)));
            *s = close + 1;
            return 1;
        }
        *piece = sj_str_make(p, 1);
        *s = p + 1;
        return 0;
    }
    const char *q = p;
    while (*q && *q != '{')
        q++;
    *piece = sj_str_make(p, (size_t)(q - p));
    *s = q;
    return 0;
}

/* Adds a column to the lead's output once; "subject" is reserved for the subject. */
static int lead_add(struct sj_cc_ns *ns, const struct sj_cc_rel *rel, const char *name)
{
    const struct sj_model_lead *lead = &ns->model->lead;
    long i = sj_cc_col_find(rel, name);
    if (i < 0)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "线索引用的列“%s”在“%s”中不存在", name, rel->name);
    if (strcasecmp(name, "subject") == 0 && strcmp(name, lead->subject) != 0)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "线索的列不能叫“%s”（这个名字留给 subject）", name);
    for (size_t j = 0; j < ns->lead_col_count; j++) {
        if (strcasecmp(ns->lead_cols[j].name, name) == 0)
            return 0;
    }
    ns->lead_cols = sj_xrealloc(ns->lead_cols, (ns->lead_col_count + 1) * sizeof *ns->lead_cols);
    ns->lead_cols[ns->lead_col_count].name = sj_xstrdup(name);
    ns->lead_cols[ns->lead_col_count++].kind = rel->cols[i].kind;
    return 0;
}

static int lead_cols(struct sj_cc_ns *ns, const struct sj_cc_rel *rel)
{
    const struct sj_model_lead *lead = &ns->model->lead;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < lead->evidence_count; i++)
        rc = lead_add(ns, rel, lead->evidence[i]);
    const char *s = lead->title ? lead->title : "";
    struct sj_str piece;
    int kind;
    while (rc == 0 && (kind = title_piece(&s, &piece)) >= 0) {
        if (kind == 0)
            continue;
        char *name = sj_xstrndup(piece.ptr, piece.len);
        rc = lead_add(ns, rel, name);
        free(name);
    }
    return rc;
}

/* Rows without a subject cannot be leads. A normalised value is never '' (empty cells are
 * NULL), and grouping and join keys are never NULL, so the test is left out where it
 * cannot fail: a filter over an aggregate is not free in SQLite. */
static void subject_filter(const struct sj_cc_col *col, struct sj_buf *sql)
{
    bool may_be_empty = col->kind == SJ_KIND_TEXT || col->kind == SJ_KIND_AUTO;
    if (col->is_not_null && !may_be_empty)
        return;
    /* unary + keeps SQLite from reading the whole table through the subject's index */
    sj_buf_append_cstr(sql, " WHERE +");
    sj_cc_quote(sql, col->name);
    sj_buf_append_cstr(sql, col->is_not_null ? " <> ''" : " IS NOT NULL");
    if (!col->is_not_null && may_be_empty) {
        sj_buf_append_cstr(sql, " AND ");
        sj_cc_quote(sql, col->name);
        sj_buf_append_cstr(sql, " <> ''");
    }
}

int sj_cc_compile_lead(struct sj_cc_ns *ns)
{
    const struct sj_model_lead *lead = &ns->model->lead;
    const struct sj_cc_rel *rel = sj_cc_rel_find(ns, lead->from);
    if (!rel)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "线索的 from 引用了不存在的步骤“%s”", lead->from);
    long subject = sj_cc_col_find(rel, lead->subject);
    if (subject < 0)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "线索的 subject 列“%s”在“%s”中不存在", lead->subject,
                          rel->name);
    ns->lead_cols = sj_xcalloc(1, sizeof *ns->lead_cols);
    ns->lead_cols[0].name = sj_xstrdup("subject");
    ns->lead_cols[0].kind = rel->cols[subject].kind;
    ns->lead_col_count = 1;
    int rc = lead_cols(ns, rel);
    if (rc < 0)
        return rc;
    struct sj_buf sql;
    sj_buf_init(&sql, SJ_CC_SQL_MAX);
    sj_buf_append_cstr(&sql, "SELECT ");
    sj_cc_quote(&sql, lead->subject);
    sj_buf_append_cstr(&sql, " AS \"subject\", ");
    for (size_t i = 1; i < ns->lead_col_count; i++) {
        sj_cc_quote(&sql, ns->lead_cols[i].name);
        sj_buf_append_cstr(&sql, ", ");
    }
    sj_buf_append_cstr(&sql, "_ev FROM ");
    sj_cc_quote(&sql, rel->cte);
    subject_filter(&rel->cols[subject], &sql);
    ns->lead_select = sj_buf_detach(&sql, NULL);
    return 0;
}

/* ---- use-model ------------------------------------------------------------------------------ */

/* The child's lead title rendered in SQL over its lead rows: literal pieces bound, amounts
 * shown in yuan. */
static void title_sql(struct sj_cc_ns *child, struct sj_buf *out)
{
    const char *s = child->model->lead.title ? child->model->lead.title : "";
    struct sj_str piece;
    int kind;
    size_t n = 0;
    while ((kind = title_piece(&s, &piece)) >= 0) {
        if (n++)
            sj_buf_append_cstr(out, " || ");
        char *text = sj_xstrndup(piece.ptr, piece.len);
        enum sj_kind field_kind = SJ_KIND_TEXT;
        for (size_t i = 0; kind == 1 && i < child->lead_col_count; i++) {
            if (strcasecmp(child->lead_cols[i].name, text) == 0)
                field_kind = child->lead_cols[i].kind;
        }
        if (kind == 0) {
            sj_buf_appendf(out, ":%s", sj_cc_bind_text(child->cc, SJ_PARAM_TEXT, text));
        } else if (field_kind == SJ_KIND_AMOUNT) {
            sj_buf_append_cstr(out, "coalesce(printf('%.2f元', ");
            sj_cc_quote(out, text);
            sj_buf_append_cstr(out, " / 100.0), '')");
        } else {
            sj_buf_append_cstr(out, "coalesce(CAST(");
            sj_cc_quote(out, text);
            sj_buf_append_cstr(out, " AS TEXT), '')");
        }
        free(text);
    }
    if (n == 0)
        sj_buf_append_cstr(out, "''");
}

static int use_body(struct sj_cc_ns *ns, const struct sj_model_step *step, struct sj_cc_ns *child,
                    const char *lead_cte, struct sj_cc_rel *rel, struct sj_buf *body)
{
    if (step->as_rows) {
        for (size_t i = 0; i < child->lead_col_count; i++)
            sj_cc_rel_add_col(rel, child->lead_cols[i].name, child->lead_cols[i].kind)
                ->is_not_null = i == 0;
        sj_buf_append_cstr(body, "SELECT ");
        sj_cc_select_cols(body, rel, NULL);
        sj_buf_append_cstr(body, " FROM ");
        sj_cc_quote(body, lead_cte);
        return 0;
    }
    sj_cc_rel_add_col(rel, "subject", child->lead_cols[0].kind)->is_not_null = true;
    sj_cc_rel_add_col(rel, "title", SJ_KIND_TEXT);
    sj_buf_append_cstr(body, "SELECT \"subject\", min(\"title\") AS \"title\", "
                             "group_concat(_ev, ',') AS _ev FROM (SELECT \"subject\", ");
    title_sql(child, body);
    sj_buf_append_cstr(body, " AS \"title\", _ev FROM ");
    sj_cc_quote(body, lead_cte);
    sj_buf_append_cstr(body, ") GROUP BY \"subject\"");
    return 0;
}

int sj_cc_step_use_model(struct sj_cc_ns *ns, const struct sj_model_step *step)
{
    struct sj_cc *cc = ns->cc;
    const struct sj_toolbox *toolbox = cc->opts->toolbox;
    const struct sj_model *model =
        toolbox && step->model ? sj_toolbox_find(toolbox, step->model) : NULL;
    if (!model)
        return sj_cc_fail(cc, SJ_ENOTFOUND, "步骤“%s”要用的模型“%s”不在模型库中", step->id,
                          step->model ? step->model : "");
    char prefix[32], choice_prefix[300], base[300];
    snprintf(prefix, sizeof prefix, "m%u_", ++cc->child_count);
    snprintf(choice_prefix, sizeof choice_prefix, "%s.", model->id);
    struct sj_cc_ns child = {.prefix = sj_xstrdup(prefix),
                             .choice_prefix = sj_xstrdup(choice_prefix)};
    struct sj_buf body;
    sj_buf_init(&body, SJ_CC_SQL_MAX);
    int rc = sj_cc_compile_model(cc, model, &child);
    const char *lead_cte = NULL;
    if (rc == 0) {
        lead_cte = sj_cc_name(cc, "%slead", prefix);
        rc = sj_cc_add_cte(cc, lead_cte, SJ_CTE_INLINE, child.lead_select);
    }
    if (rc == 0) {
        snprintf(base, sizeof base, "%ss_%s", ns->prefix, step->id);
        struct sj_cc_rel *rel = sj_cc_rel_add(ns, step->id);
        rel->parts = sj_xcalloc(1, sizeof *rel->parts);
        rel->parts[0] = sj_cc_name(cc, "%s", base);
        rel->part_count = 1;
        rc = use_body(ns, step, &child, lead_cte, rel, &body);
        if (rc == 0)
            rc = sj_cc_add_cte(cc, rel->parts[0], step->as_rows ? SJ_CTE_INLINE : SJ_CTE_DEFAULT,
                               sj_buf_cstr(&body));
        if (rc == 0)
            rc = sj_cc_emit_union(cc, rel, base);
    }
    if (rc < 0 && cc->err) {
        char why[sizeof cc->err->message];
        snprintf(why, sizeof why, "%s", cc->err->message);
        sj_cc_fail(cc, rc, "步骤“%s”使用的模型“%s”：%s", step->id, model->id, why);
    }
    sj_buf_release(&body);
    sj_cc_ns_release(&child);
    return rc;
}

/* ---- sql ------------------------------------------------------------------------------------ */

/* The raw query without trailing white space and semicolons. */
static struct sj_str raw_query(const char *query)
{
    struct sj_str q = sj_str_trim(sj_str_from_cstr(query));
    while (q.len &&
           (q.ptr[q.len - 1] == ';' || q.ptr[q.len - 1] == ' ' || q.ptr[q.len - 1] == '\n' ||
            q.ptr[q.len - 1] == '\t' || q.ptr[q.len - 1] == '\r'))
        q.len--;
    return q;
}

/* Length of a leading keyword of q (case-insensitive, then white space), or 0. */
static size_t leading_word(struct sj_str q, const char *word)
{
    size_t n = strlen(word);
    if (q.len <= n || strncasecmp(q.ptr, word, n) != 0 ||
        (q.ptr[n] != ' ' && q.ptr[n] != '\n' && q.ptr[n] != '\t' && q.ptr[n] != '\r'))
        return 0;
    return n + 1;
}

/* "WITH <each input and earlier step under its own name>, <the query's own CTEs> <query>". */
static int sql_body(struct sj_cc_ns *ns, const struct sj_model_step *step, struct sj_buf *body)
{
    struct sj_str q = raw_query(step->query ? step->query : "");
    if (q.len == 0)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "sql 步骤“%s”的 query 为空", step->id);
    size_t with = leading_word(q, "with");
    size_t recursive =
        with ? leading_word(sj_str_make(q.ptr + with, q.len - with), "recursive") : 0;
    if (ns->rel_count == 0) {
        sj_buf_append(body, q.ptr, q.len);
        return 0;
    }
    sj_buf_append_cstr(body, recursive ? "WITH RECURSIVE " : "WITH ");
    for (size_t i = 0; i < ns->rel_count; i++) {
        const struct sj_cc_rel *rel = ns->rels[i];
        for (size_t j = 0; j < ns->cc->name_count; j++) {
            if (strcasecmp(ns->cc->names[j], rel->name) == 0)
                return sj_cc_fail(ns->cc, SJ_EINVAL,
                                  "sql 步骤“%s”：名称“%s”与编译器内部的表名冲突，请给它换个名字",
                                  step->id, rel->name);
        }
        sj_buf_append_cstr(body, i ? ",\n    " : "");
        sj_cc_quote(body, rel->name);
        sj_buf_append_cstr(body, " AS NOT MATERIALIZED (SELECT * FROM ");
        sj_cc_quote(body, rel->cte);
        sj_buf_putc(body, ')');
    }
    if (with)
        sj_buf_append_cstr(body, ",\n  ");
    else
        sj_buf_append_cstr(body, "\n  ");
    sj_buf_append(body, q.ptr + with + recursive, q.len - with - recursive);
    return 0;
}

/* The result columns of the raw CTE, by preparing the query so far. */
static int sql_columns(struct sj_cc_ns *ns, const struct sj_model_step *step, const char *raw,
                       struct sj_cc_rel *rel, bool *has_ev)
{
    struct sj_cc *cc = ns->cc;
    char **names = NULL;
    size_t count = 0;
    struct sj_buf probe;
    sj_buf_init(&probe, SJ_CC_SQL_MAX + 64);
    sj_buf_append_cstr(&probe, "WITH\n");
    sj_buf_append_str(&probe, sj_buf_str(&cc->ctes));
    sj_buf_append_cstr(&probe, "\nSELECT * FROM ");
    sj_cc_quote(&probe, raw);
    int rc = sj_store_query_columns(cc->store, sj_buf_cstr(&probe), &names, &count, cc->err);
    sj_buf_release(&probe);
    if (rc < 0 && cc->err) {
        char why[sizeof cc->err->message];
        snprintf(why, sizeof why, "%s", cc->err->message);
        sj_cc_fail(cc, rc, "sql 步骤“%s”：%s", step->id, why);
    }
    *has_ev = false;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        for (size_t j = 0; j < i && rc == 0; j++) {
            if (strcasecmp(names[i], names[j]) == 0)
                rc = sj_cc_fail(cc, SJ_EINVAL, "sql 步骤“%s”的结果有两列都叫“%s”", step->id,
                                names[i]);
        }
        if (rc == 0 && !names[i][0])
            rc = sj_cc_fail(cc, SJ_EINVAL, "sql 步骤“%s”的结果有一列没有名字", step->id);
        else if (rc == 0 && strcasecmp(names[i], "_ev") == 0)
            *has_ev = true;
        else if (rc == 0)
            sj_cc_rel_add_col(rel, names[i], SJ_KIND_AUTO);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return rc;
}

int sj_cc_step_sql(struct sj_cc_ns *ns, const struct sj_model_step *step)
{
    struct sj_cc *cc = ns->cc;
    char base[300];
    bool has_ev = false;
    struct sj_buf body;
    sj_buf_init(&body, SJ_CC_SQL_MAX);
    int rc = sj_cc_bind_plain_params(ns);
    cc->wants_all_indexes = true; /* a raw query may look anything up */
    if (rc == 0)
        rc = sql_body(ns, step, &body);
    const char *raw = rc == 0 ? sj_cc_name(cc, "%ss_%s_sql", ns->prefix, step->id) : NULL;
    if (rc == 0)
        rc = sj_cc_add_cte(cc, raw, SJ_CTE_DEFAULT, sj_buf_cstr(&body));
    snprintf(base, sizeof base, "%ss_%s", ns->prefix, step->id);
    struct sj_cc_rel *rel = rc == 0 ? sj_cc_rel_add(ns, step->id) : NULL;
    if (rc == 0)
        rc = sql_columns(ns, step, raw, rel, &has_ev);
    if (rc == 0) {
        rel->parts = sj_xcalloc(1, sizeof *rel->parts);
        rel->parts[0] = sj_cc_name(cc, "%s", base);
        rel->part_count = 1;
        sj_buf_reset(&body);
        sj_buf_append_cstr(&body, "SELECT ");
        for (size_t i = 0; i < rel->col_count; i++) {
            sj_cc_quote(&body, rel->cols[i].name);
            sj_buf_append_cstr(&body, ", ");
        }
        sj_buf_append_cstr(&body, has_ev ? "_ev FROM " : "'' AS _ev FROM ");
        sj_cc_quote(&body, raw);
        rc = sj_cc_add_cte(cc, rel->parts[0], SJ_CTE_INLINE, sj_buf_cstr(&body));
    }
    if (rc == 0)
        rc = sj_cc_emit_union(cc, rel, base);
    sj_buf_release(&body);
    return rc;
}
