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
