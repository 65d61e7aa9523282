/*
 * writer.c - the group-commit writer: every write of the platform API goes through one
 * thread with its own workspace connection. A batch is everything queued while the previous
 * batch was being committed. The writer opens one transaction for the batch and runs each
 * write in a savepoint of it: the change (apply) and then its ledger entry, so the two
 * commit or roll back together; then it commits the batch with synchronous=FULL, so one
 * fsync makes every change and entry of the batch durable. Only then are the requests
 * answered. The ledger entries of a batch are signed once, by one checkpoint at the batch's
 * end (sj_ledger_batch_begin/_end), not once per write.
 *
 * Invariants: a write is answered only after its batch's commit returned; one connection
 * writes, so API writes never wait for each other on SQLite's lock; a write that fails
 * (its change or its entry) is rolled back alone; the ledger object lives on the writer's
 * connection only.
 * With SHUJIAN_WRITER_STATS set in the environment, the writer times its batches (the
 * changes, the ledger entries, the commit, its own CPU time) and prints the totals to stderr
 * when it stops: how bench/http.sh and bench/bail.sh see where a durable write's time goes.
 * Batching: optionally (SHUJIAN_WRITER_WAIT_US=N, off by default), right after a commit,
 * when the queue holds fewer writes than the batch just committed, the writer waits up to N
 * microseconds for the threads it just answered to queue their next writes, so one fsync
 * carries more. It never waits on an empty queue, nor when its last commit was longer ago.
 * Off by default: on the 2-core machine it made batches larger but not faster (the requests
 * that come back arrive during the next fsync anyway; docs/PERFORMANCE.md, "bail").
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/platform_int.h"
#include "shujian/ledger.h"
#include "shujian/platform.h"

/* The longest the writer waits for a batch to fill (microseconds; 0: never);
 * SHUJIAN_WRITER_WAIT_US overrides it, for measuring. */
#define SJ_HTTP_WRITER_WAIT_US 0

/* Where the writer's time goes (only counted when SHUJIAN_WRITER_STATS is set). */
struct writer_stats {
    bool is_on;
    uint64_t batches, writes, largest, waits;
    uint64_t apply_ns, ledger_ns, batch_end_ns, commit_ns, total_ns, cpu_ns, wait_ns;
};

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

static void stats_print(const struct writer_stats *st)
{
    if (!st->is_on || st->batches == 0)
        return;
    double b = (double)st->batches, n = st->writes ? (double)st->writes : 1.0;
    fprintf(stderr,
            "writer: %llu batches, %llu writes (%.1f per batch, largest %llu); per write: "
            "change %.1f us, ledger entry %.1f us; per batch: checkpoint %.1f us, commit %.1f us, "
            "whole batch %.1f us; writer CPU %.1f us per write; waited for a fuller batch %llu "
            "times, %.1f us on average\n",
            (unsigned long long)st->batches, (unsigned long long)st->writes, (double)st->writes / b,
            (unsigned long long)st->largest, (double)st->apply_ns / n / 1e3,
            (double)st->ledger_ns / n / 1e3, (double)st->batch_end_ns / b / 1e3,
            (double)st->commit_ns / b / 1e3, (double)st->total_ns / b / 1e3,
            (double)st->cpu_ns / n / 1e3, (unsigned long long)st->waits,
            st->waits ? (double)st->wait_ns / (double)st->waits / 1e3 : 0.0);
}

struct sj_http_writer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t has_work; /* the queue is not empty, or stopping */
    struct sj_http_write *head, *tail;
    size_t queued;           /* writes in the queue */
    size_t last_size;        /* writes in the batch last committed */
    uint64_t last_commit_ns; /* when it was committed (CLOCK_MONOTONIC) */
    uint64_t wait_ns;        /* the longest wait for a fuller batch; 0: never */
    bool is_stopping;
    atomic_bool has_ledger;
    struct sj_store *store;
    struct sj_ledger *ledger;
    struct writer_stats stats; /* the writer thread's alone */
};

static int open_ledger(struct sj_http_writer *w, struct sj_err *err)
{
    if (w->ledger)
        return 0;
    int rc = sj_ledger_open(w->store, &w->ledger, err);
    if (rc == SJ_ENOTFOUND)
        sj_err_set(err, rc,
                   "工作区尚未建立审计账本，所有写操作均须留痕，请先运行 shujian ledger init");
    atomic_store(&w->has_ledger, rc == 0);
    return rc;
}

