/*
 * fuzz_bail_fence.c - fuzz target for sj_fence_parse_geojson (fence geometries officers draw
 * or import as GeoJSON): any bytes must parse or be refused cleanly. The first byte picks the
 * datum. Checks: a parsed fence has a valid shape and a bounding box holding all its points;
 * its canonical GeoJSON parses back (as WGS-84) to the same geometry and prints the same
 * text; judging points in and around it with the grid index agrees with judging it directly.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/bail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_shape(const struct sj_fence *f)
{
    if (f->shape == SJ_FENCE_CIRCLE) {
        if (!sj_geo_is_valid(f->center) || !(f->radius_m >= SJ_FENCE_RADIUS_MIN_M) ||
            !(f->radius_m <= SJ_FENCE_RADIUS_MAX_M))
            abort();
        return;
    }
    if (f->ring_count < 1 || f->ring_count > SJ_FENCE_RINGS_MAX)
        abort();
    for (size_t r = 0; r < f->ring_count; r++) {
        if (f->rings[r].count < 3)
            abort();
        for (size_t i = 0; i < f->rings[r].count; i++) {
            struct sj_geo_point p = f->rings[r].points[i];
            if (!sj_geo_is_valid(p) || p.lat < f->min_lat || p.lat > f->max_lat ||
                p.lon < f->min_lon || p.lon > f->max_lon)
                abort();
        }
    }
}

static void check_round_trip(const struct sj_fence *f)
{
    struct sj_buf a, b;
    struct sj_fence g;
    sj_buf_init(&a, 0);
    sj_buf_init(&b, 0);
    if (sj_fence_to_geojson(f, &a) < 0 ||
        sj_fence_parse_geojson(sj_buf_str(&a), SJ_DATUM_WGS84, &g, NULL) < 0 ||
        sj_fence_to_geojson(&g, &b) < 0 || strcmp(sj_buf_cstr(&a), sj_buf_cstr(&b)) != 0 ||
        g.shape != f->shape || g.ring_count != f->ring_count)
        abort();
    sj_fence_release(&g);
    sj_buf_release(&a);
    sj_buf_release(&b);
}

static void check_index(const struct sj_fence *f)
{
    struct sj_fence_set *set;
    struct sj_fence_hit hit;
    sj_fence_set_new(f, 1, &set);
    for (int i = 0; i < 9; i++) {
        struct sj_geo_point p = {f->min_lat + (f->max_lat - f->min_lat) * (i % 3) / 2.0 + 1e-4,
                                 f->min_lon + (f->max_lon - f->min_lon) * (i / 3) / 2.0 - 1e-4};
        if (!sj_geo_is_valid(p))
            continue;
        double acc = (double)(i * 37 % 500);
        enum sj_fence_rel rel = sj_fence_judge(f, p, acc);
        size_t n = sj_fence_set_query(set, p, acc, &hit, 1);
        if ((rel == SJ_FENCE_OUTSIDE) != (n == 0) || (n == 1 && hit.rel != rel))
            abort();
    }
    sj_fence_set_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    enum sj_datum datum = (enum sj_datum)(data[0] % SJ_DATUM_COUNT);
    struct sj_fence f;
    struct sj_err err;
    int rc = sj_fence_parse_geojson(sj_str_make((const char *)data + 1, size - 1), datum, &f, &err);
    if (rc == 0) {
        check_shape(&f);
        check_round_trip(&f);
        check_index(&f);
    } else if (rc != SJ_EFORMAT && rc != SJ_ETOOBIG) {
        abort();
    }
    sj_fence_release(&f);
    return 0;
}
