/*
 * schedule.c - local time in China Standard Time (fixed UTC+8, no daylight saving) and
 * check-in schedules: daily and weekly windows and spot checks turned into the due slots of a
 * time range (shujian/bail.h). Calendar arithmetic is Howard Hinnant's days_from_civil, exact
 * for every int64 day we accept; division always floors, so times before 1970 work as well.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

#define MINUTES_PER_DAY 1440

/* ---- Local time ---------------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t sj_bail_local_day(int64_t t_ms)
{
    return floor_div(t_ms + SJ_BAIL_TZ_OFFSET_MS, SJ_BAIL_DAY_MS);
}

int64_t sj_bail_day_start(int64_t day)
{
    return day * SJ_BAIL_DAY_MS - SJ_BAIL_TZ_OFFSET_MS;
}

int sj_bail_weekday(int64_t day)
{
    int64_t r = ((day % 7) + 7) % 7; /* day 0, 1970-01-01, was a Thursday (ISO 4) */
    return (int)((r + 3) % 7) + 1;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void sj_bail_day_format(int64_t day, char out[11])
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    snprintf(out, 11, "%04d-%02d-%02d", (int)y, m, d);
}

int sj_bail_day_parse(const char *text, int64_t *day)
{
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return SJ_EINVAL;
    for (int i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
            return SJ_EINVAL;
    }
    int y = atoi(text), m = atoi(text + 5), d = atoi(text + 8);
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool is_leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !is_leap))
        return SJ_EINVAL;
    *day = days_from_civil(y, m, d);
    return 0;
}

void sj_bail_time_format(int64_t t_ms, char out[26])
{
    int64_t day = sj_bail_local_day(t_ms);
    unsigned in_day = (unsigned)((t_ms - sj_bail_day_start(day)) / 1000) % 86400u;
    char date[11];
    sj_bail_day_format(day, date);
    memcpy(out, date, 10);
    snprintf(out + 10, 16, "T%02u:%02u:%02u+08:00", in_day / 3600u % 24u, in_day / 60u % 60u,
             in_day % 60u);
}

/* ---- Schedules ----------------------------------------------------------------------------- */

static const char *const kind_names[] = {"daily", "weekly", "spot"};

const char *sj_bail_schedule_kind_name(enum sj_bail_schedule_kind kind)
{
    return (unsigned)kind < SJ_ARRAY_LEN(kind_names) ? kind_names[kind] : "daily";
}

