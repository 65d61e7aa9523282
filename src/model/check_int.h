/*
 * check_int.h - internal to src/model: the state shared by parse.c (YAML text -> struct
 * sj_model, with structural diagnostics) and check.c (references between inputs, steps and
 * columns, expressions, the lead template; the diagnostic list itself).
 *
 * Invariant: every YAML node index kept here (libyaml document API, 1-based; 0 = absent)
 * belongs to parser->doc, which lives until the parse is over, so check.c can point at any
 * value the model file wrote.
 */
#ifndef SHUJIAN_MODEL_CHECK_INT_H
#define SHUJIAN_MODEL_CHECK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "shujian/model.h"

#define SJ_MODEL_DIAGS_MAX 100       /* problems reported per file; the rest are summarised */
#define SJ_MODEL_TEXT_MAX (1u << 20) /* a model file is a page or two, not a megabyte */

/* Nodes of one step's values, parallel to struct sj_model_step. */
struct sj_model_step_nodes {
    int body; /* the operation's mapping */
    int from, other, where, of, distinct, having, after, then, days, model, query;
    int *keys;   /* one per step->keys */
    int *by;     /* one per step->by */
    int *unions; /* one per step->union_of */
};

struct sj_model_lead_nodes {
    int from, subject, title;
    int *evidence; /* one per lead.evidence */
};

struct sj_model_parser {
    const char *text; /* the file's bytes (borrowed), valid UTF-8 */
    size_t len;
    size_t *lines; /* byte offset where each line starts (libyaml's idea of a line) */
    size_t line_count;
    yaml_document_t doc;
    bool has_doc;
    struct sj_model *model;
    struct sj_model_diags *diags;
    size_t diag_alloc;
    bool is_truncated;                 /* more than SJ_MODEL_DIAGS_MAX problems */
    struct sj_model_step_nodes *steps; /* model->step_count entries */
    struct sj_model_lead_nodes lead;
};

/* Records a problem at pos. hint may be NULL. The message is printf-style, Chinese. */
void sj_model_diag_add(struct sj_model_parser *p, struct sj_model_pos pos, const char *hint,
                       const char *fmt, ...) SJ_PRINTF(4, 5);
/* Sorts the diagnostics by position (stable) and appends the "more problems" note. */
void sj_model_diags_finish(struct sj_model_parser *p);

/* Fills p->lines from p->text, breaking lines where libyaml does (a BOM is not part of
 * line 1). */
void sj_model_index_lines(struct sj_model_parser *p);
/* Reports why libyaml stopped (in Chinese, with libyaml's words in brackets) and every line
 * indented with a tab, the usual reason. */
void sj_model_report_syntax(struct sj_model_parser *p, const yaml_parser_t *yp);

/* A libyaml mark (0-based) as a position (1-based). */
struct sj_model_pos sj_model_mark_pos(const struct sj_model_parser *p, yaml_mark_t mark);
/* Where a node starts in the file. */
struct sj_model_pos sj_model_node_pos(const struct sj_model_parser *p, int node);
/* Where byte `offset` of a scalar node's value is in the file (through quotes, escapes
 * and folded lines); the node's start when it cannot be traced. */
struct sj_model_pos sj_model_value_pos(const struct sj_model_parser *p, int node, size_t offset);
/* Line and column (counted in characters) of a byte offset of the text. */
struct sj_model_pos sj_model_offset_pos(const struct sj_model_parser *p, size_t offset);

/* The candidate closest to word (edit distance over characters, transpositions count
 * one), or NULL when none is close enough to be a likely typo. Borrowed from candidates. */
const char *sj_model_suggest(const char *word, const char *const *candidates, size_t count);
/* Joins up to the candidates that fit into buf as "a、b、c". Returns buf. */
const char *sj_model_join(const char *const *items, size_t count, char *buf, size_t size);

/* Cuts s back to whole UTF-8 characters (after snprintf may have cut one in half). */
void sj_model_trim_utf8(char *s);

/* True for a name a model may give an input, column, parameter or step: letters (any
 * script), digits and '_', not starting with a digit, at most 64 bytes. */
bool sj_model_is_name(const char *s);

/* Reads a model file into buf (initialised here; the caller releases it), keeping at most
 * SJ_MODEL_TEXT_MAX + 1 bytes so that a file too big is reported, not read whole. */
int sj_model_read_text(const char *path, struct sj_buf *buf, struct sj_err *err);

/* The second pass: references between inputs, steps and columns, expressions, parameters
 * used, and the lead. Runs on whatever parse.c could build; missing parts were reported. */
void sj_model_check_refs(struct sj_model_parser *p);

#endif
