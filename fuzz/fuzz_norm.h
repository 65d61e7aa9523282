/*
 * fuzz_norm.h - the checks every normaliser fuzz target makes of a struct sj_norm_result,
 * whatever the kind (norm.h's contract): the return value equals is_valid and the kind is
 * the one applied; value and reason are NUL-terminated inside their arrays, value_len is
 * the value's length, and both are valid UTF-8; an invalid result has a reason and no
 * value, number or parts; a valid one has no reason; parts are counted within bounds, keyed
 * and terminated. And the fixed-point check: a canonical value normalises to itself.
 * Any failure aborts, which is what libFuzzer and fuzz/replay.c catch. Header-only.
 */
#ifndef SHUJIAN_FUZZ_NORM_H
#define SHUJIAN_FUZZ_NORM_H

#include <stdlib.h>
#include <string.h>

#include "shujian/norm.h"

/* Aborts unless r (returned ok by the normaliser of kind) has the shape of norm.h. */
static inline void fuzz_norm_check(const struct sj_norm_result *r, bool ok, enum sj_kind kind)
{
    if (ok != r->is_valid || r->kind != kind)
        abort();
    if (strnlen(r->value, sizeof r->value) != r->value_len || r->value_len >= sizeof r->value)
        abort();
    size_t reason_len = strnlen(r->reason, sizeof r->reason);
    if (reason_len >= sizeof r->reason ||
        !sj_utf8_is_valid(sj_str_make(r->reason, reason_len), NULL) ||
        !sj_utf8_is_valid(sj_str_make(r->value, r->value_len), NULL))
        abort();
    if (!ok && (r->reason[0] == '\0' || r->value_len != 0 || r->part_count != 0 || r->number != 0 ||
                r->value_is_number))
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

/* Aborts unless the canonical value of a valid r normalises with fn to itself; again
 * receives that second result. Does nothing for an invalid r. */
static inline void fuzz_norm_fixed_point(const struct sj_norm_result *r,
                                         bool (*fn)(struct sj_str, struct sj_norm_result *),
                                         struct sj_norm_result *again)
{
    if (!r->is_valid)
        return;
    if (!fn(sj_str_make(r->value, r->value_len), again) || strcmp(again->value, r->value) != 0)
        abort();
}

/* Normalises in with fn (of kind) into *r, makes both checks above and returns r->is_valid. */
static inline bool fuzz_norm_one(struct sj_str in, enum sj_kind kind,
                                 bool (*fn)(struct sj_str, struct sj_norm_result *),
                                 struct sj_norm_result *r)
{
    struct sj_norm_result again;
    bool ok = fn(in, r);
    fuzz_norm_check(r, ok, kind);
    fuzz_norm_fixed_point(r, fn, &again);
    return ok;
}

#endif
