/*
 * compile_steps.c - one CTE per step (docs/MODELS.md, "Operations"): filter, match, exists,
 * absent, count, sum, within and union, and the lead's SELECT. use-model and sql steps are in
 * compile_use.c.
 *
 * Row-wise steps (filter, absent, exists, within, and match up to SJ_CC_PARTS_MAX pairs) keep
 * the parts of a stacked relation separate, and lookups into a stacked relation test each
 * part on its own (an IN list or a NOT EXISTS per part), so SQLite uses each table's index
 * instead of materialising a union. Evidence: filter/absent/exists/within keep from's _ev,
 * match joins both sides', count/sum aggregate theirs (unless only looked into), a within
 * that requires the follow-up adds its _ev. Rows whose grouping key is empty are not grouped
 * together. A step used once is folded into its user; one used by several steps is computed
 * once (SQLite materialises it), and so is a lookup step that a match joins; a lookup on
 * keys no index can serve (trimmed text) goes to a materialised copy, which SQLite indexes
 * automatically. The key columns a join or within looks up in a dataset's table are noted
 * in the plan (sj_cc_want_index), so that the store indexes exactly those.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/compile_int.h"

/* ---- Helpers -------------------------------------------------------------------------------- */

static struct sj_cc_rel *need_rel(struct sj_cc_ns *ns, const struct sj_model_step *step,
                                  const char *name, const char *key)
{
    struct sj_cc_rel *rel = sj_cc_rel_find(ns, name);
    if (!rel)
        sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”的 %s 引用了不存在的输入或步骤“%s”", step->id, key,
                   name ? name : "");
    return rel;
}

static long need_col(struct sj_cc_ns *ns, const struct sj_model_step *step,
                     const struct sj_cc_rel *rel, const char *name)
{
    long i = sj_cc_col_find(rel, name);
    if (i < 0)
        sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”：“%s”中没有列“%s”", step->id, rel->name,
                   name ? name : "");
    return i;
}

static void copy_cols(struct sj_cc_rel *to, const struct sj_cc_rel *from)
{
    for (size_t i = 0; i < from->col_count; i++) {
        struct sj_cc_col *col = sj_cc_rel_add_col(to, from->cols[i].name, from->cols[i].kind);
        col->is_not_null = from->cols[i].is_not_null;
        col->is_lookup_ok = from->cols[i].is_lookup_ok;
    }
}

/* A new relation for step, its rows in parts parts (names made here). */
/* How many steps (and the lead) use the step or input called name. */
static size_t uses_of(const struct sj_model *m, const char *name)
{
    size_t n = m->lead.from && strcmp(m->lead.from, name) == 0;
    for (size_t i = 0; i < m->step_count; i++) {
        const struct sj_model_step *s = &m->steps[i];
        n += (s->from && strcmp(s->from, name) == 0) + (s->other && strcmp(s->other, name) == 0);
        for (size_t u = 0; u < s->union_count; u++)
            n += strcmp(s->union_of[u], name) == 0;
    }
    return n;
}

/* True when name's evidence is never read: every step that uses it only looks into it
 * (absent, exists, a within with missing: true) and the lead does not use it. A model with
 * a sql step may read anything, so there it is always read. */
static bool is_lookup_only(const struct sj_model *m, const char *name)
{
    size_t lookups = 0;
    for (size_t i = 0; i < m->step_count; i++) {
        const struct sj_model_step *s = &m->steps[i];
        bool is_lookup = s->op == SJ_OP_ABSENT || (s->op == SJ_OP_MATCH && s->is_exists) ||
                         (s->op == SJ_OP_WITHIN && s->missing);
        if (s->op == SJ_OP_SQL)
            return false;
        if (s->other && strcmp(s->other, name) == 0 && !is_lookup)
            return false;
        lookups += s->other && strcmp(s->other, name) == 0;
    }
    return lookups > 0 && lookups == uses_of(m, name);
}

/* True when a later match joins name with something: a lookup step (absent, exists,
 * within) it reads is then computed once, before the join (MATERIALIZED). Folded into the
 * join, SQLite may run the lookup once per joined row, after joining a large table. */
static bool is_joined(const struct sj_model *m, const char *name)
{
    for (size_t i = 0; i < m->step_count; i++) {
        const struct sj_model_step *s = &m->steps[i];
        if (s->op == SJ_OP_MATCH && !s->is_exists &&
            ((s->from && strcmp(s->from, name) == 0) || (s->other && strcmp(s->other, name) == 0)))
            return true;
    }
    return false;
}

/* A row-wise step used once is folded into its user (NOT MATERIALIZED), keeping the tables'
 * indexes; one used by several steps is left to SQLite, which computes it once; a lookup
 * step that is joined is computed once (is_joined). */
static enum sj_cc_cte_mode step_mode(const struct sj_cc_rel *rel)
{
    if (rel->is_pinned)
        return SJ_CTE_MATERIALIZED;
    return rel->is_shared ? SJ_CTE_DEFAULT : SJ_CTE_INLINE;
}

static struct sj_cc_rel *step_rel(struct sj_cc_ns *ns, const struct sj_model_step *step,
                                  size_t parts, char *base, size_t base_size)
{
    snprintf(base, base_size, "%ss_%s", ns->prefix, step->id);
    struct sj_cc_rel *rel = sj_cc_rel_add(ns, step->id);
    rel->is_shared = uses_of(ns->model, step->id) > 1;
    rel->is_pinned = (step->op == SJ_OP_ABSENT || step->op == SJ_OP_WITHIN ||
                      (step->op == SJ_OP_MATCH && step->is_exists)) &&
                     is_joined(ns->model, step->id);
    rel->parts = sj_xcalloc(parts + 1, sizeof *rel->parts);
    for (size_t i = 0; i < parts; i++)
        rel->parts[i] = sj_cc_part_name(ns->cc, base, i, parts);
    rel->part_count = parts;
    return rel;
}

