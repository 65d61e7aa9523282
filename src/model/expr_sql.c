/*
 * expr_sql.c - translates a parsed expression (expr_int.h) into a SQL condition for the
 * compiler. Columns become the SQL of that logical column in the current step (the scope
 * says what), parameters become their bound names (:p_threshold), and literals are bound
 * too, never pasted.
 *
 * Literals take the type of what they are compared with, so a modeler writes values the
 * way people do: against an amount column 100000 and '10万元' mean yuan and are bound in
 * fen; against a date column '2023/1/2' is bound as 2023-01-02; against an ID number or a
 * name the literal is normalised like the column's values were. A literal that cannot be
 * read as that type is an error pointing at it. `!=` and `not` treat an empty value as
 * "not equal" / "not true", so `not (status = '已移送')` keeps rows with no status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/compile_int.h"

struct tx {
    const struct sj_expr_scope *scope;
    struct sj_cc *cc;
    bool has_error;
    size_t error_offset;
    char *message;
    size_t message_size;
};

/* The type of a node's value: a kind, or a literal whose kind comes from its context. */
struct ty {
    enum sj_kind kind; /* SJ_KIND_AUTO: unknown */
    bool is_literal;   /* text or number literal: coerced to the other side's kind */
    bool is_list;      /* a list parameter */
};

static void tx_fail(struct tx *t, size_t offset, const char *fmt, ...) SJ_PRINTF(3, 4);

static void tx_fail(struct tx *t, size_t offset, const char *fmt, ...)
{
    if (t->has_error)
        return;
    t->has_error = true;
    t->error_offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->message, t->message_size, fmt, ap);
    va_end(ap);
}

static enum sj_kind param_kind(enum sj_param_type type)
{
    switch (type) {
    case SJ_PARAM_AMOUNT:
        return SJ_KIND_AMOUNT;
    case SJ_PARAM_NUMBER:
        return SJ_KIND_NUMBER;
    case SJ_PARAM_DATE:
        return SJ_KIND_DATE;
    case SJ_PARAM_TEXT:
    case SJ_PARAM_LIST:
        return SJ_KIND_TEXT;
    case SJ_PARAM_INTEGER:
    case SJ_PARAM_DAYS:
    case SJ_PARAM_BOOLEAN:
        return SJ_KIND_INTEGER;
    }
    return SJ_KIND_AUTO;
}

static struct ty type_of(struct tx *t, const struct sj_expr_node *n)
{
    struct ty ty = {SJ_KIND_AUTO, false, false};
    struct sj_buf scratch;
    switch (n->kind) {
    case SJ_EX_COLUMN:
        sj_buf_init(&scratch, 0);
        if (!t->scope->column(t->scope, n->text, &ty.kind, &scratch))
            ty.kind = SJ_KIND_AUTO;
        sj_buf_release(&scratch);
        break;
    case SJ_EX_PARAM: {
        long i = sj_cc_param_find(t->scope->ns, n->text);
        if (i >= 0) {
            enum sj_param_type type = t->scope->ns->model->params[i].type;
            ty.kind = param_kind(type);
            ty.is_list = type == SJ_PARAM_LIST;
        }
        break;
    }
    case SJ_EX_TEXT:
    case SJ_EX_NUMBER:
        ty.is_literal = true;
        break;
    case SJ_EX_AMOUNT:
        ty.kind = SJ_KIND_AMOUNT;
        break;
    case SJ_EX_DAYS:
        ty.kind = SJ_KIND_INTEGER;
        break;
    case SJ_EX_CALL:
        ty.kind = n->fn == SJ_FN_BIRTH_DATE ? SJ_KIND_DATE
                  : n->fn == SJ_FN_SEX      ? SJ_KIND_TEXT
                                            : SJ_KIND_INTEGER;
        break;
    case SJ_EX_ADD:
    case SJ_EX_SUB:
        ty = type_of(t, n->kid[0]);
        if (n->is_days) {
            ty.kind = ty.kind == SJ_KIND_DATETIME ? SJ_KIND_DATETIME : SJ_KIND_DATE;
            ty.is_literal = false;
        } else if (ty.is_literal) {
            ty = type_of(t, n->kid[1]);
        }
        break;
    default:
        ty.kind = SJ_KIND_INTEGER;
        break; /* conditions */
    }
    return ty;
}

