/*
 * face.h - face verification on the office's own server: JPEG decoding with EXIF orientation,
 * the published face-api weights (TF.js manifests with uint8-quantised shards) and the networks
 * that use them, re-implemented in C: face detection (SSD MobileNet v1), 68-point landmarks,
 * alignment, and the 128-dimensional face descriptor (ResNet-34-like, 150x150 input); then
 * what verification needs on top: whether a photo is usable, templates sealed at rest under a
 * key file outside the database, 1:1 verification recorded per check-in, and the adapter for
 * the bail domain's verifier interface (docs/FACE.md).
 *
 * Invariants: every image is 8-bit RGB, row-major, top row first, already turned upright by its
 * EXIF orientation; the networks reproduce face-api 1.7.15 on TF.js (tests/face/ref.mjs checks
 * it); nothing is fetched at run time - the weights are read from a local directory.
 */
#ifndef SHUJIAN_FACE_H
#define SHUJIAN_FACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"

#define SJ_FACE_DESCRIPTOR_LEN 128
#define SJ_FACE_THRESHOLD 0.6f /* Euclidean distance: below it, the same person */
#define SJ_FACE_MODEL_VERSION "face-api-1.7.15/face_recognition_model"
#define SJ_FACE_LANDMARKS 68

/* ---- Weights ----------------------------------------------------------------------------- */

/* The named float tensors of one model, dequantised. Opaque; sj_face_weights_free frees it. */
struct sj_face_weights;

/* Parses a TF.js weights manifest (JSON, borrowed) and the concatenation of its shards (bin,
 * borrowed) into *out (owned by the caller). uint8/uint16 weights become q * scale + min in
 * float32; float32 and int32 weights are read as they are. Errors: SJ_EFORMAT for a manifest
 * that is not JSON or not a manifest, a dtype we do not know, or shards shorter than the
 * manifest says (err says which tensor). */
int sj_face_weights_parse(const char *json, size_t json_len, const uint8_t *bin, size_t bin_len,
                          struct sj_face_weights **out, struct sj_err *err);

/* Reads DIR/NAME-weights_manifest.json and the shards it names from DIR, then parses them as
 * sj_face_weights_parse. Shard paths must be plain file names (no '/' or ".."). */
int sj_face_weights_load(const char *dir, const char *name, struct sj_face_weights **out,
                         struct sj_err *err);

/* The values of tensor `name` (borrowed from w), or NULL when w has no such tensor or its
 * shape differs from shape[0..rank) (rank 0 skips the check). *count, if not NULL, gets the
 * number of values. */
const float *sj_face_weights_get(const struct sj_face_weights *w, const char *name,
                                 const int *shape, int rank, size_t *count);

/* Number of tensors in w. */
size_t sj_face_weights_count(const struct sj_face_weights *w);

void sj_face_weights_free(struct sj_face_weights *w);

/* ---- Images ------------------------------------------------------------------------------ */

/* An 8-bit RGB image; rgb has width * height * 3 bytes, owned by whoever holds the struct. */
struct sj_face_image {
    int width;
    int height;
    uint8_t *rgb;
};

/* The EXIF orientation (1..8) of a JPEG, or 1 when it has none or it cannot be read. Never
 * reads outside data[0..len). */
int sj_face_exif_orientation(const uint8_t *data, size_t len);

/* Decodes a JPEG (borrowed) into *img (pixels owned by the caller, free with
 * sj_face_image_release) and turns it upright by its EXIF orientation. Images above
 * 8192x8192 pixels are refused with SJ_ETOOBIG; what is not a JPEG is SJ_EFORMAT. */
int sj_face_image_decode_jpeg(const uint8_t *data, size_t len, struct sj_face_image *img,
                              struct sj_err *err);

/* Reads a JPEG file (at most 32 MiB) and decodes it as sj_face_image_decode_jpeg. */
int sj_face_image_read_file(const char *path, struct sj_face_image *img, struct sj_err *err);

/* Applies EXIF orientation 1..8 to img in place (others leave it as it is). */
void sj_face_image_orient(struct sj_face_image *img, int orientation);

/* Copies the rectangle (x, y, w, h) of src, clipped to src, into *dst (owned by the caller).
 * SJ_EINVAL when the clipped rectangle is empty. */
int sj_face_image_crop(const struct sj_face_image *src, int x, int y, int w, int h,
                       struct sj_face_image *dst);

/* Bilinear resize with TF.js's resizeBilinear(alignCorners=false, halfPixelCenters=false)
 * sampling, into float RGB (out has out_w * out_h * 3 floats, caller-allocated). */
void sj_face_resize_bilinear(const float *src, int src_w, int src_h, float *out, int out_w,
                             int out_h);

