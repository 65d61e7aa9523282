/*
 * face_model.h - the loaded networks of src/face and how their parts reach each other.
 * All float pointers borrow from the sj_face_weights the model holds.
 */
#ifndef SHUJIAN_FACE_MODEL_H
#define SHUJIAN_FACE_MODEL_H

#include "shujian/face.h"

/* A conv layer of face_recognition_model: filters [k][k][cin][cout], bias, then scale. */
struct sj_face_conv {
    const float *filters, *bias, *mul, *add;
    int k, cout;
};

#define SJ_FACE_RESIDUALS 14

struct sj_face_recog {
    struct sj_face_conv down;
    struct sj_face_conv res[SJ_FACE_RESIDUALS][2];
    int is_down[SJ_FACE_RESIDUALS];
    const float *fc; /* [256][128] */
};

struct sj_face_model {
    struct sj_face_weights *recog_weights;
    struct sj_face_recog recog;
};

/* Binds net to the tensors of w (borrowed; must outlive net). SJ_EFORMAT names a missing one. */
int sj_face_recog_load(struct sj_face_recog *net, const struct sj_face_weights *w,
                       struct sj_err *err);
/* Runs the network on a face image (any size; padded to a square and resized to 150x150). */
void sj_face_recog_run(const struct sj_face_recog *net, const struct sj_face_image *face,
                       float out[SJ_FACE_DESCRIPTOR_LEN]);

#endif
