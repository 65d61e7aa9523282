/*
 * import.c - the import pipeline: hash the file (SHA-256, streamed), open a reader, and for
 * each selected sheet buffer the first rows to find the header and each column's kind, then
 * stream every row through sj_norm into the store in one transaction. Past the rows read
 * ahead, a second thread reads and normalises batches of rows while the caller's thread
 * writes them to the store, in file order (see "The reading thread" below). Progress
 * (opts->progress) is reported from the storing side, at most every PROGRESS_INTERVAL; when
 * several sheets are imported, each gets an equal share of the file's bytes, in turn.
 *
 * Invariants: a sheet's rows are either imported or rejected with a reason, so rows_read =
 * rows_imported + rows_rejected always; rows above the header (titles, notes) are not data
 * and are not counted. Memory is bounded by the buffered rows and batches, never the file.
 * A failure while reading rolls the sheet back: nothing half-imported stays behind.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/ingest_int.h"

#define BUFFER_ROWS 60                     /* rows read ahead to find the header and sniff kinds */
#define REJECT_RAW_MAX (64 * 1024)         /* a rejected row's text is kept up to this size */
#define AHEAD_MAX_BYTES ((size_t)16 << 20) /* ... unless they hold more text than this */
#define SHEET_EMPTY 2                      /* run_sheet: the sheet has no rows at all */
#define PIPE_BATCHES 3                     /* batches between the reading and storing threads */
#define BATCH_ROWS 256                     /* rows in a batch ... */
#define BATCH_BYTES ((size_t)1 << 20)      /* ... or fewer once its cells hold this much text */
#define BATCH_BYTES_MAX (2 * SJ_BUF_DEFAULT_CAP) /* a safety cap: BATCH_BYTES + one row */

#define PROGRESS_INTERVAL 0.1 /* seconds between progress calls, at least */

/* Progress over a whole file (all its sheets), reported through opts->progress. */
struct progress {
    const struct sj_import_opts *opts;
    uint64_t bytes_total, bytes_done, rows;
    uint64_t rows_done;   /* rows read from the sheets finished so far */
    size_t sheet, sheets; /* the sheet being imported (0-based among those picked), how many */
    double last;          /* when progress was last called */
    bool is_called;
};

/* A row read ahead, copied into the sheet's arena. */
struct ahead_row {
    struct sj_reader_row row;
    struct sj_str *cells;
};

struct sheet {
    struct sj_store *store;
    struct sj_reader *reader;
    const struct sj_import_opts *opts;
    const struct sj_ingest_mapping *mapping;
    const struct sj_import_source *source;
    const char *dataset;
    struct sj_arena arena;
    struct ahead_row *ahead; /* BUFFER_ROWS, arena */
    size_t ahead_count;
    bool is_ended;        /* the reader reached the end while reading ahead */
    bool is_utf8_checked; /* the reader hands out valid UTF-8 only (csv.c decodes it) */
    const struct sj_reader_row *header;
    struct sj_column_def *columns; /* names owned by the arena */
    size_t column_count;
    struct sj_import *imp;
    struct sj_norm_result *results;
    struct sj_import_cell *cells;
    struct sj_buf text; /* a rejected row, and scratch for reasons */
    int64_t rows_read;
    struct progress *progress;
    uint64_t rows_before; /* rows read from earlier sheets of the file */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Builds the name normaliser's one-time table (OpenCC's traditional-to-simplified dictionary
 * and the bitmap over it, a few tens of milliseconds) on a thread of its own while the file
 * is hashed; whoever normalises a name first would otherwise wait for it. */
static void *warm_norm(void *arg)
{
    (void)arg;
    struct sj_norm_result *r = sj_xmalloc(sizeof *r);
    sj_norm(SJ_KIND_NAME, sj_str_from_cstr("\xE5\xBC\xB5\xE4\xB8\x89"), r); /* 張三 */
    free(r);
    return NULL;
}

/* ---- Names --------------------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The default dataset name: the file's base name without its last extension, with
 * "_<sheet>" appended when every sheet of a workbook is imported. Owned by the caller. */
static char *derive_dataset_name(const char *path, const char *sheet, bool all_sheets)
{
    const char *base = base_name(path);
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    struct sj_buf name;
    sj_buf_init(&name, 0);
    sj_buf_append(&name, base, len);
    if (all_sheets && sheet && sheet[0]) {
        sj_buf_putc(&name, '_');
        sj_buf_append_cstr(&name, sheet);
    }
    size_t out_len;
    char *out = sj_buf_detach(&name, &out_len);
    return out ? out : sj_xstrdup("");
}

/* A column name from a header cell: line breaks inside the cell dropped (a wrapped
 * "交易\n金额" is 交易金额), other control characters made spaces, trimmed. */
