/*
 * test_bail_fence.c - fences: circles and polygons with holes judged with the accuracy circle,
 * points on edges and vertices, the GeoJSON parser (valid shapes, every refusal, datums, the
 * canonical round trip), the grid index against brute force, the confirmation state machine,
 * and GPS drift: a jittery trace along a boundary confirms nothing while a real exit does.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/bail.h"

#define M_PER_DEG (SJ_GEO_EARTH_RADIUS_M * M_PI / 180.0)

static const struct sj_geo_point huli = {24.5130, 118.1460}; /* Huli district, Xiamen */

/* The point east_m east and north_m north of p (local flat approximation). */
static struct sj_geo_point offset(struct sj_geo_point p, double east_m, double north_m)
{
    return (struct sj_geo_point){p.lat + north_m / M_PER_DEG,
                                 p.lon + east_m / (M_PER_DEG * cos(p.lat * M_PI / 180.0))};
}

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static double uniform(void) /* xorshift64*, [0, 1) */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

/* A 2000 m x 1500 m rectangle around huli with a 400 m square hole in the middle. */
static void square_with_hole(struct sj_fence *f)
{
    char json[1024];
    struct sj_geo_point c[4] = {offset(huli, -1000, -750), offset(huli, 1000, -750),
                                offset(huli, 1000, 750), offset(huli, -1000, 750)};
    struct sj_geo_point h[4] = {offset(huli, -200, -200), offset(huli, -200, 200),
                                offset(huli, 200, 200), offset(huli, 200, -200)};
    snprintf(json, sizeof json,
             "{\"type\":\"Polygon\",\"coordinates\":[[[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],"
             "[%.9f,%.9f],[%.9f,%.9f]],[[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],"
             "[%.9f,%.9f]]]}",
             c[0].lon, c[0].lat, c[1].lon, c[1].lat, c[2].lon, c[2].lat, c[3].lon, c[3].lat,
             c[0].lon, c[0].lat, h[0].lon, h[0].lat, h[1].lon, h[1].lat, h[2].lon, h[2].lat,
             h[3].lon, h[3].lat, h[0].lon, h[0].lat);
    struct sj_err err;
    if (sj_fence_parse_geojson(sj_str_from_cstr(json), SJ_DATUM_WGS84, f, &err) < 0)
        fail_msg("parse: %s", err.message);
}

/* ---- Judging ------------------------------------------------------------------------------- */

