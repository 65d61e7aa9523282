/*
 * cmd_geo.c - `shujian geo convert FROM TO LAT LON`: converts a point between the datums
 * phones in China report (wgs84, gcj02, bd09; shujian/geo.h) and prints it as JSON
 * {"from","to","lat","lon"}, for technicians checking a phone's or a map's coordinates.
 * Invariants: numbers are read whole (no trailing text, finite); the output has 15 significant
 * digits, so converting the output back gives the input to well under a millimetre.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "shujian/geo.h"

static const char usage[] =
    "usage: shujian geo convert FROM TO LAT LON\n"
    "\n"
    "Converts the point (LAT, LON), in decimal degrees, from datum FROM to datum TO and prints\n"
    "{\"from\":..,\"to\":..,\"lat\":..,\"lon\":..}. The datums are:\n"
    "  wgs84   GPS (WGS-84), what the platform stores\n"
    "  gcj02   国测局坐标 (GCJ-02), what most phones and maps in China report\n"
    "  bd09    百度坐标 (BD-09)\n"
    "Outside China GCJ-02 equals WGS-84. Inverse conversions are iterated to about 0.01 mm.\n"
    "\n"
    "Exit status: 0 converted, 1 the point is out of range, 2 on a usage error.\n"
    "\n"
    "Example:\n"
    "  shujian geo convert wgs84 gcj02 31.1774276 121.5272106\n";

static int parse_degrees(const char *text, double *out)
{
    char *end = NULL;
    if (!text || !*text)
        return -1;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int convert(int argc, char **argv)
{
    enum sj_datum from, to;
    struct sj_geo_point in, out;
    if (argc != 6)
        return sj_cli_usage_error(&sj_cmd_geo, "convert needs FROM TO LAT LON");
    if (sj_datum_parse(argv[2], &from) < 0)
        return sj_cli_usage_error(&sj_cmd_geo, "unknown datum '%s'", argv[2]);
    if (sj_datum_parse(argv[3], &to) < 0)
        return sj_cli_usage_error(&sj_cmd_geo, "unknown datum '%s'", argv[3]);
    if (parse_degrees(argv[4], &in.lat) < 0 || parse_degrees(argv[5], &in.lon) < 0)
        return sj_cli_usage_error(&sj_cmd_geo, "LAT and LON must be decimal numbers");
    if (sj_geo_convert(from, to, in, &out) < 0) {
        fprintf(stderr, "shujian geo: 坐标超出范围（纬度 -90 至 90，经度 -180 至 180）\n");
        return SJ_EXIT_NEGATIVE;
    }
    json_t *root = json_pack("{s:s, s:s, s:f, s:f}", "from", sj_datum_name(from), "to",
                             sj_datum_name(to), "lat", out.lat, "lon", out.lon);
    char *text =
        root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
             : NULL;
    json_decref(root);
    if (!text)
        return SJ_EXIT_FAILURE;
    puts(text);
    free(text);
    return SJ_EXIT_OK;
}

static int run(int argc, char **argv)
{
    if (sj_cli_wants_help(&sj_cmd_geo, argc, argv))
        return SJ_EXIT_OK;
    if (argc < 2)
        return sj_cli_usage_error(&sj_cmd_geo, "which subcommand?");
    if (strcmp(argv[1], "convert") == 0)
        return convert(argc, argv);
    return sj_cli_usage_error(&sj_cmd_geo, "unknown subcommand '%s'", argv[1]);
}

const struct cmd sj_cmd_geo = {
    .name = "geo",
    .summary = "convert coordinates between WGS-84, GCJ-02 and BD-09",
    .usage = usage,
    .run = run,
};