int sj_bail_schedule_kind_parse(const char *text, enum sj_bail_schedule_kind *kind)
{
    for (size_t i = 0; text && i < SJ_ARRAY_LEN(kind_names); i++) {
        if (strcmp(text, kind_names[i]) == 0) {
            *kind = (enum sj_bail_schedule_kind)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

int sj_bail_schedule_check(const struct sj_bail_schedule *s, struct sj_err *err)
{
    if (s->kind != SJ_BAIL_SCHEDULE_DAILY && s->kind != SJ_BAIL_SCHEDULE_WEEKLY)
        return sj_err_set(err, SJ_EINVAL, "打卡计划的类型应为 daily 或 weekly");
    if (s->start_min < 0 || s->start_min >= MINUTES_PER_DAY || s->end_min <= s->start_min ||
        s->end_min > MINUTES_PER_DAY)
        return sj_err_set(err, SJ_EINVAL, "打卡时段应在 00:00 至 24:00 之间且结束晚于开始");
    if (s->kind == SJ_BAIL_SCHEDULE_WEEKLY &&
        (s->weekdays == 0 || (s->weekdays & ~SJ_BAIL_WEEKDAYS_ALL) != 0))
        return sj_err_set(err, SJ_EINVAL, "每周打卡计划至少应选择一天（周一至周日）");
    if (s->valid_from_ms != 0 && s->valid_until_ms != 0 && s->valid_until_ms <= s->valid_from_ms)
        return sj_err_set(err, SJ_EINVAL, "打卡计划的结束时间应晚于开始时间");
    return 0;
}

struct slot_list {
    struct sj_bail_slot *items;
    size_t count, alloc;
};

static void slot_push(struct slot_list *l, struct sj_bail_slot slot)
{
    if (l->count == l->alloc) {
        l->alloc = l->alloc ? 2 * l->alloc : 16;
        l->items = sj_xrealloc(l->items, l->alloc * sizeof *l->items);
    }
    l->items[l->count++] = slot;
}

static void schedule_slots(const struct sj_bail_schedule *s, int64_t from_ms, int64_t to_ms,
                           struct slot_list *l)
{
    int64_t first = sj_bail_local_day(from_ms) - 1, last = sj_bail_local_day(to_ms);
    for (int64_t day = first; day <= last; day++) {
        if (s->kind == SJ_BAIL_SCHEDULE_WEEKLY &&
            !(s->weekdays & SJ_BAIL_WEEKDAY_BIT(sj_bail_weekday(day))))
            continue;
        int64_t start = sj_bail_day_start(day) + s->start_min * SJ_BAIL_MINUTE_MS;
        int64_t end = sj_bail_day_start(day) + s->end_min * SJ_BAIL_MINUTE_MS;
        if ((s->valid_from_ms != 0 && start < s->valid_from_ms) ||
            (s->valid_until_ms != 0 && start >= s->valid_until_ms))
            continue;
        if (end > from_ms && start < to_ms)
            slot_push(l, (struct sj_bail_slot){s->kind, s->id, start, end});
    }
}

static int slot_cmp(const void *a, const void *b)
{
    const struct sj_bail_slot *x = a, *y = b;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->source_id < y->source_id ? -1 : (x->source_id > y->source_id);
}

int sj_bail_slots(const struct sj_bail_schedule *schedules, size_t schedule_count,
                  const struct sj_bail_spot *spots, size_t spot_count, int64_t from_ms,
                  int64_t to_ms, struct sj_bail_slot **slots, size_t *count, struct sj_err *err)
{
    *slots = NULL;
    *count = 0;
    if (to_ms < from_ms)
        return sj_err_set(err, SJ_EINVAL, "时间范围的结束早于开始");
    if (to_ms - from_ms > SJ_BAIL_SLOT_RANGE_MAX_MS)
        return sj_err_set(err, SJ_ETOOBIG, "时间范围不能超过 400 天");
    struct slot_list l = {0};
    for (size_t i = 0; i < schedule_count; i++) {
        if (sj_bail_schedule_check(&schedules[i], NULL) == 0)
            schedule_slots(&schedules[i], from_ms, to_ms, &l);
    }
    for (size_t i = 0; i < spot_count; i++) {
        const struct sj_bail_spot *s = &spots[i];
        if (s->deadline_ms > s->issued_ms && s->deadline_ms > from_ms && s->issued_ms < to_ms)
            slot_push(&l, (struct sj_bail_slot){SJ_BAIL_SCHEDULE_SPOT, s->id, s->issued_ms,
                                                s->deadline_ms});
    }
    if (l.count > 1)
        qsort(l.items, l.count, sizeof *l.items, slot_cmp);
    *slots = l.items;
    *count = l.count;
    return 0;
}

/* SplitMix64 (Steele, Lea, Flood 2014): one well-mixed 64-bit value per input. */
static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

int64_t sj_bail_spot_pick(uint64_t seed, int64_t day, int start_min, int end_min,
                          int64_t deadline_ms)
{
    int64_t deadline_min = (deadline_ms + SJ_BAIL_MINUTE_MS - 1) / SJ_BAIL_MINUTE_MS;
    int64_t choices = (int64_t)end_min - start_min - deadline_min + 1;
    int64_t minute = start_min;
    if (choices > 1)
        minute += (int64_t)(splitmix64(seed ^ (uint64_t)day) % (uint64_t)choices);
    return sj_bail_day_start(day) + minute * SJ_BAIL_MINUTE_MS;
}
