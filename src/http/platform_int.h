/*
 * platform_int.h - internal to src/http: what the platform API's resource files
 * (api_datasets.c, api_models.c, api_leads.c, api_stats.c, api_jobs.c) share: the
 * group-commit writer every write goes through (writer.c), the job pool that runs imports
 * and model runs (jobs.c), office scope and ledger records for a request (platform.c),
 * multipart uploads (multipart.c) and the XLSX export (export.c).
 *
 * Ownership: the struct sj_http_platform is owned by the app (created in sj_http_app_new,
 * freed in sj_http_app_free). Records and strings handed to the writer are borrowed until
 * sj_http_writer_submit returns.
 */
#ifndef SHUJIAN_HTTP_PLATFORM_INT_H
#define SHUJIAN_HTTP_PLATFORM_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "http/http_int.h"
#include "shujian/ledger.h"
#include "shujian/platform.h"

#define SJ_HTTP_UPLOAD_MAX ((size_t)256 << 20) /* bytes of one uploaded file */
#define SJ_HTTP_WRITE_BATCH_MAX 512            /* writes committed together at most */
#define SJ_HTTP_JOB_WORKERS 2                  /* threads running jobs */
#define SJ_HTTP_JOBS_KEPT 1000                 /* finished jobs remembered */

/* ---- The group-commit writer (writer.c) -------------------------------------------------------
 * One thread with its own connection runs every write of the API in arrival order inside one
 * transaction per batch, each write in a savepoint (its change, then its ledger entry), and
 * commits the batch with synchronous=FULL: one fsync for all writes that arrived together. */

struct sj_http_write;
/* The change, on the writer's store, inside the batch's transaction: it must not begin or
 * end transactions itself (use the _within variants of the C API). It may fill w->record
 * (strings must stay valid until submit returns). Returns 0 or a negative code with err. */
typedef int (*sj_http_write_fn)(struct sj_store *store, struct sj_http_write *w,
                                struct sj_err *err);

struct sj_http_write {
    sj_http_write_fn apply; /* NULL: only the ledger entry */
    void *arg;
    struct sj_ledger_record record;
    /* filled by the writer */
    struct sj_ledger *ledger; /* the writer's, for an apply that appends entries itself */
    int rc;
    bool is_applied;       /* the change committed, with its ledger entry */
    bool is_ledger_failed; /* the entry could not be appended, so the change was undone */
    struct sj_err err;
    uint64_t index; /* of the ledger entry */
    /* internal */
    bool is_done;
    pthread_cond_t has_done; /* signalled when is_done becomes true: only its own waiter wakes */
    struct sj_http_write *next;
};

struct sj_http_writer;

int sj_http_writer_new(const char *workspace, struct sj_http_writer **out, struct sj_err *err);
/* Finishes the writes queued, then stops the thread. NULL is fine. */
void sj_http_writer_free(struct sj_http_writer *writer);
/* Whether the workspace has a ledger to record writes in (opened on first need). */
bool sj_http_writer_has_ledger(struct sj_http_writer *writer);
/* Queues w and waits until it is durable (0) or failed (w->rc, w->err). */
int sj_http_writer_submit(struct sj_http_writer *writer, struct sj_http_write *w);

/* ---- Jobs (jobs.c) ------------------------------------------------------------------------------
 */

enum sj_http_job_state { SJ_JOB_QUEUED = 0, SJ_JOB_RUNNING, SJ_JOB_DONE, SJ_JOB_FAILED };

struct sj_http_job;
struct sj_http_platform;

/* Runs a job on a worker's own store. Sets the result with sj_http_job_finish or fails with a
 * negative code and err (err->message is shown to the user). */
typedef int (*sj_http_job_fn)(struct sj_http_platform *platform, struct sj_http_job *job,
                              struct sj_store *store, struct sj_err *err);

struct sj_http_job_spec {
    const char *kind; /* "import", "model-run" (static) */
    int64_t office_id;
    const char *actor, *office_code, *peer; /* copied */
    json_t *input;                          /* what was asked, shown in the job (taken) */
    sj_http_job_fn run;
    void *arg; /* taken: freed with free_arg when the job is done */
    void (*free_arg)(void *arg);
    int64_t bytes_total; /* size of the input in bytes if the job reports bytes read, else 0 */
};

