/*
 * fence_json.c - fence geometries from and to GeoJSON (RFC 7946) (shujian/bail.h). Input is
 * untrusted (officers draw fences in the browser; files are imported): sizes are capped before
 * anything is allocated, every position is checked, and errors say which ring and position
 * in Chinese. Output is canonical: compact, WGS-84, rings closed, numbers in %.17g so that it
 * parses back to exactly the same doubles.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

#define MIN_RING_AREA_M2 1.0

static int position(json_t *pos, enum sj_datum datum, struct sj_geo_point *out, const char *where,
                    struct sj_err *err)
{
    size_t n = json_is_array(pos) ? json_array_size(pos) : 0;
    if (n < 2 || n > 3)
        return sj_err_set(err, SJ_EFORMAT, "%s应为 [经度, 纬度] 数组", where);
    for (size_t i = 0; i < n; i++) {
        if (!json_is_number(json_array_get(pos, i)))
            return sj_err_set(err, SJ_EFORMAT, "%s的坐标应为数字", where);
    }
    struct sj_geo_point p = {json_number_value(json_array_get(pos, 1)),
                             json_number_value(json_array_get(pos, 0))};
    if (sj_geo_convert(datum, SJ_DATUM_WGS84, p, out) < 0)
        return sj_err_set(err, SJ_EFORMAT, "%s超出范围（经度 -180 至 180，纬度 -90 至 90）", where);
    return 0;
}

/* Twice the signed area of a ring in square metres, in a projection centred on its first
 * point (only compared against a small threshold). */
static double ring_area2(const struct sj_fence_ring *ring)
{
    const double m = SJ_GEO_EARTH_RADIUS_M * M_PI / 180.0;
    struct sj_geo_point o = ring->points[0];
    double kx = m * cos(o.lat * M_PI / 180.0), sum = 0.0;
    for (size_t i = 0; i < ring->count; i++) {
        const struct sj_geo_point *a = &ring->points[i];
        const struct sj_geo_point *b = &ring->points[(i + 1) % ring->count];
        sum += (a->lon - o.lon) * kx * (b->lat - o.lat) * m -
               (b->lon - o.lon) * kx * (a->lat - o.lat) * m;
    }
    return sum;
}

static int ring(json_t *arr, size_t r, enum sj_datum datum, struct sj_fence_ring *out,
                struct sj_err *err)
{
    char where[96];
    size_t n = json_array_size(arr);
    if (n < 4)
        return sj_err_set(err, SJ_EFORMAT, "第 %zu 个环至少应有 4 个坐标（首尾相同）", r + 1);
    out->points = sj_xmalloc(n * sizeof *out->points);
    for (size_t i = 0; i < n; i++) {
        snprintf(where, sizeof where, "第 %zu 个环第 %zu 个坐标", r + 1, i + 1);
        int rc = position(json_array_get(arr, i), datum, &out->points[i], where, err);
        if (rc < 0)
            return rc;
    }
    struct sj_geo_point a = out->points[0], b = out->points[n - 1];
    if (a.lat != b.lat || a.lon != b.lon)
        return sj_err_set(err, SJ_EFORMAT, "第 %zu 个环未闭合：首尾坐标应相同", r + 1);
    out->count = n - 1; /* the closing duplicate is not kept */
    if (fabs(ring_area2(out)) < 2.0 * MIN_RING_AREA_M2)
        return sj_err_set(err, SJ_EFORMAT, "第 %zu 个环面积为零（坐标共线或重复）", r + 1);
    return 0;
}

static int polygon(json_t *coords, enum sj_datum datum, struct sj_fence *out, struct sj_err *err)
{
    size_t rings = json_is_array(coords) ? json_array_size(coords) : 0;
    if (rings == 0)
        return sj_err_set(err, SJ_EFORMAT, "多边形的 coordinates 应为非空的环数组");
    if (rings > SJ_FENCE_RINGS_MAX)
        return sj_err_set(err, SJ_ETOOBIG, "多边形最多 %d 个环（含外环），此处 %zu 个",
                          SJ_FENCE_RINGS_MAX, rings);
    size_t total = 0;
    for (size_t r = 0; r < rings; r++) {
        json_t *arr = json_array_get(coords, r);
        if (!json_is_array(arr))
            return sj_err_set(err, SJ_EFORMAT, "第 %zu 个环应为坐标数组", r + 1);
        total += json_array_size(arr);
    }
    if (total > SJ_FENCE_POINTS_MAX)
        return sj_err_set(err, SJ_ETOOBIG, "围栏最多 %d 个坐标，此处 %zu 个", SJ_FENCE_POINTS_MAX,
                          total);
    out->shape = SJ_FENCE_POLYGON;
    out->rings = sj_xcalloc(rings, sizeof *out->rings);
    for (size_t r = 0; r < rings; r++) {
        out->ring_count = r + 1; /* so that release frees what is there */
        int rc = ring(json_array_get(coords, r), r, datum, &out->rings[r], err);
        if (rc < 0)
            return rc;
    }
    sj_fence_prepare(out);
    return 0;
}