static void test_circle_with_accuracy(void **state)
{
    struct sj_fence f;
    assert_int_equal(sj_fence_circle(huli, 1000.0, &f, NULL), 0);
    static const struct {
        double east_m, accuracy_m;
        enum sj_fence_rel want;
    } cases[] = {
        {0, 10, SJ_FENCE_INSIDE},         {900, 50, SJ_FENCE_INSIDE},
        {900, 150, SJ_FENCE_UNCERTAIN},   {990, 5, SJ_FENCE_INSIDE},
        {990, 15, SJ_FENCE_UNCERTAIN},    {1010, 15, SJ_FENCE_UNCERTAIN},
        {1010, 5, SJ_FENCE_OUTSIDE},      {1100, 50, SJ_FENCE_OUTSIDE},
        {1100, 150, SJ_FENCE_UNCERTAIN},  {5000, 3000, SJ_FENCE_OUTSIDE},
        {5000, 4500, SJ_FENCE_UNCERTAIN}, {0, 1200, SJ_FENCE_UNCERTAIN},
        {500, -3, SJ_FENCE_INSIDE},       {500, NAN, SJ_FENCE_INSIDE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum sj_fence_rel rel =
            sj_fence_judge(&f, offset(huli, cases[i].east_m, 0), cases[i].accuracy_m);
        if (rel != cases[i].want)
            fail_msg("case %zu: %s, want %s", i, sj_fence_rel_name(rel),
                     sj_fence_rel_name(cases[i].want));
    }
    assert_int_equal(sj_fence_circle(huli, 5.0, &f, NULL), SJ_EINVAL);
    assert_int_equal(sj_fence_circle((struct sj_geo_point){95, 0}, 100.0, &f, NULL), SJ_EINVAL);
}

static void test_polygon_with_hole(void **state)
{
    struct sj_fence f;
    square_with_hole(&f);
    static const struct {
        double east_m, north_m, accuracy_m;
        enum sj_fence_rel want;
    } cases[] = {
        {500, 0, 20, SJ_FENCE_INSIDE},   /* between the hole and the east edge */
        {0, 0, 20, SJ_FENCE_OUTSIDE},    /* in the hole */
        {0, 0, 250, SJ_FENCE_UNCERTAIN}, /* in the hole, circle reaches the ring */
        {1100, 0, 50, SJ_FENCE_OUTSIDE}, /* east of the fence */
        {1100, 0, 150, SJ_FENCE_UNCERTAIN},
        {-990, 700, 5, SJ_FENCE_INSIDE}, /* near the north-west corner, inside */
        {-990, 700, 20, SJ_FENCE_UNCERTAIN},
        {-1010, 760, 5, SJ_FENCE_OUTSIDE}, /* just outside that corner */
        {0, 300, 50, SJ_FENCE_INSIDE},     /* north of the hole */
        {0, 230, 50, SJ_FENCE_UNCERTAIN},  /* 30 m from the hole's edge */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum sj_fence_rel rel = sj_fence_judge(&f, offset(huli, cases[i].east_m, cases[i].north_m),
                                               cases[i].accuracy_m);
        if (rel != cases[i].want)
            fail_msg("case %zu: %s, want %s", i, sj_fence_rel_name(rel),
                     sj_fence_rel_name(cases[i].want));
    }
    sj_fence_release(&f);
}

/* A point exactly on a vertex or an edge is on the boundary whatever the accuracy: never
 * inside, never outside. */
static void test_points_on_edges(void **state)
{
    struct sj_fence f;
    square_with_hole(&f);
    for (size_t r = 0; r < f.ring_count; r++) {
        const struct sj_fence_ring *ring = &f.rings[r];
        for (size_t i = 0; i < ring->count; i++) {
            struct sj_geo_point a = ring->points[i], b = ring->points[(i + 1) % ring->count];
            for (double t = 0.0; t <= 1.0; t += 0.125) {
                struct sj_geo_point p = {a.lat + t * (b.lat - a.lat), a.lon + t * (b.lon - a.lon)};
                bool inside = true;
                double d = sj_fence_boundary_distance_m(&f, p, &inside);
                assert_true(d < 0.01);
                assert_false(inside);
                assert_int_equal(sj_fence_judge(&f, p, 0.0), SJ_FENCE_UNCERTAIN);
            }
        }
    }
    sj_fence_release(&f);
}

/* ---- GeoJSON ------------------------------------------------------------------------------- */

static void test_geojson_shapes(void **state)
{
    struct sj_fence f;
    struct sj_err err;
    const char *circle = "{\"type\":\"Point\",\"coordinates\":[118.146,24.513],\"radius\":800}";
    assert_int_equal(sj_fence_parse_geojson(sj_str_from_cstr(circle), SJ_DATUM_WGS84, &f, &err), 0);
    assert_int_equal(f.shape, SJ_FENCE_CIRCLE);
    assert_true(f.radius_m == 800.0 && f.center.lat == 24.513 && f.center.lon == 118.146);
    sj_fence_release(&f);
    const char *feature = "{\"type\":\"Feature\",\"properties\":{\"radius\":300,\"name\":\"家\"},"
                          "\"geometry\":{\"type\":\"Point\",\"coordinates\":[118.1,24.5,12.5]}}";
    assert_int_equal(sj_fence_parse_geojson(sj_str_from_cstr(feature), SJ_DATUM_WGS84, &f, &err),
                     0);
    assert_true(f.radius_m == 300.0 && f.center.lon == 118.1);
    sj_fence_release(&f);
    /* A GCJ-02 centre is stored as WGS-84. */
    assert_int_equal(sj_fence_parse_geojson(sj_str_from_cstr(circle), SJ_DATUM_GCJ02, &f, &err), 0);
    struct sj_geo_point want = sj_geo_gcj02_to_wgs84((struct sj_geo_point){24.513, 118.146});
    assert_true(fabs(f.center.lat - want.lat) < 1e-12 && fabs(f.center.lon - want.lon) < 1e-12);
    assert_true(sj_geo_distance_m(f.center, (struct sj_geo_point){24.513, 118.146}) > 100.0);
    sj_fence_release(&f);
}

static void test_geojson_round_trip(void **state)
{
    struct sj_fence f, g;
    struct sj_buf out, again;
    sj_buf_init(&out, 0);
    sj_buf_init(&again, 0);
    square_with_hole(&f);
    assert_int_equal(sj_fence_to_geojson(&f, &out), 0);
    assert_int_equal(sj_fence_parse_geojson(sj_buf_str(&out), SJ_DATUM_WGS84, &g, NULL), 0);
    assert_int_equal(g.ring_count, 2);
    for (size_t r = 0; r < 2; r++) {
        assert_int_equal(g.rings[r].count, 4);
        for (size_t i = 0; i < 4; i++) {
            assert_true(g.rings[r].points[i].lat == f.rings[r].points[i].lat);
            assert_true(g.rings[r].points[i].lon == f.rings[r].points[i].lon);
        }
    }
    assert_int_equal(sj_fence_to_geojson(&g, &again), 0);
    assert_string_equal(sj_buf_cstr(&out), sj_buf_cstr(&again));
    sj_fence_release(&f);
    sj_fence_release(&g);
    struct sj_fence c;
    assert_int_equal(sj_fence_circle((struct sj_geo_point){24.1, 118.3}, 123.25, &c, NULL), 0);
    sj_buf_reset(&out);
    assert_int_equal(sj_fence_to_geojson(&c, &out), 0);
    assert_string_equal(sj_buf_cstr(&out),
                        "{\"type\":\"Point\",\"coordinates\":[118.3,24.100000000000001],"
                        "\"radius\":123.25}");
    sj_buf_release(&out);
    sj_buf_release(&again);
}

static void test_geojson_refusals(void **state)
{
    static const struct {
        const char *json;
        int code;
        const char *says; /* part of the message */
    } cases[] = {
        {"", SJ_EFORMAT, "JSON"},
        {"[1,2]", SJ_EFORMAT, "对象"},
        {"{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]}", SJ_EFORMAT, "LineString"},
        {"{\"type\":\"Polygon\",\"coordinates\":[]}", SJ_EFORMAT, "环数组"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[118,24],[118.1,24],[118,24]]]}", SJ_EFORMAT,
         "4 个坐标"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[118,24],[118.1,24],[118.1,24.1],[118,24.2]]]}",
         SJ_EFORMAT, "未闭合"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[118,24],[118.1,24],[118.2,24],[118,24]]]}",
         SJ_EFORMAT, "面积为零"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[118,24],[118.1,24],[118,\"x\"],[118,24]]]}",
         SJ_EFORMAT, "第 1 个环第 3 个坐标"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[118,24],[218.1,24],[118,24.1],[118,24]]]}",
         SJ_EFORMAT, "超出范围"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[118,24],[118.1],[118,24.1],[118,24]]]}",
         SJ_EFORMAT, "[经度, 纬度]"},
        {"{\"type\":\"Polygon\",\"coordinates\":[7]}", SJ_EFORMAT, "第 1 个环"},
        {"{\"type\":\"Point\",\"coordinates\":[118,24]}", SJ_EFORMAT, "radius"},
        {"{\"type\":\"Point\",\"coordinates\":[118,24],\"radius\":3}", SJ_EFORMAT, "半径"},
        {"{\"type\":\"Point\",\"coordinates\":[118,24],\"radius\":\"500\"}", SJ_EFORMAT, "radius"},
        {"{\"type\":\"Point\",\"type\":\"Point\"}", SJ_EFORMAT, "JSON"},
        {"{\"type\":\"Feature\",\"geometry\":null}", SJ_EFORMAT, "GeoJSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sj_fence f;
        struct sj_err err;
        sj_err_clear(&err);
        int rc = sj_fence_parse_geojson(sj_str_from_cstr(cases[i].json), SJ_DATUM_WGS84, &f, &err);
        sj_fence_release(&f);
        if (rc != cases[i].code || !strstr(err.message, cases[i].says))
            fail_msg("case %zu: rc %d, message \"%s\"", i, rc, err.message);
    }
}

