/*
 * reader.c - the format-neutral reader: detects a file's format by its first bytes (zip ->
 * xlsx, OLE2 compound file -> xls, anything else -> text) and dispatches to the backend in
 * ingest_int.h. It also keeps the promise every backend relies on: rows whose cells are all
 * empty (or white space) are skipped here, and each row is cleared before a backend fills it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_int.h"

struct sj_reader {
    const struct sj_reader_backend *backend;
    void *impl;
    enum sj_format format;
    char *path;
    char sheet[128]; /* the selected sheet, for error locations */
};

static const unsigned char zip_magic[4] = {'P', 'K', 0x03, 0x04};
static const unsigned char ole2_magic[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

enum sj_format sj_reader_detect_format(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return SJ_FORMAT_UNKNOWN;
    unsigned char head[8];
    size_t n = fread(head, 1, sizeof head, fp);
    bool failed = ferror(fp) != 0;
    fclose(fp);
    if (failed)
        return SJ_FORMAT_UNKNOWN;
    if (n >= sizeof zip_magic && memcmp(head, zip_magic, sizeof zip_magic) == 0)
        return SJ_FORMAT_XLSX;
    if (n >= sizeof ole2_magic && memcmp(head, ole2_magic, sizeof ole2_magic) == 0)
        return SJ_FORMAT_XLS;
    return SJ_FORMAT_CSV;
}

static const struct sj_reader_backend *backend_for(enum sj_format format)
{
    switch (format) {
    case SJ_FORMAT_CSV:
        return &sj_reader_csv;
    case SJ_FORMAT_XLSX:
        return &sj_reader_xlsx;
    case SJ_FORMAT_XLS:
        return &sj_reader_xls;
    case SJ_FORMAT_UNKNOWN:
        break;
    }
    return NULL;
}

int sj_reader_open(const char *path, const struct sj_reader_opts *opts, struct sj_reader **out,
                   struct sj_err *err)
{
    *out = NULL;
    enum sj_format format = sj_reader_detect_format(path);
    const struct sj_reader_backend *backend = backend_for(format);
    if (!backend) {
        int code = errno == ENOENT ? SJ_ENOTFOUND : SJ_EIO;
        sj_err_at(err, path, -1, -1, NULL);
        return sj_err_set(err, code, "无法读取文件：%s", strerror(errno));
    }
    void *impl = NULL;
    int rc = backend->open(path, opts, &impl, err);
    if (rc < 0) {
        sj_err_at(err, path, -1, -1, NULL);
        return rc;
    }
    struct sj_reader *reader = sj_xcalloc(1, sizeof *reader);
    reader->backend = backend;
    reader->impl = impl;
    reader->format = format;
    reader->path = sj_xstrdup(path);
    const char *first = backend->sheet_count(impl) > 0 ? backend->sheet_name(impl, 0) : "";
    snprintf(reader->sheet, sizeof reader->sheet, "%s", first ? first : "");
    *out = reader;
    return 0;
}

void sj_reader_close(struct sj_reader *reader)
{
    if (!reader)
        return;
    reader->backend->close(reader->impl);
    free(reader->path);
    free(reader);
}

enum sj_format sj_reader_format(const struct sj_reader *reader)
{
    return reader->format;
}

const char *sj_reader_encoding(const struct sj_reader *reader)
{
    const char *enc = reader->backend->encoding(reader->impl);
    return enc ? enc : "";
}

size_t sj_reader_sheet_count(const struct sj_reader *reader)
{
    return reader->backend->sheet_count(reader->impl);
}

const char *sj_reader_sheet_name(const struct sj_reader *reader, size_t index)
{
    if (index >= sj_reader_sheet_count(reader))
        return NULL;
    const char *name = reader->backend->sheet_name(reader->impl, index);
    return name ? name : "";
}

int sj_reader_select_sheet(struct sj_reader *reader, size_t index, struct sj_err *err)
{
    if (index >= sj_reader_sheet_count(reader)) {
        sj_err_at(err, reader->path, -1, -1, NULL);
        return sj_err_set(err, SJ_ENOTFOUND, "没有第 %zu 个工作表", index + 1);
    }
    int rc = reader->backend->select_sheet(reader->impl, index, err);
    snprintf(reader->sheet, sizeof reader->sheet, "%s", sj_reader_sheet_name(reader, index));
    if (rc < 0) {
        sj_err_at(err, reader->path, -1, -1, NULL);
        if (err)
            snprintf(err->sheet, sizeof err->sheet, "%s", reader->sheet);
    }
    return rc;
}

uint64_t sj_reader_bytes_read(const struct sj_reader *reader)
{
    return reader->backend->bytes_read ? reader->backend->bytes_read(reader->impl) : 0;
}

static bool row_is_empty(const struct sj_reader_row *row)
{
    for (size_t i = 0; i < row->cell_count; i++) {
        if (sj_str_trim(row->cells[i]).len > 0)
            return false;
    }
    return true;
}

int sj_reader_next(struct sj_reader *reader, struct sj_reader_row *row, struct sj_err *err)
{
    for (;;) {
        memset(row, 0, sizeof *row);
        int rc = reader->backend->next(reader->impl, row, err);
        if (rc < 0) {
            if (err && !err->file[0])
                sj_err_at(err, reader->path, -1, -1, NULL);
            if (err && !err->sheet[0])
                snprintf(err->sheet, sizeof err->sheet, "%s", reader->sheet);
            return rc;
        }
        if (rc == 0)
            return 0;
        /* A row with undecodable bytes is handed on even if it looks empty, so that the
         * importer can reject it with a reason instead of losing it. */
        if (!row_is_empty(row) || row->has_bad_bytes)
            return 1;
    }
}
