/*
 * api_datasets.c - the warehouse over HTTP: GET /api/v1/datasets (the datasets of the
 * offices the caller sees), GET /api/v1/datasets/{id} and /{id}/columns (columns and kinds),
 * /{id}/rows (a page, optionally filtered by one column: equal to / containing a value; raw
 * and normalised values and each row's source file and row), /{id}/rejects, and
 * POST /api/v1/imports: an uploaded file (multipart/form-data or the raw bytes with
 * ?filename=) imported by a job (api_jobs.c) whose result is the import summary and whose
 * progress is the rows and bytes read (a percentage once bytes are known).
 *
 * Scope: a dataset belongs to an office (platform.h); one outside the caller's scope is 404.
 * An import into an existing dataset of another office is refused. Values are answered as
 * {"raw": {column: text}, "norm": {column: text}} so that masking judges each value by its
 * column's header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/api_bail.h"
#include "http/platform_int.h"
#include "shujian/ingest.h"
#include "shujian/plan.h"

#define READERS SJ_ROLES_STAFF
#define WRITERS (SJ_ROLE_BIT(SJ_ROLE_ADMIN) | SJ_ROLE_BIT(SJ_ROLE_PROSECUTOR))
#define ROWS_MAX 1000

/* ---- Reading -------------------------------------------------------------------------------- */

static json_t *dataset_json(const struct sj_dataset_info *d, int64_t office)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(d->id));
    json_object_set_new(o, "name", sj_http_json_string(d->name));
    json_object_set_new(o, "office_id", json_integer(office));
    json_object_set_new(o, "row_count", json_integer(d->row_count));
    json_object_set_new(o, "reject_count", json_integer(d->reject_count));
    json_object_set_new(o, "flagged_cells", json_integer(d->flagged_cells));
    json_object_set_new(o, "import_count", json_integer(d->import_count));
    json_object_set_new(o, "column_count", json_integer((json_int_t)d->column_count));
    json_object_set_new(o, "created_at", sj_http_json_string(d->created_at));
    json_object_set_new(o, "updated_at", sj_http_json_string(d->updated_at));
    return o;
}

static int64_t office_of(int64_t id, const int64_t *ids, const int64_t *offices, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (ids[i] == id)
            return offices[i];
    }
    return 0;
}

static int get_datasets(struct sj_http_ctx *ctx)
{
    struct sj_office_set scope;
    struct sj_dataset_info *list = NULL;
    int64_t *ids = NULL, *offices = NULL;
    size_t count = 0, owned = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_scope(ctx, &scope) < 0)
        return SJ_EINVAL;
    int rc = sj_platform_dataset_offices(sj_http_store(ctx), &ids, &offices, &owned, &err);
    if (rc == 0)
        rc = sj_store_dataset_list(sj_http_store(ctx), &list, &count, &err);
    if (rc < 0) {
        free(ids);
        free(offices);
        return sj_http_fail(ctx, &err);
    }
    json_t *datasets = json_array();
    for (size_t i = 0; i < count; i++) {
        int64_t office = office_of(list[i].id, ids, offices, owned);
        if (sj_http_scope_has(scope, office))
            json_array_append_new(datasets, dataset_json(&list[i], office));
    }
    sj_dataset_list_free(list, count);
    free(ids);
    free(offices);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "datasets", datasets));
}

/* The dataset of the {id} parameter if the caller may see it: its name (arena) and office.
 * Answers 404 otherwise. */
