/*
 * face_int.h - internals shared by the files of src/face: float tensors in HWC order and the
 * layers the networks are built from (src/face/nn.c).
 */
#ifndef SHUJIAN_FACE_INT_H
#define SHUJIAN_FACE_INT_H

#include <stddef.h>

#include "shujian/face.h"

/* A float tensor of one image, height x width x channels, channels fastest. Owns data. */
struct sj_ftensor {
    int h, w, c;
    float *data;
};

enum sj_pad { SJ_PAD_VALID, SJ_PAD_SAME };

void sj_ftensor_init(struct sj_ftensor *t, int h, int w, int c);
void sj_ftensor_release(struct sj_ftensor *t);

/* out = conv2d(in, filter[kh][kw][in.c][cout]) + bias (bias may be NULL), TF.js padding
 * rules; out is initialised here. */
void sj_nn_conv2d(const struct sj_ftensor *in, const float *filter, const float *bias, int kh,
                  int kw, int cout, int stride, enum sj_pad pad, struct sj_ftensor *out);
/* Depthwise conv2d with multiplier 1: filter[kh][kw][c]. */
void sj_nn_depthwise(const struct sj_ftensor *in, const float *filter, const float *bias, int k,
                     int stride, enum sj_pad pad, struct sj_ftensor *out);
void sj_nn_maxpool(const struct sj_ftensor *in, int k, int stride, enum sj_pad pad,
                   struct sj_ftensor *out);
void sj_nn_avgpool(const struct sj_ftensor *in, int k, int stride, enum sj_pad pad,
                   struct sj_ftensor *out);
void sj_nn_relu(struct sj_ftensor *t);
/* Element-wise x * mul[c] + add[c] (either may be NULL). */
void sj_nn_scale(struct sj_ftensor *t, const float *mul, const float *add);

#endif
