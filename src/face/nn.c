/*
 * nn.c - the layers of the face networks on HWC float tensors, with TF.js's padding rules
 * ("same": total = max(0, (out-1)*stride + k - in), top/left get floor(total/2)). Convolutions
 * are im2col + one sgemm from the BLAS (OpenBLAS on Debian); a 1x1 stride-1 convolution skips
 * im2col since the input already is the column matrix.
 *
 * Invariants: every output tensor is sized by out_size() and initialised here; reads outside
 * the input are padding (zero for convolutions, ignored for pooling, as TF.js does).
 */
#include <float.h>
#include <math.h>
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

/* im2col: one row of kh * kw * cin values per output pixel; taps outside the input are 0. */
static float *im2col(const struct sj_ftensor *in, int kh, int kw, int stride, int top, int left,
                     int oh, int ow)
{
    int cin = in->c, kdim = kh * kw * cin;
    float *buf = sj_xcalloc((size_t)oh * ow * kdim, sizeof(float));
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
                    memcpy(row + (ky * kw + kx) * cin, in->data + ((size_t)sy * in->w + sx) * cin,
                           (size_t)cin * sizeof(float));
                }
            }
        }
    }
    return buf;
}

void sj_nn_conv2d_clip(const struct sj_ftensor *in, const float *filter, const float *bias, int kh,
                       int kw, int cout, int stride, enum sj_pad pad, float lo, float hi,
                       struct sj_ftensor *out)
{
    int top, left;
    int oh = out_size(in->h, kh, stride, pad, &top), ow = out_size(in->w, kw, stride, pad, &left);
    int kdim = kh * kw * in->c;
    /* sgemm with beta 0 writes every output element: no need to clear them first. */
    *out =
        (struct sj_ftensor){oh, ow, cout, sj_xmalloc(((size_t)oh * ow * cout + 1) * sizeof(float))};
    float *buf =
        kh == 1 && kw == 1 && stride == 1 ? NULL : im2col(in, kh, kw, stride, top, left, oh, ow);
    sj_face_sgemm(oh * ow, cout, kdim, buf ? buf : in->data, filter, out->data);
    free(buf);
    /* Bias and clamp in one pass over the output. */
    size_t n = (size_t)oh * ow;
    float *restrict d = out->data;
    for (size_t i = 0; i < n; i++, d += cout)
        for (int ch = 0; ch < cout; ch++) {
            float v = bias ? d[ch] + bias[ch] : d[ch];
            v = v < lo ? lo : v;
            d[ch] = v > hi ? hi : v;
        }
}

void sj_nn_conv2d(const struct sj_ftensor *in, const float *filter, const float *bias, int kh,
                  int kw, int cout, int stride, enum sj_pad pad, struct sj_ftensor *out)
{
    sj_nn_conv2d_clip(in, filter, bias, kh, kw, cout, stride, pad, -INFINITY, INFINITY, out);
}

/* One output pixel of a depthwise conv: its c channels are summed over the taps that fall
 * inside the input, so they stay in L1 while all k * k taps are added. */
static void depthwise_pixel(const struct sj_ftensor *in, const float *filter, int k, int sy0,
                            int sx0, float *restrict o)
{
    int c = in->c;
    memset(o, 0, (size_t)c * sizeof(float));
    for (int ky = 0; ky < k; ky++) {
        int sy = sy0 + ky;
        if (sy < 0 || sy >= in->h)
            continue;
        for (int kx = 0; kx < k; kx++) {
            int sx = sx0 + kx;
            if (sx < 0 || sx >= in->w)
                continue;
            const float *restrict p = in->data + ((size_t)sy * in->w + sx) * c;
            const float *restrict f = filter + (ky * k + kx) * c;
            for (int ch = 0; ch < c; ch++)
                o[ch] += p[ch] * f[ch];
        }
    }
}

void sj_nn_depthwise(const struct sj_ftensor *in, const float *filter, const float *bias, int k,
                     int stride, enum sj_pad pad, struct sj_ftensor *out)
{
    int top, left, c = in->c;
    int oh = out_size(in->h, k, stride, pad, &top), ow = out_size(in->w, k, stride, pad, &left);
    *out = (struct sj_ftensor){oh, ow, c, sj_xmalloc(((size_t)oh * ow * c + 1) * sizeof(float))};
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
            depthwise_pixel(in, filter, k, y * stride - top, x * stride - left,
                            out->data + ((size_t)y * ow + x) * c);
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
    sj_nn_clip(t, 0.0f, INFINITY);
}

void sj_nn_scale(struct sj_ftensor *t, const float *mul, const float *add)
{
    size_t n = (size_t)t->h * t->w;
    int c = t->c;
    float *restrict d = t->data;
    for (size_t i = 0; i < n; i++, d += c) {
        if (mul)
            for (int ch = 0; ch < c; ch++)
                d[ch] *= mul[ch];
        if (add)
            for (int ch = 0; ch < c; ch++)
                d[ch] += add[ch];
    }
}

void sj_nn_scale_clip(struct sj_ftensor *t, const float *mul, const float *add, float lo, float hi)
{
    size_t n = (size_t)t->h * t->w;
    int c = t->c;
    float *restrict d = t->data;
    for (size_t i = 0; i < n; i++, d += c)
        for (int ch = 0; ch < c; ch++) {
            float v = d[ch] * mul[ch] + add[ch];
            v = v < lo ? lo : v;
            d[ch] = v > hi ? hi : v;
        }
}

void sj_nn_clip(struct sj_ftensor *t, float lo, float hi)
{
    size_t n = (size_t)t->h * t->w * t->c;
    float *restrict d = t->data;
    for (size_t i = 0; i < n; i++) {
        float v = d[i];
        v = v < lo ? lo : v;
        d[i] = v > hi ? hi : v;
    }
}

void sj_nn_add(struct sj_ftensor *acc, const struct sj_ftensor *x)
{
    size_t n = (size_t)acc->h * acc->w * acc->c;
    float *restrict a = acc->data;
    const float *restrict b = x->data;
    for (size_t i = 0; i < n; i++)
        a[i] += b[i];
}

void sj_ftensor_copy(const struct sj_ftensor *t, struct sj_ftensor *out)
{
    size_t n = (size_t)t->h * t->w * t->c;
    *out = *t;
    out->data = sj_xmalloc((n + 1) * sizeof(float));
    memcpy(out->data, t->data, n * sizeof(float));
}