static int find_dataset(struct sj_http_ctx *ctx, const char **name, int64_t *office)
{
    struct sj_office_set scope;
    struct sj_err err;
    char *owned = NULL;
    sj_err_clear(&err);
    if (sj_http_scope(ctx, &scope) < 0)
        return SJ_EINVAL;
    int64_t id = sj_http_param_id(ctx, "id");
    int rc =
        id ? sj_platform_dataset_by_id(sj_http_store(ctx), id, &owned, office, &err) : SJ_ENOTFOUND;
    if (rc == SJ_ENOTFOUND || (rc == 0 && !sj_http_scope_has(scope, *office))) {
        free(owned);
        return sj_http_error(ctx, 404, "NOT_FOUND", "没有这个数据集");
    }
    if (rc < 0)
        return sj_http_fail(ctx, &err);
    *name = sj_arena_strndup(sj_http_arena(ctx), owned, strlen(owned));
    free(owned);
    return 0;
}

static json_t *columns_json(const struct sj_catalog_dataset *d)
{
    json_t *columns = json_array();
    for (size_t i = 0; i < d->column_count; i++) {
        const struct sj_catalog_column *c = &d->columns[i];
        json_array_append_new(columns,
                              json_pack("{s:i, s:o, s:s, s:s, s:b, s:b}", "position", c->position,
                                        "name", sj_http_json_string(c->name), "kind",
                                        sj_kind_name(c->kind), "kind_label", sj_kind_label(c->kind),
                                        "has_norm", c->has_norm, "is_indexed", c->is_indexed));
    }
    return columns;
}

static int get_dataset(struct sj_http_ctx *ctx)
{
    const char *name = NULL;
    int64_t office = 0;
    struct sj_dataset_info info;
    struct sj_catalog_dataset cat = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (find_dataset(ctx, &name, &office) < 0)
        return SJ_EINVAL;
    if (sj_store_dataset_get(sj_http_store(ctx), name, &info, &err) < 0)
        return sj_http_fail(ctx, &err);
    if (sj_store_catalog_dataset(sj_http_store(ctx), name, &cat, &err) < 0) {
        sj_dataset_info_release(&info);
        return sj_http_fail(ctx, &err);
    }
    json_t *o = dataset_json(&info, office);
    json_object_set_new(o, "columns", columns_json(&cat));
    bool is_columns_only = strstr(sj_http_request(ctx)->path, "/columns") != NULL;
    json_t *body = is_columns_only ? json_pack("{s:O}", "columns", json_object_get(o, "columns"))
                                   : json_pack("{s:O}", "dataset", o);
    json_decref(o);
    sj_dataset_info_release(&info);
    sj_catalog_dataset_release(&cat);
    return sj_http_reply(ctx, 200, body);
}

/* ?column= (a header or a 1-based position), ?op=eq|contains, ?value= into *f. */
static int read_filter(struct sj_http_ctx *ctx, const struct sj_catalog_dataset *d,
                       struct sj_row_filter *f, struct sj_norm_result *norm)
{
    const char *column = sj_http_query(ctx, "column"), *value = sj_http_query(ctx, "value");
    const char *op = sj_http_query(ctx, "op");
    memset(f, 0, sizeof *f);
    if (!column && !value)
        return 0;
    if (!column || !value || !*value)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "筛选须同时给出 column 与 value");
    for (size_t i = 0; i < d->column_count && !f->position; i++) {
        char pos[16];
        snprintf(pos, sizeof pos, "%d", d->columns[i].position);
        if (strcmp(d->columns[i].name, column) == 0 || strcmp(pos, column) == 0)
            f->position = (int)i + 1;
    }
    if (!f->position)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "数据集没有“%s”列", column);
    if (!op || strcmp(op, "eq") == 0)
        f->match = SJ_ROW_MATCH_EQUAL;
    else if (strcmp(op, "contains") == 0)
        f->match = SJ_ROW_MATCH_CONTAINS;
    else
        return sj_http_error(ctx, 400, "INVALID_FIELD", "op 应为 eq 或 contains");
    f->value = value;
    const struct sj_catalog_column *c = &d->columns[f->position - 1];
    if (c->has_norm && sj_norm(c->kind, sj_str_from_cstr(value), norm)) {
        f->norm_value = norm->value_is_number
                            ? sj_arena_sprintf(sj_http_arena(ctx), "%lld", (long long)norm->number)
                            : norm->value;
    }
    return 0;
}

