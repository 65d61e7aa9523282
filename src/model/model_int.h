/*
 * model_int.h - internal to src/model: the expression language shared by the checker
 * (check.c, which validates `where`/`having` while parsing a model file) and the compiler
 * (compile.c, which turns an expression into SQL with bound parameters).
 *
 * Grammar (docs/MODELS.md, "Expressions"):
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | cmp
 *   cmp     := sum (('=' | '!=' | '<' | '<=' | '>' | '>=') sum
 *                   | 'in' (param | list) | 'contains' sum
 *                   | 'between' sum 'and' sum | 'is' 'not'? 'empty')?
 *   sum     := atom (('+' | '-') atom ('days' | 'day')?)*
 *   atom    := column | $param | 'text' | number | amount (10万元) | '(' expr ')'
 *            | function '(' sum (',' sum)* ')'    (birth_date, sex, age_at)
 *   list    := '[' (atom (',' atom)*)? ']'
 * Keywords are case-insensitive; column names are the model's logical names (ASCII
 * identifiers, or Chinese).
 */
#ifndef SHUJIAN_MODEL_INT_H
#define SHUJIAN_MODEL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "shujian/model.h"

struct sj_expr;

/* Parses text. On success returns 0 and *out (owned by the caller; sj_expr_free). On a
 * syntax error returns SJ_EFORMAT, sets *error_offset to the byte offset of the problem in
 * text and writes a Chinese message (what was expected) into message. */
int sj_expr_parse(const char *text, struct sj_expr **out, size_t *error_offset, char *message,
                  size_t message_size);
void sj_expr_free(struct sj_expr *expr);

/* Names referenced by a parsed expression, for the checker: columns (logical names) and
 * parameters (without the $). Borrowed from expr. */
size_t sj_expr_column_count(const struct sj_expr *expr);
const char *sj_expr_column(const struct sj_expr *expr, size_t index);
size_t sj_expr_param_count(const struct sj_expr *expr);
const char *sj_expr_param(const struct sj_expr *expr, size_t index);

/* ---- Result rows as leads see them (lead_row.c) ------------------------------------------- */

struct sj_model_plan;

/* The columns of a plan's result rows. */
struct sj_lead_cols {
    long subject, ev;    /* the subject and _ev columns; -1 when absent */
    enum sj_kind *kinds; /* of each column (owned) */
    size_t count;
};

/* The kind of a column the model names: an input column of that name ("input.column" after
 * a match), "count" (integer) or "sum" (the kind of what is summed); SJ_KIND_TEXT when it
 * cannot be told. */
enum sj_kind sj_model_column_kind(const struct sj_model *m, const char *name);
/* Fills *c for result columns columns[count] of plan p of model m (release it). */
void sj_lead_cols_find(struct sj_lead_cols *c, const struct sj_model *m,
                       const struct sj_model_plan *p, size_t count, const char *const *columns);
void sj_lead_cols_release(struct sj_lead_cols *c);
/* Appends value as shown to people: fen as yuan for amounts, otherwise unchanged. */
void sj_lead_append_shown(struct sj_buf *out, enum sj_kind kind, const char *value);
/* m's lead title filled with this row's values ({column}; an unknown name is left as
 * written). Owned by the caller. */
char *sj_lead_title(const struct sj_model *m, const struct sj_lead_cols *c,
                    const char *const *columns, const char *const *values);

/* ---- Subjects seen in a query's rows (subject_map.c) ------------------------------------- */

struct sj_subject_slot {
    char *subject; /* owned by the map; NULL = empty slot */
    size_t value;  /* the caller's number for it */
};

/* Zero-initialised is empty. */
struct sj_subject_map {
    struct sj_subject_slot *slots;
    size_t slot_count; /* a power of two, or 0 */
    size_t count;
};

/* The slot of subject, added with value 0 when it was not there (*is_new says so). The slot
 * stays valid until the next call. */
struct sj_subject_slot *sj_subject_map_get(struct sj_subject_map *m, const char *subject,
                                           bool *is_new);
void sj_subject_map_release(struct sj_subject_map *m);

#endif
