/*
 * sniff.c - a column's kind from its values: confirms or corrects the kind its header
 * suggests, and promotes an unnamed (text) column only to kinds a bare value proves
 * (check-digit ids, case numbers, phones, dates written with separators).
 *
 * Invariants: samples are borrowed and never modified; every sample is normalised at most
 * once per candidate kind, so sniffing ~50 rows costs microseconds.
 */
#include <string.h>

#include "ingest/ingest_int.h"

/* Kinds a bare value proves without a header, most specific first. */
static const enum sj_kind unambiguous[] = {SJ_KIND_IDCARD, SJ_KIND_CREDITCODE, SJ_KIND_CASENO,
                                           SJ_KIND_PHONE, SJ_KIND_DATE};

/* A date must show its separators to be believed from the value alone: 20230102 and 45000
 * (an Excel serial) are as likely to be numbers. */
static bool has_date_separator(struct sj_str s)
{
    return memchr(s.ptr, '-', s.len) || memchr(s.ptr, '/', s.len) || memchr(s.ptr, '.', s.len) ||
           sj_str_find(s, SJ_STR_LIT("年")) >= 0;
}

/* Counts the non-empty samples (into *non_empty) and those that pass kind. With from_value,
 * dates must show separators (see has_date_separator). */
static size_t count_passing(enum sj_kind kind, const struct sj_str *samples, size_t count,
                            bool from_value, size_t *non_empty)
{
    struct sj_norm_result res;
    size_t pass = 0, filled = 0;
    for (size_t i = 0; i < count; i++) {
        struct sj_str s = sj_str_trim(samples[i]);
        if (s.len == 0)
            continue;
        filled++;
        if (from_value && kind == SJ_KIND_DATE && !has_date_separator(s))
            continue;
        pass += sj_norm(kind, s, &res);
    }
    *non_empty = filled;
    return pass;
}

/* The kind most samples are detected as, when more than half agree; else text. */
static enum sj_kind majority_kind(const struct sj_str *samples, size_t count)
{
    size_t votes[SJ_KIND_COUNT] = {0}, filled = 0;
    struct sj_norm_result res;
    for (size_t i = 0; i < count; i++) {
        struct sj_str s = sj_str_trim(samples[i]);
        if (s.len == 0)
            continue;
        filled++;
        enum sj_kind k = sj_norm_detect(s, &res);
        if ((k == SJ_KIND_DATE || k == SJ_KIND_DATETIME) && !has_date_separator(s))
            k = SJ_KIND_TEXT;
        if ((int)k >= 0 && k < SJ_KIND_COUNT)
            votes[k]++;
    }
    enum sj_kind best = SJ_KIND_TEXT;
    for (int k = 0; k < SJ_KIND_COUNT; k++) {
        if (votes[k] > votes[best])
            best = (enum sj_kind)k;
    }
    return votes[best] * 2 > filled ? best : SJ_KIND_TEXT;
}

/* True when an id-number column also holds organisations' codes (a unit crime's suspect in a
 * case-system export): then it is a party-id column, or the organisations would never match. */
static bool holds_org_codes(const struct sj_str *samples, size_t count)
{
    struct sj_norm_result res;
    for (size_t i = 0; i < count; i++) {
        struct sj_str s = sj_str_trim(samples[i]);
        if (s.len > 0 && !sj_norm_idcard(s, &res) && sj_norm_partyid(s, &res))
            return true;
    }
    return false;
}

enum sj_kind sj_ingest_sniff_kind(enum sj_kind suggested, const struct sj_str *samples,
                                  size_t sample_count)
{
    size_t filled = 0;
    if (suggested == SJ_KIND_IDCARD && holds_org_codes(samples, sample_count))
        return SJ_KIND_PARTYID;
    if (suggested != SJ_KIND_TEXT && suggested != SJ_KIND_AUTO) {
        size_t pass = count_passing(suggested, samples, sample_count, false, &filled);
        if (filled == 0 || pass * 2 >= filled)
            return suggested;
        return majority_kind(samples, sample_count);
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(unambiguous); i++) {
        size_t pass = count_passing(unambiguous[i], samples, sample_count, true, &filled);
        if (filled == 0)
            return SJ_KIND_TEXT;
        if (pass * 10 >= filled * 9)
            return unambiguous[i];
    }
    return SJ_KIND_TEXT;
}
