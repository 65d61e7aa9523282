/*
 * model.c - finds and opens the face-api weights and runs the networks on decoded images.
 * Where the weights are: $SHUJIAN_FACE_MODELS, else the directory they were installed to
 * (SJ_FACE_MODEL_DIR, baked in at configure time), else the npm package in the source tree
 * that scripts/bootstrap installs (SJ_FACE_SOURCE_MODEL_DIR). Opening the model sets OpenBLAS to
 * one thread unless OPENBLAS_NUM_THREADS is set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "face/face_config.h"
#include "face/face_int.h"
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
    /* One BLAS thread per verification: concurrent check-ins are the parallelism, and
     * OpenBLAS's waiting threads cost more than they save on a busy 2-core server
     * (docs/PERFORMANCE.md). OPENBLAS_NUM_THREADS overrides. */
    sj_face_blas_load();
    if (!dir)
        dir = sj_face_model_dir();
    int rc = sj_face_weights_load(dir, "face_recognition_model", &m->recog_weights, err);
    if (rc == 0)
        rc = sj_face_recog_load(&m->recog, m->recog_weights, err);
    if (rc == 0)
        rc = sj_face_weights_load(dir, "ssd_mobilenetv1_model", &m->ssd_weights, err);
    if (rc == 0)
        rc = sj_face_ssd_load(&m->ssd, m->ssd_weights, err);
    if (rc == 0)
        rc = sj_face_weights_load(dir, "face_landmark_68_model", &m->lm_weights, err);
    if (rc == 0)
        rc = sj_face_lm68_load(&m->lm, m->lm_weights, err);
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
    sj_face_weights_free(model->ssd_weights);
    sj_face_weights_free(model->lm_weights);
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