static json_t *row_json(const struct sj_catalog_dataset *d, const struct sj_row *row)
{
    json_t *raw = json_object(), *norm = json_object();
    for (size_t i = 0; i < d->column_count; i++) {
        const char *name = d->columns[i].name;
        json_object_set_new(raw, name, sj_http_json_string(row->cells[i].raw));
        if (d->columns[i].has_norm)
            json_object_set_new(norm, name, sj_http_json_string(row->cells[i].norm));
    }
    return json_pack("{s:I, s:I, s:o, s:o, s:I, s:o, s:o}", "row_id", (json_int_t)row->row_id,
                     "import_run", (json_int_t)row->run_id, "file_name",
                     sj_http_json_string(row->file_name), "sheet", sj_http_json_string(row->sheet),
                     "source_row", (json_int_t)row->source_row, "raw", raw, "norm", norm);
}

static int get_rows(struct sj_http_ctx *ctx)
{
    const char *name = NULL;
    int64_t office = 0, limit = 0, offset = 0, total = 0;
    struct sj_catalog_dataset d = {0};
    struct sj_row_filter filter;
    struct sj_norm_result norm;
    struct sj_row_page page = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (find_dataset(ctx, &name, &office) < 0 ||
        sj_http_query_int(ctx, "limit", 50, 1, ROWS_MAX, &limit) < 0 ||
        sj_http_query_int(ctx, "offset", 0, 0, INT64_MAX / 2, &offset) < 0)
        return SJ_EINVAL;
    int rc = sj_store_catalog_dataset(sj_http_store(ctx), name, &d, &err);
    if (rc < 0)
        return sj_http_fail(ctx, &err);
    rc = read_filter(ctx, &d, &filter, &norm);
    if (rc == 0) {
        rc =
            sj_platform_rows(sj_http_store(ctx), d.id, &filter, offset, limit, &page, &total, &err);
        if (rc < 0)
            sj_http_fail(ctx, &err);
    }
    if (rc == 0) {
        json_t *rows = json_array();
        for (size_t i = 0; i < page.row_count; i++)
            json_array_append_new(rows, row_json(&d, &page.rows[i]));
        json_t *body = json_pack("{s:I, s:I, s:I, s:o, s:o}", "total", (json_int_t)total, "offset",
                                 (json_int_t)offset, "limit", (json_int_t)limit, "columns",
                                 columns_json(&d), "rows", rows);
        sj_http_reply(ctx, 200, body);
    }
    sj_row_page_release(&page);
    sj_catalog_dataset_release(&d);
    return rc;
}

static json_t *reject_json(const struct sj_reject *r)
{
    /* The raw value is keyed by its column's header, so masking judges it by that. */
    const char *key = r->field && *r->field ? r->field : "raw";
    json_t *value = json_object();
    json_object_set_new(value, key, sj_http_json_string(r->raw));
    return json_pack("{s:I, s:o, s:o, s:I, s:i, s:o, s:o, s:o, s:b}", "import_run",
                     (json_int_t)r->run_id, "file_name", sj_http_json_string(r->file_name), "sheet",
                     sj_http_json_string(r->sheet), "source_row", (json_int_t)r->row, "column",
                     r->column, "field", sj_http_json_string(r->field), "value", value, "reason",
                     sj_http_json_string(r->reason), "is_row", r->is_row);
}

