/*
 * fuzz_phone.c - fuzz target for sj_norm_phone (a mobile or landline number): any bytes
 * must give a well-formed result (the checks of fuzz_norm.h), and the canonical value is
 * a fixed point: normalising it again gives itself.
 */
#include <stdint.h>

#include "fuzz_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sj_norm_result r;
    fuzz_norm_one(sj_str_make((const char *)data, size), SJ_KIND_PHONE, sj_norm_phone, &r);
    return 0;
}
