/*
 * bail_face.c - plugs sj_face_verify into the bail domain's verifier interface
 * (struct sj_bail_face_verifier, shujian/bail.h), so check-ins carry real verification
 * results: match, mismatch (which raises the face-mismatch alert there) or no-face for a photo
 * that cannot be used. Distance, threshold and model version are recorded by sj_face_verify in
 * face_checks, joined to the check-in by the photo's SHA-256; the adapter also keeps the last
 * verdict for callers that want to show it.
 */
#include <string.h>

#include "shujian/bail.h"
#include "shujian/face.h"

static int verify(void *ctx, int64_t subject_id, struct sj_str photo, enum sj_bail_face *result,
                  double *score, struct sj_err *err)
{
    struct sj_face_bail *a = ctx;
    *result = SJ_BAIL_FACE_UNVERIFIED;
    *score = -1.0;
    if (photo.len == 0)
        return sj_err_set(err, SJ_EINVAL, "no photo to verify");
    int rc = sj_face_verify(a->model, a->store, subject_id, (const uint8_t *)photo.ptr, photo.len,
                            &a->opts, &a->last, err);
    if (rc < 0)
        return rc;
    switch (a->last.decision) {
    case SJ_FACE_MATCH:
    case SJ_FACE_MISMATCH: {
        double s = 1.0 - a->last.distance / (2.0 * a->last.threshold);
        *score = s < 0 ? 0 : (s > 1 ? 1 : s);
        *result = a->last.decision == SJ_FACE_MATCH ? SJ_BAIL_FACE_MATCH : SJ_BAIL_FACE_MISMATCH;
        break;
    }
    case SJ_FACE_REJECTED:
        *result = SJ_BAIL_FACE_NO_FACE;
        break;
    }
    return 0;
}

void sj_face_bail_verifier(struct sj_face_bail *a, struct sj_bail_face_verifier *v)
{
    memset(v, 0, sizeof *v);
    v->name = SJ_FACE_MODEL_VERSION;
    v->verify = verify;
    v->ctx = a;
}
