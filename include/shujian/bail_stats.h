/*
 * bail_stats.h - what bail supervision reads back for officers and reports (docs/BAIL.md,
 * "Risk colour" and "Statistics"): the risk colour of a subject from its alerts (a pure rule,
 * src/bail/risk.c), compliance and alert statistics per office and per subject
 * (src/bail/stats_ops.c), and the read-only lists the UI shows (leave queue, roster, check-in
 * history; the SQL is in src/store/bail_store_stats.c).
 *
 * Nothing here changes state, so nothing here is ledgered. Times are ms since the epoch.
 * Ownership: inputs borrowed; outputs owned by the caller, freed with the _release/_free
 * function named beside them (plain arrays with free()).
 */
#ifndef SHUJIAN_BAIL_STATS_H
#define SHUJIAN_BAIL_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/bail_ops.h"

struct sj_store;

/* ---- Facts read from the store ------------------------------------------------------------ */

/* What risk and statistics need of an alert. */
struct sj_bail_alert_fact {
    int64_t id, subject_id, office_id;
    enum sj_bail_alert_kind kind;
    enum sj_bail_severity severity;
    enum sj_bail_alert_status status;
    int64_t raised_ms;
    int64_t acknowledged_ms; /* 0 when never acknowledged */
    int64_t ledger_index;    /* the entry that raised it; -1 when unknown */
};

/* Alerts of office_id (0: any) and subject_id (0: any) raised in [from_ms, to_ms), plus, when
 * with_open, every alert still open whatever its age; ordered by subject, then newest first.
 * *facts owned (free()). */
int sj_store_bail_alert_facts(struct sj_store *store, int64_t office_id, int64_t subject_id,
                              int64_t from_ms, int64_t to_ms, bool with_open,
                              struct sj_bail_alert_fact **facts, size_t *count, struct sj_err *err);

/* A check-in that was not rejected: its fix and upload time (for slot coverage). */
struct sj_bail_fix_time {
    int64_t fix_ms, received_ms;
};

/* The not-rejected check-ins of a subject with fix time in [from_ms, to_ms), by fix time.
 * *list owned (free()). */
int sj_store_bail_checkin_times(struct sj_store *store, int64_t subject_id, int64_t from_ms,
                                int64_t to_ms, struct sj_bail_fix_time **list, size_t *count,
                                struct sj_err *err);

/* A stored check-in with its judgement, as the history shows it. */
struct sj_bail_checkin_row {
    int64_t id, subject_id, device_id, fix_ms, received_ms;
    double lat, lon, accuracy_m; /* WGS-84 */
    char datum[8];               /* as reported */
    char status[12];             /* accepted / flagged / rejected */
    unsigned flags;              /* enum sj_bail_flag mask */
    char slot_kind[8];           /* "" when it satisfied no slot */
    int64_t slot_start_ms, slot_end_ms;
    char face[16];
    double face_score; /* -1 when none */
    char *answer;      /* the JSON the phone got (owned) */
    int64_t reviewed_by, reviewed_ms;
};

/* Check-ins of a subject with fix time in [from_ms, to_ms), newest first, at most limit.
 * Free with sj_bail_checkin_rows_free. */
int sj_store_bail_checkin_list(struct sj_store *store, int64_t subject_id, int64_t from_ms,
                               int64_t to_ms, size_t limit, struct sj_bail_checkin_row **list,
                               size_t *count, struct sj_err *err);
void sj_bail_checkin_rows_free(struct sj_bail_checkin_row *list, size_t count);

/* The ids of leave requests with status (-1: any) of subject_id (0: any), newest submission
 * first, at most limit. *ids owned (free()). */
int sj_store_bail_leave_ids(struct sj_store *store, int status, int64_t subject_id, size_t limit,
                            int64_t **ids, size_t *count, struct sj_err *err);

/* A duty shift with the officer's display name. */
struct sj_bail_shift {
    int64_t id, office_id, user_id, start_ms, end_ms;
    char *display_name;
};

/* Shifts of office_id (0: any) overlapping [from_ms, to_ms), oldest first. Free with
 * sj_bail_shifts_free. */
int sj_store_bail_roster_list(struct sj_store *store, int64_t office_id, int64_t from_ms,
                              int64_t to_ms, struct sj_bail_shift **list, size_t *count,
                              struct sj_err *err);
void sj_bail_shifts_free(struct sj_bail_shift *list, size_t count);

/* ---- Risk colour (src/bail/risk.c) -------------------------------------------------------- */

