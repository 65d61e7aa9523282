/*
 * csv.c - the text backend (sj_reader_csv): CSV, TSV and TXT tables in UTF-8 (with or
 * without BOM), GB18030/GBK or UTF-16 (BOM, or guessed from NUL bytes), parsed per RFC 4180.
 *
 * Invariants: memory is bounded by one row (a 64 KiB read buffer, a decoded buffer of twice
 * that, and the row's cells, each capped by max_cell, at most max_cells of them); the file
 * is converted to UTF-8 at the edge (glibc iconv), before any delimiter is looked for, so
 * GB18030 trail bytes can never be mistaken for '|' or '"'. Bytes that do not decode become
 * U+FFFD in the cell and flag the row (has_bad_bytes, bad_offset): nothing is dropped quietly.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_int.h"

#define RAW_SIZE ((size_t)64 * 1024) /* bytes read at a time; also the sniffing window */
#define DEC_SIZE (2 * RAW_SIZE + 64) /* decoded UTF-8: at most 1.5x the input, plus slack */
#define BAD_MARK 0xFF                /* never valid in UTF-8: marks an undecodable byte */
#define SNIFF_LINES 50               /* lines looked at to pick the delimiter */
#define DEFAULT_MAX_CELL ((size_t)1 << 20)
#define DEFAULT_MAX_CELLS 4096

enum parse_state { ST_START, ST_UNQUOTED, ST_QUOTED, ST_QUOTE_SEEN };

struct csv {
    FILE *fp;
    char *path;        /* for messages */
    char encoding[32]; /* what is reported: "utf-8", "gb18030", "utf-16le", ... */
    iconv_t cd;        /* (iconv_t)-1 for UTF-8 input, validated by hand */
    size_t bom_len;    /* bytes skipped at the start of the file */
    size_t unit;       /* bytes skipped on an undecodable sequence (2 for UTF-16) */
    char delim;
    size_t max_cell, max_cells;

    unsigned char *raw; /* RAW_SIZE bytes of the file */
    size_t raw_pos, raw_len;
    int64_t raw_off; /* file offset of raw[0] */
    bool eof;
    char *dec; /* DEC_SIZE bytes of decoded UTF-8 */
    size_t dec_pos, dec_len;
    int64_t *bad; /* FIFO: file offsets of the BAD_MARKs still in dec */
    size_t bad_head, bad_len, bad_alloc;

    bool stop_unquoted[256]; /* bytes that end a span outside quotes */
    bool stop_quoted[256];   /* bytes that end a span inside quotes */
    int64_t line;            /* 1-based line number at dec_pos */
    bool pending_lf;         /* the last byte was CR: a following LF belongs to it */

    enum parse_state st; /* the row being parsed */
    int64_t row_line, quote_line;
    size_t cell_start;
    struct sj_buf bytes; /* the row's cells back to back */
    size_t *ends;        /* end offset of each cell in bytes */
    struct sj_str *cells;
    size_t ncells, cells_alloc;
};

/* ---- Reading and decoding ------------------------------------------------------------------ */

static int read_more(struct csv *c, struct sj_err *err)
{
    if (c->raw_pos > 0) {
        memmove(c->raw, c->raw + c->raw_pos, c->raw_len - c->raw_pos);
        c->raw_off += (int64_t)c->raw_pos;
        c->raw_len -= c->raw_pos;
        c->raw_pos = 0;
    }
    while (!c->eof && c->raw_len < RAW_SIZE) {
        size_t n = fread(c->raw + c->raw_len, 1, RAW_SIZE - c->raw_len, c->fp);
        c->raw_len += n;
        if (n == 0) {
            if (ferror(c->fp)) {
                sj_err_at(err, c->path, -1, -1, NULL);
                return sj_err_set(err, SJ_EIO, "读取文件失败：%s", strerror(errno));
            }
            c->eof = true;
        }
    }
    return 0;
}

