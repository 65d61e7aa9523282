/*
 * calendar.c - proleptic Gregorian date arithmetic and the notion of "today" used by the
 * not-in-the-future rules. Day numbers count from 1970-01-01 (day 0); the conversions are
 * Howard Hinnant's civil-from-days algorithms, exact for all years 1..9999.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shujian/norm.h"

static int today_year, today_month, today_day;
static bool has_today;

int64_t sj_date_to_days(int year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void sj_days_to_date(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

bool sj_date_is_valid(int year, int month, int day)
{
    static const int days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
        return false;
    int limit = days_in_month[month - 1];
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        limit = 29;
    return day <= limit;
}

void sj_norm_set_today(int year, int month, int day)
{
    today_year = year;
    today_month = month;
    today_day = day;
    has_today = true;
}

/* SHUJIAN_TODAY=YYYY-MM-DD wins over the clock, so tests and reproducible runs agree. */
static void load_today(void)
{
    const char *env = getenv("SHUJIAN_TODAY");
    int y, m, d;
    if (env && strlen(env) == 10 && env[4] == '-' && env[7] == '-') {
        y = atoi(env);
        m = atoi(env + 5);
        d = atoi(env + 8);
        if (sj_date_is_valid(y, m, d)) {
            sj_norm_set_today(y, m, d);
            return;
        }
    }
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    sj_norm_set_today(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void sj_norm_get_today(int *year, int *month, int *day)
{
    if (!has_today)
        load_today();
    *year = today_year;
    *month = today_month;
    *day = today_day;
}
