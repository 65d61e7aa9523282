/*
 * jobs.c - long work the API starts and the client polls: imports of uploaded files and
 * model runs. A small pool of worker threads, each with its own workspace connection, takes
 * jobs in order from a queue; GET /api/v1/jobs/{id} reads a snapshot (state, phase, rows so
 * far, bytes read and percent done for a job that reports them, the result or the error)
 * under the pool's lock.
 *
 * Jobs live in memory: after a restart they are gone, but what they did is in the workspace
 * (the import or the run, and its ledger entry). At most SJ_HTTP_JOBS_KEPT finished jobs are
 * remembered; the oldest finished ones are forgotten first.
 *
 * Invariants: a job's fields other than phase/rows/bytes/percent/state/result are written
 * before it is queued and never after; everything a snapshot reads is read under the lock.
 * percent never goes back, and is 100 only once the job is done.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/platform_int.h"

#define QUEUE_MAX 256 /* jobs waiting at most */

struct sj_http_job {
    int64_t id;
    const char *kind;
    int64_t office_id;
    char *actor, *office_code, *peer;
    json_t *input;
    sj_http_job_fn run;
    void *arg;
    void (*free_arg)(void *arg);
    /* under the lock */
    enum sj_http_job_state state;
    const char *phase;
    int64_t rows;
    int64_t bytes_done;  /* -1 while not known */
    int64_t bytes_total; /* 0: the job reports no byte counts */
    int percent;         /* -1 while not known */
    json_t *result;
    char error[512];
    int64_t created_ms, started_ms, finished_ms;
    struct sj_http_job *next_queued;
    struct sj_http_jobs *pool;
};

struct sj_http_jobs {
    struct sj_http_platform *platform;
    char *workspace;
    pthread_mutex_t lock;
    pthread_cond_t has_work;
    pthread_mutex_t run_lock; /* one job writes at a time: SQLite has one writer anyway, and a
                                 second would only wait out the busy timeout and fail */
    bool is_stopping;
    struct sj_http_job **all; /* by id, oldest first */
    size_t count, alloc;
    struct sj_http_job *head, *tail;
    size_t queued;
    int64_t next_id;
    pthread_t *threads;
    unsigned thread_count;
};

static void job_free(struct sj_http_job *job)
{
    if (!job)
        return;
    if (job->free_arg)
        job->free_arg(job->arg);
    json_decref(job->input);
    json_decref(job->result);
    free(job->actor);
    free(job->office_code);
    free(job->peer);
    free(job);
}

/* ---- What a runner calls -----------------------------------------------------------------------
 */

void sj_http_job_progress(struct sj_http_job *job, const char *phase, int64_t rows)
{
    pthread_mutex_lock(&job->pool->lock);
    if (phase)
        job->phase = phase;
    if (rows >= 0)
        job->rows = rows;
    pthread_mutex_unlock(&job->pool->lock);
}

void sj_http_job_progress_bytes(struct sj_http_job *job, int64_t bytes_done, int64_t bytes_total)
{
    pthread_mutex_lock(&job->pool->lock);
    if (bytes_total > 0)
        job->bytes_total = bytes_total;
    if (bytes_done > job->bytes_done)
        job->bytes_done = bytes_done < job->bytes_total ? bytes_done : job->bytes_total;
    if (job->bytes_total > 0 && job->bytes_done >= 0) {
        /* 100 is for a job that is done (run_one), not for the last byte read. */
        int64_t percent = job->bytes_total > INT64_MAX / 100
                              ? job->bytes_done / (job->bytes_total / 100)
                              : job->bytes_done * 100 / job->bytes_total;
        if (percent > 99)
            percent = 99;
        if (percent > job->percent)
            job->percent = (int)percent;
    }
    pthread_mutex_unlock(&job->pool->lock);
}

void sj_http_job_finish(struct sj_http_job *job, json_t *result)
{
    pthread_mutex_lock(&job->pool->lock);
    json_decref(job->result);
    job->result = result;
    pthread_mutex_unlock(&job->pool->lock);
}

int64_t sj_http_job_id(const struct sj_http_job *job)
{
    return job->id;
}

int64_t sj_http_job_office(const struct sj_http_job *job)
{
    return job->office_id;
}

const char *sj_http_job_actor(const struct sj_http_job *job)
{
    return job->actor;
}

const char *sj_http_job_office_code(const struct sj_http_job *job)
{
    return job->office_code;
}

const char *sj_http_job_peer(const struct sj_http_job *job)
{
    return job->peer;
}

void *sj_http_job_arg(const struct sj_http_job *job)
{
    return job->arg;
}

/* ---- Workers ------------------------------------------------------------------------------------
 */