static void push_bad(struct csv *c, int64_t offset)
{
    if (c->bad_len == 0)
        c->bad_head = 0;
    if (c->bad_head + c->bad_len == c->bad_alloc) {
        if (c->bad_head > 0) {
            memmove(c->bad, c->bad + c->bad_head, c->bad_len * sizeof *c->bad);
            c->bad_head = 0;
        } else {
            c->bad_alloc = c->bad_alloc ? c->bad_alloc * 2 : 64;
            c->bad = sj_xrealloc(c->bad, c->bad_alloc * sizeof *c->bad);
        }
    }
    c->bad[c->bad_head + c->bad_len++] = offset;
    c->dec[c->dec_len++] = (char)BAD_MARK;
}

static int64_t pop_bad(struct csv *c)
{
    if (c->bad_len == 0)
        return -1; /* cannot happen: every mark was pushed with its offset */
    c->bad_len--;
    return c->bad[c->bad_head++];
}

/* Length a UTF-8 sequence starting with b announces, 0 when b cannot start one. */
static size_t utf8_seq_len(unsigned char b)
{
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    return 0;
}

/* True when p[0..n) could still become a valid sequence with more bytes. */
static bool utf8_is_truncated(const unsigned char *p, size_t n)
{
    size_t need = utf8_seq_len(p[0]);
    if (need == 0 || n >= need)
        return false;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return false;
    }
    return true;
}

/* Length of the run of ASCII bytes at p[0..n), 8 bytes at a time. */
static size_t ascii_run(const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ULL)
            break;
    }
    while (i < n && p[i] < 0x80)
        i++;
    return i;
}

/* Length of the longest prefix of p[0..n) made of whole, valid UTF-8 characters. The
 * three-byte sequences of CJK text are checked inline; the rest by sj_utf8_decode. */
static size_t valid_run(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = p[i];
        if (b < 0x80) {
            i += ascii_run(p + i, n - i);
            continue;
        }
        if ((b & 0xF0) == 0xE0 && n - i >= 3 && (p[i + 1] & 0xC0) == 0x80 &&
            (p[i + 2] & 0xC0) == 0x80) {
            uint32_t cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(p[i + 1] & 0x3F) << 6 |
                          (uint32_t)(p[i + 2] & 0x3F);
            if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
                break;
            i += 3;
            continue;
        }
        uint32_t cp;
        int len = sj_utf8_decode((const char *)p + i, n - i, &cp);
        if (len <= 0)
            break;
        i += (size_t)len;
    }
    return i;
}

/* Copies runs of valid UTF-8 from raw to dec in one go each; an undecodable byte becomes
 * a BAD_MARK (with its file offset), a character cut by the end of raw waits for more. */
static void decode_utf8(struct csv *c)
{
    while (c->raw_pos < c->raw_len && c->dec_len + 4 <= DEC_SIZE) {
        const unsigned char *p = c->raw + c->raw_pos;
        size_t left = c->raw_len - c->raw_pos, room = DEC_SIZE - c->dec_len;
        size_t n = valid_run(p, left < room ? left : room);
        if (n > 0) {
            memcpy(c->dec + c->dec_len, p, n);
            c->dec_len += n;
            c->raw_pos += n;
            continue;
        }
        if (!c->eof && utf8_is_truncated(p, left))
            break; /* the rest of the character is in the next read */
        push_bad(c, c->raw_off + (int64_t)c->raw_pos);
        c->raw_pos++;
    }
}

static void decode_iconv(struct csv *c)
{
    while (c->raw_pos < c->raw_len && DEC_SIZE - c->dec_len >= 8) {
        char *in = (char *)c->raw + c->raw_pos;
        size_t in_left = c->raw_len - c->raw_pos;
        char *out = c->dec + c->dec_len;
        size_t out_left = DEC_SIZE - c->dec_len - 1; /* room for a BAD_MARK */
        size_t r = iconv(c->cd, &in, &in_left, &out, &out_left);
        int e = errno;
        c->raw_pos = (size_t)((unsigned char *)in - c->raw);
        c->dec_len = (size_t)(out - c->dec);
        if (r != (size_t)-1 || e == E2BIG)
            break;
        if (e == EINVAL && !c->eof)
            break; /* an incomplete sequence at the end of the buffer: read more */
        /* EILSEQ, or EINVAL at the end of the file: one undecodable unit. */
        push_bad(c, c->raw_off + (int64_t)c->raw_pos);
        size_t skip = c->raw_len - c->raw_pos < c->unit ? c->raw_len - c->raw_pos : c->unit;
        c->raw_pos += skip;
    }
}

