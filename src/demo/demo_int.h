/*
 * demo_int.h - internal to src/demo. The generator is built from five layers:
 *   rng.c     a seeded PRNG (xoshiro256**) and keyed bijections on [0, n)
 *   world.c   people and companies as pure functions of (seed, index): names, id numbers,
 *             credit codes, cards and phones are unique by construction (bijections)
 *   dirt.c    the row builder: formats a value the way messy exports do (dates, amounts,
 *             full-width digits, 15-digit ids ...) and records the canonical value
 *   sink.c    file writers (CSV in UTF-8 / UTF-8 with BOM / GB18030, XLSX) and the mixer
 *             that streams background rows and slots the planted rows in between
 *   gen_*.c   one file per domain: plant the cases of a model, then stream the background
 * Invariant: planted rows live in plan->planted (memory O(planted)); background rows are
 * built in a per-row arena and written at once.
 */
#ifndef SHUJIAN_DEMO_INT_H
#define SHUJIAN_DEMO_INT_H

#include <iconv.h>
#include <stdio.h>
#include <xlsxwriter.h>

#include "shujian/demo.h"

/* ---- rng.c ------------------------------------------------------------------------------ */

struct demo_rng {
    uint64_t s[4];
};

/* Seeds a stream: different (seed, stream) pairs give unrelated sequences. */
void demo_rng_init(struct demo_rng *rng, uint64_t seed, uint64_t stream);
uint64_t demo_rng_next(struct demo_rng *rng);
/* Uniform in [0, n); n > 0. */
uint64_t demo_rng_below(struct demo_rng *rng, uint64_t n);
/* Uniform in [lo, hi]; lo <= hi. */
int64_t demo_rng_between(struct demo_rng *rng, int64_t lo, int64_t hi);
/* True with probability permille / 1000. */
bool demo_rng_chance(struct demo_rng *rng, unsigned permille);
/* A stateless mix of two words (splitmix64 finalizer). */
uint64_t demo_hash(uint64_t a, uint64_t b);

#define DEMO_PICK(rng, array) ((array)[demo_rng_below((rng), SJ_ARRAY_LEN(array))])

/* A keyed bijection on [0, n) (multiply/xorshift rounds on the next power of two, cycle
 * walking back into range). */
struct demo_perm {
    uint64_t n, mask;
    unsigned shift;
    uint64_t add[4], mul[4];
};
void demo_perm_init(struct demo_perm *perm, uint64_t n, uint64_t seed, uint64_t stream);
/* x < n; returns a value < n, distinct for distinct x. */
uint64_t demo_perm_map(const struct demo_perm *perm, uint64_t x);

/* ---- world.c: dates, places, people, companies ---------------------------------------- */

#define DEMO_DAY(y, m, d) sj_date_to_days((y), (m), (d))
/* Every event of the demo world falls in [DEMO_FIRST_DAY, DEMO_LAST_DAY]; follow-ups
 * (transfers, inspections) may run to DEMO_END_DAY. */
#define DEMO_FIRST_DAY DEMO_DAY(2021, 1, 1)
#define DEMO_LAST_DAY DEMO_DAY(2024, 6, 30)
#define DEMO_END_DAY DEMO_DAY(2024, 12, 31)

struct demo_region {
    const char *code; /* GB/T 2260 */
    const char *name; /* 清城区 */
    const char *city; /* 广东省清远市 */
    bool is_local;    /* in 清远 */
};
extern const struct demo_region demo_regions[];
extern const size_t demo_region_count;
extern const size_t demo_local_region_count; /* the local ones come first */

struct demo_person {
    uint64_t idx;
    char name[64]; /* canonical (sj_norm_name form) */
    bool is_female;
    int region;     /* index into demo_regions (of the id number) */
    int64_t birth;  /* days since 1970-01-01 */
    char id[19];    /* canonical 18-character id number */
    char phone[12]; /* 11-digit mobile */
    char card[20];  /* bank card, Luhn-valid */
};

