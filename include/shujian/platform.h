/*
 * platform.h - the store's side of the platform API (src/store/platform.c and
 * platform_leads.c): which office owns a dataset, a model run or a lead; pages of a
 * dataset's rows filtered by one column; leads, runs and statistics limited to the offices a
 * user sees; and the transaction and durability switches the server's group-commit writer
 * needs. SQL stays in src/store; src/http speaks in these functions.
 *
 * Ownership. A dataset, a model run and a lead belong to an office (column office_id, added
 * by migration_office_scope). A NULL office_id - everything made before that migration or by
 * the command line - belongs to the workspace's own office: the office with the lowest id
 * (the first one `shujian office add` made). "Offices" parameters are the ids a user may see
 * (sj_office_list of the user's office), borrowed; an empty list matches nothing.
 *
 * Strings passed in are borrowed; results are owned by the caller and freed with the
 * matching _release function.
 */
#ifndef SHUJIAN_PLATFORM_H
#define SHUJIAN_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/leads.h"
#include "shujian/store.h"

/* A set of office ids (borrowed). */
struct sj_office_set {
    const int64_t *ids;
    size_t count;
};

/* ---- Owners -----------------------------------------------------------------------------------
 */

/* The workspace's own office (lowest office id); 0 when there are no offices. 0 or SJ_EDB. */
int sj_platform_home_office(struct sj_store *store, int64_t *office_id, struct sj_err *err);

/* The dataset with this id: its name (*name owned by the caller, free()) and owner office
 * (NULL office_id resolved to the home office). SJ_ENOTFOUND or SJ_EDB. */
int sj_platform_dataset_by_id(struct sj_store *store, int64_t id, char **name, int64_t *office_id,
                              struct sj_err *err);
/* The owner of the dataset called name. SJ_ENOTFOUND or SJ_EDB. */
int sj_platform_dataset_office(struct sj_store *store, const char *name, int64_t *office_id,
                               struct sj_err *err);
/* Gives the dataset called name to office_id when it has no owner yet (a dataset made by an
 * import over the API). 0, SJ_ENOTFOUND or SJ_EDB. */
int sj_platform_dataset_claim(struct sj_store *store, const char *name, int64_t office_id,
                              struct sj_err *err);

/* The owner offices of every dataset, by dataset id, for filtering a catalog listing:
 * *ids and *offices (count *count) owned by the caller (free() both). */
int sj_platform_dataset_offices(struct sj_store *store, int64_t **ids, int64_t **offices,
                                size_t *count, struct sj_err *err);

/* Gives model run run_id, and the leads it found first that have no owner, to office_id.
 * 0 or SJ_EDB. */
int sj_platform_run_claim(struct sj_store *store, int64_t run_id, int64_t office_id,
                          struct sj_err *err);

/* The owner of lead id. SJ_ENOTFOUND or SJ_EDB. */
int sj_platform_lead_office(struct sj_store *store, const char *id, int64_t *office_id,
                            struct sj_err *err);

/* ---- Rows --------------------------------------------------------------------------------------
 */

enum sj_row_match {
    SJ_ROW_MATCH_ALL = 0, /* no filter */
    SJ_ROW_MATCH_EQUAL,   /* the raw text or the normalised value equals value (or norm_value) */
    SJ_ROW_MATCH_CONTAINS /* the raw text contains value */
};

struct sj_row_filter {
    enum sj_row_match match;
    int position;           /* 1-based column */
    const char *value;      /* as typed */
    const char *norm_value; /* value normalised with the column's kind, or NULL */
};

/* A page of dataset id's rows (import order) that pass filter (NULL: all), with *total the
 * number of rows that pass. Free with sj_row_page_release. SJ_EINVAL (bad position, limit
 * < 1 or offset < 0), SJ_ENOTFOUND, SJ_EDB. */
int sj_platform_rows(struct sj_store *store, int64_t dataset_id, const struct sj_row_filter *filter,
                     int64_t offset, int64_t limit, struct sj_row_page *page, int64_t *total,
                     struct sj_err *err);

/* ---- Runs --------------------------------------------------------------------------------------
 */