/* The parts to look into: rel's own, or its whole union when it has too many. */
static size_t lookup_parts(const struct sj_cc_rel *rel, const char *const **parts)
{
    if (rel->part_count > SJ_CC_PARTS_MAX) {
        *parts = &rel->cte;
        return 1;
    }
    *parts = rel->parts;
    return rel->part_count;
}

/* The parts to look into on step's keys. When no right-hand key can use an index (all are
 * trimmed text, say), lookups go to MATERIALIZED copies of the parts instead, which SQLite
 * indexes automatically; otherwise each lookup would scan the whole table. */
static int lookup_into(struct sj_cc_ns *ns, const struct sj_model_step *step,
                       struct sj_cc_rel *other, const char *const **parts, size_t *count)
{
    *count = lookup_parts(other, parts);
    if (other->is_shared || other->is_pinned)
        return 0; /* materialised by SQLite, which indexes it for the lookup */
    for (size_t k = 0; k < step->key_count; k++) {
        long c = sj_cc_col_find(other, step->keys[k].right);
        if (c >= 0 && other->cols[c].is_lookup_ok)
            return 0;
    }
    int rc = 0;
    if (!other->copies) {
        other->copies = sj_xcalloc(*count, sizeof *other->copies);
        struct sj_buf body;
        sj_buf_init(&body, 0);
        for (size_t i = 0; rc == 0 && i < *count; i++) {
            other->copies[i] = sj_cc_name(ns->cc, "%s_m", (*parts)[i]);
            sj_buf_reset(&body);
            sj_buf_append_cstr(&body, "SELECT * FROM ");
            sj_cc_quote(&body, (*parts)[i]);
            rc = sj_cc_add_cte(ns->cc, other->copies[i], SJ_CTE_MATERIALIZED, sj_buf_cstr(&body));
        }
        sj_buf_release(&body);
    }
    *parts = other->copies;
    return rc;
}

/* Quoted "alias"."column" pairs of the keys: left of from (alias a), right of other (b). */
static int key_sql(struct sj_cc_ns *ns, const struct sj_model_step *step,
                   const struct sj_cc_rel *from, const struct sj_cc_rel *other, struct sj_buf *out)
{
    if (step->key_count == 0)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”缺少 on 条件", step->id);
    for (size_t i = 0; i < step->key_count; i++) {
        if (need_col(ns, step, from, step->keys[i].left) < 0 ||
            need_col(ns, step, other, step->keys[i].right) < 0)
            return SJ_EINVAL;
        sj_buf_append_cstr(out, i ? " AND b." : "b.");
        sj_cc_quote(out, step->keys[i].right);
        sj_buf_append_cstr(out, " = a.");
        sj_cc_quote(out, step->keys[i].left);
    }
    return 0;
}

/* Reports a problem in an expression of a step at its place in the model file. */
static int expr_error(struct sj_cc_ns *ns, const struct sj_model_step *step, const char *key,
                      struct sj_model_pos pos, size_t offset, const char *message)
{
    int rc = sj_cc_fail(ns->cc, SJ_EFORMAT, "步骤“%s”的 %s（第%d行第%d列起）第%zu字节：%s",
                        step->id, key, pos.line, pos.column, offset + 1, message);
    sj_err_at(ns->cc->err, ns->model->path, pos.line, pos.column, key);
    return rc;
}

static int translate(struct sj_cc_ns *ns, const struct sj_model_step *step, const char *key,
                     const char *text, struct sj_model_pos pos, const struct sj_expr_scope *scope,
                     struct sj_buf *out)
{
    struct sj_expr *expr = NULL;
    size_t offset = 0;
    char message[384];
    int rc = sj_expr_parse(text ? text : "", &expr, &offset, message, sizeof message);
    if (rc == 0)
        rc = sj_expr_to_sql(expr, scope, out, &offset, message, sizeof message);
    sj_expr_free(expr);
    return rc < 0 ? expr_error(ns, step, key, pos, offset, message) : 0;
}

/* Columns of a relation by name, quoted (filter conditions). */
static const char *rel_column(const struct sj_expr_scope *scope, const char *name,
                              enum sj_kind *kind, struct sj_buf *scratch)
{
    const struct sj_cc_rel *rel = scope->ctx;
    long i = sj_cc_col_find(rel, name);
    if (i < 0)
        return NULL;
    *kind = rel->cols[i].kind;
    sj_cc_quote(scratch, name);
    return sj_buf_cstr(scratch);
}

/* ---- Columns a materialised step keeps --------------------------------------------------------
 */

/* Conservative: the name appears in the text (an expression, a title). */
static bool mentions(const char *text, const char *name)
{
    return text && strstr(text, name) != NULL;
}

static bool in_list(char *const *list, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++) {
        if (list[i] && strcmp(list[i], name) == 0)
            return true;
    }
    return false;
}

static bool is_key(const struct sj_model_step *s, const char *name, bool is_left)
{
    for (size_t k = 0; k < s->key_count; k++) {
        const char *key = is_left ? s->keys[k].left : s->keys[k].right;
        if (key && strcmp(key, name) == 0)
            return true;
    }
    return false;
}

static bool is_needed(const struct sj_model *m, size_t i, const char *name, int *budget);

/* Whether step s (which reads step i as from, other or a part of its union) may read
 * column name of it. */