/* The kind a literal next to `other` should take. */
static enum sj_kind hint_from(struct ty other)
{
    return other.is_literal ? SJ_KIND_AUTO : other.kind;
}

static void put_param(struct tx *t, struct sj_buf *out, const char *name)
{
    sj_buf_putc(out, ':');
    sj_buf_append_cstr(out, name);
}

/* ---- Literals ------------------------------------------------------------------------------- */

static bool norm_as(enum sj_kind kind, const char *text, struct sj_norm_result *r)
{
    return sj_norm(kind, sj_str_from_cstr(text), r);
}

static void text_literal(struct tx *t, const struct sj_expr_node *n, enum sj_kind hint,
                         struct sj_buf *out)
{
    struct sj_norm_result r;
    const char *name = NULL;
    switch (hint) {
    case SJ_KIND_DATE:
    case SJ_KIND_DATETIME:
    case SJ_KIND_AMOUNT:
    case SJ_KIND_INTEGER:
    case SJ_KIND_NUMBER:
        if (!norm_as(hint, n->text, &r)) {
            tx_fail(t, n->offset, "“%s”不是%s：%s", n->text, sj_kind_label(hint), r.reason);
            return;
        }
        if (hint == SJ_KIND_AMOUNT || hint == SJ_KIND_INTEGER)
            name = sj_cc_bind_int(
                t->cc, hint == SJ_KIND_AMOUNT ? SJ_PARAM_AMOUNT : SJ_PARAM_INTEGER, r.number);
        else
            name = sj_cc_bind_text(t->cc,
                                   hint == SJ_KIND_NUMBER ? SJ_PARAM_NUMBER
                                   : hint == SJ_KIND_DATE ? SJ_PARAM_DATE
                                                          : SJ_PARAM_TEXT,
                                   r.value);
        break;
    case SJ_KIND_TEXT:
    case SJ_KIND_AUTO:
        name = sj_cc_bind_text(t->cc, SJ_PARAM_TEXT, n->text);
        break;
    default: /* ID numbers, names, phones ...: compare with the normalised form if valid */
        name =
            sj_cc_bind_text(t->cc, SJ_PARAM_TEXT, norm_as(hint, n->text, &r) ? r.value : n->text);
        break;
    }
    put_param(t, out, name);
}

static void number_literal(struct tx *t, const struct sj_expr_node *n, enum sj_kind hint,
                           struct sj_buf *out)
{
    bool is_whole = strchr(n->text, '.') == NULL;
    struct sj_norm_result r;
    if (hint == SJ_KIND_DATE || hint == SJ_KIND_DATETIME) {
        tx_fail(t, n->offset, "%s不是日期：日期请写成 '2023-01-01'", n->text);
        return;
    }
    if (hint == SJ_KIND_AMOUNT) { /* a plain number next to an amount means yuan */
        if (!norm_as(SJ_KIND_AMOUNT, n->text, &r)) {
            tx_fail(t, n->offset, "%s不是金额：%s", n->text, r.reason);
            return;
        }
        put_param(t, out, sj_cc_bind_int(t->cc, SJ_PARAM_AMOUNT, r.number));
        return;
    }
    if (hint == SJ_KIND_INTEGER && !is_whole) {
        tx_fail(t, n->offset, "%s不是整数", n->text);
        return;
    }
    if (hint != SJ_KIND_AUTO && hint != SJ_KIND_INTEGER && hint != SJ_KIND_NUMBER) {
        put_param(t, out, sj_cc_bind_text(t->cc, SJ_PARAM_TEXT, n->text));
        return;
    }
    if (is_whole && norm_as(SJ_KIND_INTEGER, n->text, &r))
        put_param(t, out, sj_cc_bind_int(t->cc, SJ_PARAM_INTEGER, r.number));
    else if (norm_as(SJ_KIND_NUMBER, n->text, &r))
        put_param(t, out, sj_cc_bind_text(t->cc, SJ_PARAM_NUMBER, r.value));
    else
        tx_fail(t, n->offset, "%s不是数字：%s", n->text, r.reason);
}

