/*
 * test_face_detect.c - the whole C face pipeline (SSD MobileNet v1 -> face_landmark_68 ->
 * alignment -> descriptor) against the reference JavaScript (face-api on TF.js's cpu backend,
 * tests/face/ref.mjs), on nine images made here from tests/data/face: whole photos, shifted
 * crops, darker/brighter, JPEG quality 40, two people side by side, and no face at all.
 *
 * The reference needs 10-90 s per image on the shared machine, so its answers are cached in
 * tests/data/face/ref-full.json, written by tests/face/gen-fixtures (which runs this program
 * with SJ_FACE_REGEN=<output>). The fixture records a checksum of each image's pixels, so a
 * changed image (another libjpeg-turbo) is reported as a stale fixture, not as a wrong answer;
 * one test re-runs the reference on one image to prove the fixture is still what it says.
 * Parity: boxes, landmarks and aligned boxes within 0.01 px (the issue asks 1 px; we agree to
 * ~4e-5, and a 2.8 mean-RGB slip in the landmark net already moves points 0.14 px), the
 * descriptor's region identical, descriptors within 1e-4 per component (asked: 1e-3), scores
 * within 1e-3. Decisions: every variant of one person stays under the 0.6 threshold, every
 * pair of different people over it. Fails, never skips, without node or the npm packages
 * (scripts/bootstrap).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <turbojpeg.h>

#include "shujian/face.h"

#define MAX_FACES 10
#define PX_TOLERANCE 0.01
#define DESC_TOLERANCE 1e-4
#define REF_BUF (8u << 20)

/* The images: name, the person in them ("" none, "pair" both), how they are made. */
static const struct {
    const char *name, *person;
} cases[] = {
    {"collins", "collins"},
    {"collins-crop", "collins"},
    {"collins-dark", "collins"},
    {"collins-q40", "collins"},
    {"hopper", "hopper"},
    {"hopper-crop", "hopper"},
    {"hopper-bright", "hopper"},
    {"pair", "pair"},
    {"gradient", ""},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* Face crops of odd shapes given straight to the descriptor (the reference's "descriptor"
 * mode): wider and taller than square, even and odd differences, so both sides of
 * padToSquare's rounding are exercised. */
static const struct {
    const char *photo;
    int x, y, w, h;
} crops[] = {
    {"collins.jpg", 166, 78, 111, 106},
    {"collins.jpg", 170, 60, 90, 131},
    {"hopper.jpg", 158, 140, 213, 209},
    {"hopper.jpg", 180, 100, 150, 251},
};
#define N_CROPS (sizeof crops / sizeof crops[0])

struct result {
    size_t count;
    struct sj_face_found faces[MAX_FACES];
    float desc[MAX_FACES][SJ_FACE_DESCRIPTOR_LEN];
};

static struct sj_face_model *model;
static struct result results[N_CASES];
static char hashes[N_CASES][17];
static json_t *fixture;

static const char *root(void)
{
    const char *r = getenv("SJ_SOURCE_ROOT");
    return r && *r ? r : SJ_SOURCE_ROOT;
}

static void load(const char *name, struct sj_face_image *img)
{
    char path[4096];
    struct sj_err err;
    snprintf(path, sizeof path, "%s/tests/data/face/%s", root(), name);
    if (sj_face_image_read_file(path, img, &err) < 0) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        exit(1);
    }
}

static void recompress(struct sj_face_image *img, int quality)
{
    tjhandle tj = tjInitCompress();
    unsigned char *jpg = NULL;
    unsigned long n = 0;
    struct sj_err err;
    if (tjCompress2(tj, img->rgb, img->width, 0, img->height, TJPF_RGB, &jpg, &n, TJSAMP_420,
                    quality, 0) != 0)
        exit(1);
    tjDestroy(tj);
    sj_face_image_release(img);
    if (sj_face_image_decode_jpeg(jpg, n, img, &err) < 0)
        exit(1);
    tjFree(jpg);
}

