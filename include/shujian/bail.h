/*
 * bail.h - the pure domain core of bail supervision (取保候审, src/bail, docs/BAIL.md):
 * local time, fences (电子围栏) with their per-(subject, fence) confirmation state machine,
 * check-in schedules (打卡) and their due slots, alert kinds (告警) and the judging of one
 * check-in. Nothing here touches the workspace: shujian/bail_ops.h stores and ledgers.
 *
 * - Positions are WGS-84 (shujian/geo.h converts what phones send). Times are milliseconds
 *   since the Unix epoch (UTC), passed in by the caller; "local" means China Standard Time,
 *   fixed UTC+8 without daylight saving.
 * - A fix is judged against a fence with its accuracy circle: INSIDE when the whole circle is
 *   inside, OUTSIDE when it is wholly outside, otherwise UNCERTAIN. A state changes only after
 *   a confirmed run of definite fixes (sj_fence_state_feed), so GPS drift along a boundary
 *   raises nothing.
 * - Every function is pure or works only on memory it is given; none keeps global state.
 *
 * Ownership: inputs are borrowed. What a function hands out is owned by the caller and freed
 * as its comment says.
 */
#ifndef SHUJIAN_BAIL_H
#define SHUJIAN_BAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/geo.h"

/* ---- Local time (UTC+8, no DST) ------------------------------------------------------------ */

#define SJ_BAIL_TZ_OFFSET_MS (8LL * 3600 * 1000)
#define SJ_BAIL_DAY_MS (24LL * 3600 * 1000)
#define SJ_BAIL_MINUTE_MS (60LL * 1000)

/* The local day of t (days since 1970-01-01 in UTC+8; floor division, so times before 1970
 * work too). */
int64_t sj_bail_local_day(int64_t t_ms);
/* UTC milliseconds of the local midnight that starts day. */
int64_t sj_bail_day_start(int64_t day);
/* ISO weekday of a local day: 1 = Monday .. 7 = Sunday. */
int sj_bail_weekday(int64_t day);
/* "YYYY-MM-DD" of a local day into out (11 bytes). */
void sj_bail_day_format(int64_t day, char out[11]);
/* Parses a strict "YYYY-MM-DD" (a real date) into a local day. 0 or SJ_EINVAL. */
int sj_bail_day_parse(const char *text, int64_t *day);
/* "YYYY-MM-DDTHH:MM:SS+08:00" of t into out (26 bytes). */
void sj_bail_time_format(int64_t t_ms, char out[26]);

/* ---- Fences -------------------------------------------------------------------------------- */

enum sj_fence_kind {
    SJ_FENCE_ALLOWED = 0,   /* "allowed": the subject must stay inside (one of) these */
    SJ_FENCE_FORBIDDEN = 1, /* "forbidden": the subject must not enter */
};

enum sj_fence_shape { SJ_FENCE_CIRCLE = 0, SJ_FENCE_POLYGON = 1 };

#define SJ_FENCE_RADIUS_MIN_M 10.0
#define SJ_FENCE_RADIUS_MAX_M 200000.0
#define SJ_FENCE_RINGS_MAX 64        /* outer ring plus holes */
#define SJ_FENCE_POINTS_MAX 20000    /* positions in all rings of one fence */
#define SJ_FENCE_JSON_MAX (1u << 20) /* bytes of GeoJSON we parse */

/* A ring of a polygon: count >= 3 distinct positions, implicitly closed (the closing
 * duplicate of GeoJSON is not stored). */
struct sj_fence_ring {
    size_t count;
    struct sj_geo_point *points; /* owned by the fence */
};

/* A fence's geometry (WGS-84) with its bounding box. Embed it; sj_fence_release frees the
 * rings. The bounding box is set by the parser and by sj_fence_prepare. */
struct sj_fence {
    int64_t id; /* the caller's id, carried along */
    enum sj_fence_kind kind;
    enum sj_fence_shape shape;
    struct sj_geo_point center; /* circle */
    double radius_m;            /* circle */
    size_t ring_count;          /* polygon: rings[0] is the outer ring, the others holes */
    struct sj_fence_ring *rings;
    double min_lat, max_lat, min_lon, max_lon; /* bounding box, degrees */
};

