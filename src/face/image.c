/*
 * image.c - pictures in: JPEG decoding with libjpeg-turbo, the EXIF orientation tag read from
 * the APP1 segment and applied, crops, TF.js-compatible bilinear resizing, and PPM output for
 * handing the same pixels to the JavaScript reference.
 *
 * Invariants: the EXIF reader checks every offset against the segment before reading it;
 * decoded images are at most 8192x8192 and always 3 bytes per pixel.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "face/face_int.h"
#include "shujian/face.h"

#define MAX_SIDE 8192
#define MAX_FILE_BYTES (32u << 20)

static unsigned get16(const uint8_t *p, int is_le)
{
    return is_le ? (unsigned)(p[0] | p[1] << 8) : (unsigned)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p, int is_le)
{
    return is_le
               ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
               : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Orientation from a TIFF block (the APP1 payload after "Exif\0\0"), or 1. */
static int tiff_orientation(const uint8_t *t, size_t len)
{
    if (len < 8 || !((t[0] == 'I' && t[1] == 'I') || (t[0] == 'M' && t[1] == 'M')))
        return 1;
    int is_le = t[0] == 'I';
    uint32_t ifd = get32(t + 4, is_le);
    if (ifd > len - 2)
        return 1;
    unsigned n = get16(t + ifd, is_le);
    for (unsigned i = 0; i < n; i++) {
        size_t at = ifd + 2 + 12 * (size_t)i;
        if (at + 12 > len)
            return 1;
        if (get16(t + at, is_le) == 0x0112 && get16(t + at + 2, is_le) == 3) {
            unsigned v = get16(t + at + 8, is_le);
            return v >= 1 && v <= 8 ? (int)v : 1;
        }
    }
    return 1;
}

int sj_face_exif_orientation(const uint8_t *data, size_t len)
{
    if (len < 4 || data[0] != 0xFF || data[1] != 0xD8)
        return 1;
    size_t pos = 2;
    while (pos + 4 <= len && data[pos] == 0xFF) {
        unsigned marker = data[pos + 1];
        size_t seg = (size_t)data[pos + 2] << 8 | data[pos + 3];
        if (marker == 0xDA || marker == 0xD9 || seg < 2 || pos + 2 + seg > len)
            return 1;
        const uint8_t *p = data + pos + 4;
        if (marker == 0xE1 && seg >= 8 && memcmp(p, "Exif\0\0", 6) == 0)
            return tiff_orientation(p + 6, seg - 8);
        pos += 2 + seg;
    }
    return 1;
}

/* Source pixel of output pixel (ox, oy) for orientation o of a w x h stored image. */
static void orient_source(int o, int w, int h, int ox, int oy, int *sx, int *sy)
{
    switch (o) {
    case 2:
        *sx = w - 1 - ox;
        *sy = oy;
        break;
    case 3:
        *sx = w - 1 - ox;
        *sy = h - 1 - oy;
        break;
    case 4:
        *sx = ox;
        *sy = h - 1 - oy;
        break;
    case 5:
        *sx = oy;
        *sy = ox;
        break;
    case 6:
        *sx = oy;
        *sy = h - 1 - ox;
        break;
    case 7:
        *sx = w - 1 - oy;
        *sy = h - 1 - ox;
        break;
    case 8:
        *sx = w - 1 - oy;
        *sy = ox;
        break;
    default:
        *sx = ox;
        *sy = oy;
        break;
    }
}

void sj_face_image_orient(struct sj_face_image *img, int orientation)
{
    if (orientation < 2 || orientation > 8 || !img->rgb)
        return;
    int is_swap = orientation >= 5;
    int ow = is_swap ? img->height : img->width, oh = is_swap ? img->width : img->height;
    uint8_t *out = sj_xmalloc((size_t)ow * oh * 3);
    for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
            int sx, sy;
            orient_source(orientation, img->width, img->height, ox, oy, &sx, &sy);
            memcpy(out + ((size_t)oy * ow + ox) * 3, img->rgb + ((size_t)sy * img->width + sx) * 3,
                   3);
        }
    }
    free(img->rgb);
    img->rgb = out;
    img->width = ow;
    img->height = oh;
}