static bool reads(const struct sj_model *m, size_t j, const char *id, const char *name, int *budget)
{
    const struct sj_model_step *s = &m->steps[j];
    bool is_from = s->from && strcmp(s->from, id) == 0;
    bool is_other = s->other && strcmp(s->other, id) == 0;
    char renamed[600];
    switch (s->op) {
    case SJ_OP_FILTER:
        return is_from && (mentions(s->where, name) || is_needed(m, j, name, budget));
    case SJ_OP_ABSENT:
    case SJ_OP_WITHIN:
        if (is_other)
            return is_key(s, name, false) || (s->then && strcmp(s->then, name) == 0);
        return is_from && (is_key(s, name, true) || (s->after && strcmp(s->after, name) == 0) ||
                           is_needed(m, j, name, budget));
    case SJ_OP_MATCH:
        if (is_from && (is_key(s, name, true) || is_needed(m, j, name, budget)))
            return true;
        if (!is_other)
            return false;
        snprintf(renamed, sizeof renamed, "%s.%s", id, name);
        return is_key(s, name, false) || (!s->is_exists && (is_needed(m, j, name, budget) ||
                                                            is_needed(m, j, renamed, budget)));
    case SJ_OP_COUNT:
    case SJ_OP_SUM:
        return is_from &&
               (in_list(s->by, s->by_count, name) || (s->of && strcmp(s->of, name) == 0) ||
                (s->distinct && strcmp(s->distinct, name) == 0));
    case SJ_OP_UNION: /* its steps must keep the same columns */
        return in_list(s->union_of, s->union_count, id);
    case SJ_OP_USE_MODEL:
        return false;
    case SJ_OP_SQL:
        return true;
    }
    return true;
}

/* Whether column name of step i may be read by a later step or by the lead. Over-estimates
 * (a name mentioned in a condition or title counts) and gives up (true) when the walk grows
 * long; never drops a column something reads. */
static bool is_needed(const struct sj_model *m, size_t i, const char *name, int *budget)
{
    const struct sj_model_step *st = &m->steps[i];
    const struct sj_model_lead *lead = &m->lead;
    if (--*budget <= 0 || i + 1 >= m->step_count || !st->id)
        return true; /* the last step's rows may be another model's (use-model as: rows) */
    if (lead->from && strcmp(lead->from, st->id) == 0 &&
        ((lead->subject && strcmp(lead->subject, name) == 0) ||
         in_list(lead->evidence, lead->evidence_count, name) || mentions(lead->title, name)))
        return true;
    for (size_t j = i + 1; j < m->step_count; j++) {
        if (m->steps[j].op == SJ_OP_SQL || reads(m, j, st->id, name, budget))
            return true;
    }
    return false;
}

/* Copies from's columns to the relation of step: all of them when its CTE is folded into
 * its user (SQLite drops what is not read), only those read later when SQLite materialises
 * it, so a copy of a large table does not carry columns nobody reads. */
static void copy_needed_cols(struct sj_cc_ns *ns, const struct sj_model_step *step,
                             struct sj_cc_rel *to, const struct sj_cc_rel *from)
{
    const struct sj_model *m = ns->model;
    size_t index = (size_t)(step - m->steps);
    int budget = 4096;
    for (size_t i = 0; i < from->col_count; i++) {
        if (step_mode(to) != SJ_CTE_INLINE && index < m->step_count &&
            !is_needed(m, index, from->cols[i].name, &budget))
            continue;
        struct sj_cc_col *col = sj_cc_rel_add_col(to, from->cols[i].name, from->cols[i].kind);
        col->is_not_null = from->cols[i].is_not_null;
        col->is_lookup_ok = from->cols[i].is_lookup_ok;
    }
}

/* ---- filter --------------------------------------------------------------------------------- */

static int step_filter(struct sj_cc_ns *ns, const struct sj_model_step *step)
{
    char base[300];
    struct sj_cc_rel *from = need_rel(ns, step, step->from, "from");
    if (!from)
        return SJ_EINVAL;
    struct sj_buf cond, body;
    sj_buf_init(&cond, SJ_CC_SQL_MAX);
    sj_buf_init(&body, SJ_CC_SQL_MAX);
    struct sj_expr_scope scope = {ns, rel_column, from};
    int rc = translate(ns, step, "where", step->where, step->where_pos, &scope, &cond);
    struct sj_cc_rel *rel = step_rel(ns, step, from->part_count, base, sizeof base);
    copy_needed_cols(ns, step, rel, from);
    for (size_t i = 0; rc == 0 && i < rel->part_count; i++) {
        sj_buf_reset(&body);
        sj_buf_append_cstr(&body, "SELECT ");
        sj_cc_select_cols(&body, rel, NULL);
        sj_buf_append_cstr(&body, " FROM ");
        sj_cc_quote(&body, from->parts[i]);
        sj_buf_appendf(&body, " WHERE %s", sj_buf_cstr(&cond));
        rc = sj_cc_add_cte(ns->cc, rel->parts[i], step_mode(rel), sj_buf_cstr(&body));
        if (step_mode(rel) == SJ_CTE_INLINE) /* folded into its user: lookups reach from's table */
            sj_cc_origin_add(ns->cc, rel->parts[i], from->parts[i], -1, NULL, NULL, 0);
    }
    if (rc == 0) {
        rel->filter_from = from;
        rel->filter_where = sj_xstrdup(sj_buf_cstr(&cond));
        rc = sj_cc_emit_union(ns->cc, rel, base);
    }
    sj_buf_release(&cond);
    sj_buf_release(&body);
    return rc;
}

/* ---- match ---------------------------------------------------------------------------------- */

/* Adds other's columns to rel, renamed "<other>.<column>" where the name is taken; writes
 * the select list of b's columns. */
