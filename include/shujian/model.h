/*
 * model.h - supervision models (大数据法律监督模型): portable YAML files (docs/MODELS.md)
 * parsed into a struct sj_model, checked with line:column diagnostics, compiled to one SQL
 * query over the workspace with every user value bound, and run to produce leads.
 *
 * Ownership: a struct sj_model and everything it points to is owned by the caller of the
 * function that made it and freed with sj_model_free. Strings passed in are borrowed.
 */
#ifndef SHUJIAN_MODEL_H
#define SHUJIAN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/norm.h"
#include "shujian/store.h"

/* The four procuratorial functions (四大检察). */
enum sj_model_function {
    SJ_FUNCTION_CRIMINAL = 0,    /* "criminal" 刑事检察 */
    SJ_FUNCTION_CIVIL,           /* "civil" 民事检察 */
    SJ_FUNCTION_ADMINISTRATIVE,  /* "administrative" 行政检察 */
    SJ_FUNCTION_PUBLIC_INTEREST, /* "public-interest" 公益诉讼检察 */
    SJ_FUNCTION_COUNT
};

const char *sj_model_function_name(enum sj_model_function function);
const char *sj_model_function_label(enum sj_model_function function);
int sj_model_function_parse(const char *name, enum sj_model_function *function);

/* A place in the model file, 1-based; 0 when unknown. */
struct sj_model_pos {
    int line;
    int column;
};

/* A column an input needs: its logical name in the model, its kind, and the headers to
 * look for in a dataset (in order of preference). */
struct sj_model_column {
    char *name;
    enum sj_kind kind;
    char **headers;
    size_t header_count;
    struct sj_model_pos pos;
};

struct sj_model_input {
    char *name;
    char *label;
    char **datasets; /* default datasets; more than one are stacked (UNION ALL) */
    size_t dataset_count;
    struct sj_model_column *columns;
    size_t column_count;
    struct sj_model_pos pos;
};

enum sj_param_type {
    SJ_PARAM_INTEGER = 0,
    SJ_PARAM_NUMBER,
    SJ_PARAM_AMOUNT, /* bound as integer fen */
    SJ_PARAM_DAYS,   /* bound as integer days */
    SJ_PARAM_DATE,   /* bound as YYYY-MM-DD */
    SJ_PARAM_TEXT,
    SJ_PARAM_LIST, /* of text; bound as a JSON array and expanded with json_each */
    SJ_PARAM_BOOLEAN,
};

const char *sj_param_type_name(enum sj_param_type type);

struct sj_model_param {
    char *name;
    enum sj_param_type type;
    char *label;
    char *default_text;  /* scalar default as written; NULL for lists */
    char **default_list; /* list default */
    size_t default_list_count;
    struct sj_model_pos pos;
};

enum sj_model_op {
    SJ_OP_FILTER = 0,
    SJ_OP_MATCH,
    SJ_OP_ABSENT,
    SJ_OP_COUNT,
    SJ_OP_SUM,
    SJ_OP_WITHIN,
    SJ_OP_UNION,
    SJ_OP_USE_MODEL,
    SJ_OP_SQL,
};

const char *sj_model_op_name(enum sj_model_op op);
struct sj_model_step;
/* The name the model file used for st's operation: as sj_model_op_name, except "exists" for
 * a match written as `exists`. Static storage. */
const char *sj_model_step_op_name(const struct sj_model_step *st);

struct sj_model_key {
    char *left;  /* column of `from` */
    char *right; /* column of the other side */
};

/* One step. Which fields are used depends on op (docs/MODELS.md, "Operations"). */
struct sj_model_step {
    char *id;
    enum sj_model_op op;
    struct sj_model_pos pos;
    char *from;  /* input or earlier step */
    char *other; /* match: with; absent/within: in */
    struct sj_model_key *keys;
    size_t key_count;
    char *where; /* filter */
    struct sj_model_pos where_pos;
    char **by; /* count/sum: grouping columns */
    size_t by_count;
    char *of;       /* sum: the column summed */
    char *distinct; /* count: count the distinct non-empty values of this column, not rows */
    bool is_exists; /* match written as `exists`: from's rows that have a match in other,
                       each once, with from's columns and evidence only (a semi-join) */
    char *having;   /* count/sum: condition on count / sum */
    struct sj_model_pos having_pos;
    char *after;  /* within: date column of from */
    char *then;   /* within: date column of other */
    char *days;   /* within: "$param" or a literal number */
    bool missing; /* within: true = the follow-up does not happen in the window */
    char **union_of;
    size_t union_count;
    char *model;  /* use-model: the model id */
    bool as_rows; /* use-model: its final rows rather than its leads */
    char *query;  /* sql */
};

