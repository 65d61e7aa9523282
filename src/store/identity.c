/*
 * identity.c - offices, users, logins and sessions in the workspace (shujian/identity.h).
 *
 * Invariants: a password exists only as an Argon2id hash string; a session token only as
 * its BLAKE2b-256 hash. A login attempt is counted as a failure (in its own short write
 * transaction) before the password is checked and forgiven only when it succeeds, so
 * parallel guesses cannot slip past the lockout; names that do not exist are counted the
 * same way and checked against a dummy hash, so neither the answer nor its timing tells
 * whether a name exists. Every write that must be atomic runs in BEGIN IMMEDIATE.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/identity.h"
#include "store/store_int.h"

#define SQL_NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

/* Argon2id cost: t=3 passes over 64 MiB, above OWASP's minimum (m=19 MiB, t=2) and about
 * 0.2 s on a server core. Tests may ask for libsodium's minimum instead. */
#define PWHASH_OPSLIMIT 3ULL
#define PWHASH_MEMLIMIT ((size_t)64 << 20)
#define TOKEN_RAW_BYTES 32
#define HASH_BYTES 32
#define FAILURE_MEMORY_MS (24LL * 3600 * 1000) /* forget old failures after a day */
#define TOUCH_MIN_MS 30000LL                   /* record a session's use at most this often */

/* ---- Roles ---------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    const char *label;
} roles[SJ_ROLE_COUNT] = {
    [SJ_ROLE_ADMIN] = {"admin", "管理员"},     [SJ_ROLE_PROSECUTOR] = {"prosecutor", "检察官"},
    [SJ_ROLE_POLICE] = {"police", "公安"},     [SJ_ROLE_AUDITOR] = {"auditor", "审计员"},
    [SJ_ROLE_DEVICE] = {"device", "监管设备"},
};

const char *sj_role_name(enum sj_role role)
{
    return (unsigned)role < SJ_ROLE_COUNT ? roles[role].name : "device";
}

const char *sj_role_label(enum sj_role role)
{
    return (unsigned)role < SJ_ROLE_COUNT ? roles[role].label : "监管设备";
}

int sj_role_parse(const char *text, enum sj_role *role)
{
    for (int i = 0; text && i < SJ_ROLE_COUNT; i++) {
        if (strcmp(text, roles[i].name) == 0 || strcmp(text, roles[i].label) == 0) {
            *role = (enum sj_role)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

/* ---- Checking fields ------------------------------------------------------------------------ */

/* Valid UTF-8 of min..max code points without control characters. */
static int check_text(const char *text, size_t min, size_t max, const char *what,
                      struct sj_err *err)
{
    struct sj_str s = sj_str_from_cstr(text);
    if (!text || !sj_utf8_is_valid(s, NULL))
        return sj_err_set(err, SJ_EINVAL, "%s不是有效的 UTF-8 文本", what);
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c < 0x20 || c == 0x7f)
            return sj_err_set(err, SJ_EINVAL, "%s不能含有控制字符", what);
    }
    size_t n = sj_utf8_count(s);
    if (n < min || n > max)
        return sj_err_set(err, SJ_EINVAL, "%s长度应为 %zu 至 %zu 个字符，现为 %zu 个", what, min,
                          max, n);
    return 0;
}

static int check_label(const char *text, size_t max, const char *what, struct sj_err *err)
{
    int rc = check_text(text, 1, max, what, err);
    if (rc == 0 && sj_str_trim(sj_str_from_cstr(text)).len != strlen(text))
        rc = sj_err_set(err, SJ_EINVAL, "%s首尾不能有空格", what);
    return rc;
}

int sj_username_fold(const char *username, char *out, struct sj_err *err)
{
    size_t len = username ? strlen(username) : 0;
    out[0] = '\0';
    if (len == 0 || len > SJ_USERNAME_MAX)
        return sj_err_set(err, SJ_EINVAL, "用户名长度应为 1 至 %d 个字符", SJ_USERNAME_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = username[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        bool is_ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     (i > 0 && (c == '.' || c == '_' || c == '-'));
        if (!is_ok) {
            out[0] = '\0';
            return sj_err_set(err, SJ_EINVAL,
                              "用户名只能由英文字母、数字和 . _ - 组成，且以字母或数字开头");
        }
        out[i] = c;
    }
    out[len] = '\0';
    return 0;
}

int sj_password_check(const char *password, struct sj_err *err)
{
    return check_text(password, SJ_PASSWORD_MIN, SJ_PASSWORD_MAX, "密码", err);
}

static int check_office_code(const char *code, struct sj_err *err)
{
    size_t len = code ? strlen(code) : 0;
    if (len == 0 || len > SJ_OFFICE_CODE_MAX)
        return sj_err_set(err, SJ_EINVAL, "院代码长度应为 1 至 %d 个字符", SJ_OFFICE_CODE_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = code[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '-'))
            return sj_err_set(err, SJ_EINVAL, "院代码只能由英文字母、数字和 - 组成");
    }
    return 0;
}

