/*
 * bail_ops.h - bail supervision over the workspace (src/bail, docs/BAIL.md): the
 * register of subjects (监督信息表), devices bound with one-time enrolment codes, check-ins
 * with idempotency keys, the position trail, fences, leave requests, alerts with their life
 * cycle, the duty roster, the daily review and the sweep that raises time-based alerts.
 *
 * Every function that changes state runs in one transaction and appends one entry to the
 * ledger in it (sj_ledger_append), so an action and its record commit or vanish together.
 * The HTTP API is meant to be a thin layer over these: it authenticates, checks the office
 * scope, parses JSON into these structs and prints what comes back.
 *
 * Conventions: times are milliseconds since the Unix epoch, always passed in (who->now_ms),
 * never read from the clock here. Strings passed in are borrowed. Structs handed out own
 * their strings and are freed with the matching _release / _free function. Messages in err
 * are Chinese, for the officer.
 */
#ifndef SHUJIAN_BAIL_OPS_H
#define SHUJIAN_BAIL_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/bail.h"
#include "shujian/core.h"

struct sj_store;
struct sj_ledger;

/* Where and with what an operation runs. store and ledger are required (the ledger must be
 * opened on store); params NULL means sj_bail_params_init's defaults; face NULL means
 * sj_bail_face_default(). */
struct sj_bail_env {
    struct sj_store *store;
    struct sj_ledger *ledger;
    const struct sj_bail_params *params;
    const struct sj_bail_face_verifier *face;
};

/* Who acts, and when. An officer has user_id (and office); a phone has device_id; the sweep
 * has neither ("system"). name is recorded in the ledger as the actor (NULL: derived). */
struct sj_bail_actor {
    int64_t user_id;
    int64_t device_id;
    const char *name;
    int64_t office_id;
    const char *office; /* the office's name or code, for the ledger */
    const char *from;   /* client address, for the ledger; may be NULL */
    int64_t now_ms;
};

/* ---- Subjects (the register) ------------------------------------------------------------- */

enum sj_bail_status {
    SJ_BAIL_ACTIVE = 0,    /* "active" 监管中 */
    SJ_BAIL_SUSPENDED = 1, /* "suspended" 暂停 */
    SJ_BAIL_ENDED = 2,     /* "ended" 已解除 */
};

const char *sj_bail_status_name(enum sj_bail_status status);
const char *sj_bail_status_label(enum sj_bail_status status);
int sj_bail_status_parse(const char *text, enum sj_bail_status *status);

/* The conditions of Criminal Procedure Law art. 71 that apply to everyone on bail, used when a
 * subject is registered without conditions. Static storage. */
const char *sj_bail_default_conditions(void);

#define SJ_BAIL_TEXT_MAX 200  /* characters of residence, crime type, destination, reason */
#define SJ_BAIL_NOTE_MAX 1000 /* characters of conditions and notes */

struct sj_bail_subject {
    int64_t id;
    int64_t office_id;
    char *name;      /* normalised (sj_norm_name) */
    char *id_number; /* 18 characters (sj_norm_idcard) */
    char *phone;     /* normalised (sj_norm_phone) */
    char *residence;
    char *crime_type;
    char *case_number; /* a court case number normalised, or other case numbers as given */
    int64_t prosecutor_id;
    int64_t police_id;   /* 0 when none */
    char bail_start[11]; /* local dates YYYY-MM-DD, inclusive */
    char bail_end[11];
    char *conditions;
    enum sj_bail_status status;
    int64_t created_ms;
    int64_t updated_ms;
};

struct sj_bail_subject_new {
    int64_t office_id;
    const char *name, *id_number, *phone, *residence, *crime_type, *case_number;
    int64_t prosecutor_id;             /* a user of the office, role prosecutor */
    int64_t police_id;                 /* 0, or a user with role police */
    const char *bail_start, *bail_end; /* any date form sj_norm_date reads */
    const char *conditions;            /* NULL or "": sj_bail_default_conditions() */
};

/* Registers a subject (ledger "bail.subject.add"). Identifiers are validated and normalised
 * with src/norm; err names the field. Errors: SJ_EINVAL (a field), SJ_ENOTFOUND (office or
 * user), SJ_EEXIST (same id number and case number), SJ_EDB. */
int sj_bail_subject_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_subject_new *in, int64_t *id, struct sj_err *err);
/* Reads one subject. 0, SJ_ENOTFOUND or SJ_EDB; release with sj_bail_subject_release. */
int sj_bail_subject_get(struct sj_store *store, int64_t id, struct sj_bail_subject *out,
                        struct sj_err *err);
