/*
 * fuzz_date.c - fuzz target for sj_norm_date and sj_norm_datetime: any bytes must give a
 * well-formed result.
 * Checks: return value equals is_valid; an invalid result has a reason, no value and no
 * parts; a valid one has the exact shape YYYY-MM-DD[ HH:MM:SS] of a date that exists. Both
 * kinds accept the same inputs and agree on the date; each canonical value is a fixed point.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int two(const char *p)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        abort();
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static void check_result(const struct sj_norm_result *r, bool ok, enum sj_kind kind)
{
    bool has_time = kind == SJ_KIND_DATETIME;
    if (ok != r->is_valid || r->kind != kind || r->number != 0 || r->value_is_number)
        abort();
    if (strnlen(r->value, sizeof r->value) != r->value_len ||
        strnlen(r->reason, sizeof r->reason) >= sizeof r->reason)
        abort();
    if (!ok) {
        if (r->reason[0] == '\0' || r->value_len != 0 || r->part_count != 0)
            abort();
        return;
    }
    if (r->reason[0] != '\0' || r->value_len != (has_time ? 19u : 10u) ||
        r->part_count != (has_time ? 6 : 3))
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
    if (ok_d && (!sj_norm_date(sj_str_make(d.value, d.value_len), &again) ||
                 strcmp(again.value, d.value) != 0))
        abort();
    if (ok_dt && (!sj_norm_datetime(sj_str_make(dt.value, dt.value_len), &again) ||
                  strcmp(again.value, dt.value) != 0))
        abort();
    return 0;
}
