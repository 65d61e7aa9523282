/*
 * arena.c - a bump allocator. Blocks are chained newest-first; an allocation larger than
 * a block gets a block of its own. Reset keeps the newest block so a per-batch arena
 * reaches a steady state with no malloc at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/core.h"

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_BLOCK ((size_t)64 << 10)

struct sj_arena_block {
    struct sj_arena_block *next;
    size_t size; /* usable bytes in data */
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

void sj_arena_init(struct sj_arena *arena, size_t block_size)
{
    arena->head = NULL;
    arena->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
    arena->bytes_used = 0;
}

static struct sj_arena_block *new_block(size_t size)
{
    struct sj_arena_block *block = sj_xmalloc(sizeof *block + size);
    block->next = NULL;
    block->size = size;
    block->used = 0;
    return block;
}

void *sj_arena_alloc(struct sj_arena *arena, size_t size)
{
    size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (rounded < size)
        abort(); /* size overflowed */
    struct sj_arena_block *head = arena->head;
    if (!head || head->size - head->used < rounded) {
        size_t want = rounded > arena->block_size ? rounded : arena->block_size;
        struct sj_arena_block *block = new_block(want);
        block->next = head;
        arena->head = block;
        head = block;
    }
    void *p = head->data + head->used;
    head->used += rounded;
    arena->bytes_used += rounded;
    return p;
}

char *sj_arena_strndup(struct sj_arena *arena, const char *s, size_t len)
{
    char *p = sj_arena_alloc(arena, len + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *sj_arena_sprintf(struct sj_arena *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = sj_arena_alloc(arena, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void sj_arena_reset(struct sj_arena *arena)
{
    struct sj_arena_block *keep = arena->head;
    if (!keep)
        return;
    struct sj_arena_block *block = keep->next;
    while (block) {
        struct sj_arena_block *next = block->next;
        free(block);
        block = next;
    }
    keep->next = NULL;
    keep->used = 0;
    arena->bytes_used = 0;
}

void sj_arena_release(struct sj_arena *arena)
{
    struct sj_arena_block *block = arena->head;
    while (block) {
        struct sj_arena_block *next = block->next;
        free(block);
        block = next;
    }
    arena->head = NULL;
    arena->bytes_used = 0;
}