void sj_bail_subject_release(struct sj_bail_subject *s);
/* The register of an office (0: every office), by id. Free with sj_bail_subject_list_free. */
int sj_bail_subject_list(struct sj_store *store, int64_t office_id, struct sj_bail_subject **list,
                         size_t *count, struct sj_err *err);
void sj_bail_subject_list_free(struct sj_bail_subject *list, size_t count);
/* Changes the status (ledger "bail.subject.status"); note is required (the reason). Ending a
 * subject revokes its device. SJ_EINVAL, SJ_ENOTFOUND, SJ_EDB. */
int sj_bail_subject_set_status(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                               int64_t id, enum sj_bail_status status, const char *note,
                               struct sj_err *err);
/* Puts a subject in a named group of its office (ledger "bail.group.add"); group fences then
 * apply to it. Adding twice is not an error. */
int sj_bail_group_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                      const char *group, int64_t subject_id, struct sj_err *err);

/* ---- Devices ----------------------------------------------------------------------------- */

enum sj_bail_device_status {
    SJ_BAIL_DEVICE_PENDING,
    SJ_BAIL_DEVICE_ACTIVE,
    SJ_BAIL_DEVICE_REVOKED
};

#define SJ_BAIL_ENROL_CODE_LEN 14   /* "ABCD-EFGH-JKMN": 12 Crockford base32 characters, 60 bits */
#define SJ_BAIL_DEVICE_TOKEN_LEN 43 /* 32 random bytes, URL-safe base64 without padding */
#define SJ_BAIL_INSTALL_ID_MAX 128

struct sj_bail_device {
    int64_t id;
    int64_t subject_id;
    int64_t office_id; /* the subject's */
    enum sj_bail_device_status status;
    char *label;                                            /* phone model as the app reports it */
    char *install_id;                                       /* the app installation that bound it */
    int64_t created_ms, bound_ms, revoked_ms, last_seen_ms; /* 0 when not yet */
};

void sj_bail_device_release(struct sj_bail_device *d);

/* An officer starts enrolling a phone for an active subject: a one-time code (shown to the
 * subject, typed or scanned into the app) valid for params->enrol_code_ttl_ms. Only its hash
 * is stored. code gets SJ_BAIL_ENROL_CODE_LEN + 1 bytes. Ledger "bail.device.enrol".
 * SJ_ENOTFOUND (subject), SJ_EINVAL (subject not active), SJ_EDB. */
int sj_bail_device_enrol(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                         int64_t subject_id, char code[SJ_BAIL_ENROL_CODE_LEN + 1],
                         int64_t *device_id, struct sj_err *err);
/* The phone redeems the code (case, spaces and dashes do not matter): the device becomes
 * active with a new token (token gets SJ_BAIL_DEVICE_TOKEN_LEN + 1 bytes; only its hash is
 * kept), the subject's previous active device is revoked, and if there was one a
 * device-change alert is raised. An installation already active for another subject is
 * refused. Ledger "bail.device.bind". Errors: SJ_EPERM (unknown, used or expired code: one
 * message for all), SJ_EEXIST (installation bound to another subject), SJ_EINVAL, SJ_EDB. */
int sj_bail_device_bind(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        struct sj_str code, const char *install_id, const char *label,
                        char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1], struct sj_bail_device *device,
                        struct sj_err *err);
/* Finds the active device of a token (untrusted bytes) and records now as its last contact.
 * SJ_EPERM when the token is unknown or its device revoked, SJ_EDB. */
int sj_bail_device_auth(struct sj_store *store, struct sj_str token, int64_t now_ms,
                        struct sj_bail_device *device, struct sj_err *err);
/* Revokes a device (ledger "bail.device.revoke"). SJ_ENOTFOUND, SJ_EDB. */
int sj_bail_device_revoke(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                          int64_t device_id, struct sj_err *err);

/* ---- Schedules and spot checks ------------------------------------------------------------ */

/* Adds a daily or weekly schedule to a subject (ledger "bail.schedule.add"); s->id is ignored.
 * Validity 0 means the bail period's bounds. SJ_EINVAL, SJ_ENOTFOUND, SJ_EDB. */
int sj_bail_schedule_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                         int64_t subject_id, const struct sj_bail_schedule *s, int64_t *id,
                         struct sj_err *err);
