/*
 * recog.c - face_recognition_model of face-api: a ResNet-34-like network (dlib's) taking a
 * 150x150 RGB face and giving a 128-D descriptor; faces of one person lie within Euclidean
 * distance 0.6. Layer for layer it follows faceRecognitionNet/ (TypeScript) of face-api 1.7.15:
 * each conv is conv2d + bias, then x * scale.weights + scale.biases, then ReLU where the JS has
 * one.
 *
 * Invariants: every tensor is looked up with its expected shape when the model is opened, so
 * a forward pass never meets a missing or misshapen weight.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/face_int.h"
#include "face/face_model.h"

static const char *const residual_names[] = {
    "conv32_1",     "conv32_2",  "conv32_3",     "conv64_down",      "conv64_1",
    "conv64_2",     "conv64_3",  "conv128_down", "conv128_1",        "conv128_2",
    "conv256_down", "conv256_1", "conv256_2",    "conv256_down_out",
};

static int load_conv(const struct sj_face_weights *w, const char *prefix, int k, int cin, int cout,
                     struct sj_face_conv *conv, struct sj_err *err)
{
    char name[128];
    int fshape[4] = {k, k, cin, cout};
    snprintf(name, sizeof name, "%s/conv/filters", prefix);
    conv->filters = sj_face_weights_get(w, name, fshape, 4, NULL);
    snprintf(name, sizeof name, "%s/conv/bias", prefix);
    conv->bias = sj_face_weights_get(w, name, &cout, 1, NULL);
    snprintf(name, sizeof name, "%s/scale/weights", prefix);
    conv->mul = sj_face_weights_get(w, name, &cout, 1, NULL);
    snprintf(name, sizeof name, "%s/scale/biases", prefix);
    conv->add = sj_face_weights_get(w, name, &cout, 1, NULL);
    conv->k = k;
    conv->cout = cout;
    if (!conv->filters || !conv->bias || !conv->mul || !conv->add)
        return sj_err_set(err, SJ_EFORMAT, "face_recognition_model: %s missing or misshapen",
                          prefix);
    return 0;
}

int sj_face_recog_load(struct sj_face_recog *net, const struct sj_face_weights *w,
                       struct sj_err *err)
{
    int rc = load_conv(w, "conv32_down", 7, 3, 32, &net->down, err);
    int cin = 32;
    for (size_t i = 0; rc == 0 && i < SJ_ARRAY_LEN(residual_names); i++) {
        char prefix[64];
        int cout = atoi(residual_names[i] + 4);
        snprintf(prefix, sizeof prefix, "%s/conv1", residual_names[i]);
        rc = load_conv(w, prefix, 3, cin, cout, &net->res[i][0], err);
        snprintf(prefix, sizeof prefix, "%s/conv2", residual_names[i]);
        if (rc == 0)
            rc = load_conv(w, prefix, 3, cout, cout, &net->res[i][1], err);
        net->is_down[i] = strstr(residual_names[i], "down") != NULL;
        cin = cout;
    }
    int fc_shape[2] = {256, SJ_FACE_DESCRIPTOR_LEN};
    net->fc = sj_face_weights_get(w, "fc", fc_shape, 2, NULL);
    if (rc == 0 && !net->fc)
        rc = sj_err_set(err, SJ_EFORMAT, "face_recognition_model: fc missing or misshapen");
    return rc;
}

/* conv + bias, scale, optional ReLU; replaces *x. */
static void conv_layer(struct sj_ftensor *x, const struct sj_face_conv *c, int stride,
                       enum sj_pad pad, int has_relu)
{
    struct sj_ftensor out;
    sj_nn_conv2d(x, c->filters, c->bias, c->k, c->k, c->cout, stride, pad, &out);
    sj_nn_scale(&out, c->mul, NULL);
    sj_nn_scale(&out, NULL, c->add);
    if (has_relu)
        sj_nn_relu(&out);
    sj_ftensor_release(x);
    *x = out;
}

/* residualDown: the shortcut is a 2x2 average pool, zero-padded in channels; the conv path,
 * when one smaller than the pool, gets a zero row and column at the bottom and right. */
