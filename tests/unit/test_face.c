/*
 * test_face.c - the parts of src/face that a standard defines: TF.js weight manifests
 * (uint8/uint16 dequantisation q * scale + min, float32/int32 as is, bounds), JPEG decoding
 * with the eight EXIF orientations (TIFF 6.0 / EXIF 2.3 tag 0x0112) on synthetic JPEGs made
 * here, crops, and TF.js's resizeBilinear sampling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <turbojpeg.h>

#include "shujian/face.h"

static void test_weights_dequantise(void **state)
{
    (void)state;
    const char *manifest = "[{\"paths\":[\"x.bin\"],\"weights\":["
                           "{\"name\":\"q8\",\"shape\":[2,2],\"dtype\":\"float32\","
                           "\"quantization\":{\"dtype\":\"uint8\",\"scale\":0.5,\"min\":-1.0}},"
                           "{\"name\":\"f\",\"shape\":[1],\"dtype\":\"float32\"},"
                           "{\"name\":\"i\",\"shape\":[1],\"dtype\":\"int32\"},"
                           "{\"name\":\"q16\",\"shape\":[1],\"dtype\":\"float32\","
                           "\"quantization\":{\"dtype\":\"uint16\",\"scale\":0.25,\"min\":2.0}}]}]";
    uint8_t bin[4 + 4 + 4 + 2] = {0, 1, 2, 255};
    float f = 3.25f;
    int32_t i = -7;
    memcpy(bin + 4, &f, 4);
    memcpy(bin + 8, &i, 4);
    bin[12] = 0x00, bin[13] = 0x01; /* 256 little-endian */
    struct sj_face_weights *w = NULL;
    struct sj_err err;
    assert_int_equal(sj_face_weights_parse(manifest, strlen(manifest), bin, sizeof bin, &w, &err),
                     0);
    assert_int_equal(sj_face_weights_count(w), 4);
    int shape[2] = {2, 2};
    size_t n = 0;
    const float *q = sj_face_weights_get(w, "q8", shape, 2, &n);
    assert_non_null(q);
    assert_int_equal(n, 4);
    const float want[4] = {-1.0f, -0.5f, 0.0f, 126.5f};
    for (int k = 0; k < 4; k++)
        assert_true(q[k] == want[k]);
    int wrong[2] = {4, 1};
    assert_null(sj_face_weights_get(w, "q8", wrong, 2, NULL));
    assert_null(sj_face_weights_get(w, "nope", NULL, 0, NULL));
    assert_true(sj_face_weights_get(w, "f", NULL, 0, NULL)[0] == 3.25f);
    assert_true(sj_face_weights_get(w, "i", NULL, 0, NULL)[0] == -7.0f);
    assert_true(sj_face_weights_get(w, "q16", NULL, 0, NULL)[0] == 66.0f);
    sj_face_weights_free(w);
    /* One byte short: the last tensor does not fit and the manifest is refused. */
    assert_int_equal(
        sj_face_weights_parse(manifest, strlen(manifest), bin, sizeof bin - 1, &w, &err),
        SJ_EFORMAT);
    assert_null(w);
    assert_non_null(strstr(err.message, "q16"));
}

static void test_weights_bad_manifests(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "{}",
        "[{\"weights\":3}]",
        "[{\"weights\":[{\"shape\":[1],\"dtype\":\"float32\"}]}]",
        "[{\"weights\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"string\"}]}]",
        "[{\"weights\":[{\"name\":\"a\",\"shape\":[-1],\"dtype\":\"float32\"}]}]",
        "[{\"weights\":[{\"name\":\"a\",\"shape\":[1,1,1,1,1],\"dtype\":\"float32\"}]}]",
        "[{\"weights\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"float32\","
        "\"quantization\":{\"dtype\":\"float16\"}}]}]",
    };
    uint8_t bin[64] = {0};
    for (size_t k = 0; k < SJ_ARRAY_LEN(bad); k++) {
        struct sj_face_weights *w = (struct sj_face_weights *)1;
        struct sj_err err;
        assert_int_equal(sj_face_weights_parse(bad[k], strlen(bad[k]), bin, sizeof bin, &w, &err),
                         SJ_EFORMAT);
        assert_null(w);
    }
}

