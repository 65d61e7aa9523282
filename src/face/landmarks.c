/*
 * landmarks.c - face-api's face_landmark_68 net and what face-api does with its output: the
 * detection box cut out of the image (clipped and floored), padded to a centred square and
 * resized to 112x112; four dense blocks of separable convs; fc to 68 (x, y) pairs; postProcess
 * back to the crop, shifted by the (unfloored) detection box. Then the two alignments: the
 * `alignedRect` (landmarks' bounding box grown by 20 %) and the dlib-style region the
 * descriptor is computed on (eyes-to-mouth distance / 0.45, centred on the eyes and mouth).
 *
 * Invariants: every tensor is looked up with its expected shape when the model is opened; all
 * geometry is in double and follows face-api 1.7.15's arithmetic step by step, rounding
 * included, so the crop the descriptor sees is the same pixels as in the reference.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/face_int.h"
#include "face/face_model.h"

static const int block_c[4] = {32, 64, 128, 256};

static int load_sep(const struct sj_face_weights *w, int block, int conv, int cin, int cout,
                    struct sj_face_sep *s, struct sj_err *err)
{
    char name[64];
    int dshape[4] = {3, 3, cin, 1}, pshape[4] = {1, 1, cin, cout};
    snprintf(name, sizeof name, "dense%d/conv%d/depthwise_filter", block, conv);
    s->dw = sj_face_weights_get(w, name, dshape, 4, NULL);
    snprintf(name, sizeof name, "dense%d/conv%d/pointwise_filter", block, conv);
    s->pw = sj_face_weights_get(w, name, pshape, 4, NULL);
    snprintf(name, sizeof name, "dense%d/conv%d/bias", block, conv);
    s->bias = sj_face_weights_get(w, name, &cout, 1, NULL);
    s->cout = cout;
    if (!s->dw || !s->pw || !s->bias)
        return sj_err_set(err, SJ_EFORMAT,
                          "face_landmark_68_model: dense%d/conv%d missing or misshapen", block,
                          conv);
    return 0;
}

int sj_face_lm68_load(struct sj_face_lm68 *net, const struct sj_face_weights *w, struct sj_err *err)
{
    int fshape[4] = {3, 3, 3, 32}, c32 = 32, fc_shape[2] = {256, 2 * SJ_FACE_LANDMARKS};
    int rc = 0;
    net->conv0_filters = sj_face_weights_get(w, "dense0/conv0/filters", fshape, 4, NULL);
    net->conv0_bias = sj_face_weights_get(w, "dense0/conv0/bias", &c32, 1, NULL);
    if (!net->conv0_filters || !net->conv0_bias)
        rc = sj_err_set(err, SJ_EFORMAT,
                        "face_landmark_68_model: dense0/conv0 missing or misshapen");
    for (int b = 0; rc == 0 && b < 4; b++)
        for (int c = b == 0 ? 1 : 0; rc == 0 && c < 4; c++)
            rc = load_sep(w, b, c, c == 0 ? block_c[b - 1] : block_c[b], block_c[b],
                          &net->sep[b][c], err);
    net->fc_w = sj_face_weights_get(w, "fc/weights", fc_shape, 2, NULL);
    net->fc_b = sj_face_weights_get(w, "fc/bias", &fc_shape[1], 1, NULL);
    if (rc == 0 && (!net->fc_w || !net->fc_b))
        rc = sj_err_set(err, SJ_EFORMAT, "face_landmark_68_model: fc missing or misshapen");
    return rc;
}

/* separableConv2d ("same") + bias into a new tensor. */
static void sep_conv(const struct sj_ftensor *x, const struct sj_face_sep *s, int stride,
                     struct sj_ftensor *out)
{
    struct sj_ftensor d;
    sj_nn_depthwise(x, s->dw, NULL, 3, stride, SJ_PAD_SAME, &d);
    sj_nn_conv2d(&d, s->pw, s->bias, 1, 1, s->cout, 1, SJ_PAD_SAME, out);
    sj_ftensor_release(&d);
}

/* denseBlock4: out1 = relu(conv0(x)), then each further conv takes relu(sum of all before)
 * and the block returns relu(out1 + out2 + out3 + out4). Replaces *x. */
static void dense_block(const struct sj_face_lm68 *net, int b, struct sj_ftensor *x)
{
    struct sj_ftensor sum, in, o;
    if (b == 0)
        sj_nn_conv2d(x, net->conv0_filters, net->conv0_bias, 3, 3, 32, 2, SJ_PAD_SAME, &sum);
    else
        sep_conv(x, &net->sep[b][0], 2, &sum);
    sj_nn_relu(&sum);
    for (int c = 1; c < 4; c++) {
        sj_ftensor_copy(&sum, &in);
        if (c > 1)
            sj_nn_relu(&in);
        sep_conv(&in, &net->sep[b][c], 1, &o);
        sj_nn_add(&sum, &o);
        sj_ftensor_release(&o);
        sj_ftensor_release(&in);
    }
    sj_nn_relu(&sum);
    sj_ftensor_release(x);
    *x = sum;
}

void sj_face_lm68_run(const struct sj_face_lm68 *net, const struct sj_face_image *face,
                      float out[2 * SJ_FACE_LANDMARKS])
{
    static const float mean[3] = {122.782f, 117.001f, 104.298f};
    struct sj_ftensor x, pooled;
    sj_ftensor_init(&x, 112, 112, 3);
    sj_face_resize_centred(face, x.data, 112);
    for (size_t i = 0; i < 112 * 112; i++)
        for (int k = 0; k < 3; k++)
            x.data[i * 3 + k] = (x.data[i * 3 + k] - mean[k]) / 255.0f;
    for (int b = 0; b < 4; b++)
        dense_block(net, b, &x);
    sj_nn_avgpool(&x, 7, 2, SJ_PAD_VALID, &pooled);
    for (int j = 0; j < 2 * SJ_FACE_LANDMARKS; j++) {
        float acc = 0.0f;
        for (int c = 0; c < 256; c++)
            acc += pooled.data[c] * net->fc_w[c * 2 * SJ_FACE_LANDMARKS + j];
        out[j] = acc + net->fc_b[j];
    }
    sj_ftensor_release(&pooled);
    sj_ftensor_release(&x);
}

