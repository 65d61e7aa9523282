/*
 * fuzz_plate.c - fuzz target for sj_norm_plate (a vehicle plate): any bytes must give a
 * well-formed result.
 * Checks: return value equals is_valid; value is NUL-terminated with value_len bytes and
 * valid UTF-8; an invalid result has a reason, no value and no parts; parts are terminated.
 * The canonical value is a fixed point: normalising it again gives itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(const struct sj_norm_result *r, bool ok, enum sj_kind kind)
{
    if (ok != r->is_valid || r->kind != kind)
        abort();
    if (strnlen(r->value, sizeof r->value) != r->value_len || r->value_len >= sizeof r->value)
        abort();
    if (strnlen(r->reason, sizeof r->reason) >= sizeof r->reason)
        abort();
    if (!sj_utf8_is_valid(sj_str_make(r->value, r->value_len), NULL))
        abort();
    if (!ok && (r->reason[0] == '\0' || r->value_len != 0 || r->part_count != 0))
        abort();
    if (ok && r->reason[0] != '\0')
        abort();
    if (r->part_count < 0 || r->part_count > SJ_NORM_PARTS_MAX)
        abort();
    for (int i = 0; i < r->part_count; i++) {
        if (!r->parts[i].key || strnlen(r->parts[i].value, SJ_NORM_PART_MAX) >= SJ_NORM_PART_MAX)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sj_norm_result r, again;
    struct sj_str in = sj_str_make((const char *)data, size);
    bool ok = sj_norm_plate(in, &r);
    check_result(&r, ok, SJ_KIND_PLATE);
    /* The canonical value is a fixed point. */
    if (ok && (!sj_norm_plate(sj_str_make(r.value, r.value_len), &again) ||
               strcmp(again.value, r.value) != 0))
        abort();
    return 0;
}
