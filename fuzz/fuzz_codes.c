/*
 * fuzz_codes.c - fuzz target for sj_norm_creditcode, sj_norm_orgcode and sj_norm_bankcard:
 * every input is given to all three; any bytes must give a well-formed result.
 * Checks: those of fuzz_norm.h; valid values have the canonical shape (18 / 10 / 12-19
 * characters) and are fixed points.
 */
#include <stdint.h>

#include "fuzz_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one(struct sj_str in, enum sj_kind kind,
                      bool (*fn)(struct sj_str, struct sj_norm_result *))
{
    struct sj_norm_result r;
    if (!fuzz_norm_one(in, kind, fn, &r))
        return;
    size_t n = r.value_len;
    if ((kind == SJ_KIND_CREDITCODE && n != 18) ||
        (kind == SJ_KIND_ORGCODE && (n != 10 || r.value[8] != '-')) ||
        (kind == SJ_KIND_BANKCARD && (n < 12 || n > 19)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sj_str in = sj_str_make((const char *)data, size);
    check_one(in, SJ_KIND_CREDITCODE, sj_norm_creditcode);
    check_one(in, SJ_KIND_ORGCODE, sj_norm_orgcode);
    check_one(in, SJ_KIND_BANKCARD, sj_norm_bankcard);
    return 0;
}
