/*
 * platform_leads.c - the store's side of the platform API, part two: leads and statistics
 * limited to the offices a user sees (include/shujian/platform.h). The counts follow
 * sj_lead_stats (docs/LEADS.md); here they are also limited by office and date, and given per
 * month.
 *
 * Invariants: the sort order comes from a fixed table indexed by enum, never from request
 * text; the office set and every filter value are bound parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/platform.h"
#include "store/leads_int.h"
#include "store/platform_int.h"

#define IN_OFFICES(col, param) SJ_PLATFORM_OWNER(col) " IN (SELECT value FROM json_each(" param "))"

/* ---- Leads ---------------------------------------------------------------------------------- */

#define LEAD_SELECT SJ_LEAD_COLUMNS ", " SJ_PLATFORM_OWNER("l.office_id")

#define LEAD_WHERE                                                                                 \
    " FROM leads l WHERE (?1 IS NULL OR l.model_id = ?1) AND (?2 IS NULL OR l.function = ?2) "     \
    "AND (?3 IS NULL OR l.status = ?3) AND (?4 IS NULL OR substr(l.created_at, 1, 10) >= ?4) "     \
    "AND (?5 IS NULL OR substr(l.created_at, 1, 10) <= ?5) AND (?9 IS NULL OR l.id = ?9) "         \
    "AND (?10 IS NOT NULL OR " IN_OFFICES("l.office_id", "?6") ")"

static const char *const sort_sql[] = {
    [SJ_LEAD_SORT_NEWEST] = "l.rowid",
    [SJ_LEAD_SORT_CREATED] = "l.created_at",
    [SJ_LEAD_SORT_UPDATED] = "l.updated_at",
    [SJ_LEAD_SORT_MODEL] = "l.model_id",
    [SJ_LEAD_SORT_STATUS] = "l.status",
    [SJ_LEAD_SORT_SEEN] = "l.seen_count",
    [SJ_LEAD_SORT_EVIDENCE] = "(SELECT count(*) FROM lead_evidence e WHERE e.lead_id = l.id)",
};

static void bind_text_or_null(sqlite3_stmt *stmt, int index, const char *text)
{
    if (text && *text)
        sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC);
}

static void bind_query(sqlite3_stmt *stmt, const struct sj_lead_query *q)
{
    bind_text_or_null(stmt, 1, q->filter.model_id);
    bind_text_or_null(stmt, 2, q->filter.function);
    if (q->filter.has_status)
        sqlite3_bind_text(stmt, 3, sj_lead_status_name(q->filter.status), -1, SQLITE_STATIC);
    bind_text_or_null(stmt, 4, q->from);
    bind_text_or_null(stmt, 5, q->to);
    sj_platform_bind_offices(stmt, 6, q->offices);
    bind_text_or_null(stmt, 9, q->id);
    if (q->is_all_offices)
        sqlite3_bind_int(stmt, 10, 1);
}

/* SJ_LEAD_COLUMNS, then the owner office. */
static void read_lead(sqlite3_stmt *stmt, struct sj_lead *lead, int64_t *office)
{
    sj_lead_read_row(stmt, lead);
    *office = sqlite3_column_int64(stmt, 13);
}

static int count_leads(struct sj_store *store, const struct sj_lead_query *q, int64_t *total,
                       struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, "SELECT count(*)" LEAD_WHERE, &stmt, err);
    if (rc < 0)
        return rc;
    bind_query(stmt, q);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *total = sqlite3_column_int64(stmt, 0);
    else
        rc = sj_store_db_error(store, err, "counting leads");
    sj_store_finish(store, stmt);
    return rc;
}

static int read_leads(struct sj_store *store, const struct sj_lead_query *q,
                      struct sj_lead_list *list, int64_t **offices, struct sj_err *err)
{
    char sql[1536];
    sqlite3_stmt *stmt = NULL;
    size_t alloc = 0;
    int step;
    const char *dir = q->is_descending ? "DESC" : "ASC";
    snprintf(sql, sizeof sql,
             "SELECT " LEAD_SELECT LEAD_WHERE " ORDER BY %s %s, l.rowid %s "
             "LIMIT ?7 OFFSET ?8",
             sort_sql[q->sort], dir, dir);
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    bind_query(stmt, q);
    sqlite3_bind_int64(stmt, 7, q->filter.limit > 0 ? q->filter.limit : -1);
    sqlite3_bind_int64(stmt, 8, q->filter.offset);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (list->count == alloc) {
            alloc = alloc ? alloc * 2 : 32;
            list->items = sj_xrealloc(list->items, alloc * sizeof *list->items);
            *offices = sj_xrealloc(*offices, alloc * sizeof **offices);
        }
        read_lead(stmt, &list->items[list->count], &(*offices)[list->count]);
        list->count++;
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "listing leads");
    sj_store_finish(store, stmt);
    return rc;
}

