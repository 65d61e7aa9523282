/*
 * fuzz_codes.c - fuzz target for sj_norm_creditcode, sj_norm_orgcode and sj_norm_bankcard:
 * every input is given to all three; any bytes must give a well-formed result.
 * Checks: return value equals is_valid; value and reason are NUL-terminated and valid
 * UTF-8; an invalid result has a reason, no value and no parts; valid values have the
 * canonical shape (18 / 10 / 12-19 characters) and are fixed points.
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
    size_t reason_len = strnlen(r->reason, sizeof r->reason);
    if (reason_len >= sizeof r->reason ||
        !sj_utf8_is_valid(sj_str_make(r->reason, reason_len), NULL))
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

static void check_one(struct sj_str in, enum sj_kind kind,
                      bool (*fn)(struct sj_str, struct sj_norm_result *))
{
    struct sj_norm_result r, again;
    bool ok = fn(in, &r);
    check_result(&r, ok, kind);
    if (!ok)
        return;
    size_t n = r.value_len;
    if ((kind == SJ_KIND_CREDITCODE && n != 18) ||
        (kind == SJ_KIND_ORGCODE && (n != 10 || r.value[8] != '-')) ||
        (kind == SJ_KIND_BANKCARD && (n < 12 || n > 19)))
        abort();
    if (!fn(sj_str_make(r.value, r.value_len), &again) || strcmp(again.value, r.value) != 0)
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