static void scale_pixels(struct sj_face_image *img, double f)
{
    for (size_t i = 0; i < (size_t)img->width * img->height * 3; i++) {
        double v = img->rgb[i] * f;
        img->rgb[i] = (uint8_t)(v > 255 ? 255 : v);
    }
}

/* Two photos side by side on black, tops aligned. */
static void side_by_side(const struct sj_face_image *a, const struct sj_face_image *b,
                         struct sj_face_image *out)
{
    out->width = a->width + b->width;
    out->height = a->height > b->height ? a->height : b->height;
    out->rgb = calloc((size_t)out->width * out->height, 3);
    for (int y = 0; y < out->height; y++) {
        uint8_t *row = out->rgb + (size_t)y * out->width * 3;
        if (y < a->height)
            memcpy(row, a->rgb + (size_t)y * a->width * 3, (size_t)a->width * 3);
        if (y < b->height)
            memcpy(row + (size_t)a->width * 3, b->rgb + (size_t)y * b->width * 3,
                   (size_t)b->width * 3);
    }
}

static void make_case(size_t i, struct sj_face_image *img)
{
    struct sj_face_image a, b;
    const char *name = cases[i].name;
    if (strcmp(name, "pair") == 0) {
        load("collins.jpg", &a);
        load("hopper.jpg", &b);
        side_by_side(&a, &b, img);
        sj_face_image_release(&a);
        sj_face_image_release(&b);
    } else if (strcmp(name, "gradient") == 0) {
        img->width = 320, img->height = 240;
        img->rgb = malloc(320 * 240 * 3);
        for (int p = 0; p < 320 * 240; p++)
            for (int k = 0; k < 3; k++)
                img->rgb[p * 3 + k] = (uint8_t)((p % 320) * (k + 1) / 4 + (p / 320) / 2);
    } else {
        load(strncmp(name, "collins", 7) == 0 ? "collins.jpg" : "hopper.jpg", &a);
        *img = a;
        if (strcmp(name, "collins-crop") == 0 || strcmp(name, "hopper-crop") == 0) {
            int is_c = name[0] == 'c';
            sj_face_image_crop(&a, is_c ? 60 : 80, is_c ? 20 : 60, is_c ? 380 : 400,
                               is_c ? 420 : 440, img);
            sj_face_image_release(&a);
        } else if (strcmp(name, "collins-dark") == 0) {
            scale_pixels(img, 0.75);
        } else if (strcmp(name, "hopper-bright") == 0) {
            scale_pixels(img, 1.25);
        } else if (strcmp(name, "collins-q40") == 0) {
            recompress(img, 40);
        }
    }
}

static void make_crop(size_t i, struct sj_face_image *img)
{
    struct sj_face_image photo;
    load(crops[i].photo, &photo);
    if (sj_face_image_crop(&photo, crops[i].x, crops[i].y, crops[i].w, crops[i].h, img) < 0)
        exit(1);
    sj_face_image_release(&photo);
}