/* ---- Statement helpers ---------------------------------------------------------------------- */

static void rollback(struct sj_store *store)
{
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

static int begin_write(struct sj_store *store, struct sj_err *err)
{
    if (store->in_import || !sqlite3_get_autocommit(store->db))
        return sj_err_set(err, SJ_EINVAL, "工作区正忙，请稍后再试");
    return sj_store_exec(store, "BEGIN IMMEDIATE", err);
}

/* Prepares sql and binds up to 4 int64 arguments (?1..?n). */
static int prepare_ints(struct sj_store *store, const char *sql, sqlite3_stmt **stmt,
                        struct sj_err *err, int n, int64_t a, int64_t b, int64_t c, int64_t d)
{
    int rc = sj_store_prepare_cached(store, sql, stmt, err);
    const int64_t v[4] = {a, b, c, d};
    for (int i = 0; rc == 0 && i < n; i++)
        sqlite3_bind_int64(*stmt, i + 1, v[i]);
    return rc;
}

/* Steps a statement that returns no rows, then gives it back (sj_store_finish). */
static int step_finish(struct sj_store *store, sqlite3_stmt *stmt, const char *what,
                       struct sj_err *err)
{
    int rc = 0;
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = sj_store_db_error(store, err, what);
    sj_store_finish(store, stmt);
    return rc;
}

static bool is_constraint(struct sj_store *store)
{
    return (sqlite3_extended_errcode(store->db) & 0xff) == SQLITE_CONSTRAINT;
}

/* ---- Offices -------------------------------------------------------------------------------- */

#define OFFICE_COLUMNS "o.id, o.code, o.name, o.level, o.parent_id, o.created_at"

static void fill_office(sqlite3_stmt *stmt, struct sj_office *office)
{
    office->id = sqlite3_column_int64(stmt, 0);
    office->code = sj_store_column_dup(stmt, 1);
    office->name = sj_store_column_dup(stmt, 2);
    const char *level = (const char *)sqlite3_column_text(stmt, 3);
    office->level = level && strcmp(level, "city") == 0 ? SJ_OFFICE_CITY : SJ_OFFICE_COUNTY;
    office->parent_id = sqlite3_column_int64(stmt, 4);
    office->created_at = sj_store_column_dup(stmt, 5);
}

void sj_office_release(struct sj_office *office)
{
    if (!office)
        return;
    free(office->code);
    free(office->name);
    free(office->created_at);
    memset(office, 0, sizeof *office);
}

void sj_office_list_free(struct sj_office *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        sj_office_release(&list[i]);
    free(list);
}

/* Runs a one-row office query whose ?1 is bound by the caller. */
static int get_office(struct sj_store *store, sqlite3_stmt *stmt, struct sj_office *office,
                      struct sj_err *err)
{
    int rc = 0;
    memset(office, 0, sizeof *office);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        fill_office(stmt, office);
    else if (step == SQLITE_DONE)
        rc = sj_err_set(err, SJ_ENOTFOUND, "没有这个检察院");
    else
        rc = sj_store_db_error(store, err, "reading an office");
    sj_store_finish(store, stmt);
    return rc;
}

int sj_office_get(struct sj_store *store, int64_t id, struct sj_office *office, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = prepare_ints(store, "SELECT " OFFICE_COLUMNS " FROM offices o WHERE o.id = ?1", &stmt,
                          err, 1, id, 0, 0, 0);
    return rc < 0 ? rc : get_office(store, stmt, office, err);
}

int sj_office_find(struct sj_store *store, const char *code, struct sj_office *office,
                   struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(
        store, "SELECT " OFFICE_COLUMNS " FROM offices o WHERE o.code = ?1", &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, code ? code : "", -1, SQLITE_TRANSIENT);
    rc = get_office(store, stmt, office, err);
    if (rc == SJ_ENOTFOUND)
        sj_err_set(err, SJ_ENOTFOUND, "没有代码为 %s 的检察院", code ? code : "");
    return rc;
}

static int check_parent(struct sj_store *store, int64_t parent_id, struct sj_err *err)
{
    struct sj_office parent;
    int rc = sj_office_get(store, parent_id, &parent, err);
    if (rc == SJ_ENOTFOUND)
        return sj_err_set(err, SJ_ENOTFOUND, "上级检察院（编号 %lld）不存在", (long long)parent_id);
    if (rc == 0 && parent.level != SJ_OFFICE_CITY)
        rc = sj_err_set(err, SJ_EINVAL, "上级检察院“%s”不是市院，基层院只能设在市院之下",
                        parent.name);
    sj_office_release(&parent);
    return rc;
}

int sj_office_add(struct sj_store *store, const char *code, const char *name, int64_t parent_id,
                  int64_t *id, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = check_office_code(code, err);
    if (rc == 0)
        rc = check_label(name, SJ_OFFICE_NAME_MAX, "院名称", err);
    if (rc == 0 && parent_id != 0)
        rc = check_parent(store, parent_id, err);
    if (rc == 0)
        rc = sj_store_prepare_cached(
            store,
            "INSERT INTO offices (code, name, level, parent_id, created_at) "
            "VALUES (?1, ?2, ?3, ?4, " SQL_NOW ")",
            &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, parent_id ? "county" : "city", -1, SQLITE_STATIC);
    if (parent_id)
        sqlite3_bind_int64(stmt, 4, parent_id);
    if (sqlite3_step(stmt) == SQLITE_DONE) {
        if (id)
            *id = sqlite3_last_insert_rowid(store->db);
    } else if (is_constraint(store)) {
        rc = sj_err_set(err, SJ_EEXIST, "院代码 %s 已被使用", code);
    } else {
        rc = sj_store_db_error(store, err, "adding an office");
    }
    sj_store_finish(store, stmt);
    return rc;
}

int sj_office_list(struct sj_store *store, int64_t viewer_office, struct sj_office **list,
                   size_t *count, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    size_t n = 0, alloc = 0;
    struct sj_office *items = NULL;
    *list = NULL;
    *count = 0;
    int rc = prepare_ints(store,
                          "SELECT " OFFICE_COLUMNS " FROM offices o WHERE ?1 = 0 OR o.id = ?1 "
                          "OR o.parent_id = ?1 ORDER BY o.level = 'county', o.code",
                          &stmt, err, 1, viewer_office, 0, 0, 0);
    if (rc < 0)
        return rc;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            items = sj_xrealloc(items, alloc * sizeof *items);
        }
        fill_office(stmt, &items[n++]);
    }
    if (step != SQLITE_DONE) {
        rc = sj_store_db_error(store, err, "listing offices");
        sj_office_list_free(items, n);
    } else {
        *list = items;
        *count = n;
    }
    sj_store_finish(store, stmt);
    return rc;
}

