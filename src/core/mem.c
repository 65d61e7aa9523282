/*
 * mem.c - allocation that never returns NULL. The library is ours alone, so running out
 * of memory is treated as fatal: it prints one line and aborts rather than threading an
 * error through every caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/core.h"

static void out_of_memory(size_t size)
{
    fprintf(stderr, "shujian: out of memory (allocating %zu bytes)\n", size);
    abort();
}

void *sj_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void *sj_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *sj_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

char *sj_xstrndup(const char *s, size_t len)
{
    char *p = sj_xmalloc(len + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *sj_xstrdup(const char *s)
{
    return sj_xstrndup(s, strlen(s));
}
