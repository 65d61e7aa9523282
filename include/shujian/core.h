/*
 * core.h - the foundation every shujian module stands on: errors that carry
 * context, memory helpers, (pointer, length) strings, an arena, a growable buffer
 * with a hard cap, UTF-8 decoding and validation, Unicode folding, and logging.
 *
 * Invariants: untrusted bytes travel as struct sj_str views and are never assumed to
 * be NUL-terminated; every growable buffer has a cap and fails cleanly past it;
 * out-of-memory aborts through sj_xmalloc (everything else is recoverable).
 */
#ifndef SHUJIAN_CORE_H
#define SHUJIAN_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define SJ_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define SJ_PRINTF(fmt_index, first_arg)
#endif

#define SJ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Errors ------------------------------------------------------------------------------ */

/* Error codes: functions return 0 on success or one of these (all negative). */
enum sj_errcode {
    SJ_OK = 0,
    SJ_EINVAL = -1,    /* bad argument or malformed input */
    SJ_ENOMEM = -2,    /* a memory cap was reached (SQLite's, Argon2's); malloc failures abort */
    SJ_EIO = -3,       /* a read or write failed */
    SJ_ETOOBIG = -4,   /* a hard cap was reached (buffer, line, body) */
    SJ_EFORMAT = -5,   /* the input is not in the expected format */
    SJ_ENOTFOUND = -6, /* the named thing does not exist */
    SJ_EEXIST = -7,    /* the named thing already exists */
    SJ_EDB = -8,       /* the database reported an error */
    SJ_EPERM = -9,     /* not allowed */
    SJ_EUSAGE = -10,   /* command-line usage error */
};

/* What failed, where and why. Location fields are optional: 0 / "" mean unknown. */
struct sj_err {
    int code;           /* an enum sj_errcode, 0 when no error was recorded */
    char file[256];     /* source file the problem is in */
    char sheet[128];    /* sheet of a workbook */
    long row;           /* 1-based row in the source, 0 when unknown */
    long column;        /* 1-based column, 0 when unknown */
    char field[128];    /* column header or field name */
    char message[512];  /* why, in words a user can act on */
};

/* Clears err (may be NULL) to "no error". */
void sj_err_clear(struct sj_err *err);

/* Records code and a printf-style message in err (may be NULL) and returns code, so a
 * caller can write `return sj_err_set(err, SJ_EINVAL, "...")`. Location fields are kept. */
int sj_err_set(struct sj_err *err, int code, const char *fmt, ...) SJ_PRINTF(3, 4);
int sj_err_vset(struct sj_err *err, int code, const char *fmt, va_list ap);

/* Sets the location of err (may be NULL). file/field may be NULL (left unchanged);
 * row/column < 0 leave the old value. Strings are copied (truncated to fit). */
void sj_err_at(struct sj_err *err, const char *file, long row, long column, const char *field);

/* Formats err as one line: "FILE, sheet S, row R, column C (FIELD): MESSAGE", leaving out
 * the parts that are unknown. Writes at most size bytes (NUL-terminated) into buf and
 * returns buf. */
const char *sj_err_format(const struct sj_err *err, char *buf, size_t size);

/* A short English name of an error code ("invalid argument", ...). Static storage. */
const char *sj_strerror(int code);

/* ---- Memory ------------------------------------------------------------------------------ */

/* Allocation that never returns NULL: on failure it prints a message and aborts.
 * The result is owned by the caller and freed with free(). */
void *sj_xmalloc(size_t size);
void *sj_xcalloc(size_t count, size_t size);
void *sj_xrealloc(void *ptr, size_t size);
char *sj_xstrdup(const char *s);
char *sj_xstrndup(const char *s, size_t len);

/* ---- Strings (pointer, length) ----------------------------------------------------------- */

/* A borrowed view of bytes; not NUL-terminated in general. */
struct sj_str {
    const char *ptr;
    size_t len;
};

#define SJ_STR_LIT(lit) ((struct sj_str){(lit), sizeof(lit) - 1})
#define SJ_STR_FMT "%.*s"
#define SJ_STR_ARG(s) (int)(s).len, (s).ptr

struct sj_str sj_str_make(const char *ptr, size_t len);
/* A view of a NUL-terminated string; s may be NULL (gives the empty view). */
struct sj_str sj_str_from_cstr(const char *s);
bool sj_str_eq(struct sj_str a, struct sj_str b);
bool sj_str_eq_cstr(struct sj_str a, const char *b);
bool sj_str_has_prefix(struct sj_str s, struct sj_str prefix);
bool sj_str_has_suffix(struct sj_str s, struct sj_str suffix);
/* Removes ASCII whitespace (space, tab, CR, LF, VT, FF) from both ends. */
struct sj_str sj_str_trim(struct sj_str s);
/* Sub-view [start, start+len) clamped to s. */
struct sj_str sj_str_slice(struct sj_str s, size_t start, size_t len);
/* Index of the first occurrence of needle in s, or -1. */
long sj_str_find(struct sj_str s, struct sj_str needle);

/* ---- Arena ------------------------------------------------------------------------------- */

/* Bump allocator for per-request and per-batch work: many allocations, one release.
 * Embed it; sj_arena_init/sj_arena_release bracket its life. */
struct sj_arena_block;
struct sj_arena {
    struct sj_arena_block *head; /* current block; older blocks are chained behind it */
    size_t block_size;           /* size of a new block (larger requests get their own) */
    size_t bytes_used;           /* total bytes handed out since init or reset */
};

