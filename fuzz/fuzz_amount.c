/*
 * fuzz_amount.c - fuzz target for sj_norm_amount, sj_norm_integer and sj_norm_number: any
 * bytes must give a well-formed result.
 * Checks: return value equals is_valid; an invalid result has a reason, no value, no number
 * and no parts; a valid amount is at most 10^15 fen and its value is the decimal of
 * out->number, which reads back as the same integer (and, as yuan, as 100 times the fen).
 * Integer and number canonical values are fixed points, and a valid integer is a number.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(const struct sj_norm_result *r, bool ok, enum sj_kind kind)
{
    if (ok != r->is_valid || r->kind != kind)
        abort();
    if (strnlen(r->value, sizeof r->value) != r->value_len ||
        strnlen(r->reason, sizeof r->reason) >= sizeof r->reason)
        abort();
    if (!ok && (r->reason[0] == '\0' || r->value_len != 0 || r->part_count != 0 || r->number != 0 ||
                r->value_is_number))
        abort();
    if (ok && (r->reason[0] != '\0' || r->value_len == 0 || !r->value_is_number))
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
    if (ok_n && (!sj_norm_number(sj_str_make(n.value, n.value_len), &again) ||
                 strcmp(again.value, n.value) != 0))
        abort();
    return 0;
}