/* Issues a spot check now with a deadline (0: now + params->spot_deadline_ms) (ledger
 * "bail.spot.issue"). */
int sj_bail_spot_issue(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                       int64_t subject_id, int64_t deadline_ms, int64_t *id, struct sj_err *err);
/* The due slots of a subject in [from_ms, to_ms) (sj_bail_slots over its schedules and spot
 * checks). *slots is owned by the caller (free()). */
int sj_bail_due_slots(struct sj_store *store, int64_t subject_id, int64_t from_ms, int64_t to_ms,
                      struct sj_bail_slot **slots, size_t *count, struct sj_err *err);

/* ---- Fences ------------------------------------------------------------------------------- */

struct sj_bail_fence_new {
    int64_t office_id;
    int64_t subject_id; /* either a subject ... */
    const char *group;  /* ... or a group of the office */
    enum sj_fence_kind kind;
    const char *name;
    struct sj_str geojson;                 /* sj_fence_parse_geojson */
    enum sj_datum datum;                   /* of the GeoJSON positions */
    int64_t valid_from_ms, valid_until_ms; /* 0: unbounded */
};

/* Adds a fence (ledger "bail.fence.add"); the geometry is stored as canonical WGS-84 GeoJSON.
 * SJ_EFORMAT / SJ_ETOOBIG (geometry), SJ_EINVAL, SJ_ENOTFOUND, SJ_EDB. */
int sj_bail_fence_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                      const struct sj_bail_fence_new *in, int64_t *id, struct sj_err *err);
/* Disables a fence (ledger "bail.fence.disable"). */
int sj_bail_fence_disable(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                          int64_t fence_id, struct sj_err *err);
/* The subject's fences in force at at_ms (its own and its groups', not leave destinations),
 * parsed, with f->id the fence id. Free with sj_bail_fences_free. */
int sj_bail_fences_for(struct sj_store *store, int64_t subject_id, int64_t at_ms,
                       struct sj_fence **fences, size_t *count, struct sj_err *err);
void sj_bail_fences_free(struct sj_fence *fences, size_t count);

/* ---- Check-ins and the trail -------------------------------------------------------------- */

#define SJ_BAIL_IDEM_KEY_MAX 128

struct sj_bail_checkin_request {
    const char *idem_key; /* 1..SJ_BAIL_IDEM_KEY_MAX printable ASCII, unique per device */
    int64_t fix_ms;
    double lat, lon, accuracy_m;
    enum sj_datum datum;
    bool is_mock;
    struct sj_str photo; /* JPEG bytes; may be empty */
};

struct sj_bail_checkin_result {
    int64_t id;
    bool is_repeat; /* the same key and body came before: answer is the first answer */
    char *answer;   /* the JSON answer for the phone (owned; free()) */
    struct sj_bail_verdict verdict; /* when !is_repeat */
    size_t alerts_raised;           /* new alerts, the verdict's and fence events' */
};

/* A check-in from the device `device` (from sj_bail_device_auth; it acts only for its own
 * subject): converts the position to WGS-84, judges it (sj_bail_judge_checkin with the
 * subject's fences, approved leaves, slots and previous fix, and env's face verifier), stores
 * it with its answer, adds it to the trail, feeds the fence state machines, raises the alerts
 * and appends "bail.checkin" to the ledger, all in one transaction. A repeat of a key with the
 * same body returns the stored first answer; with a different body it is SJ_EEXIST (the API
 * answers 422). Other errors: SJ_EINVAL (malformed request), SJ_EPERM (device revoked or
 * subject not active), SJ_EDB. Release the result with sj_bail_checkin_result_release. */
int sj_bail_checkin_submit(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                           const struct sj_bail_device *device,
                           const struct sj_bail_checkin_request *req,
                           struct sj_bail_checkin_result *out, struct sj_err *err);
void sj_bail_checkin_result_release(struct sj_bail_checkin_result *r);

#define SJ_BAIL_POSITIONS_MAX 1000 /* fixes in one upload */

/* Periodic positions from a device: each fix (in its datum) is stored compactly once (a repeat
 * of the same fix time is ignored), fed in time order to the fence state machines, and checked
 * for mock flags and impossible speed; one "bail.positions" ledger entry records the batch's
 * count, time span and SHA-256. *stored (may be NULL) gets the number of new fixes. */
int sj_bail_positions_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                          const struct sj_bail_device *device, const struct sj_bail_fix *fixes,
                          size_t count, enum sj_datum datum, size_t *stored, struct sj_err *err);