static int circle(json_t *coords, json_t *radius, enum sj_datum datum, struct sj_fence *out,
                  struct sj_err *err)
{
    struct sj_geo_point c;
    int rc = position(coords, datum, &c, "圆心", err);
    if (rc < 0)
        return rc;
    if (!json_is_number(radius))
        return sj_err_set(err, SJ_EFORMAT, "圆形围栏（Point）需要数字 radius（米）");
    rc = sj_fence_circle(c, json_number_value(radius), out, err);
    return rc == SJ_EINVAL ? SJ_EFORMAT : rc;
}

static int geometry(json_t *root, enum sj_datum datum, struct sj_fence *out, struct sj_err *err)
{
    json_t *geom = root, *props = NULL;
    const char *type = json_string_value(json_object_get(root, "type"));
    if (type && strcmp(type, "Feature") == 0) {
        geom = json_object_get(root, "geometry");
        props = json_object_get(root, "properties");
        type = json_string_value(json_object_get(geom, "type"));
    }
    if (!json_is_object(geom) || !type)
        return sj_err_set(err, SJ_EFORMAT, "围栏应为 GeoJSON 的 Polygon、Point 或 Feature");
    json_t *coords = json_object_get(geom, "coordinates");
    if (strcmp(type, "Polygon") == 0)
        return polygon(coords, datum, out, err);
    if (strcmp(type, "Point") == 0) {
        json_t *radius = json_object_get(geom, "radius");
        if (!radius && json_is_object(props))
            radius = json_object_get(props, "radius");
        return circle(coords, radius, datum, out, err);
    }
    return sj_err_set(err, SJ_EFORMAT, "不支持的几何类型“%.40s”：应为 Polygon 或 Point", type);
}

int sj_fence_parse_geojson(struct sj_str json, enum sj_datum datum, struct sj_fence *out,
                           struct sj_err *err)
{
    memset(out, 0, sizeof *out);
    if (json.len > SJ_FENCE_JSON_MAX)
        return sj_err_set(err, SJ_ETOOBIG, "围栏 GeoJSON 超过 %u 字节", SJ_FENCE_JSON_MAX);
    json_error_t jerr;
    json_t *root = json_loadb(json.ptr ? json.ptr : "", json.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return sj_err_set(err, SJ_EFORMAT, "围栏不是有效的 JSON（第 %d 行第 %d 列）：%s", jerr.line,
                          jerr.column, jerr.text);
    int rc = json_is_object(root) ? geometry(root, datum, out, err)
                                  : sj_err_set(err, SJ_EFORMAT, "围栏 GeoJSON 应为对象");
    json_decref(root);
    return rc;
}

static int put_point(struct sj_buf *out, struct sj_geo_point p)
{
    return sj_buf_appendf(out, "[%.17g,%.17g]", p.lon, p.lat);
}

int sj_fence_to_geojson(const struct sj_fence *f, struct sj_buf *out)
{
    int rc;
    if (f->shape == SJ_FENCE_CIRCLE) {
        rc = sj_buf_append_cstr(out, "{\"type\":\"Point\",\"coordinates\":");
        if (rc == 0)
            rc = put_point(out, f->center);
        return rc == 0 ? sj_buf_appendf(out, ",\"radius\":%.17g}", f->radius_m) : rc;
    }
    rc = sj_buf_append_cstr(out, "{\"type\":\"Polygon\",\"coordinates\":[");
    for (size_t r = 0; rc == 0 && r < f->ring_count; r++) {
        const struct sj_fence_ring *ring_r = &f->rings[r];
        rc = sj_buf_append_cstr(out, r ? ",[" : "[");
        for (size_t i = 0; rc == 0 && i <= ring_r->count; i++) {
            if (i > 0)
                rc = sj_buf_putc(out, ',');
            if (rc == 0)
                rc = put_point(out, ring_r->points[i % ring_r->count]);
        }
        if (rc == 0)
            rc = sj_buf_putc(out, ']');
    }
    return rc == 0 ? sj_buf_append_cstr(out, "]}") : rc;
}
