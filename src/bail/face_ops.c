/*
 * face_ops.c - enrolling a subject's face as a bail operation (POST /api/v1/bail/subjects/{id}/
 * face): the template, sealed under the workspace's face key (src/face/template.c), is stored
 * in the same transaction as its ledger entry "bail.face.enrol". The slow part (detecting the
 * face and computing its descriptor, sj_face_probe_jpeg) is the caller's and runs before the
 * transaction. The ledger gets the photo's SHA-256, never the photo or the descriptor.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "bail/bail_int.h"
#include "shujian/face.h"
#include "shujian/store.h"

static void sha256_hex(struct sj_str data, char hex[65])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)data.ptr, data.len);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

/* Seals and stores the template, then records the enrolment. Inside the transaction. */
static int enrol_tx(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                    const struct sj_bail_subject *s, const struct sj_face_probe *probe,
                    const char *photo_hex, bool *is_replaced, struct sj_err *err)
{
    uint8_t key[SJ_FACE_KEY_LEN];
    struct sj_face_template_rec rec;
    memset(&rec, 0, sizeof rec);
    int rc = sj_face_key_load(sj_store_dir(env->store), key, err);
    if (rc < 0)
        goto out;
    sj_face_template_seal(key, s->id, probe->descriptor, &rec);
    snprintf(rec.model, sizeof rec.model, "%s", SJ_FACE_MODEL_VERSION);
    rec.face_side = probe->face_side;
    rec.sharpness = probe->sharpness;
    rec.enrolled_ms = who->now_ms;
    rc = sj_store_face_template_put(env->store, &rec, is_replaced, err);
    if (rc < 0)
        goto out;
    json_t *payload = json_pack("{s:I, s:s, s:s, s:i, s:b}", "subject", (json_int_t)s->id,
                                "photo_sha256", photo_hex, "model", SJ_FACE_MODEL_VERSION,
                                "face_side", probe->face_side, "replaced", *is_replaced);
    rc = sj_bail_record(env, who, "bail.face.enrol", "bail-subject", s->id, payload, NULL, err);
out:
    sodium_memzero(key, sizeof key);
    sodium_memzero(&rec, sizeof rec);
    return rc;
}

int sj_bail_face_enrol(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                       int64_t subject_id, const struct sj_face_probe *probe, struct sj_str photo,
                       bool *is_replaced, struct sj_err *err)
{
    struct sj_bail_subject s;
    char hex[65];
    bool is_own = false;
    *is_replaced = false;
    memset(&s, 0, sizeof s);
    if (!probe || probe->problem != SJ_FACE_USABLE)
        return sj_err_set(err, SJ_EINVAL, "照片中没有可用于登记的人脸");
    sha256_hex(photo, hex);
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_subject_get(env->store, subject_id, &s, err);
    if (rc == 0 && s.status == SJ_BAIL_ENDED)
        rc = sj_err_set(err, SJ_EINVAL, "该被监管人的监管已解除，不能登记人脸");
    if (rc == 0)
        rc = sj_bail_check_actor(env, who, &s, err);
    if (rc == 0)
        rc = enrol_tx(env, who, &s, probe, hex, is_replaced, err);
    sj_bail_subject_release(&s);
    return sj_bail_tx_end(env, is_own, rc, err);
}