static void test_geojson_caps(void **state)
{
    struct sj_buf json;
    struct sj_fence f;
    struct sj_err err;
    sj_buf_init(&json, 0);
    sj_buf_append_cstr(&json, "{\"type\":\"Polygon\",\"coordinates\":[");
    for (int r = 0; r <= SJ_FENCE_RINGS_MAX; r++)
        sj_buf_appendf(&json, "%s[[118,24],[118.1,24],[118,24.1],[118,24]]", r ? "," : "");
    sj_buf_append_cstr(&json, "]}");
    assert_int_equal(sj_fence_parse_geojson(sj_buf_str(&json), SJ_DATUM_WGS84, &f, &err),
                     SJ_ETOOBIG);
    sj_fence_release(&f);
    sj_buf_reset(&json);
    sj_buf_append_cstr(&json, "{\"type\":\"Polygon\",\"coordinates\":[[");
    for (int i = 0; i <= SJ_FENCE_POINTS_MAX; i++)
        sj_buf_appendf(&json, "%s[118.%05d,24.1]", i ? "," : "", i % 100000);
    sj_buf_append_cstr(&json, "]]}");
    assert_int_equal(sj_fence_parse_geojson(sj_buf_str(&json), SJ_DATUM_WGS84, &f, &err),
                     SJ_ETOOBIG);
    sj_fence_release(&f);
    struct sj_str huge = {json.data, SJ_FENCE_JSON_MAX + 1u};
    sj_buf_reset(&json);
    for (unsigned i = 0; i <= SJ_FENCE_JSON_MAX; i++)
        sj_buf_putc(&json, ' ');
    huge.ptr = json.data;
    assert_int_equal(sj_fence_parse_geojson(huge, SJ_DATUM_WGS84, &f, &err), SJ_ETOOBIG);
    sj_buf_release(&json);
}

