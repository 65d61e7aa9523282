/*
 * bail_int.h - internal to the bail history simulation (sj_demo_bail_generate):
 *   bail_world.c  places, people and their month: profile, planted episodes, where a
 *                 subject is at any time (a pure function of the plan) and the fixes a phone
 *                 takes
 *   bail_acts.c   what subjects and officers do, each through one bail_ops.h operation
 *   bail_desk.c   the officers' desk work: roster, alert rounds, morning review and sign-off
 *   bail_sim.c    the agenda: one day of actions at a time, sorted by time, run in order on
 *                 the simulated clock; the roster, sweeps, alert rounds and reviews
 * Invariant: everything random comes from demo_rng streams keyed by (seed, subject, day) or
 * from demo_hash of ids the workspace hands out in a deterministic order, never the clock.
 */
#ifndef SHUJIAN_DEMO_BAIL_INT_H
#define SHUJIAN_DEMO_BAIL_INT_H

#include "demo/demo_int.h"
#include "shujian/bail_ops.h"

#define BD_HOUR_MS (3600LL * 1000)
#define BD_MIN_MS (60LL * 1000)
#define BD_EPISODES_MAX 8
#define BD_OFFICERS_MAX 64
#define BD_PERSON_BASE 5000000u /* world person index of subject 0: clear of demo-data's */

/* ---- bail_world.c: places ---------------------------------------------------------------- */

struct bd_place {
    const char *name;
    double lat, lon; /* WGS-84 */
};

struct bd_county {
    const char *code, *name, *abbr; /* "441802", "清城区", "清城" */
    const struct bd_place *towns;
    size_t town_count;
    struct bd_place hotspot; /* the gambling hot spot of the county's group fence */
};

extern const struct bd_county bd_counties[];
extern const size_t bd_county_count;
extern const struct bd_place bd_destinations[];
extern const size_t bd_destination_count;

/* ---- the simulation's state ------------------------------------------------------------------ */

struct bd_officer {
    int64_t id, office_id;
    char name[65];   /* user name, the ledger's actor */
    char office[33]; /* the office's code */
    bool is_police;
};

struct bd_office {
    int64_t id;
    char code[33];
    int county; /* bd_counties index of residences, or -1: the city's counties */
    int prosecutors[BD_OFFICERS_MAX], police[BD_OFFICERS_MAX]; /* bd_officer indices */
    int prosecutor_count, police_count;
    bool has_group_fence; /* the county's gambling group fence was added */
    unsigned weight;
};

enum bd_episode_kind {
    BD_EP_TRIP,      /* away on an approved leave (or overrunning it) */
    BD_EP_EXCURSION, /* out of the home fence without leave */
    BD_EP_FORBIDDEN, /* inside a forbidden zone */
    BD_EP_SILENT,    /* phone off */
    BD_EP_MOCK,      /* a mock-location app on */
    BD_EP_GLITCH,    /* one fix far away (start only) */
    BD_EP_MISMATCH,  /* someone else checks in (start: the check-in) */
    BD_EP_NOFACE,    /* a check-in photo without a face */
    BD_EP_KINDS
};

struct bd_episode {
    enum bd_episode_kind kind;
    int64_t start_ms, end_ms;
    struct sj_geo_point at; /* WGS-84, where the subject is */
};

enum bd_leave_kind {
    BD_LEAVE_NONE,
    BD_LEAVE_TRIP,     /* approved, travels, back in time */
    BD_LEAVE_OVERRUN,  /* approved, travels, back late */
    BD_LEAVE_REJECTED, /* rejected */
    BD_LEAVE_FUTURE,   /* approved, starts after the end */
    BD_LEAVE_PENDING   /* not decided by the end */
};

struct bd_leave_plan {
    enum bd_leave_kind kind;
    int destination; /* bd_destinations index */
    int64_t submit_ms, decide_ms, start_ms, end_ms;
    int64_t id; /* once submitted */
};