/* FNV-1a 64 of the size and pixels, as 16 hex digits. */
static void pixel_hash(const struct sj_face_image *img, char out[17])
{
    uint64_t h = 1469598103934665603ull;
    int dims[2] = {img->width, img->height};
    const uint8_t *parts[2] = {(const uint8_t *)dims, img->rgb};
    size_t lens[2] = {sizeof dims, (size_t)img->width * img->height * 3};
    for (int p = 0; p < 2; p++)
        for (size_t i = 0; i < lens[p]; i++)
            h = (h ^ parts[p][i]) * 1099511628211ull;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Runs the reference in mode ("full" or "descriptor") on the PPM files; returns its JSON
 * (caller decrefs). */
static json_t *run_reference(const char *mode, char (*files)[64], size_t count)
{
    char cmd[8192];
    int len = snprintf(cmd, sizeof cmd, "node '%s/tests/face/ref.mjs' '%s' %s", root(),
                       sj_face_model_dir(), mode);
    for (size_t i = 0; i < count; i++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " '%s'", files[i]);
    FILE *p = popen(cmd, "r");
    char *buf = malloc(REF_BUF);
    size_t n = p ? fread(buf, 1, REF_BUF - 1, p) : 0;
    buf[n] = 0;
    int status = p ? pclose(p) : -1;
    json_error_t jerr;
    json_t *doc = status == 0 ? json_loads(buf, 0, &jerr) : NULL;
    free(buf);
    if (!doc)
        fprintf(stderr,
                "the reference failed (status %d): is node installed and "
                "scripts/bootstrap run?\n",
                status);
    return doc;
}

/* Writes images 0..count-1 of make as PPM files into a new temporary directory. */
static void write_cases(void (*make)(size_t, struct sj_face_image *), char *dir, char (*files)[64],
                        size_t count)
{
    struct sj_err err;
    if (!mkdtemp(dir))
        exit(1);
    for (size_t i = 0; i < count; i++) {
        struct sj_face_image img;
        make(i, &img);
        snprintf(files[i], 64, "%s/%zu.ppm", dir, i);
        if (sj_face_image_write_ppm(&img, files[i], &err) < 0)
            exit(1);
        sj_face_image_release(&img);
    }
}

static void remove_cases(const char *dir, char (*files)[64], size_t count)
{
    for (size_t i = 0; i < count; i++)
        unlink(files[i]);
    rmdir(dir);
}

/* The reference's descriptors of the crops, with their pixels' checksums. */
static json_t *regenerate_crops(void)
{
    char dir[] = "/tmp/sj-face-regen-XXXXXX", files[N_CROPS][64];
    write_cases(make_crop, dir, files, N_CROPS);
    json_t *doc = run_reference("descriptor", files, N_CROPS);
    remove_cases(dir, files, N_CROPS);
    if (!doc)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; i < N_CROPS; i++) {
        struct sj_face_image img;
        char hash[17];
        make_crop(i, &img);
        pixel_hash(&img, hash);
        json_t *ref = json_array_get(json_object_get(doc, "images"), i);
        json_array_append_new(list, json_pack("{s:s, s:[iiii], s:s, s:O}", "photo", crops[i].photo,
                                              "rect", crops[i].x, crops[i].y, crops[i].w,
                                              crops[i].h, "pixels", hash, "descriptor",
                                              json_object_get(ref, "descriptor")));
        sj_face_image_release(&img);
    }
    json_decref(doc);
    return list;
}

/* SJ_FACE_REGEN=<path>: run the reference on every case and crop and write the fixture. */
static int regenerate(const char *out)
{
    char dir[] = "/tmp/sj-face-regen-XXXXXX", files[N_CASES][64];
    write_cases(make_case, dir, files, N_CASES);
    json_t *doc = run_reference("full", files, N_CASES), *crop_list = regenerate_crops();
    remove_cases(dir, files, N_CASES);
    if (!doc || !crop_list)
        return 1;
    json_t *list = json_array();
    for (size_t i = 0; i < N_CASES; i++) {
        struct sj_face_image img;
        char hash[17];
        make_case(i, &img);
        pixel_hash(&img, hash);
        json_t *ref = json_array_get(json_object_get(doc, "images"), i);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:i, s:i, s:O, s:O}", "name", cases[i].name, "pixels", hash,
                            "width", img.width, "height", img.height, "faces",
                            json_object_get(ref, "faces"), "ms", json_object_get(ref, "ms")));
        sj_face_image_release(&img);
    }
    json_t *fix = json_pack("{s:s, s:O, s:O, s:o, s:o}", "generator", "tests/face/gen-fixtures",
                            "face_api", json_object_get(doc, "version"), "backend",
                            json_object_get(doc, "backend"), "cases", list, "crops", crop_list);
    int rc = json_dump_file(fix, out, JSON_INDENT(1) | JSON_REAL_PRECISION(9)) == 0 ? 0 : 1;
    json_decref(fix);
    json_decref(doc);
    return rc;
}

