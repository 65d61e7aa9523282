/*
 * identity.h - offices, people and sessions in the workspace (src/store/identity.c).
 *
 * Offices form a two-level tree: a city office (市院) and the county offices (基层院) under
 * it. An office sees itself and, if it is a city office, its county offices; nothing else.
 * Users belong to one office and have one role. Passwords are kept only as Argon2id hashes
 * (libsodium crypto_pwhash_str). A login that fails is counted per user name (existing or
 * not, so that answers never tell which names exist): after each failure the name must
 * wait a growing back-off, and after max_failures in a row it is locked for lockout_ms.
 * A session is a random token (256 bits) that only its holder knows: the workspace keeps
 * its BLAKE2b hash. Sessions end on logout, on an idle timeout, on an absolute timeout, and
 * when their user is disabled or given a new password. The CSRF token of a session is
 * derived from its token (a keyed BLAKE2b hash), so it needs no storage.
 *
 * Times are milliseconds since the Unix epoch, passed in by the caller (tests use a fake
 * clock). Strings passed in are borrowed; structs handed out own their strings and are
 * freed with the matching _release/_free function.
 */
#ifndef SHUJIAN_IDENTITY_H
#define SHUJIAN_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/store.h"

/* ---- Roles ------------------------------------------------------------------------------ */

enum sj_role {
    SJ_ROLE_ADMIN = 0,  /* "admin" 管理员: manages offices and users in its scope */
    SJ_ROLE_PROSECUTOR, /* "prosecutor" 检察官 */
    SJ_ROLE_POLICE,     /* "police" 公安 (partner agency, narrower view) */
    SJ_ROLE_AUDITOR,    /* "auditor" 审计 */
    SJ_ROLE_DEVICE,     /* "device" a bail subject's phone */
    SJ_ROLE_COUNT
};

#define SJ_ROLE_BIT(role) (1u << (unsigned)(role))
#define SJ_ROLES_ALL ((1u << SJ_ROLE_COUNT) - 1u)
#define SJ_ROLES_STAFF                                                                             \
    (SJ_ROLE_BIT(SJ_ROLE_ADMIN) | SJ_ROLE_BIT(SJ_ROLE_PROSECUTOR) | SJ_ROLE_BIT(SJ_ROLE_POLICE) |  \
     SJ_ROLE_BIT(SJ_ROLE_AUDITOR))

/* Stable English name ("admin") and Chinese label ("管理员"). Static storage. */
const char *sj_role_name(enum sj_role role);
const char *sj_role_label(enum sj_role role);
/* Parses an English name or a Chinese label. 0 or SJ_EINVAL. */
int sj_role_parse(const char *text, enum sj_role *role);

/* ---- Offices ---------------------------------------------------------------------------- */

enum sj_office_level { SJ_OFFICE_CITY = 0, SJ_OFFICE_COUNTY = 1 };

#define SJ_OFFICE_CODE_MAX 32  /* bytes: ASCII letters, digits and '-' */
#define SJ_OFFICE_NAME_MAX 128 /* characters */

struct sj_office {
    int64_t id;
    char *code; /* unique, e.g. the GB/T 2260 region code "441800" */
    char *name; /* "清远市人民检察院" */
    enum sj_office_level level;
    int64_t parent_id; /* the city office of a county office; 0 for a city office */
    char *created_at;  /* ISO 8601 UTC */
};

/* Adds an office: a city office when parent_id is 0, else a county office under parent_id,
 * which must be a city office. *id (may be NULL) gets the new id. Errors: SJ_EINVAL (bad
 * code or name, parent not a city office; err says which in Chinese), SJ_ENOTFOUND (no such
 * parent), SJ_EEXIST (code taken), SJ_EDB. */
int sj_office_add(struct sj_store *store, const char *code, const char *name, int64_t parent_id,
                  int64_t *id, struct sj_err *err);
/* Fills *office by id or by code. 0, SJ_ENOTFOUND or SJ_EDB. Release with sj_office_release. */
int sj_office_get(struct sj_store *store, int64_t id, struct sj_office *office, struct sj_err *err);
int sj_office_find(struct sj_store *store, const char *code, struct sj_office *office,
                   struct sj_err *err);
