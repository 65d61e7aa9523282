/*
 * model.c - finds and opens the face-api weights and runs the networks on decoded images.
 * Where the weights are: $SHUJIAN_FACE_MODELS, else the directory they were installed to
 * (SJ_FACE_MODEL_DIR, baked in at configure time), else the npm package in the source tree
 * that scripts/bootstrap installs (SJ_FACE_SOURCE_MODEL_DIR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "face/face_config.h"
#include "face/face_model.h"

static int has_manifest(const char *dir)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/face_recognition_model-weights_manifest.json", dir);
    return stat(path, &st) == 0;
}

const char *sj_face_model_dir(void)
{
    const char *env = getenv("SHUJIAN_FACE_MODELS");
    if (env && *env)
        return env;
    if (has_manifest(SJ_FACE_MODEL_DIR))
        return SJ_FACE_MODEL_DIR;
    return SJ_FACE_SOURCE_MODEL_DIR;
}

int sj_face_model_open(const char *dir, struct sj_face_model **out, struct sj_err *err)
{
    struct sj_face_model *m = sj_xcalloc(1, sizeof *m);
    *out = NULL;
    if (!dir)
        dir = sj_face_model_dir();
    int rc = sj_face_weights_load(dir, "face_recognition_model", &m->recog_weights, err);
    if (rc == 0)
        rc = sj_face_recog_load(&m->recog, m->recog_weights, err);
    if (rc < 0) {
        sj_face_model_close(m);
        return rc;
    }
    *out = m;
    return 0;
}

void sj_face_model_close(struct sj_face_model *model)
{
    if (!model)
        return;
    sj_face_weights_free(model->recog_weights);
    free(model);
}

int sj_face_descriptor(const struct sj_face_model *model, const struct sj_face_image *face,
                       float out[SJ_FACE_DESCRIPTOR_LEN], struct sj_err *err)
{
    if (!model || !face || !face->rgb || face->width <= 0 || face->height <= 0)
        return sj_err_set(err, SJ_EINVAL, "face descriptor: no image");
    sj_face_recog_run(&model->recog, face, out);
    return 0;
}
