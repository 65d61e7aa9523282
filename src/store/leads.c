/*
 * leads.c - model runs and leads in the workspace (shujian/leads.h, docs/LEADS.md).
 *
 * Invariants: a run is one transaction from sj_lead_run_begin to sj_lead_run_finish, so a
 * failed run leaves neither a model_runs row nor half its leads. A lead's id is a function
 * of (model id, subject) alone, and (model_id, subject) is unique, so re-runs never
 * duplicate a lead. A lead has an outcome exactly when its status is 'case' (also a CHECK in
 * the schema). Every status change and every run that finds a lead adds a lead_history row
 * in the same transaction as the change. The only text pasted into SQL is ds_<integer>.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shujian/leads.h"
#include "store/leads_int.h"

#define SQL_NOW SJ_LEAD_SQL_NOW
#define RUN_ACTOR "shujian"

/* ---- Names ---------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    const char *label;
} statuses[SJ_LEAD_STATUS_COUNT] = {
    [SJ_LEAD_PENDING] = {"pending", "待核查"},
    [SJ_LEAD_VERIFYING] = {"verifying", "核查中"},
    [SJ_LEAD_CASE] = {"case", "成案"},
    [SJ_LEAD_NO_CASE] = {"no-case", "不成案"},
};

static const struct {
    const char *name;
    const char *label;
    const char *alias; /* another Chinese form also accepted */
} outcomes[SJ_OUTCOME_COUNT] = {
    [SJ_OUTCOME_NONE] = {"", "无", "无"},
    [SJ_OUTCOME_FILING] = {"filing", "立案监督", "立案"},
    [SJ_OUTCOME_CORRECTION] = {"correction", "纠正违法通知书", "纠正违法"},
    [SJ_OUTCOME_RECOMMENDATION] = {"recommendation", "检察建议", "建议"},
    [SJ_OUTCOME_OTHER] = {"other", "其他", "其它"},
};

const char *sj_lead_status_name(enum sj_lead_status status)
{
    return (unsigned)status < SJ_LEAD_STATUS_COUNT ? statuses[status].name : "pending";
}

const char *sj_lead_status_label(enum sj_lead_status status)
{
    return (unsigned)status < SJ_LEAD_STATUS_COUNT ? statuses[status].label : "待核查";
}

const char *sj_lead_outcome_name(enum sj_lead_outcome outcome)
{
    return (unsigned)outcome < SJ_OUTCOME_COUNT ? outcomes[outcome].name : "";
}

const char *sj_lead_outcome_label(enum sj_lead_outcome outcome)
{
    return (unsigned)outcome < SJ_OUTCOME_COUNT ? outcomes[outcome].label : "无";
}

int sj_lead_status_parse(const char *text, enum sj_lead_status *status)
{
    if (!text)
        return SJ_EINVAL;
    for (int i = 0; i < SJ_LEAD_STATUS_COUNT; i++) {
        if (strcasecmp(text, statuses[i].name) == 0 || strcmp(text, statuses[i].label) == 0) {
            *status = (enum sj_lead_status)i;
            return 0;
        }
    }
    if (strcasecmp(text, "no_case") == 0 || strcasecmp(text, "nocase") == 0) {
        *status = SJ_LEAD_NO_CASE;
        return 0;
    }
    return SJ_EINVAL;
}

int sj_lead_outcome_parse(const char *text, enum sj_lead_outcome *outcome)
{
    if (!text || !*text)
        return SJ_EINVAL;
    for (int i = SJ_OUTCOME_FILING; i < SJ_OUTCOME_COUNT; i++) {
        if (strcasecmp(text, outcomes[i].name) == 0 || strcmp(text, outcomes[i].label) == 0 ||
            strcmp(text, outcomes[i].alias) == 0) {
            *outcome = (enum sj_lead_outcome)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

/* Stored text back to the enums; unknown text (never written by us) reads as the default. */
enum sj_lead_status sj_lead_status_from_db(const unsigned char *text)
{
    enum sj_lead_status status = SJ_LEAD_PENDING;
    if (text)
        sj_lead_status_parse((const char *)text, &status);
    return status;
}

static enum sj_lead_outcome outcome_from_db(const unsigned char *text)
{
    enum sj_lead_outcome outcome = SJ_OUTCOME_NONE;
    if (text && *text)
        sj_lead_outcome_parse((const char *)text, &outcome);
    return outcome;
}

void sj_lead_bind_outcome(sqlite3_stmt *stmt, int index, enum sj_lead_outcome outcome)
{
    if (outcome == SJ_OUTCOME_NONE || (unsigned)outcome >= SJ_OUTCOME_COUNT)
        sqlite3_bind_null(stmt, index);
    else
        sqlite3_bind_text(stmt, index, outcomes[outcome].name, -1, SQLITE_STATIC);
}

void sj_lead_make_id(const char *model_id, const char *subject, char id[SJ_LEAD_ID_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)model_id, strlen(model_id));
    crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)subject, strlen(subject));
    crypto_hash_sha256_final(&st, digest);
    id[0] = 'L';
    for (int i = 0; i < 8; i++) {
        id[1 + 2 * i] = hex[digest[i] >> 4];
        id[2 + 2 * i] = hex[digest[i] & 15];
    }
    id[SJ_LEAD_ID_SIZE - 1] = '\0';
}

