/*
 * compile_inputs.c - resolves a model's inputs against the workspace: each input to its
 * dataset(s) (the model's default, or --input NAME=DATASET[,DATASET]) and each declared
 * column to one column of each dataset: the --map header if given, else the first of the
 * model's headers that matches (trimmed, full-width folded), else the only column of the
 * required kind; otherwise an error that names the input, the column and the headers tried.
 *
 * Each dataset becomes a simple CTE selecting the logical columns from ds_<id>: c<P>_n for
 * a column with a kind (so joins and lookups use its index), trim(c<P>) for text, plus the
 * evidence '<id>:' || _row. Several datasets are stacked with UNION ALL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/compile_int.h"
#include "shujian/plan.h"

#define HEADER_MAX 512

/* A header as compared: full-width folded, then trimmed of white space. */
static struct sj_str fold_header(const char *header, char *buf, size_t size)
{
    long n = sj_fold_halfwidth_to(sj_str_from_cstr(header), buf, size);
    if (n < 0)
        return sj_str_from_cstr(header);
    return sj_str_trim(sj_str_make(buf, (size_t)n));
}

static bool header_eq(const char *a, const char *b)
{
    char fa[HEADER_MAX], fb[HEADER_MAX];
    return sj_str_eq(fold_header(a, fa, sizeof fa), fold_header(b, fb, sizeof fb));
}

static const struct sj_catalog_column *by_header(const struct sj_catalog_dataset *ds,
                                                 const char *header)
{
    for (size_t i = 0; i < ds->column_count; i++) {
        if (header_eq(ds->columns[i].name, header))
            return &ds->columns[i];
    }
    return NULL;
}

static void join_headers(struct sj_buf *out, const struct sj_catalog_dataset *ds)
{
    for (size_t i = 0; i < ds->column_count; i++)
        sj_buf_appendf(out, "%s“%s”", i ? "、" : "", ds->columns[i].name);
}

static int not_found(struct sj_cc_ns *ns, const struct sj_model_input *in,
                     const struct sj_model_column *col, const struct sj_catalog_dataset *ds,
                     size_t same_kind)
{
    struct sj_buf why;
    sj_buf_init(&why, 4096);
    sj_buf_appendf(&why, "输入“%s%s”在数据集“%s”中找不到列“%s”：试过表头", ns->choice_prefix,
                   in->name, ds->name, col->name);
    for (size_t i = 0; i < col->header_count; i++)
        sj_buf_appendf(&why, "%s“%s”", i ? "、" : "", col->headers[i]);
    if (col->header_count == 0)
        sj_buf_append_cstr(&why, "（无）");
    if (col->kind != SJ_KIND_TEXT)
        sj_buf_appendf(&why, "，数据集中%s类的列有 %zu 个", sj_kind_label(col->kind), same_kind);
    sj_buf_append_cstr(&why, "；数据集的表头有：");
    join_headers(&why, ds);
    sj_buf_appendf(&why, "。可用 --map %s%s.%s=表头 指定", ns->choice_prefix, in->name, col->name);
    int rc = sj_cc_fail(ns->cc, SJ_ENOTFOUND, "%s", sj_buf_cstr(&why));
    sj_err_at(ns->cc->err, NULL, -1, -1, col->name);
    sj_buf_release(&why);
    return rc;
}

/* True when values of kind a, normalised, compare equal to values of kind b: the same
 * kind, or a party-id column (id number, credit code or org code, each in its canonical
 * form) and one of those three. */
static bool same_values(enum sj_kind a, enum sj_kind b)
{
    if (a == b)
        return true;
    if (b == SJ_KIND_PARTYID) {
        b = a;
        a = SJ_KIND_PARTYID;
    }
    return a == SJ_KIND_PARTYID &&
           (b == SJ_KIND_IDCARD || b == SJ_KIND_CREDITCODE || b == SJ_KIND_ORGCODE);
}

