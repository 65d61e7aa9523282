/*
 * fuzz_name.c - fuzz target for sj_norm_name and sj_norm_text: any bytes must give a
 * well-formed result (a person's name; the same bytes also go through sj_norm_text).
 * Checks: those of fuzz_norm.h for both kinds; a valid name has at most 50 characters and
 * re-normalises to a valid name; text is a fixed point.
 */
#include <stdint.h>

#include "fuzz_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sj_norm_result r, again;
    struct sj_str in = sj_str_make((const char *)data, size);
    bool ok = sj_norm_name(in, &r);
    fuzz_norm_check(&r, ok, SJ_KIND_NAME);
    /* A valid name is again a valid name, of at most 50 characters. */
    if (ok && (sj_utf8_count(sj_str_make(r.value, r.value_len)) > 50 ||
               !sj_norm_name(sj_str_make(r.value, r.value_len), &again)))
        abort();
    /* The same bytes as free text. */
    fuzz_norm_one(in, SJ_KIND_TEXT, sj_norm_text, &r);
    return 0;
}
