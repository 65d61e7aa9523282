/*
 * lead_view.h - what the lead commands (`model run`, `leads`, `lead`, `stats`) share:
 * taking their own options out of argv before the common parser sees the rest, masking
 * personal numbers in text shown to people, and showing a lead's evidence values.
 */
#ifndef SHUJIAN_CLI_LEAD_VIEW_H
#define SHUJIAN_CLI_LEAD_VIEW_H

#include <jansson.h>
#include <stdbool.h>

#include "cli/cli.h"

/* Finds option name ("--status") in argv[1..*argc) before any "--", as "--name VALUE" or
 * "--name=VALUE" (or a bare flag when value is NULL), removes it from argv and lowers
 * *argc. Returns 1 when found (the last occurrence wins), 0 when absent, or -1 when its
 * value is missing or a flag was given a value. *value is borrowed from argv. */
int sj_cli_take_option(int *argc, char **argv, const char *name, const char **value);

/* A copy of text (owned by the caller) in which runs of digits that look like ID numbers
 * (15 or 18 characters, a final X allowed), bank cards (12-19 digits) and mobile numbers
 * (11 digits starting with 1) are masked with sj_norm_mask. NULL gives NULL. */
char *sj_cli_mask_text(const char *text);

/* The evidence values (a JSON object as stored) as a JSON object whose strings are masked
 * unless reveal; new reference. Invalid JSON gives {"_raw": text}. */
json_t *sj_cli_evidence_json(const char *values_json, bool reveal);
/* The same as one line of text: "key：value；key：value" (owned by the caller). */
char *sj_cli_evidence_text(const char *values_json, bool reveal);

/* Masks (unless reveal) and returns a copy of text; NULL gives "". Owned by the caller. */
char *sj_cli_shown(const char *text, bool reveal);

#endif