/* Finds the dataset column for a declared column; *how says by which rule. */
static int find_column(struct sj_cc_ns *ns, const struct sj_model_input *in,
                       const struct sj_model_column *col, const struct sj_catalog_dataset *ds,
                       const struct sj_catalog_column **found, const char **how)
{
    const struct sj_model_run_opts *o = ns->cc->opts;
    char key[300];
    snprintf(key, sizeof key, "%s.%s", in->name, col->name);
    const char *mapped = sj_cc_choice(o->mappings, o->mapping_count, ns->choice_prefix, key);
    *how = "mapping";
    if (mapped && (*found = by_header(ds, mapped)) != NULL)
        return 0;
    if (mapped) {
        struct sj_buf list;
        sj_buf_init(&list, 4096);
        join_headers(&list, ds);
        int rc = sj_cc_fail(ns->cc, SJ_ENOTFOUND,
                            "--map 指定的表头“%s”在数据集“%s”中不存在；"
                            "数据集的表头有：%s",
                            mapped, ds->name, sj_buf_cstr(&list));
        sj_buf_release(&list);
        return rc;
    }
    *how = "header";
    for (size_t i = 0; i < col->header_count; i++) {
        if ((*found = by_header(ds, col->headers[i])) != NULL)
            return 0;
    }
    *how = "kind";
    size_t same_kind = 0;
    for (size_t i = 0; col->kind != SJ_KIND_TEXT && i < ds->column_count; i++) {
        if (same_values(ds->columns[i].kind, col->kind) && same_kind++ == 0)
            *found = &ds->columns[i];
    }
    if (same_kind == 1)
        return 0;
    *found = NULL;
    return not_found(ns, in, col, ds, same_kind);
}

/* Kinds whose normalised form is close to the trimmed text, so a column imported as text
 * can still be compared (raw) rather than refused. */
static bool is_textlike(enum sj_kind kind)
{
    switch (kind) {
    case SJ_KIND_IDCARD:
    case SJ_KIND_NAME:
    case SJ_KIND_PHONE:
    case SJ_KIND_CASENO:
    case SJ_KIND_CREDITCODE:
    case SJ_KIND_ORGCODE:
    case SJ_KIND_BANKCARD:
    case SJ_KIND_PLATE:
    case SJ_KIND_PARTYID:
        return true;
    default:
        return false;
    }
}

/* The SQL of a declared column over dataset column dc; *kind is what the compiler will
 * treat it as. */
static int column_sql(struct sj_cc_ns *ns, const struct sj_model_input *in,
                      const struct sj_model_column *col, const struct sj_catalog_dataset *ds,
                      const struct sj_catalog_column *dc, struct sj_buf *sql, bool *is_raw)
{
    *is_raw = false;
    if (col->kind == SJ_KIND_TEXT || (dc->kind == SJ_KIND_TEXT && is_textlike(col->kind))) {
        *is_raw = col->kind != SJ_KIND_TEXT;
        sj_buf_appendf(sql, "trim(c%d)", dc->position);
        return 0;
    }
    if (same_values(dc->kind, col->kind)) {
        sj_buf_appendf(sql, col->kind == SJ_KIND_NUMBER ? "CAST(c%d_n AS REAL)" : "c%d_n",
                       dc->position);
        return 0;
    }
    return sj_cc_fail(ns->cc, SJ_EINVAL,
                      "输入“%s%s”的列“%s”要求%s，但数据集“%s”的第%d列“%s”是%s；请把该列按%s"
                      "重新导入，或用 --map %s%s.%s=表头 指定别的列",
                      ns->choice_prefix, in->name, col->name, sj_kind_label(col->kind), ds->name,
                      dc->position, dc->name, sj_kind_label(dc->kind), sj_kind_label(col->kind),
                      ns->choice_prefix, in->name, col->name);
}

static void note_dataset(struct sj_cc *cc, const char *name)
{
    for (size_t i = 0; i < cc->dataset_count; i++) {
        if (strcmp(cc->datasets[i], name) == 0)
            return;
    }
    cc->datasets = sj_xrealloc(cc->datasets, (cc->dataset_count + 1) * sizeof *cc->datasets);
    cc->datasets[cc->dataset_count++] = sj_xstrdup(name);
}