int sj_face_image_decode_jpeg(const uint8_t *data, size_t len, struct sj_face_image *img,
                              struct sj_err *err)
{
    int w = 0, h = 0, subsamp = 0, colorspace = 0, rc = 0;
    memset(img, 0, sizeof *img);
    tjhandle tj = tjInitDecompress();
    if (!tj)
        return sj_err_set(err, SJ_EIO, "cannot start the JPEG decoder");
    if (len < 4 || data[0] != 0xFF || data[1] != 0xD8 ||
        tjDecompressHeader3(tj, data, (unsigned long)len, &w, &h, &subsamp, &colorspace) != 0) {
        rc = sj_err_set(err, SJ_EFORMAT, "照片不是可读的 JPEG 文件");
        goto out;
    }
    if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE) {
        rc = sj_err_set(err, SJ_ETOOBIG, "照片尺寸 %dx%d 超出上限 %d", w, h, MAX_SIDE);
        goto out;
    }
    img->rgb = sj_xmalloc((size_t)w * h * 3);
    if (tjDecompress2(tj, data, (unsigned long)len, img->rgb, w, 0, h, TJPF_RGB,
                      TJFLAG_ACCURATEDCT) != 0 &&
        tjGetErrorCode(tj) == TJERR_FATAL) {
        rc = sj_err_set(err, SJ_EFORMAT, "照片无法解码: %s", tjGetErrorStr2(tj));
        goto out;
    }
    img->width = w;
    img->height = h;
    sj_face_image_orient(img, sj_face_exif_orientation(data, len));
out:
    if (rc < 0)
        sj_face_image_release(img);
    tjDestroy(tj);
    return rc;
}

int sj_face_image_read_file(const char *path, struct sj_face_image *img, struct sj_err *err)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = 0;
    memset(img, 0, sizeof *img);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sj_err_set(err, SJ_EIO, "无法打开照片 %s", path);
    buf = sj_xmalloc(MAX_FILE_BYTES + 1);
    len = fread(buf, 1, MAX_FILE_BYTES + 1, f);
    if (ferror(f)) {
        rc = sj_err_set(err, SJ_EIO, "无法读取照片 %s", path);
        goto out;
    }
    if (len > MAX_FILE_BYTES) {
        rc = sj_err_set(err, SJ_ETOOBIG, "照片 %s 超过 32 MiB", path);
        goto out;
    }
    rc = sj_face_image_decode_jpeg(buf, len, img, err);
    if (rc < 0)
        sj_err_at(err, path, -1, -1, NULL);
out:
    fclose(f);
    free(buf);
    return rc;
}

int sj_face_image_crop(const struct sj_face_image *src, int x, int y, int w, int h,
                       struct sj_face_image *dst)
{
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > src->width ? src->width : x + w;
    int y1 = y + h > src->height ? src->height : y + h;
    memset(dst, 0, sizeof *dst);
    if (x1 <= x0 || y1 <= y0)
        return SJ_EINVAL;
    dst->width = x1 - x0;
    dst->height = y1 - y0;
    dst->rgb = sj_xmalloc((size_t)dst->width * dst->height * 3);
    for (int r = 0; r < dst->height; r++)
        memcpy(dst->rgb + (size_t)r * dst->width * 3,
               src->rgb + ((size_t)(y0 + r) * src->width + x0) * 3, (size_t)dst->width * 3);
    return 0;
}

