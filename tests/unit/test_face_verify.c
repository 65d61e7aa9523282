/*
 * test_face_verify.c - what the check-in flow relies on: the face key file (created 0600 on
 * first use, refused when others may read it), templates sealed with crypto_secretbox and bound
 * to their subject, the usability rules of a photo (exactly one face, big enough, sharp
 * enough: 未检测到人脸 / 检测到多张人脸 / 照片模糊), enrolment and verification against a real
 * workspace with every verdict recorded, photos kept only when asked, and the adapter that
 * plugs the verifier into the bail domain's judge (a mismatch raises the face alert).
 * Photos: tests/data/face (sources in tests/data/README); variants are made here.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
#include <turbojpeg.h>

#include "shujian/bail.h"
#include "shujian/face.h"
#include "shujian/store.h"

static struct sj_face_model *model;

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

/* JPEG bytes (quality 92) of img; free() them. */
static uint8_t *to_jpeg(const struct sj_face_image *img, size_t *len)
{
    tjhandle tj = tjInitCompress();
    unsigned char *jpg = NULL;
    unsigned long n = 0;
    assert_int_equal(tjCompress2(tj, img->rgb, img->width, 0, img->height, TJPF_RGB, &jpg, &n,
                                 TJSAMP_420, 92, 0),
                     0);
    tjDestroy(tj);
    uint8_t *out = malloc(n);
    memcpy(out, jpg, n);
    tjFree(jpg);
    *len = n;
    return out;
}

/* Separable box blur of radius r, twice (close to a Gaussian). */
static void blur(struct sj_face_image *img, int r)
{
    int w = img->width, h = img->height;
    uint8_t *tmp = malloc((size_t)w * h * 3);
    for (int pass = 0; pass < 4; pass++) {
        int is_vertical = pass % 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < 3; k++) {
                    int sum = 0, n = 0;
                    for (int d = -r; d <= r; d++) {
                        int xx = is_vertical ? x : x + d, yy = is_vertical ? y + d : y;
                        if (xx >= 0 && yy >= 0 && xx < w && yy < h)
                            sum += img->rgb[((size_t)yy * w + xx) * 3 + k], n++;
                    }
                    tmp[((size_t)y * w + x) * 3 + k] = (uint8_t)(sum / n);
                }
        memcpy(img->rgb, tmp, (size_t)w * h * 3);
    }
    free(tmp);
}

/* img scaled down by an integer factor (box average). */
static void shrink(struct sj_face_image *img, int f)
{
    int w = img->width / f, h = img->height / f;
    uint8_t *out = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < 3; k++) {
                int sum = 0;
                for (int dy = 0; dy < f; dy++)
                    for (int dx = 0; dx < f; dx++)
                        sum += img->rgb[((size_t)(y * f + dy) * img->width + x * f + dx) * 3 + k];
                out[((size_t)y * w + x) * 3 + k] = (uint8_t)(sum / (f * f));
            }
    free(img->rgb);
    img->rgb = out, img->width = w, img->height = h;
}

/* The photos the tests use, as JPEG bytes. */
enum photo {
    COLLINS,       /* tests/data/face/collins.jpg as it is */
    COLLINS_CROP,  /* another framing, recompressed */
    HOPPER,        /* another person */
    PAIR,          /* both side by side */
    GRADIENT,      /* no face */
    COLLINS_BLUR,  /* box blur radius 2, twice */
    COLLINS_SMALL, /* a third of the size: the face is ~35 px */
    NOT_JPEG,
    PHOTO_COUNT
};

static struct {
    uint8_t *data;
    size_t len;
} photos[PHOTO_COUNT];

