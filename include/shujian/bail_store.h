/*
 * bail_store.h - the bail supervision tables (src/store/bail_store.c, the only place their SQL
 * lives). src/bail builds on these; everything else should use shujian/bail_ops.h, which
 * validates, ledgers and keeps the invariants these functions assume.
 *
 * Tables (docs/BAIL.md): bail_subjects, bail_groups, bail_devices, bail_schedules, bail_spots,
 * bail_fences, bail_fence_states, bail_checkins, bail_positions, bail_leaves, bail_alerts,
 * bail_roster, bail_signoffs. Positions are compact rows (subject, time, degrees x 1e7,
 * accuracy in whole metres, flags) keyed by (subject, time) without a rowid.
 *
 * Ownership: inputs borrowed; outputs owned by the caller and freed with the bail_ops.h
 * release functions (or free() for plain arrays).
 */
#ifndef SHUJIAN_BAIL_STORE_H
#define SHUJIAN_BAIL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "shujian/bail_ops.h"

struct sj_store;

/* ---- Transactions --------------------------------------------------------------------------- */

/* BEGIN IMMEDIATE when the connection has no transaction, else a savepoint; *is_own tells
 * sj_store_bail_end which. */
int sj_store_bail_begin(struct sj_store *store, bool *is_own, struct sj_err *err);
/* Commits (is_commit) or rolls back. After a failed commit everything is rolled back. */
int sj_store_bail_end(struct sj_store *store, bool is_own, bool is_commit, struct sj_err *err);

/* ---- Subjects and groups -------------------------------------------------------------------- */

/* Inserts s (already validated; id, status and times taken from s). SJ_EEXIST, SJ_EDB. */
int sj_store_bail_subject_add(struct sj_store *store, const struct sj_bail_subject *s, int64_t *id,
                              struct sj_err *err);
int sj_store_bail_subject_get(struct sj_store *store, int64_t id, struct sj_bail_subject *out,
                              struct sj_err *err);
/* office_id 0: all; only_active: status 'active' only. */
int sj_store_bail_subject_list(struct sj_store *store, int64_t office_id, bool only_active,
                               struct sj_bail_subject **list, size_t *count, struct sj_err *err);
/* The names of the subjects ids[0..count) into names[0..count) (src/store/bail_store_names.c):
 * names[i] is malloc'd and owned by the caller, NULL when subject ids[i] does not exist.
 * One statement, one primary-key lookup per id. On SJ_EDB every names[i] is NULL. */
int sj_store_bail_subject_names(struct sj_store *store, const int64_t *ids, size_t count,
                                char **names, struct sj_err *err);
int sj_store_bail_subject_set_status(struct sj_store *store, int64_t id, enum sj_bail_status status,
                                     int64_t now_ms, struct sj_err *err);
/* *is_new is false when the membership existed. */
int sj_store_bail_group_add(struct sj_store *store, int64_t office_id, const char *group,
                            int64_t subject_id, bool *is_new, struct sj_err *err);
/* The user's role name ("prosecutor", ...) and office, for checks. SJ_ENOTFOUND. */
int sj_store_bail_user_role(struct sj_store *store, int64_t user_id, char role[16],
                            int64_t *office_id, struct sj_err *err);
/* Whether an office with this id exists. */
int sj_store_bail_office_exists(struct sj_store *store, int64_t office_id, bool *exists,
                                struct sj_err *err);

/* ---- Devices --------------------------------------------------------------------------------- */

int sj_store_bail_device_add_pending(struct sj_store *store, int64_t subject_id,
                                     const uint8_t enrol_hash[32], int64_t expires_ms,
                                     int64_t now_ms, int64_t *id, struct sj_err *err);
/* The pending device of an enrolment code hash (SJ_ENOTFOUND) with its expiry. */
int sj_store_bail_device_by_enrol(struct sj_store *store, const uint8_t enrol_hash[32],
                                  struct sj_bail_device *out, int64_t *expires_ms,
                                  struct sj_err *err);