int sj_office_is_visible(struct sj_store *store, int64_t viewer_office, int64_t office,
                         bool *visible, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    *visible = false;
    int rc =
        prepare_ints(store, "SELECT 1 FROM offices WHERE id = ?2 AND (id = ?1 OR parent_id = ?1)",
                     &stmt, err, 2, viewer_office, office, 0, 0);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        *visible = true;
    else if (step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "checking an office's scope");
    sj_store_finish(store, stmt);
    return rc;
}

/* ---- Passwords ------------------------------------------------------------------------------ */

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

bool sj_password_is_fast_hash(void)
{
    const char *env = getenv("SHUJIAN_TEST_FAST_HASH");
    return env && strcmp(env, "1") == 0;
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES])
{
    bool is_fast = sj_password_is_fast_hash();
    unsigned long long ops = is_fast ? crypto_pwhash_OPSLIMIT_MIN : PWHASH_OPSLIMIT;
    size_t mem = is_fast ? crypto_pwhash_MEMLIMIT_MIN : PWHASH_MEMLIMIT;
    return crypto_pwhash_str(out, password, strlen(password), ops, mem) == 0 ? 0 : SJ_ENOMEM;
}

static bool needs_rehash(const char *hash)
{
    bool is_fast = sj_password_is_fast_hash();
    unsigned long long ops = is_fast ? crypto_pwhash_OPSLIMIT_MIN : PWHASH_OPSLIMIT;
    size_t mem = is_fast ? crypto_pwhash_MEMLIMIT_MIN : PWHASH_MEMLIMIT;
    return crypto_pwhash_str_needs_rehash(hash, ops, mem) != 0;
}

/* sodium_init, and the hash that unknown names are checked against so that they take as
 * long as known ones. Aborts if libsodium cannot start: nothing here is safe without it. */
static void init_sodium(void)
{
    if (sodium_init() < 0) {
        fputs("shujian: libsodium failed to initialise\n", stderr);
        abort();
    }
    if (hash_password("shujian-dummy-password", dummy_hash) < 0) {
        fputs("shujian: out of memory hashing a password\n", stderr);
        abort();
    }
}

static void ensure_sodium(void)
{
    pthread_once(&sodium_once, init_sodium);
}

