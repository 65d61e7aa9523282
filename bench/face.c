/*
 * face.c - bench_face: milliseconds per face descriptor (JPEG decode + crop + 150x150 resize +
 * face_recognition_model) in C, and the reference JavaScript's time (face-api, TF.js cpu
 * backend, tests/face/ref.mjs) on the very same pixels in the same run. Median of N runs; the
 * reference's first run (warm-up) is left out. Unknown arguments (from bench/run-all) are
 * ignored. Detection and landmarks are not in the C pipeline yet, so they are not timed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shujian/face.h"

#define RUNS 9

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double reference_ms(const char *ppm)
{
    char cmd[8192];
    int len = snprintf(cmd, sizeof cmd, "node '%s/tests/face/ref.mjs' '%s' descriptor",
                       SJ_SOURCE_ROOT, sj_face_model_dir());
    for (int i = 0; i < RUNS + 1; i++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " '%s'", ppm);
    snprintf(cmd + len, sizeof cmd - (size_t)len, " 2>/dev/null");
    FILE *p = popen(cmd, "r");
    static char buf[1 << 20];
    size_t n = p ? fread(buf, 1, sizeof buf - 1, p) : 0;
    buf[n] = 0;
    if (!p || pclose(p) != 0)
        return -1;
    double ms[RUNS];
    int k = 0;
    char *at = buf;
    while ((at = strstr(at, "\"ms\":")) && k < RUNS + 1) {
        double v = strtod(at + 5, &at);
        if (k++ > 0)
            ms[k - 2] = v;
    }
    if (k < RUNS + 1)
        return -1;
    qsort(ms, RUNS, sizeof ms[0], cmp_double);
    return ms[RUNS / 2];
}

int main(void)
{
    struct sj_face_model *model = NULL;
    struct sj_face_image photo, face;
    struct sj_err err;
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/face/hopper.jpg", SJ_SOURCE_ROOT);
    if (sj_face_model_open(NULL, &model, &err) < 0 ||
        sj_face_image_read_file(path, &photo, &err) < 0) {
        fprintf(stderr, "bench_face: %s\n", err.message);
        return 1;
    }
    sj_face_image_crop(&photo, 158, 140, 213, 209, &face);
    double ms[RUNS];
    float d[SJ_FACE_DESCRIPTOR_LEN];
    for (int i = 0; i < RUNS; i++) {
        double t0 = now_ms();
        sj_face_descriptor(model, &face, d, &err);
        ms[i] = now_ms() - t0;
    }
    qsort(ms, RUNS, sizeof ms[0], cmp_double);
    snprintf(path, sizeof path, "/tmp/bench_face_%d.ppm", (int)getpid());
    sj_face_image_write_ppm(&face, path, &err);
    double js = reference_ms(path);
    remove(path);
    printf("face descriptor (150x150, ResNet-34-like): C %.1f ms, face-api/TF.js cpu %.1f ms "
           "(median of %d)\n",
           ms[RUNS / 2], js, RUNS);
    sj_face_image_release(&face);
    sj_face_image_release(&photo);
    sj_face_model_close(model);
    return 0;
}
