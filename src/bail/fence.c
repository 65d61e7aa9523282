/*
 * fence.c - fence geometry (shujian/bail.h): circles and polygons with holes, judged with a
 * fix's accuracy circle, and a grid index for evaluating one point against many fences.
 *
 * Invariants: a polygon ring has >= 3 points and is implicitly closed; the bounding box of a
 * fence contains every point of it (circles get a margin). Polygon distances are computed in
 * a local equirectangular projection centred on the query point, in metres; a point within
 * ON_EDGE_M of an edge is "on" it, which is judged UNCERTAIN whatever the accuracy, so the
 * even-odd crossing test never decides a case its rounding could get wrong.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

#define ON_EDGE_M 0.01
#define M_PER_DEG (SJ_GEO_EARTH_RADIUS_M * M_PI / 180.0)
#define GRID_CELLS_PER_FENCE 2
#define GRID_CELLS_MAX 65536

/* ---- Names --------------------------------------------------------------------------------- */

const char *sj_fence_kind_name(enum sj_fence_kind kind)
{
    return kind == SJ_FENCE_FORBIDDEN ? "forbidden" : "allowed";
}

const char *sj_fence_kind_label(enum sj_fence_kind kind)
{
    return kind == SJ_FENCE_FORBIDDEN ? "禁入区域" : "允许区域";
}

int sj_fence_kind_parse(const char *text, enum sj_fence_kind *kind)
{
    if (!text)
        return SJ_EINVAL;
    if (strcmp(text, "allowed") == 0 || strcmp(text, "允许区域") == 0) {
        *kind = SJ_FENCE_ALLOWED;
        return 0;
    }
    if (strcmp(text, "forbidden") == 0 || strcmp(text, "禁入区域") == 0) {
        *kind = SJ_FENCE_FORBIDDEN;
        return 0;
    }
    return SJ_EINVAL;
}

const char *sj_fence_rel_name(enum sj_fence_rel rel)
{
    switch (rel) {
    case SJ_FENCE_INSIDE:
        return "inside";
    case SJ_FENCE_UNCERTAIN:
        return "uncertain";
    default:
        return "outside";
    }
}

/* ---- Building ------------------------------------------------------------------------------ */

/* Degrees of longitude that span metres at latitudes up to |lat_abs| (conservative). */
static double lon_degrees(double metres, double lat_abs)
{
    double c = cos(fmin(lat_abs, 89.0) * M_PI / 180.0);
    return metres / (M_PER_DEG * c);
}

int sj_fence_circle(struct sj_geo_point center, double radius_m, struct sj_fence *out,
                    struct sj_err *err)
{
    memset(out, 0, sizeof *out);
    if (!sj_geo_is_valid(center))
        return sj_err_set(err, SJ_EINVAL, "圆形围栏的圆心坐标无效");
    if (!(radius_m >= SJ_FENCE_RADIUS_MIN_M && radius_m <= SJ_FENCE_RADIUS_MAX_M))
        return sj_err_set(err, SJ_EINVAL, "圆形围栏的半径应在 %.0f 至 %.0f 米之间",
                          SJ_FENCE_RADIUS_MIN_M, SJ_FENCE_RADIUS_MAX_M);
    out->shape = SJ_FENCE_CIRCLE;
    out->center = center;
    out->radius_m = radius_m;
    sj_fence_prepare(out);
    return 0;
}

void sj_fence_prepare(struct sj_fence *f)
{
    if (f->shape == SJ_FENCE_CIRCLE) {
        double margin = f->radius_m * 1.01 + 1.0;
        double dlat = margin / M_PER_DEG;
        f->min_lat = f->center.lat - dlat;
        f->max_lat = f->center.lat + dlat;
        double dlon = lon_degrees(margin, fabs(f->center.lat) + dlat);
        f->min_lon = f->center.lon - dlon;
        f->max_lon = f->center.lon + dlon;
        return;
    }
    f->min_lat = f->min_lon = INFINITY;
    f->max_lat = f->max_lon = -INFINITY;
    for (size_t r = 0; r < f->ring_count; r++) {
        for (size_t i = 0; i < f->rings[r].count; i++) {
            struct sj_geo_point p = f->rings[r].points[i];
            f->min_lat = fmin(f->min_lat, p.lat);
            f->max_lat = fmax(f->max_lat, p.lat);
            f->min_lon = fmin(f->min_lon, p.lon);
            f->max_lon = fmax(f->max_lon, p.lon);
        }
    }
}

void sj_fence_release(struct sj_fence *f)
{
    if (!f)
        return;
    for (size_t r = 0; r < f->ring_count; r++)
        free(f->rings[r].points);
    free(f->rings);
    f->rings = NULL;
    f->ring_count = 0;
}

/* ---- Judging one fence --------------------------------------------------------------------- */

