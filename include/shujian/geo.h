/*
 * geo.h - positions on the earth for bail supervision (src/bail/geo.c, docs/BAIL.md): the
 * three datums phones in China report (WGS-84, GCJ-02, BD-09), conversion between them, and
 * great-circle distance.
 *
 * - GCJ-02 is WGS-84 shifted by the published obfuscation polynomial (ellipsoid a = 6378245,
 *   e^2 = 0.00669342162296594323, the "eviltransform" algorithm); BD-09 is GCJ-02 turned and
 *   shifted again by Baidu's published formula. The forward directions are closed formulas;
 *   the inverse directions are solved by fixed-point iteration to better than 1e-9 degrees
 *   (about 0.1 mm), so a round trip moves a point by far less than 1 m.
 * - Outside China (the rectangle longitude 72.004..137.8347, latitude 0.8293..55.8271, the
 *   box the published algorithm uses) GCJ-02 has no offset: WGS-84 and GCJ-02 are the same
 *   point there. BD-09's own shift applies everywhere, as Baidu's formula does.
 * - Everything is a pure function of its arguments: no state, safe from any thread.
 */
#ifndef SHUJIAN_GEO_H
#define SHUJIAN_GEO_H

#include <stdbool.h>

#include "shujian/core.h"

enum sj_datum {
    SJ_DATUM_WGS84 = 0, /* "wgs84": GPS, the datum everything is stored in */
    SJ_DATUM_GCJ02 = 1, /* "gcj02": 国测局坐标, what most phones in China report */
    SJ_DATUM_BD09 = 2,  /* "bd09": 百度坐标 */
    SJ_DATUM_COUNT
};

/* A point in decimal degrees: latitude -90..90, longitude -180..180. */
struct sj_geo_point {
    double lat;
    double lon;
};

#define SJ_GEO_EARTH_RADIUS_M 6371008.8 /* IUGG mean earth radius, for distances */

/* "wgs84", "gcj02", "bd09" (static storage). */
const char *sj_datum_name(enum sj_datum datum);
/* Parses a datum name; case-insensitive, and "wgs-84", "gcj-02", "bd-09" are accepted too.
 * 0 or SJ_EINVAL. */
int sj_datum_parse(const char *name, enum sj_datum *datum);

/* True when p is finite and inside the latitude and longitude ranges above. */
bool sj_geo_is_valid(struct sj_geo_point p);
/* True when p lies in the rectangle where GCJ-02 differs from WGS-84. */
bool sj_geo_is_in_china(struct sj_geo_point p);

/* Converts p from one datum to another into *out (out may alias nothing: it is written
 * once at the end). Returns 0, or SJ_EINVAL when p is not a valid point (*out untouched). */
int sj_geo_convert(enum sj_datum from, enum sj_datum to, struct sj_geo_point p,
                   struct sj_geo_point *out);

/* The single steps, exposed for tests and benchmarks. The inverses iterate (see above). */
struct sj_geo_point sj_geo_wgs84_to_gcj02(struct sj_geo_point p);
struct sj_geo_point sj_geo_gcj02_to_wgs84(struct sj_geo_point p);
struct sj_geo_point sj_geo_gcj02_to_bd09(struct sj_geo_point p);
struct sj_geo_point sj_geo_bd09_to_gcj02(struct sj_geo_point p);

/* Great-circle (haversine) distance between a and b in metres on a sphere of
 * SJ_GEO_EARTH_RADIUS_M; accurate to about 0.5 % against the ellipsoid. */
double sj_geo_distance_m(struct sj_geo_point a, struct sj_geo_point b);

#endif