static void test_weights_real_model(void **state)
{
    (void)state;
    struct sj_face_weights *w = NULL;
    struct sj_err err;
    int rc = sj_face_weights_load(sj_face_model_dir(), "face_recognition_model", &w, &err);
    if (rc < 0)
        fail_msg("%s (run scripts/bootstrap)", err.message);
    int shape[4] = {7, 7, 3, 32};
    assert_non_null(sj_face_weights_get(w, "conv32_down/conv/filters", shape, 4, NULL));
    int fc[2] = {256, 128};
    assert_non_null(sj_face_weights_get(w, "fc", fc, 2, NULL));
    assert_int_equal(sj_face_weights_count(w), 29 * 4 + 1);
    sj_face_weights_free(w);
}

/* ---- JPEG and EXIF ------------------------------------------------------------------------- */

enum { QA, QB, QC, QD };
static const uint8_t colours[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};

/* A 64x32 JPEG whose quadrants are A B / C D, with an EXIF APP1 carrying orientation o
 * (0: no EXIF) in byte order le or be. Caller frees *out with tjFree. */
static void make_jpeg(int o, int is_le, uint8_t **out, size_t *len)
{
    int w = 64, h = 32;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            memcpy(rgb + ((size_t)y * w + x) * 3, colours[(y >= 16) * 2 + (x >= 32)], 3);
    tjhandle tj = tjInitCompress();
    unsigned char *jpg = NULL;
    unsigned long n = 0;
    assert_int_equal(tjCompress2(tj, rgb, w, 0, h, TJPF_RGB, &jpg, &n, TJSAMP_444, 100, 0), 0);
    tjDestroy(tj);
    free(rgb);
    uint8_t app1[36] = {0xFF, 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0};
    uint8_t *t = app1 + 10;
    memcpy(t, is_le ? "II\x2a\0\x08\0\0\0" : "MM\0\x2a\0\0\0\x08", 8);
    t[8] = is_le ? 1 : 0, t[9] = is_le ? 0 : 1; /* one entry */
    memcpy(t + 10, is_le ? "\x12\x01\x03\0\x01\0\0\0" : "\x01\x12\0\x03\0\0\0\x01", 8);
    t[18] = is_le ? (uint8_t)o : 0, t[19] = is_le ? 0 : (uint8_t)o; /* the value */
    size_t extra = o ? sizeof app1 : 0;
    *out = malloc(n + extra);
    memcpy(*out, jpg, 2);
    memcpy(*out + 2, app1, extra);
    memcpy(*out + 2 + extra, jpg + 2, n - 2);
    *len = n + extra;
    tjFree(jpg);
}

static int quadrant_at(const struct sj_face_image *img, int x, int y)
{
    const uint8_t *p = img->rgb + ((size_t)y * img->width + x) * 3;
    for (int q = 0; q < 4; q++)
        if (abs(p[0] - colours[q][0]) < 40 && abs(p[1] - colours[q][1]) < 40 &&
            abs(p[2] - colours[q][2]) < 40)
            return q;
    return -1;
}