/* ---- Small statement helpers ---------------------------------------------------------------- */

/* Steps a statement that returns no rows and resets it for reuse. */
int sj_lead_step_done(struct sj_store *store, sqlite3_stmt *stmt, const char *what,
                      struct sj_err *err)
{
    int rc = 0;
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = sj_store_db_error(store, err, what);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
}

void sj_lead_rollback(struct sj_store *store)
{
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

/* A transaction must not already be open on the connection: an import holds one, and so
 * does a run that has not finished. */
int sj_lead_begin_write(struct sj_store *store, struct sj_err *err)
{
    if (store->in_import || !sqlite3_get_autocommit(store->db))
        return sj_err_set(err, SJ_EINVAL, "工作区正在导入或运行模型，请在其结束后再试");
    return sj_store_exec(store, "BEGIN IMMEDIATE", err);
}

/* ---- Recording a run ------------------------------------------------------------------------ */

struct sj_lead_run {
    struct sj_store *store;
    int64_t id;
    char *model_id;
    char *function;
    sqlite3_stmt *find_lead;
    sqlite3_stmt *insert_lead;
    sqlite3_stmt *seen_lead;
    sqlite3_stmt *insert_history;
    sqlite3_stmt *upsert_evidence;
};

static void run_free(struct sj_lead_run *run)
{
    sj_store_finish(run->store, run->find_lead);
    sj_store_finish(run->store, run->insert_lead);
    sj_store_finish(run->store, run->seen_lead);
    sj_store_finish(run->store, run->insert_history);
    sj_store_finish(run->store, run->upsert_evidence);
    free(run->model_id);
    free(run->function);
    free(run);
}

/* inputs_json: one JSON object per dataset read, made by SQLite's JSON functions. */
static int inputs_json(struct sj_store *store, const struct sj_lead_run_spec *spec,
                       struct sj_buf *out, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(
        store,
        "SELECT json_object('dataset', d.name, 'id', d.id, 'rows', d.row_count, 'import_runs', "
        "(SELECT json_group_array(r.id) FROM (SELECT id FROM import_runs "
        "WHERE dataset_id = d.id ORDER BY id) r)) FROM datasets d WHERE d.name = ?1",
        &stmt, err);
    sj_buf_putc(out, '[');
    for (size_t i = 0; rc == 0 && i < spec->dataset_count; i++) {
        sqlite3_bind_text(stmt, 1, spec->datasets[i] ? spec->datasets[i] : "", -1, SQLITE_STATIC);
        int step = sqlite3_step(stmt);
        if (step == SQLITE_ROW) {
            if (i > 0)
                sj_buf_putc(out, ',');
            sj_buf_append_cstr(out, (const char *)sqlite3_column_text(stmt, 0));
        } else if (step == SQLITE_DONE) {
            rc = sj_err_set(err, SJ_ENOTFOUND, "没有名为“%s”的数据集",
                            spec->datasets[i] ? spec->datasets[i] : "");
        } else {
            rc = sj_store_db_error(store, err, "reading the datasets of a run");
        }
        sqlite3_reset(stmt);
    }
    sj_buf_putc(out, ']');
    sj_store_finish(store, stmt);
    return rc;
}

static int insert_run(struct sj_lead_run *run, const struct sj_lead_run_spec *spec,
                      const char *inputs, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc =
        sj_store_prepare_cached(run->store,
                                "INSERT INTO model_runs (model_id, model_version, model_sha256, "
                                "function, params_json, inputs_json, started_at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, " SQL_NOW ")",
                                &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, spec->model_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, spec->model_version ? spec->model_version : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, spec->model_sha256 ? spec->model_sha256 : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, run->function, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, spec->params_json ? spec->params_json : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 6, inputs, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_DONE)
        run->id = sqlite3_last_insert_rowid(run->store->db);
    else
        rc = sj_store_db_error(run->store, err, "recording the model run");
    sj_store_finish(run->store, stmt);
    return rc;
}

static int prepare_run_statements(struct sj_lead_run *run, struct sj_err *err)
{
    struct sj_store *s = run->store;
    int rc = sj_store_prepare_cached(s,
                                     "SELECT model_id, subject, first_run, last_run FROM leads "
                                     "WHERE id = ?1",
                                     &run->find_lead, err);
    if (rc == 0)
        rc = sj_store_prepare_cached(
            s,
            "INSERT INTO leads (id, model_id, function, subject, title, status, "
            "first_run, last_run, seen_count, created_at, updated_at) VALUES "
            "(?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6, 1, " SQL_NOW ", " SQL_NOW ")",
            &run->insert_lead, err);
    if (rc == 0)
        rc = sj_store_prepare_cached(s,
                                     "UPDATE leads SET seen_count = seen_count + 1, last_run = ?2, "
                                     "title = ?3, function = ?4, updated_at = " SQL_NOW
                                     " WHERE id = ?1",
                                     &run->seen_lead, err);
    if (rc == 0)
        rc =
            sj_store_prepare_cached(s,
                                    "INSERT INTO lead_history (lead_id, at, actor, action, run_id) "
                                    "VALUES (?1, " SQL_NOW ", '" RUN_ACTOR "', ?2, ?3)",
                                    &run->insert_history, err);
    if (rc == 0)
        rc = sj_store_prepare_cached(
            s,
            "INSERT INTO lead_evidence (lead_id, dataset_id, row_id, first_run, "
            "run_id, values_json) VALUES (?1, ?2, ?3, ?4, ?4, ?5) "
            "ON CONFLICT (lead_id, dataset_id, row_id) DO UPDATE SET "
            "run_id = excluded.run_id, values_json = excluded.values_json",
            &run->upsert_evidence, err);
    return rc;
}

int sj_lead_run_begin(struct sj_store *store, const struct sj_lead_run_spec *spec,
                      struct sj_lead_run **out, struct sj_err *err)
{
    struct sj_buf inputs;
    *out = NULL;
    if (!spec || !spec->model_id || !spec->model_id[0])
        return sj_err_set(err, SJ_EINVAL, "a model run needs a model id");
    int rc = sj_lead_begin_write(store, err);
    if (rc < 0)
        return rc;
    struct sj_lead_run *run = sj_xcalloc(1, sizeof *run);
    run->store = store;
    run->model_id = sj_xstrdup(spec->model_id);
    run->function = sj_xstrdup(spec->function ? spec->function : "");
    sj_buf_init(&inputs, 0);
    rc = inputs_json(store, spec, &inputs, err);
    if (rc == 0)
        rc = insert_run(run, spec, sj_buf_cstr(&inputs), err);
    if (rc == 0)
        rc = prepare_run_statements(run, err);
    sj_buf_release(&inputs);
    if (rc < 0) {
        sj_lead_run_abort(run);
        return rc;
    }
    *out = run;
    return 0;
}

int64_t sj_lead_run_id(const struct sj_lead_run *run)
{
    return run->id;
}

static int add_run_history(struct sj_lead_run *run, const char *id, const char *action,
                           struct sj_err *err)
{
    sqlite3_bind_text(run->insert_history, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(run->insert_history, 2, action, -1, SQLITE_STATIC);
    sqlite3_bind_int64(run->insert_history, 3, run->id);
    return sj_lead_step_done(run->store, run->insert_history, "recording a lead's history", err);
}

static int insert_lead(struct sj_lead_run *run, const char *id, const char *subject,
                       const char *title, struct sj_err *err)
{
    sqlite3_stmt *stmt = run->insert_lead;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, run->model_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, run->function, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 5, title ? title : subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 6, run->id);
    int rc = sj_lead_step_done(run->store, stmt, "recording a lead", err);
    return rc < 0 ? rc : add_run_history(run, id, "found", err);
}

static int seen_again(struct sj_lead_run *run, const char *id, const char *subject,
                      const char *title, struct sj_err *err)
{
    sqlite3_stmt *stmt = run->seen_lead;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 2, run->id);
    sqlite3_bind_text(stmt, 3, title ? title : subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 4, run->function, -1, SQLITE_STATIC);
    int rc = sj_lead_step_done(run->store, stmt, "updating a lead", err);
    return rc < 0 ? rc : add_run_history(run, id, "seen-again", err);
}