struct bd_subject {
    int index, office, county, town;
    int prosecutor, police; /* bd_officer indices; police -1 when none */
    struct demo_person person;
    char phone[12];
    char residence[256];
    char crime[64];
    char case_number[64];
    int64_t bail_start_day;
    struct sj_geo_point home, work, market, zone; /* WGS-84 */
    bool has_work, has_zone, in_group;
    const char *zone_name;
    double fence_r;
    int window_start, window_end; /* daily check-in window, minutes */
    bool has_weekly;
    int weekly_start, weekly_end;
    unsigned weekdays;
    int habit_min;    /* usual check-in minute */
    int fix_offset_s; /* seconds past each hour of the hourly fix */
    enum sj_datum datum;
    int64_t reg_ms, change_ms, status_ms;
    int64_t final_ms; /* a mock-location check-in just before the end (one subject) */
    enum sj_bail_status status_to;
    struct bd_episode episodes[BD_EPISODES_MAX];
    int episode_count;
    struct bd_leave_plan leave;
    unsigned char *busy; /* days with a planted event (days bytes) */
    /* At run time. */
    int64_t id;
    struct sj_bail_device device;
    bool has_device, is_active;
    int64_t last_fix_ms;
    int phones; /* phones bound so far */
};

struct bd_face {
    enum sj_bail_face next;
    double score;
};

struct bd_sim {
    const struct sj_demo_bail_opts *opts;
    struct sj_store *store;
    struct sj_bail_env env;
    struct sj_bail_face_verifier verifier;
    struct bd_face face;
    struct demo_world world;
    int64_t first_day, last_day, end_ms;
    struct bd_officer officers[BD_OFFICERS_MAX];
    int officer_count;
    struct bd_office offices[SJ_DEMO_BAIL_OFFICES_MAX];
    int office_count;
    char office_codes[SJ_DEMO_BAIL_OFFICES_MAX][33];
    struct bd_subject *subjects;
    int subject_count;
    int64_t roster_until_day; /* shifts exist up to (excluding) this day */
    struct sj_demo_bail_stats *stats;
    struct sj_err *err;
};

/* ---- bail_world.c -------------------------------------------------------------------------- */

/* Draws every subject's profile and month (episodes, leave, phone change, status change). */
void bd_world_plan(struct bd_sim *sim);
void bd_world_release(struct bd_sim *sim);
/* Where subject s really is at t (WGS-84). */
struct sj_geo_point bd_where(const struct bd_sim *sim, const struct bd_subject *s, int64_t t);
/* How long the subject travels to or from a trip's destination. */
int64_t bd_transit_ms(const struct bd_subject *s, const struct bd_episode *e);
/* The episode of kind covering t, or NULL. */
const struct bd_episode *bd_episode_at(const struct bd_subject *s, enum bd_episode_kind kind,
                                       int64_t t);
/* The fixes the phone took in (from_ms, to_ms], in the phone's datum, oldest first, at most
 * max. Returns the count. */
size_t bd_fixes(const struct bd_sim *sim, const struct bd_subject *s, int64_t from_ms,
                int64_t to_ms, struct sj_bail_fix *out, size_t max);
/* A fix of a check-in at t: position in the phone's datum. */
struct sj_bail_fix bd_checkin_fix(const struct bd_sim *sim, const struct bd_subject *s, int64_t t);
/* Local minute of day and ms of local day start + minutes. */
int64_t bd_at(int64_t day, int minute);
int bd_minute_of(int64_t t_ms);

/* ---- bail_acts.c ------------------------------------------------------------------------- */

enum bd_checkin_style {
    BD_CI_NORMAL,
    BD_CI_RETRY,       /* the phone sends the same check-in twice */
    BD_CI_LATE_UPLOAD, /* taken at arg_ms, uploaded later */
    BD_CI_MOCK,
    BD_CI_MISMATCH,
    BD_CI_NOFACE,
    BD_CI_SPOT /* the answer to a spot check */
};

/* Actors: an officer, a subject's phone, the system. */
struct sj_bail_actor bd_officer_actor(const struct bd_sim *sim, int officer, int64_t now_ms);
struct sj_bail_actor bd_phone_actor(const struct bd_sim *sim, const struct bd_subject *s,
                                    int64_t now_ms);
struct sj_bail_actor bd_system_actor(int64_t now_ms);

int bd_register(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms);
int bd_upload(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms);
int bd_checkin(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms, int style, int64_t fix_ms);
int bd_spot(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms);
int bd_leave_submit(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms);
int bd_leave_decide(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms);
int bd_phone_change(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms);
int bd_status(struct bd_sim *sim, struct bd_subject *s, int64_t now_ms);
/* The officer who acts for a subject (the police officer, else the prosecutor). */
int bd_handler(const struct bd_subject *s);

/* ---- bail_desk.c: officer work that is not tied to one subject ------------------------------ */

int bd_roster(struct bd_sim *sim, int64_t now_ms, int64_t until_day);
int bd_round(struct bd_sim *sim, int64_t now_ms);
int bd_review(struct bd_sim *sim, int officer, int64_t now_ms);

#endif