void sj_face_resize_bilinear(const float *src, int src_w, int src_h, float *out, int out_w,
                             int out_h)
{
    double ry = (double)src_h / out_h, rx = (double)src_w / out_w;
    for (int r = 0; r < out_h; r++) {
        double fy = ry * r;
        int y0 = (int)floor(fy), y1 = (int)ceil(fy);
        if (y1 > src_h - 1)
            y1 = src_h - 1;
        double dy = fy - y0;
        for (int c = 0; c < out_w; c++) {
            double fx = rx * c;
            int x0 = (int)floor(fx), x1 = (int)ceil(fx);
            if (x1 > src_w - 1)
                x1 = src_w - 1;
            double dx = fx - x0;
            for (int k = 0; k < 3; k++) {
                double tl = src[((size_t)y0 * src_w + x0) * 3 + k];
                double tr = src[((size_t)y0 * src_w + x1) * 3 + k];
                double bl = src[((size_t)y1 * src_w + x0) * 3 + k];
                double br = src[((size_t)y1 * src_w + x1) * 3 + k];
                double top = tl + (tr - tl) * dx, bottom = bl + (br - bl) * dx;
                out[((size_t)r * out_w + c) * 3 + k] = (float)(top + (bottom - top) * dy);
            }
        }
    }
}

/* One channel of img placed at (ox, oy) on a zero canvas. */
static double canvas_at(const struct sj_face_image *img, int ox, int oy, int cx, int cy, int k)
{
    int x = cx - ox, y = cy - oy;
    if (x < 0 || y < 0 || x >= img->width || y >= img->height)
        return 0.0;
    return img->rgb[((size_t)y * img->width + x) * 3 + k];
}

void sj_face_resize_padded(const struct sj_face_image *img, int side, int ox, int oy, float *out,
                           int size)
{
    double r = (double)side / size;
    for (int row = 0; row < size; row++) {
        double fy = r * row;
        int y0 = (int)floor(fy), y1 = (int)ceil(fy);
        y1 = y1 > side - 1 ? side - 1 : y1;
        double dy = fy - y0;
        for (int col = 0; col < size; col++) {
            double fx = r * col;
            int x0 = (int)floor(fx), x1 = (int)ceil(fx);
            x1 = x1 > side - 1 ? side - 1 : x1;
            double dx = fx - x0;
            for (int k = 0; k < 3; k++) {
                double tl = canvas_at(img, ox, oy, x0, y0, k),
                       tr = canvas_at(img, ox, oy, x1, y0, k);
                double bl = canvas_at(img, ox, oy, x0, y1, k),
                       br = canvas_at(img, ox, oy, x1, y1, k);
                double top = tl + (tr - tl) * dx, bottom = bl + (br - bl) * dx;
                out[((size_t)row * size + col) * 3 + k] = (float)(top + (bottom - top) * dy);
            }
        }
    }
}

void sj_face_resize_centred(const struct sj_face_image *img, float *out, int size)
{
    int side = img->width > img->height ? img->width : img->height;
    int diff = side - (img->width < img->height ? img->width : img->height);
    /* padToSquare(centred) appends round(diff / 2) and prepends the rest. */
    int before = diff - (int)lround(diff * 0.5);
    int ox = img->width < side ? before : 0, oy = img->height < side ? before : 0;
    sj_face_resize_padded(img, side, ox, oy, out, size);
}

int sj_face_image_write_ppm(const struct sj_face_image *img, const char *path, struct sj_err *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return sj_err_set(err, SJ_EIO, "cannot create %s", path);
    fprintf(f, "P6\n%d %d\n255\n", img->width, img->height);
    size_t n = (size_t)img->width * img->height * 3;
    int is_ok = fwrite(img->rgb, 1, n, f) == n;
    is_ok = (fclose(f) == 0) && is_ok;
    return is_ok ? 0 : sj_err_set(err, SJ_EIO, "cannot write %s", path);
}

void sj_face_image_release(struct sj_face_image *img)
{
    if (!img)
        return;
    free(img->rgb);
    memset(img, 0, sizeof *img);
}