int sj_platform_leads(struct sj_store *store, const struct sj_lead_query *q,
                      struct sj_lead_list *list, int64_t **offices, struct sj_err *err)
{
    memset(list, 0, sizeof *list);
    *offices = NULL;
    if (q->filter.limit < 0 || q->filter.offset < 0)
        return sj_err_set(err, SJ_EINVAL, "limit 与 offset 不能为负数");
    if ((size_t)q->sort >= SJ_ARRAY_LEN(sort_sql))
        return sj_err_set(err, SJ_EINVAL, "未知的排序方式");
    int rc = sj_store_exec(store, "BEGIN", err);
    if (rc < 0)
        return rc;
    rc = count_leads(store, q, &list->total, err);
    if (rc == 0)
        rc = read_leads(store, q, list, offices, err);
    sj_platform_rollback(store);
    if (rc < 0) {
        sj_lead_list_release(list);
        free(*offices);
        *offices = NULL;
    }
    return rc;
}

int sj_lead_list(struct sj_store *store, const struct sj_lead_filter *filter,
                 struct sj_lead_list *list, struct sj_err *err)
{
    struct sj_lead_query q = {.sort = SJ_LEAD_SORT_MODEL, .is_all_offices = true};
    int64_t *offices = NULL;
    if (filter)
        q.filter = *filter;
    int rc = sj_platform_leads(store, &q, list, &offices, err);
    free(offices);
    return rc;
}

/* ---- Statistics ------------------------------------------------------------------------------ */

/* The runs (r) and leads (l) in scope: ?1 offices, ?2 from, ?3 to. */
#define SCOPE_CTES                                                                                 \
    "WITH r AS (SELECT * FROM model_runs WHERE " IN_OFFICES(                                       \
        "office_id", "?1") " AND (?2 IS NULL OR substr(started_at, 1, 10) >= ?2) "                 \
                           "AND (?3 IS NULL OR substr(started_at, 1, 10) <= ?3)), "                \
                           "l AS (SELECT * FROM leads WHERE " IN_OFFICES(                          \
                               "office_id",                                                        \
                               "?1") " AND (?2 IS NULL OR substr(created_at, 1, 10) >= ?2) "       \
                                     "AND (?3 IS NULL OR substr(created_at, 1, 10) <= ?3)) "

static const char stats_by_model[] = SCOPE_CTES
    ", k AS (SELECT model_id FROM r UNION SELECT model_id FROM l) "
    "SELECT k.model_id, coalesce((SELECT x.function FROM r x WHERE x.model_id = k.model_id "
    "ORDER BY x.id DESC LIMIT 1), (SELECT y.function FROM l y WHERE y.model_id = k.model_id "
    "LIMIT 1), ''), (SELECT count(*) FROM r x WHERE x.model_id = k.model_id), " SJ_LEAD_STATS_COUNTS
    " FROM k LEFT JOIN l ON l.model_id = k.model_id GROUP BY k.model_id ORDER BY k.model_id";

static const char stats_by_function[] =
    SCOPE_CTES ", k AS (SELECT function FROM r UNION SELECT function FROM l) "
               "SELECT k.function, k.function, (SELECT count(*) FROM r x WHERE x.function = "
               "k.function), " SJ_LEAD_STATS_COUNTS
               " FROM k LEFT JOIN l ON l.function = k.function GROUP BY k.function "
               "ORDER BY k.function";

