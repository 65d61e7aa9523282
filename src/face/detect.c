/*
 * detect.c - face detection with face-api's SSD MobileNet v1 (ssd_mobilenetv1_model), layer
 * for layer as ssdMobilenetv1/ of face-api 1.7.15: the image padded at the bottom or right to
 * a square, resized to 512x512, scaled to -1..1; MobileNet v1 (13 depthwise/pointwise pairs,
 * ReLU6); eight extra layers; six box predictors over 5118 prior boxes; box decoding with
 * variances 10/10/5/5; sigmoid scores; face-api's own greedy non-maximum suppression (IoU 0.5).
 *
 * Invariants: every tensor is looked up with its expected shape when the model is opened; box
 * arithmetic after the network is done in double, as JavaScript does.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/face_int.h"
#include "face/face_model.h"

/* Output channels of MobileNet's pointwise layers 1..13; depthwise strides of 2 at 2, 4, 6, 12. */
static const int pw_cout[SJ_FACE_SSD_PAIRS + 1] = {32,  64,  128, 128, 256, 256,  512,
                                                   512, 512, 512, 512, 512, 1024, 1024};
/* The extra layers of the prediction stage: kernel, input and output channels. */
static const int extra_shape[SJ_FACE_SSD_EXTRA][3] = {
    {1, 1024, 256}, {3, 256, 512}, {1, 512, 128}, {3, 128, 256},
    {1, 256, 128},  {3, 128, 256}, {1, 256, 64},  {3, 64, 128},
};
/* Box predictors: input channels and anchors per cell. */
static const int pred_shape[SJ_FACE_SSD_PREDICTORS][2] = {
    {512, 3}, {1024, 6}, {512, 6}, {256, 6}, {256, 6}, {128, 6},
};

static int is_stride2(int layer)
{
    return layer == 2 || layer == 4 || layer == 6 || layer == 12;
}

static const float *get(const struct sj_face_weights *w, const char *name, const int *shape,
                        int rank, int *missing)
{
    const float *p = sj_face_weights_get(w, name, shape, rank, NULL);
    if (!p)
        *missing = 1;
    return p;
}

static int load_pw(const struct sj_face_weights *w, const char *scope, int idx, int k, int cin,
                   int cout, struct sj_face_pw *pw, struct sj_err *err)
{
    char name[128];
    int fshape[4] = {k, k, cin, cout}, missing = 0;
    snprintf(name, sizeof name, "%s/Conv2d_%d_pointwise/weights", scope, idx);
    pw->filters = get(w, name, fshape, 4, &missing);
    snprintf(name, sizeof name, "%s/Conv2d_%d_pointwise/convolution_bn_offset", scope, idx);
    pw->offset = get(w, name, &cout, 1, &missing);
    pw->k = k;
    pw->cout = cout;
    if (missing)
        return sj_err_set(err, SJ_EFORMAT,
                          "ssd_mobilenetv1_model: %s/Conv2d_%d missing or misshapen", scope, idx);
    return 0;
}

static int load_dw(const struct sj_face_weights *w, int idx, int c, struct sj_face_dw *dw,
                   struct sj_err *err)
{
    char name[128];
    int fshape[4] = {3, 3, c, 1}, missing = 0;
    const char *pre = "MobilenetV1/Conv2d";
    snprintf(name, sizeof name, "%s_%d_depthwise/depthwise_weights", pre, idx);
    dw->filters = get(w, name, fshape, 4, &missing);
    snprintf(name, sizeof name, "%s_%d_depthwise/BatchNorm/gamma", pre, idx);
    dw->gamma = get(w, name, &c, 1, &missing);
    snprintf(name, sizeof name, "%s_%d_depthwise/BatchNorm/beta", pre, idx);
    dw->beta = get(w, name, &c, 1, &missing);
    snprintf(name, sizeof name, "%s_%d_depthwise/BatchNorm/moving_mean", pre, idx);
    dw->mean = get(w, name, &c, 1, &missing);
    snprintf(name, sizeof name, "%s_%d_depthwise/BatchNorm/moving_variance", pre, idx);
    dw->variance = get(w, name, &c, 1, &missing);
    if (missing)
        return sj_err_set(err, SJ_EFORMAT,
                          "ssd_mobilenetv1_model: %s_%d_depthwise missing or misshapen", pre, idx);
    return 0;
}

