/*
 * leads.h - model runs and leads (线索) in the workspace (src/store/leads.c).
 *
 * A model run is recorded in model_runs (model id, version and file hash, parameters, the
 * datasets read with the import runs they held, counts, duration). Each lead is one subject
 * found by one model; its id is stable ("L" + the first 16 hex digits of
 * sha256(model_id "\n" subject)), so a re-run finds the same lead and adds no duplicate.
 * Evidence rows point back to the dataset row (dataset id, row id) and through it to the
 * source file, sheet and row. Every change of a lead is kept in lead_history.
 * The life cycle and the statistics are described in docs/LEADS.md.
 *
 * Ownership: strings passed in are borrowed; structs handed out own their strings and are
 * freed with the matching _release/_free function.
 */
#ifndef SHUJIAN_LEADS_H
#define SHUJIAN_LEADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/store.h"

/* ---- Statuses and outcomes -------------------------------------------------------------- */

enum sj_lead_status {
    SJ_LEAD_PENDING = 0, /* "pending" 待核查 */
    SJ_LEAD_VERIFYING,   /* "verifying" 核查中 */
    SJ_LEAD_CASE,        /* "case" 成案 */
    SJ_LEAD_NO_CASE,     /* "no-case" 不成案 */
    SJ_LEAD_STATUS_COUNT
};

enum sj_lead_outcome {
    SJ_OUTCOME_NONE = 0,       /* no outcome (stored as NULL) */
    SJ_OUTCOME_FILING,         /* "filing" 立案监督 */
    SJ_OUTCOME_CORRECTION,     /* "correction" 纠正违法通知书 */
    SJ_OUTCOME_RECOMMENDATION, /* "recommendation" 检察建议 */
    SJ_OUTCOME_OTHER,          /* "other" 其他 */
    SJ_OUTCOME_COUNT
};

/* Stable English names (stored, and used in JSON) and Chinese labels. Static storage. */
const char *sj_lead_status_name(enum sj_lead_status status);
const char *sj_lead_status_label(enum sj_lead_status status);
const char *sj_lead_outcome_name(enum sj_lead_outcome outcome); /* NONE gives "" */
const char *sj_lead_outcome_label(enum sj_lead_outcome outcome);
/* Parse an English name or a Chinese label ("case", "成案"). 0 or SJ_EINVAL. */
int sj_lead_status_parse(const char *text, enum sj_lead_status *status);
int sj_lead_outcome_parse(const char *text, enum sj_lead_outcome *outcome);

/* Room for a lead id: "L" + 16 hex digits + NUL. */
#define SJ_LEAD_ID_SIZE 18

/* Writes the stable id of the lead of model_id about subject into id. */
void sj_lead_make_id(const char *model_id, const char *subject, char id[SJ_LEAD_ID_SIZE]);

/* ---- Recording a run -------------------------------------------------------------------- */

/* What a run is about; all borrowed. */
struct sj_lead_run_spec {
    const char *model_id;
    const char *model_version;
    const char *model_sha256;
    const char *function;        /* sj_model_function_name */
    const char *params_json;     /* JSON object of the values bound; NULL gives "{}" */
    const char *const *datasets; /* dataset names the plan reads */
    size_t dataset_count;
};

struct sj_lead_run;

/* Starts a run: opens a transaction (BEGIN IMMEDIATE) that sj_lead_run_finish commits and
 * sj_lead_run_abort rolls back, and inserts the model_runs row with inputs_json =
 * [{"dataset": name, "id": N, "rows": R, "import_runs": [ids]}] read now. Reads made on the
 * store until the run ends (e.g. the model's query) see the same snapshot. *out is owned by
 * the caller until finish/abort. Errors: SJ_EINVAL (no model id, an import or another run
 * is open), SJ_ENOTFOUND (a dataset does not exist), SJ_EDB. */
int sj_lead_run_begin(struct sj_store *store, const struct sj_lead_run_spec *spec,
                      struct sj_lead_run **out, struct sj_err *err);
/* The id of the model_runs row. */
int64_t sj_lead_run_id(const struct sj_lead_run *run);

/* Creates the lead of this run's model about subject (non-empty), or finds it. A lead seen
 * in an earlier run gets seen_count + 1, last_run = this run, the new title, and a
 * 'seen-again' history entry; a new one starts as pending with a 'found' entry. Calling it
 * again for the same subject in the same run changes nothing. id receives the lead id;
 * *is_new (may be NULL) is true when the lead was first found by this run. */
int sj_lead_upsert(struct sj_lead_run *run, const char *subject, const char *title,
                   char id[SJ_LEAD_ID_SIZE], bool *is_new, struct sj_err *err);

/* Adds (or refreshes) one evidence row of lead_id: dataset id, row id (ds_<N>._row) and the
 * evidence columns' values as a JSON object (NULL gives "{}"). Unique per (lead, dataset,
 * row): a repeat only updates run_id and values_json. */
int sj_lead_evidence_add(struct sj_lead_run *run, const char *lead_id, int64_t dataset_id,
                         int64_t row_id, const char *values_json, struct sj_err *err);

struct sj_lead_run_counts {
    int64_t row_count;  /* rows the model's query returned */
    int64_t lead_count; /* distinct leads of this run */
    int64_t new_count;  /* of which first found by this run */
    double seconds;     /* duration the caller measured */
};

/* Writes the counts and finished_at, commits and frees run. On error everything the run did
 * is rolled back and run is freed too. */
int sj_lead_run_finish(struct sj_lead_run *run, const struct sj_lead_run_counts *counts,
                       struct sj_err *err);