struct sj_http_jobs;

int sj_http_jobs_new(struct sj_http_platform *platform, const char *workspace, unsigned workers,
                     struct sj_http_jobs **out, struct sj_err *err);
/* Lets running jobs finish, drops queued ones, stops the workers. NULL is fine. */
void sj_http_jobs_free(struct sj_http_jobs *jobs);
/* Queues a job; *id gets its id. SJ_ETOOBIG when the queue is full. */
int sj_http_jobs_submit(struct sj_http_jobs *jobs, const struct sj_http_job_spec *spec, int64_t *id,
                        struct sj_err *err);
/* The job as JSON (new reference) and its office, or NULL when there is no such job. */
json_t *sj_http_jobs_get(struct sj_http_jobs *jobs, int64_t id, int64_t *office_id);
/* The newest jobs (at most limit) whose office is in offices, as a JSON array. */
json_t *sj_http_jobs_list(struct sj_http_jobs *jobs, struct sj_office_set offices, size_t limit);

/* For a running job: its phase ("reading", "running", ...; static) and rows so far. */
void sj_http_job_progress(struct sj_http_job *job, const char *phase, int64_t rows);
/* For a running job that reads its input in bytes (an import): bytes_total, the input's whole
 * size (> 0; 0 keeps the one given before), and bytes_done so far (-1 while not known, e.g. a
 * workbook before its end). A value lower than one given before is ignored. The job's JSON
 * then has bytes_done, bytes_total and percent (bytes_done/bytes_total, at most 99 until the
 * job is done, 100 once it is); a job that never calls this has them null. */
void sj_http_job_progress_bytes(struct sj_http_job *job, int64_t bytes_done, int64_t bytes_total);
/* For a running job: its result (taken). */
void sj_http_job_finish(struct sj_http_job *job, json_t *result);
/* The job's fields for the runner (borrowed). */
int64_t sj_http_job_id(const struct sj_http_job *job);
int64_t sj_http_job_office(const struct sj_http_job *job);
const char *sj_http_job_actor(const struct sj_http_job *job);
const char *sj_http_job_office_code(const struct sj_http_job *job);
const char *sj_http_job_peer(const struct sj_http_job *job);
/* Appends the ledger entry of what job did (actor, office and from are the job's; payload,
 * taken, becomes the canonical JSON) through writer, and waits until it is durable. 0, or
 * the writer's code with *err set. */
int sj_http_job_record(struct sj_http_writer *writer, struct sj_http_job *job,
                       const char *action, const char *object_type, const char *object_id,
                       json_t *payload, struct sj_err *err);
void *sj_http_job_arg(const struct sj_http_job *job);

/* ---- The platform (platform.c) ------------------------------------------------------------------
 */

struct sj_http_platform {
    char *workspace;
    struct sj_http_writer *writer;
    struct sj_http_jobs *jobs;
};

int sj_http_platform_new(const char *workspace, struct sj_http_platform **out, struct sj_err *err);
void sj_http_platform_free(struct sj_http_platform *platform);
struct sj_http_platform *sj_http_platform_of(struct sj_http_ctx *ctx);

/* The offices the user sees, or only ?office_id=N when given (which must be one of them:
 * otherwise 403 OFFICE_FORBIDDEN is answered and a negative code returned). The ids live in
 * the request's arena. */
int sj_http_scope(struct sj_http_ctx *ctx, struct sj_office_set *out);
/* Whether office is in set. */
bool sj_http_scope_has(struct sj_office_set set, int64_t office);

/* A ledger record of this request's user: actor, office code, from = client address;
 * payload (taken) serialised into the arena. Answers 500 and returns a negative code when the
 * user's office cannot be read. */
int sj_http_record(struct sj_http_ctx *ctx, const char *action, const char *object_type,
                   const char *object_id, json_t *payload, struct sj_ledger_record *out);
/* The same for a given user (a login has no session user yet). user is borrowed and must
 * outlive the record's use; its username is not copied. */
int sj_http_record_as(struct sj_http_ctx *ctx, const struct sj_user *user, const char *action,
                      const char *object_type, const char *object_id, json_t *payload,
                      struct sj_ledger_record *out);