static void make_photos(void)
{
    struct sj_face_image c, h, v = {0};
    load("collins.jpg", &c);
    load("hopper.jpg", &h);
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/face/collins.jpg", root());
    FILE *f = fopen(path, "rb");
    photos[COLLINS].data = malloc(1 << 20);
    photos[COLLINS].len = fread(photos[COLLINS].data, 1, 1 << 20, f);
    fclose(f);
    sj_face_image_crop(&c, 60, 20, 380, 420, &v);
    photos[COLLINS_CROP].data = to_jpeg(&v, &photos[COLLINS_CROP].len);
    sj_face_image_release(&v);
    photos[HOPPER].data = to_jpeg(&h, &photos[HOPPER].len);
    v.width = c.width + h.width, v.height = h.height;
    v.rgb = calloc((size_t)v.width * v.height, 3);
    for (int y = 0; y < v.height; y++) {
        if (y < c.height)
            memcpy(v.rgb + (size_t)y * v.width * 3, c.rgb + (size_t)y * c.width * 3,
                   (size_t)c.width * 3);
        memcpy(v.rgb + ((size_t)y * v.width + c.width) * 3, h.rgb + (size_t)y * h.width * 3,
               (size_t)h.width * 3);
    }
    photos[PAIR].data = to_jpeg(&v, &photos[PAIR].len);
    for (int y = 0; y < v.height; y++)
        for (int x = 0; x < v.width * 3; x++)
            v.rgb[(size_t)y * v.width * 3 + x] = (uint8_t)(x / 12 + y / 5);
    photos[GRADIENT].data = to_jpeg(&v, &photos[GRADIENT].len);
    sj_face_image_release(&v);
    sj_face_image_crop(&c, 0, 0, c.width, c.height, &v);
    blur(&v, 2);
    photos[COLLINS_BLUR].data = to_jpeg(&v, &photos[COLLINS_BLUR].len);
    shrink(&c, 3);
    photos[COLLINS_SMALL].data = to_jpeg(&c, &photos[COLLINS_SMALL].len);
    photos[NOT_JPEG].data = (uint8_t *)strdup("GIF89a not a jpeg at all");
    photos[NOT_JPEG].len = strlen((char *)photos[NOT_JPEG].data);
    sj_face_image_release(&v);
    sj_face_image_release(&c);
    sj_face_image_release(&h);
}

static int setup(void **state)
{
    (void)state;
    struct sj_err err;
    if (sj_face_model_open(NULL, &model, &err) < 0) {
        fprintf(stderr, "%s (run scripts/bootstrap)\n", err.message);
        return -1;
    }
    make_photos();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < PHOTO_COUNT; i++)
        free(photos[i].data);
    sj_face_model_close(model);
    return 0;
}

static void remove_tree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_key_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/sj-face-key-XXXXXX", path[4200];
    uint8_t k1[SJ_FACE_KEY_LEN], k2[SJ_FACE_KEY_LEN];
    struct sj_err err;
    struct stat st;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(sj_face_key_load(dir, k1, &err), 0);
    snprintf(path, sizeof path, "%s/keys", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/%s", dir, SJ_FACE_KEY_FILE);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, SJ_FACE_KEY_LEN);
    assert_int_equal(sj_face_key_load(dir, k2, &err), 0);
    assert_memory_equal(k1, k2, SJ_FACE_KEY_LEN);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(sj_face_key_load(dir, k2, &err), SJ_EPERM);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(truncate(path, SJ_FACE_KEY_LEN - 1), 0);
    assert_int_equal(sj_face_key_load(dir, k2, &err), SJ_EFORMAT);
    remove_tree(dir);
}

static void test_template_sealing(void **state)
{
    (void)state;
    uint8_t key[SJ_FACE_KEY_LEN], other[SJ_FACE_KEY_LEN];
    float desc[SJ_FACE_DESCRIPTOR_LEN], back[SJ_FACE_DESCRIPTOR_LEN];
    struct sj_face_template_rec rec, copy;
    struct sj_err err;
    randombytes_buf(key, sizeof key);
    randombytes_buf(other, sizeof other);
    for (int i = 0; i < SJ_FACE_DESCRIPTOR_LEN; i++)
        desc[i] = (float)sin(i * 0.37) * 0.2f;
    sj_face_template_seal(key, 7, desc, &rec);
    assert_int_equal(rec.subject_id, 7);
    /* No run of the plaintext is visible in the sealed bytes. */
    for (size_t at = 0; at + 16 <= SJ_FACE_SEALED_LEN; at++)
        assert_true(memcmp(rec.sealed + at, desc, 16) != 0);
    assert_int_equal(sj_face_template_open(key, &rec, back, &err), 0);
    assert_memory_equal(desc, back, sizeof desc);
    assert_int_equal(sj_face_template_open(other, &rec, back, &err), SJ_EFORMAT);
    copy = rec;
    copy.subject_id = 8; /* a sealed template copied to another subject's row */
    assert_int_equal(sj_face_template_open(key, &copy, back, &err), SJ_EFORMAT);
    copy = rec;
    copy.sealed[40] ^= 1;
    assert_int_equal(sj_face_template_open(key, &copy, back, &err), SJ_EFORMAT);
    copy = rec;
    copy.nonce[0] ^= 1;
    assert_int_equal(sj_face_template_open(key, &copy, back, &err), SJ_EFORMAT);
}

