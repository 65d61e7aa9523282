/*
 * ingest.h - reading the files offices are handed (CSV/TSV/TXT in any common encoding,
 * XLSX, legacy XLS) as a stream of rows of UTF-8 cells, finding the header row, guessing
 * each column's semantic kind, and importing into the workspace (src/store).
 *
 * Memory is bounded by the row, never the file: readers stream. Cells handed out by a
 * reader are borrowed and valid until the next call on that reader.
 */
#ifndef SHUJIAN_INGEST_H
#define SHUJIAN_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/norm.h"
#include "shujian/store.h"

/* ---- Readers ---------------------------------------------------------------------------- */

enum sj_format { SJ_FORMAT_UNKNOWN = 0, SJ_FORMAT_CSV, SJ_FORMAT_XLSX, SJ_FORMAT_XLS };

struct sj_reader_opts {
    const char *encoding; /* force a text encoding ("utf-8", "gb18030", "gbk", "utf-16le",
                             "utf-16be"); NULL detects */
    char delimiter;       /* force a delimiter; 0 detects among , \t ; | */
    size_t max_cell;      /* cap on one cell in bytes; 0 = 1 MiB */
    size_t max_cells;     /* cap on cells per row; 0 = 4096 */
};

/* One row: cells[0..cell_count) borrowed until the next sj_reader_next call. Empty cells
 * are zero-length views. source_row is the 1-based row (line for text, row for sheets)
 * where the row starts in the file.
 * has_bad_bytes: bytes of the row could not be decoded in the file's encoding; each bad
 * byte was replaced by U+FFFD in the cells and bad_offset is the 0-based file offset of
 * the first one. The importer rejects such rows (so nothing is lost silently). Backends
 * whose input is always valid (xlsx, xls) leave both zero: sj_reader_next clears the row
 * before asking the backend. */
struct sj_reader_row {
    int64_t source_row;
    size_t cell_count;
    const struct sj_str *cells;
    bool has_bad_bytes;
    int64_t bad_offset;
};

struct sj_reader;

/* Detects the format of path from its first bytes (PK zip -> xlsx, OLE2 -> xls, else
 * text). Returns SJ_FORMAT_UNKNOWN when unreadable. */
enum sj_format sj_reader_detect_format(const char *path);

/* Opens path for reading; opts may be NULL. The first sheet is selected for workbooks.
 * *out is owned by the caller (sj_reader_close). Errors say which file and why
 * (SJ_EIO, SJ_EFORMAT, SJ_ETOOBIG for a zip bomb, ...). */
int sj_reader_open(const char *path, const struct sj_reader_opts *opts, struct sj_reader **out,
                   struct sj_err *err);
void sj_reader_close(struct sj_reader *reader);

enum sj_format sj_reader_format(const struct sj_reader *reader);
/* Encoding of a text file as detected or forced ("utf-8", "gb18030", "utf-16le", ...),
 * "" for workbooks. Borrowed. */
const char *sj_reader_encoding(const struct sj_reader *reader);

/* Sheets of a workbook (a text file has one sheet named ""). Names are borrowed. */
size_t sj_reader_sheet_count(const struct sj_reader *reader);
const char *sj_reader_sheet_name(const struct sj_reader *reader, size_t index);
/* Selects the sheet to read next and rewinds to its first row. SJ_ENOTFOUND when absent. */
int sj_reader_select_sheet(struct sj_reader *reader, size_t index, struct sj_err *err);

/* Bytes of the file the reader has consumed so far (read-ahead buffers count as consumed,
 * so this runs up to a few hundred KiB ahead of the rows handed out). For a workbook (xlsx,
 * xls), whose rows come out of compressed or indexed streams, it is an estimate: the share
 * of the selected sheet read so far (xlsx: of its XML; xls: of its rows) times the file's
 * size, from 0 when the sheet is selected up to the file's size at its end. Never goes back
 * while one sheet is read; selecting a sheet starts it again. */
uint64_t sj_reader_bytes_read(const struct sj_reader *reader);

/* Reads the next non-empty row. Returns 1 with *row filled, 0 at the end of the sheet, or
 * a negative error with err saying where (file, sheet, row) and why. */