static bool verify_password(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* ---- Users ---------------------------------------------------------------------------------- */

#define USER_COLUMNS                                                                               \
    "u.id, u.username, u.display_name, u.role, u.office_id, u.is_disabled, u.created_at, "         \
    "u.updated_at"

/* Fills *user from columns first..first+7 laid out as USER_COLUMNS. */
static void fill_user(sqlite3_stmt *stmt, int first, struct sj_user *user)
{
    user->id = sqlite3_column_int64(stmt, first);
    user->username = sj_store_column_dup(stmt, first + 1);
    user->display_name = sj_store_column_dup(stmt, first + 2);
    const char *role = (const char *)sqlite3_column_text(stmt, first + 3);
    if (sj_role_parse(role, &user->role) < 0)
        user->role = SJ_ROLE_DEVICE; /* the least privileged, should the CHECK ever fail */
    user->office_id = sqlite3_column_int64(stmt, first + 4);
    user->is_disabled = sqlite3_column_int(stmt, first + 5) != 0;
    user->created_at = sj_store_column_dup(stmt, first + 6);
    user->updated_at = sj_store_column_dup(stmt, first + 7);
}

void sj_user_release(struct sj_user *user)
{
    if (!user)
        return;
    free(user->username);
    free(user->display_name);
    free(user->created_at);
    free(user->updated_at);
    memset(user, 0, sizeof *user);
}

void sj_user_list_free(struct sj_user *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        sj_user_release(&list[i]);
    free(list);
}

/* One user by the query stmt (?1 bound by the caller); hash (may be NULL) gets the
 * password hash, which must be the column after USER_COLUMNS. */
static int get_user(struct sj_store *store, sqlite3_stmt *stmt, struct sj_user *user, char *hash,
                    struct sj_err *err)
{
    int rc = 0;
    memset(user, 0, sizeof *user);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        fill_user(stmt, 0, user);
        if (hash)
            snprintf(hash, crypto_pwhash_STRBYTES, "%s",
                     (const char *)sqlite3_column_text(stmt, 8));
    } else if (step == SQLITE_DONE) {
        rc = sj_err_set(err, SJ_ENOTFOUND, "没有这个用户");
    } else {
        rc = sj_store_db_error(store, err, "reading a user");
    }
    sj_store_finish(store, stmt);
    return rc;
}

int sj_user_get(struct sj_store *store, int64_t id, struct sj_user *user, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = prepare_ints(store, "SELECT " USER_COLUMNS " FROM users u WHERE u.id = ?1", &stmt, err,
                          1, id, 0, 0, 0);
    return rc < 0 ? rc : get_user(store, stmt, user, NULL, err);
}

/* By folded user name, with the password hash when hash is not NULL. */
static int find_user(struct sj_store *store, const char *folded, struct sj_user *user, char *hash,
                     struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(
        store, "SELECT " USER_COLUMNS ", u.password_hash FROM users u WHERE u.username = ?1", &stmt,
        err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, folded, -1, SQLITE_TRANSIENT);
    return get_user(store, stmt, user, hash, err);
}

int sj_user_find(struct sj_store *store, const char *username, struct sj_user *user,
                 struct sj_err *err)
{
    char folded[SJ_USERNAME_MAX + 1];
    memset(user, 0, sizeof *user);
    if (sj_username_fold(username, folded, NULL) < 0)
        return sj_err_set(err, SJ_ENOTFOUND, "没有用户 %s", username ? username : "");
    int rc = find_user(store, folded, user, NULL, err);
    if (rc == SJ_ENOTFOUND)
        sj_err_set(err, SJ_ENOTFOUND, "没有用户 %s", folded);
    return rc;
}

static int check_new_user(struct sj_store *store, const struct sj_user_new *user, char *folded,
                          struct sj_err *err)
{
    int rc = sj_username_fold(user->username, folded, err);
    if (rc == 0)
        rc = check_label(user->display_name, SJ_DISPLAY_NAME_MAX, "姓名", err);
    if (rc == 0 && (unsigned)user->role >= SJ_ROLE_COUNT)
        rc = sj_err_set(err, SJ_EINVAL, "未知的角色");
    if (rc == 0)
        rc = sj_password_check(user->password, err);
    if (rc == 0) {
        struct sj_office office;
        rc = sj_office_get(store, user->office_id, &office, err);
        sj_office_release(&office);
    }
    return rc;
}

int sj_user_add(struct sj_store *store, const struct sj_user_new *user, int64_t *id,
                struct sj_err *err)
{
    char folded[SJ_USERNAME_MAX + 1];
    char hash[crypto_pwhash_STRBYTES];
    sqlite3_stmt *stmt = NULL;
    ensure_sodium();
    int rc = check_new_user(store, user, folded, err);
    if (rc == 0 && hash_password(user->password, hash) < 0)
        rc = sj_err_set(err, SJ_ENOMEM, "内存不足，无法计算密码散列");
    if (rc == 0)
        rc = sj_store_prepare_cached(
            store,
            "INSERT INTO users (username, display_name, role, office_id, "
            "password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, " SQL_NOW
            ", " SQL_NOW ")",
            &stmt, err);
    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, folded, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, user->display_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, sj_role_name(user->role), -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, user->office_id);
    sqlite3_bind_text(stmt, 5, hash, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) == SQLITE_DONE) {
        if (id)
            *id = sqlite3_last_insert_rowid(store->db);
    } else if (is_constraint(store)) {
        rc = sj_err_set(err, SJ_EEXIST, "用户名 %s 已被使用", folded);
    } else {
        rc = sj_store_db_error(store, err, "adding a user");
    }