/* Writes img as a binary PPM (P6) file; used to hand the very same pixels to the reference. */
int sj_face_image_write_ppm(const struct sj_face_image *img, const char *path, struct sj_err *err);

void sj_face_image_release(struct sj_face_image *img);

/* ---- Networks ---------------------------------------------------------------------------- */

/* The loaded networks. Opaque; sj_face_model_close frees it. */
struct sj_face_model;

/* The directory the weights are read from: $SHUJIAN_FACE_MODELS when set, else the one
 * configured at build time (meson option face_model_dir, installed with the binary), else the
 * npm package under the source tree. Static or environment storage. */
const char *sj_face_model_dir(void);

/* Loads the networks from dir (NULL: sj_face_model_dir()). *out is owned by the caller. */
int sj_face_model_open(const char *dir, struct sj_face_model **out, struct sj_err *err);
void sj_face_model_close(struct sj_face_model *model);

/* The 128-D descriptor of a face image (usually the aligned crop): the image is padded to a
 * square (centred), resized to 150x150 and run through face_recognition_model. */
int sj_face_descriptor(const struct sj_face_model *model, const struct sj_face_image *face,
                       float out[SJ_FACE_DESCRIPTOR_LEN], struct sj_err *err);

/* Euclidean distance between two descriptors. */
float sj_face_distance(const float a[SJ_FACE_DESCRIPTOR_LEN],
                       const float b[SJ_FACE_DESCRIPTOR_LEN]);

/* ---- Detection, landmarks, alignment ----------------------------------------------------- */

#define SJ_FACE_DETECT_SIZE 512 /* the detector's input: the image padded to a square, resized */
#define SJ_FACE_MIN_SCORE 0.5f  /* face-api's default minConfidence */

/* A rectangle in image pixels (top-left corner, size); JavaScript's doubles in face-api. */
struct sj_face_rect {
    double x, y, width, height;
};

/* One face as face-api describes it. */
struct sj_face_found {
    double score;            /* the detector's confidence, 0..1 */
    struct sj_face_rect box; /* the detector's box; may reach past the right or bottom edge */
    /* Set by sj_face_landmarks: */
    double landmarks[SJ_FACE_LANDMARKS][2]; /* (x, y), dlib's 68-point order */
    struct sj_face_rect aligned; /* face-api's alignedRect: landmarks' bounding box + 20 % */
    /* The region the descriptor is computed on (face-api's dlib alignment: side =
     * eyes-to-mouth distance / 0.45), clipped to the image. */
    int crop_x, crop_y, crop_w, crop_h;
};

/* Runs SSD MobileNet v1 on img (borrowed): the faces scoring above min_score that survive
 * non-maximum suppression (IoU 0.5), best first, into faces[0..max) (caller's array; max is
 * capped at 64); *count gets how many. Only score and box are set. SJ_EINVAL for an empty
 * image. */
int sj_face_detect(const struct sj_face_model *model, const struct sj_face_image *img,
                   float min_score, struct sj_face_found *faces, size_t max, size_t *count,
                   struct sj_err *err);

/* Runs face_landmark_68 on face->box of img and sets face->landmarks, ->aligned and ->crop_*.
 * SJ_EINVAL when the box or the aligned region lies outside the image. */
int sj_face_landmarks(const struct sj_face_model *model, const struct sj_face_image *img,
                      struct sj_face_found *face, struct sj_err *err);

/* Copies the aligned region (face->crop_*) of img into *out (owned by the caller): the image
 * sj_face_descriptor is meant to see. SJ_EINVAL when it is empty. */
int sj_face_align(const struct sj_face_image *img, const struct sj_face_found *face,
                  struct sj_face_image *out);

/* ---- Is a photo usable? (src/face/probe.c) ----------------------------------------------- */

#define SJ_FACE_MIN_SIDE 80       /* pixels: the aligned face region's shorter side */
#define SJ_FACE_MIN_SHARPNESS 8.0 /* sj_face_sharpness (docs/FACE.md) */

/* Why a photo cannot be used for verification. */
enum sj_face_problem {
    SJ_FACE_USABLE = 0,     /* "usable": exactly one face, big and sharp enough */
    SJ_FACE_NO_FACE = 1,    /* "no-face" 未检测到人脸 */
    SJ_FACE_MANY_FACES = 2, /* "many-faces" 检测到多张人脸 */
    SJ_FACE_TOO_SMALL = 3,  /* "too-small" 人脸过小 */
    SJ_FACE_BLURRY = 4,     /* "blurry" 照片模糊 */
    SJ_FACE_BAD_PHOTO = 5,  /* "bad-photo": not a readable JPEG, or too large */
};

/* "usable", "no-face", ... and the Chinese reason shown to the officer and the phone
 * (未检测到人脸, 检测到多张人脸, 照片模糊, ...). Static storage. */