/* "allowed" / "forbidden" and back (also the labels 允许区域 / 禁入区域). */
const char *sj_fence_kind_name(enum sj_fence_kind kind);
const char *sj_fence_kind_label(enum sj_fence_kind kind);
int sj_fence_kind_parse(const char *text, enum sj_fence_kind *kind);

/* A circle fence (no allocation). SJ_EINVAL (err says why, in Chinese) for an invalid centre
 * or a radius outside SJ_FENCE_RADIUS_MIN_M..MAX_M. */
int sj_fence_circle(struct sj_geo_point center, double radius_m, struct sj_fence *out,
                    struct sj_err *err);

/* Parses a fence geometry from GeoJSON text json (untrusted; at most SJ_FENCE_JSON_MAX bytes):
 * - {"type":"Polygon","coordinates":[[[lon,lat],...],...]}: RFC 7946 rings, each closed
 *   (first position = last) with at least 4 positions; the first ring is the outer boundary,
 *   the others holes. At most SJ_FENCE_RINGS_MAX rings and SJ_FENCE_POINTS_MAX positions;
 *   rings must have non-zero area.
 * - {"type":"Point","coordinates":[lon,lat],"radius":metres}: a circle.
 * - A Feature whose geometry is one of these (a Point's radius may be in its properties).
 * Positions are in datum (converted to WGS-84 here); a third coordinate (altitude) is ignored.
 * *out is zeroed first and owns its rings (sj_fence_release, also after an error). Errors:
 * SJ_ETOOBIG (over a cap), SJ_EFORMAT (not JSON, not a geometry above, bad position; err
 * says where in Chinese). */
int sj_fence_parse_geojson(struct sj_str json, enum sj_datum datum, struct sj_fence *out,
                           struct sj_err *err);
/* Appends the canonical GeoJSON of f (WGS-84, compact, rings closed) to out, which parses
 * back to the same fence. Returns 0 or SJ_ETOOBIG (out's cap). */
int sj_fence_to_geojson(const struct sj_fence *f, struct sj_buf *out);
/* Recomputes the bounding box of f. */
void sj_fence_prepare(struct sj_fence *f);
void sj_fence_release(struct sj_fence *f);

/* Where a fix's accuracy circle lies relative to a fence. Ordered: OUTSIDE < UNCERTAIN <
 * INSIDE. */
enum sj_fence_rel {
    SJ_FENCE_OUTSIDE = 0,   /* the whole accuracy circle is outside */
    SJ_FENCE_UNCERTAIN = 1, /* the circle crosses the boundary */
    SJ_FENCE_INSIDE = 2,    /* the whole circle is inside */
};

/* "outside", "uncertain", "inside" (static storage). */
const char *sj_fence_rel_name(enum sj_fence_rel rel);

/* Distance in metres from p to the fence's boundary (>= 0), and whether p itself is inside
 * (a point within 1 cm of an edge counts as on it: distance 0, inside false). Polygon edges
 * are measured in a local equirectangular projection centred on p, which errs by less than
 * 0.1 % for fences up to 100 km across. */
double sj_fence_boundary_distance_m(const struct sj_fence *f, struct sj_geo_point p,
                                    bool *is_inside);
/* Judges a fix at p with accuracy radius accuracy_m (negative or NaN counts as 0). */
enum sj_fence_rel sj_fence_judge(const struct sj_fence *f, struct sj_geo_point p,
                                 double accuracy_m);

/* Many fences indexed by a uniform grid over their bounding boxes, for evaluating points
 * quickly against hundreds or thousands of fences. The set borrows fences (which must
 * outlive it and not change); queries do not modify it, so it may be shared by threads. */
struct sj_fence_set;

struct sj_fence_hit {
    size_t index;          /* into the fences array given to sj_fence_set_new */
    enum sj_fence_rel rel; /* INSIDE or UNCERTAIN */
};

/* Builds the index. *out is owned by the caller (sj_fence_set_free). Never fails apart from
 * aborting on out-of-memory; count may be 0. */
void sj_fence_set_new(const struct sj_fence *fences, size_t count, struct sj_fence_set **out);
void sj_fence_set_free(struct sj_fence_set *set);
/* Judges the fix (p, accuracy_m) against every fence of the set. Fences it is wholly outside
 * are left out; the others go to hits[0..max) in increasing index order. Returns the number
 * of such fences, which may exceed max (then only the first max are written). */