out:
    sj_store_finish(store, stmt);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int sj_user_list(struct sj_store *store, int64_t viewer_office, struct sj_user **list,
                 size_t *count, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    size_t n = 0, alloc = 0;
    struct sj_user *items = NULL;
    *list = NULL;
    *count = 0;
    int rc = prepare_ints(store,
                          "SELECT " USER_COLUMNS " FROM users u JOIN offices o ON o.id = "
                          "u.office_id WHERE ?1 = 0 OR o.id = ?1 OR o.parent_id = ?1 "
                          "ORDER BY o.level = 'county', o.code, u.username",
                          &stmt, err, 1, viewer_office, 0, 0, 0);
    if (rc < 0)
        return rc;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            items = sj_xrealloc(items, alloc * sizeof *items);
        }
        fill_user(stmt, 0, &items[n++]);
    }
    if (step != SQLITE_DONE) {
        rc = sj_store_db_error(store, err, "listing users");
        sj_user_list_free(items, n);
    } else {
        *list = items;
        *count = n;
    }
    sj_store_finish(store, stmt);
    return rc;
}

static int check_change(const struct sj_user_change *change, struct sj_err *err)
{
    int rc = 0;
    if (change->display_name)
        rc = check_label(change->display_name, SJ_DISPLAY_NAME_MAX, "姓名", err);
    if (rc == 0 && change->has_role && (unsigned)change->role >= SJ_ROLE_COUNT)
        rc = sj_err_set(err, SJ_EINVAL, "未知的角色");
    if (rc == 0 && change->password)
        rc = sj_password_check(change->password, err);
    return rc;
}

/* Runs one UPDATE/DELETE on user id (?1) with text ?2 (may be NULL). */
static int exec_on_user(struct sj_store *store, const char *sql, int64_t id, const char *text,
                        struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = prepare_ints(store, sql, &stmt, err, 1, id, 0, 0, 0);
    if (rc < 0)
        return rc;
    if (text)
        sqlite3_bind_text(stmt, 2, text, -1, SQLITE_TRANSIENT);
    return step_finish(store, stmt, "changing a user", err);
}

static int apply_change(struct sj_store *store, int64_t id, const struct sj_user_change *change,
                        const char *hash, struct sj_err *err)
{
    int rc = 0;
    if (change->display_name)
        rc = exec_on_user(store, "UPDATE users SET display_name = ?2 WHERE id = ?1", id,
                          change->display_name, err);
    if (rc == 0 && change->has_role)
        rc = exec_on_user(store, "UPDATE users SET role = ?2 WHERE id = ?1", id,
                          sj_role_name(change->role), err);
    if (rc == 0 && change->has_disabled)
        rc = exec_on_user(store, "UPDATE users SET is_disabled = ?2 WHERE id = ?1", id,
                          change->is_disabled ? "1" : "0", err);
    if (rc == 0 && hash)
        rc =
            exec_on_user(store, "UPDATE users SET password_hash = ?2 WHERE id = ?1", id, hash, err);
    bool ends_sessions = hash || (change->has_disabled && change->is_disabled);
    if (rc == 0 && ends_sessions)
        rc = exec_on_user(store, "DELETE FROM sessions WHERE user_id = ?1", id, NULL, err);
    bool unlocks = hash || (change->has_disabled && !change->is_disabled);
    if (rc == 0 && unlocks)
        rc = exec_on_user(store,
                          "DELETE FROM login_failures WHERE username = "
                          "(SELECT username FROM users WHERE id = ?1)",
                          id, NULL, err);
    if (rc == 0)
        rc = exec_on_user(store, "UPDATE users SET updated_at = " SQL_NOW " WHERE id = ?1", id,
                          NULL, err);
    return rc;
}