struct sj_platform_run {
    int64_t id;
    int64_t office_id;
    char *model_id, *model_version, *model_sha256, *function;
    char *params_json, *inputs_json; /* as recorded */
    char *started_at, *finished_at;  /* finished_at "" while running */
    double seconds;
    int64_t row_count, lead_count, new_count;
};

struct sj_platform_run_list {
    struct sj_platform_run *items;
    size_t count;
};

/* The runs of model_id (all models when NULL) owned by offices, newest first, at most limit
 * (> 0). Release with sj_platform_run_list_release. 0 or SJ_EDB. */
int sj_platform_runs(struct sj_store *store, const char *model_id, struct sj_office_set offices,
                     int64_t limit, struct sj_platform_run_list *list, struct sj_err *err);
void sj_platform_run_list_release(struct sj_platform_run_list *list);

/* ---- Leads -------------------------------------------------------------------------------------
 */

enum sj_lead_sort {
    SJ_LEAD_SORT_NEWEST = 0, /* found last first (default) */
    SJ_LEAD_SORT_CREATED,    /* created_at */
    SJ_LEAD_SORT_UPDATED,    /* updated_at */
    SJ_LEAD_SORT_MODEL,      /* model id, then found order */
    SJ_LEAD_SORT_STATUS,     /* status name */
    SJ_LEAD_SORT_SEEN,       /* seen_count */
    SJ_LEAD_SORT_EVIDENCE,   /* evidence rows */
};

struct sj_lead_query {
    struct sj_lead_filter filter; /* model, function, status, limit (0: all), offset */
    const char *id;               /* only this lead; NULL: any */
    struct sj_office_set offices;
    const char *from; /* YYYY-MM-DD: found on or after; NULL: no bound */
    const char *to;   /* found on or before */
    enum sj_lead_sort sort;
    bool is_descending;
    bool is_all_offices; /* every lead, whoever owns it (the CLI); offices is then ignored */
};

/* Leads matching q, with the owner office of each in *offices (count list->count, owned by
 * the caller: free()). Release the list with sj_lead_list_release. SJ_EINVAL or SJ_EDB. */
int sj_platform_leads(struct sj_store *store, const struct sj_lead_query *q,
                      struct sj_lead_list *list, int64_t **offices, struct sj_err *err);

/* ---- Statistics --------------------------------------------------------------------------------
 */

struct sj_platform_month {
    char month[8]; /* "2026-11" */
    int64_t runs;  /* model runs started in the month */
    int64_t leads; /* leads first found in the month */
    int64_t cases; /* leads moved to case in the month */
};

struct sj_platform_stats {
    struct sj_lead_stats counts;      /* per model, per function, total: as sj_lead_stats */
    struct sj_platform_month *months; /* oldest first */
    size_t month_count;
};

/* sj_lead_stats limited to the runs and leads owned by offices, and found (runs: started)
 * between from and to (YYYY-MM-DD, either NULL), plus the same counts per month. Release with
 * sj_platform_stats_release. 0 or SJ_EDB. */
int sj_platform_stats(struct sj_store *store, struct sj_office_set offices, const char *from,
                      const char *to, struct sj_platform_stats *stats, struct sj_err *err);
void sj_platform_stats_release(struct sj_platform_stats *stats);

/* ---- Transactions and durability (the server's group-commit writer) -----------------------------
 */

/* PRAGMA synchronous = FULL (every commit waits for the disk) or NORMAL on this connection.
 * Only between transactions. 0 or SJ_EDB. */
int sj_platform_set_durable(struct sj_store *store, bool is_full, struct sj_err *err);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK on a connection with no import open. Begin: SJ_EINVAL
 * when a transaction is already open, SJ_EDB. Rollback never fails. */
int sj_platform_begin(struct sj_store *store, struct sj_err *err);
int sj_platform_commit(struct sj_store *store, struct sj_err *err);
void sj_platform_rollback(struct sj_store *store);
/* SAVEPOINT sj_write inside the open transaction, and its end: RELEASE (is_commit) or
 * ROLLBACK TO + RELEASE. 0 or SJ_EDB; the end never fails. */
int sj_platform_savepoint(struct sj_store *store, struct sj_err *err);
void sj_platform_savepoint_end(struct sj_store *store, bool is_commit);

#endif