/* Distance from the origin to segment (ax, ay)-(bx, by). */
static double origin_segment_distance(double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0.0 ? -(ax * dx + ay * dy) / len2 : 0.0;
    t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
    double x = ax + t * dx, y = ay + t * dy;
    return sqrt(x * x + y * y);
}

/* Walks one ring in the projection centred on p: the nearest edge distance, and whether a
 * ray from p towards +x crosses the ring an odd number of times. */
static double ring_scan(const struct sj_fence_ring *ring, struct sj_geo_point p, double kx,
                        bool *is_odd)
{
    double best = INFINITY;
    bool odd = false;
    const struct sj_geo_point *pts = ring->points;
    double px = (pts[ring->count - 1].lon - p.lon) * kx;
    double py = (pts[ring->count - 1].lat - p.lat) * M_PER_DEG;
    for (size_t i = 0; i < ring->count; i++) {
        double x = (pts[i].lon - p.lon) * kx, y = (pts[i].lat - p.lat) * M_PER_DEG;
        if ((y > 0.0) != (py > 0.0)) {
            double cross_x = px + (0.0 - py) * (x - px) / (y - py);
            if (cross_x > 0.0)
                odd = !odd;
        }
        double d = origin_segment_distance(px, py, x, y);
        if (d < best)
            best = d;
        px = x;
        py = y;
    }
    *is_odd = odd;
    return best;
}

double sj_fence_boundary_distance_m(const struct sj_fence *f, struct sj_geo_point p,
                                    bool *is_inside)
{
    double dist;
    bool inside = false;
    if (f->shape == SJ_FENCE_CIRCLE) {
        double d = sj_geo_distance_m(f->center, p);
        dist = fabs(d - f->radius_m);
        inside = d < f->radius_m;
    } else {
        double kx = M_PER_DEG * cos(p.lat * M_PI / 180.0);
        dist = INFINITY;
        for (size_t r = 0; r < f->ring_count; r++) {
            bool odd = false;
            double d = ring_scan(&f->rings[r], p, kx, &odd);
            dist = fmin(dist, d);
            if (odd)
                inside = !inside; /* even-odd over outer ring and holes */
        }
    }
    if (dist < ON_EDGE_M) {
        dist = 0.0;
        inside = false;
    }
    if (is_inside)
        *is_inside = inside;
    return dist;
}

enum sj_fence_rel sj_fence_judge(const struct sj_fence *f, struct sj_geo_point p, double accuracy_m)
{
    double acc = accuracy_m > 0.0 ? accuracy_m : 0.0; /* NaN fails the test too */
    bool inside = false;
    double dist = sj_fence_boundary_distance_m(f, p, &inside);
    if (dist < ON_EDGE_M || dist <= acc)
        return SJ_FENCE_UNCERTAIN;
    return inside ? SJ_FENCE_INSIDE : SJ_FENCE_OUTSIDE;
}

/* ---- The grid index ------------------------------------------------------------------------ */

struct box {
    double min_lat, max_lat, min_lon, max_lon;
};

struct sj_fence_set {
    const struct sj_fence *fences;
    size_t count;
    struct box extent; /* union of the fences' boxes */
    int rows, cols;    /* cells: rows along latitude, cols along longitude */
    double cell_lat, cell_lon;
    uint32_t *cell_start; /* rows * cols + 1 offsets into entries */
    uint32_t *entries;    /* fence indexes, cell by cell */
};

static int cell_row(const struct sj_fence_set *s, double lat)
{
    double r = floor((lat - s->extent.min_lat) / s->cell_lat);
    return r < 0.0 ? 0 : (r >= s->rows ? s->rows - 1 : (int)r);
}

static int cell_col(const struct sj_fence_set *s, double lon)
{
    double c = floor((lon - s->extent.min_lon) / s->cell_lon);
    return c < 0.0 ? 0 : (c >= s->cols ? s->cols - 1 : (int)c);
}

static void grid_shape(struct sj_fence_set *s)
{
    double height = fmax(s->extent.max_lat - s->extent.min_lat, 1e-6);
    double width = fmax(s->extent.max_lon - s->extent.min_lon, 1e-6);
    double cells = (double)(s->count * GRID_CELLS_PER_FENCE);
    if (cells > GRID_CELLS_MAX)
        cells = GRID_CELLS_MAX;
    double side = sqrt(height * width / fmax(cells, 1.0));
    s->rows = (int)fmin(fmax(ceil(height / side), 1.0), 1024.0);
    s->cols = (int)fmin(fmax(ceil(width / side), 1.0), 1024.0);
    s->cell_lat = height / s->rows;
    s->cell_lon = width / s->cols;
}