int sj_lead_upsert(struct sj_lead_run *run, const char *subject, const char *title,
                   char id[SJ_LEAD_ID_SIZE], bool *is_new, struct sj_err *err)
{
    bool found = false, created_now = false, seen_now = false, is_other = false;
    if (!subject || !subject[0])
        return sj_err_set(err, SJ_EINVAL, "线索的对象（subject）为空");
    sj_lead_make_id(run->model_id, subject, id);
    sqlite3_stmt *find = run->find_lead;
    sqlite3_bind_text(find, 1, id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(find);
    if (step == SQLITE_ROW) {
        found = true;
        const char *model = (const char *)sqlite3_column_text(find, 0);
        const char *subj = (const char *)sqlite3_column_text(find, 1);
        is_other = strcmp(model ? model : "", run->model_id) != 0 ||
                   strcmp(subj ? subj : "", subject) != 0;
        created_now = sqlite3_column_int64(find, 2) == run->id;
        seen_now = sqlite3_column_int64(find, 3) == run->id;
    }
    sqlite3_reset(find);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return sj_store_db_error(run->store, err, "looking up a lead");
    if (is_other)
        return sj_err_set(err, SJ_EEXIST, "lead id %s is taken by another subject", id);
    if (is_new)
        *is_new = !found || created_now;
    if (!found)
        return insert_lead(run, id, subject, title, err);
    if (seen_now)
        return 0;
    return seen_again(run, id, subject, title, err);
}

int sj_lead_evidence_add(struct sj_lead_run *run, const char *lead_id, int64_t dataset_id,
                         int64_t row_id, const char *values_json, struct sj_err *err)
{
    sqlite3_stmt *stmt = run->upsert_evidence;
    sqlite3_bind_text(stmt, 1, lead_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 2, dataset_id);
    sqlite3_bind_int64(stmt, 3, row_id);
    sqlite3_bind_int64(stmt, 4, run->id);
    sqlite3_bind_text(stmt, 5, values_json ? values_json : "{}", -1, SQLITE_TRANSIENT);
    return sj_lead_step_done(run->store, stmt, "recording a lead's evidence", err);
}

int sj_lead_run_finish(struct sj_lead_run *run, const struct sj_lead_run_counts *counts,
                       struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    struct sj_store *store = run->store;
    int rc =
        sj_store_prepare_cached(store,
                                "UPDATE model_runs SET finished_at = " SQL_NOW ", seconds = ?2, "
                                "row_count = ?3, lead_count = ?4, new_count = ?5 WHERE id = ?1",
                                &stmt, err);
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, run->id);
        sqlite3_bind_double(stmt, 2, counts ? counts->seconds : 0.0);
        sqlite3_bind_int64(stmt, 3, counts ? counts->row_count : 0);
        sqlite3_bind_int64(stmt, 4, counts ? counts->lead_count : 0);
        sqlite3_bind_int64(stmt, 5, counts ? counts->new_count : 0);
        rc = sj_lead_step_done(store, stmt, "finishing the model run", err);
    }
    sj_store_finish(store, stmt);
    if (rc < 0) {
        sj_lead_run_abort(run);
        return rc;
    }
    run_free(run);
    rc = sj_store_exec(store, "COMMIT", err);
    if (rc < 0)
        sj_lead_rollback(store);
    return rc;
}

