/*
 * ingest_int.h - internal to src/ingest: each file format implements a reader backend
 * behind this table; reader.c detects the format and dispatches. A backend owns its
 * state (impl) and hands out rows whose cells it owns until its next() call.
 * reader.c clears the row before each next() call and skips rows whose cells are all
 * blank, so a backend may hand out empty rows and need not set has_bad_bytes/bad_offset.
 */
#ifndef SHUJIAN_INGEST_INT_H
#define SHUJIAN_INGEST_INT_H

#include "shujian/ingest.h"

struct sj_reader_backend {
    const char *name; /* "csv", "xlsx", "xls" */
    int (*open)(const char *path, const struct sj_reader_opts *opts, void **impl,
                struct sj_err *err);
    void (*close)(void *impl);
    const char *(*encoding)(void *impl);
    size_t (*sheet_count)(void *impl);
    const char *(*sheet_name)(void *impl, size_t index);
    int (*select_sheet)(void *impl, size_t index, struct sj_err *err);
    int (*next)(void *impl, struct sj_reader_row *row, struct sj_err *err);
    uint64_t (*bytes_read)(void *impl); /* may be NULL: sj_reader_bytes_read is then 0 */
};

extern const struct sj_reader_backend sj_reader_csv;
extern const struct sj_reader_backend sj_reader_xlsx;
extern const struct sj_reader_backend sj_reader_xls;

/* ---- Hashing (hash.c) ---------------------------------------------------------------------- */

/* The SHA-256 of the file at path as 64 lowercase hex digits in hex, and its size in *size.
 * SJ_ENOTFOUND or SJ_EIO (err says the file and why). */
int sj_ingest_hash_file(const char *path, char hex[65], int64_t *size, struct sj_err *err);

/* ---- Mapping files (mapping.c) ----------------------------------------------------------- */

/* "column = kind" lines (or "column: kind"); see docs/IMPORT.md. */
struct sj_ingest_mapping;

/* Parses mapping text (borrowed). *out is owned by the caller (sj_ingest_mapping_free).
 * Errors (SJ_EINVAL, SJ_EFORMAT, SJ_ETOOBIG) carry the 1-based line in err->row. */
int sj_ingest_mapping_parse(struct sj_str text, struct sj_ingest_mapping **out, struct sj_err *err);
/* Reads and parses the mapping file at path (at most 1 MiB). */
int sj_ingest_mapping_load(const char *path, struct sj_ingest_mapping **out, struct sj_err *err);
/* The kind the mapping gives the column named column; false when it names none. m may be
 * NULL (no mapping). */
bool sj_ingest_mapping_find(const struct sj_ingest_mapping *m, const char *column,
                            enum sj_kind *kind);
void sj_ingest_mapping_free(struct sj_ingest_mapping *m);

#endif
