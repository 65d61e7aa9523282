/*
 * fence.c - bench_fence: time to judge one position fix against 1,000 fences (target < 50 µs
 * per point, docs/PERFORMANCE.md "bail"). Builds a deterministic city of fences (half circles
 * of 100 m - 3 km radius, half polygons of 8-64 vertices, every fifth with a hole) over
 * 40 km x 40 km, then times sj_fence_set_query (the grid index) over N random fixes with
 * 5-100 m accuracy, and, for comparison, judging every fence for each of N/20 fixes. Only the
 * query loops are timed (clock_gettime CLOCK_MONOTONIC, one core).
 * Usage: bench_fence [--count N] [--fences F]   (defaults 200000 and 1000)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shujian/bail.h"

#define M_PER_DEG (SJ_GEO_EARTH_RADIUS_M * M_PI / 180.0)

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static double uniform(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

static const struct sj_geo_point centre = {24.5130, 118.1460}; /* Xiamen */

static struct sj_geo_point offset(struct sj_geo_point p, double east_m, double north_m)
{
    return (struct sj_geo_point){p.lat + north_m / M_PER_DEG,
                                 p.lon + east_m / (M_PER_DEG * cos(p.lat * M_PI / 180.0))};
}

static void ring(struct sj_fence_ring *r, struct sj_geo_point c, double radius, size_t n)
{
    r->count = n;
    r->points = malloc(n * sizeof *r->points);
    for (size_t i = 0; i < n; i++) {
        double a = 2 * M_PI * (double)i / (double)n, rr = radius * (0.6 + 0.4 * uniform());
        r->points[i] = offset(c, rr * cos(a), rr * sin(a));
    }
}

static void make_fence(struct sj_fence *f, int i)
{
    struct sj_geo_point c = offset(centre, (uniform() - 0.5) * 40000, (uniform() - 0.5) * 40000);
    double radius = 100 + uniform() * 2900;
    if (i % 2 == 0) {
        sj_fence_circle(c, radius, f, NULL);
    } else {
        memset(f, 0, sizeof *f);
        f->shape = SJ_FENCE_POLYGON;
        f->ring_count = i % 5 == 1 ? 2 : 1;
        f->rings = calloc(f->ring_count, sizeof *f->rings);
        ring(&f->rings[0], c, radius, 8 + (size_t)(uniform() * 56));
        if (f->ring_count == 2)
            ring(&f->rings[1], c, radius * 0.3, 8);
        sj_fence_prepare(f);
    }
    f->id = i + 1;
    f->kind = i % 7 == 0 ? SJ_FENCE_FORBIDDEN : SJ_FENCE_ALLOWED;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long count = 200000, nfences = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--count") == 0)
            count = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--fences") == 0)
            nfences = atol(argv[i + 1]);
    }
    if (count < 20 || nfences < 1) {
        fprintf(stderr, "usage: bench_fence [--count N >= 20] [--fences F >= 1]\n");
        return 2;
    }
    struct sj_fence *fences = calloc((size_t)nfences, sizeof *fences);
    for (long i = 0; i < nfences; i++)
        make_fence(&fences[i], (int)i);
    double t0 = now_s();
    struct sj_fence_set *set;
    sj_fence_set_new(fences, (size_t)nfences, &set);
    double build = now_s() - t0;
    struct sj_geo_point *pts = malloc((size_t)count * sizeof *pts);
    double *acc = malloc((size_t)count * sizeof *acc);
    for (long i = 0; i < count; i++) {
        pts[i] = offset(centre, (uniform() - 0.5) * 42000, (uniform() - 0.5) * 42000);
        acc[i] = 5 + uniform() * 95;
    }
    struct sj_fence_hit hits[256];
    size_t total = 0;
    t0 = now_s();
    for (long i = 0; i < count; i++)
        total += sj_fence_set_query(set, pts[i], acc[i], hits, 256);
    double grid = now_s() - t0;
    long brute_n = count / 20;
    size_t brute_total = 0;
    t0 = now_s();
    for (long i = 0; i < brute_n; i++) {
        for (long k = 0; k < nfences; k++)
            brute_total += sj_fence_judge(&fences[k], pts[i], acc[i]) != SJ_FENCE_OUTSIDE;
    }
    double brute = now_s() - t0;
    printf("fences %ld, fixes %ld, index built in %.1f ms\n", nfences, count, build * 1e3);
    printf("grid index:  %.2f us per fix (%.0f fixes/s), %.2f fences not outside per fix\n",
           grid / (double)count * 1e6, (double)count / grid, (double)total / (double)count);
    printf("every fence: %.2f us per fix (%ld fixes), %.2f fences not outside per fix\n",
           brute / (double)brute_n * 1e6, brute_n, (double)brute_total / (double)brute_n);
    sj_fence_set_free(set);
    for (long i = 0; i < nfences; i++)
        sj_fence_release(&fences[i]);
    free(fences);
    free(pts);
    free(acc);
    return 0;
}
