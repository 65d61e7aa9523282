/*
 * store.c - opening and closing a workspace: a directory (created 0700, since it holds
 * personal data) with one SQLite database in WAL mode, foreign keys on, a busy timeout so
 * that a second process waits instead of failing, and synchronous=NORMAL (safe in WAL:
 * a crash loses at most the last commits, never consistency). The schema is migrated
 * to the newest version at every open. Also the small helpers the store's files share.
 * A new workspace gets 16 KiB pages (SQLite's default is 4 KiB): a quarter of the pages,
 * WAL frames and system calls for the same rows, which takes a sixth off an import's CPU
 * time; an existing workspace keeps the page size it was made with.
 * temp_store is FILE on purpose: with MEMORY, SQLite's sorter never spills (an index
 * build or a big ORDER BY then holds every key in RAM, ~70 MB per million rows); with
 * FILE it sorts in cache-sized runs and merges them from temporary files, in bounded
 * memory, and small sorts still never touch the disk (docs/PERFORMANCE.md, import).
 * Each connection keeps a cache of prepared statements keyed by their SQL text
 * (sj_store_prepare_cached / sj_store_finish): a statement handed out is busy until given
 * back, when it is reset and its bindings cleared; the cache is finalised at close.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_int.h"

#define BUSY_TIMEOUT_MS 10000
/* The statement cache: at most CACHE_MAX statements per connection in CACHE_SLOTS hash
 * slots (a power of two, under 3/4 full). Beyond that, statements are one-off. */
#define CACHE_MAX 384
#define CACHE_SLOTS 512

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static int64_t memory_limit; /* sj_store_limit_memory's, 0 for none; set before sqlite_once */

/* Before SQLite's first connection: no global memory statistics, whose mutex every
 * allocation of every connection would otherwise take (docs/PERFORMANCE.md, http), unless
 * a one-shot command asked for a memory cap, which needs them. It is SQLITE_MISUSE, and
 * harmless, if SQLite was initialised already. */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, memory_limit > 0);
    if (memory_limit > 0)
        sqlite3_hard_heap_limit64(memory_limit);
}

void sj_store_limit_memory(int64_t limit)
{
    memory_limit = limit > 0 ? limit : 0;
}

const char *sj_store_default_dir(const char *flag_value)
{
    if (flag_value && flag_value[0])
        return flag_value;
    const char *env = getenv("SHUJIAN_WORKSPACE");
    if (env && env[0])
        return env;
    return SJ_WORKSPACE_DEFAULT;
}

const char *sj_store_dir(const struct sj_store *store)
{
    return store->dir;
}

int sj_store_schema_version(const struct sj_store *store)
{
    return store->schema_version;
}

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *dir, struct sj_err *err)
{
    char *path = sj_xstrdup(dir);
    int rc = 0;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            rc = sj_err_set(err, SJ_EIO, "无法创建目录 %s：%s", path, strerror(errno));
            goto out;
        }
        *p = '/';
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        rc = sj_err_set(err, SJ_EIO, "无法创建工作区目录 %s：%s", path, strerror(errno));
out:
    free(path);
    return rc;
}

static int check_dir(const char *dir, bool create, const char *db_path, struct sj_err *err)
{
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return sj_err_set(err, SJ_EIO, "工作区 %s 不是目录", dir);
    if (create)
        return make_dirs(dir, err);
    if (stat(db_path, &st) != 0)
        return sj_err_set(err, SJ_ENOTFOUND,
                          "工作区 %s 不存在（其中没有 %s）；请用 --workspace 指定工作区，"
                          "或先导入数据",
                          dir, SJ_WORKSPACE_DB);
    return 0;
}

static int configure(struct sj_store *store, struct sj_err *err)
{
    static const char pragmas[] = "PRAGMA page_size=16384;" /* a new workspace only */
                                  "PRAGMA journal_mode=WAL;"
                                  "PRAGMA foreign_keys=ON;"
                                  "PRAGMA synchronous=NORMAL;"
                                  "PRAGMA cache_size=-32768;"
                                  "PRAGMA temp_store=FILE;";
    if (sqlite3_busy_timeout(store->db, BUSY_TIMEOUT_MS) != SQLITE_OK)
        return sj_store_db_error(store, err, "setting the busy timeout");
    return sj_store_exec(store, pragmas, err);
}