static void fail_all(struct sj_http_write *batch, int rc, const struct sj_err *err)
{
    for (struct sj_http_write *x = batch; x; x = x->next) {
        if (x->rc == 0) {
            x->rc = rc;
            x->err = *err;
        }
        x->is_applied = false;
    }
}

/* One write inside the batch's transaction: its change and its ledger entry in a savepoint
 * of their own, so a write that fails leaves the others alone. */
static void run_one(struct sj_http_writer *w, struct sj_http_write *x)
{
    uint64_t t0 = w->stats.is_on ? now_ns() : 0, t1 = t0;
    sj_err_clear(&x->err);
    x->ledger = w->ledger;
    x->rc = sj_platform_savepoint(w->store, &x->err);
    if (x->rc < 0)
        return;
    if (x->apply)
        x->rc = x->apply(w->store, x, &x->err);
    if (w->stats.is_on)
        t1 = now_ns();
    if (x->rc == 0 && x->record.action) {
        x->rc = sj_ledger_append(w->ledger, &x->record, &x->index, &x->err);
        x->is_ledger_failed = x->rc < 0;
    }
    sj_platform_savepoint_end(w->store, x->rc == 0);
    if (w->stats.is_on) {
        w->stats.writes++;
        w->stats.apply_ns += t1 - t0;
        w->stats.ledger_ns += now_ns() - t1;
    }
    x->is_applied = x->apply && x->rc == 0;
}

/* The whole batch in one transaction committed with synchronous=FULL: one fsync. A write
 * without record.action and without apply (a probe for the ledger) does nothing. */
static void run_batch(struct sj_http_writer *w, struct sj_http_write *batch)
{
    struct sj_err err;
    bool has_work = false;
    sj_err_clear(&err);
    for (struct sj_http_write *x = batch; x; x = x->next) {
        x->rc = 0;
        x->is_applied = x->is_ledger_failed = false;
        has_work = has_work || x->apply || x->record.action;
    }
    int rc = open_ledger(w, &err);
    if (rc == 0 && !has_work)
        return;
    if (rc == 0)
        rc = sj_platform_begin(w->store, &err);
    if (rc < 0) {
        fail_all(batch, rc, &err);
        return;
    }
    uint64_t t0 = w->stats.is_on ? now_ns() : 0, t1 = t0, t2 = t0, n = 0;
    uint64_t cpu0 = w->stats.is_on ? clock_ns(CLOCK_THREAD_CPUTIME_ID) : 0;
    sj_ledger_batch_begin(w->ledger);
    for (struct sj_http_write *x = batch; x; x = x->next, n++)
        run_one(w, x);
    if (w->stats.is_on)
        t1 = now_ns();
    /* One signed checkpoint for the batch's entries; if it cannot be made, nothing commits.
     * A failed commit rolls everything back; the ledger resynchronises its in-memory tree
     * from the stored checkpoint at its next append. */
    rc = sj_ledger_batch_end(w->ledger, &err);
    if (w->stats.is_on)
        t2 = now_ns();
    if (rc < 0) {
        sj_platform_rollback(w->store);
        fail_all(batch, rc, &err);
    } else if (sj_platform_commit(w->store, &err) < 0) {
        fail_all(batch, SJ_EDB, &err);
    }
    if (w->stats.is_on) {
        uint64_t t3 = now_ns();
        w->stats.batches++;
        w->stats.largest = n > w->stats.largest ? n : w->stats.largest;
        w->stats.batch_end_ns += t2 - t1;
        w->stats.commit_ns += t3 - t2;
        w->stats.total_ns += t3 - t0;
        w->stats.cpu_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    }
}

/* Right after a commit, with fewer writes queued than the batch just committed had, waits
 * (lock held) up to w->wait_ns from that commit for the queue to fill to that size: the
 * threads just answered are about to submit again, and one fsync then carries them all. */
static void wait_for_more(struct sj_http_writer *w)
{
    uint64_t start = now_ns(), deadline_ns = w->last_commit_ns + w->wait_ns;
    if (w->wait_ns == 0 || w->queued >= w->last_size || start >= deadline_ns)
        return;
    struct timespec deadline = {(time_t)(deadline_ns / 1000000000u),
                                (long)(deadline_ns % 1000000000u)};
    while (w->queued < w->last_size && !w->is_stopping) {
        if (pthread_cond_timedwait(&w->has_work, &w->lock, &deadline) == ETIMEDOUT)
            break;
    }
    if (w->stats.is_on) {
        w->stats.waits++;
        w->stats.wait_ns += now_ns() - start;
    }
}