static char *clean_name(struct sj_arena *arena, struct sj_str cell)
{
    char *name = sj_arena_strndup(arena, cell.ptr, cell.len);
    size_t len = 0;
    for (size_t i = 0; i < cell.len; i++) {
        unsigned char ch = (unsigned char)cell.ptr[i];
        if (ch == '\r' || ch == '\n')
            continue;
        name[len++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
    }
    struct sj_str t = sj_str_trim(sj_str_make(name, len));
    memmove(name, t.ptr, t.len);
    name[t.len] = '\0';
    return name;
}

static bool name_taken(const struct sj_column_def *cols, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(cols[i].name, name) == 0)
            return true;
    }
    return false;
}

/* Names column i (0-based) of cols[0..i]: its header, or 列N when blank (a merged or empty
 * header cell); a name already used gets _2, _3, ... */
static void name_column(struct sj_arena *arena, struct sj_column_def *cols, size_t i,
                        struct sj_str header_cell)
{
    char *name = clean_name(arena, header_cell);
    if (!name[0])
        name = sj_arena_sprintf(arena, "列%zu", i + 1);
    char *unique = name;
    for (int n = 2; name_taken(cols, i, unique); n++)
        unique = sj_arena_sprintf(arena, "%s_%d", name, n);
    cols[i].name = unique;
}

/* ---- Reading ahead ------------------------------------------------------------------------- */

static void keep_row(struct sheet *s, const struct sj_reader_row *row)
{
    struct ahead_row *a = &s->ahead[s->ahead_count++];
    a->row = *row;
    a->cells =
        sj_arena_alloc(&s->arena, (row->cell_count ? row->cell_count : 1) * sizeof *a->cells);
    for (size_t i = 0; i < row->cell_count; i++) {
        const char *src = row->cells[i].len > 0 ? row->cells[i].ptr : "";
        char *copy = sj_arena_strndup(&s->arena, src, row->cells[i].len);
        a->cells[i] = sj_str_make(copy, row->cells[i].len);
    }
    a->row.cells = a->cells;
}

static int read_ahead(struct sheet *s, struct sj_err *err)
{
    s->ahead = sj_arena_alloc(&s->arena, BUFFER_ROWS * sizeof *s->ahead);
    while (s->ahead_count < BUFFER_ROWS && s->arena.bytes_used < AHEAD_MAX_BYTES) {
        struct sj_reader_row row;
        int rc = sj_reader_next(s->reader, &row, err);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            s->is_ended = true;
            break;
        }
        keep_row(s, &row);
    }
    return 0;
}

/* 1 + the index of the last non-blank cell. */
static size_t filled_width(const struct sj_reader_row *row)
{
    size_t w = row->cell_count;
    while (w > 0 && sj_str_trim(row->cells[w - 1]).len == 0)
        w--;
    return w;
}

/* ---- Columns ------------------------------------------------------------------------------- */

/* The header's width, widened to cover columns the header leaves blank but most data rows
 * fill (an unnamed column is still a column). */
static size_t column_count(const struct sheet *s, size_t first_data)
{
    size_t width = filled_width(s->header);
    size_t data_rows = s->ahead_count - first_data;
    for (size_t j = width; data_rows > 0; j++) {
        size_t filled = 0, reaching = 0;
        for (size_t r = first_data; r < s->ahead_count; r++) {
            const struct sj_reader_row *row = &s->ahead[r].row;
            filled += j < row->cell_count && sj_str_trim(row->cells[j]).len > 0;
            reaching += filled_width(row) > j;
        }
        if (reaching == 0)
            break;
        if (filled * 2 > data_rows)
            width = j + 1;
    }
    return width;
}

static enum sj_kind column_kind(struct sheet *s, size_t j, size_t first_data,
                                struct sj_str header_cell)
{
    enum sj_kind kind;
    if (sj_ingest_mapping_find(s->mapping, s->columns[j].name, &kind))
        return kind;
    struct sj_str samples[BUFFER_ROWS];
    size_t n = 0;
    for (size_t r = first_data; r < s->ahead_count; r++) {
        const struct sj_reader_row *row = &s->ahead[r].row;
        if (filled_width(row) > s->column_count || row->has_bad_bytes)
            continue; /* it will be rejected: its cells may be shifted */
        samples[n++] = j < row->cell_count ? row->cells[j] : sj_str_make("", 0);
    }
    return sj_ingest_sniff_kind(sj_ingest_kind_of_header(header_cell), samples, n);
}

/* Finds the header among the rows read ahead and names and types the columns. Returns the
 * index of the first data row. */
static size_t setup_columns(struct sheet *s)
{
    struct sj_reader_row rows[BUFFER_ROWS];
    for (size_t i = 0; i < s->ahead_count; i++)
        rows[i] = s->ahead[i].row;
    size_t h = sj_ingest_find_header(rows, s->ahead_count);
    s->header = &s->ahead[h].row;
    size_t first_data = h + 1;
    s->column_count = column_count(s, first_data);
    s->columns = sj_arena_alloc(&s->arena, s->column_count * sizeof *s->columns);
    for (size_t j = 0; j < s->column_count; j++) {
        struct sj_str cell = j < s->header->cell_count ? s->header->cells[j] : sj_str_make("", 0);
        name_column(&s->arena, s->columns, j, cell);
        s->columns[j].kind = column_kind(s, j, first_data, cell);
    }
    return first_data;
}

