/*
 * fuzz_date.c - fuzz target for sj_norm_date and sj_norm_datetime: any bytes must give a
 * well-formed result.
 * Checks: those of fuzz_norm.h; a valid result has the exact shape YYYY-MM-DD[ HH:MM:SS]
 * of a date that exists. Both kinds accept the same inputs and agree on the date; each
 * canonical value is a fixed point.
 */
#include <stdint.h>

#include "fuzz_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int two(const char *p)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        abort();
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* Beyond fuzz_norm.h: the exact shape of an existing date (and time), agreeing with the
 * parts; never a number. */
static void check_result(const struct sj_norm_result *r, bool ok, enum sj_kind kind)
{
    bool has_time = kind == SJ_KIND_DATETIME;
    fuzz_norm_check(r, ok, kind);
    if (r->number != 0 || r->value_is_number)
        abort();
    if (!ok)
        return;
    if (r->value_len != (has_time ? 19u : 10u) || r->part_count != (has_time ? 6 : 3))
        abort();
    const char *v = r->value;
    int year = two(v) * 100 + two(v + 2), month = two(v + 5), day = two(v + 8);
    if (v[4] != '-' || v[7] != '-' || !sj_date_is_valid(year, month, day))
        abort();
    if (has_time && (v[10] != ' ' || v[13] != ':' || v[16] != ':' || two(v + 11) > 23 ||
                     two(v + 14) > 59 || two(v + 17) > 59))
        abort();
    if (atoi(r->parts[0].value) != year || atoi(r->parts[1].value) != month ||
        atoi(r->parts[2].value) != day)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sj_norm_result d, dt, again;
    struct sj_str in = sj_str_make((const char *)data, size);
    bool ok_d = sj_norm_date(in, &d);
    bool ok_dt = sj_norm_datetime(in, &dt);
    check_result(&d, ok_d, SJ_KIND_DATE);
    check_result(&dt, ok_dt, SJ_KIND_DATETIME);
    if (ok_d != ok_dt || (ok_d && memcmp(d.value, dt.value, 10) != 0))
        abort();
    fuzz_norm_fixed_point(&d, sj_norm_date, &again);
    fuzz_norm_fixed_point(&dt, sj_norm_datetime, &again);
    return 0;
}
