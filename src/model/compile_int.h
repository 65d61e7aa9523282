/*
 * compile_int.h - internal to the model compiler (compile.c, compile_inputs.c,
 * compile_steps.c, expr_sql.c): the state of one compilation and the helpers its parts
 * share.
 *
 * The compiled query is one WITH list of common table expressions (CTEs) and a final
 * SELECT. Every input and every step is a relation: a CTE whose columns are the logical
 * column names (quoted) plus _ev, the evidence ("datasetId:rowId" items joined by ',').
 * A relation stacked from several datasets keeps its per-dataset parts as separate simple
 * CTEs as well, so that lookups into it (absent, within, match) can use each table's
 * indexes instead of a materialised union.
 *
 * Invariants: every identifier written into SQL is either made of digits and fixed text
 * (ds_3, c4_n) or a quoted name the compiler validated (sj_cc_quote); every value from a
 * model, a parameter or the command line is a bound parameter (sj_cc_bind_*).
 */
#ifndef SHUJIAN_MODEL_COMPILE_INT_H
#define SHUJIAN_MODEL_COMPILE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/expr_int.h"
#include "shujian/model.h"

#define SJ_CC_DEPTH_MAX 8  /* models using models using models ... */
#define SJ_CC_PARTS_MAX 16 /* parts kept separate before a relation is used as one union */
#define SJ_CC_SQL_MAX ((size_t)4 << 20)

/* A column of a relation. kind is SJ_KIND_AUTO when unknown (columns of a sql step). */
struct sj_cc_col {
    char *name; /* owned */
    enum sj_kind kind;
    bool is_not_null;  /* never NULL in this relation (a grouping or join key) */
    bool is_lookup_ok; /* a lookup on it can use an index (the table's or an automatic one) */
};

/* An input or a step as the steps after it see it. */
struct sj_cc_rel {
    char *name;          /* logical name: input name or step id (owned copy) */
    const char *cte;     /* CTE with all its rows (owned by the sj_cc name list) */
    const char **parts;  /* simple CTEs whose UNION ALL is cte; {cte} when not stacked (array
                            owned, names owned by the sj_cc name list) */
    const char **copies; /* materialised copies of the parts for lookups, made when needed */
    bool is_shared;      /* a step several later steps use: SQLite materialises it once */
    bool is_pinned;      /* a lookup step a match joins: MATERIALIZED, computed once */
    size_t part_count;
    const struct sj_cc_rel *filter_from; /* a filter step's from (NULL for other steps) */
    char *filter_where;                  /* a filter step's condition as SQL (owned) */
    struct sj_cc_col *cols; /* owned */
    size_t col_count;
};

/* Where the rows of a CTE come from, for the indexes its lookups want: a dataset's table
 * (positions[i] of column names[i], 0 when the column is no c<P>_n) or, for a step folded
 * into its user, the CTE it selects the same columns from. */
struct sj_cc_origin {
    const char *cte;    /* owned by the sj_cc name list */
    const char *source; /* a row-wise step's from part, or NULL for a dataset */
    int64_t dataset;
    const char **names; /* owned array; names borrowed from the model */
    int *positions;     /* owned */
    size_t count;
};

/* The state of one sj_model_compile. */
struct sj_cc {
    struct sj_store *store;
    const struct sj_model_run_opts *opts;
    struct sj_err *err;
    struct sj_buf ctes; /* the WITH list so far: blocks separated by ",\n" */
    char **names;       /* CTE names in use (owned), to keep them distinct */
    size_t name_count;
    struct sj_model_value *values; /* bound values so far (owned) */
    size_t value_count;
    unsigned literal_count;
    char **datasets; /* datasets read (owned) */
    size_t dataset_count;
    struct sj_model_resolved *resolved;
    size_t resolved_count;
    const char *stack[SJ_CC_DEPTH_MAX]; /* ids of the models being compiled, outermost first */
    size_t depth;
    unsigned child_count;         /* used models inlined so far (for their name prefixes) */
    struct sj_cc_origin *origins; /* owned */
    size_t origin_count;
    struct sj_model_index *indexes; /* wanted so far (owned) */
    size_t index_count;
    bool wants_all_indexes;
};

/* One model being compiled: the top model, or a used model inlined into the same query. */
struct sj_cc_ns {
    struct sj_cc *cc;
    const struct sj_model *model;
    char *prefix;            /* CTE and value name prefix: "" at the top, "m1_" ... (owned) */
    char *choice_prefix;     /* prefix of its --param/--input/--map names: "" or "id." (owned) */
    char **param_names;      /* bound name of each model parameter (owned) */
    struct sj_cc_rel **rels; /* inputs, then steps as compiled (owned; addresses stable) */
    size_t rel_count;
    struct sj_cc_col *lead_cols; /* output columns: subject, evidence, title fields */
    size_t lead_col_count;
    char *lead_select; /* SELECT of the lead rows, without ORDER BY (owned) */
};

/* ---- Shared helpers (compile.c) ------------------------------------------------------------- */

