/*
 * json.h - JSON helpers shared by the CLI and the HTTP API (src/core/json.c), on jansson.
 */
#ifndef SHUJIAN_JSON_H
#define SHUJIAN_JSON_H

#include <jansson.h>

/* A JSON string of s (NULL gives JSON null). Invalid UTF-8 never loses the value: each bad
 * byte becomes U+FFFD. New reference. */
json_t *sj_json_string(const char *s);

#endif