static int get_rejects(struct sj_http_ctx *ctx)
{
    const char *name = NULL;
    int64_t office = 0, limit = 0, offset = 0;
    struct sj_reject *list = NULL;
    size_t count = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (find_dataset(ctx, &name, &office) < 0 ||
        sj_http_query_int(ctx, "limit", 100, 1, ROWS_MAX, &limit) < 0 ||
        sj_http_query_int(ctx, "offset", 0, 0, INT64_MAX / 2, &offset) < 0)
        return SJ_EINVAL;
    if (sj_store_rejects(sj_http_store(ctx), name, &list, &count, &err) < 0)
        return sj_http_fail(ctx, &err);
    json_t *rejects = json_array();
    for (size_t i = (size_t)offset; i < count && json_array_size(rejects) < (size_t)limit; i++)
        json_array_append_new(rejects, reject_json(&list[i]));
    sj_reject_list_free(list, count);
    return sj_http_reply(ctx, 200,
                         json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)count, "offset",
                                   (json_int_t)offset, "limit", (json_int_t)limit, "rejects",
                                   rejects));
}

/* ---- Importing an upload ------------------------------------------------------------------------
 */

struct import_job {
    char *dir;  /* private folder of the upload */
    char *path; /* the file in it, under its own name */
    char *file_name;
    char *dataset;
    int64_t size; /* of the file, in bytes */
};

/* Removes the uploaded file and its folder (once imported, or when the job is dropped). */
static void remove_upload(struct import_job *j)
{
    if (j->path)
        unlink(j->path);
    if (j->dir)
        rmdir(j->dir);
    free(j->path);
    free(j->dir);
    j->path = j->dir = NULL;
}

static void import_job_free(void *arg)
{
    struct import_job *j = arg;
    if (!j)
        return;
    remove_upload(j);
    free(j->dataset);
    free(j->file_name);
    free(j);
}

/* The dataset name a file gets when none is given: its name without the last extension. */
static char *default_dataset(const char *file_name)
{
    char *name = sj_xstrdup(file_name);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    return name;
}

static json_t *summary_json(const struct sj_import_summary *s, const char *file_name)
{
    json_t *columns = json_array();
    for (size_t i = 0; i < s->column_count; i++)
        json_array_append_new(columns, json_pack("{s:o, s:s}", "name",
                                                 sj_http_json_string(s->columns[i].name), "kind",
                                                 sj_kind_name(s->columns[i].kind)));
    return json_pack("{s:o, s:o, s:o, s:b, s:I, s:I, s:I, s:I, s:I, s:f, s:o}", "file_name",
                     sj_http_json_string(file_name), "sheet", sj_http_json_string(s->sheet),
                     "dataset", sj_http_json_string(s->dataset), "already_imported",
                     s->already_imported, "import_run", (json_int_t)s->run_id, "rows_read",
                     (json_int_t)s->rows_read, "rows_imported", (json_int_t)s->rows_imported,
                     "rows_rejected", (json_int_t)s->rows_rejected, "cells_flagged",
                     (json_int_t)s->cells_flagged, "seconds", s->seconds, "columns", columns);
}

/* Refuses an import into an existing dataset of an office the job's office does not see. */
static int check_target(struct sj_http_job *job, struct sj_store *store, const char *dataset,
                        struct sj_err *err)
{
    int64_t office = 0;
    bool is_visible = false;
    int rc = sj_platform_dataset_office(store, dataset, &office, err);
    if (rc == SJ_ENOTFOUND)
        return 0;
    if (rc == 0)
        rc = sj_office_is_visible(store, sj_http_job_office(job), office, &is_visible, err);
    if (rc == 0 && !is_visible)
        rc = sj_err_set(err, SJ_EPERM, "数据集“%s”属于其他检察院，不能向其导入", dataset);
    return rc;
}

static int record_import(struct sj_http_platform *p, struct sj_http_job *job,
                         const struct sj_import_summary *s, struct sj_err *err)
{
    json_t *payload =
        json_pack("{s:I, s:s, s:s, s:b, s:I, s:I, s:I}", "job", (json_int_t)sj_http_job_id(job),
                  "file", s->file, "sheet", s->sheet, "already_imported", s->already_imported,
                  "import_run", (json_int_t)s->run_id, "rows_imported",
                  (json_int_t)s->rows_imported, "rows_rejected", (json_int_t)s->rows_rejected);
    return sj_http_job_record(p->writer, job, "dataset.import", "dataset", s->dataset, payload, err);
}

