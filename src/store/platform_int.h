/*
 * platform_int.h - internal to src/store/platform*.c: the SQL that resolves an owner office
 * (NULL is the workspace's own office, the lowest office id) and helpers both files use.
 */
#ifndef SHUJIAN_STORE_PLATFORM_INT_H
#define SHUJIAN_STORE_PLATFORM_INT_H

#include <sqlite3.h>

#include "shujian/platform.h"
#include "store/store_int.h"

/* The owner office of a row whose office column is col (a fixed column name). */
#define SJ_PLATFORM_OWNER(col) "coalesce(" col ", (SELECT min(id) FROM offices))"

/* Binds offices as a JSON array of ids to parameter index (for json_each). */
void sj_platform_bind_offices(sqlite3_stmt *stmt, int index, struct sj_office_set offices);
/* Steps stmt (which returns no rows) once and finalizes it: 0 or SJ_EDB (what failed). */
int sj_platform_step_done(struct sj_store *store, sqlite3_stmt *stmt, const char *what,
                          struct sj_err *err);

#endif
