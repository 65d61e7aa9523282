/*
 * sink.c - writing the demo files: CSV (UTF-8, UTF-8 with BOM, GB18030 through iconv) and
 * XLSX (libxlsxwriter in constant-memory mode, rows streamed to a temporary file), and the
 * mixer that streams background rows with the planted rows slotted in between.
 * Invariants: a sink's first error is sticky and reported by demo_sink_close, so writers
 * need not check every row; workbooks carry a fixed creation time so the bytes depend only
 * on the seed; memory does not grow with the number of rows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#define CSV_LINE_MAX ((size_t)1 << 20)
#define FIXED_CREATED 1719792000 /* 2024-07-01T00:00:00Z: workbook metadata, for equal bytes */

static void observe(struct demo_sink *sink, long row, const struct demo_row *r)
{
    struct sj_demo_cell cells[DEMO_COLS_MAX];
    size_t n = r->count;
    for (size_t i = 0; i < n; i++) {
        cells[i].text = r->cells[i].text;
        cells[i].canonical = r->cells[i].canon;
        cells[i].kind = i < sink->spec->cols ? sink->spec->kinds[i] : SJ_KIND_TEXT;
    }
    sink->opts->observe(sink->opts->observe_ctx, sink->spec->name, row, r->is_bad, cells, n);
}

static void csv_field(struct sj_buf *line, const char *text, bool quote_all)
{
    bool quote = quote_all || strpbrk(text, ",\"\r\n") != NULL;
    if (!quote) {
        sj_buf_append_cstr(line, text);
        return;
    }
    sj_buf_putc(line, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            sj_buf_putc(line, '"');
        sj_buf_putc(line, *p);
    }
    sj_buf_putc(line, '"');
}

static void csv_write_line(struct demo_sink *sink)
{
    struct sj_buf *line = &sink->line;
    sj_buf_append_cstr(line, sink->spec->crlf ? "\r\n" : "\n");
    const char *out = line->data;
    size_t len = line->len;
    if (sink->spec->format == DEMO_CSV_GB18030) {
        if (sink->conv_alloc < len * 4 + 1) {
            sink->conv_alloc = len * 4 + 1;
            sink->conv = sj_xrealloc(sink->conv, sink->conv_alloc);
        }
        char *in = line->data, *o = sink->conv;
        size_t in_left = len, out_left = sink->conv_alloc;
        if (iconv(sink->cd, &in, &in_left, &o, &out_left) == (size_t)-1) {
            if (!sink->rc)
                sink->rc = SJ_EFORMAT;
            return;
        }
        out = sink->conv;
        len = (size_t)(o - sink->conv);
    }
    if (fwrite(out, 1, len, sink->fp) != len && !sink->rc)
        sink->rc = SJ_EIO;
}

static void csv_row(struct demo_sink *sink, const struct demo_row *row)
{
    sj_buf_reset(&sink->line);
    for (size_t i = 0; i < row->count; i++) {
        if (i)
            sj_buf_putc(&sink->line, ',');
        csv_field(&sink->line, row->cells[i].text, sink->spec->quote_all);
    }
    csv_write_line(sink);
}

static void xlsx_check(struct demo_sink *sink, lxw_error e)
{
    if (e != LXW_NO_ERROR && !sink->rc)
        sink->rc = SJ_EIO;
}

static void xlsx_row(struct demo_sink *sink, const struct demo_row *row)
{
    for (size_t i = 0; i < row->count; i++) {
        const struct demo_cell *c = &row->cells[i];
        lxw_col_t col = (lxw_col_t)i;
        switch (c->type) {
        case DEMO_CELL_NUMBER:
            xlsx_check(sink, worksheet_write_number(sink->ws, sink->xrow, col, c->number, NULL));
            break;
        case DEMO_CELL_DATE:
            xlsx_check(
                sink, worksheet_write_number(sink->ws, sink->xrow, col, c->number, sink->fmt_date));
            break;
        case DEMO_CELL_DATETIME:
            xlsx_check(sink, worksheet_write_number(sink->ws, sink->xrow, col, c->number,
                                                    sink->fmt_datetime));
            break;
        default:
            if (c->text[0])
                xlsx_check(sink, worksheet_write_string(sink->ws, sink->xrow, col, c->text, NULL));
            break;
        }
    }
    sink->xrow++;
}