/* Photo -> what the probe must say about it. */
static void test_photo_usability(void **state)
{
    (void)state;
    static const struct {
        enum photo photo;
        enum sj_face_problem problem;
        size_t faces;
        const char *reason;
    } cases[] = {
        {COLLINS, SJ_FACE_USABLE, 1, NULL},
        {COLLINS_CROP, SJ_FACE_USABLE, 1, NULL},
        {HOPPER, SJ_FACE_USABLE, 1, NULL},
        {PAIR, SJ_FACE_MANY_FACES, 2, "检测到多张人脸"},
        {GRADIENT, SJ_FACE_NO_FACE, 0, "未检测到人脸"},
        {COLLINS_BLUR, SJ_FACE_BLURRY, 1, "照片模糊"},
        {COLLINS_SMALL, SJ_FACE_TOO_SMALL, 1, NULL},
        {NOT_JPEG, SJ_FACE_BAD_PHOTO, 0, NULL},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        struct sj_face_probe p;
        struct sj_err err;
        assert_int_equal(sj_face_probe_jpeg(model, photos[cases[i].photo].data,
                                            photos[cases[i].photo].len, &p, &err),
                         0);
        print_message("# photo %d: %s, %zu face(s), side %d, sharpness %.1f\n", cases[i].photo,
                      sj_face_problem_name(p.problem), p.face_count, p.face_side, p.sharpness);
        assert_int_equal(p.problem, cases[i].problem);
        assert_int_equal(p.face_count, cases[i].faces);
        if (cases[i].reason)
            assert_string_equal(sj_face_problem_reason(p.problem), cases[i].reason);
        if (p.problem == SJ_FACE_USABLE)
            assert_true(p.face_side >= SJ_FACE_MIN_SIDE && p.sharpness >= SJ_FACE_MIN_SHARPNESS);
    }
}

/* A fresh workspace in a temporary directory. */
static struct sj_store *open_workspace(char *dir)
{
    struct sj_store *store = NULL;
    struct sj_err err;
    assert_non_null(mkdtemp(dir));
    if (sj_store_open(dir, true, &store, &err) < 0)
        fail_msg("%s", err.message);
    return store;
}

static int count_checks(const char *dir)
{
    char path[4200];
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, SJ_WORKSPACE_DB);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM face_checks", -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    int n = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
}

/* The face_checks row of a verdict says what the verdict says. */
static void assert_recorded(const char *dir, const struct sj_face_verdict *v)
{
    char path[4200];
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, SJ_WORKSPACE_DB);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT decision, problem, distance, threshold, model, "
                                        "photo_sha256 FROM face_checks WHERE id = ?",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(stmt, 1, v->check_id);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal(sqlite3_column_text(stmt, 0), sj_face_decision_name(v->decision));
    assert_string_equal(sqlite3_column_text(stmt, 1), sj_face_problem_name(v->problem));
    if (v->distance < 0)
        assert_int_equal(sqlite3_column_type(stmt, 2), SQLITE_NULL);
    else
        assert_true(fabs(sqlite3_column_double(stmt, 2) - v->distance) < 1e-6);
    assert_true(fabs(sqlite3_column_double(stmt, 3) - SJ_FACE_THRESHOLD) < 1e-6);
    assert_string_equal(sqlite3_column_text(stmt, 4), SJ_FACE_MODEL_VERSION);
    assert_string_equal(sqlite3_column_text(stmt, 5), v->photo_sha256);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