/* The C pipeline on one image: detect, then landmarks, alignment and descriptor per face.
 * Returns 0 or the first error's code. */
static int run_c(const struct sj_face_image *img, struct result *r)
{
    struct sj_err err;
    int rc = sj_face_detect(model, img, SJ_FACE_MIN_SCORE, r->faces, MAX_FACES, &r->count, &err);
    for (size_t f = 0; rc == 0 && f < r->count; f++) {
        struct sj_face_image face = {0};
        rc = sj_face_landmarks(model, img, &r->faces[f], &err);
        if (rc == 0)
            rc = sj_face_align(img, &r->faces[f], &face);
        if (rc == 0)
            rc = sj_face_descriptor(model, &face, r->desc[f], &err);
        sj_face_image_release(&face);
    }
    if (rc < 0)
        fprintf(stderr, "C pipeline: %s\n", err.message);
    return rc;
}

static double num(json_t *a, size_t i)
{
    return json_number_value(json_array_get(a, i));
}

static double rect_diff(const struct sj_face_rect *r, json_t *a)
{
    double v[4] = {r->x, r->y, r->width, r->height}, worst = 0;
    for (size_t i = 0; i < 4; i++)
        worst = fmax(worst, fabs(v[i] - num(a, i)));
    return worst;
}

/* The C face nearest (by box centre) to a reference face. */
static size_t nearest(const struct result *r, json_t *ref_face)
{
    json_t *box = json_object_get(ref_face, "box");
    double cx = num(box, 0) + num(box, 2) / 2, cy = num(box, 1) + num(box, 3) / 2, best = INFINITY;
    size_t at = 0;
    for (size_t f = 0; f < r->count; f++) {
        const struct sj_face_rect *b = &r->faces[f].box;
        double d = hypot(b->x + b->width / 2 - cx, b->y + b->height / 2 - cy);
        if (d < best)
            best = d, at = f;
    }
    return at;
}

/* Largest differences between the C result and one reference face: [0] pixels (box,
 * landmarks, aligned box), [1] descriptor components, [2] score; crop must be identical. */
static void compare_face(const struct result *r, size_t f, json_t *ref, double worst[3])
{
    const struct sj_face_found *c = &r->faces[f];
    json_t *lm = json_object_get(ref, "landmarks"), *crop = json_object_get(ref, "crop");
    json_t *desc = json_object_get(ref, "descriptor");
    worst[0] = fmax(rect_diff(&c->box, json_object_get(ref, "box")),
                    rect_diff(&c->aligned, json_object_get(ref, "aligned")));
    assert_int_equal(json_array_size(lm), SJ_FACE_LANDMARKS);
    for (size_t i = 0; i < SJ_FACE_LANDMARKS; i++)
        for (size_t k = 0; k < 2; k++)
            worst[0] = fmax(worst[0], fabs(c->landmarks[i][k] - num(json_array_get(lm, i), k)));
    assert_int_equal(c->crop_x, (int)num(crop, 0));
    assert_int_equal(c->crop_y, (int)num(crop, 1));
    assert_int_equal(c->crop_w, (int)num(crop, 2));
    assert_int_equal(c->crop_h, (int)num(crop, 3));
    assert_int_equal(json_array_size(desc), SJ_FACE_DESCRIPTOR_LEN);
    worst[1] = 0;
    for (size_t k = 0; k < SJ_FACE_DESCRIPTOR_LEN; k++)
        worst[1] = fmax(worst[1], fabs(r->desc[f][k] - num(desc, k)));
    worst[2] = fabs(c->score - json_number_value(json_object_get(ref, "score")));
}