static int load_pred(const struct sj_face_weights *w, int idx, struct sj_face_box_pred *p,
                     struct sj_err *err)
{
    char name[128];
    int cin = pred_shape[idx][0], a = pred_shape[idx][1], missing = 0;
    int bshape[4] = {1, 1, cin, 4 * a}, cshape[4] = {1, 1, cin, 3 * a};
    const char *pre = "Prediction/BoxPredictor";
    snprintf(name, sizeof name, "%s_%d/BoxEncodingPredictor/weights", pre, idx);
    p->box_w = get(w, name, bshape, 4, &missing);
    snprintf(name, sizeof name, "%s_%d/BoxEncodingPredictor/biases", pre, idx);
    p->box_b = get(w, name, &bshape[3], 1, &missing);
    snprintf(name, sizeof name, "%s_%d/ClassPredictor/weights", pre, idx);
    p->cls_w = get(w, name, cshape, 4, &missing);
    snprintf(name, sizeof name, "%s_%d/ClassPredictor/biases", pre, idx);
    p->cls_b = get(w, name, &cshape[3], 1, &missing);
    p->anchors = a;
    if (missing)
        return sj_err_set(err, SJ_EFORMAT, "ssd_mobilenetv1_model: %s_%d missing or misshapen", pre,
                          idx);
    return 0;
}

int sj_face_ssd_load(struct sj_face_ssd *net, const struct sj_face_weights *w, struct sj_err *err)
{
    int rc = load_pw(w, "MobilenetV1", 0, 3, 3, 32, &net->conv0, err);
    for (int i = 1; rc == 0 && i <= SJ_FACE_SSD_PAIRS; i++) {
        rc = load_dw(w, i, pw_cout[i - 1], &net->dw[i], err);
        if (rc == 0)
            rc = load_pw(w, "MobilenetV1", i, 1, pw_cout[i - 1], pw_cout[i], &net->pw[i], err);
    }
    for (int i = 0; rc == 0 && i < SJ_FACE_SSD_EXTRA; i++)
        rc = load_pw(w, "Prediction", i, extra_shape[i][0], extra_shape[i][1], extra_shape[i][2],
                     &net->extra[i], err);
    for (int i = 0; rc == 0 && i < SJ_FACE_SSD_PREDICTORS; i++)
        rc = load_pred(w, i, &net->pred[i], err);
    int ashape[3] = {1, SJ_FACE_SSD_ANCHORS, 4};
    net->anchors = sj_face_weights_get(w, "Output/extra_dim", ashape, 3, NULL);
    if (rc == 0 && !net->anchors)
        rc = sj_err_set(err, SJ_EFORMAT,
                        "ssd_mobilenetv1_model: Output/extra_dim missing or misshapen");
    return rc;
}

/* conv2d ("same") + offset + ReLU6 into a new tensor. */
static void pw_layer(const struct sj_ftensor *x, const struct sj_face_pw *p, int stride,
                     struct sj_ftensor *out)
{
    sj_nn_conv2d_clip(x, p->filters, p->offset, p->k, p->k, p->cout, stride, SJ_PAD_SAME, 0.0f,
                      6.0f, out);
}

/* depthwise 3x3 ("same"), batch norm as TF.js computes it, ReLU6; replaces *x. */
static void dw_layer(struct sj_ftensor *x, const struct sj_face_dw *d, int stride)
{
    struct sj_ftensor out;
    float *mul = sj_xmalloc((size_t)x->c * sizeof(float) * 2), *add = mul + x->c;
    sj_nn_depthwise(x, d->filters, NULL, 3, stride, SJ_PAD_SAME, &out);
    for (int c = 0; c < x->c; c++) {
        mul[c] = d->gamma[c] / sqrtf(d->variance[c] + 0.0010000000474974513f);
        add[c] = d->beta[c] - d->mean[c] * mul[c];
    }
    sj_nn_scale_clip(&out, mul, add, 0.0f, 6.0f);
    free(mul);
    sj_ftensor_release(x);
    *x = out;
}