/* Decodes more of the file into dec (keeping what is not consumed yet). Returns the number
 * of bytes added, 0 at the end of the file, or a negative error. */
static int fill(struct csv *c, struct sj_err *err)
{
    if (c->dec_pos > 0) {
        memmove(c->dec, c->dec + c->dec_pos, c->dec_len - c->dec_pos);
        c->dec_len -= c->dec_pos;
        c->dec_pos = 0;
    }
    size_t before = c->dec_len;
    for (;;) {
        if (c->cd == (iconv_t)-1)
            decode_utf8(c);
        else
            decode_iconv(c);
        if (c->dec_len > before)
            return (int)(c->dec_len - before);
        if (c->eof || c->dec_len + 8 > DEC_SIZE)
            return 0;
        int rc = read_more(c, err);
        if (rc < 0)
            return rc;
    }
}

/* ---- Encoding ------------------------------------------------------------------------------ */

static bool looks_utf8(const unsigned char *p, size_t n, bool at_eof)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        int len = sj_utf8_decode((const char *)p + i, n - i, &cp);
        if (len <= 0)
            return !at_eof && utf8_is_truncated(p + i, n - i);
        i += (size_t)len;
    }
    return true;
}

/* UTF-16 without a BOM: NUL bytes, all on one parity, in a good share of the pairs. Returns
 * "utf-16le", "utf-16be" or NULL. */
static const char *guess_utf16(const unsigned char *p, size_t n)
{
    size_t even = 0, odd = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        even += p[i] == 0;
        odd += p[i + 1] == 0;
    }
    size_t pairs = n / 2;
    if (pairs < 2)
        return NULL;
    if (even == 0 && odd * 8 >= pairs)
        return "utf-16le";
    if (odd == 0 && even * 8 >= pairs)
        return "utf-16be";
    return NULL;
}

/* Picks the encoding from the BOM or the content of the first read. Sets encoding and
 * bom_len; returns the iconv source name, or NULL for UTF-8. */
static const char *detect_encoding(struct csv *c)
{
    const unsigned char *p = c->raw;
    size_t n = c->raw_len;
    const char *name = NULL;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        c->bom_len = 3;
    } else if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        c->bom_len = 2, name = "utf-16le";
    } else if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        c->bom_len = 2, name = "utf-16be";
    } else if ((name = guess_utf16(p, n)) == NULL && !looks_utf8(p, n, c->eof)) {
        name = "gb18030";
    }
    snprintf(c->encoding, sizeof c->encoding, "%s", name ? name : "utf-8");
    if (!name)
        return NULL;
    return strcmp(name, "gb18030") == 0    ? "GB18030"
           : strcmp(name, "utf-16le") == 0 ? "UTF-16LE"
                                           : "UTF-16BE";
}

/* A forced encoding: known names are spelled the standard way, GBK and GB2312 are read as
 * their superset GB18030, anything else is handed to iconv as given. Returns the iconv name
 * or NULL for UTF-8. */
