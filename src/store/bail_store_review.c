/*
 * bail_store_review.c - two read-only views for the officers' pages, each one statement:
 * whether (by whom, when) an officer signed a review day off (bail_signoffs joined to users),
 * and every subject's home point - the centre of its own first active allowed circle fence
 * (no leave fence, valid at the given time), read from the canonical WGS-84 GeoJSON that
 * bail_fences keeps (sj_fence_to_geojson: {"type":"Point","coordinates":[lon,lat],...}).
 * Kept apart from bail_store.c; uses the shared statement helpers of bail_store_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include "store/bail_store_int.h"

static void signoff_row(sqlite3_stmt *st, void *item)
{
    struct sj_store_bail_signoff *s = item;
    s->user_id = sj_store_bail_col_i(st, 0);
    s->items = (size_t)sj_store_bail_col_i(st, 1);
    s->signed_ms = sj_store_bail_col_i(st, 2);
    s->display_name = sj_store_bail_col_t(st, 3);
}

int sj_store_bail_signoff_get(struct sj_store *store, int64_t user_id, const char *day,
                              struct sj_store_bail_signoff *out, bool *is_found,
                              struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    *is_found = false;
    int rc = sj_store_bail_prep(store, &st, err,
                                "SELECT s.user_id, s.items, s.signed_ms, u.display_name "
                                "FROM bail_signoffs s JOIN users u ON u.id = s.user_id "
                                "WHERE s.user_id = ? AND s.day = ?",
                                "it", user_id, day);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_read_one(store, st, signoff_row, out, err, "每日核查签收");
    if (rc == SJ_ENOTFOUND) {
        sj_err_clear(err);
        return 0;
    }
    *is_found = rc == 0;
    return rc;
}

static void home_row(sqlite3_stmt *st, void *item)
{
    struct sj_store_bail_home *h = item;
    h->subject_id = sj_store_bail_col_i(st, 0);
    h->lat = sqlite3_column_double(st, 1);
    h->lon = sqlite3_column_double(st, 2);
    h->radius_m = sqlite3_column_double(st, 3);
}

int sj_store_bail_homes(struct sj_store *store, int64_t at_ms, struct sj_store_bail_home **list,
                        size_t *count, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    *list = NULL;
    *count = 0;
    /* The lowest fence id per subject: SQLite takes the bare columns from the row min()
     * chose. Circles only: a polygon has no single centre worth showing. */
    int rc = sj_store_bail_prep(
        store, &st, err,
        "SELECT subject_id, json_extract(geometry, '$.coordinates[1]'), "
        "json_extract(geometry, '$.coordinates[0]'), json_extract(geometry, '$.radius'), "
        "min(id) FROM bail_fences WHERE subject_id IS NOT NULL AND kind = 'allowed' "
        "AND is_active = 1 AND leave_id IS NULL AND valid_from_ms <= ?1 "
        "AND (valid_until_ms = 0 OR valid_until_ms > ?1) "
        "AND json_valid(geometry) AND json_extract(geometry, '$.type') = 'Point' "
        "GROUP BY subject_id ORDER BY subject_id",
        "i", at_ms);
    if (rc < 0)
        return rc;
    return sj_store_bail_read_rows(store, st, sizeof **list, home_row, (void **)list, count, err,
                                   "读取居住地中心");
}
