/*
 * fuzz_idcard.c - fuzz target for sj_norm_idcard (citizen id numbers, 18 or 15 digits) and
 * the region table it consults: any bytes must give a well-formed result.
 * Checks: those of fuzz_norm.h; a valid result has an 18-character value of digits (X only
 * last), its parts agree with the value and the region table, and the value is a fixed
 * point (normalising it again gives itself, not marked upgraded).
 */
#include <stdint.h>

#include "fuzz_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Beyond fuzz_norm.h: a valid number's value and parts agree with each other and the
 * region table. */
static void check_result(const struct sj_norm_result *r, bool ok)
{
    fuzz_norm_check(r, ok, SJ_KIND_IDCARD);
    if (!ok)
        return;
    if (r->value_len != 18 || r->part_count < 4 || r->part_count > 5)
        abort();
    for (int i = 0; i < 18; i++) {
        char c = r->value[i];
        if (!(c >= '0' && c <= '9') && !(i == 17 && c == 'X'))
            abort();
    }
    char code[7];
    memcpy(code, r->value, 6);
    code[6] = '\0';
    const char *name = sj_region_name(code);
    if (!name || strcmp(r->parts[2].key, "region_code") != 0 ||
        strcmp(r->parts[2].value, code) != 0 || strcmp(r->parts[3].key, "region_name") != 0 ||
        strcmp(r->parts[3].value, name) != 0)
        abort();
    if (strcmp(r->parts[1].value, (r->value[16] - '0') % 2 ? "M" : "F") != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sj_norm_result r, again;
    struct sj_str in = sj_str_make((const char *)data, size);
    bool ok = sj_norm_idcard(in, &r);
    check_result(&r, ok);
    fuzz_norm_fixed_point(&r, sj_norm_idcard, &again);
    if (ok && again.part_count != 4)
        abort();
    /* A 6-byte prefix used directly as a region code must not crash the lookup. */
    if (size >= 6) {
        char code[7];
        memcpy(code, data, 6);
        code[6] = '\0';
        (void)sj_region_name(code);
    }
    return 0;
}