static const char *forced_encoding(struct csv *c, const char *forced)
{
    char low[32];
    size_t i = 0;
    for (; forced[i] && i < sizeof low - 1; i++)
        low[i] = (char)tolower((unsigned char)forced[i]);
    low[i] = '\0';
    const unsigned char *p = c->raw;
    if (!strcmp(low, "utf-8") || !strcmp(low, "utf8") || !strcmp(low, "utf-8-sig")) {
        snprintf(c->encoding, sizeof c->encoding, "utf-8");
        if (c->raw_len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
            c->bom_len = 3;
        return NULL;
    }
    if (!strcmp(low, "gb18030") || !strcmp(low, "gbk") || !strcmp(low, "gb2312") ||
        !strcmp(low, "cp936")) {
        snprintf(c->encoding, sizeof c->encoding, "gb18030");
        return "GB18030";
    }
    bool le = !strcmp(low, "utf-16le") || !strcmp(low, "utf16le");
    bool be = !strcmp(low, "utf-16be") || !strcmp(low, "utf16be");
    if (!strcmp(low, "utf-16") || !strcmp(low, "utf16")) {
        be = c->raw_len >= 2 && p[0] == 0xFE && p[1] == 0xFF;
        le = !be;
    }
    if (le || be) {
        snprintf(c->encoding, sizeof c->encoding, "%s", le ? "utf-16le" : "utf-16be");
        if (c->raw_len >= 2 && p[0] == (le ? 0xFF : 0xFE) && p[1] == (le ? 0xFE : 0xFF))
            c->bom_len = 2;
        return le ? "UTF-16LE" : "UTF-16BE";
    }
    snprintf(c->encoding, sizeof c->encoding, "%s", low);
    return forced;
}

/* ---- Delimiter ----------------------------------------------------------------------------- */

static const char delim_candidates[] = {',', '\t', ';', '|'};
#define NCAND (sizeof delim_candidates)

/* Counts candidate delimiters outside quotes on each of the first lines of p[0..n). */
static size_t count_delims(const char *p, size_t n, bool complete,
                           unsigned counts[SNIFF_LINES][NCAND])
{
    size_t lines = 0;
    unsigned cur[NCAND] = {0};
    bool in_quotes = false, cell_start = true, content = false;
    for (size_t i = 0; i < n && lines < SNIFF_LINES; i++) {
        char ch = p[i];
        if (in_quotes) {
            if (ch == '"' && i + 1 < n && p[i + 1] == '"')
                i++;
            else if (ch == '"')
                in_quotes = false;
            continue;
        }
        if (ch == '\r' || ch == '\n') {
            if (content)
                memcpy(counts[lines++], cur, sizeof cur);
            memset(cur, 0, sizeof cur);
            cell_start = true, content = false;
            continue;
        }
        const char *hit = memchr(delim_candidates, ch, NCAND);
        if (hit) {
            cur[hit - delim_candidates]++;
            cell_start = true, content = true;
        } else if (ch == '"' && cell_start) {
            in_quotes = true, content = true;
        } else if (ch != ' ') {
            cell_start = false, content = true;
        }
    }
    if (content && (complete || lines == 0) && lines < SNIFF_LINES)
        memcpy(counts[lines++], cur, sizeof cur);
    return lines;
}

/* The candidate found the same non-zero number of times on the most lines wins; ties go to
 * the larger count, then to the order , \t ; |. Falls back to ',' (one column). */
static char sniff_delimiter(const char *p, size_t n, bool complete)
{
    unsigned counts[SNIFF_LINES][NCAND];
    size_t lines = count_delims(p, n, complete, counts);
    size_t best = NCAND, best_score = 0;
    unsigned best_mode = 0;
    for (size_t k = 0; k < NCAND; k++) {
        unsigned mode = 0;
        size_t mode_lines = 0;
        for (size_t a = 0; a < lines; a++) {
            size_t same = 0;
            for (size_t b = 0; b < lines; b++)
                same += counts[b][k] == counts[a][k];
            if (counts[a][k] > 0 &&
                (same > mode_lines || (same == mode_lines && counts[a][k] > mode)))
                mode = counts[a][k], mode_lines = same;
        }
        if (mode_lines > best_score || (mode_lines == best_score && mode > best_mode))
            best = k, best_score = mode_lines, best_mode = mode;
    }
    return best < NCAND ? delim_candidates[best] : ',';
}

/* ---- Rows ---------------------------------------------------------------------------------- */

/* Adds where the row is to an error already set; returns its code. */
static int row_error(struct csv *c, struct sj_err *err, int code)
{
    sj_err_at(err, c->path, (long)c->row_line, (long)c->ncells + 1, NULL);
    return code;
}

static int put(struct csv *c, const char *p, size_t n, struct sj_err *err)
{
    if (c->bytes.len - c->cell_start + n > c->max_cell) {
        if (c->st == ST_QUOTED || c->st == ST_QUOTE_SEEN)
            return row_error(c, err,
                             sj_err_set(err, SJ_ETOOBIG,
                                        "单元格超过 %zu 字节：第 %lld 行开始的引号"
                                        "可能没有闭合",
                                        c->max_cell, (long long)c->quote_line));
        return row_error(c, err, sj_err_set(err, SJ_ETOOBIG, "单元格超过 %zu 字节", c->max_cell));
    }
    if (sj_buf_append(&c->bytes, p, n) < 0)
        return row_error(c, err,
                         sj_err_set(err, SJ_ETOOBIG, "一行超过 %zu 字节", c->bytes.max_len));
    return 0;
}

static int end_cell(struct csv *c, struct sj_err *err)
{
    if (c->ncells == c->max_cells)
        return row_error(c, err,
                         sj_err_set(err, SJ_ETOOBIG, "一行超过 %zu 个单元格", c->max_cells));
    if (c->ncells == c->cells_alloc) {
        c->cells_alloc = c->cells_alloc ? c->cells_alloc * 2 : 32;
        c->ends = sj_xrealloc(c->ends, c->cells_alloc * sizeof *c->ends);
        c->cells = sj_xrealloc(c->cells, c->cells_alloc * sizeof *c->cells);
    }
    c->ends[c->ncells++] = c->bytes.len;
    c->cell_start = c->bytes.len;
    c->st = ST_START;
    return 0;
}

static int put_bad(struct csv *c, struct sj_reader_row *row, struct sj_err *err)
{
    int64_t off = pop_bad(c);
    if (!row->has_bad_bytes) {
        row->has_bad_bytes = true;
        row->bad_offset = off;
    }
    c->dec_pos++;
    return put(c, "\xEF\xBF\xBD", 3, err);
}

/* Consumes the newline byte at dec_pos. */
static void take_newline(struct csv *c)
{
    unsigned char ch = (unsigned char)c->dec[c->dec_pos++];
    c->line++;
    c->pending_lf = ch == '\r';
}

/* Appends the longest run of ordinary bytes at dec_pos. */
static int put_span(struct csv *c, const bool stop[256], struct sj_err *err)
{
    size_t i = c->dec_pos;
    while (i < c->dec_len && !stop[(unsigned char)c->dec[i]])
        i++;
    int rc = put(c, c->dec + c->dec_pos, i - c->dec_pos, err);
    c->dec_pos = i;
    return rc;
}

/* One step outside quotes. Returns 1 when the row ended, 0 to go on, or an error. */
static int step_unquoted(struct csv *c, struct sj_reader_row *row, struct sj_err *err)
{
    int rc = put_span(c, c->stop_unquoted, err);
    if (rc < 0 || c->dec_pos == c->dec_len)
        return rc;
    unsigned char ch = (unsigned char)c->dec[c->dec_pos];
    if (ch == BAD_MARK)
        return put_bad(c, row, err);
    if (ch == (unsigned char)c->delim) {
        c->dec_pos++;
        return end_cell(c, err);
    }
    take_newline(c);
    rc = end_cell(c, err);
    return rc < 0 ? rc : 1;
}

/* One step inside quotes: newlines belong to the cell (CRLF and CR become LF). */
static int step_quoted(struct csv *c, struct sj_reader_row *row, struct sj_err *err)
{
    int rc = put_span(c, c->stop_quoted, err);
    if (rc < 0 || c->dec_pos == c->dec_len)
        return rc;
    unsigned char ch = (unsigned char)c->dec[c->dec_pos];
    if (ch == BAD_MARK)
        return put_bad(c, row, err);
    if (ch == '"') {
        c->dec_pos++;
        c->st = ST_QUOTE_SEEN;
        return 0;
    }
    take_newline(c);
    return put(c, "\n", 1, err);
}

/* After a quote inside a quoted cell: "" is a quote; a delimiter or newline ends the cell;
 * anything else is kept as text after the closing quote, as spreadsheet programs do. */
static int step_quote_seen(struct csv *c, struct sj_err *err)
{
    unsigned char ch = (unsigned char)c->dec[c->dec_pos];
    if (ch == '"') {
        c->dec_pos++;
        c->st = ST_QUOTED;
        return put(c, "\"", 1, err);
    }
    if (ch == (unsigned char)c->delim) {
        c->dec_pos++;
        return end_cell(c, err);
    }
    if (ch == '\r' || ch == '\n') {
        take_newline(c);
        int rc = end_cell(c, err);
        return rc < 0 ? rc : 1;
    }
    c->st = ST_UNQUOTED;
    return 0;
}

static int step(struct csv *c, struct sj_reader_row *row, struct sj_err *err)
{
    unsigned char ch = (unsigned char)c->dec[c->dec_pos];
    switch (c->st) {
    case ST_START:
        if (ch == '"') {
            c->dec_pos++;
            c->st = ST_QUOTED;
            c->quote_line = c->line;
            return 0;
        }
        c->st = ST_UNQUOTED;
        return step_unquoted(c, row, err);
    case ST_UNQUOTED:
        return step_unquoted(c, row, err);
    case ST_QUOTED:
        return step_quoted(c, row, err);
    case ST_QUOTE_SEEN:
        return step_quote_seen(c, err);
    }
    return 0;
}

static void finish_row(struct csv *c, struct sj_reader_row *row)
{
    size_t start = 0;
    for (size_t i = 0; i < c->ncells; i++) {
        c->cells[i] = sj_str_make(c->bytes.data ? c->bytes.data + start : "", c->ends[i] - start);
        start = c->ends[i];
    }
    row->source_row = c->row_line;
    row->cell_count = c->ncells;
    row->cells = c->cells;
}

static int csv_next(void *impl, struct sj_reader_row *row, struct sj_err *err)
{
    struct csv *c = impl;
    sj_buf_reset(&c->bytes);
    c->ncells = 0, c->cell_start = 0, c->st = ST_START;
    bool started = false;
    for (;;) {
        if (c->dec_pos == c->dec_len) {
            int rc = fill(c, err);
            if (rc < 0)
                return rc;
            if (rc == 0)
                break;
        }
        if (c->pending_lf) {
            c->pending_lf = false;
            if (c->dec[c->dec_pos] == '\n') {
                c->dec_pos++;
                continue;
            }
        }
        if (!started)
            started = true, c->row_line = c->line;
        int rc = step(c, row, err);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            finish_row(c, row);
            return 1;
        }
    }
    if (!started)
        return 0;
    if (c->st == ST_QUOTED)
        return row_error(c, err,
                         sj_err_set(err, SJ_EFORMAT, "第 %lld 行开始的引号直到文件结尾都没有闭合",
                                    (long long)c->quote_line));
    int rc = end_cell(c, err);
    if (rc < 0)
        return rc;
    finish_row(c, row);
    return 1;
}