const char *sj_face_problem_name(enum sj_face_problem problem);
const char *sj_face_problem_reason(enum sj_face_problem problem);

/* What one photo holds. */
struct sj_face_probe {
    enum sj_face_problem problem;
    size_t face_count;         /* faces detected (score > SJ_FACE_MIN_SCORE) */
    struct sj_face_found face; /* the face, when face_count is 1 */
    int face_side;             /* shorter side of its aligned region, pixels (0: none) */
    double sharpness;          /* variance of the Laplacian there (-1: not measured) */
    float descriptor[SJ_FACE_DESCRIPTOR_LEN]; /* set when problem is SJ_FACE_USABLE */
};

/* Detects the faces of img and, when there is exactly one, measures it and computes its
 * descriptor. A photo that cannot be used is not an error: out->problem says why. Errors
 * (SJ_EINVAL for an empty image) are for what cannot be judged at all. */
int sj_face_probe(const struct sj_face_model *model, const struct sj_face_image *img,
                  struct sj_face_probe *out, struct sj_err *err);
/* The same from JPEG bytes (borrowed): what is not a readable JPEG (or is over 8192 pixels
 * on a side) is SJ_FACE_BAD_PHOTO. The decoded pixels are wiped before they are freed. */
int sj_face_probe_jpeg(const struct sj_face_model *model, const uint8_t *data, size_t len,
                       struct sj_face_probe *out, struct sj_err *err);

/* Sharpness of a face crop: the variance of the 4-neighbour Laplacian of the crop stretched
 * to 150x150 grey, divided by the variance of that grey image, x 1000 (so a darker photo of a
 * sharp face scores the same). The measure SJ_FACE_MIN_SHARPNESS applies to. */
double sj_face_sharpness(const struct sj_face_image *face);

/* Overwrites img's pixels with zeros, then releases it (for photos of people). */
void sj_face_image_wipe(struct sj_face_image *img);

/* ---- Templates at rest (src/face/template.c; SQL in src/store/face_store.c) -------------- */

struct sj_store;

#define SJ_FACE_KEY_LEN 32   /* crypto_secretbox_KEYBYTES */
#define SJ_FACE_NONCE_LEN 24 /* crypto_secretbox_NONCEBYTES */
/* A sealed template: MAC (16) + subject id (8, little-endian) + 128 float32 (little-endian). */
#define SJ_FACE_SEALED_LEN (16 + 8 + 4 * SJ_FACE_DESCRIPTOR_LEN)
#define SJ_FACE_KEY_FILE "keys/face.key" /* under the workspace directory, mode 0600 */

/* Reads the face key of the workspace in dir (DIR/keys/face.key: 32 raw bytes), creating
 * DIR/keys (0700) and the file (0600, from the CSPRNG) on first use. Refuses a key file that
 * others may read or that is not exactly 32 bytes (SJ_EPERM / SJ_EFORMAT), SJ_EIO when it
 * cannot be read or made. The key never enters the database. */
int sj_face_key_load(const char *dir, uint8_t key[SJ_FACE_KEY_LEN], struct sj_err *err);

/* A template as the store keeps it: nothing in it is readable without the key. */
struct sj_face_template_rec {
    int64_t subject_id;
    char model[64]; /* SJ_FACE_MODEL_VERSION when enrolled */
    uint8_t nonce[SJ_FACE_NONCE_LEN];
    uint8_t sealed[SJ_FACE_SEALED_LEN];
    int face_side;
    double sharpness;
    int64_t enrolled_ms;
};

/* Seals desc for subject_id with crypto_secretbox under key (fresh random nonce) into rec
 * (subject_id and the sealed fields; the caller sets the rest). */
void sj_face_template_seal(const uint8_t key[SJ_FACE_KEY_LEN], int64_t subject_id,
                           const float desc[SJ_FACE_DESCRIPTOR_LEN],
                           struct sj_face_template_rec *rec);
/* Opens rec into desc. SJ_EFORMAT when the MAC fails (another key, tampering) or the sealed
 * subject id is not rec->subject_id (a template copied to another subject's row). */
int sj_face_template_open(const uint8_t key[SJ_FACE_KEY_LEN],
                          const struct sj_face_template_rec *rec,
                          float desc[SJ_FACE_DESCRIPTOR_LEN], struct sj_err *err);

/* Store side (SQL only; no crypto). put replaces the subject's template (*is_replaced says
 * whether there was one); get is SJ_ENOTFOUND without one; delete is SJ_ENOTFOUND too. */
int sj_store_face_template_put(struct sj_store *store, const struct sj_face_template_rec *rec,
                               bool *is_replaced, struct sj_err *err);
int sj_store_face_template_get(struct sj_store *store, int64_t subject_id,
                               struct sj_face_template_rec *rec, struct sj_err *err);
