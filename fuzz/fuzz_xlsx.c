/*
 * fuzz_xlsx.c - fuzz target for the .xlsx reader (src/ingest/xlsx.c, xlsx_meta.c): the input
 * is written to a temp file (the reader opens files through minizip), opened, and every
 * sheet is read to its end or its first error. Small caps keep each run fast; any crash,
 * leak or sanitizer report is a bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ingest/ingest_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(void *impl)
{
    struct sj_err err;
    struct sj_reader_row row;
    for (size_t s = 0; s < sj_reader_xlsx.sheet_count(impl); s++) {
        if (s > 0 && sj_reader_xlsx.select_sheet(impl, s, &err) < 0)
            continue;
        (void)sj_reader_xlsx.sheet_name(impl, s);
        for (int n = 0; n < 100000 && sj_reader_xlsx.next(impl, &row, &err) == 1; n++) {
            for (size_t i = 0; i < row.cell_count; i++) {
                if (row.cells[i].len && !row.cells[i].ptr)
                    abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/sj_fuzz_xlsx_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "wb");
    if (!f || fwrite(data, 1, size, f) != size) {
        if (f)
            fclose(f);
        unlink(path);
        return 0;
    }
    fclose(f);
    struct sj_reader_opts opts = {.max_cell = 4096, .max_cells = 256};
    struct sj_err err;
    void *impl = NULL;
    if (sj_reader_xlsx.open(path, &opts, &impl, &err) == 0) {
        read_all(impl);
        sj_reader_xlsx.close(impl);
    }
    unlink(path);
    return 0;
}