static int match_cols(struct sj_cc_ns *ns, const struct sj_model_step *step, struct sj_cc_rel *rel,
                      const struct sj_cc_rel *other, struct sj_buf *list)
{
    for (size_t i = 0; i < other->col_count; i++) {
        const char *name = other->cols[i].name;
        char renamed[300];
        snprintf(renamed, sizeof renamed, "%s.%s", other->name, name);
        for (size_t j = 0; j < rel->col_count; j++) {
            if (strcasecmp(rel->cols[j].name, name) == 0)
                name = renamed;
        }
        for (size_t j = 0; name == renamed && j < rel->col_count; j++) {
            if (strcasecmp(rel->cols[j].name, renamed) == 0)
                return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”：列名“%s”重复", step->id, renamed);
        }
        sj_buf_append_cstr(list, "b.");
        sj_cc_quote(list, other->cols[i].name);
        sj_buf_append_cstr(list, " AS ");
        sj_cc_quote(list, name);
        sj_buf_append_cstr(list, ", ");
        sj_cc_rel_add_col(rel, name, other->cols[i].kind)->is_lookup_ok =
            other->cols[i].is_lookup_ok;
    }
    return 0;
}

static int step_match(struct sj_cc_ns *ns, const struct sj_model_step *step)
{
    char base[300];
    struct sj_cc_rel *from = need_rel(ns, step, step->from, "from");
    struct sj_cc_rel *other = from ? need_rel(ns, step, step->other, "with") : NULL;
    if (!other)
        return SJ_EINVAL;
    const char *const *fparts, *const *oparts;
    size_t fn = lookup_parts(from, &fparts), on = 0;
    if (lookup_into(ns, step, other, &oparts, &on) < 0)
        return SJ_ETOOBIG;
    if (fn * on > SJ_CC_PARTS_MAX) {
        fparts = &from->cte;
        fn = 1;
    }
    struct sj_buf keys, list, body;
    sj_buf_init(&keys, SJ_CC_SQL_MAX);
    sj_buf_init(&list, SJ_CC_SQL_MAX);
    sj_buf_init(&body, SJ_CC_SQL_MAX);
    struct sj_cc_rel *rel = step_rel(ns, step, fn * on, base, sizeof base);
    copy_cols(rel, from);
    for (size_t i = 0; i < from->col_count; i++) {
        sj_buf_append_cstr(&list, "a.");
        sj_cc_quote(&list, from->cols[i].name);
        sj_buf_append_cstr(&list, ", ");
    }
    int rc = key_sql(ns, step, from, other, &keys);
    if (rc == 0)
        rc = match_cols(ns, step, rel, other, &list);
    for (size_t k = 0; rc == 0 && k < step->key_count; k++) {
        rel->cols[sj_cc_col_find(rel, step->keys[k].left)].is_not_null = true;
        /* other's key column is the one added for other's column of that name */
        long r = sj_cc_col_find(other, step->keys[k].right);
        rel->cols[from->col_count + (size_t)r].is_not_null = true;
    }
    for (size_t i = 0; rc == 0 && i < on * step->key_count; i++)
        sj_cc_want_index(ns->cc, oparts[i / step->key_count],
                         step->keys[i % step->key_count].right);
    for (size_t i = 0; rc == 0 && i < fn * on; i++) {
        sj_buf_reset(&body);
        sj_buf_appendf(&body, "SELECT %sa._ev || ',' || b._ev AS _ev FROM ", sj_buf_cstr(&list));
        sj_cc_quote(&body, fparts[i / on]);
        sj_buf_append_cstr(&body, " a JOIN ");
        sj_cc_quote(&body, oparts[i % on]);
        sj_buf_appendf(&body, " b ON %s", sj_buf_cstr(&keys));
        rc = sj_cc_add_cte(ns->cc, rel->parts[i], step_mode(rel), sj_buf_cstr(&body));
    }
    if (rc == 0)
        rc = sj_cc_emit_union(ns->cc, rel, base);
    sj_buf_release(&keys);
    sj_buf_release(&list);
    sj_buf_release(&body);
    return rc;
}

/* ---- absent and within ---------------------------------------------------------------------- */

/* One row-wise step over from's parts: SELECT a.cols, <ev> FROM part a WHERE <cond>. */
static int emit_rowwise(struct sj_cc_ns *ns, const struct sj_model_step *step,
                        const struct sj_cc_rel *from, const char *ev, const char *cond)
{
    char base[300];
    struct sj_buf body;
    sj_buf_init(&body, SJ_CC_SQL_MAX);
    struct sj_cc_rel *rel = step_rel(ns, step, from->part_count, base, sizeof base);
    copy_needed_cols(ns, step, rel, from);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < rel->part_count; i++) {
        sj_buf_reset(&body);
        sj_buf_append_cstr(&body, "SELECT ");
        for (size_t c = 0; c < rel->col_count; c++) {
            sj_buf_append_cstr(&body, "a.");
            sj_cc_quote(&body, rel->cols[c].name);
            sj_buf_append_cstr(&body, ", ");
        }
        sj_buf_appendf(&body, "%s AS _ev FROM ", ev);
        sj_cc_quote(&body, from->parts[i]);
        sj_buf_appendf(&body, " a WHERE %s", cond);
        rc = sj_cc_add_cte(ns->cc, rel->parts[i], step_mode(rel), sj_buf_cstr(&body));
        if (step_mode(rel) == SJ_CTE_INLINE)
            sj_cc_origin_add(ns->cc, rel->parts[i], from->parts[i], -1, NULL, NULL, 0);
    }
    if (rc == 0)
        rc = sj_cc_emit_union(ns->cc, rel, base);
    sj_buf_release(&body);
    return rc;
}

/* The parts of a lookup: names and how many. */
struct lookup {
    const char *const *parts;
    size_t count;
};

/* "(SELECT what FROM part b WHERE match)" for each part looked into, joined with glue. */
static void each_part(struct sj_buf *out, const struct lookup *in, const char *before,
                      const char *what, const char *match, const char *after, const char *glue)
{
    const char *const *parts = in->parts;
    size_t n = in->count;
    for (size_t i = 0; i < n; i++) {
        sj_buf_appendf(out, "%s%s(SELECT %s FROM ", i ? glue : "", before, what);
        sj_cc_quote(out, parts[i]);
        sj_buf_appendf(out, " b WHERE %s)%s", match, after);
    }
}