int sj_user_update(struct sj_store *store, int64_t id, const struct sj_user_change *change,
                   struct sj_err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    struct sj_user user = {0};
    ensure_sodium();
    int rc = check_change(change, err);
    /* Hash before taking the write lock: it is the slow part. */
    if (rc == 0 && change->password && hash_password(change->password, hash) < 0)
        rc = sj_err_set(err, SJ_ENOMEM, "内存不足，无法计算密码散列");
    if (rc == 0)
        rc = begin_write(store, err);
    if (rc < 0)
        goto out;
    rc = sj_user_get(store, id, &user, err);
    if (rc == 0)
        rc = apply_change(store, id, change, change->password ? hash : NULL, err);
    if (rc == 0)
        rc = sj_store_exec(store, "COMMIT", err);
    if (rc < 0)
        rollback(store);
out:
    sj_user_release(&user);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* ---- Login ---------------------------------------------------------------------------------- */

void sj_auth_policy_init(struct sj_auth_policy *policy)
{
    static const struct {
        const char *env;
        size_t offset;
    } overrides[] = {
        {"SHUJIAN_TEST_IDLE_MS", offsetof(struct sj_auth_policy, idle_ms)},
        {"SHUJIAN_TEST_ABSOLUTE_MS", offsetof(struct sj_auth_policy, absolute_ms)},
        {"SHUJIAN_TEST_BACKOFF_MS", offsetof(struct sj_auth_policy, backoff_ms)},
        {"SHUJIAN_TEST_LOCKOUT_MS", offsetof(struct sj_auth_policy, lockout_ms)},
    };
    *policy = (struct sj_auth_policy){
        .max_failures = 5,
        .lockout_ms = 15LL * 60 * 1000,
        .backoff_ms = 1000,
        .backoff_max_ms = 30000,
        .idle_ms = 30LL * 60 * 1000,
        .absolute_ms = 12LL * 3600 * 1000,
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(overrides); i++) {
        const char *value = getenv(overrides[i].env);
        char *end = NULL;
        if (!value || !*value)
            continue;
        long long ms = strtoll(value, &end, 10);
        if (*end != '\0' || ms < 0) {
            SJ_WARN("ignoring %s=%s: not a number of milliseconds", overrides[i].env, value);
            continue;
        }
        SJ_WARN("test-only setting %s=%lld is in force", overrides[i].env, ms);
        memcpy((char *)policy + overrides[i].offset, &(int64_t){ms}, sizeof(int64_t));
    }
}

/* How long a name must wait after its failures-th failure in a row. */
static int64_t backoff_for(const struct sj_auth_policy *policy, int failures)
{
    int64_t wait = policy->backoff_ms;
    for (int i = 1; i < failures && wait < policy->backoff_max_ms; i++)
        wait *= 2;
    return wait < policy->backoff_max_ms ? wait : policy->backoff_max_ms;
}

struct failure_state {
    int failures;
    int64_t last_ms;
    int64_t locked_until_ms;
};

static int read_failures(struct sj_store *store, const char *key, struct failure_state *state,
                         struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    memset(state, 0, sizeof *state);
    int rc = sj_store_prepare_cached(store,
                                     "SELECT failures, last_failure_ms, locked_until_ms FROM "
                                     "login_failures WHERE username = ?1",
                                     &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        state->failures = sqlite3_column_int(stmt, 0);
        state->last_ms = sqlite3_column_int64(stmt, 1);
        state->locked_until_ms = sqlite3_column_int64(stmt, 2);
    } else if (step != SQLITE_DONE) {
        rc = sj_store_db_error(store, err, "reading failed logins");
    }
    sj_store_finish(store, stmt);
    return rc;
}

static int write_failures(struct sj_store *store, const char *key,
                          const struct failure_state *state, int64_t now_ms, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc =
        prepare_ints(store,
                     "INSERT OR REPLACE INTO login_failures (failures, last_failure_ms, "
                     "locked_until_ms, username) VALUES (?1, ?2, ?3, ?4)",
                     &stmt, err, 3, state->failures, state->last_ms, state->locked_until_ms, 0);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 4, key, -1, SQLITE_TRANSIENT);
    rc = step_finish(store, stmt, "recording a failed login", err);
    if (rc == 0)
        rc = prepare_ints(store,
                          "DELETE FROM login_failures WHERE last_failure_ms < ?1 AND "
                          "locked_until_ms < ?2",
                          &stmt, err, 2, now_ms - FAILURE_MEMORY_MS, now_ms, 0, 0);
    if (rc == 0)
        rc = step_finish(store, stmt, "forgetting old failed logins", err);
    return rc;
}

/* Decides whether key may try now; if so counts the attempt as a failure in advance and
 * sets *failures to the count including it. Otherwise sets login->status. */
static int record_attempt(struct sj_store *store, const char *key, int64_t now_ms,
                          const struct sj_auth_policy *policy, struct sj_login *login,
                          int *failures, struct sj_err *err)
{
    struct failure_state st;
    int rc = begin_write(store, err);
    if (rc == 0)
        rc = read_failures(store, key, &st, err);
    if (rc < 0)
        goto out;
    if (st.locked_until_ms > now_ms) {
        login->status = SJ_LOGIN_LOCKED;
        login->retry_after_ms = st.locked_until_ms - now_ms;
        goto out;
    }
    if (st.locked_until_ms != 0) /* a lock that has run out starts the count afresh */
        st = (struct failure_state){0};
    int64_t next_ms = st.last_ms + backoff_for(policy, st.failures);
    if (st.failures > 0 && now_ms < next_ms) {
        login->status = SJ_LOGIN_THROTTLED;
        login->retry_after_ms = next_ms - now_ms;
        goto out;
    }
    st.failures++;
    st.last_ms = now_ms;
    st.locked_until_ms = st.failures >= policy->max_failures ? now_ms + policy->lockout_ms : 0;
    *failures = st.failures;
    rc = write_failures(store, key, &st, now_ms, err);
out:
    if (rc == 0)
        rc = sj_store_exec(store, "COMMIT", err);
    if (rc < 0)
        rollback(store);
    return rc;
}

static int forgive_failures(struct sj_store *store, const char *key, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, "DELETE FROM login_failures WHERE username = ?1", &stmt,
                                     err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_TRANSIENT);
    return step_finish(store, stmt, "clearing failed logins", err);
}

/* ---- Sessions ------------------------------------------------------------------------------- */