static void run_one(struct sj_http_jobs *pool, struct sj_http_job *job, struct sj_store *store,
                    const struct sj_err *open_err)
{
    struct sj_err err;
    sj_err_clear(&err);
    pthread_mutex_lock(&pool->run_lock);
    int rc = store ? job->run(pool->platform, job, store, &err) : SJ_EIO;
    pthread_mutex_unlock(&pool->run_lock);
    if (!store)
        err = *open_err;
    pthread_mutex_lock(&pool->lock);
    job->finished_ms = sj_http_now_ms();
    job->state = rc == 0 ? SJ_JOB_DONE : SJ_JOB_FAILED;
    job->phase = rc == 0 ? "done" : "failed";
    if (rc == 0 && job->bytes_total > 0) {
        job->bytes_done = job->bytes_total;
        job->percent = 100;
    }
    if (rc < 0) {
        snprintf(job->error, sizeof job->error, "%s",
                 err.message[0] ? err.message : "任务失败，请联系管理员查看日志");
        SJ_WARN("job %lld (%s) failed: %s", (long long)job->id, job->kind, err.message);
    }
    pthread_mutex_unlock(&pool->lock);
}

static void *worker_main(void *arg)
{
    struct sj_http_jobs *pool = arg;
    struct sj_store *store = NULL;
    struct sj_err open_err;
    sj_err_clear(&open_err);
    if (sj_store_open(pool->workspace, true, &store, &open_err) < 0)
        SJ_ERROR("job worker: %s", open_err.message);
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->head && !pool->is_stopping)
            pthread_cond_wait(&pool->has_work, &pool->lock);
        if (pool->is_stopping)
            break;
        struct sj_http_job *job = pool->head;
        pool->head = job->next_queued;
        if (!pool->head)
            pool->tail = NULL;
        pool->queued--;
        job->state = SJ_JOB_RUNNING;
        job->phase = "starting";
        job->started_ms = sj_http_now_ms();
        pthread_mutex_unlock(&pool->lock);
        run_one(pool, job, store, &open_err);
        pthread_mutex_lock(&pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
    sj_store_close(store);
    return NULL;
}

int sj_http_jobs_new(struct sj_http_platform *platform, const char *workspace, unsigned workers,
                     struct sj_http_jobs **out, struct sj_err *err)
{
    struct sj_http_jobs *pool = sj_xcalloc(1, sizeof *pool);
    pool->platform = platform;
    pool->workspace = sj_xstrdup(workspace);
    pool->next_id = 1;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_mutex_init(&pool->run_lock, NULL);
    pthread_cond_init(&pool->has_work, NULL);
    pool->threads = sj_xcalloc(workers ? workers : 1, sizeof *pool->threads);
    for (unsigned i = 0; i < (workers ? workers : 1); i++) {
        if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
            sj_http_jobs_free(pool);
            *out = NULL;
            return sj_err_set(err, SJ_EIO, "cannot start the job workers");
        }
        pool->thread_count++;
    }
    *out = pool;
    return 0;
}

void sj_http_jobs_free(struct sj_http_jobs *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->is_stopping = true;
    pthread_cond_broadcast(&pool->has_work);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->thread_count; i++)
        pthread_join(pool->threads[i], NULL);
    for (size_t i = 0; i < pool->count; i++)
        job_free(pool->all[i]);
    free(pool->all);
    free(pool->threads);
    free(pool->workspace);
    pthread_cond_destroy(&pool->has_work);
    pthread_mutex_destroy(&pool->run_lock);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

/* ---- Submitting and reading
 * ---------------------------------------------------------------------- */

/* Forgets the oldest finished job when too many are kept (lock held). */
static void forget_old(struct sj_http_jobs *pool)
{
    if (pool->count < SJ_HTTP_JOBS_KEPT)
        return;
    for (size_t i = 0; i < pool->count; i++) {
        enum sj_http_job_state s = pool->all[i]->state;
        if (s == SJ_JOB_DONE || s == SJ_JOB_FAILED) {
            job_free(pool->all[i]);
            memmove(&pool->all[i], &pool->all[i + 1], (pool->count - i - 1) * sizeof *pool->all);
            pool->count--;
            return;
        }
    }
}