/* Box codes and scores of predictor p on feature map f, appended at anchor index *at. */
static void predict(const struct sj_ftensor *f, const struct sj_face_box_pred *p, float *codes,
                    float *scores, int *at)
{
    struct sj_ftensor box, cls;
    sj_nn_conv2d(f, p->box_w, p->box_b, 1, 1, 4 * p->anchors, 1, SJ_PAD_SAME, &box);
    sj_nn_conv2d(f, p->cls_w, p->cls_b, 1, 1, 3 * p->anchors, 1, SJ_PAD_SAME, &cls);
    int n = f->h * f->w * p->anchors;
    for (int i = 0; i < n && *at + i < SJ_FACE_SSD_ANCHORS; i++) {
        memcpy(codes + (size_t)(*at + i) * 4, box.data + (size_t)i * 4, 4 * sizeof(float));
        scores[*at + i] = 1.0f / (1.0f + expf(-cls.data[(size_t)i * 3 + 1]));
    }
    *at += n;
    sj_ftensor_release(&box);
    sj_ftensor_release(&cls);
}

/* The network: box codes [5118][4] and face scores [5118] for a 512x512 input in -1..1. */
static void run_net(const struct sj_face_ssd *net, struct sj_ftensor *x, float *codes,
                    float *scores)
{
    struct sj_ftensor t, conv11 = {0}, e[SJ_FACE_SSD_EXTRA];
    pw_layer(x, &net->conv0, 2, &t);
    for (int i = 1; i <= SJ_FACE_SSD_PAIRS; i++) {
        struct sj_ftensor next;
        dw_layer(&t, &net->dw[i], is_stride2(i) ? 2 : 1);
        pw_layer(&t, &net->pw[i], 1, &next);
        sj_ftensor_release(&t);
        t = next;
        if (i == 11)
            sj_ftensor_copy(&t, &conv11);
    }
    for (int i = 0; i < SJ_FACE_SSD_EXTRA; i++)
        pw_layer(i == 0 ? &t : &e[i - 1], &net->extra[i], i % 2 ? 2 : 1, &e[i]);
    const struct sj_ftensor *maps[SJ_FACE_SSD_PREDICTORS] = {&conv11, &t,    &e[1],
                                                             &e[3],   &e[5], &e[7]};
    int at = 0;
    for (int i = 0; i < SJ_FACE_SSD_PREDICTORS; i++)
        predict(maps[i], &net->pred[i], codes, scores, &at);
    for (int i = 0; i < SJ_FACE_SSD_EXTRA; i++)
        sj_ftensor_release(&e[i]);
    sj_ftensor_release(&conv11);
    sj_ftensor_release(&t);
}

/* Decodes anchor i's codes into ymin, xmin, ymax, xmax (relative to the padded square). */
static void decode_box(const float *anchor, const float *code, float out[4])
{
    float h = anchor[2] - anchor[0], w = anchor[3] - anchor[1];
    float cy = anchor[0] + h / 2, cx = anchor[1] + w / 2;
    float hh = expf(code[2] / 5) * h / 2, hw = expf(code[3] / 5) * w / 2;
    float y = code[0] / 10 * h + cy, x = code[1] / 10 * w + cx;
    out[0] = y - hh;
    out[1] = x - hw;
    out[2] = y + hh;
    out[3] = x + hw;
}

static double iou(const float *a, const float *b)
{
    double ay0 = fmin(a[0], a[2]), ax0 = fmin(a[1], a[3]), ay1 = fmax(a[0], a[2]),
           ax1 = fmax(a[1], a[3]);
    double by0 = fmin(b[0], b[2]), bx0 = fmin(b[1], b[3]), by1 = fmax(b[0], b[2]),
           bx1 = fmax(b[1], b[3]);
    double area_a = (ay1 - ay0) * (ax1 - ax0), area_b = (by1 - by0) * (bx1 - bx0);
    if (area_a <= 0 || area_b <= 0)
        return 0.0;
    double inter =
        fmax(fmin(ay1, by1) - fmax(ay0, by0), 0.0) * fmax(fmin(ax1, bx1) - fmax(ax0, bx0), 0.0);
    return inter / (area_a + area_b - inter);
}

