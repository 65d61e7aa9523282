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

/* Loads OpenBLAS (dlopen, once per process; blas.c) and sets it to one thread unless
 * OPENBLAS_NUM_THREADS is set. Without it, sj_face_sgemm uses a plain loop. */
void sj_face_blas_load(void);
/* c = a b in single precision, row-major: a is m x k, b is k x n, c is m x n (overwritten). */
void sj_face_sgemm(int m, int n, int k, const float *a, const float *b, float *c);
void sj_ftensor_init(struct sj_ftensor *t, int h, int w, int c);
void sj_ftensor_release(struct sj_ftensor *t);

/* out = conv2d(in, filter[kh][kw][in.c][cout]) + bias (bias may be NULL), TF.js padding
 * rules; out is initialised here. */
void sj_nn_conv2d(const struct sj_ftensor *in, const float *filter, const float *bias, int kh,
                  int kw, int cout, int stride, enum sj_pad pad, struct sj_ftensor *out);
/* The same, then every output clamped to [lo, hi] in the same pass (ReLU6: 0, 6). */
void sj_nn_conv2d_clip(const struct sj_ftensor *in, const float *filter, const float *bias, int kh,
                       int kw, int cout, int stride, enum sj_pad pad, float lo, float hi,
                       struct sj_ftensor *out);
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
/* x * mul[c] + add[c], clamped to [lo, hi], in one pass (batch norm + ReLU6). */
void sj_nn_scale_clip(struct sj_ftensor *t, const float *mul, const float *add, float lo, float hi);
/* Clamps every element to [lo, hi] (ReLU6 is lo 0, hi 6). */
void sj_nn_clip(struct sj_ftensor *t, float lo, float hi);
/* acc += x, element-wise; both have the same shape. */
void sj_nn_add(struct sj_ftensor *acc, const struct sj_ftensor *x);
/* A copy of t (owned by the caller). */
void sj_ftensor_copy(const struct sj_ftensor *t, struct sj_ftensor *out);

/* Bilinear resize (TF.js sampling, as sj_face_resize_bilinear) of img placed at (ox, oy) on a
 * side x side canvas of zeros, into size x size float RGB (out caller-allocated). This is
 * face-api's padToSquare + resizeBilinear without building the padded canvas. */
void sj_face_resize_padded(const struct sj_face_image *img, int side, int ox, int oy, float *out,
                           int size);
/* The same with img centred on the square (padToSquare(..., true)): the shorter side gets
 * round(diff / 2) zero rows or columns after it and the rest before. */
void sj_face_resize_centred(const struct sj_face_image *img, float *out, int size);

#endif
