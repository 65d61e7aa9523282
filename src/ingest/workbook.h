/*
 * workbook.h - internal to src/ingest: what the workbook readers share. The cell-text
 * helpers (cellfmt.c) turn spreadsheet numbers and date serials into the text a reader
 * hands out, for both xlsx.c and xls.c, which also build their rows alike (workbook_row.c); the
 * xlsx part (xlsx_meta.c) opens the zip, refuses zip bombs, and loads the workbook's sheet list,
 * styles and shared strings for xlsx.c.
 */
#ifndef SHUJIAN_INGEST_WORKBOOK_H
#define SHUJIAN_INGEST_WORKBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/ingest_int.h"

/* ---- Cell text (cellfmt.c) -------------------------------------------------------------- */

/* How a number format shows a number: as itself, or as a date, a date and time, or a time. */
enum sj_numfmt_class {
    SJ_NUMFMT_GENERAL = 0,
    SJ_NUMFMT_DATE,
    SJ_NUMFMT_DATETIME,
    SJ_NUMFMT_TIME,
};

/* Class of a built-in number format id (ECMA-376 18.8.30 plus the zh-CN ids 27-36, 50-58
 * that Chinese Excel writes without defining them). */
enum sj_numfmt_class sj_ingest_numfmt_builtin(unsigned id);
/* Class of a format code (borrowed, len bytes): a date when it has y/m/d, a time when it has
 * h/s, counting only letters outside "quotes", [brackets], and \x, _x, *x escapes. */
enum sj_numfmt_class sj_ingest_numfmt_classify(const char *code, size_t len);

#define SJ_CELL_TEXT_MAX 40 /* enough for any formatted number or date, with the NUL */

/* Writes v as Excel's general format shows it with 15 significant digits (%.15g, no
 * trailing zeros, "-0" as "0", integers up to 1e21 in full, other exponents as "1.5E-07")
 * into out (at least SJ_CELL_TEXT_MAX bytes). Returns the length. */
size_t sj_ingest_format_number(double v, char *out);
/* Writes the date serial as "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or "HH:MM:SS" into out (at
 * least SJ_CELL_TEXT_MAX bytes), rounding to the second. A date class shows the time too
 * when the serial has one; a time class shows the date when the serial is a day or more.
 * is_1904 picks the 1904 date system. Returns the length, or 0 when the serial is no date
 * (negative, beyond 9999-12-31, or a 1900-system date before day 1): show it as a number. */
size_t sj_ingest_format_serial(double serial, bool is_1904, enum sj_numfmt_class cls, char *out);
/* Decodes the OOXML escapes _xHHHH_ in s[0..len) in place (UTF-8 output is never longer)
 * and returns the new length. */
size_t sj_ingest_unescape_ooxml(char *s, size_t len);

/* ---- The row a workbook reader builds (workbook_row.c) ------------------------------------ */

/* A sheet row being built: cell i is data[off[i] .. off[i] + len[i]), len 0 for an empty cell;
 * width is one past the last cell set. cells is what the reader hands out (sj_sheet_row_out),
 * valid until the row is cleared. */
struct sj_sheet_row {
    size_t max_cell, max_cells; /* the reader's caps (sj_reader_opts, with their defaults) */
    struct sj_buf data;
    size_t *off, *len;
    struct sj_str *cells;
    size_t width, cap;
};

/* Caps from opts (may be NULL); the row's bytes are capped at row_cells * (max_cell + 1),
 * or the sj_buf default when row_cells is 0. */
void sj_sheet_row_init(struct sj_sheet_row *r, const struct sj_reader_opts *opts, size_t row_cells);
void sj_sheet_row_release(struct sj_sheet_row *r);
/* Empties the row for the next one. */
void sj_sheet_row_clear(struct sj_sheet_row *r);
/* Sets cell col (0-based) to s (n bytes, copied). SJ_ETOOBIG when the row's bytes would pass
 * their cap; the cell is then left empty. */
int sj_sheet_row_set(struct sj_sheet_row *r, size_t col, const char *s, size_t n);
/* Points out at the row's cells (borrowed from r), numbered source_row in the sheet. */
void sj_sheet_row_out(struct sj_sheet_row *r, int64_t source_row, struct sj_reader_row *out);

