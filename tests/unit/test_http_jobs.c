/*
 * test_http_jobs.c - the progress a job reports (src/http/jobs.c) as GET /api/v1/jobs/{id}
 * answers it: bytes_done, bytes_total and percent for a job that reads bytes (an import),
 * null for one that does not (a model run). Table-driven: each step is what the runner reports
 * and what the job's JSON must then say. percent never goes back, stays below 100 while the
 * job runs (even once every byte is read), is 100 once the job is done and keeps its last
 * value when it fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "http/platform_int.h"
#include "test_util.h"

#define NULLV INT64_MIN /* the member is null */
#define STEPS_MAX 8

struct step {
    int64_t done, total;             /* what the runner reports */
    int64_t want_done, want_percent; /* what the JSON says then (NULLV: null) */
    int64_t want_total;              /* 0: the job's size */
};

struct job_case {
    const char *name;
    int64_t size; /* spec.bytes_total; 0: a job without byte counts */
    struct step steps[STEPS_MAX];
    size_t step_count;
    int rc; /* the runner's answer */
    const char *want_state;
    int64_t want_total, want_done, want_percent; /* at the end */
};

/* What the runner saw, checked on the test's thread (cmocka may not fail on a worker). */
struct seen {
    struct sj_http_jobs *pool;
    const struct job_case *c;
    int64_t done[STEPS_MAX + 1], percent[STEPS_MAX + 1], total[STEPS_MAX + 1];
};

static int64_t int_or_null(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : json_is_null(v) ? NULLV : -999;
}

static void snapshot(struct seen *s, struct sj_http_job *job, size_t at)
{
    int64_t office = 0;
    json_t *o = sj_http_jobs_get(s->pool, sj_http_job_id(job), &office);
    s->done[at] = int_or_null(o, "bytes_done");
    s->total[at] = int_or_null(o, "bytes_total");
    s->percent[at] = int_or_null(o, "percent");
    json_decref(o);
}

static int run_steps(struct sj_http_platform *p, struct sj_http_job *job, struct sj_store *store,
                     struct sj_err *err)
{
    (void)p;
    (void)store;
    struct seen *s = sj_http_job_arg(job);
    snapshot(s, job, 0);
    for (size_t i = 0; i < s->c->step_count; i++) {
        if (s->c->size)
            sj_http_job_progress_bytes(job, s->c->steps[i].done, s->c->steps[i].total);
        sj_http_job_progress(job, "importing", (int64_t)i * 10);
        snapshot(s, job, i + 1);
    }
    return s->c->rc < 0 ? sj_err_set(err, s->c->rc, "failed on purpose") : 0;
}

/* One case a paragraph reads better than one value a line. */
/* clang-format off */
static const struct job_case CASES[] = {
    {"a text file", 1000,
     {{-1, 0, NULLV, NULLV, 0},
      {0, 0, 0, 0, 0},
      {370, 0, 370, 37, 0},
      {200, 0, 370, 37, 0}, /* lower than before: ignored */
      {999, 0, 999, 99, 0},
      {1000, 1000, 1000, 99, 0}}, /* every byte read, but not done yet */
     6, 0, "done", 1000, 1000, 100},
    {"a workbook: no bytes until its end", 5000,
     {{-1, 5000, NULLV, NULLV, 0}, {-1, 5000, NULLV, NULLV, 0}, {5000, 5000, 5000, 99, 0}},
     3, 0, "done", 5000, 5000, 100},
    {"a failed import keeps its last percent", 1000,
     {{10, 0, 10, 1, 0}, {500, 0, 500, 50, 0}},
     2, SJ_EIO, "failed", 1000, 500, 50},
    {"a file imported before: no byte reports, done", 1000, {{0, 0, 0, 0, 0}}, 0, 0, "done", 1000,
     1000, 100},
    {"a huge size does not overflow", INT64_MAX / 2,
     {{INT64_MAX / 4, 0, INT64_MAX / 4, 50, 0}},
     1, 0, "done", INT64_MAX / 2, INT64_MAX / 2, 100},
    {"a size that grows: percent holds until the bytes catch up", 1000,
     {{500, 0, 500, 50, 0}, {600, 2000, 600, 50, 2000}, {1500, 0, 1500, 75, 2000}},
     3, 0, "done", 2000, 2000, 100},
    {"a job without byte counts (a model run)", 0,
     {{0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}, 2, 0, "done", NULLV, NULLV, NULLV},
};
/* clang-format on */

/* Polls the job until it has ended (at most ten seconds). */
static json_t *wait_end(struct sj_http_jobs *pool, int64_t id)
{
    for (int i = 0; i < 10000; i++) {
        int64_t office = 0;
        json_t *o = sj_http_jobs_get(pool, id, &office);
        const char *state = json_string_value(json_object_get(o, "state"));
        if (state && (strcmp(state, "done") == 0 || strcmp(state, "failed") == 0))
            return o;
        json_decref(o);
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
    fail_msg("the job did not end");
    return NULL;
}

static void check_case(struct sj_http_jobs *pool, const struct job_case *c)
{
    struct seen s = {.pool = pool, .c = c};
    struct sj_http_job_spec spec = {
        .kind = "import", .office_id = 1, .run = run_steps, .arg = &s, .bytes_total = c->size};
    struct sj_err err;
    int64_t id = 0;
    sj_err_clear(&err);
    assert_int_equal(sj_http_jobs_submit(pool, &spec, &id, &err), 0);
    json_t *end = wait_end(pool, id);
    int64_t want_total = c->size ? c->size : NULLV;
    print_message("# %s\n", c->name);
    assert_true(s.total[0] == want_total && s.done[0] == NULLV && s.percent[0] == NULLV);
    for (size_t i = 0; i < c->step_count; i++) {
        int64_t want_done = c->size ? c->steps[i].want_done : NULLV;
        int64_t want_percent = c->size ? c->steps[i].want_percent : NULLV;
        int64_t step_total = c->steps[i].want_total ? c->steps[i].want_total : want_total;
        assert_int_equal(s.total[i + 1], step_total);
        assert_int_equal(s.done[i + 1], want_done);
        assert_int_equal(s.percent[i + 1], want_percent);
    }
    assert_string_equal(json_string_value(json_object_get(end, "state")), c->want_state);
    assert_int_equal(int_or_null(end, "bytes_total"), c->want_total);
    assert_int_equal(int_or_null(end, "bytes_done"), c->want_done);
    assert_int_equal(int_or_null(end, "percent"), c->want_percent);
    json_decref(end);
}

static void test_progress(void **state)
{
    struct tu_workspace *w = *state;
    struct sj_http_jobs *pool = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(sj_http_jobs_new(NULL, w->ws, 1, &pool, &err), 0);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        check_case(pool, &CASES[i]);
    sj_http_jobs_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_WORKSPACE_TEST(test_progress),
    };
    return cmocka_run_group_tests_name("http_jobs", tests, NULL, NULL);
}