/* ---- Rows ---------------------------------------------------------------------------------- */

static bool has_byte(struct sj_str s, int ch)
{
    return s.len > 0 && memchr(s.ptr, ch, s.len) != NULL;
}

/* The row as one CSV line (quoted where needed) in text (capped at its max_len). */
static struct sj_str row_text(struct sj_buf *text, const struct sj_reader_row *row)
{
    sj_buf_reset(text);
    for (size_t i = 0; i < row->cell_count; i++) {
        struct sj_str c = row->cells[i];
        bool quote = has_byte(c, ',') || has_byte(c, '"') || has_byte(c, '\n') || has_byte(c, '\r');
        int rc = i > 0 ? sj_buf_putc(text, ',') : 0;
        if (rc == 0 && quote)
            rc = sj_buf_putc(text, '"');
        for (size_t k = 0; rc == 0 && k < c.len; k++)
            rc = c.ptr[k] == '"' ? sj_buf_append(text, "\"\"", 2) : sj_buf_putc(text, c.ptr[k]);
        if (rc == 0 && quote)
            rc = sj_buf_putc(text, '"');
        if (rc < 0)
            break;
    }
    return sj_buf_str(text);
}

static int reject(struct sheet *s, const struct sj_reader_row *row, size_t column,
                  const char *reason, struct sj_err *err)
{
    const char *field = column > 0 && column <= s->column_count ? s->columns[column - 1].name : "";
    struct sj_str raw =
        column > 0 && column <= row->cell_count ? row->cells[column - 1] : row_text(&s->text, row);
    return sj_import_reject_row(s->imp, row->source_row, (int)column, field, raw, reason, err);
}

static bool is_header_again(const struct sheet *s, const struct sj_reader_row *row)
{
    size_t w = filled_width(s->header);
    if (filled_width(row) != w)
        return false;
    for (size_t i = 0; i < w; i++) {
        if (!sj_str_eq(sj_str_trim(row->cells[i]), sj_str_trim(s->header->cells[i])))
            return false;
    }
    return true;
}

/* Why the row cannot be imported (a Chinese reason written into buf), or NULL when it can;
 * *column gets the 1-based column at fault, 0 for the whole row. */
static const char *row_problem(struct sheet *s, const struct sj_reader_row *row, size_t *column,
                               char *buf, size_t size)
{
    *column = 0;
    if (row->has_bad_bytes) {
        snprintf(buf, size, "第 %lld 字节起的内容不是有效的 %s 编码（已显示为 \xEF\xBF\xBD）",
                 (long long)row->bad_offset, sj_reader_encoding(s->reader));
        return buf;
    }
    for (size_t i = 0; i < row->cell_count; i++) {
        size_t bad;
        *column = i + 1;
        if (!s->is_utf8_checked && !sj_utf8_is_valid(row->cells[i], &bad)) {
            snprintf(buf, size, "不是有效的 UTF-8 文本（单元格第 %zu 字节）", bad + 1);
            return buf;
        }
        if (has_byte(row->cells[i], '\0'))
            return "含有 NUL 字符";
    }
    *column = 0;
    size_t width = filled_width(row);
    if (width > s->column_count) {
        snprintf(buf, size, "该行有 %zu 个单元格，多于表头的 %zu 列", width, s->column_count);
        return buf;
    }
    if (is_header_again(s, row))
        return "重复的表头行";
    return NULL;
}

static int import_row(struct sheet *s, const struct sj_reader_row *row, struct sj_err *err)
{
    char buf[256];
    size_t column;
    s->rows_read++;
    const char *problem = row_problem(s, row, &column, buf, sizeof buf);
    if (problem)
        return reject(s, row, column, problem, err);
    for (size_t j = 0; j < s->column_count; j++) {
        struct sj_str raw = j < row->cell_count ? row->cells[j] : sj_str_make("", 0);
        enum sj_kind kind = s->columns[j].kind;
        s->cells[j].raw = raw;
        s->cells[j].norm = NULL;
        if (kind != SJ_KIND_TEXT && sj_str_trim(raw).len > 0) {
            sj_norm(kind, raw, &s->results[j]);
            s->cells[j].norm = &s->results[j];
        }
    }
    return sj_import_add_row(s->imp, row->source_row, s->cells, err);
}

/* The bytes of the whole file that bytes_read of the current sheet stands for: the sheets
 * picked share the file equally, in turn (a reader's bytes_read starts again at each sheet). */