/* ---- Life cycle ---------------------------------------------------------------------------- */

/* Back to the first byte after the BOM. */
static int rewind_file(struct csv *c, struct sj_err *err)
{
    if (fseek(c->fp, 0, SEEK_SET) != 0) {
        sj_err_at(err, c->path, -1, -1, NULL);
        return sj_err_set(err, SJ_EIO, "无法回到文件开头：%s", strerror(errno));
    }
    clearerr(c->fp);
    c->raw_pos = c->raw_len = 0, c->raw_off = 0, c->eof = false;
    c->dec_pos = c->dec_len = 0, c->bad_len = 0, c->bad_head = 0;
    c->line = 1, c->pending_lf = false;
    if (c->cd != (iconv_t)-1)
        iconv(c->cd, NULL, NULL, NULL, NULL);
    int rc = read_more(c, err);
    if (rc == 0)
        c->raw_pos = c->bom_len <= c->raw_len ? c->bom_len : c->raw_len;
    return rc;
}

static void set_stops(struct csv *c)
{
    memset(c->stop_unquoted, 0, sizeof c->stop_unquoted);
    memset(c->stop_quoted, 0, sizeof c->stop_quoted);
    c->stop_unquoted[(unsigned char)c->delim] = true;
    c->stop_unquoted['\r'] = c->stop_unquoted['\n'] = c->stop_unquoted[BAD_MARK] = true;
    c->stop_quoted['"'] = true;
    c->stop_quoted['\r'] = c->stop_quoted['\n'] = c->stop_quoted[BAD_MARK] = true;
}

