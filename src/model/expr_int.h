/*
 * expr_int.h - internal to src/model: the syntax tree of a parsed expression, shared by the
 * parser (expr.c) and the SQL translator (expr_sql.c). Every node records the byte offset
 * in the expression text where it starts, so that a compile-time problem (an unknown
 * column, a literal that is not a date) points at the right place.
 *
 * Ownership: all nodes and strings live in the expression's arena and are freed together
 * by sj_expr_free.
 */
#ifndef SHUJIAN_MODEL_EXPR_INT_H
#define SHUJIAN_MODEL_EXPR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model_int.h"

#define SJ_EXPR_TEXT_MAX 65536 /* bytes of one expression */
#define SJ_EXPR_DEPTH_MAX 16   /* nesting of parentheses and "not" */
#define SJ_EXPR_TERMS_MAX 16   /* terms of one sum (a + b - c ...) */
#define SJ_EXPR_NODES_MAX 2048 /* nodes of one expression */

enum sj_expr_kind {
    SJ_EX_OR,       /* kid[0] or kid[1] */
    SJ_EX_AND,      /* kid[0] and kid[1] */
    SJ_EX_NOT,      /* not kid[0] */
    SJ_EX_CMP,      /* kid[0] op kid[1] */
    SJ_EX_IN,       /* kid[0] in items[] (a literal list) or kid[1] (a $list parameter) */
    SJ_EX_CONTAINS, /* kid[0] contains kid[1] */
    SJ_EX_BETWEEN,  /* kid[0] between kid[1] and kid[2] */
    SJ_EX_EMPTY,    /* kid[0] is [not] empty */
    SJ_EX_ADD,      /* kid[0] + kid[1] [days] */
    SJ_EX_SUB,      /* kid[0] - kid[1] [days] */
    SJ_EX_COLUMN,   /* text: logical column name (full-width letters folded) */
    SJ_EX_PARAM,    /* text: parameter name without the $ */
    SJ_EX_TEXT,     /* text: the quoted text, unescaped */
    SJ_EX_NUMBER,   /* text: decimal as written (ASCII digits, optional '-' and '.') */
    SJ_EX_AMOUNT,   /* text: as written (10万元); integer: fen */
    SJ_EX_DAYS,     /* integer: days, from "30天" */
    SJ_EX_CALL,     /* fn(kid[0], kid[1]): item_count arguments; text: the name as written */
};

/* Functions of ID numbers (GB 11643: birth date in characters 7-14, sex in character 17). */
enum sj_expr_fn {
    SJ_FN_BIRTH_DATE, /* birth_date(id): the birth date, YYYY-MM-DD */
    SJ_FN_SEX,        /* sex(id): '男' or '女' */
    SJ_FN_AGE_AT,     /* age_at(id, date): full years of age on that date */
};

/* The function called name (ASCII, case-insensitive) and how many arguments it takes;
 * false when there is none. */
bool sj_expr_fn_find(const char *name, enum sj_expr_fn *fn, size_t *arg_count);
/* "birth_date(身份证号)、sex(身份证号)、age_at(身份证号, 日期)", for messages. */
const char *sj_expr_fn_list(void);

enum sj_expr_cmp { SJ_CMP_EQ, SJ_CMP_NE, SJ_CMP_LT, SJ_CMP_LE, SJ_CMP_GT, SJ_CMP_GE };

struct sj_expr_node {
    enum sj_expr_kind kind;
    size_t offset; /* byte offset in the expression text */
    enum sj_expr_cmp cmp;
    bool is_negated;    /* EMPTY: "is not empty" */
    bool is_days;       /* ADD/SUB: the right side counts days */
    enum sj_expr_fn fn; /* CALL */
    char *text;
    int64_t integer;
    struct sj_expr_node *kid[3];
    struct sj_expr_node **items; /* IN with a literal list */
    size_t item_count;           /* IN: items; CALL: arguments (in kid[]) */
};

/* The root of a parsed expression (borrowed from expr). */
const struct sj_expr_node *sj_expr_root(const struct sj_expr *expr);

#endif
