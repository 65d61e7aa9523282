/*
 * fuzz_model.c - fuzz target for sj_model_parse: any bytes give either a model and no
 * problems, or no model and at least one problem. Every problem has a non-empty message in
 * valid UTF-8, a position inside the text (or none), and formats without overflowing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_lines(const uint8_t *data, size_t size)
{
    int lines = 1;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xA8 ||
            data[i] == 0xA9)
            lines++;
    }
    return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sj_model *model = NULL;
    struct sj_model_diags diags;
    int rc = sj_model_parse((const char *)data, size, "fuzz.yaml", &model, &diags);
    if (rc == 0 && (model == NULL || diags.count != 0 || strlen(model->sha256) != 64))
        abort();
    if (rc != 0 && (rc != SJ_EFORMAT || model != NULL || diags.count == 0))
        abort();
    int lines = count_lines(data, size);
    char line[1400];
    for (size_t i = 0; i < diags.count; i++) {
        const struct sj_model_diag *d = &diags.items[i];
        size_t len = strnlen(d->message, sizeof d->message);
        if (len == 0 || len == sizeof d->message ||
            !sj_utf8_is_valid(sj_str_make(d->message, len), NULL) ||
            !sj_utf8_is_valid(sj_str_from_cstr(d->hint), NULL))
            abort();
        if (d->pos.line < 0 || d->pos.line > lines || d->pos.column < 0 ||
            (d->pos.line > 0 && d->pos.column == 0) || (size_t)d->pos.column > size + 1)
            abort();
        sj_model_diag_format("fuzz.yaml", d, line, sizeof line);
    }
    if (model) {
        for (size_t i = 0; i < model->step_count; i++) {
            if (!model->steps[i].id)
                abort(); /* a valid model names every step */
        }
    }
    sj_model_free(model);
    sj_model_diags_release(&diags);
    return 0;
}