/* Records an error (Chinese message) and returns code. */
int sj_cc_fail(struct sj_cc *cc, int code, const char *fmt, ...) SJ_PRINTF(3, 4);
/* Appends name as a quoted SQL identifier ("a""b"). */
void sj_cc_quote(struct sj_buf *sql, const char *name);
/* A CTE name not used yet, from a printf-style pattern; owned by cc. */
const char *sj_cc_name(struct sj_cc *cc, const char *fmt, ...) SJ_PRINTF(2, 3);
/* How SQLite should treat a CTE. A plain SELECT without aggregation is INLINE (NOT
 * MATERIALIZED): SQLite folds it into where it is used and keeps using the tables' indexes,
 * even when it is used more than once. MATERIALIZED makes a copy that SQLite can give an
 * automatic index, for lookups on keys that no index covers (trimmed text). */
enum sj_cc_cte_mode { SJ_CTE_DEFAULT, SJ_CTE_INLINE, SJ_CTE_MATERIALIZED };
/* Adds `name AS [NOT] [MATERIALIZED] (body)` to the WITH list. */
int sj_cc_add_cte(struct sj_cc *cc, const char *name, enum sj_cc_cte_mode mode, const char *body);
/* Binds a literal value; returns its parameter name (owned by cc), e.g. "l3". */
const char *sj_cc_bind_text(struct sj_cc *cc, enum sj_param_type type, const char *text);
const char *sj_cc_bind_int(struct sj_cc *cc, enum sj_param_type type, int64_t value);
/* The parameter of ns called name, or -1. */
long sj_cc_param_find(const struct sj_cc_ns *ns, const char *name);
/* The relation of ns called name (an input or an earlier step), or NULL. */
struct sj_cc_rel *sj_cc_rel_find(const struct sj_cc_ns *ns, const char *name);
/* The column of rel called name, or -1. */
long sj_cc_col_find(const struct sj_cc_rel *rel, const char *name);
/* A new relation appended to ns (fields zeroed; name copied). */
struct sj_cc_rel *sj_cc_rel_add(struct sj_cc_ns *ns, const char *name);
/* Adds a column (name copied); returns it, valid until the next column is added. */
struct sj_cc_col *sj_cc_rel_add_col(struct sj_cc_rel *rel, const char *name, enum sj_kind kind);
/* Writes `"c1", "c2", ..., <ev>` (alias. prefix when alias is not NULL). */
void sj_cc_select_cols(struct sj_buf *sql, const struct sj_cc_rel *rel, const char *alias);
/* The CTE name of part index of count parts of a relation named base: base itself when
 * count is 1, else base_1, base_2 ... (owned by cc). */
const char *sj_cc_part_name(struct sj_cc *cc, const char *base, size_t index, size_t count);
/* Sets rel->cte: its only part, or a new CTE named base with the UNION ALL of its parts. */
int sj_cc_emit_union(struct sj_cc *cc, struct sj_cc_rel *rel, const char *base);
/* The value of a choice (--param, --input, --map) named prefix+name, or NULL. */
const char *sj_cc_choice(const struct sj_model_choice *choices, size_t count, const char *prefix,
                         const char *name);
/* Binds each parameter of ns a second time under its plain name (:threshold), for the
 * raw queries of sql steps. */
int sj_cc_bind_plain_params(struct sj_cc_ns *ns);
/* Compiles model as namespace ns (inputs, steps, lead). Used for the top model and,
 * recursively, for models used by use-model steps. */
int sj_cc_compile_model(struct sj_cc *cc, const struct sj_model *model, struct sj_cc_ns *ns);
void sj_cc_ns_release(struct sj_cc_ns *ns);

/* Notes that cte is a dataset's rows (dataset >= 0; positions as struct sj_cc_origin says,
 * the arrays taken) or a step folded into its user that selects the same columns from
 * source. */
void sj_cc_origin_add(struct sj_cc *cc, const char *cte, const char *source, int64_t dataset,
                      const char **names, int *positions, size_t count);
/* Asks for the index of column name of part, when part reads it straight from a dataset's
 * c<P>_n (through steps folded into it); otherwise nothing. */
void sj_cc_want_index(struct sj_cc *cc, const char *part, const char *name);

/* ---- Inputs (compile_inputs.c) -------------------------------------------------------------- */

/* Resolves every input of ns to its datasets and columns and emits their CTEs. */
int sj_cc_compile_inputs(struct sj_cc_ns *ns);

/* ---- Steps (compile_steps.c, compile_use.c) ---------------------------------------------------
 */

int sj_cc_compile_step(struct sj_cc_ns *ns, const struct sj_model_step *step);
int sj_cc_step_use_model(struct sj_cc_ns *ns, const struct sj_model_step *step);
int sj_cc_step_sql(struct sj_cc_ns *ns, const struct sj_model_step *step);
/* Builds ns->lead_cols and ns->lead_select from the model's lead. */
int sj_cc_compile_lead(struct sj_cc_ns *ns);

/* ---- Expressions (expr_sql.c) --------------------------------------------------------------- */

/* Where the names of an expression come from. */
struct sj_expr_scope {
    struct sj_cc_ns *ns; /* parameters, and cc for literals */
    /* SQL of column name in this place and its kind, or NULL when there is no such column. */
    const char *(*column)(const struct sj_expr_scope *scope, const char *name, enum sj_kind *kind,
                          struct sj_buf *scratch);
    const void *ctx;
};

/* Translates a parsed expression into a SQL condition appended to out. On a problem returns
 * SJ_EFORMAT with *error_offset (byte in the expression) and a Chinese message. */
int sj_expr_to_sql(const struct sj_expr *expr, const struct sj_expr_scope *scope,
                   struct sj_buf *out, size_t *error_offset, char *message, size_t message_size);

#endif
