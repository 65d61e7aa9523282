/*
 * face.h - face verification on the office's own server: JPEG decoding with EXIF orientation,
 * the published face-api weights (TF.js manifests with uint8-quantised shards) and the networks
 * that use them, re-implemented in C: face detection (SSD MobileNet v1), 68-point landmarks,
 * alignment, and the 128-dimensional face descriptor (ResNet-34-like, 150x150 input).
 *
 * Invariants: every image is 8-bit RGB, row-major, top row first, already turned upright by its
 * EXIF orientation; the networks reproduce face-api 1.7.15 on TF.js (tests/face/ref.mjs checks
 * it); nothing is fetched at run time - the weights are read from a local directory.
 */
#ifndef SHUJIAN_FACE_H
#define SHUJIAN_FACE_H

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

#endif