int sj_reader_next(struct sj_reader *reader, struct sj_reader_row *row, struct sj_err *err);

/* ---- Header and kinds ----------------------------------------------------------------------- */

/* The kind a header name suggests by the synonym table (身份证号/公民身份号码/证件号码 ->
 * idcard, 姓名/当事人/被告人 -> name, 金额/交易金额/涉案金额 -> amount, ...);
 * SJ_KIND_TEXT when the name suggests none. Header text is trimmed and folded first. */
enum sj_kind sj_ingest_kind_of_header(struct sj_str header);

/* Given the first rows of a sheet (borrowed), returns the index of the most likely header
 * row: the first row that has several non-empty, distinct, mostly non-numeric cells and is
 * followed by rows of similar width (so a title row like "XX市公安局鉴定意见汇总表" above the
 * real header is skipped). */
size_t sj_ingest_find_header(const struct sj_reader_row *rows, size_t row_count);

/* Confirms or corrects a header-suggested kind by sniffing sample values of the column
 * (borrowed): if most non-empty samples fail the suggested kind, returns the kind most
 * samples pass (or text). With SJ_KIND_TEXT suggested, promotes only to kinds that are
 * unambiguous from values alone (idcard, credit-code, phone, date, case-no). */
enum sj_kind sj_ingest_sniff_kind(enum sj_kind suggested, const struct sj_str *samples,
                                  size_t sample_count);

/* ---- Importing a file --------------------------------------------------------------------- */

struct sj_import_opts {
    const char *dataset;      /* dataset name; NULL derives one from the file/sheet name */
    const char *sheet;        /* import only this sheet; NULL = first (or all, see below) */
    bool all_sheets;          /* import every sheet (each its own dataset unless dataset set) */
    const char *encoding;     /* forced text encoding or NULL */
    char delimiter;           /* forced delimiter of a text file; 0 detects */
    const char *mapping_path; /* mapping file (header -> kind / column overrides) or NULL */
    /* Progress, or NULL: called on the caller's thread while rows are stored, at most about
     * ten times a second, and once more when every sheet of the file is committed: only
     * that last call has bytes_done = bytes_total (the file's size). bytes_done
     * (sj_reader_bytes_read; for workbooks an estimate in proportion to the part of the
     * sheet read, the sheets imported sharing the file's size equally, in turn) and rows
     * (rows read so far from this file, all sheets) never decrease. Not called at the end
     * of a file that failed or that was imported before (same SHA-256). */
    void (*progress)(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows);
    void *progress_ctx; /* borrowed, handed to progress */
};

/* The outcome of importing one sheet of one file. */
struct sj_import_summary {
    char *file;            /* owned */
    char *sheet;           /* owned; "" for text files */
    char *dataset;         /* owned */
    bool already_imported; /* same SHA-256 imported before: nothing changed */
    int64_t run_id;
    int64_t rows_read;
    int64_t rows_imported;
    int64_t rows_rejected;
    int64_t cells_flagged;
    size_t column_count;
    struct sj_column_def *columns; /* owned */
    double seconds;
};

/* Imports path into the workspace. Produces one summary per imported sheet in
 * *summaries (owned by the caller; free with sj_import_summaries_free, which frees the
 * array too). A sheet is imported completely or not at all (one transaction); a file that
 * cannot be read at all returns an error and imports nothing. When a later sheet of
 * --all-sheets fails, the error is returned and *summaries still holds the sheets committed
 * before it. Empty sheets of a workbook are skipped under all_sheets; an empty text file or
 * selected sheet is SJ_EFORMAT. The dataset name defaults to the file's base name without
 * its last extension ("银行流水.csv" -> "银行流水"), with "_<sheet>" appended under
 * all_sheets. Rows above the detected header are titles or notes and are not counted. */
int sj_ingest_import_file(struct sj_store *store, const char *path,
                          const struct sj_import_opts *opts, struct sj_import_summary **summaries,
                          size_t *summary_count, struct sj_err *err);
void sj_import_summaries_free(struct sj_import_summary *summaries, size_t count);

#endif
