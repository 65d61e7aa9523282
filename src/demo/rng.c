/*
 * rng.c - the demo world's own randomness: xoshiro256** seeded through splitmix64, and
 * keyed bijections on [0, n) used to turn "person number i" into a name, an id number or
 * a card number that no other person has. Nothing here reads the clock or rand(), so the
 * same seed gives the same world everywhere (integer arithmetic only).
 */
#include "demo/demo_int.h"

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

uint64_t demo_hash(uint64_t a, uint64_t b)
{
    uint64_t state = a ^ (b * 0xD6E8FEB86659FD93u);
    splitmix64(&state);
    return splitmix64(&state);
}

void demo_rng_init(struct demo_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t state = demo_hash(seed, stream + 0x5DEECE66Du);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&state);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t demo_rng_next(struct demo_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t demo_rng_below(struct demo_rng *rng, uint64_t n)
{
    if (n <= 1)
        return 0;
    /* Rejection keeps the result exactly uniform. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
        x = demo_rng_next(rng);
    } while (x >= limit);
    return x % n;
}

int64_t demo_rng_between(struct demo_rng *rng, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t)demo_rng_below(rng, (uint64_t)(hi - lo) + 1);
}

bool demo_rng_chance(struct demo_rng *rng, unsigned permille)
{
    return demo_rng_below(rng, 1000) < permille;
}

void demo_perm_init(struct demo_perm *perm, uint64_t n, uint64_t seed, uint64_t stream)
{
    struct demo_rng rng;
    unsigned bits = 1;
    while (bits < 63 && ((uint64_t)1 << bits) < n)
        bits++;
    perm->n = n;
    perm->mask = ((uint64_t)1 << bits) - 1;
    perm->shift = bits / 2 + 1;
    demo_rng_init(&rng, seed, stream ^ 0xA5A5A5A5u);
    for (int i = 0; i < 4; i++) {
        perm->add[i] = demo_rng_next(&rng);
        perm->mul[i] = demo_rng_next(&rng) | 1u;
    }
}

/* One pass of bijective steps on [0, mask]: add, multiply by an odd number, xorshift. */
static uint64_t perm_round(const struct demo_perm *perm, uint64_t x)
{
    for (int i = 0; i < 4; i++) {
        x = (x + perm->add[i]) & perm->mask;
        x = (x * perm->mul[i]) & perm->mask;
        x ^= x >> perm->shift;
    }
    return x;
}

uint64_t demo_perm_map(const struct demo_perm *perm, uint64_t x)
{
    if (perm->n <= 1)
        return 0;
    /* Cycle walking: the power-of-two domain is less than 2n, so this ends quickly. */
    do {
        x = perm_round(perm, x);
    } while (x >= perm->n);
    return x;
}