/* Requirements for a person taken from the world. */
struct demo_want {
    char sex;         /* 'M', 'F' or 0 for either */
    int64_t born_min; /* inclusive bounds, days */
    int64_t born_max;
    bool check_x;  /* the id number ends in X */
    bool minority; /* a transcribed minority name with a middle dot */
};
struct demo_want demo_want_any(void);
/* Born 1955..2002: an adult during the whole demo period. */
struct demo_want demo_want_adult(void);

enum demo_company_kind { DEMO_CO_TRADE = 0, DEMO_CO_LAND, DEMO_CO_SHOP };

struct demo_company {
    uint64_t idx;
    char name[128];
    char code[19];    /* canonical credit code */
    char account[24]; /* corporate account (19 digits, Luhn-valid) */
    int region;
};

struct demo_world {
    uint64_t seed;
    struct demo_perm name_perm, id_perm, phone_perm, card_perm;
    struct demo_perm co_name_perm, org_num_perm, org_ma_perm, firm_perm;
    uint64_t name_space, co_name_space;
    uint64_t next_person, next_company;
    bool is_exhausted; /* more people or companies were asked for than exist */
};

void demo_world_init(struct demo_world *w, uint64_t seed);
/* Everything about person idx; a pure function of (seed, idx). */
void demo_person_get(const struct demo_world *w, uint64_t idx, struct demo_person *p);
bool demo_person_fits(const struct demo_person *p, const struct demo_want *want);
/* Takes the next person nobody has used that fits want. Returns its index. */
uint64_t demo_person_take(struct demo_world *w, const struct demo_want *want,
                          struct demo_person *p);
/* A home address in 清远 for p (region of residence may differ from the id's). */
void demo_person_address(const struct demo_world *w, const struct demo_person *p, char *out,
                         size_t size);
/* Takes a new company (a shop also takes a new person as its owner). */
void demo_company_take(struct demo_world *w, enum demo_company_kind kind, struct demo_company *c);
/* Name of law firm j (j < 1000), unique. */
void demo_firm_name(const struct demo_world *w, uint64_t j, char *out, size_t size);
/* The years a day falls in, the day's parts. */
int demo_year(int64_t day);

/* ---- dirt.c: the row builder -------------------------------------------------------------- */

#define DEMO_COLS_MAX 12

enum demo_cell_type { DEMO_CELL_TEXT = 0, DEMO_CELL_NUMBER, DEMO_CELL_DATE, DEMO_CELL_DATETIME };

struct demo_cell {
    uint8_t type;      /* enum demo_cell_type: how a workbook stores it */
    const char *text;  /* as written; arena or static storage */
    const char *canon; /* canonical value, NULL for a broken cell (or when not tracked) */
    double number;     /* numbers, and Excel serial days for date cells */
};

struct demo_row {
    size_t count;
    bool is_bad;     /* broken on purpose */
    bool joins_prev; /* belongs to the same planted item as the row before (a suit) */
    struct demo_cell cells[DEMO_COLS_MAX];
};

/* Dirt applied to one value: DIRT_AUTO picks harmless dirt at the builder's rate (or none);
 * the others force one kind (ignored when it does not apply to the value). Every dirt here
 * is undone by the documented normalisation; broken values are made by demo_rb_bad_*. */
enum demo_dirt {
    DIRT_AUTO = -1,
    DIRT_NONE = 0,
    DIRT_SPACE,     /* leading/trailing white space (ASCII or U+3000) */
    DIRT_FULLWIDTH, /* full-width digits and letters */
    DIRT_LOWER_X,   /* id number ending in x */
    DIRT_LEGACY15,  /* 15-digit id number (people born 19xx) */
    DIRT_INNER,     /* a space inside a name, spaces inside a card or phone */
    DIRT_DOT,       /* another middle dot in a minority name */
    DIRT_BRACKETS   /* other brackets in a case number */
};

enum demo_date_style {
    DATE_AUTO = -1,
    DATE_ISO = 0, /* 2023-01-02 */
    DATE_SLASH,   /* 2023/1/2 */
    DATE_CN,      /* 2023年1月2日 */
    DATE_COMPACT, /* 20230102 */
    DATE_CELL,    /* a workbook date cell (only in xlsx) */
    DATE_STYLES
};