static const char stats_by_month[] =
    "WITH r AS (SELECT substr(started_at, 1, 7) AS month FROM model_runs WHERE " IN_OFFICES(
        "office_id",
        "?1") " AND (?2 IS NULL OR substr(started_at, 1, 10) >= ?2) "
              "AND (?3 IS NULL OR substr(started_at, 1, 10) <= ?3)), "
              "l AS (SELECT substr(created_at, 1, 7) AS month FROM leads WHERE " IN_OFFICES(
                  "office_id",
                  "?1") " AND (?2 IS NULL OR substr(created_at, 1, 10) >= ?2) "
                        "AND (?3 IS NULL OR substr(created_at, 1, 10) <= ?3)), "
                        "h AS (SELECT substr(h.at, 1, 7) AS month FROM lead_history h JOIN leads x "
                        "ON x.id = "
                        "h.lead_id WHERE h.action = 'status' AND h.to_status = 'case' "
                        "AND " IN_OFFICES("x.office_id",
                                          "?1") " AND (?2 IS NULL OR substr(h.at, 1, 10) >= ?2) "
                                                "AND (?3 IS NULL OR substr(h.at, 1, 10) <= ?3)), "
                                                "m AS (SELECT month FROM r UNION SELECT month FROM "
                                                "l UNION SELECT month FROM h) "
                                                "SELECT m.month, (SELECT count(*) FROM r WHERE "
                                                "r.month = m.month), "
                                                "(SELECT count(*) FROM l WHERE l.month = m.month), "
                                                "(SELECT count(*) FROM h WHERE h.month = m.month) "
                                                "FROM m ORDER BY m.month";

struct scope {
    struct sj_office_set offices;
    const char *from, *to;
};

static int prepare_scoped(struct sj_store *store, const char *sql, const struct scope *s,
                          sqlite3_stmt **stmt, struct sj_err *err)
{
    int rc = sj_store_prepare_cached(store, sql, stmt, err);
    if (rc < 0)
        return rc;
    sj_platform_bind_offices(*stmt, 1, s->offices);
    bind_text_or_null(*stmt, 2, s->from);
    bind_text_or_null(*stmt, 3, s->to);
    return 0;
}

static int read_rows(struct sj_store *store, const char *sql, const struct scope *s,
                     struct sj_lead_stats_row **rows, size_t *count, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = prepare_scoped(store, sql, s, &stmt, err);
    return rc < 0 ? rc : sj_lead_stats_collect(store, stmt, rows, count, err);
}

static int read_months(struct sj_store *store, const struct scope *s,
                       struct sj_platform_stats *stats, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    size_t alloc = 0;
    int step, rc = prepare_scoped(store, stats_by_month, s, &stmt, err);
    if (rc < 0)
        return rc;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (stats->month_count == alloc) {
            alloc = alloc ? alloc * 2 : 12;
            stats->months = sj_xrealloc(stats->months, alloc * sizeof *stats->months);
        }
        struct sj_platform_month *m = &stats->months[stats->month_count++];
        const unsigned char *month = sqlite3_column_text(stmt, 0);
        snprintf(m->month, sizeof m->month, "%s", month ? (const char *)month : "");
        m->runs = sqlite3_column_int64(stmt, 1);
        m->leads = sqlite3_column_int64(stmt, 2);
        m->cases = sqlite3_column_int64(stmt, 3);
    }
    if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "counting leads per month");
    sj_store_finish(store, stmt);
    return rc;
}

int sj_platform_stats(struct sj_store *store, struct sj_office_set offices, const char *from,
                      const char *to, struct sj_platform_stats *stats, struct sj_err *err)
{
    struct scope s = {offices, from, to};
    struct sj_lead_stats *c = &stats->counts;
    memset(stats, 0, sizeof *stats);
    /* One read transaction, so every grouping counts the same leads. */
    int rc = sj_store_exec(store, "BEGIN", err);
    if (rc < 0)
        return rc;
    rc = read_rows(store, stats_by_model, &s, &c->models, &c->model_count, err);
    if (rc == 0)
        rc = read_rows(store, stats_by_function, &s, &c->functions, &c->function_count, err);
    if (rc == 0)
        rc = read_months(store, &s, stats, err);
    sj_platform_rollback(store);
    if (rc < 0) {
        sj_platform_stats_release(stats);
        return rc;
    }
    sj_lead_stats_add_total(c);
    return 0;
}

void sj_platform_stats_release(struct sj_platform_stats *stats)
{
    if (!stats)
        return;
    sj_lead_stats_release(&stats->counts);
    free(stats->months);
    memset(stats, 0, sizeof *stats);
}