void sj_lead_run_abort(struct sj_lead_run *run)
{
    if (!run)
        return;
    struct sj_store *store = run->store;
    run_free(run);
    sj_lead_rollback(store);
}

/* ---- Reading leads -------------------------------------------------------------------------- */

void sj_lead_read_row(sqlite3_stmt *stmt, struct sj_lead *lead)
{
    memset(lead, 0, sizeof *lead);
    const unsigned char *id = sqlite3_column_text(stmt, 0);
    snprintf(lead->id, sizeof lead->id, "%s", id ? (const char *)id : "");
    lead->model_id = sj_store_column_dup(stmt, 1);
    lead->function = sj_store_column_dup(stmt, 2);
    lead->subject = sj_store_column_dup(stmt, 3);
    lead->title = sj_store_column_dup(stmt, 4);
    lead->status = sj_lead_status_from_db(sqlite3_column_text(stmt, 5));
    lead->outcome = outcome_from_db(sqlite3_column_text(stmt, 6));
    lead->first_run = sqlite3_column_int64(stmt, 7);
    lead->last_run = sqlite3_column_int64(stmt, 8);
    lead->seen_count = sqlite3_column_int64(stmt, 9);
    lead->created_at = sj_store_column_dup(stmt, 10);
    lead->updated_at = sj_store_column_dup(stmt, 11);
    lead->evidence_count = sqlite3_column_int64(stmt, 12);
}