static void amount_literal(struct tx *t, const struct sj_expr_node *n, enum sj_kind hint,
                           struct sj_buf *out)
{
    if (hint != SJ_KIND_AMOUNT && hint != SJ_KIND_AUTO) {
        tx_fail(t, n->offset, "金额 %s 只能与金额比较，此处是%s", n->text, sj_kind_label(hint));
        return;
    }
    put_param(t, out, sj_cc_bind_int(t->cc, SJ_PARAM_AMOUNT, n->integer));
}

/* ---- Nodes ---------------------------------------------------------------------------------- */

/* Where a node's SQL goes, which decides whether it needs parentheses. Chains of and, or,
 * + and - are written flat, so that SQLite's parser stack does not grow with them. */
enum ctx {
    CTX_TOP,   /* the whole condition, a function argument, an operand of or */
    CTX_AND,   /* an operand of AND: an OR must be wrapped */
    CTX_LEFT,  /* the left operand of a comparison or of + and - */
    CTX_RIGHT, /* a right operand: + and - are wrapped too */
};

static void emit(struct tx *t, const struct sj_expr_node *n, enum sj_kind hint, enum ctx ctx,
                 struct sj_buf *out);

static bool is_value_ctx(enum ctx ctx)
{
    return ctx == CTX_LEFT || ctx == CTX_RIGHT;
}

static void open_if(bool cond, struct sj_buf *out)
{
    if (cond)
        sj_buf_putc(out, '(');
}

static void close_if(bool cond, struct sj_buf *out)
{
    if (cond)
        sj_buf_putc(out, ')');
}

static void emit_column(struct tx *t, const struct sj_expr_node *n, struct sj_buf *out)
{
    struct sj_buf scratch;
    enum sj_kind kind;
    sj_buf_init(&scratch, 0);
    const char *sql = t->scope->column(t->scope, n->text, &kind, &scratch);
    if (sql)
        sj_buf_append_cstr(out, sql);
    else
        tx_fail(t, n->offset, "此处没有列“%s”", n->text);
    sj_buf_release(&scratch);
}

static void emit_param(struct tx *t, const struct sj_expr_node *n, bool is_list_ok,
                       struct sj_buf *out)
{
    long i = sj_cc_param_find(t->scope->ns, n->text);
    if (i < 0) {
        tx_fail(t, n->offset, "未定义的参数“$%s”", n->text);
        return;
    }
    bool is_list = t->scope->ns->model->params[i].type == SJ_PARAM_LIST;
    if (is_list != is_list_ok) {
        tx_fail(t, n->offset,
                is_list ? "列表参数“$%s”只能用在 in 后面"
                        : "in 后面的参数“$%s”应为列表（type: list）",
                n->text);
        return;
    }
    put_param(t, out, t->scope->ns->param_names[i]);
}

/* The days operand of `x + N days`: a whole number, a days/integer parameter or column. */
static void emit_days(struct tx *t, const struct sj_expr_node *n, struct sj_buf *out)
{
    struct ty ty = type_of(t, n);
    if (n->kind == SJ_EX_DAYS)
        put_param(t, out, sj_cc_bind_int(t->cc, SJ_PARAM_DAYS, n->integer));
    else if (n->kind == SJ_EX_NUMBER || (!ty.is_literal && ty.kind == SJ_KIND_INTEGER))
        emit(t, n, SJ_KIND_INTEGER, CTX_RIGHT, out);
    else
        tx_fail(t, n->offset, "天数应为整数、天数参数或整数列，例如 + 30 days");
}