static uint64_t file_share(const struct progress *pg, uint64_t bytes_read)
{
    if (pg->sheets <= 1 || pg->bytes_total == 0)
        return bytes_read;
    double total = (double)pg->bytes_total;
    double part = bytes_read < pg->bytes_total ? (double)bytes_read / total : 1.0;
    return (uint64_t)(((double)pg->sheet + part) / (double)pg->sheets * total);
}

/* Calls opts->progress with the sheet's rows and bytes_done (which never goes back), unless
 * it was called less than PROGRESS_INTERVAL ago. */
static void report(struct sheet *s, uint64_t bytes_done)
{
    struct progress *pg = s->progress;
    if (!pg->opts->progress)
        return;
    double t = now_seconds();
    if (pg->is_called && t - pg->last < PROGRESS_INTERVAL)
        return;
    bytes_done = file_share(pg, bytes_done);
    /* bytes_total is for the last call alone, which says the file is done. */
    uint64_t cap = pg->bytes_total > 0 ? pg->bytes_total - 1 : 0;
    if (bytes_done > pg->bytes_done)
        pg->bytes_done = bytes_done < cap ? bytes_done : cap;
    uint64_t rows = s->rows_before + (uint64_t)s->rows_read;
    if (rows > pg->rows)
        pg->rows = rows;
    pg->opts->progress(pg->opts->progress_ctx, pg->bytes_done, pg->bytes_total, pg->rows);
    pg->last = t;
    pg->is_called = true;
}

/* ---- The reading thread --------------------------------------------------------------------
 * Rows after the read-ahead go through two threads: this one reads, checks and normalises
 * rows into batches; the importing thread (the caller's) writes the batches to the store,
 * in order. Only the importing thread touches the store and only the reading thread the
 * reader, until it is joined. At most PIPE_BATCHES batches exist, each at most BATCH_ROWS
 * rows and, past BATCH_BYTES of cell text, one more row: memory stays bounded by rows. */

enum prepared_norm { NORM_NONE, NORM_VALID, NORM_INVALID };

/* A cell as the store needs it, compact: its normalisation is kept as the value (or, when
 * invalid, the reason) in bytes and the number, not as a whole struct sj_norm_result, so a
 * batch stays small and hot in the CPU's caches on both sides. */
struct prepared_cell {
    size_t off, len; /* raw text at batch->bytes.data + off */
    size_t norm_off; /* value or reason, NUL-terminated, at bytes.data + norm_off */
    size_t norm_len;
    int64_t number; /* the result's number (amount in fen, integer) */
    enum prepared_norm norm;
};

struct prepared_row {
    int64_t source_row;
    size_t reject_column;          /* 1-based column at fault, 0 for the whole row */
    size_t reason_off;             /* reason (NUL-terminated) in bytes; SIZE_MAX: import it */
    size_t reject_off, reject_len; /* raw value recorded with a rejected row */
};

struct batch {
    size_t count;
    struct prepared_row rows[BATCH_ROWS];
    struct prepared_cell *cells; /* BATCH_ROWS * column_count */
    struct sj_buf bytes;
    bool is_last;
    uint64_t bytes_read; /* sj_reader_bytes_read after the batch's last row */
    int rc;              /* with is_last: the reader's error after the rows, or 0 */
    struct sj_err err;
};

struct pipe {
    struct sheet *s;
    struct sj_norm_result result; /* the reading thread's scratch for one normalisation */
    struct sj_buf text;           /* the reading thread's scratch for a rejected row's text */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch batches[PIPE_BATCHES];
    size_t head, full; /* batches[head .. head + full) (mod PIPE_BATCHES) wait for the store */
    bool stop;         /* the importing thread failed: the reading thread stops */
};

static size_t put_bytes(struct batch *b, const char *p, size_t n, bool nul, int *rc)
{
    size_t off = b->bytes.len;
    struct sj_buf *buf = &b->bytes;
    /* The common case without a call: room below both the allocation and the cap. */
    if (*rc == 0 && buf->data && n + 2 <= buf->alloc - buf->len &&
        n + 1 <= buf->max_len - buf->len) {
        if (n > 0)
            memcpy(buf->data + buf->len, p, n);
        buf->len += n;
        if (nul)
            buf->data[buf->len++] = '\0';
        buf->data[buf->len] = '\0';
        return off;
    }
    if (*rc == 0 && n > 0)
        *rc = sj_buf_append(&b->bytes, p, n);
    if (*rc == 0 && nul)
        *rc = sj_buf_putc(&b->bytes, '\0');
    return off;
}