size_t sj_fence_set_query(const struct sj_fence_set *set, struct sj_geo_point p, double accuracy_m,
                          struct sj_fence_hit *hits, size_t max);

/* ---- The confirmation state machine ---------------------------------------------------------- */

/* When a run of definite fixes confirms a state: confirm_count fixes in a row, or at least two
 * fixes in a row spanning confirm_dwell_ms. */
struct sj_fence_params {
    int confirm_count;        /* default 3 */
    int64_t confirm_dwell_ms; /* default 5 minutes */
};

enum sj_fence_state_value {
    SJ_FENCE_STATE_UNKNOWN = 0, /* nothing confirmed yet */
    SJ_FENCE_STATE_INSIDE = 1,
    SJ_FENCE_STATE_OUTSIDE = 2,
};

/* The state of one (subject, fence) pair: plain data, stored between fixes. Zero it to start. */
struct sj_fence_state {
    enum sj_fence_state_value state;
    int64_t state_since_ms;    /* fix time of the fix that confirmed the state */
    enum sj_fence_rel run_rel; /* INSIDE or OUTSIDE: the run being counted; UNCERTAIN: none */
    int run_count;
    int64_t run_first_ms;
    int64_t last_fix_ms; /* newest fix fed; older fixes are ignored */
};

enum sj_fence_event {
    SJ_FENCE_EVENT_NONE = 0,
    SJ_FENCE_EVENT_ENTERED = 1, /* the state became INSIDE (from UNKNOWN or OUTSIDE) */
    SJ_FENCE_EVENT_EXITED = 2,  /* the state became OUTSIDE (from UNKNOWN or INSIDE) */
};

/* "inside", "outside", "unknown"; "entered", "exited", "none". Static storage. */
const char *sj_fence_state_name(enum sj_fence_state_value state);
const char *sj_fence_event_name(enum sj_fence_event event);
int sj_fence_state_parse(const char *text, enum sj_fence_state_value *state);

/* Feeds one fix judged rel at fix_ms into s (params NULL: defaults). A fix not newer than the
 * last one fed is ignored. An UNCERTAIN fix ends the current run without starting one, so
 * drift that touches the boundary never adds up to a confirmation. Returns the event the fix
 * confirmed, if any. */
enum sj_fence_event sj_fence_state_feed(struct sj_fence_state *s, enum sj_fence_rel rel,
                                        int64_t fix_ms, const struct sj_fence_params *params);

/* ---- Schedules and slots --------------------------------------------------------------------- */

enum sj_bail_schedule_kind {
    SJ_BAIL_SCHEDULE_DAILY = 0,  /* "daily": one check-in in the window every day */
    SJ_BAIL_SCHEDULE_WEEKLY = 1, /* "weekly": in the window on the given weekdays */
    SJ_BAIL_SCHEDULE_SPOT = 2,   /* "spot": a spot check issued with a deadline */
};

const char *sj_bail_schedule_kind_name(enum sj_bail_schedule_kind kind);
int sj_bail_schedule_kind_parse(const char *text, enum sj_bail_schedule_kind *kind);

#define SJ_BAIL_WEEKDAY_BIT(iso) (1u << ((unsigned)(iso)-1u)) /* iso 1 = Monday .. 7 */
#define SJ_BAIL_WEEKDAYS_ALL 0x7Fu

/* A recurring schedule: a local window [start_min, end_min) minutes after midnight, on every
 * day (daily) or on the weekdays in the mask (weekly), for days whose window starts in
 * [valid_from_ms, valid_until_ms) (0 = unbounded). */
struct sj_bail_schedule {
    int64_t id;
    enum sj_bail_schedule_kind kind; /* DAILY or WEEKLY */
    int start_min;                   /* 0..1439 */
    int end_min;                     /* start_min+1..1440 */
    unsigned weekdays;               /* WEEKLY: SJ_BAIL_WEEKDAY_BIT mask */
    int64_t valid_from_ms;
    int64_t valid_until_ms;
};

/* A spot check: issued at issued_ms, to be answered before deadline_ms. */
struct sj_bail_spot {
    int64_t id;
    int64_t issued_ms;
    int64_t deadline_ms;
};