static json_t *fixture_case(size_t i)
{
    json_t *c = json_array_get(json_object_get(fixture, "cases"), i);
    if (!c || strcmp(json_string_value(json_object_get(c, "name")), cases[i].name) != 0)
        fail_msg("tests/data/face/ref-full.json lacks case %s: run tests/face/gen-fixtures",
                 cases[i].name);
    return c;
}

/* Loads the fixture and the model, and runs the C pipeline on every case. */
static int setup(void **state)
{
    (void)state;
    struct sj_err err;
    char path[4096];
    json_error_t jerr;
    snprintf(path, sizeof path, "%s/tests/data/face/ref-full.json", root());
    fixture = json_load_file(path, 0, &jerr);
    if (!fixture)
        fprintf(stderr, "%s: %s (run tests/face/gen-fixtures)\n", path, jerr.text);
    if (sj_face_model_open(NULL, &model, &err) < 0)
        fprintf(stderr, "%s (run scripts/bootstrap)\n", err.message);
    int rc = fixture && model ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < N_CASES; i++) {
        struct sj_face_image img;
        make_case(i, &img);
        pixel_hash(&img, hashes[i]);
        rc = run_c(&img, &results[i]);
        sj_face_image_release(&img);
    }
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    sj_face_model_close(model);
    json_decref(fixture);
    return 0;
}

/* Every case through the C pipeline against the fixture. */
static void test_parity_with_fixture(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_CASES; i++) {
        json_t *fc = fixture_case(i), *faces = json_object_get(fc, "faces");
        if (strcmp(hashes[i], json_string_value(json_object_get(fc, "pixels"))) != 0)
            fail_msg("%s: the image's pixels changed since the fixture was made: run "
                     "tests/face/gen-fixtures",
                     cases[i].name);
        print_message("# %s: %zu face(s), reference %zu\n", cases[i].name, results[i].count,
                      json_array_size(faces));
        assert_int_equal(results[i].count, json_array_size(faces));
        for (size_t f = 0; f < results[i].count; f++) {
            double worst[3];
            compare_face(&results[i], nearest(&results[i], json_array_get(faces, f)),
                         json_array_get(faces, f), worst);
            print_message("#   face %zu: max |C - JS| %.2e px, descriptor %.2e, score %.2e\n", f,
                          worst[0], worst[1], worst[2]);
            assert_true(worst[0] <= PX_TOLERANCE);
            assert_true(worst[1] <= DESC_TOLERANCE);
            assert_true(worst[2] <= 1e-3);
        }
    }
}

/* Odd-shaped crops straight into the descriptor, against the reference's descriptors. */
static void test_crop_descriptors(void **state)
{
    (void)state;
    json_t *list = json_object_get(fixture, "crops");
    assert_int_equal(json_array_size(list), N_CROPS);
    for (size_t i = 0; i < N_CROPS; i++) {
        struct sj_face_image img;
        struct sj_err err;
        char hash[17];
        float desc[SJ_FACE_DESCRIPTOR_LEN];
        json_t *ref = json_array_get(list, i), *want = json_object_get(ref, "descriptor");
        make_crop(i, &img);
        pixel_hash(&img, hash);
        if (strcmp(hash, json_string_value(json_object_get(ref, "pixels"))) != 0)
            fail_msg("crop %zu: the pixels changed since the fixture was made: run "
                     "tests/face/gen-fixtures",
                     i);
        assert_int_equal(sj_face_descriptor(model, &img, desc, &err), 0);
        sj_face_image_release(&img);
        assert_int_equal(json_array_size(want), SJ_FACE_DESCRIPTOR_LEN);
        double worst = 0;
        for (size_t k = 0; k < SJ_FACE_DESCRIPTOR_LEN; k++)
            worst = fmax(worst, fabs(desc[k] - num(want, k)));
        print_message("# crop %dx%d of %s: max |C - JS| = %.2e\n", crops[i].w, crops[i].h,
                      crops[i].photo, worst);
        assert_true(worst <= DESC_TOLERANCE);
    }
}