struct candidate {
    float score;
    int index;
};

/* Descending score; equal scores keep anchor order (JavaScript's sort is stable). */
static int by_score(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->index > y->index) - (x->index < y->index);
}

/* face-api's nonMaxSuppression: greedy, best first, a candidate is dropped when its IoU with
 * an already selected box exceeds 0.5. Returns how many indices went to selected[0..max). */
static size_t suppress(const float *boxes, const float *scores, float min_score, int *selected,
                       size_t max)
{
    struct candidate *c = sj_xmalloc(SJ_FACE_SSD_ANCHORS * sizeof *c);
    size_t n = 0, count = 0;
    for (int i = 0; i < SJ_FACE_SSD_ANCHORS; i++)
        if (scores[i] > min_score)
            c[n++] = (struct candidate){scores[i], i};
    qsort(c, n, sizeof *c, by_score);
    for (size_t i = 0; i < n && count < max; i++) {
        int is_kept = 1;
        for (size_t j = count; j-- > 0 && is_kept;)
            is_kept = iou(boxes + (size_t)c[i].index * 4, boxes + (size_t)selected[j] * 4) <= 0.5;
        if (is_kept)
            selected[count++] = c[i].index;
    }
    free(c);
    return count;
}

int sj_face_detect(const struct sj_face_model *model, const struct sj_face_image *img,
                   float min_score, struct sj_face_found *faces, size_t max, size_t *count,
                   struct sj_err *err)
{
    *count = 0;
    if (!model || !img || !img->rgb || img->width <= 0 || img->height <= 0)
        return sj_err_set(err, SJ_EINVAL, "face detection: no image");
    int side = img->width > img->height ? img->width : img->height;
    struct sj_ftensor x;
    sj_ftensor_init(&x, SJ_FACE_DETECT_SIZE, SJ_FACE_DETECT_SIZE, 3);
    sj_face_resize_padded(img, side, 0, 0, x.data, SJ_FACE_DETECT_SIZE);
    for (size_t i = 0; i < (size_t)SJ_FACE_DETECT_SIZE * SJ_FACE_DETECT_SIZE * 3; i++)
        x.data[i] = x.data[i] / 127.5f - 1.0f;
    float *codes = sj_xmalloc(SJ_FACE_SSD_ANCHORS * 5 * sizeof(float)), *scores = codes;
    scores += SJ_FACE_SSD_ANCHORS * 4;
    run_net(&model->ssd, &x, codes, scores);
    sj_ftensor_release(&x);
    float *boxes = sj_xmalloc(SJ_FACE_SSD_ANCHORS * 4 * sizeof(float));
    for (int i = 0; i < SJ_FACE_SSD_ANCHORS; i++)
        decode_box(model->ssd.anchors + i * 4, codes + i * 4, boxes + i * 4);
    int selected[64];
    size_t n = suppress(boxes, scores, min_score, selected, max < 64 ? max : 64);
    /* The net saw the image scaled into the top-left of the square; reshapedDims rounds. */
    double scale = (double)SJ_FACE_DETECT_SIZE / side;
    double pad_x = SJ_FACE_DETECT_SIZE / round(img->width * scale);
    double pad_y = SJ_FACE_DETECT_SIZE / round(img->height * scale);
    for (size_t i = 0; i < n; i++) {
        const float *b = boxes + (size_t)selected[i] * 4;
        double top = fmax(0, b[0]) * pad_y, bottom = fmin(1.0, b[2]) * pad_y;
        double left = fmax(0, b[1]) * pad_x, right = fmin(1.0, b[3]) * pad_x;
        memset(&faces[i], 0, sizeof faces[i]);
        faces[i].score = scores[selected[i]];
        faces[i].box =
            (struct sj_face_rect){left * img->width, top * img->height, (right - left) * img->width,
                                  (bottom - top) * img->height};
    }
    *count = n;
    free(boxes);
    free(codes);
    return 0;
}