/* ---- The grid index ------------------------------------------------------------------------ */

static void random_fence(struct sj_fence *f, int64_t id)
{
    struct sj_geo_point c = offset(huli, (uniform() - 0.5) * 30000, (uniform() - 0.5) * 30000);
    if (uniform() < 0.5) {
        assert_int_equal(sj_fence_circle(c, 50 + uniform() * 2000, f, NULL), 0);
    } else {
        memset(f, 0, sizeof *f);
        size_t n = 3 + (size_t)(uniform() * 30);
        double r = 100 + uniform() * 2000;
        f->shape = SJ_FENCE_POLYGON;
        f->ring_count = 1;
        f->rings = calloc(1, sizeof *f->rings);
        f->rings[0].count = n;
        f->rings[0].points = calloc(n, sizeof *f->rings[0].points);
        for (size_t i = 0; i < n; i++) {
            double a = 2 * M_PI * (double)i / (double)n, rr = r * (0.4 + 0.6 * uniform());
            f->rings[0].points[i] = offset(c, rr * cos(a), rr * sin(a));
        }
        sj_fence_prepare(f);
    }
    f->id = id;
}

static void test_set_matches_brute_force(void **state)
{
    enum { FENCES = 400, POINTS = 3000 };
    struct sj_fence *fences = calloc(FENCES, sizeof *fences);
    for (int i = 0; i < FENCES; i++)
        random_fence(&fences[i], i + 1);
    struct sj_fence_set *set;
    sj_fence_set_new(fences, FENCES, &set);
    struct sj_fence_hit hits[FENCES];
    size_t total_hits = 0;
    for (int k = 0; k < POINTS; k++) {
        struct sj_geo_point p = offset(huli, (uniform() - 0.5) * 34000, (uniform() - 0.5) * 34000);
        double acc = uniform() < 0.1 ? uniform() * 3000 : uniform() * 100;
        size_t n = sj_fence_set_query(set, p, acc, hits, FENCES), j = 0;
        for (size_t i = 0; i < FENCES; i++) {
            enum sj_fence_rel rel = sj_fence_judge(&fences[i], p, acc);
            if (rel == SJ_FENCE_OUTSIDE)
                continue;
            if (j >= n || hits[j].index != i || hits[j].rel != rel)
                fail_msg("point %d, fence %zu: brute force says %s", k, i, sj_fence_rel_name(rel));
            j++;
        }
        assert_int_equal(j, n);
        total_hits += n;
    }
    assert_true(total_hits > POINTS / 4); /* the points do meet fences */
    /* max smaller than the count: the count is still returned. */
    struct sj_geo_point centre = fences[0].shape == SJ_FENCE_CIRCLE ? fences[0].center : huli;
    size_t all = sj_fence_set_query(set, centre, 20000, hits, FENCES);
    assert_true(all > 2);
    assert_int_equal(sj_fence_set_query(set, centre, 20000, hits, 1), all);
    assert_int_equal(sj_fence_set_query(set, (struct sj_geo_point){40, 100}, 10, hits, FENCES), 0);
    sj_fence_set_free(set);
    for (int i = 0; i < FENCES; i++)
        sj_fence_release(&fences[i]);
    free(fences);
    sj_fence_set_new(NULL, 0, &set);
    assert_int_equal(sj_fence_set_query(set, huli, 10, hits, 1), 0);
    sj_fence_set_free(set);
}

