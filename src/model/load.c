/*
 * load.c - a model's life outside the parser: reading a model file (capped, so a file too
 * big is reported rather than read whole), and freeing a struct sj_model with everything
 * it owns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/check_int.h"

static void free_list(char **items, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

static void free_step(struct sj_model_step *st)
{
    free(st->id);
    free(st->from);
    free(st->other);
    for (size_t k = 0; k < st->key_count; k++) {
        free(st->keys[k].left);
        free(st->keys[k].right);
    }
    free(st->keys);
    free(st->where);
    free_list(st->by, st->by_count);
    free(st->of);
    free(st->distinct);
    free(st->having);
    free(st->after);
    free(st->then);
    free(st->days);
    free_list(st->union_of, st->union_count);
    free(st->model);
    free(st->query);
}

void sj_model_free(struct sj_model *model)
{
    if (!model)
        return;
    for (size_t i = 0; i < model->input_count; i++) {
        struct sj_model_input *in = &model->inputs[i];
        for (size_t c = 0; c < in->column_count; c++) {
            free(in->columns[c].name);
            free_list(in->columns[c].headers, in->columns[c].header_count);
        }
        free(in->columns);
        free(in->name);
        free(in->label);
        free_list(in->datasets, in->dataset_count);
    }
    free(model->inputs);
    for (size_t i = 0; i < model->param_count; i++) {
        free(model->params[i].name);
        free(model->params[i].label);
        free(model->params[i].default_text);
        free_list(model->params[i].default_list, model->params[i].default_list_count);
    }
    free(model->params);
    for (size_t i = 0; i < model->step_count; i++)
        free_step(&model->steps[i]);
    free(model->steps);
    free(model->lead.from);
    free(model->lead.subject);
    free(model->lead.title);
    free_list(model->lead.evidence, model->lead.evidence_count);
    free(model->id);
    free(model->name);
    free(model->version);
    free(model->author);
    free(model->office);
    free(model->summary);
    free(model->path);
    free(model);
}

int sj_model_read_text(const char *path, struct sj_buf *buf, struct sj_err *err)
{
    char chunk[16384];
    int rc = 0;
    sj_buf_init(buf, SJ_MODEL_TEXT_MAX + 1);
    FILE *f = fopen(path, "rb");
    if (!f) {
        rc = sj_err_set(err, SJ_EIO, "无法打开模型文件：%s", strerror(errno));
        sj_err_at(err, path, -1, -1, NULL);
        return rc;
    }
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        /* Keep at most one byte past the cap: enough for sj_model_parse to say "too big". */
        size_t room = buf->max_len - buf->len;
        sj_buf_append(buf, chunk, n < room ? n : room);
        if (n > room)
            break;
    }
    if (ferror(f)) {
        rc = sj_err_set(err, SJ_EIO, "读取模型文件失败：%s", strerror(errno));
        sj_err_at(err, path, -1, -1, NULL);
        sj_buf_release(buf);
    }
    fclose(f);
    return rc;
}

int sj_model_load_file(const char *path, struct sj_model **out, struct sj_model_diags *diags,
                       struct sj_err *err)
{
    struct sj_buf buf;
    *out = NULL;
    diags->items = NULL;
    diags->count = 0;
    int rc = sj_model_read_text(path, &buf, err);
    if (rc < 0)
        return rc;
    rc = sj_model_parse(buf.data ? buf.data : "", buf.len, path, out, diags);
    if (rc < 0) {
        sj_err_set(err, rc, "模型文件有 %zu 个问题", diags->count);
        sj_err_at(err, path, -1, -1, NULL);
    }
    sj_buf_release(&buf);
    return rc;
}
