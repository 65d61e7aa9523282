/*
 * demo.h - the synthetic demo world (src/demo). `shujian demo-data DIR` writes realistic
 * but fully invented source files for every built-in model (enforcement cases, the case
 * system, judgments, bank statements, appraisals, victims, land penalties, bail subjects,
 * call records), with planted leads and decoys, plus DIR/answers.json (model id -> sorted
 * list of lead subjects) and DIR/README.txt. docs/DEMO-DATA.md is the specification of
 * every file, rule, parameter, planted case and decoy; the models are written from it.
 *
 * Determinism: the same (seed, scale) gives the same bytes on every machine; nothing reads
 * the clock, the environment or rand(). Memory is bounded by the planted cases (which grow
 * with log2(scale)), never by the row count: background rows are streamed to disk.
 */
#ifndef SHUJIAN_DEMO_H
#define SHUJIAN_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/norm.h"

#define SJ_DEMO_SCALE_MAX 1000 /* --scale 1000 writes about 4.5 million rows */
#define SJ_DEMO_DEFAULT_SEED 20240701u
#define SJ_DEMO_FILES_MAX 16

/* One cell as shown to an observer. */
struct sj_demo_cell {
    const char *text;      /* the cell as written, UTF-8 (GB18030 files are re-encoded
                              after this); "" when empty; a date cell of a workbook is
                              shown as YYYY-MM-DD[ HH:MM:SS] */
    const char *canonical; /* what a model sees after normalising the column as its kind
                              (idcard: 18 characters, upper-case X; date: YYYY-MM-DD;
                              datetime: YYYY-MM-DD HH:MM:SS; amount: integer fen;
                              name: sj_norm_name form; text: trimmed NFKC); "" when the
                              cell is empty; NULL for the broken cell of a bad row */
    enum sj_kind kind;     /* the column's semantic kind; SJ_KIND_TEXT for free text */
};

/* Called for the header (row 0) and then every data row (row 1, 2, ...) of every file, in
 * the order written. file is the file's base name ("victims.xlsx"); is_bad marks the few
 * rows broken on purpose (bad check digit, impossible date, an extra cell). cells and
 * their strings are borrowed for the duration of the call. */
typedef void (*sj_demo_observe_fn)(void *ctx, const char *file, long row, bool is_bad,
                                   const struct sj_demo_cell *cells, size_t count);

struct sj_demo_opts {
    uint64_t seed;              /* any value; SJ_DEMO_DEFAULT_SEED is what the CLI uses */
    int scale;                  /* 1..SJ_DEMO_SCALE_MAX; 1 writes about 4,500 rows in all */
    sj_demo_observe_fn observe; /* may be NULL; slows generation down when set */
    void *observe_ctx;
};

struct sj_demo_file_stat {
    const char *name; /* static storage */
    long rows;        /* data rows, without title and header rows */
};

struct sj_demo_stats {
    size_t file_count;
    struct sj_demo_file_stat files[SJ_DEMO_FILES_MAX];
    long total_rows;
};

/* Writes the demo world into dir (created when missing, one level; existing files of the
 * same names are overwritten): the source files, answers.json and README.txt. stats may
 * be NULL. Returns 0, SJ_EINVAL for a bad scale, or SJ_EIO with err naming the file that
 * could not be written. On failure some files may be left half written. */
int sj_demo_generate(const char *dir, const struct sj_demo_opts *opts, struct sj_demo_stats *stats,
                     struct sj_err *err);

/* The model ids of answers.json, in its order ("tax-not-transferred", ...). i < count;
 * static storage. */
size_t sj_demo_model_count(void);
const char *sj_demo_model_id(size_t i);

/* Check characters the generator computes (also used by tests). Each returns the check
 * character, or '\0' when the input is not of the expected form.
 * idcard: first17 is 17 digits; ISO 7064 MOD 11-2, "10X98765432"[sum % 11].
 * orgcode: first8 is 8 characters of 0-9A-Z; GB 11714: 11 - sum % 11, 10 -> X, 11 -> 0.
 * creditcode: first17 is 17 characters of the GB 32100 alphabet (0-9 and A-Y without I, O,
 * S, V, Z); check (31 - sum % 31) % 31 over that alphabet.
 * luhn: len digits (the number without its check digit). */
char sj_demo_idcard_check(const char *first17);
char sj_demo_orgcode_check(const char *first8);
char sj_demo_creditcode_check(const char *first17);
char sj_demo_luhn_check(const char *digits, size_t len);

/* ---- Bail supervision history (src/demo/bail_*.c, `shujian demo-bail`) ------------------------
 *
 * Simulates supervision of invented people on bail over the last `days` days of a workspace
 * that has offices, prosecutor/police users and a ledger: registration, fences, schedules,
 * phones, check-ins, position trails, spot checks, leave requests, alerts and their handling,
 * the duty roster and daily sign-offs. Everything goes through the operations of
 * shujian/bail_ops.h on a simulated clock, so every change is in the ledger. The same
 * (seed, subjects, days, end_ms, offices and users) gives the same bail tables, apart from the
 * hashes of enrolment codes and device tokens (random by design). Face results come from a
 * simulated verifier (named "demo"); no photos exist. */

struct sj_store;
struct sj_ledger;

#define SJ_DEMO_BAIL_SUBJECTS_MAX 5000
#define SJ_DEMO_BAIL_DAYS_MAX 90
#define SJ_DEMO_BAIL_OFFICES_MAX 16

struct sj_demo_bail_opts {
    uint64_t seed;
    int subjects;  /* 1..SJ_DEMO_BAIL_SUBJECTS_MAX */
    int days;      /* 1..SJ_DEMO_BAIL_DAYS_MAX local days, the last one ending at end_ms */
    int64_t end_ms; /* the simulated "now" at the end (ms since the epoch); see
                       sj_demo_bail_default_end */
    size_t office_count; /* 0: every office with a prosecutor user */
    const char *offices[SJ_DEMO_BAIL_OFFICES_MAX]; /* office codes (borrowed) */
};

struct sj_demo_bail_stats {
    long subjects, devices, schedules, fences, checkins, positions, spots, leaves;
    long leaves_by_status[3]; /* submitted, approved, rejected */
    long alerts, alerts_by_status[3]; /* open, acknowledged, resolved */
    long alerts_by_kind[16];          /* by enum sj_bail_alert_kind */
    long escalated, roster_shifts, signoffs, ops;
};

/* The default end of the simulated history: 16:00 China time of SHUJIAN_TODAY when that is
 * set (reproducible runs and tests), otherwise the current time. */
int64_t sj_demo_bail_default_end(void);

/* Runs the simulation into the workspace (store with its ledger open on it). The bail tables
 * should be empty: subjects already there are left alone, but the new ones may then clash
 * (same id number and case number: SJ_EEXIST). stats may be NULL. Errors: SJ_EINVAL (opts,
 * or no office with a prosecutor), SJ_ENOTFOUND (an office code), or the first failing
 * operation's error with err saying which. */
int sj_demo_bail_generate(struct sj_store *store, struct sj_ledger *ledger,
                          const struct sj_demo_bail_opts *opts, struct sj_demo_bail_stats *stats,
                          struct sj_err *err);

#endif
