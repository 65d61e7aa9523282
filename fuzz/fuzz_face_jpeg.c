/*
 * fuzz_face_jpeg.c - fuzz target for the photo and weights readers of src/face: any bytes as a
 * JPEG (EXIF orientation + libjpeg-turbo decoding + orienting) and as a TF.js weights manifest
 * (the same bytes serve as the shard). Checks: a decoded image has sane dimensions and pixels;
 * the orientation is always 1..8; a refused input leaves no image behind.
 */
#include <stdint.h>
#include <stdlib.h>

#include "shujian/face.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int o = sj_face_exif_orientation(data, size);
    if (o < 1 || o > 8)
        abort();
    struct sj_face_image img;
    struct sj_err err;
    if (sj_face_image_decode_jpeg(data, size, &img, &err) == 0) {
        if (img.width <= 0 || img.height <= 0 || img.width > 8192 || img.height > 8192 || !img.rgb)
            abort();
        volatile uint8_t last = img.rgb[(size_t)img.width * img.height * 3 - 1];
        (void)last;
        sj_face_image_release(&img);
    } else if (img.rgb) {
        abort();
    }
    struct sj_face_weights *w = NULL;
    if (sj_face_weights_parse((const char *)data, size, data, size, &w, &err) == 0) {
        if (!w)
            abort();
        sj_face_weights_free(w);
    } else if (w) {
        abort();
    }
    return 0;
}