/* The trail of a subject in [from_ms, to_ms), oldest first, at most limit fixes (WGS-84;
 * is_mock as stored). *fixes is owned by the caller (free()). */
int sj_bail_trail(struct sj_store *store, int64_t subject_id, int64_t from_ms, int64_t to_ms,
                  size_t limit, struct sj_bail_fix **fixes, size_t *count, struct sj_err *err);

/* ---- Leave requests ---------------------------------------------------------------------- */

enum sj_bail_leave_status {
    SJ_BAIL_LEAVE_SUBMITTED,
    SJ_BAIL_LEAVE_APPROVED,
    SJ_BAIL_LEAVE_REJECTED
};

const char *sj_bail_leave_status_name(enum sj_bail_leave_status status);

struct sj_bail_leave_request {
    const char *destination; /* place name */
    const char *reason;
    struct sj_geo_point pos; /* destination, in datum */
    enum sj_datum datum;
    double radius_m; /* 0: params->leave_radius_m */
    int64_t start_ms, end_ms;
};

struct sj_bail_leave {
    int64_t id, subject_id;
    char *destination, *reason, *note;
    struct sj_geo_point pos; /* WGS-84 */
    double radius_m;
    int64_t start_ms, end_ms;
    enum sj_bail_leave_status status;
    int64_t submitted_ms, decided_by, decided_ms, fence_id, closed_ms;
};

void sj_bail_leave_release(struct sj_bail_leave *l);

/* Submits a leave request for subject_id (by its device, which may ask only for its own
 * subject, or by an officer) (ledger "bail.leave.submit"). SJ_EINVAL, SJ_EPERM, SJ_EDB. */
int sj_bail_leave_submit(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                         int64_t subject_id, const struct sj_bail_leave_request *req, int64_t *id,
                         struct sj_err *err);
/* The responsible prosecutor or police officer approves or rejects a submitted request with a
 * note (required). Approval opens a temporary allowed fence at the destination for the leave's
 * window, during which home-fence breaches are not raised. Ledger "bail.leave.decide".
 * SJ_EPERM (not responsible), SJ_EINVAL (already decided, no note), SJ_ENOTFOUND, SJ_EDB. */
int sj_bail_leave_decide(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                         int64_t leave_id, bool is_approved, const char *note, struct sj_err *err);
int sj_bail_leave_get(struct sj_store *store, int64_t id, struct sj_bail_leave *out,
                      struct sj_err *err);

/* ---- Alerts ------------------------------------------------------------------------------- */

enum sj_bail_alert_status {
    SJ_BAIL_ALERT_OPEN,
    SJ_BAIL_ALERT_ACKNOWLEDGED,
    SJ_BAIL_ALERT_RESOLVED
};

const char *sj_bail_alert_status_name(enum sj_bail_alert_status status);
int sj_bail_alert_status_parse(const char *text, enum sj_bail_alert_status *status);

struct sj_bail_alert {
    int64_t id, subject_id, office_id;
    enum sj_bail_alert_kind kind;
    enum sj_bail_severity severity;
    enum sj_bail_alert_status status;
    char *detail; /* Chinese */
    char *source; /* what raised it: "checkin:12", "slot:daily:3:<start ms>", "fence:0", ... */
    int64_t raised_ms;
    int64_t assignee_id;    /* the on-duty officer when raised (else a responsible officer) */
    int64_t escalate_at_ms; /* unacknowledged by then: escalated */
    int64_t escalated_ms, escalated_to;
    int64_t acknowledged_by, acknowledged_ms, resolved_by, resolved_ms;
    char *resolution;     /* the note that resolved it */
    int64_t ledger_index; /* the ledger entry that raised it (-1 when unknown) */
};

void sj_bail_alert_release(struct sj_bail_alert *a);
void sj_bail_alert_list_free(struct sj_bail_alert *list, size_t count);

struct sj_bail_alert_filter {
    int64_t office_id;  /* 0: any */
    int64_t subject_id; /* 0: any */
    int status;         /* an enum sj_bail_alert_status, or -1: any */
    size_t limit;       /* 0: 1000 */
};

int sj_bail_alert_get(struct sj_store *store, int64_t id, struct sj_bail_alert *out,
                      struct sj_err *err);
/* Newest first. */
int sj_bail_alert_list(struct sj_store *store, const struct sj_bail_alert_filter *filter,
                       struct sj_bail_alert **list, size_t *count, struct sj_err *err);
