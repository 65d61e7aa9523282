/*
 * fuzz_amount.c - fuzz target for sj_norm_amount, sj_norm_integer and sj_norm_number: any
 * bytes must give a well-formed result.
 * Checks: those of fuzz_norm.h; a valid result is a number; a valid amount is at most
 * 10^15 fen and its value is the decimal of out->number, which reads back as the same
 * integer (and, as yuan, as 100 times the fen).
 * Integer and number canonical values are fixed points, and a valid integer is a number.
 */
#include <stdint.h>
#include <stdio.h>

#include "fuzz_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Beyond fuzz_norm.h: every kind here has a non-empty value that is a number. */
static void check_result(const struct sj_norm_result *r, bool ok, enum sj_kind kind)
{
    fuzz_norm_check(r, ok, kind);
    if (ok && (r->value_len == 0 || !r->value_is_number))
        abort();
}

static void check_amount(struct sj_str in)
{
    struct sj_norm_result r, again;
    char buf[32];
    bool ok = sj_norm_amount(in, &r);
    check_result(&r, ok, SJ_KIND_AMOUNT);
    if (!ok)
        return;
    snprintf(buf, sizeof buf, "%lld", (long long)r.number);
    if (strcmp(buf, r.value) != 0 || r.number > 1000000000000000LL ||
        r.number < -1000000000000000LL || r.part_count != 1)
        abort();
    if (!sj_norm_integer(sj_str_make(r.value, r.value_len), &again) || again.number != r.number)
        abort();
    bool ok_yuan = sj_norm_amount(sj_str_make(r.value, r.value_len), &again);
    if (r.number <= 10000000000000LL && r.number >= -10000000000000LL &&
        (!ok_yuan || again.number != r.number * 100))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sj_norm_result i, n, again;
    struct sj_str in = sj_str_make((const char *)data, size);
    check_amount(in);
    bool ok_i = sj_norm_integer(in, &i);
    bool ok_n = sj_norm_number(in, &n);
    check_result(&i, ok_i, SJ_KIND_INTEGER);
    check_result(&n, ok_n, SJ_KIND_NUMBER);
    if (ok_i && (!ok_n || strcmp(i.value, n.value) != 0))
        abort();
    if (ok_i &&
        (!sj_norm_integer(sj_str_make(i.value, i.value_len), &again) || again.number != i.number))
        abort();
    fuzz_norm_fixed_point(&n, sj_norm_number, &again);
    return 0;
}