/* ---- XLSX parts (xlsx_meta.c) ----------------------------------------------------------- */

/* Limits for the zip container: an entry larger than this, or one compressed more than
 * SJ_XLSX_MAX_RATIO times once larger than SJ_XLSX_RATIO_FLOOR, is a zip bomb. */
#define SJ_XLSX_MAX_ENTRY ((uint64_t)2 << 30)
#define SJ_XLSX_MAX_RATIO 200
#define SJ_XLSX_RATIO_FLOOR ((uint64_t)100 << 20)
#define SJ_XLSX_MAX_ENTRIES 65536
#define SJ_XLSX_MAX_SST_BYTES ((size_t)256 << 20) /* shared strings, all together */
#define SJ_XLSX_MAX_SST_COUNT ((size_t)16 << 20)
#define SJ_XLSX_MAX_SHEETS 4096
#define SJ_XLSX_CHUNK 65536 /* bytes inflated per read */

struct sj_xlsx_sheet {
    char *name; /* owned by the workbook's arena */
    char *path; /* zip entry of the sheet XML, owned by the arena */
};

/* The shared strings: one pool of bytes and the offset where each string starts (the
 * string i is pool[starts[i] .. starts[i + 1])). */
struct sj_xlsx_strings {
    struct sj_buf pool;
    size_t *starts; /* count + 1 entries once loaded */
    size_t count;
    size_t alloc;
};

/* What xlsx.c needs of a workbook beyond the sheet streams. */
struct sj_xlsx_book {
    const char *path; /* the file, for messages (borrowed from the reader) */
    void *zip;        /* unzFile */
    struct sj_arena arena;
    size_t max_cell;
    bool is_1904;
    struct sj_xlsx_sheet *sheets; /* arena */
    size_t sheet_count;
    uint8_t *xf_class; /* enum sj_numfmt_class per cellXfs index (malloc) */
    size_t xf_count;
    struct sj_xlsx_strings sst;
};

/* Opens the zip at book->path into book->zip after checking every entry against the
 * limits above (SJ_ETOOBIG for a zip bomb, SJ_EFORMAT for a damaged zip, SJ_EIO when the
 * file cannot be read). */
int sj_xlsx_zip_open(struct sj_xlsx_book *book, struct sj_err *err);
/* Makes the entry name the current one of the zip, ready to read. SJ_ENOTFOUND when
 * absent, SJ_EFORMAT when it cannot be opened. */
int sj_xlsx_entry_open(struct sj_xlsx_book *book, const char *name, struct sj_err *err);
/* Loads the sheet list, the 1904 flag, the styles and the shared strings. */
int sj_xlsx_book_load(struct sj_xlsx_book *book, struct sj_err *err);
/* Frees what sj_xlsx_zip_open and sj_xlsx_book_load allocated (not book itself). */
void sj_xlsx_book_release(struct sj_xlsx_book *book);

/* The local part of an expat namespace-qualified name ("uri|local" or "local"). */
const char *sj_xlsx_local_name(const char *name);
/* The value of the attribute with that local name, or NULL. */
const char *sj_xlsx_attr(const char **attrs, const char *local);
/* Parses a cell reference "C7" into a 1-based column and row (row 0 when absent, as in a
 * column-only "C"). Returns false when it is no cell reference. */
bool sj_xlsx_parse_ref(const char *ref, size_t len, uint32_t *column, uint32_t *row);

/* One merged range, 1-based and inclusive. */
struct sj_xlsx_merge {
    uint32_t r1, c1, r2, c2;
};
#define SJ_XLSX_MAX_MERGES 262144

/* Finds the <mergeCell ref="..."> elements of the sheet entry by scanning its inflated
 * bytes (no XML parse: they sit at the end of the sheet, after the rows). *merges (malloc,
 * owned by the caller) are sorted by first row; more than SJ_XLSX_MAX_MERGES are dropped. */
int sj_xlsx_scan_merges(struct sj_xlsx_book *book, const char *entry, struct sj_xlsx_merge **merges,
                        size_t *count, struct sj_err *err);

#endif
