/*
 * lead_row.c - a compiled plan's result rows as leads see them, shared by runs (run.c) and
 * previews (preview.c) so that both show a lead the same way: which column is the subject
 * and which the evidence references, the kind of every column (as the plan says, else as
 * the model declares it), values as people read them (fen as yuan), and the title filled
 * from the first row of a subject.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"
#include "shujian/plan.h"

/* ---- Column kinds --------------------------------------------------------------------------- */

static enum sj_kind input_column_kind(const struct sj_model_input *in, const char *name,
                                      bool *found)
{
    for (size_t c = 0; c < in->column_count; c++) {
        if (strcmp(in->columns[c].name, name) == 0) {
            *found = true;
            return in->columns[c].kind;
        }
    }
    return SJ_KIND_TEXT;
}

static enum sj_kind column_kind(const struct sj_model *m, const char *name, int depth)
{
    bool found = false;
    if (depth > 4)
        return SJ_KIND_TEXT;
    if (strcmp(name, "count") == 0)
        return SJ_KIND_INTEGER;
    if (strcmp(name, "sum") == 0) {
        for (size_t s = 0; s < m->step_count; s++) {
            if (m->steps[s].op == SJ_OP_SUM && m->steps[s].of)
                return column_kind(m, m->steps[s].of, depth + 1);
        }
        return SJ_KIND_TEXT;
    }
    const char *dot = strchr(name, '.');
    for (size_t i = 0; dot && i < m->input_count; i++) {
        size_t len = (size_t)(dot - name);
        if (strlen(m->inputs[i].name) == len && strncmp(m->inputs[i].name, name, len) == 0) {
            enum sj_kind kind = input_column_kind(&m->inputs[i], dot + 1, &found);
            if (found)
                return kind;
        }
    }
    for (size_t i = 0; i < m->input_count; i++) {
        enum sj_kind kind = input_column_kind(&m->inputs[i], dot ? dot + 1 : name, &found);
        if (found)
            return kind;
    }
    return SJ_KIND_TEXT;
}

enum sj_kind sj_model_column_kind(const struct sj_model *m, const char *name)
{
    return column_kind(m, name, 0);
}

/* The kind of result column name: as the plan says, else from the model's declarations;
 * the subject column has the kind of the model column it comes from. */
static enum sj_kind result_kind(const struct sj_model *m, const struct sj_model_plan *p,
                                const char *name, bool is_subject)
{
    for (size_t i = 0; p->column_kinds && i < p->column_count; i++) {
        if (strcmp(p->columns[i], name) == 0 && p->column_kinds[i] != SJ_KIND_AUTO)
            return p->column_kinds[i];
    }
    if (is_subject && m->lead.subject)
        return column_kind(m, m->lead.subject, 0);
    return column_kind(m, name, 0);
}

void sj_lead_cols_find(struct sj_lead_cols *c, const struct sj_model *m,
                       const struct sj_model_plan *p, size_t count, const char *const *columns)
{
    c->count = count;
    c->kinds = sj_xcalloc(count ? count : 1, sizeof *c->kinds);
    c->subject = c->ev = -1;
    for (size_t i = 0; i < count; i++) {
        bool is_subject = strcmp(columns[i], "subject") == 0 && c->subject < 0;
        if (is_subject)
            c->subject = (long)i;
        else if (strcmp(columns[i], "_ev") == 0)
            c->ev = (long)i;
        c->kinds[i] = result_kind(m, p, columns[i], is_subject);
    }
}

void sj_lead_cols_release(struct sj_lead_cols *c)
{
    free(c->kinds);
    memset(c, 0, sizeof *c);
}

/* ---- Values and titles ---------------------------------------------------------------------- */

void sj_lead_append_shown(struct sj_buf *out, enum sj_kind kind, const char *value)
{
    char *end = NULL;
    long long fen = kind == SJ_KIND_AMOUNT && value && *value ? strtoll(value, &end, 10) : 0;
    if (end && *end == '\0') {
        unsigned long long abs = fen < 0 ? 0ULL - (unsigned long long)fen : (unsigned long long)fen;
        sj_buf_appendf(out, "%s%llu.%02llu元", fen < 0 ? "-" : "", abs / 100, abs % 100);
        return;
    }
    sj_buf_append_cstr(out, value ? value : "");
}

char *sj_lead_title(const struct sj_model *m, const struct sj_lead_cols *c,
                    const char *const *columns, const char *const *values)
{
    const char *t = m->lead.title ? m->lead.title : "";
    const char *subject = m->lead.subject;
    struct sj_buf out;
    sj_buf_init(&out, 0);
    while (*t) {
        const char *close = *t == '{' ? strchr(t, '}') : NULL;
        if (!close) {
            sj_buf_putc(&out, *t++);
            continue;
        }
        size_t len = (size_t)(close - t - 1);
        long col = -1;
        for (size_t i = 0; i < c->count && col < 0; i++) {
            if (strlen(columns[i]) == len && strncmp(columns[i], t + 1, len) == 0)
                col = (long)i;
        }
        if (col < 0 && subject && strlen(subject) == len && strncmp(subject, t + 1, len) == 0)
            col = c->subject;
        if (col >= 0)
            sj_lead_append_shown(&out, c->kinds[col], values[col]);
        else
            sj_buf_append(&out, t, len + 2); /* unknown: left as written */
        t = close + 1;
    }
    char *text = sj_buf_detach(&out, NULL);
    return text ? text : sj_xstrdup("");
}