void sj_lead_release(struct sj_lead *lead)
{
    if (!lead)
        return;
    free(lead->model_id);
    free(lead->function);
    free(lead->subject);
    free(lead->title);
    free(lead->created_at);
    free(lead->updated_at);
    memset(lead, 0, sizeof *lead);
}

void sj_lead_list_release(struct sj_lead_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; list->items && i < list->count; i++)
        sj_lead_release(&list->items[i]);
    free(list->items);
    memset(list, 0, sizeof *list);
}

/* ---- One lead with its evidence and history ------------------------------------------------- */

void sj_lead_detail_release(struct sj_lead_detail *detail)
{
    if (!detail)
        return;
    sj_lead_release(&detail->lead);
    for (size_t i = 0; detail->evidence && i < detail->evidence_count; i++) {
        struct sj_lead_evidence *e = &detail->evidence[i];
        free(e->values_json);
        free(e->dataset);
        free(e->file_name);
        free(e->sheet);
    }
    free(detail->evidence);
    for (size_t i = 0; detail->history && i < detail->history_count; i++) {
        struct sj_lead_event *h = &detail->history[i];
        free(h->at);
        free(h->actor);
        free(h->action);
        free(h->note);
    }
    free(detail->history);
    memset(detail, 0, sizeof *detail);
}