/* Rolls back everything the run did and frees it (NULL is fine). */
void sj_lead_run_abort(struct sj_lead_run *run);

/* ---- Reading leads ---------------------------------------------------------------------- */

struct sj_lead {
    char id[SJ_LEAD_ID_SIZE];
    char *model_id;
    char *function;
    char *subject;
    char *title;
    enum sj_lead_status status;
    enum sj_lead_outcome outcome;
    int64_t first_run;
    int64_t last_run;
    int64_t seen_count;
    int64_t evidence_count;
    char *created_at; /* ISO 8601 UTC */
    char *updated_at;
};

void sj_lead_release(struct sj_lead *lead);

/* Filters for sj_lead_list; NULL/false fields do not filter. */
struct sj_lead_filter {
    const char *model_id;
    const char *function; /* sj_model_function_name */
    bool has_status;
    enum sj_lead_status status;
    int64_t limit; /* 0: no limit */
    int64_t offset;
};

struct sj_lead_list {
    struct sj_lead *items;
    size_t count;
    int64_t total; /* leads matching the filter, before paging */
};

/* Leads matching filter, ordered by model and then in the order they were found. Release
 * with sj_lead_list_release. SJ_EINVAL (negative limit/offset) or SJ_EDB. */
int sj_lead_list(struct sj_store *store, const struct sj_lead_filter *filter,
                 struct sj_lead_list *list, struct sj_err *err);
void sj_lead_list_release(struct sj_lead_list *list);

/* An evidence row joined back to where it came from. */
struct sj_lead_evidence {
    int64_t dataset_id;
    int64_t row_id;
    int64_t run_id;     /* model run that last saw it */
    char *values_json;  /* the evidence columns as a JSON object */
    bool has_source;    /* false when the dataset or the row no longer exists */
    char *dataset;      /* name; NULL when the dataset was dropped */
    int64_t import_run; /* import_runs.id of the row */
    char *file_name;    /* "" when unknown */
    char *sheet;        /* "" for text files */
    int64_t source_row; /* row in the source file; 0 when unknown */
};

struct sj_lead_event {
    int64_t id;
    char *at;
    char *actor;
    char *action; /* "found", "seen-again" or "status" */
    bool has_status;
    enum sj_lead_status from_status; /* for "status" */
    enum sj_lead_status to_status;
    enum sj_lead_outcome outcome;
    char *note;     /* "" when none */
    int64_t run_id; /* 0 when not from a run */
};

struct sj_lead_detail {
    struct sj_lead lead;
    struct sj_lead_evidence *evidence;
    size_t evidence_count;
    struct sj_lead_event *history; /* oldest first */
    size_t history_count;
};

/* The lead with this id, its evidence (in dataset, row order) and its history. Release
 * with sj_lead_detail_release. SJ_ENOTFOUND or SJ_EDB. */
int sj_lead_get(struct sj_store *store, const char *id, struct sj_lead_detail *detail,
                struct sj_err *err);
void sj_lead_detail_release(struct sj_lead_detail *detail);

/* ---- Changing a lead's status ----------------------------------------------------------- */

struct sj_lead_change {
    enum sj_lead_status status;
    enum sj_lead_outcome outcome; /* required for SJ_LEAD_CASE, else must be NONE */
    const char *note;             /* required: why (Chinese, free text) */
    const char *actor;            /* who; NULL or "" is recorded as "" */
};

/* Changes the status of lead id and records it in its history, in one transaction.
 * Allowed: pending -> verifying | case | no-case; verifying -> case | no-case;
 * case | no-case -> verifying (reopening). Leaving case clears the outcome.
 * Errors: SJ_ENOTFOUND, SJ_EINVAL (a transition not allowed, no note, case without an
 * outcome or an outcome without case; messages in Chinese), SJ_EDB. */
int sj_lead_set_status(struct sj_store *store, const char *id, const struct sj_lead_change *change,
                       struct sj_err *err);
/* The same inside a transaction the caller holds (as a savepoint of it), so that the change
 * commits or rolls back with whatever else that transaction does: the server's writer
 * records the change in the ledger in the same transaction. On error only the change is
 * rolled back. SJ_EINVAL also when no transaction is open (or an import holds it). */
int sj_lead_set_status_within(struct sj_store *store, const char *id,
                              const struct sj_lead_change *change, struct sj_err *err);

/* ---- Statistics ------------------------------------------------------------------------- */

struct sj_lead_stats_row {
    char *key;      /* model id, or function name */
    char *function; /* the function of a model row; same as key for function rows */
    int64_t leads;
    int64_t verified;                   /* status other than pending */
    int64_t cases;                      /* status case */
    int64_t no_cases;                   /* status no-case */
    int64_t outcomes[SJ_OUTCOME_COUNT]; /* cases by outcome; [SJ_OUTCOME_NONE] stays 0 */
    int64_t runs;      /* model runs (model rows only; function rows sum their models) */
    double conversion; /* cases / leads; 0 when there are no leads */
};

struct sj_lead_stats {
    struct sj_lead_stats_row *models; /* ordered by model id */
    size_t model_count;
    struct sj_lead_stats_row *functions; /* functions that have leads or runs, by name */
    size_t function_count;
    struct sj_lead_stats_row total; /* key "total" */
};

/* Counts leads per model and per function. Release with sj_lead_stats_release. SJ_EDB. */
int sj_lead_stats(struct sj_store *store, struct sj_lead_stats *stats, struct sj_err *err);
void sj_lead_stats_release(struct sj_lead_stats *stats);

#endif