/* One due check-in: a check-in with fix time in [start_ms, end_ms) satisfies it. */
struct sj_bail_slot {
    enum sj_bail_schedule_kind kind;
    int64_t source_id; /* the schedule's or the spot check's id */
    int64_t start_ms;
    int64_t end_ms;
};

#define SJ_BAIL_SLOT_RANGE_MAX_MS (400LL * SJ_BAIL_DAY_MS) /* widest range sj_bail_slots takes */

/* Checks a schedule (kind, window, weekdays, validity). 0 or SJ_EINVAL with a Chinese reason. */
int sj_bail_schedule_check(const struct sj_bail_schedule *s, struct sj_err *err);

/* The slots of schedules[0..schedule_count) and spots[0..spot_count) that overlap
 * [from_ms, to_ms), ordered by start time (then kind, then source id). *slots is owned by the
 * caller (free()); NULL when *count is 0. Invalid schedules are skipped. SJ_EINVAL when
 * to_ms < from_ms, SJ_ETOOBIG when the range is wider than SJ_BAIL_SLOT_RANGE_MAX_MS. */
int sj_bail_slots(const struct sj_bail_schedule *schedules, size_t schedule_count,
                  const struct sj_bail_spot *spots, size_t spot_count, int64_t from_ms,
                  int64_t to_ms, struct sj_bail_slot **slots, size_t *count, struct sj_err *err);

/* Picks the issue time of a random spot check on local day `day`: uniform over the minutes
 * m of [start_min, end_min) with m + deadline fitting before end_min (or at start_min when
 * nothing fits), from seed (the caller draws it from a CSPRNG; tests fix it). */
int64_t sj_bail_spot_pick(uint64_t seed, int64_t day, int start_min, int end_min,
                          int64_t deadline_ms);

/* ---- Alerts ---------------------------------------------------------------------------------- */

enum sj_bail_alert_kind {
    SJ_BAIL_ALERT_MISSED_CHECKIN = 0, /* "missed-checkin" 未按时打卡 */
    SJ_BAIL_ALERT_FENCE_BREACH,       /* "fence-breach" 越出活动区域 */
    SJ_BAIL_ALERT_FORBIDDEN_ENTRY,    /* "forbidden-entry" 进入禁入区域 */
    SJ_BAIL_ALERT_FACE_MISMATCH,      /* "face-mismatch" 人脸比对不一致 */
    SJ_BAIL_ALERT_DEVICE_CHANGE,      /* "device-change" 更换设备 */
    SJ_BAIL_ALERT_MOCK_LOCATION,      /* "mock-location" 虚拟定位 */
    SJ_BAIL_ALERT_IMPOSSIBLE_TRAVEL,  /* "impossible-travel" 位置异常跳变 */
    SJ_BAIL_ALERT_DEVICE_SILENT,      /* "device-silent" 设备长时间失联 */
    SJ_BAIL_ALERT_LEAVE_OVERRUN,      /* "leave-overrun" 外出逾期未归 */
    SJ_BAIL_ALERT_KIND_COUNT
};

enum sj_bail_severity {
    SJ_BAIL_SEVERITY_LOW = 0,    /* "low" 低 */
    SJ_BAIL_SEVERITY_MEDIUM = 1, /* "medium" 中 */
    SJ_BAIL_SEVERITY_HIGH = 2,   /* "high" 高 */
};

const char *sj_bail_alert_kind_name(enum sj_bail_alert_kind kind);
const char *sj_bail_alert_kind_label(enum sj_bail_alert_kind kind);
int sj_bail_alert_kind_parse(const char *text, enum sj_bail_alert_kind *kind);
/* The severity an alert of this kind gets (docs/BAIL.md has the table). */
enum sj_bail_severity sj_bail_alert_severity(enum sj_bail_alert_kind kind);
const char *sj_bail_severity_name(enum sj_bail_severity severity);
const char *sj_bail_severity_label(enum sj_bail_severity severity);
int sj_bail_severity_parse(const char *text, enum sj_bail_severity *severity);

/* ---- Parameters ------------------------------------------------------------------------------ */