static void emit_arith(struct tx *t, const struct sj_expr_node *n, enum ctx ctx, struct sj_buf *out)
{
    struct ty left = type_of(t, n->kid[0]), right = type_of(t, n->kid[1]);
    bool is_date = !left.is_literal && (left.kind == SJ_KIND_DATE || left.kind == SJ_KIND_DATETIME);
    if (!n->is_days) {
        if (is_date) {
            tx_fail(t, n->kid[1]->offset, "日期加减天数请写成 + 30 days 或 + 30天");
            return;
        }
        open_if(ctx == CTX_RIGHT, out);
        emit(t, n->kid[0], hint_from(right), CTX_LEFT, out);
        sj_buf_append_cstr(out, n->kind == SJ_EX_ADD ? " + " : " - ");
        emit(t, n->kid[1], hint_from(left), CTX_RIGHT, out);
        close_if(ctx == CTX_RIGHT, out);
        return;
    }
    if (!is_date && !left.is_literal && left.kind != SJ_KIND_AUTO) {
        tx_fail(t, n->kid[0]->offset, "只有日期可以加减天数，此处是%s", sj_kind_label(left.kind));
        return;
    }
    sj_buf_append_cstr(out, left.kind == SJ_KIND_DATETIME ? "datetime(" : "date(");
    emit(t, n->kid[0], SJ_KIND_DATE, CTX_TOP, out);
    sj_buf_append_cstr(out,
                       n->kind == SJ_EX_ADD ? ", printf('%+d days', " : ", printf('%+d days', -");
    emit_days(t, n->kid[1], out);
    sj_buf_append_cstr(out, "))");
}

static const char *cmp_sql(enum sj_expr_cmp cmp)
{
    switch (cmp) {
    case SJ_CMP_EQ:
        return " = ";
    case SJ_CMP_NE:
        return " IS NOT "; /* an empty value is "not equal" */
    case SJ_CMP_LT:
        return " < ";
    case SJ_CMP_LE:
        return " <= ";
    case SJ_CMP_GT:
        return " > ";
    case SJ_CMP_GE:
        return " >= ";
    }
    return " = ";
}

static void emit_cmp(struct tx *t, const struct sj_expr_node *n, struct sj_buf *out)
{
    struct ty left = type_of(t, n->kid[0]), right = type_of(t, n->kid[1]);
    emit(t, n->kid[0], hint_from(right), CTX_LEFT, out);
    sj_buf_append_cstr(out, cmp_sql(n->cmp));
    emit(t, n->kid[1], hint_from(left), CTX_RIGHT, out);
}

static void emit_in(struct tx *t, const struct sj_expr_node *n, struct sj_buf *out)
{
    enum sj_kind hint = hint_from(type_of(t, n->kid[0]));
    emit(t, n->kid[0], SJ_KIND_AUTO, CTX_LEFT, out);
    if (n->kid[1]) {
        sj_buf_append_cstr(out, " IN (SELECT value FROM json_each(");
        emit_param(t, n->kid[1], true, out);
        sj_buf_append_cstr(out, "))");
        return;
    }
    sj_buf_append_cstr(out, " IN (");
    for (size_t i = 0; i < n->item_count; i++) {
        if (i)
            sj_buf_append_cstr(out, ", ");
        emit(t, n->items[i], hint, CTX_TOP, out);
    }
    sj_buf_putc(out, ')');
}

static void emit_between(struct tx *t, const struct sj_expr_node *n, struct sj_buf *out)
{
    struct ty x = type_of(t, n->kid[0]);
    enum sj_kind hint = hint_from(x);
    if (x.is_literal) { /* '2023-01-01' between start and end */
        struct ty lo = type_of(t, n->kid[1]);
        hint = hint_from(lo.is_literal ? type_of(t, n->kid[2]) : lo);
    }
    emit(t, n->kid[0], hint, CTX_LEFT, out);
    sj_buf_append_cstr(out, " BETWEEN ");
    emit(t, n->kid[1], hint, CTX_RIGHT, out);
    sj_buf_append_cstr(out, " AND ");
    emit(t, n->kid[2], hint, CTX_RIGHT, out);
}

static void emit_empty(struct tx *t, const struct sj_expr_node *n, struct sj_buf *out)
{
    struct sj_buf x;
    sj_buf_init(&x, SJ_CC_SQL_MAX);
    emit(t, n->kid[0], SJ_KIND_TEXT, CTX_LEFT, &x);
    const char *s = sj_buf_cstr(&x);
    if (n->is_negated)
        sj_buf_appendf(out, "%s IS NOT NULL AND %s <> ''", s, s);
    else
        sj_buf_appendf(out, "%s IS NULL OR %s = ''", s, s);
    sj_buf_release(&x);
}

