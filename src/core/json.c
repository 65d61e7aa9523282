/*
 * json.c - JSON helpers shared by the CLI and the HTTP API. Invariant: a text value is never
 * dropped for being invalid UTF-8 (jansson refuses it); its bad bytes are replaced instead.
 */
#include "shujian/json.h"

#include "shujian/core.h"

json_t *sj_json_string(const char *s)
{
    if (!s)
        return json_null();
    json_t *v = json_string(s);
    if (v)
        return v;
    struct sj_buf buf;
    sj_buf_init(&buf, 0);
    sj_utf8_repair(sj_str_from_cstr(s), &buf);
    v = json_string(sj_buf_cstr(&buf) ? sj_buf_cstr(&buf) : "");
    sj_buf_release(&buf);
    return v ? v : json_string("");
}