static int get_lead(struct sj_store *store, const char *id, struct sj_lead *lead,
                    struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(
        store, "SELECT " SJ_LEAD_COLUMNS " FROM leads l WHERE l.id = ?1", &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        sj_lead_read_row(stmt, lead);
    else if (step == SQLITE_DONE)
        rc = sj_err_set(err, SJ_ENOTFOUND, "没有编号为“%s”的线索", id);
    else
        rc = sj_store_db_error(store, err, "reading a lead");
    sj_store_finish(store, stmt);
    return rc;
}

/* Where dataset row e came from: ds_<id> -> import_runs. stmt is kept across the evidence
 * rows of one dataset (they come sorted by dataset) and re-prepared when it changes. */
static int find_source(struct sj_store *store, struct sj_lead_evidence *e, sqlite3_stmt **stmt,
                       int64_t *stmt_dataset, struct sj_err *err)
{
    if (*stmt_dataset != e->dataset_id) {
        char sql[256];
        sj_store_finish(store, *stmt);
        *stmt = NULL;
        snprintf(sql, sizeof sql,
                 "SELECT d._run, r.file_name, r.sheet, d._src_row FROM ds_%lld d "
                 "LEFT JOIN import_runs r ON r.id = d._run WHERE d._row = ?1",
                 (long long)e->dataset_id);
        int rc = sj_store_prepare_cached(store, sql, stmt, err);
        if (rc < 0)
            return rc;
        *stmt_dataset = e->dataset_id;
    }
    sqlite3_bind_int64(*stmt, 1, e->row_id);
    int step = sqlite3_step(*stmt);
    if (step == SQLITE_ROW) {
        e->has_source = true;
        e->import_run = sqlite3_column_int64(*stmt, 0);
        free(e->file_name);
        free(e->sheet);
        e->file_name = sj_store_column_dup(*stmt, 1);
        e->sheet = sj_store_column_dup(*stmt, 2);
        e->source_row = sqlite3_column_int64(*stmt, 3);
    }
    sqlite3_reset(*stmt);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return sj_store_db_error(store, err, "reading where evidence came from");
    return 0;
}

static void fill_evidence(sqlite3_stmt *stmt, struct sj_lead_evidence *e)
{
    memset(e, 0, sizeof *e);
    e->dataset_id = sqlite3_column_int64(stmt, 0);
    e->row_id = sqlite3_column_int64(stmt, 1);
    e->run_id = sqlite3_column_int64(stmt, 2);
    e->values_json = sj_store_column_dup(stmt, 3);
    e->dataset = sj_store_column_dup_null(stmt, 4);
    e->file_name = sj_xstrdup("");
    e->sheet = sj_xstrdup("");
}

static int get_evidence(struct sj_store *store, struct sj_lead_detail *d, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL, *source = NULL;
    int64_t source_dataset = 0;
    size_t alloc = 0;
    int step,
        rc = sj_store_prepare_cached(store,
                                     "SELECT e.dataset_id, e.row_id, e.run_id, e.values_json, "
                                     "ds.name FROM lead_evidence e LEFT JOIN datasets ds "
                                     "ON ds.id = e.dataset_id WHERE e.lead_id = ?1 "
                                     "ORDER BY e.dataset_id, e.row_id",
                                     &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, d->lead.id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (d->evidence_count == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            d->evidence = sj_xrealloc(d->evidence, alloc * sizeof *d->evidence);
        }
        struct sj_lead_evidence *e = &d->evidence[d->evidence_count++];
        fill_evidence(stmt, e);
        if (e->dataset)
            rc = find_source(store, e, &source, &source_dataset, err);
        if (rc < 0)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "reading a lead's evidence");
out:
    sj_store_finish(store, source);
    sj_store_finish(store, stmt);
    return rc;
}

static void fill_event(sqlite3_stmt *stmt, struct sj_lead_event *h)
{
    memset(h, 0, sizeof *h);
    h->id = sqlite3_column_int64(stmt, 0);
    h->at = sj_store_column_dup(stmt, 1);
    h->actor = sj_store_column_dup(stmt, 2);
    h->action = sj_store_column_dup(stmt, 3);
    h->has_status = sqlite3_column_type(stmt, 5) != SQLITE_NULL;
    h->from_status = sj_lead_status_from_db(sqlite3_column_text(stmt, 4));
    h->to_status = sj_lead_status_from_db(sqlite3_column_text(stmt, 5));
    h->outcome = outcome_from_db(sqlite3_column_text(stmt, 6));
    h->note = sj_store_column_dup(stmt, 7);
    h->run_id = sqlite3_column_int64(stmt, 8);
}

static int get_history(struct sj_store *store, struct sj_lead_detail *d, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    size_t alloc = 0;
    int step,
        rc = sj_store_prepare_cached(store,
                                     "SELECT id, at, actor, action, from_status, to_status, "
                                     "outcome, note, run_id FROM lead_history WHERE lead_id = ?1 "
                                     "ORDER BY id",
                                     &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, d->lead.id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (d->history_count == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            d->history = sj_xrealloc(d->history, alloc * sizeof *d->history);
        }
        fill_event(stmt, &d->history[d->history_count++]);
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "reading a lead's history");
    sj_store_finish(store, stmt);
    return rc;
}

int sj_lead_get(struct sj_store *store, const char *id, struct sj_lead_detail *detail,
                struct sj_err *err)
{
    memset(detail, 0, sizeof *detail);
    if (!id)
        return sj_err_set(err, SJ_EINVAL, "no lead id given");
    int rc = get_lead(store, id, &detail->lead, err);
    if (rc == 0)
        rc = get_evidence(store, detail, err);
    if (rc == 0)
        rc = get_history(store, detail, err);
    if (rc < 0)
        sj_lead_detail_release(detail);
    return rc;
}

/* ---- Statistics ----------------------------------------------------------------------------- */

/* Columns: key, function, runs, then SJ_LEAD_STATS_COUNTS. Every lead has a run (first_run), so
 * grouping the runs first loses no lead and also lists models that found nothing. */
static const char stats_by_model[] =
    "SELECT m.model_id, (SELECT x.function FROM model_runs x WHERE x.model_id = m.model_id "
    "ORDER BY x.id DESC LIMIT 1), m.runs, " SJ_LEAD_STATS_COUNTS
    " FROM (SELECT model_id, count(*) AS runs FROM model_runs GROUP BY model_id) m "
    "LEFT JOIN leads l ON l.model_id = m.model_id GROUP BY m.model_id ORDER BY m.model_id";
static const char stats_by_function[] =
    "SELECT f.function, f.function, f.runs, " SJ_LEAD_STATS_COUNTS
    " FROM (SELECT function, count(*) AS runs FROM model_runs GROUP BY function) f "
    "LEFT JOIN leads l ON l.function = f.function GROUP BY f.function ORDER BY f.function";

static void read_counts(sqlite3_stmt *stmt, struct sj_lead_stats_row *row)
{
    memset(row, 0, sizeof *row);
    row->key = sj_store_column_dup(stmt, 0);
    row->function = sj_store_column_dup(stmt, 1);
    row->runs = sqlite3_column_int64(stmt, 2);
    row->leads = sqlite3_column_int64(stmt, 3);
    row->verified = sqlite3_column_int64(stmt, 4);
    row->cases = sqlite3_column_int64(stmt, 5);
    row->no_cases = sqlite3_column_int64(stmt, 6);
    for (int i = SJ_OUTCOME_FILING; i < SJ_OUTCOME_COUNT; i++)
        row->outcomes[i] = sqlite3_column_int64(stmt, 7 + i - SJ_OUTCOME_FILING);
    row->conversion = row->leads > 0 ? (double)row->cases / (double)row->leads : 0.0;
}

int sj_lead_stats_collect(struct sj_store *store, sqlite3_stmt *stmt,
                          struct sj_lead_stats_row **rows, size_t *count, struct sj_err *err)
{
    size_t alloc = 0;
    int step, rc = 0;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*count == alloc) {
            alloc = alloc ? alloc * 2 : 8;
            *rows = sj_xrealloc(*rows, alloc * sizeof **rows);
        }
        read_counts(stmt, &(*rows)[(*count)++]);
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "counting leads");
    sj_store_finish(store, stmt);
    return rc;
}