/* ---- Functions of ID numbers --------------------------------------------------------------- */

/* The SQL of an ID-number argument into out: a column whose values can be ID numbers, or a
 * literal (normalised as one). */
static void id_argument(struct tx *t, const struct sj_expr_node *call, struct sj_buf *out)
{
    const struct sj_expr_node *n = call->kid[0];
    struct ty ty = type_of(t, n);
    if (!ty.is_literal && ty.kind != SJ_KIND_IDCARD && ty.kind != SJ_KIND_PARTYID &&
        ty.kind != SJ_KIND_TEXT && ty.kind != SJ_KIND_AUTO) {
        tx_fail(t, n->offset, "函数 %s 的参数应为身份证号列（kind: idcard 或 party-id），此处是%s",
                call->text, sj_kind_label(ty.kind));
        return;
    }
    emit(t, n, SJ_KIND_IDCARD, CTX_TOP, out);
}

/* The date argument of age_at: a date or date-time column, parameter or literal. */
static void date_argument(struct tx *t, const struct sj_expr_node *call, struct sj_buf *out)
{
    const struct sj_expr_node *n = call->kid[1];
    struct ty ty = type_of(t, n);
    if (!ty.is_literal && ty.kind != SJ_KIND_DATE && ty.kind != SJ_KIND_DATETIME &&
        ty.kind != SJ_KIND_AUTO) {
        tx_fail(t, n->offset, "函数 %s 的第二个参数应为日期，此处是%s", call->text,
                sj_kind_label(ty.kind));
        return;
    }
    emit(t, n, SJ_KIND_DATE, CTX_TOP, out);
}

/* birth_date, sex and age_at of an 18-character ID number (GB 11643; the ID columns hold
 * 15-digit numbers already upgraded). An idcard column holds valid numbers or NULL, and NULL
 * gives NULL all through, so it needs no test; any other value (a party-id column may hold
 * credit codes) must be 17 digits and a digit or X, else the result is NULL. */
static void emit_call(struct tx *t, const struct sj_expr_node *n, struct sj_buf *out)
{
    struct sj_buf id, date;
    sj_buf_init(&id, SJ_CC_SQL_MAX);
    sj_buf_init(&date, SJ_CC_SQL_MAX);
    id_argument(t, n, &id);
    if (n->fn == SJ_FN_AGE_AT)
        date_argument(t, n, &date);
    struct ty ty = type_of(t, n->kid[0]);
    bool is_valid = !ty.is_literal && ty.kind == SJ_KIND_IDCARD;
    const char *x = sj_buf_cstr(&id), *d = sj_buf_cstr(&date);
    if (is_valid)
        sj_buf_putc(out, '(');
    else
        sj_buf_appendf(out,
                       "(CASE WHEN length(%s) = 18 AND substr(%s, 1, 17) NOT GLOB '*[^0-9]*' AND "
                       "substr(%s, 18) GLOB '[0-9Xx]' THEN ",
                       x, x, x);
    switch (n->fn) {
    case SJ_FN_BIRTH_DATE:
        sj_buf_appendf(out,
                       "substr(%s, 7, 4) || '-' || substr(%s, 11, 2) || '-' || substr(%s, 13, 2)",
                       x, x, x);
        break;
    case SJ_FN_SEX:
        sj_buf_appendf(out,
                       "CASE CAST(substr(%s, 17, 1) AS INTEGER) %% 2 WHEN 1 THEN '男' "
                       "WHEN 0 THEN '女' END",
                       x);
        break;
    case SJ_FN_AGE_AT: /* whole years: the birthday counts from its own day */
        sj_buf_appendf(out,
                       "CAST(substr(%s, 1, 4) AS INTEGER) - CAST(substr(%s, 7, 4) AS INTEGER) - "
                       "(substr(%s, 6, 5) < substr(%s, 11, 2) || '-' || substr(%s, 13, 2))",
                       d, x, d, x, x);
        break;
    }
    sj_buf_append_cstr(out, is_valid ? ")" : " END)");
    sj_buf_release(&id);
    sj_buf_release(&date);
}