/* Box.clipAtImageBorders: clipped to the image, then each of x, y, width, height floored. */
static void clip_floor(double x, double y, double w, double h, int img_w, int img_h, int r[4])
{
    double cx = fmax(x, 0), cy = fmax(y, 0);
    double cw = fmin(x + w - cx, img_w - cx), ch = fmin(y + h - cy, img_h - cy);
    r[0] = (int)floor(cx);
    r[1] = (int)floor(cy);
    r[2] = (int)floor(cw);
    r[3] = (int)floor(ch);
}

static void mean_point(const struct sj_face_found *f, int from, int to, double out[2])
{
    out[0] = out[1] = 0;
    for (int i = from; i < to; i++)
        out[0] += f->landmarks[i][0], out[1] += f->landmarks[i][1];
    out[0] /= to - from;
    out[1] /= to - from;
}

/* alignedRect: min bounding box of the landmarks (face-api starts the max at 0), grown by
 * 20 % of its width and height. */
static void min_bbox_rect(struct sj_face_found *f)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = 0, y1 = 0;
    for (int i = 0; i < SJ_FACE_LANDMARKS; i++) {
        x0 = fmin(x0, f->landmarks[i][0]), y0 = fmin(y0, f->landmarks[i][1]);
        x1 = fmax(x1, f->landmarks[i][0]), y1 = fmax(y1, f->landmarks[i][1]);
    }
    double w = x1 - x0, h = y1 - y0;
    f->aligned =
        (struct sj_face_rect){x0 - w * 0.2 / 2, y0 - h * 0.2 / 2, w + w * 0.2, h + h * 0.2};
}

/* alignDlib: a square of side floor(eyes-to-mouth / 0.45) placed at 0.5 / 0.43 of its side
 * around the centre of the eye and mouth centres; its size is capped by the crop's size plus
 * its corner, as face-api does (crop_w, crop_h: the landmark net's input size). */
static void dlib_rect(struct sj_face_found *f, int crop_w, int crop_h, int img_w, int img_h)
{
    double le[2], re[2], mo[2], ref[2];
    mean_point(f, 36, 42, le);
    mean_point(f, 42, 48, re);
    mean_point(f, 48, 68, mo);
    double dist = (hypot(mo[0] - le[0], mo[1] - le[1]) + hypot(mo[0] - re[0], mo[1] - re[1])) / 2;
    double size = floor(dist / 0.45);
    ref[0] = (le[0] + re[0] + mo[0]) / 3;
    ref[1] = (le[1] + re[1] + mo[1]) / 3;
    double x = floor(fmax(0, ref[0] - 0.5 * size)), y = floor(fmax(0, ref[1] - 0.43 * size));
    int r[4];
    clip_floor(x, y, fmin(size, crop_w + x), fmin(size, crop_h + y), img_w, img_h, r);
    f->crop_x = r[0], f->crop_y = r[1], f->crop_w = r[2], f->crop_h = r[3];
}

int sj_face_landmarks(const struct sj_face_model *model, const struct sj_face_image *img,
                      struct sj_face_found *face, struct sj_err *err)
{
    int r[4];
    struct sj_face_image crop;
    float out[2 * SJ_FACE_LANDMARKS];
    if (!model || !img || !img->rgb || !face)
        return sj_err_set(err, SJ_EINVAL, "face landmarks: no image");
    const struct sj_face_rect *b = &face->box;
    clip_floor(b->x, b->y, b->width, b->height, img->width, img->height, r);
    if (r[2] <= 0 || r[3] <= 0 || sj_face_image_crop(img, r[0], r[1], r[2], r[3], &crop) < 0)
        return sj_err_set(err, SJ_EINVAL, "face landmarks: the face box lies outside the image");
    sj_face_lm68_run(&model->lm, &crop, out);
    /* postProcess: undo the centred padding of the 112x112 square, relative to the crop. */
    double scale = 112.0 / (crop.width > crop.height ? crop.width : crop.height);
    double w = crop.width * scale, h = crop.height * scale;
    double pad_x = w < h ? fabs(w - h) / 2 : 0, pad_y = h < w ? fabs(w - h) / 2 : 0;
    for (int i = 0; i < SJ_FACE_LANDMARKS; i++) {
        double rx = ((double)out[2 * i] * 112 - pad_x) / w;
        double ry = ((double)out[2 * i + 1] * 112 - pad_y) / h;
        face->landmarks[i][0] = rx * crop.width + b->x;
        face->landmarks[i][1] = ry * crop.height + b->y;
    }
    min_bbox_rect(face);
    dlib_rect(face, crop.width, crop.height, img->width, img->height);
    sj_face_image_wipe(&crop);
    if (face->crop_w <= 0 || face->crop_h <= 0)
        return sj_err_set(err, SJ_EINVAL,
                          "face landmarks: the aligned face lies outside the image");
    return 0;
}

int sj_face_align(const struct sj_face_image *img, const struct sj_face_found *face,
                  struct sj_face_image *out)
{
    return sj_face_image_crop(img, face->crop_x, face->crop_y, face->crop_w, face->crop_h, out);
}
