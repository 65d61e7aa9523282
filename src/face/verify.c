/*
 * verify.c - 1:1 verification of a check-in photo against the subject's enrolled template
 * (anti-代签), and the record of each verdict in face_checks: distance, decision, threshold,
 * model version, photo hash. The photo is kept only when the office asked for it, sealed with
 * crypto_secretbox under the face key in <workspace>/face-photos/<subject>/.
 *
 * Invariants: a verdict is recorded before it is returned; nothing is recorded for what could
 * not be judged (no template, wrong key); the check-in's descriptor, the template's plaintext
 * and the key are wiped before returning.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shujian/face.h"
#include "shujian/store.h"

static const char *const decision_names[] = {"match", "mismatch", "rejected"};

const char *sj_face_decision_name(enum sj_face_decision decision)
{
    return (unsigned)decision < SJ_ARRAY_LEN(decision_names) ? decision_names[decision]
                                                             : "rejected";
}

static double clock_ms(int clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Writes nonce + crypto_secretbox(photo) to <dir>/face-photos/<subject>/<ms>-<random>.sealed
 * (directories 0700, file 0600); out gets the path relative to dir. */
static int keep_photo(const char *dir, const uint8_t key[SJ_FACE_KEY_LEN], int64_t subject_id,
                      int64_t now_ms, const uint8_t *photo, size_t len, char *out, size_t cap,
                      struct sj_err *err)
{
    char path[4096], rnd[17];
    uint8_t r[8], nonce[crypto_secretbox_NONCEBYTES];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(rnd, sizeof rnd, r, sizeof r);
    snprintf(path, sizeof path, "%s/face-photos", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/face-photos/%lld", dir, (long long)subject_id);
    mkdir(path, 0700);
    snprintf(out, cap, "face-photos/%lld/%lld-%s.sealed", (long long)subject_id, (long long)now_ms,
             rnd);
    snprintf(path, sizeof path, "%s/%s", dir, out);
    uint8_t *box = sj_xmalloc(len + crypto_secretbox_MACBYTES);
    randombytes_buf(nonce, sizeof nonce);
    crypto_secretbox_easy(box, photo, len, nonce, key);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), rc = 0;
    if (fd < 0) {
        rc = sj_err_set(err, SJ_EIO, "cannot create %s: %s", path, strerror(errno));
    } else {
        size_t n = len + crypto_secretbox_MACBYTES;
        int is_ok = write(fd, nonce, sizeof nonce) == (ssize_t)sizeof nonce &&
                    write(fd, box, n) == (ssize_t)n;
        is_ok = close(fd) == 0 && is_ok;
        if (!is_ok)
            rc = sj_err_set(err, SJ_EIO, "cannot write %s", path), unlink(path);
    }
    free(box);
    if (rc < 0)
        out[0] = '\0';
    return rc;
}

/* The subject's template, opened; SJ_EFORMAT when it was made by another model. */
static int load_template(struct sj_store *store, const uint8_t key[SJ_FACE_KEY_LEN],
                         int64_t subject_id, float desc[SJ_FACE_DESCRIPTOR_LEN], struct sj_err *err)
{
    struct sj_face_template_rec rec;
    int rc = sj_store_face_template_get(store, subject_id, &rec, err);
    if (rc == 0 && strcmp(rec.model, SJ_FACE_MODEL_VERSION) != 0)
        rc = sj_err_set(err, SJ_EFORMAT, "对象 %lld 的人脸模板由另一模型（%s）生成，请重新登记",
                        (long long)subject_id, rec.model);
    if (rc == 0)
        rc = sj_face_template_open(key, &rec, desc, err);
    return rc;
}

/* Fills the verdict from the probe and, for a usable photo, the enrolled descriptor. */
static void decide(const struct sj_face_probe *p, const float enrolled[SJ_FACE_DESCRIPTOR_LEN],
                   struct sj_face_verdict *out)
{
    out->problem = p->problem;
    out->face_count = p->face_count;
    out->face_side = p->face_side;
    out->sharpness = p->sharpness;
    out->distance = -1;
    if (p->problem != SJ_FACE_USABLE) {
        out->decision = SJ_FACE_REJECTED;
        out->reason = sj_face_problem_reason(p->problem);
        return;
    }
    out->distance = sj_face_distance(p->descriptor, enrolled);
    out->decision = out->distance < out->threshold ? SJ_FACE_MATCH : SJ_FACE_MISMATCH;
    out->reason = out->decision == SJ_FACE_MATCH ? "人脸比对一致" : "人脸比对不一致";
}

static int record(struct sj_store *store, int64_t subject_id, int64_t now_ms,
                  struct sj_face_verdict *out, struct sj_err *err)
{
    struct sj_face_check_rec rec = {
        .subject_id = subject_id,
        .checked_ms = now_ms,
        .photo_sha256 = out->photo_sha256,
        .decision = sj_face_decision_name(out->decision),
        .problem = sj_face_problem_name(out->problem),
        .distance = out->distance,
        .threshold = out->threshold,
        .model = out->model,
        .face_count = (int)out->face_count,
        .face_side = out->face_side,
        .sharpness = out->sharpness,
        .ms = out->ms,
        .kept_photo = out->kept_photo,
    };
    return sj_store_face_check_add(store, &rec, &out->check_id, err);
}

int sj_face_verify(const struct sj_face_model *model, struct sj_store *store, int64_t subject_id,
                   const uint8_t *photo, size_t len, const struct sj_face_verify_opts *opts,
                   struct sj_face_verdict *out, struct sj_err *err)
{
    static const struct sj_face_verify_opts defaults = {0};
    uint8_t key[SJ_FACE_KEY_LEN], hash[crypto_hash_sha256_BYTES];
    float enrolled[SJ_FACE_DESCRIPTOR_LEN];
    struct sj_face_probe probe;
    double t0 = clock_ms(CLOCK_MONOTONIC);
    opts = opts ? opts : &defaults;
    memset(out, 0, sizeof *out);
    memset(&probe, 0, sizeof probe);
    out->threshold = opts->threshold > 0 ? opts->threshold : SJ_FACE_THRESHOLD;
    out->model = SJ_FACE_MODEL_VERSION;
    int64_t now_ms = opts->now_ms ? opts->now_ms : (int64_t)clock_ms(CLOCK_REALTIME);
    int rc = sj_face_key_load(sj_store_dir(store), key, err);
    if (rc == 0)
        rc = load_template(store, key, subject_id, enrolled, err);
    if (rc == 0)
        rc = sj_face_probe_jpeg(model, photo, len, &probe, err);
    if (rc < 0)
        goto out;
    decide(&probe, enrolled, out);
    crypto_hash_sha256(hash, photo, len);
    sodium_bin2hex(out->photo_sha256, sizeof out->photo_sha256, hash, sizeof hash);
    if (opts->keep_photo)
        rc = keep_photo(sj_store_dir(store), key, subject_id, now_ms, photo, len, out->kept_photo,
                        sizeof out->kept_photo, err);
    out->ms = clock_ms(CLOCK_MONOTONIC) - t0;
    if (rc == 0)
        rc = record(store, subject_id, now_ms, out, err);
out:
    sodium_memzero(key, sizeof key);
    sodium_memzero(enrolled, sizeof enrolled);
    sodium_memzero(&probe, sizeof probe);
    return rc;
}
