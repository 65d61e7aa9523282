/*
 * face.c - bench_face: milliseconds per face verification of one photo - JPEG decode, SSD
 * MobileNet v1 detection, 68 landmarks, alignment, sharpness and the 128-D descriptor
 * (sj_face_probe_jpeg) - in C with OpenBLAS on one thread (the default) and on two, and the
 * reference JavaScript (face-api on TF.js's cpu backend, tests/face/ref.mjs "full": detection,
 * landmarks and descriptor from already decoded pixels) on the same photos in the same run. C:
 * median of RUNS; the reference: one timed run per photo after a warm-up run (10-40 s each).
 * Unknown arguments (from bench/run-all) are ignored. Prints wall-clock times: run it on a
 * quiet machine (bench/run-all prints the load first).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shujian/face.h"

#define RUNS 11
#define PHOTOS 2

static const char *const names[PHOTOS] = {"collins.jpg", "hopper.jpg"};

static double clock_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int read_all(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    *data = malloc(1 << 22);
    *len = fread(*data, 1, 1 << 22, f);
    fclose(f);
    return 0;
}

/* Median wall-clock and process CPU milliseconds of RUNS verifications of photo. */
static int time_c(const struct sj_face_model *model, const uint8_t *photo, size_t len, double *wall,
                  double *cpu)
{
    double ms[RUNS], cpu_ms[RUNS];
    struct sj_face_probe p;
    struct sj_err err;
    for (int i = 0; i < RUNS; i++) {
        double t0 = now_ms(), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
        if (sj_face_probe_jpeg(model, photo, len, &p, &err) < 0 || p.problem != SJ_FACE_USABLE)
            return -1;
        ms[i] = now_ms() - t0;
        cpu_ms[i] = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    qsort(ms, RUNS, sizeof ms[0], cmp_double);
    qsort(cpu_ms, RUNS, sizeof cpu_ms[0], cmp_double);
    *wall = ms[RUNS / 2];
    *cpu = cpu_ms[RUNS / 2];
    return 0;
}

/* The reference's ms for each photo (PPM files): a warm-up run of the first, then each once. */
static int time_js(char ppm[PHOTOS][64], double js[PHOTOS])
{
    char cmd[4096];
    static char buf[1 << 22];
    int len = snprintf(cmd, sizeof cmd, "node '%s/tests/face/ref.mjs' '%s' full '%s'",
                       SJ_SOURCE_ROOT, sj_face_model_dir(), ppm[0]);
    for (int i = 0; i < PHOTOS; i++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " '%s'", ppm[i]);
    snprintf(cmd + len, sizeof cmd - (size_t)len, " 2>/dev/null");
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(buf, 1, sizeof buf - 1, p) : 0;
    buf[n] = 0;
    if (!p || pclose(p) != 0)
        return -1;
    char *at = buf;
    for (int k = 0; k <= PHOTOS; k++) {
        at = strstr(at, "\"ms\":");
        if (!at)
            return -1;
        double v = strtod(at + 5, &at);
        if (k > 0)
            js[k - 1] = v;
    }
    return 0;
}

int main(void)
{
    struct sj_face_model *model = NULL;
    struct sj_err err;
    uint8_t *photo[PHOTOS];
    size_t len[PHOTOS];
    char path[4096], ppm[PHOTOS][64];
    double c2[PHOTOS], c1[PHOTOS], cpu2[PHOTOS], cpu1[PHOTOS], js[PHOTOS];
    double t0 = now_ms();
    if (sj_face_model_open(NULL, &model, &err) < 0) {
        fprintf(stderr, "bench_face: %s\n", err.message);
        return 1;
    }
    double load_ms = now_ms() - t0;
    for (int i = 0; i < PHOTOS; i++) {
        struct sj_face_image img;
        snprintf(path, sizeof path, "%s/tests/data/face/%s", SJ_SOURCE_ROOT, names[i]);
        snprintf(ppm[i], sizeof ppm[i], "/tmp/bench_face_%d_%d.ppm", (int)getpid(), i);
        if (read_all(path, &photo[i], &len[i]) < 0 ||
            sj_face_image_read_file(path, &img, &err) < 0 ||
            sj_face_image_write_ppm(&img, ppm[i], &err) < 0) {
            fprintf(stderr, "bench_face: cannot read %s\n", path);
            return 1;
        }
        sj_face_image_release(&img);
    }
    /* The model opened with one BLAS thread (unless OPENBLAS_NUM_THREADS); then both cores. */
    int threads = openblas_get_num_threads();
    for (int i = 0; i < PHOTOS; i++)
        if (time_c(model, photo[i], len[i], &c1[i], &cpu1[i]) < 0)
            return fprintf(stderr, "bench_face: %s: no usable face\n", names[i]), 1;
    openblas_set_num_threads(2);
    for (int i = 0; i < PHOTOS; i++)
        time_c(model, photo[i], len[i], &c2[i], &cpu2[i]);
    int js_rc = time_js(ppm, js);
    printf("face verification per photo (decode, detect, landmarks, align, descriptor), median "
           "of %d; model load %.0f ms; wall (CPU) ms\n",
           RUNS, load_ms);
    for (int i = 0; i < PHOTOS; i++) {
        printf("  %-12s C %d thread(s) %5.1f (%5.1f), C 2 threads %5.1f (%5.1f)", names[i], threads,
               c1[i], cpu1[i], c2[i], cpu2[i]);
        if (js_rc == 0)
            printf(", face-api/TF.js cpu %6.0f: C %.0fx faster\n", js[i],
                   js[i] / (c1[i] < c2[i] ? c1[i] : c2[i]));
        else
            printf(", face-api/TF.js: could not run (node, scripts/bootstrap?)\n");
        remove(ppm[i]);
        free(photo[i]);
    }
    sj_face_model_close(model);
    return 0;
}
