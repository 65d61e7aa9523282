/*
 * probe.c - whether a photo can be used to verify a face, and its descriptor if so: exactly
 * one face (SSD MobileNet v1, score > 0.5), whose aligned region is at least
 * SJ_FACE_MIN_SIDE pixels wide and sharp enough (variance of the Laplacian of the region
 * stretched to 150x150 grey, relative to the variance of the grey image, at least
 * SJ_FACE_MIN_SHARPNESS). docs/FACE.md says how the thresholds were chosen.
 *
 * Invariants: the decoded photo, the face crops and the grey copy made here are wiped before
 * they are freed (the networks' own working buffers are not: see docs/FACE.md).
 */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "face/face_int.h"
#include "shujian/face.h"

#define MAX_FACES 8

static const struct {
    const char *name, *reason;
} problems[] = {
    [SJ_FACE_USABLE] = {"usable", "照片可用"},
    [SJ_FACE_NO_FACE] = {"no-face", "未检测到人脸"},
    [SJ_FACE_MANY_FACES] = {"many-faces", "检测到多张人脸"},
    [SJ_FACE_TOO_SMALL] = {"too-small", "人脸过小，请靠近镜头重拍"},
    [SJ_FACE_BLURRY] = {"blurry", "照片模糊"},
    [SJ_FACE_BAD_PHOTO] = {"bad-photo", "照片无法解码（须为 JPEG）"},
};

const char *sj_face_problem_name(enum sj_face_problem p)
{
    return (unsigned)p < SJ_ARRAY_LEN(problems) ? problems[p].name : "bad-photo";
}

const char *sj_face_problem_reason(enum sj_face_problem p)
{
    return (unsigned)p < SJ_ARRAY_LEN(problems) ? problems[p].reason
                                                : problems[SJ_FACE_BAD_PHOTO].reason;
}

/* Grey (0.299 R + 0.587 G + 0.114 B) of face stretched to n x n, bilinear with TF.js's
 * sampling, read straight from the 8-bit pixels (a large face needs no float copy). */
static void grey_resized(const struct sj_face_image *face, float *out, int n)
{
    double rx = (double)face->width / n, ry = (double)face->height / n;
    for (int r = 0; r < n; r++) {
        double fy = ry * r;
        int y0 = (int)fy, y1 = y0 + 1 < face->height ? y0 + 1 : y0;
        for (int c = 0; c < n; c++) {
            double fx = rx * c, v[2][2];
            int x0 = (int)fx, x1 = x0 + 1 < face->width ? x0 + 1 : x0;
            int ys[2] = {y0, y1}, xs[2] = {x0, x1};
            for (int i = 0; i < 4; i++) {
                const uint8_t *p = face->rgb + ((size_t)ys[i / 2] * face->width + xs[i % 2]) * 3;
                v[i / 2][i % 2] = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            }
            double top = v[0][0] + (v[0][1] - v[0][0]) * (fx - x0);
            double bottom = v[1][0] + (v[1][1] - v[1][0]) * (fx - x0);
            out[r * n + c] = (float)(top + (bottom - top) * (fy - y0));
        }
    }
}

double sj_face_sharpness(const struct sj_face_image *face)
{
    enum { N = 150 };
    float *grey = sj_xmalloc((size_t)N * N * sizeof(float));
    grey_resized(face, grey, N);
    /* Mean and mean square of the grey image and of its 4-neighbour Laplacian (interior). */
    double g1 = 0, g2 = 0, l1 = 0, l2 = 0;
    for (size_t i = 0; i < (size_t)N * N; i++)
        g1 += grey[i], g2 += (double)grey[i] * grey[i];
    for (int y = 1; y < N - 1; y++)
        for (int x = 1; x < N - 1; x++) {
            const float *p = grey + y * N + x;
            double l = (double)p[-1] + p[1] + p[-N] + p[N] - 4.0 * p[0];
            l1 += l, l2 += l * l;
        }
    sodium_memzero(grey, (size_t)N * N * sizeof(float));
    free(grey);
    double n = (double)(N - 2) * (N - 2), m = (double)N * N;
    double var_l = l2 / n - (l1 / n) * (l1 / n), var_g = g2 / m - (g1 / m) * (g1 / m);
    return var_g > 1.0 ? 1000.0 * var_l / var_g : 0.0;
}

void sj_face_image_wipe(struct sj_face_image *img)
{
    if (img->rgb)
        sodium_memzero(img->rgb, (size_t)img->width * img->height * 3);
    sj_face_image_release(img);
}

/* Landmarks, size, sharpness and descriptor of the one face in out->face. */
static int examine(const struct sj_face_model *model, const struct sj_face_image *img,
                   struct sj_face_probe *out, struct sj_err *err)
{
    struct sj_face_image crop = {0};
    int rc = sj_face_landmarks(model, img, &out->face, err);
    if (rc == SJ_EINVAL) {
        out->problem = SJ_FACE_NO_FACE; /* the face lies off the image */
        return 0;
    }
    if (rc == 0)
        rc = sj_face_align(img, &out->face, &crop);
    if (rc < 0)
        return rc;
    out->face_side = crop.width < crop.height ? crop.width : crop.height;
    out->sharpness = sj_face_sharpness(&crop);
    if (out->face_side < SJ_FACE_MIN_SIDE)
        out->problem = SJ_FACE_TOO_SMALL;
    else if (out->sharpness < SJ_FACE_MIN_SHARPNESS)
        out->problem = SJ_FACE_BLURRY;
    else
        rc = sj_face_descriptor(model, &crop, out->descriptor, err);
    sj_face_image_wipe(&crop);
    return rc;
}

int sj_face_probe(const struct sj_face_model *model, const struct sj_face_image *img,
                  struct sj_face_probe *out, struct sj_err *err)
{
    struct sj_face_found faces[MAX_FACES];
    memset(out, 0, sizeof *out);
    out->sharpness = -1;
    int rc = sj_face_detect(model, img, SJ_FACE_MIN_SCORE, faces, MAX_FACES, &out->face_count, err);
    if (rc < 0)
        return rc;
    if (out->face_count == 0) {
        out->problem = SJ_FACE_NO_FACE;
        return 0;
    }
    if (out->face_count > 1) {
        out->problem = SJ_FACE_MANY_FACES;
        return 0;
    }
    out->face = faces[0];
    return examine(model, img, out, err);
}

int sj_face_probe_jpeg(const struct sj_face_model *model, const uint8_t *data, size_t len,
                       struct sj_face_probe *out, struct sj_err *err)
{
    struct sj_face_image img = {0};
    struct sj_err ignored;
    memset(out, 0, sizeof *out);
    out->sharpness = -1;
    int rc = sj_face_image_decode_jpeg(data, len, &img, &ignored);
    if (rc == SJ_EFORMAT || rc == SJ_ETOOBIG) {
        out->problem = SJ_FACE_BAD_PHOTO;
        return 0;
    }
    if (rc < 0)
        return sj_err_set(err, rc, "%s", ignored.message);
    rc = sj_face_probe(model, &img, out, err);
    sj_face_image_wipe(&img);
    return rc;
}