/* "a.k" or "(a.k1, a.k2)", and "b.r" or "b.r1, b.r2": the keys of an IN lookup. */
static int in_keys(struct sj_cc_ns *ns, const struct sj_model_step *step,
                   const struct sj_cc_rel *from, const struct sj_cc_rel *other, struct sj_buf *lhs,
                   struct sj_buf *rhs)
{
    if (step->key_count == 0)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”缺少 on 条件", step->id);
    sj_buf_append_cstr(lhs, step->key_count > 1 ? "(" : "");
    for (size_t i = 0; i < step->key_count; i++) {
        if (need_col(ns, step, from, step->keys[i].left) < 0 ||
            need_col(ns, step, other, step->keys[i].right) < 0)
            return SJ_EINVAL;
        sj_buf_append_cstr(lhs, i ? ", a." : "a.");
        sj_cc_quote(lhs, step->keys[i].left);
        sj_buf_append_cstr(rhs, i ? ", b." : "b.");
        sj_cc_quote(rhs, step->keys[i].right);
    }
    sj_buf_append_cstr(lhs, step->key_count > 1 ? ")" : "");
    return 0;
}

/* absent (有A无B) and exists (有A有B): from's rows, each once, with from's columns and
 * evidence. Written as IN over each part of `in`, which SQLite evaluates once per query (a
 * list built from the table's index of the key, which the plan asks for, else one temporary
 * index), not once per row.
 * coalesce(..., 0) makes "no equal row" true for NULL keys as NOT EXISTS would. */
static int step_absent(struct sj_cc_ns *ns, const struct sj_model_step *step)
{
    struct sj_cc_rel *from = need_rel(ns, step, step->from, "from");
    struct sj_cc_rel *other = from ? need_rel(ns, step, step->other, "in") : NULL;
    bool is_exists = step->op == SJ_OP_MATCH;
    if (!other)
        return SJ_EINVAL;
    struct sj_buf lhs, rhs, cond;
    sj_buf_init(&lhs, SJ_CC_SQL_MAX);
    sj_buf_init(&rhs, SJ_CC_SQL_MAX);
    sj_buf_init(&cond, SJ_CC_SQL_MAX);
    struct lookup in;
    in.count = lookup_parts(other, &in.parts);
    int rc = in_keys(ns, step, from, other, &lhs, &rhs);
    /* With an index on its one key, SQLite reads the IN list from the index in key order
     * (tax-not-transferred at scale 1000: 0.22 s instead of 0.75 s); a list of several keys
     * gains nothing from single-column indexes. */
    for (size_t i = 0; rc == 0 && step->key_count == 1 && i < in.count; i++)
        sj_cc_want_index(ns->cc, in.parts[i], step->keys[0].right);
    for (size_t i = 0; rc == 0 && i < in.count; i++) {
        if (i)
            sj_buf_append_cstr(&cond, is_exists ? " OR " : " AND ");
        sj_buf_appendf(&cond, "%s%s IN (SELECT %s FROM ", is_exists ? "" : "NOT coalesce(",
                       sj_buf_cstr(&lhs), sj_buf_cstr(&rhs));
        sj_cc_quote(&cond, in.parts[i]);
        sj_buf_append_cstr(&cond, is_exists ? " b)" : " b), 0)");
    }
    if (rc == 0 && is_exists && in.count > 1) {
        struct sj_buf wrapped;
        sj_buf_init(&wrapped, SJ_CC_SQL_MAX);
        sj_buf_appendf(&wrapped, "(%s)", sj_buf_cstr(&cond));
        rc = emit_rowwise(ns, step, from, "a._ev", sj_buf_cstr(&wrapped));
        sj_buf_release(&wrapped);
    } else if (rc == 0) {
        rc = emit_rowwise(ns, step, from, "a._ev", sj_buf_cstr(&cond));
    }
    sj_buf_release(&lhs);
    sj_buf_release(&rhs);
    sj_buf_release(&cond);
    return rc;
}

/* The window of a within step: ":name" of a days parameter or of a bound literal. */
static int within_days(struct sj_cc_ns *ns, const struct sj_model_step *step, char *out,
                       size_t size)
{
    const char *days = step->days ? step->days : "";
    struct sj_norm_result r;
    if (days[0] == '$') {
        long i = sj_cc_param_find(ns, days + 1);
        if (i < 0)
            return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”的 days 用了未定义的参数“%s”", step->id,
                              days);
        enum sj_param_type type = ns->model->params[i].type;
        if (type != SJ_PARAM_DAYS && type != SJ_PARAM_INTEGER)
            return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”的 days 参数“%s”应为天数（type: days）",
                              step->id, days);
        snprintf(out, size, ":%s", ns->param_names[i]);
        return 0;
    }
    struct sj_str text = sj_str_trim(sj_str_from_cstr(days));
    if (sj_str_has_suffix(text, SJ_STR_LIT("天")))
        text.len -= strlen("天");
    if (!sj_norm_integer(text, &r) || r.number < 0)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”的 days“%s”应为不小于 0 的整数或 $参数",
                          step->id, days);
    snprintf(out, size, ":%s", sj_cc_bind_int(ns->cc, SJ_PARAM_DAYS, r.number));
    return 0;
}

