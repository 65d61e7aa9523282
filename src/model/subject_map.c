/*
 * subject_map.c - the subjects a query's rows have named so far, each with a number the
 * caller gives it (a run's lead index, a preview's shown index): an open-addressing hash
 * table of owned copies, kept under half full, so rows grouped by subject cost one lookup.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct sj_subject_slot *find(struct sj_subject_map *m, const char *subject)
{
    size_t mask = m->slot_count - 1;
    for (size_t i = (size_t)hash_text(subject) & mask;; i = (i + 1) & mask) {
        if (!m->slots[i].subject || strcmp(m->slots[i].subject, subject) == 0)
            return &m->slots[i];
    }
}

static void grow(struct sj_subject_map *m)
{
    struct sj_subject_slot *old = m->slots;
    size_t old_count = m->slot_count;
    m->slot_count = old_count ? old_count * 2 : 256;
    m->slots = sj_xcalloc(m->slot_count, sizeof *m->slots);
    for (size_t i = 0; i < old_count; i++) {
        if (old[i].subject)
            *find(m, old[i].subject) = old[i];
    }
    free(old);
}

struct sj_subject_slot *sj_subject_map_get(struct sj_subject_map *m, const char *subject,
                                           bool *is_new)
{
    if ((m->count + 1) * 2 > m->slot_count)
        grow(m);
    struct sj_subject_slot *slot = find(m, subject);
    *is_new = slot->subject == NULL;
    if (*is_new) {
        slot->subject = sj_xstrdup(subject);
        slot->value = 0;
        m->count++;
    }
    return slot;
}

void sj_subject_map_release(struct sj_subject_map *m)
{
    for (size_t i = 0; i < m->slot_count; i++)
        free(m->slots[i].subject);
    free(m->slots);
    memset(m, 0, sizeof *m);
}