/* block_size 0 picks 64 KiB. */
void sj_arena_init(struct sj_arena *arena, size_t block_size);
/* Returns size bytes aligned for any type, owned by the arena (never NULL; aborts on OOM). */
void *sj_arena_alloc(struct sj_arena *arena, size_t size);
/* NUL-terminated copy of len bytes, owned by the arena. */
char *sj_arena_strndup(struct sj_arena *arena, const char *s, size_t len);
/* printf into the arena; the result is owned by the arena. */
char *sj_arena_sprintf(struct sj_arena *arena, const char *fmt, ...) SJ_PRINTF(2, 3);
/* Frees everything allocated but keeps the first block for reuse. */
void sj_arena_reset(struct sj_arena *arena);
/* Frees all blocks; the arena may be initialised again. */
void sj_arena_release(struct sj_arena *arena);

/* ---- Growable buffer with a hard cap ----------------------------------------------------- */

#define SJ_BUF_DEFAULT_CAP ((size_t)64 << 20) /* 64 MiB unless told otherwise */

/* Bytes that grow up to max_len. data is always NUL-terminated (when not NULL) so that
 * sj_buf_cstr is cheap. Embed it; sj_buf_init/sj_buf_release bracket its life. */
struct sj_buf {
    char *data;     /* owned; NULL until the first append */
    size_t len;     /* bytes in use, not counting the NUL */
    size_t alloc;   /* bytes allocated */
    size_t max_len; /* hard cap on len */
};

/* max_len 0 picks SJ_BUF_DEFAULT_CAP. */
void sj_buf_init(struct sj_buf *buf, size_t max_len);
void sj_buf_release(struct sj_buf *buf);
/* Empties the buffer, keeping its memory. */
void sj_buf_reset(struct sj_buf *buf);
/* Appends; returns 0, or SJ_ETOOBIG (and appends nothing) when max_len would be passed. */
int sj_buf_append(struct sj_buf *buf, const void *data, size_t len);
int sj_buf_append_str(struct sj_buf *buf, struct sj_str s);
int sj_buf_append_cstr(struct sj_buf *buf, const char *s);
int sj_buf_putc(struct sj_buf *buf, char c);
int sj_buf_appendf(struct sj_buf *buf, const char *fmt, ...) SJ_PRINTF(2, 3);
/* The contents as a NUL-terminated string (borrowed; valid until the next change). */
const char *sj_buf_cstr(const struct sj_buf *buf);
struct sj_str sj_buf_str(const struct sj_buf *buf);
/* Hands the data to the caller (who frees it) and leaves the buffer empty. */
char *sj_buf_detach(struct sj_buf *buf, size_t *len);

/* ---- UTF-8 ------------------------------------------------------------------------------- */

/* Decodes one code point from s[0..len). Returns the number of bytes used (1-4) and
 * stores the code point in *cp, or returns -1 for an invalid or truncated sequence
 * (overlongs, surrogates and values above U+10FFFF are invalid). len 0 returns 0. */
int sj_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Encodes cp into out (at least 4 bytes); returns the byte count, 0 if cp is invalid. */
int sj_utf8_encode(uint32_t cp, char *out);
/* True when s is valid UTF-8; otherwise *bad_offset (may be NULL) gets the offset of the
 * first bad byte. */
bool sj_utf8_is_valid(struct sj_str s, size_t *bad_offset);
/* Appends s to out with every byte that is not part of valid UTF-8 replaced by U+FFFD, so
 * that text can be shown and encoded (JSON) without losing the rest of it. Returns 0 or
 * SJ_ETOOBIG when out's cap is reached. */
int sj_utf8_repair(struct sj_str s, struct sj_buf *out);
/* Number of code points in valid UTF-8 s (invalid bytes count one each). */
size_t sj_utf8_count(struct sj_str s);

/* ---- Folding ----------------------------------------------------------------------------- */

/* Appends the Unicode NFKC form of valid UTF-8 in to out (utf8proc). Returns 0,
 * SJ_EFORMAT when in is not valid UTF-8, or SJ_ETOOBIG when out's cap is reached. */
int sj_fold_nfkc(struct sj_str in, struct sj_buf *out);
/* Appends in with full-width ASCII (U+FF01..U+FF5E) and the ideographic space (U+3000)
 * folded to their ASCII forms; everything else is copied. Fast and allocation-free
 * apart from out. Returns 0 or SJ_ETOOBIG. */
int sj_fold_halfwidth(struct sj_str in, struct sj_buf *out);
/* The same into a fixed array: writes at most size-1 bytes plus a NUL into out and
 * returns the length, or -1 when it does not fit. Invalid UTF-8 is copied byte by byte. */
long sj_fold_halfwidth_to(struct sj_str in, char *out, size_t size);

/* ---- Logging ----------------------------------------------------------------------------- */

enum sj_log_level { SJ_LOG_DEBUG = 0, SJ_LOG_INFO = 1, SJ_LOG_WARN = 2, SJ_LOG_ERROR = 3 };

/* Messages below level are dropped. The default is SJ_LOG_INFO, or the value of the
 * environment variable SHUJIAN_LOG (debug|info|warn|error) read at the first message. */
void sj_log_set_level(enum sj_log_level level);
/* Writes "YYYY-MM-DDTHH:MM:SSZ LEVEL message" to stderr. Thread-safe (one write per line). */
void sj_log(enum sj_log_level level, const char *fmt, ...) SJ_PRINTF(2, 3);

#define SJ_DEBUG(...) sj_log(SJ_LOG_DEBUG, __VA_ARGS__)
#define SJ_INFO(...) sj_log(SJ_LOG_INFO, __VA_ARGS__)
#define SJ_WARN(...) sj_log(SJ_LOG_WARN, __VA_ARGS__)
#define SJ_ERROR(...) sj_log(SJ_LOG_ERROR, __VA_ARGS__)

#endif