static int within_cond(struct sj_cc_ns *ns, const struct sj_model_step *step,
                       const struct sj_cc_rel *from, const struct sj_cc_rel *other,
                       const char *days, struct sj_buf *match)
{
    int rc = key_sql(ns, step, from, other, match);
    if (rc < 0 || need_col(ns, step, from, step->after) < 0 ||
        need_col(ns, step, other, step->then) < 0)
        return SJ_EINVAL;
    /* Calendar days: then's date is after's date or one of the next `days` days. Dates and
     * date-times are ISO text, so a date-time on the last day is below the day after it. */
    sj_buf_append_cstr(match, " AND b.");
    sj_cc_quote(match, step->then);
    sj_buf_append_cstr(match, " >= date(a.");
    sj_cc_quote(match, step->after);
    sj_buf_append_cstr(match, ") AND b.");
    sj_cc_quote(match, step->then);
    sj_buf_append_cstr(match, " < date(a.");
    sj_cc_quote(match, step->after);
    sj_buf_appendf(match, ", printf('+%%d days', %s + 1))", days);
    return 0;
}

/* missing: true keeps rows whose window has closed (after + days is before today) with no
 * follow-up in it; missing: false keeps rows with one, and adds the follow-ups' evidence. */
static int step_within(struct sj_cc_ns *ns, const struct sj_model_step *step)
{
    struct sj_cc_rel *from = need_rel(ns, step, step->from, "from");
    struct sj_cc_rel *other = from ? need_rel(ns, step, step->other, "in") : NULL;
    if (!other)
        return SJ_EINVAL;
    char days[300];
    struct sj_buf match, cond, ev;
    sj_buf_init(&match, SJ_CC_SQL_MAX);
    sj_buf_init(&cond, SJ_CC_SQL_MAX);
    sj_buf_init(&ev, SJ_CC_SQL_MAX);
    struct lookup in;
    int rc = within_days(ns, step, days, sizeof days);
    if (rc == 0)
        rc = within_cond(ns, step, from, other, days, &match);
    if (rc == 0)
        rc = lookup_into(ns, step, other, &in.parts, &in.count);
    for (size_t i = 0; rc == 0 && i < in.count * step->key_count; i++)
        sj_cc_want_index(ns->cc, in.parts[i / step->key_count],
                         step->keys[i % step->key_count].right);
    if (rc == 0 && step->missing) {
        int y, m, d;
        char today[16];
        sj_norm_get_today(&y, &m, &d);
        snprintf(today, sizeof today, "%04d-%02d-%02d", y, m, d);
        /* the window has closed: its last day is before today */
        sj_buf_append_cstr(&cond, "date(a.");
        sj_cc_quote(&cond, step->after);
        sj_buf_appendf(&cond, ", printf('+%%d days', %s)) < :", days);
        sj_buf_append_cstr(&cond, sj_cc_bind_text(ns->cc, SJ_PARAM_DATE, today));
        sj_buf_append_cstr(&cond, " AND ");
        each_part(&cond, &in, "NOT EXISTS ", "1", sj_buf_cstr(&match), "", " AND ");
        rc = emit_rowwise(ns, step, from, "a._ev", sj_buf_cstr(&cond));
    } else if (rc == 0) {
        sj_buf_putc(&cond, '(');
        each_part(&cond, &in, "EXISTS ", "1", sj_buf_cstr(&match), "", " OR ");
        sj_buf_putc(&cond, ')');
        sj_buf_append_cstr(&ev, "a._ev || ");
        each_part(&ev, &in, "coalesce(',' || ", "group_concat(b._ev, ',')", sj_buf_cstr(&match),
                  ", '')", " || ");
        rc = emit_rowwise(ns, step, from, sj_buf_cstr(&ev), sj_buf_cstr(&cond));
    }
    sj_buf_release(&match);
    sj_buf_release(&cond);
    sj_buf_release(&ev);
    return rc;
}

/* ---- count and sum -------------------------------------------------------------------------- */

/* count(DISTINCT column) of from, not counting empty values: a column of a kind other than
 * text and auto holds a normalised value, which is NULL or not empty (src/store/import.c),
 * so count(DISTINCT) alone skips them; text needs nullif(column, ''), which costs a call
 * per row. */
static void distinct_count(struct sj_buf *sql, const struct sj_cc_rel *from, const char *column)
{
    long c = sj_cc_col_find(from, column);
    bool is_normalised =
        c >= 0 && from->cols[c].kind != SJ_KIND_TEXT && from->cols[c].kind != SJ_KIND_AUTO;
    sj_buf_append_cstr(sql, is_normalised ? "count(DISTINCT " : "count(DISTINCT nullif(");
    sj_cc_quote(sql, column);
    sj_buf_append_cstr(sql, is_normalised ? ")" : ", ''))");
}

struct group_scope {
    const struct sj_cc_rel *from;
    const struct sj_model_step *step;
};

/* In a having: the by columns, count (count(*)) and sum (sum of the of column). */
static const char *group_column(const struct sj_expr_scope *scope, const char *name,
                                enum sj_kind *kind, struct sj_buf *scratch)
{
    const struct group_scope *g = scope->ctx;
    const struct sj_model_step *step = g->step;
    for (size_t i = 0; i < step->by_count; i++) {
        if (strcmp(step->by[i], name) == 0)
            return rel_column(&(struct sj_expr_scope){scope->ns, rel_column, g->from}, name, kind,
                              scratch);
    }
    if (step->op == SJ_OP_COUNT && strcmp(name, "count") == 0) {
        *kind = SJ_KIND_INTEGER;
        if (!step->distinct)
            return "count(*)";
        distinct_count(scratch, g->from, step->distinct);
        return sj_buf_cstr(scratch);
    }
    long of = step->op == SJ_OP_SUM ? sj_cc_col_find(g->from, step->of) : -1;
    if (of < 0 || strcmp(name, "sum") != 0)
        return NULL;
    *kind = g->from->cols[of].kind;
    sj_buf_append_cstr(scratch, "sum(");
    sj_cc_quote(scratch, step->of);
    sj_buf_putc(scratch, ')');
    return sj_buf_cstr(scratch);
}

