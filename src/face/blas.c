/*
 * blas.c - OpenBLAS loaded when the face networks first need it (dlopen), not linked into the
 * binary: a linked OpenBLAS (the pthread build Debian installs) starts its worker threads
 * before main in every command, which then spin for about 0.1 s of CPU whether or not a face
 * is ever looked at (docs/PERFORMANCE.md, "model"). Invariant: the library is looked up once
 * per process; when it cannot be loaded, sgemm falls back to a plain loop with the same
 * result (slower), so no caller has to handle a missing library.
 */
#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#include "shujian/core.h"
#include "face/face_int.h"

typedef __typeof__(cblas_sgemm) sgemm_fn;
typedef __typeof__(openblas_set_num_threads) set_threads_fn;

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static sgemm_fn *blas_sgemm;
static set_threads_fn *blas_set_threads;

static void load_blas(void)
{
    void *lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        SJ_WARN("OpenBLAS not found (%s): face networks run on a plain loop, much slower",
                dlerror());
        return;
    }
    /* POSIX's way to take a function from dlsym without an object-to-function cast. */
    *(void **)&blas_sgemm = dlsym(lib, "cblas_sgemm");
    *(void **)&blas_set_threads = dlsym(lib, "openblas_set_num_threads");
    /* One thread unless OPENBLAS_NUM_THREADS says otherwise: the server verifies several
     * photos at once on its own threads (docs/PERFORMANCE.md, "face"). */
    if (blas_set_threads && !getenv("OPENBLAS_NUM_THREADS"))
        blas_set_threads(1);
}

void sj_face_blas_load(void)
{
    pthread_once(&blas_once, load_blas);
}

/* C = A B, row-major, A m x k, B k x n, C m x n, no transposes: what nn.c asks of sgemm. */
static void plain_sgemm(int m, int n, int k, const float *a, const float *b, float *c)
{
    for (int i = 0; i < m; i++) {
        float *row = c + (size_t)i * n;
        for (int j = 0; j < n; j++)
            row[j] = 0.0f;
        for (int p = 0; p < k; p++) {
            float x = a[(size_t)i * k + p];
            const float *brow = b + (size_t)p * n;
            for (int j = 0; j < n; j++)
                row[j] += x * brow[j];
        }
    }
}

void sj_face_sgemm(int m, int n, int k, const float *a, const float *b, float *c)
{
    sj_face_blas_load();
    if (blas_sgemm)
        blas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f,
                   c, n);
    else
        plain_sgemm(m, n, k, a, b, c);
}
