/*
 * workbook_row.c - the row buffer both workbook readers (xls.c, xlsx.c) fill cell by cell and
 * hand out (workbook.h). Cells may be set in any column order; columns skipped read as empty.
 * Invariant: off/len have room for cap cells and len[0 .. width) are all set.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest/workbook.h"

void sj_sheet_row_init(struct sj_sheet_row *r, const struct sj_reader_opts *opts, size_t row_cells)
{
    memset(r, 0, sizeof *r);
    r->max_cell = opts && opts->max_cell ? opts->max_cell : (size_t)1 << 20;
    r->max_cells = opts && opts->max_cells ? opts->max_cells : 4096;
    sj_buf_init(&r->data, row_cells * (r->max_cell + 1));
}

void sj_sheet_row_release(struct sj_sheet_row *r)
{
    sj_buf_release(&r->data);
    free(r->off);
    free(r->len);
    free(r->cells);
    memset(r, 0, sizeof *r);
}

void sj_sheet_row_clear(struct sj_sheet_row *r)
{
    r->width = 0;
    sj_buf_reset(&r->data);
}

int sj_sheet_row_set(struct sj_sheet_row *r, size_t col, const char *s, size_t n)
{
    if (col >= r->cap) {
        size_t cap = r->cap ? r->cap : 16;
        while (cap <= col)
            cap *= 2;
        r->off = sj_xrealloc(r->off, cap * sizeof *r->off);
        r->len = sj_xrealloc(r->len, cap * sizeof *r->len);
        r->cap = cap;
    }
    for (; r->width <= col; r->width++)
        r->len[r->width] = 0;
    r->off[col] = r->data.len;
    r->len[col] = n;
    if (n && sj_buf_append(&r->data, s, n) != 0) {
        r->len[col] = 0;
        return SJ_ETOOBIG;
    }
    return 0;
}

void sj_sheet_row_out(struct sj_sheet_row *r, int64_t source_row, struct sj_reader_row *out)
{
    r->cells = sj_xrealloc(r->cells, r->width * sizeof *r->cells);
    for (size_t i = 0; i < r->width; i++)
        r->cells[i] =
            r->len[i] ? sj_str_make(r->data.data + r->off[i], r->len[i]) : sj_str_make("", 0);
    out->source_row = source_row;
    out->cell_count = r->width;
    out->cells = r->cells;
}
