/*
 * fuzz_csv.c - libFuzzer target for the text reader (src/ingest/csv.c through reader.c):
 * the input is written to a temporary file and read to the end with detected settings, then
 * again forced to GB18030 and UTF-16LE with small caps, and the first rows go through the
 * header finder and the header synonym table. Any crash, leak or sanitizer report is a bug;
 * every cell handed out must lie inside the row and source rows must never go backwards.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shujian/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256];

static void remove_file(void)
{
    if (path[0])
        unlink(path);
}

static int write_input(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/fuzz-csv-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        int fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
        atexit(remove_file);
    }
    FILE *fp = fopen(path, "wb");
    if (!fp)
        abort();
    size_t n = size ? fwrite(data, 1, size, fp) : 0;
    fclose(fp);
    return n == size ? 0 : -1;
}

#define KEEP_ROWS 8

static void read_through(const struct sj_reader_opts *opts)
{
    struct sj_reader *r = NULL;
    struct sj_err err;
    if (sj_reader_open(path, opts, &r, &err) < 0)
        return;
    struct sj_reader_row row;
    struct sj_reader_row rows[KEEP_ROWS];
    struct sj_str cells[KEEP_ROWS][4];
    size_t kept = 0;
    int64_t last = 0;
    while (sj_reader_next(r, &row, &err) > 0) {
        if (row.source_row <= last || row.cell_count == 0)
            abort();
        last = row.source_row;
        size_t total = 0;
        for (size_t i = 0; i < row.cell_count; i++)
            total += row.cells[i].len;
        if (total > ((size_t)64 << 20))
            abort();
        if (kept < KEEP_ROWS) {
            /* Cells are only valid until the next row: keep views into our own copies. */
            size_t n = row.cell_count < 4 ? row.cell_count : 4;
            for (size_t i = 0; i < n; i++)
                cells[kept][i] =
                    sj_str_make(sj_xstrndup(row.cells[i].ptr, row.cells[i].len), row.cells[i].len);
            rows[kept] = (struct sj_reader_row){
                .source_row = row.source_row, .cell_count = n, .cells = cells[kept]};
            kept++;
            sj_ingest_kind_of_header(row.cells[0]);
        }
    }
    size_t h = sj_ingest_find_header(rows, kept);
    if (kept > 0 && h >= kept)
        abort();
    for (size_t k = 0; k < kept; k++) {
        for (size_t i = 0; i < rows[k].cell_count; i++)
            free((void *)cells[k][i].ptr);
    }
    sj_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (write_input(data, size) < 0)
        return 0;
    read_through(NULL);
    struct sj_reader_opts gb = {.encoding = "gb18030", .max_cell = 64, .max_cells = 16};
    read_through(&gb);
    struct sj_reader_opts u16 = {.encoding = "utf-16le", .delimiter = '\t', .max_cell = 256};
    read_through(&u16);
    return 0;
}