/* The import's progress into the job (at most ten times a second): rows read so far and bytes
 * read (0 before the first rows are stored: not known, so no percent yet). */
static void import_progress(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows)
{
    bool is_known = bytes_done > 0 || bytes_done == bytes_total;
    sj_http_job_progress_bytes(ctx, is_known ? (int64_t)bytes_done : -1, (int64_t)bytes_total);
    sj_http_job_progress(ctx, NULL, (int64_t)rows);
}

static int run_import(struct sj_http_platform *p, struct sj_http_job *job, struct sj_store *store,
                      struct sj_err *err)
{
    struct import_job *j = sj_http_job_arg(job);
    struct sj_import_opts opts = {
        .dataset = j->dataset, .progress = import_progress, .progress_ctx = job};
    struct sj_import_summary *summaries = NULL;
    size_t count = 0;
    sj_http_job_progress(job, "checking", 0);
    int rc = check_target(job, store, j->dataset, err);
    if (rc < 0)
        return rc;
    sj_http_job_progress(job, "importing", -1);
    rc = sj_ingest_import_file(store, j->path, &opts, &summaries, &count, err);
    json_t *list = json_array();
    int64_t rows = 0;
    for (size_t i = 0; i < count; i++) {
        /* Committed, so it is recorded even if a later sheet failed. */
        int claimed =
            sj_platform_dataset_claim(store, summaries[i].dataset, sj_http_job_office(job), NULL);
        struct sj_err rec_err;
        sj_err_clear(&rec_err);
        if (claimed < 0 || record_import(p, job, &summaries[i], &rec_err) < 0)
            SJ_ERROR("import job %lld: recording %s failed: %s", (long long)sj_http_job_id(job),
                     summaries[i].dataset, rec_err.message);
        rows += summaries[i].rows_read;
        json_array_append_new(list, summary_json(&summaries[i], j->file_name));
    }
    remove_upload(j);
    sj_http_job_progress(job, NULL, rows);
    if (rc == 0)
        sj_http_job_finish(job, json_pack("{s:o}", "imports", list));
    else
        json_decref(list);
    sj_import_summaries_free(summaries, count);
    return rc;
}

/* Writes the upload into a private folder; fills j->dir and j->path. */
static int save_upload(const char *workspace, const char *file_name, struct sj_str data,
                       struct import_job *j, struct sj_err *err)
{
    size_t n = strlen(workspace) + 16;
    char *uploads = sj_xmalloc(n);
    snprintf(uploads, n, "%s/uploads", workspace);
    if (mkdir(uploads, 0700) != 0 && errno != EEXIST) {
        int rc = sj_err_set(err, SJ_EIO, "cannot create %s: %s", uploads, strerror(errno));
        free(uploads);
        return rc;
    }
    n = strlen(uploads) + 16;
    j->dir = sj_xmalloc(n);
    snprintf(j->dir, n, "%s/up-XXXXXX", uploads);
    free(uploads);
    if (!mkdtemp(j->dir)) {
        free(j->dir);
        j->dir = NULL;
        return sj_err_set(err, SJ_EIO, "cannot create an upload folder: %s", strerror(errno));
    }
    n = strlen(j->dir) + strlen(file_name) + 2;
    j->path = sj_xmalloc(n);
    snprintf(j->path, n, "%s/%s", j->dir, file_name);
    FILE *f = fopen(j->path, "wbx");
    bool is_ok = f && fwrite(data.ptr, 1, data.len, f) == data.len;
    if (f && fclose(f) != 0)
        is_ok = false;
    if (!is_ok)
        return sj_err_set(err, SJ_EIO, "cannot write the upload %s: %s", j->path, strerror(errno));
    return 0;
}