static void csv_close(void *impl)
{
    struct csv *c = impl;
    if (!c)
        return;
    if (c->fp)
        fclose(c->fp);
    if (c->cd != (iconv_t)-1)
        iconv_close(c->cd);
    sj_buf_release(&c->bytes);
    free(c->path);
    free(c->raw);
    free(c->dec);
    free(c->bad);
    free(c->ends);
    free(c->cells);
    free(c);
}

static int setup_decoder(struct csv *c, const struct sj_reader_opts *opts, struct sj_err *err)
{
    const char *forced = opts ? opts->encoding : NULL;
    const char *from = forced && *forced ? forced_encoding(c, forced) : detect_encoding(c);
    if (from) {
        c->cd = iconv_open("UTF-8", from);
        if (c->cd == (iconv_t)-1) {
            sj_err_at(err, c->path, -1, -1, NULL);
            return sj_err_set(err, SJ_EINVAL, "不支持的编码「%s」", forced ? forced : from);
        }
        c->unit = strncmp(c->encoding, "utf-16", 6) == 0 ? 2 : 1;
    }
    c->raw_pos = c->bom_len <= c->raw_len ? c->bom_len : c->raw_len;
    int rc = fill(c, err);
    if (rc < 0)
        return rc;
    c->delim =
        opts && opts->delimiter ? opts->delimiter : sniff_delimiter(c->dec, c->dec_len, c->eof);
    set_stops(c);
    return 0;
}