static bool is_token_shaped(struct sj_str token)
{
    if (token.len != SJ_SESSION_TOKEN_LEN)
        return false;
    for (size_t i = 0; i < token.len; i++) {
        char c = token.ptr[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static void token_hash(struct sj_str token, unsigned char out[HASH_BYTES])
{
    crypto_generichash(out, HASH_BYTES, (const unsigned char *)token.ptr, token.len, NULL, 0);
}

void sj_session_csrf(struct sj_str token, char *out)
{
    static const char context[] = "shujian csrf v1";
    unsigned char mac[TOKEN_RAW_BYTES];
    ensure_sodium();
    size_t key_len =
        token.len < crypto_generichash_KEYBYTES_MAX ? token.len : crypto_generichash_KEYBYTES_MAX;
    crypto_generichash(mac, sizeof mac, (const unsigned char *)context, sizeof context - 1,
                       (const unsigned char *)token.ptr, key_len);
    sodium_bin2base64(out, SJ_CSRF_TOKEN_LEN + 1, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool sj_session_csrf_is_valid(struct sj_str token, struct sj_str presented)
{
    char expected[SJ_CSRF_TOKEN_LEN + 1];
    if (!is_token_shaped(token) || presented.len != SJ_CSRF_TOKEN_LEN)
        return false;
    sj_session_csrf(token, expected);
    return sodium_memcmp(expected, presented.ptr, SJ_CSRF_TOKEN_LEN) == 0;
}

static int create_session(struct sj_store *store, int64_t user_id, int64_t now_ms,
                          const struct sj_auth_policy *policy, struct sj_login *login,
                          struct sj_err *err)
{
    unsigned char raw[TOKEN_RAW_BYTES], hash[HASH_BYTES];
    sqlite3_stmt *stmt = NULL;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(login->token, sizeof login->token, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    struct sj_str token = sj_str_make(login->token, SJ_SESSION_TOKEN_LEN);
    token_hash(token, hash);
    sj_session_csrf(token, login->csrf);
    login->expires_ms = now_ms + policy->absolute_ms;
    /* Sweep sessions that ended unseen, so the table holds live ones only. */
    int rc =
        prepare_ints(store, "DELETE FROM sessions WHERE expires_ms <= ?1 OR last_seen_ms <= ?2",
                     &stmt, err, 2, now_ms, now_ms - policy->idle_ms, 0, 0);
    if (rc == 0)
        rc = step_finish(store, stmt, "sweeping ended sessions", err);
    if (rc == 0)
        rc = prepare_ints(store,
                          "INSERT INTO sessions (user_id, created_ms, last_seen_ms, expires_ms, "
                          "token_hash) VALUES (?1, ?2, ?2, ?3, ?4)",
                          &stmt, err, 3, user_id, now_ms, login->expires_ms, 0);
    if (rc < 0)
        return rc;
    sqlite3_bind_blob(stmt, 4, hash, sizeof hash, SQLITE_TRANSIENT);
    return step_finish(store, stmt, "creating a session", err);
}

/* After a right password: refuse a disabled user, upgrade an old hash, open a session. */
static int finish_login(struct sj_store *store, const char *password, const char *hash,
                        int64_t now_ms, const struct sj_auth_policy *policy, struct sj_login *login,
                        struct sj_err *err)
{
    if (login->user.is_disabled) {
        login->status = SJ_LOGIN_DISABLED;
        return 0;
    }
    if (needs_rehash(hash)) {
        char fresh[crypto_pwhash_STRBYTES];
        if (hash_password(password, fresh) == 0)
            exec_on_user(store, "UPDATE users SET password_hash = ?2 WHERE id = ?1", login->user.id,
                         fresh, NULL);
        sodium_memzero(fresh, sizeof fresh);
    }
    int rc = create_session(store, login->user.id, now_ms, policy, login, err);
    if (rc == 0)
        login->status = SJ_LOGIN_OK;
    return rc;
}

int sj_login(struct sj_store *store, const char *username, const char *password, int64_t now_ms,
             const struct sj_auth_policy *policy, struct sj_login *login, struct sj_err *err)
{
    char key[SJ_USERNAME_MAX + 1], hash[crypto_pwhash_STRBYTES];
    int failures = 0;
    memset(login, 0, sizeof *login);
    login->status = SJ_LOGIN_BAD_CREDENTIALS;
    ensure_sodium();
    /* A name that cannot exist is still counted, under its first SJ_USERNAME_MAX bytes. */
    if (sj_username_fold(username, key, NULL) < 0)
        snprintf(key, sizeof key, "%s", username ? username : "");
    int rc = record_attempt(store, key, now_ms, policy, login, &failures, err);
    if (rc < 0 || login->status != SJ_LOGIN_BAD_CREDENTIALS)
        return rc;
    rc = find_user(store, key, &login->user, hash, err);
    bool is_found = rc == 0;
    if (rc < 0 && rc != SJ_ENOTFOUND)
        return rc;
    rc = 0;
    bool is_right = verify_password(is_found ? hash : dummy_hash, password ? password : "");
    if (!is_found || !is_right) {
        if (failures >= policy->max_failures) {
            login->status = SJ_LOGIN_LOCKED;
            login->retry_after_ms = policy->lockout_ms;
        }
        goto out;
    }
    rc = forgive_failures(store, key, err);
    if (rc == 0)
        rc = finish_login(store, password, hash, now_ms, policy, login, err);
out:
    sodium_memzero(hash, sizeof hash);
    if (login->status != SJ_LOGIN_OK && login->status != SJ_LOGIN_DISABLED)
        sj_user_release(&login->user);
    return rc;
}

void sj_login_release(struct sj_login *login)
{
    if (!login)
        return;
    sj_user_release(&login->user);
    sodium_memzero(login->token, sizeof login->token);
}

static int delete_session(struct sj_store *store, int64_t id, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = prepare_ints(store, "DELETE FROM sessions WHERE id = ?1", &stmt, err, 1, id, 0, 0, 0);
    return rc < 0 ? rc : step_finish(store, stmt, "ending a session", err);
}

/* Decides on a session row found for a token: ends it if its time is up or its user was
 * disabled, records its use otherwise. */
static int judge_session(struct sj_store *store, int64_t last_seen_ms, int64_t now_ms,
                         const struct sj_auth_policy *policy, struct sj_session *session,
                         struct sj_err *err)
{
    int64_t idle_end = last_seen_ms + policy->idle_ms;
    if (session->user.is_disabled || now_ms >= session->expires_ms || now_ms >= idle_end) {
        session->status = session->user.is_disabled ? SJ_SESSION_NONE : SJ_SESSION_EXPIRED;
        sj_user_release(&session->user);
        return delete_session(store, session->id, err);
    }
    session->status = SJ_SESSION_OK;
    session->idle_expires_ms = now_ms + policy->idle_ms;
    if (session->idle_expires_ms > session->expires_ms)
        session->idle_expires_ms = session->expires_ms;
    int64_t touch_every = policy->idle_ms / 20 < TOUCH_MIN_MS ? policy->idle_ms / 20 : TOUCH_MIN_MS;
    if (now_ms - last_seen_ms < touch_every)
        return 0;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare_ints(store, "UPDATE sessions SET last_seen_ms = ?2 WHERE id = ?1", &stmt, err,
                          2, session->id, now_ms, 0, 0);
    return rc < 0 ? rc : step_finish(store, stmt, "recording a session's use", err);
}

int sj_session_check(struct sj_store *store, struct sj_str token, int64_t now_ms,
                     const struct sj_auth_policy *policy, struct sj_session *session,
                     struct sj_err *err)
{
    unsigned char hash[HASH_BYTES];
    sqlite3_stmt *stmt = NULL;
    memset(session, 0, sizeof *session);
    session->status = SJ_SESSION_NONE;
    if (!is_token_shaped(token))
        return 0;
    token_hash(token, hash);
    int rc =
        sj_store_prepare_cached(store,
                                "SELECT " USER_COLUMNS ", s.id, s.created_ms, s.last_seen_ms, "
                                "s.expires_ms FROM sessions s JOIN users u ON u.id = s.user_id "
                                "WHERE s.token_hash = ?1",
                                &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_blob(stmt, 1, hash, sizeof hash, SQLITE_TRANSIENT);
    int step = sqlite3_step(stmt);
    int64_t last_seen_ms = 0;
    if (step == SQLITE_ROW) {
        fill_user(stmt, 0, &session->user);
        session->id = sqlite3_column_int64(stmt, 8);
        session->created_ms = sqlite3_column_int64(stmt, 9);
        last_seen_ms = sqlite3_column_int64(stmt, 10);
        session->expires_ms = sqlite3_column_int64(stmt, 11);
    } else if (step != SQLITE_DONE) {
        rc = sj_store_db_error(store, err, "reading a session");
    }
    sj_store_finish(store, stmt);
    if (rc == 0 && step == SQLITE_ROW)
        rc = judge_session(store, last_seen_ms, now_ms, policy, session, err);
    if (rc < 0 || session->status != SJ_SESSION_OK)
        sj_user_release(&session->user);
    return rc;
}

void sj_session_release(struct sj_session *session)
{
    if (session)
        sj_user_release(&session->user);
}

int sj_session_end(struct sj_store *store, struct sj_str token, struct sj_err *err)
{
    unsigned char hash[HASH_BYTES];
    sqlite3_stmt *stmt = NULL;
    if (!is_token_shaped(token))
        return 0;
    token_hash(token, hash);
    int rc =
        sj_store_prepare_cached(store, "DELETE FROM sessions WHERE token_hash = ?1", &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_blob(stmt, 1, hash, sizeof hash, SQLITE_TRANSIENT);
    return step_finish(store, stmt, "ending a session", err);
}

int sj_session_end_user(struct sj_store *store, int64_t user_id, struct sj_err *err)
{
    return exec_on_user(store, "DELETE FROM sessions WHERE user_id = ?1", user_id, NULL, err);
}
