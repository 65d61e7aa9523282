/*
 * weights.c - reads TF.js weight manifests (*-weights_manifest.json) and their binary shards
 * into named float32 tensors, dequantising uint8/uint16 values as q * scale + min exactly as
 * TF.js's io.decodeWeights does (the product is formed in double and rounded to float once).
 *
 * Invariants: every tensor's byte range lies inside the concatenated shards (checked before
 * reading); shard paths are plain file names, so a manifest cannot make us read elsewhere.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/face_int.h"
#include "shujian/face.h"

#define MAX_RANK 4
#define MAX_SHARD_BYTES (64u << 20)

struct tensor {
    char *name;
    int rank;
    int shape[MAX_RANK];
    size_t count;
    float *data;
};

struct sj_face_weights {
    struct tensor *tensors;
    size_t count;
};

static int read_shape(json_t *spec, struct tensor *t, const char *name, struct sj_err *err)
{
    json_t *shape = json_object_get(spec, "shape");
    if (!json_is_array(shape) || json_array_size(shape) > MAX_RANK)
        return sj_err_set(err, SJ_EFORMAT, "weights %s: shape missing or of rank > 4", name);
    t->rank = (int)json_array_size(shape);
    t->count = 1;
    for (int i = 0; i < t->rank; i++) {
        json_t *dim = json_array_get(shape, (size_t)i);
        if (!json_is_integer(dim) || json_integer_value(dim) < 0 ||
            json_integer_value(dim) > (1 << 24))
            return sj_err_set(err, SJ_EFORMAT, "weights %s: bad dimension %d", name, i);
        t->shape[i] = (int)json_integer_value(dim);
        t->count *= (size_t)t->shape[i];
        if (t->count > (MAX_SHARD_BYTES))
            return sj_err_set(err, SJ_EFORMAT, "weights %s: tensor too large", name);
    }
    return 0;
}

/* Decodes one tensor whose bytes start at bin + *offset; advances *offset. */
static int decode_tensor(json_t *spec, const uint8_t *bin, size_t bin_len, size_t *offset,
                         struct tensor *t, struct sj_err *err)
{
    const char *name = json_string_value(json_object_get(spec, "name"));
    const char *dtype = json_string_value(json_object_get(spec, "dtype"));
    if (!name || !dtype)
        return sj_err_set(err, SJ_EFORMAT, "weights: an entry lacks name or dtype");
    int rc = read_shape(spec, t, name, err);
    if (rc < 0)
        return rc;
    json_t *quant = json_object_get(spec, "quantization");
    const char *qtype = quant ? json_string_value(json_object_get(quant, "dtype")) : NULL;
    size_t width = 4;
    if (qtype && strcmp(qtype, "uint8") == 0)
        width = 1;
    else if (qtype && strcmp(qtype, "uint16") == 0)
        width = 2;
    else if (qtype || (strcmp(dtype, "float32") != 0 && strcmp(dtype, "int32") != 0))
        return sj_err_set(err, SJ_EFORMAT, "weights %s: unsupported dtype %s", name,
                          qtype ? qtype : dtype);
    if (*offset > bin_len || (bin_len - *offset) / width < t->count)
        return sj_err_set(err, SJ_EFORMAT, "weights %s: shards end before this tensor", name);
    double scale = quant ? json_number_value(json_object_get(quant, "scale")) : 1.0;
    double min = quant ? json_number_value(json_object_get(quant, "min")) : 0.0;
    const uint8_t *p = bin + *offset;
    t->name = sj_xstrdup(name);
    t->data = sj_xmalloc((t->count ? t->count : 1) * sizeof(float));
    for (size_t i = 0; i < t->count; i++) {
        if (width == 1) {
            t->data[i] = (float)(p[i] * scale + min);
        } else if (width == 2) {
            t->data[i] = (float)((p[2 * i] | p[2 * i + 1] << 8) * scale + min);
        } else if (strcmp(dtype, "int32") == 0) {
            int32_t v;
            memcpy(&v, p + 4 * i, 4);
            t->data[i] = (float)v;
        } else {
            memcpy(&t->data[i], p + 4 * i, 4);
        }
    }
    *offset += t->count * width;
    return 0;
}