/* Reads one row into the batch: checked, its cells copied and normalised. */
static int prepare_row(struct pipe *p, struct batch *b, const struct sj_reader_row *row)
{
    struct sheet *s = p->s;
    struct prepared_row *pr = &b->rows[b->count];
    char buf[256];
    int rc = 0;
    pr->source_row = row->source_row;
    pr->reason_off = SIZE_MAX;
    const char *problem = row_problem(s, row, &pr->reject_column, buf, sizeof buf);
    if (problem) {
        size_t col = pr->reject_column;
        struct sj_str raw =
            col > 0 && col <= row->cell_count ? row->cells[col - 1] : row_text(&p->text, row);
        pr->reason_off = put_bytes(b, problem, strlen(problem), true, &rc);
        pr->reject_len = raw.len;
        pr->reject_off = put_bytes(b, raw.ptr, raw.len, false, &rc);
        b->count += rc == 0; /* a row that did not fit is not handed on */
        return rc;
    }
    struct prepared_cell *cells = &b->cells[b->count * s->column_count];
    for (size_t j = 0; j < s->column_count; j++) {
        struct sj_str raw = j < row->cell_count ? row->cells[j] : sj_str_make("", 0);
        struct prepared_cell *cell = &cells[j];
        cell->len = raw.len;
        cell->off = put_bytes(b, raw.ptr, raw.len, false, &rc);
        cell->norm = NORM_NONE;
        if (s->columns[j].kind == SJ_KIND_TEXT || sj_str_trim(raw).len == 0)
            continue;
        const struct sj_norm_result *r = &p->result;
        sj_norm(s->columns[j].kind, raw, &p->result);
        cell->norm = r->is_valid ? NORM_VALID : NORM_INVALID;
        cell->number = r->number;
        cell->norm_len = r->is_valid ? r->value_len : strnlen(r->reason, sizeof r->reason - 1);
        cell->norm_off =
            put_bytes(b, r->is_valid ? r->value : r->reason, cell->norm_len, true, &rc);
    }
    b->count += rc == 0;
    return rc;
}

/* memcpy of a short value (most are 8-32 bytes) with overlapping fixed-size moves: for
 * a bounded length gcc inlines memcpy as `rep movsq`, whose start-up cost was a tenth of
 * the storing thread's own time. */
static void copy_short(char *dst, const char *src, size_t len)
{
    if (len >= 16 && len <= 32) {
        memcpy(dst, src, 16);
        memcpy(dst + len - 16, src + len - 16, 16);
    } else if (len >= 8 && len < 16) {
        memcpy(dst, src, 8);
        memcpy(dst + len - 8, src + len - 8, 8);
    } else if (len >= 4 && len < 8) {
        memcpy(dst, src, 4);
        memcpy(dst + len - 4, src + len - 4, 4);
    } else {
        for (size_t i = 0; i < len; i++)
            dst[i] = src[i];
    }
}

/* Rebuilds in *out what the store reads of a normalisation: validity, value, number and
 * reason (store.h, sj_import_add_row); parts are not carried across. */
static const struct sj_norm_result *unpack_norm(enum sj_kind kind, const struct prepared_cell *cell,
                                                const char *bytes, struct sj_norm_result *out)
{
    if (cell->norm == NORM_NONE)
        return NULL;
    bool is_valid = cell->norm == NORM_VALID;
    char *dst = is_valid ? out->value : out->reason;
    size_t cap = is_valid ? sizeof out->value : sizeof out->reason;
    size_t len = cell->norm_len < cap ? cell->norm_len : cap - 1;
    out->kind = kind;
    out->is_valid = is_valid;
    out->value_is_number = kind == SJ_KIND_AMOUNT || kind == SJ_KIND_INTEGER;
    out->number = cell->number;
    out->part_count = 0;
    if (len <= 32)
        copy_short(dst, bytes + cell->norm_off, len);
    else
        memcpy(dst, bytes + cell->norm_off, len);
    dst[len] = '\0';
    out->value_len = is_valid ? len : 0;
    (is_valid ? out->reason : out->value)[0] = '\0';
    return out;
}

/* Fills b with the next rows of the sheet; marks it last at the end or on an error. */
static void fill_batch(struct pipe *p, struct batch *b)
{
    b->count = 0;
    b->rc = 0;
    b->is_last = false;
    sj_err_clear(&b->err);
    sj_buf_reset(&b->bytes);
    while (b->count < BATCH_ROWS && b->bytes.len < BATCH_BYTES) {
        struct sj_reader_row row;
        int rc = sj_reader_next(p->s->reader, &row, &b->err);
        if (rc > 0 && prepare_row(p, b, &row) < 0) {
            sj_err_at(&b->err, p->s->source->file_path, (long)row.source_row, -1, NULL);
            rc = sj_err_set(&b->err, SJ_ETOOBIG, "该行太大，无法导入");
        }
        if (rc <= 0) {
            b->rc = rc;
            b->is_last = true;
            break;
        }
    }
    b->bytes_read = sj_reader_bytes_read(p->s->reader);
}

