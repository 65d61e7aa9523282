/*
 * norm.h - normalisation of Chinese identifiers and values (src/norm).
 *
 * One function per semantic kind. Each reads untrusted bytes (a struct sj_str, not
 * NUL-terminated) and fills a struct sj_norm_result: valid or not, the canonical value,
 * the parsed parts, and when invalid a reason a clerk understands, in Chinese
 * ("校验码应为X，实际为3"). No function allocates or keeps state between calls, so they
 * are safe from any thread and fast enough for imports of millions of rows.
 */
#ifndef SHUJIAN_NORM_H
#define SHUJIAN_NORM_H

#include <stdbool.h>
#include <stdint.h>

#include "shujian/core.h"

/* Semantic kinds of a column or value. The names (sj_kind_name) are stable: they appear
 * in model files, the workspace catalog and the API. */
enum sj_kind {
    SJ_KIND_TEXT = 0,     /* "text": free text, kept as is (trimmed) */
    SJ_KIND_IDCARD,       /* "idcard": citizen id number, GB 11643-1999 */
    SJ_KIND_NAME,         /* "name": a person's name */
    SJ_KIND_PHONE,        /* "phone": mobile or landline */
    SJ_KIND_DATE,         /* "date": YYYY-MM-DD */
    SJ_KIND_DATETIME,     /* "datetime": YYYY-MM-DD HH:MM:SS */
    SJ_KIND_AMOUNT,       /* "amount": money, canonical value in fen (1/100 yuan) */
    SJ_KIND_CASENO,       /* "case-no": court case number */
    SJ_KIND_CREDITCODE,   /* "credit-code": unified social credit code, GB 32100-2015 */
    SJ_KIND_ORGCODE,      /* "org-code": organisation code, GB 11714-1997 */
    SJ_KIND_BANKCARD,     /* "bankcard": bank card or account number, Luhn-checked */
    SJ_KIND_PLATE,        /* "plate": vehicle licence plate */
    SJ_KIND_INTEGER,      /* "integer" */
    SJ_KIND_NUMBER,       /* "number": decimal number */
    SJ_KIND_PARTYID,      /* "party-id": id number, credit code or org code (证件号码) */
    SJ_KIND_CODE,         /* "code": a record number (编号): spaces removed, upper-cased */
    SJ_KIND_AUTO,         /* "auto": detect the most likely kind */
    SJ_KIND_COUNT
};

/* Stable English name of a kind ("idcard", "case-no", ...). Static storage. */
const char *sj_kind_name(enum sj_kind kind);
/* Chinese label of a kind for people ("身份证号", "案号", ...). Static storage. */
const char *sj_kind_label(enum sj_kind kind);
/* Parses a kind name (as from sj_kind_name; "caseno", "credit_code" etc. also accepted).
 * Returns 0 and sets *kind, or SJ_EINVAL. */
int sj_kind_parse(const char *name, enum sj_kind *kind);

#define SJ_NORM_VALUE_MAX 256 /* canonical value, bytes including the NUL */
#define SJ_NORM_PART_MAX 96   /* one part's value, bytes including the NUL */
#define SJ_NORM_PARTS_MAX 8
#define SJ_NORM_REASON_MAX 192

/* One parsed part of a value, e.g. {"birth", "1949-12-31"}. */
struct sj_norm_part {
    const char *key;             /* static string, e.g. "birth", "sex", "region_code" */
    char value[SJ_NORM_PART_MAX];
    bool is_number;              /* emit as a JSON number rather than a string */
};

/* The answer for one value. Filled completely by every sj_norm_* function; a caller may
 * reuse one result for many calls without clearing it. */
struct sj_norm_result {
    enum sj_kind kind;                  /* the kind that was applied (detected for auto) */
    bool is_valid;
    char value[SJ_NORM_VALUE_MAX];      /* canonical value, NUL-terminated; "" if invalid */
    size_t value_len;
    bool value_is_number;               /* amount (fen) and integer: emit as JSON number */
    int64_t number;                     /* amount in fen, integer value; 0 otherwise */
    int part_count;
    struct sj_norm_part parts[SJ_NORM_PARTS_MAX];
    char reason[SJ_NORM_REASON_MAX];    /* why it is invalid, Chinese; "" when valid */
};