int sj_store_face_template_delete(struct sj_store *store, int64_t subject_id, struct sj_err *err);

/* One verification as recorded in face_checks (strings borrowed). */
struct sj_face_check_rec {
    int64_t subject_id;
    int64_t checked_ms;
    const char *photo_sha256; /* lowercase hex of the photo's bytes: joins bail_checkins */
    const char *decision;     /* "match", "mismatch", "rejected" */
    const char *problem;      /* sj_face_problem_name */
    double distance;          /* < 0: none (stored NULL) */
    double threshold;
    const char *model;
    int face_count, face_side;
    double sharpness;
    double ms;
    const char *kept_photo; /* path under the workspace, or NULL when discarded */
};

int sj_store_face_check_add(struct sj_store *store, const struct sj_face_check_rec *rec,
                            int64_t *id, struct sj_err *err);

/* Enrols the face in a photo (JPEG bytes, borrowed) as subject_id's template, replacing any
 * earlier one: the photo must pass sj_face_probe (else *probe says why and nothing is stored;
 * the return is 0). The photo itself is not kept. *probe is the caller's; its descriptor is
 * wiped before returning. Errors: key (sj_face_key_load), SJ_EDB. */
int sj_face_enrol(const struct sj_face_model *model, struct sj_store *store, int64_t subject_id,
                  const uint8_t *photo, size_t len, int64_t now_ms, struct sj_face_probe *probe,
                  bool *is_replaced, struct sj_err *err);

/* ---- Verification (src/face/verify.c) ---------------------------------------------------- */

enum sj_face_decision {
    SJ_FACE_MATCH = 0,    /* "match": the enrolled person */
    SJ_FACE_MISMATCH = 1, /* "mismatch": someone else (代签) */
    SJ_FACE_REJECTED = 2, /* "rejected": the photo cannot be used (see problem) */
};

const char *sj_face_decision_name(enum sj_face_decision decision);

struct sj_face_verify_opts {
    float threshold; /* 0: SJ_FACE_THRESHOLD */
    bool keep_photo; /* the office keeps check-in photos: sealed under the face key in
                      * <workspace>/face-photos/<subject>/; otherwise never written */
    int64_t now_ms;  /* 0: the clock */
};

struct sj_face_verdict {
    enum sj_face_decision decision;
    enum sj_face_problem problem;
    const char *reason; /* Chinese, static: 人脸比对一致 / 人脸比对不一致 / the problem's */
    float distance; /* -1 when rejected */
    float threshold;
    const char *model; /* SJ_FACE_MODEL_VERSION */
    size_t face_count;
    int face_side;
    double sharpness;
    double ms;        /* decode + detect + landmarks + descriptor + compare */
    int64_t check_id; /* the face_checks row */
    char photo_sha256[65];
    char kept_photo[160]; /* relative to the workspace; "" when discarded */
};

/* Verifies a check-in photo (JPEG bytes, borrowed) against subject_id's enrolled template:
 * exactly one face, big and sharp enough (else REJECTED with the problem), then MATCH when the
 * distance is below the threshold, else MISMATCH. Every verdict is recorded in face_checks
 * with distance, decision, threshold and model version. The photo is kept (sealed) only when
 * opts->keep_photo; decoded pixels and the photo's descriptor are wiped either way. model may
 * be shared by threads; store is used from this one. Errors (nothing recorded): SJ_ENOTFOUND
 * (no template for the subject), SJ_EFORMAT (template sealed under another key, tampered, or
 * made by another model version), key errors, SJ_EIO, SJ_EDB. opts NULL: defaults. */
int sj_face_verify(const struct sj_face_model *model, struct sj_store *store, int64_t subject_id,
                   const uint8_t *photo, size_t len, const struct sj_face_verify_opts *opts,
                   struct sj_face_verdict *out, struct sj_err *err);

/* ---- The bail domain's verifier (src/face/bail_face.c) ----------------------------------- */

struct sj_bail_face_verifier;

/* What the adapter needs; it lives as long as the verifier made from it. */
struct sj_face_bail {
    const struct sj_face_model *model; /* borrowed */
    struct sj_store *store;            /* borrowed; the store the check-in goes to */
    struct sj_face_verify_opts opts;
    struct sj_face_verdict last; /* the last verdict (for callers that show more) */
};

/* Fills *v (shujian/bail.h's verifier) so that check-ins run sj_face_verify with a's model,
 * store and options: MATCH -> match, MISMATCH -> mismatch (raises the face alert), REJECTED ->
 * no-face; score = clamp(1 - distance / (2 * threshold), 0, 1), so 0.5 is the threshold and -1
 * when rejected. An error (no template, bad key) makes the check-in "unverified". */
void sj_face_bail_verifier(struct sj_face_bail *a, struct sj_bail_face_verifier *v);

#endif