static int read_stats(struct sj_store *store, const char *sql, struct sj_lead_stats_row **rows,
                      size_t *count, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    return rc < 0 ? rc : sj_lead_stats_collect(store, stmt, rows, count, err);
}

void sj_lead_stats_add_total(struct sj_lead_stats *stats)
{
    struct sj_lead_stats_row *t = &stats->total;
    t->key = sj_xstrdup("total");
    t->function = sj_xstrdup("");
    for (size_t i = 0; i < stats->function_count; i++) {
        const struct sj_lead_stats_row *row = &stats->functions[i];
        t->runs += row->runs;
        t->leads += row->leads;
        t->verified += row->verified;
        t->cases += row->cases;
        t->no_cases += row->no_cases;
        for (int k = 0; k < SJ_OUTCOME_COUNT; k++)
            t->outcomes[k] += row->outcomes[k];
    }
    t->conversion = t->leads > 0 ? (double)t->cases / (double)t->leads : 0.0;
}

static void free_rows(struct sj_lead_stats_row *rows, size_t count)
{
    for (size_t i = 0; rows && i < count; i++) {
        free(rows[i].key);
        free(rows[i].function);
    }
    free(rows);
}

void sj_lead_stats_release(struct sj_lead_stats *stats)
{
    if (!stats)
        return;
    free_rows(stats->models, stats->model_count);
    free_rows(stats->functions, stats->function_count);
    free(stats->total.key);
    free(stats->total.function);
    memset(stats, 0, sizeof *stats);
}

int sj_lead_stats(struct sj_store *store, struct sj_lead_stats *stats, struct sj_err *err)
{
    memset(stats, 0, sizeof *stats);
    /* One read transaction, so the two groupings count the same leads. */
    int rc = sj_store_exec(store, "BEGIN", err);
    if (rc < 0)
        return rc;
    rc = read_stats(store, stats_by_model, &stats->models, &stats->model_count, err);
    if (rc == 0)
        rc = read_stats(store, stats_by_function, &stats->functions, &stats->function_count, err);
    sj_lead_rollback(store);
    if (rc < 0) {
        sj_lead_stats_release(stats);
        return rc;
    }
    sj_lead_stats_add_total(stats);
    return 0;
}