/* Each function below normalises one value of its kind. in is borrowed and need not be
 * NUL-terminated; out is filled completely. Returns out->is_valid. Leading and trailing
 * white space (ASCII and U+3000) and full-width digits/letters are always accepted. */

/* idcard: 18-digit GB 11643-1999 (ISO 7064 MOD 11-2 check character, lowercase x
 * accepted) or 15-digit legacy numbers (upgraded to 18: century 19 inserted, check added).
 * Checks the birth date exists and is not in the future, and the region code exists in
 * the bundled GB/T 2260 table (codes retired since 1980 included).
 * Parts: birth (YYYY-MM-DD), sex ("M"/"F"), region_code, region_name, and upgraded
 * ("true") for a 15-digit input. */
bool sj_norm_idcard(struct sj_str in, struct sj_norm_result *out);

/* credit-code: 18-character GB 32100-2015 code (check character over the 31-symbol
 * alphabet without I, O, Z, S, V). Parts: registration authority, organisation type,
 * region_code, org_code (the embedded GB 11714 code). */
bool sj_norm_creditcode(struct sj_str in, struct sj_norm_result *out);
/* org-code: 9-character GB 11714-1997 organisation code ("12345678-9" or without dash);
 * canonical form XXXXXXXX-C. */
bool sj_norm_orgcode(struct sj_str in, struct sj_norm_result *out);

/* bankcard: 12-19 digits after removing spaces and dashes, Luhn check.
 * Parts: length. */
bool sj_norm_bankcard(struct sj_str in, struct sj_norm_result *out);

/* phone: mainland mobile (11 digits starting 1[3-9]) with optional +86 / 0086 / 86
 * prefix, spaces and dashes; or a landline with area code (010-12345678, 0755 8888 8888,
 * (020)12345678), optional extension. Value: bare mobile number, or landline as
 * "AREA-NUMBER". Parts: type ("mobile"/"landline"), area_code for landlines. */
bool sj_norm_phone(struct sj_str in, struct sj_norm_result *out);

/* name: NFKC, spaces removed, middle dots of minority names (· • ・ . ． ‧ etc.)
 * unified to U+00B7, traditional characters converted to simplified (OpenCC t2s).
 * Rejects empty names, digits and most punctuation. Parts: original (the input as
 * given), converted ("true" when traditional characters were changed). */
bool sj_norm_name(struct sj_str in, struct sj_norm_result *out);

/* date: 2023-01-02, 2023/1/2, 2023.1.2, 20230102, 2023年1月2日, 二〇二三年一月二日,
 * Excel serial day numbers (1900 date system), optionally followed by a time (ignored).
 * Value YYYY-MM-DD; impossible dates (2023-02-29) rejected. Parts: year, month, day. */
bool sj_norm_date(struct sj_str in, struct sj_norm_result *out);
/* datetime: any date form above followed by a time (12:30, 12:30:45, 12时30分, with
 * optional fraction), ISO 8601 with T, or an Excel serial with a fraction.
 * Value "YYYY-MM-DD HH:MM:SS"; a date alone gives 00:00:00. */
bool sj_norm_datetime(struct sj_str in, struct sj_norm_result *out);

/* amount: 1,234.56 / ¥1234 / 1234元 / 12.5万元 / 1.2亿元 / 人民币壹万贰仟叁佰肆拾伍元陆角柒分 /
 * 伍拾万元整 / negative amounts. Value: integer number of fen (also in out->number); no
 * floating point is used. More than two decimals of yuan is rejected unless a unit
 * (万, 亿) makes it whole fen. */
bool sj_norm_amount(struct sj_str in, struct sj_norm_result *out);

/* case-no: court case numbers like （2023）粤1802民初1234号 with any bracket variant
 * ((), （）, 〔〕, [], 【】, ［］) and full-width digits. Canonical form uses full-width
 * round brackets. Parts: year, court (e.g. 粤1802), type (民初, 刑终, 执恢, ...), seq. */
bool sj_norm_caseno(struct sj_str in, struct sj_norm_result *out);

