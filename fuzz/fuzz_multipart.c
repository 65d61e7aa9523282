/*
 * fuzz_multipart.c - fuzz target for the upload parser of POST /api/v1/imports
 * (src/http/multipart.c): the file part of a multipart/form-data body and the file name a
 * client gives. Input: the Content-Type header up to the first newline, then the body.
 * Invariants: the parser never reads outside the body (ASan), a file part found lies inside
 * the body with its name inside the body too, and a name accepted by sj_http_upload_name is
 * non-empty, at most 200 bytes, valid UTF-8, without '/', '\\' or control characters, and
 * neither "." nor "..".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/platform_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(struct sj_str name)
{
    char out[256];
    if (sj_http_upload_name(name, out, sizeof out, NULL) < 0)
        return;
    size_t len = strlen(out);
    if (len == 0 || len > 200 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0 ||
        !sj_utf8_is_valid(sj_str_make(out, len), NULL))
        abort();
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f)
            abort();
    }
}

static bool is_inside(struct sj_str part, struct sj_str whole)
{
    return part.ptr >= whole.ptr && part.ptr + part.len <= whole.ptr + whole.len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t head = nl ? (size_t)(nl - text) : size;
    char *type = malloc(head + 1);
    if (!type)
        abort();
    memcpy(type, text, head);
    type[head] = '\0';
    /* The body is a copy of exactly its bytes, so ASan sees any read past its end. */
    size_t body_len = nl ? size - head - 1 : 0;
    char *body = malloc(body_len ? body_len : 1);
    if (!body)
        abort();
    if (body_len)
        memcpy(body, nl + 1, body_len);
    struct sj_str whole = sj_str_make(body, body_len), name = {0}, file = {0};
    if (sj_http_multipart_file(whole, type, &name, &file, NULL) == 0) {
        if (!is_inside(file, whole) || !is_inside(name, whole))
            abort();
        check_name(name);
    }
    check_name(sj_str_make(type, head));
    free(body);
    free(type);
    return 0;
}
