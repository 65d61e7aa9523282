/*
 * gen_import_rows.h - the synthetic rows of the import benchmark (bench/import.sh), shared
 * by gen_import_csv and gen_import_xlsx so both files hold the same kind of data: a bank
 * statement of invented people with valid ID numbers (computed check digits), phones,
 * dates in several notations, amounts in several notations, Luhn-valid card numbers,
 * free text and a count. Deterministic: the n-th row depends only on the seed and n.
 */
#ifndef GEN_IMPORT_ROWS_H
#define GEN_IMPORT_ROWS_H

#include <stdint.h>

#define GEN_COLUMNS 10
#define GEN_VALUE_MAX 200

/* The header row (UTF-8), one name per column. */
extern const char *const gen_header[GEN_COLUMNS];

/* How a workbook writer should store each cell; a CSV writes every cell as text. */
enum gen_cell_type { GEN_TEXT, GEN_NUMBER, GEN_DATE };

struct gen_row {
    char text[GEN_COLUMNS][GEN_VALUE_MAX]; /* every cell as CSV text ("" when empty) */
    enum gen_cell_type type[GEN_COLUMNS];  /* the typed form for a workbook */
    double number[GEN_COLUMNS];            /* GEN_NUMBER: the value */
    int year[GEN_COLUMNS], month[GEN_COLUMNS], day[GEN_COLUMNS]; /* GEN_DATE */
};

struct gen_rng {
    uint64_t s;
};

void gen_rng_seed(struct gen_rng *r, uint64_t seed);
/* Fills row with the next data row of r's sequence. */
void gen_row_make(struct gen_rng *r, struct gen_row *row);

#endif