static int csv_open(const char *path, const struct sj_reader_opts *opts, void **impl,
                    struct sj_err *err)
{
    struct csv *c = sj_xcalloc(1, sizeof *c);
    int rc = 0;
    c->cd = (iconv_t)-1;
    c->unit = 1;
    c->line = 1;
    c->path = sj_xstrdup(path);
    c->max_cell = opts && opts->max_cell ? opts->max_cell : DEFAULT_MAX_CELL;
    c->max_cells = opts && opts->max_cells ? opts->max_cells : DEFAULT_MAX_CELLS;
    c->raw = sj_xmalloc(RAW_SIZE);
    c->dec = sj_xmalloc(DEC_SIZE);
    sj_buf_init(&c->bytes, 0);
    c->fp = fopen(path, "rb");
    if (!c->fp) {
        int e = errno;
        sj_err_at(err, path, -1, -1, NULL);
        rc = sj_err_set(err, e == ENOENT ? SJ_ENOTFOUND : SJ_EIO, "无法打开文件：%s", strerror(e));
        goto out;
    }
    rc = read_more(c, err);
    if (rc == 0)
        rc = setup_decoder(c, opts, err);
out:
    if (rc < 0) {
        csv_close(c);
        c = NULL;
    }
    *impl = c;
    return rc;
}

static const char *csv_encoding(void *impl)
{
    return ((struct csv *)impl)->encoding;
}

static size_t csv_sheet_count(void *impl)
{
    return 1;
}

static const char *csv_sheet_name(void *impl, size_t index)
{
    return index == 0 ? "" : NULL;
}

static int csv_select_sheet(void *impl, size_t index, struct sj_err *err)
{
    struct csv *c = impl;
    if (index != 0)
        return sj_err_set(err, SJ_ENOTFOUND, "文本文件只有一个工作表");
    return rewind_file(c, err);
}

static uint64_t csv_bytes_read(void *impl)
{
    const struct csv *c = impl;
    return (uint64_t)c->raw_off + c->raw_pos;
}

const struct sj_reader_backend sj_reader_csv = {
    .name = "csv",
    .open = csv_open,
    .close = csv_close,
    .encoding = csv_encoding,
    .sheet_count = csv_sheet_count,
    .sheet_name = csv_sheet_name,
    .select_sheet = csv_select_sheet,
    .next = csv_next,
    .bytes_read = csv_bytes_read,
};