/* The device (any status) holding a token hash. SJ_ENOTFOUND. */
int sj_store_bail_device_by_token(struct sj_store *store, const uint8_t token_hash[32],
                                  struct sj_bail_device *out, struct sj_err *err);
int sj_store_bail_device_get(struct sj_store *store, int64_t id, struct sj_bail_device *out,
                             struct sj_err *err);
/* The subject's active device; SJ_ENOTFOUND when none. */
int sj_store_bail_device_active(struct sj_store *store, int64_t subject_id,
                                struct sj_bail_device *out, struct sj_err *err);
/* The active device of an installation, if any (SJ_ENOTFOUND). */
int sj_store_bail_device_by_install(struct sj_store *store, const char *install_id,
                                    struct sj_bail_device *out, struct sj_err *err);
/* pending -> active with the token hash; the enrolment hash is cleared (one use). */
int sj_store_bail_device_activate(struct sj_store *store, int64_t id, const uint8_t token_hash[32],
                                  const char *install_id, const char *label, int64_t now_ms,
                                  struct sj_err *err);
int sj_store_bail_device_revoke(struct sj_store *store, int64_t id, int64_t now_ms,
                                struct sj_err *err);
/* Records that the device was heard of at now_ms. Outside a transaction it writes only when
 * the stored time is 30 s older or more (so a busy phone takes no write lock per request). */
int sj_store_bail_device_touch(struct sj_store *store, int64_t id, int64_t now_ms,
                               struct sj_err *err);
/* Active devices of active subjects last heard of (or bound) before cutoff_ms. */
int sj_store_bail_devices_silent(struct sj_store *store, int64_t cutoff_ms,
                                 struct sj_bail_device **list, size_t *count, struct sj_err *err);

/* ---- Schedules, spot checks, fences ------------------------------------------------------------
 */

int sj_store_bail_schedule_add(struct sj_store *store, int64_t subject_id,
                               const struct sj_bail_schedule *s, int64_t now_ms, int64_t *id,
                               struct sj_err *err);
/* Active schedules of a subject; *list owned (free()). */
int sj_store_bail_schedules(struct sj_store *store, int64_t subject_id,
                            struct sj_bail_schedule **list, size_t *count, struct sj_err *err);
int sj_store_bail_spot_add(struct sj_store *store, int64_t subject_id, int64_t issued_ms,
                           int64_t deadline_ms, int64_t issued_by, int64_t *id, struct sj_err *err);
/* Spot checks of a subject whose window overlaps [from_ms, to_ms); *list owned (free()). */
int sj_store_bail_spots(struct sj_store *store, int64_t subject_id, int64_t from_ms, int64_t to_ms,
                        struct sj_bail_spot **list, size_t *count, struct sj_err *err);

/* A stored fence. */
struct sj_store_bail_fence {
    int64_t id, office_id, subject_id, leave_id;
    char *group; /* NULL for a subject's fence */
    enum sj_fence_kind kind;
    char *name;
    char *geometry; /* canonical GeoJSON, WGS-84 */
    int64_t valid_from_ms, valid_until_ms;
    bool is_active;
};

void sj_store_bail_fence_list_free(struct sj_store_bail_fence *list, size_t count);
int sj_store_bail_fence_add(struct sj_store *store, const struct sj_store_bail_fence *f,
                            int64_t now_ms, int64_t *id, struct sj_err *err);
int sj_store_bail_fence_disable(struct sj_store *store, int64_t id, struct sj_err *err);
/* Active fences of the subject and its groups in force at some time of [from_ms, to_ms]
 * (valid_from_ms <= to_ms and valid_until_ms 0 or > from_ms), leave fences excluded. */
int sj_store_bail_fences_for(struct sj_store *store, int64_t subject_id, int64_t from_ms,
                             int64_t to_ms, struct sj_store_bail_fence **list, size_t *count,
                             struct sj_err *err);
/* One fence by id (any state). */
int sj_store_bail_fence_get(struct sj_store *store, int64_t id, struct sj_store_bail_fence *out,
                            struct sj_err *err);