struct sj_bail_params {
    struct sj_fence_params fence;
    double max_speed_kmh;      /* impossible travel above this (300) */
    int64_t future_skew_ms;    /* a fix this far ahead of server time is refused (2 min) */
    int64_t max_fix_age_ms;    /* a fix older than this at upload is refused (72 h) */
    int64_t missed_grace_ms;   /* a slot is missed this long after it ends (15 min) */
    int64_t silent_after_ms;   /* no contact this long: device silent (6 h) */
    int64_t leave_grace_ms;    /* back inside this long after a leave ends (2 h) */
    double leave_radius_m;     /* default radius of a leave's destination fence (2 km) */
    int64_t escalate_after_ms; /* unacknowledged this long: escalate (30 min) */
    int64_t enrol_code_ttl_ms; /* a device enrolment code lives this long (15 min) */
    int64_t spot_deadline_ms;  /* default deadline of a spot check (30 min) */
};

/* Fills p with the defaults above. */
void sj_bail_params_init(struct sj_bail_params *p);

/* ---- Face verification ----------------------------------------------------------------------- */

enum sj_bail_face {
    SJ_BAIL_FACE_UNVERIFIED = 0, /* "unverified": no verifier judged it (never a pass) */
    SJ_BAIL_FACE_MATCH = 1,      /* "match" */
    SJ_BAIL_FACE_MISMATCH = 2,   /* "mismatch": someone else (代签) */
    SJ_BAIL_FACE_NO_FACE = 3,    /* "no-face": no usable face in the photo */
};

const char *sj_bail_face_name(enum sj_bail_face face);

/* A 1:1 face verifier: compares photo (JPEG bytes, borrowed) with the enrolled face of the
 * subject and sets *result and *score (0..1, or -1 when none). Returns 0, or a negative
 * SJ_E* code when it could not judge (the check-in then records "unverified"). */
struct sj_bail_face_verifier {
    const char *name;
    int (*verify)(void *ctx, int64_t subject_id, struct sj_str photo, enum sj_bail_face *result,
                  double *score, struct sj_err *err);
    void *ctx;
};

/* The verifier used until a real one is configured: it records "unverified" for every photo
 * and never a match. Static storage. */
const struct sj_bail_face_verifier *sj_bail_face_default(void);

/* ---- Judging a check-in ---------------------------------------------------------------------- */

/* A position fix, WGS-84. */
struct sj_bail_fix {
    struct sj_geo_point pos;
    double accuracy_m; /* radius of the phone's 68 % circle; >= 0 */
    int64_t fix_ms;    /* when the phone took the fix */
    bool is_mock;      /* the phone's mock-location flag */
};

/* An approved leave: its destination fence counts as allowed during [start_ms, end_ms). */
struct sj_bail_leave_window {
    int64_t leave_id;
    int64_t start_ms;
    int64_t end_ms;
    const struct sj_fence *fence; /* borrowed */
};

struct sj_bail_judge_input {
    int64_t subject_id;
    struct sj_bail_fix fix;
    int64_t received_ms;           /* server time of the upload */
    const struct sj_fence *fences; /* the subject's fences in force (allowed and forbidden) */
    size_t fence_count;
    const struct sj_bail_leave_window *leaves; /* approved leaves */
    size_t leave_count;
    bool has_previous; /* previous: the subject's newest accepted fix before this one */
    struct sj_bail_fix previous;
    const struct sj_bail_slot *slots; /* the subject's slots around the fix time */
    size_t slot_count;
    const struct sj_bail_face_verifier *face; /* NULL: sj_bail_face_default() */
    struct sj_str photo;                      /* JPEG bytes; may be empty */
    const struct sj_bail_params *params;      /* NULL: defaults */
};

enum sj_bail_verdict_status {
    SJ_BAIL_ACCEPTED = 0, /* "accepted": counts, nothing to look at */
    SJ_BAIL_FLAGGED = 1,  /* "flagged": counts, but a person should look (see flags) */
    SJ_BAIL_REJECTED = 2, /* "rejected": does not count for any slot */
};