enum demo_amount_style {
    AMOUNT_AUTO = -1,
    AMOUNT_PLAIN = 0, /* 1234.00 */
    AMOUNT_COMMA,     /* 1,234.00 */
    AMOUNT_WAN,       /* 12.5万 (whole hundreds of yuan only) */
    AMOUNT_WAN_YUAN,  /* 12.5万元 */
    AMOUNT_CAPITAL,   /* 人民币壹万贰仟元整 (whole yuan only) */
    AMOUNT_YUAN,      /* 1234元 (whole yuan only) */
    AMOUNT_NUMBER,    /* a workbook number cell; plain text in CSV */
    AMOUNT_STYLES
};

struct demo_rb {
    struct demo_row *row;
    struct sj_arena *arena;
    struct demo_rng *rng;
    bool is_xlsx;
    bool want_canon; /* fill canon of every cell (an observer is watching) */
    int date_style;  /* the file's usual date style */
    unsigned dirt;   /* permille of AUTO values given harmless dirt */
};

void demo_rb_start(struct demo_rb *rb, struct demo_row *row);
/* Free text (copied); canonical is the trimmed NFKC text. */
void demo_rb_text(struct demo_rb *rb, const char *text);
void demo_rb_textf(struct demo_rb *rb, const char *fmt, ...) SJ_PRINTF(2, 3);
void demo_rb_empty(struct demo_rb *rb);
/* A text key (case number of the police, plot number, appraisal number): dirt is white
 * space or full-width digits; canonical is trimmed NFKC. */
void demo_rb_key(struct demo_rb *rb, const char *canonical, int dirt);
void demo_rb_name(struct demo_rb *rb, const char *name, int dirt);
void demo_rb_idcard(struct demo_rb *rb, const char *id18, int dirt);
void demo_rb_code(struct demo_rb *rb, const char *code, int dirt);
void demo_rb_card(struct demo_rb *rb, const char *card, int dirt);
void demo_rb_phone(struct demo_rb *rb, const char *phone, int dirt);
/* A court case number in canonical form （2023）粤1802民初1234号. */
void demo_rb_caseno(struct demo_rb *rb, const char *canonical, int dirt);
void demo_rb_date(struct demo_rb *rb, int64_t day, int style);
/* secs: seconds since midnight. */
void demo_rb_datetime(struct demo_rb *rb, int64_t day, int secs, int style);
void demo_rb_amount(struct demo_rb *rb, int64_t fen, int style);
void demo_rb_integer(struct demo_rb *rb, long v);
/* Broken cells: they mark the row bad. */
void demo_rb_bad_idcard(struct demo_rb *rb, const char *id18);
void demo_rb_bad_code(struct demo_rb *rb, const char *code);
void demo_rb_bad_card(struct demo_rb *rb, const char *card);
void demo_rb_bad_date(struct demo_rb *rb, int year);
/* Any other broken value, written as given. */
void demo_rb_bad_text(struct demo_rb *rb, const char *text);
/* Appends a cell beyond the header's width ("备注"-like text) and marks the row bad. */
void demo_rb_extra_cell(struct demo_rb *rb);

/* Canonical strings for planted subjects (arena). */
char *demo_canon_key(struct sj_arena *arena, const char *text);
/* Formats a canonical court case number. */
char *demo_caseno(struct sj_arena *arena, int year, const char *court, const char *type, long seq);
/* 人民币...元整 for whole yuan (yuan > 0) into out. */
void demo_amount_capital(int64_t yuan, char *out, size_t size);

/* ---- sink.c: writers and the mixer ------------------------------------------------------ */

enum demo_format { DEMO_CSV_UTF8 = 0, DEMO_CSV_BOM, DEMO_CSV_GB18030, DEMO_XLSX };

struct demo_file_spec {
    const char *name;
    enum demo_format format;
    bool crlf;
    const char *sheet; /* sheet name of a workbook */
    const char *title; /* a title row above the header, or NULL */
    bool quote_all;    /* CSV: every field in double quotes */
    int date_style;    /* the usual date style of the file */
    size_t cols;
    const char *headers[DEMO_COLS_MAX];
    enum sj_kind kinds[DEMO_COLS_MAX];
};