/* plate: vehicle plates: province abbreviation + letter + 5 characters, or 6 for
 * new-energy plates (8 characters in all); trailer/police/coach suffixes (挂 警 学 港 澳).
 * Canonical form upper-case without separators. Parts: province, type ("new-energy" or
 * "standard", "special"). */
bool sj_norm_plate(struct sj_str in, struct sj_norm_result *out);

/* party-id: the identifier column of exports that list people and organisations together
 * (证件号码): valid as an id number, else as a credit code, else as an org code; the value
 * is that kind's canonical value and the parts are that kind's parts plus type ("idcard",
 * "credit-code" or "org-code"). An invalid value gets the reason of the kind it most looks
 * like. */
bool sj_norm_partyid(struct sj_str in, struct sj_norm_result *out);

/* code: record numbers that are not court case numbers (案件编号, 鉴定书编号, 地块编号):
 * the text kind's form (trimmed, NFKC) without spaces and with ASCII letters upper-cased,
 * so that full-width and half-width spellings of one number compare equal. */
bool sj_norm_code(struct sj_str in, struct sj_norm_result *out);

/* integer and number: plain decimal numbers with optional thousands separators;
 * integer value in out->number. */
bool sj_norm_integer(struct sj_str in, struct sj_norm_result *out);
bool sj_norm_number(struct sj_str in, struct sj_norm_result *out);

/* text: trimmed, NFKC-folded copy. Always valid unless longer than the value limit. */
bool sj_norm_text(struct sj_str in, struct sj_norm_result *out);

/* Normalises in as the given kind (SJ_KIND_AUTO detects). Returns out->is_valid. */
bool sj_norm(enum sj_kind kind, struct sj_str in, struct sj_norm_result *out);

/* auto: the most likely kind of a value, tried in a fixed order of specificity; fills out
 * with the result for that kind (out->kind is the detected kind; SJ_KIND_TEXT when
 * nothing more specific fits). Returns the detected kind. */
enum sj_kind sj_norm_detect(struct sj_str in, struct sj_norm_result *out);

/* "Today" for the not-in-the-future rules. Defaults to the local date at first use;
 * tests and reproducible runs may fix it (environment variable SHUJIAN_TODAY=YYYY-MM-DD
 * is honoured too). Not thread-safe to change while other threads normalise. */
void sj_norm_set_today(int year, int month, int day);
void sj_norm_get_today(int *year, int *month, int *day);

/* ---- Helpers shared by the norm functions (also used by ingest and models) ---------------- */

/* Days since 1970-01-01 for a proleptic Gregorian date; no validation. */
int64_t sj_date_to_days(int year, int month, int day);
/* Inverse of sj_date_to_days. */
void sj_days_to_date(int64_t days, int *year, int *month, int *day);
/* True when the date exists in the Gregorian calendar (year 1..9999). */
bool sj_date_is_valid(int year, int month, int day);

/* Looks up a 6-digit GB/T 2260 region code in the bundled table. Returns the full name
 * ("广东省清远市清城区") in static storage, or NULL when the code is unknown. */
const char *sj_region_name(const char *code6);
/* Source and date of the bundled table, for `shujian version` and the docs. */
const char *sj_region_table_source(void);

/* Masking for display: writes a masked copy of a canonical value of the given kind into
 * out (size bytes): idcard 110101********1234, phone 138****1234, bankcard keeps the
 * first 6 and last 4 digits, name keeps the surname ("张*" / "张**"). Other kinds are
 * copied. Returns the length written, or -1 when it does not fit. */
long sj_norm_mask(enum sj_kind kind, const char *value, char *out, size_t size);

/* Masks the identifiers found in free text (a lead title, an evidence value, a log line),
 * appending the result to out: a run of 15 or 18 digits (or 17 and an X) is masked as an id
 * number, of 12 to 19 digits as a bank card, of 11 digits starting with 1 as a mobile; all
 * else is copied. text is NUL-terminated and borrowed. Returns 0 or SJ_ETOOBIG (out's cap). */
int sj_norm_mask_text(const char *text, struct sj_buf *out);

#endif