static void *reading_thread(void *arg)
{
    struct pipe *p = arg;
    for (bool is_last = false; !is_last;) {
        pthread_mutex_lock(&p->mu);
        while (p->full == PIPE_BATCHES && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        bool stop = p->stop;
        struct batch *b = &p->batches[(p->head + p->full) % PIPE_BATCHES];
        pthread_mutex_unlock(&p->mu);
        if (stop)
            break;
        fill_batch(p, b);
        is_last = b->is_last;
        pthread_mutex_lock(&p->mu);
        p->full++;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

/* Writes the rows of b to the store, in order. */
static int store_batch(struct pipe *p, struct batch *b, struct sj_err *err)
{
    struct sheet *s = p->s;
    const char *bytes = b->bytes.data ? b->bytes.data : "";
    int rc = 0;
    for (size_t r = 0; rc == 0 && r < b->count; r++) {
        const struct prepared_row *pr = &b->rows[r];
        s->rows_read++;
        if (pr->reason_off != SIZE_MAX) {
            size_t col = pr->reject_column;
            const char *field = col > 0 && col <= s->column_count ? s->columns[col - 1].name : "";
            rc = sj_import_reject_row(s->imp, pr->source_row, (int)col, field,
                                      sj_str_make(bytes + pr->reject_off, pr->reject_len),
                                      bytes + pr->reason_off, err);
            continue;
        }
        const struct prepared_cell *cells = &b->cells[r * s->column_count];
        for (size_t j = 0; j < s->column_count; j++) {
            s->cells[j].raw = sj_str_make(bytes + cells[j].off, cells[j].len);
            s->cells[j].norm = unpack_norm(s->columns[j].kind, &cells[j], bytes, &s->results[j]);
        }
        rc = sj_import_add_row(s->imp, pr->source_row, s->cells, err);
    }
    if (rc == 0 && b->rc < 0) {
        *err = b->err;
        rc = b->rc;
    }
    return rc;
}

/* The importing side: stores batches as they come until the last one or an error. */
static int store_batches(struct pipe *p, struct sj_err *err)
{
    int rc = 0;
    for (bool is_last = false; rc == 0 && !is_last;) {
        pthread_mutex_lock(&p->mu);
        while (p->full == 0)
            pthread_cond_wait(&p->cv, &p->mu);
        struct batch *b = &p->batches[p->head];
        pthread_mutex_unlock(&p->mu);
        rc = store_batch(p, b, err);
        is_last = b->is_last;
        uint64_t bytes_read = b->bytes_read; /* b is the reading thread's once handed back */
        pthread_mutex_lock(&p->mu);
        p->head = (p->head + 1) % PIPE_BATCHES;
        p->full--;
        p->stop = rc < 0;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (rc == 0)
            report(p->s, bytes_read);
    }
    return rc;
}

static void pipe_init(struct pipe *p, struct sheet *s)
{
    memset(p, 0, sizeof *p);
    p->s = s;
    sj_buf_init(&p->text, REJECT_RAW_MAX);
    for (size_t i = 0; i < PIPE_BATCHES; i++) {
        struct batch *b = &p->batches[i];
        b->cells = sj_xcalloc(BATCH_ROWS * s->column_count, sizeof *b->cells);
        sj_buf_init(&b->bytes, BATCH_BYTES_MAX);
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
}

static void pipe_release(struct pipe *p)
{
    for (size_t i = 0; i < PIPE_BATCHES; i++) {
        free(p->batches[i].cells);
        sj_buf_release(&p->batches[i].bytes);
    }
    sj_buf_release(&p->text);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
}

/* Imports the rest of the sheet through the two threads; falls back to one thread when
 * no thread can be started. Returns 0, a negative error, or 1 for "use one thread". */
static int import_piped(struct sheet *s, struct sj_err *err)
{
    struct pipe *p = sj_xmalloc(sizeof *p);
    pipe_init(p, s);
    pthread_t reader;
    int rc = 1;
    if (pthread_create(&reader, NULL, reading_thread, p) == 0) {
        rc = store_batches(p, err);
        pthread_join(reader, NULL);
    }
    pipe_release(p);
    free(p);
    return rc;
}

/* The rest of the sheet on this thread alone. */
static int import_serial(struct sheet *s, struct sj_err *err)
{
    int rc = 0;
    for (;;) {
        struct sj_reader_row row;
        rc = sj_reader_next(s->reader, &row, err);
        if (rc <= 0)
            break;
        rc = import_row(s, &row, err);
        if (rc < 0)
            break;
        if ((s->rows_read & 255) == 0)
            report(s, sj_reader_bytes_read(s->reader));
    }
    return rc;
}

static int import_rows(struct sheet *s, size_t first_data, struct sj_err *err)
{
    int rc = 0;
    for (size_t r = first_data; rc == 0 && r < s->ahead_count; r++)
        rc = import_row(s, &s->ahead[r].row, err);
    if (rc == 0 && !s->is_ended)
        rc = import_piped(s, err);
    if (rc == 1)
        rc = import_serial(s, err);
    return rc;
}

/* ---- One sheet ----------------------------------------------------------------------------- */

static void release_summary(struct sj_import_summary *s)
{
    free(s->file);
    free(s->sheet);
    free(s->dataset);
    for (size_t j = 0; j < s->column_count; j++)
        free(s->columns[j].name);
    free(s->columns);
    memset(s, 0, sizeof *s);
}

static void fill_summary(const struct sheet *s, const struct sj_import_counts *counts,
                         struct sj_import_summary *sum)
{
    sum->run_id = counts->run_id;
    sum->rows_read = counts->rows_read;
    sum->rows_imported = counts->rows_imported;
    sum->rows_rejected = counts->rows_rejected;
    sum->cells_flagged = counts->cells_flagged;
    sum->column_count = s->column_count;
    sum->columns = sj_xcalloc(s->column_count ? s->column_count : 1, sizeof *sum->columns);
    for (size_t j = 0; j < s->column_count; j++) {
        sum->columns[j].name = sj_xstrdup(s->columns[j].name);
        sum->columns[j].kind = s->columns[j].kind;
    }
}

/* Begins the store's import; SJ_EEXIST (already imported) is an answer, not an error. */
static int begin(struct sheet *s, struct sj_import_summary *sum, struct sj_err *err)
{
    int64_t previous = 0;
    int rc = sj_import_begin(s->store, s->dataset, s->columns, s->column_count, s->source, &s->imp,
                             &previous, err);
    if (rc == SJ_EEXIST) {
        struct sj_import_counts none = {.run_id = previous};
        sum->already_imported = true;
        fill_summary(s, &none, sum);
        sj_err_clear(err);
        return 1;
    }
    if (rc < 0)
        return rc;
    /* When appending, the dataset's kinds win where they differ from this file's guess. */
    for (size_t j = 0; j < s->column_count; j++)
        s->columns[j].kind = sj_import_column_kind(s->imp, j);
    return 0;
}

static int run_sheet(struct sheet *s, struct sj_import_summary *sum, struct sj_err *err)
{
    int rc = read_ahead(s, err);
    if (rc < 0)
        return rc;
    if (s->ahead_count == 0)
        return SHEET_EMPTY;
    size_t first_data = setup_columns(s);
    rc = begin(s, sum, err);
    if (rc != 0)
        return rc > 0 ? 0 : rc;
    s->results = sj_xcalloc(s->column_count, sizeof *s->results);
    s->cells = sj_xcalloc(s->column_count, sizeof *s->cells);
    rc = import_rows(s, first_data, err);
    struct sj_import_counts counts = {0};
    if (rc == 0) {
        rc = sj_import_commit(s->imp, &counts, err);
        s->imp = NULL;
    }
    if (rc == 0)
        fill_summary(s, &counts, sum);
    return rc;
}

static int import_sheet(struct sj_store *store, struct sj_reader *reader, size_t index,
                        struct progress *pg, const struct sj_ingest_mapping *mapping,
                        struct sj_import_source *source, struct sj_import_summary *sum,
                        struct sj_err *err)
{
    const struct sj_import_opts *opts = pg->opts;
    struct sheet s = {.store = store,
                      .reader = reader,
                      .opts = opts,
                      .mapping = mapping,
                      .source = source,
                      .progress = pg,
                      .rows_before = pg->rows_done};
    s.is_utf8_checked = sj_reader_format(reader) == SJ_FORMAT_CSV;
    double started = now_seconds();
    source->sheet = sj_reader_sheet_name(reader, index);
    sum->file = sj_xstrdup(source->file_path);
    sum->sheet = sj_xstrdup(source->sheet);
    sum->dataset = opts->dataset
                       ? sj_xstrdup(opts->dataset)
                       : derive_dataset_name(source->file_path, source->sheet, opts->all_sheets);
    s.dataset = sum->dataset;
    sj_arena_init(&s.arena, 0);
    sj_buf_init(&s.text, REJECT_RAW_MAX);
    int rc = sj_reader_select_sheet(reader, index, err);
    if (rc == 0)
        rc = run_sheet(&s, sum, err);
    if (rc < 0 && err && !err->sheet[0])
        snprintf(err->sheet, sizeof err->sheet, "%s", source->sheet);
    sj_import_abort(s.imp);
    free(s.results);
    free(s.cells);
    sj_buf_release(&s.text);
    sj_arena_release(&s.arena);
    sum->seconds = now_seconds() - started;
    pg->rows_done += (uint64_t)s.rows_read;
    return rc;
}

/* ---- Files --------------------------------------------------------------------------------- */

/* The last progress call, once the file is done: unless every sheet was imported before. */
static void report_end(struct progress *pg, const struct sj_import_summary *sums, size_t count)
{
    bool is_new = false;
    for (size_t i = 0; i < count; i++)
        is_new = is_new || !sums[i].already_imported;
    if (!pg->opts->progress || !is_new)
        return;
    if (pg->rows_done > pg->rows)
        pg->rows = pg->rows_done;
    pg->opts->progress(pg->opts->progress_ctx, pg->bytes_total, pg->bytes_total, pg->rows);
}

static const char *format_name(enum sj_format format)
{
    switch (format) {
    case SJ_FORMAT_XLSX:
        return "xlsx";
    case SJ_FORMAT_XLS:
        return "xls";
    default:
        return "csv";
    }
}

/* The sheets to import: *first..*last (inclusive). */
static int pick_sheets(const struct sj_reader *reader, const struct sj_import_opts *opts,
                       size_t *first, size_t *last, struct sj_err *err)
{
    size_t count = sj_reader_sheet_count(reader);
    *first = 0;
    *last = opts->all_sheets && count > 0 ? count - 1 : 0;
    if (!opts->sheet || opts->all_sheets)
        return count > 0 ? 0 : sj_err_set(err, SJ_EFORMAT, "工作簿中没有工作表");
    for (size_t i = 0; i < count; i++) {
        if (strcmp(sj_reader_sheet_name(reader, i), opts->sheet) == 0) {
            *first = *last = i;
            return 0;
        }
    }
    struct sj_buf names;
    sj_buf_init(&names, 1024);
    for (size_t i = 0; i < count; i++)
        sj_buf_appendf(&names, "%s「%s」", i ? "、" : "", sj_reader_sheet_name(reader, i));
    int rc = sj_err_set(err, SJ_ENOTFOUND, "没有名为「%s」的工作表（现有：%s）", opts->sheet,
                        names.len ? sj_buf_cstr(&names) : "无");
    sj_buf_release(&names);
    return rc;
}

static int import_sheets(struct sj_store *store, struct sj_reader *reader, struct progress *pg,
                         const struct sj_ingest_mapping *mapping, struct sj_import_source *source,
                         struct sj_import_summary **summaries, size_t *summary_count,
                         struct sj_err *err)
{
    const struct sj_import_opts *opts = pg->opts;
    size_t first, last;
    int rc = pick_sheets(reader, opts, &first, &last, err);
    if (rc < 0)
        return rc;
    *summaries = sj_xcalloc(last - first + 1, sizeof **summaries);
    pg->sheets = last - first + 1;
    for (size_t i = first; i <= last; i++) {
        struct sj_import_summary *sum = &(*summaries)[*summary_count];
        pg->sheet = i - first;
        rc = import_sheet(store, reader, i, pg, mapping, source, sum, err);
        if (rc == SHEET_EMPTY && !opts->all_sheets) {
            sj_err_at(err, source->file_path, -1, -1, NULL);
            rc = sj_err_set(err, SJ_EFORMAT, "没有任何数据（空文件或空工作表）");
        }
        if (rc != 0) {
            release_summary(sum); /* an empty sheet of a workbook is skipped, not an error */
            if (rc < 0)
                return rc;
            continue;
        }
        (*summary_count)++;
    }
    return 0;
}

int sj_ingest_import_file(struct sj_store *store, const char *path,
                          const struct sj_import_opts *opts, struct sj_import_summary **summaries,
                          size_t *summary_count, struct sj_err *err)
{
    static const struct sj_import_opts defaults = {0};
    struct sj_ingest_mapping *mapping = NULL;
    struct sj_reader *reader = NULL;
    char sha256[65];
    int64_t size = 0;
    *summaries = NULL;
    *summary_count = 0;
    if (!opts)
        opts = &defaults;
    pthread_t warm;
    bool is_warming = pthread_create(&warm, NULL, warm_norm, NULL) == 0;
    int rc = sj_ingest_hash_file(path, sha256, &size, err);
    if (is_warming)
        pthread_join(warm, NULL);
    if (rc == 0 && opts->mapping_path)
        rc = sj_ingest_mapping_load(opts->mapping_path, &mapping, err);
    struct sj_reader_opts ropts = {.encoding = opts->encoding, .delimiter = opts->delimiter};
    if (rc == 0)
        rc = sj_reader_open(path, &ropts, &reader, err);
    if (rc < 0)
        goto out;
    struct sj_import_source source = {
        .file_name = base_name(path),
        .file_path = path,
        .file_size = size,
        .sha256 = sha256,
        .format = format_name(sj_reader_format(reader)),
        .encoding = sj_reader_encoding(reader),
    };
    struct progress pg = {.opts = opts, .bytes_total = (uint64_t)size};
    rc = import_sheets(store, reader, &pg, mapping, &source, summaries, summary_count, err);
    if (rc == 0)
        report_end(&pg, *summaries, *summary_count);
out:
    if (rc < 0 && err && !err->file[0])
        sj_err_at(err, path, -1, -1, NULL);
    sj_reader_close(reader);
    sj_ingest_mapping_free(mapping);
    return rc;
}

void sj_import_summaries_free(struct sj_import_summary *summaries, size_t count)
{
    if (!summaries)
        return;
    for (size_t i = 0; i < count; i++)
        release_summary(&summaries[i]);
    free(summaries);
}
