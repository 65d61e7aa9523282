/*
 * gen_import_csv.c - writes the import benchmark's CSV: a header and N synthetic rows
 * (gen_import_rows.c) in UTF-8 with RFC 4180 quoting where a cell holds a comma or a quote.
 * Usage: gen_import_csv ROWS OUT.csv. Deterministic: the same ROWS give the same bytes.
 * Memory is one row; the file is written through stdio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_import_rows.h"

static void put_cell(FILE *fp, const char *cell)
{
    if (!strpbrk(cell, ",\"\r\n")) {
        fputs(cell, fp);
        return;
    }
    fputc('"', fp);
    for (const char *p = cell; *p; p++) {
        if (*p == '"')
            fputc('"', fp);
        fputc(*p, fp);
    }
    fputc('"', fp);
}

static void put_row(FILE *fp, const char *const *cells)
{
    for (int c = 0; c < GEN_COLUMNS; c++) {
        if (c > 0)
            fputc(',', fp);
        put_cell(fp, cells[c]);
    }
    fputc('\n', fp);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_import_csv ROWS OUT.csv\n");
        return 2;
    }
    long long rows = strtoll(argv[1], NULL, 10);
    FILE *fp = fopen(argv[2], "wb");
    if (rows < 0 || !fp) {
        fprintf(stderr, "gen_import_csv: cannot write %s\n", argv[2]);
        return 1;
    }
    static char buf[1 << 16];
    setvbuf(fp, buf, _IOFBF, sizeof buf);
    put_row(fp, gen_header);
    struct gen_rng rng;
    gen_rng_seed(&rng, 20261127);
    struct gen_row row;
    for (long long i = 0; i < rows; i++) {
        const char *cells[GEN_COLUMNS];
        gen_row_make(&rng, &row);
        for (int c = 0; c < GEN_COLUMNS; c++)
            cells[c] = row.text[c];
        put_row(fp, cells);
    }
    if (fclose(fp) != 0) {
        fprintf(stderr, "gen_import_csv: writing %s failed\n", argv[2]);
        return 1;
    }
    return 0;
}