/* The state of (subject, fence); fence 0 is the union of the allowed fences. Zeroed when
 * there is none yet. */
int sj_store_bail_fence_state_get(struct sj_store *store, int64_t subject_id, int64_t fence_id,
                                  struct sj_fence_state *out, struct sj_err *err);
int sj_store_bail_fence_state_put(struct sj_store *store, int64_t subject_id, int64_t fence_id,
                                  const struct sj_fence_state *s, struct sj_err *err);

/* ---- Check-ins and positions ------------------------------------------------------------------
 */

/* A stored check-in row. */
struct sj_store_bail_checkin {
    int64_t id, subject_id, device_id;
    const char *idem_key;
    uint8_t body_hash[32];
    struct sj_bail_fix fix; /* WGS-84 */
    int64_t received_ms;
    enum sj_datum datum; /* as reported */
    const struct sj_bail_verdict *verdict;
    const char *photo_sha256; /* lowercase hex or NULL */
    const char *answer;       /* JSON */
};

int sj_store_bail_checkin_add(struct sj_store *store, const struct sj_store_bail_checkin *c,
                              int64_t *id, struct sj_err *err);
/* Looks up (device, key): 1 and *id, body_hash and *answer (owned) when found, 0 when not. */
int sj_store_bail_checkin_find(struct sj_store *store, int64_t device_id, const char *idem_key,
                               int64_t *id, uint8_t body_hash[32], char **answer,
                               struct sj_err *err);
/* Whether a check-in that was not rejected has its fix time in [start_ms, end_ms). */
int sj_store_bail_checkin_covers(struct sj_store *store, int64_t subject_id, int64_t start_ms,
                                 int64_t end_ms, bool *is_covered, struct sj_err *err);
/* Sets reviewed_by/reviewed_ms of check-in id when not yet reviewed; *is_changed says. */
int sj_store_bail_checkin_review(struct sj_store *store, int64_t id, int64_t user_id,
                                 int64_t now_ms, bool *is_changed, struct sj_err *err);

/* Adds a fix to the trail; *is_new false when that (subject, time) is already there. flags:
 * bit 0 mock, bit 1 late. */
int sj_store_bail_position_add(struct sj_store *store, int64_t subject_id,
                               const struct sj_bail_fix *fix, unsigned flags, bool *is_new,
                               struct sj_err *err);
/* The newest fix of the trail strictly before before_ms that is not mocked; *has false when
 * none. */
int sj_store_bail_position_before(struct sj_store *store, int64_t subject_id, int64_t before_ms,
                                  struct sj_bail_fix *fix, bool *has, struct sj_err *err);
int sj_store_bail_trail(struct sj_store *store, int64_t subject_id, int64_t from_ms, int64_t to_ms,
                        size_t limit, struct sj_bail_fix **fixes, size_t *count,
                        struct sj_err *err);

/* ---- Leaves -----------------------------------------------------------------------------------
 */

/* Inserts l (status submitted). */
int sj_store_bail_leave_add(struct sj_store *store, const struct sj_bail_leave *l, int64_t *id,
                            struct sj_err *err);
int sj_store_bail_leave_get(struct sj_store *store, int64_t id, struct sj_bail_leave *out,
                            struct sj_err *err);
/* submitted -> approved/rejected; SJ_EINVAL when it was no longer submitted. */
int sj_store_bail_leave_decide(struct sj_store *store, int64_t id, enum sj_bail_leave_status status,
                               int64_t decided_by, int64_t now_ms, const char *note,
                               int64_t fence_id, struct sj_err *err);
/* Approved leaves of a subject overlapping [from_ms, to_ms). */
int sj_store_bail_leaves_approved(struct sj_store *store, int64_t subject_id, int64_t from_ms,
                                  int64_t to_ms, struct sj_bail_leave **list, size_t *count,
                                  struct sj_err *err);
