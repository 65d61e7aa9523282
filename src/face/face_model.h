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

/* SSD MobileNet v1 (ssdMobilenetv1/ of face-api). A "pointwise" layer is conv2d ("same") +
 * the folded batch-norm offset + ReLU6; its kernel is 1x1 or 3x3. */
struct sj_face_pw {
    const float *filters, *offset;
    int k, cout;
};

/* A depthwise 3x3 layer with its batch norm (eps 0.001) and ReLU6. */
struct sj_face_dw {
    const float *filters, *gamma, *beta, *mean, *variance;
};

/* One SSD box predictor: 1x1 convs giving 4 box codes and 3 class logits per anchor. */
struct sj_face_box_pred {
    const float *box_w, *box_b, *cls_w, *cls_b;
    int anchors;
};

#define SJ_FACE_SSD_PAIRS 13
#define SJ_FACE_SSD_EXTRA 8
#define SJ_FACE_SSD_PREDICTORS 6
#define SJ_FACE_SSD_ANCHORS 5118

struct sj_face_ssd {
    struct sj_face_pw conv0;
    struct sj_face_dw dw[SJ_FACE_SSD_PAIRS + 1]; /* [1..13] */
    struct sj_face_pw pw[SJ_FACE_SSD_PAIRS + 1]; /* [1..13] */
    struct sj_face_pw extra[SJ_FACE_SSD_EXTRA];
    struct sj_face_box_pred pred[SJ_FACE_SSD_PREDICTORS];
    const float *anchors; /* [5118][4]: ymin, xmin, ymax, xmax of each prior box */
};

/* face_landmark_68 (faceLandmarkNet/ + faceFeatureExtractor/): four dense blocks of four
 * separable convs each (the very first is a plain 3x3 conv), 7x7 average pool, fc 256->136. */
struct sj_face_sep {
    const float *dw, *pw, *bias;
    int cout;
};

struct sj_face_lm68 {
    const float *conv0_filters, *conv0_bias;
    struct sj_face_sep sep[4][4]; /* [block][conv]; sep[0][0] unused (conv0 above) */
    const float *fc_w, *fc_b;
};

struct sj_face_model {
    struct sj_face_weights *recog_weights, *ssd_weights, *lm_weights;
    struct sj_face_recog recog;
    struct sj_face_ssd ssd;
    struct sj_face_lm68 lm;
};

/* Bind the detector and the landmark net to their weights, as sj_face_recog_load. */
int sj_face_ssd_load(struct sj_face_ssd *net, const struct sj_face_weights *w, struct sj_err *err);
int sj_face_lm68_load(struct sj_face_lm68 *net, const struct sj_face_weights *w,
                      struct sj_err *err);
/* Runs the landmark net on a face crop: 136 outputs, x and y interleaved, relative to the
 * 112x112 padded square (face-api's raw output before postProcess). */
void sj_face_lm68_run(const struct sj_face_lm68 *net, const struct sj_face_image *face,
                      float out[2 * SJ_FACE_LANDMARKS]);

/* Binds net to the tensors of w (borrowed; must outlive net). SJ_EFORMAT names a missing one. */
int sj_face_recog_load(struct sj_face_recog *net, const struct sj_face_weights *w,
                       struct sj_err *err);
/* Runs the network on a face image (any size; padded to a square and resized to 150x150). */
void sj_face_recog_run(const struct sj_face_recog *net, const struct sj_face_image *face,
                       float out[SJ_FACE_DESCRIPTOR_LEN]);

#endif