/* ---- The state machine --------------------------------------------------------------------- */

static void test_state_machine(void **state)
{
    static const struct {
        const char *fixes;  /* i inside, o outside, u uncertain; one fix per minute */
        const char *events; /* . none, E entered, X exited */
    } cases[] = {
        {"iii", "..E"},                 /* first confirmation */
        {"ooo", "..X"},                 /* outside from the start is an exit */
        {"iiiooo", "..E..X"},           /* a real exit */
        {"iiioouoouoo", "..E........"}, /* uncertain fixes break every run */
        {"iiiooiooiooi", "..E........."},
        {"iiioooiii", "..E..X..E"}, /* and back */
        {"iiiuuuuuuuu", "..E........"},
    };
    struct sj_fence_params p = {3, 60LL * 60 * 1000};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct sj_fence_state s = {0};
        for (size_t i = 0; cases[c].fixes[i]; i++) {
            char f = cases[c].fixes[i];
            enum sj_fence_rel rel =
                f == 'i' ? SJ_FENCE_INSIDE : (f == 'o' ? SJ_FENCE_OUTSIDE : SJ_FENCE_UNCERTAIN);
            enum sj_fence_event e = sj_fence_state_feed(&s, rel, 1000 + (int64_t)i * 60000, &p);
            char got = e == SJ_FENCE_EVENT_ENTERED ? 'E' : (e == SJ_FENCE_EVENT_EXITED ? 'X' : '.');
            if (got != cases[c].events[i])
                fail_msg("case %zu fix %zu: got %c", c, i, got);
        }
    }
}

static void test_state_dwell_and_order(void **state)
{
    struct sj_fence_params p = {5, 10LL * 60 * 1000};
    struct sj_fence_state s = {0};
    int64_t t = 1700000000000;
    for (int i = 0; i < 5; i++)
        sj_fence_state_feed(&s, SJ_FENCE_INSIDE, t += 1000, &p);
    assert_int_equal(s.state, SJ_FENCE_STATE_INSIDE);
    /* Two outside fixes eleven minutes apart satisfy the dwell rule before the count. */
    assert_int_equal(sj_fence_state_feed(&s, SJ_FENCE_OUTSIDE, t += 60000, &p),
                     SJ_FENCE_EVENT_NONE);
    assert_int_equal(sj_fence_state_feed(&s, SJ_FENCE_OUTSIDE, t += 11 * 60000, &p),
                     SJ_FENCE_EVENT_EXITED);
    assert_true(s.state_since_ms == t);
    /* An older fix (a late upload) is ignored. */
    assert_int_equal(sj_fence_state_feed(&s, SJ_FENCE_INSIDE, t - 5000, &p), SJ_FENCE_EVENT_NONE);
    assert_int_equal(s.run_count, 0);
    assert_int_equal(sj_fence_state_feed(&s, SJ_FENCE_INSIDE, t, &p), SJ_FENCE_EVENT_NONE);
    assert_int_equal(s.run_count, 0);
    /* Defaults when params is NULL: three fixes. */
    struct sj_fence_state d = {0};
    assert_int_equal(sj_fence_state_feed(&d, SJ_FENCE_OUTSIDE, 1, NULL), SJ_FENCE_EVENT_NONE);
    assert_int_equal(sj_fence_state_feed(&d, SJ_FENCE_OUTSIDE, 2, NULL), SJ_FENCE_EVENT_NONE);
    assert_int_equal(sj_fence_state_feed(&d, SJ_FENCE_OUTSIDE, 3, NULL), SJ_FENCE_EVENT_EXITED);
}