int sj_store_open(const char *dir, bool create, struct sj_store **out, struct sj_err *err)
{
    struct sj_store *store = NULL;
    char *db_path = NULL;
    int rc;
    *out = NULL;
    if (!dir || !dir[0])
        return sj_err_set(err, SJ_EINVAL, "no workspace directory given");
    size_t len = strlen(dir) + 1 + strlen(SJ_WORKSPACE_DB) + 1;
    db_path = sj_xmalloc(len);
    snprintf(db_path, len, "%s/%s", dir, SJ_WORKSPACE_DB);
    rc = check_dir(dir, create, db_path, err);
    if (rc < 0)
        goto out;
    pthread_once(&sqlite_once, configure_sqlite);
    store = sj_xcalloc(1, sizeof *store);
    store->dir = sj_xstrdup(dir);
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(db_path, &store->db, flags, NULL) != SQLITE_OK) {
        rc = sj_store_db_error(store, err, "opening the workspace database");
        goto out;
    }
    sqlite3_extended_result_codes(store->db, 1);
    rc = configure(store, err);
    if (rc == 0)
        rc = sj_store_migrate(store, err);
out:
    if (rc < 0 && store) {
        sj_err_at(err, db_path, -1, -1, NULL);
        sj_store_close(store);
        store = NULL;
    }
    free(db_path);
    *out = store;
    return rc;
}

int sj_store_scan_fast(struct sj_store *store, struct sj_err *err)
{
    /* SQLite caps the map at SQLITE_MAX_MMAP_SIZE (0x7fff0000 in Debian's build); pages past
     * it are read as usual. Mapped pages count in the process's resident set but are the
     * kernel's page cache, shared, not memory of its own. */
    return sj_store_exec(store, "PRAGMA mmap_size=2147418112; PRAGMA temp_store=MEMORY", err);
}

int sj_store_scan_on_disk(struct sj_store *store, struct sj_err *err)
{
    sqlite3_hard_heap_limit64(0);
    return sj_store_exec(store, "PRAGMA temp_store=FILE", err);
}

void sj_store_close(struct sj_store *store)
{
    if (!store)
        return;
    for (size_t i = 0; i < store->cached_count; i++) {
        sqlite3_finalize(store->cached[i].stmt);
        free(store->cached[i].sql);
    }
    free(store->cached);
    free(store->slots);
    /* sqlite3_close_v2 defers the close until every statement is finalised, so a leaked
     * statement cannot make this fail; all of ours are finalised anyway. */
    sqlite3_close_v2(store->db);
    free(store->dir);
    free(store);
}

/* ---- Helpers shared by the store's files ---------------------------------------------------- */

int sj_store_db_error(struct sj_store *store, struct sj_err *err, const char *what)
{
    int code = store->db ? sqlite3_extended_errcode(store->db) : SQLITE_CANTOPEN;
    const char *msg = store->db ? sqlite3_errmsg(store->db) : "out of memory";
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        return sj_err_set(err, SJ_EDB, "工作区正被另一个程序使用（%s），请稍后再试", what);
    if ((code & 0xff) == SQLITE_NOMEM)
        return sj_err_set(err, SJ_ENOMEM, "内存不足（%s）：超过了数据库可用的内存上限", what);
    return sj_err_set(err, SJ_EDB, "database error while %s: %s (%d)", what, msg, code);
}

int sj_store_exec(struct sj_store *store, const char *sql, struct sj_err *err)
{
    if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sj_store_db_error(store, err, "changing the workspace");
    return 0;
}

int sj_store_prepare(struct sj_store *store, const char *sql, sqlite3_stmt **stmt,
                     struct sj_err *err)
{
    if (sqlite3_prepare_v2(store->db, sql, -1, stmt, NULL) != SQLITE_OK) {
        *stmt = NULL;
        return sj_store_db_error(store, err, "preparing a statement");
    }
    return 0;
}

/* FNV-1a. */
static uint64_t sql_hash(const char *sql)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 0x100000001b3u;
    return h;
}