/* The uploaded file: a multipart form's file part, or the raw body with ?filename=. */
static int read_upload(struct sj_http_ctx *ctx, char *name, size_t size, struct sj_str *data)
{
    struct sj_str body = sj_http_request(ctx)->body, filename = {0};
    const char *type = sj_http_header(ctx, "Content-Type");
    struct sj_err err;
    sj_err_clear(&err);
    if (type && strncmp(type, "multipart/", 10) == 0) {
        if (sj_http_multipart_file(body, type, &filename, data, &err) < 0)
            return sj_http_error(ctx, 400, "BAD_UPLOAD", "%s", err.message);
    } else {
        filename = sj_str_from_cstr(sj_http_query(ctx, "filename"));
        if (!filename.len)
            filename = sj_str_from_cstr(sj_http_header(ctx, "X-Filename"));
        *data = body;
    }
    if (!filename.len)
        return sj_http_error(ctx, 400, "BAD_UPLOAD", "缺少文件名：请用表单上传，或给出 ?filename=");
    if (sj_http_upload_name(filename, name, size, &err) < 0)
        return sj_http_error(ctx, 400, "BAD_UPLOAD", "%s", err.message);
    if (data->len == 0)
        return sj_http_error(ctx, 400, "BAD_UPLOAD", "上传的文件是空的");
    return 0;
}

static int submit_import(struct sj_http_ctx *ctx, struct import_job *j, const char *name)
{
    json_t *input = json_pack("{s:o, s:o}", "file_name", sj_http_json_string(name), "dataset",
                              sj_http_json_string(j->dataset));
    return sj_http_job_start_sized(ctx, "import", input, j->size, run_import, j, import_job_free);
}

static int post_import(struct sj_http_ctx *ctx)
{
    char name[256];
    struct sj_str data;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_need_ledger(ctx) < 0 || read_upload(ctx, name, sizeof name, &data) < 0)
        return SJ_EINVAL;
    const char *dataset = sj_http_query(ctx, "dataset");
    struct import_job *j = sj_xcalloc(1, sizeof *j);
    j->dataset = dataset && *dataset ? sj_xstrdup(dataset) : default_dataset(name);
    j->file_name = sj_xstrdup(name);
    j->size = (int64_t)data.len;
    int64_t office = 0;
    bool is_visible = true;
    if (sj_platform_dataset_office(sj_http_store(ctx), j->dataset, &office, NULL) == 0)
        is_visible = sj_http_office_visible(ctx, office);
    if (!is_visible) {
        import_job_free(j);
        return sj_http_error(ctx, 409, "DATASET_NAME_TAKEN",
                             "已有其他检察院的同名数据集，请用 ?dataset= 另取名称");
    }
    if (save_upload(sj_http_platform_of(ctx)->workspace, name, data, j, &err) < 0) {
        import_job_free(j);
        return sj_http_fail(ctx, &err);
    }
    return submit_import(ctx, j, name);
}

bool sj_http_route_is_raw(const struct sj_http_route *route)
{
    return route && (route->handler == post_import || route->handler == sj_http_bail_post_face);
}

static const struct sj_http_route routes[] = {
    {"GET", "/api/v1/datasets", READERS, get_datasets, 0},
    {"GET", "/api/v1/datasets/{id}", READERS, get_dataset, 0},
    {"GET", "/api/v1/datasets/{id}/columns", READERS, get_dataset, 0},
    {"GET", "/api/v1/datasets/{id}/rows", READERS, get_rows, 0},
    {"GET", "/api/v1/datasets/{id}/rejects", READERS, get_rejects, 0},
    {"POST", "/api/v1/imports", WRITERS, post_import, SJ_HTTP_UPLOAD_MAX},
};

const struct sj_http_resource sj_http_api_datasets = {"datasets", routes, SJ_ARRAY_LEN(routes)};