/* Approved, unsettled leaves that ended at or before cutoff_ms. */
int sj_store_bail_leaves_to_settle(struct sj_store *store, int64_t cutoff_ms,
                                   struct sj_bail_leave **list, size_t *count, struct sj_err *err);
int sj_store_bail_leave_settle(struct sj_store *store, int64_t id, int64_t now_ms,
                               struct sj_err *err);
void sj_store_bail_leave_list_free(struct sj_bail_leave *list, size_t count);

/* ---- Alerts -----------------------------------------------------------------------------------
 */

/* Inserts a (status open), unless an alert with a->source's dedupe key exists: *id is then
 * that alert and *is_new false. */
int sj_store_bail_alert_add(struct sj_store *store, const struct sj_bail_alert *a,
                            const char *dedupe_key, int64_t *id, bool *is_new, struct sj_err *err);
int sj_store_bail_alert_set_ledger(struct sj_store *store, int64_t id, int64_t index,
                                   struct sj_err *err);
int sj_store_bail_alert_get(struct sj_store *store, int64_t id, struct sj_bail_alert *out,
                            struct sj_err *err);
int sj_store_bail_alert_list(struct sj_store *store, const struct sj_bail_alert_filter *filter,
                             struct sj_bail_alert **list, size_t *count, struct sj_err *err);
/* from -> to by user with note (the resolution, for resolved); SJ_EINVAL when the alert was
 * not in from. */
int sj_store_bail_alert_move(struct sj_store *store, int64_t id, enum sj_bail_alert_status from,
                             enum sj_bail_alert_status to, int64_t user_id, int64_t now_ms,
                             const char *note, struct sj_err *err);
/* Open alerts past escalate_at_ms and not yet escalated. */
int sj_store_bail_alerts_to_escalate(struct sj_store *store, int64_t now_ms,
                                     struct sj_bail_alert **list, size_t *count,
                                     struct sj_err *err);
int sj_store_bail_alert_escalate(struct sj_store *store, int64_t id, int64_t to_user,
                                 int64_t now_ms, struct sj_err *err);

/* ---- Roster and review -------------------------------------------------------------------------
 */

int sj_store_bail_roster_add(struct sj_store *store, int64_t office_id, int64_t user_id,
                             int64_t start_ms, int64_t end_ms, int64_t now_ms, int64_t *id,
                             struct sj_err *err);
int sj_store_bail_on_duty(struct sj_store *store, int64_t office_id, int64_t at_ms,
                          int64_t *user_id, struct sj_err *err);
/* The review items of [from_ms, to_ms) for the subjects user_id is responsible for, in time
 * order (see sj_bail_review_queue). *items owned (free()). */
int sj_store_bail_review_items(struct sj_store *store, int64_t user_id, int64_t from_ms,
                               int64_t to_ms, struct sj_bail_review_item **items, size_t *count,
                               struct sj_err *err);
/* SJ_EEXIST when the user already signed off that day. */
int sj_store_bail_signoff_add(struct sj_store *store, int64_t user_id, const char *day,
                              int64_t office_id, size_t items, int64_t now_ms, struct sj_err *err);

/* One officer's sign-off of a day (src/store/bail_store_review.c). */
struct sj_store_bail_signoff {
    int64_t user_id, signed_ms;
    size_t items;
    char *display_name; /* the officer's; free() */
};
/* *is_found false (and 0) when user_id has not signed day ("YYYY-MM-DD") off. */
int sj_store_bail_signoff_get(struct sj_store *store, int64_t user_id, const char *day,
                              struct sj_store_bail_signoff *out, bool *is_found,
                              struct sj_err *err);

/* A subject's home point: the centre (WGS-84) of its own first active allowed circle fence. */
struct sj_store_bail_home {
    int64_t subject_id;
    double lat, lon, radius_m;
};
/* Every subject that has one at at_ms, by subject id, in one statement. *list: free(). */
int sj_store_bail_homes(struct sj_store *store, int64_t at_ms, struct sj_store_bail_home **list,
                        size_t *count, struct sj_err *err);

#endif