void demo_sink_row(struct demo_sink *sink, const struct demo_row *row)
{
    if (!sink->is_open || sink->rc)
        return;
    if (sink->spec->format == DEMO_XLSX)
        xlsx_row(sink, row);
    else
        csv_row(sink, row);
    sink->rows++;
    if (sink->opts->observe)
        observe(sink, sink->rows, row);
}

/* The header (and title) row as a demo_row of static strings. */
static void header_row(const struct demo_file_spec *spec, struct demo_row *row)
{
    row->count = spec->cols;
    row->is_bad = false;
    row->joins_prev = false;
    for (size_t i = 0; i < spec->cols; i++)
        row->cells[i] = (struct demo_cell){DEMO_CELL_TEXT, spec->headers[i], spec->headers[i], 0};
}

static int open_xlsx(struct demo_sink *sink)
{
    lxw_workbook_options options = {
        .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
    lxw_doc_properties props = {0};
    props.created = FIXED_CREATED;
    sink->wb = workbook_new_opt(sink->path, &options);
    if (!sink->wb)
        return SJ_EIO;
    workbook_set_properties(sink->wb, &props);
    sink->ws = workbook_add_worksheet(sink->wb, sink->spec->sheet);
    sink->fmt_date = workbook_add_format(sink->wb);
    format_set_num_format(sink->fmt_date, "yyyy-mm-dd");
    sink->fmt_datetime = workbook_add_format(sink->wb);
    format_set_num_format(sink->fmt_datetime, "yyyy-mm-dd hh:mm:ss");
    sink->fmt_title = workbook_add_format(sink->wb);
    format_set_bold(sink->fmt_title);
    format_set_align(sink->fmt_title, LXW_ALIGN_CENTER);
    format_set_font_size(sink->fmt_title, 16);
    if (!sink->ws)
        return SJ_EIO;
    if (sink->spec->title) {
        xlsx_check(sink, worksheet_merge_range(sink->ws, 0, 0, 0, (lxw_col_t)(sink->spec->cols - 1),
                                               sink->spec->title, sink->fmt_title));
        sink->xrow = 1;
    }
    return 0;
}

static int open_csv(struct demo_sink *sink)
{
    sink->fp = fopen(sink->path, "wb");
    if (!sink->fp)
        return SJ_EIO;
    setvbuf(sink->fp, NULL, _IOFBF, 1 << 20);
    if (sink->spec->format == DEMO_CSV_GB18030) {
        sink->cd = iconv_open("GB18030", "UTF-8");
        if (sink->cd == (iconv_t)-1)
            return SJ_EFORMAT;
    }
    if (sink->spec->format == DEMO_CSV_BOM)
        fwrite("\xEF\xBB\xBF", 1, 3, sink->fp);
    if (sink->spec->title) {
        sj_buf_reset(&sink->line);
        sj_buf_append_cstr(&sink->line, sink->spec->title);
        for (size_t i = 1; i < sink->spec->cols; i++)
            sj_buf_putc(&sink->line, ',');
        csv_write_line(sink);
    }
    return 0;
}

int demo_sink_open(struct demo_sink *sink, const char *dir, const struct demo_file_spec *spec,
                   const struct sj_demo_opts *opts, struct sj_err *err)
{
    memset(sink, 0, sizeof *sink);
    sink->spec = spec;
    sink->opts = opts;
    sink->cd = (iconv_t)-1;
    sink->is_open = true;
    sj_buf_init(&sink->line, CSV_LINE_MAX);
    size_t len = strlen(dir) + strlen(spec->name) + 2;
    sink->path = sj_xmalloc(len);
    snprintf(sink->path, len, "%s/%s", dir, spec->name);
    int rc = spec->format == DEMO_XLSX ? open_xlsx(sink) : open_csv(sink);
    if (rc) {
        sj_err_at(err, sink->path, -1, -1, NULL);
        sj_err_set(err, rc, "cannot create the file: %s", strerror(errno));
        demo_sink_close(sink, NULL);
        return rc;
    }
    struct demo_row header;
    header_row(spec, &header);
    if (spec->format == DEMO_XLSX) {
        for (size_t i = 0; i < spec->cols; i++)
            xlsx_check(sink, worksheet_write_string(sink->ws, sink->xrow, (lxw_col_t)i,
                                                    spec->headers[i], sink->fmt_title));
        sink->xrow++;
    } else {
        csv_row(sink, &header);
    }
    if (opts->observe)
        observe(sink, 0, &header);
    return 0;
}

int demo_sink_close(struct demo_sink *sink, struct sj_err *err)
{
    if (!sink->is_open)
        return 0;
    int rc = sink->rc;
    if (sink->wb && workbook_close(sink->wb) != LXW_NO_ERROR && !rc)
        rc = SJ_EIO;
    if (sink->fp && fclose(sink->fp) != 0 && !rc)
        rc = SJ_EIO;
    if (sink->cd != (iconv_t)-1)
        iconv_close(sink->cd);
    if (rc) {
        sj_err_at(err, sink->path, -1, -1, NULL);
        sj_err_set(err, rc,
                   rc == SJ_EFORMAT ? "a value cannot be written in GB18030"
                                    : "writing the file failed");
    }
    sj_buf_release(&sink->line);
    free(sink->conv);
    sink->conv = NULL;
    free(sink->path);
    sink->path = NULL;
    sink->wb = NULL;
    sink->fp = NULL;
    sink->is_open = false;
    return rc;
}

/* ---- planted lists and the mixer ----------------------------------------------------------- */

void demo_list_push(struct demo_list *list, const struct demo_row *row)
{
    if (list->count == list->alloc) {
        list->alloc = list->alloc ? list->alloc * 2 : 16;
        list->rows = sj_xrealloc(list->rows, list->alloc * sizeof *list->rows);
    }
    list->rows[list->count++] = *row;
}

void demo_list_free(struct demo_list *list)
{
    free(list->rows);
    memset(list, 0, sizeof *list);
}

void demo_mix_init(struct demo_mix *mix, struct demo_sink *sink, const struct demo_list *planted,
                   long background, struct demo_rng *rng, demo_bg_fn bg, void *ctx)
{
    memset(mix, 0, sizeof *mix);
    mix->sink = sink;
    mix->planted = planted;
    mix->bg = bg;
    mix->ctx = ctx;
    for (size_t i = 0; i < planted->count; i++)
        mix->items += !planted->rows[i].joins_prev;
    mix->first = sj_xcalloc(mix->items + 1, sizeof *mix->first);
    mix->slot = sj_xcalloc(mix->items + 1, sizeof *mix->slot);
    for (size_t i = 0, k = 0; i < planted->count; i++) {
        if (!planted->rows[i].joins_prev)
            mix->first[k++] = i;
    }
    for (size_t i = mix->items; i > 1; i--) { /* Fisher-Yates: groups get interleaved */
        size_t j = (size_t)demo_rng_below(rng, i), t = mix->first[i - 1];
        mix->first[i - 1] = mix->first[j];
        mix->first[j] = t;
    }
    mix->total = (size_t)background + mix->items;
    for (size_t j = 0; j < mix->items; j++) {
        size_t lo = j * mix->total / mix->items, hi = (j + 1) * mix->total / mix->items;
        mix->slot[j] = lo + (size_t)demo_rng_below(rng, hi - lo);
    }
}

bool demo_mix_done(const struct demo_mix *mix)
{
    return mix->pos >= mix->total;
}

void demo_mix_step(struct demo_mix *mix)
{
    if (mix->pos >= mix->total)
        return;
    if (mix->next < mix->items && mix->slot[mix->next] == mix->pos) {
        size_t i = mix->first[mix->next++];
        do {
            demo_sink_row(mix->sink, &mix->planted->rows[i++]);
        } while (i < mix->planted->count && mix->planted->rows[i].joins_prev);
    } else {
        mix->bg(mix->ctx, mix->bg_done++);
    }
    mix->pos++;
}

void demo_mix_follow(struct demo_mix *mix, size_t done, size_t of)
{
    size_t target = of ? (size_t)((unsigned long long)done * mix->total / of) : mix->total;
    while (mix->pos < target && mix->pos < mix->total)
        demo_mix_step(mix);
}

void demo_mix_release(struct demo_mix *mix)
{
    free(mix->first);
    free(mix->slot);
    mix->first = mix->slot = NULL;
}

void demo_bad_pick(struct demo_bad *bad, struct demo_rng *rng, long background, int count)
{
    bad->count = 0;
    if (count > 4)
        count = 4;
    while (bad->count < count && bad->count < background) {
        long at = (long)demo_rng_below(rng, (uint64_t)background);
        if (demo_bad_which(bad, at) < 0)
            bad->at[bad->count++] = at;
    }
}

int demo_bad_which(const struct demo_bad *bad, long i)
{
    for (int k = 0; k < bad->count; k++) {
        if (bad->at[k] == i)
            return k;
    }
    return -1;
}