struct sj_model_lead {
    char *from;
    char *subject;
    char *title;
    char **evidence;
    size_t evidence_count;
    struct sj_model_pos pos;
};

struct sj_model {
    char *id;
    char *name;
    enum sj_model_function function;
    char *version;
    char *author;
    char *office;
    char *summary;
    char *path;      /* file it was read from */
    char sha256[65]; /* of the file's bytes, lowercase hex */
    bool is_builtin; /* from the toolbox shipped with the binary */
    struct sj_model_input *inputs;
    size_t input_count;
    struct sj_model_param *params;
    size_t param_count;
    struct sj_model_step *steps;
    size_t step_count;
    struct sj_model_lead lead;
};

/* A problem found in a model file: where, what (Chinese, for the modeler), and what to
 * write instead. */
struct sj_model_diag {
    struct sj_model_pos pos;
    char message[384];
    char hint[256];
};

struct sj_model_diags {
    struct sj_model_diag *items; /* owned */
    size_t count;
};

void sj_model_diags_release(struct sj_model_diags *diags);
/* Formats one diagnostic as "FILE:LINE:COLUMN: MESSAGE (HINT)" into buf (size bytes, cut at
 * a whole UTF-8 character) and returns buf. Unknown parts are left out: no "FILE:" when
 * path is NULL, no "LINE:COLUMN: " when pos.line is 0, no " (HINT)" when the hint is "". */
const char *sj_model_diag_format(const char *path, const struct sj_model_diag *diag, char *buf,
                                 size_t size);

/* Parses and checks a model from text (len bytes, need not be NUL-terminated; path may be
 * NULL and is only recorded in model->path). On success returns 0 and *out (owned by the
 * caller), with sha256 of the bytes. When the file has problems returns SJ_EFORMAT and fills
 * diags (required; release with sj_model_diags_release) with every problem found, sorted by
 * position (at most 100, then a note); *out stays NULL. Checks: UTF-8, YAML syntax,
 * required keys, unknown keys (with a "did you mean" hint), names, kinds, parameter types
 * and defaults, the keys of each operation, step references (to inputs, earlier steps and
 * their columns, per docs/MODELS.md "Columns of a step"), expressions and the parameters
 * they use, and the lead's columns and title placeholders. Positions count lines and
 * characters from 1. */
int sj_model_parse(const char *text, size_t len, const char *path, struct sj_model **out,
                   struct sj_model_diags *diags);
/* Reads path and calls sj_model_parse; also records path and sha256. SJ_EIO (err says why)
 * when unreadable; SJ_EFORMAT with diags when the file has problems. */
int sj_model_load_file(const char *path, struct sj_model **out, struct sj_model_diags *diags,
                       struct sj_err *err);
void sj_model_free(struct sj_model *model);

/* ---- The toolbox -------------------------------------------------------------------------- */

/* Directory of the built-in toolbox: $SHUJIAN_MODELS if set, else the installed
 * share/shujian/models, else the source tree's models/ (for uninstalled builds). */
const char *sj_toolbox_builtin_dir(void);

struct sj_toolbox {
    struct sj_model **models; /* sorted by function, then id; owned */
    size_t count;
    /* Files that failed to load, repeated ids and broken use-model references, for `model
     * list`: each message starts with "FILE:LINE:COLUMN: " (or "FILE: "); pos is {0, 0}. */
    struct sj_model_diags problems;
};

/* Loads every *.yaml (and *.yml) of the built-in toolbox and of workspace_dir/models
 * (workspace_dir may be NULL; missing folders are empty). A workspace model with the same id
 * as a built-in one replaces it. Files that fail are kept in problems, never fatal; returns
 * 0. Release with sj_toolbox_release. */
int sj_toolbox_load(const char *workspace_dir, struct sj_toolbox *toolbox, struct sj_err *err);
void sj_toolbox_release(struct sj_toolbox *toolbox);
/* The model with this id in a loaded toolbox (borrowed), or NULL. */
const struct sj_model *sj_toolbox_find(const struct sj_toolbox *toolbox, const char *id);
/* Validates path and, only when it has no problem, copies its bytes into
 * workspace_dir/models/<id>.yaml (creating the folders, replacing an earlier file) through a
 * temporary file and a rename. SJ_EFORMAT with diags filled when invalid (release them);
 * SJ_EIO when a file cannot be read or written. */