int sj_http_jobs_submit(struct sj_http_jobs *pool, const struct sj_http_job_spec *spec, int64_t *id,
                        struct sj_err *err)
{
    struct sj_http_job *job = sj_xcalloc(1, sizeof *job);
    job->kind = spec->kind;
    job->office_id = spec->office_id;
    job->actor = sj_xstrdup(spec->actor ? spec->actor : "");
    job->office_code = sj_xstrdup(spec->office_code ? spec->office_code : "");
    job->peer = sj_xstrdup(spec->peer ? spec->peer : "");
    job->input = spec->input ? spec->input : json_object();
    job->run = spec->run;
    job->arg = spec->arg;
    job->free_arg = spec->free_arg;
    job->phase = "queued";
    job->bytes_total = spec->bytes_total > 0 ? spec->bytes_total : 0;
    job->bytes_done = -1;
    job->percent = -1;
    job->created_ms = sj_http_now_ms();
    job->pool = pool;
    pthread_mutex_lock(&pool->lock);
    if (pool->queued >= QUEUE_MAX || pool->is_stopping) {
        pthread_mutex_unlock(&pool->lock);
        job_free(job);
        return sj_err_set(err, SJ_ETOOBIG, "任务队列已满，请稍后再试");
    }
    forget_old(pool);
    job->id = pool->next_id++;
    if (pool->count == pool->alloc) {
        pool->alloc = pool->alloc ? pool->alloc * 2 : 64;
        pool->all = sj_xrealloc(pool->all, pool->alloc * sizeof *pool->all);
    }
    pool->all[pool->count++] = job;
    if (pool->tail)
        pool->tail->next_queued = job;
    else
        pool->head = job;
    pool->tail = job;
    pool->queued++;
    *id = job->id;
    pthread_cond_signal(&pool->has_work);
    pthread_mutex_unlock(&pool->lock);
    return 0;
}

static const char *state_name(enum sj_http_job_state s)
{
    static const char *const names[] = {"queued", "running", "done", "failed"};
    return names[s];
}

static json_t *iso_or_null(int64_t ms)
{
    char buf[32];
    if (ms == 0)
        return json_null();
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* The job as JSON (lock held). */
static json_t *job_json(const struct sj_http_job *job)
{
    int64_t end = job->finished_ms ? job->finished_ms : sj_http_now_ms();
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(job->id));
    json_object_set_new(o, "kind", json_string(job->kind));
    json_object_set_new(o, "state", json_string(state_name(job->state)));
    json_object_set_new(o, "phase", json_string(job->phase));
    json_object_set_new(o, "rows", json_integer(job->rows));
    bool has_bytes = job->bytes_total > 0;
    json_object_set_new(o, "bytes_done",
                        has_bytes && job->bytes_done >= 0 ? json_integer(job->bytes_done)
                                                          : json_null());
    json_object_set_new(o, "bytes_total", has_bytes ? json_integer(job->bytes_total) : json_null());
    json_object_set_new(o, "percent", job->percent >= 0 ? json_integer(job->percent) : json_null());
    json_object_set_new(o, "office_id", json_integer(job->office_id));
    json_object_set_new(o, "username", sj_http_json_string(job->actor));
    json_object_set_new(o, "input", json_deep_copy(job->input));
    json_object_set_new(o, "created_at", iso_or_null(job->created_ms));
    json_object_set_new(o, "started_at", iso_or_null(job->started_ms));
    json_object_set_new(o, "finished_at", iso_or_null(job->finished_ms));
    json_object_set_new(o, "elapsed_ms", json_integer(job->started_ms ? end - job->started_ms : 0));
    json_object_set_new(o, "result", job->result ? json_deep_copy(job->result) : json_null());
    json_object_set_new(o, "error",
                        job->state == SJ_JOB_FAILED
                            ? json_pack("{s:s, s:o}", "code", "JOB_FAILED", "message",
                                        sj_http_json_string(job->error))
                            : json_null());
    return o;
}

json_t *sj_http_jobs_get(struct sj_http_jobs *pool, int64_t id, int64_t *office_id)
{
    json_t *o = NULL;
    pthread_mutex_lock(&pool->lock);
    for (size_t i = 0; i < pool->count && !o; i++) {
        if (pool->all[i]->id == id) {
            o = job_json(pool->all[i]);
            *office_id = pool->all[i]->office_id;
        }
    }
    pthread_mutex_unlock(&pool->lock);
    return o;
}

json_t *sj_http_jobs_list(struct sj_http_jobs *pool, struct sj_office_set offices, size_t limit)
{
    json_t *list = json_array();
    pthread_mutex_lock(&pool->lock);
    for (size_t i = pool->count; i-- > 0 && json_array_size(list) < limit;) {
        if (sj_http_scope_has(offices, pool->all[i]->office_id))
            json_array_append_new(list, job_json(pool->all[i]));
    }
    pthread_mutex_unlock(&pool->lock);
    return list;
}

int sj_http_job_record(struct sj_http_writer *writer, struct sj_http_job *job,
                       const char *action, const char *object_type, const char *object_id,
                       json_t *payload, struct sj_err *err)
{
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(payload);
    struct sj_http_write w = {
        .record = {.actor = sj_http_job_actor(job),
                   .office = sj_http_job_office_code(job),
                   .action = action,
                   .object_type = object_type,
                   .object_id = object_id,
                   .from = sj_http_job_peer(job),
                   .payload_json = text ? text : "{}"},
    };
    int rc = sj_http_writer_submit(writer, &w);
    if (rc < 0)
        *err = w.err;
    free(text);
    return rc;
}
