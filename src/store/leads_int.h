/*
 * leads_int.h - internal to src/store/leads*.c and platform_leads.c: the one way a lead row and
 * a row of lead counts are selected and read, and the statement helpers the run recorder and
 * the status workflow share.
 */
#ifndef SHUJIAN_STORE_LEADS_INT_H
#define SHUJIAN_STORE_LEADS_INT_H

#include <sqlite3.h>

#include "shujian/leads.h"
#include "store/store_int.h"

#define SJ_LEAD_SQL_NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

/* The columns sj_lead_read_row reads, from leads aliased l. */
#define SJ_LEAD_COLUMNS                                                                            \
    "l.id, l.model_id, l.function, l.subject, l.title, l.status, l.outcome, l.first_run, "         \
    "l.last_run, l.seen_count, l.created_at, l.updated_at, "                                       \
    "(SELECT count(*) FROM lead_evidence e WHERE e.lead_id = l.id)"

/* Aggregates over the leads l of a group; after key, function and runs, in the order
 * sj_lead_stats_collect reads them. */
#define SJ_LEAD_STATS_COUNTS                                                                       \
    "count(l.id), coalesce(sum(l.status <> 'pending'), 0), coalesce(sum(l.status = 'case'), 0), "  \
    "coalesce(sum(l.status = 'no-case'), 0), coalesce(sum(l.outcome = 'filing'), 0), "             \
    "coalesce(sum(l.outcome = 'correction'), 0), coalesce(sum(l.outcome = 'recommendation'), 0), " \
    "coalesce(sum(l.outcome = 'other'), 0)"

/* Stored text back to the enum; unknown text (never written by us) reads as pending. */
enum sj_lead_status sj_lead_status_from_db(const unsigned char *text);
/* Binds outcome's name, or NULL for none. */
void sj_lead_bind_outcome(sqlite3_stmt *stmt, int index, enum sj_lead_outcome outcome);

/* Reads the SJ_LEAD_COLUMNS of the current row into lead (owned by the caller:
 * sj_lead_release). */
void sj_lead_read_row(sqlite3_stmt *stmt, struct sj_lead *lead);

/* Steps a statement that returns no rows and resets it for reuse: 0 or SJ_EDB (what failed). */
int sj_lead_step_done(struct sj_store *store, sqlite3_stmt *stmt, const char *what,
                      struct sj_err *err);
/* Rolls back the open transaction, if any. */
void sj_lead_rollback(struct sj_store *store);
/* BEGIN IMMEDIATE; SJ_EINVAL when an import or a run already holds a transaction. */
int sj_lead_begin_write(struct sj_store *store, struct sj_err *err);

/* Steps stmt (prepared with sj_store_prepare_cached and bound; columns key, function, runs,
 * SJ_LEAD_STATS_COUNTS) to the end, appending a row each to *rows (count in *count), and gives it
 * back with sj_store_finish. 0 or SJ_EDB. */
int sj_lead_stats_collect(struct sj_store *store, sqlite3_stmt *stmt,
                          struct sj_lead_stats_row **rows, size_t *count, struct sj_err *err);
/* Sets stats->total to the sum of the per-function rows. */
void sj_lead_stats_add_total(struct sj_lead_stats *stats);

#endif