int sj_toolbox_add(const char *workspace_dir, const char *path, struct sj_model_diags *diags,
                   struct sj_err *err);

/* ---- Compiling and running ---------------------------------------------------------------- */

/* Command-line or API choices for one run; all borrowed, any may be empty. */
struct sj_model_choice {
    const char *name;  /* input name, parameter name, or "input.column" for mappings */
    const char *value; /* dataset, parameter value, or header */
};

struct sj_model_run_opts {
    const struct sj_model_choice *inputs; /* --input NAME=DATASET */
    size_t input_count;
    const struct sj_model_choice *params; /* --param NAME=VALUE */
    size_t param_count;
    const struct sj_model_choice *mappings; /* --map INPUT.COLUMN=HEADER */
    size_t mapping_count;
    const struct sj_toolbox *toolbox; /* for use-model steps; may be NULL */
};

/* A bound parameter of a compiled query: a model parameter (param set) or a literal of an
 * expression (param NULL; named l1, l2, ...). */
struct sj_model_value {
    char *name; /* SQL parameter name without the colon */
    enum sj_param_type type;
    char *text;      /* TEXT, DATE, LIST (JSON array) */
    int64_t integer; /* INTEGER, AMOUNT, DAYS, BOOLEAN */
    char *number;    /* NUMBER as decimal text */
    char *param;     /* the model parameter ("child-id.name" inside a used model), or NULL */
};

/* How one logical column of an input was found in one dataset (for `model explain`). */
struct sj_model_resolved {
    char *input;  /* input name ("child-id.input" inside a used model) */
    char *column; /* logical column */
    char *dataset;
    int position;      /* 1-based column of the dataset */
    char *header;      /* that column's header */
    enum sj_kind kind; /* the dataset column's kind */
    const char *how;   /* static: "mapping" (--map), "header" or "kind" (the only one) */
    bool is_raw;       /* compared as trimmed raw text: the column has no normalised value */
};

/* A key column the compiled query looks rows up by: ds_<dataset>.c<position>_n. */
struct sj_model_index {
    int64_t dataset;
    int position;
};

/* The compiled form of a model for one workspace and one set of choices. */
struct sj_model_plan {
    char *sql; /* one SELECT; columns: subject, evidence, title fields, _ev */
    struct sj_model_value *values;
    size_t value_count;
    char **columns;             /* output column names in order */
    enum sj_kind *column_kinds; /* their kinds (SJ_KIND_AUTO when unknown; _ev is text) */
    size_t column_count;
    char **datasets; /* datasets read, for the run record */
    size_t dataset_count;
    struct sj_model_resolved *resolved; /* every input column in every dataset read */
    size_t resolved_count;
    struct sj_model_index *indexes; /* the key columns its joins look up (owned); the store
                                       builds their indexes before the first run */
    size_t index_count;
    bool lists_indexes; /* indexes is the whole list (set by sj_model_compile unless the
                           model has a raw sql step); false: the store indexes every key
                           column of every table the SQL names */
};

/* Resolves inputs to datasets and columns in store and compiles model into plan (owned by
 * the caller; sj_model_plan_release). Errors name the input/column/parameter and why. */
int sj_model_compile(struct sj_store *store, const struct sj_model *model,
                     const struct sj_model_run_opts *opts, struct sj_model_plan *plan,
                     struct sj_err *err);
void sj_model_plan_release(struct sj_model_plan *plan);

struct sj_lead_brief {
    char *id;
    char *subject;
    char *title;
    bool is_new; /* first seen in this run */
};

struct sj_model_run_result {
    int64_t run_id;
    size_t lead_count;
    size_t new_count;
    struct sj_lead_brief *leads; /* owned */
    double seconds;
};

/* Compiles and runs model, records the run (model version and file hash, datasets and
 * their import runs, parameters, counts, duration) and upserts its leads with evidence.
 * Release result with sj_model_run_result_release. */
int sj_model_run(struct sj_store *store, const struct sj_model *model,
                 const struct sj_model_run_opts *opts, struct sj_model_run_result *result,
                 struct sj_err *err);
void sj_model_run_result_release(struct sj_model_run_result *result);

#endif