enum sj_bail_colour { SJ_BAIL_GREEN = 0, SJ_BAIL_YELLOW = 1, SJ_BAIL_RED = 2 };

const char *sj_bail_colour_name(enum sj_bail_colour colour);  /* "green", "yellow", "red" */
const char *sj_bail_colour_label(enum sj_bail_colour colour); /* 绿, 黄, 红 */

#define SJ_BAIL_RISK_WINDOW_MS (30LL * 86400000) /* handled alerts older than this count 0 */
#define SJ_BAIL_RISK_RECENT_MS (7LL * 86400000)  /* handled alerts this new count fully */
#define SJ_BAIL_RISK_YELLOW 15                   /* score from which a subject is yellow */
#define SJ_BAIL_RISK_RED 40                      /* and red */
#define SJ_BAIL_RISK_MISSED_REPEAT 3             /* missed check-ins in 7 days that add ... */
#define SJ_BAIL_RISK_MISSED_REPEAT_POINTS 20     /* ... this once */

/* One point of the score: the rule, its Chinese text, and the alert (and ledger entry) that
 * caused it. */
struct sj_bail_risk_reason {
    char rule[16]; /* "alert-open", "alert-recent", "alert-older", "missed-repeat" */
    char text[192];
    int points;
    int64_t alert_id; /* always set: every point comes from an alert */
    enum sj_bail_alert_kind kind;
    int64_t raised_ms;
    int64_t ledger_index; /* -1 when unknown */
};

struct sj_bail_risk {
    enum sj_bail_colour colour;
    int score;
    struct sj_bail_risk_reason *reasons; /* by points, then newest; owned */
    size_t reason_count;
};

/* The risk of one subject as of now_ms from its alerts (facts of that subject only, any
 * order; one raised after now_ms, by a sweep run ahead of the clock, counts as raised now). The
 * rule (docs/BAIL.md, "Risk colour"): open alert: high 40, medium 15, low 5 points; handled
 * (acknowledged or resolved) alert raised within 7 days: 20/8/2, within 30 days: 6/2/1; 3 or more
 * missed-checkin alerts raised within 7 days: 20 more, once. Red from 40, yellow from 15. Pure.
 * Release *out with sj_bail_risk_release. */
void sj_bail_risk_compute(const struct sj_bail_alert_fact *facts, size_t count, int64_t now_ms,
                          struct sj_bail_risk *out);
void sj_bail_risk_release(struct sj_bail_risk *risk);

/* ---- Statistics (src/bail/stats_ops.c) ---------------------------------------------------- */

struct sj_bail_stats_row {
    size_t subjects;
    size_t slots_due, slots_on_time, late_uploads;
    size_t alerts_total, alerts_open;
    size_t by_kind[SJ_BAIL_ALERT_KIND_COUNT];
    size_t ack_count;
    double ack_mean_ms; /* meaningful when ack_count > 0 */
    int64_t ack_p90_ms; /* nearest rank */
};

struct sj_bail_stats_group {
    int64_t id; /* the office's or the subject's */
    int64_t office_id;
    struct sj_bail_stats_row row;
};

struct sj_bail_stats {
    int64_t from_ms, to_ms, as_of_ms;
    struct sj_bail_stats_row total;
    struct sj_bail_stats_group *offices; /* in the order given */
    size_t office_count;
    struct sj_bail_stats_group *subjects; /* by office, then id */
    size_t subject_count;
};

#define SJ_BAIL_STATS_RANGE_MAX_MS (400LL * 86400000)

/* Statistics of the subjects of offices[0..office_count) over [from_ms, to_ms) as of as_of_ms
 * (docs/API.md "Statistics"): slots due are the subjects' slots starting in the range that
 * ended by as_of_ms and began after the subject was registered; on time when a check-in that
 * was not rejected has its fix time inside (late uploads counted apart); alerts raised in the
 * range by kind; time from raising to acknowledging (mean, p90). SJ_EINVAL for an empty or
 * too wide range (> SJ_BAIL_STATS_RANGE_MAX_MS), SJ_EDB. Release with sj_bail_stats_release. */
int sj_bail_stats_compute(struct sj_store *store, const int64_t *offices, size_t office_count,
                          int64_t from_ms, int64_t to_ms, int64_t as_of_ms,
                          struct sj_bail_stats *out, struct sj_err *err);
void sj_bail_stats_release(struct sj_bail_stats *stats);

/* Fills row's ack_* from durations[0..count) (sorted in place). */
void sj_bail_stats_ack(int64_t *durations, size_t count, struct sj_bail_stats_row *row);

#endif
