/*
 * bail_store_names.c - subjects' names for lists of other records (an alert queue shows whose
 * alert it is), so that a list of n alerts costs one prepared statement and n primary-key
 * lookups instead of n full subject reads. Kept apart from bail_store.c, whose other
 * statements it does not share. Only stable store helpers (sj_store_prepare, finalised here).
 */
#include <stdlib.h>

#include "shujian/bail_store.h"
#include "store/store_int.h"

int sj_store_bail_subject_names(struct sj_store *store, const int64_t *ids, size_t count,
                                char **names, struct sj_err *err)
{
    sqlite3_stmt *st = NULL;
    for (size_t i = 0; i < count; i++)
        names[i] = NULL;
    if (count == 0)
        return 0;
    int rc = sj_store_prepare(store, "SELECT name FROM bail_subjects WHERE id = ?", &st, err);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        sqlite3_bind_int64(st, 1, ids[i]);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            names[i] = sj_store_column_dup(st, 0);
        else if (step != SQLITE_DONE)
            rc = sj_store_db_error(store, err, "读取被监管人姓名");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    for (size_t i = 0; rc < 0 && i < count; i++) {
        free(names[i]);
        names[i] = NULL;
    }
    return rc;
}
