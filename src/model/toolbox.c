/*
 * toolbox.c - the model library (工具箱): the built-in models shipped with shujian and the
 * workspace's own models/ folder, where a workspace model replaces a built-in one with the
 * same id. Files that fail to load, repeated ids and use-model steps naming a model that is
 * not there (or that lead back to themselves) are collected as problems, never fatal.
 *
 * Invariant: toolbox->models is sorted by function, then id, and holds each id once.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/check_int.h"
#include "model/model_config.h"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *sj_toolbox_builtin_dir(void)
{
    const char *env = getenv("SHUJIAN_MODELS");
    if (env && *env)
        return env;
    if (is_dir(SJ_MODELS_INSTALL_DIR))
        return SJ_MODELS_INSTALL_DIR;
    return SJ_SOURCE_ROOT "/models";
}

/* ---- Problems -------------------------------------------------------------------------------- */

/* Adds a problem of the file at path; message carries the path and position because a
 * toolbox's problems come from many files. */
static void add_problem(struct sj_toolbox *tb, const char *path, struct sj_model_pos pos,
                        const char *hint, const char *fmt, ...) SJ_PRINTF(5, 6);

static void add_problem(struct sj_toolbox *tb, const char *path, struct sj_model_pos pos,
                        const char *hint, const char *fmt, ...)
{
    char text[sizeof tb->problems.items[0].message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    tb->problems.items =
        sj_xrealloc(tb->problems.items, (tb->problems.count + 1) * sizeof *tb->problems.items);
    struct sj_model_diag *d = &tb->problems.items[tb->problems.count++];
    d->pos = (struct sj_model_pos){0, 0};
    if (pos.line > 0)
        snprintf(d->message, sizeof d->message, "%s:%d:%d: ", path, pos.line, pos.column);
    else
        snprintf(d->message, sizeof d->message, "%s: ", path);
    size_t used = strlen(d->message);
    snprintf(d->message + used, sizeof d->message - used, "%s", text);
    snprintf(d->hint, sizeof d->hint, "%s", hint ? hint : "");
    sj_model_trim_utf8(d->message);
    sj_model_trim_utf8(d->hint);
}

/* ---- Loading --------------------------------------------------------------------------------- */

static long find_index(const struct sj_toolbox *tb, const char *id)
{
    for (size_t i = 0; i < tb->count; i++) {
        if (strcmp(tb->models[i]->id, id) == 0)
            return (long)i;
    }
    return -1;
}

/* Adds model (taken) to the toolbox. A workspace model replaces a built-in one; the same id
 * twice on one side is a problem and the later file is left out. */
static void add_model(struct sj_toolbox *tb, struct sj_model *model)
{
    long i = find_index(tb, model->id);
    if (i >= 0 && tb->models[i]->is_builtin && !model->is_builtin) {
        sj_model_free(tb->models[i]);
        tb->models[i] = model;
        return;
    }
    if (i >= 0) {
        add_problem(tb, model->path, (struct sj_model_pos){0, 0}, "给其中一个模型换一个 id",
                    "模型 id“%s”与 %s 重复，已忽略这个文件", model->id, tb->models[i]->path);
        sj_model_free(model);
        return;
    }
    tb->models = sj_xrealloc(tb->models, (tb->count + 1) * sizeof *tb->models);
    tb->models[tb->count++] = model;
}

static bool is_model_file(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.')
        return false;
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_file(struct sj_toolbox *tb, const char *path, bool is_builtin)
{
    struct sj_model *model = NULL;
    struct sj_model_diags diags;
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_model_load_file(path, &model, &diags, &err);
    if (rc == 0) {
        model->is_builtin = is_builtin;
        add_model(tb, model);
    } else if (diags.count == 0) {
        add_problem(tb, path, (struct sj_model_pos){0, 0}, NULL, "%s", err.message);
    }
    for (size_t i = 0; i < diags.count; i++)
        add_problem(tb, path, diags.items[i].pos, diags.items[i].hint, "%s",
                    diags.items[i].message);
    sj_model_diags_release(&diags);
}

/* Loads every model file of dir in name order. A missing dir is not a problem. */
static void load_dir(struct sj_toolbox *tb, const char *dir, bool is_builtin)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno != ENOENT)
            add_problem(tb, dir, (struct sj_model_pos){0, 0}, NULL, "无法读取模型目录：%s",
                        strerror(errno));
        return;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_model_file(e->d_name))
            continue;
        names = sj_xrealloc(names, (count + 1) * sizeof *names);
        names[count++] = sj_xstrdup(e->d_name);
    }
    closedir(d);
    if (count > 1)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = sj_xmalloc(len);
        snprintf(path, len, "%s/%s", dir, names[i]);
        load_file(tb, path, is_builtin);
        free(path);
        free(names[i]);
    }
    free(names);
}

/* use-model steps: the model must be in the toolbox, and following them must not come back
 * to where it started. state: 0 unvisited, 1 on the path being followed, 2 done. */