/* Takes up to SJ_HTTP_WRITE_BATCH_MAX writes off the queue (lock held). */
static struct sj_http_write *take_batch(struct sj_http_writer *w)
{
    struct sj_http_write *batch = w->head, *last = w->head;
    size_t n = 1;
    for (; last->next && n < SJ_HTTP_WRITE_BATCH_MAX; n++)
        last = last->next;
    w->queued -= n;
    w->last_size = n;
    w->head = last->next;
    if (!w->head)
        w->tail = NULL;
    last->next = NULL;
    return batch;
}

static void *writer_main(void *arg)
{
    struct sj_http_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->is_stopping)
            pthread_cond_wait(&w->has_work, &w->lock);
        if (!w->head)
            break;
        wait_for_more(w);
        struct sj_http_write *batch = take_batch(w);
        pthread_mutex_unlock(&w->lock);
        run_batch(w, batch);
        uint64_t committed = now_ns();
        pthread_mutex_lock(&w->lock);
        w->last_commit_ns = committed;
        /* Each waiter has a condition of its own: a batch wakes its writes' threads only, not
         * every thread waiting (on a busy machine those wake-ups cost more than the batch). */
        for (struct sj_http_write *x = batch; x;) {
            struct sj_http_write *next = x->next;
            x->is_done = true; /* x may be gone as soon as the lock is released */
            pthread_cond_signal(&x->has_done);
            x = next;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int sj_http_writer_new(const char *workspace, struct sj_http_writer **out, struct sj_err *err)
{
    struct sj_http_writer *w = sj_xcalloc(1, sizeof *w);
    *out = NULL;
    int rc = sj_store_open(workspace, true, &w->store, err);
    if (rc == 0)
        rc = sj_platform_set_durable(w->store, true, err); /* every batch commit: fsync */
    if (rc < 0) {
        sj_store_close(w->store);
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t attr; /* timed waits on CLOCK_MONOTONIC, like now_ns() */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->has_work, &attr);
    pthread_condattr_destroy(&attr);
    const char *wait = getenv("SHUJIAN_WRITER_WAIT_US");
    uint64_t wait_us = wait && wait[0] ? strtoull(wait, NULL, 10) : SJ_HTTP_WRITER_WAIT_US;
    w->wait_ns = (wait_us < 100000u ? wait_us : 100000u) * 1000u; /* at most 0.1 s */
    atomic_init(&w->has_ledger, false);
    const char *stats = getenv("SHUJIAN_WRITER_STATS");
    w->stats.is_on = stats && stats[0] && strcmp(stats, "0") != 0;
    open_ledger(w, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        sj_ledger_close(w->ledger);
        sj_store_close(w->store);
        free(w);
        return sj_err_set(err, SJ_EIO, "cannot start the writer thread");
    }
    *out = w;
    return 0;
}

void sj_http_writer_free(struct sj_http_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->is_stopping = true;
    pthread_cond_signal(&w->has_work);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    stats_print(&w->stats);
    pthread_cond_destroy(&w->has_work);
    pthread_mutex_destroy(&w->lock);
    sj_ledger_close(w->ledger);
    sj_store_close(w->store);
    free(w);
}

bool sj_http_writer_has_ledger(struct sj_http_writer *w)
{
    if (atomic_load(&w->has_ledger))
        return true;
    /* A ledger may have been made since (shujian ledger init): ask the writer to look. */
    struct sj_http_write probe = {0};
    sj_http_writer_submit(w, &probe);
    return atomic_load(&w->has_ledger);
}

int sj_http_writer_submit(struct sj_http_writer *w, struct sj_http_write *x)
{
    x->is_done = false;
    x->next = NULL;
    pthread_mutex_lock(&w->lock);
    if (w->is_stopping) {
        pthread_mutex_unlock(&w->lock);
        return x->rc = sj_err_set(&x->err, SJ_EIO, "服务正在停止");
    }
    if (w->tail)
        w->tail->next = x;
    else
        w->head = x;
    w->tail = x;
    w->queued++;
    pthread_cond_init(&x->has_done, NULL);
    pthread_cond_signal(&w->has_work);
    while (!x->is_done)
        pthread_cond_wait(&x->has_done, &w->lock);
    pthread_mutex_unlock(&w->lock);
    pthread_cond_destroy(&x->has_done);
    return x->rc;
}