static int check_group(struct sj_cc_ns *ns, const struct sj_model_step *step,
                       const struct sj_cc_rel *from, enum sj_kind *sum_kind)
{
    const char *agg = step->op == SJ_OP_COUNT ? "count" : "sum";
    if (step->by_count == 0)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”缺少 by（按哪些列分组）", step->id);
    for (size_t i = 0; i < step->by_count; i++) {
        if (need_col(ns, step, from, step->by[i]) < 0)
            return SJ_EINVAL;
        if (strcasecmp(step->by[i], agg) == 0)
            return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”：分组列不能叫“%s”", step->id, agg);
    }
    *sum_kind = SJ_KIND_INTEGER;
    if (step->op == SJ_OP_COUNT)
        return step->distinct && need_col(ns, step, from, step->distinct) < 0 ? SJ_EINVAL : 0;
    long of = need_col(ns, step, from, step->of);
    if (of < 0)
        return SJ_EINVAL;
    *sum_kind = from->cols[of].kind;
    if (*sum_kind != SJ_KIND_AMOUNT && *sum_kind != SJ_KIND_INTEGER &&
        *sum_kind != SJ_KIND_NUMBER && *sum_kind != SJ_KIND_AUTO)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”：sum 的列“%s”是%s，应为金额或数字", step->id,
                          step->of, sj_kind_label(*sum_kind));
    return 0;
}

static void group_body(const struct sj_model_step *step, const struct sj_cc_rel *from,
                       const char *having, bool has_ev, struct sj_buf *body)
{
    struct sj_buf by;
    sj_buf_init(&by, SJ_CC_SQL_MAX);
    for (size_t i = 0; i < step->by_count; i++) {
        if (i)
            sj_buf_append_cstr(&by, ", ");
        sj_cc_quote(&by, step->by[i]);
    }
    sj_buf_appendf(body, "SELECT %s, ", sj_buf_cstr(&by));
    if (step->op == SJ_OP_COUNT && step->distinct) {
        distinct_count(body, from, step->distinct);
        sj_buf_append_cstr(body, " AS \"count\"");
    } else if (step->op == SJ_OP_COUNT) {
        sj_buf_append_cstr(body, "count(*) AS \"count\"");
    } else {
        sj_buf_append_cstr(body, "sum(");
        sj_cc_quote(body, step->of);
        sj_buf_append_cstr(body, ") AS \"sum\"");
    }
    /* evidence nobody reads is not gathered: a group only looked into costs one pass */
    sj_buf_append_cstr(body,
                       has_ev ? ", group_concat(_ev, ',') AS _ev FROM " : ", NULL AS _ev FROM ");
    sj_cc_quote(body, from->cte);
    for (size_t i = 0; i < step->by_count; i++) {
        sj_buf_append_cstr(body, i ? " AND " : " WHERE ");
        sj_cc_quote(body, step->by[i]);
        sj_buf_append_cstr(body, " IS NOT NULL");
    }
    sj_buf_appendf(body, " GROUP BY %s", sj_buf_cstr(&by));
    if (having)
        sj_buf_appendf(body, " HAVING %s", having);
    sj_buf_release(&by);
}

static int step_group(struct sj_cc_ns *ns, const struct sj_model_step *step)
{
    char base[300];
    enum sj_kind sum_kind = SJ_KIND_INTEGER;
    struct sj_cc_rel *from = need_rel(ns, step, step->from, "from");
    if (!from)
        return SJ_EINVAL;
    int rc = check_group(ns, step, from, &sum_kind);
    struct sj_buf having, body;
    sj_buf_init(&having, SJ_CC_SQL_MAX);
    sj_buf_init(&body, SJ_CC_SQL_MAX);
    struct group_scope g = {from, step};
    struct sj_expr_scope scope = {ns, group_column, &g};
    if (rc == 0 && step->having)
        rc = translate(ns, step, "having", step->having, step->having_pos, &scope, &having);
    if (rc == 0) {
        struct sj_cc_rel *rel = step_rel(ns, step, 1, base, sizeof base);
        for (size_t i = 0; i < step->by_count; i++)
            sj_cc_rel_add_col(rel, step->by[i], from->cols[sj_cc_col_find(from, step->by[i])].kind)
                ->is_not_null = true;
        sj_cc_rel_add_col(rel, step->op == SJ_OP_COUNT ? "count" : "sum", sum_kind)->is_not_null =
            step->op == SJ_OP_COUNT;
        group_body(step, from, step->having ? sj_buf_cstr(&having) : NULL,
                   !is_lookup_only(ns->model, step->id), &body);
        rc = sj_cc_add_cte(ns->cc, rel->parts[0], SJ_CTE_DEFAULT, sj_buf_cstr(&body));
        if (rc == 0)
            rc = sj_cc_emit_union(ns->cc, rel, base);
    }
    sj_buf_release(&having);
    sj_buf_release(&body);
    return rc;
}

/* ---- union ---------------------------------------------------------------------------------- */

static bool same_cols(const struct sj_cc_rel *a, const struct sj_cc_rel *b)
{
    if (a->col_count != b->col_count)
        return false;
    for (size_t i = 0; i < a->col_count; i++) {
        if (sj_cc_col_find(b, a->cols[i].name) < 0)
            return false;
    }
    return true;
}

/* The union's columns: the first part's, each with the kind all parts agree on (else auto),
 * not null and usable for lookups only when it is so in every part. */
static void union_cols(struct sj_cc_rel *rel, struct sj_cc_rel *const *of, size_t count)
{
    copy_cols(rel, of[0]);
    for (size_t c = 0; c < rel->col_count; c++) {
        for (size_t i = 1; i < count; i++) {
            long k = sj_cc_col_find(of[i], rel->cols[c].name);
            if (of[i]->cols[k].kind != rel->cols[c].kind)
                rel->cols[c].kind = SJ_KIND_AUTO;
            rel->cols[c].is_not_null = rel->cols[c].is_not_null && of[i]->cols[k].is_not_null;
            rel->cols[c].is_lookup_ok = rel->cols[c].is_lookup_ok && of[i]->cols[k].is_lookup_ok;
        }
    }
}