struct demo_sink {
    const struct demo_file_spec *spec;
    const struct sj_demo_opts *opts;
    char *path;
    FILE *fp;
    iconv_t cd;
    struct sj_buf line;
    char *conv; /* GB18030 output of one line */
    size_t conv_alloc;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *fmt_date, *fmt_datetime, *fmt_title;
    uint32_t xrow;
    long rows;
    int rc; /* first error, sticky */
    bool is_open;
};

int demo_sink_open(struct demo_sink *sink, const char *dir, const struct demo_file_spec *spec,
                   const struct sj_demo_opts *opts, struct sj_err *err);
void demo_sink_row(struct demo_sink *sink, const struct demo_row *row);
/* Closes (and for workbooks, writes) the file. Returns the first error of the sink. */
int demo_sink_close(struct demo_sink *sink, struct sj_err *err);

/* Planted rows of one file, copied in; their strings live in the plan's arena. */
struct demo_list {
    struct demo_row *rows;
    size_t count, alloc;
};
void demo_list_push(struct demo_list *list, const struct demo_row *row);
void demo_list_free(struct demo_list *list);

/* Writes one background item (one or more rows) with index i (0-based). */
typedef void (*demo_bg_fn)(void *ctx, long i);

/* Streams `background` background items and the planted items of a list into a sink, each
 * planted item (rows chained by joins_prev) at a random slot of its own stretch. */
struct demo_mix {
    struct demo_sink *sink;
    const struct demo_list *planted;
    demo_bg_fn bg;
    void *ctx;
    size_t *first; /* first row of each planted item, in the order they are written */
    size_t *slot;  /* ascending slot of each planted item */
    size_t items, total, pos, next;
    long bg_done;
};
void demo_mix_init(struct demo_mix *mix, struct demo_sink *sink, const struct demo_list *planted,
                   long background, struct demo_rng *rng, demo_bg_fn bg, void *ctx);
void demo_mix_step(struct demo_mix *mix);
bool demo_mix_done(const struct demo_mix *mix);
/* Advances until done/of of the items are written (keeps a secondary file in step). */
void demo_mix_follow(struct demo_mix *mix, size_t done, size_t of);
void demo_mix_release(struct demo_mix *mix);

/* A few background indices that get a broken row. */
struct demo_bad {
    long at[4];
    int count;
};
void demo_bad_pick(struct demo_bad *bad, struct demo_rng *rng, long background, int count);
/* Which broken row (0..count-1) index i is, or -1. */
int demo_bad_which(const struct demo_bad *bad, long i);

/* ---- demo.c: the plan shared by the domains ------------------------------------------------ */

enum demo_file_id {
    DEMO_F_ENFORCEMENT = 0,
    DEMO_F_CASE_SYSTEM,
    DEMO_F_JUDGMENTS,
    DEMO_F_BANK_A,
    DEMO_F_BANK_B,
    DEMO_F_APPRAISALS,
    DEMO_F_DISPOSALS,
    DEMO_F_VICTIMS,
    DEMO_F_LAND_PENALTIES,
    DEMO_F_LAND_INSPECTIONS,
    DEMO_F_BAIL,
    DEMO_F_CALLS,
    DEMO_F_COUNT
};

enum demo_model_id {
    DEMO_M_TAX = 0,
    DEMO_M_LITIGATION,
    DEMO_M_APPRAISAL,
    DEMO_M_AID,
    DEMO_M_LAND,
    DEMO_M_TAX_LAND,
    DEMO_M_COUNT
};

extern const struct demo_file_spec demo_files[DEMO_F_COUNT];

struct demo_subjects {
    char **items; /* arena strings */
    size_t count, alloc;
};

#define DEMO_RING_MAX 6
#define DEMO_POOL_PROSECUTORS 24
#define DEMO_POOL_POLICE 40
#define DEMO_POOL_AGENTS 24

/* One planted fake-litigation ring, remembered for the call records. */
struct demo_ring {
    uint64_t lawyer, decoy_lawyer;
    uint64_t members[DEMO_RING_MAX];
    uint64_t decoys[DEMO_RING_MAX];
    size_t member_count, decoy_count;
    int64_t first_day, last_day;
};