/* Counts (fill = false) or writes (fill = true) each fence into the cells its box covers. */
static void grid_place(struct sj_fence_set *s, uint32_t *cursor, bool fill)
{
    for (size_t i = 0; i < s->count; i++) {
        const struct sj_fence *f = &s->fences[i];
        int r0 = cell_row(s, f->min_lat), r1 = cell_row(s, f->max_lat);
        int c0 = cell_col(s, f->min_lon), c1 = cell_col(s, f->max_lon);
        for (int r = r0; r <= r1; r++) {
            for (int c = c0; c <= c1; c++) {
                size_t cell = (size_t)r * (size_t)s->cols + (size_t)c;
                if (fill)
                    s->entries[cursor[cell]++] = (uint32_t)i;
                else
                    s->cell_start[cell + 1]++;
            }
        }
    }
}

void sj_fence_set_new(const struct sj_fence *fences, size_t count, struct sj_fence_set **out)
{
    struct sj_fence_set *s = sj_xcalloc(1, sizeof *s);
    s->fences = fences;
    s->count = count;
    s->extent = (struct box){INFINITY, -INFINITY, INFINITY, -INFINITY};
    for (size_t i = 0; i < count; i++) {
        s->extent.min_lat = fmin(s->extent.min_lat, fences[i].min_lat);
        s->extent.max_lat = fmax(s->extent.max_lat, fences[i].max_lat);
        s->extent.min_lon = fmin(s->extent.min_lon, fences[i].min_lon);
        s->extent.max_lon = fmax(s->extent.max_lon, fences[i].max_lon);
    }
    if (count == 0)
        s->extent = (struct box){0, 0, 0, 0};
    grid_shape(s);
    size_t cells = (size_t)s->rows * (size_t)s->cols;
    s->cell_start = sj_xcalloc(cells + 1, sizeof *s->cell_start);
    grid_place(s, NULL, false);
    for (size_t c = 0; c < cells; c++)
        s->cell_start[c + 1] += s->cell_start[c];
    s->entries = sj_xmalloc(((size_t)s->cell_start[cells] + 1) * sizeof *s->entries);
    uint32_t *cursor = sj_xmalloc(cells * sizeof *cursor);
    memcpy(cursor, s->cell_start, cells * sizeof *cursor);
    grid_place(s, cursor, true);
    free(cursor);
    *out = s;
}

void sj_fence_set_free(struct sj_fence_set *set)
{
    if (!set)
        return;
    free(set->cell_start);
    free(set->entries);
    free(set);
}

static bool boxes_meet(const struct box *q, const struct sj_fence *f)
{
    return q->min_lat <= f->max_lat && f->min_lat <= q->max_lat && q->min_lon <= f->max_lon &&
           f->min_lon <= q->max_lon;
}

static int hit_cmp(const void *a, const void *b)
{
    size_t x = ((const struct sj_fence_hit *)a)->index, y = ((const struct sj_fence_hit *)b)->index;
    return x < y ? -1 : (x > y);
}

/* A fence whose box meets the query box is met in several cells; it is judged only in the
 * cell holding the low corner of the intersection of the two boxes. */
static bool is_home_cell(const struct sj_fence_set *s, const struct box *q,
                         const struct sj_fence *f, int r, int c)
{
    return cell_row(s, fmax(q->min_lat, f->min_lat)) == r &&
           cell_col(s, fmax(q->min_lon, f->min_lon)) == c;
}

size_t sj_fence_set_query(const struct sj_fence_set *set, struct sj_geo_point p, double accuracy_m,
                          struct sj_fence_hit *hits, size_t max)
{
    double acc = accuracy_m > 0.0 ? accuracy_m : 0.0;
    double dlat = (acc + 1.0) / M_PER_DEG;
    double dlon = lon_degrees(acc + 1.0, fabs(p.lat) + dlat);
    struct box q = {p.lat - dlat, p.lat + dlat, p.lon - dlon, p.lon + dlon};
    const struct box *e = &set->extent;
    if (set->count == 0 || q.max_lat < e->min_lat || q.min_lat > e->max_lat ||
        q.max_lon < e->min_lon || q.min_lon > e->max_lon)
        return 0;
    size_t found = 0;
    int r0 = cell_row(set, q.min_lat), r1 = cell_row(set, q.max_lat);
    int c0 = cell_col(set, q.min_lon), c1 = cell_col(set, q.max_lon);
    for (int r = r0; r <= r1; r++) {
        for (int c = c0; c <= c1; c++) {
            size_t cell = (size_t)r * (size_t)set->cols + (size_t)c;
            for (uint32_t k = set->cell_start[cell]; k < set->cell_start[cell + 1]; k++) {
                const struct sj_fence *f = &set->fences[set->entries[k]];
                if (!boxes_meet(&q, f) || !is_home_cell(set, &q, f, r, c))
                    continue;
                enum sj_fence_rel rel = sj_fence_judge(f, p, acc);
                if (rel == SJ_FENCE_OUTSIDE)
                    continue;
                if (found < max)
                    hits[found] = (struct sj_fence_hit){set->entries[k], rel};
                found++;
            }
        }
    }
    size_t written = found < max ? found : max;
    if (written > 1)
        qsort(hits, written, sizeof *hits, hit_cmp);
    return found;
}