/* Records an identity event (login, logout, a user or office added or changed) that the
 * identity store has already committed: a ledger-only entry through the writer, waited for.
 * A workspace without a ledger records nothing and returns 0 (identity must work before
 * `shujian ledger init`). When the entry fails, answers 500 LEDGER_FAILED and returns the
 * negative code. payload is taken. */
int sj_http_audit(struct sj_http_ctx *ctx, const struct sj_user *user, const char *action,
                  const char *object_type, int64_t object_id, json_t *payload);
struct sj_model_diags;
/* A model file's diagnostics as the API answers them: [{line, column, message, hint, text}]
 * (api_models.c). New reference. */
json_t *sj_http_model_diags_json(const struct sj_model_diags *diags);
/* Queues a job of kind for this request's user and office (input and arg taken; arg is
 * freed with free_arg if the job cannot be queued) and answers 202 {job}, or 503
 * JOB_QUEUE_FULL, or the error reading the user's office. */
int sj_http_job_start(struct sj_http_ctx *ctx, const char *kind, json_t *input, sj_http_job_fn run,
                      void *arg, void (*free_arg)(void *arg));
/* The same for a job that reads bytes_total bytes (> 0) and reports how many it has read
 * (sj_http_job_progress_bytes): its JSON has bytes_total from the start. */
int sj_http_job_start_sized(struct sj_http_ctx *ctx, const char *kind, json_t *input,
                            int64_t bytes_total, sj_http_job_fn run, void *arg,
                            void (*free_arg)(void *arg));
/* Answers 503 LEDGER_MISSING and returns SJ_ENOTFOUND when writes cannot be recorded. */
int sj_http_need_ledger(struct sj_http_ctx *ctx);
/* Submits w to the writer and, on failure, answers for it (the change itself: 4xx/5xx from
 * its code; its ledger entry: 500). Returns 0 or the negative code. */
int sj_http_write(struct sj_http_ctx *ctx, struct sj_http_write *w);

/* ?name=N as a whole number in [min, max]; def when absent. Answers 400 INVALID_FIELD and
 * returns SJ_EINVAL otherwise. */
int sj_http_query_int(struct sj_http_ctx *ctx, const char *name, int64_t def, int64_t min,
                      int64_t max, int64_t *out);
/* ?name=YYYY-MM-DD (NULL when absent); 400 INVALID_FIELD otherwise. */
int sj_http_query_date(struct sj_http_ctx *ctx, const char *name, const char **out);
/* Whether the user asked for ?reveal=1 and may have it (admin, prosecutor). */
bool sj_http_wants_reveal(struct sj_http_ctx *ctx);

/* Replies with bytes (taken, malloc) of content_type instead of JSON; filename (may be NULL)
 * goes into Content-Disposition as an attachment. The bytes are not masked: mask first. */
int sj_http_reply_bytes(struct sj_http_ctx *ctx, int status, const char *content_type, char *bytes,
                        size_t len, const char *filename);
/* Whether route takes its body as sent (a file upload) rather than as JSON. */
bool sj_http_route_is_raw(const struct sj_http_route *route);

/* ---- Uploads (multipart.c) ----------------------------------------------------------------------
 */

/* The first file part of a multipart/form-data body: its filename (borrowed view into body,
 * not NUL-terminated) and its bytes. content_type is the request's header. SJ_EFORMAT with a
 * Chinese message when the body is not such a form or has no file part. */
int sj_http_multipart_file(struct sj_str body, const char *content_type, struct sj_str *filename,
                           struct sj_str *data, struct sj_err *err);
/* A safe file name from what a client sent: the last path segment, valid UTF-8, no control
 * characters, at most 200 bytes, not "." or "..". Into out (size bytes). SJ_EINVAL otherwise. */
int sj_http_upload_name(struct sj_str name, char *out, size_t size, struct sj_err *err);

/* ---- The XLSX export (export.c) -----------------------------------------------------------------
 */

/* Writes a workbook of doc {"leads": [...], "evidence": [...], "history": [...]} (the shapes of
 * GET /api/v1/leads and /leads/{id}, already masked) into *bytes (malloc, owned by the caller).
 * SJ_EIO when libxlsxwriter fails. */
int sj_http_export_xlsx(const char *workspace, json_t *doc, char **bytes, size_t *len,
                        struct sj_err *err);

#endif