/* The reference, run now on the first case, still gives what the fixture says. */
static void test_fixture_is_current(void **state)
{
    (void)state;
    char dir[] = "/tmp/sj-face-detect-XXXXXX", files[1][64];
    write_cases(make_case, dir, files, 1);
    json_t *doc = run_reference("full", files, 1);
    remove_cases(dir, files, 1);
    if (!doc)
        fail_msg("the reference could not be run");
    json_t *live = json_object_get(json_array_get(json_object_get(doc, "images"), 0), "faces");
    json_t *cached = json_object_get(fixture_case(0), "faces");
    assert_int_equal(json_array_size(live), json_array_size(cached));
    assert_true(json_array_size(live) > 0);
    for (size_t f = 0; f < json_array_size(live); f++) {
        json_t *a = json_array_get(live, f), *b = json_array_get(cached, f);
        const char *keys[] = {"box", "aligned", "crop", "descriptor"};
        for (size_t k = 0; k < 4; k++) {
            json_t *x = json_object_get(a, keys[k]), *y = json_object_get(b, keys[k]);
            assert_int_equal(json_array_size(x), json_array_size(y));
            for (size_t j = 0; j < json_array_size(x); j++)
                assert_true(fabs(num(x, j) - num(y, j)) < 1e-5);
        }
    }
    json_decref(doc);
}

/* Whose face it is: the case's person, or in "pair" Collins on the left, Hopper right. */
static const char *person(size_t i, size_t f)
{
    if (strcmp(cases[i].person, "pair") != 0)
        return cases[i].person;
    return results[i].faces[f].box.x < 512 ? "collins" : "hopper";
}

/* Through the whole C pipeline: every two faces of one person (crop, brightness,
 * recompression, another framing) are under the threshold, of two people over it. */
static void test_decisions(void **state)
{
    (void)state;
    double same_max = 0, other_min = INFINITY;
    size_t same = 0, other = 0, closest[2] = {0, 0};
    for (size_t i = 0; i < N_CASES; i++)
        for (size_t f = 0; f < results[i].count; f++)
            for (size_t j = i; j < N_CASES; j++)
                for (size_t g = j == i ? f + 1 : 0; g < results[j].count; g++) {
                    double d = sj_face_distance(results[i].desc[f], results[j].desc[g]);
                    int is_same = strcmp(person(i, f), person(j, g)) == 0;
                    if (is_same)
                        same++, same_max = fmax(same_max, d);
                    else if (d < other_min)
                        other++, other_min = d, closest[0] = i, closest[1] = j;
                    else
                        other++;
                    if (is_same != (d < SJ_FACE_THRESHOLD))
                        fail_msg("%s face %zu vs %s face %zu: distance %.4f", cases[i].name, f,
                                 cases[j].name, g, d);
                }
    print_message("# %zu same-person pairs: max distance %.4f; %zu different-person pairs: "
                  "min distance %.4f (%s vs %s); threshold %.2f\n",
                  same, same_max, other, other_min, cases[closest[0]].name, cases[closest[1]].name,
                  SJ_FACE_THRESHOLD);
    /* Collins in 4 images + the pair, Hopper in 3 + the pair: C(5,2) + C(4,2) and 5 * 4. */
    assert_int_equal(same, 16);
    assert_int_equal(other, 20);
}

int main(void)
{
    const char *regen = getenv("SJ_FACE_REGEN");
    if (regen && *regen)
        return regenerate(regen);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parity_with_fixture),
        cmocka_unit_test(test_crop_descriptors),
        cmocka_unit_test(test_fixture_is_current),
        cmocka_unit_test(test_decisions),
    };
    return cmocka_run_group_tests_name("face_detect", tests, setup, teardown);
}
