/*
 * nn.c - the layers of the face networks on HWC float tensors, with TF.js's padding rules
 * ("same": total = max(0, (out-1)*stride + k - in), top/left get floor(total/2)). Convolutions
 * are im2col + one sgemm from the BLAS (OpenBLAS on Debian); a 1x1 stride-1 convolution skips
 * im2col since the input already is the column matrix.
 *
 * Invariants: every output tensor is sized by out_size() and initialised here; reads outside
 * the input are padding (zero for convolutions, ignored for pooling, as TF.js does).
 */
#include <cblas.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "face/face_int.h"

void sj_ftensor_init(struct sj_ftensor *t, int h, int w, int c)
{
    t->h = h;
    t->w = w;
    t->c = c;
    t->data = sj_xcalloc((size_t)h * w * c + 1, sizeof(float));
}

void sj_ftensor_release(struct sj_ftensor *t)
{
    free(t->data);
    t->data = NULL;
}

/* Output size along one axis and the padding before it. */
static int out_size(int in, int k, int stride, enum sj_pad pad, int *before)
{
    if (pad == SJ_PAD_VALID) {
        *before = 0;
        return (in - k) / stride + 1;
    }
    int out = (in + stride - 1) / stride;
    int total = (out - 1) * stride + k - in;
    *before = total > 0 ? total / 2 : 0;
    return out;
}

void sj_nn_conv2d(const struct sj_ftensor *in, const float *filter, const float *bias, int kh,
                  int kw, int cout, int stride, enum sj_pad pad, struct sj_ftensor *out)
{
    int top, left;
    int oh = out_size(in->h, kh, stride, pad, &top), ow = out_size(in->w, kw, stride, pad, &left);
    int cin = in->c, kdim = kh * kw * cin;
    sj_ftensor_init(out, oh, ow, cout);
    const float *col = in->data;
    float *buf = NULL;
    if (!(kh == 1 && kw == 1 && stride == 1)) {
        buf = sj_xcalloc((size_t)oh * ow * kdim, sizeof(float));
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                float *row = buf + ((size_t)y * ow + x) * kdim;
                for (int ky = 0; ky < kh; ky++) {
                    int sy = y * stride + ky - top;
                    if (sy < 0 || sy >= in->h)
                        continue;
                    for (int kx = 0; kx < kw; kx++) {
                        int sx = x * stride + kx - left;
                        if (sx < 0 || sx >= in->w)
                            continue;
                        memcpy(row + (ky * kw + kx) * cin,
                               in->data + ((size_t)sy * in->w + sx) * cin,
                               (size_t)cin * sizeof(float));
                    }
                }
            }
        }
        col = buf;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, oh * ow, cout, kdim, 1.0f, col, kdim,
                filter, cout, 0.0f, out->data, cout);
    free(buf);
    if (bias)
        sj_nn_scale(out, NULL, bias);
}

void sj_nn_depthwise(const struct sj_ftensor *in, const float *filter, const float *bias, int k,
                     int stride, enum sj_pad pad, struct sj_ftensor *out)
{
    int top, left, c = in->c;
    int oh = out_size(in->h, k, stride, pad, &top), ow = out_size(in->w, k, stride, pad, &left);
    sj_ftensor_init(out, oh, ow, c);
    for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
            float *o = out->data + ((size_t)y * ow + x) * c;
            for (int ky = 0; ky < k; ky++) {
                int sy = y * stride + ky - top;
                if (sy < 0 || sy >= in->h)
                    continue;
                for (int kx = 0; kx < k; kx++) {
                    int sx = x * stride + kx - left;
                    if (sx < 0 || sx >= in->w)
                        continue;
                    const float *p = in->data + ((size_t)sy * in->w + sx) * c;
                    const float *f = filter + (ky * k + kx) * c;
                    for (int ch = 0; ch < c; ch++)
                        o[ch] += p[ch] * f[ch];
                }
            }
        }
    }
    if (bias)
        sj_nn_scale(out, NULL, bias);
}

static void pool(const struct sj_ftensor *in, int k, int stride, enum sj_pad pad, int is_max,
                 struct sj_ftensor *out)
{
    int top, left, c = in->c;
    int oh = out_size(in->h, k, stride, pad, &top), ow = out_size(in->w, k, stride, pad, &left);
    sj_ftensor_init(out, oh, ow, c);
    for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
            float *o = out->data + ((size_t)y * ow + x) * c;
            for (int ch = 0; ch < c; ch++) {
                float acc = is_max ? -FLT_MAX : 0.0f;
                int n = 0;
                for (int ky = 0; ky < k; ky++) {
                    int sy = y * stride + ky - top;
                    for (int kx = 0; sy >= 0 && sy < in->h && kx < k; kx++) {
                        int sx = x * stride + kx - left;
                        if (sx < 0 || sx >= in->w)
                            continue;
                        float v = in->data[((size_t)sy * in->w + sx) * c + ch];
                        acc = is_max ? (v > acc ? v : acc) : acc + v;
                        n++;
                    }
                }
                o[ch] = is_max ? acc : acc / (float)(n ? n : 1);
            }
        }
    }
}

void sj_nn_maxpool(const struct sj_ftensor *in, int k, int stride, enum sj_pad pad,
                   struct sj_ftensor *out)
{
    pool(in, k, stride, pad, 1, out);
}

void sj_nn_avgpool(const struct sj_ftensor *in, int k, int stride, enum sj_pad pad,
                   struct sj_ftensor *out)
{
    pool(in, k, stride, pad, 0, out);
}

void sj_nn_relu(struct sj_ftensor *t)
{
    size_t n = (size_t)t->h * t->w * t->c;
    for (size_t i = 0; i < n; i++)
        t->data[i] = t->data[i] > 0.0f ? t->data[i] : 0.0f;
}

void sj_nn_scale(struct sj_ftensor *t, const float *mul, const float *add)
{
    size_t n = (size_t)t->h * t->w;
    for (size_t i = 0; i < n; i++) {
        float *p = t->data + i * t->c;
        for (int ch = 0; ch < t->c; ch++) {
            if (mul)
                p[ch] *= mul[ch];
            if (add)
                p[ch] += add[ch];
        }
    }
}
