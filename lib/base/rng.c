/* rng.c: xoshiro256** seeded by splitmix64 from (seed, stream, index). */
#include "base/rng.h"

#include <math.h>

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

rng rng_make(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t x = splitmix64_mix(seed, stream, 0xd1b54a32d192ed03ull, index, 0xaef17502108ef2d9ull);
    rng r;
    for (int i = 0; i < 4; i++) r.s[i] = splitmix64(&x);
    return r;
}

uint64_t rng_u64(rng *r)
{
    uint64_t *s = r->s;
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

float rng_uniform(rng *r) { return (float)(rng_u64(r) >> 40) * 0x1.0p-24f; }

float rng_uniform_range(rng *r, float lo, float hi) { return lo + (hi - lo) * rng_uniform(r); }

float rng_normal(rng *r, float mean, float std)
{
    /* u1 in (0, 1] so log(u1) is finite. */
    double u1 = ((double)(rng_u64(r) >> 11) + 1.0) * 0x1.0p-53;
    double u2 = (double)(rng_u64(r) >> 11) * 0x1.0p-53;
    return mean + std * (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

float rng_truncated_normal(rng *r, float std)
{
    for (;;) {
        float x = rng_normal(r, 0.0f, 1.0f);
        if (fabsf(x) <= 2.0f) return std * x;
    }
}

uint32_t rng_below(rng *r, uint32_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t x = rng_u64(r);
        if (x < limit) return (uint32_t)(x % n);
    }
}

void rng_permutation(rng *r, int n, int *perm)
{
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint32_t)i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}