/* and, or, not and the predicates: parenthesised only where their context needs it. */
static void emit_condition(struct tx *t, const struct sj_expr_node *n, enum ctx ctx,
                           struct sj_buf *out)
{
    bool is_or = n->kind == SJ_EX_OR || (n->kind == SJ_EX_EMPTY && !n->is_negated);
    bool wrap = is_value_ctx(ctx) || (is_or && ctx == CTX_AND) ||
                (n->kind == SJ_EX_EMPTY && ctx != CTX_TOP);
    open_if(wrap, out);
    switch (n->kind) {
    case SJ_EX_OR:
    case SJ_EX_AND: {
        enum ctx kids = n->kind == SJ_EX_OR ? CTX_TOP : CTX_AND;
        emit(t, n->kid[0], SJ_KIND_AUTO, kids, out);
        sj_buf_append_cstr(out, n->kind == SJ_EX_OR ? " OR " : " AND ");
        emit(t, n->kid[1], SJ_KIND_AUTO, kids, out);
        break;
    }
    case SJ_EX_NOT: /* an unknown (NULL) condition counts as false before negating */
        sj_buf_append_cstr(out, "NOT coalesce(");
        emit(t, n->kid[0], SJ_KIND_AUTO, CTX_TOP, out);
        sj_buf_append_cstr(out, ", 0)");
        break;
    case SJ_EX_CMP:
        emit_cmp(t, n, out);
        break;
    case SJ_EX_IN:
        emit_in(t, n, out);
        break;
    case SJ_EX_CONTAINS:
        sj_buf_append_cstr(out, "instr(");
        emit(t, n->kid[0], SJ_KIND_TEXT, CTX_TOP, out);
        sj_buf_append_cstr(out, ", ");
        emit(t, n->kid[1], SJ_KIND_TEXT, CTX_TOP, out);
        sj_buf_append_cstr(out, ") > 0");
        break;
    case SJ_EX_BETWEEN:
        emit_between(t, n, out);
        break;
    default:
        emit_empty(t, n, out);
        break;
    }
    close_if(wrap, out);
}

static void emit(struct tx *t, const struct sj_expr_node *n, enum sj_kind hint, enum ctx ctx,
                 struct sj_buf *out)
{
    if (t->has_error || !n)
        return;
    switch (n->kind) {
    case SJ_EX_OR:
    case SJ_EX_AND:
    case SJ_EX_NOT:
    case SJ_EX_CMP:
    case SJ_EX_IN:
    case SJ_EX_CONTAINS:
    case SJ_EX_BETWEEN:
    case SJ_EX_EMPTY:
        emit_condition(t, n, ctx, out);
        break;
    case SJ_EX_ADD:
    case SJ_EX_SUB:
        emit_arith(t, n, ctx, out);
        break;
    case SJ_EX_COLUMN:
        emit_column(t, n, out);
        break;
    case SJ_EX_PARAM:
        emit_param(t, n, false, out);
        break;
    case SJ_EX_TEXT:
        text_literal(t, n, hint, out);
        break;
    case SJ_EX_NUMBER:
        number_literal(t, n, hint, out);
        break;
    case SJ_EX_AMOUNT:
        amount_literal(t, n, hint, out);
        break;
    case SJ_EX_DAYS:
        tx_fail(t, n->offset, "“%s天”只能用在日期加减中，例如 date + 30天", n->text);
        break;
    case SJ_EX_CALL:
        emit_call(t, n, out);
        break;
    }
}

int sj_expr_to_sql(const struct sj_expr *expr, const struct sj_expr_scope *scope,
                   struct sj_buf *out, size_t *error_offset, char *message, size_t message_size)
{
    char dummy[8];
    struct tx t = {.scope = scope,
                   .cc = scope->ns->cc,
                   .message = message ? message : dummy,
                   .message_size = message ? message_size : sizeof dummy};
    t.message[0] = '\0';
    /* Wrapped once, so the condition can be joined to others with AND. */
    sj_buf_putc(out, '(');
    emit(&t, sj_expr_root(expr), SJ_KIND_AUTO, CTX_TOP, out);
    sj_buf_putc(out, ')');
    if (!t.has_error)
        return 0;
    if (error_offset)
        *error_offset = t.error_offset;
    return SJ_EFORMAT;
}