/* open -> acknowledged (ledger "bail.alert.ack"); note optional. SJ_EINVAL when not open. */
int sj_bail_alert_ack(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                      int64_t alert_id, const char *note, struct sj_err *err);
/* acknowledged -> resolved with a required note (ledger "bail.alert.resolve"). SJ_EINVAL when
 * not acknowledged or the note is empty. */
int sj_bail_alert_resolve(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                          int64_t alert_id, const char *note, struct sj_err *err);

/* ---- Roster and daily review -------------------------------------------------------------- */

/* A duty shift [start_ms, end_ms) of a prosecutor or police user of the office (ledger
 * "bail.roster.add"). SJ_EINVAL, SJ_ENOTFOUND, SJ_EDB. */
int sj_bail_roster_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                       int64_t office_id, int64_t user_id, int64_t start_ms, int64_t end_ms,
                       int64_t *id, struct sj_err *err);
/* The officer on duty in the office at at_ms: of the shifts covering it, the one that started
 * last (then the lowest id). *user_id is 0 when nobody is on duty. */
int sj_bail_on_duty(struct sj_store *store, int64_t office_id, int64_t at_ms, int64_t *user_id,
                    struct sj_err *err);

enum sj_bail_review_kind { SJ_BAIL_REVIEW_CHECKIN, SJ_BAIL_REVIEW_LEAVE, SJ_BAIL_REVIEW_ALERT };

const char *sj_bail_review_kind_name(enum sj_bail_review_kind kind);

struct sj_bail_review_item {
    enum sj_bail_review_kind kind;
    int64_t id;
    int64_t subject_id;
    int64_t at_ms;   /* fix, submission or raise time */
    char status[16]; /* the item's own status name */
    bool is_handled; /* check-in reviewed; leave decided; alert acknowledged or resolved */
};

/* The review queue of user for local day `day`: the check-ins (by fix time), leave requests
 * (by submission) and alerts (by raise time) of that day for the subjects the user is
 * responsible for (prosecutor or police officer), in time order. *items owned (free()). */
int sj_bail_review_queue(struct sj_store *store, int64_t user_id, int64_t day,
                         struct sj_bail_review_item **items, size_t *count, struct sj_err *err);
/* Marks check-ins reviewed by who (ledger "bail.review.checkins", one entry for all). */
int sj_bail_review_checkins(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                            const int64_t *ids, size_t count, struct sj_err *err);
/* Signs off who's day (ledger "bail.review.signoff"): refused with SJ_EPERM, naming how many
 * items are unhandled, until every item of the queue is handled; SJ_EEXIST when already
 * signed off. */
int sj_bail_review_signoff(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                           int64_t day, struct sj_err *err);

/* ---- The sweep ---------------------------------------------------------------------------- */

struct sj_bail_sweep_counts {
    size_t missed;    /* missed check-in alerts raised */
    size_t silent;    /* device silent alerts raised */
    size_t overrun;   /* leave overrun alerts raised */
    size_t returned;  /* leaves settled as returned in time */
    size_t escalated; /* alerts escalated to the responsible prosecutor */
};

/* Raises the time-based alerts as of who->now_ms (a timer calls it every minute or so):
 * slots of the last two days that ended more than params->missed_grace_ms ago without an
 * accepted check-in; active devices silent for params->silent_after_ms; approved leaves ended
 * more than params->leave_grace_ms ago whose subject is not back inside its home fences; and
 * escalates open alerts past their escalation time. Each alert is raised once (a repeat sweep
 * finds it and does nothing); each change is ledgered. *counts may be NULL. */
int sj_bail_sweep(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                  struct sj_bail_sweep_counts *counts, struct sj_err *err);

/* ---- Face enrolment (src/bail/face_ops.c) -------------------------------------------------- */

struct sj_face_probe;

/* Stores the face of probe (from sj_face_probe_jpeg on photo, run by the caller before; it
 * must be SJ_FACE_USABLE) as subject_id's template, sealed under the workspace's face key and
 * replacing an earlier one (*is_replaced says), with the ledger entry "bail.face.enrol"
 * (the photo's SHA-256, never the photo or the descriptor) in the same transaction. Errors:
 * SJ_EINVAL (no usable face, subject ended), SJ_ENOTFOUND, SJ_EPERM, the key's (see
 * sj_face_key_load), SJ_EDB. */
int sj_bail_face_enrol(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                       int64_t subject_id, const struct sj_face_probe *probe, struct sj_str photo,
                       bool *is_replaced, struct sj_err *err);

#endif