static void verify_photo(struct sj_store *store, int64_t subject, enum photo photo, bool keep,
                         struct sj_face_verdict *v)
{
    struct sj_err err;
    struct sj_face_verify_opts opts = {.keep_photo = keep, .now_ms = 1795000000000};
    if (sj_face_verify(model, store, subject, photos[photo].data, photos[photo].len, &opts, v,
                       &err) < 0)
        fail_msg("verify: %s", err.message);
    print_message("# verify photo %d: %s %s distance %.4f\n", photo,
                  sj_face_decision_name(v->decision), v->reason, v->distance);
}

static void test_enrol_and_verify(void **state)
{
    (void)state;
    char dir[] = "/tmp/sj-face-ws-XXXXXX", path[4200];
    struct sj_store *store = open_workspace(dir);
    struct sj_face_probe p;
    struct sj_face_verdict v;
    struct sj_err err;
    bool is_replaced = true;
    /* An unusable photo stores nothing. */
    assert_int_equal(sj_face_enrol(model, store, 1, photos[PAIR].data, photos[PAIR].len, 1, &p,
                                   &is_replaced, &err),
                     0);
    assert_int_equal(p.problem, SJ_FACE_MANY_FACES);
    assert_int_equal(
        sj_face_verify(model, store, 1, photos[COLLINS].data, photos[COLLINS].len, NULL, &v, &err),
        SJ_ENOTFOUND);
    assert_int_equal(count_checks(dir), 0);
    assert_int_equal(sj_face_enrol(model, store, 1, photos[COLLINS].data, photos[COLLINS].len, 1,
                                   &p, &is_replaced, &err),
                     0);
    assert_int_equal(p.problem, SJ_FACE_USABLE);
    assert_false(is_replaced);
    assert_int_equal(sj_face_enrol(model, store, 1, photos[COLLINS].data, photos[COLLINS].len, 2,
                                   &p, &is_replaced, &err),
                     0);
    assert_true(is_replaced);
    struct sj_face_template_rec rec;
    assert_int_equal(sj_store_face_template_get(store, 1, &rec, &err), 0);
    assert_string_equal(rec.model, SJ_FACE_MODEL_VERSION);
    assert_int_equal(rec.enrolled_ms, 2);

    verify_photo(store, 1, COLLINS_CROP, false, &v);
    assert_int_equal(v.decision, SJ_FACE_MATCH);
    assert_true(v.distance >= 0 && v.distance < SJ_FACE_THRESHOLD);
    assert_string_equal(v.reason, "人脸比对一致");
    assert_recorded(dir, &v);
    verify_photo(store, 1, HOPPER, false, &v);
    assert_int_equal(v.decision, SJ_FACE_MISMATCH);
    assert_true(v.distance >= SJ_FACE_THRESHOLD);
    assert_recorded(dir, &v);
    verify_photo(store, 1, COLLINS_BLUR, false, &v);
    assert_int_equal(v.decision, SJ_FACE_REJECTED);
    assert_string_equal(v.reason, "照片模糊");
    assert_recorded(dir, &v);
    assert_int_equal(count_checks(dir), 3);
    /* Not kept unless asked: nothing under face-photos. */
    snprintf(path, sizeof path, "%s/face-photos", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_string_equal(v.kept_photo, "");
    /* Forgetting deletes the template, once. */
    assert_int_equal(sj_store_face_template_delete(store, 1, &err), 0);
    assert_int_equal(sj_store_face_template_delete(store, 1, &err), SJ_ENOTFOUND);
    sj_store_close(store);
    remove_tree(dir);
}

static void test_keep_photo(void **state)
{
    (void)state;
    char dir[] = "/tmp/sj-face-keep-XXXXXX", path[4200];
    struct sj_store *store = open_workspace(dir);
    struct sj_face_probe p;
    struct sj_face_verdict v;
    struct sj_err err;
    struct stat st;
    uint8_t key[SJ_FACE_KEY_LEN];
    assert_int_equal(
        sj_face_enrol(model, store, 5, photos[HOPPER].data, photos[HOPPER].len, 1, &p, NULL, &err),
        0);
    verify_photo(store, 5, HOPPER, true, &v);
    assert_int_equal(v.decision, SJ_FACE_MATCH);
    assert_true(strncmp(v.kept_photo, "face-photos/5/", 14) == 0);
    snprintf(path, sizeof path, "%s/%s", dir, v.kept_photo);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    size_t n = (size_t)st.st_size;
    assert_int_equal(n,
                     crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + photos[HOPPER].len);
    uint8_t *box = malloc(n), *plain = malloc(photos[HOPPER].len);
    FILE *f = fopen(path, "rb");
    assert_int_equal(fread(box, 1, n, f), n);
    fclose(f);
    assert_int_equal(sj_face_key_load(dir, key, &err), 0);
    assert_int_equal(crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES,
                                                n - crypto_secretbox_NONCEBYTES, box, key),
                     0);
    assert_memory_equal(plain, photos[HOPPER].data, photos[HOPPER].len);
    free(box);
    free(plain);
    sj_store_close(store);
    remove_tree(dir);
}

