/*
 * export_int.h - internal to src/http: what the file exports share (export.c). An export is
 * built as one JSON document, masked (or revealed and recorded) with sj_http_mask_export, and
 * only then written as CSV or as an XLSX workbook, so a file never shows more than the JSON
 * answer would. Used by api_leads.c (GET /api/v1/leads/export) and api_bail_stats.c.
 */
#ifndef SHUJIAN_HTTP_EXPORT_INT_H
#define SHUJIAN_HTTP_EXPORT_INT_H

#include <jansson.h>
#include <stddef.h>
#include <xlsxwriter.h>

#include "http/platform_int.h"

/* Masks doc in place unless the caller may and did ask to see it whole (?reveal=1 for an
 * admin or a prosecutor); a reveal is recorded in the ledger, and when that fails the
 * document is masked after all. */
void sj_http_mask_export(struct sj_http_ctx *ctx, json_t *doc);

/* Writes a CSV cell into out: quoted per RFC 4180 when it holds a comma, quote, CR or LF, and
 * with a leading ' when it starts with = + - @ TAB or CR (a spreadsheet would run it as a
 * formula). text is borrowed UTF-8; NULL writes nothing. */
void sj_http_csv_cell(struct sj_buf *out, const char *text);
/* A CSV file (UTF-8 with a byte-order mark, CRLF): the headers line, then one line per row.
 * headers and each row are JSON arrays of cells (strings, integers, reals written with one
 * decimal; anything else an empty cell), borrowed. Returns malloc'd bytes, *len their size. */
char *sj_http_csv_bytes(json_t *headers, json_t *rows, size_t *len);

/* Adds the sheets of a workbook; bold is the format for header cells. */
typedef void (*sj_http_xlsx_fill_fn)(lxw_workbook *wb, lxw_format *bold, void *arg);
/* Makes a workbook with fill(wb, bold, arg) through a private temporary file in workspace
 * (mode 0600, removed before returning) and reads it into *bytes (malloc, owned by the
 * caller). SJ_EIO when the file or libxlsxwriter fails. */
int sj_http_xlsx_bytes(const char *workspace, sj_http_xlsx_fill_fn fill, void *arg, char **bytes,
                       size_t *len, struct sj_err *err);

#endif
