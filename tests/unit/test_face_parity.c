/*
 * test_face_parity.c - the C face descriptor against the reference JavaScript (face-api on
 * TF.js's cpu backend, tests/face/ref.mjs under Node): the same pixels go to both, and every
 * one of the 128 components must agree within 1e-3. Then the decisions: the same person under
 * a shifted crop, a brightness change and JPEG recompression stays under the 0.6 threshold,
 * two different people stay over it. Photos: tests/data/face (sources in tests/data/README).
 * Without node or the npm packages (scripts/bootstrap) this test FAILS; it never skips.
 */
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

#define N_FACES 5

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
    if (sj_face_image_read_file(path, img, &err) < 0)
        fail_msg("%s: %s", path, err.message);
}

static void recompress(struct sj_face_image *img, int quality)
{
    tjhandle tj = tjInitCompress();
    unsigned char *jpg = NULL;
    unsigned long n = 0;
    assert_int_equal(tjCompress2(tj, img->rgb, img->width, 0, img->height, TJPF_RGB, &jpg, &n,
                                 TJSAMP_420, quality, 0),
                     0);
    tjDestroy(tj);
    sj_face_image_release(img);
    struct sj_err err;
    assert_int_equal(sj_face_image_decode_jpeg(jpg, n, img, &err), 0);
    tjFree(jpg);
}

/* Runs the reference on the PPM files and returns its JSON (caller decrefs). */
static json_t *run_reference(char files[][4200], int count)
{
    char cmd[32768];
    int len = snprintf(cmd, sizeof cmd, "node '%s/tests/face/ref.mjs' '%s' descriptor", root(),
                       sj_face_model_dir());
    for (int i = 0; i < count; i++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " '%s'", files[i]);
    FILE *p = popen(cmd, "r");
    if (!p)
        fail_msg("cannot run node");
    char *buf = malloc(1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, p);
    buf[n] = 0;
    int status = pclose(p);
    if (status != 0)
        fail_msg("the reference failed (status %d): is node installed and scripts/bootstrap run?",
                 status);
    json_error_t jerr;
    json_t *doc = json_loads(buf, 0, &jerr);
    free(buf);
    if (!doc)
        fail_msg("reference output is not JSON: %s", jerr.text);
    return doc;
}

static void test_descriptor_parity_and_decisions(void **state)
{
    (void)state;
    struct sj_face_image collins, hopper, faces[N_FACES];
    struct sj_face_model *model = NULL;
    struct sj_err err;
    if (sj_face_model_open(NULL, &model, &err) < 0)
        fail_msg("%s (run scripts/bootstrap)", err.message);
    load("collins.jpg", &collins);
    load("hopper.jpg", &hopper);
    /* Face boxes as face-api's detector + landmark alignment finds them on these photos. */
    assert_int_equal(sj_face_image_crop(&collins, 166, 78, 111, 106, &faces[0]), 0);
    assert_int_equal(sj_face_image_crop(&collins, 160, 72, 120, 116, &faces[1]), 0);
    assert_int_equal(sj_face_image_crop(&collins, 166, 78, 111, 106, &faces[2]), 0);
    for (size_t i = 0; i < (size_t)faces[2].width * faces[2].height * 3; i++)
        faces[2].rgb[i] = (uint8_t)(faces[2].rgb[i] * 0.75);
    recompress(&collins, 40);
    assert_int_equal(sj_face_image_crop(&collins, 166, 78, 111, 106, &faces[3]), 0);
    assert_int_equal(sj_face_image_crop(&hopper, 158, 140, 213, 209, &faces[4]), 0);

    char dir[] = "/tmp/sj-face-parity-XXXXXX", files[N_FACES][4200];
    assert_non_null(mkdtemp(dir));
    float desc[N_FACES][SJ_FACE_DESCRIPTOR_LEN];
    for (int i = 0; i < N_FACES; i++) {
        snprintf(files[i], sizeof files[i], "%s/face%d.ppm", dir, i);
        assert_int_equal(sj_face_image_write_ppm(&faces[i], files[i], &err), 0);
        assert_int_equal(sj_face_descriptor(model, &faces[i], desc[i], &err), 0);
    }
    json_t *doc = run_reference(files, N_FACES);
    for (int i = 0; i < N_FACES; i++) {
        json_t *ref = json_object_get(json_array_get(json_object_get(doc, "images"), (size_t)i),
                                      "descriptor");
        assert_int_equal(json_array_size(ref), SJ_FACE_DESCRIPTOR_LEN);
        double worst = 0;
        for (int k = 0; k < SJ_FACE_DESCRIPTOR_LEN; k++) {
            double d = desc[i][k] - json_number_value(json_array_get(ref, (size_t)k));
            worst = d < 0 ? (-d > worst ? -d : worst) : (d > worst ? d : worst);
        }
        print_message("# face %d: max |C - JS| = %.2e\n", i, worst);
        assert_true(worst < 1e-3);
    }
    json_decref(doc);
    for (int i = 1; i < 4; i++) {
        float d = sj_face_distance(desc[0], desc[i]);
        print_message("# same person, variant %d: distance %.4f\n", i, d);
        assert_true(d < SJ_FACE_THRESHOLD);
    }
    for (int i = 0; i < 4; i++) {
        float d = sj_face_distance(desc[i], desc[4]);
        print_message("# different people, variant %d: distance %.4f\n", i, d);
        assert_true(d > SJ_FACE_THRESHOLD);
    }
    for (int i = 0; i < N_FACES; i++) {
        unlink(files[i]);
        sj_face_image_release(&faces[i]);
    }
    rmdir(dir);
    sj_face_image_release(&collins);
    sj_face_image_release(&hopper);
    sj_face_model_close(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor_parity_and_decisions),
    };
    return cmocka_run_group_tests_name("face_parity", tests, NULL, NULL);
}