static void check_uses(struct sj_toolbox *tb, size_t i, unsigned char *state)
{
    const struct sj_model *m = tb->models[i];
    state[i] = 1;
    for (size_t s = 0; s < m->step_count; s++) {
        const struct sj_model_step *st = &m->steps[s];
        if (st->op != SJ_OP_USE_MODEL)
            continue;
        long k = find_index(tb, st->model);
        if (k < 0)
            add_problem(tb, m->path, st->pos, "先把那个模型加入工具箱（shujian model add）",
                        "步骤“%s”引用的模型“%s”不在工具箱中", st->id, st->model);
        else if (state[k] == 1)
            add_problem(tb, m->path, st->pos, "子母模型不能互相引用",
                        "步骤“%s”引用的模型“%s”又引用回了“%s”", st->id, st->model, m->id);
        else if (state[k] == 0)
            check_uses(tb, (size_t)k, state);
    }
    state[i] = 2;
}

static int compare_models(const void *a, const void *b)
{
    const struct sj_model *x = *(const struct sj_model *const *)a;
    const struct sj_model *y = *(const struct sj_model *const *)b;
    if (x->function != y->function)
        return x->function < y->function ? -1 : 1;
    return strcmp(x->id, y->id);
}

int sj_toolbox_load(const char *workspace_dir, struct sj_toolbox *toolbox, struct sj_err *err)
{
    memset(toolbox, 0, sizeof *toolbox);
    load_dir(toolbox, sj_toolbox_builtin_dir(), true);
    if (workspace_dir) {
        size_t len = strlen(workspace_dir) + sizeof "/models";
        char *dir = sj_xmalloc(len);
        snprintf(dir, len, "%s/models", workspace_dir);
        load_dir(toolbox, dir, false);
        free(dir);
    }
    if (toolbox->count > 0) {
        qsort(toolbox->models, toolbox->count, sizeof *toolbox->models, compare_models);
        unsigned char *state = sj_xcalloc(toolbox->count, 1);
        for (size_t i = 0; i < toolbox->count; i++) {
            if (state[i] == 0)
                check_uses(toolbox, i, state);
        }
        free(state);
    }
    return 0;
}

void sj_toolbox_release(struct sj_toolbox *toolbox)
{
    if (!toolbox)
        return;
    for (size_t i = 0; i < toolbox->count; i++)
        sj_model_free(toolbox->models[i]);
    free(toolbox->models);
    sj_model_diags_release(&toolbox->problems);
    memset(toolbox, 0, sizeof *toolbox);
}

const struct sj_model *sj_toolbox_find(const struct sj_toolbox *toolbox, const char *id)
{
    long i = id ? find_index(toolbox, id) : -1;
    return i >= 0 ? toolbox->models[i] : NULL;
}

/* ---- Adding ---------------------------------------------------------------------------------- */

static int make_dir(const char *path, struct sj_err *err)
{
    if (mkdir(path, 0755) == 0 || (errno == EEXIST && is_dir(path)))
        return 0;
    int rc = sj_err_set(err, SJ_EIO, "无法创建目录：%s", strerror(errno));
    sj_err_at(err, path, -1, -1, NULL);
    return rc;
}

/* Writes len bytes to path through a temporary file and a rename, so a reader never sees
 * half a model. */
static int write_file(const char *path, const char *data, size_t len, struct sj_err *err)
{
    size_t n = strlen(path) + sizeof ".tmp";
    char *tmp = sj_xmalloc(n);
    snprintf(tmp, n, "%s.tmp", path);
    int rc = 0;
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = sj_err_set(err, SJ_EIO, "无法写入模型文件：%s", strerror(errno));
        sj_err_at(err, tmp, -1, -1, NULL);
    }
    if (f && fclose(f) != 0 && rc == 0)
        rc = sj_err_set(err, SJ_EIO, "无法写入模型文件：%s", strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = sj_err_set(err, SJ_EIO, "无法保存模型文件：%s", strerror(errno));
        sj_err_at(err, path, -1, -1, NULL);
    }
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

int sj_toolbox_add(const char *workspace_dir, const char *path, struct sj_model_diags *diags,
                   struct sj_err *err)
{
    struct sj_buf text;
    struct sj_model *model = NULL;
    char *dir = NULL, *target = NULL;
    diags->items = NULL;
    diags->count = 0;
    int rc = sj_model_read_text(path, &text, err);
    if (rc < 0)
        return rc;
    rc = sj_model_parse(text.data ? text.data : "", text.len, path, &model, diags);
    if (rc < 0) {
        sj_err_set(err, rc, "模型文件有 %zu 个问题，没有加入工具箱", diags->count);
        sj_err_at(err, path, -1, -1, NULL);
        goto out;
    }
    size_t n = strlen(workspace_dir) + sizeof "/models";
    dir = sj_xmalloc(n);
    snprintf(dir, n, "%s/models", workspace_dir);
    n += strlen(model->id) + sizeof ".yaml";
    target = sj_xmalloc(n);
    snprintf(target, n, "%s/%s.yaml", dir, model->id);
    if ((rc = make_dir(workspace_dir, err)) == 0 && (rc = make_dir(dir, err)) == 0)
        rc = write_file(target, text.data ? text.data : "", text.len, err);
out:
    sj_model_free(model);
    sj_buf_release(&text);
    free(dir);
    free(target);
    return rc;
}