static void note_resolved(struct sj_cc_ns *ns, const struct sj_model_input *in,
                          const struct sj_model_column *col, const struct sj_catalog_dataset *ds,
                          const struct sj_catalog_column *dc, const char *how, bool is_raw)
{
    struct sj_cc *cc = ns->cc;
    char input[300];
    cc->resolved = sj_xrealloc(cc->resolved, (cc->resolved_count + 1) * sizeof *cc->resolved);
    struct sj_model_resolved *r = &cc->resolved[cc->resolved_count++];
    snprintf(input, sizeof input, "%s%s", ns->choice_prefix, in->name);
    r->input = sj_xstrdup(input);
    r->column = sj_xstrdup(col->name);
    r->dataset = sj_xstrdup(ds->name);
    r->position = dc->position;
    r->header = sj_xstrdup(dc->name);
    r->kind = dc->kind;
    r->how = how;
    r->is_raw = is_raw;
}

/* ---- One dataset of an input ---------------------------------------------------------------- */

static int open_dataset(struct sj_cc_ns *ns, const struct sj_model_input *in, const char *name,
                        struct sj_catalog_dataset *ds)
{
    int rc = sj_store_catalog_dataset(ns->cc->store, name, ds, ns->cc->err);
    if (rc < 0 && ns->cc->err) {
        char why[sizeof ns->cc->err->message];
        snprintf(why, sizeof why, "%s", ns->cc->err->message);
        sj_cc_fail(ns->cc, rc, "输入“%s%s”：%s", ns->choice_prefix, in->name, why);
    }
    return rc;
}

/* Emits the CTE of one dataset of input in; is_raw[c] is set for columns compared raw. */
static int emit_part(struct sj_cc_ns *ns, const struct sj_model_input *in, const char *dataset,
                     const char *cte, bool *is_raw)
{
    struct sj_catalog_dataset ds;
    struct sj_buf body;
    sj_buf_init(&body, SJ_CC_SQL_MAX);
    const char **names = sj_xcalloc(in->column_count + 1, sizeof *names);
    int *positions = sj_xcalloc(in->column_count + 1, sizeof *positions);
    int rc = open_dataset(ns, in, dataset, &ds);
    if (rc < 0)
        goto out;
    sj_buf_append_cstr(&body, "SELECT ");
    for (size_t c = 0; c < in->column_count; c++) {
        const struct sj_model_column *col = &in->columns[c];
        const struct sj_catalog_column *dc = NULL;
        const char *how = NULL;
        bool raw = false;
        rc = find_column(ns, in, col, &ds, &dc, &how);
        if (rc == 0)
            rc = column_sql(ns, in, col, &ds, dc, &body, &raw);
        if (rc < 0)
            goto out;
        is_raw[c] = is_raw[c] || raw;
        names[c] = col->name;
        /* only c<P>_n as it is can use an index (not trim(), not CAST) */
        positions[c] =
            !raw && col->kind != SJ_KIND_TEXT && col->kind != SJ_KIND_NUMBER ? dc->position : 0;
        sj_buf_append_cstr(&body, " AS ");
        sj_cc_quote(&body, col->name);
        sj_buf_append_cstr(&body, ", ");
        note_resolved(ns, in, col, &ds, dc, how, raw);
    }
    sj_buf_appendf(&body, "'%lld:' || _row AS _ev FROM ds_%lld", (long long)ds.id,
                   (long long)ds.id);
    note_dataset(ns->cc, ds.name);
    rc = sj_cc_add_cte(ns->cc, cte, SJ_CTE_INLINE, sj_buf_cstr(&body));
    sj_cc_origin_add(ns->cc, cte, NULL, ds.id, names, positions, in->column_count);
    names = NULL;
    positions = NULL;
out:
    free(names);
    free(positions);
    sj_buf_release(&body);
    sj_catalog_dataset_release(&ds);
    return rc;
}