static void residual_block(struct sj_ftensor *x, const struct sj_face_conv c[2], int is_down)
{
    struct sj_ftensor path = {x->h, x->w, x->c, NULL}, shortcut;
    path.data = sj_xmalloc(((size_t)x->h * x->w * x->c + 1) * sizeof(float));
    memcpy(path.data, x->data, (size_t)x->h * x->w * x->c * sizeof(float));
    conv_layer(&path, &c[0], is_down ? 2 : 1, is_down ? SJ_PAD_VALID : SJ_PAD_SAME, 1);
    conv_layer(&path, &c[1], 1, SJ_PAD_SAME, 0);
    if (is_down)
        sj_nn_avgpool(x, 2, 2, SJ_PAD_VALID, &shortcut);
    else
        shortcut = *x, x->data = NULL;
    /* The sum has the conv path's channel count and the shortcut's size. */
    struct sj_ftensor sum;
    sj_ftensor_init(&sum, shortcut.h, shortcut.w, path.c);
    for (int y = 0; y < sum.h; y++) {
        for (int xx = 0; xx < sum.w; xx++) {
            const float *s = shortcut.data + ((size_t)y * shortcut.w + xx) * shortcut.c;
            const float *p = path.data + ((size_t)y * path.w + xx) * path.c;
            float *o = sum.data + ((size_t)y * sum.w + xx) * sum.c;
            int is_inside = y < path.h && xx < path.w;
            for (int ch = 0; ch < sum.c; ch++)
                o[ch] = (ch < shortcut.c ? s[ch] : 0.0f) + (is_inside ? p[ch] : 0.0f);
        }
    }
    sj_nn_relu(&sum);
    sj_ftensor_release(&path);
    sj_ftensor_release(&shortcut);
    sj_ftensor_release(x);
    *x = sum;
}

/* Pads img to a square (centred as padToSquare does), resizes to 150x150, subtracts the mean
 * RGB and divides by 255. */
static void prepare_input(const struct sj_face_image *img, struct sj_ftensor *x)
{
    static const float mean[3] = {122.782f, 117.001f, 104.298f};
    sj_ftensor_init(x, 150, 150, 3);
    sj_face_resize_centred(img, x->data, 150);
    for (size_t i = 0; i < 150 * 150; i++)
        for (int k = 0; k < 3; k++)
            x->data[i * 3 + k] = (x->data[i * 3 + k] - mean[k]) / 255.0f;
}

void sj_face_recog_run(const struct sj_face_recog *net, const struct sj_face_image *face,
                       float out[SJ_FACE_DESCRIPTOR_LEN])
{
    struct sj_ftensor x, pooled;
    prepare_input(face, &x);
    conv_layer(&x, &net->down, 2, SJ_PAD_VALID, 1);
    sj_nn_maxpool(&x, 3, 2, SJ_PAD_VALID, &pooled);
    sj_ftensor_release(&x);
    x = pooled;
    for (size_t i = 0; i < SJ_ARRAY_LEN(residual_names); i++)
        residual_block(&x, net->res[i], net->is_down[i]);
    float avg[256] = {0};
    for (int i = 0; i < x.h * x.w; i++)
        for (int ch = 0; ch < 256; ch++)
            avg[ch] += x.data[(size_t)i * 256 + ch];
    for (int ch = 0; ch < 256; ch++)
        avg[ch] /= (float)(x.h * x.w);
    for (int j = 0; j < SJ_FACE_DESCRIPTOR_LEN; j++) {
        float acc = 0.0f;
        for (int ch = 0; ch < 256; ch++)
            acc += avg[ch] * net->fc[ch * SJ_FACE_DESCRIPTOR_LEN + j];
        out[j] = acc;
    }
    sj_ftensor_release(&x);
}

float sj_face_distance(const float a[SJ_FACE_DESCRIPTOR_LEN], const float b[SJ_FACE_DESCRIPTOR_LEN])
{
    double sum = 0;
    for (int i = 0; i < SJ_FACE_DESCRIPTOR_LEN; i++)
        sum += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return (float)sqrt(sum);
}