void sj_office_release(struct sj_office *office);
/* The offices viewer_office sees (all offices when viewer_office is 0), city offices first,
 * then by code. *list is owned by the caller: sj_office_list_free. */
int sj_office_list(struct sj_store *store, int64_t viewer_office, struct sj_office **list,
                   size_t *count, struct sj_err *err);
void sj_office_list_free(struct sj_office *list, size_t count);
/* *visible = whether viewer_office may see data of office: the same office, or a county
 * office under the city office viewer_office. Unknown offices are not visible. 0 or SJ_EDB. */
int sj_office_is_visible(struct sj_store *store, int64_t viewer_office, int64_t office,
                         bool *visible, struct sj_err *err);

/* ---- Users ------------------------------------------------------------------------------ */

#define SJ_USERNAME_MAX 64     /* bytes: lowercase ASCII letters, digits, '.', '_', '-' */
#define SJ_DISPLAY_NAME_MAX 64 /* characters */
#define SJ_PASSWORD_MIN 8      /* characters */
#define SJ_PASSWORD_MAX 128    /* characters */

struct sj_user {
    int64_t id;
    char *username;     /* lowercase */
    char *display_name; /* 张三 */
    enum sj_role role;
    int64_t office_id;
    bool is_disabled;
    char *created_at; /* ISO 8601 UTC */
    char *updated_at;
};

struct sj_user_new {
    const char *username; /* folded to lowercase */
    const char *display_name;
    enum sj_role role;
    int64_t office_id;
    const char *password; /* checked by sj_password_check */
};

/* Checks a user name (after folding ASCII to lowercase into out, SJ_USERNAME_MAX + 1 bytes).
 * 0 or SJ_EINVAL with a Chinese message. */
int sj_username_fold(const char *username, char *out, struct sj_err *err);
/* Checks a new password: valid UTF-8, SJ_PASSWORD_MIN..SJ_PASSWORD_MAX characters, no
 * control characters. 0 or SJ_EINVAL with a Chinese message. */
int sj_password_check(const char *password, struct sj_err *err);

/* Adds a user with the password hashed (Argon2id; slow on purpose). *id may be NULL.
 * Errors: SJ_EINVAL (bad field), SJ_ENOTFOUND (no such office), SJ_EEXIST (name taken),
 * SJ_EDB. */
int sj_user_add(struct sj_store *store, const struct sj_user_new *user, int64_t *id,
                struct sj_err *err);
/* Fills *user by id or by user name. 0, SJ_ENOTFOUND or SJ_EDB. Release with
 * sj_user_release. */
int sj_user_get(struct sj_store *store, int64_t id, struct sj_user *user, struct sj_err *err);
int sj_user_find(struct sj_store *store, const char *username, struct sj_user *user,
                 struct sj_err *err);
void sj_user_release(struct sj_user *user);
/* Users of the offices viewer_office sees (everyone when 0), by office then user name.
 * *list is owned by the caller: sj_user_list_free. */
int sj_user_list(struct sj_store *store, int64_t viewer_office, struct sj_user **list,
                 size_t *count, struct sj_err *err);
void sj_user_list_free(struct sj_user *list, size_t count);

/* A change to a user; fields left NULL / false are not changed. */
struct sj_user_change {
    const char *display_name;
    bool has_role;
    enum sj_role role;
    bool has_disabled;
    bool is_disabled;
    const char *password;
};

/* Applies change in one transaction. Disabling a user or setting a password ends all of
 * the user's sessions; enabling a user or setting a password also lifts a login lockout.
 * Errors: SJ_EINVAL, SJ_ENOTFOUND, SJ_EDB. */
int sj_user_update(struct sj_store *store, int64_t id, const struct sj_user_change *change,
                   struct sj_err *err);

/* ---- Login and sessions ----------------------------------------------------------------- */