int sj_face_weights_parse(const char *json, size_t json_len, const uint8_t *bin, size_t bin_len,
                          struct sj_face_weights **out, struct sj_err *err)
{
    json_error_t jerr;
    struct sj_face_weights *w = sj_xcalloc(1, sizeof *w);
    size_t offset = 0, cap = 0;
    int rc = 0;
    json_t *root = json_loadb(json, json_len, JSON_REJECT_DUPLICATES, &jerr);
    *out = NULL;
    if (!json_is_array(root)) {
        rc = sj_err_set(err, SJ_EFORMAT, "weights manifest: not a JSON array (%s)", jerr.text);
        goto out;
    }
    size_t gi;
    json_t *group;
    json_array_foreach(root, gi, group)
    {
        json_t *specs = json_object_get(group, "weights");
        size_t si;
        json_t *spec;
        if (!json_is_array(specs)) {
            rc = sj_err_set(err, SJ_EFORMAT, "weights manifest: group %zu has no weights", gi);
            goto out;
        }
        json_array_foreach(specs, si, spec)
        {
            if (w->count == cap) {
                cap = cap ? 2 * cap : 64;
                w->tensors = sj_xrealloc(w->tensors, cap * sizeof *w->tensors);
            }
            memset(&w->tensors[w->count], 0, sizeof w->tensors[0]);
            rc = decode_tensor(spec, bin, bin_len, &offset, &w->tensors[w->count], err);
            if (w->tensors[w->count].name)
                w->count++;
            if (rc < 0)
                goto out;
        }
    }
    *out = w;
    w = NULL;
out:
    json_decref(root);
    sj_face_weights_free(w);
    return rc;
}

static int append_file(const char *path, uint8_t **buf, size_t *len, size_t cap, struct sj_err *err)
{
    FILE *f = fopen(path, "rb");
    int rc = 0;
    if (!f)
        return sj_err_set(err, SJ_EIO, "cannot open %s", path);
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (*len + n > cap) {
            rc = sj_err_set(err, SJ_ETOOBIG, "%s: larger than %zu bytes", path, cap);
            goto out;
        }
        *buf = sj_xrealloc(*buf, *len + n);
        memcpy(*buf + *len, chunk, n);
        *len += n;
    }
    if (ferror(f))
        rc = sj_err_set(err, SJ_EIO, "cannot read %s", path);
out:
    fclose(f);
    return rc;
}

/* Reads the shards named by the manifest's "paths", in order, into one buffer. */
static int read_shards(const char *dir, json_t *root, uint8_t **bin, size_t *len,
                       struct sj_err *err)
{
    size_t gi, pi;
    json_t *group, *p;
    char path[4096];
    json_array_foreach(root, gi, group)
    {
        json_array_foreach(json_object_get(group, "paths"), pi, p)
        {
            const char *file = json_string_value(p);
            if (!file || strchr(file, '/') || strstr(file, ".."))
                return sj_err_set(err, SJ_EFORMAT, "weights manifest: bad shard path");
            snprintf(path, sizeof path, "%s/%s", dir, file);
            int rc = append_file(path, bin, len, MAX_SHARD_BYTES, err);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

int sj_face_weights_load(const char *dir, const char *name, struct sj_face_weights **out,
                         struct sj_err *err)
{
    char path[4096];
    uint8_t *manifest = NULL, *bin = NULL;
    size_t manifest_len = 0, bin_len = 0;
    json_t *root = NULL;
    *out = NULL;
    snprintf(path, sizeof path, "%s/%s-weights_manifest.json", dir, name);
    int rc = append_file(path, &manifest, &manifest_len, 1u << 20, err);
    if (rc < 0)
        goto out;
    root = json_loadb((const char *)manifest, manifest_len, 0, NULL);
    if (!json_is_array(root)) {
        rc = sj_err_set(err, SJ_EFORMAT, "%s: not a weights manifest", path);
        goto out;
    }
    rc = read_shards(dir, root, &bin, &bin_len, err);
    if (rc < 0)
        goto out;
    rc = sj_face_weights_parse((const char *)manifest, manifest_len, bin, bin_len, out, err);
out:
    json_decref(root);
    free(manifest);
    free(bin);
    return rc;
}

const float *sj_face_weights_get(const struct sj_face_weights *w, const char *name,
                                 const int *shape, int rank, size_t *count)
{
    for (size_t i = 0; w && i < w->count; i++) {
        const struct tensor *t = &w->tensors[i];
        if (strcmp(t->name, name) != 0)
            continue;
        if (rank > 0 && (t->rank != rank || memcmp(t->shape, shape, (size_t)rank * sizeof(int))))
            return NULL;
        if (count)
            *count = t->count;
        return t->data;
    }
    return NULL;
}

size_t sj_face_weights_count(const struct sj_face_weights *w)
{
    return w ? w->count : 0;
}

void sj_face_weights_free(struct sj_face_weights *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->count; i++) {
        free(w->tensors[i].name);
        free(w->tensors[i].data);
    }
    free(w->tensors);
    free(w);
}
