/*
 * geo.c - datum conversion WGS-84 <-> GCJ-02 <-> BD-09 and haversine distance
 * (shujian/geo.h). The forward formulas are the published ones; each inverse starts from the
 * usual one-step approximation and is refined by fixed-point iteration x += target - f(x)
 * until the step is below 1e-10 degrees, which converges because f is the identity plus an
 * offset that changes slowly (a few metres per kilometre). Pure functions only.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "shujian/geo.h"

#define GCJ_A 6378245.0                 /* Krasovsky 1940 semi-major axis, as published */
#define GCJ_EE 0.00669342162296594323   /* its first eccentricity squared */
#define BD_X_PI (M_PI * 3000.0 / 180.0) /* Baidu's angular factor */
#define INVERSE_EPS 1e-10               /* degrees; about 0.01 mm */
#define INVERSE_MAX_STEPS 30

static const char *const datum_names[SJ_DATUM_COUNT] = {"wgs84", "gcj02", "bd09"};

const char *sj_datum_name(enum sj_datum datum)
{
    return (unsigned)datum < SJ_DATUM_COUNT ? datum_names[datum] : "wgs84";
}

int sj_datum_parse(const char *name, enum sj_datum *datum)
{
    static const char *const dashed[SJ_DATUM_COUNT] = {"wgs-84", "gcj-02", "bd-09"};
    for (int i = 0; name && i < SJ_DATUM_COUNT; i++) {
        if (strcasecmp(name, datum_names[i]) == 0 || strcasecmp(name, dashed[i]) == 0) {
            *datum = (enum sj_datum)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

bool sj_geo_is_valid(struct sj_geo_point p)
{
    return isfinite(p.lat) && isfinite(p.lon) && p.lat >= -90.0 && p.lat <= 90.0 &&
           p.lon >= -180.0 && p.lon <= 180.0;
}

bool sj_geo_is_in_china(struct sj_geo_point p)
{
    return p.lon >= 72.004 && p.lon <= 137.8347 && p.lat >= 0.8293 && p.lat <= 55.8271;
}

/* The published polynomial-and-sine offsets, x = lon - 105, y = lat - 35. */
static void gcj_offset(double x, double y, double *dlat, double *dlon)
{
    double common = (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    double lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    double lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    lat += common + (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
    lon += common + (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
    lat += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
    lon += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
    *dlat = lat;
    *dlon = lon;
}

struct sj_geo_point sj_geo_wgs84_to_gcj02(struct sj_geo_point p)
{
    if (!sj_geo_is_in_china(p))
        return p;
    double dlat, dlon;
    gcj_offset(p.lon - 105.0, p.lat - 35.0, &dlat, &dlon);
    double rad = p.lat / 180.0 * M_PI;
    double magic = 1.0 - GCJ_EE * sin(rad) * sin(rad);
    double sqrt_magic = sqrt(magic);
    dlat = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * M_PI);
    dlon = (dlon * 180.0) / (GCJ_A / sqrt_magic * cos(rad) * M_PI);
    return (struct sj_geo_point){p.lat + dlat, p.lon + dlon};
}

struct sj_geo_point sj_geo_gcj02_to_bd09(struct sj_geo_point p)
{
    double x = p.lon, y = p.lat;
    double z = sqrt(x * x + y * y) + 0.00002 * sin(y * BD_X_PI);
    double theta = atan2(y, x) + 0.000003 * cos(x * BD_X_PI);
    return (struct sj_geo_point){z * sin(theta) + 0.006, z * cos(theta) + 0.0065};
}

/* Baidu's published one-step inverse: the starting point of the refinement. */
static struct sj_geo_point bd09_to_gcj02_approx(struct sj_geo_point p)
{
    double x = p.lon - 0.0065, y = p.lat - 0.006;
    double z = sqrt(x * x + y * y) - 0.00002 * sin(y * BD_X_PI);
    double theta = atan2(y, x) - 0.000003 * cos(x * BD_X_PI);
    return (struct sj_geo_point){z * sin(theta), z * cos(theta)};
}

/* Solves forward(x) = target for x, starting at guess. */
static struct sj_geo_point invert(struct sj_geo_point (*forward)(struct sj_geo_point),
                                  struct sj_geo_point target, struct sj_geo_point guess)
{
    struct sj_geo_point x = guess;
    for (int i = 0; i < INVERSE_MAX_STEPS; i++) {
        struct sj_geo_point f = forward(x);
        double dlat = target.lat - f.lat, dlon = target.lon - f.lon;
        x.lat += dlat;
        x.lon += dlon;
        if (fabs(dlat) < INVERSE_EPS && fabs(dlon) < INVERSE_EPS)
            break;
    }
    return x;
}

struct sj_geo_point sj_geo_gcj02_to_wgs84(struct sj_geo_point p)
{
    if (!sj_geo_is_in_china(p))
        return p;
    return invert(sj_geo_wgs84_to_gcj02, p, p);
}

struct sj_geo_point sj_geo_bd09_to_gcj02(struct sj_geo_point p)
{
    return invert(sj_geo_gcj02_to_bd09, p, bd09_to_gcj02_approx(p));
}

int sj_geo_convert(enum sj_datum from, enum sj_datum to, struct sj_geo_point p,
                   struct sj_geo_point *out)
{
    if (!sj_geo_is_valid(p) || (unsigned)from >= SJ_DATUM_COUNT || (unsigned)to >= SJ_DATUM_COUNT)
        return SJ_EINVAL;
    struct sj_geo_point q = p;
    /* Through GCJ-02, the datum both others are defined against. */
    if (from == SJ_DATUM_WGS84 && to != SJ_DATUM_WGS84)
        q = sj_geo_wgs84_to_gcj02(q);
    else if (from == SJ_DATUM_BD09 && to != SJ_DATUM_BD09)
        q = sj_geo_bd09_to_gcj02(q);
    if (to == SJ_DATUM_WGS84 && from != SJ_DATUM_WGS84)
        q = sj_geo_gcj02_to_wgs84(q);
    else if (to == SJ_DATUM_BD09 && from != SJ_DATUM_BD09)
        q = sj_geo_gcj02_to_bd09(q);
    *out = q;
    return 0;
}

double sj_geo_distance_m(struct sj_geo_point a, struct sj_geo_point b)
{
    double rad = M_PI / 180.0;
    double dlat = (b.lat - a.lat) * rad, dlon = (b.lon - a.lon) * rad;
    double s1 = sin(dlat / 2.0), s2 = sin(dlon / 2.0);
    double h = s1 * s1 + cos(a.lat * rad) * cos(b.lat * rad) * s2 * s2;
    if (h > 1.0)
        h = 1.0;
    return 2.0 * SJ_GEO_EARTH_RADIUS_M * asin(sqrt(h));
}