/* ---- Inputs --------------------------------------------------------------------------------- */

static int check_columns(struct sj_cc_ns *ns, const struct sj_model_input *in)
{
    for (size_t i = 0; i < in->column_count; i++) {
        const char *name = in->columns[i].name;
        if (!name || !name[0] || strcasecmp(name, "_ev") == 0)
            return sj_cc_fail(ns->cc, SJ_EINVAL, "输入“%s”的列名“%s”不可用", in->name,
                              name ? name : "");
        for (size_t j = 0; j < i; j++) {
            if (strcasecmp(in->columns[j].name, name) == 0)
                return sj_cc_fail(ns->cc, SJ_EINVAL, "输入“%s”的列“%s”与“%s”重名", in->name, name,
                                  in->columns[j].name);
        }
    }
    return 0;
}

/* The datasets of an input: --input NAME=A[,B] or the model's. *list is owned (strings
 * too). */
static size_t input_datasets(struct sj_cc_ns *ns, const struct sj_model_input *in, char ***list)
{
    const struct sj_model_run_opts *o = ns->cc->opts;
    const char *given = sj_cc_choice(o->inputs, o->input_count, ns->choice_prefix, in->name);
    size_t n = 0;
    *list = NULL;
    if (!given) {
        *list = sj_xcalloc(in->dataset_count + 1, sizeof **list);
        for (; n < in->dataset_count; n++)
            (*list)[n] = sj_xstrdup(in->datasets[n]);
        return n;
    }
    const char *start = given;
    for (const char *s = given;; s++) {
        if (*s && *s != ',')
            continue;
        struct sj_str name = sj_str_trim(sj_str_make(start, (size_t)(s - start)));
        if (name.len) {
            *list = sj_xrealloc(*list, (n + 1) * sizeof **list);
            (*list)[n++] = sj_xstrndup(name.ptr, name.len);
        }
        if (!*s)
            break;
        start = s + 1;
    }
    return n;
}

static int compile_input(struct sj_cc_ns *ns, const struct sj_model_input *in)
{
    char **datasets = NULL;
    char base[300];
    bool *is_raw = sj_xcalloc(in->column_count + 1, sizeof *is_raw);
    size_t count = input_datasets(ns, in, &datasets);
    struct sj_cc_rel *rel = sj_cc_rel_add(ns, in->name);
    int rc = check_columns(ns, in);
    if (rc == 0 && count == 0)
        rc = sj_cc_fail(ns->cc, SJ_EINVAL, "输入“%s%s”没有指定数据集（用 --input %s%s=数据集）",
                        ns->choice_prefix, in->name, ns->choice_prefix, in->name);
    snprintf(base, sizeof base, "%si_%s", ns->prefix, in->name);
    rel->parts = sj_xcalloc(count + 1, sizeof *rel->parts);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        rel->parts[i] = sj_cc_part_name(ns->cc, base, i, count);
        rel->part_count++;
        rc = emit_part(ns, in, datasets[i], rel->parts[i], is_raw);
    }
    for (size_t c = 0; rc == 0 && c < in->column_count; c++) {
        enum sj_kind kind = is_raw[c] ? SJ_KIND_TEXT : in->columns[c].kind;
        /* trim(c<P>) and CAST(c<P>_n ...) are expressions no index can serve */
        sj_cc_rel_add_col(rel, in->columns[c].name, kind)->is_lookup_ok =
            kind != SJ_KIND_TEXT && kind != SJ_KIND_NUMBER;
    }
    if (rc == 0)
        rc = sj_cc_emit_union(ns->cc, rel, base);
    for (size_t i = 0; i < count; i++)
        free(datasets[i]);
    free(datasets);
    free(is_raw);
    return rc;
}

int sj_cc_compile_inputs(struct sj_cc_ns *ns)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ns->model->input_count; i++)
        rc = compile_input(ns, &ns->model->inputs[i]);
    return rc;
}