static void test_exif_orientations(void **state)
{
    (void)state;
    static const struct {
        int orientation, width, height, quad[4]; /* top-left, top-right, bottom-left, -right */
    } cases[] = {
        {0, 64, 32, {QA, QB, QC, QD}}, {1, 64, 32, {QA, QB, QC, QD}}, {2, 64, 32, {QB, QA, QD, QC}},
        {3, 64, 32, {QD, QC, QB, QA}}, {4, 64, 32, {QC, QD, QA, QB}}, {5, 32, 64, {QA, QC, QB, QD}},
        {6, 32, 64, {QC, QA, QD, QB}}, {7, 32, 64, {QD, QB, QC, QA}}, {8, 32, 64, {QB, QD, QA, QC}},
    };
    for (size_t k = 0; k < SJ_ARRAY_LEN(cases); k++) {
        for (int is_le = 0; is_le < 2; is_le++) {
            uint8_t *jpg;
            size_t len;
            make_jpeg(cases[k].orientation, is_le, &jpg, &len);
            assert_int_equal(sj_face_exif_orientation(jpg, len),
                             cases[k].orientation ? cases[k].orientation : 1);
            struct sj_face_image img;
            struct sj_err err;
            assert_int_equal(sj_face_image_decode_jpeg(jpg, len, &img, &err), 0);
            assert_int_equal(img.width, cases[k].width);
            assert_int_equal(img.height, cases[k].height);
            int w = img.width, h = img.height;
            assert_int_equal(quadrant_at(&img, w / 4, h / 4), cases[k].quad[0]);
            assert_int_equal(quadrant_at(&img, 3 * w / 4, h / 4), cases[k].quad[1]);
            assert_int_equal(quadrant_at(&img, w / 4, 3 * h / 4), cases[k].quad[2]);
            assert_int_equal(quadrant_at(&img, 3 * w / 4, 3 * h / 4), cases[k].quad[3]);
            sj_face_image_release(&img);
            /* Truncating inside the EXIF block must not read past the end. */
            for (size_t cut = 4; cut < 40 && cut < len; cut++)
                (void)sj_face_exif_orientation(jpg, cut);
            free(jpg);
        }
    }
}

static void test_jpeg_rejects(void **state)
{
    (void)state;
    struct sj_face_image img;
    struct sj_err err;
    static const uint8_t not_jpeg[] = "\x89PNG\r\n\x1a\n0000";
    assert_int_equal(sj_face_image_decode_jpeg(not_jpeg, sizeof not_jpeg, &img, &err), SJ_EFORMAT);
    assert_null(img.rgb);
    uint8_t *jpg;
    size_t len;
    make_jpeg(0, 1, &jpg, &len);
    assert_int_not_equal(sj_face_image_decode_jpeg(jpg, 20, &img, &err), 0);
    assert_null(img.rgb);
    free(jpg);
    assert_int_equal(sj_face_image_read_file("/nonexistent/x.jpg", &img, &err), SJ_EIO);
}

static void test_crop_and_resize(void **state)
{
    (void)state;
    /* resizeBilinear(alignCorners=false, halfPixelCenters=false): 2x2 -> 4x4 samples at
     * source coordinates 0, 0.5, 1, 1.5 (clamped to the last pixel). */
    static const float src1[4] = {0, 10, 20, 30};
    static const float want[16] = {0, 5, 10, 10, 10, 15, 20, 20, 20, 25, 30, 30, 20, 25, 30, 30};
    float src[12], out[48];
    for (int k = 0; k < 12; k++)
        src[k] = src1[k / 3];
    sj_face_resize_bilinear(src, 2, 2, out, 4, 4);
    for (int k = 0; k < 16; k++)
        for (int c = 0; c < 3; c++)
            assert_float_equal(out[k * 3 + c], want[k], 1e-6);
    uint8_t px[4 * 3 * 3];
    for (int k = 0; k < 36; k++)
        px[k] = (uint8_t)k;
    struct sj_face_image img = {4, 3, px}, part;
    assert_int_equal(sj_face_image_crop(&img, 2, 1, 10, 10, &part), 0);
    assert_int_equal(part.width, 2);
    assert_int_equal(part.height, 2);
    assert_int_equal(part.rgb[0], (1 * 4 + 2) * 3);
    assert_int_equal(part.rgb[2 * 3 * 2 - 1], (2 * 4 + 3) * 3 + 2);
    sj_face_image_release(&part);
    assert_int_equal(sj_face_image_crop(&img, 5, 0, 2, 2, &part), SJ_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_dequantise), cmocka_unit_test(test_weights_bad_manifests),
        cmocka_unit_test(test_weights_real_model), cmocka_unit_test(test_exif_orientations),
        cmocka_unit_test(test_jpeg_rejects),       cmocka_unit_test(test_crop_and_resize),
    };
    return cmocka_run_group_tests_name("face", tests, NULL, NULL);
}