/* ---- Drift --------------------------------------------------------------------------------- */

struct drift_run {
    int outside_fixes; /* fixes judged wholly outside */
    int exits;         /* confirmed exits */
    int64_t first_exit_ms;
};

/* Two hours of fixes every 30 s by someone walking along the inside of the fence's south edge,
 * 5 to 40 m from it. Reported accuracy is 15 to 60 m; the error is within the accuracy, except
 * every 7th fix, a multipath outlier 2.5 times the accuracy, pushed south. Then, if leaves,
 * the walker goes 1.4 m/s due south for 10 minutes. */
static struct drift_run drift(const struct sj_fence *f, const struct sj_fence_params *p,
                              bool leaves)
{
    struct drift_run run = {0, 0, 0};
    struct sj_fence_state s = {0};
    int64_t t = 1795000000000; /* 2026-11-18 */
    for (int i = 0; i < 240 + (leaves ? 20 : 0); i++, t += 30000) {
        double east = -900 + 1800.0 * (i % 240) / 240.0, north;
        if (i < 240)
            north = -750 + 5 + 35 * uniform();
        else
            north = -750 - 1.4 * 30.0 * (i - 239);
        double acc = 15 + 45 * uniform(), angle = 2 * M_PI * uniform();
        double err = i % 7 == 3 && i < 240 ? 2.5 * acc : acc * uniform();
        if (i % 7 == 3 && i < 240)
            angle = -M_PI / 2; /* the outlier points south, out of the fence */
        struct sj_geo_point pos = offset(huli, east + err * cos(angle), north + err * sin(angle));
        enum sj_fence_rel rel = sj_fence_judge(f, pos, acc);
        run.outside_fixes += rel == SJ_FENCE_OUTSIDE;
        if (sj_fence_state_feed(&s, rel, t, p) == SJ_FENCE_EVENT_EXITED) {
            if (run.exits++ == 0)
                run.first_exit_ms = t;
        }
    }
    return run;
}

static void test_drift_raises_nothing_real_exit_does(void **state)
{
    struct sj_fence f;
    square_with_hole(&f);
    struct sj_fence_params rule = {3, 5LL * 60 * 1000};
    rng_state = 42;
    struct drift_run jitter = drift(&f, &rule, false);
    if (getenv("SJ_TEST_VERBOSE"))
        printf("# outside fixes %d\n", jitter.outside_fixes);
    assert_true(jitter.outside_fixes >= 20); /* the outliers were judged outside */
    assert_int_equal(jitter.exits, 0);
    /* Without the confirmation rule the same trace would have alerted. */
    struct sj_fence_params naive = {1, 5LL * 60 * 1000};
    rng_state = 42;
    struct drift_run naive_run = drift(&f, &naive, false);
    if (getenv("SJ_TEST_VERBOSE"))
        printf("# naive exits %d\n", naive_run.exits);
    assert_true(naive_run.exits > 10);
    /* A real exit is confirmed, and within a few fixes of being clear of the fence. */
    rng_state = 42;
    struct drift_run gone = drift(&f, &rule, true);
    assert_int_equal(gone.exits, 1);
    int64_t leave_start = 1795000000000 + 240LL * 30000;
    assert_true(gone.first_exit_ms > leave_start);
    assert_true(gone.first_exit_ms <= leave_start + 6 * 30000);
    sj_fence_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_circle_with_accuracy),
        cmocka_unit_test(test_polygon_with_hole),
        cmocka_unit_test(test_points_on_edges),
        cmocka_unit_test(test_geojson_shapes),
        cmocka_unit_test(test_geojson_round_trip),
        cmocka_unit_test(test_geojson_refusals),
        cmocka_unit_test(test_geojson_caps),
        cmocka_unit_test(test_set_matches_brute_force),
        cmocka_unit_test(test_state_machine),
        cmocka_unit_test(test_state_dwell_and_order),
        cmocka_unit_test(test_drift_raises_nothing_real_exit_does),
    };
    return cmocka_run_group_tests_name("bail_fence", tests, NULL, NULL);
}
