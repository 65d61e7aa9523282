/*
 * log.c - one-line log messages on stderr with a UTC timestamp and a level. Each line
 * is written with a single fputs under the stdio lock, so lines from threads never mix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shujian/core.h"

static int current_level = -1;

void sj_log_set_level(enum sj_log_level level)
{
    current_level = (int)level;
}

static int level_from_env(void)
{
    const char *env = getenv("SHUJIAN_LOG");
    if (!env)
        return SJ_LOG_INFO;
    if (strcmp(env, "debug") == 0)
        return SJ_LOG_DEBUG;
    if (strcmp(env, "warn") == 0)
        return SJ_LOG_WARN;
    if (strcmp(env, "error") == 0)
        return SJ_LOG_ERROR;
    return SJ_LOG_INFO;
}

void sj_log(enum sj_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if (current_level < 0)
        current_level = level_from_env();
    if ((int)level < current_level)
        return;
    char line[2048];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    int k = snprintf(line + n, sizeof line - n, "%s ", names[level & 3]);
    n += k > 0 ? (size_t)k : 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    if (len + 1 < sizeof line) {
        line[len] = '\n';
        line[len + 1] = '\0';
    } else {
        line[sizeof line - 2] = '\n';
    }
    fputs(line, stderr);
}