/* True when the union's parts are all filters of one relation and only the lead reads the
 * union: then one filter with their conditions joined by OR gives the same leads, in one pass
 * over that relation instead of one per part. (A row that meets several conditions is one row
 * instead of several; the lead collects evidence per source row, so nothing it shows
 * changes. A count or sum over the union would change, hence the lead only.) */
static bool is_fusable(const struct sj_cc_ns *ns, const struct sj_model_step *step,
                       struct sj_cc_rel *const *of)
{
    const struct sj_model *m = ns->model;
    if (step->union_count < 2 || !m->lead.from || strcmp(m->lead.from, step->id) != 0 ||
        uses_of(m, step->id) != 1)
        return false;
    for (size_t i = 0; i < step->union_count; i++) {
        if (!of[i]->filter_from || of[i]->filter_from != of[0]->filter_from)
            return false;
    }
    return true;
}

/* The fused union (is_fusable): per part of the filters' common from, one row-wise CTE with
 * the OR of their conditions, folded into the lead. */
static int emit_fused_union(struct sj_cc_ns *ns, const struct sj_model_step *step,
                            struct sj_cc_rel *rel, struct sj_cc_rel *const *of, const char *base)
{
    const struct sj_cc_rel *from = of[0]->filter_from;
    struct sj_buf body;
    sj_buf_init(&body, SJ_CC_SQL_MAX);
    rel->parts = sj_xcalloc(from->part_count + 1, sizeof *rel->parts);
    rel->part_count = from->part_count;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < rel->part_count; i++) {
        rel->parts[i] = sj_cc_part_name(ns->cc, base, i, rel->part_count);
        sj_buf_reset(&body);
        sj_buf_append_cstr(&body, "SELECT ");
        sj_cc_select_cols(&body, rel, NULL);
        sj_buf_append_cstr(&body, " FROM ");
        sj_cc_quote(&body, from->parts[i]);
        sj_buf_append_cstr(&body, " WHERE ");
        for (size_t k = 0; k < step->union_count; k++)
            sj_buf_appendf(&body, "%s(%s)", k ? " OR " : "", of[k]->filter_where);
        rc = sj_cc_add_cte(ns->cc, rel->parts[i], SJ_CTE_INLINE, sj_buf_cstr(&body));
        sj_cc_origin_add(ns->cc, rel->parts[i], from->parts[i], -1, NULL, NULL, 0);
    }
    sj_buf_release(&body);
    return rc == 0 ? sj_cc_emit_union(ns->cc, rel, base) : rc;
}

static int step_union(struct sj_cc_ns *ns, const struct sj_model_step *step)
{
    char base[300];
    size_t parts = 0;
    if (step->union_count == 0)
        return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”的 of 至少要列出一个步骤", step->id);
    struct sj_cc_rel **of = sj_xcalloc(step->union_count, sizeof *of);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < step->union_count; i++) {
        of[i] = need_rel(ns, step, step->union_of[i], "of");
        if (!of[i])
            rc = SJ_EINVAL;
        else if (!same_cols(of[0], of[i]))
            rc = sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”：“%s”与“%s”的列不同，不能合并", step->id,
                            of[i]->name, of[0]->name);
        else
            parts += of[i]->part_count;
    }
    if (rc == 0) {
        struct sj_cc_rel *rel = sj_cc_rel_add(ns, step->id);
        snprintf(base, sizeof base, "%ss_%s", ns->prefix, step->id);
        union_cols(rel, of, step->union_count);
        if (is_fusable(ns, step, of)) {
            rc = emit_fused_union(ns, step, rel, of, base);
        } else {
            bool is_flat = parts <= SJ_CC_PARTS_MAX;
            rel->parts = sj_xcalloc(parts + 1, sizeof *rel->parts);
            for (size_t i = 0; i < step->union_count; i++) {
                for (size_t j = 0; j < (is_flat ? of[i]->part_count : 1); j++)
                    rel->parts[rel->part_count++] = is_flat ? of[i]->parts[j] : of[i]->cte;
            }
            rc = sj_cc_emit_union(ns->cc, rel, base);
        }
    }
    free(of);
    return rc;
}

/* ---- Dispatch ------------------------------------------------------------------------------- */

static int check_step(struct sj_cc_ns *ns, const struct sj_model_step *step)
{
    if (!step->id || !step->id[0])
        return sj_cc_fail(ns->cc, SJ_EINVAL, "模型“%s”有一个步骤没有 id", ns->model->id);
    if (sj_cc_rel_find(ns, step->id))
        return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤 id“%s”与前面的输入或步骤重名", step->id);
    return 0;
}

int sj_cc_compile_step(struct sj_cc_ns *ns, const struct sj_model_step *step)
{
    int rc = check_step(ns, step);
    if (rc < 0)
        return rc;
    switch (step->op) {
    case SJ_OP_FILTER:
        return step_filter(ns, step);
    case SJ_OP_MATCH:
        return step->is_exists ? step_absent(ns, step) : step_match(ns, step);
    case SJ_OP_ABSENT:
        return step_absent(ns, step);
    case SJ_OP_COUNT:
    case SJ_OP_SUM:
        return step_group(ns, step);
    case SJ_OP_WITHIN:
        return step_within(ns, step);
    case SJ_OP_UNION:
        return step_union(ns, step);
    case SJ_OP_USE_MODEL:
        return sj_cc_step_use_model(ns, step);
    case SJ_OP_SQL:
        return sj_cc_step_sql(ns, step);
    }
    return sj_cc_fail(ns->cc, SJ_EINVAL, "步骤“%s”的操作未知", step->id);
}