struct sj_auth_policy {
    int max_failures;       /* failed logins in a row that lock a name (default 5) */
    int64_t lockout_ms;     /* how long a locked name stays locked (15 min) */
    int64_t backoff_ms;     /* wait after the first failure; doubles after each (1 s) */
    int64_t backoff_max_ms; /* longest wait between attempts (30 s) */
    int64_t idle_ms;        /* a session ends after this long unused (30 min) */
    int64_t absolute_ms;    /* a session ends this long after login at the latest (12 h) */
};

/* Fills *policy with the defaults above, then applies the test-only environment overrides
 * SHUJIAN_TEST_IDLE_MS, SHUJIAN_TEST_ABSOLUTE_MS, SHUJIAN_TEST_BACKOFF_MS and
 * SHUJIAN_TEST_LOCKOUT_MS (each logged as a warning when used). */
void sj_auth_policy_init(struct sj_auth_policy *policy);

/* Whether passwords are hashed with the test-only minimal cost (SHUJIAN_TEST_FAST_HASH=1).
 * Verification always uses the cost recorded in the stored hash. */
bool sj_password_is_fast_hash(void);

/* A session token: 32 random bytes, URL-safe base64 without padding; the CSRF token has
 * the same form. */
#define SJ_SESSION_TOKEN_LEN 43
#define SJ_CSRF_TOKEN_LEN 43

enum sj_login_status {
    SJ_LOGIN_OK = 0,
    SJ_LOGIN_BAD_CREDENTIALS, /* unknown name or wrong password */
    SJ_LOGIN_THROTTLED,       /* too soon after a failure; retry_after_ms says when */
    SJ_LOGIN_LOCKED,          /* too many failures; retry_after_ms says when */
    SJ_LOGIN_DISABLED,        /* right password, but the user is disabled */
};

struct sj_login {
    enum sj_login_status status;
    int64_t retry_after_ms; /* THROTTLED and LOCKED */
    /* SJ_LOGIN_OK only: */
    char token[SJ_SESSION_TOKEN_LEN + 1]; /* goes to the client, nowhere else */
    char csrf[SJ_CSRF_TOKEN_LEN + 1];
    int64_t expires_ms; /* absolute end of the session */
    struct sj_user user;
};

/* Attempts a login at now_ms and fills *login (release with sj_login_release). Returns 0
 * when the attempt was decided (see login->status), or SJ_EDB. A failure is recorded
 * before the password is checked, so parallel guesses cannot pass the lockout. */
int sj_login(struct sj_store *store, const char *username, const char *password, int64_t now_ms,
             const struct sj_auth_policy *policy, struct sj_login *login, struct sj_err *err);
void sj_login_release(struct sj_login *login);

enum sj_session_status {
    SJ_SESSION_OK = 0,
    SJ_SESSION_NONE,    /* no such session (never was, logged out, or ended by an admin) */
    SJ_SESSION_EXPIRED, /* it existed but timed out; it is deleted now */
};

struct sj_session {
    enum sj_session_status status;
    int64_t id;
    int64_t created_ms;
    int64_t expires_ms;      /* absolute end */
    int64_t idle_expires_ms; /* end if unused from now on */
    struct sj_user user;     /* SJ_SESSION_OK only */
};

/* Looks up the session of token (untrusted bytes) at now_ms. When it is valid, records the
 * use (for the idle timeout) and fills session->user; an expired one is deleted. Returns 0
 * (see session->status) or SJ_EDB. Release with sj_session_release. */
int sj_session_check(struct sj_store *store, struct sj_str token, int64_t now_ms,
                     const struct sj_auth_policy *policy, struct sj_session *session,
                     struct sj_err *err);
void sj_session_release(struct sj_session *session);
/* Ends the session of token (logout). Ending one that does not exist is not an error. */
int sj_session_end(struct sj_store *store, struct sj_str token, struct sj_err *err);
/* Ends every session of a user. */
int sj_session_end_user(struct sj_store *store, int64_t user_id, struct sj_err *err);
/* The CSRF token of the session token into out (SJ_CSRF_TOKEN_LEN + 1 bytes). */
void sj_session_csrf(struct sj_str token, char *out);
/* Whether presented is the CSRF token of the session token (constant time). */
bool sj_session_csrf_is_valid(struct sj_str token, struct sj_str presented);

#endif