/* Check-ins judged by the bail domain with this verifier plugged in. */
static void judge(const struct sj_bail_face_verifier *face, int64_t subject, enum photo photo,
                  struct sj_bail_verdict *v)
{
    struct sj_bail_judge_input in = {
        .subject_id = subject,
        .fix = {.pos = {.lat = 39.9, .lon = 116.4}, .accuracy_m = 10, .fix_ms = 1795000000000},
        .received_ms = 1795000001000,
        .face = face,
        .photo = {(const char *)photos[photo].data, photos[photo].len},
    };
    assert_int_equal(sj_bail_judge_checkin(&in, v), 0);
    print_message("# check-in with photo %d: face %s, score %.3f, %s\n", photo,
                  sj_bail_face_name(v->face), v->face_score, v->reason);
}

static bool has_alert(const struct sj_bail_verdict *v, enum sj_bail_alert_kind kind)
{
    for (size_t i = 0; i < v->alert_count; i++)
        if (v->alerts[i].kind == kind)
            return true;
    return false;
}

static void test_bail_adapter(void **state)
{
    (void)state;
    char dir[] = "/tmp/sj-face-bail-XXXXXX";
    struct sj_store *store = open_workspace(dir);
    struct sj_face_probe p;
    struct sj_err err;
    struct sj_bail_verdict v;
    struct sj_face_bail adapter = {.model = model, .store = store};
    struct sj_bail_face_verifier verifier;
    sj_face_bail_verifier(&adapter, &verifier);
    assert_int_equal(sj_face_enrol(model, store, 3, photos[COLLINS].data, photos[COLLINS].len, 1,
                                   &p, NULL, &err),
                     0);
    judge(&verifier, 3, COLLINS_CROP, &v);
    assert_int_equal(v.face, SJ_BAIL_FACE_MATCH);
    assert_true(v.face_score > 0.5 && v.face_score <= 1.0);
    assert_false(has_alert(&v, SJ_BAIL_ALERT_FACE_MISMATCH));
    assert_int_equal(adapter.last.decision, SJ_FACE_MATCH);
    judge(&verifier, 3, HOPPER, &v);
    assert_int_equal(v.face, SJ_BAIL_FACE_MISMATCH);
    assert_true(v.face_score >= 0 && v.face_score <= 0.5);
    assert_true(v.flags & SJ_BAIL_FLAG_FACE_MISMATCH);
    assert_int_equal(v.status, SJ_BAIL_REJECTED);
    assert_true(has_alert(&v, SJ_BAIL_ALERT_FACE_MISMATCH));
    judge(&verifier, 3, GRADIENT, &v);
    assert_int_equal(v.face, SJ_BAIL_FACE_NO_FACE);
    assert_true(v.face_score < 0);
    assert_string_equal(adapter.last.reason, "未检测到人脸");
    judge(&verifier, 4, COLLINS, &v); /* subject 4 never enrolled: cannot be judged */
    assert_int_equal(v.face, SJ_BAIL_FACE_UNVERIFIED);
    assert_int_equal(count_checks(dir), 3);
    sj_store_close(store);
    remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_file),        cmocka_unit_test(test_template_sealing),
        cmocka_unit_test(test_photo_usability), cmocka_unit_test(test_enrol_and_verify),
        cmocka_unit_test(test_keep_photo),      cmocka_unit_test(test_bail_adapter),
    };
    return cmocka_run_group_tests_name("face_verify", tests, setup, teardown);
}