/* Companies shared by the tax and land plantings of one group. */
struct demo_shared {
    struct demo_company both[2];   /* leads of both models (the composite's leads) */
    struct demo_company tax_only;  /* tax lead, land decoy */
    struct demo_company land_only; /* land lead, tax decoy */
};

struct demo_plan {
    struct demo_world world;
    struct sj_arena arena;
    const struct sj_demo_opts *opts;
    const char *dir;
    struct sj_err *err;
    int rc; /* first error */
    int scale, groups;
    struct demo_list planted[DEMO_F_COUNT];
    struct demo_subjects answers[DEMO_M_COUNT];
    struct demo_sink sinks[DEMO_F_COUNT];
    struct demo_ring *rings;    /* groups */
    struct demo_shared *shared; /* groups */
    uint64_t prosecutors[DEMO_POOL_PROSECUTORS], police[DEMO_POOL_POLICE];
    uint64_t agents[DEMO_POOL_AGENTS];
    uint64_t *lawyers; /* background lawyers */
    size_t lawyer_count;
    uint64_t court_first, court_end; /* people taken by the judgments background */
    uint64_t bank_first, bank_end;
    uint64_t bail_first, bail_end;
    long seq; /* shared counter for document numbers */
};

/* Opens the sink of file f (an error is kept in plan->rc / plan->err). */
struct demo_sink *demo_plan_open(struct demo_plan *plan, enum demo_file_id f);
void demo_plan_close(struct demo_plan *plan, enum demo_file_id f);
/* A row builder for planted rows of file f (plan arena, given rng). */
void demo_plan_rb(struct demo_plan *plan, enum demo_file_id f, struct demo_rng *rng,
                  struct demo_rb *rb, struct demo_row *row);
/* The same for background rows (arena reset by the caller per item). */
void demo_bg_rb(struct demo_plan *plan, enum demo_file_id f, struct demo_rng *rng,
                struct sj_arena *arena, struct demo_rb *rb, struct demo_row *row);
void demo_plan_add(struct demo_plan *plan, enum demo_file_id f, const struct demo_row *row);
/* Records a lead subject (copied). */
void demo_plan_answer(struct demo_plan *plan, enum demo_model_id m, const char *subject);
/* A person from the pool of background people [first, end) that fits want. */
uint64_t demo_plan_reuse(struct demo_plan *plan, struct demo_rng *rng, uint64_t first, uint64_t end,
                         const struct demo_want *want, struct demo_person *p);
const char *demo_plan_prosecutor(struct demo_plan *plan, struct demo_rng *rng, char *buf,
                                 size_t size);
const char *demo_plan_police(struct demo_plan *plan, struct demo_rng *rng, char *buf, size_t size);
/* Background rows per scale unit times the scale. */
long demo_plan_count(const struct demo_plan *plan, long per_scale);

/* ---- the domains (gen_*.c): plant, then stream ---------------------------------------------- */

void demo_tax_plant(struct demo_plan *plan, int group, struct demo_rng *rng);
void demo_tax_write(struct demo_plan *plan);
void demo_land_plant(struct demo_plan *plan, int group, struct demo_rng *rng);
void demo_land_write(struct demo_plan *plan);
void demo_court_plant(struct demo_plan *plan, int group, struct demo_rng *rng);
void demo_court_write(struct demo_plan *plan);
void demo_bank_write(struct demo_plan *plan);
/* Fills one bank statement row (layout B when layout_b) seen from self's account: out is
 * money leaving self; other_name / other_card may be "" (cash, fees). bad: -1, or 0 a bad
 * card number, 1 an impossible date, 2 an extra cell. */
void demo_bank_row(struct demo_rb *rb, bool layout_b, int64_t day, int secs, const char *self_name,
                   int name_dirt, const char *self_card, const char *other_name,
                   const char *other_card, bool is_out, int64_t fen, const char *memo, int bad);
void demo_calls_write(struct demo_plan *plan);
void demo_appraisal_plant(struct demo_plan *plan, int group, struct demo_rng *rng);
void demo_appraisal_write(struct demo_plan *plan);
void demo_victims_plant(struct demo_plan *plan, int group, struct demo_rng *rng);
void demo_victims_write(struct demo_plan *plan);
void demo_bail_write(struct demo_plan *plan);

#endif
