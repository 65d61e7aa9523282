/*
 * fuzz_detect.c - fuzz target for sj_norm_detect, sj_norm(auto) and sj_norm_mask: any
 * bytes must give a well-formed result through whichever parsers detection tries.
 * Checks: the returned kind is out->kind and never auto; the result has the shape that
 * fuzz_norm.h checks; a non-text detection is valid; the result equals sj_norm(detected
 * kind) and sj_norm(auto); masking the canonical value fits in its own length, keeps valid
 * UTF-8 valid, and fails cleanly when the room is too small.
 */
#include <stdint.h>

#include "fuzz_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const struct sj_norm_result *a, const struct sj_norm_result *b)
{
    if (a->kind != b->kind || a->is_valid != b->is_valid || a->value_len != b->value_len ||
        strcmp(a->value, b->value) != 0 || a->number != b->number ||
        strcmp(a->reason, b->reason) != 0)
        abort();
}

static void check_mask(enum sj_kind kind, const struct sj_norm_result *r)
{
    char masked[SJ_NORM_VALUE_MAX];
    long n = sj_norm_mask(kind, r->value, masked, r->value_len + 1);
    if (n < 0 || (size_t)n > r->value_len || strlen(masked) != (size_t)n)
        abort();
    if (sj_utf8_is_valid(sj_str_make(r->value, r->value_len), NULL) &&
        !sj_utf8_is_valid(sj_str_make(masked, (size_t)n), NULL))
        abort();
    if (n > 0 && sj_norm_mask(kind, r->value, masked, (size_t)n) != -1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sj_norm_result r, direct, via_auto;
    struct sj_str in = sj_str_make((const char *)data, size);
    enum sj_kind kind = sj_norm_detect(in, &r);
    if (kind != r.kind || kind == SJ_KIND_AUTO || kind < 0 || kind >= SJ_KIND_COUNT)
        abort();
    if (kind != SJ_KIND_TEXT && !r.is_valid)
        abort();
    fuzz_norm_check(&r, r.is_valid, kind);
    sj_norm(kind, in, &direct);
    check_same(&r, &direct);
    sj_norm(SJ_KIND_AUTO, in, &via_auto);
    check_same(&r, &via_auto);
    for (int k = 0; k < SJ_KIND_COUNT; k++)
        check_mask((enum sj_kind)k, &r);
    return 0;
}