/* The slot holding sql, or the empty slot where it would go. */
static uint32_t *cache_slot(struct sj_store *store, const char *sql, uint64_t hash)
{
    for (size_t i = hash & (CACHE_SLOTS - 1);; i = (i + 1) & (CACHE_SLOTS - 1)) {
        uint32_t *slot = &store->slots[i];
        if (*slot == 0)
            return slot;
        const struct sj_store_cached *c = &store->cached[*slot - 1];
        if (c->hash == hash && strcmp(c->sql, sql) == 0)
            return slot;
    }
}

static int prepare_persistent(struct sj_store *store, const char *sql, uint32_t *slot,
                              sqlite3_stmt **stmt, struct sj_err *err)
{
    if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) !=
        SQLITE_OK) {
        *stmt = NULL;
        return sj_store_db_error(store, err, "preparing a statement");
    }
    if (!store->cached)
        store->cached = sj_xmalloc(CACHE_MAX * sizeof *store->cached);
    struct sj_store_cached *c = &store->cached[store->cached_count++];
    c->sql = sj_xstrdup(sql);
    c->hash = sql_hash(sql);
    c->stmt = *stmt;
    c->is_busy = true;
    *slot = (uint32_t)store->cached_count;
    return 0;
}

int sj_store_prepare_cached(struct sj_store *store, const char *sql, sqlite3_stmt **stmt,
                            struct sj_err *err)
{
    if (!store->slots)
        store->slots = sj_xcalloc(CACHE_SLOTS, sizeof *store->slots);
    uint32_t *slot = cache_slot(store, sql, sql_hash(sql));
    if (*slot != 0) {
        struct sj_store_cached *c = &store->cached[*slot - 1];
        if (c->is_busy) /* a nested use of the same text */
            return sj_store_prepare(store, sql, stmt, err);
        c->is_busy = true;
        *stmt = c->stmt;
        return 0;
    }
    if (store->cached_count == CACHE_MAX)
        return sj_store_prepare(store, sql, stmt, err);
    return prepare_persistent(store, sql, slot, stmt, err);
}

void sj_store_finish(struct sj_store *store, sqlite3_stmt *stmt)
{
    if (!stmt)
        return;
    /* By pointer, not by sqlite3_sql(): that text may differ from the key (a trailing tail). */
    for (size_t i = store->cached_count; i-- > 0;) {
        struct sj_store_cached *c = &store->cached[i];
        if (c->stmt == stmt) {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
            c->is_busy = false;
            return;
        }
    }
    sqlite3_finalize(stmt);
}

char *sj_store_column_dup(sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    if (!text)
        return sj_xstrdup("");
    return sj_xstrndup((const char *)text, (size_t)sqlite3_column_bytes(stmt, col));
}

char *sj_store_column_dup_null(sqlite3_stmt *stmt, int col)
{
    if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
        return NULL;
    return sj_store_column_dup(stmt, col);
}

bool sj_store_kind_is_integer(enum sj_kind kind)
{
    return kind == SJ_KIND_AMOUNT || kind == SJ_KIND_INTEGER;
}

/* Dates are not indexed: models compare them through date() after joining on a key,
 * which no index on the column serves, and each index costs a sort of the whole table when
 * a model first reads the dataset (src/store/plan.c; docs/PERFORMANCE.md, import). */
bool sj_store_kind_is_indexed(enum sj_kind kind)
{
    switch (kind) {
    case SJ_KIND_IDCARD:
    case SJ_KIND_NAME:
    case SJ_KIND_PHONE:
    case SJ_KIND_CASENO:
    case SJ_KIND_CREDITCODE:
    case SJ_KIND_ORGCODE:
    case SJ_KIND_PARTYID:
    case SJ_KIND_CODE:
    case SJ_KIND_BANKCARD:
    case SJ_KIND_PLATE:
        return true;
    default:
        return false;
    }
}

/* How many SQLite virtual-machine steps between two calls of a watch: well under a
 * millisecond of work, so a time limit is kept to within about a millisecond. */
#define WATCH_STEPS 2000

void sj_store_watch(struct sj_store *store, sj_store_watch_fn *watch, void *ctx)
{
    if (store)
        sqlite3_progress_handler(store->db, watch ? WATCH_STEPS : 0, watch, ctx);
}
