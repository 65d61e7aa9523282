/*
 * gen_import_xlsx.c - writes the import benchmark's workbook with libxlsxwriter in
 * constant_memory mode (rows are flushed as they are written, so memory stays one row):
 * one sheet "流水" with a header and N synthetic rows (gen_import_rows.c). Amounts and
 * counts that a bank export would store as numbers are numbers (format #,##0.00 / 0), ISO
 * dates are date cells (yyyy-mm-dd), everything else is text, as exports have it.
 * Usage: gen_import_xlsx ROWS OUT.xlsx. Deterministic in content (the zip carries a time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <xlsxwriter.h>

#include "gen_import_rows.h"

static lxw_error write_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const struct gen_row *row,
                            lxw_format *money, lxw_format *date)
{
    switch (row->type[c]) {
    case GEN_NUMBER:
        return worksheet_write_number(ws, r, c, row->number[c], c == 4 ? money : NULL);
    case GEN_DATE: {
        lxw_datetime dt = {row->year[c], row->month[c], row->day[c], 0, 0, 0};
        return worksheet_write_datetime(ws, r, c, &dt, date);
    }
    default:
        if (!row->text[c][0])
            return LXW_NO_ERROR; /* an empty cell is no cell */
        return worksheet_write_string(ws, r, c, row->text[c], NULL);
    }
}

static int write_rows(lxw_workbook *wb, lxw_worksheet *ws, long long rows)
{
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    for (lxw_col_t c = 0; c < GEN_COLUMNS; c++) {
        if (worksheet_write_string(ws, 0, c, gen_header[c], NULL) != LXW_NO_ERROR)
            return -1;
    }
    struct gen_rng rng;
    gen_rng_seed(&rng, 20261127);
    struct gen_row row;
    for (long long i = 0; i < rows; i++) {
        gen_row_make(&rng, &row);
        for (lxw_col_t c = 0; c < GEN_COLUMNS; c++) {
            if (write_cell(ws, (lxw_row_t)(i + 1), c, &row, money, date) != LXW_NO_ERROR)
                return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_import_xlsx ROWS OUT.xlsx\n");
        return 2;
    }
    long long rows = strtoll(argv[1], NULL, 10);
    if (rows < 0 || rows > 1048575) {
        fprintf(stderr, "gen_import_xlsx: ROWS must be 0..1048575 (one sheet)\n");
        return 2;
    }
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(argv[2], &options);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, "流水") : NULL;
    if (!ws) {
        fprintf(stderr, "gen_import_xlsx: cannot create %s\n", argv[2]);
        return 1;
    }
    int rc = write_rows(wb, ws, rows);
    lxw_error closed = workbook_close(wb);
    if (rc < 0 || closed != LXW_NO_ERROR) {
        fprintf(stderr, "gen_import_xlsx: writing %s failed: %s\n", argv[2], lxw_strerror(closed));
        return 1;
    }
    return 0;
}