/* Why a check-in was flagged or rejected; a verdict carries a mask of these. */
enum sj_bail_flag {
    SJ_BAIL_FLAG_OUTSIDE = 1u << 0,          /* wholly outside every allowed place */
    SJ_BAIL_FLAG_UNCERTAIN_PLACE = 1u << 1,  /* accuracy circle crosses a boundary */
    SJ_BAIL_FLAG_FORBIDDEN = 1u << 2,        /* inside a forbidden fence */
    SJ_BAIL_FLAG_ON_LEAVE = 1u << 3,         /* inside an approved leave's destination */
    SJ_BAIL_FLAG_FUTURE = 1u << 4,           /* fix time ahead of server time (refused) */
    SJ_BAIL_FLAG_TOO_OLD = 1u << 5,          /* fix older than max_fix_age_ms (refused) */
    SJ_BAIL_FLAG_LATE_UPLOAD = 1u << 6,      /* fix inside a slot, uploaded after it ended */
    SJ_BAIL_FLAG_NO_SLOT = 1u << 7,          /* fix time in no due slot (kept, counts nothing) */
    SJ_BAIL_FLAG_MOCK_LOCATION = 1u << 8,    /* the phone says the location is mocked (refused) */
    SJ_BAIL_FLAG_IMPOSSIBLE_SPEED = 1u << 9, /* too fast since the previous fix */
    SJ_BAIL_FLAG_FACE_MISMATCH = 1u << 10,   /* the face is someone else's (refused) */
    SJ_BAIL_FLAG_FACE_UNVERIFIED = 1u << 11, /* no verifier judged the face (informational) */
    SJ_BAIL_FLAG_NO_FENCE = 1u << 12,        /* the subject has no allowed fence in force */
    SJ_BAIL_FLAG_BAD_POSITION = 1u << 13,    /* invalid coordinates or accuracy (refused) */
};
#define SJ_BAIL_FLAG_COUNT 14

/* "outside", "uncertain-place", ... for bit i (0..SJ_BAIL_FLAG_COUNT-1); NULL past the end. */
const char *sj_bail_flag_name(unsigned bit_index);
const char *sj_bail_verdict_status_name(enum sj_bail_verdict_status status);
int sj_bail_verdict_status_parse(const char *text, enum sj_bail_verdict_status *status);

/* An alert a verdict raises. */
struct sj_bail_raise {
    enum sj_bail_alert_kind kind;
    enum sj_bail_severity severity;
    char detail[192]; /* Chinese, for the officer */
};

#define SJ_BAIL_VERDICT_ALERTS_MAX 6

struct sj_bail_verdict {
    enum sj_bail_verdict_status status;
    unsigned flags;             /* enum sj_bail_flag mask */
    enum sj_fence_rel place;    /* against the allowed places (fences and leave destinations) */
    int64_t place_fence_id;     /* an allowed fence the fix is inside (0 when none) */
    int64_t leave_id;           /* the leave whose destination it is inside (0 when none) */
    int64_t forbidden_fence_id; /* a forbidden fence it is inside or near (0 when none) */
    bool has_slot;
    struct sj_bail_slot slot; /* the slot the check-in satisfies (status != REJECTED) */
    double speed_kmh;         /* since the previous fix (-1 when there was none) */
    enum sj_bail_face face;
    double face_score; /* -1 when none */
    size_t alert_count;
    struct sj_bail_raise alerts[SJ_BAIL_VERDICT_ALERTS_MAX];
    char reason[256]; /* one line of Chinese summing up the verdict */
};

/* Judges one check-in: time against server time, place against fences and leaves, speed since
 * the previous fix, the mock flag, the slot it satisfies and the face (through in->face). Pure
 * apart from whatever the verifier does. Returns 0, or SJ_EINVAL when in or out is NULL or an
 * array has a count but no pointer (a bad position is a rejected verdict, not an error). */
int sj_bail_judge_checkin(const struct sj_bail_judge_input *in, struct sj_bail_verdict *out);

/* Speed in km/h needed to get from a to b, giving both fixes the benefit of their accuracy
 * (the distance is reduced by both radii, not below 0). Returns 0 for no movement and
 * INFINITY when b is not later than a but the distance is positive. */
double sj_bail_speed_kmh(const struct sj_bail_fix *a, const struct sj_bail_fix *b);

/* The relation of a fix to the union of the allowed fences in fences[0..count) (forbidden
 * ones are skipped): INSIDE when inside any, OUTSIDE when outside all, else UNCERTAIN; OUTSIDE
 * when there is none. *fence_id (may be NULL) gets an allowed fence that is INSIDE, else one
 * that is UNCERTAIN, else 0. */
enum sj_fence_rel sj_bail_allowed_rel(const struct sj_fence *fences, size_t count,
                                      const struct sj_bail_fix *fix, int64_t *fence_id);

#endif
